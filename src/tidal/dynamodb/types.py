"""DynamoDB attribute values: validation, canonical numbers and item size.

Values stay in DynamoDB's typed JSON form (`{"S": "x"}`, `{"N": "1.5"}`, `{"B": base64}` …).
`validate_item` and `validate_value` check a value the way DynamoDB does and return a
copy with every number in canonical form; the messages are AWS's own, quirks included.

A JSON value of the wrong kind (`{"S": 5}`) is a SerializationException, as AWS's
request parser reports it; everything else is a ValidationException.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

from tidal.core.errors import SerializationException, ValidationException

MAX_NESTING_LEVEL = 32
MAX_DIGITS = 38
MAX_ADJUSTED_EXPONENT = 125  # 9.99…E+125
MIN_ADJUSTED_EXPONENT = -130  # 1E-130

_INVALID = "One or more parameter values were invalid: "
NOT_A_NUMBER = "A value provided cannot be converted into a number"
TOO_PRECISE = "Attempting to store more than 38 significant digits in a Number"
OVERFLOW = (
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
)
UNDERFLOW = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)
EMPTY_VALUE = (
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
)
MANY_TYPES = (
    "Supplied AttributeValue has more than one datatypes set, "
    "must contain exactly one of the supported datatypes"
)
TOO_DEEP = (
    "Nesting Levels have exceeded supported limits: "
    "Attributes in the item have nested levels beyond supported limit"
)
EMPTY_SS = _INVALID + "An string set  may not be empty"
EMPTY_NS = _INVALID + "An number set  may not be empty"
EMPTY_BS = _INVALID + "Binary sets should not be empty"

# The number syntax of Java's BigDecimal, which DynamoDB parses numbers with.
_NUMBER = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")
# Short numbers that are already canonical: no exponent, no superfluous zeros, no "-0".
# 38 characters hold at most 38 digits, all within range.
_CANONICAL = re.compile(r"0|-?(?:[1-9][0-9]*(?:\.[0-9]*[1-9])?|0\.[0-9]*[1-9])")
_JAVA_INT = 1 << 31
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_BASE64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


# numbers


def parse_number(text: str) -> tuple[bool, str, int]:
    """Parse and range-check a number: (negative, digits, exponent).

    The value is ±int(digits) * 10**exponent; `digits` has no leading or trailing
    zeros and is empty for zero (which is never negative).
    """
    match = _NUMBER.fullmatch(text)
    if match is None:
        raise ValidationException(NOT_A_NUMBER)
    sign, whole, fraction, exponent_text = match.groups()
    fraction = fraction or ""
    if not whole and not fraction:
        raise ValidationException(NOT_A_NUMBER)
    digits = (whole + fraction).lstrip("0")
    if not digits:
        return False, "", 0
    exponent = -len(fraction)
    if exponent_text is not None:
        if len(exponent_text.lstrip("+-0")) > 10:
            raise ValidationException(NOT_A_NUMBER)
        written = int(exponent_text)
        if not -_JAVA_INT <= written < _JAVA_INT:
            raise ValidationException(NOT_A_NUMBER)
        exponent += written
    significant = digits.rstrip("0")
    exponent += len(digits) - len(significant)
    adjusted = exponent + len(significant) - 1
    if adjusted > MAX_ADJUSTED_EXPONENT:
        raise ValidationException(OVERFLOW)
    if adjusted < MIN_ADJUSTED_EXPONENT:
        raise ValidationException(UNDERFLOW)
    if len(significant) > MAX_DIGITS:
        raise ValidationException(TOO_PRECISE)
    return sign == "-", significant, exponent


def format_number(negative: bool, digits: str, exponent: int) -> str:
    """Plain decimal notation, as DynamoDB returns numbers: 1E+3 is "1000"."""
    if not digits:
        return "0"
    if exponent >= 0:
        body = digits + "0" * exponent
    else:
        point = len(digits) + exponent
        body = digits[:point] + "." + digits[point:] if point > 0 else "0." + "0" * -point + digits
    return "-" + body if negative else body


def canonical_number(text: str) -> str:
    """DynamoDB's canonical form of a number ("1.50E2" -> "150"), or ValidationException."""
    if len(text) <= MAX_DIGITS and _CANONICAL.fullmatch(text):
        return text
    return format_number(*parse_number(text))


# validation


def validate_item(item: dict[str, Any]) -> dict[str, Any]:
    """A checked copy of an item (attribute name -> value), numbers canonical."""
    if type(item) is not dict:
        raise SerializationException(_map_type_error(item))
    return {name: _validate(value, 1) for name, value in item.items()}


