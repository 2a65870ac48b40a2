"""Configuration sets: named, so that a send naming one that does not exist fails as on SES."""

from __future__ import annotations

import re
from typing import Any

from tidal.core import clock
from tidal.ses import pages
from tidal.ses.errors import (
    ConfigurationSetAlreadyExists,
    InvalidConfigurationSet,
    config_set_not_found,
)

NS = "ses.configsets"
PAGE_MAX = 1000
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _check_name(name: str) -> None:
    if len(name) > 64:
        raise InvalidConfigurationSet("Configuration set name cannot exceed 64 characters.")
    if not _NAME.fullmatch(name):
        raise InvalidConfigurationSet(
            f"Invalid configuration set name <{name}>: only alphanumeric ASCII characters, "
            "'_', and '-' are allowed."
        )


def create(txn: Any, account: str, region: str, name: str) -> None:
    _check_name(name)
    key = _key(account, region, name)
    if txn.get_doc(NS, key) is not None:
        raise ConfigurationSetAlreadyExists(f"Configuration set <{name}> already exists.")
    txn.put_doc(NS, key, {"name": name, "created": clock.now()})


def require(txn: Any, account: str, region: str, name: str) -> dict[str, Any]:
    found = txn.get_doc(NS, _key(account, region, name))
    if found is None:
        raise config_set_not_found(name)
    return found


def delete(txn: Any, account: str, region: str, name: str) -> None:
    if not txn.delete_doc(NS, _key(account, region, name)):
        raise config_set_not_found(name)


def page(
    txn: Any, account: str, region: str, after: str | None, limit: int | None
) -> tuple[list[str], str | None]:
    """Up to `limit` names by name after the name `after`, and the next page's start."""
    records, next_after = pages.by_name(txn, NS, account, region, after, limit, PAGE_MAX)
    return [record["name"] for record in records], next_after


def _key(account: str, region: str, name: str) -> str:
    return f"{account}/{region}/{name}"
