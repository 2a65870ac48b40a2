"""ConsumedCapacity of the multi-statement operations: one entry per table, summed over the
statements (BatchExecuteStatement), doubled and labelled as reads or writes in a transaction.
"""

from __future__ import annotations

from typing import Any

from tidal.dynamodb import capacity
from tidal.dynamodb.schema import Index


class Tally:
    def __init__(self) -> None:
        self._tables: dict[str, dict[str, Any]] = {}

    def add(self, table: str, units: float, indexes: dict[Index, float] | None = None) -> None:
        entry = self._tables.setdefault(table, {"table": 0.0, "global": {}, "local": {}})
        entry["table"] += units
        for index, spent in (indexes or {}).items():
            arm = entry["global" if index.is_global else "local"]
            arm[index.name] = arm.get(index.name, 0.0) + spent

    def units(self) -> dict[str, float]:
        """Total units per table (what a transaction's idempotent replay reports)."""
        return {
            table: entry["table"] + sum(entry["global"].values()) + sum(entry["local"].values())
            for table, entry in self._tables.items()
        }

    def report(self, mode: str | None, kind: str | None = None) -> list[dict[str, Any]] | None:
        """ConsumedCapacity entries for `mode`; `kind` "Read"/"Write" labels (and doubles)
        a transaction's units."""
        if mode not in ("TOTAL", "INDEXES"):
            return None
        factor = 2 if kind else 1
        entries = []
        for table, entry in self._tables.items():
            reported = capacity.report(
                mode,
                table,
                entry["table"] * factor,
                {name: units * factor for name, units in entry["global"].items()},
                {name: units * factor for name, units in entry["local"].items()},
            )
            if kind:
                _label(reported, f"{kind}CapacityUnits")  # type: ignore[arg-type]
            entries.append(reported)
        return entries  # type: ignore[return-value]


def replayed(mode: str | None, units: dict[str, float]) -> list[dict[str, Any]] | None:
    """A transaction answered from its ClientRequestToken: a transactional read of the result."""
    if mode not in ("TOTAL", "INDEXES"):
        return None
    entries = []
    for table, spent in units.items():
        entry: dict[str, Any] = {"TableName": table, "CapacityUnits": spent}
        if mode == "INDEXES":
            entry["Table"] = {"CapacityUnits": spent}
        _label(entry, "ReadCapacityUnits")
        entries.append(entry)
    return entries


def _label(entry: dict[str, Any], key: str) -> None:
    """Copy each CapacityUnits of an entry (and its arms) into `key`."""
    if "CapacityUnits" in entry:
        entry[key] = entry["CapacityUnits"]
    for value in entry.values():
        if isinstance(value, dict):
            if "CapacityUnits" in value:
                value[key] = value["CapacityUnits"]
            else:
                for arm in value.values():
                    arm[key] = arm["CapacityUnits"]
