"""The records a boto3 `dynamodbstreams` reader gets for each write path and view type.

Expected records follow reference/streams.md §4-§5 (scylladb test_streams.py do_updates_1 and
localstack's AWS snapshots): INSERT/MODIFY/REMOVE as AWS decides, no record for a write that
changes nothing, images as the view type says, SizeBytes the item size of Keys and images.
"""

from __future__ import annotations

import datetime
import time

import pytest

from tests.integration.streams_support import (
    VIEW_TYPES,
    images,
    raw_streams,
    read_stream,
    stream_table,
)

SHOWS_NEW = {"NEW_IMAGE", "NEW_AND_OLD_IMAGES"}
SHOWS_OLD = {"OLD_IMAGE", "NEW_AND_OLD_IMAGES"}


def size(item: dict) -> int:
    """The item size of an item of strings: the bytes of names and values."""
    return sum(len(name.encode()) + len(value["S"].encode()) for name, value in item.items())


def expected(view_type: str, name: str, keys: dict, old: dict | None, new: dict | None) -> dict:
    """The record AWS writes (reference/streams.md §4, images by view type)."""
    body: dict = {"Keys": keys}
    total = size(keys)
    if new is not None and view_type in SHOWS_NEW:
        body["NewImage"] = new
        total += size(new)
    if old is not None and view_type in SHOWS_OLD:
        body["OldImage"] = old
        total += size(old)
    body["SizeBytes"] = total
    body["StreamViewType"] = view_type
    return {
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": body,
    }


@pytest.mark.parametrize("view_type", VIEW_TYPES)
def test_put_update_delete_give_the_records_aws_gives(
    dynamodb, dynamodbstreams, table_name, view_type
):
    arn = stream_table(dynamodb, table_name, view_type)
    key = {"pk": {"S": "item"}}
    first = {**key, "a": {"S": "one"}}
    second = {**key, "b": {"S": "two"}}
    third = {**key, "b": {"S": "two"}, "c": {"S": "three"}}
    recreated = {**key, "d": {"S": "four"}}

    dynamodb.put_item(TableName=table_name, Item=first)
    dynamodb.put_item(TableName=table_name, Item=first)  # identical: no record
    dynamodb.put_item(TableName=table_name, Item=second)
    dynamodb.update_item(
        TableName=table_name,
        Key=key,
        UpdateExpression="SET c = :c",
        ExpressionAttributeValues={":c": {"S": "three"}},
    )
    dynamodb.update_item(  # sets what is there already: no record
        TableName=table_name,
        Key=key,
        UpdateExpression="SET c = :c REMOVE absent",
        ExpressionAttributeValues={":c": {"S": "three"}},
    )
    dynamodb.delete_item(TableName=table_name, Key=key)
    dynamodb.delete_item(TableName=table_name, Key=key)  # nothing to delete: no record
    dynamodb.update_item(
        TableName=table_name,
        Key=key,
        UpdateExpression="SET d = :d",
        ExpressionAttributeValues={":d": {"S": "four"}},
    )

    assert [images(record) for record in read_stream(dynamodbstreams, arn)] == [
        expected(view_type, "INSERT", key, None, first),
        expected(view_type, "MODIFY", key, first, second),
        expected(view_type, "MODIFY", key, second, third),
        expected(view_type, "REMOVE", key, third, None),
        expected(view_type, "INSERT", key, None, recreated),
    ]


def test_keys_of_a_table_with_a_sort_key(dynamodb, dynamodbstreams, table_name):
    arn = stream_table(dynamodb, table_name, "KEYS_ONLY", range_key=True)
    item = {"pk": {"S": "p"}, "sk": {"S": "s"}, "x": {"S": "y"}}
    dynamodb.put_item(TableName=table_name, Item=item)
    dynamodb.delete_item(TableName=table_name, Key={"pk": {"S": "p"}, "sk": {"S": "s"}})
    found = [images(record) for record in read_stream(dynamodbstreams, arn)]
    keys = {"pk": {"S": "p"}, "sk": {"S": "s"}}
    assert found == [
        expected("KEYS_ONLY", "INSERT", keys, None, item),
        expected("KEYS_ONLY", "REMOVE", keys, item, None),
    ]


