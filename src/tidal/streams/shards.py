"""Shards: where a stream's records go, and how a shard closes and hands over to its child.

Every change of an item is one record in its stream's open shard, written by the hook
that DynamoDB's write path calls inside the writer's transaction, so the record commits
or rolls back with the change. A record's sequence number comes from its position in the
stream's log (`streams.sequence_of`), which the store never hands out twice, even across
restarts and after trims. The first shard starts at the log's first position, a child at
the number after its parent's end, and a shard's first record is placed at or above its
start (`at_least`), so its records are exactly those numbered from its start to its end.
A shard that has been open for the rollover interval is closed (its EndingSequenceNumber
is the last number it handed out, or its start if none) and a child shard, naming it as
ParentShardId, takes the stream's next records.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from typing import Any

from tidal.core import clock
from tidal.core.events import (
    ITEM_CHANGED,
    STREAM_DISABLED,
    STREAM_ENABLED,
    ItemChange,
    StreamEnabled,
)
from tidal.core.runtime import Runtime
from tidal.streams import records, streams
from tidal.streams.notify import notifier


@dataclass
class OpenShard:
    """Where a stream's next record goes, and the last sequence number it handed out."""

    space: int
    opened: float
    start: int
    last: int

    def append(self, txn: Any, value: bytes) -> int:
        """Append a record's JSON; returns its sequence number."""
        position = txn.log_append(self.space, value, streams.position_of(self.start))
        self.last = streams.sequence_of(position)
        return self.last


class Writers:
    """The open shard of each stream written to, cached between transactions.

    A transaction that changes stream documents marks itself; when the next transaction
    finds the mark still there, the marked one rolled back, and the cache built from what
    it wrote is forgotten.
    """

    def __init__(self) -> None:
        self._open: dict[str, OpenShard] = {}
        self._changing: Any = None

    def open_shard(self, txn: Any, stream_arn: str) -> OpenShard | None:
        """The stream's open shard; None if the stream has no document."""
        self._forget_rolled_back(txn)
        shard = self._open.get(stream_arn)
        if shard is None:
            document = streams.load(txn, stream_arn)
            if document is None:
                return None
            shard = self._open[stream_arn] = _open_shard(txn, document)
        return shard

    def changing(self, txn: Any, stream_arn: str) -> None:
        """`txn` is about to change the stream's document."""
        self._forget_rolled_back(txn)
        self._open.pop(stream_arn, None)
        if self._changing is None:
            self._changing = txn
            txn.on_commit(partial(self._committed, txn))

    def _committed(self, txn: Any) -> None:
        if self._changing is txn:
            self._changing = None

    def _forget_rolled_back(self, txn: Any) -> None:
        if self._changing is not None and self._changing is not txn:
            self._open.clear()
            self._changing = None


def writers(runtime: Runtime) -> Writers:
    return runtime.room("streams.shards", Writers)


def install(runtime: Runtime) -> None:
    runtime.hooks.subscribe(ITEM_CHANGED, partial(append, runtime))
    runtime.hooks.subscribe(STREAM_ENABLED, partial(enable, runtime))
    runtime.hooks.subscribe(STREAM_DISABLED, partial(disable, runtime))


def append(runtime: Runtime, txn: Any, change: ItemChange) -> None:
    """Write the record of `change` (if it changed the item) to its stream's open shard."""
    if not records.changes_item(change):
        return
    now = clock.now()
    shard = writers(runtime).open_shard(txn, change.stream_arn)
    if shard is None:
        shard = _adopt(runtime, txn, change, now)
    elif now - shard.opened >= runtime.config.shard_rollover:
        shard = roll_over(runtime, txn, change.stream_arn, now)
    sequence = shard.append(txn, records.build(change, now))
    txn.on_commit(partial(notifier(runtime).published, change.stream_arn, sequence))


def enable(runtime: Runtime, txn: Any, event: StreamEnabled) -> None:
    """A new stream: its document and its first shard, open from now."""
    now = clock.now()
    writers(runtime).changing(txn, event.stream_arn)
    document = {
        "StreamArn": event.stream_arn,
        "StreamLabel": event.label,
        "TableName": event.table_name,
        "StreamViewType": event.view_type,
        "KeySchema": event.key_schema,
        "CreationRequestDateTime": event.created,
        "StreamStatus": "ENABLED",
        "space": txn.new_space(),
        "shards": [],
    }
    _open_child(document, None, streams.sequence_of(1), now)
    streams.save(txn, document)


def disable(runtime: Runtime, txn: Any, stream_arn: str) -> None:
    """The table's stream was switched off (or the table deleted): close its open shard.

    The stream stays readable, DISABLED, until retention has removed its records.
    """
    document = streams.load(txn, stream_arn)
    if document is None or document["StreamStatus"] == "DISABLED":
        return
    shard = writers(runtime).open_shard(txn, stream_arn)
    writers(runtime).changing(txn, stream_arn)
    _close(streams.open_shard(document), shard.last, clock.now())
    document["StreamStatus"] = "DISABLED"
    streams.save(txn, document)
    txn.on_commit(partial(notifier(runtime).changed, stream_arn))


def roll_over(runtime: Runtime, txn: Any, stream_arn: str, now: float) -> OpenShard:
    """Close the stream's open shard and open its child; returns the child."""
    shard = writers(runtime).open_shard(txn, stream_arn)
    document = streams.load(txn, stream_arn)
    parent = streams.open_shard(document)
    writers(runtime).changing(txn, stream_arn)
    _close(parent, shard.last, now)
    _open_child(document, parent["ShardId"], shard.last + 1, now)
    streams.save(txn, document)
    txn.on_commit(partial(notifier(runtime).changed, stream_arn))
    return writers(runtime).open_shard(txn, stream_arn)


def _adopt(runtime: Runtime, txn: Any, change: ItemChange, now: float) -> OpenShard:
    """A stream that has no document (its table's stream predates this store): make one."""
    label = change.stream_arn.rpartition("/")[2]
    kinds = ("HASH", "RANGE")
    enable(
        runtime,
        txn,
        StreamEnabled(
            account=change.account,
            region=change.region,
            table_name=change.table_name,
            stream_arn=change.stream_arn,
            label=label,
            view_type=change.view_type,
            key_schema=[
                {"AttributeName": name, "KeyType": kind}
                for name, kind in zip(change.key_names, kinds, strict=False)
            ],
            created=now,
        ),
    )
    return writers(runtime).open_shard(txn, change.stream_arn)


def _open_shard(txn: Any, document: dict[str, Any]) -> OpenShard:
    shard_doc = streams.open_shard(document)
    if shard_doc is None:
        raise RuntimeError(f"a write reached the disabled stream {document['StreamArn']}")
    last = streams.last_sequence(txn, document)
    start = int(shard_doc["start"])
    return OpenShard(
        space=document["space"],
        opened=shard_doc["opened"],
        start=start,
        last=max(start, last or 0),
    )


def _open_child(document: dict[str, Any], parent: str | None, start: int, now: float) -> None:
    millis = int(now * 1000)
    if parent is not None:
        millis = max(millis, int(parent.split("-")[1]) + 1)
    shard_doc: dict[str, Any] = {"ShardId": f"shardId-{millis:020d}-{os.urandom(4).hex()}"}
    if parent is not None:
        shard_doc["ParentShardId"] = parent
    shard_doc.update(start=str(start), opened=now)
    document["shards"].append(shard_doc)


def _close(shard_doc: dict[str, Any], end: int, now: float) -> None:
    shard_doc["end"] = str(end)
    shard_doc["closed"] = now
