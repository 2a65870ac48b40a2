"""`--smtp-relay`: every accepted message also goes to an SMTP server, in the background."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.integration.ses_support import address, message
from tidal.core.config import Config
from tidal.server.runner import Server
from tidal.ses import relay
from tidal.testing.plugin import client
from tidal.testing.waiting import eventually


@dataclass
class Inbox:
    """What a local SMTP server received, and how it answers."""

    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    answer: str = "250 Message accepted for delivery"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.answer.startswith("250"):
            self.received.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return self.answer

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)


def free_port() -> int:
    """A port nothing listens on (the OS just handed it out and it was released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(relay, "BACKOFF", 0.01)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=handler.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield handler, port
    controller.stop()


def relayed(endpoint: str, message_id: str, status: str) -> dict:
    """The message once its relay status is `status`."""
    return eventually(
        lambda: (found := message(endpoint, message_id))["relay"]["status"] == status and found
    )


def serve(**settings) -> Server:
    return Server(Config(port=0, in_memory=True, **settings))


def test_accepted_mail_is_handed_to_the_relay(inbox):
    handler, port = inbox
    to, cc, bcc = address("to"), address("cc"), address("bcc")
    with serve(smtp_relay=f"127.0.0.1:{port}") as server:
        ses = client("ses", server.endpoint)
        message_id = ses.send_email(
            Source="Alexis GÜNST HORN <alexis.gunst@osones.com>",
            Destination={"ToAddresses": [to], "CcAddresses": [cc], "BccAddresses": [bcc]},
            Message={
                "Subject": {"Data": "Bienvenue Alexis GÜNST HORN !", "Charset": "UTF-8"},
                "Body": {"Text": {"Data": "Bonjour GÜNST", "Charset": "UTF-8"}},
            },
            ReturnPath="bounces@osones.com",
        )["MessageId"]
        stored = relayed(server.endpoint, message_id, "sent")
    assert stored["relay"]["attempts"] == 1
    assert stored["relay"]["error"] is None
    ((mail_from, recipients, content),) = handler.received
    assert mail_from == "bounces@osones.com"
    assert recipients == [to, cc, bcc]
    parsed = BytesParser(policy=policy.default).parsebytes(content)
    assert parsed["Subject"] == "Bienvenue Alexis GÜNST HORN !"
    assert parsed["From"].addresses[0].display_name == "Alexis GÜNST HORN"
    assert parsed["Message-ID"] == f"<{message_id}@email.amazonses.com>"
    assert parsed["Bcc"] is None
    assert parsed.get_content().strip() == "Bonjour GÜNST"
    assert server.app.internal_errors == []


def test_a_raw_message_goes_without_its_bcc_header(inbox):
    handler, port = inbox
    raw = (
        b"From: raw@example.com\r\nTo: a@example.com\r\nBcc: secret@example.com\r\n"
        b"Subject: raw\r\n\r\nbody\r\n"
    )
    with serve(
        smtp_relay=f"127.0.0.1:{port}", smtp_user="mailer", smtp_password="s3cret"
    ) as server:
        message_id = client("ses", server.endpoint).send_raw_email(RawMessage={"Data": raw})[
            "MessageId"
        ]
        relayed(server.endpoint, message_id, "sent")
    ((mail_from, recipients, content),) = handler.received
    assert (mail_from, recipients) == ("raw@example.com", ["a@example.com", "secret@example.com"])
    assert b"secret@example.com" not in content
    assert b"Subject: raw" in content
    assert handler.logins == [("mailer", "s3cret")]


def test_a_relay_that_is_down_never_fails_the_send_nor_loses_the_message(caplog):
    port = free_port()
    with serve(smtp_relay=f"127.0.0.1:{port}") as server:
        ses = client("ses", server.endpoint)
        message_id = ses.send_email(
            Source="s@example.com",
            Destination={"ToAddresses": ["r@example.com"]},
            Message={"Subject": {"Data": "kept"}, "Body": {"Text": {"Data": "body"}}},
        )["MessageId"]
        stored = relayed(server.endpoint, message_id, "failed")
    assert stored["subject"] == "kept"
    assert stored["relay"]["attempts"] == relay.ATTEMPTS
    assert "Connection refused" in stored["relay"]["error"]
    assert any(f"gave up on {message_id}" in line for line in caplog.messages)


def test_a_relay_that_refuses_the_message_is_not_retried(inbox):
    handler, port = inbox
    handler.answer = "554 Transaction failed: spam"
    with serve(smtp_relay=f"127.0.0.1:{port}") as server:
        message_id = client("ses", server.endpoint).send_email(
            Source="s@example.com",
            Destination={"ToAddresses": ["r@example.com"]},
            Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
        )["MessageId"]
        stored = relayed(server.endpoint, message_id, "failed")
    assert stored["relay"]["attempts"] == 1
    assert stored["relay"]["error"] == "554 Transaction failed: spam"


def test_pending_messages_are_relayed_after_a_restart(inbox, tmp_path: Path, monkeypatch):
    handler, port = inbox
    monkeypatch.setattr(relay, "BACKOFF", 3600.0)
    down = free_port()
    with Server(Config(port=0, data_dir=tmp_path, smtp_relay=f"127.0.0.1:{down}")) as first:
        message_id = client("ses", first.endpoint).send_email(
            Source="s@example.com",
            Destination={"ToAddresses": ["r@example.com"]},
            Message={"Subject": {"Data": "later"}, "Body": {"Text": {"Data": "b"}}},
        )["MessageId"]
        waiting = eventually(
            lambda: (
                (found := message(first.endpoint, message_id))["relay"]["attempts"] == 1 and found
            )
        )
        assert waiting["relay"]["status"] == "pending"
    with Server(Config(port=0, data_dir=tmp_path, smtp_relay=f"127.0.0.1:{port}")) as second:
        relayed(second.endpoint, message_id, "sent")
    ((_, recipients, content),) = handler.received
    assert recipients == ["r@example.com"]
    assert b"Subject: later" in content
