"""A plain in-memory model of one DynamoDB table with a global and a local secondary index,
for the model-based property test (test_model_property.py).

Items are held exactly as the wire shows them (`{"pk": {"S": "a"}, "sk": {"N": "2"}, ...}`),
keyed by `(pk, sk)`, so a model item compares equal to what boto3's low-level client returns.
Requests may spell a number any way ("2.00", "0.2E1"); the model keeps every number as
DynamoDB returns it (plain notation, no superfluous zeros: "2"), and two spellings of one
number are one key. Everything here is pure: no I/O, no server code.

What the model encodes, and why:

- Table order: by sort key within a partition (numbers by value).
- Index order: by the index sort key, rows with equal index keys by the table's hash key
  (the bytes of its UTF-8 encoding), then by the table's sort key: the order Tidal documents
  (src/tidal/dynamodb/indexes.py; AWS leaves ties unspecified).
- Sparse indexes: an item is in an index only when it has every key attribute of the index.
- Projections: KEYS_ONLY holds the table's and the index's keys, INCLUDE adds the listed
  attributes, ALL the whole item.
- Conditions: a comparison with a missing attribute, or one of another type, is false;
  NOT / AND / OR as in boolean logic.
- UpdateItem creates the item (from its key) when it does not exist; ADD of a number to a
  missing attribute sets it to the number.
- TransactWriteItems: two actions on one item are a ValidationException; otherwise every
  failing condition gives a `ConditionalCheckFailed` reason, the others `None`, and nothing is
  written unless every reason is `None`.
- BatchWriteItem: two requests on one key, or an index key of the wrong type, refuse the whole
  batch; otherwise the requests are applied in order.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Value = dict[str, Any]
Item = dict[str, Value]
Key = tuple[str, str]
"""(pk, sk): the pk string and the sk number's canonical text."""

HASH, RANGE = "pk", "sk"


def canonical(number: Decimal) -> str:
    """A number as DynamoDB returns it: plain notation, no superfluous zeros."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def canon(value: Value) -> Value:
    """`value` with every number in it (at any depth) as DynamoDB returns it."""
    kind, data = next(iter(value.items()))
    if kind == "N":
        return {"N": canonical(Decimal(data))}
    if kind == "M":
        return {"M": {name: canon(member) for name, member in data.items()}}
    if kind == "L":
        return {"L": [canon(member) for member in data]}
    return value


def canonical_key(key: Key) -> Key:
    return key[0], canonical(Decimal(key[1]))


def key_of(item: Item) -> Key:
    return canonical_key((item[HASH]["S"], item[RANGE]["N"]))


def key_item(key: Key) -> Item:
    return {HASH: {"S": key[0]}, RANGE: {"N": key[1]}}


def order_of(value: Value) -> Any:
    """A Python value that sorts as DynamoDB sorts key values of one type."""
    if "N" in value:
        return Decimal(value["N"])
    return value["S"].encode()


# -- indexes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexSpec:
    name: str
    is_global: bool
    hash_key: str
    range_key: str
    projection: str
    """ALL, INCLUDE or KEYS_ONLY."""
    non_key: tuple[str, ...] = ()

    @property
    def key_names(self) -> tuple[str, ...]:
        return (self.hash_key, self.range_key)

    def row(self, item: Item) -> Item | None:
        """What the index holds for `item`, or None when the item lacks an index key."""
        if self.hash_key not in item or self.range_key not in item:
            return None
        if self.projection == "ALL":
            return dict(item)
        wanted = {HASH, RANGE, *self.key_names}
        if self.projection == "INCLUDE":
            wanted |= set(self.non_key)
        return {name: value for name, value in item.items() if name in wanted}

    def order(self, row: Item) -> tuple:
        """Index sort key, then the table's hash key, then its sort key."""
        return order_of(row[self.range_key]), order_of(row[HASH]), order_of(row[RANGE])

    def description(self) -> dict[str, Any]:
        projection: dict[str, Any] = {"ProjectionType": self.projection}
        if self.non_key:
            projection["NonKeyAttributes"] = list(self.non_key)
        return {
            "IndexName": self.name,
            "KeySchema": [
                {"AttributeName": self.hash_key, "KeyType": "HASH"},
                {"AttributeName": self.range_key, "KeyType": "RANGE"},
            ],
            "Projection": projection,
        }


