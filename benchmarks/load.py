"""Load generator for DynamoDB-compatible endpoints (Tidal, moto, DynamoDB Local, ...).

Raw HTTP/1.1 keep-alive over asyncio (uvloop when installed): each of N connections
sends one pre-built request at a time and reads the whole response. Only keys are
substituted into precomputed request bytes (benchmarks/workloads.py), latencies are
taken with perf_counter_ns and percentiles are computed once, at the end of each cell.
Every response is checked: anything but HTTP 200 (or a 200 its workload rejects, such
as a GetItem that finds no item) is an error, never throughput.

Run it as a script (python benchmarks/load.py): it imports workloads.py from its own
folder. See benchmarks/README.md for how to run it and what the figures mean.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import secrets
import sys
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from workloads import (
    API_VERSION,
    BASIC_OPS,
    OPS,
    PARTITION_ITEMS,
    QUERY_OPS,
    SMALL_ITEM,
    BatchWriteWorkload,
    Bench,
    Endpoint,
    KeyPool,
    PutWorkload,
    Workload,
    build_request,
    make_bench,
    make_workload,
    put_template,
)

ERROR_BODY_LIMIT = 500
RECONNECT_NOTE = (
    "the server closed connections (e.g. `Connection: close`); reconnecting is counted "
    "in those requests' latency"
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- HTTP client


def header_value(head: bytes, name: bytes) -> bytes | None:
    """Value of a header in a lower-cased response head, or None."""
    start = head.find(b"\r\n" + name + b":")
    if start < 0:
        return None
    start += len(name) + 3
    end = head.find(b"\r\n", start)
    return head[start : end if end >= 0 else len(head)].strip()


def parse_chunked(buf: bytearray, pos: int) -> tuple[bytes, int] | None:
    """Decode a chunked body starting at pos: (body, end offset), or None if incomplete."""
    parts: list[bytes] = []
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            return None
        size = int(bytes(buf[pos:eol]).split(b";", 1)[0], 16)
        pos = eol + 2
        if size == 0:
            break
        if len(buf) < pos + size + 2:
            return None
        parts.append(bytes(buf[pos : pos + size]))
        pos += size + 2
    while True:  # optional trailers, then the empty line
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            return None
        if eol == pos:
            return b"".join(parts), eol + 2
        pos = eol + 2


class HttpConnection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection carrying one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.head: tuple[int, bytes] | None = None  # (status, lower-cased head) being read
        self.sent_ns = 0  # when the pending request was sent, 0 when idle
        self.closed = False
        self.must_close = False
        self.timed_out = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if self.waiter is not None:
            self._try_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter, self.waiter = self.waiter, None
        if waiter is None or waiter.done():
            return
        if self.head is not None and self._delimited_by_close(self.head[1]):
            waiter.set_result((self.head[0], bytes(self.buf)))
            return
        reason = "request timed out" if self.timed_out else exc or "closed by server"
        waiter.set_exception(ConnectionError(f"connection lost: {reason}"))

    @staticmethod
    def _delimited_by_close(head: bytes) -> bool:
        """A response with neither Content-Length nor chunked encoding ends at close."""
        if header_value(head, b"content-length") is not None:
            return False
        return b"chunked" not in (header_value(head, b"transfer-encoding") or b"")

    def request(self, raw: bytes) -> asyncio.Future[tuple[int, bytes]]:
        """Send raw request bytes; the future resolves to (status, body)."""
        assert self.transport is not None and self.waiter is None
        self.waiter = asyncio.get_running_loop().create_future()
        self.sent_ns = time.perf_counter_ns()
        self.transport.write(raw)
        return self.waiter

    def abort(self) -> None:
        self.timed_out = True
        if self.transport is not None:
            self.transport.abort()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def _try_complete(self) -> None:
        if self.head is None:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buf[:end]).lower()
            del self.buf[: end + 4]
            self.head = (int(head[9:12]), head)
        status, head = self.head
        body = self._take_body(head)
        if body is None:
            return
        self.head = None
        self.sent_ns = 0
        connection = header_value(head, b"connection")
        if connection == b"close" or (head.startswith(b"http/1.0") and connection != b"keep-alive"):
            self.must_close = True
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result((status, body))

    def _take_body(self, head: bytes) -> bytes | None:
        length = header_value(head, b"content-length")
        if length is not None:
            size = int(length)
            if len(self.buf) < size:
                return None
            body = bytes(self.buf[:size])
            del self.buf[:size]
            return body
        if b"chunked" in (header_value(head, b"transfer-encoding") or b""):
            decoded = parse_chunked(self.buf, 0)
            if decoded is None:
                return None
            del self.buf[: decoded[1]]
            return decoded[0]
        return None  # delimited by connection close: finished in connection_lost


async def connect(endpoint: Endpoint) -> HttpConnection:
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(HttpConnection, endpoint.host, endpoint.port)
    return protocol


async def call(
    endpoint: Endpoint, region: str, operation: str, payload: dict, api: str = API_VERSION
) -> tuple[int, Any]:
    """One control-plane call on its own connection: (status, decoded JSON body)."""
    conn = await connect(endpoint)
    try:
        raw = build_request(endpoint, region, operation, payload, api)
        status, body = await asyncio.wait_for(conn.request(raw), 30)
    finally:
        conn.close()
    try:
        return status, json.loads(body) if body else {}
    except ValueError:
        return status, body.decode(errors="replace")


# --------------------------------------------------------------------------- table


async def create_table(
    endpoint: Endpoint, region: str, stream: str | None = None, range_key: bool = False
) -> str:
    """A fresh on-demand table, hash key `pk` S (and range key `sk` N with range_key);
    `stream` is a StreamViewType to create it with a stream."""
    table = f"bench_{secrets.token_hex(4)}"
    attributes = [{"AttributeName": "pk", "AttributeType": "S"}]
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if range_key:
        attributes.append({"AttributeName": "sk", "AttributeType": "N"})
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
    definition: dict[str, Any] = {
        "TableName": table,
        "AttributeDefinitions": attributes,
        "KeySchema": schema,
        "BillingMode": "PAY_PER_REQUEST",
    }
    if stream:
        definition["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
    status, body = await call(endpoint, region, "CreateTable", definition)
    if status != 200:
        raise SystemExit(f"{endpoint.url}: CreateTable failed ({status}): {body}")
    await wait_active(endpoint, region, table)
    return table


async def wait_active(endpoint: Endpoint, region: str, table: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = await call(endpoint, region, "DescribeTable", {"TableName": table})
        if status == 200 and body.get("Table", {}).get("TableStatus") == "ACTIVE":
            return
        await asyncio.sleep(0.1)
    raise SystemExit(f"{endpoint.url}: table {table} not ACTIVE after {timeout:.0f} s")


async def delete_table(endpoint: Endpoint, region: str, table: str) -> None:
    try:
        status, body = await call(endpoint, region, "DeleteTable", {"TableName": table})
    except OSError as exc:
        log(f"  DeleteTable {table} failed: {exc}")
        return
    if status != 200:
        log(f"  DeleteTable {table} failed ({status}): {body}")


# --------------------------------------------------------------------------- measurement


@dataclass
class Stats:
    """Raw results of one cell; latencies (ns) only for successes in the measured window."""

    latencies: array = field(default_factory=lambda: array("q"))
    errors: int = 0
    reconnects: int = 0  # connections the server closed (Connection: close, errors)
    statuses: dict[int, int] = field(default_factory=dict)
    first_error: str | None = None

    def error(self, status: int, detail: str) -> None:
        self.errors += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if self.first_error is None:
            self.first_error = f"HTTP {status}: {detail[:ERROR_BODY_LIMIT]}" if status else detail
            log(f"  first error: {self.first_error}")


@dataclass
class Window:
    """Requests started in [start_ns, end_ns) are measured; earlier ones are warm-up."""

    start_ns: int
    end_ns: int


def percentile(ordered: list[int], pct: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return math.nan
    return float(ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)])


@dataclass
class Cell:
    op: str
    connections: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    client_cpu: float  # client CPU seconds / wall seconds (1.0 = one core saturated)
    reconnects: int
    first_error: str | None
    items: int  # items written per request (batch_write 25, transact_write 4, else 1)
    items_per_s: float

    @classmethod
    def summarize(
        cls, workload: Workload, conns: int, stats: Stats, seconds: float, cpu: float
    ) -> Cell:
        ordered = sorted(stats.latencies)
        rps = len(ordered) / seconds if seconds > 0 else 0.0
        return cls(
            op=workload.name,
            connections=conns,
            requests=len(ordered),
            seconds=round(seconds, 3),
            rps=rps,
            p50_ms=percentile(ordered, 50) / 1e6,
            p99_ms=percentile(ordered, 99) / 1e6,
            errors=stats.errors,
            client_cpu=cpu,
            reconnects=stats.reconnects,
            first_error=stats.first_error,
            items=workload.items,
            items_per_s=rps * workload.items,
        )


async def worker(
    endpoint: Endpoint,
    conn: HttpConnection,
    conns: list[HttpConnection],
    slot: int,
    workload: Workload,
    window: Window,
    stats: Stats,
) -> None:
    """Send requests back to back on one connection until the window or workload ends."""
    clock = time.perf_counter_ns
    record = stats.latencies.append
    while True:
        t0 = clock()
        if t0 >= window.end_ns:
            return
        nxt = workload.next()
        if nxt is None:
            return
        raw, key = nxt
        if conn.closed or conn.must_close:  # reconnecting is part of this request's latency
            conn.close()
            conn = conns[slot] = await connect(endpoint)
            stats.reconnects += 1
        try:
            status, body = await conn.request(raw)
        except ConnectionError as exc:
            stats.error(0, f"{workload.name}: {exc}")
            continue
        t1 = clock()
        if status != 200:
            stats.error(status, body.decode(errors="replace"))
        elif not workload.accept(key, body):
            stats.error(status, f"{workload.failure}: {body[:200].decode(errors='replace')}")
        elif t0 >= window.start_ns:
            record(t1 - t0)


async def watchdog(conns: list[HttpConnection], timeout_s: float) -> None:
    """Abort connections whose request has waited longer than timeout_s (counted as errors)."""
    limit = int(timeout_s * 1e9)
    while True:
        await asyncio.sleep(min(1.0, timeout_s))
        now = time.perf_counter_ns()
        for conn in conns:
            if conn.sent_ns and now - conn.sent_ns > limit:
                conn.abort()


async def run_load(
    endpoint: Endpoint,
    workload: Workload,
    connections: int,
    window: Window,
    timeout_s: float,
    stats: Stats | None = None,
) -> Stats:
    """Run workload on `connections` parallel keep-alive connections inside the window."""
    stats = Stats() if stats is None else stats
    conns = list(await asyncio.gather(*(connect(endpoint) for _ in range(connections))))
    try:
        async with asyncio.TaskGroup() as group:
            guard = group.create_task(watchdog(conns, timeout_s))
            workers = [
                group.create_task(worker(endpoint, conn, conns, slot, workload, window, stats))
                for slot, conn in enumerate(conns)
            ]
            await asyncio.wait(workers)
            guard.cancel()
    finally:
        for conn in conns:
            conn.close()
    return stats


def make_window(warmup_s: float, duration_s: float) -> Window:
    start = time.perf_counter_ns() + int(warmup_s * 1e9)
    return Window(start, start + int(duration_s * 1e9))


async def measure_cell(
    endpoint: Endpoint, workload: Workload, connections: int, args: argparse.Namespace
) -> Cell:
    window = make_window(args.warmup, args.duration)
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    stats = await run_load(endpoint, workload, connections, window, args.timeout)
    cpu = (time.process_time() - cpu_start) / (time.perf_counter() - wall_start)
    seconds = (window.end_ns - window.start_ns) / 1e9
    return Cell.summarize(workload, connections, stats, seconds, cpu)


async def preload(endpoint: Endpoint, workload: PutWorkload, what: str, timeout_s: float) -> None:
    """Run a write workload with a limit to the end, so that reads have keys to read."""
    assert workload.limit is not None
    log(f"  preloading {what}")
    connections = min(8, workload.limit)
    stats = await run_load(endpoint, workload, connections, make_window(0, 3600), timeout_s)
    if not workload.pool.written:
        raise SystemExit(f"{endpoint.url}: preload wrote nothing ({stats.first_error})")
    if stats.errors:
        log(f"  preload: {stats.errors} failed requests; {len(workload.pool.written):,} written")


# --------------------------------------------------------------------------- runs


async def prepare(endpoint: Endpoint, op: str, bench: Bench, args: argparse.Namespace) -> None:
    """Preload what `op` reads, if nothing wrote it yet."""
    pools, templates = bench.pools, bench.templates
    if op in ("get", "update") and not pools["put"].written:
        workload = PutWorkload(templates["put"], pools["put"], limit=args.preload)
        await preload(endpoint, workload, f"{args.preload:,} items", args.timeout)
    if op in QUERY_OPS and not pools["partition"].written:
        workload = BatchWriteWorkload(
            templates["partition"], pools["partition"], PARTITION_ITEMS, limit=args.partitions
        )
        what = f"{args.partitions:,} partitions of {PARTITION_ITEMS} items (BatchWriteItem)"
        await preload(endpoint, workload, what, args.timeout)


async def run_matrix(endpoint: Endpoint, args: argparse.Namespace) -> list[Cell]:
    """Every op at every connection count against one endpoint, on fresh tables.

    put, get, update, batch_write and transact_write use a table with hash key pk;
    query and scan a second one with hash key pk and range key sk.
    """
    tables: list[str] = []
    cells: list[Cell] = []
    try:
        table = query_table = None
        if set(args.ops) - set(QUERY_OPS):
            log(f"{endpoint.url}: creating table")
            table = await create_table(endpoint, args.region, args.stream)
            tables.append(table)
        if set(args.ops) & set(QUERY_OPS):
            log(f"{endpoint.url}: creating query table (range key sk)")
            query_table = await create_table(endpoint, args.region, range_key=True)
            tables.append(query_table)
        bench = make_bench(endpoint, args.region, table, query_table, args.item_size)
        for op in args.ops:
            await prepare(endpoint, op, bench, args)
            for connections in args.connections:
                log(f"  {op} x {connections} connections")
                workload = make_workload(op, bench)
                cells.append(await measure_cell(endpoint, workload, connections, args))
    finally:
        for name in tables:
            await delete_table(endpoint, args.region, name)
    return cells


@dataclass
class WritesResult:
    endpoint: str
    connections: int
    requested: int
    written: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    reconnects: int
    first_error: str | None
    rss: dict[str, int] | None


async def report_progress(pool: KeyPool, stats: Stats, rss_pid: int | None) -> None:
    started = time.monotonic()
    while True:
        await asyncio.sleep(10)
        elapsed = time.monotonic() - started
        rss = read_rss(rss_pid) if rss_pid else None
        extra = f", server RSS {rss['VmRSS'] / 1024:.1f} MiB" if rss else ""
        log(
            f"  {pool.acknowledged:,} written, {stats.errors} errors, "
            f"{pool.acknowledged / elapsed:,.0f}/s{extra}"
        )


async def run_writes(endpoint: Endpoint, args: argparse.Namespace) -> WritesResult:
    """--writes N: N PutItems as fast as possible, then the server's RSS."""
    connections = max(args.connections)
    log(f"{endpoint.url}: {args.writes:,} PutItems on {connections} connections")
    table = await create_table(endpoint, args.region, args.stream)
    pool, stats = KeyPool(keep_keys=False), Stats()
    template = put_template(endpoint, args.region, table, args.item_size)
    workload = PutWorkload(template, pool, limit=args.writes)
    progress = asyncio.ensure_future(report_progress(pool, stats, args.rss_pid))
    try:
        started = time.perf_counter()
        window = make_window(0, args.max_time)
        await run_load(endpoint, workload, connections, window, args.timeout, stats)
        seconds = time.perf_counter() - started
        rss = read_rss(args.rss_pid) if args.rss_pid else None
    finally:
        progress.cancel()
        await delete_table(endpoint, args.region, table)
    ordered = sorted(stats.latencies)
    return WritesResult(
        endpoint=endpoint.url,
        connections=connections,
        requested=args.writes,
        written=pool.acknowledged,
        errors=stats.errors,
        seconds=round(seconds, 3),
        rps=len(ordered) / seconds,
        p50_ms=percentile(ordered, 50) / 1e6,
        p99_ms=percentile(ordered, 99) / 1e6,
        reconnects=stats.reconnects,
        first_error=stats.first_error,
        rss=rss,
    )


