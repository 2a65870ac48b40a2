"""ConsumedCapacity lists of the multi-table operations, and the item collection estimate."""

from __future__ import annotations

import pytest

from tidal.dynamodb.consumed import Consumed
from tidal.dynamodb.item_collections import GIGABYTE, size_estimate
from tidal.dynamodb.schema import Index, KeySchema

KEYS = KeySchema("pk", "S")
GLOBAL = Index("g", True, KEYS, "ALL", frozenset(), 1)
LOCAL = Index("l", False, KEYS, "ALL", frozenset(), 2)


def test_one_entry_per_table_in_the_order_first_named() -> None:
    consumed = Consumed("TOTAL")
    consumed.add("b", 1.0)
    consumed.add("a", 0.5)
    consumed.add("b", 2.0, {GLOBAL: 1.0})
    assert consumed.report() == [
        {"TableName": "b", "CapacityUnits": 4.0},
        {"TableName": "a", "CapacityUnits": 0.5},
    ]


def test_transactions_double_and_label_every_figure() -> None:
    consumed = Consumed("INDEXES", 2.0, "WriteCapacityUnits")
    consumed.add("t", 1.0, {GLOBAL: 1.0, LOCAL: 2.0})
    consumed.add("t", 1.0, {GLOBAL: 1.0})
    assert consumed.report() == [
        {
            "TableName": "t",
            "CapacityUnits": 12.0,
            "WriteCapacityUnits": 12.0,
            "Table": {"CapacityUnits": 4.0, "WriteCapacityUnits": 4.0},
            "GlobalSecondaryIndexes": {"g": {"CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}},
            "LocalSecondaryIndexes": {"l": {"CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}},
        }
    ]


@pytest.mark.parametrize("mode", [None, "NONE"])
def test_nothing_is_wanted_unless_asked(mode) -> None:
    assert not Consumed(mode).wanted


@pytest.mark.parametrize(
    ("size", "estimate"),
    [
        (0, [0.0, 1.0]),
        (GIGABYTE - 1, [0.0, 1.0]),
        (GIGABYTE, [1.0, 2.0]),
        (10 * GIGABYTE - 1, [9.0, 10.0]),
    ],
)
def test_the_size_estimate_is_the_gigabyte_a_collection_falls_in(size, estimate) -> None:
    assert size_estimate(size) == estimate
