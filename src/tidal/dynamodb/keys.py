"""Order-preserving byte encodings of key values, so the store sorts like DynamoDB.

- S: UTF-8 (DynamoDB orders strings by their UTF-8 bytes);
- B: the raw bytes (unsigned byte order);
- N: a marker byte (negative < zero < positive), then for a value 0.d1d2…dn * 10**e an
  exponent byte (e + 129; every allowed number has -129 <= e <= 126) and the digits as
  ASCII. A shorter digit string that is a prefix of a longer one is the smaller number,
  which byte order gives for free. Negative numbers complement exponent and digits and
  end with 0xFF, so that of two negatives the one with more digits sorts first.
  Equal numbers (100, 1E2, 100.00) encode identically, and so do 0 and -0.

Index rows need several values in one key: `encode_composite` escapes 0x00 as 0x00 0xFF
and ends each component with 0x00 0x01, so the concatenation sorts like the tuple.
"""

from __future__ import annotations

import base64
from typing import Any

from tidal.dynamodb.types import format_number, parse_number

_NEGATIVE = b"\x01"
_ZERO = b"\x02"
_POSITIVE = b"\x03"
_NEGATIVE_END = b"\xff"
_EXPONENT_BIAS = 129
_COMPLEMENT = bytes(255 - i for i in range(256))

_ESCAPE = b"\x00\xff"
_END = b"\x00\x01"


def encode_key(value: dict[str, Any]) -> bytes:
    """Bytes of a typed key value ({"S": …}, {"N": …} or {"B": base64})."""
    for kind, data in value.items():
        if kind == "S":
            return data.encode()
        if kind == "N":
            return encode_number(data)
        if kind == "B":
            return base64.b64decode(data)
        raise ValueError(f"{kind} is not a key type")
    raise ValueError("a key value without a type")


def decode_key(data: bytes, type: str) -> dict[str, str]:
    """The typed key value of `type` ("S", "N" or "B") that `encode_key` turned into `data`."""
    if type == "S":
        return {"S": data.decode()}
    if type == "N":
        return {"N": decode_number(data)}
    if type == "B":
        return {"B": base64.b64encode(data).decode()}
    raise ValueError(f"{type} is not a key type")


def encode_number(text: str) -> bytes:
    negative, digits, exponent = parse_number(text)
    if not digits:
        return _ZERO
    body = bytes((exponent + len(digits) + _EXPONENT_BIAS,)) + digits.encode()
    if negative:
        return _NEGATIVE + body.translate(_COMPLEMENT) + _NEGATIVE_END
    return _POSITIVE + body


def decode_number(data: bytes) -> str:
    """The canonical text of an encoded number."""
    marker = data[:1]
    if marker == _ZERO and len(data) == 1:
        return "0"
    if marker == _POSITIVE:
        negative, body = False, data[1:]
    elif marker == _NEGATIVE and data.endswith(_NEGATIVE_END):
        negative, body = True, data[1:-1].translate(_COMPLEMENT)
    else:
        raise ValueError(f"not an encoded number: {data!r}")
    digits = body[1:].decode()
    if not digits.isdigit():
        raise ValueError(f"not an encoded number: {data!r}")
    return format_number(negative, digits, body[0] - _EXPONENT_BIAS - len(digits))


def encode_composite(values: list[bytes]) -> bytes:
    """One byte string for several encoded values whose byte order is the tuple order."""
    return b"".join(value.replace(b"\x00", _ESCAPE) + _END for value in values)


def decode_composite(data: bytes) -> list[bytes]:
    """The values that `encode_composite` joined."""
    if not data:
        return []
    if not data.endswith(_END):
        raise ValueError(f"not a composite key: {data!r}")
    parts = data[: -len(_END)].split(_END)
    values = [part.replace(_ESCAPE, b"\x00") for part in parts]
    if any(b"\x00" in part.replace(_ESCAPE, b"") for part in parts):
        raise ValueError(f"not a composite key: {data!r}")
    return values
