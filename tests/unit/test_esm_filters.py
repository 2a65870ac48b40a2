"""FilterCriteria patterns: every operator, and how they apply to DynamoDB stream records."""

from __future__ import annotations

import orjson
import pytest

from tidal.awslambda.filters import InvalidPattern, matches_any, parse


def matches(pattern: dict, record: dict) -> bool:
    return parse(orjson.dumps(pattern).decode()).matches(record)


def insert(**new_image: dict) -> dict:
    """A Lambda event record of an INSERT with `new_image`, keyed on `pk`."""
    return {
        "eventID": "1",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1700000000.0,
            "Keys": {"pk": new_image["pk"]},
            "NewImage": new_image,
            "SequenceNumber": "100000000000000000001",
            "SizeBytes": 20,
            "StreamViewType": "NEW_IMAGE",
        },
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x",
    }


RECORD = insert(pk={"S": "user#1"}, status={"S": "Active"}, score={"N": "42"})


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"eventName": ["INSERT"]}, True),
        ({"eventName": ["MODIFY", "INSERT"]}, True),
        ({"eventName": ["insert"]}, False),
        ({"eventName": ["REMOVE"]}, False),
        ({"eventName": ["INSERT"], "eventSource": ["aws:dynamodb"]}, True),
        ({"eventName": ["INSERT"], "eventSource": ["aws:kinesis"]}, False),
        ({"dynamodb": {"NewImage": {"status": {"S": ["Active"]}}}}, True),
        ({"dynamodb": {"NewImage": {"status": {"S": ["Inactive"]}}}}, False),
        ({"dynamodb": {"NewImage": {"missing": {"S": ["Active"]}}}}, False),
        ({}, True),
    ],
)
def test_exact_values_and_and(pattern, expected):
    assert matches(pattern, RECORD) is expected


def test_numbers_match_by_value_and_never_match_strings():
    record = {"count": 5, "text": "5", "flag": True, "nothing": None, "empty": ""}
    assert matches({"count": [5.0]}, record)
    assert not matches({"count": ["5"]}, record)
    assert not matches({"text": [5]}, record)
    assert matches({"flag": [True]}, record)
    assert not matches({"flag": [1]}, record)
    assert matches({"nothing": [None]}, record)
    assert not matches({"absent": [None]}, record)
    assert matches({"empty": [""]}, record)
    assert not matches({"nothing": [""]}, record)


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ({"prefix": "user#"}, "user#1", True),
        ({"prefix": "User#"}, "user#1", False),
        ({"prefix": {"equals-ignore-case": "USER#"}}, "user#1", True),
        ({"suffix": ".png"}, "cat.png", True),
        ({"suffix": ".png"}, "cat.PNG", False),
        ({"suffix": {"equals-ignore-case": ".png"}}, "cat.PNG", True),
        ({"equals-ignore-case": "active"}, "ACTIVE", True),
        ({"equals-ignore-case": "active"}, "inactive", False),
        ({"wildcard": "*/lib/*"}, "src/lib/x.py", True),
        ({"wildcard": "*/lib/*"}, "src/bin/x.py", False),
        ({"wildcard": "a\\*b"}, "a*b", True),
        ({"wildcard": "a\\*b"}, "axb", False),
        ({"anything-but": "Active"}, "Pending", True),
        ({"anything-but": "Active"}, "Active", False),
        ({"anything-but": ["Active", "Pending"]}, "Pending", False),
        ({"anything-but": [100]}, 100, False),
        ({"anything-but": [100]}, "100", True),
        ({"anything-but": {"prefix": "us-"}}, "eu-west-1", True),
        ({"anything-but": {"prefix": "us-"}}, "us-east-1", False),
        ({"anything-but": {"suffix": ".png"}}, "a.jpg", True),
        ({"anything-but": {"suffix": ".png"}}, "a.png", False),
        ({"anything-but": {"equals-ignore-case": ["a", "b"]}}, "B", False),
        ({"anything-but": {"equals-ignore-case": "a"}}, "c", True),
        ({"anything-but": {"wildcard": "*.tmp"}}, "x.tmp", False),
        ({"numeric": [">", 0, "<=", 5]}, 5, True),
        ({"numeric": [">", 0, "<=", 5]}, 0, False),
        ({"numeric": [">=", 0, "<", 5]}, 5, False),
        ({"numeric": ["=", 3.5]}, 3.5, True),
        ({"numeric": ["<", 10]}, 11, False),
        ({"numeric": [">", 0]}, "42", False),
        ({"cidr": "10.0.0.0/24"}, "10.0.0.7", True),
        ({"cidr": "10.0.0.0/24"}, "10.0.1.7", False),
        ({"exists": True}, "anything", True),
        ({"exists": False}, "anything", False),
    ],
)
def test_operators(condition, value, expected):
    assert matches({"field": [condition]}, {"field": value}) is expected


def test_operators_need_a_value_except_exists_false():
    for condition in (
        {"prefix": ""},
        {"anything-but": "x"},
        {"numeric": [">", 0]},
        {"exists": True},
        {"equals-ignore-case": "x"},
    ):
        assert not matches({"field": [condition]}, {"other": 1})
    assert matches({"field": [{"exists": False}]}, {"other": 1})


def test_conditions_of_one_field_are_or_ed():
    pattern = {"field": [{"prefix": "a"}, {"numeric": [">", 10]}, "zzz"]}
    assert matches(pattern, {"field": "abc"})
    assert matches(pattern, {"field": 11})
    assert matches(pattern, {"field": "zzz"})
    assert not matches(pattern, {"field": "b"})


