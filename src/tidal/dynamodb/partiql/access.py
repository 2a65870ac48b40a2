"""How a SELECT reaches its items: the partitions its WHERE clause pins (with `=` or `IN` on
the partition key), the sort-key range within one of them, and the order asked for; or, when
no partition is pinned, a scan (as DynamoDB does: no error). The whole WHERE clause is still
applied to every item read, so the plan only decides which items are read (and paid for).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidal.core.errors import ValidationException
from tidal.dynamodb.expressions import Projection
from tidal.dynamodb.keys import encode_key
from tidal.dynamodb.reads import Source, refuse_unprojected
from tidal.dynamodb.schema import Index, Table

from . import ast
from .translate import COMPARATORS, Translator
from .values import Value, identifier_of, is_value

MIRRORED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
OPERATOR_NAMES = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}
SCHEMA_MISMATCH = "Key attribute's data type should match its data type in table's schema: Key {}"


@dataclass(frozen=True, slots=True)
class KeyRange:
    """The one condition on the sort key that narrows a partition's read."""

    operator: str
    """EQ, LT, LE, GT, GE, BETWEEN or BEGINS_WITH, with the key on the left."""
    values: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Access:
    partitions: list[Value] | None
    key_range: KeyRange | None
    descending: bool


def plan_access(
    table: Table,
    index: Index | None,
    conjuncts: list[Any],
    order_by: tuple[ast.OrderItem, ...],
    translator: Translator,
    projection: Projection | None,
) -> Access:
    keys = index.keys if index is not None else table.keys
    hash_descending, descending = _order(keys.names, keys.hash_key, conjuncts, order_by)
    partitions, hash_condition = _partitions(table, keys.hash_key, conjuncts, translator)
    if partitions is not None and hash_descending:
        partitions.reverse()
    key_range = None
    if partitions is not None and len(partitions) == 1 and keys.range_key:
        key_range = _key_range(table, keys.range_key, conjuncts, translator)
    source = Source(table, index)
    projected = source.projected()
    if index is not None and projected is not None and hash_condition:
        _refuse_unprojected_filters(index, keys.names, projected, conjuncts)
    if projection is not None:
        refuse_unprojected(source, projection.paths)
    return Access(partitions, key_range, descending)


def _order(
    key_names: tuple[str, ...],
    hash_key: str,
    conjuncts: list[Any],
    order_by: tuple[ast.OrderItem, ...],
) -> tuple[bool, bool]:
    """(hash descending, range descending) of an ORDER BY clause, after checking it."""
    if not order_by:
        return False, False
    if not conjuncts:
        raise ValidationException(
            "Must have WHERE clause in the statement when using ORDER BY clause."
        )
    if not any(_constrains(node, hash_key) for node in conjuncts):
        raise ValidationException(
            "Must have at least one non-optional hash key condition in WHERE clause when using "
            "ORDER BY clause."
        )
    hash_descending = range_descending = False
    for item in order_by:
        if not isinstance(item.expr, ast.Name):
            raise ValidationException(
                "Argument to ORDER BY must be of type VariableReference. "
                f"Type: {identifier_of(item.expr)}"
            )
        name = item.expr.text
        if name not in key_names:
            raise ValidationException(
                f"Variable reference {name} in ORDER BY clause must be part of the primary key"
            )
        if name == hash_key:
            hash_descending = item.descending
        else:
            range_descending = item.descending
    return hash_descending, range_descending


def _constrains(node: Any, name: str) -> bool:
    """Whether `node` holds only for items whose attribute `name` compares with a value."""
    if isinstance(node, ast.Binary) and node.op == "or":
        return _constrains(node.left, name) and _constrains(node.right, name)
    if isinstance(node, ast.Binary) and node.op == "and":
        return _constrains(node.left, name) or _constrains(node.right, name)
    if isinstance(node, ast.Binary) and (node.op in COMPARATORS or node.op == "in"):
        return _is_name(node.left, name) or _is_name(node.right, name)
    if isinstance(node, ast.Between):
        return _is_name(node.value, name)
    return False


