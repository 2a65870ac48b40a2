"""Functions that fail beyond raising: timeouts, processes that end, code that cannot load."""

from __future__ import annotations

import base64
import json

import pytest

from tests.integration import lambda_invoke_support as support
from tests.integration.lambda_invoke_support import function, invoke_json

lam, role = support.lam, support.role  # fixtures

CODE = """
import os
import signal
import threading

def handler(event, context):
    if event.get("sleep"):
        threading.Event().wait()
    return {"pid": os.getpid()}

def slow(event, context):
    print("working")
    threading.Event().wait()

def leave(event, context):
    os._exit(event["status"])

def crash(event, context):
    os.kill(os.getpid(), signal.SIGSEGV)
"""


def test_a_timeout_ends_the_environment(lam, role):
    name = function(lam, role, CODE, handler="app.slow", Timeout=1)
    response = lam.invoke(FunctionName=name, LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    payload = json.loads(response["Payload"].read())
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert payload == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after 1.00 seconds",
    }
    tail = base64.b64decode(response["LogResult"]).decode()
    assert "working\n" in tail
    assert f"Z {request_id} Task timed out after 1.00 seconds\n" in tail
    assert f"END RequestId: {request_id}\n" in tail


def test_after_a_timeout_the_next_invoke_starts_a_new_environment(lam, role):
    name = function(lam, role, CODE, Timeout=1)
    first = invoke_json(lam, name)[1]["pid"]
    assert invoke_json(lam, name)[1]["pid"] == first
    assert invoke_json(lam, name, {"sleep": True})[1]["errorType"] == "Sandbox.Timedout"
    assert invoke_json(lam, name)[1]["pid"] != first


@pytest.mark.parametrize(
    ("handler", "event", "reason"),
    [
        ("app.leave", {"status": 1}, "Runtime exited with error: exit status 1"),
        ("app.leave", {"status": 0}, "Runtime exited without providing a reason"),
        ("app.crash", {}, "Runtime exited with error: signal: segmentation fault"),
    ],
)
def test_a_process_that_ends_during_the_invoke(lam, role, handler, event, reason):
    name = function(lam, role, CODE, handler=handler)
    response, payload = invoke_json(lam, name, event, LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert payload == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: {reason}",
    }
    tail = base64.b64decode(response["LogResult"]).decode()
    assert f"RequestId: {request_id} Error: {reason}\nRuntime.ExitError\n" in tail


def test_a_module_that_cannot_be_imported(lam, role):
    name = function(lam, role, "import not_installed_anywhere\n")
    response, payload = invoke_json(lam, name, LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.ImportModuleError"
    assert payload["errorMessage"] == (
        "Unable to import module 'app': No module named 'not_installed_anywhere'"
    )
    tail = base64.b64decode(response["LogResult"]).decode()
    assert "Runtime.ImportModuleError" in tail
    assert "Init Duration" in tail


def test_a_handler_that_is_not_there(lam, role):
    name = function(lam, role, CODE, handler="app.missing")
    response, payload = invoke_json(lam, name)
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.HandlerNotFound"
    assert payload["errorMessage"] == "Handler 'missing' missing on module 'app'"


def test_memory_beyond_memory_size(lam, role):
    code = (
        "import threading\n"
        "def handler(event, context):\n"
        "    hog = bytearray(300 * 1024 * 1024)\n"
        "    for i in range(0, len(hog), 4096):\n"
        "        hog[i] = 1\n"
        "    threading.Event().wait()\n"
    )
    name = function(lam, role, code, MemorySize=128, Timeout=20)
    response, payload = invoke_json(lam, name, LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    assert payload == {
        "errorType": "Runtime.OutOfMemory",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
    }
    assert "Max Memory Used: 128 MB\t" in base64.b64decode(response["LogResult"]).decode()
