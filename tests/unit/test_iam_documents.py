"""Policy document checks: IAM's grammar and its words for each kind of mistake."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest

from tidal.iam import documents
from tidal.iam.errors import MalformedPolicyDocument

ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
TRUST = {
    "Effect": "Allow",
    "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole",
}


def policy(*statements: dict, **top: object) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements), **top})


def refused(check, text: str) -> str:
    with pytest.raises(MalformedPolicyDocument) as raised:
        check(text)
    return raised.value.message


def test_the_seed_documents_are_accepted():
    trust = {"Version": "2012-10-17", "Statement": [{"Sid": "", **TRUST}]}
    assert documents.check_trust_policy(json.dumps(trust)) == trust
    permissions = policy(
        {"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": ["*"]},
        {"Effect": "Allow", "Action": ["dynamodb:GetRecords", "ses:*"], "Resource": "*"},
    )
    assert documents.check_permissions_policy(permissions)["Statement"][1]["Action"][1] == "ses:*"


def test_a_single_statement_object_and_the_2008_version_are_accepted():
    text = json.dumps({"Version": "2008-10-17", "Statement": ALLOW_ALL})
    assert documents.check_permissions_policy(text)["Statement"] == ALLOW_ALL
    assert documents.check_permissions_policy(json.dumps({"Statement": [ALLOW_ALL]}))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "This policy contains invalid Json"),
        ("", "This policy contains invalid Json"),
        ("null", "Syntax errors in policy."),
        ("[]", "Syntax errors in policy."),
        (json.dumps({"Version": "2012-10-17"}), "Syntax errors in policy."),
        (policy(ALLOW_ALL, Extra=1), "Syntax errors in policy."),
        (policy(), "Syntax errors in policy."),
        (json.dumps({"Version": "2012-10-17", "Statement": "x"}), "Syntax errors in policy."),
        (policy({**ALLOW_ALL, "Actions": "s3:*"}), "Syntax errors in policy."),
        (policy({"Action": "*", "Resource": "*"}), "Syntax errors in policy."),
        (policy({**ALLOW_ALL, "Effect": "allow"}), "The policy failed legacy parsing"),
        (policy(ALLOW_ALL, Version="2012-10-18"), "The policy failed legacy parsing"),
        (policy({"Effect": "Allow", "Resource": "*"}), "Policy statement must contain actions."),
        (
            policy({"Effect": "Allow", "Action": [], "Resource": "*"}),
            "Policy statement must contain actions.",
        ),
        (policy({"Effect": "Allow", "Action": "s3:*"}), "Policy statement must contain resources."),
        (policy({**ALLOW_ALL, "NotAction": "s3:*"}), "Syntax errors in policy."),
        (policy({**ALLOW_ALL, "Action": {"s3": "*"}}), "Syntax errors in policy."),
        (
            policy({**ALLOW_ALL, "Action": "GetObject"}),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
        ),
        (
            policy({**ALLOW_ALL, "Action": "ec2:ec2:CreateTags"}),
            "Actions/Condition can contain only one colon.",
        ),
        (
            policy({**ALLOW_ALL, "Resource": "my-bucket"}),
            'Resource my-bucket must be in ARN format or "*".',
        ),
        (
            policy({**ALLOW_ALL, "Principal": {"AWS": "*"}}),
            "Policy document should not specify a principal.",
        ),
        (policy({**ALLOW_ALL, "Condition": "x"}), "Syntax errors in policy."),
        (
            policy({**ALLOW_ALL, "Sid": "a"}, {**ALLOW_ALL, "Sid": "a"}),
            "Statement IDs (SID) in a single policy must be unique.",
        ),
    ],
)
def test_permissions_policy_mistakes(text, message):
    assert refused(documents.check_permissions_policy, text) == message


def test_empty_sids_may_repeat():
    assert documents.check_permissions_policy(
        policy({**ALLOW_ALL, "Sid": ""}, {**ALLOW_ALL, "Sid": ""})
    )


def test_managed_policy_sids_must_be_alphanumeric():
    text = policy({**ALLOW_ALL, "Sid": "my-sid"})
    assert documents.check_permissions_policy(text)
    assert refused(lambda t: documents.check_permissions_policy(t, managed=True), text) == (
        "Statement IDs (SID) must be alpha-numeric. "
        "Check that your input satisfies the regular expression [0-9A-Za-z]*"
    )


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ({**TRUST, "Resource": "*"}, "Has prohibited field Resource"),
        ({**TRUST, "NotResource": "*"}, "Has prohibited field NotResource"),
        (
            {"Effect": "Allow", "Action": "sts:AssumeRole"},
            "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: "
            "The passed in policy has a statement with no principals!",
        ),
        ({**TRUST, "Principal": {"Service": 3}}, "Syntax errors in policy."),
        ({**TRUST, "Principal": "lambda"}, "Syntax errors in policy."),
        (
            {**TRUST, "Principal": {"Robot": "r2d2"}},
            'Invalid principal in policy: "Robot":"r2d2"',
        ),
        ({**TRUST, "Action": "AssumeRole"}, documents.NO_VENDOR),
    ],
)
def test_trust_policy_mistakes(statement, message):
    assert refused(documents.check_trust_policy, policy(statement)) == message


def test_trust_policies_accept_every_principal_kind():
    principals = {
        "AWS": ["arn:aws:iam::123456789012:root", "123456789012"],
        "Service": "lambda.amazonaws.com",
        "Federated": "cognito-identity.amazonaws.com",
    }
    assert documents.check_trust_policy(policy({**TRUST, "Principal": principals}))
    assert documents.check_trust_policy(policy({**TRUST, "Principal": "*"}))


def test_documents_are_returned_percent_encoded_as_given():
    text = '{\n  "Version": "2012-10-17",\n  "Statement": {"Sid": "a b", "Effect": "Allow"}\n}'
    encoded = documents.quoted(text)
    assert encoded.startswith("%7B%0A%20%20%22Version%22%3A%20%222012-10-17%22")
    assert unquote(encoded) == text


def test_size_counts_characters_without_white_space():
    assert documents.size('{ "a" :\n\t"b c" }') == 10
