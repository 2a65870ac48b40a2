"""The storage contract every engine implements (SQLite now, a server database later).

Two kinds of data live in a store:

- **documents**: small JSON-able control-plane records (table descriptions, functions,
  mappings …) addressed by a namespace and a key, listed in key order;
- **rows**: keyspaces of `(pk, sk) -> value` byte strings. A keyspace holds one table
  or one index. Within a partition (`pk`) rows are ordered by `sk`; a whole keyspace is
  scanned in *scan order*: a 32-bit hash of `pk`, then `pk`, then `sk`. The hash spreads
  partitions like DynamoDB does and lets parallel scans split the keyspace into disjoint
  segments.

- **logs**: append-only sequences of byte strings, at most one per keyspace. An entry is
  numbered with its *position* in its log: positions start at 1, grow with every append
  and are never handed out twice in a log, even after trims and reopening (they are not
  dense). A log is read in position order from any position, and shrinks only from its
  front (`log_trim`) or all at once (`drop_space`). Made for records written once and
  read in order, like stream records: an append writes the entry and nothing else (no
  hash, no index, no statistics, no counter).

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
        """Forget the keyspace at once; its rows and log entries are deleted later by
        `Store.reclaim`."""
        ...

    def space_stats(self, space: int) -> tuple[int, int]:
        """(row count, total bytes of the values), kept current by every write: O(1)."""
        ...

    # logs

    def log_append(self, space: int, value: bytes, at_least: int = 0) -> int:
        """Append `value` to the keyspace's log; returns its position.

        The position is above every position the log handed out before, and at least
        `at_least`: a caller that promised readers a lower bound keeps its word. Positions
        are below 2**39; a log is kept by a keyspace id below 2**24.
        """
        ...

    def log_read(
        self, space: int, after: int = 0, until: int | None = None, limit: int | None = None
    ) -> Iterator[tuple[int, bytes]]:
        """`(position, value)` of the log's entries positioned above `after` and at most
        `until` (any integers), oldest first."""
        ...

    def log_last(self, space: int) -> int | None:
        """The position of the log's newest entry; None if it holds none."""
        ...

    def log_trim(self, space: int, before: int) -> int:
        """Delete the log's entries positioned below `before`; returns how many."""
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
        """Delete up to `batch` rows and log entries of dropped keyspaces; True while some
        remain.

        `drop_space` only marks a keyspace as gone, so dropping a large table costs no
        more than a small one; the server calls `reclaim` in the background, between
        requests, after `on_garbage` tells it there is something to reclaim.
        """
        ...

    on_garbage: Callable[[], object] | None

    def close(self) -> None: ...
