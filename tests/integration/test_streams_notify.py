"""The in-process notification: a commit wakes the consumers waiting on its stream."""

from __future__ import annotations

import asyncio
import time

from tests.integration.streams_support import read_stream, stream_table
from tidal.streams.notify import notifier, wait_for_records
from tidal.testing.waiting import until


def test_a_put_wakes_a_waiting_consumer(dynamodb, dynamodbstreams, table_name, tidal_server):
    arn = stream_table(dynamodb, table_name, "NEW_IMAGE")
    runtime = tidal_server.runtime

    async def consume() -> float:
        assert not await wait_for_records(runtime, arn, None, 0.01)
        waiting = asyncio.create_task(wait_for_records(runtime, arn, None, 60))
        await until(lambda: notifier(runtime).waiters(arn) == 1)
        assert not waiting.done()
        await asyncio.to_thread(dynamodb.put_item, TableName=table_name, Item={"pk": {"S": "a"}})
        put_done = time.monotonic()
        assert await waiting
        return time.monotonic() - put_done

    assert asyncio.run(consume()) < 1
    (record,) = read_stream(dynamodbstreams, arn)
    number = record["dynamodb"]["SequenceNumber"]

    async def caught_up() -> tuple[bool, bool]:
        behind = await wait_for_records(runtime, arn, str(int(number) - 1), 60)
        return behind, await wait_for_records(runtime, arn, number, 0.01)

    assert asyncio.run(caught_up()) == (True, False)


def test_disabling_the_stream_wakes_its_consumers(dynamodb, table_name, tidal_server):
    arn = stream_table(dynamodb, table_name, "KEYS_ONLY")
    runtime = tidal_server.runtime

    async def consume() -> bool:
        waiting = asyncio.create_task(wait_for_records(runtime, arn, None, 60))
        await until(lambda: notifier(runtime).waiters(arn) == 1)
        await asyncio.to_thread(
            dynamodb.update_table,
            TableName=table_name,
            StreamSpecification={"StreamEnabled": False},
        )
        return await waiting

    assert asyncio.run(consume())
