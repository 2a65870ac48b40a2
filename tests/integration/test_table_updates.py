"""UpdateTable: every kind of change, and every way AWS refuses one.

Sources: architect/dynalite test/updateTable.js (checked against AWS); the ack-api-quirks
DynamoDB catalogue (AWS, 2026-10: the "At least one of ..." list, GlobalSecondaryIndexUpdates
rules, index throughput wording, unknown index, stream messages, AttributeDefinitions pruned when
an index goes, the answer echoing the old throughput, also in dynalite's "should triple rates");
botocore 1.44.8's model documentation of UpdateTable.StreamSpecification.
"""

from __future__ import annotations

import pytest

from tests.integration.support import create_table, gsi, invalid, unchecked_client
from tests.integration.test_tables import HASH_ONLY, error_of

INVALID = "One or more parameter values were invalid: "
NO_CHANGE = (
    "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
    "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
    "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
    "OnDemandThroughput, WarmThroughput or TableClass is required"
)
THROUGHPUT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
COLOUR = [{"AttributeName": "colour", "AttributeType": "S"}]


@pytest.fixture
def unchecked(tidal_endpoint):
    return unchecked_client(tidal_endpoint)


@pytest.fixture
def table(dynamodb, table_name):
    """An on-demand table with one GSI, "by-colour"."""
    return create_table(
        dynamodb,
        table_name,
        indexed=(("colour", "S"),),
        GlobalSecondaryIndexes=[gsi("by-colour", "colour")],
    )


@pytest.fixture
def provisioned(dynamodb, table_name):
    """A provisioned table with the same GSI."""
    name = f"{table_name}-provisioned"
    dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[*HASH_ONLY["AttributeDefinitions"], *COLOUR],
        KeySchema=HASH_ONLY["KeySchema"],
        ProvisionedThroughput=THROUGHPUT,
        GlobalSecondaryIndexes=[
            {**gsi("by-colour", "colour"), "ProvisionedThroughput": THROUGHPUT}
        ],
    )
    return name


def described(dynamodb, table) -> dict:
    return dynamodb.describe_table(TableName=table)["Table"]


def test_an_update_must_change_something(unchecked, dynamodb, table, table_name):
    assert error_of(unchecked.update_table, TableName=table) == invalid(NO_CHANGE)
    assert error_of(
        unchecked.update_table, TableName=table, AttributeDefinitions=COLOUR
    ) == invalid(NO_CHANGE)
    assert error_of(
        dynamodb.update_table, TableName=table, GlobalSecondaryIndexUpdates=[]
    ) == invalid(NO_CHANGE)
    assert error_of(unchecked.update_table, TableName=f"{table_name}-missing") == invalid(NO_CHANGE)


def test_a_missing_table(dynamodb, table_name):
    assert error_of(
        dynamodb.update_table, TableName=table_name, DeletionProtectionEnabled=True
    ) == (
        "ResourceNotFoundException",
        f"Requested resource not found: Table: {table_name} not found",
        400,
    )


@pytest.mark.parametrize(
    ("updates", "message"),
    [
        (
            [{}],
            INVALID
            + "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
            "GlobalSecondaryIndexUpdate.Delete must not be null",
        ),
        (
            [{"Delete": {"IndexName": "by-colour"}, "Update": {"IndexName": "by-colour"}}],
            INVALID + "Only one global secondary index action is allowed per "
            "GlobalSecondaryIndexUpdate object",
        ),
        (
            [{"Delete": {"IndexName": "by-colour"}}, {"Create": gsi("by-colour", "colour")}],
            INVALID + "Only one global secondary index update per index is allowed "
            "simultaneously. Index: by-colour",
        ),
        (
            [{"Create": gsi("by-shade", "colour")}],
            INVALID + "AttributeDefinitions is not specified for index: by-shade",
        ),
    ],
)
def test_index_update_list_errors(unchecked, table, updates, message):
    assert error_of(
        unchecked.update_table, TableName=table, GlobalSecondaryIndexUpdates=updates
    ) == invalid(message)
    assert [i["IndexName"] for i in described(unchecked, table)["GlobalSecondaryIndexes"]] == [
        "by-colour"
    ]


def test_an_empty_index_update_list_beside_another_change(dynamodb, table):
    assert error_of(
        dynamodb.update_table,
        TableName=table,
        GlobalSecondaryIndexUpdates=[],
        DeletionProtectionEnabled=True,
    ) == invalid(INVALID + "List of GlobalSecondaryIndexUpdates is empty")
    assert described(dynamodb, table)["DeletionProtectionEnabled"] is False


