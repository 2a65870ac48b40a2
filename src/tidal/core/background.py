"""Background work that repeats for the server's lifetime, and the holds that pause it.

A room's maintenance task (expired stream records, expired log events …) runs `repeat` as
its `Service.background`; tests hold it (`Holds.held`) while they move the clock, then do the
work themselves when they want it done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


class Holds:
    """How many `held` blocks keep a background task from working."""

    def __init__(self) -> None:
        self.count = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep the background task from doing anything inside this block."""
        self.count += 1
        try:
            yield
        finally:
            self.count -= 1


async def repeat(work: Callable[[], float], holds: Holds, idle: float, what: str) -> None:
    """Run `work` over and over: it returns how many seconds to wait before the next run (0
    when work is left). While held, and after a failure (logged), the wait is `idle`."""
    while True:
        wait = idle
        if not holds.count:
            try:
                wait = work()
            except Exception:
                log.exception("%s failed", what)
        await asyncio.sleep(wait)
