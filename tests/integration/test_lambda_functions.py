"""Lambda functions through boto3: create, get, list, update, delete, states, code packages."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import urllib.request
import uuid
import zipfile

import pytest

from tests.integration.lambda_control_support import (
    create,
    error_of,
    make_role,
    unique,
    zipped,
)
from tidal.awslambda import functions, states
from tidal.testing.plugin import client

LAST_MODIFIED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def lam(tidal_endpoint):
    return client("lambda", tidal_endpoint)


@pytest.fixture(scope="module")
def role(tidal_endpoint):
    return make_role(client("iam", tidal_endpoint))


@pytest.fixture
def held(tidal_server):
    """Transitions wait inside the test; calling the fixture settles them."""
    with states.held(tidal_server.runtime):
        yield lambda: states.settle_pending(tidal_server.runtime)
    states.settle_pending(tidal_server.runtime)


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"


def resolved(tidal_server, name: str, qualifier: str | None = None) -> functions.FunctionVersion:
    runtime = tidal_server.runtime
    with runtime.store.transaction(write=False) as txn:
        return functions.resolve(runtime, txn, ACCOUNT, "us-east-1", name, qualifier)


def download(url: str) -> bytes:
    with urllib.request.urlopen(url) as response:
        return response.read()


# CreateFunction ------------------------------------------------------------------------


def test_create_answers_201_with_the_whole_configuration_pending(lam, role):
    name = unique()
    package = zipped()
    created = create(lam, role, name, Code={"ZipFile": package})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    del created["ResponseMetadata"]
    assert LAST_MODIFIED.fullmatch(created.pop("LastModified"))
    assert UUID.fullmatch(created.pop("RevisionId"))
    version_arn = created.pop("RuntimeVersionConfig")["RuntimeVersionArn"]
    assert version_arn.startswith("arn:aws:lambda:us-east-1::runtime:")
    assert created == {
        "FunctionName": name,
        "FunctionArn": arn(name),
        "Runtime": "python3.12",
        "Role": role,
        "Handler": "handler.handler",
        "CodeSize": len(package),
        "CodeSha256": base64.b64encode(hashlib.sha256(package).digest()).decode(),
        "Description": "",
        "Timeout": 3,
        "MemorySize": 128,
        "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"},
        "State": "Pending",
        "StateReason": "The function is being created.",
        "StateReasonCode": "Creating",
        "PackageType": "Zip",
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }


def test_a_created_function_turns_active_with_a_new_revision(lam, role):
    created = create(lam, role)
    found = lam.get_function(FunctionName=created["FunctionName"])
    configuration = found["Configuration"]
    assert configuration["State"] == "Active"
    assert configuration["LastUpdateStatus"] == "Successful"
    assert "StateReason" not in configuration and "StateReasonCode" not in configuration
    assert configuration["RevisionId"] != created["RevisionId"]
    assert found["Code"]["RepositoryType"] == "S3"
    assert "Tags" not in found and "Concurrency" not in found


def test_the_waiters_succeed_at_once(lam, role):
    name = create(lam, role)["FunctionName"]
    lam.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 1}
    )
    lam.update_function_configuration(FunctionName=name, Timeout=10)
    lam.get_waiter("function_updated_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 1}
    )
    lam.get_waiter("function_active").wait(
        FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 1}
    )


def test_code_location_serves_the_uploaded_zip(lam, role):
    package = zipped({"handler.py": HANDLER_WITH_MARK})
    name = create(lam, role, Code={"ZipFile": package})["FunctionName"]
    location = lam.get_function(FunctionName=name)["Code"]["Location"]
    assert download(location) == package


HANDLER_WITH_MARK = "def handler(event, context):\n    return 'mark'\n"


def test_optional_settings_are_kept_and_shown(lam, role):
    created = create(
        lam,
        role,
        Description="orders",
        Timeout=900,
        MemorySize=10240,
        Environment={"Variables": {"TABLE": "orders"}},
        Architectures=["arm64"],
        EphemeralStorage={"Size": 1024},
        TracingConfig={"Mode": "Active"},
        LoggingConfig={"LogFormat": "JSON"},
        Tags={"team": "orders"},
    )
    assert created["Description"] == "orders"
    assert (created["Timeout"], created["MemorySize"]) == (900, 10240)
    assert created["Environment"] == {"Variables": {"TABLE": "orders"}}
    assert created["Architectures"] == ["arm64"]
    assert created["EphemeralStorage"] == {"Size": 1024}
    assert created["TracingConfig"] == {"Mode": "Active"}
    assert created["LoggingConfig"] == {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
        "LogGroup": f"/aws/lambda/{created['FunctionName']}",
    }
    assert lam.get_function(FunctionName=created["FunctionName"])["Tags"] == {"team": "orders"}


def test_an_empty_environment_is_shown_empty(lam, role):
    created = create(lam, role, Environment={})
    assert created["Environment"] == {"Variables": {}}


def test_a_duplicate_name_is_refused(lam, role):
    name = create(lam, role)["FunctionName"]
    assert error_of(create, lam=lam, role=role, name=name) == (
        "ResourceConflictException",
        f"Function already exist: {name}",
        409,
    )


def test_the_role_must_exist_in_iam(lam):
    missing = f"arn:aws:iam::{ACCOUNT}:role/{unique('nobody')}"
    assert error_of(create, lam=lam, role=missing) == (
        "InvalidParameterValueException",
        "The role defined for the function cannot be assumed by Lambda.",
        400,
    )


@pytest.mark.parametrize("runtime", ["java21", "ruby3.3", "dotnet8", "go1.x", "python2.7"])
def test_runtimes_tidal_does_not_run_are_refused(lam, role, runtime):
    code, message, status = error_of(create, lam=lam, role=role, Runtime=runtime)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith(f"The runtime parameter of {runtime} is not supported by Tidal")


@pytest.mark.parametrize("runtime", ["nodejs", "nodejs20.x", "python3.9", "provided.al2023"])
def test_python_node_and_custom_runtimes_are_accepted(lam, role, runtime):
    assert create(lam, role, Runtime=runtime)["Runtime"] == runtime


def test_a_handler_is_required_except_for_custom_runtimes(lam, role):
    params = {"FunctionName": unique(), "Role": role, "Code": {"ZipFile": zipped()}}
    assert error_of(lam.create_function, Runtime="python3.12", **params) == (
        "InvalidParameterValueException",
        "Runtime and Handler are mandatory parameters for functions created with deployment "
        "packages.",
        400,
    )
    created = lam.create_function(Runtime="provided.al2023", **params)
    assert "Handler" not in created


def test_container_images_are_refused(lam, role):
    code, message, status = error_of(
        create, lam=lam, role=role, PackageType="Image", Code={"ImageUri": "repo/image:latest"}
    )
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "PackageType Image" in message


def test_other_s3_buckets_do_not_exist(lam, role):
    assert error_of(
        create, lam=lam, role=role, Code={"S3Bucket": "my-bucket", "S3Key": "code.zip"}
    ) == (
        "InvalidParameterValueException",
        "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The "
        "specified bucket does not exist",
        400,
    )


def test_code_is_required(lam, role):
    assert error_of(create, lam=lam, role=role, Code={}) == (
        "InvalidParameterValueException",
        "Please provide a source for function code.",
        400,
    )


def test_a_package_that_is_no_zip_is_refused(lam, role):
    assert error_of(create, lam=lam, role=role, Code={"ZipFile": b"not a zip"}) == (
        "InvalidParameterValueException",
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
        400,
    )


@pytest.mark.parametrize(
    "entry", ["../evil.py", "/etc/evil.py", "lib/../../evil.py", "C:/evil.py", "..\\evil.py"]
)
def test_entries_outside_the_package_are_refused(lam, role, entry):
    package = zipped({"handler.py": "x = 1\n", entry: "evil = True\n"})
    assert error_of(create, lam=lam, role=role, Code={"ZipFile": package})[:2] == (
        "InvalidParameterValueException",
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
    )


@pytest.mark.parametrize("target", ["../../outside", "/etc/passwd", "lib/../../outside"])
def test_symbolic_links_out_of_the_package_are_refused(lam, role, target):
    package = zipped({"handler.py": "x = 1\n", "link": target}, modes={"link": 0o120777})
    assert error_of(create, lam=lam, role=role, Code={"ZipFile": package})[0] == (
        "InvalidParameterValueException"
    )


def test_the_package_keeps_executable_bits_and_inner_links(lam, role, tidal_server):
    package = zipped(
        {"bootstrap": "#!/bin/sh\necho hi\n", "lib/data.txt": "data", "data": "lib/data.txt"},
        modes={"bootstrap": 0o100755, "lib/data.txt": 0o100644, "data": 0o120777},
    )
    name = create(lam, role, Runtime="provided.al2023", Code={"ZipFile": package})["FunctionName"]
    code_dir = resolved(tidal_server, name).code_dir
    assert os.access(code_dir / "bootstrap", os.X_OK)
    assert not os.access(code_dir / "lib" / "data.txt", os.X_OK)
    assert (code_dir / "data").read_text() == "data"
    assert (code_dir / "data").is_symlink()


def test_the_same_package_is_unpacked_once(lam, role, tidal_server):
    package = zipped({"handler.py": f"# {uuid.uuid4()}\n"})
    first = create(lam, role, Code={"ZipFile": package})["FunctionName"]
    second = create(lam, role, Code={"ZipFile": package})["FunctionName"]
    assert resolved(tidal_server, first).code_dir == resolved(tidal_server, second).code_dir


def test_a_zipped_package_over_50_mb_is_refused(lam, role):
    assert error_of(create, lam=lam, role=role, Code={"ZipFile": bytes(52_428_801)}) == (
        "RequestEntityTooLargeException",
        "Zipped size must be smaller than 52428800 bytes",
        413,
    )


def test_a_package_that_unzips_to_over_250_mb_is_refused(lam, role):
    buffer = io.BytesIO()
    block = bytes(1 << 22)
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("big.bin", "w", force_zip64=True) as sink,
    ):
        for _ in range(62):
            sink.write(block)
        sink.write(bytes(262_144_001 - 62 * len(block)))
    assert error_of(create, lam=lam, role=role, Code={"ZipFile": buffer.getvalue()}) == (
        "InvalidParameterValueException",
        "Unzipped size must be smaller than 262144000 bytes",
        400,
    )


def test_environment_variables_over_4_kb_are_refused(lam, role):
    variables = {"SMALL": "ok", "LARGE": "x" * 4096}
    measured = '{"SMALL":"ok","LARGE":"' + "x" * 4096 + '"}'
    assert error_of(create, lam=lam, role=role, Environment={"Variables": variables}) == (
        "InvalidParameterValueException",
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided exceeded the 4KB limit. String measured: " + measured,
        400,
    )


def test_reserved_environment_variables_are_refused(lam, role):
    variables = {"AWS_REGION": "eu-west-1", "MINE": "1", "AWS_ACCESS_KEY_ID": "AKIA"}
    assert error_of(create, lam=lam, role=role, Environment={"Variables": variables}) == (
        "InvalidParameterValueException",
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided contains reserved keys that are currently not supported "
        "for modification. Reserved keys used in this request: AWS_REGION, AWS_ACCESS_KEY_ID",
        400,
    )


@pytest.mark.parametrize(
    ("member", "value", "path", "limit"),
    [
        ("Timeout", 901, "timeout", 900),
        ("MemorySize", 10241, "memorySize", 10240),
    ],
)
def test_timeout_and_memory_have_lambdas_limits(lam, role, member, value, path, limit):
    assert error_of(create, lam=lam, role=role, **{member: value}) == (
        "ValidationException",
        f"1 validation error detected: Value '{value}' at '{path}' failed to satisfy "
        f"constraint: Member must have value less than or equal to {limit}",
        400,
    )


def test_a_name_longer_than_64_characters_is_refused(lam, role):
    name = "n" * 65
    assert error_of(create, lam=lam, role=role, name=name) == (
        "InvalidParameterValueException",
        f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy "
        "constraint: Member must have length less than or equal to 64",
        400,
    )


def test_a_function_may_be_created_by_arn(lam, role):
    name = unique()
    created = create(lam, role, name=arn(name))
    assert (created["FunctionName"], created["FunctionArn"]) == (name, arn(name))
    partial = unique()
    assert create(lam, role, name=f"{ACCOUNT}:function:{partial}")["FunctionName"] == partial


# Hot reload ----------------------------------------------------------------------------


def test_a_hot_reload_function_runs_the_users_directory(lam, role, tidal_server, tmp_path):
    (tmp_path / "handler.py").write_text("def handler(event, context):\n    return 1\n")
    created = create(lam, role, Code={"S3Bucket": "hot-reload", "S3Key": str(tmp_path)})
    name = created["FunctionName"]
    assert created["CodeSize"] == 0
    assert len(base64.b64decode(created["CodeSha256"])) == 32
    assert resolved(tidal_server, name).code_dir == tmp_path
    assert resolved(tidal_server, name).hot_reload
    location = lam.get_function(FunctionName=name)["Code"]["Location"]
    with zipfile.ZipFile(io.BytesIO(download(location))) as archive:
        assert archive.read("handler.py").startswith(b"def handler")
    (tmp_path / "helper.py").write_text("VALUE = 2\n")
    updated = lam.update_function_code(
        FunctionName=name, S3Bucket="hot-reload", S3Key=str(tmp_path)
    )
    assert updated["CodeSha256"] != created["CodeSha256"]


def test_a_hot_reload_path_must_be_an_existing_absolute_directory(lam, role, tmp_path):
    relative = {"S3Bucket": "hot-reload", "S3Key": "src/handlers"}
    assert error_of(create, lam=lam, role=role, Code=relative) == (
        "InvalidParameterValueException",
        "When using hot reloading, the archive key has to be an absolute path! Your archive "
        "key: src/handlers",
        400,
    )
    missing = {"S3Bucket": "hot-reload", "S3Key": str(tmp_path / "missing")}
    code, message, _ = error_of(create, lam=lam, role=role, Code=missing)
    assert code == "InvalidParameterValueException"
    assert str(tmp_path / "missing") in message


# Names, ARNs and qualifiers ------------------------------------------------------------


def test_a_function_is_found_by_name_partial_arn_and_arn(lam, role):
    name = create(lam, role)["FunctionName"]
    for given in (name, f"{ACCOUNT}:function:{name}", arn(name)):
        assert lam.get_function_configuration(FunctionName=given)["FunctionArn"] == arn(name)
    latest = lam.get_function(FunctionName=f"{arn(name)}:$LATEST")["Configuration"]
    assert latest["FunctionArn"] == f"{arn(name)}:$LATEST"
    by_qualifier = lam.get_function(FunctionName=name, Qualifier="$LATEST")["Configuration"]
    assert by_qualifier["FunctionArn"] == f"{arn(name)}:$LATEST"


def test_a_qualifier_that_differs_from_the_arns_is_refused(lam, role):
    name = create(lam, role)["FunctionName"]
    assert error_of(lam.get_function, FunctionName=f"{name}:$LATEST", Qualifier="1") == (
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
        400,
    )


def test_functions_of_other_regions_are_not_reachable(lam):
    other = "arn:aws:lambda:eu-west-1:000000000000:function:somewhere"
    assert error_of(lam.get_function, FunctionName=other) == (
        "ResourceNotFoundException",
        "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
        404,
    )


def test_missing_functions_and_versions_are_named_in_the_error(lam, role):
    missing = unique("missing")
    assert error_of(lam.get_function, FunctionName=missing) == (
        "ResourceNotFoundException",
        f"Function not found: {arn(missing)}",
        404,
    )
    assert error_of(lam.get_function_configuration, FunctionName=missing, Qualifier="$LATEST")[
        1
    ] == (f"Function not found: {arn(missing)}:$LATEST")
    name = create(lam, role)["FunctionName"]
    assert error_of(lam.get_function, FunctionName=name, Qualifier="1221")[1] == (
        f"Function not found: {arn(name)}:1221"
    )
    assert error_of(lam.get_function, FunctionName=name, Qualifier="nosuchalias")[1] == (
        f"Function not found: {arn(name)}:nosuchalias"
    )


# ListFunctions -------------------------------------------------------------------------


@pytest.fixture
def own_account(tidal_endpoint):
    """A Lambda client and a role in an account no other test uses."""
    account = str(uuid.uuid4().int % 10**12).zfill(12)
    keys = {"aws_access_key_id": account, "aws_secret_access_key": "secret"}
    iam = client("iam", tidal_endpoint, **keys)
    return client("lambda", tidal_endpoint, **keys), make_role(iam)


def test_list_functions_pages_in_name_order_without_states(own_account):
    lam, role = own_account
    names = sorted(unique(f"list{index}") for index in range(3))
    for name in names:
        create(lam, role, name, Environment={"Variables": {"KEY": "1"}})
    first = lam.list_functions(MaxItems=2)
    assert [item["FunctionName"] for item in first["Functions"]] == names[:2]
    second = lam.list_functions(Marker=first["NextMarker"])
    assert [item["FunctionName"] for item in second["Functions"]] == names[2:]
    assert "NextMarker" not in second
    item = second["Functions"][0]
    for hidden in ("State", "StateReason", "LastUpdateStatus", "RuntimeVersionConfig"):
        assert hidden not in item
    assert item["FunctionArn"].endswith(f":function:{names[2]}")
    assert item["Environment"] == {"Variables": {"KEY": "1"}}
    pages = lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 1})
    assert [item["FunctionName"] for page in pages for item in page["Functions"]] == names


def test_list_functions_with_all_versions(own_account):
    lam, role = own_account
    name = create(lam, role)["FunctionName"]
    lam.publish_version(FunctionName=name)
    listed = lam.list_functions(FunctionVersion="ALL")["Functions"]
    assert [item["FunctionArn"].rpartition(":")[2] for item in listed] == ["$LATEST", "1"]
    assert [item["Version"] for item in listed] == ["$LATEST", "1"]


# Updates -------------------------------------------------------------------------------


def test_update_code_is_in_progress_then_successful(lam, role):
    created = create(lam, role)
    name = created["FunctionName"]
    package = zipped({"handler.py": HANDLER_WITH_MARK})
    updated = lam.update_function_code(FunctionName=name, ZipFile=package)
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert (updated["State"], updated["LastUpdateStatus"]) == ("Active", "InProgress")
    assert updated["LastUpdateStatusReason"] == "The function is being created."
    assert updated["LastUpdateStatusReasonCode"] == "Creating"
    assert updated["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
    assert updated["CodeSize"] == len(package)
    settled = lam.get_function_configuration(FunctionName=name)
    assert settled["LastUpdateStatus"] == "Successful"
    assert "LastUpdateStatusReason" not in settled
    assert settled["RevisionId"] not in (created["RevisionId"], updated["RevisionId"])
    assert download(lam.get_function(FunctionName=name)["Code"]["Location"]) == package


def test_update_code_checks_the_revision_id(lam, role):
    name = create(lam, role)["FunctionName"]
    assert error_of(
        lam.update_function_code, FunctionName=name, ZipFile=zipped(), RevisionId="wrong"
    ) == (
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the "
        "GetFunction/GetAlias API to retrieve the latest Revision Id",
        412,
    )
    revision = lam.get_function(FunctionName=name)["Configuration"]["RevisionId"]
    lam.update_function_code(FunctionName=name, ZipFile=zipped(), RevisionId=revision)


def test_update_code_dry_run_changes_nothing(lam, role):
    created = create(lam, role)
    name = created["FunctionName"]
    lam.update_function_code(
        FunctionName=name, ZipFile=zipped({"handler.py": HANDLER_WITH_MARK}), DryRun=True
    )
    assert (
        lam.get_function(FunctionName=name)["Configuration"]["CodeSha256"]
        == (created["CodeSha256"])
    )


def test_update_code_of_a_missing_function(lam):
    missing = unique("missing")
    assert error_of(lam.update_function_code, FunctionName=missing, ZipFile=zipped()) == (
        "ResourceNotFoundException",
        f"Function not found: {arn(missing)}",
        404,
    )


def test_update_code_refuses_an_image(lam, role):
    name = create(lam, role)["FunctionName"]
    assert error_of(lam.update_function_code, FunctionName=name, ImageUri="repo:latest") == (
        "InvalidParameterValueException",
        "Please don't provide ImageUri when updating a function with packageType Zip.",
        400,
    )


def test_update_configuration_changes_what_is_given(lam, role):
    name = create(lam, role, Environment={"Variables": {"OLD": "1"}}, Description="a")[
        "FunctionName"
    ]
    updated = lam.update_function_configuration(
        FunctionName=name,
        Timeout=30,
        MemorySize=256,
        Handler="main.handler",
        Runtime="nodejs20.x",
        Environment={"Variables": {"NEW": "2"}},
    )
    assert (updated["State"], updated["LastUpdateStatus"]) == ("Active", "InProgress")
    settled = lam.get_function_configuration(FunctionName=name)
    assert (settled["Timeout"], settled["MemorySize"]) == (30, 256)
    assert (settled["Handler"], settled["Runtime"]) == ("main.handler", "nodejs20.x")
    assert settled["Environment"] == {"Variables": {"NEW": "2"}}
    assert settled["Description"] == "a"
    assert settled["LastUpdateStatus"] == "Successful"


def test_update_configuration_checks_what_create_checks(lam, role):
    name = create(lam, role)["FunctionName"]
    assert error_of(lam.update_function_configuration, FunctionName=name, Runtime="java21")[0] == (
        "InvalidParameterValueException"
    )
    missing_role = f"arn:aws:iam::{ACCOUNT}:role/{unique('nobody')}"
    assert error_of(lam.update_function_configuration, FunctionName=name, Role=missing_role) == (
        "InvalidParameterValueException",
        "The role defined for the function cannot be assumed by Lambda.",
        400,
    )
    assert error_of(
        lam.update_function_configuration,
        FunctionName=name,
        Environment={"Variables": {"LAMBDA_TASK_ROOT": "x"}},
    )[1].endswith("Reserved keys used in this request: LAMBDA_TASK_ROOT")
    assert error_of(
        lam.update_function_configuration, FunctionName=name, RevisionId="wrong", Timeout=5
    )[0] == ("PreconditionFailedException")


def test_an_update_while_one_is_in_progress_is_refused(lam, role, held):
    created = create(lam, role)
    name = created["FunctionName"]
    assert error_of(lam.update_function_configuration, FunctionName=name, Timeout=5) == (
        "ResourceConflictException",
        "The operation cannot be performed at this time. The function is currently in the "
        "following state: Pending",
        409,
    )
    held()
    lam.update_function_configuration(FunctionName=name, Timeout=5)
    conflict = (
        "ResourceConflictException",
        "The operation cannot be performed at this time. An update is in progress for "
        f"resource: {arn(name)}",
        409,
    )
    assert error_of(lam.update_function_configuration, FunctionName=name, Timeout=6) == conflict
    assert error_of(lam.update_function_code, FunctionName=name, ZipFile=zipped()) == conflict
    assert lam.get_function(FunctionName=name)["Configuration"]["LastUpdateStatus"] == (
        "InProgress"
    )
    held()
    assert lam.update_function_configuration(FunctionName=name, Timeout=6)["Timeout"] == 6


# DeleteFunction ------------------------------------------------------------------------


def test_delete_answers_204_and_removes_everything(lam, role):
    name = create(lam, role)["FunctionName"]
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    lam.add_permission(
        FunctionName=name, StatementId="s", Action="lambda:InvokeFunction", Principal="*"
    )
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    deleted = lam.delete_function(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lam.get_function, FunctionName=name)[0] == "ResourceNotFoundException"
    create(lam, role, name)
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [version["Version"] for version in versions] == ["$LATEST"]
    assert lam.list_aliases(FunctionName=name)["Aliases"] == []
    assert error_of(lam.get_policy, FunctionName=name)[0] == "ResourceNotFoundException"
    assert (
        lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
        == []
    )
    assert lam.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions") is (
        None
    )


def test_delete_refuses_latest_and_missing_functions(lam, role):
    name = create(lam, role)["FunctionName"]
    assert error_of(lam.delete_function, FunctionName=name, Qualifier="$LATEST") == (
        "InvalidParameterValueException",
        "$LATEST version cannot be deleted without deleting the function.",
        400,
    )
    missing = unique("missing")
    for qualifier in ({}, {"Qualifier": "1"}):
        assert error_of(lam.delete_function, FunctionName=missing, **qualifier) == (
            "ResourceNotFoundException",
            f"Function not found: {arn(missing)}",
            404,
        )


def test_get_function_shows_reserved_concurrency(lam, role):
    name = create(lam, role)["FunctionName"]
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
    assert lam.get_function(FunctionName=name)["Concurrency"] == {"ReservedConcurrentExecutions": 2}
