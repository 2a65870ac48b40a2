"""UpdateTimeToLive and DescribeTimeToLive: shapes, state changes and every error path.

Sources: architect/dynalite test/{update,describe}TimeToLive.js (messages, shapes);
ack-api-quirks DDB-TABLE-143..146, probed on AWS (different-attribute message, the cooldown
message and that AWS checks the setting first, DISABLED without AttributeName after a
disable); scylladb test/alternator/test_ttl.py (length errors, run against AWS).
"""

from __future__ import annotations

import pytest

from tests.integration.support import create_table, invalid, unchecked_client
from tests.integration.test_tables import error_of
from tidal.core import clock
from tidal.core.config import Config
from tidal.dynamodb.expiry_index import REGISTRY
from tidal.server.runner import Server
from tidal.testing.plugin import client

NOT_NULL = "failed to satisfy constraint: Member must not be null"


def spec(attribute: str, enabled: bool = True) -> dict:
    return {"AttributeName": attribute, "Enabled": enabled}


@pytest.fixture
def table(dynamodb, table_name):
    return create_table(dynamodb, table_name)


@pytest.fixture
def raw(tidal_endpoint):
    return unchecked_client(tidal_endpoint)


def described(dynamodb, table) -> dict:
    return dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]


def test_a_table_that_never_had_ttl_is_disabled_without_an_attribute(dynamodb, table):
    assert described(dynamodb, table) == {"TimeToLiveStatus": "DISABLED"}


def test_enable_then_disable(dynamodb, table):
    answer = dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification=spec("exp"))
    assert answer["TimeToLiveSpecification"] == {"AttributeName": "exp", "Enabled": True}
    assert described(dynamodb, table) == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    answer = dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification=spec("exp", enabled=False)
    )
    assert answer["TimeToLiveSpecification"] == {"AttributeName": "exp", "Enabled": False}
    assert described(dynamodb, table) == {"TimeToLiveStatus": "DISABLED"}


def test_enable_again_on_another_attribute_after_disabling(dynamodb, table):
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification=spec("a"))
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification=spec("a", False))
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification=spec("b"))
    assert described(dynamodb, table) == {"TimeToLiveStatus": "ENABLED", "AttributeName": "b"}


def test_the_key_attribute_may_be_the_ttl_attribute(dynamodb, table):
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification=spec("pk"))
    assert described(dynamodb, table)["AttributeName"] == "pk"


def test_table_arn_names_the_table(dynamodb, table):
    arn = dynamodb.describe_table(TableName=table)["Table"]["TableArn"]
    dynamodb.update_time_to_live(TableName=arn, TimeToLiveSpecification=spec("exp"))
    assert described(dynamodb, arn) == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}


def test_describe_table_does_not_show_ttl(dynamodb, table):
    before = dynamodb.describe_table(TableName=table)["Table"]
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification=spec("exp"))
    after = dynamodb.describe_table(TableName=table)["Table"]
    assert after == before


def test_missing_table(dynamodb):
    missing = ("ResourceNotFoundException", "Requested resource not found: Table: nope not found")
    assert error_of(
        dynamodb.update_time_to_live, TableName="nope", TimeToLiveSpecification=spec("exp")
    ) == (*missing, 400)
    assert error_of(dynamodb.describe_time_to_live, TableName="nope") == (*missing, 400)


def test_enabling_when_enabled(dynamodb, table):
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification=spec("exp"))
    update = dynamodb.update_time_to_live
    assert error_of(update, TableName=table, TimeToLiveSpecification=spec("exp")) == invalid(
        "TimeToLive is already enabled"
    )
    assert error_of(update, TableName=table, TimeToLiveSpecification=spec("other")) == invalid(
        "TimeToLive is active on a different AttributeName: current AttributeName is exp"
    )
    assert described(dynamodb, table) == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}


def test_disabling_when_disabled(dynamodb, table):
    update = dynamodb.update_time_to_live
    off = spec("exp", enabled=False)
    assert error_of(update, TableName=table, TimeToLiveSpecification=off) == invalid(
        "TimeToLive is already disabled"
    )
    update(TableName=table, TimeToLiveSpecification=spec("exp"))
    update(TableName=table, TimeToLiveSpecification=off)
    assert error_of(update, TableName=table, TimeToLiveSpecification=off) == invalid(
        "TimeToLive is already disabled"
    )
    assert described(dynamodb, table) == {"TimeToLiveStatus": "DISABLED"}


