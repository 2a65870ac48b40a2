from __future__ import annotations

from pathlib import Path

import pytest

from tidal.storage import Store, StoreError, open_store


class Abort(Exception):
    pass


def _space(store: Store) -> int:
    with store.transaction() as txn:
        return txn.new_space()


def _read(store: Store, space: int, after: int = 0, until: int | None = None, limit=None):
    with store.transaction(write=False) as txn:
        return list(txn.log_read(space, after, until, limit))


def test_appends_are_read_back_in_order(store: Store) -> None:
    space = _space(store)
    with store.transaction() as txn:
        assert txn.log_last(space) is None
        positions = [txn.log_append(space, f"v{n}".encode()) for n in range(4)]
        assert txn.log_last(space) == positions[-1]
    assert positions == [1, 2, 3, 4]
    assert _read(store, space) == [(n + 1, f"v{n}".encode()) for n in range(4)]
    with store.transaction() as txn:
        assert txn.log_append(space, b"") == 5
    assert _read(store, space, after=4) == [(5, b"")]


def test_reads_take_a_range_and_a_limit(store: Store) -> None:
    space = _space(store)
    with store.transaction() as txn:
        for n in range(6):
            txn.log_append(space, bytes([n]))

    def positions(**bounds):
        return [position for position, _ in _read(store, space, **bounds)]

    assert positions(after=2) == [3, 4, 5, 6]
    assert positions(after=2, until=4) == [3, 4]
    assert positions(after=2, limit=3) == [3, 4, 5]
    assert positions(after=-5, until=1) == [1]
    assert positions(after=6) == positions(after=10**30) == []
    assert positions(until=-1) == positions(limit=0) == []
    assert positions(until=10**30) == [1, 2, 3, 4, 5, 6]


def test_logs_of_keyspaces_are_separate(store: Store) -> None:
    first, second = _space(store), _space(store)
    with store.transaction() as txn:
        assert txn.log_append(second, b"second") == 1
        assert txn.log_append(first, b"first") == 1
        assert txn.log_append(second, b"again") == 2
        txn.put(first, b"p", b"s", b"row")
        assert txn.space_stats(first) == (1, 3)  # log entries are not rows
        assert txn.log_last(first) == 1
    assert _read(store, first) == [(1, b"first")]
    assert _read(store, second) == [(1, b"second"), (2, b"again")]


def test_at_least_raises_the_position(store: Store) -> None:
    space = _space(store)
    with store.transaction() as txn:
        assert txn.log_append(space, b"low", at_least=-3) == 1
        assert txn.log_append(space, b"high", at_least=1000) == 1000
        assert txn.log_append(space, b"after", at_least=5) == 1001
    assert _read(store, space, after=1) == [(1000, b"high"), (1001, b"after")]


def test_trim_deletes_the_oldest_entries(store: Store) -> None:
    space = _space(store)
    with store.transaction() as txn:
        for n in range(5):
            txn.log_append(space, bytes([n]))
    with store.transaction() as txn:
        assert txn.log_trim(space, 3) == 2
        assert txn.log_trim(space, 3) == 0
        assert txn.log_trim(space, 0) == 0
    assert [position for position, _ in _read(store, space)] == [3, 4, 5]
    with store.transaction() as txn:
        assert txn.log_trim(space, 10**30) == 3
        assert txn.log_last(space) is None
    assert _read(store, space) == []


def test_positions_never_come_back_after_trims(store: Store) -> None:
    space = _space(store)
    with store.transaction() as txn:
        last = [txn.log_append(space, b"x") for _ in range(3)][-1]
        assert txn.log_trim(space, last + 1) == 3
    for _ in range(2):
        with store.transaction() as txn:
            position = txn.log_append(space, b"y")
            assert position == last + 1
            assert txn.log_trim(space, position + 1) == 1
            assert txn.log_last(space) is None
            last = position
    assert _read(store, space) == []


def test_a_rolled_back_append_leaves_its_position_to_the_next(store: Store) -> None:
    space = _space(store)
    with store.transaction() as txn:
        assert txn.log_append(space, b"kept") == 1
    with pytest.raises(Abort), store.transaction() as txn:
        assert txn.log_append(space, b"lost") == 2
        assert txn.log_append(space, b"lost too") == 3
        raise Abort
    with store.transaction() as txn:
        assert txn.log_append(space, b"next") == 2
    assert _read(store, space) == [(1, b"kept"), (2, b"next")]


def test_positions_continue_after_a_reopen(tmp_path: Path) -> None:
    store = open_store(tmp_path / "data")
    space = _space(store)
    with store.transaction() as txn:
        for _ in range(3):
            txn.log_append(space, b"x")
        txn.log_trim(space, 4)
    store.close()
    store = open_store(tmp_path / "data")
    with store.transaction() as txn:
        assert txn.log_append(space, b"y") == 4
    store.close()


def test_a_dropped_log_is_reclaimed_in_batches(store: Store) -> None:
    dropped, kept = _space(store), _space(store)
    with store.transaction() as txn:
        txn.log_append(kept, b"kept")
        for _ in range(5):
            txn.log_append(dropped, b"gone")
        txn.put(dropped, b"p", b"s", b"row")
        txn.drop_space(dropped)
    passes = 0
    while store.reclaim(batch=2):
        passes += 1
    assert passes >= 3
    assert _read(store, dropped) == []
    assert _read(store, kept) == [(1, b"kept")]


def test_a_rolled_back_append_leaves_nothing(store: Store) -> None:
    space = _space(store)
    with store.transaction() as txn:
        txn.log_append(space, b"first")
    with pytest.raises(Abort), store.transaction() as txn:
        txn.log_append(space, b"ghost")
        txn.log_append(space, b"ghost", at_least=50)
        txn.log_trim(space, 2)
        raise Abort
    assert _read(store, space) == [(1, b"first")]
    with store.transaction() as txn:
        assert txn.log_append(space, b"second") == 2


def test_log_writes_need_a_write_transaction(store: Store) -> None:
    space = _space(store)
    with store.transaction(write=False) as txn:
        with pytest.raises(RuntimeError):
            txn.log_append(space, b"x")
        with pytest.raises(RuntimeError):
            txn.log_trim(space, 10)


def test_a_log_needs_a_keyspace_id_it_can_be_kept_under(store: Store) -> None:
    with store.transaction() as txn:
        for space in (0, -1, 1 << 24):
            with pytest.raises(StoreError):
                txn.log_append(space, b"x")


def test_positions_survive_reopen_and_keep_increasing(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    space = _space(store)
    with store.transaction() as txn:
        txn.log_append(space, b"kept")
        top = txn.log_append(space, b"trimmed", at_least=100)
    store.close()
    store = open_store(tmp_path)
    assert _read(store, space) == [(1, b"kept"), (100, b"trimmed")]
    with store.transaction() as txn:
        assert txn.log_trim(space, top + 1) == 2
    store.close()
    store = open_store(tmp_path)
    with store.transaction() as txn:
        assert txn.log_append(space, b"after") == top + 1
    assert _read(store, space) == [(top + 1, b"after")]
    store.close()
