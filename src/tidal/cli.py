"""`tidal` command line: maps flags and TIDAL_* variables to a Config and calls into the package."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from tidal import __version__
from tidal.core.config import Config
from tidal.ses.cli import mail

console = Console(stderr=True, highlight=False)

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


class Duration(click.ParamType):
    """A length of time: `90` or `90s` seconds, `500ms`, `15m`, `4h`, `1d`; in seconds."""

    name = "duration"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, int | float):
            return float(value)
        match = _DURATION.fullmatch(str(value).strip())
        if match is None or float(match.group(1)) <= 0:
            self.fail(f"{value!r} is not a duration such as 30s, 15m or 4h", param, ctx)
        return float(match.group(1)) * _UNIT_SECONDS[match.group(2) or "s"]


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
@click.option(
    "--shard-rollover",
    type=Duration(),
    default="4h",
    show_default=True,
    envvar="TIDAL_SHARD_ROLLOVER",
    help="How long a stream shard stays open before a child shard replaces it.",
)
@click.option(
    "--stream-retention",
    type=Duration(),
    default="24h",
    show_default=True,
    envvar="TIDAL_STREAM_RETENTION",
    help="How long stream records stay readable.",
)
@click.option(
    "--ttl-interval",
    type=Duration(),
    default="1s",
    show_default=True,
    envvar="TIDAL_TTL_INTERVAL",
    help="How long an expired item stays readable before TTL deletes it.",
)
@click.option(
    "--ttl-cooldown",
    type=Duration(),
    envvar="TIDAL_TTL_COOLDOWN",
    help="Refuse a second UpdateTimeToLive on a table within this time, as AWS does (1h).",
)
@click.option(
    "--lambda-concurrency",
    type=click.IntRange(1),
    default=1000,
    show_default=True,
    envvar="TIDAL_LAMBDA_CONCURRENCY",
    help="Concurrent executions the account may run, as AWS's account limit.",
)
@click.option(
    "--lambda-idle",
    type=Duration(),
    default="10m",
    show_default=True,
    envvar="TIDAL_LAMBDA_IDLE",
    help="How long an idle function environment stays warm before it is stopped.",
)
@click.option(
    "--ses-strict",
    is_flag=True,
    envvar="TIDAL_SES_STRICT",
    help="Behave like the SES sandbox: refuse mail from or to unverified identities.",
)
@click.option(
    "--smtp-relay",
    metavar="HOST:PORT",
    envvar="TIDAL_SMTP_RELAY",
    help="Also hand every accepted e-mail to this SMTP server.",
)
@click.option(
    "--smtp-starttls", is_flag=True, envvar="TIDAL_SMTP_STARTTLS", help="Use STARTTLS on the relay."
)
@click.option("--smtp-user", envvar="TIDAL_SMTP_USER", help="User name for the relay.")
@click.option("--smtp-password", envvar="TIDAL_SMTP_PASSWORD", help="Password for the relay.")
def serve(**options: Any) -> None:
    """Serve the AWS APIs on HOST:PORT until interrupted."""
    from tidal.server.runner import Server
    from tidal.storage import StoreLockedError

    options["ttl_cooldown"] = options["ttl_cooldown"] or 0.0
    config = Config(**options)
    host, port, data_dir = config.host, config.port, config.data_dir
    try:
        server = Server(config)
    except StoreLockedError as error:
        console.print(f"[red]tidal: {error}[/red]")
        sys.exit(1)
    except OSError as error:
        server_port = f"{host}:{port}"
        console.print(f"[red]tidal: cannot listen on {server_port}: {error.strerror}[/red]")
        sys.exit(1)
    store = (
        "in memory"
        if config.in_memory
        else f"{data_dir.resolve()} ({config.durability} durability)"
    )
    console.print(f"data: {store}")
    console.print(f"Tidal {__version__} serving on [bold]{server.endpoint}[/bold]")
    server.serve_forever()


main.add_command(mail)


if __name__ == "__main__":
    main()
