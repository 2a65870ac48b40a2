"""boto3's resource API against Tidal, as application code uses it: `boto3.resource("dynamodb")`
tables with Python types (Decimal, set, bytes), `Key`/`Attr` conditions, `batch_writer`, the
table waiters, the Query/Scan paginators on a table with a GSI, and a stream read back with
the `dynamodbstreams` client, following the shards' lineage across a rollover.

The clients keep boto3's default retry settings, so a response boto3 had to retry (a wrong
`x-amz-crc32`, a throttle, a 5xx) shows up as `RetryAttempts` above 0.
"""

from __future__ import annotations

from decimal import Decimal

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import Binary, TypeDeserializer
from botocore.exceptions import ClientError

from tests.integration.streams_support import Clock
from tidal.testing.plugin import CREDENTIALS

HOUR = 3600
ORDER = {
    "pk": "customer#1",
    "sk": Decimal(1),
    "status": "open",
    "price": Decimal("19.90"),
    "quantity": Decimal("12345678901234567890123456789012345678"),
    "tiny": Decimal("1E-130"),
    "tags": {"gift", "fragile"},
    "sizes": {Decimal(38), Decimal("40.5")},
    "photo": b"\x89PNG\x00\xff",
    "thumbnails": {b"\x00", b"\x01\x02"},
    "address": {"city": "Hà Nội", "lines": ["12 Phố Huế", None, True, Decimal(0)]},
    "note": "",
    "paid": False,
    "coupon": None,
}
ORDER_AS_READ = {  # boto3 hands bytes back wrapped in its Binary type
    **ORDER,
    "photo": Binary(ORDER["photo"]),
    "thumbnails": {Binary(b"\x00"), Binary(b"\x01\x02")},
}


@pytest.fixture(scope="module")
def resource(tidal_endpoint):
    return boto3.resource(
        "dynamodb", endpoint_url=tidal_endpoint, region_name="us-east-1", **CREDENTIALS
    )


@pytest.fixture(scope="module")
def streams(tidal_endpoint):
    return boto3.client(
        "dynamodbstreams", endpoint_url=tidal_endpoint, region_name="us-east-1", **CREDENTIALS
    )


