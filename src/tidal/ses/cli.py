"""`tidal mail`: the mailbox of a running Tidal, through its HTTP endpoints only.

`tidal mail` lists the messages (newest first), `tidal mail show ID` prints one,
`tidal mail clear` empties the mailbox (or the part the filters select).
"""

from __future__ import annotations

import json
import re
import sys
import time
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

DEFAULT_ENDPOINT = "http://127.0.0.1:8000"
_AGO = re.compile(r"(\d+(?:\.\d+)?)\s*(s|m|h|d)")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _out() -> Console:
    """Standard output, sized when a command runs (the terminal may have changed since)."""
    return Console(highlight=False)


def _err() -> Console:
    return Console(stderr=True, highlight=False)


class Since(click.ParamType):
    """A moment: `15m` / `2h` / `1d` ago, an ISO 8601 time, or epoch seconds."""

    name = "since"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        text = str(value).strip()
        ago = _AGO.fullmatch(text)
        if ago:
            return time.time() - float(ago.group(1)) * _UNIT_SECONDS[ago.group(2)]
        try:
            return float(text)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
        except ValueError:
            self.fail(f"{value!r} is not a time such as 15m, 2h, 2024-05-06T14:00 or an epoch")


def endpoint_option(command: Any) -> Any:
    return click.option(
        "--endpoint",
        envvar="TIDAL_ENDPOINT",
        help=f"Where Tidal serves (default {DEFAULT_ENDPOINT}).",
    )(command)


def filter_options(command: Any) -> Any:
    command = click.option("--since", type=Since(), help="Only messages since: 15m, ISO time…")(
        command
    )
    command = click.option("--from", "sender", help="Only messages whose sender contains this.")(
        command
    )
    return click.option("--to", help="Only messages to (To, Cc, Bcc) an address containing this.")(
        command
    )


@click.group(invoke_without_command=True)
@endpoint_option
@filter_options
@click.option("--limit", type=click.IntRange(1), help="At most this many messages.")
@click.option("--json", "as_json", is_flag=True, help="Print the messages as JSON.")
@click.pass_context
def mail(ctx: click.Context, endpoint: str | None, as_json: bool, **filters: Any) -> None:
    """The e-mail SES accepted: list it (newest first), show or clear it."""
    ctx.obj = endpoint
    if ctx.invoked_subcommand is not None:
        return
    messages = _get_json(_url(endpoint, "", _query(**filters)))["messages"]
    if as_json:
        click.echo(json.dumps(messages, ensure_ascii=False, indent=2))
        return
    if not messages:
        _err().print("No messages.")
        return
    _out().print(_table(messages))


@mail.command()
@click.argument("message_id")
@endpoint_option
@click.option("--raw", is_flag=True, help="Print the raw MIME message (.eml).")
@click.option("--json", "as_json", is_flag=True, help="Print the message as JSON.")
@click.pass_context
def show(
    ctx: click.Context, message_id: str, endpoint: str | None, raw: bool, as_json: bool
) -> None:
    """Print one message: its headers and its text (the HTML's text if it has none).

    MESSAGE_ID is the MessageId SES answered, or the short id `tidal mail` shows.
    """
    endpoint = endpoint or ctx.obj
    message_id = _full_id(endpoint, message_id)
    if raw:
        sys.stdout.buffer.write(_get(_url(endpoint, f"/{quote(message_id)}.eml")))
        sys.stdout.buffer.flush()
        return
    message = _get_json(_url(endpoint, f"/{quote(message_id)}"))
    if as_json:
        click.echo(json.dumps(message, ensure_ascii=False, indent=2))
        return
    _print_message(message)


@mail.command()
@endpoint_option
@filter_options
@click.pass_context
def clear(ctx: click.Context, endpoint: str | None, **filters: Any) -> None:
    """Delete the messages (all, or those the filters select)."""
    endpoint = endpoint or ctx.obj
    result = _get_json(_url(endpoint, "", _query(**filters)), method="DELETE")
    count = result["deleted"]
    _err().print(f"Deleted {count} message{'' if count == 1 else 's'}.")


