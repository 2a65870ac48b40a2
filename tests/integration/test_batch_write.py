"""BatchWriteItem: puts and deletes across tables, its limits, and every error path.

A bad request fails the whole batch and writes nothing. Sources for shapes and messages:
nubo-db/dynamodb-conformance tests/tier3/error-messages/batchWriteItem.test.ts and
tests/tier3/limits/itemSizeBySurface.test.ts (captured on AWS); architect/dynalite
test/batchWriteItem.js (checked against AWS); localstack test_batch_write_items_streaming
(`UnprocessedItems: {}` recorded on AWS).
"""

from __future__ import annotations

import re

import pytest

from tests.integration.support import create_table, gsi, invalid, unchecked_client
from tests.integration.test_tables import error_of

INVALID = "One or more parameter values were invalid: "
MANY_TYPES = (
    "Supplied AttributeValue has more than one datatypes set, "
    "must contain exactly one of the supported datatypes"
)
SCHEMA = "The provided key element does not match the schema"


@pytest.fixture
def tables(dynamodb, table_name):
    """A hash-key table with a GSI on `status`, and a hash-and-range table."""
    first = create_table(
        dynamodb,
        table_name,
        indexed=(("status", "S"),),
        GlobalSecondaryIndexes=[gsi("by-status", "status")],
    )
    second = create_table(dynamodb, table_name + "-2", range_key=("sk", "N"))
    return first, second


@pytest.fixture
def unchecked(tidal_endpoint):
    return unchecked_client(tidal_endpoint)


def put(item: dict) -> dict:
    return {"PutRequest": {"Item": item}}


def delete(key: dict) -> dict:
    return {"DeleteRequest": {"Key": key}}


def body(response: dict) -> dict:
    return {name: value for name, value in response.items() if name != "ResponseMetadata"}


def stored(dynamodb, table: str, key: dict) -> dict | None:
    return dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def test_puts_and_deletes_across_tables(dynamodb, tables):
    first, second = tables
    dynamodb.put_item(TableName=first, Item={"pk": {"S": "gone"}})
    item = {"pk": {"S": "a"}, "status": {"S": "new"}, "n": {"N": "01.50"}}
    ranged = {"pk": {"S": "b"}, "sk": {"N": "1"}}
    response = dynamodb.batch_write_item(
        RequestItems={first: [put(item), delete({"pk": {"S": "gone"}})], second: [put(ranged)]}
    )
    assert body(response) == {"UnprocessedItems": {}}
    assert stored(dynamodb, first, {"pk": {"S": "a"}}) == {**item, "n": {"N": "1.5"}}
    assert stored(dynamodb, first, {"pk": {"S": "gone"}}) is None
    assert stored(dynamodb, second, ranged) == ranged


def test_a_put_replaces_and_a_delete_of_a_missing_item_is_no_error(dynamodb, tables):
    first, _ = tables
    dynamodb.put_item(TableName=first, Item={"pk": {"S": "a"}, "old": {"S": "x"}})
    dynamodb.batch_write_item(
        RequestItems={
            first: [put({"pk": {"S": "a"}, "new": {"S": "y"}}), delete({"pk": {"S": "z"}})]
        }
    )
    assert stored(dynamodb, first, {"pk": {"S": "a"}}) == {"pk": {"S": "a"}, "new": {"S": "y"}}


def test_twenty_five_requests_is_the_limit(dynamodb, unchecked, tables):
    first, _ = tables
    requests = [put({"pk": {"S": f"k{i}"}}) for i in range(25)]
    dynamodb.batch_write_item(RequestItems={first: requests})
    assert all(stored(dynamodb, first, {"pk": {"S": f"k{i}"}}) for i in range(25))

    code, message, status = error_of(
        unchecked.batch_write_item, RequestItems={first: [*requests, put({"pk": {"S": "k25"}})]}
    )
    assert (code, status) == ("ValidationException", 400)
    assert re.fullmatch(
        rf"1 validation error detected: Value '\{{{re.escape(first)}=\[.+\]\}}' at 'requestItems' "
        r"failed to satisfy constraint: Map value must satisfy constraint: \[Member must have "
        r"length less than or equal to 25, Member must have length greater than or equal to 1\]",
        message,
        re.DOTALL,
    )


