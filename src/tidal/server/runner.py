"""Run the ASGI app under uvicorn: in the foreground (`tidal serve`) or on a thread (tests)."""

from __future__ import annotations

import signal
import socket
import threading

import uvicorn

from tidal.core.config import Config
from tidal.core.runtime import Runtime
from tidal.server.app import App
from tidal.storage import open_store


class Server:
    """A Tidal server: `with Server(config) as server: server.endpoint` serves on a thread.

    Port 0 binds an ephemeral port; `endpoint` tells which one was taken.
    """

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config(port=0, in_memory=True)
        self.runtime = Runtime(
            self.config, open_store(self.config.store_path, self.config.durability)
        )
        self.app = App(self.runtime)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind((self.config.host, self.config.port))
            self._socket.listen(2048)
        except OSError:
            self._socket.close()
            self.runtime.store.close()
            raise
        port = self._socket.getsockname()[1]
        self.runtime.endpoint_url = f"http://{_local_address(self.config.host)}:{port}"
        self._uvicorn = uvicorn.Server(
            uvicorn.Config(
                self.app,
                loop="uvloop",
                http="httptools",
                lifespan="on",
                log_level="warning",
                access_log=False,
                server_header=False,
                timeout_graceful_shutdown=5,
            )
        )
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        host, port = self._socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        """Serve in this (main) thread until SIGINT/SIGTERM, then return normally.

        uvicorn re-raises the signal that stopped it once it has shut down; the handlers
        installed here receive that signal, so a clean stop ends with exit status 0.
        """
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._request_exit)
        self._uvicorn.run(sockets=[self._socket])

    def _request_exit(self, sig: int, frame: object) -> None:
        self._uvicorn.should_exit = True

    def start(self) -> Server:
        self._thread = threading.Thread(
            target=self._uvicorn.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        while not self._uvicorn.started:
            if not self._thread.is_alive():
                raise RuntimeError("Tidal server thread ended before it started")
            self._thread.join(0.005)
        return self

    def stop(self) -> None:
        self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join()
        self._socket.close()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _local_address(host: str) -> str:
    """An address of this machine that a server bound to `host` answers on."""
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
