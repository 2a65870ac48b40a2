"""A change and its record commit together: after a crash, and when a transaction rolls back."""

from __future__ import annotations

import asyncio
import signal

import pytest

from tests.integration.streams_support import Clock, read_stream, shards_of, stream_table
from tests.integration.test_serve import Served, kill_during_writes
from tidal.core.events import ITEM_CHANGED, ItemChange
from tidal.streams import streams
from tidal.streams.notify import wait_for_records
from tidal.testing.plugin import client

HOUR = 3600


@pytest.fixture
def serve(tmp_path):
    started: list[Served] = []

    def start(*args: str) -> Served:
        served = Served(*args, cwd=tmp_path)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop(signal.SIGKILL)


def test_kill_9_during_writes_leaves_one_record_per_acknowledged_write(serve):
    """Writes race a SIGKILL while shards roll over every second; after a restart every
    acknowledged write has exactly one record and every record's change is in the table."""
    served = serve("--shard-rollover", "1s")
    dynamodb = client("dynamodb", served.endpoint)
    arn = stream_table(dynamodb, "things", "NEW_IMAGE")
    acknowledged = kill_during_writes(served, "things", writes_before_kill=300)

    reopened = serve("--shard-rollover", "1s")
    dynamodb = client("dynamodb", reopened.endpoint)
    reader = client("dynamodbstreams", reopened.endpoint)
    dynamodb.put_item(TableName="things", Item={"pk": {"S": "after"}})
    records = read_stream(reader, arn)
    keys = [record["dynamodb"]["Keys"]["pk"]["S"] for record in records]
    assert len(shards_of(reader, arn)) > 1
    assert len(keys) == len(set(keys))
    assert set(acknowledged) <= set(keys)
    assert keys[-1] == "after"
    numbers = [int(record["dynamodb"]["SequenceNumber"]) for record in records]
    assert numbers == sorted(numbers)
    for record in records:
        key = record["dynamodb"]["Keys"]
        item = dynamodb.get_item(TableName="things", Key=key, ConsistentRead=True)
        assert item["Item"] == record["dynamodb"]["NewImage"], key


def change(arn: str, table: str, key: str) -> ItemChange:
    return ItemChange(
        account="000000000000",
        region="us-east-1",
        table_name=table,
        stream_arn=arn,
        view_type="KEYS_ONLY",
        key_names=("pk",),
        old=None,
        new={"pk": {"S": key}},
    )


class Abort(Exception):
    pass


def test_a_rolled_back_write_leaves_no_record_and_wakes_nobody(
    dynamodb, dynamodbstreams, table_name, tidal_server
):
    arn = stream_table(dynamodb, table_name, "KEYS_ONLY")
    dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "a"}})
    runtime = tidal_server.runtime
    with runtime.store.transaction(write=False) as txn:
        newest = str(streams.newest_sequence(txn, arn))
    with pytest.raises(Abort), runtime.store.transaction() as txn:
        runtime.hooks.publish(ITEM_CHANGED, txn, change(arn, table_name, "ghost"))
        raise Abort
    assert not asyncio.run(wait_for_records(runtime, arn, newest, 0.01))
    dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "b"}})
    records = read_stream(dynamodbstreams, arn)
    assert [record["dynamodb"]["Keys"]["pk"]["S"] for record in records] == ["a", "b"]


def test_a_rolled_back_rollover_leaves_the_shards_as_they_were(
    dynamodb, dynamodbstreams, table_name, tidal_server, monkeypatch, stream_maintenance
):
    clock = Clock(monkeypatch)
    arn = stream_table(dynamodb, table_name, "KEYS_ONLY")
    dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "a"}})
    clock.advance(5 * HOUR)
    runtime = tidal_server.runtime
    with pytest.raises(Abort), runtime.store.transaction() as txn:
        runtime.hooks.publish(ITEM_CHANGED, txn, change(arn, table_name, "ghost"))
        raise Abort
    assert len(shards_of(dynamodbstreams, arn)) == 1
    dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "b"}})
    parent, child = shards_of(dynamodbstreams, arn)
    assert child["ParentShardId"] == parent["ShardId"]
    records = read_stream(dynamodbstreams, arn)
    assert [record["dynamodb"]["Keys"]["pk"]["S"] for record in records] == ["a", "b"]
