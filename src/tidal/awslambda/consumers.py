"""The consumers of event source mappings: asyncio tasks on the server's loop.

    Supervisor ── one MappingRunner per enabled mapping
                    └─ one ShardConsumer per shard, parents drained before their children
                         ├─ a reader: records after the checkpoint, filtered, dealt to lanes
                         └─ ParallelizationFactor lanes: batches of one lane at a time,
                            records of one partition key always in the same lane, in order

The supervisor starts with the server (`run`, a Service background task): it starts a
runner for every enabled mapping (a restart resumes after each shard's checkpoint), and is
poked (`changed`) whenever the API creates, updates or deletes a mapping. It also completes
the state transitions the API starts (Creating → Enabled, Disabling → Disabled, Deleting →
gone). A runner whose settings changed is stopped (after the batch in flight) and started
again with the new ones.

Readers never sleep to poll: with nothing to read they await the streams' notification
(`notify.wait_for_records`), and lanes await their reader. Back-off between retries, the
batching window and tumbling windows are the only timers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import orjson

from tidal.awslambda import batches, checkpoints, failures, filters, mappings, windows
from tidal.awslambda.batches import Record
from tidal.awslambda.delivery import Delivery, Settings, Target
from tidal.core import clock
from tidal.core.arns import parse_arn
from tidal.core.runtime import Runtime
from tidal.streams import notify, streams

log = logging.getLogger(__name__)

READ_CHUNK = 1000
"""Records read from a shard at a time."""
IDLE_WAIT = 60.0
"""Seconds a reader with nothing to read waits for a notification before looking again."""
WINDOW_GRACE = 0.05
"""Seconds past a tumbling window's end before its final invocation: records made just
before the end have committed by then."""
RESTART_DELAY = 1.0
"""Seconds before a consumer that failed unexpectedly starts again."""
STATE_CHANGE = (
    mappings.CREATING,
    mappings.ENABLING,
    mappings.UPDATING,
    mappings.DISABLING,
)

TargetFactory = Callable[[Runtime, str, str], Target]
"""Makes the target of one account and region's mappings."""


