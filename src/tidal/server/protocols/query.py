"""AWS query protocol (IAM, STS, SES v1): form-encoded parameters in, XML out.

A request is `Action=<Op>&Version=<api version>&<params>` in a form body (or the query
string). Nested structures use dotted names (`Message.Body.Text.Data`), lists
`Name.member.N` (flattened lists `Name.N`), maps `Name.entry.N.key` / `.value`; the model's
`locationName`s rename any of these parts. Responses are
`<OpResponse xmlns=…><OpResult>…</OpResult><ResponseMetadata>…</ResponseMetadata></OpResponse>`
and errors `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import parse_qsl

from botocore.model import OperationModel, Shape

from tidal.core.errors import AWSError, SerializationException, ValidationException
from tidal.server.protocols import scalars, timestamps

CONTENT_TYPE = b"text/xml"
Response = tuple[int, list[tuple[bytes, bytes]], bytes]


class MissingAuthenticationToken(AWSError):
    code = "MissingAuthenticationToken"
    status = 403


class InvalidAction(AWSError):
    code = "InvalidAction"


class ValidationError(AWSError):
    """How query services name a broken model constraint or an unreadable value."""

    code = "ValidationError"


def parse_form(text: str) -> dict[str, str]:
    """A form (or query string) as one value per name; a name given twice keeps the last."""
    return dict(parse_qsl(text, keep_blank_values=True))


# Request ---------------------------------------------------------------------------------


class _Node:
    """One dotted name part: the value given for exactly this name, and the parts below it."""

    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.value: str | None = None


_ABSENT = object()


def parse_params(operation: OperationModel, form: dict[str, str]) -> dict[str, Any]:
    """The params a boto3 user passed, read from the form by the operation's input shape.

    `Action` and `Version` are not params; names the shape does not know are ignored.
    """
    shape = operation.input_shape
    if shape is None:
        return {}
    root = _Node()
    for key, value in form.items():
        if key in ("Action", "Version"):
            continue
        node = root
        for part in key.split("."):
            node = node.children.setdefault(part, _Node())
        node.value = value
    return _structure(shape, root, "")


def _structure(shape: Shape, node: _Node, path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        wire = member.serialization.get("name", name)
        if member.type_name == "list" and member.serialization.get("flattened"):
            wire = member.member.serialization.get("name", wire)
        child = node.children.get(wire)
        if child is None:
            continue
        segment = name[:1].lower() + name[1:]
        value = _value(member, child, f"{path}.{segment}" if path else segment)
        if value is not _ABSENT:
            out[name] = value
    return out


def _value(shape: Shape, node: _Node, path: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, node, path) if node.children else _ABSENT
    if kind == "list":
        items = node
        if not shape.serialization.get("flattened"):
            items = node.children.get(shape.member.serialization.get("name", "member"))
        if items is None or not items.children:
            return [] if node.value == "" else _ABSENT
        return [
            _value(shape.member, items.children[index], f"{path}.{index}.member")
            for index in _indexes(items)
        ]
    if kind == "map":
        entries = node if shape.serialization.get("flattened") else node.children.get("entry")
        if entries is None:
            return _ABSENT
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        out = {}
        for index in _indexes(entries):
            entry = entries.children[index]
            key = entry.children.get(key_name)
            if key is None or key.value is None:
                continue
            item = entry.children.get(value_name)
            value = _ABSENT if item is None else _value(shape.value, item, f"{path}.{key.value}")
            if value is not _ABSENT:
                out[key.value] = value
        return out
    if node.value is None:
        return _ABSENT
    return _scalar(shape, node.value, path)


def _indexes(node: _Node) -> list[str]:
    return sorted((part for part in node.children if part.isdigit()), key=int)


def _scalar(shape: Shape, text: str, path: str) -> Any:
    try:
        return scalars.parse(shape.type_name, text)
    except ValueError:
        raise _unreadable(text, path, f"Member must be of type {shape.type_name}") from None


def _unreadable(text: str, path: str, rule: str) -> ValidationError:
    return ValidationError(
        f"1 validation error detected: Value '{text}' at '{path}' failed to satisfy constraint: "
        f"{rule}"
    )


# Response --------------------------------------------------------------------------------


def render(operation: OperationModel, result: dict[str, Any] | None, request_id: str) -> Response:
    """`<OpResponse>` with the result wrapped as the model says, and the request id."""
    name = operation.name
    namespace = operation.service_model.metadata.get("xmlNamespace", "")
    parts = [f"<{name}Response{_xmlns(namespace)}>"]
    shape = operation.output_shape
    if shape is not None:
        inner: list[str] = []
        _structure_xml(shape, result or {}, inner)
        wrapper = shape.serialization.get("resultWrapper")
        if wrapper is None:
            parts.extend(inner)
        elif inner:
            parts.extend((f"<{wrapper}>", *inner, f"</{wrapper}>"))
        else:
            parts.append(f"<{wrapper}/>")
    parts.append(
        f"<ResponseMetadata><RequestId>{_escape(request_id)}</RequestId></ResponseMetadata>"
        f"</{name}Response>"
    )
    body = "".join(parts).encode()
    return 200, _headers(body, request_id), body


def _structure_xml(shape: Shape, value: dict[str, Any], out: list[str]) -> None:
    for name, member in shape.members.items():
        item = value.get(name)
        if item is None:
            continue
        wire = member.serialization.get("name", name)
        if member.type_name == "list" and member.serialization.get("flattened"):
            element = member.member.serialization.get("name", wire)
            for entry in item:
                _element(member.member, element, entry, out)
        elif member.type_name == "map" and member.serialization.get("flattened"):
            for key, entry in item.items():
                out.append(f"<{wire}>")
                _map_entry(member, key, entry, out)
                out.append(f"</{wire}>")
        else:
            _element(member, wire, item, out)


def _element(shape: Shape, name: str, value: Any, out: list[str]) -> None:
    kind = shape.type_name
    out.append(f"<{name}>")
    if kind == "structure":
        _structure_xml(shape, value, out)
    elif kind == "list":
        element = shape.member.serialization.get("name", "member")
        for item in value:
            _element(shape.member, element, item, out)
    elif kind == "map":
        for key, item in value.items():
            out.append("<entry>")
            _map_entry(shape, key, item, out)
            out.append("</entry>")
    else:
        out.append(_escape(_scalar_text(shape, value)))
    out.append(f"</{name}>")


def _map_entry(shape: Shape, key: Any, value: Any, out: list[str]) -> None:
    _element(shape.key, shape.key.serialization.get("name", "key"), key, out)
    _element(shape.value, shape.value.serialization.get("name", "value"), value, out)


def _scalar_text(shape: Shape, value: Any) -> str:
    if shape.type_name in ("double", "float") and not isinstance(value, str):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return repr(number)
    return scalars.text(shape, value, timestamps.ISO8601)


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;"})


def _escape(text: str) -> str:
    return text.translate(_ESCAPES)


def _xmlns(namespace: str) -> str:
    if not namespace:
        return ""
    return f' xmlns="{_escape(namespace).replace(chr(34), "&quot;")}"'


# Errors ----------------------------------------------------------------------------------


def render_error(error: AWSError, namespace: str, request_id: str) -> Response:
    """An AWSError as an `<ErrorResponse>`; a broken model constraint or an unreadable value
    (the validator's ValidationException and SerializationException) is a ValidationError."""
    invalid = isinstance(error, ValidationException | SerializationException)
    code = ValidationError.code if invalid else error.code
    kind = "Sender" if error.status < 500 else "Receiver"
    parts = [
        f"<ErrorResponse{_xmlns(namespace)}><Error><Type>{kind}</Type>",
        f"<Code>{_escape(code)}</Code>",
    ]
    if error.message:
        parts.append(f"<Message>{_escape(error.message)}</Message>")
    for name, value in error.fields.items():
        parts.append(f"<{name}>{_escape(_field_text(value))}</{name}>")
    parts.append(f"</Error><RequestId>{_escape(request_id)}</RequestId></ErrorResponse>")
    body = "".join(parts).encode()
    return error.status, _headers(body, request_id), body


def _field_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _headers(body: bytes, request_id: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-amzn-requestid", request_id.encode()),
        (b"content-type", CONTENT_TYPE),
        (b"content-length", str(len(body)).encode()),
    ]
