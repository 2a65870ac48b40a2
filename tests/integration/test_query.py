"""Query: key conditions (expression and legacy), order, Limit and ExclusiveStartKey, filters,
projections, Select and consumed capacity.

Sources: architect/dynalite test/query.js (checked against AWS: operators, the sort orders of
numbers and strings, LastEvaluatedKey whenever Limit is reached, Count/ScannedCount with a
filter); scylladb test/alternator/test_key_condition_expression.py (reversed operands,
parentheses, unsigned bytes); nubo-db/dynamodb-conformance tests/tier1/query/*.test.ts
(Select COUNT, capacity before filter and projection); reference/dynamodb.md §3 (Query reads
the total size rounded up once to 4 KB, halved when eventually consistent).
"""

from __future__ import annotations

import uuid

import pytest

from tests.integration.support import create_table

NUMBERS = [
    "-99.1",
    "-10.1",
    "-9",
    "-1",
    "-0.01",
    "0",
    "0.01",
    "0.9",
    "1",
    "1.9",
    "9",
    "10.9",
    "99.1",
]


def query(dynamodb, table: str, condition: str, **values) -> dict:
    """A Query whose KeyConditionExpression uses :name placeholders given as typed values."""
    return dynamodb.query(
        TableName=table,
        KeyConditionExpression=condition,
        ExpressionAttributeValues={f":{name}": value for name, value in values.items()},
    )


def sort_keys(response: dict, name: str = "sk") -> list[str]:
    return [next(iter(item[name].values())) for item in response["Items"]]


@pytest.fixture(scope="module")
def numbers(dynamodb):
    """pk S / sk N: partition "p" holds NUMBERS (shuffled on the way in), "q" holds 0 and 1."""
    name = create_table(dynamodb, f"query-numbers-{uuid.uuid4().hex[:8]}", range_key=("sk", "N"))
    for number in reversed(NUMBERS):
        dynamodb.put_item(
            TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": number}, "v": {"S": number}}
        )
    for number in ("0", "1"):
        dynamodb.put_item(TableName=name, Item={"pk": {"S": "q"}, "sk": {"N": number}})
    yield name
    dynamodb.delete_table(TableName=name)


@pytest.fixture(scope="module")
def strings(dynamodb):
    name = create_table(dynamodb, f"query-strings-{uuid.uuid4().hex[:8]}", range_key=("sk", "S"))
    for sort in ("aa", "ab", "abc", "ac", "aca", "b", "B", "1", "10", "2", "é", "a"):
        dynamodb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"S": sort}})
    yield name
    dynamodb.delete_table(TableName=name)


def test_a_partition_comes_back_in_numeric_order(dynamodb, numbers):
    got = query(dynamodb, numbers, "pk = :p", p={"S": "p"})
    assert sort_keys(got) == NUMBERS
    assert (got["Count"], got["ScannedCount"]) == (len(NUMBERS), len(NUMBERS))
    assert "LastEvaluatedKey" not in got
    assert got["Items"][0] == {"pk": {"S": "p"}, "sk": {"N": "-99.1"}, "v": {"S": "-99.1"}}


def test_strings_sort_by_their_utf8_bytes(dynamodb, strings):
    got = query(dynamodb, strings, "pk = :p", p={"S": "p"})
    assert sort_keys(got) == ["1", "10", "2", "B", "a", "aa", "ab", "abc", "ac", "aca", "b", "é"]


