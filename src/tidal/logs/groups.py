"""Log groups: one document each, keyed by account, region and name so they list in name order.

A group owns a row keyspace that holds the events of all its streams (see events.py), and
counts what its streams need from it: the next event sequence number (events sort by
timestamp, then by this number, which is their ingestion order) and the next stream id.
Deleting a group drops its keyspace at once; the store reclaims the rows later.
"""

from __future__ import annotations

from typing import Any

from tidal.core import arns, clock
from tidal.logs import errors, pages

NAMESPACE = "logs.groups"
MAX_NAME = 512
DESCRIBE_LIMIT = 50


def key_of(account: str, region: str, name: str) -> str:
    return f"{account}/{region}/{name}"


def now_ms() -> int:
    return int(clock.now() * 1000)


def arn_of(account: str, region: str, name: str) -> str:
    """The ARN without the trailing `:*` (DescribeLogGroups' `logGroupArn`)."""
    return arns.arn("logs", region, account, f"log-group:{name}")


def check_name(name: str) -> None:
    if len(name) > MAX_NAME:
        raise errors.name_too_long()


def load(txn: Any, account: str, region: str, name: str) -> dict[str, Any] | None:
    return txn.get_doc(NAMESPACE, key_of(account, region, name))


def require(txn: Any, account: str, region: str, name: str) -> dict[str, Any]:
    check_name(name)
    group = load(txn, account, region, name)
    if group is None:
        raise errors.group_not_found()
    return group


def save(txn: Any, account: str, region: str, group: dict[str, Any]) -> None:
    txn.put_doc(NAMESPACE, key_of(account, region, group["name"]), group)


def name_from(account: str, region: str, params: dict[str, Any]) -> str:
    """The group a request names by `logGroupName` or by `logGroupIdentifier` (name or ARN)."""
    name = params.get("logGroupName")
    identifier = params.get("logGroupIdentifier")
    if name is not None and identifier is not None:
        raise errors.ValidationException(
            "LogGroup name and LogGroup ARN are mutually exclusive parameters."
        )
    if identifier is not None:
        return _name_of_identifier(account, region, identifier)
    if name is None:
        raise errors.invalid("Either logGroupName or logGroupIdentifier must be specified.")
    return name


def _name_of_identifier(account: str, region: str, identifier: str) -> str:
    parsed = arns.parse_arn(identifier)
    if parsed is None:
        return identifier
    service, arn_region, arn_account, resource = parsed
    kind, _, name = resource.partition(":")
    if name.endswith(":*"):
        name = name[:-2]
    if service != "logs" or kind != "log-group" or not name:
        raise errors.invalid(f"Invalid log group identifier: {identifier}")
    if (arn_account, arn_region) != (account, region):
        raise errors.group_not_found()
    return name


def create(
    txn: Any,
    account: str,
    region: str,
    name: str,
    *,
    tags: dict[str, str] | None = None,
    kms_key_id: str | None = None,
    log_class: str | None = None,
    deletion_protection: bool = False,
) -> dict[str, Any]:
    check_name(name)
    if load(txn, account, region, name) is not None:
        raise errors.group_exists()
    group: dict[str, Any] = {
        "name": name,
        "created": now_ms(),
        "space": txn.new_space(),
        "class": log_class or "STANDARD",
        "deletionProtection": deletion_protection,
        "tags": dict(tags or {}),
        "retention": None,
        "bytes": 0,
        "nextSeq": 1,
        "nextStream": 1,
        "dead": [],
    }
    if kms_key_id:
        group["kmsKeyId"] = kms_key_id
    save(txn, account, region, group)
    return group


def delete(txn: Any, account: str, region: str, group: dict[str, Any]) -> None:
    """The group's document and its events (its streams' documents go with
    `streams.delete_all`)."""
    txn.drop_space(group["space"])
    txn.delete_doc(NAMESPACE, key_of(account, region, group["name"]))


def set_retention(txn: Any, account: str, region: str, name: str, days: int | None) -> None:
    group = require(txn, account, region, name)
    group["retention"] = days
    save(txn, account, region, group)


