"""One server per data folder: an exclusive `flock` on `<data_dir>/tidal.lock`.

The lock belongs to the open file, so it is released when the file is closed or the
process dies, however it dies. The holder writes its pid into the file so that a second
server can say who is in the way.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from tidal.storage.interface import StoreLockedError

LOCK_NAME = "tidal.lock"


class DataDirLock:
    def __init__(self, data_dir: Path) -> None:
        path = data_dir / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            raise StoreLockedError(
                f"another Tidal server is using {data_dir} (pid {holder})"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _read_pid(fd: int) -> str:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return text if text.isdigit() else "unknown"
