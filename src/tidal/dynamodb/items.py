"""Single-item operations: PutItem, GetItem, UpdateItem, DeleteItem."""

from __future__ import annotations

from typing import Any

from tidal.core.context import RequestContext
from tidal.core.errors import ValidationException
from tidal.dynamodb import capacity, item_collections, types
from tidal.dynamodb.catalog import Catalog
from tidal.dynamodb.errors import invalid
from tidal.dynamodb.expression_params import bind
from tidal.dynamodb.expressions import project_paths
from tidal.dynamodb.item_keys import (
    check_index_keys,
    item_key,
    refuse_nested_key_paths,
    request_key,
)
from tidal.dynamodb.schema import Index, Table
from tidal.dynamodb.writes import check_condition, read, write

MAX_ITEM_SIZE = 400 * 1024
ITEM_TOO_LARGE = "Item size has exceeded the maximum allowed size"
UPDATE_TOO_LARGE = "Item size to update has exceeded the maximum allowed size"


def catalog(ctx: RequestContext) -> Catalog:
    return ctx.runtime.room("dynamodb", Catalog)


def put_item(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    return_values = _old_only_return_values(params)
    item = types.validate_item(params["Item"])
    bound = bind(params, ("ConditionExpression",))
    size = types.item_size(item)
    if size > MAX_ITEM_SIZE:
        raise ValidationException(ITEM_TOO_LARGE)
    table = catalog(ctx).get(txn, ctx.account, ctx.region, params["TableName"])
    pk, sk = item_key(table, item)
    check_index_keys(table, item)
    old = read(txn, table, pk, sk)
    check_condition(bound.condition, old, params)
    item_collections.check_growth(txn, table, pk, old, item)
    spent = write(txn, ctx.runtime, table, (pk, sk), old, item)
    units = capacity.write_units(size, types.item_size(old) if old else 0)
    returned = old if return_values == "ALL_OLD" else None
    return _write_result(params, txn, table, pk, item, units, spent, returned)


def get_item(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    key = types.validate_item(params["Key"])
    bound = bind(params, ("ProjectionExpression",))
    table = catalog(ctx).get(txn, ctx.account, ctx.region, params["TableName"])
    if bound.projection is not None:
        refuse_nested_key_paths(table, bound.projection.paths)
    pk, sk = request_key(table, key)
    item = read(txn, table, pk, sk)
    result: dict[str, Any] = {}
    if item is not None:
        result["Item"] = bound.projection.apply(item) if bound.projection else item
    consistent = bool(params.get("ConsistentRead"))
    units = capacity.read_units(types.item_size(item) if item else 0, consistent)
    consumed = capacity.report(params.get("ReturnConsumedCapacity"), table.name, units)
    if consumed:
        result["ConsumedCapacity"] = consumed
    return result


def delete_item(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    return_values = _old_only_return_values(params)
    key = types.validate_item(params["Key"])
    bound = bind(params, ("ConditionExpression",))
    table = catalog(ctx).get(txn, ctx.account, ctx.region, params["TableName"])
    pk, sk = request_key(table, key)
    old = read(txn, table, pk, sk)
    check_condition(bound.condition, old, params)
    spent = write(txn, ctx.runtime, table, (pk, sk), old, None)
    units = capacity.write_units(types.item_size(old) if old else 0)
    returned = old if return_values == "ALL_OLD" else None
    return _write_result(params, txn, table, pk, key, units, spent, returned)


def update_item(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    return_values = params.get("ReturnValues", "NONE")
    key = types.validate_item(params["Key"])
    bound = bind(params, ("UpdateExpression", "ConditionExpression"))
    table = catalog(ctx).get(txn, ctx.account, ctx.region, params["TableName"])
    pk, sk = request_key(table, key)
    if bound.update is not None:
        check_update_targets(table, bound.update)
    old = read(txn, table, pk, sk)
    check_condition(bound.condition, old, params)
    base = old if old is not None else dict(key)
    new, paths = (base, [])
    if bound.update is not None:
        new, paths = bound.update.apply(base, item_exists=old is not None)
    check_index_keys(table, new)
    new_size = types.item_size(new)
    if new_size > MAX_ITEM_SIZE:
        raise ValidationException(UPDATE_TOO_LARGE)
    item_collections.check_growth(txn, table, pk, old, new)
    spent = write(txn, ctx.runtime, table, (pk, sk), old, new)
    units = capacity.write_units(new_size, types.item_size(old) if old else 0)
    returned = updated_attributes(return_values, old, new, paths)
    return _write_result(params, txn, table, pk, new, units, spent, returned)


def check_update_targets(table: Table, update: Any) -> None:
    """An update may not touch a key attribute, nor reach inside an index key."""
    for name in table.keys.names:
        if name in update.attribute_names():
            raise invalid(f"Cannot update attribute {name}. This attribute is part of the key")
    refuse_nested_key_paths(table, update.paths)


def updated_attributes(
    return_values: str, old: dict | None, new: dict, paths: list
) -> dict[str, Any] | None:
    """What an update returns for ReturnValues (or a PartiQL UPDATE for RETURNING)."""
    if return_values == "ALL_OLD":
        return old
    if return_values == "ALL_NEW":
        return new
    if return_values == "UPDATED_OLD":
        return project_paths(old, paths) if old else None
    if return_values == "UPDATED_NEW":
        return project_paths(new, paths)
    return None


def _old_only_return_values(params: dict[str, Any]) -> str:
    return_values = params.get("ReturnValues", "NONE")
    if return_values not in ("NONE", "ALL_OLD"):
        raise ValidationException("ReturnValues can only be ALL_OLD or NONE")
    return return_values


def write_capacity(
    mode: str | None, table: Table, units: float, spent: dict[Index, float]
) -> dict[str, Any] | None:
    """The ConsumedCapacity of a write of one item: `units` on the table, `spent` on indexes."""
    return capacity.report(
        mode,
        table.name,
        units,
        {index.name: used for index, used in spent.items() if index.is_global},
        {index.name: used for index, used in spent.items() if not index.is_global},
    )


def _write_result(
    params: dict[str, Any],
    txn: Any,
    table: Table,
    pk: bytes,
    item: dict,
    units: float,
    spent: dict[Index, float],
    returned: dict[str, Any] | None,
) -> dict[str, Any]:
    """The response to a single-item write: its capacity and item collection metrics when
    asked, and the attributes it returns (if any)."""
    result: dict[str, Any] = {}
    consumed = write_capacity(params.get("ReturnConsumedCapacity"), table, units, spent)
    if consumed:
        result["ConsumedCapacity"] = consumed
    if item_collections.wanted(params, table):
        result["ItemCollectionMetrics"] = item_collections.metrics(txn, table, pk, item)
    if returned:
        result["Attributes"] = returned
    return result
