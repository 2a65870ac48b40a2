"""Invoking a function: synchronously (`invoke`), or through the asynchronous queue (`enqueue`).

`invoke` is what every room calls (Invoke's RequestResponse, event source mappings, HTTP
routes): it takes a concurrency slot, runs the event in an environment and says how it went.
A function error is a result, not an exception: `function_error` is "Unhandled" and the
payload is the error document. Only what keeps the function from being run at all raises
(TooManyRequestsException when throttled, InvalidRuntimeException when the runtime cannot
run on this machine).

The asynchronous queue (Invoke's Event type) lives in this process: each event is attempted
at once, and after a function error again (by default twice more, about 1 and 2 minutes
later, as on AWS); a throttled attempt is retried with a backoff until the event is too old.
What the event invoke configuration says (MaximumRetryAttempts, MaximumEventAgeInSeconds,
DestinationConfig) applies. A Lambda destination is invoked asynchronously with AWS's
destination record; SQS, SNS and EventBridge destinations are not served by Tidal, so the
record is kept in the store (`DESTINATIONS`) and logged instead.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from tidal.awslambda import concurrency, environments, functions, platform_logs, reserved, runtimes
from tidal.awslambda.errors import (
    InvalidRequestContentException,
    InvalidRuntimeException,
    TooManyRequestsException,
)
from tidal.awslambda.functions import FunctionVersion
from tidal.awslambda.runtime_api import Event
from tidal.core import clock
from tidal.core.arns import parse_arn
from tidal.core.errors import AWSError
from tidal.core.ids import new_uuid
from tidal.core.runtime import Runtime

log = logging.getLogger(__name__)

DESTINATIONS = "lambda/destination-records"
"""Destination records for targets Tidal does not serve (SQS, SNS, EventBridge, S3):
`<account>:<region>:<ms timestamp>:<request id>` → `{"Destination", "Condition", "Record"}`."""
DEFAULT_RETRIES = 2
DEFAULT_MAX_AGE = 21600
BAD_CLIENT_CONTEXT = "Client context must be a valid Base64-encoded JSON object."


@dataclass(slots=True)
class Invocation:
    request_id: str
    payload: bytes
    function_error: str | None
    """"Unhandled" when the function failed (its error document is the payload)."""
    error_type: str | None
    """The failure's type: `Sandbox.Timedout`, `Runtime.ExitError`, `ValueError` …"""
    executed_version: str
    log_tail: str
    """The end (at most 4 KB) of the invocation's log when asked for (`tail`), else ""."""
    duration_ms: float


@dataclass
class Activity:
    """What this server is running and has queued; read from any thread."""

    in_flight: int = 0
    queued: int = 0
    retry_delays: tuple[float, ...] = (60.0, 120.0)
    """Seconds before the 2nd and 3rd attempt of a failed asynchronous event (tests shorten
    them)."""
    throttle_backoff: tuple[float, float] = (1.0, 300.0)
    """First and longest wait before a throttled asynchronous event is tried again."""
    limits: concurrency.Limits = field(default_factory=concurrency.Limits)
    tasks: set[asyncio.Task] = field(default_factory=set)
    waiters: list[asyncio.Future] = field(default_factory=list)

    def changed(self) -> None:
        if self.in_flight or self.queued:
            return
        waiters, self.waiters = self.waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.get_loop().call_soon_threadsafe(_resolve, waiter)


def activity(runtime: Runtime) -> Activity:
    return runtime.room("lambda.activity", Activity)


def in_flight(runtime: Runtime) -> int:
    """Invocations running now (synchronous and asynchronous)."""
    return activity(runtime).in_flight


def queued(runtime: Runtime) -> int:
    """Asynchronous events accepted and not yet done with (running, or waiting for a retry)."""
    return activity(runtime).queued


async def drained(runtime: Runtime) -> None:
    """Wait until nothing runs and the asynchronous queue is empty."""
    state = activity(runtime)
    if not state.in_flight and not state.queued:
        return
    waiter = asyncio.get_running_loop().create_future()
    state.waiters.append(waiter)
    await waiter


