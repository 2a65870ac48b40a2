"""Which services this server speaks, and how a request names one."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import botocore.session
from botocore.model import ServiceModel

from tidal.awslambda.api import SERVICE as LAMBDA
from tidal.core.service import Service
from tidal.dynamodb.api import SERVICE as DYNAMODB
from tidal.iam.api import IAM, STS
from tidal.logs.api import SERVICE as LOGS
from tidal.server.protocols.routes import Match, RouteTable
from tidal.ses.api import SES, SES_V2
from tidal.streams.api import SERVICE as DYNAMODB_STREAMS

SERVICES: tuple[Service, ...] = (DYNAMODB, DYNAMODB_STREAMS, LOGS, LAMBDA, IAM, STS, SES, SES_V2)


class Directory:
    """How requests name the services of one server: by target prefix, signing name or route.

    Models load on the first request of their protocol, so a server that only ever sees
    DynamoDB never reads the IAM model.
    """

    def __init__(self, services: Iterable[Service]) -> None:
        self.services = tuple(services)
        self._json = {s.target_prefix: s for s in self.services if s.target_prefix}
        self._query: dict[str, Service] | None = None
        self._query_services: list[Service] = []
        self._rest: list[tuple[Service, str, RouteTable]] | None = None

    def json(self, target: str) -> tuple[Service, str] | None:
        """The service and operation named by an `X-Amz-Target` header (`Prefix.Operation`)."""
        prefix, _, operation = target.rpartition(".")
        service = self._json.get(prefix)
        return (service, operation) if service else None

    def query(self, signing_name: str | None, action: str) -> Service | None:
        """The query service a request signed for `signing_name` (or, unsigned, whose model
        has `action`) addresses."""
        if self._query is None:
            self._query = {}
            for service in self.services:
                model = service_model(service.model)
                if model.protocol == "query":
                    self._query_services.append(service)
                    self._query.setdefault(model.signing_name, service)
                    self._query.setdefault(model.endpoint_prefix, service)
        if signing_name is not None and signing_name in self._query:
            return self._query[signing_name]
        for service in self._query_services:
            if action in service_model(service.model).operation_names:
                return service
        return None

    def rest(
        self, method: str, raw_path: str, query: dict[str, list[str]], signing_name: str | None
    ) -> tuple[Service, Match] | None:
        """The service and the REST route that fits the request; where services share a
        route, the one the request was signed for wins."""
        if self._rest is None:
            self._rest = [
                (service, model.signing_name, RouteTable(model))
                for service in self.services
                if (model := service_model(service.model)).protocol == "rest-json"
            ]
        found = None
        for service, signed_for, routes in self._rest:
            matched = routes.match(method, raw_path, query)
            if matched is None:
                continue
            if signed_for == signing_name:
                return service, matched
            if found is None:
                found = (service, matched)
        return found


@cache
def service_model(name: str) -> ServiceModel:
    return _botocore_session().get_service_model(name)


@cache
def _botocore_session() -> botocore.session.Session:
    return botocore.session.get_session()
