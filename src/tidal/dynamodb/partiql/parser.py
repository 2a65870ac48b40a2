"""A Pratt parser for PartiQL that fails the way DynamoDB's (the PartiQL reference parser)
does: same grammar, same detail after "Statement wasn't well formed, can't be processed: ".

    node = parse("SELECT * FROM \\"t\\" WHERE pk = ?")

Any statement or expression parses; what DynamoDB can run is `statements.py`'s concern.
Parses are cached by text (the trees are immutable).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from . import ast
from .errors import syntax_error
from .grammar import (
    AGGREGATES,
    BASE_DML,
    FUNCTION_KEYWORDS,
    NOT_PRECEDENCE,
    PRECEDENCE,
    RESERVED_IN_SELECT_LIST,
    RETURNING_MAPPINGS,
    SELECT_PRECEDENCE,
    TOKEN_NAMES,
    TYPE_NAMES,
)
from .lexer import EOF, IDENTIFIER, KEYWORD, LITERAL, MISSING, NULL, OPERATOR, QUOTED, Token
from .lexer import tokenize as lex

MAX_DEPTH = 100
"""Nesting the parser follows before giving up (keeps its recursion bounded)."""


def parse(text: str) -> Any:
    """The tree of one statement; ValidationException ("wasn't well formed") if unreadable."""
    return _parse(text)


@lru_cache(maxsize=1024)
def _parse(text: str) -> Any:
    return _Parser(lex(text)).statement()


@lru_cache(maxsize=1024)
def parameter_count(text: str) -> int:
    """How many `?` placeholders a statement (already parsed) holds."""
    return sum(token.kind == "?" for token in lex(text))


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

    def comma_list(self, item: Callable[[], Any]) -> list[Any]:
        items = [item()]
        while self.head.kind == ",":
            self.advance()
            items.append(item())
        return items

    def arguments(self) -> list[Any]:
        return self.comma_list(self.expression)

    def struct_fields(self) -> list[tuple[Any, Any]]:
        return self.comma_list(self.struct_field)

    def struct_field(self) -> tuple[Any, Any]:
        key = self.expression()
        self.expect(":")
        return key, self.expression()

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
        items = self.comma_list(self.select_item)
        if None in items and len(items) > 1:
            raise syntax_error(
                "Other expressions may not be present in the select list when '*' is used "
                "without dot notation."
            )
        return tuple(item for item in items if item is not None)

    def select_item(self) -> ast.SelectItem | None:
        """An item of a select list; None for `*`."""
        head = self.head
        if head.kind == "*":
            self.advance()
            return None
        if head.kind in (KEYWORD, OPERATOR) and head.text in RESERVED_IN_SELECT_LIST:
            raise syntax_error(
                "Expected identifier or an expression but found unexpected keyword "
                f"'{head.text}' in a select list."
            )
        expr = self.expression()
        if isinstance(expr, ast.Path):
            expr = _inspect_select_path(expr)
        return ast.SelectItem(expr, self.alias())

    def clause(self, word: str, precedence: int = SELECT_PRECEDENCE) -> Any:
        if not self.at_keyword(word):
            return None
        self.advance()
        return self.expression(precedence)

    def order_by(self) -> tuple[ast.OrderItem, ...]:
        if not self.at_keyword("order"):
            return ()
        self.advance()
        self.expect("by")
        return tuple(self.comma_list(self.order_item))

    def order_item(self) -> ast.OrderItem:
        expr = self.expression(SELECT_PRECEDENCE)
        descending = self.head.kind == "desc"
        if self.head.kind in ("asc", "desc"):
            self.advance()
        if self.head.kind == IDENTIFIER and self.head.text.lower() == "nulls":
            self.advance()
            if self.head.kind not in ("first", "last"):
                raise syntax_error("Expected FIRST or LAST after NULLS")
            self.advance()
        return ast.OrderItem(expr, descending)

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
        ops = self.base_dmls()
        return ast.Dml(ops, source, self.clause("where", -1), self.returning())

    def delete_statement(self) -> ast.Dml:
        if not self.at_keyword("from"):
            raise syntax_error("Expected FROM after DELETE")
        self.advance()
        source = self.dml_source()
        return ast.Dml((ast.Delete(),), source, self.clause("where", -1), self.returning())

    def from_statement(self) -> ast.Dml:
        source = self.source()
        where = self.clause("where", -1)
        return ast.Dml(self.base_dmls(), source, where, self.returning())

    def dml_source(self) -> ast.Source:
        target = self.simple_path()
        return ast.Source(target, self.source_aliases())

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
        return tuple(self.comma_list(self.assignment))

    def assignment(self) -> ast.Assign:
        target = self.simple_path()
        if not (self.head.kind == OPERATOR and self.head.text == "="):
            raise syntax_error("Expected '='")
        self.advance()
        return ast.Assign(target, self.expression())

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
        return ast.Returning(tuple(self.comma_list(self.returning_element)))

    def returning_element(self) -> tuple[str, Any]:
        if not self.at_keyword(*RETURNING_MAPPINGS):
            raise syntax_error(
                "Expected ( MODIFIED | ALL ) ( NEW | OLD ) in each returning element."
            )
        mapping = self.advance().text
        if self.head.kind == "*":
            self.advance()
            return mapping, None
        column = self.expression()
        if isinstance(column, ast.Path) and len(column.steps) > 1:
            raise syntax_error("More than two paths in RETURNING columns.")
        if not isinstance(column, ast.Path | ast.Name | ast.Literal):
            raise syntax_error("Unsupported syntax in RETURNING columns.")
        return mapping, column


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
