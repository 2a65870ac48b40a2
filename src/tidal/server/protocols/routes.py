"""Which operation of a REST service a request names, from the model's `http` traits.

Each operation has a method and a `requestUri` template such as
`/2015-03-31/functions/{FunctionName}/invocations` or `/2018-10-31/layers?find=LayerVersion`:
`{Name}` matches one path segment, `{Name+}` (greedy) the rest of the path, and a literal
query part must be present in the request's query string. botocore percent-encodes labels
(`:` as `%3A`, `$` as `%24`, `/` as `%2F` in a plain label), so matching runs on the raw path
and each label is decoded after the match.

Clients built from earlier versions of a model still call the routes AWS served then (and
still serves): `EARLIER_ROUTES` keeps those, by service, as the AWS SDK for JavaScript v2
(which Node.js functions on runtimes up to nodejs16.x use) sends them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import unquote

from botocore.model import ServiceModel

_LABEL = re.compile(r"\{([^}]+)\}")

EARLIER_ROUTES: dict[str, tuple[tuple[str, str, str, bool], ...]] = {
    # (method, requestUri, operation, whether the body members come in the query string)
    "sesv2": (
        ("GET", "/v2/email/identities", "ListEmailIdentities", True),
        ("GET", "/v2/email/configuration-sets", "ListConfigurationSets", True),
        (
            "PUT",
            "/v1/email/identities/{EmailIdentity}/dkim/signing",
            "PutEmailIdentityDkimSigningAttributes",
            False,
        ),
    ),
}


class Match(NamedTuple):
    operation: str
    labels: dict[str, str]
    """Path labels by name, percent-decoded."""
    body_in_query: bool = False
    """An earlier route whose body members travel in the query string."""


@dataclass(frozen=True, slots=True)
class Route:
    operation: str
    pattern: re.Pattern[str]
    labels: dict[str, str]
    """Regex group → label name."""
    query: tuple[tuple[str, str | None], ...]
    """Literal query parts: (name, required value or None for presence)."""
    body_in_query: bool = False

    def match(self, path: str, query: dict[str, list[str]]) -> Match | None:
        """The operation and decoded labels when `path` and `query` fit this route."""
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        for name, value in self.query:
            given = query.get(name)
            if given is None or (value is not None and value not in given):
                return None
        labels = {label: unquote(found.group(group)) for group, label in self.labels.items()}
        return Match(self.operation, labels, self.body_in_query)


class RouteTable:
    """The routes of one REST service, most specific first within each HTTP method."""

    def __init__(self, model: ServiceModel) -> None:
        ranked: dict[str, list[tuple[tuple[int, ...], Route]]] = {}
        for name in model.operation_names:
            http = model.operation_model(name).http
            rank, route = _compile(name, http.get("requestUri", "/"), False)
            ranked.setdefault(http.get("method", "POST").upper(), []).append((rank, route))
        for method, uri, name, body_in_query in EARLIER_ROUTES.get(model.service_name, ()):
            if name in model.operation_names:
                ranked.setdefault(method, []).append(_compile(name, uri, body_in_query))
        self._routes = {
            method: [route for _, route in sorted(routes, key=lambda pair: pair[0], reverse=True)]
            for method, routes in ranked.items()
        }

    def match(self, method: str, raw_path: str, query: dict[str, list[str]]) -> Match | None:
        """The most specific route that fits, or None."""
        for route in self._routes.get(method.upper(), ()):
            found = route.match(raw_path, query)
            if found is not None:
                return found
        return None


def _compile(
    operation: str, request_uri: str, body_in_query: bool
) -> tuple[tuple[int, ...], Route]:
    path, _, query_text = request_uri.partition("?")
    pieces: list[str] = []
    labels: dict[str, str] = {}
    literal = 0
    greedy = 0
    position = 0
    for found in _LABEL.finditer(path):
        text = path[position : found.start()]
        pieces.append(re.escape(text))
        literal += len(text)
        name = found.group(1)
        group = f"g{len(labels)}"
        if name.endswith("+"):
            greedy += 1
            labels[group] = name[:-1]
            pieces.append(f"(?P<{group}>.+)")
        else:
            labels[group] = name
            pieces.append(f"(?P<{group}>[^/]+)")
        position = found.end()
    tail = path[position:]
    literal += len(tail.rstrip("/"))
    pieces.append(re.escape(tail.rstrip("/")) + "/?")
    query = tuple(
        (name, value if equals else None)
        for name, equals, value in (part.partition("=") for part in query_text.split("&") if part)
    )
    rank = (len(query), -greedy, literal, -len(labels))
    return rank, Route(operation, re.compile("".join(pieces)), labels, query, body_in_query)
