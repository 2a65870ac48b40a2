"""Evaluating condition and filter expressions against items, as DynamoDB compares values."""

import base64

import pytest

from tidal.dynamodb.expressions import ExpressionContext


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


ITEM = {
    "pk": {"S": "p"},
    "n": {"N": "10"},
    "s": {"S": "banana"},
    "b": {"B": b64(b"\x01\x02\x03")},
    "flag": {"BOOL": True},
    "nothing": {"NULL": True},
    "tags": {"SS": ["red", "green"]},
    "nums": {"NS": ["1", "5.0"]},
    "bins": {"BS": [b64(b"x"), b64(b"yz")]},
    "letters": {"L": [{"S": "a"}, {"S": "b"}, {"N": "3"}]},
    "info": {
        "M": {
            "nested": {"M": {"deep": {"S": "x"}}},
            "arr": {"L": [{"M": {"v": {"N": "1"}}}, {"M": {"v": {"N": "2"}}}]},
        }
    },
    "dotted.name": {"S": "yes"},
    "unicode": {"S": "\U0001f600"},
}


def holds(text: str, values: dict | None = None, names: dict | None = None, item=ITEM) -> bool:
    return ExpressionContext(names, values).condition(text).evaluate(item)


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("n = :v", {":v": {"N": "10.00"}}, True),
        ("n = :v", {":v": {"N": "1E1"}}, True),
        ("n = :v", {":v": {"S": "10"}}, False),
        ("n <> :v", {":v": {"S": "10"}}, True),
        ("n > :v", {":v": {"N": "9"}}, True),
        ("n < :v", {":v": {"N": "100"}}, True),
        ("n >= :v AND n <= :v", {":v": {"N": "10"}}, True),
        ("n > :v", {":v": {"N": "-1e100"}}, True),
        ("s > :v", {":v": {"S": "apple"}}, True),
        ("s < :v", {":v": {"S": "banana_"}}, True),
        ("unicode > :v", {":v": {"S": "\ufffd"}}, True),
        ("s > :v", {":v": {"N": "1"}}, False),
        ("s <> :v", {":v": {"N": "1"}}, True),
        ("b > :v", {":v": {"B": b64(b"\x01\x02")}}, True),
        ("b < :v", {":v": {"B": b64(b"\x80")}}, True),
        ("b = :v", {":v": {"B": b64(b"\x01\x02\x03")}}, True),
        ("flag = :v", {":v": {"BOOL": True}}, True),
        ("flag = :v", {":v": {"BOOL": False}}, False),
        ("nothing = :v", {":v": {"NULL": True}}, True),
        ("tags = :v", {":v": {"SS": ["green", "red"]}}, True),
        ("tags = :v", {":v": {"SS": ["green"]}}, False),
        ("nums = :v", {":v": {"NS": ["5", "1.00"]}}, True),
        ("bins = :v", {":v": {"BS": [b64(b"yz"), b64(b"x")]}}, True),
        ("letters = :v", {":v": {"L": [{"S": "a"}, {"S": "b"}, {"N": "3.0"}]}}, True),
        ("letters = :v", {":v": {"L": [{"S": "b"}, {"S": "a"}, {"N": "3"}]}}, False),
        ("info.nested = :v", {":v": {"M": {"deep": {"S": "x"}}}}, True),
        ("info.nested = :v", {":v": {"M": {"deep": {"S": "x"}, "more": {"S": "y"}}}}, False),
    ],
)
def test_comparisons(text: str, values: dict, expected: bool) -> None:
    assert holds(text, values) is expected


def test_comparing_attributes_of_the_item() -> None:
    item = {"a": {"N": "1"}, "b": {"N": "2"}, "c": {"N": "2.0"}}
    assert holds("a < b", item=item)
    assert holds("b = c", item=item)
    assert holds("b BETWEEN a AND c", item=item)
    assert not holds("a > b", item=item)


def test_missing_attributes_are_never_equal_and_never_ordered() -> None:
    assert not holds("absent = :v", {":v": {"N": "1"}})
    assert holds("absent <> :v", {":v": {"N": "1"}})
    assert not holds("q = z")
    assert holds("q <> z")
    for op in ("<", "<=", ">", ">="):
        assert not holds(f"absent {op} :v", {":v": {"N": "1"}})
        assert not holds(f":v {op} absent", {":v": {"N": "1"}})
        assert not holds(f"q {op} z")
    assert not holds("q BETWEEN z AND x")


def test_ordering_unordered_types_from_the_item_is_false() -> None:
    for attribute in ("letters", "tags", "info", "flag", "nothing"):
        assert not holds(f"{attribute} < :v", {":v": {"N": "1"}})
        assert not holds(f":v < {attribute}", {":v": {"N": "1"}})


