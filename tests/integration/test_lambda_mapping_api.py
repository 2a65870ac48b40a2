"""CreateEventSourceMapping and friends through boto3: shapes, defaults, states, errors."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from botocore.config import Config as BotocoreConfig

from tidal.testing.plugin import CREDENTIALS

from .lambda_mapping_support import Triggers, error_of, unique

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def triggers(tidal_endpoint, tmp_path_factory):
    triggers = Triggers(tidal_endpoint, tmp_path_factory.mktemp("esm-api"))
    yield triggers
    triggers.close()


@pytest.fixture(scope="module")
def function(triggers):
    return triggers.function()[0]


@pytest.fixture
def stream(triggers):
    return triggers.table()[1]


@pytest.fixture(scope="module")
def unchecked(tidal_endpoint):
    """A Lambda client without botocore's own parameter checks: the server answers."""
    import boto3

    return boto3.client(
        "lambda",
        endpoint_url=tidal_endpoint,
        region_name="us-east-1",
        config=BotocoreConfig(
            parameter_validation=False, retries={"total_max_attempts": 1, "mode": "standard"}
        ),
        **CREDENTIALS,
    )


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"


def test_create_answers_202_with_aws_defaults_and_state_creating(
    triggers, function, stream, wait_for_idle
):
    created = triggers.lam.create_event_source_mapping(
        FunctionName=function, EventSourceArn=stream, StartingPosition="LATEST"
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    uuid_ = created["UUID"]
    assert isinstance(created.pop("LastModified"), datetime)
    created.pop("ResponseMetadata")
    assert created == {
        "UUID": uuid_,
        "EventSourceMappingArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:event-source-mapping:{uuid_}",
        "EventSourceArn": stream,
        "FunctionArn": function_arn(function),
        "BatchSize": 100,
        "MaximumBatchingWindowInSeconds": 0,
        "ParallelizationFactor": 1,
        "StartingPosition": "LATEST",
        "MaximumRecordAgeInSeconds": -1,
        "MaximumRetryAttempts": -1,
        "BisectBatchOnFunctionError": False,
        "TumblingWindowInSeconds": 0,
        "FunctionResponseTypes": [],
        "DestinationConfig": {"OnFailure": {}},
        "LastProcessingResult": "No records processed",
        "State": "Creating",
        "StateTransitionReason": "User action",
    }
    wait_for_idle()
    fetched = triggers.lam.get_event_source_mapping(UUID=uuid_)
    assert fetched["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert fetched["State"] == "Enabled"
    assert (
        fetched["LastModified"] == triggers.lam.get_event_source_mapping(UUID=uuid_)["LastModified"]
    )


def test_every_setting_is_kept_and_shown(triggers, function, stream, wait_for_idle):
    pattern = json.dumps({"eventName": ["INSERT"]})
    destination = f"arn:aws:sqs:us-east-1:{ACCOUNT}:dead-letters"
    created = triggers.map(
        function,
        stream,
        BatchSize=25,
        MaximumBatchingWindowInSeconds=3,
        ParallelizationFactor=4,
        MaximumRecordAgeInSeconds=3600,
        MaximumRetryAttempts=7,
        BisectBatchOnFunctionError=True,
        TumblingWindowInSeconds=30,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        DestinationConfig={"OnFailure": {"Destination": destination}},
        FilterCriteria={"Filters": [{"Pattern": pattern}]},
        Enabled=False,
    )
    wait_for_idle()
    fetched = triggers.lam.get_event_source_mapping(UUID=created["UUID"])
    for shown in (created, fetched):
        assert shown["BatchSize"] == 25
        assert shown["MaximumBatchingWindowInSeconds"] == 3
        assert shown["ParallelizationFactor"] == 4
        assert shown["MaximumRecordAgeInSeconds"] == 3600
        assert shown["MaximumRetryAttempts"] == 7
        assert shown["BisectBatchOnFunctionError"] is True
        assert shown["TumblingWindowInSeconds"] == 30
        assert shown["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert shown["DestinationConfig"] == {"OnFailure": {"Destination": destination}}
        assert shown["FilterCriteria"] == {"Filters": [{"Pattern": pattern}]}
        assert shown["StartingPosition"] == "TRIM_HORIZON"
        assert "Enabled" not in shown
    assert created["State"] == "Creating"
    assert fetched["State"] == "Disabled"


def test_the_function_may_be_named_by_arn_version_or_alias(triggers, stream):
    name, _ = triggers.function()
    version = triggers.lam.publish_version(FunctionName=name)["Version"]
    triggers.lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    by_arn = triggers.map(function_arn(name), stream)
    assert by_arn["FunctionArn"] == function_arn(name)
    by_version = triggers.map(f"{function_arn(name)}:{version}", stream)
    assert by_version["FunctionArn"] == f"{function_arn(name)}:{version}"
    by_alias = triggers.map(f"{name}:live", stream)
    assert by_alias["FunctionArn"] == f"{function_arn(name)}:live"


def test_a_second_mapping_of_the_same_stream_and_function_conflicts(triggers, function, stream):
    first = triggers.map(function, stream)
    assert error_of(
        triggers.lam.create_event_source_mapping,
        FunctionName=function,
        EventSourceArn=stream,
        StartingPosition="LATEST",
    ) == (
        "ResourceConflictException",
        f'The event source arn (" {stream} ") and function (" {function} ") provided mapping '
        f"already exists. Please update or delete the existing mapping with UUID {first['UUID']}",
        409,
    )


def test_a_stream_that_does_not_exist_is_refused(triggers, function):
    missing = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/nope/stream/2024-01-01T00:00:00.000"
    assert error_of(triggers.map, function=function, stream_arn=missing) == (
        "InvalidParameterValueException",
        f"Stream not found: {missing}",
        400,
    )


def test_a_function_that_does_not_exist_is_refused(triggers, stream):
    assert error_of(triggers.map, function="no-such-function", stream_arn=stream) == (
        "ResourceNotFoundException",
        f"Function not found: {function_arn('no-such-function')}",
        404,
    )


def test_other_event_sources_are_not_recognised(triggers, function):
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue"
    assert error_of(triggers.map, function=function, stream_arn=queue) == (
        "InvalidParameterValueException",
        "Unrecognized event source.",
        400,
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": 1},
            "Unsupported starting position for arn type: {stream}",
        ),
        (
            {"StartingPosition": "LATEST", "StartingPositionTimestamp": 1},
            "Timestamp only valid with StartingPosition AT_TIMESTAMP",
        ),
        (
            {"MaximumRecordAgeInSeconds": 59},
            "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 "
            "(inclusive)",
        ),
        (
            {"FilterCriteria": {"Filters": [{"Pattern": "single-string"}]}},
            "Invalid filter pattern definition.",
        ),
        (
            {"FilterCriteria": {"Filters": [{"Pattern": '{"eventName": "INSERT"}'}]}},
            "Invalid filter pattern definition.",
        ),
        (
            {
                "DestinationConfig": {
                    "OnSuccess": {"Destination": "arn:aws:sqs:us-east-1:000000000000:q"}
                }
            },
            "Unsupported DestinationConfig parameter for given event source mapping type.",
        ),
        (
            {"DestinationConfig": {"OnFailure": {}}},
            "The Destination field is required for an OnFailure configuration.",
        ),
        (
            {
                "DestinationConfig": {
                    "OnFailure": {"Destination": "arn:aws:ec2:us-east-1:000000000000:x"}
                }
            },
            "The destination ARN arn:aws:ec2:us-east-1:000000000000:x is invalid.",
        ),
    ],
)
def test_invalid_settings_are_refused(triggers, function, stream, settings, message):
    assert error_of(triggers.map, function=function, stream_arn=stream, **settings) == (
        "InvalidParameterValueException",
        message.format(stream=stream),
        400,
    )


def test_the_starting_position_is_required(unchecked, function, stream):
    assert error_of(
        unchecked.create_event_source_mapping, FunctionName=function, EventSourceArn=stream
    ) == (
        "InvalidParameterValueException",
        "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
        "constraint: Member must not be null.",
        400,
    )


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"BatchSize": 0}, "batchSize"),
        ({"BatchSize": 10001}, "batchSize"),
        ({"ParallelizationFactor": 11}, "parallelizationFactor"),
        ({"MaximumRetryAttempts": -2}, "maximumRetryAttempts"),
        ({"MaximumBatchingWindowInSeconds": 301}, "maximumBatchingWindowInSeconds"),
        ({"TumblingWindowInSeconds": 901}, "tumblingWindowInSeconds"),
        ({"StartingPosition": "0"}, "startingPosition"),
    ],
)
def test_out_of_range_settings_fail_validation(unchecked, function, stream, settings, field):
    params = {"StartingPosition": "LATEST", **settings}
    code, message, status = error_of(
        unchecked.create_event_source_mapping,
        FunctionName=function,
        EventSourceArn=stream,
        **params,
    )
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: Value ")
    assert f" at '{field}' failed to satisfy constraint" in message


