"""SigV4 credential scope → access key and region. Tidal keeps no secrets to verify signatures."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from tidal.core.access_keys import account_of_key
from tidal.core.config import DEFAULT_ACCOUNT

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]*/([^/]+)/([^/]+)/")
_ACCOUNT_KEY = re.compile(r"\d{12}")


@dataclass(frozen=True, slots=True)
class Caller:
    access_key: str
    region: str
    service: str

    @property
    def account(self) -> str:
        """A 12-digit access key id names its account, and so does a temporary key (`ASIA…`,
        as STS AssumeRole hands out) through the account it encodes; any other key is the
        default account."""
        if _ACCOUNT_KEY.fullmatch(self.access_key):
            return self.access_key
        if self.access_key.startswith("ASIA"):
            return account_of_key(self.access_key) or DEFAULT_ACCOUNT
        return DEFAULT_ACCOUNT


def caller_from(authorization: str | None, query_string: bytes) -> Caller | None:
    """The caller named by an `Authorization` header or a presigned URL's `X-Amz-Credential`."""
    if authorization:
        match = _CREDENTIAL.search(authorization)
        if match:
            return Caller(*match.groups())
    if b"X-Amz-Credential" in query_string:
        credential = parse_qs(query_string.decode("latin-1")).get("X-Amz-Credential", [""])[0]
        parts = credential.split("/")
        if len(parts) >= 5:
            return Caller(parts[0], parts[2], parts[3])
    return None
