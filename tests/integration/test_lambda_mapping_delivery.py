"""Stream triggers end to end through boto3: DynamoDB writes reach Python handlers as AWS's
events, in order, with every delivery option of a DynamoDB event source mapping."""

from __future__ import annotations

import json
import time

import pytest

from tidal.awslambda import delivery
from tidal.core import clock
from tidal.testing.waiting import eventually

from .lambda_mapping_support import (
    FAIL_ON_POISON,
    Triggers,
    events_in,
    keys,
)


@pytest.fixture(scope="module")
def triggers(tidal_endpoint, tmp_path_factory):
    triggers = Triggers(tidal_endpoint, tmp_path_factory.mktemp("esm-delivery"))
    yield triggers
    triggers.close()


@pytest.fixture(scope="module")
def recorder(triggers):
    """One function, shared by the tests, that records every event and succeeds."""
    return triggers.function()


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(delivery, "BACKOFF_FIRST", 0.01)
    monkeypatch.setattr(delivery, "BACKOFF_MAX", 0.02)


def test_an_insert_reaches_the_handler_as_aws_shapes_it(triggers, recorder, wait_for_idle):
    name, events = recorder
    table, stream = triggers.table("NEW_IMAGE")
    mapping = triggers.map(name, stream, StartingPosition="LATEST")
    triggers.put(table, "user#1", email="a@example.com")
    wait_for_idle()
    (event,) = events_in(events, stream)
    (record,) = event["Records"]
    assert set(record) == {
        "eventID",
        "eventName",
        "eventVersion",
        "eventSource",
        "awsRegion",
        "dynamodb",
        "eventSourceARN",
    }
    assert record["eventName"] == "INSERT"
    assert record["eventVersion"] == "1.1"
    assert record["eventSource"] == "aws:dynamodb"
    assert record["awsRegion"] == "us-east-1"
    assert record["eventSourceARN"] == stream
    change = record["dynamodb"]
    assert isinstance(change["ApproximateCreationDateTime"], float)
    assert change["Keys"] == {"pk": {"S": "user#1"}}
    assert change["NewImage"] == {"pk": {"S": "user#1"}, "email": {"S": "a@example.com"}}
    assert change["StreamViewType"] == "NEW_IMAGE"
    assert change["SequenceNumber"].isdigit()
    assert change["SizeBytes"] > 0
    fetched = triggers.lam.get_event_source_mapping(UUID=mapping["UUID"])
    assert fetched["LastProcessingResult"] == "OK"


def test_batch_size_splits_the_backlog_in_order(triggers, recorder, wait_for_idle):
    name, events = recorder
    table, stream = triggers.table()
    for n in range(7):
        triggers.put(table, f"k{n}")
    triggers.map(name, stream, BatchSize=3)
    wait_for_idle()
    assert [keys(e) for e in events_in(events, stream)] == [
        ["k0", "k1", "k2"],
        ["k3", "k4", "k5"],
        ["k6"],
    ]


def test_the_batching_window_gathers_writes_into_one_batch(triggers, recorder, wait_for_idle):
    name, events = recorder
    table, stream = triggers.table()
    triggers.map(name, stream, BatchSize=50, MaximumBatchingWindowInSeconds=2)
    wait_for_idle()
    for n in range(5):
        triggers.put(table, f"k{n}")
    wait_for_idle()
    assert [keys(e) for e in events_in(events, stream)] == [[f"k{n}" for n in range(5)]]


def test_latest_skips_what_was_written_before_and_trim_horizon_does_not(triggers, wait_for_idle):
    table, stream = triggers.table()
    triggers.put(table, "old")
    latest, latest_events = triggers.function()
    horizon, horizon_events = triggers.function()
    triggers.map(latest, stream, StartingPosition="LATEST")
    triggers.map(horizon, stream, StartingPosition="TRIM_HORIZON")
    wait_for_idle()
    triggers.put(table, "new")
    wait_for_idle()
    assert [keys(e) for e in events_in(latest_events)] == [["new"]]
    assert [k for e in events_in(horizon_events) for k in keys(e)] == ["old", "new"]


