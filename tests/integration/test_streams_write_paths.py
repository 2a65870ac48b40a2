"""Every write path leaves the records AWS leaves: batches, transactions, PartiQL, TTL.

reference/streams.md §5: one record per changed item, none for an item left as it was
(a ConditionCheck, an identical put, a delete of nothing), none at all for a cancelled
transaction; TTL deletes are REMOVEs with the DynamoDB service as userIdentity.
"""

from __future__ import annotations

import time

import pytest

from tests.integration.streams_support import Clock, images, read_stream, stream_table


def events(records: list[dict]) -> list[tuple[str, str]]:
    return [(record["eventName"], record["dynamodb"]["Keys"]["pk"]["S"]) for record in records]


@pytest.fixture
def two_tables(dynamodb, table_name):
    other = table_name + "-b"
    return (
        (table_name, stream_table(dynamodb, table_name, "NEW_AND_OLD_IMAGES")),
        (other, stream_table(dynamodb, other, "KEYS_ONLY")),
    )


def test_batch_write_item(dynamodb, dynamodbstreams, two_tables):
    (first, first_arn), (second, second_arn) = two_tables
    dynamodb.put_item(TableName=first, Item={"pk": {"S": "same"}, "v": {"S": "1"}})
    dynamodb.put_item(TableName=first, Item={"pk": {"S": "changed"}, "v": {"S": "1"}})
    dynamodb.put_item(TableName=second, Item={"pk": {"S": "gone"}})
    dynamodb.batch_write_item(
        RequestItems={
            first: [
                {"PutRequest": {"Item": {"pk": {"S": "same"}, "v": {"S": "1"}}}},
                {"PutRequest": {"Item": {"pk": {"S": "changed"}, "v": {"S": "2"}}}},
                {"PutRequest": {"Item": {"pk": {"S": "new"}}}},
                {"DeleteRequest": {"Key": {"pk": {"S": "never-was"}}}},
            ],
            second: [{"DeleteRequest": {"Key": {"pk": {"S": "gone"}}}}],
        }
    )
    first_records = read_stream(dynamodbstreams, first_arn)
    assert events(first_records)[2:] == [("MODIFY", "changed"), ("INSERT", "new")]
    modify = images(first_records[2])["dynamodb"]
    assert modify["OldImage"] == {"pk": {"S": "changed"}, "v": {"S": "1"}}
    assert modify["NewImage"] == {"pk": {"S": "changed"}, "v": {"S": "2"}}
    assert events(read_stream(dynamodbstreams, second_arn)) == [
        ("INSERT", "gone"),
        ("REMOVE", "gone"),
    ]


def test_transact_write_items(dynamodb, dynamodbstreams, two_tables):
    (first, first_arn), (second, second_arn) = two_tables
    dynamodb.put_item(TableName=first, Item={"pk": {"S": "checked"}})
    dynamodb.put_item(TableName=first, Item={"pk": {"S": "deleted"}})
    dynamodb.transact_write_items(
        TransactItems=[
            {
                "ConditionCheck": {
                    "TableName": first,
                    "Key": {"pk": {"S": "checked"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
            {"Put": {"TableName": first, "Item": {"pk": {"S": "put"}}}},
            {
                "Update": {
                    "TableName": second,
                    "Key": {"pk": {"S": "updated"}},
                    "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"S": "x"}},
                }
            },
            {"Delete": {"TableName": first, "Key": {"pk": {"S": "deleted"}}}},
        ]
    )
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": first, "Item": {"pk": {"S": "cancelled"}}}},
                {
                    "Delete": {
                        "TableName": second,
                        "Key": {"pk": {"S": "updated"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    assert events(read_stream(dynamodbstreams, first_arn)) == [
        ("INSERT", "checked"),
        ("INSERT", "deleted"),
        ("INSERT", "put"),
        ("REMOVE", "deleted"),
    ]
    assert events(read_stream(dynamodbstreams, second_arn)) == [("INSERT", "updated")]


def test_partiql_statements(dynamodb, dynamodbstreams, table_name):
    arn = stream_table(dynamodb, table_name, "NEW_IMAGE")
    dynamodb.execute_statement(Statement=f"INSERT INTO \"{table_name}\" VALUE {{'pk': 'a'}}")
    dynamodb.execute_statement(
        Statement=f"UPDATE \"{table_name}\" SET v = 'x' WHERE pk = 'a'",
    )
    dynamodb.batch_execute_statement(
        Statements=[
            {"Statement": f"INSERT INTO \"{table_name}\" VALUE {{'pk': 'b'}}"},
            {"Statement": f"INSERT INTO \"{table_name}\" VALUE {{'pk': 'c'}}"},
        ]
    )
    dynamodb.execute_transaction(
        TransactStatements=[
            {"Statement": f"DELETE FROM \"{table_name}\" WHERE pk = 'b'"},
            {"Statement": f"UPDATE \"{table_name}\" SET v = 'y' WHERE pk = 'c'"},
        ]
    )
    records = read_stream(dynamodbstreams, arn)
    assert events(records) == [
        ("INSERT", "a"),
        ("MODIFY", "a"),
        ("INSERT", "b"),
        ("INSERT", "c"),
        ("REMOVE", "b"),
        ("MODIFY", "c"),
    ]
    assert records[1]["dynamodb"]["NewImage"] == {"pk": {"S": "a"}, "v": {"S": "x"}}


def test_ttl_deletes_are_removes_by_the_dynamodb_service(
    dynamodb, dynamodbstreams, table_name, monkeypatch, expire_now
):
    clock = Clock(monkeypatch)
    arn = stream_table(dynamodb, table_name, "OLD_IMAGE")
    dynamodb.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"},
    )
    expires = {"N": str(int(time.time()) + 60)}
    dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "short"}, "expires": expires})
    dynamodb.delete_item(TableName=table_name, Key={"pk": {"S": "short"}})
    dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "lived"}, "expires": expires})
    clock.advance(3600)
    assert expire_now() == 1
    _, user_delete, _, ttl_delete = read_stream(dynamodbstreams, arn)
    assert "userIdentity" not in user_delete
    assert ttl_delete["eventName"] == "REMOVE"
    assert ttl_delete["userIdentity"] == {
        "Type": "Service",
        "PrincipalId": "dynamodb.amazonaws.com",
    }
    assert ttl_delete["dynamodb"]["OldImage"] == {"pk": {"S": "lived"}, "expires": expires}
