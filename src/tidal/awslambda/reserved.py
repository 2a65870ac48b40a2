"""Reserved concurrency (Put/Get/DeleteFunctionConcurrency) and GetAccountSettings.

The account's concurrency limit is `Config.lambda_concurrency` (1000 by default, AWS's
default quota). AWS keeps 100 executions unreserved, so functions can reserve at most the
limit minus 100; with a smaller configured limit Tidal keeps a tenth of it unreserved
(never more than 100), so an account limited to 50 may reserve 45.
"""

from __future__ import annotations

from typing import Any

from tidal.awslambda import records
from tidal.awslambda.code import MAX_UNZIPPED, MAX_ZIPPED
from tidal.awslambda.errors import InvalidParameterValueException, function_not_found
from tidal.awslambda.layers import LAYER_VERSIONS
from tidal.awslambda.names import LATEST, parse_function, qualified_arn

TOTAL_CODE_SIZE = 80_530_636_800
"""Bytes of code an account may store (75 GB)."""


def minimum_unreserved(limit: int) -> int:
    return min(100, limit // 10)


def reserved_total(txn: Any, account: str, region: str, other_than: str = "") -> int:
    """The reserved concurrency of the account's functions in `region` (but `other_than`)."""
    return sum(
        document.get("ReservedConcurrentExecutions") or 0
        for key, document in txn.list_docs(records.FUNCTIONS, f"{account}:{region}:")
        if key != other_than
    )


def put(txn: Any, account: str, region: str, params: dict[str, Any], limit: int) -> dict[str, Any]:
    """PutFunctionConcurrency: reserve executions for the function (all its versions)."""
    ref = parse_function(params["FunctionName"], None, account, region)
    if ref.qualifier is not None:
        raise InvalidParameterValueException(
            "This operation is permitted on Lambda functions only. Aliases and versions do not "
            "support this operation. Please specify either a function name or an unqualified "
            "function ARN."
        )
    document = records.require_function(txn, ref, qualified_arn(ref.arn, LATEST))
    reserved = params["ReservedConcurrentExecutions"]
    key = records.function_key(account, region, ref.name)
    floor = minimum_unreserved(limit)
    if limit - reserved_total(txn, account, region, other_than=key) - reserved < floor:
        raise InvalidParameterValueException(
            "Specified ReservedConcurrentExecutions for function decreases account's "
            f"UnreservedConcurrentExecution below its minimum value of [{floor}]."
        )
    document["ReservedConcurrentExecutions"] = reserved
    records.save_function(txn, account, region, document)
    return {"ReservedConcurrentExecutions": reserved}


def get(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """GetFunctionConcurrency: empty when nothing is reserved."""
    ref = parse_function(params["FunctionName"], None, account, region)
    document = records.require_function(txn, ref)
    reserved = document.get("ReservedConcurrentExecutions")
    return {} if reserved is None else {"ReservedConcurrentExecutions": reserved}


def delete(txn: Any, account: str, region: str, params: dict[str, Any]) -> None:
    """DeleteFunctionConcurrency."""
    ref = parse_function(params["FunctionName"], None, account, region)
    document = records.load_function(txn, ref)
    if document is None:
        raise function_not_found(ref.arn)
    document["ReservedConcurrentExecutions"] = None
    records.save_function(txn, account, region, document)


def account_settings(txn: Any, account: str, region: str, limit: int) -> dict[str, Any]:
    """GetAccountSettings: the limits, and what the account's functions and layers use."""
    functions = txn.list_docs(records.FUNCTIONS, f"{account}:{region}:")
    code_size = sum(document["Latest"]["CodeSize"] for _, document in functions)
    code_size += sum(
        record["CodeSize"] for _, record in txn.list_docs(records.VERSIONS, f"{account}:{region}:")
    )
    code_size += sum(
        record["CodeSize"] for _, record in txn.list_docs(LAYER_VERSIONS, f"{account}:{region}:")
    )
    return {
        "AccountLimit": {
            "TotalCodeSize": TOTAL_CODE_SIZE,
            "CodeSizeUnzipped": MAX_UNZIPPED,
            "CodeSizeZipped": MAX_ZIPPED,
            "ConcurrentExecutions": limit,
            "UnreservedConcurrentExecutions": limit - reserved_total(txn, account, region),
        },
        "AccountUsage": {"TotalCodeSize": code_size, "FunctionCount": len(functions)},
    }