def test_one_index_created_or_deleted_at_a_time(dynamodb, table):
    assert error_of(
        dynamodb.update_table,
        TableName=table,
        AttributeDefinitions=[*COLOUR, {"AttributeName": "size", "AttributeType": "N"}],
        GlobalSecondaryIndexUpdates=[
            {"Create": gsi("by-size", "size")},
            {"Delete": {"IndexName": "by-colour"}},
        ],
    ) == (
        "LimitExceededException",
        "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously "
        "per table",
        400,
    )


def test_index_that_does_not_exist_or_already_exists(dynamodb, table_name):
    dynamodb.create_table(
        TableName=table_name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            *COLOUR,
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[gsi("by-colour", "colour")],
        LocalSecondaryIndexes=[
            {
                "IndexName": "local",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "colour", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    assert error_of(
        dynamodb.update_table,
        TableName=table_name,
        GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "ghost"}}],
    ) == (
        "ResourceNotFoundException",
        f"Requested resource not found: Index ghost for table {table_name}",
        400,
    )
    assert error_of(
        dynamodb.update_table,
        TableName=table_name,
        GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "local"}}],
    ) == invalid("Cannot delete an index that is not a GlobalSecondaryIndex: local")
    assert error_of(
        dynamodb.update_table,
        TableName=table_name,
        AttributeDefinitions=COLOUR,
        GlobalSecondaryIndexUpdates=[{"Create": gsi("by-colour", "colour")}],
    ) == invalid("Attempting to create an index which already exists")


def test_index_throughput_follows_the_billing_mode(dynamodb, table, provisioned):
    assert error_of(
        dynamodb.update_table,
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "size", "AttributeType": "N"}],
        GlobalSecondaryIndexUpdates=[
            {"Create": {**gsi("by-size", "size"), "ProvisionedThroughput": THROUGHPUT}}
        ],
    ) == invalid(
        INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: "
        "by-size when BillingMode is PAY_PER_REQUEST"
    )
    assert error_of(
        dynamodb.update_table,
        TableName=table,
        GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": "by-colour", "ProvisionedThroughput": THROUGHPUT}}
        ],
    ) == invalid(
        INVALID + "The only Updates for index: by-colour when TableThroughputMode is "
        "PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput"
    )
    assert error_of(
        dynamodb.update_table,
        TableName=provisioned,
        AttributeDefinitions=[{"AttributeName": "size", "AttributeType": "N"}],
        GlobalSecondaryIndexUpdates=[{"Create": gsi("by-size", "size")}],
    ) == invalid(
        INVALID + "Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: "
        "by-size"
    )
    dynamodb.update_table(
        TableName=provisioned,
        GlobalSecondaryIndexUpdates=[
            {
                "Update": {
                    "IndexName": "by-colour",
                    "ProvisionedThroughput": {"ReadCapacityUnits": 9, "WriteCapacityUnits": 8},
                }
            }
        ],
    )
    (index,) = described(dynamodb, provisioned)["GlobalSecondaryIndexes"]
    assert index["ProvisionedThroughput"]["ReadCapacityUnits"] == 9
    assert index["ProvisionedThroughput"]["WriteCapacityUnits"] == 8


def test_creating_and_deleting_an_index_keeps_attribute_definitions_to_the_keys(dynamodb, table):
    dynamodb.update_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "age", "AttributeType": "N"}],
        GlobalSecondaryIndexUpdates=[{"Create": gsi("by-age", "age")}],
    )
    names = [d["AttributeName"] for d in described(dynamodb, table)["AttributeDefinitions"]]
    assert names == ["age", "colour", "pk"]
    dynamodb.update_table(
        TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-colour"}}]
    )
    table_now = described(dynamodb, table)
    assert [d["AttributeName"] for d in table_now["AttributeDefinitions"]] == ["age", "pk"]
    assert [i["IndexName"] for i in table_now["GlobalSecondaryIndexes"]] == ["by-age"]


