"""Parse/print round trips: random syntax trees, printed with the least parentheses the
precedence rules allow, parse back to the same tree."""

from hypothesis import given, settings
from hypothesis import strategies as st

from tidal.dynamodb.expressions import ast
from tidal.dynamodb.expressions.parser import parse_condition, parse_projection, parse_update

names = st.sampled_from(["a", "b", "c1", "x_y", "Amount", "#a", "#b_2", "#0"])
paths = st.builds(
    lambda head, tail: ast.Path((head, *tail)),
    names,
    st.lists(names | st.integers(min_value=0, max_value=30), max_size=3),
)
values = st.sampled_from([":v", ":w", ":0", ":long_name"]).map(ast.ValueRef)
plain = paths | values
operands = plain | st.builds(lambda p: ast.Call("size", (p,)), paths)
functions = st.builds(
    ast.Call,
    st.sampled_from(["attribute_exists", "begins_with", "contains", "foo"]),
    st.lists(operands, min_size=1, max_size=3).map(tuple),
)
leaves = st.one_of(
    st.builds(ast.Compare, st.sampled_from(["=", "<>", "<", "<=", ">", ">="]), operands, operands),
    st.builds(ast.Between, operands, operands, operands),
    st.builds(ast.In, operands, st.lists(operands, min_size=1, max_size=4).map(tuple)),
    functions,
)
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(ast.And, st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.builds(ast.Or, st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.builds(ast.Not, inner),
    ),
    max_leaves=8,
)


def show_path(path: ast.Path) -> str:
    text = str(path.elements[0])
    for element in path.elements[1:]:
        text += f"[{element}]" if isinstance(element, int) else f".{element}"
    return text


def show_operand(node) -> str:
    if isinstance(node, ast.Path):
        return show_path(node)
    if isinstance(node, ast.ValueRef):
        return node.name
    if isinstance(node, ast.Arith):
        return f"{show_operand(node.left)} {node.op} {show_operand(node.right)}"
    return f"{node.name}({', '.join(show_operand(arg) for arg in node.args)})"


def show(node, keyword_case=str.upper) -> str:
    def nested(child, looser) -> str:
        text = show(child, keyword_case)
        return f"({text})" if isinstance(child, looser) else text

    if isinstance(node, ast.Or):
        return f" {keyword_case('OR')} ".join(nested(i, ast.Or) for i in node.items)
    if isinstance(node, ast.And):
        return f" {keyword_case('AND')} ".join(nested(i, ast.And | ast.Or) for i in node.items)
    if isinstance(node, ast.Not):
        return f"{keyword_case('NOT')} " + nested(node.item, ast.And | ast.Or)
    if isinstance(node, ast.Compare):
        return f"{show_operand(node.left)} {node.op} {show_operand(node.right)}"
    if isinstance(node, ast.Between):
        low, high = show_operand(node.low), show_operand(node.high)
        return f"{show_operand(node.value)} {keyword_case('BETWEEN')} {low} AND {high}"
    if isinstance(node, ast.In):
        choices = ", ".join(show_operand(c) for c in node.choices)
        return f"{show_operand(node.value)} {keyword_case('IN')} ({choices})"
    return show_operand(node)


@settings(max_examples=150, deadline=None)
@given(conditions, st.sampled_from([str.upper, str.lower, str.title]))
def test_conditions_round_trip(tree, keyword_case) -> None:
    assert parse_condition(show(tree, keyword_case)) == tree


@settings(max_examples=100, deadline=None)
@given(conditions)
def test_parentheses_around_a_condition_do_not_change_the_tree(tree) -> None:
    assert parse_condition(f"({show(tree)})") == tree
    assert parse_condition(f"(({show(tree)}))").message == (
        "The expression has redundant parentheses;"
    )


set_values = st.one_of(
    operands,
    st.builds(ast.Arith, st.sampled_from(["+", "-"]), plain, plain),
    st.builds(lambda a, b: ast.Call("list_append", (a, b)), plain, plain),
    st.builds(lambda p, v: ast.Arith("+", ast.Call("if_not_exists", (p, v)), v), paths, values),
)
clauses = st.one_of(
    st.lists(st.builds(ast.Action, st.just("SET"), paths, set_values), min_size=1, max_size=3),
    st.lists(st.builds(ast.Action, st.just("REMOVE"), paths, st.none()), min_size=1, max_size=3),
    st.lists(st.builds(ast.Action, st.just("ADD"), paths, values), min_size=1, max_size=3),
    st.lists(st.builds(ast.Action, st.just("DELETE"), paths, values), min_size=1, max_size=3),
)


def show_action(action: ast.Action) -> str:
    if action.clause == "SET":
        return f"{show_path(action.path)} = {show_operand(action.value)}"
    if action.clause == "REMOVE":
        return show_path(action.path)
    return f"{show_path(action.path)} {action.value.name}"


@settings(max_examples=200, deadline=None)
@given(st.lists(clauses, min_size=1, max_size=4))
def test_updates_round_trip(groups) -> None:
    text = " ".join(
        group[0].clause.lower() + " " + ", ".join(show_action(a) for a in group) for group in groups
    )
    expected = ast.Update(
        tuple(group[0].clause for group in groups),
        tuple(action for group in groups for action in group),
    )
    assert parse_update(text) == expected


@given(st.lists(paths, min_size=1, max_size=5))
def test_projections_round_trip(items) -> None:
    text = ",".join(show_path(p) for p in items)
    assert parse_projection(text) == ast.Projection(tuple(items))
