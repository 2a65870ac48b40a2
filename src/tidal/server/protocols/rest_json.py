"""AWS REST JSON (Lambda, SES v2): parameters in the path, query string, headers and JSON body.

`parse_request` turns a request that a route matched into the params a boto3 user passes;
`render` places a handler's result where the output shape says (status code, headers, raw
payload or JSON body); `render_error` writes an AWSError as botocore's rest-json parser
reads it: the `x-amzn-ErrorType` header carries the code, the JSON body the message under
the key the model's error shape spells (`Message` or `message`), plus `Type` where the shape
has one.
"""

from __future__ import annotations

import base64
import binascii
import decimal
from functools import cache
from typing import Any

import orjson
from botocore.model import OperationModel, ServiceModel, Shape

from tidal.core.errors import AWSError, SerializationException
from tidal.server.protocols import scalars, timestamps

CONTENT_TYPE = b"application/json"
Response = tuple[int, list[tuple[bytes, bytes]], bytes]
_NO_BODY_STATUSES = frozenset({204, 304})


class MissingAuthenticationToken(AWSError):
    """What the REST front end of Lambda and SES v2 answers to an unsigned request."""

    code = "MissingAuthenticationTokenException"
    status = 403


class UnknownOperation(AWSError):
    code = "UnknownOperationException"
    status = 404


class Unreadable(AWSError):
    """A request the service cannot read, under the service's own name for that."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def malformed(model: ServiceModel, message: str) -> AWSError:
    """The error a service gives for a request it cannot read (bad JSON, a bad typed value):
    Lambda's InvalidRequestContentException, SES v2's BadRequestException."""
    names = _shape_names(model)
    code = next((code for code in _MALFORMED_CODES if code in names), "SerializationException")
    return Unreadable(code, message)


_MALFORMED_CODES = ("InvalidRequestContentException", "BadRequestException")


# Request ---------------------------------------------------------------------------------


def parse_request(
    operation: OperationModel,
    labels: dict[str, str],
    query: dict[str, list[str]],
    headers: dict[str, str],
    body: bytes,
    body_in_query: bool = False,
) -> dict[str, Any]:
    """The params of a matched request. `headers` has lower-case names; `body_in_query`
    (an earlier route of the operation) reads the body members from the query string."""
    shape = operation.input_shape
    if shape is None:
        return {}
    model = operation.service_model
    params: dict[str, Any] = {}
    payload = shape.serialization.get("payload")
    if payload is not None:
        member = shape.members[payload]
        if member.type_name == "blob":
            if body:
                params[payload] = body
        elif member.type_name == "string":
            if body:
                params[payload] = body.decode("utf-8", "replace")
        else:
            document = _json_body(model, body)
            if document is not None:
                params[payload] = _from_json(member, document)
    else:
        document = _json_body(model, body)
        if document is not None:
            if not isinstance(document, dict):
                raise malformed(model, "Start of structure or map found where not expected.")
            params.update(_body_members(shape, document))
    bound_query = _bound_query_names(operation)
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if location is None:
            if body_in_query and name in query:
                params[name] = _from_query(model, member, name, query, bound_query)
            continue
        key = member.serialization.get("name", name)
        if location == "uri":
            if key in labels:
                params[name] = _typed(model, member, labels[key])
        elif location == "querystring":
            value = _from_query(model, member, key, query, bound_query)
            if value is not None:
                params[name] = value
        elif location == "header":
            text = headers.get(key.lower())
            if text is not None:
                params[name] = _from_header(model, member, text)
        elif location == "headers":
            prefix = key.lower()
            found = {
                header[len(prefix) :]: text
                for header, text in headers.items()
                if header.startswith(prefix)
            }
            if found:
                params[name] = found
    return params


@cache
def _bound_query_names(operation: OperationModel) -> frozenset[str]:
    """Query names that are not part of a query-string map: the route's literal query parts
    (`?find=LayerVersion`) and the named query-string members."""
    literal = operation.http.get("requestUri", "").partition("?")[2]
    names = {part.partition("=")[0] for part in literal.split("&") if part}
    for name, member in operation.input_shape.members.items():
        if member.serialization.get("location") == "querystring" and member.type_name != "map":
            names.add(member.serialization.get("name", name))
    return frozenset(names)


def _json_body(model: ServiceModel, body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise malformed(model, f"Could not parse request body into json: {error.msg}") from None


def _body_members(shape: Shape, document: dict[str, Any]) -> dict[str, Any]:
    """The members of the input shape that travel in the JSON body, by member name (a JSON
    null is no value, as for botocore)."""
    out = {}
    for name, member in shape.members.items():
        if "location" not in member.serialization:
            value = document.get(member.serialization.get("name", name))
            if value is not None:
                out[name] = _from_json(member, value)
    return out


def _from_json(shape: Shape, value: Any) -> Any:
    """A JSON body value with the model's wire names (`locationName`) turned into member names."""
    if not _renames(shape):
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        out = {}
        for name, member in shape.members.items():
            wire = member.serialization.get("name", name)
            if wire in value:
                out[name] = _from_json(member, value[wire])
        return out
    if kind == "list" and isinstance(value, list):
        return [_from_json(shape.member, item) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: _from_json(shape.value, item) for key, item in value.items()}
    return value


