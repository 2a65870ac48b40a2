"""Items expire: the TTL sweeper deletes them from the table and its indexes.

`expire_now()` (the plugin's hook) runs one sweep; while a test holds it the background
sweeper waits, so what is deleted when is up to the test. Time moves with monkeypatch on
`tidal.core.clock.now`.

Sources: DG howitworks-ttl (epoch seconds in a Number; not more than five years back;
expired items read normally until deleted; deletes leave the indexes too);
scylladb test/alternator/test_ttl.py (numbers such as 1234567e1 and fractions expire, strings
never, items written before TTL was enabled expire too, the TTL attribute may be a key).
"""

from __future__ import annotations

import time

import pytest

from tests.integration.support import create_table, gsi
from tests.integration.test_serve import Served
from tests.integration.test_tables import error_of
from tidal.core import clock
from tidal.dynamodb import expiry
from tidal.testing.plugin import client

YEAR = 365 * 24 * 3600


@pytest.fixture
def table(dynamodb, table_name):
    create_table(
        dynamodb,
        table_name,
        indexed=(("status", "S"),),
        GlobalSecondaryIndexes=[gsi("by-status", "status")],
    )
    dynamodb.update_time_to_live(
        TableName=table_name, TimeToLiveSpecification={"AttributeName": "exp", "Enabled": True}
    )
    return table_name


def put(dynamodb, table: str, name: str, **attributes: dict) -> None:
    item = {"pk": {"S": name}, "status": {"S": "open"}, **attributes}
    dynamodb.put_item(TableName=table, Item=item)


def alive(dynamodb, table: str, name: str) -> bool:
    return "Item" in dynamodb.get_item(TableName=table, Key={"pk": {"S": name}})


def survivors(dynamodb, table: str, *names: str) -> set[str]:
    return {name for name in names if alive(dynamodb, table, name)}


def counts(dynamodb, table: str) -> tuple[int, int]:
    described = dynamodb.describe_table(TableName=table)["Table"]
    return described["ItemCount"], described["GlobalSecondaryIndexes"][0]["ItemCount"]


def at(seconds: float) -> dict:
    """A TTL value `seconds` from now."""
    return {"N": str(int(clock.now() + seconds))}


def test_expired_items_leave_the_table_and_its_index(dynamodb, table, expire_now):
    put(dynamodb, table, "expired", exp=at(-60))
    put(dynamodb, table, "future", exp=at(3600))
    assert counts(dynamodb, table) == (2, 2)
    assert alive(dynamodb, table, "expired"), "an expired item reads normally until deleted"
    assert expire_now() == 1
    assert survivors(dynamodb, table, "expired", "future") == {"future"}
    assert counts(dynamodb, table) == (1, 1)
    assert expire_now() == 0


def test_only_recent_numbers_expire(dynamodb, table, expire_now):
    now = int(clock.now())
    put(dynamodb, table, "string", exp={"S": str(now - 60)})
    put(dynamodb, table, "number-set", exp={"NS": [str(now - 60)]})
    put(dynamodb, table, "list", exp={"L": [{"N": str(now - 60)}]})
    put(dynamodb, table, "missing")
    put(dynamodb, table, "six-years-old", exp=at(-6 * YEAR))
    put(dynamodb, table, "four-years-old", exp=at(-4 * YEAR))
    put(dynamodb, table, "exponent", exp={"N": f"{(now - 60) // 10}e1"})
    put(dynamodb, table, "fraction", exp={"N": f"{now - 60}.25"})
    put(dynamodb, table, "future", exp=at(3600))
    assert expire_now() == 3
    assert survivors(
        dynamodb,
        table,
        *("string", "number-set", "list", "missing", "six-years-old"),
        *("four-years-old", "exponent", "fraction", "future"),
    ) == {"string", "number-set", "list", "missing", "six-years-old", "future"}


def test_items_expire_as_time_passes(dynamodb, table, expire_now, monkeypatch):
    put(dynamodb, table, "soon", exp=at(100))
    put(dynamodb, table, "later", exp=at(1000))
    assert expire_now() == 0
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now + 500)
    assert alive(dynamodb, table, "soon")
    assert expire_now() == 1
    assert survivors(dynamodb, table, "soon", "later") == {"later"}


