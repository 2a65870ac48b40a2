"""`tidal serve --shard-rollover/--stream-retention` and their TIDAL_* variables."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tidal import cli
from tidal.core.config import Config


class Captured:
    """Stands in for the server: keeps the config `tidal serve` built."""

    configs: list[Config] = []

    def __init__(self, config: Config) -> None:
        self.configs.append(config)
        self.endpoint = "http://127.0.0.1:0"

    def serve_forever(self) -> None:
        pass


@pytest.fixture
def serve(monkeypatch):
    monkeypatch.setattr("tidal.server.runner.Server", Captured)
    Captured.configs = []

    def run(*args: str, **env: str) -> Config:
        result = CliRunner().invoke(cli.main, ["serve", "--in-memory", *args], env=env)
        assert result.exit_code == 0, result.output
        return Captured.configs[-1]

    return run


def test_defaults_are_awss(serve):
    config = serve()
    assert (config.shard_rollover, config.stream_retention) == (4 * 3600, 24 * 3600)


def test_flags_and_environment(serve):
    config = serve("--shard-rollover", "90s", "--stream-retention", "2h")
    assert (config.shard_rollover, config.stream_retention) == (90, 7200)
    config = serve(TIDAL_SHARD_ROLLOVER="500ms", TIDAL_STREAM_RETENTION="1d")
    assert (config.shard_rollover, config.stream_retention) == (0.5, 86400)
    assert serve("--shard-rollover", "15m").shard_rollover == 900
    assert serve("--shard-rollover", "3").shard_rollover == 3


@pytest.mark.parametrize("wrong", ["0s", "soon", "-1h", "4 hours"])
def test_a_duration_must_be_one(wrong):
    result = CliRunner().invoke(cli.main, ["serve", "--shard-rollover", wrong])
    assert result.exit_code == 2
    assert "is not a duration" in result.output
