"""Lambda's modelled errors, and the messages AWS words them with.

Lambda's error shapes disagree on the case of their message member (`Message` on
ResourceNotFoundException and ServiceException, `message` on most others); the protocol
layer reads the key, and the `Type` member AWS adds, from the model's error shape, and the
classes below spell the same key for readers and for errors the model does not list.
"""

from __future__ import annotations

from tidal.core.errors import AWSError


class LambdaError(AWSError):
    """A Lambda error."""


class ResourceNotFoundException(LambdaError):
    code = "ResourceNotFoundException"
    status = 404
    message_key = "Message"


class ResourceConflictException(LambdaError):
    code = "ResourceConflictException"
    status = 409


class ResourceInUseException(LambdaError):
    code = "ResourceInUseException"
    status = 400
    message_key = "Message"


class InvalidParameterValueException(LambdaError):
    code = "InvalidParameterValueException"
    status = 400


class InvalidRequestContentException(LambdaError):
    code = "InvalidRequestContentException"
    status = 400


class PreconditionFailedException(LambdaError):
    code = "PreconditionFailedException"
    status = 412


class PolicyLengthExceededException(LambdaError):
    code = "PolicyLengthExceededException"
    status = 400


class CodeStorageExceededException(LambdaError):
    code = "CodeStorageExceededException"
    status = 400


class RequestEntityTooLargeException(LambdaError):
    """Not in the model (botocore only shows its code and message), but what AWS sends for
    an oversized package."""

    code = "RequestEntityTooLargeException"
    status = 413


class RequestTooLargeException(LambdaError):
    code = "RequestTooLargeException"
    status = 413


class UnsupportedMediaTypeException(LambdaError):
    code = "UnsupportedMediaTypeException"
    status = 415


class TooManyRequestsException(LambdaError):
    """Throttling; `Reason` is one of the model's ThrottleReason values, and the protocol
    puts `retryAfterSeconds` in the `Retry-After` header."""

    code = "TooManyRequestsException"
    status = 429


class ProvisionedConcurrencyConfigNotFoundException(LambdaError):
    code = "ProvisionedConcurrencyConfigNotFoundException"
    status = 404


class AccessDeniedException(LambdaError):
    code = "AccessDeniedException"
    status = 403
    message_key = "Message"


class ServiceException(LambdaError):
    code = "ServiceException"
    status = 500
    message_key = "Message"


class ResourceNotReadyException(LambdaError):
    code = "ResourceNotReadyException"
    status = 502


class InvalidRuntimeException(LambdaError):
    code = "InvalidRuntimeException"
    status = 502
    message_key = "Message"


class InvalidZipFileException(LambdaError):
    code = "InvalidZipFileException"
    status = 502
    message_key = "Message"


REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)


def function_not_found(arn: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"Function not found: {arn}")


def alias_not_found(alias_arn: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"Cannot find alias arn: {alias_arn}")


def not_found() -> ResourceNotFoundException:
    return ResourceNotFoundException("The resource you requested does not exist.")


def revision_mismatch() -> PreconditionFailedException:
    return PreconditionFailedException(REVISION_MISMATCH)


def update_in_progress(function_arn: str) -> ResourceConflictException:
    return ResourceConflictException(
        "The operation cannot be performed at this time. "
        f"An update is in progress for resource: {function_arn}"
    )
