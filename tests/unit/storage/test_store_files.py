from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tidal.storage import StoreError, StoreLockedError, migrations, open_store


def test_durability_modes_set_the_pragmas(tmp_path: Path) -> None:
    for durability in ("normal", "full"):
        store = open_store(tmp_path / durability, durability)
        facts = store.describe()
        store.close()
        assert facts["engine"] == "sqlite"
        assert facts["path"] == str(tmp_path / durability / "tidal.db")
        assert facts["durability"] == durability
        assert facts["journal_mode"] == "wal"
        assert facts["synchronous"] == durability


def test_unknown_durability_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="durability"):
        open_store(tmp_path, "sometimes")


def test_in_memory_writes_no_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store(None)
    with store.transaction() as txn:
        space = txn.new_space()
        for n in range(2000):
            txn.put(space, str(n).encode(), b"", b"x" * 1000)
        txn.put_doc("ns", "k", "v")
    facts = store.describe()
    store.close()
    assert (facts["path"], facts["durability"], facts["journal_mode"]) == (None, "none", "memory")
    assert list(tmp_path.iterdir()) == []


def test_data_survive_close_and_reopen(tmp_path: Path) -> None:
    data = tmp_path / "missing" / "data"
    store = open_store(data)
    with store.transaction() as txn:
        space = txn.new_space()
        txn.put(space, b"pk", b"sk", b"value")
        txn.put_doc("ns", "k", {"v": 1})
    store.close()
    store = open_store(data)
    with store.transaction(write=False) as txn:
        assert txn.get(space, b"pk", b"sk") == b"value"
        assert txn.get_doc("ns", "k") == {"v": 1}
        assert txn.space_stats(space) == (1, 5)
    with store.transaction() as txn:
        assert txn.new_space() > space
    store.close()


def test_migrations_run_once_and_the_version_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    probe = ("CREATE TABLE probe (n INTEGER)", "INSERT INTO probe VALUES (1)")
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, probe])
    expected = len(migrations.MIGRATIONS)
    for _ in range(2):
        store = open_store(tmp_path)
        assert store.describe()["schema_version"] == expected
        store.close()
    conn = sqlite3.connect(tmp_path / "tidal.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == expected
    assert conn.execute("SELECT count(*) FROM probe").fetchone()[0] == 1
    conn.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "tidal.db")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="newer Tidal"):
        open_store(tmp_path)
    # Not StoreLockedError: the failed open released the folder.
    with pytest.raises(StoreError, match="newer Tidal"):
        open_store(tmp_path)


def test_a_damaged_store_file_is_a_store_error_that_releases_the_folder(tmp_path: Path) -> None:
    (tmp_path / "tidal.db").write_bytes(b"this is no SQLite file" * 300)
    for _ in range(2):
        with pytest.raises(StoreError, match=r"cannot open the store .*tidal\.db"):
            open_store(tmp_path)


def test_a_truncated_store_file_is_a_store_error(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    with store.transaction() as txn:
        for n in range(200):
            txn.put_doc("things", f"{n:04}", {"n": n, "padding": "x" * 500})
    store.close()
    path = tmp_path / "tidal.db"
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 3)
    with pytest.raises(StoreError, match="cannot open the store"):
        open_store(tmp_path)


def test_a_data_folder_that_cannot_be_made_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StoreError, match=r"cannot use the data folder .*file/store"):
        open_store(tmp_path / "file" / "store")


def test_a_second_store_in_the_same_process_is_refused(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    with pytest.raises(StoreLockedError) as refused:
        open_store(tmp_path)
    assert str(refused.value) == f"another Tidal server is using {tmp_path} (pid {os.getpid()})"
    store.close()
    open_store(tmp_path).close()


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


OPEN_STORE = """
    import sys
    from pathlib import Path
    from tidal.storage import StoreLockedError, open_store
    try:
        open_store(Path(sys.argv[1])).close()
    except StoreLockedError as error:
        print(error)
        sys.exit(3)
    print("opened")
"""


def test_a_second_server_process_is_refused(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    child = _python(OPEN_STORE, str(tmp_path))
    out, err = child.communicate(timeout=60)
    assert (child.returncode, out.strip()) == (
        3,
        f"another Tidal server is using {tmp_path} (pid {os.getpid()})",
    ), err
    store.close()
    child = _python(OPEN_STORE, str(tmp_path))
    out, err = child.communicate(timeout=60)
    assert (child.returncode, out.strip()) == (0, "opened"), err


WRITE_FOREVER = """
    import sys
    from pathlib import Path
    from tidal.storage import open_store
    store = open_store(Path(sys.argv[1]), sys.argv[2])
    with store.transaction() as txn:
        space = txn.new_space()
    print("space", space, flush=True)
    n = 0
    while True:
        with store.transaction() as txn:
            txn.put(space, str(n).encode(), b"", b"x" * 500)
            txn.put_doc("written", f"{n:09}", n)
        print(n, flush=True)
        n += 1
"""


@pytest.mark.parametrize("durability", ["normal", "full"])
def test_acknowledged_writes_survive_sigkill(tmp_path: Path, durability: str) -> None:
    writer = _python(WRITE_FOREVER, str(tmp_path), durability)
    assert writer.stdout is not None
    try:
        header = writer.stdout.readline().split()
        assert header[:1] == ["space"], writer.stderr.read() if writer.stderr else ""
        space = int(header[1])
        acknowledged = -1
        while acknowledged < 300:
            line = writer.stdout.readline()
            assert line, "the writer stopped before it was killed"
            acknowledged = int(line)
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=60)
        writer.stdout.close()
        if writer.stderr:
            writer.stderr.close()
    assert writer.returncode == -signal.SIGKILL

    store = open_store(tmp_path, durability)
    with store.transaction(write=False) as txn:
        for n in range(acknowledged + 1):
            assert txn.get(space, str(n).encode(), b"") == b"x" * 500, n
        written = txn.list_docs("written")
        rows, _ = txn.space_stats(space)
    store.close()
    assert len(written) >= acknowledged + 1
    assert [value for _, value in written] == list(range(len(written)))
    assert rows == len(written)
