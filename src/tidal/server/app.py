"""The ASGI app: identify the service and the caller, parse, call the operation, render.

Dispatch, in order: an `X-Amz-Target` header names a JSON service; `/_tidal/…` is Tidal's
own; a form with `Action=` is a query service (the one the request was signed for); any
other request is matched against the REST services' routes.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
import traceback
from collections.abc import Callable, Iterable
from functools import cache, partial
from typing import Any
from urllib.parse import parse_qs

import orjson
from botocore.model import ServiceModel

from tidal import __version__
from tidal.core.context import RequestContext
from tidal.core.errors import (
    AWSError,
    InternalServerError,
    MissingAuthenticationTokenException,
    UnknownOperationException,
    ValidationException,
)
from tidal.core.ids import new_uuid, request_id
from tidal.core.runtime import Runtime
from tidal.core.service import InternalHandler, InternalRequest, Service
from tidal.server import cors
from tidal.server.auth import Caller, caller_from
from tidal.server.protocols import json as json_protocol
from tidal.server.protocols import query as query_protocol
from tidal.server.protocols import rest_json
from tidal.server.services import SERVICES, Directory, service_model
from tidal.server.validation import validator_for

log = logging.getLogger("tidal.server")

Response = tuple[int, list, bytes]
_FORM = b"application/x-www-form-urlencoded"
_JSON_TYPES = (b"application/x-amz-json-1.0", b"application/x-amz-json-1.1", b"application/json")
MAX_JSON_REQUEST = 16 * 1024 * 1024
"""The largest body DynamoDB (and the other JSON services) accept; a larger one gets 413."""


class App:
    """ASGI entry point. `internal_errors` keeps every 500 served, so tests can fail on them."""

    def __init__(self, runtime: Runtime, services: Iterable[Service] = SERVICES) -> None:
        self.runtime = runtime
        self.directory = Directory(services)
        self.internal_errors: list[str] = []
        self.internal_routes: list[tuple[str, re.Pattern[str], InternalHandler]] = []
        for service in self.directory.services:
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
        request_headers = dict(scope["headers"])
        limit = MAX_JSON_REQUEST if b"x-amz-target" in request_headers else None
        body = await _read_body(receive, request_headers, limit)
        try:
            if body is None:
                status, headers, payload = _too_large()
            else:
                status, headers, payload = await self.handle(scope, request_headers, body)
        except Exception:
            self._internal_error(f"{scope['method']} {scope['path']}")
            status, headers, payload = _plain(500, {"message": "Internal server error"})
        if b"origin" in request_headers and not scope["path"].startswith("/_tidal/"):
            headers = cors.allow(headers)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    async def handle(self, scope: dict, headers: dict[bytes, bytes], body: bytes) -> Response:
        if scope["path"].startswith("/_tidal/"):
            return await self._internal(scope, body)
        if cors.is_preflight(scope["method"], headers):
            return cors.preflight(headers, request_id())
        target = headers.get(b"x-amz-target")
        if target is not None:
            return await self._json_request(scope, headers, target.decode("latin-1"), body)
        form = _query_form(scope, headers, body)
        if form is not None:
            return await self._query_request(scope, headers, form)
        return await self._rest_request(scope, headers, body)

    async def _json_request(self, scope: dict, headers: dict, target: str, body: bytes) -> Response:
        rid = request_id()
        found = self.directory.json(target)
        if found is None:
            return _unknown_operation(rid)
        service, operation = found
        model = service_model(service.model)
        kind = json_protocol.content_type(model.metadata.get("jsonVersion", "1.0"))
        try:
            params = json_protocol.parse_body(body)
            if operation not in _operation_names(model):
                raise UnknownOperationException()
            result = await self._call(
                scope, headers, rid, service, operation, params, _UNSIGNED_JSON
            )
        except AWSError as error:
            return json_protocol.render_error(
                error, service.namespace, rid, service.response_crc32, kind
            )
        except Exception:
            error = self._internal_error(target)
            return json_protocol.render_error(
                error, service.namespace, rid, service.response_crc32, kind
            )
        return json_protocol.render(result, rid, service.response_crc32, kind)

    async def _query_request(self, scope: dict, headers: dict, form: dict[str, str]) -> Response:
        rid = new_uuid()
        caller = _caller(scope, headers)
        action = form["Action"]
        service = self.directory.query(caller and caller.service, action)
        if service is None:
            error = query_protocol.InvalidAction(f"Could not find operation {action}")
            return query_protocol.render_error(error, "", rid)
        model = service_model(service.model)
        namespace = model.metadata.get("xmlNamespace", "")
        try:
            if action not in _operation_names(model):
                raise query_protocol.InvalidAction(
                    f"Could not find operation {action} for version {model.api_version}"
                )
            operation = model.operation_model(action)
            params = query_protocol.parse_params(operation, form)
            result = await self._call(scope, headers, rid, service, action, params, _UNSIGNED_QUERY)
            return query_protocol.render(operation, result, rid)
        except AWSError as error:
            return query_protocol.render_error(error, namespace, rid)
        except Exception:
            error = self._internal_error(f"{service.model}:{action}")
            return query_protocol.render_error(error, namespace, rid)

    async def _rest_request(self, scope: dict, headers: dict, body: bytes) -> Response:
        rid = new_uuid()
        caller = _caller(scope, headers)
        method = scope["method"]
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("utf-8", "replace")
        query = parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        found = self.directory.rest(method, raw_path, query, caller and caller.service)
        if found is None:
            return self._unrouted(scope, headers, rid)
        service, match = found
        name = match.operation
        model = service_model(service.model)
        try:
            operation = model.operation_model(name)
            text_headers = {
                key.decode("latin-1"): value.decode("utf-8", "replace")
                for key, value in headers.items()
            }
            params = rest_json.parse_request(
                operation, match.labels, query, text_headers, body, match.body_in_query
            )
            result = await self._call(scope, headers, rid, service, name, params, _UNSIGNED_REST)
            return rest_json.render(operation, result, rid)
        except AWSError as error:
            return rest_json.render_error(error, model, rid)
        except Exception:
            error = self._internal_error(f"{service.model}:{name}")
            return rest_json.render_error(error, model, rid)

    async def _call(
        self,
        scope: dict,
        headers: dict,
        rid: str,
        service: Service,
        operation: str,
        params: dict[str, Any],
        unsigned: Callable[[], AWSError],
    ) -> Any:
        """Find the handler, identify the caller, validate the params, run the handler."""
        handler = service.operations.get(operation)
        if handler is None:
            raise UnknownOperationException(f"Tidal does not serve {service.model}:{operation} yet")
        context = self._context(scope, headers, rid, unsigned)
        check = validator_for(service_model(service.model), operation, service.shape_overrides)
        try:
            check(params)
        except ValidationException as error:
            if service.invalid_input is None:
                raise
            raise service.invalid_input(error.message) from None
        result = handler(context, params)
        if inspect.isawaitable(result):
            result = await result
        return result

    def _unrouted(self, scope: dict, headers: dict, rid: str) -> Response:
        """A request no service claims. `GET /` is DynamoDB's health check; a JSON `POST /`
        without `X-Amz-Target` is an unknown DynamoDB operation, as AWS answers both."""
        method, path = scope["method"], scope["path"]
        if method == "GET" and path == "/":
            text = f"healthy: dynamodb.{self.runtime.config.region}.amazonaws.com".encode()
            length = str(len(text)).encode()
            return 200, [(b"content-type", b"text/plain"), (b"content-length", length)], text
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if method == "POST" and path == "/" and content_type in _JSON_TYPES:
            return _unknown_operation(request_id())
        message = f"Tidal serves no resource at {method} {path}"
        return rest_json.render_error(rest_json.UnknownOperation(message), None, rid)

    def _internal_error(self, where: str) -> AWSError:
        """Record the exception being handled (a bug) and give the error the client sees."""
        self.internal_errors.append(traceback.format_exc())
        log.exception("internal error in %s", where)
        return InternalServerError("Internal server error")

    def _context(
        self,
        scope: dict,
        headers: dict,
        rid: str,
        unsigned: Callable[[], AWSError],
    ) -> RequestContext:
        caller = _caller(scope, headers)
        if caller is None:
            raise unsigned()
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
                for service in self.directory.services:
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


_UNSIGNED_JSON = partial(
    MissingAuthenticationTokenException, "Request is missing Authentication Token"
)
_UNSIGNED_QUERY = partial(
    query_protocol.MissingAuthenticationToken, "Request is missing Authentication Token"
)
_UNSIGNED_REST = partial(rest_json.MissingAuthenticationToken, "Missing Authentication Token")


def _caller(scope: dict, headers: dict) -> Caller | None:
    authorization = headers.get(b"authorization")
    return caller_from(authorization and authorization.decode("latin-1"), scope["query_string"])


def _query_form(scope: dict, headers: dict, body: bytes) -> dict[str, str] | None:
    """The parameters of a query-protocol request (a form or query string naming an
    `Action`), or None for any other request."""
    form: dict[str, str] = {}
    query_string = scope["query_string"]
    if b"Action=" in query_string:
        form.update(query_protocol.parse_form(query_string.decode("latin-1")))
    content_type = headers.get(b"content-type", b"")
    if scope["method"] == "POST" and content_type.lower().startswith(_FORM):
        form.update(query_protocol.parse_form(body.decode("utf-8", "replace")))
    return form if form.get("Action") else None


@cache
def _operation_names(model: ServiceModel) -> frozenset[str]:
    return frozenset(model.operation_names)


async def _read_body(receive: Any, headers: dict, limit: int | None) -> bytes | None:
    """The request body, or None when it is longer than `limit` bytes (then it is not
    read to its end: a declared length over the limit is not read at all)."""
    if limit is not None and int(headers.get(b"content-length") or 0) > limit:
        return None
    message = await receive()
    body = message.get("body", b"")
    if not message.get("more_body"):
        return body
    chunks = [body]
    size = len(body)
    while message.get("more_body"):
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> Response:
    return 413, [(b"x-amzn-requestid", request_id().encode()), (b"content-length", b"0")], b""


def _unknown_operation(rid: str) -> Response:
    """AWS's answer to an `X-Amz-Target` (or its absence) that names no operation."""
    error = UnknownOperationException()
    return json_protocol.render_error(error, "com.amazon.coral.service", rid, True)


def _plain(status: int, document: dict) -> Response:
    body = orjson.dumps(document)
    return status, [(b"content-type", b"application/json")], body
