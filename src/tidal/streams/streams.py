"""Stream documents: one per stream a table ever had, kept until its records expire.

A stream lives in the store as a document in `streams/streams`, keyed
`<account>:<region>:<table>/<label>` so that ListStreams reads one table's streams (or all
of an account's) in order, and its records in the log of a keyspace of its own (the
document's "space"), each the JSON GetRecords returns. A record's sequence number is
SEQUENCE_BASE plus its position in the log, and a shard holds the records numbered from its
start to its end: only the open shard takes records, and a child starts after its parent's
end.

    {"StreamArn", "StreamLabel", "TableName", "StreamViewType", "KeySchema",
     "CreationRequestDateTime", "StreamStatus": "ENABLED" | "DISABLED", "space": keyspace id,
     "shards": [{"ShardId", "ParentShardId"?, "start": "<seq>", "end"?: "<seq>",
                 "opened": epoch s, "closed"?: epoch s, "trimmed"?: "<seq>"}, ...]}

Shards are listed oldest first; only the last one may be open (no "end"). "trimmed" is the
highest sequence number retention removed from the shard.
"""

from __future__ import annotations

import re
from typing import Any

from tidal.core.errors import ValidationException
from tidal.streams.errors import shard_not_found, stream_not_found

NAMESPACE = "streams/streams"
SEQUENCE_BASE = 10**20
"""Sequence numbers are SEQUENCE_BASE + a log position (below 2**39): 21 digits, like AWS's."""
MAX_PAGE = 100

_STREAM_ARN = re.compile(
    r"arn:aws:dynamodb:([a-z0-9-]+):(\d{12}):table/([a-zA-Z0-9_.-]+)/stream/([^/\s]+)"
)


def stream_key(account: str, region: str, table_name: str, label: str) -> str:
    return f"{account}:{region}:{table_name}/{label}"


def key_of(stream_arn: str) -> str | None:
    """The document key of the stream an ARN names, or None if it names no stream."""
    match = _STREAM_ARN.fullmatch(stream_arn)
    if match is None:
        return None
    region, account, table_name, label = match.groups()
    return stream_key(account, region, table_name, label)


def sequence_of(position: int) -> int:
    """The sequence number of the record at a log position."""
    return SEQUENCE_BASE + position


def position_of(sequence: int) -> int:
    """The log position of sequence number `sequence` (maybe no record's: 0 or less if below
    every record's)."""
    return sequence - SEQUENCE_BASE


def until(shard_doc: dict[str, Any]) -> int | None:
    """The log position of a closed shard's last record (or above it); None if it is open."""
    return position_of(int(shard_doc["end"])) if "end" in shard_doc else None


def load(txn: Any, stream_arn: str) -> dict[str, Any] | None:
    key = key_of(stream_arn)
    return None if key is None else txn.get_doc(NAMESPACE, key)


def require(txn: Any, account: str, region: str, stream_arn: str) -> dict[str, Any]:
    """The caller's stream `stream_arn`: ValidationException if no stream ARN, else not found."""
    key = key_of(stream_arn)
    if key is None:
        raise ValidationException("Invalid StreamArn")
    document = None
    if key.startswith(f"{account}:{region}:"):
        document = txn.get_doc(NAMESPACE, key)
    if document is None:
        raise stream_not_found(stream_arn)
    return document


def save(txn: Any, document: dict[str, Any]) -> None:
    txn.put_doc(NAMESPACE, key_of(document["StreamArn"]), document)


def shard(document: dict[str, Any], shard_id: str) -> dict[str, Any]:
    for candidate in document["shards"]:
        if candidate["ShardId"] == shard_id:
            return candidate
    raise shard_not_found()


def open_shard(document: dict[str, Any]) -> dict[str, Any] | None:
    last = document["shards"][-1] if document["shards"] else None
    return last if last is not None and "end" not in last else None


def floor(shard_doc: dict[str, Any]) -> int:
    """The position just before the oldest record the shard still holds."""
    return max(int(shard_doc["start"]) - 1, int(shard_doc.get("trimmed", 0)))


def last_sequence(txn: Any, document: dict[str, Any]) -> int | None:
    """The sequence number of the stream's newest record, None if it holds none."""
    position = txn.log_last(document["space"])
    return None if position is None else sequence_of(position)


def newest_sequence(txn: Any, stream_arn: str) -> int:
    """The sequence number of the stream's newest record (0 if it has none, or no stream)."""
    document = load(txn, stream_arn)
    return (last_sequence(txn, document) if document else None) or 0


def list_streams(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    limit = _limit(params.get("Limit"), MAX_PAGE)
    prefix = f"{account}:{region}:"
    if params.get("TableName"):
        prefix += params["TableName"] + "/"
    after = None
    if "ExclusiveStartStreamArn" in params:
        after = key_of(params["ExclusiveStartStreamArn"])
        if after is None:
            raise ValidationException("Invalid StreamArn")
    found = txn.list_docs(NAMESPACE, prefix, after, limit + 1)
    result: dict[str, Any] = {
        "Streams": [
            {
                "StreamArn": document["StreamArn"],
                "TableName": document["TableName"],
                "StreamLabel": document["StreamLabel"],
            }
            for _, document in found[:limit]
        ]
    }
    if len(found) > limit:
        result["LastEvaluatedStreamArn"] = result["Streams"][-1]["StreamArn"]
    return result


def describe_stream(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    document = require(txn, account, region, params["StreamArn"])
    limit = _limit(params.get("Limit"), MAX_PAGE)
    shards = document["shards"]
    shard_filter = params.get("ShardFilter")
    if shard_filter is not None:
        if "ShardId" not in shard_filter:
            raise ValidationException("ShardFilter must name a ShardId")
        shards = [s for s in shards if s.get("ParentShardId") == shard_filter["ShardId"]]
    after = params.get("ExclusiveStartShardId")
    if after is not None:
        shards = [s for s in shards if s["ShardId"] > after]
    description: dict[str, Any] = {
        "StreamArn": document["StreamArn"],
        "StreamLabel": document["StreamLabel"],
        "StreamStatus": document["StreamStatus"],
        "StreamViewType": document["StreamViewType"],
        "CreationRequestDateTime": document["CreationRequestDateTime"],
        "TableName": document["TableName"],
        "KeySchema": document["KeySchema"],
        "Shards": [_public_shard(s) for s in shards[:limit]],
    }
    if len(shards) > limit:
        description["LastEvaluatedShardId"] = shards[limit - 1]["ShardId"]
    return {"StreamDescription": description}


def _public_shard(shard_doc: dict[str, Any]) -> dict[str, Any]:
    numbers = {"StartingSequenceNumber": shard_doc["start"]}
    if "end" in shard_doc:
        numbers["EndingSequenceNumber"] = shard_doc["end"]
    shown: dict[str, Any] = {"ShardId": shard_doc["ShardId"], "SequenceNumberRange": numbers}
    if "ParentShardId" in shard_doc:
        shown["ParentShardId"] = shard_doc["ParentShardId"]
    return shown


def _limit(given: int | None, maximum: int) -> int:
    if given is None:
        return maximum
    if given > maximum:
        raise ValidationException(
            f"1 validation error detected: Value '{given}' at 'limit' failed to satisfy "
            f"constraint: Member must have value less than or equal to {maximum}"
        )
    return given
