"""TransactWriteItems and TransactGetItems: all or nothing, in the caller's one transaction.

DynamoDB reports a transaction's faults in two ways, and Tidal checks them in that order:

1. What the request itself shows is a top-level error, before any item is read: a malformed
   value, an empty key value, a Put over 400 KB, an expression error, an update of a key
   attribute, a missing table, two actions on one item, more than 4 MB of items.
2. What shows only against the stored items gives that action a cancellation reason: a
   condition that does not hold (`ConditionalCheckFailed`), a key of the wrong type or shape,
   an Update that makes an item too large or sets an index key of the wrong type
   (`ValidationError`), a full item collection (`ItemCollectionSizeLimitExceeded`). Every
   action is evaluated; if any has a reason, TransactionCanceledException lists one reason per
   action in request order (`{"Code": "None"}` for the others) and nothing is written.

Only then does each action write, through `writes.write`.

Sources: nubo-db/dynamodb-conformance tests/tier3/error-messages/transact{Write,Get}Items.test.ts,
tests/tier2/transactions/, tests/tier3/limits/itemSizeBySurface.test.ts (captured on AWS);
getmoto/moto tests marked aws_verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from tidal.core.context import RequestContext
from tidal.core.errors import ValidationException
from tidal.dynamodb import capacity, idempotency, item_collections, types
from tidal.dynamodb.batch import KEY_MISMATCH, has_key_schema
from tidal.dynamodb.consumed import Consumed
from tidal.dynamodb.errors import TransactionCanceledException
from tidal.dynamodb.expression_params import Bound, bind
from tidal.dynamodb.item_keys import (
    check_index_keys,
    item_key,
    refuse_nested_key_paths,
    request_key,
)
from tidal.dynamodb.items import (
    ITEM_TOO_LARGE,
    MAX_ITEM_SIZE,
    UPDATE_TOO_LARGE,
    catalog,
    check_update_targets,
)
from tidal.dynamodb.schema import Table
from tidal.dynamodb.writes import read, write

MAX_TRANSACTION_BYTES = 4 * 1024 * 1024
TRANSACTION_FACTOR = 2.0

WRITE_ACTIONS = ("ConditionCheck", "Put", "Delete", "Update")
EXPRESSIONS = {
    "ConditionCheck": ("ConditionExpression",),
    "Put": ("ConditionExpression",),
    "Delete": ("ConditionExpression",),
    "Update": ("UpdateExpression", "ConditionExpression"),
    "Get": ("ProjectionExpression",),
}
ONE_ACTION = "TransactItems can only contain one of Check, Put, Update or Delete"
SAME_ITEM = "Transaction request cannot include multiple operations on one item"
TOO_LARGE = (
    "Collection size of items exceeded, which can also be caused by the aggregate size of "
    "the items in the transaction exceeding the 4MB limit"
)
CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]"
CONDITION_FAILED = "The conditional request failed"
EMPTY_UPDATED_INDEX_KEY = (
    "One or more parameter values are not valid. The update expression attempted to update a "
    "secondary index key to a value that is not supported. The AttributeValue for a key "
    "attribute cannot contain an empty {} value."
)
NO_REASON = {"Code": "None"}


@dataclass(slots=True)
class _Action:
    kind: str
    name: str
    """The table as the request named it (a name or an ARN): responses use this."""
    table: Table
    params: dict[str, Any]
    values: dict[str, Any]
    """The validated item of a Put, or the key of the other actions."""
    bound: Bound
    key: tuple[bytes, bytes] | None = None
    problem: str | None = None
    """Why the action is a ValidationError, found before reading (e.g. a key of the wrong type)."""
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None


def transact_write_items(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    token = params.get("ClientRequestToken")
    request = idempotency.fingerprint(params) if token is not None else ""
    if token is not None:
        response = idempotency.recall(txn, ctx.account, ctx.region, token, request)
        if response is not None:
            return _replayed(ctx, txn, params, response)
    actions = [_prepare_write(ctx, txn, item) for item in params["TransactItems"]]
    _refuse_same_item(actions)
    reasons = [_evaluate_write(txn, action) for action in actions]
    if sum(_transaction_size(action) for action in actions) > MAX_TRANSACTION_BYTES:
        raise ValidationException(TOO_LARGE)
    cancel_unless_all_none(reasons)
    consumed = Consumed(
        params.get("ReturnConsumedCapacity"), TRANSACTION_FACTOR, "WriteCapacityUnits"
    )
    for action in actions:
        _apply(ctx, txn, action, consumed)
    response: dict[str, Any] = {}
    metrics = _collection_metrics(txn, params, actions)
    if metrics:
        response["ItemCollectionMetrics"] = metrics
    if token is not None:
        idempotency.remember(txn, ctx.account, ctx.region, token, request, response)
    if consumed.wanted:
        return {**response, "ConsumedCapacity": consumed.report()}
    return response


def transact_get_items(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    actions = [_prepare(ctx, txn, "Get", item["Get"]) for item in params["TransactItems"]]
    _refuse_same_item(actions)
    reasons = []
    for action in actions:
        if action.problem is not None:
            reasons.append(validation_error(action.problem))
            continue
        action.old = read(txn, action.table, *action.key)
        reasons.append(NO_REASON)
    cancel_unless_all_none(reasons)
    sizes = [types.item_size(action.old) if action.old else 0 for action in actions]
    if sum(sizes) > MAX_TRANSACTION_BYTES:
        raise ValidationException(TOO_LARGE)
    consumed = Consumed(
        params.get("ReturnConsumedCapacity"), TRANSACTION_FACTOR, "ReadCapacityUnits"
    )
    responses = []
    for action, size in zip(actions, sizes, strict=True):
        consumed.add(action.name, capacity.read_units(size, consistent=True))
        projection = action.bound.projection
        if action.old is None:
            responses.append({})
        else:
            responses.append({"Item": projection.apply(action.old) if projection else action.old})
    result: dict[str, Any] = {"Responses": responses}
    if consumed.wanted:
        result["ConsumedCapacity"] = consumed.report()
    return result


# step 1: what the request shows


def _prepare_write(ctx: RequestContext, txn: Any, transact_item: dict[str, Any]) -> _Action:
    kinds = [kind for kind in WRITE_ACTIONS if transact_item.get(kind) is not None]
    if len(kinds) != 1:
        raise ValidationException(ONE_ACTION)
    return _prepare(ctx, txn, kinds[0], transact_item[kinds[0]])


def _prepare(ctx: RequestContext, txn: Any, kind: str, params: dict[str, Any]) -> _Action:
    values = types.validate_item(params["Item"] if kind == "Put" else params["Key"])
    bound = bind(params, EXPRESSIONS[kind])
    table = catalog(ctx).get(txn, ctx.account, ctx.region, params["TableName"])
    action = _Action(kind, params["TableName"], table, params, values, bound)
    if kind == "Put":
        _prepare_put(action)
    elif has_key_schema(table, values) and len(values) == len(table.keys.names):
        action.key = request_key(table, values)
    else:
        action.problem = KEY_MISMATCH
    if bound.update is not None:
        check_update_targets(table, bound.update)
    if bound.projection is not None:
        refuse_nested_key_paths(table, bound.projection.paths)
    return action


def _prepare_put(action: _Action) -> None:
    item, table = action.values, action.table
    if types.item_size(item) > MAX_ITEM_SIZE:
        raise ValidationException(ITEM_TOO_LARGE)
    try:
        action.key = item_key(table, item)
    except ValidationException as error:
        if has_key_schema(table, item):
            raise
        action.problem = error.message
        return
    action.problem = _index_type_problem(table, item)


def _refuse_same_item(actions: list[_Action]) -> None:
    seen = set()
    for action in actions:
        key = {name: action.values.get(name) for name in action.table.keys.names}
        target = (action.table.space, orjson.dumps(key, option=orjson.OPT_SORT_KEYS))
        if target in seen:
            raise ValidationException(SAME_ITEM)
        seen.add(target)


# step 2: what the stored items show


def _evaluate_write(txn: Any, action: _Action) -> dict[str, Any]:
    """The action's cancellation reason, with `old` and `new` set when it has none."""
    if action.problem is not None:
        return validation_error(action.problem)
    table = action.table
    old = action.old = read(txn, table, *action.key)
    condition = action.bound.condition
    if condition is not None and not condition.evaluate(old):
        reason = {"Code": "ConditionalCheckFailed", "Message": CONDITION_FAILED}
        if action.params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old:
            reason["Item"] = old
        return reason
    if action.kind == "Put":
        action.new = action.values
    elif action.kind == "Update":
        base = old if old is not None else dict(action.values)
        try:
            action.new, _paths = action.bound.update.apply(base, item_exists=old is not None)
        except ValidationException as error:
            return validation_error(error.message)
        problem = _updated_item_problem(table, action.new)
        if problem is not None:
            return validation_error(problem)
    elif action.kind == "ConditionCheck":
        action.new = old
    if item_collections.overflows(txn, table, action.key[0], old, action.new):
        return {
            "Code": "ItemCollectionSizeLimitExceeded",
            "Message": item_collections.LIMIT_EXCEEDED,
        }
    return NO_REASON