@cache
def _renames(shape: Shape) -> bool:
    """Whether a JSON value of `shape` has any member whose wire name is not its member name."""
    seen: set[str] = set()

    def walk(node: Shape) -> bool:
        if node.name in seen:
            return False
        seen.add(node.name)
        if node.type_name == "structure":
            return any(
                member.serialization.get("name", name) != name or walk(member)
                for name, member in node.members.items()
                if "location" not in member.serialization
            )
        if node.type_name == "list":
            return walk(node.member)
        if node.type_name == "map":
            return walk(node.value)
        return False

    return walk(shape)


def _from_query(
    model: ServiceModel,
    member: Shape,
    key: str,
    query: dict[str, list[str]],
    bound: set[str],
) -> Any:
    if member.type_name == "map":
        free = {name: values for name, values in query.items() if name not in bound}
        if not free:
            return None
        if member.value.type_name == "list":
            return {
                name: [_typed(model, member.value.member, v) for v in values]
                for name, values in free.items()
            }
        return {name: _typed(model, member.value, values[0]) for name, values in free.items()}
    values = query.get(key)
    if values is None:
        return None
    if member.type_name == "list":
        return [_typed(model, member.member, value) for value in values]
    return _typed(model, member, values[0])


def _from_header(model: ServiceModel, member: Shape, text: str) -> Any:
    if member.type_name == "list":
        return [_typed(model, member.member, item) for item in _split_header_list(text)]
    if member.type_name == "string" and member.serialization.get("jsonvalue"):
        try:
            return orjson.loads(base64.b64decode(text, validate=True))
        except (binascii.Error, orjson.JSONDecodeError, ValueError):
            raise malformed(model, f"Header value is not base64-encoded JSON: {text}") from None
    return _typed(model, member, text)


def _split_header_list(text: str) -> list[str]:
    """A comma-separated header list; items with commas or quotes come double-quoted."""
    items: list[str] = []
    current: list[str] = []
    quoted = False
    position = 0
    while position < len(text):
        char = text[position]
        if quoted:
            if char == "\\" and position + 1 < len(text):
                position += 1
                current.append(text[position])
            elif char == '"':
                quoted = False
            else:
                current.append(char)
        elif char == '"':
            quoted = True
        elif char == ",":
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        position += 1
    items.append("".join(current).strip())
    return items


def _typed(model: ServiceModel, shape: Shape, text: str) -> Any:
    """A path, query or header string as the member's type (timestamps stay as sent)."""
    try:
        return scalars.parse(shape.type_name, text)
    except ValueError:
        raise malformed(model, f"Value '{text}' is not a valid {shape.type_name}") from None


# Response --------------------------------------------------------------------------------


