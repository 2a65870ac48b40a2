"""Scan's error paths: type, message and status as AWS answers them.

Sources: nubo-db/dynamodb-conformance tests/tier3/error-messages/scan.test.ts and
tests/tier1/scan/select.test.ts (measured on AWS: Segment/TotalSegments, Limit, a missing
table, Select rules); architect/dynalite test/scan.js and actions/scan.js (checked against
AWS: start keys of tables and indexes, a start key from another segment, parameter mixes);
an AWS-verified suite (ExtendDB, us-east-1): COUNT with a ProjectionExpression has no
"1 validation error detected: " prefix on Scan.
"""

from __future__ import annotations

import uuid

import orjson
import pytest

from tests.integration.support import create_table, gsi, invalid, unchecked_client
from tests.integration.test_protocol import dynamodb_post
from tests.integration.test_tables import error_of

INVALID_START = "The provided starting key is invalid"
SCHEMA = "The provided key element does not match the schema"


@pytest.fixture(scope="module")
def table(dynamodb):
    """pk S / sk S with a KEYS_ONLY GSI on g (S) and an LSI on l (N)."""
    name = create_table(
        dynamodb,
        f"scan-errors-{uuid.uuid4().hex[:8]}",
        range_key=("sk", "S"),
        indexed=(("g", "S"), ("l", "N")),
        GlobalSecondaryIndexes=[gsi("keys", "g", ProjectionType="KEYS_ONLY")],
        LocalSecondaryIndexes=[
            {
                "IndexName": "local",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    for n in range(20):
        dynamodb.put_item(TableName=name, Item={"pk": {"S": f"p{n}"}, "sk": {"S": "s"}})
    yield name
    dynamodb.delete_table(TableName=name)


@pytest.fixture(scope="module")
def unchecked(tidal_endpoint):
    return unchecked_client(tidal_endpoint)


def scan_error(client, table, **params):
    return error_of(client.scan, TableName=table, **params)


def test_segments(unchecked, table):
    assert scan_error(unchecked, table, Segment=0) == invalid(
        "The TotalSegments parameter is required but was not present in the request when Segment "
        "parameter is present"
    )
    assert scan_error(unchecked, table, TotalSegments=4) == invalid(
        "The Segment parameter is required but was not present in the request when parameter "
        "TotalSegments is present"
    )
    assert scan_error(unchecked, table, Segment=5, TotalSegments=5) == invalid(
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
        "Segment: 5 is not less than TotalSegments: 5"
    )
    assert scan_error(unchecked, table, Segment=-1, TotalSegments=2) == invalid(
        "1 validation error detected: Value '-1' at 'segment' failed to satisfy constraint: "
        "Member must have value greater than or equal to 0"
    )


def test_limit_must_be_positive(unchecked, table):
    assert scan_error(unchecked, table, Limit=0) == invalid(
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


def test_a_missing_table_or_index(dynamodb, table):
    assert scan_error(dynamodb, "no-such-table") == (
        "ResourceNotFoundException",
        "Requested resource not found",
        400,
    )
    assert scan_error(dynamodb, table, IndexName="nope") == invalid(
        "The table does not have the specified index: nope"
    )
    assert scan_error(dynamodb, table, IndexName="keys", ConsistentRead=True) == invalid(
        "Consistent reads are not supported on global secondary indexes"
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {
                "ScanFilter": {"a": {"ComparisonOperator": "NULL"}},
                "AttributesToGet": ["a"],
                "ConditionalOperator": "OR",
                "FilterExpression": "attribute_exists(b)",
                "ProjectionExpression": "b",
            },
            "Can not use both expression and non-expression parameters in the same request: "
            "Non-expression parameters: {AttributesToGet, ScanFilter, ConditionalOperator} "
            "Expression parameters: {ProjectionExpression, FilterExpression}",
        ),
        (
            {"ExpressionAttributeValues": {":a": {"S": "a"}}},
            "ExpressionAttributeValues can only be specified when using expressions: "
            "FilterExpression is null",
        ),
        (
            {"ExpressionAttributeNames": {"#a": "a"}},
            "ExpressionAttributeNames can only be specified when using expressions",
        ),
        (
            {"ScanFilter": {"a": {"ComparisonOperator": "EQ"}}},
            "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
            "ComparisonOperator",
        ),
        (
            {
                "ScanFilter": {
                    "a": {"ComparisonOperator": "LT", "AttributeValueList": [{"BOOL": True}]}
                }
            },
            "One or more parameter values were invalid: ComparisonOperator LT is not valid for "
            "BOOL AttributeValue type",
        ),
        (
            {"ScanFilter": {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "x"}]}}},
            "The parameter cannot be converted to a numeric value: x",
        ),
        (
            {"ScanFilter": {"a": {"ComparisonOperator": "NULL"}}, "ConditionalOperator": "OR"},
            "ConditionalOperator can only be used when Filter or Expected has two or more elements",
        ),
        (
            {
                "FilterExpression": "a = :a",
                "ExpressionAttributeValues": {":a": {"S": "a"}, ":b": {"S": "b"}},
            },
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}",
        ),
        ({"FilterExpression": ""}, "Invalid FilterExpression: The expression can not be empty;"),
        (
            {
                "FilterExpression": "attribute_exists(#a.b)",
                "ExpressionAttributeNames": {"#a": "pk"},
            },
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
            "allowed: Key: pk",
        ),
        (
            {"ProjectionExpression": "g[0]"},
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
            "allowed: IndexKey: g",
        ),
    ],
)
def test_parameter_errors(unchecked, table, params, message):
    assert scan_error(unchecked, table, **params) == invalid(message)


