"""Recursive-descent parsers for condition (also filter and key condition), update and
projection expressions, with DynamoDB's syntax-error messages. Parses are cached by text.

Condition precedence, loosest first: OR, AND, NOT, then comparisons, BETWEEN, IN and function
calls, with parentheses around conditions or operands. Keywords are case-insensitive; function
names are not (they are checked when the tree is bound).
"""

from __future__ import annotations

from functools import lru_cache

from . import ast
from .errors import ExpressionError
from .lexer import EOF, NAME, NAME_REF, NUMBER, VALUE_REF, Token, tokenize

COMPARATORS = frozenset(("=", "<>", "<", "<=", ">", ">="))
CONDITION_KEYWORDS = frozenset(("AND", "OR", "NOT", "BETWEEN", "IN"))
UPDATE_CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")
_UPDATE_KEYWORDS = frozenset(UPDATE_CLAUSES)
_NO_KEYWORDS: frozenset[str] = frozenset()

MAX_NESTING = 150
"""Nested parentheses, NOTs and calls the parser accepts (keeps its recursion bounded). Each
level of parentheses around a condition joined to others costs two operators, so this admits
every such expression within DynamoDB's operator limit."""
MAX_OPERATORS = 300
"""Comparisons, BETWEEN, IN, AND, OR, NOT, function calls and update arithmetic, counted as
DynamoDB does (an IN is one, whatever its operands; SET's `=` is none)."""
REDUNDANT_PARENTHESES = "The expression has redundant parentheses;"
TOO_MANY_OPERATORS = (
    f"The expression contains too many operators; operator count: {MAX_OPERATORS + 1}"
)

_CACHE_SIZE = 2048


