"""In-process hooks between rooms, and the contracts they carry.

A room publishes a topic; the rooms subscribed to it are called synchronously, in the
publisher's thread and inside its store transaction, so what they write commits or rolls
back with the change that caused it. Rooms never import each other for this: the server
wires subscribers when it starts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ITEM_CHANGED = "dynamodb.item_changed"
"""`(txn, ItemChange)`: an item of a table with a stream was written."""
STREAM_ENABLED = "dynamodb.stream_enabled"
"""`(txn, StreamEnabled)`: a table got a new stream (CreateTable or UpdateTable)."""
STREAM_DISABLED = "dynamodb.stream_disabled"
"""`(txn, stream_arn)`: a table's stream was switched off, or its table deleted."""

TTL_IDENTITY = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
"""The `identity` of an ItemChange that Time to Live made (its stream record's userIdentity)."""
SHOWS_NEW_IMAGE = frozenset(("NEW_IMAGE", "NEW_AND_OLD_IMAGES"))
"""The stream view types whose records show the item as it is after the change."""
SHOWS_OLD_IMAGE = frozenset(("OLD_IMAGE", "NEW_AND_OLD_IMAGES"))
"""The stream view types whose records show the item as it was before the change."""


@dataclass(frozen=True, slots=True)
class ItemChange:
    """A DynamoDB item write on a table with a stream enabled (`old`/`new` None = absent).

    `size_bytes` is the DynamoDB item size of what the stream record shows: the keys, plus
    the images its view type includes (SHOWS_NEW_IMAGE, SHOWS_OLD_IMAGE) that exist.
    `identity` names who made a change that no caller asked for: TTL_IDENTITY for TTL deletes.
    """

    account: str
    region: str
    table_name: str
    stream_arn: str
    view_type: str
    key_names: tuple[str, ...]
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    identity: dict[str, str] | None = None
    size_bytes: int = 0


@dataclass(frozen=True, slots=True)
class StreamEnabled:
    """A new stream of a table: its ARN ends in `/stream/<label>`."""

    account: str
    region: str
    table_name: str
    stream_arn: str
    label: str
    view_type: str
    key_schema: list[dict[str, str]]
    created: float


class Hooks:
    def __init__(self) -> None:
        self._subscribers: dict[str, list[Callable[..., None]]] = defaultdict(list)

    def subscribe(self, topic: str, subscriber: Callable[..., None]) -> None:
        self._subscribers[topic].append(subscriber)

    def publish(self, topic: str, *args: Any) -> None:
        for subscriber in self._subscribers.get(topic, ()):
            subscriber(*args)
