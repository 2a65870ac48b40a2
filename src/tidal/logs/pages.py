"""Opaque `nextToken`s of the list operations: where the next page starts, and for which list.

A token is the URL-safe base64 of a small JSON array `[kind, position...]`; `kind` names the
operation that made it, so a token handed to another operation is refused as AWS refuses
any token it did not make: "The specified nextToken is invalid."
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from tidal.logs import errors


def encode(kind: str, *position: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([kind, *position])).decode().rstrip("=")


def decode(token: str | None, kind: str) -> Any:
    """The position a token of `kind` holds (its one value, or a list of its values);
    None when there is no token."""
    if token is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value = orjson.loads(raw)
    except (binascii.Error, ValueError):
        raise errors.bad_token() from None
    if not isinstance(value, list) or len(value) < 2 or value[0] != kind:
        raise errors.bad_token()
    return value[1] if len(value) == 2 else value[1:]


def decode_name(token: str | None, kind: str) -> str | None:
    """The name a token of `kind` resumes after; None when there is no token."""
    name = decode(token, kind)
    if name is not None and not isinstance(name, str):
        raise errors.bad_token()
    return name
