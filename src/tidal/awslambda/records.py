"""How functions are kept in the store, and how a kept configuration is shown.

Documents (keys start with `<account>:<region>:<function name>` so accounts and regions
stay apart and one function's children list together):

- `lambda/functions` `<acct>:<region>:<name>`: `{"Latest": <record>, "LastVersion": n,
  "PublishedChange": <change id of $LATEST when last published> | None,
  "Tags": {…}, "ReservedConcurrentExecutions": n | None}`
- `lambda/versions` `…:<name>:<version, 10 digits>`: the record of a published version.
- `lambda/aliases`, `lambda/policies`, `lambda/event-invoke`: `…:<name>:<qualifier>`.

A *record* is a FunctionConfiguration as GetFunctionConfiguration shows it, without
FunctionArn (which depends on how the caller named the function), with Layers as
`[{"Arn", "CodeSize"}]`, plus private keys that start with `_`: `_code` (the package, see
code.Package.record) and `_change` (an id that changes with every code or configuration
update, so PublishVersion can tell whether $LATEST changed since the last version).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tidal.awslambda.errors import InvalidParameterValueException, function_not_found
from tidal.awslambda.names import LATEST, FunctionRef, is_version, qualified_arn

FUNCTIONS = "lambda/functions"
VERSIONS = "lambda/versions"
ALIASES = "lambda/aliases"
POLICIES = "lambda/policies"
EVENT_INVOKE = "lambda/event-invoke"

MAX_PAGE = 50
"""The most items AWS returns in one page of its List operations."""

LISTED_WITHOUT = (
    "State",
    "StateReason",
    "StateReasonCode",
    "LastUpdateStatus",
    "LastUpdateStatusReason",
    "LastUpdateStatusReasonCode",
    "RuntimeVersionConfig",
)
"""What ListFunctions and ListVersionsByFunction leave out of each configuration."""


def function_key(account: str, region: str, name: str) -> str:
    return f"{account}:{region}:{name}"


def children(account: str, region: str, name: str) -> str:
    """The key prefix of a function's versions, aliases, policies …"""
    return f"{function_key(account, region, name)}:"


def child_key(account: str, region: str, name: str, part: str) -> str:
    return f"{children(account, region, name)}{part}"


def version_key(account: str, region: str, name: str, version: int | str) -> str:
    return child_key(account, region, name, f"{int(version):010d}")


def load_function(txn: Any, ref: FunctionRef) -> dict[str, Any] | None:
    return txn.get_doc(FUNCTIONS, function_key(ref.account, ref.region, ref.name))


def require_function(txn: Any, ref: FunctionRef, shown: str | None = None) -> dict[str, Any]:
    """The function's document; ResourceNotFoundException naming `shown` (default: the
    unqualified ARN) if there is none."""
    document = load_function(txn, ref)
    if document is None:
        raise function_not_found(shown or ref.arn)
    return document


def save_function(txn: Any, account: str, region: str, document: dict[str, Any]) -> None:
    name = document["Latest"]["FunctionName"]
    txn.put_doc(FUNCTIONS, function_key(account, region, name), document)


def load_version(
    txn: Any, ref: FunctionRef, document: dict[str, Any], version: str
) -> dict[str, Any] | None:
    """The record of `$LATEST` or of a published version (None for anything else)."""
    if version == LATEST:
        return document["Latest"]
    if not is_version(version) or str(int(version)) != version:
        return None
    return txn.get_doc(VERSIONS, version_key(ref.account, ref.region, ref.name, version))


def save_version(txn: Any, ref: FunctionRef, record: dict[str, Any]) -> None:
    txn.put_doc(VERSIONS, version_key(ref.account, ref.region, ref.name, record["Version"]), record)


def published(txn: Any, ref: FunctionRef) -> list[dict[str, Any]]:
    """The function's published versions, oldest first."""
    return [
        record for _, record in txn.list_docs(VERSIONS, children(ref.account, ref.region, ref.name))
    ]


def render(record: dict[str, Any], function_arn: str) -> dict[str, Any]:
    """The FunctionConfiguration of a record, with the ARN the response should show."""
    shown = _public(record)
    if "Layers" in shown:
        shown["Layers"] = [_public(layer) for layer in shown["Layers"]]
    shown["FunctionArn"] = function_arn
    return shown


def _public(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if not key.startswith("_")}


def listed(record: dict[str, Any], function_arn: str) -> dict[str, Any]:
    shown = render(record, function_arn)
    for key in LISTED_WITHOUT:
        shown.pop(key, None)
    return shown


def version_arn(ref: FunctionRef, version: str) -> str:
    return qualified_arn(ref.arn, version)


def timestamp(epoch: float) -> str:
    """`2026-11-26T17:40:30.123+0000`, the format of LastModified and CreatedDate."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def listing(
    member: str,
    items: list[dict[str, Any]],
    params: dict[str, Any],
    key: str,
    limit: int = MAX_PAGE,
) -> dict[str, Any]:
    """A List operation's result: under `member`, the page of `items` after the item whose
    `key` is the `Marker` (at most `limit`, as AWS caps its pages), and the `NextMarker` of the
    next page when there is one."""
    marker = params.get("Marker")
    if marker:
        keys = [item[key] for item in items]
        if marker not in keys:
            raise InvalidParameterValueException(f"Invalid marker: {marker}")
        items = items[keys.index(marker) + 1 :]
    size = min(params.get("MaxItems") or limit, limit)
    page = items[:size]
    result: dict[str, Any] = {member: page}
    if len(items) > size:
        result["NextMarker"] = page[-1][key]
    return result
