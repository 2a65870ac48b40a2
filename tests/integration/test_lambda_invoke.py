"""Invoke through boto3 with Python handlers: RequestResponse, DryRun, Tail, qualifiers, the
context object, payload checks and calls the handler makes back to Tidal."""

from __future__ import annotations

import base64
import json
import re

from tests.integration import lambda_invoke_support as support
from tests.integration.lambda_control_support import error_of
from tests.integration.lambda_invoke_support import function, invoke_json, unique, zipped
from tidal.awslambda import environments
from tidal.testing.plugin import client

lam, role = support.lam, support.role  # fixtures

ECHO = """
import os

def handler(event, context):
    print("got", event)
    return {"event": event, "pid": os.getpid()}

def nothing(event, context):
    pass

def fail(event, context):
    raise ValueError("no good: " + str(event.get("why")))
"""

CONTEXT = """
def handler(event, context):
    client = context.client_context
    return {
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "custom": client.custom if client else None,
    }
"""


def test_request_response_returns_the_result(lam, role):
    name = function(lam, role, ECHO)
    response, payload = invoke_json(lam, name, {"a": 1})
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert "LogResult" not in response
    assert payload["event"] == {"a": 1}
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amz-executed-version"] == "$LATEST"


def test_a_handler_returning_none_gives_null_and_no_payload_gives_an_empty_event(lam, role):
    name = function(lam, role, ECHO, handler="app.nothing")
    response = lam.invoke(FunctionName=name)
    assert response["StatusCode"] == 200
    assert response["Payload"].read() == b"null"
    echo = function(lam, role, ECHO)
    assert json.loads(lam.invoke(FunctionName=echo)["Payload"].read())["event"] == {}


def test_a_warm_environment_is_reused(lam, role):
    name = function(lam, role, ECHO)
    first = invoke_json(lam, name)[1]["pid"]
    second = invoke_json(lam, name)[1]["pid"]
    assert first == second


def test_changes_that_do_not_reach_the_process_keep_it_warm(lam, role):
    name = function(lam, role, ECHO)
    warm = invoke_json(lam, name)[1]["pid"]
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"team": "tidal"})
    lam.add_permission(
        FunctionName=name,
        StatementId="s1",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
    )
    assert invoke_json(lam, name)[1]["pid"] == warm
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"STAGE": "1"}})
    lam.get_waiter("function_updated_v2").wait(FunctionName=name)
    assert invoke_json(lam, name)[1]["pid"] != warm