class _Parser:
    def __init__(self, text: str, keywords: frozenset[str]) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0
        self.operators = 0
        self.keywords = keywords
        self.closing = _closing_parentheses(self.tokens)
        self.redundant = False
        """Seen a parenthesized condition or operand wrapped in a second pair: `((a = b))`."""

    # -- tokens ---------------------------------------------------------------------------

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != EOF:
            self.pos += 1
        return token

    def keyword(self, token: Token) -> str | None:
        """The upper-cased keyword `token` spells in this grammar, or None."""
        if token.kind == NAME:
            upper = token.text.upper()
            if upper in self.keywords:
                return upper
        return None

    def error(self) -> ExpressionError:
        """A syntax error at the current token, with its neighbours as `near`."""
        index = self.pos
        token = self.tokens[index]
        start = self.tokens[index - 1].start if index > 0 else token.start
        end = self.tokens[index + 1].end if index + 1 < len(self.tokens) else len(self.text)
        near = self.text[start:end]
        return ExpressionError(f'Syntax error; token: "{token.text}", near: "{near}"')

    def expect(self, kind: str) -> Token:
        if self.peek().kind != kind:
            raise self.error()
        return self.advance()

    def expect_keyword(self, word: str) -> None:
        if self.keyword(self.peek()) != word:
            raise self.error()
        self.advance()

    def operator(self) -> None:
        """Count an operator; like DynamoDB, stop at the first one past the limit."""
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise ExpressionError(TOO_MANY_OPERATORS)

    def group_closed(self, opened: int) -> None:
        """Note whether the group opened at token `opened`, now closed, only wraps another."""
        inner = opened + 1
        if self.tokens[inner].kind == "(" and self.closing.get(inner) == self.pos - 2:
            self.redundant = True

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error()

    def end(self) -> None:
        if self.peek().kind != EOF:
            raise self.error()

    # -- paths and operands ---------------------------------------------------------------

    def name_element(self) -> str:
        token = self.peek()
        if token.kind == NAME_REF or (token.kind == NAME and self.keyword(token) is None):
            self.advance()
            return token.text
        raise self.error()

    def path(self) -> ast.Path:
        elements: list[str | int] = [self.name_element()]
        while True:
            kind = self.peek().kind
            if kind == ".":
                self.advance()
                elements.append(self.name_element())
            elif kind == "[":
                self.advance()
                elements.append(int(self.expect(NUMBER).text))
                self.expect("]")
            else:
                return ast.Path(tuple(elements))

    def operand(self) -> ast.Operand:
        """A path, `:value`, function call or parenthesized operand (no arithmetic)."""
        token = self.peek()
        if token.kind == "(":
            opened = self.pos
            self.enter()
            self.advance()
            inner = self.operand()
            self.expect(")")
            self.group_closed(opened)
            self.depth -= 1
            return inner
        if token.kind == VALUE_REF:
            self.advance()
            return ast.ValueRef(token.text)
        if token.kind == NAME and self.keyword(token) is None:
            if self.tokens[self.pos + 1].kind == "(":
                return self.call()
            return self.path()
        if token.kind == NAME_REF:
            return self.path()
        raise self.error()

    def call(self) -> ast.Call:
        name = self.advance().text
        self.operator()
        self.enter()
        self.advance()
        args = [self.operand()]
        while self.peek().kind == ",":
            self.advance()
            args.append(self.operand())
        self.expect(")")
        self.depth -= 1
        return ast.Call(name, tuple(args))

    # -- conditions -----------------------------------------------------------------------

    def condition(self) -> ast.Condition:
        node = self.disjunction()
        self.end()
        if isinstance(node, ast.Path | ast.ValueRef):
            raise self.error()
        if self.redundant:
            raise ExpressionError(REDUNDANT_PARENTHESES)
        return node

    def require_condition(self, node: ast.Condition | ast.Operand) -> ast.Condition:
        # An operand only comes back from `comparison` right before ")", where a condition
        # was needed instead: the ")" is the offending token.
        if isinstance(node, ast.Path | ast.ValueRef):
            raise self.error()
        return node  # type: ignore[return-value]

    def disjunction(self) -> ast.Condition | ast.Operand:
        first = self.conjunction()
        if self.keyword(self.peek()) != "OR":
            return first
        items = [first]
        while self.keyword(self.peek()) == "OR":
            self.advance()
            self.operator()
            items.append(self.conjunction())
        return ast.Or(tuple(self.require_condition(item) for item in items))

    def conjunction(self) -> ast.Condition | ast.Operand:
        first = self.negation()
        if self.keyword(self.peek()) != "AND":
            return first
        items = [first]
        while self.keyword(self.peek()) == "AND":
            self.advance()
            self.operator()
            items.append(self.negation())
        return ast.And(tuple(self.require_condition(item) for item in items))

    def negation(self) -> ast.Condition | ast.Operand:
        if self.keyword(self.peek()) != "NOT":
            return self.comparison()
        self.enter()
        self.advance()
        self.operator()
        item = self.require_condition(self.negation())
        self.depth -= 1
        return ast.Not(item)

    def comparison(self) -> ast.Condition | ast.Operand:
        left = self.primary()
        token = self.peek()
        word = self.keyword(token)
        if token.kind in COMPARATORS or word in ("BETWEEN", "IN"):
            if not isinstance(left, ast.Path | ast.ValueRef | ast.Call):
                raise self.error()
            self.advance()
            self.operator()
            if word == "BETWEEN":
                low = self.operand()
                self.expect_keyword("AND")
                return ast.Between(left, low, self.operand())
            if word == "IN":
                self.expect("(")
                choices = [self.operand()]
                while self.peek().kind == ",":
                    self.advance()
                    choices.append(self.operand())
                self.expect(")")
                return ast.In(left, tuple(choices))
            return ast.Compare(token.kind, left, self.operand())
        if isinstance(left, ast.Path | ast.ValueRef) and token.kind != ")":
            raise self.error()
        return left

    def primary(self) -> ast.Condition | ast.Operand:
        if self.peek().kind != "(":
            return self.operand()
        opened = self.pos
        self.enter()
        self.advance()
        inner = self.disjunction()
        self.expect(")")
        self.group_closed(opened)
        self.depth -= 1
        return inner

    # -- updates --------------------------------------------------------------------------

    def update(self) -> ast.Update:
        clauses: list[str] = []
        actions: list[ast.Action] = []
        while True:
            clause = self.keyword(self.peek())
            if clause is None:
                raise self.error()
            self.advance()
            clauses.append(clause)
            actions.append(self.action(clause))
            while self.peek().kind == ",":
                self.advance()
                actions.append(self.action(clause))
            if self.peek().kind == EOF:
                return ast.Update(tuple(clauses), tuple(actions))

    def action(self, clause: str) -> ast.Action:
        path = self.path()
        if clause == "SET":
            self.expect("=")
            return ast.Action(clause, path, self.set_value())
        if clause == "REMOVE":
            return ast.Action(clause, path, None)
        return ast.Action(clause, path, ast.ValueRef(self.expect(VALUE_REF).text))

    def set_value(self) -> ast.Operand:
        if self.peek().kind == "(":
            self.enter()
            self.advance()
            left = self.set_value()
            self.expect(")")
            self.depth -= 1
        else:
            left = self.operand()
        op = self.peek().kind
        if op not in ("+", "-"):
            return left
        if isinstance(left, ast.Arith):
            raise self.error()
        self.advance()
        self.operator()
        return ast.Arith(op, left, self.operand())

    # -- projections ----------------------------------------------------------------------

    def projection(self) -> ast.Projection:
        paths = [self.path()]
        while self.peek().kind == ",":
            self.advance()
            paths.append(self.path())
        self.end()
        return ast.Projection(tuple(paths))


def _closing_parentheses(tokens: list[Token]) -> dict[int, int]:
    """Index of each "(" token -> index of the ")" that closes it."""
    closing: dict[int, int] = {}
    opened: list[int] = []
    for index, token in enumerate(tokens):
        if token.kind == "(":
            opened.append(index)
        elif token.kind == ")" and opened:
            closing[opened.pop()] = index
    return closing


@lru_cache(maxsize=_CACHE_SIZE)
def parse_condition(text: str) -> ast.Condition | ExpressionError:
    """The tree of a condition, filter or key condition expression, or its syntax error."""
    try:
        return _Parser(text, CONDITION_KEYWORDS).condition()
    except ExpressionError as error:
        return error


@lru_cache(maxsize=_CACHE_SIZE)
def parse_update(text: str) -> ast.Update | ExpressionError:
    try:
        return _Parser(text, _UPDATE_KEYWORDS).update()
    except ExpressionError as error:
        return error


@lru_cache(maxsize=_CACHE_SIZE)
def parse_projection(text: str) -> ast.Projection | ExpressionError:
    try:
        return _Parser(text, _NO_KEYWORDS).projection()
    except ExpressionError as error:
        return error
