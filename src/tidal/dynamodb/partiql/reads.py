"""Running a SELECT: reading the partitions (or scanning the table or index) its plan names,
one page at a time, applying the WHERE clause and the select list to every item read.

A page ends after `Limit` items have been read (matching or not) or 1 MB of them, as
DynamoDB pages; the position of its last item lets the next page continue from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from tidal.dynamodb import capacity, types
from tidal.dynamodb.expressions.paths import get_path
from tidal.dynamodb.indexes import sort_range
from tidal.dynamodb.keys import encode_key
from tidal.dynamodb.writes import read

from .access import KeyRange
from .statements import Read
from .tokens import Position
from .translate import result_name

PAGE_BYTES = 1024 * 1024

Item = dict[str, Any]


@dataclass(slots=True)
class Page:
    items: list[Item] = field(default_factory=list)
    last: Position | None = None
    last_key: Item | None = None
    """The key attributes of the last item read, when the page stopped before the end."""
    read_bytes: int = 0
    fetched_bytes: int = 0
    """Bytes read back from the table for attributes a local index does not hold."""


def run(txn: Any, plan: Read, limit: int | None, start: Position | None) -> Page:
    page = Page()
    space = plan.index.space if plan.index is not None else plan.table.space
    for evaluated, (position, value) in enumerate(_rows(txn, plan, space, start), 1):
        item = orjson.loads(value)
        page.read_bytes += types.item_size(item)
        if plan.condition is None or plan.condition.evaluate(item):
            page.items.append(_project(txn, plan, item, page))
        if page.read_bytes >= PAGE_BYTES or (limit is not None and evaluated >= limit):
            page.last = position
            page.last_key = _key_of(plan, item)
            break
    return page


def consumed(plan: Read, page: Page, mode: str | None) -> dict[str, Any] | None:
    units = capacity.read_units(page.read_bytes, plan.consistent)
    fetched = capacity.read_units(page.fetched_bytes, plan.consistent) if page.fetched_bytes else 0
    if plan.index is None:
        return capacity.report(mode, plan.table.name, units)
    arm = {plan.index.name: units}
    if plan.index.is_global:
        return capacity.report(mode, plan.table.name, fetched, global_indexes=arm)
    return capacity.report(mode, plan.table.name, fetched, local_indexes=arm)


def _rows(
    txn: Any, plan: Read, space: int, start: Position | None
) -> Iterator[tuple[Position, bytes]]:
    if plan.partitions is None:
        after = (start.pk, start.sk) if start is not None else None
        for pk, sk, value in txn.scan(space, after=after):
            yield Position(-1, pk, sk), value
        return
    bounds = _bounds(plan.key_range, plan.index is not None)
    for number, hash_value in enumerate(plan.partitions):
        if start is not None and number < start.partition:
            continue
        pk = encode_key(hash_value)
        where = dict(bounds)
        if start is not None and number == start.partition:
            side = "hi" if plan.descending else "lo"
            where[side] = start.sk
            where[side + "_inclusive"] = False
        for sk, value in txn.range(space, pk, reverse=plan.descending, **where):
            yield Position(number, pk, sk), value


def _bounds(key_range: KeyRange | None, composite: bool) -> dict[str, Any]:
    """`range` keyword arguments that keep a partition's read within `key_range`."""
    if key_range is None:
        return {}
    encoded = [encode_key(value) for value in key_range.values]
    return sort_range(key_range.operator, encoded, composite)


def _project(txn: Any, plan: Read, item: Item, page: Page) -> Item:
    """The select list of `item`, each path under its result name (`a.b[1]` -> `b[1]`)."""
    if plan.projection is None:
        return item
    source = item
    index = plan.index
    if index is not None and not index.is_global and index.projection != "ALL":
        held = set(index.keys.names) | set(plan.table.keys.names) | index.non_key_attributes
        if any(path[0] not in held for path in plan.projection.paths):
            keys = [encode_key(item[name]) for name in plan.table.keys.names]
            source = read(txn, plan.table, keys[0], keys[1] if len(keys) > 1 else b"") or {}
            page.fetched_bytes += types.item_size(source)
    result = {}
    for path in plan.projection.paths:
        value = get_path(source, path)
        if value is not None:
            result[result_name(path)] = value
    return result


def _key_of(plan: Read, item: Item) -> Item:
    names = list(plan.table.keys.names)
    if plan.index is not None:
        names += [name for name in plan.index.keys.names if name not in names]
    return {name: item[name] for name in names if name in item}
