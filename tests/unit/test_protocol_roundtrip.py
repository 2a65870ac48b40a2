"""Every operation of Lambda, SES v2, IAM, STS and SES, round-tripped through botocore itself.

Requests: sample params built from the input shape are serialized by botocore's own
serializer and prepared as the client would send them; Tidal's parser must give the same
params back (blobs come back as base64 text, except a REST payload blob, which stays bytes;
timestamps come back as sent, so both sides compare as datetimes).
Responses: a sample result built from the output shape is rendered by Tidal and parsed by
botocore's own parser; the parsed result must equal the handler's result.
Two small synthetic models add what those five services never use: flattened lists and maps,
`locationName`s everywhere, query-string maps, header lists, `jsonvalue` headers, header
timestamps and explicit `timestampFormat`s.
"""

from __future__ import annotations

import base64
import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import botocore.session
import pytest
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from botocore.utils import parse_timestamp
from urllib3 import HTTPHeaderDict

from tidal.server.protocols import query, rest_json
from tidal.server.protocols.routes import RouteTable

SESSION = botocore.session.get_session()
SERVICES = ("lambda", "sesv2", "iam", "sts", "ses")
SCALARS = {
    "Text": {"type": "string"},
    "Count": {"type": "integer"},
    "Big": {"type": "long"},
    "Flag": {"type": "boolean"},
    "Ratio": {"type": "double"},
    "When": {"type": "timestamp"},
    "Data": {"type": "blob"},
    "Texts": {"type": "list", "member": {"shape": "Text"}},
}
QUERY_MEMBERS = {
    "Flat": {"shape": "FlatList", "locationName": "Item"},
    "FlatPlain": {"shape": "FlatPlainList"},
    "Named": {"shape": "NamedList"},
    "FlatMap": {"shape": "FlatMap"},
    "Plain": {"shape": "PlainMap", "locationName": "Mapped"},
    "Renamed": {"shape": "Text", "locationName": "OtherName"},
    "Count": {"shape": "Count"},
    "Big": {"shape": "Big"},
    "Flag": {"shape": "Flag"},
    "Ratio": {"shape": "Ratio"},
    "When": {"shape": "When"},
    "Epoch": {"shape": "EpochWhen"},
    "Data": {"shape": "Data"},
    "Nested": {"shape": "Nested"},
}
QUERY_MODEL = ServiceModel(
    {
        "metadata": {
            "apiVersion": "2020-01-01",
            "endpointPrefix": "synthq",
            "protocol": "query",
            "xmlNamespace": "urn:synthetic:query",
        },
        "operations": {
            "Exchange": {
                "name": "Exchange",
                "http": {"method": "POST", "requestUri": "/"},
                "input": {"shape": "QueryShape"},
                "output": {"shape": "QueryShape", "resultWrapper": "ExchangeResult"},
            }
        },
        "shapes": {
            **SCALARS,
            "EpochWhen": {"type": "timestamp", "timestampFormat": "unixTimestamp"},
            "QueryShape": {"type": "structure", "members": QUERY_MEMBERS},
            "Nested": {"type": "structure", "members": {"Inner": {"shape": "NamedList"}}},
            "FlatList": {
                "type": "list",
                "member": {"shape": "Nested", "locationName": "Entry"},
                "flattened": True,
            },
            "FlatPlainList": {"type": "list", "member": {"shape": "Text"}, "flattened": True},
            "NamedList": {"type": "list", "member": {"shape": "Count", "locationName": "Number"}},
            "FlatMap": {
                "type": "map",
                "key": {"shape": "Text", "locationName": "Name"},
                "value": {"shape": "Texts", "locationName": "Val"},
                "flattened": True,
            },
            "PlainMap": {"type": "map", "key": {"shape": "Text"}, "value": {"shape": "Nested"}},
        },
    },
    service_name="synthq",
)
REST_MODEL = ServiceModel(
    {
        "metadata": {
            "apiVersion": "2020-01-01",
            "endpointPrefix": "synthr",
            "protocol": "rest-json",
        },
        "operations": {
            "PutThing": {
                "name": "PutThing",
                "http": {"method": "POST", "requestUri": "/things/{Id}/{Rest+}?mode=full"},
                "input": {"shape": "PutThingInput"},
                "output": {"shape": "PutThingOutput"},
            },
            "GetThing": {
                "name": "GetThing",
                "http": {"method": "GET", "requestUri": "/things/{Id}"},
                "input": {"shape": "GetThingInput"},
                "output": {"shape": "GetThingOutput"},
            },
        },
        "shapes": {
            **SCALARS,
            "Json": {"type": "string", "jsonvalue": True},
            "Headers": {"type": "map", "key": {"shape": "Text"}, "value": {"shape": "Text"}},
            "QueryMap": {"type": "map", "key": {"shape": "Text"}, "value": {"shape": "Texts"}},
            "IsoWhen": {"type": "timestamp", "timestampFormat": "iso8601"},
            "Body": {
                "type": "structure",
                "members": {
                    "WireRenamed": {"shape": "Text", "locationName": "wireName"},
                    "When": {"shape": "When"},
                    "Iso": {"shape": "IsoWhen"},
                    "Data": {"shape": "Data"},
                    "Ratio": {"shape": "Ratio"},
                },
            },
            "PutThingInput": {
                "type": "structure",
                "required": ["Id", "Rest"],
                "payload": "Body",
                "members": {
                    "Id": {"shape": "Text", "location": "uri", "locationName": "Id"},
                    "Rest": {"shape": "Text", "location": "uri", "locationName": "Rest"},
                    "Body": {"shape": "Body"},
                    "Meta": {"shape": "Headers", "location": "headers", "locationName": "x-meta-"},
                    "Extra": {"shape": "QueryMap", "location": "querystring"},
                    "Labels": {"shape": "Texts", "location": "header", "locationName": "X-Labels"},
                    "Doc": {"shape": "Json", "location": "header", "locationName": "X-Doc"},
                    "Since": {"shape": "When", "location": "header", "locationName": "X-Since"},
                    "Flag": {"shape": "Flag", "location": "header", "locationName": "X-Flag"},
                    "Big": {"shape": "Big", "location": "querystring", "locationName": "big"},
                },
            },
            "PutThingOutput": {
                "type": "structure",
                "payload": "Body",
                "members": {
                    "Body": {"shape": "Body"},
                    "Status": {"shape": "Count", "location": "statusCode"},
                    "Since": {"shape": "When", "location": "header", "locationName": "X-Since"},
                    "Labels": {"shape": "Texts", "location": "header", "locationName": "X-Labels"},
                    "Doc": {"shape": "Json", "location": "header", "locationName": "X-Doc"},
                    "Flag": {"shape": "Flag", "location": "header", "locationName": "X-Flag"},
                    "Meta": {"shape": "Headers", "location": "headers", "locationName": "x-meta-"},
                },
            },
            "GetThingInput": {
                "type": "structure",
                "required": ["Id"],
                "members": {
                    "Id": {"shape": "Text", "location": "uri", "locationName": "Id"},
                    "Texts": {"shape": "Texts", "location": "querystring", "locationName": "t"},
                    "Flag": {"shape": "Flag", "location": "querystring", "locationName": "flag"},
                    "Ratio": {"shape": "Ratio", "location": "querystring", "locationName": "r"},
                    "When": {"shape": "When", "location": "querystring", "locationName": "at"},
                },
            },
            "GetThingOutput": {
                "type": "structure",
                "members": {
                    "WireRenamed": {"shape": "Text", "locationName": "wireName"},
                    "Items": {"shape": "Bodies"},
                    "Iso": {"shape": "IsoWhen"},
                },
            },
            "Bodies": {"type": "list", "member": {"shape": "Body"}},
        },
    },
    service_name="synthr",
)
MODELS = {name: SESSION.get_service_model(name) for name in SERVICES}
MODELS.update(synthq=QUERY_MODEL, synthr=REST_MODEL)
ROUTES = {name: RouteTable(m) for name, m in MODELS.items() if m.protocol == "rest-json"}
MOMENT = datetime.datetime(2026, 11, 26, 17, 40, 30, 123000, tzinfo=datetime.UTC)
OPERATIONS = [
    pytest.param(service, operation, id=f"{service}.{operation}")
    for service, model in MODELS.items()
    for operation in model.operation_names
]


