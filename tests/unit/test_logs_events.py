"""Log events in the store: in-process ingestion, GetLogEvents pages and tokens, retention."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidal.logs import events, groups, ingest, streams
from tidal.logs.errors import InvalidParameterException
from tidal.storage import Store, open_store

ACCOUNT, REGION = "123456789012", "eu-west-3"
GROUP, STREAM = "/aws/lambda/envoi_email", "2016/02/26/[$LATEST]1b3343a141eb437a9f642444b6b6e360"
NOW = 1_700_000_000_000


@pytest.fixture
def store() -> Iterator[Store]:
    opened = open_store(None)
    yield opened
    opened.close()


def put(store: Store, stamps: list[int], stream: str = STREAM) -> None:
    with store.transaction() as txn:
        ingest.put_events(
            txn, ACCOUNT, REGION, GROUP, stream, [(stamp, f"at {stamp}\n") for stamp in stamps]
        )


def get(store: Store, stream: str = STREAM, now_ms: int = NOW, **params) -> dict:
    with store.transaction(write=False) as txn:
        group = groups.require(txn, ACCOUNT, REGION, GROUP)
        found = streams.require(txn, ACCOUNT, REGION, GROUP, stream)
        identity = streams.key_of(ACCOUNT, REGION, GROUP, stream)
        return events.get_log_events(txn, group, found, identity, params, now_ms)


def stamps_of(page: dict) -> list[int]:
    return [event["timestamp"] for event in page["events"]]


def test_ingest_creates_the_group_and_the_stream_and_keeps_event_times(store):
    put(store, [NOW - 5, NOW - 3])
    put(store, [NOW - 9])
    with store.transaction(write=False) as txn:
        group = groups.load(txn, ACCOUNT, REGION, GROUP)
        stream = streams.load(txn, ACCOUNT, REGION, GROUP, STREAM)
    assert group["name"] == GROUP and group["bytes"] == 3 * len(f"at {NOW}\n")
    assert (stream["first"], stream["last"]) == (NOW - 9, NOW - 3)
    page = get(store, startFromHead=True)
    assert stamps_of(page) == [NOW - 9, NOW - 5, NOW - 3]
    assert page["events"][0]["message"] == f"at {NOW - 9}\n"


def test_events_of_one_timestamp_come_in_ingestion_order(store):
    with store.transaction() as txn:
        ingest.put_events(txn, ACCOUNT, REGION, GROUP, STREAM, [(NOW, "first"), (NOW, "second")])
        ingest.put_events(txn, ACCOUNT, REGION, GROUP, STREAM, [(NOW, "third")])
    assert [event["message"] for event in get(store)["events"]] == ["first", "second", "third"]


def test_the_default_page_is_the_newest_and_backward_tokens_walk_to_the_start(store):
    put(store, list(range(NOW - 10, NOW)))
    page = get(store, limit=4)
    assert stamps_of(page) == list(range(NOW - 4, NOW))
    seen = stamps_of(page)
    token = page["nextBackwardToken"]
    while True:
        page = get(store, limit=4, nextToken=token)
        if page["nextBackwardToken"] == token:
            assert page["events"] == []
            break
        seen = stamps_of(page) + seen
        token = page["nextBackwardToken"]
    assert seen == list(range(NOW - 10, NOW))


def test_forward_tokens_end_on_the_token_sent_and_then_see_new_events(store):
    put(store, [NOW - 3, NOW - 2])
    page = get(store, startFromHead=True, limit=1)
    assert stamps_of(page) == [NOW - 3]
    page = get(store, nextToken=page["nextForwardToken"], startFromHead=True)
    assert stamps_of(page) == [NOW - 2]
    end = page["nextForwardToken"]
    again = get(store, nextToken=end, startFromHead=True)
    assert again["events"] == [] and again["nextForwardToken"] == end
    put(store, [NOW - 1])
    assert stamps_of(get(store, nextToken=end, startFromHead=True)) == [NOW - 1]


def test_time_range_is_start_inclusive_and_end_exclusive(store):
    put(store, [NOW - 3, NOW - 2, NOW - 1])
    page = get(store, startTime=NOW - 3, endTime=NOW - 1, startFromHead=True)
    assert stamps_of(page) == [NOW - 3, NOW - 2]
    assert stamps_of(get(store, startTime=NOW - 3, endTime=NOW - 1)) == [NOW - 3, NOW - 2]


def test_an_empty_stream_answers_tokens_that_repeat(store):
    with store.transaction() as txn:
        ingest.put_events(txn, ACCOUNT, REGION, GROUP, STREAM, [])
    page = get(store)
    assert page["events"] == []
    assert page["nextForwardToken"].startswith("f/") and len(page["nextForwardToken"]) == 58
    again = get(store, nextToken=page["nextBackwardToken"])
    assert again["nextBackwardToken"] == page["nextBackwardToken"]


@pytest.mark.parametrize(
    "token", ["garbage", "f/123", "x/" + "0" * 56, "f/" + "9" * 56, "b/" + "0" * 55 + "a"]
)
def test_tokens_that_tidal_did_not_make_are_refused(store, token):
    put(store, [NOW])
    with pytest.raises(InvalidParameterException) as raised:
        get(store, nextToken=token)
    assert raised.value.message == "The specified nextToken is invalid."


def test_a_token_of_another_stream_is_refused(store):
    put(store, [NOW], stream="a")
    put(store, [NOW], stream="b")
    token = get(store, stream="a")["nextForwardToken"]
    with pytest.raises(InvalidParameterException):
        get(store, stream="b", nextToken=token)


def test_a_page_holds_at_most_one_megabyte(store):
    with store.transaction() as txn:
        big = "x" * 300_000
        ingest.put_events(txn, ACCOUNT, REGION, GROUP, STREAM, [(NOW + i, big) for i in range(5)])
    first = get(store, startFromHead=True)
    assert len(first["events"]) == 3
    rest = get(store, nextToken=first["nextForwardToken"], startFromHead=True)
    assert len(rest["events"]) == 2


def test_events_older_than_the_retention_are_not_returned(store):
    day = 86_400_000
    put(store, [NOW - 3 * day, NOW - 2 * day, NOW - day // 2])
    with store.transaction() as txn:
        groups.set_retention(txn, ACCOUNT, REGION, GROUP, 1)
    assert stamps_of(get(store)) == [NOW - day // 2]
    assert stamps_of(get(store, startFromHead=True)) == [NOW - day // 2]


@settings(max_examples=40)
@given(
    stamps=st.lists(st.integers(NOW - 50, NOW), max_size=40),
    limit=st.integers(1, 7),
    from_head=st.booleans(),
)
def test_walking_the_pages_sees_every_event_once_in_order(stamps, limit, from_head):
    with closing(open_store(None)) as store:
        put(store, stamps)
        expected = sorted(stamps)
        direction = "nextForwardToken" if from_head else "nextBackwardToken"
        page = get(store, limit=limit, startFromHead=from_head)
        pages = [stamps_of(page)]
        while True:
            token = page[direction]
            page = get(store, limit=limit, nextToken=token)
            if page[direction] == token:
                break
            pages.append(stamps_of(page))
        seen = [stamp for chunk in (pages if from_head else pages[::-1]) for stamp in chunk]
        assert seen == expected