def test_twenty_five_requests_counted_over_all_tables(unchecked, dynamodb, tables):
    first, second = tables
    requests = {
        first: [put({"pk": {"S": f"k{i}"}}) for i in range(13)],
        second: [put({"pk": {"S": f"k{i}"}, "sk": {"N": "1"}}) for i in range(13)],
    }
    assert error_of(unchecked.batch_write_item, RequestItems=requests) == invalid(
        "Too many items requested for the BatchWriteItem call"
    )
    assert stored(dynamodb, first, {"pk": {"S": "k0"}}) is None


def test_empty_request_items(unchecked):
    assert error_of(unchecked.batch_write_item, RequestItems={}) == invalid(
        "The requestItems parameter is required for BatchWriteItem"
    )


@pytest.mark.parametrize(
    "request_",
    [
        {},
        {"PutRequest": {"Item": {"pk": {"S": "x"}}}, "DeleteRequest": {"Key": {"pk": {"S": "y"}}}},
    ],
    ids=["neither", "both"],
)
def test_a_write_request_is_a_put_or_a_delete(unchecked, dynamodb, tables, request_):
    first, _ = tables
    requests = {first: [put({"pk": {"S": "valid"}}), request_]}
    assert error_of(unchecked.batch_write_item, RequestItems=requests) == invalid(MANY_TYPES)
    assert stored(dynamodb, first, {"pk": {"S": "valid"}}) is None


def test_a_missing_table_fails_the_whole_batch(dynamodb, tables, table_name):
    first, _ = tables
    requests = {
        first: [put({"pk": {"S": "a"}})],
        table_name + "-missing": [put({"pk": {"S": "a"}})],
    }
    assert error_of(dynamodb.batch_write_item, RequestItems=requests) == (
        "ResourceNotFoundException",
        "Requested resource not found",
        400,
    )
    assert stored(dynamodb, first, {"pk": {"S": "a"}}) is None


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (put({"other": {"S": "x"}}), SCHEMA),
        (put({"pk": {"N": "5"}}), SCHEMA),
        (put({"pk": {"L": [{"S": "x"}]}}), SCHEMA),
        (delete({"pk": {"N": "5"}}), SCHEMA),
        (delete({"pk": {"S": "x"}, "sk": {"S": "y"}}), SCHEMA),
        (
            put({"pk": {"S": ""}}),
            "One or more parameter values are not valid. The AttributeValue for a key attribute "
            "cannot contain an empty string value. Key: pk",
        ),
        (
            put({"pk": {"S": "x"}, "status": {"N": "1"}}),
            INVALID
            + "Type mismatch for Index Key status Expected: S Actual: N IndexName: by-status",
        ),
        (
            put({"pk": {"S": "x"}, "status": {"S": ""}}),
            "One or more parameter values are not valid. A value specified for a secondary index "
            "key is not supported. The AttributeValue for a key attribute cannot contain an empty "
            "string value. IndexName: by-status, IndexKey: status",
        ),
        (
            put({"pk": {"S": "x"}, "s": {"SS": []}}),
            INVALID + "An string set  may not be empty",
        ),
        (
            put({"pk": {"S": "x" * 2049}}),
            INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes",
        ),
    ],
)
def test_one_bad_request_fails_the_batch(dynamodb, tables, request_, message):
    first, _ = tables
    requests = {first: [put({"pk": {"S": "valid"}}), request_]}
    assert error_of(dynamodb.batch_write_item, RequestItems=requests) == invalid(message)
    assert stored(dynamodb, first, {"pk": {"S": "valid"}}) is None


def test_the_item_size_limit(dynamodb, tables):
    first, _ = tables
    at_limit = {"pk": {"S": "a"}, "p": {"S": "x" * (400 * 1024 - 4)}}
    dynamodb.batch_write_item(RequestItems={first: [put(at_limit)]})
    assert stored(dynamodb, first, {"pk": {"S": "a"}}) == at_limit

    over = {"pk": {"S": "b"}, "p": {"S": "x" * (400 * 1024 - 3)}}
    requests = {first: [put({"pk": {"S": "valid"}}), put(over)]}
    assert error_of(dynamodb.batch_write_item, RequestItems=requests) == invalid(
        "Item size has exceeded the maximum allowed size"
    )
    assert stored(dynamodb, first, {"pk": {"S": "valid"}}) is None


