"""ExpressionAttributeNames and ExpressionAttributeValues on the single-item operations.

Sources: reference/dynamodb.md §4 (CONF updateItem/putItem/query); architect/dynalite
test/updateItem.js "validations" (checked against AWS).
"""

from __future__ import annotations

import pytest

from tests.integration.support import create_table, invalid, unchecked_client
from tests.integration.test_tables import error_of

KEY = {"pk": {"S": "k"}}


@pytest.fixture
def table(dynamodb, table_name):
    create_table(dynamodb, table_name)
    dynamodb.put_item(TableName=table_name, Item={**KEY, "a": {"S": "x"}, "n": {"N": "1"}})
    return table_name


@pytest.fixture
def unchecked(tidal_endpoint):
    return unchecked_client(tidal_endpoint)


def test_unused_names_and_values(dynamodb, table):
    assert error_of(
        dynamodb.get_item,
        TableName=table,
        Key=KEY,
        ProjectionExpression="a",
        ExpressionAttributeNames={"#unused": "a"},
    ) == invalid(
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"
    )
    assert error_of(
        dynamodb.put_item,
        TableName=table,
        Item=KEY,
        ConditionExpression="a = :a",
        ExpressionAttributeValues={":a": {"S": "x"}, ":unused": {"S": "y"}},
    ) == invalid(
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"
    )
    assert error_of(
        dynamodb.update_item,
        TableName=table,
        Key=KEY,
        UpdateExpression="SET #a = :a",
        ConditionExpression="n = :n",
        ExpressionAttributeNames={"#a": "a", "#b": "b"},
        ExpressionAttributeValues={":a": {"S": "x"}, ":n": {"N": "1"}},
    ) == invalid("Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}")


def test_undefined_placeholders_name_the_expression(dynamodb, table):
    assert error_of(
        dynamodb.delete_item, TableName=table, Key=KEY, ConditionExpression="a = :missing"
    ) == invalid(
        "Invalid ConditionExpression: An expression attribute value used in expression is not "
        "defined; attribute value: :missing"
    )
    assert error_of(
        dynamodb.get_item, TableName=table, Key=KEY, ProjectionExpression="#missing"
    ) == invalid(
        "Invalid ProjectionExpression: An expression attribute name used in the document path is "
        "not defined; attribute name: #missing"
    )
    assert error_of(
        dynamodb.update_item,
        TableName=table,
        Key=KEY,
        UpdateExpression="SET #a = :a",
        ExpressionAttributeValues={":a": {"S": "x"}},
    ) == invalid(
        "Invalid UpdateExpression: An expression attribute name used in the document path is not "
        "defined; attribute name: #a"
    )


def test_substitutions_without_expressions(dynamodb, table):
    assert error_of(
        dynamodb.put_item, TableName=table, Item=KEY, ExpressionAttributeValues={":a": {"S": "x"}}
    ) == invalid(
        "ExpressionAttributeValues can only be specified when using expressions: "
        "ConditionExpression is null"
    )
    assert error_of(
        dynamodb.delete_item, TableName=table, Key=KEY, ExpressionAttributeValues={":a": {"S": "x"}}
    ) == invalid(
        "ExpressionAttributeValues can only be specified when using expressions: "
        "ConditionExpression is null"
    )
    assert error_of(
        dynamodb.update_item, TableName=table, Key=KEY, ExpressionAttributeValues={":a": {"S": "x"}}
    ) == invalid(
        "ExpressionAttributeValues can only be specified when using expressions: "
        "UpdateExpression and ConditionExpression are null"
    )
    for call, target in (
        (dynamodb.get_item, {"Key": KEY}),
        (dynamodb.put_item, {"Item": KEY}),
        (dynamodb.update_item, {"Key": KEY}),
    ):
        assert error_of(
            call, TableName=table, ExpressionAttributeNames={"#a": "a"}, **target
        ) == invalid("ExpressionAttributeNames can only be specified when using expressions")


def test_empty_and_malformed_substitution_maps(dynamodb, table):
    update = {"TableName": table, "Key": KEY, "UpdateExpression": "SET a = :a"}
    value = {":a": {"S": "x"}}
    assert error_of(
        dynamodb.update_item, ExpressionAttributeNames={}, ExpressionAttributeValues=value, **update
    ) == invalid("ExpressionAttributeNames must not be empty")
    assert error_of(dynamodb.update_item, ExpressionAttributeValues={}, **update) == invalid(
        "ExpressionAttributeValues must not be empty"
    )
    assert error_of(
        dynamodb.update_item, ExpressionAttributeValues={"a": {"S": "x"}}, **update
    ) == invalid('ExpressionAttributeValues contains invalid key: Syntax error; key: "a"')
    assert error_of(
        dynamodb.update_item,
        ExpressionAttributeNames={"a": "a"},
        ExpressionAttributeValues=value,
        **update,
    ) == invalid('ExpressionAttributeNames contains invalid key: Syntax error; key: "a"')


