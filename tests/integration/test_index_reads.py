"""Reading secondary indexes with Query and Scan: sparse indexes, projections, order, pages,
capacity, and an index created by UpdateTable.

Sources: DG GSI.html and LSI.html (an item without the index key is not in the index; a
local index fetches what it does not project from the table, a global one cannot);
architect/dynalite test/query.js (checked against AWS: what each projection returns, the
LastEvaluatedKey of an index holds the index and table keys, an INDEXES capacity shows the
index and `Table: 0` unless items are fetched); nubo-db/dynamodb-conformance
tests/tier1/query/gsiHashOnlyPagination.test.ts and tests/tier1/scan/{gsi,lsi}Pagination.test.ts
(every item exactly once across pages when index keys repeat).

Order of rows with equal index keys: AWS orders them by an internal hash of the table key;
Tidal by the table's hash key, then its sort key (indexes.py), which these tests pin down.
"""

from __future__ import annotations

import uuid

import pytest

from tests.integration.support import create_table, gsi


def local(name: str, sort: str, **projection) -> dict:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": sort, "KeyType": "RANGE"},
        ],
        "Projection": projection or {"ProjectionType": "ALL"},
    }


ITEMS = [
    {"pk": "b", "sk": "1", "g": "x", "n": "10", "l": "m", "a": "a1", "b": "b1"},
    {"pk": "a", "sk": "2", "g": "x", "n": "-5", "l": "k", "a": "a2", "b": "b2"},
    {"pk": "a", "sk": "1", "g": "x", "n": "2.5", "l": "z", "b": "b3"},
    {"pk": "c", "sk": "1", "g": "y", "n": "0", "a": "a4"},
    {"pk": "a", "sk": "3", "g": "x", "n": "2.5", "l": "k"},
    {"pk": "a", "sk": "4", "b": "b6"},
]


def typed(item: dict) -> dict:
    return {name: {"N" if name == "n" else "S": value} for name, value in item.items()}


@pytest.fixture(scope="module")
def table(dynamodb):
    name = create_table(
        dynamodb,
        f"index-reads-{uuid.uuid4().hex[:8]}",
        range_key=("sk", "S"),
        indexed=(("g", "S"), ("n", "N"), ("l", "S")),
        GlobalSecondaryIndexes=[
            gsi("all-g", "g"),
            gsi("keys-g-n", "g", "n", ProjectionType="KEYS_ONLY"),
            gsi("incl-g", "g", ProjectionType="INCLUDE", NonKeyAttributes=["a"]),
        ],
        LocalSecondaryIndexes=[local("keys-l", "l", ProjectionType="KEYS_ONLY")],
    )
    for item in ITEMS:
        dynamodb.put_item(TableName=name, Item=typed(item))
    yield name
    dynamodb.delete_table(TableName=name)


def query(dynamodb, table: str, index: str, condition: str, **params) -> dict:
    values = params.pop("values", {})
    return dynamodb.query(
        TableName=table,
        IndexName=index,
        KeyConditionExpression=condition,
        ExpressionAttributeValues=values,
        **params,
    )


def keys(response: dict) -> list[tuple[str, str]]:
    return [(item["pk"]["S"], item["sk"]["S"]) for item in response["Items"]]


X = {":g": {"S": "x"}}


def test_items_without_the_index_key_are_not_in_it(dynamodb, table):
    scanned = dynamodb.scan(TableName=table, IndexName="all-g")
    assert sorted(keys(scanned)) == [("a", "1"), ("a", "2"), ("a", "3"), ("b", "1"), ("c", "1")]
    local_rows = dynamodb.scan(TableName=table, IndexName="keys-l")
    assert sorted(keys(local_rows)) == [("a", "1"), ("a", "2"), ("a", "3"), ("b", "1")]
    assert dynamodb.scan(TableName=table)["Count"] == len(ITEMS)


def test_a_hash_only_index_orders_ties_by_the_table_key(dynamodb, table):
    forward = query(dynamodb, table, "all-g", "g = :g", values=X)
    assert keys(forward) == [("a", "1"), ("a", "2"), ("a", "3"), ("b", "1")]
    assert forward["Items"][0] == typed(ITEMS[2])
    backward = query(dynamodb, table, "all-g", "g = :g", values=X, ScanIndexForward=False)
    assert keys(backward) == [("b", "1"), ("a", "3"), ("a", "2"), ("a", "1")]


def test_an_index_sort_key_orders_its_partition(dynamodb, table):
    got = query(dynamodb, table, "keys-g-n", "g = :g AND n >= :n", values={**X, ":n": {"N": "0"}})
    assert keys(got) == [("a", "1"), ("a", "3"), ("b", "1")]
    assert [item["n"]["N"] for item in got["Items"]] == ["2.5", "2.5", "10"]
    between = query(
        dynamodb,
        table,
        "keys-g-n",
        "g = :g AND n BETWEEN :lo AND :hi",
        values={**X, ":lo": {"N": "-5"}, ":hi": {"N": "2.5"}},
        ScanIndexForward=False,
    )
    assert keys(between) == [("a", "3"), ("a", "1"), ("a", "2")]


