"""Pages of SES's list operations (v1 and v2): stored documents by name, and list results."""

from __future__ import annotations

from typing import Any


def by_name(
    txn: Any,
    namespace: str,
    account: str,
    region: str,
    after: str | None,
    limit: int | None,
    most: int,
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to `limit` (at least 1, at most `most`) documents of `namespace`, keyed
    `<account>/<region>/<name>`, in name order after the name `after`; and the name the next
    page starts after (None on the last page)."""
    prefix = f"{account}/{region}/"
    size = max(1, min(limit or most, most))
    start = prefix + after if after else None
    records = [record for _, record in txn.list_docs(namespace, prefix, start, size + 1)]
    if len(records) > size:
        return records[:size], records[size - 1]["name"]
    return records, None


def listing(member: str, items: list[Any], token: str | None) -> dict[str, Any]:
    """`items` under `member`, with the `NextToken` of the next page when there is one."""
    result: dict[str, Any] = {member: items}
    if token is not None:
        result["NextToken"] = token
    return result
