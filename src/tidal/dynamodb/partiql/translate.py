"""PartiQL WHERE, SET/REMOVE and select lists as DynamoDB expressions.

DynamoDB runs a PartiQL condition through the same evaluator as a ConditionExpression, so
the translation writes one: every name becomes a `#nK` placeholder and every literal or
parameter a `:vK` value, and the expression engine checks and compiles it, with its own
messages (less the "Invalid ConditionExpression: " the PartiQL surface does not print).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tidal.core.errors import ValidationException
from tidal.dynamodb.expressions import Condition, DocPath, ExpressionContext, Projection, Update
from tidal.dynamodb.expressions.paths import get_path

from . import ast
from .values import Parameters, Value, identifier_of, is_value, literal

COMPARATORS = frozenset(("=", "<>", "<", "<=", ">", ">="))
LOGICAL = COMPARATORS | {"and", "or", "not", "in", "not_in"}
"""Operators that make a condition: no operand of one."""
CONDITION_FUNCTIONS = frozenset(
    ("attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains")
)
VALUE_FUNCTIONS = frozenset(("size", "list_append", "if_not_exists"))
SET_FUNCTIONS = {"set_add": "ADD", "set_delete": "DELETE"}
IS_TYPES = {
    "BOOLEAN": "BOOL",
    "NUMERIC": "N",
    "STRING": "S",
    "BLOB": "B",
    "STRUCT": "M",
    "TUPLE": "M",
    "LIST": "L",
}
INVALID_IN = (
    "IN operator must have a left hand argument of type Variable Reference and right hand "
    "argument of type Seq with at least one member"
)
NOT_BOOLEAN = "WHERE clause must contain an expression that resolves to a boolean"
NOT_EXPRESSIONS = "The arguments to AND/OR must be Expressions"
OPERATOR_SYMBOLS = {"not_like": "like", "union_all": "union", "intersect_all": "intersect"}


@dataclass(frozen=True, slots=True)
class Piece:
    """A translated node: its expression text and whether it is a condition."""

    text: str
    condition: bool = False


class Translator:
    """One statement's placeholders, and the translation of its parts into expressions."""

    def __init__(self, parameters: Parameters) -> None:
        self.parameters = parameters
        self.names: dict[str, str] = {}
        self.values: dict[str, Value] = {}
        self._refs: dict[str, str] = {}

    # -- placeholders ---------------------------------------------------------------------

    def name(self, text: str) -> str:
        if not text:
            raise ValidationException("Path component cannot be an empty string")
        ref = self._refs.get(text)
        if ref is None:
            ref = self._refs[text] = f"#n{len(self._refs)}"
            self.names[ref] = text
        return ref

    def value(self, value: Value) -> str:
        ref = f":v{len(self.values)}"
        self.values[ref] = value
        return ref

    def value_of(self, node: Any) -> Value:
        """A literal or parameter's attribute value."""
        if isinstance(node, ast.Parameter):
            return self.parameters.get(node)
        return literal(node)

    # -- paths ----------------------------------------------------------------------------

    def path(self, node: Any) -> tuple[DocPath, str]:
        """The document path `node` names and its placeholder text."""
        if isinstance(node, ast.Name):
            return (node.text,), self.name(node.text)
        if isinstance(node.root, ast.Collection):
            raise ValidationException("A path cannot start with a list index")
        if not isinstance(node.root, ast.Name):
            raise ValidationException("Unexpected path component")
        elements: list[str | int] = [node.root.text]
        text = self.name(node.root.text)
        for step in node.steps:
            element = _element(step)
            elements.append(element)
            text += f"[{element}]" if type(element) is int else "." + self.name(element)  # type: ignore[arg-type]
        return tuple(elements), text

    # -- conditions -----------------------------------------------------------------------

    def conjuncts(self, where: Any) -> list[Piece]:
        """The WHERE clause's AND-ed conditions, each translated (and checked to be one)."""
        nodes = flatten_and(where)
        pieces = [self.condition(node) for node in nodes]
        for piece in pieces:
            if not piece.condition:
                raise ValidationException(NOT_BOOLEAN if len(nodes) == 1 else NOT_EXPRESSIONS)
        return pieces

    def condition(self, node: Any) -> Piece:
        if isinstance(node, ast.Binary):
            if node.op in ("and", "or"):
                left, right = self.condition(node.left), self.condition(node.right)
                if not (left.condition and right.condition):
                    raise ValidationException(NOT_EXPRESSIONS)
                return Piece(f"({left.text}) {node.op.upper()} ({right.text})", True)
            if node.op in COMPARATORS:
                left, right = self.operand(node.left), self.operand(node.right)
                return Piece(f"{left} {node.op} {right}", True)
            if node.op in ("in", "not_in"):
                return self._in(node)
            raise _unsupported_operator("Condition", node.op)
        if isinstance(node, ast.Unary):
            if node.op != "not":
                raise _unsupported_operator("Condition", node.op)
            inner = self.condition(node.operand)
            if not inner.condition:
                raise ValidationException("The argument to NOT must be a Type or Expression")
            return Piece(f"NOT ({inner.text})", True)
        if isinstance(node, ast.Between):
            value, low, high = (self.operand(n) for n in (node.value, node.low, node.high))
            return _negated(Piece(f"{value} BETWEEN {low} AND {high}", True), node.negated)
        if isinstance(node, ast.Is):
            return self._is(node)
        if isinstance(node, ast.Call):
            return self.call(node, self.operand)
        return Piece(self.operand(node))

    def operand(self, node: Any) -> str:
        if isinstance(node, ast.Name | ast.Path):
            return self.path(node)[1]
        if isinstance(node, ast.Literal) and node.kind == "missing":
            raise ValidationException("MISSING must be compared using IS operator")
        if is_value(node) or isinstance(node, ast.Parameter):
            return self.value(self.value_of(node))
        if isinstance(node, ast.Call):
            return self.call(node, self.operand).text
        if isinstance(node, ast.Binary | ast.Unary) and node.op not in LOGICAL:
            raise _unsupported_operator("Condition", node.op)
        raise _unsupported_token(node)

    def call(self, node: ast.Call, argument: Callable[[Any], str]) -> Piece:
        if node.name not in CONDITION_FUNCTIONS and node.name not in VALUE_FUNCTIONS:
            raise ValidationException(f"Unrecognized function: {node.name}")
        args = ", ".join(argument(arg) for arg in node.args)
        text = f"{node.name}({args})"
        return Piece(text, condition=node.name in CONDITION_FUNCTIONS)

    def _in(self, node: ast.Binary) -> Piece:
        choices = node.right
        if not isinstance(choices, ast.Collection) or not choices.items:
            raise ValidationException(INVALID_IN)
        value = self.operand(node.left)
        listed = ", ".join(self.operand(item) for item in choices.items)
        return _negated(Piece(f"{value} IN ({listed})", True), node.op == "not_in")

    def _is(self, node: ast.Is) -> Piece:
        if not isinstance(node.value, ast.Name | ast.Path | ast.Literal):
            raise ValidationException(
                "The left hand side argument to IS must be a Variable Reference, Literal, or Path"
            )
        operand = self.operand(node.value)
        if node.type_name == "MISSING":
            piece = Piece(f"attribute_not_exists({operand})", True)
        elif node.type_name == "NULL":
            piece = Piece(f"{operand} = {self.value({'NULL': True})}", True)
        elif node.type_name in IS_TYPES:
            kind = self.value({"S": IS_TYPES[node.type_name]})
            piece = Piece(f"attribute_type({operand}, {kind})", True)
        else:
            raise ValidationException(
                f"Unsupported data type for IS operator: {node.type_name}. Supported data types "
                "are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"
            )
        return _negated(piece, node.negated)

    def bind_condition(self, text: str) -> Condition:
        return self._bind(lambda context: context.condition(text))

    # -- updates --------------------------------------------------------------------------

    def update(self, ops: tuple[Any, ...]) -> str:
        """The UpdateExpression of SET/REMOVE operations (set_add/set_delete are ADD/DELETE)."""
        clauses: dict[str, list[str]] = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
        for op in ops:
            if not isinstance(op, ast.Assign | ast.Remove):
                raise ValidationException(
                    "Only SET and REMOVE are supported in update expressions at this time"
                )
            if not isinstance(op.target, ast.Name | ast.Path):
                raise ValidationException(
                    f"Unrecognized assignment target: {identifier_of(op.target)}"
                )
            path, target = self.path(op.target)
            if isinstance(op, ast.Remove):
                clauses["REMOVE"].append(target)
            elif isinstance(op.value, ast.Call) and op.value.name in SET_FUNCTIONS:
                clause = SET_FUNCTIONS[op.value.name]
                clauses[clause].append(f"{target} {self._set_operand(op, path, clause)}")
            else:
                clauses["SET"].append(f"{target} = {self.update_operand(op.value)}")
        return " ".join(f"{word} {', '.join(items)}" for word, items in clauses.items() if items)

    def update_operand(self, node: Any) -> str:
        if isinstance(node, ast.Binary) and node.op in ("+", "-"):
            return f"{self.update_operand(node.left)} {node.op} {self.update_operand(node.right)}"
        if isinstance(node, ast.Binary | ast.Unary | ast.Between):
            raise _unsupported_operator("Update", getattr(node, "op", "between"))
        if isinstance(node, ast.Is):
            raise ValidationException("IS operator is not supported in update expressions")
        if isinstance(node, ast.Call):
            return self.call(node, self.update_operand).text
        return self.operand(node)

    def _set_operand(self, op: ast.Assign, target: DocPath, clause: str) -> str:
        call = op.value
        if len(call.args) != 2:
            raise ValidationException(f"SET_{clause} must have exactly two arguments")
        first, second = call.args
        if not isinstance(first, ast.Name | ast.Path) or self.path(first)[0] != target:
            raise ValidationException(
                f"The first argument to SET_{clause} must equal the assignment value"
            )
        if not (is_value(second) or isinstance(second, ast.Parameter)) or not _is_set(
            self.value_of(second)
        ):
            raise ValidationException(
                f"The second argument to SET_{clause} must be a value with type SET"
            )
        return self.value(self.value_of(second))

    def bind_update(self, text: str) -> Update:
        return self._bind(lambda context: context.update(text))

    # -- projections ----------------------------------------------------------------------

    def projection(self, items: tuple[ast.SelectItem, ...]) -> Projection:
        texts = []
        seen: set[str] = set()
        for item in items:
            if isinstance(item.expr, ast.ProjectAll):
                raise ValidationException("Changing item's hierarchy while reading isn't supported")
            if item.alias is not None:
                raise ValidationException("Aliasing is not supported")
            if not isinstance(item.expr, ast.Name | ast.Path):
                raise ValidationException("Unexpected path component")
            path, text = self.path(item.expr)
            name = result_name(path)
            if name in seen:
                raise ValidationException(f"Duplicate identifiers in select clause: {name}")
            seen.add(name)
            texts.append(text)
        return self._bind(lambda context: context.projection(", ".join(texts)))

    def _bind(self, bind: Callable[[ExpressionContext], Any]) -> Any:
        context = ExpressionContext(self.names or None, self.values or None)
        try:
            return bind(context)
        except ValidationException as error:
            kind, _, detail = error.message.partition(": ")
            if kind.startswith("Invalid ") and kind.endswith("Expression"):
                raise ValidationException(detail) from None
            raise


