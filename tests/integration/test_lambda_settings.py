"""Tags, reserved concurrency, event invoke settings and account settings through boto3."""

from __future__ import annotations

import datetime
import uuid

import pytest

from tests.integration.lambda_control_support import create, error_of, make_role, unique, zipped
from tidal.awslambda import reserved
from tidal.testing.plugin import client

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def lam(tidal_endpoint):
    return client("lambda", tidal_endpoint)


@pytest.fixture(scope="module")
def role(tidal_endpoint):
    return make_role(client("iam", tidal_endpoint))


@pytest.fixture
def account(tidal_endpoint):
    """A Lambda client and a role in an account no other test uses."""
    number = str(uuid.uuid4().int % 10**12).zfill(12)
    keys = {"aws_access_key_id": number, "aws_secret_access_key": "secret"}
    return client("lambda", tidal_endpoint, **keys), make_role(
        client("iam", tidal_endpoint, **keys)
    )


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"


# Tags ----------------------------------------------------------------------------------


def test_tag_lifecycle(lam, role):
    created = create(lam, role, Tags={"a": "1"})
    name = created["FunctionName"]
    assert lam.list_tags(Resource=arn(name))["Tags"] == {"a": "1"}
    before = lam.get_function_configuration(FunctionName=name)["RevisionId"]
    tagged = lam.tag_resource(Resource=arn(name), Tags={"b": "2", "a": "one"})
    assert tagged["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.list_tags(Resource=arn(name))["Tags"] == {"a": "one", "b": "2"}
    assert lam.get_function_configuration(FunctionName=name)["RevisionId"] != before
    untagged = lam.untag_resource(Resource=arn(name), TagKeys=["a", "missing"])
    assert untagged["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.get_function(FunctionName=name)["Tags"] == {"b": "2"}
    lam.untag_resource(Resource=arn(name), TagKeys=["b"])
    assert lam.list_tags(Resource=arn(name))["Tags"] == {}
    assert "Tags" not in lam.get_function(FunctionName=name)


def test_tag_errors(lam, role):
    name = create(lam, role)["FunctionName"]
    assert error_of(lam.tag_resource, Resource=f"{arn(name)}:$LATEST", Tags={"a": "1"}) == (
        "InvalidParameterValueException",
        "Tags on function aliases and versions are not supported. Please specify a function ARN.",
        400,
    )
    assert error_of(lam.tag_resource, Resource=arn(name), Tags={}) == (
        "InvalidParameterValueException",
        "An error occurred and the request cannot be processed.",
        400,
    )
    too_many = {f"key{index}": "v" for index in range(51)}
    assert error_of(lam.tag_resource, Resource=arn(name), Tags=too_many) == (
        "InvalidParameterValueException",
        "Number of tags exceeds resource tag limit.",
        400,
    )
    missing = unique("missing")
    for call, extra in (
        (lam.tag_resource, {"Tags": {"a": "1"}}),
        (lam.untag_resource, {"TagKeys": ["a"]}),
        (lam.list_tags, {}),
    ):
        assert error_of(call, Resource=arn(missing), **extra) == (
            "ResourceNotFoundException",
            f"Function not found: {arn(missing)}",
            404,
        )


# Reserved concurrency ------------------------------------------------------------------


def test_reserved_concurrency_lifecycle(lam, role):
    name = create(lam, role)["FunctionName"]
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)
    put = lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    assert put["ReservedConcurrentExecutions"] == 0
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)
    assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 5
    deleted = lam.delete_function_concurrency(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)


def test_reserved_concurrency_errors(lam, role):
    name = create(lam, role)["FunctionName"]
    assert error_of(
        lam.put_function_concurrency, FunctionName=f"{name}:1", ReservedConcurrentExecutions=1
    ) == (
        "InvalidParameterValueException",
        "This operation is permitted on Lambda functions only. Aliases and versions do not "
        "support this operation. Please specify either a function name or an unqualified "
        "function ARN.",
        400,
    )
    missing = unique("missing")
    assert error_of(
        lam.put_function_concurrency, FunctionName=missing, ReservedConcurrentExecutions=1
    ) == ("ResourceNotFoundException", f"Function not found: {arn(missing)}:$LATEST", 404)
    for call in (lam.get_function_concurrency, lam.delete_function_concurrency):
        assert error_of(call, FunctionName=missing)[1] == f"Function not found: {arn(missing)}"