@pytest.fixture
def orders(resource, table_name):
    """A table keyed on (pk: S, sk: N) with a `status-index` GSI (status, sk) and a
    NEW_AND_OLD_IMAGES stream, created through the resource and waited for."""
    table = resource.create_table(
        TableName=table_name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "status", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "status-index",
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    table.wait_until_exists()
    return table


def retries(response: dict) -> int:
    return response["ResponseMetadata"]["RetryAttempts"]


def failure(call, **kwargs) -> ClientError:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value


def test_the_created_table_is_described_through_the_resource(resource, orders, table_name):
    orders.reload()

    assert orders.table_status == "ACTIVE"
    assert orders.key_schema == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    (index,) = orders.global_secondary_indexes
    assert (index["IndexName"], index["IndexStatus"]) == ("status-index", "ACTIVE")
    assert orders.billing_mode_summary["BillingMode"] == "PAY_PER_REQUEST"
    assert orders.stream_specification == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert orders.latest_stream_arn == (
        f"arn:aws:dynamodb:us-east-1:000000000000:table/{table_name}/stream/"
        f"{orders.latest_stream_label}"
    )
    assert table_name in [table.name for table in resource.tables.all()]


def test_python_types_come_back_as_they_were_put(orders):
    put = orders.put_item(Item=ORDER)
    got = orders.get_item(Key={"pk": "customer#1", "sk": 1}, ConsistentRead=True)

    item = got["Item"]
    assert item == ORDER_AS_READ
    assert type(item["sk"]) is Decimal and str(item["price"]) == "19.9"
    assert str(item["quantity"]) == "12345678901234567890123456789012345678"
    assert type(item["photo"]) is Binary and item["photo"].value == b"\x89PNG\x00\xff"
    assert type(item["tags"]) is set and type(item["address"]["lines"]) is list
    assert retries(put) == retries(got) == 0


def test_an_empty_set_and_an_out_of_range_number_are_refused(orders):
    empty = failure(orders.put_item, Item={"pk": "p", "sk": 1, "tags": set()})
    huge = failure(orders.put_item, Item={"pk": "p", "sk": 1, "n": Decimal("1E+126")})

    assert empty.response["Error"] == {
        "Code": "ValidationException",
        "Message": "One or more parameter values were invalid: An number set  may not be empty",
    }
    assert huge.response["Error"] == {
        "Code": "ValidationException",
        "Message": "Number overflow. Attempting to store a number with magnitude larger than "
        "supported range",
    }
    assert orders.get_item(Key={"pk": "p", "sk": 1}).get("Item") is None


def test_update_item_with_sets_decimals_and_lists(orders):
    orders.put_item(Item=ORDER)
    updated = orders.update_item(
        Key={"pk": "customer#1", "sk": 1},
        UpdateExpression=(
            "SET price = price + :cents, history = list_append(if_not_exists(history, :none), "
            ":event), visits = if_not_exists(visits, :zero) + :one "
            "ADD tags :more, sizes :size DELETE thumbnails :small REMOVE coupon, note"
        ),
        ConditionExpression=Attr("status").eq("open") & Attr("price").lt(Decimal(20)),
        ExpressionAttributeValues={
            ":cents": Decimal("0.01"),
            ":none": [],
            ":event": [{"at": Decimal(1584262789), "what": "paid"}],
            ":zero": 0,
            ":one": 1,
            ":more": {"express"},
            ":size": {Decimal(42)},
            ":small": {b"\x00"},
        },
        ReturnValues="UPDATED_NEW",
    )

    assert updated["Attributes"] == {
        "price": Decimal("19.91"),
        "history": [{"at": Decimal(1584262789), "what": "paid"}],
        "visits": Decimal(1),
        "tags": {"gift", "fragile", "express"},
        "sizes": {Decimal(38), Decimal("40.5"), Decimal(42)},
        "thumbnails": {Binary(b"\x01\x02")},
    }
    item = orders.get_item(Key={"pk": "customer#1", "sk": 1})["Item"]
    assert "coupon" not in item and "note" not in item
    assert retries(updated) == 0


def test_a_failed_condition_is_a_conditional_check_failed_exception(orders):
    orders.put_item(Item={"pk": "customer#1", "sk": 1, "status": "open"})

    error = failure(
        orders.put_item,
        Item={"pk": "customer#1", "sk": 1, "status": "shipped"},
        ConditionExpression=Attr("pk").not_exists() | Attr("status").eq("paid"),
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )

    assert isinstance(error, orders.meta.client.exceptions.ConditionalCheckFailedException)
    assert error.response["Error"] == {
        "Code": "ConditionalCheckFailedException",
        "Message": "The conditional request failed",
    }
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert retries(error.response) == 0
    assert error.response["Item"] == {
        "pk": {"S": "customer#1"},
        "sk": {"N": "1"},
        "status": {"S": "open"},
    }
    assert str(error) == (
        "An error occurred (ConditionalCheckFailedException) when calling the PutItem "
        "operation: The conditional request failed"
    )


def test_errors_of_a_missing_table_and_a_mistyped_key(resource, orders):
    missing = failure(resource.Table("no-such-table").get_item, Key={"pk": "a", "sk": 1})
    mistyped = failure(orders.get_item, Key={"pk": "a", "sk": "1"})

    assert missing.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "Requested resource not found",
    }
    assert mistyped.response["Error"] == {
        "Code": "ValidationException",
        "Message": "The provided key element does not match the schema",
    }
    assert retries(missing.response) == retries(mistyped.response) == 0


def write_orders(table) -> None:
    """40 orders of customer#2 (sk 0..39) with status open/done, and two of other customers."""
    with table.batch_writer() as batch:
        for n in range(40):
            batch.put_item(
                Item={
                    "pk": "customer#2",
                    "sk": n,
                    "status": "open" if n % 2 else "done",
                    "total": Decimal(n) / 4,
                    "lines": ["book"] * (n % 5),
                }
            )
        batch.put_item(Item={"pk": "customer#3", "sk": 7, "status": "open", "total": 1})
        batch.put_item(Item={"pk": "customer#4", "sk": 7, "total": 2})


