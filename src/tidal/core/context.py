"""What an operation knows about the request it serves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tidal.core.runtime import Runtime


@dataclass(slots=True)
class RequestContext:
    runtime: Runtime
    account: str
    region: str
    request_id: str
    access_key: str = ""
    host: str = ""
    """The `Host` the client addressed (where it reaches this server)."""
