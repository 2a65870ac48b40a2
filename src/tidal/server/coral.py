"""How AWS's Java request framework (Coral) spells types, values and patterns in its messages.

AWS parses a JSON body into Java objects before it validates anything, so its
SerializationException texts name Java types and Jackson tokens, and the values it
echoes in a ValidationException are Java `toString()` forms. This module holds those
spellings; `validation.py` decides when each applies. The texts were checked against
dynalite's `test/helpers.js` (assertType), whose messages were recorded from real
DynamoDB.
"""

from __future__ import annotations

import datetime
import decimal
import re
from typing import Any

START_OF_OBJECT = "Start of structure or map found where not expected"
UNEXPECTED_FIELD = "Unexpected field type"
UNEXPECTED_VALUE = "Unexpected value type in payload"
NESTED_COLLECTION = (
    "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class"
    " java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and"
    " java.lang.Class are in module java.base of loader 'bootstrap')"
)
BOOLEAN_FROM_STRING = "Unexpected token received from parser"
BLOB_FROM_NON_STRING = "only base-64-encoded strings are convertible to bytes"
BLOB_BAD_END = "Invalid last non-pad Base64 character dectected"

_JAVA_SCALARS = {
    "string": "java.lang.String",
    "integer": "java.lang.Integer",
    "long": "java.lang.Long",
    "boolean": "java.lang.Boolean",
    "double": "java.lang.Double",
    "float": "java.lang.Float",
    "blob": "java.nio.ByteBuffer",
    "timestamp": "java.util.Date",
}


def java_package(metadata: dict[str, Any], api_version: str) -> str:
    """The Java package of a service's model classes, e.g. `com.amazonaws.dynamodb.v20120810`."""
    name = metadata.get("signingName") or metadata["endpointPrefix"]
    return f"com.amazonaws.{name}.v{api_version.replace('-', '')}"


def java_type(shape: Any, package: str) -> str:
    """The Java type a botocore shape deserializes to, as Jackson names it in messages."""
    kind = shape.type_name
    if kind == "structure":
        return f"{package}.{shape.name}"
    if kind == "list":
        return f"java.util.List<{java_type(shape.member, package)}>"
    if kind == "map":
        return f"java.util.Map<java.lang.String, {java_type(shape.value, package)}>"
    return _JAVA_SCALARS.get(kind, "java.lang.Object")


def token(value: Any) -> str:
    """The Jackson token name of a JSON scalar."""
    if value is True:
        return "TRUE_VALUE"
    if value is False:
        return "FALSE_VALUE"
    if isinstance(value, int):
        return "NUMBER_VALUE"
    if isinstance(value, float):
        return "DECIMAL_VALUE"
    return "STRING_VALUE"


def unrecognized_collection(java: str) -> str:
    """What Jackson says when a JSON list arrives where `java` (a class or a Map type) is due."""
    prefix = "" if java.startswith("java.util.Map<") else "class "
    return f"Unrecognized collection type {prefix}{java}"


def not_convertible(value: Any, target: str) -> str:
    return f"{token(value)} cannot be converted to {target}"


def base64_problem(text: str) -> str | None:
    """Why `text` is not strict base64 (as AWS decodes blobs), or None when it is."""
    if len(text) % 4:
        return f"Base64 encoded length is expected a multiple of 4 bytes but found: {len(text)}"
    if _BASE64.fullmatch(text):
        return None
    stray = _NON_BASE64.search(text)
    if stray:
        return f"Invalid Base64 character: '{stray.group()}'"
    return BLOB_BAD_END


def base64_length(text: str) -> int:
    """The number of bytes a valid base64 string decodes to."""
    return len(text) * 3 // 4 - text.count("=", -2)


_BASE64 = re.compile(
    r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?"
)
_NON_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")


def java_double(number: float) -> str:
    """Java's `Double.toString`: `1.0`, `0.5`, `1.0E10`, `1.5E-5`."""
    if number == 0:
        return "-0.0" if str(number).startswith("-") else "0.0"
    if 1e-3 <= abs(number) < 1e7:
        return repr(number)
    sign, digits, exponent = decimal.Decimal(repr(number)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    power = len(digits) + int(exponent) - 1
    return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{power}"


def java_date(seconds: float) -> str:
    """Java's `Date.toString` in UTC: `Thu Jan 01 00:00:00 UTC 1970`."""
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    return moment.strftime("%a %b %d %H:%M:%S UTC %Y")


def java_byte_buffer(length: int) -> str:
    return f"java.nio.HeapByteBuffer[pos=0 lim={length} cap={length}]"


def java_length(text: str) -> int:
    """`String.length()` in Java: UTF-16 code units, so a character beyond the BMP counts twice."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


# Java regular expressions in botocore models use a few constructs Python's `re` lacks.
_UNICODE_CLASSES = {
    # \w is Python's Unicode letters, digits and '_': it stands in for \p{L} and \p{N}, which
    # the models only use together with '_'.
    "L": r"\w",
    "N": r"\w",
    "Z": "\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000",
    "Print": r"\x20-\x7e",
}
_JAVA_ESCAPE = re.compile(
    r"\\p\{(?P<name>\w+)\}"
    r"|\\u(?P<high>[Dd][89ABab][0-9A-Fa-f]{2})\\u(?P<low>[Dd][C-Fc-f][0-9A-Fa-f]{2})"
    r"|\\."
)
_SHORTHANDS = frozenset("wWdDsS")


def java_regex(pattern: str) -> re.Pattern[str]:
    """Compile a Java regular expression from a model as Python `re` reads it.

    Translates `\\p{L}`-style classes, surrogate pairs written as two `\\u` escapes, and a
    `-` right after a class escape inside brackets (a literal in Java, an error in Python).
    Raises `re.error` on anything else Python cannot read.
    """
    out: list[str] = []
    in_class = False
    position = 0
    while position < len(pattern):
        escape = _JAVA_ESCAPE.match(pattern, position)
        if escape is None:
            char = pattern[position]
            in_class = (in_class and char != "]") or (not in_class and char == "[")
            out.append(char)
            position += 1
            continue
        position = escape.end()
        name, high = escape.group("name"), escape.group("high")
        if name is not None:
            if name not in _UNICODE_CLASSES:
                raise re.error(f"unsupported Java character class \\p{{{name}}}")
            chars = _UNICODE_CLASSES[name]
            out.append(chars if in_class else f"[{chars}]")
        elif high is not None:
            low = escape.group("low")
            point = 0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00)
            out.append(f"\\U{point:08X}")
        else:
            out.append(escape.group())
        shorthand = name is not None or escape.group()[1] in _SHORTHANDS
        if in_class and shorthand and pattern.startswith("-", position):
            out.append("\\")
    return re.compile("".join(out))
