"""Secondary indexes kept in step with the items, as DescribeTable's index ItemCount shows it,
and the index-key checks PutItem and UpdateItem make.

Sources: DG GSI.html ("items without the index key are not written to the index": sparse
indexes); architect/dynalite test/{putItem,updateItem}.js and scylladb test_gsi.py (type
mismatch messages, the item is not written); reference/dynamodb.md §4.
"""

from __future__ import annotations

import pytest

from tests.integration.support import create_table, gsi, invalid
from tests.integration.test_tables import error_of

INVALID = "One or more parameter values were invalid: "


@pytest.fixture
def table(dynamodb, table_name):
    return create_table(
        dynamodb,
        table_name,
        range_key=("sk", "S"),
        indexed=(("status", "S"), ("score", "N"), ("local", "S")),
        GlobalSecondaryIndexes=[
            gsi("by-status", "status"),
            gsi("by-status-score", "status", "score", ProjectionType="KEYS_ONLY"),
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-local",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "local", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )


def counts(dynamodb, table) -> dict[str, int]:
    described = dynamodb.describe_table(TableName=table)["Table"]
    indexes = described.get("GlobalSecondaryIndexes", []) + described.get(
        "LocalSecondaryIndexes", []
    )
    return {"table": described["ItemCount"]} | {
        index["IndexName"]: index["ItemCount"] for index in indexes
    }


def key(n: int) -> dict:
    return {"pk": {"S": f"p{n}"}, "sk": {"S": "s"}}


def test_puts_updates_and_deletes_keep_index_counts(dynamodb, table):
    zero = {"table": 0, "by-status": 0, "by-status-score": 0, "by-local": 0}
    assert counts(dynamodb, table) == zero
    dynamodb.put_item(
        TableName=table,
        Item={**key(1), "status": {"S": "new"}, "score": {"N": "1"}, "local": {"S": "l"}},
    )
    dynamodb.put_item(TableName=table, Item={**key(2), "status": {"S": "new"}})
    dynamodb.put_item(TableName=table, Item={**key(3), "score": {"N": "3"}})
    dynamodb.put_item(TableName=table, Item={**key(4), "other": {"S": "o"}})
    assert counts(dynamodb, table) == {
        "table": 4,
        "by-status": 2,
        "by-status-score": 1,
        "by-local": 1,
    }
    dynamodb.update_item(
        TableName=table,
        Key=key(3),
        UpdateExpression="SET #s = :s, #l = :l",
        ExpressionAttributeNames={"#s": "status", "#l": "local"},
        ExpressionAttributeValues={":s": {"S": "late"}, ":l": {"S": "l"}},
    )
    dynamodb.update_item(
        TableName=table,
        Key=key(1),
        UpdateExpression="REMOVE score, #l",
        ExpressionAttributeNames={"#l": "local"},
    )
    assert counts(dynamodb, table) == {
        "table": 4,
        "by-status": 3,
        "by-status-score": 1,
        "by-local": 1,
    }
    dynamodb.update_item(
        TableName=table,
        Key=key(2),
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "moved"}},
    )
    assert counts(dynamodb, table)["by-status"] == 3
    dynamodb.put_item(TableName=table, Item=key(3))
    dynamodb.delete_item(TableName=table, Key=key(1))
    dynamodb.delete_item(TableName=table, Key=key(9))
    assert counts(dynamodb, table) == {
        "table": 3,
        "by-status": 1,
        "by-status-score": 0,
        "by-local": 0,
    }


def test_an_update_that_creates_an_item_enters_the_indexes(dynamodb, table):
    dynamodb.update_item(
        TableName=table,
        Key=key(1),
        UpdateExpression="SET #s = :s ADD score :one",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "new"}, ":one": {"N": "1"}},
    )
    assert counts(dynamodb, table) == {
        "table": 1,
        "by-status": 1,
        "by-status-score": 1,
        "by-local": 0,
    }


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            {"status": {"N": "1"}},
            "Type mismatch for Index Key status Expected: S Actual: N IndexName: by-status",
        ),
        (
            {"status": {"B": b"1"}},
            "Type mismatch for Index Key status Expected: S Actual: B IndexName: by-status",
        ),
        (
            {"status": {"SS": ["a"]}},
            "Type mismatch for Index Key status Expected: S Actual: SS IndexName: by-status",
        ),
        (
            {"status": {"S": "ok"}, "score": {"S": "1"}},
            "Type mismatch for Index Key score Expected: N Actual: S IndexName: by-status-score",
        ),
        (
            {"local": {"M": {}}},
            "Type mismatch for Index Key local Expected: S Actual: M IndexName: by-local",
        ),
    ],
)
def test_put_refuses_index_keys_of_the_wrong_type(dynamodb, table, attributes, message):
    assert error_of(dynamodb.put_item, TableName=table, Item={**key(1), **attributes}) == invalid(
        INVALID + message
    )
    assert "Item" not in dynamodb.get_item(TableName=table, Key=key(1), ConsistentRead=True)
    assert counts(dynamodb, table)["table"] == 0