def test_an_item_expires_only_once_its_moment_is_past(dynamodb, table, expire_now, monkeypatch):
    moment = int(clock.now()) + 100
    put(dynamodb, table, "item", exp={"N": str(moment)})
    monkeypatch.setattr(clock, "now", lambda: float(moment))
    assert expire_now() == 0
    monkeypatch.setattr(clock, "now", lambda: moment + 0.001)
    assert expire_now() == 1


def test_updating_the_ttl_attribute_moves_the_expiry(dynamodb, table, expire_now):
    put(dynamodb, table, "postponed", exp=at(-60))
    put(dynamodb, table, "advanced", exp=at(3600))
    put(dynamodb, table, "cleared", exp=at(-60))
    put(dynamodb, table, "retyped", exp=at(-60))
    update = dynamodb.update_item
    update(
        TableName=table,
        Key={"pk": {"S": "postponed"}},
        UpdateExpression="SET exp = :t",
        ExpressionAttributeValues={":t": at(3600)},
    )
    update(
        TableName=table,
        Key={"pk": {"S": "advanced"}},
        UpdateExpression="SET exp = :t",
        ExpressionAttributeValues={":t": at(-60)},
    )
    update(TableName=table, Key={"pk": {"S": "cleared"}}, UpdateExpression="REMOVE exp")
    update(
        TableName=table,
        Key={"pk": {"S": "retyped"}},
        UpdateExpression="SET exp = :t",
        ExpressionAttributeValues={":t": {"S": "1"}},
    )
    assert expire_now() == 1
    assert survivors(dynamodb, table, "postponed", "advanced", "cleared", "retyped") == {
        "postponed",
        "cleared",
        "retyped",
    }


def test_overwritten_and_deleted_items_are_not_expired_later(dynamodb, table, expire_now):
    put(dynamodb, table, "overwritten", exp=at(-60))
    put(dynamodb, table, "overwritten")
    put(dynamodb, table, "recreated", exp=at(-60))
    dynamodb.delete_item(TableName=table, Key={"pk": {"S": "recreated"}})
    put(dynamodb, table, "recreated", exp=at(3600))
    assert expire_now() == 0
    assert survivors(dynamodb, table, "overwritten", "recreated") == {"overwritten", "recreated"}


def test_items_written_before_ttl_was_enabled_expire(dynamodb, table_name, expire_now):
    create_table(dynamodb, table_name)
    put(dynamodb, table_name, "old", exp=at(-60))
    put(dynamodb, table_name, "young", exp=at(3600))
    assert expire_now() == 0
    dynamodb.update_time_to_live(
        TableName=table_name, TimeToLiveSpecification={"AttributeName": "exp", "Enabled": True}
    )
    assert expire_now() == 1
    assert survivors(dynamodb, table_name, "old", "young") == {"young"}


def test_disabling_ttl_stops_expiry(dynamodb, table, expire_now):
    put(dynamodb, table, "item", exp=at(-60))
    dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"AttributeName": "exp", "Enabled": False}
    )
    put(dynamodb, table, "written-while-disabled", exp=at(-60))
    assert expire_now() == 0
    assert survivors(dynamodb, table, "item", "written-while-disabled") == {
        "item",
        "written-while-disabled",
    }
    dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"AttributeName": "other", "Enabled": True}
    )
    assert expire_now() == 0
    dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"AttributeName": "other", "Enabled": False}
    )
    dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"AttributeName": "exp", "Enabled": True}
    )
    assert expire_now() == 2


def test_a_key_attribute_as_the_ttl_attribute(dynamodb, table_name, expire_now):
    create_table(dynamodb, table_name, hash_key=("id", "S"), range_key=("at", "N"))
    dynamodb.update_time_to_live(
        TableName=table_name, TimeToLiveSpecification={"AttributeName": "at", "Enabled": True}
    )
    for moment in (at(-60), at(3600)):
        dynamodb.put_item(TableName=table_name, Item={"id": {"S": "x"}, "at": moment})
    assert expire_now() == 1
    assert dynamodb.describe_table(TableName=table_name)["Table"]["ItemCount"] == 1


