"""Lambda operations: functions, versions, aliases, layers, permissions, tags, concurrency,
event invoke settings and account settings (the control plane, all but Invoke and event
source mappings).

Also the downloads behind GetFunction's Code.Location and GetLayerVersion's
Content.Location (`/_tidal/lambda/code/…`, `/_tidal/lambda/functions/…`,
`/_tidal/lambda/layers/…`) and the background tasks that settle function states and remove
an in-memory server's code folder when it stops.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tidal.awslambda import (
    aliases,
    code,
    event_invoke,
    function_settings,
    functions,
    layers,
    policies,
    records,
    reserved,
    states,
    tags,
    updates,
    versions,
)
from tidal.awslambda.api.service import SERVICE
from tidal.awslambda.names import LayerRef, parse_function
from tidal.core.context import RequestContext
from tidal.core.service import Domain, InternalRequest, InternalResponse
from tidal.server.validation import Constraints

operation = SERVICE.operation

SERVICE.shape_overrides.update(
    {
        "Timeout": Constraints(max=900),
        "MemorySize": Constraints(max=10240),
        "EphemeralStorageSize": Constraints(max=10240),
    }
)
"""Lambda's limits where its model is looser (it allows what capacity providers may run)."""
SERVICE.background += [states.run, code.remove_when_stopped]


def _read(ctx: RequestContext):
    return ctx.runtime.store.transaction(write=False)


def _write(ctx: RequestContext):
    return ctx.runtime.store.transaction()


async def _package(ctx: RequestContext, source: dict[str, Any]) -> code.Package:
    """Keep (and unpack) the code a request gives, off the event loop."""
    store = code.store_of(ctx.runtime)
    return await asyncio.to_thread(code.package_from, store, source)


# Functions -------------------------------------------------------------------------------