def test_reservations_keep_100_executions_unreserved(account, tidal_server):
    lam, role = account
    first, second = create(lam, role)["FunctionName"], create(lam, role)["FunctionName"]
    limit = tidal_server.runtime.config.lambda_concurrency
    floor = reserved.minimum_unreserved(limit)
    assert floor == 100
    lam.put_function_concurrency(FunctionName=first, ReservedConcurrentExecutions=limit - 150)
    refused = (
        "InvalidParameterValueException",
        "Specified ReservedConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [100].",
        400,
    )
    assert (
        error_of(lam.put_function_concurrency, FunctionName=second, ReservedConcurrentExecutions=51)
        == refused
    )
    lam.put_function_concurrency(FunctionName=second, ReservedConcurrentExecutions=50)
    lam.put_function_concurrency(FunctionName=first, ReservedConcurrentExecutions=limit - 150)
    settings = lam.get_account_settings()
    assert settings["AccountLimit"]["UnreservedConcurrentExecutions"] == 100


def test_a_small_account_limit_keeps_a_tenth_unreserved():
    assert [reserved.minimum_unreserved(limit) for limit in (10, 50, 999, 1000, 5000)] == [
        1,
        5,
        99,
        100,
        100,
    ]


# Account settings ----------------------------------------------------------------------


def test_account_settings_show_limits_and_usage(account, tidal_server):
    lam, role = account
    empty = lam.get_account_settings()
    assert empty["AccountLimit"] == {
        "TotalCodeSize": 80530636800,
        "CodeSizeUnzipped": 262144000,
        "CodeSizeZipped": 52428800,
        "ConcurrentExecutions": tidal_server.runtime.config.lambda_concurrency,
        "UnreservedConcurrentExecutions": tidal_server.runtime.config.lambda_concurrency,
    }
    assert empty["AccountUsage"] == {"TotalCodeSize": 0, "FunctionCount": 0}
    package = zipped()
    name = create(lam, role, Code={"ZipFile": package})["FunctionName"]
    lam.publish_version(FunctionName=name)
    lam.publish_layer_version(LayerName=unique("layer"), Content={"ZipFile": package})
    usage = lam.get_account_settings()["AccountUsage"]
    assert usage == {"TotalCodeSize": 3 * len(package), "FunctionCount": 1}


# Event invoke settings -----------------------------------------------------------------


def test_event_invoke_config_lifecycle(lam, role):
    name = create(lam, role)["FunctionName"]
    before = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
    put = lam.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=2, MaximumEventAgeInSeconds=21600
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert put["FunctionArn"] == f"{arn(name)}:$LATEST"
    assert put["LastModified"] >= before
    assert (put["MaximumRetryAttempts"], put["MaximumEventAgeInSeconds"]) == (2, 21600)
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}
    overwritten = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    assert "MaximumEventAgeInSeconds" not in overwritten
    updated = lam.update_function_event_invoke_config(
        FunctionName=name, MaximumEventAgeInSeconds=60
    )
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (0, 60)
    got = lam.get_function_event_invoke_config(FunctionName=name)
    assert (got["MaximumRetryAttempts"], got["MaximumEventAgeInSeconds"]) == (0, 60)
    deleted = lam.delete_function_event_invoke_config(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lam.get_function_event_invoke_config, FunctionName=name) == (
        "ResourceNotFoundException",
        f"The function {arn(name)}:$LATEST doesn't have an EventInvokeConfig",
        404,
    )


def test_event_invoke_configs_per_qualifier(lam, role):
    name = create(lam, role)["FunctionName"]
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    lam.put_function_event_invoke_config(FunctionName=name, Qualifier="1", MaximumRetryAttempts=1)
    on_alias = lam.put_function_event_invoke_config(
        FunctionName=f"{arn(name)}:live", MaximumRetryAttempts=2
    )
    assert on_alias["FunctionArn"] == f"{arn(name)}:live"
    listed = lam.list_function_event_invoke_configs(FunctionName=name)
    assert [item["FunctionArn"] for item in listed["FunctionEventInvokeConfigs"]] == [
        f"{arn(name)}:$LATEST",
        f"{arn(name)}:1",
        f"{arn(name)}:live",
    ]
    assert [item["MaximumRetryAttempts"] for item in listed["FunctionEventInvokeConfigs"]] == [
        0,
        1,
        2,
    ]
    page = lam.list_function_event_invoke_configs(FunctionName=name, MaxItems=2)
    rest = lam.list_function_event_invoke_configs(FunctionName=name, Marker=page["NextMarker"])
    assert len(rest["FunctionEventInvokeConfigs"]) == 1
    lam.delete_alias(FunctionName=name, Name="live")
    remaining = lam.list_function_event_invoke_configs(FunctionName=name)
    assert len(remaining["FunctionEventInvokeConfigs"]) == 2


