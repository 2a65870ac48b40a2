"""CORS as AWS service endpoints answer it, so that SDKs running in a browser can call Tidal.

A request that carries `Origin` gets `Access-Control-Allow-Origin: *` on its answer; a
preflight (`OPTIONS` with `Origin`) is answered 200 with an empty body, the requested
headers and method allowed, and a max age of two days (DynamoDB's 172800 s).
"""

from __future__ import annotations

ALLOW_ORIGIN = (b"access-control-allow-origin", b"*")
# Response headers a browser script may read; the SDKs read these to report errors.
EXPOSE_HEADERS = (
    b"access-control-expose-headers",
    b"x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,x-amz-crc32,Date",
)
MAX_AGE = b"172800"


def is_preflight(method: str, headers: dict[bytes, bytes]) -> bool:
    return method == "OPTIONS" and b"origin" in headers


def preflight(headers: dict[bytes, bytes], request_id: str) -> tuple[int, list, bytes]:
    """The answer to a preflight: whatever the browser asks to send is allowed (`allow`
    adds the allowed origin, as to every cross-origin answer)."""
    answer = [(b"x-amzn-requestid", request_id.encode())]
    asked_headers = headers.get(b"access-control-request-headers")
    if asked_headers:
        answer.append((b"access-control-allow-headers", asked_headers))
    asked_method = headers.get(b"access-control-request-method")
    if asked_method:
        answer.append((b"access-control-allow-methods", asked_method))
    answer += [(b"access-control-max-age", MAX_AGE), (b"content-length", b"0")]
    return 200, answer, b""


def allow(response_headers: list) -> list:
    """The headers of an answer to a cross-origin request."""
    return [*response_headers, ALLOW_ORIGIN, EXPOSE_HEADERS]
