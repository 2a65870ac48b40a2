"""The semantic checks AWS makes on CreateTable and UpdateTable, in AWS's order and words."""

from __future__ import annotations

from typing import Any

from tidal.core.errors import ValidationException
from tidal.dynamodb.errors import invalid

MAX_LOCAL_INDEXES = 5
MAX_GLOBAL_INDEXES = 20
MAX_CAPACITY = 1_000_000_000_000


def check_create(params: dict[str, Any]) -> None:
    billing = params.get("BillingMode", "PROVISIONED")
    _check_billing(billing, params.get("ProvisionedThroughput"))
    definitions = [d["AttributeName"] for d in params["AttributeDefinitions"]]
    if len(set(definitions)) != len(definitions):
        raise invalid("Duplicate AttributeName in AttributeDefinitions")
    keys = [k["AttributeName"] for k in params["KeySchema"]]
    _check_key_schema(params["KeySchema"], definitions)
    used = set(keys)
    local = params.get("LocalSecondaryIndexes")
    names: set[str] = set()
    if local is not None:
        if not local:
            raise invalid("List of LocalSecondaryIndexes is empty")
        if len(keys) != 2:
            raise invalid(
                "Table KeySchema does not have a range key, "
                "which is required when specifying a LocalSecondaryIndex"
            )
        for index in local:
            _check_index(index, definitions, names)
            if len(index["KeySchema"]) != 2:
                raise invalid(
                    f"Index KeySchema does not have a range key for index: {index['IndexName']}"
                )
            index_hash = index["KeySchema"][0]["AttributeName"]
            if index_hash != keys[0]:
                raise invalid(
                    "Index KeySchema does not have the same leading hash key as table KeySchema "
                    f"for index: {index['IndexName']}. index hash key: {index_hash}, "
                    f"table hash key: {keys[0]}"
                )
            used |= {k["AttributeName"] for k in index["KeySchema"]}
        if len(local) > MAX_LOCAL_INDEXES:
            raise invalid("Number of LocalSecondaryIndexes exceeds per-table limit of 5")
    global_ = params.get("GlobalSecondaryIndexes")
    if global_ is not None:
        if not global_:
            raise invalid("List of GlobalSecondaryIndexes is empty")
        for index in global_:
            _check_index(index, definitions, names)
            _check_index_throughput(index, billing)
            used |= {k["AttributeName"] for k in index["KeySchema"]}
        if len(global_) > MAX_GLOBAL_INDEXES:
            raise invalid("GlobalSecondaryIndex count exceeds the per-table limit of 20")
    if used != set(definitions):
        if local is None and global_ is None:
            raise invalid(
                "Number of attributes in KeySchema does not exactly match number of attributes "
                "defined in AttributeDefinitions"
            )
        raise invalid(
            f"Some AttributeDefinitions are not used. AttributeDefinitions: "
            f"[{', '.join(definitions)}], keys used: [{', '.join(sorted(used))}]"
        )
    _check_stream(params.get("StreamSpecification"))


def check_update(params: dict[str, Any], description: dict[str, Any]) -> None:
    changes = (
        "ProvisionedThroughput",
        "BillingMode",
        "StreamSpecification",
        "GlobalSecondaryIndexUpdates",
        "SSESpecification",
        "ReplicaUpdates",
        "DeletionProtectionEnabled",
        "TableClass",
        "OnDemandThroughput",
        "WarmThroughput",
    )
    if not any(key in params for key in changes):
        raise ValidationException(
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
            "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"
        )
    current = description.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    billing = params.get("BillingMode", current)
    if "BillingMode" in params or "ProvisionedThroughput" in params:
        if billing == "PAY_PER_REQUEST" and "ProvisionedThroughput" in params:
            _check_billing(billing, params["ProvisionedThroughput"])
        if billing == "PROVISIONED":
            _check_billing(billing, params.get("ProvisionedThroughput"))
    definitions = [d["AttributeName"] for d in description["AttributeDefinitions"]]
    definitions += [
        d["AttributeName"]
        for d in params.get("AttributeDefinitions", ())
        if d["AttributeName"] not in definitions
    ]
    for update in params.get("GlobalSecondaryIndexUpdates") or ():
        if "Create" in update:
            index = update["Create"]
            _check_index(index, definitions, set())
            _check_index_throughput(index, billing)
    if "StreamSpecification" in params:
        _check_stream(params["StreamSpecification"])


def _check_billing(billing: str, throughput: dict[str, Any] | None) -> None:
    if billing == "PAY_PER_REQUEST":
        if throughput:
            raise invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                "BillingMode is PAY_PER_REQUEST"
            )
        return
    if (
        not throughput
        or not throughput.get("ReadCapacityUnits")
        or not throughput.get("WriteCapacityUnits")
    ):
        raise invalid(
            "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode "
            "is PROVISIONED"
        )
    for unit in ("ReadCapacityUnits", "WriteCapacityUnits"):
        if throughput[unit] > MAX_CAPACITY:
            raise ValidationException(f"Given value {throughput[unit]} for {unit} is out of bounds")


def _check_key_schema(schema: list[dict[str, Any]], definitions: list[str]) -> None:
    keys = [k["AttributeName"] for k in schema]
    if len(keys) > len(definitions):
        raise ValidationException("Invalid KeySchema: Some index key attribute have no definition")
    if any(key not in definitions for key in keys):
        raise invalid(
            "Some index key attributes are not defined in AttributeDefinitions. "
            f"Keys: [{', '.join(keys)}], AttributeDefinitions: [{', '.join(definitions)}]"
        )
    if len(keys) == 2 and keys[0] == keys[1]:
        raise ValidationException(
            "Both the Hash Key and the Range Key element in the KeySchema have the same name"
        )
    if schema[0]["KeyType"] != "HASH":
        raise ValidationException(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
        )
    if len(schema) == 2 and schema[1]["KeyType"] != "RANGE":
        raise ValidationException(
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
        )


def _check_index(index: dict[str, Any], definitions: list[str], names: set[str]) -> None:
    _check_key_schema(index["KeySchema"], definitions)
    projection = index["Projection"]
    projection_type = projection.get("ProjectionType")
    if projection_type is None:
        raise invalid("Unknown ProjectionType: null")
    if projection.get("NonKeyAttributes") and projection_type != "INCLUDE":
        raise invalid(f"ProjectionType is {projection_type}, but NonKeyAttributes is specified")
    if projection_type == "INCLUDE" and not projection.get("NonKeyAttributes"):
        raise invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
    if index["IndexName"] in names:
        raise invalid(f"Duplicate index name: {index['IndexName']}")
    names.add(index["IndexName"])


def _check_index_throughput(index: dict[str, Any], billing: str) -> None:
    if billing == "PAY_PER_REQUEST" and index.get("ProvisionedThroughput"):
        raise invalid(
            f"ProvisionedThroughput should not be specified for index: {index['IndexName']} "
            "when BillingMode is PAY_PER_REQUEST"
        )
    if billing == "PROVISIONED" and not index.get("ProvisionedThroughput"):
        raise invalid(f"ProvisionedThroughput must be specified for index: {index['IndexName']}")


def _check_stream(spec: dict[str, Any] | None) -> None:
    if not spec:
        return
    if spec.get("StreamEnabled") and not spec.get("StreamViewType"):
        raise invalid("StreamViewType must be specified when StreamEnabled is true")
