"""Key conditions turned into store ranges (indexes.sort_range), and the paths a filter names.

A Query reads one partition between bounds; these check that the bounds select exactly the
rows whose sort key satisfies the condition, for a table's plain sort keys and for an
index's composite ones (index sort key, then the table's keys), against a model of the
store's `range` semantics.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tidal.dynamodb.expressions.keys import condition_paths
from tidal.dynamodb.indexes import sort_range
from tidal.dynamodb.keys import encode_composite

TESTS = {
    "EQ": lambda key, v: key == v[0],
    "LT": lambda key, v: key < v[0],
    "LE": lambda key, v: key <= v[0],
    "GT": lambda key, v: key > v[0],
    "GE": lambda key, v: key >= v[0],
    "BETWEEN": lambda key, v: v[0] <= key <= v[1],
    "BEGINS_WITH": lambda key, v: key.startswith(v[0]),
}

# Short byte strings over a tiny alphabet that includes 0x00, 0x01 and 0xFF, the bytes the
# composite encoding escapes and terminates with: prefixes and ties are frequent.
values = st.binary(max_size=3).map(lambda b: bytes(b"\x00\x01a\xff"[x % 4] for x in b))


def selected(stored: bytes, bounds: dict) -> bool:
    """Whether `Transaction.range` with `bounds` returns the row with sort key `stored`."""
    lo, hi, prefix = bounds.get("lo"), bounds.get("hi"), bounds.get("prefix")
    if lo is not None and not (stored >= lo if bounds.get("lo_inclusive", True) else stored > lo):
        return False
    if hi is not None and not (stored <= hi if bounds.get("hi_inclusive", True) else stored < hi):
        return False
    return prefix is None or stored.startswith(prefix)


def condition_values(operator: str, draw_values: list[bytes]) -> list[bytes]:
    if operator == "BETWEEN":
        return sorted(draw_values[:2])
    return draw_values[:1]


@given(
    operator=st.sampled_from(sorted(TESTS)),
    bounds_values=st.lists(values, min_size=2, max_size=2),
    rows=st.lists(st.tuples(values, values, values), max_size=20),
)
def test_composite_ranges_select_rows_by_their_index_sort_key(operator, bounds_values, rows):
    chosen = condition_values(operator, bounds_values)
    bounds = sort_range(operator, chosen, composite=True)
    for index_sort, table_hash, table_sort in rows:
        stored = encode_composite([index_sort, table_hash, table_sort])
        assert selected(stored, bounds) == TESTS[operator](index_sort, chosen)


@given(
    operator=st.sampled_from(sorted(TESTS)),
    bounds_values=st.lists(values, min_size=2, max_size=2),
    keys=st.lists(values, max_size=20),
)
def test_plain_ranges_select_rows_by_their_sort_key(operator, bounds_values, keys):
    chosen = condition_values(operator, bounds_values)
    bounds = sort_range(operator, chosen, composite=False)
    for key in keys:
        assert selected(key, bounds) == TESTS[operator](key, chosen)


def test_condition_paths_lists_every_path_resolved() -> None:
    text = "a = :x AND (#b.c[2] < size(d) OR NOT e IN (:y, f)) AND g BETWEEN h AND :z"
    assert condition_paths(text, {"#b": "bee"}) == [
        ("a",),
        ("bee", "c", 2),
        ("d",),
        ("e",),
        ("f",),
        ("g",),
        ("h",),
    ]
    assert condition_paths("attribute_exists(#k)", {"#k": "pk"}) == [("pk",)]
