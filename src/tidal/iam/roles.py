"""IAM roles: create, read, list, update, delete, tag; `find_role` for the other rooms.

A role is one document in namespace `iam.roles`, keyed by account and lower-cased name
(IAM names are unique regardless of case, and a name in any case finds its role). The
document keeps the trust policy as the text it was given, the role's inline policies
and the managed policies attached to it. IAM is global: no region in keys or ARNs.
"""

from __future__ import annotations

import copy
from typing import Any

from tidal.core import clock
from tidal.core.arns import parse_arn
from tidal.iam import dates, documents, identifiers, pages, policies
from tidal.iam.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    role_not_found,
)

NS = "iam.roles"
DEFAULT_MAX_SESSION = 3600
TRUST_POLICY_QUOTA = 2048
MAX_TAGS = 50


def find_role(txn: Any, account: str, role_arn: str) -> dict[str, Any] | None:
    """The role `role_arn` names in `account` (its trust policy parsed), or None.

    For the rooms that take a role ARN (Lambda's execution role, STS AssumeRole): the ARN
    must be the role's exact ARN, path included, in `account`.
    """
    parts = parse_arn(role_arn)
    if parts is None or parts[0] != "iam" or parts[2] != account:
        return None
    resource = parts[3]
    if not resource.startswith("role/"):
        return None
    stored = txn.get_doc(NS, _key(account, resource.rpartition("/")[2]))
    if stored is None or stored["Arn"] != role_arn:
        return None
    role = copy.deepcopy(stored)
    role["AssumeRolePolicyDocument"] = documents.parse(stored["AssumeRolePolicyDocument"])
    return role


def load(txn: Any, account: str, name: str) -> dict[str, Any]:
    """The stored role called `name` (in any case), or NoSuchEntity."""
    role = txn.get_doc(NS, _key(account, name))
    if role is None:
        raise role_not_found(name)
    return role


def save(txn: Any, account: str, role: dict[str, Any]) -> None:
    txn.put_doc(NS, _key(account, role["RoleName"]), role)


