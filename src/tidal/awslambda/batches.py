"""Batches of stream records: the event a function receives, and what its answer means.

A stream record becomes a Lambda event record (reference/lambda.md §7): the record as
GetRecords returns it, plus `eventSourceARN`, with a TTL delete's `userIdentity` in the
lower-case keys Lambda uses, and `ApproximateCreationDateTime` as the JSON number Lambda
sends (a float, so numeric filters work on it). A batch is at most BatchSize records and
at most 6 MB of event.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

MAX_PAYLOAD = 6 * 1024 * 1024
"""Lambda's limit on a synchronous invocation's payload."""
_FRAME = len(b'{"Records":[]}')


@dataclass(slots=True)
class Record:
    """One stream record on its way to a function."""

    sequence: int
    body: dict[str, Any]
    """The Lambda event record."""
    data: bytes
    """`body` as JSON."""
    created: int
    """ApproximateCreationDateTime (epoch seconds)."""
    lane: int
    """A hash of the item's partition key: records of one key always share a lane."""

    @property
    def size(self) -> int:
        return len(self.data) + 1


def event_record(stored: bytes, sequence: int, stream_arn: str, hash_key: str | None) -> Record:
    """The Lambda event record of a stored stream record numbered `sequence`."""
    body = orjson.loads(stored)
    change = body["dynamodb"]
    change["SequenceNumber"] = str(sequence)
    created = change["ApproximateCreationDateTime"]
    change["ApproximateCreationDateTime"] = float(created)
    identity = body.pop("userIdentity", None)
    if identity is not None:
        body["userIdentity"] = {"type": identity["Type"], "principalId": identity["PrincipalId"]}
    body["eventSourceARN"] = stream_arn
    key = change["Keys"].get(hash_key) if hash_key else None
    lane = zlib.crc32(orjson.dumps(key, option=orjson.OPT_SORT_KEYS)) if key else 0
    return Record(sequence, body, orjson.dumps(body), int(created), lane)


def event(records: Iterable[Record], extra: dict[str, Any] | None = None) -> bytes:
    """The payload of one invocation: `{"Records": [...]}` plus the fields of `extra`."""
    payload = b'{"Records":[' + b",".join(record.data for record in records) + b"]"
    if extra:
        payload += b"," + orjson.dumps(extra)[1:-1]
    return payload + b"}"


def fits(count: int, size: int, record: Record, batch_size: int) -> bool:
    """Whether `record` may join a batch of `count` records whose event is `size` bytes
    without passing BatchSize or the 6 MB limit (a first record always fits)."""
    return count == 0 or (count < batch_size and size + record.size <= MAX_PAYLOAD)


def frame_size(extra: int = 0) -> int:
    """The bytes of an event without its records; `extra` for the fields beside them."""
    return _FRAME + extra


@dataclass(frozen=True, slots=True)
class Verdict:
    """What an invocation's result means for its batch.

    `failed_from` is the index of the first record to retry: None when every record
    succeeded, 0 when the whole batch failed. `partial` says the function named the failed
    records itself (ReportBatchItemFailures). `state` is a tumbling window's new state.
    """

    failed_from: int | None
    state: dict[str, Any] | None = None
    partial: bool = False

    @property
    def succeeded(self) -> bool:
        return self.failed_from is None


SUCCESS = Verdict(None)
FAILURE = Verdict(0)


def judge(
    records: list[Record],
    function_error: str | None,
    result: bytes,
    reports_item_failures: bool,
    windowed: bool,
) -> Verdict:
    """The verdict on a batch whose invocation ended with `function_error` and `result`.

    Without ReportBatchItemFailures only a function error fails the batch. With it, the
    response names the records that failed (reference/lambda.md §8): null, `{}`, `[]` or an
    empty or null `batchItemFailures` is a success; an identifier that is empty, null, not
    a string, or not one of the batch's sequence numbers fails the whole batch; otherwise
    the batch is retried from the failed record with the lowest sequence number. A
    tumbling window's function must answer with a `state`.
    """
    if function_error is not None:
        return FAILURE
    if not (reports_item_failures or windowed):
        return SUCCESS
    try:
        response = orjson.loads(result) if result.strip() else None
    except orjson.JSONDecodeError:
        return FAILURE
    state = None
    if windowed:
        if not isinstance(response, dict) or not isinstance(response.get("state"), dict):
            return FAILURE
        state = response["state"]
    if not reports_item_failures:
        return Verdict(None, state)
    if response is None or response == [] or response == {}:
        return Verdict(None, state)
    failures = response.get("batchItemFailures") if isinstance(response, dict) else ()
    if failures is None or failures == []:
        return Verdict(None, state)
    first = _first_failure(records, failures)
    return Verdict(0, state) if first is None else Verdict(first, state, partial=True)


def _first_failure(records: list[Record], failures: Any) -> int | None:
    """The index of the first record a valid `batchItemFailures` names; None if invalid."""
    if not isinstance(failures, list):
        return None
    index = {str(record.sequence): i for i, record in enumerate(records)}
    found = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or identifier not in index:
            return None
        found.append(index[identifier])
    return min(found)
