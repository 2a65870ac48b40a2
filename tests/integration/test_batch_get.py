"""BatchGetItem: keys across tables, projections and consistency per table, the 16 MB answer
limit with UnprocessedKeys, capacity, and every error path.

Sources: nubo-db/dynamodb-conformance tests/tier3/error-messages/batchGetItem.test.ts and
captures/2026-08-12-batch-empty-and-nesting.json (captured on AWS); architect/dynalite
test/batchGetItem.js (checked against AWS, including the per-item capacity figures);
DG ServiceQuotas (100 keys, 16 MB).
"""

from __future__ import annotations

import re

import pytest

from tests.integration.support import create_table, invalid, unchecked_client
from tests.integration.test_tables import error_of

SCHEMA = "The provided key element does not match the schema"


@pytest.fixture
def tables(dynamodb, table_name):
    first = create_table(dynamodb, table_name)
    second = create_table(dynamodb, table_name + "-2", range_key=("sk", "N"))
    return first, second


@pytest.fixture
def unchecked(tidal_endpoint):
    return unchecked_client(tidal_endpoint)


def key(name: str) -> dict:
    return {"pk": {"S": name}}


def sized(name: str, size: int) -> dict:
    """An item of `size` bytes keyed `name` (reference §2: names and values count)."""
    return {**key(name), "p": {"S": "x" * (size - 3 - len(name))}}


def test_items_from_several_tables(dynamodb, tables):
    first, second = tables
    dynamodb.put_item(TableName=first, Item={**key("a"), "v": {"N": "1"}})
    dynamodb.put_item(TableName=first, Item={**key("b"), "v": {"N": "2"}})
    ranged = {**key("a"), "sk": {"N": "7"}}
    dynamodb.put_item(TableName=second, Item=ranged)
    response = dynamodb.batch_get_item(
        RequestItems={
            first: {"Keys": [key("a"), key("missing"), key("b")]},
            second: {"Keys": [{**key("a"), "sk": {"N": "7.0"}}]},
        }
    )
    assert sorted(item["pk"]["S"] for item in response["Responses"][first]) == ["a", "b"]
    assert response["Responses"][second] == [ranged]
    assert response["UnprocessedKeys"] == {}


def test_a_table_with_nothing_found_answers_an_empty_list(dynamodb, tables):
    first, _ = tables
    response = dynamodb.batch_get_item(RequestItems={first: {"Keys": [key("nothing")]}})
    assert response["Responses"] == {first: []}
    assert response["UnprocessedKeys"] == {}
    assert "ConsumedCapacity" not in response


def test_projection_per_table(dynamodb, tables):
    first, second = tables
    dynamodb.put_item(
        TableName=first, Item={**key("a"), "name": {"S": "n"}, "m": {"M": {"x": {"N": "1"}}}}
    )
    dynamodb.put_item(TableName=second, Item={**key("a"), "sk": {"N": "1"}, "c": {"S": "c"}})
    response = dynamodb.batch_get_item(
        RequestItems={
            first: {
                "Keys": [key("a")],
                "ProjectionExpression": "#n, m.x",
                "ExpressionAttributeNames": {"#n": "name"},
            },
            second: {"Keys": [{**key("a"), "sk": {"N": "1"}}], "ProjectionExpression": "c"},
        }
    )
    assert response["Responses"][first] == [{"name": {"S": "n"}, "m": {"M": {"x": {"N": "1"}}}}]
    assert response["Responses"][second] == [{"c": {"S": "c"}}]


def test_attributes_to_get(dynamodb, tables):
    first, _ = tables
    dynamodb.put_item(TableName=first, Item={**key("a"), "b": {"S": "b"}, "c": {"S": "c"}})
    dynamodb.put_item(TableName=first, Item=key("d"))
    response = dynamodb.batch_get_item(
        RequestItems={first: {"Keys": [key("a"), key("d")], "AttributesToGet": ["b", "c"]}}
    )
    found = response["Responses"][first]
    assert sorted(found, key=len) == [{}, {"b": {"S": "b"}, "c": {"S": "c"}}]


def test_consumed_capacity_rounds_each_item(dynamodb, tables):
    first, second = tables
    dynamodb.put_item(TableName=first, Item=sized("big", 4097))
    dynamodb.put_item(TableName=first, Item=sized("small", 10))

    def read(consistent: bool, mode: str) -> list:
        return dynamodb.batch_get_item(
            RequestItems={
                first: {
                    "Keys": [key("big"), key("small"), key("missing")],
                    "ConsistentRead": consistent,
                },
                second: {"Keys": [{**key("x"), "sk": {"N": "1"}}], "ConsistentRead": consistent},
            },
            ReturnConsumedCapacity=mode,
        )["ConsumedCapacity"]

    assert read(False, "TOTAL") == [
        {"TableName": first, "CapacityUnits": 2.0},
        {"TableName": second, "CapacityUnits": 0.5},
    ]
    assert read(True, "INDEXES") == [
        {"TableName": first, "CapacityUnits": 4.0, "Table": {"CapacityUnits": 4.0}},
        {"TableName": second, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}},
    ]


