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
    lambda_concurrency: int = 1000
    """Concurrent function executions an account may run (AWS's default account limit)."""
    lambda_idle: float = 600.0
    """Seconds an idle function environment stays warm before it is stopped."""
    ses_strict: bool = False
    """Refuse mail from or to unverified identities, as the SES sandbox does."""
    smtp_relay: str | None = None
    """`host:port` of an SMTP server that every accepted e-mail is also handed to."""
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = None

    @property
    def store_path(self) -> Path | None:
        return None if self.in_memory else self.data_dir
