"""An item request's expressions, or their legacy equivalents, bound to its names and values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidal.core.errors import ValidationException
from tidal.dynamodb import expressions

LEGACY_OF = {
    "ConditionExpression": ("Expected", "ConditionalOperator"),
    "UpdateExpression": ("AttributeUpdates",),
    "ProjectionExpression": ("AttributesToGet",),
}


@dataclass(slots=True)
class Bound:
    condition: Any = None
    update: Any = None
    projection: Any = None


def bind(params: dict[str, Any], kinds: tuple[str, ...]) -> Bound:
    """Bind the expressions named in `kinds` (in AWS's order for this operation).

    `kinds` are the expression parameters the operation accepts, e.g.
    ("UpdateExpression", "ConditionExpression"); their legacy counterparts come from LEGACY_OF.
    """
    used_expressions = [kind for kind in kinds if kind in params]
    used_legacy = [
        legacy for kind in kinds for legacy in LEGACY_OF[kind] if params.get(legacy) is not None
    ]
    if used_expressions and used_legacy:
        raise ValidationException(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(used_legacy)}}} "
            f"Expression parameters: {{{', '.join(used_expressions)}}}"
        )
    names = params.get("ExpressionAttributeNames")
    values = params.get("ExpressionAttributeValues")
    if not used_expressions:
        _refuse_substitutions_without_expressions(kinds, names, values)
        return _bind_legacy(params)
    bound = Bound()
    context = expressions.ExpressionContext(names, values)
    for kind in kinds:
        text = params.get(kind)
        if text is None:
            continue
        if kind == "ConditionExpression":
            bound.condition = context.condition(text, kind="ConditionExpression")
        elif kind == "UpdateExpression":
            bound.update = context.update(text)
        else:
            bound.projection = context.projection(text)
    context.finish()
    return bound


def _refuse_substitutions_without_expressions(
    kinds: tuple[str, ...], names: dict | None, values: dict | None
) -> None:
    if values is not None:
        nulls = " and ".join(kinds)
        verb = "are" if len(kinds) > 1 else "is"
        raise ValidationException(
            "ExpressionAttributeValues can only be specified when using expressions: "
            f"{nulls} {verb} null"
        )
    if names is not None:
        raise ValidationException(
            "ExpressionAttributeNames can only be specified when using expressions"
        )


def _bind_legacy(params: dict[str, Any]) -> Bound:
    bound = Bound()
    if params.get("Expected") is not None:
        bound.condition = expressions.legacy_condition(
            params["Expected"], params.get("ConditionalOperator")
        )
    elif params.get("ConditionalOperator") is not None:
        raise ValidationException(
            "ConditionalOperator can only be used when Filter or Expected has two or more elements"
        )
    if params.get("AttributeUpdates") is not None:
        bound.update = expressions.legacy_update(params["AttributeUpdates"])
    if params.get("AttributesToGet") is not None:
        bound.projection = expressions.legacy_projection(params["AttributesToGet"])
    return bound
