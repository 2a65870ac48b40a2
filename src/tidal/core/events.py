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


@dataclass(frozen=True, slots=True)
class ItemChange:
    """A DynamoDB item write on a table with a stream enabled (`old`/`new` None = absent)."""

    account: str
    region: str
    table_name: str
    stream_arn: str
    view_type: str
    key_names: tuple[str, ...]
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    identity: dict[str, str] | None = None


class Hooks:
    def __init__(self) -> None:
        self._subscribers: dict[str, list[Callable[..., None]]] = defaultdict(list)

    def subscribe(self, topic: str, subscriber: Callable[..., None]) -> None:
        self._subscribers[topic].append(subscriber)

    def publish(self, topic: str, *args: Any) -> None:
        for subscriber in self._subscribers.get(topic, ()):
            subscriber(*args)
