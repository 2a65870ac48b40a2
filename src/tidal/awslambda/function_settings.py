"""Settings of a function that Tidal keeps and shows but has nothing to act on: code signing,
runtime updates, recursion detection, provisioned concurrency.

Deployment tools (Terraform's AWS provider among them) read these after every change, so
they answer as AWS does for a function that never set them, and keep what is put.
"""

from __future__ import annotations

from typing import Any

from tidal.awslambda import records
from tidal.awslambda.names import LATEST, FunctionRef, parse_function, qualified_arn


def _document(
    txn: Any, account: str, region: str, params: dict[str, Any]
) -> tuple[FunctionRef, dict[str, Any]]:
    ref = parse_function(params["FunctionName"], params.get("Qualifier"), account, region)
    return ref, records.require_function(txn, ref)


def code_signing(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """GetFunctionCodeSigningConfig: Tidal signs nothing, so no function has a config."""
    _document(txn, account, region, params)
    return {}


def runtime_management(
    txn: Any, account: str, region: str, params: dict[str, Any]
) -> dict[str, Any]:
    """GetRuntimeManagementConfig: runtimes update automatically unless told otherwise."""
    ref, document = _document(txn, account, region, params)
    qualifier = ref.qualifier or LATEST
    kept = document.get("RuntimeManagement", {}).get(qualifier, {"UpdateRuntimeOn": "Auto"})
    return {"FunctionArn": qualified_arn(ref.arn, qualifier), **kept}


def put_runtime_management(
    txn: Any, account: str, region: str, params: dict[str, Any]
) -> dict[str, Any]:
    """PutRuntimeManagementConfig."""
    ref, document = _document(txn, account, region, params)
    qualifier = ref.qualifier or LATEST
    kept = {"UpdateRuntimeOn": params["UpdateRuntimeOn"]}
    if params.get("RuntimeVersionArn"):
        kept["RuntimeVersionArn"] = params["RuntimeVersionArn"]
    document.setdefault("RuntimeManagement", {})[qualifier] = kept
    records.save_function(txn, account, region, document)
    return {"FunctionArn": qualified_arn(ref.arn, qualifier), **kept}


def recursion(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """GetFunctionRecursionConfig: recursive loops are stopped unless allowed."""
    _, document = _document(txn, account, region, params)
    return {"RecursiveLoop": document.get("RecursiveLoop", "Terminate")}


def put_recursion(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """PutFunctionRecursionConfig."""
    _, document = _document(txn, account, region, params)
    document["RecursiveLoop"] = params["RecursiveLoop"]
    records.save_function(txn, account, region, document)
    return {"RecursiveLoop": params["RecursiveLoop"]}


def provisioned_concurrency(
    txn: Any, account: str, region: str, params: dict[str, Any]
) -> dict[str, Any]:
    """ListProvisionedConcurrencyConfigs: Tidal provisions nothing ahead of invocations."""
    _document(txn, account, region, params)
    return {"ProvisionedConcurrencyConfigs": []}
