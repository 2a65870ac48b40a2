"""The one error hierarchy: domains raise these, `server/` renders them once per protocol."""

from __future__ import annotations

from typing import Any


class AWSError(Exception):
    """An error a real AWS client understands: a code, an HTTP status and a message.

    `namespace` is the JSON `__type` prefix; None means "the service's own namespace",
    which the protocol layer fills in. `message_key` is `message` or `Message`, as AWS
    spells it for this error. `fields` are extra members of the error body (for example
    `Item` or `CancellationReasons`).
    """

    code = "InternalFailure"
    status = 400
    namespace: str | None = None
    message_key = "message"

    def __init__(self, message: str = "", **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ValidationException(AWSError):
    code = "ValidationException"
    namespace = "com.amazon.coral.validate"


class SerializationException(AWSError):
    code = "SerializationException"
    namespace = "com.amazon.coral.service"
    message_key = "Message"


class UnknownOperationException(AWSError):
    code = "UnknownOperationException"
    namespace = "com.amazon.coral.service"


class MissingAuthenticationTokenException(AWSError):
    code = "MissingAuthenticationTokenException"
    namespace = "com.amazon.coral.service"


class InternalServerError(AWSError):
    code = "InternalServerError"
    status = 500
