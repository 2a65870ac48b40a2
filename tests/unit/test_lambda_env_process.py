"""Execution environments with a custom runtime (`provided.al2023`): the process, its Runtime
API, its logs, and what the server does when it times out, crashes or grows too large.

The bootstrap here is a minimal runtime written for the test; what the event asks it to do
(`"do"`) drives each case. The Python and Node.js runtimes are tested through Invoke in the
integration tests.
"""

from __future__ import annotations

import asyncio
import os
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
import uvloop

from tidal.awslambda import environments, invocations, runtimes
from tidal.awslambda.functions import FunctionVersion
from tidal.core.config import Config
from tidal.core.runtime import Runtime
from tidal.storage import open_store
from tidal.testing.waiting import until

TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
BOOTSTRAP = f"""#!{sys.executable}
import http.client, json, os, signal, struct, subprocess, sys, time

api = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
telemetry = int(os.environ["_LAMBDA_TELEMETRY_LOG_FD"])
base = "/2018-06-01/runtime/"


def post(path, body, headers=None):
    api.request("POST", base + path, body, headers or {{}})
    answer = api.getresponse()
    return answer.status, answer.read()


def frame(text):
    data = text.encode()
    os.write(telemetry, struct.pack(">IIQ", 0xA55A0003, len(data), int(time.time() * 1e6)) + data)


print("init output", flush=True)
if os.environ.get("FAIL_INIT"):
    post("init/error", json.dumps({{"errorMessage": "cannot start", "errorType": "Custom.Init"}}),
         {{"Lambda-Runtime-Function-Error-Type": "Custom.Init"}})
    sys.exit(1)
while True:
    api.request("GET", base + "invocation/next")
    answer = api.getresponse()
    event = json.loads(answer.read())
    rid = answer.getheader("Lambda-Runtime-Aws-Request-Id")
    do = event.get("do")
    if do == "echo":
        frame("framed line\\n")
        print("printed line", flush=True)
        context = {{name: answer.getheader(name) for name in answer.headers}}
        env = {{name: os.environ.get(name) for name in event.get("env", [])}}
        result = {{"pid": os.getpid(), "event": event, "headers": context, "env": env}}
        print(post(f"invocation/{{rid}}/response", json.dumps(result)), file=sys.stderr, flush=True)
    elif do == "fail":
        failure = {{"errorMessage": "nope", "errorType": "KeyError"}}
        post(f"invocation/{{rid}}/error", json.dumps(failure))
    elif do == "sleep":
        if event.get("child"):
            child = subprocess.Popen(["sleep", "infinity"])
            print(f"child {{child.pid}}", flush=True)
        signal.pause()
    elif do == "exit":
        sys.stdout.write("last words\\n")
        sys.stdout.flush()
        os._exit(event["code"])
    elif do == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif do == "alloc":
        hog = bytearray(event["mb"] * 1024 * 1024)
        for i in range(0, len(hog), 4096):
            hog[i] = 1
        signal.pause()
    elif do == "big":
        status = post(f"invocation/{{rid}}/response", b"x" * (6291556 + 1))
        print("response status", status[0], flush=True)
    elif do == "spawn":
        stubborn = "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        stubborn += "print('ready', flush=True); signal.pause()"
        child = subprocess.Popen([sys.executable, "-c", stubborn], stdout=subprocess.PIPE)
        child.stdout.readline()
        result = {{"pid": os.getpid(), "child": child.pid}}
        post(f"invocation/{{rid}}/response", json.dumps(result))
    elif do == "respond_then_exit":
        post(f"invocation/{{rid}}/response", json.dumps({{"pid": os.getpid()}}))
        os._exit(0)
    elif do == "twice":
        post(f"invocation/{{rid}}/response", "1")
        status, body = post(f"invocation/{{rid}}/response", "2")
        wrong, _ = post("invocation/not-this-one/response", "3")
        post("init/error", "{{}}")
        print("second", status, wrong, flush=True)
"""


class LogRecorder:
    def __init__(self) -> None:
        self.streams: dict[tuple[str, str], list[tuple[int, str]]] = {}

    def put_events(self, txn, account, region, group, stream, events):
        self.streams.setdefault((group, stream), []).extend(events)

    def messages(self) -> list[str]:
        return [message for events in self.streams.values() for _, message in events]


