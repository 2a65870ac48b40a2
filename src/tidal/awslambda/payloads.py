"""The checks Invoke makes on a payload before it runs anything: size, then JSON."""

from __future__ import annotations

import json

from tidal.awslambda.errors import InvalidRequestContentException, RequestEntityTooLargeException

SYNC_LIMIT = 6291456
"""Bytes a RequestResponse (or DryRun) payload may have."""
ASYNC_LIMIT = 1048576
"""Bytes an Event payload may have (256 KB until 2025, 1 MB since)."""
_EXPECTED = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"


def check_size(payload: bytes, invocation_type: str) -> None:
    if invocation_type == "Event":
        if len(payload) > ASYNC_LIMIT:
            raise RequestEntityTooLargeException(
                f"Request must be smaller than {ASYNC_LIMIT} bytes for the InvokeAsync operation"
            )
    elif len(payload) > SYNC_LIMIT:
        raise RequestEntityTooLargeException(
            f"Request must be smaller than {SYNC_LIMIT} bytes for the InvokeFunction operation"
        )


def check_json(payload: bytes) -> None:
    """An empty payload is allowed (the function gets `{}`); anything else must be JSON.

    The message follows the JSON parser Lambda uses (Jackson): what it met, then where.
    """
    if not payload:
        return
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = payload[error.start]
        raise _invalid(f"Invalid UTF-8 start byte 0x{bad:02x}", payload, error.start) from None
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise _invalid(_problem(text, error.pos), payload, error.pos) from None


def _problem(text: str, position: int) -> str:
    if position >= len(text.rstrip()):
        return "Unexpected end-of-input: expected a value"
    char = text[position]
    if char.isalpha():
        end = position
        while end < len(text) and (text[end].isalnum() or text[end] in "_$"):
            end += 1
        return f"Unrecognized token '{text[position:end]}': was expecting {_EXPECTED}"
    return f"Unexpected character ('{char}' (code {ord(char)})): expected a valid value {_EXPECTED}"


def _invalid(problem: str, payload: bytes, position: int) -> InvalidRequestContentException:
    text = payload.decode("utf-8", "replace")
    before = text[:position]
    line = before.count("\n") + 1
    column = position - (before.rfind("\n") + 1) + 1
    source = text if len(text) <= 500 else text[:500] + "[truncated " + str(len(text) - 500) + "]"
    return InvalidRequestContentException(
        "Could not parse request body into json: Could not parse payload into json: "
        f'{problem}\n at [Source: (byte[])"{source}"; line: {line}, column: {column}]'
    )
