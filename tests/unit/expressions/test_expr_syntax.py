"""Lexing, grammar and DynamoDB's syntax-error messages (token and `near` text)."""

import pytest

from tidal.dynamodb.expressions import ExpressionContext, ast
from tidal.dynamodb.expressions.lexer import tokenize
from tidal.dynamodb.expressions.parser import MAX_NESTING, parse_condition

VALUES = {":v": {"S": "x"}, ":n": {"N": "1"}, ":l": {"L": []}, ":ss": {"SS": ["a"]}}


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(text)]


def test_lexer_splits_names_placeholders_numbers_and_operators() -> None:
    assert kinds("a_1.#b[12] <>:c_2 <= >= = ( , ) + -") == [
        ("name", "a_1"),
        (".", "."),
        ("#", "#b"),
        ("[", "["),
        ("number", "12"),
        ("]", "]"),
        ("<>", "<>"),
        (":", ":c_2"),
        ("<=", "<="),
        (">=", ">="),
        ("=", "="),
        ("(", "("),
        (",", ","),
        (")", ")"),
        ("+", "+"),
        ("-", "-"),
        ("<EOF>", "<EOF>"),
    ]


def test_lexer_makes_unknown_characters_single_tokens() -> None:
    assert kinds("_a #:$") == [
        ("char", "_"),
        ("name", "a"),
        ("char", "#"),
        ("char", ":"),
        ("char", "$"),
        ("<EOF>", "<EOF>"),
    ]
    assert tokenize("ab ")[-1].start == 3


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        # AWS-recorded examples
        ("update", "INVALID SYNTAX HERE", 'token: "INVALID", near: "INVALID SYNTAX"'),
        ("update", "SET", 'token: "<EOF>", near: "SET"'),
        ("condition", "attribute_type()", 'token: ")", near: "()"'),
        ("update", "SET _123 = :v", 'token: "_", near: "SET _123"'),
        ("update", "SET a = :v +", 'token: "<EOF>", near: "+"'),
        ("projection", "l[a]", 'token: "a", near: "[a]"'),
        ("projection", "a b", 'token: "b", near: "a b"'),
        ("projection", "a,", 'token: "<EOF>", near: ","'),
        # the rest of the grammar
        ("update", "SET a = ", 'token: "<EOF>", near: "= "'),
        ("update", "set a = b + c + d", 'token: "+", near: "c + d"'),
        ("update", "set a = b * c", 'token: "*", near: "b * c"'),
        ("update", "set a[1] = 1", 'token: "1", near: "= 1"'),
        ("update", "set (a = (b + c))", 'token: "(", near: "set (a"'),
        ("update", "set a = (b.c).d + e", 'token: ".", near: ").d"'),
        ("update", "set a = (b + c) + d", 'token: "+", near: ") + d"'),
        ("update", "SET c = if_not_exists(c, :v + :n)", 'token: "+", near: ":v + :n"'),
        ("update", "SET a[:v] = :n", 'token: ":v", near: "[:v]"'),
        ("update", "SET :v = :n", 'token: ":v", near: "SET :v ="'),
        ("update", "remove a = b", 'token: "=", near: "a = b"'),
        ("update", "add a", 'token: "<EOF>", near: "a"'),
        ("update", "delete a b", 'token: "b", near: "a b"'),
        ("update", "set a b", 'token: "b", near: "a b"'),
        ("update", "SET set = :v", 'token: "set", near: "SET set ="'),
        ("update", "SET a = :v,", 'token: "<EOF>", near: ","'),
        ("update", "SET # = :v", 'token: "#", near: "SET # ="'),
        ("update", "SET a = :", 'token: ":", near: "= :"'),
        ("update", "SET a = _f(b)", 'token: "_", near: "= _f"'),
        ("condition", "a", 'token: "<EOF>", near: "a"'),
        ("condition", ":v", 'token: "<EOF>", near: ":v"'),
        ("condition", "(a)", 'token: "<EOF>", near: ")"'),
        ("condition", "a AND b = :v", 'token: "AND", near: "a AND b"'),
        ("condition", "NOT a", 'token: "<EOF>", near: "a"'),
        ("condition", "a == :v", 'token: "=", near: "== :v"'),
        ("condition", "a != :v", 'token: "!", near: "a !="'),
        ("condition", "a = :v $", 'token: "$", near: ":v $"'),
        ("condition", "a IN ()", 'token: ")", near: "()"'),
        ("condition", "a BETWEEN :v", 'token: "<EOF>", near: ":v"'),
        ("condition", "a BETWEEN :v OR :n", 'token: "OR", near: ":v OR :n"'),
        ("condition", "(a = :v) = :n", 'token: "=", near: ") = :n"'),
        ("condition", "a = (b = :v)", 'token: "=", near: "b = :v"'),
        ("condition", "and = :v", 'token: "and", near: "and ="'),
        ("condition", "a.between = :v", 'token: "between", near: ".between ="'),
        ("condition", "a = :v)", 'token: ")", near: ":v)"'),
        ("condition", "(a = :v", 'token: "<EOF>", near: ":v"'),
        ("condition", "a.1 = :v", 'token: "1", near: ".1 ="'),
        ("condition", "a[-1] = :v", 'token: "-", near: "[-1"'),
        ("condition", "a = :v AND", 'token: "<EOF>", near: "AND"'),
        ("condition", "a(b).c = :v", 'token: ".", near: ").c"'),
        ("projection", ",a", 'token: ",", near: ",a"'),
        ("projection", "a,,b", 'token: ",", near: ",,b"'),
        ("projection", "size(a)", 'token: "(", near: "size(a"'),
        ("projection", "#", 'token: "#", near: "#"'),
    ],
)
def test_syntax_errors_name_the_token_and_its_neighbours(
    kind: str, text: str, message: str, error
) -> None:
    ctx = ExpressionContext(None, VALUES)
    call = {"update": ctx.update, "condition": ctx.condition, "projection": ctx.projection}[kind]
    prefix = {"update": "UpdateExpression", "condition": "ConditionExpression"}.get(
        kind, "ProjectionExpression"
    )
    assert error(call, text) == f"Invalid {prefix}: Syntax error; {message}"


