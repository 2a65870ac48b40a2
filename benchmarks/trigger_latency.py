"""Stream trigger latency and throughput: DynamoDB write → event source mapping → Python handler.

1. Latency: a warm function behind a mapping with BatchSize 1 and no batching window; each
   PutItem is sent alone, and the time from its HTTP response reaching the client to the
   handler's first line is measured (both clocks are this machine's). The handler may start
   before the client has read the response, so a figure can be negative.
2. Throughput: PutItems at a fixed rate (2,000/s by default) through one mapping with
   BatchSize 100, while the mapping's lag (records behind, age of the oldest) is sampled
   from `/_tidal/lambda/event-source-mappings`; then the time to drain.

python benchmarks/trigger_latency.py [--puts 300] [--rate 2000] [--seconds 10] [--in-memory]
python benchmarks/trigger_latency.py --endpoint http://127.0.0.1:8000   # a running server

The server is started (`tidal serve --port 0`, on a temporary data folder unless
`--in-memory`) and stopped by the script unless `--endpoint` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
import zipfile
from pathlib import Path

import boto3
from botocore.config import Config as BotocoreConfig

from workloads import Endpoint, build_request

ENDPOINT = re.compile(rb"serving on (http://[\d.]+:\d+)")
REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
HANDLER = """import os, time

LOG = open(os.environ["ARRIVALS"], "a", buffering=1)

def handler(event, context):
    started = time.time()
    for record in event["Records"]:
        LOG.write(record["dynamodb"]["Keys"]["pk"]["S"] + " " + repr(started) + "\\n")
"""


def client(service: str, endpoint: str):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        config=BotocoreConfig(retries={"max_attempts": 1}),
        **CREDENTIALS,
    )


class Server:
    """`tidal serve` in a child process, unless an endpoint was given."""

    def __init__(self, endpoint: str | None, in_memory: bool, folder: Path) -> None:
        self.process = None
        if endpoint:
            self.endpoint = endpoint
            return
        store = ["--in-memory"] if in_memory else ["--data-dir", str(folder / "data")]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tidal.cli", "serve", "--port", "0", *store],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for line in self.process.stdout:
            match = ENDPOINT.search(line)
            if match:
                self.endpoint = match.group(1).decode()
                threading.Thread(target=self.process.stdout.read, daemon=True).start()
                return
        raise SystemExit("tidal serve ended without serving")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


class Trigger:
    """A table with a stream, a function writing down when each record reached it, a mapping."""

    def __init__(self, endpoint: str, folder: Path, role: str, **settings: int) -> None:
        self.endpoint = endpoint
        name = f"bench-{uuid.uuid4().hex[:8]}"
        self.table = name
        self.arrivals = folder / f"{name}.arrivals"
        self.arrivals.touch()
        dynamodb, lam = client("dynamodb", endpoint), client("lambda", endpoint)
        stream = dynamodb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )["TableDescription"]["LatestStreamArn"]
        package = io.BytesIO()
        with zipfile.ZipFile(package, "w") as archive:
            archive.writestr("index.py", HANDLER)
        lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": package.getvalue()},
            Environment={"Variables": {"ARRIVALS": str(self.arrivals)}},
        )
        lam.get_waiter("function_active_v2").wait(FunctionName=name)
        self.uuid = lam.create_event_source_mapping(
            FunctionName=name, EventSourceArn=stream, StartingPosition="LATEST", **settings
        )["UUID"]
        wait_for_idle(endpoint)

    def arrived(self) -> dict[str, float]:
        found = {}
        for line in self.arrivals.read_text().splitlines():
            key, started = line.split()
            found[key] = float(started)
        return found

    def lag(self) -> tuple[int, float]:
        url = f"{self.endpoint}/_tidal/lambda/event-source-mappings"
        with urllib.request.urlopen(url) as response:
            listed = json.loads(response.read())["EventSourceMappings"]
        mapping = next(m for m in listed if m["UUID"] == self.uuid)
        records = sum(shard["LagRecords"] for shard in mapping["Shards"])
        ages = [shard["OldestUnprocessedAgeSeconds"] or 0 for shard in mapping["Shards"]]
        return records, max(ages, default=0.0)


def wait_for_idle(endpoint: str, timeout: float = 120.0) -> None:
    with urllib.request.urlopen(f"{endpoint}/_tidal/idle?wait={timeout}") as response:
        answer = json.loads(response.read())
    if not answer["idle"]:
        raise SystemExit(f"not idle after {timeout} s: {answer['busy']}")


def put_request(endpoint: Endpoint, table: str, key: str) -> bytes:
    return build_request(
        endpoint, REGION, "PutItem", {"TableName": table, "Item": {"pk": {"S": key}}}
    )


async def send(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> None:
    """Send one request on a keep-alive connection and read its whole response."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
    body = await reader.readexactly(length)
    if not head.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"PutItem failed: {head!r} {body!r}")