def test_a_function_error_is_200_with_function_error_unhandled(lam, role):
    name = function(lam, role, ECHO, handler="app.fail")
    response, payload = invoke_json(lam, name, {"why": "test"})
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "ValueError"
    assert payload["errorMessage"] == "no good: test"
    assert payload["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert "raise ValueError" in payload["stackTrace"][0]


def test_tail_gives_the_last_4kb_of_the_invocation_log(lam, role):
    name = function(lam, role, ECHO)
    response = lam.invoke(FunctionName=name, Payload=b'{"k": "v"}', LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    text = base64.b64decode(response["LogResult"]).decode()
    lines = text.split("\n")
    assert lines[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert lines[1] == "got {'k': 'v'}"
    assert lines[2] == f"END RequestId: {request_id}"
    assert re.fullmatch(
        rf"REPORT RequestId: {request_id}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
        r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t",
        lines[3],
    )
    big = function(lam, role, "def handler(event, context):\n    print('x' * 10000)\n")
    response = lam.invoke(FunctionName=big, LogType="Tail")
    tail = base64.b64decode(response["LogResult"])
    assert len(tail) == 4096
    assert tail.decode().endswith("\t\n")


def test_dry_run_checks_the_function_and_runs_nothing(lam, role):
    name = function(lam, role, ECHO, handler="app.fail")
    response = lam.invoke(FunctionName=name, InvocationType="DryRun")
    assert response["StatusCode"] == 204
    assert response["Payload"].read() == b""
    code, message, status = error_of(
        lam.invoke, FunctionName="nope-" + name, InvocationType="DryRun"
    )
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert (
        message == f"Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope-{name}"
    )


def test_a_missing_function_or_qualifier(lam, role):
    code, message, status = error_of(lam.invoke, FunctionName="no-such-function")
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message.startswith("Function not found: arn:aws:lambda:us-east-1:000000000000:function:")
    name = function(lam, role, ECHO)
    code, message, status = error_of(lam.invoke, FunctionName=name, Qualifier="7")
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message.endswith(f":function:{name}:7")


def test_qualifiers_select_the_version_that_runs(lam, role):
    name = function(lam, role, "def handler(event, context):\n    return 'one'\n")
    lam.publish_version(FunctionName=name)
    lam.update_function_code(
        FunctionName=name, ZipFile=zipped({"app.py": "def handler(e, c):\n    return 'two'\n"})
    )
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    cases = [
        ({}, "two", "$LATEST"),
        ({"Qualifier": "$LATEST"}, "two", "$LATEST"),
        ({"Qualifier": "1"}, "one", "1"),
        ({"Qualifier": "live"}, "one", "1"),
    ]
    for extra, result, version in cases:
        response, payload = invoke_json(lam, name, **extra)
        assert (payload, response["ExecutedVersion"]) == (result, version), extra
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    response, payload = invoke_json(lam, f"{arn}:live")
    assert (payload, response["ExecutedVersion"]) == ("one", "1")


def test_the_context_object(lam, role):
    name = function(lam, role, CONTEXT, Timeout=7, MemorySize=256)
    custom = base64.b64encode(json.dumps({"custom": {"tenant": "t1"}}).encode()).decode()
    response, payload = invoke_json(lam, name, ClientContext=custom)
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    assert payload["aws_request_id"] == response["ResponseMetadata"]["RequestId"]
    assert payload["function_name"] == name
    assert payload["function_version"] == "$LATEST"
    assert payload["invoked_function_arn"] == arn
    assert str(payload["memory_limit_in_mb"]) == "256"
    assert payload["log_group_name"] == f"/aws/lambda/{name}"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", payload["log_stream_name"])
    assert 6000 < payload["remaining"] <= 7000
    assert payload["custom"] == {"tenant": "t1"}
    lam.publish_version(FunctionName=name)
    payload = invoke_json(lam, name, Qualifier="1")[1]
    assert payload["function_version"] == "1"
    assert payload["invoked_function_arn"] == f"{arn}:1"
    assert "/[1]" in payload["log_stream_name"]


def test_payload_checks(lam, role):
    name = function(lam, role, ECHO)
    code, message, status = error_of(lam.invoke, FunctionName=name, Payload=b"x" * 6291457)
    assert (code, status) == ("RequestEntityTooLargeException", 413)
    assert message == "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    code, message, status = error_of(lam.invoke, FunctionName=name, Payload=b"not json")
    assert (code, status) == ("InvalidRequestContentException", 400)
    assert message.startswith(
        "Could not parse request body into json: Could not parse payload into json: "
        "Unrecognized token 'not'"
    )
    code, message, status = error_of(
        lam.invoke, FunctionName=name, Payload=b"{}", ClientContext="not base64 json!"
    )
    assert (code, message, status) == (
        "InvalidRequestContentException",
        "Client context must be a valid Base64-encoded JSON object.",
        400,
    )


def test_a_response_larger_than_6_mb(lam, role):
    name = function(lam, role, "def handler(event, context):\n    return 'x' * 7000000\n")
    response, payload = invoke_json(lam, name)
    assert response["FunctionError"] == "Unhandled"
    assert payload == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size "
        "(6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }


def test_a_handler_calls_dynamodb_with_no_endpoint_argument(lam, role, tidal_endpoint):
    table = unique("tbl")
    dynamodb = client("dynamodb", tidal_endpoint)
    dynamodb.create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    code = (
        "import boto3\n"
        "def handler(event, context):\n"
        "    boto3.client('dynamodb').put_item(\n"
        "        TableName=event['table'], Item={'pk': {'S': context.aws_request_id}})\n"
        "    return 'stored'\n"
    )
    name = function(lam, role, code, Timeout=30)
    response, payload = invoke_json(lam, name, {"table": table})
    assert payload == "stored", payload
    request_id = response["ResponseMetadata"]["RequestId"]
    item = dynamodb.get_item(TableName=table, Key={"pk": {"S": request_id}})
    assert item["Item"] == {"pk": {"S": request_id}}


def test_a_handler_in_another_account_writes_to_its_own_account(role, tidal_endpoint):
    account = "123456789012"
    credentials = {"aws_access_key_id": account, "aws_secret_access_key": "x"}
    lam = client("lambda", tidal_endpoint, **credentials)
    iam = client("iam", tidal_endpoint, **credentials)
    own_role = iam.create_role(
        RoleName=unique("role"),
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    code = (
        "import boto3\n"
        "def handler(event, context):\n"
        "    return boto3.client('sts').get_caller_identity()['Account']\n"
    )
    name = function(lam, own_role, code, Timeout=30)
    assert invoke_json(lam, name)[1] == account


def test_an_edit_to_a_hot_reload_folder_reaches_the_next_invoke(lam, role, tmp_path, monkeypatch):
    monkeypatch.setattr(environments.HOT_RELOAD_FOLDERS, "max_age", 0.0)
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 'first'\n")
    name = unique("hot")
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"S3Bucket": "hot-reload", "S3Key": str(tmp_path)},
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    assert invoke_json(lam, name)[1] == "first"
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 'edited!'\n")
    assert invoke_json(lam, name)[1] == "edited!"
