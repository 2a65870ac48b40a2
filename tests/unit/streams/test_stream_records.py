"""Stream records built from item changes: images, sizes, numbers, no-op writes, TTL identity."""

from __future__ import annotations

import orjson

from tidal.core.events import TTL_IDENTITY, ItemChange
from tidal.streams import records

ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2025-01-01T00:00:00.000"


def change(view_type: str, old: dict | None, new: dict | None, **extra) -> ItemChange:
    return ItemChange(
        account="000000000000",
        region="eu-west-1",
        table_name="t",
        stream_arn=ARN,
        view_type=view_type,
        key_names=("pk",),
        old=old,
        new=new,
        **extra,
    )


OLD = {"pk": {"S": "k"}, "a": {"S": "old"}}
NEW = {"pk": {"S": "k"}, "a": {"S": "new!"}}


def built(view_type: str, old: dict | None, new: dict | None, **extra) -> dict:
    record = records.build(change(view_type, old, new, **extra), 1700.9)
    return orjson.loads(records.numbered(record, 10**20 + 7))


def test_a_modify_record_for_each_view_type():
    for size, view_type in enumerate(("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")):
        record = built(view_type, OLD, NEW, size_bytes=size)
        assert record["eventName"] == "MODIFY"
        body = record["dynamodb"]
        assert body["SizeBytes"] == size
        assert body["SequenceNumber"] == "100000000000000000007"
        assert ("NewImage" in body) == (view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"))
        assert ("OldImage" in body) == (view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"))


def test_insert_and_remove_leave_out_the_image_that_does_not_exist():
    insert = built("NEW_AND_OLD_IMAGES", None, NEW)
    assert insert["eventName"] == "INSERT"
    assert set(insert["dynamodb"]) == {
        "ApproximateCreationDateTime",
        "Keys",
        "NewImage",
        "SequenceNumber",
        "SizeBytes",
        "StreamViewType",
    }
    remove = built("NEW_IMAGE", OLD, None)
    assert remove["eventName"] == "REMOVE"
    assert remove["dynamodb"]["Keys"] == {"pk": {"S": "k"}}
    assert "NewImage" not in remove["dynamodb"] and "OldImage" not in remove["dynamodb"]
    assert remove["dynamodb"]["ApproximateCreationDateTime"] == 1700
    assert remove["awsRegion"] == "eu-west-1"
    assert records.created_at(records.build(change("KEYS_ONLY", OLD, None), 5.5)) == 5


def test_only_the_envelope_gets_the_sequence_number():
    tricky = {
        "pk": {"S": '"SequenceNumber":""'},
        "SequenceNumber": {"S": ""},
        "m": {"M": {"SequenceNumber": {"SS": [""]}}},
    }
    record = built("NEW_AND_OLD_IMAGES", tricky, {**tricky, "x": {"NULL": True}})
    assert record["dynamodb"]["SequenceNumber"] == "100000000000000000007"
    assert record["dynamodb"]["OldImage"] == tricky
    assert record["dynamodb"]["NewImage"] == {**tricky, "x": {"NULL": True}}


def test_ttl_deletes_name_the_dynamodb_service():
    record = built("KEYS_ONLY", OLD, None, identity=TTL_IDENTITY)
    assert record["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
    assert list(record)[-1] == "userIdentity"


def test_which_writes_change_the_item():
    item = {"pk": {"S": "k"}, "s": {"SS": ["a", "b"]}, "l": {"L": [{"NS": ["1", "2"]}]}}
    reordered = {"pk": {"S": "k"}, "s": {"SS": ["b", "a"]}, "l": {"L": [{"NS": ["2", "1"]}]}}
    assert not records.changes_item(change("KEYS_ONLY", item, dict(item)))
    assert not records.changes_item(change("KEYS_ONLY", item, reordered))
    assert records.changes_item(change("KEYS_ONLY", item, {**item, "s": {"SS": ["a"]}}))
    assert records.changes_item(change("KEYS_ONLY", item, {**item, "s": {"S": "a"}}))
    assert records.changes_item(change("KEYS_ONLY", item, {**item, "l": {"L": []}}))
    assert records.changes_item(change("KEYS_ONLY", None, item))
    assert records.changes_item(change("KEYS_ONLY", item, None))
    assert records.changes_item(change("KEYS_ONLY", {"pk": {"S": "k"}}, item))
    nested = {"pk": {"S": "k"}, "m": {"M": {"x": {"BS": ["AA==", "AQ=="]}}}}
    nested_reordered = {"pk": {"S": "k"}, "m": {"M": {"x": {"BS": ["AQ==", "AA=="]}}}}
    assert not records.changes_item(change("KEYS_ONLY", nested, nested_reordered))
