"""Time to Live settings: UpdateTimeToLive and DescribeTimeToLive.

DescribeTable shows nothing of TTL, so the setting lives under internal keys of the stored
description: `_ttl` = {"AttributeName", "Space"} while enabled (Space: the table's expiry
index, see expiry_index.py) and `_ttl_changed`, when it last changed. A change takes effect
at once: AWS reports ENABLED/DISABLED right after the update too, never ENABLING/DISABLING
(ack-api-quirks DDB-TABLE-144/145, probed on AWS).

AWS allows one change per table per hour (DG ServiceQuotas; observed ~31 min). Tidal
enforces that only when `Config.ttl_cooldown` is set: tests and local development toggle
TTL far more often than production does.

Messages: architect/dynalite test/updateTimeToLive.js; ack-api-quirks DDB-TABLE-143/146
(AWS checks the setting before the cooldown); scylladb test/alternator/test_ttl.py.
"""

from __future__ import annotations

from typing import Any

from tidal.core import clock
from tidal.core.context import RequestContext
from tidal.core.errors import ValidationException
from tidal.dynamodb import expiry_index
from tidal.dynamodb.catalog import Catalog, table_key
from tidal.dynamodb.schema import Table

ALREADY_ENABLED = "TimeToLive is already enabled"
ALREADY_DISABLED = "TimeToLive is already disabled"
OTHER_ATTRIBUTE = "TimeToLive is active on a different AttributeName: current AttributeName is {}"
TOO_OFTEN = "Time to live has been modified multiple times within a fixed interval"


def update_time_to_live(ctx: RequestContext, txn: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Enable or disable TTL; returns the TimeToLiveSpecification as given."""
    spec = params["TimeToLiveSpecification"]
    enabled, attribute = spec["Enabled"], spec["AttributeName"]
    table = _catalog(ctx).described(txn, ctx.account, ctx.region, params["TableName"])
    current = expiry_index.setting(table)
    if current is not None and current["AttributeName"] != attribute:
        raise ValidationException(OTHER_ATTRIBUTE.format(current["AttributeName"]))
    if enabled and current is not None:
        raise ValidationException(ALREADY_ENABLED)
    if not enabled and current is None:
        raise ValidationException(ALREADY_DISABLED)
    now = clock.now()
    changed = table.description.get("_ttl_changed")
    cooldown = ctx.runtime.config.ttl_cooldown
    if cooldown and changed is not None and now - changed < cooldown:
        raise ValidationException(TOO_OFTEN)
    description = {**table.description, "_ttl_changed": now}
    registry_key = table_key(table.account, table.region, table.name)
    if enabled:
        description["_ttl"] = _enable(ctx, txn, table, attribute, registry_key)
    else:
        del description["_ttl"]
        expiry_index.forget(txn, table)
    _catalog(ctx).save(txn, ctx.account, ctx.region, description)
    return {"Enabled": enabled, "AttributeName": attribute}


def describe_time_to_live(ctx: RequestContext, txn: Any, name: str) -> dict[str, Any]:
    current = expiry_index.setting(_catalog(ctx).described(txn, ctx.account, ctx.region, name))
    if current is None:
        return {"TimeToLiveStatus": "DISABLED"}
    return {"TimeToLiveStatus": "ENABLED", "AttributeName": current["AttributeName"]}


def _enable(
    ctx: RequestContext, txn: Any, table: Table, attribute: str, registry_key: str
) -> dict[str, Any]:
    """Build the table's expiry index and register it with the sweeper; returns the setting."""
    space = txn.new_space()
    expiry_index.backfill(txn, table, attribute, space)
    leftover = txn.get_doc(expiry_index.REGISTRY, registry_key)
    if leftover is not None:
        # The index of a deleted table of the same name that the sweeper has not yet dropped.
        txn.drop_space(leftover["Space"])
    txn.put_doc(
        expiry_index.REGISTRY,
        registry_key,
        {"Account": table.account, "Region": table.region, "TableName": table.name, "Space": space},
    )
    txn.on_commit(expiry_index.alarm(ctx.runtime).ring)
    return {"AttributeName": attribute, "Space": space}


def _catalog(ctx: RequestContext) -> Catalog:
    return ctx.runtime.room("dynamodb", Catalog)
