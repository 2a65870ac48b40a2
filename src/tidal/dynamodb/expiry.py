"""The TTL sweeper: deletes expired items in the background, as DynamoDB's TTL process does.

It reads only the expired prefix of each TTL table's expiry index (expiry_index.py), never a
table, and deletes in batches of `BATCH` items per transaction, yielding to requests between
batches. It sleeps until the next indexed expiry (or until a write indexes an earlier one and
rings its alarm), then waits `Config.ttl_interval` more: an expired item stays readable that
long, as on AWS, where deletion comes minutes to days after expiry. With no expiry indexed
it sleeps until woken.

Each deletion goes through `writes.write` as the TTL service (the stream record of a TTL
delete carries that `userIdentity`), after checking that the item still expires then: an
update may have moved its expiry since it was indexed.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from tidal.core import clock
from tidal.core.events import TTL_IDENTITY
from tidal.core.runtime import Runtime
from tidal.dynamodb import expiry_index, writes
from tidal.dynamodb.catalog import Catalog
from tidal.dynamodb.schema import Table

log = logging.getLogger(__name__)

BATCH = 100
MAX_SLEEP = 60.0
"""Wake at least this often while expiries are indexed, should the wall clock jump."""


@dataclass(frozen=True, slots=True)
class Batch:
    touched: int
    """Index rows read and removed."""
    deleted: int
    due: float | None
    """When the next item expires (inf: none will); None while expired rows remain."""


class Sweeper:
    """The sweeper's state in a runtime: the loop it runs on, holds, and passes done."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.holds = 0
        self.passes = 0
        self._passed = threading.Condition()

    def wait_for_pass(self, after: int, timeout: float) -> bool:
        """Block this thread until the background sweeper has completed pass `after + 1`."""
        with self._passed:
            return self._passed.wait_for(lambda: self.passes > after, timeout)

    def record_pass(self) -> None:
        with self._passed:
            self.passes += 1
            self._passed.notify_all()


def sweeper(runtime: Runtime) -> Sweeper:
    return runtime.room("dynamodb.ttl_sweeper", Sweeper)


def sweep_batch(runtime: Runtime, limit: int = BATCH) -> Batch:
    """Delete up to `limit` expired items, in one transaction."""
    touched = deleted = 0
    due = math.inf
    with runtime.store.transaction() as txn:
        now = clock.now()
        for table, space in _tables(txn, runtime):
            for row, _ in list(expiry_index.expired(txn, space, now, limit - touched)):
                touched += 1
                deleted += _expire(txn, runtime, table, space, row)
            if touched == limit:
                return Batch(touched, deleted, None)
            due = min(due, expiry_index.next_expiry(txn, space, now))
    return Batch(touched, deleted, due)


def sweep(runtime: Runtime) -> tuple[int, float]:
    """Delete every expired item now; returns how many, and when the next item expires."""
    deleted = 0
    while True:
        batch = sweep_batch(runtime)
        deleted += batch.deleted
        if batch.due is not None:
            return deleted, batch.due


async def run(runtime: Runtime) -> None:
    """The background task: sweep whenever something is due, for the server's lifetime."""
    state = sweeper(runtime)
    alarm = expiry_index.alarm(runtime)
    loop = state.loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    alarm.connect(lambda: loop.call_soon_threadsafe(wake.set))
    while True:
        try:
            due = await _pass(runtime, state)
        except Exception:
            log.exception("TTL sweep failed; retrying")
            due = clock.now() + MAX_SLEEP
        wake.clear()
        alarm.due = due
        await _until(wake, due)
        await asyncio.sleep(runtime.config.ttl_interval)


def sweep_now(runtime: Runtime, timeout: float = 60.0) -> int:
    """From another thread: run a whole sweep on the server's loop; how many items it deleted."""
    loop = sweeper(runtime).loop
    if loop is None:
        raise RuntimeError("the TTL sweeper is not running in this runtime")

    async def on_loop() -> int:
        return sweep(runtime)[0]

    return asyncio.run_coroutine_threadsafe(on_loop(), loop).result(timeout)


@contextmanager
def held(runtime: Runtime) -> Iterator[None]:
    """Keep the background sweeper from deleting anything inside this block.

    A batch already running when the hold starts finishes first: batches run on the server's
    loop, before any request that comes after the hold.
    """
    state = sweeper(runtime)
    state.holds += 1
    try:
        yield
    finally:
        state.holds -= 1
        expiry_index.alarm(runtime).ring()


async def _pass(runtime: Runtime, state: Sweeper) -> float:
    """Sweep in batches, yielding between them; returns when the next item expires."""
    while not state.holds:
        batch = sweep_batch(runtime)
        if batch.due is not None:
            state.record_pass()
            return batch.due
        await asyncio.sleep(0)
    return math.inf


async def _until(wake: asyncio.Event, due: float) -> None:
    """Wait until `wake` is set or the moment `due` comes (never, when it is inf)."""
    if due == math.inf:
        await wake.wait()
        return
    with suppress(TimeoutError):
        await asyncio.wait_for(wake.wait(), min(max(due - clock.now(), 0.0), MAX_SLEEP))


def _tables(txn: Any, runtime: Runtime) -> Iterator[tuple[Table, int]]:
    """Each table with TTL enabled and its index space; forgets the indexes of deleted tables."""
    catalog = runtime.room("dynamodb", Catalog)
    for key, entry in txn.list_docs(expiry_index.REGISTRY):
        table = catalog.find(txn, entry["Account"], entry["Region"], entry["TableName"])
        ttl = expiry_index.setting(table) if table is not None else None
        if ttl is not None and ttl["Space"] == entry["Space"]:
            yield table, entry["Space"]
        else:
            txn.drop_space(entry["Space"])
            txn.delete_doc(expiry_index.REGISTRY, key)


def _expire(txn: Any, runtime: Runtime, table: Table, space: int, row: bytes) -> int:
    """Delete the item an expired index row names, if that row is still its current one."""
    txn.delete(space, expiry_index.PARTITION, row)
    key = expiry_index.entry_key(row)
    item = writes.read(txn, table, *key)
    expiry = expiry_index.expiry_of(item, expiry_index.setting(table)["AttributeName"])
    if expiry is None or expiry_index.entry(expiry, key) != row:
        return 0
    writes.write(txn, runtime, table, key, item, None, identity=TTL_IDENTITY)
    return 1
