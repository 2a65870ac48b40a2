"""Amazon Resource Names."""

from __future__ import annotations


def arn(service: str, region: str, account: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def parse_arn(text: str) -> tuple[str, str, str, str] | None:
    """(service, region, account, resource) of an ARN, or None if `text` is not one."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[2]:
        return None
    return parts[2], parts[3], parts[4], parts[5]
