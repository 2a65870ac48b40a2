"""Sending quota and statistics: one small entry per accepted message, kept two weeks.

SES counts recipients, not messages, against the daily quota ("an email to five
recipients counts as five"), and reports delivery attempts in 15-minute data points for
the last two weeks. Clearing the mailbox does not change them, as on SES.
"""

from __future__ import annotations

from typing import Any

from tidal.core import clock

NS = "ses.sends"
MAX_24_HOUR_SEND = 200.0
MAX_SEND_RATE = 1.0
DAY = 86400.0
RETENTION = 14 * DAY
INTERVAL = 15 * 60


def record(txn: Any, account: str, region: str, message_id: str, sent: float, count: int) -> None:
    prefix = _prefix(account, region)
    txn.put_doc(NS, f"{prefix}{_moment(sent)}/{message_id}", {"at": sent, "recipients": count})
    for key, _ in txn.list_docs(NS, prefix, limit=16):
        if key < f"{prefix}{_moment(sent - RETENTION)}":
            txn.delete_doc(NS, key)


def quota(txn: Any, account: str, region: str) -> dict[str, float]:
    sent = sum(entry["recipients"] for entry in _since(txn, account, region, clock.now() - DAY))
    return {
        "Max24HourSend": MAX_24_HOUR_SEND,
        "MaxSendRate": MAX_SEND_RATE,
        "SentLast24Hours": float(sent),
    }


def data_points(txn: Any, account: str, region: str) -> list[dict[str, Any]]:
    """One point per 15-minute interval that saw a send in the last two weeks, oldest first."""
    attempts: dict[int, int] = {}
    for entry in _since(txn, account, region, clock.now() - RETENTION):
        start = int(entry["at"] // INTERVAL * INTERVAL)
        attempts[start] = attempts.get(start, 0) + entry["recipients"]
    return [
        {
            "Timestamp": float(start),
            "DeliveryAttempts": count,
            "Bounces": 0,
            "Complaints": 0,
            "Rejects": 0,
        }
        for start, count in sorted(attempts.items())
    ]


def _since(txn: Any, account: str, region: str, start: float) -> list[dict[str, Any]]:
    prefix = _prefix(account, region)
    after = f"{prefix}{_moment(start)}"
    return [entry for _, entry in txn.list_docs(NS, prefix, after=after)]


def _prefix(account: str, region: str) -> str:
    return f"{account}/{region}/"


def _moment(epoch: float) -> str:
    return f"{max(int(epoch * 1000), 0):015d}"
