"""Helpers shared by the DynamoDB Streams integration tests: stream tables and a reader."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotocoreConfig

from tidal.core import clock
from tidal.testing.plugin import CREDENTIALS

VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")


def unchecked_streams(endpoint: str):
    """A `dynamodbstreams` client without botocore's own parameter checks: the server answers."""
    return boto3.client(
        "dynamodbstreams",
        endpoint_url=endpoint,
        region_name="us-east-1",
        config=BotocoreConfig(
            parameter_validation=False, retries={"total_max_attempts": 1, "mode": "standard"}
        ),
        **CREDENTIALS,
    )


def raw_streams(endpoint: str, operation: str, body: dict[str, Any]) -> tuple[int, Any, Any]:
    """POST a Streams request as JSON, unchecked by botocore: (status, headers, parsed body)."""
    request = urllib.request.Request(
        endpoint,
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"DynamoDBStreams_20120810.{operation}",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/dynamodb/"
            "aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


def stream_table(dynamodb, name: str, view_type: str, *, range_key: bool = False) -> str:
    """An on-demand table keyed on `pk` (and `sk`), with a stream; returns the stream's ARN."""
    keys = [("pk", "HASH")] + ([("sk", "RANGE")] if range_key else [])
    created = dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key, _ in keys],
        KeySchema=[{"AttributeName": key, "KeyType": kind} for key, kind in keys],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type},
    )
    return created["TableDescription"]["LatestStreamArn"]


def shards_of(streams, stream_arn: str, limit: int = 100) -> list[dict[str, Any]]:
    """Every shard of a stream, paging DescribeStream `limit` shards at a time."""
    page = streams.describe_stream(StreamArn=stream_arn, Limit=limit)["StreamDescription"]
    shards = page["Shards"]
    while "LastEvaluatedShardId" in page:
        page = streams.describe_stream(
            StreamArn=stream_arn, Limit=limit, ExclusiveStartShardId=page["LastEvaluatedShardId"]
        )["StreamDescription"]
        shards += page["Shards"]
    return shards


def read_shard(streams, stream_arn: str, shard_id: str, **position: Any) -> list[dict]:
    """The records of one shard from `position` (TRIM_HORIZON by default) to its end so far."""
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn,
        ShardId=shard_id,
        ShardIteratorType=position.pop("ShardIteratorType", "TRIM_HORIZON"),
        **position,
    )["ShardIterator"]
    found: list[dict] = []
    while True:
        page = streams.get_records(ShardIterator=iterator)
        found += page["Records"]
        if "NextShardIterator" not in page or not page["Records"]:
            return found
        iterator = page["NextShardIterator"]


def read_stream(streams, stream_arn: str) -> list[dict]:
    """All records of a stream, as a reader that follows lineage gets them: parents first."""
    shards = shards_of(streams, stream_arn)
    known = {shard["ShardId"] for shard in shards}
    done: set[str] = set()
    found: list[dict] = []
    while len(done) < len(shards):
        for shard in shards:
            parent = shard.get("ParentShardId")
            if shard["ShardId"] in done or (parent in known and parent not in done):
                continue
            found += read_shard(streams, stream_arn, shard["ShardId"])
            done.add(shard["ShardId"])
    return found


def images(record: dict) -> dict:
    """The parts of a record a test can predict: everything but ids, numbers and times."""
    body = dict(record["dynamodb"])
    for volatile in ("SequenceNumber", "ApproximateCreationDateTime"):
        body.pop(volatile)
    shown = {key: value for key, value in record.items() if key != "eventID"}
    shown["dynamodb"] = body
    return shown


class Clock:
    """The server's clock (`tidal.core.clock.now`), moved forward by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0.0
        real = clock.now
        monkeypatch.setattr(clock, "now", lambda: real() + self.offset)

    def advance(self, seconds: float) -> None:
        self.offset += seconds