def test_an_unknown_uuid_is_not_found(triggers):
    missing = "00000000-0000-0000-0000-000000000000"
    expected = ("ResourceNotFoundException", "The resource you requested does not exist.", 404)
    assert error_of(triggers.lam.get_event_source_mapping, UUID=missing) == expected
    assert error_of(triggers.lam.update_event_source_mapping, UUID=missing, BatchSize=5) == expected
    assert error_of(triggers.lam.delete_event_source_mapping, UUID=missing) == expected


def test_list_by_function_and_by_source_oldest_first_in_pages(triggers):
    name, _ = triggers.function()
    other, _ = triggers.function()
    streams = [triggers.table()[1] for _ in range(3)]
    mine = [triggers.map(name, arn)["UUID"] for arn in streams]
    theirs = triggers.map(other, streams[0])["UUID"]

    def listed(**params):
        return [
            m["UUID"]
            for m in triggers.lam.list_event_source_mappings(**params)["EventSourceMappings"]
        ]

    assert listed(FunctionName=name) == mine
    assert listed(FunctionName=function_arn(name)) == mine
    assert listed(EventSourceArn=streams[0]) == [mine[0], theirs]
    assert listed(EventSourceArn=streams[0], FunctionName=other) == [theirs]
    first = triggers.lam.list_event_source_mappings(FunctionName=name, MaxItems=2)
    assert [m["UUID"] for m in first["EventSourceMappings"]] == mine[:2]
    rest = triggers.lam.list_event_source_mappings(
        FunctionName=name, MaxItems=2, Marker=first["NextMarker"]
    )
    assert [m["UUID"] for m in rest["EventSourceMappings"]] == mine[2:]
    assert "NextMarker" not in rest
    pages = triggers.lam.get_paginator("list_event_source_mappings").paginate(
        FunctionName=name, PaginationConfig={"PageSize": 1}
    )
    assert [m["UUID"] for page in pages for m in page["EventSourceMappings"]] == mine
    assert listed(FunctionName=unique("nobody")) == []


