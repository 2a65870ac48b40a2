"""The French walkthrough (seeds/004: "A la découverte d'Amazon DynamoDB Streams") with the
AWS CLI: the `osones` user table with a NEW_IMAGE stream, one put-item, and the INSERT record
that `aws dynamodbstreams get-records` reads back, shaped as the seed shows it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

ITEM = {
    "email": {"S": "alexis.gunst@osones.com"},
    "nom": {"S": "GÜNST HORN"},
    "prenom": {"S": "Alexis"},
}


def aws(endpoint: str, cwd, *args: str) -> dict:
    environment = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    run = subprocess.run(
        [sys.executable, "-m", "awscli", *args, "--endpoint-url", endpoint],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        cwd=cwd,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_seed_users_table_streams_its_first_user(tidal_endpoint, tmp_path):
    created = aws(
        tidal_endpoint,
        tmp_path,
        "dynamodb",
        "create-table",
        "--table-name",
        "osones",
        "--attribute-definitions",
        "AttributeName=email,AttributeType=S",
        "--key-schema",
        "AttributeName=email,KeyType=HASH",
        "--provisioned-throughput",
        "ReadCapacityUnits=1,WriteCapacityUnits=1",
        "--stream-specification",
        "StreamEnabled=True,StreamViewType=NEW_IMAGE",
    )["TableDescription"]
    assert created["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE", "StreamEnabled": True}
    label = created["LatestStreamLabel"]
    stream_arn = created["LatestStreamArn"]
    assert stream_arn == f"arn:aws:dynamodb:eu-west-1:000000000000:table/osones/stream/{label}"

    (tmp_path / "item.json").write_text(json.dumps(ITEM, ensure_ascii=False), encoding="utf-8")
    put = aws(
        tidal_endpoint,
        tmp_path,
        "dynamodb",
        "put-item",
        "--table-name",
        "osones",
        "--item",
        "file://item.json",
        "--return-consumed-capacity",
        "TOTAL",
    )
    assert put == {"ConsumedCapacity": {"TableName": "osones", "CapacityUnits": 1.0}}

    listed = aws(tidal_endpoint, tmp_path, "dynamodbstreams", "list-streams")["Streams"]
    assert {"StreamArn": stream_arn, "TableName": "osones", "StreamLabel": label} in listed
    described = aws(
        tidal_endpoint, tmp_path, "dynamodbstreams", "describe-stream", "--stream-arn", stream_arn
    )["StreamDescription"]
    assert described["StreamStatus"] == "ENABLED"
    (shard,) = described["Shards"]
    iterator = aws(
        tidal_endpoint,
        tmp_path,
        "dynamodbstreams",
        "get-shard-iterator",
        "--stream-arn",
        stream_arn,
        "--shard-id",
        shard["ShardId"],
        "--shard-iterator-type",
        "TRIM_HORIZON",
    )["ShardIterator"]
    got = aws(
        tidal_endpoint, tmp_path, "dynamodbstreams", "get-records", "--shard-iterator", iterator
    )
    (record,) = got["Records"]
    assert record["eventName"] == "INSERT"
    assert len(record["eventID"]) == 32
    assert record["eventSource"] == "aws:dynamodb"
    assert record["awsRegion"] == "eu-west-1"
    body = record["dynamodb"]
    assert body.pop("ApproximateCreationDateTime")
    sequence = body.pop("SequenceNumber")
    assert sequence.isdigit() and len(sequence) >= 21
    assert body == {  # the seed's record, as its function logged it
        "Keys": {"email": {"S": "alexis.gunst@osones.com"}},
        "NewImage": ITEM,
        "SizeBytes": 82,
        "StreamViewType": "NEW_IMAGE",
    }
    assert "NextShardIterator" in got
