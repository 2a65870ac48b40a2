"""Filter patterns of FilterLogEvents: terms, phrases, regexes, JSON and space-delimited."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tidal.logs.errors import InvalidParameterException
from tidal.logs.filters import compile_pattern

EVENTS = [
    "[ERROR 400] BAD REQUEST",
    "[ERROR 401] UNAUTHORIZED REQUEST",
    "[ERROR 419] MISSING ARGUMENTS",
    "[ERROR 420] INVALID ARGUMENTS",
    "[SUCCESS 200] AUTHORIZED REQUEST",
]


def matching(pattern: str, events: list[str] = EVENTS) -> list[str]:
    matches = compile_pattern(pattern)
    return [event for event in events if matches(event)]


@pytest.mark.parametrize("pattern", ["", "   ", '" "'])
def test_an_empty_pattern_and_a_quoted_space_match_every_event(pattern):
    assert matching(pattern) == EVENTS


def test_terms_must_all_occur():
    assert matching("ERROR") == EVENTS[:4]
    assert matching("ERROR ARGUMENTS") == EVENTS[2:4]


def test_question_marked_terms_need_only_one_to_occur():
    assert matching("?ARGUMENTS ?SUCCESS") == EVENTS[2:]


def test_a_minus_term_excludes_the_events_that_hold_it():
    assert matching("ERROR -ARGUMENTS") == EVENTS[:2]
    assert matching("-ERROR") == EVENTS[4:]


def test_a_quoted_phrase_is_one_term():
    assert matching('"BAD REQUEST"') == EVENTS[:1]
    assert matching('"ERROR 419" ?MISSING ?BAD') == EVENTS[2:3]


def test_terms_match_whole_words_and_are_case_sensitive():
    assert matching("AUTHORIZED") == EVENTS[4:]
    assert matching("REQ") == []
    assert matching("error") == []
    assert matching('"401]"') == EVENTS[1:2]


def test_a_regex_pattern_is_searched_for():
    assert matching("%AUTHORIZED%") == [EVENTS[1], EVENTS[4]]
    assert matching("%4[01][19]%") == EVENTS[1:3]


def test_terms_in_lambda_log_lines():
    lines = [
        "START RequestId: e00bc024-a1a4-47f3-9921-409f0dc2f086 Version: $LATEST\n",
        "2016-02-26T14:44:47.826Z\te00bc024-a1a4-47f3-9921-409f0dc2f086\tINFO\tsent\n",
        "REPORT RequestId: e00bc024-a1a4-47f3-9921-409f0dc2f086\tDuration: 3.01 ms\t\n",
    ]
    assert matching("REPORT", lines) == lines[2:]
    assert matching("e00bc024", lines) == lines
    assert matching('"Version: $LATEST"', lines) == lines[:1]


JSON_EVENTS = [
    json.dumps({"level": "error", "latency": 1500, "user": {"id": 1}, "tags": ["a", "b"]}),
    json.dumps({"level": "info", "latency": 20, "user": {"id": 2}, "ok": True, "gone": None}),
    json.dumps({"level": "warning", "latency": 999.5, "user": {"id": 3}, "ok": False}),
    "not json at all",
]


def json_matching(pattern: str) -> list[int]:
    matches = compile_pattern(pattern)
    return [index for index, event in enumerate(JSON_EVENTS) if matches(event)]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ $.level = "error" }', [0]),
        ("{ $.level = error }", [0]),
        ('{ $.level != "error" }', [1, 2]),
        ('{ $.level = "warn*" }', [2]),
        ("{ $.latency > 1000 }", [0]),
        ("{ $.latency < 1000 }", [1, 2]),
        ("{ $.latency >= 20 && $.latency <= 999.5 }", [1, 2]),
        ("{ $.latency = 20 }", [1]),
        ("{ $.user.id != 2 }", [0, 2]),
        ('{ $.tags[1] = "b" }', [0]),
        ('{ ($.user.id = 1) || ($.level = "info") }', [0, 1]),
        ('{ $.level = "error" || $.level = "info" && $.latency > 100 }', [0]),
        ('{ ($.level = "error" || $.level = "info") && $.latency < 100 }', [1]),
        ("{ $.ok IS TRUE }", [1]),
        ("{ $.ok IS FALSE }", [2]),
        ("{ $.gone IS NULL }", [1]),
        ("{ $.ok NOT EXISTS }", [0]),
        ("{ $.level = %warn|err% }", [0, 2]),
        ("{$.latency>1000}", [0]),
    ],
)
def test_json_patterns(pattern, expected):
    assert json_matching(pattern) == expected


ACCESS_LOG = [
    '127.0.0.1 frank admin [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534',
    '127.0.0.1 frank admin [10/Oct/2000:13:35:22 -0700] "GET /images/cat.jpg HTTP/1.0" 500 5032',
    '127.0.0.1 bob admin [10/Oct/2000:13:45:01 -0700] "GET /about.html HTTP/1.0" 200 128',
]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[ip, user, username, timestamp, request, status_code, bytes]", [0, 1, 2]),
        ("[ip, user, username, timestamp, request, status_code = 404, bytes]", [0]),
        ("[ip, user, username, timestamp, request, status_code = 4*, bytes]", [0]),
        ("[ip, user, ..., status_code != 200, bytes > 1000]", [0, 1]),
        ('[ip, user = "bob", ...]', [2]),
        ('[..., request = "*html*", status_code, bytes]', [0, 2]),
        ("[ip, user, ..., status_code = 404 || status_code = 500, bytes]", [0, 1]),
        ("[ip, ..., bytes < 200]", [2]),
        ("[ip, user]", []),
        ("[..., code, size]", [0, 1, 2]),
    ],
)
def test_space_delimited_patterns(pattern, expected):
    matches = compile_pattern(pattern)
    assert [index for index, line in enumerate(ACCESS_LOG) if matches(line)] == expected


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{ $.level = ", "If a filter pattern starts with '{' it must end with '}'"),
        ("{ $.level = }", "Invalid filter pattern"),
        ("{ level = 1 }", "Invalid filter pattern"),
        ("{ $.a > abc }", "Invalid filter pattern"),
        ("{ ($.a = 1 }", "Invalid filter pattern"),
        ("[a, b", "Invalid filter pattern"),
        ('"unbalanced', "Invalid filter pattern"),
        ('""', "Invalid filter pattern: Invalid character(s) in term '\"\"'"),
        ('ab"c', "Invalid filter pattern: Invalid character(s) in term 'ab\"c'"),
        ("%(group)%", "Invalid filter pattern"),
    ],
)
def test_malformed_patterns_are_refused(pattern, message):
    with pytest.raises(InvalidParameterException) as raised:
        compile_pattern(pattern)
    assert raised.value.message == message


words = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", min_size=1
)
messages = st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "x1", "-", ":"])).map(
    " ".join
)


@given(word=st.sampled_from(["alpha", "beta", "gamma"]), message=messages)
def test_a_term_matches_exactly_the_messages_holding_it_as_a_word(word, message):
    assert compile_pattern(word)(message) == (word in message.split())


@given(word=st.sampled_from(["alpha", "beta", "gamma"]), message=messages)
def test_excluding_a_term_is_the_opposite_of_requiring_it(word, message):
    assert compile_pattern(f"-{word}")(message) != compile_pattern(word)(message)


@given(first=words, second=words, message=messages)
def test_optional_terms_match_when_either_does(first, second, message):
    either = compile_pattern(f"?{first} ?{second}")(message)
    assert either == (compile_pattern(first)(message) or compile_pattern(second)(message))


@given(
    value=st.one_of(st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6, allow_nan=False)),
    bound=st.integers(-(10**6), 10**6),
)
def test_json_numeric_comparisons_agree_with_arithmetic(value, bound):
    event = json.dumps({"n": value})
    for op, expected in [
        (">", value > bound),
        ("<", value < bound),
        (">=", value >= bound),
        ("<=", value <= bound),
        ("=", value == bound),
        ("!=", value != bound),
    ]:
        assert compile_pattern(f"{{ $.n {op} {bound} }}")(event) == expected
