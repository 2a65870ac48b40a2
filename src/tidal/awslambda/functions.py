"""Functions, their versions and aliases: the control plane's records.

CreateFunction, GetFunction(Configuration), ListFunctions, DeleteFunction, and `resolve`,
the lookup the rest of Lambda (Invoke, event source mappings, destinations) uses to turn a
name, ARN or alias into the version to run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tidal.awslambda import aliases, configuration, event_invoke, records, states, tags, versions
from tidal.awslambda.code import Package, store_of
from tidal.awslambda.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    function_not_found,
)
from tidal.awslambda.names import LATEST, FunctionRef, is_alias, parse_function
from tidal.core.errors import ValidationException
from tidal.core.runtime import Runtime


@dataclass(frozen=True, slots=True)
class FunctionVersion:
    """One invocable version of a function ($LATEST or a published number), as invoke needs it.

    `qualified_arn` is the ARN with the version (`…:function:f:$LATEST`, `…:f:3`), and
    `invoked_arn` the ARN the caller used (unqualified, or with the alias or version it
    named). `code_dir` holds the unpacked code (or is the user's own directory for a
    function created from a local path); `layer_dirs` the unpacked layers, in order, as
    they would be merged into /opt.
    """

    account: str
    region: str
    name: str
    version: str
    arn: str
    qualified_arn: str
    invoked_arn: str
    runtime: str
    handler: str
    role: str
    timeout: int
    memory_size: int
    code_dir: Path
    code_sha256: str
    revision_id: str
    environment: dict[str, str] = field(default_factory=dict)
    layer_dirs: tuple[Path, ...] = ()
    reserved_concurrency: int | None = None
    event_invoke_config: dict[str, Any] | None = None
    log_group: str = ""
    state: str = "Active"
    """`Pending` while the function is being created (AWS refuses to invoke it then)."""
    last_update_status: str = "Successful"
    hot_reload: bool = False
    """True when `code_dir` is the user's directory: edits show at the next cold start."""
    log_format: str = "Text"
    application_log_level: str | None = None
    system_log_level: str | None = None
    ephemeral_storage: int = 512
    architecture: str = "x86_64"
    tracing_mode: str = "PassThrough"


def resolve(
    runtime: Runtime,
    txn: Any,
    account: str,
    region: str,
    function_name: str,
    qualifier: str | None = None,
) -> FunctionVersion:
    """The version an invocation of `function_name` (name, partial or full ARN, optionally
    `:qualifier`) with `qualifier` runs: an alias picks between its versions by their
    RoutingConfig weights. ResourceNotFoundException, in AWS's words, if there is none."""
    ref = parse_function(function_name, qualifier, account, region)
    document = records.require_function(txn, ref, ref.named_arn)
    named = ref.qualifier or LATEST
    version = _routed(txn, ref, named) if is_alias(named) else named
    record = records.load_version(txn, ref, document, version)
    if record is None:
        raise function_not_found(ref.named_arn)
    store = store_of(runtime)
    logging = record.get("LoggingConfig", {})
    return FunctionVersion(
        account=ref.account,
        region=ref.region,
        name=ref.name,
        version=version,
        arn=ref.arn,
        qualified_arn=records.version_arn(ref, version),
        invoked_arn=ref.named_arn,
        runtime=record["Runtime"],
        handler=record.get("Handler", ""),
        role=record["Role"],
        timeout=record["Timeout"],
        memory_size=record["MemorySize"],
        code_dir=store.code_dir(record["_code"]),
        code_sha256=record["CodeSha256"],
        revision_id=record["RevisionId"],
        environment=dict(record.get("Environment", {}).get("Variables", {})),
        layer_dirs=tuple(store.code_dir(layer["_code"]) for layer in record.get("Layers", ())),
        reserved_concurrency=document.get("ReservedConcurrentExecutions"),
        event_invoke_config=event_invoke.stored(txn, ref.with_qualifier(named)),
        log_group=logging.get("LogGroup", f"/aws/lambda/{ref.name}"),
        state=record.get("State", "Active"),
        last_update_status=record.get("LastUpdateStatus", "Successful"),
        hot_reload=record["_code"]["kind"] == "dir",
        log_format=logging.get("LogFormat", "Text"),
        application_log_level=logging.get("ApplicationLogLevel"),
        system_log_level=logging.get("SystemLogLevel"),
        ephemeral_storage=record["EphemeralStorage"]["Size"],
        architecture=record["Architectures"][0],
        tracing_mode=record["TracingConfig"]["Mode"],
    )


def _routed(txn: Any, ref: FunctionRef, alias_name: str) -> str:
    """The version an invocation through the alias runs: an additional version with the
    probability of its weight, else the alias's own version."""
    alias = aliases.load(txn, ref, alias_name)
    if alias is None:
        raise function_not_found(ref.named_arn)
    draw = random.random()
    for version, weight in (
        alias.get("RoutingConfig", {}).get("AdditionalVersionWeights", {}).items()
    ):
        if draw < weight:
            return version
        draw -= weight
    return alias["FunctionVersion"]


