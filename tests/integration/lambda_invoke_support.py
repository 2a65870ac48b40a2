"""Helpers shared by the Invoke tests (test_lambda_invoke*.py): functions made from code
written in the test, and waiting for what runs in the background."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path
from typing import Any

import pytest

from tests.integration.lambda_control_support import make_role, unique, zipped
from tidal.awslambda import invocations
from tidal.server.runner import Server
from tidal.testing.plugin import client

__all__ = ["unique", "zipped"]

GATED = """
import fcntl
import os

def handler(event, context):
    with open(os.environ["GATE"]) as gate:
        fcntl.flock(gate, fcntl.LOCK_SH)
    return "done"
"""
"""A handler that waits, without polling, until the test opens its Gate (env GATE)."""


class Gate:
    """A file the test holds locked: GATED handlers given its path block on it until `open()`
    (one that arrives after it was opened goes straight through)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "gate"
        self._held = self.path.open("w")
        fcntl.flock(self._held, fcntl.LOCK_EX)

    def open(self) -> None:
        self._held.close()


@pytest.fixture(scope="module")
def lam(tidal_endpoint: str):
    return client("lambda", tidal_endpoint)


@pytest.fixture(scope="module")
def logs(tidal_endpoint: str):
    return client("logs", tidal_endpoint)


@pytest.fixture(scope="module")
def role(tidal_endpoint: str) -> str:
    return make_role(client("iam", tidal_endpoint))


def function(
    lam: Any,
    role: str,
    files: dict[str, str] | str,
    handler: str = "app.handler",
    runtime: str = "python3.12",
    **extra: Any,
) -> str:
    """A new function running `files` (or one `app.py` / `app.js` holding `files`); its name."""
    if isinstance(files, str):
        files = {"app.js" if runtime.startswith("nodejs") else "app.py": files}
    name = unique("inv")
    lam.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=role,
        Handler=handler,
        Code={"ZipFile": zipped(files)},
        **extra,
    )
    return name


def invoke_json(lam: Any, name: str, event: Any = None, **extra: Any) -> tuple[dict, Any]:
    """Invoke synchronously; (the response without its payload, the decoded payload)."""
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}), **extra)
    payload = response.pop("Payload").read()
    return response, json.loads(payload)


def quiet(server: Server) -> bool:
    """Nothing runs and the asynchronous queue is empty."""
    return invocations.in_flight(server.runtime) == 0 and invocations.queued(server.runtime) == 0


def log_messages(logs: Any, function_name: str) -> list[str]:
    """Every message of the function's log group, stream by stream in creation order."""
    group = f"/aws/lambda/{function_name}"
    streams = logs.describe_log_streams(logGroupName=group, orderBy="LogStreamName")
    messages = []
    for stream in streams["logStreams"]:
        events = logs.get_log_events(
            logGroupName=group, logStreamName=stream["logStreamName"], startFromHead=True
        )
        messages.extend(event["message"] for event in events["events"])
    return messages
