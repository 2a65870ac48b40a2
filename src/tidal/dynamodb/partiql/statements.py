"""What a parsed statement asks DynamoDB to do: a read (`Read`, or `Get` of one item in a
batch or transaction) or a single-item write (`Write`), checked the way DynamoDB checks it,
in its order: the statement's own shape, its expressions, then the table and its key.

`surface` is where the statement runs: "statement" (ExecuteStatement), "batch" or
"transaction"; some rules differ between them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tidal.core.errors import ValidationException
from tidal.dynamodb import types
from tidal.dynamodb.expressions import Condition, Projection, Update
from tidal.dynamodb.item_keys import (
    check_index_keys,
    item_key,
    refuse_nested_key_paths,
    request_key,
)
from tidal.dynamodb.items import ITEM_TOO_LARGE, MAX_ITEM_SIZE, check_update_targets
from tidal.dynamodb.reads import key_types
from tidal.dynamodb.schema import Index, Table

from . import ast
from .access import KeyRange, attribute_names, plan_access
from .errors import MISSING_KEY_EQUALITY
from .parser import parameter_count
from .sources import index_named, source_components, table_name
from .translate import Piece, SelectList, Translator, and_text, flatten_and
from .values import Parameters, Value, attribute_name, identifier_of, is_value, literal

RETURN_VALUES = {
    "all_old": "ALL_OLD",
    "all_new": "ALL_NEW",
    "modified_old": "UPDATED_OLD",
    "modified_new": "UPDATED_NEW",
}
RETURNING_TEXT = {
    "ALL_NEW": "ALL NEW *",
    "UPDATED_OLD": "MODIFIED OLD *",
    "UPDATED_NEW": "MODIFIED NEW *",
}
SELECT_WITHOUT_KEY = {
    "batch": "Select statements within BatchExecuteStatement must specify the primary key in "
    "the where clause.",
    "transaction": "Select statements within ExecuteTransaction must specify the primary key "
    "in the where clause.",
}
CHECK_WITHOUT_KEY = "EXISTS() must contain a single item read with additional condition"

Tables = Callable[[str], Table]


@dataclass(slots=True)
class Read:
    """A SELECT run by ExecuteStatement: a query of some partitions, or a scan."""

    table: Table
    index: Index | None
    condition: Condition | None
    condition_names: list[str]
    """The attributes the WHERE clause reads."""
    projection: SelectList | None
    partitions: list[Value] | None
    """Hash key values to read, in order; None to scan."""
    key_range: KeyRange | None
    descending: bool
    consistent: bool


@dataclass(slots=True)
class Get:
    """A SELECT of one item by its full key (in a batch or a transaction)."""

    table: Table
    key: dict[str, Value]
    stored: tuple[bytes, bytes]
    projection: Projection | None
    consistent: bool


@dataclass(slots=True)
class Write:
    action: str
    """"insert", "update", "delete" or "check" (EXISTS in a transaction)."""
    table: Table
    key: dict[str, Value]
    stored: tuple[bytes, bytes]
    item: dict[str, Value] | None = None
    condition: Condition | None = None
    update: Update | None = None
    return_values: str = "NONE"
    on_failure: str | None = None
    """ReturnValuesOnConditionCheckFailure."""


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a request, with its own options."""

    text: str
    parameters: list[Value] | None = None
    consistent_read: bool = False
    on_failure: str | None = None


def kind_of(node: Any) -> str:
    """The kind of statement: select, insert, update, delete, exists, insert_query (INSERT of a
    collection) or other (an expression that is no statement)."""
    if isinstance(node, ast.Select):
        return "select"
    if isinstance(node, ast.Dml):
        first = node.ops[0]
        if isinstance(first, ast.InsertValue):
            return "insert"
        if isinstance(first, ast.Delete):
            return "delete"
        if isinstance(first, ast.InsertQuery):
            return "insert_query"
        return "update"
    if isinstance(node, ast.Call) and node.name == "exists":
        return "exists"
    return "other"


def prepare(node: Any, statement: Statement, tables: Tables, surface: str) -> Read | Get | Write:
    """What a statement of a supported kind does; raises the AWS error that refuses it."""
    kind = kind_of(node)
    translator = Translator(Parameters(statement.parameters, parameter_count(statement.text)))
    if kind == "select":
        return _select(node, statement, translator, tables, surface)
    if kind == "insert":
        return _insert(node, statement, translator, tables)
    if kind == "update":
        return _update(node, statement, translator, tables)
    if kind == "delete":
        return _delete(node, statement, translator, tables)
    return _exists(node, statement, translator, tables)


# -- SELECT -------------------------------------------------------------------------------


