"""DynamoDB's wire operations: thin functions that open a transaction and call the domain."""

from __future__ import annotations

from typing import Any

from tidal.core.context import RequestContext
from tidal.core.service import Service
from tidal.dynamodb import items, tables, tags
from tidal.dynamodb.errors import NAMESPACE
from tidal.server.validation import Constraints

TABLE_NAME = Constraints(min=3, max=255, pattern="[a-zA-Z0-9_.-]+")

# Where DynamoDB is stricter than its model, or lists enum values in another order.
SHAPE_OVERRIDES = {
    "TableArn": Constraints(then=TABLE_NAME, unless="arn:.*"),
    "ReturnValue": Constraints(enum=("ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW")),
    "ScalarAttributeType": Constraints(enum=("B", "N", "S")),
    "ConditionalOperator": Constraints(enum=("OR", "AND")),
    "UpdateItemInput": Constraints(
        members=("ReturnConsumedCapacity", "TableName", "ReturnValues", "Key")
    ),
    # Optional in the model since replicas can be created from a GlobalTableSourceArn
    # (not served here); a table of its own needs both.
    "CreateTableInput": Constraints(required=("AttributeDefinitions", "KeySchema")),
    # A null where an attribute value belongs gets the JSON parser's words (types.py), a
    # null filter or key condition words of its own (reads.py).
    "AttributeValue": Constraints(null_left_to_room=True),
    "Condition": Constraints(null_left_to_room=True),
}

SERVICE = Service(
    model="dynamodb",
    target_prefix="DynamoDB_20120810",
    namespace=NAMESPACE,
    response_crc32=True,
    shape_overrides=SHAPE_OVERRIDES,
)
operation = SERVICE.operation


def _write(ctx: RequestContext):
    return ctx.runtime.store.transaction(write=True)


def _read(ctx: RequestContext):
    return ctx.runtime.store.transaction(write=False)


@operation("CreateTable")
def create_table(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        return {"TableDescription": tables.create_table(ctx, txn, params)}


@operation("DescribeTable")
def describe_table(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return {"Table": tables.describe_table(ctx, txn, params["TableName"])}


@operation("ListTables")
def list_tables(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return tables.list_tables(
            ctx, txn, params.get("ExclusiveStartTableName"), params.get("Limit")
        )


@operation("UpdateTable")
def update_table(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        return {"TableDescription": tables.update_table(ctx, txn, params)}


@operation("DeleteTable")
def delete_table(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        return {"TableDescription": tables.delete_table(ctx, txn, params["TableName"])}


@operation("TagResource")
def tag_resource(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        tags.tag_resource(ctx, txn, params["ResourceArn"], params["Tags"])
    return {}


@operation("UntagResource")
def untag_resource(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        tags.untag_resource(ctx, txn, params["ResourceArn"], params["TagKeys"])
    return {}


@operation("ListTagsOfResource")
def list_tags_of_resource(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return tags.list_tags(ctx, txn, params["ResourceArn"])


@operation("DescribeLimits")
def describe_limits(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "AccountMaxReadCapacityUnits": 80000,
        "AccountMaxWriteCapacityUnits": 80000,
        "TableMaxReadCapacityUnits": 40000,
        "TableMaxWriteCapacityUnits": 40000,
    }


@operation("DescribeEndpoints")
def describe_endpoints(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return {"Endpoints": [{"Address": ctx.host, "CachePeriodInMinutes": 1440}]}


@operation("PutItem")
def put_item(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        return items.put_item(ctx, txn, params)


@operation("GetItem")
def get_item(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return items.get_item(ctx, txn, params)


@operation("UpdateItem")
def update_item(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        return items.update_item(ctx, txn, params)


@operation("DeleteItem")
def delete_item(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        return items.delete_item(ctx, txn, params)


from tidal.dynamodb import expiry, ttl  # noqa: E402  (appended, like each room's operations)


@operation("UpdateTimeToLive")
def update_time_to_live(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        return {"TimeToLiveSpecification": ttl.update_time_to_live(ctx, txn, params)}


@operation("DescribeTimeToLive")
def describe_time_to_live(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return {"TimeToLiveDescription": ttl.describe_time_to_live(ctx, txn, params["TableName"])}


SERVICE.background.append(expiry.run)


from tidal.dynamodb import batch, transactions  # noqa: E402  (appended, like each room's operations)

# AWS answers an empty RequestItems in words of its own (batch.REQUIRED), not with the length rule.
SHAPE_OVERRIDES["BatchWriteItemRequestMap"] = Constraints(min=0, max=25)
SHAPE_OVERRIDES["BatchGetRequestMap"] = Constraints(min=0, max=100)


@operation("BatchGetItem")
def batch_get_item(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return batch.batch_get_item(ctx, txn, params)


@operation("BatchWriteItem")
def batch_write_item(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        return batch.batch_write_item(ctx, txn, params)


@operation("TransactGetItems")
def transact_get_items(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return transactions.transact_get_items(ctx, txn, params)


@operation("TransactWriteItems")
def transact_write_items(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        return transactions.transact_write_items(ctx, txn, params)


from tidal.dynamodb import query, scan  # noqa: E402  (appended, like each room's operations)

# AWS lists these enums in an order of its own (architect/dynalite test/{query,scan}.js).
SHAPE_OVERRIDES["Select"] = Constraints(
    enum=("SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES")
)
SHAPE_OVERRIDES["ComparisonOperator"] = Constraints(
    enum=(
        "IN",
        "NULL",
        "BETWEEN",
        "LT",
        "NOT_CONTAINS",
        "EQ",
        "GT",
        "NOT_NULL",
        "NE",
        "LE",
        "BEGINS_WITH",
        "GE",
        "CONTAINS",
    )
)


@operation("Query")
def query_items(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return query.query(ctx, txn, params)


@operation("Scan")
def scan_items(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return scan.scan(ctx, txn, params)


from tidal.dynamodb import partiql  # noqa: E402  (appended, like each room's operations)


@operation("ExecuteStatement")
def execute_statement(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    parsed = partiql.parse_statement(params)
    with ctx.runtime.store.transaction(write=not parsed.reads) as txn:
        return partiql.execute_statement(ctx, txn, parsed, params)


@operation("BatchExecuteStatement")
def batch_execute_statement(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    batch = partiql.parse_batch(params)
    with ctx.runtime.store.transaction(write=not batch.reads) as txn:
        return partiql.batch_execute_statement(ctx, txn, batch, params)


@operation("ExecuteTransaction")
def execute_transaction(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    transaction = partiql.parse_transaction(params)
    with ctx.runtime.store.transaction(write=not transaction.reads) as txn:
        return partiql.execute_transaction(ctx, txn, transaction, params)


from tidal.dynamodb import continuous_backups  # noqa: E402  (appended, like each room's operations)


@operation("UpdateContinuousBackups")
def update_continuous_backups(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        return {
            "ContinuousBackupsDescription": continuous_backups.update_continuous_backups(
                ctx, txn, params
            )
        }


@operation("DescribeContinuousBackups")
def describe_continuous_backups(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return {
            "ContinuousBackupsDescription": continuous_backups.describe_continuous_backups(
                ctx, txn, params["TableName"]
            )
        }