def test_update_changes_settings_and_passes_through_updating(
    triggers, function, stream, wait_for_idle
):
    created = triggers.map(function, stream)
    updated = triggers.lam.update_event_source_mapping(
        UUID=created["UUID"],
        BatchSize=7,
        MaximumRetryAttempts=2,
        FilterCriteria={"Filters": [{"Pattern": '{"eventName": ["MODIFY"]}'}]},
        DestinationConfig={"OnFailure": {"Destination": f"arn:aws:sns:us-east-1:{ACCOUNT}:t"}},
    )
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert updated["State"] == "Updating"
    assert (updated["BatchSize"], updated["MaximumRetryAttempts"]) == (7, 2)
    assert updated["LastModified"] >= created["LastModified"]
    wait_for_idle()
    fetched = triggers.lam.get_event_source_mapping(UUID=created["UUID"])
    assert fetched["State"] == "Enabled"
    assert fetched["FilterCriteria"]["Filters"][0]["Pattern"] == '{"eventName": ["MODIFY"]}'
    cleared = triggers.lam.update_event_source_mapping(
        UUID=created["UUID"],
        FilterCriteria={},
        DestinationConfig={"OnFailure": {"Destination": ""}},
    )
    assert "FilterCriteria" not in cleared
    assert cleared["DestinationConfig"] == {"OnFailure": {}}


def test_update_checks_its_settings(triggers, function, stream):
    created = triggers.map(function, stream)
    assert error_of(
        triggers.lam.update_event_source_mapping, UUID=created["UUID"], MaximumRecordAgeInSeconds=5
    )[0:2] == (
        "InvalidParameterValueException",
        "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 "
        "(inclusive)",
    )


def test_disable_then_enable_passes_through_their_states(triggers, function, stream, wait_for_idle):
    created = triggers.map(function, stream)
    disabled = triggers.lam.update_event_source_mapping(UUID=created["UUID"], Enabled=False)
    assert disabled["State"] == "Disabling"
    wait_for_idle()
    assert triggers.lam.get_event_source_mapping(UUID=created["UUID"])["State"] == "Disabled"
    enabled = triggers.lam.update_event_source_mapping(UUID=created["UUID"], Enabled=True)
    assert enabled["State"] == "Enabling"
    wait_for_idle()
    assert triggers.lam.get_event_source_mapping(UUID=created["UUID"])["State"] == "Enabled"


def test_update_can_point_the_mapping_at_another_function(triggers, function, stream):
    created = triggers.map(function, stream)
    other, _ = triggers.function()
    moved = triggers.lam.update_event_source_mapping(UUID=created["UUID"], FunctionName=other)
    assert moved["FunctionArn"] == function_arn(other)
    assert (
        error_of(
            triggers.lam.update_event_source_mapping, UUID=created["UUID"], FunctionName="gone-fn"
        )[0]
        == "ResourceNotFoundException"
    )


def test_delete_answers_deleting_then_the_mapping_is_gone(
    triggers, function, stream, wait_for_idle
):
    created = triggers.map(function, stream)
    deleted = triggers.lam.delete_event_source_mapping(UUID=created["UUID"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert deleted["State"] == "Deleting"
    wait_for_idle()
    assert error_of(triggers.lam.get_event_source_mapping, UUID=created["UUID"])[0] == (
        "ResourceNotFoundException"
    )
    assert (
        triggers.lam.list_event_source_mappings(EventSourceArn=stream)["EventSourceMappings"] == []
    )
    again = triggers.map(function, stream)
    assert again["UUID"] != created["UUID"]
