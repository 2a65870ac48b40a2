"""ExecuteStatement: one PartiQL statement, a paged read or a single-item write.

`parse_statement` reads the request without touching the store (so the caller knows whether
it needs a write transaction); `execute_statement` runs it in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tidal.core.context import RequestContext
from tidal.core.errors import ValidationException
from tidal.dynamodb.catalog import Catalog
from tidal.dynamodb.items import write_capacity
from tidal.dynamodb.schema import Table

from . import ast, mutations, reads, tokens
from .parser import parse
from .statements import Read, Statement, kind_of, prepare

INSERT_QUERY = (
    "Unsupported operation: Inserting multiple items in a single statement is not supported, "
    'use "INSERT INTO tableName VALUE item" instead'
)
EXISTS_OUTSIDE_TRANSACTION = "EXISTS can only be used in ExecuteTransaction write requests."
# The names DynamoDB gives expressions that are no statement ("Unsupported operation: Eq").
BINARY_NAMES = {
    "+": "Plus", "-": "Minus", "*": "Times", "/": "Divide", "%": "Modulo", "||": "Concat",
    "and": "And", "or": "Or", "=": "Eq", "<>": "Ne", "<": "Lt", "<=": "Lte", ">": "Gt",
    ">=": "Gte", "in": "InCollection", "like": "Like", "union": "Union",
    "intersect": "Intersect", "except": "Except",
}  # fmt: skip
NODE_NAMES = {
    ast.Name: "Id",
    ast.Parameter: "Parameter",
    ast.Path: "Path",
    ast.Call: "Call",
    ast.Between: "Between",
    ast.Is: "IsType",
    ast.Struct: "Struct",
}


@dataclass(frozen=True, slots=True)
class Parsed:
    statement: Statement
    node: Any
    kind: str

    @property
    def reads(self) -> bool:
        return self.kind == "select"


def parse_statement(params: dict[str, Any]) -> Parsed:
    statement = Statement(
        params["Statement"],
        params.get("Parameters"),
        bool(params.get("ConsistentRead")),
        params.get("ReturnValuesOnConditionCheckFailure"),
    )
    node = parse(statement.text)
    kind = kind_of(node)
    if kind == "exists":
        raise ValidationException(EXISTS_OUTSIDE_TRANSACTION)
    if kind == "insert_query":
        raise ValidationException(INSERT_QUERY)
    if kind == "other":
        raise ValidationException(f"Unsupported operation: {expression_name(node)}")
    return Parsed(statement, node, kind)


def execute_statement(
    ctx: RequestContext, txn: Any, parsed: Parsed, params: dict[str, Any]
) -> dict[str, Any]:
    operation = prepare(parsed.node, parsed.statement, tables(ctx, txn), "statement")
    if isinstance(operation, Read):
        return _read(ctx, txn, operation, parsed.statement, params)
    outcome = mutations.apply(ctx, txn, operation)
    result: dict[str, Any] = {"Items": [outcome.item] if outcome.item else []}
    mode = params.get("ReturnConsumedCapacity")
    consumed = write_capacity(mode, operation.table, outcome.units, outcome.index_units)
    if consumed:
        result["ConsumedCapacity"] = consumed
    return result


def _read(
    ctx: RequestContext, txn: Any, plan: Read, statement: Statement, params: dict[str, Any]
) -> dict[str, Any]:
    request = tokens.request_hash(ctx.account, ctx.region, statement.text, statement.parameters)
    token = params.get("NextToken")
    start = tokens.resume(token, request) if token is not None else None
    result, last = reads.read_page(txn, plan, params, start)
    if last is not None:
        result["NextToken"] = tokens.mint(request, last)
    return result


def tables(ctx: RequestContext, txn: Any) -> Callable[[str], Table]:
    catalog = ctx.runtime.room("dynamodb", Catalog)
    return lambda name: catalog.get(txn, ctx.account, ctx.region, name)


def expression_name(node: Any) -> str:
    """The name DynamoDB gives a kind of expression."""
    if isinstance(node, ast.Literal):
        return "Missing" if node.kind == "missing" else "Lit"
    if isinstance(node, ast.Binary):
        return BINARY_NAMES.get(node.op, "Not")
    if isinstance(node, ast.Unary):
        return {"not": "Not", "-": "Neg", "+": "Pos"}.get(node.op, "Id")
    if isinstance(node, ast.Collection):
        return node.kind.capitalize()
    if isinstance(node, ast.Between | ast.Is) and node.negated:
        return "Not"
    return NODE_NAMES.get(type(node), type(node).__name__)
