"""Execution environments: one supervised process per environment, pooled per function version.

An environment is a child process started with `runtimes.launch` (its own session, so what
the handler starts dies with it), its Runtime API listener, and the pipes its output comes
through. The first invoke of a function version starts one (a cold start: INIT_START, Init
Duration); later invokes reuse an idle one (warm). Environments are keyed on the qualified
ARN, the code and the configuration (`key_of`), so a code or configuration update leads to
fresh environments while the old ones expire after `config.lambda_idle` seconds unused.

The server stops an environment when its invoke times out (Sandbox.Timedout), when its memory
grows past MemorySize (Runtime.OutOfMemory), after an init error, and when it expires; its
process may also end by itself (Runtime.ExitError). Memory is watched rather than limited
(an address-space limit would break Node.js): while an invoke runs, the resident size of the
process and its descendants is read from /proc every MEMORY_CHECK seconds; their peak is
REPORT's Max Memory Used. Every log line goes to the environment's log stream, written once
per invoke in one store transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import signal
import time
from dataclasses import dataclass

import orjson

from tidal.awslambda import code, platform_logs, runtimes
from tidal.awslambda.functions import FunctionVersion
from tidal.awslambda.log_capture import LogCapture
from tidal.awslambda.runtime_api import (
    ACCEPTED,
    INVALID_REQUEST_ID,
    TOO_LARGE,
    Event,
    NextWaiter,
    Reply,
    RuntimeApi,
    invalid_state,
)
from tidal.core import clock
from tidal.core.runtime import Runtime
from tidal.logs import ingest

log = logging.getLogger(__name__)

INIT_LIMIT = 10.0
"""Seconds the init phase may take before the invoke's own timeout starts counting."""
MEMORY_CHECK = 0.1
"""Seconds between two looks at the memory of a busy environment."""
STOP_GRACE = 2.0
"""Seconds between SIGTERM and SIGKILL when an environment is stopped."""
EXIT_GRACE = 1.0
"""Seconds to wait, after a process ended, for what it sent before it ended."""
TAIL_BYTES = 4096

Key = tuple[str, bytes]

_SIGNAL_NAMES = {
    signal.SIGHUP: "hangup",
    signal.SIGINT: "interrupt",
    signal.SIGQUIT: "quit",
    signal.SIGILL: "illegal instruction",
    signal.SIGTRAP: "trace/breakpoint trap",
    signal.SIGABRT: "aborted",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating point exception",
    signal.SIGKILL: "killed",
    signal.SIGUSR1: "user defined signal 1",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGUSR2: "user defined signal 2",
    signal.SIGPIPE: "broken pipe",
    signal.SIGALRM: "alarm clock",
    signal.SIGTERM: "terminated",
}
"""How Go (the Lambda service's language) names a signal in `signal: <name>`."""


@dataclass(slots=True)
class Outcome:
    """What became of one event in one environment."""

    payload: bytes
    error_type: str | None
    """None on success; the error's type otherwise (`Sandbox.Timedout`, `ValueError`, …)."""
    duration_ms: float
    log_tail: str
    """The end (at most 4 KB) of the invocation's log, START to REPORT."""
    delivered: bool = True
    """False when a warm environment ended before it took the event: try another."""


_OUTSIDE_THE_PROCESS = dict.fromkeys(
    (
        "revision_id",
        "invoked_arn",
        "state",
        "last_update_status",
        "reserved_concurrency",
        "event_invoke_config",
    )
)


HOT_RELOAD_FOLDERS = code.FolderWatch()
"""What hot-reload folders hold now, as `key_of` sees them."""


def key_of(function: FunctionVersion) -> Key:
    """Which environments may serve `function`: those started for the same version, code and
    configuration. A change that never reaches the process (a tag, a permission, the state
    settling — each a new RevisionId) keeps its environments warm, as on AWS. A function run
    from a hot-reload folder also needs the folder as it is now: an edit starts a new
    environment (within `FolderWatch.max_age`)."""
    shape = dataclasses.asdict(dataclasses.replace(function, **_OUTSIDE_THE_PROCESS))
    if function.hot_reload:
        shape["code_sha256"] = HOT_RELOAD_FOLDERS.digest(function.code_dir)
    return function.qualified_arn, orjson.dumps(shape, default=str, option=orjson.OPT_SORT_KEYS)


