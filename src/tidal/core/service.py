"""How a service room declares itself to the server: protocol facts and its operations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tidal.core.context import RequestContext
from tidal.core.runtime import Runtime

Handler = Callable[[RequestContext, dict[str, Any]], dict[str, Any]]
Task = Callable[[Runtime], Awaitable[None]]


@dataclass
class Service:
    """One AWS service as Tidal serves it.

    `model` names botocore's service model (for validation), `target_prefix` the
    `X-Amz-Target` prefix of JSON services, `namespace` the `__type` prefix of its
    errors; `response_crc32` adds DynamoDB's `x-amz-crc32` header; `shape_overrides`
    tightens model constraints where the real service is stricter than its model.
    `installers` run once when a server starts (to subscribe to other rooms' hooks);
    `background` tasks run on the server's event loop for its lifetime.
    """

    model: str
    target_prefix: str
    namespace: str
    response_crc32: bool = False
    shape_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    operations: dict[str, Handler] = field(default_factory=dict)
    installers: list[Callable[[Runtime], None]] = field(default_factory=list)
    background: list[Task] = field(default_factory=list)

    def operation(self, name: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.operations[name] = handler
            return handler

        return register
