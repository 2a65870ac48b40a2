"""The one lexer behind every expression kind.

Names start with a letter (`_a` and `1a` are not names: DynamoDB reports a syntax error on the
`_` or the digits); `#name` and `:value` placeholders continue with letters, digits and `_`.
A character the grammar does not know becomes a token of its own, so the parser can point at
it in "Syntax error; token: ..., near: ..." like DynamoDB does.
"""

from __future__ import annotations

import re
from typing import NamedTuple

NAME = "name"
NAME_REF = "#"
VALUE_REF = ":"
NUMBER = "number"
CHAR = "char"
EOF = "<EOF>"

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
    | (?P<name>[A-Za-z][A-Za-z0-9_]*)
    | (?P<nameref>\#[A-Za-z0-9_]+)
    | (?P<valueref>:[A-Za-z0-9_]+)
    | (?P<number>[0-9]+)
    | (?P<punct><>|<=|>=|[()\[\],.=<>+\-])
    | (?P<char>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_KINDS = {"name": NAME, "nameref": NAME_REF, "valueref": VALUE_REF, "number": NUMBER}


class Token(NamedTuple):
    kind: str
    """NAME, NAME_REF, VALUE_REF, NUMBER, CHAR, EOF, or the punctuation itself ("(", "<=", ...)."""
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """All tokens of `text`, ending with an EOF token positioned at the end of the text."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        group = match.lastgroup
        if group == "ws":
            continue
        value = match.group()
        kind = value if group == "punct" else _KINDS.get(group, CHAR)  # type: ignore[arg-type]
        tokens.append(Token(kind, value, match.start(), match.end()))
    tokens.append(Token(EOF, EOF, len(text), len(text)))
    return tokens