def test_between() -> None:
    assert holds("n BETWEEN :lo AND :hi", {":lo": {"N": "10"}, ":hi": {"N": "20"}})
    assert holds("n BETWEEN :lo AND :hi", {":lo": {"N": "1"}, ":hi": {"N": "10"}})
    assert not holds("n BETWEEN :lo AND :hi", {":lo": {"N": "11"}, ":hi": {"N": "20"}})
    assert not holds("n BETWEEN :lo AND :hi", {":lo": {"S": "1"}, ":hi": {"S": "2"}})
    assert holds("s between :lo and :hi", {":lo": {"S": "b"}, ":hi": {"S": "c"}})
    two = {"N": "2"}
    item = {"a": {"N": "1"}, "two": two}
    assert not holds("a BETWEEN two AND :v", {":v": {"N": "1"}}, item=item)
    assert not holds("a BETWEEN :v AND two", {":v": {"N": "3"}}, item=item)


def test_in() -> None:
    values = {":a": {"S": "apple"}, ":b": {"S": "banana"}, ":n": {"N": "10"}}
    assert holds("s IN (:a, :b)", values)
    assert not holds("s IN (:a)", {":a": values[":a"]})
    assert holds("n in (:a, :n)", {":a": values[":a"], ":n": values[":n"]})
    assert not holds("absent IN (:a)", {":a": values[":a"]})
    assert holds("letters[2] IN (n, nums)", item={**ITEM, "n": {"N": "3"}})


def test_in_accepts_up_to_one_hundred_operands(error) -> None:
    values = {f":v{i}": {"N": str(i)} for i in range(100)}
    text = "n IN ({})".format(", ".join(list(values)[:99]))
    assert holds(text, {k: values[k] for k in list(values)[:99]})
    ctx = ExpressionContext(None, values)
    assert error(ctx.condition, "n IN ({})".format(", ".join(values))) == (
        "Invalid ConditionExpression: The IN operator is provided with too many operands; "
        "number of operands: 101"
    )


def test_attribute_exists_and_not_exists() -> None:
    assert holds("attribute_exists(n) AND attribute_not_exists(absent)")
    assert holds("attribute_exists(nothing)")
    assert holds("attribute_exists(info.arr[1].v)")
    assert not holds("attribute_exists(info.arr[2])")
    assert holds("attribute_not_exists(letters[9])")
    assert holds("attribute_not_exists(s.x)")
    assert holds("attribute_not_exists(letters.x)")


def test_attribute_type() -> None:
    pairs = {
        "s": "S",
        "n": "N",
        "b": "B",
        "flag": "BOOL",
        "nothing": "NULL",
        "tags": "SS",
        "nums": "NS",
        "bins": "BS",
        "letters": "L",
        "info": "M",
    }
    for attribute, kind in pairs.items():
        assert holds(f"attribute_type({attribute}, :t)", {":t": {"S": kind}})
        other = "S" if kind != "S" else "N"
        assert not holds(f"attribute_type({attribute}, :t)", {":t": {"S": other}})
    assert not holds("attribute_type(absent, :t)", {":t": {"S": "S"}})
    assert holds("attribute_type(:v, :t)", {":v": {"N": "0"}, ":t": {"S": "N"}})


def test_begins_with() -> None:
    assert holds("begins_with(s, :p)", {":p": {"S": "ban"}})
    assert not holds("begins_with(s, :p)", {":p": {"S": "nan"}})
    assert holds("begins_with(b, :p)", {":p": {"B": b64(b"\x01\x02")}})
    assert not holds("begins_with(b, :p)", {":p": {"S": "x"}})
    assert not holds("begins_with(absent, :p)", {":p": {"S": "x"}})
    assert not holds("begins_with(n, :p)", {":p": {"S": "1"}})
    assert holds("begins_with(:p, s)", {":p": {"S": "banana split"}})
    assert holds("begins_with(s, x)", item={"s": {"S": "hello"}, "x": {"S": "he"}})


def test_contains() -> None:
    assert holds("contains(s, :sub)", {":sub": {"S": "nan"}})
    assert not holds("contains(s, :sub)", {":sub": {"S": "x"}})
    assert holds("contains(b, :sub)", {":sub": {"B": b64(b"\x02\x03")}})
    assert holds("contains(tags, :v)", {":v": {"S": "red"}})
    assert not holds("contains(tags, :v)", {":v": {"S": "blue"}})
    assert holds("contains(nums, :v)", {":v": {"N": "5"}})
    assert not holds("contains(nums, :v)", {":v": {"S": "5"}})
    assert holds("contains(bins, :v)", {":v": {"B": b64(b"yz")}})
    assert holds("contains(letters, :v)", {":v": {"N": "3.0"}})
    assert holds("contains(info.arr, :v)", {":v": {"M": {"v": {"N": "2"}}}})
    assert not holds("contains(b, :v)", {":v": {"SS": ["x"]}})
    assert not holds("contains(n, :v)", {":v": {"N": "1"}})
    assert not holds("contains(absent, :v)", {":v": {"S": "x"}})
    assert holds("contains(s, x)", item={"s": {"S": "hello"}, "x": {"S": "ell"}})