# Samples --------------------------------------------------------------------------------


class Sampler:
    """Valid sample values for shapes: every member set, lists of two, recursion cut short.

    `location` is where a value travels (uri labels, headers and query strings have their
    own limits on what survives the trip). In a response, header list items hold no comma:
    botocore splits response header lists on every comma.
    """

    def __init__(self, response: bool) -> None:
        self.response = response

    def value(self, shape: Shape, location: str | None = None, depth: int = 0) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self.structure(shape, depth)
        if kind == "list":
            count = 1 if shape.metadata.get("max") == 1 else 2
            return [self.value(shape.member, location, depth + 1) for _ in range(count)]
        if kind == "map":
            keys = self.keys(shape.key, location)
            return {key: self.value(shape.value, location, depth + 1) for key in keys}
        return self.scalar(shape, location)

    def structure(self, shape: Shape, depth: int) -> dict[str, Any] | None:
        if shape.is_document_type:
            return {"document": [1, "two", {"three": True}]}
        members = {
            name: member
            for name, member in shape.members.items()
            if not member.serialization.get("eventstream")
            and (depth < 4 or name in shape.required_members)
        }
        if shape.is_tagged_union:
            members = dict(list(members.items())[:1])
        out = {}
        for name, member in members.items():
            location = member.serialization.get("location")
            if location == "statusCode":
                out[name] = 200
            elif location == "headers":
                out[name] = {"alpha": "one", "beta": "two"}
            else:
                out[name] = self.value(member, location, depth + 1)
        return out

    def keys(self, shape: Shape, location: str | None) -> list[str]:
        enum = shape.metadata.get("enum")
        if enum:
            return list(enum[:2])
        return [self.text(shape, location, "key1"), self.text(shape, location, "key2")]

    def scalar(self, shape: Shape, location: str | None) -> Any:
        kind = shape.type_name
        if kind == "string":
            enum = shape.metadata.get("enum")
            if enum:
                return enum[-1]
            if shape.serialization.get("jsonvalue"):
                return {"json": ["value", 1]}
            return self.text(shape, location, "v")
        if kind in ("integer", "long"):
            low = shape.metadata.get("min", 3)
            high = shape.metadata.get("max", low + 5)
            return int(min(max(low, 3), high))
        if kind in ("double", "float"):
            return max(float(shape.metadata.get("min", 1.5)), 1.5)
        if kind == "boolean":
            return True
        if kind == "timestamp":
            return MOMENT.replace(microsecond=0) if location == "header" else MOMENT
        if kind == "blob":
            return b"\x00\xffblob\n"
        raise AssertionError(f"no sample for {kind}")

    def text(self, shape: Shape, location: str | None, stem: str) -> str:
        """A string with characters each location must carry: `:` `$` `/` `@` spaces, UTF-8."""
        if location in ("header", "headers"):
            quoted = '"quoted" text' if self.response else '"quoted, text"'
            text = f"{stem}-Header:$@ {quoted}"
        else:
            text = f"{stem}:$LATEST/é ü@x&y=z+1 <GÜNST HORN>"
        minimum = shape.metadata.get("min", 0)
        return text + "x" * max(0, int(minimum) - len(text))


