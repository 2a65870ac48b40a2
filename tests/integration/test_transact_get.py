"""TransactGetItems: one answer per Get in request order, capacity at twice a strong read, and
its errors.

Sources: getmoto/moto test_dynamodb_transact.py (answers and capacity figures);
nubo-db/dynamodb-conformance tests/tier3/error-messages/transactGetItems.test.ts and
tests/tier3/limits/transactionLimits.test.ts (captured on AWS).
"""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from tests.integration.support import create_table, invalid, unchecked_client
from tests.integration.test_tables import error_of


@pytest.fixture
def tables(dynamodb, table_name):
    first = create_table(dynamodb, table_name, range_key=("sort_key", "S"))
    second = create_table(dynamodb, table_name + "-2")
    for sort_key in ("1", "2"):
        dynamodb.put_item(TableName=first, Item=key("1", sort_key) | {"v": {"S": sort_key}})
    dynamodb.put_item(TableName=second, Item={"pk": {"S": "1"}, "m": {"M": {"a": {"N": "1"}}}})
    return first, second


@pytest.fixture
def unchecked(tidal_endpoint):
    return unchecked_client(tidal_endpoint)


def key(pk: str, sort_key: str) -> dict:
    return {"pk": {"S": pk}, "sort_key": {"S": sort_key}}


def get(table: str, key: dict, **extra) -> dict:
    return {"Get": {"TableName": table, "Key": key, **extra}}


def test_answers_in_request_order(dynamodb, tables):
    first, second = tables
    response = dynamodb.transact_get_items(
        TransactItems=[
            get(first, key("1", "2")),
            get(first, key("missing", "2")),
            get(second, {"pk": {"S": "1"}}, ProjectionExpression="m.a"),
            get(
                first,
                key("1", "1"),
                ProjectionExpression="#v",
                ExpressionAttributeNames={"#v": "v"},
            ),
        ]
    )
    assert response["Responses"] == [
        {"Item": key("1", "2") | {"v": {"S": "2"}}},
        {},
        {"Item": {"m": {"M": {"a": {"N": "1"}}}}},
        {"Item": {"v": {"S": "1"}}},
    ]
    assert "ConsumedCapacity" not in response


def test_consumed_capacity_is_twice_a_strong_read_per_item(dynamodb, tables):
    first, second = tables
    dynamodb.put_item(TableName=second, Item={"pk": {"S": "big"}, "p": {"S": "x" * 5000}})
    transact_items = [
        get(first, key("1", "1")),
        get(first, key("missing", "1")),
        get(second, {"pk": {"S": "big"}}),
    ]
    total = dynamodb.transact_get_items(
        TransactItems=transact_items, ReturnConsumedCapacity="TOTAL"
    )
    assert total["ConsumedCapacity"] == [
        {"TableName": first, "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0},
        {"TableName": second, "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0},
    ]
    indexes = dynamodb.transact_get_items(
        TransactItems=transact_items[:1], ReturnConsumedCapacity="INDEXES"
    )
    assert indexes["ConsumedCapacity"] == [
        {
            "TableName": first,
            "CapacityUnits": 2.0,
            "ReadCapacityUnits": 2.0,
            "Table": {"CapacityUnits": 2.0, "ReadCapacityUnits": 2.0},
        }
    ]


def test_a_key_that_does_not_match_is_a_cancellation(dynamodb, tables):
    first, second = tables
    with pytest.raises(ClientError) as caught:
        dynamodb.transact_get_items(
            TransactItems=[get(second, {"pk": {"S": "1"}}), get(first, {"pk": {"S": "1"}})]
        )
    response = caught.value.response
    assert response["Error"] == {
        "Code": "TransactionCanceledException",
        "Message": "Transaction cancelled, please refer cancellation reasons for specific "
        "reasons [None, ValidationError]",
    }
    assert response["CancellationReasons"] == [
        {"Code": "None"},
        {
            "Code": "ValidationError",
            "Message": "The provided key element does not match the schema",
        },
    ]


def test_request_errors(unchecked, tables, table_name):
    _, second = tables
    assert error_of(
        unchecked.transact_get_items,
        TransactItems=[get(second, {"pk": {"S": "1"}}), get(second, {"pk": {"S": "1"}})],
    ) == invalid("Transaction request cannot include multiple operations on one item")
    assert error_of(
        unchecked.transact_get_items,
        TransactItems=[get(table_name + "-missing", {"pk": {"S": "1"}})],
    ) == ("ResourceNotFoundException", "Requested resource not found", 400)
    assert error_of(
        unchecked.transact_get_items,
        TransactItems=[get(second, {"pk": {"S": "1"}}, ProjectionExpression="!!!")],
    ) == invalid('Invalid ProjectionExpression: Syntax error; token: "!", near: "!!"')
    assert error_of(
        unchecked.transact_get_items, TransactItems=[get(second, {"pk": {"S": ""}})]
    ) == invalid(
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty string value. Key: pk"
    )
    assert error_of(unchecked.transact_get_items, TransactItems=[]) == invalid(
        "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1"
    )


def test_a_hundred_gets(dynamodb, unchecked, tables):
    _, second = tables
    gets = [get(second, {"pk": {"S": f"k{n}"}}) for n in range(100)]
    assert dynamodb.transact_get_items(TransactItems=gets)["Responses"] == [{}] * 100
    code, message, status = error_of(
        unchecked.transact_get_items, TransactItems=[*gets, get(second, {"pk": {"S": "k100"}})]
    )
    assert (code, status) == ("ValidationException", 400)
    assert re.fullmatch(
        r"1 validation error detected: Value '\[.+\]' at 'transactItems' failed to satisfy "
        r"constraint: Member must have length less than or equal to 100",
        message,
        re.DOTALL,
    )


def test_the_4_mb_limit(dynamodb, tables):
    _, second = tables
    for n in range(11):
        dynamodb.put_item(
            TableName=second, Item={"pk": {"S": f"big{n}"}, "p": {"S": "x" * 400_000}}
        )
    gets = [get(second, {"pk": {"S": f"big{n}"}}) for n in range(11)]
    assert len(dynamodb.transact_get_items(TransactItems=gets[:10])["Responses"]) == 10
    assert error_of(dynamodb.transact_get_items, TransactItems=gets) == invalid(
        "Collection size of items exceeded, which can also be caused by the aggregate size of "
        "the items in the transaction exceeding the 4MB limit"
    )
