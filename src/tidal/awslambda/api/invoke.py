"""Lambda operations: Invoke (RequestResponse, Event, DryRun) and the legacy InvokeAsync.

Also the background task that stops every execution environment and drops the asynchronous
queue when the server stops, and Tidal's own views of what runs (`/_tidal/lambda/…`).
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import orjson

from tidal.awslambda import environments, functions, invocations, payloads
from tidal.awslambda.api.service import SERVICE
from tidal.awslambda.functions import FunctionVersion
from tidal.core.context import RequestContext
from tidal.core.runtime import Runtime
from tidal.core.service import InternalRequest, InternalResponse

operation = SERVICE.operation


@operation("Invoke")
async def invoke(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    kind = params.get("InvocationType") or "RequestResponse"
    payload = params.get("Payload") or b""
    payloads.check_size(payload, kind)
    function = _function(ctx, params["FunctionName"], params.get("Qualifier"))
    payloads.check_json(payload)
    client_context = params.get("ClientContext")
    invocations.decode_client_context(client_context)
    if kind == "DryRun":
        return {"StatusCode": 204}
    if kind == "Event":
        invocations.enqueue(ctx.runtime, function, payload, ctx.request_id)
        return {"StatusCode": 202}
    tail = params.get("LogType") == "Tail"
    result = await invocations.invoke(
        ctx.runtime,
        function,
        payload,
        client_context=client_context,
        tail=tail,
        request_id=ctx.request_id,
    )
    response: dict[str, Any] = {
        "StatusCode": 200,
        "Payload": result.payload,
        "ExecutedVersion": result.executed_version,
    }
    if result.function_error:
        response["FunctionError"] = result.function_error
    if tail:
        response["LogResult"] = base64.b64encode(result.log_tail.encode()).decode()
    return response


@operation("InvokeAsync")
def invoke_async(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    payload = params.get("InvokeArgs") or b""
    payloads.check_size(payload, "Event")
    function = _function(ctx, params["FunctionName"], None)
    payloads.check_json(payload)
    invocations.enqueue(ctx.runtime, function, payload, ctx.request_id)
    return {"Status": 202}


def _function(ctx: RequestContext, name: str, qualifier: str | None) -> FunctionVersion:
    with ctx.runtime.store.transaction(write=False) as txn:
        return functions.resolve(ctx.runtime, txn, ctx.account, ctx.region, name, qualifier)


async def supervise(runtime: Runtime) -> None:
    """Live as long as the server; when it stops, drop the queue and end every process."""
    try:
        await asyncio.Event().wait()
    finally:
        await invocations.cancel_queue(runtime)
        await environments.pool_of(runtime).shutdown()


def activity_view(request: InternalRequest) -> InternalResponse:
    """`GET /_tidal/lambda/activity`: invocations running, asynchronous events queued,
    environments alive."""
    runtime = request.runtime
    document = {
        "inFlight": invocations.in_flight(runtime),
        "queued": invocations.queued(runtime),
        "environments": len(environments.pool_of(runtime).live),
    }
    return 200, [(b"content-type", b"application/json")], orjson.dumps(document)


def destinations_view(request: InternalRequest) -> InternalResponse:
    """`GET /_tidal/lambda/destinations/<account>/<region>`: the destination records kept for
    SQS, SNS and EventBridge destinations, which Tidal does not serve."""
    kept = invocations.kept_records(
        request.runtime, request.params["account"], request.params["region"]
    )
    return 200, [(b"content-type", b"application/json")], orjson.dumps(kept)


SERVICE.background.append(supervise)
SERVICE.internal_routes.append(("GET", r"/_tidal/lambda/activity", activity_view))
SERVICE.internal_routes.append(
    (
        "GET",
        r"/_tidal/lambda/destinations/(?P<account>\d{12})/(?P<region>[a-z0-9-]+)",
        destinations_view,
    )
)