def validate_value(value: Any) -> dict[str, Any]:
    """A checked copy of one attribute value, numbers canonical."""
    return _validate(value, 0)


def _validate(value: Any, level: int) -> dict[str, Any]:
    """Check `value`, a value at nesting `level` (an item's attributes are at level 1).

    DynamoDB refuses a list or map at level 32 or deeper.
    """
    if type(value) is dict and len(value) == 1:
        for kind, data in value.items():
            check = _CHECKS.get(kind)
            if check is not None and data is not None:
                return check(data, level)
    return _validate_unusual(value, level)


def _validate_unusual(value: Any, level: int) -> dict[str, Any]:
    """No type, several types or unknown members: check each type set, then count."""
    if type(value) is not dict:
        raise SerializationException(_struct_type_error(value))
    found: list[dict[str, Any]] = [
        check(value[kind], level) for kind, check in _CHECKS.items() if value.get(kind) is not None
    ]
    if len(found) == 1:
        return found[0]
    raise ValidationException(EMPTY_VALUE if not found else MANY_TYPES)


def _string(data: Any, level: int) -> dict[str, Any]:
    if type(data) is str:
        return {"S": data}
    raise SerializationException(_string_type_error(data))


def _number(data: Any, level: int) -> dict[str, Any]:
    if type(data) is str:
        return {"N": canonical_number(data)}
    raise SerializationException(_string_type_error(data))


def _binary(data: Any, level: int) -> dict[str, Any]:
    _check_base64(data)
    return {"B": data}


def _boolean(data: Any, level: int) -> dict[str, Any]:
    if data is True or data is False:
        return {"BOOL": data}
    raise SerializationException(_boolean_type_error(data))


def _null(data: Any, level: int) -> dict[str, Any]:
    # AWS used to refuse NULL: false ("Null attribute value types must have the value of
    # true"); since 2026 it accepts it and stores NULL: true.
    if data is True or data is False:
        return {"NULL": True}
    raise SerializationException(_boolean_type_error(data))


def _string_set(data: Any, level: int) -> dict[str, Any]:
    members = _set_members(data, EMPTY_SS)
    for member in members:
        if type(member) is not str:
            raise SerializationException(_string_type_error(member))
    if len(set(members)) != len(members):
        raise ValidationException(
            f"{_INVALID}Input collection {_show(members)} contains duplicates."
        )
    return {"SS": members}


def _number_set(data: Any, level: int) -> dict[str, Any]:
    members = _set_members(data, EMPTY_NS)
    canonical = [_number(member, level)["N"] for member in members]
    if len(set(canonical)) != len(canonical):
        raise ValidationException("Input collection contains duplicates")
    return {"NS": canonical}


def _binary_set(data: Any, level: int) -> dict[str, Any]:
    members = _set_members(data, EMPTY_BS)
    for member in members:
        _check_base64(member)
    if len(set(members)) != len(members):
        raise ValidationException(
            f"{_INVALID}Input collection {_show(members)}of type BS contains duplicates."
        )
    return {"BS": members}


def _list(data: Any, level: int) -> dict[str, Any]:
    if type(data) is not list:
        raise SerializationException(_list_type_error(data))
    if level >= MAX_NESTING_LEVEL:
        raise ValidationException(TOO_DEEP)
    return {"L": [_validate(element, level + 1) for element in data]}


def _map(data: Any, level: int) -> dict[str, Any]:
    if type(data) is not dict:
        raise SerializationException(_map_type_error(data))
    if level >= MAX_NESTING_LEVEL:
        raise ValidationException(TOO_DEEP)
    return {"M": {name: _validate(value, level + 1) for name, value in data.items()}}


# In the order DynamoDB checks the members of an AttributeValue.
_CHECKS: dict[str, Callable[[Any, int], dict[str, Any]]] = {
    "S": _string,
    "SS": _string_set,
    "N": _number,
    "NS": _number_set,
    "B": _binary,
    "BS": _binary_set,
    "M": _map,
    "L": _list,
    "BOOL": _boolean,
    "NULL": _null,
}


def _set_members(data: Any, empty_message: str) -> list[Any]:
    if type(data) is not list:
        raise SerializationException(_list_type_error(data))
    if not data:
        raise ValidationException(empty_message)
    return list(data)


def _show(members: list[str]) -> str:
    return "[" + ", ".join(members) + "]"


