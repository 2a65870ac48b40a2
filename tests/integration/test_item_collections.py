"""Item collection metrics (ReturnItemCollectionMetrics: SIZE) and the item collection size
limit, on the writes that report them.

Sources: DG LSI.html "Item collections" (`SizeEstimateRangeGB: [0.0, 1.0]` for a small
collection; the 10 GB limit, writes that shrink a full collection still allowed; tables without
local secondary indexes report nothing); DG Programming.Errors (ItemCollectionSizeLimitExceeded
Exception, "Collection size exceeded."); nubo-db/dynamodb-conformance
tests/tier1/putItem/itemCollectionMetrics.test.ts. The limit and the gigabyte are patched to a
few bytes to reach them: the server runs in this process.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.integration.support import create_table, gsi
from tests.integration.test_tables import error_of
from tidal.dynamodb import item_collections

LIMIT_EXCEEDED = ("ItemCollectionSizeLimitExceededException", "Collection size exceeded.", 400)
SMALL = {"ItemCollectionKey": {"pk": {"S": "c"}}, "SizeEstimateRangeGB": [0.0, 1.0]}


@pytest.fixture
def table(dynamodb, table_name):
    return create_table(
        dynamodb,
        table_name,
        range_key=("sk", "S"),
        indexed=(("placed", "S"),),
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-placed",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "placed", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


@pytest.fixture
def plain_table(dynamodb, table_name):
    """A table with a global but no local secondary index: it has no item collections."""
    return create_table(
        dynamodb,
        table_name + "-plain",
        range_key=("sk", "S"),
        indexed=(("placed", "S"),),
        GlobalSecondaryIndexes=[gsi("by-placed", "placed")],
    )


def item(sk: str, size: int = 0) -> dict:
    """An item of collection "c"; `size` pads it to that many bytes."""
    base = {"pk": {"S": "c"}, "sk": {"S": sk}, "placed": {"S": "p"}}
    if size:
        base["pad"] = {"S": "x" * (size - 2 - 1 - 2 - len(sk) - 6 - 1 - 3)}
    return base


def key(sk: str) -> dict:
    return {"pk": {"S": "c"}, "sk": {"S": sk}}


def test_single_item_writes_report_their_collection(dynamodb, table):
    put = dynamodb.put_item(TableName=table, Item=item("a"), ReturnItemCollectionMetrics="SIZE")
    assert put["ItemCollectionMetrics"] == SMALL
    update = dynamodb.update_item(
        TableName=table,
        Key=key("a"),
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"S": "x"}},
        ReturnItemCollectionMetrics="SIZE",
    )
    assert update["ItemCollectionMetrics"] == SMALL
    delete = dynamodb.delete_item(TableName=table, Key=key("a"), ReturnItemCollectionMetrics="SIZE")
    assert delete["ItemCollectionMetrics"] == SMALL
    quiet = dynamodb.put_item(TableName=table, Item=item("a"), ReturnItemCollectionMetrics="NONE")
    assert "ItemCollectionMetrics" not in quiet


def test_batches_and_transactions_report_per_table(dynamodb, table, plain_table):
    other = {"pk": {"S": "d"}, "sk": {"S": "1"}}
    batch = dynamodb.batch_write_item(
        RequestItems={
            table: [{"PutRequest": {"Item": item("a")}}, {"DeleteRequest": {"Key": other}}],
            plain_table: [{"PutRequest": {"Item": item("a")}}],
        },
        ReturnItemCollectionMetrics="SIZE",
    )
    assert batch["ItemCollectionMetrics"] == {
        table: [SMALL, {"ItemCollectionKey": {"pk": {"S": "d"}}, "SizeEstimateRangeGB": [0.0, 1.0]}]
    }
    transaction = dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": item("b")}},
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": key("a"),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
            {"Put": {"TableName": plain_table, "Item": item("b")}},
        ],
        ReturnItemCollectionMetrics="SIZE",
    )
    assert transaction["ItemCollectionMetrics"] == {table: [SMALL]}


def test_tables_without_local_indexes_report_nothing(dynamodb, plain_table):
    put = dynamodb.put_item(
        TableName=plain_table, Item=item("a"), ReturnItemCollectionMetrics="SIZE"
    )
    assert "ItemCollectionMetrics" not in put
    batch = dynamodb.batch_write_item(
        RequestItems={plain_table: [{"PutRequest": {"Item": item("b")}}]},
        ReturnItemCollectionMetrics="SIZE",
    )
    assert "ItemCollectionMetrics" not in batch


def test_the_estimate_is_the_gigabyte_the_collection_falls_in(dynamodb, table, monkeypatch):
    """With a "gigabyte" of 1,000 bytes, 2 items of 600 bytes plus their LSI rows (2,400 bytes)
    lie between 2 and 3 of them."""
    monkeypatch.setattr(item_collections, "GIGABYTE", 1000)
    dynamodb.put_item(TableName=table, Item=item("a", 600))
    put = dynamodb.put_item(
        TableName=table, Item=item("b", 600), ReturnItemCollectionMetrics="SIZE"
    )
    assert put["ItemCollectionMetrics"]["SizeEstimateRangeGB"] == [2.0, 3.0]
    other = dynamodb.put_item(
        TableName=table,
        Item={"pk": {"S": "other"}, "sk": {"S": "1"}},
        ReturnItemCollectionMetrics="SIZE",
    )
    assert other["ItemCollectionMetrics"]["SizeEstimateRangeGB"] == [0.0, 1.0]


def test_a_full_collection_refuses_to_grow(dynamodb, table, monkeypatch):
    """With a limit of 3,000 bytes, two 600-byte items and their LSI rows (2,400) leave room
    for nothing bigger than 300 bytes."""
    monkeypatch.setattr(item_collections, "MAX_COLLECTION_BYTES", 3000)
    for sk in ("a", "b"):
        dynamodb.put_item(TableName=table, Item=item(sk, 600))

    assert error_of(dynamodb.put_item, TableName=table, Item=item("c", 400)) == LIMIT_EXCEEDED
    assert (
        error_of(
            dynamodb.update_item,
            TableName=table,
            Key=key("a"),
            UpdateExpression="SET more = :v",
            ExpressionAttributeValues={":v": {"S": "x" * 300}},
        )
        == LIMIT_EXCEEDED
    )
    assert (
        error_of(
            dynamodb.batch_write_item,
            RequestItems={table: [{"PutRequest": {"Item": item("c", 400)}}]},
        )
        == LIMIT_EXCEEDED
    )
    assert "Item" not in dynamodb.get_item(TableName=table, Key=key("c"))

    with pytest.raises(ClientError) as caught:
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "elsewhere"}, "sk": {"S": "1"}}}},
                {"Put": {"TableName": table, "Item": item("c", 400)}},
            ]
        )
    assert caught.value.response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ItemCollectionSizeLimitExceeded", "Message": "Collection size exceeded."},
    ]

    dynamodb.put_item(TableName=table, Item=item("a", 500))
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "elsewhere"}, "sk": {"S": "1"}})
    dynamodb.delete_item(TableName=table, Key=key("b"))
    dynamodb.put_item(TableName=table, Item=item("c", 400))
