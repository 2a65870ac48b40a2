"""SES v1 SendEmail and SendRawEmail through boto3: what is accepted, stored and refused."""

from __future__ import annotations

import base64
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from tests.integration.ses_support import (
    address,
    clients,
    error_of,
    http,
    message,
    messages,
    simple_message,
)

MESSAGE_ID = re.compile(
    r"[0-9a-f]{16}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-000000"
)


@pytest.fixture
def ses(tidal_endpoint: str):
    return clients(tidal_endpoint)[0]


def test_send_email_returns_an_ses_message_id_and_stores_the_message(ses, tidal_endpoint):
    to, cc, bcc = address("to"), address("cc"), address("bcc")
    response = ses.send_email(
        Source="Sender Name <sender@example.com>",
        Destination={"ToAddresses": [to], "CcAddresses": [cc], "BccAddresses": [bcc]},
        Message={
            "Subject": {"Data": "Quarterly report", "Charset": "UTF-8"},
            "Body": {
                "Text": {"Data": "See the numbers.", "Charset": "UTF-8"},
                "Html": {"Data": "<p>See the <b>numbers</b>.</p>", "Charset": "UTF-8"},
            },
        },
        ReplyToAddresses=["replies@example.com"],
        ReturnPath="bounces@example.com",
        Tags=[{"Name": "campaign", "Value": "q3-report"}],
    )
    message_id = response["MessageId"]
    assert MESSAGE_ID.fullmatch(message_id)
    stored = message(tidal_endpoint, message_id)
    assert stored["id"] == message_id
    assert stored["operation"] == "SendEmail"
    assert stored["region"] == "us-east-1"
    assert stored["source"] == "Sender Name <sender@example.com>"
    assert (stored["to"], stored["cc"], stored["bcc"]) == ([to], [cc], [bcc])
    assert stored["destinations"] == [to, cc, bcc]
    assert stored["reply_to"] == ["replies@example.com"]
    assert stored["return_path"] == "bounces@example.com"
    assert stored["subject"] == "Quarterly report"
    assert stored["text"] == "See the numbers."
    assert stored["html"] == "<p>See the <b>numbers</b>.</p>"
    assert stored["tags"] == {"campaign": "q3-report"}
    assert stored["relay"] is None


def test_the_mime_of_a_send_is_what_ses_builds(ses, tidal_endpoint):
    to = address()
    message_id = ses.send_email(
        Source="sender@example.com",
        Destination={"ToAddresses": [to], "BccAddresses": [address("hidden")]},
        Message={
            "Subject": {"Data": "Two parts"},
            "Body": {"Text": {"Data": "plain"}, "Html": {"Data": "<i>html</i>"}},
        },
        ReplyToAddresses=["r@example.com"],
    )["MessageId"]
    status, _, raw = http(tidal_endpoint, f"/_tidal/ses/messages/{message_id}.eml")
    assert status == 200
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsed["From"] == "sender@example.com"
    assert parsed["To"] == to
    assert parsed["Reply-To"] == "r@example.com"
    assert parsed["Bcc"] is None
    assert parsed["Message-ID"] == f"<{message_id}@email.amazonses.com>"
    assert parsed["Date"] is not None
    assert parsed["MIME-Version"] == "1.0"
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed.get_body(("plain",)).get_content().strip() == "plain"
    assert parsed.get_body(("html",)).get_content().strip() == "<i>html</i>"


