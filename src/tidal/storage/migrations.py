"""Schema of the SQLite store, as an append-only list of migrations.

The database's `PRAGMA user_version` is the number of migrations applied. On open, the
missing ones run in order, each in its own transaction together with the version bump.
Never edit a released migration: append a new one.
"""

from __future__ import annotations

import sqlite3

from tidal.storage.interface import StoreError

MIGRATIONS: list[tuple[str, ...]] = [
    (
        "CREATE TABLE docs (ns TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,"
        " PRIMARY KEY (ns, key)) WITHOUT ROWID",
        # AUTOINCREMENT keeps ids of dropped spaces from coming back. The triggers below
        # keep each space's row count and value bytes, so reading them costs nothing.
        "CREATE TABLE spaces (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " rows INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0)",
        # A rowid table, not WITHOUT ROWID: item values of a KB and more would spill into
        # overflow pages of a WITHOUT ROWID b-tree (about 1 KB fits in a 4 KB index
        # page), which measured 2-4x slower writes and 3x the file size.
        "CREATE TABLE rows (space INTEGER NOT NULL, hash INTEGER NOT NULL, pk BLOB NOT NULL,"
        " sk BLOB NOT NULL, value BLOB NOT NULL, PRIMARY KEY (space, hash, pk, sk))",
        "CREATE TRIGGER rows_inserted AFTER INSERT ON rows BEGIN UPDATE spaces"
        " SET rows = rows + 1, bytes = bytes + length(NEW.value) WHERE id = NEW.space; END",
        "CREATE TRIGGER rows_updated AFTER UPDATE OF value ON rows BEGIN UPDATE spaces"
        " SET bytes = bytes + length(NEW.value) - length(OLD.value) WHERE id = NEW.space; END",
        "CREATE TRIGGER rows_deleted AFTER DELETE ON rows BEGIN UPDATE spaces"
        " SET rows = rows - 1, bytes = bytes - length(OLD.value) WHERE id = OLD.space; END",
    ),
    (
        # Keyspaces dropped but whose rows are not deleted yet (see Store.reclaim).
        "CREATE TABLE dropped_spaces (id INTEGER PRIMARY KEY)",
    ),
    (
        # Logs (Transaction.log_append): one rowid table, keyed by keyspace id << 39 | the
        # entry's position in its log, so a log is one contiguous run of the table, an
        # append goes to the end of that run, and nothing else (no index, no trigger) is
        # written. A NULL value marks the highest position a trimmed log has used.
        "CREATE TABLE log_entries (key INTEGER PRIMARY KEY, value BLOB)",
    ),
]


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date and return its version."""
    version = schema_version(conn)
    if version > len(MIGRATIONS):
        raise StoreError(
            f"the data folder was written by a newer Tidal (schema version {version}, "
            f"this one knows {len(MIGRATIONS)})"
        )
    for number in range(version, len(MIGRATIONS)):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[number]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return len(MIGRATIONS)
