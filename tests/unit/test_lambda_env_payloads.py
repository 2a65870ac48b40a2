"""Invoke's payload checks: the size limits and the JSON parser's complaints."""

from __future__ import annotations

import pytest

from tidal.awslambda import payloads
from tidal.awslambda.errors import InvalidRequestContentException, RequestEntityTooLargeException


def test_sync_payload_limit_is_6_mib():
    payloads.check_size(b"x" * payloads.SYNC_LIMIT, "RequestResponse")
    with pytest.raises(RequestEntityTooLargeException) as raised:
        payloads.check_size(b"x" * (payloads.SYNC_LIMIT + 1), "RequestResponse")
    assert raised.value.message == (
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    )
    assert raised.value.status == 413


def test_async_payload_limit():
    payloads.check_size(b"x" * payloads.ASYNC_LIMIT, "Event")
    with pytest.raises(RequestEntityTooLargeException) as raised:
        payloads.check_size(b"x" * (payloads.ASYNC_LIMIT + 1), "Event")
    assert "InvokeAsync" in raised.value.message


@pytest.mark.parametrize("payload", [b"", b"{}", b"null", b"[1, 2]", b'"text"', b" 3 "])
def test_json_payloads_pass(payload):
    payloads.check_json(payload)


def test_unrecognized_token():
    with pytest.raises(InvalidRequestContentException) as raised:
        payloads.check_json(b"hello")
    assert raised.value.message == (
        "Could not parse request body into json: Could not parse payload into json: "
        "Unrecognized token 'hello': was expecting (JSON String, Number, Array, Object or token "
        "'null', 'true' or 'false')\n at [Source: (byte[])\"hello\"; line: 1, column: 1]"
    )


def test_unexpected_character_and_end_of_input():
    with pytest.raises(InvalidRequestContentException) as raised:
        payloads.check_json(b'{"a": }')
    assert "Unexpected character ('}' (code 125))" in raised.value.message
    assert "line: 1, column: 7]" in raised.value.message
    with pytest.raises(InvalidRequestContentException) as raised:
        payloads.check_json(b'{"a": 1')
    assert "Unexpected end-of-input" in raised.value.message


def test_invalid_utf8():
    with pytest.raises(InvalidRequestContentException) as raised:
        payloads.check_json(b'"\xa7"')
    assert "Invalid UTF-8 start byte 0xa7" in raised.value.message