def read_rss(pid: int) -> dict[str, int] | None:
    """VmRSS and VmHWM (peak RSS) of a process, in KiB, from /proc/PID/status."""
    try:
        with open(f"/proc/{pid}/status") as status:
            lines = status.read().splitlines()
    except OSError as exc:
        log(f"cannot read /proc/{pid}/status: {exc}")
        return None
    values: dict[str, int] = {}
    for line in lines:
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


# --------------------------------------------------------------------------- output


def fmt_ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"


def render_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def cells_table(cells: list[Cell]) -> str:
    """The per-endpoint table; an items/s column when a multi-item write ran."""
    multi = any(c.items > 1 for c in cells)
    headers = ["op", "conns", "req/s", *(["items/s"] if multi else [])]
    headers += ["p50 ms", "p99 ms", "errors", "client cpu"]
    rows = []
    for c in cells:
        items = [f"{c.items_per_s:,.0f}" if c.items > 1 else "-"] if multi else []
        rows.append(
            [
                c.op,
                str(c.connections),
                f"{c.rps:,.0f}",
                *items,
                fmt_ms(c.p50_ms),
                fmt_ms(c.p99_ms),
                str(c.errors),
                f"{c.client_cpu:.0%}",
            ]
        )
    return render_table(headers, rows)


def ratio(a: float, b: float) -> str:
    if b == 0 or math.isnan(a) or math.isnan(b):
        return "-"
    return f"{a / b:.2f}x"


