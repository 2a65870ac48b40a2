"""ListStreams, DescribeStream, GetShardIterator and GetRecords: shapes, positions, errors.

Messages come from reference/streams.md §3 (AWS-recorded where it says so); see the note at
each one that is not.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.integration.streams_support import (
    Clock,
    raw_streams,
    read_shard,
    stream_table,
    unchecked_streams,
)
from tests.integration.test_tables import error_of
from tidal.testing.plugin import client

SHARD_ID = re.compile(r"shardId-[0-9]{20}-[a-zA-Z0-9]{1,36}")


@pytest.fixture
def stream(dynamodb, table_name) -> str:
    return stream_table(dynamodb, table_name, "NEW_AND_OLD_IMAGES")


def only_shard(dynamodbstreams, arn: str) -> str:
    (shard,) = dynamodbstreams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    return shard["ShardId"]


def put(dynamodb, table: str, *names: str) -> None:
    for name in names:
        dynamodb.put_item(TableName=table, Item={"pk": {"S": name}})


def written(records: list[dict]) -> list[str]:
    return [record["dynamodb"]["Keys"]["pk"]["S"] for record in records]


def test_list_streams_of_a_table(dynamodb, dynamodbstreams, table_name, stream):
    table = dynamodb.describe_table(TableName=table_name)["Table"]
    listed = dynamodbstreams.list_streams(TableName=table_name)
    assert listed["Streams"] == [
        {
            "StreamArn": stream,
            "TableName": table_name,
            "StreamLabel": table["LatestStreamLabel"],
        }
    ]
    assert table["LatestStreamArn"] == stream
    assert "LastEvaluatedStreamArn" not in listed


def test_list_streams_of_a_table_without_one(dynamodb, dynamodbstreams, table_name):
    dynamodb.create_table(
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert dynamodbstreams.list_streams(TableName=table_name)["Streams"] == []


def test_list_streams_pages(dynamodb, dynamodbstreams, table_name, stream):
    arns = [stream]
    for view_type in ("KEYS_ONLY", "NEW_IMAGE"):
        dynamodb.update_table(TableName=table_name, StreamSpecification={"StreamEnabled": False})
        updated = dynamodb.update_table(
            TableName=table_name,
            StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type},
        )
        arns.append(updated["TableDescription"]["LatestStreamArn"])
    pages = []
    listed = dynamodbstreams.list_streams(TableName=table_name, Limit=2)
    pages.append(listed["Streams"])
    assert listed["LastEvaluatedStreamArn"] == listed["Streams"][-1]["StreamArn"]
    listed = dynamodbstreams.list_streams(
        TableName=table_name, Limit=2, ExclusiveStartStreamArn=listed["LastEvaluatedStreamArn"]
    )
    pages.append(listed["Streams"])
    assert "LastEvaluatedStreamArn" not in listed
    assert [len(page) for page in pages] == [2, 1]
    assert sorted(s["StreamArn"] for page in pages for s in page) == sorted(arns)
    everything, start = [], {}
    while True:  # every stream of the account: other tests' streams too, past the first page
        listed = dynamodbstreams.list_streams(**start)
        everything += listed["Streams"]
        if "LastEvaluatedStreamArn" not in listed:
            break
        start = {"ExclusiveStartStreamArn": listed["LastEvaluatedStreamArn"]}
    assert {s["StreamArn"] for s in everything} >= set(arns)


def test_list_streams_limits(dynamodbstreams, tidal_endpoint):
    assert error_of(dynamodbstreams.list_streams, Limit=101) == (
        "ValidationException",
        "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 100",
        400,
    )
    unchecked = unchecked_streams(tidal_endpoint)
    assert error_of(unchecked.list_streams, Limit=0) == (
        "ValidationException",
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
        400,
    )
    # AWS refuses a malformed ExclusiveStartStreamArn (scylladb test_streams.py); wording ours.
    assert error_of(dynamodbstreams.list_streams, ExclusiveStartStreamArn="x" * 40) == (
        "ValidationException",
        "Invalid StreamArn",
        400,
    )


def test_describe_stream(dynamodb, dynamodbstreams, table_name, stream):
    before = time.time()
    description = dynamodbstreams.describe_stream(StreamArn=stream)["StreamDescription"]
    table = dynamodb.describe_table(TableName=table_name)["Table"]
    created = description.pop("CreationRequestDateTime").timestamp()
    assert table["CreationDateTime"].timestamp() <= created <= before
    (shard,) = description.pop("Shards")
    assert description == {
        "StreamArn": stream,
        "StreamLabel": table["LatestStreamLabel"],
        "StreamStatus": "ENABLED",
        "StreamViewType": "NEW_AND_OLD_IMAGES",
        "TableName": table_name,
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    }
    assert SHARD_ID.fullmatch(shard["ShardId"])
    assert list(shard) == ["ShardId", "SequenceNumberRange"]
    start = shard["SequenceNumberRange"]["StartingSequenceNumber"]
    assert shard["SequenceNumberRange"] == {"StartingSequenceNumber": start}
    assert start.isdigit() and len(start) >= 21
    after_last = dynamodbstreams.describe_stream(
        StreamArn=stream, ExclusiveStartShardId=shard["ShardId"]
    )
    assert after_last["StreamDescription"]["Shards"] == []


def test_describe_stream_errors(dynamodbstreams, stream):
    missing = stream.rsplit("/", 1)[0] + "/2000-01-01T00:00:00.000"
    assert error_of(dynamodbstreams.describe_stream, StreamArn=missing) == (
        "ResourceNotFoundException",
        f"Requested resource not found: Stream: {missing} not found",
        400,
    )
    # ValidationException as scylladb's AWS-run tests expect; the words are aws-sdk-js's test's.
    assert error_of(dynamodbstreams.describe_stream, StreamArn="s" * 50) == (
        "ValidationException",
        "Invalid StreamArn",
        400,
    )
    assert error_of(dynamodbstreams.describe_stream, StreamArn=stream, Limit=101)[0] == (
        "ValidationException"
    )


def test_another_account_does_not_see_the_stream(tidal_endpoint, stream):
    stranger = client(
        "dynamodbstreams",
        tidal_endpoint,
        aws_access_key_id="123456789012",
        aws_secret_access_key="x",
    )
    assert error_of(stranger.describe_stream, StreamArn=stream)[0] == "ResourceNotFoundException"
    assert stranger.list_streams(TableName=stream.split("/")[1])["Streams"] == []


def test_iterator_types(dynamodb, dynamodbstreams, table_name, stream):
    shard = only_shard(dynamodbstreams, stream)
    put(dynamodb, table_name, "a", "b")
    latest = dynamodbstreams.get_shard_iterator(
        StreamArn=stream, ShardId=shard, ShardIteratorType="LATEST"
    )["ShardIterator"]
    put(dynamodb, table_name, "c")
    everything = read_shard(dynamodbstreams, stream, shard)
    assert written(everything) == ["a", "b", "c"]
    page = dynamodbstreams.get_records(ShardIterator=latest)
    assert written(page["Records"]) == ["c"]
    b_number = everything[1]["dynamodb"]["SequenceNumber"]
    at = read_shard(
        dynamodbstreams,
        stream,
        shard,
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=b_number,
    )
    assert written(at) == ["b", "c"]
    after = read_shard(
        dynamodbstreams,
        stream,
        shard,
        ShardIteratorType="AFTER_SEQUENCE_NUMBER",
        SequenceNumber=b_number,
    )
    assert written(after) == ["c"]
    start = dynamodbstreams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0][
        "SequenceNumberRange"
    ]["StartingSequenceNumber"]
    from_start = read_shard(
        dynamodbstreams, stream, shard, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=start
    )
    assert written(from_start) == ["a", "b", "c"]
    from_zero = read_shard(
        dynamodbstreams,
        stream,
        shard,
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber="0" * 21,
    )
    assert written(from_zero) == ["a", "b", "c"]


def test_at_timestamp(dynamodb, dynamodbstreams, table_name, stream, monkeypatch):
    clock = Clock(monkeypatch)
    shard = only_shard(dynamodbstreams, stream)
    put(dynamodb, table_name, "old")
    clock.advance(10)
    moment = time.time() + clock.offset - 1
    put(dynamodb, table_name, "new")
    found = read_shard(
        dynamodbstreams, stream, shard, ShardIteratorType="AT_TIMESTAMP", Timestamp=moment
    )
    assert written(found) == ["new"]


def test_get_shard_iterator_errors(dynamodbstreams, stream):
    shard = only_shard(dynamodbstreams, stream)
    number = "1" * 21
    for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        code, _, status = error_of(
            dynamodbstreams.get_shard_iterator,
            StreamArn=stream,
            ShardId=shard,
            ShardIteratorType=kind,
        )
        assert (code, status) == ("ValidationException", 400)
    for kind in ("TRIM_HORIZON", "LATEST"):
        code, _, _ = error_of(
            dynamodbstreams.get_shard_iterator,
            StreamArn=stream,
            ShardId=shard,
            ShardIteratorType=kind,
            SequenceNumber=number,
        )
        assert code == "ValidationException"
    code, _, _ = error_of(
        dynamodbstreams.get_shard_iterator,
        StreamArn=stream,
        ShardId=shard,
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber="x" * 21,
    )
    assert code == "ValidationException"
    assert error_of(
        dynamodbstreams.get_shard_iterator,
        StreamArn=stream,
        ShardId="shardId-00000000000000000000-00000000",
        ShardIteratorType="LATEST",
    ) == ("ResourceNotFoundException", "Requested resource not found: Shard does not exist", 400)
    missing = stream.rsplit("/", 1)[0] + "/2000-01-01T00:00:00.000"
    assert error_of(
        dynamodbstreams.get_shard_iterator,
        StreamArn=missing,
        ShardId=shard,
        ShardIteratorType="LATEST",
    )[:2] == (
        "ResourceNotFoundException",
        f"Requested resource not found: Stream: {missing} not found",
    )


def test_get_records_pages_by_limit(dynamodb, dynamodbstreams, table_name, stream):
    shard = only_shard(dynamodbstreams, stream)
    put(dynamodb, table_name, "a", "b", "c")
    iterator = dynamodbstreams.get_shard_iterator(
        StreamArn=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    seen = []
    for _ in range(3):
        page = dynamodbstreams.get_records(ShardIterator=iterator, Limit=1)
        seen += written(page["Records"])
        iterator = page["NextShardIterator"]
    assert seen == ["a", "b", "c"]
    end = dynamodbstreams.get_records(ShardIterator=iterator, Limit=1000)
    assert end["Records"] == []
    assert end["NextShardIterator"]  # an open shard always gives one
    put(dynamodb, table_name, "d")
    assert written(
        dynamodbstreams.get_records(ShardIterator=end["NextShardIterator"])["Records"]
    ) == ["d"]


def test_get_records_errors(dynamodbstreams, stream, tidal_endpoint):
    shard = only_shard(dynamodbstreams, stream)
    iterator = dynamodbstreams.get_shard_iterator(
        StreamArn=stream, ShardId=shard, ShardIteratorType="LATEST"
    )["ShardIterator"]
    assert iterator.startswith(stream + "|1|")
    assert error_of(dynamodbstreams.get_records, ShardIterator=iterator, Limit=1001) == (
        "ValidationException",
        "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000",
        400,
    )
    unchecked = unchecked_streams(tidal_endpoint)
    assert error_of(unchecked.get_records, ShardIterator=iterator, Limit=0)[0] == (
        "ValidationException"
    )
    # scylladb's AWS-run test_get_records_nonexistent_iterator: ValidationException (our words).
    assert error_of(dynamodbstreams.get_records, ShardIterator="x" * 60) == (
        "ValidationException",
        "Invalid ShardIterator",
        400,
    )


def test_members_sent_as_null_are_left_out(
    dynamodb, dynamodbstreams, tidal_endpoint, table_name, stream
):
    """AWS reads a JSON null as a member left out, and an integer sent with a fraction as its
    whole part (both reached the domain as they came, and gave HTTP 500s)."""
    shard = only_shard(dynamodbstreams, stream)
    put(dynamodb, table_name, "a", "b")
    iterator = dynamodbstreams.get_shard_iterator(
        StreamArn=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]

    def call(operation: str, **body) -> tuple[int, dict]:
        status, _, answer = raw_streams(tidal_endpoint, operation, body)
        return status, answer

    status, page = call("GetRecords", ShardIterator=iterator, Limit=None)
    assert (status, written(page["Records"])) == (200, ["a", "b"])
    status, page = call("GetRecords", ShardIterator=iterator, Limit=1.5)
    assert (status, written(page["Records"])) == (200, ["a"])
    status, listed = call(
        "ListStreams", TableName=table_name, Limit=None, ExclusiveStartStreamArn=None
    )
    assert (status, [s["StreamArn"] for s in listed["Streams"]]) == (200, [stream])
    status, listed = call("ListStreams", TableName=table_name, Limit=1.5)
    assert (status, [s["StreamArn"] for s in listed["Streams"]]) == (200, [stream])
    status, described = call(
        "DescribeStream", StreamArn=stream, Limit=None, ExclusiveStartShardId=None, ShardFilter=None
    )
    assert (status, [s["ShardId"] for s in described["StreamDescription"]["Shards"]]) == (
        200,
        [shard],
    )
    status, refused = call(
        "GetShardIterator",
        StreamArn=stream,
        ShardId=shard,
        ShardIteratorType="AT_TIMESTAMP",
        Timestamp=None,
    )
    assert (status, refused["__type"].rpartition("#")[2]) == (400, "ValidationException")


def test_get_records_stops_at_one_megabyte(dynamodb, dynamodbstreams, table_name):
    arn = stream_table(dynamodb, table_name, "NEW_IMAGE")
    big = "x" * (300 * 1024)
    for name in "abcd":
        dynamodb.put_item(TableName=table_name, Item={"pk": {"S": name}, "v": {"S": big}})
    iterator = dynamodbstreams.get_shard_iterator(
        StreamArn=arn, ShardId=only_shard(dynamodbstreams, arn), ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    first = dynamodbstreams.get_records(ShardIterator=iterator)
    assert written(first["Records"]) == ["a", "b", "c"]
    second = dynamodbstreams.get_records(ShardIterator=first["NextShardIterator"])
    assert written(second["Records"]) == ["d"]


def test_iterators_expire_after_15_minutes(
    dynamodb, dynamodbstreams, table_name, stream, monkeypatch
):
    clock = Clock(monkeypatch)
    shard = only_shard(dynamodbstreams, stream)
    iterator = dynamodbstreams.get_shard_iterator(
        StreamArn=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    put(dynamodb, table_name, "a")
    clock.advance(14 * 60 + 59)
    page = dynamodbstreams.get_records(ShardIterator=iterator)
    assert written(page["Records"]) == ["a"]
    clock.advance(2)
    assert error_of(dynamodbstreams.get_records, ShardIterator=iterator) == (
        "ExpiredIteratorException",
        "The provided iterator exceeds the maximum age allowed.",
        400,
    )
    put(dynamodb, table_name, "b")
    fresh = dynamodbstreams.get_records(ShardIterator=page["NextShardIterator"])
    assert written(fresh["Records"]) == ["b"]
