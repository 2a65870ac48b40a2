"""Function states: Pending → Active, InProgress → Successful, settled after commit."""

from __future__ import annotations

import asyncio

import pytest

from tidal.awslambda import records, states
from tidal.awslambda.errors import ResourceConflictException
from tidal.core.config import Config
from tidal.core.runtime import Runtime
from tidal.storage import open_store

ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture
def runtime():
    runtime = Runtime(Config(in_memory=True), open_store(None))
    yield runtime
    runtime.store.close()


def record(**fields) -> dict:
    return {"FunctionName": "f", "RevisionId": "r0", "State": "Active", **fields}


def test_creating_then_settling():
    created = record()
    states.creating(created)
    assert (created["State"], created["StateReasonCode"]) == ("Pending", "Creating")
    assert "LastUpdateStatus" not in created
    assert states.settle(created)
    assert (created["State"], created["LastUpdateStatus"]) == ("Active", "Successful")
    assert "StateReason" not in created and created["RevisionId"] != "r0"
    assert not states.settle(created)


def test_updating_then_settling():
    updated = record(LastUpdateStatus="Successful")
    states.updating(updated)
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["LastUpdateStatusReason"] == "The function is being created."
    states.settle(updated)
    assert updated["LastUpdateStatus"] == "Successful"
    assert "LastUpdateStatusReasonCode" not in updated


def test_changes_wait_for_a_settled_state():
    pending = record()
    states.creating(pending)
    with pytest.raises(ResourceConflictException) as raised:
        states.require_settled(pending, "arn")
    assert raised.value.message.endswith(
        "The function is currently in the following state: Pending"
    )
    busy = record()
    states.updating(busy)
    with pytest.raises(ResourceConflictException) as raised:
        states.require_settled(busy, "arn:f")
    assert raised.value.message == (
        "The operation cannot be performed at this time. An update is in progress for "
        "resource: arn:f"
    )
    states.require_settled(record(LastUpdateStatus="Successful"), "arn")


def save_pending(runtime: Runtime) -> None:
    latest = record()
    states.creating(latest)
    with runtime.store.transaction() as txn:
        records.save_function(txn, ACCOUNT, REGION, {"Latest": latest})
        states.schedule(runtime, txn, ACCOUNT, REGION, "f")


def latest(runtime: Runtime) -> dict:
    with runtime.store.transaction(write=False) as txn:
        return txn.get_doc(records.FUNCTIONS, records.function_key(ACCOUNT, REGION, "f"))["Latest"]


def test_scheduled_transitions_wait_for_settle_pending_without_a_loop(runtime):
    save_pending(runtime)
    assert latest(runtime)["State"] == "Pending"
    assert states.settle_pending(runtime) == 1
    assert latest(runtime)["State"] == "Active"
    assert states.settle_pending(runtime) == 0


def test_a_rolled_back_change_schedules_nothing(runtime):
    with pytest.raises(RuntimeError), runtime.store.transaction() as txn:
        states.schedule(runtime, txn, ACCOUNT, REGION, "f")
        raise RuntimeError("rolled back")
    assert states.settle_pending(runtime) == 0


def test_the_loop_settles_right_after_the_commit(runtime):
    async def scenario():
        task = asyncio.create_task(states.run(runtime))
        await asyncio.sleep(0)
        save_pending(runtime)
        await asyncio.sleep(0)
        settled = latest(runtime)["State"]
        with states.held(runtime):
            save_pending(runtime)
            await asyncio.sleep(0)
            held = latest(runtime)["State"]
        task.cancel()
        return settled, held

    assert asyncio.run(scenario()) == ("Active", "Pending")
