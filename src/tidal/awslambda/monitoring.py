"""What the mappings are doing, for people and for tests: the `/_tidal/` view and idleness.

`describe` gives each mapping's state, its shards' checkpoints and lag (records not yet
done, and the age of the oldest), its last error and its failure log. `busy` says why
Tidal is not idle: a mapping in a state transition, one behind its stream's newest record,
a batch or a tumbling window still open, an invocation in flight. `wait_until_idle` waits
for none of that to be left, woken by the consumers' progress.
"""

from __future__ import annotations

import time
from typing import Any

from tidal.awslambda import checkpoints, consumers, failures, mappings
from tidal.core import clock
from tidal.core.runtime import Runtime
from tidal.streams import records, streams

LAG_LIMIT = 100_000
"""Records counted at most per shard when measuring lag."""
RECHECK = 0.05
"""Seconds between looks while only something outside the consumers keeps Tidal busy."""


def busy(runtime: Runtime) -> list[str]:
    """Why the stream triggers are not idle; empty when they are."""
    boss = consumers.supervisor(runtime)
    reasons = []
    with runtime.store.transaction(write=False) as txn:
        for document in mappings.all_mappings(txn):
            reason = _busy_mapping(txn, boss, document)
            if reason:
                reasons.append(f"mapping {document['UUID']} {reason}")
    in_flight = boss.in_flight()
    if in_flight:
        reasons.append(f"{in_flight} invocation(s) in flight")
    return reasons


async def wait_until_idle(runtime: Runtime, timeout: float) -> list[str]:
    """Wait until `busy` is empty (returned as is) or `timeout` seconds passed (the reasons)."""
    boss = consumers.supervisor(runtime)
    deadline = time.monotonic() + timeout
    while True:
        reasons = busy(runtime)
        left = deadline - time.monotonic()
        if not reasons or left <= 0:
            return reasons
        await boss.activity(min(left, RECHECK))


def describe(runtime: Runtime) -> list[dict[str, Any]]:
    """Every mapping with its consumers' state, for the `/_tidal/` view."""
    boss = consumers.supervisor(runtime)
    found = []
    with runtime.store.transaction(write=False) as txn:
        for document in mappings.all_mappings(txn):
            runner = boss.runners.get(document["UUID"])
            found.append(
                {
                    **mappings.configuration(document),
                    "Account": document["account"],
                    "Region": document["region"],
                    "Enabled": document["enabled"],
                    "Shards": _shards(txn, document, runner),
                    "LastError": runner.last_error if runner else None,
                    "FailureCount": document.get("failures", 0),
                    "Failures": failures.recent(txn, document["UUID"]),
                }
            )
    return found


def _busy_mapping(txn: Any, boss: consumers.Supervisor, document: dict[str, Any]) -> str | None:
    if document["State"] in (*consumers.STATE_CHANGE, mappings.DELETING):
        return f"is {document['State']}"
    if not document["enabled"]:
        return None
    runner = boss.runners.get(document["UUID"])
    if runner is None or runner.revision != document["revision"]:
        return "is starting"
    newest = streams.newest_sequence(txn, document["EventSourceArn"])
    if runner.frontier < newest:
        return f"has records to process (done up to {runner.frontier}, newest {newest})"
    if runner.working():
        return "has a batch or a window open"
    return None


def _shards(txn: Any, document: dict[str, Any], runner: Any) -> list[dict[str, Any]]:
    stream = streams.load(txn, document["EventSourceArn"])
    if stream is None:
        return []
    saved = checkpoints.load_all(txn, document["UUID"])
    running = runner.consumers if runner is not None else {}
    start = int(document["start"]) if document["start"] is not None else None
    shown = []
    for shard in stream["shards"]:
        shard_id = shard["ShardId"]
        checkpoint = saved.get(shard_id, {})
        drained = checkpoint.get("drained", False)
        if shard_id in running:
            done = running[shard_id].tracker.checkpoint
        elif "sequence" in checkpoint:
            done = int(checkpoint["sequence"])
        else:
            done = max(streams.floor(shard), start or 0)
        count, oldest = (0, None) if drained else _lag(txn, stream, shard, done)
        shown.append(
            {
                "ShardId": shard_id,
                "ParentShardId": shard.get("ParentShardId"),
                "Checkpoint": str(done),
                "Drained": drained,
                "Reading": shard_id in running,
                "LagRecords": count,
                "OldestUnprocessedAgeSeconds": oldest,
            }
        )
    return shown


def _lag(
    txn: Any, stream: dict[str, Any], shard: dict[str, Any], done: int
) -> tuple[int, float | None]:
    """How many of the shard's records come after `done`, and the age of the first."""
    entries = txn.log_read(
        stream["space"], streams.position_of(done), streams.until(shard), LAG_LIMIT
    )
    count = 0
    oldest = None
    for _, value in entries:
        if oldest is None:
            oldest = max(0.0, clock.now() - records.created_at(value))
        count += 1
    return count, oldest
