"""PutLogEvents' rules for a batch (reference/logs-ses.md Part A, botocore's documentation).

A batch that breaks a rule of its shape (size, order, span) fails as a whole. Events too far
in the future, older than 14 days, or older than the group's retention are left out while
the rest are stored, and the response says which ones by index: the rejected events are a
front (too old, expired) and a back (too new) of the batch, since it is in time order.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any, NamedTuple

from tidal.logs import errors, retention
from tidal.logs.events import EVENT_OVERHEAD

MAX_BATCH_BYTES = 1_048_576
MAX_EVENT_BYTES = 1_048_576
HOUR_MS = 3_600_000
FUTURE_MS = 2 * HOUR_MS
PAST_MS = 14 * 24 * HOUR_MS
SPAN_MS = 24 * HOUR_MS


class Batch(NamedTuple):
    accepted: list[tuple[int, str]]
    rejected: dict[str, int]
    """`rejectedLogEventsInfo`, empty when every event was accepted."""


def check_shape(log_events: list[dict[str, Any]]) -> None:
    """The rules that fail the whole call whatever the group: sizes and time order."""
    total = 0
    for event in log_events:
        size = len(event["message"].encode("utf-8", "replace")) + EVENT_OVERHEAD
        if size > MAX_EVENT_BYTES:
            raise errors.invalid(
                f"Log event too large: {size} bytes exceeds limit of {MAX_EVENT_BYTES}"
            )
        total += size
    if total > MAX_BATCH_BYTES:
        raise errors.invalid(f"Upload too large: {total} bytes exceeds limit of {MAX_BATCH_BYTES}")
    stamps = [event["timestamp"] for event in log_events]
    if any(later < earlier for earlier, later in pairwise(stamps)):
        raise errors.invalid(
            "Log events in a single PutLogEvents request must be in chronological order."
        )


def sort_out(log_events: list[dict[str, Any]], group: dict[str, Any], now_ms: int) -> Batch:
    """Split a batch (already shape-checked) into the events stored and those rejected."""
    stamps = [event["timestamp"] for event in log_events]
    too_old = sum(1 for stamp in stamps if stamp < now_ms - PAST_MS)
    cutoff = retention.cutoff(group, now_ms)
    expired = 0 if cutoff is None else sum(1 for stamp in stamps if stamp < cutoff)
    too_new = next(
        (index for index, stamp in enumerate(stamps) if stamp > now_ms + FUTURE_MS), len(stamps)
    )
    kept = log_events[max(too_old, expired) : too_new]
    if kept and kept[-1]["timestamp"] - kept[0]["timestamp"] > SPAN_MS:
        raise errors.invalid(
            "The batch of log events in a single PutLogEvents request cannot span more than "
            "24 hours."
        )
    rejected: dict[str, int] = {}
    if too_new < len(stamps):
        rejected["tooNewLogEventStartIndex"] = too_new
    if too_old:
        rejected["tooOldLogEventEndIndex"] = too_old
    if expired:
        rejected["expiredLogEventEndIndex"] = expired
    return Batch([(event["timestamp"], event["message"]) for event in kept], rejected)
