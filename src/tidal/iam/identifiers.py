"""IAM's unique ids and STS's credentials, in the shapes AWS gives them.

An access key id encodes its account as AWS's do: after the four-letter prefix, 16
base32 characters hold ten bytes whose first six carry the account number in bits 7 to
46, with bit 47 set (today's keys begin `AKIAQ` to `AKIA7`), so `account_of_key` reads
the account back from the key alone.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SECRET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_ACCOUNT_MASK = 0x7FFFFFFFFF80
_TOKEN_HEAD = "IQoJb3JpZ2luX2Vj"
"""How today's session tokens begin (base64 of their version and origin fields)."""


def unique_id(prefix: str) -> str:
    """`AROA…` (role), `ANPA…` (managed policy): the prefix and 17 base32 characters."""
    return prefix + "".join(secrets.choice(_BASE32) for _ in range(17))


def access_key_id(prefix: str, account: str) -> str:
    """`ASIA…` (temporary) or `AKIA…` (long-term) key id that names `account`."""
    head = 1 << 47 | int(account) << 7 | secrets.randbits(7)
    raw = head.to_bytes(6, "big") + os.urandom(4)
    return prefix + base64.b32encode(raw).decode()


def account_of_key(key_id: str) -> str | None:
    """The account an access key id names, or None if it is not an AWS-shaped key id."""
    if len(key_id) != 20 or not key_id[:4].isalpha():
        return None
    try:
        raw = base64.b32decode(key_id[4:])
    except (binascii.Error, ValueError):
        return None
    number = (int.from_bytes(raw[:6], "big") & _ACCOUNT_MASK) >> 7
    return f"{number:012d}"


def secret_access_key() -> str:
    return "".join(secrets.choice(_SECRET) for _ in range(40))


def session_token() -> str:
    return _TOKEN_HEAD + base64.b64encode(os.urandom(300)).decode()
