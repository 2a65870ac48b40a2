"""Lambda operations: event source mappings (DynamoDB stream triggers).

Also the mappings' consumers (a background task for the server's lifetime), the
`/_tidal/lambda/event-source-mappings` view of what they are doing, and `/_tidal/idle`,
which answers once every enabled mapping has caught up with its stream and no invocation
is running (`?wait=<seconds>`, 10 by default).
"""

from __future__ import annotations

from typing import Any

import orjson

from tidal.awslambda import consumers, functions, mappings, monitoring, targets
from tidal.awslambda.api.service import SERVICE
from tidal.core.context import RequestContext
from tidal.core.service import InternalRequest, InternalResponse

operation = SERVICE.operation

IDLE_WAIT = 10.0
MAX_IDLE_WAIT = 300.0
_JSON = [(b"content-type", b"application/json")]


@operation("CreateEventSourceMapping")
def create_event_source_mapping(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    mappings.check_create(params)
    with ctx.runtime.store.transaction() as txn:
        function = functions.resolve(
            ctx.runtime, txn, ctx.account, ctx.region, params["FunctionName"]
        )
        created = mappings.create(txn, ctx.account, ctx.region, params, function)
    consumers.changed(ctx.runtime)
    return created


@operation("GetEventSourceMapping")
def get_event_source_mapping(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with ctx.runtime.store.transaction(write=False) as txn:
        return mappings.get(txn, ctx.account, ctx.region, params["UUID"])


@operation("ListEventSourceMappings")
def list_event_source_mappings(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with ctx.runtime.store.transaction(write=False) as txn:
        return mappings.list_mappings(txn, ctx.account, ctx.region, params)


@operation("UpdateEventSourceMapping")
def update_event_source_mapping(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    mappings.check_update(params)
    with ctx.runtime.store.transaction() as txn:
        function = None
        if params.get("FunctionName"):
            function = functions.resolve(
                ctx.runtime, txn, ctx.account, ctx.region, params["FunctionName"]
            )
        updated = mappings.update(txn, ctx.account, ctx.region, params, function)
    consumers.changed(ctx.runtime)
    return updated


@operation("DeleteEventSourceMapping")
def delete_event_source_mapping(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with ctx.runtime.store.transaction() as txn:
        deleted = mappings.delete(txn, ctx.account, ctx.region, params["UUID"])
    consumers.changed(ctx.runtime)
    return deleted


def mappings_view(request: InternalRequest) -> InternalResponse:
    """`GET /_tidal/lambda/event-source-mappings`: every mapping, its shards' checkpoints and
    lag, its last error and its failure log."""
    document = {"EventSourceMappings": monitoring.describe(request.runtime)}
    return 200, _JSON, orjson.dumps(document)


async def idle_view(request: InternalRequest) -> InternalResponse:
    """`GET /_tidal/idle?wait=<seconds>`: `{"idle": true}` as soon as the stream triggers are
    idle, or `{"idle": false, "busy": [reasons]}` when `wait` seconds passed first."""
    try:
        wait = float(request.query.get("wait", [IDLE_WAIT])[0])
    except ValueError:
        return 400, _JSON, orjson.dumps({"message": "wait must be a number of seconds"})
    reasons = await monitoring.wait_until_idle(request.runtime, min(max(wait, 0), MAX_IDLE_WAIT))
    return 200, _JSON, orjson.dumps({"idle": not reasons, "busy": reasons})


SERVICE.background.append(targets.run_consumers)
SERVICE.internal_routes += [
    ("GET", r"/_tidal/lambda/event-source-mappings", mappings_view),
    ("GET", r"/_tidal/idle", idle_view),
]