def test_size() -> None:
    assert holds("size(s) = :v", {":v": {"N": "6"}})
    assert holds("size(unicode) = :v", {":v": {"N": "2"}})  # UTF-16 code units, as DynamoDB
    assert holds("size(b) = :v", {":v": {"N": "3"}})
    assert holds(
        "size(tags) = :two AND size(letters) = :three AND size(info) = :two",
        {
            ":two": {"N": "2"},
            ":three": {"N": "3"},
        },
    )
    assert holds("size(info.arr) < :v", {":v": {"N": "3"}})
    for attribute in ("n", "flag", "nothing", "absent"):
        assert not holds(f"size({attribute}) = :v", {":v": {"N": "1"}})
        assert holds(f"size({attribute}) <> :v", {":v": {"N": "1"}})
    assert not holds("size(s) = :v", {":v": {"S": "6"}})
    assert holds("size(s) > n", item={"s": {"S": "abc"}, "n": {"N": "2"}})
    assert holds("size(:v) = :three", {":v": {"S": "abc"}, ":three": {"N": "3"}})


def test_nested_paths_and_placeholders() -> None:
    assert holds("info.nested.deep = :x", {":x": {"S": "x"}})
    assert holds("info.arr[1].v = :two", {":two": {"N": "2"}})
    assert holds("letters[0] = :a", {":a": {"S": "a"}})
    assert holds("#i.#n.#d = :x", {":x": {"S": "x"}}, {"#i": "info", "#n": "nested", "#d": "deep"})
    assert holds("#d = :y", {":y": {"S": "yes"}}, {"#d": "dotted.name"})
    assert not holds("info.nested[0] = :x", {":x": {"S": "x"}})
    assert not holds("letters.x = :x", {":x": {"S": "x"}})
    assert not holds("s[0] = :x", {":x": {"S": "x"}})
    assert holds("#and = :v", {":v": {"N": "1"}}, {"#and": "and"}, item={"and": {"N": "1"}})


def test_logic_and_precedence() -> None:
    values = {":yes": {"N": "10"}, ":no": {"N": "11"}}
    assert holds("n = :yes OR n = :yes AND n = :no", values)
    assert not holds("(n = :yes OR n = :yes) AND n = :no", values)
    assert holds("NOT n = :no AND n = :yes", values)
    assert not holds("not (n = :yes)", values)
    assert holds("NOT NOT NOT NOT n = :yes", values)
    assert not holds("NOT n = :yes OR n = :no", values)
    assert holds("n = :no OR NOT n = :no", values)
    assert holds("n BETWEEN :yes AND :no AND n < :no", values)
    assert holds("(n = :no OR n = :yes) AND (NOT (n = :no) AND (n = :yes OR n = :no))", values)


def test_keywords_are_case_insensitive() -> None:
    values = {":lo": {"N": "1"}, ":hi": {"N": "20"}, ":a": {"S": "x"}}
    assert holds("n between :lo and :hi Or s in (:a)", values)
    assert holds("nOt n bEtWeEn :hi AnD :hi", values)


def test_no_item_behaves_as_an_empty_item() -> None:
    ctx = ExpressionContext(None, {":v": {"S": "p"}})
    condition = ctx.condition("attribute_not_exists(pk) OR pk <> :v")
    assert condition.evaluate(None)
    assert condition.evaluate({})
    assert not ExpressionContext(None, None).condition("attribute_exists(pk)").evaluate(None)
    assert not condition.evaluate({"pk": {"S": "p"}})


def test_filter_expressions_share_the_grammar() -> None:
    ctx = ExpressionContext(None, {":v": {"N": "10"}})
    assert ctx.condition("n = :v", kind="FilterExpression").evaluate(ITEM)


def test_evaluating_does_not_modify_the_item() -> None:
    item = {"a": {"N": "1"}, "l": {"L": [{"S": "x"}]}}
    snapshot = repr(item)
    ExpressionContext(None, {":v": {"N": "1"}}).condition(
        "a = :v AND contains(l, :v) AND size(l) > :v"
    ).evaluate(item)
    assert repr(item) == snapshot
