"""A stream's life: disable and re-enable, table deletion, shard rollover, retention.

The session server keeps AWS's defaults (shards roll over after 4 hours, records live 24
hours); the tests move its clock and run the due work with `stream_maintenance`.
"""

from __future__ import annotations

import pytest

from tests.integration.streams_support import (
    Clock,
    read_shard,
    read_stream,
    shards_of,
    stream_table,
)
from tests.integration.test_tables import error_of
from tidal.server.runner import Server
from tidal.streams import maintenance, shards, streams
from tidal.testing.plugin import client

HOUR = 3600


def put(dynamodb, table: str, *names: str) -> None:
    for name in names:
        dynamodb.put_item(TableName=table, Item={"pk": {"S": name}})


def written(records: list[dict]) -> list[str]:
    return [record["dynamodb"]["Keys"]["pk"]["S"] for record in records]


def test_disabled_stream_stays_readable_and_a_new_one_starts(dynamodb, dynamodbstreams, table_name):
    first = stream_table(dynamodb, table_name, "KEYS_ONLY")
    (shard,) = shards_of(dynamodbstreams, first)
    open_iterator = dynamodbstreams.get_shard_iterator(
        StreamArn=first, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    put(dynamodb, table_name, "a", "b")
    dynamodb.update_table(TableName=table_name, StreamSpecification={"StreamEnabled": False})
    put(dynamodb, table_name, "unstreamed")

    description = dynamodbstreams.describe_stream(StreamArn=first)["StreamDescription"]
    assert description["StreamStatus"] == "DISABLED"
    (closed,) = description["Shards"]
    records = read_shard(dynamodbstreams, first, closed["ShardId"])
    assert written(records) == ["a", "b"]
    assert (
        closed["SequenceNumberRange"]["EndingSequenceNumber"]
        == (records[-1]["dynamodb"]["SequenceNumber"])
    )
    page = dynamodbstreams.get_records(ShardIterator=open_iterator)
    assert written(page["Records"]) == ["a", "b"]
    assert "NextShardIterator" not in page  # the end of a closed shard
    last_page = dynamodbstreams.get_records(ShardIterator=open_iterator, Limit=2)
    assert written(last_page["Records"]) == ["a", "b"]
    assert "NextShardIterator" not in last_page  # its last record read: nothing follows
    first_page = dynamodbstreams.get_records(ShardIterator=open_iterator, Limit=1)
    assert written(first_page["Records"]) == ["a"]
    assert "NextShardIterator" in first_page

    enabled = dynamodb.update_table(
        TableName=table_name,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    second = enabled["LatestStreamArn"]
    assert second != first
    put(dynamodb, table_name, "c")
    assert written(read_stream(dynamodbstreams, second)) == ["c"]
    assert written(read_stream(dynamodbstreams, first)) == ["a", "b"]
    listed = dynamodbstreams.list_streams(TableName=table_name)["Streams"]
    assert [s["StreamArn"] for s in listed] == [first, second]
    statuses = [
        dynamodbstreams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"]
        for arn in (first, second)
    ]
    assert statuses == ["DISABLED", "ENABLED"]


def test_deleting_the_table_leaves_its_stream_readable(dynamodb, dynamodbstreams, table_name):
    arn = stream_table(dynamodb, table_name, "NEW_AND_OLD_IMAGES")
    put(dynamodb, table_name, "a")
    dynamodb.delete_table(TableName=table_name)
    description = dynamodbstreams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert description["StreamStatus"] == "DISABLED"
    assert "EndingSequenceNumber" in description["Shards"][0]["SequenceNumberRange"]
    assert written(read_stream(dynamodbstreams, arn)) == ["a"]
    assert [
        s["StreamArn"] for s in dynamodbstreams.list_streams(TableName=table_name)["Streams"]
    ] == [arn]


def test_rollover_closes_the_shard_and_a_reader_follows_lineage(
    dynamodb, dynamodbstreams, table_name, monkeypatch, stream_maintenance
):
    clock = Clock(monkeypatch)
    arn = stream_table(dynamodb, table_name, "NEW_IMAGE")
    (parent,) = shards_of(dynamodbstreams, arn)
    put(dynamodb, table_name, "a", "b", "c")
    clock.advance(4 * HOUR - 60)
    put(dynamodb, table_name, "d")
    assert len(shards_of(dynamodbstreams, arn)) == 1
    clock.advance(60)
    put(dynamodb, table_name, "e", "f")  # the first write after 4 hours opens a child shard
    clock.advance(4 * HOUR)
    stream_maintenance()  # an idle shard rolls over too
    put(dynamodb, table_name, "g")

    shards = shards_of(dynamodbstreams, arn)
    assert len(shards) == 3
    assert [shard.get("ParentShardId") for shard in shards] == [
        None,
        shards[0]["ShardId"],
        shards[1]["ShardId"],
    ]
    assert [shard["ShardId"] for shard in shards] == sorted(shard["ShardId"] for shard in shards)
    ranges = [shard["SequenceNumberRange"] for shard in shards]
    assert "EndingSequenceNumber" in ranges[0] and "EndingSequenceNumber" in ranges[1]
    assert "EndingSequenceNumber" not in ranges[2]
    numbers = [int(ranges[0]["StartingSequenceNumber"])]
    for numbered in ranges[:2]:
        numbers += [int(numbered["EndingSequenceNumber"])]
    numbers.append(int(ranges[2]["StartingSequenceNumber"]))
    assert numbers == sorted(numbers) and len(set(numbers)) == 4

    records = read_stream(dynamodbstreams, arn)
    assert written(records) == ["a", "b", "c", "d", "e", "f", "g"]
    sequence = [int(record["dynamodb"]["SequenceNumber"]) for record in records]
    assert sequence == sorted(set(sequence))
    assert written(read_shard(dynamodbstreams, arn, shards[1]["ShardId"])) == ["e", "f"]

    reader = dynamodbstreams.get_shard_iterator(
        StreamArn=arn,
        ShardId=parent["ShardId"],
        ShardIteratorType="AFTER_SEQUENCE_NUMBER",
        SequenceNumber=records[1]["dynamodb"]["SequenceNumber"],
    )["ShardIterator"]
    page = dynamodbstreams.get_records(ShardIterator=reader)
    assert written(page["Records"]) == ["c", "d"]
    assert "NextShardIterator" not in page  # the parent is done: on to its child

    first_page = dynamodbstreams.describe_stream(StreamArn=arn, Limit=2)["StreamDescription"]
    assert [s["ShardId"] for s in first_page["Shards"]] == [s["ShardId"] for s in shards[:2]]
    assert first_page["LastEvaluatedShardId"] == shards[1]["ShardId"]
    children = dynamodbstreams.describe_stream(
        StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": shards[0]["ShardId"]}
    )["StreamDescription"]["Shards"]
    assert children == [shards[1]]


def test_retention_trims_old_records(
    dynamodb, dynamodbstreams, table_name, monkeypatch, stream_maintenance
):
    clock = Clock(monkeypatch)
    arn = stream_table(dynamodb, table_name, "KEYS_ONLY")
    put(dynamodb, table_name, "a", "b")
    clock.advance(23 * HOUR)
    put(dynamodb, table_name, "c")
    clock.advance(2 * HOUR)
    parent, child = shards_of(dynamodbstreams, arn)
    old = read_shard(dynamodbstreams, arn, parent["ShardId"])
    assert written(old) == ["a", "b"]
    held = dynamodbstreams.get_shard_iterator(
        StreamArn=arn, ShardId=parent["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]

    stream_maintenance()

    assert written(read_stream(dynamodbstreams, arn)) == ["c"]
    trimmed = ("TrimmedDataAccessException", "The data you are trying to access has been trimmed.")
    assert error_of(dynamodbstreams.get_records, ShardIterator=held)[:2] == trimmed
    assert (
        error_of(
            dynamodbstreams.get_shard_iterator,
            StreamArn=arn,
            ShardId=parent["ShardId"],
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=old[0]["dynamodb"]["SequenceNumber"],
        )[:2]
        == trimmed
    )
    after_b = read_shard(
        dynamodbstreams,
        arn,
        parent["ShardId"],
        ShardIteratorType="AFTER_SEQUENCE_NUMBER",
        SequenceNumber=old[1]["dynamodb"]["SequenceNumber"],
    )
    assert after_b == []

    clock.advance(24 * HOUR)  # the parent closed a day ago and holds nothing: it goes
    stream_maintenance()
    left = [s["ShardId"] for s in shards_of(dynamodbstreams, arn)]
    assert parent["ShardId"] not in left
    assert left[0] == child["ShardId"]
    assert error_of(
        dynamodbstreams.get_shard_iterator,
        StreamArn=arn,
        ShardId=parent["ShardId"],
        ShardIteratorType="TRIM_HORIZON",
    )[:2] == ("ResourceNotFoundException", "Requested resource not found: Shard does not exist")
    assert written(read_stream(dynamodbstreams, arn)) == []


@pytest.mark.parametrize("how", ["disable", "delete table"])
def test_an_ended_stream_goes_once_its_records_expire(
    dynamodb, dynamodbstreams, table_name, monkeypatch, stream_maintenance, how
):
    clock = Clock(monkeypatch)
    arn = stream_table(dynamodb, table_name, "KEYS_ONLY")
    put(dynamodb, table_name, "a")
    if how == "disable":
        dynamodb.update_table(TableName=table_name, StreamSpecification={"StreamEnabled": False})
    else:
        dynamodb.delete_table(TableName=table_name)
    clock.advance(23 * HOUR)
    stream_maintenance()
    assert written(read_stream(dynamodbstreams, arn)) == ["a"]
    clock.advance(2 * HOUR)
    stream_maintenance()
    assert dynamodbstreams.list_streams(TableName=table_name)["Streams"] == []
    assert error_of(dynamodbstreams.describe_stream, StreamArn=arn)[0] == (
        "ResourceNotFoundException"
    )


def test_trimming_goes_in_batches(monkeypatch):
    """Retention deletes at most a batch of records per transaction, oldest first."""
    clock = Clock(monkeypatch)
    with Server() as server:
        dynamodb = client("dynamodb", server.endpoint)
        dynamodbstreams = client("dynamodbstreams", server.endpoint)
        with maintenance.held(server.runtime):
            arn = stream_table(dynamodb, "batched", "KEYS_ONLY")
            put(dynamodb, "batched", "a", "b", "c", "d", "e")
            clock.advance(25 * HOUR)
            left = []
            while True:
                more, _ = maintenance.maintain(server.runtime, batch=2)
                left.append(len(read_stream(dynamodbstreams, arn)))
                if not more:
                    break
    assert left == [3, 1, 0]


def test_a_stream_without_its_document_is_adopted(
    dynamodb, dynamodbstreams, table_name, tidal_server
):
    """A table whose stream predates the stream's document (data written by an older Tidal)
    gets the document, and a shard, from its first write."""
    arn = stream_table(dynamodb, table_name, "NEW_IMAGE")
    with tidal_server.runtime.store.transaction() as txn:
        shards.writers(tidal_server.runtime).changing(txn, arn)
        txn.delete_doc(streams.NAMESPACE, streams.key_of(arn))
    assert dynamodbstreams.list_streams(TableName=table_name)["Streams"] == []
    put(dynamodb, table_name, "a")
    description = dynamodbstreams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert description["StreamStatus"] == "ENABLED"
    assert description["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert description["StreamLabel"] == arn.rsplit("/", 1)[1]
    assert written(read_stream(dynamodbstreams, arn)) == ["a"]
