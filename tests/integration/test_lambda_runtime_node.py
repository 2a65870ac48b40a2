"""The nodejs* runtimes' bootstrap against a Runtime API: handler styles, context, console
lines and errors as AWS's Node.js runtime interface client produces them, and the older
runtimes' ways (lazy loading, lines without a level) that the Osones walkthrough shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.integration.lambda_runtime_support import Sandbox, write_code
from tidal.awslambda import runtimes

TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
BOOTSTRAP = str(runtimes.NODE_BOOTSTRAP)
INFO, WARN, ERROR = 0xA55A000F, 0xA55A0013, 0xA55A0017

SEED = """console.log('=== Début ===');

exports.handler = function(event, context) {
    event.Records.forEach(function(record) {
        console.log(record.eventID);
        console.log(record.eventName);
        console.log('DynamoDB Record: %j', record.dynamodb);
    });
    context.succeed("== Fin ==");
};
"""
SEED_EVENT = {
    "Records": [
        {
            "eventID": "a701e6bd4ec41f8454f6d6e5f309836a",
            "eventName": "INSERT",
            "dynamodb": {
                "Keys": {"email": {"S": "alexis.gunst@osones.com"}},
                "NewImage": {
                    "nom": {"S": "GÜNST HORN"},
                    "prenom": {"S": "Alexis"},
                    "email": {"S": "alexis.gunst@osones.com"},
                },
                "SequenceNumber": "1300000000003218571175",
                "SizeBytes": 82,
                "StreamViewType": "NEW_IMAGE",
            },
        }
    ]
}

HANDLERS = """
console.log('loading');
let calls = 0;

