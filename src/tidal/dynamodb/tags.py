"""TagResource, UntagResource, ListTagsOfResource on tables."""

from __future__ import annotations

import copy
import re
from typing import Any

from tidal.core.arns import parse_arn
from tidal.core.context import RequestContext
from tidal.core.errors import ValidationException
from tidal.dynamodb.catalog import Catalog
from tidal.dynamodb.errors import ResourceNotFoundException, invalid
from tidal.dynamodb.schema import Table

MAX_TAGS = 50
TOO_MANY_TAGS = "Number of Tags exceed the current limit for the provided ResourceArn"
_TABLE_NAME = re.compile(r"[a-zA-Z0-9_.-]{3,255}")


def check_tags(tags: list[dict[str, str]]) -> None:
    """The checks AWS makes of the Tags of TagResource and CreateTable."""
    keys = [tag["Key"] for tag in tags]
    for position, key in enumerate(keys):
        if key in keys[:position]:
            raise ValidationException(
                f"Duplicate Tag Keys provided as input: Duplicate Tag Key found {key}"
            )
        if key.startswith("aws:"):
            raise ValidationException(f"Tag Key cannot be prefixed with aws:, Key: {key}")
    if len(keys) > MAX_TAGS:
        raise ValidationException(TOO_MANY_TAGS)


def tag_resource(ctx: RequestContext, txn: Any, arn: str, tags: list[dict[str, str]]) -> None:
    name = _table_name(ctx, arn)
    if not tags:
        raise ValidationException("Atleast one Tag needs to be provided as Input.")
    check_tags(tags)
    description = copy.deepcopy(_table(ctx, txn, arn, name).description)
    current = description["_tags"]
    current.update({tag["Key"]: tag["Value"] for tag in tags})
    if len(current) > MAX_TAGS:
        raise ValidationException(TOO_MANY_TAGS)
    ctx.runtime.room("dynamodb", Catalog).save(txn, ctx.account, ctx.region, description)


def untag_resource(ctx: RequestContext, txn: Any, arn: str, keys: list[str]) -> None:
    name = _table_name(ctx, arn)
    if not keys:
        raise ValidationException("Atleast one Tag Key needs to be provided as Input.")
    if len(keys) > MAX_TAGS:
        raise ValidationException(TOO_MANY_TAGS)
    description = copy.deepcopy(_table(ctx, txn, arn, name).description)
    for key in keys:
        description["_tags"].pop(key, None)
    ctx.runtime.room("dynamodb", Catalog).save(txn, ctx.account, ctx.region, description)


def list_tags(ctx: RequestContext, txn: Any, arn: str) -> dict[str, Any]:
    tags = _table(ctx, txn, arn, _table_name(ctx, arn)).description["_tags"]
    return {"Tags": [{"Key": key, "Value": value} for key, value in tags.items()]}


def _table_name(ctx: RequestContext, arn: str) -> str | None:
    """The table a ResourceArn names, with AWS's complaints about ARNs that name no table.

    None means a well-formed ARN of something that is not a table here (another account, a
    stream), which AWS reports as not found.
    """
    if not arn.startswith("arn:"):
        raise invalid(f"ARNs must start with 'arn:': {arn}")
    parts = parse_arn(arn)
    if parts is None:
        raise ValidationException(f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
    service, region, account, resource = parts
    if service != "dynamodb":
        raise invalid(f"Provided Arn is not a DynamoDB resource arn: {arn}")
    kind, _, path = resource.partition("/")
    name, _, rest = path.partition("/")
    if region != ctx.region or kind != "table" or not _TABLE_NAME.fullmatch(name):
        raise ValidationException(f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
    if rest.startswith("index/"):
        raise invalid(
            "Invalid resource arn provided, only table or stream is accepted. "
            f"Provided resource arn: {arn}"
        )
    return name if account == ctx.account and not rest else None


def _table(ctx: RequestContext, txn: Any, arn: str, name: str | None) -> Table:
    catalog = ctx.runtime.room("dynamodb", Catalog)
    table = catalog.find(txn, ctx.account, ctx.region, name) if name else None
    if table is None:
        raise ResourceNotFoundException(
            f"Requested resource not found: ResourcArn: {arn} not found"
        )
    return table
