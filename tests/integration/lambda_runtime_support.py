"""A minimal Lambda Runtime API and execution environment for testing the runtimes' bootstraps.

`FakeRuntimeApi` serves reference/lambda.md §5 over HTTP/1.1 keep-alive on an ephemeral
127.0.0.1 port: it hands out the events `invoke` queues and collects what the runtime posts.
`Sandbox` runs one function's process as `tidal.awslambda.runtimes.launch` describes it, with
its stdout/stderr and telemetry pipes read in threads. Every wait is on a condition with a
deadline, never a fixed delay.
"""

from __future__ import annotations

import json
import os
import queue
import struct
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tidal.awslambda import runtimes
from tidal.awslambda.functions import FunctionVersion

PREFIX = "/2018-06-01/runtime"
FRAME = struct.Struct(">IIQ")
WAIT = 30.0
INVALID_REQUEST_ID = b'{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}'


@dataclass
class Posted:
    """What the runtime posted: `kind` is `response`, `error` or `init-error`."""

    kind: str
    body: bytes
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _Invocation:
    request_id: str
    payload: bytes
    headers: dict[str, str]
    outcome: queue.Queue[Posted] = field(default_factory=queue.Queue)


class FakeRuntimeApi:
    def __init__(self) -> None:
        self.pending: queue.Queue[_Invocation] = queue.Queue()
        self.invocations: dict[str, _Invocation] = {}
        self.init_errors: queue.Queue[Posted] = queue.Queue()
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.connections: set[tuple[str, int]] = set()
        self._server = _Server(("127.0.0.1", 0), _handler_class(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def send(
        self,
        event: Any,
        *,
        request_id: str | None = None,
        deadline_ms: int | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> str:
        """Queue one event for the runtime's next GET; returns its request id."""
        request_id = request_id or str(uuid.uuid4())
        invocation = _Invocation(
            request_id,
            raw if raw is not None else json.dumps(event).encode(),
            {
                "Lambda-Runtime-Aws-Request-Id": request_id,
                "Lambda-Runtime-Deadline-Ms": str(deadline_ms or int(time.time() * 1000) + 60_000),
                "Lambda-Runtime-Invoked-Function-Arn": (
                    "arn:aws:lambda:eu-west-1:123456789012:function:fn"
                ),
                "Lambda-Runtime-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0",
                "Content-Type": "application/json",
                **(headers or {}),
            },
        )
        self.invocations[request_id] = invocation
        self.pending.put(invocation)
        return request_id

    def result(self, request_id: str, timeout: float = WAIT) -> Posted:
        """What the runtime posted for `request_id` (its first post)."""
        return self.invocations[request_id].outcome.get(timeout=timeout)

    def invoke(self, event: Any, timeout: float = WAIT, **options: Any) -> Posted:
        return self.result(self.send(event, **options), timeout)

    def init_error(self, timeout: float = WAIT) -> Posted:
        return self.init_errors.get(timeout=timeout)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A runtime process killed mid-request is expected here, not an error."""


def _handler_class(api: FakeRuntimeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _record(self) -> bytes:
            api.connections.add(self.client_address)
            api.requests.append((self.command, self.path, dict(self.headers.items())))
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._record()
            if self.path != f"{PREFIX}/invocation/next":
                self._reply(404, b"{}")
                return
            invocation = api.pending.get()
            self._reply(200, invocation.payload, invocation.headers)

        def do_POST(self) -> None:
            body = self._record()
            headers = {name.lower(): value for name, value in self.headers.items()}
            parts = self.path.removeprefix(PREFIX + "/").split("/")
            if parts == ["init", "error"]:
                target = api.init_errors
                posted = Posted("init-error", body, headers)
            elif len(parts) == 3 and parts[0] == "invocation" and parts[1] in api.invocations:
                target = api.invocations[parts[1]].outcome
                posted = Posted(parts[2], body, headers)
            else:
                self._reply(400, INVALID_REQUEST_ID)
                return
            self._reply(202, b'{"status":"OK"}', {"Content-Type": "application/json"})
            target.put(posted)

    return Handler


class _PipeReader:
    """Collects what arrives on a pipe, in a thread, and lets tests wait on it."""

    def __init__(self, fd: int) -> None:
        self.data = bytearray()
        self.closed = False
        self._changed = threading.Condition()
        self._fd = fd
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while chunk := os.read(self._fd, 65536):
            with self._changed:
                self.data += chunk
                self._changed.notify_all()
        os.close(self._fd)
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def wait_for(self, condition, timeout: float = WAIT) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: condition() or self.closed, timeout):
                raise AssertionError(f"condition not met within {timeout} s: {bytes(self.data)!r}")
            if not condition():
                raise AssertionError(f"the pipe closed first: {bytes(self.data)!r}")


@dataclass
class Frame:
    kind: int
    micros: int
    message: str


class Sandbox:
    """One function's execution environment: its process, its Runtime API, its logs."""

    def __init__(
        self,
        code_dir: Path,
        runtime: str,
        handler: str,
        *,
        environment: dict[str, str] | None = None,
        layers: tuple[Path, ...] = (),
        telemetry: bool = True,
    ) -> None:
        self.api = FakeRuntimeApi()
        self.function = function_version(code_dir, runtime, handler, layers)
        variables = aws_variables(self.function, self.api.address)
        variables.update(environment or {})
        read_tel, write_tel = os.pipe()
        if telemetry:
            variables["_LAMBDA_TELEMETRY_LOG_FD"] = str(write_tel)
        self.launch = runtimes.launch(self.function, variables)
        read_out, write_out = os.pipe()
        self.process = subprocess.Popen(
            self.launch.argv,
            env=self.launch.env,
            cwd=self.launch.cwd,
            stdin=subprocess.DEVNULL,
            stdout=write_out,
            stderr=write_out,
            pass_fds=(write_tel,),
        )
        os.close(write_out)
        os.close(write_tel)
        self.stdout = _PipeReader(read_out)
        self.telemetry = _PipeReader(read_tel)

    def frames(self) -> list[Frame]:
        frames, data, start = [], bytes(self.telemetry.data), 0
        while len(data) - start >= FRAME.size:
            kind, length, micros = FRAME.unpack_from(data, start)
            end = start + FRAME.size + length
            if len(data) < end:
                break
            frames.append(Frame(kind, micros, data[start + FRAME.size : end].decode()))
            start = end
        return frames

    def messages(self) -> list[str]:
        return [frame.message for frame in self.frames()]

    def wait_for_messages(self, count: int) -> list[str]:
        self.telemetry.wait_for(lambda: len(self.frames()) >= count)
        return self.messages()

    def output(self) -> str:
        return self.stdout.data.decode()

    def wait_for_output(self, text: str) -> str:
        self.stdout.wait_for(lambda: text in self.stdout.data.decode())
        return self.output()

    def wait_exit(self, timeout: float = WAIT) -> int:
        return self.process.wait(timeout)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.api.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def function_version(
    code_dir: Path, runtime: str, handler: str, layers: tuple[Path, ...] = ()
) -> FunctionVersion:
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:fn"
    return FunctionVersion(
        account="123456789012",
        region="eu-west-1",
        name="fn",
        version="$LATEST",
        arn=arn,
        qualified_arn=f"{arn}:$LATEST",
        invoked_arn=arn,
        runtime=runtime,
        handler=handler,
        role="arn:aws:iam::123456789012:role/r",
        timeout=3,
        memory_size=256,
        code_dir=code_dir,
        code_sha256="",
        revision_id="r1",
        layer_dirs=layers,
    )


def aws_variables(function: FunctionVersion, api_address: str) -> dict[str, str]:
    """The variables the server side sets (reference §4), for a function at eu-west-1."""
    return {
        "PATH": os.environ["PATH"],
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_VERSION": function.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2024/05/01/[$LATEST]0123456789abcdef0123456789abcdef",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_RUNTIME_API": api_address,
        "AWS_REGION": function.region,
        "AWS_DEFAULT_REGION": function.region,
        "AWS_ACCESS_KEY_ID": "123456789012",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_SESSION_TOKEN": "token",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:4567",
        "_HANDLER": function.handler,
        "LAMBDA_TASK_ROOT": str(function.code_dir),
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
    }


def write_code(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder
