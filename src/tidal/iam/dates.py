"""Timestamps as IAM and STS write them: `2015-04-09T15:03:43Z`, whole seconds, UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
