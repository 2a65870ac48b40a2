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
SERVICE.delegate(
    reads={
        "ListStreams": streams.list_streams,
        "DescribeStream": streams.describe_stream,
        "GetRecords": iterators.get_records,
    },
    writes={},
)


@SERVICE.operation("GetShardIterator")
def get_shard_iterator(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with ctx.runtime.store.transaction(write=False) as txn:
        return {"ShardIterator": iterators.get_shard_iterator(txn, ctx.account, ctx.region, params)}
