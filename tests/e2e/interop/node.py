"""Running the Node.js interop scripts of this folder: the local `node` with the AWS SDK for
JavaScript that Tidal installs for Node.js functions (`tidal.awslambda.node_sdk`), so the tests
download nothing Tidal does not already need. A test skips when node or npm is missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tidal.awslambda import node_sdk

SCRIPTS = Path(__file__).parent
TIMEOUT = 120


def run_script(script: str, sdk: str, endpoint: str, table: str, region: str) -> dict[str, Any]:
    """Run `script` once with SDK `sdk` (`node_sdk.V2` or `V3`) against `endpoint`; return
    its report: {"steps": {name: observations}, "calls": [one entry per HTTP call]}."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH")
    try:
        modules = node_sdk.ensure(sdk)
    except node_sdk.SdkInstallError as error:
        pytest.skip(f"the AWS SDK for JavaScript {sdk} is not installable here: {error}")
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    environment.update(
        NODE_PATH=str(modules),
        NODE_NO_WARNINGS="1",
        AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE="1",
        TIDAL_ENDPOINT=endpoint,
        TIDAL_TABLE=table,
        AWS_REGION=region,
    )
    done = subprocess.run(
        [node, str(SCRIPTS / script)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def observed(report: dict[str, Any], step: str) -> Any:
    """What the script saw in `step`; fails with the SDK's error if the step itself failed."""
    seen = report["steps"].get(step)
    assert seen is not None, f"the script never reached {step!r}"
    assert not (isinstance(seen, dict) and "unexpected" in seen), seen
    return seen
