"""PutItem, GetItem, UpdateItem, DeleteItem through boto3, with their options and errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.integration.test_tables import error_of


@pytest.fixture
def table(dynamodb, table_name):
    dynamodb.create_table(
        TableName=table_name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "status", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-status",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return table_name


KEY = {"pk": {"S": "user#1"}, "sk": {"N": "1"}}


def test_put_then_get(dynamodb, table):
    item = {
        **KEY,
        "name": {"S": "GÜNST HORN"},
        "age": {"N": "00042.50"},
        "tags": {"SS": ["a", "b"]},
        "scores": {"NS": ["1", "2.0"]},
        "raw": {"B": b"\x00\x01"},
        "nested": {"M": {"list": {"L": [{"N": "1"}, {"BOOL": True}, {"NULL": True}]}}},
        "empty": {"S": ""},
    }
    assert (
        dynamodb.put_item(TableName=table, Item=item)["ResponseMetadata"]["HTTPStatusCode"] == 200
    )
    got = dynamodb.get_item(TableName=table, Key=KEY, ConsistentRead=True)["Item"]
    assert got["name"] == {"S": "GÜNST HORN"}
    assert got["age"] == {"N": "42.5"}
    assert sorted(got["scores"]["NS"]) == ["1", "2"]
    assert got["raw"] == {"B": b"\x00\x01"}
    assert got["nested"]["M"]["list"]["L"][1] == {"BOOL": True}
    assert got["empty"] == {"S": ""}


def test_number_keys_are_equal_by_value(dynamodb, table):
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "n"}, "sk": {"N": "100"}, "v": {"S": "a"}})
    got = dynamodb.get_item(TableName=table, Key={"pk": {"S": "n"}, "sk": {"N": "1E2"}})
    assert got["Item"]["v"] == {"S": "a"}


def test_get_missing_item_and_projection(dynamodb, table):
    assert "Item" not in dynamodb.get_item(TableName=table, Key=KEY)
    dynamodb.put_item(
        TableName=table,
        Item={**KEY, "a": {"M": {"b": {"S": "x"}, "c": {"S": "y"}}}, "name": {"S": "n"}},
    )
    got = dynamodb.get_item(
        TableName=table,
        Key=KEY,
        ProjectionExpression="a.b, #n",
        ExpressionAttributeNames={"#n": "name"},
    )["Item"]
    assert got == {"a": {"M": {"b": {"S": "x"}}}, "name": {"S": "n"}}
    legacy = dynamodb.get_item(TableName=table, Key=KEY, AttributesToGet=["name"])["Item"]
    assert legacy == {"name": {"S": "n"}}


def test_condition_expression(dynamodb, table):
    dynamodb.put_item(TableName=table, Item=KEY, ConditionExpression="attribute_not_exists(pk)")
    code, message, status = error_of(
        dynamodb.put_item,
        TableName=table,
        Item={**KEY, "x": {"S": "new"}},
        ConditionExpression="attribute_not_exists(pk)",
    )
    assert (code, message, status) == (
        "ConditionalCheckFailedException",
        "The conditional request failed",
        400,
    )
    assert "x" not in dynamodb.get_item(TableName=table, Key=KEY)["Item"]


def test_return_values_on_condition_check_failure(dynamodb, table):
    dynamodb.put_item(TableName=table, Item={**KEY, "v": {"N": "1"}})
    with pytest.raises(ClientError) as caught:
        dynamodb.update_item(
            TableName=table,
            Key=KEY,
            UpdateExpression="SET v = :two",
            ConditionExpression="v = :zero",
            ExpressionAttributeValues={":two": {"N": "2"}, ":zero": {"N": "0"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert caught.value.response["Item"] == {**KEY, "v": {"N": "1"}}


def test_update_expression_features(dynamodb, table):
    dynamodb.put_item(
        TableName=table,
        Item={
            **KEY,
            "count": {"N": "1"},
            "list": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}]},
            "queue": {"L": [{"S": "first"}, {"S": "second"}]},
            "colours": {"SS": ["red", "blue"]},
            "sizes": {"SS": ["S", "M", "L"]},
            "profile": {"M": {"city": {"S": "Hanoi"}}},
            "gone": {"S": "x"},
        },
    )
    result = dynamodb.update_item(
        TableName=table,
        Key=KEY,
        UpdateExpression=(
            "SET #c = #c + :one, created = if_not_exists(created, :now), "
            "#l = list_append(#l, :more), profile.country = :vn "
            "REMOVE gone, queue[0] ADD visits :one, colours :green DELETE sizes :m"
        ),
        ExpressionAttributeNames={"#c": "count", "#l": "list"},
        ExpressionAttributeValues={
            ":one": {"N": "1"},
            ":now": {"N": "1700000000"},
            ":more": {"L": [{"S": "d"}]},
            ":vn": {"S": "VN"},
            ":green": {"SS": ["green"]},
            ":m": {"SS": ["M"]},
        },
        ReturnValues="ALL_NEW",
    )["Attributes"]
    assert result["count"] == {"N": "2"}
    assert result["created"] == {"N": "1700000000"}
    assert result["list"] == {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}, {"S": "d"}]}
    assert result["queue"] == {"L": [{"S": "second"}]}
    assert result["profile"] == {"M": {"city": {"S": "Hanoi"}, "country": {"S": "VN"}}}
    assert "gone" not in result
    assert result["visits"] == {"N": "1"}
    assert sorted(result["colours"]["SS"]) == ["blue", "green", "red"]
    assert sorted(result["sizes"]["SS"]) == ["L", "S"]


@pytest.mark.parametrize(
    ("return_values", "expected"),
    [
        ("NONE", None),
        ("ALL_OLD", {**KEY, "a": {"N": "1"}, "b": {"S": "keep"}}),
        ("UPDATED_OLD", {"a": {"N": "1"}}),
        ("ALL_NEW", {**KEY, "a": {"N": "2"}, "b": {"S": "keep"}}),
        ("UPDATED_NEW", {"a": {"N": "2"}}),
    ],
)
def test_update_return_values(dynamodb, table, return_values, expected):
    dynamodb.put_item(TableName=table, Item={**KEY, "a": {"N": "1"}, "b": {"S": "keep"}})
    response = dynamodb.update_item(
        TableName=table,
        Key=KEY,
        UpdateExpression="SET a = :two",
        ExpressionAttributeValues={":two": {"N": "2"}},
        ReturnValues=return_values,
    )
    assert response.get("Attributes") == expected


def test_update_creates_missing_item(dynamodb, table):
    dynamodb.update_item(
        TableName=table,
        Key=KEY,
        UpdateExpression="ADD n :five",
        ExpressionAttributeValues={":five": {"N": "5"}},
    )
    assert dynamodb.get_item(TableName=table, Key=KEY)["Item"] == {**KEY, "n": {"N": "5"}}


def test_update_of_a_key_attribute(dynamodb, table):
    assert error_of(
        dynamodb.update_item,
        TableName=table,
        Key=KEY,
        UpdateExpression="SET pk = :v",
        ExpressionAttributeValues={":v": {"S": "other"}},
    ) == (
        "ValidationException",
        "One or more parameter values were invalid: Cannot update attribute pk. "
        "This attribute is part of the key",
        400,
    )


def test_legacy_parameters(dynamodb, table):
    dynamodb.put_item(TableName=table, Item={**KEY, "v": {"N": "1"}})
    dynamodb.update_item(
        TableName=table,
        Key=KEY,
        AttributeUpdates={
            "v": {"Action": "ADD", "Value": {"N": "4"}},
            "w": {"Action": "PUT", "Value": {"S": "w"}},
        },
        Expected={"v": {"Value": {"N": "1"}}},
    )
    assert dynamodb.get_item(TableName=table, Key=KEY)["Item"]["v"] == {"N": "5"}
    code, _, _ = error_of(
        dynamodb.delete_item,
        TableName=table,
        Key=KEY,
        Expected={"v": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "10"}]}},
    )
    assert code == "ConditionalCheckFailedException"
    assert error_of(
        dynamodb.put_item,
        TableName=table,
        Item=KEY,
        Expected={"v": {"Exists": False}},
        ConditionExpression="attribute_not_exists(v)",
    ) == (
        "ValidationException",
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}",
        400,
    )


def test_delete_item_return_values(dynamodb, table):
    dynamodb.put_item(TableName=table, Item={**KEY, "v": {"S": "x"}})
    old = dynamodb.delete_item(TableName=table, Key=KEY, ReturnValues="ALL_OLD")["Attributes"]
    assert old == {**KEY, "v": {"S": "x"}}
    assert "Attributes" not in dynamodb.delete_item(
        TableName=table, Key=KEY, ReturnValues="ALL_OLD"
    )
    assert error_of(dynamodb.delete_item, TableName=table, Key=KEY, ReturnValues="ALL_NEW") == (
        "ValidationException",
        "ReturnValues can only be ALL_OLD or NONE",
        400,
    )


def test_consumed_capacity(dynamodb, table):
    item = {**KEY, "status": {"S": "new"}, "blob": {"S": "x" * 1500}}
    total = dynamodb.put_item(TableName=table, Item=item, ReturnConsumedCapacity="TOTAL")
    assert total["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 4.0}
    other = {**item, "sk": {"N": "2"}}
    indexes = dynamodb.put_item(TableName=table, Item=other, ReturnConsumedCapacity="INDEXES")
    assert indexes["ConsumedCapacity"]["Table"] == {"CapacityUnits": 2.0}
    assert indexes["ConsumedCapacity"]["GlobalSecondaryIndexes"] == {
        "by-status": {"CapacityUnits": 2.0}
    }
    eventual = dynamodb.get_item(TableName=table, Key=KEY, ReturnConsumedCapacity="TOTAL")
    assert eventual["ConsumedCapacity"]["CapacityUnits"] == 0.5
    strong = dynamodb.get_item(
        TableName=table, Key=KEY, ReturnConsumedCapacity="TOTAL", ConsistentRead=True
    )
    assert strong["ConsumedCapacity"]["CapacityUnits"] == 1.0
    missing = dynamodb.get_item(
        TableName=table, Key={"pk": {"S": "none"}, "sk": {"N": "0"}}, ReturnConsumedCapacity="TOTAL"
    )
    assert missing["ConsumedCapacity"]["CapacityUnits"] == 0.5
    plain = dynamodb.put_item(TableName=table, Item=item)
    assert "ConsumedCapacity" not in plain


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            {"pk": {"S": "a"}},
            "One or more parameter values were invalid: Missing the key sk in the item",
        ),
        (
            {"pk": {"N": "1"}, "sk": {"N": "1"}},
            "One or more parameter values were invalid: Type mismatch for key pk expected: S "
            "actual: N",
        ),
        (
            {"pk": {"S": ""}, "sk": {"N": "1"}},
            "One or more parameter values are not valid. The AttributeValue for a key attribute "
            "cannot contain an empty string value. Key: pk",
        ),
        (
            {**KEY, "s": {"SS": []}},
            "One or more parameter values were invalid: An string set  may not be empty",
        ),
        (
            {**KEY, "s": {"SS": ["a", "a"]}},
            "One or more parameter values were invalid: Input collection [a, a] contains "
            "duplicates.",
        ),
        (
            {**KEY, "status": {"N": "1"}},
            "One or more parameter values were invalid: Type mismatch for Index Key status "
            "Expected: S Actual: N IndexName: by-status",
        ),
        ({**KEY, "big": {"S": "x" * 410_000}}, "Item size has exceeded the maximum allowed size"),
    ],
)
def test_put_item_validation(dynamodb, table, item, message):
    assert error_of(dynamodb.put_item, TableName=table, Item=item) == (
        "ValidationException",
        message,
        400,
    )


@pytest.mark.parametrize(
    "key",
    [
        {"pk": {"S": "a"}},
        {"pk": {"S": "a"}, "sk": {"S": "1"}},
        {"pk": {"S": "a"}, "sk": {"N": "1"}, "extra": {"S": "x"}},
    ],
)
def test_key_must_match_schema(dynamodb, table, key):
    assert error_of(dynamodb.get_item, TableName=table, Key=key) == (
        "ValidationException",
        "The provided key element does not match the schema",
        400,
    )


def test_expression_attribute_errors(dynamodb, table):
    assert error_of(
        dynamodb.update_item,
        TableName=table,
        Key=KEY,
        UpdateExpression="SET a = :a",
        ExpressionAttributeValues={":a": {"S": "x"}, ":unused": {"S": "y"}},
    ) == (
        "ValidationException",
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}",
        400,
    )
    assert error_of(
        dynamodb.update_item,
        TableName=table,
        Key=KEY,
        UpdateExpression="SET a = :missing",
    ) == (
        "ValidationException",
        "Invalid UpdateExpression: An expression attribute value used in expression is not "
        "defined; attribute value: :missing",
        400,
    )
    assert error_of(
        dynamodb.put_item,
        TableName=table,
        Item=KEY,
        ExpressionAttributeValues={":a": {"S": "x"}},
    ) == (
        "ValidationException",
        "ExpressionAttributeValues can only be specified when using expressions: "
        "ConditionExpression is null",
        400,
    )
    assert (
        error_of(
            dynamodb.update_item,
            TableName=table,
            Key=KEY,
            UpdateExpression="INVALID SYNTAX",
        )[1]
        == 'Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"'
    )


def test_numbers_are_checked(dynamodb, table):
    code, message, _ = error_of(
        dynamodb.put_item, TableName=table, Item={**KEY, "n": {"N": "1" * 39}}
    )
    assert code == "ValidationException"
    assert message == "Attempting to store more than 38 significant digits in a Number"
    code, message, _ = error_of(
        dynamodb.put_item, TableName=table, Item={**KEY, "n": {"N": "1E126"}}
    )
    assert message.startswith("Number overflow.")


def test_missing_table_on_the_data_plane(dynamodb, table_name):
    assert error_of(dynamodb.get_item, TableName=table_name, Key=KEY) == (
        "ResourceNotFoundException",
        "Requested resource not found",
        400,
    )
    assert error_of(dynamodb.put_item, TableName=table_name, Item=KEY)[0] == (
        "ResourceNotFoundException"
    )