def test_keys_only_returns_the_table_and_index_keys(dynamodb, table):
    got = query(dynamodb, table, "keys-g-n", "g = :g AND n = :n", values={**X, ":n": {"N": "10"}})
    assert got["Items"] == [{"pk": {"S": "b"}, "sk": {"S": "1"}, "g": {"S": "x"}, "n": {"N": "10"}}]
    projected = query(
        dynamodb,
        table,
        "keys-g-n",
        "g = :g AND n = :n",
        values={**X, ":n": {"N": "10"}},
        Select="SPECIFIC_ATTRIBUTES",
        ProjectionExpression="sk, n",
    )
    assert projected["Items"] == [{"sk": {"S": "1"}, "n": {"N": "10"}}]


def test_include_adds_the_attributes_it_names(dynamodb, table):
    got = query(dynamodb, table, "incl-g", "g = :g", values={":g": {"S": "y"}})
    assert got["Items"] == [{"pk": {"S": "c"}, "sk": {"S": "1"}, "g": {"S": "y"}, "a": {"S": "a4"}}]
    default = query(
        dynamodb,
        table,
        "incl-g",
        "g = :g",
        values=X,
        Select="ALL_PROJECTED_ATTRIBUTES",
    )
    assert {name for item in default["Items"] for name in item} == {"pk", "sk", "g", "a"}


def test_a_local_index_fetches_what_it_does_not_project(dynamodb, table):
    condition = "pk = :a AND l = :k"
    values = {":a": {"S": "a"}, ":k": {"S": "k"}}
    projected = query(dynamodb, table, "keys-l", condition, values=values)
    assert projected["Items"] == [
        {"pk": {"S": "a"}, "sk": {"S": "2"}, "l": {"S": "k"}},
        {"pk": {"S": "a"}, "sk": {"S": "3"}, "l": {"S": "k"}},
    ]
    everything = query(dynamodb, table, "keys-l", condition, values=values, Select="ALL_ATTRIBUTES")
    assert everything["Items"] == [typed(ITEMS[1]), typed(ITEMS[4])]
    asked = query(dynamodb, table, "keys-l", condition, values=values, ProjectionExpression="b, l")
    assert asked["Items"] == [{"b": {"S": "b2"}, "l": {"S": "k"}}, {"l": {"S": "k"}}]
    filtered = query(
        dynamodb,
        table,
        "keys-l",
        "pk = :a AND l = :k",
        values={**values, ":b": {"S": "b2"}},
        FilterExpression="b = :b",
        ConsistentRead=True,
    )
    assert filtered["Items"] == [{"pk": {"S": "a"}, "sk": {"S": "2"}, "l": {"S": "k"}}]
    assert (filtered["Count"], filtered["ScannedCount"]) == (1, 2)