@pytest.mark.parametrize(
    "requests",
    [
        [put({"pk": {"S": "dup"}}), delete({"pk": {"S": "dup"}})],
        [delete({"pk": {"S": "dup"}}), put({"pk": {"S": "dup"}})],
        [put({"pk": {"S": "dup"}, "v": {"N": "1"}}), put({"pk": {"S": "dup"}, "v": {"N": "2"}})],
    ],
    ids=["put-delete", "delete-put", "put-put"],
)
def test_two_requests_on_one_item(dynamodb, tables, requests):
    first, _ = tables
    requests = {first: [put({"pk": {"S": "valid"}}), *requests]}
    assert error_of(dynamodb.batch_write_item, RequestItems=requests) == invalid(
        "Provided list of item keys contains duplicates"
    )
    assert stored(dynamodb, first, {"pk": {"S": "valid"}}) is None


def test_numbers_equal_by_value_are_one_key(dynamodb, tables):
    _, second = tables
    requests = {
        second: [
            put({"pk": {"S": "a"}, "sk": {"N": "100"}}),
            delete({"pk": {"S": "a"}, "sk": {"N": "1E2"}}),
        ]
    }
    assert error_of(dynamodb.batch_write_item, RequestItems=requests) == invalid(
        "Provided list of item keys contains duplicates"
    )


def test_consumed_capacity_per_table(dynamodb, tables):
    """Each request rounds up to 1 KB on its own; a GSI key change costs the old and new row."""
    first, second = tables
    dynamodb.put_item(TableName=first, Item={"pk": {"S": "old"}, "p": {"S": "x" * 3000}})

    def requests(status: str) -> dict:
        return {
            first: [
                put({"pk": {"S": "a"}, "status": {"S": status}, "p": {"S": "x" * 1100}}),
                put({"pk": {"S": "b"}}),
                delete({"pk": {"S": "old"}}),
                delete({"pk": {"S": "missing"}}),
            ],
            second: [put({"pk": {"S": "c"}, "sk": {"N": "1"}})],
        }

    total = dynamodb.batch_write_item(RequestItems=requests("s"), ReturnConsumedCapacity="TOTAL")
    assert total["ConsumedCapacity"] == [
        {"TableName": first, "CapacityUnits": 9.0},
        {"TableName": second, "CapacityUnits": 1.0},
    ]
    again = dynamodb.batch_write_item(RequestItems=requests("s2"), ReturnConsumedCapacity="INDEXES")
    assert again["ConsumedCapacity"] == [
        {
            "TableName": first,
            "CapacityUnits": 9.0,
            "Table": {"CapacityUnits": 5.0},
            "GlobalSecondaryIndexes": {"by-status": {"CapacityUnits": 4.0}},
        },
        {"TableName": second, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}},
    ]
    quiet = dynamodb.batch_write_item(RequestItems=requests("s"), ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in quiet


def test_a_table_named_by_its_arn(dynamodb, tables):
    first, _ = tables
    arn = dynamodb.describe_table(TableName=first)["Table"]["TableArn"]
    response = dynamodb.batch_write_item(
        RequestItems={arn: [put({"pk": {"S": "a"}})]}, ReturnConsumedCapacity="TOTAL"
    )
    assert response["ConsumedCapacity"] == [{"TableName": arn, "CapacityUnits": 1.0}]
    assert stored(dynamodb, first, {"pk": {"S": "a"}}) == {"pk": {"S": "a"}}


def test_index_rows_follow_the_batch(dynamodb, tables):
    first, _ = tables
    dynamodb.batch_write_item(
        RequestItems={first: [put({"pk": {"S": f"k{i}"}, "status": {"S": "s"}}) for i in range(3)]}
    )
    dynamodb.batch_write_item(RequestItems={first: [delete({"pk": {"S": "k0"}})]})
    described = dynamodb.describe_table(TableName=first)["Table"]
    assert described["ItemCount"] == 2
    assert described["GlobalSecondaryIndexes"][0]["ItemCount"] == 2
