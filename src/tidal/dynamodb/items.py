"""Single-item operations: PutItem, GetItem, UpdateItem, DeleteItem."""

from __future__ import annotations

from typing import Any

import orjson

from tidal.core.context import RequestContext
from tidal.core.errors import ValidationException
from tidal.dynamodb import capacity, indexes, types
from tidal.dynamodb.catalog import Catalog
from tidal.dynamodb.errors import ConditionalCheckFailedException, invalid
from tidal.dynamodb.expression_params import bind
from tidal.dynamodb.expressions import DocPath, project_paths
from tidal.dynamodb.keys import encode_key
from tidal.dynamodb.schema import Table

MAX_ITEM_SIZE = 400 * 1024
MAX_HASH_KEY_SIZE = 2048
MAX_RANGE_KEY_SIZE = 1024
EMPTY_KEY = (
    "One or more parameter values are not valid. The AttributeValue for a key attribute "
    "cannot contain an empty {} value. Key: {}"
)


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
    pk, sk = _item_key(table, item)
    _check_index_keys(table, item)
    old = _read(txn, table, pk, sk)
    _check_condition(bound.condition, old, params)
    txn.put(table.space, pk, sk, orjson.dumps(item))
    spent = indexes.write(txn, table, old, item)
    units = capacity.write_units(size, types.item_size(old) if old else 0)
    result = _write_result(params, table, units, spent)
    if return_values == "ALL_OLD" and old:
        result["Attributes"] = old
    return result


