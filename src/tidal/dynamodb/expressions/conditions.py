"""Condition and filter expressions: checking a parsed tree as DynamoDB does, then compiling it
into closures that test an item.

Checks follow DynamoDB's ranking: an unknown function name first, then a function used where
it is not allowed, then a reserved word, then the first condition (comparison, BETWEEN, IN or
function) that has a problem, reported by that condition's own ranking: an undefined
placeholder, a wrong number of operands, identical operands, a wrong operand type.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from tidal.dynamodb.types import TYPES

from . import ast
from .binding import CONDITION_FUNCTIONS, UPDATE_FUNCTIONS, Binder, Resolver
from .errors import MISUSED_FUNCTION, NEEDS_PATH, OPERAND_COUNT, OPERAND_TYPE, UNKNOWN_FUNCTION
from .paths import DocPath, Getter, format_path, make_getter
from .values import (
    SCALAR_ORDERED,
    SET_TYPES,
    Value,
    decode_b,
    describe,
    equal,
    set_contains,
    size_of,
    sort_key,
    type_of,
)

Test = Callable[[dict[str, Any]], bool]

MAX_IN_OPERANDS = 100
_ORDER = ("unknownFunction", "misusedFunction", "reserved", "condition")
_LEAF_ORDER = ("attrNameVal", "operand", "distinct", "function")
_LEAF_SLOTS = frozenset(_LEAF_ORDER)
_ORDERED = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_STRING_OR_BINARY = frozenset(("S", "B"))
_ANY_TYPE = "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"
_EMPTY: dict[str, Any] = {}


class Condition:
    """A condition bound to one request's placeholders."""

    __slots__ = ("_test",)

    def __init__(self, test: Test) -> None:
        self._test = test

    def evaluate(self, item: dict[str, Any] | None) -> bool:
        """Whether `item` satisfies the condition; None or {} stands for "no item"."""
        return self._test(item or _EMPTY)


# -- evaluation primitives (shared with the legacy Expected/ComparisonOperator forms) --------


def not_equal(a: Value | None, b: Value | None) -> bool:
    return not equal(a, b)


def ordered(test: Callable[[Any, Any], bool], a: Value | None, b: Value | None) -> bool:
    """An ordering comparison: false for missing values, different types, or unordered types."""
    if a is None or b is None:
        return False
    ka = sort_key(a)
    kb = sort_key(b)
    return ka is not None and kb is not None and ka[0] == kb[0] and test(ka[1], kb[1])


def between(a: Value | None, low: Value | None, high: Value | None) -> bool:
    return ordered(operator.ge, a, low) and ordered(operator.le, a, high)


def begins_with(a: Value | None, prefix: Value | None) -> bool:
    if a is None or prefix is None:
        return False
    kind = type_of(a)
    if kind != type_of(prefix):
        return False
    if kind == "S":
        return a["S"].startswith(prefix["S"])
    if kind == "B":
        return decode_b(a["B"]).startswith(decode_b(prefix["B"]))
    return False


def contains(a: Value | None, element: Value | None) -> bool:
    """Substring of a string or binary, member of a set, or element of a list."""
    if a is None or element is None:
        return False
    kind = type_of(a)
    if kind == "S":
        return type_of(element) == "S" and element["S"] in a["S"]
    if kind == "B":
        return type_of(element) == "B" and decode_b(element["B"]) in decode_b(a["B"])
    if kind in SET_TYPES:
        return set_contains(kind, a[kind], element)
    if kind == "L":
        return any(equal(member, element) for member in a["L"])
    return False


def size_value(value: Value | None) -> Value | None:
    size = size_of(value)
    return None if size is None else {"N": str(size)}


# -- binding ------------------------------------------------------------------------------


class Operand:
    """A bound operand: how to read it from an item, plus what binding knows statically.

    `kind` is "path", "value" or the name of the function producing it; `known_type` is the
    type binding can tell (a placeholder value's, or N for size()).
    """

    __slots__ = ("get", "kind", "known_type", "path", "value")

    def __init__(
        self,
        kind: str,
        get: Getter,
        path: DocPath | None = None,
        value: Value | None = None,
        known_type: str | None = None,
    ) -> None:
        self.kind = kind
        self.get = get
        self.path = path
        self.value = value
        self.known_type = known_type