def create(
    runtime: Runtime, txn: Any, account: str, region: str, params: dict[str, Any], package: Package
) -> dict[str, Any]:
    """CreateFunction (after `check_create` and the package upload): the new $LATEST,
    Pending, or the version `Publish` made of it."""
    ref = parse_function(params["FunctionName"], None, account, region)
    configuration.check_role(txn, account, params["Role"])
    if records.load_function(txn, ref) is not None:
        raise ResourceConflictException(f"Function already exist: {ref.name}")
    record = configuration.new_record(txn, account, region, ref.name, params, package)
    states.creating(record)
    document: dict[str, Any] = {
        "Latest": record,
        "LastVersion": 0,
        "PublishedChange": None,
        "Tags": tags.checked(params.get("Tags") or {}),
        "ReservedConcurrentExecutions": None,
    }
    shown = records.render(record, ref.arn)
    if params.get("Publish"):
        published = versions.publish_latest(txn, ref, document, params.get("Description"))
        shown = records.render(published, ref.arn)
    records.save_function(txn, account, region, document)
    states.schedule(runtime, txn, account, region, ref.name)
    return shown


def check_create(params: dict[str, Any], account: str, region: str) -> None:
    """What CreateFunction refuses before it unpacks any code."""
    ref = parse_function(params["FunctionName"], None, account, region)
    if ref.qualifier is not None:
        raise ValidationException(
            f"1 validation error detected: Value '{params['FunctionName']}' at 'functionName' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:)?"
            "(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"
        )
    configuration.check_name(ref.name)
    configuration.check_request(params)


def _target(txn: Any, ref: FunctionRef) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(function document, record, version) of the version `ref` names; an alias names its
    own version. ResourceNotFoundException with the ARN as named."""
    document = records.require_function(txn, ref, ref.named_arn)
    version = ref.qualifier or LATEST
    if is_alias(version):
        alias = aliases.load(txn, ref, version)
        if alias is None:
            raise function_not_found(ref.named_arn)
        version = alias["FunctionVersion"]
    record = records.load_version(txn, ref, document, version)
    if record is None:
        raise function_not_found(ref.named_arn)
    return document, record, version


def get_configuration(
    txn: Any, account: str, region: str, params: dict[str, Any]
) -> dict[str, Any]:
    """GetFunctionConfiguration: the ARN shows the qualifier the caller gave."""
    ref = parse_function(params["FunctionName"], params.get("Qualifier"), account, region)
    _, record, _ = _target(txn, ref)
    return records.render(record, ref.named_arn)


def get(
    txn: Any, endpoint: str, account: str, region: str, params: dict[str, Any]
) -> dict[str, Any]:
    """GetFunction: configuration, where to download the code, tags, reserved concurrency."""
    ref = parse_function(params["FunctionName"], params.get("Qualifier"), account, region)
    document, record, version = _target(txn, ref)
    result: dict[str, Any] = {
        "Configuration": records.render(record, ref.named_arn),
        "Code": {"RepositoryType": "S3", "Location": code_location(endpoint, ref, record, version)},
    }
    if document["Tags"]:
        result["Tags"] = dict(document["Tags"])
    if document.get("ReservedConcurrentExecutions") is not None:
        result["Concurrency"] = {
            "ReservedConcurrentExecutions": document["ReservedConcurrentExecutions"]
        }
    return result


def code_location(endpoint: str, ref: FunctionRef, record: dict[str, Any], version: str) -> str:
    """A URL the caller can GET the package from (a hot-reload directory is zipped on demand)."""
    code = record["_code"]
    if code["kind"] == "zip":
        return f"{endpoint}/_tidal/lambda/code/{code['hex']}.zip"
    name, qualifier = quote(ref.name, safe=""), quote(version, safe="")
    return (
        f"{endpoint}/_tidal/lambda/functions/{ref.account}/{ref.region}/{name}/{qualifier}/code.zip"
    )


def list_functions(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """ListFunctions: $LATEST of each function by name, or every version with `ALL`."""
    every = params.get("FunctionVersion") == "ALL"
    items: list[dict[str, Any]] = []
    for _, document in txn.list_docs(records.FUNCTIONS, f"{account}:{region}:"):
        latest = document["Latest"]
        ref = FunctionRef(account, region, latest["FunctionName"])
        if not every:
            items.append(records.listed(latest, ref.arn))
            continue
        items.append(records.listed(latest, records.version_arn(ref, LATEST)))
        for record in records.published(txn, ref):
            items.append(records.listed(record, records.version_arn(ref, record["Version"])))
    return records.listing("Functions", items, params, "FunctionArn")


def delete(txn: Any, account: str, region: str, params: dict[str, Any]) -> None:
    """DeleteFunction: the whole function (versions, aliases, policies, settings), or one
    published version with `Qualifier`."""
    ref = parse_function(params["FunctionName"], params.get("Qualifier"), account, region)
    if ref.qualifier == LATEST:
        raise InvalidParameterValueException(
            "$LATEST version cannot be deleted without deleting the function."
        )
    records.require_function(txn, ref)
    if ref.qualifier is not None:
        versions.delete(txn, ref)
        return
    for namespace in (records.VERSIONS, records.ALIASES, records.POLICIES, records.EVENT_INVOKE):
        for key, _ in txn.list_docs(namespace, records.children(account, region, ref.name)):
            txn.delete_doc(namespace, key)
    txn.delete_doc(records.FUNCTIONS, records.function_key(account, region, ref.name))
