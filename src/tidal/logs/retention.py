"""Retention: the periods PutRetentionPolicy accepts, and when an event expires.

An event whose timestamp is older than its group's retention period is no longer returned
the moment it expires (reads start at the cutoff); the background task (maintenance.py)
deletes the rows later.
"""

from __future__ import annotations

from typing import Any

from tidal.logs import errors

DAY_MS = 86_400_000
ALLOWED_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
)  # fmt: skip


def check_days(days: int) -> None:
    if days not in ALLOWED_DAYS:
        allowed = ", ".join(map(str, ALLOWED_DAYS))
        raise errors.constraint(
            days, "retentionInDays", f"Member must satisfy enum value set: [{allowed}]"
        )


def cutoff(group: dict[str, Any], now_ms: int) -> int | None:
    """The oldest timestamp the group still keeps; None if its events never expire."""
    days = group["retention"]
    return None if days is None else now_ms - days * DAY_MS
