"""Typed values as expressions use them: sums, equality, ordering keys, sizes."""

from decimal import Decimal

import pytest

from tidal.core.errors import ValidationException
from tidal.dynamodb.expressions.values import add_numbers, decode_b, equal, size_of, sort_key

OVERFLOW = (
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
)
UNDERFLOW = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)


def test_sums_are_exact_and_canonical() -> None:
    assert add_numbers("0.1", "0.2") == "0.3"
    assert add_numbers("1", "1", subtract=True) == "0"
    assert add_numbers("-0.5", "-0.5", subtract=True) == "0"
    assert add_numbers("1E+2", "-0.5") == "99.5"
    assert add_numbers("0", "-1.5E-3") == "-0.0015"
    assert add_numbers("-7", "3", subtract=True) == "-10"
    assert add_numbers("9" * 37, "1") == "1" + "0" * 37
    assert add_numbers("1E+20", "1E-12") == "1" + "0" * 20 + "." + "0" * 11 + "1"
    assert add_numbers("1E-130", "1E-130") == "0." + "0" * 129 + "2"


@pytest.mark.parametrize(
    ("left", "right", "subtract", "message"),
    [
        ("9" * 38, "1e-1", False, OVERFLOW),  # 39 digits: an overflow, not "more than 38 digits"
        ("1e50", "1", False, OVERFLOW),
        ("9e125", "9e125", False, OVERFLOW),
        ("9e125", "-9e125", True, OVERFLOW),
        ("2e-130", "1.5e-130", True, UNDERFLOW),
    ],
)
def test_sums_dynamodb_cannot_store(left: str, right: str, subtract: bool, message: str) -> None:
    with pytest.raises(ValidationException) as raised:
        add_numbers(left, right, subtract)
    assert raised.value.message == message


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
