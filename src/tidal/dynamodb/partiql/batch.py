"""BatchExecuteStatement: up to 25 statements, all reads (keyed SELECTs) or all writes.

Each statement succeeds or fails on its own: a failure is reported in its response entry
(`Error: {Code, Message}`, with `TableName` when the statement reached its table), never
raised. Only a batch mixing reads and writes, or naming one item twice, fails as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidal.core.context import RequestContext
from tidal.core.errors import AWSError, ValidationException
from tidal.dynamodb.capacity import read_units
from tidal.dynamodb.consumed import Consumed

from . import mutations
from .execute import EXISTS_OUTSIDE_TRANSACTION, tables
from .parser import parse
from .statements import Get, Statement, kind_of, prepare

INVALID_OPERATION = "Invalid operation. Only select, insert, update and delete operations are valid"
MIXED = "Read and write requests together in the same batch is not supported."
DUPLICATES = "Provided list of item keys contains duplicates"
# The short codes of BatchStatementError, by the exception a statement raised.
ERROR_CODES = {
    "ValidationException": "ValidationError",
    "ConditionalCheckFailedException": "ConditionalCheckFailed",
    "ResourceNotFoundException": "ResourceNotFound",
    "DuplicateItemException": "DuplicateItem",
    "AccessDeniedException": "AccessDenied",
    "ItemCollectionSizeLimitExceededException": "ItemCollectionSizeLimitExceeded",
}


@dataclass(slots=True)
class Entry:
    statement: Statement
    node: Any = None
    error: AWSError | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    entries: list[Entry]
    reads: bool


def parse_batch(params: dict[str, Any]) -> Batch:
    entries = []
    reads: bool | None = None
    for request in params["Statements"]:
        entry = Entry(
            Statement(
                request["Statement"],
                request.get("Parameters"),
                bool(request.get("ConsistentRead")),
                request.get("ReturnValuesOnConditionCheckFailure"),
            )
        )
        entries.append(entry)
        try:
            entry.node = parse(entry.statement.text)
        except ValidationException as error:
            entry.error = error
            continue
        kind = kind_of(entry.node)
        if kind not in ("select", "insert", "update", "delete"):
            message = EXISTS_OUTSIDE_TRANSACTION if kind == "exists" else INVALID_OPERATION
            entry.error = ValidationException(message)
            continue
        if reads is None:
            reads = kind == "select"
        elif reads != (kind == "select"):
            raise ValidationException(MIXED)
    return Batch(entries, bool(reads))


def batch_execute_statement(
    ctx: RequestContext, txn: Any, batch: Batch, params: dict[str, Any]
) -> dict[str, Any]:
    surface_tables = tables(ctx, txn)
    operations: list[Any] = []
    for entry in batch.entries:
        operation = None
        if entry.error is None:
            try:
                operation = prepare(entry.node, entry.statement, surface_tables, "batch")
            except AWSError as error:
                entry.error = error
        operations.append(operation)
    keys = [(op.table.name, op.stored) for op in operations if op is not None]
    if len(set(keys)) != len(keys):
        raise ValidationException(DUPLICATES)
    consumed = Consumed(params.get("ReturnConsumedCapacity"))
    responses = []
    for entry, operation in zip(batch.entries, operations, strict=True):
        if operation is None:
            responses.append({"Error": _error(entry.error)})  # type: ignore[arg-type]
            continue
        responses.append(_run(ctx, txn, operation, consumed))
    result: dict[str, Any] = {"Responses": responses}
    if consumed.wanted:
        result["ConsumedCapacity"] = consumed.report()
    return result


def _run(ctx: RequestContext, txn: Any, operation: Any, consumed: Consumed) -> dict[str, Any]:
    response: dict[str, Any] = {"TableName": operation.table.name}
    if isinstance(operation, Get):
        item, size = mutations.get(txn, operation)
        consumed.add(operation.table.name, read_units(size, operation.consistent))
        if item is not None:
            response["Item"] = item
        return response
    try:
        outcome = mutations.apply(ctx, txn, operation)
    except AWSError as error:
        response["Error"] = _error(error)
        return response
    consumed.add(operation.table.name, outcome.units, outcome.index_units)
    if outcome.item:
        response["Item"] = outcome.item
    return response


def _error(error: AWSError) -> dict[str, str]:
    return {"Code": ERROR_CODES.get(error.code, error.code), "Message": error.message}
