"""PutItem, GetItem, UpdateItem and DeleteItem refusing bad requests, in AWS's words.

Sources for the messages: reference/dynamodb.md §2 and §4; architect/dynalite
test/{putItem,getItem,updateItem}.js (checked against AWS); nubo-db/dynamodb-conformance
tests/tier3 (error-messages, limits/itemSize: 409,600 bytes pass, 409,601 fail).
"""

from __future__ import annotations

import pytest

from tests.integration.support import create_table, invalid, unchecked_client
from tests.integration.test_tables import error_of
from tidal.testing.plugin import client

NOT_FOUND = ("ResourceNotFoundException", "Requested resource not found", 400)
SCHEMA = ("ValidationException", "The provided key element does not match the schema", 400)
INVALID = "One or more parameter values were invalid: "
MAX_ITEM = 400 * 1024
UNDERFLOW = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)


@pytest.fixture
def table(dynamodb, table_name):
    return create_table(dynamodb, table_name, range_key=("sk", "N"))


@pytest.fixture
def hash_table(dynamodb, table_name):
    return create_table(dynamodb, table_name)


@pytest.fixture
def unchecked(tidal_endpoint):
    return unchecked_client(tidal_endpoint)


KEY = {"pk": {"S": "a"}, "sk": {"N": "1"}}


def test_every_item_operation_on_a_missing_table(dynamodb, table_name):
    assert error_of(dynamodb.get_item, TableName=table_name, Key=KEY) == NOT_FOUND
    assert error_of(dynamodb.put_item, TableName=table_name, Item=KEY) == NOT_FOUND
    assert error_of(dynamodb.delete_item, TableName=table_name, Key=KEY) == NOT_FOUND
    assert error_of(dynamodb.update_item, TableName=table_name, Key={}) == NOT_FOUND


def test_an_oversized_item_is_refused_before_the_table_is_looked_up(dynamodb, table_name):
    item = {"pk": {"S": "a"}, "big": {"S": "x" * MAX_ITEM}}
    assert error_of(dynamodb.put_item, TableName=table_name, Item=item) == invalid(
        "Item size has exceeded the maximum allowed size"
    )


@pytest.mark.parametrize(
    "key",
    [
        {},
        {"pk": {"S": "a"}},
        {"sk": {"N": "1"}},
        {**KEY, "extra": {"S": "x"}},
        {"pk": {"S": "a"}, "other": {"N": "1"}},
        {"pk": {"N": "1"}, "sk": {"N": "1"}},
        {"pk": {"S": "a"}, "sk": {"S": "1"}},
        {"pk": {"B": b"a"}, "sk": {"N": "1"}},
        {"pk": {"SS": ["a"]}, "sk": {"N": "1"}},
        {"pk": {"S": "a"}, "sk": {"NS": ["1"]}},
        {"pk": {"M": {}}, "sk": {"N": "1"}},
        {"pk": {"L": []}, "sk": {"N": "1"}},
        {"pk": {"BOOL": True}, "sk": {"N": "1"}},
        {"pk": {"NULL": True}, "sk": {"N": "1"}},
    ],
    ids=lambda key: ",".join(f"{k}:{next(iter(v))}" for k, v in key.items()) or "empty",
)
@pytest.mark.parametrize("operation", ["get_item", "delete_item", "update_item"])
def test_key_must_match_the_schema(dynamodb, table, operation, key):
    assert error_of(getattr(dynamodb, operation), TableName=table, Key=key) == SCHEMA


def test_a_refused_key_writes_nothing(dynamodb, table):
    error_of(
        dynamodb.update_item,
        TableName=table,
        Key={**KEY, "extra": {"S": "x"}},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"S": "v"}},
    )
    assert "Item" not in dynamodb.get_item(TableName=table, Key=KEY, ConsistentRead=True)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"pk": {"S": "a"}}, INVALID + "Missing the key sk in the item"),
        ({"sk": {"N": "1"}}, INVALID + "Missing the key pk in the item"),
        ({}, INVALID + "Missing the key pk in the item"),
        (
            {"pk": {"N": "1"}, "sk": {"N": "1"}},
            INVALID + "Type mismatch for key pk expected: S actual: N",
        ),
        (
            {"pk": {"B": b"\x01"}, "sk": {"N": "1"}},
            INVALID + "Type mismatch for key pk expected: S actual: B",
        ),
        (
            {"pk": {"SS": ["a"]}, "sk": {"N": "1"}},
            INVALID + "Type mismatch for key pk expected: S actual: SS",
        ),
        (
            {"pk": {"S": "a"}, "sk": {"S": "1"}},
            INVALID + "Type mismatch for key sk expected: N actual: S",
        ),
    ],
)
def test_put_item_key_errors(dynamodb, table, item, message):
    assert error_of(dynamodb.put_item, TableName=table, Item=item) == invalid(message)


