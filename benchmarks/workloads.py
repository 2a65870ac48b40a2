"""What load.py sends: endpoints, pre-built request templates and the workloads.

A workload hands out the next request (template bytes with only keys put in) and
judges each HTTP 200 response. The HTTP client, the measurement and the CLI are in
load.py; see benchmarks/README.md.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

API_VERSION = "DynamoDB_20120810"
KEY_WIDTH = 12  # keys are zero-padded decimals, so every request of an op has the same length
PLACEHOLDER = "@" * KEY_WIDTH

BASIC_OPS = ("put", "get", "update")  # on the hash-key table; the default --ops
QUERY_OPS = ("query", "scan")  # on the hash + range table of preloaded partitions
OPS = (*BASIC_OPS, *QUERY_OPS, "batch_write", "transact_write")

PARTITION_ITEMS = 10  # items per preloaded partition: what each Query returns
SMALL_ITEM = 100  # bytes per item of the query/scan table
SCAN_LIMIT = 100  # Limit of each Scan page
BATCH_ITEMS = 25  # PutRequests per BatchWriteItem (DynamoDB's maximum)
TRANSACT_ITEMS = 4  # Puts per TransactWriteItems


# --------------------------------------------------------------------------- endpoint


@dataclass(frozen=True)
class Endpoint:
    url: str
    host: str
    port: int
    netloc: str

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.scheme != "http":
            raise SystemExit(f"{url}: only http:// endpoints are supported")
        if not parts.hostname:
            raise SystemExit(f"{url}: no host")
        return cls(f"http://{parts.netloc}", parts.hostname, parts.port or 80, parts.netloc)


# --------------------------------------------------------------------------- requests


def request_head(
    endpoint: Endpoint, region: str, operation: str, length: int, api: str = API_VERSION
) -> bytes:
    """HTTP head of a DynamoDB (or, with `api`, DynamoDB Streams) JSON 1.0 call with a
    plausible (unverified) SigV4 header."""
    now = datetime.now(UTC)
    date, stamp = now.strftime("%Y%m%d"), now.strftime("%Y%m%dT%H%M%SZ")
    authorization = (
        f"AWS4-HMAC-SHA256 Credential=bench/{date}/{region}/dynamodb/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        f"Signature={'0' * 64}"
    )
    lines = [
        "POST / HTTP/1.1",
        f"Host: {endpoint.netloc}",
        "User-Agent: tidal-bench/1.0",
        "Accept-Encoding: identity",
        "Content-Type: application/x-amz-json-1.0",
        f"X-Amz-Target: {api}.{operation}",
        f"X-Amz-Date: {stamp}",
        f"Authorization: {authorization}",
        f"Content-Length: {length}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def request_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def build_request(
    endpoint: Endpoint, region: str, operation: str, payload: dict, api: str = API_VERSION
) -> bytes:
    body = request_body(payload)
    return request_head(endpoint, region, operation, len(body), api) + body


@dataclass(frozen=True)
class Template:
    """Pre-built request bytes split around the key placeholder(s): key.join(parts).

    Keys are all KEY_WIDTH long, so Content-Length is fixed. A multi-item request
    holds the placeholder once per item, each time with its own suffix (`@@@.b07`), so
    one key per request makes every item's key distinct.
    """

    parts: tuple[bytes, ...]

    @classmethod
    def build(
        cls, endpoint: Endpoint, region: str, operation: str, payload: dict, occurrences: int = 1
    ) -> Template:
        raw = build_request(endpoint, region, operation, payload)
        parts = tuple(raw.split(PLACEHOLDER.encode()))
        if len(parts) != occurrences + 1:
            raise ValueError(f"{operation} template must hold the key placeholder {occurrences}x")
        return cls(parts)

    def render(self, key: bytes) -> bytes:
        return key.join(self.parts)


@dataclass(frozen=True)
class ValueTemplate:
    """A request with one JSON value of any length put in; Content-Length is recomputed."""

    head: bytes  # the request head up to and including "Content-Length: "
    before: bytes
    after: bytes

    @classmethod
    def build(cls, endpoint: Endpoint, region: str, operation: str, payload: dict) -> ValueTemplate:
        """`payload` holds the string PLACEHOLDER where the raw JSON value goes."""
        parts = request_body(payload).split(json.dumps(PLACEHOLDER).encode())
        if len(parts) != 2:
            raise ValueError(f"{operation} template must hold the value placeholder once")
        head = request_head(endpoint, region, operation, 0)
        return cls(head.removesuffix(b"0\r\n\r\n"), *parts)

    def render(self, value: bytes) -> bytes:
        body = self.before + value + self.after
        return b"%s%d\r\n\r\n%s" % (self.head, len(body), body)


def payload_length(item_size: int, key_length: int = KEY_WIDTH, other: int = 3) -> int:
    """Length of the `payload` string that makes the item about item_size bytes.

    DynamoDB sizes an item as attribute-name lengths plus value sizes:
    pk (2 + key_length) + payload (7 + n) + `other` (c: 1 + ~2 for the number 0).
    """
    return max(1, item_size - (2 + key_length) - 7 - other)


def big_item(key: str, item_size: int) -> dict:
    """The ~item_size-byte item of put, batch_write and transact_write."""
    return {
        "pk": {"S": key},
        "payload": {"S": "x" * payload_length(item_size, len(key))},
        "c": {"N": "0"},
    }


def put_template(endpoint: Endpoint, region: str, table: str, item_size: int) -> Template:
    payload = {"TableName": table, "Item": big_item(PLACEHOLDER, item_size)}
    return Template.build(endpoint, region, "PutItem", payload)


def get_template(endpoint: Endpoint, region: str, table: str) -> Template:
    payload = {"TableName": table, "Key": {"pk": {"S": PLACEHOLDER}}}
    return Template.build(endpoint, region, "GetItem", payload)


def update_template(endpoint: Endpoint, region: str, table: str) -> Template:
    payload = {
        "TableName": table,
        "Key": {"pk": {"S": PLACEHOLDER}},
        "UpdateExpression": "SET #c = #c + :one",
        "ConditionExpression": "attribute_exists(pk)",
        "ExpressionAttributeNames": {"#c": "c"},
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    }
    return Template.build(endpoint, region, "UpdateItem", payload)


def batch_write_template(endpoint: Endpoint, region: str, table: str, item_size: int) -> Template:
    """BATCH_ITEMS ~item_size-byte PutRequests, keys KEY.b00 ... KEY.b24."""
    requests = [
        {"PutRequest": {"Item": big_item(f"{PLACEHOLDER}.b{i:02d}", item_size)}}
        for i in range(BATCH_ITEMS)
    ]
    payload = {"RequestItems": {table: requests}}
    return Template.build(endpoint, region, "BatchWriteItem", payload, BATCH_ITEMS)


def transact_write_template(
    endpoint: Endpoint, region: str, table: str, item_size: int
) -> Template:
    """TRANSACT_ITEMS ~item_size-byte Puts, keys KEY.t0 ... KEY.t3."""
    puts = [
        {"Put": {"TableName": table, "Item": big_item(f"{PLACEHOLDER}.t{i}", item_size)}}
        for i in range(TRANSACT_ITEMS)
    ]
    payload = {"TransactItems": puts}
    return Template.build(endpoint, region, "TransactWriteItems", payload, TRANSACT_ITEMS)


def partition_template(endpoint: Endpoint, region: str, table: str) -> Template:
    """One BatchWriteItem filling a partition of the query table: sk 0..9, ~100 B each."""
    n = payload_length(SMALL_ITEM, other=2 + 2)  # sk: 2 + ~2 for a one-digit number
    requests = [
        {
            "PutRequest": {
                "Item": {
                    "pk": {"S": PLACEHOLDER},
                    "sk": {"N": str(sk)},
                    "payload": {"S": "y" * n},
                }
            }
        }
        for sk in range(PARTITION_ITEMS)
    ]
    payload = {"RequestItems": {table: requests}}
    return Template.build(endpoint, region, "BatchWriteItem", payload, PARTITION_ITEMS)


def query_template(endpoint: Endpoint, region: str, table: str) -> Template:
    payload = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": PLACEHOLDER}},
    }
    return Template.build(endpoint, region, "Query", payload)


def scan_templates(endpoint: Endpoint, region: str, table: str) -> tuple[bytes, ValueTemplate]:
    """The first page of a Scan, and the next ones (ExclusiveStartKey put in)."""
    payload: dict = {"TableName": table, "Limit": SCAN_LIMIT}
    first = build_request(endpoint, region, "Scan", payload)
    payload["ExclusiveStartKey"] = PLACEHOLDER
    return first, ValueTemplate.build(endpoint, region, "Scan", payload)


# --------------------------------------------------------------------------- workloads


@dataclass
class KeyPool:
    """Keys handed out to writes, and those the server acknowledged.

    keep_keys=False (the --writes mode, batch_write, transact_write) only counts
    acknowledged writes, so that a long run does not hold every key in the client.
    """

    keep_keys: bool = True
    next_index: int = 0
    acknowledged: int = 0
    written: list[bytes] = field(default_factory=list)

    def new_key(self) -> bytes:
        key = b"%0*d" % (KEY_WIDTH, self.next_index)
        self.next_index += 1
        return key


class Workload:
    """Produces the next request and judges its response."""

    name = ""
    failure = ""  # why a 200 response was still rejected
    items = 1  # items written per request (items/s is reported when it is above 1)

    def next(self) -> tuple[bytes, bytes] | None:
        """(raw request, key), or None when the workload is exhausted."""
        raise NotImplementedError

    def accept(self, key: bytes, body: bytes) -> bool:
        """Called for every HTTP 200 response: is it a success?"""
        return True


class PutWorkload(Workload):
    name = "put"

    def __init__(self, template: Template, pool: KeyPool, limit: int | None = None) -> None:
        self.template, self.pool, self.limit = template, pool, limit
        self.issued = 0

    def next(self) -> tuple[bytes, bytes] | None:
        if self.limit is not None and self.issued >= self.limit:
            return None
        self.issued += 1
        key = self.pool.new_key()
        return self.template.render(key), key

    def accept(self, key: bytes, body: bytes) -> bool:
        self.pool.acknowledged += 1
        if self.pool.keep_keys:
            self.pool.written.append(key)
        return True


UNPROCESSED = re.compile(rb'"UnprocessedItems"\s*:\s*\{\s*\}')


class BatchWriteWorkload(PutWorkload):
    """BatchWriteItem of distinct keys; a success has an empty UnprocessedItems.

    Also preloads the query table: one request per partition, pool.written then
    holds the partition keys.
    """

    name = "batch_write"
    failure = "BatchWriteItem left UnprocessedItems"

    def __init__(
        self, template: Template, pool: KeyPool, items: int, limit: int | None = None
    ) -> None:
        super().__init__(template, pool, limit)
        self.items = items

    def accept(self, key: bytes, body: bytes) -> bool:
        if b'"UnprocessedItems"' in body and not UNPROCESSED.search(body):
            return False
        return super().accept(key, body)


class TransactWriteWorkload(PutWorkload):
    name = "transact_write"
    items = TRANSACT_ITEMS


class RandomKeyWorkload(Workload):
    """Requests on keys chosen at random among those a pool's writes were acknowledged."""

    def __init__(self, template: Template, pool: KeyPool) -> None:
        self.template, self.keys = template, pool.written

    def next(self) -> tuple[bytes, bytes] | None:
        key = random.choice(self.keys)
        return self.template.render(key), key


