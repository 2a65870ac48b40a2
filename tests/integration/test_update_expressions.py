"""UpdateItem's UpdateExpression on real items: what it writes, what it returns, what it refuses.

Sources: architect/dynalite test/updateItem.js (checked against AWS), in particular "should update
nested attributes" for list indexes past the end and UPDATED_NEW on lists; nubo-db/
dynamodb-conformance tests/tier1/updateItem/{basic,paths}.test.ts; reference/dynamodb.md §4.
"""

from __future__ import annotations

import pytest

from tests.integration.support import create_table, invalid
from tests.integration.test_legacy_parameters import TOO_DEEP, wrapped_in_maps
from tests.integration.test_tables import error_of

KEY = {"pk": {"S": "k"}}
WRONG_TYPE = "An operand in the update expression has an incorrect data type"
INVALID_PATH = "The document path provided in the update expression is invalid for update"
MISSING = "The provided expression refers to an attribute that does not exist in the item"


@pytest.fixture
def table(dynamodb, table_name):
    return create_table(dynamodb, table_name)


def update(dynamodb, table, expression, values=None, names=None, key=KEY, **extra):
    arguments = {"TableName": table, "Key": key, "UpdateExpression": expression, **extra}
    if values:
        arguments["ExpressionAttributeValues"] = values
    if names:
        arguments["ExpressionAttributeNames"] = names
    return dynamodb.update_item(**arguments)


def stored(dynamodb, table, key=KEY):
    return dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def test_set_arithmetic_and_if_not_exists(dynamodb, table):
    dynamodb.put_item(
        TableName=table, Item={**KEY, "n": {"N": "10"}, "m": {"M": {"c": {"N": "1.5"}}}}
    )
    update(
        dynamodb,
        table,
        "SET n = n - :two, summed = n + m.c, m.c = m.c + :two, seen = if_not_exists(seen, :zero), "
        "n2 = if_not_exists(n, :zero), cloned = if_not_exists(nothing, m)",
        values={":two": {"N": "2"}, ":zero": {"N": "0"}},
    )
    item = stored(dynamodb, table)
    assert item["n"] == {"N": "8"}
    assert item["summed"] == {"N": "11.5"}
    assert item["m"] == {"M": {"c": {"N": "3.5"}}}
    assert item["seen"] == {"N": "0"}
    assert item["n2"] == {"N": "10"}
    assert item["cloned"] == {"M": {"c": {"N": "1.5"}}}


def test_arithmetic_is_exact_to_38_digits(dynamodb, table):
    big = "9" * 37 + "8"
    dynamodb.put_item(TableName=table, Item={**KEY, "n": {"N": big}, "f": {"N": "0.1"}})
    update(
        dynamodb, table, "SET n = n + :one, f = f + :f", {":one": {"N": "1"}, ":f": {"N": "0.2"}}
    )
    item = stored(dynamodb, table)
    assert item["n"] == {"N": "9" * 38}
    assert item["f"] == {"N": "0.3"}
    assert error_of(
        dynamodb.update_item,
        TableName=table,
        Key=KEY,
        UpdateExpression="SET n = n + :big",
        ExpressionAttributeValues={":big": {"N": "9.9999999999999999999999999999999999999E+125"}},
    ) == invalid(
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    )


def test_list_append_on_either_side(dynamodb, table):
    dynamodb.put_item(TableName=table, Item={**KEY, "l": {"L": [{"S": "b"}]}})
    update(
        dynamodb,
        table,
        "SET l = list_append(:front, l), fresh = list_append(if_not_exists(fresh, :empty), :front)",
        {":front": {"L": [{"S": "a"}]}, ":empty": {"L": []}},
    )
    item = stored(dynamodb, table)
    assert item["l"] == {"L": [{"S": "a"}, {"S": "b"}]}
    assert item["fresh"] == {"L": [{"S": "a"}]}


