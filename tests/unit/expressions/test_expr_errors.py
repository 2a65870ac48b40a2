"""Binding errors: placeholders, reserved words, functions, operand types, and the order in
which DynamoDB reports them when an expression has several problems."""

from functools import reduce

import pytest

from tidal.dynamodb.expressions import ExpressionContext

VALUES = {
    ":s": {"S": "x"},
    ":n": {"N": "1"},
    ":big": {"N": "5"},
    ":b": {"B": "YQ=="},
    ":l": {"L": []},
    ":m": {"M": {}},
    ":ss": {"SS": ["a"]},
    ":bool": {"BOOL": True},
    ":null": {"NULL": True},
    ":t": {"S": "DOG"},
}
PREFIX = "Invalid ConditionExpression: "
INVALID = "One or more parameter values were invalid: "
OVERFLOW = (
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
)
UNDERFLOW = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)


def condition_error(text: str, error, names: dict | None = None, values=VALUES) -> str:
    message = error(ExpressionContext(names, values).condition, text)
    assert message.startswith(PREFIX)
    return message[len(PREFIX) :]


# -- the request's placeholder maps ---------------------------------------------------------


def test_names_must_not_be_empty(error) -> None:
    assert error(ExpressionContext, {"#a": ""}, None) == (
        "ExpressionAttributeNames contains invalid value: Empty attribute name for key #a"
    )
    # the maps' keys are checked first, then the values' contents, then the names'
    assert error(ExpressionContext, {"#a": ""}, {":v": {}}).startswith(
        "ExpressionAttributeValues contains invalid value:"
    )
    assert error(ExpressionContext, {"a": ""}, {"v": {}}).startswith(
        "ExpressionAttributeNames contains invalid key:"
    )


def test_name_keys_are_at_most_255_bytes(error) -> None:
    longest = "#" + "a" * 254
    ExpressionContext({longest: "x" * 300}, None).projection(longest)
    assert error(ExpressionContext, {longest + "a": "x"}, None) == (
        "ExpressionAttributeNames contains invalid key: The expression attribute map contains a "
        "key that is too long; size of key: 256"
    )


def test_empty_maps_are_refused(error) -> None:
    assert error(ExpressionContext, {}, None) == "ExpressionAttributeNames must not be empty"
    assert error(ExpressionContext, None, {}) == "ExpressionAttributeValues must not be empty"


@pytest.mark.parametrize("key", ["a", "#", "#a-b", "#a b", ":a", "##a"])
def test_name_keys_must_look_like_placeholders(key: str, error) -> None:
    assert error(ExpressionContext, {key: "x"}, None) == (
        f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"'
    )


@pytest.mark.parametrize("key", ["b", ":", ":a-b", "#a"])
def test_value_keys_must_look_like_placeholders(key: str, error) -> None:
    assert error(ExpressionContext, None, {key: {"S": "x"}}) == (
        f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {},
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ),
        (
            {"a": ""},
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ),
        (
            {"M": {"a": {}}},
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ),
        (
            {"L": [{}]},
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ),
        (
            {"S": "a", "N": "1"},
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes",
        ),
        (
            {"NULL": False},
            INVALID + "Null attribute value types must have the value of true",
        ),
        ({"SS": []}, INVALID + "An string set  may not be empty"),
        ({"NS": []}, INVALID + "An number set  may not be empty"),
        ({"BS": []}, INVALID + "Binary sets should not be empty"),
        (
            {"SS": ["a", "a"]},
            INVALID + "Input collection [a, a] contains duplicates.",
        ),
        (
            {"BS": ["Yg==", "Yg=="]},
            INVALID + "Input collection [Yg==, Yg==]of type BS contains duplicates.",
        ),
        ({"NS": ["1", "1.0"]}, "Input collection contains duplicates"),
        ({"N": ""}, "The parameter cannot be converted to a numeric value"),
        ({"N": "b"}, "The parameter cannot be converted to a numeric value: b"),
        ({"N": " 1"}, "The parameter cannot be converted to a numeric value:  1"),
        ({"N": "NaN"}, "The parameter cannot be converted to a numeric value: NaN"),
        ({"NS": ["1", "b"]}, "The parameter cannot be converted to a numeric value: b"),
        ({"S": "a", "N": "b"}, "The parameter cannot be converted to a numeric value: b"),
        (
            reduce(lambda value, _: {"L": [value]}, range(33), {"S": "x"}),
            "Nesting Levels have exceeded supported limits: "
            "Attributes in the item have nested levels beyond supported limit",
        ),
        (
            {"N": "123456789012345678901234567890123456789"},
            "Attempting to store more than 38 significant digits in a Number",
        ),
        (
            {"N": "1e126"},
            OVERFLOW,
        ),
        (
            {"N": "-1e-131"},
            UNDERFLOW,
        ),
    ],
)
def test_values_must_be_valid_attribute_values(value: dict, message: str, error) -> None:
    assert error(ExpressionContext, None, {":b": value}) == (
        f"ExpressionAttributeValues contains invalid value: {message} for key :b"
    )


