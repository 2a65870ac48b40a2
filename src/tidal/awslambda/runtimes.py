"""Lambda runtimes: how a function's process is started, per runtime family.

- `python3.x`: Tidal's own interpreter runs `bootstraps/python/bootstrap.py`, a runtime
  interface client that behaves as AWS's (awslambdaric). boto3 is importable because Tidal's
  environment has it, as the managed runtime bundles it.
- `nodejs*`: the local `node` runs `bootstraps/node/bootstrap.js`, which behaves as AWS's
  Node.js runtime interface client; the AWS SDK for JavaScript the runtime implies (v2 up to
  nodejs16.x, v3 from nodejs18.x) comes from Tidal's npm-installed cache (`node_sdk`).
- `provided*`: the function's own `bootstrap` executable, else a layer's, as on AWS.

`prepare` makes a runtime ready once per server; `launch` says what to execute for one
execution environment.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import re
import shutil
import site
import subprocess
import sys
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tidal.awslambda import node_sdk
from tidal.awslambda.functions import FunctionVersion

log = logging.getLogger(__name__)

BOOTSTRAPS = Path(__file__).parent / "bootstraps"
PYTHON_BOOTSTRAP = BOOTSTRAPS / "python" / "bootstrap.py"
NODE_BOOTSTRAP = BOOTSTRAPS / "node" / "bootstrap.js"

PYTHON = frozenset(f"python3.{minor}" for minor in range(8, 15))
NODE_V2 = frozenset(
    {
        "nodejs",
        "nodejs4.3",
        "nodejs4.3-edge",
        "nodejs6.10",
        "nodejs8.10",
        "nodejs10.x",
        "nodejs12.x",
        "nodejs14.x",
        "nodejs16.x",
    }
)
NODE_V3 = frozenset({"nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x"})
NODE = NODE_V2 | NODE_V3
PROVIDED = frozenset({"provided", "provided.al2", "provided.al2023"})
SUPPORTED: frozenset[str] = PYTHON | NODE | PROVIDED

_NODE_MAJOR = re.compile(r"nodejs(\d+)")


class RuntimeUnavailable(Exception):
    """Tidal cannot run this runtime on this machine (no `node`, the SDK could not be
    installed …). The message tells the user what to do."""


@dataclass
class Launch:
    argv: list[str]
    env: dict[str, str]
    cwd: Path


def family(runtime: str) -> str:
    """`python`, `nodejs` or `provided`."""
    if runtime in PYTHON:
        return "python"
    if runtime in NODE:
        return "nodejs"
    if runtime in PROVIDED:
        return "provided"
    raise RuntimeUnavailable(f"Tidal does not run the {runtime} runtime")


def sdk_major(runtime: str) -> str:
    """The AWS SDK for JavaScript a Node.js runtime bundles: `v2` up to nodejs16.x, `v3` after."""
    return node_sdk.V2 if runtime in NODE_V2 else node_sdk.V3


def node_major(runtime: str) -> str:
    """`20` for nodejs20.x; `0` for the first `nodejs` runtime (Node.js 0.10)."""
    match = _NODE_MAJOR.match(runtime)
    return match.group(1) if match else "0"


# Preparation: once per server process, shared by concurrent callers.

_prepared: set[str] = set()
_warned: set[str] = set()
_preparing: dict[tuple[asyncio.AbstractEventLoop, str], asyncio.Task[None]] = {}
_lock = threading.Lock()


async def prepare(runtime_name: str) -> None:
    """Make `runtime_name` ready to launch: idempotent, and concurrent calls share one
    preparation. Raises RuntimeUnavailable when the runtime cannot run here."""
    kind = family(runtime_name)
    if kind == "provided":
        return
    if runtime_name in _prepared:
        return
    loop = asyncio.get_running_loop()
    with _lock:
        task = _preparing.get((loop, runtime_name))
        if task is None:
            task = loop.create_task(_prepare(runtime_name))
            _preparing[(loop, runtime_name)] = task
    try:
        await asyncio.shield(task)
    finally:
        if task.done():
            with _lock:
                _preparing.pop((loop, runtime_name), None)


async def _prepare(runtime_name: str) -> None:
    if family(runtime_name) == "python":
        _warn_python_version(runtime_name)
    else:
        await asyncio.to_thread(_prepare_node, runtime_name)
    _prepared.add(runtime_name)


def _warn_python_version(runtime_name: str) -> None:
    local = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if local != runtime_name and runtime_name not in _warned:
        _warned.add(runtime_name)
        log.warning(
            "%s functions run on this machine's Python %s (%s), the interpreter Tidal runs on",
            runtime_name,
            sys.version.split()[0],
            sys.executable,
        )


def _prepare_node(runtime_name: str) -> None:
    node = node_binary()
    major = sdk_major(runtime_name)
    try:
        node_sdk.ensure(major)
    except node_sdk.SdkInstallError as error:
        raise RuntimeUnavailable(
            f"{runtime_name} functions need the AWS SDK for JavaScript {major}, "
            f"which Tidal could not install: {error}"
        ) from error
    local = _node_version(node)
    if local.split(".")[0].lstrip("v") != node_major(runtime_name) and runtime_name not in _warned:
        _warned.add(runtime_name)
        log.warning("%s functions run on this machine's Node.js %s (%s)", runtime_name, local, node)


@cache
def _node_version(node: str) -> str:
    try:
        done = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RuntimeUnavailable(f"`{node} --version` failed: {error}") from error
    return done.stdout.strip()


def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        raise RuntimeUnavailable(
            "Node.js functions need the `node` command, which is not on PATH: install Node.js"
        )
    return node


# Launching one execution environment.


def launch(function: FunctionVersion, env: dict[str, str]) -> Launch:
    """The command, variables and working directory of one execution environment.

    `env` holds the variables AWS sets; this adds the runtime's own.
    """
    runtime = function.runtime
    kind = family(runtime)
    variables = dict(env)
    base_path = variables.get("PATH") or os.environ.get("PATH", os.defpath)
    layer_bins = [str(layer / "bin") for layer in reversed(function.layer_dirs)]
    if kind == "python":
        variables["AWS_EXECUTION_ENV"] = f"AWS_Lambda_{runtime}"
        variables["LAMBDA_RUNTIME_DIR"] = str(PYTHON_BOOTSTRAP.parent)
        variables["PYTHONPATH"] = os.pathsep.join(python_path(function))
        variables["PATH"] = _joined(str(Path(sys.executable).parent), base_path, *layer_bins)
        argv = [sys.executable, str(PYTHON_BOOTSTRAP)]
    elif kind == "nodejs":
        node = node_binary()
        variables["AWS_EXECUTION_ENV"] = f"AWS_Lambda_{runtime}"
        variables["LAMBDA_RUNTIME_DIR"] = str(NODE_BOOTSTRAP.parent)
        variables["NODE_PATH"] = os.pathsep.join(node_path(function))
        variables["PATH"] = _joined(str(Path(node).parent), base_path, *layer_bins)
        if sdk_major(runtime) == node_sdk.V3:
            variables.setdefault("AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED", "true")
        argv = [node, str(NODE_BOOTSTRAP)]
    else:
        variables.pop("AWS_EXECUTION_ENV", None)
        variables["LAMBDA_RUNTIME_DIR"] = str(BOOTSTRAPS)
        variables["PATH"] = _joined(base_path, *layer_bins)
        argv = [str(custom_bootstrap(function))]
    return Launch(argv=argv, env=variables, cwd=function.code_dir)


def python_path(function: FunctionVersion) -> list[str]:
    """As sys.path on AWS: the code, then each layer's `python/lib/pythonX.Y/site-packages`,
    then each layer's `python` (a later layer before an earlier one, as when they are merged
    into /opt), then what Tidal's interpreter needs to import boto3."""
    version = function.runtime.removeprefix("python")
    layers = list(reversed(function.layer_dirs))
    return [
        str(function.code_dir),
        *(str(layer / "python" / "lib" / f"python{version}" / "site-packages") for layer in layers),
        *(str(layer / "python") for layer in layers),
        *_boto3_paths(),
    ]


