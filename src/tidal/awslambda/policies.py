"""Resource-based policies: AddPermission, RemovePermission, GetPolicy.

A function has one policy per qualifier (unqualified = `$LATEST`, a version, an alias),
stored as `lambda/policies` `<acct>:<region>:<function>:<qualifier>` → `{"Statement": [...]}`.
Changing a policy gives its version or alias a new RevisionId, and GetPolicy shows that
RevisionId, as on AWS.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tidal.awslambda import aliases, records
from tidal.awslambda.errors import (
    InvalidParameterValueException,
    PolicyLengthExceededException,
    ResourceConflictException,
    ResourceNotFoundException,
    alias_not_found,
    function_not_found,
    not_found,
    revision_mismatch,
)
from tidal.awslambda.names import LATEST, FunctionRef, is_alias, parse_function
from tidal.core.ids import new_uuid

MAX_POLICY = 20_480
"""Bytes a function's resource policy may take."""
_IAM_ARN = re.compile(r"arn:aws[a-zA-Z-]*:iam::.*")


class _Target:
    """The version or alias a permission is about, and how to bump its RevisionId."""

    def __init__(self, txn: Any, ref: FunctionRef, document: dict[str, Any]) -> None:
        self.txn = txn
        self.ref = ref
        self.document = document
        self.qualifier = ref.qualifier or LATEST
        self.resource = ref.named_arn
        if is_alias(self.qualifier):
            self.alias = aliases.load(txn, ref, self.qualifier)
            if self.alias is None:
                raise alias_not_found(ref.named_arn)
            self.record = self.alias
        else:
            record = records.load_version(txn, ref, document, self.qualifier)
            if record is None:
                raise function_not_found(ref.named_arn)
            self.record = record

    @property
    def revision_id(self) -> str:
        return self.record["RevisionId"]

    def key(self) -> str:
        return records.child_key(self.ref.account, self.ref.region, self.ref.name, self.qualifier)

    def touch(self) -> None:
        """A new RevisionId for the version or alias, saved."""
        self.record["RevisionId"] = new_uuid()
        if is_alias(self.qualifier):
            aliases.save(self.txn, self.ref, self.record)
        elif self.qualifier == LATEST:
            records.save_function(self.txn, self.ref.account, self.ref.region, self.document)
        else:
            records.save_version(self.txn, self.ref, self.record)


def _target(txn: Any, ref: FunctionRef) -> _Target:
    return _Target(txn, ref, records.require_function(txn, ref))


def add_permission(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """AddPermission: one statement more in the policy of the function, version or alias."""
    ref = parse_function(params["FunctionName"], params.get("Qualifier"), account, region)
    if params.get("Qualifier") == LATEST:
        raise InvalidParameterValueException(
            "We currently do not support adding policies for $LATEST."
        )
    target = _target(txn, ref)
    if params.get("RevisionId") and params["RevisionId"] != target.revision_id:
        raise revision_mismatch()
    policy = txn.get_doc(records.POLICIES, target.key()) or {"Statement": []}
    sid = params["StatementId"]
    if any(statement["Sid"] == sid for statement in policy["Statement"]):
        raise ResourceConflictException(
            f"The statement id ({sid}) provided already exists. Please provide a new statement "
            "id, or remove the existing statement."
        )
    statement = _statement(params, target.resource)
    policy = {"Statement": [*policy["Statement"], statement]}
    size = len(_document(policy))
    if size > MAX_POLICY:
        raise PolicyLengthExceededException(
            f"The final policy size ({size}) is bigger than the limit ({MAX_POLICY})."
        )
    txn.put_doc(records.POLICIES, target.key(), policy)
    target.touch()
    return {"Statement": json.dumps(statement, separators=(",", ":"))}


def _statement(params: dict[str, Any], resource: str) -> dict[str, Any]:
    """A policy statement as Lambda writes one for AddPermission."""
    statement: dict[str, Any] = {
        "Sid": params["StatementId"],
        "Effect": "Allow",
        "Principal": _principal(params["Principal"]),
        "Action": params["Action"],
        "Resource": resource,
    }
    equals: dict[str, str] = {}
    if params.get("FunctionUrlAuthType"):
        equals["lambda:FunctionUrlAuthType"] = params["FunctionUrlAuthType"]
    if params.get("PrincipalOrgID"):
        equals["aws:PrincipalOrgID"] = params["PrincipalOrgID"]
    if params.get("SourceAccount"):
        equals["AWS:SourceAccount"] = params["SourceAccount"]
    if params.get("EventSourceToken"):
        equals["lambda:EventSourceToken"] = params["EventSourceToken"]
    condition: dict[str, Any] = {}
    if equals:
        condition["StringEquals"] = equals
    if params.get("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": params["SourceArn"]}
    if params.get("InvokedViaFunctionUrl"):
        condition["Bool"] = {"lambda:InvokedViaFunctionUrl": "true"}
    if condition:
        statement["Condition"] = condition
    return statement


def _principal(principal: str) -> str | dict[str, str]:
    if principal == "*":
        return principal
    if principal.endswith((".amazonaws.com", ".amazon.com")):
        return {"Service": principal}
    if re.fullmatch(r"\d{12}", principal):
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    if _IAM_ARN.fullmatch(principal):
        return {"AWS": principal}
    raise InvalidParameterValueException(
        "The provided principal was invalid. Please check the principal and try again."
    )


def remove_permission(txn: Any, account: str, region: str, params: dict[str, Any]) -> None:
    """RemovePermission; the policy goes when its last statement does."""
    ref = parse_function(params["FunctionName"], params.get("Qualifier"), account, region)
    document = records.load_function(txn, ref)
    if document is None:
        raise ResourceNotFoundException(f"No policy found for: {ref.arn}")
    target = _Target(txn, ref, document)
    policy = txn.get_doc(records.POLICIES, target.key())
    if policy is None:
        raise ResourceNotFoundException("No policy is associated with the given resource.")
    sid = params["StatementId"]
    kept = [statement for statement in policy["Statement"] if statement["Sid"] != sid]
    if len(kept) == len(policy["Statement"]):
        raise ResourceNotFoundException(f"Statement {sid} is not found in resource policy.")
    if params.get("RevisionId") and params["RevisionId"] != target.revision_id:
        raise revision_mismatch()
    if kept:
        txn.put_doc(records.POLICIES, target.key(), {"Statement": kept})
    else:
        txn.delete_doc(records.POLICIES, target.key())
    target.touch()


def get_policy(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """GetPolicy: the policy document as a JSON string, and its version's RevisionId."""
    ref = parse_function(params["FunctionName"], params.get("Qualifier"), account, region)
    document = records.require_function(txn, ref)
    qualifier = ref.qualifier or LATEST
    policy = txn.get_doc(
        records.POLICIES, records.child_key(ref.account, ref.region, ref.name, qualifier)
    )
    if policy is None:
        raise not_found()
    target = _Target(txn, ref, document)
    return {"Policy": _document(policy), "RevisionId": target.revision_id}


def _document(policy: dict[str, Any]) -> str:
    document = {"Version": "2012-10-17", "Id": "default", "Statement": policy["Statement"]}
    return json.dumps(document, separators=(",", ":"))