@pytest.mark.parametrize(
    "value",
    [
        {"S": ""},
        {"B": ""},
        {"SS": [""]},
        {"L": []},
        {"M": {}},
        {"N": "+3"},
        {"N": ".123"},
        {"N": "0001.23"},
        {"N": "1e+5"},
        {"N": "0e1000"},
        {"N": "9.9999999999999999999999999999999999999E+125"},
        {"N": "1E-130"},
        {"N": "100000000000000000000000000000000000000000"},
    ],
)
def test_values_that_dynamodb_accepts(value: dict) -> None:
    ExpressionContext(None, {":v": value}).condition("a = :v")


def test_numbers_in_values_are_canonicalized() -> None:
    ctx = ExpressionContext(None, {":v": {"M": {"n": {"N": "0001.50"}, "s": {"NS": ["1E2"]}}}})
    new, _ = ctx.update("SET a = :v").apply({})
    assert new == {"a": {"M": {"n": {"N": "1.5"}, "s": {"NS": ["100"]}}}}


def test_unused_placeholders_are_refused_at_finish(error) -> None:
    ctx = ExpressionContext({"#a": "a", "#unused": "b"}, {":v": {"S": "x"}, ":unused": {"S": "y"}})
    ctx.condition("#a = :v")
    assert error(ctx.finish) == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"
    )
    ctx = ExpressionContext(None, {":v": {"S": "x"}, ":u1": {"S": "y"}, ":u2": {"S": "z"}})
    ctx.condition("a = :v")
    assert error(ctx.finish) == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:u1, :u2}"
    )


def test_placeholders_used_by_any_expression_of_the_request_count() -> None:
    ctx = ExpressionContext({"#a": "a", "#b": "b", "#p": "p"}, {":v": {"S": "x"}, ":w": {"N": "1"}})
    ctx.condition("#a = :v OR #b = :v")
    ctx.update("SET x = :w")
    ctx.projection("#p")
    ctx.finish()


def test_empty_and_oversized_expressions(error) -> None:
    ctx = ExpressionContext(None, None)
    for kind, call in (
        ("ConditionExpression", ctx.condition),
        ("UpdateExpression", ctx.update),
        ("ProjectionExpression", ctx.projection),
        ("KeyConditionExpression", ctx.key_condition),
    ):
        assert error(call, "") == f"Invalid {kind}: The expression can not be empty;"
    assert error(ctx.condition, "", kind="FilterExpression") == (
        "Invalid FilterExpression: The expression can not be empty;"
    )
    assert error(ctx.condition, " \t\n") == (
        "Invalid ConditionExpression: The expression can not be empty;"
    )
    text = "a = b OR " * 500 + "a = b"
    assert error(ctx.condition, text) == (
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; "
        f"expression size: {len(text)}"
    )
    assert error(ctx.projection, "é" * 2049).endswith("expression size: 4098")
    ctx.projection("#" * 0 + "a" * 4096)


TOO_MANY_OPERATORS = "The expression contains too many operators; operator count: 301"


@pytest.mark.parametrize(
    ("text", "operators"),
    [
        ("a < b" + " AND a < b" * 149, 299),
        ("a < b" + " OR (a < b" * 149 + ")" * 149, 299),
        ("a IN (" + ", ".join(["b"] * 99) + ")" + " AND a = b" * 149, 299),
        ("NOT a BETWEEN b AND c" + " AND attribute_exists(a)" * 149, 300),
        ("size(a) > b" + " AND a = b" * 149, 300),
    ],
)
def test_at_most_300_operators(text: str, operators: int, error) -> None:
    """Comparisons, AND/OR/NOT, BETWEEN, IN (one, whatever its operands) and functions count;
    DynamoDB reports 301 whatever the total (scylladb test/alternator/test_expression.py
    test_deeply_nested_expression_2, checked on AWS)."""
    ExpressionContext(None, None).condition(text)
    assert error(ExpressionContext(None, None).condition, text + " AND a = b") == (
        f"Invalid ConditionExpression: {TOO_MANY_OPERATORS}"
    )


