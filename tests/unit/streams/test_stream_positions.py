"""Stream ARNs, sequence numbers, shard ranges and shard iterators."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tidal.core.errors import ValidationException
from tidal.streams import iterators, streams

ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/my.table-1/stream/2016-02-26T13:23:10.193"


def test_stream_keys_come_from_arns():
    assert streams.key_of(ARN) == "123456789012:eu-west-1:my.table-1/2016-02-26T13:23:10.193"
    for wrong in (
        "arn:aws:dynamodb:eu-west-1:123456789012:table/my.table-1",
        "arn:aws:dynamodb:eu-west-1:123:table/t/stream/x",
        "arn:aws:lambda:eu-west-1:123456789012:table/t/stream/x",
        ARN + "/more",
        "not an arn at all",
    ):
        assert streams.key_of(wrong) is None, wrong


@given(st.integers(min_value=1, max_value=2**63 - 1), st.integers(min_value=1, max_value=10**6))
def test_sequence_numbers_come_from_log_positions(position, step):
    number = streams.sequence_of(position)
    assert len(str(number)) == 21
    assert number < streams.sequence_of(position + step)
    assert streams.position_of(number) == position


def test_a_shard_holds_the_records_up_to_its_end():
    assert streams.until({"ShardId": "shardId-1", "start": "100000000000000000001"}) is None
    closed = {"ShardId": "shardId-1", "start": "100000000000000000001", "end": str(10**20 + 9)}
    assert streams.until(closed) == 9


def test_iterators_round_trip():
    shard = "shardId-00000001456492990193-0a1b2c3d"
    iterator = iterators.encode(ARN, shard, 10**20 + 7, 1456492990.1934)
    assert iterator.startswith(ARN + "|1|")
    assert iterators.decode(iterator) == (ARN, shard, 10**20 + 7, 1456492990.193)


@pytest.mark.parametrize(
    "iterator",
    [
        "x" * 60,
        ARN + "|1|not base64!",
        ARN + "|2|" + iterators.encode(ARN, "shardId-1", 1, 0).split("|")[2],
        ARN + "|1|" + "c2hhcmRJZC0xfHh8MQ==",  # "shardId-1|x|1": no position
        ARN + "|1|" + "b3RoZXJ8MXwx",  # "other|1|1": no shard
        iterators.encode(ARN, "shardId-1", -1, 0),
        iterators.encode(ARN, "shardId-1", 256**17, 0),
    ],
)
def test_a_broken_iterator_is_refused(iterator):
    with pytest.raises(ValidationException, match=r"^Invalid ShardIterator$"):
        iterators.decode(iterator)
