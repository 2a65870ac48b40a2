"""Identifiers in the shapes AWS uses."""

from __future__ import annotations

import base64
import os
import uuid


def request_id() -> str:
    """A 52-character upper-case request id, like DynamoDB's `x-amzn-RequestId`."""
    return base64.b32encode(os.urandom(33)).decode()[:52]


def new_uuid() -> str:
    return str(uuid.uuid4())
