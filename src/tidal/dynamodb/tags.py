"""TagResource, UntagResource, ListTagsOfResource on tables."""

from __future__ import annotations

import copy
from typing import Any

from tidal.core.arns import parse_arn
from tidal.core.context import RequestContext
from tidal.core.errors import ValidationException
from tidal.dynamodb.catalog import Catalog
from tidal.dynamodb.errors import ResourceNotFoundException
from tidal.dynamodb.schema import Table

MAX_TAGS = 50


def tag_resource(ctx: RequestContext, txn: Any, arn: str, tags: list[dict[str, str]]) -> None:
    table = _table(ctx, txn, arn)
    description = copy.deepcopy(table.description)
    current = description["_tags"]
    current.update({tag["Key"]: tag["Value"] for tag in tags})
    if len(current) > MAX_TAGS:
        raise ValidationException("The number of tags exceeds the limit of 50")
    ctx.runtime.room("dynamodb", Catalog).save(txn, ctx.account, ctx.region, description)


def untag_resource(ctx: RequestContext, txn: Any, arn: str, keys: list[str]) -> None:
    table = _table(ctx, txn, arn)
    description = copy.deepcopy(table.description)
    for key in keys:
        description["_tags"].pop(key, None)
    ctx.runtime.room("dynamodb", Catalog).save(txn, ctx.account, ctx.region, description)


def list_tags(ctx: RequestContext, txn: Any, arn: str) -> dict[str, Any]:
    tags = _table(ctx, txn, arn).description["_tags"]
    return {"Tags": [{"Key": key, "Value": value} for key, value in tags.items()]}


def _table(ctx: RequestContext, txn: Any, arn: str) -> Table:
    parts = parse_arn(arn)
    table = None
    if parts and parts[0] == "dynamodb" and parts[3].startswith("table/"):
        _service, region, account, resource = parts
        if (account, region) == (ctx.account, ctx.region) and "/" not in resource[6:]:
            table = ctx.runtime.room("dynamodb", Catalog).find(txn, account, region, resource[6:])
    if table is None:
        if parts is None:
            raise ValidationException(
                f"Invalid TableArn: Invalid ResourceArn provided as input {arn}"
            )
        raise ResourceNotFoundException(
            f"Requested resource not found: ResourcArn: {arn} not found"
        )
    return table
