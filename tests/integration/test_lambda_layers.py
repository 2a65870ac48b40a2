"""Lambda layers through boto3: versions, listings, use by functions, layer permissions."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.request
import uuid

import pytest

from tests.integration.lambda_control_support import create, error_of, make_role, unique, zipped
from tidal.testing.plugin import client

CREATED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000")


@pytest.fixture
def account(tidal_endpoint):
    """A Lambda client and a role in an account no other test uses (layers list by account)."""
    number = str(uuid.uuid4().int % 10**12).zfill(12)
    keys = {"aws_access_key_id": number, "aws_secret_access_key": "secret"}
    lam = client("lambda", tidal_endpoint, **keys)
    return lam, make_role(client("iam", tidal_endpoint, **keys)), number


def layer_arn(number: str, name: str) -> str:
    return f"arn:aws:lambda:us-east-1:{number}:layer:{name}"


def test_publish_layer_version_answers_201_with_its_content(account):
    lam, _, number = account
    name = unique("layer")
    package = zipped({"python/util.py": "VALUE = 1\n"})
    published = lam.publish_layer_version(
        LayerName=name,
        Description="utilities",
        Content={"ZipFile": package},
        CompatibleRuntimes=["python3.12"],
        CompatibleArchitectures=["x86_64"],
        LicenseInfo="MIT",
    )
    assert published["ResponseMetadata"]["HTTPStatusCode"] == 201
    del published["ResponseMetadata"]
    assert CREATED.fullmatch(published.pop("CreatedDate"))
    location = published["Content"].pop("Location")
    assert published == {
        "Content": {
            "CodeSha256": base64.b64encode(hashlib.sha256(package).digest()).decode(),
            "CodeSize": len(package),
        },
        "LayerArn": layer_arn(number, name),
        "LayerVersionArn": f"{layer_arn(number, name)}:1",
        "Description": "utilities",
        "Version": 1,
        "CompatibleRuntimes": ["python3.12"],
        "CompatibleArchitectures": ["x86_64"],
        "LicenseInfo": "MIT",
    }
    with urllib.request.urlopen(location) as response:
        assert response.read() == package


def test_layer_versions_count_up_even_after_deletes(account):
    lam = account[0]
    name = unique("layer")
    for _ in range(2):
        lam.publish_layer_version(LayerName=name, Content={"ZipFile": zipped()})
    deleted = lam.delete_layer_version(LayerName=name, VersionNumber=1)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    lam.delete_layer_version(LayerName=name, VersionNumber=2)
    assert lam.list_layer_versions(LayerName=name)["LayerVersions"] == []
    third = lam.publish_layer_version(LayerName=name, Content={"ZipFile": zipped()})
    assert third["Version"] == 3
    lam.delete_layer_version(LayerName=name, VersionNumber=7)


def test_get_layer_version_by_name_arn_and_version_arn(account):
    lam, _, number = account
    name = unique("layer")
    published = lam.publish_layer_version(LayerName=name, Content={"ZipFile": zipped()})
    by_name = lam.get_layer_version(LayerName=name, VersionNumber=1)
    by_arn = lam.get_layer_version(LayerName=layer_arn(number, name), VersionNumber=1)
    by_version_arn = lam.get_layer_version_by_arn(Arn=published["LayerVersionArn"])
    for found in (by_name, by_arn, by_version_arn):
        assert found["LayerVersionArn"] == published["LayerVersionArn"]
        assert found["Content"]["CodeSha256"] == published["Content"]["CodeSha256"]
        assert "CompatibleRuntimes" not in found


def test_missing_layer_versions(account):
    lam, _, number = account
    name = unique("layer")
    lam.publish_layer_version(LayerName=name, Content={"ZipFile": zipped()})
    not_found = ("ResourceNotFoundException", "The resource you requested does not exist.", 404)
    assert error_of(lam.get_layer_version, LayerName=name, VersionNumber=2) == not_found
    assert error_of(lam.get_layer_version, LayerName=unique("none"), VersionNumber=1) == not_found
    assert error_of(lam.get_layer_version_by_arn, Arn=f"{layer_arn(number, name)}:5") == not_found
    for call in (lam.get_layer_version, lam.delete_layer_version):
        assert error_of(call, LayerName=name, VersionNumber=0) == (
            "InvalidParameterValueException",
            "Layer Version Cannot be less than 1",
            400,
        )


def test_list_layers_and_versions_with_filters(account):
    lam, _, number = account
    python, node = unique("py"), unique("node")
    lam.publish_layer_version(
        LayerName=python, Content={"ZipFile": zipped()}, CompatibleRuntimes=["python3.12"]
    )
    lam.publish_layer_version(
        LayerName=python,
        Content={"ZipFile": zipped()},
        CompatibleRuntimes=["python3.11"],
        CompatibleArchitectures=["arm64"],
    )
    lam.publish_layer_version(
        LayerName=node, Content={"ZipFile": zipped()}, CompatibleRuntimes=["nodejs20.x"]
    )
    layers = lam.list_layers()["Layers"]
    assert [
        (layer["LayerName"], layer["LatestMatchingVersion"]["Version"]) for layer in layers
    ] == (sorted([(python, 2), (node, 1)]))
    assert layers[0]["LayerArn"] == layer_arn(number, layers[0]["LayerName"])
    matching = lam.list_layers(CompatibleRuntime="python3.12")["Layers"]
    assert [
        (layer["LayerName"], layer["LatestMatchingVersion"]["Version"]) for layer in matching
    ] == [(python, 1)]
    assert lam.list_layers(CompatibleArchitecture="arm64")["Layers"][0]["LayerName"] == python
    versions = lam.list_layer_versions(LayerName=python)["LayerVersions"]
    assert [version["Version"] for version in versions] == [2, 1]
    assert "Content" not in versions[0] and "LayerArn" not in versions[0]
    page = lam.list_layer_versions(LayerName=python, MaxItems=1)
    rest = lam.list_layer_versions(LayerName=python, Marker=page["NextMarker"])
    assert [version["Version"] for version in rest["LayerVersions"]] == [1]
    assert lam.list_layer_versions(LayerName=unique("none"))["LayerVersions"] == []


def test_functions_use_layers_by_version_arn(account):
    lam, role, number = account
    name = unique("layer")
    package = zipped({"python/util.py": "VALUE = 1\n"})
    first = lam.publish_layer_version(LayerName=name, Content={"ZipFile": package})
    second = lam.publish_layer_version(LayerName=name, Content={"ZipFile": package})
    created = create(lam, role, Layers=[first["LayerVersionArn"]])
    assert created["Layers"] == [{"Arn": first["LayerVersionArn"], "CodeSize": len(package)}]
    function = created["FunctionName"]
    lam.delete_layer_version(LayerName=name, VersionNumber=1)
    kept = lam.get_function_configuration(FunctionName=function)["Layers"]
    assert kept == [{"Arn": first["LayerVersionArn"], "CodeSize": len(package)}]
    updated = lam.update_function_configuration(FunctionName=function, Layers=[])
    assert "Layers" not in updated
    assert error_of(
        create,
        lam=lam,
        role=role,
        Layers=[second["LayerVersionArn"], f"{layer_arn(number, name)}:3"],
    ) == (
        "InvalidParameterValueException",
        f"Layer version {layer_arn(number, name)}:3 does not exist.",
        400,
    )


def test_layer_references_aws_refuses(account):
    lam, role, number = account
    name = unique("layer")
    one = lam.publish_layer_version(LayerName=name, Content={"ZipFile": zipped()})
    two = lam.publish_layer_version(LayerName=name, Content={"ZipFile": zipped()})
    assert error_of(
        create, lam=lam, role=role, Layers=[one["LayerVersionArn"], two["LayerVersionArn"]]
    ) == (
        "InvalidParameterValueException",
        "Two different versions of the same layer are not allowed to be referenced in the same "
        f"function. {one['LayerVersionArn']} and {two['LayerVersionArn']} are versions of the "
        "same layer.",
        400,
    )
    assert error_of(create, lam=lam, role=role, Layers=[one["LayerVersionArn"]] * 6) == (
        "InvalidParameterValueException",
        "Cannot reference more than 5 layers.",
        400,
    )
    elsewhere = f"arn:aws:lambda:eu-west-1:{number}:layer:{name}:1"
    assert error_of(create, lam=lam, role=role, Layers=[elsewhere]) == (
        "InvalidParameterValueException",
        "Layers are not in the same region as the function. Layers are expected to be in "
        "region us-east-1.",
        400,
    )


def test_layer_version_permissions(account):
    lam, _, number = account
    name = unique("layer")
    lam.publish_layer_version(LayerName=name, Content={"ZipFile": zipped()})
    assert error_of(lam.get_layer_version_policy, LayerName=name, VersionNumber=1) == (
        "ResourceNotFoundException",
        "No policy is associated with the given resource.",
        404,
    )
    added = lam.add_layer_version_permission(
        LayerName=name,
        VersionNumber=1,
        StatementId="everyone",
        Action="lambda:GetLayerVersion",
        Principal="*",
    )
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert json.loads(added["Statement"]) == {
        "Sid": "everyone",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:GetLayerVersion",
        "Resource": f"{layer_arn(number, name)}:1",
    }
    assert error_of(
        lam.add_layer_version_permission,
        LayerName=name,
        VersionNumber=1,
        StatementId="everyone",
        Action="lambda:GetLayerVersion",
        Principal="*",
    ) == (
        "ResourceConflictException",
        "The statement id (everyone) provided already exists. Please provide a new statement "
        "id, or remove the existing statement.",
        409,
    )
    policy = lam.get_layer_version_policy(LayerName=name, VersionNumber=1)
    assert policy["RevisionId"] == added["RevisionId"]
    assert [statement["Sid"] for statement in json.loads(policy["Policy"])["Statement"]] == [
        "everyone"
    ]
    assert error_of(
        lam.remove_layer_version_permission,
        LayerName=name,
        VersionNumber=1,
        StatementId="everyone",
        RevisionId="wrong",
    ) == (
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the "
        "GetLayerPolicy API to retrieve the latest Revision Id",
        412,
    )
    lam.remove_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="everyone")
    assert error_of(
        lam.remove_layer_version_permission, LayerName=name, VersionNumber=1, StatementId="everyone"
    )[1] == ("Statement everyone is not found in resource policy.")
    assert error_of(lam.get_layer_version_policy, LayerName=name, VersionNumber=2) == (
        "ResourceNotFoundException",
        f"Layer version {layer_arn(number, name)}:2 does not exist.",
        404,
    )
