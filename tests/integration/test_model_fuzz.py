"""Random requests shaped by botocore's models, to every operation of every service: whatever
they hold, the answer is never a 5xx.

Requests are built from each operation's input shape with botocore's own checks off, from a
fixed seed (so a failure repeats), with values chosen to reach past validation: names of
resources that exist, expressions, ARNs, nulls, empty and oversized strings, numbers at the
edges, unknown enum values. Each service gets a server of its own, so nothing here touches
what other tests see.
"""

from __future__ import annotations

import random
from typing import Any

import boto3
import botocore
import pytest
from botocore.config import Config as BotocoreConfig
from botocore.model import Shape

from tidal.core.config import Config
from tidal.server.runner import Server
from tidal.testing.plugin import CREDENTIALS

REQUESTS = 600
# Operations a random request cannot exercise usefully here: they run functions' code or
# stream without end; Invoke has tests of its own.
SKIPPED = {"Invoke", "InvokeAsync", "InvokeWithResponseStream", "StartLiveTail", "GetLogObject"}
EXPRESSIONS = [
    "pk = :v",
    "#pk = :v AND sk BETWEEN :v AND :w",
    "attribute_exists(a) OR size(m) > :v",
    "SET a = a + :v, m.x[0] = :w REMOVE b ADD s :v DELETE s :w",
    "SET #n = if_not_exists(#n, :v), l = list_append(l, :w)",
    "begins_with(sk, :v)",
    "a, m.x[0], #n",
    "NOT a IN (:v, :w)",
    "((a = :v))",
    "",
    "a.b[1].c",
]
TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
    '"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
)
STRINGS = ["", "a", "pk", "#n", ":v", "x" * 2000, "é☃", "*", "$LATEST", "1", '{"a":1}', "null"]
NUMBERS = ["0", "-1", "1e125", "1e126", "1.5", "abc", "", "9" * 39, "-0"]


class Requests:
    """Model-shaped parameters for the operations of one service."""

    def __init__(self, seed: int, names: dict[str, list[str]]) -> None:
        self.random = random.Random(seed)
        self.names = names  # member-name fragment -> values worth trying

    def build(self, shape: Shape, name: str = "", depth: int = 0) -> Any:
        pick = self.random.choice
        if self.random.random() < 0.03:
            return None
        if shape.name == "AttributeValue":
            return self.attribute_value(depth)
        kind = shape.type_name
        if kind == "structure":
            built = {}
            for member_name, member in shape.members.items():
                if member_name in shape.required_members or self.random.random() < 0.4:
                    value = self.build(member, member_name, depth + 1)
                    if value is not None:
                        built[member_name] = value
            return built
        if kind == "list":
            count = pick([0, 1, 1, 2, 3] if depth < 4 else [0, 1])
            return [self.build(shape.member, name, depth + 1) for _ in range(count)]
        if kind == "map":
            keys = ["pk", "sk", "a", "#n", ":v", ":w", ""]
            return {
                pick(keys): self.build(shape.value, name, depth + 1)
                for _ in range(self.random.randint(0, 3))
            }
        if kind == "string":
            if shape.enum:
                return pick([*shape.enum, "BOGUS"])
            lowered = name.lower()
            for fragment, values in self.names.items():
                if fragment in lowered:
                    return pick(values)
            if "expression" in lowered:
                return pick(EXPRESSIONS)
            return pick(STRINGS)
        if kind in ("integer", "long"):
            return pick([0, 1, -1, 5, 100, 1001, 2**31 - 1])
        if kind == "boolean":
            return pick([True, False])
        if kind in ("double", "float"):
            return pick([0.0, 1.5, -1.0])
        if kind == "blob":
            return pick([b"", b"x", b"PK\x03\x04junk"])
        if kind == "timestamp":
            return pick([0, 1e9, 4e9])
        return None

    def attribute_value(self, depth: int) -> dict[str, Any]:
        pick = self.random.choice
        kinds = ["S", "N", "B", "BOOL", "NULL", "SS", "NS", "L", "M", "junk"]
        kind = pick(kinds if depth < 3 else ["S", "N"])
        if kind == "S":
            return {"S": pick(["", "a", "x" * 100, "é☃"])}
        if kind == "N":
            return {"N": pick(NUMBERS)}
        if kind == "B":
            return {"B": pick([b"", b"x"])}
        if kind in ("BOOL", "NULL"):
            return {kind: pick([True, False])}
        if kind == "SS":
            return {"SS": pick([[], ["a"], ["a", "a"], [""]])}
        if kind == "NS":
            return {"NS": pick([[], ["1"], ["1", "1.0"], ["x"]])}
        if kind == "L":
            return {
                "L": [self.attribute_value(depth + 1) for _ in range(self.random.randint(0, 2))]
            }
        if kind == "M":
            return {"M": {pick(["a", "b", ""]): self.attribute_value(depth + 1)}}
        return pick([{}, {"S": "a", "N": "1"}, {"X": "1"}, {"S": 5}, {"L": "no"}])


