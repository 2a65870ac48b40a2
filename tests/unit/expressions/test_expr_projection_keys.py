"""Projection expressions, project_paths, and key condition expressions."""

import pytest

from tidal.dynamodb.expressions import ExpressionContext, KeyTerm, project_paths

ITEM = {
    "p": {"S": "p"},
    "a": {
        "M": {
            "b": {"L": [{"N": "2"}, {"N": "4"}, {"M": {"x": {"S": "hi"}, "y": {"S": "yo"}}}]},
            "c": {"N": "5"},
        }
    },
    "b": {"S": "hello"},
    "a.b": {"S": "dotted"},
}


def project(text: str, names: dict | None = None) -> dict:
    return ExpressionContext(names, None).projection(text).apply(ITEM)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", {"a": ITEM["a"]}),
        ("a.b", {"a": {"M": {"b": ITEM["a"]["M"]["b"]}}}),
        ("a.b[0]", {"a": {"M": {"b": {"L": [{"N": "2"}]}}}}),
        ("a.b[2]", {"a": {"M": {"b": {"L": [ITEM["a"]["M"]["b"]["L"][2]]}}}}),
        ("a.b[2].y", {"a": {"M": {"b": {"L": [{"M": {"y": {"S": "yo"}}}]}}}}),
        ("a.b[1],a.b[0]", {"a": {"M": {"b": {"L": [{"N": "2"}, {"N": "4"}]}}}}),
        ("a.b[0],a.c", {"a": {"M": {"b": {"L": [{"N": "2"}]}, "c": {"N": "5"}}}}),
        (" a.c ,  b ", {"a": {"M": {"c": {"N": "5"}}}, "b": {"S": "hello"}}),
        ("a.x, a.b[0], x, a.b[3].x", {"a": {"M": {"b": {"L": [{"N": "2"}]}}}}),
        ("p, b", {"p": {"S": "p"}, "b": {"S": "hello"}}),
    ],
)
def test_projection(text: str, expected: dict) -> None:
    assert project(text) == expected


@pytest.mark.parametrize(
    "text", ["x", "a.b[3]", "a.x", "a.x.y", "a.b[3].x", "a.b.x", "a[0]", "a.b[0].x", "a.b[0][0]"]
)
def test_projecting_what_is_not_there_gives_nothing(text: str) -> None:
    assert project(text) == {}


def test_placeholders_name_one_attribute_each() -> None:
    assert project("#n1.#n2", {"#n1": "a", "#n2": "c"}) == {"a": {"M": {"c": {"N": "5"}}}}
    assert project("#ab", {"#ab": "a.b"}) == {"a.b": {"S": "dotted"}}


def test_projection_does_not_modify_the_item() -> None:
    before = repr(ITEM)
    project("a.b[1], a.c")
    assert repr(ITEM) == before


@pytest.mark.parametrize(
    ("text", "one", "two"),
    [
        ("a, a", "[a]", "[a]"),
        ("a[1], a[1]", "[a, [1]]", "[a, [1]]"),
        ("a, a.b", "[a]", "[a, b]"),
        ("a.b, a", "[a, b]", "[a]"),
        ("a.b, a.b[2]", "[a, b]", "[a, b, [2]]"),
        ("a, a.b[2].c", "[a]", "[a, b, [2], c]"),
        ("a.b.d.e, a.b", "[a, b, d, e]", "[a, b]"),
    ],
)
def test_overlapping_projection_paths(text: str, one: str, two: str, error) -> None:
    ctx = ExpressionContext(None, None)
    assert error(ctx.projection, text) == (
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
        f"or rewrite one of these paths; path one: {one}, path two: {two}"
    )


def test_conflicting_projection_paths(error) -> None:
    ctx = ExpressionContext(None, None)
    assert error(ctx.projection, "a.b, a[1]") == (
        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove "
        "or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"
    )
    for text in ("a, b", "a.b, a.c", "a[1], a[2]", "a.b, a.c[2]"):
        ctx.projection(text)


def test_projection_errors_in_order(error) -> None:
    ctx = ExpressionContext({"#a": "a"}, None)
    assert error(ctx.projection, "#missing, name, a, a") == (
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name"
    )
    assert error(ctx.projection, "#a, #missing, a") == (
        "Invalid ProjectionExpression: An expression attribute name used in the document path is "
        "not defined; attribute name: #missing"
    )


def test_project_paths_builds_return_values() -> None:
    assert project_paths(ITEM, [("a", "c"), ("b",), ("nope", 1)]) == {
        "a": {"M": {"c": {"N": "5"}}},
        "b": {"S": "hello"},
    }
    assert project_paths(ITEM, [("a",), ("a", "c")]) == {"a": ITEM["a"]}
    assert project_paths(ITEM, [("a", "c"), ("a",)]) == {"a": ITEM["a"]}
    assert project_paths({}, [("a",)]) == {}


# -- key conditions ---------------------------------------------------------------------------

