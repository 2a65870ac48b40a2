"""The AWS JSON protocol as clients see it: dispatch, errors, headers, accounts, regions."""

from __future__ import annotations

import http.client
import zlib
from urllib.parse import urlparse

import orjson
import pytest
from botocore.exceptions import ClientError

from tidal.testing.plugin import client

AUTH = (
    "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host;x-amz-date;x-amz-target, Signature=00"
)


def post(endpoint: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict, bytes]:
    url = urlparse(endpoint)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def dynamodb_post(endpoint: str, operation: str, body: bytes, auth: str | None = AUTH):
    headers = {
        "X-Amz-Target": f"DynamoDB_20120810.{operation}",
        "Content-Type": "application/x-amz-json-1.0",
    }
    if auth:
        headers["Authorization"] = auth
    return post(endpoint, body, headers)


def request(endpoint: str, method: str, body, headers: dict[str, str]) -> tuple[int, dict, bytes]:
    url = urlparse(endpoint)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request(method, "/", body=body, headers=headers, encode_chunked=True)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_response_carries_request_id_and_crc32(tidal_endpoint):
    status, headers, body = dynamodb_post(tidal_endpoint, "ListTables", b"{}")
    assert status == 200
    assert headers["server"] == "Server"
    assert headers["content-type"] == "application/x-amz-json-1.0"
    assert len(headers["x-amzn-requestid"]) == 52
    assert int(headers["x-amz-crc32"]) == zlib.crc32(body)


def test_unknown_operation(tidal_endpoint):
    status, _, body = dynamodb_post(tidal_endpoint, "FlyToTheMoon", b"{}")
    assert status == 400
    assert orjson.loads(body)["__type"] == "com.amazon.coral.service#UnknownOperationException"


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Amz-Target": "Nothing_1.Do"},  # an unknown service prefix
        {"X-Amz-Target": "whatever"},
        {"Content-Type": "application/x-amz-json-1.0"},  # a JSON POST / without a target
        {"Content-Type": "application/json"},
    ],
)
def test_a_request_naming_no_operation_is_unknown_operation(tidal_endpoint, headers):
    status, answer, body = post(tidal_endpoint, b"{}", {**headers, "Authorization": AUTH})
    assert status == 400
    assert orjson.loads(body) == {"__type": "com.amazon.coral.service#UnknownOperationException"}
    assert int(answer["x-amz-crc32"]) == zlib.crc32(body)
    assert len(answer["x-amzn-requestid"]) == 52


def test_empty_body_is_serialization_exception(tidal_endpoint):
    status, _, body = dynamodb_post(tidal_endpoint, "ListTables", b"")
    assert status == 400
    assert orjson.loads(body) == {"__type": "com.amazon.coral.service#SerializationException"}


def test_get_root_is_the_dynamodb_health_check(tidal_endpoint):
    status, headers, body = request(tidal_endpoint, "GET", None, {})
    assert (status, body) == (200, b"healthy: dynamodb.us-east-1.amazonaws.com")
    assert headers["content-type"] == "text/plain"


def test_cors_preflight_and_cross_origin_answers(tidal_endpoint):
    asked = "content-type,x-amz-target,x-amz-date,authorization"
    status, headers, body = request(
        tidal_endpoint,
        "OPTIONS",
        None,
        {
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": asked,
        },
    )
    assert (status, body) == (200, b"")
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-allow-headers"] == asked
    assert headers["access-control-allow-methods"] == "POST"
    assert headers["access-control-max-age"] == "172800"
    status, headers, _ = post(
        tidal_endpoint,
        b"{}",
        {
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Authorization": AUTH,
            "Origin": "http://localhost:3000",
        },
    )
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert "x-amzn-RequestId" in headers["access-control-expose-headers"]


