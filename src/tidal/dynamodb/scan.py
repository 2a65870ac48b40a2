"""Scan: every row of a table or index in the store's scan order, a page at a time, or one
segment of it for a parallel scan.

The store splits a keyspace into `TotalSegments` slices of a hash of the partition key, so
segments are disjoint and together complete, and a partition never straddles two. A start
key from one segment is refused by the others, as AWS refuses it (architect/dynalite
test/scan.js; nubo-db/dynamodb-conformance tests/tier3/error-messages/scan.test.ts).
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from tidal.core.context import RequestContext
from tidal.core.errors import ValidationException
from tidal.dynamodb import pages, reads


def scan(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    reading = reads.read_parameters(params, reads.SCAN)
    segment, total = _segments(params)
    reads.bind_expressions(reading, params, reads.SCAN)
    source = reads.source(ctx, txn, params)
    start = reading.start_key
    if start is not None:
        _check_index_start_key(source, start)
    select = reads.select(params, reading, source, reads.SCAN)
    after = None
    if start is not None:
        reads.check_table_start_key(source.table, start)
        after = source.stored_key(start)
        if total > 1 and ctx.runtime.store.segment_of(after[0], total) != segment:
            raise ValidationException(
                f"{reads.INVALID_START}: Invalid ExclusiveStartKey. Please use ExclusiveStartKey "
                f"with correct Segment. TotalSegments: {total} Segment: {segment}"
            )
    reads.check_projection(source, reading)
    reads.check_filter(source, reading)
    plan = pages.plan(params, reading, source, select, bool(params.get("ConsistentRead")))
    rows = txn.scan(
        source.space, after=after, segment=segment, total_segments=total, limit=plan.limit
    )
    return pages.read_page(txn, map(itemgetter(2), rows), plan)


def _segments(params: dict[str, Any]) -> tuple[int, int]:
    segment = params.get("Segment")
    total = params.get("TotalSegments")
    if segment is not None and total is None:
        raise ValidationException(
            "The TotalSegments parameter is required but was not present in the request when "
            "Segment parameter is present"
        )
    if total is None:
        return 0, 1
    if segment is None:
        raise ValidationException(
            "The Segment parameter is required but was not present in the request when "
            "parameter TotalSegments is present"
        )
    if segment >= total:
        raise ValidationException(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
            f"Segment: {segment} is not less than TotalSegments: {total}"
        )
    return segment, total


def _check_index_start_key(source: reads.Source, start: dict[str, Any]) -> None:
    """The shape of a start key, and the keys of a scanned index in it."""
    if len(start) != len(source.key_names):
        if source.index is not None:
            raise ValidationException(reads.INVALID_START)
        raise ValidationException(f"{reads.INVALID_START}: {reads.SCHEMA_MISMATCH}")
    if source.index is not None:
        for name, kind in reads.key_types(source.index.keys):
            reads.check_start_key_element(name, kind, start)
