"""Edges of the rest-json and query protocols: routing, unreadable input, odd values."""

from __future__ import annotations

import datetime
import decimal

import botocore.session
import orjson
import pytest
from botocore.parsers import create_parser
from urllib3 import HTTPHeaderDict

from tidal.core.errors import AWSError, SerializationException, ValidationException
from tidal.core.service import Service
from tidal.server import services
from tidal.server.protocols import query, rest_json
from tidal.server.protocols.routes import Match, RouteTable
from tidal.server.validation import validator_for

SESSION = botocore.session.get_session()
LAMBDA = SESSION.get_service_model("lambda")
SESV2 = SESSION.get_service_model("sesv2")
IAM = SESSION.get_service_model("iam")
SES = SESSION.get_service_model("ses")
LAMBDA_ROUTES = RouteTable(LAMBDA)
MOMENT = datetime.datetime(2026, 11, 26, 17, 40, 30, 123000, tzinfo=datetime.UTC)


def parse(model, response, shape):
    status, headers, body = response
    header_dict = HTTPHeaderDict()
    for key, value in headers:
        header_dict.add(key.decode(), value.decode())
    return create_parser(model.protocol).parse(
        {"status_code": status, "headers": header_dict, "body": body}, shape
    )


# Routes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "query_string", "expected"),
    [
        ("GET", "/2015-03-31/functions/", {}, ("ListFunctions", {})),
        ("GET", "/2015-03-31/functions", {}, ("ListFunctions", {})),
        ("POST", "/2015-03-31/functions", {}, ("CreateFunction", {})),
        (
            "GET",
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af"
            "%3A%24LATEST",
            {},
            (
                "GetFunction",
                {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST"},
            ),
        ),
        (
            "GET",
            "/2015-03-31/functions/f/configuration",
            {},
            ("GetFunctionConfiguration", {"FunctionName": "f"}),
        ),
        ("GET", "/2018-10-31/layers", {"find": ["LayerVersion"]}, ("GetLayerVersionByArn", {})),
        ("GET", "/2018-10-31/layers", {}, ("ListLayers", {})),
        ("GET", "/2018-10-31/layers", {"find": ["Other"]}, ("ListLayers", {})),
    ],
)
def test_lambda_routes(method, path, query_string, expected):
    assert LAMBDA_ROUTES.match(method, path, query_string) == Match(*expected)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/2015-03-31/nothing"),
        ("PATCH", "/2015-03-31/functions/f"),
        ("GET", "/2015-03-31/functions/f/unknown/deeper"),
        ("GET", "/"),
    ],
)
def test_no_route(method, path):
    assert LAMBDA_ROUTES.match(method, path, {}) is None


def test_encoded_slash_stays_inside_its_label():
    routes = RouteTable(SESV2)
    found = routes.match("GET", "/v2/email/identities/a%2Fb%40example.com", {})
    assert found == Match("GetEmailIdentity", {"EmailIdentity": "a/b@example.com"})
    found = routes.match("GET", "/v2/email/identities/a%40example.com/policies", {})
    assert found == Match("GetEmailIdentityPolicies", {"EmailIdentity": "a@example.com"})


def test_earlier_sesv2_routes_still_serve():
    routes = RouteTable(SESV2)
    query_string = {"PageSize": ["5"], "NextToken": ["t"]}
    found = routes.match("GET", "/v2/email/identities", query_string)
    assert found == Match("ListEmailIdentities", {}, body_in_query=True)
    operation = SESV2.operation_model("ListEmailIdentities")
    params = rest_json.parse_request(operation, {}, query_string, {}, b"", found.body_in_query)
    assert params == {"PageSize": 5, "NextToken": "t"}
    assert routes.match("POST", "/v2/email/list-identities", {}) == Match("ListEmailIdentities", {})
    assert routes.match("GET", "/v2/email/configuration-sets", {}).operation == (
        "ListConfigurationSets"
    )
    assert routes.match("PUT", "/v1/email/identities/a%40b.c/dkim/signing", {}) == Match(
        "PutEmailIdentityDkimSigningAttributes", {"EmailIdentity": "a@b.c"}
    )


# rest-json requests -----------------------------------------------------------------------


