"""The Vietnamese walkthrough's table script and the AWS CLI, against a live Tidal server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SEEDS = Path(__file__).parent / "seeds"


def test_seed_creates_dev_orders_and_the_cli_describes_it(tidal_endpoint, tmp_path):
    script = (SEEDS / "create_orders.py").read_text(encoding="utf-8")
    assert 'endpoint_url="http://localhost:8000"' in script
    seed = tmp_path / "create_orders.py"
    seed.write_text(script.replace("http://localhost:8000", tidal_endpoint), encoding="utf-8")
    for _ in range(2):  # the script deletes the table first; the second run takes that path
        run = subprocess.run(
            [sys.executable, str(seed)], capture_output=True, text=True, timeout=60
        )
        assert run.returncode == 0, run.stderr
        assert "'TableName': 'dev_orders'" in run.stdout
    environment = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "awscli",
            "dynamodb",
            "describe-table",
            "--endpoint-url",
            tidal_endpoint,
            "--table-name",
            "dev_orders",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
    )
    assert cli.returncode == 0, cli.stderr
    table = json.loads(cli.stdout)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "statusGSIndex"
    assert table["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert table["LatestStreamArn"].startswith(
        "arn:aws:dynamodb:us-east-1:000000000000:table/dev_orders/stream/"
    )
