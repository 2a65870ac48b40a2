"""`wait_for_idle`: wait until Tidal's stream triggers have nothing left to do, without sleeping.

The server answers `GET /_tidal/idle?wait=<seconds>` as soon as every enabled event source
mapping has processed its stream's newest record (or filtered it out, or given up on it) and
no function invocation is running; the call returns then, or fails after `timeout` seconds
saying what is still busy.
"""

from __future__ import annotations

import urllib.request

import orjson


def wait_for_idle(endpoint: str, timeout: float = 10.0) -> None:
    """Return once the server at `endpoint` is idle; AssertionError after `timeout` seconds."""
    url = f"{endpoint.rstrip('/')}/_tidal/idle?wait={timeout}"
    with urllib.request.urlopen(url, timeout=timeout + 30) as response:
        answer = orjson.loads(response.read())
    if not answer["idle"]:
        raise AssertionError(f"Tidal still busy after {timeout} s: " + "; ".join(answer["busy"]))
