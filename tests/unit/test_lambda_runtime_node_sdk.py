"""The npm-installed SDK cache: where it lives, installed once, never seen half-done.

A fake `npm` on PATH stands for the real one: it records each call, creates the packages it
is asked for, and can be held until the test releases it or made to fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tidal.awslambda import node_sdk
from tidal.testing.waiting import eventually

FAKE_NPM = """#!/bin/sh
echo "$*" >> "$FAKE_NPM_CALLS"
while [ -n "$FAKE_NPM_HOLD" ] && [ ! -e "$FAKE_NPM_HOLD" ]; do sleep 0.01; done
if [ -n "$FAKE_NPM_FAIL" ]; then
  echo "npm error code ENOTFOUND" >&2
  echo "npm error request to https://registry.npmjs.org/aws-sdk failed" >&2
  exit 1
fi
for arg in "$@"; do
  case "$arg" in
    install|--*) ;;
    *) name="${arg%@*}"
       mkdir -p "node_modules/$name"
       echo '{}' > "node_modules/$name/package.json" ;;
  esac
done
"""


@pytest.fixture
def npm(tmp_path, monkeypatch):
    """The fake npm; returns the file listing its calls."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "npm").write_text(FAKE_NPM)
    (folder / "npm").chmod(0o755)
    calls = tmp_path / "npm-calls"
    calls.touch()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setenv("FAKE_NPM_CALLS", str(calls))
    monkeypatch.setenv("TIDAL_CACHE_DIR", str(tmp_path / "cache"))
    return calls


def npm_calls(calls: Path) -> list[str]:
    return calls.read_text().splitlines()


def test_the_cache_folder_follows_tidal_cache_dir_then_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("TIDAL_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert (
        node_sdk.modules_dir("v3")
        == tmp_path / "xdg" / "tidal" / "node-sdk" / "v3" / "node_modules"
    )

    monkeypatch.delenv("XDG_CACHE_HOME")
    assert node_sdk.cache_dir() == Path.home() / ".cache" / "tidal"

    monkeypatch.setenv("TIDAL_CACHE_DIR", str(tmp_path / "mine"))
    assert node_sdk.sdk_dir("v2") == tmp_path / "mine" / "node-sdk" / "v2"

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIDAL_CACHE_DIR", "relative")
    assert node_sdk.cache_dir() == tmp_path / "relative"


def test_the_sdk_is_installed_once_then_reused(npm, tmp_path):
    first = node_sdk.ensure("v2")
    second = node_sdk.ensure("v2")

    assert first == second == tmp_path / "cache" / "node-sdk" / "v2" / "node_modules"
    assert (first / "aws-sdk" / "package.json").is_file()
    assert len(npm_calls(npm)) == 1
    assert npm_calls(npm)[0].startswith("install ")
    assert npm_calls(npm)[0].endswith(" aws-sdk@2")
    assert sorted(path.name for path in (tmp_path / "cache" / "node-sdk").iterdir()) == [
        ".v2.lock",
        "v2",
    ]


def test_v3_installs_the_commonly_used_clients(npm):
    modules = node_sdk.ensure("v3")

    for client in (
        "client-dynamodb",
        "lib-dynamodb",
        "client-ses",
        "client-sesv2",
        "client-lambda",
    ):
        assert (modules / "@aws-sdk" / client / "package.json").is_file()
    assert (modules / "@aws-sdk" / "client-sqs").is_dir() and (
        modules / "@aws-sdk" / "client-s3"
    ).is_dir()


@pytest.mark.parametrize(("node", "before"), [(20, ["--before=2027-01-01"]), (22, []), (None, [])])
def test_v3_releases_match_the_node_that_runs_them(npm, monkeypatch, node, before):
    monkeypatch.setattr(node_sdk, "node_major", lambda: node)
    node_sdk.ensure("v2")
    node_sdk.ensure("v3")
    v2_call, v3_call = npm_calls(npm)
    assert "--before" not in v2_call
    assert [arg for arg in v3_call.split() if arg.startswith("--before")] == before


def test_node_major_reads_node_version(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "node").write_text("#!/bin/sh\necho v20.20.2\n")
    (folder / "node").chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    assert node_sdk.node_major() == 20
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert node_sdk.node_major() is None


def test_an_install_of_another_package_list_is_replaced(npm, tmp_path):
    node_sdk.ensure("v2")
    marker = tmp_path / "cache" / "node-sdk" / "v2" / node_sdk.MARKER
    marker.write_text(json.dumps({"packages": ["aws-sdk@1"]}))

    assert not node_sdk.installed("v2")
    node_sdk.ensure("v2")

    assert node_sdk.installed("v2")
    assert len(npm_calls(npm)) == 2


def test_concurrent_installs_in_one_process_wait_for_the_first(npm, tmp_path, monkeypatch):
    hold = tmp_path / "release"
    monkeypatch.setenv("FAKE_NPM_HOLD", str(hold))
    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(node_sdk.ensure("v2"))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()

    eventually(lambda: len(npm_calls(npm)) == 1)
    assert not (tmp_path / "cache" / "node-sdk" / "v2").exists()
    hold.touch()
    for thread in threads:
        thread.join(10)

    assert len(results) == 4 and len(set(results)) == 1
    assert len(npm_calls(npm)) == 1


def test_concurrent_servers_install_once(npm, tmp_path, monkeypatch):
    hold = tmp_path / "release"
    monkeypatch.setenv("FAKE_NPM_HOLD", str(hold))
    script = "from tidal.awslambda import node_sdk; print(node_sdk.ensure('v3'))"
    processes = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]

    eventually(lambda: len(npm_calls(npm)) == 1)
    hold.touch()
    outputs = {process.communicate(timeout=30)[0].strip() for process in processes}

    assert outputs == {str(tmp_path / "cache" / "node-sdk" / "v3" / "node_modules")}
    assert len(npm_calls(npm)) == 1


def test_a_failing_npm_leaves_no_partial_install_and_says_why(npm, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_NPM_FAIL", "1")

    with pytest.raises(node_sdk.SdkInstallError) as raised:
        node_sdk.ensure("v2")

    message = str(raised.value)
    assert message.startswith(
        "`npm install aws-sdk@2` failed (exit 1; is the npm registry reachable?)"
    )
    assert "npm error code ENOTFOUND" in message
    assert [path.name for path in (tmp_path / "cache" / "node-sdk").iterdir()] == [".v2.lock"]


def test_without_npm_the_error_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("TIDAL_CACHE_DIR", str(tmp_path / "cache"))

    with pytest.raises(
        node_sdk.SdkInstallError, match=r"npm is not on PATH\. Install Node\.js with npm"
    ):
        node_sdk.ensure("v3")
