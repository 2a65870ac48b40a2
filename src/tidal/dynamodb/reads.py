"""What Query and Scan share: their request parameters (expressions or their legacy
equivalents), Select, the keyspace they read (the table or one of its indexes) and the
ExclusiveStartKey that resumes them.

Checks run in the order DynamoDB makes them (architect/dynalite validations/{query,scan}.js
and actions/{query,scan}.js, which follow AWS): first what the request alone shows
(`read_parameters`, then the operation's own checks, then `bind_expressions`), then what
needs the table (`source`, the start key, `select`, `check_projection`, `check_filter`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tidal.core.context import RequestContext
from tidal.core.errors import ValidationException
from tidal.dynamodb import indexes
from tidal.dynamodb.catalog import Catalog
from tidal.dynamodb.errors import invalid
from tidal.dynamodb.expressions import (
    Condition,
    DocPath,
    ExpressionContext,
    KeyCondition,
    Projection,
    legacy_condition,
    legacy_projection,
)
from tidal.dynamodb.expressions.keys import condition_paths
from tidal.dynamodb.item_keys import refuse_nested_key_paths
from tidal.dynamodb.keys import encode_key
from tidal.dynamodb.schema import Index, KeySchema, Table
from tidal.dynamodb.types import validate_value

ALL_ATTRIBUTES = "ALL_ATTRIBUTES"
ALL_PROJECTED_ATTRIBUTES = "ALL_PROJECTED_ATTRIBUTES"
SPECIFIC_ATTRIBUTES = "SPECIFIC_ATTRIBUTES"
COUNT = "COUNT"

INVALID_START = "The provided starting key is invalid"
SCHEMA_MISMATCH = "The provided key element does not match the schema"


@dataclass(frozen=True, slots=True)
class Operation:
    expressions: tuple[str, ...]
    """Expression parameters, in the order AWS lists them in its messages."""
    legacy: tuple[str, ...]
    """Their legacy counterparts, in the same sense."""
    legacy_filter: str


QUERY = Operation(
    ("ProjectionExpression", "FilterExpression", "KeyConditionExpression"),
    ("AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"),
    "QueryFilter",
)
SCAN = Operation(
    ("ProjectionExpression", "FilterExpression"),
    ("AttributesToGet", "ScanFilter", "ConditionalOperator"),
    "ScanFilter",
)


@dataclass(slots=True)
class Reading:
    """A Query's or Scan's filter, projection, key condition and start key, checked."""

    filter: Condition | None = None
    filter_paths: list[DocPath] = field(default_factory=list)
    filter_parameter: str = "Filter Expression"
    """How AWS names the filter in "... can only contain non-primary key attributes"."""
    projection: Projection | None = None
    projection_parameter: str = ""
    key_condition: KeyCondition | None = None
    start_key: dict[str, Any] | None = None


def read_parameters(params: dict[str, Any], operation: Operation) -> Reading:
    """The checks of the legacy parameters and the start key's values, which come first."""
    _refuse_mixed_parameters(params, operation)
    reading = Reading()
    conditions = params.get(operation.legacy_filter)
    if conditions is not None:
        reading.filter = legacy_filter(conditions, params.get("ConditionalOperator"))
        reading.filter_paths = [(name,) for name in conditions]
        reading.filter_parameter = operation.legacy_filter
    elif params.get("ConditionalOperator") is not None:
        raise ValidationException(
            "ConditionalOperator can only be used when Filter or Expected has two or more elements"
        )
    if params.get("AttributesToGet") is not None:
        reading.projection = legacy_projection(params["AttributesToGet"])
        reading.projection_parameter = "AttributesToGet"
    start = params.get("ExclusiveStartKey")
    if start is not None:
        reading.start_key = {name: _start_value(value) for name, value in start.items()}
    return reading


def legacy_filter(conditions: dict[str, Any], operator: str | None) -> Condition:
    """QueryFilter, ScanFilter or KeyConditions (+ ConditionalOperator) checked as AWS does.

    They are Expected entries that always compare: a missing AttributeValueList is an
    empty one, so a wrong count is reported as such. (The message for a null condition is
    DynamoDB Local's.)
    """
    if any(spec is None for spec in conditions.values()):
        raise ValidationException("The filter condition for an attribute cannot be null")
    return legacy_condition(
        {
            name: {
                "ComparisonOperator": spec.get("ComparisonOperator"),
                "AttributeValueList": spec.get("AttributeValueList") or [],
            }
            for name, spec in conditions.items()
        },
        operator,
    )