def _parse_lambda(name, labels=None, query_string=None, headers=None, body=b""):
    operation = LAMBDA.operation_model(name)
    return rest_json.parse_request(operation, labels or {}, query_string or {}, headers or {}, body)


def test_malformed_json_is_lambdas_invalid_request_content():
    with pytest.raises(AWSError) as raised:
        _parse_lambda("CreateFunction", body=b'{"FunctionName": ')
    assert raised.value.code == "InvalidRequestContentException"
    assert raised.value.status == 400
    assert raised.value.message.startswith("Could not parse request body into json: ")


def test_malformed_json_is_sesv2_bad_request():
    operation = SESV2.operation_model("SendEmail")
    with pytest.raises(AWSError) as raised:
        rest_json.parse_request(operation, {}, {}, {}, b"[1,")
    assert raised.value.code == "BadRequestException"


def test_json_body_that_is_not_an_object():
    with pytest.raises(AWSError) as raised:
        _parse_lambda("CreateFunction", body=b"[1, 2]")
    assert raised.value.code == "InvalidRequestContentException"


def test_empty_body_is_no_members():
    assert _parse_lambda("PublishVersion", {"FunctionName": "f"}) == {"FunctionName": "f"}
    assert _parse_lambda("Invoke", {"FunctionName": "f"}) == {"FunctionName": "f"}


def test_bad_typed_query_value():
    with pytest.raises(AWSError) as raised:
        _parse_lambda("ListFunctions", query_string={"MaxItems": ["ten"]})
    assert raised.value.code == "InvalidRequestContentException"
    assert raised.value.message == "Value 'ten' is not a valid integer"


def test_typed_path_label():
    params = _parse_lambda("GetLayerVersion", {"LayerName": "l", "VersionNumber": "12"})
    assert params == {"LayerName": "l", "VersionNumber": 12}


def test_raw_payload_and_headers():
    params = _parse_lambda(
        "Invoke",
        {"FunctionName": "f"},
        {"Qualifier": ["live"]},
        {"x-amz-invocation-type": "Event", "x-amz-client-context": "eyJhIjoxfQ=="},
        b"\x00not json",
    )
    assert params == {
        "FunctionName": "f",
        "Qualifier": "live",
        "InvocationType": "Event",
        "ClientContext": "eyJhIjoxfQ==",
        "Payload": b"\x00not json",
    }


# rest-json responses ----------------------------------------------------------------------


def test_default_status_is_the_models_response_code():
    operation = LAMBDA.operation_model("CreateFunction")
    status, headers, body = rest_json.render(operation, {"FunctionName": "f"}, "rid")
    assert status == 201
    assert (b"content-type", b"application/json") in headers
    assert (b"content-length", str(len(body)).encode()) in headers
    assert orjson.loads(body) == {"FunctionName": "f"}


def test_status_code_member_and_204_have_no_body():
    operation = LAMBDA.operation_model("Invoke")
    status, headers, body = rest_json.render(operation, {"StatusCode": 204}, "rid")
    assert (status, body) == (204, b"")
    assert not any(name == b"content-length" for name, _ in headers)


def test_invoke_without_payload_is_an_empty_body():
    operation = LAMBDA.operation_model("Invoke")
    assert rest_json.render(operation, {"StatusCode": 202}, "rid")[2] == b""


def test_members_outside_the_output_shape_are_dropped():
    operation = LAMBDA.operation_model("GetAlias")
    body = rest_json.render(operation, {"Name": "live", "internal": 1}, "rid")[2]
    assert orjson.loads(body) == {"Name": "live"}


def test_body_values_blobs_timestamps_and_decimals():
    operation = LAMBDA.operation_model("GetEventSourceMapping")
    result = {
        "UUID": "u",
        "LastModified": MOMENT,
        "BatchSize": decimal.Decimal(10),
        "FilterCriteria": {"Filters": [{"Pattern": "{}"}]},
    }
    body = orjson.loads(rest_json.render(operation, result, "rid")[2])
    assert body["LastModified"] == MOMENT.timestamp()
    assert body["BatchSize"] == 10
    parsed = parse(LAMBDA, rest_json.render(operation, result, "rid"), operation.output_shape)
    assert parsed["LastModified"] == MOMENT
    epoch = orjson.loads(rest_json.render(operation, {"LastModified": 1795714830}, "rid")[2])
    assert epoch["LastModified"] == 1795714830


