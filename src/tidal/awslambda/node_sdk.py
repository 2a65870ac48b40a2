"""The AWS SDK for JavaScript that Node.js functions `require`, as the managed runtimes bundle it.

Runtimes up to nodejs16.x bundle v2 (`aws-sdk`), nodejs18.x and later v3 (`@aws-sdk/*`, the
clients in `PACKAGES`). Tidal installs each once with npm into its cache folder
(`$TIDAL_CACHE_DIR`, else `$XDG_CACHE_HOME/tidal`, else `~/.cache/tidal`), under
`node-sdk/v2` and `node-sdk/v3`; the Node.js bootstrap puts it on NODE_PATH.

Several servers or test workers may start at once: an exclusive file lock makes one of them
install while the others wait, and the install goes to a temporary folder that is renamed into
place only once complete, so no process ever sees a half-installed SDK.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

V2 = "v2"
V3 = "v3"
PACKAGES: dict[str, tuple[str, ...]] = {
    V2: ("aws-sdk@2",),
    V3: tuple(
        f"@aws-sdk/{name}@3"
        for name in (
            "client-dynamodb",
            "lib-dynamodb",
            "util-dynamodb",
            "client-dynamodb-streams",
            "client-lambda",
            "client-ses",
            "client-sesv2",
            "client-sqs",
            "client-sns",
            "client-s3",
            "client-cloudwatch-logs",
            "client-eventbridge",
            "client-sts",
            "client-iam",
            "client-ssm",
            "client-secrets-manager",
            "credential-providers",
        )
    ),
}
NAMES = {V2: "v2 (aws-sdk)", V3: "v3 (@aws-sdk/*)"}
V3_NODE_FLOOR = (22, "2027-01-01")
"""The SDK's own notice: v3 versions published after the first week of January 2027 require
Node.js >= 22; on an older Node.js, Tidal installs the v3 releases published before then."""
MARKER = "tidal-sdk.json"
INSTALL_TIMEOUT = 900.0


class SdkInstallError(Exception):
    """npm is missing or could not install the SDK; the message says why."""


def cache_dir() -> Path:
    configured = os.environ.get("TIDAL_CACHE_DIR")
    if configured:
        return Path(configured).expanduser().absolute()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser().absolute() / "tidal"


def sdk_dir(major: str) -> Path:
    return cache_dir() / "node-sdk" / major


def modules_dir(major: str) -> Path:
    """The `node_modules` folder of the installed SDK (where NODE_PATH points)."""
    return sdk_dir(major) / "node_modules"


def installed(major: str) -> bool:
    """Whether the cache holds a complete install of exactly the packages Tidal wants."""
    try:
        marker = json.loads((sdk_dir(major) / MARKER).read_text())
    except (OSError, ValueError):
        return False
    return marker.get("packages") == list(PACKAGES[major])


def ensure(major: str) -> Path:
    """Install SDK `major` (`v2` or `v3`) unless the cache has it; return its node_modules."""
    if installed(major):
        return modules_dir(major)
    target = sdk_dir(major)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target.parent / f".{major}.lock"):
        if not installed(major):
            _install(major, target)
    return modules_dir(major)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _install(major: str, target: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise SdkInstallError(
            "npm is not on PATH. Install Node.js with npm (Tidal installs the SDK with it once), "
            "or ship the SDK in the function's own node_modules"
        )
    log.warning(
        "Installing the AWS SDK for JavaScript %s with npm into %s for Node.js functions; "
        "this happens once and may take a minute",
        NAMES[major],
        target,
    )
    staging = target.parent / f".{major}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        _npm_install(npm, major, staging)
        (staging / MARKER).write_text(json.dumps({"packages": list(PACKAGES[major])}))
        _replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("The AWS SDK for JavaScript %s is installed in %s", NAMES[major], target)


def _npm_install(npm: str, major: str, folder: Path) -> None:
    (folder / "package.json").write_text(
        json.dumps({"name": f"tidal-node-sdk-{major}", "private": True})
    )
    command = [
        npm,
        "install",
        "--no-audit",
        "--no-fund",
        "--no-package-lock",
        "--omit=dev",
        "--ignore-scripts",
        "--loglevel=error",
        "--fetch-retries=1",
        "--fetch-retry-mintimeout=2000",
        "--fetch-retry-maxtimeout=10000",
        *_releases_for_this_node(major),
        *PACKAGES[major],
    ]
    environment = {**os.environ, "npm_config_update_notifier": "false"}
    try:
        done = subprocess.run(
            command,
            cwd=folder,
            env=environment,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
        )
    except subprocess.TimeoutExpired as error:
        raise SdkInstallError(
            f"npm install did not finish within {INSTALL_TIMEOUT:.0f} s"
        ) from error
    except OSError as error:
        raise SdkInstallError(f"npm could not be run: {error}") from error
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip().splitlines()[-8:]
        raise SdkInstallError(
            f"`npm install {' '.join(PACKAGES[major])}` failed (exit {done.returncode}; "
            "is the npm registry reachable?):\n" + "\n".join(output)
        )


def _releases_for_this_node(major: str) -> list[str]:
    """npm's `--before` for a v3 install on a Node.js older than the SDK's floor."""
    floor, published_before = V3_NODE_FLOOR
    if major != V3:
        return []
    node = node_major()
    return [f"--before={published_before}"] if node is not None and node < floor else []


def node_major() -> int | None:
    """The major version of the `node` on PATH, None without one."""
    node = shutil.which("node")
    if node is None:
        return None
    try:
        done = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    version = done.stdout.strip().removeprefix("v").split(".")[0]
    return int(version) if version.isdigit() else None


def _replace(staging: Path, target: Path) -> None:
    """Put the complete install in place with renames, so readers see the old or the new."""
    retired = None
    if target.exists():
        retired = target.parent / f".{target.name}-old-{uuid.uuid4().hex[:8]}"
        target.rename(retired)
    staging.rename(target)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
