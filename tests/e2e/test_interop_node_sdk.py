"""The AWS SDK for JavaScript against Tidal, as Node.js apps and tools use it.

- v2 (`aws-sdk@2`, tests/e2e/interop/v2_document_client.js): AWS.DynamoDB creates the
  Vietnamese walkthrough's orders table (seeds/000_*) and waits for it, the DocumentClient
  writes and reads it with `createSet`, Buffers and nested documents, and AWS.DynamoDBStreams
  polls the stream the way its serverless-offline-dynamodb-streams plugin does (credentials
  root/root, LATEST with batchSize 1, and TRIM_HORIZON).
- v3 (`@aws-sdk/*`, tests/e2e/interop/v3_clients.js): client-dynamodb with its waiter and
  paginateScan, lib-dynamodb's document client with marshalling options and paginateQuery,
  client-dynamodb-streams reading the stream, util-dynamodb unmarshalling it.

Each script runs once per module and reports what the SDK handed to the caller (values with
their kinds, errors' name/code/message/status) and, for every HTTP call, whether the SDK
retried it: v2 checks `x-amz-crc32` on every DynamoDB response and retries a mismatch, so a
wrong checksum shows up as a retry (and the report checks the checksum itself too).
"""

from __future__ import annotations

import re
import uuid

import pytest

from tests.e2e.interop.node import observed, run_script
from tidal.awslambda import node_sdk

V2_REGION = "ap-southeast-1"
V3_REGION = "us-east-1"
SEQUENCE_NUMBER = re.compile(r"^[0-9]{21,40}$")
SHARD_ID = re.compile(r"^shardId-[0-9]{20}-[a-zA-Z0-9]{1,36}$")
WHOLE_SECOND = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$")


@pytest.fixture(scope="module")
def v2(tidal_endpoint):
    table = f"dev_orders-{uuid.uuid4().hex[:8]}"
    report = run_script("v2_document_client.js", node_sdk.V2, tidal_endpoint, table, V2_REGION)
    return {**report, "table": table}


@pytest.fixture(scope="module")
def v3(tidal_endpoint):
    table = f"orders-{uuid.uuid4().hex[:8]}"
    report = run_script("v3_clients.js", node_sdk.V3, tidal_endpoint, table, V3_REGION)
    return {**report, "table": table}


V2_ORDER = {
    "id": "order-1",
    "status": "open",
    "name": "Phở bò 🍜",
    "price": 19.9,
    "quantity": 3,
    "tags": {"set": ["fragile", "gift"], "type": "String"},
    "sizes": {"set": [38, 40.5], "type": "Number"},
    "thumbnails": {"set": [{"bytes": "AA=="}, {"bytes": "AQI="}], "type": "Binary"},
    "photo": {"bytes": "iVAA/w=="},
    "address": {"city": "Hà Nội", "lines": ["12 Phố Huế", None, True, 0]},
    "note": "",
    "coupon": None,
}
V2_UPDATED = {
    **{name: value for name, value in V2_ORDER.items() if name != "coupon"},
    "price": 19.91,
    "tags": {"set": ["express", "fragile", "gift"], "type": "String"},
    "sizes": {"set": [40.5], "type": "Number"},
}


def test_v2_creates_the_table_and_waits_for_it(v2):
    assert observed(v2, "createTable") == {"created": "CREATING", "waited": "ACTIVE"}
    started = observed(v2, "pluginStart")
    assert re.fullmatch(
        rf"arn:aws:dynamodb:{V2_REGION}:000000000000:table/{v2['table']}/stream/"
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}",
        started["streamArn"],
    )
    assert len(started["shards"]) == 1 and SHARD_ID.match(started["shards"][0])


def test_v2_the_plugins_readers_poll_an_idle_shard_and_keep_their_iterators(v2):
    started = observed(v2, "pluginStart")

    assert started["idle"] == [{"records": 0, "pages": 1}, {"records": 0, "pages": 1}]
    assert started["stillOpen"] == [True, True]


def test_v2_document_client_round_trips_sets_buffers_and_documents(v2):
    assert observed(v2, "put") == {}
    assert observed(v2, "get") == V2_ORDER


def test_v2_update_adds_and_deletes_created_sets(v2):
    assert observed(v2, "update") == V2_UPDATED


