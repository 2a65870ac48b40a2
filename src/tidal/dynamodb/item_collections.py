"""Item collections: the items of one partition key value in a table with local secondary
indexes, together with their rows in those indexes (DG LSI.html, "Item collections").

DynamoDB limits a collection to 10 GB and reports its size, when asked with
`ReturnItemCollectionMetrics: SIZE`, as a 1 GB wide estimate: `[0.0, 1.0]` for any collection
under a gigabyte (the example the Developer Guide shows), `[n, n + 1]` above. Tables without
local secondary indexes have no item collections and report nothing.

Measuring a collection reads every row of its partition, so both uses first bound the size
from the stored bytes of the table and its local indexes, which the store keeps current in
O(1): a stored row is never smaller than the DynamoDB size of the item it holds (its JSON
spells out every name and value), so a table whose bytes stay under a bound has no
collection above it.
"""

from __future__ import annotations

from typing import Any

import orjson

from tidal.dynamodb import indexes
from tidal.dynamodb.errors import ItemCollectionSizeLimitExceededException
from tidal.dynamodb.schema import Index, Table
from tidal.dynamodb.types import item_size

GIGABYTE = 1024**3
MAX_COLLECTION_BYTES = 10 * GIGABYTE
LIMIT_EXCEEDED = "Collection size exceeded."


def local_indexes(table: Table) -> tuple[Index, ...]:
    return tuple(index for index in table.indexes if not index.is_global)


def wanted(params: dict[str, Any], table: Table) -> bool:
    """Whether the request asked for metrics and the table has item collections."""
    return params.get("ReturnItemCollectionMetrics") == "SIZE" and bool(local_indexes(table))


def metrics(txn: Any, table: Table, pk: bytes, item: dict[str, Any]) -> dict[str, Any]:
    """ItemCollectionMetrics of the collection `item` (any item or key in it) belongs to."""
    hash_key = table.keys.hash_key
    size = _collection_size(txn, table, pk) if _stored_bytes(txn, table) >= GIGABYTE else 0
    return {
        "ItemCollectionKey": {hash_key: item[hash_key]},
        "SizeEstimateRangeGB": size_estimate(size),
    }


def size_estimate(size: int) -> list[float]:
    """The SizeEstimateRangeGB of a collection of `size` bytes: the gigabyte it falls in."""
    lower = float(size // GIGABYTE)
    return [lower, lower + 1.0]


def overflows(
    txn: Any, table: Table, pk: bytes, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> bool:
    """Whether replacing `old` by `new` grows a collection beyond MAX_COLLECTION_BYTES.

    A write that does not grow its collection is always allowed, even in a full one.
    """
    local = local_indexes(table)
    if not local or new is None:
        return False
    growth = _rows_size(table, local, new) - (_rows_size(table, local, old) if old else 0)
    if growth <= 0:
        return False
    if _stored_bytes(txn, table) + growth <= MAX_COLLECTION_BYTES:
        return False
    return _collection_size(txn, table, pk) + growth > MAX_COLLECTION_BYTES


def check_growth(
    txn: Any, table: Table, pk: bytes, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> None:
    if overflows(txn, table, pk, old, new):
        raise ItemCollectionSizeLimitExceededException(LIMIT_EXCEEDED)


def _rows_size(table: Table, local: tuple[Index, ...], item: dict[str, Any]) -> int:
    """The size of an item and of its rows in the local indexes that hold it."""
    size = item_size(item)
    for index in local:
        if indexes.index_key(index, table, item) is not None:
            size += item_size(index.project(item, table.keys))
    return size


def _stored_bytes(txn: Any, table: Table) -> int:
    spaces = (table.space, *(index.space for index in local_indexes(table)))
    return sum(txn.space_stats(space)[1] for space in spaces)


def _collection_size(txn: Any, table: Table, pk: bytes) -> int:
    spaces = (table.space, *(index.space for index in local_indexes(table)))
    return sum(
        item_size(orjson.loads(value)) for space in spaces for _sk, value in txn.range(space, pk)
    )
