"""DynamoDB expressions: condition, filter, key condition, update and projection expressions,
and the legacy parameters they replaced, parsed once and bound per request.

    ctx = ExpressionContext(names, values)
    condition = ctx.condition("attribute_not_exists(pk)")
    update = ctx.update("SET #n = #n + :one")
    ctx.finish()
    if condition.evaluate(old):
        new, paths = update.apply(old)
"""

from .conditions import Condition
from .context import ExpressionContext
from .keys import KeyCondition, KeyTerm
from .legacy import LegacyUpdate, legacy_condition, legacy_projection, legacy_update
from .paths import DocPath
from .projection import Projection, project_paths
from .updates import Update

__all__ = [
    "Condition",
    "DocPath",
    "ExpressionContext",
    "KeyCondition",
    "KeyTerm",
    "LegacyUpdate",
    "Projection",
    "Update",
    "legacy_condition",
    "legacy_projection",
    "legacy_update",
    "project_paths",
]
