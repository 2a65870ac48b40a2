"""A server that stops ends every process its functions started."""

from __future__ import annotations

import json

from tests.integration.lambda_control_support import make_role
from tests.integration.lambda_invoke_support import function
from tidal.server.runner import Server
from tidal.testing.plugin import client

CODE = """
import os
import subprocess

def handler(event, context):
    child = subprocess.Popen(["sleep", "300"])
    return {"pid": os.getpid(), "child": child.pid}
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as status:
            return status.read().rsplit(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_stopping_the_server_ends_environments_and_their_children():
    with Server() as server:
        lam = client("lambda", server.endpoint)
        role = make_role(client("iam", server.endpoint))
        python = function(lam, role, CODE)
        node = function(
            lam,
            role,
            "exports.handler = async () => ({ pid: process.pid });",
            runtime="nodejs20.x",
        )
        started = json.loads(lam.invoke(FunctionName=python)["Payload"].read())
        node_pid = json.loads(lam.invoke(FunctionName=node)["Payload"].read())["pid"]
        pids = [started["pid"], started["child"], node_pid]
        assert all(alive(pid) for pid in pids)
    assert not any(alive(pid) for pid in pids), [pid for pid in pids if alive(pid)]
