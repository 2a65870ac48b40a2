"""Update expressions: checking a parsed tree as DynamoDB does and applying it to an item.

An update applies entirely or not at all: every SET value is computed from the item as it was,
all paths are located before anything changes, and the changes go into copies of the touched
containers only, so the caller's item is never modified. List indexes refer to the list as it
was: removed elements go, replaced ones are replaced in place, and indexes past the end append
in index order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tidal.core.errors import ValidationException
from tidal.dynamodb.types import check_nesting

from . import ast
from .binding import CONDITION_FUNCTIONS, UPDATE_FUNCTIONS, Binder, Resolver
from .errors import MISUSED_FUNCTION, NEEDS_PATH, OPERAND_COUNT, OPERAND_TYPE, UNKNOWN_FUNCTION
from .paths import DocPath, check_overlaps, get_path
from .values import (
    LONG_NAMES,
    SET_TYPES,
    Value,
    add_numbers,
    set_difference,
    set_union,
    type_of,
)

Item = dict[str, Any]
Compute = Callable[[Item], Value]

_ORDER = (
    "reserved",
    "unknownFunction",
    "misusedFunction",
    "section",
    "attrName",
    "attrVal",
    "pathOverlap",
    "pathConflict",
    "operand",
    "function",
)
_ADDABLE = frozenset(("N", "SS", "NS", "BS"))

MISSING_ATTRIBUTE = "The provided expression refers to an attribute that does not exist in the item"
WRONG_TYPE = "An operand in the update expression has an incorrect data type"
INVALID_PATH = "The document path provided in the update expression is invalid for update"


class Update:
    """An update expression bound to one request's placeholders."""

    __slots__ = ("_actions", "paths")

    def __init__(self, actions: list[_Action]) -> None:
        self._actions = actions
        self.paths: list[DocPath] = [action.path for action in actions]
        """The document paths the update writes, in the order written."""

    def attribute_names(self) -> set[str]:
        """Top-level attributes the update writes (the caller refuses key attributes)."""
        return {action.path[0] for action in self._actions}  # type: ignore[misc]

    def apply(self, item: Item, *, item_exists: bool = True) -> tuple[Item, list[DocPath]]:
        """The updated item and the paths written; `item` itself is left untouched.

        `item_exists=False` says `item` only holds the key of an item that does not exist yet:
        DynamoDB then ignores a REMOVE whose parent path is missing instead of refusing it.
        """
        values = [
            action.compute(item) if action.compute else action.value for action in self._actions
        ]
        result = dict(item)
        fresh: set[int] = set()
        lists: dict[int, tuple[list[Value], list[tuple[_Action, int, Value | None]]]] = {}
        for action, value in zip(self._actions, values, strict=True):
            parent = _locate(result, action.path[:-1], fresh)
            leaf = action.path[-1]
            if parent is None or isinstance(parent, list) != (type(leaf) is int):
                if action.clause == "REMOVE" and not item_exists:
                    continue
                raise ValidationException(INVALID_PATH)
            if action.clause == "SET":
                check_nesting(value, len(action.path))  # type: ignore[arg-type]
            if isinstance(parent, list):
                lists.setdefault(id(parent), (parent, []))[1].append((action, leaf, value))  # type: ignore[arg-type]
            else:
                _apply_to_map(parent, leaf, action.clause, value)  # type: ignore[arg-type]
        for target, changes in lists.values():
            _apply_to_list(target, changes)
        return result, list(self.paths)


class _Action:
    __slots__ = ("clause", "compute", "path", "value")

    def __init__(
        self, clause: str, path: DocPath, compute: Compute | None, value: Value | None
    ) -> None:
        self.clause = clause
        self.path = path
        self.compute = compute
        self.value = value


