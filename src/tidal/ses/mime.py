"""The MIME side of a send: the message SES builds for SendEmail, and reading a raw one.

`build` writes what SES sends for a formatted e-mail: From, To, Cc, Reply-To, Subject
(RFC 2047-encoded when not ASCII), Message-ID, Date, MIME-Version and the text and HTML
parts (multipart/alternative when both) in their charsets, attachments after them.
`read` takes a raw message apart for the mailbox; `stamped` gives a raw message the
Message-ID that SES sets (and a Date when it has none), leaving every other byte as sent.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from typing import Any

from tidal.ses import addresses

_HEADER_END = re.compile(rb"\r?\n\r?\n")


@dataclass
class Content:
    """What a mailbox shows of a message."""

    subject: str = ""
    text: str | None = None
    html: str | None = None
    sender: str | None = None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    reply_to: list[str] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Part:
    data: str
    charset: str | None = None


@dataclass
class Attachment:
    content: bytes
    filename: str
    content_type: str = "application/octet-stream"
    disposition: str = "attachment"
    content_id: str | None = None
    description: str | None = None


def guess_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def message_id_header(message_id: str, region: str) -> str:
    host = "email.amazonses.com" if region == "us-east-1" else f"{region}.amazonses.com"
    return f"<{message_id}@{host}>"


def build(
    *,
    source: str,
    to: list[str],
    cc: list[str],
    reply_to: list[str],
    subject: Part,
    text: Part | None,
    html: Part | None,
    message_id: str,
    region: str,
    sent: float,
    headers: Sequence[tuple[str, str]] = (),
    attachments: Sequence[Attachment] = (),
) -> bytes:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = _address(source)
    if to:
        message["To"] = [_address(address) for address in to]
    if cc:
        message["Cc"] = [_address(address) for address in cc]
    if reply_to:
        message["Reply-To"] = [_address(address) for address in reply_to]
    message["Subject"] = _unfold(addresses.decode_words(subject.data))
    message["Message-ID"] = message_id_header(message_id, region)
    message["Date"] = _date(sent)
    for name, value in headers:
        message[name] = value
    _set_body(message, text, html)
    for attachment in attachments:
        _attach(message, attachment)
    return message.as_bytes()


def preview(subject: str, text: str | None, html: str | None) -> str:
    """A rendered template as TestRenderTemplate shows it: the MIME of subject and bodies."""
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = _unfold(subject)
    _set_body(
        message,
        None if text is None else Part(text, "utf-8"),
        None if html is None else Part(html, "utf-8"),
    )
    return message.as_string()


def read(raw: bytes) -> Content:
    """The subject, bodies, addresses and attachments of a raw MIME message."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    headers: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        headers.setdefault(name.lower(), []).append(str(value))
    senders = addresses.from_header(headers.get("from", []))
    return Content(
        subject=" ".join(
            addresses.decode_words(_unfold(value)) for value in headers.get("subject", [])
        ),
        text=_body(message, "plain"),
        html=_body(message, "html"),
        sender=senders[0] if senders else None,
        to=addresses.from_header(headers.get("to", [])),
        cc=addresses.from_header(headers.get("cc", [])),
        bcc=addresses.from_header(headers.get("bcc", [])),
        reply_to=addresses.from_header(headers.get("reply-to", [])),
        attachments=_attachments(message),
    )


def stamped(raw: bytes, message_id: str, region: str, sent: float) -> bytes:
    """`raw` with SES's Message-ID in place of its own, and a Date if it had none."""
    head, separator, body = _split(raw)
    newline = b"\r\n" if b"\r\n" in head or not head else b"\n"
    lines = _header_lines(head, newline)
    kept = [line for line in lines if _name(line) != b"message-id"]
    added = [f"Message-ID: {message_id_header(message_id, region)}".encode()]
    if not any(_name(line) == b"date" for line in lines):
        added.append(f"Date: {_date(sent)}".encode())
    return newline.join(added + kept) + (separator or newline + newline) + body


def without_bcc(raw: bytes) -> bytes:
    """`raw` without its Bcc header, as it goes to the recipients' servers."""
    head, separator, body = _split(raw)
    newline = b"\r\n" if b"\r\n" in head else b"\n"
    lines = [line for line in _header_lines(head, newline) if _name(line) != b"bcc"]
    return newline.join(lines) + separator + body


def _date(epoch: float) -> str:
    return format_datetime(datetime.fromtimestamp(epoch, UTC))


def _split(raw: bytes) -> tuple[bytes, bytes, bytes]:
    match = _HEADER_END.search(raw)
    if match is None:
        return raw, b"", b""
    return raw[: match.start()], match.group(), raw[match.end() :]


def _header_lines(head: bytes, newline: bytes) -> list[bytes]:
    """Header fields, each with its folded continuation lines."""
    fields: list[bytes] = []
    for line in head.split(newline) if head else []:
        if fields and line[:1] in (b" ", b"\t"):
            fields[-1] += newline + line
        else:
            fields.append(line)
    return fields


def _name(line: bytes) -> bytes:
    return line.partition(b":")[0].strip().lower()


def _unfold(value: str) -> str:
    return re.sub(r"\r?\n[ \t]*", " ", value).strip()


def _address(address: str) -> Address:
    name, spec = addresses.split(address)
    username, _, domain = spec.rpartition("@")
    display_name = addresses.decode_words(name.strip('"'))
    return Address(display_name=display_name, username=username, domain=domain)


def _set_body(message: EmailMessage, text: Part | None, html: Part | None) -> None:
    first, second = (text, html) if text is not None else (html, None)
    if first is None:
        message.set_content("", charset="utf-8")
        return
    _set_part(message.set_content, first, "plain" if first is text else "html")
    if second is not None:
        _set_part(message.add_alternative, second, "html")


def _set_part(setter: Any, part: Part, subtype: str) -> None:
    charset = (part.charset or "utf-8").lower()
    encoding = None if part.data.isascii() else "quoted-printable"
    try:
        setter(part.data, subtype=subtype, charset=charset, cte=encoding)
    except (LookupError, UnicodeEncodeError):
        setter(part.data, subtype=subtype, charset="utf-8", cte=encoding)


def _attach(message: EmailMessage, attachment: Attachment) -> None:
    maintype, _, subtype = attachment.content_type.partition("/")
    if not subtype:
        maintype, subtype = "application", "octet-stream"
    message.add_attachment(
        attachment.content,
        maintype=maintype,
        subtype=subtype,
        filename=attachment.filename,
        disposition=attachment.disposition,
        cid=attachment.content_id,
    )
    if attachment.description:
        message.get_payload()[-1]["Content-Description"] = attachment.description


def _body(message: EmailMessage, subtype: str) -> str | None:
    try:
        part = message.get_body(preferencelist=(subtype,))
    except (KeyError, ValueError):
        return None
    if part is None or part.get_content_subtype() != subtype:
        return None
    return _text_of(part)


def _text_of(part: Any) -> str:
    try:
        text = part.get_content()
    except (LookupError, UnicodeDecodeError, KeyError, ValueError):
        payload = part.get_payload(decode=True) or b""
        text = payload.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n")


def _attachments(message: EmailMessage) -> list[dict[str, Any]]:
    found = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if part.get_content_disposition() != "attachment" and filename is None:
            continue
        payload = part.get_payload(decode=True) or b""
        found.append(
            {
                "filename": addresses.decode_words(filename or ""),
                "content_type": part.get_content_type(),
                "size": len(payload),
            }
        )
    return found
