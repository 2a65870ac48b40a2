"""Helpers shared by the SES integration tests: clients of a fresh account, the mailbox."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import botocore.exceptions

from tidal.testing.plugin import client


def new_account() -> dict[str, str]:
    """Credentials of an account no other test uses (a 12-digit access key names it)."""
    access_key = f"{random.randrange(10**11, 10**12)}"
    return {"aws_access_key_id": access_key, "aws_secret_access_key": "test"}


def clients(endpoint: str, region: str = "us-east-1") -> tuple[Any, Any]:
    """An SES v1 and an SES v2 client of one fresh account."""
    credentials = new_account()
    return (
        client("ses", endpoint, region=region, **credentials),
        client("sesv2", endpoint, region=region, **credentials),
    )


def address(name: str = "user") -> str:
    """An address that no other test sends to, so mailbox filters find only this test's mail."""
    return f"{name}-{uuid.uuid4().hex[:10]}@example.com"


def error_of(call: Callable[..., Any], **params: Any) -> tuple[str, str, int]:
    """(code, message, HTTP status) of the error `call(**params)` answers."""
    try:
        call(**params)
    except botocore.exceptions.ClientError as error:
        response = error.response
        return (
            response["Error"]["Code"],
            response["Error"]["Message"],
            response["ResponseMetadata"]["HTTPStatusCode"],
        )
    raise AssertionError("the call succeeded")


def http(endpoint: str, path: str, method: str = "GET", **query: Any) -> tuple[int, dict, bytes]:
    """(status, headers, body) of a request to one of Tidal's own endpoints."""
    url = f"{endpoint}{path}" + (f"?{urlencode(query)}" if query else "")
    try:
        with urlopen(Request(url, method=method), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except Exception as error:  # HTTPError carries the answer too
        if hasattr(error, "code"):
            return error.code, dict(error.headers), error.read()
        raise


def messages(endpoint: str, **query: Any) -> list[dict[str, Any]]:
    status, _, body = http(endpoint, "/_tidal/ses/messages", **query)
    assert status == 200, body
    return json.loads(body)["messages"]


def message(endpoint: str, message_id: str) -> dict[str, Any]:
    status, _, body = http(endpoint, f"/_tidal/ses/messages/{message_id}")
    assert status == 200, body
    return json.loads(body)


def simple_message(subject: str = "Hello", text: str = "Hi there") -> dict[str, Any]:
    return {"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}
