"""The legacy parameters: Expected + ConditionalOperator, AttributeUpdates, AttributesToGet.

They become the same bound objects the expressions produce (a Condition, an update with
`apply`/`attribute_names`, a Projection), after the validation DynamoDB applies to them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from tidal.core.errors import ValidationException
from tidal.dynamodb.types import INVALID, TYPES, check_nesting, validate_value

from .conditions import (
    Condition,
    begins_with,
    between,
    contains,
    not_equal,
    ordered,
)
from .paths import DocPath
from .projection import Projection
from .values import (
    SET_TYPES,
    Value,
    add_numbers,
    equal,
    set_difference,
    set_union,
    sort_key,
    type_of,
)

Item = dict[str, Any]
Check = Callable[[Value | None, list[Value]], bool]

_SCALARS = frozenset(("S", "N", "B"))

# ComparisonOperator -> (allowed AttributeValueList lengths, allowed value types, test)
_OPERATORS: dict[str, tuple[Callable[[int], bool], frozenset[str], Check]] = {
    "EQ": (lambda n: n == 1, TYPES, lambda a, v: equal(a, v[0])),
    "NE": (lambda n: n == 1, TYPES, lambda a, v: not_equal(a, v[0])),
    "LE": (lambda n: n == 1, _SCALARS, lambda a, v: ordered(operator.le, a, v[0])),
    "LT": (lambda n: n == 1, _SCALARS, lambda a, v: ordered(operator.lt, a, v[0])),
    "GE": (lambda n: n == 1, _SCALARS, lambda a, v: ordered(operator.ge, a, v[0])),
    "GT": (lambda n: n == 1, _SCALARS, lambda a, v: ordered(operator.gt, a, v[0])),
    "NOT_NULL": (lambda n: n == 0, TYPES, lambda a, v: a is not None),
    "NULL": (lambda n: n == 0, TYPES, lambda a, v: a is None),
    "CONTAINS": (lambda n: n == 1, _SCALARS, lambda a, v: contains(a, v[0])),
    "NOT_CONTAINS": (lambda n: n == 1, _SCALARS, lambda a, v: not contains(a, v[0])),
    "BEGINS_WITH": (lambda n: n == 1, frozenset(("S", "B")), lambda a, v: begins_with(a, v[0])),
    "IN": (lambda n: n >= 1, _SCALARS, lambda a, v: any(equal(a, c) for c in v)),
    "BETWEEN": (lambda n: n == 2, _SCALARS, lambda a, v: between(a, v[0], v[1])),
}
_OPERATOR_ENUM = (
    "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"
)
_ADDABLE = frozenset(("N", "SS", "NS", "BS", "L"))
_TYPE_MISMATCH = "Type mismatch for attribute to update"


def _invalid(message: str) -> ValidationException:
    return ValidationException(INVALID + message)


# -- Expected -----------------------------------------------------------------------------


def legacy_condition(expected: dict[str, Any], conditional_operator: str | None) -> Condition:
    """Expected (+ ConditionalOperator) as a Condition; raises ValidationException."""
    tests = [_expected_test(name, spec) for name, spec in expected.items()]
    if conditional_operator is not None:
        if conditional_operator not in ("AND", "OR"):
            raise ValidationException(
                f"1 validation error detected: Value '{conditional_operator}' at "
                "'conditionalOperator' failed to satisfy constraint: "
                "Member must satisfy enum value set: [AND, OR]"
            )
        if not tests:
            raise ValidationException(
                "ConditionalOperator cannot be used without Filter or Expected"
            )
        if len(tests) == 1:
            raise ValidationException(
                "ConditionalOperator can only be used when Filter or Expected has two or more "
                "elements"
            )
    combine = any if conditional_operator == "OR" else all
    return Condition(lambda item: combine(test(item) for test in tests))


def _expected_test(name: str, spec: Any) -> Callable[[Item], bool]:
    if not isinstance(spec, dict):
        raise _invalid(f"ExpectedAttributeValue must not be null for Attribute: {name}")
    exists = spec.get("Exists")
    value = spec.get("Value")
    values = spec.get("AttributeValueList")
    comparison = spec.get("ComparisonOperator")
    if exists is not None and comparison is not None:
        raise _invalid(
            f"Exists and ComparisonOperator cannot be used together for Attribute: {name}"
        )
    if value is not None and values is not None:
        raise _invalid(
            f"Value and AttributeValueList cannot be used together for Attribute: {name}"
        )
    if comparison is None and values is not None:
        raise _invalid(
            f"AttributeValueList can only be used with a ComparisonOperator for Attribute: {name}"
        )
    if exists is False and value is not None:
        raise _invalid(f"Value cannot be used when Exists is false for Attribute: {name}")
    if value is None and values is None:
        if comparison is not None:
            if comparison not in ("NULL", "NOT_NULL"):
                raise _invalid(
                    "Value or AttributeValueList must be used with ComparisonOperator: "
                    f"{comparison} for Attribute: {name}"
                )
        elif exists is None:
            raise _invalid(f"Value must be provided when Exists is null for Attribute: {name}")
        elif exists:
            raise _invalid(f"Value must be provided when Exists is true for Attribute: {name}")
    if comparison is None:
        if exists is False:
            return lambda item: name not in item
        expected_value = validate_value(value)
        return lambda item: equal(item.get(name), expected_value)
    if value is not None:
        values = [value]
    elif not isinstance(values, list):
        values = [] if values is None else [values]
    arguments = [validate_value(v) for v in values]
    check = _comparison(comparison, arguments, f"expected.{name}.member.comparisonOperator")
    return lambda item: check(item.get(name), arguments)


def _comparison(comparison: Any, arguments: list[Value], location: str) -> Check:
    if not isinstance(comparison, str) or comparison not in _OPERATORS:
        raise ValidationException(
            f"1 validation error detected: Value '{comparison}' at '{location}' failed to "
            f"satisfy constraint: Member must satisfy enum value set: {_OPERATOR_ENUM}"
        )
    count_ok, types, check = _OPERATORS[comparison]
    if not count_ok(len(arguments)):
        raise _invalid(f"Invalid number of argument(s) for the {comparison} ComparisonOperator")
    first = type_of(arguments[0]) if arguments else None
    for argument in arguments:
        kind = type_of(argument)
        if kind not in types:
            raise _invalid(
                f"ComparisonOperator {comparison} is not valid for {kind} AttributeValue type"
            )
        if kind != first:
            raise _invalid("AttributeValues inside AttributeValueList must be of same type")
    if comparison == "BETWEEN":
        low, high = sort_key(arguments[0]), sort_key(arguments[1])
        if low is not None and high is not None and low[1] > high[1]:
            raise ValidationException(
                "The BETWEEN condition was provided a range where the lower bound is greater "
                "than the upper bound"
            )
    return check


# -- AttributeUpdates ---------------------------------------------------------------------


class LegacyUpdate:
    """AttributeUpdates bound for applying; the same interface as an update expression's."""

    __slots__ = ("_updates", "paths")

    def __init__(self, updates: list[tuple[str, str, Value | None]]) -> None:
        self._updates = updates
        self.paths: list[DocPath] = [(name,) for name, _, _ in updates]

    def attribute_names(self) -> set[str]:
        return {name for name, _, _ in self._updates}

    def apply(self, item: Item, *, item_exists: bool = True) -> tuple[Item, list[DocPath]]:
        """The updated item and the attributes written; `item` itself is left untouched.

        `item_exists` is accepted for parity with update expressions; it changes nothing here.
        """
        result = dict(item)
        for name, action, value in self._updates:
            existing = result.get(name)
            if action == "PUT":
                check_nesting(value, 1)  # type: ignore[arg-type]
                result[name] = value
            elif action == "ADD":
                result[name] = _legacy_add(existing, value)  # type: ignore[arg-type]
            elif value is None:
                result.pop(name, None)
            elif existing is not None:
                kind = type_of(value)
                if type_of(existing) != kind:
                    raise ValidationException(_TYPE_MISMATCH)
                remaining = set_difference(kind, existing[kind], value[kind])
                if remaining:
                    result[name] = {kind: remaining}
                else:
                    del result[name]
        return result, list(self.paths)


