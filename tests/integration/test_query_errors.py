"""Query's error paths: type, message and status as AWS answers them.

Sources: nubo-db/dynamodb-conformance tests/tier3/error-messages/query.test.ts and
tests/tier1/query/{select,keyConditionSemantics}.test.ts (measured on AWS: missed key schema
element, Select rules, empty expressions, ConsistentRead on a GSI); architect/dynalite
test/query.js and actions/query.js (checked against AWS: key condition and start key checks,
their order, filters on key attributes); DynamoDB Local's messages for Select; an
AWS-verified test suite (ExtendDB, us-east-1) for the "1 validation error detected: " prefix
of COUNT with a ProjectionExpression on Query.
"""

from __future__ import annotations

import uuid

import pytest

from tests.integration.support import create_table, gsi, invalid, unchecked_client
from tests.integration.test_tables import error_of

P = {":p": {"S": "p"}}


MISMATCH = (
    "One or more parameter values were invalid: Condition parameter type does not match schema type"
)
NOT_SCALAR = (
    "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: "
)
MIXED = "Can not use both expression and non-expression parameters in the same request: "
ON_KEY = "can only contain non-primary key attributes: Primary key attribute: "


@pytest.fixture(scope="module")
def table(dynamodb):
    """pk S / sk N, a GSI on g (S) and a KEYS_ONLY one on g (S) + h (N)."""
    name = create_table(
        dynamodb,
        f"query-errors-{uuid.uuid4().hex[:8]}",
        range_key=("sk", "N"),
        indexed=(("g", "S"), ("h", "N")),
        GlobalSecondaryIndexes=[
            gsi("by-g", "g"),
            gsi("keys", "g", "h", ProjectionType="KEYS_ONLY"),
        ],
    )
    dynamodb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": "1"}})
    yield name
    dynamodb.delete_table(TableName=name)


@pytest.fixture(scope="module")
def hash_only(dynamodb):
    name = create_table(dynamodb, f"query-hash-{uuid.uuid4().hex[:8]}")
    yield name
    dynamodb.delete_table(TableName=name)


def query_error(dynamodb, table: str, condition: str | None = None, values=None, **params):
    if condition is not None:
        params["KeyConditionExpression"] = condition
    if values is not None:
        params["ExpressionAttributeValues"] = values
    return error_of(dynamodb.query, TableName=table, **params)


@pytest.mark.parametrize(
    ("condition", "values", "message"),
    [
        ("sk = :v", {":v": {"N": "1"}}, "Query condition missed key schema element: pk"),
        ("attr1 = :v", {":v": {"S": "x"}}, "Query condition missed key schema element: pk"),
        (
            "pk = :p AND attr1 = :v",
            {**P, ":v": {"S": "x"}},
            "Query condition missed key schema element: sk",
        ),
        ("pk < :p", P, "Query key condition not supported"),
        ("begins_with(pk, :p)", P, "Query key condition not supported"),
        (
            "pk = :p AND sk > :v AND a = :v",
            {**P, ":v": {"N": "1"}},
            "Conditions can be of length 1 or 2 only",
        ),
        (
            "pk = :v",
            {":v": {"N": "1"}},
            MISMATCH,
        ),
        (
            "pk = :p AND sk = :s",
            {**P, ":s": {"S": "1"}},
            MISMATCH,
        ),
        (
            "pk = :p AND begins_with(sk, :s)",
            {**P, ":s": {"S": "1"}},
            MISMATCH,
        ),
        (
            "pk = :p AND begins_with(sk, :n)",
            {**P, ":n": {"N": "1"}},
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N",
        ),
        (
            "pk = :p OR sk = :n",
            {**P, ":n": {"N": "1"}},
            "Invalid operator used in KeyConditionExpression: OR",
        ),
        (
            "pk = :p AND attribute_exists(sk)",
            P,
            "Invalid operator used in KeyConditionExpression: attribute_exists",
        ),
        (
            "pk = :p AND sk.a = :n",
            {**P, ":n": {"N": "1"}},
            "KeyConditionExpressions cannot have conditions on nested attributes",
        ),
        (
            "pk = :p AND pk = :p",
            P,
            "KeyConditionExpressions must only contain one condition per key",
        ),
        (
            "pk = :p AND sk BETWEEN :b AND :a",
            {**P, ":a": {"N": "1"}, ":b": {"N": "2"}},
            "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be "
            "greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, "
            "upper bound operand: AttributeValue: {N:1}",
        ),
        ("", P, "Invalid KeyConditionExpression: The expression can not be empty;"),
        (
            "((pk = :p))",
            P,
            "Invalid KeyConditionExpression: The expression has redundant parentheses;",
        ),
        (
            "pk = :missing",
            P,
            "Invalid KeyConditionExpression: An expression attribute value used in expression is "
            "not defined; attribute value: :missing",
        ),
        (
            "pk = :p",
            {**P, ":unused": {"S": "x"}},
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}",
        ),
    ],
)
def test_key_condition_expression_errors(dynamodb, table, condition, values, message):
    assert query_error(dynamodb, table, condition, values) == invalid(message)


