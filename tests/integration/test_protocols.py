"""The rest-json, query and JSON 1.1 protocols as real boto3 clients see them.

A server of this module's own serves test-only Service objects for the real models (lambda,
sesv2, iam, sts, ses, logs), so these tests pin the protocol layer whatever the rooms serve;
the session server answers a request that no route fits.
"""

from __future__ import annotations

import base64
import datetime
import http.client
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import boto3
import orjson
import pytest
from botocore.config import Config as BotocoreConfig
from botocore.exceptions import ClientError

from tidal.core.errors import AWSError
from tidal.core.service import Service
from tidal.server.runner import Server
from tidal.server.services import Directory
from tidal.testing.plugin import CREDENTIALS, client

LAMBDA = Service(model="lambda")
SES_V2 = Service(model="sesv2")
IAM = Service(model="iam")
STS = Service(model="sts")
SES = Service(model="ses")
LOGS = Service(model="logs", target_prefix="Logs_20140328")
SEEN: dict[str, Any] = {}
MOMENT = datetime.datetime(2026, 11, 26, 17, 40, 30, 123000, tzinfo=datetime.UTC)
AUTH = (
    "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=00"
)


class ResourceNotFoundException(AWSError):
    code = "ResourceNotFoundException"
    status = 404


class ResourceConflictException(AWSError):
    code = "ResourceConflictException"
    status = 409


class NoSuchEntity(AWSError):
    code = "NoSuchEntity"
    status = 404


class LogGroupMissing(AWSError):
    code = "ResourceNotFoundException"


@LAMBDA.operation("GetFunction")
def get_function(ctx, params):
    SEEN["GetFunction"] = params
    if params["FunctionName"] == "missing":
        raise ResourceNotFoundException(
            f"Function not found: arn:aws:lambda:{ctx.region}:{ctx.account}:function:missing"
        )
    return {"Configuration": {"FunctionName": params["FunctionName"], "MemorySize": 128}}


@LAMBDA.operation("CreateFunction")
def create_function(ctx, params):
    SEEN["CreateFunction"] = params
    if params["FunctionName"] == "taken":
        raise ResourceConflictException("Function already exist: taken")
    return {"FunctionName": params["FunctionName"], "Version": "$LATEST"}


@LAMBDA.operation("Invoke")
def invoke(ctx, params):
    SEEN["Invoke"] = params
    kind = params.get("InvocationType", "RequestResponse")
    if kind == "Event":
        return {"StatusCode": 202}
    if kind == "DryRun":
        return {"StatusCode": 204}
    return {
        "StatusCode": 200,
        "Payload": params.get("Payload", b"null"),
        "ExecutedVersion": "$LATEST",
        "FunctionError": "Unhandled",
        "LogResult": base64.b64encode(b"START\n").decode(),
    }


@LAMBDA.operation("ListEventSourceMappings")
def list_mappings(ctx, params):
    SEEN["ListEventSourceMappings"] = params
    return {"EventSourceMappings": [{"UUID": "u-1", "LastModified": MOMENT}]}


@LAMBDA.operation("DeleteFunction")
def delete_function(ctx, params):
    return {"StatusCode": 204}


@LAMBDA.operation("ListFunctions")
def list_functions(ctx, params):
    raise RuntimeError("a bug in a handler")


@SES_V2.operation("GetEmailIdentity")
def get_email_identity(ctx, params):
    SEEN["GetEmailIdentity"] = params
    return {"IdentityType": "EMAIL_ADDRESS", "VerifiedForSendingStatus": True}


@SES_V2.operation("ListEmailIdentities")
def list_email_identities(ctx, params):
    SEEN["ListEmailIdentities"] = params
    return {"EmailIdentities": [{"IdentityName": "a@example.com", "SendingEnabled": True}]}


@STS.operation("GetCallerIdentity")
def get_caller_identity(ctx, params):
    return {"Account": ctx.account, "Arn": f"arn:aws:iam::{ctx.account}:root", "UserId": "AIDA"}


@STS.operation("AssumeRole")
def assume_role(ctx, params):
    return {"Credentials": None}