def describe(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    prefix = params.get("logGroupNamePrefix")
    pattern = params.get("logGroupNamePattern")
    if prefix is not None and pattern is not None:
        raise errors.invalid(
            "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
        )
    limit = params.get("limit", DESCRIBE_LIMIT)
    after = pages.decode_name(params.get("nextToken"), "g")
    wanted = _identified(account, region, params.get("logGroupIdentifiers"))
    log_class = params.get("logGroupClass")
    scope = key_of(account, region, "")
    found: list[dict[str, Any]] = []
    cursor = None if after is None else scope + after
    while len(found) <= limit:
        batch = txn.list_docs(NAMESPACE, scope + (prefix or ""), cursor, 200)
        for _, group in batch:
            if _selected(group, pattern, wanted, log_class):
                found.append(group)
        if len(batch) < 200:
            break
        cursor = batch[-1][0]
    brief = pattern is not None
    result: dict[str, Any] = {
        "logGroups": [view(account, region, group, brief) for group in found[:limit]]
    }
    if len(found) > limit:
        result["nextToken"] = pages.encode("g", found[limit - 1]["name"])
    return result


def list_summaries(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """ListLogGroups: names matching any `|`-separated alternative of the pattern, a `^`
    alternative as a prefix and any other as a substring (case sensitive)."""
    alternatives = [part for part in (params.get("logGroupNamePattern") or "").split("|") if part]
    log_class = params.get("logGroupClass")
    limit = params.get("limit", DESCRIBE_LIMIT)
    after = pages.decode_name(params.get("nextToken"), "l")
    scope = key_of(account, region, "")
    found = [
        group
        for _, group in txn.list_docs(NAMESPACE, scope, None if after is None else scope + after)
        if _named(group["name"], alternatives) and _selected(group, None, None, log_class)
    ]
    result: dict[str, Any] = {
        "logGroups": [
            {
                "logGroupName": group["name"],
                "logGroupArn": arn_of(account, region, group["name"]),
                "logGroupClass": group["class"],
            }
            for group in found[:limit]
        ]
    }
    if len(found) > limit:
        result["nextToken"] = pages.encode("l", found[limit - 1]["name"])
    return result


def _named(name: str, alternatives: list[str]) -> bool:
    if not alternatives:
        return True
    return any(
        name.startswith(part[1:]) if part.startswith("^") else part in name for part in alternatives
    )


def _identified(account: str, region: str, identifiers: list[str] | None) -> set[str] | None:
    if identifiers is None:
        return None
    return {_name_of_identifier(account, region, identifier) for identifier in identifiers}


def _selected(
    group: dict[str, Any], pattern: str | None, wanted: set[str] | None, log_class: str | None
) -> bool:
    if pattern and pattern not in group["name"]:
        return False
    if wanted is not None and group["name"] not in wanted:
        return False
    return (
        log_class is None
        or group["class"] == log_class
        or (log_class in _INFREQUENT and group["class"] in _INFREQUENT)
    )


_INFREQUENT = frozenset(("INFREQUENT_ACCESS", "ESSENTIALS"))


def view(account: str, region: str, group: dict[str, Any], brief: bool = False) -> dict[str, Any]:
    """A group as DescribeLogGroups shows it; `brief` when the request gave a name pattern,
    for which AWS leaves out the storage fields."""
    arn = arn_of(account, region, group["name"])
    shown: dict[str, Any] = {"logGroupName": group["name"], "creationTime": group["created"]}
    if group["retention"] is not None:
        shown["retentionInDays"] = group["retention"]
    shown["metricFilterCount"] = 0
    shown["arn"] = arn + ":*"
    if not brief:
        shown["storedBytes"] = group["bytes"]
    if "kmsKeyId" in group:
        shown["kmsKeyId"] = group["kmsKeyId"]
    shown["logGroupClass"] = group["class"]
    shown["logGroupArn"] = arn
    if not brief:
        shown["deletionProtectionEnabled"] = group["deletionProtection"]
    return shown
