"""How each runtime family is launched, and how runtimes are prepared once per server."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import os
import sys
import threading
from pathlib import Path

import botocore
import pytest

from tidal.awslambda import node_sdk, runtimes
from tidal.awslambda.functions import FunctionVersion
from tidal.testing.waiting import until

AWS_VARIABLES = {
    "AWS_LAMBDA_FUNCTION_NAME": "fn",
    "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
    "_HANDLER": "app.handler",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:8000",
}


def function(code_dir: Path, runtime: str, layers: tuple[Path, ...] = ()) -> FunctionVersion:
    arn = "arn:aws:lambda:us-east-1:000000000000:function:fn"
    return FunctionVersion(
        account="000000000000",
        region="us-east-1",
        name="fn",
        version="$LATEST",
        arn=arn,
        qualified_arn=f"{arn}:$LATEST",
        invoked_arn=arn,
        runtime=runtime,
        handler="app.handler",
        role="arn:aws:iam::000000000000:role/r",
        timeout=3,
        memory_size=128,
        code_dir=code_dir,
        code_sha256="",
        revision_id="r",
        layer_dirs=layers,
    )


def botocore_runtimes() -> set[str]:
    model = Path(botocore.__file__).parent / "data" / "lambda" / "2015-03-31" / "service-2.json.gz"
    return set(json.loads(gzip.decompress(model.read_bytes()))["shapes"]["Runtime"]["enum"])


def test_supported_runtimes_are_the_python_node_and_custom_ones_aws_accepts():
    expected = {f"python3.{minor}" for minor in range(8, 15)} | {
        "nodejs",
        "nodejs4.3",
        "nodejs4.3-edge",
        "nodejs6.10",
        "nodejs8.10",
        "nodejs10.x",
        "nodejs12.x",
        "nodejs14.x",
        "nodejs16.x",
        "nodejs18.x",
        "nodejs20.x",
        "nodejs22.x",
        "nodejs24.x",
        "provided",
        "provided.al2",
        "provided.al2023",
    }
    assert expected == runtimes.SUPPORTED
    assert botocore_runtimes() >= runtimes.SUPPORTED


def test_python_runs_the_bootstrap_with_tidals_interpreter(tmp_path):
    given = dict(AWS_VARIABLES)
    launch = runtimes.launch(function(tmp_path, "python3.12"), given)

    assert launch.argv == [sys.executable, str(runtimes.PYTHON_BOOTSTRAP)]
    assert runtimes.PYTHON_BOOTSTRAP.is_file()
    assert launch.cwd == tmp_path
    assert launch.env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert launch.env["LAMBDA_RUNTIME_DIR"] == str(runtimes.PYTHON_BOOTSTRAP.parent)
    assert launch.env["PYTHONPATH"].split(os.pathsep)[0] == str(tmp_path)
    assert "NODE_PATH" not in launch.env
    assert {key: launch.env[key] for key in AWS_VARIABLES if key != "PATH"} == {
        key: value for key, value in AWS_VARIABLES.items() if key != "PATH"
    }
    assert given == AWS_VARIABLES


def test_python_path_puts_each_layers_site_packages_then_python_folder_after_the_code(tmp_path):
    first, second = tmp_path / "layer1", tmp_path / "layer2"
    launch = runtimes.launch(
        function(tmp_path / "code", "python3.11", (first, second)), AWS_VARIABLES
    )

    assert launch.env["PYTHONPATH"].split(os.pathsep)[:5] == [
        str(tmp_path / "code"),
        str(second / "python" / "lib" / "python3.11" / "site-packages"),
        str(first / "python" / "lib" / "python3.11" / "site-packages"),
        str(second / "python"),
        str(first / "python"),
    ]


def test_path_starts_with_the_interpreter_and_ends_with_the_layers_bin_folders(tmp_path):
    first, second = tmp_path / "layer1", tmp_path / "layer2"
    launch = runtimes.launch(function(tmp_path, "python3.12", (first, second)), AWS_VARIABLES)

    path = launch.env["PATH"].split(os.pathsep)
    assert path[0] == str(Path(sys.executable).parent)
    assert path[1:4] == ["/usr/local/bin", "/usr/bin", "/bin"]
    assert path[-2:] == [str(second / "bin"), str(first / "bin")]


def test_node_runs_the_bootstrap_with_node_and_the_v3_sdk_from_nodejs18(tmp_path):
    layer = tmp_path / "layer"
    launch = runtimes.launch(function(tmp_path / "code", "nodejs20.x", (layer,)), AWS_VARIABLES)

    assert launch.argv == [runtimes.node_binary(), str(runtimes.NODE_BOOTSTRAP)]
    assert runtimes.NODE_BOOTSTRAP.is_file()
    assert launch.env["AWS_EXECUTION_ENV"] == "AWS_Lambda_nodejs20.x"
    assert launch.env["NODE_PATH"].split(os.pathsep) == [
        str(layer / "nodejs" / "node20" / "node_modules"),
        str(layer / "nodejs" / "node_modules"),
        str(node_sdk.modules_dir("v3")),
        str(tmp_path / "code"),
    ]
    assert launch.env["PATH"].split(os.pathsep)[0] == str(Path(runtimes.node_binary()).parent)
    assert launch.env["PATH"].split(os.pathsep)[-1] == str(layer / "bin")
    assert "PYTHONPATH" not in launch.env


@pytest.mark.parametrize(
    ("runtime", "sdk"),
    [
        ("nodejs", "v2"),
        ("nodejs4.3-edge", "v2"),
        ("nodejs8.10", "v2"),
        ("nodejs16.x", "v2"),
        ("nodejs18.x", "v3"),
        ("nodejs22.x", "v3"),
        ("nodejs24.x", "v3"),
    ],
)
def test_each_node_runtime_gets_the_sdk_it_bundles_on_aws(tmp_path, runtime, sdk):
    launch = runtimes.launch(function(tmp_path, runtime), AWS_VARIABLES)

    assert str(node_sdk.modules_dir(sdk)) in launch.env["NODE_PATH"].split(os.pathsep)
    assert launch.env["AWS_EXECUTION_ENV"] == f"AWS_Lambda_{runtime}"


def test_provided_runs_the_functions_own_bootstrap(tmp_path):
    code, layer = tmp_path / "code", tmp_path / "layer"
    for folder in (code, layer):
        folder.mkdir()
        (folder / "bootstrap").write_text("#!/bin/sh\n")
    given = {**AWS_VARIABLES, "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12"}

    launch = runtimes.launch(function(code, "provided.al2023", (layer,)), given)

    assert launch.argv == [str(code / "bootstrap")]
    assert "AWS_EXECUTION_ENV" not in launch.env
    assert "PYTHONPATH" not in launch.env and "NODE_PATH" not in launch.env
    assert launch.env["PATH"].split(os.pathsep)[-1] == str(layer / "bin")


def test_provided_falls_back_to_the_last_layer_that_brings_a_bootstrap(tmp_path):
    code, first, second, third = (tmp_path / name for name in ("code", "l1", "l2", "l3"))
    for folder in (code, first, second, third):
        folder.mkdir()
    for folder in (first, second):
        (folder / "bootstrap").write_text("#!/bin/sh\n")

    launch = runtimes.launch(function(code, "provided", (first, second, third)), AWS_VARIABLES)

    assert launch.argv == [str(second / "bootstrap")]


def test_provided_without_any_bootstrap_names_the_missing_one(tmp_path):
    launch = runtimes.launch(function(tmp_path, "provided.al2"), AWS_VARIABLES)

    assert launch.argv == [str(tmp_path / "bootstrap")]


def test_an_unsupported_runtime_is_refused(tmp_path):
    with pytest.raises(runtimes.RuntimeUnavailable, match="java21"):
        runtimes.launch(function(tmp_path, "java21"), AWS_VARIABLES)
    with pytest.raises(runtimes.RuntimeUnavailable, match="java21"):
        asyncio.run(runtimes.prepare("java21"))


def test_node_functions_without_node_say_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(runtimes.shutil, "which", lambda name: None)

    with pytest.raises(runtimes.RuntimeUnavailable, match="`node` command"):
        runtimes.launch(function(tmp_path, "nodejs20.x"), AWS_VARIABLES)


# prepare


@pytest.fixture
def fresh_preparation(monkeypatch):
    monkeypatch.setattr(runtimes, "_prepared", set())
    monkeypatch.setattr(runtimes, "_warned", set())
    monkeypatch.setattr(runtimes, "_preparing", {})
    monkeypatch.setattr(runtimes, "_node_version", lambda node: "v20.11.0")


class FakeInstaller:
    """Stands for node_sdk.ensure: counts installs, and holds them until released."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.release = threading.Event()
        self.failure: Exception | None = None

    def __call__(self, major: str) -> Path:
        self.calls.append(major)
        assert self.release.wait(10)
        if self.failure is not None:
            raise self.failure
        return Path("/cache") / major


