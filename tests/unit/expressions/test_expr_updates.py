"""Update expressions: applying SET, REMOVE, ADD and DELETE, and their errors."""

import copy
import re

import pytest

from tidal.dynamodb.expressions import ExpressionContext, project_paths

N = lambda text: {"N": text}  # noqa: E731
S = lambda text: {"S": text}  # noqa: E731
L = lambda *items: {"L": list(items)}  # noqa: E731
M = lambda **members: {"M": members}  # noqa: E731

PREFIX = "Invalid UpdateExpression: "


def update(text: str, item: dict, values: dict | None = None, names: dict | None = None, **kw):
    """Apply `text`, given only the values it uses, and check the request's placeholders."""
    used = set(re.findall(r":\w+", text))
    values = {k: v for k, v in (values or {}).items() if k in used} or None
    ctx = ExpressionContext(names, values)
    new, paths = ctx.update(text).apply(item, **kw)
    ctx.finish()
    return new, paths


def bind_error(text: str, error, values: dict | None = None, names: dict | None = None) -> str:
    message = error(ExpressionContext(names, values).update, text)
    assert message.startswith(PREFIX)
    return message[len(PREFIX) :]


def apply_error(text: str, item: dict, error, values: dict | None = None, **kw) -> str:
    upd = ExpressionContext(None, values).update(text)
    before = copy.deepcopy(item)
    message = error(upd.apply, item, **kw)
    assert item == before  # all or nothing: the caller's item is untouched
    return message


# -- SET --------------------------------------------------------------------------------------


def test_set_merges_into_the_item() -> None:
    new, paths = update("SET b = :v, c = :v", {"a": S("hi")}, {":v": N("4")})
    assert new == {"a": S("hi"), "b": N("4"), "c": N("4")}
    assert paths == [("b",), ("c",)]


def test_set_reads_every_operand_from_the_item_as_it_was() -> None:
    new, _ = update("SET a = tally, tally = :ten", {"tally": N("1")}, {":ten": N("10")})
    assert new == {"a": N("1"), "tally": N("10")}


def test_set_copy_of_a_missing_attribute_fails(error) -> None:
    message = "The provided expression refers to an attribute that does not exist in the item"
    assert apply_error("SET c = z", {"a": S("x")}, error) == message
    assert apply_error("SET x = :v, y = x", {}, error, {":v": N("1")}) == message
    assert apply_error("SET a = list_append(b, :l)", {}, error, {":l": L()}) == message
    assert apply_error("SET a = b.c + :n", {"b": M()}, error, {":n": N("1")}) == message


def test_set_nested_paths() -> None:
    item = {"a": M(b=N("3"), c=L(S("hi"), M(x=M(y=L(N("3"), N("5"), N("7")))))), "d": N("5")}
    new, paths = update("SET a.c[1].#n.y[1] = :v, a.z = :v", item, {":v": N("9")}, {"#n": "x"})
    assert new["a"]["M"]["c"]["L"][1] == M(x=M(y=L(N("3"), N("9"), N("7"))))
    assert new["a"]["M"]["z"] == N("9")
    assert item["a"]["M"]["c"]["L"][1] == M(x=M(y=L(N("3"), N("5"), N("7"))))
    assert "z" not in item["a"]["M"]
    assert paths == [("a", "c", 1, "x", "y", 1), ("a", "z")]


def test_set_with_a_dot_in_a_placeholder_names_one_attribute() -> None:
    new, _ = update("SET #a = :v", {}, {":v": N("3")}, {"#a": "a.b"})
    assert new == {"a.b": N("3")}


def test_set_list_elements_past_the_end_append_in_index_order() -> None:
    item = {"a": L(S("one"), S("two"), S("three"))}
    new, _ = update("SET a[7] = :v", item, {":v": S("hello")})
    assert new["a"] == L(S("one"), S("two"), S("three"), S("hello"))
    values = {":1": S("a1"), ":2": S("a2"), ":3": S("a3"), ":4": S("a4")}
    new, _ = update("SET a[84] = :1, a[37] = :2, a[17] = :3, a[50] = :4", item, values)
    assert new["a"] == L(S("one"), S("two"), S("three"), S("a3"), S("a2"), S("a4"), S("a1"))
    new, _ = update("SET a[0] = :v", {"a": L()}, {":v": S("first")})
    assert new["a"] == L(S("first"))