@IAM.operation("GetRole")
def get_role(ctx, params):
    if params["RoleName"] == "missing":
        raise NoSuchEntity(f"The role with name {params['RoleName']} cannot be found.")
    return {
        "Role": {
            "Path": "/",
            "RoleName": params["RoleName"],
            "RoleId": "AROA1",
            "Arn": f"arn:aws:iam::{ctx.account}:role/{params['RoleName']}",
            "CreateDate": MOMENT,
            "Tags": [{"Key": "team", "Value": "tidal & <co>"}],
        }
    }


@SES.operation("SendEmail")
def send_email(ctx, params):
    SEEN["SendEmail"] = params
    return {"MessageId": "0102018f4b0d9abc-1111-000000"}


@SES.operation("VerifyEmailAddress")
def verify_email_address(ctx, params):
    return {}


@SES.operation("GetIdentityVerificationAttributes")
def verification_attributes(ctx, params):
    return {
        "VerificationAttributes": {
            identity: {"VerificationStatus": "Success"} for identity in params["Identities"]
        }
    }


@LOGS.operation("DescribeLogStreams")
def describe_log_streams(ctx, params):
    raise LogGroupMissing("The specified log group does not exist.")


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    server = Server()
    server.app.directory = Directory((LAMBDA, SES_V2, IAM, STS, SES, LOGS))
    with server:
        yield server


@pytest.fixture(autouse=True)
def _no_internal_errors_here(request: pytest.FixtureRequest) -> Iterator[None]:
    if "server" not in request.fixturenames:
        yield
        return
    server: Server = request.getfixturevalue("server")
    before = len(server.app.internal_errors)
    yield
    assert server.app.internal_errors[before:] == [], "the server answered 500"


@pytest.fixture(scope="module")
def endpoint(server: Server) -> str:
    return server.endpoint