def create_role(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    name = params["RoleName"]
    trust = params["AssumeRolePolicyDocument"]
    _check_trust_policy(trust)
    tags = params.get("Tags", [])
    _check_tags(tags)
    if txn.get_doc(NS, _key(account, name)) is not None:
        raise EntityAlreadyExists(f"Role with name {name} already exists.")
    boundary = params.get("PermissionsBoundary")
    if boundary is not None:
        policies.check_boundary(txn, account, boundary)
        policies.count_use(txn, account, boundary, boundary=1)
    path = params.get("Path", "/")
    role: dict[str, Any] = {
        "Path": path,
        "RoleName": name,
        "RoleId": identifiers.unique_id("AROA"),
        "Arn": f"arn:aws:iam::{account}:role{path}{name}",
        "CreateDate": int(clock.now()),
        "AssumeRolePolicyDocument": trust,
        "MaxSessionDuration": params.get("MaxSessionDuration", DEFAULT_MAX_SESSION),
        "Tags": tags,
        "RoleLastUsed": {},
        "RolePolicies": {},
        "AttachedPolicies": [],
    }
    if "Description" in params:
        role["Description"] = params["Description"]
    if boundary is not None:
        role["PermissionsBoundary"] = boundary
    save(txn, account, role)
    return {"Role": describe(role, listing=False, created=True)}


def get_role(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"Role": describe(load(txn, account, params["RoleName"]), listing=False)}


def list_roles(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    prefix = params.get("PathPrefix", "/")
    roles = [
        role
        for _, role in txn.list_docs(NS, prefix=f"{account}/")
        if role["Path"].startswith(prefix)
    ]
    chosen, more = pages.page(roles, lambda role: role["RoleName"].lower(), params)
    return {"Roles": [describe(role, listing=True) for role in chosen], **more}


def update_role(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    role = load(txn, account, params["RoleName"])
    if "Description" in params:
        role["Description"] = params["Description"]
    if "MaxSessionDuration" in params:
        role["MaxSessionDuration"] = params["MaxSessionDuration"]
    save(txn, account, role)
    return {}


def update_role_description(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    role = load(txn, account, params["RoleName"])
    role["Description"] = params["Description"]
    save(txn, account, role)
    return {"Role": describe(role, listing=False)}


def update_assume_role_policy(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    text = params["PolicyDocument"]
    _check_trust_policy(text)
    role = load(txn, account, params["RoleName"])
    role["AssumeRolePolicyDocument"] = text
    save(txn, account, role)
    return {}


def delete_role(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    name = params["RoleName"]
    role = load(txn, account, name)
    if role["RolePolicies"]:
        raise DeleteConflict("Cannot delete entity, must delete policies first.")
    if role["AttachedPolicies"]:
        raise DeleteConflict("Cannot delete entity, must detach all policies first.")
    if "PermissionsBoundary" in role:
        policies.count_use(txn, account, role["PermissionsBoundary"], boundary=-1)
    txn.delete_doc(NS, _key(account, name))
    return {}


def put_permissions_boundary(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    role = load(txn, account, params["RoleName"])
    boundary = params["PermissionsBoundary"]
    policies.check_boundary(txn, account, boundary)
    if role.get("PermissionsBoundary") != boundary:
        if "PermissionsBoundary" in role:
            policies.count_use(txn, account, role["PermissionsBoundary"], boundary=-1)
        policies.count_use(txn, account, boundary, boundary=1)
        role["PermissionsBoundary"] = boundary
        save(txn, account, role)
    return {}


def delete_permissions_boundary(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    role = load(txn, account, params["RoleName"])
    boundary = role.pop("PermissionsBoundary", None)
    if boundary is not None:
        policies.count_use(txn, account, boundary, boundary=-1)
        save(txn, account, role)
    return {}


def record_use(txn: Any, account: str, name: str, region: str) -> None:
    """Note that the role was just assumed (GetRole's RoleLastUsed)."""
    role = load(txn, account, name)
    role["RoleLastUsed"] = {"LastUsedDate": int(clock.now()), "Region": region}
    save(txn, account, role)


def tag_role(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    role = load(txn, account, params["RoleName"])
    _check_tags(params["Tags"])
    role["Tags"] = merge_tags(role["Tags"], params["Tags"])
    save(txn, account, role)
    return {}


def untag_role(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    role = load(txn, account, params["RoleName"])
    removed = {key.lower() for key in params["TagKeys"]}
    role["Tags"] = [tag for tag in role["Tags"] if tag["Key"].lower() not in removed]
    save(txn, account, role)
    return {}


def list_role_tags(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    role = load(txn, account, params["RoleName"])
    chosen, more = pages.page(role["Tags"], lambda tag: tag["Key"].lower(), params)
    return {"Tags": chosen, **more}


def merge_tags(current: list[dict[str, str]], new: list[dict[str, str]]) -> list[dict[str, str]]:
    """`current` with `new` added; a key already there (in any case) takes the new tag."""
    replaced = {tag["Key"].lower() for tag in new}
    merged = [tag for tag in current if tag["Key"].lower() not in replaced] + list(new)
    if len(merged) > MAX_TAGS:
        raise LimitExceeded(f"Cannot exceed quota for TagsPerRole: {MAX_TAGS}.")
    return merged


def describe(role: dict[str, Any], *, listing: bool, created: bool = False) -> dict[str, Any]:
    """A role as IAM shows it. Listings leave out PermissionsBoundary, RoleLastUsed and
    Tags, as ListRoles does; CreateRole shows no RoleLastUsed."""
    shown: dict[str, Any] = {
        "Path": role["Path"],
        "RoleName": role["RoleName"],
        "RoleId": role["RoleId"],
        "Arn": role["Arn"],
        "CreateDate": dates.iso(role["CreateDate"]),
        "AssumeRolePolicyDocument": documents.quoted(role["AssumeRolePolicyDocument"]),
    }
    if "Description" in role:
        shown["Description"] = role["Description"]
    shown["MaxSessionDuration"] = role["MaxSessionDuration"]
    if listing:
        return shown
    if "PermissionsBoundary" in role:
        shown["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": role["PermissionsBoundary"],
        }
    if role["Tags"]:
        shown["Tags"] = role["Tags"]
    if not created:
        shown["RoleLastUsed"] = _last_used(role["RoleLastUsed"])
    return shown


def _last_used(last_used: dict[str, Any]) -> dict[str, Any]:
    if not last_used:
        return {}
    return {"LastUsedDate": dates.iso(last_used["LastUsedDate"]), "Region": last_used["Region"]}


def _check_trust_policy(text: str) -> None:
    documents.check_trust_policy(text)
    if documents.size(text) > TRUST_POLICY_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_QUOTA}")


def _check_tags(tags: list[dict[str, str]]) -> None:
    keys = [tag["Key"].lower() for tag in tags]
    if len(set(keys)) != len(keys):
        raise InvalidInput(
            "Duplicate tag keys found. Please note that Tag keys are case insensitive."
        )


def _key(account: str, name: str) -> str:
    return f"{account}/{name.lower()}"
