"""ClientRequestToken of TransactWriteItems: the same request sent again with the same token
within 10 minutes of the first is answered again without writing again; the same token with
other parameters is refused (BC `TransactWriteItemsInput.ClientRequestToken`).

A token is a document in the store, written in the transaction that made the writes, so a
cancelled or failed request leaves no token behind. It keeps a fingerprint of the request (all
its parameters but the token, whatever their order: localstack issue #6529 quotes AWS) and
the response the request got. An expired token is ignored when met and overwritten by the
next request that uses it; writing a token also deletes a few expired ones, oldest first,
through a second namespace ordered by expiry time.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from tidal.core import clock
from tidal.dynamodb.errors import IdempotentParameterMismatchException

TOKENS = "dynamodb/tokens"
EXPIRIES = "dynamodb/token-expiries"
WINDOW_SECONDS = 600.0
PURGE_BATCH = 8
# BC's description of the exception: no AWS response quoting its message was found.
MISMATCH = (
    "DynamoDB rejected the request because you retried a request with a different payload "
    "but with an idempotent token that was already used."
)


def fingerprint(params: dict[str, Any]) -> str:
    request = {name: value for name, value in params.items() if name != "ClientRequestToken"}
    return hashlib.blake2b(orjson.dumps(request, option=orjson.OPT_SORT_KEYS)).hexdigest()


def recall(txn: Any, account: str, region: str, token: str, request: str) -> dict[str, Any] | None:
    """The response that `token`'s first request got, while the token lives.

    Raises IdempotentParameterMismatchException when that request's fingerprint was not
    `request`.
    """
    remembered = txn.get_doc(TOKENS, _key(account, region, token))
    if remembered is None or remembered["expires"] <= clock.now():
        return None
    if remembered["fingerprint"] != request:
        raise IdempotentParameterMismatchException(MISMATCH)
    return remembered["response"]


def remember(
    txn: Any, account: str, region: str, token: str, request: str, response: dict[str, Any]
) -> None:
    now = clock.now()
    _purge(txn, now)
    key = _key(account, region, token)
    expires = now + WINDOW_SECONDS
    txn.put_doc(TOKENS, key, {"fingerprint": request, "expires": expires, "response": response})
    txn.put_doc(EXPIRIES, f"{expires:020.6f} {key}", {"token": key, "expires": expires})


def _purge(txn: Any, now: float) -> None:
    for entry, expiry in txn.list_docs(EXPIRIES, limit=PURGE_BATCH):
        if expiry["expires"] > now:
            return
        txn.delete_doc(EXPIRIES, entry)
        remembered = txn.get_doc(TOKENS, expiry["token"])
        if remembered is not None and remembered["expires"] == expiry["expires"]:
            txn.delete_doc(TOKENS, expiry["token"])


def _key(account: str, region: str, token: str) -> str:
    return f"{account}:{region}:{token}"
