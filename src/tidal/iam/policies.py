"""Managed policies: the account's own (customer managed, with versions) and AWS's.

A customer managed policy is one document in namespace `iam.policies`, keyed by account
and lower-cased name (names are unique in an account whatever their path). How many
roles use a policy, as a permissions policy or as a boundary, is counted per account in
`iam.policy_usage`, for AWS managed policies as for the account's own.
"""

from __future__ import annotations

import re
from typing import Any

from tidal.core import clock
from tidal.iam import dates, documents, identifiers, managed, pages
from tidal.iam.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    NoSuchEntity,
    invalid_arn,
    policy_not_attachable,
    policy_not_found,
)

NS = "iam.policies"
USAGE_NS = "iam.policy_usage"
POLICY_SIZE_QUOTA = 6144
MAX_VERSIONS = 5
_ARN = re.compile(r"arn:aws:iam::(?P<account>\d{12}|aws):policy(?P<path>/(?:.*/)?)(?P<name>[^/]+)")


def create_policy(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    name = params["PolicyName"]
    text = params["PolicyDocument"]
    _check_document(text)
    if txn.get_doc(NS, _key(account, name)) is not None:
        raise EntityAlreadyExists(
            f"A policy called {name} already exists. Duplicate names are not allowed."
        )
    path = params.get("Path", "/")
    now = int(clock.now())
    policy: dict[str, Any] = {
        "PolicyName": name,
        "PolicyId": identifiers.unique_id("ANPA"),
        "Arn": f"arn:aws:iam::{account}:policy{path}{name}",
        "Path": path,
        "DefaultVersionId": "v1",
        "CreateDate": now,
        "UpdateDate": now,
        "Tags": params.get("Tags", []),
        "Versions": [{"VersionId": "v1", "Document": text, "CreateDate": now}],
        "NextVersion": 2,
    }
    if "Description" in params:
        policy["Description"] = params["Description"]
    txn.put_doc(NS, _key(account, name), policy)
    return {"Policy": _describe_own(txn, account, policy, listing=False)}


def get_policy(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["PolicyArn"]
    aws = _aws(arn)
    if aws is not None:
        return {"Policy": _describe_aws(txn, account, aws, listing=False)}
    return {"Policy": _describe_own(txn, account, _own(txn, account, arn), listing=False)}


def delete_policy(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["PolicyArn"]
    policy = _own(txn, account, arn)
    usage = _usage(txn, account, arn)
    if usage["AttachmentCount"] or usage["PermissionsBoundaryUsageCount"]:
        raise DeleteConflict("Cannot delete a policy attached to entities.")
    if len(policy["Versions"]) > 1:
        raise DeleteConflict(
            "This policy has more than one version. Before you delete a policy, you must "
            "delete the policy's versions. The default version is deleted with the policy."
        )
    txn.delete_doc(NS, _key(account, policy["PolicyName"]))
    txn.delete_doc(USAGE_NS, _usage_key(account, arn))
    return {}


def list_policies(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    scope = params.get("Scope", "All")
    shown: list[dict[str, Any]] = []
    if scope in ("All", "AWS"):
        shown += [
            _describe_aws(txn, account, aws, listing=True) for aws in _aws_known(txn, account)
        ]
    if scope in ("All", "Local"):
        shown += [
            _describe_own(txn, account, policy, listing=True)
            for _, policy in txn.list_docs(NS, prefix=f"{account}/")
        ]
    prefix = params.get("PathPrefix", "/")
    shown = [policy for policy in shown if policy["Path"].startswith(prefix)]
    if params.get("OnlyAttached"):
        usage = params.get("PolicyUsageFilter")
        counted = {
            "PermissionsPolicy": ("AttachmentCount",),
            "PermissionsBoundary": ("PermissionsBoundaryUsageCount",),
        }.get(usage, ("AttachmentCount", "PermissionsBoundaryUsageCount"))
        shown = [policy for policy in shown if any(policy[field] for field in counted)]
    chosen, more = pages.page(shown, lambda p: f"{p['PolicyName'].lower()} {p['Arn']}", params)
    return {"Policies": chosen, **more}


def get_policy_version(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    arn, version_id = params["PolicyArn"], params["VersionId"]
    aws = _aws(arn)
    if aws is not None:
        if version_id != aws.version:
            raise _no_version(arn, version_id)
        version = {
            "Document": aws.document,
            "VersionId": aws.version,
            "CreateDate": aws.created,
        }
        default = aws.version
    else:
        policy = _own(txn, account, arn)
        version = _version(policy, version_id)
        version = {**version, "CreateDate": dates.iso(version["CreateDate"])}
        default = policy["DefaultVersionId"]
    return {
        "PolicyVersion": {
            "Document": documents.quoted(version["Document"]),
            "VersionId": version["VersionId"],
            "IsDefaultVersion": version["VersionId"] == default,
            "CreateDate": version["CreateDate"],
        }
    }


def create_policy_version(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["PolicyArn"]
    text = params["PolicyDocument"]
    policy = _own(txn, account, arn)
    _check_document(text)
    if len(policy["Versions"]) >= MAX_VERSIONS:
        raise LimitExceeded(
            "A managed policy can have up to 5 versions. Before you create a new version, "
            "you must delete an existing version."
        )
    now = int(clock.now())
    version_id = f"v{policy['NextVersion']}"
    policy["NextVersion"] += 1
    policy["Versions"].append({"VersionId": version_id, "Document": text, "CreateDate": now})
    if params.get("SetAsDefault"):
        policy["DefaultVersionId"] = version_id
        policy["UpdateDate"] = now
    txn.put_doc(NS, _key(account, policy["PolicyName"]), policy)
    shown = {
        "VersionId": version_id,
        "IsDefaultVersion": policy["DefaultVersionId"] == version_id,
        "CreateDate": dates.iso(now),
    }
    return {"PolicyVersion": shown}


def list_policy_versions(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["PolicyArn"]
    aws = _aws(arn)
    if aws is not None:
        versions = [{"VersionId": aws.version, "CreateDate": aws.created}]
        default = aws.version
    else:
        policy = _own(txn, account, arn)
        versions = [
            {"VersionId": version["VersionId"], "CreateDate": dates.iso(version["CreateDate"])}
            for version in policy["Versions"]
        ]
        default = policy["DefaultVersionId"]
    listed = [
        {
            "VersionId": version["VersionId"],
            "IsDefaultVersion": version["VersionId"] == default,
            "CreateDate": version["CreateDate"],
        }
        for version in versions
    ]
    chosen, more = pages.page(listed, _newest_first, params)
    return {"Versions": chosen, **more}


def delete_policy_version(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    arn, version_id = params["PolicyArn"], params["VersionId"]
    policy = _own(txn, account, arn)
    version = _version(policy, version_id)
    if version_id == policy["DefaultVersionId"]:
        raise DeleteConflict("Cannot delete the default version of a policy.")
    policy["Versions"].remove(version)
    txn.put_doc(NS, _key(account, policy["PolicyName"]), policy)
    return {}


def set_default_policy_version(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    arn, version_id = params["PolicyArn"], params["VersionId"]
    policy = _own(txn, account, arn)
    _version(policy, version_id)
    policy["DefaultVersionId"] = version_id
    policy["UpdateDate"] = int(clock.now())
    txn.put_doc(NS, _key(account, policy["PolicyName"]), policy)
    return {}


def attachable(txn: Any, account: str, arn: str) -> str:
    """The name of the policy `arn` names, if a role of `account` may attach it."""
    match = _ARN.fullmatch(arn)
    if match is None:
        raise invalid_arn(arn)
    aws = _aws(arn)
    if aws is not None:
        return aws.name
    policy = txn.get_doc(NS, _key(account, match["name"]))
    if match["account"] != account or policy is None or policy["Arn"] != arn:
        raise policy_not_attachable(arn)
    return policy["PolicyName"]


def check_boundary(txn: Any, account: str, arn: str) -> None:
    """A permissions boundary must be a managed policy the account can use."""
    try:
        attachable(txn, account, arn)
    except NoSuchEntity as error:
        raise NoSuchEntity(f"Scope ARN: {arn} does not exist or is not attachable.") from error


def check_arn(arn: str) -> None:
    if _ARN.fullmatch(arn) is None:
        raise invalid_arn(arn)


def count_use(txn: Any, account: str, arn: str, *, attached: int = 0, boundary: int = 0) -> None:
    """Count (or uncount) a role's use of a policy as a permissions policy or a boundary."""
    usage = _usage(txn, account, arn)
    usage["AttachmentCount"] += attached
    usage["PermissionsBoundaryUsageCount"] += boundary
    if any(usage.values()):
        txn.put_doc(USAGE_NS, _usage_key(account, arn), usage)
    else:
        txn.delete_doc(USAGE_NS, _usage_key(account, arn))


def _check_document(text: str) -> None:
    documents.check_permissions_policy(text, managed=True)
    if documents.size(text) > POLICY_SIZE_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for PolicySize: {POLICY_SIZE_QUOTA}")


def _aws(arn: str) -> managed.ManagedPolicy | None:
    """The AWS managed policy `arn` names; None for the account's own policies."""
    if not managed.is_aws_managed(arn):
        return None
    if _ARN.fullmatch(arn) is None:
        raise invalid_arn(arn)
    return managed.aws_policy(arn)


def _aws_known(txn: Any, account: str) -> list[managed.ManagedPolicy]:
    """The catalogue, and any other AWS managed policy that this account uses."""
    known = list(managed.CATALOGUE)
    catalogued = {policy.arn for policy in known}
    for key, _ in txn.list_docs(USAGE_NS, prefix=f"{account}/{managed.AWS_POLICY_PREFIX}"):
        arn = key.partition("/")[2]
        if arn not in catalogued:
            known.append(managed.aws_policy(arn))
    return known


def _own(txn: Any, account: str, arn: str) -> dict[str, Any]:
    match = _ARN.fullmatch(arn)
    if match is None:
        raise invalid_arn(arn)
    policy = txn.get_doc(NS, _key(account, match["name"]))
    if match["account"] != account or policy is None or policy["Arn"] != arn:
        raise policy_not_found(arn)
    return policy


def _version(policy: dict[str, Any], version_id: str) -> dict[str, Any]:
    for version in policy["Versions"]:
        if version["VersionId"] == version_id:
            return version
    raise _no_version(policy["Arn"], version_id)


def _newest_first(version: dict[str, Any]) -> str:
    """A sort key that puts later versions first (v10 before v9)."""
    return f"{10**9 - int(version['VersionId'][1:]):010d}"


def _no_version(arn: str, version_id: str) -> NoSuchEntity:
    return NoSuchEntity(f"Policy {arn} version {version_id} does not exist or is not attachable.")


def _usage(txn: Any, account: str, arn: str) -> dict[str, int]:
    usage = txn.get_doc(USAGE_NS, _usage_key(account, arn))
    return usage or {"AttachmentCount": 0, "PermissionsBoundaryUsageCount": 0}


def _describe_own(
    txn: Any, account: str, policy: dict[str, Any], *, listing: bool
) -> dict[str, Any]:
    fields = {key: dates.iso(policy[key]) for key in ("CreateDate", "UpdateDate")}
    if not listing and "Description" in policy:
        fields["Description"] = policy["Description"]
    if not listing and policy["Tags"]:
        fields["Tags"] = policy["Tags"]
    return _shown(
        txn,
        account,
        policy["PolicyName"],
        policy["PolicyId"],
        policy["Arn"],
        policy["Path"],
        policy["DefaultVersionId"],
        fields,
    )


def _describe_aws(
    txn: Any, account: str, aws: managed.ManagedPolicy, *, listing: bool
) -> dict[str, Any]:
    fields: dict[str, Any] = {"CreateDate": aws.created, "UpdateDate": aws.created}
    if not listing and aws.description:
        fields["Description"] = aws.description
    return _shown(txn, account, aws.name, aws.policy_id, aws.arn, aws.path, aws.version, fields)


def _shown(
    txn: Any,
    account: str,
    name: str,
    policy_id: str,
    arn: str,
    path: str,
    default_version: str,
    fields: dict[str, Any],
) -> dict[str, Any]:
    usage = _usage(txn, account, arn)
    return {
        "PolicyName": name,
        "PolicyId": policy_id,
        "Arn": arn,
        "Path": path,
        "DefaultVersionId": default_version,
        "AttachmentCount": usage["AttachmentCount"],
        "PermissionsBoundaryUsageCount": usage["PermissionsBoundaryUsageCount"],
        "IsAttachable": True,
        **fields,
    }


def _key(account: str, name: str) -> str:
    return f"{account}/{name.lower()}"


def _usage_key(account: str, arn: str) -> str:
    return f"{account}/{arn}"
