"""The French walkthrough (seeds/004) end to end, as its reader types it, with the AWS CLI
and the real `node`: a user table with a NEW_IMAGE stream, an IAM role, a Node.js function
on the legacy `nodejs` runtime triggered by the stream, its CloudWatch Logs, then the same
function changed to send a welcome e-mail through SES — which lands in Tidal's mailbox."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from tidal.testing.idle import wait_for_idle
from tidal.testing.plugin import client

SEEDS = Path(__file__).parent / "seeds"
ACCOUNT = "400400400400"
"""The walkthrough runs in an account of its own, so its `osones` table is its own."""
REGION = "eu-west-1"
CREDENTIALS = {"aws_access_key_id": ACCOUNT, "aws_secret_access_key": "test"}

IAM_ROLE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "",
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
IAM_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": ["*"]},
        {
            "Effect": "Allow",
            "Action": [
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:DescribeStream",
                "dynamodb:ListStreams",
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "ses:*",
            ],
            "Resource": "*",
        },
    ],
}
LOGGING_HANDLER = (SEEDS / "envoi_email_log.js").read_text("utf-8")
MAIL_HANDLER = (SEEDS / "envoi_email_ses.js").read_text("utf-8")
FIRST_USER = {
    "email": {"S": "alexis.gunst@osones.com"},
    "nom": {"S": "GÜNST HORN"},
    "prenom": {"S": "Alexis"},
}
SECOND_USER = {
    "email": {"S": "camille.durand@example.fr"},
    "nom": {"S": "DURAND"},
    "prenom": {"S": "Camille"},
}


def aws(endpoint: str, cwd: Path, *args: str, output: str = "json") -> str:
    environment = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCOUNT,
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
    }
    run = subprocess.run(
        [sys.executable, "-m", "awscli", *args, "--endpoint-url", endpoint, "--output", output],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        cwd=cwd,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def aws_json(endpoint: str, cwd: Path, *args: str) -> dict:
    return json.loads(aws(endpoint, cwd, *args))


def write_zip(folder: Path, name: str, source: str) -> None:
    with zipfile.ZipFile(folder / f"{name}.zip", "w") as archive:
        archive.writestr(f"{name}.js", source)


def mailbox(endpoint: str, recipient: str) -> list[dict]:
    query = urllib.parse.urlencode({"to": recipient})
    with urllib.request.urlopen(f"{endpoint}/_tidal/ses/messages?{query}") as response:
        return json.loads(response.read())["messages"]


def test_seed_welcome_mail(tidal_endpoint, tmp_path):
    def cli(*args: str) -> dict:
        return aws_json(tidal_endpoint, tmp_path, *args)

    table = cli(
        "dynamodb", "create-table", "--table-name", "osones",
        "--attribute-definitions", "AttributeName=email,AttributeType=S",
        "--key-schema", "AttributeName=email,KeyType=HASH",
        "--provisioned-throughput", "ReadCapacityUnits=1,WriteCapacityUnits=1",
        "--stream-specification", "StreamEnabled=True,StreamViewType=NEW_IMAGE",
    )["TableDescription"]  # fmt: skip
    stream_arn = table["LatestStreamArn"]

    (tmp_path / "iam-role.json").write_text(json.dumps(IAM_ROLE))
    role = cli(
        "iam", "create-role", "--role-name", "lambda-dynamodb",
        "--assume-role-policy-document", "file://iam-role.json",
    )["Role"]  # fmt: skip
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/lambda-dynamodb"
    assert role["Arn"] == role_arn
    assert role["AssumeRolePolicyDocument"] == IAM_ROLE
    (tmp_path / "iam-policy.json").write_text(json.dumps(IAM_POLICY))
    aws(
        tidal_endpoint, tmp_path, "iam", "put-role-policy", "--role-name", "lambda-dynamodb",
        "--policy-name", "lambda-dynamodb", "--policy-document", "file://iam-policy.json",
    )  # fmt: skip

    write_zip(tmp_path, "envoi_email", LOGGING_HANDLER)
    function = cli(
        "lambda", "create-function", "--function-name", "envoi_email", "--runtime", "nodejs",
        "--role", role_arn, "--handler", "envoi_email.handler",
        "--zip-file", "fileb://envoi_email.zip",
    )  # fmt: skip
    function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:envoi_email"
    assert {key: function[key] for key in ("FunctionName", "FunctionArn", "Runtime", "Role")} == {
        "FunctionName": "envoi_email",
        "FunctionArn": function_arn,
        "Runtime": "nodejs",
        "Role": role_arn,
    }
    assert (function["Handler"], function["MemorySize"], function["Timeout"]) == (
        "envoi_email.handler",
        128,
        3,
    )
    assert function["CodeSize"] == (tmp_path / "envoi_email.zip").stat().st_size
    assert function["Description"] == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", function["LastModified"])

    mapping = cli(
        "lambda", "create-event-source-mapping", "--event-source-arn", stream_arn,
        "--function-name", "envoi_email", "--enabled", "--starting-position", "LATEST",
    )  # fmt: skip
    assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", mapping["UUID"])
    assert mapping["StateTransitionReason"] == "User action"
    assert mapping["BatchSize"] == 100
    assert mapping["EventSourceArn"] == stream_arn
    assert mapping["FunctionArn"] == function_arn
    assert mapping["State"] == "Creating"
    assert mapping["LastProcessingResult"] == "No records processed"
    assert isinstance(mapping["LastModified"], float)

    (tmp_path / "item.json").write_text(json.dumps(FIRST_USER, ensure_ascii=False), "utf-8")
    cli(
        "dynamodb", "put-item", "--table-name", "osones", "--item", "file://item.json",
        "--return-consumed-capacity", "TOTAL",
    )  # fmt: skip

    wait_for_idle(tidal_endpoint, timeout=90)  # the first run installs the Node.js SDK
    table_output = aws(
        tidal_endpoint, tmp_path, "logs", "describe-log-streams",
        "--log-group-name", "/aws/lambda/envoi_email",
        "--query", "logStreams[*].logStreamName", output="table",
    )  # fmt: skip
    (stream_name,) = re.findall(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", table_output)
    assert "DescribeLogStreams" in table_output

    messages = json.loads(
        aws(
            tidal_endpoint, tmp_path, "logs", "get-log-events",
            "--log-group-name", "/aws/lambda/envoi_email", "--log-stream-name", stream_name,
            "--query", "events[*].message",
        )
    )  # fmt: skip
    if messages[0].startswith("INIT_START "):  # today's Lambda logs the cold start first
        assert re.fullmatch(
            r"INIT_START Runtime Version: \S+\tRuntime Version ARN: \S+\n", messages.pop(0)
        )
    request_id = re.fullmatch(r"START RequestId: (\S+) Version: \$LATEST\n", messages[0])[1]
    prefix = rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{request_id}\t(?:INFO\t)?"
    assert re.fullmatch(prefix + "=== Début ===\n", messages[1])
    assert re.fullmatch(prefix + "[0-9a-f]{32}\n", messages[2])
    assert re.fullmatch(prefix + "INSERT\n", messages[3])
    record_line = re.fullmatch(prefix + r"DynamoDB Record: (\{.*\})\n", messages[4])
    record = json.loads(record_line[1])
    assert record.pop("ApproximateCreationDateTime")
    assert record.pop("SequenceNumber").isdigit()
    assert record == {
        "Keys": {"email": {"S": "alexis.gunst@osones.com"}},
        "NewImage": FIRST_USER,
        "SizeBytes": 82,
        "StreamViewType": "NEW_IMAGE",
    }
    assert messages[5] == f"END RequestId: {request_id}\n"
    assert re.fullmatch(
        rf"REPORT RequestId: {request_id}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
        r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\t(Init Duration: \d+\.\d\d ms\t)?\n",
        messages[6],
    )

    write_zip(tmp_path, "envoi_email", MAIL_HANDLER)
    aws(
        tidal_endpoint, tmp_path, "lambda", "update-function-code",
        "--function-name", "envoi_email", "--zip-file", "fileb://envoi_email.zip",
    )  # fmt: skip
    client("lambda", tidal_endpoint, REGION, **CREDENTIALS).get_waiter("function_updated_v2").wait(
        FunctionName="envoi_email"
    )
    (tmp_path / "item.json").write_text(json.dumps(SECOND_USER, ensure_ascii=False), "utf-8")
    aws(
        tidal_endpoint,
        tmp_path,
        "dynamodb",
        "put-item",
        "--table-name",
        "osones",
        "--item",
        "file://item.json",
    )

    address = "camille.durand@example.fr"
    wait_for_idle(tidal_endpoint, timeout=60)
    (mail,) = mailbox(tidal_endpoint, address)
    assert mail["source"] == "alexis.gunst@osones.com"
    assert mail["subject"] == "Bienvenue Camille DURAND !"
    assert mail["text"] == (
        "Bienvenue Camille DURAND !\n\nMerci de valider votre e-mail: "
        f"https://s3-eu-west-1.amazonaws.com/agh-osones/valider.html?email={address}"
    )