def test_modify_and_remove_records_with_their_images(triggers, recorder, wait_for_idle):
    name, events = recorder
    table, stream = triggers.table("NEW_AND_OLD_IMAGES")
    triggers.map(name, stream, StartingPosition="LATEST", BatchSize=10)
    wait_for_idle()
    triggers.put(table, "a", v="1")
    triggers.put(table, "a", v="2")
    triggers.dynamodb.delete_item(TableName=table, Key={"pk": {"S": "a"}})
    wait_for_idle()
    records = [r for e in events_in(events, stream) for r in e["Records"]]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    assert records[1]["dynamodb"]["OldImage"]["v"] == {"S": "1"}
    assert records[1]["dynamodb"]["NewImage"]["v"] == {"S": "2"}
    assert "NewImage" not in records[2]["dynamodb"]


def test_parallel_batches_keep_each_key_in_order(triggers, recorder, wait_for_idle):
    name, events = recorder
    table, stream = triggers.table()
    for n in range(8):
        for key in ("a", "b", "c", "d", "e"):
            triggers.put(table, key, n=str(n))
    triggers.map(name, stream, BatchSize=2, ParallelizationFactor=5)
    wait_for_idle()
    seen = [
        (r["dynamodb"]["Keys"]["pk"]["S"], int(r["dynamodb"]["NewImage"]["n"]["S"]))
        for e in events_in(events, stream)
        for r in e["Records"]
    ]
    assert len(seen) == 40
    for key in "abcde":
        assert [n for k, n in seen if k == key] == list(range(8))


def test_retries_until_exhausted_then_the_failure_is_kept_and_the_shard_moves_on(
    triggers, wait_for_idle
):
    name, events = triggers.function(FAIL_ON_POISON)
    table, stream = triggers.table("NEW_IMAGE")
    triggers.put(table, "bad", poison="yes")
    triggers.put(table, "good")
    queue = "arn:aws:sqs:us-east-1:000000000000:failures"
    mapping = triggers.map(
        name,
        stream,
        BatchSize=1,
        MaximumRetryAttempts=2,
        DestinationConfig={"OnFailure": {"Destination": queue}},
    )
    wait_for_idle()
    assert [keys(e) for e in events_in(events)] == [["bad"], ["bad"], ["bad"], ["good"]]
    view = triggers.view(mapping["UUID"])
    assert view["FailureCount"] == 1
    (failure,) = view["Failures"]
    assert failure["destination"] == queue
    record = failure["record"]
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    info = record["DDBStreamBatchInfo"]
    assert info["streamArn"] == stream and info["batchSize"] == 1
    assert info["shardId"] == view["Shards"][0]["ShardId"]
    assert view["LastError"]["message"].startswith("Unhandled")


def test_with_default_retries_a_poison_record_blocks_its_shard(triggers, wait_for_idle):
    name, events = triggers.function(FAIL_ON_POISON)
    table, stream = triggers.table("NEW_IMAGE")
    triggers.put(table, "bad", poison="yes")
    triggers.put(table, "after")
    mapping = triggers.map(name, stream, BatchSize=1)
    eventually(lambda: len(events_in(events)) >= 3)
    with pytest.raises(AssertionError, match="has records to process"):
        wait_for_idle(timeout=0.2)
    seen = [keys(e) for e in events_in(events)]
    assert set(map(tuple, seen)) == {("bad",)}
    fetched = triggers.lam.get_event_source_mapping(UUID=mapping["UUID"])
    assert fetched["LastProcessingResult"] == "PROBLEM: Function call failed"
    shard = triggers.view(mapping["UUID"])["Shards"][0]
    assert shard["LagRecords"] == 2 and shard["OldestUnprocessedAgeSeconds"] >= 0
    triggers.lam.delete_event_source_mapping(UUID=mapping["UUID"])
    wait_for_idle()


def test_bisect_isolates_the_failing_record(triggers, wait_for_idle):
    name, events = triggers.function(FAIL_ON_POISON)
    table, stream = triggers.table("NEW_IMAGE")
    for key in ("a", "b", "c"):
        triggers.put(table, key)
    triggers.put(table, "d", poison="yes")
    mapping = triggers.map(
        name, stream, BatchSize=4, BisectBatchOnFunctionError=True, MaximumRetryAttempts=0
    )
    wait_for_idle()
    assert [keys(e) for e in events_in(events)] == [
        ["a", "b", "c", "d"],
        ["a", "b"],
        ["c", "d"],
        ["c"],
        ["d"],
    ]
    (failure,) = triggers.view(mapping["UUID"])["Failures"]
    assert failure["record"]["DDBStreamBatchInfo"]["batchSize"] == 1


