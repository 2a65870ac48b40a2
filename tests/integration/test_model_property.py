"""Model-based property test: random writes against the live server, mirrored in a plain model
(tests/integration/model.py); every read must agree with the model.

The table has hash key `pk` (S) and range key `sk` (N), a global index `by-g` (hash `g` S,
range `gs` N) and a local index `by-ls` (range `ls` S); two layouts cover the projections
(GSI INCLUDE [inc] with LSI KEYS_ONLY, and GSI ALL with LSI ALL). Each example starts from a
fresh table loaded with up to a dozen items, then hypothesis draws steps: PutItem, UpdateItem
and DeleteItem (sometimes with a condition that fails; updates SET, REMOVE and ADD index keys,
so items move in and out of the sparse indexes), TransactWriteItems (2-4 actions, some of them
ConditionChecks; a cancelled transaction changes nothing, two actions on one item are refused),
BatchWriteItem, writes the server must refuse (an index key of the wrong type, or empty), and
reads: Scans in pages and segments, Queries with sort-key conditions in pages and in either
direction. Key spaces are tiny (3 pk values, 5 sk values, 2 `g` values, 3 `gs` values) so
overwrites, collisions, ties and moves are frequent, and numbers are sent in several spellings
("2", "2.00", "2E+0", "0.2E1") which must name one key and come back as "2".

After every step that wrote (or tried to), the invariant compares the server with the model: a
Scan of the table and of each index (the same rows, projected as the index says, each partition
contiguous and in order), GetItem of the keys the step touched, Query of every partition the
step touched in both directions (in DynamoDB's order: by sort key; in an index by index sort
key, then the table's hash key, then its sort key), Count and ScannedCount, and the ItemCount of
the table and of each index in DescribeTable. When an example ends, every partition is queried,
with a filtered Query (Count vs ScannedCount) and a BatchGetItem of every key besides.

A failure prints the steps hypothesis shrank it to; shrinking re-runs many examples against the
server and can take a few minutes.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from tests.integration.model import (
    HASH,
    RANGE,
    Action,
    Change,
    Check,
    Compare,
    Delete,
    Either,
    Exists,
    IndexSpec,
    Item,
    Key,
    Not,
    NotExists,
    Outcome,
    Put,
    TableModel,
    Update,
    Value,
    action_params,
    canonical_key,
    key_item,
    key_of,
    order_of,
    target,
)

EXAMPLES = 15
STEPS = 20


def S(text: str) -> Value:
    return {"S": text}


def N(text: str) -> Value:
    return {"N": text}


# -- the tables -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    name: str
    gsi: IndexSpec
    lsi: IndexSpec

    @property
    def indexes(self) -> tuple[IndexSpec, IndexSpec]:
        return (self.gsi, self.lsi)


LAYOUTS = [
    Layout(
        "gsi-include-lsi-keys-only",
        IndexSpec("by-g", True, "g", "gs", "INCLUDE", ("inc",)),
        IndexSpec("by-ls", False, HASH, "ls", "KEYS_ONLY"),
    ),
    Layout(
        "gsi-all-lsi-all",
        IndexSpec("by-g", True, "g", "gs", "ALL"),
        IndexSpec("by-ls", False, HASH, "ls", "ALL"),
    ),
]

TABLE = "table"
"""The `source` of a read of the table itself (otherwise an index name)."""


def create(dynamodb, name: str, layout: Layout) -> None:
    dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": kind}
            for attribute, kind in (("pk", "S"), ("sk", "N"), ("g", "S"), ("gs", "N"), ("ls", "S"))
        ],
        KeySchema=[
            {"AttributeName": HASH, "KeyType": "HASH"},
            {"AttributeName": RANGE, "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[layout.gsi.description()],
        LocalSecondaryIndexes=[layout.lsi.description()],
        BillingMode="PAY_PER_REQUEST",
    )


# -- what hypothesis draws ------------------------------------------------------------------

PKS = ("a", "ab", "é")
"""A prefix of another, and a non-ASCII one: the tie order of index rows is by UTF-8 bytes."""
SKS = ("-1", "0", "0.5", "2", "10")
"""10 after 2, -1 before 0: numbers sort by value, not as text."""
GS = ("x", "y")


def spelled(number: str) -> st.SearchStrategy[str]:
    """`number` as DynamoDB returns it, or written another way ("2.00", "2E+0", "0.2E1")."""
    value = Decimal(number)
    padded = number + ("0" if "." in number else ".00")
    return st.sampled_from([number, padded, format(value, "E"), f"{value.scaleb(-1):f}E1"])


def numbers(*choices: str) -> st.SearchStrategy[Value]:
    return st.sampled_from(choices).flatmap(spelled).map(N)


def strings(*choices: str) -> st.SearchStrategy[Value]:
    return st.sampled_from(choices).map(S)


KEY_VALUES = {"g": strings(*GS), "gs": numbers("-1", "2", "10"), "ls": strings("m", "m\x00", "n")}
values = {
    **KEY_VALUES,
    "inc": st.sampled_from([S("i1"), S("i2"), N("7"), {"L": [S("i")]}]),
    "other": st.sampled_from(
        [S("o1"), S("o2"), {"BOOL": True}, {"NULL": True}, {"M": {"z": N("1.0")}}]
    ),
}
ATTRIBUTES = tuple(values)
ORDERED = {"sk": numbers(*SKS), "gs": KEY_VALUES["gs"], "ls": KEY_VALUES["ls"]}
"""Values of the attributes that conditions compare with < and >=."""

keys = st.tuples(st.sampled_from(PKS), st.sampled_from(SKS).flatmap(spelled))


@st.composite
def items(draw: st.DrawFn) -> Item:
    """An item of a drawn key; index keys are there 3 times in 4, other attributes 1 in 2."""
    item = key_item(draw(keys))
    for name in ATTRIBUTES:
        if draw(st.integers(0, 3)) >= (1 if name in KEY_VALUES else 2):
            item[name] = draw(values[name])
    return item


@st.composite
def comparisons(draw: st.DrawFn) -> Compare:
    if draw(st.booleans()):
        attribute = draw(st.sampled_from(ATTRIBUTES))
        return Compare(attribute, "=", draw(values[attribute]))
    attribute = draw(st.sampled_from(list(ORDERED)))
    return Compare(attribute, draw(st.sampled_from(["<", ">="])), draw(ORDERED[attribute]))


atoms = st.one_of(
    st.builds(Exists, st.sampled_from((HASH, *ATTRIBUTES))),
    st.builds(NotExists, st.sampled_from((HASH, *ATTRIBUTES))),
    comparisons(),
)
conditions = st.recursive(
    atoms,
    lambda inner: st.one_of(st.builds(Not, inner), st.builds(Either, inner, inner, st.booleans())),
    max_leaves=3,
)
maybe_conditions = st.none() | conditions


def _change(attribute: str) -> st.SearchStrategy[Change]:
    options = [
        st.builds(Change, st.just("SET"), st.just(attribute), values[attribute]),
        st.just(Change("REMOVE", attribute)),
    ]
    if attribute == "gs":
        steps = numbers("1", "-1", "8")
        options.append(st.builds(Change, st.just("ADD"), st.just("gs"), steps))
    return st.one_of(options)


changes = st.lists(st.sampled_from(ATTRIBUTES), min_size=1, max_size=3, unique=True).flatmap(
    lambda names: st.tuples(*map(_change, names))
)
puts = st.builds(Put, items(), maybe_conditions)
updates = st.builds(Update, keys, changes, maybe_conditions)
deletes = st.builds(Delete, keys, maybe_conditions)
checks = st.builds(Check, keys, conditions)
rarely = st.integers(0, 5).map(lambda n: n == 5)


def _on_key(action: Action, key: Key) -> Action:
    if isinstance(action, Put):
        return replace(action, item={**action.item, **key_item(key)})
    return replace(action, key=key)


def _writes(actions: st.SearchStrategy[Action], min_size: int, max_size: int) -> st.SearchStrategy:
    """Lists of actions on distinct items; now and then the last on the first one's item."""
    distinct = st.lists(actions, min_size=min_size, max_size=max_size, unique_by=target)
    return st.builds(
        lambda actions, twice: (
            [*actions[:-1], _on_key(actions[-1], actions[0].key)]
            if twice and len(actions) > 1
            else actions
        ),
        distinct,
        rarely,
    )


