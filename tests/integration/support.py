"""Helpers shared by the integration tests of the DynamoDB item and table operations."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config as BotocoreConfig

from tidal.testing.plugin import CREDENTIALS


def unchecked_client(endpoint: str):
    """A DynamoDB client that sends what it is given: botocore's own parameter checks are off,
    so the server's answer to an invalid request is what the test sees."""
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        config=BotocoreConfig(
            parameter_validation=False, retries={"total_max_attempts": 1, "mode": "standard"}
        ),
        **CREDENTIALS,
    )


def create_table(
    dynamodb,
    name: str,
    hash_key: tuple[str, str] = ("pk", "S"),
    range_key: tuple[str, str] | None = None,
    indexed: tuple[tuple[str, str], ...] = (),
    **extra: Any,
) -> str:
    """An on-demand table keyed on `hash_key` (and `range_key`), each given as (name, type).

    `indexed` defines the further attributes that the indexes in `extra` use as keys.
    """
    keys = [hash_key] + ([range_key] if range_key else [])
    dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": kind}
            for attribute, kind in [*keys, *indexed]
        ],
        KeySchema=[
            {"AttributeName": attribute, "KeyType": key_type}
            for (attribute, _), key_type in zip(keys, ("HASH", "RANGE"), strict=False)
        ],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    return name


def gsi(name: str, hash_key: str, range_key: str | None = None, **projection: Any) -> dict:
    """A GlobalSecondaryIndexes entry; `projection` defaults to ALL."""
    keys = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        keys.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return {
        "IndexName": name,
        "KeySchema": keys,
        "Projection": projection or {"ProjectionType": "ALL"},
    }


def invalid(message: str) -> tuple[str, str, int]:
    """What `error_of` gives for a ValidationException with `message`."""
    return ("ValidationException", message, 400)