def bind_expressions(reading: Reading, params: dict[str, Any], operation: Operation) -> None:
    """Bind the expressions the request has, in AWS's order, then refuse unused placeholders."""
    if not any(params.get(kind) is not None for kind in operation.expressions):
        return
    names = params.get("ExpressionAttributeNames")
    context = ExpressionContext(names, params.get("ExpressionAttributeValues"))
    text = params.get("KeyConditionExpression")
    if text is not None:
        reading.key_condition = context.key_condition(text)
    text = params.get("FilterExpression")
    if text is not None:
        reading.filter = context.condition(text, kind="FilterExpression")
        reading.filter_paths = condition_paths(text, names)
    text = params.get("ProjectionExpression")
    if text is not None:
        reading.projection = context.projection(text)
        reading.projection_parameter = "ProjectionExpression"
    context.finish()


def _refuse_mixed_parameters(params: dict[str, Any], operation: Operation) -> None:
    used = [kind for kind in operation.expressions if params.get(kind) is not None]
    if used:
        legacy = [
            name
            for name in operation.legacy
            # Legacy KeyConditions go with the other expressions (AWS allows that).
            if name != "KeyConditions" or params.get("KeyConditionExpression") is not None
        ]
        mixed = [name for name in legacy if params.get(name) is not None]
        if mixed:
            raise ValidationException(
                "Can not use both expression and non-expression parameters in the same request: "
                f"Non-expression parameters: {{{', '.join(mixed)}}} "
                f"Expression parameters: {{{', '.join(used)}}}"
            )
    if params.get("ExpressionAttributeNames") is not None and not used:
        raise ValidationException(
            "ExpressionAttributeNames can only be specified when using expressions"
        )
    with_values = [kind for kind in operation.expressions if kind != "ProjectionExpression"]
    if params.get("ExpressionAttributeValues") is not None and not any(
        params.get(kind) is not None for kind in with_values
    ):
        verb = "are" if len(with_values) > 1 else "is"
        raise ValidationException(
            "ExpressionAttributeValues can only be specified when using expressions: "
            f"{' and '.join(with_values)} {verb} null"
        )


def _start_value(value: Any) -> dict[str, Any]:
    try:
        return validate_value(value)
    except ValidationException as error:
        raise ValidationException(f"{INVALID_START}: {error.message}") from None


# -- what is read ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """The keyspace a Query or Scan reads: the table's own, or one of its indexes'."""

    table: Table
    index: Index | None

    @property
    def keys(self) -> KeySchema:
        return self.index.keys if self.index is not None else self.table.keys

    @property
    def space(self) -> int:
        return self.index.space if self.index is not None else self.table.space

    @property
    def key_names(self) -> tuple[str, ...]:
        """The attributes of a LastEvaluatedKey: the table's keys, then the index's own."""
        names = self.table.keys.names
        if self.index is None:
            return names
        return names + tuple(name for name in self.index.keys.names if name not in names)

    def projected(self) -> frozenset[str] | None:
        """The attributes the index holds; None when it holds them all."""
        index = self.index
        if index is None or index.projection == "ALL":
            return None
        names = set(index.keys.names) | set(self.table.keys.names)
        if index.projection == "INCLUDE":
            names |= index.non_key_attributes
        return frozenset(names)

    def sort_bounds(self, operator: str, values: Iterable[dict[str, Any]]) -> dict[str, Any]:
        """`Transaction.range` bounds that keep a partition's read to the sort keys that
        satisfy `operator` with `values` (a key condition on this keyspace's sort key)."""
        encoded = [encode_key(value) for value in values]
        return indexes.sort_range(operator, encoded, self.index is not None)

    def stored_key(self, item: dict[str, Any]) -> tuple[bytes, bytes]:
        """The (pk, sk) under which this keyspace stores `item` (which has all its keys)."""
        if self.index is None:
            return table_key(self.table, item)
        return indexes.row_key(self.index, self.table, item)


def table_key(table: Table, item: dict[str, Any]) -> tuple[bytes, bytes]:
    keys = table.keys
    sort = encode_key(item[keys.range_key]) if keys.range_key else b""
    return encode_key(item[keys.hash_key]), sort


