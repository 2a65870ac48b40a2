"""Control plane: CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable, tags, limits."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

HASH_ONLY = {
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
}
ON_DEMAND = {**HASH_ONLY, "BillingMode": "PAY_PER_REQUEST"}


def error_of(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def orders_table(name: str) -> dict:
    """The seed's dev_orders table (seeds/000_*: create_orders)."""
    return {
        "TableName": name,
        "AttributeDefinitions": [
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "status", "AttributeType": "S"},
        ],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "statusGSIndex",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            }
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }


def test_create_table_as_the_seed_does(dynamodb, table_name):
    created = dynamodb.create_table(**orders_table(table_name))["TableDescription"]
    assert created["TableStatus"] == "CREATING"
    assert created["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{table_name}"
    assert (
        created["LatestStreamArn"] == f"{created['TableArn']}/stream/{created['LatestStreamLabel']}"
    )
    dynamodb.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1})
    table = dynamodb.describe_table(TableName=table_name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert table["LatestStreamLabel"] == created["LatestStreamLabel"]
    assert table["ItemCount"] == 0 and table["TableSizeBytes"] == 0
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 1
    assert table["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 0
    assert len(table["TableId"]) == 36
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "statusGSIndex"
    assert index["IndexStatus"] == "ACTIVE"
    assert index["IndexArn"] == f"{table['TableArn']}/index/statusGSIndex"
    assert index["Projection"] == {"ProjectionType": "ALL"}
    assert "_space" not in str(table)


def test_pay_per_request_shape(dynamodb, table_name):
    dynamodb.create_table(TableName=table_name, **ON_DEMAND)
    table = dynamodb.describe_table(TableName=table_name)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert table["DeletionProtectionEnabled"] is False


def test_table_name_may_be_an_arn(dynamodb, table_name):
    dynamodb.create_table(TableName=table_name, **ON_DEMAND)
    arn = dynamodb.describe_table(TableName=table_name)["Table"]["TableArn"]
    assert dynamodb.describe_table(TableName=arn)["Table"]["TableName"] == table_name


def test_create_existing_table(dynamodb, table_name):
    dynamodb.create_table(TableName=table_name, **ON_DEMAND)
    assert error_of(dynamodb.create_table, TableName=table_name, **ON_DEMAND) == (
        "ResourceInUseException",
        f"Table already exists: {table_name}",
        400,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {
                "BillingMode": "PAY_PER_REQUEST",
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            },
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
            "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
        ),
        (
            {},
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
            "must both be specified when BillingMode is PROVISIONED",
        ),
        (
            {
                "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "other", "KeyType": "HASH"}],
            },
            "One or more parameter values were invalid: Some index key attributes are not defined "
            "in AttributeDefinitions. Keys: [other], AttributeDefinitions: [pk]",
        ),
        (
            {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "extra", "AttributeType": "S"},
                ],
            },
            "One or more parameter values were invalid: Number of attributes in KeySchema does "
            "not exactly match number of attributes defined in AttributeDefinitions",
        ),
        (
            {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "RANGE"},
                    {"AttributeName": "sk", "KeyType": "HASH"},
                ],
            },
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ),
        (
            {
                "BillingMode": "PAY_PER_REQUEST",
                "LocalSecondaryIndexes": [
                    {
                        "IndexName": "lsi",
                        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
            },
            "One or more parameter values were invalid: Table KeySchema does not have a range "
            "key, which is required when specifying a LocalSecondaryIndex",
        ),
        (
            {
                "BillingMode": "PAY_PER_REQUEST",
                "StreamSpecification": {"StreamEnabled": True},
            },
            "One or more parameter values were invalid: Table is being created with a stream "
            "enabled, UpdateViewType is required",
        ),
    ],
)
def test_create_table_semantic_errors(dynamodb, table_name, change, message):
    params = {"TableName": table_name, **HASH_ONLY, **change}
    assert error_of(dynamodb.create_table, **params) == ("ValidationException", message, 400)
    assert table_name not in dynamodb.list_tables()["TableNames"]


