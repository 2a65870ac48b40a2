"""ExecuteStatement's refusals as boto3 sees them: error code, message and HTTP status, as
AWS answers (nubo-db/dynamodb-conformance pins most of these against real DynamoDB), and the
table left as it was."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.integration.support import create_table, gsi, unchecked_client
from tests.integration.test_tables import error_of

NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "
MISSING_KEY = "Where clause does not contain a mandatory equality on all key attributes"


@pytest.fixture
def table(dynamodb, table_name):
    create_table(
        dynamodb,
        table_name,
        range_key=("sk", "S"),
        indexed=(("g", "S"), ("l", "S")),
        GlobalSecondaryIndexes=[
            gsi("gsi-inc", "g", ProjectionType="INCLUDE", NonKeyAttributes=["kept"])
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "lsi-keys",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    dynamodb.put_item(
        TableName=table_name,
        Item={"pk": {"S": "p"}, "sk": {"S": "s"}, "val": {"S": "here"}, "g": {"S": "y"}},
    )
    return table_name


def refused(dynamodb, statement: str, *parameters: dict, **options) -> tuple[str, str, int]:
    if parameters:
        options["Parameters"] = list(parameters)
    return error_of(dynamodb.execute_statement, Statement=statement, **options)


def validation(message: str) -> tuple[str, str, int]:
    return ("ValidationException", message, 400)


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ('SELECTT * FROMM "{t}"', NOT_WELL_FORMED + "Unexpected token after expression"),
        ('SELECT * FROM "{t}" WHERE', NOT_WELL_FORMED + "Unexpected term"),
        ("SLECT * FROM \"{t}\" WHERE pk = 'p'", NOT_WELL_FORMED + "Expected data manipulation"),
        ('SELECT * FROM "{t}', NOT_WELL_FORMED),
        ("SELECT * FROM \"{t}\" t WHERE pk = 'x'", "Aliasing is not supported"),
        (
            'SELECT * FROM "{t}"."gsi-inc"."x"',
            "A path may contain at most 2 components in the FROM clause",
        ),
        ('SELECT * FROM "{t}".""', "Path component cannot be an empty string"),
        ('SELECT * FROM ""', "Path component cannot be an empty string"),
        (
            'SELECT * FROM "{t}"."nope" WHERE pk = \'p\'',
            "The table does not have the specified index",
        ),
        (
            'SELECT * FROM "{t}"."{t}" WHERE pk = \'p\'',
            "The table does not have the specified index",
        ),
        ("SELECT * FROM \"{t}\" WHERE pk = 'p' LIMIT 1", "Unsupported clause: LIMIT"),
        (
            "SELECT * FROM \"{t}\" WHERE pk = 'p' AND val < true",
            "Incorrect operand type for "
            "operator or function; operator or function: <, operand type: BOOL",
        ),
        (
            "SELECT * FROM \"never-made\" WHERE pk = 'p' AND val < true",
            "Incorrect operand "
            "type for operator or function; operator or function: <, operand type: BOOL",
        ),
        (
            'SELECT * FROM "{t}" WHERE pk = ?',
            "Number of parameters in request and statement don't match.",
        ),
        (
            'SELECT * FROM "{t}" WHERE val = 1 ORDER BY pk',
            "Must have at least one "
            "non-optional hash key condition in WHERE clause when using ORDER BY clause.",
        ),
        ("DELETE FROM \"{t}\" WHERE val = 'here'", MISSING_KEY),
        ("DELETE FROM \"{t}\" WHERE pk = 'p'", MISSING_KEY),
        ("UPDATE \"{t}\" SET a = 1 WHERE pk = 'p' OR sk = 's'", MISSING_KEY),
        ('FROM "{t}" SET c = 1', MISSING_KEY),
        (
            "UPDATE \"{t}\" SET pk = 'q' WHERE pk = 'p' AND sk = 's'",
            "One or more parameter "
            "values were invalid: Cannot update attribute pk. This attribute is part of the key",
        ),
        (
            "UPDATE \"{t}\".\"gsi-inc\" SET a = 1 WHERE pk = 'p' AND sk = 's'",
            "This operation is not supported on an index",
        ),
        (
            "DELETE FROM \"{t}\".\"gsi-inc\" WHERE pk = 'p' AND sk = 's'",
            "This operation is not supported on an index",
        ),
        (
            "INSERT INTO \"{t}\".\"gsi-inc\" VALUE {{'pk': 'w'}}",
            "FROM clause may only contain a single table name in data manipulation statements",
        ),
        (
            "INSERT INTO \"{t}\" VALUE {{'pk': 'w'}}",
            "Key attribute should be present in the item: Key sk",
        ),
        (
            "INSERT INTO \"{t}\" VALUE {{'pk': 'w', 'sk': 1}}",
            "Key attribute's data type should match its data type in table's schema: Key sk",
        ),
        (
            "INSERT INTO \"{t}\" VALUE {{'pk': 1e126}}",
            "Number overflow. Attempting to store a "
            "number with magnitude larger than supported range under root",
        ),
        (
            "INSERT INTO \"{t}\" VALUE {{'pk': 'w', 'sk': 'w', 'm': {{'x': 1e-131}}}}",
            "Number "
            "underflow. Attempting to store a number with magnitude smaller than supported range "
            "under root.x",
        ),
        (
            "INSERT INTO \"{t}\" VALUE {{'pk': 'w', 'sk': 'w'}} RETURNING ALL OLD *",
            "RETURNING is not supported in INSERT",
        ),
        (
            "INSERT INTO \"{t}\" <<{{'pk': 'w', 'sk': 'w'}}>>",
            "Unsupported operation: Inserting "
            'multiple items in a single statement is not supported, use "INSERT INTO tableName '
            'VALUE item" instead',
        ),
        (
            "DELETE FROM \"{t}\" WHERE pk = 'x' AND sk = 'x' RETURNING MODIFIED OLD *",
            "Invalid "
            "returning clause: RETURNING MODIFIED OLD *. Only RETURNING ALL OLD * is allowed in "
            "DELETE statements.",
        ),
        (
            "DELETE FROM \"{t}\" WHERE pk = 'x' AND sk = 'x' RETURNING ALL NEW *",
            "Invalid "
            "returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE "
            "statements.",
        ),
        (
            "EXISTS(SELECT * FROM \"{t}\" WHERE pk = 'p' AND sk = 's' AND val = 'x')",
            "EXISTS can only be used in ExecuteTransaction write requests.",
        ),
        ("x IS INT4", "Unsupported operation: IsType"),
        (
            "SELECT pk FROM \"{t}\".\"gsi-inc\" WHERE g = 'y' AND secret = 'np1'",
            "One or more "
            "parameter values were invalid: Secondary index gsi-inc does not project one or more "
            "filter attributes: [secret]",
        ),
        (
            "SELECT pk FROM \"{t}\".\"lsi-keys\" WHERE pk = 'p' AND secret = 'np1'",
            "One or more "
            "parameter values were invalid: Secondary index lsi-keys does not project one or more "
            "filter attributes: [secret]",
        ),
        (
            'SELECT secret FROM "{t}"."gsi-inc" WHERE g = \'y\'',
            "One or more parameter values "
            "were invalid: Global secondary index gsi-inc does not project [secret]",
        ),
    ],
)
def test_validation_errors(dynamodb, table, statement, message):
    assert refused(dynamodb, statement.format(t=table)) == validation(message)


def test_more_parameters_than_placeholders(dynamodb, table):
    count = validation("Number of parameters in request and statement don't match.")
    one = {"S": "p"}
    assert refused(dynamodb, f'SELECT * FROM "{table}" WHERE pk = ?', one, one) == count
    assert refused(dynamodb, f"SELECT * FROM \"{table}\" WHERE pk = 'p'", one) == count
    update = f"UPDATE \"{table}\" SET a = ? WHERE pk = 'p' AND sk = 's'"
    assert refused(dynamodb, update, one, one) == count
    item = dynamodb.get_item(TableName=table, Key={"pk": {"S": "p"}, "sk": {"S": "s"}})["Item"]
    assert "a" not in item


def test_a_missing_table(dynamodb, table):
    missing = ("ResourceNotFoundException", "Requested resource not found", 400)
    assert refused(dynamodb, "SELECT * FROM \"never-made\" WHERE pk = 'p'") == missing
    assert refused(dynamodb, "INSERT INTO \"never-made\" VALUE {'pk': 'p'}") == missing
    assert refused(dynamodb, "FROM \"never-made\" WHERE pk = 'x' SET c = 1") == missing


def test_consistent_reads_of_a_global_index(dynamodb, table):
    statement = f'SELECT * FROM "{table}"."gsi-inc" WHERE g = \'y\''
    assert refused(dynamodb, statement, ConsistentRead=True) == validation(
        "Strongly consistent read is not supported on Global Secondary Indexes"
    )


def test_insert_of_an_existing_item(dynamodb, table):
    statement = f"INSERT INTO \"{table}\" VALUE {{'pk': 'p', 'sk': 's', 'val': 'second'}}"
    assert refused(dynamodb, statement) == (
        "DuplicateItemException",
        "Duplicate primary key exists in table",
        400,
    )
    key = {"pk": {"S": "p"}, "sk": {"S": "s"}}
    assert dynamodb.get_item(TableName=table, Key=key)["Item"]["val"] == {"S": "here"}


def test_failed_conditions_change_nothing(dynamodb, table):
    failed = ("ConditionalCheckFailedException", "The conditional request failed", 400)
    absent = f"UPDATE \"{table}\" SET a = 1 WHERE pk = 'ghost' AND sk = 's'"
    assert refused(dynamodb, absent) == failed
    wrong = f"UPDATE \"{table}\" SET a = 1 WHERE pk = 'p' AND sk = 's' AND val = 'wrong'"
    assert refused(dynamodb, wrong) == failed
    deleted = f"DELETE FROM \"{table}\" WHERE pk = 'p' AND sk = 's' AND val = 'x'"
    assert refused(dynamodb, deleted) == failed
    item = dynamodb.get_item(TableName=table, Key={"pk": {"S": "p"}, "sk": {"S": "s"}})["Item"]
    assert "a" not in item
    ghost = dynamodb.get_item(TableName=table, Key={"pk": {"S": "ghost"}, "sk": {"S": "s"}})
    assert "Item" not in ghost


def test_a_failed_condition_can_return_the_item(dynamodb, table):
    statement = f"UPDATE \"{table}\" SET a = 1 WHERE pk = 'p' AND sk = 's' AND val = 'wrong'"
    with pytest.raises(ClientError) as caught:
        dynamodb.execute_statement(
            Statement=statement, ReturnValuesOnConditionCheckFailure="ALL_OLD"
        )
    assert caught.value.response["Item"]["val"] == {"S": "here"}


def test_items_too_large(dynamodb, table):
    big = {"S": "x" * 400_000}
    assert refused(
        dynamodb,
        f"INSERT INTO \"{table}\" VALUE {{'pk': 'big', 'sk': 's', 'a': ?, 'b': ?}}",
        big,
        big,
    ) == validation("Item size has exceeded the maximum allowed size")
    assert refused(
        dynamodb, f"UPDATE \"{table}\" SET a = ?, b = ? WHERE pk = 'p' AND sk = 's'", big, big
    ) == validation("Item size to update has exceeded the maximum allowed size")


def test_request_shape_is_checked_first(tidal_endpoint, table):
    client = unchecked_client(tidal_endpoint)
    assert error_of(client.execute_statement, Statement="x" * 8193) == validation(
        f"1 validation error detected: Value '{'x' * 8193}' at 'statement' failed to satisfy "
        "constraint: Member must have length less than or equal to 8192"
    )
    assert error_of(client.execute_statement, Statement="SELECT * FROM t", Limit=0) == validation(
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member "
        "must have value greater than or equal to 1"
    )
