"""IAM's unique ids and STS's secrets, in the shapes AWS gives them (access key ids, which
the server reads too, are `tidal.core.access_keys`)."""

from __future__ import annotations

import base64
import os
import secrets

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SECRET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TOKEN_HEAD = "IQoJb3JpZ2luX2Vj"
"""How today's session tokens begin (base64 of their version and origin fields)."""


def unique_id(prefix: str) -> str:
    """`AROA…` (role), `ANPA…` (managed policy): the prefix and 17 base32 characters."""
    return prefix + "".join(secrets.choice(_BASE32) for _ in range(17))


def secret_access_key() -> str:
    return "".join(secrets.choice(_SECRET) for _ in range(40))


def session_token() -> str:
    return _TOKEN_HEAD + base64.b64encode(os.urandom(300)).decode()