def test_query_with_key_and_attr_conditions(orders):
    write_orders(orders)

    def sks(**kwargs) -> list[int]:
        return [int(item["sk"]) for item in orders.query(**kwargs)["Items"]]

    customer = Key("pk").eq("customer#2")
    assert sks(KeyConditionExpression=customer & Key("sk").between(3, 6)) == [3, 4, 5, 6]
    assert sks(KeyConditionExpression=customer & Key("sk").gte(36), ScanIndexForward=False) == [
        39,
        38,
        37,
        36,
    ]
    assert sks(
        KeyConditionExpression=customer & Key("sk").lt(20),
        FilterExpression=Attr("total").gt(Decimal("2.5"))
        & Attr("lines").size().eq(4)
        & ~Attr("status").is_in(["done"]),
    ) == [19]
    assert sks(
        KeyConditionExpression=customer,
        FilterExpression=Attr("lines").contains("book") & Attr("total").lte(Decimal("0.75")),
    ) == [1, 2, 3]
    first = orders.query(KeyConditionExpression=customer, Limit=3)
    assert first["LastEvaluatedKey"] == {"pk": "customer#2", "sk": Decimal(2)}
    second = orders.query(
        KeyConditionExpression=customer, Limit=3, ExclusiveStartKey=first["LastEvaluatedKey"]
    )
    assert [item["sk"] for item in second["Items"]] == [3, 4, 5]
    projected = orders.query(
        KeyConditionExpression=customer & Key("sk").eq(5),
        ProjectionExpression="#s, #t",
        ExpressionAttributeNames={"#s": "status", "#t": "total"},
    )["Items"]
    assert projected == [{"status": "open", "total": Decimal("1.25")}]
    on_index = orders.query(
        IndexName="status-index",
        KeyConditionExpression=Key("status").eq("open") & Key("sk").eq(7),
    )["Items"]
    assert sorted(item["pk"] for item in on_index) == ["customer#2", "customer#3"]


def test_scan_with_attr_conditions(orders):
    write_orders(orders)

    scanned = orders.scan(
        FilterExpression=Attr("status").not_exists() | Attr("total").eq(Decimal("9.75")),
        ProjectionExpression="pk, sk",
    )

    assert sorted((item["pk"], item["sk"]) for item in scanned["Items"]) == [
        ("customer#2", 39),
        ("customer#4", 7),
    ]
    assert (scanned["Count"], scanned["ScannedCount"]) == (2, 42)
    prefixed = orders.scan(FilterExpression=Attr("pk").begins_with("customer#3"))["Items"]
    assert prefixed == [{"pk": "customer#3", "sk": 7, "status": "open", "total": 1}]


def test_batch_writer_overwrites_by_primary_key_and_deletes(orders):
    with orders.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
        for round_ in range(3):
            for n in range(30):
                batch.put_item(Item={"pk": "bulk", "sk": n, "round": round_})
        for n in range(25, 30):
            batch.delete_item(Key={"pk": "bulk", "sk": n})

    items = orders.query(KeyConditionExpression=Key("pk").eq("bulk"))["Items"]
    assert [item["sk"] for item in items] == list(range(25))
    assert {item["round"] for item in items} == {2}


def test_paginators_walk_a_gsi_query_and_a_scan(orders):
    write_orders(orders)
    client = orders.meta.client

    query_pages = list(
        client.get_paginator("query").paginate(
            TableName=orders.name,
            IndexName="status-index",
            KeyConditionExpression=Key("status").eq("open"),
            PaginationConfig={"PageSize": 8},
        )
    )
    scan_pages = list(
        client.get_paginator("scan").paginate(
            TableName=orders.name, PaginationConfig={"PageSize": 9}
        )
    )

    assert [page["Count"] for page in query_pages] == [8, 8, 5]
    assert query_pages[0]["LastEvaluatedKey"] == {
        "status": "open",
        "sk": Decimal(13),
        "pk": "customer#2",
    }
    assert "LastEvaluatedKey" not in query_pages[-1]
    found = [(item["sk"], item["pk"]) for page in query_pages for item in page["Items"]]
    assert len(found) == 21 and found == sorted(found, key=lambda key: key[0])
    assert [page["Count"] for page in scan_pages] == [9, 9, 9, 9, 6]
    scanned = {(item["pk"], item["sk"]) for page in scan_pages for item in page["Items"]}
    assert len(scanned) == 42
    low_level = boto3.client(
        "dynamodb",
        endpoint_url=client.meta.endpoint_url,
        region_name="us-east-1",
        **CREDENTIALS,
    )
    pages = low_level.get_paginator("scan")
    first = pages.paginate(
        TableName=orders.name, PaginationConfig={"MaxItems": 10, "PageSize": 4}
    ).build_full_result()
    rest = pages.paginate(
        TableName=orders.name, PaginationConfig={"StartingToken": first["NextToken"]}
    ).build_full_result()
    assert len(first["Items"]) == 10 and len(rest["Items"]) == 32
    resumed = [(item["pk"]["S"], int(item["sk"]["N"])) for item in first["Items"] + rest["Items"]]
    assert resumed == [(item["pk"], item["sk"]) for page in scan_pages for item in page["Items"]]


