"""STS: who the caller is, and temporary credentials (AssumeRole, GetSessionToken).

Tidal verifies no signatures: a plain access key is its account's root user. Keys that
STS issues are remembered in namespace `sts.sessions` (keyed by access key id), so a
request signed with one is known as the identity it was issued to: an assumed role, or
the user that asked for a session token.
"""

from __future__ import annotations

import re
from typing import Any

from tidal.core import access_keys, clock
from tidal.core.config import DEFAULT_ACCOUNT
from tidal.core.context import RequestContext
from tidal.iam import dates, documents, identifiers, roles
from tidal.iam.errors import AccessDenied, ExpiredToken, ValidationError

NS = "sts.sessions"
DEFAULT_DURATION = 3600
ROOT_SESSION_LIMIT = 3600
CHAINED_SESSION_LIMIT = 3600
_ACCOUNT_KEY = re.compile(r"\d{12}")
_ROLE_ARN = re.compile(r"arn:aws:iam::(?P<account>\d{12}):role/(?:.*/)?(?P<name>[^/]+)")


def find_session(txn: Any, access_key: str) -> dict[str, Any] | None:
    """The session STS issued `access_key` for (even an expired one), or None."""
    return txn.get_doc(NS, access_key) if access_key else None


def caller_identity(txn: Any, ctx: RequestContext) -> dict[str, Any]:
    """Account, Arn and UserId of the request's signer; ExpiredToken for a spent session."""
    session = find_session(txn, ctx.access_key)
    if session is None:
        return {"UserId": ctx.account, "Account": ctx.account, "Arn": _root(ctx.account)}
    if session["Expiration"] <= clock.now():
        raise ExpiredToken("The security token included in the request is expired")
    return {key: session[key] for key in ("UserId", "Account", "Arn")}


def assume_role(txn: Any, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    caller = caller_identity(txn, ctx)
    role_arn = params["RoleArn"]
    match = _ROLE_ARN.fullmatch(role_arn)
    role = roles.find_role(txn, match["account"], role_arn) if match else None
    if role is None or match is None:
        raise AccessDenied(
            f"User: {caller['Arn']} is not authorized to perform: sts:AssumeRole "
            f"on resource: {role_arn}"
        )
    duration = params.get("DurationSeconds", DEFAULT_DURATION)
    if ":assumed-role/" in caller["Arn"] and duration > CHAINED_SESSION_LIMIT:
        raise ValidationError(
            "The requested DurationSeconds exceeds the 1 hour session limit "
            "for roles assumed by role chaining."
        )
    if duration > role["MaxSessionDuration"]:
        raise ValidationError(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        )
    if "Policy" in params:
        documents.check_permissions_policy(params["Policy"])
    account, session_name = match["account"], params["RoleSessionName"]
    identity = {
        "UserId": f"{role['RoleId']}:{session_name}",
        "Account": account,
        "Arn": f"arn:aws:sts::{account}:assumed-role/{role['RoleName']}/{session_name}",
    }
    credentials = _issue(txn, identity, duration, role_arn=role_arn)
    roles.record_use(txn, account, role["RoleName"], ctx.region)
    result: dict[str, Any] = {
        "Credentials": credentials,
        "AssumedRoleUser": {"AssumedRoleId": identity["UserId"], "Arn": identity["Arn"]},
    }
    if "SourceIdentity" in params:
        result["SourceIdentity"] = params["SourceIdentity"]
    return result


def get_session_token(txn: Any, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """Credentials for the caller itself. Account owners get at most an hour, as on AWS."""
    if find_session(txn, ctx.access_key) is not None:
        raise AccessDenied("Cannot call GetSessionToken with session credentials")
    caller = caller_identity(txn, ctx)
    duration = min(params.get("DurationSeconds", ROOT_SESSION_LIMIT), ROOT_SESSION_LIMIT)
    return {"Credentials": _issue(txn, caller, duration)}


def get_access_key_info(txn: Any, access_key: str) -> dict[str, Any]:
    """The account Tidal files a key's requests under (as the server's auth does)."""
    session = find_session(txn, access_key)
    if session is not None:
        return {"Account": session["Account"]}
    return {"Account": access_key if _ACCOUNT_KEY.fullmatch(access_key) else DEFAULT_ACCOUNT}


def _issue(
    txn: Any, identity: dict[str, Any], duration: int, role_arn: str | None = None
) -> dict[str, Any]:
    key_id = access_keys.access_key_id("ASIA", identity["Account"])
    expiration = int(clock.now()) + duration
    credentials = {
        "AccessKeyId": key_id,
        "SecretAccessKey": identifiers.secret_access_key(),
        "SessionToken": identifiers.session_token(),
        "Expiration": dates.iso(expiration),
    }
    session = {**identity, "AccessKeyId": key_id, "Expiration": expiration}
    if role_arn is not None:
        session["RoleArn"] = role_arn
    txn.put_doc(NS, key_id, session)
    return credentials


def _root(account: str) -> str:
    return f"arn:aws:iam::{account}:root"
