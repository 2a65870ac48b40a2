"""Expected + ConditionalOperator, AttributeUpdates and AttributesToGet."""

import pytest

from tidal.dynamodb.expressions import legacy_condition, legacy_projection, legacy_update

INVALID = "One or more parameter values were invalid: "
ITEM = {
    "a": {"S": "hello"},
    "n": {"N": "5"},
    "tags": {"SS": ["x", "y"]},
    "l": {"L": [{"N": "1"}, {"S": "z"}]},
    "flag": {"BOOL": False},
}


def check(expected: dict, operator: str | None = None, item=ITEM) -> bool:
    return legacy_condition(expected, operator).evaluate(item)


def test_value_and_exists_forms() -> None:
    assert check({"a": {"Value": {"S": "hello"}}})
    assert check({"a": {"Value": {"S": "hello"}, "Exists": True}})
    assert not check({"a": {"Value": {"S": "other"}}})
    assert check({"flag": {"Value": {"BOOL": False}, "Exists": True}})
    assert check({"missing": {"Exists": False}})
    assert not check({"a": {"Exists": False}})
    assert not check({"a": {"Value": {"S": "hello"}}}, item=None)
    assert check({})


@pytest.mark.parametrize(
    ("name", "operator", "values", "expected"),
    [
        ("n", "EQ", [{"N": "5.0"}], True),
        ("n", "EQ", [{"S": "5"}], False),
        ("n", "NE", [{"N": "4"}], True),
        ("missing", "NE", [{"N": "4"}], True),
        ("n", "LE", [{"N": "5"}], True),
        ("n", "LT", [{"N": "5"}], False),
        ("n", "GE", [{"N": "5"}], True),
        ("n", "GT", [{"N": "4"}], True),
        ("a", "GT", [{"N": "4"}], False),
        ("n", "NOT_NULL", [], True),
        ("missing", "NOT_NULL", [], False),
        ("missing", "NULL", [], True),
        ("a", "CONTAINS", [{"S": "ell"}], True),
        ("tags", "CONTAINS", [{"S": "x"}], True),
        ("l", "CONTAINS", [{"S": "z"}], True),
        ("tags", "NOT_CONTAINS", [{"S": "q"}], True),
        ("missing", "NOT_CONTAINS", [{"S": "q"}], True),
        ("a", "BEGINS_WITH", [{"S": "he"}], True),
        ("n", "IN", [{"N": "1"}, {"N": "5"}], True),
        ("n", "IN", [{"N": "1"}], False),
        ("n", "BETWEEN", [{"N": "1"}, {"N": "5"}], True),
        ("n", "BETWEEN", [{"N": "6"}, {"N": "9"}], False),
    ],
)
def test_comparison_operators(name: str, operator: str, values: list, expected: bool) -> None:
    spec = {"ComparisonOperator": operator}
    if values:
        spec["AttributeValueList"] = values
    assert check({name: spec}) is expected


def test_value_with_a_comparison_operator() -> None:
    assert check({"n": {"ComparisonOperator": "GT", "Value": {"N": "1"}}})


def test_conditional_operator() -> None:
    good = {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "5"}]}
    bad = {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "6"}]}
    assert check({"n": good, "a": {"Value": {"S": "hello"}}}, "AND")
    assert not check({"n": good, "x": bad}, "AND")
    assert not check({"n": good, "x": bad})
    assert check({"n": good, "x": bad}, "OR")
    assert not check({"n": bad, "x": bad}, "OR")


