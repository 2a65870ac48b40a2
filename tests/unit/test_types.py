from __future__ import annotations

import copy
from typing import Any

import pytest

from tidal.core.errors import SerializationException, ValidationException
from tidal.dynamodb.types import canonical_number, item_size, validate_item, validate_value

INVALID = "One or more parameter values were invalid: "
NOT_A_NUMBER = "A value provided cannot be converted into a number"
OVERFLOW = (
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
)
UNDERFLOW = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)
TOO_PRECISE = "Attempting to store more than 38 significant digits in a Number"
TOO_DEEP = (
    "Nesting Levels have exceeded supported limits: "
    "Attributes in the item have nested levels beyond supported limit"
)
EMPTY = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
MANY = (
    "Supplied AttributeValue has more than one datatypes set, "
    "must contain exactly one of the supported datatypes"
)


def refused(value: Any, error: type[Exception] = ValidationException) -> str:
    with pytest.raises(error) as raised:
        validate_item({"a": value})
    assert type(raised.value) is error
    return raised.value.message  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"SS": []}, INVALID + "An string set  may not be empty"),
        ({"NS": []}, INVALID + "An number set  may not be empty"),
        ({"BS": []}, INVALID + "Binary sets should not be empty"),
        ({"SS": ["a", "a"]}, INVALID + "Input collection [a, a] contains duplicates."),
        ({"SS": ["b", "a", "b"]}, INVALID + "Input collection [b, a, b] contains duplicates."),
        ({"NS": ["1", "1"]}, "Input collection contains duplicates"),
        ({"NS": ["100", "1E2"]}, "Input collection contains duplicates"),
        ({"NS": ["-0", "0.00"]}, "Input collection contains duplicates"),
        (
            {"BS": ["Yg==", "Yg=="]},
            INVALID + "Input collection [Yg==, Yg==]of type BS contains duplicates.",
        ),
        ({}, EMPTY),
        ({"S": None}, EMPTY),
        ({"X": "unknown member"}, EMPTY),
        ({"S": "a", "N": "1"}, MANY),
        ({"S": "a", "BOOL": True, "X": 1}, MANY),
        ({"S": "a", "N": "junk"}, NOT_A_NUMBER),  # each type is checked before the count
        ({"N": "abc"}, NOT_A_NUMBER),
        ({"N": ""}, NOT_A_NUMBER),
        ({"N": " 1"}, NOT_A_NUMBER),
        ({"N": "1e"}, NOT_A_NUMBER),
        ({"N": "NaN"}, NOT_A_NUMBER),
        ({"N": "Infinity"}, NOT_A_NUMBER),
        ({"N": "0x10"}, NOT_A_NUMBER),
        ({"N": "1_000"}, NOT_A_NUMBER),
        ({"N": "\u0661"}, NOT_A_NUMBER),  # an Arabic-Indic digit one
        ({"N": "1e99999999999"}, NOT_A_NUMBER),  # the exponent is not a Java int
        ({"N": "123456789012345678901234567890123456789"}, TOO_PRECISE),
        ({"N": "1.23456789012345678901234567890123456789"}, TOO_PRECISE),
        ({"N": "1E+126"}, OVERFLOW),
        ({"N": "-1E+126"}, OVERFLOW),
        ({"N": "99999999999999999999999999999999999999E+89"}, OVERFLOW),
        ({"N": "1E-131"}, UNDERFLOW),
        ({"N": "-0.9E-130"}, UNDERFLOW),
        ({"NS": ["1", "x"]}, NOT_A_NUMBER),
        ({"NS": ["1", "1E200"]}, OVERFLOW),
        ({"M": {"deep": {"L": [{"N": "1E-200"}]}}}, UNDERFLOW),
        ({"L": [{"SS": []}]}, INVALID + "An string set  may not be empty"),
        ({"M": {"x": {}}}, EMPTY),
    ],
)
def test_invalid_values_get_aws_messages(value: dict[str, Any], message: str) -> None:
    assert refused(value) == message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        # The request parser lets nulls through where a value or a set member belongs.
        (None, "Unexpected value type in payload"),
        ({"L": [{"S": "a"}, None]}, "Unexpected value type in payload"),
        ({"M": {"x": None}}, "Unexpected value type in payload"),
        ({"SS": ["a", None]}, "Unexpected value type in payload"),
        ({"NS": [None, "x"]}, "Unexpected value type in payload"),
        ({"BS": ["Yg==", None]}, "only base-64-encoded strings are convertible to bytes"),
    ],
)
def test_nulls_where_values_belong_are_serialization_errors(value: Any, message: str) -> None:
    assert refused(value, SerializationException) == message