def test_binary_sort_keys_sort_as_unsigned_bytes(dynamodb, table_name):
    create_table(dynamodb, table_name, range_key=("sk", "B"))
    for byte in (128, 126, 127, 255, 0):
        dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "p"}, "sk": {"B": bytes([byte])}})
    got = query(dynamodb, table_name, "pk = :p AND sk > :b", p={"S": "p"}, b={"B": b"\x7f"})
    assert [item["sk"]["B"] for item in got["Items"]] == [b"\x80", b"\xff"]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("sk = :a", ["0.9"]),
        ("sk < :a", NUMBERS[:7]),
        ("sk <= :a", NUMBERS[:8]),
        ("sk > :a", NUMBERS[8:]),
        ("sk >= :a", NUMBERS[7:]),
        ("sk BETWEEN :b AND :a", ["-1", "-0.01", "0", "0.01", "0.9"]),
        (":a > sk", NUMBERS[:7]),
        (":a <= sk", NUMBERS[7:]),
        ("((sk = :a) AND (pk = :p))", ["0.9"]),
        ("sk bEtWeEn :a AnD :a", ["0.9"]),
    ],
)
def test_sort_key_conditions(dynamodb, numbers, condition, expected):
    if "pk" not in condition:
        condition = f"pk = :p AND {condition}"
    values = {"p": {"S": "p"}, "a": {"N": "0.9"}}
    if ":b" in condition:
        values["b"] = {"N": "-1"}
    assert sort_keys(query(dynamodb, numbers, condition, **values)) == expected


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("a", ["a", "aa", "ab", "abc", "ac", "aca"]), ("ab", ["ab", "abc"]), ("é", ["é"]), ("z", [])],
)
def test_begins_with_on_a_string_sort_key(dynamodb, strings, prefix, expected):
    got = query(dynamodb, strings, "pk = :p AND begins_with(sk, :s)", p={"S": "p"}, s={"S": prefix})
    assert sort_keys(got) == expected


@pytest.mark.parametrize(
    ("operator", "values", "expected"),
    [
        ("EQ", [{"N": "1"}], ["1"]),
        ("LT", [{"N": "0"}], NUMBERS[:5]),
        ("LE", [{"N": "0"}], NUMBERS[:6]),
        ("GT", [{"N": "9"}], ["10.9", "99.1"]),
        ("GE", [{"N": "9"}], ["9", "10.9", "99.1"]),
        ("BETWEEN", [{"N": "-1"}, {"N": "0"}], ["-1", "-0.01", "0"]),
    ],
)
def test_legacy_key_conditions(dynamodb, numbers, operator, values, expected):
    got = dynamodb.query(
        TableName=numbers,
        KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
            "sk": {"ComparisonOperator": operator, "AttributeValueList": values},
        },
    )
    assert sort_keys(got) == expected


def test_legacy_key_conditions_with_a_filter_expression(dynamodb, numbers):
    got = dynamodb.query(
        TableName=numbers,
        KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
        FilterExpression="begins_with(v, :minus)",
        ExpressionAttributeValues={":minus": {"S": "-"}},
    )
    assert sort_keys(got) == NUMBERS[:5]


def test_begins_with_legacy_on_strings(dynamodb, strings):
    got = dynamodb.query(
        TableName=strings,
        KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
            "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "ac"}]},
        },
    )
    assert sort_keys(got) == ["ac", "aca"]


def test_scan_index_forward_false_reverses(dynamodb, numbers):
    got = dynamodb.query(
        TableName=numbers,
        KeyConditionExpression="pk = :p AND sk >= :z",
        ExpressionAttributeValues={":p": {"S": "p"}, ":z": {"N": "0"}},
        ScanIndexForward=False,
    )
    assert sort_keys(got) == list(reversed(NUMBERS[5:]))


def test_limit_stops_with_a_last_evaluated_key_even_at_the_end(dynamodb, numbers):
    params = {
        "TableName": numbers,
        "KeyConditionExpression": "pk = :q",
        "ExpressionAttributeValues": {":q": {"S": "q"}},
    }
    first = dynamodb.query(**params, Limit=1)
    assert sort_keys(first) == ["0"]
    assert first["LastEvaluatedKey"] == {"pk": {"S": "q"}, "sk": {"N": "0"}}
    exact = dynamodb.query(**params, Limit=2)
    assert sort_keys(exact) == ["0", "1"]
    assert exact["LastEvaluatedKey"] == {"pk": {"S": "q"}, "sk": {"N": "1"}}
    after = dynamodb.query(**params, ExclusiveStartKey=exact["LastEvaluatedKey"])
    assert (after["Items"], after["Count"], after["ScannedCount"]) == ([], 0, 0)
    assert "LastEvaluatedKey" not in after
    assert "LastEvaluatedKey" not in dynamodb.query(**params, Limit=3)


