"""Timestamps on the wire: what handlers return, in the format each protocol location uses.

Handlers return a timestamp as epoch seconds (int or float) or a `datetime`; a string is
taken as already formatted and sent as it is. botocore names three formats
(`timestampFormat` in a model): `iso8601`, `unixTimestamp` and `rfc822`.
"""

from __future__ import annotations

import datetime
from email.utils import format_datetime
from typing import Any

ISO8601 = "iso8601"
EPOCH = "unixtimestamp"
RFC822 = "rfc822"


def as_datetime(value: datetime.datetime | float) -> datetime.datetime:
    """A timezone-aware UTC datetime (a naive datetime is taken to be UTC)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=datetime.UTC)
        return value.astimezone(datetime.UTC)
    return datetime.datetime.fromtimestamp(value, datetime.UTC)


def iso8601(value: datetime.datetime | float) -> str:
    """`2026-11-26T17:40:30.123Z`: UTC with milliseconds, as AWS's XML and query APIs write it."""
    moment = as_datetime(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def epoch(value: datetime.datetime | float) -> float | int:
    """Epoch seconds as a JSON number, with the fraction AWS keeps (milliseconds)."""
    seconds = as_datetime(value).timestamp() if isinstance(value, datetime.datetime) else value
    if isinstance(seconds, int):
        return seconds
    rounded = round(seconds, 3)
    return int(rounded) if rounded.is_integer() else rounded


def rfc822(value: datetime.datetime | float) -> str:
    """`Thu, 26 Nov 2026 17:40:30 GMT`: the HTTP date of headers (whole seconds)."""
    return format_datetime(as_datetime(value).replace(microsecond=0), usegmt=True)


def formatted(value: Any, timestamp_format: str) -> Any:
    """`value` in `timestamp_format` (one of the model's names, any case); strings pass as is."""
    if isinstance(value, str):
        return value
    kind = timestamp_format.lower()
    if kind == EPOCH:
        return epoch(value)
    if kind == RFC822:
        return rfc822(value)
    return iso8601(value)
