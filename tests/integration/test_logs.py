"""CloudWatch Logs through boto3 and the AWS CLI against a live Tidal server.

Expected messages and shapes: reference/logs-ses.md Part A (AWS-recorded snapshots of
localstack's logs tests, botocore's model and documentation).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator

import pytest
from botocore.exceptions import ClientError

from tidal.logs import ingest, maintenance
from tidal.testing.plugin import client

HOUR = 3_600_000
DAY = 24 * HOUR
NAME_PATTERN = r"[\.\-_/#A-Za-z0-9]+"


def error_of(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def invalid(message: str) -> tuple[str, str, int]:
    return ("InvalidParameterException", message, 400)


def now_ms() -> int:
    return int(time.time() * 1000)


def unique(prefix: str = "/tidal/test") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def logs(tidal_endpoint):
    return client("logs", tidal_endpoint)


@pytest.fixture
def group(logs) -> str:
    name = unique()
    logs.create_log_group(logGroupName=name)
    return name


@pytest.fixture
def stream(logs, group) -> str:
    name = "2016/02/26/[$LATEST]1b3343a141eb437a9f642444b6b6e360"
    logs.create_log_stream(logGroupName=group, logStreamName=name)
    return name


@pytest.fixture
def log_maintenance(tidal_server) -> Iterator[Callable[[], None]]:
    """`log_maintenance()` deletes expired events now; the background task waits meanwhile."""
    with maintenance.held(tidal_server.runtime):
        yield lambda: maintenance.maintain_all(tidal_server.runtime)


def put(logs, group: str, stream: str, *events: tuple[int, str]) -> dict:
    return logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": stamp, "message": message} for stamp, message in events],
    )


def messages(response: dict) -> list[str]:
    return [event["message"] for event in response["events"]]


# --- log groups ------------------------------------------------------------------------------


def test_a_new_group_as_describe_log_groups_shows_it(logs):
    name = unique()
    before = now_ms()
    logs.create_log_group(logGroupName=name)
    [shown] = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    created = shown.pop("creationTime")
    assert before <= created <= now_ms()
    assert shown == {
        "logGroupName": name,
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:us-east-1:000000000000:log-group:{name}:*",
        "storedBytes": 0,
        "logGroupClass": "STANDARD",
        "logGroupArn": f"arn:aws:logs:us-east-1:000000000000:log-group:{name}",
        "deletionProtectionEnabled": False,
    }


def test_create_log_group_errors(logs, group):
    assert error_of(logs.create_log_group, logGroupName=group) == (
        "ResourceAlreadyExistsException",
        "The specified log group already exists",
        400,
    )
    assert error_of(logs.create_log_group, logGroupName="a" * 513) == invalid(
        "Invalid LogGroup or LogStream, both must have length less than or equal to 512."
    )
    assert error_of(logs.create_log_group, logGroupName="bad name") == invalid(
        "1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {NAME_PATTERN}"
    )


def test_a_group_with_a_512_character_name(logs):
    name = "/" + uuid.uuid4().hex + "a" * 479
    logs.create_log_group(logGroupName=name)
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["logGroupName"] == name


def test_delete_log_group_deletes_its_streams_and_events(logs, group, stream):
    put(logs, group, stream, (now_ms(), "gone soon"))
    logs.delete_log_group(logGroupName=group)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
    assert error_of(logs.delete_log_group, logGroupName=group) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
        400,
    )
    logs.create_log_group(logGroupName=group)
    assert logs.describe_log_streams(logGroupName=group)["logStreams"] == []
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    assert logs.get_log_events(logGroupName=group, logStreamName=stream)["events"] == []


def test_describe_log_groups_by_prefix_sorted_by_name_in_pages(logs):
    prefix = unique()
    names = [f"{prefix}/{suffix}" for suffix in ("b", "a", "c/1", "A", "c", "_")]
    for name in names:
        logs.create_log_group(logGroupName=name)
    first = logs.describe_log_groups(logGroupNamePrefix=prefix, limit=4)
    assert [shown["logGroupName"] for shown in first["logGroups"]] == sorted(names)[:4]
    second = logs.describe_log_groups(
        logGroupNamePrefix=prefix, limit=4, nextToken=first["nextToken"]
    )
    assert [shown["logGroupName"] for shown in second["logGroups"]] == sorted(names)[4:]
    assert "nextToken" not in second
    paginator = logs.get_paginator("describe_log_groups")
    listed = [
        shown["logGroupName"]
        for page in paginator.paginate(logGroupNamePrefix=prefix, PaginationConfig={"PageSize": 1})
        for shown in page["logGroups"]
    ]
    assert listed == sorted(names)


def test_describe_log_groups_by_pattern_shows_fewer_fields(logs):
    marker = f"case{uuid.uuid4().hex[:10]}"  # letters, so that upper() differs
    name = f"/tidal/pattern/{marker}/x"
    logs.create_log_group(logGroupName=name)
    [shown] = logs.describe_log_groups(logGroupNamePattern=marker)["logGroups"]
    assert set(shown) == {
        "logGroupName",
        "creationTime",
        "metricFilterCount",
        "arn",
        "logGroupClass",
        "logGroupArn",
    }
    assert logs.describe_log_groups(logGroupNamePattern=marker.upper())["logGroups"] == []


def test_list_log_groups_by_pattern(logs):
    marker = uuid.uuid4().hex[:10]
    names = [f"/tidal/{marker}/a", f"/tidal/{marker}/b", f"/other/{marker}"]
    for name in names:
        logs.create_log_group(logGroupName=name)
    assert logs.list_log_groups(logGroupNamePattern="no-such-group")["logGroups"] == []
    found = logs.list_log_groups(logGroupNamePattern=marker)["logGroups"]
    assert [summary["logGroupName"] for summary in found] == sorted(names)
    assert found[0] == {
        "logGroupName": names[2],
        "logGroupArn": f"arn:aws:logs:us-east-1:000000000000:log-group:{names[2]}",
        "logGroupClass": "STANDARD",
    }
    pattern = f"^/tidal/{marker}|^/nope"
    first = logs.list_log_groups(logGroupNamePattern=pattern, limit=1)
    rest = logs.list_log_groups(logGroupNamePattern=pattern, limit=1, nextToken=first["nextToken"])
    assert [summary["logGroupName"] for summary in first["logGroups"] + rest["logGroups"]] == (
        names[:2]
    )
    assert "nextToken" not in rest


def test_describe_log_groups_by_identifier_and_class(logs):
    marker = uuid.uuid4().hex[:10]
    standard, infrequent = f"/tidal/{marker}/standard", f"/tidal/{marker}/infrequent"
    logs.create_log_group(logGroupName=standard)
    logs.create_log_group(logGroupName=infrequent, logGroupClass="INFREQUENT_ACCESS")
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{standard}"
    found = logs.describe_log_groups(logGroupIdentifiers=[arn, infrequent])["logGroups"]
    assert [(shown["logGroupName"], shown["logGroupClass"]) for shown in found] == [
        (infrequent, "INFREQUENT_ACCESS"),
        (standard, "STANDARD"),
    ]
    by_class = logs.describe_log_groups(
        logGroupNamePattern=marker, logGroupClass="INFREQUENT_ACCESS"
    )["logGroups"]
    assert [shown["logGroupName"] for shown in by_class] == [infrequent]


def test_errors_on_the_wire_are_bare_types_in_json_1_1(tidal_endpoint):
    request = urllib.request.Request(
        tidal_endpoint,
        data=json.dumps({"logGroupName": unique()}).encode(),
        headers={
            "X-Amz-Target": "Logs_20140328.DeleteLogGroup",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/logs/"
            "aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)
    assert raised.value.code == 400
    assert raised.value.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert json.loads(raised.value.read()) == {
        "__type": "ResourceNotFoundException",
        "message": "The specified log group does not exist.",
    }


def test_describe_log_groups_errors(logs):
    assert error_of(
        logs.describe_log_groups, logGroupNamePrefix="/a", logGroupNamePattern="a"
    ) == invalid(
        "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
    )
    assert error_of(logs.describe_log_groups, limit=51) == invalid(
        "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 50"
    )
    assert error_of(logs.describe_log_groups, nextToken="not-a-token") == invalid(
        "The specified nextToken is invalid."
    )


def test_groups_belong_to_an_account_and_a_region(logs, group, tidal_endpoint):
    other_account = client("logs", tidal_endpoint, aws_access_key_id="111122223333",
                           aws_secret_access_key="x")  # fmt: skip
    other_region = client("logs", tidal_endpoint, region="eu-west-3")
    for other in (other_account, other_region):
        assert other.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
        other.create_log_group(logGroupName=group)
        [shown] = other.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        assert shown["logGroupName"] == group
    [mine] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert mine["arn"].startswith("arn:aws:logs:us-east-1:000000000000:")
    arn = other_account.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["arn"]
    assert arn == f"arn:aws:logs:us-east-1:111122223333:log-group:{group}:*"


# --- retention -------------------------------------------------------------------------------


def test_put_and_delete_retention_policy(logs, group):
    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    [shown] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert shown["retentionInDays"] == 7
    logs.delete_retention_policy(logGroupName=group)
    [shown] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert "retentionInDays" not in shown


def test_retention_takes_only_the_periods_aws_offers(logs, group):
    allowed = (
        "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, "
        "2557, 2922, 3288, 3653"
    )
    for days in (0, 2, 10, 3650):
        assert error_of(logs.put_retention_policy, logGroupName=group, retentionInDays=days) == (
            invalid(
                f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to "
                f"satisfy constraint: Member must satisfy enum value set: [{allowed}]"
            )
        )
    logs.put_retention_policy(logGroupName=group, retentionInDays=3653)
    missing = unique()
    for call in (logs.put_retention_policy, logs.delete_retention_policy):
        extra = {"retentionInDays": 1} if call == logs.put_retention_policy else {}
        assert error_of(call, logGroupName=missing, **extra) == (
            "ResourceNotFoundException",
            "The specified log group does not exist.",
            400,
        )


def test_expired_events_are_hidden_at_once_and_deleted_later(logs, group, stream, log_maintenance):
    now = now_ms()
    put(logs, group, stream, (now - 3 * DAY, "old"), (now - 2 * DAY, "older than a day"))
    put(logs, group, stream, (now - HOUR, "recent"))
    logs.put_retention_policy(logGroupName=group, retentionInDays=1)
    assert messages(logs.get_log_events(logGroupName=group, logStreamName=stream)) == ["recent"]
    assert messages(logs.filter_log_events(logGroupName=group)) == ["recent"]
    [before] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert before["storedBytes"] == len("old") + len("older than a day") + len("recent")
    log_maintenance()
    [after] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert after["storedBytes"] == len("recent")
    logs.delete_retention_policy(logGroupName=group)
    assert messages(logs.get_log_events(logGroupName=group, logStreamName=stream)) == ["recent"]


def test_events_older_than_the_retention_are_rejected_as_expired(logs, group, stream):
    logs.put_retention_policy(logGroupName=group, retentionInDays=1)
    now = now_ms()
    response = put(logs, group, stream, (now - 2 * DAY, "expired"), (now, "kept"))
    assert response["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 1}
    assert messages(logs.get_log_events(logGroupName=group, logStreamName=stream)) == ["kept"]


# --- tags --------------------------------------------------------------------------------------


def test_tags_by_group_name_and_by_arn(logs):
    name = unique()
    logs.create_log_group(logGroupName=name, tags={"env": "testing1"})
    assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"env": "testing1"}
    arn = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["logGroupArn"]
    logs.tag_resource(resourceArn=arn, tags={"test1": "val1", "test2": "val2"})
    logs.tag_log_group(logGroupName=name, tags={"test3": "val3"})
    expected = {"env": "testing1", "test1": "val1", "test2": "val2", "test3": "val3"}
    assert logs.list_tags_log_group(logGroupName=name)["tags"] == expected
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == expected
    logs.untag_log_group(logGroupName=name, tags=["test3"])
    logs.untag_resource(resourceArn=arn, tagKeys=["env", "test1"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"test2": "val2"}
    assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"test2": "val2"}


def test_tags_of_a_missing_group(logs):
    missing = unique()
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{missing}"
    not_found = ("ResourceNotFoundException", "The specified log group does not exist.", 400)
    assert error_of(logs.list_tags_log_group, logGroupName=missing) == not_found
    assert error_of(logs.tag_log_group, logGroupName=missing, tags={"a": "b"}) == not_found
    assert error_of(logs.list_tags_for_resource, resourceArn=arn) == not_found


# --- log streams -------------------------------------------------------------------------------


def test_a_new_stream_as_describe_log_streams_shows_it(logs, group, stream):
    [shown] = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert isinstance(shown.pop("creationTime"), int)
    assert shown == {
        "logStreamName": stream,
        "arn": f"arn:aws:logs:us-east-1:000000000000:log-group:{group}:log-stream:{stream}",
        "storedBytes": 0,
    }


def test_a_stream_with_events_shows_their_times(logs, group, stream):
    now = now_ms()
    put(logs, group, stream, (now - 50, "a"), (now - 10, "b"))
    put(logs, group, stream, (now - 90, "c"))
    [shown] = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert shown["firstEventTimestamp"] == now - 90
    assert shown["lastEventTimestamp"] == now - 10
    assert now <= shown["lastIngestionTime"] <= now_ms()


def test_create_and_delete_log_stream_errors(logs, group, stream):
    assert error_of(logs.create_log_stream, logGroupName=group, logStreamName=stream) == (
        "ResourceAlreadyExistsException",
        "The specified log stream already exists",
        400,
    )
    assert error_of(logs.create_log_stream, logGroupName=unique(), logStreamName="s") == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
        400,
    )
    assert error_of(logs.create_log_stream, logGroupName=group, logStreamName="a:b") == invalid(
        "1 validation error detected: Value 'a:b' at 'logStreamName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [^:*]*"
    )
    assert error_of(logs.delete_log_stream, logGroupName=group, logStreamName="nope") == (
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
        400,
    )


def test_a_stream_deleted_and_created_again_starts_empty(logs, group, stream, log_maintenance):
    put(logs, group, stream, (now_ms(), "before"))
    logs.delete_log_stream(logGroupName=group, logStreamName=stream)
    assert logs.describe_log_streams(logGroupName=group)["logStreams"] == []
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    assert logs.get_log_events(logGroupName=group, logStreamName=stream)["events"] == []
    log_maintenance()
    [shown] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert shown["storedBytes"] == 0


def test_describe_log_streams_by_identifier(logs, group, stream):
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    for identifier in (group, arn):
        shown = logs.describe_log_streams(logGroupIdentifier=identifier)["logStreams"]
        assert [item["logStreamName"] for item in shown] == [stream]
    assert error_of(logs.describe_log_streams, logGroupIdentifier=arn + ":*") == invalid(
        f"1 validation error detected: Value '{arn}:*' at 'logGroupIdentifier' failed to "
        r"satisfy constraint: Member must satisfy regular expression pattern: [\w#+=/:,.@-]*"
    )
    assert error_of(logs.describe_log_streams, logGroupName=group, logGroupIdentifier=arn) == (
        "ValidationException",
        "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
        400,
    )
    assert error_of(logs.describe_log_streams, logGroupName=unique()) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
        400,
    )


def test_describe_log_streams_prefix_order_and_pages(logs, group):
    now = now_ms()
    last_events = {"app-b": now - 10, "app-a": now - 30, "web-1": now - 20, "app-c": None}
    for name, stamp in last_events.items():
        logs.create_log_stream(logGroupName=group, logStreamName=name)
        if stamp is not None:
            put(logs, group, name, (stamp, name))

    def names(**params) -> list[str]:
        found, token = [], None
        while True:
            page = logs.describe_log_streams(
                logGroupName=group, limit=2, **params, **({"nextToken": token} if token else {})
            )
            found += [shown["logStreamName"] for shown in page["logStreams"]]
            token = page.get("nextToken")
            if token is None:
                return found

    assert names() == ["app-a", "app-b", "app-c", "web-1"]
    assert names(logStreamNamePrefix="app-") == ["app-a", "app-b", "app-c"]
    assert names(descending=True) == ["web-1", "app-c", "app-b", "app-a"]
    assert names(orderBy="LastEventTime") == ["app-c", "app-a", "web-1", "app-b"]
    assert names(orderBy="LastEventTime", descending=True) == ["app-b", "web-1", "app-a", "app-c"]
    newest = logs.describe_log_streams(
        logGroupName=group, orderBy="LastEventTime", descending=True, limit=1
    )
    assert newest["logStreams"][0]["logStreamName"] == "app-b"
    assert error_of(
        logs.describe_log_streams,
        logGroupName=group,
        orderBy="LastEventTime",
        logStreamNamePrefix="app",
    ) == invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
    assert error_of(logs.describe_log_streams, logGroupName=group, nextToken="xyz") == invalid(
        "The specified nextToken is invalid."
    )


# --- PutLogEvents -----------------------------------------------------------------------------


def test_put_log_events_stores_them_with_their_ingestion_time(logs, group, stream):
    now = now_ms()
    response = put(logs, group, stream, (now, "🙀 - 参よ - 日本語"), (now, "world\n"))
    assert isinstance(response["nextSequenceToken"], str)
    assert "rejectedLogEventsInfo" not in response
    events = logs.get_log_events(logGroupName=group, logStreamName=stream)["events"]
    assert [(event["timestamp"], event["message"]) for event in events] == [
        (now, "🙀 - 参よ - 日本語"),
        (now, "world\n"),
    ]
    assert all(now <= event["ingestionTime"] <= now_ms() for event in events)


def test_put_log_events_to_missing_group_or_stream(logs, group):
    event = [{"timestamp": now_ms(), "message": "x"}]
    assert error_of(
        logs.put_log_events, logGroupName=group, logStreamName="invalid-stream", logEvents=event
    ) == ("ResourceNotFoundException", "The specified log stream does not exist.", 400)
    assert error_of(
        logs.put_log_events, logGroupName=unique(), logStreamName="s", logEvents=event
    ) == ("ResourceNotFoundException", "The specified log group does not exist.", 400)


def test_put_log_events_refuses_bad_batches(logs, group, stream):
    now = now_ms()

    def refused(*events: tuple[int, str]) -> tuple[str, str, int]:
        return error_of(
            logs.put_log_events,
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": stamp, "message": text} for stamp, text in events],
        )

    assert refused((now, "Message 0"), (now - 2 * DAY, "Message 1")) == invalid(
        "Log events in a single PutLogEvents request must be in chronological order."
    )
    assert refused((now - DAY - 1, "a"), (now, "b")) == invalid(
        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."
    )
    assert refused(*[(now, "x" * 262_118)] * 4, (now, "y")) == invalid(
        "Upload too large: 1048603 bytes exceeds limit of 1048576"
    )
    assert refused(*[(now, "m")] * 10_001)[0:1] == ("InvalidParameterException",)
    assert logs.get_log_events(logGroupName=group, logStreamName=stream)["events"] == []


def test_put_log_events_takes_10000_events(logs, group, stream):
    now = now_ms()
    put(logs, group, stream, *[(now + index // 100, f"event {index}") for index in range(10_000)])
    response = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    assert len(response["events"]) == 10_000
    assert response["events"][-1]["message"] == "event 9999"


def test_too_old_and_too_new_events_are_reported_and_the_rest_stored(logs, group, stream):
    now = now_ms()
    response = put(
        logs,
        group,
        stream,
        (now - 15 * DAY, "too old"),
        (now - HOUR, "fine"),
        (now + 3 * HOUR, "too new"),
    )
    assert response["rejectedLogEventsInfo"] == {
        "tooNewLogEventStartIndex": 2,
        "tooOldLogEventEndIndex": 1,
    }
    assert messages(logs.get_log_events(logGroupName=group, logStreamName=stream)) == ["fine"]


# --- GetLogEvents -----------------------------------------------------------------------------


@pytest.fixture
def twenty(logs, group, stream) -> int:
    """Twenty events, `message i` at `start + i * 100`; returns `start`."""
    start = now_ms() - 10_000
    put(logs, group, stream, *[(start + index * 100, f"message {index}") for index in range(20)])
    return start


def test_get_log_events_starts_with_the_newest_page(logs, group, stream, twenty):
    page = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=5)
    assert messages(page) == [f"message {index}" for index in range(15, 20)]
    assert page["nextForwardToken"].startswith("f/") and len(page["nextForwardToken"]) == 58
    assert page["nextBackwardToken"].startswith("b/") and len(page["nextBackwardToken"]) == 58


def test_get_log_events_walks_backward_to_the_same_token(logs, group, stream, twenty):
    page = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=7)
    seen = messages(page)
    while True:
        token = page["nextBackwardToken"]
        page = logs.get_log_events(
            logGroupName=group, logStreamName=stream, limit=7, nextToken=token
        )
        if page["nextBackwardToken"] == token:
            assert page["events"] == []
            break
        seen = messages(page) + seen
    assert seen == [f"message {index}" for index in range(20)]


def test_get_log_events_walks_forward_from_the_head(logs, group, stream, twenty):
    page = logs.get_log_events(
        logGroupName=group, logStreamName=stream, limit=8, startFromHead=True
    )
    seen = messages(page)
    while True:
        token = page["nextForwardToken"]
        page = logs.get_log_events(
            logGroupName=group, logStreamName=stream, limit=8, startFromHead=True, nextToken=token
        )
        if page["nextForwardToken"] == token:
            break
        seen += messages(page)
    assert seen == [f"message {index}" for index in range(20)]
    put(logs, group, stream, (now_ms(), "later"))
    later = logs.get_log_events(
        logGroupName=group, logStreamName=stream, startFromHead=True, nextToken=token
    )
    assert messages(later) == ["later"]


def test_get_log_events_time_range(logs, group, stream, twenty):
    page = logs.get_log_events(
        logGroupName=group,
        logStreamName=stream,
        startTime=twenty + 300,
        endTime=twenty + 600,
        startFromHead=True,
    )
    assert messages(page) == ["message 3", "message 4", "message 5"]


def test_get_log_events_by_group_identifier(logs, group, stream, twenty):
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    for identifier in (group, arn):
        page = logs.get_log_events(logGroupIdentifier=identifier, logStreamName=stream, limit=1)
        assert messages(page) == ["message 19"]


def test_get_log_events_errors(logs, group, stream):
    assert error_of(
        logs.get_log_events, logGroupName=group, logStreamName=stream, nextToken="invalid-token"
    ) == invalid("The specified nextToken is invalid.")
    assert error_of(
        logs.get_log_events, logGroupName=group, logStreamName=stream, limit=10001
    ) == invalid(
        "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 10000"
    )
    assert error_of(logs.get_log_events, logGroupName=group, logStreamName="missing") == (
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
        400,
    )
    assert error_of(logs.get_log_events, logGroupName=unique(), logStreamName="s") == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
        400,
    )


# --- FilterLogEvents --------------------------------------------------------------------------


@pytest.fixture
def three_streams(logs, group) -> int:
    """Streams a, b and c with interleaved events; returns the first timestamp."""
    start = now_ms() - 60_000
    for name in ("a", "b", "c"):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
    put(logs, group, "a", (start, "a0 INFO start"), (start + 30, "a3 ERROR disk full"))
    put(
        logs,
        group,
        "b",
        (start + 10, "b1 INFO hello"),
        (start + 40, '{"level": "error", "ms": 12}'),
    )
    put(
        logs, group, "c", (start + 20, "c2 WARN slow"), (start + 50, '{"level": "info", "ms": 900}')
    )
    return start


def test_filter_log_events_interleaves_streams_by_time(logs, group, three_streams):
    response = logs.filter_log_events(logGroupName=group)
    assert [(event["logStreamName"], event["timestamp"]) for event in response["events"]] == [
        (name, three_streams + offset)
        for name, offset in [("a", 0), ("b", 10), ("c", 20), ("a", 30), ("b", 40), ("c", 50)]
    ]
    assert response["searchedLogStreams"] == []
    assert "nextToken" not in response
    ids = [event["eventId"] for event in response["events"]]
    assert len(set(ids)) == 6 and all(len(event_id) == 56 for event_id in ids)
    newest_first = logs.filter_log_events(logGroupName=group, startFromHead=False)
    assert newest_first["events"] == response["events"][::-1]


def labels(response: dict, start: int) -> list[str]:
    """`<stream><n>` for the event at `start + n * 10` of each stream (three_streams)."""
    return [
        f"{event['logStreamName']}{(event['timestamp'] - start) // 10}"
        for event in response["events"]
    ]


def test_filter_log_events_by_stream_and_time(logs, group, three_streams):
    def found(**params) -> list[str]:
        return labels(logs.filter_log_events(logGroupName=group, **params), three_streams)

    assert found(logStreamNames=["c", "a", "missing"]) == ["a0", "c2", "a3", "c5"]
    assert found(logStreamNamePrefix="b") == ["b1", "b4"]
    assert found(startTime=three_streams + 20, endTime=three_streams + 40) == ["c2", "a3", "b4"]
    assert error_of(
        logs.filter_log_events, logGroupName=group, logStreamNames=["a"], logStreamNamePrefix="a"
    ) == invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("", ["a0", "b1", "c2", "a3", "b4", "c5"]),
        ("INFO", ["a0", "b1"]),
        ("?ERROR ?WARN", ["c2", "a3"]),
        ("INFO -hello", ["a0"]),
        ('"disk full"', ["a3"]),
        ('{ $.level = "error" }', ["b4"]),
        ("{ $.ms > 100 }", ["c5"]),
        ('{ $.level = "info" || $.ms < 20 }', ["b4", "c5"]),
        ("{ $.missing NOT EXISTS }", ["b4", "c5"]),
        ("[id, level = WARN, ...]", ["c2"]),
        ("%disk|slow%", ["c2", "a3"]),
    ],
)
def test_filter_log_events_patterns(logs, group, three_streams, pattern, expected):
    response = logs.filter_log_events(logGroupName=group, filterPattern=pattern)
    assert labels(response, three_streams) == expected


def test_filter_log_events_pages(logs, group, three_streams):
    first = logs.filter_log_events(logGroupName=group, limit=4)
    assert len(first["events"]) == 4 and "nextToken" in first
    rest = logs.filter_log_events(logGroupName=group, limit=4, nextToken=first["nextToken"])
    assert len(rest["events"]) == 2 and "nextToken" not in rest
    everything = logs.filter_log_events(logGroupName=group)["events"]
    assert first["events"] + rest["events"] == everything
    paginator = logs.get_paginator("filter_log_events")
    paged = [
        event
        for page in paginator.paginate(logGroupName=group, PaginationConfig={"PageSize": 1})
        for event in page["events"]
    ]
    assert paged == everything
    assert error_of(logs.filter_log_events, logGroupName=group, nextToken="bad") == invalid(
        "The specified nextToken is invalid."
    )
    assert error_of(logs.filter_log_events, logGroupName=group, limit=10001) == invalid(
        "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 10000"
    )
    assert error_of(logs.filter_log_events, logGroupName=group, filterPattern="{ $.a = ") == (
        invalid("If a filter pattern starts with '{' it must end with '}'")
    )


def test_polling_as_aws_logs_tail_follow_does(logs, group, stream):
    """`aws logs tail --follow` polls FilterLogEvents from the newest timestamp it has seen,
    dropping the event ids it already printed at that timestamp."""
    start = now_ms() - 1000
    put(logs, group, stream, (start, "one"), (start + 5, "two"))
    seen: dict[int, set[str]] = {}
    printed: list[str] = []

    def poll(since: int) -> int:
        paginator = logs.get_paginator("filter_log_events")
        for page in paginator.paginate(logGroupName=group, startTime=since, interleaved=True):
            for event in page["events"]:
                ids = seen.setdefault(event["timestamp"], set())
                if event["eventId"] not in ids:
                    ids.add(event["eventId"])
                    printed.append(event["message"])
        return max(seen, default=since)

    latest = poll(start)
    put(logs, group, stream, (start + 5, "two again"), (start + 9, "three"))
    latest = poll(latest)
    poll(latest)
    assert printed == ["one", "two", "two again", "three"]


def test_filter_log_events_of_a_missing_group(logs):
    assert error_of(logs.filter_log_events, logGroupName=unique()) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
        400,
    )


# --- Lambda's in-process ingestion and the French walkthrough's AWS CLI commands ---------------


def test_ingested_events_read_through_the_aws_cli(tidal_server, tidal_endpoint):
    account = "210987654321"
    group = "/aws/lambda/envoi_email"
    stream = "2016/02/26/[$LATEST]1b3343a141eb437a9f642444b6b6e360"
    request = "e00bc024-a1a4-47f3-9921-409f0dc2f086"
    lines = [
        f"START RequestId: {request} Version: $LATEST\n",
        f"2016-02-26T14:44:47.826Z\t{request}\t=== Début ===\n",
        f"2016-02-26T14:44:47.827Z\t{request}\tINSERT\n",
        f"END RequestId: {request}\n",
    ]
    start = now_ms() - 100
    with tidal_server.runtime.store.transaction() as txn:
        ingest.put_events(
            txn,
            account,
            "eu-west-1",
            group,
            stream,
            [(start + index, line) for index, line in enumerate(lines)],
        )
    environment = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": account,
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }

    def aws(*arguments: str) -> str:
        run = subprocess.run(
            [sys.executable, "-m", "awscli", "logs", *arguments, "--endpoint-url", tidal_endpoint],
            capture_output=True,
            text=True,
            timeout=60,
            env=environment,
        )
        assert run.returncode == 0, run.stderr
        return run.stdout

    table = aws(
        "describe-log-streams",
        "--log-group-name",
        group,
        "--query",
        "logStreams[*].logStreamName",
        "--output",
        "table",
    )
    rows = [line.strip("|").strip() for line in table.splitlines() if line.startswith("|")]
    assert rows == ["DescribeLogStreams", stream]
    printed = aws(
        "get-log-events",
        "--log-group-name",
        group,
        "--log-stream-name",
        stream,
        "--query",
        "events[*].message",
    )
    assert json.loads(printed) == lines
    filtered = aws(
        "filter-log-events",
        "--log-group-name",
        group,
        "--filter-pattern",
        "RequestId",
        "--page-size",
        "1",
        "--query",
        "events[*].message",
    )
    assert json.loads(filtered) == [lines[0], lines[3]]