def _updated_item_problem(table: Table, item: dict[str, Any]) -> str | None:
    """What is wrong with an item an Update made, as a reason (None if nothing).

    An empty index key value is refused outright, in the update's own words
    (conformance tests/tier3/error-messages/transactWriteItems.test.ts).
    """
    for index in table.indexes:
        for name in index.keys.names:
            kind = table.attribute_types[name]
            if kind in ("S", "B") and item.get(name, {}).get(kind) == "":
                empty = "string" if kind == "S" else "binary"
                raise ValidationException(EMPTY_UPDATED_INDEX_KEY.format(empty))
    problem = _index_type_problem(table, item)
    if problem is not None:
        return problem
    if types.item_size(item) > MAX_ITEM_SIZE:
        return UPDATE_TOO_LARGE
    return None


def _index_type_problem(table: Table, item: dict[str, Any]) -> str | None:
    """The message of an index key of the wrong type in `item` (None if there is none).

    An empty index key value is an error of the request, and raises.
    """
    try:
        check_index_keys(table, item)
    except ValidationException as error:
        if error.message.startswith("One or more parameter values were invalid: Type mismatch"):
            return error.message
        raise
    return None


def validation_error(message: str) -> dict[str, Any]:
    return {"Code": "ValidationError", "Message": message}


