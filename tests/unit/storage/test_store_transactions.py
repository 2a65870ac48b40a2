from __future__ import annotations

import threading

import pytest

from tidal.storage import Store


class Boom(Exception):
    pass


def test_an_exception_rolls_everything_back(store: Store) -> None:
    with store.transaction() as txn:
        space = txn.new_space()
        txn.put(space, b"kept", b"", b"before")
        txn.put_doc("ns", "kept", "before")
    with pytest.raises(Boom), store.transaction() as txn:
        txn.put(space, b"kept", b"", b"changed")
        txn.put(space, b"new", b"", b"new")
        txn.delete_doc("ns", "kept")
        txn.put_doc("ns", "new", 1)
        txn.drop_space(txn.new_space())
        raise Boom
    with store.transaction(write=False) as txn:
        assert txn.get(space, b"kept", b"") == b"before"
        assert txn.get(space, b"new", b"") is None
        assert txn.get_doc("ns", "kept") == "before"
        assert txn.get_doc("ns", "new") is None
        assert txn.space_stats(space) == (1, len(b"before"))


def test_on_commit_runs_after_commit_in_order(store: Store) -> None:
    seen: list[object] = []

    def check_committed(tag: str) -> None:
        # The callback may open a transaction of its own and sees the committed data.
        with store.transaction(write=False) as txn:
            seen.append((tag, txn.get_doc("ns", "k")))

    with store.transaction() as txn:
        txn.put_doc("ns", "k", "v")
        txn.on_commit(lambda: check_committed("first"))
        txn.on_commit(lambda: check_committed("second"))
        assert seen == []
    assert seen == [("first", "v"), ("second", "v")]


def test_on_commit_is_dropped_on_rollback(store: Store) -> None:
    seen: list[str] = []
    with pytest.raises(Boom), store.transaction() as txn:
        txn.on_commit(lambda: seen.append("ran"))
        raise Boom
    with store.transaction():
        pass
    assert seen == []


def test_a_failing_callback_does_not_undo_the_commit(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []

    def fail() -> None:
        raise Boom

    with store.transaction() as txn:
        txn.put_doc("ns", "k", "v")
        txn.on_commit(fail)
        txn.on_commit(lambda: seen.append("later callback"))
    assert seen == ["later callback"]
    assert "on_commit callback" in caplog.text
    with store.transaction(write=False) as txn:
        assert txn.get_doc("ns", "k") == "v"


def test_transactions_do_not_nest(store: Store) -> None:
    with store.transaction() as txn:
        txn.put_doc("ns", "outer", 1)
        with pytest.raises(RuntimeError, match="do not nest"), store.transaction(write=False):
            pass
        txn.put_doc("ns", "outer", 2)
    with store.transaction(write=False) as txn:
        assert txn.get_doc("ns", "outer") == 2


def test_a_read_transaction_refuses_writes(store: Store) -> None:
    with store.transaction(write=False) as txn:
        for write in (
            lambda: txn.put_doc("ns", "k", 1),
            lambda: txn.delete_doc("ns", "k"),
            lambda: txn.new_space(),
            lambda: txn.put(1, b"p", b"s", b"v"),
            lambda: txn.delete(1, b"p", b"s"),
            lambda: txn.drop_space(1),
        ):
            with pytest.raises(RuntimeError, match="read-only"):
                write()


def test_a_finished_transaction_refuses_writes(store: Store) -> None:
    with store.transaction() as txn:
        pass
    with pytest.raises(RuntimeError, match="finished"):
        txn.put_doc("ns", "k", 1)


def test_other_threads_take_turns(store: Store) -> None:
    """The store may be used from several threads; each transaction is whole."""

    def write(n: int) -> None:
        for i in range(50):
            with store.transaction() as txn:
                count = txn.get_doc("ns", "count") or 0
                txn.put_doc("ns", "count", count + 1)
                txn.put_doc("ns", f"{n}-{i}", i)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with store.transaction(write=False) as txn:
        assert txn.get_doc("ns", "count") == 200
