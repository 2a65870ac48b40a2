"""Projection expressions (and AttributesToGet, and UPDATED_OLD/UPDATED_NEW return values):
copying the requested document paths out of an item, nested the way they were in the item.

Projected list elements keep their order but not their positions: `a[2]` of a three-element
list comes back as a one-element list, as DynamoDB returns it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import ast
from .binding import Binder, Resolver
from .paths import DocPath, check_overlaps
from .values import Value

Item = dict[str, Any]
Tree = dict[str | int, Any]
"""Requested paths as a tree: each key maps to None (take the whole value) or a subtree."""

_ORDER = ("reserved", "attrNameVal", "pathOverlap", "pathConflict")


class Projection:
    """A projection bound to one request's placeholders."""

    __slots__ = ("_tree", "paths")

    def __init__(self, paths: list[DocPath]) -> None:
        self.paths = paths
        self._tree = _build_tree(paths)

    def apply(self, item: Item) -> Item:
        """The projected item (values are shared with `item`, not copied)."""
        return _project_item(item, self._tree)


def project_paths(item: Item, paths: Iterable[DocPath]) -> Item:
    """`item` reduced to `paths`, as a projection of them would return it."""
    return _project_item(item, _build_tree(paths))


def _build_tree(paths: Iterable[DocPath]) -> Tree:
    tree: Tree = {}
    for path in paths:
        node = tree
        for element in path[:-1]:
            child = node.get(element, {})
            if child is None:
                break
            node = node.setdefault(element, child)
        else:
            node[path[-1]] = None
    return tree


def _project_item(item: Item, tree: Tree) -> Item:
    result: Item = {}
    for name, subtree in tree.items():
        value = item.get(name)  # type: ignore[call-overload]
        if value is not None:
            projected = value if subtree is None else _project(value, subtree)
            if projected is not None:
                result[name] = projected  # type: ignore[index]
    return result


def _project(value: Value, tree: Tree) -> Value | None:
    members = value.get("M")
    if members is not None:
        found = {}
        for key, subtree in tree.items():
            if type(key) is str and key in members:
                projected = members[key] if subtree is None else _project(members[key], subtree)
                if projected is not None:
                    found[key] = projected
        return {"M": found} if found else None
    elements = value.get("L")
    if elements is not None:
        picked = []
        for index in sorted(k for k in tree if type(k) is int):
            if index < len(elements):
                subtree = tree[index]
                projected = (
                    elements[index] if subtree is None else _project(elements[index], subtree)
                )
                if projected is not None:
                    picked.append(projected)
        return {"L": picked} if picked else None
    return None


class ProjectionBinder(Binder):
    def bind(self, tree: ast.Projection) -> Projection:
        paths = [self.path(node, "attrNameVal") for node in tree.paths]
        resolved = [path for path in paths if path is not None]
        check_overlaps(resolved, self.errors)
        self.errors.raise_first(_ORDER)
        return Projection(resolved)


def bind_projection(tree: ast.Projection, resolver: Resolver) -> Projection:
    """Check `tree` against the request's placeholders; raises ExpressionError."""
    return ProjectionBinder(resolver).bind(tree)
