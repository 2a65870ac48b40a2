"""BatchGetItem and BatchWriteItem.

Both check every request of the batch before they read or write an item, so one bad request
fails the whole batch and changes nothing. BatchWriteItem is not atomic on AWS, which may
hand back any part of a batch as `UnprocessedItems`; Tidal writes every request in the
caller's one transaction, so `UnprocessedItems` is always `{}`. BatchGetItem stops at 16 MB
of items and hands the keys it did not read back in `UnprocessedKeys`, as AWS does.

Messages: nubo-db/dynamodb-conformance tests/tier3/error-messages/batch{Get,Write}Item.test.ts
(measured on AWS) and architect/dynalite test/batch{Get,Write}Item.js.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidal.core.context import RequestContext
from tidal.core.errors import ValidationException
from tidal.dynamodb import capacity, item_collections, types
from tidal.dynamodb.consumed import Consumed
from tidal.dynamodb.expression_params import Bound, bind
from tidal.dynamodb.item_keys import (
    check_index_keys,
    item_key,
    refuse_nested_key_paths,
    request_key,
)
from tidal.dynamodb.items import ITEM_TOO_LARGE, MAX_ITEM_SIZE, catalog
from tidal.dynamodb.schema import Table
from tidal.dynamodb.writes import read, write

MAX_WRITES = 25
MAX_KEYS = 100
MAX_RESPONSE_BYTES = 16 * 1024 * 1024

REQUIRED = "The requestItems parameter is required for {}"
TOO_MANY = "Too many items requested for the {} call"
DUPLICATES = "Provided list of item keys contains duplicates"
KEY_MISMATCH = "The provided key element does not match the schema"
MIXED_PROJECTIONS = (
    "Can not use both expression and non-expression parameters in the same request: "
    "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"
)


@dataclass(slots=True)
class _Write:
    name: str
    """The table as the request named it (a name or an ARN): responses use this."""
    table: Table
    key: tuple[bytes, bytes]
    item: dict[str, Any] | None
    """The item to put, None to delete."""
    values: dict[str, Any]
    """The item, or the key of a delete."""
    size: int


def batch_write_item(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    request_items = params["RequestItems"]
    if not request_items:
        raise ValidationException(REQUIRED.format("BatchWriteItem"))
    if sum(len(requests) for requests in request_items.values()) > MAX_WRITES:
        raise ValidationException(TOO_MANY.format("BatchWriteItem"))
    checked = [
        (name, [_checked_request(request) for request in requests])
        for name, requests in request_items.items()
    ]
    writes = _resolve_writes(ctx, txn, checked)
    consumed = Consumed(params.get("ReturnConsumedCapacity"))
    metrics: dict[str, list[dict[str, Any]]] = {}
    for request in writes:
        table, key = request.table, request.key
        old = read(txn, table, *key)
        item_collections.check_growth(txn, table, key[0], old, request.item)
        spent = write(txn, ctx.runtime, table, key, old, request.item)
        if consumed.wanted:
            old_size = types.item_size(old) if old else 0
            consumed.add(request.name, capacity.write_units(request.size, old_size), spent)
    for request in writes:
        if item_collections.wanted(params, request.table):
            metrics.setdefault(request.name, []).append(
                item_collections.metrics(txn, request.table, request.key[0], request.values)
            )
    result: dict[str, Any] = {"UnprocessedItems": {}}
    if consumed.wanted:
        result["ConsumedCapacity"] = consumed.report()
    if metrics:
        result["ItemCollectionMetrics"] = metrics
    return result


def _checked_request(request: dict[str, Any]) -> tuple[bool, dict[str, Any], int]:
    """(is a put, the validated item or key, the item's size) of one WriteRequest."""
    put, delete = request.get("PutRequest"), request.get("DeleteRequest")
    if (put is None) == (delete is None):
        raise ValidationException(types.MANY_TYPES)
    if delete is not None:
        return False, types.validate_item(delete["Key"]), 0
    item = types.validate_item(put["Item"])
    size = types.item_size(item)
    if size > MAX_ITEM_SIZE:
        raise ValidationException(ITEM_TOO_LARGE)
    return True, item, size


def _resolve_writes(
    ctx: RequestContext, txn: Any, checked: list[tuple[str, list[tuple[bool, dict, int]]]]
) -> list[_Write]:
    tables = catalog(ctx)
    writes = []
    seen: set[tuple[int, bytes, bytes]] = set()
    for name, requests in checked:
        table = tables.get(txn, ctx.account, ctx.region, name)
        for is_put, values, size in requests:
            if is_put:
                if not has_key_schema(table, values):
                    raise ValidationException(KEY_MISMATCH)
                key = item_key(table, values)
                check_index_keys(table, values)
            else:
                key = request_key(table, values)
            if (table.space, *key) in seen:
                raise ValidationException(DUPLICATES)
            seen.add((table.space, *key))
            writes.append(_Write(name, table, key, values if is_put else None, values, size))
    return writes


def has_key_schema(table: Table, item: dict[str, Any]) -> bool:
    """Whether `item` holds every key attribute of `table`, each of its declared type."""
    keys = table.keys
    for name, kind in ((keys.hash_key, keys.hash_type), (keys.range_key, keys.range_type)):
        if name is not None and kind not in item.get(name, ()):
            return False
    return True


@dataclass(slots=True)
class _Read:
    name: str
    spec: dict[str, Any]
    """The table's KeysAndAttributes as given: unprocessed keys go back with it."""
    table: Table
    bound: Bound
    keys: list[tuple[bytes, bytes]]


def batch_get_item(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    request_items = params["RequestItems"]
    if not request_items:
        raise ValidationException(REQUIRED.format("BatchGetItem"))
    checked = []
    count = 0
    for name, spec in request_items.items():
        bound = bind(spec, ("ProjectionExpression",))
        keys = [types.validate_item(key) for key in spec["Keys"]]
        count += len(keys)
        if count > MAX_KEYS:
            raise ValidationException(TOO_MANY.format("BatchGetItem"))
        checked.append((name, spec, bound, keys))
    if any("ProjectionExpression" in spec for spec in request_items.values()) and any(
        spec.get("AttributesToGet") is not None for spec in request_items.values()
    ):
        raise ValidationException(MIXED_PROJECTIONS)
    reads = [_resolve_read(ctx, txn, *entry) for entry in checked]
    return _read_all(txn, reads, Consumed(params.get("ReturnConsumedCapacity")))


def _resolve_read(
    ctx: RequestContext,
    txn: Any,
    name: str,
    spec: dict[str, Any],
    bound: Bound,
    keys: list[dict[str, Any]],
) -> _Read:
    table = catalog(ctx).get(txn, ctx.account, ctx.region, name)
    if bound.projection is not None:
        refuse_nested_key_paths(table, bound.projection.paths)
    encoded = [request_key(table, key) for key in keys]
    if len(set(encoded)) != len(encoded):
        raise ValidationException(DUPLICATES)
    return _Read(name, spec, table, bound, encoded)


def _read_all(txn: Any, reads: list[_Read], consumed: Consumed) -> dict[str, Any]:
    """Read every key in request order until the items read would pass 16 MB."""
    responses: dict[str, list[dict[str, Any]]] = {}
    unprocessed: dict[str, dict[str, Any]] = {}
    total = 0
    full = False
    for request in reads:
        found = responses.setdefault(request.name, [])
        consistent = bool(request.spec.get("ConsistentRead"))
        projection = request.bound.projection
        units = 0.0
        for position, key in enumerate(request.keys):
            if not full:
                item = read(txn, request.table, *key)
                size = types.item_size(item) if item else 0
                full = total + size > MAX_RESPONSE_BYTES
            if full:
                left = unprocessed.setdefault(request.name, {**request.spec, "Keys": []})
                left["Keys"].append(request.spec["Keys"][position])
                continue
            total += size
            units += capacity.read_units(size, consistent)
            if item is not None:
                found.append(projection.apply(item) if projection else item)
        consumed.add(request.name, units)
    result: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": unprocessed}
    if consumed.wanted:
        result["ConsumedCapacity"] = consumed.report()
    return result
