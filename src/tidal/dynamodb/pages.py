"""One page of a Query, a Scan or a PartiQL SELECT: rows read in order until Limit or 1 MB,
then filtered, projected, counted and charged as DynamoDB does.

- A page ends after `Limit` rows have been read, or after the row that brings the data read
  to 1 MB (sizes as `types.item_size` computes them; that row is part of the page). Either
  way the page carries a LastEvaluatedKey, the key of the last row read, even when no row
  follows it. Rows the filter drops still count: ScannedCount counts rows read, Count those
  that passed the filter, and a page may hold no item at all.
- Capacity is the size of all rows read, rounded up once to 4 KB (halved when eventually
  consistent; at least one unit), charged to the keyspace read. Items fetched from the table
  for a local index are charged to the table, their total rounded up once (architect/dynalite
  test/query.js: 4 units for three fetched items of ~4 KB each plus their index rows).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from orjson import loads

from tidal.dynamodb import capacity, reads
from tidal.dynamodb.expressions import Condition, Projection
from tidal.dynamodb.types import item_size
from tidal.dynamodb.writes import read

MAX_PAGE_BYTES = 1024 * 1024
CHARGED = ("TOTAL", "INDEXES")


@dataclass(frozen=True, slots=True)
class Plan:
    source: reads.Source
    select: str
    filter: Condition | None
    projection: Projection | None
    """Applied to what is returned; set only for SPECIFIC_ATTRIBUTES."""
    fetch: bool
    """Read each item from the table (a local index that lacks attributes asked for)."""
    limit: int | None
    consistent: bool
    capacity: str | None


def plan(
    params: dict[str, Any],
    reading: reads.Reading,
    source: reads.Source,
    select: str,
    consistent: bool,
) -> Plan:
    """The plan of a read; `params` gives its Limit and ReturnConsumedCapacity."""
    return Plan(
        source=source,
        select=select,
        filter=reading.filter,
        projection=reading.projection if select == reads.SPECIFIC_ATTRIBUTES else None,
        fetch=reads.needs_table(source, reading, select),
        limit=params.get("Limit"),
        consistent=consistent,
        capacity=params.get("ReturnConsumedCapacity"),
    )


def read_page(txn: Any, values: Iterable[bytes], plan: Plan, counts: bool = True) -> dict[str, Any]:
    """The response to a read whose rows, in order, are `values`: a Query's or Scan's, or
    without `counts` (no Count or ScannedCount) an ExecuteStatement's."""
    table = plan.source.table
    items: list[dict[str, Any]] = []
    keep = plan.select != reads.COUNT
    test = plan.filter.evaluate if plan.filter is not None else None
    limit = plan.limit or 0
    # Sizes are exact when they are charged (or items are fetched); otherwise the stored JSON,
    # never smaller than an item's size, stands in for it until a page might be full.
    exact = plan.fetch or plan.capacity in CHARGED
    unsized: list[dict[str, Any]] = []
    count = scanned = size = fetched = 0
    last = None
    for value in values:
        row = loads(value)
        scanned += 1
        if exact:
            size += item_size(row)
        else:
            size += len(value)
            unsized.append(row)
            if size >= MAX_PAGE_BYTES:
                exact = True
                size = sum(map(item_size, unsized))
        item = row
        if plan.fetch:
            item = read(txn, table, *reads.table_key(table, row)) or row
            fetched += item_size(item)
        if test is None or test(item):
            count += 1
            if keep:
                items.append(_returned(plan, row, item))
        if scanned == limit or (exact and size + fetched >= MAX_PAGE_BYTES):
            last = row
            break
    result: dict[str, Any] = {"Count": count, "ScannedCount": scanned} if counts else {}
    if keep:
        result["Items"] = items
    if last is not None:
        result["LastEvaluatedKey"] = {name: last[name] for name in plan.source.key_names}
    if plan.capacity in CHARGED:
        result["ConsumedCapacity"] = _consumed(plan, size, fetched)
    return result


def _returned(plan: Plan, row: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    if plan.projection is not None:
        return plan.projection.apply(item)
    return row if plan.select == reads.ALL_PROJECTED_ATTRIBUTES else item


def _consumed(plan: Plan, size: int, fetched: int) -> dict[str, Any] | None:
    units = capacity.read_units(size, plan.consistent)
    table = plan.source.table.name
    index = plan.source.index
    if index is None:
        return capacity.report(plan.capacity, table, units)
    table_units = capacity.read_units(fetched, plan.consistent) if fetched else 0.0
    by_index = {index.name: units}
    if index.is_global:
        return capacity.report(plan.capacity, table, table_units, global_indexes=by_index)
    return capacity.report(plan.capacity, table, table_units, local_indexes=by_index)
