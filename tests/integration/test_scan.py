"""Scan: filters (expression and legacy), projections, Select, Limit and pagination, parallel
scans, and consumed capacity.

Sources: architect/dynalite test/scan.js (checked against AWS: ScanFilter operators,
Count/ScannedCount, a start key from another segment); nubo-db/dynamodb-conformance
tests/tier1/scan/{select,consumedCapacity,parallel}.test.ts (measured on AWS: Select COUNT,
a Scan is charged for what it reads, not for what the filter keeps); reference/dynamodb.md §3.
"""

from __future__ import annotations

import uuid

import pytest

from tests.integration.support import create_table

COUNT = 120


def item(n: int) -> dict:
    return {
        "pk": {"S": f"item-{n:03}"},
        "n": {"N": str(n)},
        "kind": {"S": "even" if n % 2 == 0 else "odd"},
        "tags": {"SS": [f"t{n % 3}", "all"]},
    }


@pytest.fixture(scope="module")
def table(dynamodb):
    name = create_table(dynamodb, f"scan-{uuid.uuid4().hex[:8]}")
    for n in range(COUNT):
        dynamodb.put_item(TableName=name, Item=item(n))
    yield name
    dynamodb.delete_table(TableName=name)


def numbers(items: list[dict]) -> list[int]:
    return sorted(int(found["n"]["N"]) for found in items)


def scan_all(dynamodb, **params) -> tuple[list[dict], int]:
    """Every item of a scan, following LastEvaluatedKey; and the number of pages it took."""
    found: list[dict] = []
    pages = 0
    while True:
        page = dynamodb.scan(**params)
        pages += 1
        found += page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return found, pages
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_a_scan_returns_every_item(dynamodb, table):
    got = dynamodb.scan(TableName=table)
    assert numbers(got["Items"]) == list(range(COUNT))
    assert (got["Count"], got["ScannedCount"]) == (COUNT, COUNT)
    assert "LastEvaluatedKey" not in got
    assert item(7) in got["Items"]


def test_scan_order_is_stable_and_pages_follow_it(dynamodb, table):
    everything = dynamodb.scan(TableName=table)["Items"]
    paged, pages = scan_all(dynamodb, TableName=table, Limit=7)
    assert paged == everything
    assert pages == COUNT // 7 + 1


def test_pages_end_with_a_last_evaluated_key_when_limit_is_reached(dynamodb, table):
    first = dynamodb.scan(TableName=table, Limit=5)
    assert (first["Count"], first["ScannedCount"]) == (5, 5)
    assert first["LastEvaluatedKey"] == {"pk": first["Items"][-1]["pk"]}
    exact = dynamodb.scan(TableName=table, Limit=COUNT)
    assert exact["Count"] == COUNT and "LastEvaluatedKey" in exact
    after = dynamodb.scan(TableName=table, ExclusiveStartKey=exact["LastEvaluatedKey"])
    assert (after["Items"], after["Count"], after["ScannedCount"]) == ([], 0, 0)
    assert "LastEvaluatedKey" not in after


def test_the_boto3_paginator_reads_every_page(dynamodb, table):
    paginator = dynamodb.get_paginator("scan")
    pages = list(paginator.paginate(TableName=table, PaginationConfig={"PageSize": 11}))
    assert len(pages) == COUNT // 11 + 1
    assert numbers([found for page in pages for found in page["Items"]]) == list(range(COUNT))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {
                "FilterExpression": "kind = :k AND n < :n",
                "ExpressionAttributeValues": {":k": {"S": "odd"}, ":n": {"N": "10"}},
            },
            [1, 3, 5, 7, 9],
        ),
        (
            {
                "FilterExpression": "contains(tags, :t) AND n BETWEEN :a AND :b",
                "ExpressionAttributeValues": {
                    ":t": {"S": "t1"},
                    ":a": {"N": "0"},
                    ":b": {"N": "12"},
                },
            },
            [1, 4, 7, 10],
        ),
        (
            {
                "FilterExpression": "#n IN (:a, :b) OR begins_with(pk, :p)",
                "ExpressionAttributeNames": {"#n": "n"},
                "ExpressionAttributeValues": {
                    ":a": {"N": "3"},
                    ":b": {"N": "4"},
                    ":p": {"S": "item-11"},
                },
            },
            [3, 4, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119],
        ),
        (
            {
                "ScanFilter": {
                    "n": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "115"}]}
                }
            },
            [115, 116, 117, 118, 119],
        ),
        (
            {
                "ScanFilter": {
                    "n": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "3"}]},
                    "kind": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "odd"}]},
                },
                "ConditionalOperator": "AND",
            },
            [1],
        ),
        (
            {
                "ScanFilter": {
                    "n": {
                        "ComparisonOperator": "IN",
                        "AttributeValueList": [{"N": "3"}, {"N": "5"}],
                    },
                    "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "item-000"}]},
                },
                "ConditionalOperator": "OR",
            },
            [0, 3, 5],
        ),
        ({"ScanFilter": {"missing": {"ComparisonOperator": "NULL"}}}, list(range(COUNT))),
    ],
)
def test_filters(dynamodb, table, params, expected):
    got = dynamodb.scan(TableName=table, **params)
    assert numbers(got["Items"]) == expected
    assert (got["Count"], got["ScannedCount"]) == (len(expected), COUNT)


