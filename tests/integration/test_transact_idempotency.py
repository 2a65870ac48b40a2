"""ClientRequestToken: TransactWriteItems sent again with the same token is answered again
without writing again, for 10 minutes after the first; with other parameters it is refused.

Sources: BC `TransactWriteItemsInput.ClientRequestToken` (the window, the mismatch, read
capacity on a replay); nubo-db/dynamodb-conformance tests/tier2/transactions/transactWrite.test.ts
(replay capacity measured on AWS: 4 WCU first, 2 RCU replayed, for a 1.5 KB item).
The clock is moved by patching `tidal.core.clock.now`: the server runs in this process.
"""

from __future__ import annotations

import pytest

from tests.integration.support import create_table
from tests.integration.test_tables import error_of
from tidal.core import clock
from tidal.testing.plugin import client

KEY = {"pk": {"S": "counter"}}
MISMATCH = (
    "IdempotentParameterMismatchException",
    "DynamoDB rejected the request because you retried a request with a different payload "
    "but with an idempotent token that was already used.",
    400,
)


@pytest.fixture
def table(dynamodb, table_name):
    return create_table(dynamodb, table_name)


@pytest.fixture
def token(table_name) -> str:
    return f"token-{table_name}"


def increment(table: str, by: str = "1") -> list[dict]:
    return [
        {
            "Update": {
                "TableName": table,
                "Key": KEY,
                "UpdateExpression": "ADD hits :n",
                "ExpressionAttributeValues": {":n": {"N": by}},
            }
        }
    ]


def hits(dynamodb, table: str) -> str | None:
    item = dynamodb.get_item(TableName=table, Key=KEY, ConsistentRead=True).get("Item")
    return item["hits"]["N"] if item else None


def body(response: dict) -> dict:
    return {name: value for name, value in response.items() if name != "ResponseMetadata"}


def test_the_same_request_again_writes_nothing_again(dynamodb, table, token):
    first = dynamodb.transact_write_items(TransactItems=increment(table), ClientRequestToken=token)
    again = dynamodb.transact_write_items(TransactItems=increment(table), ClientRequestToken=token)
    assert body(first) == body(again) == {}
    assert hits(dynamodb, table) == "1"
    dynamodb.transact_write_items(TransactItems=increment(table))
    assert hits(dynamodb, table) == "2"


def test_other_parameters_with_the_same_token_are_refused(dynamodb, table, token):
    dynamodb.transact_write_items(TransactItems=increment(table), ClientRequestToken=token)
    assert (
        error_of(
            dynamodb.transact_write_items,
            TransactItems=increment(table, by="5"),
            ClientRequestToken=token,
        )
        == MISMATCH
    )
    assert (
        error_of(
            dynamodb.transact_write_items,
            TransactItems=increment(table),
            ClientRequestToken=token,
            ReturnConsumedCapacity="TOTAL",
        )
        == MISMATCH
    )
    assert hits(dynamodb, table) == "1"


def test_a_token_lives_ten_minutes(dynamodb, table, token, monkeypatch):
    start = clock.now()
    dynamodb.transact_write_items(TransactItems=increment(table), ClientRequestToken=token)
    monkeypatch.setattr(clock, "now", lambda: start + 599)
    dynamodb.transact_write_items(TransactItems=increment(table), ClientRequestToken=token)
    assert hits(dynamodb, table) == "1"
    monkeypatch.setattr(clock, "now", lambda: start + 601)
    dynamodb.transact_write_items(TransactItems=increment(table), ClientRequestToken=token)
    assert hits(dynamodb, table) == "2"
    monkeypatch.setattr(clock, "now", lambda: start + 601 + 599)
    dynamodb.transact_write_items(TransactItems=increment(table), ClientRequestToken=token)
    assert hits(dynamodb, table) == "2"


def test_an_expired_token_may_carry_another_request(dynamodb, table, token, monkeypatch):
    start = clock.now()
    dynamodb.transact_write_items(TransactItems=increment(table), ClientRequestToken=token)
    monkeypatch.setattr(clock, "now", lambda: start + 601)
    dynamodb.transact_write_items(TransactItems=increment(table, by="5"), ClientRequestToken=token)
    assert hits(dynamodb, table) == "6"


def test_a_cancelled_request_leaves_no_token(dynamodb, table, token):
    guarded = increment(table)
    guarded[0]["Update"]["ConditionExpression"] = "attribute_exists(pk)"
    code, _message, _status = error_of(
        dynamodb.transact_write_items, TransactItems=guarded, ClientRequestToken=token
    )
    assert code == "TransactionCanceledException"
    dynamodb.put_item(TableName=table, Item=KEY)
    dynamodb.transact_write_items(TransactItems=guarded, ClientRequestToken=token)
    assert hits(dynamodb, table) == "1"


def test_a_replay_reports_what_reading_the_items_costs(dynamodb, table, token):
    put = [{"Put": {"TableName": table, "Item": {**KEY, "big": {"S": "x" * 1536}}}}]
    first = dynamodb.transact_write_items(
        TransactItems=put, ClientRequestToken=token, ReturnConsumedCapacity="INDEXES"
    )
    assert first["ConsumedCapacity"] == [
        {
            "TableName": table,
            "CapacityUnits": 4.0,
            "WriteCapacityUnits": 4.0,
            "Table": {"CapacityUnits": 4.0, "WriteCapacityUnits": 4.0},
        }
    ]
    replay = dynamodb.transact_write_items(
        TransactItems=put, ClientRequestToken=token, ReturnConsumedCapacity="INDEXES"
    )
    assert replay["ConsumedCapacity"] == [
        {
            "TableName": table,
            "CapacityUnits": 2.0,
            "ReadCapacityUnits": 2.0,
            "Table": {"CapacityUnits": 2.0, "ReadCapacityUnits": 2.0},
        }
    ]


def test_tokens_belong_to_one_region(dynamodb, tidal_endpoint, table, token):
    elsewhere = client("dynamodb", tidal_endpoint, region="eu-west-1")
    create_table(elsewhere, table)
    dynamodb.transact_write_items(TransactItems=increment(table), ClientRequestToken=token)
    elsewhere.transact_write_items(TransactItems=increment(table, by="5"), ClientRequestToken=token)
    assert hits(elsewhere, table) == "5"
