"""Query: one partition of a table or index, in sort-key order, a page at a time.

The key condition comes as a KeyConditionExpression or as legacy KeyConditions; either
becomes one KeyTerm per attribute, checked against the queried key schema with AWS's
messages (architect/dynalite actions/query.js, test/query.js; nubo-db/dynamodb-conformance
tests/tier3/error-messages/query.test.ts).
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from tidal.core.context import RequestContext
from tidal.core.errors import ValidationException
from tidal.dynamodb import pages, reads
from tidal.dynamodb.errors import invalid
from tidal.dynamodb.expressions.keys import KeyTerm
from tidal.dynamodb.item_keys import EMPTY_KEY
from tidal.dynamodb.keys import encode_key
from tidal.dynamodb.types import validate_value

NOT_INDEXABLE = frozenset(("NULL", "NOT_NULL", "NE", "CONTAINS", "NOT_CONTAINS", "IN"))
NOT_SUPPORTED = "Query key condition not supported"


def query(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    reading = reads.read_parameters(params, reads.QUERY)
    if params.get("KeyConditions") is None and params.get("KeyConditionExpression") is None:
        raise ValidationException(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified "
            "in the request."
        )
    reads.bind_expressions(reading, params, reads.QUERY)
    terms = _key_terms(params, reading)
    source = reads.source(ctx, txn, params)
    hash_term, range_term = _check_key_terms(source, terms, reading.start_key)
    forward = params.get("ScanIndexForward", True)
    bounds: dict[str, Any] = {}
    if range_term is not None:
        bounds = source.sort_bounds(range_term.operator, range_term.values)
    if reading.start_key is not None:
        _check_start_key(source, reading.start_key, hash_term, range_term)
        sort = source.stored_key(reading.start_key)[1]
        if forward:
            bounds.update(lo=sort, lo_inclusive=False)
        else:
            bounds.update(hi=sort, hi_inclusive=False)
    select = reads.select(params, reading, source, reads.QUERY)
    reads.check_projection(source, reading)
    _refuse_key_filters(source, reading)
    reads.check_filter(source, reading)
    plan = pages.plan(params, reading, source, select, bool(params.get("ConsistentRead")))
    rows = txn.range(
        source.space,
        encode_key(hash_term.values[0]),
        reverse=not forward,
        limit=plan.limit,
        **bounds,
    )
    return pages.read_page(txn, map(itemgetter(1), rows), plan)


def _key_terms(params: dict[str, Any], reading: reads.Reading) -> dict[str, KeyTerm]:
    if reading.key_condition is not None:
        terms = reading.key_condition.terms()
    else:
        conditions = params["KeyConditions"]
        reads.legacy_filter(conditions, None)
        terms = tuple(
            KeyTerm(
                name,
                spec["ComparisonOperator"],
                tuple(validate_value(value) for value in spec.get("AttributeValueList") or ()),
            )
            for name, spec in conditions.items()
        )
    if not 1 <= len(terms) <= 2:
        raise ValidationException("Conditions can be of length 1 or 2 only")
    return {term.name: term for term in terms}


def _check_key_terms(
    source: reads.Source, terms: dict[str, KeyTerm], start: dict[str, Any] | None
) -> tuple[KeyTerm, KeyTerm | None]:
    """The conditions on the hash and range key; the start key's key schema part on the way."""
    keys = source.keys
    if start is not None and len(start) != len(source.key_names):
        raise ValidationException(reads.INVALID_START)
    for name, kind in reads.key_types(keys):
        is_hash = name == keys.hash_key
        if start is not None:
            reads.check_start_key_element(name, kind, start)
        if is_hash and keys.range_key is None and len(terms) > 1:
            raise ValidationException(NOT_SUPPORTED)
        term = terms.get(name)
        if term is None:
            if is_hash or len(terms) > 1:
                raise ValidationException(f"Query condition missed key schema element: {name}")
            continue
        if term.operator in NOT_INDEXABLE:
            raise ValidationException(
                "Attempted conditional constraint is not an indexable operation"
            )
        if any(kind not in value for value in term.values):
            raise invalid("Condition parameter type does not match schema type")
        if is_hash and term.operator != "EQ":
            raise ValidationException(NOT_SUPPORTED)
        if is_hash:
            _refuse_empty(name, term.values[0])
    return terms[keys.hash_key], terms.get(keys.range_key) if keys.range_key else None


def _refuse_empty(name: str, value: dict[str, Any]) -> None:
    """A partition key is never empty, so a query for an empty one is refused (moto #7062
    quotes AWS), for a table or an index alike."""
    kind, data = next(iter(value.items()))
    if not data:
        raise ValidationException(EMPTY_KEY.format("string" if kind == "S" else "binary", name))


def _check_start_key(
    source: reads.Source, start: dict[str, Any], hash_term: KeyTerm, range_term: KeyTerm | None
) -> None:
    """A start key must name a row this query could have returned."""
    reads.check_table_start_key(source.table, start)
    keys = source.keys
    same_hash = encode_key(start[keys.hash_key]) == encode_key(hash_term.values[0])
    if range_term is None:
        if not same_hash:
            raise ValidationException(
                "The provided starting key is outside query boundaries based on provided conditions"
            )
        return
    if not _matches(range_term, encode_key(start[range_term.name])):
        raise ValidationException(
            "The provided starting key does not match the range key predicate"
        )
    if not same_hash:
        raise ValidationException("The query can return at most one row and cannot be restarted")


def _matches(term: KeyTerm, encoded: bytes) -> bool:
    """Whether an encoded sort key satisfies a range term (encodings sort like the values)."""
    values = [encode_key(value) for value in term.values]
    operator = term.operator
    if operator == "EQ":
        return encoded == values[0]
    if operator == "LT":
        return encoded < values[0]
    if operator == "LE":
        return encoded <= values[0]
    if operator == "GT":
        return encoded > values[0]
    if operator == "GE":
        return encoded >= values[0]
    if operator == "BETWEEN":
        return values[0] <= encoded <= values[1]
    return encoded.startswith(values[0])  # BEGINS_WITH


def _refuse_key_filters(source: reads.Source, reading: reads.Reading) -> None:
    """A Query's filter may not name the keys it queries by (they are the key condition's)."""
    named = {path[0] for path in reading.filter_paths}
    for name in source.keys.names:
        if name in named:
            raise ValidationException(
                f"{reading.filter_parameter} can only contain non-primary key attributes: "
                f"Primary key attribute: {name}"
            )
