"""Properties: no input string makes any expression kind raise anything but ValidationException,
no parameter the request parser lets through raises anything but an AWS error, and evaluation
and updates agree with DynamoDB's typed-value semantics."""

import contextlib
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tidal.core.errors import SerializationException, ValidationException
from tidal.dynamodb.api import SHAPE_OVERRIDES
from tidal.dynamodb.expressions import (
    ExpressionContext,
    legacy_condition,
    legacy_projection,
    legacy_update,
)
from tidal.dynamodb.types import canonical_number
from tidal.server.services import service_model
from tidal.server.validation import validator_for

NAMES = {"#a": "a", "#b": "b.c", "#n": "name", "#l": "l"}
VALUES = {
    ":s": {"S": "ab"},
    ":n": {"N": "2"},
    ":b": {"B": "AQI="},
    ":ss": {"SS": ["a", "b"]},
    ":ns": {"NS": ["1", "2"]},
    ":l": {"L": [{"N": "1"}]},
    ":m": {"M": {"x": {"S": "y"}}},
    ":t": {"S": "N"},
    ":bool": {"BOOL": True},
    ":null": {"NULL": True},
}
ITEM = {
    "a": {"N": "1"},
    "b.c": {"S": "ab"},
    "s": {"S": "abc"},
    "l": {"L": [{"N": "1"}, {"M": {"x": {"S": "y"}}}, {"SS": ["a"]}]},
    "m": {"M": {"x": {"S": "y"}, "l": {"L": []}}},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1"]},
}
TOKENS = [
    "a",
    "b",
    "s",
    "l",
    "m",
    "ss",
    "ns",
    "x",
    "name",
    "size",
    "#a",
    "#b",
    "#n",
    "#l",
    "#zz",
    ":s",
    ":n",
    ":b",
    ":ss",
    ":ns",
    ":l",
    ":m",
    ":t",
    ":bool",
    ":null",
    ":zz",
    "AND",
    "OR",
    "NOT",
    "BETWEEN",
    "IN",
    "SET",
    "REMOVE",
    "ADD",
    "DELETE",
    "and",
    "set",
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
    "if_not_exists",
    "list_append",
    "foo",
    "SIZE",
    "(",
    ")",
    "[",
    "]",
    "[0]",
    "[1]",
    "[7]",
    ",",
    ".",
    "=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "0",
    "12",
    "_",
    "$",
    "#",
    ":",
    "!",
    '"',
    "é",
    "\t",
    "\u00a0",
]
token_soup = st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join)
tight_soup = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)
junk = st.one_of(st.text(max_size=200), token_soup, tight_soup)


def exercise(text: str) -> None:
    """Every kind, every use of the result; only ValidationException may come out."""
    ctx = ExpressionContext(NAMES, VALUES)
    for use in (
        lambda: ctx.condition(text).evaluate(ITEM),
        lambda: ctx.condition(text, kind="FilterExpression").evaluate(None),
        lambda: ctx.update(text).apply(ITEM),
        lambda: ctx.update(text).apply({}, item_exists=False),
        lambda: ctx.projection(text).apply(ITEM),
        lambda: ctx.key_condition(text).terms(),
        ctx.finish,
    ):
        with contextlib.suppress(ValidationException):
            use()


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(junk)
@example("(" * 2000 + "a = :n" + ")" * 2000)
@example("NOT " * 900 + "a = :n")
@example("a" + "[0]" * 1300)
@example("SET a = " + "if_not_exists(a, " * 300 + ":n" + ")" * 300)
@example("a IN (" + ", ".join([":n"] * 150) + ")")
@example("a[" + "9" * 4000 + "] = :n")
def test_junk_only_ever_raises_validation_errors(text: str) -> None:
    exercise(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12))
def test_token_soups_with_valid_prefixes(tokens: list[str]) -> None:
    for prefix in ("a = :n AND ", "SET a = ", "REMOVE ", "a, ", "begins_with(s, "):
        exercise(prefix + " ".join(tokens))


numbers = st.decimals(
    min_value=Decimal("-1e20"), max_value=Decimal("1e20"), allow_nan=False, places=6
)


@given(numbers, numbers)
def test_number_comparisons_follow_decimal_order(x: Decimal, y: Decimal) -> None:
    ctx = ExpressionContext(None, {":y": {"N": canonical_number(str(y))}})
    item = {"x": {"N": str(x)}}
    for op, expected in (("<", x < y), ("<=", x <= y), ("=", x == y), ("<>", x != y), (">", x > y)):
        assert (
            ExpressionContext(None, {":y": {"N": canonical_number(str(y))}})
            .condition(f"x {op} :y")
            .evaluate(item)
            is expected
        )
    assert ctx.condition("x BETWEEN :y AND :y").evaluate(item) is (x == y)


@given(st.text(max_size=20), st.text(max_size=20))
def test_string_comparisons_follow_utf8_byte_order(x: str, y: str) -> None:
    item = {"x": {"S": x}}
    values = {":y": {"S": y}}
    expected = x.encode("utf-8", "surrogatepass") < y.encode("utf-8", "surrogatepass")
    assert ExpressionContext(None, values).condition("x < :y").evaluate(item) is expected
    assert ExpressionContext(None, values).condition("begins_with(x, :y)").evaluate(item) is (
        x.startswith(y)
    )
    assert ExpressionContext(None, values).condition("contains(x, :y)").evaluate(item) is (y in x)


