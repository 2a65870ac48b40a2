"""Concurrency limits: a function's reserved concurrency, and the account's limit.

A function with reserved concurrency runs at most that many invocations at once (0: none,
it is throttled always) and does not draw on the account's other functions' share. The
functions without a reservation share what the reservations leave of the account limit
(`config.lambda_concurrency`, per account and region as on AWS). A refused invocation gets
TooManyRequestsException "Rate Exceeded." with the Reason AWS gives.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from tidal.awslambda.errors import TooManyRequestsException
from tidal.awslambda.functions import FunctionVersion

UNRESERVED_MINIMUM = 100
"""What reservations must leave unreserved of the account limit (AWS's rule, enforced by
PutFunctionConcurrency): until fewer than this many unreserved slots are left, no sum of
reservations can make an unreserved invocation wait, so it need not be computed."""

RESERVED_EXCEEDED = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_EXCEEDED = "ConcurrentInvocationLimitExceeded"


def throttled(reason: str) -> TooManyRequestsException:
    return TooManyRequestsException("Rate Exceeded.", Reason=reason)


@dataclass(frozen=True, slots=True)
class Slot:
    """One running invocation's place; give it back with `Limits.release`."""

    function_arn: str
    account: tuple[str, str] | None
    """(account, region) when it counts against the unreserved share."""


class Limits:
    def __init__(self) -> None:
        self.by_function: Counter[str] = Counter()
        self.unreserved: Counter[tuple[str, str]] = Counter()

    def acquire(
        self, function: FunctionVersion, account_limit: int, reserved_total: Callable[[], int]
    ) -> Slot:
        """Take a place for one invocation of `function`, or raise TooManyRequestsException.

        `reserved_total()` gives the sum of the reservations of the function's account and
        region; it is only called when the unreserved share is nearly used.
        """
        arn = function.arn
        reserved = function.reserved_concurrency
        if reserved is not None:
            if self.by_function[arn] >= reserved:
                raise throttled(RESERVED_EXCEEDED)
            self.by_function[arn] += 1
            return Slot(arn, None)
        account = (function.account, function.region)
        running = self.unreserved[account]
        if running + UNRESERVED_MINIMUM >= account_limit and (
            running >= account_limit - reserved_total()
        ):
            raise throttled(ACCOUNT_EXCEEDED)
        self.by_function[arn] += 1
        self.unreserved[account] += 1
        return Slot(arn, account)

    def release(self, slot: Slot) -> None:
        _decrement(self.by_function, slot.function_arn)
        if slot.account is not None:
            _decrement(self.unreserved, slot.account)

    def running(self, function_arn: str) -> int:
        return self.by_function[function_arn]


def _decrement(counter: Counter, key: object) -> None:
    counter[key] -= 1
    if counter[key] <= 0:
        del counter[key]