def test_list_indexes_refer_to_the_list_as_it_was() -> None:
    item = {"a": L(*(N(str(i)) for i in (2, 3, 4, 5, 6, 7)))}
    expected = L(N("2"), N("4"), N("17"), N("6"), N("7"))
    for text in ("REMOVE a[1] SET a[3] = :v", "SET a[3] = :v REMOVE a[1]"):
        new, _ = update(text, item, {":v": N("17")})
        assert new["a"] == expected


def test_nested_update_as_dynamodb_applies_it() -> None:
    # An AWS-recorded case: arithmetic, copies, list replacements and appends in one request.
    item = {"a": S("key"), "b": M(a=N("1"), b=N("2"), c=N("3")), "c": L(N("1"), N("3"))}
    text = (
        "set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a"
    )
    new, paths = update(text, item, {":a": N("2"), ":b": {"SS": ["a"]}})
    assert new == {
        "a": S("key"),
        "b": M(a=S("key"), b=N("2"), c=N("4")),
        "c": L(N("1"), S("key"), N("3"), N("-1"), N("2"), {"SS": ["a"]}),
    }
    assert project_paths(new, paths) == {
        "b": M(a=S("key"), c=N("4")),
        "c": L(S("key"), N("3"), N("2")),
    }
    assert project_paths(item, paths) == {"b": M(a=N("1"), c=N("3")), "c": L(N("3"))}


def test_arithmetic() -> None:
    values = {":a": N("1"), ":b": N("10000000000000000000000"), ":f": N("0.2")}
    new, _ = update("SET x = :a + :b, y = :b - :a, f = f + :f", {"f": N("0.1")}, values)
    assert new == {
        "x": N("10000000000000000000001"),
        "y": N("9999999999999999999999"),
        "f": N("0.3"),
    }
    new, _ = update("SET n = n - :n", {"n": N("1.5")}, {":n": N("1.5")})
    assert new == {"n": N("0")}
    new, _ = update("SET n = :n + n", {"n": N("-0.5")}, {":n": N("1.5E2")})
    assert new == {"n": N("149.5")}


def test_arithmetic_outside_dynamodb_numbers_fails(error) -> None:
    overflow = (
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    )
    values = {":a": N("9e125"), ":b": N("-9e125"), ":c": N("1e50"), ":one": N("1")}
    assert apply_error("SET x = :a + :a", {}, error, values) == overflow
    assert apply_error("SET x = :a - :b", {}, error, values) == overflow
    assert apply_error("SET x = :c + :one", {}, error, values) == overflow  # 51 digits
    assert apply_error("SET x = :c - :one", {}, error, values) == overflow
    underflow = (
        "Number underflow. Attempting to store a number with magnitude smaller than supported range"
    )
    tiny = {":a": N("2e-130"), ":b": N("1.5e-130")}
    assert apply_error("SET x = :a - :b", {}, error, tiny) == underflow


def test_arithmetic_needs_numbers(error) -> None:
    wrong = "An operand in the update expression has an incorrect data type"
    assert apply_error("SET e = a + :n", {"a": S("x")}, error, {":n": N("1")}) == wrong
    assert apply_error("SET e = :n - b", {"b": L()}, error, {":n": N("1")}) == wrong
    assert (
        apply_error("SET e = list_append(d, :l)", {"d": {"NS": ["1"]}}, error, {":l": L()}) == wrong
    )


def test_if_not_exists() -> None:
    values = {":v": N("2"), ":w": N("3")}
    new, _ = update("SET a = if_not_exists(a, :v)", {}, {":v": N("2")})
    assert new == {"a": N("2")}
    new, _ = update("SET a = if_not_exists(a, :w)", new, {":w": N("3")})
    assert new == {"a": N("2")}
    new, _ = update("SET b = if_not_exists(a, :w)", new, {":w": N("3")})
    assert new == {"a": N("2"), "b": N("2")}
    new, _ = update("SET t = if_not_exists(t, :v) + :w", {}, values)
    assert new == {"t": N("5")}
    new, _ = update("SET x = if_not_exists(b, if_not_exists(c, :v))", {}, {":v": N("2")})
    assert new == {"x": N("2")}


