"""IAM roles, inline and managed policies through boto3 (and the seed's AWS CLI commands).

Each test that lists works in an account of its own (a 12-digit access key names it), so
other tests' roles do not show up in its listings.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import boto3
import pytest
from botocore.config import Config as BotocoreConfig
from botocore.exceptions import ClientError

from tidal.testing.plugin import CREDENTIALS, client

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
PERMISSIONS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}],
}
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
STREAMS = "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole"


def error_of(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    error = raised.value.response["Error"]
    return (
        error["Code"],
        error["Message"],
        raised.value.response["ResponseMetadata"]["HTTPStatusCode"],
    )


def unique(prefix: str = "r") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def new_account() -> str:
    return str(random.randrange(10**11, 10**12))


def account_client(service: str, endpoint: str, account: str):
    return client(service, endpoint, aws_access_key_id=account, aws_secret_access_key="secret")


@pytest.fixture(scope="module")
def iam(tidal_endpoint):
    return client("iam", tidal_endpoint)


@pytest.fixture
def account_iam(tidal_endpoint):
    """An IAM client for an account no other test uses."""
    return account_client("iam", tidal_endpoint, new_account())


@pytest.fixture
def role(iam):
    name = unique()
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    return name


# Roles


def test_create_role_answers_with_aws_ids_and_the_trust_policy_as_a_dict(iam):
    name = unique()
    before = datetime.now(UTC) - timedelta(seconds=2)
    created = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Path="/service-role/",
        Description="runs the mailer",
        MaxSessionDuration=7200,
        Tags=[{"Key": "team", "Value": "mail"}],
    )["Role"]
    assert re.fullmatch(r"AROA[A-Z0-9]{17}", created["RoleId"])
    assert created["Arn"] == f"arn:aws:iam::000000000000:role/service-role/{name}"
    assert created["Path"] == "/service-role/"
    assert created["AssumeRolePolicyDocument"] == TRUST
    assert created["Description"] == "runs the mailer"
    assert created["MaxSessionDuration"] == 7200
    assert created["Tags"] == [{"Key": "team", "Value": "mail"}]
    assert before <= created["CreateDate"] <= datetime.now(UTC) + timedelta(seconds=2)
    assert "RoleLastUsed" not in created


def test_get_role_finds_the_role_by_its_name_in_any_case(iam):
    name = unique("Mixed")
    created = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    got = iam.get_role(RoleName=name.upper())["Role"]
    assert got == {**created, "RoleLastUsed": {}}
    assert got["RoleName"] == name and got["Path"] == "/" and got["MaxSessionDuration"] == 3600
    assert "Description" not in got and "Tags" not in got


def test_the_trust_policy_is_sent_percent_encoded_exactly_as_given(iam):
    text = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [{"Sid": "", "Effect": "Allow", '
        '"Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]\n}'
    )
    name = unique()
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=text)
    bodies = []

    def keep_body(http_response, **_):
        bodies.append(http_response.text)

    iam.meta.events.register("after-call.iam.GetRole", keep_body)
    try:
        got = iam.get_role(RoleName=name)["Role"]
    finally:
        iam.meta.events.unregister("after-call.iam.GetRole", keep_body)
    encoded = re.search(r"<AssumeRolePolicyDocument>(.*)</AssumeRolePolicyDocument>", bodies[0])[1]
    assert encoded.startswith("%7B%0A%20%20%22Version%22%3A%20%222012-10-17%22")
    assert unquote(encoded) == text
    assert got["AssumeRolePolicyDocument"] == json.loads(text)


def test_create_role_twice_is_refused_whatever_the_case(iam, role):
    assert error_of(
        iam.create_role, RoleName=role.upper(), AssumeRolePolicyDocument=json.dumps(TRUST)
    ) == ("EntityAlreadyExists", f"Role with name {role.upper()} already exists.", 409)


def test_missing_roles_are_not_found(iam):
    message = "The role with name nobody cannot be found."
    for call in (iam.get_role, iam.delete_role, iam.list_role_policies, iam.list_role_tags):
        assert error_of(call, RoleName="nobody") == ("NoSuchEntity", message, 404)
    assert error_of(
        iam.update_assume_role_policy, RoleName="nobody", PolicyDocument=json.dumps(TRUST)
    ) == ("NoSuchEntity", message, 404)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{", "This policy contains invalid Json"),
        (json.dumps({"Version": "2012-10-17"}), "Syntax errors in policy."),
        (
            json.dumps({"Statement": [{**TRUST["Statement"][0], "Resource": "*"}]}),
            "Has prohibited field Resource",
        ),
        (
            json.dumps({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}),
            "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: "
            "The passed in policy has a statement with no principals!",
        ),
    ],
)
def test_malformed_trust_policies_are_refused(iam, document, message):
    name = unique()
    assert error_of(iam.create_role, RoleName=name, AssumeRolePolicyDocument=document) == (
        "MalformedPolicyDocument",
        message,
        400,
    )
    assert error_of(iam.get_role, RoleName=name)[0] == "NoSuchEntity"


def test_model_constraints_are_validation_errors(tidal_endpoint):
    unchecked = boto3.client(
        "iam",
        endpoint_url=tidal_endpoint,
        region_name="us-east-1",
        config=BotocoreConfig(parameter_validation=False, retries={"total_max_attempts": 1}),
        **CREDENTIALS,
    )
    code, message, status = error_of(
        unchecked.create_role,
        RoleName=unique(),
        AssumeRolePolicyDocument=json.dumps(TRUST),
        MaxSessionDuration=60,
    )
    assert (code, status) == ("ValidationError", 400)
    assert "maxSessionDuration" in message


def test_trust_policies_larger_than_the_quota_are_refused(iam):
    services = [f"service{n:04d}.amazonaws.com" for n in range(100)]
    big = {"Statement": [{**TRUST["Statement"][0], "Principal": {"Service": services}}]}
    assert error_of(
        iam.create_role, RoleName=unique(), AssumeRolePolicyDocument=json.dumps(big)
    ) == ("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048", 409)


def test_update_role_and_its_description(iam, role):
    assert iam.update_role(RoleName=role, Description="first", MaxSessionDuration=43200)
    got = iam.get_role(RoleName=role)["Role"]
    assert (got["Description"], got["MaxSessionDuration"]) == ("first", 43200)
    updated = iam.update_role_description(RoleName=role, Description="second")["Role"]
    assert updated["Description"] == "second" and updated["MaxSessionDuration"] == 43200


def test_update_assume_role_policy_replaces_the_trust_policy(iam, role):
    trust = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
    }
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(trust))
    assert iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"] == trust
    assert error_of(iam.update_assume_role_policy, RoleName=role, PolicyDocument="[]") == (
        "MalformedPolicyDocument",
        "Syntax errors in policy.",
        400,
    )


def test_delete_role(iam, role):
    iam.delete_role(RoleName=role)
    assert error_of(iam.get_role, RoleName=role)[0] == "NoSuchEntity"
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(TRUST))


def test_delete_role_is_refused_while_policies_remain(iam, role):
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps(PERMISSIONS))
    iam.attach_role_policy(RoleName=role, PolicyArn=BASIC)
    assert error_of(iam.delete_role, RoleName=role) == (
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
        409,
    )
    iam.delete_role_policy(RoleName=role, PolicyName="p")
    assert error_of(iam.delete_role, RoleName=role) == (
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
        409,
    )
    iam.detach_role_policy(RoleName=role, PolicyArn=BASIC)
    iam.delete_role(RoleName=role)


def test_list_roles_pages_with_markers_and_filters_by_path(account_iam):
    trust = json.dumps(TRUST)
    names = [f"role-{n:02d}" for n in range(7)]
    for position, name in enumerate(names):
        path = "/app/" if position % 2 else "/"
        account_iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust, Path=path)
    first = account_iam.list_roles(MaxItems=3)
    assert [r["RoleName"] for r in first["Roles"]] == names[:3]
    assert first["IsTruncated"] is True
    second = account_iam.list_roles(MaxItems=3, Marker=first["Marker"])
    assert [r["RoleName"] for r in second["Roles"]] == names[3:6]
    last = account_iam.list_roles(MaxItems=3, Marker=second["Marker"])
    assert [r["RoleName"] for r in last["Roles"]] == names[6:]
    assert last["IsTruncated"] is False and "Marker" not in last
    listed = last["Roles"][0]
    assert listed["AssumeRolePolicyDocument"] == TRUST
    assert not {"Tags", "RoleLastUsed", "PermissionsBoundary"} & set(listed)

    paginator = account_iam.get_paginator("list_roles")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    assert len(pages) == 4
    assert [r["RoleName"] for page in pages for r in page["Roles"]] == names
    app = account_iam.list_roles(PathPrefix="/app/")["Roles"]
    assert [r["RoleName"] for r in app] == names[1::2]
    for marker in ("not-a-marker", "é"):
        assert error_of(account_iam.list_roles, Marker=marker) == (
            "ValidationError",
            "Invalid Marker.",
            400,
        )


def test_roles_belong_to_their_account(tidal_endpoint):
    first, second = new_account(), new_account()
    iam_first = account_client("iam", tidal_endpoint, first)
    iam_second = account_client("iam", tidal_endpoint, second)
    created = iam_first.create_role(RoleName="shared", AssumeRolePolicyDocument=json.dumps(TRUST))
    assert created["Role"]["Arn"] == f"arn:aws:iam::{first}:role/shared"
    assert error_of(iam_second.get_role, RoleName="shared")[0] == "NoSuchEntity"
    assert iam_second.list_roles()["Roles"] == []
    iam_second.create_role(RoleName="shared", AssumeRolePolicyDocument=json.dumps(TRUST))
    assert iam_second.get_role(RoleName="shared")["Role"]["Arn"].startswith(
        f"arn:aws:iam::{second}:"
    )


def test_iam_is_global_whatever_region_the_client_names(tidal_endpoint, role):
    elsewhere = client("iam", tidal_endpoint, region="eu-west-3")
    assert elsewhere.get_role(RoleName=role)["Role"]["RoleName"] == role


# Tags


def test_tag_untag_and_list_role_tags(iam, role):
    iam.tag_role(RoleName=role, Tags=[{"Key": "env", "Value": "dev"}, {"Key": "b", "Value": ""}])
    iam.tag_role(RoleName=role, Tags=[{"Key": "ENV", "Value": "prod"}])
    assert iam.list_role_tags(RoleName=role)["Tags"] == [
        {"Key": "b", "Value": ""},
        {"Key": "ENV", "Value": "prod"},
    ]
    assert iam.get_role(RoleName=role)["Role"]["Tags"] == [
        {"Key": "b", "Value": ""},
        {"Key": "ENV", "Value": "prod"},
    ]
    page = iam.list_role_tags(RoleName=role, MaxItems=1)
    assert page["IsTruncated"] is True and page["Tags"] == [{"Key": "b", "Value": ""}]
    iam.untag_role(RoleName=role, TagKeys=["env", "never-set"])
    remaining = iam.list_role_tags(RoleName=role)
    assert (remaining["Tags"], remaining["IsTruncated"]) == ([{"Key": "b", "Value": ""}], False)
    assert error_of(iam.untag_role, RoleName="nobody", TagKeys=["b"])[0] == "NoSuchEntity"


def test_duplicate_tag_keys_and_too_many_tags_are_refused(iam, role):
    duplicates = [{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]
    assert error_of(iam.tag_role, RoleName=role, Tags=duplicates) == (
        "InvalidInput",
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
        400,
    )
    iam.tag_role(RoleName=role, Tags=[{"Key": f"k{n}", "Value": ""} for n in range(50)])
    assert error_of(iam.tag_role, RoleName=role, Tags=[{"Key": "one-more", "Value": ""}])[:1] == (
        "LimitExceeded",
    )
    assert len(iam.list_role_tags(RoleName=role)["Tags"]) == 50


# Inline policies


def test_inline_policies_round_trip_as_dicts(iam, role):
    iam.put_role_policy(RoleName=role, PolicyName="reads", PolicyDocument=json.dumps(PERMISSIONS))
    iam.put_role_policy(RoleName=role, PolicyName="all", PolicyDocument=json.dumps(PERMISSIONS))
    got = iam.get_role_policy(RoleName=role.upper(), PolicyName="reads")
    assert (got["RoleName"], got["PolicyName"], got["PolicyDocument"]) == (
        role,
        "reads",
        PERMISSIONS,
    )
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["all", "reads"]
    replaced = {**PERMISSIONS, "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    iam.put_role_policy(RoleName=role, PolicyName="reads", PolicyDocument=json.dumps(replaced))
    assert iam.get_role_policy(RoleName=role, PolicyName="reads")["PolicyDocument"] == replaced
    page = iam.list_role_policies(RoleName=role, MaxItems=1)
    assert page["PolicyNames"] == ["all"] and page["IsTruncated"] is True
    rest = iam.list_role_policies(RoleName=role, Marker=page["Marker"])
    assert rest["PolicyNames"] == ["reads"] and rest["IsTruncated"] is False
    iam.delete_role_policy(RoleName=role, PolicyName="reads")
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["all"]


def test_missing_inline_policies_are_not_found(iam, role):
    expected = ("NoSuchEntity", "The role policy with name ghost cannot be found.", 404)
    assert error_of(iam.get_role_policy, RoleName=role, PolicyName="ghost") == expected
    assert error_of(iam.delete_role_policy, RoleName=role, PolicyName="ghost") == expected
    assert error_of(
        iam.put_role_policy,
        RoleName="nobody",
        PolicyName="p",
        PolicyDocument=json.dumps(PERMISSIONS),
    ) == ("NoSuchEntity", "The role with name nobody cannot be found.", 404)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "This policy contains invalid Json"),
        (json.dumps({"Statement": []}), "Syntax errors in policy."),
        (
            json.dumps({"Statement": [{"Effect": "Allow", "Resource": "*"}]}),
            "Policy statement must contain actions.",
        ),
        (
            json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}),
            "Policy statement must contain resources.",
        ),
        (
            json.dumps({"Statement": [{**PERMISSIONS["Statement"][0], "Principal": "*"}]}),
            "Policy document should not specify a principal.",
        ),
        (
            json.dumps({"Statement": [{**PERMISSIONS["Statement"][0], "Effect": "allow"}]}),
            "The policy failed legacy parsing",
        ),
    ],
)
def test_malformed_inline_policies_are_refused(iam, role, document, message):
    assert error_of(
        iam.put_role_policy, RoleName=role, PolicyName="bad", PolicyDocument=document
    ) == ("MalformedPolicyDocument", message, 400)
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == []


def test_inline_policies_share_a_size_quota(iam, role):
    actions = [f"dynamodb:Action{n:04d}" for n in range(250)]
    document = json.dumps({"Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    iam.put_role_policy(RoleName=role, PolicyName="one", PolicyDocument=document)
    assert error_of(
        iam.put_role_policy, RoleName=role, PolicyName="two", PolicyDocument=document
    ) == ("LimitExceeded", f"Maximum policy size of 10240 bytes exceeded for role {role}", 409)


# Attached managed policies


def test_aws_managed_policies_attach_and_detach(iam, role):
    iam.attach_role_policy(RoleName=role, PolicyArn=BASIC)
    iam.attach_role_policy(RoleName=role, PolicyArn=STREAMS)
    iam.attach_role_policy(RoleName=role, PolicyArn=BASIC)
    attached = iam.list_attached_role_policies(RoleName=role)
    assert attached["AttachedPolicies"] == [
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC},
        {"PolicyName": "AWSLambdaDynamoDBExecutionRole", "PolicyArn": STREAMS},
    ]
    assert attached["IsTruncated"] is False
    assert (
        iam.list_attached_role_policies(RoleName=role, PathPrefix="/other/")["AttachedPolicies"]
        == []
    )
    iam.detach_role_policy(RoleName=role, PolicyArn=BASIC)
    assert [
        p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    ] == [STREAMS]
    assert error_of(iam.detach_role_policy, RoleName=role, PolicyArn=BASIC) == (
        "NoSuchEntity",
        f"Policy {BASIC} was not found.",
        404,
    )


def test_aws_managed_policies_have_their_real_documents(iam):
    policy = iam.get_policy(PolicyArn=STREAMS)["Policy"]
    assert policy["PolicyId"] == "ANPAIP7WNAGMIPYNW4WQG"
    assert (policy["Path"], policy["DefaultVersionId"], policy["IsAttachable"]) == (
        "/service-role/",
        "v1",
        True,
    )
    assert policy["CreateDate"] == datetime(2015, 4, 9, 15, 9, 29, tzinfo=UTC)
    version = iam.get_policy_version(PolicyArn=STREAMS, VersionId="v1")["PolicyVersion"]
    assert version["IsDefaultVersion"] is True
    assert version["Document"]["Statement"][0]["Action"] == [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]


def test_other_aws_managed_policies_are_accepted(iam, role):
    arn = "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    assert policy["PolicyName"] == "AmazonDynamoDBFullAccess"
    assert re.fullmatch(r"ANPA[A-Z0-9]{17}", policy["PolicyId"])
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PolicyId"] == policy["PolicyId"]


def test_attaching_what_does_not_exist_is_refused(iam, role):
    missing = "arn:aws:iam::000000000000:policy/ghost"
    assert error_of(iam.attach_role_policy, RoleName=role, PolicyArn=missing) == (
        "NoSuchEntity",
        f"Policy {missing} does not exist or is not attachable.",
        404,
    )
    assert error_of(iam.attach_role_policy, RoleName="nobody", PolicyArn=BASIC) == (
        "NoSuchEntity",
        "The role with name nobody cannot be found.",
        404,
    )
    assert error_of(iam.attach_role_policy, RoleName=role, PolicyArn="arn:aws:s3:::bucket/x") == (
        "InvalidInput",
        "ARN arn:aws:s3:::bucket/x is not valid.",
        400,
    )


def test_a_role_attaches_at_most_ten_policies(iam, role):
    for n in range(10):
        iam.attach_role_policy(RoleName=role, PolicyArn=f"arn:aws:iam::aws:policy/Some{n}")
    assert error_of(iam.attach_role_policy, RoleName=role, PolicyArn=BASIC) == (
        "LimitExceeded",
        "Cannot exceed quota for PoliciesPerRole: 10",
        409,
    )


def test_list_attached_role_policies_pages(iam, role):
    arns = [f"arn:aws:iam::aws:policy/Paged{n}" for n in range(3)]
    for arn in arns:
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    paginator = iam.get_paginator("list_attached_role_policies")
    pages = list(paginator.paginate(RoleName=role, PaginationConfig={"PageSize": 2}))
    assert [len(page["AttachedPolicies"]) for page in pages] == [2, 1]
    assert [p["PolicyArn"] for page in pages for p in page["AttachedPolicies"]] == arns


# Customer managed policies


def test_customer_managed_policy_lifecycle(account_iam):
    created = account_iam.create_policy(
        PolicyName="reads",
        Path="/app/",
        PolicyDocument=json.dumps(PERMISSIONS),
        Description="reads items",
    )["Policy"]
    arn = created["Arn"]
    assert re.fullmatch(r"arn:aws:iam::\d{12}:policy/app/reads", arn)
    assert re.fullmatch(r"ANPA[A-Z0-9]{17}", created["PolicyId"])
    assert (created["DefaultVersionId"], created["AttachmentCount"]) == ("v1", 0)
    got = account_iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["Description"] == "reads items" and got["IsAttachable"] is True
    version = account_iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == PERMISSIONS and version["IsDefaultVersion"] is True

    role = "worker"
    account_iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(TRUST))
    account_iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    assert account_iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    assert error_of(account_iam.delete_policy, PolicyArn=arn) == (
        "DeleteConflict",
        "Cannot delete a policy attached to entities.",
        409,
    )
    account_iam.detach_role_policy(RoleName=role, PolicyArn=arn)
    account_iam.delete_policy(PolicyArn=arn)
    assert error_of(account_iam.get_policy, PolicyArn=arn) == (
        "NoSuchEntity",
        f"Policy {arn} was not found.",
        404,
    )


def test_policy_names_are_unique_in_an_account(account_iam):
    account_iam.create_policy(PolicyName="once", PolicyDocument=json.dumps(PERMISSIONS))
    assert error_of(
        account_iam.create_policy,
        PolicyName="ONCE",
        Path="/elsewhere/",
        PolicyDocument=json.dumps(PERMISSIONS),
    ) == (
        "EntityAlreadyExists",
        "A policy called ONCE already exists. Duplicate names are not allowed.",
        409,
    )


def test_managed_policy_documents_are_checked(account_iam):
    bad_sid = {"Statement": [{**PERMISSIONS["Statement"][0], "Sid": "not-alnum"}]}
    assert error_of(account_iam.create_policy, PolicyName="p", PolicyDocument=json.dumps(bad_sid))[
        :2
    ] == (
        "MalformedPolicyDocument",
        "Statement IDs (SID) must be alpha-numeric. "
        "Check that your input satisfies the regular expression [0-9A-Za-z]*",
    )
    assert error_of(account_iam.create_policy, PolicyName="p", PolicyDocument="{")[1] == (
        "This policy contains invalid Json"
    )


def test_a_policy_of_another_account_cannot_be_attached(tidal_endpoint):
    owner = account_client("iam", tidal_endpoint, new_account())
    other = account_client("iam", tidal_endpoint, new_account())
    arn = owner.create_policy(PolicyName="mine", PolicyDocument=json.dumps(PERMISSIONS))["Policy"][
        "Arn"
    ]
    other.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))
    assert error_of(other.attach_role_policy, RoleName="r", PolicyArn=arn) == (
        "NoSuchEntity",
        f"Policy {arn} does not exist or is not attachable.",
        404,
    )


def test_policy_versions(account_iam):
    arn = account_iam.create_policy(PolicyName="v", PolicyDocument=json.dumps(PERMISSIONS))[
        "Policy"
    ]["Arn"]
    deny = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}],
    }
    made = account_iam.create_policy_version(
        PolicyArn=arn, PolicyDocument=json.dumps(deny), SetAsDefault=True
    )["PolicyVersion"]
    assert (made["VersionId"], made["IsDefaultVersion"]) == ("v2", True)
    assert account_iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    for _ in range(3):
        account_iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(PERMISSIONS))
    assert error_of(
        account_iam.create_policy_version, PolicyArn=arn, PolicyDocument=json.dumps(deny)
    ) == (
        "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, "
        "you must delete an existing version.",
        409,
    )
    versions = account_iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [
        ("v5", False),
        ("v4", False),
        ("v3", False),
        ("v2", True),
        ("v1", False),
    ]
    assert error_of(account_iam.delete_policy_version, PolicyArn=arn, VersionId="v2") == (
        "DeleteConflict",
        "Cannot delete the default version of a policy.",
        409,
    )
    assert error_of(account_iam.get_policy_version, PolicyArn=arn, VersionId="v9") == (
        "NoSuchEntity",
        f"Policy {arn} version v9 does not exist or is not attachable.",
        404,
    )
    assert error_of(account_iam.delete_policy, PolicyArn=arn)[0] == "DeleteConflict"
    account_iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    for version in ("v2", "v3", "v4", "v5"):
        account_iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    assert (
        account_iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"]
        == PERMISSIONS
    )
    account_iam.delete_policy(PolicyArn=arn)


def test_list_policies_by_scope_attachment_and_path(account_iam):
    local = account_iam.create_policy(
        PolicyName="local", Path="/team/", PolicyDocument=json.dumps(PERMISSIONS)
    )["Policy"]["Arn"]
    account_iam.create_policy(PolicyName="idle", PolicyDocument=json.dumps(PERMISSIONS))
    account_iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))
    account_iam.attach_role_policy(RoleName="r", PolicyArn=local)
    account_iam.attach_role_policy(RoleName="r", PolicyArn=BASIC)

    def names(**params):
        return [p["PolicyName"] for p in account_iam.list_policies(**params)["Policies"]]

    assert names(Scope="Local") == ["idle", "local"]
    assert names(Scope="Local", OnlyAttached=True) == ["local"]
    assert names(Scope="AWS", OnlyAttached=True) == ["AWSLambdaBasicExecutionRole"]
    assert names(OnlyAttached=True) == ["AWSLambdaBasicExecutionRole", "local"]
    assert names(PathPrefix="/team/") == ["local"]
    assert "AWSLambdaDynamoDBExecutionRole" in names(Scope="AWS")
    listed = account_iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"][0]
    assert listed["AttachmentCount"] == 1 and "Description" not in listed
    paginator = account_iam.get_paginator("list_policies")
    pages = list(paginator.paginate(Scope="All", PaginationConfig={"PageSize": 3}))
    assert len(pages) > 1
    assert [p["PolicyName"] for page in pages for p in page["Policies"]] == names()


def test_permissions_boundaries(account_iam):
    arn = account_iam.create_policy(PolicyName="bound", PolicyDocument=json.dumps(PERMISSIONS))[
        "Policy"
    ]["Arn"]
    created = account_iam.create_role(
        RoleName="bounded", AssumeRolePolicyDocument=json.dumps(TRUST), PermissionsBoundary=arn
    )["Role"]
    expected = {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": arn,
    }
    assert created["PermissionsBoundary"] == expected
    assert account_iam.get_role(RoleName="bounded")["Role"]["PermissionsBoundary"] == expected
    assert account_iam.get_policy(PolicyArn=arn)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    account_iam.delete_role_permissions_boundary(RoleName="bounded")
    assert "PermissionsBoundary" not in account_iam.get_role(RoleName="bounded")["Role"]
    account_iam.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=BASIC)
    assert account_iam.get_policy(PolicyArn=arn)["Policy"]["PermissionsBoundaryUsageCount"] == 0
    missing = arn + "-gone"
    assert error_of(
        account_iam.create_role,
        RoleName="other",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        PermissionsBoundary=missing,
    ) == ("NoSuchEntity", f"Scope ARN: {missing} does not exist or is not attachable.", 404)


# The AWS CLI, as the French walkthrough (seeds/004) runs it


SEED_ROLE = """{
   "Version": "2012-10-17",
   "Statement": [
   {
      "Sid": "",
      "Effect": "Allow",
      "Principal": {"Service":"lambda.amazonaws.com"},
      "Action": "sts:AssumeRole"
   }]
}
"""
SEED_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "lambda:InvokeFunction"
      ],
      "Resource": [
        "*"
      ]
    },
    {
      "Effect": "Allow",
      "Action": [
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:DescribeStream",
        "dynamodb:ListStreams",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "ses:*"
      ],
      "Resource": "*"
    }
  ]
}
"""


