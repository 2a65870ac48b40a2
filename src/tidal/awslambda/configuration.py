"""A function's configuration: the checks AWS makes on it, its defaults, and updates to it.

Builds and changes *records* (see records.py) from CreateFunction and
UpdateFunctionConfiguration parameters. The model's constraints (lengths, patterns, enums,
the ranges Tidal tightens in api/functions.py) are checked before a handler runs; what is
checked here is what AWS checks beyond its model.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

from tidal.awslambda import layers
from tidal.awslambda.code import Package
from tidal.awslambda.errors import InvalidParameterValueException
from tidal.awslambda.records import timestamp
from tidal.core import clock
from tidal.core.errors import ValidationException
from tidal.core.ids import new_uuid
from tidal.iam.roles import find_role

DEFAULT_TIMEOUT = 3
DEFAULT_MEMORY = 128
MAX_NAME = 64
MAX_ENVIRONMENT = 4096
"""Bytes the environment variables may take, measured as compact JSON (4 KB)."""
MAX_LAYERS = 5

RESERVED_VARIABLES = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
"""Variables Lambda sets itself and refuses in a function's configuration (Lambda
Developer Guide, "Defined runtime environment variables")."""

_RUNS = re.compile(r"python3\.\d+|nodejs.*|provided.*")
"""The runtime families Tidal runs: the local Python 3 and Node.js, and custom runtimes."""
_SNAPSTART = re.compile(r"python3\.(1[2-9]|[2-9]\d)")

CONFIG_MEMBERS = (
    "Role",
    "Handler",
    "Description",
    "Timeout",
    "MemorySize",
    "Runtime",
    "Environment",
    "TracingConfig",
    "DeadLetterConfig",
    "KMSKeyArn",
    "VpcConfig",
    "Layers",
    "FileSystemConfigs",
    "EphemeralStorage",
    "SnapStart",
    "LoggingConfig",
)
"""UpdateFunctionConfiguration members that change the configuration."""


def check_name(name: str) -> None:
    """CreateFunction takes names up to 64 characters (its model allows 140 for ARNs)."""
    if len(name) > MAX_NAME:
        raise InvalidParameterValueException(
            f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy "
            f"constraint: Member must have length less than or equal to {MAX_NAME}"
        )


def check_package_type(params: dict[str, Any]) -> None:
    if params.get("PackageType") == "Image":
        raise InvalidParameterValueException(
            "Tidal runs .zip file archives only: PackageType Image (container images) "
            "is not supported."
        )


def check_runtime(runtime: str | None, handler: str | None) -> None:
    """A zip package needs a runtime Tidal runs, and a handler unless the runtime is custom."""
    if runtime is None or (handler is None and not runtime.startswith("provided")):
        raise InvalidParameterValueException(
            "Runtime and Handler are mandatory parameters for functions created with "
            "deployment packages."
        )
    if _RUNS.fullmatch(runtime) is None:
        raise InvalidParameterValueException(
            f"The runtime parameter of {runtime} is not supported by Tidal, which runs "
            "python3.x functions with the local Python, nodejs* functions with the local "
            "Node.js and provided* functions with their own bootstrap."
        )


def check_environment(environment: dict[str, Any] | None) -> None:
    variables = (environment or {}).get("Variables") or {}
    reserved = [key for key in variables if key in RESERVED_VARIABLES]
    if reserved:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided contains reserved keys that are currently not supported "
            f"for modification. Reserved keys used in this request: {', '.join(reserved)}"
        )
    measured = json.dumps(variables, separators=(",", ":"), ensure_ascii=False)
    if len(measured.encode()) > MAX_ENVIRONMENT:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided exceeded the 4KB limit. String measured: " + measured
        )


def check_snapstart(snap_start: dict[str, Any] | None, runtime: str) -> None:
    if (snap_start or {}).get("ApplyOn") == "PublishedVersions" and not _SNAPSTART.fullmatch(
        runtime
    ):
        raise InvalidParameterValueException(
            f"{runtime} is not supported for SnapStart enabled functions."
        )


def check_architectures(architectures: list[str] | None) -> None:
    if architectures and len(architectures) > 1:
        raise ValidationException(
            f"1 validation error detected: Value '[{', '.join(architectures)}]' at "
            "'architectures' failed to satisfy constraint: Member must have length less than "
            "or equal to 1"
        )


def check_role(txn: Any, account: str, role: str) -> None:
    """The execution role must be a role of Tidal's IAM in the caller's account."""
    if find_role(txn, account, role) is None:
        raise InvalidParameterValueException(
            "The role defined for the function cannot be assumed by Lambda."
        )


def check_request(params: dict[str, Any]) -> None:
    """What CreateFunction checks before it looks at the code or the store."""
    check_package_type(params)
    check_runtime(params.get("Runtime"), params.get("Handler"))
    check_architectures(params.get("Architectures"))
    check_environment(params.get("Environment"))
    check_snapstart(params.get("SnapStart"), params["Runtime"])
    if len(params.get("Layers") or ()) > MAX_LAYERS:
        raise InvalidParameterValueException("Cannot reference more than 5 layers.")


def new_record(
    txn: Any, account: str, region: str, name: str, params: dict[str, Any], package: Package
) -> dict[str, Any]:
    """The $LATEST record of a function CreateFunction makes (still to be marked Pending)."""
    runtime = params["Runtime"]
    record: dict[str, Any] = {
        "FunctionName": name,
        "Runtime": runtime,
        "Role": params["Role"],
        "Description": params.get("Description", ""),
        "Timeout": params.get("Timeout", DEFAULT_TIMEOUT),
        "MemorySize": params.get("MemorySize", DEFAULT_MEMORY),
        "Version": "$LATEST",
        "PackageType": "Zip",
        "Architectures": list(params.get("Architectures") or ["x86_64"]),
        "EphemeralStorage": {"Size": (params.get("EphemeralStorage") or {}).get("Size", 512)},
        "TracingConfig": {"Mode": (params.get("TracingConfig") or {}).get("Mode", "PassThrough")},
        "SnapStart": {
            "ApplyOn": (params.get("SnapStart") or {}).get("ApplyOn", "None"),
            "OptimizationStatus": "Off",
        },
        "LoggingConfig": logging_config(name, params.get("LoggingConfig"), None),
        "RuntimeVersionConfig": runtime_version_config(region, runtime),
    }
    if params.get("Handler") is not None:
        record["Handler"] = params["Handler"]
    if params.get("Environment") is not None:
        record["Environment"] = {"Variables": dict(params["Environment"].get("Variables") or {})}
    if params.get("Layers"):
        record["Layers"] = layers.referenced(txn, account, region, params["Layers"])
    _copy_optional(record, params)
    set_code(record, package)
    touch(record)
    return record


def _copy_optional(record: dict[str, Any], params: dict[str, Any]) -> None:
    """Settings Tidal keeps and shows but does not act on (no VPC, KMS, EFS or DLQ here)."""
    if params.get("DeadLetterConfig", {}).get("TargetArn"):
        record["DeadLetterConfig"] = {"TargetArn": params["DeadLetterConfig"]["TargetArn"]}
    elif "DeadLetterConfig" in params:
        record.pop("DeadLetterConfig", None)
    if "KMSKeyArn" in params:
        if params["KMSKeyArn"]:
            record["KMSKeyArn"] = params["KMSKeyArn"]
        else:
            record.pop("KMSKeyArn", None)
    if "VpcConfig" in params:
        vpc = params["VpcConfig"] or {}
        record["VpcConfig"] = {
            "SubnetIds": list(vpc.get("SubnetIds") or []),
            "SecurityGroupIds": list(vpc.get("SecurityGroupIds") or []),
            "Ipv6AllowedForDualStack": bool(vpc.get("Ipv6AllowedForDualStack", False)),
            "VpcId": "",
        }
    if "FileSystemConfigs" in params:
        if params["FileSystemConfigs"]:
            record["FileSystemConfigs"] = copy.deepcopy(params["FileSystemConfigs"])
        else:
            record.pop("FileSystemConfigs", None)


def logging_config(
    name: str, given: dict[str, Any] | None, previous: dict[str, Any] | None
) -> dict[str, Any]:
    """LoggingConfig: Text to `/aws/lambda/<name>` by default; JSON brings log levels (INFO)."""
    merged = dict(previous or {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"})
    merged.update(given or {})
    if merged.get("LogFormat") == "JSON":
        merged.setdefault("ApplicationLogLevel", "INFO")
        merged.setdefault("SystemLogLevel", "INFO")
    else:
        merged.pop("ApplicationLogLevel", None)
        merged.pop("SystemLogLevel", None)
    merged.setdefault("LogGroup", f"/aws/lambda/{name}")
    return merged


def runtime_version_config(region: str, runtime: str) -> dict[str, str]:
    """A runtime version ARN that is stable per runtime (AWS's hash is of its runtime image)."""
    version = hashlib.sha256(f"tidal:{runtime}".encode()).hexdigest()
    return {"RuntimeVersionArn": f"arn:aws:lambda:{region}::runtime:{version}"}


def set_code(record: dict[str, Any], package: Package) -> None:
    record["CodeSha256"] = package.sha256
    record["CodeSize"] = package.size
    record["_code"] = package.record()


def touch(record: dict[str, Any]) -> None:
    """Mark a code or configuration change: new LastModified, RevisionId and change id."""
    record["LastModified"] = timestamp(clock.now())
    record["RevisionId"] = new_uuid()
    record["_change"] = new_uuid()


def updated_record(
    txn: Any, account: str, region: str, record: dict[str, Any], params: dict[str, Any]
) -> dict[str, Any]:
    """$LATEST after UpdateFunctionConfiguration (checked, not yet marked InProgress)."""
    runtime = params.get("Runtime", record["Runtime"])
    handler = params.get("Handler", record.get("Handler"))
    check_runtime(runtime, handler)
    check_environment(params.get("Environment"))
    check_snapstart(params.get("SnapStart"), runtime)
    if len(params.get("Layers") or ()) > MAX_LAYERS:
        raise InvalidParameterValueException("Cannot reference more than 5 layers.")
    if "Role" in params:
        check_role(txn, account, params["Role"])
    updated = copy.deepcopy(record)
    for member in ("Role", "Description", "Timeout", "MemorySize"):
        if member in params:
            updated[member] = params[member]
    if "Handler" in params:
        updated["Handler"] = params["Handler"]
    if "Runtime" in params:
        updated["Runtime"] = runtime
        updated["RuntimeVersionConfig"] = runtime_version_config(region, runtime)
    if "Environment" in params:
        variables = (params["Environment"] or {}).get("Variables") or {}
        updated["Environment"] = {"Variables": dict(variables)}
    if "Layers" in params:
        if params["Layers"]:
            updated["Layers"] = layers.referenced(txn, account, region, params["Layers"])
        else:
            updated.pop("Layers", None)
    if "TracingConfig" in params:
        mode = (params["TracingConfig"] or {}).get("Mode") or "PassThrough"
        updated["TracingConfig"] = {"Mode": mode}
    if "EphemeralStorage" in params:
        updated["EphemeralStorage"] = {"Size": params["EphemeralStorage"]["Size"]}
    if "SnapStart" in params:
        apply_on = (params["SnapStart"] or {}).get("ApplyOn", "None")
        updated["SnapStart"] = {"ApplyOn": apply_on, "OptimizationStatus": "Off"}
    if "LoggingConfig" in params:
        updated["LoggingConfig"] = logging_config(
            record["FunctionName"], params["LoggingConfig"], record.get("LoggingConfig")
        )
    _copy_optional(updated, params)
    touch(updated)
    return updated
