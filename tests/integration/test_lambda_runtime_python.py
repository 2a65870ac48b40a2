"""The python3.x runtime's bootstrap against a Runtime API: handlers, context, errors and logs
as AWS's Python runtime interface client produces them."""

from __future__ import annotations

import json
import re
import sys

import pytest

from tests.integration.lambda_runtime_support import Sandbox, write_code

RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
TEXT_LOG, TEXT_INFO, TEXT_WARNING, TEXT_ERROR = 0xA55A0003, 0xA55A000F, 0xA55A0013, 0xA55A0017
UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function "
    "change, or can be applied automatically. To determine if the runtime has been updated, "
    "check the runtime version in the INIT_START log entry. If this error correlates with a "
    "change in the runtime version, you may be able to mitigate this error by temporarily "
    "rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)

APP = """
import decimal
import logging
import os

logger = logging.getLogger()
calls = []


def echo(event, context):
    calls.append(event)
    return {"event": event, "calls": len(calls)}


def nothing(event, context):
    print("partial line without newline", end="")


def describe(event, context):
    return {
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "identity": [
            context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id
        ],
        "client_context": None if context.client_context is None else {
            "custom": context.client_context.custom,
            "env": context.client_context.env,
            "installation_id": context.client_context.client.installation_id,
        },
        "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        "telemetry_fd_hidden": "_LAMBDA_TELEMETRY_LOG_FD" not in os.environ,
    }


def numbers(event, context):
    return {"price": decimal.Decimal("12.50"), "big": decimal.Decimal("12345678901234567890.123"),
            "text": "crème brûlée"}


def raw(event, context):
    return b"\\x00raw bytes"


def unserialisable(event, context):
    return {1, 2}


def fail(event, context):
    raise ValueError("the event was refused")


def logs(event, context):
    logger.info("info is silent by default")
    logger.warning("careful: %s", event["what"])
    print("printed", event["what"])


def configured_logs(event, context):
    logger.setLevel(logging.INFO)
    logger.info("now info shows")


def uses_boto3(event, context):
    import boto3

    client = boto3.client("dynamodb")
    return {"endpoint": client.meta.endpoint_url, "region": client.meta.region_name}
"""
FAIL_LINE = APP.splitlines().index('    raise ValueError("the event was refused")') + 1


@pytest.fixture
def code(tmp_path):
    return write_code(tmp_path / "code", {"app.py": APP})


def sandbox(code_dir, handler, **options) -> Sandbox:
    return Sandbox(code_dir, options.pop("runtime", RUNTIME), handler, **options)


def test_the_handler_gets_the_json_event_and_its_result_is_the_response(code):
    with sandbox(code, "app.echo") as box:
        first = box.api.invoke({"n": 1, "s": "é"})
        second = box.api.invoke([1, 2])

        assert first.kind == "response" and first.headers["content-type"] == "application/json"
        assert first.body == b'{"event": {"n": 1, "s": "\\u00e9"}, "calls": 1}'
        assert second.json == {"event": [1, 2], "calls": 2}
        assert len(box.api.connections) == 1
        assert [request[:2] for request in box.api.requests[:3]] == [
            ("GET", "/2018-06-01/runtime/invocation/next"),
            (
                "POST",
                f"/2018-06-01/runtime/invocation/{box.api.requests[1][1].split('/')[4]}/response",
            ),
            ("GET", "/2018-06-01/runtime/invocation/next"),
        ]


def test_returning_none_responds_null_and_print_reaches_stdout_at_once(code):
    with sandbox(code, "app.nothing") as box:
        result = box.api.invoke({})

        assert result.body == b"null"
        assert box.wait_for_output("partial line without newline") == "partial line without newline"


def test_decimals_are_bare_numbers_and_bytes_are_sent_as_they_are(code):
    with sandbox(code, "app.numbers") as box:
        assert box.api.invoke({}).body == (
            b'{"price": 12.50, "big": 12345678901234567890.123, '
            b'"text": "cr\\u00e8me br\\u00fbl\\u00e9e"}'
        )
    with sandbox(code, "app.raw") as box:
        result = box.api.invoke({})
        assert (result.body, result.headers["content-type"]) == (
            b"\x00raw bytes",
            "application/unknown",
        )


