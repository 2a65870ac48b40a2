"""Identities through SES v1 and v2: one set per account and region, verified at once."""

from __future__ import annotations

import logging

import pytest

from tests.integration.ses_support import clients, error_of, new_account, simple_message
from tidal.testing.plugin import client


@pytest.fixture
def both(tidal_endpoint: str):
    return clients(tidal_endpoint)


def test_verify_email_and_domain_identities(both):
    ses, _ = both
    ses.verify_email_identity(EmailAddress="alice@example.com")
    ses.verify_email_address(EmailAddress="legacy@example.com")
    token = ses.verify_domain_identity(Domain="example.org")["VerificationToken"]
    assert len(token) == 44
    assert ses.verify_domain_identity(Domain="example.org")["VerificationToken"] == token
    assert ses.list_identities()["Identities"] == [
        "alice@example.com",
        "example.org",
        "legacy@example.com",
    ]
    assert ses.list_identities(IdentityType="Domain")["Identities"] == ["example.org"]
    assert ses.list_identities(IdentityType="EmailAddress")["Identities"] == [
        "alice@example.com",
        "legacy@example.com",
    ]
    attributes = ses.get_identity_verification_attributes(
        Identities=["alice@example.com", "example.org", "unknown@example.com"]
    )["VerificationAttributes"]
    assert attributes == {
        "alice@example.com": {"VerificationStatus": "Success"},
        "example.org": {"VerificationStatus": "Success", "VerificationToken": token},
    }
    assert ses.list_verified_email_addresses()["VerifiedEmailAddresses"] == [
        "alice@example.com",
        "legacy@example.com",
    ]


def test_list_identities_pages(both):
    ses, _ = both
    for name in ("a", "b", "c", "d", "e"):
        ses.verify_email_identity(EmailAddress=f"{name}@example.com")
    first = ses.list_identities(MaxItems=2)
    assert first["Identities"] == ["a@example.com", "b@example.com"]
    second = ses.list_identities(MaxItems=2, NextToken=first["NextToken"])
    assert second["Identities"] == ["c@example.com", "d@example.com"]
    third = ses.list_identities(MaxItems=2, NextToken=second["NextToken"])
    assert third["Identities"] == ["e@example.com"]
    assert "NextToken" not in third


def test_delete_identity_is_idempotent(both):
    ses, _ = both
    ses.verify_email_identity(EmailAddress="gone@example.com")
    ses.delete_identity(Identity="gone@example.com")
    ses.delete_identity(Identity="gone@example.com")
    ses.verify_email_identity(EmailAddress="old@example.com")
    ses.delete_verified_email_address(EmailAddress="old@example.com")
    assert ses.list_identities()["Identities"] == []


def test_invalid_identities_are_refused(both):
    ses, sesv2 = both
    assert error_of(ses.verify_email_identity, EmailAddress="bad email") == (
        "InvalidParameterValue",
        "Invalid email address bad email.",
        400,
    )
    assert error_of(ses.verify_domain_identity, Domain="not a domain") == (
        "InvalidParameterValue",
        "Invalid domain name not a domain.",
        400,
    )
    assert error_of(sesv2.create_email_identity, EmailIdentity="x y@example.com") == (
        "BadRequestException",
        "Invalid email address x y@example.com.",
        400,
    )


def test_sender_is_verified_on_first_use_and_logged(both, caplog):
    ses, _ = both
    with caplog.at_level(logging.INFO, logger="tidal.ses"):
        ses.send_email(
            Source="First Time <first@example.com>",
            Destination={"ToAddresses": ["someone@example.net"]},
            Message=simple_message(),
        )
    assert ses.list_identities()["Identities"] == ["first@example.com"]
    assert any("first@example.com" in line and "first use" in line for line in caplog.messages)


def test_a_verified_domain_covers_its_addresses(both):
    ses, _ = both
    ses.verify_domain_identity(Domain="corp.example")
    ses.send_email(
        Source="noreply@corp.example",
        Destination={"ToAddresses": ["someone@example.net"]},
        Message=simple_message(),
    )
    assert ses.list_identities()["Identities"] == ["corp.example"]


