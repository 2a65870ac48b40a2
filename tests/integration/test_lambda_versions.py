"""Published versions and aliases through boto3, and how `resolve` follows them."""

from __future__ import annotations

import collections

import pytest

from tests.integration.lambda_control_support import create, error_of, make_role, unique, zipped
from tidal.awslambda import functions
from tidal.awslambda.errors import ResourceNotFoundException
from tidal.testing.plugin import client

ACCOUNT = "000000000000"
HANDLER_TWO = "def handler(event, context):\n    return 2\n"


@pytest.fixture(scope="module")
def lam(tidal_endpoint):
    return client("lambda", tidal_endpoint)


@pytest.fixture(scope="module")
def role(tidal_endpoint):
    return make_role(client("iam", tidal_endpoint))


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"


def resolved(tidal_server, name: str, qualifier: str | None = None) -> functions.FunctionVersion:
    runtime = tidal_server.runtime
    with runtime.store.transaction(write=False) as txn:
        return functions.resolve(runtime, txn, ACCOUNT, "us-east-1", name, qualifier)


def with_two_versions(lam, role) -> str:
    name = create(lam, role)["FunctionName"]
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=zipped({"handler.py": HANDLER_TWO}))
    lam.publish_version(FunctionName=name)
    return name


# PublishVersion ------------------------------------------------------------------------


def test_publish_numbers_versions_and_gives_latest_a_new_revision(lam, role):
    name = create(lam, role, Description="base")["FunctionName"]
    before = lam.get_function_configuration(FunctionName=name)
    published = lam.publish_version(FunctionName=name, Description="first")
    assert published["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (published["Version"], published["FunctionArn"]) == ("1", f"{arn(name)}:1")
    assert (published["State"], published["LastUpdateStatus"]) == ("Active", "Successful")
    assert published["Description"] == "first"
    assert published["CodeSha256"] == before["CodeSha256"]
    after = lam.get_function_configuration(FunctionName=name)
    assert after["RevisionId"] != before["RevisionId"]
    assert after["Description"] == "base"
    shown = lam.get_function(FunctionName=name, Qualifier="1")["Configuration"]
    assert (shown["Version"], shown["FunctionArn"]) == ("1", f"{arn(name)}:1")
    assert shown["RevisionId"] == published["RevisionId"]


def test_publishing_unchanged_code_returns_the_last_version(lam, role):
    name = create(lam, role)["FunctionName"]
    first = lam.publish_version(FunctionName=name)
    again = lam.publish_version(FunctionName=name)
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (again["Version"], again["RevisionId"]) == ("1", first["RevisionId"])
    lam.update_function_configuration(FunctionName=name, Timeout=9)
    assert lam.publish_version(FunctionName=name)["Version"] == "2"


def test_publish_checks_the_code_sha256_and_revision(lam, role):
    name = create(lam, role)["FunctionName"]
    current = lam.get_function_configuration(FunctionName=name)["CodeSha256"]
    assert error_of(lam.publish_version, FunctionName=name, CodeSha256="wrongsha") == (
        "InvalidParameterValueException",
        f"CodeSHA256 (wrongsha) is different from current CodeSHA256 in $LATEST ({current}). "
        "Please try again with the CodeSHA256 in $LATEST.",
        400,
    )
    assert error_of(lam.publish_version, FunctionName=name, RevisionId="wrong")[:2] == (
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the "
        "GetFunction/GetAlias API to retrieve the latest Revision Id",
    )
    assert lam.publish_version(FunctionName=name, CodeSha256=current)["Version"] == "1"


def test_publish_of_a_missing_function(lam):
    missing = unique("missing")
    assert error_of(lam.publish_version, FunctionName=missing) == (
        "ResourceNotFoundException",
        f"Function not found: {arn(missing)}",
        404,
    )


def test_create_with_publish_answers_with_version_1_pending(lam, role):
    created = create(lam, role, Publish=True)
    name = created["FunctionName"]
    assert created["Version"] == "1"
    assert created["FunctionArn"] == arn(name)
    assert created["State"] == "Pending"
    version = lam.get_function(FunctionName=name, Qualifier="1")["Configuration"]
    assert (version["State"], version["LastUpdateStatus"]) == ("Active", "Successful")
    assert version["RevisionId"] != created["RevisionId"]


def test_update_code_with_publish_answers_with_the_new_version(lam, role):
    name = create(lam, role)["FunctionName"]
    updated = lam.update_function_code(
        FunctionName=name, ZipFile=zipped({"handler.py": HANDLER_TWO}), Publish=True
    )
    assert (updated["Version"], updated["FunctionArn"]) == ("1", f"{arn(name)}:1")
    assert updated["State"] == "Pending"
    assert "LastUpdateStatus" not in updated
    latest = lam.get_function_configuration(FunctionName=name)
    assert latest["CodeSha256"] == updated["CodeSha256"]


def test_versions_keep_their_code_and_configuration(lam, role, tidal_server):
    name = with_two_versions(lam, role)
    one, two = resolved(tidal_server, name, "1"), resolved(tidal_server, name, "2")
    assert one.code_sha256 != two.code_sha256
    assert (one.code_dir / "handler.py").read_text() != (two.code_dir / "handler.py").read_text()
    assert (one.version, one.qualified_arn) == ("1", f"{arn(name)}:1")


def test_list_versions_starts_with_latest(lam, role):
    name = with_two_versions(lam, role)
    listed = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [item["Version"] for item in listed] == ["$LATEST", "1", "2"]
    assert [item["FunctionArn"] for item in listed] == [
        f"{arn(name)}:$LATEST",
        f"{arn(name)}:1",
        f"{arn(name)}:2",
    ]
    assert all("State" not in item and "LastUpdateStatus" not in item for item in listed)
    first = lam.list_versions_by_function(FunctionName=name, MaxItems=2)
    rest = lam.list_versions_by_function(FunctionName=name, Marker=first["NextMarker"])
    assert [item["Version"] for item in rest["Versions"]] == ["2"]
    missing = unique("missing")
    assert error_of(lam.list_versions_by_function, FunctionName=missing)[2] == 404


def test_delete_a_version(lam, role):
    name = with_two_versions(lam, role)
    deleted = lam.delete_function(FunctionName=name, Qualifier="1")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    listed = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [item["Version"] for item in listed] == ["$LATEST", "2"]
    assert error_of(lam.get_function, FunctionName=name, Qualifier="1")[1] == (
        f"Function not found: {arn(name)}:1"
    )
    lam.update_function_configuration(FunctionName=name, Timeout=11)
    assert lam.publish_version(FunctionName=name)["Version"] == "3"


def test_a_version_an_alias_uses_cannot_be_deleted(lam, role):
    name = with_two_versions(lam, role)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    lam.create_alias(
        FunctionName=name,
        Name="canary",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}},
    )
    assert error_of(lam.delete_function, FunctionName=name, Qualifier="1") == (
        "ResourceConflictException",
        "Unable to delete version because the following aliases reference it: [canary, live]",
        409,
    )
    assert error_of(lam.delete_function, FunctionName=name, Qualifier="2")[1] == (
        "Unable to delete version because the following aliases reference it: [canary]"
    )


