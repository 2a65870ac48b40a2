"""CloudWatch Logs wire operations (AWS JSON 1.1, `X-Amz-Target: Logs_20140328.<Op>`)."""

from __future__ import annotations

from tidal.core.service import Service

SERVICE = Service(model="logs", target_prefix="Logs_20140328")