def test_update_operators_are_arithmetic_and_functions(error) -> None:
    """SET's `=` is no operator; `+`, `-` and functions are."""
    ctx = ExpressionContext(None, {":v": {"N": "1"}})
    sets = ",".join(f"a{i}=a+:v" for i in range(299))
    ctx.update(f"SET {sets},b=if_not_exists(c,:v)")
    assert error(ctx.update, f"SET {sets},b=if_not_exists(c,:v),d=c-:v") == (
        f"Invalid UpdateExpression: {TOO_MANY_OPERATORS}"
    )


# -- conditions -------------------------------------------------------------------------------


def test_undefined_placeholders(error) -> None:
    assert condition_error("#missing = :s", error) == (
        "An expression attribute name used in the document path is not defined; "
        "attribute name: #missing"
    )
    assert condition_error("a = :missing", error) == (
        "An expression attribute value used in expression is not defined; attribute value: :missing"
    )
    assert condition_error("a.#x = :missing", error, names={"#y": "y"}).endswith("#x")


def test_document_paths_nest_at_most_32_levels(error) -> None:
    """Sources: nubo-db/dynoxide and an independent JS emulator agree on the message."""
    assert condition_error("attribute_exists(a" + ".b" * 32 + ")", error) == (
        "The document path has too many nesting levels; nesting levels: 33"
    )
    assert condition_error("l" + "[0]" * 33 + " = :s", error).endswith("nesting levels: 34")
    ExpressionContext(None, None).condition("attribute_exists(a" + ".b" * 31 + ")")
    projection = ExpressionContext({"#a": "a"}, None).projection
    assert error(projection, "x, #a" + "[1]" * 32) == (
        "Invalid ProjectionExpression: The document path has too many nesting levels; "
        "nesting levels: 33"
    )
    update = ExpressionContext(None, None).update
    assert error(update, "REMOVE a" + ".b" * 32).endswith("nesting levels: 33")


@pytest.mark.parametrize(
    ("text", "word"),
    [("name = :s", "name"), ("a.Size = :s", "Size"), ("contains(#a, Status)", "Status")],
)
def test_reserved_words_need_placeholders(text: str, word: str, error) -> None:
    assert condition_error(text, error, names={"#a": "a"}) == (
        f"Attribute name is a reserved keyword; reserved keyword: {word}"
    )


def test_function_names_are_checked_case_sensitively(error) -> None:
    assert condition_error("foo(a)", error) == "Invalid function name; function: foo"
    assert condition_error("ATTRIBUTE_EXISTS(a)", error) == (
        "Invalid function name; function: ATTRIBUTE_EXISTS"
    )
    assert condition_error("dog(a) = :n", error) == "Invalid function name; function: dog"


@pytest.mark.parametrize(
    ("text", "function"),
    [
        ("size(a)", "size"),
        ("NOT size(a)", "size"),
        ("(size(a))", "size"),
        ("a = :s AND size(a)", "size"),
        ("attribute_exists(a) < :n", "attribute_exists"),
        ("begins_with(a, :s) = :bool", "begins_with"),
        ("a = contains(b, :s)", "contains"),
        ("size(attribute_exists(a)) = :n", "attribute_exists"),
        ("if_not_exists(a, a) = :n", "if_not_exists"),
        ("list_append(a, a) = :n", "list_append"),
        ("if_not_exists(a, :s)", "if_not_exists"),
        ("a IN (attribute_type(a, :t))", "attribute_type"),
    ],
)
def test_functions_used_where_not_allowed(text: str, function: str, error) -> None:
    assert condition_error(text, error) == (
        f"The function is not allowed to be used this way in an expression; function: {function}"
    )