def _missing(item: dict[str, Any]) -> None:
    return None


def _type(value: Value | None) -> str | None:
    return None if value is None else type_of(value)


class ConditionBinder(Binder):
    def __init__(self, resolver: Resolver) -> None:
        super().__init__(resolver)
        self.leaf: dict[str, str] = {}

    def report(self, slot: str, message: str) -> None:
        if slot in _LEAF_SLOTS:
            self.leaf.setdefault(slot, message)
        else:
            self.errors.add(slot, message)

    def bind(self, tree: ast.Condition) -> Condition:
        test = self.condition(tree)
        self.errors.raise_first(_ORDER)
        return Condition(test)

    def condition(self, node: ast.Condition) -> Test:
        if isinstance(node, ast.And):
            tests = [self.condition(item) for item in node.items]
            return lambda item: all(test(item) for test in tests)
        if isinstance(node, ast.Or):
            tests = [self.condition(item) for item in node.items]
            return lambda item: any(test(item) for test in tests)
        if isinstance(node, ast.Not):
            inner = self.condition(node.item)
            return lambda item: not inner(item)
        self.leaf = {}
        test = self.leaf_condition(node)
        if self.leaf:
            for slot in _LEAF_ORDER:
                if slot in self.leaf:
                    self.errors.add("condition", self.leaf[slot])
                    break
        return test

    def leaf_condition(self, node: ast.Condition) -> Test:
        if isinstance(node, ast.Call):
            if node.name == "size" or node.name in UPDATE_FUNCTIONS:
                self.report("misusedFunction", MISUSED_FUNCTION.format(node.name))
            return self.function(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Between):
            return self.between(node)
        return self.in_(node)  # type: ignore[arg-type]

    def operand(self, node: ast.Operand) -> Operand:
        if isinstance(node, ast.Path):
            path = self.path(node, "attrNameVal")
            return Operand("path", make_getter(path) if path else _missing, path=path)
        if isinstance(node, ast.ValueRef):
            value = self.value(node, "attrNameVal")
            return Operand("value", lambda item: value, value=value, known_type=_type(value))
        call: ast.Call = node  # type: ignore[assignment]  # the parser nests nothing else here
        if call.name != "size":
            self.report("misusedFunction", MISUSED_FUNCTION.format(call.name))
        get = self.function(call)
        if call.name == "size":
            return Operand("size", get, known_type="N")
        return Operand(call.name, _missing)

    def function(self, node: ast.Call) -> Callable[[dict[str, Any]], Any]:
        """The function's test (or, for size(), its value getter) after checking it."""
        name = node.name
        args = [self.operand(arg) for arg in node.args]
        if name not in CONDITION_FUNCTIONS and name not in UPDATE_FUNCTIONS:
            self.report("unknownFunction", UNKNOWN_FUNCTION.format(name))
            return _missing
        if name in UPDATE_FUNCTIONS:
            return _missing
        if len(args) != CONDITION_FUNCTIONS[name]:
            self.report("operand", OPERAND_COUNT.format(name, len(args)))
            return _missing
        self.distinct(name, args)
        return _FUNCTIONS[name](self, name, args)

    def distinct(self, name: str, args: list[Operand]) -> None:
        if len(args) == 2 and args[0].path is not None and args[0].path == args[1].path:
            self.report(
                "distinct",
                "The first operand must be distinct from the remaining operands for this "
                f"operator or function; operator: {name}, first operand: "
                f"{format_path(args[0].path)}",
            )

    def require_type(self, name: str, operand: Operand, allowed: frozenset[str]) -> None:
        kind = operand.known_type
        if kind is not None and kind not in allowed:
            self.report("function", OPERAND_TYPE.format(name, kind))

    def compare(self, node: ast.Compare) -> Test:
        left = self.operand(node.left)
        right = self.operand(node.right)
        self.distinct(node.op, [left, right])
        lget = left.get
        rget = right.get
        if node.op == "=":
            return lambda item: equal(lget(item), rget(item))
        if node.op == "<>":
            return lambda item: not equal(lget(item), rget(item))
        for side in (left, right):
            self.require_type(node.op, side, SCALAR_ORDERED)
        test = _ORDERED[node.op]
        if right.value is not None and sort_key(right.value) is not None:
            rtype, rkey = sort_key(right.value)  # type: ignore[misc]

            def against_constant(item: dict[str, Any]) -> bool:
                value = lget(item)
                if value is None:
                    return False
                key = sort_key(value)
                return key is not None and key[0] == rtype and test(key[1], rkey)

            return against_constant
        return lambda item: ordered(test, lget(item), rget(item))

    def between(self, node: ast.Between) -> Test:
        value = self.operand(node.value)
        low = self.operand(node.low)
        high = self.operand(node.high)
        for side in (value, low, high):
            self.require_type("BETWEEN", side, SCALAR_ORDERED)
        if low.value is not None and high.value is not None:
            self.check_bounds(low.value, high.value)
        vget, lget, hget = value.get, low.get, high.get
        return lambda item: between(vget(item), lget(item), hget(item))

    def check_bounds(self, low: Value, high: Value) -> None:
        low_key = sort_key(low)
        high_key = sort_key(high)
        if low_key is None or high_key is None:
            return
        shown = (
            f"lower bound operand: AttributeValue: {describe(low)}, "
            f"upper bound operand: AttributeValue: {describe(high)}"
        )
        if low_key[0] != high_key[0]:
            self.report(
                "function",
                f"The BETWEEN operator requires same data type for lower and upper bounds; {shown}",
            )
        elif low_key[1] > high_key[1]:
            self.report(
                "function",
                "The BETWEEN operator requires upper bound to be greater than or equal to lower "
                f"bound; {shown}",
            )

    def in_(self, node: ast.In) -> Test:
        value = self.operand(node.value)
        choices = [self.operand(choice) for choice in node.choices]
        if len(choices) + 1 > MAX_IN_OPERANDS:
            self.report(
                "operand",
                "The IN operator is provided with too many operands; "
                f"number of operands: {len(choices) + 1}",
            )
        vget = value.get
        getters = [choice.get for choice in choices]

        def test(item: dict[str, Any]) -> bool:
            found = vget(item)
            return found is not None and any(equal(found, get(item)) for get in getters)

        return test