def test_list_append() -> None:
    item = {"a": L(S("hi"), N("2"))}
    values = {":v": L(N("4")), ":e": L()}
    new, _ = update("SET a = list_append(a, :v), f = list_append(:v, a)", item, values)
    assert new["a"] == L(S("hi"), N("2"), N("4"))
    assert new["f"] == L(N("4"), S("hi"), N("2"))
    new, _ = update("SET g = list_append(if_not_exists(g, :e), :v)", {}, values)
    assert new["g"] == L(N("4"))


# -- REMOVE -----------------------------------------------------------------------------------


def test_remove() -> None:
    item = {
        "a": M(b=N("3"), c=L(S("hi"), M(x=M(y=L(N("3"), N("5"), N("7"))), q=N("2")))),
        "label": S("x"),
        "l": L(N("1"), N("2"), N("3")),
    }
    new, _ = update("REMOVE a.c[1].x.y[1], a.c[1].q, #l, l[0], l[2]", item, names={"#l": "label"})
    assert new == {"a": M(b=N("3"), c=L(S("hi"), M(x=M(y=L(N("3"), N("7")))))), "l": L(N("2"))}


def test_remove_of_missing_things_is_ignored() -> None:
    item = {"a": M(x=N("3")), "b": L(S("hi"))}
    new, _ = update("REMOVE a.y, b[7], c", item)
    assert new == item


def test_removing_the_last_member_leaves_an_empty_container() -> None:
    new, _ = update("REMOVE a.b, l[0]", {"a": M(b=N("1")), "l": L(N("1"))})
    assert new == {"a": M(), "l": L()}


# -- ADD and DELETE ---------------------------------------------------------------------------


def test_add_numbers_and_sets() -> None:
    item = {"n": N("3"), "tags": {"SS": ["a", "b"]}}
    values = {":five": N("5"), ":more": {"SS": ["b", "c"]}, ":ns": {"NS": ["1"]}}
    new, _ = update("ADD n :five, fresh :five, tags :more, nums :ns", item, values)
    assert new == {
        "n": N("8"),
        "fresh": N("5"),
        "tags": {"SS": ["a", "b", "c"]},
        "nums": {"NS": ["1"]},
    }
    new, _ = update("ADD s :v", {"s": {"NS": ["1", "2"]}}, {":v": {"NS": ["2.0", "3"]}})
    assert new == {"s": {"NS": ["1", "2", "3"]}}
    new, _ = update("ADD s :v", {"s": {"BS": ["AQI=", "Ag=="]}}, {":v": {"BS": ["Ag==", "AQ=="]}})
    assert new == {"s": {"BS": ["AQI=", "Ag==", "AQ=="]}}


def test_add_to_a_nested_member_and_past_the_end_of_a_list() -> None:
    item = {"m": M(c=N("1")), "l": L(N("1"))}
    new, _ = update("ADD m.c :n, m.d :n, l[0] :n, l[5] :n", item, {":n": N("2")})
    assert new == {"m": M(c=N("3"), d=N("2")), "l": L(N("3"), N("2"))}


def test_delete_from_sets() -> None:
    item = {"a": {"SS": ["dog", "cat", "mouse"]}, "b": S("hi")}
    new, _ = update("DELETE a :v", item, {":v": {"SS": ["cat", "mouse", "pig"]}})
    assert new == {"a": {"SS": ["dog"]}, "b": S("hi")}
    new, _ = update("DELETE a :v", new, {":v": {"SS": ["dog"]}})
    assert new == {"b": S("hi")}
    new, _ = update("DELETE a :v", new, {":v": {"SS": ["dog"]}})
    assert new == {"b": S("hi")}
    new, _ = update("DELETE n :v", {"n": {"NS": ["1", "2"]}}, {":v": {"NS": ["1.0"]}})
    assert new == {"n": {"NS": ["2"]}}
    new, _ = update("DELETE l[0] :v", {"l": L({"SS": ["x"]}, N("1"))}, {":v": {"SS": ["x"]}})
    assert new == {"l": L(N("1"))}


