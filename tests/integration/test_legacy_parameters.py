"""The legacy parameters: Expected + ConditionalOperator, AttributeUpdates, AttributesToGet.

Sources: architect/dynalite test/{putItem,updateItem,getItem}.js (checked against AWS: every
message below, ADD on lists, DELETE of a whole attribute); reference/dynamodb.md §4 (mixing legacy
and expression parameters).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.integration.support import create_table, invalid, unchecked_client
from tests.integration.test_tables import error_of

KEY = {"pk": {"S": "k"}}
ITEM = {**KEY, "s": {"S": "hello"}, "n": {"N": "5"}, "ss": {"SS": ["a", "b"]}}
FAILED = ("ConditionalCheckFailedException", "The conditional request failed", 400)
INVALID = "One or more parameter values were invalid: "


def wrapped_in_maps(levels: int) -> dict:
    value = {"S": "leaf"}
    for _ in range(levels):
        value = {"M": {"a": value}}
    return value


TOO_DEEP = (
    "Nesting Levels have exceeded supported limits: "
    "Attributes in the item have nested levels beyond supported limit"
)


@pytest.fixture
def table(dynamodb, table_name):
    create_table(dynamodb, table_name)
    dynamodb.put_item(TableName=table_name, Item=ITEM)
    return table_name


@pytest.fixture
def unchecked(tidal_endpoint):
    return unchecked_client(tidal_endpoint)


def expected_holds(dynamodb, table, expected, operator=None) -> bool:
    arguments = {"ConditionalOperator": operator} if operator else {}
    try:
        dynamodb.put_item(TableName=table, Item=ITEM, Expected=expected, **arguments)
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"
        return False
    return True


def compare(operator: str, *values: dict) -> dict:
    return {"ComparisonOperator": operator, "AttributeValueList": list(values)}


@pytest.mark.parametrize(
    ("expected", "holds"),
    [
        ({"s": {"Value": {"S": "hello"}}}, True),
        ({"s": {"Value": {"S": "bye"}}}, False),
        ({"s": {"Exists": True, "Value": {"S": "hello"}}}, True),
        ({"absent": {"Exists": False}}, True),
        ({"s": {"Exists": False}}, False),
        ({"s": {"Value": {"S": "hello"}, "ComparisonOperator": "EQ"}}, True),
        ({"n": compare("NE", {"N": "6"})}, True),
        ({"n": compare("LE", {"N": "5"})}, True),
        ({"n": compare("LT", {"N": "5"})}, False),
        ({"n": compare("GE", {"N": "5.0"})}, True),
        ({"n": compare("GT", {"N": "4"})}, True),
        ({"s": compare("GT", {"S": "help"})}, False),
        ({"n": compare("IN", {"N": "1"}, {"N": "5"})}, True),
        ({"n": compare("BETWEEN", {"N": "1"}, {"N": "5"})}, True),
        ({"n": compare("BETWEEN", {"N": "6"}, {"N": "9"})}, False),
        ({"s": compare("BEGINS_WITH", {"S": "he"})}, True),
        ({"s": compare("CONTAINS", {"S": "ell"})}, True),
        ({"ss": compare("CONTAINS", {"S": "a"})}, True),
        ({"ss": compare("NOT_CONTAINS", {"S": "a"})}, False),
        ({"absent": {"ComparisonOperator": "NULL"}}, True),
        ({"s": {"ComparisonOperator": "NOT_NULL"}}, True),
        ({"absent": {"ComparisonOperator": "NOT_NULL"}}, False),
        ({"s": {"Value": {"S": "hello"}}, "n": {"Value": {"N": "6"}}}, False),
    ],
)
def test_expected_on_a_stored_item(dynamodb, table, expected, holds):
    assert expected_holds(dynamodb, table, expected) is holds


def test_conditional_operator(dynamodb, table):
    one_true = {"s": {"Value": {"S": "hello"}}, "n": {"Value": {"N": "6"}}}
    assert expected_holds(dynamodb, table, one_true, "OR") is True
    assert expected_holds(dynamodb, table, one_true, "AND") is False
    assert error_of(
        dynamodb.put_item,
        TableName=table,
        Item=ITEM,
        Expected={"s": {"Exists": True, "Value": {"S": "hello"}}},
        ConditionalOperator="OR",
    ) == invalid(
        "ConditionalOperator can only be used when Filter or Expected has two or more elements"
    )
    assert error_of(
        dynamodb.delete_item, TableName=table, Key=KEY, ConditionalOperator="AND"
    ) == invalid(
        "ConditionalOperator can only be used when Filter or Expected has two or more elements"
    )


def test_expected_against_an_item_that_does_not_exist(dynamodb, table):
    missing = {"pk": {"S": "missing"}}
    dynamodb.put_item(TableName=table, Item=missing, Expected={"pk": {"Exists": False}})
    assert (
        error_of(
            dynamodb.put_item,
            TableName=table,
            Item={"pk": {"S": "other"}},
            Expected={"pk": {"ComparisonOperator": "NOT_NULL"}},
        )
        == FAILED
    )


def test_expected_with_return_values_on_condition_check_failure(dynamodb, table):
    with pytest.raises(ClientError) as caught:
        dynamodb.delete_item(
            TableName=table,
            Key=KEY,
            Expected={"n": {"Value": {"N": "99"}}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert caught.value.response["Item"] == ITEM


@pytest.mark.parametrize(
    ("expected", "message"),
    [
        ({"x": {}}, INVALID + "Value must be provided when Exists is null for Attribute: x"),
        (
            {"x": {"Exists": True}},
            INVALID + "Value must be provided when Exists is true for Attribute: x",
        ),
        (
            {"x": {"Exists": False, "Value": {"S": "a"}}},
            INVALID + "Value cannot be used when Exists is false for Attribute: x",
        ),
        (
            {"x": {"ComparisonOperator": "LT"}},
            INVALID + "Value or AttributeValueList must be used with ComparisonOperator: LT "
            "for Attribute: x",
        ),
        (
            {"x": {"Exists": True, "ComparisonOperator": "LT"}},
            INVALID + "Exists and ComparisonOperator cannot be used together for Attribute: x",
        ),
        (
            {"x": {**compare("LT", {"S": "a"}), "Value": {"S": "a"}}},
            INVALID + "Value and AttributeValueList cannot be used together for Attribute: x",
        ),
        (
            {"x": {"AttributeValueList": [{"S": "a"}]}},
            INVALID
            + "AttributeValueList can only be used with a ComparisonOperator for Attribute: x",
        ),
        (
            {"x": compare("EQ")},
            INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator",
        ),
        (
            {"x": compare("NULL", {"S": "a"})},
            INVALID + "Invalid number of argument(s) for the NULL ComparisonOperator",
        ),
        (
            {"x": compare("BETWEEN", {"N": "1"}, {"N": "2"}, {"N": "3"})},
            INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator",
        ),
        (
            {"x": {"Value": {"S": "a"}, "ComparisonOperator": "BETWEEN"}},
            INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator",
        ),
        (
            {"x": compare("LT", {"SS": ["a"]})},
            INVALID + "ComparisonOperator LT is not valid for SS AttributeValue type",
        ),
        (
            {"x": compare("BETWEEN", {"N": "1"}, {"S": "2"})},
            INVALID + "AttributeValues inside AttributeValueList must be of same type",
        ),
        (
            {"x": compare("BETWEEN", {"N": "5"}, {"N": "2"})},
            "The BETWEEN condition was provided a range where the lower bound is greater than "
            "the upper bound",
        ),
    ],
)
def test_expected_errors(unchecked, table, expected, message):
    assert error_of(unchecked.put_item, TableName=table, Item=ITEM, Expected=expected) == invalid(
        message
    )


def test_attribute_updates_put_add_delete(dynamodb, table):
    result = dynamodb.update_item(
        TableName=table,
        Key=KEY,
        AttributeUpdates={
            "n": {"Action": "ADD", "Value": {"N": "-2"}},
            "ss": {"Action": "DELETE", "Value": {"SS": ["a", "z"]}},
            "s": {"Action": "DELETE"},
            "l": {"Action": "ADD", "Value": {"L": [{"S": "x"}]}},
            "p": {"Value": {"S": "put is the default"}},
            "fresh": {"Action": "ADD", "Value": {"SS": ["c"]}},
            "absent": {"Action": "DELETE", "Value": {"SS": ["q"]}},
        },
        ReturnValues="UPDATED_NEW",
    )
    assert result["Attributes"] == {
        "n": {"N": "3"},
        "ss": {"SS": ["b"]},
        "l": {"L": [{"S": "x"}]},
        "p": {"S": "put is the default"},
        "fresh": {"SS": ["c"]},
    }
    appended = dynamodb.update_item(
        TableName=table,
        Key=KEY,
        AttributeUpdates={"l": {"Action": "ADD", "Value": {"L": [{"N": "2"}]}}},
        ReturnValues="UPDATED_OLD",
    )
    assert appended["Attributes"] == {"l": {"L": [{"S": "x"}]}}
    item = dynamodb.get_item(TableName=table, Key=KEY, ConsistentRead=True)["Item"]
    assert item["l"] == {"L": [{"S": "x"}, {"N": "2"}]}
    assert "s" not in item and "absent" not in item


def test_attribute_updates_create_a_missing_item(dynamodb, table):
    key = {"pk": {"S": "new"}}
    dynamodb.update_item(
        TableName=table,
        Key=key,
        AttributeUpdates={
            "gone": {"Action": "DELETE"},
            "n": {"Action": "ADD", "Value": {"N": "5"}},
        },
        Expected={"pk": {"Exists": False}},
    )
    assert dynamodb.get_item(TableName=table, Key=key)["Item"] == {**key, "n": {"N": "5"}}


@pytest.mark.parametrize(
    ("updates", "message"),
    [
        (
            {"a": {"Action": "DELETE", "Value": {"S": "1"}}},
            INVALID + "DELETE action with value is not supported for the type S",
        ),
        (
            {"a": {"Action": "DELETE", "Value": {"L": []}}},
            INVALID + "DELETE action with value is not supported for the type L",
        ),
        (
            {"a": {"Action": "ADD", "Value": {"S": "1"}}},
            INVALID + "ADD action is not supported for the type S",
        ),
        (
            {"a": {"Action": "ADD", "Value": {"B": b"1"}}},
            INVALID + "ADD action is not supported for the type B",
        ),
        (
            {"a": {"Action": "ADD"}},
            INVALID + "Only DELETE action is allowed when no attribute value is specified",
        ),
        (
            {"a": {"Action": "PUT"}},
            INVALID + "Only DELETE action is allowed when no attribute value is specified",
        ),
        (
            {"ss": {"Action": "ADD", "Value": {"NS": ["1"]}}},
            "Type mismatch for attribute to update",
        ),
        (
            {"n": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
            "Type mismatch for attribute to update",
        ),
        (
            {"pk": {"Value": {"S": "other"}}},
            INVALID + "Cannot update attribute pk. This attribute is part of the key",
        ),
        ({"deep": {"Value": wrapped_in_maps(32)}}, TOO_DEEP),
    ],
)
def test_attribute_updates_errors(dynamodb, table, updates, message):
    assert error_of(
        dynamodb.update_item, TableName=table, Key=KEY, AttributeUpdates=updates
    ) == invalid(message)
    assert dynamodb.get_item(TableName=table, Key=KEY, ConsistentRead=True)["Item"] == ITEM


def test_attributes_to_get(dynamodb, unchecked, table):
    got = dynamodb.get_item(TableName=table, Key=KEY, AttributesToGet=["n", "ss", "absent"])
    assert got["Item"] == {"n": {"N": "5"}, "ss": {"SS": ["a", "b"]}}
    assert error_of(
        dynamodb.get_item, TableName=table, Key=KEY, AttributesToGet=["n", "n"]
    ) == invalid(INVALID + "Duplicate value in attribute name: n")
    assert error_of(unchecked.get_item, TableName=table, Key=KEY, AttributesToGet=[]) == invalid(
        "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1"
    )


MIXED = "Can not use both expression and non-expression parameters in the same request: "


def test_legacy_and_expression_parameters_do_not_mix(dynamodb, table):
    assert error_of(
        dynamodb.get_item,
        TableName=table,
        Key=KEY,
        AttributesToGet=["n"],
        ProjectionExpression="n",
    ) == invalid(
        MIXED + "Non-expression parameters: {AttributesToGet} Expression parameters: "
        "{ProjectionExpression}"
    )
    assert error_of(
        dynamodb.delete_item,
        TableName=table,
        Key=KEY,
        Expected={"n": {"Exists": True, "Value": {"N": "5"}}},
        ConditionExpression="attribute_exists(n)",
    ) == invalid(
        MIXED + "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"
    )
    assert error_of(
        dynamodb.update_item,
        TableName=table,
        Key=KEY,
        AttributeUpdates={"n": {"Value": {"N": "1"}}},
        Expected={"n": {"Exists": True, "Value": {"N": "5"}}},
        UpdateExpression="SET n = :v",
        ConditionExpression="attribute_exists(n)",
        ExpressionAttributeValues={":v": {"N": "1"}},
    ) == invalid(
        MIXED + "Non-expression parameters: {AttributeUpdates, Expected} Expression parameters: "
        "{UpdateExpression, ConditionExpression}"
    )
    assert error_of(
        dynamodb.update_item,
        TableName=table,
        Key=KEY,
        AttributeUpdates={"n": {"Value": {"N": "1"}}},
        ConditionExpression="attribute_exists(n)",
    ) == invalid(
        MIXED + "Non-expression parameters: {AttributeUpdates} Expression parameters: "
        "{ConditionExpression}"
    )
    assert dynamodb.get_item(TableName=table, Key=KEY, ConsistentRead=True)["Item"] == ITEM
