from __future__ import annotations

import itertools

import pytest

from tidal.storage import Store
from tidal.storage.sqlite import pk_hash

SKS = [
    b"",
    b"\x00",
    b"a",
    b"ab",
    b"ab\xff",
    b"abc",
    b"ac",
    b"b",
    b"\xff",
    b"\xff\xff",
    b"\xff\xff\x00",
]


def _space(store: Store) -> int:
    with store.transaction() as txn:
        return txn.new_space()


def test_put_get_delete(store: Store) -> None:
    space = _space(store)
    with store.transaction() as txn:
        assert txn.get(space, b"pk", b"sk") is None
        txn.put(space, b"pk", b"sk", b"one")
        txn.put(space, b"pk", b"sk", b"two")
        txn.put(space, b"pk", b"", b"hash-only")
        assert txn.get(space, b"pk", b"sk") == b"two"
        assert txn.get(space, b"pk", b"") == b"hash-only"
        assert txn.get(space, b"pk2", b"sk") is None
        assert txn.get(space + 1, b"pk", b"sk") is None
    with store.transaction() as txn:
        assert txn.delete(space, b"pk", b"sk") is True
        assert txn.delete(space, b"pk", b"sk") is False
        assert txn.get(space, b"pk", b"sk") is None
        assert txn.get(space, b"pk", b"") == b"hash-only"


def test_spaces_are_separate_and_never_reused(store: Store) -> None:
    first, second = _space(store), _space(store)
    assert first != second
    with store.transaction() as txn:
        txn.put(first, b"p", b"s", b"first")
        txn.put(second, b"p", b"s", b"second")
        txn.drop_space(first)
        assert txn.space_stats(first) == (0, 0)
    while store.reclaim(batch=1):
        pass
    with store.transaction(write=False) as txn:
        assert txn.get(first, b"p", b"s") is None
        assert txn.get(second, b"p", b"s") == b"second"
    assert _space(store) not in (first, second)


def test_dropped_rows_are_reclaimed_in_batches_after_commit(store: Store) -> None:
    space, kept = _space(store), _space(store)
    told: list[str] = []
    store.on_garbage = lambda: told.append("garbage")
    with store.transaction() as txn:
        for n in range(5):
            txn.put(space, b"p", bytes([n]), b"v")
        txn.put(kept, b"p", b"", b"kept")
        txn.drop_space(space)
        assert told == []
    assert told == ["garbage"]
    batches = 0
    while store.reclaim(batch=2):
        batches += 1
    assert batches == 3
    assert store.reclaim() is False
    with store.transaction(write=False) as txn:
        assert list(txn.scan(space)) == []
        assert txn.get(kept, b"p", b"") == b"kept"


def test_space_stats_counts_rows_and_value_bytes(store: Store) -> None:
    space = _space(store)
    with store.transaction() as txn:
        assert txn.space_stats(space) == (0, 0)
        txn.put(space, b"a", b"1", b"x" * 10)
        txn.put(space, b"a", b"2", b"x" * 5)
        txn.put(space, b"b", b"", b"x" * 7)
        txn.put(space, b"b", b"", b"x" * 1)
        assert txn.space_stats(space) == (3, 16)


def _reference(
    lo: bytes | None,
    lo_inclusive: bool,
    hi: bytes | None,
    hi_inclusive: bool,
    prefix: bytes | None,
    reverse: bool,
    limit: int | None,
) -> list[bytes]:
    found = [
        sk
        for sk in sorted(SKS)
        if (lo is None or sk > lo or (lo_inclusive and sk == lo))
        and (hi is None or sk < hi or (hi_inclusive and sk == hi))
        and (prefix is None or sk.startswith(prefix))
    ]
    if reverse:
        found.reverse()
    return found if limit is None else found[:limit]