def test_null_false_is_stored_as_null_true() -> None:
    # AWS refused NULL: false until 2026; now it accepts it and stores NULL: true.
    assert validate_item({"a": {"NULL": False}}) == {"a": {"NULL": True}}


def nested(levels: int, leaf: dict[str, Any], kind: str = "M") -> dict[str, Any]:
    value = leaf
    for _ in range(levels):
        value = {"M": {"n": value}} if kind == "M" else {"L": [value]}
    return value


@pytest.mark.parametrize("kind", ["M", "L"])
def test_items_nest_32_levels_deep(kind: str) -> None:
    # The item is level 0, its attributes level 1: lists and maps may sit at levels 1..31.
    deepest = nested(31, {"S": "leaf"}, kind)
    assert validate_item({"a": deepest}) == {"a": deepest}
    assert refused(nested(32, {"S": "leaf"}, kind)) == TOO_DEEP
    assert refused(nested(32, {"N": "junk"}, kind)) == TOO_DEEP  # depth is checked first
    assert refused(nested(31, {"M": {}}, kind)) == TOO_DEEP
    # A lone value (an expression attribute value) starts one level higher.
    assert validate_value(nested(32, {"S": "leaf"}, kind)) == nested(32, {"S": "leaf"}, kind)
    with pytest.raises(ValidationException, match="Nesting Levels"):
        validate_value(nested(33, {"S": "leaf"}, kind))


PARAMETER_NAN = "The parameter cannot be converted to a numeric value"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"N": ""}, PARAMETER_NAN),
        ({"N": "b"}, PARAMETER_NAN + ": b"),
        ({"N": "1 "}, PARAMETER_NAN + ": 1 "),
        ({"N": "1e"}, PARAMETER_NAN + ": 1e"),
        ({"N": "Infinity"}, PARAMETER_NAN + ": Infinity"),
        ({"NS": ["1", ""]}, PARAMETER_NAN),
        ({"S": "a", "N": "b"}, PARAMETER_NAN + ": b"),  # each type is checked before the count
        ({"N": "3.14159265358979323846264338327950288419"}, TOO_PRECISE),
        ({"N": "11e125"}, OVERFLOW),
        ({"N": "0.9e-130"}, UNDERFLOW),
        ({"L": [{"M": {"x": {"NS": []}}}]}, INVALID + "An number set  may not be empty"),
        ({"NULL": False}, INVALID + "Null attribute value types must have the value of true"),
        (nested(40, {"S": "x"}, "L"), TOO_DEEP),
    ],
)
def test_parameters_get_the_messages_aws_has_for_them(value: dict[str, Any], message: str) -> None:
    # ExpressionAttributeValues, Expected and AttributeUpdates values: dynalite's updateItem
    # tests (recorded from AWS), and for the nesting message dynamodb-conformance's capture
    # o_upd_nested_32_eav (2026-08-12). Items say NOT_A_NUMBER and store NULL: false.
    with pytest.raises(ValidationException) as raised:
        validate_value(value)
    assert raised.value.message == message


def test_parameters_come_back_canonical() -> None:
    value = {"M": {"n": {"N": "0001.50"}, "s": {"NS": ["1E2"]}, "z": {"BOOL": False}}}
    assert validate_value(value) == {
        "M": {"n": {"N": "1.5"}, "s": {"NS": ["100"]}, "z": {"BOOL": False}}
    }


