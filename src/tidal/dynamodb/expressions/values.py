"""Typed attribute values (`{"S": "x"}`, `{"N": "1"}`, ...): validation, order, equality, numbers.

Items and ExpressionAttributeValues reach this module already in DynamoDB's typed JSON form.
Numbers are compared and added as `Decimal`; B values are compared by their decoded bytes.
"""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Context, Decimal, InvalidOperation
from typing import Any

Value = dict[str, Any]

TYPES = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")
SET_TYPES = frozenset(("SS", "NS", "BS"))
SCALAR_ORDERED = frozenset(("S", "N", "B"))
SET_ELEMENT = {"SS": "S", "NS": "N", "BS": "B"}

LONG_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "NULL": "NULL",
    "BOOL": "BOOLEAN",
    "L": "LIST",
    "M": "MAP",
}

_EXACT = Context(prec=400, Emax=999999, Emin=-999999)
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
_MAX_DIGITS = 38
_MAX_EXPONENT = 125
_MIN_EXPONENT = -130

INVALID = "One or more parameter values were invalid: "
EMPTY_VALUE = (
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
)
OVERFLOW = (
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
)
UNDERFLOW = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)
TOO_PRECISE = "Attempting to store more than 38 significant digits in a Number"


class NumberError(ValueError):
    """A number DynamoDB cannot store; the message is AWS's."""


def type_of(value: Value) -> str:
    for key in value:
        return key
    return ""


def decode_b(data: Any) -> bytes:
    """Bytes of a B value; never raises (undecodable input compares by its own text)."""
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError, TypeError):
        return str(data).encode("utf-8", "surrogatepass")


def parse_number(text: Any) -> Decimal:
    """Parse and range-check a number as DynamoDB does; raises NumberError with AWS's message."""
    if not isinstance(text, str) or not text:
        raise NumberError("The parameter cannot be converted to a numeric value")
    if not _NUMBER_RE.match(text):
        raise NumberError(f"The parameter cannot be converted to a numeric value: {text}")
    number = Decimal(text)
    check_number(number, TOO_PRECISE)
    return number


def check_number(number: Decimal, imprecise_message: str = OVERFLOW) -> None:
    """Raise NumberError unless `number` fits DynamoDB's 38 digits and -130..125 exponents.

    A sum that needs more than 38 digits is reported by AWS as an overflow, while a stored
    literal with too many digits gets its own message; hence `imprecise_message`.
    """
    if not number:
        return
    adjusted = number.adjusted()
    if adjusted > _MAX_EXPONENT:
        raise NumberError(OVERFLOW)
    if adjusted < _MIN_EXPONENT:
        raise NumberError(UNDERFLOW)
    if len(number.normalize(_EXACT).as_tuple().digits) > _MAX_DIGITS:
        raise NumberError(imprecise_message)


def format_number(number: Decimal) -> str:
    """Canonical text: no exponent, no trailing zeros, "0" for any zero."""
    if not number:
        return "0"
    return format(number.normalize(_EXACT), "f")


def add_numbers(left: str, right: str, subtract: bool = False) -> str:
    """Exact sum (or difference) of two N strings, range-checked; raises NumberError."""
    a = Decimal(left)
    b = Decimal(right)
    result = _EXACT.subtract(a, b) if subtract else _EXACT.add(a, b)
    check_number(result)
    return format_number(result)


def canonical(value: Value) -> Value:
    """A valid value with its numbers in canonical form (a copy where anything changes)."""
    kind = type_of(value)
    data = value[kind]
    if kind == "N":
        return {"N": format_number(Decimal(data))}
    if kind == "NS":
        return {"NS": [format_number(Decimal(member)) for member in data]}
    if kind == "L":
        return {"L": [canonical(member) for member in data]}
    if kind == "M":
        return {"M": {key: canonical(member) for key, member in data.items()}}
    return value


def to_decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        return Decimal(0)


def sort_key(value: Value) -> tuple[str, Any] | None:
    """(type, comparable) for S/N/B values, None for types that have no order."""
    kind = type_of(value)
    if kind == "S":
        return kind, value["S"]
    if kind == "N":
        return kind, to_decimal(value["N"])
    if kind == "B":
        return kind, decode_b(value["B"])
    return None


def _set_members(kind: str, members: list[Any]) -> set[Any]:
    if kind == "NS":
        return {to_decimal(m) for m in members}
    if kind == "BS":
        return {decode_b(m) for m in members}
    return set(members)


def equal(a: Value | None, b: Value | None) -> bool:
    """DynamoDB equality: same type and same value; a missing value equals nothing."""
    if a is None or b is None:
        return False
    kind = type_of(a)
    if kind != type_of(b):
        return False
    x = a[kind]
    y = b[kind]
    if kind in ("S", "BOOL", "NULL"):
        return x == y
    if kind == "N":
        return x == y or to_decimal(x) == to_decimal(y)
    if kind == "B":
        return x == y or decode_b(x) == decode_b(y)
    if kind in SET_TYPES:
        return _set_members(kind, x) == _set_members(kind, y)
    if kind == "L":
        return len(x) == len(y) and all(equal(p, q) for p, q in zip(x, y, strict=True))
    if kind == "M":
        return x.keys() == y.keys() and all(equal(x[k], y[k]) for k in x)
    return False


