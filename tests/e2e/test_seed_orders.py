"""The Vietnamese walkthrough's orders (seeds/000_*): the table made by its own script, orders
written as its post_orders handler writes them, and statusGSIndex queried for each status.

`status` is a reserved word, so a KeyConditionExpression names it through `#status`; the legacy
KeyConditions need no placeholder, and both must find the same orders.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

from tidal.testing.plugin import client

SEEDS = Path(__file__).parent / "seeds"


def create_orders_as_the_seed_does(endpoint: str, tmp_path: Path) -> None:
    script = (SEEDS / "create_orders.py").read_text(encoding="utf-8")
    seed = tmp_path / "create_orders.py"
    seed.write_text(script.replace("http://localhost:8000", endpoint), encoding="utf-8")
    run = subprocess.run([sys.executable, str(seed)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr


def put_order(dynamodb, name: str, status: str, now: int) -> str:
    """An order as src/api/post_orders.py writes it (with the status given)."""
    order_id = str(uuid.uuid4())
    dynamodb.put_item(
        TableName="dev_orders",
        Item={
            "id": {"S": order_id},
            "name": {"S": name},
            "status": {"S": status},
            "created_at": {"N": str(now)},
            "updated_at": {"N": str(now)},
        },
    )
    return order_id


def test_orders_are_found_by_status(tidal_endpoint, tmp_path):
    create_orders_as_the_seed_does(tidal_endpoint, tmp_path)
    dynamodb = client("dynamodb", tidal_endpoint)
    pending = {put_order(dynamodb, f"order {n}", " ", 1584262789 + n) for n in range(3)}
    done = {put_order(dynamodb, "finished order", "done", 1584262800)}
    dynamodb.put_item(TableName="dev_orders", Item={"id": {"S": "no-status"}})

    def by_expression(status: str) -> dict:
        return dynamodb.query(
            TableName="dev_orders",
            IndexName="statusGSIndex",
            KeyConditionExpression="#status = :status",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":status": {"S": status}},
        )

    for status, expected in ((" ", pending), ("done", done)):
        got = by_expression(status)
        assert {item["id"]["S"] for item in got["Items"]} == expected
        assert all(item["status"] == {"S": status} for item in got["Items"])
        assert got["Count"] == len(expected)
        legacy = dynamodb.query(
            TableName="dev_orders",
            IndexName="statusGSIndex",
            KeyConditions={
                "status": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": status}]}
            },
        )
        assert legacy["Items"] == got["Items"]
    assert by_expression("shipped")["Items"] == []
    finished = by_expression("done")["Items"][0]
    assert finished["name"] == {"S": "finished order"}
    assert finished["created_at"] == {"N": "1584262800"}

    dynamodb.update_item(
        TableName="dev_orders",
        Key={"id": {"S": sorted(pending)[0]}},
        UpdateExpression="SET #status = :done",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":done": {"S": "done"}},
    )
    assert by_expression("done")["Count"] == 2
    assert by_expression(" ")["Count"] == 2
    scanned = dynamodb.scan(TableName="dev_orders", IndexName="statusGSIndex")
    assert scanned["Count"] == 4