def v2_error(code: str, message: str, *members: str) -> dict:
    """A service error as v2 hands it over: it copies the body's members (but `message`)
    onto the error, so `__type` shows the namespace AWS sends."""
    return {
        "name": code,
        "code": code,
        "message": message,
        "statusCode": 400,
        "retryable": False,
        "__type": f"com.amazonaws.dynamodb.v20120810#{code}",
        "bodyKeys": sorted(["__type", *members]),
    }


def test_v2_a_failed_condition_is_a_conditional_check_failed_exception(v2):
    assert observed(v2, "conditionFailed") == v2_error(
        "ConditionalCheckFailedException", "The conditional request failed"
    )


def test_v2_a_missing_table_is_a_resource_not_found_exception(v2):
    assert observed(v2, "missingTable") == v2_error(
        "ResourceNotFoundException", "Requested resource not found"
    )


def test_v2_a_canceled_transaction_carries_its_reasons_and_writes_nothing(v2):
    assert observed(v2, "transactionCanceled") == {
        **v2_error(
            "TransactionCanceledException",
            "Transaction cancelled, please refer cancellation reasons for specific reasons "
            "[None, ConditionalCheckFailed]",
            "Message",
            "CancellationReasons",
        ),
        "CancellationReasons": [
            {"Code": "None"},
            {
                "Code": "ConditionalCheckFailed",
                "Message": "The conditional request failed",
                "Item": {"id": {"S": "order-3"}, "status": {"S": "open"}, "n": {"N": "3"}},
            },
        ],
        "written": None,
    }


def test_v2_batch_get_and_a_counting_scan(v2):
    assert observed(v2, "batchGetAndCount") == {
        "items": [
            {"id": "order-4", "status": "done", "n": 4},
            {"id": "order-6", "status": "done", "n": 6},
        ],
        "unprocessed": {},
        "counted": {"Count": 3, "ScannedCount": 6},
    }


def test_v2_query_pages_through_the_status_index(v2):
    first, second = observed(v2, "query")

    assert (first["Count"], first["ScannedCount"]) == (2, 2)
    assert first["LastEvaluatedKey"] == {"id": first["Items"][1]["id"], "status": "open"}
    assert (second["Count"], "LastEvaluatedKey" in second) == (1, False)
    items = {item["id"]: item for page in (first, second) for item in page["Items"]}
    assert items == {
        "order-1": V2_UPDATED,
        "order-3": {"id": "order-3", "status": "open", "n": 3},
        "order-5": {"id": "order-5", "status": "open", "n": 5},
    }


def test_v2_delete_returns_the_old_item(v2):
    assert observed(v2, "delete") == {"id": "order-2", "status": "done", "n": 2}


CHANGES = [
    ("INSERT", "order-1"),
    ("MODIFY", "order-1"),
    *(("INSERT", f"order-{n}") for n in range(2, 7)),
    ("REMOVE", "order-2"),
]


def changes(records: list[dict]) -> list[tuple[str, str]]:
    return [(record["eventName"], record["dynamodb"]["Keys"]["id"]["S"]) for record in records]


@pytest.mark.parametrize("step", ["pluginLatest", "pluginTrimHorizon"])
def test_v2_the_plugins_readers_get_every_change_one_record_per_page(v2, step):
    (reader,) = observed(v2, step)
    records = reader["records"]

    assert reader["shardId"] == observed(v2, "pluginStart")["shards"][0]
    assert changes(records) == CHANGES
    assert reader["pages"] == 1 + len(CHANGES)  # the idle poll, then a record a page
    insert, modify = records[0], records[1]
    assert {key: insert[key] for key in insert if key not in ("eventID", "dynamodb")} == {
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": V2_REGION,
    }
    assert insert["dynamodb"]["NewImage"] == V2_ORDER and "OldImage" not in insert["dynamodb"]
    assert (modify["dynamodb"]["OldImage"], modify["dynamodb"]["NewImage"]) == (
        V2_ORDER,
        V2_UPDATED,
    )
    removed = records[-1]["dynamodb"]
    assert removed["OldImage"] == {"id": "order-2", "status": "done", "n": 2}
    assert "NewImage" not in removed
    numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
    assert all(SEQUENCE_NUMBER.match(number) for number in numbers)
    assert [int(number) for number in numbers] == sorted({int(number) for number in numbers})
    assert all(WHOLE_SECOND.match(r["dynamodb"]["ApproximateCreationDateTime"]) for r in records)
    assert {record["dynamodb"]["StreamViewType"] for record in records} == {"NEW_AND_OLD_IMAGES"}
    assert len({record["eventID"] for record in records}) == len(records)