def test_nested_map_paths_and_list_indexes(dynamodb, table):
    """dynalite "should update nested attributes", whose expectations came from AWS."""
    update(
        dynamodb,
        table,
        "SET b = :b, c = :c",
        {
            ":b": {"M": {"a": {"N": "1"}, "b": {"N": "2"}, "c": {"N": "3"}}},
            ":c": {"L": [{"N": "1"}, {"N": "3"}]},
        },
    )
    result = update(
        dynamodb,
        table,
        "set b.c=((c[1])+(b.a)),b.a = pk,c[1] = pk, c[4] = b.a - b.b, c[2] = b.c "
        "add c[8] :b, c[6] :a",
        {":a": {"N": "2"}, ":b": {"SS": ["a"]}},
        ReturnValues="UPDATED_NEW",
    )
    key = KEY["pk"]
    assert result["Attributes"] == {
        "b": {"M": {"a": key, "c": {"N": "4"}}},
        "c": {"L": [key, {"N": "3"}, {"N": "2"}]},
    }
    assert stored(dynamodb, table) == {
        **KEY,
        "b": {"M": {"a": key, "b": {"N": "2"}, "c": {"N": "4"}}},
        "c": {"L": [{"N": "1"}, key, {"N": "3"}, {"N": "-1"}, {"N": "2"}, {"SS": ["a"]}]},
    }


def test_remove_attributes_nested_members_and_list_elements(dynamodb, table):
    dynamodb.put_item(
        TableName=table,
        Item={
            **KEY,
            "gone": {"S": "x"},
            "m": {"M": {"dropped": {"S": "x"}, "keep": {"S": "y"}}},
            "l": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}, {"S": "d"}]},
        },
    )
    update(dynamodb, table, "REMOVE gone, m.dropped, l[1], l[3], l[9], absent, m.absent")
    item = stored(dynamodb, table)
    assert "gone" not in item
    assert item["m"] == {"M": {"keep": {"S": "y"}}}
    assert item["l"] == {"L": [{"S": "a"}, {"S": "c"}]}


def test_set_list_element_in_place_and_past_the_end(dynamodb, table):
    dynamodb.put_item(TableName=table, Item={**KEY, "l": {"L": [{"S": "a"}]}, "e": {"L": []}})
    update(
        dynamodb,
        table,
        "SET l[0] = :x, l[5] = :y, e[0] = :x",
        {":x": {"S": "x"}, ":y": {"S": "y"}},
    )
    item = stored(dynamodb, table)
    assert item["l"] == {"L": [{"S": "x"}, {"S": "y"}]}
    assert item["e"] == {"L": [{"S": "x"}]}


def test_add_numbers_and_sets_delete_from_sets(dynamodb, table):
    dynamodb.put_item(
        TableName=table,
        Item={
            **KEY,
            "n": {"N": "5"},
            "ss": {"SS": ["a", "b"]},
            "ns": {"NS": ["1", "2"]},
            "bs": {"BS": [b"\x01", b"\x02"]},
            "single": {"SS": ["only"]},
        },
    )
    update(
        dynamodb,
        table,
        "ADD n :minus, new_n :three, ss :ss, ns :ns, new_set :ss DELETE bs :bs, single :last",
        {
            ":minus": {"N": "-7.5"},
            ":three": {"N": "3"},
            ":ss": {"SS": ["b", "c"]},
            ":ns": {"NS": ["2", "3.0"]},
            ":bs": {"BS": [b"\x02", b"\x09"]},
            ":last": {"SS": ["only"]},
        },
    )
    item = stored(dynamodb, table)
    assert item["n"] == {"N": "-2.5"}
    assert item["new_n"] == {"N": "3"}
    assert sorted(item["ss"]["SS"]) == ["a", "b", "c"]
    assert sorted(item["ns"]["NS"]) == ["1", "2", "3"]
    assert sorted(item["new_set"]["SS"]) == ["b", "c"]
    assert item["bs"] == {"BS": [b"\x01"]}
    assert "single" not in item


def test_update_creates_the_item_with_only_its_key_and_writes(dynamodb, table):
    result = update(
        dynamodb,
        table,
        "SET a = :a ADD n :n DELETE s :s REMOVE r",
        {":a": {"S": "a"}, ":n": {"N": "1"}, ":s": {"SS": ["x"]}},
        ReturnValues="ALL_NEW",
    )
    assert result["Attributes"] == {**KEY, "a": {"S": "a"}, "n": {"N": "1"}}
    assert stored(dynamodb, table) == {**KEY, "a": {"S": "a"}, "n": {"N": "1"}}


