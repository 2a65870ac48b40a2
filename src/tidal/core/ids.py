"""Identifiers in the shapes AWS uses."""

from __future__ import annotations

import os
import uuid

_BASE32 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
# Each random byte becomes one of the 32 characters (256 is a multiple of 32, so each is
# equally likely): the cost of the ids of a busy server is one urandom call per id.
_TO_BASE32 = bytes(_BASE32[byte % 32] for byte in range(256))


def request_id() -> str:
    """A 52-character upper-case request id, like DynamoDB's `x-amzn-RequestId` (the
    base32 alphabet: A-Z, 2-7)."""
    return os.urandom(52).translate(_TO_BASE32).decode()


def new_uuid() -> str:
    return str(uuid.uuid4())