def comparison_table(mine: list[Cell], other: list[Cell]) -> str:
    headers = ["op", "conns", "req/s", "other", "ratio", "p50", "other", "ratio", "p99", "other"]
    headers += ["ratio"]
    rows = []
    for a, b in zip(mine, other, strict=True):
        rows.append(
            [
                a.op,
                str(a.connections),
                f"{a.rps:,.0f}",
                f"{b.rps:,.0f}",
                ratio(a.rps, b.rps),
                fmt_ms(a.p50_ms),
                fmt_ms(b.p50_ms),
                ratio(a.p50_ms, b.p50_ms),
                fmt_ms(a.p99_ms),
                fmt_ms(b.p99_ms),
                ratio(a.p99_ms, b.p99_ms),
            ]
        )
    return render_table(headers, rows)


def rss_line(pid: int, rss: dict[str, int] | None) -> str:
    if not rss:
        return f"RSS of pid {pid}: unavailable"
    return (
        f"RSS of pid {pid}: {rss.get('VmRSS', 0) / 1024:.1f} MiB "
        f"(peak {rss.get('VmHWM', 0) / 1024:.1f} MiB)"
    )


def print_matrix_report(
    results: list[tuple[str, list[Cell]]], args: argparse.Namespace, out: TextIO
) -> None:
    small = ""
    if set(args.ops) & set(QUERY_OPS):
        small = f", query/scan items ~{SMALL_ITEM} B"
    for url, cells in results:
        print(
            f"\n{url}  (item ~{args.item_size} B{small}, {args.duration:g} s per cell "
            f"after {args.warmup:g} s warm-up; latencies over successful requests)",
            file=out,
        )
        print(cells_table(cells), file=out)
        for cell in cells:
            if cell.first_error:
                print(f"  {cell.op} x {cell.connections}: {cell.first_error}", file=out)
        if any(c.reconnects for c in cells):
            total = sum(c.reconnects for c in cells)
            print(f"  note: {total:,} reconnects: {RECONNECT_NOTE}", file=out)
    if args.compare:
        other_url, other = results[-1]
        for url, cells in results[:-1]:
            print(f"\nratio = {url} / {other_url} (the 'other' columns)", file=out)
            print("req/s ratio above 1, latency ratio below 1: the former is faster", file=out)
            print(comparison_table(cells, other), file=out)


