"""CreateTable, DescribeTable, ListTables, DeleteTable, DescribeLimits and DescribeEndpoints:
their options and their errors, as boto3 sees them.

Sources: reference/dynamodb.md §4, §5; architect/dynalite test/{createTable,deleteTable}.js and
nubo-db/dynamodb-conformance tests/tier3/error-messages/createTable.test.ts (checked against AWS);
the ack-api-quirks DynamoDB catalogue (AWS, 2026-10: "Attribute Name is duplicated", index
throughput wording, sorted AttributeDefinitions and NonKeyAttributes, stream view type on create).
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.integration.support import create_table, gsi, invalid, unchecked_client
from tests.integration.test_tables import HASH_ONLY, ON_DEMAND, error_of

INVALID = "One or more parameter values were invalid: "
PK = {"AttributeName": "pk", "AttributeType": "S"}
SK = {"AttributeName": "sk", "AttributeType": "S"}
PK_SK = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
THROUGHPUT = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}


def attribute(name: str, kind: str = "S") -> dict:
    return {"AttributeName": name, "AttributeType": kind}


def lsi(name: str, range_key: str, hash_key: str = "pk", **projection) -> dict:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": hash_key, "KeyType": "HASH"},
            {"AttributeName": range_key, "KeyType": "RANGE"},
        ],
        "Projection": projection or {"ProjectionType": "ALL"},
    }


@pytest.fixture
def unchecked(tidal_endpoint):
    return unchecked_client(tidal_endpoint)


def test_create_table_with_every_option(dynamodb, table_name):
    created = dynamodb.create_table(
        TableName=table_name,
        AttributeDefinitions=[attribute("z"), attribute("sk"), attribute("a", "N"), PK],
        KeySchema=PK_SK,
        LocalSecondaryIndexes=[
            lsi("by-z", "z", ProjectionType="INCLUDE", NonKeyAttributes=["y", "b"])
        ],
        GlobalSecondaryIndexes=[
            {
                **gsi("by-a", "a", "z", ProjectionType="KEYS_ONLY"),
                "ProvisionedThroughput": THROUGHPUT,
            }
        ],
        ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        SSESpecification={"Enabled": True},
        TableClass="STANDARD_INFREQUENT_ACCESS",
        DeletionProtectionEnabled=True,
        Tags=[{"Key": "team", "Value": "orders"}],
    )["TableDescription"]
    assert created["TableStatus"] == "CREATING"
    assert created["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
    table = dynamodb.describe_table(TableName=table_name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert [d["AttributeName"] for d in table["AttributeDefinitions"]] == ["a", "pk", "sk", "z"]
    assert table["KeySchema"] == PK_SK
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["SSEDescription"]["SSEType"] == "KMS"
    assert table["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    assert table["DeletionProtectionEnabled"] is True
    (local,) = table["LocalSecondaryIndexes"]
    assert local["IndexName"] == "by-z"
    assert local["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["b", "y"]}
    assert local["IndexArn"] == f"{table['TableArn']}/index/by-z"
    assert (local["ItemCount"], local["IndexSizeBytes"]) == (0, 0)
    assert "ProvisionedThroughput" not in local
    (global_,) = table["GlobalSecondaryIndexes"]
    assert global_["IndexStatus"] == "ACTIVE"
    assert global_["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert global_["ProvisionedThroughput"]["ReadCapacityUnits"] == 1
    tags = dynamodb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]
    assert tags == [{"Key": "team", "Value": "orders"}]


def test_describe_table_counts_items_and_keeps_its_identity(dynamodb, table_name):
    create_table(dynamodb, table_name)
    first = dynamodb.describe_table(TableName=table_name)["Table"]
    for n in range(3):
        dynamodb.put_item(TableName=table_name, Item={"pk": {"S": f"k{n}"}, "v": {"S": "x" * 100}})
    table = dynamodb.describe_table(TableName=table_name)["Table"]
    assert table["ItemCount"] == 3
    assert table["TableSizeBytes"] > 300
    assert table["TableId"] == first["TableId"]
    assert table["CreationDateTime"] == first["CreationDateTime"]
    assert table["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{table_name}"


def test_describe_and_delete_a_missing_table(dynamodb, table_name):
    message = f"Requested resource not found: Table: {table_name} not found"
    for call in (dynamodb.describe_table, dynamodb.delete_table):
        assert error_of(call, TableName=table_name) == ("ResourceNotFoundException", message, 400)
    arn = f"arn:aws:dynamodb:us-east-1:000000000000:table/{table_name}"
    assert error_of(dynamodb.describe_table, TableName=arn) == (
        "ResourceNotFoundException",
        message,
        400,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"AttributeDefinitions": [PK, attribute("pk", "N")]},
            "Attribute Name is duplicated: pk",
        ),
        (
            {
                "AttributeDefinitions": [PK, SK, attribute("x")],
                "KeySchema": [*PK_SK, {"AttributeName": "x", "KeyType": "RANGE"}],
            },
            "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, "
            "keyType=HASH), KeySchemaElement(attributeName=sk, keyType=RANGE), "
            "KeySchemaElement(attributeName=x, keyType=RANGE)]' at 'keySchema' failed to satisfy "
            "constraint: Member must have length less than or equal to 2",
        ),
        (
            {
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "pk", "KeyType": "RANGE"},
                ]
            },
            "Invalid KeySchema: Some index key attribute have no definition",
        ),
        (
            {
                "AttributeDefinitions": [PK, SK],
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "HASH"},
                ],
            },
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
        ),
        (
            {
                "AttributeDefinitions": [PK, SK],
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "pk", "KeyType": "HASH"},
                ],
            },
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ),
        (
            {"AttributeDefinitions": [PK, SK], "KeySchema": PK_SK, "LocalSecondaryIndexes": []},
            INVALID + "List of LocalSecondaryIndexes is empty",
        ),
        (
            {
                "AttributeDefinitions": [PK, SK, attribute("x")],
                "KeySchema": PK_SK,
                "LocalSecondaryIndexes": [lsi("idx", "x", hash_key="sk")],
            },
            INVALID + "Index KeySchema does not have the same leading hash key as table KeySchema "
            "for index: idx. index hash key: sk, table hash key: pk",
        ),
        (
            {
                "AttributeDefinitions": [PK, SK],
                "KeySchema": PK_SK,
                "LocalSecondaryIndexes": [
                    {**lsi("idx", "sk"), "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}
                ],
            },
            INVALID + "Index KeySchema does not have a range key for index: idx",
        ),
        (
            {
                "AttributeDefinitions": [PK, SK, attribute("x")],
                "KeySchema": PK_SK,
                "LocalSecondaryIndexes": [lsi(f"idx{n}", "x") for n in range(6)],
            },
            INVALID + "Number of LocalSecondaryIndexes exceeds per-table limit of 5",
        ),
        (
            {
                "AttributeDefinitions": [PK, SK, attribute("x")],
                "KeySchema": PK_SK,
                "LocalSecondaryIndexes": [lsi("same", "x")],
                "GlobalSecondaryIndexes": [gsi("same", "x")],
            },
            INVALID + "Duplicate index name: same",
        ),
        ({"GlobalSecondaryIndexes": []}, INVALID + "List of GlobalSecondaryIndexes is empty"),
        (
            {
                "AttributeDefinitions": [PK, attribute("g")],
                "GlobalSecondaryIndexes": [gsi(f"idx{n}", "g") for n in range(21)],
            },
            INVALID + "GlobalSecondaryIndex count exceeds the per-table limit of 20",
        ),
        (
            {
                "AttributeDefinitions": [PK, attribute("g")],
                "GlobalSecondaryIndexes": [
                    {**gsi("idx", "g"), "ProvisionedThroughput": THROUGHPUT}
                ],
            },
            INVALID + "ProvisionedThroughput should not be specified for index: idx when "
            "BillingMode is PAY_PER_REQUEST",
        ),
        (
            {
                "BillingMode": "PROVISIONED",
                "ProvisionedThroughput": THROUGHPUT,
                "AttributeDefinitions": [PK, attribute("g")],
                "GlobalSecondaryIndexes": [gsi("idx", "g")],
            },
            INVALID + "ProvisionedThroughput is not specified for index: idx",
        ),
        (
            {
                "AttributeDefinitions": [PK, attribute("g")],
                "GlobalSecondaryIndexes": [gsi("idx", "g", ProjectionType="INCLUDE")],
            },
            INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
        ),
        (
            {
                "AttributeDefinitions": [PK, attribute("g")],
                "GlobalSecondaryIndexes": [
                    gsi("idx", "g", ProjectionType="ALL", NonKeyAttributes=["x"])
                ],
            },
            INVALID + "ProjectionType is ALL, but NonKeyAttributes is specified",
        ),
        (
            {
                "AttributeDefinitions": [PK, attribute("g")],
                "GlobalSecondaryIndexes": [
                    gsi("idx", "g", ProjectionType="INCLUDE", NonKeyAttributes=["x", "x"])
                ],
            },
            INVALID + "Duplicate element in NonKeyAttributes: x",
        ),
        (
            {
                "AttributeDefinitions": [PK, attribute("g"), attribute("unused")],
                "GlobalSecondaryIndexes": [gsi("idx", "g")],
            },
            INVALID + "Some AttributeDefinitions are not used. AttributeDefinitions: "
            "[pk, g, unused], keys used: [g, pk]",
        ),
        (
            {"GlobalSecondaryIndexes": [gsi("idx", "missing")]},
            INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
            "Keys: [missing], AttributeDefinitions: [pk]",
        ),
        (
            {"StreamSpecification": {"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"}},
            INVALID + "Table is being created with a stream disabled, UpdateViewType should not be "
            "specified",
        ),
        (
            {
                "BillingMode": "PROVISIONED",
                "ProvisionedThroughput": {"ReadCapacityUnits": 10**12 + 1, "WriteCapacityUnits": 1},
            },
            "Given value 1000000000001 for ReadCapacityUnits is out of bounds",
        ),
        (
            {
                "BillingMode": "PROVISIONED",
                "ProvisionedThroughput": {
                    "ReadCapacityUnits": 10**12,
                    "WriteCapacityUnits": 10**12 + 1,
                },
            },
            "Given value 1000000000001 for WriteCapacityUnits is out of bounds",
        ),
        (
            {"Tags": [{"Key": "aws:owner", "Value": "me"}]},
            "Tag Key cannot be prefixed with aws:, Key: aws:owner",
        ),
    ],
)
def test_create_table_errors(dynamodb, table_name, change, message):
    params = {"TableName": table_name, **ON_DEMAND, **change}
    assert error_of(dynamodb.create_table, **params) == invalid(message)
    assert error_of(dynamodb.describe_table, TableName=table_name)[0] == "ResourceNotFoundException"


def test_create_table_without_key_schema_or_definitions(dynamodb, table_name):
    # DYNALITE createTable: both members null, in AWS's member order.
    assert error_of(
        dynamodb.create_table, TableName=table_name, BillingMode="PAY_PER_REQUEST"
    ) == invalid(
        "2 validation errors detected: "
        "Value null at 'attributeDefinitions' failed to satisfy constraint: "
        "Member must not be null; "
        "Value null at 'keySchema' failed to satisfy constraint: Member must not be null"
    )
    assert error_of(
        dynamodb.create_table,
        TableName=table_name,
        AttributeDefinitions=[PK],
        BillingMode="PAY_PER_REQUEST",
    ) == invalid(
        "1 validation error detected: "
        "Value null at 'keySchema' failed to satisfy constraint: Member must not be null"
    )


def test_create_table_model_constraints(unchecked, table_name):
    assert error_of(
        unchecked.create_table,
        TableName=table_name,
        AttributeDefinitions=[PK],
        KeySchema=[{"AttributeName": "pk", "KeyType": "INVALID"}],
        BillingMode="PAY_PER_REQUEST",
    ) == invalid(
        "1 validation error detected: Value 'INVALID' at 'keySchema.1.member.keyType' failed to "
        "satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]"
    )
    assert error_of(
        unchecked.create_table,
        TableName=table_name,
        AttributeDefinitions=[attribute("pk", "SS")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    ) == invalid(
        "1 validation error detected: Value 'SS' at 'attributeDefinitions.1.member.attributeType' "
        "failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"
    )
    assert error_of(
        unchecked.create_table,
        TableName=table_name,
        ProvisionedThroughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 1},
        **HASH_ONLY,
    ) == invalid(
        "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' "
        "failed to satisfy constraint: Member must have value greater than or equal to 1"
    )
    name = "a" * 256
    assert error_of(unchecked.create_table, TableName=name, **ON_DEMAND) == invalid(
        f"1 validation error detected: Value '{name}' at 'tableName' failed to satisfy "
        "constraint: Member must have length less than or equal to 255"
    )


def test_list_tables_limits(unchecked, dynamodb, table_name):
    for limit, bound in ((0, "greater than or equal to 1"), (101, "less than or equal to 100")):
        assert error_of(unchecked.list_tables, Limit=limit) == invalid(
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            f"constraint: Member must have value {bound}"
        )
    for suffix in ("b", "a", "c"):
        create_table(dynamodb, f"{table_name}-{suffix}")
    page = dynamodb.list_tables(ExclusiveStartTableName=f"{table_name}-", Limit=2)
    assert page["TableNames"] == [f"{table_name}-a", f"{table_name}-b"]
    assert page["LastEvaluatedTableName"] == f"{table_name}-b"
    rest = dynamodb.list_tables(ExclusiveStartTableName=f"{table_name}-b", Limit=1)
    assert rest["TableNames"] == [f"{table_name}-c"]


def test_delete_table_by_arn_and_its_response(dynamodb, table_name):
    create_table(
        dynamodb, table_name, indexed=(("g", "S"),), GlobalSecondaryIndexes=[gsi("by-g", "g")]
    )
    dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    arn = dynamodb.describe_table(TableName=table_name)["Table"]["TableArn"]
    deleted = dynamodb.delete_table(TableName=arn)["TableDescription"]
    assert deleted["TableName"] == table_name
    assert deleted["TableArn"] == arn
    assert deleted["TableStatus"] == "DELETING"
    assert not {"AttributeDefinitions", "KeySchema", "CreationDateTime"} & set(deleted)
    assert table_name not in dynamodb.list_tables()["TableNames"]
    assert error_of(dynamodb.get_item, TableName=table_name, Key={"pk": {"S": "a"}}) == (
        "ResourceNotFoundException",
        "Requested resource not found",
        400,
    )


def test_deletion_protection(dynamodb, table_name):
    create_table(dynamodb, table_name, DeletionProtectionEnabled=True)
    assert error_of(dynamodb.delete_table, TableName=table_name) == invalid(
        "Resource cannot be deleted as it is currently protected against deletion. "
        "Disable deletion protection first."
    )
    assert dynamodb.describe_table(TableName=table_name)["Table"]["DeletionProtectionEnabled"]
    dynamodb.update_table(TableName=table_name, DeletionProtectionEnabled=False)
    assert dynamodb.delete_table(TableName=table_name)["TableDescription"]["TableStatus"] == (
        "DELETING"
    )


def test_describe_limits(dynamodb):
    limits = dynamodb.describe_limits()
    limits.pop("ResponseMetadata")
    assert limits == {
        "AccountMaxReadCapacityUnits": 80000,
        "AccountMaxWriteCapacityUnits": 80000,
        "TableMaxReadCapacityUnits": 40000,
        "TableMaxWriteCapacityUnits": 40000,
    }


def test_describe_endpoints(dynamodb):
    (endpoint,) = dynamodb.describe_endpoints()["Endpoints"]
    assert endpoint["CachePeriodInMinutes"] == 1440
    assert endpoint["Address"]


def test_describe_endpoints_names_the_server_clients_reach(dynamodb, tidal_endpoint):
    (endpoint,) = dynamodb.describe_endpoints()["Endpoints"]
    assert endpoint["Address"] == urlparse(tidal_endpoint).netloc


def test_a_table_arn_must_name_the_callers_region_and_account(dynamodb, table_name):
    dynamodb.create_table(
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    arn = dynamodb.describe_table(TableName=table_name)["Table"]["TableArn"]
    elsewhere = arn.replace(":us-east-1:", ":eu-west-1:")
    assert error_of(dynamodb.describe_table, TableName=elsewhere) == (
        "ValidationException",
        f"1 validation error detected: Invalid AWS region in '{elsewhere}'",
        400,
    )
    stranger = arn.replace(":000000000000:", ":111122223333:")
    assert error_of(dynamodb.get_item, TableName=stranger, Key={"pk": {"S": "a"}}) == (
        "AccessDeniedException",
        "Access is denied",
        400,
    )
