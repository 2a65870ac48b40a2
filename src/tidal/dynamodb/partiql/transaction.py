"""ExecuteTransaction: up to 100 statements, all keyed reads or all writes (INSERT, UPDATE,
DELETE and EXISTS checks), run all-or-nothing in the request's one store transaction.

A statement DynamoDB refuses outright fails the request with "Validation failed in
TransactStatements[i]: ..."; one that fails while running (a condition, a duplicate INSERT)
cancels the transaction, with a reason per statement in request order. A ClientRequestToken
makes a write transaction idempotent for ten minutes, as for TransactWriteItems (the shared
`idempotency` module): the same token and request are answered from the stored result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidal.core.context import RequestContext
from tidal.core.errors import AWSError, ValidationException
from tidal.dynamodb import idempotency
from tidal.dynamodb.capacity import read_units
from tidal.dynamodb.consumed import Consumed
from tidal.dynamodb.transactions import (
    NO_REASON,
    SAME_ITEM,
    TRANSACTION_FACTOR,
    cancel_unless_all_none,
    validation_error,
)
from tidal.dynamodb.types import item_size
from tidal.dynamodb.writes import read

from . import ast, mutations
from .errors import MISSING_KEY_EQUALITY
from .execute import INSERT_QUERY, expression_name, tables
from .parser import parse
from .statements import Statement, Write, kind_of, prepare

MIXED = (
    "ExecuteTransaction API does not support both read and write operations in the same request."
)
UNSUPPORTED = "Unsupported operation in transaction."
RETURNING = "RETURNING clause is not supported in ExecuteTransaction."
# Refusals that cancel the transaction (a reason for the statement) rather than the request.
CANCELLING = (
    MISSING_KEY_EQUALITY,
    "Multiple conditions on same key",
    "Key attribute should be present in the item",
    "Key attribute's data type should match",
)
REASON_CODES = {
    "ConditionalCheckFailedException": "ConditionalCheckFailed",
    "DuplicateItemException": "DuplicateItem",
    "ValidationException": "ValidationError",
    "ItemCollectionSizeLimitExceededException": "ItemCollectionSizeLimitExceeded",
}
OPERATORS = (ast.Call, ast.Binary, ast.Unary, ast.Between, ast.Is)


@dataclass(frozen=True, slots=True)
class Transaction:
    statements: list[Statement]
    nodes: list[Any]
    reads: bool


def parse_transaction(params: dict[str, Any]) -> Transaction:
    statements, nodes = [], []
    reads: bool | None = None
    for number, request in enumerate(params["TransactStatements"]):
        statement = Statement(
            request["Statement"],
            request.get("Parameters"),
            on_failure=request.get("ReturnValuesOnConditionCheckFailure"),
        )
        try:
            node = parse(statement.text)
        except ValidationException as error:
            raise _refused(number, error.message) from None
        kind = kind_of(node)
        if kind == "exists" and not (len(node.args) == 1 and isinstance(node.args[0], ast.Select)):
            raise _refused(number, UNSUPPORTED)
        if kind == "insert_query":
            raise _refused(number, INSERT_QUERY)
        if kind == "other":
            message = (
                UNSUPPORTED
                if isinstance(node, OPERATORS)
                else (f"Unsupported operation: {expression_name(node)}")
            )
            raise _refused(number, message)
        if reads is None:
            reads = kind == "select"
        elif reads != (kind == "select"):
            raise ValidationException(MIXED)
        statements.append(statement)
        nodes.append(node)
    return Transaction(statements, nodes, bool(reads))


def execute_transaction(
    ctx: RequestContext, txn: Any, transaction: Transaction, params: dict[str, Any]
) -> dict[str, Any]:
    mode = params.get("ReturnConsumedCapacity")
    token = params.get("ClientRequestToken") if not transaction.reads else None
    request = idempotency.fingerprint(params) if token is not None else ""
    if token is not None:
        response = idempotency.recall(txn, ctx.account, ctx.region, token, request)
        if response is not None:
            return _replayed(ctx, txn, transaction, mode, response)
    operations = _prepare(ctx, txn, transaction)
    if transaction.reads:
        consumed = Consumed(mode, TRANSACTION_FACTOR, "ReadCapacityUnits")
        responses = []
        for operation in operations:
            item, size = mutations.get(txn, operation)
            consumed.add(operation.table.name, read_units(size, True))
            responses.append({"Item": item} if item is not None else {})
        return _with_capacity({"Responses": responses}, consumed)
    consumed = Consumed(mode, TRANSACTION_FACTOR, "WriteCapacityUnits")
    _run_writes(ctx, txn, operations, consumed)
    if token is not None:
        idempotency.remember(txn, ctx.account, ctx.region, token, request, {})
    return _with_capacity({}, consumed)


def _replayed(
    ctx: RequestContext, txn: Any, transaction: Transaction, mode: str | None, response: dict
) -> dict[str, Any]:
    """The first response again; its capacity is what reading the items costs now."""
    consumed = Consumed(mode, TRANSACTION_FACTOR, "ReadCapacityUnits")
    if consumed.wanted:
        for operation in _prepare(ctx, txn, transaction):
            item = read(txn, operation.table, *operation.stored)
            consumed.add(operation.table.name, read_units(item_size(item) if item else 0, True))
    return _with_capacity(dict(response), consumed)


def _prepare(ctx: RequestContext, txn: Any, transaction: Transaction) -> list[Any]:
    lookup = tables(ctx, txn)
    operations = []
    count = len(transaction.nodes)
    for number, (node, statement) in enumerate(
        zip(transaction.nodes, transaction.statements, strict=True)
    ):
        try:
            operation = prepare(node, statement, lookup, "transaction")
        except ValidationException as error:
            if not error.message.startswith(CANCELLING):
                raise _refused(number, error.message) from None
            reasons = [NO_REASON] * count
            reasons[number] = validation_error(error.message)
            cancel_unless_all_none(reasons)
        if isinstance(operation, Write) and operation.return_values != "NONE":
            raise _refused(number, RETURNING)
        operations.append(operation)
    keys = [(operation.table.name, operation.stored) for operation in operations]
    if len(set(keys)) != len(keys):
        raise ValidationException(SAME_ITEM)
    return operations


def _run_writes(ctx: RequestContext, txn: Any, operations: list[Write], consumed: Consumed) -> None:
    reasons: list[dict[str, Any]] = []
    for operation in operations:
        try:
            outcome = mutations.apply(ctx, txn, operation)
        except AWSError as error:
            if error.code not in REASON_CODES:
                raise
            reason = {"Code": REASON_CODES[error.code], "Message": error.message}
            if "Item" in error.fields:
                reason["Item"] = error.fields["Item"]
            reasons.append(reason)
            continue
        reasons.append(NO_REASON)
        consumed.add(operation.table.name, outcome.units, outcome.index_units)
    cancel_unless_all_none(reasons)


def _refused(number: int, message: str) -> ValidationException:
    return ValidationException(f"Validation failed in TransactStatements[{number}]: {message}")


def _with_capacity(result: dict[str, Any], consumed: Consumed) -> dict[str, Any]:
    if consumed.wanted:
        result["ConsumedCapacity"] = consumed.report()
    return result
