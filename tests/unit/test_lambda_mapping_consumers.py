"""Consumers with a fake function: batching, positions, retries, bisection, partial failures,
record age, filters, parallel lanes, tumbling windows, lineage, state changes and restarts."""

from __future__ import annotations

import asyncio

import pytest

from tidal.awslambda import checkpoints, consumers, delivery, failures, mappings
from tidal.awslambda.errors import ResourceNotFoundException, TooManyRequestsException
from tidal.core import clock
from tidal.core.runtime import Runtime
from tidal.streams import shards
from tidal.testing.waiting import until

from .lambda_mapping_support import FUNCTION_ARN, REGION, STREAM_ARN, FakeTarget, Harness


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(delivery, "BACKOFF_FIRST", 0.001)
    monkeypatch.setattr(delivery, "BACKOFF_MAX", 0.004)


def keys_of(event: dict) -> list[str]:
    return [record["dynamodb"]["Keys"]["pk"]["S"] for record in event["Records"]]


def run(scenario) -> None:
    asyncio.run(asyncio.wait_for(scenario(), 20))


def failure_log(harness: Harness, uuid: str) -> list[dict]:
    with harness.runtime.store.transaction(write=False) as txn:
        return failures.recent(txn, uuid)


def fails_when(key: str, error: str = "Unhandled"):
    def answer(event):
        return (error, {"errorMessage": "no"}) if key in keys_of(event) else (None, None)

    return answer


def test_batches_of_batch_size_in_order_from_trim_horizon():
    harness = Harness()
    harness.stream()
    for key in "abcdefg":
        harness.put(key)

    async def scenario():
        harness.map(BatchSize=3)
        async with harness.running():
            await harness.idle()

    run(scenario)
    assert harness.target.keys() == [["a", "b", "c"], ["d", "e", "f"], ["g"]]
    event = harness.target.events[0]
    assert event["Records"][0]["eventSourceARN"] == STREAM_ARN
    assert event["Records"][0]["eventName"] == "INSERT"


def test_latest_starts_after_the_newest_record_and_new_records_wake_the_consumer():
    harness = Harness()
    harness.stream()
    harness.put("before")

    async def scenario():
        uuid = harness.map(StartingPosition="LATEST", BatchSize=1)
        async with harness.running():
            await harness.idle()
            assert harness.target.events == []
            assert harness.mapping(uuid)["State"] == "Enabled"
            harness.put("after-1")
            harness.put("after-2")
            await harness.idle()
            assert harness.mapping(uuid)["LastProcessingResult"] == "OK"

    run(scenario)
    assert harness.target.keys() == [["after-1"], ["after-2"]]