@operation("CreateFunction")
async def create_function(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    functions.check_create(params, ctx.account, ctx.region)
    package = await _package(ctx, params["Code"])
    with _write(ctx) as txn:
        return functions.create(ctx.runtime, txn, ctx.account, ctx.region, params, package)


@operation("GetFunction")
def get_function(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return functions.get(txn, ctx.runtime.endpoint_url, ctx.account, ctx.region, params)


@operation("DeleteFunction")
def delete_function(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        functions.delete(txn, ctx.account, ctx.region, params)
    return {"StatusCode": 204}


_CODE_MEMBERS = ("ZipFile", "S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri")


@operation("UpdateFunctionCode")
async def update_function_code(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    updates.check_code(params)
    ref = parse_function(params["FunctionName"], None, ctx.account, ctx.region)
    with _read(ctx) as txn:
        records.require_function(txn, ref)
    source = {member: params[member] for member in _CODE_MEMBERS if member in params}
    package = await _package(ctx, source)
    with _write(ctx) as txn:
        return updates.update_code(ctx.runtime, txn, ctx.account, ctx.region, params, package)


@operation("UpdateFunctionConfiguration")
def update_function_configuration(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        return updates.update_configuration(ctx.runtime, txn, ctx.account, ctx.region, params)


# Concurrency -----------------------------------------------------------------------------


@operation("PutFunctionConcurrency")
def put_function_concurrency(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    limit = ctx.runtime.config.lambda_concurrency
    with _write(ctx) as txn:
        return reserved.put(txn, ctx.account, ctx.region, params, limit)


@operation("GetAccountSettings")
def get_account_settings(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    limit = ctx.runtime.config.lambda_concurrency
    with _read(ctx) as txn:
        return reserved.account_settings(txn, ctx.account, ctx.region, limit)


# Layers ----------------------------------------------------------------------------------


@operation("PublishLayerVersion")
async def publish_layer_version(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    package = await _package(ctx, params["Content"])
    with _write(ctx) as txn:
        return layers.publish(
            txn, ctx.runtime.endpoint_url, ctx.account, ctx.region, params, package
        )


@operation("GetLayerVersion")
def get_layer_version(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    endpoint = ctx.runtime.endpoint_url
    with _read(ctx) as txn:
        return layers.get(
            txn, endpoint, ctx.account, ctx.region, params["LayerName"], params["VersionNumber"]
        )


@operation("GetLayerVersionByArn")
def get_layer_version_by_arn(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    endpoint = ctx.runtime.endpoint_url
    with _read(ctx) as txn:
        return layers.get_by_arn(txn, endpoint, ctx.account, ctx.region, params["Arn"])


@operation("DeleteLayerVersion")
def delete_layer_version(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        layers.delete(txn, ctx.account, ctx.region, params["LayerName"], params["VersionNumber"])
    return {}


# Operations that read or write in one transaction and hand over to their domain module --

_READS: dict[str, Domain] = {
    "GetFunctionConfiguration": functions.get_configuration,
    "ListFunctions": functions.list_functions,
    "ListVersionsByFunction": versions.list_versions,
    "GetAlias": aliases.get,
    "ListAliases": aliases.list_aliases,
    "GetPolicy": policies.get_policy,
    "ListTags": tags.list_tags,
    "GetFunctionConcurrency": reserved.get,
    "GetFunctionCodeSigningConfig": function_settings.code_signing,
    "GetRuntimeManagementConfig": function_settings.runtime_management,
    "GetFunctionRecursionConfig": function_settings.recursion,
    "ListProvisionedConcurrencyConfigs": function_settings.provisioned_concurrency,
    "GetFunctionEventInvokeConfig": event_invoke.get,
    "ListFunctionEventInvokeConfigs": event_invoke.list_configs,
    "ListLayers": layers.list_layers,
    "ListLayerVersions": layers.list_versions,
    "GetLayerVersionPolicy": layers.get_policy,
}
_WRITES: dict[str, Domain] = {
    "PublishVersion": versions.publish,
    "CreateAlias": aliases.create,
    "UpdateAlias": aliases.update,
    "DeleteAlias": aliases.delete,
    "AddPermission": policies.add_permission,
    "RemovePermission": policies.remove_permission,
    "TagResource": tags.tag,
    "UntagResource": tags.untag,
    "DeleteFunctionConcurrency": reserved.delete,
    "PutRuntimeManagementConfig": function_settings.put_runtime_management,
    "PutFunctionRecursionConfig": function_settings.put_recursion,
    "PutFunctionEventInvokeConfig": event_invoke.put,
    "UpdateFunctionEventInvokeConfig": event_invoke.update,
    "DeleteFunctionEventInvokeConfig": event_invoke.delete,
    "AddLayerVersionPermission": layers.add_permission,
    "RemoveLayerVersionPermission": layers.remove_permission,
}
SERVICE.delegate(_READS, _WRITES)


# Code downloads --------------------------------------------------------------------------

_ZIP = [(b"content-type", b"application/zip")]
_MISSING: InternalResponse = (404, [(b"content-type", b"text/plain")], b"no such package\n")


def stored_zip(request: InternalRequest) -> InternalResponse:
    """`GET /_tidal/lambda/code/<sha256 hex>.zip`: an uploaded package, as uploaded."""
    path = code.store_of(request.runtime).zip_path(request.params["hex"])
    if not path.is_file():
        return _MISSING
    return 200, _ZIP, path.read_bytes()


async def function_directory_zip(request: InternalRequest) -> InternalResponse:
    """`GET /_tidal/lambda/functions/<account>/<region>/<name>/<version>/code.zip`: the
    directory of a hot-reload function, zipped now."""
    given = request.params
    ref = parse_function(unquote(given["name"]), None, given["account"], given["region"])
    with request.runtime.store.transaction(write=False) as txn:
        document = records.load_function(txn, ref)
        found = document and records.load_version(txn, ref, document, unquote(given["version"]))
    return await _directory_zip(found)


async def layer_directory_zip(request: InternalRequest) -> InternalResponse:
    """`GET /_tidal/lambda/layers/<account>/<region>/<name>/<version>/content.zip`: the
    directory of a hot-reload layer, zipped now."""
    given = request.params
    ref = LayerRef(given["account"], given["region"], unquote(given["name"]))
    with request.runtime.store.transaction(write=False) as txn:
        found = layers.load(txn, ref, int(given["version"]))
    return await _directory_zip(found)


async def _directory_zip(record: dict[str, Any] | None) -> InternalResponse:
    if not record or record["_code"]["kind"] != "dir":
        return _MISSING
    data = await asyncio.to_thread(code.zip_directory, Path(record["_code"]["path"]))
    return 200, _ZIP, data


_PLACE = r"(?P<account>\d{12})/(?P<region>[a-z0-9-]+)/(?P<name>[^/]+)/(?P<version>[^/]+)"
SERVICE.internal_routes += [
    ("GET", r"/_tidal/lambda/code/(?P<hex>[0-9a-f]{64})\.zip", stored_zip),
    ("GET", rf"/_tidal/lambda/functions/{_PLACE}/code\.zip", function_directory_zip),
    ("GET", rf"/_tidal/lambda/layers/{_PLACE}/content\.zip", layer_directory_zip),
]