@pytest.fixture
def logs(monkeypatch) -> LogRecorder:
    recorder = LogRecorder()
    monkeypatch.setattr(environments.ingest, "put_events", recorder.put_events)
    return recorder


@pytest.fixture
def code_dir(tmp_path: Path) -> Path:
    bootstrap = tmp_path / "bootstrap"
    bootstrap.write_text(BOOTSTRAP)
    bootstrap.chmod(bootstrap.stat().st_mode | stat.S_IXUSR)
    return tmp_path


def version(code_dir: Path, **fields) -> FunctionVersion:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:env-test"
    defaults = dict(
        account="123456789012",
        region="us-east-1",
        name="env-test",
        version="$LATEST",
        arn=arn,
        qualified_arn=f"{arn}:$LATEST",
        invoked_arn=arn,
        runtime="provided.al2023",
        handler="any.handler",
        role="arn:aws:iam::123456789012:role/r",
        timeout=3,
        memory_size=128,
        code_dir=code_dir,
        code_sha256="sha",
        revision_id="rev-1",
    )
    defaults.update(fields)
    return FunctionVersion(**defaults)


def run(scenario: Callable, **config) -> object:
    async def main():
        runtime = Runtime(Config(port=0, in_memory=True, **config), open_store(None))
        try:
            return await scenario(runtime)
        finally:
            await environments.pool_of(runtime).shutdown()
            runtime.store.close()

    return uvloop.run(main()) if hasattr(uvloop, "run") else asyncio.run(main())


async def invoke(runtime, function, event: dict, **options) -> invocations.Invocation:
    return await invocations.invoke(runtime, function, orjson.dumps(event), **options)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as status:
            return status.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def test_warm_reuse_and_the_platform_lines(code_dir, logs):
    function = version(code_dir)

    async def scenario(runtime):
        first = await invoke(runtime, function, {"do": "echo"}, tail=True)
        second = await invoke(runtime, function, {"do": "echo"}, tail=True)
        return first, second

    first, second = run(scenario)
    assert first.function_error is None and first.executed_version == "$LATEST"
    one, two = orjson.loads(first.payload), orjson.loads(second.payload)
    assert one["pid"] == two["pid"]
    assert one["headers"]["Lambda-Runtime-Aws-Request-Id"] == first.request_id
    messages = logs.messages()
    assert messages[0].startswith("INIT_START Runtime Version: provided:al2023.v")
    assert messages[1] == "init output\n"
    assert messages[2] == f"START RequestId: {first.request_id} Version: $LATEST\n"
    assert set(messages[3:5]) == {"framed line\n", "printed line\n"}
    assert messages[5] == f"END RequestId: {first.request_id}\n"
    assert re.fullmatch(
        rf"REPORT RequestId: {first.request_id}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
        r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n",
        messages[6],
    )
    assert messages[7] == '(202, b\'{"status":"OK"}\')\n'
    assert messages[8] == f"START RequestId: {second.request_id} Version: $LATEST\n"
    assert messages.count("INIT_START" + messages[0][10:]) == 1
    warm_report = [m for m in messages if m.startswith(f"REPORT RequestId: {second.request_id}")]
    assert warm_report and "Init Duration" not in warm_report[0]
    assert second.log_tail.startswith(f"START RequestId: {second.request_id}")
    assert second.log_tail.endswith("\t\n")
    assert "INIT_START" not in second.log_tail
    [(group, stream)] = logs.streams
    assert group == "/aws/lambda/env-test"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", stream)


