"""A Pratt parser for PartiQL that fails the way DynamoDB's (the PartiQL reference parser)
does: same grammar, same detail after "Statement wasn't well formed, can't be processed: ".

    node = parse("SELECT * FROM \\"t\\" WHERE pk = ?")

Any statement or expression parses; what DynamoDB can run is `statements.py`'s concern.
Parses are cached by text (the trees are immutable).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from . import ast
from .errors import syntax_error
from .lexer import EOF, IDENTIFIER, KEYWORD, LITERAL, MISSING, NULL, OPERATOR, QUOTED, Token
from .lexer import tokenize as lex

PRECEDENCE = {
    "union": 5, "union_all": 5, "intersect": 5, "intersect_all": 5, "except": 5,
    "except_all": 5,
    "or": 10,
    "and": 20,
    "=": 40, "<>": 40, "is": 40, "is_not": 40, "in": 40, "not_in": 40,
    "<": 50, "<=": 50, ">": 50, ">=": 50, "between": 50, "not_between": 50, "like": 50,
    "not_like": 50,
    "+": 60, "-": 60, "||": 60,
    "*": 70, "/": 70, "%": 70,
}  # fmt: skip
NOT_PRECEDENCE = 30
SELECT_PRECEDENCE = 6
SPECIAL_INFIX = frozenset(("between", "not_between", "like", "not_like"))
BASE_DML = frozenset(("insert_into", "set", "remove"))
RESERVED_IN_SELECT_LIST = BASE_DML | {"update", "delete", "select", "from", "where"}
FUNCTION_KEYWORDS = frozenset(
    (
        "exists",
        "count",
        "avg",
        "max",
        "min",
        "sum",
        "substring",
        "char_length",
        "character_length",
        "octet_length",
        "bit_length",
        "upper",
        "lower",
        "size",
        "sexp",
        "list",
        "bag",
    )
)
AGGREGATES = frozenset(("count", "avg", "max", "min", "sum"))
RETURNING_MAPPINGS = frozenset(("modified_old", "modified_new", "all_old", "all_new"))
TYPE_NAMES = {
    "missing": "MISSING", "null": "NULL", "boolean": "BOOLEAN", "bool": "BOOLEAN",
    "smallint": "SMALLINT", "int2": "SMALLINT", "integer2": "SMALLINT",
    "integer4": "INTEGER4", "int4": "INTEGER4", "integer8": "INTEGER8", "int8": "INTEGER8",
    "bigint": "INTEGER8", "integer": "INTEGER", "int": "INTEGER", "float": "FLOAT",
    "real": "REAL", "double_precision": "DOUBLE_PRECISION", "decimal": "DECIMAL",
    "dec": "DECIMAL", "numeric": "NUMERIC", "timestamp": "TIMESTAMP", "date": "DATE",
    "time": "TIME", "character": "CHARACTER", "char": "CHARACTER",
    "character_varying": "CHARACTER_VARYING", "varchar": "CHARACTER_VARYING",
    "string": "STRING", "symbol": "SYMBOL", "clob": "CLOB", "blob": "BLOB",
    "struct": "STRUCT", "tuple": "TUPLE", "list": "LIST", "sexp": "SEXP", "bag": "BAG",
    "any": "ANY",
}  # fmt: skip
TOKEN_NAMES = {
    "(": "LEFT_PAREN", ")": "RIGHT_PAREN", "[": "LEFT_BRACKET", "]": "RIGHT_BRACKET",
    "{": "LEFT_CURLY", "}": "RIGHT_CURLY", "<<": "LEFT_DOUBLE_ANGLE_BRACKET",
    ">>": "RIGHT_DOUBLE_ANGLE_BRACKET", ":": "COLON", ",": "COMMA", "by": "BY",
}  # fmt: skip

MAX_DEPTH = 100
"""Nesting the parser follows before giving up (keeps its recursion bounded)."""


def parse(text: str) -> Any:
    """The tree of one statement; ValidationException ("wasn't well formed") if unreadable."""
    return _parse(text)


@lru_cache(maxsize=1024)
def _parse(text: str) -> Any:
    return _Parser(lex(text)).statement()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.parameters = 0

    # -- tokens ---------------------------------------------------------------------------

    @property
    def head(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != EOF:
            self.pos += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        token = self.head
        return token.kind in (KEYWORD, OPERATOR) and token.text in words

    def expect(self, kind: str) -> Token:
        if self.head.kind != kind:
            raise syntax_error(f"Expected {TOKEN_NAMES.get(kind, kind.upper())}")
        return self.advance()

    def at_end(self) -> bool:
        """Only the end of the statement is left: nothing, or one `;`."""
        head = self.head
        return head.kind == EOF or (head.kind == ";" and self.peek().kind == EOF)

    # -- statement ------------------------------------------------------------------------

    def statement(self) -> Any:
        node = self.expression()
        if not self.at_end():
            if self.head.kind == ";":
                raise syntax_error("Unexpected token after semicolon. (Only one query is allowed.)")
            raise syntax_error("Unexpected token after expression")
        return node

    # -- expressions ----------------------------------------------------------------------

    def expression(self, precedence: int = -1) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise syntax_error()
        try:
            left = self.unary()
            while True:
                op = self.head
                if op.kind == "*":
                    name = "*"
                elif op.kind == OPERATOR and op.text in PRECEDENCE:
                    name = op.text
                else:
                    break
                if PRECEDENCE[name] <= precedence:
                    break
                left = self.infix(name, left)
            return left
        finally:
            self.depth -= 1

    def infix(self, op: str, left: Any) -> Any:
        if op in ("is", "is_not"):
            self.advance()
            return ast.Is(left, self.type_name(), negated=op == "is_not")
        subquery = self.peek(2).kind == KEYWORD and self.peek(2).text in ("select", "values")
        if op in ("in", "not_in") and self.peek().kind == "(" and not subquery:
            self.advance()
            self.advance()
            items = self.arguments()
            self.expect(")")
            return ast.Binary(op, left, ast.Collection("list", tuple(items)))
        right = self.right_operand(op)
        if op in ("between", "not_between"):
            if not self.at_keyword("and"):
                raise syntax_error("Expected AND")
            self.advance()
            if self.at_end():
                raise syntax_error("Expected expression after AND")
            high = self.expression(PRECEDENCE[op])
            return ast.Between(left, right, high, negated=op == "not_between")
        if op in ("like", "not_like") and self.at_keyword("escape"):
            self.advance()
            self.expression(PRECEDENCE[op])
        return ast.Binary(op, left, right)

    def right_operand(self, op: str) -> Any:
        if len(self.tokens) - self.pos < 3:
            raise syntax_error("Missing right-hand side expression of infix operator")
        self.advance()
        return self.expression(PRECEDENCE[op])

    def type_name(self) -> str:
        token = self.head
        word = token.text if token.kind in (KEYWORD, NULL, MISSING) else None
        name = TYPE_NAMES.get(word or "")
        if name is None:
            raise syntax_error("Expected type name")
        self.advance()
        if self.head.kind == "(":
            self.advance()
            self.arguments()
            self.expect(")")
        return name

    def unary(self) -> Any:
        token = self.head
        if token.kind == OPERATOR and token.text in ("+", "-"):
            self.advance()
            operand = self.expression(PRECEDENCE["*"])
            if isinstance(operand, ast.Literal) and operand.kind in ("int", "decimal"):
                if token.text == "+":
                    return operand
                text = operand.value[1:] if operand.value.startswith("-") else "-" + operand.value
                return ast.Literal(operand.kind, text)
            return ast.Unary(token.text, operand)
        if token.kind == OPERATOR and token.text == "not":
            self.advance()
            return ast.Unary("not", self.expression(NOT_PRECEDENCE))
        return self.path(self.term())

    def path(self, root: Any, simple: bool = False) -> Any:
        steps: list[ast.Step] = []
        while True:
            if self.head.kind == ".":
                self.advance()
                part = self.head
                if part.kind in (IDENTIFIER, QUOTED):
                    steps.append(ast.Step("name", part.text))
                elif part.kind == "*" and not simple:
                    steps.append(ast.Step("unpivot"))
                elif part.kind == "*":
                    raise syntax_error("Invalid path dot component for simple path")
                else:
                    raise syntax_error("Invalid path dot component")
                self.advance()
            elif self.head.kind == "[":
                self.advance()
                if self.head.kind == "*":
                    self.advance()
                    step = ast.Step("wildcard")
                else:
                    index = self.expression()
                    if simple and not isinstance(index, ast.Literal):
                        raise syntax_error("Invalid path component for simple path")
                    step = ast.Step("expr", index)
                self.expect("]")
                steps.append(step)
            else:
                return ast.Path(root, tuple(steps)) if steps else root

    def simple_path(self) -> Any:
        if self.head.kind not in (IDENTIFIER, QUOTED):
            raise syntax_error("Expected identifier for simple path")
        return self.path(ast.Name(self.advance().text), simple=True)

    def term(self) -> Any:
        token = self.head
        kind = token.kind
        if kind == OPERATOR:
            if token.text == "@":
                self.advance()
                if self.head.kind not in (IDENTIFIER, QUOTED):
                    raise syntax_error("Identifier must follow @-operator")
                return ast.Unary("@", ast.Name(self.advance().text))
            raise syntax_error("Unexpected operator")
        if kind == KEYWORD:
            return self.keyword_term(token.text)
        if kind == "(":
            self.advance()
            items = self.arguments()
            self.expect(")")
            return items[0] if len(items) == 1 else ast.Collection("list", tuple(items))
        if kind in ("[", "<<"):
            closing = "]" if kind == "[" else ">>"
            self.advance()
            items = [] if self.head.kind == closing else self.arguments()
            self.expect(closing)
            return ast.Collection("list" if kind == "[" else "bag", tuple(items))
        if kind == "{":
            self.advance()
            fields = [] if self.head.kind == "}" else self.struct_fields()
            self.expect("}")
            return ast.Struct(tuple(fields))
        if kind in (IDENTIFIER, QUOTED):
            self.advance()
            if self.head.kind == "(":
                self.advance()
                return self.call(token.text.lower())
            return ast.Name(token.text)
        if kind == "?":
            self.advance()
            self.parameters += 1
            return ast.Parameter(self.parameters)
        if kind == LITERAL:
            self.advance()
            return ast.Literal(token.value[0], token.value[1])
        if kind in (NULL, MISSING):
            self.advance()
            return ast.Literal(kind)
        raise syntax_error("Unexpected term")

    def keyword_term(self, word: str) -> Any:
        if word in BASE_DML:
            return ast.Dml(self.base_dml())
        statement = {
            "update": self.update_statement,
            "delete": self.delete_statement,
            "select": self.select_statement,
            "from": self.from_statement,
        }.get(word)
        if statement is not None:
            self.advance()
            return statement()
        if word in FUNCTION_KEYWORDS and self.peek().kind == "(":
            self.advance()
            self.advance()
            return self.call(word)
        raise syntax_error("Unexpected keyword")

    def call(self, name: str) -> ast.Call:
        """A call after its `(`."""
        if name in AGGREGATES and self.at_keyword("distinct", "all"):
            self.advance()
        if self.head.kind == "*":
            if name != "count":
                raise syntax_error(f"{name}(*) is not allowed")
            self.advance()
            self.expect(")")
            return ast.Call(name, (), star=True)
        args = [] if self.head.kind == ")" else self.arguments()
        self.expect(")")
        if name in AGGREGATES and len(args) != 1:
            raise syntax_error("Aggregate functions are always unary")
        if name in ("list", "bag", "sexp"):
            return ast.Collection(name, tuple(args))  # type: ignore[return-value]
        return ast.Call(name, tuple(args))

    def arguments(self) -> list[Any]:
        items = [self.expression()]
        while self.head.kind == ",":
            self.advance()
            items.append(self.expression())
        return items

    def struct_fields(self) -> list[tuple[Any, Any]]:
        fields = []
        while True:
            key = self.expression()
            self.expect(":")
            fields.append((key, self.expression()))
            if self.head.kind != ",":
                return fields
            self.advance()

    # -- statements -----------------------------------------------------------------------

    def select_statement(self) -> ast.Select:
        distinct = self.at_keyword("distinct")
        if distinct or self.at_keyword("all"):
            self.advance()
        value = None
        items: tuple[ast.SelectItem, ...] = ()
        if self.at_keyword("value"):
            self.advance()
            value = self.expression()
        else:
            items = self.select_list()
        if not self.at_keyword("from"):
            raise syntax_error("Expected FROM after SELECT list")
        self.advance()
        source = self.source(SELECT_PRECEDENCE)
        where = self.clause("where")
        clauses = []
        if self.at_keyword("group"):
            self.advance()
            if self.at_keyword("partial"):
                self.advance()
            self.expect("by")
            self.arguments()
            clauses.append("GROUP BY")
        if self.clause("having") is not None:
            clauses.append("HAVING")
        order_by = self.order_by()
        for word in ("limit", "offset"):
            if self.clause(word) is not None:
                clauses.append(word.upper())
        return ast.Select(items, source, where, order_by, distinct, value, tuple(clauses))

    def select_list(self) -> tuple[ast.SelectItem, ...]:
        items = []
        star = False
        while True:
            head = self.head
            if head.kind == "*":
                self.advance()
                star = True
            elif head.kind in (KEYWORD, OPERATOR) and head.text in RESERVED_IN_SELECT_LIST:
                raise syntax_error(
                    "Expected identifier or an expression but found unexpected keyword "
                    f"'{head.text}' in a select list."
                )
            else:
                expr = self.expression()
                if isinstance(expr, ast.Path):
                    expr = _inspect_select_path(expr)
                items.append(ast.SelectItem(expr, self.alias()))
            if self.head.kind != ",":
                break
            self.advance()
        if star and items:
            raise syntax_error(
                "Other expressions may not be present in the select list when '*' is used "
                "without dot notation."
            )
        return tuple(items)

    def clause(self, word: str) -> Any:
        if not self.at_keyword(word):
            return None
        self.advance()
        return self.expression(SELECT_PRECEDENCE)

    def order_by(self) -> tuple[ast.OrderItem, ...]:
        if not self.at_keyword("order"):
            return ()
        self.advance()
        self.expect("by")
        items = []
        while True:
            expr = self.expression(SELECT_PRECEDENCE)
            descending = self.head.kind == "desc"
            if self.head.kind in ("asc", "desc"):
                self.advance()
            if self.head.kind == IDENTIFIER and self.head.text.lower() == "nulls":
                self.advance()
                if self.head.kind not in ("first", "last"):
                    raise syntax_error("Expected FIRST or LAST after NULLS")
                self.advance()
            items.append(ast.OrderItem(expr, descending))
            if self.head.kind != ",":
                return tuple(items)
            self.advance()

    def source(self, precedence: int = -1) -> ast.Source:
        expr = self.expression(precedence)
        aliased = self.source_aliases()
        joined = False
        while self.head.kind == "," or self.at_keyword(
            "join", "cross_join", "inner_join", "left_join", "right_join", "outer_join"
        ):
            self.advance()
            self.expression(precedence)
            self.source_aliases()
            if self.at_keyword("on"):
                self.advance()
                self.expression(precedence)
            joined = True
        return ast.Source(expr, aliased, joined)

    def source_aliases(self) -> bool:
        aliased = self.alias() is not None
        for kind in ("at", "by"):
            if self.head.kind == kind:
                self.advance()
                if self.head.kind not in (IDENTIFIER, QUOTED):
                    raise syntax_error(f"Expected identifier for {kind.upper()}-alias")
                self.advance()
                aliased = True
        return aliased

    def alias(self) -> str | None:
        if self.head.kind == "as":
            self.advance()
            if self.head.kind not in (IDENTIFIER, QUOTED):
                raise syntax_error("Expected identifier for AS-alias")
            return self.advance().text
        if self.head.kind in (IDENTIFIER, QUOTED):
            return self.advance().text
        return None

    def update_statement(self) -> ast.Dml:
        source = self.dml_source()
        return self.dml_tail(self.base_dmls(), source)

    def delete_statement(self) -> ast.Dml:
        if not self.at_keyword("from"):
            raise syntax_error("Expected FROM after DELETE")
        self.advance()
        return self.dml_tail((ast.Delete(),), self.dml_source())

    def from_statement(self) -> ast.Dml:
        source = self.source()
        where = self.clause_expression("where")
        ops = self.base_dmls()
        return ast.Dml(ops, source, where, self.returning())

    def dml_source(self) -> ast.Source:
        target = self.simple_path()
        return ast.Source(target, self.source_aliases())

    def dml_tail(self, ops: tuple[Any, ...], source: ast.Source) -> ast.Dml:
        where = self.clause_expression("where")
        return ast.Dml(ops, source, where, self.returning())

    def clause_expression(self, word: str) -> Any:
        if not self.at_keyword(word):
            return None
        self.advance()
        return self.expression()

    def base_dmls(self) -> tuple[Any, ...]:
        ops: list[Any] = []
        while self.at_keyword(*BASE_DML):
            ops.extend(self.base_dml())
        if not ops:
            raise syntax_error("Expected data manipulation")
        return tuple(ops)

    def base_dml(self) -> tuple[Any, ...]:
        """The operations of one SET, REMOVE or INSERT INTO clause."""
        word = self.advance().text
        if word == "set":
            return self.assignments()
        if word == "remove":
            return (ast.Remove(self.simple_path()),)
        target = self.simple_path()
        if not self.at_keyword("value"):
            return (ast.InsertQuery(target, self.expression()),)
        self.advance()
        value = self.expression()
        position = None
        if self.head.kind == "at":
            self.advance()
            position = self.expression()
        on_conflict = self.on_conflict()
        return (ast.InsertValue(target, value, position, on_conflict, self.returning()),)

    def assignments(self) -> tuple[ast.Assign, ...]:
        assigns = []
        while True:
            target = self.simple_path()
            if not (self.head.kind == OPERATOR and self.head.text == "="):
                raise syntax_error("Expected '='")
            self.advance()
            assigns.append(ast.Assign(target, self.expression()))
            if self.head.kind != ",":
                return tuple(assigns)
            self.advance()

    def on_conflict(self) -> bool:
        if not self.at_keyword("on_conflict"):
            return False
        self.advance()
        if not self.at_keyword("where"):
            raise syntax_error("invalid ON CONFLICT syntax")
        self.advance()
        self.expression()
        if not self.at_keyword("do_nothing"):
            raise syntax_error("invalid ON CONFLICT syntax")
        self.advance()
        return True

    def returning(self) -> ast.Returning | None:
        if not self.at_keyword("returning"):
            return None
        self.advance()
        elements = []
        while True:
            if not self.at_keyword(*RETURNING_MAPPINGS):
                raise syntax_error(
                    "Expected ( MODIFIED | ALL ) ( NEW | OLD ) in each returning element."
                )
            mapping = self.advance().text
            column = None
            if self.head.kind == "*":
                self.advance()
            else:
                column = self.expression()
                if isinstance(column, ast.Path) and len(column.steps) > 1:
                    raise syntax_error("More than two paths in RETURNING columns.")
                if not isinstance(column, ast.Path | ast.Name | ast.Literal):
                    raise syntax_error("Unsupported syntax in RETURNING columns.")
            elements.append((mapping, column))
            if self.head.kind != ",":
                return ast.Returning(tuple(elements))
            self.advance()


def _inspect_select_path(path: ast.Path) -> Any:
    kinds = [step.kind for step in path.steps]
    if "wildcard" in kinds or "unpivot" in kinds[:-1]:
        raise syntax_error("Invalid use of * in select list")
    if kinds[-1] == "unpivot":
        if "expr" in kinds:
            raise syntax_error("Cannot use [] and * together in SELECT list expression")
        rest = path.steps[:-1]
        return ast.ProjectAll(ast.Path(path.root, rest) if rest else path.root)
    return path