def test_writes_that_change_nothing_have_no_record(dynamodb, dynamodbstreams, table_name):
    arn = stream_table(dynamodb, table_name, "NEW_AND_OLD_IMAGES")
    item = {
        "pk": {"S": "k"},
        "n": {"N": "5"},
        "tags": {"SS": ["a", "b", "c"]},
        "m": {"M": {"l": {"L": [{"N": "1"}, {"SS": ["x", "y"]}]}}},
    }
    dynamodb.put_item(TableName=table_name, Item=item)
    same_sets_reordered = {
        **item,
        "tags": {"SS": ["c", "a", "b"]},
        "m": {"M": {"l": {"L": [{"N": "1.0"}, {"SS": ["y", "x"]}]}}},
    }
    dynamodb.put_item(TableName=table_name, Item=same_sets_reordered)
    dynamodb.update_item(
        TableName=table_name,
        Key={"pk": {"S": "k"}},
        UpdateExpression="ADD n :zero",
        ExpressionAttributeValues={":zero": {"N": "0"}},
    )
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.put_item(
            TableName=table_name,
            Item={"pk": {"S": "k"}, "other": {"S": "value"}},
            ConditionExpression="attribute_not_exists(pk)",
        )
    records = read_stream(dynamodbstreams, arn)
    assert [record["eventName"] for record in records] == ["INSERT"]


def test_records_of_each_item_come_in_the_order_of_its_writes(
    dynamodb, dynamodbstreams, table_name
):
    arn = stream_table(dynamodb, table_name, "NEW_IMAGE")
    written: dict[str, list[str]] = {}
    for step in range(12):
        for name in ("a", "b", "c"):
            value = f"{name}{step}"
            key = {"pk": {"S": name}}
            if step % 4 == 3:
                dynamodb.delete_item(TableName=table_name, Key=key)
                written.setdefault(name, []).append("REMOVE")
            elif step % 4 == 1:
                dynamodb.update_item(
                    TableName=table_name,
                    Key=key,
                    UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"S": value}},
                )
                written.setdefault(name, []).append(value)
            else:
                dynamodb.put_item(TableName=table_name, Item={**key, "v": {"S": value}})
                written.setdefault(name, []).append(value)
    records = read_stream(dynamodbstreams, arn)
    numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
    assert all(number.isdigit() and len(number) >= 21 for number in numbers)
    assert [int(number) for number in numbers] == sorted({int(number) for number in numbers})
    seen: dict[str, list[str]] = {}
    for record in records:
        body = record["dynamodb"]
        seen.setdefault(body["Keys"]["pk"]["S"], []).append(
            body["NewImage"]["v"]["S"] if "NewImage" in body else record["eventName"]
        )
    assert seen == written
    assert len({record["eventID"] for record in records}) == len(records)


def test_record_times_and_ids(dynamodb, dynamodbstreams, table_name):
    arn = stream_table(dynamodb, table_name, "KEYS_ONLY")
    before = int(time.time())
    dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "k"}})
    after = time.time()
    (record,) = read_stream(dynamodbstreams, arn)
    made = record["dynamodb"]["ApproximateCreationDateTime"]
    assert isinstance(made, datetime.datetime)
    assert before <= made.timestamp() <= after
    assert made.timestamp() == int(made.timestamp())
    assert len(record["eventID"]) == 32
    assert int(record["eventID"], 16) >= 0
    assert "userIdentity" not in record


def test_get_records_wire_json(dynamodb, dynamodbstreams, tidal_endpoint, table_name):
    """The JSON itself: whole epoch seconds as a JSON float (AWS's docs and recorded events
    show `1.46480431E9`), images left out (not null), no eventSourceARN."""
    arn = stream_table(dynamodb, table_name, "NEW_IMAGE")
    dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "k"}, "n": {"N": "1.50"}})
    dynamodb.delete_item(TableName=table_name, Key={"pk": {"S": "k"}})
    shard = dynamodbstreams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = dynamodbstreams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    status, headers, body = raw_streams(tidal_endpoint, "GetRecords", {"ShardIterator": iterator})
    assert status == 200
    assert headers["Content-Type"] == "application/x-amz-json-1.0"
    insert, remove = body["Records"]
    assert list(insert) == [
        "eventID",
        "eventName",
        "eventVersion",
        "eventSource",
        "awsRegion",
        "dynamodb",
    ]
    made = insert["dynamodb"]["ApproximateCreationDateTime"]
    assert isinstance(made, float) and made == int(made)
    assert insert["dynamodb"]["NewImage"] == {"pk": {"S": "k"}, "n": {"N": "1.5"}}
    # Keys pk="k" (3), NewImage pk="k" (3) and n=1.5 (1 + 3: 1.5 costs 3 bytes on AWS)
    assert insert["dynamodb"]["SizeBytes"] == 3 + 3 + 1 + 3
    assert list(remove["dynamodb"]) == [
        "ApproximateCreationDateTime",
        "Keys",
        "SequenceNumber",
        "SizeBytes",
        "StreamViewType",
    ]
    assert "NextShardIterator" in body
