"""TagResource, UntagResource and ListTagsOfResource on tables.

Sources: architect/dynalite test/{tagResource,listTagsOfResource}.js (checked against AWS:
malformed ARNs, "Atleast one Tag", not-found wording); the ack-api-quirks DynamoDB catalogue
(AWS, 2026-10: upsert, untag of an absent key is a no-op, the 50-tag limit checked on the merged
set as a ValidationException, duplicate keys, "aws:" keys, ARN shapes).
"""

from __future__ import annotations

import pytest

from tests.integration.support import create_table, gsi, invalid
from tests.integration.test_tables import error_of
from tidal.testing.plugin import client

INVALID = "One or more parameter values were invalid: "
TOO_MANY = "Number of Tags exceed the current limit for the provided ResourceArn"


@pytest.fixture
def arn(dynamodb, table_name):
    create_table(dynamodb, table_name)
    return dynamodb.describe_table(TableName=table_name)["Table"]["TableArn"]


def tags_of(dynamodb, arn) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in dynamodb.list_tags_of_resource(ResourceArn=arn)["Tags"]}


def tags(**pairs: str) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in pairs.items()]


def test_tag_upserts_and_untag_ignores_absent_keys(dynamodb, arn):
    assert dynamodb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []
    dynamodb.tag_resource(ResourceArn=arn, Tags=tags(env="dev", team="orders"))
    dynamodb.tag_resource(ResourceArn=arn, Tags=tags(env="prod", empty=""))
    assert tags_of(dynamodb, arn) == {"env": "prod", "team": "orders", "empty": ""}
    dynamodb.untag_resource(ResourceArn=arn, TagKeys=["team", "never-set"])
    assert tags_of(dynamodb, arn) == {"env": "prod", "empty": ""}


def test_empty_tag_lists(dynamodb, arn):
    assert error_of(dynamodb.tag_resource, ResourceArn=arn, Tags=[]) == invalid(
        "Atleast one Tag needs to be provided as Input."
    )
    assert error_of(dynamodb.untag_resource, ResourceArn=arn, TagKeys=[]) == invalid(
        "Atleast one Tag Key needs to be provided as Input."
    )
    missing = arn + "-gone"
    assert error_of(dynamodb.tag_resource, ResourceArn=missing, Tags=[]) == invalid(
        "Atleast one Tag needs to be provided as Input."
    )


def test_bad_tags_are_refused_whole(dynamodb, arn):
    dup = [{"Key": "dup", "Value": "1"}, {"Key": "ok", "Value": "2"}, {"Key": "dup", "Value": "3"}]
    assert error_of(dynamodb.tag_resource, ResourceArn=arn, Tags=dup) == invalid(
        "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup"
    )
    assert error_of(
        dynamodb.tag_resource, ResourceArn=arn, Tags=tags(good="1", **{"aws:zzz": "2"})
    ) == invalid("Tag Key cannot be prefixed with aws:, Key: aws:zzz")
    assert tags_of(dynamodb, arn) == {}


def test_fifty_tags_at_most_after_the_merge(dynamodb, arn):
    fifty = [{"Key": f"k{n:02}", "Value": "v"} for n in range(50)]
    dynamodb.tag_resource(ResourceArn=arn, Tags=fifty)
    dynamodb.tag_resource(ResourceArn=arn, Tags=tags(k00="new value"))
    assert error_of(dynamodb.tag_resource, ResourceArn=arn, Tags=tags(k50="v")) == invalid(TOO_MANY)
    assert error_of(
        dynamodb.untag_resource, ResourceArn=arn, TagKeys=[f"x{n}" for n in range(51)]
    ) == invalid(TOO_MANY)
    current = tags_of(dynamodb, arn)
    assert len(current) == 50 and current["k00"] == "new value"


def test_create_table_tags_obey_the_same_limit(dynamodb, table_name):
    many = [{"Key": f"k{n}", "Value": "v"} for n in range(51)]
    assert error_of(
        dynamodb.create_table,
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        Tags=many,
    ) == invalid(TOO_MANY)


def test_resource_arn_shapes(dynamodb, arn, table_name):
    table_arn_prefix = arn.rsplit("/", 1)[0]
    for resource_arn, expected in (
        ("not-an-arn", invalid(INVALID + "ARNs must start with 'arn:': not-an-arn")),
        (table_name, invalid(INVALID + f"ARNs must start with 'arn:': {table_name}")),
        (
            "arn:aws:dynamodb:us-east-1",
            invalid(
                "Invalid TableArn: Invalid ResourceArn provided as input arn:aws:dynamodb:us-east-1"
            ),
        ),
        (
            f"{table_arn_prefix}/ab",
            invalid(
                f"Invalid TableArn: Invalid ResourceArn provided as input {table_arn_prefix}/ab"
            ),
        ),
        (
            arn.replace("us-east-1", "eu-west-1"),
            invalid(
                "Invalid TableArn: Invalid ResourceArn provided as input "
                + arn.replace("us-east-1", "eu-west-1")
            ),
        ),
        (
            arn.replace(":dynamodb:", ":sqs:"),
            invalid(
                INVALID
                + "Provided Arn is not a DynamoDB resource arn: "
                + arn.replace(":dynamodb:", ":sqs:")
            ),
        ),
        (
            f"{arn}/index/by-x",
            invalid(
                INVALID + "Invalid resource arn provided, only table or stream is accepted. "
                f"Provided resource arn: {arn}/index/by-x"
            ),
        ),
        (
            f"{arn}-gone",
            (
                "ResourceNotFoundException",
                f"Requested resource not found: ResourcArn: {arn}-gone not found",
                400,
            ),
        ),
    ):
        assert error_of(dynamodb.list_tags_of_resource, ResourceArn=resource_arn) == expected
        assert (
            error_of(dynamodb.tag_resource, ResourceArn=resource_arn, Tags=tags(a="b")) == expected
        )
        assert (
            error_of(dynamodb.untag_resource, ResourceArn=resource_arn, TagKeys=["a"]) == expected
        )


def test_tags_belong_to_the_account_and_region(dynamodb, tidal_endpoint, table_name):
    create_table(
        dynamodb, table_name, indexed=(("g", "S"),), GlobalSecondaryIndexes=[gsi("by-g", "g")]
    )
    arn = dynamodb.describe_table(TableName=table_name)["Table"]["TableArn"]
    dynamodb.tag_resource(ResourceArn=arn, Tags=tags(owner="default"))
    elsewhere = client("dynamodb", tidal_endpoint, region="eu-west-1")
    create_table(elsewhere, table_name)
    other_arn = elsewhere.describe_table(TableName=table_name)["Table"]["TableArn"]
    assert other_arn == arn.replace("us-east-1", "eu-west-1")
    assert elsewhere.list_tags_of_resource(ResourceArn=other_arn)["Tags"] == []
    assert tags_of(dynamodb, arn) == {"owner": "default"}
