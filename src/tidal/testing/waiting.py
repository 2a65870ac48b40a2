"""Waiting on a condition in tests, with a deadline instead of a fixed delay."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Yield to the event loop until `condition()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0)


def eventually(condition: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Check `condition()` (from a test's own thread, while the server works in another)
    until it gives a true value, and return that value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.01)
