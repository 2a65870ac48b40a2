"""TransactWriteItems refusing bad requests: some faults are top-level errors, others are
`ValidationError` cancellation reasons, exactly as AWS splits them; neither writes anything.

Sources: nubo-db/dynamodb-conformance tests/tier3/error-messages/transactWriteItems.test.ts,
tests/tier2/transactions/transactWrite.test.ts, tests/tier3/limits/itemSizeBySurface.test.ts
and transactionLimits.test.ts (captured on AWS, four regions); getmoto/moto
exceptions/test_dynamodb_transactions.py (tests marked aws_verified). The 4 MB message is the
one nubo-db/dynoxide (by the conformance suite's authors) answers; no AWS capture quotes it.
"""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from tests.integration.support import create_table, gsi, invalid, unchecked_client
from tests.integration.test_tables import error_of

INVALID = "One or more parameter values were invalid: "
SCHEMA = "The provided key element does not match the schema"
EMPTY_KEY = (
    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
    "contain an empty {} value. Key: pk"
)
EMPTY_INDEX_KEY = (
    "One or more parameter values are not valid. A value specified for a secondary index key is "
    "not supported. The AttributeValue for a key attribute cannot contain an empty string value. "
    "IndexName: by-status, IndexKey: status"
)
EMPTY_UPDATED_INDEX_KEY = (
    "One or more parameter values are not valid. The update expression attempted to update a "
    "secondary index key to a value that is not supported. The AttributeValue for a key "
    "attribute cannot contain an empty string value."
)
INDEX_TYPE = (
    INVALID + "Type mismatch for Index Key status Expected: S Actual: {} IndexName: by-status"
)
MAX_ITEM = 400 * 1024


@pytest.fixture
def table(dynamodb, table_name):
    return create_table(
        dynamodb,
        table_name,
        indexed=(("status", "S"),),
        GlobalSecondaryIndexes=[gsi("by-status", "status")],
    )


@pytest.fixture
def binary_table(dynamodb, table_name):
    return create_table(dynamodb, table_name + "-b", hash_key=("pk", "B"))


@pytest.fixture
def unchecked(tidal_endpoint):
    return unchecked_client(tidal_endpoint)


def witness(table: str) -> dict:
    """A valid Put that a refused transaction must not write."""
    return {"Put": {"TableName": table, "Item": {"pk": {"S": "witness"}}}}


def written(dynamodb, table: str) -> bool:
    key = {"pk": {"S": "witness"}}
    return "Item" in dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)


def reasons_of(call, **kwargs) -> list[dict]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    assert response["Error"]["Code"] == "TransactionCanceledException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    codes = ", ".join(reason["Code"] for reason in response["CancellationReasons"])
    assert response["Error"]["Message"] == (
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]"
    )
    return response["CancellationReasons"]


def update(table: str, key: dict, expression: str = "SET a = :v", value: dict | None = None):
    request = {
        "TableName": table,
        "Key": key,
        "UpdateExpression": expression,
        "ExpressionAttributeValues": {":v": value or {"S": "x"}},
    }
    if "#s" in expression:
        request["ExpressionAttributeNames"] = {"#s": "status"}
    return {"Update": request}


def delete(table: str, key: dict) -> dict:
    return {"Delete": {"TableName": table, "Key": key}}


def check(table: str, key: dict) -> dict:
    return {
        "ConditionCheck": {
            "TableName": table,
            "Key": key,
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def put(table: str, item: dict) -> dict:
    return {"Put": {"TableName": table, "Item": item}}


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (
            lambda t: put(t, {"pk": {"N": "5"}}),
            INVALID + "Type mismatch for key pk expected: S actual: N",
        ),
        (
            lambda t: put(t, {"pk": {"L": [{"S": "x"}]}}),
            INVALID + "Type mismatch for key pk expected: S actual: L",
        ),
        (lambda t: put(t, {"other": {"S": "x"}}), INVALID + "Missing the key pk in the item"),
        (lambda t: put(t, {"pk": {"S": "p"}, "status": {"N": "5"}}), INDEX_TYPE.format("N")),
        (
            lambda t: put(t, {"pk": {"S": "p"}, "status": {"L": [{"S": "x"}]}}),
            INDEX_TYPE.format("L"),
        ),
        (
            lambda t: update(t, {"pk": {"S": "p"}}, "SET #s = :v", {"N": "5"}),
            INDEX_TYPE.format("N"),
        ),
        (lambda t: update(t, {"pk": {"N": "5"}}), SCHEMA),
        (lambda t: update(t, {"pk": {"L": [{"S": "x"}]}}), SCHEMA),
        (lambda t: delete(t, {"pk": {"N": "5"}}), SCHEMA),
        (lambda t: delete(t, {"pk": {"S": "p"}, "extra": {"S": "x"}}), SCHEMA),
        (lambda t: check(t, {"pk": {"N": "5"}}), SCHEMA),
        (lambda t: check(t, {}), SCHEMA),
    ],
)
def test_faults_found_while_running_cancel_with_a_validation_error(
    dynamodb, table, action, message
):
    transact_items = [witness(table), action(table)]
    reasons = reasons_of(dynamodb.transact_write_items, TransactItems=transact_items)
    assert reasons == [{"Code": "None"}, {"Code": "ValidationError", "Message": message}]
    assert not written(dynamodb, table)