@given(numbers, numbers)
def test_set_arithmetic_is_exact(x: Decimal, y: Decimal) -> None:
    values = {":x": {"N": canonical_number(str(x))}, ":y": {"N": canonical_number(str(y))}}
    new, _ = ExpressionContext(None, values).update("SET s = :x + :y, d = :x - :y").apply({})
    assert Decimal(new["s"]["N"]) == x + y
    assert Decimal(new["d"]["N"]) == x - y
    assert new["s"]["N"] == canonical_number(str(x + y))


@given(
    st.lists(st.integers(min_value=0, max_value=8), max_size=5, unique=True),
    st.lists(st.integers(min_value=0, max_value=8), max_size=5, unique=True),
)
def test_list_updates_use_original_indexes(removed: list[int], replaced: list[int]) -> None:
    replaced = [i for i in replaced if i not in removed]
    original = [{"N": str(i)} for i in range(6)]
    clauses = []
    if removed:
        clauses.append("REMOVE " + ", ".join(f"l[{i}]" for i in removed))
    if replaced:
        clauses.append("SET " + ", ".join(f"l[{i}] = :v" for i in replaced))
    if not clauses:
        return
    values = {":v": {"S": "new"}} if replaced else None
    item = {"l": {"L": list(original)}}
    new, _ = ExpressionContext(None, values).update(" ".join(clauses)).apply(item)
    kept = [
        {"S": "new"} if i in replaced else value
        for i, value in enumerate(original)
        if i not in removed
    ]
    appended = [{"S": "new"} for i in sorted(replaced) if i >= len(original)]
    assert new["l"]["L"] == kept + appended
    assert item["l"]["L"] == original


# What the request parser lets through to the domain: values of the right JSON kinds, with
# nulls where a value or a set member belongs, and members it does not know (which it ignores).
def _maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


_texts = st.text(max_size=3)
_numbers = st.sampled_from(["1", "1.0", "-0", "1E2", "", " 1", "x", "1e126", "1" * 39])
_binaries = st.sampled_from(["", "YQ==", "AQI="])
_scalar_values = st.fixed_dictionaries(
    {},
    optional={
        "S": _maybe(_texts),
        "N": _maybe(_numbers),
        "B": _maybe(_binaries),
        "SS": _maybe(st.lists(_maybe(_texts), max_size=3)),
        "NS": _maybe(st.lists(_maybe(_numbers), max_size=3)),
        "BS": _maybe(st.lists(_maybe(_binaries), max_size=3)),
        "BOOL": _maybe(st.booleans()),
        "NULL": _maybe(st.booleans()),
        "x": st.integers(),
    },
)
attribute_values = st.recursive(
    _scalar_values,
    lambda inner: st.fixed_dictionaries(
        {},
        optional={
            "L": _maybe(st.lists(_maybe(inner), max_size=3)),
            "M": _maybe(st.dictionaries(_texts, _maybe(inner), max_size=3)),
        },
    ),
    max_leaves=8,
)


def _specs(**members: st.SearchStrategy) -> st.SearchStrategy:
    """Attribute name -> null, or a legacy spec holding some of `members`."""
    return st.dictionaries(_texts, _maybe(st.fixed_dictionaries({}, optional=members)), max_size=3)


expected = _specs(
    Value=_maybe(attribute_values),
    Exists=_maybe(st.booleans()),
    ComparisonOperator=_maybe(st.sampled_from(["EQ", "LT", "IN", "NULL", "X"])),
    AttributeValueList=_maybe(st.lists(_maybe(attribute_values), max_size=3)),
)
attribute_updates = _specs(
    Value=_maybe(attribute_values),
    Action=_maybe(st.sampled_from(["PUT", "ADD", "DELETE", "X"])),
)
UPDATE_ITEM = validator_for(service_model("dynamodb"), "UpdateItem", SHAPE_OVERRIDES)


@settings(max_examples=300, deadline=None)
@given(
    expected,
    st.sampled_from([None, "AND", "OR", "XOR"]),
    attribute_updates,
    st.dictionaries(st.sampled_from([":a", ":b", "c"]), _maybe(attribute_values), max_size=3),
)
def test_parsed_parameters_only_ever_raise_aws_errors(
    expected: dict, operator, updates: dict, values: dict
) -> None:
    request = {
        "TableName": "table",
        "Key": {"k": {"S": "k"}},
        "Expected": expected,
        "ConditionalOperator": operator,
        "AttributeUpdates": updates,
        "ExpressionAttributeValues": values,
    }
    with contextlib.suppress(ValidationException):  # broken constraints; parsed all the same
        UPDATE_ITEM(request)
    for use in (
        lambda: legacy_condition(expected, operator).evaluate(ITEM),
        lambda: legacy_update(updates).apply(ITEM),
        lambda: legacy_projection(list(expected)).apply(ITEM),
        lambda: ExpressionContext(None, values or None),
    ):
        with contextlib.suppress(ValidationException, SerializationException):
            use()
