from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tidal.storage import Store, open_store


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The same contract must hold for an in-memory and an on-disk store."""
    opened = open_store(None if request.param == "memory" else tmp_path / "data")
    yield opened
    opened.close()
