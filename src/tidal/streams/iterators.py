"""Shard iterators and GetRecords.

An iterator is a position in one shard: "the records numbered above N". It reads like
AWS's (`<StreamArn>|1|<base64>`) and carries when it was issued: it expires 15 minutes
later (reference/streams.md §3). GetRecords returns the records after the position (at
most `Limit`, at most 1 MB) and the iterator after the last of them, until a closed shard
has nothing more to give.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

import orjson

from tidal.core import clock
from tidal.core.errors import ValidationException
from tidal.streams import records, streams
from tidal.streams.errors import ExpiredIteratorException, trimmed

LIFETIME = 15 * 60.0
"""Seconds an iterator stays usable."""
MAX_RECORDS = 1000
MAX_BYTES = 1024 * 1024
_POSITIONS = range(10**40)
"""The sequence numbers an iterator may hold: any of up to 40 digits."""
_NUMBERED = ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")


def get_shard_iterator(txn: Any, account: str, region: str, params: dict[str, Any]) -> str:
    kind = params["ShardIteratorType"]
    number = _sequence_number(kind, params)
    if kind == "AT_TIMESTAMP" and "Timestamp" not in params:
        raise ValidationException("Timestamp must be given when ShardIteratorType is AT_TIMESTAMP")
    document = streams.require(txn, account, region, params["StreamArn"])
    shard = streams.shard(document, params["ShardId"])
    floor = streams.floor(shard)
    if kind == "TRIM_HORIZON":
        after = floor
    elif kind == "LATEST":
        newest = int(shard["end"]) if "end" in shard else streams.last_sequence(txn, document)
        after = max(floor, newest or 0)
    elif kind == "AT_SEQUENCE_NUMBER":
        after = _checked(number - 1, shard, floor)
    elif kind == "AFTER_SEQUENCE_NUMBER":
        after = _checked(number, shard, floor)
    else:
        after = _before_time(txn, document, shard, floor, _epoch(params["Timestamp"]))
    return encode(document["StreamArn"], shard["ShardId"], after, clock.now())


@dataclass(frozen=True, slots=True)
class Page:
    """What one read of a shard found: each record's JSON, and where to read on (None once a
    closed shard is drained)."""

    records: list[bytes]
    next_iterator: str | None


def get_records(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    limit = params.get("Limit", MAX_RECORDS)
    if limit > MAX_RECORDS:
        raise ValidationException(
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            f"constraint: Member must have value less than or equal to {MAX_RECORDS}"
        )
    page = read(txn, account, region, params["ShardIterator"], limit)
    result: dict[str, Any] = {"Records": [orjson.Fragment(record) for record in page.records]}
    if page.next_iterator is not None:
        result["NextShardIterator"] = page.next_iterator
    return result


def read(txn: Any, account: str, region: str, iterator: str, limit: int = MAX_RECORDS) -> Page:
    """The records after an iterator's position: at most `limit`, at most 1 MB (but one)."""
    stream_arn, shard_id, after, issued = decode(iterator)
    if clock.now() - issued > LIFETIME:
        raise ExpiredIteratorException("The provided iterator exceeds the maximum age allowed.")
    document = streams.require(txn, account, region, stream_arn)
    shard = next((s for s in document["shards"] if s["ShardId"] == shard_id), None)
    if shard is None or after < int(shard.get("trimmed", 0)):
        raise trimmed()
    found: list[bytes] = []
    size = 0
    cut = False
    entries = txn.log_read(
        document["space"], streams.position_of(after), streams.until(shard), limit
    )
    for position, value in entries:
        sequence = streams.sequence_of(position)
        record = records.numbered(value, sequence)
        if found and size + len(record) > MAX_BYTES:
            cut = True
            break
        found.append(record)
        size += len(record)
        after = sequence
    closed = "end" in shard
    drained = closed and (after >= int(shard["end"]) or (not cut and len(found) < limit))
    return Page(found, None if drained else encode(stream_arn, shard_id, after, clock.now()))


def encode(stream_arn: str, shard_id: str, after: int, issued: float) -> str:
    position = f"{shard_id}|{after}|{int(issued * 1000)}".encode()
    return f"{stream_arn}|1|{base64.b64encode(position).decode()}"


def decode(iterator: str) -> tuple[str, str, int, float]:
    """(stream ARN, shard id, position, issued) of an iterator; ValidationException if none."""
    try:
        stream_arn, version, blob = iterator.split("|")
        shard_id, after, issued = base64.b64decode(blob, validate=True).decode().split("|")
        position = int(after)
        if version != "1" or not shard_id.startswith("shardId-") or position not in _POSITIONS:
            raise ValueError(version)
        return stream_arn, shard_id, position, int(issued) / 1000
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationException("Invalid ShardIterator") from None


def _sequence_number(kind: str, params: dict[str, Any]) -> int:
    given = params.get("SequenceNumber")
    if kind not in _NUMBERED:
        if given is not None:
            raise ValidationException(
                f"SequenceNumber must not be given when ShardIteratorType is {kind}"
            )
        return 0
    if given is None:
        raise ValidationException(f"SequenceNumber must be given when ShardIteratorType is {kind}")
    if not (given.isascii() and given.isdigit()):
        raise ValidationException(f"Invalid SequenceNumber: {given}")
    return int(given)


def _checked(after: int, shard: dict[str, Any], floor: int) -> int:
    """A position given by sequence number, unless retention already removed what follows it."""
    if "trimmed" in shard and after < int(shard["trimmed"]):
        raise trimmed()
    return max(after, floor)


def _before_time(
    txn: Any, document: dict[str, Any], shard: dict[str, Any], floor: int, moment: float
) -> int:
    """The position before the shard's first record made at or after `moment`."""
    after = floor
    entries = txn.log_read(document["space"], streams.position_of(floor), streams.until(shard))
    for position, value in entries:
        if records.created_at(value) >= int(moment):
            break
        after = streams.sequence_of(position)
    return after


def _epoch(timestamp: float | str) -> float:
    """A request timestamp: epoch seconds, which JSON clients send as a number."""
    try:
        return float(timestamp)
    except ValueError:
        raise ValidationException(f"Invalid Timestamp: {timestamp}") from None
