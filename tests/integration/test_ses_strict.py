"""`--ses-strict`: the SES sandbox. Senders and recipients must be verified identities."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.ses_support import error_of, messages, new_account, simple_message
from tidal.core.config import Config
from tidal.server.runner import Server
from tidal.testing.plugin import client


@pytest.fixture(scope="module")
def strict_server() -> Iterator[Server]:
    with Server(Config(ses_strict=True, port=0, in_memory=True)) as server:
        yield server
    assert server.app.internal_errors == []


@pytest.fixture
def account(strict_server: Server) -> dict[str, str]:
    return new_account()


def test_unverified_sender_and_recipients_are_listed_in_one_rejection(strict_server, account):
    ses = client("ses", strict_server.endpoint, **account)
    ses.verify_email_identity(EmailAddress="ok@example.com")
    code, text, status = error_of(
        ses.send_email,
        Source='"Sender Name" <sender@example.com>',
        Destination={
            "ToAddresses": ["ok@example.com", "Reader <reader@example.net>"],
            "BccAddresses": ["hidden@example.org"],
        },
        Message=simple_message(),
    )
    assert (code, status) == ("MessageRejected", 400)
    assert text == (
        "Email address is not verified. The following identities failed the check in region "
        'US-EAST-1: "Sender Name" <sender@example.com>, Reader <reader@example.net>, '
        "hidden@example.org"
    )
    assert ses.list_identities()["Identities"] == ["ok@example.com"]
    assert messages(strict_server.endpoint, to="reader@example.net") == []


def test_region_is_upper_cased_and_sending_works_once_verified(strict_server, account):
    ses = client("ses", strict_server.endpoint, region="eu-west-1", **account)
    assert error_of(
        ses.send_email,
        Source="me@example.com",
        Destination={"ToAddresses": ["you@example.com"]},
        Message=simple_message(),
    ) == (
        "MessageRejected",
        "Email address is not verified. The following identities failed the check in region "
        "EU-WEST-1: me@example.com, you@example.com",
        400,
    )
    ses.verify_email_identity(EmailAddress="me@example.com")
    ses.verify_domain_identity(Domain="example.com")
    attributes = ses.get_identity_verification_attributes(Identities=["me@example.com"])
    assert attributes["VerificationAttributes"]["me@example.com"]["VerificationStatus"] == (
        "Success"
    )
    message_id = ses.send_email(
        Source="me@example.com",
        Destination={"ToAddresses": ["you@example.com"]},
        Message=simple_message(),
    )["MessageId"]
    assert [found["id"] for found in messages(strict_server.endpoint, to="you@example.com")] == [
        message_id
    ]


def test_mailbox_simulator_recipients_need_no_verification(strict_server, account):
    ses = client("ses", strict_server.endpoint, **account)
    ses.verify_email_identity(EmailAddress="me@example.com")
    ses.send_email(
        Source="me@example.com",
        Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
        Message=simple_message(),
    )


def test_raw_and_v2_sends_are_checked_too(strict_server, account):
    ses = client("ses", strict_server.endpoint, **account)
    sesv2 = client("sesv2", strict_server.endpoint, **account)
    raw = b"From: raw@example.com\r\nTo: to@example.com\r\nSubject: s\r\n\r\nbody\r\n"
    assert error_of(ses.send_raw_email, RawMessage={"Data": raw}) == (
        "MessageRejected",
        "Email address is not verified. The following identities failed the check in region "
        "US-EAST-1: raw@example.com, to@example.com",
        400,
    )
    sesv2.create_email_identity(EmailIdentity="raw@example.com")
    assert error_of(
        sesv2.send_email,
        FromEmailAddress="raw@example.com",
        Destination={"ToAddresses": ["to@example.com"]},
        Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
    ) == (
        "MessageRejected",
        "Email address is not verified. The following identities failed the check in region "
        "US-EAST-1: to@example.com",
        400,
    )
    assert sesv2.get_account()["ProductionAccessEnabled"] is False
