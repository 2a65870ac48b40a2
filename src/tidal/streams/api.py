"""DynamoDB Streams' wire operations: thin functions that open a transaction and call the domain."""

from __future__ import annotations

from typing import Any

from tidal.core.context import RequestContext
from tidal.core.service import Service
from tidal.streams import iterators, maintenance, shards, streams
from tidal.streams.errors import NAMESPACE

SERVICE = Service(
    model="dynamodbstreams",
    target_prefix="DynamoDBStreams_20120810",
    namespace=NAMESPACE,
    response_crc32=True,
    installers=[shards.install],
    background=[maintenance.run],
)
operation = SERVICE.operation


def _read(ctx: RequestContext):
    return ctx.runtime.store.transaction(write=False)


@operation("ListStreams")
def list_streams(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return streams.list_streams(txn, ctx.account, ctx.region, params)


@operation("DescribeStream")
def describe_stream(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return streams.describe_stream(txn, ctx.account, ctx.region, params)


@operation("GetShardIterator")
def get_shard_iterator(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return {"ShardIterator": iterators.get_shard_iterator(txn, ctx.account, ctx.region, params)}


@operation("GetRecords")
def get_records(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return iterators.get_records(txn, ctx.account, ctx.region, params)
