"""DynamoDB attribute values: validation, numbers and item size.

Values stay in DynamoDB's typed JSON form (`{"S": "x"}`, `{"N": "1.5"}`, `{"B": base64}` …).
`validate_item` checks an item or a key, `validate_value` one value given as a request
parameter (ExpressionAttributeValues, Expected, AttributeUpdates), the way DynamoDB does; both
return a copy with every number in canonical form, and the messages are AWS's own, quirks
included. AWS words two rules differently for parameters: a number that is no number, and
`NULL: false`, which items have accepted (stored as `NULL: true`) since 2026.

The request's JSON has passed `server/validation.py` first, which refuses a value of the wrong
JSON kind (`{"S": 5}`, a B that is not base64) as a SerializationException. What can still be
wrong in its JSON is a null where a value or set member belongs: also a SerializationException.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from tidal.core.errors import SerializationException, ValidationException

MAX_NESTING_LEVEL = 32
MAX_DIGITS = 38
MAX_ADJUSTED_EXPONENT = 125  # 9.99…E+125
MIN_ADJUSTED_EXPONENT = -130  # 1E-130

INVALID = "One or more parameter values were invalid: "
NOT_A_NUMBER = "A value provided cannot be converted into a number"
PARAMETER_NOT_A_NUMBER = "The parameter cannot be converted to a numeric value"
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
NULL_FALSE = INVALID + "Null attribute value types must have the value of true"
EMPTY_SS = INVALID + "An string set  may not be empty"
EMPTY_NS = INVALID + "An number set  may not be empty"
EMPTY_BS = INVALID + "Binary sets should not be empty"
# A null where a value (or a member of a set) belongs, in the words AWS's JSON parser has for
# a value of the wrong kind there.
_NULL_VALUE = "Unexpected value type in payload"
_NULL_BINARY = "only base-64-encoded strings are convertible to bytes"

Number = tuple[bool, str, int]
"""(negative, digits, exponent): the value is ±int(digits) * 10**exponent; `digits` has no
leading or trailing zeros and is empty for zero (which is never negative)."""

# The number syntax of Java's BigDecimal, which DynamoDB parses numbers with.
_NUMBER = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")
# Short numbers that are already canonical: no exponent, no superfluous zeros, no "-0".
# 38 characters hold at most 38 digits, all within range.
_CANONICAL = re.compile(r"0|-?(?:[1-9][0-9]*(?:\.[0-9]*[1-9])?|0\.[0-9]*[1-9])")
_JAVA_INT = 1 << 31


# numbers


def parse_number(text: str) -> Number:
    """Parse and range-check a number; ValidationException with AWS's message."""
    number = _parse(text)
    if number is None:
        raise ValidationException(NOT_A_NUMBER)
    return number


def normal_number(
    negative: bool, digits: str, exponent: int, too_precise: str = TOO_PRECISE
) -> Number:
    """±int(digits) * 10**exponent as a Number, range-checked; ValidationException if out of range.

    `too_precise` is the message for more than 38 significant digits: AWS says so of a number
    given that way, but reports a sum that needs more digits as an overflow.
    """
    digits = digits.lstrip("0")
    if not digits:
        return False, "", 0
    significant = digits.rstrip("0")
    exponent += len(digits) - len(significant)
    adjusted = exponent + len(significant) - 1
    if adjusted > MAX_ADJUSTED_EXPONENT:
        raise ValidationException(OVERFLOW)
    if adjusted < MIN_ADJUSTED_EXPONENT:
        raise ValidationException(UNDERFLOW)
    if len(significant) > MAX_DIGITS:
        raise ValidationException(too_precise)
    return negative, significant, exponent


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
    return _canonical(text, _ITEM)


def _parse(text: str) -> Number | None:
    """The number `text` writes, None if it is no number; ValidationException if out of range."""
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    sign, whole, fraction, exponent_text = match.groups()
    fraction = fraction or ""
    if not whole and not fraction:
        return None
    exponent = -len(fraction)
    if exponent_text is not None:
        if len(exponent_text.lstrip("+-0")) > 10:
            return None
        written = int(exponent_text)
        if not -_JAVA_INT <= written < _JAVA_INT:
            return None
        exponent += written
    return normal_number(sign == "-", whole + fraction, exponent)


def _canonical(text: str, rules: _Rules) -> str:
    if len(text) <= MAX_DIGITS and _CANONICAL.fullmatch(text):
        return text
    number = _parse(text)
    if number is None:
        raise ValidationException(rules.not_a_number(text))
    return format_number(*number)


# validation


class _Rules(NamedTuple):
    """What AWS checks differently in an item and in a value given as a request parameter."""

    not_a_number: Callable[[str], str]
    """The message for the text of a number that is no number."""
    null_false: str | None
    """The message refusing `NULL: false`, or None where it is stored as `NULL: true`."""


def _parameter_not_a_number(text: str) -> str:
    return f"{PARAMETER_NOT_A_NUMBER}: {text}" if text else PARAMETER_NOT_A_NUMBER