EMPTY_KEY = (
    "One or more parameter values are not valid. The AttributeValue for a key attribute "
    "cannot contain an empty {} value. Key: {}"
)


def test_empty_string_key_values(dynamodb, table):
    put = {"pk": {"S": ""}, "sk": {"N": "1"}}
    expected = invalid(EMPTY_KEY.format("string", "pk"))
    assert error_of(dynamodb.put_item, TableName=table, Item=put) == expected
    assert error_of(dynamodb.get_item, TableName=table, Key=put) == expected
    assert error_of(dynamodb.delete_item, TableName=table, Key=put) == expected


def test_empty_binary_key_values(dynamodb, table_name):
    create_table(dynamodb, table_name, hash_key=("pk", "B"))
    expected = invalid(EMPTY_KEY.format("binary", "pk"))
    assert error_of(dynamodb.put_item, TableName=table_name, Item={"pk": {"B": b""}}) == expected
    assert error_of(dynamodb.update_item, TableName=table_name, Key={"pk": {"B": b""}}) == expected


HASH_TOO_BIG = INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"
RANGE_TOO_BIG = (
    INVALID + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
)


@pytest.mark.parametrize("operation", ["put_item", "get_item"])
def test_key_size_limits_count_utf8_bytes(dynamodb, table_name, operation):
    create_table(dynamodb, table_name, range_key=("sk", "S"))
    call = getattr(dynamodb, operation)
    argument = "Item" if operation == "put_item" else "Key"

    def key(hash_value: str, range_value: str) -> dict:
        return {argument: {"pk": {"S": hash_value}, "sk": {"S": range_value}}}

    call(TableName=table_name, **key("h" * 2048, "r" * 1024))
    call(TableName=table_name, **key("é" * 1024, "é" * 512))
    assert error_of(call, TableName=table_name, **key("h" * 2049, "r")) == invalid(HASH_TOO_BIG)
    assert error_of(call, TableName=table_name, **key("é" * 1025, "r")) == invalid(HASH_TOO_BIG)
    assert error_of(call, TableName=table_name, **key("h", "r" * 1025)) == invalid(RANGE_TOO_BIG)
    assert error_of(call, TableName=table_name, **key("h", "é" * 513)) == invalid(RANGE_TOO_BIG)


def test_binary_and_number_key_sizes(dynamodb, table_name):
    create_table(dynamodb, table_name, hash_key=("pk", "B"), range_key=("sk", "B"))
    dynamodb.put_item(TableName=table_name, Item={"pk": {"B": b"\xff" * 2048}, "sk": {"B": b"r"}})
    assert error_of(
        dynamodb.put_item,
        TableName=table_name,
        Item={"pk": {"B": b"\xff" * 2049}, "sk": {"B": b"r"}},
    ) == invalid(HASH_TOO_BIG)
    assert error_of(
        dynamodb.get_item,
        TableName=table_name,
        Key={"pk": {"B": b"h"}, "sk": {"B": b"\x00" * 1025}},
    ) == invalid(RANGE_TOO_BIG)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"SS": []}, INVALID + "An string set  may not be empty"),
        ({"NS": []}, INVALID + "An number set  may not be empty"),
        ({"BS": []}, INVALID + "Binary sets should not be empty"),
        ({"SS": ["a", "a"]}, INVALID + "Input collection [a, a] contains duplicates."),
        ({"NS": ["1", "1.0"]}, "Input collection contains duplicates"),
        (
            {"BS": [b"b", b"b"]},
            INVALID + "Input collection [Yg==, Yg==]of type BS contains duplicates.",
        ),
        ({"N": "abc"}, "A value provided cannot be converted into a number"),
        ({"NS": ["1", "x"]}, "A value provided cannot be converted into a number"),
        ({"N": "1" * 39}, "Attempting to store more than 38 significant digits in a Number"),
        (
            {"N": "-1." + "2" * 38},
            "Attempting to store more than 38 significant digits in a Number",
        ),
        (
            {"N": "1E126"},
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range",
        ),
        (
            {"N": "-1E126"},
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range",
        ),
        ({"N": "1E-131"}, UNDERFLOW),
        ({"M": {"deep": {"SS": []}}}, INVALID + "An string set  may not be empty"),
        ({"L": [{"N": "-1E-131"}]}, UNDERFLOW),
    ],
)
def test_put_item_value_errors(dynamodb, table, value, message):
    item = {**KEY, "attr": value}
    assert error_of(dynamodb.put_item, TableName=table, Item=item) == invalid(message)
    assert "Item" not in dynamodb.get_item(TableName=table, Key=KEY, ConsistentRead=True)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {},
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ),
        (
            {"S": "a", "N": "1"},
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
            "the supported datatypes",
        ),
    ],
)
def test_attribute_values_need_exactly_one_type(unchecked, table, value, message):
    item = {**KEY, "attr": value}
    assert error_of(unchecked.put_item, TableName=table, Item=item) == invalid(message)
    assert error_of(unchecked.get_item, TableName=table, Key={**KEY, "sk": value}) == invalid(
        message
    )


