"""Stream records: what one change to an item looks like in its table's stream.

A record is built once, when the change commits, as the JSON bytes GetRecords returns
(reference/streams.md §4): `ApproximateCreationDateTime` whole epoch seconds as a JSON
floating-point number (AWS sends `1.684934517E9`), `Keys` always, `NewImage`/`OldImage` as
the view type says, `SizeBytes` the DynamoDB item size of those maps together (the
publisher's `ItemChange.size_bytes`). Its sequence number is its position in the stream's
log, known only once it is stored: the stored JSON holds an empty `SequenceNumber` that
`numbered` fills in on the way out. A write that leaves the item as it was (a put of the
same item, an update that changes nothing) has no record (§5).
"""

from __future__ import annotations

import os
from typing import Any

import orjson

from tidal.core.events import SHOWS_NEW_IMAGE, SHOWS_OLD_IMAGE, ItemChange

EVENT_VERSION = "1.1"
EVENT_SOURCE = "aws:dynamodb"
_UNNUMBERED = b'"SequenceNumber":""'
_SETS = frozenset(("SS", "NS", "BS"))


def changes_item(change: ItemChange) -> bool:
    """Whether the write changed the item: only then does its stream get a record."""
    old, new = change.old, change.new
    if old is None or new is None:
        return old is not new
    return not (old == new or _same_item(old, new))


def build(change: ItemChange, now: float) -> bytes:
    """The record of `change` made at `now`, as GetRecords shows it but not numbered yet."""
    old, new = change.old, change.new
    image = new if new is not None else old
    keys = {name: image[name] for name in change.key_names}
    body: dict[str, Any] = {"ApproximateCreationDateTime": float(int(now)), "Keys": keys}
    if new is not None and change.view_type in SHOWS_NEW_IMAGE:
        body["NewImage"] = new
    if old is not None and change.view_type in SHOWS_OLD_IMAGE:
        body["OldImage"] = old
    body["SequenceNumber"] = ""
    body["SizeBytes"] = change.size_bytes
    body["StreamViewType"] = change.view_type
    record: dict[str, Any] = {
        "eventID": os.urandom(16).hex(),
        "eventName": "INSERT" if old is None else "REMOVE" if new is None else "MODIFY",
        "eventVersion": EVENT_VERSION,
        "eventSource": EVENT_SOURCE,
        "awsRegion": change.region,
        "dynamodb": body,
    }
    if change.identity:
        record["userIdentity"] = change.identity
    return orjson.dumps(record)


def numbered(record: bytes, sequence: int) -> bytes:
    """A stored record with its sequence number filled in.

    The first match is the envelope's: in the images every name is followed by a typed
    value (`{`), never by a string.
    """
    return record.replace(_UNNUMBERED, b'"SequenceNumber":"%d"' % sequence, 1)


def created_at(record: bytes) -> float:
    """A record's ApproximateCreationDateTime (epoch seconds)."""
    return orjson.loads(record)["dynamodb"]["ApproximateCreationDateTime"]


def _same_item(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Equal items, sets compared as sets (their members may come in another order)."""
    return old.keys() == new.keys() and all(_same(old[name], new[name]) for name in old)


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a == b:
        return True
    (kind, data), (other_kind, other) = next(iter(a.items())), next(iter(b.items()))
    if kind != other_kind:
        return False
    if kind in _SETS:
        return set(data) == set(other)
    if kind == "M":
        return _same_item(data, other)
    if kind == "L":
        return len(data) == len(other) and all(map(_same, data, other))
    return False