def _legacy_add(existing: Value | None, value: Value) -> Value:
    kind = type_of(value)
    if existing is None:
        return value
    if type_of(existing) != kind:
        raise ValidationException(_TYPE_MISMATCH)
    if kind == "N":
        return {"N": add_numbers(existing["N"], value["N"])}
    if kind == "L":
        return {"L": existing["L"] + value["L"]}
    return {kind: set_union(kind, existing[kind], value[kind])}


def legacy_update(attribute_updates: dict[str, Any]) -> LegacyUpdate:
    """AttributeUpdates (PUT/ADD/DELETE with Value) for applying; raises ValidationException."""
    updates: list[tuple[str, str, Value | None]] = []
    for name, spec in attribute_updates.items():
        if not isinstance(spec, dict):
            raise ValidationException(
                f"Supplied AttributeValueUpdate is empty, must contain one of the supported "
                f"actions: {name} is null"
            )
        action = spec.get("Action") or "PUT"
        if action not in ("PUT", "ADD", "DELETE"):
            raise ValidationException(
                f"1 validation error detected: Value '{action}' at "
                f"'attributeUpdates.{name}.member.action' failed to satisfy constraint: "
                "Member must satisfy enum value set: [ADD, PUT, DELETE]"
            )
        value = spec.get("Value")
        if value is not None:
            value = validate_value(value)
        if value is None and action != "DELETE":
            raise _invalid("Only DELETE action is allowed when no attribute value is specified")
        kind = type_of(value) if value is not None else None
        if action == "DELETE" and kind is not None and kind not in SET_TYPES:
            raise _invalid(f"DELETE action with value is not supported for the type {kind}")
        if action == "ADD" and kind not in _ADDABLE:
            raise _invalid(f"ADD action is not supported for the type {kind}")
        updates.append((name, action, value))
    return LegacyUpdate(updates)


# -- AttributesToGet ----------------------------------------------------------------------


def legacy_projection(attributes_to_get: list[str]) -> Projection:
    """AttributesToGet as a Projection of top-level attributes; raises ValidationException."""
    seen: set[str] = set()
    for name in attributes_to_get:
        if name in seen:
            raise _invalid(f"Duplicate value in attribute name: {name}")
        seen.add(name)
    return Projection([(name,) for name in attributes_to_get])
