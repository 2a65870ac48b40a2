"""DynamoDB's modelled errors (`com.amazonaws.dynamodb.v20120810#…`)."""

from __future__ import annotations

from tidal.core.errors import AWSError, ValidationException

NAMESPACE = "com.amazonaws.dynamodb.v20120810"

__all__ = [
    "ConditionalCheckFailedException",
    "IdempotentParameterMismatchException",
    "ItemCollectionSizeLimitExceededException",
    "LimitExceededException",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "TransactionCanceledException",
    "ValidationException",
]


class DynamoDBError(AWSError):
    namespace = NAMESPACE


class AccessDeniedException(AWSError):
    code = "AccessDeniedException"
    namespace = "com.amazon.coral.service"


class ResourceNotFoundException(DynamoDBError):
    code = "ResourceNotFoundException"


class ResourceInUseException(DynamoDBError):
    code = "ResourceInUseException"


class TableNotFoundException(DynamoDBError):
    code = "TableNotFoundException"


class ConditionalCheckFailedException(DynamoDBError):
    code = "ConditionalCheckFailedException"


class LimitExceededException(DynamoDBError):
    code = "LimitExceededException"


class TransactionCanceledException(DynamoDBError):
    code = "TransactionCanceledException"
    message_key = "Message"


class IdempotentParameterMismatchException(DynamoDBError):
    code = "IdempotentParameterMismatchException"
    message_key = "Message"


class ItemCollectionSizeLimitExceededException(DynamoDBError):
    code = "ItemCollectionSizeLimitExceededException"


def invalid(detail: str) -> ValidationException:
    """AWS's most common semantic validation error."""
    return ValidationException(f"One or more parameter values were invalid: {detail}")
