"""The SQLite store: one database file `<data_dir>/tidal.db`, or memory only.

One connection, used from the server's event loop: every call is short and synchronous.
Transactions are explicit (`isolation_level=None`): `BEGIN IMMEDIATE` for writes, a
deferred `BEGIN` for read snapshots. A lock serialises transactions in case another
thread (a console view, a test) uses the store too; the same thread opening a second
transaction inside the first is a bug and raises RuntimeError.

Rows live in one table with the primary key (space, hash, pk, sk), where hash is a
32-bit blake2b of pk: the primary key order is the scan order, a partition is one
contiguous run of the index, and parallel-scan segments are ranges of hash.

Log entries live in one rowid table keyed by `space << 39 | position`: a log is one
contiguous run of the table and an append, numbered one above the last key of its run,
goes to the end of that run with nothing else to update. Trimming a log's newest entry
leaves a NULL-valued entry at its position, so that the log never numbers an entry with
it again.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from hashlib import blake2b
from pathlib import Path
from typing import Any

import orjson

from tidal.storage.interface import StoreError
from tidal.storage.lock import DataDirLock
from tidal.storage.migrations import migrate

log = logging.getLogger(__name__)

DB_NAME = "tidal.db"
DURABILITIES = ("normal", "full")
HASH_SPAN = 1 << 32

# A bounded page cache keeps the server's memory flat however large the data grows;
# the WAL is checkpointed every ~4 MB and truncated back to at most 64 MB afterwards.
_CACHE_KIB = 16 * 1024
_WAL_AUTOCHECKPOINT_PAGES = 1000
_JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024
_SYNCHRONOUS_NAMES = {0: "off", 1: "normal", 2: "full", 3: "extra"}

_GET = "SELECT value FROM rows WHERE space = ? AND hash = ? AND pk = ? AND sk = ?"
# An upsert rewrites the value in place; INSERT OR REPLACE would delete and re-insert
# the row and so touch the primary key index as well.
_PUT = (
    "INSERT INTO rows (space, hash, pk, sk, value) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (space, hash, pk, sk) DO UPDATE SET value = excluded.value"
)
_DELETE = "DELETE FROM rows WHERE space = ? AND hash = ? AND pk = ? AND sk = ?"
_NEW_SPACE = "INSERT INTO spaces DEFAULT VALUES"
_DROP_SPACE = "DELETE FROM spaces WHERE id = ?"
_MARK_DROPPED = "INSERT INTO dropped_spaces (id) VALUES (?)"
_NEXT_DROPPED = "SELECT id FROM dropped_spaces LIMIT 1"
_RECLAIM_ROWS = "DELETE FROM rows WHERE rowid IN (SELECT rowid FROM rows WHERE space = ? LIMIT ?)"
_FORGET_DROPPED = "DELETE FROM dropped_spaces WHERE id = ?"
LOG_SHIFT = 39
MAX_POSITION = (1 << LOG_SHIFT) - 1
MAX_LOG_SPACE = (1 << (63 - LOG_SHIFT)) - 1
_RECLAIM_LOG = (
    "DELETE FROM log_entries WHERE key IN"
    " (SELECT key FROM log_entries WHERE key > ? AND key <= ? LIMIT ?)"
)
# ?1 the lowest key the entry may get, ?2 the log's key 0, ?3 its last possible key.
_APPEND = (
    "INSERT INTO log_entries (key, value) VALUES (max(?1, 1 + coalesce((SELECT key FROM"
    " log_entries WHERE key > ?2 AND key <= ?3 ORDER BY key DESC LIMIT 1), ?2)), ?4)"
)
_READ_LOG = (
    "SELECT key - ?1, value FROM log_entries WHERE key > ?2 AND key <= ?3"
    " AND value IS NOT NULL ORDER BY key LIMIT ?4"
)
_LAST_IN_LOG = (
    "SELECT key - ?1 FROM log_entries WHERE key > ?1 AND key <= ?2 AND value IS NOT NULL"
    " ORDER BY key DESC LIMIT 1"
)
_TOP_OF_LOG = "SELECT key FROM log_entries WHERE key > ? AND key <= ? ORDER BY key DESC LIMIT 1"
_TRIM_LOG = "DELETE FROM log_entries WHERE key > ? AND key < ? AND value IS NOT NULL"
_TRIM_MARKS = "DELETE FROM log_entries WHERE key > ? AND key < ? AND value IS NULL"
_MARK_TOP = "INSERT INTO log_entries (key, value) VALUES (?, NULL)"
_STATS = "SELECT rows, bytes FROM spaces WHERE id = ?"
_SCAN = (
    "SELECT pk, sk, value FROM rows WHERE space = ? AND hash >= ? AND hash < ?"
    " ORDER BY hash, pk, sk LIMIT ?"
)
_SCAN_AFTER = (
    "SELECT pk, sk, value FROM rows WHERE space = ? AND (hash, pk, sk) > (?, ?, ?)"
    " AND hash < ? ORDER BY hash, pk, sk LIMIT ?"
)
_GET_DOC = "SELECT value FROM docs WHERE ns = ? AND key = ?"
_PUT_DOC = "INSERT OR REPLACE INTO docs (ns, key, value) VALUES (?, ?, ?)"
_DELETE_DOC = "DELETE FROM docs WHERE ns = ? AND key = ?"
_LIST_DOCS_FROM = "SELECT key, value FROM docs WHERE ns = ? AND key >= ? ORDER BY key"
_LIST_DOCS_AFTER = "SELECT key, value FROM docs WHERE ns = ? AND key > ? ORDER BY key"


def _range_sql(lo_op: str | None, hi_op: str | None, reverse: bool) -> str:
    where = "space = ? AND hash = ? AND pk = ?"
    if lo_op:
        where += f" AND sk {lo_op} ?"
    if hi_op:
        where += f" AND sk {hi_op} ?"
    order = "DESC" if reverse else "ASC"
    return f"SELECT sk, value FROM rows WHERE {where} ORDER BY sk {order} LIMIT ?"


_RANGE_SQL = {
    (lo_op, hi_op, reverse): _range_sql(lo_op, hi_op, reverse)
    for lo_op in (None, ">=", ">")
    for hi_op in (None, "<=", "<")
    for reverse in (False, True)
}


def pk_hash(pk: bytes) -> int:
    """The partition hash that orders a scan: 32 bits of blake2b, unsigned."""
    return int.from_bytes(blake2b(pk, digest_size=4).digest(), "big")


def _log_base(space: int) -> int:
    """The key just below the keys of the keyspace's log entries."""
    if not 0 < space <= MAX_LOG_SPACE:
        raise StoreError(f"keyspace {space} cannot hold a log (ids 1..{MAX_LOG_SPACE} can)")
    return space << LOG_SHIFT


