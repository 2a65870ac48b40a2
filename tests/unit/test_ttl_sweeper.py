"""The TTL sweeper and its expiry index, on a bare runtime: what a sweep reads and does."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

from tidal.core.config import Config
from tidal.core.context import RequestContext
from tidal.core.events import ITEM_CHANGED, TTL_IDENTITY
from tidal.core.runtime import Runtime
from tidal.dynamodb import expiry, expiry_index, items, tables, ttl
from tidal.dynamodb.catalog import Catalog
from tidal.storage import open_store

NOW = 1_700_000_000.5
FIVE_YEARS = 5 * 365 * 24 * 3600


class CountingStore:
    """A store whose transactions count the rows they read."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.reads = {"get": 0, "range": 0, "scan": 0}

    def transaction(self, write: bool = True) -> CountingTransaction:
        return CountingTransaction(self, self.store.transaction(write))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


class CountingTransaction:
    def __init__(self, counter: CountingStore, inner: Any) -> None:
        self._counter = counter
        self._inner = inner

    def __enter__(self) -> CountingTransaction:
        self._txn = self._inner.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._inner.__exit__(*exc)

    def get(self, *args: Any) -> Any:
        self._counter.reads["get"] += 1
        return self._txn.get(*args)

    def range(self, *args: Any, **kwargs: Any) -> Iterator:
        for row in self._txn.range(*args, **kwargs):
            self._counter.reads["range"] += 1
            yield row

    def scan(self, *args: Any, **kwargs: Any) -> Iterator:
        for row in self._txn.scan(*args, **kwargs):
            self._counter.reads["scan"] += 1
            yield row

    def __getattr__(self, name: str) -> Any:
        return getattr(self._txn, name)


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.setattr("tidal.core.clock.now", lambda: NOW)
    store = CountingStore(open_store(None))
    yield Runtime(Config(in_memory=True), store)
    store.close()


def context(runtime: Runtime) -> RequestContext:
    return RequestContext(runtime, "000000000000", "us-east-1", "request")


def create_table(runtime: Runtime, name: str = "things", **extra: Any) -> None:
    with runtime.store.transaction() as txn:
        tables.create_table(
            context(runtime),
            txn,
            {
                "TableName": name,
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST",
                **extra,
            },
        )


def set_ttl(runtime: Runtime, enabled: bool = True, name: str = "things") -> None:
    with runtime.store.transaction() as txn:
        ttl.update_time_to_live(
            context(runtime),
            txn,
            {
                "TableName": name,
                "TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": enabled},
            },
        )


def put(runtime: Runtime, key: str, expires: float | None = None, name: str = "things") -> None:
    item: dict[str, Any] = {"pk": {"S": key}}
    if expires is not None:
        item["exp"] = {"N": repr(expires)}
    with runtime.store.transaction() as txn:
        items.put_item(context(runtime), txn, {"TableName": name, "Item": item})


def keys(runtime: Runtime, name: str = "things") -> set[str]:
    with runtime.store.transaction(write=False) as txn:
        table = runtime.room("dynamodb", Catalog).get(txn, "000000000000", "us-east-1", name)
        return {pk.decode() for pk, _, _ in txn.scan(table.space)}


def index_rows(runtime: Runtime, space: int) -> int:
    with runtime.store.transaction(write=False) as txn:
        return txn.space_stats(space)[0]


def ttl_space(runtime: Runtime, name: str = "things") -> int:
    with runtime.store.transaction(write=False) as txn:
        table = runtime.room("dynamodb", Catalog).get(txn, "000000000000", "us-east-1", name)
        return expiry_index.setting(table)["Space"]


def test_a_sweep_reads_only_the_expired_rows(runtime):
    create_table(runtime)
    set_ttl(runtime)
    for n in range(30):
        put(runtime, f"expired-{n}", NOW - 10 - n)
    for n in range(100):
        put(runtime, f"future-{n}", NOW + 10 + n)
    for n in range(50):
        put(runtime, f"never-{n}")
    runtime.store.reads.update(get=0, range=0, scan=0)
    assert expiry.sweep(runtime) == (30, NOW + 10)
    # 30 index rows, one more to learn the next expiry, and the 30 items themselves.
    assert runtime.store.reads == {"get": 30, "range": 31, "scan": 0}
    assert len(keys(runtime)) == 150
    assert index_rows(runtime, ttl_space(runtime)) == 100
    runtime.store.reads.update(get=0, range=0, scan=0)
    assert expiry.sweep(runtime) == (0, NOW + 10)
    assert runtime.store.reads == {"get": 0, "range": 1, "scan": 0}


