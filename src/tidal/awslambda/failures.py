"""Discarded batches: the failure record AWS sends to an OnFailure destination, and Tidal's log.

When a batch is given up on (retries exhausted, records too old), Lambda describes it to the
mapping's OnFailure destination with the shard and the range of sequence numbers it held,
never the records themselves (reference/lambda.md §8). A Lambda function destination is
invoked with that record; an SQS queue, SNS topic or S3 bucket is not served by Tidal, so the
record is kept in the failure log instead, a document per discarded batch in
`lambda/failures` keyed `<UUID>/<time>`, which the `/_tidal/` view shows.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from tidal.awslambda.batches import Record

NAMESPACE = "lambda/failures"
KEEP = 100
"""Failure log entries kept per mapping (the oldest go first)."""
RETRIES_EXHAUSTED = "RetryAttemptsExhausted"
RECORD_AGE_EXCEEDED = "RecordAgeExceeded"


def failure_record(
    *,
    condition: str,
    function_arn: str,
    request_id: str | None,
    invocations: int,
    function_error: str | None,
    executed_version: str | None,
    shard_id: str,
    stream_arn: str,
    records: list[Record],
    now: float,
) -> dict[str, Any]:
    """The JSON document AWS sends to an OnFailure destination for a discarded batch."""
    document: dict[str, Any] = {
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": invocations,
        }
    }
    if invocations:
        document["responseContext"] = {
            "statusCode": 200,
            "executedVersion": executed_version,
            "functionError": function_error,
        }
    document["version"] = "1.0"
    document["timestamp"] = _iso(now, millis=True)
    document["DDBStreamBatchInfo"] = {
        "shardId": shard_id,
        "startSequenceNumber": str(records[0].sequence),
        "endSequenceNumber": str(records[-1].sequence),
        "approximateArrivalOfFirstRecord": _iso(records[0].created),
        "approximateArrivalOfLastRecord": _iso(records[-1].created),
        "batchSize": len(records),
        "streamArn": stream_arn,
    }
    return document


def log(txn: Any, uuid: str, destination: str | None, record: dict[str, Any], note: str) -> None:
    """Keep a discarded batch's failure record in the mapping's failure log."""
    entry = {"destination": destination, "delivery": note, "record": record}
    txn.put_doc(NAMESPACE, f"{uuid}/{time.time_ns():020d}", entry)
    kept = txn.list_docs(NAMESPACE, f"{uuid}/")
    for key, _ in kept[: max(0, len(kept) - KEEP)]:
        txn.delete_doc(NAMESPACE, key)


def recent(txn: Any, uuid: str) -> list[dict[str, Any]]:
    """The mapping's failure log, oldest first."""
    return [entry for _, entry in txn.list_docs(NAMESPACE, f"{uuid}/")]


def forget(txn: Any, uuid: str) -> None:
    for key, _ in txn.list_docs(NAMESPACE, f"{uuid}/"):
        txn.delete_doc(NAMESPACE, key)


def _iso(epoch: float, millis: bool = False) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
