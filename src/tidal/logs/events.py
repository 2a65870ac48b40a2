"""Log events as rows, and GetLogEvents' pages over one stream.

All the events of a group live in the group's keyspace: the partition is the stream's id
(8 bytes), the sort key the event's timestamp and sequence number (8 + 8 bytes, big-endian,
so byte order is time order, then ingestion order), the value its ingestion time (8 bytes)
and its UTF-8 message. Appending an event writes that one row; the stream's and the group's
documents are updated once per batch.

GetLogEvents' tokens are cuts between events: `f/<cut>` reads the events at or after the
cut, oldest first; `b/<cut>` the events before it, newest first (each page is returned
oldest first). A cut is written as 56 digits: the timestamp and sequence number of the first
event after it (20 digits each) and a 16-digit check of the stream it belongs to. A page
returns the cuts on either side of its events; a page with no events returns the cut it was
asked for, so a client walking the stream sees its own token again at the end and stops.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from tidal.logs import errors, retention

ROW_KEY = struct.Struct(">QQ")
STAMP = struct.Struct(">Q")
EVENT_OVERHEAD = 26
"""Bytes AWS counts for each event on top of its message (batch and page sizes)."""
MAX_PAGE_BYTES = 1_048_576
MAX_PAGE_EVENTS = 10_000
END = 2**64 - 1
"""A timestamp after every event."""
_TOKEN = re.compile(r"([fb])/(\d{20})(\d{20})(\d{16})")


class Event(NamedTuple):
    timestamp: int
    seq: int
    ingested: int
    message: str


def partition(stream: dict[str, Any]) -> bytes:
    return STAMP.pack(stream["id"])


def row_key(timestamp: int, seq: int) -> bytes:
    return ROW_KEY.pack(timestamp, seq)


def decode(key: bytes, value: bytes) -> Event:
    timestamp, seq = ROW_KEY.unpack(key)
    (ingested,) = STAMP.unpack_from(value)
    return Event(timestamp, seq, ingested, value[STAMP.size :].decode("utf-8", "replace"))


def sequence_token(seq: int) -> str:
    """A PutLogEvents `nextSequenceToken` (AWS ignores sequence tokens; this one only looks
    like AWS's)."""
    return f"49{seq:054d}"


def append(
    txn: Any,
    group: dict[str, Any],
    stream: dict[str, Any],
    events: Iterable[tuple[int, str]],
    ingested: int,
) -> None:
    """Write `events` (timestamp ms, message), one row each, in their order.

    Updates the group's counters and the stream's event times in the documents given; the
    caller saves both.
    """
    space, key = group["space"], partition(stream)
    seq = group["nextSeq"]
    stamp = STAMP.pack(ingested)
    stored = 0
    low = high = None
    for timestamp, message in events:
        data = message.encode("utf-8", "replace")
        txn.put(space, key, ROW_KEY.pack(timestamp, seq), stamp + data)
        seq += 1
        stored += len(data)
        low = timestamp if low is None or timestamp < low else low
        high = timestamp if high is None or timestamp > high else high
    if low is None:
        return
    group["nextSeq"] = seq
    group["bytes"] += stored
    stream["first"] = min(stream.get("first", low), low)
    stream["last"] = max(stream.get("last", high), high)
    stream["ingested"] = ingested
    stream["token"] = sequence_token(seq)


def get_log_events(
    txn: Any,
    group: dict[str, Any],
    stream: dict[str, Any],
    identity: str,
    params: dict[str, Any],
    now_ms: int,
) -> dict[str, Any]:
    """One page of GetLogEvents. `identity` names the stream for its tokens' check digits."""
    check = _check(identity)
    low = max(params.get("startTime") or 0, retention.cutoff(group, now_ms) or 0)
    end = params.get("endTime")
    token = params.get("nextToken")
    if token is not None:
        forward, cut = _parse(token, check)
    else:
        forward = bool(params.get("startFromHead", False))
        cut = (low, 0) if forward else (END if end is None else end, 0)
    limit = params.get("limit", MAX_PAGE_EVENTS)
    if forward:
        page = _forward(txn, group, stream, max(cut, (low, 0)), end, limit)
    else:
        page = _backward(txn, group, stream, low, cut if end is None else min(cut, (end, 0)), limit)
    if page:
        after = (page[-1].timestamp, page[-1].seq + 1)
        before = (page[0].timestamp, page[0].seq)
    elif token is not None:
        after = before = cut
    else:
        after = before = (low, 0)
    return {
        "events": [_shown(event) for event in page],
        "nextForwardToken": _token("f", after, check),
        "nextBackwardToken": _token("b", before, check),
    }


def _shown(event: Event) -> dict[str, Any]:
    return {"timestamp": event.timestamp, "message": event.message, "ingestionTime": event.ingested}


def _forward(
    txn: Any,
    group: dict[str, Any],
    stream: dict[str, Any],
    cut: tuple[int, int],
    end: int | None,
    limit: int,
) -> list[Event]:
    rows = txn.range(
        group["space"],
        partition(stream),
        lo=row_key(*cut),
        hi=None if end is None else row_key(end, 0),
        hi_inclusive=False,
        limit=limit,
    )
    return list(_within_page_size(rows))


def _backward(
    txn: Any,
    group: dict[str, Any],
    stream: dict[str, Any],
    low: int,
    cut: tuple[int, int],
    limit: int,
) -> list[Event]:
    rows = txn.range(
        group["space"],
        partition(stream),
        lo=row_key(low, 0),
        hi=row_key(*cut),
        hi_inclusive=False,
        reverse=True,
        limit=limit,
    )
    page = list(_within_page_size(rows))
    page.reverse()
    return page


def _within_page_size(rows: Iterable[tuple[bytes, bytes]]) -> Iterator[Event]:
    """The rows' events up to the 1 MB a page holds (at least one)."""
    size = 0
    for key, value in rows:
        if size and size + event_size(value) > MAX_PAGE_BYTES:
            return
        size += event_size(value)
        yield decode(key, value)


def event_size(value: bytes) -> int:
    """What a stored event counts towards a page: its message bytes and the overhead."""
    return len(value) - STAMP.size + EVENT_OVERHEAD


def _check(identity: str) -> int:
    digest = hashlib.blake2b(identity.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 10**16


def _token(direction: str, cut: tuple[int, int], check: int) -> str:
    return f"{direction}/{cut[0]:020d}{cut[1]:020d}{check:016d}"


def _parse(token: str, check: int) -> tuple[bool, tuple[int, int]]:
    match = _TOKEN.fullmatch(token)
    if match is None or int(match[4]) != check:
        raise errors.bad_token()
    timestamp, seq = int(match[2]), int(match[3])
    if timestamp > END or seq > END:
        raise errors.bad_token()
    return match[1] == "f", (timestamp, seq)