REQUEST = Sampler(response=False)
RESPONSE = Sampler(response=True)


# Comparison -----------------------------------------------------------------------------


def canonical(shape: Shape, value: Any) -> Any:
    """One form for both sides: blobs as bytes, timestamps as UTC datetimes to the millisecond,
    empty structures and maps left out (the query protocol cannot send them)."""
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure":
        if shape.is_document_type:
            return value
        out = {}
        for name, member in shape.members.items():
            if name in value:
                item = canonical(member, value[name])
                if item not in ({}, None):
                    out[name] = item
        return out
    if kind == "list":
        return [canonical(shape.member, item) for item in value]
    if kind == "map":
        return {key: canonical(shape.value, item) for key, item in value.items()} or None
    if kind == "blob":
        if hasattr(value, "read"):
            value = value.read()
        return value if isinstance(value, bytes) else base64.b64decode(value)
    if kind == "timestamp":
        moment = value if isinstance(value, datetime.datetime) else parse_timestamp(value)
        moment = moment.astimezone(datetime.UTC)
        return moment.replace(microsecond=round(moment.microsecond / 1000) * 1000)
    return value


def _request_parts(service: str, operation: OperationModel, params: dict) -> tuple:
    serializer = create_serializer(MODELS[service].protocol)
    request = serializer.serialize_to_request(params, operation)
    prepare_request_dict(request, "http://127.0.0.1:1")
    request["context"] = {}
    prepared = create_request_object(request).prepare()
    url = urlsplit(prepared.url)
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    headers = {name.lower(): value for name, value in prepared.headers.items()}
    return prepared.method, url.path, url.query, headers, body


