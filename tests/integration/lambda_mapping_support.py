"""Helpers of the event source mapping tests: stream tables, and functions that write down
every event they get (one JSON line per invocation in a file the test reads)."""

from __future__ import annotations

import contextlib
import io
import json
import urllib.request
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tidal.testing.plugin import client

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
RECORDING = """import json, os

def handler(event, context):
    with open(os.environ["EVENTS"], "a") as written:
        written.write(json.dumps(event) + "\\n")
    return answer(event)

"""
SUCCEED = "def answer(event):\n    return None\n"
FAIL_ON_POISON = """def answer(event):
    for record in event["Records"]:
        if "poison" in record["dynamodb"].get("NewImage", {}):
            raise RuntimeError("poisoned")
    return None
"""


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def zipped(name: str, source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, source)
    return buffer.getvalue()


def error_of(call: Any, **kwargs: Any) -> tuple[str, str, int]:
    """(code, message, HTTP status) of the ClientError the call raises."""
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def keys(event: dict[str, Any], key: str = "pk") -> list[str]:
    return [record["dynamodb"]["Keys"][key]["S"] for record in event["Records"]]


class Triggers:
    """Tables with streams and recording functions, made through boto3 at one endpoint."""

    def __init__(self, endpoint: str, folder: Path) -> None:
        self.endpoint = endpoint
        self.folder = folder
        self.dynamodb = client("dynamodb", endpoint)
        self.lam = client("lambda", endpoint)
        iam = client("iam", endpoint)
        self.role = iam.create_role(
            RoleName=unique("esm-role"), AssumeRolePolicyDocument=json.dumps(TRUST)
        )["Role"]["Arn"]
        self.mappings: list[str] = []

    def close(self) -> None:
        """Delete the mappings made here, so none keeps retrying into later tests' waits."""
        for uuid_ in self.mappings:
            with contextlib.suppress(self.lam.exceptions.ResourceNotFoundException):
                self.lam.delete_event_source_mapping(UUID=uuid_)

    def table(self, view_type: str = "NEW_AND_OLD_IMAGES", **extra: Any) -> tuple[str, str]:
        """A new on-demand table keyed on `pk`, with a stream: (name, stream ARN)."""
        name = unique("esm")
        created = self.dynamodb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type},
            **extra,
        )
        return name, created["TableDescription"]["LatestStreamArn"]

    def function(self, answer: str = SUCCEED, **extra: Any) -> tuple[str, Path]:
        """A python3.12 function recording each event, then returning `answer(event)`:
        (name, the file of its events)."""
        name = unique("esm-fn")
        events = self.folder / f"{name}.jsonl"
        events.touch()
        self.lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=self.role,
            Handler="index.handler",
            Code={"ZipFile": zipped("index.py", RECORDING + answer)},
            Environment={"Variables": {"EVENTS": str(events)}},
            **extra,
        )
        self.lam.get_waiter("function_active_v2").wait(FunctionName=name)
        return name, events

    def put(self, table: str, pk: str, **attributes: Any) -> None:
        item = {"pk": {"S": pk}}
        for attribute, value in attributes.items():
            item[attribute] = value if isinstance(value, dict) else {"S": str(value)}
        self.dynamodb.put_item(TableName=table, Item=item)

    def map(self, function: str, stream_arn: str, **settings: Any) -> dict[str, Any]:
        params = {"StartingPosition": "TRIM_HORIZON", **settings}
        mapping = self.lam.create_event_source_mapping(
            FunctionName=function, EventSourceArn=stream_arn, **params
        )
        self.mappings.append(mapping["UUID"])
        return mapping

    def view(self, uuid_: str) -> dict[str, Any]:
        """The mapping as `/_tidal/lambda/event-source-mappings` shows it."""
        url = f"{self.endpoint}/_tidal/lambda/event-source-mappings"
        with urllib.request.urlopen(url) as response:
            listed = json.loads(response.read())["EventSourceMappings"]
        return next(mapping for mapping in listed if mapping["UUID"] == uuid_)


def events_in(path: Path, stream_arn: str | None = None) -> list[dict[str, Any]]:
    """The events a recording function got (those of one stream, if given), in order; a line
    still being written (no newline yet) is left out."""
    found = [json.loads(line) for line in path.read_text().split("\n")[:-1]]
    if stream_arn is None:
        return found
    return [
        event
        for event in found
        if event.get("eventSourceARN", stream_arn) == stream_arn
        and all(record["eventSourceARN"] == stream_arn for record in event["Records"])
    ]
