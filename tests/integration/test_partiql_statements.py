"""ExecuteStatement through boto3: every SELECT, INSERT, UPDATE and DELETE form DynamoDB runs,
with literals and parameters, and what each leaves in the table (read back with GetItem)."""

from __future__ import annotations

import pytest

from tests.integration.streams_support import read_stream, stream_table
from tests.integration.support import create_table, gsi


@pytest.fixture
def table(dynamodb, table_name):
    return create_table(
        dynamodb,
        table_name,
        range_key=("sk", "N"),
        indexed=(("g", "S"),),
        GlobalSecondaryIndexes=[gsi("by-g", "g", "sk")],
    )


def run(dynamodb, statement: str, *parameters: dict, **options) -> dict:
    if parameters:
        options["Parameters"] = list(parameters)
    return dynamodb.execute_statement(Statement=statement, **options)


def items(dynamodb, statement: str, *parameters: dict, **options) -> list[dict]:
    return run(dynamodb, statement, *parameters, **options)["Items"]


def get(dynamodb, table, pk: str, sk: int) -> dict | None:
    key = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
    return dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def fill(dynamodb, table, count: int = 5, pk: str = "p") -> None:
    for sk in range(count):
        run(
            dynamodb,
            f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'sk': {sk}, 'n': {sk * 10}, "
            f"'g': 'even', 'tag': 'x{sk}'}}",
            {"S": pk},
        )


def sks(found: list[dict]) -> list[str]:
    return [item["sk"]["N"] for item in found]


def test_insert_writes_every_literal_kind(dynamodb, table):
    response = run(
        dynamodb,
        f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1.0, 's': 'text', 'n': -12.50, "
        "'b': true, 'z': null, 'l': [1, 'two', [false]], 'm': {'k': {'deep': 'v'}}, "
        "'ss': <<'x', 'y'>>, 'ns': <<1, 2>>, 'p': ?}",
        {"B": b"\x01\x02"},
    )
    assert response["Items"] == []
    assert get(dynamodb, table, "a", 1) == {
        "pk": {"S": "a"},
        "sk": {"N": "1"},
        "s": {"S": "text"},
        "n": {"N": "-12.5"},
        "b": {"BOOL": True},
        "z": {"NULL": True},
        "l": {"L": [{"N": "1"}, {"S": "two"}, {"L": [{"BOOL": False}]}]},
        "m": {"M": {"k": {"M": {"deep": {"S": "v"}}}}},
        "ss": {"SS": ["x", "y"]},
        "ns": {"NS": ["1", "2"]},
        "p": {"B": b"\x01\x02"},
    }


def test_select_of_one_item_and_of_a_partition(dynamodb, table):
    fill(dynamodb, table)
    assert items(dynamodb, f"SELECT * FROM \"{table}\" WHERE pk = 'p' AND sk = 2") == [
        {
            "pk": {"S": "p"},
            "sk": {"N": "2"},
            "n": {"N": "20"},
            "g": {"S": "even"},
            "tag": {"S": "x2"},
        }
    ]
    assert sks(items(dynamodb, f'SELECT * FROM "{table}" WHERE pk = ?', {"S": "p"})) == [
        "0",
        "1",
        "2",
        "3",
        "4",
    ]
    assert items(dynamodb, f"SELECT * FROM \"{table}\" WHERE pk = 'none'") == []


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("sk = 3", ["3"]),
        ("sk <> 3", ["0", "1", "2", "4"]),
        ("sk < 2", ["0", "1"]),
        ("sk <= 2", ["0", "1", "2"]),
        ("sk > 2", ["3", "4"]),
        ("sk >= 2", ["2", "3", "4"]),
        ("2 < sk", ["3", "4"]),
        ("sk BETWEEN 1 AND 3", ["1", "2", "3"]),
        ("sk NOT BETWEEN 1 AND 3", ["0", "4"]),
        ("sk IN [0, 4, 9]", ["0", "4"]),
        ("sk NOT IN (0, 4)", ["1", "2", "3"]),
        ("n > 15 AND n < 35", ["2", "3"]),
        ("n = 0 OR n = 40", ["0", "4"]),
        ("NOT n = 0", ["1", "2", "3", "4"]),
        ("begins_with(tag, 'x3')", ["3"]),
        ("contains(tag, '4')", ["4"]),
        ("attribute_type(n, 'N')", ["0", "1", "2", "3", "4"]),
        ("size(tag) = 2", ["0", "1", "2", "3", "4"]),
        ("extra IS MISSING AND tag IS NOT MISSING", ["0", "1", "2", "3", "4"]),
        ("tag IS STRING AND n IS NUMERIC", ["0", "1", "2", "3", "4"]),
        ("tag IS NULL", []),
        ("attribute_exists(nope)", []),
    ],
)
def test_where_operators_and_functions(dynamodb, table, where, expected):
    fill(dynamodb, table)
    assert sks(items(dynamodb, f"SELECT * FROM \"{table}\" WHERE pk = 'p' AND {where}")) == (
        expected
    )


