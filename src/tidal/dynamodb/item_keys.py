"""Which stored key an item or a `Key` parameter names, with AWS's checks and messages."""

from __future__ import annotations

from typing import Any

from tidal.core.errors import ValidationException
from tidal.dynamodb.errors import invalid
from tidal.dynamodb.expressions import DocPath
from tidal.dynamodb.keys import encode_key
from tidal.dynamodb.schema import Table

MAX_HASH_KEY_SIZE = 2048
MAX_RANGE_KEY_SIZE = 1024
EMPTY_KEY = (
    "One or more parameter values are not valid. The AttributeValue for a key attribute "
    "cannot contain an empty {} value. Key: {}"
)


def item_key(table: Table, item: dict[str, Any]) -> tuple[bytes, bytes]:
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


def request_key(table: Table, key: dict[str, Any]) -> tuple[bytes, bytes]:
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


def refuse_nested_key_paths(table: Table, paths: list[DocPath]) -> None:
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


def check_index_keys(table: Table, item: dict[str, Any]) -> None:
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
