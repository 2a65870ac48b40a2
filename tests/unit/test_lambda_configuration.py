"""Configuration checks and defaults beyond the model: runtimes, environment, logging."""

from __future__ import annotations

import pytest

from tidal.awslambda import configuration
from tidal.awslambda.errors import InvalidParameterValueException


@pytest.mark.parametrize(
    "runtime", ["python3.8", "python3.14", "nodejs", "nodejs4.3-edge", "nodejs22.x", "provided"]
)
def test_runtimes_tidal_runs(runtime):
    configuration.check_runtime(runtime, "index.handler")


@pytest.mark.parametrize("runtime", ["python2.7", "java8.al2", "dotnet8", "ruby3.4", "custom"])
def test_runtimes_tidal_does_not_run(runtime):
    with pytest.raises(InvalidParameterValueException, match=f"runtime parameter of {runtime}"):
        configuration.check_runtime(runtime, "index.handler")


def test_custom_runtimes_need_no_handler():
    configuration.check_runtime("provided.al2", None)
    with pytest.raises(InvalidParameterValueException, match="Runtime and Handler"):
        configuration.check_runtime("nodejs20.x", None)
    with pytest.raises(InvalidParameterValueException, match="Runtime and Handler"):
        configuration.check_runtime(None, "index.handler")


def test_the_environment_is_measured_as_compact_utf8_json():
    fits = {"Variables": {"KEY": "x" * (4096 - len('{"KEY":""}'))}}
    configuration.check_environment(fits)
    over = {"Variables": {"KEY": "é" * 2044}}
    with pytest.raises(InvalidParameterValueException, match="exceeded the 4KB limit"):
        configuration.check_environment(over)


def test_logging_config_defaults_and_json_levels():
    text = configuration.logging_config("orders", None, None)
    assert text == {"LogFormat": "Text", "LogGroup": "/aws/lambda/orders"}
    json_config = configuration.logging_config("orders", {"LogFormat": "JSON"}, text)
    assert json_config == {
        "LogFormat": "JSON",
        "LogGroup": "/aws/lambda/orders",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
    }
    back = configuration.logging_config("orders", {"LogFormat": "Text"}, json_config)
    assert back == text
    custom = configuration.logging_config("orders", {"LogGroup": "/custom/group"}, text)
    assert custom["LogGroup"] == "/custom/group"


def test_snapstart_only_for_runtimes_that_have_it():
    configuration.check_snapstart({"ApplyOn": "PublishedVersions"}, "python3.12")
    configuration.check_snapstart({"ApplyOn": "None"}, "nodejs20.x")
    with pytest.raises(InvalidParameterValueException) as raised:
        configuration.check_snapstart({"ApplyOn": "PublishedVersions"}, "nodejs20.x")
    assert raised.value.message == "nodejs20.x is not supported for SnapStart enabled functions."
