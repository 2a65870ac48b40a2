"""ConsumedCapacity as AWS computes it (reference/dynamodb.md §3)."""

from __future__ import annotations

import math
from typing import Any

READ_UNIT = 4096
WRITE_UNIT = 1024


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / READ_UNIT))
    return float(units) if consistent else units / 2


def write_units(*sizes: int) -> float:
    return float(max(1, math.ceil(max(sizes, default=0) / WRITE_UNIT)))


def report(
    mode: str | None,
    table: str,
    table_units: float,
    global_indexes: dict[str, float] | None = None,
    local_indexes: dict[str, float] | None = None,
) -> dict[str, Any] | None:
    """The ConsumedCapacity member for ReturnConsumedCapacity `mode` (None when not asked)."""
    if mode not in ("TOTAL", "INDEXES"):
        return None
    global_indexes = global_indexes or {}
    local_indexes = local_indexes or {}
    total = table_units + sum(global_indexes.values()) + sum(local_indexes.values())
    consumed: dict[str, Any] = {"TableName": table, "CapacityUnits": total}
    if mode == "INDEXES":
        consumed["Table"] = {"CapacityUnits": table_units}
        if global_indexes:
            consumed["GlobalSecondaryIndexes"] = {
                name: {"CapacityUnits": units} for name, units in global_indexes.items()
            }
        if local_indexes:
            consumed["LocalSecondaryIndexes"] = {
                name: {"CapacityUnits": units} for name, units in local_indexes.items()
            }
    return consumed