@pytest.fixture
def installer(monkeypatch, fresh_preparation):
    fake = FakeInstaller()
    monkeypatch.setattr(node_sdk, "ensure", fake)
    return fake


def test_concurrent_preparations_of_a_node_runtime_share_one_install(installer):
    async def scenario():
        waiting = [asyncio.create_task(runtimes.prepare("nodejs20.x")) for _ in range(4)]
        await until(lambda: installer.calls)
        installer.release.set()
        await asyncio.gather(*waiting)
        await runtimes.prepare("nodejs20.x")

    asyncio.run(scenario())

    assert installer.calls == ["v3"]


def test_each_node_runtime_makes_sure_of_the_sdk_it_bundles(installer):
    installer.release.set()

    async def scenario():
        for name in ("nodejs", "nodejs16.x", "nodejs20.x", "nodejs20.x", "python3.12", "provided"):
            await runtimes.prepare(name)

    asyncio.run(scenario())

    assert installer.calls == ["v2", "v2", "v3"]


def test_a_node_runtime_other_than_the_local_node_is_warned_about_once(installer, caplog):
    installer.release.set()

    async def scenario():
        for name in ("nodejs18.x", "nodejs18.x", "nodejs20.x", "nodejs22.x"):
            await runtimes.prepare(name)

    with caplog.at_level(logging.WARNING, logger="tidal.awslambda.runtimes"):
        asyncio.run(scenario())

    assert [record.getMessage().split(" functions")[0] for record in caplog.records] == [
        "nodejs18.x",
        "nodejs22.x",
    ]
    assert (
        caplog.records[0]
        .getMessage()
        .startswith("nodejs18.x functions run on this machine's Node.js v20.11.0 (")
    )


def test_a_failed_install_explains_itself_and_is_tried_again_next_time(installer):
    installer.release.set()
    installer.failure = node_sdk.SdkInstallError("npm is not on PATH")

    with pytest.raises(runtimes.RuntimeUnavailable) as raised:
        asyncio.run(runtimes.prepare("nodejs16.x"))
    installer.failure = None
    asyncio.run(runtimes.prepare("nodejs16.x"))

    assert str(raised.value) == (
        "nodejs16.x functions need the AWS SDK for JavaScript v2, which Tidal could not "
        "install: npm is not on PATH"
    )
    assert installer.calls == ["v2", "v2"]


def test_a_python_runtime_other_than_the_local_interpreter_is_warned_about_once(
    fresh_preparation, caplog
):
    other = "python3.8" if sys.version_info[:2] != (3, 8) else "python3.9"
    local = f"python{sys.version_info.major}.{sys.version_info.minor}"

    async def scenario():
        for name in (other, other, local):
            await runtimes.prepare(name)

    with caplog.at_level(logging.WARNING, logger="tidal.awslambda.runtimes"):
        asyncio.run(scenario())

    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{other} functions run on this machine's Python")