class GetWorkload(RandomKeyWorkload):
    name = "get"
    failure = "GetItem returned no Item for a key that was written"

    def accept(self, key: bytes, body: bytes) -> bool:
        return b'"Item"' in body


class UpdateWorkload(RandomKeyWorkload):
    name = "update"


class QueryWorkload(RandomKeyWorkload):
    """Query of a random preloaded partition: a success has Count PARTITION_ITEMS."""

    name = "query"
    failure = f"Query did not return Count {PARTITION_ITEMS}"
    COUNT = re.compile(rb'"Count"\s*:\s*%d\b' % PARTITION_ITEMS)

    def accept(self, key: bytes, body: bytes) -> bool:
        return self.COUNT.search(body) is not None


def last_evaluated_key(body: bytes) -> bytes:
    """The raw JSON of a page's LastEvaluatedKey, b"" when there is none."""
    start = body.rfind(b'"LastEvaluatedKey"')
    if start < 0:
        return b""
    start = body.index(b"{", start)
    depth = 0
    # The keys of the query table are digits, so no brace hides in a string.
    for end in range(start, len(body)):
        char = body[end]
        if char == 0x7B:  # {
            depth += 1
        elif char == 0x7D:  # }
            depth -= 1
            if depth == 0:
                return body[start : end + 1]
    raise ValueError("unterminated LastEvaluatedKey")


