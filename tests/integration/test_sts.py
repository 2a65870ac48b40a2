"""STS through boto3: caller identity, AssumeRole, GetSessionToken, GetAccessKeyInfo."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.config import Config as BotocoreConfig

from tests.integration.test_iam import TRUST, account_client, error_of, new_account, unique
from tidal.core import clock
from tidal.testing.plugin import CREDENTIALS, client


@pytest.fixture(scope="module")
def sts(tidal_endpoint):
    return client("sts", tidal_endpoint)


@pytest.fixture(scope="module")
def iam(tidal_endpoint):
    return client("iam", tidal_endpoint)


@pytest.fixture
def role(iam) -> dict:
    return iam.create_role(
        RoleName=unique(), AssumeRolePolicyDocument=json.dumps(TRUST), MaxSessionDuration=7200
    )["Role"]


def signed_with(credentials: dict, service: str, endpoint: str, region: str = "us-east-1"):
    return client(
        service,
        endpoint,
        region=region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def near(moment: datetime, seconds_from_now: int) -> bool:
    expected = datetime.now(UTC) + timedelta(seconds=seconds_from_now)
    return abs((moment - expected).total_seconds()) < 5


def test_plain_keys_are_the_account_root(sts, tidal_endpoint):
    identity = sts.get_caller_identity()
    assert (identity["Account"], identity["UserId"], identity["Arn"]) == (
        "000000000000",
        "000000000000",
        "arn:aws:iam::000000000000:root",
    )
    account = new_account()
    other = account_client("sts", tidal_endpoint, account).get_caller_identity()
    assert (other["Account"], other["Arn"]) == (account, f"arn:aws:iam::{account}:root")


def test_assume_role_issues_credentials_that_act_as_the_role(sts, iam, role, tidal_endpoint):
    assumed = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="mailer")
    credentials = assumed["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", credentials["AccessKeyId"])
    assert re.fullmatch(r"[A-Za-z0-9+/]{40}", credentials["SecretAccessKey"])
    assert len(credentials["SessionToken"]) > 100
    assert near(credentials["Expiration"], 3600)
    session_arn = f"arn:aws:sts::000000000000:assumed-role/{role['RoleName']}/mailer"
    assert assumed["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role['RoleId']}:mailer",
        "Arn": session_arn,
    }
    identity = signed_with(credentials, "sts", tidal_endpoint).get_caller_identity()
    assert (identity["Account"], identity["UserId"], identity["Arn"]) == (
        "000000000000",
        f"{role['RoleId']}:mailer",
        session_arn,
    )
    last_used = iam.get_role(RoleName=role["RoleName"])["Role"]["RoleLastUsed"]
    assert last_used["Region"] == "us-east-1" and near(last_used["LastUsedDate"], 0)


def test_the_assumed_role_arn_leaves_out_the_role_path(sts, iam):
    created = iam.create_role(
        RoleName=unique(), Path="/service-role/", AssumeRolePolicyDocument=json.dumps(TRUST)
    )["Role"]
    assumed = sts.assume_role(RoleArn=created["Arn"], RoleSessionName="s1")
    assert assumed["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::000000000000:assumed-role/{created['RoleName']}/s1"
    )


def test_duration_seconds_sets_the_expiration_within_the_role_maximum(sts, role):
    short = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="short", DurationSeconds=900)
    assert near(short["Credentials"]["Expiration"], 900)
    longest = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="long", DurationSeconds=7200)
    assert near(longest["Credentials"]["Expiration"], 7200)
    assert error_of(
        sts.assume_role, RoleArn=role["Arn"], RoleSessionName="long", DurationSeconds=7201
    ) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        400,
    )


def test_assuming_a_role_that_does_not_exist_is_denied(sts, role, tidal_endpoint):
    missing = "arn:aws:iam::000000000000:role/nobody"
    assert error_of(sts.assume_role, RoleArn=missing, RoleSessionName="s0") == (
        "AccessDenied",
        "User: arn:aws:iam::000000000000:root is not authorized to perform: "
        f"sts:AssumeRole on resource: {missing}",
        403,
    )
    wrong_path = role["Arn"].replace(":role/", ":role/elsewhere/")
    assert error_of(sts.assume_role, RoleArn=wrong_path, RoleSessionName="s0")[0] == "AccessDenied"
    session = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="chain")["Credentials"]
    chained = signed_with(session, "sts", tidal_endpoint)
    assert error_of(chained.assume_role, RoleArn=missing, RoleSessionName="s0")[1] == (
        f"User: arn:aws:sts::000000000000:assumed-role/{role['RoleName']}/chain is not "
        f"authorized to perform: sts:AssumeRole on resource: {missing}"
    )


def test_role_chaining_is_limited_to_an_hour(sts, role, tidal_endpoint):
    session = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="first")["Credentials"]
    chained = signed_with(session, "sts", tidal_endpoint)
    assert error_of(
        chained.assume_role, RoleArn=role["Arn"], RoleSessionName="second", DurationSeconds=7200
    ) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit "
        "for roles assumed by role chaining.",
        400,
    )
    again = chained.assume_role(RoleArn=role["Arn"], RoleSessionName="second")
    assert again["AssumedRoleUser"]["Arn"].endswith("/second")


def test_a_role_of_another_account_can_be_assumed(sts, tidal_endpoint):
    account = new_account()
    owner = account_client("iam", tidal_endpoint, account)
    arn = owner.create_role(RoleName="cross", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"][
        "Arn"
    ]
    credentials = sts.assume_role(RoleArn=arn, RoleSessionName="visitor")["Credentials"]
    identity = signed_with(credentials, "sts", tidal_endpoint).get_caller_identity()
    assert identity["Account"] == account
    assert identity["Arn"] == f"arn:aws:sts::{account}:assumed-role/cross/visitor"
    info = sts.get_access_key_info(AccessKeyId=credentials["AccessKeyId"])
    assert info["Account"] == account


def test_assumed_role_credentials_act_in_the_roles_account(sts, tidal_endpoint):
    account = new_account()
    owner = account_client("iam", tidal_endpoint, account)
    arn = owner.create_role(RoleName="writer", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"][
        "Arn"
    ]
    credentials = sts.assume_role(RoleArn=arn, RoleSessionName="writer")["Credentials"]
    table = unique()
    signed_with(credentials, "dynamodb", tidal_endpoint).create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert table in account_client("dynamodb", tidal_endpoint, account).list_tables()["TableNames"]
    assert table not in client("dynamodb", tidal_endpoint).list_tables()["TableNames"]


def test_expired_session_credentials_are_refused(sts, role, tidal_endpoint, monkeypatch):
    credentials = sts.assume_role(
        RoleArn=role["Arn"], RoleSessionName="brief", DurationSeconds=900
    )["Credentials"]
    later = clock.now() + 901
    monkeypatch.setattr(clock, "now", lambda: later)
    assert error_of(signed_with(credentials, "sts", tidal_endpoint).get_caller_identity) == (
        "ExpiredToken",
        "The security token included in the request is expired",
        403,
    )


def test_get_session_token_keeps_the_callers_identity(sts, role, tidal_endpoint):
    token = sts.get_session_token()["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", token["AccessKeyId"])
    assert near(token["Expiration"], 3600)
    capped = sts.get_session_token(DurationSeconds=129600)["Credentials"]
    assert near(capped["Expiration"], 3600)
    identity = signed_with(token, "sts", tidal_endpoint).get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"
    session = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s0")["Credentials"]
    assert error_of(signed_with(session, "sts", tidal_endpoint).get_session_token) == (
        "AccessDenied",
        "Cannot call GetSessionToken with session credentials",
        403,
    )


def test_get_access_key_info_names_the_account_tidal_uses_for_a_plain_key(sts):
    assert sts.get_access_key_info(AccessKeyId="AKIAIOSFODNN7EXAMPLE")["Account"] == (
        "000000000000"
    )


def test_model_constraints_are_validation_errors(tidal_endpoint, role):
    unchecked = boto3.client(
        "sts",
        endpoint_url=tidal_endpoint,
        region_name="us-east-1",
        config=BotocoreConfig(parameter_validation=False, retries={"total_max_attempts": 1}),
        **CREDENTIALS,
    )
    code, message, status = error_of(
        unchecked.assume_role, RoleArn=role["Arn"], RoleSessionName="s", DurationSeconds=60
    )
    assert (code, status) == ("ValidationError", 400)
    assert "roleSessionName" in message and "durationSeconds" in message