EMPTY_INDEX_KEY = (
    "One or more parameter values are not valid. A value specified for a secondary index key is "
    "not supported. The AttributeValue for a key attribute cannot contain an empty string value. "
    "IndexName: {}, IndexKey: {}"
)


def test_index_keys_may_not_be_empty_strings(dynamodb, table):
    assert error_of(
        dynamodb.put_item, TableName=table, Item={**key(1), "status": {"S": ""}}
    ) == invalid(EMPTY_INDEX_KEY.format("by-status", "status"))
    assert error_of(
        dynamodb.update_item,
        TableName=table,
        Key=key(1),
        UpdateExpression="SET #l = :e",
        ExpressionAttributeNames={"#l": "local"},
        ExpressionAttributeValues={":e": {"S": ""}},
    ) == invalid(EMPTY_INDEX_KEY.format("by-local", "local"))
    dynamodb.put_item(TableName=table, Item={**key(1), "other": {"S": ""}})


def test_update_refuses_index_keys_of_the_wrong_type(dynamodb, table):
    item = {**key(1), "status": {"S": "ok"}, "n": {"N": "5"}}
    dynamodb.put_item(TableName=table, Item=item)
    mismatch = invalid(
        INVALID + "Type mismatch for Index Key status Expected: S Actual: N IndexName: by-status"
    )
    for arguments in (
        {
            "UpdateExpression": "SET #s = :n",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":n": {"N": "1"}},
        },
        {"AttributeUpdates": {"status": {"Action": "PUT", "Value": {"N": "1"}}}},
    ):
        assert error_of(dynamodb.update_item, TableName=table, Key=key(1), **arguments) == mismatch
    assert error_of(
        dynamodb.update_item,
        TableName=table,
        Key=key(2),
        UpdateExpression="ADD score :s",
        ExpressionAttributeValues={":s": {"SS": ["x"]}},
    ) == invalid(
        INVALID + "Type mismatch for Index Key score Expected: N Actual: SS "
        "IndexName: by-status-score"
    )
    assert dynamodb.get_item(TableName=table, Key=key(1), ConsistentRead=True)["Item"] == item
    assert counts(dynamodb, table)["table"] == 1


def test_index_created_later_counts_existing_items_and_deleting_it_drops_them(dynamodb, table_name):
    create_table(dynamodb, table_name)
    for n in range(5):
        item = {"pk": {"S": f"p{n}"}}
        if n % 2 == 0:
            item["colour"] = {"S": "red"}
        dynamodb.put_item(TableName=table_name, Item=item)
    dynamodb.update_table(
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": "colour", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": gsi("by-colour", "colour")}],
    )
    assert counts(dynamodb, table_name) == {"table": 5, "by-colour": 3}
    dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "p9"}, "colour": {"S": "blue"}})
    assert counts(dynamodb, table_name) == {"table": 6, "by-colour": 4}
    assert error_of(
        dynamodb.put_item, TableName=table_name, Item={"pk": {"S": "x"}, "colour": {"N": "1"}}
    ) == invalid(
        INVALID + "Type mismatch for Index Key colour Expected: S Actual: N IndexName: by-colour"
    )
    dynamodb.update_table(
        TableName=table_name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-colour"}}]
    )
    assert counts(dynamodb, table_name) == {"table": 6}
    dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "x"}, "colour": {"N": "1"}})


def test_deleting_the_table_takes_its_indexes(dynamodb, table):
    dynamodb.put_item(TableName=table, Item={**key(1), "status": {"S": "new"}})
    dynamodb.delete_table(TableName=table)
    create_table(
        dynamodb,
        table,
        range_key=("sk", "S"),
        indexed=(("status", "S"),),
        GlobalSecondaryIndexes=[gsi("by-status", "status")],
    )
    assert counts(dynamodb, table) == {"table": 0, "by-status": 0}
