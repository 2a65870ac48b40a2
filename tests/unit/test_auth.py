"""SigV4 credential scope → caller (access key, region, account)."""

from __future__ import annotations

from tidal.server.auth import caller_from

HEADER = (
    "AWS4-HMAC-SHA256 Credential={key}/20260101/{region}/dynamodb/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=abc"
)


def test_header_gives_key_region_and_service():
    caller = caller_from(HEADER.format(key="AKIDEXAMPLE", region="eu-west-3"), b"")
    assert (caller.access_key, caller.region, caller.service) == (
        "AKIDEXAMPLE",
        "eu-west-3",
        "dynamodb",
    )
    assert caller.account == "000000000000"


def test_twelve_digit_key_is_its_account():
    caller = caller_from(HEADER.format(key="123456789012", region="us-east-1"), b"")
    assert caller.account == "123456789012"
    assert caller_from(HEADER.format(key="1234567890123", region="x"), b"").account == (
        "000000000000"
    )


def test_presigned_query_string():
    query = (
        b"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=111122223333%2F20260101%2F"
        b"ap-south-1%2Fdynamodb%2Faws4_request&X-Amz-Signature=abc"
    )
    caller = caller_from(None, query)
    assert (caller.account, caller.region) == ("111122223333", "ap-south-1")


def test_no_credentials():
    assert caller_from(None, b"") is None
    assert caller_from("Bearer token", b"a=b") is None