def _client(service: str, endpoint: str):
    config = BotocoreConfig(parameter_validation=False, retries={"total_max_attempts": 1})
    return boto3.client(
        service, endpoint_url=endpoint, region_name="us-east-1", config=config, **CREDENTIALS
    )


def _dynamodb_resources(endpoint: str) -> dict[str, list[str]]:
    """Two tables with streams and a few items, so requests reach past "not found"."""
    dynamodb = _client("dynamodb", endpoint)
    keys = [("fuzz_hash", [("pk", "S")]), ("fuzz_range", [("pk", "S"), ("sk", "N")])]
    arns = []
    for table, schema in keys:
        described = dynamodb.create_table(
            TableName=table,
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in schema],
            KeySchema=[
                {"AttributeName": n, "KeyType": k}
                for (n, _), k in zip(schema, ("HASH", "RANGE"), strict=False)
            ],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )["TableDescription"]
        arns.append(described["LatestStreamArn"])
        for n in range(5):
            item = {"pk": {"S": f"k{n}"}, "sk": {"N": str(n)}, "m": {"M": {"x": {"L": []}}}}
            dynamodb.put_item(TableName=table, Item=item)
    return {
        "tablename": ["fuzz_hash", "fuzz_range", "missing", "", "a" * 300],
        "indexname": ["missing", ""],
        "streamarn": [*arns, "junk"],
        "arn": ["arn:aws:dynamodb:us-east-1:000000000000:table/fuzz_hash", "junk", ""],
        "iterator": ["junk", f"{arns[0]}|1|abc", ""],
        "sequence": ["1", "100000000000000000001", "abc", "9" * 40],
        "shardid": ["shardId-00000000000000000001-deadbeef", ""],
        "statement": [
            'SELECT * FROM "fuzz_range" WHERE pk = ?',
            "INSERT INTO fuzz_hash VALUE {'pk': ?}",
            "UPDATE fuzz_hash SET a = 1 WHERE pk = 'k1'",
            "DELETE FROM fuzz_hash WHERE pk = ?",
            "SELEC",
        ],
    }


def _named_resources(service: str, endpoint: str) -> dict[str, list[str]]:
    if service in ("dynamodb", "dynamodbstreams"):
        return _dynamodb_resources(endpoint)
    if service == "lambda":
        _client("iam", endpoint).create_role(RoleName="fuzz", AssumeRolePolicyDocument=TRUST)
    if service == "logs":
        logs = _client("logs", endpoint)
        logs.create_log_group(logGroupName="/fuzz")
        logs.create_log_stream(logGroupName="/fuzz", logStreamName="s")
    return {
        "arn": [
            "arn:aws:iam::000000000000:role/fuzz",
            "arn:aws:lambda:us-east-1:000000000000:function:fuzz",
            "arn:aws:logs:us-east-1:000000000000:log-group:/fuzz",
            "junk",
        ],
        "name": ["fuzz", "/fuzz", "s", "", "a" * 300, "x@example.com", "example.com"],
        "policy": [TRUST, "{}", "junk"],
        "document": [TRUST, "junk"],
    }


SERVICES = ["dynamodb", "dynamodbstreams", "lambda", "logs", "iam", "sts", "ses", "sesv2"]


@pytest.mark.parametrize("service", SERVICES)
def test_random_requests_never_get_a_server_error(service: str) -> None:
    with Server(Config(port=0, in_memory=True)) as server:
        endpoint = server.endpoint
        requests = Requests(seed=SERVICES.index(service), names=_named_resources(service, endpoint))
        aws = _client(service, endpoint)
        model = aws.meta.service_model
        operations = [name for name in model.operation_names if name not in SKIPPED]
        failures = []
        for _ in range(REQUESTS):
            operation = requests.random.choice(operations)
            shape = model.operation_model(operation).input_shape
            params = (requests.build(shape) if shape is not None else None) or {}
            try:
                getattr(aws, botocore.xform_name(operation))(**params)
            except botocore.exceptions.ClientError as error:
                if error.response["ResponseMetadata"]["HTTPStatusCode"] >= 500:
                    failures.append((operation, params))
            except (
                botocore.exceptions.BotoCoreError,
                AttributeError,
                KeyError,
                TypeError,
                ValueError,
            ):
                pass  # the client could not build or send it: nothing reached the server
        assert not server.app.internal_errors, server.app.internal_errors[0]
        assert not failures, failures[:3]
