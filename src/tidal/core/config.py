"""Server settings, filled from CLI flags and TIDAL_* environment variables by `cli.py`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_ACCOUNT = "000000000000"


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path(".tidal")
    in_memory: bool = False
    durability: str = "normal"
    region: str = "us-east-1"

    @property
    def store_path(self) -> Path | None:
        return None if self.in_memory else self.data_dir
