"""A store with a DynamoDB stream, mappings on it, and a fake function to deliver to.

The consumers run on the test's own event loop (`Harness.running`), with the fake target
standing in for the Lambda room's invoke, so batching, retries, bisection, partial failures
and windows are checked without child processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from tidal.awslambda import consumers, mappings, monitoring
from tidal.awslambda.functions import FunctionVersion
from tidal.core import clock
from tidal.core.config import Config
from tidal.core.events import ItemChange, StreamEnabled
from tidal.core.runtime import Runtime
from tidal.storage import open_store
from tidal.streams import shards

ACCOUNT = "000000000000"
REGION = "us-east-1"
TABLE = "things"
STREAM_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}/stream/2024-01-01T00:00:00.000"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:handler"


@dataclass
class Invocation:
    request_id: str
    payload: bytes
    function_error: str | None = None
    error_type: str | None = None
    executed_version: str = "$LATEST"


Answer = Callable[[dict[str, Any]], tuple[str | None, Any]]
"""What the fake function does with an event: (function error or None, result)."""


def succeed(event: dict[str, Any]) -> tuple[str | None, Any]:
    return None, None


@dataclass
class FakeTarget:
    """Records every event; answers as `answer` says."""

    answer: Answer = succeed
    events: list[dict[str, Any]] = field(default_factory=list)
    destinations: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    ids: itertools.count = field(default_factory=itertools.count)

    async def invoke(self, function_arn: str, payload: bytes) -> Invocation:
        event = orjson.loads(payload)
        request_id = f"request-{next(self.ids)}"
        if function_arn != FUNCTION_ARN:
            self.destinations.append((function_arn, event))
            return Invocation(request_id, b"null")
        self.events.append(event)
        error, result = self.answer(event)
        return Invocation(request_id, orjson.dumps(result), error, "Handled" if error else None)

    def keys(self) -> list[list[str]]:
        """The partition keys of each event's records, event by event."""
        return [[r["dynamodb"]["Keys"]["pk"]["S"] for r in e["Records"]] for e in self.events]


def function_version() -> FunctionVersion:
    return FunctionVersion(
        account=ACCOUNT,
        region=REGION,
        name="handler",
        version="$LATEST",
        arn=FUNCTION_ARN,
        qualified_arn=FUNCTION_ARN + ":$LATEST",
        invoked_arn=FUNCTION_ARN,
        runtime="python3.12",
        handler="index.handler",
        role=f"arn:aws:iam::{ACCOUNT}:role/r",
        timeout=3,
        memory_size=128,
        code_dir=Path("."),
        code_sha256="",
        revision_id="",
    )


class Harness:
    def __init__(self, target: FakeTarget | None = None, runtime: Runtime | None = None) -> None:
        self.runtime = runtime or Runtime(Config(port=0, in_memory=True), open_store(None))
        self.target = target or FakeTarget()

    def stream(self, view_type: str = "NEW_AND_OLD_IMAGES") -> str:
        with self.runtime.store.transaction() as txn:
            shards.enable(
                self.runtime,
                txn,
                StreamEnabled(
                    ACCOUNT,
                    REGION,
                    TABLE,
                    STREAM_ARN,
                    STREAM_ARN.rpartition("/")[2],
                    view_type,
                    [{"AttributeName": "pk", "KeyType": "HASH"}],
                    clock.now(),
                ),
            )
        return STREAM_ARN

    def put(self, pk: str, **attributes: str) -> None:
        """Write (insert) an item; its stream record commits with the transaction."""
        new = {"pk": {"S": pk}, **{name: {"S": value} for name, value in attributes.items()}}
        with self.runtime.store.transaction() as txn:
            shards.append(
                self.runtime,
                txn,
                ItemChange(ACCOUNT, REGION, TABLE, STREAM_ARN, "NEW_IMAGE", ("pk",), None, new),
            )

    def map(self, **settings: Any) -> str:
        """Create a mapping (TRIM_HORIZON unless told) and tell the supervisor."""
        params = {
            "EventSourceArn": STREAM_ARN,
            "FunctionName": "handler",
            "StartingPosition": "TRIM_HORIZON",
            **settings,
        }
        mappings.check_create(params)
        with self.runtime.store.transaction() as txn:
            created = mappings.create(txn, ACCOUNT, REGION, params, function_version())
        consumers.changed(self.runtime)
        return created["UUID"]

    def update(self, uuid: str, **settings: Any) -> dict[str, Any]:
        mappings.check_update(settings)
        with self.runtime.store.transaction() as txn:
            updated = mappings.update(txn, ACCOUNT, REGION, {"UUID": uuid, **settings}, None)
        consumers.changed(self.runtime)
        return updated

    def delete(self, uuid: str) -> None:
        with self.runtime.store.transaction() as txn:
            mappings.delete(txn, ACCOUNT, REGION, uuid)
        consumers.changed(self.runtime)

    def mapping(self, uuid: str) -> dict[str, Any]:
        with self.runtime.store.transaction(write=False) as txn:
            return mappings.get(txn, ACCOUNT, REGION, uuid)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Harness]:
        task = asyncio.ensure_future(consumers.run(self.runtime, lambda *_: self.target, lambda: 0))
        await asyncio.sleep(0)
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def idle(self, timeout: float = 5.0) -> None:
        reasons = await monitoring.wait_until_idle(self.runtime, timeout)
        assert not reasons, reasons
