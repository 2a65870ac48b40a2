"""The ASGI app: identify the service and the caller, parse, call the operation, render."""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
import traceback
from typing import Any
from urllib.parse import parse_qs

import orjson

from tidal import __version__
from tidal.core.context import RequestContext
from tidal.core.errors import (
    AWSError,
    InternalServerError,
    MissingAuthenticationTokenException,
    UnknownOperationException,
)
from tidal.core.ids import request_id
from tidal.core.runtime import Runtime
from tidal.core.service import InternalHandler, InternalRequest
from tidal.server.auth import caller_from
from tidal.server.protocols import json as json_protocol
from tidal.server.services import SERVICES, json_service, service_model
from tidal.server.validation import validator_for

log = logging.getLogger("tidal.server")

Response = tuple[int, list, bytes]


class App:
    """ASGI entry point. `internal_errors` keeps every 500 served, so tests can fail on them."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.internal_errors: list[str] = []
        self.internal_routes: list[tuple[str, re.Pattern[str], InternalHandler]] = []
        for service in SERVICES:
            for install in service.installers:
                install(runtime)
            for method, pattern, handler in service.internal_routes:
                self.internal_routes.append((method, re.compile(pattern), handler))

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        status, headers, payload = await self.handle(scope, body)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    async def handle(self, scope: dict, body: bytes) -> Response:
        headers = dict(scope["headers"])
        target = headers.get(b"x-amz-target")
        if target is not None:
            return await self._json_request(scope, headers, target.decode("latin-1"), body)
        path = scope["path"]
        if path.startswith("/_tidal/"):
            return await self._internal(scope, body)
        return _plain(404, {"message": f"Tidal serves no resource at {scope['method']} {path}"})

    async def _json_request(self, scope: dict, headers: dict, target: str, body: bytes) -> Response:
        rid = request_id()
        found = json_service(target)
        if found is None:
            error = UnknownOperationException(f"Unknown X-Amz-Target: {target!r}")
            return json_protocol.render_error(error, "com.amazon.coral.service", rid, False)
        service, operation = found
        try:
            params = json_protocol.parse_body(body)
            handler = service.operations.get(operation)
            if handler is None:
                raise UnknownOperationException()
            context = self._context(scope, headers, rid)
            validator_for(service_model(service.model), operation, service.shape_overrides)(params)
            result = handler(context, params)
            if inspect.isawaitable(result):
                result = await result
        except AWSError as error:
            return json_protocol.render_error(error, service.namespace, rid, service.response_crc32)
        except Exception:
            self.internal_errors.append(traceback.format_exc())
            log.exception("internal error in %s", target)
            error = InternalServerError("Internal server error")
            return json_protocol.render_error(error, service.namespace, rid, service.response_crc32)
        return json_protocol.render(result, rid, service.response_crc32)

    def _context(self, scope: dict, headers: dict, rid: str) -> RequestContext:
        authorization = headers.get(b"authorization")
        caller = caller_from(
            authorization and authorization.decode("latin-1"), scope["query_string"]
        )
        if caller is None:
            raise MissingAuthenticationTokenException("Request is missing Authentication Token")
        host = headers.get(b"host", b"").decode("latin-1")
        return RequestContext(
            self.runtime, caller.account, caller.region, rid, caller.access_key, host
        )

    async def _internal(self, scope: dict, body: bytes) -> Response:
        method, path = scope["method"], scope["path"]
        for route_method, pattern, handler in self.internal_routes:
            match = pattern.fullmatch(path)
            if match is None or route_method != method:
                continue
            query = parse_qs(scope["query_string"].decode("latin-1"))
            request = InternalRequest(self.runtime, method, path, match.groupdict(), query, body)
            try:
                response = handler(request)
                if inspect.isawaitable(response):
                    response = await response
            except Exception:
                self.internal_errors.append(traceback.format_exc())
                log.exception("internal error in %s %s", method, path)
                return _plain(500, {"message": "Internal server error"})
            return response
        if method == "GET" and path == "/_tidal/health":
            return _plain(
                200,
                {
                    "status": "ok",
                    "version": __version__,
                    "uptime": round(self.runtime.uptime(), 3),
                    "store": self.runtime.store.describe(),
                },
            )
        return _plain(404, {"message": f"no internal endpoint {method} {path}"})

    async def _lifespan(self, receive: Any, send: Any) -> None:
        tasks: list[asyncio.Task] = []
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                tasks.append(asyncio.create_task(self._reclaim_dropped_data()))
                for service in SERVICES:
                    for task in service.background:
                        tasks.append(asyncio.create_task(task(self.runtime)))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                self.runtime.store.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _reclaim_dropped_data(self) -> None:
        """Delete the rows of dropped tables in small batches, between requests."""
        store = self.runtime.store
        loop = asyncio.get_running_loop()
        garbage = asyncio.Event()
        store.on_garbage = lambda: loop.call_soon_threadsafe(garbage.set)
        garbage.set()
        while True:
            await garbage.wait()
            garbage.clear()
            while store.reclaim():
                await asyncio.sleep(0)


async def _read_body(receive: Any) -> bytes:
    message = await receive()
    body = message.get("body", b"")
    if not message.get("more_body"):
        return body
    chunks = [body]
    while message.get("more_body"):
        message = await receive()
        chunks.append(message.get("body", b""))
    return b"".join(chunks)


def _plain(status: int, document: dict) -> Response:
    body = orjson.dumps(document)
    return status, [(b"content-type", b"application/json")], body