def aws(endpoint: str, cwd, account: str, *args: str) -> str:
    environment = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": account,
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    run = subprocess.run(
        [sys.executable, "-m", "awscli", *args, "--endpoint-url", endpoint],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        cwd=cwd,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_the_seed_creates_its_role_and_policy_with_the_aws_cli(tidal_endpoint, tmp_path):
    account = new_account()
    (tmp_path / "iam-role.json").write_text(SEED_ROLE)
    (tmp_path / "iam-policy.json").write_text(SEED_POLICY)
    printed = aws(
        tidal_endpoint,
        tmp_path,
        account,
        "iam",
        "create-role",
        "--role-name",
        "lambda-dynamodb",
        "--assume-role-policy-document",
        "file://iam-role.json",
    )
    created = json.loads(printed)["Role"]
    assert created["RoleName"] == "lambda-dynamodb"
    assert created["Arn"] == f"arn:aws:iam::{account}:role/lambda-dynamodb"
    assert created["Path"] == "/"
    assert re.fullmatch(r"AROA[A-Z0-9]{17}", created["RoleId"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created["CreateDate"])
    assert created["AssumeRolePolicyDocument"] == json.loads(SEED_ROLE)

    printed = aws(
        tidal_endpoint,
        tmp_path,
        account,
        "iam",
        "put-role-policy",
        "--role-name",
        "lambda-dynamodb",
        "--policy-name",
        "lambda-dynamodb",
        "--policy-document",
        "file://iam-policy.json",
    )
    assert printed == ""
    got = json.loads(
        aws(
            tidal_endpoint,
            tmp_path,
            account,
            "iam",
            "get-role-policy",
            "--role-name",
            "lambda-dynamodb",
            "--policy-name",
            "lambda-dynamodb",
        )
    )
    assert got == {
        "RoleName": "lambda-dynamodb",
        "PolicyName": "lambda-dynamodb",
        "PolicyDocument": json.loads(SEED_POLICY),
    }