def test_the_answer_stops_at_16_mb(dynamodb, tables):
    """41 items of 400,000 bytes fit in 16 MiB, a 42nd does not: the rest come back as keys."""
    first, second = tables
    names = [f"k{n:02d}" for n in range(45)]
    for batch in (names[:25], names[25:]):
        puts = [{"PutRequest": {"Item": sized(name, 400_000)}} for name in batch]
        dynamodb.batch_write_item(RequestItems={first: puts})
    ranged = {**key("r"), "sk": {"N": "1"}}
    dynamodb.put_item(TableName=second, Item=ranged)
    second_request = {
        "Keys": [ranged],
        "ProjectionExpression": "#p",
        "ExpressionAttributeNames": {"#p": "pk"},
        "ConsistentRead": True,
    }
    response = dynamodb.batch_get_item(
        RequestItems={first: {"Keys": [key(name) for name in names]}, second: second_request},
        ReturnConsumedCapacity="TOTAL",
    )
    assert len(response["Responses"][first]) == 41
    assert response["Responses"][second] == []
    assert response["UnprocessedKeys"] == {
        first: {"Keys": [key(name) for name in names[41:]]},
        second: second_request,
    }
    assert response["ConsumedCapacity"] == [
        {"TableName": first, "CapacityUnits": 41 * 49.0},
        {"TableName": second, "CapacityUnits": 0.0},
    ]

    rest = dynamodb.batch_get_item(RequestItems=response["UnprocessedKeys"])
    assert len(rest["Responses"][first]) == 4
    assert rest["Responses"][second] == [key("r")]
    assert rest["UnprocessedKeys"] == {}


def test_a_hundred_keys_is_the_limit(dynamodb, unchecked, tables):
    first, second = tables
    keys = [key(f"k{n}") for n in range(100)]
    assert dynamodb.batch_get_item(RequestItems={first: {"Keys": keys}})["Responses"] == {first: []}
    code, message, status = error_of(
        unchecked.batch_get_item, RequestItems={first: {"Keys": [*keys, key("k100")]}}
    )
    assert (code, status) == ("ValidationException", 400)
    assert re.fullmatch(
        rf"1 validation error detected: Value '\[.+\]' at 'requestItems\.{re.escape(first)}"
        r"\.member\.keys' failed to satisfy constraint: "
        r"Member must have length less than or equal to 100",
        message,
        re.DOTALL,
    )
    over_all_tables = {
        first: {"Keys": keys[:60]},
        second: {"Keys": [{**key(f"k{n}"), "sk": {"N": "1"}} for n in range(41)]},
    }
    assert error_of(dynamodb.batch_get_item, RequestItems=over_all_tables) == invalid(
        "Too many items requested for the BatchGetItem call"
    )


def test_empty_request_items(unchecked):
    assert error_of(unchecked.batch_get_item, RequestItems={}) == invalid(
        "The requestItems parameter is required for BatchGetItem"
    )


def test_a_missing_table(dynamodb, tables, table_name):
    first, _ = tables
    requests = {first: {"Keys": [key("a")]}, table_name + "-missing": {"Keys": [key("a")]}}
    assert error_of(dynamodb.batch_get_item, RequestItems=requests) == (
        "ResourceNotFoundException",
        "Requested resource not found",
        400,
    )


@pytest.mark.parametrize(
    "keys",
    [
        [key("same"), key("same")],
        [key("same"), key("other"), key("same")],
    ],
)
def test_duplicate_keys(dynamodb, tables, keys):
    first, _ = tables
    assert error_of(dynamodb.batch_get_item, RequestItems={first: {"Keys": keys}}) == invalid(
        "Provided list of item keys contains duplicates"
    )


@pytest.mark.parametrize(
    ("bad_key", "message"),
    [
        ({}, SCHEMA),
        ({"other": {"S": "a"}}, SCHEMA),
        ({"pk": {"N": "1"}}, SCHEMA),
        ({"pk": {"S": "a"}, "extra": {"S": "b"}}, SCHEMA),
        (
            {"pk": {"S": ""}},
            "One or more parameter values are not valid. The AttributeValue for a key attribute "
            "cannot contain an empty string value. Key: pk",
        ),
        (
            {"pk": {"S": "a", "N": "1"}},
            "Supplied AttributeValue has more than one datatypes set, "
            "must contain exactly one of the supported datatypes",
        ),
    ],
)
def test_bad_keys(unchecked, tables, bad_key, message):
    first, _ = tables
    requests = {first: {"Keys": [key("fine"), bad_key]}}
    assert error_of(unchecked.batch_get_item, RequestItems=requests) == invalid(message)


def test_projection_errors(unchecked, tables):
    first, second = tables
    both = {first: {"Keys": [key("a")], "AttributesToGet": ["pk"], "ProjectionExpression": "pk"}}
    assert error_of(unchecked.batch_get_item, RequestItems=both) == invalid(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"
    )
    mixed = {
        first: {"Keys": [key("a")], "ProjectionExpression": "pk"},
        second: {"Keys": [{**key("a"), "sk": {"N": "1"}}], "AttributesToGet": ["pk"]},
    }
    code, _message, status = error_of(unchecked.batch_get_item, RequestItems=mixed)
    assert (code, status) == ("ValidationException", 400)
    overlapping = {
        first: {"Keys": [key("a")], "ProjectionExpression": "a, a.b"},
        second: {"Keys": [{**key("a"), "sk": {"N": "1"}}], "ProjectionExpression": "c"},
    }
    assert error_of(unchecked.batch_get_item, RequestItems=overlapping) == invalid(
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
        "or rewrite one of these paths; path one: [a], path two: [a, b]"
    )
    duplicates = {first: {"Keys": [key("a")], "AttributesToGet": ["b", "b"]}}
    assert error_of(unchecked.batch_get_item, RequestItems=duplicates) == invalid(
        "One or more parameter values were invalid: Duplicate value in attribute name: b"
    )
    unused = {
        first: {
            "Keys": [key("a")],
            "ProjectionExpression": "pk",
            "ExpressionAttributeNames": {"#unused": "x"},
        }
    }
    assert error_of(unchecked.batch_get_item, RequestItems=unused) == invalid(
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"
    )
