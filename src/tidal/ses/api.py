"""SES wire operations: v1 (query protocol, XML) and v2 (REST JSON under `/v2/email/`)."""

from __future__ import annotations

from tidal.core.service import Service

SES = Service(model="ses")
SES_V2 = Service(model="sesv2")