def test_a_where_clause_without_the_partition_key_scans(dynamodb, table):
    fill(dynamodb, table, 3, "a")
    fill(dynamodb, table, 3, "b")
    found = items(dynamodb, f'SELECT pk, sk FROM "{table}" WHERE sk = 1')
    assert sorted(item["pk"]["S"] for item in found) == ["a", "b"]
    assert len(items(dynamodb, f'SELECT * FROM "{table}"')) == 6


def test_in_on_the_partition_key_and_order_by(dynamodb, table):
    fill(dynamodb, table, 2, "a")
    fill(dynamodb, table, 2, "b")
    statement = f"SELECT pk, sk FROM \"{table}\" WHERE pk IN ['b', 'a'] ORDER BY pk DESC, sk DESC"
    assert [(item["pk"]["S"], item["sk"]["N"]) for item in items(dynamodb, statement)] == [
        ("b", "1"),
        ("b", "0"),
        ("a", "1"),
        ("a", "0"),
    ]
    ascending = f"SELECT * FROM \"{table}\" WHERE pk = 'a' ORDER BY sk"
    assert sks(items(dynamodb, ascending)) == ["0", "1"]


def test_select_list_paths_come_back_under_their_last_name(dynamodb, table):
    run(
        dynamodb,
        f"INSERT INTO \"{table}\" VALUE {{'pk': 'n', 'sk': 1, 'mymap': {{'nested': 'deep'}}, "
        "'tags': ['a', 'b'], 'grid': [[1, 2], [3, 4]], 'extra': 'no'}",
    )
    found = items(
        dynamodb,
        f'SELECT pk, mymap.nested, tags[1], grid[1][0], missing_one FROM "{table}" '
        "WHERE pk = 'n' AND sk = 1",
    )
    assert found == [
        {
            "pk": {"S": "n"},
            "nested": {"S": "deep"},
            "tags[1]": {"S": "b"},
            "grid[1][0]": {"N": "3"},
        }
    ]
    whole = items(dynamodb, f'SELECT mymap, "extra" FROM "{table}" WHERE pk = \'n\'')
    assert whole == [{"mymap": {"M": {"nested": {"S": "deep"}}}, "extra": {"S": "no"}}]


def test_index_reads(dynamodb, table):
    fill(dynamodb, table, 3, "a")
    run(dynamodb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': 7, 'g': 'odd'}}")
    run(dynamodb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'c', 'sk': 8}}")
    statement = f'SELECT pk, sk FROM "{table}"."by-g" WHERE g = \'even\' AND sk >= 1'
    assert [item["sk"]["N"] for item in items(dynamodb, statement)] == ["1", "2"]
    everything = items(dynamodb, f'SELECT pk FROM "{table}"."by-g"')
    assert sorted(item["pk"]["S"] for item in everything) == ["a", "a", "a", "b"]


def test_update_set_arithmetic_lists_sets_and_remove(dynamodb, table):
    run(
        dynamodb,
        f"INSERT INTO \"{table}\" VALUE {{'pk': 'u', 'sk': 1, 'n': 5, 'l': [1], "
        "'ss': <<'a', 'b'>>, 'gone': 'x', 'm': {'k': 1}}",
    )
    run(
        dynamodb,
        f'UPDATE "{table}" SET n = n + 2 SET l = list_append(l, [2, 3]), '
        "ss = set_delete(ss, <<'a'>>), ns = set_add(ns, <<7>>) SET m.k = m.k - 1, m.j = ? "
        "REMOVE gone WHERE pk = 'u' AND sk = 1",
        {"S": "new"},
    )
    assert get(dynamodb, table, "u", 1) == {
        "pk": {"S": "u"},
        "sk": {"N": "1"},
        "n": {"N": "7"},
        "l": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]},
        "ss": {"SS": ["b"]},
        "ns": {"NS": ["7"]},
        "m": {"M": {"k": {"N": "0"}, "j": {"S": "new"}}},
    }


