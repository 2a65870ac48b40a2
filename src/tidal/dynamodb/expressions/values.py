"""Typed attribute values (`{"S": "x"}`, `{"N": "1"}`, ...) as expressions use them: equality,
order, set operations, size() and arithmetic.

Values reach this module valid and with canonical numbers (`tidal.dynamodb.types` checks them).
Numbers are compared as `Decimal` and added exactly; B values are compared by their bytes.
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal, InvalidOperation
from typing import Any

from tidal.dynamodb.types import OVERFLOW, format_number, normal_number, parse_number

Value = dict[str, Any]

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


def add_numbers(left: str, right: str, subtract: bool = False) -> str:
    """Exact sum (or difference) of two numbers' texts, range-checked; ValidationException.

    A result that needs more than 38 digits is an overflow, as AWS reports it.
    """
    left_negative, left_digits, left_exponent = parse_number(left)
    right_negative, right_digits, right_exponent = parse_number(right)
    exponent = min(left_exponent, right_exponent)
    a = int(left_digits or "0") * 10 ** (left_exponent - exponent)
    b = int(right_digits or "0") * 10 ** (right_exponent - exponent)
    total = (-a if left_negative else a) + (b if right_negative == subtract else -b)
    return format_number(*normal_number(total < 0, str(abs(total)), exponent, OVERFLOW))