def _select(
    node: ast.Select, statement: Statement, translator: Translator, tables: Tables, surface: str
) -> Read | Get:
    if node.clauses:
        raise ValidationException(f"Unsupported clause: {node.clauses[0]}")
    if node.distinct:
        raise ValidationException("Unsupported token in expression: DISTINCT")
    components = source_components(node.source)
    if node.value is not None:
        raise ValidationException("Select projection doesn't support value or pivot keywords")
    projection = translator.projection(node.items) if node.items else None
    pieces = translator.conjuncts(node.where) if node.where is not None else []
    condition = translator.bind_condition(and_text(pieces)) if pieces else None
    if len(components) == 2 and surface == "transaction":
        raise ValidationException("Reads on indices are not supported within transactions.")
    table = tables(components[0])
    index = index_named(table, components[1]) if len(components) == 2 else None
    if index is not None and index.is_global and statement.consistent_read:
        raise ValidationException(
            "Strongly consistent read is not supported on Global Secondary Indexes"
        )
    if surface != "statement":
        if index is not None:
            raise ValidationException(SELECT_WITHOUT_KEY[surface])
        return _get(node, statement, translator, table, pieces, projection, surface)
    nodes = flatten_and(node.where) if node.where is not None else []
    access = plan_access(table, index, nodes, node.order_by, translator, projection)
    return Read(
        table,
        index,
        condition,
        attribute_names(node.where) if node.where is not None else [],
        SelectList(projection.paths) if projection is not None else None,
        access.partitions,
        access.key_range,
        access.descending,
        statement.consistent_read,
    )


def _get(
    node: ast.Select,
    statement: Statement,
    translator: Translator,
    table: Table,
    pieces: list[Piece],
    projection: Projection | None,
    surface: str,
) -> Get:
    nodes = flatten_and(node.where) if node.where is not None else []
    try:
        key, remaining = _extract_key(table, nodes, pieces, translator, duplicates="refuse")
    except ValidationException:
        raise ValidationException(SELECT_WITHOUT_KEY[surface]) from None
    if remaining:
        raise ValidationException(SELECT_WITHOUT_KEY[surface])
    _check_key_types(table, key)
    if projection is not None:
        refuse_nested_key_paths(table, projection.paths)
    return Get(table, key, request_key(table, key), projection, statement.consistent_read)


# -- writes -------------------------------------------------------------------------------


def _insert(node: ast.Dml, statement: Statement, translator: Translator, tables: Tables) -> Write:
    op: ast.InsertValue = node.ops[0]
    if node.source is not None or node.where is not None:
        raise ValidationException("Unsupported FROM ... WHERE ... clause in INSERT statement.")
    if op.position is not None:
        raise ValidationException("AT is not supported in insert statements.")
    if op.on_conflict:
        raise ValidationException("Unsupported clause: ON CONFLICT")
    item = _item(op.value, translator)
    if not isinstance(op.target, ast.Name):
        raise ValidationException(
            "FROM clause may only contain a single table name in data manipulation statements"
        )
    table = tables(table_name(op.target.text))
    for name, expected in key_types(table.keys):
        if name not in item:
            raise ValidationException(f"Key attribute should be present in the item: Key {name}")
        if next(iter(item[name])) != expected:
            raise ValidationException(
                "Key attribute's data type should match its data type in table's schema: "
                f"Key {name}"
            )
    if _return_values(op.returning or node.returning, "insert") != "NONE":
        raise ValidationException("RETURNING is not supported in INSERT")
    item = types.validate_item(item)
    if types.item_size(item) > MAX_ITEM_SIZE:
        raise ValidationException(ITEM_TOO_LARGE)
    stored = item_key(table, item)
    check_index_keys(table, item)
    key = {name: item[name] for name in table.keys.names}
    return Write("insert", table, key, stored, item=item, on_failure=statement.on_failure)


def _item(node: Any, translator: Translator) -> dict[str, Value]:
    if not isinstance(node, ast.Struct):
        raise ValidationException(
            "Unsupported format in item expression. Please use struct format {...} to express "
            "item values for insert statement."
        )
    item: dict[str, Value] = {}
    for key, value in node.fields:
        name = attribute_name(key, "root")
        if is_value(value):
            converted = literal(value)
        elif isinstance(value, ast.Parameter):
            converted = translator.value_of(value)
        else:
            raise ValidationException(
                f"Unsupported data type: {identifier_of(value)} under key root"
            )
        if name in item:
            raise ValidationException(f"Duplicate keys in tuple. Key: {name} under root")
        item[name] = converted
    return item


def _update(node: ast.Dml, statement: Statement, translator: Translator, tables: Tables) -> Write:
    pieces = translator.conjuncts(node.where) if node.where is not None else []
    if pieces:
        translator.bind_condition(and_text(pieces))
    update = translator.bind_update(translator.update(node.ops))
    name = _dml_table(node)
    if node.where is None:
        raise ValidationException(MISSING_KEY_EQUALITY)
    table = tables(name)
    key, remaining = _extract_key(table, flatten_and(node.where), pieces, translator, "refuse")
    _check_key_types(table, key)
    exists = Piece(f"attribute_exists({translator.name(table.keys.hash_key)})", True)
    condition = translator.bind_condition(and_text([exists, *remaining]))  # type: ignore[arg-type]
    return_values = _return_values(node.returning, "update")
    check_update_targets(table, update)
    return Write(
        "update",
        table,
        key,
        request_key(table, key),
        condition=condition,
        update=update,
        return_values=return_values,
        on_failure=statement.on_failure,
    )