def test_request_over_16_mib_is_413(tidal_endpoint):
    over = b'{"TableName": "' + b"a" * (16 * 1024 * 1024) + b'"}'
    headers = {
        "X-Amz-Target": "DynamoDB_20120810.DescribeTable",
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": AUTH,
    }
    status, _, body = request(tidal_endpoint, "POST", over, headers)
    assert (status, body) == (413, b"")
    chunks = iter([over[: len(over) // 2], over[len(over) // 2 :]])
    status, _, body = request(tidal_endpoint, "POST", chunks, headers)
    assert (status, body) == (413, b"")
    with pytest.raises(ClientError) as caught:
        client("dynamodb", tidal_endpoint).describe_table(TableName="a" * (16 * 1024 * 1024))
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413


def test_malformed_json_is_serialization_exception(tidal_endpoint):
    status, _, body = dynamodb_post(tidal_endpoint, "ListTables", b"{not json")
    assert status == 400
    assert orjson.loads(body)["__type"] == "com.amazon.coral.service#SerializationException"


def test_json_that_is_not_an_object(tidal_endpoint):
    status, _, body = dynamodb_post(tidal_endpoint, "ListTables", b"[1, 2]")
    assert status == 400
    assert orjson.loads(body)["__type"].endswith("#SerializationException")


def test_missing_target_is_a_clear_4xx(tidal_endpoint):
    status, _, body = post(tidal_endpoint, b"{}", {"Authorization": AUTH})
    assert 400 <= status < 500
    assert b"message" in body


def test_missing_authentication(tidal_endpoint):
    status, _, body = dynamodb_post(tidal_endpoint, "ListTables", b"{}", auth=None)
    assert status == 400
    document = orjson.loads(body)
    assert document["__type"] == "com.amazon.coral.service#MissingAuthenticationTokenException"
    assert document["message"] == "Request is missing Authentication Token"


def test_missing_required_member(tidal_endpoint):
    status, _, body = dynamodb_post(tidal_endpoint, "DescribeTable", b"{}")
    assert status == 400
    document = orjson.loads(body)
    assert document["__type"] == "com.amazon.coral.validate#ValidationException"
    assert document["message"] == (
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_health(tidal_endpoint):
    url = urlparse(tidal_endpoint)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.request("GET", "/_tidal/health")
    response = connection.getresponse()
    document = orjson.loads(response.read())
    assert response.status == 200
    assert document["status"] == "ok"
    assert document["version"]
    assert document["uptime"] >= 0
    assert document["store"]["engine"] == "sqlite"


def _create(dynamodb, name):
    dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_accounts_and_regions_are_isolated(tidal_endpoint, table_name):
    default = client("dynamodb", tidal_endpoint)
    other_region = client("dynamodb", tidal_endpoint, region="eu-west-1")
    account = client(
        "dynamodb",
        tidal_endpoint,
        aws_access_key_id="111122223333",
        aws_secret_access_key="x",
    )
    _create(default, table_name)
    description = default.describe_table(TableName=table_name)["Table"]
    assert description["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{table_name}"
    for stranger in (other_region, account):
        with pytest.raises(ClientError) as caught:
            stranger.describe_table(TableName=table_name)
        assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert table_name not in stranger.list_tables()["TableNames"]
    _create(account, table_name)
    arn = account.describe_table(TableName=table_name)["Table"]["TableArn"]
    assert arn == f"arn:aws:dynamodb:us-east-1:111122223333:table/{table_name}"


def test_a_decimal_limit_counts_its_whole_part(tidal_endpoint, table_name):
    dynamodb = client("dynamodb", tidal_endpoint)
    _create(dynamodb, table_name)
    for key in ("a", "b", "c"):
        dynamodb.put_item(TableName=table_name, Item={"pk": {"S": key}})

    def page(operation: str, **params) -> dict:
        body = orjson.dumps({"TableName": table_name, **params})
        status, _, answer = dynamodb_post(tidal_endpoint, operation, body)
        assert status == 200
        return orjson.loads(answer)

    assert page("Scan", Limit=2.5)["Count"] == 2
    assert page("Scan", Segment=0.0, TotalSegments=1.9)["Count"] == 3
    condition = {
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "a"}},
    }
    assert page("Query", Limit=1.5, **condition)["Count"] == 1
    status, _, answer = dynamodb_post(tidal_endpoint, "ListTables", b'{"Limit": 1.5}')
    assert status == 200
    assert len(orjson.loads(answer)["TableNames"]) == 1


def test_members_sent_as_null_are_absent(tidal_endpoint, table_name):
    created = {
        "TableName": table_name,
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "ProvisionedThroughput": None,
        "GlobalSecondaryIndexes": None,
        "StreamSpecification": None,
        "Tags": None,
    }
    status, _, body = dynamodb_post(tidal_endpoint, "CreateTable", orjson.dumps(created))
    assert status == 200
    assert "StreamSpecification" not in orjson.loads(body)["TableDescription"]
    for sort in ("1", "2"):
        item = {"pk": {"S": "a"}, "sk": {"N": sort}}
        put = {"TableName": table_name, "Item": item, "ReturnValues": None}
        status, _, body = dynamodb_post(tidal_endpoint, "PutItem", orjson.dumps(put))
        assert (status, orjson.loads(body)) == (200, {})
    query = {
        "TableName": table_name,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "a"}},
        "ScanIndexForward": None,
        "Limit": None,
    }
    status, _, body = dynamodb_post(tidal_endpoint, "Query", orjson.dumps(query))
    assert status == 200
    assert [item["sk"]["N"] for item in orjson.loads(body)["Items"]] == ["1", "2"]


def test_nested_decimals_and_nulls_are_read_as_aws_reads_them(tidal_endpoint, table_name):
    created = {
        "TableName": table_name,
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "ProvisionedThroughput": {"ReadCapacityUnits": 3.7, "WriteCapacityUnits": 2.0},
        "SSESpecification": {"Enabled": None, "SSEType": None},
    }
    status, _, body = dynamodb_post(tidal_endpoint, "CreateTable", orjson.dumps(created))
    assert status == 200, body
    throughput = orjson.loads(body)["TableDescription"]["ProvisionedThroughput"]
    assert (throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]) == (3, 2)
    described = client("dynamodb", tidal_endpoint).describe_table(TableName=table_name)
    assert "SSEDescription" not in described["Table"]


