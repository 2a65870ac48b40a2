"""Running a SELECT: reading the partitions (or scanning the table or index) its plan names,
from where a NextToken left off, a page at a time.

The rows read become a page exactly as a Query's or Scan's do (`pages.read_page`: Limit
counts the items read, matching or not; 1 MB ends a page; a local index's rows are completed
from the table where they lack an attribute the WHERE clause or select list names; capacity).
What ExecuteStatement does differently is said as such: its response has no Count or
ScannedCount, its select list returns paths under their result names (`SelectList`), and
its position, for the NextToken, is kept here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tidal.dynamodb import pages
from tidal.dynamodb import reads as table_reads
from tidal.dynamodb.keys import encode_key

from .statements import Read
from .tokens import Position


def read_page(
    txn: Any, plan: Read, params: dict[str, Any], start: Position | None
) -> tuple[dict[str, Any], Position | None]:
    """The response to one page (less its NextToken), and where the page stopped if it did."""
    source = table_reads.Source(plan.table, plan.index)
    reading = table_reads.Reading(
        filter=plan.condition,
        filter_paths=[(name,) for name in plan.condition_names],
        projection=plan.projection,
    )
    if plan.projection is not None:
        select = table_reads.SPECIFIC_ATTRIBUTES
    elif plan.index is not None:
        select = table_reads.ALL_PROJECTED_ATTRIBUTES
    else:
        select = table_reads.ALL_ATTRIBUTES
    page = pages.plan(params, reading, source, select, plan.consistent)
    rows = _Rows(txn, plan, source, start)
    result = pages.read_page(txn, rows, page, counts=False)
    return result, rows.position if "LastEvaluatedKey" in result else None


@dataclass(slots=True)
class _Rows:
    """The stored rows a plan reads, in order, from `start` on; `position` is the last one's."""

    txn: Any
    plan: Read
    source: table_reads.Source
    start: Position | None
    position: Position | None = None

    def __iter__(self) -> Iterator[bytes]:
        plan, space, start = self.plan, self.source.space, self.start
        if plan.partitions is None:
            after = (start.pk, start.sk) if start is not None else None
            for pk, sk, value in self.txn.scan(space, after=after):
                self.position = Position(-1, pk, sk)
                yield value
            return
        key_range = plan.key_range
        bounds = {}
        if key_range is not None:
            bounds = self.source.sort_bounds(key_range.operator, key_range.values)
        for number, hash_value in enumerate(plan.partitions):
            if start is not None and number < start.partition:
                continue
            pk = encode_key(hash_value)
            where = dict(bounds)
            if start is not None and number == start.partition:
                side = "hi" if plan.descending else "lo"
                where[side] = start.sk
                where[side + "_inclusive"] = False
            for sk, value in self.txn.range(space, pk, reverse=plan.descending, **where):
                self.position = Position(number, pk, sk)
                yield value