def test_name_placeholders_are_at_most_255_bytes(dynamodb, table):
    """The limit is on the `#name`, not on the attribute name it stands for."""
    longest = "#" + "a" * 254
    long_name = "n" * 300
    dynamodb.update_item(
        TableName=table,
        Key=KEY,
        UpdateExpression=f"SET {longest} = :v",
        ExpressionAttributeNames={longest: long_name},
        ExpressionAttributeValues={":v": {"S": "x"}},
    )
    item = dynamodb.get_item(TableName=table, Key=KEY)["Item"]
    assert item[long_name] == {"S": "x"}
    assert error_of(
        dynamodb.get_item,
        TableName=table,
        Key=KEY,
        ProjectionExpression=longest + "a",
        ExpressionAttributeNames={longest + "a": "a"},
    ) == invalid(
        "ExpressionAttributeNames contains invalid key: The expression attribute map contains a "
        "key that is too long; size of key: 256"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
        ({"NS": ["1", "1"]}, "Input collection contains duplicates"),
        (
            {"N": "1E126"},
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range",
        ),
        (
            {"S": "a", "N": "1"},
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
            "the supported datatypes",
        ),
        (
            {},
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ),
    ],
)
def test_invalid_expression_attribute_values(unchecked, table, value, message):
    assert error_of(
        unchecked.update_item,
        TableName=table,
        Key=KEY,
        UpdateExpression="SET a = :a",
        ExpressionAttributeValues={":a": value},
    ) == invalid(f"ExpressionAttributeValues contains invalid value: {message} for key :a")


@pytest.mark.parametrize(
    ("kind", "arguments"),
    [
        ("ConditionExpression", {"ConditionExpression": ""}),
        ("UpdateExpression", {"UpdateExpression": ""}),
        ("ConditionExpression", {"ConditionExpression": " ", "UpdateExpression": "REMOVE a"}),
    ],
)
def test_empty_expressions(dynamodb, table, kind, arguments):
    assert error_of(dynamodb.update_item, TableName=table, Key=KEY, **arguments) == invalid(
        f"Invalid {kind}: The expression can not be empty;"
    )


def test_projection_expression_must_not_be_empty(dynamodb, table):
    assert error_of(
        dynamodb.get_item, TableName=table, Key=KEY, ProjectionExpression=""
    ) == invalid("Invalid ProjectionExpression: The expression can not be empty;")


def test_syntax_errors_and_reserved_words(dynamodb, table):
    assert error_of(
        dynamodb.update_item, TableName=table, Key=KEY, UpdateExpression="INVALID SYNTAX HERE"
    ) == invalid('Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"')
    assert error_of(
        dynamodb.update_item,
        TableName=table,
        Key=KEY,
        UpdateExpression="SET #s = :v",
        ConditionExpression="status = :v",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":v": {"S": "x"}},
    ) == invalid(
        "Invalid ConditionExpression: Attribute name is a reserved keyword; "
        "reserved keyword: status"
    )
    assert error_of(
        dynamodb.get_item, TableName=table, Key=KEY, ProjectionExpression="a, name"
    ) == invalid(
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name"
    )


def test_a_reserved_word_is_fine_through_a_name_placeholder(dynamodb, table):
    dynamodb.update_item(
        TableName=table,
        Key=KEY,
        UpdateExpression="SET #s = :v",
        ConditionExpression="attribute_not_exists(#s)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":v": {"S": "open"}},
    )
    got = dynamodb.get_item(
        TableName=table,
        Key=KEY,
        ProjectionExpression="#s",
        ExpressionAttributeNames={"#s": "status"},
    )
    assert got["Item"] == {"status": {"S": "open"}}


def test_one_name_placeholder_serves_every_expression(dynamodb, table):
    result = dynamodb.update_item(
        TableName=table,
        Key=KEY,
        UpdateExpression="SET #n = #n + :one",
        ConditionExpression="#n < :ten",
        ExpressionAttributeNames={"#n": "n"},
        ExpressionAttributeValues={":one": {"N": "1"}, ":ten": {"N": "10"}},
        ReturnValues="UPDATED_NEW",
    )
    assert result["Attributes"] == {"n": {"N": "2"}}
