from collections.abc import Callable
from typing import Any

import pytest

from tidal.core.errors import AWSError, ValidationException
from tidal.dynamodb.errors import ResourceNotFoundException
from tidal.dynamodb.partiql.parser import parse
from tidal.dynamodb.partiql.statements import Statement, prepare
from tidal.dynamodb.schema import Table


def table(name: str, keys: dict[str, str], **extra: Any) -> Table:
    """A Table view of a description: `keys` is {name: type}, hash first."""
    definitions = dict(keys) | extra.pop("attributes", {})
    description = {
        "TableName": name,
        "TableArn": f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}",
        "AttributeDefinitions": [
            {"AttributeName": attribute, "AttributeType": kind}
            for attribute, kind in definitions.items()
        ],
        "KeySchema": [
            {"AttributeName": attribute, "KeyType": key_type}
            for attribute, key_type in zip(keys, ("HASH", "RANGE"), strict=False)
        ],
        "_space": 1,
        **extra,
    }
    return Table.of(description)


def index(name: str, keys: list[str], projection: str = "ALL", space: int = 2, **more: Any):
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": attribute, "KeyType": key_type}
            for attribute, key_type in zip(keys, ("HASH", "RANGE"), strict=False)
        ],
        "Projection": {"ProjectionType": projection, **more},
        "_space": space,
    }


TABLES = {
    "hash": table("hash", {"pk": "S"}),
    "pair": table(
        "pair",
        {"pk": "S", "sk": "N"},
        attributes={"g": "S", "l": "S"},
        GlobalSecondaryIndexes=[
            index("by-g", ["g"], "INCLUDE", 2, NonKeyAttributes=["kept"]),
            index("by-g-all", ["g", "sk"], "ALL", 3),
        ],
        LocalSecondaryIndexes=[index("by-l", ["pk", "l"], "KEYS_ONLY", 4)],
    ),
}


def lookup(name: str) -> Table:
    found = TABLES.get(name)
    if found is None:
        raise ResourceNotFoundException("Requested resource not found")
    return found


def prepared(text: str, *parameters: dict, surface: str = "statement", **options: Any) -> Any:
    statement = Statement(text, list(parameters) or None, **options)
    return prepare(parse(text), statement, lookup, surface)


def failure(call: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The message of the ValidationException `call` raises."""
    with pytest.raises(ValidationException) as info:
        call(*args, **kwargs)
    return info.value.message


def refusal(text: str, *parameters: dict, surface: str = "statement", **options: Any) -> str:
    """The message a statement is refused with, however far it gets."""
    with pytest.raises(AWSError) as info:
        prepared(text, *parameters, surface=surface, **options)
    return info.value.message
