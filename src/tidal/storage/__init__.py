"""Storage: the store interface and its engines (SQLite today)."""

from __future__ import annotations

from pathlib import Path

from tidal.storage.interface import Store, StoreError, StoreLockedError, Transaction
from tidal.storage.sqlite import SQLiteStore

__all__ = ["Store", "StoreError", "StoreLockedError", "Transaction", "open_store"]


def open_store(data_dir: Path | None, durability: str = "normal") -> Store:
    """Open the store in `data_dir` (created if missing), or in memory when it is None.

    `durability` is "normal" (WAL, a commit survives a crash of the process) or "full"
    (every commit is synced to disk and also survives a crash of the machine). An
    in-memory store writes no files at all.
    """
    return SQLiteStore(data_dir, durability)
