"""Stream triggers across restarts of `tidal serve` on a data folder: each mapping resumes after
its checkpoint, so no record is skipped and none is delivered twice, beyond the batch that was
in flight when the server was killed."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tidal.testing.idle import wait_for_idle
from tidal.testing.waiting import eventually

from .lambda_mapping_support import Triggers, events_in, keys

ENDPOINT = re.compile(rb"serving on (http://[\d.]+:\d+)")
SLOW = "import time\n\ndef answer(event):\n    time.sleep(0.02)\n    return None\n"


class Served:
    """`tidal serve` on an ephemeral port and a data folder, stopped by the test by PID."""

    def __init__(self, data_dir: Path) -> None:
        command = [
            sys.executable, "-m", "tidal.cli", "serve", "--port", "0", "--data-dir", str(data_dir),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=data_dir.parent
        )
        self.output = b""
        for line in self.process.stdout:
            self.output += line
            match = ENDPOINT.search(line)
            if match:
                self.endpoint = match.group(1).decode()
                return
        raise AssertionError(f"tidal serve did not start: {self.output.decode()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        self.process.stdout.read()
        self.process.wait(timeout=30)


@pytest.fixture
def serve(tmp_path):
    started: list[Served] = []

    def start() -> Served:
        served = Served(tmp_path / "data")
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop(signal.SIGKILL)


def delivered(events: Path, stream: str) -> list[str]:
    return [key for event in events_in(events, stream) for key in keys(event)]


def until_file_has(path: Path, lines: int, timeout: float = 30.0) -> None:
    eventually(lambda: len(path.read_text().splitlines()) >= lines, timeout)


def test_a_stopped_server_resumes_each_mapping_after_its_checkpoint(serve, tmp_path):
    first = serve()
    triggers = Triggers(first.endpoint, tmp_path)
    name, events = triggers.function()
    table, stream = triggers.table()
    mapping = triggers.map(name, stream, BatchSize=3)
    for n in range(10):
        triggers.put(table, f"k{n:02}")
    wait_for_idle(first.endpoint, 30)
    first.stop(signal.SIGTERM)

    second = serve()
    again = Triggers(second.endpoint, tmp_path)
    assert again.lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Enabled"
    for n in range(10, 20):
        again.put(table, f"k{n:02}")
    wait_for_idle(second.endpoint, 30)
    assert delivered(events, stream) == [f"k{n:02}" for n in range(20)]


def test_a_killed_server_redelivers_at_most_the_batch_in_flight(serve, tmp_path):
    first = serve()
    triggers = Triggers(first.endpoint, tmp_path)
    name, events = triggers.function(SLOW)
    table, stream = triggers.table()
    triggers.map(name, stream, BatchSize=2)
    for n in range(30):
        triggers.put(table, f"k{n:02}")
    until_file_has(events, 4)
    first.stop(signal.SIGKILL)

    second = serve()
    wait_for_idle(second.endpoint, 60)
    seen = delivered(events, stream)
    expected = [f"k{n:02}" for n in range(30)]
    again = len(seen) - len(expected)
    assert 0 <= again <= 2
    resumed = next((i for i in range(1, len(seen)) if seen[i] <= seen[i - 1]), len(seen))
    assert seen[:resumed] == expected[:resumed]
    assert seen[resumed:] == expected[resumed - again :]


def test_a_mapping_disabled_before_a_restart_stays_where_it_was(serve, tmp_path):
    first = serve()
    triggers = Triggers(first.endpoint, tmp_path)
    name, events = triggers.function()
    table, stream = triggers.table()
    mapping = triggers.map(name, stream)
    triggers.put(table, "before")
    wait_for_idle(first.endpoint, 30)
    triggers.lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    wait_for_idle(first.endpoint, 30)
    triggers.put(table, "while-disabled")
    first.stop(signal.SIGTERM)

    second = serve()
    again = Triggers(second.endpoint, tmp_path)
    assert again.lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Disabled"
    wait_for_idle(second.endpoint, 30)
    assert delivered(events, stream) == ["before"]
    again.lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    wait_for_idle(second.endpoint, 30)
    assert delivered(events, stream) == ["before", "while-disabled"]