async def latency(endpoint: str, trigger: Trigger, puts: int) -> list[float]:
    """Put-response → handler-start, one PutItem at a time; milliseconds."""
    target = Endpoint.parse(endpoint)
    reader, writer = await asyncio.open_connection(target.host, target.port)
    sent: dict[str, float] = {}
    for n in range(puts + 20):
        key = f"lat-{n:06}"
        await send(reader, writer, put_request(target, trigger.table, key))
        if n >= 20:
            sent[key] = time.time()
        await asyncio.to_thread(wait_for_idle, endpoint)
    writer.close()
    arrived = trigger.arrived()
    return [(arrived[key] - at) * 1000 for key, at in sent.items()]


async def throughput(
    endpoint: str, trigger: Trigger, rate: int, seconds: float, connections: int = 16
) -> dict[str, float]:
    """PutItems at `rate` per second for `seconds`; lag sampled while they go in."""
    target = Endpoint.parse(endpoint)
    total = int(rate * seconds)
    sent: dict[str, float] = {}
    queue: asyncio.Queue[str] = asyncio.Queue()
    lags: list[tuple[int, float]] = []
    done = asyncio.Event()

    async def writer_task() -> None:
        reader, writer = await asyncio.open_connection(target.host, target.port)
        while True:
            key = await queue.get()
            if not key:
                break
            await send(reader, writer, put_request(target, trigger.table, key))
            sent[key] = time.time()
        writer.close()

    async def pacer() -> None:
        started = time.monotonic()
        for n in range(total):
            due = started + n / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait(f"tp-{n:07}")
        for _ in range(connections):
            queue.put_nowait("")

    async def sampler() -> None:
        while not done.is_set():
            lags.append(await asyncio.to_thread(trigger.lag))
            await asyncio.sleep(0.5)

    sampling = asyncio.create_task(sampler())
    started = time.monotonic()
    await asyncio.gather(pacer(), *(writer_task() for _ in range(connections)))
    writing = time.monotonic() - started
    done.set()
    await sampling
    drain_started = time.monotonic()
    await asyncio.to_thread(wait_for_idle, endpoint)
    drained = time.monotonic() - drain_started
    arrived = trigger.arrived()
    delays = sorted((arrived[key] - at) * 1000 for key, at in sent.items() if key in arrived)
    return {
        "writes": len(sent),
        "write_rate": len(sent) / writing,
        "delivered": sum(1 for key in sent if key in arrived),
        "max_lag_records": max((records for records, _ in lags), default=0),
        "max_lag_age_s": max((age for _, age in lags), default=0.0),
        "drain_s": drained,
        "p50_ms": percentile(delays, 50),
        "p99_ms": percentile(delays, 99),
    }


def percentile(ordered: list[float], pct: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", help="a running Tidal server (default: start one)")
    parser.add_argument("--in-memory", action="store_true", help="start the server in memory")
    parser.add_argument("--puts", type=int, default=300, help="PutItems timed one by one")
    parser.add_argument("--rate", type=int, default=2000, help="PutItems per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to write")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = Server(args.endpoint, args.in_memory, Path(folder))
        try:
            role = client("iam", server.endpoint).create_role(
                RoleName=f"bench-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument=json.dumps(TRUST)
            )["Role"]["Arn"]
            single = Trigger(server.endpoint, Path(folder), role, BatchSize=1)
            figures = sorted(asyncio.run(latency(server.endpoint, single, args.puts)))
            print(
                f"put → handler (BatchSize 1, warm, {len(figures)} puts): "
                f"p50 {percentile(figures, 50):.2f} ms, p99 {percentile(figures, 99):.2f} ms, "
                f"mean {statistics.fmean(figures):.2f} ms, max {figures[-1]:.2f} ms"
            )
            batched = Trigger(server.endpoint, Path(folder), role, BatchSize=100)
            result = asyncio.run(throughput(server.endpoint, batched, args.rate, args.seconds))
            print(
                f"sustained writes (BatchSize 100): {result['writes']} puts at "
                f"{result['write_rate']:.0f}/s, {result['delivered']} delivered; "
                f"lag at most {result['max_lag_records']} records / "
                f"{result['max_lag_age_s']:.1f} s; drained {result['drain_s'] * 1000:.0f} ms "
                f"after the last put; put → handler p50 {result['p50_ms']:.1f} ms, "
                f"p99 {result['p99_ms']:.1f} ms"
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