def test_throughput_changes(dynamodb, unchecked, provisioned):
    same = error_of(dynamodb.update_table, TableName=provisioned, ProvisionedThroughput=THROUGHPUT)
    assert same == invalid(
        "The provisioned throughput for the table will not change. The requested value equals "
        "the current value. Current ReadCapacityUnits provisioned for the table: 5. Requested "
        "ReadCapacityUnits: 5. Current WriteCapacityUnits provisioned for the table: 5. "
        "Requested WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer Guide for "
        "current limits and how to request higher limits."
    )
    assert error_of(
        dynamodb.update_table,
        TableName=provisioned,
        ProvisionedThroughput={"ReadCapacityUnits": 10**12 + 1, "WriteCapacityUnits": 1},
    ) == invalid("Given value 1000000000001 for ReadCapacityUnits is out of bounds")
    assert error_of(
        unchecked.update_table,
        TableName=provisioned,
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 0},
    ) == invalid(
        "1 validation error detected: Value '0' at 'provisionedThroughput.writeCapacityUnits' "
        "failed to satisfy constraint: Member must have value greater than or equal to 1"
    )
    answer = dynamodb.update_table(
        TableName=provisioned,
        ProvisionedThroughput={"ReadCapacityUnits": 6, "WriteCapacityUnits": 4},
    )["TableDescription"]
    assert answer["TableStatus"] == "UPDATING"
    echoed = answer["ProvisionedThroughput"]
    assert (echoed["ReadCapacityUnits"], echoed["WriteCapacityUnits"]) == (5, 5)
    assert echoed["NumberOfDecreasesToday"] == 0
    throughput = described(dynamodb, provisioned)["ProvisionedThroughput"]
    assert (throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]) == (6, 4)
    assert throughput["NumberOfDecreasesToday"] == 1
    assert "LastIncreaseDateTime" in throughput and "LastDecreaseDateTime" in throughput


def test_billing_mode_switches(dynamodb, table, provisioned):
    assert error_of(
        dynamodb.update_table, TableName=table, ProvisionedThroughput=THROUGHPUT
    ) == invalid(
        INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
        "BillingMode is PAY_PER_REQUEST"
    )
    assert error_of(dynamodb.update_table, TableName=table, BillingMode="PROVISIONED") == invalid(
        INVALID + "ProvisionedThroughput must be specified when BillingMode is PROVISIONED"
    )
    assert error_of(
        dynamodb.update_table,
        TableName=table,
        BillingMode="PROVISIONED",
        ProvisionedThroughput=THROUGHPUT,
    ) == invalid(INVALID + "ProvisionedThroughput must be specified for index: by-colour")
    dynamodb.update_table(
        TableName=table,
        BillingMode="PROVISIONED",
        ProvisionedThroughput=THROUGHPUT,
        GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": "by-colour", "ProvisionedThroughput": THROUGHPUT}}
        ],
    )
    switched = described(dynamodb, table)
    assert switched["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert switched["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert switched["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["WriteCapacityUnits"] == 5
    dynamodb.update_table(TableName=provisioned, BillingMode="PAY_PER_REQUEST")
    on_demand = described(dynamodb, provisioned)
    assert on_demand["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "LastUpdateToPayPerRequestDateTime" in on_demand["BillingModeSummary"]
    assert on_demand["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert on_demand["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["ReadCapacityUnits"] == 0


def test_stream_specification_errors(dynamodb, table):
    assert error_of(
        dynamodb.update_table, TableName=table, StreamSpecification={"StreamEnabled": True}
    ) == invalid(INVALID + "If stream is being enabled then UpdateViewType is required")
    assert error_of(
        dynamodb.update_table,
        TableName=table,
        StreamSpecification={"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"},
    ) == invalid(INVALID + "If stream is being disabled, then UpdateViewType must not be specified")
    assert error_of(
        dynamodb.update_table, TableName=table, StreamSpecification={"StreamEnabled": False}
    ) == invalid(f"Table has no stream to disable: TableName: {table}")
    on = dynamodb.update_table(
        TableName=table, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    )["TableDescription"]
    assert on["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert on["LatestStreamArn"] == f"{on['TableArn']}/stream/{on['LatestStreamLabel']}"


def test_enabling_a_stream_that_is_already_enabled(dynamodb, table):
    spec = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    dynamodb.update_table(TableName=table, StreamSpecification=spec)
    assert error_of(dynamodb.update_table, TableName=table, StreamSpecification=spec) == invalid(
        f"Table already has an enabled stream: TableName: {table}"
    )


def test_other_settings_and_table_arn(dynamodb, table):
    arn = described(dynamodb, table)["TableArn"]
    updated = dynamodb.update_table(
        TableName=arn, DeletionProtectionEnabled=True, TableClass="STANDARD_INFREQUENT_ACCESS"
    )["TableDescription"]
    assert updated["TableStatus"] == "UPDATING"
    dynamodb.update_table(TableName=table, SSESpecification={"Enabled": True, "SSEType": "KMS"})
    table_now = described(dynamodb, table)
    assert table_now["TableStatus"] == "ACTIVE"
    assert table_now["DeletionProtectionEnabled"] is True
    assert table_now["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    assert table_now["SSEDescription"]["Status"] == "ENABLED"
    assert table_now["SSEDescription"]["SSEType"] == "KMS"