def test_a_deleted_and_recreated_table_starts_afresh(dynamodb, table, expire_now):
    put(dynamodb, table, "item", exp=at(-60))
    dynamodb.delete_table(TableName=table)
    create_table(dynamodb, table)
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "item"}, "exp": at(-60)})
    assert dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"
    }
    assert expire_now() == 0
    assert alive(dynamodb, table, "item")


def test_the_background_sweeper_deletes_on_its_own(dynamodb, table, tidal_server):
    put(dynamodb, table, "expired", exp=at(-60))
    put(dynamodb, table, "future", exp=at(3600))
    sweeper = expiry.sweeper(tidal_server.runtime)
    passes = sweeper.passes
    while alive(dynamodb, table, "expired"):
        assert sweeper.wait_for_pass(passes, timeout=10), "the sweeper did not run"
        passes = sweeper.passes
    assert counts(dynamodb, table) == (1, 1)


def test_expiry_survives_a_restart_and_the_flags_apply(tmp_path):
    """TTL settings and the expiry index are stored; a restarted server sweeps at once."""
    first = Served("--ttl-interval", "1h", cwd=tmp_path)
    try:
        dynamodb = client("dynamodb", first.endpoint)
        create_table(dynamodb, "things")
        dynamodb.update_time_to_live(
            TableName="things", TimeToLiveSpecification={"AttributeName": "exp", "Enabled": True}
        )
        dynamodb.put_item(TableName="things", Item={"pk": {"S": "expired"}, "exp": at(-60)})
        dynamodb.put_item(TableName="things", Item={"pk": {"S": "future"}, "exp": at(3600)})
        assert alive(dynamodb, "things", "expired")
    finally:
        assert first.stop() == 0
    second = Served(cwd=tmp_path, env={"TIDAL_TTL_INTERVAL": "10ms", "TIDAL_TTL_COOLDOWN": "1h"})
    try:
        dynamodb = client("dynamodb", second.endpoint)
        deadline = time.monotonic() + 10
        while alive(dynamodb, "things", "expired"):
            assert time.monotonic() < deadline, "the restarted server did not sweep"
        assert alive(dynamodb, "things", "future")
        assert error_of(
            dynamodb.update_time_to_live,
            TableName="things",
            TimeToLiveSpecification={"AttributeName": "exp", "Enabled": False},
        ) == (
            "ValidationException",
            "Time to live has been modified multiple times within a fixed interval",
            400,
        )
    finally:
        assert second.stop() == 0


def test_batch_writes_are_indexed_too(dynamodb, table, expire_now):
    dynamodb.batch_write_item(
        RequestItems={
            table: [
                {"PutRequest": {"Item": {"pk": {"S": "expired"}, "exp": at(-60)}}},
                {"PutRequest": {"Item": {"pk": {"S": "future"}, "exp": at(3600)}}},
            ]
        }
    )
    assert expire_now() == 1
    assert survivors(dynamodb, table, "expired", "future") == {"future"}


def test_the_stream_records_a_service_remove(dynamodb, table_name, tidal_endpoint, expire_now):
    """streams.md §4: a TTL delete is a REMOVE whose userIdentity names the DynamoDB service."""
    create_table(
        dynamodb,
        table_name,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    dynamodb.update_time_to_live(
        TableName=table_name, TimeToLiveSpecification={"AttributeName": "exp", "Enabled": True}
    )
    item = {"pk": {"S": "expired"}, "exp": at(-60)}
    dynamodb.put_item(TableName=table_name, Item=item)
    dynamodb.delete_item(TableName=table_name, Key={"pk": {"S": "expired"}})
    dynamodb.put_item(TableName=table_name, Item=item)
    assert expire_now() == 1
    streams = client("dynamodbstreams", tidal_endpoint)
    arn = dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
    (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [record["eventName"] for record in records] == ["INSERT", "REMOVE", "INSERT", "REMOVE"]
    user_delete, ttl_delete = records[1], records[3]
    assert "userIdentity" not in user_delete
    assert ttl_delete["userIdentity"] == {
        "Type": "Service",
        "PrincipalId": "dynamodb.amazonaws.com",
    }
    assert ttl_delete["dynamodb"]["OldImage"] == item
