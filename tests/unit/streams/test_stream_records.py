"""Stream records built from item changes: images, sizes, no-op writes, TTL identity."""

from __future__ import annotations

import base64

import orjson
from hypothesis import given
from hypothesis import strategies as st

from tidal.core.events import TTL_IDENTITY, ItemChange
from tidal.dynamodb import types
from tidal.streams import records

ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2025-01-01T00:00:00.000"

names = st.text(min_size=1, max_size=8)
numbers = st.decimals(min_value=-(10**20), max_value=10**20, places=4).map(
    lambda number: types.canonical_number(str(number))
)
binaries = st.binary(max_size=12).map(lambda data: base64.b64encode(data).decode())
scalars = st.one_of(
    st.text(max_size=12).map(lambda text: {"S": text}),
    numbers.map(lambda number: {"N": number}),
    binaries.map(lambda data: {"B": data}),
    st.booleans().map(lambda flag: {"BOOL": flag}),
    st.just({"NULL": True}),
    st.lists(st.text(max_size=6), min_size=1, max_size=4, unique=True).map(lambda s: {"SS": s}),
    st.lists(numbers, min_size=1, max_size=4, unique=True).map(lambda s: {"NS": s}),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: {"L": items}),
        st.dictionaries(names, inner, max_size=3).map(lambda members: {"M": members}),
    ),
    max_leaves=8,
)
items = st.dictionaries(names, values, max_size=5)


@given(items)
def test_item_size_is_dynamodbs(item):
    assert records.item_size(item) == types.item_size(item)


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
    return orjson.loads(records.build(change(view_type, old, new, **extra), "1" * 21, 1700.9))


def test_a_modify_record_for_each_view_type():
    sizes = {"KEYS_ONLY": 3, "NEW_IMAGE": 3 + 8, "OLD_IMAGE": 3 + 7, "NEW_AND_OLD_IMAGES": 18}
    for view_type, size in sizes.items():
        record = built(view_type, OLD, NEW)
        assert record["eventName"] == "MODIFY"
        body = record["dynamodb"]
        assert body["SizeBytes"] == size
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
    assert records.created_at(records.build(change("KEYS_ONLY", OLD, None), "1" * 21, 5.5)) == 5


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
