"""Access key ids that name their account, as AWS's do.

After the four-letter prefix (`AKIA` long-term, `ASIA` temporary), 16 base32 characters
hold ten bytes whose first six carry the account number in bits 7 to 46, with bit 47 set
(today's keys begin `AKIAQ` to `AKIA7`), so `account_of_key` reads the account back from
the key alone: STS issues such keys, and the server files requests signed with them.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets

_ACCOUNT_MASK = 0x7FFFFFFFFF80


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
