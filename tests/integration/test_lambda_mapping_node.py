"""Stream triggers with Node.js handlers: every option whose outcome depends on what the handler
returns, throws or calls back reaches a nodejs20.x (or legacy `nodejs`) function as it does a
Python one — order, retries to an OnFailure function, bisect, reported item failures, filters,
tumbling windows, callback errors and timeouts."""

from __future__ import annotations

import io
import itertools
import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tidal.awslambda import delivery
from tidal.testing.plugin import client

from .lambda_mapping_support import Triggers, keys, unique

HANDLERS = """const fs = require('fs');

const EVENTS = process.env.EVENTS;

// What the function got before this invocation.
function previously() {
  const lines = fs.readFileSync(EVENTS, 'utf8').split('\\n').filter(Boolean);
  return lines.map((line) => JSON.parse(line));
}

function write(event, context) {
  const line = { requestId: context.awsRequestId, pid: process.pid, event };
  fs.appendFileSync(EVENTS, JSON.stringify(line) + '\\n');
}

const image = (record) => record.dynamodb.NewImage || {};
const sequence = (record) => record.dynamodb.SequenceNumber;
const poisoned = (event) => event.Records.some((record) => 'poison' in image(record));

exports.succeeds = async (event, context) => {
  write(event, context);
};

exports.throws = async (event, context) => {
  write(event, context);
  if (poisoned(event)) {
    throw new TypeError('poisoned record');
  }
  return 'fine';
};

// `poison` records fail every time, `flaky` ones only the first time they are seen; the
// failures are named highest sequence number first.
exports.reports = async (event, context) => {
  const seen = new Set(previously().flatMap((line) => line.event.Records.map(sequence)));
  write(event, context);
  const fails = (record) =>
    'poison' in image(record) || ('flaky' in image(record) && !seen.has(sequence(record)));
  const failed = event.Records.filter(fails).reverse();
  return { batchItemFailures: failed.map((record) => ({ itemIdentifier: sequence(record) })) };
};

// The answer the ANSWER variable holds as JSON, or undefined without it.
exports.answers = async (event, context) => {
  write(event, context);
  return process.env.ANSWER === undefined ? undefined : JSON.parse(process.env.ANSWER);
};

exports.windowed = async (event, context) => {
  write(event, context);
  const pks = event.Records.map((record) => record.dynamodb.Keys.pk.S);
  return { state: { keys: [...(event.state.keys || []), ...pks] } };
};

exports.callsBack = (event, context, callback) => {
  write(event, context);
  if (poisoned(event)) {
    callback(new Error('called back with an error'));
  } else {
    callback(null, 'done');
  }
};

// The first invocation outlasts the function's timeout; the next ones answer at once.
exports.slowAtFirst = async (event, context) => {
  const first = previously().length === 0;
  write(event, context);
  if (first) {
    await new Promise((resolve) => setTimeout(resolve, 30000));
  }
};
"""
LEGACY = """var fs = require('fs');

exports.handler = function (event, context) {
  var line = JSON.stringify({ requestId: context.awsRequestId, event: event });
  fs.appendFileSync(process.env.EVENTS, line + '\\n');
  var poisoned = event.Records.some(function (record) {
    return 'poison' in (record.dynamodb.NewImage || {});
  });
  if (poisoned) {
    context.fail(new Error('legacy poison'));
  } else {
    context.succeed('legacy ok');
  }
};
"""
ACCOUNT = "000000000000"
FAILURE_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"
ARRIVAL_TIME = "%Y-%m-%dT%H:%M:%SZ"


def archive(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, source in files.items():
            zipped.writestr(name, source)
    return buffer.getvalue()


CODE = archive({"index.js": HANDLERS, "legacy.js": LEGACY})


class NodeTriggers(Triggers):
    """Triggers whose functions are Node.js handlers recording each invocation."""

    def node(
        self,
        handler: str,
        runtime: str = "nodejs20.x",
        variables: dict[str, str] | None = None,
        **extra: Any,
    ) -> tuple[str, Path]:
        """A function of index.js and legacy.js running `handler`, with `variables` beside
        EVENTS: (name, the file of its invocations)."""
        name = unique("esm-node")
        lines = self.folder / f"{name}.jsonl"
        lines.touch()
        self.lam.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=self.role,
            Handler=handler,
            Code={"ZipFile": CODE},
            Environment={"Variables": {"EVENTS": str(lines), **(variables or {})}},
            **extra,
        )
        self.lam.get_waiter("function_active_v2").wait(FunctionName=name)
        return name, lines


