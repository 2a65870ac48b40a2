"""The parse tree of a PartiQL statement, as the parser produces it (nothing resolved yet).

PartiQL is one expression language: a SELECT or a DML statement is a term like any other, so
the nodes below nest freely and the statement rules (what DynamoDB runs) are checked later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Literal:
    kind: str
    """"string", "int", "decimal", "bool", "null" or "missing"."""
    value: Any = None


@dataclass(frozen=True, slots=True)
class Parameter:
    position: int
    """1-based, in the order the `?` appear in the statement."""


@dataclass(frozen=True, slots=True)
class Name:
    """A variable reference: an attribute or table name, `"quoted"` or not."""

    text: str


@dataclass(frozen=True, slots=True)
class Step:
    kind: str
    """"name" (`.x`), "expr" (`[e]`), "wildcard" (`[*]`) or "unpivot" (`.*`)."""
    value: Any = None


@dataclass(frozen=True, slots=True)
class Path:
    root: Any
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    """Lower-cased."""
    args: tuple[Any, ...]
    star: bool = False


@dataclass(frozen=True, slots=True)
class Unary:
    op: str
    operand: Any


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True, slots=True)
class Between:
    value: Any
    low: Any
    high: Any
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Is:
    value: Any
    type_name: str
    """SQL type as DynamoDB names it: MISSING, NULL, BOOLEAN, STRING, INTEGER ..."""
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Collection:
    kind: str
    """"list" (`[...]`, `(a, b)`), "bag" (`<<...>>`) or "sexp"."""
    items: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Struct:
    fields: tuple[tuple[Any, Any], ...]


# -- statements ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """A FROM source: `expr` is the table (and index) path."""

    expr: Any
    aliased: bool = False
    joined: bool = False


@dataclass(frozen=True, slots=True)
class ProjectAll:
    """`a.*` in a select list."""

    path: Any


@dataclass(frozen=True, slots=True)
class SelectItem:
    expr: Any
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class OrderItem:
    expr: Any
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Select:
    items: tuple[SelectItem, ...]
    """Empty for `SELECT *`."""
    source: Source
    where: Any = None
    order_by: tuple[OrderItem, ...] = ()
    distinct: bool = False
    value: Any = None
    """The expression of `SELECT VALUE`."""
    clauses: tuple[str, ...] = ()
    """Clauses DynamoDB does not run: "GROUP BY", "HAVING", "LIMIT", "OFFSET"."""


@dataclass(frozen=True, slots=True)
class Returning:
    elements: tuple[tuple[str, Any], ...]
    """(mapping, column): mapping is all_old, all_new, modified_old or modified_new; the
    column is None for `*`."""


@dataclass(frozen=True, slots=True)
class Assign:
    target: Any
    value: Any


@dataclass(frozen=True, slots=True)
class Remove:
    target: Any


@dataclass(frozen=True, slots=True)
class Delete:
    pass


@dataclass(frozen=True, slots=True)
class InsertValue:
    target: Any
    value: Any
    position: Any = None
    on_conflict: bool = False
    returning: Returning | None = None


@dataclass(frozen=True, slots=True)
class InsertQuery:
    """`INSERT INTO t <expression>`: inserting a whole collection."""

    target: Any
    values: Any


@dataclass(frozen=True, slots=True)
class Dml:
    """UPDATE, DELETE, `FROM ... SET` and bare INSERT/SET/REMOVE operations."""

    ops: tuple[Any, ...]
    source: Source | None = None
    where: Any = None
    returning: Returning | None = None
