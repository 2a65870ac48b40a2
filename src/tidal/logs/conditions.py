"""Conditions of JSON filter patterns (`{ $.level = "error" && $.ms > 100 }`) and of the
fields of space-delimited ones (`[..., status = 4*, size > 1000]`).

Grammar (`&&` binds tighter than `||`; parentheses group):

    or       := and ("||" and)*
    and      := unary ("&&" unary)*
    unary    := "(" or ")" | operand op value | operand "IS" ("NULL" | "TRUE" | "FALSE")
                | operand "NOT" "EXISTS"
    operand  := $.name[.name | [index]]...   (JSON)   |   name   (space-delimited)
    value    := "quoted string" | number | bare word with * wildcards | %regex%

A string value compares as text, `*` matching any run of characters; a number compares as a
number (`<`, `>`, `<=`, `>=` take numbers only); a `%regex%` is searched for in the text.
A field that is missing, or of the wrong kind for the comparison, does not match.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tidal.logs import errors

MISSING = object()
"""What a selector finds where the event has no such field."""

Lookup = Callable[[Any], Any]
"""Finds an operand's value in a parsed event (MISSING when absent)."""
Condition = Callable[[Any], bool]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<paren>[()])
    | (?P<logic>&&|\|\|)
    | (?P<op><=|>=|!=|=|<|>)
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<regex>%[^%]*%)
    | (?P<word>[^\s()=!<>&|"]+)
    )""",
    re.VERBOSE,
)
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_KEYWORDS = frozenset(("IS", "NOT", "EXISTS", "NULL", "TRUE", "FALSE"))


def invalid_pattern() -> errors.InvalidParameterException:
    return errors.invalid("Invalid filter pattern")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise invalid_pattern()
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match[kind]))
        position = match.end()
    return tokens


class Parser:
    """Parses a token list into a Condition; `operand(text)` turns an operand into a Lookup."""

    def __init__(self, tokens: list[Token], operand: Callable[[str], Lookup]) -> None:
        self.tokens = tokens
        self.index = 0
        self.operand = operand

    def parse(self) -> Condition:
        condition = self._or()
        if self.index != len(self.tokens):
            raise invalid_pattern()
        return condition

    def _peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _next(self) -> Token:
        token = self._peek()
        if token is None:
            raise invalid_pattern()
        self.index += 1
        return token

    def _or(self) -> Condition:
        parts = [self._and()]
        while (token := self._peek()) is not None and token.text == "||":
            self.index += 1
            parts.append(self._and())
        if len(parts) == 1:
            return parts[0]
        return lambda event: any(part(event) for part in parts)

    def _and(self) -> Condition:
        parts = [self._unary()]
        while (token := self._peek()) is not None and token.text == "&&":
            self.index += 1
            parts.append(self._unary())
        if len(parts) == 1:
            return parts[0]
        return lambda event: all(part(event) for part in parts)

    def _unary(self) -> Condition:
        token = self._next()
        if token.text == "(":
            inner = self._or()
            if self._next().text != ")":
                raise invalid_pattern()
            return inner
        if token.kind != "word" or token.text.upper() in _KEYWORDS:
            raise invalid_pattern()
        lookup = self.operand(token.text)
        following = self._next()
        if following.kind == "op":
            return comparison(lookup, following.text, self._next())
        if following.kind == "word":
            return self._keyword_test(lookup, following.text.upper())
        raise invalid_pattern()

    def _keyword_test(self, lookup: Lookup, keyword: str) -> Condition:
        if keyword == "NOT":
            if self._next().text.upper() != "EXISTS":
                raise invalid_pattern()
            return lambda event: lookup(event) is MISSING
        if keyword != "IS":
            raise invalid_pattern()
        what = self._next().text.upper()
        if what == "NULL":
            return lambda event: lookup(event) is None
        if what in ("TRUE", "FALSE"):
            wanted = what == "TRUE"
            return lambda event: lookup(event) is wanted
        raise invalid_pattern()


def comparison(lookup: Lookup, op: str, token: Token) -> Condition:
    """`operand op value` as a test of an event."""
    if token.kind == "regex":
        if op not in ("=", "!="):
            raise invalid_pattern()
        regex = compile_regex(token.text[1:-1])
        found = lambda value: isinstance(value, str) and regex.search(value) is not None  # noqa: E731
        return _negated(found, lookup) if op == "!=" else lambda event: found(lookup(event))
    if token.kind == "word" and _NUMBER.fullmatch(token.text):
        return _numeric(lookup, op, float(token.text))
    if token.kind not in ("word", "string") or op not in ("=", "!="):
        raise invalid_pattern()
    text = unquote(token.text) if token.kind == "string" else token.text
    matcher = wildcard(text)
    found = lambda value: text_of(value) is not None and matcher(text_of(value))  # noqa: E731
    return _negated(found, lookup) if op == "!=" else lambda event: found(lookup(event))


def _negated(found: Callable[[Any], bool], lookup: Lookup) -> Condition:
    def test(event: Any) -> bool:
        value = lookup(event)
        return text_of(value) is not None and not found(value)

    return test


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _numeric(lookup: Lookup, op: str, bound: float) -> Condition:
    compare = _COMPARE[op]

    def test(event: Any) -> bool:
        number = number_of(lookup(event))
        return number is not None and compare(number, bound)

    return test


def number_of(value: Any) -> float | None:
    """A field's value as a number: a JSON number, or text that spells one."""
    if isinstance(value, bool) or value is None or value is MISSING:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def text_of(value: Any) -> str | None:
    """A field's value as text: a string as is, a number as written; nothing else."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None or value is MISSING:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return None


def unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def wildcard(text: str) -> Callable[[str], bool]:
    """Whole-text match where `*` stands for any run of characters."""
    if "*" not in text:
        return text.__eq__
    regex = re.compile(".*".join(map(re.escape, text.split("*"))), re.DOTALL)
    return lambda value: regex.fullmatch(value) is not None


def compile_regex(body: str) -> re.Pattern[str]:
    """A `%...%` regex: AWS's subset has no groups, so parentheses are refused."""
    if "(" in body or ")" in body or not body:
        raise invalid_pattern()
    try:
        return re.compile(body)
    except re.error:
        raise invalid_pattern() from None
