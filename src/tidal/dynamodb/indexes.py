"""Secondary-index rows, written in the same transaction as the base item they mirror."""

from __future__ import annotations

from typing import Any

import orjson

from tidal.dynamodb.capacity import write_units
from tidal.dynamodb.keys import encode_composite, encode_key
from tidal.dynamodb.schema import Index, Table
from tidal.dynamodb.types import item_size


def index_key(index: Index, table: Table, item: dict[str, Any]) -> tuple[bytes, bytes] | None:
    """(pk, sk) of `item`'s row in `index`, or None when the item lacks the index key (sparse)."""
    hash_value = item.get(index.keys.hash_key)
    if hash_value is None:
        return None
    parts = []
    if index.keys.range_key:
        range_value = item.get(index.keys.range_key)
        if range_value is None:
            return None
        parts.append(encode_key(range_value))
    parts.append(encode_key(item[table.keys.hash_key]))
    if table.keys.range_key:
        parts.append(encode_key(item[table.keys.range_key]))
    return encode_key(hash_value), encode_composite(parts)


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