def render(operation: OperationModel, result: dict[str, Any] | None, request_id: str) -> Response:
    """The HTTP response of a handler's result, placed where the output shape says."""
    status = int(operation.http.get("responseCode", 200))
    headers: list[tuple[bytes, bytes]] = []
    shape = operation.output_shape
    result = result or {}
    body = b""
    if shape is not None:
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            value = result.get(name)
            if location is None or value is None:
                continue
            key = member.serialization.get("name", name)
            if location == "statusCode":
                status = int(value)
            elif location == "header":
                headers.append((key.lower().encode(), _header_text(member, value).encode()))
            elif location == "headers":
                for suffix, text in value.items():
                    headers.append(((key + suffix).lower().encode(), str(text).encode()))
        body = _body(shape, result)
    if status in _NO_BODY_STATUSES:
        body = b""
    return status, _headers(headers, body, request_id, status), body


def _body(shape: Shape, result: dict[str, Any]) -> bytes:
    payload = shape.serialization.get("payload")
    if payload is None:
        if not any("location" not in m.serialization for m in shape.members.values()):
            return b""
        return orjson.dumps(_to_json(shape, result))
    member = shape.members[payload]
    value = result.get(payload)
    if member.type_name in ("blob", "string"):
        if value is None:
            return b""
        return value.encode() if isinstance(value, str) else bytes(value)
    return orjson.dumps(_to_json(member, value)) if value is not None else b"{}"


def _to_json(shape: Shape, value: Any) -> Any:
    """A handler's value as JSON-ready data: blobs base64, timestamps formatted, wire names."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type or not isinstance(value, dict):
            return value
        out = {}
        for name, member in shape.members.items():
            item = value.get(name)
            if item is not None and "location" not in member.serialization:
                out[member.serialization.get("name", name)] = _to_json(member, item)
        return out
    if kind == "list":
        return [_to_json(shape.member, item) for item in value]
    if kind == "map":
        return {key: _to_json(shape.value, item) for key, item in value.items()}
    if kind == "blob":
        return base64.b64encode(value).decode() if isinstance(value, bytes | bytearray) else value
    if kind == "timestamp":
        fmt = shape.serialization.get("timestampFormat", timestamps.EPOCH)
        return timestamps.formatted(value, fmt)
    if isinstance(value, decimal.Decimal):
        return int(value) if kind in ("integer", "long") else float(value)
    return value


def _header_text(shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "list":
        # Items are joined as they are: botocore splits a response header list on every comma.
        return ",".join(_header_text(shape.member, item) for item in value)
    if kind == "string" and shape.serialization.get("jsonvalue"):
        return base64.b64encode(orjson.dumps(value)).decode()
    return scalars.text(shape, value, timestamps.RFC822)


def _headers(
    extra: list[tuple[bytes, bytes]], body: bytes, request_id: str, status: int
) -> list[tuple[bytes, bytes]]:
    headers = [(b"x-amzn-requestid", request_id.encode())]
    if not any(name == b"content-type" for name, _ in extra):
        headers.append((b"content-type", CONTENT_TYPE))
    if status not in _NO_BODY_STATUSES:
        headers.append((b"content-length", str(len(body)).encode()))
    headers.extend(extra)
    return headers


# Errors ----------------------------------------------------------------------------------


def render_error(error: AWSError, model: ServiceModel | None, request_id: str) -> Response:
    """An AWSError as AWS's REST JSON services write it; `model` gives the key spellings.

    A SerializationException (a JSON value of the wrong type, as the validator reports it)
    becomes the service's own error for a request it cannot read.
    """
    if isinstance(error, SerializationException) and model is not None:
        error = malformed(model, error.message)
    shape = _error_shape(model, error.code) if model is not None else None
    members = shape.members if shape is not None else {}
    document: dict[str, Any] = {}
    if "Type" in members:
        document["Type"] = "User" if error.status < 500 else "Server"
    if error.message:
        key = next((name for name in members if name.lower() == "message"), error.message_key)
        document[key] = error.message
    document.update(error.fields)
    body = orjson.dumps(document)
    headers = _headers([], body, request_id, error.status)
    headers.append((b"x-amzn-errortype", error.code.encode()))
    return error.status, headers, body


def _error_shape(model: ServiceModel, code: str) -> Shape | None:
    shape = model.shape_for_error_code(code)
    if shape is None and code in _shape_names(model):
        shape = model.shape_for(code)
    return shape


@cache
def _shape_names(model: ServiceModel) -> frozenset[str]:
    return frozenset(model.shape_names)