def test_send_raw_email_with_an_attachment_keeps_the_mime(ses, tidal_endpoint):
    to = address()
    mime = EmailMessage()
    mime["From"] = "Reports <reports@example.com>"
    mime["To"] = to
    mime["Subject"] = "Your invoice"
    mime.set_content("Invoice attached.")
    mime.add_attachment(
        b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="invoice.pdf"
    )
    message_id = ses.send_raw_email(RawMessage={"Data": mime.as_bytes()})["MessageId"]
    assert MESSAGE_ID.fullmatch(message_id)
    stored = message(tidal_endpoint, message_id)
    assert stored["operation"] == "SendRawEmail"
    assert stored["source"] == "Reports <reports@example.com>"
    assert stored["to"] == [to]
    assert stored["subject"] == "Your invoice"
    assert stored["text"] == "Invoice attached.\n"
    assert stored["attachments"] == [
        {"filename": "invoice.pdf", "content_type": "application/pdf", "size": 13}
    ]
    _, _, raw = http(tidal_endpoint, f"/_tidal/ses/messages/{message_id}.eml")
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsed["Message-ID"] == f"<{message_id}@email.amazonses.com>"
    (attachment,) = parsed.iter_attachments()
    assert attachment.get_filename() == "invoice.pdf"
    assert attachment.get_content() == b"%PDF-1.4 fake"


def test_send_raw_email_source_and_destinations_override_the_headers(ses, tidal_endpoint):
    header_to, envelope_to = address("header"), address("envelope")
    raw = f"From: a@example.com\r\nTo: {header_to}\r\nSubject: s\r\n\r\nbody\r\n".encode()
    message_id = ses.send_raw_email(
        Source="envelope-sender@example.com", Destinations=[envelope_to], RawMessage={"Data": raw}
    )["MessageId"]
    stored = message(tidal_endpoint, message_id)
    assert stored["source"] == "envelope-sender@example.com"
    assert stored["to"] == [header_to]
    assert stored["destinations"] == [envelope_to]
    assert [found["id"] for found in messages(tidal_endpoint, to=envelope_to)] == []
    assert [found["id"] for found in messages(tidal_endpoint, to=header_to)] == [message_id]


def test_send_raw_email_without_recipients_or_sender(ses):
    no_to = b"From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n"
    assert error_of(ses.send_raw_email, RawMessage={"Data": no_to}) == (
        "InvalidParameterValue",
        "Missing required header 'To'.",
        400,
    )
    no_from = b"To: b@example.com\r\nSubject: s\r\n\r\nbody\r\n"
    assert error_of(ses.send_raw_email, RawMessage={"Data": no_from}) == (
        "InvalidParameterValue",
        "Missing required header 'From'.",
        400,
    )


def test_send_raw_email_over_ten_megabytes_is_refused(ses):
    body = base64.encodebytes(b"x" * (10 * 1024 * 1024))
    raw = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: big\r\n\r\n" + body
    code, text, status = error_of(ses.send_raw_email, RawMessage={"Data": raw})
    assert (code, status) == ("InvalidParameterValue", 400)
    assert text == f"Message length is more than 10485760 bytes long: '{len(raw)}'."


@pytest.mark.parametrize(
    ("source", "to", "expected"),
    [
        ("sender", "to@example.com", "Missing final '@domain'"),
        ("sender@", "to@example.com", "Missing domain"),
        (
            "sender@example.com",
            "to user@example.com",
            "Local address contains control or whitespace",
        ),
        ("sender@example.com", "to@exa_mple.com", "Domain contains illegal character"),
    ],
)
def test_malformed_addresses_are_invalid_parameter_values(ses, source, to, expected):
    assert error_of(
        ses.send_email, Source=source, Destination={"ToAddresses": [to]}, Message=simple_message()
    ) == ("InvalidParameterValue", expected, 400)


def test_recipients_must_number_between_one_and_fifty(ses, tidal_endpoint):
    assert error_of(
        ses.send_email,
        Source="s@example.com",
        Destination={"ToAddresses": [], "CcAddresses": []},
        Message=simple_message(),
    ) == ("InvalidParameterValue", "Missing required header 'To'.", 400)
    many = [address() for _ in range(51)]
    destination = {"ToAddresses": many[:20], "CcAddresses": many[20:40], "BccAddresses": many[40:]}
    assert error_of(
        ses.send_email, Source="s@example.com", Destination=destination, Message=simple_message()
    ) == ("InvalidParameterValue", "Recipient count exceeds 50.", 400)
    assert messages(tidal_endpoint, to=many[0]) == []
    destination["BccAddresses"] = many[40:50]
    ses.send_email(Source="s@example.com", Destination=destination, Message=simple_message())
    assert len(messages(tidal_endpoint, to=many[49])) == 1


