"""Table descriptions: documents in the store, cached as `Table` views between requests."""

from __future__ import annotations

from typing import Any

from tidal.core.arns import parse_arn
from tidal.core.errors import ValidationException
from tidal.dynamodb.errors import AccessDeniedException, ResourceNotFoundException
from tidal.dynamodb.schema import Table

NAMESPACE = "dynamodb/tables"


def table_key(account: str, region: str, name: str) -> str:
    return f"{account}:{region}:{name}"


def table_name(name_or_arn: str) -> str:
    """TableName parameters accept a table ARN too."""
    if name_or_arn.startswith("arn:"):
        parts = parse_arn(name_or_arn)
        if parts and parts[3].startswith("table/"):
            return parts[3].split("/")[1]
    return name_or_arn


def check_scope(name_or_arn: str, account: str, region: str) -> None:
    """A table ARN must name the caller's own region and account."""
    if not name_or_arn.startswith("arn:"):
        return
    parts = parse_arn(name_or_arn)
    if parts is None:
        return
    if parts[1] != region:
        raise ValidationException(
            f"1 validation error detected: Invalid AWS region in '{name_or_arn}'"
        )
    if parts[2] != account:
        raise AccessDeniedException("Access is denied")


class Catalog:
    """The DynamoDB room's per-runtime state: a cache of `Table` views, refreshed after commits."""

    def __init__(self) -> None:
        self._tables: dict[str, Table] = {}

    def find(self, txn: Any, account: str, region: str, name: str) -> Table | None:
        check_scope(name, account, region)
        key = table_key(account, region, table_name(name))
        table = self._tables.get(key)
        if table is None:
            description = txn.get_doc(NAMESPACE, key)
            if description is None:
                return None
            table = self._tables[key] = Table.of(description)
        return table

    def get(self, txn: Any, account: str, region: str, name: str) -> Table:
        """A table for a data-plane operation (AWS's terse not-found message)."""
        table = self.find(txn, account, region, name)
        if table is None:
            raise ResourceNotFoundException("Requested resource not found")
        return table

    def described(self, txn: Any, account: str, region: str, name: str) -> Table:
        """A table for a control-plane operation (the not-found message names the table)."""
        table = self.find(txn, account, region, name)
        if table is None:
            raise ResourceNotFoundException(
                f"Requested resource not found: Table: {table_name(name)} not found"
            )
        return table

    def save(self, txn: Any, account: str, region: str, description: dict[str, Any]) -> None:
        key = table_key(account, region, description["TableName"])
        txn.put_doc(NAMESPACE, key, description)
        txn.on_commit(lambda: self._tables.pop(key, None))
        self._tables.pop(key, None)

    def remove(self, txn: Any, account: str, region: str, name: str) -> None:
        key = table_key(account, region, name)
        txn.delete_doc(NAMESPACE, key)
        txn.on_commit(lambda: self._tables.pop(key, None))
        self._tables.pop(key, None)

    def names(
        self, txn: Any, account: str, region: str, after: str | None, limit: int | None
    ) -> list[str]:
        prefix = table_key(account, region, "")
        rows = txn.list_docs(NAMESPACE, prefix, after and prefix + after, limit)
        return [key[len(prefix) :] for key, _ in rows]