def test_environment_variables_and_runtime_headers(code_dir, logs):
    function = version(
        code_dir, environment={"GREETING": "hi", "TZ": "Europe/Paris"}, memory_size=256
    )
    names = [
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "_HANDLER",
        "LAMBDA_TASK_ROOT",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "LANG",
        "TZ",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "GREETING",
        "AWS_EXECUTION_ENV",
        "HOME_OF_SERVER",
    ]

    async def scenario(runtime):
        context = "eyJjdXN0b20iOnsiYSI6ImIifX0="  # {"custom":{"a":"b"}}
        return await invoke(
            runtime, function, {"do": "echo", "env": names}, client_context=context
        ), runtime.endpoint_url

    result, endpoint = run(scenario)
    document = orjson.loads(result.payload)
    env = document["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "env-test"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/env-test"
    assert re.fullmatch(
        r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", env["AWS_LAMBDA_LOG_STREAM_NAME"]
    )
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["_HANDLER"] == "any.handler"
    assert env["LAMBDA_TASK_ROOT"] == str(code_dir)
    assert env["AWS_ACCESS_KEY_ID"] == "123456789012"
    assert env["AWS_SECRET_ACCESS_KEY"] and env["AWS_SESSION_TOKEN"]
    assert env["AWS_ENDPOINT_URL"] == endpoint
    assert env["LANG"] == "en_US.UTF-8"
    assert env["TZ"] == "Europe/Paris"
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["GREETING"] == "hi"
    assert env["AWS_EXECUTION_ENV"] is None
    assert env["HOME_OF_SERVER"] is None
    headers = document["headers"]
    assert headers["Lambda-Runtime-Client-Context"] == '{"custom":{"a":"b"}}'
    assert "Lambda-Runtime-Cognito-Identity" not in headers
    assert re.fullmatch(
        r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0",
        headers["Lambda-Runtime-Trace-Id"],
    )
    assert headers["Lambda-Runtime-Invoked-Function-Arn"] == function.invoked_arn


def test_function_error_posted_by_the_runtime(code_dir, logs):
    result = run(lambda runtime: invoke(runtime, version(code_dir), {"do": "fail"}))
    assert result.function_error == "Unhandled"
    assert result.error_type == "KeyError"
    assert orjson.loads(result.payload) == {"errorMessage": "nope", "errorType": "KeyError"}


def test_timeout_kills_the_process_and_its_children(code_dir, logs):
    function = version(code_dir, timeout=1)

    async def scenario(runtime):
        result = await invoke(runtime, function, {"do": "sleep", "child": True}, tail=True)
        after = await invoke(runtime, function, {"do": "echo"})
        return result, after

    result, after = run(scenario)
    assert result.function_error == "Unhandled"
    assert result.error_type == "Sandbox.Timedout"
    assert orjson.loads(result.payload) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {result.request_id} Error: Task timed out after 1.00 seconds",
    }
    assert 1000 <= result.duration_ms < 2000
    child = int(re.search(r"child (\d+)", result.log_tail).group(1))
    assert not alive(child)
    line = rf"{TIME} {result.request_id} Task timed out after 1.00 seconds\n"
    assert re.search(line, result.log_tail)
    assert orjson.loads(after.payload)["pid"] != child
    assert after.function_error is None
    init_starts = [m for m in logs.messages() if m.startswith("INIT_START")]
    assert len(init_starts) == 2


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({"do": "exit", "code": 0}, "Runtime exited without providing a reason"),
        ({"do": "exit", "code": 3}, "Runtime exited with error: exit status 3"),
        ({"do": "segv"}, "Runtime exited with error: signal: segmentation fault"),
    ],
)
def test_a_process_that_ends_during_an_invoke(code_dir, logs, event, reason):
    result = run(lambda runtime: invoke(runtime, version(code_dir), event, tail=True))
    assert result.error_type == "Runtime.ExitError"
    assert orjson.loads(result.payload) == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {result.request_id} Error: {reason}",
    }
    if event["do"] == "exit":
        assert "last words\n" in result.log_tail
    assert f"RequestId: {result.request_id} Error: {reason}\nRuntime.ExitError\n" in result.log_tail


def test_init_error_fails_the_invoke_with_its_type(code_dir, logs):
    function = version(code_dir, environment={"FAIL_INIT": "1"})
    result = run(lambda runtime: invoke(runtime, function, {"do": "echo"}, tail=True))
    assert result.function_error == "Unhandled"
    assert result.error_type == "Custom.Init"
    assert orjson.loads(result.payload) == {
        "errorMessage": "cannot start",
        "errorType": "Custom.Init",
    }
    assert "Init Duration" in result.log_tail


