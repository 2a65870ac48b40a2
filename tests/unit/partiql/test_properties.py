"""Properties: no text makes the PartiQL parser raise anything but the "wasn't well formed"
ValidationException, and no statement it reads makes the statement rules raise anything but
an AWS error (whatever the surface), so junk input can never turn into a server error."""

import contextlib

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tidal.core.errors import AWSError, ValidationException
from tidal.dynamodb.partiql.errors import NOT_WELL_FORMED
from tidal.dynamodb.partiql.parser import parse
from tidal.dynamodb.partiql.statements import Statement, kind_of, prepare

from .conftest import lookup

WORDS = [
    "SELECT", "*", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "IS", "MISSING", "NULL",
    "BETWEEN", "INSERT", "INTO", "VALUE", "UPDATE", "SET", "REMOVE", "DELETE", "RETURNING",
    "ALL", "MODIFIED", "OLD", "NEW", "ORDER", "BY", "DESC", "ASC", "EXISTS", "AS", "AT",
    "pk", "sk", "g", "a", "b", '"pair"', '"hash"', '"by-g"', '"by-l"', '""', ".", ",", "(",
    ")", "[", "]", "{", "}", "<<", ">>", ":", ";", "?", "=", "<>", "<", "<=", ">", ">=", "+",
    "-", "'a'", "'pk'", "'sk'", "1", "2.5", "-0.0", "1e126", "true", "size", "begins_with",
    "contains", "attribute_type", "set_add", "list_append", "nope", "LIMIT", "GROUP",
]  # fmt: skip
PARAMETERS = [{"S": "a"}, {"N": "1"}, {"SS": ["x"]}, {"BOOL": True}, {"L": []}]
JUNK = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


PREFIXES = [
    "",
    'SELECT * FROM "pair" WHERE',
    'SELECT a, b FROM "pair"."by-g" WHERE',
    'UPDATE "pair" SET',
    "UPDATE \"pair\" SET a = 1 WHERE pk = 'a' AND sk = 1 AND",
    'INSERT INTO "pair" VALUE',
    'DELETE FROM "hash" WHERE',
    'EXISTS(SELECT * FROM "hash" WHERE',
]


def statements() -> st.SearchStrategy[str]:
    words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=16).map(" ".join)
    return st.tuples(st.sampled_from(PREFIXES), words).map(" ".join)


@JUNK
@given(st.text(max_size=60))
@example('SELECT * FROM "t" WHERE a = \'')
def test_any_text_parses_or_is_not_well_formed(text):
    try:
        parse(text)
    except ValidationException as error:
        assert error.message.startswith(NOT_WELL_FORMED)


@JUNK
@given(statements(), st.lists(st.sampled_from(PARAMETERS), max_size=3))
@example('UPDATE "pair" SET a = set_add ( a , ? ) WHERE pk = ? AND sk = 1', [])
@example('SELECT * FROM "pair" . "by-g" WHERE g = \'a\' AND b = 1 ORDER BY g DESC', [])
def test_any_statement_is_run_or_refused_as_aws_would(text, parameters):
    try:
        node = parse(text)
    except ValidationException:
        return
    if kind_of(node) not in ("select", "insert", "update", "delete", "exists"):
        return
    for surface in ("statement", "batch", "transaction"):
        with contextlib.suppress(AWSError):
            prepare(node, Statement(text, parameters or None), lookup, surface)
