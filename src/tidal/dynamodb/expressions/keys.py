"""Key condition expressions: parsed and checked like conditions, then reduced to one condition
per key attribute (`pk = :v`, `sk BETWEEN :a AND :b`, `begins_with(sk, :p)`, ...); and which
attributes a filter names, since a Query may not filter on its key attributes.

DynamoDB reports a key condition of the wrong shape only after the unused-placeholder check of
the whole request, so that problem is raised by `KeyCondition.terms()`, not when binding.
Which attributes are the table's keys, and the types of the values, are the Query's to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidal.core.errors import ValidationException

from . import ast
from .binding import Resolver
from .conditions import Condition, bind_condition
from .errors import ExpressionError
from .parser import parse_condition
from .paths import DocPath
from .values import Value

_REVERSED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_OPERATORS = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}
_NOT_ALLOWED = ("attribute_exists", "attribute_not_exists", "attribute_type", "contains")


@dataclass(frozen=True, slots=True)
class KeyTerm:
    """The condition on one key attribute, in the legacy KeyConditions vocabulary."""

    name: str
    operator: str
    """EQ, LT, LE, GT, GE, BETWEEN or BEGINS_WITH; with the attribute always on the left."""
    values: tuple[Value, ...]


class KeyCondition:
    """A key condition bound to one request's placeholders."""

    __slots__ = ("_problem", "_terms", "condition")

    def __init__(
        self, condition: Condition, terms: tuple[KeyTerm, ...], problem: str | None
    ) -> None:
        self.condition = condition
        self._terms = terms
        self._problem = problem

    def terms(self) -> tuple[KeyTerm, ...]:
        """One term per attribute named, in the order written; raises ValidationException if
        the expression is not a key condition (call it after `ExpressionContext.finish()`)."""
        if self._problem is not None:
            raise ValidationException(self._problem)
        return self._terms

    def term(self, name: str) -> KeyTerm | None:
        for term in self.terms():
            if term.name == name:
                return term
        return None

    def evaluate(self, item: dict[str, Any] | None) -> bool:
        return self.condition.evaluate(item)


def bind_key_condition(tree: ast.Condition, resolver: Resolver) -> KeyCondition:
    """Check `tree` as a condition (raises ExpressionError), then as a key condition."""
    condition = bind_condition(tree, resolver)
    terms: dict[str, KeyTerm] = {}
    try:
        _collect(tree, resolver, terms)
    except ExpressionError as error:
        return KeyCondition(condition, (), error.message)
    return KeyCondition(condition, tuple(terms.values()), None)


def _collect(node: Any, resolver: Resolver, terms: dict[str, KeyTerm]) -> None:
    if isinstance(node, ast.Or | ast.Not | ast.In) or (
        isinstance(node, ast.Compare) and node.op == "<>"
    ):
        word = {ast.Or: "OR", ast.Not: "NOT", ast.In: "IN"}.get(type(node), "<>")
        raise ExpressionError(f"Invalid operator used in KeyConditionExpression: {word}")
    if isinstance(node, ast.And):
        for item in node.items:
            _collect(item, resolver, terms)
        return
    if isinstance(node, ast.Call):
        if node.name in _NOT_ALLOWED:
            raise ExpressionError(f"Invalid operator used in KeyConditionExpression: {node.name}")
        if node.name == "size":
            raise ExpressionError("KeyConditionExpressions cannot contain nested operations")
        args = list(node.args)
        if not isinstance(args[0], ast.Path):
            raise ExpressionError(
                "Invalid condition in KeyConditionExpression: "
                f"{node.name} operator must have the key attribute as its first operand"
            )
        operator, mirrored = "BEGINS_WITH", None
    elif isinstance(node, ast.Between):
        args = [node.value, node.low, node.high]
        if not isinstance(node.value, ast.Path):
            raise ExpressionError(
                "Invalid condition in KeyConditionExpression: "
                "BETWEEN operator must have the key attribute as its first operand"
            )
        operator, mirrored = "BETWEEN", None
    else:
        args = [node.left, node.right]
        operator, mirrored = _OPERATORS[node.op], _OPERATORS[_REVERSED[node.op]]
    name: str | None = None
    position = 0
    values: list[Value] = []
    for index, arg in enumerate(args):
        if isinstance(arg, ast.Path):
            if name is not None:
                raise ExpressionError(
                    "Invalid condition in KeyConditionExpression: "
                    "Multiple attribute names used in one condition"
                )
            if len(arg.elements) > 1:
                raise ExpressionError(
                    "KeyConditionExpressions cannot have conditions on nested attributes"
                )
            name = _name(arg.elements[0], resolver)
            position = index
        elif isinstance(arg, ast.Call):
            _collect(arg, resolver, terms)
        else:
            values.append(resolver.resolve_value(arg.name))  # type: ignore[arg-type]
    if name is None:
        raise ExpressionError(
            "Invalid condition in KeyConditionExpression: No key attribute specified"
        )
    if name in terms:
        raise ExpressionError("KeyConditionExpressions must only contain one condition per key")
    if position and mirrored:
        operator = mirrored
    terms[name] = KeyTerm(name, operator, tuple(values))


def _name(element: str | int, resolver: Resolver) -> str:
    text = str(element)
    return (resolver.resolve_name(text) or text) if text.startswith("#") else text


def condition_paths(text: str, names: dict[str, str] | None) -> list[DocPath]:
    """The document paths a condition (a FilterExpression) names, `#placeholders` resolved.

    Call it once the condition is bound to the same names, so the text parses and every
    placeholder it uses is defined.
    """
    found: list[DocPath] = []
    _collect_paths(parse_condition(text), names or {}, found)
    return found


def _collect_paths(node: Any, names: dict[str, str], found: list[DocPath]) -> None:
    if isinstance(node, ast.Path):
        found.append(tuple(_resolved(element, names) for element in node.elements))
        return
    if isinstance(node, ast.And | ast.Or):
        children: tuple[Any, ...] = node.items
    elif isinstance(node, ast.Not):
        children = (node.item,)
    elif isinstance(node, ast.Compare | ast.Arith):
        children = (node.left, node.right)
    elif isinstance(node, ast.Between):
        children = (node.value, node.low, node.high)
    elif isinstance(node, ast.In):
        children = (node.value, *node.choices)
    elif isinstance(node, ast.Call):
        children = node.args
    else:
        return
    for child in children:
        _collect_paths(child, names, found)


def _resolved(element: str | int, names: dict[str, str]) -> str | int:
    if type(element) is str and element.startswith("#"):
        return names[element]
    return element