# Aliases -------------------------------------------------------------------------------


def test_alias_lifecycle(lam, role):
    name = with_two_versions(lam, role)
    created = lam.create_alias(
        FunctionName=name,
        Name="live",
        FunctionVersion="1",
        Description="production",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.2}},
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    del created["ResponseMetadata"]
    revision = created.pop("RevisionId")
    assert created == {
        "AliasArn": f"{arn(name)}:live",
        "Name": "live",
        "FunctionVersion": "1",
        "Description": "production",
        "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.2}},
    }
    got = lam.get_alias(FunctionName=name, Name="live")
    assert got["RevisionId"] == revision
    shown = lam.get_function(FunctionName=name, Qualifier="live")["Configuration"]
    assert (shown["FunctionArn"], shown["Version"]) == (f"{arn(name)}:live", "1")
    updated = lam.update_alias(
        FunctionName=name, Name="live", FunctionVersion="2", RoutingConfig={}
    )
    assert (updated["FunctionVersion"], updated["RevisionId"] != revision) == ("2", True)
    assert "RoutingConfig" not in updated
    assert updated["Description"] == "production"
    lam.create_alias(FunctionName=name, Name="head", FunctionVersion="$LATEST")
    assert [alias["Name"] for alias in lam.list_aliases(FunctionName=name)["Aliases"]] == [
        "head",
        "live",
    ]
    assert [
        alias["Name"]
        for alias in lam.list_aliases(FunctionName=name, FunctionVersion="2")["Aliases"]
    ] == ["live"]
    deleted = lam.delete_alias(FunctionName=name, Name="live")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lam.get_alias, FunctionName=name, Name="live") == (
        "ResourceNotFoundException",
        f"Cannot find alias arn: {arn(name)}:live",
        404,
    )