class ScanWorkload(Workload):
    """Scan pages of SCAN_LIMIT items, each scan following LastEvaluatedKey to the end.

    Every request carries the cursor it continues (b"" for a first page). Its
    response puts the next cursor back on the stack, and the same connection pops it
    at once (nothing awaits in between), so each connection runs its own scan from
    start to end and then starts over. A failed request starts a new scan.
    """

    name = "scan"
    failure = "Scan returned no Items"

    def __init__(self, first: bytes, rest: ValueTemplate) -> None:
        self.first, self.rest = first, rest
        self.cursors: list[bytes] = []
        self.pages = 0
        self.scans = 0  # scans read to the end

    def next(self) -> tuple[bytes, bytes] | None:
        cursor = self.cursors.pop() if self.cursors else b""
        return (self.rest.render(cursor) if cursor else self.first), cursor

    def accept(self, key: bytes, body: bytes) -> bool:
        if b'"Items"' not in body:
            return False
        cursor = last_evaluated_key(body)
        self.scans += not cursor
        self.pages += 1
        self.cursors.append(cursor)
        return True


# --------------------------------------------------------------------------- per endpoint


@dataclass
class Bench:
    """The templates and key pools of one endpoint's run (tables already created)."""

    templates: dict[str, Template]
    pools: dict[str, KeyPool]
    scan: tuple[bytes, ValueTemplate] | None