def test_wait_until_not_exists_after_delete(resource, orders):
    deleted = orders.delete()
    orders.wait_until_not_exists()

    assert deleted["TableDescription"]["TableStatus"] == "DELETING"
    error = failure(orders.load)
    assert error.response["Error"]["Code"] == "ResourceNotFoundException"


def read_stream(streams, stream_arn: str) -> tuple[list[dict], list[dict]]:
    """(shards, records) of a stream as a KCL-style reader gets them: every shard listed with
    DescribeStream pages of 1, parents read to their end before their children."""
    shards: list[dict] = []
    page: dict = {}
    while True:
        start = {"ExclusiveStartShardId": page["LastEvaluatedShardId"]} if page else {}
        page = streams.describe_stream(StreamArn=stream_arn, Limit=1, **start)["StreamDescription"]
        shards += page["Shards"]
        if "LastEvaluatedShardId" not in page:
            break
    records: list[dict] = []
    done: set[str] = set()
    while len(done) < len(shards):
        ready = [
            shard
            for shard in shards
            if shard["ShardId"] not in done and shard.get("ParentShardId", "") in {"", *done}
        ]
        for shard in ready:
            records += read_shard(streams, stream_arn, shard)
            done.add(shard["ShardId"])
    return shards, records


def read_shard(streams, stream_arn: str, shard: dict) -> list[dict]:
    """A closed shard to its end (no NextShardIterator); an open one until a page is empty."""
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records: list[dict] = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=2)
        assert retries(page) == 0
        records += page["Records"]
        closed = "EndingSequenceNumber" in shard["SequenceNumberRange"]
        iterator = page.get("NextShardIterator") if closed or page["Records"] else None
    return records


def test_a_stream_read_follows_the_shards_across_a_rollover(
    orders, streams, monkeypatch, stream_maintenance
):
    clock = Clock(monkeypatch)
    key = {"pk": "customer#1", "sk": 1}
    orders.put_item(Item=ORDER)
    orders.update_item(
        Key=key, UpdateExpression="ADD tags :t", ExpressionAttributeValues={":t": {"new"}}
    )
    clock.advance(4 * HOUR)
    stream_maintenance()
    with orders.batch_writer() as batch:
        batch.put_item(Item={"pk": "customer#5", "sk": 2, "blob": b"\x00"})
        batch.delete_item(Key=key)
    orders.update_item(
        Key=key, UpdateExpression="SET note = :n", ExpressionAttributeValues={":n": "x"}
    )

    shards, records = read_stream(streams, orders.latest_stream_arn)

    assert len(shards) == 2
    assert shards[1]["ParentShardId"] == shards[0]["ShardId"]
    assert [record["eventName"] for record in records] == [
        "INSERT",
        "MODIFY",
        "INSERT",
        "REMOVE",
        "INSERT",
    ]
    numbers = [int(record["dynamodb"]["SequenceNumber"]) for record in records]
    assert numbers == sorted(numbers)
    deserialize = TypeDeserializer().deserialize
    first, modified = records[0]["dynamodb"], records[1]["dynamodb"]
    assert {name: deserialize(value) for name, value in first["NewImage"].items()} == ORDER_AS_READ
    assert deserialize(modified["OldImage"]["tags"]) == {"gift", "fragile"}
    assert deserialize(modified["NewImage"]["tags"]) == {"gift", "fragile", "new"}
    assert {
        name: deserialize(value) for name, value in records[3]["dynamodb"]["Keys"].items()
    } == key
    assert "NewImage" not in records[3]["dynamodb"]
    assert all(record["awsRegion"] == "us-east-1" for record in records)
