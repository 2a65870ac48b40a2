"""The lines Lambda itself writes to a function's log, worded and spaced exactly as on AWS.

Each is one log event whose message ends in a newline; the fields of REPORT are separated
(and ended) by a tab. See reference/lambda.md §6.
"""

from __future__ import annotations

import math
import os
import re
from datetime import UTC, datetime

from tidal.awslambda import configuration

_VERSIONED_RUNTIME = re.compile(r"(python|nodejs|java|dotnet|ruby)(\d+(?:\.\d+)?)(?:\.x)?")


def log_group(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"


def log_stream_name(version: str, epoch: float) -> str:
    """`2019/06/07/[$LATEST]e6f4a0c4241adcd70c262d34c0bbc85c`: one per execution environment."""
    day = datetime.fromtimestamp(epoch, UTC).strftime("%Y/%m/%d")
    return f"{day}/[{version}]{os.urandom(16).hex()}"


def runtime_version(runtime: str) -> str:
    """The runtime version AWS names in INIT_START: `python:3.12.v11`, `nodejs:20.v13`,
    `provided:al2023.v26`."""
    match = _VERSIONED_RUNTIME.fullmatch(runtime)
    if match:
        return f"{match.group(1)}:{match.group(2)}.v1"
    family, _, flavour = runtime.partition(".")
    return f"{family}:{flavour or 'al1'}.v1"


def init_start(runtime: str, region: str) -> str:
    """The first line of an environment; its ARN is the one GetFunction shows in
    RuntimeVersionConfig."""
    arn = configuration.runtime_version_config(region, runtime)["RuntimeVersionArn"]
    return f"INIT_START Runtime Version: {runtime_version(runtime)}\tRuntime Version ARN: {arn}\n"


def start(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}\n"


def end(request_id: str) -> str:
    return f"END RequestId: {request_id}\n"


def report(
    request_id: str,
    duration_ms: float,
    memory_size: int,
    max_memory_used: int,
    init_duration_ms: float | None = None,
) -> str:
    """Duration with 2 decimals, Billed Duration rounded up to a whole millisecond, Init
    Duration only on the invoke that started the environment, and a trailing tab."""
    line = (
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
        f"Billed Duration: {billed_ms(duration_ms)} ms\tMemory Size: {memory_size} MB\t"
        f"Max Memory Used: {max_memory_used} MB\t"
    )
    if init_duration_ms is not None:
        line += f"Init Duration: {init_duration_ms:.2f} ms\t"
    return line + "\n"


def billed_ms(duration_ms: float) -> int:
    return max(1, math.ceil(round(duration_ms, 6)))


def timed_out(request_id: str, timeout: int, epoch: float) -> str:
    """`2024-01-31T22:12:58.534Z <id> Task timed out after 3.00 seconds`."""
    return f"{iso_timestamp(epoch)} {request_id} Task timed out after {timeout:.2f} seconds\n"


def timeout_message(request_id: str, timeout: int) -> str:
    """The errorMessage of a Sandbox.Timedout error."""
    return f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"


def exit_message(request_id: str, reason: str) -> str:
    """The errorMessage of a Runtime.ExitError / Runtime.OutOfMemory error."""
    return f"RequestId: {request_id} Error: {reason}"


def exited(request_id: str, reason: str, error_type: str) -> str:
    """The log line of a runtime process that ended during an invoke."""
    return f"{exit_message(request_id, reason)}\n{error_type}\n"


def iso_timestamp(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