def test_update_without_an_expression_creates_the_bare_item(dynamodb, table):
    assert "Attributes" not in dynamodb.update_item(
        TableName=table, Key=KEY, ReturnValues="ALL_OLD"
    )
    assert stored(dynamodb, table) == KEY


@pytest.mark.parametrize(
    ("expression", "values"),
    [
        ("SET x = s + :one", {":one": {"N": "1"}}),
        ("SET x = :one - s", {":one": {"N": "1"}}),
        ("SET x = list_append(s, :l)", {":l": {"L": []}}),
        ("SET x = list_append(:l, m)", {":l": {"L": []}}),
        ("ADD s :one", {":one": {"N": "1"}}),
        ("ADD ss :ns", {":ns": {"NS": ["1"]}}),
        ("ADD n :ss", {":ss": {"SS": ["a"]}}),
        ("DELETE ss :ns", {":ns": {"NS": ["1"]}}),
        ("DELETE n :ns", {":ns": {"NS": ["1"]}}),
    ],
)
def test_operand_of_the_wrong_type_in_the_item(dynamodb, table, expression, values):
    item = {**KEY, "s": {"S": "x"}, "n": {"N": "1"}, "ss": {"SS": ["a"]}, "m": {"M": {}}}
    dynamodb.put_item(TableName=table, Item=item)
    assert error_of(
        dynamodb.update_item,
        TableName=table,
        Key=KEY,
        UpdateExpression=expression,
        ExpressionAttributeValues=values,
    ) == invalid(WRONG_TYPE)
    assert stored(dynamodb, table) == item


@pytest.mark.parametrize(
    ("expression", "values", "message"),
    [
        (
            "SET x = :s + n",
            {":s": {"S": "a"}},
            "Incorrect operand type for operator or function; operator or function: +, "
            "operand type: S",
        ),
        (
            "SET x = list_append(l, :n)",
            {":n": {"N": "1"}},
            "Incorrect operand type for operator or function; operator or function: "
            "list_append, operand type: N",
        ),
        (
            "ADD x :s",
            {":s": {"S": "a"}},
            "Incorrect operand type for operator or function; operator: ADD, operand type: STRING",
        ),
        (
            "ADD x :l",
            {":l": {"L": []}},
            "Incorrect operand type for operator or function; operator: ADD, operand type: LIST",
        ),
        (
            "DELETE x :n",
            {":n": {"N": "1"}},
            "Incorrect operand type for operator or function; operator: DELETE, "
            "operand type: NUMBER",
        ),
        (
            "SET x = if_not_exists(:s, n)",
            {":s": {"S": "a"}},
            "Operator or function requires a document path; operator or function: if_not_exists",
        ),
        (
            "SET x = list_append(l)",
            None,
            "Incorrect number of operands for operator or function; operator or function: "
            "list_append, number of operands: 1",
        ),
        (
            "SET x = size(l)",
            None,
            "The function is not allowed to be used this way in an expression; function: size",
        ),
        ("SET x = nope(l)", None, "Invalid function name; function: nope"),
        (
            "SET a = :s SET b = :s",
            {":s": {"S": "a"}},
            'The "SET" section can only be used once in an update expression;',
        ),
        (
            "SET a = :s REMOVE a",
            {":s": {"S": "a"}},
            "Two document paths overlap with each other; must remove or rewrite one of these "
            "paths; path one: [a], path two: [a]",
        ),
        (
            "REMOVE m.a SET m[1] = :s",
            {":s": {"S": "a"}},
            "Two document paths conflict with each other; must remove or rewrite one of these "
            "paths; path one: [m, a], path two: [m, [1]]",
        ),
    ],
)
def test_expression_errors_found_before_reading_the_item(
    dynamodb, table, expression, values, message
):
    arguments = {"ExpressionAttributeValues": values} if values else {}
    assert error_of(
        dynamodb.update_item, TableName=table, Key=KEY, UpdateExpression=expression, **arguments
    ) == invalid(f"Invalid UpdateExpression: {message}")
    assert stored(dynamodb, table) is None


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("SET x = absent", MISSING),
        ("SET x = list_append(absent, l)", MISSING),
        ("SET x = m.absent + :one", MISSING),
        ("SET absent.y = :one", INVALID_PATH),
        ("SET absent[0] = :one", INVALID_PATH),
        ("SET s.y = :one", INVALID_PATH),
        ("SET m[0] = :one", INVALID_PATH),
        ("SET l.y = :one", INVALID_PATH),
        ("REMOVE s.y", INVALID_PATH),
        ("ADD m.absent.y :one", INVALID_PATH),
    ],
)
def test_paths_that_do_not_fit_the_item(dynamodb, table, expression, message):
    item = {**KEY, "s": {"S": "x"}, "m": {"M": {}}, "l": {"L": [{"N": "1"}]}}
    dynamodb.put_item(TableName=table, Item=item)
    values = {":one": {"N": "1"}} if ":one" in expression else {}
    assert error_of(
        dynamodb.update_item,
        TableName=table,
        Key=KEY,
        UpdateExpression=expression,
        **({"ExpressionAttributeValues": values} if values else {}),
    ) == invalid(message)
    assert stored(dynamodb, table) == item


