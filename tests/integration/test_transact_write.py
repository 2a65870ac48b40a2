"""TransactWriteItems: Put, Update, Delete and ConditionCheck across tables, all or nothing.

A cancelled transaction leaves every table as it was: base items and index rows alike.
Sources: nubo-db/dynamodb-conformance tests/tier2/transactions/transactWrite.test.ts and
tests/tier3/error-messages/transactWriteItems.test.ts (captured on AWS, capacity included);
getmoto/moto test_dynamodb_transact.py (tests marked aws_verified); localstack snapshots
(an empty answer `{}`, status 400 for a cancellation).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.integration.support import create_table, gsi

CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]"
FAILED = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
NONE = {"Code": "None"}


@pytest.fixture
def tables(dynamodb, table_name):
    """`orders` (a GSI on status, an LSI on placed) and `stock` (hash and range key)."""
    orders = create_table(
        dynamodb,
        table_name,
        range_key=("sk", "S"),
        indexed=(("status", "S"), ("placed", "N")),
        GlobalSecondaryIndexes=[gsi("by-status", "status")],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-placed",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "placed", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    stock = create_table(dynamodb, table_name + "-stock")
    return orders, stock


def order(n: int, **attributes: dict) -> dict:
    return {"pk": {"S": "customer"}, "sk": {"S": f"order-{n}"}, **attributes}


def order_key(n: int) -> dict:
    return {"pk": {"S": "customer"}, "sk": {"S": f"order-{n}"}}


def stored(dynamodb, table: str, key: dict) -> dict | None:
    return dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def counts(dynamodb, table: str) -> dict[str, int]:
    described = dynamodb.describe_table(TableName=table)["Table"]
    indexes = described.get("GlobalSecondaryIndexes", []) + described.get(
        "LocalSecondaryIndexes", []
    )
    return {"table": described["ItemCount"]} | {
        index["IndexName"]: index["ItemCount"] for index in indexes
    }


def cancellation(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    assert response["Error"]["Code"] == "TransactionCanceledException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return response


def test_every_action_across_two_tables(dynamodb, tables):
    orders, stock = tables
    dynamodb.put_item(TableName=orders, Item=order(2, status={"S": "open"}))
    dynamodb.put_item(TableName=orders, Item=order(3))
    dynamodb.put_item(TableName=stock, Item={"pk": {"S": "widget"}, "left": {"N": "5"}})
    response = dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": orders, "Item": order(1, status={"S": "new"})}},
            {
                "Update": {
                    "TableName": orders,
                    "Key": order_key(2),
                    "UpdateExpression": "SET #s = :s",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":s": {"S": "shipped"}},
                }
            },
            {"Delete": {"TableName": orders, "Key": order_key(3)}},
            {
                "ConditionCheck": {
                    "TableName": stock,
                    "Key": {"pk": {"S": "widget"}},
                    "ConditionExpression": "#l > :zero",
                    "ExpressionAttributeNames": {"#l": "left"},
                    "ExpressionAttributeValues": {":zero": {"N": "0"}},
                }
            },
        ]
    )
    assert {name: value for name, value in response.items() if name != "ResponseMetadata"} == {}
    assert stored(dynamodb, orders, order_key(1)) == order(1, status={"S": "new"})
    assert stored(dynamodb, orders, order_key(2)) == order(2, status={"S": "shipped"})
    assert stored(dynamodb, orders, order_key(3)) is None
    assert counts(dynamodb, orders) == {"table": 2, "by-status": 2, "by-placed": 0}


def test_update_creates_a_missing_item_unless_the_condition_says_otherwise(dynamodb, tables):
    _, stock = tables
    dynamodb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": stock,
                    "Key": {"pk": {"S": "new"}},
                    "UpdateExpression": "ADD hits :one",
                    "ConditionExpression": "attribute_not_exists(pk)",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            }
        ]
    )
    assert stored(dynamodb, stock, {"pk": {"S": "new"}}) == {
        "pk": {"S": "new"},
        "hits": {"N": "1"},
    }
    cancelled = cancellation(
        dynamodb.transact_write_items,
        TransactItems=[
            {
                "Update": {
                    "TableName": stock,
                    "Key": {"pk": {"S": "ghost"}},
                    "UpdateExpression": "ADD hits :one",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            }
        ],
    )
    assert cancelled["CancellationReasons"] == [FAILED]
    assert stored(dynamodb, stock, {"pk": {"S": "ghost"}}) is None


def test_a_failed_condition_leaves_every_table_untouched(dynamodb, tables):
    orders, stock = tables
    dynamodb.put_item(TableName=orders, Item=order(1, status={"S": "open"}, placed={"N": "1"}))
    dynamodb.put_item(TableName=orders, Item=order(2, status={"S": "open"}, placed={"N": "2"}))
    dynamodb.put_item(TableName=stock, Item={"pk": {"S": "widget"}, "left": {"N": "0"}})
    before = counts(dynamodb, orders)
    transact_items = [
        {"Put": {"TableName": orders, "Item": order(9, status={"S": "x"}, placed={"N": "9"})}},
        {
            "Update": {
                "TableName": orders,
                "Key": order_key(1),
                "UpdateExpression": "SET #s = :s, placed = :p",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":s": {"S": "paid"}, ":p": {"N": "10"}},
            }
        },
        {"Delete": {"TableName": orders, "Key": order_key(2)}},
        {
            "Update": {
                "TableName": stock,
                "Key": {"pk": {"S": "widget"}},
                "UpdateExpression": "SET #l = #l - :one",
                "ConditionExpression": "#l >= :one",
                "ExpressionAttributeNames": {"#l": "left"},
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
    ]
    cancelled = cancellation(dynamodb.transact_write_items, TransactItems=transact_items)
    assert cancelled["Error"]["Message"] == CANCELLED.format(
        "None, None, None, ConditionalCheckFailed"
    )
    assert cancelled["Message"] == cancelled["Error"]["Message"]
    assert cancelled["CancellationReasons"] == [NONE, NONE, NONE, FAILED]
    assert stored(dynamodb, orders, order_key(9)) is None
    assert stored(dynamodb, orders, order_key(1)) == order(
        1, status={"S": "open"}, placed={"N": "1"}
    )
    assert stored(dynamodb, orders, order_key(2)) is not None
    assert stored(dynamodb, stock, {"pk": {"S": "widget"}}) == {
        "pk": {"S": "widget"},
        "left": {"N": "0"},
    }
    assert counts(dynamodb, orders) == before == {"table": 2, "by-status": 2, "by-placed": 2}


def test_every_failing_action_has_its_reason(dynamodb, tables):
    _, stock = tables
    for name in ("a", "b"):
        dynamodb.put_item(TableName=stock, Item={"pk": {"S": name}})
    cancelled = cancellation(
        dynamodb.transact_write_items,
        TransactItems=[
            {
                "Put": {
                    "TableName": stock,
                    "Item": {"pk": {"S": name}, "v": {"S": "over"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for name in ("a", "fresh", "b")
        ],
    )
    assert cancelled["Message"] == CANCELLED.format(
        "ConditionalCheckFailed, None, ConditionalCheckFailed"
    )
    assert cancelled["CancellationReasons"] == [FAILED, NONE, FAILED]


@pytest.mark.parametrize("action", ["ConditionCheck", "Put", "Delete", "Update"])
def test_all_old_puts_the_item_into_its_reason(dynamodb, tables, action):
    _, stock = tables
    dynamodb.put_item(TableName=stock, Item={"pk": {"S": "foo2"}, "v": {"N": "1"}})
    transact_items = []
    for n in range(3):
        request = {
            "TableName": stock,
            "Key": {"pk": {"S": f"foo{n}"}},
            "ConditionExpression": "#i <> :i",
            "ExpressionAttributeNames": {"#i": "pk"},
            "ExpressionAttributeValues": {":i": {"S": "foo2"}},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if action == "Update":
            request["UpdateExpression"] = "SET v = :i"
        if action == "Put":
            request["Item"] = request.pop("Key")
        transact_items.append({action: request})
    cancelled = cancellation(dynamodb.transact_write_items, TransactItems=transact_items)
    assert cancelled["CancellationReasons"] == [
        NONE,
        NONE,
        {**FAILED, "Item": {"pk": {"S": "foo2"}, "v": {"N": "1"}}},
    ]
    assert stored(dynamodb, stock, {"pk": {"S": "foo0"}}) is None


def test_all_old_on_a_missing_item_has_no_item(dynamodb, tables):
    _, stock = tables
    cancelled = cancellation(
        dynamodb.transact_write_items,
        TransactItems=[
            {
                "ConditionCheck": {
                    "TableName": stock,
                    "Key": {"pk": {"S": "nothing"}},
                    "ConditionExpression": "attribute_exists(pk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            }
        ],
    )
    assert cancelled["CancellationReasons"] == [FAILED]


def test_consumed_capacity_is_twice_the_normal(dynamodb, tables):
    orders, stock = tables
    dynamodb.put_item(TableName=orders, Item=order(1, status={"S": "open"}))
    dynamodb.put_item(TableName=stock, Item={"pk": {"S": "w"}})
    response = dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": stock, "Item": {"pk": {"S": "big"}, "p": {"S": "x" * 1536}}}},
            {
                "Update": {
                    "TableName": orders,
                    "Key": order_key(1),
                    "UpdateExpression": "SET #s = :s",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":s": {"S": "paid"}},
                }
            },
            {
                "ConditionCheck": {
                    "TableName": stock,
                    "Key": {"pk": {"S": "w"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ],
        ReturnConsumedCapacity="INDEXES",
    )
    assert response["ConsumedCapacity"] == [
        {
            "TableName": stock,
            "CapacityUnits": 6.0,
            "WriteCapacityUnits": 6.0,
            "Table": {"CapacityUnits": 6.0, "WriteCapacityUnits": 6.0},
        },
        {
            "TableName": orders,
            "CapacityUnits": 6.0,
            "WriteCapacityUnits": 6.0,
            "Table": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0},
            "GlobalSecondaryIndexes": {
                "by-status": {"CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}
            },
        },
    ]


def test_a_cancelled_transaction_reports_no_capacity(dynamodb, tables):
    _, stock = tables
    cancelled = cancellation(
        dynamodb.transact_write_items,
        TransactItems=[
            {
                "Put": {
                    "TableName": stock,
                    "Item": {"pk": {"S": "x"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            }
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    assert "ConsumedCapacity" not in cancelled


def test_a_hundred_actions(dynamodb, tables):
    _, stock = tables
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": stock, "Item": {"pk": {"S": f"k{n}"}}}} for n in range(100)
        ]
    )
    assert counts(dynamodb, stock) == {"table": 100}