transactions = _writes(st.one_of(puts, updates, deletes, checks), 2, 4)
batches = _writes(st.one_of(st.builds(Put, items()), st.builds(Delete, keys)), 1, 6)
BAD_INDEX_VALUES = [("g", N("1")), ("gs", S("1")), ("ls", N("1")), ("g", S("")), ("ls", S(""))]
"""An index key of the wrong type, or an empty string: the write is refused."""
bad_values = st.sampled_from(BAD_INDEX_VALUES)


# -- reading and comparing ------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def grouped_like(actual: list[Item], expected: list[Item], group_of: Callable) -> list[Item]:
    """`expected` (in order within each group) with its groups in the order `actual` shows
    them: a Scan's partitions come in hash order, which the model does not predict, but each
    must be contiguous and in order."""
    groups: dict[str, list[Item]] = {}
    for row in expected:
        groups.setdefault(_json(group_of(row)), []).append(row)
    order = [g for g in dict.fromkeys(_json(group_of(row)) for row in actual) if g in groups]
    order += [g for g in groups if g not in order]
    return [row for g in order for row in groups[g]]


def error_code(error: ClientError) -> str:
    return error.response["Error"]["Code"]


class ModelMachine(RuleBasedStateMachine):
    """One fresh table per example; `dynamodb` and `layout` are set by the test."""

    dynamodb: Any = None
    layout: Layout = LAYOUTS[0]

    def __init__(self) -> None:
        super().__init__()
        self.table = f"model-{uuid.uuid4().hex[:12]}"
        create(self.dynamodb, self.table, self.layout)
        self.model = TableModel(self.layout.indexes)
        self.touched: set[Key] = set()
        """Keys the steps since the last check wrote (or tried to)."""
        self.partitions: dict[str, set[str]] = {}
        """Per table (TABLE) or index: hash key values (as JSON) whose rows may have changed."""

    def teardown(self) -> None:
        try:
            if sys.exc_info()[0] is None:  # not while a failure (or hypothesis) is unwinding
                self._check_everything(every_partition=True)
        finally:
            self.dynamodb.delete_table(TableName=self.table)

    def _touch(self, keys: Any) -> None:
        """Note `keys` and the partitions their items are in now (call before the write)."""
        for key in map(canonical_key, keys):
            self.touched.add(key)
            self._note_partitions(self.model.items.get(key) or key_item(key))

    def _note_partitions(self, item: Item) -> None:
        self.partitions.setdefault(TABLE, set()).add(_json(item[HASH]))
        for index in self.layout.indexes:
            if index.hash_key in item:
                self.partitions.setdefault(index.name, set()).add(_json(item[index.hash_key]))

    # the writes

    def _expect_error(self, call: Callable[[], Any], code: str, what: str) -> ClientError:
        try:
            response = call()
        except ClientError as error:
            assert error_code(error) == code, f"{what}: expected {code}, got {error.response}"
            return error
        raise AssertionError(f"{what}: expected {code}, but it succeeded: {response}")

    def _expect_success(self, call: Callable[[], Any], what: str) -> dict[str, Any]:
        try:
            return call()
        except ClientError as error:
            raise AssertionError(f"{what}: expected success, got {error.response}") from None

    def _single(self, operation: str, action: Action, params: dict[str, Any]) -> None:
        self._touch([action.key])
        call = getattr(self.dynamodb, operation)
        outcome = self.model.write(action)
        what = f"{operation} {params}"
        if outcome.error is not None:
            error = self._expect_error(lambda: call(**params), outcome.error, what)
            if params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD":
                assert error.response.get("Item") == outcome.old, (
                    f"{what}: the failed condition's Item is not the item as it was"
                )
            return
        response = self._expect_success(lambda: call(**params), what)
        returned = params.get("ReturnValues", "NONE")
        assert (response.get("Attributes") or None) == self._returned(returned, action, outcome), (
            f"{what}: ReturnValues={returned} answered {response.get('Attributes')}"
        )

    @staticmethod
    def _returned(returned: str, action: Action, outcome: Outcome) -> Item | None:
        if returned == "ALL_OLD":
            return outcome.old
        if returned == "ALL_NEW":
            return outcome.new
        if returned.startswith("UPDATED_"):
            item = outcome.old if returned == "UPDATED_OLD" else outcome.new
            names = {change.attribute for change in action.changes}
            picked = {name: value for name, value in (item or {}).items() if name in names}
            return picked or None
        return None

    @rule(
        put=puts,
        return_old=st.booleans(),
        old_on_failure=st.booleans(),
    )
    def put_item(self, put: Put, return_old: bool, old_on_failure: bool) -> None:
        params = action_params(put, self.table)
        if return_old:
            params["ReturnValues"] = "ALL_OLD"
        if old_on_failure:
            params["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        self._single("put_item", put, params)

    @rule(
        update=updates,
        returned=st.sampled_from(["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"]),
        old_on_failure=st.booleans(),
    )
    def update_item(self, update: Update, returned: str, old_on_failure: bool) -> None:
        params = action_params(update, self.table)
        params["ReturnValues"] = returned
        if old_on_failure:
            params["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        self._single("update_item", update, params)

    @rule(delete=deletes, return_old=st.booleans())
    def delete_item(self, delete: Delete, return_old: bool) -> None:
        params = action_params(delete, self.table)
        if return_old:
            params["ReturnValues"] = "ALL_OLD"
        self._single("delete_item", delete, params)

    @rule(actions=transactions, old_on_failure=st.booleans())
    def transact_write(self, actions: list[Action], old_on_failure: bool) -> None:
        kinds = {Put: "Put", Update: "Update", Delete: "Delete", Check: "ConditionCheck"}
        request = []
        for action in actions:
            params = action_params(action, self.table)
            if old_on_failure:
                params["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
            request.append({kinds[type(action)]: params})
        self._touch(action.key for action in actions)
        before = {target(action): self.model.items.get(target(action)) for action in actions}
        outcome = self.model.transact(actions)
        what = f"TransactWriteItems {request}"
        call = lambda: self.dynamodb.transact_write_items(TransactItems=request)  # noqa: E731
        if outcome.error is None:
            self._expect_success(call, what)
            return
        error = self._expect_error(call, outcome.error, what)
        if outcome.reasons is None:
            return
        expected = []
        for action, code in zip(actions, outcome.reasons, strict=True):
            reason: dict[str, Any] = {"Code": code}
            if code == "ConditionalCheckFailed":
                reason["Message"] = "The conditional request failed"
                if old_on_failure and before[target(action)] is not None:
                    reason["Item"] = before[target(action)]
            expected.append(reason)
        assert error.response.get("CancellationReasons") == expected, (
            f"{what}: cancellation reasons differ from the model's"
        )

    @initialize(puts=st.lists(st.builds(Put, items()), max_size=12, unique_by=target))
    def load(self, puts: list[Put]) -> None:
        """Start from up to a dozen items (one BatchWriteItem), so that steps meet a full table."""
        if puts:
            self.batch_write(puts, bad=False, bad_value=BAD_INDEX_VALUES[0])

    @rule(requests=batches, bad=rarely, bad_value=bad_values)
    def batch_write(self, requests: list[Put | Delete], bad: bool, bad_value: tuple) -> None:
        writes = []
        for request in requests:
            if isinstance(request, Put):
                writes.append({"PutRequest": {"Item": request.item}})
            else:
                writes.append({"DeleteRequest": {"Key": key_item(request.key)}})
        if bad:  # a put with a bad index key (wrong type, or empty) refuses the whole batch
            name, value = bad_value
            writes[-1] = {"PutRequest": {"Item": {**key_item(requests[-1].key), name: value}}}
        self._touch(request.key for request in requests)
        outcome = self.model.batch_write(requests, valid=not bad)
        call = lambda: self.dynamodb.batch_write_item(RequestItems={self.table: writes})  # noqa: E731
        what = f"BatchWriteItem {writes}"
        if outcome.error is not None:
            self._expect_error(call, outcome.error, what)
            return
        response = self._expect_success(call, what)
        assert response["UnprocessedItems"] == {}, f"{what}: {response}"

    @rule(item=items(), bad_value=bad_values, condition=maybe_conditions)
    def refused_put(self, item: Item, bad_value: tuple, condition: Any) -> None:
        """An index key of the wrong type or empty: refused before any condition is read."""
        name, value = bad_value
        put = Put({**item, name: value}, condition)
        self._touch([put.key])
        params = action_params(put, self.table)
        self._expect_error(
            lambda: self.dynamodb.put_item(**params), "ValidationException", f"PutItem {params}"
        )

    @rule(key=keys, bad_value=bad_values, also=changes)
    def refused_update(self, key: Key, bad_value: tuple, also: tuple[Change, ...]) -> None:
        """An update that would make an index key of the wrong type or empty: nothing changes."""
        name, value = bad_value
        kept = tuple(change for change in also if change.attribute != name)
        update = Update(key, (*kept, Change("SET", name, value)))
        self._touch([key])
        params = action_params(update, self.table)
        self._expect_error(
            lambda: self.dynamodb.update_item(**params),
            "ValidationException",
            f"UpdateItem {params}",
        )

    # reads with pages, key conditions and filters (the invariant reads everything unpaged)

    def _source_params(self, source: str) -> dict[str, Any]:
        params: dict[str, Any] = {"TableName": self.table}
        if source != TABLE:
            params["IndexName"] = source
        if source == TABLE or not self.model.index(source).is_global:
            params["ConsistentRead"] = True
        return params

    def _key_names(self, source: str) -> set[str]:
        if source == TABLE:
            return {HASH, RANGE}
        return {HASH, RANGE, *self.model.index(source).key_names}

    def _filter_attribute(self, source: str) -> str | None:
        """A non-key attribute the source holds (None for a KEYS_ONLY index)."""
        if source == TABLE:
            return "other"
        index = self.model.index(source)
        return {"ALL": "other", "INCLUDE": "inc"}.get(index.projection)

    def _read_pages(
        self, read: Callable, params: dict[str, Any], limit: int | None, what: str
    ) -> tuple[list[Item], int, int]:
        """Every page of a Query or Scan: (items, Count total, ScannedCount total)."""
        found: list[Item] = []
        count = scanned = 0
        start = None
        for page in range(100):
            request = dict(params)
            if limit is not None:
                request["Limit"] = limit
            if start is not None:
                request["ExclusiveStartKey"] = start
            response = read(**request)
            page_items = response.get("Items", [])
            where = f"{what}, page {page + 1} (Limit={limit})"
            if params.get("Select") != "COUNT":
                assert response["Count"] == len(page_items), f"{where}: Count is not len(Items)"
            if "FilterExpression" not in params:
                assert response["ScannedCount"] == response["Count"], (
                    f"{where}: ScannedCount {response['ScannedCount']} != Count {response['Count']}"
                )
            assert response["Count"] <= response["ScannedCount"], f"{where}: Count > ScannedCount"
            found += page_items
            count += response["Count"]
            scanned += response["ScannedCount"]
            start = response.get("LastEvaluatedKey")
            full = limit is not None and response["ScannedCount"] == limit
            assert (start is not None) == full, (
                f"{where}: LastEvaluatedKey {start} with ScannedCount {response['ScannedCount']}"
            )
            if start is None:
                return found, count, scanned
            assert set(start) == self._key_names(params.get("IndexName", TABLE)), (
                f"{where}: LastEvaluatedKey {start} does not hold the table and index keys"
            )
            if page_items and "FilterExpression" not in params:
                last = page_items[-1]
                assert start == {name: last[name] for name in start}, (
                    f"{where}: LastEvaluatedKey {start} is not the key of the last item {last}"
                )
        raise AssertionError(f"{what}: more than 100 pages")

    def _expected_rows(self, source: str) -> tuple[list[Item], Callable[[Item], Any]]:
        """The rows of a source in order within a partition, and the partition of a row."""
        if source == TABLE:
            rows = sorted(self.model.items.values(), key=lambda i: order_of(i[RANGE]))
            return rows, lambda row: row.get(HASH)
        index = self.model.index(source)
        return self.model.index_rows(index), lambda row: row.get(index.hash_key)

    @rule(
        source=st.sampled_from([TABLE, "by-g", "by-ls"]),
        limit=st.none() | st.integers(1, 4),
        filtered=st.booleans(),
        segments=st.sampled_from([1, 1, 2, 3]),
    )
    def paged_scan(self, source: str, limit: int | None, filtered: bool, segments: int) -> None:
        rows, group_of = self._expected_rows(source)
        params = self._source_params(source)
        attribute = self._filter_attribute(source) if filtered else None
        if attribute is not None:
            params["FilterExpression"] = "attribute_exists(#f)"
            params["ExpressionAttributeNames"] = {"#f": attribute}
        what = f"Scan of {source} {params} in {segments} segment(s)"
        found: list[Item] = []
        scanned = 0
        for segment in range(segments):
            segment_params = dict(params)
            if segments > 1:
                segment_params.update(Segment=segment, TotalSegments=segments)
            part, _count, part_scanned = self._read_pages(
                self.dynamodb.scan, segment_params, limit, f"{what}, segment {segment}"
            )
            found += part
            scanned += part_scanned
        assert scanned == len(rows), f"{what}: ScannedCount totals {scanned}, not {len(rows)}"
        if attribute is not None:
            rows = [row for row in rows if attribute in row]
        assert found == grouped_like(found, rows, group_of), (
            f"{what}: the pages differ from the model (each partition contiguous and in order)"
        )

    @rule(data=st.data(), source=st.sampled_from([TABLE, "by-g", "by-ls"]))
    def ranged_query(self, data: st.DataObject, source: str) -> None:
        """A Query with a condition on the sort key, read in pages, in either direction."""
        if source == TABLE or not self.model.index(source).is_global:
            hash_name, hash_value = HASH, S(data.draw(st.sampled_from(PKS), label="pk"))
        else:
            hash_name, hash_value = "g", S(data.draw(st.sampled_from(GS), label="g"))
        range_name = RANGE if source == TABLE else self.model.index(source).range_key
        between = {  # values no item has
            "sk": numbers("1", "-5", "11"),
            "gs": numbers("1", "-2", "11"),
            "ls": strings("l", "m\x00a", "o"),
        }
        choices = ORDERED[range_name] | between[range_name]
        operators = ["=", "<", "<=", ">", ">=", "BETWEEN"]
        if range_name == "ls":
            operators.append("begins_with")
        operator = data.draw(st.sampled_from(operators), label="operator")
        bounds = data.draw(st.lists(choices, min_size=2, max_size=2), label="bounds")
        bounds.sort(key=order_of)
        forward = data.draw(st.booleans(), label="ScanIndexForward")
        limit = data.draw(st.none() | st.integers(1, 3), label="Limit")
        selects = ["default", "COUNT"]
        if source != TABLE and not self.model.index(source).is_global:
            selects.append("ALL_ATTRIBUTES")  # a local index fetches what it does not hold
        select = data.draw(st.sampled_from(selects), label="Select")
        if operator == "BETWEEN":
            condition = "#h = :h AND #r BETWEEN :lo AND :hi"
        elif operator == "begins_with":
            condition = "#h = :h AND begins_with(#r, :lo)"
        else:
            condition = f"#h = :h AND #r {operator} :lo"
        params = self._source_params(source)
        params.update(
            KeyConditionExpression=condition,
            ExpressionAttributeNames={"#h": hash_name, "#r": range_name},
            ExpressionAttributeValues={":h": hash_value, ":lo": bounds[0]},
            ScanIndexForward=forward,
        )
        if operator == "BETWEEN":
            params["ExpressionAttributeValues"][":hi"] = bounds[1]
        if select != "default":
            params["Select"] = select
        lo, hi = order_of(bounds[0]), order_of(bounds[1])
        test = {
            "=": lambda v: v == lo,
            "<": lambda v: v < lo,
            "<=": lambda v: v <= lo,
            ">": lambda v: v > lo,
            ">=": lambda v: v >= lo,
            "BETWEEN": lambda v: lo <= v <= hi,
            "begins_with": lambda v: v.startswith(lo),
        }[operator]
        rows, _ = self._expected_rows(source)
        expected = [
            row for row in rows if row[hash_name] == hash_value and test(order_of(row[range_name]))
        ]
        if not forward:
            expected.reverse()
        if select == "ALL_ATTRIBUTES":
            expected = [self.model.items[key_of(row)] for row in expected]
        what = f"Query {params}"
        found, count, _scanned = self._read_pages(self.dynamodb.query, params, limit, what)
        if select == "COUNT":
            assert (found, count) == ([], len(expected)), f"{what}: Count {count} (and no Items)"
        else:
            assert found == expected, f"{what}: the items differ from the model's, or their order"

    # the invariant: every read agrees with the model

    @invariant()
    def agrees_with_model(self) -> None:
        """After every step that wrote (or tried to): Scans, ItemCounts, GetItem of the keys
        written, and Queries of the partitions they are or were in. (A step that only reads
        checked its own reads; teardown checks every partition.)"""
        if self.touched:
            self._check_everything(every_partition=False)

    def _check_everything(self, every_partition: bool) -> None:
        for key in self.touched:
            if key in self.model.items:
                self._note_partitions(self.model.items[key])
        self._check_scans()
        self._check_gets()
        if every_partition:
            self._check_batch_get()
        self._check_table_queries(every_partition)
        self._check_index_queries(every_partition)
        self._check_counts()
        self.touched.clear()
        self.partitions.clear()

    def _queried(self, source: str, every: list[Value], every_partition: bool) -> list[Value]:
        if every_partition:
            return every
        noted = self.partitions.get(source, set())
        return [value for value in every if _json(value) in noted]

    def _check_scans(self) -> None:
        for source in (TABLE, *(index.name for index in self.layout.indexes)):
            rows, group_of = self._expected_rows(source)
            what = f"Scan of {source}"
            found, _, _ = self._read_pages(
                self.dynamodb.scan, self._source_params(source), None, what
            )
            assert found == grouped_like(found, rows, group_of), (
                f"{what}: the rows differ from the model's (each partition contiguous, in order)"
            )

    def _check_gets(self) -> None:
        for key in sorted(self.touched):
            response = self.dynamodb.get_item(
                TableName=self.table, Key=key_item(key), ConsistentRead=True
            )
            assert response.get("Item") == self.model.items.get(key), (
                f"GetItem {key}: the item differs from the model's"
            )

    def _check_batch_get(self) -> None:
        every_key = [key_item((pk, sk)) for pk in PKS for sk in SKS]
        response = self.dynamodb.batch_get_item(
            RequestItems={self.table: {"Keys": every_key, "ConsistentRead": True}}
        )
        assert response["UnprocessedKeys"] == {}, "BatchGetItem left keys unprocessed"
        found = sorted(response["Responses"][self.table], key=lambda i: _json(key_of(i)))
        expected = sorted(self.model.items.values(), key=lambda i: _json(key_of(i)))
        assert found == expected, "BatchGetItem of every key: the items differ from the model's"

    def _query(self, what: str, **params: Any) -> list[Item]:
        found, _, _ = self._read_pages(self.dynamodb.query, params, None, what)
        return found

    def _check_table_queries(self, every_partition: bool) -> None:
        for value in self._queried(TABLE, [S(pk) for pk in PKS], every_partition):
            pk = value["S"]
            expected = self.model.partition(pk)
            for forward in (True, False):
                what = f"Query of the table, pk={pk!r}, ScanIndexForward={forward}"
                found = self._query(
                    what,
                    **self._source_params(TABLE),
                    KeyConditionExpression="pk = :pk",
                    ExpressionAttributeValues={":pk": S(pk)},
                    ScanIndexForward=forward,
                )
                wanted = expected if forward else expected[::-1]
                assert found == wanted, f"{what}: the items differ from the model's, or their order"
            if not every_partition:
                continue
            what = f"Query of the table, pk={pk!r}, filtered on attribute_exists(other)"
            response = self.dynamodb.query(
                **self._source_params(TABLE),
                KeyConditionExpression="pk = :pk",
                FilterExpression="attribute_exists(#o)",
                ExpressionAttributeNames={"#o": "other"},
                ExpressionAttributeValues={":pk": S(pk)},
            )
            with_other = [item for item in expected if "other" in item]
            assert response["Items"] == with_other, f"{what}: the items differ from the model's"
            assert (response["Count"], response["ScannedCount"]) == (
                len(with_other),
                len(expected),
            ), f"{what}: Count/ScannedCount {response['Count']}/{response['ScannedCount']}"

    def _check_index_queries(self, every_partition: bool) -> None:
        for index in self.layout.indexes:
            hash_values = [S(g) for g in GS] if index.is_global else [S(pk) for pk in PKS]
            for hash_value in self._queried(index.name, hash_values, every_partition):
                expected = self.model.index_partition(index, hash_value)
                for forward in (True, False):
                    what = (
                        f"Query of index {index.name} ({index.projection}), "
                        f"{index.hash_key}={hash_value}, ScanIndexForward={forward}"
                    )
                    found = self._query(
                        what,
                        **self._source_params(index.name),
                        KeyConditionExpression="#h = :h",
                        ExpressionAttributeNames={"#h": index.hash_key},
                        ExpressionAttributeValues={":h": hash_value},
                        ScanIndexForward=forward,
                    )
                    wanted = expected if forward else expected[::-1]
                    assert found == wanted, (
                        f"{what}: the rows differ from the model's (projection, or order by "
                        f"{index.range_key}, then pk, then sk)"
                    )

    def _check_counts(self) -> None:
        described = self.dynamodb.describe_table(TableName=self.table)["Table"]
        found = {"table": described["ItemCount"]}
        for group in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            for index in described.get(group, []):
                found[index["IndexName"]] = index["ItemCount"]
        expected = {"table": len(self.model.items)}
        for index in self.layout.indexes:
            expected[index.name] = len(self.model.index_rows(index))
        assert found == expected, "DescribeTable ItemCount (table, then each index) != the model's"


@pytest.mark.parametrize("layout", LAYOUTS, ids=[layout.name for layout in LAYOUTS])
def test_reads_agree_with_a_model_after_random_writes(dynamodb, layout: Layout) -> None:
    machine = type(
        f"ModelMachine_{layout.name.replace('-', '_')}",
        (ModelMachine,),
        {"dynamodb": dynamodb, "layout": layout},
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