async def invoke(
    runtime: Runtime,
    function: FunctionVersion,
    payload: bytes,
    *,
    client_context: str | None = None,
    tail: bool = False,
    request_id: str | None = None,
) -> Invocation:
    """Run one invocation of `function` and return how it went.

    `client_context` is the base64 text Invoke takes (ClientContext); `request_id` defaults
    to a new UUID. Raises TooManyRequestsException when a concurrency limit refuses it.
    """
    event = Event(
        request_id=request_id or new_uuid(),
        payload=payload or b"{}",
        invoked_arn=function.invoked_arn,
        trace_id=trace_id(),
        client_context=decode_client_context(client_context),
    )
    state = activity(runtime)
    slot = state.limits.acquire(
        function, runtime.config.lambda_concurrency, lambda: reserved_total(runtime, function)
    )
    state.in_flight += 1
    try:
        outcome = await environments.run(runtime, function, event)
    except runtimes.RuntimeUnavailable as error:
        raise InvalidRuntimeException(str(error)) from error
    finally:
        state.limits.release(slot)
        state.in_flight -= 1
        state.changed()
    return Invocation(
        request_id=event.request_id,
        payload=outcome.payload,
        function_error="Unhandled" if outcome.error_type else None,
        error_type=outcome.error_type,
        executed_version=function.version,
        log_tail=outcome.log_tail if tail else "",
        duration_ms=outcome.duration_ms,
    )


def reserved_total(runtime: Runtime, function: FunctionVersion) -> int:
    """The sum of the reserved concurrency of the functions of `function`'s account and region."""
    with runtime.store.transaction(write=False) as txn:
        return reserved.reserved_total(txn, function.account, function.region)


def decode_client_context(text: str | None) -> str | None:
    """The JSON text of a base64 ClientContext; InvalidRequestContentException if it is not."""
    if text is None:
        return None
    try:
        decoded = base64.b64decode(text, validate=True)
        orjson.loads(decoded)
    except (binascii.Error, ValueError):
        raise InvalidRequestContentException(BAD_CLIENT_CONTEXT) from None
    return decoded.decode()


def trace_id() -> str:
    """An X-Ray trace header as Lambda passes it to the runtime."""
    return (
        f"Root=1-{int(time.time()):08x}-{os.urandom(12).hex()};"
        f"Parent={os.urandom(8).hex()};Sampled=0"
    )


# The asynchronous queue


@dataclass(slots=True)
class QueuedEvent:
    function: FunctionVersion
    payload: bytes
    request_id: str
    accepted: float
    """clock.now() when Invoke accepted it."""


def enqueue(runtime: Runtime, function: FunctionVersion, payload: bytes, request_id: str) -> None:
    """Accept an event for asynchronous invocation; runs on the server's event loop."""
    state = activity(runtime)
    event = QueuedEvent(function, payload or b"{}", request_id, clock.now())
    state.queued += 1
    task = asyncio.get_running_loop().create_task(_deliver(runtime, event))
    state.tasks.add(task)
    task.add_done_callback(lambda done: _delivered(state, done))


def _delivered(state: Activity, task: asyncio.Task) -> None:
    state.tasks.discard(task)
    state.queued -= 1
    state.changed()
    if not task.cancelled() and task.exception() is not None:
        log.error("asynchronous invocation failed", exc_info=task.exception())