def test_handler_str_timestamp_passes_as_it_is():
    operation = LAMBDA.operation_model("GetEventSourceMapping")
    body = rest_json.render(operation, {"LastModified": "2026-11-26T17:40:30Z"}, "rid")[2]
    assert orjson.loads(body) == {"LastModified": "2026-11-26T17:40:30Z"}


def test_unknown_route_error_is_404():
    error = rest_json.UnknownOperation("Tidal serves no resource at GET /x")
    status, headers, body = rest_json.render_error(error, None, "rid")
    assert status == 404
    assert (b"x-amzn-errortype", b"UnknownOperationException") in headers
    assert orjson.loads(body) == {"message": "Tidal serves no resource at GET /x"}


# query requests ---------------------------------------------------------------------------


def test_empty_list_is_sent_as_an_empty_value():
    operation = SES.operation_model("SendEmail")
    form = query.parse_form("Action=SendEmail&Version=2010-12-01&Destination.ToAddresses=")
    assert query.parse_params(operation, form) == {"Destination": {"ToAddresses": []}}


def test_unknown_names_and_action_version_are_dropped():
    operation = IAM.operation_model("GetRole")
    form = query.parse_form("Action=GetRole&Version=2010-05-08&RoleName=r&Bogus=1&RoleName.x=2")
    assert query.parse_params(operation, form) == {"RoleName": "r"}


def test_list_indexes_order_numerically():
    operation = SES.operation_model("GetIdentityVerificationAttributes")
    pairs = [f"Identities.member.{index}=id{index}" for index in (10, 2, 1, 11, 3)]
    form = query.parse_form("&".join(pairs))
    assert query.parse_params(operation, form) == {
        "Identities": ["id1", "id2", "id3", "id10", "id11"]
    }


def test_typed_values_and_their_errors():
    operation = IAM.operation_model("ListRoles")
    form = query.parse_form("PathPrefix=%2F&MaxItems=20")
    assert query.parse_params(operation, form) == {"PathPrefix": "/", "MaxItems": 20}
    with pytest.raises(AWSError) as raised:
        query.parse_params(operation, query.parse_form("MaxItems=twenty"))
    assert raised.value.code == "ValidationError"
    assert raised.value.message == (
        "1 validation error detected: Value 'twenty' at 'maxItems' failed to satisfy "
        "constraint: Member must be of type integer"
    )


def test_percent_encoded_utf8():
    operation = SES.operation_model("SendEmail")
    form = query.parse_form("Message.Subject.Data=G%C3%9CNST+HORN&Source=a%40b.c")
    assert query.parse_params(operation, form) == {
        "Message": {"Subject": {"Data": "GÜNST HORN"}},
        "Source": "a@b.c",
    }


# query responses --------------------------------------------------------------------------


def test_no_output_shape_has_no_result_element():
    operation = SES.operation_model("VerifyEmailAddress")
    status, _, body = query.render(operation, {}, "rid-1")
    assert status == 200
    assert body == (
        b'<VerifyEmailAddressResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">'
        b"<ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>"
        b"</VerifyEmailAddressResponse>"
    )


def test_empty_output_is_an_empty_result_element():
    operation = SES.operation_model("VerifyEmailIdentity")
    body = query.render(operation, {}, "rid-1")[2]
    assert b"<VerifyEmailIdentityResult/>" in body
    parsed = parse(SES, query.render(operation, {}, "r"), operation.output_shape)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "r"
    assert parsed == {}


def test_text_survives_xml():
    operation = IAM.operation_model("GetRole")
    description = "line\r\nnext & <tag> \"q\" 'a' GÜNST HORN \U0001f600"
    result = {
        "Role": {
            "Path": "/",
            "RoleName": "r",
            "RoleId": "AROA",
            "Arn": "arn:aws:iam::1:role/r",
            "CreateDate": MOMENT,
            "Description": description,
        }
    }
    response = query.render(operation, result, "rid")
    assert b"<CreateDate>2026-11-26T17:40:30.123Z</CreateDate>" in response[2]
    parsed = parse(IAM, response, operation.output_shape)
    assert parsed["Role"]["Description"] == description
    assert parsed["Role"]["CreateDate"] == MOMENT


