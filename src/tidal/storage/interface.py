"""The storage contract every engine implements (SQLite now, a server database later).

Two kinds of data live in a store:

- **documents**: small JSON-able control-plane records (table descriptions, functions,
  mappings …) addressed by a namespace and a key, listed in key order;
- **rows**: keyspaces of `(pk, sk) -> value` byte strings. A keyspace holds one table
  or one index. Within a partition (`pk`) rows are ordered by `sk`; a whole keyspace is
  scanned in *scan order*: a 32-bit hash of `pk`, then `pk`, then `sk`. The hash spreads
  partitions like DynamoDB does and lets parallel scans split the keyspace into disjoint
  segments.

All reads and writes happen inside a transaction. A write transaction is atomic: either
everything in it commits or nothing does. Iterators returned by `range` and `scan` must
be consumed before the transaction ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol


class StoreError(Exception):
    """The store cannot be opened or used as asked."""


class StoreLockedError(StoreError):
    """Another Tidal server already uses the data folder."""


class Transaction(Protocol):
    # documents
    def get_doc(self, ns: str, key: str) -> Any | None: ...

    def put_doc(self, ns: str, key: str, value: Any) -> None: ...

    def delete_doc(self, ns: str, key: str) -> bool: ...

    def list_docs(
        self, ns: str, prefix: str = "", after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Any]]:
        """Documents of `ns` whose key starts with `prefix` and sorts after `after`."""
        ...

    # rows
    def new_space(self) -> int:
        """Allocate a keyspace id (rows go only into allocated spaces); never reused."""
        ...

    def get(self, space: int, pk: bytes, sk: bytes) -> bytes | None: ...

    def put(self, space: int, pk: bytes, sk: bytes, value: bytes) -> None:
        """Insert or replace."""
        ...

    def delete(self, space: int, pk: bytes, sk: bytes) -> bool: ...

    def range(
        self,
        space: int,
        pk: bytes,
        *,
        lo: bytes | None = None,
        lo_inclusive: bool = True,
        hi: bytes | None = None,
        hi_inclusive: bool = True,
        prefix: bytes | None = None,
        reverse: bool = False,
        limit: int | None = None,
    ) -> Iterator[tuple[bytes, bytes]]:
        """`(sk, value)` of one partition in `sk` order, within all the given bounds."""
        ...

    def scan(
        self,
        space: int,
        *,
        after: tuple[bytes, bytes] | None = None,
        segment: int = 0,
        total_segments: int = 1,
        limit: int | None = None,
    ) -> Iterator[tuple[bytes, bytes, bytes]]:
        """`(pk, sk, value)` in scan order, strictly after the `(pk, sk)` of `after`.

        Segment `i` of `n` holds the partitions whose hash falls in the i-th of n equal
        slices of the hash range: the segments are disjoint and together complete.
        """
        ...

    def drop_space(self, space: int) -> None:
        """Forget the keyspace at once; its rows are deleted later by `Store.reclaim`."""
        ...

    def space_stats(self, space: int) -> tuple[int, int]:
        """(row count, total bytes of the values), kept current by every write: O(1)."""
        ...

    def on_commit(self, callback: Callable[[], object]) -> None:
        """Run `callback()` after this transaction commits; forgotten on rollback."""
        ...


class Store(Protocol):
    def transaction(self, write: bool = True) -> AbstractContextManager[Transaction]:
        """A write transaction (exclusive, atomic) or a read snapshot (`write=False`).

        Leaving the block normally commits; an exception rolls everything back and
        propagates. Transactions do not nest.
        """
        ...

    def describe(self) -> dict[str, Any]:
        """Engine facts for the health endpoint."""
        ...

    def segment_of(self, pk: bytes, total_segments: int) -> int:
        """Which of `total_segments` scan segments holds partition `pk`."""
        ...

    def reclaim(self, batch: int = 1000) -> bool:
        """Delete up to `batch` rows of dropped keyspaces; True while some remain.

        `drop_space` only marks a keyspace as gone, so dropping a large table costs no
        more than a small one; the server calls `reclaim` in the background, between
        requests, after `on_garbage` tells it there is something to reclaim.
        """
        ...

    on_garbage: Callable[[], object] | None

    def close(self) -> None: ...
