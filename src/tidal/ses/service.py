"""The two SES services Tidal serves, sharing one set of identities, templates and mailbox."""

from __future__ import annotations

from tidal.core.service import Service
from tidal.ses import relay, routes

SES = Service(model="ses", internal_routes=list(routes.ROUTES), background=[relay.run])
SES_V2 = Service(model="sesv2")
