"""The Runtime API listener: routes, keep-alive, blocking /next, statuses and bodies."""

from __future__ import annotations

import asyncio
import json

from tidal.awslambda.runtime_api import (
    ACCEPTED,
    INVALID_REQUEST_ID,
    MAX_RESPONSE_BYTES,
    TOO_LARGE,
    Event,
    RuntimeApi,
    invalid_state,
)
from tidal.testing.waiting import until


class FakeRuntime:
    def __init__(self) -> None:
        self.waiters: list = []
        self.calls: list[tuple] = []

    def next_wanted(self, waiter) -> None:
        self.waiters.append(waiter)

    def next_abandoned(self, waiter) -> None:
        self.waiters.remove(waiter)

    def response(self, request_id, body):
        self.calls.append(("response", request_id, body))
        if body is None:
            return TOO_LARGE
        if request_id == "done":
            return invalid_state("ResponseSent", "ResponseSent")
        return ACCEPTED if request_id == "r1" else INVALID_REQUEST_ID

    def error(self, request_id, body, error_type):
        self.calls.append(("error", request_id, body, error_type))
        return ACCEPTED

    def init_error(self, body, error_type):
        self.calls.append(("init_error", body, error_type))
        return ACCEPTED


async def _read_response(reader) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(": ")
            headers[name.lower()] = value
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


def _request(method: str, path: str, body: bytes = b"", headers: dict | None = None) -> bytes:
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    return (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def run(scenario):
    async def main():
        runtime = FakeRuntime()
        api = RuntimeApi(runtime)
        port = await api.start()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await scenario(runtime, api, reader, writer)
        finally:
            writer.close()
            api.close()

    return asyncio.run(main())


def test_next_blocks_until_an_event_is_given_then_the_connection_is_reused():
    async def scenario(runtime, api, reader, writer):
        writer.write(_request("GET", "/2018-06-01/runtime/invocation/next"))
        await writer.drain()
        await until(lambda: runtime.waiters)
        event = Event(
            "r1", b'{"k": 1}', "arn:aws:lambda:us-east-1:1:function:f", "Root=1-a;Sampled=0"
        )
        event.deadline_ms = 1_700_000_003_000
        assert runtime.waiters[0].give(event)
        status, headers, body = await _read_response(reader)
        assert status == 200 and body == b'{"k": 1}'
        assert headers["lambda-runtime-aws-request-id"] == "r1"
        assert headers["lambda-runtime-deadline-ms"] == "1700000003000"
        assert headers["lambda-runtime-invoked-function-arn"].endswith(":function:f")
        assert headers["lambda-runtime-trace-id"] == "Root=1-a;Sampled=0"
        assert "lambda-runtime-client-context" not in headers
        assert "lambda-runtime-cognito-identity" not in headers
        writer.write(_request("POST", "/2018-06-01/runtime/invocation/r1/response", b'"ok"'))
        status, _, body = await _read_response(reader)
        assert (status, json.loads(body)) == (202, {"status": "OK"})
        assert runtime.calls == [("response", "r1", b'"ok"')]

    run(scenario)


def test_client_context_header_only_when_present():
    event = Event("r1", b"{}", "arn", "t", client_context='{"custom":{"a":"b"}}')
    assert b'Lambda-Runtime-Client-Context: {"custom":{"a":"b"}}\r\n' in event.response()


def test_unknown_request_id_and_invalid_state():
    async def scenario(runtime, api, reader, writer):
        writer.write(_request("POST", "/2018-06-01/runtime/invocation/nope/response", b"{}"))
        status, _, body = await _read_response(reader)
        assert status == 400
        assert json.loads(body) == {
            "errorMessage": "Invalid request ID",
            "errorType": "InvalidRequestID",
        }
        writer.write(_request("POST", "/2018-06-01/runtime/invocation/done/response", b"{}"))
        status, _, body = await _read_response(reader)
        assert status == 403 and json.loads(body)["errorType"] == "InvalidStateTransition"

    run(scenario)


def test_errors_take_the_optional_error_type_header():
    async def scenario(runtime, api, reader, writer):
        body = b'{"errorMessage":"x","errorType":"ValueError"}'
        writer.write(_request("POST", "/2018-06-01/runtime/invocation/r1/error", body))
        assert (await _read_response(reader))[0] == 202
        headers = {"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"}
        writer.write(_request("POST", "/2018-06-01/runtime/init/error", b"{}", headers))
        assert (await _read_response(reader))[0] == 202
        assert runtime.calls == [
            ("error", "r1", body, None),
            ("init_error", b"{}", "Runtime.ImportModuleError"),
        ]

    run(scenario)


def test_a_response_over_the_limit_is_refused_with_413():
    async def scenario(runtime, api, reader, writer):
        big = b"x" * (MAX_RESPONSE_BYTES + 1)
        writer.write(
            _request(
                "POST",
                "/2018-06-01/runtime/invocation/r1/response",
                big,
                {"Expect": "100-continue"},
            )
        )
        assert (await _read_response(reader))[0] == 100
        status, _, body = await _read_response(reader)
        assert status == 413
        assert json.loads(body) == {
            "errorMessage": "Exceeded maximum allowed payload size (6291556 bytes).",
            "errorType": "RequestEntityTooLarge",
        }
        assert runtime.calls == [("response", "r1", None)]

    run(scenario)


def test_unknown_paths_and_methods():
    async def scenario(runtime, api, reader, writer):
        writer.write(_request("GET", "/2018-06-01/runtime/nothing"))
        assert (await _read_response(reader))[0] == 404
        writer.write(_request("POST", "/2018-06-01/runtime/invocation/next"))
        assert (await _read_response(reader))[0] == 405
        writer.write(_request("GET", "/2018-06-01/runtime/invocation/r1/response"))
        assert (await _read_response(reader))[0] == 405

    run(scenario)


def test_an_abandoned_next_is_forgotten():
    async def scenario(runtime, api, reader, writer):
        writer.write(_request("GET", "/2018-06-01/runtime/invocation/next"))
        await writer.drain()
        await until(lambda: runtime.waiters)
        writer.close()
        await api.connections_closed(5)
        assert runtime.waiters == []

    run(scenario)
