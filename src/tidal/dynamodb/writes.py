"""The one write path of items: base row, index rows and the change event, in one transaction.

Every operation that changes an item (PutItem, UpdateItem, DeleteItem, batches,
transactions, PartiQL, TTL expiry) reads with `read` and writes with `write`, so indexes
and stream records can never miss a write.
"""

from __future__ import annotations

from typing import Any

import orjson

from tidal.core.events import ITEM_CHANGED, SHOWS_NEW_IMAGE, SHOWS_OLD_IMAGE, ItemChange
from tidal.core.runtime import Runtime
from tidal.dynamodb import expiry_index, indexes
from tidal.dynamodb.errors import ConditionalCheckFailedException
from tidal.dynamodb.schema import Index, Table
from tidal.dynamodb.types import item_size


def read(txn: Any, table: Table, pk: bytes, sk: bytes) -> dict[str, Any] | None:
    value = txn.get(table.space, pk, sk)
    return orjson.loads(value) if value is not None else None


def write(
    txn: Any,
    runtime: Runtime,
    table: Table,
    key: tuple[bytes, bytes],
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    identity: dict[str, str] | None = None,
) -> dict[Index, float]:
    """Make `new` the item at `key` (None deletes it); returns write units spent per index."""
    if new is not None:
        txn.put(table.space, *key, orjson.dumps(new))
    elif old is not None:
        txn.delete(table.space, *key)
    spent = indexes.write(txn, table, old, new)
    expiry_index.write(txn, runtime, table, key, old, new)
    stream = table.description.get("StreamSpecification")
    if stream is not None and (old is not None or new is not None):
        view_type = stream["StreamViewType"]
        runtime.hooks.publish(
            ITEM_CHANGED,
            txn,
            ItemChange(
                account=table.account,
                region=table.region,
                table_name=table.name,
                stream_arn=table.description["LatestStreamArn"],
                view_type=view_type,
                key_names=table.keys.names,
                old=old,
                new=new,
                identity=identity,
                size_bytes=_record_size(view_type, table.keys.names, old, new),
            ),
        )
    return spent


def _record_size(
    view_type: str, key_names: tuple[str, ...], old: dict | None, new: dict | None
) -> int:
    """The item size of what a stream record of the change shows: keys and images."""
    image = new if new is not None else old
    size = item_size({name: image[name] for name in key_names})  # type: ignore[index]
    if new is not None and view_type in SHOWS_NEW_IMAGE:
        size += item_size(new)
    if old is not None and view_type in SHOWS_OLD_IMAGE:
        size += item_size(old)
    return size


def check_condition(condition: Any, old: dict | None, params: dict[str, Any]) -> None:
    """Raise ConditionalCheckFailedException (with the old item when asked) unless it holds."""
    if condition is None or condition.evaluate(old):
        return
    fields = {}
    if params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old:
        fields["Item"] = old
    raise ConditionalCheckFailedException("The conditional request failed", **fields)