MULTIPLE = (
    "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
)
KEY_VALUES = {":p": {"S": "p"}, ":c": {"N": "3"}, ":d": {"N": "7"}, ":s": {"S": "00"}}


def key(text: str, names: dict | None = None):
    values = {k: v for k, v in KEY_VALUES.items() if k in text}
    return ExpressionContext(names, values or None).key_condition(text)


def test_key_condition_terms() -> None:
    assert key("p = :p").terms() == (KeyTerm("p", "EQ", ({"S": "p"},)),)
    assert key("p=:p AND c BETWEEN :c AND :d").terms() == (
        KeyTerm("p", "EQ", ({"S": "p"},)),
        KeyTerm("c", "BETWEEN", ({"N": "3"}, {"N": "7"})),
    )
    assert key("begins_with(c, :s) and #k = :p", {"#k": "p"}).terms() == (
        KeyTerm("c", "BEGINS_WITH", ({"S": "00"},)),
        KeyTerm("p", "EQ", ({"S": "p"},)),
    )
    for op, term in (("<", "LT"), ("<=", "LE"), (">", "GT"), (">=", "GE")):
        assert key(f"p = :p AND c {op} :c").term("c") == KeyTerm("c", term, ({"N": "3"},))
    for op, term in (("<", "GT"), ("<=", "GE"), (">", "LT"), (">=", "LE"), ("=", "EQ")):
        assert key(f":p = p AND :c {op} c").term("c") == KeyTerm("c", term, ({"N": "3"},))
    assert key("((c = :c) AND (p = :p))").term("p") is not None
    assert key("p = :p").term("c") is None


def test_key_conditions_evaluate_like_conditions() -> None:
    condition = key("p = :p AND c BETWEEN :c AND :d")
    assert condition.evaluate({"p": {"S": "p"}, "c": {"N": "5"}})
    assert not condition.evaluate({"p": {"S": "p"}, "c": {"N": "8"}})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("c = :c OR p = :p", "Invalid operator used in KeyConditionExpression: OR"),
        ("NOT c = :c AND p = :p", "Invalid operator used in KeyConditionExpression: NOT"),
        ("p = :p AND c IN (:c)", "Invalid operator used in KeyConditionExpression: IN"),
        ("p = :p AND c <> :c", "Invalid operator used in KeyConditionExpression: <>"),
        (
            "p = :p AND attribute_exists(c)",
            "Invalid operator used in KeyConditionExpression: attribute_exists",
        ),
        ("p = :p AND contains(c, :c)", "Invalid operator used in KeyConditionExpression: contains"),
        ("p = :p AND size(c) = :c", "KeyConditionExpressions cannot contain nested operations"),
        (
            "p = :p AND :c BETWEEN c AND :d",
            "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key "
            "attribute as its first operand",
        ),
        (
            "p = :p AND begins_with(:s, c)",
            "Invalid condition in KeyConditionExpression: begins_with operator must have the key "
            "attribute as its first operand",
        ),
        (
            "p = c",
            MULTIPLE,
        ),
        (
            "p = :p AND c BETWEEN :c AND d",
            MULTIPLE,
        ),
        (":p = :c", "Invalid condition in KeyConditionExpression: No key attribute specified"),
        (
            "p = :p AND a.b < :c",
            "KeyConditionExpressions cannot have conditions on nested attributes",
        ),
        ("p = :p AND p = :p", "KeyConditionExpressions must only contain one condition per key"),
        (
            "p = :p AND c >= :c AND c <= :d",
            "KeyConditionExpressions must only contain one condition per key",
        ),
    ],
)
def test_key_condition_structure(text: str, message: str, error) -> None:
    values = {k: v for k, v in KEY_VALUES.items() if k in text}
    ctx = ExpressionContext(None, values or None)
    condition = ctx.key_condition(text)
    ctx.finish()
    assert error(condition.terms) == message
    assert error(condition.term, "p") == message


def test_key_condition_shape_is_reported_after_unused_placeholders(error) -> None:
    ctx = ExpressionContext(None, {":p": {"S": "p"}, ":unused": {"S": "x"}})
    condition = ctx.key_condition("p = :p OR p = :p")
    assert error(ctx.finish).startswith("Value provided in ExpressionAttributeValues unused")
    assert error(condition.terms) == "Invalid operator used in KeyConditionExpression: OR"


def test_key_conditions_get_condition_errors_first(error) -> None:
    ctx = ExpressionContext(None, {":p": {"S": "p"}})
    assert error(ctx.key_condition, "p = :p AND dog(c, :p)") == (
        "Invalid KeyConditionExpression: Invalid function name; function: dog"
    )
    assert error(ctx.key_condition, "p=:p AND c!=:p").startswith(
        "Invalid KeyConditionExpression: Syntax error;"
    )
    assert error(ctx.key_condition, "p = :missing") == (
        "Invalid KeyConditionExpression: An expression attribute value used in expression is not "
        "defined; attribute value: :missing"
    )
