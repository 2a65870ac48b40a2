"""`tidal serve` as a user runs it: a real process, its flags, its data folder, its signals."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import orjson
import pytest

from tidal.testing.plugin import client

ENDPOINT = re.compile(rb"serving on (http://[\d.]+:\d+)")


class Served:
    """A `tidal serve` child process on an ephemeral port; stopped by the test that started it."""

    def __init__(self, *args: str, cwd: Path, env: dict[str, str] | None = None) -> None:
        command = [sys.executable, "-m", "tidal.cli", "serve", "--port", "0", *args]
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {}), "COLUMNS": "200"},
        )
        self.output = b""
        self.endpoint = self._wait_for_endpoint()

    def _wait_for_endpoint(self) -> str | None:
        for line in self.process.stdout:
            self.output += line
            match = ENDPOINT.search(line)
            if match:
                return match.group(1).decode()
        return None

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        self.output += self.process.stdout.read()
        return self.process.wait(timeout=30)


@pytest.fixture
def serve(tmp_path):
    started: list[Served] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Served:
        served = Served(*args, cwd=tmp_path, env=env)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop(signal.SIGKILL)


def health(endpoint: str) -> dict:
    with urllib.request.urlopen(f"{endpoint}/_tidal/health", timeout=10) as response:
        return orjson.loads(response.read())


def make_table(dynamodb, name: str = "things") -> None:
    dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_serve_prints_endpoint_and_data_folder_and_stops_on_sigterm(serve, tmp_path):
    served = serve()
    assert served.endpoint, served.output
    assert str(tmp_path / ".tidal") in served.output.decode()
    document = health(served.endpoint)
    assert document["store"]["durability"] == "normal"
    assert served.stop(signal.SIGTERM) == 0
    assert served.stop(signal.SIGINT) == 0


def test_data_survive_a_restart(serve, tmp_path):
    first = serve()
    dynamodb = client("dynamodb", first.endpoint)
    make_table(dynamodb)
    dynamodb.put_item(TableName="things", Item={"pk": {"S": "kept"}})
    assert first.stop(signal.SIGINT) == 0
    second = serve()
    dynamodb = client("dynamodb", second.endpoint)
    item = dynamodb.get_item(TableName="things", Key={"pk": {"S": "kept"}})
    assert item["Item"] == {"pk": {"S": "kept"}}


def test_second_server_on_the_same_folder_is_refused(serve):
    first = serve("--durability", "full")
    assert first.endpoint
    assert health(first.endpoint)["store"]["durability"] == "full"
    second = serve()
    assert second.endpoint is None
    assert second.stop() == 1
    assert b"another Tidal server" in second.output


def test_port_out_of_range_is_a_usage_error(serve):
    served = serve("--in-memory", "--port", "70000")
    assert served.endpoint is None
    assert served.stop() == 2
    assert b"70000 is not in the range 0<=x<=65535" in served.output
    assert b"Traceback" not in served.output


def test_damaged_store_is_refused_with_a_clear_message(serve, tmp_path):
    (tmp_path / ".tidal").mkdir()
    (tmp_path / ".tidal" / "tidal.db").write_bytes(b"not a database" * 500)
    served = serve()
    assert served.endpoint is None
    assert served.stop() == 1
    assert b"cannot open the store" in served.output
    assert b"Traceback" not in served.output


def test_data_folder_that_cannot_be_made_is_refused(serve, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    served = serve("--data-dir", "file/store")
    assert served.endpoint is None
    assert served.stop() == 1
    assert b"cannot use the data folder file/store: Not a directory" in served.output
    assert b"Traceback" not in served.output


def test_in_memory_writes_no_files(serve, tmp_path):
    served = serve("--in-memory")
    make_table(client("dynamodb", served.endpoint))
    assert served.stop() == 0
    assert list(tmp_path.iterdir()) == []


def test_flags_come_from_the_environment(serve, tmp_path):
    served = serve(env={"TIDAL_DATA_DIR": str(tmp_path / "elsewhere")})
    assert str(tmp_path / "elsewhere") in served.output.decode()
    make_table(client("dynamodb", served.endpoint))
    assert (tmp_path / "elsewhere").is_dir()


def kill_during_writes(served: Served, table: str, writes_before_kill: int) -> list[str]:
    """PutItem from four threads until `served` is killed with SIGKILL; the keys acknowledged.

    Each item is {"pk": key, "n": its number}; the kill comes once a writer has had
    `writes_before_kill` writes acknowledged.
    """
    acknowledged: list[str] = []
    enough = threading.Event()

    def write(writer_id: int) -> None:
        writer = client("dynamodb", served.endpoint)
        for n in range(100_000):
            key = f"k{writer_id}-{n}"
            try:
                writer.put_item(TableName=table, Item={"pk": {"S": key}, "n": {"N": str(n)}})
            except Exception:
                return
            acknowledged.append(key)
            if n == writes_before_kill:
                enough.set()

    writers = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in writers:
        thread.start()
    assert enough.wait(60)
    served.stop(signal.SIGKILL)
    for thread in writers:
        thread.join(60)
    return acknowledged


def test_kill_9_during_writes_keeps_every_acknowledged_write(serve):
    served = serve()
    make_table(client("dynamodb", served.endpoint))
    acknowledged = kill_during_writes(served, "things", writes_before_kill=200)
    reopened = serve()
    dynamodb = client("dynamodb", reopened.endpoint)
    for key in acknowledged:
        assert "Item" in dynamodb.get_item(TableName="things", Key={"pk": {"S": key}}), key
