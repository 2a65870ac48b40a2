"""The Lambda service object that every module of `awslambda.api` registers its operations on."""

from __future__ import annotations

from tidal.core.service import Service

SERVICE = Service(model="lambda")
