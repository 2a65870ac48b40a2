"""Secondary-index rows, written in the same transaction as the base item they mirror.

An index row lives in the index's own keyspace: its pk is the index hash key, its sk is
`encode_composite([index sort key, table hash key, table sort key])` (the parts that exist),
so a partition of the index is ordered by the index sort key, and rows with equal index keys
by the table's hash key, then its sort key (bytes of their order-preserving encodings).
AWS orders such ties by an internal hash of the table key instead; no client may rely on
that order, and this one is at least stable.
"""

from __future__ import annotations

from typing import Any

import orjson

from tidal.dynamodb.capacity import write_units
from tidal.dynamodb.keys import encode_composite, encode_key
from tidal.dynamodb.schema import Index, Table
from tidal.dynamodb.types import item_size


def index_key(index: Index, table: Table, item: dict[str, Any]) -> tuple[bytes, bytes] | None:
    """(pk, sk) of `item`'s row in `index`, or None when the item lacks the index key (sparse).

    Writes refuse an index key of the wrong type or an empty one, but an item written before
    its index was created may hold one: AWS leaves such an item out of the index (an index
    key violation, DG GSI "Detecting and correcting index key violations"), and so does this.
    """
    for name in index.keys.names:
        value = item.get(name)
        if value is None or not value.get(table.attribute_types[name]):
            return None
    return row_key(index, table, item)


def row_key(index: Index, table: Table, item: dict[str, Any]) -> tuple[bytes, bytes]:
    """(pk, sk) under which `index` keeps the row of `item`, which has the index's keys."""
    parts = []
    if index.keys.range_key:
        parts.append(encode_key(item[index.keys.range_key]))
    parts.append(encode_key(item[table.keys.hash_key]))
    if table.keys.range_key:
        parts.append(encode_key(item[table.keys.range_key]))
    return encode_key(item[index.keys.hash_key]), encode_composite(parts)


def sort_range(operator: str, values: list[bytes], composite: bool) -> dict[str, Any]:
    """`Transaction.range` bounds for a key condition on the sort key.

    `values` are the condition's encoded values; `composite` says the sort keys are index
    sort keys (composites led by the index sort key) rather than a table's plain encoded
    sort keys. In a composite, every row whose first part is `v` starts with the whole
    component of `v`, and nothing else does; bumping the component's last byte (its end
    marker) gives the first key after all of them.
    """
    if not composite:
        return _PLAIN_RANGES[operator](*values)
    parts = [encode_composite([value]) for value in values]
    after = [part[:-1] + bytes((part[-1] + 1,)) for part in parts]
    if operator == "EQ":
        return {"prefix": parts[0]}
    if operator == "LT":
        return {"hi": parts[0], "hi_inclusive": False}
    if operator == "LE":
        return {"hi": after[0], "hi_inclusive": False}
    if operator == "GT":
        return {"lo": after[0]}
    if operator == "GE":
        return {"lo": parts[0]}
    if operator == "BETWEEN":
        return {"lo": parts[0], "hi": after[1], "hi_inclusive": False}
    return {"prefix": parts[0][: -len(_COMPONENT_END)]}  # BEGINS_WITH


_COMPONENT_END = encode_composite([b""])
_PLAIN_RANGES = {
    "EQ": lambda value: {"lo": value, "hi": value},
    "LT": lambda value: {"hi": value, "hi_inclusive": False},
    "LE": lambda value: {"hi": value},
    "GT": lambda value: {"lo": value, "lo_inclusive": False},
    "GE": lambda value: {"lo": value},
    "BETWEEN": lambda low, high: {"lo": low, "hi": high},
    "BEGINS_WITH": lambda prefix: {"prefix": prefix},
}


def write(txn: Any, table: Table, old: dict | None, new: dict | None) -> dict[Index, float]:
    """Bring every index of `table` from reflecting `old` to reflecting `new` (None = absent).

    Returns the write units spent on each index that changed.
    """
    spent = {}
    for index in table.indexes:
        units = _write_one(txn, index, table, old, new)
        if units:
            spent[index] = units
    return spent


def backfill(txn: Any, before: Table, after: Table, index_name: str) -> None:
    """Index every existing item of the table into the newly created `index_name`."""
    index = next(index for index in after.indexes if index.name == index_name)
    for _pk, _sk, value in list(txn.scan(before.space)):
        _write_one(txn, index, after, None, orjson.loads(value))


def _write_one(txn: Any, index: Index, table: Table, old: dict | None, new: dict | None) -> float:
    """Bring one index row up to date; returns the write units it costs the index.

    A key change is a delete of the old entry plus a put of the new one (DG GSI,
    "Provisioned throughput considerations").
    """
    old_key = index_key(index, table, old) if old else None
    new_key = index_key(index, table, new) if new else None
    before = index.project(old, table.keys) if old_key is not None else None
    after = index.project(new, table.keys) if new_key is not None else None
    if (before is None and after is None) or (old_key == new_key and before == after):
        return 0.0
    if old_key is not None and old_key != new_key:
        txn.delete(index.space, *old_key)
    if after is not None:
        txn.put(index.space, *new_key, orjson.dumps(after))
    if old_key == new_key:
        return write_units(item_size(before), item_size(after))
    return sum(write_units(item_size(row)) for row in (before, after) if row is not None)