@pytest.fixture(scope="module")
def triggers(tidal_endpoint, tmp_path_factory):
    triggers = NodeTriggers(tidal_endpoint, tmp_path_factory.mktemp("esm-node"))
    yield triggers
    triggers.close()


@pytest.fixture(scope="module")
def recorder(triggers):
    """One Node.js function, shared by the tests, that records every event and succeeds."""
    return triggers.node("index.succeeds")


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(delivery, "BACKOFF_FIRST", 0.01)
    monkeypatch.setattr(delivery, "BACKOFF_MAX", 0.02)


def invocations(path: Path, stream_arn: str | None = None) -> list[dict[str, Any]]:
    """What a Node.js function recorded, one {requestId, pid, event} per invocation, in order
    (only the invocations for one stream, if given)."""
    found = [json.loads(line) for line in path.read_text().splitlines()]
    if stream_arn is None:
        return found
    return [
        line
        for line in found
        if all(record["eventSourceARN"] == stream_arn for record in line["event"]["Records"])
        and line["event"].get("eventSourceARN", stream_arn) == stream_arn
    ]


def batches(path: Path, stream_arn: str | None = None) -> list[list[str]]:
    """The keys of each batch a function got, in order."""
    return [keys(line["event"]) for line in invocations(path, stream_arn)]


def sequence_numbers(path: Path) -> dict[str, str]:
    """The sequence number each key's (first) record had, as the function saw it."""
    found: dict[str, str] = {}
    for line in invocations(path):
        for record in line["event"]["Records"]:
            found.setdefault(
                record["dynamodb"]["Keys"]["pk"]["S"], record["dynamodb"]["SequenceNumber"]
            )
    return found


def test_batches_reach_the_handler_in_order_split_by_batch_size(triggers, recorder, wait_for_idle):
    name, lines = recorder
    table, stream = triggers.table("NEW_IMAGE")
    for n in range(7):
        triggers.put(table, f"k{n}", n={"N": str(n)})
    mapping = triggers.map(name, stream, BatchSize=3)
    wait_for_idle()
    seen = invocations(lines, stream)
    assert [keys(line["event"]) for line in seen] == [
        ["k0", "k1", "k2"],
        ["k3", "k4", "k5"],
        ["k6"],
    ]
    records = [record for line in seen for record in line["event"]["Records"]]
    numbers = [int(record["dynamodb"]["SequenceNumber"]) for record in records]
    assert numbers == sorted(numbers) and len(set(numbers)) == 7
    assert [record["dynamodb"]["NewImage"]["n"] for record in records] == [
        {"N": str(n)} for n in range(7)
    ]
    assert all(record["eventName"] == "INSERT" for record in records)
    assert all(r["dynamodb"]["ApproximateCreationDateTime"] > 1.6e9 for r in records)
    assert len({line["requestId"] for line in seen}) == 3
    fetched = triggers.lam.get_event_source_mapping(UUID=mapping["UUID"])
    assert fetched["LastProcessingResult"] == "OK"


def test_parallel_batches_keep_each_key_in_order(triggers, recorder, wait_for_idle):
    name, lines = recorder
    table, stream = triggers.table()
    for n in range(6):
        for key in ("a", "b", "c"):
            triggers.put(table, key, n=str(n))
    triggers.map(name, stream, BatchSize=2, ParallelizationFactor=3)
    wait_for_idle()
    seen = [
        (record["dynamodb"]["Keys"]["pk"]["S"], int(record["dynamodb"]["NewImage"]["n"]["S"]))
        for line in invocations(lines, stream)
        for record in line["event"]["Records"]
    ]
    assert len(seen) == 18
    for key in "abc":
        assert [n for k, n in seen if k == key] == list(range(6))