def make_bench(
    endpoint: Endpoint, region: str, table: str | None, query_table: str | None, item_size: int
) -> Bench:
    templates: dict[str, Template] = {}
    scan = None
    if table:
        templates["put"] = put_template(endpoint, region, table, item_size)
        templates["get"] = get_template(endpoint, region, table)
        templates["update"] = update_template(endpoint, region, table)
        templates["batch_write"] = batch_write_template(endpoint, region, table, item_size)
        templates["transact_write"] = transact_write_template(endpoint, region, table, item_size)
    if query_table:
        templates["partition"] = partition_template(endpoint, region, query_table)
        templates["query"] = query_template(endpoint, region, query_table)
        scan = scan_templates(endpoint, region, query_table)
    pools = {
        "put": KeyPool(),  # get and update read the keys put wrote
        "partition": KeyPool(),  # partitions of the query table
        "batch_write": KeyPool(keep_keys=False),
        "transact_write": KeyPool(keep_keys=False),
    }
    return Bench(templates, pools, scan)


def make_workload(op: str, bench: Bench) -> Workload:
    templates, pools = bench.templates, bench.pools
    if op == "put":
        return PutWorkload(templates["put"], pools["put"])
    if op == "get":
        return GetWorkload(templates["get"], pools["put"])
    if op == "update":
        return UpdateWorkload(templates["update"], pools["put"])
    if op == "query":
        return QueryWorkload(templates["query"], pools["partition"])
    if op == "scan":
        assert bench.scan is not None
        return ScanWorkload(*bench.scan)
    if op == "batch_write":
        return BatchWriteWorkload(templates["batch_write"], pools["batch_write"], BATCH_ITEMS)
    if op == "transact_write":
        return TransactWriteWorkload(templates["transact_write"], pools["transact_write"])
    raise ValueError(f"unknown op {op!r}")
