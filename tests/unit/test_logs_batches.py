"""PutLogEvents' batch rules: what fails the call, and which events are left out."""

from __future__ import annotations

import pytest

from tidal.logs.batches import check_shape, sort_out
from tidal.logs.errors import InvalidParameterException

NOW = 1_700_000_000_000
HOUR = 3_600_000
DAY = 24 * HOUR
GROUP = {"retention": None}


def batch(*stamps: int, message: str = "m") -> list[dict]:
    return [{"timestamp": stamp, "message": message} for stamp in stamps]


def refused(log_events: list[dict], group: dict = GROUP) -> str:
    with pytest.raises(InvalidParameterException) as raised:
        check_shape(log_events)
        sort_out(log_events, group, NOW)
    return raised.value.message


def test_events_out_of_time_order_fail_the_call():
    assert refused(batch(NOW, NOW - 1)) == (
        "Log events in a single PutLogEvents request must be in chronological order."
    )


def test_size_counts_utf8_bytes_and_26_bytes_per_event():
    check_shape(batch(*[NOW] * 4, message="é" * (1_048_576 // 8 - 13)))
    assert refused(batch(*[NOW] * 4, message="é" * (1_048_576 // 8 - 12))) == (
        "Upload too large: 1048584 bytes exceeds limit of 1048576"
    )


def test_one_event_above_the_event_limit_fails_the_call():
    assert refused(batch(NOW, message="x" * 1_048_551)) == (
        "Log event too large: 1048577 bytes exceeds limit of 1048576"
    )


def test_a_batch_spanning_more_than_a_day_fails_the_call():
    assert refused(batch(NOW - DAY - 1, NOW)) == (
        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."
    )
    check_shape(batch(NOW - DAY, NOW))
    assert len(sort_out(batch(NOW - DAY, NOW), GROUP, NOW).accepted) == 2


def test_too_old_and_too_new_events_are_left_out_and_reported_by_index():
    stamps = (NOW - 15 * DAY, NOW - 14 * DAY - 1, NOW - HOUR, NOW, NOW + 2 * HOUR + 1)
    result = sort_out(batch(*stamps), GROUP, NOW)
    assert [stamp for stamp, _ in result.accepted] == [NOW - HOUR, NOW]
    assert result.rejected == {"tooOldLogEventEndIndex": 2, "tooNewLogEventStartIndex": 4}


def test_events_older_than_the_retention_are_reported_as_expired():
    result = sort_out(batch(NOW - 2 * DAY, NOW - HOUR), {"retention": 1}, NOW)
    assert [stamp for stamp, _ in result.accepted] == [NOW - HOUR]
    assert result.rejected == {"expiredLogEventEndIndex": 1}


def test_the_span_counts_only_the_events_kept():
    result = sort_out(batch(NOW - 20 * DAY, NOW), GROUP, NOW)
    assert result.rejected == {"tooOldLogEventEndIndex": 1}
    assert [stamp for stamp, _ in result.accepted] == [NOW]