def source(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> Source:
    """The table and index a request names (ResourceNotFound first, then the index checks)."""
    table = ctx.runtime.room("dynamodb", Catalog).get(
        txn, ctx.account, ctx.region, params["TableName"]
    )
    index_name = params.get("IndexName")
    if index_name is None:
        return Source(table, None)
    for index in table.indexes:
        if index.name == index_name:
            if index.is_global and params.get("ConsistentRead"):
                raise ValidationException(
                    "Consistent reads are not supported on global secondary indexes"
                )
            return Source(table, index)
    raise ValidationException(f"The table does not have the specified index: {index_name}")


def check_table_start_key(table: Table, start: dict[str, Any]) -> None:
    """The table's own keys in a start key given for an index (or a Scan of the table)."""
    for name, kind in key_types(table.keys):
        value = start.get(name)
        if value is None or kind not in value:
            raise ValidationException(f"{INVALID_START}: {SCHEMA_MISMATCH}")


def check_start_key_element(name: str, kind: str, start: dict[str, Any]) -> None:
    """One key of the queried key schema (or of a scanned index) in a start key."""
    value = start.get(name)
    if value is None:
        raise ValidationException(INVALID_START)
    if kind not in value:
        raise ValidationException(SCHEMA_MISMATCH)


def key_types(keys: KeySchema) -> list[tuple[str, str]]:
    """(name, type) of the hash key, then of the range key if there is one."""
    pairs = [(keys.hash_key, keys.hash_type)]
    if keys.range_key and keys.range_type:
        pairs.append((keys.range_key, keys.range_type))
    return pairs


# -- Select and the attributes returned -----------------------------------------------------


def select(params: dict[str, Any], reading: Reading, source: Source, operation: Operation) -> str:
    """The Select in force, after AWS's rules for it (DynamoDB Local's validateSelect)."""
    chosen = params.get("Select")
    named = reading.projection_parameter
    if chosen is None:
        if named:
            return SPECIFIC_ATTRIBUTES
        return ALL_PROJECTED_ATTRIBUTES if source.index is not None else ALL_ATTRIBUTES
    if chosen == ALL_ATTRIBUTES:
        if named:
            raise ValidationException(f"Cannot specify the {named} when choosing to get {chosen}")
        index = source.index
        if index is not None and index.is_global and index.projection != "ALL":
            raise invalid(
                f"Select type ALL_ATTRIBUTES is not supported for global secondary index "
                f"{index.name} because its projection type is not ALL"
            )
    elif chosen == ALL_PROJECTED_ATTRIBUTES:
        if named:
            raise ValidationException(f"Cannot specify the {named} when choosing to get {chosen}")
        if source.index is None:
            raise ValidationException(
                "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
            )
    elif chosen == COUNT:
        if named:
            # Measured on AWS (us-east-1): a Query words this one as a constraint violation.
            query = operation is QUERY and named == "ProjectionExpression"
            prefix = "1 validation error detected: " if query else ""
            raise ValidationException(
                f"{prefix}Cannot specify the {named} when choosing to get only the Count"
            )
    elif not named:
        raise ValidationException(
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
            "SPECIFIC_ATTRIBUTES"
        )
    return chosen


def check_projection(source: Source, reading: Reading) -> None:
    """What a global index does not hold cannot be asked of it; key paths stay scalar.

    Call it after `select`, which allows a projection only with SPECIFIC_ATTRIBUTES.
    """
    if reading.projection is not None:
        refuse_unprojected(source, reading.projection.paths)
        refuse_nested_key_paths(source.table, reading.projection.paths)


def refuse_unprojected(source: Source, paths: list[DocPath]) -> None:
    """A global index cannot be asked for attributes it does not hold."""
    index, projected = source.index, source.projected()
    if index is not None and index.is_global and projected is not None:
        missing = _missing_names(paths, projected)
        if missing:
            raise invalid(
                f"Global secondary index {index.name} does not project [{', '.join(missing)}]"
            )


def check_filter(source: Source, reading: Reading) -> None:
    """A filter may not reach inside a key attribute either."""
    refuse_nested_key_paths(source.table, reading.filter_paths)


def needs_table(source: Source, reading: Reading, chosen: str) -> bool:
    """Whether a local index's rows must be completed from the table, as AWS does."""
    index, projected = source.index, source.projected()
    if index is None or index.is_global or projected is None:
        return False
    if chosen == ALL_ATTRIBUTES:
        return True
    paths = list(reading.filter_paths)
    if chosen == SPECIFIC_ATTRIBUTES and reading.projection is not None:
        paths += reading.projection.paths
    return bool(_missing_names(paths, projected))


def _missing_names(paths: list[DocPath], projected: frozenset[str]) -> list[str]:
    heads = dict.fromkeys(str(path[0]) for path in paths)
    return [name for name in heads if name not in projected]