def _delete(node: ast.Dml, statement: Statement, translator: Translator, tables: Tables) -> Write:
    if node.where is None:
        raise ValidationException(MISSING_KEY_EQUALITY)
    pieces = translator.conjuncts(node.where)
    translator.bind_condition(and_text(pieces))
    table = tables(_dml_table(node))
    key, remaining = _extract_key(table, flatten_and(node.where), pieces, translator, "refuse")
    _check_key_types(table, key)
    text = and_text(remaining)
    condition = translator.bind_condition(text) if text else None
    return_values = _return_values(node.returning, "delete")
    if return_values not in ("NONE", "ALL_OLD"):
        raise ValidationException(
            f"Invalid returning clause: RETURNING {RETURNING_TEXT[return_values]}. "
            "Only RETURNING ALL OLD * is allowed in DELETE statements."
        )
    return Write(
        "delete",
        table,
        key,
        request_key(table, key),
        condition=condition,
        return_values=return_values,
        on_failure=statement.on_failure,
    )


def _exists(node: ast.Call, statement: Statement, translator: Translator, tables: Tables) -> Write:
    select = node.args[0]
    if select.clauses:
        raise ValidationException(f"Unsupported clause: {select.clauses[0]}")
    components = source_components(select.source)
    if len(components) != 1:
        raise ValidationException("Operations on indices are not supported in transactions")
    if select.where is None:
        raise ValidationException(CHECK_WITHOUT_KEY)
    pieces = translator.conjuncts(select.where)
    translator.bind_condition(and_text(pieces))
    table = tables(components[0])
    nodes = flatten_and(select.where)
    try:
        key, remaining = _extract_key(table, nodes, pieces, translator, duplicates="keep")
    except ValidationException:
        raise ValidationException(CHECK_WITHOUT_KEY) from None
    if not remaining:
        raise ValidationException(CHECK_WITHOUT_KEY)
    _check_key_types(table, key)
    condition = translator.bind_condition(and_text(remaining))
    stored = request_key(table, key)
    return Write("check", table, key, stored, condition=condition, on_failure=statement.on_failure)


def _dml_table(node: ast.Dml) -> str:
    if node.source is None:
        raise ValidationException("Only select from a single table or index is supported.")
    components = source_components(node.source)
    if len(components) > 1:
        raise ValidationException("This operation is not supported on an index")
    return components[0]


# -- keys ---------------------------------------------------------------------------------


def key_equality(node: Any, translator: Translator) -> tuple[str, Value] | None:
    """(attribute, value) of a `name = value` condition (either way round), else None."""
    if not (isinstance(node, ast.Binary) and node.op == "="):
        return None
    for name, value in ((node.left, node.right), (node.right, node.left)):
        if isinstance(name, ast.Name) and (is_value(value) or isinstance(value, ast.Parameter)):
            return name.text, translator.value_of(value)
    return None


def _extract_key(
    table: Table, nodes: list[Any], pieces: list[Piece], translator: Translator, duplicates: str
) -> tuple[dict[str, Value], list[Piece]]:
    """The key a WHERE clause pins with equalities, and the rest of its conditions.

    `duplicates` is "refuse" (a write: two different values for a key attribute are an error)
    or "keep" (EXISTS: the first equality is the key, later ones stay conditions).
    """
    key: dict[str, Value] = {}
    remaining = []
    for node, piece in zip(nodes, pieces, strict=True):
        found = key_equality(node, translator)
        if found is None or found[0] not in table.keys.names:
            remaining.append(piece)
            continue
        name, value = found
        if name in key:
            if duplicates == "keep":
                remaining.append(piece)
            elif key[name] != value:
                raise ValidationException(
                    f"Multiple conditions on same key {name}. "
                    "Only single item Update/Insert/Delete are supported"
                )
            continue
        key[name] = value
    if len(key) != len(table.keys.names):
        raise ValidationException(MISSING_KEY_EQUALITY)
    return key, remaining


def _check_key_types(table: Table, key: dict[str, Value]) -> None:
    for name, expected in key_types(table.keys):
        kind = next(iter(key[name]))
        if kind not in ("S", "N", "B"):
            raise ValidationException(
                f"Key value must be of type S, N, or B. Key name: {name}, Key type: {kind}"
            )
        if kind != expected:
            raise ValidationException(
                "Key attribute's data type should match its data type in table's schema: "
                f"Key {name}"
            )


def _return_values(returning: ast.Returning | None, action: str) -> str:
    if returning is None:
        return "NONE"
    if len(returning.elements) > 1:
        raise ValidationException(
            "Invalid syntax with multiple returning elements in RETURNING clause"
        )
    mapping, column = returning.elements[0]
    if column is not None:
        raise ValidationException(
            "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"
        )
    return RETURN_VALUES[mapping]