def test_a_hash_only_table_takes_one_condition(dynamodb, hash_only):
    assert query_error(dynamodb, hash_only, "pk = :p AND sk = :p", P) == invalid(
        "Query key condition not supported"
    )


def test_an_empty_partition_key_value(dynamodb, table):
    empty = "One or more parameter values are not valid. The AttributeValue for a key attribute "
    assert query_error(dynamodb, table, "pk = :p", {":p": {"S": ""}}) == invalid(
        empty + "cannot contain an empty string value. Key: pk"
    )
    assert query_error(dynamodb, table, "g = :p", {":p": {"S": ""}}, IndexName="by-g") == invalid(
        empty + "cannot contain an empty string value. Key: g"
    )
    legacy = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": ""}]}}
    assert query_error(dynamodb, table, KeyConditions=legacy) == invalid(
        empty + "cannot contain an empty string value. Key: pk"
    )


def test_no_key_condition_at_all(dynamodb, table):
    assert query_error(dynamodb, table) == invalid(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
        "request."
    )


def test_unused_names_are_refused(dynamodb, table):
    assert query_error(
        dynamodb, table, "pk = :p", P, ExpressionAttributeNames={"#unused": "x"}
    ) == invalid(
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"
    )


def eq(value: dict) -> dict:
    return {"ComparisonOperator": "EQ", "AttributeValueList": [value]}


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({}, "Conditions can be of length 1 or 2 only"),
        ({"sk": eq({"N": "1"})}, "Query condition missed key schema element: pk"),
        (
            {"pk": eq({"S": "p"}), "sk": {"ComparisonOperator": "NULL"}},
            "Attempted conditional constraint is not an indexable operation",
        ),
        (
            {"pk": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "p"}]}},
            "Attempted conditional constraint is not an indexable operation",
        ),
        (
            {"pk": {"ComparisonOperator": "EQ"}},
            "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
            "ComparisonOperator",
        ),
        (
            {
                "pk": eq({"S": "p"}),
                "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"N": "1"}]},
            },
            "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not "
            "valid for N AttributeValue type",
        ),
        (
            {"pk": {"ComparisonOperator": "GT", "AttributeValueList": [{"S": "p"}]}},
            "Query key condition not supported",
        ),
        (
            {"pk": eq({"N": "1"})},
            MISMATCH,
        ),
    ],
)
def test_legacy_key_condition_errors(dynamodb, table, conditions, message):
    assert query_error(dynamodb, table, KeyConditions=conditions) == invalid(message)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {
                "KeyConditions": {"pk": eq({"S": "p"})},
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": P,
            },
            MIXED + "Non-expression parameters: {KeyConditions} "
            "Expression parameters: {KeyConditionExpression}",
        ),
        (
            {
                "QueryFilter": {"a": eq({"S": "x"})},
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": P,
            },
            MIXED + "Non-expression parameters: {QueryFilter} "
            "Expression parameters: {KeyConditionExpression}",
        ),
        (
            {"KeyConditions": {"pk": eq({"S": "p"})}, "ExpressionAttributeValues": P},
            "ExpressionAttributeValues can only be specified when using expressions: "
            "FilterExpression and KeyConditionExpression are null",
        ),
        (
            {"KeyConditions": {"pk": eq({"S": "p"})}, "ExpressionAttributeNames": {"#a": "a"}},
            "ExpressionAttributeNames can only be specified when using expressions",
        ),
        (
            {"KeyConditions": {"pk": eq({"S": "p"})}, "AttributesToGet": ["a", "a"]},
            "One or more parameter values were invalid: Duplicate value in attribute name: a",
        ),
        (
            {"KeyConditions": {"pk": eq({"S": "p"})}, "ConditionalOperator": "OR"},
            "ConditionalOperator can only be used when Filter or Expected has two or more elements",
        ),
    ],
)
def test_parameter_mix_errors(dynamodb, table, params, message):
    assert query_error(dynamodb, table, **params) == invalid(message)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"FilterExpression": "sk > :p"},
            "Filter Expression " + ON_KEY + "sk",
        ),
        (
            {"FilterExpression": "attribute_exists(pk.x)"},
            "Filter Expression " + ON_KEY + "pk",
        ),
        (
            {"FilterExpression": "g.x = :p"},
            NOT_SCALAR + "IndexKey: g",
        ),
        (
            {"ProjectionExpression": "pk.x"},
            NOT_SCALAR + "Key: pk",
        ),
        (
            {"FilterExpression": "#m = :p"},
            "Invalid FilterExpression: An expression attribute name used in the document path is "
            "not defined; attribute name: #m",
        ),
        ({"FilterExpression": ""}, "Invalid FilterExpression: The expression can not be empty;"),
        (
            {"ProjectionExpression": "a, a"},
            "Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
            "or rewrite one of these paths; path one: [a], path two: [a]",
        ),
    ],
)
def test_filter_and_projection_errors(dynamodb, table, params, message):
    assert query_error(dynamodb, table, "pk = :p", P, **params) == invalid(message)


