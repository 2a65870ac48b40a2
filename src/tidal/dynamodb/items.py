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
from tidal.dynamodb.schema import Table
from tidal.dynamodb.writes import check_condition, read, write

MAX_ITEM_SIZE = 400 * 1024


def catalog(ctx: RequestContext) -> Catalog:
    return ctx.runtime.room("dynamodb", Catalog)


def put_item(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    return_values = _old_only_return_values(params)
    item = types.validate_item(params["Item"])
    bound = bind(params, ("ConditionExpression",))
    size = types.item_size(item)
    if size > MAX_ITEM_SIZE:
        raise ValidationException("Item size has exceeded the maximum allowed size")
    table = catalog(ctx).get(txn, ctx.account, ctx.region, params["TableName"])
    pk, sk = item_key(table, item)
    check_index_keys(table, item)
    old = read(txn, table, pk, sk)
    check_condition(bound.condition, old, params)
    item_collections.check_growth(txn, table, pk, old, item)
    spent = write(txn, ctx.runtime, table, (pk, sk), old, item)
    units = capacity.write_units(size, types.item_size(old) if old else 0)
    result = _write_result(params, table, units, spent)
    _add_collection_metrics(result, params, txn, table, pk, item)
    if return_values == "ALL_OLD" and old:
        result["Attributes"] = old
    return result


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
    result = _write_result(params, table, units, spent)
    _add_collection_metrics(result, params, txn, table, pk, key)
    if return_values == "ALL_OLD" and old:
        result["Attributes"] = old
    return result


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
        raise ValidationException("Item size to update has exceeded the maximum allowed size")
    item_collections.check_growth(txn, table, pk, old, new)
    spent = write(txn, ctx.runtime, table, (pk, sk), old, new)
    units = capacity.write_units(new_size, types.item_size(old) if old else 0)
    result = _write_result(params, table, units, spent)
    _add_collection_metrics(result, params, txn, table, pk, new)
    attributes = _updated_attributes(return_values, old, new, paths)
    if attributes:
        result["Attributes"] = attributes
    return result


def check_update_targets(table: Table, update: Any) -> None:
    """An update may not touch a key attribute, nor reach inside an index key."""
    for name in table.keys.names:
        if name in update.attribute_names():
            raise invalid(f"Cannot update attribute {name}. This attribute is part of the key")
    refuse_nested_key_paths(table, update.paths)


def _updated_attributes(
    return_values: str, old: dict | None, new: dict, paths: list
) -> dict[str, Any] | None:
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


def _write_result(
    params: dict[str, Any], table: Table, units: float, spent: dict
) -> dict[str, Any]:
    mode = params.get("ReturnConsumedCapacity")
    if mode not in ("TOTAL", "INDEXES"):
        return {}
    global_units = {index.name: units for index, units in spent.items() if index.is_global}
    local_units = {index.name: units for index, units in spent.items() if not index.is_global}
    return {"ConsumedCapacity": capacity.report(mode, table.name, units, global_units, local_units)}


def _add_collection_metrics(
    result: dict[str, Any], params: dict[str, Any], txn: Any, table: Table, pk: bytes, item: dict
) -> None:
    if item_collections.wanted(params, table):
        result["ItemCollectionMetrics"] = item_collections.metrics(txn, table, pk, item)
