"""The PartiQL grammar's tables: operator precedence, type names, token names, and the
keywords with a role of their own (as the PartiQL reference parser has them)."""

from __future__ import annotations

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
BASE_DML = frozenset(("insert_into", "set", "remove"))
RESERVED_IN_SELECT_LIST = BASE_DML | {"update", "delete", "select", "from", "where"}
FUNCTION_KEYWORDS = frozenset((
    "exists", "count", "avg", "max", "min", "sum", "substring", "char_length",
    "character_length", "octet_length", "bit_length", "upper", "lower", "size", "sexp", "list",
    "bag"
))  # fmt: skip
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