REPORT_POISON = """def answer(event):
    failed = [
        {"itemIdentifier": record["dynamodb"]["SequenceNumber"]}
        for record in event["Records"]
        if "poison" in record["dynamodb"]["NewImage"]
    ]
    return {"batchItemFailures": failed}
"""


def test_reported_item_failures_retry_from_the_first_failed_record(triggers, wait_for_idle):
    name, events = triggers.function(REPORT_POISON)
    table, stream = triggers.table("NEW_IMAGE")
    triggers.put(table, "a")
    triggers.put(table, "b", poison="yes")
    triggers.put(table, "c")
    mapping = triggers.map(
        name,
        stream,
        BatchSize=3,
        MaximumRetryAttempts=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    wait_for_idle()
    assert [keys(e) for e in events_in(events)] == [["a", "b", "c"], ["b", "c"]]
    (failure,) = triggers.view(mapping["UUID"])["Failures"]
    record = failure["record"]
    assert record["responseContext"]["functionError"] is None
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["DDBStreamBatchInfo"]["batchSize"] == 2


@pytest.mark.parametrize(
    "answer", ["None", "{}", "[]", '{"batchItemFailures": []}', '{"batchItemFailures": None}']
)
def test_answers_meaning_success_checkpoint_the_batch(triggers, wait_for_idle, answer):
    name, events = triggers.function(f"def answer(event):\n    return {answer}\n")
    table, stream = triggers.table()
    triggers.put(table, "a")
    triggers.map(
        name, stream, MaximumRetryAttempts=0, FunctionResponseTypes=["ReportBatchItemFailures"]
    )
    wait_for_idle()
    assert [keys(e) for e in events_in(events)] == [["a"]]


@pytest.mark.parametrize(
    "answer",
    [
        '{"batchItemFailures": [{"itemIdentifier": ""}]}',
        '{"batchItemFailures": [{"itemIdentifier": None}]}',
        '{"batchItemFailures": [{"foo": 123}]}',
        '{"batchItemFailures": [{"itemIdentifier": 123}]}',
    ],
)
def test_malformed_item_failures_fail_the_whole_batch(triggers, wait_for_idle, answer):
    name, events = triggers.function(f"def answer(event):\n    return {answer}\n")
    table, stream = triggers.table()
    triggers.put(table, "a")
    triggers.put(table, "b")
    mapping = triggers.map(
        name,
        stream,
        BatchSize=2,
        MaximumRetryAttempts=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    wait_for_idle()
    assert [keys(e) for e in events_in(events)] == [["a", "b"], ["a", "b"]]
    (failure,) = triggers.view(mapping["UUID"])["Failures"]
    assert failure["record"]["DDBStreamBatchInfo"]["batchSize"] == 2


def test_records_older_than_the_maximum_age_are_discarded(
    triggers, recorder, wait_for_idle, monkeypatch
):
    name, events = recorder
    table, stream = triggers.table()
    triggers.put(table, "stale")
    real = clock.now
    monkeypatch.setattr(clock, "now", lambda: real() + 120)
    mapping = triggers.map(name, stream, MaximumRecordAgeInSeconds=60)
    wait_for_idle()
    assert events_in(events, stream) == []
    (failure,) = triggers.view(mapping["UUID"])["Failures"]
    assert failure["record"]["requestContext"]["condition"] == "RecordAgeExceeded"
    triggers.put(table, "fresh")
    wait_for_idle()
    assert [keys(e) for e in events_in(events, stream)] == [["fresh"]]


def test_a_lambda_on_failure_destination_gets_the_failure_record(triggers, wait_for_idle):
    name, events = triggers.function(FAIL_ON_POISON)
    dead_letters, dead = triggers.function()
    table, stream = triggers.table("NEW_IMAGE")
    triggers.put(table, "bad", poison="yes")
    destination = f"arn:aws:lambda:us-east-1:000000000000:function:{dead_letters}"
    triggers.map(
        name,
        stream,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": destination}},
    )
    wait_for_idle()
    assert [keys(e) for e in events_in(events)] == [["bad"]]
    (failure,) = [json.loads(line) for line in dead.read_text().splitlines()]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["functionArn"].endswith(f":function:{name}")
    assert failure["DDBStreamBatchInfo"]["streamArn"] == stream


FILTERS = [
    ({"eventName": ["INSERT"]}, {"a", "b", "c", "d", "e", "f"}),
    ({"dynamodb": {"NewImage": {"status": {"S": ["active"]}}}}, {"a"}),
    ({"dynamodb": {"NewImage": {"status": {"S": [{"prefix": "act"}]}}}}, {"a"}),
    ({"dynamodb": {"NewImage": {"status": {"S": [{"suffix": "ING"}]}}}}, {"b"}),
    ({"dynamodb": {"NewImage": {"status": {"S": [{"anything-but": ["active"]}]}}}}, {"b", "c"}),
    ({"dynamodb": {"NewImage": {"status": {"S": [{"equals-ignore-case": "pending"}]}}}}, {"b"}),
    (
        {"dynamodb": {"NewImage": {"status": {"S": [{"anything-but": {"prefix": "a"}}]}}}},
        {"b", "c"},
    ),
    ({"dynamodb": {"NewImage": {"status": {"S": [{"wildcard": "*os*"}]}}}}, {"c"}),
    ({"dynamodb": {"Keys": {"pk": {"S": ["a", "f"]}}}}, {"a", "f"}),
    ({"dynamodb": {"NewImage": {"status": {"S": [{"exists": True}]}}}}, {"a", "b", "c"}),
    ({"dynamodb": {"NewImage": {"status": [{"exists": True}]}}}, set()),
    ({"dynamodb": {"NewImage": {"status": [{"exists": False}]}}}, {"a", "b", "c", "d", "e", "f"}),
    ({"dynamodb": {"NewImage": {"status": {"S": [{"exists": False}]}}}}, {"d", "e", "f"}),
    ({"dynamodb": {"NewImage": {"score": {"N": [{"numeric": [">", 5]}]}}}}, set()),
    ({"dynamodb": {"NewImage": {"score": {"N": ["10"]}}}}, {"d"}),
    ({"dynamodb": {"ApproximateCreationDateTime": [{"numeric": [">", 0]}]}}, {*"abcdef"}),
    ({"dynamodb": {"NewImage": {"flag": {"BOOL": [True]}}}}, {"e"}),
    ({"dynamodb": {"NewImage": {"note": {"NULL": [True]}}}}, {"f"}),
    (
        {
            "$or": [
                {"dynamodb": {"NewImage": {"status": {"S": ["active"]}}}},
                {"dynamodb": {"NewImage": {"flag": {"BOOL": [True]}}}},
            ]
        },
        {"a", "e"},
    ),
]


@pytest.mark.parametrize(("pattern", "delivered"), FILTERS)
def test_filters_select_records_as_aws_applies_them(
    triggers, recorder, wait_for_idle, pattern, delivered
):
    name, events = recorder
    table, stream = triggers.table("NEW_IMAGE")
    triggers.put(table, "a", status="active")
    triggers.put(table, "b", status="PENDING")
    triggers.put(table, "c", status="closed")
    triggers.put(table, "d", score={"N": "10"})
    triggers.put(table, "e", flag={"BOOL": True})
    triggers.put(table, "f", note={"NULL": True})
    mapping = triggers.map(
        name, stream, BatchSize=1, FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]}
    )
    wait_for_idle()
    assert {k for e in events_in(events, stream) for k in keys(e)} == delivered
    (shard,) = triggers.view(mapping["UUID"])["Shards"]
    assert shard["LagRecords"] == 0