def test_index_capacity(dynamodb, table):
    got = query(dynamodb, table, "all-g", "g = :g", values=X, ReturnConsumedCapacity="INDEXES")
    assert got["ConsumedCapacity"] == {
        "TableName": table,
        "CapacityUnits": 0.5,
        "Table": {"CapacityUnits": 0.0},
        "GlobalSecondaryIndexes": {"all-g": {"CapacityUnits": 0.5}},
    }
    total = query(dynamodb, table, "all-g", "g = :g", values=X, ReturnConsumedCapacity="TOTAL")
    assert total["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 0.5}
    fetched = query(
        dynamodb,
        table,
        "keys-l",
        "pk = :a",
        values={":a": {"S": "a"}},
        Select="ALL_ATTRIBUTES",
        ConsistentRead=True,
        ReturnConsumedCapacity="INDEXES",
    )
    assert fetched["ConsumedCapacity"] == {
        "TableName": table,
        "CapacityUnits": 2.0,
        "Table": {"CapacityUnits": 1.0},
        "LocalSecondaryIndexes": {"keys-l": {"CapacityUnits": 1.0}},
    }
    scanned = dynamodb.scan(TableName=table, IndexName="incl-g", ReturnConsumedCapacity="INDEXES")
    assert scanned["ConsumedCapacity"]["GlobalSecondaryIndexes"] == {
        "incl-g": {"CapacityUnits": 0.5}
    }


def test_an_index_last_evaluated_key_holds_both_keys(dynamodb, table):
    first = query(dynamodb, table, "keys-g-n", "g = :g", values=X, Limit=1)
    assert first["LastEvaluatedKey"] == {
        "pk": {"S": "a"},
        "sk": {"S": "2"},
        "g": {"S": "x"},
        "n": {"N": "-5"},
    }
    local_page = query(dynamodb, table, "keys-l", "pk = :a", values={":a": {"S": "a"}}, Limit=1)
    assert local_page["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"S": "2"}, "l": {"S": "k"}}


def test_a_filter_may_use_the_table_keys_on_an_index(dynamodb, table):
    got = query(
        dynamodb,
        table,
        "all-g",
        "g = :g",
        values={**X, ":a": {"S": "a"}},
        FilterExpression="pk = :a",
    )
    assert keys(got) == [("a", "1"), ("a", "2"), ("a", "3")]


def all_pages(call, **params) -> list[dict]:
    items = []
    while True:
        page = call(**params)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_pages_of_an_index_whose_keys_repeat(dynamodb, table_name):
    create_table(
        dynamodb,
        table_name,
        range_key=("sk", "S"),
        indexed=(("gh", "S"), ("lsk", "S")),
        GlobalSecondaryIndexes=[gsi("gho", "gh")],
        LocalSecondaryIndexes=[local("lsi", "lsk")],
    )
    for n in range(50):
        item = {"pk": "p", "sk": f"s{n:02}", "gh": "shared", "lsk": f"group-{n % 5}"}
        dynamodb.put_item(TableName=table_name, Item=typed(item))
    every = [f"s{n:02}" for n in range(50)]
    by_gsi = all_pages(
        dynamodb.query,
        TableName=table_name,
        IndexName="gho",
        KeyConditionExpression="gh = :g",
        ExpressionAttributeValues={":g": {"S": "shared"}},
        Limit=2,
    )
    assert [item["sk"]["S"] for item in by_gsi] == every
    by_lsi = all_pages(dynamodb.scan, TableName=table_name, IndexName="lsi", Limit=10)
    assert sorted(item["sk"]["S"] for item in by_lsi) == every
    assert [item["lsk"]["S"] for item in by_lsi] == sorted(item["lsk"]["S"] for item in by_lsi)
    reverse = all_pages(
        dynamodb.query,
        TableName=table_name,
        IndexName="lsi",
        KeyConditionExpression="pk = :p AND lsk = :l",
        ExpressionAttributeValues={":p": {"S": "p"}, ":l": {"S": "group-3"}},
        ScanIndexForward=False,
        Limit=3,
    )
    assert [item["sk"]["S"] for item in reverse] == [f"s{n:02}" for n in range(48, 0, -5)]


def test_an_index_follows_updates_and_deletes(dynamodb, table_name):
    create_table(
        dynamodb,
        table_name,
        indexed=(("g", "S"),),
        GlobalSecondaryIndexes=[gsi("by-g", "g")],
    )
    dynamodb.put_item(TableName=table_name, Item=typed({"pk": "1", "g": "old"}))
    dynamodb.put_item(TableName=table_name, Item=typed({"pk": "2", "g": "old"}))
    dynamodb.update_item(
        TableName=table_name,
        Key={"pk": {"S": "1"}},
        UpdateExpression="SET g = :g",
        ExpressionAttributeValues={":g": {"S": "new"}},
    )
    dynamodb.delete_item(TableName=table_name, Key={"pk": {"S": "2"}})

    def members(value: str) -> list[str]:
        got = query(dynamodb, table_name, "by-g", "g = :g", values={":g": {"S": value}})
        return [item["pk"]["S"] for item in got["Items"]]

    assert (members("old"), members("new")) == ([], ["1"])


def test_an_index_created_by_update_table_is_queryable(dynamodb, table_name):
    create_table(dynamodb, table_name, range_key=("sk", "N"))
    for n in range(6):
        item = {"pk": {"S": f"p{n % 2}"}, "sk": {"N": str(n)}}
        if n != 5:
            item["status"] = {"S": "open" if n < 3 else "done"}
        dynamodb.put_item(TableName=table_name, Item=item)
    dynamodb.update_table(
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": "status", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "by-status",
                    "KeySchema": [
                        {"AttributeName": "status", "KeyType": "HASH"},
                        {"AttributeName": "sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            }
        ],
    )
    dynamodb.put_item(
        TableName=table_name,
        Item={"pk": {"S": "p9"}, "sk": {"N": "9"}, "status": {"S": "open"}},
    )

    def by_status(value: str) -> list[str]:
        got = query(
            dynamodb,
            table_name,
            "by-status",
            "#s = :s",
            values={":s": {"S": value}},
            ExpressionAttributeNames={"#s": "status"},
        )
        return [item["sk"]["N"] for item in got["Items"]]

    assert by_status("open") == ["0", "1", "2", "9"]
    assert by_status("done") == ["3", "4"]
    assert dynamodb.scan(TableName=table_name, IndexName="by-status")["Count"] == 6
