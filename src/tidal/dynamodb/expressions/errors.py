"""Errors raised while parsing and binding, before the expression kind is known to the message."""

from __future__ import annotations

from tidal.core.errors import ValidationException


class ExpressionError(Exception):
    """A problem with one expression; the message lacks the "Invalid <kind>: " prefix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def for_kind(self, kind: str) -> ValidationException:
        return ValidationException(f"Invalid {kind}: {self.message}")


class FirstErrors:
    """Remembers the first error of each kind; reports the one AWS would by its precedence."""

    __slots__ = ("found",)

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def add(self, slot: str, message: str) -> None:
        self.found.setdefault(slot, message)

    def raise_first(self, order: tuple[str, ...]) -> None:
        for slot in order:
            message = self.found.get(slot)
            if message is not None:
                raise ExpressionError(message)


UNKNOWN_FUNCTION = "Invalid function name; function: {}"
MISUSED_FUNCTION = "The function is not allowed to be used this way in an expression; function: {}"
RESERVED = "Attribute name is a reserved keyword; reserved keyword: {}"
UNDEFINED_NAME = (
    "An expression attribute name used in the document path is not defined; attribute name: {}"
)
UNDEFINED_VALUE = (
    "An expression attribute value used in expression is not defined; attribute value: {}"
)
OPERAND_COUNT = (
    "Incorrect number of operands for operator or function; "
    "operator or function: {}, number of operands: {}"
)
OPERAND_TYPE = (
    "Incorrect operand type for operator or function; operator or function: {}, operand type: {}"
)
PATH_TOO_DEEP = "The document path has too many nesting levels; nesting levels: {}"
NEEDS_PATH = "Operator or function requires a document path; operator or function: {}"
