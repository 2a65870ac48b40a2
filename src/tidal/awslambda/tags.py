"""Tags on functions: TagResource, UntagResource, ListTags.

Tags belong to the function (not to a version or alias), live in its document, and
changing them gives $LATEST a new RevisionId, as on AWS.
"""

from __future__ import annotations

from typing import Any

from tidal.awslambda import records
from tidal.awslambda.errors import InvalidParameterValueException, ResourceNotFoundException
from tidal.awslambda.names import FunctionRef, parse_function
from tidal.core.arns import parse_arn
from tidal.core.errors import ValidationException
from tidal.core.ids import new_uuid

MAX_TAGS = 50


def checked(tags: dict[str, str]) -> dict[str, str]:
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValueException("Number of tags exceeds resource tag limit.")
    return dict(tags)


def _function(
    txn: Any, account: str, region: str, resource: str
) -> tuple[FunctionRef, dict[str, Any]]:
    """The function a taggable resource ARN names (Tidal tags functions only)."""
    parts = parse_arn(resource)
    if parts is None or not parts[3].startswith("function:"):
        raise ResourceNotFoundException(f"The resource {resource} does not exist.")
    ref = parse_function(resource, None, account, region)
    if ref.qualifier is not None:
        raise InvalidParameterValueException(
            "Tags on function aliases and versions are not supported. Please specify a "
            "function ARN."
        )
    return ref, records.require_function(txn, ref)


def tag(txn: Any, account: str, region: str, params: dict[str, Any]) -> None:
    """TagResource: add or overwrite tags."""
    if not params.get("Tags"):
        raise InvalidParameterValueException(
            "An error occurred and the request cannot be processed."
        )
    _, document = _function(txn, account, region, params["Resource"])
    document["Tags"] = checked({**document["Tags"], **params["Tags"]})
    document["Latest"]["RevisionId"] = new_uuid()
    records.save_function(txn, account, region, document)


def untag(txn: Any, account: str, region: str, params: dict[str, Any]) -> None:
    """UntagResource: keys that are not there are ignored."""
    if not params.get("TagKeys"):
        raise ValidationException(
            "1 validation error detected: Value null at 'tagKeys' failed to satisfy "
            "constraint: Member must not be null"
        )
    _, document = _function(txn, account, region, params["Resource"])
    removed = set(params["TagKeys"])
    document["Tags"] = {key: value for key, value in document["Tags"].items() if key not in removed}
    document["Latest"]["RevisionId"] = new_uuid()
    records.save_function(txn, account, region, document)


def list_tags(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """ListTags."""
    _, document = _function(txn, account, region, params["Resource"])
    return {"Tags": dict(document["Tags"])}
