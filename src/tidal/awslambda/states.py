"""Function states: Pending → Active after a create, InProgress → Successful after an update.

On AWS a function is `Pending` for a moment after CreateFunction and its LastUpdateStatus
`InProgress` after an update; both settle shortly after, with a new RevisionId. Tidal settles
them right after the change commits: the commit schedules `settle_pending` on the server's
event loop, so any request that arrives after the response sees the settled state (and
boto3's `function_active_v2` / `function_updated_v2` waiters succeed at their first poll).
Tests that want to see the in-between states hold the transitions (`held`) and settle them
when they choose (`settle_pending`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tidal.awslambda import records
from tidal.awslambda.errors import ResourceConflictException, update_in_progress
from tidal.core.ids import new_uuid
from tidal.core.runtime import Runtime

log = logging.getLogger(__name__)

CREATING = "The function is being created."
"""The reason AWS gives while a function is created, and (as recorded) while it updates."""


class Transitions:
    """Functions with a state to settle, and the loop that settles them."""

    def __init__(self) -> None:
        self.pending: set[tuple[str, str, str]] = set()
        self.holds = 0
        self.loop: asyncio.AbstractEventLoop | None = None


def _room(runtime: Runtime) -> Transitions:
    return runtime.room("lambda.transitions", Transitions)


def creating(record: dict[str, Any]) -> None:
    record["State"] = "Pending"
    record["StateReason"] = CREATING
    record["StateReasonCode"] = "Creating"
    for key in ("LastUpdateStatus", "LastUpdateStatusReason", "LastUpdateStatusReasonCode"):
        record.pop(key, None)


def updating(record: dict[str, Any]) -> None:
    record["LastUpdateStatus"] = "InProgress"
    record["LastUpdateStatusReason"] = CREATING
    record["LastUpdateStatusReasonCode"] = "Creating"


def settle(record: dict[str, Any]) -> bool:
    """Finish a create or an update: Active and Successful, with a new RevisionId."""
    if record.get("State") != "Pending" and record.get("LastUpdateStatus") != "InProgress":
        return False
    record["State"] = "Active"
    record["LastUpdateStatus"] = "Successful"
    for key in (
        "StateReason",
        "StateReasonCode",
        "LastUpdateStatusReason",
        "LastUpdateStatusReasonCode",
    ):
        record.pop(key, None)
    record["RevisionId"] = new_uuid()
    return True


def is_settled(record: dict[str, Any]) -> bool:
    return record.get("State") == "Active" and record.get("LastUpdateStatus") != "InProgress"


def require_settled(record: dict[str, Any], function_arn: str) -> None:
    """Refuse a change while the function is still being created or updated, as AWS does."""
    if record.get("State") == "Pending":
        raise ResourceConflictException(
            "The operation cannot be performed at this time. "
            "The function is currently in the following state: Pending"
        )
    if record.get("LastUpdateStatus") == "InProgress":
        raise update_in_progress(function_arn)


def schedule(runtime: Runtime, txn: Any, account: str, region: str, name: str) -> None:
    """Settle the function's states once `txn` commits."""
    transitions = _room(runtime)

    def committed() -> None:
        transitions.pending.add((account, region, name))
        if transitions.loop is not None and not transitions.holds:
            transitions.loop.call_soon_threadsafe(settle_pending, runtime)

    txn.on_commit(committed)


def settle_pending(runtime: Runtime) -> int:
    """Settle every scheduled function now; returns how many records changed."""
    transitions = _room(runtime)
    if not transitions.pending:
        return 0
    keys, transitions.pending = transitions.pending, set()
    changed = 0
    with runtime.store.transaction() as txn:
        for account, region, name in keys:
            changed += _settle_function(txn, account, region, name)
    return changed


def _settle_function(txn: Any, account: str, region: str, name: str) -> int:
    document = txn.get_doc(records.FUNCTIONS, records.function_key(account, region, name))
    if document is None:
        return 0
    changed = 0
    if settle(document["Latest"]):
        records.save_function(txn, account, region, document)
        changed += 1
    for key, version in txn.list_docs(records.VERSIONS, records.children(account, region, name)):
        if settle(version):
            txn.put_doc(records.VERSIONS, key, version)
            changed += 1
    return changed


@contextmanager
def held(runtime: Runtime) -> Iterator[None]:
    """Inside this block, scheduled transitions wait for an explicit `settle_pending`."""
    transitions = _room(runtime)
    transitions.holds += 1
    try:
        yield
    finally:
        transitions.holds -= 1


async def run(runtime: Runtime) -> None:
    """A background task: settle what a previous server left unsettled, then settle on this
    loop from now on."""
    transitions = _room(runtime)
    with runtime.store.transaction(write=False) as txn:
        for key, document in txn.list_docs(records.FUNCTIONS):
            if not is_settled(document["Latest"]):
                account, region, name = key.split(":", 2)
                transitions.pending.add((account, region, name))
    transitions.loop = asyncio.get_running_loop()
    try:
        settle_pending(runtime)
        await asyncio.Event().wait()
    finally:
        transitions.loop = None