def test_add_and_delete_need_matching_types(error) -> None:
    wrong = "An operand in the update expression has an incorrect data type"
    item = {"n": N("1"), "s": S("x"), "ss": {"SS": ["a"]}, "ns": {"NS": ["1"]}}
    assert apply_error("ADD s :n", item, error, {":n": N("1")}) == wrong
    assert apply_error("ADD ss :n", item, error, {":n": N("1")}) == wrong
    assert apply_error("ADD n :ss", item, error, {":ss": {"SS": ["a"]}}) == wrong
    assert apply_error("ADD ss :ns", item, error, {":ns": {"NS": ["1"]}}) == wrong
    assert apply_error("DELETE ss :ns", item, error, {":ns": {"NS": ["1"]}}) == wrong
    assert apply_error("DELETE n :ns", item, error, {":ns": {"NS": ["1"]}}) == wrong


# -- paths that cannot be updated, and all-or-nothing -----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "SET a.c = :v",
        "SET b.c = :v",
        "SET c.c = :v",
        "SET a[0] = :v",
        "SET m[0] = :v",
        "SET l.x = :v",
        "SET c[0] = :v",
        "SET m.x.y = :v",
        "REMOVE a.c",
        "REMOVE b.c",
        "REMOVE c.c",
        "REMOVE a[0]",
        "ADD c.c :ss",
        "ADD m[1] :ss",
        "DELETE l.x :ss",
        "DELETE c[1] :ss",
    ],
)
def test_paths_through_missing_or_wrong_containers(text: str, error) -> None:
    item = {"a": S("hello"), "b": L(S("hi")), "m": M(k=S("v")), "l": L(S("x"))}
    values = {":v": N("7"), ":ss": {"SS": ["a"]}}
    assert apply_error(text, item, error, values) == (
        "The document path provided in the update expression is invalid for update"
    )


def test_remove_under_a_missing_attribute_of_a_missing_item_is_ignored(error) -> None:
    new, _ = update(
        "REMOVE x.y, z[0] SET a = :v", {"pk": S("k")}, {":v": N("1")}, item_exists=False
    )
    assert new == {"pk": S("k"), "a": N("1")}
    message = "The document path provided in the update expression is invalid for update"
    assert (
        apply_error("SET x.y = :v", {"pk": S("k")}, error, {":v": N("1")}, item_exists=False)
        == message
    )


def test_a_failing_update_changes_nothing(error) -> None:
    item = {"a": M(b=N("1"), l=L(N("1"), N("2"))), "s": {"SS": ["x"]}, "t": S("text")}
    values = {":n": N("1"), ":ss": {"SS": ["y"]}}
    text = "SET a.b = :n, a.l[0] = :n REMOVE a.l[1] ADD s :ss DELETE t :ss"
    assert apply_error(text, item, error, values) == (
        "An operand in the update expression has an incorrect data type"
    )


def test_attribute_names_and_paths() -> None:
    ctx = ExpressionContext({"#k": "key"}, {":v": N("1"), ":s": {"SS": ["a"]}})
    upd = ctx.update("SET a.b = :v, #k = :v REMOVE c[1] ADD d :v DELETE e.f :s")
    assert upd.attribute_names() == {"a", "key", "c", "d", "e"}
    assert upd.paths == [("a", "b"), ("key",), ("c", 1), ("d",), ("e", "f")]


# -- binding errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("SET a = :v SET b = :v", "SET"),
        ("set a = :v remove b set c = :v", "SET"),
        ("remove d set a = :v remove e", "REMOVE"),
        ("add d :v set a = :v add e :v", "ADD"),
        ("delete d :s set a = :v delete e :s", "DELETE"),
    ],
)
def test_each_section_once(text: str, section: str, error) -> None:
    values = {":v": N("1"), ":s": {"SS": ["a"]}}
    assert bind_error(text, error, values) == (
        f'The "{section}" section can only be used once in an update expression;'
    )