@pytest.mark.parametrize("forward", [True, False])
def test_exclusive_start_key_resumes_after_the_key(dynamodb, numbers, forward):
    params = {
        "TableName": numbers,
        "KeyConditionExpression": "pk = :p AND sk BETWEEN :lo AND :hi",
        "ExpressionAttributeValues": {":p": {"S": "p"}, ":lo": {"N": "-9"}, ":hi": {"N": "9"}},
        "ScanIndexForward": forward,
    }
    inside = NUMBERS[2:11] if forward else list(reversed(NUMBERS[2:11]))
    got = dynamodb.query(**params, ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"N": inside[3]}})
    assert sort_keys(got) == inside[4:]


def test_a_filter_reads_everything_and_returns_what_passes(dynamodb, numbers):
    got = dynamodb.query(
        TableName=numbers,
        KeyConditionExpression="pk = :p",
        FilterExpression="contains(v, :dot) AND NOT begins_with(v, :minus)",
        ExpressionAttributeValues={":p": {"S": "p"}, ":dot": {"S": "."}, ":minus": {"S": "-"}},
    )
    assert sort_keys(got) == ["0.01", "0.9", "1.9", "10.9", "99.1"]
    assert (got["Count"], got["ScannedCount"]) == (5, len(NUMBERS))


def test_limit_counts_rows_read_before_the_filter(dynamodb, numbers):
    got = dynamodb.query(
        TableName=numbers,
        KeyConditionExpression="pk = :p",
        FilterExpression="v = :v",
        ExpressionAttributeValues={":p": {"S": "p"}, ":v": {"S": "-9"}},
        Limit=2,
    )
    assert (got["Items"], got["Count"], got["ScannedCount"]) == ([], 0, 2)
    assert got["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"N": "-10.1"}}


def test_query_filter_with_conditional_operator(dynamodb, numbers):
    def filtered(operator: str) -> list[str]:
        return sort_keys(
            dynamodb.query(
                TableName=numbers,
                KeyConditions={
                    "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}
                },
                QueryFilter={
                    "v": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "9"}]},
                    "nope": {"ComparisonOperator": "NULL"},
                    "sk_copy": {"ComparisonOperator": "NOT_NULL"},
                },
                ConditionalOperator=operator,
            )
        )

    assert filtered("AND") == []
    assert filtered("OR") == NUMBERS


def test_projections(dynamodb, table_name):
    create_table(dynamodb, table_name, range_key=("sk", "S"))
    item = {
        "pk": {"S": "p"},
        "sk": {"S": "1"},
        "e": {"M": {"a": {"S": "x"}, "d": {"S": "y"}}},
        "f": {"L": [{"S": "d1"}, {"S": "d2"}, {"S": "d3"}]},
        "b": {"S": "b"},
    }
    dynamodb.put_item(TableName=table_name, Item=item)
    dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "p"}, "sk": {"S": "2"}})
    params = {
        "TableName": table_name,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "p"}},
    }
    nested = dynamodb.query(
        **params, ProjectionExpression="f[2], f[0], e.d, #b", ExpressionAttributeNames={"#b": "b"}
    )
    assert nested["Items"] == [
        {"e": {"M": {"d": {"S": "y"}}}, "f": {"L": [{"S": "d1"}, {"S": "d3"}]}, "b": {"S": "b"}},
        {},
    ]
    legacy = dynamodb.query(
        TableName=table_name,
        KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
        AttributesToGet=["sk", "b"],
        Select="SPECIFIC_ATTRIBUTES",
    )
    assert legacy["Items"] == [{"sk": {"S": "1"}, "b": {"S": "b"}}, {"sk": {"S": "2"}}]