def test_a_filtered_page_may_be_empty_and_still_go_on(dynamodb, table):
    params = {
        "TableName": table,
        "FilterExpression": "n = :n",
        "ExpressionAttributeValues": {":n": {"N": "77"}},
        "Limit": 10,
    }
    found, pages = scan_all(dynamodb, **params)
    assert numbers(found) == [77]
    assert pages == COUNT // 10 + 1


def test_projections_and_select(dynamodb, table):
    projected = dynamodb.scan(TableName=table, ProjectionExpression="n, tags", Limit=3)
    assert all(set(found) == {"n", "tags"} for found in projected["Items"])
    legacy = dynamodb.scan(TableName=table, AttributesToGet=["kind"], Select="SPECIFIC_ATTRIBUTES")
    assert {frozenset(found) for found in legacy["Items"]} == {frozenset({"kind"})}
    counted = dynamodb.scan(
        TableName=table,
        Select="COUNT",
        FilterExpression="kind = :k",
        ExpressionAttributeValues={":k": {"S": "even"}},
    )
    assert "Items" not in counted
    assert (counted["Count"], counted["ScannedCount"]) == (COUNT // 2, COUNT)


@pytest.mark.parametrize("total", [1, 2, 3, 4, 7, 16])
def test_parallel_segments_are_disjoint_and_complete(dynamodb, table, total):
    keys: list[str] = []
    for segment in range(total):
        found, _ = scan_all(
            dynamodb, TableName=table, Segment=segment, TotalSegments=total, Limit=9
        )
        keys += [found_item["pk"]["S"] for found_item in found]
    assert len(keys) == len(set(keys)) == COUNT
    assert sorted(keys) == [f"item-{n:03}" for n in range(COUNT)]


def test_segments_split_the_items_between_them(dynamodb, table):
    sizes = [
        dynamodb.scan(TableName=table, Segment=segment, TotalSegments=4)["Count"]
        for segment in range(4)
    ]
    assert sum(sizes) == COUNT
    assert all(size > 0 for size in sizes)


def test_a_range_table_scans_whole_partitions(dynamodb, table_name):
    create_table(dynamodb, table_name, range_key=("sk", "N"))
    for partition in range(6):
        for sort in range(5):
            dynamodb.put_item(
                TableName=table_name, Item={"pk": {"S": f"p{partition}"}, "sk": {"N": str(sort)}}
            )
    found, pages = scan_all(dynamodb, TableName=table_name, Limit=4)
    assert pages == 8
    assert len(found) == 30
    partitions = [found_item["pk"]["S"] for found_item in found]
    for partition in set(partitions):
        rows = [int(i["sk"]["N"]) for i in found if i["pk"]["S"] == partition]
        assert rows == list(range(5))
        first = partitions.index(partition)
        assert partitions[first : first + 5] == [partition] * 5
    last = dynamodb.scan(TableName=table_name, Limit=1)["LastEvaluatedKey"]
    assert set(last) == {"pk", "sk"}


def test_capacity_counts_what_was_read(dynamodb, table_name):
    create_table(dynamodb, table_name)
    for n in range(4):
        padding = "x" * (2000 - 2 - 3 - 7 - 4 - 1)
        dynamodb.put_item(
            TableName=table_name,
            Item={"pk": {"S": f"k{n:02}"}, "padding": {"S": padding}, "keep": {"S": str(n)}},
        )

    def consumed(**params) -> dict:
        return dynamodb.scan(TableName=table_name, **params)["ConsumedCapacity"]

    # Four 2,000-byte items: 8,000 bytes, two 4 KB units (one when eventually consistent).
    assert consumed(ReturnConsumedCapacity="TOTAL", ConsistentRead=True) == {
        "TableName": table_name,
        "CapacityUnits": 2.0,
    }
    assert consumed(ReturnConsumedCapacity="INDEXES") == {
        "TableName": table_name,
        "CapacityUnits": 1.0,
        "Table": {"CapacityUnits": 1.0},
    }
    filtered = consumed(
        ReturnConsumedCapacity="TOTAL",
        ConsistentRead=True,
        FilterExpression="keep = :k",
        ExpressionAttributeValues={":k": {"S": "0"}},
        ProjectionExpression="pk",
    )
    assert filtered["CapacityUnits"] == 2.0
    assert (
        consumed(ReturnConsumedCapacity="TOTAL", Limit=2, ConsistentRead=True)["CapacityUnits"]
        == 1.0
    )
    assert "ConsumedCapacity" not in dynamodb.scan(TableName=table_name)


def test_an_empty_table(dynamodb, table_name):
    create_table(dynamodb, table_name)
    got = dynamodb.scan(TableName=table_name, ReturnConsumedCapacity="TOTAL")
    assert (got["Items"], got["Count"], got["ScannedCount"]) == ([], 0, 0)
    assert got["ConsumedCapacity"] == {"TableName": table_name, "CapacityUnits": 0.5}
    assert "LastEvaluatedKey" not in got
