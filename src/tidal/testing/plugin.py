"""pytest plugin: a Tidal server on an ephemeral 127.0.0.1 port, and boto3 clients for it.

Registered through the `pytest11` entry point, so any project that installs Tidal gets
`tidal_server`, `tidal_endpoint` and `dynamodb` fixtures.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from functools import partial

import boto3
import pytest
from botocore.config import Config as BotocoreConfig

from tidal.dynamodb import expiry
from tidal.server.runner import Server
from tidal.streams import maintenance
from tidal.testing import idle

CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


@pytest.fixture(scope="session")
def tidal_server() -> Iterator[Server]:
    """One in-memory server for the session; fails the test that made it answer a 500."""
    with Server() as server:
        yield server


@pytest.fixture(autouse=True)
def _no_internal_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    if "tidal_server" not in request.fixturenames:
        yield
        return
    server: Server = request.getfixturevalue("tidal_server")
    before = len(server.app.internal_errors)
    yield
    errors = server.app.internal_errors[before:]
    assert not errors, "the server answered 500:\n" + "\n".join(errors)


@pytest.fixture(scope="session")
def tidal_endpoint(tidal_server: Server) -> str:
    return tidal_server.endpoint


def client(service: str, endpoint: str, region: str = "us-east-1", **credentials: str):
    """A boto3 client for `service` at `endpoint` that fails fast instead of retrying."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        config=BotocoreConfig(retries={"total_max_attempts": 1, "mode": "standard"}),
        **(credentials or CREDENTIALS),
    )


@pytest.fixture(scope="session")
def wait_for_idle(tidal_endpoint: str) -> Callable[..., None]:
    """`wait_for_idle(timeout=10.0)`: return once every stream trigger has caught up and no
    invocation runs (see `tidal.testing.idle`)."""
    return partial(idle.wait_for_idle, tidal_endpoint)


@pytest.fixture(scope="session")
def dynamodb(tidal_endpoint: str):
    return client("dynamodb", tidal_endpoint)


@pytest.fixture
def table_name() -> str:
    """A table name no other test uses."""
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def expire_now(tidal_server: Server) -> Iterator[Callable[[], int]]:
    """`expire_now()` runs a whole TTL sweep in the server and returns how many items it deleted.

    While a test uses this fixture the server's background sweeper deletes nothing, so items
    expire exactly when the test says so (move time with `monkeypatch` on
    `tidal.core.clock.now`).
    """
    with expiry.held(tidal_server.runtime):
        yield lambda: expiry.sweep_now(tidal_server.runtime)


@pytest.fixture(scope="session")
def dynamodbstreams(tidal_endpoint: str):
    return client("dynamodbstreams", tidal_endpoint)


@pytest.fixture
def stream_maintenance(tidal_server: Server) -> Iterator[Callable[[], None]]:
    """`stream_maintenance()` does the stream work that is due: shards open for the rollover
    interval roll over, records older than the retention period are trimmed.

    While a test uses this fixture the server's background task does none of it, so it happens
    exactly when the test says so (move time with `monkeypatch` on `tidal.core.clock.now`).
    """
    with maintenance.held(tidal_server.runtime):
        yield lambda: maintenance.maintain_all(tidal_server.runtime)
