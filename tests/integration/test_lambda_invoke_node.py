"""Invoke through boto3 with Node.js handlers."""

from __future__ import annotations

import base64
import re

from tests.integration import lambda_invoke_support as support
from tests.integration.lambda_invoke_support import function, invoke_json, log_messages

lam, logs, role = support.lam, support.logs, support.role  # fixtures


CODE = """
let calls = 0;

exports.handler = async (event, context) => {
  calls += 1;
  console.log("event", JSON.stringify(event));
  return {
    calls,
    pid: process.pid,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    remaining: context.getRemainingTimeInMillis(),
  };
};

exports.fails = async () => {
  throw new TypeError("bad input");
};

exports.leaves = async () => {
  process.exit(2);
};

exports.callback = (event, context, callback) => {
  callback(null, { via: "callback" });
};
"""


def test_a_node_handler_runs_warm(lam, role):
    name = function(lam, role, CODE, runtime="nodejs20.x", handler="app.handler")
    response, payload = invoke_json(lam, name, {"a": 1})
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert payload["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert payload["functionName"] == name
    assert 0 < payload["remaining"] <= 3000
    again = invoke_json(lam, name)[1]
    assert (again["pid"], again["calls"]) == (payload["pid"], 2)
    assert invoke_json(
        lam, function(lam, role, CODE, runtime="nodejs20.x", handler="app.callback")
    )[1] == {"via": "callback"}


def test_a_node_error_has_a_trace(lam, role):
    name = function(lam, role, CODE, runtime="nodejs20.x", handler="app.fails")
    response, payload = invoke_json(lam, name)
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "TypeError"
    assert payload["errorMessage"] == "bad input"
    assert payload["trace"][0] == "TypeError: bad input"


def test_a_node_process_that_exits(lam, role):
    name = function(lam, role, CODE, runtime="nodejs20.x", handler="app.leaves")
    response, payload = invoke_json(lam, name)
    request_id = response["ResponseMetadata"]["RequestId"]
    assert payload == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status 2",
    }


def test_console_log_lines_in_the_log_and_the_tail(lam, logs, role):
    name = function(lam, role, CODE, runtime="nodejs20.x", handler="app.handler")
    response = lam.invoke(FunctionName=name, Payload=b'{"k": 2}', LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    line = rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{request_id}\tINFO\tevent {{\"k\":2}}\n"
    tail = base64.b64decode(response["LogResult"]).decode()
    assert re.search(line, tail)
    messages = log_messages(logs, name)
    assert messages[0].startswith("INIT_START Runtime Version: nodejs:20.v")
    assert messages[1] == f"START RequestId: {request_id} Version: $LATEST\n"
    assert re.fullmatch(line, messages[2])
    assert messages[3] == f"END RequestId: {request_id}\n"
    assert messages[4].startswith(f"REPORT RequestId: {request_id}\tDuration: ")