def environment_variables(
    runtime: Runtime, function: FunctionVersion, api_port: int, stream: str, telemetry_fd: int
) -> dict[str, str]:
    """The variables AWS sets (reference §4) plus the function's own; `runtimes.launch` adds
    the runtime's (AWS_EXECUTION_ENV, PATH …).

    The access key id is the function's account id: a 12-digit key makes Tidal file the
    calls the function makes under its account. AWS_ENDPOINT_URL points the SDKs at Tidal.
    """
    variables = {
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_VERSION": function.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_LOG_GROUP_NAME": group_of(function),
        "AWS_LAMBDA_LOG_STREAM_NAME": stream,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api_port}",
        "AWS_REGION": function.region,
        "AWS_DEFAULT_REGION": function.region,
        "AWS_ACCESS_KEY_ID": function.account,
        "AWS_SECRET_ACCESS_KEY": "tidal-secret-access-key",
        "AWS_SESSION_TOKEN": "tidal-session-token",
        "AWS_ENDPOINT_URL": runtime.endpoint_url,
        "_HANDLER": function.handler,
        "LAMBDA_TASK_ROOT": str(function.code_dir),
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
    }
    variables.update(function.environment)
    variables["_LAMBDA_TELEMETRY_LOG_FD"] = str(telemetry_fd)
    return variables


def group_of(function: FunctionVersion) -> str:
    return function.log_group or platform_logs.log_group(function.name)