@pytest.mark.parametrize(("service", "name"), OPERATIONS)
def test_request_parses_to_the_params_sent(service: str, name: str) -> None:
    operation = MODELS[service].operation_model(name)
    shape = operation.input_shape
    params = REQUEST.structure(shape, 0) if shape is not None else {}
    method, path, query_string, headers, body = _request_parts(service, operation, params)
    if MODELS[service].protocol == "query":
        assert method == "POST"
        form = query.parse_form(body.decode())
        assert form["Action"] == name
        parsed = query.parse_params(operation, form)
    else:
        query_params = parse_qs(query_string, keep_blank_values=True)
        matched = ROUTES[service].match(method, path, query_params)
        assert matched is not None, f"no route for {method} {path}?{query_string}"
        assert matched[0] == name
        parsed = rest_json.parse_request(operation, matched[1], query_params, headers, body)
    if shape is None:
        assert parsed == {}
        return
    payload = shape.serialization.get("payload")
    if payload and shape.members[payload].type_name == "blob":
        assert isinstance(parsed[payload], bytes)
    assert canonical(shape, parsed) == canonical(shape, params)


def _parse_response(service: str, operation: OperationModel, response: tuple) -> dict:
    status, headers, body = response
    shape = operation.output_shape
    header_dict = HTTPHeaderDict()
    for key, value in headers:
        header_dict.add(key.decode(), value.decode())
    streaming = shape is not None and operation.has_streaming_output
    parser = create_parser(MODELS[service].protocol)
    parsed = parser.parse(
        {"status_code": status, "headers": header_dict, "body": b"" if streaming else body},
        shape,
    )
    parsed.pop("ResponseMetadata")
    if streaming:
        parsed[shape.serialization["payload"]] = body
    return parsed


@pytest.mark.parametrize(("service", "name"), OPERATIONS)
def test_response_renders_to_what_botocore_parses(service: str, name: str) -> None:
    operation = MODELS[service].operation_model(name)
    shape = operation.output_shape
    if shape is not None and shape.serialization.get("payload"):
        payload = shape.members[shape.serialization["payload"]]
        if payload.serialization.get("eventstream"):
            pytest.skip("event streams are not rendered")
    result = RESPONSE.structure(shape, 0) if shape is not None else {}
    if MODELS[service].protocol == "query":
        response = query.render(operation, result, "rid-1")
    else:
        response = rest_json.render(operation, result, "rid-1")
    assert response[0] == 200 or response[0] == operation.http.get("responseCode")
    parsed = _parse_response(service, operation, response)
    if shape is None:
        assert parsed == {}
        return
    assert canonical(shape, parsed) == canonical(shape, result)
