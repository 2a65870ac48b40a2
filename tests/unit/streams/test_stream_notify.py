"""The notifier: waits end when a newer record commits, on any thread, or time out."""

from __future__ import annotations

import asyncio
import threading

from tidal.streams.notify import Notifier
from tidal.testing.waiting import until

ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/label"


def test_a_record_published_on_another_thread_wakes_the_waiter():
    notifier = Notifier()

    async def scenario() -> bool:
        waiting = asyncio.create_task(notifier.wait(ARN, 5, 60))
        await until(lambda: notifier.waiters(ARN) == 1)
        writer = threading.Thread(target=notifier.published, args=(ARN, 6))
        writer.start()
        woken = await waiting
        writer.join()
        return woken

    assert asyncio.run(scenario())
    assert notifier._waiters == {}


def test_waits_for_what_is_newer_than_the_caller_has():
    notifier = Notifier()
    notifier.published(ARN, 10)

    async def scenario() -> tuple[bool, bool]:
        return await notifier.wait(ARN, 9, 0), await notifier.wait(ARN, 10, 0.01)

    assert asyncio.run(scenario()) == (True, False)
    assert notifier._waiters == {}


def test_a_shard_change_wakes_without_a_record():
    notifier = Notifier()

    async def scenario() -> bool:
        waiting = asyncio.create_task(notifier.wait(ARN, 0, 60))
        await until(lambda: notifier.waiters(ARN) == 1)
        notifier.changed(ARN)
        notifier.changed("arn:other")
        return await waiting

    assert asyncio.run(scenario())


def test_other_streams_do_not_wake_the_waiter():
    notifier = Notifier()

    async def scenario() -> bool:
        waiting = asyncio.create_task(notifier.wait(ARN, 0, 0.01))
        await until(lambda: notifier.waiters(ARN) == 1)
        notifier.published("arn:other", 99)
        return await waiting

    assert not asyncio.run(scenario())


def test_seed_keeps_the_newest():
    notifier = Notifier()
    assert not notifier.knows(ARN)
    notifier.published(ARN, 20)
    notifier.seed(ARN, 10)
    assert notifier.knows(ARN)

    async def scenario() -> bool:
        return await notifier.wait(ARN, 15, 0)

    assert asyncio.run(scenario())
