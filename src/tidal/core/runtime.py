"""The running Tidal: settings, the store, and what each room keeps between requests."""

from __future__ import annotations

import time
from typing import Any

from tidal.core.config import Config
from tidal.core.events import Hooks


class Runtime:
    def __init__(self, config: Config, store: Any) -> None:
        self.config = config
        self.store = store
        self.started = time.monotonic()
        self.rooms: dict[str, Any] = {}
        self.hooks = Hooks()
        self.endpoint_url = f"http://127.0.0.1:{config.port}"
        """Where a client on this machine reaches the server (functions' AWS_ENDPOINT_URL)."""

    def room(self, name: str, factory: Any) -> Any:
        """The state object a room keeps in this runtime, made by `factory()` on first use."""
        state = self.rooms.get(name)
        if state is None:
            state = self.rooms[name] = factory()
        return state

    def uptime(self) -> float:
        return time.monotonic() - self.started