def test_a_thrown_error_is_retried_then_described_to_a_node_on_failure_function(
    triggers, wait_for_idle
):
    name, lines = triggers.node("index.throws")
    dead_letters, dead = triggers.node("index.succeeds")
    table, stream = triggers.table("NEW_IMAGE")
    triggers.put(table, "bad", poison="yes")
    triggers.put(table, "good")
    destination = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{dead_letters}"
    mapping = triggers.map(
        name,
        stream,
        BatchSize=1,
        MaximumRetryAttempts=2,
        DestinationConfig={"OnFailure": {"Destination": destination}},
    )
    wait_for_idle()
    seen = invocations(lines)
    assert [keys(line["event"]) for line in seen] == [["bad"], ["bad"], ["bad"], ["good"]]
    (delivered,) = invocations(dead)
    failure = delivered["event"]
    assert set(failure) == {
        "requestContext",
        "responseContext",
        "version",
        "timestamp",
        "DDBStreamBatchInfo",
    }
    assert failure["requestContext"] == {
        "requestId": seen[2]["requestId"],
        "functionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}",
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 3,
    }
    assert failure["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert failure["version"] == "1.0"
    datetime.strptime(failure["timestamp"], FAILURE_TIME)
    info = failure["DDBStreamBatchInfo"]
    bad_sequence = seen[0]["event"]["Records"][0]["dynamodb"]["SequenceNumber"]
    shard = triggers.view(mapping["UUID"])["Shards"][0]["ShardId"]
    assert {key: value for key, value in info.items() if not key.startswith("approximate")} == {
        "shardId": shard,
        "startSequenceNumber": bad_sequence,
        "endSequenceNumber": bad_sequence,
        "batchSize": 1,
        "streamArn": stream,
    }
    for key in ("approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord"):
        datetime.strptime(info[key], ARRIVAL_TIME)
    assert "Records" not in failure
    view = triggers.view(mapping["UUID"])
    assert view["FailureCount"] == 1
    assert view["LastError"]["message"] == "Unhandled function error: TypeError"


def test_bisect_isolates_the_poison_record(triggers, wait_for_idle):
    name, lines = triggers.node("index.throws")
    table, stream = triggers.table("NEW_IMAGE")
    for key in ("a", "b"):
        triggers.put(table, key)
    triggers.put(table, "c", poison="yes")
    triggers.put(table, "d")
    mapping = triggers.map(
        name, stream, BatchSize=4, BisectBatchOnFunctionError=True, MaximumRetryAttempts=0
    )
    wait_for_idle()
    assert batches(lines) == [["a", "b", "c", "d"], ["a", "b"], ["c", "d"], ["c"], ["d"]]
    (failure,) = triggers.view(mapping["UUID"])["Failures"]
    info = failure["record"]["DDBStreamBatchInfo"]
    poison = sequence_numbers(lines)["c"]
    assert (info["batchSize"], info["startSequenceNumber"], info["endSequenceNumber"]) == (
        1,
        poison,
        poison,
    )


def test_reported_item_failures_retry_from_the_lowest_one(triggers, wait_for_idle):
    name, lines = triggers.node("index.reports")
    table, stream = triggers.table("NEW_IMAGE")
    triggers.put(table, "a")
    triggers.put(table, "b", flaky="yes")
    triggers.put(table, "c")
    triggers.put(table, "d", flaky="yes")
    mapping = triggers.map(
        name,
        stream,
        BatchSize=4,
        MaximumRetryAttempts=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    wait_for_idle()
    assert batches(lines) == [["a", "b", "c", "d"], ["b", "c", "d"]]
    view = triggers.view(mapping["UUID"])
    assert view["Failures"] == [] and view["Shards"][0]["LagRecords"] == 0
    fetched = triggers.lam.get_event_source_mapping(UUID=mapping["UUID"])
    assert fetched["LastProcessingResult"] == "OK"


def test_reported_item_failures_past_the_retries_go_to_on_failure(triggers, wait_for_idle):
    name, lines = triggers.node("index.reports")
    table, stream = triggers.table("NEW_IMAGE")
    triggers.put(table, "a")
    triggers.put(table, "b", poison="yes")
    triggers.put(table, "c")
    triggers.put(table, "d")
    mapping = triggers.map(
        name,
        stream,
        BatchSize=4,
        MaximumRetryAttempts=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    triggers.put(table, "e")
    wait_for_idle()
    seen = batches(lines)
    assert seen[:2] == [["a", "b", "c", "d"], ["b", "c", "d"]]
    assert [key for batch in seen[2:] for key in batch] == ["e"]
    (failure,) = triggers.view(mapping["UUID"])["Failures"]
    record = failure["record"]
    assert record["responseContext"]["functionError"] is None
    assert record["requestContext"]["approximateInvokeCount"] == 2
    numbers = sequence_numbers(lines)
    info = record["DDBStreamBatchInfo"]
    assert (info["batchSize"], info["startSequenceNumber"], info["endSequenceNumber"]) == (
        3,
        numbers["b"],
        numbers["d"],
    )


@pytest.mark.parametrize(
    ("answer", "batches_seen"),
    [
        (None, [["a", "b"]]),
        ("{}", [["a", "b"]]),
        ('{"batchItemFailures": []}', [["a", "b"]]),
        ('{"batchItemFailures": [{"itemIdentifier": ""}]}', [["a", "b"], ["a", "b"]]),
        ('{"batchItemFailures": [{"itemIdentifier": 123}]}', [["a", "b"], ["a", "b"]]),
    ],
)
def test_what_an_async_handler_returns_decides_for_the_whole_batch(
    triggers, wait_for_idle, answer, batches_seen
):
    name, lines = triggers.node(
        "index.answers", variables=None if answer is None else {"ANSWER": answer}
    )
    table, stream = triggers.table()
    triggers.put(table, "a")
    triggers.put(table, "b")
    triggers.map(
        name,
        stream,
        BatchSize=2,
        MaximumRetryAttempts=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    wait_for_idle()
    assert batches(lines) == batches_seen


FILTERS = [
    ({"dynamodb": {"NewImage": {"status": {"S": [{"prefix": "act"}]}}}}, {"a"}),
    ({"dynamodb": {"NewImage": {"status": {"S": [{"anything-but": ["active"]}]}}}}, {"b", "c"}),
    ({"dynamodb": {"ApproximateCreationDateTime": [{"numeric": [">", 0]}]}}, {*"abcd"}),
    ({"dynamodb": {"NewImage": {"status": {"S": [{"exists": False}]}}}}, {"d"}),
    (
        {
            "$or": [
                {"dynamodb": {"NewImage": {"status": {"S": [{"equals-ignore-case": "pending"}]}}}},
                {"dynamodb": {"Keys": {"pk": {"S": ["d"]}}}},
            ]
        },
        {"b", "d"},
    ),
]


@pytest.mark.parametrize(("pattern", "delivered"), FILTERS)
def test_filters_select_the_records_a_node_handler_gets(
    triggers, recorder, wait_for_idle, pattern, delivered
):
    name, lines = recorder
    table, stream = triggers.table("NEW_IMAGE")
    triggers.put(table, "a", status="active")
    triggers.put(table, "b", status="PENDING")
    triggers.put(table, "c", status="closed")
    triggers.put(table, "d", score={"N": "10"})
    mapping = triggers.map(
        name, stream, BatchSize=1, FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]}
    )
    wait_for_idle()
    assert {key for batch in batches(lines, stream) for key in batch} == delivered
    (shard,) = triggers.view(mapping["UUID"])["Shards"]
    assert shard["LagRecords"] == 0


def test_a_tumbling_window_carries_the_state_a_node_handler_returns(triggers, wait_for_idle):
    name, lines = triggers.node("index.windowed")
    table, stream = triggers.table()
    for n in range(5):
        triggers.put(table, f"k{n}")
    triggers.map(name, stream, BatchSize=2, TumblingWindowInSeconds=1)
    wait_for_idle()
    seen = [line["event"] for line in invocations(lines)]
    by_window: dict[str, list[dict[str, Any]]] = {}
    for event in seen:
        assert event["eventSourceARN"] == stream and event["shardId"].startswith("shardId-")
        assert event["isWindowTerminatedEarly"] is False
        by_window.setdefault(event["window"]["start"], []).append(event)
    assert len(by_window) <= 2 and max(map(len, by_window.values())) >= 3
    finals = []
    for start, events in by_window.items():
        opened = datetime.strptime(start, ARRIVAL_TIME)
        for event in events:
            closed = datetime.strptime(event["window"]["end"], ARRIVAL_TIME)
            assert (closed - opened).total_seconds() == 1
        assert events[0]["state"] == {}
        for before, after in itertools.pairwise(events):
            carried = before["state"].get("keys", []) + keys(before)
            assert after["state"] == {"keys": carried}
        *working, final = events
        assert [e["isFinalInvokeForWindow"] for e in events] == [False] * len(working) + [True]
        assert final["Records"] == []
        finals.extend(final["state"]["keys"])
    assert finals == [f"k{n}" for n in range(5)]


def test_a_callback_error_fails_the_batch_like_a_thrown_one(triggers, wait_for_idle):
    name, lines = triggers.node("index.callsBack")
    table, stream = triggers.table("NEW_IMAGE")
    triggers.put(table, "good")
    triggers.put(table, "bad", poison="yes")
    triggers.put(table, "after")
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:node-failures"
    mapping = triggers.map(
        name,
        stream,
        BatchSize=1,
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": queue}},
    )
    wait_for_idle()
    assert batches(lines) == [["good"], ["bad"], ["bad"], ["after"]]
    view = triggers.view(mapping["UUID"])
    (failure,) = view["Failures"]
    assert failure["destination"] == queue
    assert failure["record"]["requestContext"]["approximateInvokeCount"] == 2
    assert failure["record"]["responseContext"]["functionError"] == "Unhandled"
    assert view["LastError"]["message"] == "Unhandled function error: Error"


def test_a_legacy_nodejs_handler_succeeds_and_fails_through_its_context(triggers, wait_for_idle):
    name, lines = triggers.node("legacy.handler", runtime="nodejs")
    table, stream = triggers.table("NEW_IMAGE")
    triggers.put(table, "good")
    triggers.put(table, "bad", poison="yes")
    triggers.put(table, "after")
    mapping = triggers.map(name, stream, BatchSize=1, MaximumRetryAttempts=1)
    wait_for_idle(timeout=60)
    assert batches(lines) == [["good"], ["bad"], ["bad"], ["after"]]
    (failure,) = triggers.view(mapping["UUID"])["Failures"]
    assert failure["record"]["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["record"]["responseContext"]["functionError"] == "Unhandled"
    assert failure["destination"] is None


def test_a_timed_out_invocation_is_retried(triggers, wait_for_idle):
    name, lines = triggers.node("index.slowAtFirst", Timeout=1)
    table, stream = triggers.table()
    triggers.put(table, "a")
    triggers.put(table, "b")
    mapping = triggers.map(name, stream, BatchSize=10, MaximumRetryAttempts=1)
    wait_for_idle()
    seen = invocations(lines)
    assert [keys(line["event"]) for line in seen] == [["a", "b"], ["a", "b"]]
    assert seen[0]["requestId"] != seen[1]["requestId"]
    assert seen[0]["pid"] != seen[1]["pid"]
    logs = client("logs", triggers.endpoint)
    messages = [
        event["message"]
        for event in logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    ]
    timed_out = f"{seen[0]['requestId']} Task timed out after 1.00 seconds\n"
    assert any(message.endswith(timed_out) for message in messages)
    assert sum(message.startswith("INIT_START ") for message in messages) == 2
    view = triggers.view(mapping["UUID"])
    assert view["Failures"] == [] and view["Shards"][0]["LagRecords"] == 0
    assert view["LastError"]["message"] == "Unhandled function error: Sandbox.Timedout"
    fetched = triggers.lam.get_event_source_mapping(UUID=mapping["UUID"])
    assert fetched["LastProcessingResult"] == "OK"