def test_integer_beyond_java_int_is_serialization_exception(tidal_endpoint):
    with pytest.raises(ClientError) as caught:
        client("dynamodb", tidal_endpoint).list_tables(Limit=2**31)
    error = caught.value.response["Error"]
    assert error["Code"] == "SerializationException"
    assert error["Message"] == (
        "Numeric value (2147483648) out of range of int (-2147483648 - 2147483647)"
    )


def test_null_entries_of_lists_and_maps(tidal_endpoint, table_name):
    dynamodb = client("dynamodb", tidal_endpoint)
    _create(dynamodb, table_name)

    def answer(operation: str, params: dict) -> tuple[int, dict]:
        status, _, body = dynamodb_post(tidal_endpoint, operation, orjson.dumps(params))
        return status, orjson.loads(body)

    missing = "failed to satisfy constraint: Member must not be null"
    status, body = answer("TransactGetItems", {"TransactItems": [None]})
    assert status == 400
    assert (
        body["message"]
        == f"1 validation error detected: Value null at 'transactItems.1.member' {missing}"
    )
    status, body = answer("BatchWriteItem", {"RequestItems": {table_name: None}})
    assert body["message"].endswith(f"at 'requestItems.{table_name}.member' {missing}")
    item = {"pk": {"S": "a"}, "l": {"L": [None]}}
    status, body = answer("PutItem", {"TableName": table_name, "Item": item})
    assert (status, body["__type"]) == (400, "com.amazon.coral.service#SerializationException")
