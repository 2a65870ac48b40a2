"""How other rooms write logs in-process (Lambda's function logs), without the wire API."""

from __future__ import annotations

from typing import Any

from tidal.logs import events as rows
from tidal.logs import groups, streams


def put_events(
    txn: Any, account: str, region: str, group: str, stream: str, events: list[tuple[int, str]]
) -> None:
    """Append `events` (timestamp in epoch ms, message) to the stream, in their order.

    Creates the group and the stream if they do not exist yet, as Lambda does the first time
    a function logs. The input is trusted (well-formed, in time order): none of PutLogEvents'
    checks apply. Runs inside the caller's write transaction.
    """
    group_doc = groups.load(txn, account, region, group)
    if group_doc is None:
        group_doc = groups.create(txn, account, region, group)
    stream_doc = streams.load(txn, account, region, group, stream)
    if stream_doc is None:
        stream_doc = streams.create(txn, account, region, group_doc, stream)
    rows.append(txn, group_doc, stream_doc, events, groups.now_ms())
    groups.save(txn, account, region, group_doc)
    streams.save(txn, account, region, group, stream_doc)