def test_sweeping_in_batches(runtime):
    create_table(runtime)
    set_ttl(runtime)
    for n in range(5):
        put(runtime, f"expired-{n}", NOW - 100 + n)
    put(runtime, "future", NOW + 7)
    batches = [expiry.sweep_batch(runtime, limit=2) for _ in range(3)]
    assert batches == [
        expiry.Batch(2, 2, None),
        expiry.Batch(2, 2, None),
        expiry.Batch(1, 1, NOW + 7),
    ]
    assert keys(runtime) == {"future"}


def test_no_expiry_indexed_means_no_next_sweep(runtime):
    create_table(runtime)
    assert expiry.sweep(runtime) == (0, math.inf)
    set_ttl(runtime)
    put(runtime, "never")
    assert expiry.sweep(runtime) == (0, math.inf)


def test_expiry_deletes_carry_the_ttl_identity(runtime):
    create_table(
        runtime, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    )
    set_ttl(runtime)
    put(runtime, "expired", NOW - 1)
    changes = []
    runtime.hooks.subscribe(ITEM_CHANGED, lambda txn, change: changes.append(change))
    expiry.sweep(runtime)
    (change,) = changes
    assert change.identity == TTL_IDENTITY
    assert change.old == {"pk": {"S": "expired"}, "exp": {"N": repr(NOW - 1)}}
    assert change.new is None


def test_a_stale_index_row_is_dropped_not_obeyed(runtime):
    create_table(runtime)
    set_ttl(runtime)
    put(runtime, "item", NOW + 100)
    space = ttl_space(runtime)
    stale = expiry_index.entry(
        expiry_index.expiry_of({"exp": {"N": "1700000000"}}, "exp"), (b"item", b"")
    )
    with runtime.store.transaction() as txn:
        txn.put(space, expiry_index.PARTITION, stale, b"")
    assert expiry.sweep(runtime) == (0, NOW + 100)
    assert keys(runtime) == {"item"}
    assert index_rows(runtime, space) == 1


def test_the_index_of_a_deleted_table_is_dropped(runtime):
    create_table(runtime)
    set_ttl(runtime)
    put(runtime, "item", NOW + 100)
    space = ttl_space(runtime)
    with runtime.store.transaction() as txn:
        tables.delete_table(context(runtime), txn, "things")
    assert expiry.sweep(runtime) == (0, math.inf)
    with runtime.store.transaction(write=False) as txn:
        assert txn.list_docs(expiry_index.REGISTRY) == []
    assert index_rows(runtime, space) == 0


def test_disabling_drops_the_index(runtime):
    create_table(runtime)
    set_ttl(runtime)
    put(runtime, "item", NOW - 1)
    space = ttl_space(runtime)
    set_ttl(runtime, enabled=False)
    assert index_rows(runtime, space) == 0
    assert expiry.sweep(runtime) == (0, math.inf)
    assert keys(runtime) == {"item"}


@pytest.mark.parametrize(
    ("expires", "expired"),
    [
        ("1700000000", True),
        ("1700000000.4999", True),
        ("1700000000.5", False),
        ("1700000001", False),
        (repr(NOW - FIVE_YEARS), True),
        (repr(NOW - FIVE_YEARS - 1), False),
        ("-1", False),
        ("0", False),
        ("9.9E+125", False),
    ],
)
def test_which_moments_have_expired(expires, expired):
    lo, hi = expiry_index.window(NOW)
    row = expiry_index.entry(expiry_index.expiry_of({"exp": {"N": expires}}, "exp"), (b"k", b""))
    assert (lo <= row < hi) is expired


@pytest.mark.parametrize(
    "value", [{"S": "1"}, {"NS": ["1"]}, {"L": [{"N": "1"}]}, {"M": {"N": {"N": "1"}}}, None]
)
def test_only_numbers_expire(value):
    item = {"pk": {"S": "k"}} | ({"exp": value} if value else {})
    assert expiry_index.expiry_of(item, "exp") is None


def test_writes_ring_the_alarm_only_for_an_earlier_expiry(runtime):
    create_table(runtime)
    set_ttl(runtime)
    rings = []
    alarm = expiry_index.alarm(runtime)
    alarm.connect(lambda: rings.append(alarm.due))
    alarm.due = NOW + 100
    put(runtime, "later", NOW + 200)
    put(runtime, "untimed")
    assert rings == []
    put(runtime, "sooner", NOW + 50)
    assert rings == [NOW + 50]
    with pytest.raises(RuntimeError), runtime.store.transaction() as txn:
        table = runtime.room("dynamodb", Catalog).get(txn, "000000000000", "us-east-1", "things")
        item = {"pk": {"S": "rolled-back"}, "exp": {"N": "1"}}
        expiry_index.write(txn, runtime, table, (b"rolled-back", b""), None, item)
        raise RuntimeError("roll back")
    assert rings == [NOW + 50]
