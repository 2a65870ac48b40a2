"""Reserved concurrency: a function runs at most that many invocations at once."""

from __future__ import annotations

import json
import threading

import pytest
from botocore.exceptions import ClientError

from tests.integration import lambda_invoke_support as support
from tests.integration.lambda_control_support import make_role
from tests.integration.lambda_invoke_support import GATED, Gate, function, invoke_json
from tidal.awslambda import invocations
from tidal.core.config import Config
from tidal.server.runner import Server
from tidal.testing.plugin import client
from tidal.testing.waiting import eventually

lam, role = support.lam, support.role  # fixtures


def throttled(lam, name: str) -> dict:
    with pytest.raises(ClientError) as raised:
        lam.invoke(FunctionName=name, Payload=b"{}")
    return raised.value.response


def test_reserved_concurrency_zero_throttles_every_invoke(lam, role):
    name = function(lam, role, "def handler(event, context):\n    return 1\n")
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    response = throttled(lam, name)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["Error"] == {"Code": "TooManyRequestsException", "Message": "Rate Exceeded."}
    assert response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    lam.delete_function_concurrency(FunctionName=name)
    assert invoke_json(lam, name)[1] == 1


def test_reserved_concurrency_one_refuses_a_second_concurrent_invoke(
    lam, role, tmp_path, tidal_server
):
    gate = Gate(tmp_path)
    name = function(
        lam, role, GATED, Environment={"Variables": {"GATE": str(gate.path)}}, Timeout=30
    )
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    limits = invocations.activity(tidal_server.runtime).limits
    results: list = []
    first = threading.Thread(
        target=lambda: results.append(lam.invoke(FunctionName=name)["Payload"].read())
    )
    first.start()
    try:
        eventually(lambda: limits.running(arn) == 1)
        response = throttled(lam, name)
        assert response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    finally:
        gate.open()
        first.join(30)
    assert results == [json.dumps("done").encode()]
    assert invoke_json(lam, name)[1] == "done"


def test_the_account_limit_throttles_unreserved_functions(tmp_path):
    gate = Gate(tmp_path)
    with Server(Config(port=0, in_memory=True, lambda_concurrency=1)) as server:
        lam = client("lambda", server.endpoint)
        role = make_role(client("iam", server.endpoint))
        waiting = function(
            lam, role, GATED, Environment={"Variables": {"GATE": str(gate.path)}}, Timeout=30
        )
        other = function(lam, role, "def handler(event, context):\n    return 2\n")
        results: list = []
        first = threading.Thread(
            target=lambda: results.append(lam.invoke(FunctionName=waiting)["StatusCode"])
        )
        first.start()
        try:
            eventually(lambda: invocations.in_flight(server.runtime) == 1)
            response = throttled(lam, other)
            assert response["Error"]["Message"] == "Rate Exceeded."
            assert response["Reason"] == "ConcurrentInvocationLimitExceeded"
        finally:
            gate.open()
            first.join(30)
        assert results == [200]
        assert invoke_json(lam, other)[1] == 2
