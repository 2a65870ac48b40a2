"""Helpers shared by the integration tests of Lambda's control plane (test_lambda_*.py)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from typing import Any

import pytest
from botocore.exceptions import ClientError

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
HANDLER_CODE = "def handler(event, context):\n    return event\n"


def unique(prefix: str = "fn") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def zipped(
    files: dict[str, str | bytes] | None = None, modes: dict[str, int] | None = None
) -> bytes:
    """A zip archive holding `files` (name → content); `modes` gives Unix permission bits."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (files or {"handler.py": HANDLER_CODE}).items():
            entry = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            mode = (modes or {}).get(name)
            if mode is not None:
                entry.external_attr = mode << 16
            archive.writestr(entry, content)
    return buffer.getvalue()


def make_role(iam: Any) -> str:
    """A role Lambda may assume, in the account of `iam`."""
    created = iam.create_role(RoleName=unique("role"), AssumeRolePolicyDocument=json.dumps(TRUST))
    return created["Role"]["Arn"]


def error_of(call: Any, **kwargs: Any) -> tuple[str, str, int]:
    """(code, message, HTTP status) of the ClientError the call raises."""
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def create(lam: Any, role: str, name: str | None = None, **extra: Any) -> dict[str, Any]:
    """A python3.12 function running handler.py (or `extra`'s Code), created through boto3."""
    params: dict[str, Any] = {
        "FunctionName": name or unique(),
        "Runtime": "python3.12",
        "Role": role,
        "Handler": "handler.handler",
        "Code": {"ZipFile": zipped()},
    }
    params.update(extra)
    return lam.create_function(**params)
