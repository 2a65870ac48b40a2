"""UpdateFunctionCode and UpdateFunctionConfiguration: changes to $LATEST.

An update leaves the function Active with LastUpdateStatus InProgress until it settles
(states.py); a second update before that is refused, as on AWS.
"""

from __future__ import annotations

import copy
from typing import Any

from tidal.awslambda import configuration, records, states, versions
from tidal.awslambda.code import Package
from tidal.awslambda.errors import InvalidParameterValueException, revision_mismatch
from tidal.awslambda.names import FunctionRef, parse_function
from tidal.core.runtime import Runtime


def _latest(txn: Any, ref: FunctionRef, revision_id: str | None) -> dict[str, Any]:
    """The function's document, ready for an update of $LATEST."""
    document = records.require_function(txn, ref)
    latest = document["Latest"]
    if revision_id and revision_id != latest["RevisionId"]:
        raise revision_mismatch()
    states.require_settled(latest, ref.arn)
    return document


def check_code(params: dict[str, Any]) -> None:
    """What UpdateFunctionCode refuses before it unpacks any code."""
    if params.get("ImageUri"):
        raise InvalidParameterValueException(
            "Please don't provide ImageUri when updating a function with packageType Zip."
        )
    configuration.check_architectures(params.get("Architectures"))


def update_code(
    runtime: Runtime,
    txn: Any,
    account: str,
    region: str,
    params: dict[str, Any],
    package: Package,
) -> dict[str, Any]:
    """UpdateFunctionCode with an unpacked `package`; `DryRun` changes nothing, `Publish`
    also publishes a version of the new code (and the response shows that version)."""
    ref = parse_function(params["FunctionName"], None, account, region)
    document = _latest(txn, ref, params.get("RevisionId"))
    latest = document["Latest"]
    if params.get("DryRun"):
        return records.render(latest, ref.arn)
    updated = copy.deepcopy(latest)
    configuration.set_code(updated, package)
    if params.get("Architectures"):
        updated["Architectures"] = list(params["Architectures"])
    configuration.touch(updated)
    states.updating(updated)
    document["Latest"] = updated
    shown = records.render(updated, ref.arn)
    if params.get("Publish"):
        version = versions.publish_latest(txn, ref, document, None)
        shown = records.render(version, records.version_arn(ref, version["Version"]))
    records.save_function(txn, account, region, document)
    states.schedule(runtime, txn, account, region, ref.name)
    return shown


def update_configuration(
    runtime: Runtime, txn: Any, account: str, region: str, params: dict[str, Any]
) -> dict[str, Any]:
    """UpdateFunctionConfiguration."""
    ref = parse_function(params["FunctionName"], None, account, region)
    document = _latest(txn, ref, params.get("RevisionId"))
    changes = {key: value for key, value in params.items() if key in configuration.CONFIG_MEMBERS}
    updated = configuration.updated_record(txn, account, region, document["Latest"], changes)
    states.updating(updated)
    document["Latest"] = updated
    records.save_function(txn, account, region, document)
    states.schedule(runtime, txn, account, region, ref.name)
    return records.render(updated, ref.arn)