def test_disabling_names_the_enabled_attribute(dynamodb, table):
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification=spec("exp"))
    assert error_of(
        dynamodb.update_time_to_live, TableName=table, TimeToLiveSpecification=spec("dog", False)
    ) == invalid("TimeToLive is active on a different AttributeName: current AttributeName is exp")
    assert described(dynamodb, table) == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            spec(""),
            "1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' "
            "failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
        (
            spec("x" * 256),
            f"1 validation error detected: Value '{'x' * 256}' at "
            "'timeToLiveSpecification.attributeName' failed to satisfy constraint: "
            "Member must have length less than or equal to 255",
        ),
        (
            {},
            f"2 validation errors detected: Value null at 'timeToLiveSpecification.enabled' "
            f"{NOT_NULL}; Value null at 'timeToLiveSpecification.attributeName' {NOT_NULL}",
        ),
        (
            {"Enabled": True},
            f"1 validation error detected: Value null at "
            f"'timeToLiveSpecification.attributeName' {NOT_NULL}",
        ),
        (
            {"AttributeName": "exp"},
            f"1 validation error detected: Value null at 'timeToLiveSpecification.enabled' "
            f"{NOT_NULL}",
        ),
        (None, f"1 validation error detected: Value null at 'timeToLiveSpecification' {NOT_NULL}"),
    ],
)
def test_invalid_specification(dynamodb, raw, table, given, message):
    params = {"TableName": table}
    if given is not None:
        params["TimeToLiveSpecification"] = given
    assert error_of(raw.update_time_to_live, **params) == invalid(message)
    assert described(dynamodb, table) == {"TimeToLiveStatus": "DISABLED"}


def test_enabled_must_be_a_boolean(raw, table):
    assert error_of(
        raw.update_time_to_live,
        TableName=table,
        TimeToLiveSpecification={"AttributeName": "exp", "Enabled": "dog"},
    )[::2] == ("SerializationException", 400)


@pytest.mark.parametrize("operation", ["update_time_to_live", "describe_time_to_live"])
def test_invalid_table_name(raw, operation):
    params = {"TableName": "abc;"}
    if operation == "update_time_to_live":
        params["TimeToLiveSpecification"] = spec("exp")
    assert error_of(getattr(raw, operation), **params) == invalid(
        "1 validation error detected: Value 'abc;' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    )


def test_the_hourly_limit_when_configured(monkeypatch):
    """AWS refuses a second change within the hour; Tidal only with --ttl-cooldown."""
    with Server(Config(port=0, in_memory=True, ttl_cooldown=3600)) as server:
        dynamodb = client("dynamodb", server.endpoint)
        table = create_table(dynamodb, "limited")
        update = dynamodb.update_time_to_live
        update(TableName=table, TimeToLiveSpecification=spec("exp"))
        off = spec("exp", enabled=False)
        assert error_of(update, TableName=table, TimeToLiveSpecification=off) == invalid(
            "Time to live has been modified multiple times within a fixed interval"
        )
        # The setting is checked before the interval.
        assert error_of(update, TableName=table, TimeToLiveSpecification=spec("exp")) == invalid(
            "TimeToLive is already enabled"
        )
        later = clock.now() + 3601
        monkeypatch.setattr(clock, "now", lambda: later)
        update(TableName=table, TimeToLiveSpecification=off)
        assert error_of(update, TableName=table, TimeToLiveSpecification=spec("exp")) == invalid(
            "Time to live has been modified multiple times within a fixed interval"
        )
        assert described(dynamodb, table) == {"TimeToLiveStatus": "DISABLED"}
        assert not server.app.internal_errors


def test_no_limit_by_default(dynamodb, table):
    for enabled in (True, False, True, False):
        dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification=spec("e", enabled))
    assert described(dynamodb, table) == {"TimeToLiveStatus": "DISABLED"}


def test_deleting_a_table_forgets_its_expiry_index(dynamodb, table, tidal_server):
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification=spec("expires"))
    registered = [key for key, _ in _ttl_registry(tidal_server) if key.endswith(f":{table}")]
    assert len(registered) == 1
    dynamodb.delete_table(TableName=table)
    assert all(not key.endswith(f":{table}") for key, _ in _ttl_registry(tidal_server))


def _ttl_registry(server: Server) -> list:
    with server.runtime.store.transaction(write=False) as txn:
        return txn.list_docs(REGISTRY)