# -- conditions -----------------------------------------------------------------------------


class _Placeholders:
    """Names (`#n0`) and values (`:v0`) of one request's expressions."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Value] = {}
        self._count = itertools.count()

    def name(self, attribute: str) -> str:
        for placeholder, name in self.names.items():
            if name == attribute:
                return placeholder
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: Value) -> str:
        placeholder = f":v{next(self._count)}"
        self.values[placeholder] = value
        return placeholder

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.names:
            params["ExpressionAttributeNames"] = self.names
        if self.values:
            params["ExpressionAttributeValues"] = self.values
        return params


@dataclass(frozen=True)
class Exists:
    attribute: str

    def render(self, p: _Placeholders) -> str:
        return f"attribute_exists({p.name(self.attribute)})"

    def holds(self, item: Item | None) -> bool:
        return item is not None and self.attribute in item


@dataclass(frozen=True)
class NotExists:
    attribute: str

    def render(self, p: _Placeholders) -> str:
        return f"attribute_not_exists({p.name(self.attribute)})"

    def holds(self, item: Item | None) -> bool:
        return item is None or self.attribute not in item


@dataclass(frozen=True)
class Compare:
    attribute: str
    operator: str
    """=, < or >="""
    value: Value

    def render(self, p: _Placeholders) -> str:
        return f"{p.name(self.attribute)} {self.operator} {p.value(self.value)}"

    def holds(self, item: Item | None) -> bool:
        actual = None if item is None else item.get(self.attribute)
        if actual is None or next(iter(actual)) != next(iter(self.value)):
            return False
        if self.operator == "=":
            return actual == canon(self.value)
        if next(iter(actual)) not in ("N", "S"):
            return False
        if self.operator == "<":
            return order_of(actual) < order_of(self.value)
        return order_of(actual) >= order_of(self.value)


@dataclass(frozen=True)
class Not:
    inner: Condition

    def render(self, p: _Placeholders) -> str:
        return f"NOT ({self.inner.render(p)})"

    def holds(self, item: Item | None) -> bool:
        return not self.inner.holds(item)


@dataclass(frozen=True)
class Either:
    """`left OR right` (`both=False`) or `left AND right` (`both=True`)."""

    left: Condition
    right: Condition
    both: bool = False

    def render(self, p: _Placeholders) -> str:
        word = "AND" if self.both else "OR"
        return f"({self.left.render(p)}) {word} ({self.right.render(p)})"

    def holds(self, item: Item | None) -> bool:
        if self.both:
            return self.left.holds(item) and self.right.holds(item)
        return self.left.holds(item) or self.right.holds(item)


Condition = Exists | NotExists | Compare | Not | Either


# -- writes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One clause of an update expression on a top-level attribute."""

    clause: str
    """SET, REMOVE or ADD."""
    attribute: str
    value: Value | None = None


@dataclass
class Put:
    item: Item
    condition: Condition | None = None

    @property
    def key(self) -> Key:
        return self.item[HASH]["S"], self.item[RANGE]["N"]


@dataclass
class Update:
    key: Key
    changes: tuple[Change, ...]
    condition: Condition | None = None


@dataclass
class Delete:
    key: Key
    condition: Condition | None = None


@dataclass
class Check:
    key: Key
    condition: Condition


Action = Put | Update | Delete | Check


def condition_params(condition: Condition | None, p: _Placeholders) -> dict[str, Any]:
    return {} if condition is None else {"ConditionExpression": condition.render(p)}


def update_expression(changes: tuple[Change, ...], p: _Placeholders) -> str:
    clauses: dict[str, list[str]] = {}
    for change in changes:
        name = p.name(change.attribute)
        if change.clause == "SET":
            text = f"{name} = {p.value(change.value)}"
        elif change.clause == "ADD":
            text = f"{name} {p.value(change.value)}"
        else:
            text = name
        clauses.setdefault(change.clause, []).append(text)
    return " ".join(f"{clause} {', '.join(texts)}" for clause, texts in clauses.items())