def test_query_filter_on_a_key_attribute(dynamodb, table):
    assert query_error(
        dynamodb,
        table,
        KeyConditions={"pk": eq({"S": "p"})},
        QueryFilter={"pk": eq({"S": "p"})},
    ) == invalid(
        "QueryFilter can only contain non-primary key attributes: Primary key attribute: pk"
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"Select": "ALL_ATTRIBUTES", "ProjectionExpression": "sk"},
            "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES",
        ),
        (
            {"Select": "ALL_PROJECTED_ATTRIBUTES"},
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
        ),
        (
            {"Select": "ALL_PROJECTED_ATTRIBUTES", "ProjectionExpression": "sk"},
            "Cannot specify the ProjectionExpression when choosing to get ALL_PROJECTED_ATTRIBUTES",
        ),
        (
            {"Select": "COUNT", "ProjectionExpression": "sk"},
            "1 validation error detected: Cannot specify the ProjectionExpression when choosing to "
            "get only the Count",
        ),
        (
            {"Select": "SPECIFIC_ATTRIBUTES"},
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
            "SPECIFIC_ATTRIBUTES",
        ),
        (
            {"Select": "ALL_ATTRIBUTES", "IndexName": "keys", "KeyConditionExpression": "g = :p"},
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not "
            "supported for global secondary index keys because its projection type is not ALL",
        ),
        (
            {
                "IndexName": "keys",
                "KeyConditionExpression": "g = :p",
                "ProjectionExpression": "pk, attr1, h, attr2",
            },
            "One or more parameter values were invalid: Global secondary index keys does not "
            "project [attr1, attr2]",
        ),
    ],
)
def test_select_errors(dynamodb, table, params, message):
    params.setdefault("KeyConditionExpression", "pk = :p")
    assert query_error(dynamodb, table, values=P, **params) == invalid(message)


def test_select_count_with_attributes_to_get(dynamodb, table):
    assert query_error(
        dynamodb,
        table,
        KeyConditions={"pk": eq({"S": "p"})},
        AttributesToGet=["a"],
        Select="COUNT",
    ) == invalid("Cannot specify the AttributesToGet when choosing to get only the Count")


def test_an_invalid_select_value(dynamodb, table, tidal_endpoint):
    unchecked = unchecked_client(tidal_endpoint)
    assert error_of(
        unchecked.query,
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues=P,
        Select="INVALID_VALUE",
    ) == invalid(
        "1 validation error detected: Value 'INVALID_VALUE' at 'select' failed to satisfy "
        "constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, "
        "ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"
    )