async def cancel_queue(runtime: Runtime) -> None:
    """Drop every queued event (the server is stopping)."""
    tasks = list(activity(runtime).tasks)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _deliver(runtime: Runtime, event: QueuedEvent) -> None:
    state = activity(runtime)
    config = event.function.event_invoke_config or {}
    retries = config.get("MaximumRetryAttempts", DEFAULT_RETRIES)
    max_age = config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE)
    attempts = 0
    backoff = state.throttle_backoff[0]
    result: Invocation | None = None
    while True:
        left = event.accepted + max_age - clock.now()
        if left <= 0:
            await _send_record(runtime, event, "EventAgeExceeded", attempts, result, config)
            return
        try:
            result = await invoke(
                runtime, event.function, event.payload, request_id=event.request_id
            )
        except TooManyRequestsException:
            await asyncio.sleep(min(backoff, left))
            backoff = min(backoff * 2, state.throttle_backoff[1])
            continue
        except InvalidRuntimeException as error:
            log.error("cannot invoke %s: %s", event.function.qualified_arn, error.message)
            return
        attempts += 1
        if result.function_error is None:
            await _send_record(runtime, event, "Success", attempts, result, config)
            return
        if attempts > retries:
            await _send_record(runtime, event, "RetriesExhausted", attempts, result, config)
            return
        delays = state.retry_delays
        await asyncio.sleep(delays[min(attempts, len(delays)) - 1])


def destination_record(
    event: QueuedEvent, condition: str, attempts: int, result: Invocation | None
) -> dict[str, Any]:
    """The record AWS sends to an OnSuccess / OnFailure destination (reference §3)."""
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": platform_logs.iso_timestamp(clock.now()),
        "requestContext": {
            "requestId": event.request_id,
            "functionArn": event.function.qualified_arn,
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": _json_or_text(event.payload),
    }
    if result is not None:
        response: dict[str, Any] = {"statusCode": 200, "executedVersion": result.executed_version}
        if result.function_error:
            response["functionError"] = result.function_error
        record["responseContext"] = response
        record["responsePayload"] = _json_or_text(result.payload)
    return record


async def _send_record(
    runtime: Runtime,
    event: QueuedEvent,
    condition: str,
    attempts: int,
    result: Invocation | None,
    config: dict[str, Any],
) -> None:
    which = "OnSuccess" if condition == "Success" else "OnFailure"
    destination = ((config.get("DestinationConfig") or {}).get(which) or {}).get("Destination")
    if not destination:
        if condition != "Success":
            log.warning(
                "asynchronous invocation %s of %s dropped: %s after %d attempt(s)",
                event.request_id,
                event.function.qualified_arn,
                condition,
                attempts,
            )
        return
    record = destination_record(event, condition, attempts, result)
    parsed = parse_arn(destination)
    if parsed is not None and parsed[0] == "lambda":
        _invoke_destination(runtime, event.function, destination, record)
        return
    _keep_record(runtime, event, destination, condition, record)


def _invoke_destination(
    runtime: Runtime, source: FunctionVersion, destination: str, record: dict[str, Any]
) -> None:
    try:
        with runtime.store.transaction(write=False) as txn:
            target = functions.resolve(runtime, txn, source.account, source.region, destination)
    except AWSError as error:
        log.warning("destination %s of %s: %s", destination, source.qualified_arn, error.message)
        return
    enqueue(runtime, target, orjson.dumps(record), new_uuid())


def _keep_record(
    runtime: Runtime,
    event: QueuedEvent,
    destination: str,
    condition: str,
    record: dict[str, Any],
) -> None:
    function = event.function
    log.info(
        "destination %s (not served by Tidal) of %s: %s record kept",
        destination,
        function.qualified_arn,
        condition,
    )
    key = f"{function.account}:{function.region}:{int(clock.now() * 1000):015d}:{event.request_id}"
    with runtime.store.transaction(write=True) as txn:
        txn.put_doc(
            DESTINATIONS,
            key,
            {"Destination": destination, "Condition": condition, "Record": record},
        )


def kept_records(runtime: Runtime, account: str, region: str) -> list[dict[str, Any]]:
    """The destination records kept for targets Tidal does not serve, oldest first."""
    with runtime.store.transaction(write=False) as txn:
        return [document for _, document in txn.list_docs(DESTINATIONS, f"{account}:{region}:")]


def _json_or_text(payload: bytes) -> Any:
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        return payload.decode("utf-8", "replace")


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)