def action_params(action: Action, table: str) -> dict[str, Any]:
    """The parameters of PutItem/UpdateItem/DeleteItem (or a transaction's action)."""
    p = _Placeholders()
    params: dict[str, Any] = {"TableName": table}
    if isinstance(action, Put):
        params["Item"] = action.item
    else:
        params["Key"] = key_item(action.key)
    if isinstance(action, Update):
        params["UpdateExpression"] = update_expression(action.changes, p)
    params.update(condition_params(action.condition, p))
    params.update(p.params())
    return params


def target(action: Action) -> Key:
    """The key of the item an action writes or checks, its number as DynamoDB returns it."""
    return key_of(action.item) if isinstance(action, Put) else canonical_key(action.key)


def apply_changes(item: Item, changes: tuple[Change, ...]) -> Item:
    new = dict(item)
    for change in changes:
        if change.clause == "SET":
            new[change.attribute] = canon(change.value)
        elif change.clause == "REMOVE":
            new.pop(change.attribute, None)
        else:
            existing = new.get(change.attribute)
            if existing is None:
                new[change.attribute] = canon(change.value)
            else:
                total = Decimal(existing["N"]) + Decimal(change.value["N"])
                new[change.attribute] = {"N": canonical(total)}
    return new


# -- the model ------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the server should answer: `error` is an error code (None for success)."""

    error: str | None = None
    old: Item | None = None
    new: Item | None = None
    reasons: list[str] | None = None
    """A cancelled transaction's reason codes, in request order."""


@dataclass
class TableModel:
    indexes: tuple[IndexSpec, ...]
    items: dict[Key, Item] = field(default_factory=dict)

    # single-item writes

    def write(self, action: Action) -> Outcome:
        """PutItem / UpdateItem / DeleteItem: the outcome, applied to the model if it succeeds."""
        old = self.items.get(target(action))
        if action.condition is not None and not action.condition.holds(old):
            return Outcome(error="ConditionalCheckFailedException", old=old)
        new = self._after(action, old)
        self._store(target(action), new)
        return Outcome(old=old, new=new)

    def _after(self, action: Action, old: Item | None) -> Item | None:
        if isinstance(action, Put):
            return {name: canon(value) for name, value in action.item.items()}
        if isinstance(action, Update):
            base = old if old is not None else key_item(target(action))
            return apply_changes(base, action.changes)
        if isinstance(action, Delete):
            return None
        return old

    def _store(self, key: Key, new: Item | None) -> None:
        if new is None:
            self.items.pop(key, None)
        else:
            self.items[key] = new

    # many-item writes

    def transact(self, actions: list[Action]) -> Outcome:
        keys = [target(action) for action in actions]
        if len(set(keys)) != len(keys):
            return Outcome(error="ValidationException")
        reasons = []
        for action in actions:
            old = self.items.get(target(action))
            held = action.condition is None or action.condition.holds(old)
            reasons.append("None" if held else "ConditionalCheckFailed")
        if any(reason != "None" for reason in reasons):
            return Outcome(error="TransactionCanceledException", reasons=reasons)
        for action in actions:
            key = target(action)
            self._store(key, self._after(action, self.items.get(key)))
        return Outcome()

    def batch_write(self, requests: list[Put | Delete], valid: bool = True) -> Outcome:
        keys = [target(request) for request in requests]
        if not valid or len(set(keys)) != len(keys):
            return Outcome(error="ValidationException")
        for key, request in zip(keys, requests, strict=True):
            self._store(key, self._after(request, self.items.get(key)))
        return Outcome()

    # what reads should see

    def partition(self, pk: str) -> list[Item]:
        """The items of one partition in sort-key order."""
        found = [item for (hash_value, _), item in self.items.items() if hash_value == pk]
        return sorted(found, key=lambda item: order_of(item[RANGE]))

    def index(self, name: str) -> IndexSpec:
        return next(index for index in self.indexes if index.name == name)

    def index_rows(self, index: IndexSpec) -> list[Item]:
        """Every row of `index`, grouped by nothing, in index order within any one hash value."""
        rows = [row for row in map(index.row, self.items.values()) if row is not None]
        return sorted(rows, key=index.order)

    def index_partition(self, index: IndexSpec, hash_value: Value) -> list[Item]:
        return [row for row in self.index_rows(index) if row[index.hash_key] == hash_value]