@pytest.mark.parametrize(
    ("returning", "expected"),
    [
        ("ALL OLD *", [{"pk": {"S": "r"}, "sk": {"N": "1"}, "a": {"S": "old"}, "b": {"S": "b"}}]),
        ("ALL NEW *", [{"pk": {"S": "r"}, "sk": {"N": "1"}, "a": {"S": "new"}, "b": {"S": "b"}}]),
        ("MODIFIED OLD *", [{"a": {"S": "old"}}]),
        ("MODIFIED NEW *", [{"a": {"S": "new"}}]),
    ],
)
def test_update_returning(dynamodb, table, returning, expected):
    run(dynamodb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'r', 'sk': 1, 'a': 'old', 'b': 'b'}}")
    statement = f"UPDATE \"{table}\" SET a = 'new' WHERE pk = 'r' AND sk = 1 RETURNING {returning}"
    assert items(dynamodb, statement) == expected


def test_an_empty_modified_projection_returns_no_item(dynamodb, table):
    run(dynamodb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'r', 'sk': 1, 'a': 'old'}}")
    removed = f"UPDATE \"{table}\" REMOVE a WHERE pk = 'r' AND sk = 1 RETURNING MODIFIED NEW *"
    assert items(dynamodb, removed) == []


def test_update_with_a_condition_on_other_attributes(dynamodb, table):
    run(
        dynamodb,
        f"INSERT INTO \"{table}\" VALUE {{'pk': 'c', 'sk': 1, 'v': ?}}",
        {"SS": ["a", "b"]},
    )
    statement = f'UPDATE "{table}" SET touched = true WHERE pk = ? AND sk = 1 AND v = ?'
    run(dynamodb, statement, {"S": "c"}, {"SS": ["b", "a"]})
    assert get(dynamodb, table, "c", 1)["touched"] == {"BOOL": True}


def test_the_from_first_update_form(dynamodb, table):
    run(dynamodb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'f', 'sk': 1}}")
    run(dynamodb, f"FROM \"{table}\" WHERE pk = 'f' AND sk = 1 SET a = 1 REMOVE b")
    assert get(dynamodb, table, "f", 1)["a"] == {"N": "1"}


def test_delete(dynamodb, table):
    run(dynamodb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'd', 'sk': 1, 'a': 'gone'}}")
    deleted = f"DELETE FROM \"{table}\" WHERE pk = 'd' AND sk = 1 RETURNING ALL OLD *"
    assert items(dynamodb, deleted) == [{"pk": {"S": "d"}, "sk": {"N": "1"}, "a": {"S": "gone"}}]
    assert get(dynamodb, table, "d", 1) is None
    assert items(dynamodb, deleted) == []
    run(dynamodb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'd', 'sk': 1, 'a': 'again'}}")
    assert get(dynamodb, table, "d", 1)["a"] == {"S": "again"}


def test_writes_keep_the_indexes(dynamodb, table):
    run(dynamodb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'i', 'sk': 1, 'g': 'one'}}")
    run(dynamodb, f"UPDATE \"{table}\" SET g = 'two' WHERE pk = 'i' AND sk = 1")
    by_g = f'SELECT pk FROM "{table}"."by-g" WHERE g = ?'
    assert items(dynamodb, by_g, {"S": "one"}) == []
    assert items(dynamodb, by_g, {"S": "two"}) == [{"pk": {"S": "i"}}]
    run(dynamodb, f"DELETE FROM \"{table}\" WHERE pk = 'i' AND sk = 1")
    assert items(dynamodb, by_g, {"S": "two"}) == []


def test_keywords_case_comments_and_a_semicolon(dynamodb, table):
    fill(dynamodb, table, 2)
    statement = f"select /* all */ * from \"{table}\" where pk = 'p' -- the partition\n  ;"
    assert sks(items(dynamodb, statement)) == ["0", "1"]


def test_writes_reach_the_stream(dynamodb, dynamodbstreams, table_name):
    arn = stream_table(dynamodb, table_name, "NEW_AND_OLD_IMAGES")
    run(dynamodb, f"INSERT INTO \"{table_name}\" VALUE {{'pk': 's', 'v': 1}}")
    run(dynamodb, f"UPDATE \"{table_name}\" SET v = 2 WHERE pk = 's'")
    run(dynamodb, f"DELETE FROM \"{table_name}\" WHERE pk = 's'")
    records = read_stream(dynamodbstreams, arn)
    assert [record["eventName"] for record in records] == ["INSERT", "MODIFY", "REMOVE"]
    assert records[1]["dynamodb"]["OldImage"]["v"] == {"N": "1"}
    assert records[1]["dynamodb"]["NewImage"]["v"] == {"N": "2"}
