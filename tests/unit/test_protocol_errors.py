"""Errors as each protocol renders them, read back by botocore's own response parsers."""

from __future__ import annotations

import orjson
import pytest
from botocore.parsers import create_parser
from urllib3 import HTTPHeaderDict

from tidal.core.errors import (
    AWSError,
    InternalServerError,
    SerializationException,
    ValidationException,
)
from tidal.server.protocols import json as json_protocol
from tidal.server.protocols import query, rest_json
from tidal.server.services import service_model

LAMBDA = service_model("lambda")
SESV2 = service_model("sesv2")


def error(code: str, status: int = 400, message: str = "it broke", **fields) -> AWSError:
    raised = AWSError(message, **fields)
    raised.code = code
    raised.status = status
    return raised


def parsed(protocol: str, response: tuple, shape=None) -> dict:
    status, headers, body = response
    header_dict = HTTPHeaderDict()
    for key, value in headers:
        header_dict.add(key.decode(), value.decode())
    return create_parser(protocol).parse(
        {"status_code": status, "headers": header_dict, "body": body}, shape
    )


# rest-json --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status", "key"),
    [
        ("ResourceNotFoundException", 404, "Message"),
        ("ResourceConflictException", 409, "message"),
        ("InvalidParameterValueException", 400, "message"),
        ("TooManyRequestsException", 429, "message"),
    ],
)
def test_lambda_error_spells_message_as_its_shape_does(code: str, status: int, key: str) -> None:
    response = rest_json.render_error(error(code, status, "Function not found: f"), LAMBDA, "r")
    assert response[0] == status
    assert (b"x-amzn-errortype", code.encode()) in response[1]
    assert orjson.loads(response[2]) == {"Type": "User", key: "Function not found: f"}
    result = parsed("rest-json", response)
    assert result["Error"] == {"Code": code, "Message": "Function not found: f"}
    assert result["ResponseMetadata"]["HTTPStatusCode"] == status
    modeled = parsed("rest-json", response, LAMBDA.shape_for(code))
    assert modeled["Type"] == "User"
    assert modeled[key] == "Function not found: f"


def test_lambda_server_fault_is_type_server() -> None:
    response = rest_json.render_error(error("ServiceException", 500, "boom"), LAMBDA, "r")
    assert orjson.loads(response[2]) == {"Type": "Server", "Message": "boom"}
    assert parsed("rest-json", response)["Error"]["Code"] == "ServiceException"


def test_validation_exception_has_no_type() -> None:
    message = "1 validation error detected: Value null at 'functionName' failed ..."
    response = rest_json.render_error(ValidationException(message), LAMBDA, "r")
    assert orjson.loads(response[2]) == {"message": message}
    assert parsed("rest-json", response)["Error"] == {
        "Code": "ValidationException",
        "Message": message,
    }


def test_wrong_json_type_is_the_services_unreadable_request_error() -> None:
    unreadable = SerializationException("STRING_VALUE cannot be converted to Integer")
    response = rest_json.render_error(unreadable, LAMBDA, "r")
    assert response[0] == 400
    assert orjson.loads(response[2]) == {
        "Type": "User",
        "message": "STRING_VALUE cannot be converted to Integer",
    }
    assert parsed("rest-json", response)["Error"]["Code"] == "InvalidRequestContentException"
    sesv2 = parsed("rest-json", rest_json.render_error(unreadable, SESV2, "r"))
    assert sesv2["Error"]["Code"] == "BadRequestException"


def test_sesv2_error_uses_lower_case_message() -> None:
    response = rest_json.render_error(error("NotFoundException", 404, "nope"), SESV2, "r")
    assert orjson.loads(response[2]) == {"message": "nope"}
    assert parsed("rest-json", response)["Error"] == {
        "Code": "NotFoundException",
        "Message": "nope",
    }


def test_error_fields_join_the_body() -> None:
    raised = error("TooManyRequestsException", 429, "slow down", Reason="ReservedFunction")
    body = orjson.loads(rest_json.render_error(raised, LAMBDA, "r")[2])
    assert body == {"Type": "User", "message": "slow down", "Reason": "ReservedFunction"}


def test_rest_error_carries_request_id() -> None:
    response = rest_json.render_error(error("ResourceNotFoundException", 404), LAMBDA, "rid-7")
    assert parsed("rest-json", response)["ResponseMetadata"]["RequestId"] == "rid-7"


# query -----------------------------------------------------------------------------------


def test_query_error_reads_as_code_message_and_type() -> None:
    message = 'The role with name <x> & "y" cannot be found: GÜNST HORN'
    response = query.render_error(error("NoSuchEntity", 404, message), "urn:iam", "rid-1")
    assert response[0] == 404
    assert (b"content-type", b"text/xml") in response[1]
    result = parsed("query", response)
    assert result["Error"] == {"Type": "Sender", "Code": "NoSuchEntity", "Message": message}
    assert result["ResponseMetadata"]["RequestId"] == "rid-1"


def test_query_server_fault_is_receiver() -> None:
    response = query.render_error(InternalServerError("Internal server error"), "urn:x", "r")
    assert response[0] == 500
    assert parsed("query", response)["Error"]["Type"] == "Receiver"


def test_query_validation_failure_is_validation_error() -> None:
    message = "1 validation error detected: Value 'x' at 'roleName' failed to satisfy constraint"
    response = query.render_error(ValidationException(message), "urn:x", "r")
    assert response[0] == 400
    assert parsed("query", response)["Error"]["Code"] == "ValidationError"
    assert parsed("query", response)["Error"]["Message"] == message


def test_query_unreadable_value_is_validation_error() -> None:
    unreadable = SerializationException("Invalid Base64 character: '!'")
    response = query.render_error(unreadable, "urn:x", "r")
    assert parsed("query", response)["Error"]["Code"] == "ValidationError"


def test_query_error_fields_are_elements_of_error() -> None:
    raised = error("AlreadyExists", 400, "Rule set exists", Name="rules")
    ses = service_model("ses")
    response = query.render_error(raised, "urn:ses", "r")
    assert parsed("query", response)["Error"]["Name"] == "rules"
    modeled = parsed("query", response, ses.shape_for_error_code("AlreadyExists"))
    assert modeled["Name"] == "rules"


# JSON ------------------------------------------------------------------------------------


def test_json_service_without_namespace_gives_a_bare_type() -> None:
    raised = error("ResourceNotFoundException", 400, "The specified log group does not exist.")
    kind = json_protocol.content_type("1.1")
    status, headers, body = json_protocol.render_error(raised, "", "r", False, kind)
    assert (b"content-type", b"application/x-amz-json-1.1") in headers
    assert orjson.loads(body) == {
        "__type": "ResourceNotFoundException",
        "message": "The specified log group does not exist.",
    }
    result = parsed("json", (status, headers, body))
    assert result["Error"]["Code"] == "ResourceNotFoundException"


def test_json_service_with_namespace_keeps_it() -> None:
    raised = error("ResourceNotFoundException")
    body = json_protocol.render_error(raised, "com.amazonaws.dynamodb.v20120810", "r", False)[2]
    assert orjson.loads(body)["__type"] == (
        "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
    )