class Supervisor:
    """The runners of one server, and what tells them (and idle waiters) that things changed."""

    def __init__(self) -> None:
        self.runners: dict[str, MappingRunner] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.runtime: Runtime | None = None
        self.target_factory: TargetFactory | None = None
        self.in_flight: Callable[[], int] = lambda: 0
        self._wake: asyncio.Event | None = None
        self._activity: asyncio.Event | None = None

    def attach(
        self,
        runtime: Runtime,
        target_factory: TargetFactory,
        in_flight: Callable[[], int],
    ) -> None:
        self.loop = asyncio.get_running_loop()
        self.runtime = runtime
        self.target_factory = target_factory
        self.in_flight = in_flight
        self._wake = asyncio.Event()
        self._activity = asyncio.Event()
        self._wake.set()

    def poke(self) -> None:
        """Mappings changed: look at them again (from any thread)."""
        if self.loop is not None and self._wake is not None:
            self.loop.call_soon_threadsafe(self._wake.set)

    def pulse(self) -> None:
        """Something progressed: wake whoever waits for idleness to look again."""
        if self._activity is not None:
            self._activity.set()
            self._activity = asyncio.Event()

    async def activity(self, timeout: float) -> None:
        """Wait until something progresses, at most `timeout` seconds."""
        if self._activity is None:
            await asyncio.sleep(timeout)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._activity.wait(), timeout)

    async def run(self) -> None:
        assert self._wake is not None
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                self.reconcile()
                self.pulse()
        finally:
            await self._shut_down()

    def reconcile(self) -> None:
        """Bring the runners in line with the mappings, and finish state transitions."""
        assert self.runtime is not None
        with self.runtime.store.transaction() as txn:
            seen = set()
            for document in mappings.all_mappings(txn):
                seen.add(document["UUID"])
                self._reconcile_one(txn, document)
        for uuid, runner in list(self.runners.items()):
            if uuid not in seen:
                runner.stop()

    def _reconcile_one(self, txn: Any, document: dict[str, Any]) -> None:
        uuid = document["UUID"]
        runner = self.runners.get(uuid)
        deleting = document["State"] == mappings.DELETING
        stale = deleting or not document["enabled"]
        if runner is not None and (stale or runner.revision != document["revision"]):
            runner.stop()
            return
        if deleting:
            checkpoints.forget(txn, uuid)
            failures.forget(txn, uuid)
            mappings.remove(txn, document)
            return
        settled = mappings.ENABLED if document["enabled"] else mappings.DISABLED
        if document["enabled"] and runner is None:
            self._start(document)
        if document["State"] != settled:
            document["State"] = settled
            mappings.save(txn, document)

    def _start(self, document: dict[str, Any]) -> None:
        assert self.runtime is not None and self.target_factory is not None
        target = self.target_factory(self.runtime, document["account"], document["region"])
        runner = MappingRunner(self.runtime, self, document, target)
        self.runners[runner.uuid] = runner
        runner.task = asyncio.get_running_loop().create_task(runner.run())
        runner.task.add_done_callback(lambda _: self._ended(runner))

    def _ended(self, runner: MappingRunner) -> None:
        if self.runners.get(runner.uuid) is runner:
            del self.runners[runner.uuid]
        if self._wake is not None:
            self._wake.set()

    async def _shut_down(self) -> None:
        tasks = [runner.task for runner in self.runners.values() if runner.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def supervisor(runtime: Runtime) -> Supervisor:
    return runtime.room("lambda.mappings", Supervisor)


def changed(runtime: Runtime) -> None:
    """The API changed a mapping: its consumers follow."""
    supervisor(runtime).poke()


async def run(
    runtime: Runtime, target_factory: TargetFactory, in_flight: Callable[[], int]
) -> None:
    """The server's background task: consumers for every mapping, for the server's lifetime."""
    boss = supervisor(runtime)
    boss.attach(runtime, target_factory, in_flight)
    await boss.run()


class MappingRunner:
    """The consumers of one mapping, shard by shard along their lineage."""

    def __init__(
        self,
        runtime: Runtime,
        boss: Supervisor,
        document: dict[str, Any],
        target: Target,
    ) -> None:
        self.runtime = runtime
        self.boss = boss
        self.target = target
        self.uuid = document["UUID"]
        self.key = mappings.key_of(document)
        self.revision = document["revision"]
        self.settings = Settings.of(document)
        self.start = int(document["start"]) if document["start"] is not None else None
        self.result = document["LastProcessingResult"]
        self.frontier = self.start or 0
        """Every record numbered up to here is done (or not this mapping's to do)."""
        self.last_error: dict[str, Any] | None = None
        self.stopping = asyncio.Event()
        self.consumers: dict[str, ShardConsumer] = {}
        self.task: asyncio.Task | None = None

    def stop(self) -> None:
        self.stopping.set()
        for consumer in self.consumers.values():
            consumer.stop()

    def working(self) -> bool:
        return any(consumer.working() for consumer in self.consumers.values())

    async def run(self) -> None:
        stopped = asyncio.ensure_future(self.stopping.wait())
        tasks: dict[asyncio.Task, ShardConsumer] = {}
        try:
            while not self.stopping.is_set():
                for consumer in self._ready():
                    self.consumers[consumer.shard_id] = consumer
                    tasks[asyncio.ensure_future(consumer.run())] = consumer
                if not tasks:
                    await stopped
                    break
                done, _ = await asyncio.wait([*tasks, stopped], return_when="FIRST_COMPLETED")
                for task in done:
                    if task is stopped:
                        continue
                    consumer = tasks.pop(task)
                    del self.consumers[consumer.shard_id]
                    if task.exception() is not None:
                        await self._crashed(consumer, task.exception())
        except asyncio.CancelledError:
            for task in tasks:
                task.cancel()
            raise
        finally:
            stopped.cancel()
            for consumer in tasks.values():
                consumer.stop()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _crashed(self, consumer: ShardConsumer, error: BaseException) -> None:
        log.error(
            "consumer of %s for mapping %s failed",
            consumer.shard_id,
            self.uuid,
            exc_info=error,
        )
        self.report(None, f"{type(error).__name__}: {error}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), RESTART_DELAY)

    def _ready(self) -> list[ShardConsumer]:
        """Consumers for the shards that may be read now and are not being read."""
        with self.runtime.store.transaction(write=False) as txn:
            stream = streams.load(txn, self.settings.stream_arn)
            saved = checkpoints.load_all(txn, self.uuid)
        if stream is None:
            return []
        present = {shard["ShardId"] for shard in stream["shards"]}
        drained = {shard_id for shard_id, cp in saved.items() if cp["drained"]}
        for cp in saved.values():
            self.frontier = max(self.frontier, int(cp["sequence"]))
        ready = []
        for shard in stream["shards"]:
            shard_id = shard["ShardId"]
            parent = shard.get("ParentShardId")
            if shard_id in drained or shard_id in self.consumers:
                continue
            if parent is None or parent not in present or parent in drained:
                ready.append(ShardConsumer(self, shard, saved.get(shard_id)))
        return ready

    def advanced(self, sequence: int) -> None:
        self.frontier = max(self.frontier, sequence)
        self.boss.pulse()

    def report(self, result: str | None, error: str | None = None) -> None:
        """Keep the mapping's LastProcessingResult (in its document) and its last error."""
        if error is not None:
            self.last_error = {"message": error, "at": clock.now()}
        if result is None or result == self.result:
            return
        self.result = result
        with self.runtime.store.transaction() as txn:
            document = txn.get_doc(mappings.NAMESPACE, self.key)
            if document is not None:
                document["LastProcessingResult"] = result
                mappings.save(txn, document)

    async def discarded(self, shard_id: str, failure: dict[str, Any]) -> None:
        """A batch was given up on: tell the OnFailure destination, keep it in the log."""
        destination = self.settings.on_failure
        note = "no destination"
        if destination is not None:
            note = "kept in Tidal's failure log"
            if (parse_arn(destination) or ("",))[0] == "lambda":
                note = await self._invoke_destination(destination, failure)
        with self.runtime.store.transaction() as txn:
            failures.log(txn, self.uuid, destination, failure, note)
            document = txn.get_doc(mappings.NAMESPACE, self.key)
            if document is not None:
                document["failures"] = document.get("failures", 0) + 1
                mappings.save(txn, document)

    async def _invoke_destination(self, destination: str, failure: dict[str, Any]) -> str:
        try:
            invocation = await self.target.invoke(destination, orjson.dumps(failure))
        except Exception as error:
            return f"invoking {destination} failed: {type(error).__name__}: {error}"
        if invocation.function_error is not None:
            return f"invoked {destination}: {invocation.function_error} function error"
        return f"invoked {destination} (request {invocation.request_id})"


class ShardConsumer:
    """Reads one shard for one mapping, deals its records to lanes, and checkpoints."""

    def __init__(
        self,
        runner: MappingRunner,
        shard: dict[str, Any],
        saved: dict[str, Any] | None,
    ) -> None:
        self.runner = runner
        self.settings = runner.settings
        self.shard_id = shard["ShardId"]
        after = streams.floor(shard)
        if saved is not None:
            after = int(saved["sequence"])
        elif runner.start is not None:
            after = max(after, runner.start)
        self.tracker = checkpoints.Tracker(after)
        self.saved = after
        self.saved_windows: dict[str, Any] = (saved or {}).get("windows", {})
        self.stopping = asyncio.Event()
        self.progress = asyncio.Event()
        self.read_all = False
        self.lanes = [Lane(self, index) for index in range(self.settings.parallelization)]
        for index, lane in enumerate(self.lanes):
            lane.window = windows.restored(self.saved_windows.get(str(index)))
        self.high_water = max(READ_CHUNK, self.settings.batch_size * len(self.lanes) * 2)

    def stop(self) -> None:
        self.stopping.set()
        self.progress.set()
        for lane in self.lanes:
            lane.arrived.set()

    def working(self) -> bool:
        return self.tracker.pending > 0 or any(lane.working() for lane in self.lanes)

    async def run(self) -> None:
        tasks = [asyncio.ensure_future(self._read())]
        tasks += [asyncio.ensure_future(lane.run()) for lane in self.lanes]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        drained = self.read_all and not self.stopping.is_set() and self.tracker.pending == 0
        self.flush(drained=drained)

    async def _read(self) -> None:
        after = self.tracker.checkpoint
        hash_key = None
        while not self.stopping.is_set():
            room = self.high_water - self.tracker.pending
            if room <= 0:
                self.progress.clear()
                await self.progress.wait()
                continue
            page = self._page(after, min(READ_CHUNK, room))
            if page is None:
                self.read_all = True
                break
            stream, entries, closed = page
            if hash_key is None:
                hash_key = _hash_key(stream)
            for sequence, stored in entries:
                record = batches.event_record(stored, sequence, self.settings.stream_arn, hash_key)
                after = sequence
                self._deal(record)
            if entries:
                self.flush()
                continue
            if closed:
                self.read_all = True
                break
            await self._wait_for_records(after)
        for lane in self.lanes:
            lane.arrived.set()

    def _page(
        self, after: int, limit: int
    ) -> tuple[dict[str, Any], list[tuple[int, bytes]], bool] | None:
        """The stream, the shard's records after `after` (as sequence numbers), and whether
        the shard is closed; None once the stream or the shard is gone."""
        with self.runner.runtime.store.transaction(write=False) as txn:
            stream = streams.load(txn, self.settings.stream_arn)
            shard = None
            if stream is not None:
                shard = next((s for s in stream["shards"] if s["ShardId"] == self.shard_id), None)
            if shard is None:
                return None
            entries = [
                (streams.sequence_of(position), value)
                for position, value in txn.log_read(
                    stream["space"], streams.position_of(after), streams.until(shard), limit
                )
            ]
        return stream, entries, "end" in shard

    def _deal(self, record: Record) -> None:
        patterns = self.settings.patterns
        if patterns and not filters.matches_any(patterns, record.body):
            self.tracker.add(record.sequence, finished=True)
            return
        self.tracker.add(record.sequence)
        self.lanes[record.lane % len(self.lanes)].push(record)

    async def _wait_for_records(self, after: int) -> None:
        waiting = asyncio.ensure_future(
            notify.wait_for_records(
                self.runner.runtime, self.settings.stream_arn, str(after), IDLE_WAIT
            )
        )
        stopped = asyncio.ensure_future(self.stopping.wait())
        try:
            await asyncio.wait([waiting, stopped], return_when="FIRST_COMPLETED")
        finally:
            waiting.cancel()
            stopped.cancel()

    # What deliveries report (the Sink of delivery.py).

    def finished(self, records: list[Record]) -> None:
        if records and self.tracker.finish([record.sequence for record in records]):
            self.progress.set()

    async def discarded(self, records: list[Record], failure: dict[str, Any]) -> None:
        await self.runner.discarded(self.shard_id, failure)

    def outcome(self, result: str | None, error: str | None = None) -> None:
        self.runner.report(result, error)

    def flush(self, drained: bool = False) -> None:
        """Store the checkpoint (and open windows) if they changed."""
        sequence = self.tracker.checkpoint
        open_windows = {
            str(lane.index): lane.window.saved() for lane in self.lanes if lane.window is not None
        }
        if sequence == self.saved and open_windows == self.saved_windows and not drained:
            return
        with self.runner.runtime.store.transaction() as txn:
            checkpoints.save(
                txn, self.settings.uuid, self.shard_id, sequence, drained, open_windows
            )
        self.saved = sequence
        self.saved_windows = open_windows
        self.runner.advanced(sequence)


class Lane:
    """Batches of one lane of a shard, delivered one at a time, in order."""

    def __init__(self, consumer: ShardConsumer, index: int) -> None:
        self.consumer = consumer
        self.index = index
        self.queue: deque[Record] = deque()
        self.queued_bytes = 0
        self.arrived = asyncio.Event()
        self.window: windows.Window | None = None
        self.delivering = False
        self.delivery = Delivery(
            consumer.runner.target,
            consumer.settings,
            consumer.shard_id,
            consumer,
            consumer.stopping,
        )

    def push(self, record: Record) -> None:
        self.queue.append(record)
        self.queued_bytes += record.size
        self.arrived.set()

    def working(self) -> bool:
        return self.delivering or bool(self.queue) or self.window is not None

    async def run(self) -> None:
        while not self.consumer.stopping.is_set():
            batch = await self._next_batch()
            if batch is None:
                break
            if not await self._deliver(batch):
                break
            if self.window is not None and self.window.too_large():
                await self._close_window()
        if self.window is not None and self.consumer.read_all and not self.queue:
            await self._close_window()

    async def _deliver(self, batch: list[Record], final: bool = False) -> bool:
        self.delivering = True
        try:
            return await self.delivery.deliver(batch, self.window, final)
        finally:
            self.delivering = False
            self.consumer.flush()

    async def _close_window(self) -> bool:
        """The window's final invocation; the window ends if it was delivered."""
        if not await self._deliver([], final=True):
            return False
        self.window = None
        self.consumer.flush()
        return True

    async def _next_batch(self) -> list[Record] | None:
        """The next batch of this lane; None when the lane has nothing more to do."""
        settings = self.consumer.settings
        while not self.queue:
            if self.consumer.read_all or self.consumer.stopping.is_set():
                return None
            if not await self._wait(self._window_left()) and self._window_over():
                await self._close_window()
        if settings.tumbling:
            first = self.queue[0].created
            ended = self.window is not None and not self.window.holds(first)
            if ended and not await self._close_window():
                return None
            if self.window is None:
                self.window = windows.of(first, settings.tumbling)
        await self._gather(settings)
        return self._take(settings)

    async def _gather(self, settings: Settings) -> None:
        """Wait up to the batching window for a full batch."""
        if not settings.batching_window:
            return
        deadline = time.monotonic() + settings.batching_window
        while (
            len(self.queue) < settings.batch_size
            and self.queued_bytes < batches.MAX_PAYLOAD
            and not self.consumer.read_all
            and not self.consumer.stopping.is_set()
        ):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            await self._wait(left)

    def _take(self, settings: Settings) -> list[Record]:
        extra = 0 if self.window is None else len(orjson.dumps(self.window.state)) + 512
        size = batches.frame_size(extra)
        batch: list[Record] = []
        while self.queue and batches.fits(len(batch), size, self.queue[0], settings.batch_size):
            if self.window is not None and not self.window.holds(self.queue[0].created):
                break
            record = self.queue.popleft()
            self.queued_bytes -= record.size
            batch.append(record)
            size += record.size
        return batch

    async def _wait(self, timeout: float | None) -> bool:
        """Wait for a record (or a stop); False if `timeout` seconds passed first."""
        self.arrived.clear()
        try:
            await asyncio.wait_for(self.arrived.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def _window_left(self) -> float | None:
        if self.window is None:
            return None
        return max(0.0, self.window.end - clock.now()) + WINDOW_GRACE

    def _window_over(self) -> bool:
        return self.window is not None and clock.now() >= self.window.end


def _hash_key(stream: dict[str, Any]) -> str | None:
    return next(
        (key["AttributeName"] for key in stream["KeySchema"] if key["KeyType"] == "HASH"), None
    )
