"""IAM and STS wire operations (AWS query protocol, XML responses).

Every IAM operation is one domain function `(txn, account, params) -> result` run in one
transaction; IAM is global, so the account alone (never the region) scopes it. STS
operations also need the caller's access key and region, so they take the context.
"""

from __future__ import annotations

from typing import Any

from tidal.core.context import RequestContext
from tidal.core.service import Domain, Service
from tidal.iam import policies, role_policies, roles, sts

IAM = Service(model="iam")
STS = Service(model="sts")

_READS: dict[str, Domain] = {
    "GetRole": roles.get_role,
    "ListRoles": roles.list_roles,
    "ListRoleTags": roles.list_role_tags,
    "GetRolePolicy": role_policies.get_role_policy,
    "ListRolePolicies": role_policies.list_role_policies,
    "ListAttachedRolePolicies": role_policies.list_attached_role_policies,
    "GetPolicy": policies.get_policy,
    "ListPolicies": policies.list_policies,
    "GetPolicyVersion": policies.get_policy_version,
    "ListPolicyVersions": policies.list_policy_versions,
}
_WRITES: dict[str, Domain] = {
    "CreateRole": roles.create_role,
    "UpdateRole": roles.update_role,
    "UpdateRoleDescription": roles.update_role_description,
    "UpdateAssumeRolePolicy": roles.update_assume_role_policy,
    "DeleteRole": roles.delete_role,
    "PutRolePermissionsBoundary": roles.put_permissions_boundary,
    "DeleteRolePermissionsBoundary": roles.delete_permissions_boundary,
    "TagRole": roles.tag_role,
    "UntagRole": roles.untag_role,
    "PutRolePolicy": role_policies.put_role_policy,
    "DeleteRolePolicy": role_policies.delete_role_policy,
    "AttachRolePolicy": role_policies.attach_role_policy,
    "DetachRolePolicy": role_policies.detach_role_policy,
    "CreatePolicy": policies.create_policy,
    "DeletePolicy": policies.delete_policy,
    "CreatePolicyVersion": policies.create_policy_version,
    "DeletePolicyVersion": policies.delete_policy_version,
    "SetDefaultPolicyVersion": policies.set_default_policy_version,
}


IAM.delegate(_READS, _WRITES, scope=lambda ctx: (ctx.account,))


@STS.operation("GetCallerIdentity")
def get_caller_identity(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with ctx.runtime.store.transaction(write=False) as txn:
        return sts.caller_identity(txn, ctx)


@STS.operation("AssumeRole")
def assume_role(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with ctx.runtime.store.transaction(write=True) as txn:
        return sts.assume_role(txn, ctx, params)


@STS.operation("GetSessionToken")
def get_session_token(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with ctx.runtime.store.transaction(write=True) as txn:
        return sts.get_session_token(txn, ctx, params)


@STS.operation("GetAccessKeyInfo")
def get_access_key_info(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with ctx.runtime.store.transaction(write=False) as txn:
        return sts.get_access_key_info(txn, params["AccessKeyId"])
