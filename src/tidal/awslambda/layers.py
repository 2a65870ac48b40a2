"""Layers: versioned packages that functions add to /opt, and who may use them.

Documents: `lambda/layers` `<acct>:<region>:<name>` → `{"LastVersion": n}` (numbers are
never handed out twice, even after deletes), and `lambda/layer-versions`
`<acct>:<region>:<name>:<version, 10 digits>` → `{"Version", "Description", "CreatedDate",
"CompatibleRuntimes"?, "CompatibleArchitectures"?, "LicenseInfo"?, "CodeSha256", "CodeSize",
"_code": <package record>, "_policy"?: {"RevisionId", "Statement": [...]}}`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from tidal.awslambda import records
from tidal.awslambda.code import Package
from tidal.awslambda.errors import (
    InvalidParameterValueException,
    PreconditionFailedException,
    ResourceConflictException,
    ResourceNotFoundException,
    not_found,
)
from tidal.awslambda.names import LayerRef, layer_version_arn, parse_layer
from tidal.awslambda.records import timestamp
from tidal.core import clock
from tidal.core.ids import new_uuid

LAYERS = "lambda/layers"
LAYER_VERSIONS = "lambda/layer-versions"
LAYER_REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetLayerPolicy API to retrieve the latest Revision Id"
)
_OPTIONAL = ("CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo")


def _key(ref: LayerRef) -> str:
    return f"{ref.account}:{ref.region}:{ref.name}"


def _version_key(ref: LayerRef, version: int) -> str:
    return f"{_key(ref)}:{version:010d}"


def publish(
    txn: Any, endpoint: str, account: str, region: str, params: dict[str, Any], package: Package
) -> dict[str, Any]:
    """PublishLayerVersion: the layer's next version, made of `package`."""
    ref = parse_layer(params["LayerName"], account, region)
    layer = txn.get_doc(LAYERS, _key(ref)) or {"LastVersion": 0}
    version = layer["LastVersion"] + 1
    txn.put_doc(LAYERS, _key(ref), {"LastVersion": version})
    record: dict[str, Any] = {
        "Version": version,
        "Description": params.get("Description", ""),
        "CreatedDate": timestamp(clock.now()),
        "CodeSha256": package.sha256,
        "CodeSize": package.size,
        "_code": package.record(),
    }
    for member in _OPTIONAL:
        if member in params:
            record[member] = params[member]
    txn.put_doc(LAYER_VERSIONS, _version_key(ref, version), record)
    return render(ref, record, endpoint)


def render(ref: LayerRef, record: dict[str, Any], endpoint: str) -> dict[str, Any]:
    """A layer version as PublishLayerVersion and GetLayerVersion show it."""
    content = {
        "Location": location(endpoint, ref, record),
        "CodeSha256": record["CodeSha256"],
        "CodeSize": record["CodeSize"],
    }
    return {"Content": content, "LayerArn": ref.arn, **_listed(ref, record)}


def location(endpoint: str, ref: LayerRef, record: dict[str, Any]) -> str:
    """Where the layer's zip can be downloaded (a directory is zipped when asked for)."""
    code = record["_code"]
    if code["kind"] == "zip":
        return f"{endpoint}/_tidal/lambda/code/{code['hex']}.zip"
    name = quote(ref.name, safe="")
    return (
        f"{endpoint}/_tidal/lambda/layers/{ref.account}/{ref.region}/{name}/"
        f"{record['Version']}/content.zip"
    )


def _listed(ref: LayerRef, record: dict[str, Any]) -> dict[str, Any]:
    """A layer version as ListLayerVersions (and ListLayers' LatestMatchingVersion) show it."""
    shown = {
        "LayerVersionArn": ref.version_arn(record["Version"]),
        "Version": record["Version"],
        "Description": record["Description"],
        "CreatedDate": record["CreatedDate"],
    }
    for member in _OPTIONAL:
        if member in record:
            shown[member] = record[member]
    return shown


def _check_number(version: int) -> None:
    if version < 1:
        raise InvalidParameterValueException("Layer Version Cannot be less than 1")


def load(txn: Any, ref: LayerRef, version: int) -> dict[str, Any] | None:
    return txn.get_doc(LAYER_VERSIONS, _version_key(ref, version))


def get(
    txn: Any, endpoint: str, account: str, region: str, layer_name: str, version: int
) -> dict[str, Any]:
    """GetLayerVersion."""
    _check_number(version)
    ref = parse_layer(layer_name, account, region)
    record = load(txn, ref, version)
    if record is None:
        raise not_found()
    return render(ref, record, endpoint)


def get_by_arn(txn: Any, endpoint: str, account: str, region: str, arn: str) -> dict[str, Any]:
    """GetLayerVersionByArn (the model's pattern makes sure the ARN has a version)."""
    ref = parse_layer(arn, account, region)
    record = load(txn, ref, ref.version or 0)
    if record is None:
        raise not_found()
    return render(ref, record, endpoint)


def delete(txn: Any, account: str, region: str, layer_name: str, version: int) -> None:
    """DeleteLayerVersion; deleting what does not exist succeeds, as on AWS. Functions that
    use the version keep its content."""
    _check_number(version)
    ref = parse_layer(layer_name, account, region)
    txn.delete_doc(LAYER_VERSIONS, _version_key(ref, version))


