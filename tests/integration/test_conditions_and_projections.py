"""ConditionExpression on real items, ProjectionExpression, ReturnValues and
ReturnValuesOnConditionCheckFailure, as a boto3 user sees them.

Sources: reference/dynamodb.md §4 (ConditionalCheckFailed with Item); nubo-db/
dynamodb-conformance tests/tier1/putItem/conditions.test.ts (`<>` on a missing attribute is
true), tests/tier3/error-messages/putItem.test.ts (distinct operands); architect/dynalite
test/{updateItem,getItem}.js (UPDATED_NEW on an item that did not exist, nested-key projections).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.integration.support import create_table, gsi, invalid
from tests.integration.test_tables import error_of

KEY = {"pk": {"S": "k"}}
FAILED = ("ConditionalCheckFailedException", "The conditional request failed", 400)
ITEM = {
    **KEY,
    "s": {"S": "hello"},
    "n": {"N": "10"},
    "b": {"B": b"\x01\x02\x03"},
    "ss": {"SS": ["x", "y"]},
    "ns": {"NS": ["1", "2"]},
    "l": {"L": [{"S": "x"}, {"N": "2"}, {"M": {"deep": {"S": "d"}}}]},
    "m": {"M": {"k": {"S": "v"}, "nest": {"M": {"x": {"N": "1"}}}}},
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "e": {"S": ""},
}


@pytest.fixture
def table(dynamodb, table_name):
    create_table(dynamodb, table_name)
    dynamodb.put_item(TableName=table_name, Item=ITEM)
    return table_name


def holds(dynamodb, table, expression, values=None, key=KEY) -> bool:
    """Whether the condition holds for the item at `key`, judged by a write that changes nothing:
    a put of the same item, or a delete where there is no item."""
    arguments = {"ExpressionAttributeValues": values} if values else {}
    if key == KEY:
        write, target = dynamodb.put_item, {"Item": ITEM}
    else:
        write, target = dynamodb.delete_item, {"Key": key}
    try:
        write(TableName=table, ConditionExpression=expression, **target, **arguments)
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"
        return False
    return True


N = {"N": "10"}
CONDITIONS = [
    ("s = :v", {":v": {"S": "hello"}}, True),
    ("s = :v", {":v": {"S": "Hello"}}, False),
    ("n = :v", {":v": {"N": "1E1"}}, True),
    ("n = :v", {":v": {"S": "10"}}, False),
    ("s <> :v", {":v": {"S": "hello"}}, False),
    ("absent <> :v", {":v": N}, True),
    ("absent = :v", {":v": N}, False),
    ("n < :v", {":v": {"N": "10.5"}}, True),
    ("n <= :v", {":v": N}, True),
    ("n > :v", {":v": N}, False),
    ("n >= :v", {":v": {"N": "-11"}}, True),
    ("n > :v", {":v": {"S": "1"}}, False),
    ("s < :v", {":v": {"S": "help"}}, True),
    ("b > :v", {":v": {"B": b"\x01\x02"}}, True),
    ("n BETWEEN :a AND :b", {":a": N, ":b": {"N": "20"}}, True),
    ("n BETWEEN :a AND :b", {":a": {"N": "11"}, ":b": {"N": "20"}}, False),
    ("n IN (:a, :b)", {":a": {"N": "1"}, ":b": N}, True),
    ("n IN (:a)", {":a": {"S": "10"}}, False),
    ("attribute_exists(m.nest.x)", None, True),
    ("attribute_exists(l[2].deep)", None, True),
    ("attribute_exists(l[3])", None, False),
    ("attribute_not_exists(m.nest.y)", None, True),
    ("attribute_not_exists(e)", None, False),
    ("attribute_type(n, :t)", {":t": {"S": "N"}}, True),
    ("attribute_type(z, :t)", {":t": {"S": "NULL"}}, True),
    ("attribute_type(ss, :t)", {":t": {"S": "L"}}, False),
    ("begins_with(s, :p)", {":p": {"S": "he"}}, True),
    ("begins_with(s, :p)", {":p": {"S": "lo"}}, False),
    ("begins_with(b, :p)", {":p": {"B": b"\x01"}}, True),
    ("contains(s, :p)", {":p": {"S": "ell"}}, True),
    ("contains(ss, :p)", {":p": {"S": "y"}}, True),
    ("contains(ns, :p)", {":p": {"N": "2.0"}}, True),
    ("contains(ns, :p)", {":p": {"S": "2"}}, False),
    ("contains(l, :p)", {":p": {"N": "2"}}, True),
    ("contains(b, :p)", {":p": {"B": b"\x02\x03"}}, True),
    ("size(s) = :v", {":v": {"N": "5"}}, True),
    ("size(b) = :v", {":v": {"N": "3"}}, True),
    ("size(l) = :v", {":v": {"N": "3"}}, True),
    ("size(m) = :v", {":v": {"N": "2"}}, True),
    ("size(ss) > :v", {":v": {"N": "1"}}, True),
    ("size(e) = :v", {":v": {"N": "0"}}, True),
    ("size(n) = :v", {":v": {"N": "2"}}, False),
    ("size(absent) >= :v", {":v": {"N": "0"}}, False),
    ("l[1] = :v", {":v": {"N": "2"}}, True),
    ("m = :m", {":m": {"M": {"nest": {"M": {"x": {"N": "1"}}}, "k": {"S": "v"}}}}, True),
    ("ss = :v", {":v": {"SS": ["y", "x"]}}, True),
    ("t = :v AND z = :null", {":v": {"BOOL": True}, ":null": {"NULL": True}}, True),
    ("NOT t = :v", {":v": {"BOOL": True}}, False),
    ("(n = :a OR n = :b) AND s = :s", {":a": {"N": "1"}, ":b": N, ":s": {"S": "hello"}}, True),
    ("n = :a OR n = :b AND s = :s", {":a": N, ":b": {"N": "1"}, ":s": {"S": "x"}}, True),
    ("(n = :a OR n = :b) AND s = :s", {":a": N, ":b": {"N": "1"}, ":s": {"S": "x"}}, False),
]


@pytest.mark.parametrize(("expression", "values", "expected"), CONDITIONS)
def test_conditions_on_a_stored_item(dynamodb, table, expression, values, expected):
    assert holds(dynamodb, table, expression, values) is expected


def test_conditions_on_an_item_that_does_not_exist(dynamodb, table):
    missing = {"pk": {"S": "missing"}}
    assert holds(dynamodb, table, "attribute_not_exists(pk)", key=missing) is True
    assert holds(dynamodb, table, "attribute_exists(pk)", key=missing) is False
    assert holds(dynamodb, table, "s <> :v", {":v": {"S": "x"}}, key=missing) is True
    assert holds(dynamodb, table, "NOT s = :v", {":v": {"S": "x"}}, key=missing) is True
    assert holds(dynamodb, table, "n < :v", {":v": N}, key=missing) is False


def test_a_failed_condition_changes_nothing(dynamodb, table):
    for call, target in (
        (dynamodb.put_item, {"Item": {**KEY, "new": {"S": "x"}}}),
        (dynamodb.delete_item, {"Key": KEY}),
        (dynamodb.update_item, {"Key": KEY, "UpdateExpression": "REMOVE s"}),
    ):
        assert (
            error_of(
                call, TableName=table, ConditionExpression="attribute_not_exists(pk)", **target
            )
            == FAILED
        )
    assert dynamodb.get_item(TableName=table, Key=KEY, ConsistentRead=True)["Item"] == ITEM


@pytest.mark.parametrize("operation", ["put_item", "update_item", "delete_item"])
def test_return_values_on_condition_check_failure(dynamodb, table, operation):
    call = getattr(dynamodb, operation)
    target = {"Item": KEY} if operation == "put_item" else {"Key": KEY}
    with pytest.raises(ClientError) as caught:
        call(
            TableName=table,
            ConditionExpression="n > :v",
            ExpressionAttributeValues={":v": {"N": "100"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
            **target,
        )
    assert caught.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert caught.value.response["Item"] == ITEM
    with pytest.raises(ClientError) as caught:
        call(
            TableName=table,
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="NONE",
            **target,
        )
    assert "Item" not in caught.value.response


def test_return_values_on_condition_check_failure_without_an_item(dynamodb, table):
    with pytest.raises(ClientError) as caught:
        dynamodb.update_item(
            TableName=table,
            Key={"pk": {"S": "missing"}},
            ConditionExpression="attribute_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert caught.value.response["Error"]["Message"] == "The conditional request failed"
    assert "Item" not in caught.value.response


@pytest.mark.parametrize(
    ("expression", "values", "message"),
    [
        (
            "n BETWEEN :hi AND :lo",
            {":lo": {"N": "1"}, ":hi": {"N": "2"}},
            "The BETWEEN operator requires upper bound to be greater than or equal to lower "
            "bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: "
            "AttributeValue: {N:1}",
        ),
        (
            "attribute_type(n, :t)",
            {":t": {"S": "XX"}},
            "Invalid attribute type name found; type: XX, valid types: "
            "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
        ),
        (
            "begins_with(s, :p)",
            {":p": {"N": "1"}},
            "Incorrect operand type for operator or function; operator or function: "
            "begins_with, operand type: N",
        ),
        (
            "size(s)",
            None,
            "The function is not allowed to be used this way in an expression; function: size",
        ),
        (
            "s = s",
            None,
            "The first operand must be distinct from the remaining operands for this operator "
            "or function; operator: =, first operand: [s]",
        ),
        (
            "contains(#a, #a)",
            None,
            "The first operand must be distinct from the remaining operands for this operator "
            "or function; operator: contains, first operand: [s]",
        ),
        (
            "attribute_exists(:v)",
            {":v": {"S": "x"}},
            "Operator or function requires a document path; operator or function: attribute_exists",
        ),
        ("nofn(s)", None, "Invalid function name; function: nofn"),
        ("((n = :v)) AND nofn(s)", {":v": {"N": "1"}}, "The expression has redundant parentheses;"),
        (
            "attribute_exists(m" + ".nest" * 32 + ")",
            None,
            "The document path has too many nesting levels; nesting levels: 33",
        ),
    ],
)
def test_condition_expression_errors(dynamodb, table, expression, values, message):
    arguments = {"ExpressionAttributeValues": values} if values else {}
    if "#a" in expression:
        arguments["ExpressionAttributeNames"] = {"#a": "s"}
    assert error_of(
        dynamodb.put_item, TableName=table, Item=KEY, ConditionExpression=expression, **arguments
    ) == invalid(f"Invalid ConditionExpression: {message}")


def test_projection_of_nested_paths_and_list_elements(dynamodb, table):
    got = dynamodb.get_item(
        TableName=table,
        Key=KEY,
        ProjectionExpression="m.nest.x, l[2].deep, l[0], #k, s, absent, m.absent, l[7]",
        ExpressionAttributeNames={"#k": "pk"},
    )["Item"]
    assert got == {
        **KEY,
        "s": {"S": "hello"},
        "m": {"M": {"nest": {"M": {"x": {"N": "1"}}}}},
        "l": {"L": [{"S": "x"}, {"M": {"deep": {"S": "d"}}}]},
    }


def test_projection_of_attributes_the_item_lacks(dynamodb, table):
    got = dynamodb.get_item(TableName=table, Key=KEY, ProjectionExpression="absent, m.nope")
    assert got["Item"] == {}
    missing = dynamodb.get_item(TableName=table, Key={"pk": {"S": "no"}}, ProjectionExpression="s")
    assert "Item" not in missing


def test_projection_path_errors(dynamodb, table_name):
    create_table(
        dynamodb,
        table_name,
        indexed=(("g", "S"),),
        GlobalSecondaryIndexes=[gsi("by-g", "g")],
    )
    for expression, message in (
        (
            "m, m.k",
            "Invalid ProjectionExpression: Two document paths overlap with each other; must "
            "remove or rewrite one of these paths; path one: [m], path two: [m, k]",
        ),
        (
            "l[0], l.k",
            "Invalid ProjectionExpression: Two document paths conflict with each other; must "
            "remove or rewrite one of these paths; path one: [l, [0]], path two: [l, k]",
        ),
        (
            "pk.x",
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
            "allowed: Key: pk",
        ),
        (
            "s, l" + "[0]" * 32,
            "Invalid ProjectionExpression: The document path has too many nesting levels; "
            "nesting levels: 33",
        ),
        (
            "g[0]",
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
            "allowed: IndexKey: g",
        ),
    ):
        assert error_of(
            dynamodb.get_item, TableName=table_name, Key=KEY, ProjectionExpression=expression
        ) == invalid(message)


def test_update_may_not_reach_inside_an_index_key(dynamodb, table_name):
    create_table(
        dynamodb, table_name, indexed=(("g", "S"),), GlobalSecondaryIndexes=[gsi("by-g", "g")]
    )
    assert error_of(
        dynamodb.update_item,
        TableName=table_name,
        Key=KEY,
        UpdateExpression="SET g.y = :v",
        ExpressionAttributeValues={":v": {"S": "x"}},
    ) == invalid(
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
        "allowed: IndexKey: g"
    )


OLD = {**KEY, "a": {"N": "1"}, "m": {"M": {"x": {"S": "old"}, "y": {"S": "y"}}}, "r": {"S": "r"}}


@pytest.mark.parametrize(
    ("return_values", "expected"),
    [
        ("NONE", None),
        ("ALL_OLD", OLD),
        ("UPDATED_OLD", {"a": {"N": "1"}, "m": {"M": {"x": {"S": "old"}}}, "r": {"S": "r"}}),
        (
            "ALL_NEW",
            {
                **KEY,
                "a": {"N": "2"},
                "m": {"M": {"x": {"S": "new"}, "y": {"S": "y"}}},
                "b": {"N": "1"},
            },
        ),
        ("UPDATED_NEW", {"a": {"N": "2"}, "m": {"M": {"x": {"S": "new"}}}, "b": {"N": "1"}}),
    ],
)
def test_update_return_values(dynamodb, table_name, return_values, expected):
    create_table(dynamodb, table_name)
    dynamodb.put_item(TableName=table_name, Item=OLD)
    result = dynamodb.update_item(
        TableName=table_name,
        Key=KEY,
        UpdateExpression="SET a = a + :one, m.x = :new, b = :one REMOVE r",
        ExpressionAttributeValues={":one": {"N": "1"}, ":new": {"S": "new"}},
        ReturnValues=return_values,
    )
    assert result.get("Attributes") == expected


@pytest.mark.parametrize(
    ("return_values", "expected"),
    [
        ("NONE", None),
        ("ALL_OLD", None),
        ("UPDATED_OLD", None),
        ("ALL_NEW", {"pk": {"S": "new"}, "a": {"N": "1"}}),
        ("UPDATED_NEW", {"a": {"N": "1"}}),
    ],
)
def test_update_return_values_for_an_item_that_did_not_exist(
    dynamodb, table_name, return_values, expected
):
    create_table(dynamodb, table_name)
    result = dynamodb.update_item(
        TableName=table_name,
        Key={"pk": {"S": "new"}},
        UpdateExpression="ADD a :one REMOVE r",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues=return_values,
    )
    assert result.get("Attributes") == expected


def test_put_and_delete_return_the_old_item(dynamodb, table):
    fresh = dynamodb.put_item(TableName=table, Item={"pk": {"S": "new"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in fresh
    replaced = dynamodb.put_item(
        TableName=table, Item={**KEY, "v": {"S": "replacement"}}, ReturnValues="ALL_OLD"
    )
    assert replaced["Attributes"] == ITEM
    deleted = dynamodb.delete_item(TableName=table, Key=KEY, ReturnValues="ALL_OLD")
    assert deleted["Attributes"] == {**KEY, "v": {"S": "replacement"}}
    again = dynamodb.delete_item(TableName=table, Key=KEY, ReturnValues="ALL_OLD")
    assert "Attributes" not in again


def test_at_most_300_operators_however_deeply_nested(dynamodb, table):
    """scylladb test/alternator/test_expression.py test_deeply_nested_expression_2 (checked on
    AWS): 299 `<` and `or` nested 149 parentheses deep pass; one level more is refused."""
    values = {":a": {"N": "1"}, ":b": {"N": "2"}}
    for depth, outcome in ((149, None), (150, "operator count: 301")):
        expression = ":a < :b " + "or (:a < :b " * depth + ")" * depth
        arguments = {"ConditionExpression": expression, "ExpressionAttributeValues": values}
        if outcome is None:
            dynamodb.put_item(TableName=table, Item=ITEM, **arguments)
            continue
        assert error_of(dynamodb.put_item, TableName=table, Item=ITEM, **arguments) == invalid(
            "Invalid ConditionExpression: The expression contains too many operators; " + outcome
        )
