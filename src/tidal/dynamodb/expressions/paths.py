"""Resolved document paths (tuples of attribute names and list indexes): reading, comparing,
printing as AWS prints them, and checking a set of paths for overlaps and conflicts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .errors import FirstErrors

DocPath = tuple[str | int, ...]
Getter = Callable[[dict[str, Any]], dict[str, Any] | None]


def format_path(path: DocPath) -> str:
    return "[" + ", ".join(f"[{e}]" if type(e) is int else str(e) for e in path) + "]"


def get_path(item: dict[str, Any], path: DocPath) -> dict[str, Any] | None:
    """The value at `path` in `item`, or None if any step is missing or of the wrong type."""
    value = item.get(path[0])  # type: ignore[call-overload]
    for element in path[1:]:
        if value is None:
            return None
        if type(element) is int:
            items = value.get("L")
            if items is None or element >= len(items):
                return None
            value = items[element]
        else:
            members = value.get("M")
            if members is None:
                return None
            value = members.get(element)
    return value


def make_getter(path: DocPath) -> Getter:
    if len(path) == 1:
        name = path[0]
        return lambda item: item.get(name)  # type: ignore[call-overload]
    return lambda item: get_path(item, path)


def check_overlaps(paths: Iterable[DocPath], errors: FirstErrors) -> None:
    """Record the first pair of paths that overlap (one contains the other) and the first pair
    that conflict (one indexes a list where the other names a map member)."""
    seen: list[DocPath] = []
    for path in paths:
        for earlier in seen:
            relation = _relation(earlier, path)
            if relation is not None:
                errors.add(
                    relation,
                    f"Two document paths {_WORDS[relation]} with each other; must remove or "
                    f"rewrite one of these paths; path one: {format_path(earlier)}, "
                    f"path two: {format_path(path)}",
                )
                if relation == "pathOverlap":
                    return
        seen.append(path)


_WORDS = {"pathOverlap": "overlap", "pathConflict": "conflict"}


def _relation(one: DocPath, two: DocPath) -> str | None:
    for a, b in zip(one, two, strict=False):
        if (type(a) is int) != (type(b) is int):
            return "pathConflict"
        if a != b:
            return None
    return "pathOverlap"
