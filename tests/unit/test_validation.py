"""Validation compiled from botocore models, checked against messages real AWS returned.

Sources of the expected texts: CONF = nubo-db/dynamodb-conformance (asserted against real
DynamoDB), DYNALITE = architect/dynalite test/*.js (recorded from real DynamoDB), MOTO =
moto tests marked aws_verified. A test whose expectation has no such source says so.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import botocore.session
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidal.core.errors import SerializationException, ValidationException
from tidal.server import coral
from tidal.server.validation import MAX_REPORTED, Constraints, validator_for

SESSION = botocore.session.get_session()
DYNAMODB = SESSION.get_service_model("dynamodb")

NAME_RULES = Constraints(min=3, max=255, pattern="[a-zA-Z0-9_.-]+", unless="arn:.*")
# What the dynamodb room tells the validator beyond the model (reference/dynamodb.md §4).
OVERRIDES = {
    "TableArn": Constraints(then=NAME_RULES),
    "KeySchema": Constraints(max=2),
    "ScalarAttributeType": Constraints(enum=("B", "N", "S")),
    "ReturnValue": Constraints(enum=("ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW")),
    "UpdateItemInput": Constraints(
        members=("ReturnConsumedCapacity", "TableName", "ReturnValues", "Key")
    ),
}
NESTED_COLLECTION = (  # DYNALITE test/helpers.js castMsg
    "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class"
    " java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and"
    " java.lang.Class are in module java.base of loader 'bootstrap')"
)
DDB = "com.amazonaws.dynamodb.v20120810"
ITEM = {"pk": {"S": "a"}}


def rejection(
    operation: str,
    params: Any,
    overrides: dict[str, Constraints] | None = None,
    model: Any = DYNAMODB,
) -> str:
    with pytest.raises(ValidationException) as raised:
        validator_for(model, operation, overrides)(params)
    return raised.value.message


def serialization(operation: str, params: Any) -> str:
    with pytest.raises(SerializationException) as raised:
        validator_for(DYNAMODB, operation)(params)
    return raised.value.message


def one(line: str) -> str:
    return f"1 validation error detected: {line}"


def null(path: str) -> str:
    return f"Value null at '{path}' failed to satisfy constraint: Member must not be null"


# --- constraint messages -------------------------------------------------------------------


def test_missing_table_name_is_a_null_member() -> None:  # CONF putItem
    assert rejection("PutItem", {"Item": ITEM}) == one(null("tableName"))


def test_null_counts_as_missing() -> None:
    assert rejection("PutItem", {"TableName": None, "Item": ITEM}) == one(null("tableName"))


def test_optional_members_sent_as_null_reach_the_handler_as_left_out() -> None:
    params = {
        "TableName": "abc",
        "Limit": None,
        "ExclusiveStartKey": {"pk": {"S": "a"}},
        "ScanFilter": {"a": {"ComparisonOperator": "NULL", "AttributeValueList": None}},
    }
    validator_for(DYNAMODB, "Scan")(params)
    assert params == {
        "TableName": "abc",
        "ExclusiveStartKey": {"pk": {"S": "a"}},
        "ScanFilter": {"a": {"ComparisonOperator": "NULL"}},
    }


def test_a_null_entry_of_a_list_or_map_of_structures_is_a_missing_member() -> None:
    assert rejection("TransactGetItems", {"TransactItems": [None]}) == one(
        null("transactItems.1.member")
    )
    assert rejection("BatchWriteItem", {"RequestItems": {"abc": None}}) == one(
        null("requestItems.abc.member")
    )
    keys = {"RequestItems": {"abc": {"Keys": [{"pk": {"S": "a"}}, None]}}}
    assert rejection("BatchGetItem", keys) == one(null("requestItems.abc.member.keys.2.member"))


def test_a_null_attribute_value_can_be_left_to_the_room() -> None:
    params = {"TableName": "abc", "Item": {"pk": {"S": "a"}, "l": {"L": [None]}}}
    overrides = {"AttributeValue": Constraints(null_left_to_room=True)}
    validator_for(DYNAMODB, "PutItem", overrides)(params)
    validator_for(DYNAMODB, "PutItem", overrides)({**params, "Item": {"pk": None}})
    assert rejection("PutItem", params) == one(null("item.l.member.l.1.member"))


def test_a_fraction_for_an_integer_member_is_cut_to_its_whole_part() -> None:
    params = {"TableName": "abc", "Limit": 5.9, "Segment": 1.0, "TotalSegments": 2.5}
    validator_for(DYNAMODB, "Scan")(params)
    assert params == {"TableName": "abc", "Limit": 5, "Segment": 1, "TotalSegments": 2}
    assert all(type(params[name]) is int for name in ("Limit", "Segment", "TotalSegments"))


def test_a_fraction_below_an_integer_bound_is_echoed_whole() -> None:
    assert rejection("Scan", {"TableName": "abc", "Limit": 0.5}) == one(
        "Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


def test_bad_enum_lists_the_allowed_values() -> None:  # MOTO test_dynamodb_consumedcapacity
    params = {"TableName": "abc", "Item": ITEM, "ReturnConsumedCapacity": "Garbage"}
    assert rejection("PutItem", params) == one(
        "Value 'Garbage' at 'returnConsumedCapacity' failed to satisfy constraint: "
        "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
    )


def test_limit_zero_on_scan() -> None:  # CONF scan
    assert rejection("Scan", {"TableName": "abc", "Limit": 0}) == one(
        "Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


def test_the_model_alone_bounds_an_arn_or_name_by_1_to_1024() -> None:
    assert rejection("PutItem", {"TableName": "", "Item": ITEM}) == one(
        "Value '' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )
    validator_for(DYNAMODB, "PutItem")({"TableName": "x!", "Item": ITEM})


TABLE_NAME_CASES = [
    # CONF putItem and MOTO test_update_item_with_empty_table_name: only the model's bound.
    ("", ["Member must have length greater than or equal to 1"]),
    # MOTO test_update_item_with_invalid_table_name (aws_verified): both rules, length first.
    (
        "x!",
        [
            "Member must have length greater than or equal to 3",
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        ],
    ),
    ("a" * 256, ["Member must have length less than or equal to 255"]),  # CONF putItem
    ("bad table!@#", ["Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"]),
]


@pytest.mark.parametrize(("name", "broken"), TABLE_NAME_CASES)
def test_table_name_rules_come_from_the_override(name: str, broken: list[str]) -> None:
    lines = [f"Value '{name}' at 'tableName' failed to satisfy constraint: {b}" for b in broken]
    count = f"{len(lines)} validation error{'s' if len(lines) > 1 else ''} detected: "
    assert rejection(
        "UpdateItem", {"TableName": name, "Key": ITEM}, OVERRIDES
    ) == count + "; ".join(lines)


@pytest.mark.parametrize("name", ["abc", "arn:aws:dynamodb:us-east-1:123456789012:table/x!"])
def test_a_good_name_or_an_arn_passes_the_override(name: str) -> None:
    validator_for(DYNAMODB, "PutItem", OVERRIDES)({"TableName": name, "Item": ITEM})


def test_several_errors_in_aws_member_order() -> None:  # CONF UpdateItem validation ordering
    params = {
        "TableName": "",
        "UpdateExpression": "SET a = :a",
        "ExpressionAttributeValues": {":a": {"S": "x"}},
        "ReturnConsumedCapacity": "INVALID",
        "ReturnValues": "INVALID",
    }
    assert rejection("UpdateItem", params, OVERRIDES) == (
        "4 validation errors detected: "
        "Value 'INVALID' at 'returnConsumedCapacity' failed to satisfy constraint: "
        "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; "
        "Value '' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value 'INVALID' at 'returnValues' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]; "
        + null("key")
    )


def test_without_an_order_override_members_are_checked_in_model_order() -> None:
    params = {"ReturnValues": "INVALID", "TableName": ""}
    message = rejection("UpdateItem", params)
    assert message.startswith("3 validation errors detected: ")
    paths = re.findall(r" at '(\w+)'", message)
    assert paths == ["tableName", "key", "returnValues"]


def test_at_most_ten_errors_are_reported() -> None:
    key_schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    params = {"TableName": "abc", "AttributeDefinitions": [{}] * 8, "KeySchema": key_schema}
    message = rejection("CreateTable", params)
    assert message.startswith(f"{MAX_REPORTED} validation errors detected: ")
    assert message.count("; ") == MAX_REPORTED - 1
    assert message.endswith(null("attributeDefinitions.5.member.attributeType"))


# --- paths through lists and maps ----------------------------------------------------------


def test_list_members_are_numbered_from_one() -> None:  # DYNALITE createTable
    params = {"TableName": "abc", "AttributeDefinitions": [{}], "KeySchema": []}
    assert rejection("CreateTable", params) == (
        "3 validation errors detected: "
        + null("attributeDefinitions.1.member.attributeName")
        + "; "
        + null("attributeDefinitions.1.member.attributeType")
        + "; Value '[]' at 'keySchema' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


@pytest.mark.parametrize(
    ("field", "entry", "line"),
    [
        (  # CONF createTable
            "KeySchema",
            {"AttributeName": "pk", "KeyType": "INVALID"},
            "Value 'INVALID' at 'keySchema.1.member.keyType' failed to satisfy constraint: "
            "Member must satisfy enum value set: [HASH, RANGE]",
        ),
        (  # CONF createTable (AWS lists B, N, S; the model says S, N, B)
            "AttributeDefinitions",
            {"AttributeName": "pk", "AttributeType": "INVALID"},
            "Value 'INVALID' at 'attributeDefinitions.1.member.attributeType' failed to satisfy "
            "constraint: Member must satisfy enum value set: [B, N, S]",
        ),
    ],
)
def test_nested_member_paths(field: str, entry: dict[str, str], line: str) -> None:
    params = {
        "TableName": "abc",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        field: [entry],
    }
    assert rejection("CreateTable", params, OVERRIDES) == one(line)


def test_a_list_is_echoed_as_java_prints_it() -> None:  # CONF createTable
    keys = [("pk", "HASH"), ("sk", "RANGE"), ("extra", "RANGE")]
    params = {
        "TableName": "abc",
        "KeySchema": [{"AttributeName": name, "KeyType": kind} for name, kind in keys],
    }
    assert rejection("CreateTable", params, OVERRIDES) == one(
        "Value '[KeySchemaElement(attributeName=pk, keyType=HASH), "
        "KeySchemaElement(attributeName=sk, keyType=RANGE), "
        "KeySchemaElement(attributeName=extra, keyType=RANGE)]' at 'keySchema' "
        "failed to satisfy constraint: Member must have length less than or equal to 2"
    )


def test_map_values_are_paths_of_their_key() -> None:  # DYNALITE batchWriteItem
    params = {"RequestItems": {"aa;": [{"PutRequest": {}, "DeleteRequest": {}}]}}
    assert rejection("BatchWriteItem", params) == (
        "2 validation errors detected: "
        + null("requestItems.aa;.member.1.member.putRequest.item")
        + "; "
        + null("requestItems.aa;.member.1.member.deleteRequest.key")
    )


def test_an_empty_map_is_echoed_as_braces() -> None:  # DYNALITE batchWriteItem
    assert rejection("BatchWriteItem", {"RequestItems": {}}) == one(
        "Value '{}' at 'requestItems' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_map_keys_and_values_are_checked_at_the_map() -> None:  # DYNALITE batchWriteItem
    message = rejection("BatchWriteItem", {"RequestItems": {"a": []}}, OVERRIDES)
    assert message == (
        "2 validation errors detected: "
        "Value '{a=[]}' at 'requestItems' failed to satisfy constraint: "
        "Map keys must satisfy constraint: [Member must have length less than or equal to 255, "
        "Member must have length greater than or equal to 3, "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]; "
        "Value '{a=[]}' at 'requestItems' failed to satisfy constraint: "
        "Map value must satisfy constraint: [Member must have length less than or equal to 25, "
        "Member must have length greater than or equal to 1]"
    )


LAMBDA = SESSION.get_service_model("lambda")
LAMBDA_OVERRIDES = {
    "Method": Constraints(not_null=True),
    "Weight": Constraints(not_null=True),
}


def test_list_entries_are_checked_at_the_list() -> None:
    # Real Lambda answers quoted in public build logs (CreateFunctionUrlConfig).
    params = {
        "FunctionName": "f",
        "AuthType": "NONE",
        "Cors": {"AllowMethods": ["GET", "POST", "OPTIONS"]},
    }
    assert rejection("CreateFunctionUrlConfig", params, LAMBDA_OVERRIDES, LAMBDA) == one(
        "Value '[GET, POST, OPTIONS]' at 'cors.allowMethods' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must have length less than or equal to 6, "
        "Member must have length greater than or equal to 0, "
        "Member must satisfy regular expression pattern: .*, Member must not be null]"
    )


def test_double_bounds_print_as_java_doubles() -> None:  # moto lambda routing-config text
    params = {
        "FunctionName": "f",
        "Name": "live",
        "RoutingConfig": {"AdditionalVersionWeights": {"2": 1.5}},
    }
    assert rejection("UpdateAlias", params, LAMBDA_OVERRIDES, LAMBDA) == one(
        "Value '{2=1.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy "
        "constraint: Map value must satisfy constraint: "
        "[Member must have value less than or equal to 1.0, "
        "Member must have value greater than or equal to 0.0, Member must not be null]"
    )


def test_a_null_entry_breaks_not_null() -> None:
    params = {"FunctionName": "f", "AuthType": "NONE", "Cors": {"AllowMethods": [None]}}
    message = rejection("CreateFunctionUrlConfig", params, LAMBDA_OVERRIDES, LAMBDA)
    assert message.startswith("1 validation error detected: Value '[null]' at 'cors.allowMethods'")
    validator_for(LAMBDA, "CreateFunctionUrlConfig")(params)


def test_a_sensitive_value_is_not_echoed() -> None:
    # The form Cognito answers with for its sensitive password ("Value at 'password'").
    iam = SESSION.get_service_model("iam")
    assert rejection("CreateLoginProfile", {"UserName": "bob", "Password": ""}, model=iam) == (
        "2 validation errors detected: Value at 'password' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value at 'password' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"
    )


def test_recursive_attribute_values_keep_their_path() -> None:
    long_name = "k" * 65536
    item = {"a": {"M": {"b": {"L": [{"M": {long_name: {"S": "x"}}}]}}}}
    message = rejection("PutItem", {"TableName": "abc", "Item": item})
    assert message.startswith("1 validation error detected: Value '{")
    assert message.endswith(
        "' at 'item.a.member.m.b.member.l.1.member.m' failed to satisfy constraint: "
        "Map keys must satisfy constraint: [Member must have length less than or equal to 65535]"
    )


# --- JSON of the wrong type -----------------------------------------------------------------

SERIALIZATION_CASES = [
    # DYNALITE test/helpers.js assertType, per Java type, at real DynamoDB members.
    ("GetItem", ["TableName"], True, "TRUE_VALUE cannot be converted to String"),
    ("GetItem", ["TableName"], False, "FALSE_VALUE cannot be converted to String"),
    ("GetItem", ["TableName"], 23, "NUMBER_VALUE cannot be converted to String"),
    ("GetItem", ["TableName"], 34.56, "DECIMAL_VALUE cannot be converted to String"),
    ("GetItem", ["TableName"], [], "Unrecognized collection type class java.lang.String"),
    ("GetItem", ["TableName"], {}, "Start of structure or map found where not expected"),
    ("GetItem", ["ConsistentRead"], "23", "Unexpected token received from parser"),
    ("GetItem", ["ConsistentRead"], 23, "NUMBER_VALUE cannot be converted to Boolean"),
    ("GetItem", ["ConsistentRead"], 34.56, "DECIMAL_VALUE cannot be converted to Boolean"),
    ("GetItem", ["ConsistentRead"], [], "Unrecognized collection type class java.lang.Boolean"),
    ("GetItem", ["ConsistentRead"], {}, "Start of structure or map found where not expected"),
    ("Scan", ["Limit"], "23", "STRING_VALUE cannot be converted to Integer"),
    ("Scan", ["Limit"], True, "TRUE_VALUE cannot be converted to Integer"),
    ("Scan", ["Limit"], [], "Unrecognized collection type class java.lang.Integer"),
    ("Scan", ["Limit"], {}, "Start of structure or map found where not expected"),
    (
        "CreateTable",
        ["ProvisionedThroughput", "ReadCapacityUnits"],
        "23",
        "STRING_VALUE cannot be converted to Long",
    ),
    ("PutItem", ["Item", "a", "B"], 23, "only base-64-encoded strings are convertible to bytes"),
    ("PutItem", ["Item", "a", "B"], True, "only base-64-encoded strings are convertible to bytes"),
    ("PutItem", ["Item", "a", "B"], [], "Unrecognized collection type class java.nio.ByteBuffer"),
    (
        "PutItem",
        ["Item", "a", "B"],
        "23456",
        "Base64 encoded length is expected a multiple of 4 bytes but found: 5",
    ),
    ("PutItem", ["Item", "a", "B"], "=+/=", "Invalid last non-pad Base64 character dectected"),
    ("PutItem", ["Item", "a", "B"], "+/+=", "Invalid last non-pad Base64 character dectected"),
    ("CreateTable", ["KeySchema"], "23", "Unexpected field type"),
    ("CreateTable", ["KeySchema"], 23, "Unexpected field type"),
    ("CreateTable", ["KeySchema"], {}, "Start of structure or map found where not expected"),
    ("BatchWriteItem", ["RequestItems", "Attr"], "23", NESTED_COLLECTION),
    (
        "BatchWriteItem",
        ["RequestItems", "Attr"],
        {},
        "Start of structure or map found where not expected",
    ),
    ("BatchWriteItem", ["RequestItems"], True, "Unexpected field type"),
    (
        "BatchWriteItem",
        ["RequestItems"],
        [],
        "Unrecognized collection type java.util.Map<java.lang.String, "
        f"java.util.List<{DDB}.WriteRequest>>",
    ),
    ("BatchGetItem", ["RequestItems", "Attr", "Keys", 0], 23, NESTED_COLLECTION),
    (
        "BatchGetItem",
        ["RequestItems", "Attr", "Keys", 0],
        [],
        f"Unrecognized collection type java.util.Map<java.lang.String, {DDB}.AttributeValue>",
    ),
    ("CreateTable", ["KeySchema", 0], "23", "Unexpected value type in payload"),
    (
        "CreateTable",
        ["KeySchema", 0],
        [],
        f"Unrecognized collection type class {DDB}.KeySchemaElement",
    ),
    ("CreateTable", ["ProvisionedThroughput"], 34.56, "Unexpected field type"),
    (
        "CreateTable",
        ["ProvisionedThroughput"],
        [],
        f"Unrecognized collection type class {DDB}.ProvisionedThroughput",
    ),
    ("PutItem", ["Item", "a"], "23", "Unexpected value type in payload"),
    (
        "PutItem",
        ["Item", "a", "M", "b", "L", 0, "NS", 0],
        1,
        "NUMBER_VALUE cannot be converted to String",
    ),
]


def nest(path: list[str | int], value: Any) -> dict[str, Any]:
    """A body holding `value` at `path` (an int step is a list index, a str step a key)."""
    for step in reversed(path):
        value = [value] if isinstance(step, int) else {step: value}
    return value


@pytest.mark.parametrize(("operation", "path", "value", "message"), SERIALIZATION_CASES)
def test_wrong_json_types_are_serialization_errors(
    operation: str, path: list[str | int], value: Any, message: str
) -> None:
    assert serialization(operation, nest(path, value)) == message


def test_serialization_errors_come_before_constraints() -> None:
    assert serialization("Scan", {"Limit": 0, "Select": "bad", "Segment": "1"}) == (
        "STRING_VALUE cannot be converted to Integer"
    )


def test_the_first_wrong_type_in_the_body_is_reported() -> None:
    body = {"ConsistentRead": "no", "TableName": 5}
    assert serialization("GetItem", body) == "Unexpected token received from parser"


def test_unknown_members_are_ignored() -> None:
    validator_for(DYNAMODB, "DescribeTable")({"TableName": "abc", "Bogus": [{"x": 1}]})


def test_a_valid_put_item_passes() -> None:
    item = {
        "pk": {"S": "user#1"},
        "n": {"N": "12.5"},
        "b": {"B": "aGVsbG8="},
        "flags": {"BOOL": True},
        "nothing": {"NULL": True},
        "names": {"SS": ["a", "b"]},
        "numbers": {"NS": ["1", "2"]},
        "blobs": {"BS": ["YQ==", "Yg=="]},
        "doc": {"M": {"inner": {"L": [{"S": "x"}, {"M": {}}, {"L": []}]}}},
    }
    params = {
        "TableName": "users",
        "Item": item,
        "ConditionExpression": "attribute_not_exists(pk)",
        "ExpressionAttributeNames": {"#n": "n"},
        "ReturnValues": "ALL_OLD",
        "ReturnConsumedCapacity": "TOTAL",
    }
    validator_for(DYNAMODB, "PutItem", OVERRIDES)(params)


def test_deeply_nested_items_compile_and_pass() -> None:
    value: dict[str, Any] = {"S": "leaf"}
    for depth in range(40):
        value = {"M": {"d": value}} if depth % 2 else {"L": [value]}
    validator_for(DYNAMODB, "PutItem")({"TableName": "abc", "Item": {"deep": value}})


# --- compiling --------------------------------------------------------------------------------


def test_a_validator_is_compiled_once() -> None:
    first = validator_for(DYNAMODB, "PutItem")
    assert validator_for(DYNAMODB, "PutItem") is first
    fresh_model = botocore.session.get_session().get_service_model("dynamodb")
    assert validator_for(fresh_model, "PutItem") is first
    assert validator_for(DYNAMODB, "PutItem", OVERRIDES) is validator_for(
        DYNAMODB, "PutItem", OVERRIDES
    )
    assert validator_for(DYNAMODB, "PutItem", OVERRIDES) is not first


def test_an_order_naming_an_unknown_member_is_refused() -> None:
    with pytest.raises(ValueError, match="UpdateItemInput has no members"):
        validator_for(DYNAMODB, "UpdateItem", {"UpdateItemInput": Constraints(members=("Nope",))})


def test_an_override_can_require_a_member_the_model_leaves_optional() -> None:
    overrides = {"CreateTableInput": Constraints(required=("KeySchema",))}
    params = {"TableName": "abc", "AttributeDefinitions": []}
    assert rejection("CreateTable", params, overrides) == one(null("keySchema"))
    with pytest.raises(ValueError, match="CreateTableInput has no members"):
        validator_for(DYNAMODB, "CreateTable", {"CreateTableInput": Constraints(required=("No",))})


def test_an_override_of_an_unknown_shape_is_refused() -> None:
    with pytest.raises(ValueError, match=r"dynamodb has no shapes \['TableNam'\]"):
        validator_for(DYNAMODB, "PutItem", {"TableNam": Constraints(max=255)})


SERVICES = ["dynamodb", "dynamodbstreams", "lambda", "logs", "sesv2", "ses", "iam", "sts"]


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_compiles(service: str, caplog: pytest.LogCaptureFixture) -> None:
    model = SESSION.get_service_model(service)
    with caplog.at_level(logging.WARNING):
        for operation in model.operation_names:
            check = validator_for(model, operation)
            try:
                check({})
            except ValidationException as error:
                assert re.match(r"(10|[1-9]) validation errors? detected: Value", error.message)
    assert caplog.records == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2) | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


def bodies(operation: str) -> st.SearchStrategy[dict[str, Any]]:
    members = list(DYNAMODB.operation_model(operation).input_shape.members)
    return st.dictionaries(st.sampled_from(members), JSON, max_size=len(members))


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["PutItem", "CreateTable", "Query", "BatchWriteItem"]).flatmap(
        lambda op: st.tuples(st.just(op), bodies(op))
    )
)
def test_any_body_passes_or_gets_one_aws_error(case: tuple[str, dict[str, Any]]) -> None:
    operation, body = case
    try:
        validator_for(DYNAMODB, operation, OVERRIDES)(body)
    except ValidationException as error:
        assert re.match(r"(10|[1-9]) validation errors? detected: Value", error.message)
    except SerializationException as error:
        assert error.message


# --- Java spellings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1.0, "1.0"),
        (0.5, "0.5"),
        (0.0, "0.0"),
        (1e10, "1.0E10"),
        (1.5e-5, "1.5E-5"),
        (-2e7, "-2.0E7"),
    ],
)
def test_java_double(number: float, text: str) -> None:
    assert coral.java_double(number) == text


def test_java_patterns_are_read_by_python() -> None:
    tag = coral.java_regex(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+")
    assert tag.fullmatch("Name: café 42") and not tag.fullmatch("a*b")
    role = coral.java_regex(r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*")
    assert role.fullmatch("arn:aws:iam::1:role/x😀") and not role.fullmatch("\x00")
    assert coral.java_regex(r"[\w-_]*").fullmatch("a-b_c")
    assert coral.java_regex(r"\p{Z}+").fullmatch("\u00a0 ")
    assert coral.java_regex(r"[\t-\r]+").fullmatch("\n\x0b")
    with pytest.raises(re.error):
        coral.java_regex(r"\P{L}")


def test_java_date_and_bytes() -> None:
    assert coral.java_date(0) == "Thu Jan 01 00:00:00 UTC 1970"
    assert coral.java_byte_buffer(3) == "java.nio.HeapByteBuffer[pos=0 lim=3 cap=3]"


def test_java_length_counts_utf16_units() -> None:
    assert coral.java_length("abc") == 3
    assert coral.java_length("é😀") == 3


# --- numbers beyond the Java type of their member -------------------------------------------
# No AWS capture: Jackson's own overflow message, which Coral reports as a
# SerializationException (as it reports every other Jackson failure).


def test_integer_member_beyond_java_int_is_a_serialization_exception() -> None:
    int_range = "out of range of int (-2147483648 - 2147483647)"
    assert serialization("ListTables", {"Limit": 2**31}) == (
        f"Numeric value (2147483648) {int_range}"
    )
    assert serialization("ListTables", {"Limit": -(2**31) - 1}) == (
        f"Numeric value (-2147483649) {int_range}"
    )
    assert serialization("ListTables", {"Limit": 1e30}).endswith(int_range)
    scan = {"TableName": "things", "Segment": 0, "TotalSegments": 2**40}
    assert serialization("Scan", scan).endswith(int_range)
    assert rejection("ListTables", {"Limit": 2**31 - 1}) == one(
        "Value '2147483647' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 100"
    )


def test_long_member_beyond_java_long_is_a_serialization_exception() -> None:
    throughput = {"ReadCapacityUnits": 2**63, "WriteCapacityUnits": 1}
    params = {"TableName": "things", "ProvisionedThroughput": throughput}
    assert serialization("UpdateTable", params) == (
        "Numeric value (9223372036854775808) out of range of long"
        " (-9223372036854775808 - 9223372036854775807)"
    )
    throughput["ReadCapacityUnits"] = 2**63 - 1
    validator_for(DYNAMODB, "UpdateTable")(params)
