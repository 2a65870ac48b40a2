"""ReturnConsumedCapacity on the single-item operations: the arithmetic of reference §3.

Reads cost 4 KB units, halved when eventually consistent; writes cost 1 KB units of the larger
of the old and new item; every index the write touches costs its own units (a key change is a
delete plus a put). Item sizes follow reference §2, checked to the byte by architect/dynalite
test/{getItem,updateItem}.js (4,096 bytes is one read unit, 4,097 two; 1,024 bytes is one write
unit, 1,025 two). Index charges: nubo-db/dynamodb-conformance
tests/tier1/putItem/indexConsumedCapacity.test.ts (measured on AWS).
"""

from __future__ import annotations

import pytest

from tests.integration.support import create_table, gsi

KEY = {"pk": {"S": "k"}}


@pytest.fixture
def table(dynamodb, table_name):
    return create_table(dynamodb, table_name)


def sized(size: int, key=KEY) -> dict:
    """An item of exactly `size` bytes: "pk" + its value, "padding" + the rest."""
    return {**key, "padding": {"S": "x" * (size - 2 - len(key["pk"]["S"]) - 7)}}


def consumed(response) -> dict:
    return response["ConsumedCapacity"]


@pytest.mark.parametrize(
    ("size", "eventual", "strong"),
    [(1, 0.5, 1.0), (4096, 0.5, 1.0), (4097, 1.0, 2.0), (8192, 1.0, 2.0), (8193, 1.5, 3.0)],
)
def test_get_item_reads_4kb_units_halved_when_eventual(dynamodb, table, size, eventual, strong):
    dynamodb.put_item(TableName=table, Item=sized(size))
    for consistent, units in ((False, eventual), (True, strong)):
        got = dynamodb.get_item(
            TableName=table, Key=KEY, ConsistentRead=consistent, ReturnConsumedCapacity="TOTAL"
        )
        assert consumed(got) == {"TableName": table, "CapacityUnits": units}


def test_get_item_of_a_missing_item_and_the_indexes_shape(dynamodb, table):
    missing = dynamodb.get_item(TableName=table, Key=KEY, ReturnConsumedCapacity="INDEXES")
    assert consumed(missing) == {
        "TableName": table,
        "CapacityUnits": 0.5,
        "Table": {"CapacityUnits": 0.5},
    }
    strong = dynamodb.get_item(
        TableName=table, Key=KEY, ConsistentRead=True, ReturnConsumedCapacity="INDEXES"
    )
    assert consumed(strong)["Table"] == {"CapacityUnits": 1.0}


def test_projection_does_not_discount_a_read(dynamodb, table):
    dynamodb.put_item(TableName=table, Item=sized(5000))
    got = dynamodb.get_item(
        TableName=table, Key=KEY, ProjectionExpression="pk", ReturnConsumedCapacity="TOTAL"
    )
    assert got["Item"] == KEY
    assert consumed(got)["CapacityUnits"] == 1.0


@pytest.mark.parametrize("mode", [None, "NONE"])
def test_no_consumed_capacity_unless_asked(dynamodb, table, mode):
    arguments = {"ReturnConsumedCapacity": mode} if mode else {}
    assert "ConsumedCapacity" not in dynamodb.put_item(TableName=table, Item=KEY, **arguments)
    assert "ConsumedCapacity" not in dynamodb.get_item(TableName=table, Key=KEY, **arguments)
    assert "ConsumedCapacity" not in dynamodb.update_item(TableName=table, Key=KEY, **arguments)
    assert "ConsumedCapacity" not in dynamodb.delete_item(TableName=table, Key=KEY, **arguments)


@pytest.mark.parametrize(("size", "units"), [(1024, 1.0), (1025, 2.0), (2048, 2.0), (5000, 5.0)])
def test_put_item_writes_1kb_units(dynamodb, table, size, units):
    put = dynamodb.put_item(TableName=table, Item=sized(size), ReturnConsumedCapacity="TOTAL")
    assert consumed(put) == {"TableName": table, "CapacityUnits": units}