def node_path(function: FunctionVersion) -> list[str]:
    """As NODE_PATH on AWS: each layer's `nodejs/nodeNN/node_modules`, then each layer's
    `nodejs/node_modules`, then the runtime's SDK, then the code."""
    major = node_major(function.runtime)
    layers = list(reversed(function.layer_dirs))
    return [
        *(str(layer / "nodejs" / f"node{major}" / "node_modules") for layer in layers),
        *(str(layer / "nodejs" / "node_modules") for layer in layers),
        str(node_sdk.modules_dir(sdk_major(function.runtime))),
        str(function.code_dir),
    ]


def custom_bootstrap(function: FunctionVersion) -> Path:
    """The function's own `bootstrap`, else the one the last layer that has one brings (layers
    are merged into /opt in order). When there is none, the code's path, which fails to
    execute as AWS's Runtime.InvalidEntrypoint does."""
    candidates = [function.code_dir, *reversed(function.layer_dirs)]
    for folder in candidates:
        if (folder / "bootstrap").is_file():
            return folder / "bootstrap"
    return function.code_dir / "bootstrap"


@cache
def _boto3_paths() -> tuple[str, ...]:
    """The folders holding boto3 and botocore when Tidal's interpreter would not find them by
    itself (Tidal started with its own PYTHONPATH); usually none."""
    default = {os.path.realpath(path) for path in site.getsitepackages()}
    if site.ENABLE_USER_SITE and site.getusersitepackages():
        default.add(os.path.realpath(site.getusersitepackages()))
    folders: list[str] = []
    for name in ("boto3", "botocore"):
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        folder = os.path.dirname(os.path.realpath(next(iter(spec.submodule_search_locations))))
        if folder not in default and folder not in folders:
            folders.append(folder)
    return tuple(folders)


def _joined(*parts: str) -> str:
    seen: list[str] = []
    for part in parts:
        for entry in part.split(os.pathsep):
            if entry and entry not in seen:
                seen.append(entry)
    return os.pathsep.join(seen)