_ITEM = _Rules(lambda text: NOT_A_NUMBER, None)
_PARAMETER = _Rules(_parameter_not_a_number, NULL_FALSE)


def validate_item(item: dict[str, Any]) -> dict[str, Any]:
    """A checked copy of an item (attribute name -> value), numbers canonical."""
    return {name: _validate(value, 1, _ITEM) for name, value in item.items()}


def validate_value(value: Any) -> dict[str, Any]:
    """A checked copy of one value given as a request parameter, numbers canonical."""
    return _validate(value, 0, _PARAMETER)


def check_nesting(value: dict[str, Any], level: int) -> None:
    """Refuse a valid `value` written at nesting `level` of an item (its attributes are at 1).

    An update can nest a value that passed as a parameter deeper than an item may hold.
    """
    for kind, data in value.items():
        if kind in ("M", "L"):
            if level >= MAX_NESTING_LEVEL:
                raise ValidationException(TOO_DEEP)
            for child in data.values() if kind == "M" else data:
                check_nesting(child, level + 1)


def _validate(value: Any, level: int, rules: _Rules) -> dict[str, Any]:
    """Check `value`, a value at nesting `level` (an item's attributes are at level 1).

    DynamoDB refuses a list or map at level 32 or deeper.
    """
    if type(value) is dict and len(value) == 1:
        for kind, data in value.items():
            check = _CHECKS.get(kind)
            if check is not None and data is not None:
                return check(data, level, rules)
    return _validate_unusual(value, level, rules)


def _validate_unusual(value: Any, level: int, rules: _Rules) -> dict[str, Any]:
    """A null, no type, several types or unknown members: check each type set, then count."""
    if value is None:
        raise SerializationException(_NULL_VALUE)
    found: list[dict[str, Any]] = [
        check(value[kind], level, rules)
        for kind, check in _CHECKS.items()
        if value.get(kind) is not None
    ]
    if len(found) == 1:
        return found[0]
    raise ValidationException(EMPTY_VALUE if not found else MANY_TYPES)


def _string(data: str, level: int, rules: _Rules) -> dict[str, Any]:
    return {"S": data}


def _number(data: str, level: int, rules: _Rules) -> dict[str, Any]:
    return {"N": _canonical(data, rules)}


def _binary(data: str, level: int, rules: _Rules) -> dict[str, Any]:
    return {"B": data}


def _boolean(data: bool, level: int, rules: _Rules) -> dict[str, Any]:
    return {"BOOL": data}


def _null(data: bool, level: int, rules: _Rules) -> dict[str, Any]:
    if data or rules.null_false is None:
        return {"NULL": True}
    raise ValidationException(rules.null_false)


def _string_set(data: list[Any], level: int, rules: _Rules) -> dict[str, Any]:
    members = [_member(member, _NULL_VALUE) for member in _filled(data, EMPTY_SS)]
    if len(set(members)) != len(members):
        raise ValidationException(
            f"{INVALID}Input collection {_show(members)} contains duplicates."
        )
    return {"SS": members}


def _number_set(data: list[Any], level: int, rules: _Rules) -> dict[str, Any]:
    members = [
        _canonical(_member(member, _NULL_VALUE), rules) for member in _filled(data, EMPTY_NS)
    ]
    if len(set(members)) != len(members):
        raise ValidationException("Input collection contains duplicates")
    return {"NS": members}


def _binary_set(data: list[Any], level: int, rules: _Rules) -> dict[str, Any]:
    # Base64 is canonical (server/validation.py refuses stray bits), so equal text is equal bytes.
    members = [_member(member, _NULL_BINARY) for member in _filled(data, EMPTY_BS)]
    if len(set(members)) != len(members):
        raise ValidationException(
            f"{INVALID}Input collection {_show(members)}of type BS contains duplicates."
        )
    return {"BS": members}


def _list(data: list[Any], level: int, rules: _Rules) -> dict[str, Any]:
    if level >= MAX_NESTING_LEVEL:
        raise ValidationException(TOO_DEEP)
    return {"L": [_validate(element, level + 1, rules) for element in data]}


def _map(data: dict[str, Any], level: int, rules: _Rules) -> dict[str, Any]:
    if level >= MAX_NESTING_LEVEL:
        raise ValidationException(TOO_DEEP)
    return {"M": {name: _validate(value, level + 1, rules) for name, value in data.items()}}


# In the order DynamoDB checks the members of an AttributeValue.
_CHECKS: dict[str, Callable[[Any, int, _Rules], dict[str, Any]]] = {
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
TYPES = frozenset(_CHECKS)
"""The type names of attribute values."""


def _filled(data: list[Any], empty_message: str) -> list[Any]:
    if not data:
        raise ValidationException(empty_message)
    return data


def _member(member: Any, null_message: str) -> Any:
    if member is None:
        raise SerializationException(null_message)
    return member


def _show(members: list[str]) -> str:
    return "[" + ", ".join(members) + "]"


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