def _locate(root: Item, path: DocPath, fresh: set[int]) -> dict[str, Value] | list[Value] | None:
    """The container (member map or list) at `path`, copied on the way so it can be changed."""
    container: dict[str, Value] | list[Value] = root
    for key in path:
        if isinstance(container, dict):
            child = container.get(key) if type(key) is str else None  # type: ignore[call-overload]
        else:
            child = container[key] if type(key) is int and key < len(container) else None  # type: ignore[index]
        if child is None:
            return None
        kind = type_of(child)
        if kind not in ("M", "L"):
            return None
        inner = child[kind]
        if id(inner) not in fresh:
            inner = dict(inner) if kind == "M" else list(inner)
            fresh.add(id(inner))
            container[key] = {kind: inner}  # type: ignore[index]
        container = inner
    return container


def _apply_to_map(members: dict[str, Value], key: str, clause: str, value: Value | None) -> None:
    if clause == "SET":
        members[key] = value  # type: ignore[assignment]
    elif clause == "REMOVE":
        members.pop(key, None)
    elif clause == "ADD":
        members[key] = _add(members.get(key), value)  # type: ignore[arg-type]
    else:
        remaining = _delete(members.get(key), value)  # type: ignore[arg-type]
        if remaining is None:
            members.pop(key, None)
        else:
            members[key] = remaining


def _apply_to_list(items: list[Value], changes: list[tuple[_Action, int, Value | None]]) -> None:
    size = len(items)
    replaced: dict[int, Value] = {}
    removed: set[int] = set()
    appended: list[tuple[int, Value]] = []
    for action, index, value in changes:
        clause = action.clause
        if index >= size:
            if clause == "SET":
                appended.append((index, value))  # type: ignore[arg-type]
            elif clause == "ADD":
                appended.append((index, _add(None, value)))  # type: ignore[arg-type]
        elif clause == "SET":
            replaced[index] = value  # type: ignore[assignment]
        elif clause == "REMOVE":
            removed.add(index)
        elif clause == "ADD":
            replaced[index] = _add(items[index], value)  # type: ignore[arg-type]
        else:
            remaining = _delete(items[index], value)  # type: ignore[arg-type]
            if remaining is None:
                removed.add(index)
            else:
                replaced[index] = remaining
    kept = [replaced.get(i, v) for i, v in enumerate(items) if i not in removed]
    appended.sort(key=lambda pair: pair[0])
    items[:] = kept + [v for _, v in appended]


def _add(existing: Value | None, value: Value) -> Value:
    kind = type_of(value)
    if existing is None:
        return value
    if type_of(existing) != kind:
        raise ValidationException(WRONG_TYPE)
    if kind == "N":
        return {"N": add_numbers(existing["N"], value["N"])}
    return {kind: set_union(kind, existing[kind], value[kind])}


def _delete(existing: Value | None, value: Value) -> Value | None:
    """The set left after removing `value`'s members; None when nothing is left."""
    if existing is None:
        return None
    kind = type_of(value)
    if type_of(existing) != kind:
        raise ValidationException(WRONG_TYPE)
    remaining = set_difference(kind, existing[kind], value[kind])
    return {kind: remaining} if remaining else None


# -- computing SET values -----------------------------------------------------------------


def _read(path: DocPath) -> Compute:
    def read(item: Item) -> Value:
        value = get_path(item, path)
        if value is None:
            raise ValidationException(MISSING_ATTRIBUTE)
        return value

    return read


def _constant(value: Value | None) -> Compute:
    return lambda item: value  # type: ignore[return-value]


def _arithmetic(op: str, left: Compute, right: Compute) -> Compute:
    def compute(item: Item) -> Value:
        a = left(item)
        if type_of(a) != "N":
            raise ValidationException(WRONG_TYPE)
        b = right(item)
        if type_of(b) != "N":
            raise ValidationException(WRONG_TYPE)
        return {"N": add_numbers(a["N"], b["N"], subtract=op == "-")}

    return compute


def _list_append(first: Compute, second: Compute) -> Compute:
    def compute(item: Item) -> Value:
        a = first(item)
        if type_of(a) != "L":
            raise ValidationException(WRONG_TYPE)
        b = second(item)
        if type_of(b) != "L":
            raise ValidationException(WRONG_TYPE)
        return {"L": a["L"] + b["L"]}

    return compute