@pytest.mark.parametrize(
    ("text", "one", "two"),
    [
        ("SET a = :v REMOVE a", "[a]", "[a]"),
        ("REMOVE a SET a = :v", "[a]", "[a]"),
        ("SET #a1 = :v, #a2 = :v", "[a]", "[a]"),
        ("SET a = :v, a.b = :v", "[a]", "[a, b]"),
        ("SET a.b.c = :v, a.b = :v", "[a, b, c]", "[a, b]"),
        ("SET a[1][1] = :v, a[1] = :v", "[a, [1], [1]]", "[a, [1]]"),
        ("set d[1] = :v, d.b = :v, c[1].a = :v, #c = :v", "[c, [1], a]", "[c]"),
        ("set #c[3].#d = :v, #c[3] = :v", "[c, [3], [3]]", "[c, [3]]"),
        ("remove c, #c.a, #d", "[c]", "[c, a]"),
        ("remove a, #c, a, #d", "[a]", "[a]"),
        ("ADD a :v DELETE a :s", "[a]", "[a]"),
    ],
)
def test_overlapping_paths(text: str, one: str, two: str, error) -> None:
    names = {"#a1": "a", "#a2": "a", "#c": "c", "#d": "[3]"}
    names = {k: v for k, v in names.items() if k in text}
    assert bind_error(text, error, {":v": N("1"), ":s": {"SS": ["a"]}}, names or None) == (
        "Two document paths overlap with each other; must remove or rewrite one of these "
        f"paths; path one: {one}, path two: {two}"
    )


@pytest.mark.parametrize(
    ("text", "one", "two"),
    [
        ("SET a.b = :v, a[1] = :v", "[a, b]", "[a, [1]]"),
        ("SET a.b.c = :v, a.b[2] = :v", "[a, b, c]", "[a, b, [2]]"),
        ("set #c[3].#d = :v, #c.#d[3] = :v", "[c, [3], [3]]", "[c, [3], [3]]"),
        ("remove a.#c set a[1] = :v", "[a, c]", "[a, [1]]"),
    ],
)
def test_conflicting_paths(text: str, one: str, two: str, error) -> None:
    names = {k: v for k, v in {"#c": "c", "#d": "[3]"}.items() if k in text}
    assert bind_error(text, error, {":v": N("1")}, names or None) == (
        "Two document paths conflict with each other; must remove or rewrite one of these "
        f"paths; path one: {one}, path two: {two}"
    )


def test_paths_that_do_not_overlap() -> None:
    values = {":v": N("1")}
    item = {"a": M(x=N("3"), y=N("4"), c=M(y=N("3"))), "b": M(x=N("1"), y=N("2"))}
    new, _ = update("SET a.b = :v, a.c.d = :v, b.x = :v REMOVE a.x, b.y", item, values)
    assert new == {"a": M(y=N("4"), b=N("1"), c=M(y=N("3"), d=N("1"))), "b": M(x=N("1"))}
    update("SET a[1] = :v, a[2] = :v, b.c = :v, b.d = :v", {"a": L(), "b": M()}, values)


@pytest.mark.parametrize(
    ("text", "value", "operator", "kind"),
    [
        ("ADD a :v", S("a"), "ADD", "STRING"),
        ("DELETE a.b :v", S("a"), "DELETE", "STRING"),
        ("ADD a.b :v", {"NULL": True}, "ADD", "NULL"),
        ("DELETE a :v", {"BOOL": False}, "DELETE", "BOOLEAN"),
        ("ADD a :v", {"B": "YQ=="}, "ADD", "BINARY"),
        ("DELETE a :v", M(), "DELETE", "MAP"),
        ("ADD a :v", L(N("1")), "ADD", "LIST"),
        ("DELETE a :v", L(), "DELETE", "LIST"),
        ("DELETE a :v", N("1"), "DELETE", "NUMBER"),
    ],
)
def test_add_and_delete_operand_types(
    text: str, value: dict, operator: str, kind: str, error
) -> None:
    assert bind_error(text, error, {":v": value}) == (
        "Incorrect operand type for operator or function; "
        f"operator: {operator}, operand type: {kind}"
    )


