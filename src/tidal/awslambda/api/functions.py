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
from tidal.core.service import InternalRequest, InternalResponse
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


@operation("GetFunctionConfiguration")
def get_function_configuration(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return functions.get_configuration(txn, ctx.account, ctx.region, params)


@operation("ListFunctions")
def list_functions(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return functions.list_functions(txn, ctx.account, ctx.region, params)


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


# Versions and aliases --------------------------------------------------------------------


@operation("PublishVersion")
def publish_version(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        return versions.publish(txn, ctx.account, ctx.region, params)


@operation("ListVersionsByFunction")
def list_versions_by_function(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return versions.list_versions(txn, ctx.account, ctx.region, params)


@operation("CreateAlias")
def create_alias(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        return aliases.create(txn, ctx.account, ctx.region, params)


@operation("GetAlias")
def get_alias(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return aliases.get(txn, ctx.account, ctx.region, params)


@operation("UpdateAlias")
def update_alias(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        return aliases.update(txn, ctx.account, ctx.region, params)


@operation("DeleteAlias")
def delete_alias(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        aliases.delete(txn, ctx.account, ctx.region, params)
    return {}


@operation("ListAliases")
def list_aliases(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return aliases.list_aliases(txn, ctx.account, ctx.region, params)


# Permissions, tags, concurrency ----------------------------------------------------------


@operation("AddPermission")
def add_permission(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        return policies.add_permission(txn, ctx.account, ctx.region, params)


@operation("RemovePermission")
def remove_permission(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        policies.remove_permission(txn, ctx.account, ctx.region, params)
    return {}


@operation("GetPolicy")
def get_policy(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return policies.get_policy(txn, ctx.account, ctx.region, params)


@operation("TagResource")
def tag_resource(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        tags.tag(txn, ctx.account, ctx.region, params)
    return {}


@operation("UntagResource")
def untag_resource(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        tags.untag(txn, ctx.account, ctx.region, params)
    return {}


@operation("ListTags")
def list_tags(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return tags.list_tags(txn, ctx.account, ctx.region, params)


@operation("PutFunctionConcurrency")
def put_function_concurrency(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    limit = ctx.runtime.config.lambda_concurrency
    with _write(ctx) as txn:
        return reserved.put(txn, ctx.account, ctx.region, params, limit)


@operation("GetFunctionConcurrency")
def get_function_concurrency(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return reserved.get(txn, ctx.account, ctx.region, params)


@operation("DeleteFunctionConcurrency")
def delete_function_concurrency(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        reserved.delete(txn, ctx.account, ctx.region, params)
    return {}


@operation("GetAccountSettings")
def get_account_settings(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    limit = ctx.runtime.config.lambda_concurrency
    with _read(ctx) as txn:
        return reserved.account_settings(txn, ctx.account, ctx.region, limit)


@operation("GetFunctionCodeSigningConfig")
def get_function_code_signing_config(ctx: RequestContext, params: dict[str, Any]) -> dict:
    with _read(ctx) as txn:
        return function_settings.code_signing(txn, ctx.account, ctx.region, params)


@operation("GetRuntimeManagementConfig")
def get_runtime_management_config(ctx: RequestContext, params: dict[str, Any]) -> dict:
    with _read(ctx) as txn:
        return function_settings.runtime_management(txn, ctx.account, ctx.region, params)


@operation("PutRuntimeManagementConfig")
def put_runtime_management_config(ctx: RequestContext, params: dict[str, Any]) -> dict:
    with _write(ctx) as txn:
        return function_settings.put_runtime_management(txn, ctx.account, ctx.region, params)


@operation("GetFunctionRecursionConfig")
def get_function_recursion_config(ctx: RequestContext, params: dict[str, Any]) -> dict:
    with _read(ctx) as txn:
        return function_settings.recursion(txn, ctx.account, ctx.region, params)


@operation("PutFunctionRecursionConfig")
def put_function_recursion_config(ctx: RequestContext, params: dict[str, Any]) -> dict:
    with _write(ctx) as txn:
        return function_settings.put_recursion(txn, ctx.account, ctx.region, params)


@operation("ListProvisionedConcurrencyConfigs")
def list_provisioned_concurrency_configs(ctx: RequestContext, params: dict[str, Any]) -> dict:
    with _read(ctx) as txn:
        return function_settings.provisioned_concurrency(txn, ctx.account, ctx.region, params)


# Event invoke settings -------------------------------------------------------------------


@operation("PutFunctionEventInvokeConfig")
def put_function_event_invoke_config(ctx: RequestContext, params: dict[str, Any]) -> dict:
    with _write(ctx) as txn:
        return event_invoke.put(txn, ctx.account, ctx.region, params)


@operation("UpdateFunctionEventInvokeConfig")
def update_function_event_invoke_config(ctx: RequestContext, params: dict[str, Any]) -> dict:
    with _write(ctx) as txn:
        return event_invoke.update(txn, ctx.account, ctx.region, params)


@operation("GetFunctionEventInvokeConfig")
def get_function_event_invoke_config(ctx: RequestContext, params: dict[str, Any]) -> dict:
    with _read(ctx) as txn:
        return event_invoke.get(txn, ctx.account, ctx.region, params)


@operation("DeleteFunctionEventInvokeConfig")
def delete_function_event_invoke_config(ctx: RequestContext, params: dict[str, Any]) -> dict:
    with _write(ctx) as txn:
        event_invoke.delete(txn, ctx.account, ctx.region, params)
    return {}


@operation("ListFunctionEventInvokeConfigs")
def list_function_event_invoke_configs(ctx: RequestContext, params: dict[str, Any]) -> dict:
    with _read(ctx) as txn:
        return event_invoke.list_configs(txn, ctx.account, ctx.region, params)


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


@operation("ListLayers")
def list_layers(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return layers.list_layers(txn, ctx.account, ctx.region, params)


@operation("ListLayerVersions")
def list_layer_versions(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return layers.list_versions(txn, ctx.account, ctx.region, params)


@operation("DeleteLayerVersion")
def delete_layer_version(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        layers.delete(txn, ctx.account, ctx.region, params["LayerName"], params["VersionNumber"])
    return {}


@operation("AddLayerVersionPermission")
def add_layer_version_permission(ctx: RequestContext, params: dict[str, Any]) -> dict:
    with _write(ctx) as txn:
        return layers.add_permission(txn, ctx.account, ctx.region, params)


@operation("RemoveLayerVersionPermission")
def remove_layer_version_permission(ctx: RequestContext, params: dict[str, Any]) -> dict:
    with _write(ctx) as txn:
        layers.remove_permission(txn, ctx.account, ctx.region, params)
    return {}


@operation("GetLayerVersionPolicy")
def get_layer_version_policy(ctx: RequestContext, params: dict[str, Any]) -> dict:
    with _read(ctx) as txn:
        return layers.get_policy(txn, ctx.account, ctx.region, params)


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
