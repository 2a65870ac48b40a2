"""The semantic checks AWS makes on CreateTable and UpdateTable, in AWS's order and words."""

from __future__ import annotations

from typing import Any

from tidal.core.errors import ValidationException
from tidal.dynamodb.errors import invalid

MAX_LOCAL_INDEXES = 5
MAX_GLOBAL_INDEXES = 20
MAX_CAPACITY = 1_000_000_000_000
MAX_TABLE_KEYS = 2

# What UpdateTable can change; without one of them AWS answers NO_CHANGE.
CHANGES = (
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
    "MultiRegionConsistency",
    "GlobalTableWitnessUpdates",
)
NO_CHANGE = (
    "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
    "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
    "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
    "OnDemandThroughput, WarmThroughput or TableClass is required"
)
INDEX_ACTIONS = ("Update", "Create", "Delete")


def check_create(params: dict[str, Any]) -> None:
    _check_table_key_count(params["KeySchema"])
    billing = params.get("BillingMode", "PROVISIONED")
    _check_billing(billing, params.get("ProvisionedThroughput"))
    definitions = [d["AttributeName"] for d in params["AttributeDefinitions"]]
    for position, name in enumerate(definitions):
        if name in definitions[:position]:
            raise ValidationException(f"Attribute Name is duplicated: {name}")
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
            _check_created_index_throughput(index, billing)
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
    _check_created_stream(params.get("StreamSpecification"))


def check_update_request(params: dict[str, Any]) -> None:
    """The checks UpdateTable makes before it looks the table up."""
    updates = params.get("GlobalSecondaryIndexUpdates")
    changes = [key for key in CHANGES if key in params]
    if updates == []:
        changes.remove("GlobalSecondaryIndexUpdates")
        if changes:
            raise invalid("List of GlobalSecondaryIndexUpdates is empty")
    if not changes:
        raise ValidationException(NO_CHANGE)
    seen: set[str] = set()
    for update in updates or ():
        actions = [action for action in INDEX_ACTIONS if update.get(action) is not None]
        if not actions:
            raise invalid(
                "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                "GlobalSecondaryIndexUpdate.Delete must not be null"
            )
        if len(actions) > 1:
            raise invalid(
                "Only one global secondary index action is allowed per "
                "GlobalSecondaryIndexUpdate object"
            )
        name = update[actions[0]]["IndexName"]
        if name in seen:
            raise invalid(
                "Only one global secondary index update per index is allowed simultaneously. "
                f"Index: {name}"
            )
        seen.add(name)
        if actions == ["Create"] and "AttributeDefinitions" not in params:
            raise invalid(f"AttributeDefinitions is not specified for index: {name}")
    stream = params.get("StreamSpecification")
    if stream is not None:
        if stream.get("StreamEnabled") and not stream.get("StreamViewType"):
            raise invalid("If stream is being enabled then UpdateViewType is required")
        if not stream.get("StreamEnabled") and stream.get("StreamViewType"):
            raise invalid("If stream is being disabled, then UpdateViewType must not be specified")


def check_update(params: dict[str, Any], description: dict[str, Any]) -> None:
    """The checks UpdateTable makes against the table as it is."""
    current = description.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    billing = params.get("BillingMode", current)
    throughput = params.get("ProvisionedThroughput")
    if billing == "PAY_PER_REQUEST":
        _check_billing(billing, throughput)
    elif "BillingMode" in params and not throughput:
        raise invalid("ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
    elif throughput:
        _check_billing(billing, throughput)
    updates = params.get("GlobalSecondaryIndexUpdates") or ()
    if billing == "PROVISIONED" and current == "PAY_PER_REQUEST":
        updated = {u["Update"]["IndexName"] for u in updates if u.get("Update") is not None}
        for index in description.get("GlobalSecondaryIndexes", ()):
            name = index["IndexName"]
            if name not in updated:
                raise invalid(f"ProvisionedThroughput must be specified for index: {name}")
    definitions = [d["AttributeName"] for d in description["AttributeDefinitions"]]
    definitions += [
        d["AttributeName"]
        for d in params.get("AttributeDefinitions", ())
        if d["AttributeName"] not in definitions
    ]
    for update in updates:
        if update.get("Create") is not None:
            index = update["Create"]
            _check_index(index, definitions, set())
            _check_added_index_throughput(index, billing)
        changed = update.get("Update") or {}
        if billing == "PAY_PER_REQUEST" and changed.get("ProvisionedThroughput"):
            raise invalid(
                f"The only Updates for index: {changed['IndexName']} when TableThroughputMode "
                "is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput"
            )


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


def _check_table_key_count(schema: list[dict[str, Any]]) -> None:
    """A table key has at most two elements; AWS reports it as a model constraint."""
    if len(schema) <= MAX_TABLE_KEYS:
        return
    shown = ", ".join(
        f"KeySchemaElement(attributeName={k['AttributeName']}, keyType={k['KeyType']})"
        for k in schema
    )
    raise ValidationException(
        f"1 validation error detected: Value '[{shown}]' at 'keySchema' failed to satisfy "
        f"constraint: Member must have length less than or equal to {MAX_TABLE_KEYS}"
    )


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
    non_key = projection.get("NonKeyAttributes") or []
    for position, name in enumerate(non_key):
        if name in non_key[:position]:
            raise invalid(f"Duplicate element in NonKeyAttributes: {name}")
    if index["IndexName"] in names:
        raise invalid(f"Duplicate index name: {index['IndexName']}")
    names.add(index["IndexName"])


def _check_created_index_throughput(index: dict[str, Any], billing: str) -> None:
    """A GSI's throughput in CreateTable."""
    name = index["IndexName"]
    if billing == "PAY_PER_REQUEST" and index.get("ProvisionedThroughput"):
        raise invalid(
            f"ProvisionedThroughput should not be specified for index: {name} "
            "when BillingMode is PAY_PER_REQUEST"
        )
    if billing == "PROVISIONED" and not index.get("ProvisionedThroughput"):
        raise invalid(f"ProvisionedThroughput is not specified for index: {name}")


def _check_added_index_throughput(index: dict[str, Any], billing: str) -> None:
    """A GSI's throughput in UpdateTable, which words the same rules differently."""
    name = index["IndexName"]
    if billing == "PAY_PER_REQUEST" and index.get("ProvisionedThroughput"):
        raise invalid(
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: "
            f"{name} when BillingMode is PAY_PER_REQUEST"
        )
    if billing == "PROVISIONED" and not index.get("ProvisionedThroughput"):
        raise invalid(
            f"Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: {name}"
        )


def _check_created_stream(spec: dict[str, Any] | None) -> None:
    if not spec:
        return
    if spec.get("StreamEnabled") and not spec.get("StreamViewType"):
        raise invalid("Table is being created with a stream enabled, UpdateViewType is required")
    if not spec.get("StreamEnabled") and spec.get("StreamViewType"):
        raise invalid(
            "Table is being created with a stream disabled, UpdateViewType should not be specified"
        )