def test_an_update_that_makes_an_item_too_large_is_cancelled(dynamodb, table):
    at_limit = {"S": "x" * (MAX_ITEM - 2 - 3 - 1)}
    dynamodb.transact_write_items(
        TransactItems=[update(table, {"pk": {"S": "big"}}, "SET p = :v", at_limit)]
    )
    over = {"S": "x" * (MAX_ITEM - 2 - 3 - 1 + 1)}
    reasons = reasons_of(
        dynamodb.transact_write_items,
        TransactItems=[witness(table), update(table, {"pk": {"S": "new"}}, "SET p = :v", over)],
    )
    assert reasons[1] == {
        "Code": "ValidationError",
        "Message": "Item size to update has exceeded the maximum allowed size",
    }
    assert not written(dynamodb, table)


def test_an_update_that_cannot_apply_is_cancelled(dynamodb, table):
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "p"}, "a": {"S": "text"}})
    reasons = reasons_of(
        dynamodb.transact_write_items,
        TransactItems=[
            witness(table),
            update(table, {"pk": {"S": "p"}}, "SET a = a + :v", {"N": "1"}),
        ],
    )
    assert reasons[1] == {
        "Code": "ValidationError",
        "Message": "An operand in the update expression has an incorrect data type",
    }
    assert not written(dynamodb, table)


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda t: put(t, {"pk": {"S": ""}}), EMPTY_KEY.format("string")),
        (lambda t: update(t, {"pk": {"S": ""}}), EMPTY_KEY.format("string")),
        (lambda t: delete(t, {"pk": {"S": ""}}), EMPTY_KEY.format("string")),
        (lambda t: check(t, {"pk": {"S": ""}}), EMPTY_KEY.format("string")),
        (lambda t: put(t, {"pk": {"S": "p"}, "status": {"S": ""}}), EMPTY_INDEX_KEY),
        (
            lambda t: update(t, {"pk": {"S": "p"}}, "SET #s = :v", {"S": ""}),
            EMPTY_UPDATED_INDEX_KEY,
        ),
        (
            lambda t: put(t, {"pk": {"S": "p"}, "big": {"S": "x" * MAX_ITEM}}),
            "Item size has exceeded the maximum allowed size",
        ),
        (
            lambda t: update(t, {"pk": {"S": "p"}}, "SET pk = :v"),
            INVALID + "Cannot update attribute pk. This attribute is part of the key",
        ),
        (
            lambda t: put(t, {"pk": {"S": "x" * 2049}}),
            INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes",
        ),
        (
            lambda t: put(t, {"pk": {"S": "p"}, "s": {"SS": []}}),
            INVALID + "An string set  may not be empty",
        ),
    ],
)
def test_faults_in_the_request_are_top_level(dynamodb, table, action, message):
    transact_items = [witness(table), action(table)]
    assert error_of(dynamodb.transact_write_items, TransactItems=transact_items) == invalid(message)
    assert not written(dynamodb, table)


def test_empty_binary_keys_are_top_level(dynamodb, binary_table):
    empty = {"pk": {"B": b""}}
    for transact_item in (
        put(binary_table, empty),
        update(binary_table, empty),
        delete(binary_table, empty),
        check(binary_table, empty),
    ):
        assert error_of(dynamodb.transact_write_items, TransactItems=[transact_item]) == invalid(
            EMPTY_KEY.format("binary")
        )


