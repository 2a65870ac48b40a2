"""FROM clauses: which table (and index) a statement names, with DynamoDB's checks."""

from __future__ import annotations

import re
from typing import Any

from tidal.core.errors import ValidationException
from tidal.dynamodb.schema import Index, Table

from . import ast
from .translate import path_element

_TABLE_NAME = re.compile(r"[a-zA-Z0-9_.-]{3,255}")


def source_components(source: ast.Source) -> list[str]:
    """[table] or [table, index] of a FROM source."""
    if source.joined:
        raise ValidationException("Only select from a single table or index is supported.")
    if source.aliased:
        raise ValidationException("Aliasing is not supported")
    expr = source.expr
    if isinstance(expr, ast.Name):
        names: list[Any] = [expr.text]
    elif isinstance(expr, ast.Path) and isinstance(expr.root, ast.Name):
        names = [expr.root.text, *(path_element(step) for step in expr.steps)]
    elif isinstance(expr, ast.Path) and isinstance(expr.root, ast.Collection):
        raise ValidationException("A path cannot start with a list index")
    elif isinstance(expr, ast.Path):
        raise ValidationException("Unexpected path component")
    else:
        raise ValidationException("Unexpected from source")
    for name in names:
        if name == "":
            raise ValidationException("Path component cannot be an empty string")
    if len(names) > 2:
        raise ValidationException("A path may contain at most 2 components in the FROM clause")
    for name in names:
        if not isinstance(name, str):
            raise ValidationException("Invalid list expression in source.")
        table_name(name)
    return names


def table_name(name: str) -> str:
    if not _TABLE_NAME.fullmatch(name):
        raise ValidationException(
            "Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', "
            "'0-9', '-', '_', '.'."
        )
    return name


def index_named(table: Table, name: str) -> Index:
    for index in table.indexes:
        if index.name == name:
            return index
    raise ValidationException("The table does not have the specified index")
