"""PartiQL tokens, as the PartiQL reference lexer that DynamoDB runs reads them.

Keywords are case-insensitive and come out lower-cased; some word pairs are one token
(`not in` -> `not_in`, `insert into` -> `insert_into`, `all old` -> `all_old` ...).
Identifiers keep their spelling; `"quoted"` identifiers may hold any text (`""` is a quote)
and `'strings'` likewise (`''`). A statement the lexer cannot read raises the
"wasn't well formed" ValidationException with no detail, as DynamoDB answers it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import syntax_error

# Token kinds besides the punctuation, which is its own kind ("(", "<<", ...).
KEYWORD = "keyword"
OPERATOR = "operator"
IDENTIFIER = "identifier"
QUOTED = "quoted_identifier"
LITERAL = "literal"
NULL = "null"
MISSING = "missing"
EOF = "eof"

SQL92_KEYWORDS = frozenset((
    "absolute", "action", "add", "all", "allocate", "alter", "and", "any", "are", "as", "asc",
    "assertion", "at", "authorization", "avg", "begin", "between", "bit", "bit_length", "by",
    "cascade", "cascaded", "case", "cast", "catalog", "char", "character", "character_length",
    "char_length", "check", "close", "coalesce", "collate", "collation", "column", "commit",
    "connect", "connection", "constraint", "constraints", "continue", "convert",
    "corresponding", "count", "create", "cross", "current", "current_date", "current_time",
    "current_timestamp", "current_user", "cursor", "date", "deallocate", "dec", "decimal",
    "declare", "default", "deferrable", "deferred", "delete", "desc", "describe", "descriptor",
    "diagnostics", "disconnect", "distinct", "domain", "double", "drop", "else", "end",
    "end-exec", "escape", "except", "exception", "exec", "execute", "exists", "external",
    "extract", "date_add", "date_diff", "false", "fetch", "first", "float", "for", "foreign",
    "found", "from", "full", "get", "global", "go", "goto", "grant", "group", "having",
    "identity", "immediate", "in", "indicator", "initially", "inner", "input", "insensitive",
    "insert", "int", "integer", "intersect", "interval", "into", "is", "isolation", "join",
    "key", "language", "last", "left", "level", "like", "local", "lower", "match", "max", "min",
    "module", "names", "national", "natural", "nchar", "next", "no", "not", "null", "nullif",
    "numeric", "octet_length", "of", "on", "only", "open", "option", "or", "order", "outer",
    "output", "overlaps", "pad", "partial", "position", "precision", "prepare", "preserve",
    "primary", "prior", "privileges", "procedure", "public", "read", "real", "references",
    "relative", "restrict", "revoke", "right", "rollback", "rows", "schema", "scroll",
    "section", "select", "session", "session_user", "set", "size", "smallint", "some", "space",
    "sql", "sqlcode", "sqlerror", "sqlstate", "substring", "sum", "system_user", "table",
    "temporary", "then", "time", "timestamp", "to", "transaction", "translate", "translation",
    "trim", "true", "union", "unique", "unknown", "update", "upper", "usage", "user", "using",
    "value", "values", "varchar", "varying", "view", "when", "whenever", "where", "with",
    "work", "write", "zone"
))  # fmt: skip
PARTIQL_KEYWORDS = frozenset((
    "can_cast", "can_lossless_cast", "missing", "pivot", "unpivot", "limit", "offset", "tuple",
    "remove", "index", "let", "integer2", "int2", "integer4", "int4", "integer8", "int8",
    "bigint", "conflict", "do", "nothing", "returning", "modified", "new", "old", "bool",
    "boolean", "string", "symbol", "clob", "blob", "struct", "list", "sexp", "bag"
))  # fmt: skip
KEYWORDS = SQL92_KEYWORDS | PARTIQL_KEYWORDS
OPERATOR_KEYWORDS = frozenset(("and", "or", "not", "is", "in", "like", "between"))
SET_OPERATORS = frozenset(("union", "except", "intersect"))
# Keywords with a token kind of their own in the reference lexer (not "keyword").
SPECIAL_KEYWORDS = frozenset(("as", "at", "by", "asc", "desc", "for", "first", "last"))

# Word sequences that lex as one token, longest first.
MULTI_WORD: dict[tuple[str, ...], tuple[str, str]] = {
    ("not", "in"): ("not_in", OPERATOR),
    ("is", "not"): ("is_not", OPERATOR),
    ("not", "between"): ("not_between", OPERATOR),
    ("not", "like"): ("not_like", OPERATOR),
    ("union", "all"): ("union_all", OPERATOR),
    ("intersect", "all"): ("intersect_all", OPERATOR),
    ("except", "all"): ("except_all", OPERATOR),
    ("character", "varying"): ("character_varying", KEYWORD),
    ("double", "precision"): ("double_precision", KEYWORD),
    ("cross", "join"): ("cross_join", KEYWORD),
    ("inner", "join"): ("inner_join", KEYWORD),
    ("left", "join"): ("left_join", KEYWORD),
    ("right", "join"): ("right_join", KEYWORD),
    ("full", "join"): ("outer_join", KEYWORD),
    ("outer", "join"): ("outer_join", KEYWORD),
    ("insert", "into"): ("insert_into", KEYWORD),
    ("on", "conflict"): ("on_conflict", KEYWORD),
    ("do", "nothing"): ("do_nothing", KEYWORD),
    ("modified", "old"): ("modified_old", KEYWORD),
    ("modified", "new"): ("modified_new", KEYWORD),
    ("all", "old"): ("all_old", KEYWORD),
    ("all", "new"): ("all_new", KEYWORD),
}

_PUNCTUATION = ("<<", ">>", "<=", ">=", "<>", "!=", "||", *"()[]{}:,.*;?+-/%=<>@")
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]*)?")
_SPACE = re.compile(r"(?:\s+|--[^\n]*|/\*.*?\*/)+", re.DOTALL)
_INT32 = 1 << 31
_DIGITS = frozenset("0123456789")
_SYMBOL_OPERATORS = frozenset(("+", "-", "/", "%", "=", "<>", "<", "<=", ">", ">=", "||", "@"))


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    """Lower-cased for keywords and operators, as written for identifiers."""
    value: Any = None
    """For literals: ("string", text), ("int" | "decimal", digits as written) or ("bool", b)."""
    position: int = 0


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`, ending with an EOF token; ValidationException if unreadable."""
    tokens: list[Token] = []
    index = 0
    length = len(text)
    while True:
        space = _SPACE.match(text, index)
        if space:
            index = space.end()
        if index >= length:
            break
        if text.startswith("/*", index):
            raise syntax_error()
        token, index = _token(text, index)
        tokens.append(token)
    tokens.append(Token(EOF, "", position=length))
    return _merge_words(tokens)


