"""Statements as DynamoDB runs them: the read plan or single-item write each becomes, and the
refusals of statements it cannot run, in the order it checks them."""

import pytest

from tidal.dynamodb.partiql.access import KeyRange
from tidal.dynamodb.partiql.errors import MISSING_KEY_EQUALITY, PARAMETER_COUNT
from tidal.dynamodb.partiql.statements import Get, Read, Write

from .conftest import prepared, refusal

S = {"S": "a"}


def test_select_of_one_partition_narrowed_by_the_sort_key():
    plan = prepared("SELECT * FROM pair WHERE pk = 'a' AND sk >= 3 AND x = 1")
    assert isinstance(plan, Read)
    assert plan.partitions == [S]
    assert plan.key_range == KeyRange("GE", ({"N": "3"},))
    assert plan.condition.evaluate({"pk": S, "sk": {"N": "4"}, "x": {"N": "1"}})
    assert not plan.condition.evaluate({"pk": S, "sk": {"N": "4"}})


@pytest.mark.parametrize(
    ("where", "key_range"),
    [
        ("3 < sk", KeyRange("GT", ({"N": "3"},))),
        ("sk BETWEEN 1 AND 2", KeyRange("BETWEEN", ({"N": "1"}, {"N": "2"}))),
        ("sk = 1 AND sk < 5", None),
        ("NOT sk = 1", None),
    ],
)
def test_sort_key_ranges(where, key_range):
    assert prepared(f"SELECT * FROM pair WHERE pk = 'a' AND {where}").key_range == key_range


def test_in_reads_several_partitions_in_key_order_and_order_by_reverses():
    plan = prepared("SELECT * FROM pair WHERE pk IN ['b', ?, 'b'] ORDER BY pk DESC, sk DESC", S)
    assert plan.partitions == [{"S": "b"}, S]
    assert plan.descending
    assert plan.key_range is None


@pytest.mark.parametrize(
    "where",
    [
        "",
        "WHERE x = 1",
        "WHERE pk > 'a'",
        "WHERE pk = 'a' OR pk = 'b'",
        "WHERE pk = 'a' AND pk = 'b'",
    ],
)
def test_anything_else_scans(where):
    assert prepared(f"SELECT * FROM pair {where}").partitions is None


def test_index_reads_use_the_index_key():
    plan = prepared("SELECT * FROM pair.\"by-g-all\" WHERE g = 'x' AND sk < 3")
    assert plan.index.name == "by-g-all"
    assert plan.partitions == [{"S": "x"}]
    assert plan.key_range == KeyRange("LT", ({"N": "3"},))


