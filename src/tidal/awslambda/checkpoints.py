"""Checkpoints: how far each mapping has processed each shard, kept in the store.

A checkpoint is a document in `lambda/checkpoints` keyed `<UUID>/<ShardId>`:

    {"sequence": "<seq>", "drained": bool, "windows": {"<lane>": {"start", "end", "state"}}}

`sequence` is the highest sequence number below which every record of the shard is done
(delivered, filtered out, or given up on); a consumer resumes after it, so a restart
redelivers at most the batches that were in flight. `drained` marks a closed shard read to
its end: its children may start. `windows` are open tumbling windows and their state.
"""

from __future__ import annotations

from collections import deque
from typing import Any

NAMESPACE = "lambda/checkpoints"


def key(uuid: str, shard_id: str) -> str:
    return f"{uuid}/{shard_id}"


def load_all(txn: Any, uuid: str) -> dict[str, dict[str, Any]]:
    """The mapping's checkpoints by shard id."""
    prefix = f"{uuid}/"
    return {found[len(prefix) :]: document for found, document in txn.list_docs(NAMESPACE, prefix)}


def save(
    txn: Any,
    uuid: str,
    shard_id: str,
    sequence: int,
    drained: bool = False,
    windows: dict[str, Any] | None = None,
) -> None:
    document: dict[str, Any] = {"sequence": str(sequence), "drained": drained}
    if windows:
        document["windows"] = windows
    txn.put_doc(NAMESPACE, key(uuid, shard_id), document)


def forget_shard(txn: Any, uuid: str, shard_id: str) -> None:
    txn.delete_doc(NAMESPACE, key(uuid, shard_id))


def forget(txn: Any, uuid: str) -> None:
    for shard_id in load_all(txn, uuid):
        forget_shard(txn, uuid, shard_id)


class Tracker:
    """Sequence numbers handed out in order and finished in any order.

    `checkpoint` is the highest number such that it and every number handed out before it
    are finished: where a restart may resume without skipping anything.
    """

    def __init__(self, checkpoint: int) -> None:
        self.checkpoint = checkpoint
        self._open: deque[int] = deque()
        self._finished: set[int] = set()

    @property
    def pending(self) -> int:
        """Numbers handed out and not yet covered by the checkpoint."""
        return len(self._open)

    def add(self, sequence: int, finished: bool = False) -> None:
        if not self._open and finished:
            self.checkpoint = sequence
            return
        self._open.append(sequence)
        if finished:
            self._finished.add(sequence)

    def finish(self, sequences: list[int]) -> bool:
        """Mark numbers finished; returns whether the checkpoint moved."""
        self._finished.update(sequences)
        moved = False
        while self._open and self._open[0] in self._finished:
            self.checkpoint = self._open.popleft()
            self._finished.discard(self.checkpoint)
            moved = True
        return moved