def test_python312_answers_unescaped_unicode(code):
    with sandbox(code, "app.numbers", runtime="python3.12") as box:
        assert box.api.invoke({}).json["text"] == "crème brûlée"
        assert "crème brûlée".encode() in box.api.invoke({}).body


def test_the_context_carries_the_invocation_and_the_function(code):
    client_context = {
        "custom": {"k": "v"},
        "env": {"platform": "x"},
        "client": {"installation_id": "i-1"},
    }
    identity = {"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}
    with sandbox(code, "app.describe") as box:
        request_id = box.api.send(
            {},
            request_id="7f1e0c52-3d3e-4fa7-9f53-4d8f7e2c1a00",
            headers={
                "Lambda-Runtime-Client-Context": json.dumps(client_context),
                "Lambda-Runtime-Cognito-Identity": json.dumps(identity),
            },
        )
        described = box.api.result(request_id).json
        bare = box.api.invoke({}).json

    assert 0 < described.pop("remaining") <= 60_000
    assert described == {
        "aws_request_id": "7f1e0c52-3d3e-4fa7-9f53-4d8f7e2c1a00",
        "function_name": "fn",
        "function_version": "$LATEST",
        "invoked_function_arn": "arn:aws:lambda:eu-west-1:123456789012:function:fn",
        "memory_limit_in_mb": "256",
        "log_group_name": "/aws/lambda/fn",
        "log_stream_name": "2024/05/01/[$LATEST]0123456789abcdef0123456789abcdef",
        "identity": ["id-1", "pool-1"],
        "client_context": {
            "custom": {"k": "v"},
            "env": {"platform": "x"},
            "installation_id": "i-1",
        },
        "trace": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0",
        "telemetry_fd_hidden": True,
    }
    assert bare["identity"] == [None, None] and bare["client_context"] is None


def test_remaining_time_counts_down_to_the_deadline_and_stops_at_zero(code):
    with sandbox(code, "app.describe") as box:
        assert box.api.invoke({}, deadline_ms=1000).json["remaining"] == 0


def test_an_exception_fails_the_invocation_with_its_type_message_and_stack(code):
    with sandbox(code, "app.fail") as box:
        request_id = box.api.send({})
        result = box.api.result(request_id)
        messages = box.wait_for_messages(1)
        frame = box.frames()[0]

    assert result.kind == "error"
    assert result.json == {
        "errorMessage": "the event was refused",
        "errorType": "ValueError",
        "requestId": request_id,
        "stackTrace": [
            f'  File "{code / "app.py"}", line {FAIL_LINE}, in fail\n'
            '    raise ValueError("the event was refused")\n'
        ],
    }
    assert messages == [
        "[ERROR] ValueError: the event was refused\nTraceback (most recent call last):\n"
        f'\u00a0\u00a0File "{code / "app.py"}", line {FAIL_LINE}, in fail\n'
        '\u00a0\u00a0\u00a0\u00a0raise ValueError("the event was refused")'
    ]
    assert frame.kind == TEXT_ERROR


def test_an_unserialisable_result_is_a_marshal_error(code):
    with sandbox(code, "app.unserialisable") as box:
        request_id = box.api.send({})
        result = box.api.result(request_id)
        messages = box.wait_for_messages(1)

    assert result.json == {
        "errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
        "errorType": "Runtime.MarshalError",
        "requestId": request_id,
        "stackTrace": [],
    }
    assert messages == [
        "[ERROR] Runtime.MarshalError: Unable to marshal response: Object of type set is not "
        "JSON serializable\nTraceback (most recent call last):"
    ]


def test_an_event_that_is_not_json_is_an_unmarshal_error(code):
    with sandbox(code, "app.echo") as box:
        request_id = box.api.send(None, raw=b"{not json")
        result = box.api.result(request_id)

    assert result.json == {
        "errorMessage": "Unable to unmarshal input: Expecting property name enclosed in double "
        "quotes: line 1 column 2 (char 1)",
        "errorType": "Runtime.UnmarshalError",
        "requestId": request_id,
        "stackTrace": [],
    }


def test_logging_records_are_framed_with_level_time_and_request_id(code):
    with sandbox(code, "app.logs") as box:
        request_id = box.api.send({"what": "x"})
        box.api.result(request_id)
        messages = box.wait_for_messages(1)
        output = box.wait_for_output("printed x\n")

    assert len(messages) == 1
    assert re.fullmatch(rf"\[WARNING\]\t{TIME}\t{request_id}\tcareful: x\n", messages[0])
    assert box.frames()[0].kind == TEXT_LOG
    assert output == "printed x\n"


def test_info_records_show_once_the_function_lowers_the_level(code):
    with sandbox(code, "app.configured_logs") as box:
        request_id = box.api.send({})
        box.api.result(request_id)
        messages = box.wait_for_messages(1)

    assert re.fullmatch(rf"\[INFO\]\t{TIME}\t{request_id}\tnow info shows\n", messages[0])


def test_aws_lambda_log_level_sets_the_root_level_and_typed_frames(code):
    with sandbox(code, "app.logs", environment={"AWS_LAMBDA_LOG_LEVEL": "INFO"}) as box:
        request_id = box.api.send({"what": "y"})
        box.api.result(request_id)
        box.wait_for_messages(2)
        frames = box.frames()

    assert [frame.kind for frame in frames] == [TEXT_INFO, TEXT_WARNING]
    assert re.fullmatch(
        rf"\[INFO\]\t{TIME}\t{request_id}\tinfo is silent by default\n", frames[0].message
    )


def test_json_log_format_writes_records_and_errors_as_json(code):
    with sandbox(code, "app.logs", environment={"AWS_LAMBDA_LOG_FORMAT": "JSON"}) as box:
        request_id = box.api.send({"what": "z"})
        box.api.result(request_id)
        record = json.loads(box.wait_for_messages(1)[0])
    with sandbox(code, "app.fail", environment={"AWS_LAMBDA_LOG_FORMAT": "JSON"}) as box:
        failed_id = box.api.send({})
        box.api.result(failed_id)
        error = json.loads(box.wait_for_messages(1)[0])

    assert re.fullmatch(TIME, record.pop("timestamp"))
    assert record == {
        "level": "WARNING",
        "message": "careful: z",
        "logger": "root",
        "requestId": request_id,
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", error.pop("timestamp"))
    assert error.pop("stackTrace")[0].endswith('raise ValueError("the event was refused")\n')
    assert error == {
        "level": "ERROR",
        "errorMessage": "the event was refused",
        "errorType": "ValueError",
        "requestId": failed_id,
    }


def test_without_a_telemetry_descriptor_logs_go_to_stdout_one_line_each(code):
    with sandbox(code, "app.fail", telemetry=False) as box:
        box.api.invoke({})
        output = box.wait_for_output('refused")\n')

    assert output == (
        "[ERROR] ValueError: the event was refused\rTraceback (most recent call last):\r"
        f'\u00a0\u00a0File "{code / "app.py"}", line {FAIL_LINE}, in fail\r'
        '\u00a0\u00a0\u00a0\u00a0raise ValueError("the event was refused")\n'
    )


def test_boto3_is_importable_and_points_at_the_endpoint_tidal_sets(code):
    with sandbox(code, "app.uses_boto3") as box:
        assert box.api.invoke({}).json == {
            "endpoint": "http://127.0.0.1:4567",
            "region": "eu-west-1",
        }


def test_handlers_in_packages_and_layers_are_found(tmp_path):
    code = write_code(
        tmp_path / "code",
        {
            "pkg/__init__.py": "",
            "pkg/sub.py": "import shared, vendored\n"
            "def handler(e, c):\n    return [shared.WHERE, vendored.WHERE]\n",
            "shared.py": "WHERE = 'code'\n",
        },
    )
    first = write_code(
        tmp_path / "layer1",
        {"python/shared.py": "WHERE = 'layer1'\n", "python/vendored.py": "WHERE = 'layer1'\n"},
    )
    second = write_code(
        tmp_path / "layer2",
        {f"python/lib/{RUNTIME}/site-packages/vendored.py": "WHERE = 'layer2 site-packages'\n"},
    )
    for handler in ("pkg/sub.handler", "pkg.sub.handler"):
        with sandbox(code, handler, layers=(first, second)) as box:
            assert box.api.invoke({}).json == ["code", "layer2 site-packages"]


def test_modules_of_the_function_named_like_the_runtimes_do_not_replace_them(tmp_path):
    code = write_code(
        tmp_path / "code",
        {
            "json.py": "raise RuntimeError('the function shadows json')\n",
            "logging.py": "raise RuntimeError('the function shadows logging')\n",
            "app.py": "import json\ndef handler(e, c):\n    return json.dumps(e)\n",
        },
    )

    with sandbox(code, "app.handler") as box:
        assert box.api.invoke({"a": 1}).json == '{"a": 1}'


# Init errors: posted to /runtime/init/error, logged, and the process exits.


def init_failure(code_dir, handler):
    with sandbox(code_dir, handler) as box:
        posted = box.api.init_error()
        messages = box.wait_for_messages(2)
        status = box.wait_exit()
    assert status == 1
    assert posted.headers["lambda-runtime-function-error-type"] == posted.json["errorType"]
    assert re.fullmatch(rf"\[WARNING\]\t{TIME}\t\t{re.escape(UNHANDLED_WARNING)}\n", messages[0])
    return posted.json, messages[1]


def test_a_missing_module_is_an_import_module_error(code):
    body, logged = init_failure(code, "missing.handler")

    assert body == {
        "errorMessage": "Unable to import module 'missing': No module named 'missing'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    }
    assert logged == (
        "[ERROR] Runtime.ImportModuleError: Unable to import module 'missing': No module named "
        "'missing'\nTraceback (most recent call last):"
    )


def test_a_missing_function_is_handler_not_found(code):
    body, _ = init_failure(code, "app.nowhere")

    assert body == {
        "errorMessage": "Handler 'nowhere' missing on module 'app'",
        "errorType": "Runtime.HandlerNotFound",
        "requestId": "",
        "stackTrace": [],
    }


def test_a_handler_without_a_dot_is_malformed(code):
    body, _ = init_failure(code, "app")

    assert body == {
        "errorMessage": "Bad handler 'app': not enough values to unpack (expected 2, got 1)",
        "errorType": "Runtime.MalformedHandlerName",
        "requestId": "",
        "stackTrace": [],
    }


def test_a_syntax_error_is_a_user_code_syntax_error(tmp_path):
    code = write_code(tmp_path / "code", {"broken.py": "def handler(e, c)\n    return 1\n"})

    body, logged = init_failure(code, "broken.handler")

    assert body == {
        "errorMessage": "Syntax error in module 'broken': expected ':' (broken.py, line 1)",
        "errorType": "Runtime.UserCodeSyntaxError",
        "requestId": "",
        "stackTrace": [f'  File "{code / "broken.py"}" Line 1\n    def handler(e, c)\n'],
    }
    assert logged == (
        "[ERROR] Runtime.UserCodeSyntaxError: Syntax error in module 'broken': expected ':' "
        "(broken.py, line 1)\nTraceback (most recent call last):\n"
        f'\u00a0\u00a0File "{code / "broken.py"}" Line 1\n\u00a0\u00a0\u00a0\u00a0def handler(e, c)'
    )


def test_an_exception_at_import_time_fails_init_with_its_own_type(tmp_path):
    code = write_code(
        tmp_path / "code",
        {"boom.py": "import os\nraise RuntimeError('no settings')\ndef handler(e, c):\n    pass\n"},
    )

    body, _ = init_failure(code, "boom.handler")

    assert body["errorType"] == "RuntimeError"
    assert body["errorMessage"] == "no settings"
    assert body["requestId"] == ""
    assert body["stackTrace"][0].startswith('  File "')
    assert "importlib" in body["stackTrace"][0]
    assert body["stackTrace"][-1] == (
        f'  File "{code / "boom.py"}", line 2, in <module>\n'
        "    raise RuntimeError('no settings')\n"
    )


def test_a_module_importing_a_missing_package_is_an_import_module_error(tmp_path):
    code = write_code(tmp_path / "code", {"deps.py": "import not_installed_anywhere\n"})

    body, _ = init_failure(code, "deps.handler")

    assert body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"] == (
        "Unable to import module 'deps': No module named 'not_installed_anywhere'"
    )
