"""BatchExecuteStatement through boto3: all reads or all writes, each statement answered in
its own response entry (an Error there, not an exception), as the DynamoDB conformance suite
recorded AWS answering."""

from __future__ import annotations

import pytest

from tests.integration.support import create_table, unchecked_client
from tests.integration.test_tables import error_of

NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "
BATCH_KEY = (
    "Select statements within BatchExecuteStatement must specify the primary key in the where "
    "clause."
)


@pytest.fixture
def table(dynamodb, table_name):
    create_table(dynamodb, table_name)
    for pk in ("a", "b"):
        dynamodb.put_item(TableName=table_name, Item={"pk": {"S": pk}, "val": {"S": f"v{pk}"}})
    return table_name


def batch(dynamodb, *statements, **options) -> dict:
    requests = [
        statement if isinstance(statement, dict) else {"Statement": statement}
        for statement in statements
    ]
    return dynamodb.batch_execute_statement(Statements=requests, **options)


def get(dynamodb, table: str, pk: str) -> dict | None:
    return dynamodb.get_item(TableName=table, Key={"pk": {"S": pk}}).get("Item")


def test_reads(dynamodb, table):
    responses = batch(
        dynamodb,
        f"SELECT * FROM \"{table}\" WHERE pk = 'a'",
        {"Statement": f'SELECT val FROM "{table}" WHERE pk = ?', "Parameters": [{"S": "b"}]},
        f"SELECT * FROM \"{table}\" WHERE pk = 'none'",
    )["Responses"]
    assert responses == [
        {"TableName": table, "Item": {"pk": {"S": "a"}, "val": {"S": "va"}}},
        {"TableName": table, "Item": {"val": {"S": "vb"}}},
        {"TableName": table},
    ]


def test_writes_each_on_their_own(dynamodb, table):
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "dup"}})
    responses = batch(
        dynamodb,
        f"INSERT INTO \"{table}\" VALUE {{'pk': 'new', 'val': 'n'}}",
        f"UPDATE \"{table}\" SET val = 'after' WHERE pk = 'a' RETURNING ALL NEW *",
        f"DELETE FROM \"{table}\" WHERE pk = 'b' RETURNING ALL OLD *",
        f"INSERT INTO \"{table}\" VALUE {{'pk': 'dup'}}",
        f"UPDATE \"{table}\" SET touched = 1 WHERE pk = 'ghost'",
        "SLECT * FROM t WHERE pk = 'x'",
        f"DELETE FROM \"{table}\" WHERE val = 'x'",
    )["Responses"]
    assert responses == [
        {"TableName": table},
        {"TableName": table, "Item": {"pk": {"S": "a"}, "val": {"S": "after"}}},
        {"TableName": table, "Item": {"pk": {"S": "b"}, "val": {"S": "vb"}}},
        {
            "TableName": table,
            "Error": {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"},
        },
        {
            "TableName": table,
            "Error": {
                "Code": "ConditionalCheckFailed",
                "Message": "The conditional request failed",
            },
        },
        {
            "Error": {
                "Code": "ValidationError",
                "Message": NOT_WELL_FORMED + "Expected data manipulation",
            }
        },
        {
            "Error": {
                "Code": "ValidationError",
                "Message": (
                    "Where clause does not contain a mandatory equality on all key attributes"
                ),
            }
        },
    ]
    assert get(dynamodb, table, "new") == {"pk": {"S": "new"}, "val": {"S": "n"}}
    assert get(dynamodb, table, "a")["val"] == {"S": "after"}
    assert get(dynamodb, table, "b") is None
    assert get(dynamodb, table, "ghost") is None


def test_failed_members_do_not_stop_the_others(dynamodb, table):
    responses = batch(
        dynamodb,
        f"SELECT * FROM \"{table}\" WHERE val = 'va'",
        f"SELECT * FROM \"{table}\" WHERE pk = 'a'",
        "SELECT * FROM \"never-made\" WHERE pk = 'x'",
        f'SELECT * FROM "{table}" WHERE',
    )["Responses"]
    assert responses[0] == {"Error": {"Code": "ValidationError", "Message": BATCH_KEY}}
    assert responses[1]["Item"]["val"] == {"S": "va"}
    assert responses[2] == {
        "Error": {"Code": "ResourceNotFound", "Message": "Requested resource not found"}
    }
    assert responses[3] == {
        "Error": {"Code": "ValidationError", "Message": NOT_WELL_FORMED + "Unexpected term"}
    }


def test_a_failed_member_returns_no_item_whatever_it_asks(dynamodb, table):
    responses = batch(
        dynamodb,
        {
            "Statement": f"UPDATE \"{table}\" SET t = 1 WHERE pk = 'a' AND val = 'wrong'",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    )["Responses"]
    assert responses == [
        {
            "TableName": table,
            "Error": {
                "Code": "ConditionalCheckFailed",
                "Message": "The conditional request failed",
            },
        }
    ]


def test_exists_is_a_member_error(dynamodb, table):
    statement = f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 'a' AND val = 'va')"
    assert batch(dynamodb, statement)["Responses"] == [
        {
            "Error": {
                "Code": "ValidationError",
                "Message": "EXISTS can only be used in ExecuteTransaction write requests.",
            }
        }
    ]


def test_reads_and_writes_do_not_mix(dynamodb, table):
    assert error_of(
        dynamodb.batch_execute_statement,
        Statements=[
            {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'a'"},
            {"Statement": f"DELETE FROM \"{table}\" WHERE pk = 'a'"},
        ],
    ) == (
        "ValidationException",
        "Read and write requests together in the same batch is not supported.",
        400,
    )
    assert get(dynamodb, table, "a") is not None


def test_one_item_twice(dynamodb, table):
    assert error_of(
        dynamodb.batch_execute_statement,
        Statements=[
            {"Statement": f"UPDATE \"{table}\" SET x = 1 WHERE pk = 'a'"},
            {"Statement": f"DELETE FROM \"{table}\" WHERE pk = 'a'"},
        ],
    ) == ("ValidationException", "Provided list of item keys contains duplicates", 400)
    assert "x" not in get(dynamodb, table, "a")


def test_between_one_and_25_statements(tidal_endpoint, table):
    client = unchecked_client(tidal_endpoint)
    assert error_of(client.batch_execute_statement, Statements=[]) == (
        "ValidationException",
        "1 validation error detected: Value '[]' at 'statements' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
        400,
    )
    code, message, _ = error_of(
        client.batch_execute_statement,
        Statements=[{"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'a'"}] * 26,
    )
    assert code == "ValidationException"
    assert "Member must have length less than or equal to 25" in message


def test_capacity_per_member_and_per_table(dynamodb, table):
    consumed = batch(
        dynamodb,
        {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'a'", "ConsistentRead": True},
        f"SELECT * FROM \"{table}\" WHERE pk = 'b'",
        ReturnConsumedCapacity="TOTAL",
    )["ConsumedCapacity"]
    assert consumed == [{"TableName": table, "CapacityUnits": 1.5}]
    written = batch(
        dynamodb,
        f"UPDATE \"{table}\" SET x = 1 WHERE pk = 'a'",
        f"INSERT INTO \"{table}\" VALUE {{'pk': 'c'}}",
        ReturnConsumedCapacity="TOTAL",
    )["ConsumedCapacity"]
    assert written == [{"TableName": table, "CapacityUnits": 2.0}]
