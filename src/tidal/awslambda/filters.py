"""FilterCriteria: EventBridge-style patterns that decide which stream records reach a function.

A pattern is a JSON object shaped like the records it selects. A key whose value is an
object descends into the record; a key whose value is an array lists the conditions the
record's value there must meet (any of them); `"$or": [pattern, ...]` matches when one of
its patterns does. Every key of a pattern must match (AND).

Conditions (reference/lambda.md §8, the EventBridge pattern syntax):

    "x", 5, true, null                 equal to (strings exactly, numbers by value)
    {"prefix": "x"}, {"suffix": "x"}   string begins / ends with (or {"equals-ignore-case": "x"})
    {"equals-ignore-case": "x"}        string equal, case folded
    {"wildcard": "a*b"}                string matching, `*` any run of characters
    {"anything-but": ...}              present and none of the values (or prefix, suffix,
                                       equals-ignore-case, wildcard)
    {"numeric": [">", 0, "<=", 5]}     a JSON number in the range
    {"exists": true | false}           a value is (not) present
    {"cidr": "10.0.0.0/24"}            an IP address string in the block

Records are matched as the rules engine behind EventBridge and Lambda sees them: as leaf
values. An object is not a value, so `{"attr": [{"exists": true}]}` never matches a
DynamoDB attribute (`{"S": "x"}`), and `{"attr": [{"exists": false}]}` always does;
DynamoDB numbers are strings (`{"N": "42"}`), so `numeric` never matches them; arrays are
looked through (any element may match).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

Condition = Callable[[list[Any]], bool]
"""A condition on the leaf values found at one path (empty: no value there)."""

_ABSENT: list[Any] = []
_LOWER = (">", ">=")
_UPPER = ("<", "<=")
_COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "=": lambda value, bound: value == bound,
    "<": lambda value, bound: value < bound,
    "<=": lambda value, bound: value <= bound,
    ">": lambda value, bound: value > bound,
    ">=": lambda value, bound: value >= bound,
}


class InvalidPattern(ValueError):
    """A pattern that is not valid JSON or not valid pattern syntax."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """A compiled pattern: conditions on leaf paths, nested patterns, and `$or` branches."""

    leaves: tuple[tuple[str, Condition], ...]
    nested: tuple[tuple[str, Pattern], ...]
    alternatives: tuple[tuple[Pattern, ...], ...]

    def matches(self, value: Any) -> bool:
        """Whether a record (or the part of one under this pattern's path) matches."""
        objects = _objects(value)
        for key, condition in self.leaves:
            if not condition(_leaf_values(objects, key)):
                return False
        for key, pattern in self.nested:
            if not pattern.matches(_children(objects, key)):
                return False
        return all(
            any(branch.matches(value) for branch in alternative)
            for alternative in self.alternatives
        )


def parse(text: str) -> Pattern:
    """Compile one filter's `Pattern` string; InvalidPattern if it is not a valid pattern."""
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise InvalidPattern("not JSON") from None
    return _pattern(document)


def matches_any(patterns: Iterable[Pattern], record: dict[str, Any]) -> bool:
    """FilterCriteria semantics: a record passes when any filter matches it."""
    return any(pattern.matches(record) for pattern in patterns)


def _pattern(document: Any) -> Pattern:
    if not isinstance(document, dict):
        raise InvalidPattern("a pattern is an object")
    leaves: list[tuple[str, Condition]] = []
    nested: list[tuple[str, Pattern]] = []
    alternatives: list[tuple[Pattern, ...]] = []
    for key, value in document.items():
        if key == "$or":
            alternatives.append(_alternatives(value))
        elif isinstance(value, dict):
            nested.append((key, _pattern(value)))
        elif isinstance(value, list):
            leaves.append((key, _any_of([_condition(entry) for entry in value])))
        else:
            raise InvalidPattern(f"the value of {key!r} must be an array or an object")
    return Pattern(tuple(leaves), tuple(nested), tuple(alternatives))


def _alternatives(value: Any) -> tuple[Pattern, ...]:
    if not isinstance(value, list) or len(value) < 2:
        raise InvalidPattern("$or takes an array of at least two patterns")
    return tuple(_pattern(branch) for branch in value)


def _any_of(conditions: list[Condition]) -> Condition:
    if not conditions:
        raise InvalidPattern("an empty array matches nothing")
    if len(conditions) == 1:
        return conditions[0]
    return lambda values: any(condition(values) for condition in conditions)


def _condition(entry: Any) -> Condition:
    if isinstance(entry, dict):
        if len(entry) != 1:
            raise InvalidPattern("a condition object has exactly one operator")
        ((operator, operand),) = entry.items()
        build = _OPERATORS.get(operator)
        if build is None:
            raise InvalidPattern(f"unknown operator {operator!r}")
        return build(operand)
    if isinstance(entry, list):
        raise InvalidPattern("arrays do not nest in a pattern")
    return _some(_equal_to(entry))


# Building conditions, one per operator.


def _exists(operand: Any) -> Condition:
    if not isinstance(operand, bool):
        raise InvalidPattern("exists takes true or false")
    if operand:
        return lambda values: bool(values)
    return lambda values: not values


def _prefix(operand: Any) -> Condition:
    text, fold = _text_operand(operand, "prefix")
    if fold:
        return _some(lambda value: isinstance(value, str) and value.lower().startswith(text))
    return _some(lambda value: isinstance(value, str) and value.startswith(text))


def _suffix(operand: Any) -> Condition:
    text, fold = _text_operand(operand, "suffix")
    if fold:
        return _some(lambda value: isinstance(value, str) and value.lower().endswith(text))
    return _some(lambda value: isinstance(value, str) and value.endswith(text))


def _equals_ignore_case(operand: Any) -> Condition:
    return _some(_folded_equal(_string(operand, "equals-ignore-case")))


def _wildcard(operand: Any) -> Condition:
    return _some(_wildcard_test(_string(operand, "wildcard")))


def _anything_but(operand: Any) -> Condition:
    if isinstance(operand, dict):
        excluded = _anything_but_operator(operand)
    elif isinstance(operand, list):
        if not operand or not all(_is_string(v) or _is_number(v) for v in operand):
            raise InvalidPattern("anything-but takes strings or numbers")
        excluded = _one_of([_equal_to(v) for v in operand])
    elif _is_string(operand) or _is_number(operand):
        excluded = _equal_to(operand)
    else:
        raise InvalidPattern("anything-but takes a string, a number or an array of them")
    return _some(lambda value: not excluded(value))


def _anything_but_operator(operand: dict[str, Any]) -> Callable[[Any], bool]:
    if len(operand) != 1:
        raise InvalidPattern("anything-but takes one operator")
    ((operator, value),) = operand.items()
    if operator == "prefix":
        text = _string(value, "prefix")
        return lambda v: isinstance(v, str) and v.startswith(text)
    if operator == "suffix":
        text = _string(value, "suffix")
        return lambda v: isinstance(v, str) and v.endswith(text)
    if operator == "wildcard":
        return _one_or_more(value, _wildcard_test, "wildcard")
    if operator == "equals-ignore-case":
        return _one_or_more(value, _folded_equal, "equals-ignore-case")
    raise InvalidPattern(f"anything-but does not take {operator!r}")


def _numeric(operand: Any) -> Condition:
    if not isinstance(operand, list) or len(operand) not in (2, 4):
        raise InvalidPattern("numeric takes one or two comparisons")
    comparisons = [(operand[i], _decimal(operand[i + 1])) for i in range(0, len(operand), 2)]
    operators = [operator for operator, _ in comparisons]
    if len(comparisons) == 1:
        if operators[0] not in _COMPARE:
            raise InvalidPattern("unknown numeric operator")
    elif not (operators[0] in _LOWER and operators[1] in _UPPER):
        raise InvalidPattern("a numeric range is a lower bound then an upper bound")
    tests = [(_COMPARE[operator], bound) for operator, bound in comparisons]

    def in_range(value: Any) -> bool:
        if not _is_number(value):
            return False
        number = Decimal(str(value))
        return all(compare(number, bound) for compare, bound in tests)

    return _some(in_range)


def _cidr(operand: Any) -> Condition:
    try:
        network = ipaddress.ip_network(_string(operand, "cidr"), strict=False)
    except ValueError:
        raise InvalidPattern("cidr takes an IP address block") from None

    def inside(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False

    return _some(inside)


_OPERATORS: dict[str, Callable[[Any], Condition]] = {
    "exists": _exists,
    "prefix": _prefix,
    "suffix": _suffix,
    "equals-ignore-case": _equals_ignore_case,
    "wildcard": _wildcard,
    "anything-but": _anything_but,
    "numeric": _numeric,
    "cidr": _cidr,
}


# Values.


def _some(test: Callable[[Any], bool]) -> Condition:
    """A condition met when one of the values passes `test` (never when there is none)."""
    return lambda values: any(test(value) for value in values)


def _equal_to(literal: Any) -> Callable[[Any], bool]:
    if literal is None:
        return lambda value: value is None
    if isinstance(literal, bool):
        return lambda value: value is literal
    if _is_number(literal):
        number = Decimal(str(literal))
        return lambda value: _is_number(value) and Decimal(str(value)) == number
    if isinstance(literal, str):
        return lambda value: isinstance(value, str) and value == literal
    raise InvalidPattern("a value is a string, a number, true, false or null")


def _one_of(tests: list[Callable[[Any], bool]]) -> Callable[[Any], bool]:
    return lambda value: any(test(value) for test in tests)


def _folded_equal(text: str) -> Callable[[Any], bool]:
    folded = text.lower()
    return lambda value: isinstance(value, str) and value.lower() == folded


def _wildcard_test(text: str) -> Callable[[Any], bool]:
    if "**" in text:
        raise InvalidPattern("consecutive wildcard characters")
    parts = re.split(r"(?<!\\)\*", text)
    regex = re.compile(".*".join(re.escape(part.replace("\\*", "*")) for part in parts), re.S)
    return lambda value: isinstance(value, str) and regex.fullmatch(value) is not None


def _one_or_more(
    operand: Any, build: Callable[[str], Callable[[Any], bool]], name: str
) -> Callable[[Any], bool]:
    texts = operand if isinstance(operand, list) else [operand]
    if not texts:
        raise InvalidPattern(f"{name} takes at least one string")
    return _one_of([build(_string(text, name)) for text in texts])


def _text_operand(operand: Any, name: str) -> tuple[str, bool]:
    """The text of a prefix or suffix, and whether it ignores case."""
    if isinstance(operand, dict):
        if set(operand) != {"equals-ignore-case"}:
            raise InvalidPattern(f"{name} takes a string or equals-ignore-case")
        return _string(operand["equals-ignore-case"], name).lower(), True
    return _string(operand, name), False


def _string(operand: Any, name: str) -> str:
    if not isinstance(operand, str):
        raise InvalidPattern(f"{name} takes a string")
    return operand


def _decimal(operand: Any) -> Decimal:
    if not _is_number(operand):
        raise InvalidPattern("numeric bounds are numbers")
    try:
        return Decimal(str(operand))
    except InvalidOperation:
        raise InvalidPattern("numeric bounds are numbers") from None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_string(value: Any) -> bool:
    return isinstance(value, str)


# Walking a record.


def _objects(value: Any) -> list[dict[str, Any]]:
    """The objects at a path: the value itself, or the objects in it if it is an array."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [entry for item in value for entry in _objects(item)]
    return []


def _children(objects: list[dict[str, Any]], key: str) -> list[Any]:
    return [obj[key] for obj in objects if key in obj]


def _leaf_values(objects: list[dict[str, Any]], key: str) -> list[Any]:
    """The leaf values under `key`: scalars, and the scalars of arrays; objects are no value."""
    if not objects:
        return _ABSENT
    found: list[Any] = []
    for obj in objects:
        if key in obj:
            _collect_leaves(obj[key], found)
    return found


def _collect_leaves(value: Any, found: list[Any]) -> None:
    if isinstance(value, list):
        for item in value:
            _collect_leaves(item, found)
    elif not isinstance(value, dict):
        found.append(value)