def test_nested_set_on_an_item_that_does_not_exist(dynamodb, table):
    assert error_of(
        dynamodb.update_item,
        TableName=table,
        Key=KEY,
        UpdateExpression="SET m.a = :v",
        ExpressionAttributeValues={":v": {"S": "x"}},
    ) == invalid(INVALID_PATH)
    assert stored(dynamodb, table) is None


def test_key_attributes_cannot_be_updated(dynamodb, table_name):
    create_table(dynamodb, table_name, range_key=("sk", "S"))
    key = {"pk": {"S": "k"}, "sk": {"S": "s"}}
    for expression, values in (
        ("SET sk = :v", {":v": {"S": "other"}}),
        ("REMOVE pk", None),
        ("ADD pk.n :n", {":n": {"N": "1"}}),
        ("SET extra = :v, sk = :v", {":v": {"S": "x"}}),
    ):
        name = "sk" if "sk" in expression else "pk"
        arguments = {"ExpressionAttributeValues": values} if values else {}
        assert error_of(
            dynamodb.update_item,
            TableName=table_name,
            Key=key,
            UpdateExpression=expression,
            **arguments,
        ) == invalid(
            f"One or more parameter values were invalid: Cannot update attribute {name}. "
            "This attribute is part of the key"
        )


def test_update_is_all_or_nothing(dynamodb, table):
    item = {**KEY, "n": {"N": "1"}, "s": {"S": "x"}}
    dynamodb.put_item(TableName=table, Item=item)
    error_of(
        dynamodb.update_item,
        TableName=table,
        Key=KEY,
        UpdateExpression="SET n = n + :one, a = :one ADD s :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    assert stored(dynamodb, table) == item


def test_set_values_are_read_from_the_item_before_the_update(dynamodb, table):
    dynamodb.put_item(TableName=table, Item={**KEY, "a": {"N": "1"}, "b": {"N": "2"}})
    update(dynamodb, table, "SET a = b, b = a")
    item = stored(dynamodb, table)
    assert (item["a"], item["b"]) == ({"N": "2"}, {"N": "1"})


def test_an_update_may_not_nest_an_item_deeper_than_32_levels(dynamodb, table):
    """A value that passes as a parameter may still nest too deep where SET puts it: AWS refuses
    an item with a map at level 32 however it was written (PutItem does the same)."""
    dynamodb.put_item(TableName=table, Item={**KEY, "m": wrapped_in_maps(1)})
    for expression, value in (("SET d = :v", 32), ("SET m.b = :v", 31), ("SET l = :v", 31)):
        deep = wrapped_in_maps(value)
        if expression == "SET l = :v":
            deep = {"L": [deep]}
        assert error_of(
            update, dynamodb=dynamodb, table=table, expression=expression, values={":v": deep}
        ) == invalid(TOO_DEEP)
    update(
        dynamodb,
        table,
        "SET d = :v, m.b = :w",
        {":v": wrapped_in_maps(31), ":w": wrapped_in_maps(30)},
    )
    assert stored(dynamodb, table)["m"]["M"]["b"] == wrapped_in_maps(30)