class Environment:
    """One execution environment. `invoke` runs one event at a time."""

    def __init__(self, runtime: Runtime, function: FunctionVersion) -> None:
        self.runtime = runtime
        self.function = function
        self.key = key_of(function)
        self.group = group_of(function)
        self.stream = platform_logs.log_stream_name(function.version, clock.now())
        self.capture = LogCapture(self._log)
        self.api = RuntimeApi(self)
        self.process: asyncio.subprocess.Process | None = None
        self.exit_status: int | None = None
        self.initialized = False
        self.served = 0
        self.max_memory_mb = 0
        self.pending_logs: list[tuple[int, str]] = []
        self._last_stamp = 0
        self._tail: list[str] | None = None
        self._init_log: list[str] = []
        self._spawned = 0.0
        self._init_ms: float | None = None
        self._waiter: NextWaiter | None = None
        self._event: Event | None = None
        self._given = False
        self._started_at = 0.0
        self._future: asyncio.Future[Outcome] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._memory_timer: asyncio.TimerHandle | None = None
        self._last_done: str | None = None
        self._exit_task: asyncio.Task | None = None
        self._stopping = False

    @property
    def alive(self) -> bool:
        return self.exit_status is None and not self._stopping

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    # invoking

    async def invoke(self, event: Event) -> Outcome:
        loop = asyncio.get_running_loop()
        self._future = future = loop.create_future()
        self._event, self._given = event, False
        self._started_at = time.perf_counter()
        budget = self.function.timeout + (0 if self.initialized else INIT_LIMIT)
        self._timer = loop.call_later(budget, self._time_out)
        self._memory_timer = loop.call_later(MEMORY_CHECK, self._check_memory)
        try:
            if self.process is None:
                await self._start()
            elif self._waiter is not None:
                self._give()
            outcome = await future
        except BaseException:
            self._abandon()
            raise
        self.flush_logs()
        return outcome

    def _abandon(self) -> None:
        """The invoke ended without an outcome (cancelled, or the runtime cannot start):
        this environment is not used again."""
        self._stopping = True
        self._event, self._future = None, None
        self._cancel_timers()
        self._kill()

    def next_wanted(self, waiter: NextWaiter) -> None:
        self.capture.drain()
        if not self.initialized:
            self.initialized = True
            self._init_ms = (time.perf_counter() - self._spawned) * 1000
            self._init_log = []
            self._measure_memory()
        self._waiter = waiter
        if self._event is not None and not self._given and self._future is not None:
            self._give()

    def next_abandoned(self, waiter: NextWaiter) -> None:
        if self._waiter is waiter:
            self._waiter = None

    def response(self, request_id: str, body: bytes | None) -> Reply:
        refused = self._check_request(request_id)
        if refused:
            return refused
        if body is None:
            self._finish(
                orjson.dumps(
                    {
                        "errorMessage": "Response payload size exceeded maximum allowed "
                        "payload size (6291556 bytes).",
                        "errorType": "Function.ResponseSizeTooLarge",
                    }
                ),
                "Function.ResponseSizeTooLarge",
            )
            return TOO_LARGE
        self._finish(body, None)
        return ACCEPTED

    def error(self, request_id: str, body: bytes, error_type: str | None) -> Reply:
        refused = self._check_request(request_id)
        if refused:
            return refused
        payload, kind = _error_payload(body, error_type)
        self._finish(payload, kind)
        return ACCEPTED

    def init_error(self, body: bytes, error_type: str | None) -> Reply:
        if self.initialized:
            return invalid_state("Ready", "InitError")
        payload, kind = _error_payload(body, error_type)
        self._stopping = True
        if self._future is not None and not self._future.done():
            self._finish(payload, kind)
        self._kill()
        return ACCEPTED

    def _check_request(self, request_id: str) -> Reply | None:
        if self._event is not None and self._given and request_id == self._event.request_id:
            return None
        if request_id == self._last_done:
            return invalid_state("ResponseSent", "ResponseSent")
        return INVALID_REQUEST_ID

    def _give(self) -> None:
        waiter, event = self._waiter, self._event
        if waiter is None or event is None:
            return
        self._waiter = None
        self.capture.drain()
        event.deadline_ms = int((clock.now() + self.function.timeout) * 1000)
        if not waiter.give(event):
            return
        self._given = True
        self._start_tail(event)
        self._started_at = time.perf_counter()
        if self._timer is not None:
            self._timer.cancel()
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self.function.timeout, self._time_out)

    def _start_tail(self, event: Event) -> None:
        self._tail = [] if self._given else list(self._init_log)
        self._log(
            int(clock.now() * 1000), platform_logs.start(event.request_id, self.function.version)
        )

    def _finish(
        self, payload: bytes, error_type: str | None, *lines: str, at_least_ms: float = 0.0
    ) -> None:
        """End the invocation in progress: its last output, END and REPORT, the outcome."""
        event, future = self._event, self._future
        if event is None or future is None or future.done():
            return
        duration = max((time.perf_counter() - self._started_at) * 1000, at_least_ms)
        self.capture.drain()
        if self._tail is None:
            self._start_tail(event)
        self.capture.flush_partial()
        stamp = int(clock.now() * 1000)
        for line in lines:
            self._log(stamp, line)
        self._log(stamp, platform_logs.end(event.request_id))
        self._measure_memory()
        self._log(
            stamp,
            platform_logs.report(
                event.request_id,
                duration,
                self.function.memory_size,
                self.max_memory_mb,
                self._init_duration() if self.served == 0 else None,
            ),
        )
        tail = "".join(self._tail or ())
        self._tail = None
        self.served += 1
        self._last_done = event.request_id
        self._event, self._given, self._future = None, False, None
        self._cancel_timers()
        future.set_result(Outcome(payload, error_type, duration, _last_bytes(tail, TAIL_BYTES)))

    def _cancel_timers(self) -> None:
        for timer in (self._timer, self._memory_timer):
            if timer is not None:
                timer.cancel()
        self._timer = self._memory_timer = None

    def _init_duration(self) -> float:
        if self._init_ms is not None:
            return self._init_ms
        return (time.perf_counter() - self._spawned) * 1000 if self._spawned else 0.0

    def _time_out(self) -> None:
        event = self._event
        if event is None:
            return
        timeout = self.function.timeout
        self._stopping = True
        self._kill()
        message = platform_logs.timeout_message(event.request_id, timeout)
        self._finish(
            orjson.dumps({"errorType": "Sandbox.Timedout", "errorMessage": message}),
            "Sandbox.Timedout",
            platform_logs.timed_out(event.request_id, timeout, clock.now()),
            at_least_ms=timeout * 1000.0 if self._given else 0.0,
        )

    def _check_memory(self) -> None:
        """Look at the memory of the process, and look again in MEMORY_CHECK seconds while the
        invoke runs (also while a cold start has not spawned the process yet)."""
        self._memory_timer = None
        if self._event is None or not self.alive:
            return
        if self.process is not None:
            resident, peak = _tree_memory_kb(self.process.pid)
            self.max_memory_mb = max(self.max_memory_mb, _mb(peak, self.function.memory_size))
            if resident > self.function.memory_size * 1024:
                self._out_of_memory()
                return
        self._memory_timer = asyncio.get_running_loop().call_later(MEMORY_CHECK, self._check_memory)

    def _out_of_memory(self) -> None:
        event = self._event
        assert event is not None
        self._stopping = True
        self._kill()
        self.max_memory_mb = self.function.memory_size
        reason = "Runtime exited with error: signal: killed"
        self._finish(
            orjson.dumps(
                {
                    "errorType": "Runtime.OutOfMemory",
                    "errorMessage": platform_logs.exit_message(event.request_id, reason),
                }
            ),
            "Runtime.OutOfMemory",
            platform_logs.exited(event.request_id, reason, "Runtime.OutOfMemory"),
        )

    def _measure_memory(self) -> None:
        if self.process is not None and self.exit_status is None:
            peak = _tree_memory_kb(self.process.pid)[1]
            self.max_memory_mb = max(self.max_memory_mb, _mb(peak, self.function.memory_size))

    # the process

    async def _start(self) -> None:
        function = self.function
        loop = asyncio.get_running_loop()
        self._log(
            int(clock.now() * 1000), platform_logs.init_start(function.runtime, function.region)
        )
        self._spawned = time.perf_counter()
        try:
            await runtimes.prepare(function.runtime)
            port = await self.api.start()
            if self._stopping:
                return
            self.capture.open(loop)
            out, telemetry = self.capture.child_fds
            variables = environment_variables(self.runtime, function, port, self.stream, telemetry)
            launch = runtimes.launch(function, variables)
            self.process = await asyncio.create_subprocess_exec(
                *launch.argv,
                env=launch.env,
                cwd=launch.cwd,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                pass_fds=(telemetry,),
                start_new_session=True,
            )
        except OSError as error:
            self._cannot_start(error)
            return
        finally:
            self.capture.release_child_fds()
        self._exit_task = loop.create_task(self._watch_exit(self.process))
        if self._stopping:
            self._kill()

    def _cannot_start(self, error: OSError) -> None:
        event = self._event
        assert event is not None
        self._stopping = True
        if isinstance(error, FileNotFoundError):
            reason = "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"
        else:
            reason = f"fork/exec /var/task/bootstrap: {os.strerror(error.errno or 0).lower()}"
        message = platform_logs.exit_message(event.request_id, reason)
        self._finish(
            orjson.dumps({"errorType": "Runtime.InvalidEntrypoint", "errorMessage": message}),
            "Runtime.InvalidEntrypoint",
            f"{message}\nRuntime.InvalidEntrypoint\n",
        )
        self._close()

    async def _watch_exit(self, process: asyncio.subprocess.Process) -> None:
        status = await process.wait()
        self._kill()
        if self._future is not None and not self._future.done():
            await self.api.connections_closed(EXIT_GRACE)
            await self.capture.ended(EXIT_GRACE)
        self.exit_status = status
        event = self._event
        if self._future is not None and not self._future.done() and event is not None:
            if not self._given and self.served and not self._stopping:
                future = self._future
                self._event, self._future = None, None
                self._cancel_timers()
                future.set_result(Outcome(b"", None, 0.0, "", delivered=False))
            else:
                reason = _exit_reason(status)
                message = platform_logs.exit_message(event.request_id, reason)
                self._finish(
                    orjson.dumps({"errorType": "Runtime.ExitError", "errorMessage": message}),
                    "Runtime.ExitError",
                    platform_logs.exited(event.request_id, reason, "Runtime.ExitError"),
                )
        self._close()

    def _kill(self) -> None:
        if self.process is not None:
            _signal_group(self.process.pid, signal.SIGKILL)

    async def stop(self) -> None:
        """End the process (SIGTERM, then SIGKILL after STOP_GRACE), wait until the processes
        it started have ended too, and release everything."""
        self._stopping = True
        process = self.process
        if process is not None and process.returncode is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(asyncio.shield(process.wait()), STOP_GRACE)
            except TimeoutError:
                _signal_group(process.pid, signal.SIGKILL)
                await process.wait()
        if self._exit_task is not None:
            await asyncio.gather(self._exit_task, return_exceptions=True)
        if process is not None:
            await _group_ended(process.pid, STOP_GRACE)
        self._close()
        self.flush_logs()

    def _close(self) -> None:
        self.api.close()
        self.capture.close()

    # logs

    def _log(self, stamp: int, message: str) -> None:
        if not message:
            return
        stamp = max(stamp, self._last_stamp)
        self._last_stamp = stamp
        self.pending_logs.append((stamp, message))
        line = message if message.endswith("\n") else message + "\n"
        if self._tail is not None:
            self._tail.append(line)
        elif not self.initialized:
            self._init_log.append(line)

    def flush_logs(self) -> None:
        """Write what the environment logged since the last flush, in one transaction."""
        if not self.pending_logs:
            return
        events, self.pending_logs = self.pending_logs, []
        function = self.function
        with self.runtime.store.transaction(write=True) as txn:
            ingest.put_events(
                txn, function.account, function.region, self.group, self.stream, events
            )


