"""Which operation of a REST service a request names, from the model's `http` traits.

Each operation has a method and a `requestUri` template such as
`/2015-03-31/functions/{FunctionName}/invocations` or `/2018-10-31/layers?find=LayerVersion`:
`{Name}` matches one path segment, `{Name+}` (greedy) the rest of the path, and a literal
query part must be present in the request's query string. botocore percent-encodes labels
(`:` as `%3A`, `$` as `%24`, `/` as `%2F` in a plain label), so matching runs on the raw path
and each label is decoded after the match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from botocore.model import ServiceModel

_LABEL = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True, slots=True)
class Route:
    operation: str
    pattern: re.Pattern[str]
    labels: dict[str, str]
    """Regex group → label name."""
    query: tuple[tuple[str, str | None], ...]
    """Literal query parts: (name, required value or None for presence)."""

    def match(self, path: str, query: dict[str, list[str]]) -> dict[str, str] | None:
        """The decoded labels when `path` and `query` fit this route, else None."""
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        for name, value in self.query:
            given = query.get(name)
            if given is None or (value is not None and value not in given):
                return None
        return {label: unquote(found.group(group)) for group, label in self.labels.items()}


class RouteTable:
    """The routes of one REST service, most specific first within each HTTP method."""

    def __init__(self, model: ServiceModel) -> None:
        ranked: dict[str, list[tuple[tuple[int, ...], Route]]] = {}
        for name in model.operation_names:
            http = model.operation_model(name).http
            rank, route = _compile(name, http.get("requestUri", "/"))
            ranked.setdefault(http.get("method", "POST").upper(), []).append((rank, route))
        self._routes = {
            method: [route for _, route in sorted(routes, key=lambda pair: pair[0], reverse=True)]
            for method, routes in ranked.items()
        }

    def match(
        self, method: str, raw_path: str, query: dict[str, list[str]]
    ) -> tuple[str, dict[str, str]] | None:
        """(operation name, labels) of the most specific route that fits, or None."""
        for route in self._routes.get(method.upper(), ()):
            labels = route.match(raw_path, query)
            if labels is not None:
                return route.operation, labels
        return None


def _compile(operation: str, request_uri: str) -> tuple[tuple[int, ...], Route]:
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
    return rank, Route(operation, re.compile("".join(pieces)), labels, query)
