"""Table lifecycle: CreateTable, DescribeTable, UpdateTable, DeleteTable, ListTables, tags."""

from __future__ import annotations

import copy
from typing import Any

from tidal.core import clock
from tidal.core.arns import arn
from tidal.core.context import RequestContext
from tidal.core.errors import ValidationException
from tidal.core.events import STREAM_DISABLED, STREAM_ENABLED, StreamEnabled
from tidal.core.ids import new_uuid
from tidal.dynamodb import expiry_index, indexes, table_checks, tags
from tidal.dynamodb.catalog import Catalog
from tidal.dynamodb.errors import (
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from tidal.dynamodb.schema import Table

WARM_TABLE = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
WARM_INDEX = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
UNTIL_UPDATED = ("ReadCapacityUnits", "WriteCapacityUnits", "NumberOfDecreasesToday")


def catalog(ctx: RequestContext) -> Catalog:
    return ctx.runtime.room("dynamodb", Catalog)


def create_table(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    table_checks.check_create(params)
    tags.check_tags(params.get("Tags", []))
    name = params["TableName"]
    tables = catalog(ctx)
    if tables.find(txn, ctx.account, ctx.region, name) is not None:
        raise ResourceInUseException(f"Table already exists: {name}")
    table_arn = arn("dynamodb", ctx.region, ctx.account, f"table/{name}")
    now = clock.now()
    billing = params.get("BillingMode", "PROVISIONED")
    description: dict[str, Any] = {
        "AttributeDefinitions": _sorted_definitions(params["AttributeDefinitions"]),
        "TableName": name,
        "KeySchema": params["KeySchema"],
        "TableStatus": "ACTIVE",
        "CreationDateTime": now,
        "ProvisionedThroughput": _throughput(params.get("ProvisionedThroughput"), billing),
        "TableArn": table_arn,
        "TableId": new_uuid(),
        "DeletionProtectionEnabled": bool(params.get("DeletionProtectionEnabled", False)),
        "WarmThroughput": dict(WARM_TABLE),
        "_space": txn.new_space(),
    }
    if "BillingMode" in params:
        description["BillingModeSummary"] = {"BillingMode": billing}
    for group, is_global in (("LocalSecondaryIndexes", False), ("GlobalSecondaryIndexes", True)):
        if params.get(group):
            description[group] = [
                _index_description(txn, table_arn, index, billing, is_global)
                for index in params[group]
            ]
    stream = params.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        _enable_stream(description, stream["StreamViewType"], now)
        _announce_stream(ctx, txn, description, now)
    if params.get("SSESpecification", {}).get("Enabled"):
        description["SSEDescription"] = _sse(params["SSESpecification"], ctx)
    if params.get("TableClass"):
        description["TableClassSummary"] = {"TableClass": params["TableClass"]}
    description["_tags"] = {tag["Key"]: tag["Value"] for tag in params.get("Tags", ())}
    tables.save(txn, ctx.account, ctx.region, description)
    shown = public(description)
    shown["TableStatus"] = "CREATING"
    for index in shown.get("GlobalSecondaryIndexes", ()):
        index["IndexStatus"] = "CREATING"
    return shown


def describe_table(ctx: RequestContext, txn: Any, name: str) -> dict[str, Any]:
    table = catalog(ctx).described(txn, ctx.account, ctx.region, name)
    return public(table.description, txn)


def list_tables(
    ctx: RequestContext, txn: Any, after: str | None, limit: int | None
) -> dict[str, Any]:
    limit = limit or 100
    names = catalog(ctx).names(txn, ctx.account, ctx.region, after, limit + 1)
    result: dict[str, Any] = {"TableNames": names[:limit]}
    if len(names) > limit:
        result["LastEvaluatedTableName"] = names[limit - 1]
    return result


def delete_table(ctx: RequestContext, txn: Any, name: str) -> dict[str, Any]:
    table = catalog(ctx).described(txn, ctx.account, ctx.region, name)
    if table.description.get("DeletionProtectionEnabled"):
        raise ValidationException(
            "Resource cannot be deleted as it is currently protected against deletion. "
            "Disable deletion protection first."
        )
    shown = public(table.description, txn)
    if "StreamSpecification" in table.description:
        ctx.runtime.hooks.publish(STREAM_DISABLED, txn, table.description["LatestStreamArn"])
    for space in (table.space, *(index.space for index in table.indexes)):
        txn.drop_space(space)
    expiry_index.forget(txn, table)
    catalog(ctx).remove(txn, ctx.account, ctx.region, table.name)
    for key in ("AttributeDefinitions", "KeySchema", "CreationDateTime"):
        shown.pop(key, None)
    shown["TableStatus"] = "DELETING"
    return shown


def update_table(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    table_checks.check_update_request(params)
    table = catalog(ctx).described(txn, ctx.account, ctx.region, params["TableName"])
    description = copy.deepcopy(table.description)
    table_checks.check_update(params, description)
    now = clock.now()
    if "BillingMode" in params and params["BillingMode"] != _billing(description):
        _change_billing(description, params, now)
    elif "ProvisionedThroughput" in params:
        _change_throughput(description, params["ProvisionedThroughput"], now)
    if "DeletionProtectionEnabled" in params:
        description["DeletionProtectionEnabled"] = params["DeletionProtectionEnabled"]
    if "TableClass" in params:
        description["TableClassSummary"] = {"TableClass": params["TableClass"]}
    if "SSESpecification" in params:
        description["SSEDescription"] = _sse(params["SSESpecification"], ctx)
    if "StreamSpecification" in params:
        _change_stream(description, params["StreamSpecification"], now)
        if "StreamSpecification" in description:
            _announce_stream(ctx, txn, description, now)
        else:
            ctx.runtime.hooks.publish(STREAM_DISABLED, txn, description["LatestStreamArn"])
    created = _update_indexes(ctx, txn, table, description, params)
    catalog(ctx).save(txn, ctx.account, ctx.region, description)
    shown = public(description, txn)
    shown["TableStatus"] = "UPDATING"
    # The new capacity is in force only once the update is done: the answer shows the old one.
    before = table.description["ProvisionedThroughput"]
    shown["ProvisionedThroughput"] = {
        **shown["ProvisionedThroughput"],
        **{key: before[key] for key in UNTIL_UPDATED},
    }
    for index in shown.get("GlobalSecondaryIndexes", ()):
        if index["IndexName"] in created:
            index["IndexStatus"] = "CREATING"
            index["Backfilling"] = True
    return shown


def public(description: dict[str, Any], txn: Any = None) -> dict[str, Any]:
    """The TableDescription AWS shows: internal `_` keys dropped, live sizes filled in."""
    shown = {key: value for key, value in description.items() if not key.startswith("_")}
    if txn is not None:
        shown["ItemCount"], shown["TableSizeBytes"] = txn.space_stats(description["_space"])
    else:
        shown["ItemCount"], shown["TableSizeBytes"] = 0, 0
    for group in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
        if group in description:
            shown[group] = [_public_index(index, txn) for index in description[group]]
    return shown


def _public_index(index: dict[str, Any], txn: Any) -> dict[str, Any]:
    shown = {key: value for key, value in index.items() if not key.startswith("_")}
    count, size = txn.space_stats(index["_space"]) if txn is not None else (0, 0)
    shown["ItemCount"], shown["IndexSizeBytes"] = count, size
    return shown


def _throughput(given: dict[str, Any] | None, billing: str) -> dict[str, Any]:
    if billing == "PAY_PER_REQUEST" or not given:
        return {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    return {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": given["ReadCapacityUnits"],
        "WriteCapacityUnits": given["WriteCapacityUnits"],
    }


def _billing(description: dict[str, Any]) -> str:
    return description.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")


def _sorted_definitions(definitions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """AWS lists AttributeDefinitions sorted by name, whatever order they were given in."""
    return sorted(definitions, key=lambda definition: definition["AttributeName"])


def _index_description(
    txn: Any, table_arn: str, index: dict[str, Any], billing: str, is_global: bool
) -> dict[str, Any]:
    projection = dict(index["Projection"])
    if "NonKeyAttributes" in projection:
        projection["NonKeyAttributes"] = sorted(projection["NonKeyAttributes"])
    description: dict[str, Any] = {
        "IndexName": index["IndexName"],
        "KeySchema": index["KeySchema"],
        "Projection": projection,
        "IndexArn": f"{table_arn}/index/{index['IndexName']}",
        "_space": txn.new_space(),
    }
    if is_global:
        description["IndexStatus"] = "ACTIVE"
        description["ProvisionedThroughput"] = _throughput(
            index.get("ProvisionedThroughput"), billing
        )
        description["WarmThroughput"] = dict(WARM_INDEX)
    return description


def _enable_stream(description: dict[str, Any], view_type: str, now: float) -> None:
    label = clock.iso_millis(now)
    while label <= description.get("LatestStreamLabel", ""):
        now += 0.001
        label = clock.iso_millis(now)
    description["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view_type}
    description["LatestStreamLabel"] = label
    description["LatestStreamArn"] = f"{description['TableArn']}/stream/{label}"


def _announce_stream(
    ctx: RequestContext, txn: Any, description: dict[str, Any], now: float
) -> None:
    """Tell the streams room (in this transaction) that the table has a new stream."""
    ctx.runtime.hooks.publish(
        STREAM_ENABLED,
        txn,
        StreamEnabled(
            account=ctx.account,
            region=ctx.region,
            table_name=description["TableName"],
            stream_arn=description["LatestStreamArn"],
            label=description["LatestStreamLabel"],
            view_type=description["StreamSpecification"]["StreamViewType"],
            key_schema=description["KeySchema"],
            created=now,
        ),
    )


def _change_stream(description: dict[str, Any], spec: dict[str, Any], now: float) -> None:
    current = description.get("StreamSpecification")
    if spec.get("StreamEnabled"):
        if current:
            raise ValidationException(
                f"Table already has an enabled stream: TableName: {description['TableName']}"
            )
        _enable_stream(description, spec["StreamViewType"], now)
    else:
        if not current:
            raise ValidationException(
                f"Table has no stream to disable: TableName: {description['TableName']}"
            )
        del description["StreamSpecification"]


def _sse(spec: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
    if not spec.get("Enabled", True):
        return {"Status": "DISABLED"}
    key = spec.get("KMSMasterKeyId") or arn("kms", ctx.region, ctx.account, "key/aws-dynamodb")
    return {"Status": "ENABLED", "SSEType": spec.get("SSEType", "KMS"), "KMSMasterKeyArn": key}


def _change_billing(description: dict[str, Any], params: dict[str, Any], now: float) -> None:
    billing = params["BillingMode"]
    summary = description.setdefault("BillingModeSummary", {"BillingMode": "PROVISIONED"})
    if billing == "PAY_PER_REQUEST":
        if summary["BillingMode"] != billing:
            summary["LastUpdateToPayPerRequestDateTime"] = now
        description["ProvisionedThroughput"] = _throughput(None, billing)
        for index in description.get("GlobalSecondaryIndexes", ()):
            index["ProvisionedThroughput"] = _throughput(None, billing)
    else:
        description["ProvisionedThroughput"] = _throughput(params["ProvisionedThroughput"], billing)
    summary["BillingMode"] = billing


def _change_throughput(description: dict[str, Any], given: dict[str, Any], now: float) -> None:
    current = description["ProvisionedThroughput"]
    if (
        given["ReadCapacityUnits"] == current["ReadCapacityUnits"]
        and given["WriteCapacityUnits"] == current["WriteCapacityUnits"]
    ):
        raise ValidationException(
            "The provisioned throughput for the table will not change. The requested value equals "
            "the current value. Current ReadCapacityUnits provisioned for the table: "
            f"{current['ReadCapacityUnits']}. Requested ReadCapacityUnits: "
            f"{given['ReadCapacityUnits']}. Current WriteCapacityUnits provisioned for the table: "
            f"{current['WriteCapacityUnits']}. Requested WriteCapacityUnits: "
            f"{given['WriteCapacityUnits']}. Refer to the Amazon DynamoDB Developer Guide for "
            "current limits and how to request higher limits."
        )
    if given["ReadCapacityUnits"] > current["ReadCapacityUnits"] or (
        given["WriteCapacityUnits"] > current["WriteCapacityUnits"]
    ):
        current["LastIncreaseDateTime"] = now
    if given["ReadCapacityUnits"] < current["ReadCapacityUnits"] or (
        given["WriteCapacityUnits"] < current["WriteCapacityUnits"]
    ):
        current["LastDecreaseDateTime"] = now
        current["NumberOfDecreasesToday"] += 1
    current["ReadCapacityUnits"] = given["ReadCapacityUnits"]
    current["WriteCapacityUnits"] = given["WriteCapacityUnits"]


def _update_indexes(
    ctx: RequestContext, txn: Any, table: Table, description: dict[str, Any], params: dict
) -> set[str]:
    """Apply GlobalSecondaryIndexUpdates; returns the names of indexes created (and backfilled)."""
    updates = params.get("GlobalSecondaryIndexUpdates") or []
    if sum(1 for update in updates if update.get("Create") or update.get("Delete")) > 1:
        raise LimitExceededException(
            "Subscriber limit exceeded: Only 1 online index can be created or deleted "
            "simultaneously per table"
        )
    existing = description.setdefault("GlobalSecondaryIndexes", [])
    billing = _billing(description)
    created: set[str] = set()
    for update in updates:
        if update.get("Create") is not None:
            spec = update["Create"]
            if any(index["IndexName"] == spec["IndexName"] for index in existing):
                raise ValidationException("Attempting to create an index which already exists")
            known = {d["AttributeName"] for d in description["AttributeDefinitions"]}
            description["AttributeDefinitions"] = _sorted_definitions(
                description["AttributeDefinitions"]
                + [d for d in params["AttributeDefinitions"] if d["AttributeName"] not in known]
            )
            index = _index_description(txn, description["TableArn"], spec, billing, True)
            existing.append(index)
            created.add(spec["IndexName"])
            indexes.backfill(txn, table, Table.of(description), spec["IndexName"])
        elif update.get("Delete") is not None:
            index = _named_index(description, update["Delete"]["IndexName"], "delete")
            txn.drop_space(index["_space"])
            existing.remove(index)
        else:
            spec = update["Update"]
            index = _named_index(description, spec["IndexName"], "update")
            if spec.get("ProvisionedThroughput"):
                index["ProvisionedThroughput"] = _throughput(spec["ProvisionedThroughput"], billing)
    if not existing:
        del description["GlobalSecondaryIndexes"]
    _prune_definitions(description)
    return created


def _named_index(description: dict[str, Any], name: str, action: str) -> dict[str, Any]:
    for index in description.get("GlobalSecondaryIndexes", ()):
        if index["IndexName"] == name:
            return index
    if any(index["IndexName"] == name for index in description.get("LocalSecondaryIndexes", ())):
        raise ValidationException(
            f"Cannot {action} an index that is not a GlobalSecondaryIndex: {name}"
        )
    raise ResourceNotFoundException(
        f"Requested resource not found: Index {name} for table {description['TableName']}"
    )


def _prune_definitions(description: dict[str, Any]) -> None:
    """AttributeDefinitions name only key attributes: deleting an index drops its own."""
    schemas = [description["KeySchema"]] + [
        index["KeySchema"]
        for group in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes")
        for index in description.get(group, ())
    ]
    used = {element["AttributeName"] for schema in schemas for element in schema}
    description["AttributeDefinitions"] = [
        d for d in description["AttributeDefinitions"] if d["AttributeName"] in used
    ]
