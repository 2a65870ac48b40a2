"""PartiQL literals and `?` parameters as DynamoDB attribute values.

Strings, numbers, booleans and NULL are scalars; `[...]` is a list, `{'k': v}` a map and
`<<...>>` a string or number set (its first member decides which). A problem names where it
sits inside the value: "... under root.m[1]". Parameters are typed values already; they
are checked like any request value.
"""

from __future__ import annotations

from typing import Any

from tidal.core.errors import ValidationException
from tidal.dynamodb import types
from tidal.dynamodb.types import format_number, normal_number

from . import ast
from .errors import PARAMETER_COUNT

Value = dict[str, Any]

UNSUPPORTED_IN_BAG = (
    "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"
)
# What DynamoDB calls a node that is no value, in "Unsupported data type: <name> under ...".
NODE_NAMES = {
    ast.Name: "VariableReference",
    ast.Parameter: "Parameter",
    ast.Path: "Path",
    ast.Call: "NAry",
    ast.Unary: "NAry",
    ast.Binary: "NAry",
    ast.Between: "NAry",
    ast.Is: "Typed",
    ast.Select: "Select",
    ast.Collection: "Seq",
    ast.Struct: "Struct",
    ast.Dml: "DataManipulation",
}
IDENTIFIERS = {
    ast.Path: "PATH",
    ast.Parameter: "PARAMETER",
    ast.Select: "SELECT",
    ast.Struct: "STRUCT",
    ast.Between: "between",
    ast.Is: "is",
}
LITERAL_TYPES = {
    "string": "STRING",
    "int": "INT",
    "decimal": "DECIMAL",
    "bool": "BOOL",
    "null": "NULL",
}


class Parameters:
    """A statement's `Parameters`, checked once, handed out by position.

    More values than the statement's `expected` placeholders are refused at once; too few
    only when a placeholder without a value is reached, as DynamoDB orders its checks.
    """

    def __init__(self, values: list[Value] | None, expected: int) -> None:
        if len(values or ()) > expected:
            raise ValidationException(PARAMETER_COUNT)
        self._values = [types.validate_value(value) for value in values or ()]

    def get(self, node: ast.Parameter) -> Value:
        if node.position > len(self._values):
            raise ValidationException(PARAMETER_COUNT)
        return self._values[node.position - 1]


def is_value(node: Any) -> bool:
    """Whether `node` is written as a value (a literal, collection or map)."""
    return (isinstance(node, ast.Literal) and node.kind != "missing") or isinstance(
        node, ast.Collection | ast.Struct
    )


def literal(node: Any, path: str = "root") -> Value:
    """The attribute value `node` writes; ValidationException naming the problem's place."""
    if isinstance(node, ast.Literal):
        return _scalar(node, path)
    if isinstance(node, ast.Struct):
        return {"M": _members(node, path)}
    if isinstance(node, ast.Collection) and node.kind == "list":
        return {"L": [literal(item, f"{path}[{i}]") for i, item in enumerate(node.items)]}
    if isinstance(node, ast.Collection) and node.kind == "bag":
        return _set(node, path)
    raise unsupported(node, path)


def identifier_of(node: Any) -> str:
    """How DynamoDB names a node it cannot use where it stands."""
    if isinstance(node, ast.Literal):
        if node.kind == "missing":
            return "MISSING"
        return f'"{node.value}"' if node.kind == "string" else str(node.value).lower()
    if isinstance(node, ast.Name):
        return node.text
    if isinstance(node, ast.Call):
        return node.name
    if isinstance(node, ast.Binary | ast.Unary):
        return node.op
    if isinstance(node, ast.Collection):
        return node.kind.upper()
    return IDENTIFIERS.get(type(node), "UNKNOWN")


def unsupported(node: Any, path: str) -> ValidationException:
    if isinstance(node, ast.Literal):
        kind = "MISSING" if node.kind == "missing" else LITERAL_TYPES[node.kind]
    else:
        kind = NODE_NAMES.get(type(node), type(node).__name__)
    return ValidationException(f"Unsupported data type: {kind} under key {path}")


def attribute_name(node: Any, path: str) -> str:
    """A map key: a string literal, not empty."""
    if not (isinstance(node, ast.Literal) and node.kind == "string"):
        kind = (
            LITERAL_TYPES.get(node.kind, "MISSING")
            if isinstance(node, ast.Literal)
            else NODE_NAMES.get(type(node), type(node).__name__)
        )
        raise ValidationException(
            f"Tuple keys must be of type String. Actual type: {kind} under {path}"
        )
    if not node.value:
        raise ValidationException("Path component cannot be an empty string")
    return node.value


def _members(node: ast.Struct, path: str) -> dict[str, Value]:
    members: dict[str, Value] = {}
    for key, value in node.fields:
        name = attribute_name(key, path)
        converted = literal(value, f"{path}.{name}")
        if name in members:
            raise ValidationException(f"Duplicate keys in tuple. Key: {name} under {path}")
        members[name] = converted
    return members


def _scalar(node: ast.Literal, path: str) -> Value:
    if node.kind == "string":
        return {"S": node.value}
    if node.kind == "bool":
        return {"BOOL": node.value}
    if node.kind == "null":
        return {"NULL": True}
    if node.kind in ("int", "decimal"):
        return {"N": number(node, path)}
    raise unsupported(node, path)


def number(node: ast.Literal, path: str) -> str:
    """A number literal in DynamoDB's canonical form, range-checked."""
    text = node.value
    negative = text.startswith("-")
    mantissa, _, exponent = text.lstrip("+-").lower().partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    if negative and node.kind == "decimal" and not digits.strip("0"):
        raise ValidationException(f"Negative zero decimal is not supported under key {path}")
    try:
        parsed = normal_number(negative, digits, int(exponent or 0) - len(fraction))
    except ValidationException as error:
        raise ValidationException(f"{error.message} under {path}") from None
    return format_number(*parsed)


def _set(node: ast.Collection, path: str) -> Value:
    if not node.items:
        raise ValidationException("Empty bags are not supported")
    first = node.items[0]
    if not isinstance(first, ast.Literal) or first.kind not in ("string", "int", "decimal"):
        raise ValidationException(UNSUPPORTED_IN_BAG)
    if first.kind == "string":
        members = [_set_member(item, ("string",), path) for item in node.items]
        return types.validate_value({"SS": members})
    members = [_set_member(item, ("int", "decimal"), path) for item in node.items]
    return types.validate_value({"NS": members})


def _set_member(node: Any, kinds: tuple[str, ...], path: str) -> str:
    if isinstance(node, ast.Literal) and node.kind in kinds:
        return number(node, path) if node.kind != "string" else node.value
    if isinstance(node, ast.Literal) and node.kind == "null" and kinds != ("string",):
        raise ValidationException(f"Numeric sets may not contain null under {path}")
    raise ValidationException(UNSUPPORTED_IN_BAG)
