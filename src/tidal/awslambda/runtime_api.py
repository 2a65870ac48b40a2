"""The Lambda Runtime API (2018-06-01) that one execution environment's process talks to.

Each environment gets its own listener on 127.0.0.1 (an ephemeral port, given to the process
as AWS_LAMBDA_RUNTIME_API). HTTP/1.1 with keep-alive, parsed with httptools: the runtime
interface clients keep one connection and block on `GET …/invocation/next` between events.

The listener knows HTTP and the routes; what a call means is the environment's business
(`Runtime`): it hands out events and takes responses and errors. See reference §5.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass
from typing import Protocol

import httptools
import orjson

PREFIX = b"/2018-06-01/runtime/"
MAX_RESPONSE_BYTES = 6291556
"""The largest response a function may return (6 MB plus a little, as AWS counts it)."""
_INVOCATION = re.compile(rb"invocation/([^/]+)/(response|error)")
_REASONS = {
    200: b"OK",
    202: b"Accepted",
    400: b"Bad Request",
    403: b"Forbidden",
    404: b"Not Found",
    405: b"Method Not Allowed",
    413: b"Request Entity Too Large",
    500: b"Internal Server Error",
}
ACCEPTED = (202, b'{"status":"OK"}')
INVALID_REQUEST_ID = (
    400,
    b'{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}',
)
TOO_LARGE = (
    413,
    orjson.dumps(
        {
            "errorMessage": f"Exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
            "errorType": "RequestEntityTooLarge",
        }
    ),
)

Reply = tuple[int, bytes]


@dataclass(slots=True)
class Event:
    """An invocation as `GET …/invocation/next` hands it to the runtime; the environment
    sets `deadline_ms` (epoch ms) when it hands it out."""

    request_id: str
    payload: bytes
    invoked_arn: str
    trace_id: str
    client_context: str | None = None
    cognito_identity: str | None = None
    deadline_ms: int = 0

    def response(self) -> bytes:
        head = [
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n",
            b"Lambda-Runtime-Aws-Request-Id: %s\r\n" % self.request_id.encode(),
            b"Lambda-Runtime-Deadline-Ms: %d\r\n" % self.deadline_ms,
            b"Lambda-Runtime-Invoked-Function-Arn: %s\r\n" % self.invoked_arn.encode(),
            b"Lambda-Runtime-Trace-Id: %s\r\n" % self.trace_id.encode(),
        ]
        if self.client_context is not None:
            head.append(b"Lambda-Runtime-Client-Context: %s\r\n" % self.client_context.encode())
        if self.cognito_identity is not None:
            head.append(b"Lambda-Runtime-Cognito-Identity: %s\r\n" % self.cognito_identity.encode())
        head.append(b"Content-Length: %d\r\n\r\n" % len(self.payload))
        return b"".join(head) + self.payload


class Runtime(Protocol):
    """What an environment does with the calls its process makes."""

    def next_wanted(self, waiter: NextWaiter) -> None:
        """The process asks for the next event; give it with `waiter.give(event)`."""

    def next_abandoned(self, waiter: NextWaiter) -> None:
        """The connection that waited for an event closed before it got one."""

    def response(self, request_id: str, body: bytes | None) -> Reply:
        """The result of an invocation; `body` None when it was larger than allowed."""

    def error(self, request_id: str, body: bytes, error_type: str | None) -> Reply: ...

    def init_error(self, body: bytes, error_type: str | None) -> Reply: ...


class NextWaiter(Protocol):
    def give(self, event: Event) -> bool:
        """Send the event; False if the connection is gone (the event stays undelivered)."""


class RuntimeApi:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.connections: set[_Connection] = set()
        self._server: asyncio.Server | None = None
        self._closed = asyncio.Event()
        self._closed.set()

    async def start(self) -> int:
        """Listen on 127.0.0.1; returns the port."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _Connection(self), "127.0.0.1", 0, reuse_address=True
        )
        return self._server.sockets[0].getsockname()[1]

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for connection in list(self.connections):
            connection.close()

    async def connections_closed(self, timeout: float) -> None:
        """Wait (at most `timeout` seconds) until the process's connections are all closed,
        so every request it sent before it ended has been handled."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closed.wait(), timeout)

    def _opened(self, connection: _Connection) -> None:
        self.connections.add(connection)
        self._closed.clear()

    def _lost(self, connection: _Connection) -> None:
        self.connections.discard(connection)
        if not self.connections:
            self._closed.set()


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection from the runtime; requests are answered in order."""

    def __init__(self, api: RuntimeApi) -> None:
        self.api = api
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.url = b""
        self.headers: dict[bytes, bytes] = {}
        self.body: list[bytes] = []
        self.size = 0
        self.waiting = False
        self.keep_alive = True

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.api._opened(self)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._reply((400, b'{"errorMessage":"Bad request","errorType":"BadRequest"}'))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiting:
            self.waiting = False
            self.api.runtime.next_abandoned(self)
        self.transport = None
        self.api._lost(self)

    # httptools callbacks

    def on_message_begin(self) -> None:
        self.url = b""
        self.headers = {}
        self.body = []
        self.size = 0

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.lower()] = value

    def on_headers_complete(self) -> None:
        if self.headers.get(b"expect", b"").lower() == b"100-continue" and self.transport:
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.size <= MAX_RESPONSE_BYTES:
            self.body.append(body)

    def on_message_complete(self) -> None:
        self.keep_alive = self.parser.should_keep_alive()
        method = self.parser.get_method()
        path = httptools.parse_url(self.url).path
        if not path.startswith(PREFIX):
            self._reply((404, b'{"errorMessage":"Not found","errorType":"NotFound"}'))
            return
        route = path[len(PREFIX) :]
        if route == b"invocation/next":
            if method != b"GET":
                self._reply(_not_allowed())
                return
            self.waiting = True
            self.api.runtime.next_wanted(self)
            return
        if method != b"POST":
            self._reply(_not_allowed() if _known(route) else _not_found())
            return
        self._reply(self._post(route))

    # NextWaiter

    def give(self, event: Event) -> bool:
        if self.transport is None or self.transport.is_closing():
            return False
        self.waiting = False
        self.transport.write(event.response())
        self._after_reply()
        return True

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def _post(self, route: bytes) -> Reply:
        runtime = self.api.runtime
        body = b"".join(self.body)
        error_type = self.headers.get(b"lambda-runtime-function-error-type")
        error_type_text = error_type.decode("utf-8", "replace") if error_type else None
        if route == b"init/error":
            return runtime.init_error(body, error_type_text)
        match = _INVOCATION.fullmatch(route)
        if match is None:
            return _not_found()
        request_id = match.group(1).decode("utf-8", "replace")
        if match.group(2) == b"response":
            return runtime.response(request_id, body if self.size <= MAX_RESPONSE_BYTES else None)
        return runtime.error(request_id, body, error_type_text)

    def _reply(self, reply: Reply) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        status, body = reply
        self.transport.write(
            b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (status, _REASONS.get(status, b"Error"), len(body), body)
        )
        self._after_reply()

    def _after_reply(self) -> None:
        if not self.keep_alive and self.transport is not None:
            self.transport.close()


def _known(route: bytes) -> bool:
    return route == b"init/error" or _INVOCATION.fullmatch(route) is not None


def _not_allowed() -> Reply:
    return 405, b'{"errorMessage":"Method not allowed","errorType":"MethodNotAllowed"}'


def _not_found() -> Reply:
    return 404, b'{"errorMessage":"Not found","errorType":"NotFound"}'


def invalid_state(current: str, wanted: str) -> Reply:
    """403 InvalidStateTransition, worded as the runtime interface emulator words it."""
    message = (
        f"State transition from {current} to {wanted} failed for runtime. "
        "Error: State transition is not allowed"
    )
    return 403, orjson.dumps({"errorMessage": message, "errorType": "InvalidStateTransition"})
