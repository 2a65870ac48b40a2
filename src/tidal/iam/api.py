"""IAM and STS wire operations (AWS query protocol, XML responses)."""

from __future__ import annotations

from tidal.core.service import Service

IAM = Service(model="iam")
STS = Service(model="sts")