def _if_not_exists(path: DocPath | None, fallback: Compute) -> Compute:
    def compute(item: Item) -> Value:
        value = get_path(item, path) if path else None  # type: ignore[arg-type]
        return fallback(item) if value is None else value

    return compute


# -- binding ------------------------------------------------------------------------------


class UpdateBinder(Binder):
    def bind(self, tree: ast.Update) -> Update:
        seen: set[str] = set()
        for clause in tree.clauses:
            if clause in seen:
                self.report(
                    "section",
                    f'The "{clause}" section can only be used once in an update expression;',
                )
            seen.add(clause)
        actions: list[_Action] = []
        targets: list[DocPath] = []
        for node in tree.actions:
            action = self.action(node)
            if action is not None:
                actions.append(action)
                targets.append(action.path)
        check_overlaps(targets, self.errors)
        self.errors.raise_first(_ORDER)
        return Update(actions)

    def action(self, node: ast.Action) -> _Action | None:
        path = self.path(node.path, "attrName")
        if node.clause == "SET":
            compute = self.compute(node.value, nested_in=None)  # type: ignore[arg-type]
            return None if path is None else _Action("SET", path, compute, None)
        if node.clause == "REMOVE":
            return None if path is None else _Action("REMOVE", path, None, None)
        value = self.value(node.value, "attrVal")  # type: ignore[arg-type]
        if value is not None:
            kind = type_of(value)
            allowed = _ADDABLE if node.clause == "ADD" else SET_TYPES
            if kind not in allowed:
                self.report(
                    "operand",
                    "Incorrect operand type for operator or function; "
                    f"operator: {node.clause}, operand type: {LONG_NAMES[kind]}",
                )
        return None if path is None else _Action(node.clause, path, None, value)

    def compute(self, node: ast.Operand, nested_in: str | None) -> Compute:
        if isinstance(node, ast.Path):
            path = self.path(node, "attrName")
            return _read(path) if path else _constant(None)
        if isinstance(node, ast.ValueRef):
            return _constant(self.value(node, "attrVal"))
        if isinstance(node, ast.Arith):
            left = self.compute(node.left, nested_in=node.op)
            right = self.compute(node.right, nested_in=node.op)
            self.require_literal(node.op, (node.left, node.right), "N")
            return _arithmetic(node.op, left, right)
        return self.call(node, nested_in)  # type: ignore[arg-type]

    def require_literal(self, name: str, args: tuple[ast.Operand, ...], kind: str) -> None:
        """A placeholder value given to `name` must be of type `kind` (paths are checked later)."""
        for arg in args:
            if isinstance(arg, ast.ValueRef):
                value = self.resolver.resolve_value(arg.name)
                if value is not None and type_of(value) != kind:
                    self.report("function", OPERAND_TYPE.format(name, type_of(value)))
                    return

    def call(self, node: ast.Call, nested_in: str | None) -> Compute:
        name = node.name
        args = [self.compute(arg, nested_in=name) for arg in node.args]
        if name not in UPDATE_FUNCTIONS and name not in CONDITION_FUNCTIONS:
            self.report("unknownFunction", UNKNOWN_FUNCTION.format(name))
            return _constant(None)
        if name in CONDITION_FUNCTIONS or (name == "list_append" and nested_in == name):
            self.report("misusedFunction", MISUSED_FUNCTION.format(name))
            return _constant(None)
        if len(args) != UPDATE_FUNCTIONS[name]:
            self.report("function", OPERAND_COUNT.format(name, len(args)))
            return _constant(None)
        if name == "list_append":
            self.require_literal(name, node.args, "L")
            return _list_append(args[0], args[1])
        first = node.args[0]
        if not isinstance(first, ast.Path):
            self.report("function", NEEDS_PATH.format(name))
            return _constant(None)
        return _if_not_exists(self.path(first, "attrName"), args[1])


def bind_update(tree: ast.Update, resolver: Resolver) -> Update:
    """Check `tree` against the request's placeholders and compile it; raises ExpressionError."""
    return UpdateBinder(resolver).bind(tree)
