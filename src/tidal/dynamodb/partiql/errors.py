"""PartiQL's own errors and the messages DynamoDB words them with.

A statement the PartiQL parser cannot read is answered with `NOT_WELL_FORMED` and the
parser's detail ("Unexpected term", ...); a literal the lexer cannot read gets no detail at
all. Everything else is an ordinary ValidationException raised where it is found.
"""

from __future__ import annotations

from tidal.core.errors import ValidationException
from tidal.dynamodb.errors import DynamoDBError

NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "
MISSING_KEY_EQUALITY = "Where clause does not contain a mandatory equality on all key attributes"
PARAMETER_COUNT = "Number of parameters in request and statement don't match."
DUPLICATE_ITEM = "Duplicate primary key exists in table"


class DuplicateItemException(DynamoDBError):
    code = "DuplicateItemException"


def syntax_error(detail: str = "") -> ValidationException:
    """A statement the parser (or, with no detail, the lexer) could not read."""
    return ValidationException(NOT_WELL_FORMED + detail)
