"""The PartiQL lexer: tokens as the reference lexer reads them, and what it cannot read."""

import pytest

from tidal.core.errors import ValidationException
from tidal.dynamodb.partiql.errors import NOT_WELL_FORMED
from tidal.dynamodb.partiql.lexer import tokenize


def kinds(text: str) -> list[tuple[str, str]]:
    return [(token.kind, token.text) for token in tokenize(text)[:-1]]


def test_keywords_are_case_insensitive_and_identifiers_keep_their_spelling():
    assert kinds('SeLeCt Artist FROM "Music"') == [
        ("keyword", "select"),
        ("identifier", "Artist"),
        ("keyword", "from"),
        ("quoted_identifier", "Music"),
    ]


def test_word_pairs_are_one_token():
    assert [text for _, text in kinds("a NOT IN b IS NOT c INSERT INTO t RETURNING ALL OLD *")] == [
        "a",
        "not_in",
        "b",
        "is_not",
        "c",
        "insert_into",
        "t",
        "returning",
        "all_old",
        "*",
    ]


def test_literals():
    tokens = tokenize("'it''s' 12 1.50 -3 1e5 .5 TRUE false NULL missing ?")
    assert [token.value for token in tokens[:-1] if token.value] == [
        ("string", "it's"),
        ("int", "12"),
        ("decimal", "1.50"),
        ("int", "3"),
        ("decimal", "1e5"),
        ("decimal", ".5"),
        ("bool", True),
        ("bool", False),
    ]
    assert [token.kind for token in tokens[-4:]] == ["null", "missing", "?", "eof"]


def test_quoted_identifiers_double_their_quotes():
    assert kinds('"say ""hi"""') == [("quoted_identifier", 'say "hi"')]


def test_comments_and_operators():
    assert kinds("a -- note\n<> b /* block */ != c <= d || e") == [
        ("identifier", "a"),
        ("operator", "<>"),
        ("identifier", "b"),
        ("operator", "<>"),
        ("identifier", "c"),
        ("operator", "<="),
        ("identifier", "d"),
        ("operator", "||"),
        ("identifier", "e"),
    ]


def test_bag_brackets():
    assert [kind for kind, _ in kinds("<<1>>")] == ["<<", "literal", ">>"]


@pytest.mark.parametrize(
    "text",
    [
        "'unterminated",
        '"unterminated',
        "a # note",
        "a /* unterminated",
        "1e2147483648",
        "1e99999999999",
        "1.5e-2147483647",
        "1e",
        "a ~ b",
        "`ion`",
    ],
)
def test_what_the_lexer_cannot_read_has_no_detail(text):
    with pytest.raises(ValidationException) as info:
        tokenize(text)
    assert info.value.message == NOT_WELL_FORMED
