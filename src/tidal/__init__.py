"""Tidal: DynamoDB, DynamoDB Streams and Lambda stream triggers in one local process.

`tidal.Server` runs a server on a thread: `with tidal.Server() as server: server.endpoint`.
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["Server", "__version__"]


def __getattr__(name: str) -> Any:
    """`Server` is imported on first use, so `import tidal` stays cheap for the CLI."""
    if name == "Server":
        from tidal.server.runner import Server

        return Server
    raise AttributeError(f"module 'tidal' has no attribute {name!r}")