def test_tables_and_indexes_that_do_not_exist(dynamodb, table):
    assert query_error(dynamodb, "no-such-table", "pk = :p", P) == (
        "ResourceNotFoundException",
        "Requested resource not found",
        400,
    )
    assert query_error(dynamodb, table, "pk = :p", P, IndexName="nope") == invalid(
        "The table does not have the specified index: nope"
    )
    assert query_error(
        dynamodb, table, "g = :p", P, IndexName="by-g", ConsistentRead=True
    ) == invalid("Consistent reads are not supported on global secondary indexes")
    assert query_error(dynamodb, table, "pk = :p", P, IndexName="by-g") == invalid(
        "Query condition missed key schema element: g"
    )


@pytest.mark.parametrize(
    ("condition", "start", "message"),
    [
        ("pk = :p", {}, "The provided starting key is invalid"),
        ("pk = :p", {"pk": {"S": "p"}}, "The provided starting key is invalid"),
        ("pk = :p", {"pk": {"S": "p"}, "x": {"N": "1"}}, "The provided starting key is invalid"),
        (
            "pk = :p",
            {"pk": {"N": "1"}, "sk": {"N": "1"}},
            "The provided key element does not match the schema",
        ),
        (
            "pk = :p",
            {"pk": {"S": "p"}, "sk": {"S": "1"}},
            "The provided key element does not match the schema",
        ),
        (
            "pk = :p",
            {"pk": {"S": "q"}, "sk": {"N": "1"}},
            "The provided starting key is outside query boundaries based on provided conditions",
        ),
        (
            "pk = :p AND sk > :n",
            {"pk": {"S": "p"}, "sk": {"N": "1"}},
            "The provided starting key does not match the range key predicate",
        ),
        (
            "pk = :p AND sk < :n",
            {"pk": {"S": "q"}, "sk": {"N": "1"}},
            "The query can return at most one row and cannot be restarted",
        ),
        (
            "pk = :p",
            {"pk": {"S": "p"}, "sk": {"N": "x"}},
            "The provided starting key is invalid: The parameter cannot be converted to a numeric "
            "value: x",
        ),
        (
            "pk = :p",
            {"pk": {"S": "p"}, "sk": {"SS": []}},
            "The provided starting key is invalid: One or more parameter values were invalid: An "
            "string set  may not be empty",
        ),
        # Each key attribute is checked in the start key, then in the key condition.
        (
            "attr1 = :p",
            {"pk": {"N": "1"}, "sk": {"N": "1"}},
            "The provided key element does not match the schema",
        ),
        (
            "attr1 = :p",
            {"pk": {"S": "p"}, "sk": {"S": "1"}},
            "Query condition missed key schema element: pk",
        ),
    ],
)
def test_start_key_errors(dynamodb, table, condition, start, message):
    values = {**P, ":n": {"N": "2"}} if ":n" in condition else P
    assert query_error(dynamodb, table, condition, values, ExclusiveStartKey=start) == invalid(
        message
    )


def test_index_start_key_errors(dynamodb, table):
    def start_error(start: dict, index: str = "keys") -> tuple[str, str, int]:
        return query_error(dynamodb, table, "g = :p", P, IndexName=index, ExclusiveStartKey=start)

    good = {"pk": {"S": "p"}, "sk": {"N": "1"}, "g": {"S": "p"}, "h": {"N": "1"}}
    assert start_error({k: v for k, v in good.items() if k != "h"}) == invalid(
        "The provided starting key is invalid"
    )
    assert start_error({**good, "h": {"S": "1"}}) == invalid(
        "The provided key element does not match the schema"
    )
    assert start_error({**good, "sk": {"S": "1"}}) == invalid(
        "The provided starting key is invalid: The provided key element does not match the schema"
    )
    assert start_error({**good, "g": {"S": "other"}}) == invalid(
        "The provided starting key is outside query boundaries based on provided conditions"
    )
    hash_only = {"pk": {"S": "p"}, "sk": {"N": "1"}, "g": {"S": "other"}}
    assert start_error(hash_only, "by-g") == invalid(
        "The provided starting key is outside query boundaries based on provided conditions"
    )