def test_select_count_leaves_items_out(dynamodb, numbers):
    got = dynamodb.query(
        TableName=numbers,
        KeyConditionExpression="pk = :p AND sk >= :z",
        ExpressionAttributeValues={":p": {"S": "p"}, ":z": {"N": "0"}},
        Select="COUNT",
        Limit=3,
    )
    assert "Items" not in got
    assert (got["Count"], got["ScannedCount"]) == (3, 3)
    assert got["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"N": "0.9"}}


def test_select_all_attributes_is_the_default(dynamodb, numbers):
    got = dynamodb.query(
        TableName=numbers,
        KeyConditionExpression="pk = :q AND sk = :z",
        ExpressionAttributeValues={":q": {"S": "q"}, ":z": {"N": "0"}},
        Select="ALL_ATTRIBUTES",
    )
    assert got["Items"] == [{"pk": {"S": "q"}, "sk": {"N": "0"}}]


def test_a_hash_only_table_holds_one_item_per_partition(dynamodb, table_name):
    create_table(dynamodb, table_name)
    dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "a"}, "x": {"N": "1"}})
    dynamodb.put_item(TableName=table_name, Item={"pk": {"S": "b"}})
    got = query(dynamodb, table_name, "pk = :a", a={"S": "a"})
    assert got["Items"] == [{"pk": {"S": "a"}, "x": {"N": "1"}}]
    empty = query(dynamodb, table_name, "pk = :c", c={"S": "c"})
    assert (empty["Items"], empty["Count"], empty["ScannedCount"]) == ([], 0, 0)
    after = dynamodb.query(
        TableName=table_name,
        KeyConditionExpression="pk = :a",
        ExpressionAttributeValues={":a": {"S": "a"}},
        ExclusiveStartKey={"pk": {"S": "a"}},
    )
    assert after["Items"] == []


def sized(size: int, sort: str) -> dict:
    """An item of exactly `size` bytes (reference §2): pk "p", sk `sort`, padding."""
    return {
        "pk": {"S": "p"},
        "sk": {"S": sort},
        "padding": {"S": "x" * (size - 3 - (2 + len(sort)) - 7)},
    }


def test_consumed_capacity_is_the_total_read_rounded_once(dynamodb, table_name):
    create_table(dynamodb, table_name, range_key=("sk", "S"))
    for sort in ("a", "b", "c"):
        dynamodb.put_item(TableName=table_name, Item={**sized(1500, sort), "keep": {"S": sort}})

    def units(consistent: bool, mode: str = "TOTAL", **extra) -> dict:
        return dynamodb.query(
            TableName=table_name,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}, **extra.pop("values", {})},
            ConsistentRead=consistent,
            ReturnConsumedCapacity=mode,
            **extra,
        )["ConsumedCapacity"]

    # 3 x (1500 + "keep" + 1) = 4515 bytes: two 4 KB units, where three items alone cost 3.
    assert units(True) == {"TableName": table_name, "CapacityUnits": 2.0}
    assert units(False) == {"TableName": table_name, "CapacityUnits": 1.0}
    assert units(False, "INDEXES") == {
        "TableName": table_name,
        "CapacityUnits": 1.0,
        "Table": {"CapacityUnits": 1.0},
    }
    filtered = units(True, FilterExpression="keep = :k", values={":k": {"S": "a"}})
    assert filtered["CapacityUnits"] == 2.0
    assert units(True, ProjectionExpression="sk")["CapacityUnits"] == 2.0
    assert units(True, Select="COUNT")["CapacityUnits"] == 2.0
    nothing = dynamodb.query(
        TableName=table_name,
        KeyConditionExpression="pk = :x",
        ExpressionAttributeValues={":x": {"S": "missing"}},
        ReturnConsumedCapacity="TOTAL",
    )
    assert nothing["ConsumedCapacity"] == {"TableName": table_name, "CapacityUnits": 0.5}
    assert "ConsumedCapacity" not in dynamodb.query(
        TableName=table_name,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        ReturnConsumedCapacity="NONE",
    )


def test_a_table_arn_names_the_table(dynamodb, numbers):
    arn = dynamodb.describe_table(TableName=numbers)["Table"]["TableArn"]
    got = query(dynamodb, arn, "pk = :q", q={"S": "q"})
    assert sort_keys(got) == ["0", "1"]