def _matches(record: dict[str, Any], params: dict[str, Any]) -> bool:
    runtime = params.get("CompatibleRuntime")
    architecture = params.get("CompatibleArchitecture")
    if runtime is not None and runtime not in record.get("CompatibleRuntimes", ()):
        return False
    return architecture is None or architecture in record.get("CompatibleArchitectures", ())


def list_versions(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """ListLayerVersions: newest first."""
    ref = parse_layer(params["LayerName"], account, region)
    items = [
        _listed(ref, record)
        for _, record in reversed(txn.list_docs(LAYER_VERSIONS, f"{_key(ref)}:"))
        if _matches(record, params)
    ]
    return records.listing("LayerVersions", items, params, "LayerVersionArn")


def list_layers(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """ListLayers: each layer with its newest version that matches the filters."""
    newest: dict[str, tuple[LayerRef, dict[str, Any]]] = {}
    for key, record in txn.list_docs(LAYER_VERSIONS, f"{account}:{region}:"):
        if _matches(record, params):
            name = key.split(":")[2]
            newest[name] = (LayerRef(account, region, name), record)
    items = [
        {"LayerName": name, "LayerArn": ref.arn, "LatestMatchingVersion": _listed(ref, record)}
        for name, (ref, record) in sorted(newest.items())
    ]
    return records.listing("Layers", items, params, "LayerName")


def referenced(txn: Any, account: str, region: str, arns: list[str]) -> list[dict[str, Any]]:
    """The `Layers` of a configuration: each ARN checked as AWS does, with its CodeSize and
    (privately) its package, which stays usable if the version is deleted later."""
    seen: dict[str, str] = {}
    shown = []
    for arn in arns:
        ref = parse_layer(arn, account, region)
        if ref.region != region:
            raise InvalidParameterValueException(
                "Layers are not in the same region as the function. "
                f"Layers are expected to be in region {region}."
            )
        record = load(txn, ref, ref.version or 0)
        if record is None:
            raise InvalidParameterValueException(f"Layer version {arn} does not exist.")
        if ref.arn in seen:
            raise InvalidParameterValueException(
                "Two different versions of the same layer are not allowed to be referenced in "
                f"the same function. {seen[ref.arn]} and {arn} are versions of the same layer."
            )
        seen[ref.arn] = arn
        shown.append({"Arn": arn, "CodeSize": record["CodeSize"], "_code": record["_code"]})
    return shown


def _require(
    txn: Any, layer_name: str, version: int, account: str, region: str
) -> tuple[LayerRef, dict[str, Any]]:
    ref = parse_layer(layer_name, account, region)
    record = load(txn, ref, version)
    if record is None:
        arn = layer_version_arn(ref.account, ref.region, ref.name, version)
        raise ResourceNotFoundException(f"Layer version {arn} does not exist.")
    return ref, record


def add_permission(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """AddLayerVersionPermission."""
    version = params["VersionNumber"]
    ref, record = _require(txn, params["LayerName"], version, account, region)
    policy = record.get("_policy") or {"Statement": []}
    sid = params["StatementId"]
    if any(statement["Sid"] == sid for statement in policy["Statement"]):
        raise ResourceConflictException(
            f"The statement id ({sid}) provided already exists. Please provide a new statement "
            "id, or remove the existing statement."
        )
    if params.get("RevisionId") and params["RevisionId"] != policy.get("RevisionId"):
        raise PreconditionFailedException(LAYER_REVISION_MISMATCH)
    principal = params["Principal"]
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal if principal == "*" else {"AWS": _account_principal(principal)},
        "Action": params["Action"],
        "Resource": ref.version_arn(version),
    }
    if params.get("OrganizationId"):
        statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": params["OrganizationId"]}}
    policy = {"RevisionId": new_uuid(), "Statement": [*policy["Statement"], statement]}
    record["_policy"] = policy
    txn.put_doc(LAYER_VERSIONS, _version_key(ref, version), record)
    return {"Statement": json.dumps(statement), "RevisionId": policy["RevisionId"]}


def _account_principal(principal: str) -> str:
    return f"arn:aws:iam::{principal}:root" if principal.isdigit() else principal


def remove_permission(txn: Any, account: str, region: str, params: dict[str, Any]) -> None:
    """RemoveLayerVersionPermission."""
    version = params["VersionNumber"]
    ref, record = _require(txn, params["LayerName"], version, account, region)
    policy = record.get("_policy") or {"Statement": []}
    if params.get("RevisionId") and params["RevisionId"] != policy.get("RevisionId"):
        raise PreconditionFailedException(LAYER_REVISION_MISMATCH)
    sid = params["StatementId"]
    kept = [statement for statement in policy["Statement"] if statement["Sid"] != sid]
    if len(kept) == len(policy["Statement"]):
        raise ResourceNotFoundException(f"Statement {sid} is not found in resource policy.")
    record["_policy"] = {"RevisionId": new_uuid(), "Statement": kept}
    txn.put_doc(LAYER_VERSIONS, _version_key(ref, version), record)


def get_policy(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """GetLayerVersionPolicy."""
    _, record = _require(txn, params["LayerName"], params["VersionNumber"], account, region)
    policy = record.get("_policy")
    if policy is None:
        raise ResourceNotFoundException("No policy is associated with the given resource.")
    document = {"Version": "2012-10-17", "Id": "default", "Statement": policy["Statement"]}
    return {"Policy": json.dumps(document), "RevisionId": policy["RevisionId"]}
