"""AWS JSON 1.0/1.1: the body is a JSON object, the operation comes from `X-Amz-Target`."""

from __future__ import annotations

import zlib
from typing import Any

import orjson

from tidal.core.errors import AWSError, SerializationException

CONTENT_TYPE = b"application/x-amz-json-1.0"


def content_type(json_version: str) -> bytes:
    """`application/x-amz-json-<version>`, the version a model's `jsonVersion` names."""
    return f"application/x-amz-json-{json_version}".encode()


def parse_body(body: bytes) -> dict[str, Any]:
    """The members of a request; AWS refuses an empty body (SDKs send `{}`) with a bare
    SerializationException."""
    if not body.strip():
        raise SerializationException()
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise SerializationException(f"Unable to parse request body as JSON: {error.msg}") from None
    if not isinstance(params, dict):
        raise SerializationException("Start of structure or map found where not expected.")
    return params


def render(
    result: dict[str, Any], request_id: str, crc32: bool, kind: bytes = CONTENT_TYPE
) -> tuple[int, list, bytes]:
    return 200, _headers(body := orjson.dumps(result), request_id, crc32, kind), body


def render_error(
    error: AWSError, namespace: str, request_id: str, crc32: bool, kind: bytes = CONTENT_TYPE
) -> tuple[int, list, bytes]:
    """The error body; `__type` is `namespace#Code`, or a bare `Code` when no namespace applies."""
    prefix = error.namespace or namespace
    document: dict[str, Any] = {"__type": f"{prefix}#{error.code}" if prefix else error.code}
    if error.message:
        document[error.message_key] = error.message
    document.update(error.fields)
    body = orjson.dumps(document)
    headers = _headers(body, request_id, crc32, kind)
    headers.append((b"x-amzn-errortype", error.code.encode()))
    return error.status, headers, body


def _headers(body: bytes, request_id: str, crc32: bool, kind: bytes) -> list:
    headers = [
        (b"server", b"Server"),
        (b"content-type", kind),
        (b"content-length", str(len(body)).encode()),
        (b"x-amzn-requestid", request_id.encode()),
    ]
    if crc32:
        headers.append((b"x-amz-crc32", str(zlib.crc32(body)).encode()))
    return headers