def test_alias_errors(lam, role):
    name = with_two_versions(lam, role)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert error_of(lam.create_alias, FunctionName=name, Name="live", FunctionVersion="1") == (
        "ResourceConflictException",
        f"Alias already exists: {arn(name)}:live",
        409,
    )
    assert error_of(lam.create_alias, FunctionName=name, Name="other", FunctionVersion="10") == (
        "ResourceNotFoundException",
        f"Function not found: {arn(name)}:10",
        404,
    )
    for odd in ("$LATEST.PUBLISHED", "01"):
        assert error_of(lam.create_alias, FunctionName=name, Name="odd", FunctionVersion=odd)[
            1
        ] == (f"Function not found: {arn(name)}:{odd}")
    missing = unique("missing")
    assert error_of(lam.create_alias, FunctionName=missing, Name="x", FunctionVersion="1")[1] == (
        f"Function not found: {arn(missing)}:1"
    )
    for call in (lam.update_alias, lam.delete_alias):
        assert error_of(call, FunctionName=name, Name="nothing") == (
            "ResourceNotFoundException",
            f"Cannot find alias arn: {arn(name)}:nothing",
            404,
        )
    assert error_of(
        lam.update_alias, FunctionName=name, Name="live", Description="x", RevisionId="wrong"
    )[0] == ("PreconditionFailedException")


@pytest.mark.parametrize(
    ("version", "weights", "error"),
    [
        (
            "1",
            {"2": 0.1, "3": 0.1},
            "Number of items in AdditionalVersionWeights cannot be greater than 1",
        ),
        (
            "1",
            {"1": 0.5},
            "Invalid function version 1. Function version 1 is already included in routing "
            "configuration.",
        ),
        (
            "$LATEST",
            {"1": 0.5},
            "$LATEST is not supported for an alias pointing to more than 1 version",
        ),
    ],
)
def test_routing_configurations_aws_refuses(lam, role, version, weights, error):
    name = with_two_versions(lam, role)
    assert error_of(
        lam.create_alias,
        FunctionName=name,
        Name="weighted",
        FunctionVersion=version,
        RoutingConfig={"AdditionalVersionWeights": weights},
    ) == ("InvalidParameterValueException", error, 400)


def test_a_routing_version_must_exist(lam, role):
    name = with_two_versions(lam, role)
    assert error_of(
        lam.create_alias,
        FunctionName=name,
        Name="weighted",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"10": 0.5}},
    )[1] == (f"Function not found: {arn(name)}:10")


def test_resolve_follows_aliases_and_their_weights(lam, role, tidal_server):
    name = with_two_versions(lam, role)
    lam.create_alias(
        FunctionName=name,
        Name="canary",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.3}},
    )
    counts = collections.Counter(resolved(tidal_server, name, "canary").version for _ in range(400))
    assert set(counts) == {"1", "2"}
    assert 60 <= counts["2"] <= 180
    through_arn = resolved(tidal_server, f"{arn(name)}:canary")
    assert through_arn.invoked_arn == f"{arn(name)}:canary"
    assert through_arn.qualified_arn == f"{arn(name)}:{through_arn.version}"
    unqualified = resolved(tidal_server, name)
    assert (unqualified.version, unqualified.invoked_arn) == ("$LATEST", arn(name))
    with pytest.raises(ResourceNotFoundException) as missing:
        resolved(tidal_server, name, "nothing")
    assert missing.value.message == f"Function not found: {arn(name)}:nothing"


def test_resolve_fills_every_field(lam, role, tidal_server):
    layer = lam.publish_layer_version(LayerName=unique("layer"), Content={"ZipFile": zipped()})
    name = create(
        lam,
        role,
        Timeout=7,
        MemorySize=256,
        Environment={"Variables": {"TABLE": "orders"}},
        Layers=[layer["LayerVersionArn"]],
        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG"},
    )["FunctionName"]
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=3)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    found = resolved(tidal_server, name)
    assert (found.name, found.account, found.region) == (name, ACCOUNT, "us-east-1")
    assert (found.runtime, found.handler, found.role) == ("python3.12", "handler.handler", role)
    assert (found.timeout, found.memory_size) == (7, 256)
    assert found.environment == {"TABLE": "orders"}
    assert found.reserved_concurrency == 3
    assert found.event_invoke_config["MaximumRetryAttempts"] == 1
    assert found.log_group == f"/aws/lambda/{name}"
    assert (found.log_format, found.application_log_level) == ("JSON", "DEBUG")
    assert (found.code_dir / "handler.py").is_file()
    assert [(path / "handler.py").is_file() for path in found.layer_dirs] == [True]
    assert found.state == "Active" and not found.hot_reload
