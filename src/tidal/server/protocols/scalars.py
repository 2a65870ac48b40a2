"""Scalars that travel as text (query and form values, path labels, headers, XML elements):
read and written by their model type."""

from __future__ import annotations

import base64
from typing import Any

from botocore.model import Shape

from tidal.server.protocols import timestamps


def parse(kind: str, text: str) -> Any:
    """`text` as a value of the model type `kind`; strings and timestamps stay as sent.

    ValueError when the text is not a value of that type.
    """
    if kind in ("integer", "long"):
        return int(text)
    if kind in ("double", "float"):
        return float(text)
    if kind == "boolean":
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise ValueError(f"not a boolean: {text!r}")
        return lowered == "true"
    return text


def text(shape: Shape, value: Any, timestamp_format: str) -> str:
    """A handler's scalar as text: `true`/`false`, a timestamp in the shape's format (else in
    `timestamp_format`), bytes in base64, anything else as `str` gives it."""
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        fmt = shape.serialization.get("timestampFormat", timestamp_format)
        return str(timestamps.formatted(value, fmt))
    if kind == "blob" and isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    return str(value)