@pytest.mark.parametrize("kind", ["ConditionExpression", "FilterExpression"])
def test_the_prefix_follows_the_expression_kind(kind: str, error) -> None:
    ctx = ExpressionContext(None, None)
    assert error(ctx.condition, "a", kind=kind).startswith(f"Invalid {kind}: Syntax error;")


@pytest.mark.parametrize(
    "text",
    [
        "a = :v",
        "a<>:v",
        "a < :v and b <= :v Or c > :v AND d >= :v",
        "#a.b[0].#c = :v",
        "a [ 1 ] . b = :v",
        "a BeTwEeN :v aNd :v",
        "a in (:v, b, c.d)",
        "NOT NOT NOT a = :v",
        "(a = :v) AND ((b = :v) OR (c = :v))",
        "(a) = :v",
        "size(a) > :n",
        "size (a) > :n",
        "(size(a)) > :n",
        "attribute_exists(a)",
        "(attribute_exists(a))",
        "begins_with(a, :v) AND contains(b, :v)",
        "  a\t=\r\n:v  ",
    ],
)
def test_valid_condition_forms_parse(text: str) -> None:
    ExpressionContext({"#a": "x", "#c": "y"}, {":v": {"S": "x"}, ":n": {"N": "1"}}).condition(text)


@pytest.mark.parametrize(
    "text",
    [
        "SET a = :v",
        "set a=:v,b=:v",
        "SET a = b + :n, c = :n - b, d = if_not_exists(d, :n) + :n",
        "SET a = list_append(if_not_exists(a, :l), :l)",
        "SET a = (b)",
        "SET a = (b + c)",
        "SET a = ((c[1])+(b.a))",
        "REMOVE a, b.c[2], #a",
        "ADD a :n, b :ss",
        "DELETE a :ss",
        "REMOVE a SET b = :v ADD c :n DELETE d :ss",
        "  sEt   a=:v  ",
    ],
)
def test_valid_update_forms_parse(text: str) -> None:
    ExpressionContext({"#a": "x"}, VALUES).update(text)


def test_parses_are_cached_by_text() -> None:
    parse_condition.cache_clear()
    ExpressionContext(None, {":v": {"S": "1"}}).condition("cached = :v")
    ExpressionContext(None, {":v": {"N": "1"}}).condition("cached = :v")
    info = parse_condition.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_syntax_errors_are_cached_too() -> None:
    parse_condition.cache_clear()
    for _ in range(2):
        with pytest.raises(Exception, match="Syntax error"):
            ExpressionContext(None, None).condition("= =")
    assert parse_condition.cache_info().hits == 1


@pytest.mark.parametrize(
    "text",
    [
        "((a = :v))",
        "((a = :v AND b = :v))",
        "a = :v OR ((b = :v))",
        "((a)) = :v",
        "a IN (((b)), c)",
        "(NOT ((a = :v)))",
    ],
)
def test_redundant_parentheses_are_refused(text: str, error) -> None:
    """A pair of parentheses that only wraps another pair: architect/dynalite
    db/conditionParser.pegjs and dynalite issue #99 (probed on AWS: `((a AND b) AND c)` passes,
    `((a AND b))` does not)."""
    ctx = ExpressionContext(None, {":v": {"S": "x"}})
    assert error(ctx.condition, text) == (
        "Invalid ConditionExpression: The expression has redundant parentheses;"
    )
    assert error(ctx.condition, text + " AND", kind="FilterExpression").startswith(
        "Invalid FilterExpression: Syntax error;"
    )


def test_needed_and_single_parentheses_pass() -> None:
    ctx = ExpressionContext(None, {":v": {"S": "x"}})
    for text in (
        "((a = :v AND b = :v) AND c = :v)",
        "(a = :v)",
        "(a) = (:v)",
        "((a = :v) OR b = :v)",
    ):
        ctx.condition(text)


def test_nesting_is_bounded(error) -> None:
    ctx = ExpressionContext(None, {":v": {"S": "x"}})
    deep = "size(" * MAX_NESTING + "a" + ")" * MAX_NESTING + " = :v"
    assert isinstance(parse_condition(deep), ast.Compare)
    too_deep = "(" * (MAX_NESTING + 1) + "a = :v" + ")" * (MAX_NESTING + 1)
    assert 'Syntax error; token: "("' in error(ctx.condition, too_deep)
    assert "Syntax error" in error(ctx.condition, "NOT " * 1000 + "a = :v")
    assert "Syntax error" in error(ctx.condition, "size(" * 600 + "a" + ")" * 600 + " = :v")
