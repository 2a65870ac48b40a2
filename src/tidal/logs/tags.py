"""Tags of log groups, by name (TagLogGroup & co., deprecated) or by ARN (TagResource & co.)."""

from __future__ import annotations

from typing import Any

from tidal.core import arns
from tidal.logs import errors, groups


def tag(txn: Any, account: str, region: str, name: str, tags: dict[str, str]) -> None:
    group = groups.require(txn, account, region, name)
    group["tags"].update(tags)
    groups.save(txn, account, region, group)


def untag(txn: Any, account: str, region: str, name: str, keys: list[str]) -> None:
    group = groups.require(txn, account, region, name)
    for key in keys:
        group["tags"].pop(key, None)
    groups.save(txn, account, region, group)


def list_tags(txn: Any, account: str, region: str, name: str) -> dict[str, str]:
    return dict(groups.require(txn, account, region, name)["tags"])


def group_of_arn(account: str, region: str, resource_arn: str) -> str:
    """The name of the log group `resource_arn` names (with or without a trailing `:*`)."""
    parsed = arns.parse_arn(resource_arn)
    if parsed is None or parsed[0] != "logs":
        raise errors.invalid(f"Invalid resource arn: {resource_arn}")
    _, arn_region, arn_account, resource = parsed
    kind, _, name = resource.partition(":")
    if name.endswith(":*"):
        name = name[:-2]
    if kind != "log-group" or not name:
        raise errors.ResourceNotFoundException("The specified resource does not exist.")
    if (arn_account, arn_region) != (account, region):
        raise errors.group_not_found()
    return name
