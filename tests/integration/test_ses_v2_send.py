"""SES v2 SendEmail (Simple, Raw, Template content), GetAccount and v2's errors."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest

from tests.integration.ses_support import address, clients, error_of, http, message, messages


@pytest.fixture
def both(tidal_endpoint: str):
    return clients(tidal_endpoint)


def simple(subject: str = "Hello", text: str = "Body") -> dict:
    return {"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}}


def test_simple_content_with_headers_and_attachments(both, tidal_endpoint):
    _, sesv2 = both
    to, cc = address("to"), address("cc")
    message_id = sesv2.send_email(
        FromEmailAddress="Shop <shop@example.com>",
        Destination={"ToAddresses": [to], "CcAddresses": [cc]},
        ReplyToAddresses=["help@example.com"],
        EmailTags=[{"Name": "kind", "Value": "receipt"}],
        Content={
            "Simple": {
                "Subject": {"Data": "Votre reçu", "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": "Merci !", "Charset": "UTF-8"},
                    "Html": {"Data": "<p>Merci !</p>", "Charset": "UTF-8"},
                },
                "Headers": [{"Name": "X-Order", "Value": "42"}],
                "Attachments": [
                    {
                        "FileName": "recu.txt",
                        "RawContent": b"total: 12.50",
                        "ContentType": "text/plain",
                    }
                ],
            }
        },
    )["MessageId"]
    stored = message(tidal_endpoint, message_id)
    assert stored["operation"] == "SendEmail"
    assert stored["source"] == "Shop <shop@example.com>"
    assert (stored["to"], stored["cc"], stored["reply_to"]) == ([to], [cc], ["help@example.com"])
    assert (stored["subject"], stored["text"], stored["html"]) == (
        "Votre reçu",
        "Merci !",
        "<p>Merci !</p>",
    )
    assert stored["tags"] == {"kind": "receipt"}
    assert stored["attachments"] == [
        {"filename": "recu.txt", "content_type": "text/plain", "size": 12}
    ]
    _, _, raw = http(tidal_endpoint, f"/_tidal/ses/messages/{message_id}.eml")
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsed["X-Order"] == "42"
    assert parsed["Subject"] == "Votre reçu"
    (attachment,) = parsed.iter_attachments()
    assert attachment.get_content() == "total: 12.50"


def test_raw_content_takes_addresses_from_the_headers(both, tidal_endpoint):
    _, sesv2 = both
    to = address()
    raw = (
        f"From: =?utf-8?q?Alexis_G=C3=9CNST_HORN?= <alexis@example.com>\r\nTo: {to}\r\n"
        "Subject: =?utf-8?q?Bienvenue_Alexis_G=C3=9CNST_HORN_!?=\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour\r\n"
    ).encode()
    message_id = sesv2.send_email(Content={"Raw": {"Data": raw}})["MessageId"]
    stored = message(tidal_endpoint, message_id)
    assert stored["source"] == "Alexis GÜNST HORN <alexis@example.com>"
    assert stored["to"] == [to]
    assert stored["subject"] == "Bienvenue Alexis GÜNST HORN !"
    assert stored["text"] == "Bonjour\n"


def test_raw_content_with_an_explicit_destination(both, tidal_endpoint):
    _, sesv2 = both
    envelope = address("envelope")
    raw = b"From: a@example.com\r\nTo: header@example.com\r\nSubject: s\r\n\r\nbody\r\n"
    message_id = sesv2.send_email(
        FromEmailAddress="other@example.com",
        Destination={"BccAddresses": [envelope]},
        Content={"Raw": {"Data": raw}},
    )["MessageId"]
    stored = message(tidal_endpoint, message_id)
    assert stored["source"] == "other@example.com"
    assert stored["destinations"] == [envelope]


def test_v1_and_v2_share_the_mailbox(both, tidal_endpoint):
    ses, sesv2 = both
    to = address()
    ses.send_email(
        Source="a@example.com",
        Destination={"ToAddresses": [to]},
        Message={"Subject": {"Data": "v1"}, "Body": {"Text": {"Data": "x"}}},
    )
    sesv2.send_email(
        FromEmailAddress="a@example.com",
        Destination={"ToAddresses": [to]},
        Content=simple("v2"),
    )
    assert [found["subject"] for found in messages(tidal_endpoint, to=to)] == ["v2", "v1"]


def test_v2_errors(both):
    _, sesv2 = both
    destination = {"ToAddresses": [address()]}
    assert error_of(sesv2.send_email, Destination=destination, Content=simple()) == (
        "BadRequestException",
        "Missing required parameter: FromEmailAddress.",
        400,
    )
    assert error_of(
        sesv2.send_email, FromEmailAddress="bad", Destination=destination, Content=simple()
    ) == ("BadRequestException", "Missing final '@domain'", 400)
    assert error_of(
        sesv2.send_email,
        FromEmailAddress="a@example.com",
        Destination=destination,
        Content=simple(),
        ConfigurationSetName="missing",
    ) == ("NotFoundException", "Configuration set <missing> does not exist.", 404)
    assert error_of(
        sesv2.send_email,
        FromEmailAddress="a@example.com",
        Destination=destination,
        Content={"Template": {"TemplateName": "missing", "TemplateData": "{}"}},
    ) == ("NotFoundException", "Template missing does not exist.", 404)
    assert error_of(
        sesv2.send_email,
        FromEmailAddress="a@example.com",
        Destination={"ToAddresses": [address() for _ in range(51)]},
        Content=simple(),
    ) == ("BadRequestException", "Recipient count exceeds 50.", 400)
    assert error_of(
        sesv2.send_email,
        FromEmailAddress="a@example.com",
        Destination=destination,
        Content={**simple(), "Raw": {"Data": b"x"}},
    ) == (
        "BadRequestException",
        "Exactly one of Simple, Raw or Template content is required.",
        400,
    )


def test_v2_configuration_sets(both, tidal_endpoint):
    ses, sesv2 = both
    sesv2.create_configuration_set(ConfigurationSetName="events")
    assert ses.list_configuration_sets()["ConfigurationSets"] == [{"Name": "events"}]
    assert sesv2.list_configuration_sets()["ConfigurationSets"] == ["events"]
    assert sesv2.get_configuration_set(ConfigurationSetName="events")["ConfigurationSetName"] == (
        "events"
    )
    assert error_of(sesv2.create_configuration_set, ConfigurationSetName="events") == (
        "AlreadyExistsException",
        "Configuration set <events> already exists.",
        400,
    )
    message_id = sesv2.send_email(
        FromEmailAddress="a@example.com",
        Destination={"ToAddresses": [address()]},
        Content=simple(),
        ConfigurationSetName="events",
    )["MessageId"]
    assert message(tidal_endpoint, message_id)["configuration_set"] == "events"
    sesv2.delete_configuration_set(ConfigurationSetName="events")
    assert error_of(sesv2.get_configuration_set, ConfigurationSetName="events") == (
        "NotFoundException",
        "Configuration set <events> does not exist.",
        404,
    )


def test_get_account(both):
    ses, sesv2 = both
    ses.send_email(
        Source="a@example.com",
        Destination={"ToAddresses": [address(), address()]},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "x"}}},
    )
    account = sesv2.get_account()
    assert account["SendQuota"] == {
        "Max24HourSend": 200.0,
        "MaxSendRate": 1.0,
        "SentLast24Hours": 2.0,
    }
    assert account["SendingEnabled"] is True
    assert account["ProductionAccessEnabled"] is True
    assert account["EnforcementStatus"] == "HEALTHY"