def _successor(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string starting with `prefix`."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])


class SQLiteStore:
    def __init__(self, data_dir: Path | None, durability: str = "normal") -> None:
        if durability not in DURABILITIES:
            raise ValueError(f"durability must be one of {DURABILITIES}, not {durability!r}")
        self.durability = durability if data_dir is not None else "none"
        self.path: Path | None = None
        self._dir_lock: DataDirLock | None = None
        self._conn: sqlite3.Connection | None = None
        if data_dir is not None:
            data_dir = Path(data_dir)
            try:
                data_dir.mkdir(parents=True, exist_ok=True)
                self._dir_lock = DataDirLock(data_dir)
            except OSError as error:
                reason = error.strerror
                raise StoreError(f"cannot use the data folder {data_dir}: {reason}") from None
            self.path = data_dir / DB_NAME
        try:
            self._conn = sqlite3.connect(
                ":memory:" if self.path is None else self.path,
                isolation_level=None,
                check_same_thread=False,
                cached_statements=256,
            )
            self._configure(self._conn)
            self.schema_version = migrate(self._conn)
        except sqlite3.DatabaseError as error:
            self.close()
            raise StoreError(
                f"cannot open the store {self.path}: {error} (is it damaged, or not Tidal's?)"
            ) from None
        except BaseException:
            self.close()
            raise
        self._txn_lock = threading.Lock()
        self._txn_thread: int | None = None
        self.on_garbage: Callable[[], object] | None = None

    def _configure(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        if self.path is None:
            conn.execute("PRAGMA synchronous = OFF")
        else:
            # The data-folder lock already keeps other processes out, so SQLite may keep
            # its file locks for the life of the connection (and the WAL index in memory)
            # instead of taking and dropping them in every transaction.
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise StoreError(f"SQLite cannot keep a write-ahead log in {self.path.parent}")
            conn.execute(f"PRAGMA synchronous = {self.durability.upper()}")
            conn.execute(f"PRAGMA wal_autocheckpoint = {_WAL_AUTOCHECKPOINT_PAGES}")
            conn.execute(f"PRAGMA journal_size_limit = {_JOURNAL_SIZE_LIMIT}")

    def transaction(self, write: bool = True) -> SQLiteTransaction:
        return SQLiteTransaction(self, write)

    def segment_of(self, pk: bytes, total_segments: int) -> int:
        """Segment i holds the hashes from `i * HASH_SPAN // total` (see `scan`): the last
        segment starting at or below the partition's hash."""
        hashed = pk_hash(pk)
        segment = hashed * total_segments // HASH_SPAN
        if (segment + 1) * HASH_SPAN // total_segments <= hashed:
            segment += 1
        return segment

    def reclaim(self, batch: int = 1000) -> bool:
        with self.transaction() as txn:
            row = txn._conn.execute(_NEXT_DROPPED).fetchone()
            if row is None:
                return False
            deleted = txn._conn.execute(_RECLAIM_ROWS, (row[0], batch)).rowcount
            if deleted < batch and row[0] <= MAX_LOG_SPACE:
                base = _log_base(row[0])
                reclaim_log = (base, base + MAX_POSITION, batch - deleted)
                deleted += txn._conn.execute(_RECLAIM_LOG, reclaim_log).rowcount
            if deleted < batch:
                txn._conn.execute(_FORGET_DROPPED, (row[0],))
        return True

    def _garbage_made(self) -> None:
        if self.on_garbage is not None:
            self.on_garbage()

    def describe(self) -> dict[str, Any]:
        conn = self._live_conn()
        synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
        return {
            "engine": "sqlite",
            "sqlite_version": sqlite3.sqlite_version,
            "path": None if self.path is None else str(self.path),
            "durability": self.durability,
            "journal_mode": conn.execute("PRAGMA journal_mode").fetchone()[0],
            "synchronous": _SYNCHRONOUS_NAMES.get(synchronous, str(synchronous)),
            "schema_version": self.schema_version,
        }

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._dir_lock is not None:
            self._dir_lock.release()
            self._dir_lock = None

    def _live_conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("the store is closed")
        return self._conn

    def _begin(self, write: bool) -> sqlite3.Connection:
        me = threading.get_ident()
        if self._txn_thread == me:
            raise RuntimeError("a transaction is already open in this thread; they do not nest")
        conn = self._live_conn()
        self._txn_lock.acquire()
        self._txn_thread = me
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except BaseException:
            self._end()
            raise
        return conn

    def _end(self) -> None:
        self._txn_thread = None
        self._txn_lock.release()


class SQLiteTransaction:
    __slots__ = ("_callbacks", "_conn", "_store", "_writable", "write")

    def __init__(self, store: SQLiteStore, write: bool) -> None:
        self._store = store
        self.write = write
        self._writable = False
        self._callbacks: list[Callable[[], object]] | None = None

    def __enter__(self) -> SQLiteTransaction:
        self._conn = self._store._begin(self.write)
        self._writable = self.write
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: object, tb: object) -> None:
        conn = self._conn
        self._writable = False
        try:
            if exc_type is None:
                try:
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            elif conn.in_transaction:
                conn.execute("ROLLBACK")
        finally:
            self._store._end()
        if exc_type is None and self._callbacks:
            for callback in self._callbacks:
                try:
                    callback()
                except Exception:
                    log.exception("on_commit callback %r failed", callback)

    def _check_writable(self) -> None:
        if not self._writable:
            raise RuntimeError("this transaction is read-only or finished")

    # documents

    def get_doc(self, ns: str, key: str) -> Any | None:
        row = self._conn.execute(_GET_DOC, (ns, key)).fetchone()
        return None if row is None else orjson.loads(row[0])

    def put_doc(self, ns: str, key: str, value: Any) -> None:
        self._check_writable()
        self._conn.execute(_PUT_DOC, (ns, key, orjson.dumps(value)))

    def delete_doc(self, ns: str, key: str) -> bool:
        self._check_writable()
        return self._conn.execute(_DELETE_DOC, (ns, key)).rowcount > 0

    def list_docs(
        self, ns: str, prefix: str = "", after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Any]]:
        if after is not None and after >= prefix:
            cursor = self._conn.execute(_LIST_DOCS_AFTER, (ns, after))
        else:
            cursor = self._conn.execute(_LIST_DOCS_FROM, (ns, prefix))
        found: list[tuple[str, Any]] = []
        if limit is not None and limit <= 0:
            return found
        for key, value in cursor:
            if not key.startswith(prefix):
                break
            found.append((key, orjson.loads(value)))
            if len(found) == limit:
                break
        return found

    # rows

    def new_space(self) -> int:
        self._check_writable()
        return self._conn.execute(_NEW_SPACE).lastrowid

    def get(self, space: int, pk: bytes, sk: bytes) -> bytes | None:
        row = self._conn.execute(_GET, (space, pk_hash(pk), pk, sk)).fetchone()
        return None if row is None else row[0]

    def put(self, space: int, pk: bytes, sk: bytes, value: bytes) -> None:
        self._check_writable()
        self._conn.execute(_PUT, (space, pk_hash(pk), pk, sk, value))

    def delete(self, space: int, pk: bytes, sk: bytes) -> bool:
        self._check_writable()
        return self._conn.execute(_DELETE, (space, pk_hash(pk), pk, sk)).rowcount > 0

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
        if prefix is not None:
            if lo is None or prefix > lo:
                lo, lo_inclusive = prefix, True
            end = _successor(prefix)
            if end is not None and (hi is None or end <= hi):
                hi, hi_inclusive = end, False
        params: list[object] = [space, pk_hash(pk), pk]
        lo_op = hi_op = None
        if lo is not None:
            lo_op = ">=" if lo_inclusive else ">"
            params.append(lo)
        if hi is not None:
            hi_op = "<=" if hi_inclusive else "<"
            params.append(hi)
        params.append(-1 if limit is None else limit)
        return self._conn.execute(_RANGE_SQL[lo_op, hi_op, reverse], params)

    def scan(
        self,
        space: int,
        *,
        after: tuple[bytes, bytes] | None = None,
        segment: int = 0,
        total_segments: int = 1,
        limit: int | None = None,
    ) -> Iterator[tuple[bytes, bytes, bytes]]:
        if not 0 <= segment < total_segments:
            raise ValueError(f"segment {segment} is not in 0..{total_segments - 1}")
        seg_lo = segment * HASH_SPAN // total_segments
        seg_hi = (segment + 1) * HASH_SPAN // total_segments
        row_limit = -1 if limit is None else limit
        if after is not None:
            after_hash = pk_hash(after[0])
            if after_hash >= seg_lo:
                return self._conn.execute(
                    _SCAN_AFTER, (space, after_hash, after[0], after[1], seg_hi, row_limit)
                )
        return self._conn.execute(_SCAN, (space, seg_lo, seg_hi, row_limit))

    def drop_space(self, space: int) -> None:
        self._check_writable()
        self._conn.execute(_DROP_SPACE, (space,))
        self._conn.execute(_MARK_DROPPED, (space,))
        self.on_commit(self._store._garbage_made)

    def space_stats(self, space: int) -> tuple[int, int]:
        row = self._conn.execute(_STATS, (space,)).fetchone()
        return (0, 0) if row is None else row

    # logs

    def log_append(self, space: int, value: bytes, at_least: int = 0) -> int:
        self._check_writable()
        base = _log_base(space)
        lowest = base + min(max(at_least, 0), MAX_POSITION + 1)
        key = self._conn.execute(_APPEND, (lowest, base, base + MAX_POSITION, value)).lastrowid
        if key - base > MAX_POSITION:
            raise StoreError(f"the log of keyspace {space} has no position left")
        return key - base

    def log_read(
        self, space: int, after: int = 0, until: int | None = None, limit: int | None = None
    ) -> Iterator[tuple[int, bytes]]:
        base = _log_base(space)
        after = min(max(after, 0), MAX_POSITION)
        until = MAX_POSITION if until is None else min(max(until, 0), MAX_POSITION)
        params = (base, base + after, base + until, -1 if limit is None else limit)
        return self._conn.execute(_READ_LOG, params)

    def log_last(self, space: int) -> int | None:
        base = _log_base(space)
        row = self._conn.execute(_LAST_IN_LOG, (base, base + MAX_POSITION)).fetchone()
        return None if row is None else row[0]

    def log_trim(self, space: int, before: int) -> int:
        self._check_writable()
        base = _log_base(space)
        if before <= 1:
            return 0
        end = base + min(before, MAX_POSITION + 1)
        top = self._conn.execute(_TOP_OF_LOG, (base, base + MAX_POSITION)).fetchone()
        deleted = self._conn.execute(_TRIM_LOG, (base, end)).rowcount
        self._conn.execute(_TRIM_MARKS, (base, end))
        if top is not None and top[0] < end:
            self._conn.execute(_MARK_TOP, (top[0],))
        return deleted

    def on_commit(self, callback: Callable[[], object]) -> None:
        if self._callbacks is None:
            self._callbacks = []
        self._callbacks.append(callback)