def test_arrays_in_records_match_on_any_element():
    record = {"tags": ["red", "green"], "nested": [{"id": "a"}, {"id": "b"}]}
    assert matches({"tags": ["green"]}, record)
    assert matches({"tags": [{"anything-but": "red"}]}, record)
    assert not matches({"tags": ["blue"]}, record)
    assert matches({"nested": {"id": ["b"]}}, record)
    assert not matches({"nested": {"id": ["c"]}}, record)


def test_or_matches_any_branch():
    pattern = {
        "$or": [
            {"eventName": ["REMOVE"]},
            {"dynamodb": {"NewImage": {"status": {"S": ["Active"]}}}},
        ]
    }
    assert matches(pattern, RECORD)
    other = insert(pk={"S": "2"}, status={"S": "Gone"})
    assert not matches(pattern, other)
    other["eventName"] = "REMOVE"
    assert matches(pattern, other)


def test_or_combines_with_other_keys():
    pattern = {"eventName": ["INSERT"], "$or": [{"a": ["1"]}, {"b": ["2"]}]}
    assert matches(pattern, {"eventName": "INSERT", "b": "2"})
    assert not matches(pattern, {"eventName": "MODIFY", "b": "2"})
    assert not matches(pattern, {"eventName": "INSERT", "c": "3"})


def test_dynamodb_exists_true_needs_the_type_level():
    """An attribute is an object ({"S": ...}), not a value: exists:true must name the type."""
    assert not matches({"dynamodb": {"NewImage": {"status": [{"exists": True}]}}}, RECORD)
    assert matches({"dynamodb": {"NewImage": {"status": {"S": [{"exists": True}]}}}}, RECORD)
    assert not matches({"dynamodb": {"NewImage": {"status": {"N": [{"exists": True}]}}}}, RECORD)


def test_dynamodb_exists_false_at_attribute_level_matches_with_or_without_it():
    pattern = {"dynamodb": {"NewImage": {"status": [{"exists": False}]}}}
    assert matches(pattern, RECORD)
    assert matches(pattern, insert(pk={"S": "2"}))
    typed = {"dynamodb": {"NewImage": {"status": {"S": [{"exists": False}]}}}}
    assert not matches(typed, RECORD)
    assert matches(typed, insert(pk={"S": "2"}))


def test_dynamodb_numbers_are_strings_so_numeric_never_matches_them():
    assert not matches(
        {"dynamodb": {"NewImage": {"score": {"N": [{"numeric": [">", 0]}]}}}}, RECORD
    )
    assert matches({"dynamodb": {"NewImage": {"score": {"N": ["42"]}}}}, RECORD)
    assert matches({"dynamodb": {"NewImage": {"score": {"N": [{"anything-but": "41"}]}}}}, RECORD)


def test_dynamodb_creation_time_is_numeric():
    assert matches({"dynamodb": {"ApproximateCreationDateTime": [{"numeric": [">", 0]}]}}, RECORD)


def test_ttl_deletes_are_selected_by_their_lower_case_user_identity():
    record = {
        "eventName": "REMOVE",
        "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
    }
    pattern = {"userIdentity": {"type": ["Service"], "principalId": ["dynamodb.amazonaws.com"]}}
    assert matches(pattern, record)
    assert not matches(pattern, {"eventName": "REMOVE"})


def test_a_record_passes_when_any_filter_matches():
    patterns = [parse('{"eventName": ["REMOVE"]}'), parse('{"eventName": ["INSERT"]}')]
    assert matches_any(patterns, RECORD)
    assert not matches_any(patterns[:1], RECORD)


@pytest.mark.parametrize(
    "text",
    [
        "single-string",
        '[{"eventName": ["INSERT"=123}]',
        '["INSERT"]',
        '{"eventName": "INSERT"}',
        '{"eventName": 5}',
        '{"eventName": []}',
        '{"eventName": [["INSERT"]]}',
        '{"eventName": [{"prefix": 5}]}',
        '{"eventName": [{"prefix": "a", "suffix": "b"}]}',
        '{"eventName": [{"unknown": "a"}]}',
        '{"eventName": [{"exists": "yes"}]}',
        '{"n": [{"numeric": [">", "5"]}]}',
        '{"n": [{"numeric": ["<", 5, ">", 1]}]}',
        '{"n": [{"numeric": ["=", 5, "<", 9]}]}',
        '{"n": [{"numeric": ["~", 5]}]}',
        '{"n": [{"numeric": [">", 5, "<"]}]}',
        '{"n": [{"anything-but": []}]}',
        '{"n": [{"anything-but": {"numeric": [">", 1]}}]}',
        '{"n": [{"anything-but": [{"prefix": "a"}]}]}',
        '{"n": [{"wildcard": "a**b"}]}',
        '{"n": [{"cidr": "not-a-block"}]}',
        '{"$or": [{"a": ["1"]}]}',
        '{"$or": {"a": ["1"]}}',
        '{"n": [{"equals-ignore-case": 5}]}',
        '{"n": [{"prefix": {"equals-ignore-case": 5}}]}',
        '{"n": [{"prefix": {"wildcard": "a"}}]}',
    ],
)
def test_invalid_patterns_are_refused(text):
    with pytest.raises(InvalidPattern):
        parse(text)