def test_an_invalid_comparison_operator_lists_aws_order(unchecked, table):
    assert scan_error(
        unchecked, table, ScanFilter={"a": {"ComparisonOperator": "SOMETIMES"}}
    ) == invalid(
        "1 validation error detected: Value 'SOMETIMES' at 'scanFilter.a.member."
        "comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: "
        "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, "
        "CONTAINS]"
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"Select": "ALL_ATTRIBUTES", "ProjectionExpression": "pk"},
            "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES",
        ),
        (
            {"Select": "ALL_ATTRIBUTES", "AttributesToGet": ["pk"]},
            "Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES",
        ),
        (
            {"Select": "ALL_PROJECTED_ATTRIBUTES"},
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
        ),
        (
            {"Select": "COUNT", "ProjectionExpression": "pk"},
            "Cannot specify the ProjectionExpression when choosing to get only the Count",
        ),
        (
            {"Select": "SPECIFIC_ATTRIBUTES"},
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
            "SPECIFIC_ATTRIBUTES",
        ),
        (
            {"Select": "ALL_ATTRIBUTES", "IndexName": "keys"},
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not "
            "supported for global secondary index keys because its projection type is not ALL",
        ),
        (
            {"IndexName": "keys", "ProjectionExpression": "pk, sk, g, extra"},
            "One or more parameter values were invalid: Global secondary index keys does not "
            "project [extra]",
        ),
    ],
)
def test_select_errors(dynamodb, table, params, message):
    assert scan_error(dynamodb, table, **params) == invalid(message)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"ExclusiveStartKey": {}}, f"{INVALID_START}: {SCHEMA}"),
        ({"ExclusiveStartKey": {"pk": {"S": "a"}}}, f"{INVALID_START}: {SCHEMA}"),
        ({"ExclusiveStartKey": {"pk": {"S": "a"}, "x": {"S": "b"}}}, f"{INVALID_START}: {SCHEMA}"),
        ({"ExclusiveStartKey": {"pk": {"N": "1"}, "sk": {"S": "b"}}}, f"{INVALID_START}: {SCHEMA}"),
        (
            {"ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"S": "b"}, "x": {"S": "c"}}},
            f"{INVALID_START}: {SCHEMA}",
        ),
        (
            {"ExclusiveStartKey": {"pk": {"S": "a", "N": "1"}, "sk": {"S": "b"}}},
            f"{INVALID_START}: Supplied AttributeValue has more than one datatypes set, must "
            "contain exactly one of the supported datatypes",
        ),
        (
            {"IndexName": "keys", "ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"S": "b"}}},
            INVALID_START,
        ),
        (
            {
                "IndexName": "keys",
                "ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"S": "b"}, "x": {"S": "c"}},
            },
            INVALID_START,
        ),
        (
            {
                "IndexName": "keys",
                "ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"S": "b"}, "g": {"N": "1"}},
            },
            SCHEMA,
        ),
        (
            {
                "IndexName": "keys",
                "ExclusiveStartKey": {"pk": {"S": "a"}, "x": {"S": "b"}, "g": {"S": "c"}},
            },
            f"{INVALID_START}: {SCHEMA}",
        ),
        (
            {
                "IndexName": "local",
                "ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"N": "1"}, "l": {"N": "1"}},
            },
            f"{INVALID_START}: {SCHEMA}",
        ),
    ],
)
def test_start_key_errors(unchecked, table, params, message):
    assert scan_error(unchecked, table, **params) == invalid(message)


def test_a_start_key_belongs_to_its_segment(dynamodb, table):
    first = dynamodb.scan(TableName=table, Segment=1, TotalSegments=2, Limit=1)
    start = first["LastEvaluatedKey"]
    assert scan_error(
        dynamodb, table, Segment=0, TotalSegments=2, ExclusiveStartKey=start
    ) == invalid(
        f"{INVALID_START}: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct "
        "Segment. TotalSegments: 2 Segment: 0"
    )
    resumed = dynamodb.scan(TableName=table, Segment=1, TotalSegments=2, ExclusiveStartKey=start)
    assert start not in [{"pk": i["pk"], "sk": i["sk"]} for i in resumed["Items"]]


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("Scan", {"ScanFilter": {"a": None}}),
        ("Query", {"KeyConditions": {"pk": None}}),
        (
            "Query",
            {"KeyConditions": {"pk": {"ComparisonOperator": "EQ"}}, "QueryFilter": {"a": None}},
        ),
    ],
)
def test_a_null_condition(tidal_endpoint, table, operation, body):
    status, _headers, answer = dynamodb_post(
        tidal_endpoint, operation, orjson.dumps({"TableName": table, **body})
    )
    assert (status, orjson.loads(answer)) == (
        400,
        {
            "__type": "com.amazon.coral.validate#ValidationException",
            "message": "The filter condition for an attribute cannot be null",
        },
    )
