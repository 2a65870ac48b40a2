"""IAM's and STS's errors, with the codes, statuses and messages AWS sends."""

from __future__ import annotations

from tidal.core.errors import AWSError


class NoSuchEntity(AWSError):
    code = "NoSuchEntity"
    status = 404


class EntityAlreadyExists(AWSError):
    code = "EntityAlreadyExists"
    status = 409


class DeleteConflict(AWSError):
    code = "DeleteConflict"
    status = 409


class LimitExceeded(AWSError):
    code = "LimitExceeded"
    status = 409


class MalformedPolicyDocument(AWSError):
    code = "MalformedPolicyDocument"
    status = 400


class InvalidInput(AWSError):
    code = "InvalidInput"
    status = 400


class ValidationError(AWSError):
    """What query-protocol services send for a parameter they refuse (IAM, STS)."""

    code = "ValidationError"
    status = 400


class AccessDenied(AWSError):
    code = "AccessDenied"
    status = 403


class ExpiredToken(AWSError):
    code = "ExpiredToken"
    status = 403


def role_not_found(name: str) -> NoSuchEntity:
    return NoSuchEntity(f"The role with name {name} cannot be found.")


def role_policy_not_found(policy_name: str) -> NoSuchEntity:
    return NoSuchEntity(f"The role policy with name {policy_name} cannot be found.")


def policy_not_attachable(arn: str) -> NoSuchEntity:
    return NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")


def policy_not_found(arn: str) -> NoSuchEntity:
    return NoSuchEntity(f"Policy {arn} was not found.")


def invalid_arn(arn: str) -> InvalidInput:
    return InvalidInput(f"ARN {arn} is not valid.")
