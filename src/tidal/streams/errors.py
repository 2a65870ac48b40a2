"""DynamoDB Streams' modelled errors; AWS sends them in DynamoDB's namespace."""

from __future__ import annotations

from tidal.core.errors import AWSError

NAMESPACE = "com.amazonaws.dynamodb.v20120810"


class StreamsError(AWSError):
    namespace = NAMESPACE


class ResourceNotFoundException(StreamsError):
    code = "ResourceNotFoundException"


class ExpiredIteratorException(StreamsError):
    code = "ExpiredIteratorException"


class TrimmedDataAccessException(StreamsError):
    code = "TrimmedDataAccessException"


def stream_not_found(stream_arn: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(
        f"Requested resource not found: Stream: {stream_arn} not found"
    )


def shard_not_found() -> ResourceNotFoundException:
    return ResourceNotFoundException("Requested resource not found: Shard does not exist")


def trimmed() -> TrimmedDataAccessException:
    return TrimmedDataAccessException("The data you are trying to access has been trimmed.")
