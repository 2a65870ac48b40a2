"""Point-in-time recovery settings: UpdateContinuousBackups and DescribeContinuousBackups.

Tidal takes no backups and restores nothing; it keeps the setting and reports it as AWS does,
for the tools that read it (Terraform reads DescribeContinuousBackups on every plan).
Continuous backups are ENABLED on every existing table; PITR is DISABLED until turned on.
DescribeTable shows nothing of it, so the setting lives under an internal key of the stored
description, `_pitr` = {"Since": when it was enabled, "Days": the recovery period}, and goes
away with the table.

The restorable window: from when PITR was enabled (or the start of the recovery period, once
that is later) to about five minutes ago, never before its start: right after enabling, both
ends are the moment it was enabled (the AWS CLI reference's example shows exactly that).
Times are whole seconds, as AWS reports them.
"""

from __future__ import annotations

import math
from typing import Any

from tidal.core import clock
from tidal.core.context import RequestContext
from tidal.core.errors import ValidationException
from tidal.dynamodb.catalog import Catalog, table_name
from tidal.dynamodb.errors import TableNotFoundException

DEFAULT_DAYS = 35
DAY = 86400
LATEST_LAG = 300
PERIOD_WHEN_DISABLED = (
    "RecoveryPeriodInDays can only be specified when PointInTimeRecoveryEnabled is true"
)


def update_continuous_backups(
    ctx: RequestContext, txn: Any, params: dict[str, Any]
) -> dict[str, Any]:
    """Enable (or re-tune) or disable PITR; returns the ContinuousBackupsDescription."""
    spec = params["PointInTimeRecoverySpecification"]
    days = spec.get("RecoveryPeriodInDays")
    if not spec["PointInTimeRecoveryEnabled"] and days is not None:
        raise ValidationException(PERIOD_WHEN_DISABLED)
    description = {**_table_description(ctx, txn, params["TableName"])}
    if spec["PointInTimeRecoveryEnabled"]:
        current = description.get("_pitr") or {"Since": math.floor(clock.now())}
        description["_pitr"] = {"Since": current["Since"], "Days": days or DEFAULT_DAYS}
    else:
        description.pop("_pitr", None)
    _catalog(ctx).save(txn, ctx.account, ctx.region, description)
    return _described(description)


def describe_continuous_backups(ctx: RequestContext, txn: Any, name: str) -> dict[str, Any]:
    return _described(_table_description(ctx, txn, name))


def _described(description: dict[str, Any]) -> dict[str, Any]:
    setting = description.get("_pitr")
    if setting is None:
        recovery: dict[str, Any] = {"PointInTimeRecoveryStatus": "DISABLED"}
    else:
        now = math.floor(clock.now())
        earliest = max(setting["Since"], now - setting["Days"] * DAY)
        recovery = {
            "PointInTimeRecoveryStatus": "ENABLED",
            "RecoveryPeriodInDays": setting["Days"],
            "EarliestRestorableDateTime": earliest,
            "LatestRestorableDateTime": max(now - LATEST_LAG, earliest),
        }
    return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": recovery}


def _table_description(ctx: RequestContext, txn: Any, name: str) -> dict[str, Any]:
    """The stored description; these operations name a missing table in words of their own."""
    table = _catalog(ctx).find(txn, ctx.account, ctx.region, name)
    if table is None:
        raise TableNotFoundException(f"Table not found: {table_name(name)}")
    return table.description


def _catalog(ctx: RequestContext) -> Catalog:
    return ctx.runtime.room("dynamodb", Catalog)
