"""Which services this server speaks, and how a request names one."""

from __future__ import annotations

from functools import cache

import botocore.session
from botocore.model import ServiceModel

from tidal.awslambda.api import SERVICE as LAMBDA
from tidal.core.service import Service
from tidal.dynamodb.api import SERVICE as DYNAMODB
from tidal.iam.api import IAM, STS
from tidal.logs.api import SERVICE as LOGS
from tidal.ses.api import SES, SES_V2
from tidal.streams.api import SERVICE as DYNAMODB_STREAMS

SERVICES: tuple[Service, ...] = (DYNAMODB, DYNAMODB_STREAMS, LOGS, LAMBDA, IAM, STS, SES, SES_V2)
JSON_SERVICES: dict[str, Service] = {
    service.target_prefix: service for service in SERVICES if service.target_prefix
}


def json_service(target: str) -> tuple[Service, str] | None:
    """The service and operation named by an `X-Amz-Target` header (`Prefix.Operation`)."""
    prefix, _, operation = target.rpartition(".")
    service = JSON_SERVICES.get(prefix)
    return (service, operation) if service else None


@cache
def service_model(name: str) -> ServiceModel:
    return _botocore_session().get_service_model(name)


@cache
def _botocore_session() -> botocore.session.Session:
    return botocore.session.get_session()