def test_event_invoke_destinations(lam, role):
    name = create(lam, role)["FunctionName"]
    other = create(lam, role)["FunctionName"]
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:failures"
    put = lam.put_function_event_invoke_config(
        FunctionName=name,
        DestinationConfig={
            "OnSuccess": {"Destination": arn(other)},
            "OnFailure": {"Destination": queue},
        },
    )
    assert put["DestinationConfig"] == {
        "OnSuccess": {"Destination": arn(other)},
        "OnFailure": {"Destination": queue},
    }
    missing = arn(unique("missing"))
    assert error_of(
        lam.put_function_event_invoke_config,
        FunctionName=name,
        DestinationConfig={"OnSuccess": {"Destination": missing}},
    ) == ("InvalidParameterValueException", f"The destination ARN {missing} is invalid.", 400)
    assert (
        error_of(
            lam.put_function_event_invoke_config,
            FunctionName=name,
            DestinationConfig={"OnFailure": {"Destination": arn(name)}},
        )[1]
        == "You can't specify the function as a destination for itself."
    )
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/target"
    assert error_of(
        lam.put_function_event_invoke_config,
        FunctionName=name,
        DestinationConfig={"OnSuccess": {"Destination": role_arn}},
    )[1] == (
        f"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination="
        f"{role_arn}), onFailure=null) is invalid."
    )


def test_event_invoke_config_errors(lam, role):
    name = create(lam, role)["FunctionName"]
    nothing = (
        "InvalidParameterValueException",
        "You must specify at least one of error handling or destination setting.",
        400,
    )
    assert error_of(lam.put_function_event_invoke_config, FunctionName=name) == nothing
    assert error_of(lam.update_function_event_invoke_config, FunctionName=name) == nothing
    missing = unique("missing")
    gone = ("ResourceNotFoundException", "The function doesn't exist.", 404)
    assert (
        error_of(lam.put_function_event_invoke_config, FunctionName=missing, MaximumRetryAttempts=1)
        == gone
    )
    assert (
        error_of(
            lam.put_function_event_invoke_config,
            FunctionName=name,
            Qualifier="nothing",
            MaximumRetryAttempts=1,
        )
        == gone
    )
    assert error_of(lam.list_function_event_invoke_configs, FunctionName=missing) == gone
    assert error_of(
        lam.update_function_event_invoke_config, FunctionName=name, MaximumRetryAttempts=1
    ) == (
        "ResourceNotFoundException",
        f"The function {arn(name)}:$LATEST doesn't have an EventInvokeConfig",
        404,
    )
    for call in (lam.get_function_event_invoke_config, lam.delete_function_event_invoke_config):
        assert error_of(call, FunctionName=missing) == (
            "ResourceNotFoundException",
            f"The function {arn(missing)}:$LATEST doesn't have an EventInvokeConfig",
            404,
        )
    assert (
        error_of(lam.put_function_event_invoke_config, FunctionName=name, MaximumRetryAttempts=3)[0]
        == "ValidationException"
    )


# Settings deployment tools read --------------------------------------------------------


def test_settings_tidal_keeps_without_acting_on_them(lam, role):
    name = create(lam, role)["FunctionName"]
    signing = lam.get_function_code_signing_config(FunctionName=name)
    assert "CodeSigningConfigArn" not in signing
    assert lam.get_runtime_management_config(FunctionName=name)["UpdateRuntimeOn"] == "Auto"
    put = lam.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="FunctionUpdate")
    assert put["FunctionArn"] == f"{arn(name)}:$LATEST"
    assert lam.get_runtime_management_config(FunctionName=name)["UpdateRuntimeOn"] == (
        "FunctionUpdate"
    )
    assert lam.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Terminate"
    lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
    assert lam.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Allow"
    listed = lam.list_provisioned_concurrency_configs(FunctionName=name)
    assert listed["ProvisionedConcurrencyConfigs"] == []
    missing = unique("missing")
    assert error_of(lam.get_function_code_signing_config, FunctionName=missing) == (
        "ResourceNotFoundException",
        f"Function not found: {arn(missing)}",
        404,
    )