def cancel_unless_all_none(reasons: list[dict[str, Any]]) -> None:
    """Raise TransactionCanceledException, with one reason per action in request order,
    unless every reason is NO_REASON."""
    if all(reason is NO_REASON for reason in reasons):
        return
    codes = ", ".join(reason["Code"] for reason in reasons)
    raise TransactionCanceledException(
        CANCELLED.format(codes), CancellationReasons=[dict(reason) for reason in reasons]
    )


def _transaction_size(action: _Action) -> int:
    if action.kind in ("Put", "Update") and action.new is not None:
        return types.item_size(action.new)
    return types.item_size(action.values)


# step 3: the writes


def _apply(ctx: RequestContext, txn: Any, action: _Action, consumed: Consumed) -> None:
    old_size = types.item_size(action.old) if action.old else 0
    if action.kind == "ConditionCheck":
        consumed.add(action.name, capacity.write_units(old_size))
        return
    spent = write(txn, ctx.runtime, action.table, action.key, action.old, action.new)
    new_size = types.item_size(action.new) if action.new else 0
    consumed.add(action.name, capacity.write_units(new_size, old_size), spent)


def _collection_metrics(
    txn: Any, params: dict[str, Any], actions: list[_Action]
) -> dict[str, list[dict[str, Any]]]:
    metrics: dict[str, list[dict[str, Any]]] = {}
    for action in actions:
        if action.kind != "ConditionCheck" and item_collections.wanted(params, action.table):
            metrics.setdefault(action.name, []).append(
                item_collections.metrics(txn, action.table, action.key[0], action.values)
            )
    return metrics


def _replayed(
    ctx: RequestContext, txn: Any, params: dict[str, Any], response: dict[str, Any]
) -> dict[str, Any]:
    """The first response again; its capacity is what reading the items costs now (BC)."""
    consumed = Consumed(
        params.get("ReturnConsumedCapacity"), TRANSACTION_FACTOR, "ReadCapacityUnits"
    )
    if not consumed.wanted:
        return response
    for transact_item in params["TransactItems"]:
        action = _prepare_write(ctx, txn, transact_item)
        item = read(txn, action.table, *action.key) if action.key else None
        consumed.add(action.name, capacity.read_units(types.item_size(item) if item else 0, True))
    return {**response, "ConsumedCapacity": consumed.report()}
