"""Tumbling windows: a state carried from one invocation of a shard's window to the next.

Windows are TumblingWindowInSeconds long and aligned on the epoch; a record belongs to the
window its ApproximateCreationDateTime falls in, and a batch never spans two windows. Each
invocation gets the window's `state` (`{}` at first) and must answer with the next one. When
the window's time is over, or the shard ends, the function is invoked once more with
`isFinalInvokeForWindow` (and no records); a state larger than 1 MB ends the window early
(`isWindowTerminatedEarly`). Source: reference/lambda.md §8, Lambda DG with-ddb.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

MAX_STATE = 1024 * 1024


@dataclass
class Window:
    start: int
    end: int
    state: dict[str, Any] = field(default_factory=dict)

    def holds(self, created: int) -> bool:
        return self.start <= created < self.end

    def too_large(self) -> bool:
        return len(orjson.dumps(self.state)) > MAX_STATE

    def saved(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "state": self.state}


def of(created: int, seconds: int) -> Window:
    """The window of `seconds` that a record made at `created` belongs to."""
    start = created - created % seconds
    return Window(start, start + seconds)


def restored(saved: dict[str, Any] | None) -> Window | None:
    return Window(saved["start"], saved["end"], saved["state"]) if saved else None


def fields(
    window: Window,
    shard_id: str,
    stream_arn: str,
    final: bool = False,
    early: bool = False,
) -> dict[str, Any]:
    """What an invocation of a window adds to the event, beside its `Records`."""
    return {
        "shardId": shard_id,
        "eventSourceARN": stream_arn,
        "window": {"start": _iso(window.start), "end": _iso(window.end)},
        "state": window.state,
        "isFinalInvokeForWindow": final,
        "isWindowTerminatedEarly": early,
    }


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