def test_select_list_paths_come_back_under_their_last_name():
    plan = prepared("SELECT a, m.b[1] FROM hash WHERE pk = 'a'")
    assert plan.projection.paths == [("a",), ("m", "b", 1)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT * FROM hash GROUP BY a", "Unsupported clause: GROUP BY"),
        ("SELECT * FROM hash LIMIT 1", "Unsupported clause: LIMIT"),
        ("SELECT DISTINCT a FROM hash", "Unsupported token in expression: DISTINCT"),
        ("SELECT * FROM hash h", "Aliasing is not supported"),
        ("SELECT a AS b FROM hash", "Aliasing is not supported"),
        ("SELECT * FROM hash, pair", "Only select from a single table or index is supported."),
        ('SELECT * FROM ""', "Path component cannot be an empty string"),
        ('SELECT * FROM hash.""', "Path component cannot be an empty string"),
        ("SELECT * FROM pair.a.b", "A path may contain at most 2 components in the FROM clause"),
        ("SELECT * FROM pair[0]", "Invalid list expression in source."),
        (
            "SELECT * FROM ab",
            "Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', "
            "'0-9', '-', '_', '.'.",
        ),
        ("SELECT * FROM nope WHERE pk = 'a'", "Requested resource not found"),
        ("SELECT * FROM pair.nope", "The table does not have the specified index"),
        ("SELECT * FROM pair.pair", "The table does not have the specified index"),
        ("SELECT VALUE a FROM hash", "Select projection doesn't support value or pivot keywords"),
        ("SELECT a.* FROM hash", "Changing item's hierarchy while reading isn't supported"),
        ("SELECT a, b.a FROM hash", "Duplicate identifiers in select clause: a"),
        (
            "SELECT a[*] FROM hash",
            "Statement wasn't well formed, can't be processed: Invalid use of * in select list",
        ),
        ("SELECT a.b.* FROM hash", "Changing item's hierarchy while reading isn't supported"),
        (
            "SELECT * FROM hash WHERE a",
            "WHERE clause must contain an expression that resolves to a boolean",
        ),
        (
            "SELECT * FROM hash WHERE size(a)",
            "WHERE clause must contain an expression that resolves to a boolean",
        ),
        ("SELECT * FROM hash WHERE a AND b = 1", "The arguments to AND/OR must be Expressions"),
        ("SELECT * FROM hash WHERE NOT a", "The argument to NOT must be a Type or Expression"),
        ("SELECT * FROM hash WHERE a = MISSING", "MISSING must be compared using IS operator"),
        (
            "SELECT * FROM hash WHERE a + 1 = 2",
            "Unsupported operator in Condition Expression. Operator: +",
        ),
        (
            "SELECT * FROM hash WHERE a LIKE 'x'",
            "Unsupported operator in Condition Expression. Operator: like",
        ),
        ("SELECT * FROM hash WHERE nope(a)", "Unrecognized function: nope"),
        (
            "SELECT * FROM hash WHERE -a",
            "Unsupported operator in Condition Expression. Operator: -",
        ),
        (
            "SELECT * FROM hash WHERE -a = 1",
            "Unsupported operator in Condition Expression. Operator: -",
        ),
        ("SELECT * FROM hash WHERE (a = 1) = b", "Unsupported token in expression: ="),
        (
            "SELECT * FROM hash WHERE a = (SELECT * FROM t)",
            "Unsupported token in expression: SELECT",
        ),
        (
            "SELECT * FROM hash WHERE a IN ?",
            (
                "IN operator must have a left hand argument of type Variable Reference and right "
                "hand argument of type Seq with at least one member"
            ),
        ),
        (
            "SELECT * FROM hash WHERE 1 + 1 IS MISSING",
            "The left hand side argument to IS must be a Variable Reference, Literal, or Path",
        ),
        (
            "SELECT * FROM hash WHERE a IS INT",
            (
                "Unsupported data type for IS operator: INTEGER. Supported data types are "
                "[MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"
            ),
        ),
        (
            "SELECT * FROM hash WHERE a[-1] = 1",
            "List index is not within the allowable range; index: [-1]",
        ),
        (
            "SELECT * FROM hash WHERE a[*] = 1",
            "Wildcard path component like a[*].b are not supported",
        ),
        ("SELECT * FROM hash WHERE [1][0] = 1", "A path cannot start with a list index"),
        ("SELECT * FROM hash WHERE a = ?", PARAMETER_COUNT),
        (
            "SELECT * FROM hash WHERE a < true",
            (
                "Incorrect operand type for operator or function; operator or function: <, operand "
                "type: BOOL"
            ),
        ),
        (
            "SELECT * FROM nope WHERE a < true",
            (
                "Incorrect operand type for operator or function; operator or function: <, operand "
                "type: BOOL"
            ),
        ),
        (
            "SELECT * FROM hash WHERE pk = 1",
            "Key attribute's data type should match its data type in table's schema: Key pk",
        ),
        (
            "SELECT * FROM hash ORDER BY pk",
            "Must have WHERE clause in the statement when using ORDER BY clause.",
        ),
        (
            "SELECT * FROM hash WHERE a = 1 ORDER BY pk",
            (
                "Must have at least one non-optional hash key condition in WHERE clause when using "
                "ORDER BY clause."
            ),
        ),
        (
            "SELECT * FROM hash WHERE pk = 'a' ORDER BY a",
            "Variable reference a in ORDER BY clause must be part of the primary key",
        ),
        (
            "SELECT * FROM hash WHERE pk = 'a' ORDER BY a.b",
            "Argument to ORDER BY must be of type VariableReference. Type: PATH",
        ),
    ],
)
def test_select_refused(text, message):
    assert refusal(text) == message


