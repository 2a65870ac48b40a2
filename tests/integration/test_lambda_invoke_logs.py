"""The function's log in CloudWatch Logs: one stream per environment, platform lines as AWS
writes them, the function's own output in between."""

from __future__ import annotations

import concurrent.futures
import re

from tests.integration import lambda_invoke_support as support
from tests.integration.lambda_invoke_support import GATED, Gate, function, log_messages
from tidal.awslambda import invocations
from tidal.testing.waiting import eventually

lam, logs, role = support.lam, support.logs, support.role  # fixtures

CODE = """
import logging

print("loading")

def handler(event, context):
    print("handling", event["n"])
    logging.getLogger().warning("careful")
    return event["n"]
"""


def test_cold_and_warm_invokes_in_one_stream(lam, logs, role):
    name = function(lam, role, CODE)
    first = lam.invoke(FunctionName=name, Payload=b'{"n": 1}')["ResponseMetadata"]["RequestId"]
    second = lam.invoke(FunctionName=name, Payload=b'{"n": 2}')["ResponseMetadata"]["RequestId"]
    group = f"/aws/lambda/{name}"
    [stream] = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", stream["logStreamName"])
    messages = log_messages(logs, name)
    runtime_arn = lam.get_function(FunctionName=name)["Configuration"]["RuntimeVersionConfig"][
        "RuntimeVersionArn"
    ]
    assert re.fullmatch(r"arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}", runtime_arn)
    assert re.fullmatch(
        rf"INIT_START Runtime Version: python:3\.12\.v\d+\tRuntime Version ARN: {runtime_arn}\n",
        messages[0],
    )
    assert messages[1] == "loading\n"
    assert messages[2] == f"START RequestId: {first} Version: $LATEST\n"
    assert messages[3] == "handling 1\n"
    assert re.fullmatch(rf"\[WARNING\]\t\S+Z\t{first}\tcareful\n", messages[4])
    assert messages[5] == f"END RequestId: {first}\n"
    assert re.fullmatch(
        rf"REPORT RequestId: {first}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
        r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n",
        messages[6],
    )
    assert messages[7] == f"START RequestId: {second} Version: $LATEST\n"
    assert messages[8] == "handling 2\n"
    assert messages[10] == f"END RequestId: {second}\n"
    assert re.fullmatch(
        rf"REPORT RequestId: {second}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
        r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\t\n",
        messages[11],
    )
    assert len(messages) == 12


def test_a_published_version_logs_to_its_own_stream(lam, logs, role):
    name = function(lam, role, CODE)
    lam.publish_version(FunctionName=name)
    request_id = lam.invoke(FunctionName=name, Qualifier="1", Payload=b'{"n": 3}')[
        "ResponseMetadata"
    ]["RequestId"]
    [stream] = logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[1\][0-9a-f]{32}", stream["logStreamName"])
    assert f"START RequestId: {request_id} Version: 1\n" in log_messages(logs, name)


def test_concurrent_environments_have_their_own_streams(lam, logs, role, tmp_path, tidal_server):
    gate = Gate(tmp_path)
    name = function(
        lam, role, GATED, Environment={"Variables": {"GATE": str(gate.path)}}, Timeout=30
    )
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    limits = invocations.activity(tidal_server.runtime).limits
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        done = [pool.submit(lam.invoke, FunctionName=name) for _ in range(2)]
        eventually(lambda: limits.running(arn) == 2)
        gate.open()
        assert [future.result()["StatusCode"] for future in done] == [200, 200]
    streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert len(streams) == 2