@pytest.mark.parametrize(
    ("text", "function", "count"),
    [
        ("begins_with(a)", "begins_with", 1),
        ("begins_with(a, :s, :s)", "begins_with", 3),
        ("attribute_exists(a, b)", "attribute_exists", 2),
        ("attribute_type(a)", "attribute_type", 1),
        ("contains(a)", "contains", 1),
        ("size(a, a) = :n", "size", 2),
    ],
)
def test_operand_counts(text: str, function: str, count: int, error) -> None:
    assert condition_error(text, error) == (
        "Incorrect number of operands for operator or function; "
        f"operator or function: {function}, number of operands: {count}"
    )


@pytest.mark.parametrize(
    ("text", "function", "kind"),
    [
        ("begins_with(a, :n)", "begins_with", "N"),
        ("begins_with(:l, a)", "begins_with", "L"),
        ("begins_with(a, size(b))", "begins_with", "N"),
        ("size(:n) = :n", "size", "N"),
        ("size(:bool) = :n", "size", "BOOL"),
        ("size(:null) = :n", "size", "NULL"),
        ("attribute_type(a, :n)", "attribute_type", "N"),
        ("attribute_type(a, b)", "attribute_type", "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"),
        ("a < :l", "<", "L"),
        (":ss >= a", ">=", "SS"),
        ("a > :bool", ">", "BOOL"),
        ("a <= :m", "<=", "M"),
        ("a BETWEEN :l AND :l", "BETWEEN", "L"),
        ("a BETWEEN :n AND :null", "BETWEEN", "NULL"),
    ],
)
def test_operand_types(text: str, function: str, kind: str, error) -> None:
    assert condition_error(text, error) == (
        "Incorrect operand type for operator or function; "
        f"operator or function: {function}, operand type: {kind}"
    )


def test_attribute_type_names_must_be_known(error) -> None:
    assert condition_error("attribute_type(a, :t)", error) == (
        "Invalid attribute type name found; type: DOG, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
    )


def test_existence_functions_need_a_path(error) -> None:
    for function in ("attribute_exists", "attribute_not_exists"):
        assert condition_error(f"{function}(:s)", error) == (
            f"Operator or function requires a document path; operator or function: {function}"
        )


@pytest.mark.parametrize(
    ("text", "operator", "path"),
    [
        ("a = a", "=", "[a]"),
        ("a.b[1] <> a.b[1]", "<>", "[a, b, [1]]"),
        ("contains(a, a)", "contains", "[a]"),
        ("begins_with(#x, a)", "begins_with", "[a]"),
    ],
)
def test_operands_must_be_distinct(text: str, operator: str, path: str, error) -> None:
    assert condition_error(text, error, names={"#x": "a"}) == (
        "The first operand must be distinct from the remaining operands for this operator or "
        f"function; operator: {operator}, first operand: {path}"
    )


def test_between_bounds_given_as_values(error) -> None:
    assert condition_error("a BETWEEN :big AND :n", error) == (
        "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
        "lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"
    )
    assert condition_error("a BETWEEN :n AND :s", error) == (
        "The BETWEEN operator requires same data type for lower and upper bounds; "
        "lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:x}"
    )
    ExpressionContext(None, VALUES).condition("a BETWEEN :n AND :n")
    ExpressionContext(None, VALUES).condition("a BETWEEN :big AND b")


def test_error_precedence(error) -> None:
    # an unknown function outranks a misused one, which outranks a reserved word...
    assert condition_error("name = :s AND size(a) AND foo(a)", error) == (
        "Invalid function name; function: foo"
    )
    assert condition_error("name = :s AND size(a)", error).startswith("The function is not")
    # ... which outranks every problem inside a single condition
    assert condition_error("#missing = :s AND name = :s", error).startswith(
        "Attribute name is a reserved keyword"
    )
    # the first condition with a problem is reported, by its own ranking
    assert condition_error("begins_with(a, :n) AND #missing = :s", error).startswith(
        "Incorrect operand type"
    )
    assert condition_error("begins_with(a, :n, :nope)", error).startswith(
        "An expression attribute value used in expression is not defined"
    )
    assert condition_error("begins_with(a, :n, :s)", error).startswith(
        "Incorrect number of operands"
    )
    assert condition_error("contains(a, a) AND a < :l", error).startswith(
        "The first operand must be distinct"
    )
    assert condition_error("a = a AND attribute_type(a, :t)", error).startswith(
        "The first operand must be distinct"
    )


def test_syntax_errors_come_before_everything_else(error) -> None:
    assert condition_error("foo(name) = :missing AND", error).startswith("Syntax error;")
