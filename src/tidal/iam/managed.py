"""AWS managed policies (`arn:aws:iam::aws:policy/...`): the ones Lambda and DynamoDB apps
attach, with AWS's ids, dates and documents.

Any other AWS managed policy ARN is accepted too, as AWS has hundreds and users' scripts
attach many of them: it is served with a stable id derived from its name and a document
with no statements (Tidal does not know what it grants).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy"
_UNKNOWN_CREATED = "2015-02-06T18:39:46Z"


@dataclass(frozen=True)
class ManagedPolicy:
    name: str
    path: str
    policy_id: str
    created: str
    version: str
    description: str
    statements: tuple[dict[str, Any], ...]

    @property
    def arn(self) -> str:
        return f"{AWS_POLICY_PREFIX}{self.path}{self.name}"

    @property
    def document(self) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": list(self.statements)}, indent=4)


def _allow(actions: list[str] | str, resource: list[str] | str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


_LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
_STREAM_READS = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
]

CATALOGUE: tuple[ManagedPolicy, ...] = (
    ManagedPolicy(
        "AWSLambdaBasicExecutionRole",
        "/service-role/",
        "ANPAJNCQGXC42545SKXIK",
        "2015-04-09T15:03:43Z",
        "v1",
        "Provides write permissions to CloudWatch Logs.",
        (_allow(_LOGS),),
    ),
    ManagedPolicy(
        "AWSLambdaDynamoDBExecutionRole",
        "/service-role/",
        "ANPAIP7WNAGMIPYNW4WQG",
        "2015-04-09T15:09:29Z",
        "v1",
        "Provides list and read access to DynamoDB streams and write permissions to "
        "CloudWatch logs.",
        (_allow(_STREAM_READS + _LOGS),),
    ),
    ManagedPolicy(
        "AWSLambdaInvocation-DynamoDB",
        "/",
        "ANPAJTHQ3EKCQALQDYG5G",
        "2015-02-06T18:40:47Z",
        "v1",
        "Provides read access to DynamoDB Streams.",
        (_allow(["lambda:InvokeFunction"]), _allow(_STREAM_READS)),
    ),
    ManagedPolicy(
        "AWSLambdaKinesisExecutionRole",
        "/service-role/",
        "ANPAJHOLKJPXV4GBRMJUQ",
        "2015-04-09T15:14:16Z",
        "v1",
        "Provides list and read access to Kinesis streams and write permissions to "
        "CloudWatch logs.",
        (
            _allow(
                [
                    "kinesis:DescribeStream",
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:ListStreams",
                    *_LOGS,
                ]
            ),
        ),
    ),
    ManagedPolicy(
        "AWSLambdaRole",
        "/service-role/",
        "ANPAJX4DPCRGTC4NFDUXI",
        "2015-02-06T18:41:28Z",
        "v1",
        "Default policy for AWS Lambda service role.",
        (_allow(["lambda:InvokeFunction"], ["*"]),),
    ),
    ManagedPolicy(
        "AWSLambdaExecute",
        "/",
        "ANPAJE5FX7FQZSU5XAKGO",
        "2015-02-06T18:40:46Z",
        "v1",
        "Provides Put, Get access to S3 and full access to CloudWatch Logs.",
        (
            _allow(["logs:*"], "arn:aws:logs:*:*:*"),
            _allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::*"),
        ),
    ),
    ManagedPolicy(
        "AmazonSESFullAccess",
        "/",
        "ANPAJ2P4NXCHAT7NDPNR4",
        "2015-02-06T18:41:02Z",
        "v1",
        "Provides full access to Amazon SES via the AWS Management Console.",
        (_allow(["ses:*"]),),
    ),
    ManagedPolicy(
        "CloudWatchLogsFullAccess",
        "/",
        "ANPAJ3ZGNWK2R5HW5BQFO",
        "2015-02-06T18:40:02Z",
        "v1",
        "Provides full access to CloudWatch Logs",
        (_allow(["logs:*"]),),
    ),
    ManagedPolicy(
        "AdministratorAccess",
        "/",
        "ANPAIWMBCKSKIEE64ZLYK",
        "2015-02-06T18:39:46Z",
        "v1",
        "Provides full access to AWS services and resources.",
        (_allow("*"),),
    ),
)

_BY_ARN = {policy.arn: policy for policy in CATALOGUE}


def is_aws_managed(arn: str) -> bool:
    return arn.startswith(AWS_POLICY_PREFIX + "/")


def aws_policy(arn: str) -> ManagedPolicy | None:
    """The AWS managed policy `arn` names, or None if it is not a well-formed one."""
    known = _BY_ARN.get(arn)
    if known is not None:
        return known
    if not is_aws_managed(arn):
        return None
    resource = arn[len(AWS_POLICY_PREFIX) :]
    path, _, name = resource.rpartition("/")
    if not name:
        return None
    digest = hashlib.sha256(name.encode()).digest()
    policy_id = "ANPA" + base64.b32encode(digest).decode()[:17]
    return ManagedPolicy(name, path + "/", policy_id, _UNKNOWN_CREATED, "v1", "", ())