def test_create_table_name_constraints(dynamodb):
    code, message, status = error_of(dynamodb.create_table, TableName="ab", **ON_DEMAND)
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3"
    )
    code, message, _ = error_of(dynamodb.create_table, TableName="bad table!@#", **ON_DEMAND)
    assert message == (
        "1 validation error detected: Value 'bad table!@#' at 'tableName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    )


def test_list_tables_pagination(dynamodb, table_name):
    names = [f"{table_name}-{n}" for n in range(5)]
    for name in names:
        dynamodb.create_table(TableName=name, **ON_DEMAND)
    seen, start = [], {}
    while True:
        page = dynamodb.list_tables(Limit=2, **start)
        seen += [n for n in page["TableNames"] if n.startswith(table_name)]
        if "LastEvaluatedTableName" not in page:
            break
        assert len(page["TableNames"]) == 2
        start = {"ExclusiveStartTableName": page["LastEvaluatedTableName"]}
    assert seen == sorted(names)
    all_names = dynamodb.get_paginator("list_tables").paginate().build_full_result()["TableNames"]
    assert all_names == sorted(all_names)
    assert set(names) <= set(all_names)


def test_delete_table(dynamodb, table_name):
    dynamodb.create_table(TableName=table_name, **ON_DEMAND)
    dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "a"}})
    deleted = dynamodb.delete_table(TableName=table_name)["TableDescription"]
    assert deleted["TableStatus"] == "DELETING"
    assert "KeySchema" not in deleted and "AttributeDefinitions" not in deleted
    assert deleted["TableName"] == table_name
    dynamodb.get_waiter("table_not_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1})
    assert error_of(dynamodb.describe_table, TableName=table_name) == (
        "ResourceNotFoundException",
        f"Requested resource not found: Table: {table_name} not found",
        400,
    )
    assert error_of(dynamodb.delete_table, TableName=table_name)[0] == "ResourceNotFoundException"
    dynamodb.create_table(TableName=table_name, **ON_DEMAND)
    assert "Item" not in dynamodb.get_item(TableName=table_name, Key={"pk": {"S": "a"}})


def test_deletion_protection(dynamodb, table_name):
    dynamodb.create_table(TableName=table_name, DeletionProtectionEnabled=True, **ON_DEMAND)
    code, message, status = error_of(dynamodb.delete_table, TableName=table_name)
    assert (code, status) == ("ValidationException", 400)
    assert "protected against deletion" in message
    dynamodb.update_table(TableName=table_name, DeletionProtectionEnabled=False)
    dynamodb.delete_table(TableName=table_name)


def test_update_throughput_and_billing(dynamodb, table_name):
    dynamodb.create_table(
        TableName=table_name,
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        **HASH_ONLY,
    )
    updated = dynamodb.update_table(
        TableName=table_name,
        ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 2},
    )["TableDescription"]
    assert updated["TableStatus"] == "UPDATING"
    throughput = dynamodb.describe_table(TableName=table_name)["Table"]["ProvisionedThroughput"]
    assert throughput["ReadCapacityUnits"] == 10 and throughput["WriteCapacityUnits"] == 2
    assert throughput["NumberOfDecreasesToday"] == 1
    code, message, _ = error_of(
        dynamodb.update_table,
        TableName=table_name,
        ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 2},
    )
    assert code == "ValidationException"
    assert message.startswith("The provisioned throughput for the table will not change.")
    dynamodb.update_table(TableName=table_name, BillingMode="PAY_PER_REQUEST")
    table = dynamodb.describe_table(TableName=table_name)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "LastUpdateToPayPerRequestDateTime" in table["BillingModeSummary"]
    assert error_of(dynamodb.update_table, TableName=table_name)[0] == "ValidationException"


def _add_colour_index(dynamodb, table_name: str, projection: str) -> dict:
    """UpdateTable creating the GSI `by-colour` (hash key `colour`, a string)."""
    return dynamodb.update_table(
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": "colour", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "by-colour",
                    "KeySchema": [{"AttributeName": "colour", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": projection},
                }
            }
        ],
    )