def test_v2_a_trim_horizon_reader_opened_later_gets_the_same_records_in_one_page(v2):
    (reader,) = observed(v2, "lateTrimHorizon")
    (latest,) = observed(v2, "pluginLatest")
    (early,) = observed(v2, "pluginTrimHorizon")

    assert reader["pages"] == 1
    assert reader["records"] == latest["records"] == early["records"]


def test_v2_an_unknown_stream_is_a_resource_not_found_exception(v2):
    table = f"arn:aws:dynamodb:{V2_REGION}:000000000000:table/{v2['table']}"
    arn = f"{table}/stream/2020-03-15T07:59:46.532"
    failure = observed(v2, "missingStream")

    assert failure.pop("__type").endswith("#ResourceNotFoundException")
    assert failure == {
        "name": "ResourceNotFoundException",
        "code": "ResourceNotFoundException",
        "message": f"Requested resource not found: Stream: {arn} not found",
        "statusCode": 400,
        "retryable": False,
        "bodyKeys": ["__type"],
    }


def test_v2_retried_nothing_and_every_checksum_held(v2):
    calls = v2["calls"]
    dynamodb = [call for call in calls if call["service"] == "dynamodb"]
    streams = [call for call in calls if call["service"] == "dynamodbstreams"]

    assert len(dynamodb) >= 15 and len(streams) >= 12
    assert [call for call in calls if call["retryCount"] != 0] == []
    assert [call for call in dynamodb if call["crc32"] is not True] == []
    assert [call for call in streams if call["crc32"] is False] == []


def v3_error(name: str, message: str, namespace: str = "com.amazonaws.dynamodb.v20120810") -> dict:
    """A service error as v3 throws it: `$fault`, `$metadata`, and the body's `__type`."""
    return {
        "name": name,
        "message": message,
        "$fault": "client",
        "httpStatusCode": 400,
        "attempts": 1,
        "__type": f"{namespace}#{name}",
    }


def number(text: str) -> dict:
    return {"number": text}


V3_ORDER = {
    "pk": "customer#1",
    "sk": number("1"),
    "status": "open",
    "name": "Phở bò 🍜",
    "price": number("19.9"),
    "tags": {"set": ["fragile", "gift"]},
    "sizes": {"set": [number("38"), number("40.5")]},
    "photo": {"bytes": "iVAA/w=="},
    "address": {"city": "Hà Nội", "lines": ["12 Phố Huế", None, True, number("0")]},
    "receipt": {"number": number("7"), "issued": "today"},
    "note": "",
    "coupon": None,
}
V3_UPDATED = {
    **V3_ORDER,
    "price": number("19.91"),
    "big": number("123456789012345678901234567890"),
    "tags": {"set": ["express", "fragile", "gift"]},
    "sizes": {"set": [number("40.5")]},
}


def test_v3_creates_the_table_and_its_waiter_sees_it_exist(v3):
    assert observed(v3, "createTable") == {"created": "CREATING", "waited": "SUCCESS", "shards": 1}


def test_v3_document_client_round_trips_with_marshalling_options(v3):
    assert observed(v3, "put") == {"attempts": 1, "httpStatusCode": 200}
    assert observed(v3, "get") == V3_ORDER


def test_v3_update_returns_the_updated_attributes_with_exact_numbers(v3):
    assert observed(v3, "update") == {
        name: V3_UPDATED[name] for name in ("price", "big", "tags", "sizes")
    }


def test_v3_a_failed_condition_is_the_modeled_exception_with_the_old_item(v3):
    failure = observed(v3, "conditionFailed")
    item = failure.pop("Item")

    assert failure == {
        **v3_error("ConditionalCheckFailedException", "The conditional request failed"),
        "isModeledClass": True,
    }
    assert item["pk"] == {"S": "customer#1"} and item["price"] == {"N": "19.91"}
    assert item["big"] == {"N": "123456789012345678901234567890"}
    assert sorted(item["tags"]["SS"]) == ["express", "fragile", "gift"]


def test_v3_a_missing_table_is_the_modeled_resource_not_found_exception(v3):
    assert observed(v3, "missingTable") == {
        **v3_error("ResourceNotFoundException", "Requested resource not found"),
        "isModeledClass": True,
    }


