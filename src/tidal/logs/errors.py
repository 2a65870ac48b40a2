"""CloudWatch Logs' modelled errors, with the messages AWS sends (reference/logs-ses.md Part A).

Logs answers every client error with HTTP 400, and model-constraint violations too come as
InvalidParameterException ("1 validation error detected: ..."), not ValidationException.
"""

from __future__ import annotations

from tidal.core.errors import AWSError


class InvalidParameterException(AWSError):
    code = "InvalidParameterException"


class ResourceNotFoundException(AWSError):
    code = "ResourceNotFoundException"


class ResourceAlreadyExistsException(AWSError):
    code = "ResourceAlreadyExistsException"


class ValidationException(AWSError):
    """Logs' own ValidationException (only a few checks raise it), in the service namespace."""

    code = "ValidationException"


class TooManyTagsException(AWSError):
    code = "TooManyTagsException"


def group_not_found() -> ResourceNotFoundException:
    return ResourceNotFoundException("The specified log group does not exist.")


def stream_not_found() -> ResourceNotFoundException:
    return ResourceNotFoundException("The specified log stream does not exist.")


def group_exists() -> ResourceAlreadyExistsException:
    return ResourceAlreadyExistsException("The specified log group already exists")


def stream_exists() -> ResourceAlreadyExistsException:
    return ResourceAlreadyExistsException("The specified log stream already exists")


def name_too_long() -> InvalidParameterException:
    return InvalidParameterException(
        "Invalid LogGroup or LogStream, both must have length less than or equal to 512."
    )


def bad_token() -> InvalidParameterException:
    return InvalidParameterException("The specified nextToken is invalid.")


def invalid(message: str) -> InvalidParameterException:
    return InvalidParameterException(message)


def constraint(value: object, member: str, rule: str) -> InvalidParameterException:
    """One broken constraint, worded as AWS's request validation words it."""
    return InvalidParameterException(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: {rule}"
    )
