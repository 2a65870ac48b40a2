"""Verified identities (e-mail addresses and domains) of an account in a region.

SES v1 and v2 share them. Verification is immediate: there is no inbox to click a link in,
so an identity is `Success` as soon as it is created, as the mailbox simulator's addresses
are. Without `--ses-strict` an address used as a sender is verified on first use (logged);
with it, senders and recipients must be verified identities or belong to one (their domain).
"""

from __future__ import annotations

import base64
import logging
import os
from typing import Any

from tidal.core import clock
from tidal.ses import addresses
from tidal.ses.errors import invalid

NS = "ses.identities"
EMAIL = "EmailAddress"
DOMAIN = "Domain"
SUCCESS = "Success"
SIMULATOR_DOMAIN = "simulator.amazonses.com"
PAGE_MAX = 1000

log = logging.getLogger("tidal.ses")


def kind_of(identity: str) -> str:
    return EMAIL if "@" in identity else DOMAIN


def check_email(address: str) -> None:
    if addresses.problem(address) is not None or addresses.split(address)[0]:
        raise invalid(f"Invalid email address {address}.")


def check_domain(domain: str) -> None:
    if addresses.problem(f"postmaster@{domain}") is not None or "." not in domain.strip("."):
        raise invalid(f"Invalid domain name {domain}.")


def create(txn: Any, account: str, region: str, identity: str, **extra: Any) -> dict[str, Any]:
    """The identity's record, made (verified) if it did not exist."""
    key = _key(account, region, identity)
    found = txn.get_doc(NS, key)
    if found is not None:
        return found
    kind = kind_of(identity)
    record = {
        "name": identity,
        "type": kind,
        "status": SUCCESS,
        "token": _token() if kind == DOMAIN else None,
        "dkim": [_dkim_token() for _ in range(3)] if kind == DOMAIN else [],
        "created": clock.now(),
        "tags": [],
        **extra,
    }
    txn.put_doc(NS, key, record)
    return record


def dkim_tokens(record: dict[str, Any]) -> list[str]:
    return record.get("dkim") or []


def get(txn: Any, account: str, region: str, identity: str) -> dict[str, Any] | None:
    return txn.get_doc(NS, _key(account, region, identity))


def delete(txn: Any, account: str, region: str, identity: str) -> bool:
    return txn.delete_doc(NS, _key(account, region, identity))


def page(
    txn: Any, account: str, region: str, kind: str | None, token: str | None, limit: int | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to `limit` identities (of `kind`) after the position `token` names, and the token
    of the next page (None on the last)."""
    prefix = f"{account}/{region}/"
    after = prefix + _untoken(token) if token else None
    size = min(limit or PAGE_MAX, PAGE_MAX)
    found: list[dict[str, Any]] = []
    for _, record in txn.list_docs(NS, prefix, after=after):
        if kind is not None and record["type"] != kind:
            continue
        if len(found) == size:
            return found, _tokenize(_key(account, region, found[-1]["name"])[len(prefix) :])
        found.append(record)
    return found, None


def is_verified(txn: Any, account: str, region: str, address: str) -> bool:
    """Whether `address` or its domain is a verified identity (or a simulator address)."""
    spec = addresses.addr_spec(address)
    domain = addresses.domain_of(spec)
    if domain == SIMULATOR_DOMAIN:
        return True
    for identity in (spec, domain):
        record = get(txn, account, region, identity)
        if record is not None and record["status"] == SUCCESS:
            return True
    return False


def unverified(txn: Any, account: str, region: str, candidates: list[str]) -> list[str]:
    """The candidates (as given, each once) that are not verified."""
    failed: list[str] = []
    for address in candidates:
        if address not in failed and not is_verified(txn, account, region, address):
            failed.append(address)
    return failed


def verify_on_first_use(txn: Any, account: str, region: str, source: str) -> None:
    """Verify the sender's address unless it (or its domain) already is."""
    if is_verified(txn, account, region, source):
        return
    spec = addresses.addr_spec(source)
    create(txn, account, region, spec, auto=True)
    log.info(
        "SES: verified %s in %s on first use (start Tidal with --ses-strict to require "
        "VerifyEmailIdentity first, as the SES sandbox does)",
        spec,
        region,
    )


def _key(account: str, region: str, identity: str) -> str:
    return f"{account}/{region}/{identity.lower()}"


def _token() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _dkim_token() -> str:
    return base64.b32encode(os.urandom(20)).decode().lower()


def _tokenize(position: str) -> str:
    return base64.urlsafe_b64encode(position.encode()).decode()


def _untoken(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise invalid("Invalid NextToken.") from None
