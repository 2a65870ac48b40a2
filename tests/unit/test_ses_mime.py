"""The MIME that SES builds for a formatted send, and reading raw MIME back."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

from tidal.ses import mime

SEED_SUBJECT = "Bienvenue Alexis GÜNST HORN !"


def _build(**changes):
    arguments = {
        "source": "Alexis GÜNST HORN <alexis.gunst@osones.com>",
        "to": ["reader@example.com", '"Doe, John" <john@example.com>'],
        "cc": ["copy@example.com"],
        "reply_to": ["replies@example.com"],
        "subject": mime.Part(SEED_SUBJECT, "UTF-8"),
        "text": mime.Part("Bienvenue Alexis GÜNST HORN !\n\nMerci", "UTF-8"),
        "html": mime.Part("<p>Bienvenue</p>", "UTF-8"),
        "message_id": "0100018f4b0d9abc-11111111-2222-3333-4444-555555555555-000000",
        "region": "eu-west-1",
        "sent": 1715000000.0,
    }
    return mime.build(**{**arguments, **changes})


def test_built_message_has_ses_headers_and_encoded_non_ascii() -> None:
    raw = _build()
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert "Subject: Bienvenue Alexis =?utf-8?q?G=C3=9CNST?= HORN !" in head
    assert "From: Alexis =?utf-8?q?G=C3=9CNST?= HORN <alexis.gunst@osones.com>" in head
    assert "Message-ID: <0100018f4b0d9abc-" in head
    assert "@eu-west-1.amazonses.com>" in head
    assert "Date: Mon, 06 May 2024 12:53:20 +0000" in head
    assert "Bcc" not in head
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message["Subject"] == SEED_SUBJECT
    assert message["From"].addresses[0].display_name == "Alexis GÜNST HORN"
    assert message["Reply-To"] == "replies@example.com"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    assert plain.get_content().replace("\r\n", "\n") == "Bienvenue Alexis GÜNST HORN !\n\nMerci\n"
    assert plain.get_content_charset() == "utf-8"


def test_text_only_message_is_a_single_part_in_its_charset() -> None:
    raw = _build(html=None, text=mime.Part("Grüße", "ISO-8859-1"))
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "iso-8859-1"
    assert message.get_content().strip() == "Grüße"


def test_attachments_follow_the_bodies() -> None:
    attachment = mime.Attachment(b"%PDF-1.4", "facture.pdf", "application/pdf")
    raw = _build(attachments=[attachment])
    content = mime.read(raw)
    assert content.attachments == [
        {"filename": "facture.pdf", "content_type": "application/pdf", "size": 8}
    ]
    assert content.subject == SEED_SUBJECT
    assert content.text == "Bienvenue Alexis GÜNST HORN !\n\nMerci\n"
    assert content.html == "<p>Bienvenue</p>\n"


def test_read_takes_addresses_from_headers() -> None:
    raw = (
        b"From: =?utf-8?q?Alexis_G=C3=9CNST_HORN?= <alexis.gunst@osones.com>\r\n"
        b"To: a@example.com, B <b@example.com>\r\n"
        b"Cc: c@example.com\r\nBcc: d@example.com\r\n"
        b"Subject: =?utf-8?q?Bienvenue_Alexis_G=C3=9CNST_HORN_!?=\r\n\r\nHello\r\n"
    )
    content = mime.read(raw)
    assert content.sender == "Alexis GÜNST HORN <alexis.gunst@osones.com>"
    assert content.to == ["a@example.com", "B <b@example.com>"]
    assert content.cc == ["c@example.com"]
    assert content.bcc == ["d@example.com"]
    assert content.subject == SEED_SUBJECT
    assert content.text == "Hello\n"


def test_stamped_replaces_the_message_id_and_keeps_the_rest() -> None:
    raw = b"From: a@example.com\r\nMessage-ID: <mine@x>\r\nSubject: hi\r\n\r\nbody\r\n"
    stamped = mime.stamped(raw, "0100-id-000000", "us-east-1", 1715000000.0)
    assert stamped.startswith(b"Message-ID: <0100-id-000000@email.amazonses.com>\r\nDate: ")
    assert b"<mine@x>" not in stamped
    assert stamped.endswith(b"From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n")


def test_without_bcc_drops_the_folded_header() -> None:
    raw = b"To: a@x.com\nBcc: b@x.com,\n c@x.com\nSubject: s\n\nbody"
    assert mime.without_bcc(raw) == b"To: a@x.com\nSubject: s\n\nbody"
