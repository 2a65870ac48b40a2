"""Filter patterns (FilterLogEvents' `filterPattern`), compiled once into a test of a message.

Four kinds, told apart by their first character (AWS's "Filter pattern syntax" page):

- terms, e.g. `ERROR "disk full" ?WARN -DEBUG`: every plain term must occur, at least one
  `?` term if there are any, no `-` term. Terms are case sensitive and match whole words: a
  term's alphanumeric ends must not run on into letters or digits of the message (`ERROR`
  matches `[ERROR]` and `ERROR:` but not `ERRORS`). A quoted phrase is one term; `" "`
  matches every event;
- `%regex%`: events in which the regex is found (AWS's subset: no parentheses);
- `{ ... }`: JSON events whose fields meet the conditions (conditions.py);
- `[ ... ]`: space-delimited events, fields bound by position, `...` for any number of
  fields, with conditions on named fields.

The empty pattern matches every event.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import orjson

from tidal.logs import conditions, errors
from tidal.logs.conditions import MISSING, Parser, invalid_pattern

Matcher = Callable[[str], bool]

_WORD = r"[A-Za-z0-9_]"
_TERM = re.compile(r'\s*([?-]?)("(?:[^"\\]|\\.)*"|\S+)')
_SELECTOR_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
_FIELD = re.compile(r'"[^"]*"|\[[^\]]*\]|\S+')
ELLIPSIS = "..."


def _everything(message: str) -> bool:
    return True


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Matcher:
    """The test a filter pattern makes of an event's message."""
    text = pattern.strip()
    if not text:
        return _everything
    if text.startswith("{"):
        if not text.endswith("}"):
            raise errors.invalid("If a filter pattern starts with '{' it must end with '}'")
        return _json_pattern(text[1:-1])
    if text.startswith("["):
        if not text.endswith("]"):
            raise invalid_pattern()
        return _delimited_pattern(text[1:-1])
    if len(text) > 1 and text.startswith("%") and text.endswith("%"):
        regex = conditions.compile_regex(text[1:-1])
        return lambda message: regex.search(message) is not None
    return _terms_pattern(text)


def _terms_pattern(text: str) -> Matcher:
    required: list[re.Pattern[str]] = []
    optional: list[re.Pattern[str]] = []
    excluded: list[re.Pattern[str]] = []
    anything = False
    position = 0
    while position < len(text):
        match = _TERM.match(text, position)
        if match is None:
            break
        position = match.end()
        sign, term = match[1], match[2]
        if term.startswith('"'):
            if len(term) < 2 or not term.endswith('"') or term == '"':
                raise invalid_pattern()
            phrase = conditions.unquote(term)
            if not phrase:
                raise _bad_term(term)
            if not phrase.strip():
                anything = True
                continue
        else:
            if '"' in term:
                raise _bad_term(term)
            phrase = term
        {"": required, "?": optional, "-": excluded}[sign].append(_whole_words(phrase))
    if anything and not (required or optional or excluded):
        return _everything

    def matches(message: str) -> bool:
        if not all(term.search(message) for term in required):
            return False
        if optional and not any(term.search(message) for term in optional):
            return False
        return not any(term.search(message) for term in excluded)

    return matches


def _bad_term(term: str) -> errors.InvalidParameterException:
    return errors.invalid(f"Invalid filter pattern: Invalid character(s) in term '{term}'")


def _whole_words(phrase: str) -> re.Pattern[str]:
    """`phrase` where its word-character ends do not run on into the message's words."""
    before = f"(?<!{_WORD})" if re.match(_WORD, phrase) else ""
    after = f"(?!{_WORD})" if re.match(_WORD, phrase[-1]) else ""
    return re.compile(before + re.escape(phrase) + after)


def _json_pattern(body: str) -> Matcher:
    condition = Parser(conditions.tokenize(body), _selector).parse()

    def matches(message: str) -> bool:
        try:
            document = orjson.loads(message)
        except orjson.JSONDecodeError:
            return False
        return isinstance(document, dict | list) and condition(document)

    return matches


def _selector(text: str) -> conditions.Lookup:
    """`$.a.b[0].c` as a lookup in a parsed JSON event."""
    if not text.startswith("$"):
        raise invalid_pattern()
    steps: list[str | int] = []
    position = 1
    while position < len(text):
        match = _SELECTOR_PART.match(text, position)
        if match is None:
            raise invalid_pattern()
        steps.append(match[1] if match[1] is not None else int(match[2]))
        position = match.end()
    if not steps:
        raise invalid_pattern()

    def lookup(document: Any) -> Any:
        value = document
        for step in steps:
            container = dict if isinstance(step, str) else list
            if not isinstance(value, container) or not _has(value, step):
                return MISSING
            value = value[step]
        return value

    return lookup


def _has(container: dict | list, step: str | int) -> bool:
    return step in container if isinstance(container, dict) else step < len(container)


def _delimited_pattern(body: str) -> Matcher:
    names: list[str] = []
    checks: list[conditions.Condition] = []
    for field in _split_fields(body):
        if field == ELLIPSIS:
            names.append(ELLIPSIS)
            continue
        tokens = conditions.tokenize(field)
        if not tokens or tokens[0].kind != "word":
            raise invalid_pattern()
        names.append(tokens[0].text)
        if len(tokens) > 1:
            checks.append(Parser(tokens, _field_lookup).parse())

    def matches(message: str) -> bool:
        values = [_unwrap(value) for value in _FIELD.findall(message)]
        return any(
            all(check(bound) for check in checks) for bound in _bindings(names, values, 0, 0, {})
        )

    return matches


def _split_fields(body: str) -> list[str]:
    """The comma-separated fields of a `[...]` pattern (commas inside quotes stay)."""
    fields = [field.strip() for field in re.findall(r'(?:"[^"]*"|[^,"])+', body)]
    if not fields or any(not field for field in fields):
        raise invalid_pattern()
    return fields


def _field_lookup(name: str) -> conditions.Lookup:
    return lambda bound: bound.get(name, MISSING)


def _unwrap(value: str) -> str:
    if len(value) >= 2 and value[0] + value[-1] in ('""', "[]"):
        return value[1:-1]
    return value


def _bindings(names: list[str], values: list[str], i: int, j: int, bound: dict[str, str]):
    """Every way to lay `names` over `values` (an ellipsis takes any number of values)."""
    if i == len(names):
        if j == len(values):
            yield bound
        return
    if names[i] == ELLIPSIS:
        for skip in range(len(values) - j, -1, -1):
            yield from _bindings(names, values, i + 1, j + skip, bound)
        return
    if j < len(values):
        yield from _bindings(names, values, i + 1, j + 1, {**bound, names[i]: values[j]})
