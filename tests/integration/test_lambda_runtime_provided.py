"""Custom runtimes (provided*): the function's own `bootstrap`, else a layer's, speaks the
Runtime API itself; here a shell script with curl, as in AWS's custom runtime tutorial."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.lambda_runtime_support import Sandbox, write_code

BOOTSTRAP = r"""#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
HEADERS="$(mktemp)"
echo "initialised ${_HANDLER} from WHERE"
while true; do
  EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
  ID=$(grep -i '^lambda-runtime-aws-request-id:' "$HEADERS" | tr -d '\r' | cut -d' ' -f2)
  echo "handling $ID"
  ABOUT="\"exec_env\": \"${AWS_EXECUTION_ENV:-unset}\", \"root\": \"$LAMBDA_TASK_ROOT\""
  BODY="{\"event\": $EVENT, \"tool\": \"$(greet)\", $ABOUT}"
  curl -sS -X POST "$API/invocation/$ID/response" -d "$BODY" > /dev/null
done
"""


def executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture
def layer(tmp_path):
    folder = tmp_path / "layer"
    executable(folder / "bin" / "greet", "#!/bin/sh\necho hello from the layer\n")
    executable(folder / "bootstrap", BOOTSTRAP.replace("WHERE", "the layer"))
    return folder


@pytest.mark.parametrize("runtime", ["provided", "provided.al2", "provided.al2023"])
def test_the_functions_bootstrap_serves_invocations(tmp_path, layer, runtime):
    code = tmp_path / "code"
    executable(code / "bootstrap", BOOTSTRAP.replace("WHERE", "the code"))

    with Sandbox(code, runtime, "function.handler", layers=(layer,)) as box:
        first = box.api.send({"n": 1})
        second = box.api.send({"n": 2})
        answers = [box.api.result(first).json, box.api.result(second).json]
        output = box.wait_for_output(f"handling {second}\n")

    assert answers == [
        {"event": {"n": 1}, "tool": "hello from the layer", "exec_env": "unset", "root": str(code)},
        {"event": {"n": 2}, "tool": "hello from the layer", "exec_env": "unset", "root": str(code)},
    ]
    assert output == (
        f"initialised function.handler from the code\nhandling {first}\nhandling {second}\n"
    )


def test_a_layers_bootstrap_runs_when_the_code_has_none(tmp_path, layer):
    code = write_code(tmp_path / "code", {"function.sh": "handler () { :; }\n"})

    with Sandbox(code, "provided.al2023", "function.handler", layers=(layer,)) as box:
        result = box.api.invoke({"from": "layer"})
        output = box.wait_for_output("handling")

    assert result.json["event"] == {"from": "layer"}
    assert output.startswith("initialised function.handler from the layer\n")
