"""Background work on log events: delete the expired ones and those of deleted streams.

Reads already hide expired events (retention.cutoff), so this only frees space, at a
relaxed pace: a pass every INTERVAL seconds, in batches of BATCH rows per transaction.
Tests hold the background task (`held`) and call `maintain_all` when they want the work done.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from tidal.core import clock
from tidal.core.background import Holds, repeat
from tidal.core.runtime import Runtime
from tidal.logs import events, groups, retention, streams

INTERVAL = 60.0
BATCH = 1000


def held(runtime: Runtime) -> AbstractContextManager[None]:
    """Keep the background task from doing anything inside this block."""
    return _holds(runtime).held()


async def run(runtime: Runtime) -> None:
    await repeat(
        lambda: 0 if maintain(runtime) else INTERVAL,
        _holds(runtime),
        INTERVAL,
        "log maintenance",
    )


def _holds(runtime: Runtime) -> Holds:
    return runtime.room("logs.maintenance", Holds)


def maintain_all(runtime: Runtime) -> None:
    """Do all the work due now, in as many passes as it takes."""
    while maintain(runtime):
        pass


def maintain(runtime: Runtime, batch: int = BATCH) -> bool:
    """Delete up to `batch` rows of deleted streams and expired events; True if some remain."""
    now_ms = int(clock.now() * 1000)
    budget = batch
    with runtime.store.transaction() as txn:
        for key, group in txn.list_docs(groups.NAMESPACE):
            account, region, _ = key.split("/", 2)
            budget -= _purge_dead(txn, account, region, group, budget)
            cutoff = retention.cutoff(group, now_ms)
            if cutoff is not None and budget > 0:
                budget -= _expire(txn, account, region, group, cutoff, budget)
            if budget <= 0:
                return True
    return False


def _purge_dead(txn: Any, account: str, region: str, group: dict[str, Any], budget: int) -> int:
    """Delete rows of the group's deleted streams; returns how many."""
    deleted = 0
    while group["dead"] and deleted < budget:
        stream = {"id": group["dead"][0]}
        gone = _delete_rows(txn, group, stream, None, budget - deleted)
        deleted += gone
        if deleted < budget:
            group["dead"].pop(0)
    if deleted:
        groups.save(txn, account, region, group)
    return deleted


def _expire(
    txn: Any, account: str, region: str, group: dict[str, Any], cutoff: int, budget: int
) -> int:
    """Delete the group's events older than `cutoff`; returns how many."""
    deleted = 0
    for _, stream in streams.list_all(txn, account, region, group["name"]):
        if stream.get("keptFrom", stream.get("first", cutoff)) >= cutoff:
            continue
        gone = _delete_rows(txn, group, stream, events.row_key(cutoff, 0), budget - deleted)
        deleted += gone
        if deleted >= budget:
            break
        stream["keptFrom"] = cutoff
        streams.save(txn, account, region, group["name"], stream)
    if deleted:
        groups.save(txn, account, region, group)
    return deleted


def _delete_rows(
    txn: Any, group: dict[str, Any], stream: dict[str, Any], before: bytes | None, limit: int
) -> int:
    """Delete up to `limit` of the stream's oldest rows (those sorted before `before`)."""
    rows = list(
        txn.range(
            group["space"], events.partition(stream), hi=before, hi_inclusive=False, limit=limit
        )
    )
    for key, value in rows:
        txn.delete(group["space"], events.partition(stream), key)
        group["bytes"] -= len(value) - events.STAMP.size
    return len(rows)
