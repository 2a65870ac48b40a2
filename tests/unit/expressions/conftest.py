from collections.abc import Callable
from typing import Any

import pytest

from tidal.core.errors import ValidationException
from tidal.dynamodb.expressions import ExpressionContext


def failure(call: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The message of the ValidationException `call` raises."""
    with pytest.raises(ValidationException) as info:
        call(*args, **kwargs)
    return info.value.message


@pytest.fixture
def error() -> Callable[..., str]:
    return failure


@pytest.fixture
def cond() -> Callable[..., Any]:
    """Bind a condition with optional names/values: cond(text, values=..., names=...)."""

    def bind(text: str, values: dict[str, Any] | None = None, names: dict[str, str] | None = None):
        return ExpressionContext(names, values).condition(text)

    return bind
