"""CloudWatch Logs wire operations (AWS JSON 1.1, `X-Amz-Target: Logs_20140328.<Op>`): thin
functions that open a transaction and call the domain."""

from __future__ import annotations

from typing import Any

from tidal.core.context import RequestContext
from tidal.core.service import Service
from tidal.logs import batches, groups, maintenance, retention, search, streams, tags
from tidal.logs import events as rows
from tidal.logs.errors import InvalidParameterException
from tidal.server.validation import Constraints

# A name longer than 512 characters gets Logs' own message (errors.name_too_long), which the
# domain raises, rather than the model's length constraint.
_UNBOUNDED = Constraints(max=2**31)
SHAPE_OVERRIDES = {"LogGroupName": _UNBOUNDED, "LogStreamName": _UNBOUNDED}

SERVICE = Service(
    model="logs",
    target_prefix="Logs_20140328",
    shape_overrides=SHAPE_OVERRIDES,
    invalid_input=InvalidParameterException,
    background=[maintenance.run],
)
operation = SERVICE.operation


def _write(ctx: RequestContext):
    return ctx.runtime.store.transaction(write=True)


def _read(ctx: RequestContext):
    return ctx.runtime.store.transaction(write=False)


@operation("CreateLogGroup")
def create_log_group(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        groups.create(
            txn,
            ctx.account,
            ctx.region,
            params["logGroupName"],
            tags=params.get("tags"),
            kms_key_id=params.get("kmsKeyId"),
            log_class=params.get("logGroupClass"),
            deletion_protection=bool(params.get("deletionProtectionEnabled")),
        )
    return {}


@operation("DeleteLogGroup")
def delete_log_group(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        group = groups.require(txn, ctx.account, ctx.region, params["logGroupName"])
        streams.delete_all(txn, ctx.account, ctx.region, group["name"])
        groups.delete(txn, ctx.account, ctx.region, group)
    return {}


@operation("DescribeLogGroups")
def describe_log_groups(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return groups.describe(txn, ctx.account, ctx.region, params)


@operation("ListLogGroups")
def list_log_groups(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return groups.list_summaries(txn, ctx.account, ctx.region, params)


@operation("PutRetentionPolicy")
def put_retention_policy(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    retention.check_days(params["retentionInDays"])
    with _write(ctx) as txn:
        groups.set_retention(
            txn, ctx.account, ctx.region, params["logGroupName"], params["retentionInDays"]
        )
    return {}


@operation("DeleteRetentionPolicy")
def delete_retention_policy(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        groups.set_retention(txn, ctx.account, ctx.region, params["logGroupName"], None)
    return {}


@operation("CreateLogStream")
def create_log_stream(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        group = groups.require(txn, ctx.account, ctx.region, params["logGroupName"])
        streams.create(txn, ctx.account, ctx.region, group, params["logStreamName"])
        groups.save(txn, ctx.account, ctx.region, group)
    return {}


@operation("DeleteLogStream")
def delete_log_stream(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        group = groups.require(txn, ctx.account, ctx.region, params["logGroupName"])
        streams.delete(txn, ctx.account, ctx.region, group, params["logStreamName"])
        groups.save(txn, ctx.account, ctx.region, group)
    return {}


@operation("DescribeLogStreams")
def describe_log_streams(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    name = groups.name_from(ctx.account, ctx.region, params)
    with _read(ctx) as txn:
        groups.require(txn, ctx.account, ctx.region, name)
        return streams.describe(txn, ctx.account, ctx.region, name, params)


@operation("PutLogEvents")
def put_log_events(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    batches.check_shape(params["logEvents"])
    now_ms = groups.now_ms()
    with _write(ctx) as txn:
        group = groups.require(txn, ctx.account, ctx.region, params["logGroupName"])
        stream = streams.require(
            txn, ctx.account, ctx.region, group["name"], params["logStreamName"]
        )
        batch = batches.sort_out(params["logEvents"], group, now_ms)
        if batch.accepted:
            rows.append(txn, group, stream, batch.accepted, now_ms)
            groups.save(txn, ctx.account, ctx.region, group)
            streams.save(txn, ctx.account, ctx.region, group["name"], stream)
    result: dict[str, Any] = {"nextSequenceToken": rows.sequence_token(group["nextSeq"])}
    if batch.rejected:
        result["rejectedLogEventsInfo"] = batch.rejected
    return result


@operation("GetLogEvents")
def get_log_events(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    name = groups.name_from(ctx.account, ctx.region, params)
    with _read(ctx) as txn:
        group = groups.require(txn, ctx.account, ctx.region, name)
        stream = streams.require(txn, ctx.account, ctx.region, name, params["logStreamName"])
        identity = streams.key_of(ctx.account, ctx.region, name, stream["name"])
        return rows.get_log_events(txn, group, stream, identity, params, groups.now_ms())


@operation("FilterLogEvents")
def filter_log_events(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    name = groups.name_from(ctx.account, ctx.region, params)
    with _read(ctx) as txn:
        group = groups.require(txn, ctx.account, ctx.region, name)
        return search.filter_log_events(
            txn, ctx.account, ctx.region, group, params, groups.now_ms()
        )


@operation("TagLogGroup")
def tag_log_group(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        tags.tag(txn, ctx.account, ctx.region, params["logGroupName"], params["tags"])
    return {}


@operation("UntagLogGroup")
def untag_log_group(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        tags.untag(txn, ctx.account, ctx.region, params["logGroupName"], params["tags"])
    return {}


@operation("ListTagsLogGroup")
def list_tags_log_group(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return {"tags": tags.list_tags(txn, ctx.account, ctx.region, params["logGroupName"])}


@operation("TagResource")
def tag_resource(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    name = tags.group_of_arn(ctx.account, ctx.region, params["resourceArn"])
    with _write(ctx) as txn:
        tags.tag(txn, ctx.account, ctx.region, name, params["tags"])
    return {}


@operation("UntagResource")
def untag_resource(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    name = tags.group_of_arn(ctx.account, ctx.region, params["resourceArn"])
    with _write(ctx) as txn:
        tags.untag(txn, ctx.account, ctx.region, name, params["tagKeys"])
    return {}


@operation("ListTagsForResource")
def list_tags_for_resource(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    name = tags.group_of_arn(ctx.account, ctx.region, params["resourceArn"])
    with _read(ctx) as txn:
        return {"tags": tags.list_tags(txn, ctx.account, ctx.region, name)}
