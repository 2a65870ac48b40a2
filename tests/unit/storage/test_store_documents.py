from __future__ import annotations

import itertools

import pytest

from tidal.storage import Store

KEYS = ["", "a", "a/1", "a/2", "a/20", "ab", "b", "b/1", "é", "ü/1", "\U0001f600"]


def test_put_get_delete_doc(store: Store) -> None:
    value = {"TableName": "orders", "Count": 3, "Nested": [1, "x", None, {"ok": True}]}
    with store.transaction() as txn:
        assert txn.get_doc("tables", "orders") is None
        txn.put_doc("tables", "orders", value)
        assert txn.get_doc("tables", "orders") == value
        assert txn.get_doc("other", "orders") is None
    with store.transaction(write=False) as txn:
        assert txn.get_doc("tables", "orders") == value
    with store.transaction() as txn:
        txn.put_doc("tables", "orders", "replaced")
        assert txn.get_doc("tables", "orders") == "replaced"
        assert txn.delete_doc("tables", "orders") is True
        assert txn.delete_doc("tables", "orders") is False
        assert txn.get_doc("tables", "orders") is None


def _expected(prefix: str, after: str | None, limit: int | None) -> list[str]:
    keys = sorted(k for k in KEYS if k.startswith(prefix) and (after is None or k > after))
    return keys if limit is None else keys[:limit]


def test_list_docs_matches_prefix_after_and_limit(store: Store) -> None:
    with store.transaction() as txn:
        for key in reversed(KEYS):
            txn.put_doc("ns", key, {"key": key})
        txn.put_doc("ns-other", "a/1", "elsewhere")
        txn.put_doc("n", "a/1", "elsewhere")
    prefixes = ["", "a", "a/", "a/2", "b", "c", "é", "\U0001f600"]
    afters = [None, "", "a", "a/1", "a/3", "b/1", "zzz", "\U0010ffff"]
    with store.transaction(write=False) as txn:
        for prefix, after, limit in itertools.product(prefixes, afters, [None, 0, 1, 2, 100]):
            found = txn.list_docs("ns", prefix=prefix, after=after, limit=limit)
            assert [key for key, _ in found] == _expected(prefix, after, limit), (prefix, after)
            assert all(value == {"key": key} for key, value in found)


def test_docs_reject_values_that_are_not_json(store: Store) -> None:
    with store.transaction() as txn, pytest.raises(TypeError):
        txn.put_doc("ns", "k", object())
