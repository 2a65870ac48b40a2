"""A table's key schema and indexes, read from its stored description for the item path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class KeySchema:
    hash_key: str
    hash_type: str
    range_key: str | None = None
    range_type: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.hash_key, self.range_key) if self.range_key else (self.hash_key,)

    @classmethod
    def of(cls, elements: list[dict], types: dict[str, str]) -> KeySchema:
        hash_key = next(e["AttributeName"] for e in elements if e["KeyType"] == "HASH")
        range_key = next((e["AttributeName"] for e in elements if e["KeyType"] != "HASH"), None)
        return cls(hash_key, types[hash_key], range_key, types[range_key] if range_key else None)


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    is_global: bool
    keys: KeySchema
    projection: str
    non_key_attributes: frozenset[str]
    space: int

    def project(self, item: dict, table_keys: KeySchema) -> dict:
        """The part of `item` this index stores (AWS projection rules)."""
        if self.projection == "ALL":
            return item
        wanted = set(self.keys.names) | set(table_keys.names)
        if self.projection == "INCLUDE":
            wanted |= self.non_key_attributes
        return {name: value for name, value in item.items() if name in wanted}


@dataclass(frozen=True, slots=True)
class Table:
    """The immutable, per-request view of a table; `description` is the stored TableDescription."""

    description: dict[str, Any]
    keys: KeySchema
    space: int
    attribute_types: dict[str, str]
    indexes: tuple[Index, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.description["TableName"]

    @property
    def arn(self) -> str:
        return self.description["TableArn"]

    @property
    def region(self) -> str:
        return self.arn.split(":")[3]

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]

    @classmethod
    def of(cls, description: dict[str, Any]) -> Table:
        types = {
            d["AttributeName"]: d["AttributeType"] for d in description["AttributeDefinitions"]
        }
        indexes = tuple(
            Index(
                name=index["IndexName"],
                is_global=is_global,
                keys=KeySchema.of(index["KeySchema"], types),
                projection=index["Projection"].get("ProjectionType", "ALL"),
                non_key_attributes=frozenset(index["Projection"].get("NonKeyAttributes", ())),
                space=index["_space"],
            )
            for is_global, group in (
                (False, "LocalSecondaryIndexes"),
                (True, "GlobalSecondaryIndexes"),
            )
            for index in description.get(group, ())
        )
        return cls(
            description,
            KeySchema.of(description["KeySchema"], types),
            description["_space"],
            types,
            indexes,
        )