def _full_id(endpoint: str | None, given: str) -> str:
    """The MessageId that `given` names: itself, or the one message id that contains it."""
    if given.count("-") == 6:
        return given
    listed = _get_json(_url(endpoint, ""))["messages"]
    matches = [message["id"] for message in listed if given in message["id"]]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise click.ClickException(f"no message {given} in the mailbox")
    raise click.ClickException(f"{given} names {len(matches)} messages; give more of the id")


def _query(
    to: str | None = None,
    sender: str | None = None,
    since: float | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    given = {"to": to, "from": sender, "since": since, "limit": limit}
    return {name: value for name, value in given.items() if value is not None}


def _table(messages: list[dict[str, Any]]) -> Table:
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("time", no_wrap=True)
    table.add_column("from", overflow="fold")
    table.add_column("to", overflow="fold")
    table.add_column("subject", overflow="fold")
    table.add_column("id", no_wrap=True, style="cyan")
    for message in messages:
        subject = Text(message["subject"] or "(no subject)")
        if message.get("rendering_failure"):
            subject.append("  rendering failure", style="red")
        relay = message.get("relay")
        if relay and relay["status"] != "sent":
            subject.append(f"  relay {relay['status']}", style="yellow")
        table.add_row(
            _local_time(message["timestamp"]),
            Text(message["source"]),
            Text("\n".join(message["to"] + message["cc"] + message["bcc"])),
            subject,
            short_id(message["id"]),
        )
    return table


def short_id(message_id: str) -> str:
    """The part of a MessageId that tells messages apart: its UUID's first group."""
    parts = message_id.split("-")
    return parts[1] if len(parts) == 7 else message_id


def _print_message(message: dict[str, Any]) -> None:
    fields = [
        ("Message", message["id"]),
        ("Date", _local_time(message["timestamp"])),
        ("From", message["source"]),
        ("To", ", ".join(message["to"])),
        ("Cc", ", ".join(message["cc"])),
        ("Bcc", ", ".join(message["bcc"])),
        ("Reply-To", ", ".join(message["reply_to"])),
        ("Subject", message["subject"]),
        ("Attachments", ", ".join(_attachment(item) for item in message["attachments"])),
        ("Template", message.get("template") or ""),
        ("Rendering", message.get("rendering_failure") or ""),
        ("Relay", _relay(message.get("relay"))),
    ]
    width = max(len(name) for name, _ in fields)
    out = _out()
    for name, value in fields:
        if value:
            line = Text(f"{name + ':':<{width + 1}} ", style="bold")
            line.append(value)
            out.print(line)
    body = message["text"]
    if body is None and message["html"] is not None:
        body = html_text(message["html"])
    out.print()
    click.echo(body or "(no body)")


def _attachment(item: dict[str, Any]) -> str:
    return f"{item['filename'] or '(unnamed)'} ({item['content_type']}, {item['size']} bytes)"


def _relay(relay: dict[str, Any] | None) -> str:
    if relay is None:
        return ""
    attempts = f"{relay['attempts']} attempt{'' if relay['attempts'] == 1 else 's'}"
    detail = f": {relay['error']}" if relay.get("error") else ""
    return f"{relay['status']} ({attempts}){detail}"


def _local_time(iso: str) -> str:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class _TextOfHtml(HTMLParser):
    _BREAKS = {"br", "p", "div", "tr", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style", "head"):
            self._hidden += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._hidden = max(self._hidden - 1, 0)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_text(html: str) -> str:
    """The readable text of an HTML body: tags dropped, blocks on their own lines."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _url(endpoint: str | None, path: str, query: dict[str, Any] | None = None) -> str:
    base = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{base}/_tidal/ses/messages{path}{suffix}"


def _get(url: str, method: str = "GET") -> bytes:
    try:
        with urlopen(Request(url, method=method), timeout=30) as response:
            return response.read()
    except HTTPError as error:
        raise click.ClickException(_error_message(error)) from None
    except URLError as error:
        endpoint = url.split("/_tidal/")[0]
        raise click.ClickException(f"cannot reach Tidal at {endpoint}: {error.reason}") from None


def _get_json(url: str, method: str = "GET") -> Any:
    return json.loads(_get(url, method))


def _error_message(error: HTTPError) -> str:
    try:
        return json.loads(error.read())["message"]
    except (ValueError, KeyError, TypeError):
        return f"HTTP {error.code} {error.reason}"