def _exists(binder: ConditionBinder, name: str, args: list[Operand]) -> Test:
    if args[0].kind != "path":
        binder.report("function", NEEDS_PATH.format(name))
    get = args[0].get
    if name == "attribute_exists":
        return lambda item: get(item) is not None
    return lambda item: get(item) is None


def _attribute_type(binder: ConditionBinder, name: str, args: list[Operand]) -> Test:
    wanted = args[1].value
    kind = args[1].known_type
    if kind != "S":
        binder.report("function", OPERAND_TYPE.format(name, kind or _ANY_TYPE))
    elif wanted is not None and wanted["S"] not in TYPES:
        binder.report(
            "function",
            f"Invalid attribute type name found; type: {wanted['S']}, "
            "valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
        )
    target = wanted["S"] if wanted is not None and kind == "S" else None
    get = args[0].get

    def test(item: dict[str, Any]) -> bool:
        value = get(item)
        return value is not None and type_of(value) == target

    return test


def _begins_with(binder: ConditionBinder, name: str, args: list[Operand]) -> Test:
    for arg in args:
        binder.require_type(name, arg, _STRING_OR_BINARY)
    whole, prefix = args[0].get, args[1].get
    return lambda item: begins_with(whole(item), prefix(item))


def _contains(binder: ConditionBinder, name: str, args: list[Operand]) -> Test:
    whole, element = args[0].get, args[1].get
    return lambda item: contains(whole(item), element(item))


def _size(binder: ConditionBinder, name: str, args: list[Operand]) -> Getter:
    kind = args[0].known_type
    if kind in ("N", "BOOL", "NULL"):
        binder.report("function", OPERAND_TYPE.format(name, kind))
    get = args[0].get
    return lambda item: size_value(get(item))


_FUNCTIONS: dict[str, Callable[[ConditionBinder, str, list[Operand]], Any]] = {
    "attribute_exists": _exists,
    "attribute_not_exists": _exists,
    "attribute_type": _attribute_type,
    "begins_with": _begins_with,
    "contains": _contains,
    "size": _size,
}


def bind_condition(tree: ast.Condition, resolver: Resolver) -> Condition:
    """Check `tree` against the request's placeholders and compile it; raises ExpressionError."""
    return ConditionBinder(resolver).bind(tree)
