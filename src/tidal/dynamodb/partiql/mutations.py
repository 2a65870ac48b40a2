"""Running one single-item statement (INSERT, UPDATE, DELETE, EXISTS, or a keyed SELECT)
against the store, through the one write path (`writes.read` / `writes.write`).

Every check comes before the write, so a statement that fails leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tidal.core.context import RequestContext
from tidal.core.errors import ValidationException
from tidal.dynamodb import capacity, item_collections, types
from tidal.dynamodb.errors import ConditionalCheckFailedException
from tidal.dynamodb.item_keys import check_index_keys
from tidal.dynamodb.items import MAX_ITEM_SIZE, UPDATE_TOO_LARGE, updated_attributes
from tidal.dynamodb.schema import Index
from tidal.dynamodb.writes import read, write

from .errors import DUPLICATE_ITEM, DuplicateItemException
from .statements import Get, Write

Item = dict[str, Any]


@dataclass(slots=True)
class Outcome:
    item: Item | None
    """What RETURNING asked for, or the item a keyed SELECT read."""
    units: float
    index_units: dict[Index, float] = field(default_factory=dict)


def apply(ctx: RequestContext, txn: Any, op: Write) -> Outcome:
    """Run a write; raises ConditionalCheckFailedException, DuplicateItemException or
    ValidationException (with nothing written)."""
    old = read(txn, op.table, *op.stored)
    if op.action == "insert":
        if old is not None:
            raise DuplicateItemException(DUPLICATE_ITEM)
        return _write(ctx, txn, op, old, op.item, None)
    if op.action == "check":
        if old is None or not op.condition.evaluate(old):  # type: ignore[union-attr]
            _fail(op, old)
        return Outcome(None, capacity.write_units(types.item_size(old)))  # type: ignore[arg-type]
    if op.condition is not None and not op.condition.evaluate(old):
        _fail(op, old)
    if op.action == "delete":
        returned = old if op.return_values == "ALL_OLD" else None
        return _write(ctx, txn, op, old, None, returned)
    new, paths = op.update.apply(old, item_exists=True)  # type: ignore[union-attr,arg-type]
    check_index_keys(op.table, new)
    if types.item_size(new) > MAX_ITEM_SIZE:
        raise ValidationException(UPDATE_TOO_LARGE)
    return _write(ctx, txn, op, old, new, updated_attributes(op.return_values, old, new, paths))


def get(txn: Any, op: Get) -> tuple[Item | None, int]:
    """The item a keyed SELECT reads (projected), and the size it is charged for."""
    item = read(txn, op.table, *op.stored)
    if item is None:
        return None, 0
    projected = op.projection.apply(item) if op.projection is not None else item
    return projected, types.item_size(item)


def _write(
    ctx: RequestContext, txn: Any, op: Write, old: Item | None, new: Item | None, returned: Any
) -> Outcome:
    item_collections.check_growth(txn, op.table, op.stored[0], old, new)
    spent = write(txn, ctx.runtime, op.table, op.stored, old, new)
    sizes = [types.item_size(item) for item in (old, new) if item is not None]
    return Outcome(returned or None, capacity.write_units(*sizes), spent)


def _fail(op: Write, old: Item | None) -> None:
    fields = {}
    if op.on_failure == "ALL_OLD" and old:
        fields["Item"] = old
    raise ConditionalCheckFailedException("The conditional request failed", **fields)