def test_writes_charge_the_larger_of_the_old_and_new_item(dynamodb, table):
    dynamodb.put_item(TableName=table, Item=sized(3000))
    small_put = dynamodb.put_item(TableName=table, Item=KEY, ReturnConsumedCapacity="TOTAL")
    assert consumed(small_put)["CapacityUnits"] == 3.0
    grow = dynamodb.update_item(
        TableName=table,
        Key=KEY,
        UpdateExpression="SET padding = :pad",
        ExpressionAttributeValues={":pad": {"S": "x" * 2100}},
        ReturnConsumedCapacity="TOTAL",
    )
    assert consumed(grow)["CapacityUnits"] == 3.0
    shrink = dynamodb.update_item(
        TableName=table,
        Key=KEY,
        UpdateExpression="REMOVE padding",
        ReturnConsumedCapacity="INDEXES",
    )
    assert consumed(shrink) == {
        "TableName": table,
        "CapacityUnits": 3.0,
        "Table": {"CapacityUnits": 3.0},
    }
    delete = dynamodb.delete_item(TableName=table, Key=KEY, ReturnConsumedCapacity="TOTAL")
    assert consumed(delete)["CapacityUnits"] == 1.0
    again = dynamodb.delete_item(TableName=table, Key=KEY, ReturnConsumedCapacity="TOTAL")
    assert consumed(again)["CapacityUnits"] == 1.0


def test_update_at_the_1kb_boundary(dynamodb, table):
    dynamodb.put_item(TableName=table, Item=sized(1023))
    one_more = dynamodb.update_item(
        TableName=table,
        Key=KEY,
        UpdateExpression="SET b = :b",
        ExpressionAttributeValues={":b": {"BOOL": True}},  # "b" + 1 byte: 1,025 bytes
        ReturnConsumedCapacity="TOTAL",
    )
    assert consumed(one_more)["CapacityUnits"] == 2.0


@pytest.fixture
def indexed(dynamodb, table_name):
    """A table with an ALL and a KEYS_ONLY GSI and an INCLUDE LSI."""
    return create_table(
        dynamodb,
        table_name,
        range_key=("sk", "S"),
        indexed=(("g", "S"), ("gn", "N"), ("l", "S")),
        GlobalSecondaryIndexes=[
            gsi("all", "g"),
            gsi("keys", "g", "gn", ProjectionType="KEYS_ONLY"),
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "local",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]},
            }
        ],
    )


ROW = {"pk": {"S": "1"}, "sk": {"S": "a"}}
# Sizes: pk 3, sk 3, g 2, gn 4 ("gn" + 2 for the number 1), l 2, x 1 + 1500.
FULL = {**ROW, "g": {"S": "G"}, "gn": {"N": "1"}, "l": {"S": "L"}, "x": {"S": "x" * 1500}}


def test_a_new_item_charges_every_index_it_enters(dynamodb, indexed):
    put = dynamodb.put_item(TableName=indexed, Item=FULL, ReturnConsumedCapacity="INDEXES")
    assert consumed(put) == {
        "TableName": indexed,
        "CapacityUnits": 7.0,
        "Table": {"CapacityUnits": 2.0},  # 1,515 bytes
        "GlobalSecondaryIndexes": {
            "all": {"CapacityUnits": 2.0},  # 1,515 bytes
            "keys": {"CapacityUnits": 1.0},  # pk, sk, g, gn: 12 bytes
        },
        "LocalSecondaryIndexes": {"local": {"CapacityUnits": 2.0}},  # pk, sk, l, x: 1,509 bytes
    }
    total = dynamodb.get_item(TableName=indexed, Key=ROW, ReturnConsumedCapacity="TOTAL")
    assert consumed(total) == {"TableName": indexed, "CapacityUnits": 0.5}


