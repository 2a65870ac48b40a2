"""The mailbox: every message SES accepted, as the sender gave it and as it went out.

A message is a record (what the mailbox views show: addresses, subject, bodies, relay
status …) and its raw MIME, kept apart so that listing the mailbox never loads the MIME.
Message ids are SES MessageIds (`0100<12 hex of the send time in ms>-<uuid>-000000`).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from tidal.core import clock
from tidal.core.ids import new_uuid

NS = "ses.messages"
RAW_NS = "ses.raw"


def new_message_id(sent: float) -> str:
    return f"0100{int(sent * 1000):012x}-{new_uuid()}-000000"


def put(txn: Any, record: dict[str, Any], raw: bytes) -> None:
    txn.put_doc(NS, record["id"], record)
    txn.put_doc(RAW_NS, record["id"], base64.b64encode(raw).decode())


def get(txn: Any, message_id: str) -> dict[str, Any] | None:
    return txn.get_doc(NS, message_id)


def raw(txn: Any, message_id: str) -> bytes | None:
    found = txn.get_doc(RAW_NS, message_id)
    return None if found is None else base64.b64decode(found)


def update(txn: Any, message_id: str, **changes: Any) -> None:
    record = txn.get_doc(NS, message_id)
    if record is not None:
        txn.put_doc(NS, message_id, {**record, **changes})


def find(
    txn: Any,
    *,
    to: str | None = None,
    sender: str | None = None,
    since: float | None = None,
    account: str | None = None,
    region: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Records matching every given filter, newest first.

    `to` matches any To, Cc or Bcc address and `sender` the Source, both as a
    case-insensitive part of the address (`Name <a@b>`).
    """
    found = []
    for _, record in txn.list_docs(NS):
        if since is not None and record["timestamp"] < since:
            continue
        if account is not None and record["account"] != account:
            continue
        if region is not None and record["region"] != region:
            continue
        if to is not None and not _mentions(record["to"] + record["cc"] + record["bcc"], to):
            continue
        if sender is not None and not _mentions([record["source"]], sender):
            continue
        found.append(record)
    found.sort(key=lambda record: (record["timestamp"], record["id"]), reverse=True)
    return found if limit is None else found[:limit]


def delete(txn: Any, message_id: str) -> bool:
    txn.delete_doc(RAW_NS, message_id)
    return txn.delete_doc(NS, message_id)


def pending_relay(txn: Any) -> list[str]:
    """Ids of the messages whose relay has not finished, oldest first."""
    waiting = [
        record
        for _, record in txn.list_docs(NS)
        if (record.get("relay") or {}).get("status") == "pending"
    ]
    waiting.sort(key=lambda record: record["timestamp"])
    return [record["id"] for record in waiting]


def view(record: dict[str, Any]) -> dict[str, Any]:
    """The JSON form of a record, as the mailbox endpoints serve it."""
    relay = record.get("relay")
    return {
        **record,
        "timestamp": iso(record["timestamp"]),
        "relay": None if relay is None else {**relay, "updated": iso(relay["updated"])},
    }


def iso(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def relay_state(status: str, attempts: int = 0, error: str | None = None) -> dict[str, Any]:
    return {"status": status, "attempts": attempts, "error": error, "updated": clock.now()}


def _mentions(addresses: list[str], wanted: str) -> bool:
    wanted = wanted.lower()
    return any(wanted in address.lower() for address in addresses)