def _check_base64(data: Any) -> None:
    if type(data) is not str:
        raise SerializationException(_binary_type_error(data))
    if len(data) % 4:
        raise SerializationException(
            f"Base64 encoded length is expected a multiple of 4 bytes but found: {len(data)}"
        )
    if _BASE64.fullmatch(data) is None:
        for char in data:
            if char not in _BASE64_ALPHABET:
                raise SerializationException(f"Invalid Base64 character: '{char}'")
        raise SerializationException("Invalid last non-pad Base64 character dectected")
    # With padding, the last character may carry bits that decoding drops.
    if data.endswith("=") and base64.b64encode(base64.b64decode(data)).decode() != data:
        raise SerializationException("Invalid last non-pad Base64 character dectected")


# What AWS's JSON parser says when a member holds the wrong kind of JSON value.

_NOT_STRUCT = "Start of structure or map found where not expected"


def _scalar_name(data: Any) -> str:
    if data is True:
        return "TRUE_VALUE"
    if data is False:
        return "FALSE_VALUE"
    if type(data) is int:
        return "NUMBER_VALUE"
    if type(data) is float:
        return "DECIMAL_VALUE"
    return "STRING_VALUE"


def _string_type_error(data: Any) -> str:
    if type(data) is list:
        return "Unrecognized collection type class java.lang.String"
    if type(data) is dict:
        return _NOT_STRUCT
    if data is None:
        return "Unexpected value type in payload"
    return f"{_scalar_name(data)} cannot be converted to String"


def _binary_type_error(data: Any) -> str:
    if type(data) is list:
        return "Unrecognized collection type class java.nio.ByteBuffer"
    if type(data) is dict:
        return _NOT_STRUCT
    return "only base-64-encoded strings are convertible to bytes"


def _boolean_type_error(data: Any) -> str:
    if type(data) is list:
        return "Unrecognized collection type class java.lang.Boolean"
    if type(data) is dict:
        return _NOT_STRUCT
    if type(data) is str:
        return "Unexpected token received from parser"
    return f"{_scalar_name(data)} cannot be converted to Boolean"


def _list_type_error(data: Any) -> str:
    return _NOT_STRUCT if type(data) is dict else "Unexpected field type"


def _map_type_error(data: Any) -> str:
    if type(data) is list:
        return (
            "Unrecognized collection type java.util.Map<java.lang.String, "
            "com.amazonaws.dynamodb.v20120810.AttributeValue>"
        )
    return "Unexpected field type"


def _struct_type_error(data: Any) -> str:
    if type(data) is list:
        return "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"
    return "Unexpected value type in payload"


# size


def item_size(item: dict[str, Any]) -> int:
    """The size DynamoDB charges and limits (400 KB) for a validated item.

    Names and values count: strings and binaries by their bytes, BOOL and NULL 1 byte,
    a list or map 3 bytes plus 1 per element (and a map its keys), a set the sum of its
    members. A number costs 1 byte, plus 1 per pair of digits counted in base-100 from
    the decimal point (DynamoDB stores numbers as centesimal digits), plus 1 if negative.
    That fits every cost measured on AWS (`1.5` costs 3 where `15` costs 2); the
    Developer Guide's "1 byte per two significant digits plus 1" does not.
    """
    return sum(_text_size(name) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    for kind, data in value.items():
        if kind == "S":
            return _text_size(data)
        if kind == "N":
            return _number_size(data)
        if kind == "B":
            return _binary_size(data)
        if kind == "M":
            return 3 + sum(_text_size(k) + _value_size(v) + 1 for k, v in data.items())
        if kind == "L":
            return 3 + sum(_value_size(v) + 1 for v in data)
        if kind == "SS":
            return sum(_text_size(member) for member in data)
        if kind == "NS":
            return sum(_number_size(member) for member in data)
        if kind == "BS":
            return sum(_binary_size(member) for member in data)
        return 1  # BOOL, NULL
    raise ValueError("an attribute value without a type")


def _text_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode())


def _binary_size(data: str) -> int:
    return len(data) * 3 // 4 - (len(data) - len(data.rstrip("=")))


def _number_size(text: str) -> int:
    """Size of a number in canonical form (plain notation, no superfluous zeros)."""
    negative = text[0] == "-"
    body = text[1:] if negative else text
    if body == "0":
        return 1
    whole, _, fraction = body.partition(".")
    # Powers of ten of the first and last significant digits.
    top = len(whole) - 1 if whole != "0" else len(fraction.lstrip("0")) - len(fraction) - 1
    bottom = -len(fraction) if fraction else len(whole) - len(whole.rstrip("0"))
    return top // 2 - bottom // 2 + 2 + negative