def test_a_sparse_item_charges_only_the_indexes_it_enters(dynamodb, indexed):
    sparse = dynamodb.put_item(
        TableName=indexed, Item={**ROW, "g": {"S": "G"}}, ReturnConsumedCapacity="INDEXES"
    )
    assert consumed(sparse) == {
        "TableName": indexed,
        "CapacityUnits": 2.0,
        "Table": {"CapacityUnits": 1.0},
        "GlobalSecondaryIndexes": {"all": {"CapacityUnits": 1.0}},
    }
    bare = dynamodb.put_item(
        TableName=indexed, Item={**ROW, "sk": {"S": "b"}}, ReturnConsumedCapacity="TOTAL"
    )
    assert consumed(bare)["CapacityUnits"] == 1.0


def test_index_key_changes_cost_a_delete_and_a_put(dynamodb, indexed):
    dynamodb.put_item(TableName=indexed, Item={**ROW, "g": {"S": "G"}, "gn": {"N": "1"}})
    moved = dynamodb.update_item(
        TableName=indexed,
        Key=ROW,
        UpdateExpression="SET g = :g",
        ExpressionAttributeValues={":g": {"S": "H"}},
        ReturnConsumedCapacity="INDEXES",
    )
    assert consumed(moved)["GlobalSecondaryIndexes"] == {
        "all": {"CapacityUnits": 2.0},
        "keys": {"CapacityUnits": 2.0},
    }
    assert consumed(moved)["CapacityUnits"] == 5.0
    removed = dynamodb.update_item(
        TableName=indexed, Key=ROW, UpdateExpression="REMOVE gn", ReturnConsumedCapacity="INDEXES"
    )
    assert consumed(removed)["GlobalSecondaryIndexes"] == {
        "all": {"CapacityUnits": 1.0},
        "keys": {"CapacityUnits": 1.0},
    }
    added = dynamodb.update_item(
        TableName=indexed,
        Key=ROW,
        UpdateExpression="SET l = :l",
        ExpressionAttributeValues={":l": {"S": "L"}},
        ReturnConsumedCapacity="INDEXES",
    )
    assert consumed(added)["LocalSecondaryIndexes"] == {"local": {"CapacityUnits": 1.0}}
    assert "keys" not in consumed(added)["GlobalSecondaryIndexes"]


def test_deleting_an_item_charges_each_index_it_was_in(dynamodb, indexed):
    dynamodb.put_item(TableName=indexed, Item=FULL)
    deleted = dynamodb.delete_item(TableName=indexed, Key=ROW, ReturnConsumedCapacity="INDEXES")
    assert consumed(deleted) == {
        "TableName": indexed,
        "CapacityUnits": 7.0,
        "Table": {"CapacityUnits": 2.0},
        "GlobalSecondaryIndexes": {"all": {"CapacityUnits": 2.0}, "keys": {"CapacityUnits": 1.0}},
        "LocalSecondaryIndexes": {"local": {"CapacityUnits": 2.0}},
    }
    deleted_total = dynamodb.delete_item(TableName=indexed, Key=ROW, ReturnConsumedCapacity="TOTAL")
    assert consumed(deleted_total) == {"TableName": indexed, "CapacityUnits": 1.0}


def test_a_write_that_leaves_an_index_entry_unchanged_costs_that_index_nothing(dynamodb, indexed):
    dynamodb.put_item(TableName=indexed, Item=FULL)
    same = dynamodb.put_item(TableName=indexed, Item=FULL, ReturnConsumedCapacity="INDEXES")
    assert consumed(same) == {
        "TableName": indexed,
        "CapacityUnits": 2.0,
        "Table": {"CapacityUnits": 2.0},
    }
    unprojected = dynamodb.update_item(
        TableName=indexed,
        Key=ROW,
        UpdateExpression="SET note = :o",
        ExpressionAttributeValues={":o": {"S": "o"}},
        ReturnConsumedCapacity="INDEXES",
    )
    assert consumed(unprojected)["GlobalSecondaryIndexes"] == {"all": {"CapacityUnits": 2.0}}
    assert "LocalSecondaryIndexes" not in consumed(unprojected)