def test_invalid_tags_are_refused(ses):
    destination = {"ToAddresses": [address()]}
    assert error_of(
        ses.send_email,
        Source="s@example.com",
        Destination=destination,
        Message=simple_message(),
        Tags=[{"Name": "bad name", "Value": "v"}],
    ) == (
        "InvalidParameterValue",
        "Invalid tag name <bad name>: only alphanumeric ASCII characters, '_', and '-' are "
        "allowed.",
        400,
    )


def test_configuration_sets(ses, tidal_endpoint):
    destination = {"ToAddresses": [address()]}
    assert error_of(
        ses.send_email,
        Source="s@example.com",
        Destination=destination,
        Message=simple_message(),
        ConfigurationSetName="tracking",
    ) == ("ConfigurationSetDoesNotExist", "Configuration set <tracking> does not exist.", 400)
    ses.create_configuration_set(ConfigurationSet={"Name": "tracking"})
    assert error_of(ses.create_configuration_set, ConfigurationSet={"Name": "tracking"}) == (
        "ConfigurationSetAlreadyExists",
        "Configuration set <tracking> already exists.",
        400,
    )
    assert error_of(ses.create_configuration_set, ConfigurationSet={"Name": "not valid"}) == (
        "InvalidConfigurationSet",
        "Invalid configuration set name <not valid>: only alphanumeric ASCII characters, '_', "
        "and '-' are allowed.",
        400,
    )
    assert ses.list_configuration_sets()["ConfigurationSets"] == [{"Name": "tracking"}]
    described = ses.describe_configuration_set(ConfigurationSetName="tracking")
    assert described["ConfigurationSet"] == {"Name": "tracking"}
    message_id = ses.send_email(
        Source="s@example.com",
        Destination=destination,
        Message=simple_message(),
        ConfigurationSetName="tracking",
    )["MessageId"]
    assert message(tidal_endpoint, message_id)["configuration_set"] == "tracking"
    ses.delete_configuration_set(ConfigurationSetName="tracking")
    assert ses.list_configuration_sets()["ConfigurationSets"] == []
    assert error_of(ses.delete_configuration_set, ConfigurationSetName="tracking") == (
        "ConfigurationSetDoesNotExist",
        "Configuration set <tracking> does not exist.",
        400,
    )


def test_send_quota_counts_recipients_of_the_last_day(ses):
    assert ses.get_send_quota() | {"ResponseMetadata": None} == {
        "Max24HourSend": 200.0,
        "MaxSendRate": 1.0,
        "SentLast24Hours": 0.0,
        "ResponseMetadata": None,
    }
    destination = {"ToAddresses": [address(), address()], "CcAddresses": [address()]}
    ses.send_email(Source="s@example.com", Destination=destination, Message=simple_message())
    ses.send_email(
        Source="s@example.com", Destination={"ToAddresses": [address()]}, Message=simple_message()
    )
    assert ses.get_send_quota()["SentLast24Hours"] == 4.0


def test_send_statistics_are_fifteen_minute_data_points(ses, monkeypatch):
    from tidal.core import clock

    start = 1_800_000_000.0  # a quarter-hour boundary
    for moment in (start + 10, start + 20, start + 15 * 60 + 5):
        monkeypatch.setattr(clock, "now", lambda moment=moment: moment)
        ses.send_email(
            Source="s@example.com",
            Destination={"ToAddresses": [address()]},
            Message=simple_message(),
        )
    points = ses.get_send_statistics()["SendDataPoints"]
    assert [(point["Timestamp"].timestamp(), point["DeliveryAttempts"]) for point in points] == [
        (start, 2),
        (start + 15 * 60, 1),
    ]
    assert all(point["Bounces"] == point["Complaints"] == point["Rejects"] == 0 for point in points)