@pytest.mark.parametrize(
    "second",
    [
        lambda t: put(t, {"pk": {"S": "witness"}, "v": {"S": "again"}}),
        lambda t: delete(t, {"pk": {"S": "witness"}}),
        lambda t: update(t, {"pk": {"S": "witness"}}),
        lambda t: check(t, {"pk": {"S": "witness"}}),
    ],
)
def test_two_actions_on_one_item(dynamodb, table, second):
    transact_items = [witness(table), second(table)]
    assert error_of(dynamodb.transact_write_items, TransactItems=transact_items) == invalid(
        "Transaction request cannot include multiple operations on one item"
    )
    assert not written(dynamodb, table)


def test_one_item_named_with_its_key_attributes_in_another_order(dynamodb, table_name):
    ranged = create_table(dynamodb, table_name, range_key=("sk", "S"))
    transact_items = [
        put(ranged, {"pk": {"S": "p"}, "sk": {"S": "s"}, "v": {"S": "x"}}),
        delete(ranged, {"sk": {"S": "s"}, "pk": {"S": "p"}}),
    ]
    assert error_of(dynamodb.transact_write_items, TransactItems=transact_items) == invalid(
        "Transaction request cannot include multiple operations on one item"
    )


def test_a_missing_table_is_found_before_two_actions_on_one_item(dynamodb, table, table_name):
    missing = table_name + "-missing"
    transact_items = [
        witness(table),
        put(missing, {"pk": {"S": "a"}}),
        delete(missing, {"pk": {"S": "a"}}),
    ]
    assert error_of(dynamodb.transact_write_items, TransactItems=transact_items) == (
        "ResourceNotFoundException",
        "Requested resource not found",
        400,
    )
    assert not written(dynamodb, table)


@pytest.mark.parametrize(
    "actions",
    [lambda t: {}, lambda t: put(t, {"pk": {"S": "a"}}) | delete(t, {"pk": {"S": "a"}})],
    ids=["none", "two"],
)
def test_each_item_holds_one_action(unchecked, dynamodb, table, actions):
    transact_items = [witness(table), actions(table)]
    assert error_of(unchecked.transact_write_items, TransactItems=transact_items) == invalid(
        "TransactItems can only contain one of Check, Put, Update or Delete"
    )
    assert not written(dynamodb, table)


def test_the_number_of_actions(unchecked, table):
    assert error_of(unchecked.transact_write_items, TransactItems=[]) == invalid(
        "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1"
    )
    too_many = [put(table, {"pk": {"S": f"k{n}"}}) for n in range(101)]
    code, message, status = error_of(unchecked.transact_write_items, TransactItems=too_many)
    assert (code, status) == ("ValidationException", 400)
    assert re.fullmatch(
        r"1 validation error detected: Value '\[.+\]' at 'transactItems' failed to satisfy "
        r"constraint: Member must have length less than or equal to 100",
        message,
        re.DOTALL,
    )


def test_the_4_mb_limit(dynamodb, table):
    items = [put(table, {"pk": {"S": f"k{n}"}, "p": {"S": "x" * 350_000}}) for n in range(12)]
    assert error_of(dynamodb.transact_write_items, TransactItems=items) == invalid(
        "Collection size of items exceeded, which can also be caused by the aggregate size of "
        "the items in the transaction exceeding the 4MB limit"
    )
    key = {"pk": {"S": "k0"}}
    assert "Item" not in dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)
    dynamodb.transact_write_items(TransactItems=items[:10])
    assert "Item" in dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"ExpressionAttributeValues": {}}, "ExpressionAttributeValues must not be empty"),
        (
            {"ExpressionAttributeNames": {"#unused": "x"}},
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}",
        ),
        (
            {"ConditionExpression": "attribute_not_exists(pk) AND"},
            'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"',
        ),
    ],
)
def test_expression_errors_are_top_level(unchecked, dynamodb, table, extra, message):
    action = {
        "Put": {
            "TableName": table,
            "Item": {"pk": {"S": "p"}},
            "ConditionExpression": "attribute_not_exists(pk)",
            **extra,
        }
    }
    assert error_of(
        unchecked.transact_write_items, TransactItems=[witness(table), action]
    ) == invalid(message)
    assert not written(dynamodb, table)