def test_consistent_reads_of_a_global_index_are_refused():
    message = refusal('SELECT * FROM pair."by-g"', consistent_read=True)
    assert message == "Strongly consistent read is not supported on Global Secondary Indexes"
    assert prepared('SELECT * FROM pair."by-l"', consistent_read=True).consistent


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "SELECT pk FROM pair.\"by-g\" WHERE g = 'y' AND secret = 1",
            "One or more parameter values were invalid: Secondary index by-g does not project "
            "one or more filter attributes: [secret]",
        ),
        (
            "SELECT pk FROM pair.\"by-l\" WHERE pk = 'y' AND NOT secret = 1",
            "One or more parameter values were invalid: Secondary index by-l does not project "
            "one or more filter attributes: [secret]",
        ),
        (
            "SELECT z, secret, kept FROM pair.\"by-g\" WHERE g = 'y'",
            "One or more parameter values were invalid: Global secondary index by-g does not "
            "project [z, secret]",
        ),
    ],
)
def test_unprojected_attributes_of_an_index(text, message):
    assert refusal(text) == message


def test_unkeyed_index_reads_may_filter_on_anything():
    assert prepared('SELECT pk FROM pair."by-g" WHERE secret = 1').partitions is None
    assert prepared("SELECT secret FROM pair.\"by-l\" WHERE pk = 'y'").index.name == "by-l"


def test_batch_and_transaction_selects_read_one_item():
    get = prepared("SELECT a FROM pair WHERE sk = 1 AND pk = ?", S, surface="batch")
    assert isinstance(get, Get)
    assert get.key == {"pk": S, "sk": {"N": "1"}}
    batch = "Select statements within BatchExecuteStatement must specify the primary key in the "
    batch += "where clause."
    transaction = "Select statements within ExecuteTransaction must specify the primary key in the "
    transaction += "where clause."
    assert refusal("SELECT * FROM pair WHERE pk = 'a'", surface="batch") == batch
    assert (
        refusal("SELECT * FROM pair WHERE pk = 'a' AND sk = 1 AND x = 1", surface="batch") == batch
    )
    assert (
        refusal("SELECT * FROM pair.\"by-g-all\" WHERE pk = 'a' AND sk = 1", surface="batch")
        == batch
    )
    assert refusal("SELECT * FROM pair WHERE pk = 'a'", surface="transaction") == transaction
    assert refusal("SELECT * FROM pair.\"by-g\" WHERE g = 'a'", surface="transaction") == (
        "Reads on indices are not supported within transactions."
    )


