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


def _setting(flag: str, **option: Any) -> Any:
    """An option of `tidal serve` that the variable TIDAL_<FLAG> also sets (`--data-dir`:
    TIDAL_DATA_DIR); its default, if it has one, shows in `--help`."""
    envvar = "TIDAL_" + flag.removeprefix("--").upper().replace("-", "_")
    if "default" in option:
        option.setdefault("show_default", True)
    return click.option(flag, envvar=envvar, **option)


@main.command()
@_setting("--host", default="127.0.0.1")
@_setting("--port", default=8000, type=click.IntRange(0, 65535))
@_setting(
    "--data-dir",
    default=".tidal",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder that holds the store.",
)
@_setting("--in-memory", is_flag=True, help="Keep everything in memory.")
@_setting(
    "--durability",
    type=click.Choice(["normal", "full"]),
    default="normal",
    help="full: every acknowledged write is synced to disk before the reply.",
)
@_setting("--region", default="us-east-1")
@_setting(
    "--shard-rollover",
    type=Duration(),
    default="4h",
    help="How long a stream shard stays open before a child shard replaces it.",
)
@_setting(
    "--stream-retention",
    type=Duration(),
    default="24h",
    help="How long stream records stay readable.",
)
@_setting(
    "--ttl-interval",
    type=Duration(),
    default="1s",
    help="How long an expired item stays readable before TTL deletes it.",
)
@_setting(
    "--ttl-cooldown",
    type=Duration(),
    help="Refuse a second UpdateTimeToLive on a table within this time, as AWS does (1h).",
)
@_setting(
    "--lambda-concurrency",
    type=click.IntRange(1),
    default=1000,
    help="Concurrent executions the account may run, as AWS's account limit.",
)
@_setting(
    "--lambda-idle",
    type=Duration(),
    default="10m",
    help="How long an idle function environment stays warm before it is stopped.",
)
@_setting(
    "--ses-strict",
    is_flag=True,
    help="Behave like the SES sandbox: refuse mail from or to unverified identities.",
)
@_setting(
    "--smtp-relay",
    metavar="HOST:PORT",
    help="Also hand every accepted e-mail to this SMTP server.",
)
@_setting("--smtp-starttls", is_flag=True, help="Use STARTTLS on the relay.")
@_setting("--smtp-user", help="User name for the relay.")
@_setting("--smtp-password", help="Password for the relay.")
def serve(**options: Any) -> None:
    """Serve the AWS APIs on HOST:PORT until interrupted."""
    from tidal.server.runner import Server
    from tidal.storage import StoreError

    options["ttl_cooldown"] = options["ttl_cooldown"] or 0.0
    config = Config(**options)
    host, port, data_dir = config.host, config.port, config.data_dir
    try:
        server = Server(config)
    except StoreError as error:
        console.print(f"tidal: {error}", style="red", markup=False)
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