def _partitions(
    table: Table, hash_key: str, conjuncts: list[Any], translator: Translator
) -> tuple[list[Value] | None, bool]:
    """The partition key values to read (None: scan), and whether the WHERE clause pins it."""
    found: list[list[Value]] = []
    for node in conjuncts:
        if _is_comparison(node, "=", hash_key):
            value = translator.value_of(_value_side(node, hash_key))
            if next(iter(value)) != table.attribute_types[hash_key]:
                raise ValidationException(SCHEMA_MISMATCH.format(hash_key))
            found.append([value])
        elif (
            isinstance(node, ast.Binary)
            and node.op == "in"
            and _is_name(node.left, hash_key)
            and isinstance(node.right, ast.Collection)
            and all(_is_value(item) for item in node.right.items)
        ):
            found.append([translator.value_of(item) for item in node.right.items])
    if len(found) != 1:
        return None, bool(found)
    kind = table.attribute_types[hash_key]
    unique = {}
    for value in found[0]:
        if next(iter(value)) == kind:
            unique.setdefault(encode_key(value), value)
    return [unique[encoded] for encoded in sorted(unique)], True


def _key_range(
    table: Table, range_key: str, conjuncts: list[Any], translator: Translator
) -> KeyRange | None:
    ranges = []
    for node in conjuncts:
        if isinstance(node, ast.Binary) and node.op in MIRRORED:
            if _is_comparison(node, node.op, range_key):
                operator = node.op if _is_name(node.left, range_key) else MIRRORED[node.op]
                value = translator.value_of(_value_side(node, range_key))
                ranges.append(KeyRange(OPERATOR_NAMES[operator], (value,)))
        elif (
            isinstance(node, ast.Between)
            and not node.negated
            and _is_name(node.value, range_key)
            and _is_value(node.low)
            and _is_value(node.high)
        ):
            bounds = (translator.value_of(node.low), translator.value_of(node.high))
            ranges.append(KeyRange("BETWEEN", bounds))
        elif (
            isinstance(node, ast.Call)
            and node.name == "begins_with"
            and len(node.args) == 2
            and _is_name(node.args[0], range_key)
            and _is_value(node.args[1])
        ):
            ranges.append(KeyRange("BEGINS_WITH", (translator.value_of(node.args[1]),)))
    if len(ranges) != 1:
        return None
    kind = table.attribute_types[range_key]
    if any(next(iter(value)) != kind for value in ranges[0].values):
        if ranges[0].operator == "BEGINS_WITH":
            return None
        raise ValidationException(SCHEMA_MISMATCH.format(range_key))
    return ranges[0]


def _refuse_unprojected_filters(
    index: Index, key_names: tuple[str, ...], projected: frozenset[str], conjuncts: list[Any]
) -> None:
    names: list[str] = []
    for node in conjuncts:
        used = attribute_names(node)
        if not set(used) <= set(key_names):
            names.extend(used)
    missing = _unprojected(names, projected)
    if missing:
        raise ValidationException(
            f"One or more parameter values were invalid: Secondary index {index.name} does not "
            f"project one or more filter attributes: [{', '.join(missing)}]"
        )


def _unprojected(names: list[str], projected: frozenset[str]) -> list[str]:
    return [name for name in dict.fromkeys(names) if name not in projected]


def attribute_names(node: Any) -> list[str]:
    """The top-level attributes an expression reads, in the order written."""
    if isinstance(node, ast.Name):
        return [node.text]
    if isinstance(node, ast.Path):
        return attribute_names(node.root)
    if isinstance(node, ast.Binary):
        return attribute_names(node.left) + attribute_names(node.right)
    if isinstance(node, ast.Unary):
        return attribute_names(node.operand)
    if isinstance(node, ast.Between):
        return [n for part in (node.value, node.low, node.high) for n in attribute_names(part)]
    if isinstance(node, ast.Is):
        return attribute_names(node.value)
    if isinstance(node, ast.Call | ast.Collection):
        parts = node.args if isinstance(node, ast.Call) else node.items
        return [name for part in parts for name in attribute_names(part)]
    return []


def _is_name(node: Any, name: str) -> bool:
    return isinstance(node, ast.Name) and node.text == name


def _is_value(node: Any) -> bool:
    return is_value(node) or isinstance(node, ast.Parameter)


def _is_comparison(node: Any, op: str, name: str) -> bool:
    if not (isinstance(node, ast.Binary) and node.op == op):
        return False
    return (_is_name(node.left, name) and _is_value(node.right)) or (
        _is_name(node.right, name) and _is_value(node.left)
    )


def _value_side(node: ast.Binary, name: str) -> Any:
    return node.right if _is_name(node.left, name) else node.left