def test_valid_values_come_back_as_new_objects_with_canonical_numbers() -> None:
    item = {
        "s": {"S": ""},
        "n": {"N": "00042.500"},
        "b": {"B": ""},
        "bin": {"B": "AAEC/w=="},
        "t": {"BOOL": True},
        "f": {"BOOL": False},
        "null": {"NULL": True},
        "ss": {"SS": ["b", "a"]},
        "ns": {"NS": ["1.50", "-2E1", "+3"]},
        "bs": {"BS": ["AA==", "AQ=="]},
        "l": {"L": [{"N": "1.0"}, {"L": []}, {"M": {}}]},
        "m": {"M": {"x": {"N": "-0"}, "y": {"S": "é"}}},
        "odd": {"S": "kept", "X": "an unknown member is ignored"},
    }
    original = copy.deepcopy(item)
    checked = validate_item(item)
    assert item == original
    assert checked == {
        **original,
        "n": {"N": "42.5"},
        "ns": {"NS": ["1.5", "-20", "3"]},
        "l": {"L": [{"N": "1"}, {"L": []}, {"M": {}}]},
        "m": {"M": {"x": {"N": "0"}, "y": {"S": "é"}}},
        "odd": {"S": "kept"},
    }
    assert checked["l"]["L"] is not item["l"]["L"]
    assert checked["m"]["M"] is not item["m"]["M"]
    assert checked["ss"]["SS"] is not item["ss"]["SS"]
    assert checked["s"] is not item["s"]


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("0", "0"),
        ("00042", "42"),
        ("1.0", "1"),
        ("3.1400", "3.14"),
        ("1.5E2", "150"),
        ("1.5e+2", "150"),
        ("-0", "0"),
        ("-0.000", "0"),
        ("0E+500", "0"),
        ("+7", "7"),
        ("1.", "1"),
        (".5", "0.5"),
        ("-.5e-1", "-0.05"),
        ("0042.1200", "42.12"),
        ("100", "100"),
        ("1E2", "100"),
        ("100.00", "100"),
        ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
        (
            "1234567890123456789012345678901234567800000",
            "1234567890123456789012345678901234567800000",
        ),
        ("1E+125", "1" + "0" * 125),
        ("9.9999999999999999999999999999999999999E+125", "9" * 38 + "0" * 88),
        ("-9.9999999999999999999999999999999999999E+125", "-" + "9" * 38 + "0" * 88),
        ("1E-130", "0." + "0" * 129 + "1"),
        ("0.00000000000000000000000000000000000001", "0." + "0" * 37 + "1"),
        ("-1.5E-3", "-0.0015"),
        ("0e1000", "0"),
        (".123", "0.123"),
        ("-17.4E37", "-174000000000000000000000000000000000000"),
        ("0009.99999999999999999999999999999999999990000e125", "9" * 38 + "0" * 88),
    ],
)
def test_canonical_numbers(text: str, canonical: str) -> None:
    assert canonical_number(text) == canonical


def test_canonical_number_refuses_what_dynamodb_refuses() -> None:
    for text, message in [("x", NOT_A_NUMBER), ("1E126", OVERFLOW), ("1E-131", UNDERFLOW)]:
        with pytest.raises(ValidationException) as raised:
            canonical_number(text)
        assert raised.value.message == message


def test_the_developer_guide_example_is_23_bytes() -> None:
    assert item_size({"shirt-color": {"S": "R"}, "shirt-size": {"S": "M"}}) == 23


# Measured on AWS (eu-west-2, 2026) by accepting and refusing items at the 400 KB limit,
# recorded in nubo-db/dynamodb-conformance src/item-size.ts.
@pytest.mark.parametrize(
    ("literal", "size"),
    [
        ("0", 1),
        ("1", 2),
        ("12", 2),
        ("123", 3),
        ("1234", 3),
        ("12345678901234567890123456789012345678", 20),
        ("0042", 2),
        ("100", 2),
        ("1010", 3),
        ("0.0000001", 2),
        ("1E125", 2),
        ("1E-100", 2),
        ("1.5", 3),
        ("15", 2),
        ("1.2", 3),
        ("1.200", 3),
        ("1.234", 4),
        ("3.14159", 5),
        ("123456", 4),
        ("100.5", 4),
        ("0.15", 2),
        ("-42", 3),
        ("-0", 1),
    ],
)
def test_number_sizes_match_aws(literal: str, size: int) -> None:
    item = validate_item({"n": {"N": literal}})
    assert item_size(item) == 1 + size


def test_sizes_of_every_type() -> None:
    assert item_size({"é": {"S": "ü€"}}) == 2 + 5
    assert item_size({"b": {"B": "AAEC/w=="}}) == 1 + 4
    assert item_size({"b": {"B": "AAE="}, "c": {"B": "AA=="}, "d": {"B": ""}}) == 3 + 2 + 1
    assert item_size({"t": {"BOOL": False}, "n": {"NULL": True}}) == 2 + 2
    assert item_size({"ss": {"SS": ["a", "bc"]}}) == 2 + 3
    assert item_size({"ns": {"NS": ["1", "-1.5"]}}) == 2 + 2 + 4
    assert item_size({"bs": {"BS": ["AA==", "AAA="]}}) == 2 + 3


def test_sizes_of_lists_and_maps() -> None:
    assert item_size({"l": {"L": []}}) == 1 + 3
    assert item_size({"m": {"M": {}}}) == 1 + 3
    # 3 bytes for the list, then per element its size plus 1.
    assert item_size({"l": {"L": [{"S": "ab"}, {"N": "1"}, {"BOOL": True}]}}) == 1 + 3 + 3 + 3 + 2
    # A map also counts its keys.
    assert item_size({"m": {"M": {"key": {"S": "v"}, "k": {"NULL": True}}}}) == 1 + 3 + 5 + 3
    nested_value = {"M": {"a": {"L": [{"M": {"b": {"S": "xy"}}}]}}}
    inner_map = 3 + (1 + 2 + 1)
    inner_list = 3 + (inner_map + 1)
    outer_map = 3 + (1 + inner_list + 1)
    assert item_size({"doc": nested_value}) == 3 + outer_map
