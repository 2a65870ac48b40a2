"""Client request tokens: fingerprints, the 10-minute window, and the purge of old tokens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tidal.core import clock
from tidal.dynamodb import idempotency
from tidal.dynamodb.errors import IdempotentParameterMismatchException
from tidal.storage import Store, open_store

REQUEST = {"TransactItems": [{"Put": {"TableName": "t", "Item": {"pk": {"S": "a"}}}}]}


@pytest.fixture
def store() -> Iterator[Store]:
    opened = open_store(None)
    yield opened
    opened.close()


@pytest.fixture
def now(monkeypatch) -> list[float]:
    """The time `clock.now()` tells, as a one-element list the test may change."""
    moment = [1_000_000.0]
    monkeypatch.setattr(clock, "now", lambda: moment[0])
    return moment


def test_a_fingerprint_ignores_the_token_and_the_order_of_members() -> None:
    reordered = {
        "TransactItems": [{"Put": {"Item": {"pk": {"S": "a"}}, "TableName": "t"}}],
        "ClientRequestToken": "x",
    }
    assert idempotency.fingerprint(REQUEST) == idempotency.fingerprint(reordered)
    other = {**REQUEST, "ReturnConsumedCapacity": "TOTAL"}
    assert idempotency.fingerprint(REQUEST) != idempotency.fingerprint(other)


def test_a_token_is_recalled_for_ten_minutes(store: Store, now: list[float]) -> None:
    request = idempotency.fingerprint(REQUEST)
    with store.transaction() as txn:
        assert idempotency.recall(txn, "1", "r", "tok", request) is None
        idempotency.remember(txn, "1", "r", "tok", request, {"answer": 1})
    now[0] += 599.9
    with store.transaction() as txn:
        assert idempotency.recall(txn, "1", "r", "tok", request) == {"answer": 1}
        assert idempotency.recall(txn, "2", "r", "tok", request) is None
        with pytest.raises(IdempotentParameterMismatchException):
            idempotency.recall(txn, "1", "r", "tok", "another request")
    now[0] += 0.1
    with store.transaction() as txn:
        assert idempotency.recall(txn, "1", "r", "tok", "another request") is None


def test_writing_a_token_purges_expired_ones(store: Store, now: list[float]) -> None:
    with store.transaction() as txn:
        for n in range(3):
            idempotency.remember(txn, "1", "r", f"old{n}", "f", {})
    now[0] += 601
    with store.transaction() as txn:
        idempotency.remember(txn, "1", "r", "old0", "f", {"again": True})
        idempotency.remember(txn, "1", "r", "new", "f", {})
    with store.transaction() as txn:
        tokens = [key for key, _ in txn.list_docs(idempotency.TOKENS)]
        expiries = txn.list_docs(idempotency.EXPIRIES)
        assert tokens == ["1:r:new", "1:r:old0"]
        assert len(expiries) == 2
        assert idempotency.recall(txn, "1", "r", "old0", "f") == {"again": True}
