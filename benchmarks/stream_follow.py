"""Does a GetRecords reader keep up with a steady stream of writes?

PutItems of distinct keys at a fixed rate (default 5,000/s) on a table with a stream,
from N raw-HTTP keep-alive connections, while one reader follows the stream the way a
Kinesis-adapter or hand-written consumer does: DescribeStream, GetShardIterator
(TRIM_HORIZON), GetRecords (Limit 1000) along NextShardIterator, and into child shards
when a shard closes. Every acknowledged write must be read exactly once.

Prints the writes/s reached, the reader's records/s, each record's lag (from the
PutItem's response to the GetRecords response carrying it: p50, p99, max), the largest
backlog and how long the reader took to drain after the last write.

    python benchmarks/stream_follow.py [--endpoint URL] [--rate 5000] [--seconds 10]

Exit status 1 if a write failed or a record was missing or read twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import dataclass, field

from load import (
    HttpConnection,
    call,
    connect,
    create_table,
    delete_table,
    event_loop_factory,
    log,
    percentile,
)
from workloads import Endpoint, KeyPool, build_request, put_template

STREAMS_API = "DynamoDBStreams_20120810"
READ_LIMIT = 1000  # GetRecords' maximum


@dataclass
class Run:
    """What writers and the reader share: when each key was acknowledged and seen."""

    acked_ns: dict[bytes, int] = field(default_factory=dict)
    seen_ns: dict[bytes, int] = field(default_factory=dict)
    write_latencies: list[int] = field(default_factory=list)
    write_errors: int = 0
    duplicates: int = 0
    max_backlog: int = 0  # acknowledged writes not read yet, when a GetRecords call starts
    calls: int = 0
    empty_calls: int = 0
    writing: bool = True
    last_ack_ns: int = 0


# --------------------------------------------------------------------------- writers


async def writer(
    endpoint: Endpoint, template, pool: KeyPool, run: Run, start_ns: int, slot: int, args
) -> None:
    """Send PutItems on one connection at rate/connections per second, catching up when late."""
    conn = await connect(endpoint)
    interval = int(1e9 * args.connections / args.rate)
    due = start_ns + int(slot * 1e9 / args.rate)
    end_ns = start_ns + int(args.seconds * 1e9)
    try:
        while due < end_ns:
            now = time.perf_counter_ns()
            if due > now:
                await asyncio.sleep((due - now) / 1e9)
            key = pool.new_key()
            sent = time.perf_counter_ns()
            status, body = await conn.request(template.render(key))
            acked = time.perf_counter_ns()
            if status == 200:
                run.acked_ns[key] = acked
                run.write_latencies.append(acked - sent)
                run.last_ack_ns = max(run.last_ack_ns, acked)
            else:
                run.write_errors += 1
                if run.write_errors == 1:
                    detail = body[:300].decode(errors="replace")
                    log(f"  first write error: HTTP {status}: {detail}")
            due += interval
    finally:
        conn.close()


# --------------------------------------------------------------------------- reader


async def streams_call(conn: HttpConnection, endpoint: Endpoint, region: str, op: str, payload):
    status, body = await conn.request(build_request(endpoint, region, op, payload, STREAMS_API))
    if status != 200:
        raise SystemExit(f"{op} failed (HTTP {status}): {body[:500].decode(errors='replace')}")
    return json.loads(body)


async def shards_of(conn, endpoint: Endpoint, region: str, stream_arn: str) -> list[dict]:
    shards: list[dict] = []
    payload: dict = {"StreamArn": stream_arn}
    while True:
        described = await streams_call(conn, endpoint, region, "DescribeStream", payload)
        description = described["StreamDescription"]
        shards += description.get("Shards", [])
        last = description.get("LastEvaluatedShardId")
        if not last:
            return shards
        payload = {"StreamArn": stream_arn, "ExclusiveStartShardId": last}


async def reader(endpoint: Endpoint, region: str, stream_arn: str, run: Run, args) -> None:
    """Follow the stream from TRIM_HORIZON through shard lineage until every ack is seen."""
    conn = await connect(endpoint)
    done: set[str] = set()
    try:
        while True:
            shards = await shards_of(conn, endpoint, region, stream_arn)
            listed = {shard["ShardId"] for shard in shards}
            ready = [
                shard["ShardId"]
                for shard in shards
                if shard["ShardId"] not in done
                and (shard.get("ParentShardId") in done or shard.get("ParentShardId") not in listed)
            ]
            if not ready:
                if finished(run):
                    return
                await asyncio.sleep(args.idle_wait)
                continue
            for shard_id in ready:
                await read_shard(conn, endpoint, region, stream_arn, shard_id, run, args)
                done.add(shard_id)
                if finished(run):
                    return
    finally:
        conn.close()


def finished(run: Run) -> bool:
    return not run.writing and len(run.seen_ns) >= len(run.acked_ns)


async def read_shard(conn, endpoint, region, stream_arn, shard_id, run: Run, args) -> None:
    """Read one shard until it is closed and drained, or until the run is complete."""
    payload = {"StreamArn": stream_arn, "ShardId": shard_id, "ShardIteratorType": "TRIM_HORIZON"}
    got = await streams_call(conn, endpoint, region, "GetShardIterator", payload)
    iterator = got.get("ShardIterator")
    while iterator:
        run.max_backlog = max(run.max_backlog, len(run.acked_ns) - len(run.seen_ns))
        page = await streams_call(
            conn, endpoint, region, "GetRecords", {"ShardIterator": iterator, "Limit": READ_LIMIT}
        )
        now = time.perf_counter_ns()
        run.calls += 1
        records = page.get("Records", [])
        for record in records:
            key = record["dynamodb"]["Keys"]["pk"]["S"].encode()
            if key in run.seen_ns:
                run.duplicates += 1
            else:
                run.seen_ns[key] = now
        iterator = page.get("NextShardIterator")
        if finished(run):
            return
        if not records:
            run.empty_calls += 1
            await asyncio.sleep(args.idle_wait)


# --------------------------------------------------------------------------- run


async def measure(args: argparse.Namespace) -> int:
    endpoint = Endpoint.parse(args.endpoint)
    table = await create_table(endpoint, args.region, args.view)
    try:
        _, described = await call(endpoint, args.region, "DescribeTable", {"TableName": table})
        stream_arn = described["Table"]["LatestStreamArn"]
        run, pool = Run(), KeyPool(keep_keys=False)
        template = put_template(endpoint, args.region, table, args.item_size)
        log(
            f"{endpoint.url}: {args.rate:,} PutItems/s for {args.seconds:g} s on "
            f"{args.connections} connections, stream {args.view}, one GetRecords reader"
        )
        follow = asyncio.create_task(reader(endpoint, args.region, stream_arn, run, args))
        start_ns = time.perf_counter_ns() + 50_000_000
        await asyncio.gather(
            *(
                writer(endpoint, template, pool, run, start_ns, slot, args)
                for slot in range(args.connections)
            )
        )
        write_seconds = (run.last_ack_ns - start_ns) / 1e9
        run.writing = False
        try:
            await asyncio.wait_for(follow, args.drain_timeout)
        except TimeoutError:
            log(f"  reader still behind {args.drain_timeout:g} s after the last write")
        return report(run, write_seconds, args)
    finally:
        await delete_table(endpoint, args.region, table)


def report(run: Run, write_seconds: float, args: argparse.Namespace) -> int:
    acked, seen = run.acked_ns, run.seen_ns
    missing = [key for key in acked if key not in seen]
    lags = sorted(max(0, seen[key] - at) for key, at in acked.items() if key in seen)
    writes = sorted(run.write_latencies)
    drained_ms = (max(seen.values(), default=0) - run.last_ack_ns) / 1e6
    print(
        f"writes: {len(acked):,} acknowledged in {write_seconds:.2f} s = "
        f"{len(acked) / write_seconds:,.0f}/s (target {args.rate:,}/s), "
        f"PutItem p50 {percentile(writes, 50) / 1e6:.2f} ms, p99 {percentile(writes, 99) / 1e6:.2f}"
        f" ms, {run.write_errors} errors"
    )
    print(
        f"reader: {len(seen):,} records in {run.calls:,} GetRecords calls "
        f"({run.empty_calls:,} empty), {len(missing):,} missing, {run.duplicates:,} read twice"
    )
    print(
        f"lag (PutItem response -> GetRecords response): p50 {percentile(lags, 50) / 1e6:.1f} ms, "
        f"p99 {percentile(lags, 99) / 1e6:.1f} ms, max {(lags[-1] if lags else 0) / 1e6:.1f} ms; "
        f"largest backlog {run.max_backlog:,} records; drained {max(0.0, drained_ms):.1f} ms "
        "after the last write's response"
    )
    return 1 if run.write_errors or missing or run.duplicates else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", default="http://127.0.0.1:8000")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--rate", type=int, default=5000, help="PutItems per second (5000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to write (10)")
    parser.add_argument("--connections", type=int, default=8, help="writer connections (8)")
    parser.add_argument("--item-size", type=int, default=1024, help="approximate item bytes")
    parser.add_argument(
        "--view",
        default="NEW_AND_OLD_IMAGES",
        choices=("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"),
    )
    parser.add_argument(
        "--idle-wait", type=float, default=0.01, help="reader's pause after an empty page (s)"
    )
    parser.add_argument("--drain-timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    if args.rate < 1 or args.seconds <= 0 or args.connections < 1:
        parser.error("--rate, --seconds and --connections must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        return runner.run(measure(args))


if __name__ == "__main__":
    sys.exit(main())
