"""In-process notification: a commit that wrote stream records wakes whoever waits on them.

Consumers inside Tidal (event source mappings) read a shard until it has nothing more, then

    await wait_for_records(runtime, stream_arn, after_sequence, timeout)

which returns True as soon as the stream holds a record numbered above `after_sequence`, or
its shards changed (one closed: read on into its child), and False after `timeout` seconds.
The writer's `on_commit` callback does the waking, so a wait costs nothing while idle and
ends within a loop iteration of the commit; no polling.
"""

from __future__ import annotations

import asyncio
import threading

from tidal.core.runtime import Runtime
from tidal.streams import streams

_Waiter = tuple[asyncio.AbstractEventLoop, asyncio.Future]


class Notifier:
    """The newest committed sequence number of each stream, and the tasks waiting on it.

    Commits may happen on any thread (the server's loop, a test's); waiters live on event
    loops, so they are woken through `call_soon_threadsafe`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._newest: dict[str, int] = {}
        self._waiters: dict[str, list[_Waiter]] = {}

    def published(self, stream_arn: str, sequence: int) -> None:
        """A record numbered `sequence` was committed to the stream."""
        with self._lock:
            if sequence > self._newest.get(stream_arn, 0):
                self._newest[stream_arn] = sequence
            waiters = self._waiters.pop(stream_arn, None)
        _wake(waiters)

    def changed(self, stream_arn: str) -> None:
        """The stream's shards changed (rollover, disable): waiters should read again."""
        with self._lock:
            waiters = self._waiters.pop(stream_arn, None)
        _wake(waiters)

    def waiters(self, stream_arn: str) -> int:
        """How many waits on the stream are pending."""
        with self._lock:
            return len(self._waiters.get(stream_arn, ()))

    def knows(self, stream_arn: str) -> bool:
        with self._lock:
            return stream_arn in self._newest

    def seed(self, stream_arn: str, sequence: int) -> None:
        """What the store says is the newest record of a stream nothing was written to yet."""
        with self._lock:
            self._newest[stream_arn] = max(self._newest.get(stream_arn, 0), sequence)

    async def wait(self, stream_arn: str, after: int, timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        waiter = (loop, future)
        with self._lock:
            if self._newest.get(stream_arn, 0) > after:
                return True
            self._waiters.setdefault(stream_arn, []).append(waiter)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return False
        finally:
            with self._lock:
                waiting = self._waiters.get(stream_arn)
                if waiting is not None and waiter in waiting:
                    waiting.remove(waiter)
                    if not waiting:
                        del self._waiters[stream_arn]
        return True


def notifier(runtime: Runtime) -> Notifier:
    return runtime.room("streams.notify", Notifier)


async def wait_for_records(
    runtime: Runtime, stream_arn: str, after_sequence: str | None, timeout: float
) -> bool:
    """Wait until `stream_arn` holds a record numbered above `after_sequence` (None: any).

    True when there is something new to read (such a record, or a shard that closed),
    False when `timeout` seconds passed first.
    """
    waiting = notifier(runtime)
    if not waiting.knows(stream_arn):
        with runtime.store.transaction(write=False) as txn:
            waiting.seed(stream_arn, streams.newest_sequence(txn, stream_arn))
    return await waiting.wait(stream_arn, int(after_sequence or 0), timeout)


def _wake(waiters: list[_Waiter] | None) -> None:
    for loop, future in waiters or ():
        loop.call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)