def test_numbers_at_the_edges_of_the_range_are_stored_canonically(dynamodb, table):
    item = {
        **KEY,
        "largest": {"N": "9.9999999999999999999999999999999999999E+125"},
        "smallest": {"N": "-1E-130"},
        "digits": {"N": "0000012345678901234567890123456789012345678"},
        "zero": {"N": "-0.000"},
        "null": {"NULL": True},
    }
    dynamodb.put_item(TableName=table, Item=item)
    stored = dynamodb.get_item(TableName=table, Key=KEY, ConsistentRead=True)["Item"]
    assert stored["largest"] == {"N": "9" * 38 + "0" * 88}
    assert stored["smallest"] == {"N": "-0." + "0" * 129 + "1"}
    assert stored["digits"] == {"N": "12345678901234567890123456789012345678"}
    assert stored["zero"] == {"N": "0"}


def test_item_of_exactly_400_kb_passes_and_one_byte_more_fails(dynamodb, hash_table):
    # Size = names + values: "pk" + "k" is 3 bytes, "b" is 1, leaving 409,596 for the value.
    fits = {"pk": {"S": "k"}, "b": {"S": "x" * (MAX_ITEM - 4)}}
    dynamodb.put_item(TableName=hash_table, Item=fits)
    too_big = {"pk": {"S": "k2"}, "b": {"S": "x" * (MAX_ITEM - 4)}}
    assert error_of(dynamodb.put_item, TableName=hash_table, Item=too_big) == invalid(
        "Item size has exceeded the maximum allowed size"
    )
    assert "Item" not in dynamodb.get_item(TableName=hash_table, Key={"pk": {"S": "k2"}})


def test_item_size_counts_numbers_maps_lists_and_binaries_as_aws_does(dynamodb, hash_table):
    # 1111111E119 costs 5 bytes (dynalite putItem.js, checked against AWS); a map costs 3 bytes
    # plus 1 per member, a list likewise; B counts its raw bytes, BOOL and NULL one byte.
    number = "1111111" + "0" * 119
    parts = {
        "c": {"N": number},  # 1 + 5
        "d": {"N": number},  # 1 + 5
        "m": {"M": {"k": {"S": "v"}}},  # 1 + 3 + (1 + 1 + 1)
        "l": {"L": [{"BOOL": True}, {"NULL": True}]},  # 1 + 3 + (1 + 1) + (1 + 1)
        "bin": {"B": b"\x00\x01\x02"},  # 3 + 3
    }
    fixed = 6 + 6 + 7 + 8 + 6 + 3  # the parts plus "pk" + "k"
    pad = MAX_ITEM - fixed - 1  # the padding attribute is named "b"
    dynamodb.put_item(TableName=hash_table, Item={"pk": {"S": "k"}, **parts, "b": {"S": "x" * pad}})
    too_big = {"pk": {"S": "j"}, **parts, "b": {"S": "x" * (pad + 1)}}
    assert error_of(dynamodb.put_item, TableName=hash_table, Item=too_big) == invalid(
        "Item size has exceeded the maximum allowed size"
    )


def test_update_that_grows_the_item_too_large(dynamodb, hash_table):
    key = {"pk": {"S": "k"}}
    dynamodb.put_item(TableName=hash_table, Item={**key, "a": {"S": "x" * 300_000}})
    assert error_of(
        dynamodb.update_item,
        TableName=hash_table,
        Key=key,
        UpdateExpression="SET b = a",
    ) == invalid("Item size to update has exceeded the maximum allowed size")
    stored = dynamodb.get_item(TableName=hash_table, Key=key, ConsistentRead=True)["Item"]
    assert set(stored) == {"pk", "a"}