@pytest.mark.parametrize(
    ("expected", "message"),
    [
        ({"a": {}}, "Value must be provided when Exists is null for Attribute: a"),
        ({"a": {"Exists": True}}, "Value must be provided when Exists is true for Attribute: a"),
        (
            {"a": {"Exists": False, "Value": {"S": "a"}}},
            "Value cannot be used when Exists is false for Attribute: a",
        ),
        (
            {"a": {"ComparisonOperator": "LT"}},
            "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a",
        ),
        (
            {"a": {"Exists": True, "ComparisonOperator": "LT"}},
            "Exists and ComparisonOperator cannot be used together for Attribute: a",
        ),
        (
            {
                "a": {
                    "AttributeValueList": [{"S": "a"}],
                    "Value": {"S": "a"},
                    "ComparisonOperator": "LT",
                }
            },
            "Value and AttributeValueList cannot be used together for Attribute: a",
        ),
        (
            {"a": {"AttributeValueList": [{"S": "a"}]}},
            "AttributeValueList can only be used with a ComparisonOperator for Attribute: a",
        ),
        (
            {"a": {"Exists": True, "AttributeValueList": [{"S": "a"}]}},
            "AttributeValueList can only be used with a ComparisonOperator for Attribute: a",
        ),
        (
            {"a": {"AttributeValueList": [], "ComparisonOperator": "EQ"}},
            "Invalid number of argument(s) for the EQ ComparisonOperator",
        ),
        (
            {"a": {"AttributeValueList": [{"S": "a"}], "ComparisonOperator": "NULL"}},
            "Invalid number of argument(s) for the NULL ComparisonOperator",
        ),
        (
            {"a": {"AttributeValueList": [], "ComparisonOperator": "IN"}},
            "Invalid number of argument(s) for the IN ComparisonOperator",
        ),
        (
            {
                "a": {
                    "AttributeValueList": [{"N": "1"}, {"N": "10"}, {"N": "12"}],
                    "ComparisonOperator": "BETWEEN",
                }
            },
            "Invalid number of argument(s) for the BETWEEN ComparisonOperator",
        ),
        (
            {"a": {"Value": {"S": "a"}, "ComparisonOperator": "NULL"}},
            "Invalid number of argument(s) for the NULL ComparisonOperator",
        ),
        (
            {"a": {"Value": {"S": "a"}, "ComparisonOperator": "BETWEEN"}},
            "Invalid number of argument(s) for the BETWEEN ComparisonOperator",
        ),
        (
            {"a": {"AttributeValueList": [{"S": "a"}, {"N": "1"}], "ComparisonOperator": "IN"}},
            "AttributeValues inside AttributeValueList must be of same type",
        ),
        (
            {"a": {"Value": {"SS": ["a"]}, "ComparisonOperator": "LT"}},
            "ComparisonOperator LT is not valid for SS AttributeValue type",
        ),
        (
            {"a": {"Value": {"N": "1"}, "ComparisonOperator": "BEGINS_WITH"}},
            "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type",
        ),
        (
            {"a": {"Value": {"L": []}, "ComparisonOperator": "CONTAINS"}},
            "ComparisonOperator CONTAINS is not valid for L AttributeValue type",
        ),
        ({"a": "nope"}, "ExpectedAttributeValue must not be null for Attribute: a"),
    ],
)
def test_expected_validation(expected: dict, message: str, error) -> None:
    assert error(legacy_condition, expected, None) == INVALID + message


def test_expected_value_and_operator_validation(error) -> None:
    assert error(legacy_condition, {"a": {"Value": {}}}, None) == (
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
    )
    assert error(legacy_condition, {"a": {"Value": {"NS": ["1", ""]}}}, None) == (
        "The parameter cannot be converted to a numeric value"
    )
    between = {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "5"}, {"N": "1"}]}
    assert error(legacy_condition, {"a": between}, None) == (
        "The BETWEEN condition was provided a range where the lower bound is greater than the "
        "upper bound"
    )
    assert error(
        legacy_condition, {"a": {"ComparisonOperator": "LIKE", "Value": {"S": "a"}}}, None
    ) == (
        "1 validation error detected: Value 'LIKE' at 'expected.a.member.comparisonOperator' "
        "failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, "
        "NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"
    )
    one = {"a": {"Exists": False}}
    assert error(legacy_condition, one, "OR") == (
        "ConditionalOperator can only be used when Filter or Expected has two or more elements"
    )
    assert error(legacy_condition, {}, "AND") == (
        "ConditionalOperator cannot be used without Filter or Expected"
    )
    assert error(legacy_condition, {**one, "b": {"Exists": False}}, "XOR").startswith(
        "1 validation error detected: Value 'XOR' at 'conditionalOperator'"
    )


# -- AttributeUpdates -------------------------------------------------------------------------