def get_item(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    key = types.validate_item(params["Key"])
    bound = bind(params, ("ProjectionExpression",))
    table = catalog(ctx).get(txn, ctx.account, ctx.region, params["TableName"])
    if bound.projection is not None:
        _refuse_nested_key_paths(table, bound.projection.paths)
    pk, sk = _request_key(table, key)
    item = _read(txn, table, pk, sk)
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
    pk, sk = _request_key(table, key)
    old = _read(txn, table, pk, sk)
    _check_condition(bound.condition, old, params)
    spent = {}
    if old is not None:
        txn.delete(table.space, pk, sk)
        spent = indexes.write(txn, table, old, None)
    units = capacity.write_units(types.item_size(old) if old else 0)
    result = _write_result(params, table, units, spent)
    if return_values == "ALL_OLD" and old:
        result["Attributes"] = old
    return result


def update_item(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    return_values = params.get("ReturnValues", "NONE")
    key = types.validate_item(params["Key"])
    bound = bind(params, ("UpdateExpression", "ConditionExpression"))
    table = catalog(ctx).get(txn, ctx.account, ctx.region, params["TableName"])
    pk, sk = _request_key(table, key)
    if bound.update is not None:
        for name in table.keys.names:
            if name in bound.update.attribute_names():
                raise invalid(f"Cannot update attribute {name}. This attribute is part of the key")
        _refuse_nested_key_paths(table, bound.update.paths)
    old = _read(txn, table, pk, sk)
    _check_condition(bound.condition, old, params)
    base = old if old is not None else dict(key)
    new, paths = (base, [])
    if bound.update is not None:
        new, paths = bound.update.apply(base, item_exists=old is not None)
    _check_index_keys(table, new)
    new_size = types.item_size(new)
    if new_size > MAX_ITEM_SIZE:
        raise ValidationException("Item size to update has exceeded the maximum allowed size")
    txn.put(table.space, pk, sk, orjson.dumps(new))
    spent = indexes.write(txn, table, old, new)
    units = capacity.write_units(new_size, types.item_size(old) if old else 0)
    result = _write_result(params, table, units, spent)
    attributes = _updated_attributes(return_values, old, new, paths)
    if attributes:
        result["Attributes"] = attributes
    return result


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


def _read(txn: Any, table: Table, pk: bytes, sk: bytes) -> dict[str, Any] | None:
    value = txn.get(table.space, pk, sk)
    return orjson.loads(value) if value is not None else None


def _check_condition(condition: Any, old: dict | None, params: dict[str, Any]) -> None:
    if condition is None or condition.evaluate(old):
        return
    fields = {}
    if params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old:
        fields["Item"] = old
    raise ConditionalCheckFailedException("The conditional request failed", **fields)


def _write_result(
    params: dict[str, Any], table: Table, units: float, spent: dict
) -> dict[str, Any]:
    mode = params.get("ReturnConsumedCapacity")
    if mode not in ("TOTAL", "INDEXES"):
        return {}
    global_units = {index.name: units for index, units in spent.items() if index.is_global}
    local_units = {index.name: units for index, units in spent.items() if not index.is_global}
    return {"ConsumedCapacity": capacity.report(mode, table.name, units, global_units, local_units)}


def _item_key(table: Table, item: dict[str, Any]) -> tuple[bytes, bytes]:
    """The stored key of an item being put, with PutItem's checks and messages."""
    encoded = []
    for name, expected in _key_types(table):
        value = item.get(name)
        if value is None:
            raise invalid(f"Missing the key {name} in the item")
        actual = next(iter(value))
        if actual != expected:
            raise invalid(f"Type mismatch for key {name} expected: {expected} actual: {actual}")
        encoded.append(_encode_key_value(name, value, len(encoded) == 0))
    return encoded[0], encoded[1] if len(encoded) > 1 else b""


def _request_key(table: Table, key: dict[str, Any]) -> tuple[bytes, bytes]:
    """The stored key named by a `Key` parameter, which must match the schema exactly."""
    schema = _key_types(table)
    if len(key) != len(schema):
        raise ValidationException("The provided key element does not match the schema")
    encoded = []
    for name, expected in schema:
        value = key.get(name)
        if value is None or next(iter(value)) != expected:
            raise ValidationException("The provided key element does not match the schema")
        encoded.append(_encode_key_value(name, value, len(encoded) == 0))
    return encoded[0], encoded[1] if len(encoded) > 1 else b""


def _key_types(table: Table) -> list[tuple[str, str]]:
    keys = table.keys
    schema = [(keys.hash_key, keys.hash_type)]
    if keys.range_key:
        schema.append((keys.range_key, keys.range_type))
    return schema


def _encode_key_value(name: str, value: dict[str, Any], is_hash: bool) -> bytes:
    encoded = encode_key(value)
    if not encoded and "N" not in value:
        kind = "string" if "S" in value else "binary"
        raise ValidationException(EMPTY_KEY.format(kind, name))
    if is_hash and len(encoded) > MAX_HASH_KEY_SIZE:
        raise invalid("Size of hashkey has exceeded the maximum size limit of2048 bytes")
    if not is_hash and len(encoded) > MAX_RANGE_KEY_SIZE:
        raise invalid("Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
    return encoded


def _refuse_nested_key_paths(table: Table, paths: list[DocPath]) -> None:
    """Key attributes are scalars: a path may name one, but not reach inside it."""
    nested = {path[0] for path in paths if len(path) > 1}
    for kind, names in (("Key", table.keys.names), ("IndexKey", _index_key_names(table))):
        for name in names:
            if name in nested:
                raise ValidationException(
                    "Key attributes must be scalars; list random access '[]' and map lookup '.' "
                    f"are not allowed: {kind}: {name}"
                )


def _index_key_names(table: Table) -> list[str]:
    names = [name for index in table.indexes for name in index.keys.names]
    return [name for name in dict.fromkeys(names) if name not in table.keys.names]


def _check_index_keys(table: Table, item: dict[str, Any]) -> None:
    for index in table.indexes:
        for name in index.keys.names:
            value = item.get(name)
            if value is None:
                continue
            expected = table.attribute_types[name]
            actual = next(iter(value))
            if actual != expected:
                raise invalid(
                    f"Type mismatch for Index Key {name} Expected: {expected} Actual: {actual} "
                    f"IndexName: {index.name}"
                )
            if actual in ("S", "B") and not value[actual]:
                raise ValidationException(
                    "One or more parameter values are not valid. A value specified for a "
                    "secondary index key is not supported. The AttributeValue for a key attribute "
                    f"cannot contain an empty string value. IndexName: {index.name}, "
                    f"IndexKey: {name}"
                )
