"""Syntax trees of all expression kinds, as the parser produces them (placeholders unresolved).

Trees are immutable so one parse can be cached and bound to many requests. A path element is
a written name (`"a"`), a `#placeholder` (`"#a"`; written names never start with `#`) or a
list index (`int`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Path:
    elements: tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ValueRef:
    name: str


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class Arith:
    op: str
    left: Operand
    right: Operand


Operand = Path | ValueRef | Call | Arith


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class Between:
    value: Operand
    low: Operand
    high: Operand


@dataclass(frozen=True, slots=True)
class In:
    value: Operand
    choices: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


Condition = Compare | Between | In | And | Or | Not | Call


@dataclass(frozen=True, slots=True)
class Action:
    """One update action: `clause` is SET, REMOVE, ADD or DELETE; `value` is None for REMOVE."""

    clause: str
    path: Path
    value: Operand | None


@dataclass(frozen=True, slots=True)
class Update:
    clauses: tuple[str, ...]
    """Clause keywords in the order written (duplicates kept: binding reports them)."""
    actions: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class Projection:
    paths: tuple[Path, ...]