class SelectList(Projection):
    """The select list of an ExecuteStatement SELECT: each path comes back under its result
    name, not nested (`a.b[1]` -> `b[1]`)."""

    __slots__ = ()

    def apply(self, item: dict[str, Value]) -> dict[str, Value]:
        result = {}
        for path in self.paths:
            value = get_path(item, path)
            if value is not None:
                result[result_name(path)] = value
        return result


def result_name(path: DocPath) -> str:
    """The attribute a projected path comes back under: its last name, with the list indexes
    after it (`a.b[1]` -> `b[1]`)."""
    name = ""
    for element in path:
        name = f"{name}[{element}]" if type(element) is int else str(element)
    return name


def flatten_and(node: Any) -> list[Any]:
    if isinstance(node, ast.Binary) and node.op == "and":
        return flatten_and(node.left) + flatten_and(node.right)
    return [node]


def and_text(pieces: list[Piece]) -> str | None:
    if not pieces:
        return None
    return " AND ".join(f"({piece.text})" for piece in pieces)


def path_element(step: ast.Step) -> str | int:
    """What a step of a path names: an attribute (`.a`, `['a']`) or a list index (`[1]`)."""
    if step.kind == "name":
        return step.value
    if step.kind == "unpivot":
        raise ValidationException("Unpivot path component like a.*.b are not supported")
    if step.kind == "wildcard":
        raise ValidationException("Wildcard path component like a[*].b are not supported")
    index = step.value
    if isinstance(index, ast.Literal) and index.kind == "string":
        return index.value
    if isinstance(index, ast.Literal) and index.kind == "int":
        return int(index.value)
    raise ValidationException("Unexpected path component")


def _element(step: ast.Step) -> str | int:
    """A step of an attribute path: a name that is not empty, or an index DynamoDB allows."""
    element = path_element(step)
    if element == "":
        raise ValidationException("Path component cannot be an empty string")
    if type(element) is int and not 0 <= element < 1 << 31:
        raise ValidationException(
            f"List index is not within the allowable range; index: [{element}]"
        )
    return element


def _is_set(value: Value) -> bool:
    return next(iter(value)) in ("SS", "NS", "BS")


def _negated(piece: Piece, negated: bool) -> Piece:
    return Piece(f"NOT ({piece.text})", True) if negated else piece


def _unsupported_operator(kind: str, op: str) -> ValidationException:
    symbol = OPERATOR_SYMBOLS.get(op, op)
    return ValidationException(f"Unsupported operator in {kind} Expression. Operator: {symbol}")


def _unsupported_token(node: Any) -> ValidationException:
    return ValidationException(f"Unsupported token in expression: {identifier_of(node)}")
