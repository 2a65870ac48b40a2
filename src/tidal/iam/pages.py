"""IAM's pagination: MaxItems (default 100), an opaque Marker, IsTruncated.

A marker holds the sort key of the last entry given, so a page resumes after it even
when entries were added or deleted in between.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from tidal.iam.errors import ValidationError

DEFAULT_MAX_ITEMS = 100
_PREFIX = "tidal1:"

Entry = TypeVar("Entry")


def page(
    entries: Sequence[Entry], key: Callable[[Entry], str], params: dict[str, Any]
) -> tuple[list[Entry], dict[str, Any]]:
    """The entries of the page `params` asks for (in `key` order) and the page's
    `IsTruncated` (and `Marker`, when truncated) members of the response."""
    ordered = sorted(entries, key=key)
    marker = params.get("Marker")
    if marker is not None:
        after = _decode(marker)
        ordered = [entry for entry in ordered if key(entry) > after]
    limit = params.get("MaxItems", DEFAULT_MAX_ITEMS)
    chosen = ordered[:limit]
    if len(ordered) <= limit:
        return chosen, {"IsTruncated": False}
    return chosen, {"IsTruncated": True, "Marker": _encode(key(chosen[-1]))}


def _encode(key: str) -> str:
    return base64.b64encode((_PREFIX + key).encode()).decode()


def _decode(marker: str) -> str:
    try:
        text = base64.b64decode(marker, validate=True).decode()
    except (binascii.Error, ValueError):  # not base64 (or not ASCII), or not UTF-8 inside
        text = ""
    if not text.startswith(_PREFIX):
        raise ValidationError("Invalid Marker.")
    return text[len(_PREFIX) :]