def test_attribute_updates() -> None:
    item = {
        "k": {"S": "key"},
        "put": {"S": "old"},
        "gone": {"S": "x"},
        "n": {"N": "1"},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2", "3"]},
        "l": {"L": [{"S": "a"}]},
        "bs": {"BS": ["AQI=", "Ag=="]},
    }
    update = legacy_update(
        {
            "put": {"Value": {"S": "new"}},
            "fresh": {"Action": "PUT", "Value": {"N": "1.50"}},
            "gone": {"Action": "DELETE"},
            "n": {"Action": "ADD", "Value": {"N": "3"}},
            "counter": {"Action": "ADD", "Value": {"N": "5"}},
            "ss": {"Action": "ADD", "Value": {"SS": ["b", "c"]}},
            "ns": {"Action": "DELETE", "Value": {"NS": ["1", "4"]}},
            "l": {"Action": "ADD", "Value": {"L": [{"N": "2"}]}},
            "bs": {"Action": "DELETE", "Value": {"BS": ["AQI=", "Ag=="]}},
            "absent": {"Action": "DELETE", "Value": {"SS": ["a"]}},
        }
    )
    new, paths = update.apply(item)
    assert new == {
        "k": {"S": "key"},
        "put": {"S": "new"},
        "fresh": {"N": "1.5"},
        "n": {"N": "4"},
        "counter": {"N": "5"},
        "ss": {"SS": ["a", "b", "c"]},
        "ns": {"NS": ["2", "3"]},
        "l": {"L": [{"S": "a"}, {"N": "2"}]},
    }
    assert item["put"] == {"S": "old"} and "fresh" not in item
    assert ("put",) in paths and ("absent",) in paths
    assert update.attribute_names() == {
        "put",
        "fresh",
        "gone",
        "n",
        "counter",
        "ss",
        "ns",
        "l",
        "bs",
        "absent",
    }


@pytest.mark.parametrize(
    ("updates", "message"),
    [
        (
            {"a": {"Action": "ADD"}},
            INVALID + "Only DELETE action is allowed when no attribute value is specified",
        ),
        ({"a": {}}, INVALID + "Only DELETE action is allowed when no attribute value is specified"),
        *(
            (
                {"a": {"Action": "DELETE", "Value": value}},
                INVALID + f"DELETE action with value is not supported for the type {kind}",
            )
            for kind, value in (
                ("S", {"S": "1"}),
                ("N", {"N": "1"}),
                ("B", {"B": "Yg=="}),
                ("NULL", {"NULL": True}),
                ("BOOL", {"BOOL": True}),
                ("M", {"M": {}}),
                ("L", {"L": []}),
            )
        ),
        *(
            (
                {"a": {"Action": "ADD", "Value": value}},
                INVALID + f"ADD action is not supported for the type {kind}",
            )
            for kind, value in (
                ("S", {"S": "1"}),
                ("B", {"B": "Yg=="}),
                ("NULL", {"NULL": True}),
                ("BOOL", {"BOOL": True}),
                ("M", {"M": {}}),
            )
        ),
        ({"a": {"Value": {"SS": []}}}, INVALID + "An string set  may not be empty"),
        (
            {"a": {"Action": "REPLACE", "Value": {"S": "x"}}},
            "1 validation error detected: Value 'REPLACE' at 'attributeUpdates.a.member.action' "
            "failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]",
        ),
    ],
)
def test_attribute_updates_validation(updates: dict, message: str, error) -> None:
    assert error(legacy_update, updates) == message


@pytest.mark.parametrize(
    "updates",
    [
        {"ss": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
        {"ss": {"Action": "DELETE", "Value": {"BS": ["YQ=="]}}},
        {"n": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
        {"ss": {"Action": "ADD", "Value": {"NS": ["1"]}}},
        {"ns": {"Action": "ADD", "Value": {"N": "1"}}},
        {"n": {"Action": "ADD", "Value": {"L": []}}},
    ],
)
def test_attribute_updates_of_the_wrong_type(updates: dict, error) -> None:
    item = {"ss": {"SS": ["1"]}, "n": {"N": "1"}, "ns": {"NS": ["1"]}}
    before = dict(item)
    assert error(legacy_update(updates).apply, item) == "Type mismatch for attribute to update"
    assert item == before


def test_attribute_updates_number_limits(error) -> None:
    update = legacy_update({"n": {"Action": "ADD", "Value": {"N": "9e125"}}})
    assert error(update.apply, {"n": {"N": "9e125"}}) == (
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    )


# -- AttributesToGet --------------------------------------------------------------------------


def test_attributes_to_get(error) -> None:
    projection = legacy_projection(["a", "missing", "a.b"])
    assert projection.apply({"a": {"S": "x"}, "a.b": {"N": "1"}, "c": {"N": "2"}}) == {
        "a": {"S": "x"},
        "a.b": {"N": "1"},
    }
    assert error(legacy_projection, ["a", "b", "a"]) == (
        INVALID + "Duplicate value in attribute name: a"
    )