exports.asyncEcho = async (event, context) => ({ event, calls: ++calls });
exports.asyncNothing = async () => {};
exports.callbackStyle = (event, context, callback) => callback(null, { via: 'callback' });
exports.callbackError = (event, context, callback) => callback(new TypeError('bad input'));
exports.succeed = (event, context) => context.succeed({ via: 'succeed' });
exports.failString = (event, context) => context.fail('it went wrong');
exports.failNothing = (event, context) => context.fail();
exports.doneError = (event, context) => context.done(new Error('done badly'));
exports.doneResult = (event, context) => context.done(null, 'done well');
exports.throws = (event) => { throw new RangeError('out of range'); };
exports.rejects = async () => { throw new Error('rejected'); };
exports.returnsPlainValue = () => 42;
exports.neverAnswers = () => { setTimeout(() => {}, 50); };
exports.neverSettles = async () => new Promise(() => {});
exports.waits = (event, context, callback) => {
  const state = { value: 'early' };
  setTimeout(() => { state.value = 'late'; }, 300);
  callback(null, state);
};
exports.doesNotWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  const state = { value: 'early' };
  setTimeout(() => { state.value = 'late'; }, 60000);
  callback(null, state);
};
exports.context = async (event, context) => ({
  awsRequestId: context.awsRequestId,
  functionName: context.functionName,
  functionVersion: context.functionVersion,
  invokedFunctionArn: context.invokedFunctionArn,
  memoryLimitInMB: context.memoryLimitInMB,
  logGroupName: context.logGroupName,
  logStreamName: context.logStreamName,
  identity: context.identity,
  clientContext: context.clientContext,
  remaining: context.getRemainingTimeInMillis(),
  waits: context.callbackWaitsForEmptyEventLoop,
  trace: process.env._X_AMZN_TRACE_ID,
  telemetryFdHidden: !('_LAMBDA_TELEMETRY_LOG_FD' in process.env),
});
exports.logs = async () => {
  console.log('line one\\nline two', { a: 1 });
  console.info('%s=%d', 'n', 5);
  console.warn('warned');
  console.error('failed');
  console.debug('debugging');
  console.trace('tracing');
  console.fatal('fatal');
};
exports.unhandledRejection = async () => {
  Promise.reject(new Error('nobody catches me'));
  return 'answered';
};
exports.uncaught = (event, context, callback) => {
  setTimeout(() => { throw new SyntaxError('thrown later'); }, 0);
};
exports.nested = { deeper: { handler: async () => 'nested' } };
exports.notAFunction = 'just a string';
"""


@pytest.fixture(scope="module")
def code(tmp_path_factory):
    return write_code(
        tmp_path_factory.mktemp("node") / "code",
        {"index.js": HANDLERS, "envoi_email.js": SEED},
    )


def sandbox(code_dir: Path, handler: str, runtime: str = "nodejs20.x", **options) -> Sandbox:
    return Sandbox(code_dir, runtime, handler, **options)


def invoke(code_dir: Path, handler: str, event=None, runtime: str = "nodejs20.x", **options):
    with sandbox(code_dir, handler, runtime, **options) as box:
        return box.api.invoke({} if event is None else event)


# Handler styles


def test_an_async_handler_answers_with_what_it_returns_and_keeps_its_state(code):
    with sandbox(code, "index.asyncEcho") as box:
        first = box.api.invoke({"n": 1})
        second = box.api.invoke({"n": 2})

        assert first.kind == "response" and first.json == {"event": {"n": 1}, "calls": 1}
        assert second.json == {"event": {"n": 2}, "calls": 2}
        assert len(box.api.connections) == 1
        assert box.api.requests[1][2]["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("handler", "body"),
    [
        ("index.asyncNothing", b"null"),
        ("index.callbackStyle", b'{"via":"callback"}'),
        ("index.succeed", b'{"via":"succeed"}'),
        ("index.doneResult", b'"done well"'),
        ("index.returnsPlainValue", b"null"),
        ("index.neverAnswers", b"null"),
        ("index.nested.deeper.handler", b'"nested"'),
    ],
)
def test_each_handler_style_answers_as_on_aws(code, handler, body):
    result = invoke(code, handler)

    assert (result.kind, result.body) == ("response", body)


@pytest.mark.parametrize(
    ("handler", "error_type", "message", "trace_start"),
    [
        ("index.callbackError", "TypeError", "bad input", "TypeError: bad input"),
        ("index.throws", "RangeError", "out of range", "RangeError: out of range"),
        ("index.rejects", "Error", "rejected", "Error: rejected"),
        ("index.doneError", "Error", "done badly", "Error: done badly"),
        ("index.failString", "string", "it went wrong", None),
        ("index.failNothing", "string", "handled", None),
    ],
)
def test_each_way_of_failing_posts_type_message_and_trace(
    code, handler, error_type, message, trace_start
):
    with sandbox(code, handler) as box:
        request_id = box.api.send({})
        result = box.api.result(request_id)
        logged = box.wait_for_messages(2)[1]

    assert result.kind == "error"
    body = result.json
    assert list(body) == ["errorType", "errorMessage", "trace"]
    assert (body["errorType"], body["errorMessage"]) == (error_type, message)
    if trace_start is None:
        assert body["trace"] == []
    else:
        assert body["trace"][0] == trace_start
        assert body["trace"][1].startswith("    at ")
    prefix, formatted = logged.split("Invoke Error \t")
    assert re.fullmatch(rf"{TIME}\t{request_id}\tERROR\t", prefix)
    assert formatted.endswith("\n")
    logged_error = json.loads(formatted)
    if trace_start is None:
        assert logged_error == {
            "errorType": "Error",
            "errorMessage": message,
            "stack": logged_error["stack"],
        }
        assert logged_error["stack"][0] == f"Error: {message}"
    else:
        assert (logged_error["errorType"], logged_error["errorMessage"]) == (error_type, message)
        assert logged_error["stack"] == body["trace"]


def test_a_callback_waits_for_the_event_loop_to_empty_by_default(code):
    assert invoke(code, "index.waits").json == {"value": "late"}


def test_a_callback_answers_at_once_when_the_function_says_not_to_wait(code):
    assert invoke(code, "index.doesNotWait").json == {"value": "early"}


def test_an_async_handler_that_never_settles_fails_from_nodejs18(code):
    with sandbox(code, "index.neverSettles") as box:
        request_id = box.api.send({})
        result = box.api.result(request_id)
        logged = box.wait_for_messages(2)[1]

    assert result.json["errorType"] == "Runtime.NodeJsExit"
    assert result.json["errorMessage"] == (
        "The Lambda runtime client detected an unexpected Node.js exit code. This is most "
        "commonly caused by a Promise that was never settled. For more information, see "
        "https://nodejs.org/docs/latest/api/process.html#exit-codes"
    )
    assert re.match(rf"{TIME}\t{request_id}\tERROR\tInvoke Error \t\{{", logged)
    assert invoke(code, "index.neverSettles", runtime="nodejs16.x").body == b"null"


def test_an_unhandled_rejection_fails_the_invocation_and_ends_the_process(code):
    with sandbox(code, "index.unhandledRejection") as box:
        request_id = box.api.send({})
        first = box.api.result(request_id)
        status = box.wait_exit()
        messages = box.messages()

    assert (first.kind, first.body) == ("response", b'"answered"')
    assert status == 128
    logged = next(message for message in messages if "Unhandled Promise Rejection" in message)
    prefix, formatted = logged.split("Unhandled Promise Rejection \t")
    assert re.fullmatch(rf"{TIME}\t{request_id}\tERROR\t", prefix)
    error = json.loads(formatted)
    assert error["errorType"] == "Runtime.UnhandledPromiseRejection"
    assert error["errorMessage"] == "Error: nobody catches me"
    assert error["reason"]["errorType"] == "Error"
    assert error["reason"]["errorMessage"] == "nobody catches me"
    assert error["promise"] == {}


def test_an_uncaught_exception_fails_the_invocation_and_ends_the_process(code):
    with sandbox(code, "index.uncaught") as box:
        request_id = box.api.send({})
        result = box.api.result(request_id)
        status = box.wait_exit()
        messages = box.messages()

    assert result.kind == "error"
    assert (result.json["errorType"], result.json["errorMessage"]) == (
        "SyntaxError",
        "thrown later",
    )
    assert status == 129
    assert any(
        re.match(rf"{TIME}\t{request_id}\tERROR\tUncaught Exception \t\{{", message)
        for message in messages
    )


# Context


def test_the_context_carries_the_invocation_and_the_function(code):
    client_context = {
        "custom": {"k": "v"},
        "env": {"platform": "x"},
        "client": {"installation_id": "i"},
    }
    identity = {"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}
    with sandbox(code, "index.context") as box:
        described = box.api.invoke(
            {},
            request_id="7f1e0c52-3d3e-4fa7-9f53-4d8f7e2c1a00",
            headers={
                "Lambda-Runtime-Client-Context": json.dumps(client_context),
                "Lambda-Runtime-Cognito-Identity": json.dumps(identity),
            },
        ).json
        bare = box.api.invoke({}).json

    assert 0 < described.pop("remaining") <= 60_000
    assert described == {
        "awsRequestId": "7f1e0c52-3d3e-4fa7-9f53-4d8f7e2c1a00",
        "functionName": "fn",
        "functionVersion": "$LATEST",
        "invokedFunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:fn",
        "memoryLimitInMB": "256",
        "logGroupName": "/aws/lambda/fn",
        "logStreamName": "2024/05/01/[$LATEST]0123456789abcdef0123456789abcdef",
        "identity": identity,
        "clientContext": client_context,
        "waits": True,
        "trace": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0",
        "telemetryFdHidden": True,
    }
    assert "identity" not in bare and "clientContext" not in bare


# Console


def test_console_methods_write_one_framed_line_each_with_their_level(code):
    with sandbox(code, "index.logs") as box:
        request_id = box.api.send({})
        box.api.result(request_id)
        box.wait_for_messages(8)
        frames = box.frames()

    assert re.fullmatch(rf"{TIME}\tundefined\tINFO\tloading\n", frames[0].message)
    lines = [frame.message for frame in frames[1:]]
    assert [line.split("\t", 2)[1] for line in lines] == [request_id] * 7
    assert [line.split("\t", 3)[2:] for line in lines] == [
        ["INFO", "line one\nline two { a: 1 }\n"],
        ["INFO", "n=5\n"],
        ["WARN", "warned\n"],
        ["ERROR", "failed\n"],
        ["DEBUG", "debugging\n"],
        ["TRACE", "tracing\n"],
        ["FATAL", "fatal\n"],
    ]
    assert [frame.kind for frame in frames[1:]] == [
        INFO,
        INFO,
        WARN,
        ERROR,
        0xA55A000B,
        0xA55A0007,
        0xA55A001B,
    ]
    assert abs(frames[1].micros // 1000 - _epoch_ms(lines[0].split("\t")[0])) <= 1


def _epoch_ms(stamp: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)


def test_without_a_telemetry_descriptor_console_lines_go_to_stdout_with_newlines_as_cr(code):
    with sandbox(code, "index.logs", telemetry=False) as box:
        request_id = box.api.send({})
        box.api.result(request_id)
        output = box.wait_for_output("fatal\n")

    lines = output.split("\n")
    assert re.fullmatch(rf"{TIME}\t{request_id}\tINFO\tline one\rline two {{ a: 1 }}", lines[1])


def test_aws_lambda_log_level_silences_the_lower_levels(code):
    with sandbox(code, "index.logs", environment={"AWS_LAMBDA_LOG_LEVEL": "WARN"}) as box:
        box.api.invoke({})
        box.wait_for_messages(3)
        levels = [message.split("\t")[2] for message in box.messages()]

    assert levels == ["WARN", "ERROR", "FATAL"]


def test_json_log_format_writes_each_call_as_json(code):
    with sandbox(code, "index.logs", environment={"AWS_LAMBDA_LOG_FORMAT": "JSON"}) as box:
        request_id = box.api.send({})
        box.api.result(request_id)
        records = [json.loads(message) for message in box.wait_for_messages(8)]

    assert "requestId" not in records[0]
    assert (records[0]["level"], records[0]["message"]) == ("INFO", "loading")
    assert re.fullmatch(TIME, records[1].pop("timestamp"))
    assert records[1] == {
        "level": "INFO",
        "requestId": request_id,
        "message": "line one\nline two { a: 1 }",
    }
    assert box.frames()[1].kind == 0xA55A000E


# The first Node.js runtimes, as the Osones walkthrough shows them


@pytest.mark.parametrize("runtime", ["nodejs", "nodejs4.3", "nodejs4.3-edge"])
def test_the_first_runtimes_load_the_module_at_the_first_invocation(code, runtime):
    with sandbox(code, "envoi_email.handler", runtime) as box:
        request_id = box.api.send(SEED_EVENT, request_id="e00bc024-a1a4-47f3-9921-409f0dc2f086")
        result = box.api.result(request_id)
        messages = box.wait_for_messages(4)

    assert result.body == b'"== Fin =="'
    assert len(messages) == 4
    stamps = [message.split("\t")[0] for message in messages]
    assert all(re.fullmatch(TIME, stamp) for stamp in stamps)
    assert [message[len(stamp) :] for message, stamp in zip(messages, stamps, strict=True)] == [
        f"\t{request_id}\t=== Début ===\n",
        f"\t{request_id}\ta701e6bd4ec41f8454f6d6e5f309836a\n",
        f"\t{request_id}\tINSERT\n",
        f"\t{request_id}\tDynamoDB Record: "
        '{"Keys":{"email":{"S":"alexis.gunst@osones.com"}},"NewImage":{"nom":{"S":"GÜNST HORN"},'
        '"prenom":{"S":"Alexis"},"email":{"S":"alexis.gunst@osones.com"}},'
        '"SequenceNumber":"1300000000003218571175","SizeBytes":82,"StreamViewType":"NEW_IMAGE"}\n',
    ]


def test_nodejs8_loads_at_init_and_writes_lines_without_a_level(code):
    with sandbox(code, "envoi_email.handler", "nodejs8.10") as box:
        request_id = box.api.send(SEED_EVENT)
        box.api.result(request_id)
        messages = box.wait_for_messages(4)

    assert re.fullmatch(rf"{TIME}\tundefined\t=== Début ===\n", messages[0])
    assert re.fullmatch(rf"{TIME}\t{request_id}\tINSERT\n", messages[2])


def test_later_runtimes_load_at_init_and_write_the_level(code):
    with sandbox(code, "envoi_email.handler", "nodejs12.x") as box:
        request_id = box.api.send(SEED_EVENT)
        box.api.result(request_id)
        messages = box.wait_for_messages(4)

    assert re.fullmatch(rf"{TIME}\tundefined\tINFO\t=== Début ===\n", messages[0])
    assert re.fullmatch(rf"{TIME}\t{request_id}\tINFO\tINSERT\n", messages[2])


def test_a_lazily_loaded_module_that_is_missing_fails_the_invocation(code):
    with sandbox(code, "missing.handler", "nodejs") as box:
        result = box.api.invoke({})
        again = box.api.invoke({})

    assert result.kind == again.kind == "error"
    assert result.json["errorType"] == "Runtime.ImportModuleError"


# Module kinds and handler paths


def test_es_modules_commonjs_and_subfolders_are_loaded(tmp_path):
    code = write_code(
        tmp_path / "code",
        {
            "esm.mjs": "export const handler = async (event) => ({ kind: 'mjs', event });\n",
            "common.cjs": "exports.handler = async () => ({ kind: 'cjs' });\n",
            "src/app.js": "exports.handler = async () => ({ kind: 'subfolder' });\n",
            "typed/package.json": '{"type": "module"}',
            "typed/app.js": "export const handler = async () => ({ kind: 'type module' });\n",
            "typed/top.js": "const value = await Promise.resolve('awaited');\n"
            "export const handler = async () => ({ kind: value });\n",
        },
    )

    assert invoke(code, "esm.handler", {"a": 1}).json == {"kind": "mjs", "event": {"a": 1}}
    assert invoke(code, "common.handler").json == {"kind": "cjs"}
    assert invoke(code, "src/app.handler").json == {"kind": "subfolder"}
    assert invoke(code, "typed/app.handler").json == {"kind": "type module"}
    assert invoke(code, "typed/top.handler").json == {"kind": "awaited"}


def test_layers_modules_are_found_through_node_path(tmp_path):
    code = write_code(
        tmp_path / "code",
        {
            "index.js": "const a = require('from-layer'); const b = require('versioned');\n"
            "exports.handler = async () => [a, b];\n",
            "esm.mjs": "import a from 'from-layer';\nexport const handler = async () => a;\n",
        },
    )
    layer = write_code(
        tmp_path / "layer",
        {
            "nodejs/node_modules/from-layer/index.js": "module.exports = 'layer';\n",
            "nodejs/node_modules/versioned/index.js": "module.exports = 'any node';\n",
            "nodejs/node20/node_modules/versioned/index.js": "module.exports = 'node20';\n",
        },
    )

    assert invoke(code, "index.handler", layers=(layer,)).json == ["layer", "node20"]
    assert invoke(code, "esm.handler", layers=(layer,)).json == "layer"


# Init errors: posted to /runtime/init/error, logged, and the process exits.


def init_failure(
    code_dir: Path, handler: str, runtime: str = "nodejs20.x", label="Uncaught Exception"
):
    with sandbox(code_dir, handler, runtime) as box:
        posted = box.api.init_error()
        logged = box.wait_for_messages(1)[-1]
        status = box.wait_exit()
    assert status == 129
    assert posted.headers["lambda-runtime-function-error-type"] == posted.json["errorType"]
    prefix, formatted = logged.split(f"{label} \t")
    assert re.fullmatch(rf"{TIME}\tundefined\tERROR\t", prefix)
    assert json.loads(formatted)["errorType"] == posted.json["errorType"]
    return posted.json


def test_a_missing_module_is_an_import_module_error(code):
    body = init_failure(code, "missing.handler")

    assert body["errorType"] == "Runtime.ImportModuleError"
    assert (
        body["errorMessage"]
        == f"Error: Cannot find module 'missing'\nRequire stack:\n- {BOOTSTRAP}"
    )
    assert body["trace"][:3] == [
        "Runtime.ImportModuleError: Error: Cannot find module 'missing'",
        "Require stack:",
        f"- {BOOTSTRAP}",
    ]


def test_a_missing_export_is_handler_not_found(code):
    assert init_failure(code, "index.nowhere")["errorMessage"] == (
        "index.nowhere is undefined or not exported"
    )
    body = init_failure(code, "index.notAFunction")
    assert (body["errorType"], body["errorMessage"]) == (
        "Runtime.HandlerNotFound",
        "index.notAFunction is not a function",
    )


def test_a_handler_without_a_dot_or_going_up_is_malformed(code):
    assert init_failure(code, "index")["errorMessage"] == "Bad handler"
    body = init_failure(code, "../index.handler")
    assert (body["errorType"], body["errorMessage"]) == (
        "Runtime.MalformedHandlerName",
        "'../index.handler' is not a valid handler name. Use absolute paths when specifying "
        "root directories in handler names.",
    )


def test_a_syntax_error_is_a_user_code_syntax_error(tmp_path):
    code = write_code(tmp_path / "code", {"broken.js": "exports.handler = async () => {\n"})

    body = init_failure(code, "broken.handler")

    assert body["errorType"] == "Runtime.UserCodeSyntaxError"
    assert body["errorMessage"] == "SyntaxError: Unexpected end of input"


def test_an_error_at_load_time_fails_init_with_its_own_type(tmp_path):
    code = write_code(
        tmp_path / "code",
        {
            "boom.js": "undefinedFunction();\nexports.handler = async () => 1;\n",
            "deps.js": "require('not-installed-anywhere');\n",
        },
    )

    boom = init_failure(code, "boom.handler")
    assert (boom["errorType"], boom["errorMessage"]) == (
        "ReferenceError",
        "undefinedFunction is not defined",
    )
    deps = init_failure(code, "deps.handler")
    assert deps["errorType"] == "Runtime.ImportModuleError"
    assert deps["errorMessage"].startswith("Error: Cannot find module 'not-installed-anywhere'")


def test_nodejs24_refuses_callback_handlers(code):
    body = init_failure(code, "index.callbackStyle", "nodejs24.x", label="Init Error")

    assert body["errorType"] == "Runtime.CallbackHandlerDeprecated"
    assert body["errorMessage"].startswith(
        "ERROR: AWS Lambda has removed support for callback-based function handlers starting "
        "with Node.js 24."
    )
    assert invoke(code, "index.asyncEcho", {"x": 1}, runtime="nodejs24.x").json == {
        "event": {"x": 1},
        "calls": 1,
    }
