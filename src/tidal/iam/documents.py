"""Policy documents: the grammar IAM checks when a policy is stored, and how it returns one.

IAM keeps a document as the text it was given and returns it percent-encoded (botocore
decodes it back to a dict for boto3 users). Checking follows IAM's order and words: JSON
first, then the shape of the document, then each statement. Two kinds of documents:
permissions policies (inline and managed; no Principal, Resource required) and trust
policies (a role's AssumeRolePolicyDocument; Principal required, Resource prohibited).
Nothing here decides whether a request is allowed: that is enforcement, not validation.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from tidal.iam.errors import MalformedPolicyDocument

VERSIONS = ("2008-10-17", "2012-10-17")
DOCUMENT_FIELDS = frozenset({"Version", "Id", "Statement"})
STATEMENT_FIELDS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
PRINCIPAL_KINDS = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})

INVALID_JSON = "This policy contains invalid Json"
SYNTAX = "Syntax errors in policy."
LEGACY = "The policy failed legacy parsing"
NO_ACTIONS = "Policy statement must contain actions."
NO_RESOURCES = "Policy statement must contain resources."
NO_VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
COLONS = "Actions/Condition can contain only one colon."
HAS_PRINCIPAL = "Policy document should not specify a principal."
NO_PRINCIPALS = (
    "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: "
    "The passed in policy has a statement with no principals!"
)
SID_PATTERN = re.compile(r"[0-9A-Za-z]*")
SID_NOT_ALPHANUMERIC = (
    "Statement IDs (SID) must be alpha-numeric. "
    "Check that your input satisfies the regular expression [0-9A-Za-z]*"
)
SID_NOT_UNIQUE = "Statement IDs (SID) in a single policy must be unique."


def check_permissions_policy(text: str, *, managed: bool = False) -> dict[str, Any]:
    """The parsed document of an inline (`managed=False`) or managed permissions policy."""
    document = _document(text)
    sids: set[str] = set()
    for statement in _statements(document):
        _check_common(statement)
        if "Principal" in statement or "NotPrincipal" in statement:
            raise MalformedPolicyDocument(HAS_PRINCIPAL)
        _check_resources(statement)
        sid = statement.get("Sid", "")
        if managed and not SID_PATTERN.fullmatch(sid):
            raise MalformedPolicyDocument(SID_NOT_ALPHANUMERIC)
        if sid and sid in sids:
            raise MalformedPolicyDocument(SID_NOT_UNIQUE)
        sids.add(sid)
    return document


def check_trust_policy(text: str) -> dict[str, Any]:
    """The parsed document of a role's trust policy (AssumeRolePolicyDocument)."""
    document = _document(text)
    for statement in _statements(document):
        _check_common(statement)
        for field in ("Resource", "NotResource"):
            if field in statement:
                raise MalformedPolicyDocument(f"Has prohibited field {field}")
        principals = [statement[k] for k in ("Principal", "NotPrincipal") if k in statement]
        if not principals:
            raise MalformedPolicyDocument(NO_PRINCIPALS)
        for principal in principals:
            _check_principal(principal)
    return document


def parse(text: str) -> dict[str, Any]:
    """A stored (already checked) document as a dict."""
    return json.loads(text)


def quoted(text: str) -> str:
    """A document as IAM returns it: the stored text, percent-encoded."""
    return quote(text, safe="")


def size(text: str) -> int:
    """A document's size as IAM's quotas count it: its characters, less white space."""
    return sum(1 for character in text if not character.isspace())


def _document(text: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise MalformedPolicyDocument(INVALID_JSON) from error
    if (
        not isinstance(document, dict)
        or "Statement" not in document
        or set(document) - DOCUMENT_FIELDS
    ):
        raise MalformedPolicyDocument(SYNTAX)
    version = document.get("Version", VERSIONS[0])
    if version not in VERSIONS:
        raise MalformedPolicyDocument(LEGACY)
    if not isinstance(document.get("Id", ""), str):
        raise MalformedPolicyDocument(SYNTAX)
    return document


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise MalformedPolicyDocument(SYNTAX)
    for statement in statements:
        if not isinstance(statement, dict) or set(statement) - STATEMENT_FIELDS:
            raise MalformedPolicyDocument(SYNTAX)
    return statements


def _check_common(statement: dict[str, Any]) -> None:
    """What every statement must hold: a Sid string, an Effect, actions, a Condition map."""
    if not isinstance(statement.get("Sid", ""), str) or "Effect" not in statement:
        raise MalformedPolicyDocument(SYNTAX)
    if statement["Effect"] not in ("Allow", "Deny"):
        raise MalformedPolicyDocument(LEGACY)
    actions = _one_of(statement, "Action", "NotAction")
    if not actions:
        raise MalformedPolicyDocument(NO_ACTIONS)
    for action in actions:
        _check_action(action)
    condition = statement.get("Condition", {})
    if not isinstance(condition, dict) or not all(isinstance(v, dict) for v in condition.values()):
        raise MalformedPolicyDocument(SYNTAX)


def _check_action(action: str) -> None:
    if action == "*":
        return
    colons = action.count(":")
    if colons == 0 or action.startswith(":"):
        raise MalformedPolicyDocument(NO_VENDOR)
    if colons > 1:
        raise MalformedPolicyDocument(COLONS)


def _check_resources(statement: dict[str, Any]) -> None:
    resources = _one_of(statement, "Resource", "NotResource")
    if not resources:
        raise MalformedPolicyDocument(NO_RESOURCES)
    for resource in resources:
        if resource != "*" and (not resource.startswith("arn:") or resource.count(":") < 5):
            raise MalformedPolicyDocument(f'Resource {resource} must be in ARN format or "*".')


def _check_principal(principal: Any) -> None:
    if principal == "*":
        return
    if not isinstance(principal, dict) or not principal:
        raise MalformedPolicyDocument(SYNTAX)
    for kind, value in principal.items():
        names = _strings(value)
        if names is None:
            raise MalformedPolicyDocument(SYNTAX)
        if kind not in PRINCIPAL_KINDS:
            shown = json.dumps(names[0]) if names else '""'
            raise MalformedPolicyDocument(f'Invalid principal in policy: "{kind}":{shown}')


def _one_of(statement: dict[str, Any], field: str, negated: str) -> list[str] | None:
    """The values of `field` or of `negated` (a statement may hold one, not both)."""
    if field in statement and negated in statement:
        raise MalformedPolicyDocument(SYNTAX)
    present = field if field in statement else negated if negated in statement else None
    if present is None:
        return None
    values = _strings(statement[present])
    if values is None:
        raise MalformedPolicyDocument(SYNTAX)
    return values


def _strings(value: Any) -> list[str] | None:
    """A string or a list of strings as a list; None for anything else."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None