@pytest.mark.parametrize("slow_start", [False, True], ids=["start", "slow-start"])
def test_memory_beyond_memory_size_is_out_of_memory(code_dir, logs, monkeypatch, slow_start):
    """With a slow start the first look at the memory comes before the process exists; the
    watch goes on all the same."""
    if slow_start:
        prepare = runtimes.prepare

        async def slowly(name: str) -> None:
            await asyncio.sleep(3 * environments.MEMORY_CHECK)
            await prepare(name)

        monkeypatch.setattr(runtimes, "prepare", slowly)
    function = version(code_dir, memory_size=128, timeout=10)
    result = run(lambda runtime: invoke(runtime, function, {"do": "alloc", "mb": 300}, tail=True))
    assert result.error_type == "Runtime.OutOfMemory"
    assert orjson.loads(result.payload) == {
        "errorType": "Runtime.OutOfMemory",
        "errorMessage": f"RequestId: {result.request_id} Error: "
        "Runtime exited with error: signal: killed",
    }
    assert "Max Memory Used: 128 MB\t" in result.log_tail


def test_a_response_too_large(code_dir, logs):
    function = version(code_dir)

    async def scenario(runtime):
        first = await invoke(runtime, function, {"do": "big"})
        second = await invoke(runtime, function, {"do": "echo"})
        return first, second

    first, second = run(scenario)
    assert first.error_type == "Function.ResponseSizeTooLarge"
    assert orjson.loads(first.payload) == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size "
        "(6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }
    assert "response status 413\n" in logs.messages()
    assert second.function_error is None


def test_second_response_and_wrong_ids_are_refused(code_dir, logs):
    function = version(code_dir)

    async def scenario(runtime):
        first = await invoke(runtime, function, {"do": "twice"})
        await invoke(runtime, function, {"do": "echo"})
        return first

    first = run(scenario)
    assert first.payload == b"1"
    assert "second 403 400\n" in logs.messages()


def test_a_warm_environment_that_ended_between_invokes_is_replaced(code_dir, logs):
    function = version(code_dir)

    async def scenario(runtime):
        first = await invoke(runtime, function, {"do": "respond_then_exit"})
        pid = orjson.loads(first.payload)["pid"]
        await until(lambda: not alive(pid))
        return first, await invoke(runtime, function, {"do": "echo"})

    first, second = run(scenario)
    assert second.function_error is None
    assert orjson.loads(second.payload)["pid"] != orjson.loads(first.payload)["pid"]


def test_new_code_gets_a_new_environment_a_new_revision_alone_does_not(code_dir, logs):
    async def scenario(runtime):
        one = await invoke(runtime, version(code_dir), {"do": "echo"})
        tagged = await invoke(runtime, version(code_dir, revision_id="rev-2"), {"do": "echo"})
        two = await invoke(runtime, version(code_dir, code_sha256="sha-2"), {"do": "echo"})
        pids = [orjson.loads(result.payload)["pid"] for result in (one, tagged, two)]
        await until(lambda: not any(alive(pid) for pid in pids))
        return pids, len(environments.pool_of(runtime).live)

    pids, live = run(scenario, lambda_idle=0.2)
    assert pids[0] == pids[1] != pids[2]
    assert live == 0


def test_shutdown_ends_every_process(code_dir, logs):
    """Also what the handler started, even a process that ignores SIGTERM: gone by the time
    the shutdown returns."""
    holder = {}

    async def scenario(runtime):
        result = await invoke(runtime, version(code_dir), {"do": "spawn"})
        holder.update(orjson.loads(result.payload))
        assert alive(holder["pid"]) and alive(holder["child"])

    run(scenario)
    assert not alive(holder["pid"])
    assert not alive(holder["child"])


def test_a_missing_bootstrap_is_an_invalid_entrypoint(tmp_path, logs):
    result = run(lambda runtime: invoke(runtime, version(tmp_path), {}))
    assert result.error_type == "Runtime.InvalidEntrypoint"
    assert orjson.loads(result.payload)["errorMessage"] == (
        f"RequestId: {result.request_id} Error: Couldn't find valid bootstrap(s): "
        "[/var/task/bootstrap /opt/bootstrap]"
    )


def test_concurrent_invokes_get_their_own_environments(code_dir, logs):
    function = version(code_dir)

    async def scenario(runtime):
        results = await asyncio.gather(
            *(invoke(runtime, function, {"do": "echo"}) for _ in range(3))
        )
        return {orjson.loads(result.payload)["pid"] for result in results}

    assert len(run(scenario)) == 3
