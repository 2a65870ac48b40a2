"""Stream records: what one change to an item looks like in its table's stream.

A record is built once, when the change commits, as the JSON bytes GetRecords returns
(reference/streams.md §4): `Keys` always, `NewImage`/`OldImage` as the view type says,
`SizeBytes` the DynamoDB item size of those maps together. A write that leaves the item as it
was (a put of the same item, an update that changes nothing) has no record (§5).
"""

from __future__ import annotations

import os
from typing import Any

import orjson

from tidal.core.events import ItemChange

EVENT_VERSION = "1.1"
EVENT_SOURCE = "aws:dynamodb"
_SHOWS_NEW = frozenset(("NEW_IMAGE", "NEW_AND_OLD_IMAGES"))
_SHOWS_OLD = frozenset(("OLD_IMAGE", "NEW_AND_OLD_IMAGES"))
_SETS = frozenset(("SS", "NS", "BS"))


def changes_item(change: ItemChange) -> bool:
    """Whether the write changed the item: only then does its stream get a record."""
    old, new = change.old, change.new
    if old is None or new is None:
        return old is not new
    return not (old == new or _same_item(old, new))


def build(change: ItemChange, sequence: str, now: float) -> bytes:
    """The record of `change` as GetRecords shows it, numbered `sequence`, made at `now`."""
    old, new = change.old, change.new
    image = new if new is not None else old
    keys = {name: image[name] for name in change.key_names}
    body: dict[str, Any] = {"ApproximateCreationDateTime": int(now), "Keys": keys}
    size = item_size(keys)
    if new is not None and change.view_type in _SHOWS_NEW:
        body["NewImage"] = new
        size += item_size(new)
    if old is not None and change.view_type in _SHOWS_OLD:
        body["OldImage"] = old
        size += item_size(old)
    body["SequenceNumber"] = sequence
    body["SizeBytes"] = size
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


def created_at(record: bytes) -> int:
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


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's size of an item: the rule of `tidal.dynamodb.types.item_size`.

    Names and values count: strings and binaries by their bytes, BOOL and NULL 1 byte, a
    list or map 3 bytes plus 1 per element (and a map its keys), a set the sum of its
    members, a number 1 byte plus 1 per pair of base-100 digits plus 1 if negative.
    """
    size = 0
    for name, value in item.items():
        size += len(name) if name.isascii() else len(name.encode())
        text = value.get("S")
        if text is not None:
            size += len(text) if text.isascii() else len(text.encode())
        else:
            size += _value_size(value)
    return size


def _value_size(value: dict[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind == "S":
        return _text_size(data)
    if kind == "N":
        return _number_size(data)
    if kind == "B":
        return _binary_size(data)
    if kind == "M":
        return 3 + sum(_text_size(k) + _value_size(v) + 1 for k, v in data.items())
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in data)
    if kind == "SS":
        return sum(map(_text_size, data))
    if kind == "NS":
        return sum(map(_number_size, data))
    if kind == "BS":
        return sum(map(_binary_size, data))
    return 1  # BOOL, NULL


def _text_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode())


def _binary_size(data: str) -> int:
    return len(data) * 3 // 4 - (len(data) - len(data.rstrip("=")))


def _number_size(text: str) -> int:
    negative = text[0] == "-"
    body = text[1:] if negative else text
    if body == "0":
        return 1
    whole, _, fraction = body.partition(".")
    top = len(whole) - 1 if whole != "0" else len(fraction.lstrip("0")) - len(fraction) - 1
    bottom = -len(fraction) if fraction else len(whole) - len(whole.rstrip("0"))
    return top // 2 - bottom // 2 + 2 + negative