def _error_payload(body: bytes, error_type: str | None) -> tuple[bytes, str]:
    """The invoke's payload and error type for an error the runtime posted.

    The body goes back to the caller as posted; the type comes from the body's `errorType`
    (the runtime interface clients do not send the header with invocation errors).
    """
    try:
        document = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        document = None
    kind = document.get("errorType") if isinstance(document, dict) else None
    if isinstance(kind, str) and kind:
        return body, kind
    kind = error_type or "Runtime.Unknown"
    if isinstance(document, dict):
        return body, kind
    return orjson.dumps({"errorType": kind, "errorMessage": body.decode("utf-8", "replace")}), kind


def _exit_reason(status: int) -> str:
    if status == 0:
        return "Runtime exited without providing a reason"
    if status > 0:
        return f"Runtime exited with error: exit status {status}"
    number = -status
    try:
        name = _SIGNAL_NAMES.get(signal.Signals(number), f"signal {number}")
    except ValueError:
        name = f"signal {number}"
    return f"Runtime exited with error: signal: {name}"


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


async def _group_ended(pgid: int, timeout: float) -> None:
    """Wait (at most `timeout` seconds) until every process of the group `pgid` has ended.

    The group has been sent SIGKILL, but a process ends only when the kernel next runs it,
    and what the handler started is not this server's child: nothing else waits for it.
    """
    members = [_ended(pid) for pid in _running_members(pgid)]
    if members:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*members), timeout)


