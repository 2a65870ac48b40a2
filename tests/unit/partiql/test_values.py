"""PartiQL literals and parameters as attribute values, and what DynamoDB refuses in them."""

import pytest

from tidal.dynamodb.partiql import ast
from tidal.dynamodb.partiql.errors import PARAMETER_COUNT
from tidal.dynamodb.partiql.parser import parse
from tidal.dynamodb.partiql.values import Parameters, literal

from .conftest import failure

OVERFLOW = (
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
)


def value(text: str) -> dict:
    return literal(parse(text))


def test_scalars():
    assert value("'x'") == {"S": "x"}
    assert value("''") == {"S": ""}
    assert value("true") == {"BOOL": True}
    assert value("null") == {"NULL": True}


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1", "1"),
        ("-1.50", "-1.5"),
        ("1e2", "100"),
        ("0.000", "0"),
        ("-0", "0"),
        ("1.5E-3", "0.0015"),
    ],
)
def test_numbers_are_canonical(text, number):
    assert value(text) == {"N": number}


def test_collections():
    assert value("[1, 'a', [true]]") == {"L": [{"N": "1"}, {"S": "a"}, {"L": [{"BOOL": True}]}]}
    assert value("{'a': {'b': null}}") == {"M": {"a": {"M": {"b": {"NULL": True}}}}}
    assert value("<<'a', 'b'>>") == {"SS": ["a", "b"]}
    assert value("<<1, 2.0>>") == {"NS": ["1", "2"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e126", OVERFLOW + " under root"),
        ("{'x': 1e126}", OVERFLOW + " under root.x"),
        ("[1, 1e126]", OVERFLOW + " under root[1]"),
        (
            "1e-131",
            "Number underflow. Attempting to store a number with magnitude smaller than supported "
            "range under root",
        ),
        (
            "123456789012345678901234567890123456789",
            "Attempting to store more than 38 significant digits in a Number under root",
        ),
        ("-0.0", "Negative zero decimal is not supported under key root"),
        ("<<>>", "Empty bags are not supported"),
        (
            "<<true>>",
            (
                "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in "
                "bags"
            ),
        ),
        (
            "<<'a', 1>>",
            (
                "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in "
                "bags"
            ),
        ),
        (
            "<<'a', 'a'>>",
            "One or more parameter values were invalid: Input collection [a, a] "
            "contains duplicates.",
        ),
        ("{'a': 1, 'a': 2}", "Duplicate keys in tuple. Key: a under root"),
        ("{1: 2}", "Tuple keys must be of type String. Actual type: INT under root"),
        ("{'': 2}", "Path component cannot be an empty string"),
        ("{'m': [missing]}", "Unsupported data type: MISSING under key root.m[0]"),
        ("{'m': ?}", "Unsupported data type: Parameter under key root.m"),
    ],
)
def test_refused(text, message):
    assert failure(value, text) == message


def test_parameters_are_checked_and_counted():
    parameters = Parameters([{"N": "01.50"}], 2)
    assert parameters.get(ast.Parameter(1)) == {"N": "1.5"}
    assert failure(parameters.get, ast.Parameter(2)) == PARAMETER_COUNT
    assert failure(Parameters, [{"N": "1"}, {"N": "2"}], 1) == PARAMETER_COUNT
    assert failure(Parameters, [{"SS": []}], 1) == (
        "One or more parameter values were invalid: An string set  may not be empty"
    )
