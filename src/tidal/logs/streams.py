"""Log streams: one document each, keyed by account, region, group and name.

Group names cannot hold `:`, so `<group>:` prefixes exactly the streams of one group, in
name order. A stream's events live in its group's keyspace under the stream's `id`, a
number the group hands out once: a stream deleted and created again under the same name
starts empty, and the events of the deleted one are purged in the background (the group
lists its id in `dead`). `first`/`last`/`ingested` are the smallest and largest event
timestamps and the latest ingestion time, kept by every append.
"""

from __future__ import annotations

from typing import Any

from tidal.core import arns
from tidal.logs import errors, groups, pages

NAMESPACE = "logs.streams"
DESCRIBE_LIMIT = 50
LAST_EVENT_TIME = "LastEventTime"


def key_of(account: str, region: str, group: str, name: str) -> str:
    return f"{account}/{region}/{group}:{name}"


def arn_of(account: str, region: str, group: str, name: str) -> str:
    return arns.arn("logs", region, account, f"log-group:{group}:log-stream:{name}")


def load(txn: Any, account: str, region: str, group: str, name: str) -> dict[str, Any] | None:
    return txn.get_doc(NAMESPACE, key_of(account, region, group, name))


def require(txn: Any, account: str, region: str, group: str, name: str) -> dict[str, Any]:
    groups.check_name(name)
    stream = load(txn, account, region, group, name)
    if stream is None:
        raise errors.stream_not_found()
    return stream


def save(txn: Any, account: str, region: str, group: str, stream: dict[str, Any]) -> None:
    txn.put_doc(NAMESPACE, key_of(account, region, group, stream["name"]), stream)


def create(txn: Any, account: str, region: str, group: dict[str, Any], name: str) -> dict[str, Any]:
    """A new empty stream; the caller saves `group`, whose stream counter moved on."""
    groups.check_name(name)
    if load(txn, account, region, group["name"], name) is not None:
        raise errors.stream_exists()
    stream = {"name": name, "id": group["nextStream"], "created": groups.now_ms()}
    group["nextStream"] += 1
    save(txn, account, region, group["name"], stream)
    return stream


def delete(txn: Any, account: str, region: str, group: dict[str, Any], name: str) -> None:
    """Forget the stream; the caller saves `group`, which now lists its events to purge."""
    stream = require(txn, account, region, group["name"], name)
    txn.delete_doc(NAMESPACE, key_of(account, region, group["name"], name))
    group["dead"].append(stream["id"])


def delete_all(txn: Any, account: str, region: str, group: str) -> None:
    for key, _ in list_all(txn, account, region, group):
        txn.delete_doc(NAMESPACE, key)


def list_all(
    txn: Any, account: str, region: str, group: str, prefix: str = ""
) -> list[tuple[str, dict[str, Any]]]:
    """`(key, document)` of the group's streams whose names start with `prefix`, by name."""
    return txn.list_docs(NAMESPACE, key_of(account, region, group, prefix))


def describe(
    txn: Any, account: str, region: str, group: str, params: dict[str, Any]
) -> dict[str, Any]:
    prefix = params.get("logStreamNamePrefix")
    by_time = params.get("orderBy") == LAST_EVENT_TIME
    if by_time and prefix is not None:
        raise errors.invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
    limit = params.get("limit", DESCRIBE_LIMIT)
    descending = bool(params.get("descending"))
    after = pages.decode(params.get("nextToken"), "s")
    if by_time or descending:
        found = _sorted_page(txn, account, region, group, prefix, by_time, descending, after)
    else:
        found = _name_page(txn, account, region, group, prefix or "", after, limit + 1)
    result: dict[str, Any] = {
        "logStreams": [view(account, region, group, stream) for stream in found[:limit]]
    }
    if len(found) > limit:
        result["nextToken"] = pages.encode("s", *_position(found[limit - 1], by_time))
    return result


def _name_page(
    txn: Any, account: str, region: str, group: str, prefix: str, after: Any, count: int
) -> list[dict[str, Any]]:
    if after is not None and not isinstance(after, str):
        raise errors.bad_token()
    start = None if after is None else key_of(account, region, group, after)
    return [
        stream
        for _, stream in txn.list_docs(
            NAMESPACE, key_of(account, region, group, prefix), start, count
        )
    ]


def _sorted_page(
    txn: Any,
    account: str,
    region: str,
    group: str,
    prefix: str | None,
    by_time: bool,
    descending: bool,
    after: Any,
) -> list[dict[str, Any]]:
    """All the streams in the order asked, from just after the token's position."""
    ordered = sorted(
        (stream for _, stream in list_all(txn, account, region, group, prefix or "")),
        key=lambda stream: _position(stream, by_time),
        reverse=descending,
    )
    if after is None:
        return ordered
    mark = after if isinstance(after, list) else [after]
    if [type(part) for part in mark] != ([int, str] if by_time else [str]):
        raise errors.bad_token()
    return [
        stream
        for stream in ordered
        if (_position(stream, by_time) < mark if descending else _position(stream, by_time) > mark)
    ]


def _position(stream: dict[str, Any], by_time: bool) -> list[Any]:
    return [stream.get("last", -1), stream["name"]] if by_time else [stream["name"]]


def view(account: str, region: str, group: str, stream: dict[str, Any]) -> dict[str, Any]:
    """A stream as DescribeLogStreams shows it: event times only once it has events."""
    shown: dict[str, Any] = {"logStreamName": stream["name"], "creationTime": stream["created"]}
    if "first" in stream:
        shown["firstEventTimestamp"] = stream["first"]
        shown["lastEventTimestamp"] = stream["last"]
        shown["lastIngestionTime"] = stream["ingested"]
        shown["uploadSequenceToken"] = stream["token"]
    shown["arn"] = arn_of(account, region, group, stream["name"])
    shown["storedBytes"] = 0
    return shown