def test_retries_until_exhausted_then_the_failure_goes_to_the_log_and_the_shard_moves_on():
    harness = Harness(FakeTarget(fails_when("poison")))
    harness.stream()
    harness.put("poison")
    harness.put("fine")

    async def scenario():
        uuid = harness.map(
            BatchSize=1,
            MaximumRetryAttempts=2,
            DestinationConfig={
                "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:dlq"}
            },
        )
        async with harness.running():
            await harness.idle()
        return uuid

    uuid = asyncio.run(scenario())
    assert harness.target.keys() == [["poison"]] * 3 + [["fine"]]
    (entry,) = failure_log(harness, uuid)
    assert entry["destination"] == "arn:aws:sqs:us-east-1:000000000000:dlq"
    record = entry["record"]
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestContext"]["functionArn"] == FUNCTION_ARN
    assert record["responseContext"]["functionError"] == "Unhandled"
    info = record["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1 and info["streamArn"] == STREAM_ARN
    assert info["startSequenceNumber"] == info["endSequenceNumber"]
    assert harness.mapping(uuid)["LastProcessingResult"] == "OK"


def test_a_failing_record_blocks_its_shard_until_it_succeeds_by_default():
    attempts = {"n": 0}

    def flaky(event):
        if "first" in keys_of(event) and attempts["n"] < 4:
            attempts["n"] += 1
            return "Unhandled", None
        return None, None

    harness = Harness(FakeTarget(flaky))
    harness.stream()
    for key in ("first", "second"):
        harness.put(key)

    async def scenario():
        uuid = harness.map(BatchSize=1)
        async with harness.running():
            await until(lambda: len(harness.target.events) == 2)
            assert harness.mapping(uuid)["LastProcessingResult"].startswith("PROBLEM")
            await harness.idle()

    run(scenario)
    assert harness.target.keys() == [["first"]] * 5 + [["second"]]


def test_bisect_splits_a_failing_batch_until_the_bad_record_is_alone():
    harness = Harness(FakeTarget(fails_when("c")))
    harness.stream()
    for key in "abcd":
        harness.put(key)

    async def scenario():
        uuid = harness.map(BatchSize=4, BisectBatchOnFunctionError=True, MaximumRetryAttempts=0)
        async with harness.running():
            await harness.idle()
        return uuid

    uuid = asyncio.run(scenario())
    assert harness.target.keys() == [["a", "b", "c", "d"], ["a", "b"], ["c", "d"], ["c"], ["d"]]
    (entry,) = failure_log(harness, uuid)
    assert entry["destination"] is None
    assert entry["record"]["DDBStreamBatchInfo"]["batchSize"] == 1


def test_reported_item_failures_retry_from_the_first_failed_record():
    reported = {"done": False}

    def answer(event):
        if not reported["done"]:
            reported["done"] = True
            third = event["Records"][2]["dynamodb"]["SequenceNumber"]
            return None, {"batchItemFailures": [{"itemIdentifier": third}]}
        return None, {"batchItemFailures": []}

    harness = Harness(FakeTarget(answer))
    harness.stream()
    for key in "abcd":
        harness.put(key)

    async def scenario():
        harness.map(BatchSize=4, FunctionResponseTypes=["ReportBatchItemFailures"])
        async with harness.running():
            await harness.idle()

    run(scenario)
    assert harness.target.keys() == [["a", "b", "c", "d"], ["c", "d"]]


def test_item_failures_exhausting_retries_describe_only_the_failed_records():
    def answer(event):
        last = event["Records"][-1]["dynamodb"]["SequenceNumber"]
        return None, {"batchItemFailures": [{"itemIdentifier": last}]}

    harness = Harness(FakeTarget(answer))
    harness.stream()
    for key in "abc":
        harness.put(key)

    async def scenario():
        uuid = harness.map(
            BatchSize=3,
            MaximumRetryAttempts=1,
            FunctionResponseTypes=["ReportBatchItemFailures"],
        )
        async with harness.running():
            await harness.idle()
        return uuid

    uuid = asyncio.run(scenario())
    assert harness.target.keys() == [["a", "b", "c"], ["c"]]
    (entry,) = failure_log(harness, uuid)
    assert entry["record"]["responseContext"]["functionError"] is None
    assert entry["record"]["requestContext"]["approximateInvokeCount"] == 2
    assert entry["record"]["DDBStreamBatchInfo"]["batchSize"] == 1


def test_records_older_than_the_maximum_age_are_discarded_without_an_invocation(monkeypatch):
    harness = Harness()
    harness.stream()
    harness.put("old")

    async def scenario():
        uuid = harness.map(MaximumRecordAgeInSeconds=60)
        real = clock.now
        monkeypatch.setattr(clock, "now", lambda: real() + 120)
        async with harness.running():
            await harness.idle()
        return uuid

    uuid = asyncio.run(scenario())
    assert harness.target.events == []
    (entry,) = failure_log(harness, uuid)
    assert entry["record"]["requestContext"]["condition"] == "RecordAgeExceeded"
    assert entry["record"]["requestContext"]["approximateInvokeCount"] == 0
    assert "responseContext" not in entry["record"]


def test_filtered_out_records_are_checkpointed_without_an_invocation():
    harness = Harness()
    harness.stream()
    harness.put("a", status="skip")
    harness.put("b", status="keep")
    harness.put("c", status="skip")

    async def scenario():
        pattern = '{"dynamodb": {"NewImage": {"status": {"S": ["keep"]}}}}'
        uuid = harness.map(FilterCriteria={"Filters": [{"Pattern": pattern}]})
        async with harness.running():
            await harness.idle()
        return uuid

    uuid = asyncio.run(scenario())
    assert harness.target.keys() == [["b"]]
    with harness.runtime.store.transaction(write=False) as txn:
        (saved,) = checkpoints.load_all(txn, uuid).values()
        newest = shards.streams.newest_sequence(txn, STREAM_ARN)
    assert int(saved["sequence"]) == newest


def test_parallel_lanes_run_concurrently_and_keep_each_key_in_order():
    running = {"now": 0, "most": 0}
    seen: list[tuple[str, str]] = []

    class Slow(FakeTarget):
        async def invoke(self, function_arn, payload):
            running["now"] += 1
            running["most"] = max(running["most"], running["now"])
            await asyncio.sleep(0.005)
            running["now"] -= 1
            return await super().invoke(function_arn, payload)

    harness = Harness(Slow())
    harness.stream()
    for n in range(10):
        for key in ("k1", "k2", "k3", "k4"):
            harness.put(key, n=str(n))

    async def scenario():
        harness.map(BatchSize=1, ParallelizationFactor=4)
        async with harness.running():
            await harness.idle()

    run(scenario)
    for event in harness.target.events:
        (record,) = event["Records"]
        seen.append(
            (record["dynamodb"]["Keys"]["pk"]["S"], record["dynamodb"]["NewImage"]["n"]["S"])
        )
    assert len(seen) == 40
    for key in ("k1", "k2", "k3", "k4"):
        assert [n for k, n in seen if k == key] == [str(n) for n in range(10)]
    assert running["most"] > 1


def test_the_batching_window_gathers_records_that_arrive_within_it():
    harness = Harness()
    harness.stream()

    async def scenario():
        harness.map(BatchSize=10, MaximumBatchingWindowInSeconds=1)
        async with harness.running():
            await until(lambda: bool(consumers.supervisor(harness.runtime).runners))
            harness.put("first")
            runner = next(iter(consumers.supervisor(harness.runtime).runners.values()))
            await until(lambda: any(c.tracker.pending for c in runner.consumers.values()))
            harness.put("second")
            harness.put("third")
            await harness.idle()

    run(scenario)
    assert harness.target.keys() == [["first", "second", "third"]]


def test_tumbling_windows_carry_state_and_end_with_a_final_invocation():
    def count(event):
        total = event["state"].get("count", 0) + len(event["Records"])
        return None, {"state": {"count": total}}

    harness = Harness(FakeTarget(count))
    harness.stream()

    async def scenario():
        harness.map(BatchSize=1, TumblingWindowInSeconds=1)
        async with harness.running():
            for key in "abc":
                harness.put(key)
            await harness.idle()

    run(scenario)
    events = harness.target.events
    finals = [e for e in events if e["isFinalInvokeForWindow"]]
    assert finals and all(e["Records"] == [] for e in finals)
    assert sum(e["state"]["count"] for e in finals) == 3
    first = events[0]
    assert first["state"] == {}
    assert first["shardId"].startswith("shardId-")
    assert first["eventSourceARN"] == STREAM_ARN
    assert set(first["window"]) == {"start", "end"}
    assert first["isWindowTerminatedEarly"] is False


def test_a_window_answer_without_state_is_retried():
    answers = iter([(None, {"no": "state"}), (None, {"state": {}}), (None, {"state": {}})])
    harness = Harness(FakeTarget(lambda event: next(answers)))
    harness.stream()

    async def scenario():
        harness.map(BatchSize=1, TumblingWindowInSeconds=1)
        async with harness.running():
            harness.put("a")
            await harness.idle()

    run(scenario)
    assert [len(e["Records"]) for e in harness.target.events] == [1, 1, 0]


def test_children_are_read_after_their_parent_is_drained():
    harness = Harness()
    harness.stream()
    harness.put("parent-1")
    harness.put("parent-2")
    with harness.runtime.store.transaction() as txn:
        shards.roll_over(harness.runtime, txn, STREAM_ARN, clock.now())
    harness.put("child-1")

    async def scenario():
        uuid = harness.map(BatchSize=10)
        async with harness.running():
            await harness.idle()
            harness.put("child-2")
            await harness.idle()
        return uuid

    uuid = asyncio.run(scenario())
    assert harness.target.keys() == [["parent-1", "parent-2"], ["child-1"], ["child-2"]]
    with harness.runtime.store.transaction(write=False) as txn:
        saved = checkpoints.load_all(txn, uuid)
    assert sorted(cp["drained"] for cp in saved.values()) == [False, True]


def test_disabling_keeps_the_position_and_enabling_resumes_from_it():
    harness = Harness()
    harness.stream()

    async def scenario():
        uuid = harness.map(BatchSize=10)
        async with harness.running():
            harness.put("a")
            await harness.idle()
            assert harness.update(uuid, Enabled=False)["State"] == "Disabling"
            await harness.idle()
            assert harness.mapping(uuid)["State"] == "Disabled"
            harness.put("b")
            harness.put("c")
            await harness.idle()
            assert harness.target.keys() == [["a"]]
            assert harness.update(uuid, Enabled=True)["State"] == "Enabling"
            await harness.idle()
            assert harness.mapping(uuid)["State"] == "Enabled"

    run(scenario)
    assert harness.target.keys() == [["a"], ["b", "c"]]


def test_an_update_applies_to_the_next_batches():
    harness = Harness()
    harness.stream()

    async def scenario():
        uuid = harness.map(BatchSize=1)
        async with harness.running():
            harness.put("a")
            harness.put("b")
            await harness.idle()
            assert harness.update(uuid, BatchSize=5)["State"] == "Updating"
            await harness.idle()
            assert harness.mapping(uuid)["State"] == "Enabled"
            for key in "cde":
                harness.put(key)
            await harness.idle()

    run(scenario)
    assert harness.target.keys() == [["a"], ["b"], ["c", "d", "e"]]


def test_deleting_stops_the_consumers_and_forgets_the_mapping():
    harness = Harness()
    harness.stream()

    async def scenario():
        uuid = harness.map()
        async with harness.running():
            harness.put("a")
            await harness.idle()
            harness.delete(uuid)
            await harness.idle()
            with harness.runtime.store.transaction(write=False) as txn:
                assert txn.get_doc(mappings.NAMESPACE, f"000000000000:{REGION}:{uuid}") is None
                assert checkpoints.load_all(txn, uuid) == {}
            harness.put("b")
            await harness.idle()

    run(scenario)
    assert harness.target.keys() == [["a"]]


def test_a_restart_resumes_after_the_checkpoint():
    harness = Harness()
    harness.stream()

    async def first_run():
        harness.map(BatchSize=2)
        async with harness.running():
            for key in "abc":
                harness.put(key)
            await harness.idle()

    run(first_run)
    for key in "de":
        harness.put(key)
    restarted = Harness(harness.target, Runtime(harness.runtime.config, harness.runtime.store))

    async def second_run():
        async with restarted.running():
            await restarted.idle()

    run(second_run)
    assert harness.target.keys() == [["a", "b"], ["c"], ["d", "e"]]


def test_a_lambda_destination_is_invoked_with_the_failure_record():
    harness = Harness(FakeTarget(fails_when("bad")))
    harness.stream()
    harness.put("bad")
    destination = "arn:aws:lambda:us-east-1:000000000000:function:dead-letters"

    async def scenario():
        uuid = harness.map(
            MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": destination}}
        )
        async with harness.running():
            await harness.idle()
        return uuid

    uuid = asyncio.run(scenario())
    ((arn, record),) = harness.target.destinations
    assert arn == destination
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    (entry,) = failure_log(harness, uuid)
    assert entry["delivery"].startswith(f"invoked {destination}")


@pytest.mark.parametrize(
    "trouble",
    [
        TooManyRequestsException("Rate Exceeded."),
        ResourceNotFoundException(f"Function not found: {FUNCTION_ARN}"),
        delivery.Unavailable("The function is Pending."),
    ],
)
def test_unreachable_functions_are_retried_without_counting(trouble):
    throttles = {"left": 3}

    class Throttled(FakeTarget):
        async def invoke(self, function_arn, payload):
            if throttles["left"]:
                throttles["left"] -= 1
                raise trouble
            return await super().invoke(function_arn, payload)

    harness = Harness(Throttled())
    harness.stream()
    harness.put("a")

    async def scenario():
        uuid = harness.map(MaximumRetryAttempts=0)
        async with harness.running():
            await harness.idle()
        return uuid

    uuid = asyncio.run(scenario())
    assert harness.target.keys() == [["a"]]
    assert failure_log(harness, uuid) == []


def test_payloads_stay_under_six_megabytes():
    harness = Harness()
    harness.stream()
    for n in range(20):
        harness.put(f"big-{n}", blob="x" * 380_000)

    async def scenario():
        harness.map(BatchSize=100)
        async with harness.running():
            await harness.idle()

    run(scenario)
    sizes = [len(e["Records"]) for e in harness.target.events]
    assert sum(sizes) == 20 and len(sizes) > 1
