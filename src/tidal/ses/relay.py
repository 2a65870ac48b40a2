"""Handing every accepted message to an SMTP server (`--smtp-relay HOST:PORT`).

SES accepts first and delivers later, so the relay never delays or fails a send: the
message is already in the mailbox (relay status `pending`) when a background task hands it
over, with a few attempts and growing pauses. The outcome (`sent`, or `failed` with the
error) is recorded on the message and logged. Messages still pending when the server
stopped are handed over when it starts again.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from typing import Any

from tidal.core.config import Config
from tidal.core.runtime import Runtime
from tidal.ses import addresses, mailbox, mime

ATTEMPTS = 4
BACKOFF = 1.0
"""Seconds before the second attempt; each later pause doubles."""
TIMEOUT = 10.0
"""Seconds an SMTP connection may take to answer."""

log = logging.getLogger("tidal.ses")


@dataclass
class _State:
    loop: asyncio.AbstractEventLoop | None = None
    tasks: set[asyncio.Task] = field(default_factory=set)


def schedule(runtime: Runtime, message_id: str) -> None:
    """Hand `message_id` to the relay in the background (from any thread)."""
    state = _state(runtime)
    if state.loop is not None:
        state.loop.call_soon_threadsafe(_start, runtime, message_id)


async def run(runtime: Runtime) -> None:
    """The server's relay task: resume pending messages, then serve `schedule` until stopped."""
    state = _state(runtime)
    state.loop = asyncio.get_running_loop()
    if runtime.config.smtp_relay:
        with runtime.store.transaction(write=False) as txn:
            waiting = mailbox.pending_relay(txn)
        for message_id in waiting:
            _start(runtime, message_id)
    try:
        await asyncio.Event().wait()
    finally:
        state.loop = None
        for task in state.tasks:
            task.cancel()
        await asyncio.gather(*state.tasks, return_exceptions=True)


def _state(runtime: Runtime) -> _State:
    return runtime.room("ses.relay", _State)


def _start(runtime: Runtime, message_id: str) -> None:
    state = _state(runtime)
    task = asyncio.get_running_loop().create_task(deliver(runtime, message_id))
    state.tasks.add(task)
    task.add_done_callback(state.tasks.discard)


async def deliver(runtime: Runtime, message_id: str) -> None:
    with runtime.store.transaction(write=False) as txn:
        record = mailbox.get(txn, message_id)
        raw = mailbox.raw(txn, message_id)
    if record is None or raw is None:
        return
    sender = addresses.addr_spec(record["return_path"] or record["source"])
    recipients = record["destinations"]
    data = mime.without_bcc(raw)
    error = "not attempted"
    for attempt in range(1, ATTEMPTS + 1):
        try:
            refused = await asyncio.to_thread(_send, runtime.config, sender, recipients, data)
        except (OSError, smtplib.SMTPException) as failure:
            error = _describe(failure)
            log.warning(
                "SES relay: attempt %d of %d for %s failed: %s",
                *(attempt, ATTEMPTS, message_id, error),
            )
            if attempt == ATTEMPTS or _permanent(failure):
                break
            _record(runtime, message_id, mailbox.relay_state("pending", attempt, error))
            await asyncio.sleep(BACKOFF * 2 ** (attempt - 1))
            continue
        _record(runtime, message_id, mailbox.relay_state("sent", attempt, _refusals(refused)))
        log.info("SES relay: %s handed to %s", message_id, runtime.config.smtp_relay)
        return
    _record(runtime, message_id, mailbox.relay_state("failed", attempt, error))
    log.error("SES relay: gave up on %s: %s", message_id, error)


def _send(config: Config, sender: str, recipients: list[str], data: bytes) -> dict[str, Any]:
    host, port = _host_port(config.smtp_relay or "")
    with smtplib.SMTP(host, port, timeout=TIMEOUT) as smtp:
        if config.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if config.smtp_user:
            smtp.login(config.smtp_user, config.smtp_password or "")
        return smtp.sendmail(sender, recipients, data)


def _host_port(relay: str) -> tuple[str, int]:
    host, colon, port = relay.rpartition(":")
    if not colon or not port.isdigit():
        return relay.strip("[]"), 25
    return host.strip("[]"), int(port)


def _record(runtime: Runtime, message_id: str, state: dict[str, Any]) -> None:
    with runtime.store.transaction(write=True) as txn:
        mailbox.update(txn, message_id, relay=state)


def _permanent(failure: Exception) -> bool:
    """A 5xx answer: the relay refused the message and would refuse it again."""
    if isinstance(failure, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in failure.recipients.values())
    return isinstance(failure, smtplib.SMTPResponseException) and failure.smtp_code >= 500


def _describe(failure: Exception) -> str:
    if isinstance(failure, smtplib.SMTPResponseException):
        return _describe_reply(failure.smtp_code, failure.smtp_error)
    if isinstance(failure, smtplib.SMTPRecipientsRefused):
        return _refusals(failure.recipients) or str(failure)
    return f"{type(failure).__name__}: {failure}"


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str | None:
    """The recipients a relay refused, with its answers; None when it took them all."""
    if not refused:
        return None
    return "; ".join(f"{rcpt}: {_describe_reply(*reply)}" for rcpt, reply in refused.items())


def _describe_reply(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {message}"
