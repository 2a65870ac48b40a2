"""Reserved concurrency and the account limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from tidal.awslambda.concurrency import ACCOUNT_EXCEEDED, RESERVED_EXCEEDED, Limits
from tidal.awslambda.errors import TooManyRequestsException
from tidal.awslambda.functions import FunctionVersion


def function(
    name: str, reserved: int | None = None, account: str = "111111111111"
) -> FunctionVersion:
    arn = f"arn:aws:lambda:us-east-1:{account}:function:{name}"
    return FunctionVersion(
        account=account,
        region="us-east-1",
        name=name,
        version="$LATEST",
        arn=arn,
        qualified_arn=f"{arn}:$LATEST",
        invoked_arn=arn,
        runtime="python3.12",
        handler="app.handler",
        role="arn:aws:iam::111111111111:role/r",
        timeout=3,
        memory_size=128,
        code_dir=Path("."),
        code_sha256="",
        revision_id="1",
        reserved_concurrency=reserved,
    )


def test_reserved_concurrency_caps_the_function():
    limits = Limits()
    reserved = function("r", reserved=2)
    first = limits.acquire(reserved, 1000, lambda: 2)
    limits.acquire(reserved, 1000, lambda: 2)
    with pytest.raises(TooManyRequestsException) as raised:
        limits.acquire(reserved, 1000, lambda: 2)
    assert raised.value.message == "Rate Exceeded."
    assert raised.value.fields["Reason"] == RESERVED_EXCEEDED
    limits.release(first)
    limits.acquire(reserved, 1000, lambda: 2)


def test_reserved_zero_is_always_throttled():
    with pytest.raises(TooManyRequestsException):
        Limits().acquire(function("off", reserved=0), 1000, lambda: 0)


def test_unreserved_functions_share_what_reservations_leave():
    limits = Limits()
    slots = [limits.acquire(function("a"), 3, lambda: 1) for _ in range(2)]
    with pytest.raises(TooManyRequestsException) as raised:
        limits.acquire(function("b"), 3, lambda: 1)
    assert raised.value.fields["Reason"] == ACCOUNT_EXCEEDED
    limits.acquire(function("other", account="222222222222"), 3, lambda: 1)
    limits.release(slots[0])
    limits.acquire(function("b"), 3, lambda: 1)


def test_reservations_are_only_summed_near_the_limit():
    calls = []

    def total() -> int:
        calls.append(1)
        return 0

    limits = Limits()
    for _ in range(5):
        limits.acquire(function("a"), 1000, total)
    assert calls == []
