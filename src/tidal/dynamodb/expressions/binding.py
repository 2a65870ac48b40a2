"""What every binder shares: resolving `#name` and `:value` placeholders against a request's
ExpressionAttributeNames/Values while collecting errors the way AWS ranks them."""

from __future__ import annotations

from typing import Any, Protocol

from . import ast
from .errors import PATH_TOO_DEEP, RESERVED, UNDEFINED_NAME, UNDEFINED_VALUE, FirstErrors
from .paths import DocPath
from .reserved import is_reserved

CONDITION_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
    "size": 1,
}
UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
MAX_PATH_LEVELS = 32


class Resolver(Protocol):
    def resolve_name(self, ref: str) -> str | None: ...

    def resolve_value(self, ref: str) -> dict[str, Any] | None: ...


class Binder:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.errors = FirstErrors()

    def report(self, slot: str, message: str) -> None:
        self.errors.add(slot, message)

    def path(self, node: ast.Path, missing_slot: str) -> DocPath | None:
        """The path with placeholders resolved, or None if one is not defined.

        A path deeper than an item can nest is reported with the undefined placeholders.
        """
        resolved: list[str | int] = []
        complete = True
        if len(node.elements) > MAX_PATH_LEVELS:
            self.report(missing_slot, PATH_TOO_DEEP.format(len(node.elements)))
        for element in node.elements:
            if type(element) is int:
                resolved.append(element)
            elif element.startswith("#"):  # type: ignore[union-attr]
                name = self.resolver.resolve_name(element)  # type: ignore[arg-type]
                if name is None:
                    self.report(missing_slot, UNDEFINED_NAME.format(element))
                    complete = False
                else:
                    resolved.append(name)
            else:
                if is_reserved(element):  # type: ignore[arg-type]
                    self.report("reserved", RESERVED.format(element))
                resolved.append(element)
        return tuple(resolved) if complete else None

    def value(self, node: ast.ValueRef, missing_slot: str) -> dict[str, Any] | None:
        value = self.resolver.resolve_value(node.name)
        if value is None:
            self.report(missing_slot, UNDEFINED_VALUE.format(node.name))
        return value