def test_v3_an_empty_key_string_is_a_validation_exception(v3):
    assert observed(v3, "emptyKey") == v3_error(
        "ValidationException",
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty string value. Key: pk",
        namespace="com.amazon.coral.validate",
    )


def test_v3_a_canceled_transaction_is_the_modeled_exception_with_reasons(v3):
    assert observed(v3, "transactionCanceled") == {
        **v3_error(
            "TransactionCanceledException",
            "Transaction cancelled, please refer cancellation reasons for specific reasons "
            "[None, ConditionalCheckFailed]",
        ),
        "isModeledClass": True,
        "CancellationReasons": [
            {"Code": "None"},
            {
                "Code": "ConditionalCheckFailed",
                "Message": "The conditional request failed",
                "Item": {
                    "pk": {"S": "customer#2"},
                    "sk": {"N": "0"},
                    "status": {"S": "done"},
                    "total": {"N": "0"},
                },
            },
        ],
        "written": None,
    }


def test_v3_partiql_through_the_document_client(v3):
    assert observed(v3, "partiql") == {
        "items": [{"pk": "customer#4", "sk": number("1"), "tags": {"set": ["a", "b"]}}],
        "duplicate": v3_error("DuplicateItemException", "Duplicate primary key exists in table"),
    }


def test_v3_batch_get_leaves_out_missing_keys(v3):
    got = observed(v3, "batchGet")

    assert sorted(got["items"], key=lambda item: item["pk"]) == [
        {"pk": "customer#2", "sk": number("3")},
        {"pk": "customer#4", "sk": number("1")},
    ]
    assert got["unprocessed"] == {}


def test_v3_deleting_the_table_closes_its_stream(v3):
    assert observed(v3, "deleteTable") == {
        "deleting": "DELETING",
        "waited": "SUCCESS",
        "streamStatus": "DISABLED",
        "ending": [True],
        "pages": 1,
        "records": 33,
    }


def test_v3_paginate_query_walks_the_index_backwards(v3):
    assert observed(v3, "batchWrite") == {"unprocessed": [0, 0]}
    pages = observed(v3, "paginateQuery")

    assert [page["count"] for page in pages] == [4, 4, 4, 0]
    assert pages[0]["lastKey"] == {"pk": "customer#2", "sk": number("15"), "status": "open"}
    assert pages[2]["lastKey"]["sk"] == number("1") and "lastKey" not in pages[-1]
    keys = [(item["sk"]["number"], item["pk"]) for page in pages for item in page["items"]]
    assert [sk for sk, _ in keys] == [str(n) for n in range(21, 0, -2)] + ["1"]
    assert {pk for sk, pk in keys if sk == "1"} == {"customer#1", "customer#2"}


def test_v3_paginate_scan_reads_every_item_once(v3):
    scanned = observed(v3, "paginateScan")

    assert scanned["counts"] == [9, 9, 9, 4]
    assert sorted(scanned["keys"]) == sorted(
        ["customer#1/1", *(f"customer#2/{n}" for n in range(30))]
    )


def test_v3_stream_reader_unmarshalls_every_change(v3):
    records = observed(v3, "stream")

    assert [record["eventName"] for record in records] == ["INSERT", "MODIFY"] + ["INSERT"] * 30
    assert [record["keys"] for record in records[2:]] == [
        {"pk": "customer#2", "sk": n} for n in range(30)
    ]
    assert records[0]["newImage"] == V3_ORDER and "oldImage" not in records[0]
    assert (records[1]["oldImage"], records[1]["newImage"]) == (V3_ORDER, V3_UPDATED)
    assert records[2]["newImage"] == {
        "pk": "customer#2",
        "sk": number("0"),
        "status": "done",
        "total": number("0"),
    }
    numbers = [int(record["sequenceNumber"]) for record in records]
    assert numbers == sorted(set(numbers))
    assert all(WHOLE_SECOND.match(record["created"]) for record in records)


def test_v3_retried_nothing(v3):
    calls = v3["calls"]

    dynamodb = [call for call in calls if call["client"] == "DynamoDBClient"]

    assert len(dynamodb) >= 15 and len(calls) - len(dynamodb) >= 3
    assert [call for call in calls if call["attempts"] != 1] == []
    assert [call for call in dynamodb if not call["crc32"]] == []