@pytest.mark.parametrize("return_values", ["UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"])
@pytest.mark.parametrize("operation", ["put_item", "delete_item"])
def test_put_and_delete_return_only_old_values(dynamodb, table, operation, return_values):
    argument = {"Item": KEY} if operation == "put_item" else {"Key": KEY}
    assert error_of(
        getattr(dynamodb, operation), TableName=table, ReturnValues=return_values, **argument
    ) == invalid("ReturnValues can only be ALL_OLD or NONE")


def test_enum_parameters_are_checked(unchecked, table):
    assert error_of(unchecked.update_item, TableName=table, Key=KEY, ReturnValues="hi") == invalid(
        "1 validation error detected: Value 'hi' at 'returnValues' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
    )
    assert error_of(
        unchecked.get_item, TableName=table, Key=KEY, ReturnConsumedCapacity="Garbage"
    ) == invalid(
        "1 validation error detected: Value 'Garbage' at 'returnConsumedCapacity' failed to "
        "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
    )


def test_table_name_constraints(unchecked):
    assert error_of(unchecked.get_item, TableName="bad table!", Key=KEY) == invalid(
        "1 validation error detected: Value 'bad table!' at 'tableName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    )
    long_name = "a" * 256
    assert error_of(unchecked.put_item, TableName=long_name, Item=KEY) == invalid(
        f"1 validation error detected: Value '{long_name}' at 'tableName' failed to satisfy "
        "constraint: Member must have length less than or equal to 255"
    )


def test_table_arn_names_the_table_for_item_operations(dynamodb, table):
    arn = dynamodb.describe_table(TableName=table)["Table"]["TableArn"]
    dynamodb.put_item(TableName=arn, Item={**KEY, "v": {"S": "by arn"}})
    got = dynamodb.get_item(TableName=table, Key=KEY, ConsistentRead=True)["Item"]
    assert got["v"] == {"S": "by arn"}
    dynamodb.delete_item(TableName=arn, Key=KEY)
    assert "Item" not in dynamodb.get_item(TableName=arn, Key=KEY, ConsistentRead=True)


def test_items_are_isolated_by_account_and_region(tidal_endpoint, table_name):
    default = client("dynamodb", tidal_endpoint)
    other_region = client("dynamodb", tidal_endpoint, region="eu-west-1")
    other_account = client(
        "dynamodb", tidal_endpoint, aws_access_key_id="111122223333", aws_secret_access_key="x"
    )
    same_account = client(
        "dynamodb", tidal_endpoint, aws_access_key_id="111122223333", aws_secret_access_key="y"
    )
    key = {"pk": {"S": "shared"}}
    for dynamodb in (default, other_region, other_account):
        create_table(dynamodb, table_name)
    default.put_item(TableName=table_name, Item={**key, "owner": {"S": "default"}})
    other_region.put_item(TableName=table_name, Item={**key, "owner": {"S": "eu-west-1"}})
    other_account.update_item(
        TableName=table_name,
        Key=key,
        UpdateExpression="SET #o = :o",
        ExpressionAttributeNames={"#o": "owner"},
        ExpressionAttributeValues={":o": {"S": "111122223333"}},
    )
    owners = {
        dynamodb.get_item(TableName=table_name, Key=key)["Item"]["owner"]["S"]
        for dynamodb in (default, other_region, same_account)
    }
    assert owners == {"default", "eu-west-1", "111122223333"}
    other_account.delete_item(TableName=table_name, Key=key)
    assert "Item" in default.get_item(TableName=table_name, Key=key)
    assert "Item" not in same_account.get_item(TableName=table_name, Key=key)
    unknown = client("dynamodb", tidal_endpoint, region="ap-south-1")
    assert error_of(unknown.get_item, TableName=table_name, Key=key) == NOT_FOUND


def test_binary_values_round_trip_as_raw_bytes(dynamodb, table):
    raw = bytes(range(256))
    dynamodb.put_item(TableName=table, Item={**KEY, "b": {"B": raw}, "bs": {"BS": [raw, b"\x00"]}})
    got = dynamodb.get_item(TableName=table, Key=KEY, ConsistentRead=True)["Item"]
    assert got["b"] == {"B": raw}
    assert sorted(got["bs"]["BS"]) == [b"\x00", raw]
