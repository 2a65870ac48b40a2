"""The expiry index of a table with TTL enabled: which item expires when, in expiry order.

Each such table has its own keyspace (the `Space` of its TTL setting) with one row per item
whose TTL attribute is a Number, all in one partition, keyed by `encode_composite([expiry,
item pk, item sk])`. The rows sort by expiry, so the items due at a moment are one prefix of
the partition and the sweeper reads only those. `write` keeps the index current inside the
item's own transaction (`writes.write` calls it); `backfill` indexes a table's items when
TTL is enabled.

Expiry follows DynamoDB (DG howitworks-ttl): the attribute holds epoch seconds as a Number;
the item is expired once that moment is past, unless it lies more than five years back, and
any other type (S, a set, ...) never expires.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from tidal.core.runtime import Runtime
from tidal.dynamodb.catalog import table_key
from tidal.dynamodb.keys import decode_composite, decode_number, encode_composite, encode_number
from tidal.dynamodb.schema import Table

PARTITION = b""
FIVE_YEARS = 5 * 365 * 24 * 3600
REGISTRY = "dynamodb/ttl"
"""Documents naming every table with TTL enabled and its index space, so the sweeper never
lists all tables; one per table, keyed like the table's own document."""


def setting(table: Table) -> dict[str, Any] | None:
    """The table's TTL setting, `{"AttributeName", "Space"}`, or None when TTL is disabled."""
    return table.description.get("_ttl")


def forget(txn: Any, table: Table) -> None:
    """Drop the table's expiry index and its registration (TTL disabled, or table deleted)."""
    current = setting(table)
    if current is not None:
        txn.drop_space(current["Space"])
        txn.delete_doc(REGISTRY, table_key(table.account, table.region, table.name))


def expiry_of(item: dict[str, Any] | None, attribute: str) -> bytes | None:
    """The encoded expiry of an item, or None when it never expires."""
    value = item.get(attribute) if item else None
    if value is None or "N" not in value:
        return None
    return encode_number(value["N"])


def entry(expiry: bytes, key: tuple[bytes, bytes]) -> bytes:
    return encode_composite([expiry, *key])


def entry_key(row: bytes) -> tuple[bytes, bytes]:
    """The stored key of the item an index row names."""
    _, pk, sk = decode_composite(row)
    return pk, sk


def window(now: float) -> tuple[bytes, bytes]:
    """(lo, hi): the index rows of items expired at `now` are those with lo <= row < hi."""
    return _moment(now - FIVE_YEARS), _moment(now)


def expired(txn: Any, space: int, now: float, limit: int) -> Iterator[tuple[bytes, bytes]]:
    """Up to `limit` index rows of items expired at `now`, the longest expired first."""
    lo, hi = window(now)
    return txn.range(space, PARTITION, lo=lo, hi=hi, hi_inclusive=False, limit=limit)


def next_expiry(txn: Any, space: int, now: float) -> float:
    """When the next item of the index expires after `now` (inf when none will)."""
    for row, _ in txn.range(space, PARTITION, lo=_moment(now), limit=1):
        return float(decode_number(decode_composite(row)[0]))
    return math.inf


def write(
    txn: Any,
    runtime: Runtime,
    table: Table,
    key: tuple[bytes, bytes],
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
) -> None:
    """Move the item's index row from `old`'s expiry to `new`'s (None = absent)."""
    ttl = setting(table)
    if ttl is None:
        return
    before = expiry_of(old, ttl["AttributeName"])
    after = expiry_of(new, ttl["AttributeName"])
    if before == after:
        return
    if before is not None:
        txn.delete(ttl["Space"], PARTITION, entry(before, key))
    if after is not None:
        txn.put(ttl["Space"], PARTITION, entry(after, key), b"")
        alarm(runtime).ring_before(txn, float(new[ttl["AttributeName"]]["N"]))


def backfill(txn: Any, table: Table, attribute: str, space: int) -> None:
    """Index every item the table holds (TTL is being enabled on it)."""
    for pk, sk, value in list(txn.scan(table.space)):
        expiry = expiry_of(orjson.loads(value), attribute)
        if expiry is not None:
            txn.put(space, PARTITION, entry(expiry, (pk, sk)), b"")


def _moment(epoch: float) -> bytes:
    return encode_composite([encode_number(repr(float(epoch)))])


class Alarm:
    """Wakes the sweeper when a write indexes an expiry earlier than it means to look.

    `due` is the moment the sweeper will look next (inf while nothing is indexed); the
    sweeper sets it, and `connect`s the function that wakes it.
    """

    def __init__(self) -> None:
        self.due = math.inf
        self._wake: Callable[[], object] = lambda: None

    def connect(self, wake: Callable[[], object]) -> None:
        self._wake = wake

    def ring_before(self, txn: Any, expiry: float) -> None:
        """Once `txn` commits, wake the sweeper if `expiry` comes before it means to look."""
        if expiry < self.due:
            txn.on_commit(lambda: self._ring(expiry))

    def ring(self) -> None:
        """Wake the sweeper now."""
        self._ring(-math.inf)

    def _ring(self, expiry: float) -> None:
        if expiry < self.due:
            self.due = expiry
            self._wake()


def alarm(runtime: Runtime) -> Alarm:
    return runtime.room("dynamodb.ttl_alarm", Alarm)
