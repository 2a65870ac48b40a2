"""Pages of Query and Scan: many small pages, boto3's paginators, and the 1 MB page.

A page ends when Limit rows have been read, or with the row that brings the data read to
1 MB (item sizes as reference/dynamodb.md §2 computes them), and then always carries a
LastEvaluatedKey (architect/dynalite test/query.js, its 1 MB cases: the crossing row is part of
the page, and a page that ends exactly at the last row still has a LastEvaluatedKey).
"""

from __future__ import annotations

import uuid

import pytest

from tests.integration.support import create_table

MB = 1024 * 1024
ROWS = 300


def padded(sort: str, size: int) -> dict:
    """An item of exactly `size` bytes in partition "p": pk, sk and a padding string."""
    return {
        "pk": {"S": "p"},
        "sk": {"S": sort},
        "padding": {"S": "x" * (size - (2 + 1) - (2 + len(sort)) - len("padding"))},
    }


def mapped(sort: str, entries: int) -> tuple[dict, int]:
    """An item whose map of one-letter strings is small for DynamoDB but large as JSON."""
    members = {f"a{n:04}": {"S": "x"} for n in range(entries)}
    size = (2 + 1) + (2 + len(sort)) + (1 + 3 + entries * (5 + 1 + 1))
    return {"pk": {"S": "p"}, "sk": {"S": sort}, "m": {"M": members}}, size


def pages_of(call, **params) -> list[dict]:
    pages = []
    while True:
        page = call(**params)
        pages.append(page)
        if "LastEvaluatedKey" not in page:
            return pages
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def sorts(pages: list[dict]) -> list[str]:
    return [item["sk"]["S"] for page in pages for item in page.get("Items", [])]


@pytest.fixture(scope="module")
def many(dynamodb):
    name = create_table(dynamodb, f"pages-{uuid.uuid4().hex[:8]}", range_key=("sk", "S"))
    for n in range(ROWS):
        dynamodb.put_item(
            TableName=name, Item={"pk": {"S": "p"}, "sk": {"S": f"{n:04}"}, "n": {"N": str(n)}}
        )
    dynamodb.put_item(TableName=name, Item={"pk": {"S": "other"}, "sk": {"S": "0000"}})
    yield name
    dynamodb.delete_table(TableName=name)


EVERY_SORT = [f"{n:04}" for n in range(ROWS)]
KEY = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}}


@pytest.mark.parametrize("forward", [True, False])
def test_hundreds_of_rows_in_small_pages(dynamodb, many, forward):
    pages = pages_of(dynamodb.query, TableName=many, Limit=7, ScanIndexForward=forward, **KEY)
    assert len(pages) == ROWS // 7 + 1
    assert all(page["Count"] == 7 for page in pages[:-1])
    assert sorts(pages) == (EVERY_SORT if forward else EVERY_SORT[::-1])


def test_a_filter_thins_pages_but_every_page_is_read(dynamodb, many):
    pages = pages_of(
        dynamodb.query,
        TableName=many,
        Limit=25,
        KeyConditionExpression="pk = :p",
        FilterExpression="n > :n",
        ExpressionAttributeValues={":p": {"S": "p"}, ":n": {"N": "289"}},
    )
    assert len(pages) == ROWS // 25 + 1
    assert [page["ScannedCount"] for page in pages] == [25] * 12 + [0]
    assert sorts(pages) == EVERY_SORT[290:]


def test_the_boto3_query_paginator(dynamodb, many):
    paginator = dynamodb.get_paginator("query")
    pages = list(paginator.paginate(TableName=many, PaginationConfig={"PageSize": 10}, **KEY))
    assert len(pages) == ROWS // 10 + 1
    assert sorts(pages) == EVERY_SORT
    limited = paginator.paginate(
        TableName=many, PaginationConfig={"PageSize": 9, "MaxItems": 50}, **KEY
    ).build_full_result()
    assert [item["sk"]["S"] for item in limited["Items"]] == EVERY_SORT[:50]
    counted = paginator.paginate(
        TableName=many, Select="COUNT", PaginationConfig={"PageSize": 64}, **KEY
    )
    assert sum(page["Count"] for page in counted) == ROWS


@pytest.fixture(scope="module")
def big(dynamodb):
    """25 items of 100,000 bytes: 11 of them make the first page to cross 1 MB."""
    name = create_table(dynamodb, f"pages-big-{uuid.uuid4().hex[:8]}", range_key=("sk", "S"))
    for n in range(25):
        dynamodb.put_item(TableName=name, Item=padded(f"{n:02}", 100_000))
    yield name
    dynamodb.delete_table(TableName=name)


def test_a_page_ends_with_the_row_that_crosses_1_mb(dynamodb, big):
    pages = pages_of(dynamodb.query, TableName=big, **KEY)
    assert [page["Count"] for page in pages] == [11, 11, 3]
    assert pages[0]["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"S": "10"}}
    assert sorts(pages) == [f"{n:02}" for n in range(25)]
    scanned = pages_of(dynamodb.scan, TableName=big)
    assert [page["Count"] for page in scanned] == [11, 11, 3]


def test_rows_the_filter_drops_count_toward_the_megabyte(dynamodb, big):
    page = dynamodb.query(
        TableName=big,
        KeyConditionExpression="pk = :p",
        FilterExpression="attribute_exists(nothing)",
        ExpressionAttributeValues={":p": {"S": "p"}},
        ReturnConsumedCapacity="TOTAL",
        ConsistentRead=True,
    )
    assert (page["Count"], page["ScannedCount"]) == (0, 11)
    assert page["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"S": "10"}}
    # 11 x 100,000 bytes, rounded up once to 4 KB units.
    assert page["ConsumedCapacity"]["CapacityUnits"] == 269.0


def test_a_page_that_ends_on_the_last_row_still_has_a_key(dynamodb, table_name):
    create_table(dynamodb, table_name, range_key=("sk", "S"))
    for n in range(11):
        dynamodb.put_item(TableName=table_name, Item=padded(f"{n:02}", 100_000))
    first = dynamodb.query(TableName=table_name, **KEY)
    assert first["Count"] == 11
    assert first["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"S": "10"}}
    second = dynamodb.query(
        TableName=table_name, ExclusiveStartKey=first["LastEvaluatedKey"], **KEY
    )
    assert (second["Count"], second["Items"]) == (0, [])
    assert "LastEvaluatedKey" not in second


def test_the_megabyte_counts_item_sizes_not_json(dynamodb, table_name):
    create_table(dynamodb, table_name, range_key=("sk", "S"))
    sizes = []
    for n in range(30):
        item, size = mapped(f"{n:02}", 5_700)
        sizes.append(size)
        dynamodb.put_item(TableName=table_name, Item=item)
    crossing = next(n for n in range(30) if sum(sizes[: n + 1]) >= MB) + 1
    assert crossing == 27  # ~40 KB items, each ~100 KB as JSON
    for extra in ({}, {"ReturnConsumedCapacity": "TOTAL"}):
        pages = pages_of(
            dynamodb.query, TableName=table_name, ProjectionExpression="sk", **KEY, **extra
        )
        assert [page["Count"] for page in pages] == [crossing, 30 - crossing]
