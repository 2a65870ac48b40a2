"""One request's expressions: its ExpressionAttributeNames/Values, and every expression of the
request bound to them, with the unused-placeholder check at the end."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from tidal.core.errors import ValidationException
from tidal.dynamodb.types import validate_value

from .conditions import Condition, bind_condition
from .errors import ExpressionError
from .keys import KeyCondition, bind_key_condition
from .parser import parse_condition, parse_projection, parse_update
from .projection import Projection, bind_projection
from .updates import Update, bind_update
from .values import Value

MAX_EXPRESSION_BYTES = 4096
MAX_NAME_KEY_BYTES = 255
"""A `#name` key, not the name it stands for (which may be longer)."""

_NAME_KEY = re.compile(r"#[A-Za-z0-9_]+\Z")
_VALUE_KEY = re.compile(r":[A-Za-z0-9_]+\Z")
_WHITESPACE = " \t\r\n"

Tree = TypeVar("Tree")
Bound = TypeVar("Bound")


class ExpressionContext:
    """Binds a request's expressions to its placeholders; raises ValidationException.

    The constructor validates the placeholder maps themselves; `finish()`, called once every
    expression of the request is bound, refuses placeholders that none of them used.
    """

    def __init__(self, names: dict[str, str] | None, values: dict[str, Value] | None) -> None:
        self._names = _checked_name_keys(names)
        self._values = _checked_values(values)
        _check_name_values(self._names)
        self._used_names: set[str] = set()
        self._used_values: set[str] = set()

    def resolve_name(self, ref: str) -> str | None:
        name = self._names.get(ref)
        if name is not None:
            self._used_names.add(ref)
        return name

    def resolve_value(self, ref: str) -> Value | None:
        value = self._values.get(ref)
        if value is not None:
            self._used_values.add(ref)
        return value

    def condition(self, text: str, kind: str = "ConditionExpression") -> Condition:
        """A ConditionExpression (or, with `kind="FilterExpression"`, a FilterExpression)."""
        return self._bind(text, kind, parse_condition, bind_condition)

    def update(self, text: str) -> Update:
        return self._bind(text, "UpdateExpression", parse_update, bind_update)

    def projection(self, text: str) -> Projection:
        return self._bind(text, "ProjectionExpression", parse_projection, bind_projection)

    def key_condition(self, text: str) -> KeyCondition:
        return self._bind(text, "KeyConditionExpression", parse_condition, bind_key_condition)

    def finish(self) -> None:
        unused_names = [key for key in self._names if key not in self._used_names]
        if unused_names:
            raise ValidationException(
                "Value provided in ExpressionAttributeNames unused in expressions: "
                f"keys: {{{', '.join(unused_names)}}}"
            )
        unused_values = [key for key in self._values if key not in self._used_values]
        if unused_values:
            raise ValidationException(
                "Value provided in ExpressionAttributeValues unused in expressions: "
                f"keys: {{{', '.join(unused_values)}}}"
            )

    def _bind(
        self,
        text: str,
        kind: str,
        parse: Callable[[str], Tree | ExpressionError],
        bind: Callable[[Tree, ExpressionContext], Bound],
    ) -> Bound:
        if not text.strip(_WHITESPACE):
            raise ValidationException(f"Invalid {kind}: The expression can not be empty;")
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_EXPRESSION_BYTES:
            raise ValidationException(
                f"Invalid {kind}: Expression size has exceeded the maximum allowed size; "
                f"expression size: {size}"
            )
        tree = parse(text)
        if isinstance(tree, ExpressionError):
            raise tree.for_kind(kind)
        try:
            return bind(tree, self)
        except ExpressionError as error:
            raise error.for_kind(kind) from None


def _checked_name_keys(names: dict[str, str] | None) -> dict[str, str]:
    if names is None:
        return {}
    if not names:
        raise ValidationException("ExpressionAttributeNames must not be empty")
    for key in names:
        size = len(key.encode("utf-8", "surrogatepass"))
        if size > MAX_NAME_KEY_BYTES:
            raise ValidationException(
                "ExpressionAttributeNames contains invalid key: The expression attribute map "
                f"contains a key that is too long; size of key: {size}"
            )
        if not _NAME_KEY.match(key):
            raise ValidationException(
                f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"'
            )
    return names


def _check_name_values(names: dict[str, str]) -> None:
    for key, name in names.items():
        if not isinstance(name, str) or not name:
            raise ValidationException(
                "ExpressionAttributeNames contains invalid value: "
                f"Empty attribute name for key {key}"
            )


def _checked_values(values: dict[str, Any] | None) -> dict[str, Value]:
    if values is None:
        return {}
    if not values:
        raise ValidationException("ExpressionAttributeValues must not be empty")
    for key in values:
        if not _VALUE_KEY.match(key):
            raise ValidationException(
                f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
            )
    checked = {}
    for key, value in values.items():
        try:
            checked[key] = validate_value(value)
        except ValidationException as error:
            raise ValidationException(
                f"ExpressionAttributeValues contains invalid value: {error.message} for key {key}"
            ) from None
    return checked
