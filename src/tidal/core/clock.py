"""Time, in one place so tests and TTL can reason about it."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> float:
    """Seconds since the epoch."""
    return time.time()


def iso_millis(epoch: float) -> str:
    """`2015-05-11T21:21:33.291`: UTC with milliseconds and no zone suffix (stream labels)."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
