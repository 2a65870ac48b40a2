"""Delivering one batch to its function: invoke, and on failure retry, bisect or give up.

As AWS does for stream sources (reference/lambda.md §8):

- a function error (or a malformed partial-batch answer) fails the whole batch, which is
  retried, after a short back-off, until it succeeds, MaximumRetryAttempts retries were
  made, or its records are older than MaximumRecordAgeInSeconds; with the defaults (-1)
  a failing record blocks its shard;
- with BisectBatchOnFunctionError a failed batch is split in two and each half delivered
  on its own; splits do not count as retries;
- with ReportBatchItemFailures the records before the first one the function names are
  done, and the rest is retried (a retry; the batch is "split at the returned number");
- a batch given up on is described to the OnFailure destination and its records count as
  done, so the shard moves on;
- a throttled invocation, or one whose function is gone, is tried again without counting.

The delivery reports every record it is done with to its `Sink` (the shard consumer, which
checkpoints). It stops between tries when asked to (`stopping`), leaving the rest undone.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

from tidal.awslambda import batches, failures, filters, mappings, windows
from tidal.awslambda.batches import Record, Verdict
from tidal.awslambda.errors import ResourceNotFoundException, TooManyRequestsException
from tidal.core import clock

log = logging.getLogger(__name__)

BACKOFF_FIRST = 0.1
"""Seconds before the first retry; each further retry waits twice as long …"""
BACKOFF_MAX = 3.0
"""… up to this many seconds."""
CALL_FAILED = "PROBLEM: Function call failed"
FUNCTION_GONE = "PROBLEM: Function not found"


class Target(Protocol):
    """Where batches go: the Lambda room's invoke, or a fake in unit tests.

    `invoke` returns an object with `request_id`, `payload` (the function's result bytes),
    `function_error` ("Unhandled" or None) and `executed_version`. It raises
    TooManyRequestsException when throttled, ResourceNotFoundException when the function is
    gone, Unavailable when it cannot run yet.
    """

    async def invoke(self, function_arn: str, payload: bytes) -> Any: ...


class Unavailable(Exception):
    """The function cannot be invoked now (it is being created or updated): try again later,
    without counting a retry."""


class Sink(Protocol):
    """What a delivery tells the consumer of its shard."""

    def finished(self, records: list[Record]) -> None:
        """These records need no more work (delivered or given up on)."""

    async def discarded(self, records: list[Record], failure: dict[str, Any]) -> None:
        """These records are given up on; `failure` is AWS's failure record for them."""

    def outcome(self, result: str | None, error: str | None = None) -> None:
        """The mapping's LastProcessingResult after an invocation (None: unchanged), and
        what went wrong."""


@dataclass(frozen=True, slots=True)
class Settings:
    """A mapping's settings, as its consumers use them."""

    uuid: str
    function_arn: str
    stream_arn: str
    batch_size: int
    batching_window: float
    parallelization: int
    max_record_age: int
    max_retries: int
    bisect: bool
    item_failures: bool
    tumbling: int
    on_failure: str | None
    patterns: tuple[filters.Pattern, ...]

    @classmethod
    def of(cls, mapping: dict[str, Any]) -> Settings:
        return cls(
            uuid=mapping["UUID"],
            function_arn=mapping["FunctionArn"],
            stream_arn=mapping["EventSourceArn"],
            batch_size=mapping["BatchSize"],
            batching_window=mapping["MaximumBatchingWindowInSeconds"],
            parallelization=mapping["ParallelizationFactor"],
            max_record_age=mapping["MaximumRecordAgeInSeconds"],
            max_retries=mapping["MaximumRetryAttempts"],
            bisect=mapping["BisectBatchOnFunctionError"],
            item_failures=mappings.reports_item_failures(mapping),
            tumbling=mapping["TumblingWindowInSeconds"],
            on_failure=mappings.on_failure(mapping),
            patterns=tuple(mappings.patterns(mapping)),
        )


@dataclass
class _Attempt:
    """Records delivered together, and how their delivery went so far."""

    records: list[Record]
    retries: int = 0
    invocations: int = 0
    request_id: str | None = None
    function_error: str | None = None
    executed_version: str | None = None


class Delivery:
    def __init__(
        self,
        target: Target,
        settings: Settings,
        shard_id: str,
        sink: Sink,
        stopping: asyncio.Event,
    ) -> None:
        self.target = target
        self.settings = settings
        self.shard_id = shard_id
        self.sink = sink
        self.stopping = stopping

    async def deliver(
        self,
        records: list[Record],
        window: windows.Window | None = None,
        final: bool = False,
    ) -> bool:
        """Deliver `records` (of `window`, if the mapping has tumbling windows) until each is
        done; `final` makes it the window's last invocation. False if stopped first."""
        pending = deque([_Attempt(records)])
        troubles = 0
        while pending:
            attempt = pending[0]
            old = self._split_old(attempt)
            if old:
                await self._give_up(attempt, failures.RECORD_AGE_EXCEEDED, old)
                if not attempt.records:
                    pending.popleft()
                    continue
            verdict, blocked = await self._invoke(attempt, window, final)
            if blocked is None and verdict.succeeded:
                pending.popleft()
                self.sink.finished(attempt.records)
                troubles = 0
                continue
            troubles += 1
            if blocked is None:
                given_up = await self._after_failure(attempt, verdict, pending)
                if given_up:
                    continue
            if not await self._pause(troubles):
                return False
        return True

    async def _invoke(
        self, attempt: _Attempt, window: windows.Window | None, final: bool
    ) -> tuple[Verdict, str | None]:
        """Invoke once; the verdict, or why the function could not be reached (not counted)."""
        settings = self.settings
        extra = None
        if window is not None:
            early = window.too_large()
            extra = windows.fields(window, self.shard_id, settings.stream_arn, final, early)
        payload = batches.event(attempt.records, extra)
        try:
            invocation = await self.target.invoke(settings.function_arn, payload)
        except TooManyRequestsException as error:
            self.sink.outcome(None, f"throttled: {error.message}")
            return batches.FAILURE, "throttled"
        except ResourceNotFoundException as error:
            self.sink.outcome(FUNCTION_GONE, error.message)
            return batches.FAILURE, FUNCTION_GONE
        except Unavailable as error:
            self.sink.outcome(None, str(error))
            return batches.FAILURE, str(error)
        except Exception as error:
            log.exception("invoking %s for mapping %s failed", settings.function_arn, settings.uuid)
            attempt.invocations += 1
            self.sink.outcome(CALL_FAILED, f"{type(error).__name__}: {error}")
            return batches.FAILURE, None
        attempt.invocations += 1
        attempt.request_id = invocation.request_id
        attempt.function_error = invocation.function_error
        attempt.executed_version = invocation.executed_version
        verdict = batches.judge(
            attempt.records,
            invocation.function_error,
            invocation.payload,
            settings.item_failures,
            window is not None,
        )
        if window is not None and verdict.state is not None:
            window.state = verdict.state
        if verdict.succeeded or verdict.partial:
            self.sink.outcome(mappings.OK)
        else:
            self.sink.outcome(CALL_FAILED, _describe(invocation))
        return verdict, None

    async def _after_failure(
        self, attempt: _Attempt, verdict: Verdict, pending: deque[_Attempt]
    ) -> bool:
        """Bisect, count a retry, or give up; True if the attempt left the queue."""
        if verdict.partial:
            self.sink.finished(attempt.records[: verdict.failed_from])
            attempt.records = attempt.records[verdict.failed_from :]
            attempt.function_error = None
        elif self.settings.bisect and len(attempt.records) > 1:
            pending.popleft()
            half = len(attempt.records) // 2
            pending.extendleft(
                [
                    _Attempt(attempt.records[half:], attempt.retries),
                    _Attempt(attempt.records[:half], attempt.retries),
                ]
            )
            return True
        attempt.retries += 1
        limit = self.settings.max_retries
        if limit != -1 and attempt.retries > limit:
            pending.popleft()
            await self._give_up(attempt, failures.RETRIES_EXHAUSTED, attempt.records)
            return True
        return False

    def _split_old(self, attempt: _Attempt) -> list[Record]:
        """Take the records older than MaximumRecordAgeInSeconds out of the attempt."""
        limit = self.settings.max_record_age
        if limit == -1 or not attempt.records:
            return []
        oldest_kept = clock.now() - limit
        old = [r for r in attempt.records if r.created < oldest_kept]
        if old:
            attempt.records = [r for r in attempt.records if r.created >= oldest_kept]
        return old

    async def _give_up(self, attempt: _Attempt, condition: str, discarded: list[Record]) -> None:
        """Describe discarded records to the OnFailure destination; they count as done."""
        if not discarded:
            return
        failure = failures.failure_record(
            condition=condition,
            function_arn=self.settings.function_arn,
            request_id=attempt.request_id,
            invocations=attempt.invocations,
            function_error=attempt.function_error,
            executed_version=attempt.executed_version,
            shard_id=self.shard_id,
            stream_arn=self.settings.stream_arn,
            records=discarded,
            now=clock.now(),
        )
        await self.sink.discarded(discarded, failure)
        self.sink.finished(discarded)

    async def _pause(self, troubles: int) -> bool:
        """Back off before trying again; False if the consumer is stopping."""
        delay = min(BACKOFF_FIRST * 2 ** (troubles - 1), BACKOFF_MAX)
        try:
            await asyncio.wait_for(self.stopping.wait(), delay)
        except TimeoutError:
            return True
        return False


def _describe(invocation: Any) -> str:
    error_type = getattr(invocation, "error_type", None)
    if invocation.function_error is None:
        return "the function's response reported failed records or was not valid"
    return f"{invocation.function_error} function error" + (f": {error_type}" if error_type else "")
