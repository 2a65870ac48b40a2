"""The French seed's trigger with the AWS CLI and a Node.js handler: create-event-source-mapping
answers as the seed shows, and a put-item reaches the handler, whose log shows the record."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from tidal.testing.plugin import client

from .lambda_mapping_support import Triggers, unique, zipped

LOGGING_HANDLER = """console.log('=== Début ===');

exports.handler = function(event, context) {
    event.Records.forEach(function(record) {
        console.log(record.eventID);
        console.log(record.eventName);
        console.log('DynamoDB Record: %j', record.dynamodb);
    });
    context.succeed("== Fin ==");
};
"""
USER = {
    "email": {"S": "alexis.gunst@osones.com"},
    "nom": {"S": "GÜNST HORN"},
    "prenom": {"S": "Alexis"},
}


def aws(endpoint: str, *args: str) -> dict:
    run = subprocess.run(
        [sys.executable, "-m", "awscli", *args, "--endpoint-url", endpoint, "--output", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
        },
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_the_seed_mapping_with_the_cli_and_a_node_handler(tidal_endpoint, tmp_path, wait_for_idle):
    triggers = Triggers(tidal_endpoint, tmp_path)
    table = unique("osones")
    stream = triggers.dynamodb.create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "email", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "email", "KeyType": "HASH"}],
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]["LatestStreamArn"]
    function = unique("envoi_email")
    triggers.lam.create_function(
        FunctionName=function,
        Runtime="nodejs20.x",
        Role=triggers.role,
        Handler="envoi_email.handler",
        Code={"ZipFile": zipped("envoi_email.js", LOGGING_HANDLER)},
    )
    triggers.lam.get_waiter("function_active_v2").wait(FunctionName=function)

    mapping = aws(
        tidal_endpoint, "lambda", "create-event-source-mapping",
        "--event-source-arn", stream, "--function-name", function,
        "--enabled", "--starting-position", "LATEST",
    )  # fmt: skip
    assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", mapping["UUID"])
    assert isinstance(mapping.pop("LastModified"), float)
    assert {
        key: mapping[key]
        for key in (
            "StateTransitionReason",
            "BatchSize",
            "EventSourceArn",
            "FunctionArn",
            "State",
            "LastProcessingResult",
        )
    } == {
        "StateTransitionReason": "User action",
        "BatchSize": 100,
        "EventSourceArn": stream,
        "FunctionArn": f"arn:aws:lambda:us-east-1:000000000000:function:{function}",
        "State": "Creating",
        "LastProcessingResult": "No records processed",
    }

    triggers.dynamodb.put_item(TableName=table, Item=USER)
    wait_for_idle(timeout=30)
    logs = client("logs", tidal_endpoint)
    messages = [
        event["message"]
        for event in logs.filter_log_events(logGroupName=f"/aws/lambda/{function}")["events"]
    ]
    body = [message.split("\t")[-1] for message in messages if message.count("\t") >= 2]
    assert "INSERT\n" in body
    assert any(re.fullmatch(r"[0-9a-f]{32}\n", line) for line in body)
    (line,) = [line for line in body if line.startswith("DynamoDB Record: ")]
    record = json.loads(line.removeprefix("DynamoDB Record: "))
    assert record.pop("SequenceNumber").isdigit()
    assert record.pop("ApproximateCreationDateTime") > 0
    assert record == {
        "Keys": {"email": {"S": "alexis.gunst@osones.com"}},
        "NewImage": USER,
        "SizeBytes": 82,
        "StreamViewType": "NEW_IMAGE",
    }
    assert any(message.startswith("REPORT RequestId: ") for message in messages)
    listed = aws(
        tidal_endpoint, "lambda", "list-event-source-mappings", "--function-name", function
    )
    (shown,) = listed["EventSourceMappings"]
    assert (shown["State"], shown["LastProcessingResult"]) == ("Enabled", "OK")
