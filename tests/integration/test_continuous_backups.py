"""UpdateContinuousBackups and DescribeContinuousBackups through boto3 and the AWS CLI.

Sources: botocore's model (shapes, TableNotFoundException, RecoveryPeriodInDays 1..35);
the AWS API reference (continuous backups ENABLED on every table, PITR off until enabled,
LatestRestorableDateTime about five minutes before now, period default 35 days); the AWS CLI
reference's example (right after enabling, earliest == latest); "Table not found: <name>" as
AWS answered in hashicorp/terraform-provider-aws#26577 and nccgroup/ScoutSuite#1533.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.support import create_table, invalid, unchecked_client
from tests.integration.test_tables import error_of
from tidal.core import clock
from tidal.core.config import Config
from tidal.server.runner import Server
from tidal.testing.plugin import client

DAY = 86400
MOMENT = 1_700_000_000.75
ENABLED_AT = 1_700_000_000
OFF = {
    "ContinuousBackupsStatus": "ENABLED",
    "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"},
}
AWS = str(Path(sys.executable).parent / "aws")


def spec(enabled: bool = True, days: int | None = None) -> dict:
    given: dict = {"PointInTimeRecoveryEnabled": enabled}
    if days is not None:
        given["RecoveryPeriodInDays"] = days
    return given


def on(days: int, earliest: float, latest: float) -> dict:
    """A ContinuousBackupsDescription with PITR enabled, times as epoch seconds."""
    return {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {
            "PointInTimeRecoveryStatus": "ENABLED",
            "RecoveryPeriodInDays": days,
            "EarliestRestorableDateTime": earliest,
            "LatestRestorableDateTime": latest,
        },
    }


def epochs(description: dict) -> dict:
    """`description` with boto3's datetimes turned back into epoch seconds."""
    recovery = dict(description["PointInTimeRecoveryDescription"])
    for key in ("EarliestRestorableDateTime", "LatestRestorableDateTime"):
        if key in recovery:
            recovery[key] = recovery[key].timestamp()
    return {**description, "PointInTimeRecoveryDescription": recovery}


def described(dynamodb, table: str) -> dict:
    return epochs(
        dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    )


def update(dynamodb, table: str, given: dict) -> dict:
    answer = dynamodb.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification=given
    )
    return epochs(answer["ContinuousBackupsDescription"])


@pytest.fixture
def table(dynamodb, table_name):
    return create_table(dynamodb, table_name)


@pytest.fixture
def raw(tidal_endpoint):
    return unchecked_client(tidal_endpoint)


@pytest.fixture
def move_clock(monkeypatch) -> Callable[[float], None]:
    """`move_clock(t)`: the server's clock reads `t` from now on (it starts at MOMENT)."""
    moment = [MOMENT]
    monkeypatch.setattr(clock, "now", lambda: moment[0])
    return lambda seconds: moment.__setitem__(0, seconds)


def test_a_new_table_has_continuous_backups_but_no_point_in_time_recovery(dynamodb, table):
    assert described(dynamodb, table) == OFF


def test_enabling_starts_the_window_now(dynamodb, table, move_clock):
    assert update(dynamodb, table, spec()) == on(35, ENABLED_AT, ENABLED_AT)
    assert described(dynamodb, table) == on(35, ENABLED_AT, ENABLED_AT)


def test_the_latest_restorable_time_trails_now_by_five_minutes(dynamodb, table, move_clock):
    update(dynamodb, table, spec())
    move_clock(MOMENT + 120)
    assert described(dynamodb, table) == on(35, ENABLED_AT, ENABLED_AT)
    move_clock(MOMENT + 3600)
    assert described(dynamodb, table) == on(35, ENABLED_AT, ENABLED_AT + 3300)


def test_the_window_is_at_most_the_recovery_period(dynamodb, table, move_clock):
    assert update(dynamodb, table, spec(days=7)) == on(7, ENABLED_AT, ENABLED_AT)
    move_clock(MOMENT + 10 * DAY)
    now = ENABLED_AT + 10 * DAY
    assert described(dynamodb, table) == on(7, now - 7 * DAY, now - 300)


