"""ExecuteStatement reads in pages: Limit counts the items read, 1 MB ends a page, NextToken
continues only the statement that minted it; and the capacity each read and write reports."""

from __future__ import annotations

import pytest

from tests.integration.support import create_table, gsi
from tests.integration.test_tables import error_of


@pytest.fixture
def table(dynamodb, table_name):
    create_table(
        dynamodb,
        table_name,
        range_key=("sk", "N"),
        indexed=(("g", "S"), ("l", "S")),
        GlobalSecondaryIndexes=[gsi("by-g", "g", "sk")],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-l",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    for pk in ("a", "b", "c"):
        for sk in range(4):
            dynamodb.put_item(
                TableName=table_name,
                Item={
                    "pk": {"S": pk},
                    "sk": {"N": str(sk)},
                    "g": {"S": "all"},
                    "l": {"S": f"l{sk}"},
                    "other": {"S": f"{pk}{sk}"},
                },
            )
    return table_name


def pages(dynamodb, statement: str, limit: int, **options) -> list[dict]:
    """Every page of a statement, following NextToken."""
    found = []
    request = {"Statement": statement, "Limit": limit, **options}
    while True:
        page = dynamodb.execute_statement(**request)
        found.append(page)
        if "NextToken" not in page:
            return found
        request["NextToken"] = page["NextToken"]


def keys(found: list[dict]) -> list[str]:
    return [item["pk"]["S"] + item["sk"]["N"] for page in found for item in page["Items"]]


def test_a_scan_pages_through_every_item_once(dynamodb, table):
    found = pages(dynamodb, f'SELECT pk, sk FROM "{table}"', 5)
    assert [len(page["Items"]) for page in found] == [5, 5, 2]
    assert sorted(keys(found)) == sorted(f"{pk}{sk}" for pk in "abc" for sk in range(4))
    last = found[0]["Items"][-1]
    assert found[0]["LastEvaluatedKey"] == {"pk": last["pk"], "sk": last["sk"]}
    assert "LastEvaluatedKey" not in found[-1]


def test_limit_counts_items_read_not_items_matched(dynamodb, table):
    page = dynamodb.execute_statement(
        Statement=f"SELECT * FROM \"{table}\" WHERE other = 'nothing'", Limit=2
    )
    assert page["Items"] == []
    assert "NextToken" in page


def test_a_partition_in_order_across_pages(dynamodb, table):
    statement = f"SELECT pk, sk FROM \"{table}\" WHERE pk = 'b' AND sk > 0 ORDER BY sk DESC"
    found = pages(dynamodb, statement, 2)
    assert keys(found) == ["b3", "b2", "b1"]


def test_several_partitions_across_pages(dynamodb, table):
    statement = f"SELECT pk, sk FROM \"{table}\" WHERE pk IN ['c', 'a'] AND sk < 2"
    assert keys(pages(dynamodb, statement, 3)) == ["a0", "a1", "c0", "c1"]


def test_an_index_across_pages(dynamodb, table):
    found = pages(dynamodb, f'SELECT pk, sk FROM "{table}"."by-g" WHERE g = \'all\'', 5)
    assert sorted(keys(found)) == sorted(f"{pk}{sk}" for pk in "abc" for sk in range(4))
    assert set(found[0]["LastEvaluatedKey"]) == {"pk", "sk", "g"}


def test_a_page_ends_after_a_megabyte(dynamodb, table_name):
    create_table(dynamodb, table_name)
    for number in range(4):
        dynamodb.put_item(
            TableName=table_name,
            Item={"pk": {"S": f"big{number}"}, "v": {"S": "x" * 350_000}},
        )
    first = dynamodb.execute_statement(Statement=f'SELECT pk FROM "{table_name}"')
    assert len(first["Items"]) == 3
    rest = dynamodb.execute_statement(
        Statement=f'SELECT pk FROM "{table_name}"', NextToken=first["NextToken"]
    )
    assert len(rest["Items"]) == 1
    assert "NextToken" not in rest


def test_a_token_continues_only_its_own_statement(dynamodb, table):
    statement = f'SELECT * FROM "{table}" WHERE pk = ?'
    page = dynamodb.execute_statement(Statement=statement, Parameters=[{"S": "a"}], Limit=1)
    token = page["NextToken"]
    mismatch = ("ValidationException", "NextToken does not match request", 400)
    other = f'SELECT * FROM "{table}"'
    assert error_of(dynamodb.execute_statement, Statement=other, NextToken=token) == mismatch
    assert (
        error_of(
            dynamodb.execute_statement,
            Statement=statement,
            Parameters=[{"S": "b"}],
            NextToken=token,
        )
        == mismatch
    )
    more = dynamodb.execute_statement(
        Statement=statement, Parameters=[{"S": "a"}], Limit=2, NextToken=token
    )
    assert [item["sk"]["N"] for item in more["Items"]] == ["1", "2"]
    assert error_of(dynamodb.execute_statement, Statement=other, NextToken="nonsense") == (
        "ValidationException",
        "Invalid NextToken",
        400,
    )


def test_read_capacity(dynamodb, table):
    def consumed(statement: str, **options) -> dict:
        response = dynamodb.execute_statement(
            Statement=statement, ReturnConsumedCapacity="INDEXES", **options
        )
        return response["ConsumedCapacity"]

    one = consumed(f"SELECT * FROM \"{table}\" WHERE pk = 'a' AND sk = 1")
    assert one == {"TableName": table, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.5}}
    strong = consumed(f"SELECT * FROM \"{table}\" WHERE pk = 'a' AND sk = 1", ConsistentRead=True)
    assert strong["CapacityUnits"] == 1.0
    by_g = consumed(f'SELECT pk FROM "{table}"."by-g" WHERE g = \'all\'')
    assert by_g["Table"] == {"CapacityUnits": 0.0}
    assert by_g["GlobalSecondaryIndexes"] == {"by-g": {"CapacityUnits": 0.5}}
    keys_only = consumed(f'SELECT * FROM "{table}"."by-l" WHERE pk = \'a\'')
    assert keys_only["Table"] == {"CapacityUnits": 0.0}
    reached = consumed(f'SELECT other FROM "{table}"."by-l" WHERE pk = \'a\'')
    assert reached["Table"]["CapacityUnits"] > 0
    assert reached["LocalSecondaryIndexes"] == {"by-l": {"CapacityUnits": 0.5}}


def test_an_unprojected_attribute_of_a_local_index_is_read_from_the_table(dynamodb, table):
    found = dynamodb.execute_statement(
        Statement=f"SELECT other, l FROM \"{table}\".\"by-l\" WHERE pk = 'c' AND l >= 'l2'"
    )["Items"]
    assert found == [
        {"other": {"S": "c2"}, "l": {"S": "l2"}},
        {"other": {"S": "c3"}, "l": {"S": "l3"}},
    ]


def test_write_capacity(dynamodb, table):
    response = dynamodb.execute_statement(
        Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'w', 'sk': 1, 'g': 'x'}}",
        ReturnConsumedCapacity="INDEXES",
    )
    assert response["ConsumedCapacity"] == {
        "TableName": table,
        "CapacityUnits": 2.0,
        "Table": {"CapacityUnits": 1.0},
        "GlobalSecondaryIndexes": {"by-g": {"CapacityUnits": 1.0}},
    }
    total = dynamodb.execute_statement(
        Statement=f"DELETE FROM \"{table}\" WHERE pk = 'w' AND sk = 1",
        ReturnConsumedCapacity="TOTAL",
    )
    assert total["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 2.0}