def unchecked(service: str, endpoint: str):
    """A client that sends what it is given, once, so the server's own checks answer."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        config=BotocoreConfig(parameter_validation=False, retries={"total_max_attempts": 1}),
        **CREDENTIALS,
    )


def error_of(call, *args, **kwargs) -> tuple[ClientError, dict]:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value, caught.value.response


def raw(endpoint: str, method: str, path: str, body: bytes = b"", headers=None):
    url = urlparse(endpoint)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


# rest-json ------------------------------------------------------------------------------


def test_rest_json_path_label_is_decoded(endpoint):
    arn = "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST"
    result = client("lambda", endpoint).get_function(FunctionName=arn, Qualifier="1")
    assert result["Configuration"] == {"FunctionName": arn, "MemorySize": 128}
    assert SEEN["GetFunction"] == {"FunctionName": arn, "Qualifier": "1"}
    assert len(result["ResponseMetadata"]["RequestId"]) == 36


def test_create_function_answers_201_with_base64_zip(endpoint):
    result = client("lambda", endpoint).create_function(
        FunctionName="f1",
        Role="arn:aws:iam::000000000000:role/r",
        Runtime="python3.12",
        Handler="h.handler",
        Code={"ZipFile": b"PK\x03\x04zip"},
    )
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert result["FunctionName"] == "f1"
    assert SEEN["CreateFunction"]["Code"] == {
        "ZipFile": base64.b64encode(b"PK\x03\x04zip").decode()
    }


def test_modeled_error_raises_its_exception_class(endpoint):
    lam = client("lambda", endpoint)
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as caught:
        lam.get_function(FunctionName="missing")
    response = caught.value.response
    assert response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing",
    }
    assert response["Type"] == "User"
    assert response["Message"] == response["Error"]["Message"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(lam.exceptions.ResourceConflictException) as caught:
        lam.create_function(
            FunctionName="taken",
            Role="arn:aws:iam::000000000000:role/r",
            Code={"ZipFile": b"x"},
        )
    assert caught.value.response["message"] == "Function already exist: taken"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_rest_json_validation_error(endpoint):
    _, response = error_of(unchecked("lambda", endpoint).get_function, FunctionName="a b")
    assert response["Error"]["Code"] == "ValidationException"
    assert response["Error"]["Message"].startswith(
        "1 validation error detected: Value 'a b' at 'functionName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
    )
    assert "Type" not in response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_invoke_payload_is_raw_bytes_both_ways(endpoint):
    payload = b'{"name": "G\xc3\x9cNST HORN"}'
    result = client("lambda", endpoint).invoke(FunctionName="f", Payload=payload, LogType="Tail")
    assert SEEN["Invoke"] == {"FunctionName": "f", "Payload": payload, "LogType": "Tail"}
    assert result["StatusCode"] == 200
    assert result["Payload"].read() == payload
    assert result["ExecutedVersion"] == "$LATEST"
    assert result["FunctionError"] == "Unhandled"
    assert base64.b64decode(result["LogResult"]) == b"START\n"


@pytest.mark.parametrize(("kind", "status"), [("Event", 202), ("DryRun", 204)])
def test_invoke_status_comes_from_the_handler(endpoint, kind, status):
    result = client("lambda", endpoint).invoke(FunctionName="f", InvocationType=kind)
    assert result["StatusCode"] == status
    assert result["ResponseMetadata"]["HTTPStatusCode"] == status
    assert result["Payload"].read() == b""


def test_delete_function_204(endpoint):
    result = client("lambda", endpoint).delete_function(FunctionName="f")
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_query_string_members_are_typed(endpoint):
    result = client("lambda", endpoint).list_event_source_mappings(FunctionName="f", MaxItems=7)
    assert SEEN["ListEventSourceMappings"] == {"FunctionName": "f", "MaxItems": 7}
    assert result["EventSourceMappings"] == [{"UUID": "u-1", "LastModified": MOMENT}]


def test_sesv2_route(endpoint):
    result = client("sesv2", endpoint).get_email_identity(EmailIdentity="a+b@example.com")
    assert SEEN["GetEmailIdentity"] == {"EmailIdentity": "a+b@example.com"}
    assert result["VerifiedForSendingStatus"] is True


def test_sesv2_earlier_list_route(endpoint):
    current = client("sesv2", endpoint).list_email_identities(PageSize=5)
    assert SEEN["ListEmailIdentities"] == {"PageSize": 5}
    assert current["EmailIdentities"][0]["IdentityName"] == "a@example.com"
    status, _, body = raw(
        endpoint,
        "GET",
        "/v2/email/identities?NextToken=n1&PageSize=7",
        headers={"Authorization": AUTH.format(service="ses")},
    )
    assert status == 200
    assert SEEN["ListEmailIdentities"] == {"NextToken": "n1", "PageSize": 7}
    assert orjson.loads(body)["EmailIdentities"][0]["SendingEnabled"] is True


def test_unserved_operation_is_unknown_operation(endpoint):
    _, response = error_of(client("lambda", endpoint).get_function_url_config, FunctionName="f")
    assert response["Error"] == {
        "Code": "UnknownOperationException",
        "Message": "Tidal does not serve lambda:GetFunctionUrlConfig yet",
    }


def test_malformed_json_body(endpoint):
    status, headers, body = raw(
        endpoint,
        "POST",
        "/2015-03-31/functions",
        b"{not json",
        {"Authorization": AUTH.format(service="lambda")},
    )
    assert status == 400
    assert headers["x-amzn-errortype"] == "InvalidRequestContentException"
    assert orjson.loads(body)["message"].startswith("Could not parse request body into json")


# query -----------------------------------------------------------------------------------


def test_query_operation(endpoint):
    result = client("sts", endpoint, aws_access_key_id="111122223333", aws_secret_access_key="x")
    identity = result.get_caller_identity()
    assert identity["Account"] == "111122223333"
    assert identity["Arn"] == "arn:aws:iam::111122223333:root"
    assert identity["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "text/xml"


def test_query_nested_params_and_unicode(endpoint):
    result = client("ses", endpoint).send_email(
        Source="a@example.com",
        Destination={"ToAddresses": ["x@example.com", "y@example.com"]},
        Message={"Subject": {"Data": "GÜNST HORN & <co>"}, "Body": {"Text": {"Data": "hé"}}},
    )
    assert result["MessageId"] == "0102018f4b0d9abc-1111-000000"
    assert SEEN["SendEmail"] == {
        "Source": "a@example.com",
        "Destination": {"ToAddresses": ["x@example.com", "y@example.com"]},
        "Message": {"Subject": {"Data": "GÜNST HORN & <co>"}, "Body": {"Text": {"Data": "hé"}}},
    }


def test_query_response_without_result(endpoint):
    result = client("ses", endpoint).verify_email_address(EmailAddress="a@example.com")
    assert set(result) == {"ResponseMetadata"}


def test_query_map_and_timestamp_rendering(endpoint):
    ses = client("ses", endpoint)
    attributes = ses.get_identity_verification_attributes(Identities=["a@example.com", "b.org"])
    assert attributes["VerificationAttributes"] == {
        "a@example.com": {"VerificationStatus": "Success"},
        "b.org": {"VerificationStatus": "Success"},
    }
    role = client("iam", endpoint).get_role(RoleName="r1")["Role"]
    assert role["CreateDate"] == MOMENT
    assert role["Tags"] == [{"Key": "team", "Value": "tidal & <co>"}]


def test_query_modeled_error(endpoint):
    iam = client("iam", endpoint)
    with pytest.raises(iam.exceptions.NoSuchEntityException) as caught:
        iam.get_role(RoleName="missing")
    assert caught.value.response["Error"] == {
        "Type": "Sender",
        "Code": "NoSuchEntity",
        "Message": "The role with name missing cannot be found.",
    }
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_query_validation_error(endpoint):
    _, response = error_of(
        unchecked("sts", endpoint).assume_role, RoleArn="short", RoleSessionName="s1"
    )
    assert response["Error"] == {
        "Type": "Sender",
        "Code": "ValidationError",
        "Message": "1 validation error detected: Value 'short' at 'roleArn' failed to satisfy "
        "constraint: Member must have length greater than or equal to 20",
    }
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_query_unknown_action(endpoint):
    status, _, body = raw(
        endpoint,
        "POST",
        "/",
        b"Action=FlyToTheMoon&Version=2011-06-15",
        {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Authorization": AUTH.format(service="sts"),
        },
    )
    assert status == 400
    assert b"<Code>InvalidAction</Code>" in body
    assert b"Could not find operation FlyToTheMoon for version 2011-06-15" in body


def test_query_get_request(endpoint):
    status, headers, body = raw(
        endpoint,
        "GET",
        "/?Action=GetCallerIdentity&Version=2011-06-15",
        headers={"Authorization": AUTH.format(service="sts")},
    )
    assert status == 200
    assert headers["content-type"] == "text/xml"
    assert b"<Arn>arn:aws:iam::000000000000:root</Arn>" in body


# JSON 1.1 ---------------------------------------------------------------------------------


def test_logs_error_has_a_bare_type(endpoint):
    logs = client("logs", endpoint)
    with pytest.raises(logs.exceptions.ResourceNotFoundException) as caught:
        logs.describe_log_streams(logGroupName="nope")
    response = caught.value.response
    assert response["Error"]["Message"] == "The specified log group does not exist."
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-type"] == "application/x-amz-json-1.1"


# a bug in a handler ------------------------------------------------------------------------


def test_handler_bug_is_a_recorded_500(server, endpoint):
    before = len(server.app.internal_errors)
    _, response = error_of(unchecked("lambda", endpoint).list_functions)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert response["Error"]["Code"] == "InternalServerError"
    recorded = server.app.internal_errors[before:]
    assert len(recorded) == 1
    assert "a bug in a handler" in recorded[0]
    del server.app.internal_errors[before:]


# requests no handler serves ----------------------------------------------------------------


def test_unknown_route_is_404(tidal_endpoint):
    status, headers, body = raw(
        tidal_endpoint, "GET", "/2099-01-01/nothing", headers={"Authorization": AUTH}
    )
    assert status == 404
    assert headers["x-amzn-errortype"] == "UnknownOperationException"
    assert orjson.loads(body)["message"] == "Tidal serves no resource at GET /2099-01-01/nothing"


def test_missing_authentication_rest_json(endpoint):
    status, headers, body = raw(endpoint, "GET", "/2015-03-31/functions/f")
    assert status == 403
    assert headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert orjson.loads(body) == {"message": "Missing Authentication Token"}


def test_missing_authentication_query(endpoint):
    status, headers, body = raw(
        endpoint,
        "POST",
        "/",
        b"Action=GetCallerIdentity&Version=2011-06-15",
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    assert status == 403
    assert headers["content-type"] == "text/xml"
    assert body == (
        b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender'
        b"</Type><Code>MissingAuthenticationToken</Code><Message>Request is missing "
        b"Authentication Token</Message></Error><RequestId>"
        + headers["x-amzn-requestid"].encode()
        + b"</RequestId></ErrorResponse>"
    )
