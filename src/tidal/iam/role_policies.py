"""A role's permissions: inline policies (Put/Get/List/DeleteRolePolicy) and attached
managed policies (Attach/Detach/ListAttachedRolePolicies). Both live in the role's
document, so deleting a role can see at once whether any remain."""

from __future__ import annotations

from typing import Any

from tidal.iam import documents, pages, policies, roles
from tidal.iam.errors import LimitExceeded, policy_not_found, role_policy_not_found

INLINE_SIZE_QUOTA = 10240
ATTACHED_QUOTA = 10


def put_role_policy(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    text = params["PolicyDocument"]
    documents.check_permissions_policy(text)
    role = roles.load(txn, account, params["RoleName"])
    inline = role["RolePolicies"]
    inline[params["PolicyName"]] = text
    if sum(documents.size(document) for document in inline.values()) > INLINE_SIZE_QUOTA:
        raise LimitExceeded(
            f"Maximum policy size of {INLINE_SIZE_QUOTA} bytes exceeded for role {role['RoleName']}"
        )
    roles.save(txn, account, role)
    return {}


def get_role_policy(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    role = roles.load(txn, account, params["RoleName"])
    name = params["PolicyName"]
    text = role["RolePolicies"].get(name)
    if text is None:
        raise role_policy_not_found(name)
    return {
        "RoleName": role["RoleName"],
        "PolicyName": name,
        "PolicyDocument": documents.quoted(text),
    }


def list_role_policies(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    role = roles.load(txn, account, params["RoleName"])
    chosen, more = pages.page(list(role["RolePolicies"]), str, params)
    return {"PolicyNames": chosen, **more}


def delete_role_policy(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    role = roles.load(txn, account, params["RoleName"])
    name = params["PolicyName"]
    if role["RolePolicies"].pop(name, None) is None:
        raise role_policy_not_found(name)
    roles.save(txn, account, role)
    return {}


def attach_role_policy(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["PolicyArn"]
    role = roles.load(txn, account, params["RoleName"])
    name = policies.attachable(txn, account, arn)
    attached = role["AttachedPolicies"]
    if any(entry["PolicyArn"] == arn for entry in attached):
        return {}
    if len(attached) >= ATTACHED_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for PoliciesPerRole: {ATTACHED_QUOTA}")
    attached.append({"PolicyName": name, "PolicyArn": arn})
    policies.count_use(txn, account, arn, attached=1)
    roles.save(txn, account, role)
    return {}


def detach_role_policy(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["PolicyArn"]
    policies.check_arn(arn)
    role = roles.load(txn, account, params["RoleName"])
    remaining = [entry for entry in role["AttachedPolicies"] if entry["PolicyArn"] != arn]
    if len(remaining) == len(role["AttachedPolicies"]):
        raise policy_not_found(arn)
    role["AttachedPolicies"] = remaining
    policies.count_use(txn, account, arn, attached=-1)
    roles.save(txn, account, role)
    return {}


def list_attached_role_policies(txn: Any, account: str, params: dict[str, Any]) -> dict[str, Any]:
    role = roles.load(txn, account, params["RoleName"])
    prefix = params.get("PathPrefix", "/")
    attached = [
        entry for entry in role["AttachedPolicies"] if _path(entry["PolicyArn"]).startswith(prefix)
    ]
    chosen, more = pages.page(attached, lambda entry: entry["PolicyName"].lower(), params)
    return {"AttachedPolicies": chosen, **more}


def _path(arn: str) -> str:
    resource = arn.split(":", 5)[5]
    return resource[len("policy") : resource.rfind("/") + 1]
