"""How a service room declares itself to the server: protocol facts and its operations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tidal.core.context import RequestContext
from tidal.core.errors import AWSError
from tidal.core.runtime import Runtime

Handler = Callable[[RequestContext, dict[str, Any]], dict[str, Any] | Awaitable[dict[str, Any]]]
Task = Callable[[Runtime], Awaitable[None]]
Domain = Callable[..., dict[str, Any] | None]
"""`domain(txn, *scope, params)`: an operation's answer (None for an empty one)."""
Scope = Callable[[RequestContext], tuple[str, ...]]


def regional(ctx: RequestContext) -> tuple[str, ...]:
    """What scopes a regional resource: its account and region."""
    return ctx.account, ctx.region


@dataclass(frozen=True, slots=True)
class InternalRequest:
    """A request to one of Tidal's own endpoints under `/_tidal/` (never an AWS path)."""

    runtime: Runtime
    method: str
    path: str
    params: dict[str, str]
    """The named groups of the route's path pattern."""
    query: dict[str, list[str]]
    body: bytes


InternalResponse = tuple[int, list[tuple[bytes, bytes]], bytes]
InternalHandler = Callable[[InternalRequest], InternalResponse | Awaitable[InternalResponse]]


@dataclass
class Service:
    """One AWS service as Tidal serves it.

    `model` names botocore's service model (its metadata gives the protocol: json,
    rest-json or query; its shapes drive validation and, for rest-json and query, parsing
    and rendering), `target_prefix` the `X-Amz-Target` prefix of JSON services,
    `namespace` the `__type` prefix of its JSON errors ("" for a bare `__type`);
    `response_crc32` adds DynamoDB's `x-amz-crc32` header; `shape_overrides` tightens
    model constraints where the real service is stricter than its model; `invalid_input` is
    the error a broken model constraint is reported as, when the service does not say
    ValidationException (CloudWatch Logs says InvalidParameterException).
    `installers` run once when a server starts (to subscribe to other rooms' hooks);
    `background` tasks run on the server's event loop for its lifetime.
    `internal_routes` are `(method, path regex, handler)` under `/_tidal/`; the regex must
    match the whole path, its named groups become `InternalRequest.params`.
    Operation handlers and internal handlers may be plain or `async` functions.
    """

    model: str
    target_prefix: str = ""
    namespace: str = ""
    response_crc32: bool = False
    shape_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    invalid_input: type[AWSError] | None = None
    operations: dict[str, Handler] = field(default_factory=dict)
    installers: list[Callable[[Runtime], None]] = field(default_factory=list)
    background: list[Task] = field(default_factory=list)
    internal_routes: list[tuple[str, str, InternalHandler]] = field(default_factory=list)

    def operation(self, name: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.operations[name] = handler
            return handler

        return register

    def delegate(
        self,
        reads: Mapping[str, Domain],
        writes: Mapping[str, Domain],
        scope: Scope = regional,
    ) -> None:
        """Register operations that only open a transaction (read-only for `reads`) and
        answer with `domain(txn, *scope(ctx), params)`."""
        for names, write in ((reads, False), (writes, True)):
            for name, domain in names.items():
                self.operations[name] = _in_transaction(domain, write, scope)


def _in_transaction(domain: Domain, write: bool, scope: Scope) -> Handler:
    def handle(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with ctx.runtime.store.transaction(write=write) as txn:
            return domain(txn, *scope(ctx), params) or {}

    return handle
