"""The pieces of a delivery: event records, payloads, verdicts, checkpoints, windows, failures."""

from __future__ import annotations

import orjson
import pytest

from tidal.awslambda import batches, checkpoints, failures, windows
from tidal.awslambda.batches import Record

ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2024-01-01T00:00:00.000"


def stored(pk: str = "a", identity: dict | None = None) -> bytes:
    record = {
        "eventID": "e1",
        "eventName": "REMOVE" if identity else "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1700000000,
            "Keys": {"pk": {"S": pk}},
            "SequenceNumber": "",
            "SizeBytes": 5,
            "StreamViewType": "KEYS_ONLY",
        },
    }
    if identity:
        record["userIdentity"] = identity
    return orjson.dumps(record)


def records(*sequences: int) -> list[Record]:
    return [batches.event_record(stored(str(s)), s, ARN, "pk") for s in sequences]


def test_an_event_record_is_the_stream_record_with_its_source_and_number():
    record = batches.event_record(stored(), 100000000000000000007, ARN, "pk")
    assert record.body == {
        "eventID": "e1",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1700000000.0,
            "Keys": {"pk": {"S": "a"}},
            "SequenceNumber": "100000000000000000007",
            "SizeBytes": 5,
            "StreamViewType": "KEYS_ONLY",
        },
        "eventSourceARN": ARN,
    }
    assert orjson.loads(record.data) == record.body
    assert isinstance(orjson.loads(record.data)["dynamodb"]["ApproximateCreationDateTime"], float)
    assert record.created == 1700000000


def test_a_ttl_delete_carries_lower_case_user_identity():
    identity = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
    record = batches.event_record(stored(identity=identity), 1, ARN, "pk")
    assert record.body["userIdentity"] == {
        "type": "Service",
        "principalId": "dynamodb.amazonaws.com",
    }


def test_records_of_one_partition_key_share_a_lane():
    first = batches.event_record(stored("x"), 1, ARN, "pk")
    again = batches.event_record(stored("x"), 2, ARN, "pk")
    others = {batches.event_record(stored(str(i)), 3, ARN, "pk").lane % 10 for i in range(50)}
    assert first.lane == again.lane
    assert len(others) > 1


def test_the_payload_lists_the_records_and_the_extra_fields():
    batch = records(1, 2)
    payload = orjson.loads(batches.event(batch, {"state": {"n": 1}}))
    assert [r["dynamodb"]["SequenceNumber"] for r in payload["Records"]] == ["1", "2"]
    assert payload["state"] == {"n": 1}
    assert orjson.loads(batches.event([])) == {"Records": []}


def test_a_batch_stops_at_its_size_and_at_six_megabytes():
    small = records(3)[0]
    frame = batches.frame_size()
    assert batches.fits(2, frame + 2 * small.size, small, 3)
    assert not batches.fits(2, frame + 2 * small.size, small, 2)
    big = Record(9, {}, b"x" * (3 * 1024 * 1024), 0, 0)
    assert batches.fits(0, frame, big, 10)
    assert batches.fits(1, frame + big.size, small, 10)
    assert not batches.fits(1, frame + big.size, big, 10)


def judge(result, item_failures=True, error=None, windowed=False, batch=None):
    raw = result if isinstance(result, bytes) else orjson.dumps(result)
    return batches.judge(batch or records(11, 12, 13), error, raw, item_failures, windowed)


def test_a_function_error_fails_the_whole_batch():
    verdict = judge(None, error="Unhandled")
    assert verdict.failed_from == 0 and not verdict.partial


def test_without_item_failures_the_answer_is_not_read():
    assert judge({"batchItemFailures": [{"itemIdentifier": "12"}]}, False).succeeded
    assert judge(b"not json", False).succeeded


@pytest.mark.parametrize(
    "answer", [None, {}, [], {"batchItemFailures": []}, {"batchItemFailures": None}, b""]
)
def test_answers_that_mean_full_success(answer):
    assert judge(answer).succeeded


@pytest.mark.parametrize(
    "answer",
    [
        {"batchItemFailures": [{"itemIdentifier": 123}]},
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": None}]},
        {"batchItemFailures": [{"foo": "12"}]},
        {"batchItemFailures": [{"itemIdentifier": "99"}]},
        {"batchItemFailures": "12"},
        "ok",
        b"not json",
    ],
)
def test_answers_that_mean_full_failure(answer):
    verdict = judge(answer)
    assert verdict.failed_from == 0 and not verdict.partial


def test_reported_failures_retry_from_the_lowest_sequence_number():
    verdict = judge({"batchItemFailures": [{"itemIdentifier": "13"}, {"itemIdentifier": "12"}]})
    assert verdict.failed_from == 1 and verdict.partial


def test_a_window_answer_must_carry_a_state():
    assert judge({"state": {"n": 2}}, False, windowed=True).state == {"n": 2}
    assert not judge({"n": 2}, False, windowed=True).succeeded
    assert not judge(None, False, windowed=True).succeeded
    both = judge(
        {"state": {"n": 1}, "batchItemFailures": [{"itemIdentifier": "13"}]}, windowed=True
    )
    assert (both.failed_from, both.state) == (2, {"n": 1})


def test_the_checkpoint_covers_only_what_is_done_in_order():
    tracker = checkpoints.Tracker(10)
    for sequence in (11, 12, 13, 14):
        tracker.add(sequence)
    assert not tracker.finish([12, 14])
    assert tracker.checkpoint == 10
    assert tracker.finish([11])
    assert (tracker.checkpoint, tracker.pending) == (12, 2)
    tracker.add(15, finished=True)
    tracker.finish([13])
    assert (tracker.checkpoint, tracker.pending) == (15, 0)
    tracker.add(16, finished=True)
    assert tracker.checkpoint == 16


def test_windows_are_aligned_on_the_epoch():
    window = windows.of(1700000007, 5)
    assert (window.start, window.end) == (1700000005, 1700000010)
    assert window.holds(1700000009) and not window.holds(1700000010)
    fields = windows.fields(window, "shardId-1", ARN, final=True)
    assert fields["window"] == {"start": "2023-11-14T22:13:25Z", "end": "2023-11-14T22:13:30Z"}
    assert fields["isFinalInvokeForWindow"] and not fields["isWindowTerminatedEarly"]
    assert windows.restored(window.saved()) == window


def test_the_failure_record_describes_the_batch_not_its_records():
    batch = records(100000000000000000021, 100000000000000000023)
    record = failures.failure_record(
        condition=failures.RETRIES_EXHAUSTED,
        function_arn="arn:aws:lambda:us-east-1:000000000000:function:f",
        request_id="r-1",
        invocations=3,
        function_error="Unhandled",
        executed_version="$LATEST",
        shard_id="shardId-1",
        stream_arn=ARN,
        records=batch,
        now=1700000001.5,
    )
    assert record == {
        "requestContext": {
            "requestId": "r-1",
            "functionArn": "arn:aws:lambda:us-east-1:000000000000:function:f",
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": 3,
        },
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "version": "1.0",
        "timestamp": "2023-11-14T22:13:21.500Z",
        "DDBStreamBatchInfo": {
            "shardId": "shardId-1",
            "startSequenceNumber": "100000000000000000021",
            "endSequenceNumber": "100000000000000000023",
            "approximateArrivalOfFirstRecord": "2023-11-14T22:13:20Z",
            "approximateArrivalOfLastRecord": "2023-11-14T22:13:20Z",
            "batchSize": 2,
            "streamArn": ARN,
        },
    }
