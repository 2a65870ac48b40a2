"""Function resource policies through boto3: AddPermission, GetPolicy, RemovePermission."""

from __future__ import annotations

import json

import pytest

from tests.integration.lambda_control_support import create, error_of, make_role, unique
from tidal.testing.plugin import client

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def lam(tidal_endpoint):
    return client("lambda", tidal_endpoint)


@pytest.fixture(scope="module")
def role(tidal_endpoint):
    return make_role(client("iam", tidal_endpoint))


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"


def permit(lam, name: str, sid: str = "s3", **extra):
    params = {
        "FunctionName": name,
        "StatementId": sid,
        "Action": "lambda:InvokeFunction",
        "Principal": "s3.amazonaws.com",
    }
    params.update(extra)
    return lam.add_permission(**params)


def test_add_permission_answers_201_with_the_statement(lam, role):
    name = create(lam, role)["FunctionName"]
    added = permit(lam, name, SourceArn="arn:aws:s3:::bucket", SourceAccount=ACCOUNT)
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert json.loads(added["Statement"]) == {
        "Sid": "s3",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": arn(name),
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": ACCOUNT},
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"},
        },
    }


def test_get_policy_shows_every_statement_and_the_revision(lam, role):
    name = create(lam, role)["FunctionName"]
    permit(lam, name, "s3")
    permit(
        lam,
        name,
        "everyone",
        Principal="*",
        Action="lambda:InvokeFunctionUrl",
        FunctionUrlAuthType="NONE",
    )
    permit(lam, name, "account", Principal="111122223333")
    permit(lam, name, "user", Principal=f"arn:aws:iam::{ACCOUNT}:user/alice")
    permit(lam, name, "alexa", Principal="alexa-appkit.amazon.com",
           EventSourceToken="amzn1.ask.skill.1")  # fmt: skip
    policy = lam.get_policy(FunctionName=name)
    document = json.loads(policy["Policy"])
    assert (document["Version"], document["Id"]) == ("2012-10-17", "default")
    principals = [statement["Principal"] for statement in document["Statement"]]
    assert principals == [
        {"Service": "s3.amazonaws.com"},
        "*",
        {"AWS": "arn:aws:iam::111122223333:root"},
        {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"},
        {"Service": "alexa-appkit.amazon.com"},
    ]
    assert document["Statement"][4]["Condition"] == {
        "StringEquals": {"lambda:EventSourceToken": "amzn1.ask.skill.1"}
    }
    assert document["Statement"][1]["Condition"] == {
        "StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}
    }
    revision = lam.get_function_configuration(FunctionName=name)["RevisionId"]
    assert policy["RevisionId"] == revision


def test_a_principal_lambda_does_not_know_is_refused(lam, role):
    name = create(lam, role)["FunctionName"]
    assert error_of(permit, lam=lam, name=name, Principal="somebody") == (
        "InvalidParameterValueException",
        "The provided principal was invalid. Please check the principal and try again.",
        400,
    )


def test_statement_ids_are_unique_per_qualifier(lam, role):
    name = create(lam, role)["FunctionName"]
    lam.publish_version(FunctionName=name)
    permit(lam, name)
    assert error_of(permit, lam=lam, name=name) == (
        "ResourceConflictException",
        "The statement id (s3) provided already exists. Please provide a new statement id, or "
        "remove the existing statement.",
        409,
    )
    on_version = permit(lam, name, Qualifier="1")
    assert json.loads(on_version["Statement"])["Resource"] == f"{arn(name)}:1"


def test_permissions_change_the_revision_of_what_they_are_on(lam, role):
    name = create(lam, role)["FunctionName"]
    lam.publish_version(FunctionName=name)
    alias = lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    latest = lam.get_function_configuration(FunctionName=name)["RevisionId"]
    assert error_of(permit, lam=lam, name=name, RevisionId="wrong")[:2] == (
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the "
        "GetFunction/GetAlias API to retrieve the latest Revision Id",
    )
    permit(lam, name, RevisionId=latest)
    assert lam.get_function_configuration(FunctionName=name)["RevisionId"] != latest
    permit(lam, f"{name}:live", RevisionId=alias["RevisionId"])
    changed = lam.get_alias(FunctionName=name, Name="live")["RevisionId"]
    assert changed != alias["RevisionId"]
    on_alias = lam.get_policy(FunctionName=name, Qualifier="live")
    assert on_alias["RevisionId"] == changed
    assert json.loads(on_alias["Policy"])["Statement"][0]["Resource"] == f"{arn(name)}:live"


def test_add_permission_errors(lam, role):
    name = create(lam, role)["FunctionName"]
    assert error_of(permit, lam=lam, name=name, Qualifier="$LATEST") == (
        "InvalidParameterValueException",
        "We currently do not support adding policies for $LATEST.",
        400,
    )
    missing = unique("missing")
    assert error_of(permit, lam=lam, name=missing) == (
        "ResourceNotFoundException",
        f"Function not found: {arn(missing)}",
        404,
    )
    assert error_of(permit, lam=lam, name=name, Qualifier="nothing")[1] == (
        f"Cannot find alias arn: {arn(name)}:nothing"
    )
    assert error_of(permit, lam=lam, name=name, Qualifier="42")[1] == (
        f"Function not found: {arn(name)}:42"
    )


def test_remove_permission(lam, role):
    name = create(lam, role)["FunctionName"]
    permit(lam, name, "one")
    permit(lam, name, "two")
    removed = lam.remove_permission(FunctionName=name, StatementId="one")
    assert removed["ResponseMetadata"]["HTTPStatusCode"] == 204
    statements = json.loads(lam.get_policy(FunctionName=name)["Policy"])["Statement"]
    assert [statement["Sid"] for statement in statements] == ["two"]
    assert error_of(lam.remove_permission, FunctionName=name, StatementId="one") == (
        "ResourceNotFoundException",
        "Statement one is not found in resource policy.",
        404,
    )
    assert error_of(
        lam.remove_permission, FunctionName=name, StatementId="two", RevisionId="wrong"
    )[0] == ("PreconditionFailedException")
    lam.remove_permission(FunctionName=name, StatementId="two")
    assert error_of(lam.get_policy, FunctionName=name) == (
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
        404,
    )
    assert error_of(lam.remove_permission, FunctionName=name, StatementId="two") == (
        "ResourceNotFoundException",
        "No policy is associated with the given resource.",
        404,
    )
    missing = unique("missing")
    assert error_of(lam.remove_permission, FunctionName=missing, StatementId="x") == (
        "ResourceNotFoundException",
        f"No policy found for: {arn(missing)}",
        404,
    )


def test_get_policy_of_missing_functions_and_versions(lam, role):
    missing = unique("missing")
    assert error_of(lam.get_policy, FunctionName=missing) == (
        "ResourceNotFoundException",
        f"Function not found: {arn(missing)}",
        404,
    )
    name = create(lam, role)["FunctionName"]
    assert error_of(lam.get_policy, FunctionName=name, Qualifier="7") == (
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
        404,
    )
