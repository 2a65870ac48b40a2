"""Server settings, filled from CLI flags and TIDAL_* environment variables by `cli.py`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_ACCOUNT = "000000000000"
HOUR = 3600.0


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path(".tidal")
    in_memory: bool = False
    durability: str = "normal"
    region: str = "us-east-1"
    shard_rollover: float = 4 * HOUR
    """Seconds a stream shard stays open before it closes and a child shard takes over."""
    stream_retention: float = 24 * HOUR
    """Seconds a stream record stays readable."""
    ttl_interval: float = 1.0
    """Seconds an expired item stays readable before the TTL sweeper deletes it."""
    ttl_cooldown: float = 0.0
    """Seconds after a TTL change in which UpdateTimeToLive refuses another (0: no limit)."""

    @property
    def store_path(self) -> Path | None:
        return None if self.in_memory else self.data_dir