def test_v2_identities_are_the_v1_identities(both):
    ses, sesv2 = both
    created = sesv2.create_email_identity(EmailIdentity="bob@example.com")
    assert (created["IdentityType"], created["VerifiedForSendingStatus"]) == ("EMAIL_ADDRESS", True)
    domain = sesv2.create_email_identity(
        EmailIdentity="example.net", Tags=[{"Key": "team", "Value": "mail"}]
    )
    assert domain["IdentityType"] == "DOMAIN"
    assert domain["DkimAttributes"]["Status"] == "SUCCESS"
    assert len(domain["DkimAttributes"]["Tokens"]) == 3
    ses.verify_email_identity(EmailAddress="carol@example.com")
    assert ses.list_identities()["Identities"] == [
        "bob@example.com",
        "carol@example.com",
        "example.net",
    ]
    listed = sesv2.list_email_identities()["EmailIdentities"]
    assert listed == [
        {
            "IdentityType": "EMAIL_ADDRESS",
            "IdentityName": "bob@example.com",
            "SendingEnabled": True,
            "VerificationStatus": "SUCCESS",
        },
        {
            "IdentityType": "EMAIL_ADDRESS",
            "IdentityName": "carol@example.com",
            "SendingEnabled": True,
            "VerificationStatus": "SUCCESS",
        },
        {
            "IdentityType": "DOMAIN",
            "IdentityName": "example.net",
            "SendingEnabled": True,
            "VerificationStatus": "SUCCESS",
        },
    ]
    page = sesv2.list_email_identities(PageSize=2)
    assert len(page["EmailIdentities"]) == 2
    rest = sesv2.list_email_identities(PageSize=2, NextToken=page["NextToken"])
    assert [item["IdentityName"] for item in rest["EmailIdentities"]] == ["example.net"]
    got = sesv2.get_email_identity(EmailIdentity="carol@example.com")
    assert got["IdentityType"] == "EMAIL_ADDRESS"
    assert got["VerifiedForSendingStatus"] is True
    assert got["VerificationStatus"] == "SUCCESS"
    assert got["DkimAttributes"]["Status"] == "NOT_STARTED"
    assert got["MailFromAttributes"] == {"BehaviorOnMxFailure": "USE_DEFAULT_VALUE"}
    tagged = sesv2.get_email_identity(EmailIdentity="example.net")
    assert tagged["Tags"] == [{"Key": "team", "Value": "mail"}]
    sesv2.delete_email_identity(EmailIdentity="carol@example.com")
    assert "carol@example.com" not in ses.list_identities()["Identities"]


def test_v2_identity_errors(both):
    _, sesv2 = both
    sesv2.create_email_identity(EmailIdentity="dup@example.com")
    assert error_of(sesv2.create_email_identity, EmailIdentity="dup@example.com") == (
        "AlreadyExistsException",
        "Email identity dup@example.com already exist.",
        400,
    )
    assert error_of(sesv2.get_email_identity, EmailIdentity="none@example.com") == (
        "NotFoundException",
        "Email identity none@example.com does not exist.",
        404,
    )
    assert error_of(sesv2.delete_email_identity, EmailIdentity="none@example.com") == (
        "NotFoundException",
        "Email identity none@example.com does not exist.",
        404,
    )


def test_identities_belong_to_an_account_and_a_region(tidal_endpoint):
    credentials = new_account()
    ses = client("ses", tidal_endpoint, **credentials)
    ses.verify_email_identity(EmailAddress="mine@example.com")
    assert ses.list_identities()["Identities"] == ["mine@example.com"]
    other_account = client("ses", tidal_endpoint, **new_account())
    assert other_account.list_identities()["Identities"] == []
    other_region = client("ses", tidal_endpoint, region="eu-west-1", **credentials)
    assert other_region.list_identities()["Identities"] == []
