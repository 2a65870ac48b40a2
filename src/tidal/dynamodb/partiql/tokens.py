"""ExecuteStatement's NextToken: where a SELECT stopped, bound to the request that read it.

The token is opaque to clients (base64 of a small JSON document). It only continues the
statement that minted it: the same text and parameters, for the same account and region
(a different Limit is fine), and it expires after an hour, as DynamoDB's do.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

import orjson

from tidal.core import clock
from tidal.core.errors import ValidationException

LIFETIME = 3600.0
VERSION = 1


@dataclass(frozen=True, slots=True)
class Position:
    """The last row a page evaluated: its partition's place in the read plan (-1 in a scan)
    and its stored key."""

    partition: int
    pk: bytes
    sk: bytes


def request_hash(account: str, region: str, statement: str, parameters: Any) -> str:
    document = orjson.dumps([account, region, statement, parameters], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(document).hexdigest()


def mint(request: str, position: Position) -> str:
    document = {
        "v": VERSION,
        "r": request,
        "t": clock.now(),
        "p": [position.partition, _text(position.pk), _text(position.sk)],
    }
    return base64.b64encode(orjson.dumps(document)).decode()


def resume(token: str, request: str) -> Position:
    """The position `token` names; ValidationException if it is not for this request."""
    try:
        document = orjson.loads(base64.b64decode(token, validate=True))
        partition, pk, sk = document["p"]
        position = Position(int(partition), _bytes(pk), _bytes(sk))
        version, minted_for, minted_at = document["v"], document["r"], float(document["t"])
    except (ValueError, TypeError, KeyError, binascii.Error, orjson.JSONDecodeError):
        raise ValidationException("Invalid NextToken") from None
    if version != VERSION:
        raise ValidationException("Invalid NextToken")
    if minted_for != request:
        raise ValidationException("NextToken does not match request")
    if clock.now() - minted_at >= LIFETIME:
        raise ValidationException("Given NextToken has already expired")
    return position


def _text(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _bytes(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