def test_insert():
    write = prepared("INSERT INTO pair VALUE {'pk': ?, 'sk': 2.0, 'a': [1]}", S)
    assert isinstance(write, Write)
    assert write.action == "insert"
    assert write.item == {"pk": S, "sk": {"N": "2"}, "a": {"L": [{"N": "1"}]}}
    assert write.key == {"pk": S, "sk": {"N": "2"}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "INSERT INTO pair VALUE {'pk': 'a'}",
            "Key attribute should be present in the item: Key sk",
        ),
        (
            "INSERT INTO pair VALUE {'pk': 'a', 'sk': 's'}",
            "Key attribute's data type should match its data type in table's schema: Key sk",
        ),
        (
            "INSERT INTO pair VALUE [1]",
            (
                "Unsupported format in item expression. Please use struct format {...} to express "
                "item values for insert statement."
            ),
        ),
        ("INSERT INTO pair VALUE {'pk': a}", "Unsupported data type: a under key root"),
        (
            "INSERT INTO pair VALUE {'pk': 1e126}",
            (
                "Number overflow. Attempting to store a number with magnitude larger than "
                "supported range under root"
            ),
        ),
        (
            "INSERT INTO pair VALUE {'pk': 'a', 'pk': 'b'}",
            "Duplicate keys in tuple. Key: pk under root",
        ),
        (
            "INSERT INTO pair.i VALUE {'pk': 'a'}",
            "FROM clause may only contain a single table name in data manipulation statements",
        ),
        (
            "INSERT INTO pair VALUE {'pk': 'a', 'sk': 1} AT 1",
            "AT is not supported in insert statements.",
        ),
        (
            "INSERT INTO pair VALUE {'pk': 'a', 'sk': 1} ON CONFLICT WHERE a DO NOTHING",
            "Unsupported clause: ON CONFLICT",
        ),
        (
            "INSERT INTO pair VALUE {'pk': 'a', 'sk': 1} RETURNING ALL OLD *",
            "RETURNING is not supported in INSERT",
        ),
        (
            "FROM pair WHERE pk = 'a' INSERT INTO pair VALUE {'pk': 'a'}",
            "Unsupported FROM ... WHERE ... clause in INSERT statement.",
        ),
        (
            "INSERT INTO hash VALUE {'pk': ''}",
            (
                "One or more parameter values are not valid. The AttributeValue for a key "
                "attribute cannot contain an empty string value. Key: pk"
            ),
        ),
        (
            "INSERT INTO pair VALUE {'pk': 'a', 'sk': 1, 'g': 1}",
            (
                "One or more parameter values were invalid: Type mismatch for Index Key g "
                "Expected: S Actual: N IndexName: by-g"
            ),
        ),
        ("INSERT INTO nope VALUE {'pk': 'a'}", "Requested resource not found"),
    ],
)
def test_insert_refused(text, message):
    assert refusal(text) == message


def test_update_pins_the_key_and_keeps_the_rest_as_a_condition():
    write = prepared(
        "UPDATE pair SET a = a + 1 REMOVE b WHERE pk = 'a' AND sk = 1 AND a > 1 RETURNING "
        "MODIFIED OLD *"
    )
    assert (write.action, write.key, write.return_values) == (
        "update",
        {"pk": S, "sk": {"N": "1"}},
        "UPDATED_OLD",
    )
    assert write.condition.evaluate({"pk": S, "sk": {"N": "1"}, "a": {"N": "2"}})
    assert not write.condition.evaluate({"pk": S, "sk": {"N": "1"}, "a": {"N": "1"}})
    assert not write.condition.evaluate(None)
    new, paths = write.update.apply({"pk": S, "sk": {"N": "1"}, "a": {"N": "2"}, "b": S})
    assert new == {"pk": S, "sk": {"N": "1"}, "a": {"N": "3"}}
    assert paths == [("a",), ("b",)]


