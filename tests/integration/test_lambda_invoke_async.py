"""Invoke with InvocationType Event: the in-process queue, retries, event age, destinations."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest

from tests.integration import lambda_invoke_support as support
from tests.integration.lambda_control_support import error_of
from tests.integration.lambda_invoke_support import function, quiet
from tidal.awslambda import invocations
from tidal.core import clock
from tidal.testing.waiting import eventually

lam, role = support.lam, support.role  # fixtures

RECORD = """
import json
import os

def handler(event, context):
    with open(os.environ["OUT"], "a") as out:
        out.write(json.dumps({"event": event, "id": context.aws_request_id}) + "\\n")
    if event.get("fail"):
        raise RuntimeError("failed on purpose")
    return {"ok": event}
"""


@pytest.fixture
def short_delays(tidal_server):
    state = invocations.activity(tidal_server.runtime)
    saved = state.retry_delays, state.throttle_backoff
    state.retry_delays, state.throttle_backoff = (0.05, 0.1), (0.01, 0.05)
    yield
    eventually(lambda: quiet(tidal_server))
    state.retry_delays, state.throttle_backoff = saved


def recorder(lam, role, out: Path, **extra) -> str:
    return function(lam, role, RECORD, Environment={"Variables": {"OUT": str(out)}}, **extra)


def lines(path: Path) -> list[dict]:
    """What the function wrote down so far; a line still being written is left out."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().split("\n")[:-1]]


def test_an_event_is_accepted_with_202_and_run(lam, role, tmp_path, short_delays):
    out = tmp_path / "out"
    name = recorder(lam, role, out)
    response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    request_id = response["ResponseMetadata"]["RequestId"]
    assert eventually(lambda: lines(out)) == [{"event": {"n": 1}, "id": request_id}]


def test_the_legacy_invoke_async(lam, role, tmp_path, short_delays):
    out = tmp_path / "out"
    name = recorder(lam, role, out)
    assert lam.invoke_async(FunctionName=name, InvokeArgs=b'{"legacy": true}')["Status"] == 202
    assert eventually(lambda: lines(out))[0]["event"] == {"legacy": True}


def test_a_failing_event_is_tried_three_times_with_one_request_id(
    lam, role, tmp_path, short_delays, tidal_server
):
    out = tmp_path / "out"
    name = recorder(lam, role, out)
    response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": true}')
    eventually(lambda: len(lines(out)) == 3)
    eventually(lambda: quiet(tidal_server))
    attempts = lines(out)
    assert len(attempts) == 3
    assert {attempt["id"] for attempt in attempts} == {response["ResponseMetadata"]["RequestId"]}


def test_maximum_retry_attempts_zero(lam, role, tmp_path, short_delays, tidal_server):
    out = tmp_path / "out"
    name = recorder(lam, role, out)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": true}')
    eventually(lambda: lines(out))
    eventually(lambda: quiet(tidal_server))
    assert len(lines(out)) == 1


def test_on_failure_lambda_destination_gets_the_record(lam, role, tmp_path, short_delays):
    failures = tmp_path / "failures"
    target = recorder(lam, role, failures)
    target_arn = lam.get_function(FunctionName=target)["Configuration"]["FunctionArn"]
    name = recorder(lam, role, tmp_path / "out")
    lam.put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": target_arn}},
    )
    response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": true}')
    [delivered] = eventually(lambda: lines(failures))
    record = delivered["event"]
    assert record["version"] == "1.0"
    assert record["requestContext"] == {
        "requestId": response["ResponseMetadata"]["RequestId"],
        "functionArn": f"arn:aws:lambda:us-east-1:000000000000:function:{name}:$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 2,
    }
    assert record["requestPayload"] == {"fail": True}
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorType"] == "RuntimeError"
    assert record["responsePayload"]["errorMessage"] == "failed on purpose"
    assert time.strptime(record["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")


def test_on_success_lambda_destination(lam, role, tmp_path, short_delays):
    successes = tmp_path / "successes"
    target = recorder(lam, role, successes)
    name = recorder(lam, role, tmp_path / "out")
    lam.put_function_event_invoke_config(
        FunctionName=name,
        DestinationConfig={
            "OnSuccess": {"Destination": f"arn:aws:lambda:us-east-1:000000000000:function:{target}"}
        },
    )
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 2}')
    [delivered] = eventually(lambda: lines(successes))
    record = delivered["event"]
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"ok": {"n": 2}}


def test_an_sqs_destination_record_is_kept_where_it_can_be_seen(
    lam, role, tmp_path, short_delays, tidal_server
):
    name = recorder(lam, role, tmp_path / "out")
    queue = "arn:aws:sqs:us-east-1:000000000000:" + name
    lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": queue}}
    )
    response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 3}')
    request_id = response["ResponseMetadata"]["RequestId"]
    url = f"{tidal_server.endpoint}/_tidal/lambda/destinations/000000000000/us-east-1"

    def kept() -> list:
        with urllib.request.urlopen(url) as answer:
            documents = json.loads(answer.read())
        return [
            document
            for document in documents
            if document["Record"]["requestContext"]["requestId"] == request_id
        ]

    [document] = eventually(kept)
    assert document["Destination"] == queue
    assert document["Condition"] == "Success"
    assert document["Record"]["requestPayload"] == {"n": 3}


def test_an_event_too_old_goes_to_on_failure_without_running(
    lam, role, tmp_path, short_delays, tidal_server, monkeypatch
):
    failures = tmp_path / "failures"
    target = recorder(lam, role, failures)
    out = tmp_path / "out"
    name = recorder(lam, role, out)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    lam.put_function_event_invoke_config(
        FunctionName=name,
        MaximumEventAgeInSeconds=60,
        DestinationConfig={
            "OnFailure": {"Destination": f"arn:aws:lambda:us-east-1:000000000000:function:{target}"}
        },
    )
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 4}')
    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: real_now() + 61)
    [delivered] = eventually(lambda: lines(failures))
    record = delivered["event"]
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert record["requestPayload"] == {"n": 4}
    assert not out.exists()


def test_event_payload_limit(lam, role, tmp_path):
    name = recorder(lam, role, tmp_path / "out")
    code, message, status = error_of(
        lam.invoke, FunctionName=name, InvocationType="Event", Payload=b"x" * 1048577
    )
    assert (code, status) == ("RequestEntityTooLargeException", 413)
    assert message == "Request must be smaller than 1048576 bytes for the InvokeAsync operation"
