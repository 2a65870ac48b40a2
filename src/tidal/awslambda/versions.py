"""Published versions: snapshots of $LATEST numbered 1, 2, … that never change."""

from __future__ import annotations

import copy
from typing import Any

from tidal.awslambda import aliases, records, states
from tidal.awslambda.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    revision_mismatch,
)
from tidal.awslambda.names import LATEST, FunctionRef, is_version, parse_function
from tidal.core.ids import new_uuid


def publish(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """PublishVersion: a new version of $LATEST, or the last one if nothing changed since."""
    ref = parse_function(params["FunctionName"], None, account, region)
    document = records.require_function(txn, ref)
    latest = document["Latest"]
    if params.get("RevisionId") and params["RevisionId"] != latest["RevisionId"]:
        raise revision_mismatch()
    given = params.get("CodeSha256")
    if given and given != latest["CodeSha256"]:
        raise InvalidParameterValueException(
            f"CodeSHA256 ({given}) is different from current CodeSHA256 in $LATEST "
            f"({latest['CodeSha256']}). Please try again with the CodeSHA256 in $LATEST."
        )
    states.require_settled(latest, ref.arn)
    unchanged = _unchanged(txn, ref, document)
    if unchanged is not None:
        return records.render(unchanged, records.version_arn(ref, unchanged["Version"]))
    record = publish_latest(txn, ref, document, params.get("Description"))
    records.save_function(txn, account, region, document)
    return records.render(record, records.version_arn(ref, record["Version"]))


def _unchanged(txn: Any, ref: FunctionRef, document: dict[str, Any]) -> dict[str, Any] | None:
    """The last published version, if $LATEST has not changed since it was published."""
    if document["PublishedChange"] != document["Latest"]["_change"]:
        return None
    return records.load_version(txn, ref, document, str(document["LastVersion"]))


def publish_latest(
    txn: Any, ref: FunctionRef, document: dict[str, Any], description: str | None
) -> dict[str, Any]:
    """Save the next version, made of $LATEST as it is, and note it in `document` (which the
    caller saves). $LATEST gets a new RevisionId, as on AWS. A version published while
    $LATEST is still being created or updated is Pending until it settles."""
    latest = document["Latest"]
    number = document["LastVersion"] + 1
    record = copy.deepcopy(latest)
    record["Version"] = str(number)
    record["RevisionId"] = new_uuid()
    if description is not None:
        record["Description"] = description
    if record["SnapStart"]["ApplyOn"] == "PublishedVersions":
        record["SnapStart"]["OptimizationStatus"] = "On"
    if states.is_settled(latest):
        states.settle(record)
    else:
        states.creating(record)
    records.save_version(txn, ref, record)
    document["LastVersion"] = number
    document["PublishedChange"] = latest["_change"]
    latest["RevisionId"] = new_uuid()
    return record


def list_versions(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """ListVersionsByFunction: $LATEST, then the published versions in order."""
    ref = parse_function(params["FunctionName"], None, account, region)
    document = records.require_function(txn, ref)
    items = [records.listed(document["Latest"], records.version_arn(ref, LATEST))]
    items += [
        records.listed(record, records.version_arn(ref, record["Version"]))
        for record in records.published(txn, ref)
    ]
    return records.listing("Versions", items, params, "FunctionArn")


def delete(txn: Any, ref: FunctionRef) -> None:
    """Delete the published version `ref` names, unless an alias points at it."""
    version = ref.qualifier or ""
    if not is_version(version):
        return
    users = [
        alias["Name"]
        for alias in aliases.of_function(txn, ref)
        if version == alias["FunctionVersion"]
        or version in alias.get("RoutingConfig", {}).get("AdditionalVersionWeights", {})
    ]
    if users:
        raise ResourceConflictException(
            "Unable to delete version because the following aliases reference it: "
            f"[{', '.join(users)}]"
        )
    account, region, name = ref.account, ref.region, ref.name
    txn.delete_doc(records.VERSIONS, records.version_key(account, region, name, version))
    for namespace in (records.POLICIES, records.EVENT_INVOKE):
        txn.delete_doc(namespace, records.child_key(account, region, name, version))