def test_update_with_set_functions():
    write = prepared(
        "UPDATE hash SET s = set_add(s, <<'x'>>), t = set_delete(t, ?) WHERE pk = 'a'",
        {"NS": ["1"]},
    )
    new, _ = write.update.apply({"pk": S, "t": {"NS": ["1", "2"]}})
    assert new == {"pk": S, "s": {"SS": ["x"]}, "t": {"NS": ["2"]}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("UPDATE pair SET a = 1", MISSING_KEY_EQUALITY),
        ("UPDATE pair SET a = 1 WHERE pk = 'a'", MISSING_KEY_EQUALITY),
        ("UPDATE pair SET a = 1 WHERE pk = 'a' OR sk = 1", MISSING_KEY_EQUALITY),
        ("FROM pair WHERE a = 1 SET c = 1", MISSING_KEY_EQUALITY),
        (
            "UPDATE pair SET a = 1 WHERE pk = 'a' AND sk = 1 AND pk = 'b'",
            (
                "Multiple conditions on same key pk. Only single item Update/Insert/Delete are "
                "supported"
            ),
        ),
        (
            "UPDATE pair SET a = 1 WHERE pk = true AND sk = 1",
            "Key value must be of type S, N, or B. Key name: pk, Key type: BOOL",
        ),
        (
            "UPDATE pair SET a = 1 WHERE pk = 1 AND sk = 1",
            "Key attribute's data type should match its data type in table's schema: Key pk",
        ),
        (
            "UPDATE pair.\"by-g\" SET a = 1 WHERE pk = 'a' AND sk = 1",
            "This operation is not supported on an index",
        ),
        ("UPDATE pair p SET a = 1 WHERE pk = 'a' AND sk = 1", "Aliasing is not supported"),
        (
            "UPDATE pair SET pk = 'b' WHERE pk = 'a' AND sk = 1",
            (
                "One or more parameter values were invalid: Cannot update attribute pk. This "
                "attribute is part of the key"
            ),
        ),
        (
            "UPDATE pair SET a = b > 1 WHERE pk = 'a' AND sk = 1",
            "Unsupported operator in Update Expression. Operator: >",
        ),
        (
            "UPDATE pair SET a = b IS MISSING WHERE pk = 'a' AND sk = 1",
            "IS operator is not supported in update expressions",
        ),
        (
            "UPDATE pair SET a = set_add(b, <<1>>) WHERE pk = 'a' AND sk = 1",
            "The first argument to SET_ADD must equal the assignment value",
        ),
        (
            "UPDATE pair SET a = set_delete(a, [1]) WHERE pk = 'a' AND sk = 1",
            "The second argument to SET_DELETE must be a value with type SET",
        ),
        (
            "UPDATE pair SET a = set_add(a) WHERE pk = 'a' AND sk = 1",
            "SET_ADD must have exactly two arguments",
        ),
        (
            "UPDATE pair SET a = 1, a.b = 2 WHERE pk = 'a' AND sk = 1",
            (
                "Two document paths overlap with each other; must remove or rewrite one of these "
                "paths; path one: [a], path two: [a, b]"
            ),
        ),
        (
            "UPDATE pair SET a = 1 WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW *, ALL OLD *",
            "Invalid syntax with multiple returning elements in RETURNING clause",
        ),
        (
            "UPDATE pair SET a = 1 WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW a",
            "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause",
        ),
        ("UPDATE nope SET a = 1 WHERE pk = 'a'", "Requested resource not found"),
    ],
)
def test_update_refused(text, message):
    assert refusal(text) == message


def test_delete():
    write = prepared("DELETE FROM hash WHERE pk = 'a' RETURNING ALL OLD *")
    assert (write.action, write.condition, write.return_values) == ("delete", None, "ALL_OLD")
    assert prepared("DELETE FROM hash WHERE 'a' = pk AND x = 1").condition.evaluate(
        {"x": {"N": "1"}}
    )


@pytest.mark.parametrize(
    ("returning", "shown"),
    [
        ("MODIFIED OLD *", "MODIFIED OLD *"),
        ("ALL NEW *", "ALL NEW *"),
        ("MODIFIED NEW *", "MODIFIED NEW *"),
    ],
)
def test_delete_returns_only_all_old(returning, shown):
    assert refusal(f"DELETE FROM hash WHERE pk = 'x' RETURNING {returning}") == (
        f"Invalid returning clause: RETURNING {shown}. Only RETURNING ALL OLD * is allowed in "
        f"DELETE statements."
    )


def test_exists_checks_an_item_with_a_condition():
    write = prepared(
        "EXISTS(SELECT * FROM hash WHERE pk = 'a' AND a IS MISSING)", surface="transaction"
    )
    assert (write.action, write.key) == ("check", {"pk": S})
    assert write.condition.evaluate({"pk": S})
    check = "EXISTS() must contain a single item read with additional condition"
    assert refusal("EXISTS(SELECT * FROM hash WHERE pk = 'a')", surface="transaction") == check
    assert refusal("EXISTS(SELECT * FROM hash WHERE a = 1)", surface="transaction") == check
    assert refusal("EXISTS(SELECT * FROM hash)", surface="transaction") == check
    assert refusal('EXISTS(SELECT * FROM pair."by-g" WHERE g = 1)', surface="transaction") == (
        "Operations on indices are not supported in transactions"
    )