def test_update_table_creates_and_backfills_a_gsi(dynamodb, table_name):
    dynamodb.create_table(TableName=table_name, **ON_DEMAND)
    for n in range(3):
        dynamodb.put_item(TableName=table_name, Item={"pk": {"S": f"k{n}"}, "colour": {"S": "red"}})
    updated = _add_colour_index(dynamodb, table_name, "KEYS_ONLY")["TableDescription"]
    (index,) = updated["GlobalSecondaryIndexes"]
    assert index["IndexStatus"] == "CREATING" and index["Backfilling"] is True
    table = dynamodb.describe_table(TableName=table_name)["Table"]
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexStatus"] == "ACTIVE"
    assert index["ItemCount"] == 3
    assert {"AttributeName": "colour", "AttributeType": "S"} in table["AttributeDefinitions"]
    code, _, _ = error_of(
        dynamodb.put_item, TableName=table_name, Item={"pk": {"S": "x"}, "colour": {"N": "1"}}
    )
    assert code == "ValidationException"
    dynamodb.update_table(
        TableName=table_name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-colour"}}]
    )
    assert "GlobalSecondaryIndexes" not in dynamodb.describe_table(TableName=table_name)["Table"]


def test_a_backfill_leaves_out_index_key_violations(dynamodb, table_name):
    dynamodb.create_table(TableName=table_name, **ON_DEMAND)
    colours = {"red": {"S": "red"}, "number": {"N": "1"}, "empty": {"S": ""}, "none": None}
    for key, colour in colours.items():
        item = {"pk": {"S": key}, **({"colour": colour} if colour else {})}
        dynamodb.put_item(TableName=table_name, Item=item)
    _add_colour_index(dynamodb, table_name, "ALL")
    scanned = dynamodb.scan(TableName=table_name, IndexName="by-colour")["Items"]
    assert [item["pk"]["S"] for item in scanned] == ["red"]
    (index,) = dynamodb.describe_table(TableName=table_name)["Table"]["GlobalSecondaryIndexes"]
    assert index["ItemCount"] == 1
    dynamodb.delete_item(TableName=table_name, Key={"pk": {"S": "number"}})
    assert dynamodb.scan(TableName=table_name, IndexName="by-colour")["Count"] == 1


def test_stream_on_off_gets_a_new_label(dynamodb, table_name):
    dynamodb.create_table(TableName=table_name, **ON_DEMAND)
    on = dynamodb.update_table(
        TableName=table_name,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )["TableDescription"]
    first = on["LatestStreamLabel"]
    assert on["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"
    code, _, _ = error_of(
        dynamodb.update_table,
        TableName=table_name,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    assert code == "ValidationException"
    dynamodb.update_table(TableName=table_name, StreamSpecification={"StreamEnabled": False})
    assert "StreamSpecification" not in dynamodb.describe_table(TableName=table_name)["Table"]
    again = dynamodb.update_table(
        TableName=table_name,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    assert again["LatestStreamLabel"] != first
    assert again["LatestStreamArn"].endswith(f"/stream/{again['LatestStreamLabel']}")


def test_tags(dynamodb, table_name):
    dynamodb.create_table(
        TableName=table_name, Tags=[{"Key": "team", "Value": "orders"}], **ON_DEMAND
    )
    arn = dynamodb.describe_table(TableName=table_name)["Table"]["TableArn"]
    dynamodb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    tags = dynamodb.list_tags_of_resource(ResourceArn=arn)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "dev"), ("team", "orders")]
    dynamodb.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert dynamodb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "env", "Value": "dev"}
    ]
    missing = arn + "-gone"
    assert error_of(dynamodb.list_tags_of_resource, ResourceArn=missing) == (
        "ResourceNotFoundException",
        f"Requested resource not found: ResourcArn: {missing} not found",
        400,
    )


def test_describe_limits_and_endpoints(dynamodb):
    limits = dynamodb.describe_limits()
    assert limits["TableMaxReadCapacityUnits"] == 40000
    (endpoint,) = dynamodb.describe_endpoints()["Endpoints"]
    assert endpoint["CachePeriodInMinutes"] == 1440