def test_doubles_and_booleans():
    operation = SES.operation_model("GetSendQuota")
    result = {"Max24HourSend": 200.0, "MaxSendRate": 1, "SentLast24Hours": decimal.Decimal(3)}
    body = query.render(operation, result, "rid")[2]
    assert b"<Max24HourSend>200.0</Max24HourSend><MaxSendRate>1.0</MaxSendRate>" in body
    assert b"<SentLast24Hours>3.0</SentLast24Hours>" in body
    enabled = SES.operation_model("GetAccountSendingEnabled")
    assert b"<Enabled>false</Enabled>" in query.render(enabled, {"Enabled": False}, "r")[2]


# validation of raw payloads ---------------------------------------------------------------


def test_payload_bytes_pass_validation():
    validator_for(LAMBDA, "Invoke")({"FunctionName": "f", "Payload": b"\x00\x01"})


def test_payload_bytes_are_measured_by_length():
    model = botocore.model.ServiceModel(
        {
            "metadata": {
                "apiVersion": "2020-01-01",
                "endpointPrefix": "blobby",
                "protocol": "rest-json",
            },
            "operations": {
                "Put": {
                    "name": "Put",
                    "http": {"method": "POST", "requestUri": "/"},
                    "input": {"shape": "PutInput"},
                }
            },
            "shapes": {
                "PutInput": {
                    "type": "structure",
                    "payload": "Body",
                    "members": {"Body": {"shape": "Small"}},
                },
                "Small": {"type": "blob", "max": 3},
            },
        },
        service_name="blobby",
    )
    validator_for(model, "Put")({"Body": b"abc"})
    with pytest.raises(ValidationException) as raised:
        validator_for(model, "Put")({"Body": b"abcd"})
    assert raised.value.message == (
        "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=4 cap=4]' at "
        "'body' failed to satisfy constraint: Member must have length less than or equal to 3"
    )
    with pytest.raises(SerializationException):
        validator_for(model, "Put")({"Body": 12})


def test_body_keys_outside_the_body_members_are_not_params():
    params = _parse_lambda(
        "GetFunction",
        {"FunctionName": "f"},
        body=b'{"FunctionName": "other", "Qualifier": "x", "Extra": 1}',
    )
    assert params == {"FunctionName": "f"}
    created = _parse_lambda("CreateFunction", body=b'{"FunctionName": "f", "Description": null}')
    assert created == {"FunctionName": "f"}


# Which service a request names --------------------------------------------------------------


def _rest_model(signing_name: str) -> botocore.model.ServiceModel:
    return botocore.model.ServiceModel(
        {
            "metadata": {
                "apiVersion": "2020-01-01",
                "endpointPrefix": signing_name,
                "signingName": signing_name,
                "protocol": "rest-json",
            },
            "operations": {
                "GetThing": {"name": "GetThing", "http": {"method": "GET", "requestUri": "/t/{Id}"}}
            },
            "shapes": {},
        },
        service_name=signing_name,
    )


def test_shared_route_goes_to_the_service_signed_for(monkeypatch):
    models = {"first": _rest_model("alpha"), "second": _rest_model("beta")}
    monkeypatch.setattr(services, "service_model", models.__getitem__)
    first, second = Service(model="first"), Service(model="second")
    directory = services.Directory((first, second))
    thing = Match("GetThing", {"Id": "x"})
    assert directory.rest("GET", "/t/x", {}, "beta") == (second, thing)
    assert directory.rest("GET", "/t/x", {}, "alpha") == (first, thing)
    assert directory.rest("GET", "/t/x", {}, None) == (first, thing)
    assert directory.rest("GET", "/u/x", {}, "beta") is None


def test_query_service_by_signing_name_endpoint_prefix_or_action():
    iam, sts, ses = Service(model="iam"), Service(model="sts"), Service(model="ses")
    directory = services.Directory((iam, sts, ses))
    assert directory.query("sts", "GetCallerIdentity") is sts
    assert directory.query("ses", "SendEmail") is ses
    assert directory.query("email", "SendEmail") is ses
    assert directory.query("iam", "GetCallerIdentity") is iam
    assert directory.query(None, "GetCallerIdentity") is sts
    assert directory.query("dynamodb", "ListRoles") is iam
    assert directory.query(None, "FlyToTheMoon") is None
