"""Time-driven work on streams: idle shards roll over, expired records and streams go.

The server runs `run` in the background; it wakes when the next piece of work is due (or
after a minute at most) and does it in batches, one transaction each. Tests that move the
clock hold the background task (`held`) and call `maintain_all` when they want the work done.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, NamedTuple

from tidal.core import clock
from tidal.core.background import Holds, repeat
from tidal.core.runtime import Runtime
from tidal.streams import records, shards, streams

MAX_IDLE = 60.0
MIN_IDLE = 0.05
BATCH = 1000


def held(runtime: Runtime) -> AbstractContextManager[None]:
    """Keep the background task from doing anything inside this block."""
    return _holds(runtime).held()


def maintain_all(runtime: Runtime) -> None:
    """Do all the work due now, in as many passes as it takes."""
    while maintain(runtime)[0]:
        pass


async def run(runtime: Runtime) -> None:
    idle = max(min(MAX_IDLE, runtime.config.shard_rollover), MIN_IDLE)
    await repeat(lambda: _pass(runtime), _holds(runtime), idle, "stream maintenance")


def _pass(runtime: Runtime) -> float:
    """One pass of `maintain`; how long to wait before the next (none while work is left)."""
    more, due = maintain(runtime)
    if more:
        return 0
    return max(min(due - clock.now(), MAX_IDLE, runtime.config.shard_rollover), MIN_IDLE)


def _holds(runtime: Runtime) -> Holds:
    return runtime.room("streams.maintenance", Holds)


def maintain(runtime: Runtime, batch: int = BATCH) -> tuple[bool, float]:
    """Roll over shards open too long, delete up to `batch` expired records, drop streams.

    Returns whether expired records are left for another pass, and when work is next due.
    """
    now = clock.now()
    rollover = runtime.config.shard_rollover
    retention = runtime.config.stream_retention
    due = now + MAX_IDLE
    budget = batch
    with runtime.store.transaction() as txn:
        for _, document in txn.list_docs(streams.NAMESPACE):
            stream_arn = document["StreamArn"]
            if document["StreamStatus"] == "ENABLED":
                opened = streams.open_shard(document)["opened"]
                if now - opened >= rollover:
                    shards.roll_over(runtime, txn, stream_arn, now)
                    document = streams.load(txn, stream_arn)
                    opened = now
                due = min(due, opened + rollover)
            trim = _trim(txn, document, now - retention, budget)
            budget -= trim.deleted
            if trim.oldest is not None:
                due = min(due, trim.oldest + retention)
            if document["StreamStatus"] == "DISABLED" and not document["shards"]:
                txn.delete_doc(streams.NAMESPACE, streams.key_of(stream_arn))
                txn.drop_space(document["space"])
            elif trim.changed:
                streams.save(txn, document)
            if trim.exhausted:
                return True, due
    return False, due


class Trim(NamedTuple):
    deleted: int
    """Records deleted."""
    oldest: float | None
    """When the oldest record kept was made, or the oldest closed shard kept was closed."""
    changed: bool
    exhausted: bool
    """The budget ran out with expired records left."""


def _trim(txn: Any, document: dict[str, Any], cutoff: float, budget: int) -> Trim:
    """Delete the stream's records made at or before `cutoff`, and closed shards left empty.

    Records are made in log order, so the expired ones are a front of the log: trimming
    stops at the first shard that keeps a record, or that closed after `cutoff`.
    """
    deleted = 0
    changed = False
    for shard_doc in list(document["shards"]):
        gone, made, exhausted = _trim_shard(txn, document["space"], shard_doc, cutoff, budget)
        deleted += gone
        budget -= gone
        changed = changed or gone > 0
        if exhausted:
            return Trim(deleted, None, changed, True)
        if made is None and "end" in shard_doc:
            if shard_doc["closed"] > cutoff:
                return Trim(deleted, shard_doc["closed"], changed, False)
            document["shards"].remove(shard_doc)
            changed = True
        elif made is not None:
            return Trim(deleted, made, changed, False)
    return Trim(deleted, None, changed, False)


def _trim_shard(
    txn: Any, space: int, shard_doc: dict[str, Any], cutoff: float, budget: int
) -> tuple[int, float | None, bool]:
    """Delete the shard's expired records, oldest first, at most `budget` of them.

    Returns (records deleted, when the oldest record kept was made, whether expired
    records are left because the budget ran out).
    """
    after = streams.position_of(streams.floor(shard_doc))
    expired: list[int] = []
    kept: float | None = None
    for position, value in txn.log_read(space, after, streams.until(shard_doc), budget + 1):
        made = records.created_at(value)
        if made > cutoff:
            kept = made
            break
        expired.append(position)
    deleted = expired[:budget]
    if deleted:
        txn.log_trim(space, deleted[-1] + 1)
        shard_doc["trimmed"] = str(streams.sequence_of(deleted[-1]))
    return len(deleted), kept, len(expired) > budget