def test_enabling_again_changes_the_period_and_keeps_the_start(dynamodb, table, move_clock):
    update(dynamodb, table, spec(days=1))
    move_clock(MOMENT + 3600)
    later = ENABLED_AT + 3600
    assert update(dynamodb, table, spec(days=20)) == on(20, ENABLED_AT, later - 300)
    assert update(dynamodb, table, spec()) == on(35, ENABLED_AT, later - 300)
    assert described(dynamodb, table) == on(35, ENABLED_AT, later - 300)


def test_disabling_clears_the_window_and_enabling_starts_a_new_one(dynamodb, table, move_clock):
    update(dynamodb, table, spec(days=3))
    assert update(dynamodb, table, spec(enabled=False)) == OFF
    assert described(dynamodb, table) == OFF
    assert update(dynamodb, table, spec(enabled=False)) == OFF
    move_clock(MOMENT + 3600)
    assert update(dynamodb, table, spec()) == on(35, ENABLED_AT + 3600, ENABLED_AT + 3600)


def test_a_table_arn_names_the_table(dynamodb, table):
    arn = dynamodb.describe_table(TableName=table)["Table"]["TableArn"]
    assert (
        update(dynamodb, arn, spec(days=5))["PointInTimeRecoveryDescription"][
            "RecoveryPeriodInDays"
        ]
        == 5
    )
    assert described(dynamodb, arn) == described(dynamodb, table)
    assert described(dynamodb, table)["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 5


def test_describe_table_does_not_show_the_setting(dynamodb, table):
    before = dynamodb.describe_table(TableName=table)["Table"]
    update(dynamodb, table, spec(days=9))
    assert dynamodb.describe_table(TableName=table)["Table"] == before


def test_the_setting_is_kept_through_other_table_changes(dynamodb, table):
    update(dynamodb, table, spec(days=9))
    dynamodb.update_table(TableName=table, DeletionProtectionEnabled=False)
    dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"AttributeName": "exp", "Enabled": True}
    )
    assert described(dynamodb, table)["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 9


def test_a_missing_table(dynamodb, table_name):
    missing = ("TableNotFoundException", f"Table not found: {table_name}", 400)
    assert error_of(dynamodb.describe_continuous_backups, TableName=table_name) == missing
    assert (
        error_of(
            dynamodb.update_continuous_backups,
            TableName=table_name,
            PointInTimeRecoverySpecification=spec(),
        )
        == missing
    )
    arn = f"arn:aws:dynamodb:us-east-1:000000000000:table/{table_name}"
    assert error_of(dynamodb.describe_continuous_backups, TableName=arn) == missing


def test_a_deleted_table_is_not_found_and_a_new_one_starts_disabled(dynamodb, table):
    update(dynamodb, table, spec())
    dynamodb.delete_table(TableName=table)
    assert error_of(dynamodb.describe_continuous_backups, TableName=table) == (
        "TableNotFoundException",
        f"Table not found: {table}",
        400,
    )
    create_table(dynamodb, table)
    assert described(dynamodb, table) == OFF


def test_the_setting_belongs_to_the_account_and_region(dynamodb, tidal_endpoint, table):
    update(dynamodb, table, spec(days=2))
    elsewhere = client("dynamodb", tidal_endpoint, region="eu-west-1")
    assert error_of(elsewhere.describe_continuous_backups, TableName=table)[0] == (
        "TableNotFoundException"
    )
    create_table(elsewhere, table)
    assert described(elsewhere, table) == OFF
    stranger = client(
        "dynamodb", tidal_endpoint, aws_access_key_id="111122223333", aws_secret_access_key="x"
    )
    create_table(stranger, table)
    assert described(stranger, table) == OFF
    assert described(dynamodb, table)["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 2


def test_a_table_arn_must_name_the_callers_region_and_account(dynamodb, table):
    arn = dynamodb.describe_table(TableName=table)["Table"]["TableArn"]
    other_region = arn.replace(":us-east-1:", ":eu-west-1:")
    assert error_of(dynamodb.describe_continuous_backups, TableName=other_region) == invalid(
        f"1 validation error detected: Invalid AWS region in '{other_region}'"
    )
    other_account = arn.replace(":000000000000:", ":111122223333:")
    assert error_of(
        dynamodb.update_continuous_backups,
        TableName=other_account,
        PointInTimeRecoverySpecification=spec(),
    ) == ("AccessDeniedException", "Access is denied", 400)
    assert described(dynamodb, table) == OFF


@pytest.mark.parametrize(
    ("days", "bound"), [(0, "greater than or equal to 1"), (36, "less than or equal to 35")]
)
def test_the_recovery_period_is_one_to_thirty_five_days(raw, dynamodb, table, days, bound):
    assert error_of(
        raw.update_continuous_backups,
        TableName=table,
        PointInTimeRecoverySpecification=spec(days=days),
    ) == invalid(
        f"1 validation error detected: Value '{days}' at "
        "'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: "
        f"Member must have value {bound}"
    )
    assert described(dynamodb, table) == OFF


def test_no_recovery_period_when_disabling(dynamodb, table):
    update(dynamodb, table, spec())
    assert error_of(
        dynamodb.update_continuous_backups,
        TableName=table,
        PointInTimeRecoverySpecification=spec(enabled=False, days=10),
    ) == invalid(
        "RecoveryPeriodInDays can only be specified when PointInTimeRecoveryEnabled is true"
    )
    assert (
        described(dynamodb, table)["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 35
    )


@pytest.mark.parametrize(
    ("given", "at"),
    [
        (None, "pointInTimeRecoverySpecification"),
        ({}, "pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled"),
    ],
)
def test_the_specification_is_required(raw, table, given, at):
    params: dict = {"TableName": table}
    if given is not None:
        params["PointInTimeRecoverySpecification"] = given
    assert error_of(raw.update_continuous_backups, **params) == invalid(
        f"1 validation error detected: Value null at '{at}' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_an_invalid_table_name(raw):
    assert error_of(raw.describe_continuous_backups, TableName="abc;") == invalid(
        "1 validation error detected: Value 'abc;' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    )


def test_the_setting_survives_a_restart(tmp_path, move_clock):
    with Server(Config(port=0, data_dir=tmp_path)) as first:
        dynamodb = client("dynamodb", first.endpoint)
        create_table(dynamodb, "kept")
        update(dynamodb, "kept", spec(days=12))
        assert not first.app.internal_errors
    move_clock(MOMENT + DAY)
    with Server(Config(port=0, data_dir=tmp_path)) as second:
        dynamodb = client("dynamodb", second.endpoint)
        assert described(dynamodb, "kept") == on(12, ENABLED_AT, ENABLED_AT + DAY - 300)
        assert not second.app.internal_errors


def aws_cli(endpoint: str, *arguments: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    return subprocess.run(
        [AWS, "dynamodb", *arguments, "--endpoint-url", endpoint],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
    )


def test_the_aws_cli(tidal_endpoint, dynamodb, table, move_clock):
    run = aws_cli(tidal_endpoint, "describe-continuous-backups", "--table-name", table)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"ContinuousBackupsDescription": OFF}
    run = aws_cli(
        tidal_endpoint,
        "update-continuous-backups",
        "--table-name",
        table,
        "--point-in-time-recovery-specification",
        "PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays=14",
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {
        "ContinuousBackupsDescription": on(14, ENABLED_AT, ENABLED_AT)
    }
    move_clock(MOMENT + 3600)
    run = aws_cli(tidal_endpoint, "describe-continuous-backups", "--table-name", table)
    assert json.loads(run.stdout) == {
        "ContinuousBackupsDescription": on(14, ENABLED_AT, ENABLED_AT + 3300)
    }


def test_the_aws_cli_reports_a_missing_table(tidal_endpoint, table_name):
    run = aws_cli(tidal_endpoint, "describe-continuous-backups", "--table-name", table_name)
    assert run.returncode != 0
    assert (
        "An error occurred (TableNotFoundException) when calling the DescribeContinuousBackups "
        f"operation: Table not found: {table_name}"
    ) in run.stderr
