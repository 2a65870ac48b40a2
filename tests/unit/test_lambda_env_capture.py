"""Reading an environment's output: lines on stdout/stderr, framed records on the telemetry fd."""

from __future__ import annotations

import asyncio
import os
import struct

from tidal.awslambda.log_capture import MAX_EVENT_BYTES, LogCapture


def frame(message: str, micros: int, kind: int = 0xA55A0003) -> bytes:
    payload = message.encode()
    return struct.pack(">IIQ", kind, len(payload), micros) + payload


async def _captured(write) -> list[tuple[int, str]]:
    events: list[tuple[int, str]] = []
    capture = LogCapture(lambda stamp, message: events.append((stamp, message)))
    capture.open(asyncio.get_running_loop())
    out, telemetry = capture.child_fds
    await asyncio.to_thread(write, out, telemetry)
    capture.release_child_fds()
    await capture.ended(5)
    capture.close()
    return events


def test_each_line_is_one_event_with_its_newline():
    def write(out, telemetry):
        os.write(out, b"first\nsecond\n")
        os.write(out, b"third without newline")

    events = asyncio.run(_captured(write))
    assert [message for _, message in events] == ["first\n", "second\n", "third without newline"]


def test_a_line_written_in_pieces_is_one_event():
    def write(out, telemetry):
        os.write(out, b"hel")
        os.write(out, b"lo\n")

    events = asyncio.run(_captured(write))
    assert [message for _, message in events] == ["hello\n"]


def test_frames_keep_their_timestamp_and_message_as_written():
    def write(out, telemetry):
        record = frame(
            "[INFO]\t2024-01-01T00:00:00.000Z\tid\tline one\rline two\n", 1_700_000_000_123_456
        )
        os.write(telemetry, record[:10])
        os.write(telemetry, record[10:] + frame("é\n", 1_700_000_001_000_000))

    events = asyncio.run(_captured(write))
    assert events == [
        (1_700_000_000_123, "[INFO]\t2024-01-01T00:00:00.000Z\tid\tline one\rline two\n"),
        (1_700_000_001_000, "é\n"),
    ]


def test_a_very_long_line_is_cut_into_events_of_the_largest_size():
    def write(out, telemetry):
        data = b"x" * (MAX_EVENT_BYTES + 10) + b"\n"
        for start in range(0, len(data), 60000):
            os.write(out, data[start : start + 60000])

    events = asyncio.run(_captured(write))
    assert [len(message) for _, message in events] == [MAX_EVENT_BYTES, 11]


def test_lines_and_frames_keep_the_order_they_were_written_in():
    def write(out, telemetry):
        os.write(out, b"printed first\n")
        os.write(telemetry, frame("logged second\n", 1_000))
        os.write(out, b"printed third\n")

    events = asyncio.run(_captured(write))
    assert [message for _, message in events] == [
        "printed first\n",
        "logged second\n",
        "printed third\n",
    ]


def test_a_frame_after_an_unfinished_line_ends_that_line():
    def write(out, telemetry):
        os.write(out, "partial åZ".encode())
        os.write(telemetry, frame("framed\n", 2_000))
        os.write(out, b"rest\n")

    events = asyncio.run(_captured(write))
    assert [message for _, message in events] == ["partial åZ", "framed\n", "rest\n"]


def test_text_that_only_looks_like_a_frame_stays_text():
    def write(out, telemetry):
        os.write(out, b"\xa5\x5a\x00\x7f odd bytes\n")

    events = asyncio.run(_captured(write))
    assert [message for _, message in events] == ["\ufffdZ\x00\x7f odd bytes\n"]


def test_drain_reads_what_was_written_before_without_the_event_loop():
    async def scenario():
        events: list[str] = []
        capture = LogCapture(lambda stamp, message: events.append(message))
        capture.open(asyncio.get_running_loop())
        out, telemetry = capture.child_fds
        os.write(out, b"printed\n")
        os.write(telemetry, frame("logged\n", 1))
        capture.drain()
        seen = list(events)
        capture.close()
        return seen

    assert asyncio.run(scenario()) == ["printed\n", "logged\n"]
