"""ExecuteTransaction through boto3: all-or-nothing writes (with EXISTS checks), keyed reads,
the refusals that name a statement, cancellation reasons in request order, and
ClientRequestToken idempotency (nubo-db/dynamodb-conformance records these against AWS)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.integration.support import create_table, gsi, unchecked_client
from tests.integration.test_tables import error_of


@pytest.fixture
def table(dynamodb, table_name):
    create_table(
        dynamodb, table_name, indexed=(("g", "S"),), GlobalSecondaryIndexes=[gsi("by-g", "g")]
    )
    for pk in ("a", "b"):
        dynamodb.put_item(TableName=table_name, Item={"pk": {"S": pk}, "n": {"N": "0"}})
    return table_name


def statements(*texts) -> list[dict]:
    return [text if isinstance(text, dict) else {"Statement": text} for text in texts]


def transact(dynamodb, *texts, **options) -> dict:
    return dynamodb.execute_transaction(TransactStatements=statements(*texts), **options)


def cancelled(dynamodb, *texts, **options) -> dict:
    with pytest.raises(ClientError) as caught:
        transact(dynamodb, *texts, **options)
    response = caught.value.response
    assert response["Error"]["Code"] == "TransactionCanceledException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return response


def get(dynamodb, table: str, pk: str) -> dict | None:
    return dynamodb.get_item(TableName=table, Key={"pk": {"S": pk}}).get("Item")


def test_writes_apply_together(dynamodb, table):
    response = transact(
        dynamodb,
        f"INSERT INTO \"{table}\" VALUE {{'pk': 'new', 'g': 'x'}}",
        f"UPDATE \"{table}\" SET n = n + 1 WHERE pk = 'a'",
        f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 'b' AND n = 0)",
    )
    assert set(response) == {"ResponseMetadata"}
    assert get(dynamodb, table, "new") == {"pk": {"S": "new"}, "g": {"S": "x"}}
    assert get(dynamodb, table, "a")["n"] == {"N": "1"}
    transact(dynamodb, f"DELETE FROM \"{table}\" WHERE pk = 'b'")
    assert get(dynamodb, table, "b") is None
    by_g = dynamodb.execute_statement(Statement=f'SELECT pk FROM "{table}"."by-g" WHERE g = \'x\'')
    assert by_g["Items"] == [{"pk": {"S": "new"}}]


def test_one_failure_cancels_everything(dynamodb, table):
    response = cancelled(
        dynamodb,
        f"INSERT INTO \"{table}\" VALUE {{'pk': 'c'}}",
        f"INSERT INTO \"{table}\" VALUE {{'pk': 'a'}}",
        f"UPDATE \"{table}\" SET n = 5 WHERE pk = 'b' AND n = 1",
        f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 'ghost' AND n = 0)",
        f"DELETE FROM \"{table}\" WHERE pk = 'zzz'",
    )
    assert response["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, DuplicateItem, ConditionalCheckFailed, ConditionalCheckFailed, None]"
    )
    assert response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
        {"Code": "None"},
    ]
    assert get(dynamodb, table, "c") is None
    assert get(dynamodb, table, "a") == {"pk": {"S": "a"}, "n": {"N": "0"}}


def test_a_failed_condition_can_return_the_item(dynamodb, table):
    response = cancelled(
        dynamodb,
        {
            "Statement": f"UPDATE \"{table}\" SET n = 5 WHERE pk = 'a' AND n = 9",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
        {
            "Statement": f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 'b' AND n = 9)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    )
    failed = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
    assert response["CancellationReasons"] == [
        {**failed, "Item": {"pk": {"S": "a"}, "n": {"N": "0"}}},
        {**failed, "Item": {"pk": {"S": "b"}, "n": {"N": "0"}}},
    ]


def test_a_statement_without_the_full_key_cancels(dynamodb, table):
    response = cancelled(
        dynamodb,
        f"UPDATE \"{table}\" SET n = 1 WHERE pk = 'a'",
        f'UPDATE "{table}" SET n = 1 WHERE n = 0',
    )
    assert response["CancellationReasons"] == [
        {"Code": "None"},
        {
            "Code": "ValidationError",
            "Message": "Where clause does not contain a mandatory equality on all key attributes",
        },
    ]
    assert get(dynamodb, table, "a")["n"] == {"N": "0"}


def test_reads(dynamodb, table):
    response = transact(
        dynamodb,
        f"SELECT * FROM \"{table}\" WHERE pk = 'a'",
        {"Statement": f'SELECT n FROM "{table}" WHERE pk = ?', "Parameters": [{"S": "b"}]},
        f"SELECT * FROM \"{table}\" WHERE pk = 'none'",
        ReturnConsumedCapacity="TOTAL",
    )
    assert response["Responses"] == [
        {"Item": {"pk": {"S": "a"}, "n": {"N": "0"}}},
        {"Item": {"n": {"N": "0"}}},
        {},
    ]
    assert response["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 6.0, "ReadCapacityUnits": 6.0}
    ]


def refusal(number: int, message: str) -> tuple[str, str, int]:
    return (
        "ValidationException",
        f"Validation failed in TransactStatements[{number}]: {message}",
        400,
    )


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (
            ["SELECT * FROM \"{t}\" WHERE pk = 'a'", 'SELECT * FROM "{t}" WHERE'],
            refusal(1, "Statement wasn't well formed, can't be processed: Unexpected term"),
        ),
        (
            ["UPDATE \"{t}\" SET n = 2 WHERE pk = 'a' RETURNING ALL NEW *"],
            refusal(0, "RETURNING clause is not supported in ExecuteTransaction."),
        ),
        (
            ['SELECT * FROM "{t}"."by-g" WHERE g = \'x\''],
            refusal(0, "Reads on indices are not supported within transactions."),
        ),
        (
            ["SELECT * FROM \"{t}\" WHERE pk = 'a' AND n = 0"],
            refusal(
                0,
                "Select statements within ExecuteTransaction must specify the primary key in "
                "the where clause.",
            ),
        ),
        (
            ['UPDATE "{t}"."by-g" SET n = 1 WHERE pk = \'a\''],
            refusal(0, "This operation is not supported on an index"),
        ),
        (
            ["EXISTS(SELECT * FROM \"{t}\" WHERE pk = 'a')"],
            refusal(0, "EXISTS() must contain a single item read with additional condition"),
        ),
        (
            ["size(a)"],
            refusal(0, "Unsupported operation in transaction."),
        ),
        (
            ["SELECT * FROM \"{t}\" WHERE pk = 'a'", "DELETE FROM \"{t}\" WHERE pk = 'a'"],
            (
                "ValidationException",
                "ExecuteTransaction API does not support both read and write operations in the "
                "same request.",
                400,
            ),
        ),
        (
            ["UPDATE \"{t}\" SET n = 1 WHERE pk = 'a'", "DELETE FROM \"{t}\" WHERE pk = 'a'"],
            (
                "ValidationException",
                "Transaction request cannot include multiple operations on one item",
                400,
            ),
        ),
        (
            ["DELETE FROM \"never-made\" WHERE pk = 'a'"],
            ("ResourceNotFoundException", "Requested resource not found", 400),
        ),
    ],
)
def test_refused_transactions_change_nothing(dynamodb, table, texts, expected):
    requests = statements(*(text.format(t=table) for text in texts))
    assert error_of(dynamodb.execute_transaction, TransactStatements=requests) == expected
    assert get(dynamodb, table, "a") == {"pk": {"S": "a"}, "n": {"N": "0"}}


def test_between_one_and_100_statements(tidal_endpoint, table):
    client = unchecked_client(tidal_endpoint)
    code, message, status = error_of(client.execute_transaction, TransactStatements=[])
    assert (code, status) == ("ValidationException", 400)
    assert "Member must have length greater than or equal to 1" in message
    many = statements(*(f"SELECT * FROM \"{table}\" WHERE pk = 'x{n}'" for n in range(101)))
    code, message, _ = error_of(client.execute_transaction, TransactStatements=many)
    assert code == "ValidationException"
    assert "Member must have length less than or equal to 100" in message


def test_a_client_request_token_applies_the_writes_once(dynamodb, table):
    increment = f"UPDATE \"{table}\" SET n = n + 1 WHERE pk = 'a'"
    first = transact(
        dynamodb, increment, ClientRequestToken="token-1", ReturnConsumedCapacity="TOTAL"
    )
    again = transact(
        dynamodb, increment, ClientRequestToken="token-1", ReturnConsumedCapacity="TOTAL"
    )
    assert get(dynamodb, table, "a")["n"] == {"N": "1"}
    assert first["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}
    ]
    assert again["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}
    ]
    other = f"UPDATE \"{table}\" SET n = 7 WHERE pk = 'a'"
    code, _, status = error_of(
        dynamodb.execute_transaction,
        TransactStatements=statements(other),
        ClientRequestToken="token-1",
    )
    assert (code, status) == ("IdempotentParameterMismatchException", 400)
    assert get(dynamodb, table, "a")["n"] == {"N": "1"}


def test_write_capacity_is_doubled(dynamodb, table):
    response = transact(
        dynamodb,
        f"INSERT INTO \"{table}\" VALUE {{'pk': 'c', 'g': 'x'}}",
        f"DELETE FROM \"{table}\" WHERE pk = 'b'",
        ReturnConsumedCapacity="INDEXES",
    )
    assert response["ConsumedCapacity"] == [
        {
            "TableName": table,
            "CapacityUnits": 6.0,
            "WriteCapacityUnits": 6.0,
            "Table": {"CapacityUnits": 4.0, "WriteCapacityUnits": 4.0},
            "GlobalSecondaryIndexes": {"by-g": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}},
        }
    ]
