"""FilterLogEvents: the matching events of a group's streams, interleaved in time order.

Each candidate stream is read in sort-key order (timestamp, then sequence number) and the
streams are merged, so events come oldest first (newest first with startFromHead=false),
ties in ingestion order. Streams whose first and last event times miss the time range are
not read at all, which keeps `aws logs tail --follow` (polling with a recent startTime)
cheap on groups with many streams. A page ends after `limit` matches, 1 MB of events, or
SCAN_BUDGET events examined; its `nextToken` is the position of the last event examined,
and no `nextToken` means the search reached the end.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

from tidal.logs import errors, events, filters, pages, retention, streams

SCAN_BUDGET = 100_000
TOKEN_KIND = "e"


def filter_log_events(
    txn: Any,
    account: str,
    region: str,
    group: dict[str, Any],
    params: dict[str, Any],
    now_ms: int,
) -> dict[str, Any]:
    names = params.get("logStreamNames")
    prefix = params.get("logStreamNamePrefix")
    if names is not None and prefix is not None:
        raise errors.invalid(
            "logStreamNames and logStreamNamePrefix are mutually exclusive parameters."
        )
    matches = filters.compile_pattern(params.get("filterPattern") or "")
    ascending, after = _resume(params)
    low = max(params.get("startTime") or 0, retention.cutoff(group, now_ms) or 0)
    high = params.get("endTime")
    limit = params.get("limit", events.MAX_PAGE_EVENTS)
    candidates = [
        stream
        for stream in _streams(txn, account, region, group["name"], names, prefix)
        if "first" in stream and stream["last"] >= low and (high is None or stream["first"] <= high)
    ]
    merged = heapq.merge(
        *(_rows(txn, group, stream, low, high, after, ascending) for stream in candidates),
        reverse=not ascending,
    )
    found: list[dict[str, Any]] = []
    size = 0
    examined = 0
    last_key: bytes | None = None
    for key, name, value in merged:
        if examined == SCAN_BUDGET:
            break
        examined += 1
        event = events.decode(key, value)
        if not matches(event.message):
            last_key = key
            continue
        size += events.event_size(value)
        if len(found) == limit or (found and size > events.MAX_PAGE_BYTES):
            return _page(found, ascending, last_key)
        found.append(_shown(name, event))
        last_key = key
    else:
        return _page(found, ascending, None)
    return _page(found, ascending, last_key)


def _resume(params: dict[str, Any]) -> tuple[bool, bytes | None]:
    """The direction, and the sort key of the last event a previous page examined."""
    token = pages.decode(params.get("nextToken"), TOKEN_KIND)
    if token is None:
        return params.get("startFromHead", True), None
    if not isinstance(token, list) or len(token) != 2 or not isinstance(token[0], bool):
        raise errors.bad_token()
    try:
        key = bytes.fromhex(token[1])
    except (TypeError, ValueError):
        raise errors.bad_token() from None
    if len(key) != events.ROW_KEY.size:
        raise errors.bad_token()
    return token[0], key


def _streams(
    txn: Any,
    account: str,
    region: str,
    group: str,
    names: list[str] | None,
    prefix: str | None,
) -> list[dict[str, Any]]:
    if names is None:
        return [stream for _, stream in streams.list_all(txn, account, region, group, prefix or "")]
    loaded = (streams.load(txn, account, region, group, name) for name in dict.fromkeys(names))
    return [stream for stream in loaded if stream is not None]


def _rows(
    txn: Any,
    group: dict[str, Any],
    stream: dict[str, Any],
    low: int,
    high: int | None,
    after: bytes | None,
    ascending: bool,
) -> Iterator[tuple[bytes, str, bytes]]:
    """The stream's events in the time range, past `after`, as (sort key, stream, value)."""
    lo, lo_inclusive = events.row_key(low, 0), True
    hi, hi_inclusive = (None, True) if high is None else (events.row_key(high + 1, 0), False)
    if after is not None and ascending and after >= lo:
        lo, lo_inclusive = after, False
    if after is not None and not ascending and (hi is None or after <= hi):
        hi, hi_inclusive = after, False
    name = stream["name"]
    rows = txn.range(
        group["space"],
        events.partition(stream),
        lo=lo,
        lo_inclusive=lo_inclusive,
        hi=hi,
        hi_inclusive=hi_inclusive,
        reverse=not ascending,
    )
    for key, value in rows:
        yield key, name, value


def _shown(stream: str, event: events.Event) -> dict[str, Any]:
    return {
        "logStreamName": stream,
        "timestamp": event.timestamp,
        "message": event.message,
        "ingestionTime": event.ingested,
        "eventId": f"{event.timestamp:020d}{event.seq:036d}",
    }


def _page(found: list[dict[str, Any]], ascending: bool, last_key: bytes | None) -> dict[str, Any]:
    result: dict[str, Any] = {"events": found, "searchedLogStreams": []}
    if last_key is not None:
        result["nextToken"] = pages.encode(TOKEN_KIND, ascending, last_key.hex())
    return result
