"""Typed values: numbers, equality, ordering keys and validation."""

from decimal import Decimal

import pytest

from tidal.dynamodb.expressions.values import (
    NumberError,
    add_numbers,
    canonical,
    decode_b,
    equal,
    format_number,
    parse_number,
    size_of,
    sort_key,
    validate,
)


@pytest.mark.parametrize(
    ("text", "canonical_text"),
    [
        ("00042", "42"),
        ("1.0", "1"),
        ("3.1400", "3.14"),
        ("1.5E2", "150"),
        ("-0", "0"),
        ("0e1000", "0"),
        ("+3", "3"),
        (".123", "0.123"),
        ("-17.4E37", "-174000000000000000000000000000000000000"),
        ("1E-130", "0." + "0" * 129 + "1"),
        ("0009.99999999999999999999999999999999999990000e125", "9" * 38 + "0" * 88),
    ],
)
def test_numbers_have_one_canonical_form(text: str, canonical_text: str) -> None:
    assert format_number(parse_number(text)) == canonical_text
    assert canonical({"N": text}) == {"N": canonical_text}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The parameter cannot be converted to a numeric value"),
        ("Infinity", "The parameter cannot be converted to a numeric value: Infinity"),
        ("1 ", "The parameter cannot be converted to a numeric value: 1 "),
        ("1e", "The parameter cannot be converted to a numeric value: 1e"),
        (
            "3.14159265358979323846264338327950288419",
            "Attempting to store more than 38 significant digits in a Number",
        ),
        (
            "1e126",
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
        (
            "11e125",
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
        (
            "0.9e-130",
            "Number underflow. Attempting to store a number with magnitude smaller than supported range",
        ),
    ],
)
def test_numbers_dynamodb_refuses(text: str, message: str) -> None:
    with pytest.raises(NumberError, match="^" + message.replace(".", r"\.") + "$"):
        parse_number(text)


def test_sums_are_exact_and_range_checked() -> None:
    assert add_numbers("0.1", "0.2") == "0.3"
    assert add_numbers("1", "1", subtract=True) == "0"
    assert add_numbers("1E+2", "-0.5") == "99.5"
    assert add_numbers("9" * 37, "1") == "1" + "0" * 37
    with pytest.raises(NumberError, match="overflow"):
        add_numbers("9" * 38, "1e-1")


def test_equality_and_order() -> None:
    assert equal({"N": "1.0"}, {"N": "1"})
    assert not equal({"N": "1"}, {"S": "1"})
    assert not equal(None, None)
    assert equal({"B": "AQI="}, {"B": b"\x01\x02"})
    assert equal({"NS": ["1", "2"]}, {"NS": ["2.0", "1"]})
    assert equal({"M": {"a": {"L": [{"N": "1"}]}}}, {"M": {"a": {"L": [{"N": "1.00"}]}}})
    assert sort_key({"N": "1e2"}) == ("N", Decimal("100"))
    assert sort_key({"B": "gA=="}) > sort_key({"B": "fw=="})  # bytes compare unsigned
    assert sort_key({"L": []}) is None


def test_binary_decoding_never_raises() -> None:
    assert decode_b("AQI=") == b"\x01\x02"
    assert decode_b("not base64!") == b"not base64!"


def test_sizes() -> None:
    assert size_of({"S": "é\U0001d11e"}) == 3
    assert size_of({"B": "AQID"}) == 3
    assert size_of({"NS": ["1", "2"]}) == 2
    assert size_of({"M": {}}) == 0
    assert size_of({"N": "1"}) is None
    assert size_of(None) is None


def test_validation_of_nested_and_odd_values() -> None:
    assert validate({"S": 5}) is not None
    assert validate({"L": [{"M": {"x": {"NS": []}}}]}) == (
        "One or more parameter values were invalid: An number set  may not be empty"
    )
    deep: dict = {"S": "x"}
    for _ in range(40):
        deep = {"L": [deep]}
    assert validate(deep) == "Nesting Levels have exceeded supported limits"
    assert validate({"BOOL": False}) is None