def test_several_filters_are_or_ed(triggers, recorder, wait_for_idle):
    name, events = recorder
    table, stream = triggers.table("NEW_IMAGE")
    for key, status in (("a", "x"), ("b", "y"), ("c", "z")):
        triggers.put(table, key, status=status)
    patterns = [
        {"dynamodb": {"NewImage": {"status": {"S": ["x"]}}}},
        {"dynamodb": {"Keys": {"pk": {"S": ["c"]}}}},
    ]
    triggers.map(
        name, stream, FilterCriteria={"Filters": [{"Pattern": json.dumps(p)} for p in patterns]}
    )
    wait_for_idle()
    assert [k for e in events_in(events, stream) for k in keys(e)] == ["a", "c"]


def test_ttl_deletes_carry_the_service_identity_in_lower_case(
    triggers, recorder, wait_for_idle, expire_now
):
    name, events = recorder
    table, stream = triggers.table("NEW_AND_OLD_IMAGES")
    triggers.dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    triggers.put(table, "temp", expires={"N": str(int(time.time()) - 10)})
    pattern = {"userIdentity": {"type": ["Service"], "principalId": ["dynamodb.amazonaws.com"]}}
    triggers.map(name, stream, FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]})
    assert expire_now() == 1
    wait_for_idle()
    (event,) = events_in(events, stream)
    (record,) = event["Records"]
    assert record["eventName"] == "REMOVE"
    assert record["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


STATEFUL = """def answer(event):
    state = dict(event["state"])
    state["count"] = state.get("count", 0) + len(event["Records"])
    return {"state": state}
"""


def test_tumbling_windows_carry_state_to_a_final_invocation(triggers, wait_for_idle):
    name, events = triggers.function(STATEFUL)
    table, stream = triggers.table()
    triggers.map(name, stream, BatchSize=2, TumblingWindowInSeconds=1)
    wait_for_idle()
    for n in range(5):
        triggers.put(table, f"k{n}")
    wait_for_idle()
    seen = events_in(events)
    finals = [e for e in seen if e["isFinalInvokeForWindow"]]
    assert finals and all(e["Records"] == [] for e in finals)
    assert sum(e["state"]["count"] for e in finals) == 5
    assert all(e["eventSourceARN"] == stream and e["shardId"].startswith("shardId-") for e in seen)
    assert all(e["isWindowTerminatedEarly"] is False for e in seen)
    windows = {(e["window"]["start"], e["window"]["end"]) for e in seen}
    for start, end in windows:
        assert start.endswith("Z") and end.endswith("Z") and start < end
    first_of_window = {}
    for event in seen:
        first_of_window.setdefault(event["window"]["start"], event)
    assert all(e["state"] == {} for e in first_of_window.values())


def test_a_disabled_mapping_keeps_its_position_until_enabled(triggers, recorder, wait_for_idle):
    name, events = recorder
    table, stream = triggers.table()
    mapping = triggers.map(name, stream, BatchSize=10)
    triggers.put(table, "before")
    wait_for_idle()
    triggers.lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    wait_for_idle()
    triggers.put(table, "while-1")
    triggers.put(table, "while-2")
    wait_for_idle()
    assert [keys(e) for e in events_in(events, stream)] == [["before"]]
    triggers.lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    wait_for_idle()
    assert [keys(e) for e in events_in(events, stream)] == [["before"], ["while-1", "while-2"]]


def test_an_update_applies_to_the_next_batches(triggers, recorder, wait_for_idle):
    name, events = recorder
    table, stream = triggers.table()
    mapping = triggers.map(name, stream, BatchSize=1)
    for key in ("a", "b"):
        triggers.put(table, key)
    wait_for_idle()
    triggers.lam.update_event_source_mapping(
        UUID=mapping["UUID"],
        BatchSize=10,
        FilterCriteria={"Filters": [{"Pattern": '{"dynamodb": {"Keys": {"pk": {"S": ["d"]}}}}'}]},
    )
    wait_for_idle()
    for key in ("c", "d"):
        triggers.put(table, key)
    wait_for_idle()
    assert [keys(e) for e in events_in(events, stream)] == [["a"], ["b"], ["d"]]


def test_a_deleted_mapping_delivers_nothing_more(triggers, recorder, wait_for_idle):
    name, events = recorder
    table, stream = triggers.table()
    mapping = triggers.map(name, stream)
    triggers.put(table, "a")
    wait_for_idle()
    triggers.lam.delete_event_source_mapping(UUID=mapping["UUID"])
    wait_for_idle()
    triggers.put(table, "b")
    wait_for_idle()
    assert [keys(e) for e in events_in(events, stream)] == [["a"]]
