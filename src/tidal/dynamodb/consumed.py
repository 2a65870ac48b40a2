"""ConsumedCapacity of the operations that touch several tables: a list with one entry per
table, in the order the request first names each table (reference/dynamodb.md §3).

Transactions cost twice the normal units and say which kind they were: every `CapacityUnits`
of their entries has a `ReadCapacityUnits` or `WriteCapacityUnits` twin (getmoto/moto
test_dynamodb_transact.py; nubo-db/dynamodb-conformance tests/tier2/transactions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tidal.dynamodb import capacity
from tidal.dynamodb.schema import Index


@dataclass(slots=True)
class _Units:
    table: float = 0.0
    global_indexes: dict[str, float] = field(default_factory=dict)
    local_indexes: dict[str, float] = field(default_factory=dict)


class Consumed:
    """Units spent per table (and per index) by one request, reported as AWS lists them."""

    def __init__(self, mode: str | None, factor: float = 1.0, kind: str | None = None) -> None:
        self.mode = mode
        self._factor = factor
        self._kind = kind
        self._tables: dict[str, _Units] = {}

    @property
    def wanted(self) -> bool:
        return self.mode in ("TOTAL", "INDEXES")

    def add(self, table: str, units: float, spent: dict[Index, float] | None = None) -> None:
        """Charge `units` to `table` (as the request named it) and `spent` to its indexes."""
        charged = self._tables.setdefault(table, _Units())
        charged.table += units * self._factor
        for index, index_units in (spent or {}).items():
            group = charged.global_indexes if index.is_global else charged.local_indexes
            group[index.name] = group.get(index.name, 0.0) + index_units * self._factor

    def report(self) -> list[dict[str, Any]]:
        entries = []
        for table, charged in self._tables.items():
            entry = capacity.report(
                self.mode, table, charged.table, charged.global_indexes, charged.local_indexes
            )
            if self._kind is not None:
                _label(entry, self._kind)
            entries.append(entry)
        return entries


def _label(entry: dict[str, Any], kind: str) -> None:
    entry[kind] = entry["CapacityUnits"]
    if "Table" in entry:
        entry["Table"][kind] = entry["Table"]["CapacityUnits"]
    for group in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        for units in entry.get(group, {}).values():
            units[kind] = units["CapacityUnits"]
