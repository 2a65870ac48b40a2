"""Aliases: names that point at a version, optionally sharing traffic with one more.

Documents `lambda/aliases` `<acct>:<region>:<function>:<alias>` → `{"Name", "FunctionVersion",
"Description", "RevisionId", "RoutingConfig"?: {"AdditionalVersionWeights": {"2": 0.2}}}`.
"""

from __future__ import annotations

from typing import Any

from tidal.awslambda import records
from tidal.awslambda.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    alias_not_found,
    function_not_found,
    revision_mismatch,
)
from tidal.awslambda.names import LATEST, FunctionRef, parse_function, qualified_arn
from tidal.core.errors import ValidationException
from tidal.core.ids import new_uuid

MAX_ALIAS_PAGE = 10_000


def load(txn: Any, ref: FunctionRef, name: str) -> dict[str, Any] | None:
    return txn.get_doc(records.ALIASES, records.child_key(ref.account, ref.region, ref.name, name))


def save(txn: Any, ref: FunctionRef, alias: dict[str, Any]) -> None:
    key = records.child_key(ref.account, ref.region, ref.name, alias["Name"])
    txn.put_doc(records.ALIASES, key, alias)


def of_function(txn: Any, ref: FunctionRef) -> list[dict[str, Any]]:
    prefix = records.children(ref.account, ref.region, ref.name)
    return [alias for _, alias in txn.list_docs(records.ALIASES, prefix)]


def render(ref: FunctionRef, alias: dict[str, Any]) -> dict[str, Any]:
    return {"AliasArn": qualified_arn(ref.arn, alias["Name"]), **alias}


def _function(
    txn: Any, account: str, region: str, function_name: str
) -> tuple[FunctionRef, dict[str, Any]]:
    ref = parse_function(function_name, None, account, region)
    return ref, records.require_function(txn, ref)


def _require_version(txn: Any, ref: FunctionRef, document: dict[str, Any], version: str) -> None:
    if records.load_version(txn, ref, document, version) is None:
        raise function_not_found(qualified_arn(ref.arn, version))


def _routing(
    txn: Any, ref: FunctionRef, document: dict[str, Any], version: str, routing: dict[str, Any]
) -> dict[str, Any] | None:
    """The RoutingConfig to keep, checked as AWS checks it; None when it shares nothing."""
    weights = (routing or {}).get("AdditionalVersionWeights") or {}
    if not weights:
        return None
    if len(weights) > 1:
        raise InvalidParameterValueException(
            "Number of items in AdditionalVersionWeights cannot be greater than 1"
        )
    extra, weight = next(iter(weights.items()))
    if not extra.isdigit():
        raise ValidationException(
            f"1 validation error detected: Value '{{{extra}={float(weight)}}}' at "
            "'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys "
            "must satisfy constraint: [Member must have length less than or equal to 1024, "
            "Member must have length greater than or equal to 1, Member must satisfy regular "
            "expression pattern: [0-9]+, Member must not be null]"
        )
    if extra == version:
        raise InvalidParameterValueException(
            f"Invalid function version {version}. Function version {version} is already "
            "included in routing configuration."
        )
    if version == LATEST:
        raise InvalidParameterValueException(
            "$LATEST is not supported for an alias pointing to more than 1 version"
        )
    _require_version(txn, ref, document, extra)
    return {"AdditionalVersionWeights": {extra: weight}}


def create(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """CreateAlias."""
    ref = parse_function(params["FunctionName"], None, account, region)
    version = params["FunctionVersion"]
    document = records.require_function(txn, ref, qualified_arn(ref.arn, version))
    _require_version(txn, ref, document, version)
    name = params["Name"]
    if load(txn, ref, name) is not None:
        raise ResourceConflictException(f"Alias already exists: {qualified_arn(ref.arn, name)}")
    alias: dict[str, Any] = {
        "Name": name,
        "FunctionVersion": version,
        "Description": params.get("Description", ""),
        "RevisionId": new_uuid(),
    }
    routing = _routing(txn, ref, document, version, params.get("RoutingConfig"))
    if routing is not None:
        alias["RoutingConfig"] = routing
    save(txn, ref, alias)
    return render(ref, alias)


def _require(
    txn: Any, account: str, region: str, params: dict[str, Any]
) -> tuple[FunctionRef, dict[str, Any], dict[str, Any]]:
    ref, document = _function(txn, account, region, params["FunctionName"])
    alias = load(txn, ref, params["Name"])
    if alias is None:
        raise alias_not_found(qualified_arn(ref.arn, params["Name"]))
    return ref, document, alias


def get(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """GetAlias."""
    ref, _, alias = _require(txn, account, region, params)
    return render(ref, alias)


def update(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateAlias: what is given changes; the RevisionId changes even if nothing else does."""
    ref, document, alias = _require(txn, account, region, params)
    if params.get("RevisionId") and params["RevisionId"] != alias["RevisionId"]:
        raise revision_mismatch()
    version = params.get("FunctionVersion", alias["FunctionVersion"])
    if "FunctionVersion" in params:
        _require_version(txn, ref, document, version)
    alias["FunctionVersion"] = version
    if "Description" in params:
        alias["Description"] = params["Description"]
    routing = alias.get("RoutingConfig")
    if "RoutingConfig" in params:
        routing = params["RoutingConfig"]
    checked = _routing(txn, ref, document, version, routing) if routing else None
    alias.pop("RoutingConfig", None)
    if checked is not None:
        alias["RoutingConfig"] = checked
    alias["RevisionId"] = new_uuid()
    save(txn, ref, alias)
    return render(ref, alias)


def delete(txn: Any, account: str, region: str, params: dict[str, Any]) -> None:
    """DeleteAlias, with the alias's resource policy and event invoke settings."""
    ref, _, alias = _require(txn, account, region, params)
    for namespace in (records.ALIASES, records.POLICIES, records.EVENT_INVOKE):
        txn.delete_doc(
            namespace, records.child_key(ref.account, ref.region, ref.name, alias["Name"])
        )


def list_aliases(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """ListAliases, optionally only those that point at `FunctionVersion`."""
    ref, _ = _function(txn, account, region, params["FunctionName"])
    wanted = params.get("FunctionVersion")
    items = [
        render(ref, alias)
        for alias in of_function(txn, ref)
        if wanted is None or alias["FunctionVersion"] == wanted
    ]
    return records.listing("Aliases", items, params, "AliasArn", MAX_ALIAS_PAGE)