@pytest.mark.parametrize(
    ("text", "function", "kind"),
    [
        ("set a = list_append(:s, a)", "list_append", "S"),
        ("set a = list_append(a, :n)", "list_append", "N"),
        ("set a = list_append(:ss, a)", "list_append", "SS"),
        ("set a = list_append(:m, a)", "list_append", "M"),
        ("set a = a + :s", "+", "S"),
        ("set a = :s + :n", "+", "S"),
        ("set a = a - :l", "-", "L"),
        ("set a = :bool - a", "-", "BOOL"),
    ],
)
def test_function_operand_types(text: str, function: str, kind: str, error) -> None:
    values = {
        ":s": S("a"),
        ":n": N("1"),
        ":ss": {"SS": ["a"]},
        ":m": M(),
        ":l": L(),
        ":bool": {"BOOL": True},
    }
    values = {k: v for k, v in values.items() if k in text}
    assert bind_error(text, error, values) == (
        "Incorrect operand type for operator or function; "
        f"operator or function: {function}, operand type: {kind}"
    )


def test_function_errors(error) -> None:
    values = {":v": N("1"), ":l": L()}
    assert bind_error("set a = if_not_exists(c)", error, values) == (
        "Incorrect number of operands for operator or function; "
        "operator or function: if_not_exists, number of operands: 1"
    )
    assert bind_error("set a = list_append(c, :l, :l)", error, values).endswith(
        "operator or function: list_append, number of operands: 3"
    )
    for text in ("set a = if_not_exists(:v, c)", "set a = if_not_exists(if_not_exists(a, b), c)"):
        assert bind_error(text, error, values) == (
            "Operator or function requires a document path; operator or function: if_not_exists"
        )
    assert bind_error("SET a = f123_hi(b, c, d)", error) == (
        "Invalid function name; function: f123_hi"
    )
    assert bind_error("SET a = LIST_APPEND(:l, :l)", error, values) == (
        "Invalid function name; function: LIST_APPEND"
    )
    for text, function in (
        ("SET a = size(b)", "size"),
        ("SET a = begins_with(b, :l)", "begins_with"),
        ("SET a = list_append(list_append(:l, :l), :l)", "list_append"),
        ("SET a = if_not_exists(a, attribute_exists(b))", "attribute_exists"),
    ):
        assert bind_error(text, error, values) == (
            "The function is not allowed to be used this way in an expression; "
            f"function: {function}"
        )


def test_placeholders_and_reserved_words(error) -> None:
    values = {":a": S("a"), ":b": S("b")}
    names = {"#a": "a", "#b": "b"}
    assert bind_error("SET #c = if_not_exists(:c)", error, values, names) == (
        "An expression attribute name used in the document path is not defined; attribute name: #c"
    )
    assert bind_error("SET #a = if_not_exists(:c)", error, values, names) == (
        "An expression attribute value used in expression is not defined; attribute value: :c"
    )
    assert bind_error(" set #c = :c set abOrt = true ", error, values, names) == (
        "Attribute name is a reserved keyword; reserved keyword: abOrt"
    )
    assert bind_error(" remove Absolute ", error) == (
        "Attribute name is a reserved keyword; reserved keyword: Absolute"
    )
    assert bind_error("SET a = if_not_exist(:c) SET c = d", error) == (
        "Invalid function name; function: if_not_exist"
    )


def test_update_error_precedence(error) -> None:
    values = {":a": S("a")}
    assert (
        bind_error("set b = list_append(:a, a), c = if_not_exists(a) add a.b :a", error, values)
        == "Incorrect operand type for operator or function; operator: ADD, operand type: STRING"
    )
    assert bind_error("SET a = :a REMOVE a ADD #x :missing", error, values).startswith(
        "An expression attribute name used in the document path is not defined"
    )
    assert bind_error("SET a = :missing, a = :a", error, values).startswith(
        "An expression attribute value used in expression is not defined"
    )
    assert bind_error("SET a.b = :a, a[1] = :a, a = :a", error, values).startswith(
        "Two document paths overlap"
    )