def set_contains(kind: str, members: list[Any], element: Value) -> bool:
    """Whether a set of type `kind` holds the scalar `element` (of the matching type)."""
    element_type = SET_ELEMENT[kind]
    if type_of(element) != element_type:
        return False
    raw = element[element_type]
    if kind == "SS":
        return raw in members
    if kind == "NS":
        number = to_decimal(raw)
        return any(to_decimal(m) == number for m in members)
    data = decode_b(raw)
    return any(decode_b(m) == data for m in members)


def size_of(value: Value | None) -> int | None:
    """The size() function: None for a missing value or one that has no size."""
    if value is None:
        return None
    kind = type_of(value)
    data = value[kind]
    if kind == "S":
        return len(data.encode("utf-16-le", "surrogatepass")) // 2
    if kind == "B":
        return len(decode_b(data))
    if kind in ("SS", "NS", "BS", "L", "M"):
        return len(data)
    return None


def set_union(kind: str, existing: list[Any], extra: list[Any]) -> list[Any]:
    seen = _set_members(kind, existing)
    result = list(existing)
    for member in extra:
        key = _set_members(kind, [member]).pop()
        if key not in seen:
            seen.add(key)
            result.append(member)
    return result


def set_difference(kind: str, existing: list[Any], removed: list[Any]) -> list[Any]:
    gone = _set_members(kind, removed)
    return [m for m in existing if _set_members(kind, [m]).pop() not in gone]


def describe(value: Value) -> str:
    """A scalar value as AWS prints it inside messages, e.g. `{N:2}`."""
    kind = type_of(value)
    return "{" + f"{kind}:{value[kind]}" + "}"


def validate(value: Any, depth: int = 0) -> str | None:
    """AWS's message for an AttributeValue that is not valid, or None; normalizes nothing."""
    if not isinstance(value, dict) or not value:
        return EMPTY_VALUE
    known = [k for k in value if k in TYPES]
    if not known:
        return EMPTY_VALUE
    if len(value) > 1:
        return (
            "Supplied AttributeValue has more than one datatypes set, "
            "must contain exactly one of the supported datatypes"
        )
    kind = known[0]
    data = value[kind]
    if depth > 32:
        return "Nesting Levels have exceeded supported limits"
    return _VALIDATORS[kind](data, depth)


def _check_string(data: Any, depth: int) -> str | None:
    return None if isinstance(data, str) else EMPTY_VALUE


def _check_binary(data: Any, depth: int) -> str | None:
    return None if isinstance(data, str | bytes | bytearray) else EMPTY_VALUE


def _check_number(data: Any, depth: int) -> str | None:
    try:
        parse_number(data)
    except NumberError as error:
        return str(error)
    return None


def _check_null(data: Any, depth: int) -> str | None:
    if data is not True:
        return INVALID + "Null attribute value types must have the value of true"
    return None


def _check_bool(data: Any, depth: int) -> str | None:
    return None if isinstance(data, bool) else EMPTY_VALUE


def _check_string_set(data: Any, depth: int) -> str | None:
    if not isinstance(data, list) or not data:
        return INVALID + "An string set  may not be empty"
    if not all(isinstance(m, str) for m in data):
        return EMPTY_VALUE
    if len(set(data)) != len(data):
        return INVALID + f"Input collection [{', '.join(data)}] contains duplicates."
    return None


def _check_number_set(data: Any, depth: int) -> str | None:
    if not isinstance(data, list) or not data:
        return INVALID + "An number set  may not be empty"
    numbers = []
    for member in data:
        try:
            numbers.append(parse_number(member))
        except NumberError as error:
            return str(error)
    if len(set(numbers)) != len(numbers):
        return "Input collection contains duplicates"
    return None


def _check_binary_set(data: Any, depth: int) -> str | None:
    if not isinstance(data, list) or not data:
        return INVALID + "Binary sets should not be empty"
    if not all(isinstance(m, str | bytes | bytearray) for m in data):
        return EMPTY_VALUE
    if len({decode_b(m) for m in data}) != len(data):
        shown = ", ".join(str(m) for m in data)
        return INVALID + f"Input collection [{shown}]of type BS contains duplicates."
    return None


def _check_list(data: Any, depth: int) -> str | None:
    if not isinstance(data, list):
        return EMPTY_VALUE
    for member in data:
        message = validate(member, depth + 1)
        if message:
            return message
    return None


def _check_map(data: Any, depth: int) -> str | None:
    if not isinstance(data, dict):
        return EMPTY_VALUE
    for member in data.values():
        message = validate(member, depth + 1)
        if message:
            return message
    return None


_VALIDATORS = {
    "S": _check_string,
    "N": _check_number,
    "B": _check_binary,
    "NULL": _check_null,
    "BOOL": _check_bool,
    "SS": _check_string_set,
    "NS": _check_number_set,
    "BS": _check_binary_set,
    "L": _check_list,
    "M": _check_map,
}