def print_writes_report(results: list[WritesResult], args: argparse.Namespace, out: TextIO) -> None:
    for r in results:
        print(
            f"\n{r.endpoint}: {r.written:,}/{r.requested:,} PutItems (~{args.item_size} B) "
            f"on {r.connections} connections in {r.seconds:.1f} s: {r.rps:,.0f} writes/s, "
            f"p50 {fmt_ms(r.p50_ms)} ms, p99 {fmt_ms(r.p99_ms)} ms, {r.errors} errors",
            file=out,
        )
        if r.first_error:
            print(f"  first error: {r.first_error}", file=out)
        if r.reconnects:
            print(f"  note: {r.reconnects:,} reconnects: {RECONNECT_NOTE}", file=out)
        if args.rss_pid:
            print(f"  {rss_line(args.rss_pid, r.rss)}", file=out)


def json_safe(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


# --------------------------------------------------------------------------- CLI


def int_list(text: str) -> list[int]:
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("expected positive integers, e.g. 1,8,64")
    return values


def op_list(text: str) -> list[str]:
    if text.strip() == "all":
        return list(OPS)
    ops = [part.strip() for part in text.split(",") if part.strip()]
    unknown = sorted(set(ops) - set(OPS))
    if not ops or unknown:
        raise argparse.ArgumentTypeError(f"ops are {', '.join(OPS)} (or all); got {text!r}")
    return ops


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Raw-HTTP load generator for DynamoDB-compatible endpoints.",
        epilog="Exit status: 0 clean, 1 if any request failed or RSS exceeded "
        "--rss-limit-mb, 2 if an endpoint went away. See benchmarks/README.md.",
    )
    parser.add_argument(
        "--endpoint",
        nargs="+",
        action="extend",
        metavar="URL",
        help="endpoint(s) to load (default http://127.0.0.1:8000)",
    )
    parser.add_argument(
        "--compare", metavar="URL", help="also run against URL (e.g. moto) and print ratios"
    )
    parser.add_argument(
        "--connections",
        type=int_list,
        default=[1, 8, 64],
        metavar="N,N,...",
        help="concurrent connections per cell (default 1,8,64; --writes uses the largest)",
    )
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per cell")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds per cell")
    parser.add_argument("--item-size", type=int, default=1024, help="approximate item bytes")
    parser.add_argument(
        "--ops",
        type=op_list,
        default=list(BASIC_OPS),
        metavar="OP,OP,...",
        help=f"operations to measure, in this order: {', '.join(OPS)}, or all "
        "(default put,get,update)",
    )
    parser.add_argument("--preload", type=int, default=1000, help="items written for get/update")
    parser.add_argument(
        "--partitions",
        type=int,
        default=300,
        help=f"partitions of {PARTITION_ITEMS} ~100-byte items written for query/scan "
        "(default 300)",
    )
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument(
        "--stream",
        nargs="?",
        const="NEW_AND_OLD_IMAGES",
        choices=("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"),
        help="create the bench table with a DynamoDB stream of this view type "
        "(default NEW_AND_OLD_IMAGES)",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout (s)")
    parser.add_argument("--json", action="store_true", help="JSON on stdout, tables on stderr")
    parser.add_argument(
        "--rss-pid", type=int, metavar="PID", help="print this process's RSS (VmRSS) after the run"
    )
    parser.add_argument(
        "--writes", type=int, metavar="N", help="instead of the matrix: N PutItems, then RSS"
    )
    parser.add_argument("--max-time", type=float, default=3600.0, help="cap on --writes (s)")
    parser.add_argument("--rss-limit-mb", type=float, help="exit 1 if --rss-pid RSS exceeds it")
    args = parser.parse_args(argv)
    args.endpoint = args.endpoint or ["http://127.0.0.1:8000"]
    if args.duration <= 0 or args.warmup < 0 or args.preload < 1 or args.partitions < 1:
        parser.error("--duration must be > 0, --warmup >= 0, --preload and --partitions >= 1")
    return args


def all_endpoints(args: argparse.Namespace) -> Iterator[Endpoint]:
    for url in [*args.endpoint, *([args.compare] if args.compare else [])]:
        yield Endpoint.parse(url)


async def check_reachable(endpoint: Endpoint) -> None:
    try:
        (await connect(endpoint)).close()
    except OSError as exc:
        message = f"cannot connect to {endpoint.url}: {exc} (is the server running?)"
        raise SystemExit(message) from None


@dataclass
class Outcome:
    """What a mode hands back to main: errors, the RSS after the load, the JSON document."""

    errors: int
    rss: dict[str, int] | None
    document: dict[str, Any]


async def matrix_mode(endpoints: list[Endpoint], args: argparse.Namespace, out: TextIO) -> Outcome:
    results = [(endpoint.url, await run_matrix(endpoint, args)) for endpoint in endpoints]
    print_matrix_report(results, args, out)
    rss = read_rss(args.rss_pid) if args.rss_pid else None
    if args.rss_pid:
        print(f"\nafter: {rss_line(args.rss_pid, rss)}", file=out)
    document = {
        "mode": "matrix",
        "results": [{"endpoint": url, "cells": [vars(c) for c in cells]} for url, cells in results],
    }
    return Outcome(sum(c.errors for _, cells in results for c in cells), rss, document)


async def writes_mode(endpoints: list[Endpoint], args: argparse.Namespace, out: TextIO) -> Outcome:
    writes = [await run_writes(endpoint, args) for endpoint in endpoints]
    print_writes_report(writes, args, out)
    document = {"mode": "writes", "results": [vars(w) for w in writes]}
    return Outcome(sum(w.errors for w in writes), writes[0].rss, document)


async def main_async(args: argparse.Namespace) -> int:
    out = sys.stderr if args.json else sys.stdout
    endpoints = list(all_endpoints(args))
    for endpoint in endpoints:
        await check_reachable(endpoint)
    rss_before = read_rss(args.rss_pid) if args.rss_pid else None
    if args.rss_pid:
        print(f"before: {rss_line(args.rss_pid, rss_before)}", file=out)
    mode = writes_mode if args.writes else matrix_mode
    outcome = await mode(endpoints, args, out)
    if args.json:
        document = outcome.document
        document["config"] = {k: v for k, v in vars(args).items() if k != "json"}
        document["rss_kib"] = {"before": rss_before, "after": outcome.rss}
        print(json.dumps(json_safe(document), indent=2))
    rss = outcome.rss
    over = bool(args.rss_limit_mb and rss and rss["VmRSS"] / 1024 > args.rss_limit_mb)
    if over:
        print(f"RSS over the {args.rss_limit_mb:g} MiB limit", file=out)
    if outcome.errors:
        print(f"\n{outcome.errors} failed requests: see the first error above", file=out)
    return 1 if outcome.errors or over else 0


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    try:
        import uvloop

        return uvloop.new_event_loop
    except ImportError:
        return asyncio.new_event_loop


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        try:
            return runner.run(main_async(args))
        except KeyboardInterrupt:
            log("interrupted")
            return 130
        except ExceptionGroup as group:  # a worker could not reconnect
            lost = group.subgroup(OSError)
            if lost is None:
                raise
            log(f"aborted: {lost.exceptions[0]} (did the server stop?)")
            return 2


if __name__ == "__main__":
    sys.exit(main())
