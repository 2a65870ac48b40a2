"""Statements DynamoDB's PartiQL parser cannot read, with its words for each (the cases that
name a source were recorded against AWS by the DynamoDB conformance suite)."""

import pytest

from tidal.dynamodb.partiql.errors import NOT_WELL_FORMED
from tidal.dynamodb.partiql.parser import parse

from .conftest import failure

LEFTOVER = NOT_WELL_FORMED + "Unexpected token after expression"
UNEXPECTED_TERM = NOT_WELL_FORMED + "Unexpected term"
SIMPLE_PATH = NOT_WELL_FORMED + "Expected identifier for simple path"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('SELECT * FROM "N" WHERE pk = 1 foo', LEFTOVER),
        ('SELECT * FROM "N" WHERE pk = 1 e5', LEFTOVER),
        ("INSERT INTO \"N\" VALUE {'pk': 970001} foo", LEFTOVER),
        ('UPDATE "N" SET a = 9 WHERE pk = 970002 foo', LEFTOVER),
        ('DELETE FROM "N" WHERE pk = 970003 foo', LEFTOVER),
        ('SELECT * FROM "N" WHERE pk = 1)', LEFTOVER),
        ('DELETE FROM "N" WHERE pk = 970004 ORDER BY pk', LEFTOVER),
        ('SELECT * FROM "N" ORDER BY pk WHERE pk = 1', LEFTOVER),
        ("INSERT INTO \"S\" t VALUE {'pk': 'x'}", LEFTOVER),
        ("FROM \"S\" SET c = 1 WHERE pk = 'x'", LEFTOVER),
        ('SELECTT * FROMM "t"', LEFTOVER),
        ('SELECT * FROM "N" WHERE pk = 1e2147483648', NOT_WELL_FORMED),
        ('SELECT * FROM "N" WHERE pk = 1 # note', NOT_WELL_FORMED),
        ('SELECT * FROM "N" WHERE pk = 1 /* note', NOT_WELL_FORMED),
        ('SELECT * FROM "S', NOT_WELL_FORMED),
        ('SELECT * FROM "S" WHERE', UNEXPECTED_TERM),
        ('SELECT * FROM "S" WHERE;', UNEXPECTED_TERM),
        ('SELECT * FROM "S" WHERE   ', UNEXPECTED_TERM),
        ('UPDATE "S" SET a = 1 WHERE', UNEXPECTED_TERM),
        ('DELETE FROM "S" WHERE', UNEXPECTED_TERM),
        ('SELECT * FROM "S" WHERE NOT', UNEXPECTED_TERM),
        ('SELECT * FROM "S" WHERE (', UNEXPECTED_TERM),
        ("SELECT * FROM", UNEXPECTED_TERM),
        (
            "SELECT * FROM \"S\" WHERE pk = 'p1' AND",
            NOT_WELL_FORMED + "Missing right-hand side expression of infix operator",
        ),
        (
            "SELECT * FROM \"S\" WHERE pk = 'p1' OR",
            NOT_WELL_FORMED + "Missing right-hand side expression of infix operator",
        ),
        ('SELECT * FROM "S" WHERE ORDER BY pk', NOT_WELL_FORMED + "Unexpected keyword"),
        ("SELECT * FROM \"S\" WHERE pk = 'a' AND x IS FOO", NOT_WELL_FORMED + "Expected type name"),
        ('SELECT * FROM "S" WHERE IS NULL', NOT_WELL_FORMED + "Unexpected operator"),
        ('SELECT * FROM "S" WHERE pk = LIKE', NOT_WELL_FORMED + "Unexpected operator"),
        ("DELETE FROM", SIMPLE_PATH),
        ("DELETE FROM   ", SIMPLE_PATH),
        ("DELETE FROM;", SIMPLE_PATH),
        ("DELETE FROM WHERE pk = 'a'", SIMPLE_PATH),
        (
            "SLECT * FROM \"t\" WHERE pk = 'x'",
            NOT_WELL_FORMED + "Expected data manipulation",
        ),
        ('UPDATE "t" WHERE pk = 1', NOT_WELL_FORMED + "Expected data manipulation"),
        ('DELETE "t" WHERE pk = 1', NOT_WELL_FORMED + "Expected FROM after DELETE"),
        ("SELECT *", NOT_WELL_FORMED + "Expected FROM after SELECT list"),
        (
            "SELECT a FROM t; SELECT b FROM t",
            NOT_WELL_FORMED + "Unexpected token after semicolon. (Only one query is allowed.)",
        ),
        (
            "SELECT a, * FROM t",
            NOT_WELL_FORMED + "Other expressions may not be present in the "
            "select list when '*' is used without dot notation.",
        ),
        (
            "SELECT FROM t",
            NOT_WELL_FORMED + "Expected identifier or an expression but found "
            "unexpected keyword 'from' in a select list.",
        ),
        ("SELECT a[*] FROM t", NOT_WELL_FORMED + "Invalid use of * in select list"),
        ("SELECT * FROM t WHERE a BETWEEN 1", NOT_WELL_FORMED + "Expected AND"),
        (
            "SELECT * FROM t WHERE a BETWEEN 1 AND",
            NOT_WELL_FORMED + "Expected expression after AND",
        ),
        ("SELECT * FROM t WHERE a.'x' = 2", NOT_WELL_FORMED + "Invalid path dot component"),
        (
            "UPDATE t SET a.* = 1 WHERE pk = 1",
            NOT_WELL_FORMED + "Invalid path dot component for simple path",
        ),
        ("UPDATE t SET a 1 WHERE pk = 1", NOT_WELL_FORMED + "Expected '='"),
        ("SELECT * FROM t WHERE a IN [1, 2", NOT_WELL_FORMED + "Expected RIGHT_BRACKET"),
        ("INSERT INTO t VALUE {'a' 1}", NOT_WELL_FORMED + "Expected COLON"),
        (
            "SELECT * FROM t WHERE max(a, b) = 1",
            NOT_WELL_FORMED + "Aggregate functions are always unary",
        ),
        ("SELECT * FROM t WHERE f(*) = 1", NOT_WELL_FORMED + "f(*) is not allowed"),
        (
            "DELETE FROM t WHERE pk = 1 RETURNING OLD *",
            NOT_WELL_FORMED + "Expected ( MODIFIED | "
            "ALL ) ( NEW | OLD ) in each returning element.",
        ),
        ("SELECT * FROM t WHERE size = 1", NOT_WELL_FORMED + "Unexpected keyword"),
        ("SELECT * FROM t AS", NOT_WELL_FORMED + "Expected identifier for AS-alias"),
    ],
)
def test_message(text, message):
    assert failure(parse, text) == message


def test_deep_nesting_is_refused_not_a_crash():
    assert failure(parse, "SELECT * FROM t WHERE " + "(" * 5000 + "a") == NOT_WELL_FORMED
    assert failure(parse, "- " * 5000 + "1") == NOT_WELL_FORMED
    assert failure(parse, "NOT " * 5000 + "a") == NOT_WELL_FORMED
