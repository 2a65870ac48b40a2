"""The mailbox over HTTP, under `/_tidal/ses/messages` (Tidal's own endpoints, not AWS's).

- `GET /_tidal/ses/messages`: `{"messages": [...]}`, newest first; filters `to` (or `recipient`),
  `from` (or `source`), `since` (ISO 8601 or epoch seconds), `account`, `region`, `limit`.
- `GET /_tidal/ses/messages/{id}`: one message as JSON; `…/{id}.eml`: its raw MIME.
- `DELETE /_tidal/ses/messages` (same filters) and `DELETE /_tidal/ses/messages/{id}`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from tidal.core.service import InternalRequest, InternalResponse
from tidal.ses import mailbox

_ID = r"(?P<id>[0-9A-Za-z-]+)"


class _BadQuery(Exception):
    pass


def list_messages(request: InternalRequest) -> InternalResponse:
    try:
        filters = _filters(request.query)
    except _BadQuery as error:
        return _json(400, {"message": str(error)})
    with request.runtime.store.transaction(write=False) as txn:
        found = mailbox.find(txn, **filters)
    return _json(200, {"messages": [mailbox.view(record) for record in found]})


def get_message(request: InternalRequest) -> InternalResponse:
    with request.runtime.store.transaction(write=False) as txn:
        record = mailbox.get(txn, request.params["id"])
    if record is None:
        return _not_found(request.params["id"])
    return _json(200, mailbox.view(record))


def get_raw(request: InternalRequest) -> InternalResponse:
    message_id = request.params["id"]
    with request.runtime.store.transaction(write=False) as txn:
        raw = mailbox.raw(txn, message_id)
    if raw is None:
        return _not_found(message_id)
    headers = [
        (b"content-type", b"message/rfc822"),
        (b"content-disposition", f'attachment; filename="{message_id}.eml"'.encode()),
    ]
    return 200, headers, raw


def delete_messages(request: InternalRequest) -> InternalResponse:
    try:
        filters = _filters(request.query)
    except _BadQuery as error:
        return _json(400, {"message": str(error)})
    with request.runtime.store.transaction(write=True) as txn:
        found = mailbox.find(txn, **filters)
        for record in found:
            mailbox.delete(txn, record["id"])
    return _json(200, {"deleted": len(found)})


def delete_message(request: InternalRequest) -> InternalResponse:
    with request.runtime.store.transaction(write=True) as txn:
        deleted = mailbox.delete(txn, request.params["id"])
    if not deleted:
        return _not_found(request.params["id"])
    return _json(200, {"deleted": 1})


ROUTES = [
    ("GET", r"/_tidal/ses/messages/?", list_messages),
    ("DELETE", r"/_tidal/ses/messages/?", delete_messages),
    ("GET", rf"/_tidal/ses/messages/{_ID}\.eml", get_raw),
    ("GET", rf"/_tidal/ses/messages/{_ID}", get_message),
    ("DELETE", rf"/_tidal/ses/messages/{_ID}", delete_message),
]


def _filters(query: dict[str, list[str]]) -> dict[str, Any]:
    def last(*names: str) -> str | None:
        for name in names:
            if query.get(name):
                return query[name][-1]
        return None

    since = last("since")
    limit = last("limit")
    if limit is not None and not (limit.isdigit() and int(limit) > 0):
        raise _BadQuery(f"limit must be a positive integer, not {limit!r}")
    return {
        "to": last("to", "recipient"),
        "sender": last("from", "source"),
        "since": None if since is None else parse_time(since),
        "account": last("account"),
        "region": last("region"),
        "limit": None if limit is None else int(limit),
    }


def parse_time(text: str) -> float:
    """Epoch seconds of `1715000000`, `1715000000.5` or an ISO 8601 time (UTC unless it says)."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _BadQuery(f"since must be an ISO 8601 time or epoch seconds, not {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _not_found(message_id: str) -> InternalResponse:
    return _json(404, {"message": f"no message {message_id} in the mailbox"})


def _json(status: int, document: Any) -> InternalResponse:
    return status, [(b"content-type", b"application/json")], orjson.dumps(document)
