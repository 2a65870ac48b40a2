"""Accepting a message: SES's checks, then the mailbox, the statistics and the relay.

Every send operation (v1 SendEmail, SendRawEmail, SendTemplatedEmail,
SendBulkTemplatedEmail; v2 SendEmail) comes down to an `Envelope` (who sends to whom)
and the MIME it sends; `accept` applies the checks SES applies after reading the
request, in its order: addresses, recipient count, configuration set, size, identities.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from tidal.core import clock
from tidal.core.context import RequestContext
from tidal.ses import addresses, configsets, identities, mailbox, mime, relay, stats, templates
from tidal.ses.errors import invalid, not_verified

MAX_RECIPIENTS = 50
MAX_SIZE = 10 * 1024 * 1024
MAX_SIZE_V2 = 40 * 1024 * 1024
_TAG_NAME = re.compile(r"[A-Za-z0-9_:-]+")
_TAG_VALUE = re.compile(r"[A-Za-z0-9_.@-]*")


@dataclass
class Envelope:
    source: str
    """The sender as given (`Source`, `FromEmailAddress` or the From header)."""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    recipients: list[str] | None = None
    """Where the message goes, when not exactly To, Cc and Bcc (a raw send's Destinations)."""
    reply_to: list[str] = field(default_factory=list)
    return_path: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    configuration_set: str | None = None

    @classmethod
    def addressed(cls, source: str, destination: dict[str, Any], **fields: Any) -> Envelope:
        """An envelope to the To, Cc and Bcc addresses of a request's `Destination`."""
        return cls(
            source=source,
            to=destination.get("ToAddresses") or [],
            cc=destination.get("CcAddresses") or [],
            bcc=destination.get("BccAddresses") or [],
            **fields,
        )

    def destinations(self) -> list[str]:
        if self.recipients is not None:
            return self.recipients
        return self.to + self.cc + self.bcc


@dataclass
class Formatted:
    """A message SES formats: subject and bodies, optionally extra headers and attachments."""

    subject: mime.Part
    text: mime.Part | None = None
    html: mime.Part | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    attachments: list[mime.Attachment] = field(default_factory=list)


def formatted(message: dict[str, Any], **extra: Any) -> Formatted:
    """The message of a request's `Subject` and `Body` (`Text`, `Html`): SES v1's `Message`,
    SES v2's `Simple` content."""
    body = message["Body"]
    return Formatted(
        subject=_part(message["Subject"]),
        text=_part(body.get("Text")),
        html=_part(body.get("Html")),
        **extra,
    )


def _part(content: dict[str, Any] | None) -> mime.Part | None:
    return None if content is None else mime.Part(content["Data"], content.get("Charset"))


def tags_of(tags: list[dict[str, str]] | None) -> dict[str, str]:
    """Message tags as a mapping, checked as SES checks them."""
    found: dict[str, str] = {}
    for tag in tags or []:
        name, value = tag["Name"], tag["Value"]
        _check_tag_part("name", name, _TAG_NAME, "'_', and '-'")
        _check_tag_part("value", value, _TAG_VALUE, "'_', '-', '.', '@'")
        found[name] = value
    return found


def _check_tag_part(part: str, text: str, allowed: re.Pattern[str], specials: str) -> None:
    if len(text) > 255:
        raise invalid(f"Tag {part} cannot exceed 255 characters.")
    if not allowed.fullmatch(text):
        raise invalid(
            f"Invalid tag {part} <{text}>: only alphanumeric ASCII characters, {specials} "
            "are allowed."
        )


def check_envelope(envelope: Envelope) -> None:
    """Address syntax of every address, then the number of recipients."""
    named = [envelope.source, *envelope.to, *envelope.cc, *envelope.bcc, *envelope.reply_to]
    if envelope.recipients is not None:
        named += envelope.recipients
    if envelope.return_path:
        named.append(envelope.return_path)
    for address in named:
        addresses.check(address)
    count = len(envelope.destinations())
    if count == 0:
        raise invalid("Missing required header 'To'.")
    if count > MAX_RECIPIENTS:
        raise invalid(f"Recipient count exceeds {MAX_RECIPIENTS}.")


def send_formatted(
    ctx: RequestContext,
    operation: str,
    envelope: Envelope,
    message: Formatted,
    *,
    template: str | None = None,
    rendering_failure: str | None = None,
    max_size: int = MAX_SIZE,
) -> str:
    check_envelope(envelope)
    sent = clock.now()
    message_id = mailbox.new_message_id(sent)
    raw = mime.build(
        source=envelope.source,
        to=envelope.to,
        cc=envelope.cc,
        reply_to=envelope.reply_to,
        subject=message.subject,
        text=message.text,
        html=message.html,
        message_id=message_id,
        region=ctx.region,
        sent=sent,
        headers=message.headers,
        attachments=message.attachments,
    )
    content = mime.Content(
        subject=addresses.decode_words(message.subject.data),
        text=message.text.data if message.text else None,
        html=message.html.data if message.html else None,
        attachments=[
            {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": len(attachment.content),
            }
            for attachment in message.attachments
        ],
    )
    with ctx.runtime.store.transaction(write=True) as txn:
        accept(
            ctx,
            txn,
            operation,
            envelope,
            raw,
            content,
            message_id,
            sent,
            max_size,
            template=template,
            rendering_failure=rendering_failure,
        )
    return message_id


def send_raw(
    ctx: RequestContext,
    operation: str,
    data: str,
    *,
    source: str | None,
    destinations: list[str] | None,
    tags: dict[str, str],
    configuration_set: str | None,
    max_size: int = MAX_SIZE,
) -> str:
    """Send a raw MIME message given as base64 text; Source and Destinations default to its
    From and To, Cc and Bcc headers."""
    try:
        raw = base64.b64decode(data)
    except (binascii.Error, ValueError):
        raise invalid("Invalid base64 in RawMessage.Data.") from None
    if len(raw) > max_size:
        raise invalid(f"Message length is more than {max_size} bytes long: '{len(raw)}'.")
    content = mime.read(raw)
    sender = source or content.sender
    if not sender:
        raise invalid("Missing required header 'From'.")
    envelope = Envelope(
        source=sender,
        to=content.to,
        cc=content.cc,
        bcc=content.bcc,
        recipients=destinations or None,
        reply_to=content.reply_to,
        tags=tags,
        configuration_set=configuration_set,
    )
    check_envelope(envelope)
    sent = clock.now()
    message_id = mailbox.new_message_id(sent)
    stamped = mime.stamped(raw, message_id, ctx.region, sent)
    with ctx.runtime.store.transaction(write=True) as txn:
        accept(ctx, txn, operation, envelope, stamped, content, message_id, sent, max_size)
    return message_id


def send_templated(
    ctx: RequestContext,
    operation: str,
    envelope: Envelope,
    template: dict[str, Any],
    data: dict[str, Any],
    max_size: int = MAX_SIZE,
) -> str:
    """Send `template` (a stored template's record) rendered with `data`.

    A variable missing from the data does not fail the call: SES accepts the message and
    then fails to render it, so the mailbox keeps it as a rendering failure, undelivered.
    """
    failure = None
    try:
        parts = [templates.render(template.get(key), data) for key in templates.PARTS]
    except templates.RenderingFailure as missing:
        failure = templates.missing_message(str(missing))
        parts = [template.get(key) for key in templates.PARTS]
    subject, text, html = parts
    message = Formatted(
        subject=mime.Part(subject or ""),
        text=mime.Part(text, "UTF-8") if text is not None else None,
        html=mime.Part(html, "UTF-8") if html is not None else None,
    )
    return send_formatted(
        ctx,
        operation,
        envelope,
        message,
        template=template.get("name"),
        rendering_failure=failure,
        max_size=max_size,
    )


def accept(
    ctx: RequestContext,
    txn: Any,
    operation: str,
    envelope: Envelope,
    raw: bytes,
    content: mime.Content,
    message_id: str,
    sent: float,
    max_size: int,
    *,
    template: str | None = None,
    rendering_failure: str | None = None,
) -> None:
    """The checks after the addresses, then the message into the mailbox (and the relay)."""
    if envelope.configuration_set:
        configsets.require(txn, ctx.account, ctx.region, envelope.configuration_set)
    if len(raw) > max_size:
        raise invalid(f"Message length is more than {max_size} bytes long: '{len(raw)}'.")
    _check_identities(ctx, txn, envelope)
    relaying = bool(ctx.runtime.config.smtp_relay) and rendering_failure is None
    record = {
        "id": message_id,
        "timestamp": sent,
        "account": ctx.account,
        "region": ctx.region,
        "operation": operation,
        "source": addresses.display(envelope.source),
        "to": [addresses.display(address) for address in envelope.to],
        "cc": [addresses.display(address) for address in envelope.cc],
        "bcc": [addresses.display(address) for address in envelope.bcc],
        "destinations": [addresses.addr_spec(address) for address in envelope.destinations()],
        "reply_to": [addresses.display(address) for address in envelope.reply_to],
        "return_path": envelope.return_path,
        "subject": content.subject,
        "text": content.text,
        "html": content.html,
        "attachments": content.attachments,
        "tags": envelope.tags,
        "configuration_set": envelope.configuration_set,
        "template": template,
        "rendering_failure": rendering_failure,
        "size": len(raw),
        "relay": mailbox.relay_state("pending") if relaying else None,
    }
    mailbox.put(txn, record, raw)
    stats.record(txn, ctx.account, ctx.region, message_id, sent, len(envelope.destinations()))
    if relaying:
        txn.on_commit(lambda: relay.schedule(ctx.runtime, message_id))


def _check_identities(ctx: RequestContext, txn: Any, envelope: Envelope) -> None:
    if not ctx.runtime.config.ses_strict:
        identities.verify_on_first_use(txn, ctx.account, ctx.region, envelope.source)
        return
    candidates = [envelope.source, *envelope.destinations()]
    failed = identities.unverified(txn, ctx.account, ctx.region, candidates)
    if failed:
        raise not_verified(failed, ctx.region)
