"""What an environment's process writes, turned into log events.

Two kinds of records reach the log. Everything the process writes to stdout or stderr is
read line by line, each line one event stamped on arrival (how `print()` and a custom
runtime's output reach the log on AWS). The runtime interface clients also write framed
records to the descriptor named by `_LAMBDA_TELEMETRY_LOG_FD`, as AWS's do: a 16-byte header
(4-byte big-endian frame type whose top 16 bits are 0xA55A, 4-byte big-endian payload
length, 8-byte big-endian timestamp in microseconds since the epoch) and the UTF-8 payload;
one frame is one event, its message as written.

Both descriptors are write ends of one pipe, so the records arrive in the order the process
wrote them: a `print()` and a `logging` call in a row appear in that order, which two pipes
read side by side could not promise. A frame is told from text by its first bytes (0xA5 0x5A
0x00, then a small type number), which valid UTF-8 text does not hold at the start of a line;
a frame that follows an unfinished line ends that line first.

Reads happen when the event loop sees data, and also on demand (`drain`): whatever the
process wrote before it sent a Runtime API request is in the pipe by the time that request
is read, so draining then keeps the log in the order the process produced it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import struct
from collections.abc import Callable

from tidal.core import clock

HEADER = struct.Struct(">IIQ")
MAGIC = b"\xa5\x5a\x00"
MAX_EVENT_BYTES = 256 * 1024
"""CloudWatch Logs' largest event; a longer line or frame is cut into pieces of this size."""
_CHUNK = 65536
_MAX_FRAME_TYPE = 0x40

Sink = Callable[[int, str], None]
"""Receives `(timestamp ms, message)` for every event, in order."""


class LogCapture:
    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self._fd = -1
        self._buffer = bytearray()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ended: asyncio.Event | None = None
        self.at_eof = False
        self.child_fds: tuple[int, int] = (-1, -1)
        """(stdout/stderr write end, telemetry write end): give these to the process."""

    def open(self, loop: asyncio.AbstractEventLoop) -> None:
        read_end, write_end = os.pipe()
        os.set_blocking(read_end, False)
        self._fd = read_end
        self.child_fds = (write_end, os.dup(write_end))
        self._loop = loop
        self._ended = asyncio.Event()
        loop.add_reader(read_end, self._readable)

    def release_child_fds(self) -> None:
        """Close this process's copies of the write ends, once the child has its own."""
        for fd in self.child_fds:
            if fd >= 0:
                os.close(fd)
        self.child_fds = (-1, -1)

    def drain(self) -> None:
        """Read everything the process has written so far."""
        if self._fd < 0 or self.at_eof:
            return
        while True:
            try:
                chunk = os.read(self._fd, _CHUNK)
            except BlockingIOError:
                break
            except OSError:
                chunk = b""
            if not chunk:
                self.at_eof = True
                break
            self._buffer += chunk
            self._consume()
        if self.at_eof:
            self.flush_partial()

    def flush_partial(self) -> None:
        """Emit what is left of an unfinished line (or frame) as an event of its own."""
        if self._buffer:
            self._sink(_now_ms(), _text(self._buffer))
            self._buffer.clear()

    async def ended(self, timeout: float) -> None:
        """Wait (at most `timeout` seconds) until every write end is closed: everything the
        process wrote has been read."""
        if self._ended is None or self.at_eof:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ended.wait(), timeout)

    def close(self) -> None:
        self.release_child_fds()
        self.drain()
        self.flush_partial()
        if self._fd >= 0:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(self._fd)
            os.close(self._fd)
            self._fd = -1

    def _readable(self) -> None:
        self.drain()
        if self.at_eof and self._loop is not None:
            self._loop.remove_reader(self._fd)
            if self._ended is not None:
                self._ended.set()

    def _consume(self) -> None:
        buffer = self._buffer
        start = 0
        while start < len(buffer):
            framed = _is_frame(buffer, start)
            if framed is None:
                break
            if framed:
                end = self._frame(start)
                if end is None:
                    break
                start = end
                continue
            stop = min(len(buffer), start + MAX_EVENT_BYTES)
            newline = buffer.find(b"\n", start, stop)
            frame = _frame_start(buffer, start + 1, newline + 1 if newline >= 0 else stop)
            if frame is not None:
                self._sink(_now_ms(), _text(buffer[start:frame]))
                start = frame
            elif newline >= 0:
                self._sink(_now_ms(), _text(buffer[start : newline + 1]))
                start = newline + 1
            elif stop - start == MAX_EVENT_BYTES:
                self._sink(_now_ms(), _text(buffer[start:stop]))
                start = stop
            else:
                break
        del buffer[:start]

    def _frame(self, start: int) -> int | None:
        """Emit the frame at `start`; its end, or None while it is incomplete."""
        buffer = self._buffer
        if len(buffer) - start < HEADER.size:
            return None
        _, length, micros = HEADER.unpack_from(buffer, start)
        end = start + HEADER.size + length
        if len(buffer) < end:
            return None
        payload = buffer[start + HEADER.size : end]
        for piece in range(0, len(payload), MAX_EVENT_BYTES):
            self._sink(micros // 1000, _text(payload[piece : piece + MAX_EVENT_BYTES]))
        return end


def _is_frame(buffer: bytearray, position: int) -> bool | None:
    """Whether a frame header begins at `position`; None while too few bytes tell."""
    if not buffer.startswith(MAGIC[: len(buffer) - position], position):
        return False
    if len(buffer) - position < len(MAGIC) + 1:
        return None
    return buffer[position + len(MAGIC)] < _MAX_FRAME_TYPE


def _frame_start(buffer: bytearray, start: int, stop: int) -> int | None:
    """Where a frame header begins in `buffer[start:stop]` (inside an unfinished line)."""
    position = buffer.find(MAGIC, start, stop)
    while position >= 0:
        if _is_frame(buffer, position) is not False:
            return position
        position = buffer.find(MAGIC, position + 1, stop)
    return None


def _text(data: bytes | bytearray) -> str:
    return bytes(data).decode("utf-8", "replace")


def _now_ms() -> int:
    return int(clock.now() * 1000)