def _running_members(pgid: int) -> list[int]:
    """The processes of group `pgid` that have not ended (zombies left out), from /proc."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                state, _, group = stat.read().rsplit(b") ", 1)[1].split(maxsplit=3)[:3]
        except (OSError, ValueError, IndexError):
            continue
        if int(group) == pgid and state not in (b"Z", b"X"):
            found.append(int(entry.name))
    return found


async def _ended(pid: int) -> None:
    """Wait until process `pid` has ended (its pidfd becomes readable then)."""
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return
    loop = asyncio.get_running_loop()
    ended = loop.create_future()
    loop.add_reader(fd, lambda: ended.done() or ended.set_result(None))
    try:
        await ended
    finally:
        loop.remove_reader(fd)
        os.close(fd)


def _tree(pid: int) -> list[int]:
    """The process and its descendants (as /proc lists children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as children:
                todo.extend(int(child) for child in children.read().split())
        except OSError:
            continue
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """(resident, peak resident) kB of one process, from /proc/<pid>/status."""
    resident = peak = 0
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    peak = int(line.split()[1])
                elif line.startswith(b"VmRSS:"):
                    resident = int(line.split()[1])
                    break
    except (OSError, ValueError, IndexError):
        pass
    return resident, peak


def _tree_memory_kb(pid: int) -> tuple[int, int]:
    """(resident, peak resident) kB of a process and its descendants, summed."""
    members = [_memory_kb(member) for member in _tree(pid)]
    return sum(resident for resident, _ in members), sum(peak for _, peak in members)


def _mb(kilobytes: int, limit: int) -> int:
    """Whole megabytes, rounded up, at most `limit` (Max Memory Used never shows more)."""
    return min(-(-kilobytes // 1024), limit)


def _last_bytes(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[-limit:].decode("utf-8", "ignore")


class Pool:
    """Every environment of this server: the idle ones by key (the warmest on top), and all
    that are alive."""

    def __init__(self) -> None:
        self.idle: dict[Key, list[Environment]] = {}
        self.live: set[Environment] = set()
        self.closed = False
        self._expiry: dict[Environment, asyncio.TimerHandle] = {}
        self._stopping: set[asyncio.Task] = set()

    def take(self, key: Key) -> Environment | None:
        """An idle environment for `key`, the one used last first; None if there is none."""
        stack = self.idle.get(key)
        while stack:
            environment = stack.pop()
            timer = self._expiry.pop(environment, None)
            if timer is not None:
                timer.cancel()
            if environment.alive:
                return environment
            self._retire(environment)
        return None

    def put_back(self, environment: Environment, idle_seconds: float) -> None:
        if self.closed or not environment.alive:
            self._retire(environment)
            return
        self.idle.setdefault(environment.key, []).append(environment)
        self._expiry[environment] = asyncio.get_running_loop().call_later(
            idle_seconds, self._expire, environment
        )

    def retire_function(self, function_arn: str) -> None:
        """Stop the idle environments of every version of a function (it was deleted)."""
        prefix = function_arn + ":"
        for key in [key for key in self.idle if key[0].startswith(prefix)]:
            for environment in self.idle.pop(key):
                timer = self._expiry.pop(environment, None)
                if timer is not None:
                    timer.cancel()
                self._retire(environment)

    def _expire(self, environment: Environment) -> None:
        self._expiry.pop(environment, None)
        stack = self.idle.get(environment.key)
        if stack and environment in stack:
            stack.remove(environment)
            if not stack:
                del self.idle[environment.key]
        self._retire(environment)

    def _retire(self, environment: Environment) -> None:
        if environment not in self.live:
            return
        self.live.discard(environment)
        task = asyncio.get_running_loop().create_task(environment.stop())
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)

    async def shutdown(self) -> None:
        """Stop every environment, busy or idle (SIGTERM, then SIGKILL)."""
        self.closed = True
        for timer in self._expiry.values():
            timer.cancel()
        self._expiry.clear()
        self.idle.clear()
        for environment in list(self.live):
            self._retire(environment)
        while self._stopping:
            await asyncio.gather(*self._stopping, return_exceptions=True)


def pool_of(runtime: Runtime) -> Pool:
    return runtime.room("lambda.environments", Pool)


def retire_function(runtime: Runtime, function_arn: str) -> None:
    """Stop the idle environments of a deleted function (call on the server's event loop)."""
    pool_of(runtime).retire_function(function_arn)


async def run(runtime: Runtime, function: FunctionVersion, event: Event) -> Outcome:
    """Run `event` in a warm environment of the function version, or in a new one."""
    pool = pool_of(runtime)
    key = key_of(function)
    while True:
        environment = pool.take(key)
        if environment is None:
            environment = Environment(runtime, function)
            pool.live.add(environment)
        try:
            outcome = await environment.invoke(event)
        finally:
            pool.put_back(environment, runtime.config.lambda_idle)
        if outcome.delivered:
            return outcome
