"""The PartiQL parser: every statement form DynamoDB runs, as a tree."""

from tidal.dynamodb.partiql import ast
from tidal.dynamodb.partiql.parser import parse

PK = ast.Name("pk")


def lit(kind, value=None):
    return ast.Literal(kind, value)


def eq(left, right):
    return ast.Binary("=", left, right)


def test_select_star_with_where():
    node = parse("SELECT * FROM \"Music\" WHERE pk = 'a'")
    assert node == ast.Select((), ast.Source(ast.Name("Music")), eq(PK, lit("string", "a")))


def test_select_list_paths_index_and_order_by():
    node = parse(
        'SELECT a, m.b[2], "x y" FROM "t"."gsi" WHERE pk IN [1, 2] ORDER BY pk DESC, sk ASC'
    )
    path = ast.Path(ast.Name("m"), (ast.Step("name", "b"), ast.Step("expr", lit("int", "2"))))
    assert node.items == (
        ast.SelectItem(ast.Name("a")),
        ast.SelectItem(path),
        ast.SelectItem(ast.Name("x y")),
    )
    assert node.source == ast.Source(ast.Path(ast.Name("t"), (ast.Step("name", "gsi"),)))
    assert node.where == ast.Binary(
        "in", PK, ast.Collection("list", (lit("int", "1"), lit("int", "2")))
    )
    assert node.order_by == (
        ast.OrderItem(PK, descending=True),
        ast.OrderItem(ast.Name("sk"), descending=False),
    )


def test_select_keeps_what_dynamodb_refuses_later():
    node = parse("SELECT DISTINCT a b FROM t x WHERE c GROUP BY a HAVING b LIMIT 1 OFFSET 2")
    assert node.distinct
    assert node.items == (ast.SelectItem(ast.Name("a"), alias="b"),)
    assert node.source.aliased
    assert node.clauses == ("GROUP BY", "HAVING", "LIMIT", "OFFSET")
    assert parse("SELECT VALUE a FROM t").value == ast.Name("a")
    assert parse("SELECT a.* FROM t").items == (ast.SelectItem(ast.ProjectAll(ast.Name("a"))),)
    assert parse("SELECT * FROM a, b").source.joined


def test_where_precedence_not_and_or():
    node = parse("SELECT * FROM t WHERE NOT a = 1 AND b < 2 OR c BETWEEN 1 AND 3")
    a = ast.Unary("not", eq(ast.Name("a"), lit("int", "1")))
    b = ast.Binary("<", ast.Name("b"), lit("int", "2"))
    c = ast.Between(ast.Name("c"), lit("int", "1"), lit("int", "3"))
    assert node.where == ast.Binary("or", ast.Binary("and", a, b), c)


def test_predicates_and_functions():
    node = parse(
        "SELECT * FROM t WHERE a IS NOT MISSING AND b IS NULL AND c NOT IN (1) "
        "AND BEGINS_WITH(d, 'x') AND size(e) > 1 AND f NOT BETWEEN 1 AND 2"
    )
    conditions = []
    where = node.where
    while isinstance(where, ast.Binary) and where.op == "and":
        conditions.insert(0, where.right)
        where = where.left
    conditions.insert(0, where)
    assert conditions == [
        ast.Is(ast.Name("a"), "MISSING", negated=True),
        ast.Is(ast.Name("b"), "NULL"),
        ast.Binary("not_in", ast.Name("c"), ast.Collection("list", (lit("int", "1"),))),
        ast.Call("begins_with", (ast.Name("d"), lit("string", "x"))),
        ast.Binary(">", ast.Call("size", (ast.Name("e"),)), lit("int", "1")),
        ast.Between(ast.Name("f"), lit("int", "1"), lit("int", "2"), negated=True),
    ]


def test_literals_of_every_kind():
    node = parse(
        "VALUE_OF({'s': 'x', 'n': -1.5, 'b': true, 'z': null, 'l': [1, 'a'], 'ss': <<'a'>>})"
    )
    struct = node.args[0]
    assert struct == ast.Struct(
        (
            (lit("string", "s"), lit("string", "x")),
            (lit("string", "n"), lit("decimal", "-1.5")),
            (lit("string", "b"), lit("bool", True)),
            (lit("string", "z"), lit("null")),
            (lit("string", "l"), ast.Collection("list", (lit("int", "1"), lit("string", "a")))),
            (lit("string", "ss"), ast.Collection("bag", (lit("string", "a"),))),
        )
    )


def test_parameters_are_numbered_in_order():
    node = parse("SELECT * FROM t WHERE a = ? AND b IN [?, ?]")
    assert node.where.left.right == ast.Parameter(1)
    assert node.where.right.right.items == (ast.Parameter(2), ast.Parameter(3))


def test_insert():
    node = parse("INSERT INTO \"t\" VALUE {'pk': ?}")
    assert node == ast.Dml(
        (ast.InsertValue(ast.Name("t"), ast.Struct(((lit("string", "pk"), ast.Parameter(1)),))),)
    )
    assert isinstance(parse("INSERT INTO t <<{'pk': 1}>>").ops[0], ast.InsertQuery)
    conflicted = parse("INSERT INTO t VALUE {'pk': 1} AT 1 ON CONFLICT WHERE a DO NOTHING").ops[0]
    assert conflicted.position == lit("int", "1")
    assert conflicted.on_conflict


def test_update_with_several_clauses_and_returning():
    node = parse(
        "UPDATE t SET a = a + 1, b = list_append(b, [1]) SET c.d[0] = 'x' REMOVE e "
        "WHERE pk = 'k' RETURNING MODIFIED NEW *"
    )
    assert node.source == ast.Source(ast.Name("t"))
    assert [type(op) for op in node.ops] == [ast.Assign, ast.Assign, ast.Assign, ast.Remove]
    assert node.ops[0].value == ast.Binary("+", ast.Name("a"), lit("int", "1"))
    assert node.where == eq(PK, lit("string", "k"))
    assert node.returning == ast.Returning((("modified_new", None),))


def test_delete_and_from_first_update():
    assert parse("DELETE FROM t WHERE pk = 1 RETURNING ALL OLD *") == ast.Dml(
        (ast.Delete(),),
        ast.Source(ast.Name("t")),
        eq(PK, lit("int", "1")),
        ast.Returning((("all_old", None),)),
    )
    node = parse("FROM t WHERE pk = 1 SET a = 2")
    assert node.source == ast.Source(ast.Name("t"))
    assert node.ops == (ast.Assign(ast.Name("a"), lit("int", "2")),)


def test_exists_and_a_trailing_semicolon():
    node = parse("EXISTS(SELECT * FROM t WHERE pk = 1);")
    assert node.name == "exists"
    assert isinstance(node.args[0], ast.Select)


def test_unary_minus_folds_into_numbers():
    assert parse("- -3") == lit("int", "3")
    assert parse("-a") == ast.Unary("-", ast.Name("a"))
    assert parse("-(1)") == lit("int", "-1")
