"""`tidal` command line: maps flags and TIDAL_* variables to a Config and calls into the package."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from tidal import __version__
from tidal.core.config import Config

console = Console(stderr=True, highlight=False)


@click.group(context_settings={"auto_envvar_prefix": "TIDAL"})
@click.version_option(__version__, prog_name="tidal")
def main() -> None:
    """Tidal: DynamoDB, DynamoDB Streams and Lambda stream triggers on your machine."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="TIDAL_HOST")
@click.option("--port", default=8000, show_default=True, type=int, envvar="TIDAL_PORT")
@click.option(
    "--data-dir",
    default=".tidal",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    envvar="TIDAL_DATA_DIR",
    help="Folder that holds the store.",
)
@click.option(
    "--in-memory", is_flag=True, envvar="TIDAL_IN_MEMORY", help="Keep everything in memory."
)
@click.option(
    "--durability",
    type=click.Choice(["normal", "full"]),
    default="normal",
    show_default=True,
    envvar="TIDAL_DURABILITY",
    help="full: every acknowledged write is synced to disk before the reply.",
)
@click.option("--region", default="us-east-1", show_default=True, envvar="TIDAL_REGION")
def serve(
    host: str, port: int, data_dir: Path, in_memory: bool, durability: str, region: str
) -> None:
    """Serve the AWS APIs on HOST:PORT until interrupted."""
    from tidal.server.runner import Server
    from tidal.storage import StoreLockedError

    config = Config(host, port, data_dir, in_memory, durability, region)
    try:
        server = Server(config)
    except StoreLockedError as error:
        console.print(f"[red]tidal: {error}[/red]")
        sys.exit(1)
    except OSError as error:
        server_port = f"{host}:{port}"
        console.print(f"[red]tidal: cannot listen on {server_port}: {error.strerror}[/red]")
        sys.exit(1)
    store = "in memory" if in_memory else f"{data_dir.resolve()} ({durability} durability)"
    console.print(f"data: {store}")
    console.print(f"Tidal {__version__} serving on [bold]{server.endpoint}[/bold]")
    server.serve_forever()


if __name__ == "__main__":
    main()