def _token(text: str, index: int) -> tuple[Token, int]:
    char = text[index]
    if char == "'" or char == '"':
        body, end = _quoted(text, index)
        if char == "'":
            return Token(LITERAL, body, ("string", body), index), end
        return Token(QUOTED, body, position=index), end
    if char in _DIGITS or (char == "." and text[index + 1 : index + 2] in _DIGITS):
        return _number(text, index)
    name = _IDENTIFIER.match(text, index)
    if name:
        return _word(name.group(), index), name.end()
    for symbol in _PUNCTUATION:
        if text.startswith(symbol, index):
            if symbol == "!=":
                return Token(OPERATOR, "<>", position=index), index + 2
            kind = OPERATOR if symbol in _SYMBOL_OPERATORS else symbol
            return Token(kind, symbol, position=index), index + len(symbol)
    raise syntax_error()


def _quoted(text: str, index: int) -> tuple[str, int]:
    quote = text[index]
    parts = []
    position = index + 1
    while True:
        end = text.find(quote, position)
        if end < 0:
            raise syntax_error()
        parts.append(text[position:end])
        if text.startswith(quote * 2, end):
            parts.append(quote)
            position = end + 2
        else:
            return "".join(parts), end + 1


def _number(text: str, index: int) -> tuple[Token, int]:
    written = _NUMBER.match(text, index).group()  # type: ignore[union-attr]
    mantissa, _, exponent = written.lower().partition("e")
    if "e" in written.lower():
        digits = exponent.lstrip("+-")
        if not digits:
            raise syntax_error()
        power = int(exponent)
        scale = len(mantissa.partition(".")[2]) - power
        if not (-_INT32 <= power < _INT32 and -_INT32 <= scale < _INT32):
            raise syntax_error()
    kind = "int" if set(written) <= _DIGITS else "decimal"
    return Token(LITERAL, written, (kind, written), index), index + len(written)


def _word(word: str, index: int) -> Token:
    lower = word.lower()
    if lower in ("true", "false"):
        return Token(LITERAL, lower, ("bool", lower == "true"), index)
    if lower == "null":
        return Token(NULL, lower, position=index)
    if lower == "missing":
        return Token(MISSING, lower, position=index)
    if lower in OPERATOR_KEYWORDS or lower in SET_OPERATORS:
        return Token(OPERATOR, lower, position=index)
    if lower in SPECIAL_KEYWORDS:
        return Token(lower, lower, position=index)
    if lower in KEYWORDS:
        return Token(KEYWORD, lower, position=index)
    return Token(IDENTIFIER, word, position=index)


def _merge_words(tokens: list[Token]) -> list[Token]:
    merged: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        pair = (token.text, tokens[index + 1].text) if index + 1 < len(tokens) else None
        if pair in MULTI_WORD and _is_word(token) and _is_word(tokens[index + 1]):
            text, kind = MULTI_WORD[pair]
            merged.append(Token(kind, text, position=token.position))
            index += 2
        else:
            merged.append(token)
            index += 1
    return merged


def _is_word(token: Token) -> bool:
    return token.kind in (KEYWORD, OPERATOR) or token.kind in SPECIAL_KEYWORDS