def test_range_honours_every_bound_combination(store: Store) -> None:
    space = _space(store)
    with store.transaction() as txn:
        for sk in SKS:
            txn.put(space, b"part", sk, b"v" + sk)
        txn.put(space, b"other", b"ab", b"not in the partition")
    bounds = [None, b"", b"a", b"ab", b"abd", b"\xff", b"\xff\xff\xff"]
    prefixes = [None, b"", b"a", b"ab", b"\xff", b"\xff\xff", b"z"]
    with store.transaction(write=False) as txn:
        for lo, lo_inc, hi, hi_inc, prefix, reverse, limit in itertools.product(
            bounds, [True, False], bounds, [True, False], prefixes, [False, True], [None, 2]
        ):
            rows = list(
                txn.range(
                    space,
                    b"part",
                    lo=lo,
                    lo_inclusive=lo_inc,
                    hi=hi,
                    hi_inclusive=hi_inc,
                    prefix=prefix,
                    reverse=reverse,
                    limit=limit,
                )
            )
            expected = _reference(lo, lo_inc, hi, hi_inc, prefix, reverse, limit)
            assert [sk for sk, _ in rows] == expected, (lo, lo_inc, hi, hi_inc, prefix)
            assert all(value == b"v" + sk for sk, value in rows)


def _fill(store: Store, partitions: int) -> tuple[int, list[tuple[bytes, bytes, bytes]]]:
    space = _space(store)
    rows = []
    with store.transaction() as txn:
        txn.put(txn.new_space(), b"user#1", b"a", b"another space")
        for n in range(partitions):
            pk = f"user#{n}".encode()
            for sk in (b"", b"a", b"b"):
                txn.put(space, pk, sk, pk + sk)
                rows.append((pk, sk, pk + sk))
    rows.sort(key=lambda row: (pk_hash(row[0]), row[0], row[1]))
    return space, rows


def test_scan_returns_everything_in_hash_order(store: Store) -> None:
    space, rows = _fill(store, 60)
    with store.transaction(write=False) as txn:
        assert list(txn.scan(space)) == rows
        assert list(txn.scan(space, limit=5)) == rows[:5]


def test_scan_pages_continue_after_the_last_key(store: Store) -> None:
    space, rows = _fill(store, 40)
    pages: list[tuple[bytes, bytes, bytes]] = []
    after = None
    with store.transaction(write=False) as txn:
        while True:
            page = list(txn.scan(space, after=after, limit=7))
            if not page:
                break
            pages.extend(page)
            after = page[-1][:2]
        assert pages == rows
        # A key that is no longer stored still marks a place in the order.
        missing = (b"user#gone", b"m")
        position = (pk_hash(missing[0]), *missing)
        expected = [row for row in rows if (pk_hash(row[0]), row[0], row[1]) > position]
        assert list(txn.scan(space, after=missing)) == expected


@pytest.mark.parametrize("total", [1, 2, 3, 7])
def test_scan_segments_are_disjoint_and_complete(store: Store, total: int) -> None:
    space, rows = _fill(store, 80)
    with store.transaction(write=False) as txn:
        segments = [list(txn.scan(space, segment=i, total_segments=total)) for i in range(total)]
        assert sorted(row for segment in segments for row in segment) == sorted(rows)
        for i, segment in enumerate(segments):
            assert segment == [row for row in rows if row in segment]  # scan order
            lo, hi = i * (1 << 32) // total, (i + 1) * (1 << 32) // total
            assert all(lo <= pk_hash(pk) < hi for pk, _, _ in segment)
            # Paging inside a segment, starting from a key of an earlier segment.
            if i and segments[0]:
                start = segments[0][-1][:2]
                assert list(txn.scan(space, after=start, segment=i, total_segments=total)) == (
                    segment
                )


def test_scan_rejects_a_segment_outside_the_total(store: Store) -> None:
    with store.transaction(write=False) as txn, pytest.raises(ValueError):
        txn.scan(1, segment=3, total_segments=3)


def test_segment_of_names_the_segment_whose_scan_holds_the_partition(store: Store) -> None:
    space = _space(store)
    partitions = [f"p{n}".encode() for n in range(200)]
    with store.transaction() as txn:
        for pk in partitions:
            txn.put(space, pk, b"", b"v")
    for total in (1, 3, 7, 16):
        with store.transaction(write=False) as txn:
            for segment in range(total):
                for pk, _sk, _value in txn.scan(space, segment=segment, total_segments=total):
                    assert store.segment_of(pk, total) == segment
