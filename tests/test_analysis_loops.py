"""Canonical loop views, normalisation and loop nests (analysis/loops.py)."""
from __future__ import annotations

import itertools

import pytest

import xpiler
from xpiler import evaluate, ir
from xpiler.analysis.loops import LoopView, NotCanonical, loop_nest, loop_view, loops, normalize
from xpiler.analysis.symbols import SymbolTable


def _loop(header: str, body: str = "x[i] = 0;", decls: str = "", sig: str = "float *x, int n, int m"):
    m = xpiler.parse(f"void k({sig}) {{ {decls} for ({header}) {{ {body} }} }}", path="k.c")
    assert not [d for d in m.diagnostics if d.severity == "error"], m.diagnostics
    f = m.functions[0]
    return f, SymbolTable(f, m), next(s for s in f.body.stmts if isinstance(s, ir.For))


def _text(e) -> str:
    return xpiler.print_node(e)


@pytest.mark.parametrize("header, start, end, step, extent, inclusive", [
    ("int i = 0; i < n; ++i", "0", "n", 1, "n", False),
    ("int i = 0; i < n; i++", "0", "n", 1, "n", False),
    ("int i = 0; n > i; i = i + 1", "0", "n", 1, "n", False),
    ("int i = 0; i != n; i += 1", "0", "n", 1, "n", False),
    ("int i = 0; i <= m; i += 2", "0", "m + 1", 2, "(m + 2) / 2", True),
    ("int i = 2; i < n; i += 3", "2", "n", 3, "n / 3", False),
    ("int i = n - 1; i >= 0; --i", "n - 1", "-1", -1, "n", True),
    ("int i = n; i > 0; i -= 2", "n", "0", -2, "(n + 1) / 2", False),
    ("int i = 0; 10 >= i; i = 2 + i", "0", "11", 2, "6", True),
    ("int i = 0; i != 9; i += 3", "0", "9", 3, "3", False),
    ("int i = 5; i < 3; ++i", "5", "3", 1, "0", False),
])
def test_canonical_forms(header, start, end, step, extent, inclusive):
    f, table, loop = _loop(header)
    v = loop_view(loop, table)
    assert isinstance(v, LoopView), v
    assert (v.var, _text(v.start), _text(v.end), v.step, _text(v.extent), v.inclusive) == \
        ("i", start, end, step, extent, inclusive)
    assert v.loop is loop and v.var_type == ir.Named("int")


def test_variable_declared_outside_takes_its_type_from_the_table():
    f, table, loop = _loop("j = 5; j < n; ++j", "x[j] = 0;", decls="unsigned j;")
    v = loop_view(loop, table)
    assert isinstance(v, LoopView) and not v.declared and v.var_type == ir.Named("unsigned int")
    assert isinstance(normalize(loop, table), NotCanonical)  # j's value after the loop would change


@pytest.mark.parametrize("header, body, reason", [
    ("int i = 0; i < n; i += m", "x[i] = 0;", "non-constant step m"),
    ("int i = 0; i < n; i *= 2", "x[i] = 0;", "is not i += constant"),
    ("int i = 0; i < n; i += 0", "x[i] = 0;", "zero"),
    ("int i = 0; i < n; --i", "x[i] = 0;", "does not move toward its bound"),
    ("int i = 0; i < n; ++i", "if (x[i] > 0) break;", "a break leaves the loop"),
    ("int i = 0; i < n; ++i", "return;", "a return leaves the loop"),
    ("int i = 0; i < n; ++i", "i += 1;", "the loop variable i changes in the body (it is written"),
    ("int i = 0; i < n; ++i", "int *p = &i; *p = 0;", "its address is taken"),
    ("int i = 0; i < n; ++i", "n--;", "the bound n changes in the body"),
    ("int i = 0; i < (int)x[0]; ++i", "x[i] = 0;", "reads memory the body may write"),
    ("int i = 0; i != 10; i += 3", "x[i] = 0;", "may jump over the bound"),
    ("int i = 0; i * 2 < n; ++i", "x[i] = 0;", "is not i compared with a bound"),
    ("int i = 0; ; ++i", "x[i] = 0;", "no condition"),
    ("; i < n; ++i", "x[i] = 0;", "the init does not set one loop variable"),
    ("float i = 0; i < n; ++i", "x[0] = i;", "not an integer"),
    ("unsigned i = n; i >= 0; --i", "x[i] = 0;", "always true for unsigned"),
])
def test_not_canonical_with_reason(header, body, reason):
    decls = "int i;" if header.startswith(";") else ""
    f, table, loop = _loop(header, body, decls)
    v = loop_view(loop, table)
    assert isinstance(v, NotCanonical) and not v
    assert reason in v.reason, v.reason
    assert isinstance(normalize(loop, table), NotCanonical)


def test_what_is_still_canonical():
    # a shadowing redeclaration is another variable; a break of an inner loop stays inside it;
    # a bound reading memory the body does not write is invariant
    for header, body in [("int i = 0; i < n; ++i", "{ int n = 3; n++; x[i] = n; }"),
                         ("int i = 0; i < n; ++i", "for (;;) break; x[i] = 1;"),
                         ("int i = 0; i < (int)x[0]; ++i", "m += i;")]:
        f, table, loop = _loop(header, body)
        assert isinstance(loop_view(loop, table), LoopView)


def _run(f: ir.Function, params: dict[str, int]) -> list[int]:
    """The indices x[...] is written at, in order, running the function's loops with evaluate."""
    trace: list[int] = []
    env = dict(params)

    def stmt(s):
        if isinstance(s, ir.Block):
            for x in s.stmts:
                stmt(x)
        elif isinstance(s, ir.Decl):
            for v in s.vars:
                env[v.name] = evaluate.evaluate(v.init, env)
        elif isinstance(s, ir.ExprStmt) and isinstance(s.expr, ir.Assign) and isinstance(s.expr.target, ir.Index):
            trace.append(int(evaluate.evaluate(s.expr.target.index, env)))
        elif isinstance(s, ir.ExprStmt):
            e = s.expr
            if isinstance(e, ir.Unary):
                env[e.operand.name] = evaluate.evaluate(ir.Binary("+" if e.op == "++" else "-", e.operand,
                                                                  ir.IntLit(1)), env)
            else:
                op = e.op[:-1] if e.op != "=" else None
                value = e.value if op is None else ir.Binary(op, e.target, e.value)
                env[e.target.name] = evaluate.evaluate(value, env)
        elif isinstance(s, ir.For):
            stmt(s.init)
            guard = 0
            while evaluate.evaluate(s.cond, env):
                stmt(s.body)
                stmt(ir.ExprStmt(s.step))
                guard += 1
                assert guard < 1000
        else:
            raise AssertionError(type(s))

    stmt(f.body)
    return trace


@pytest.mark.parametrize("header, body", [
    ("int i = 0; i < n; ++i", "x[i] = 0;"),
    ("int i = 2; i < n; i += 3", "x[i] = 0;"),
    ("int i = n - 1; i >= 0; --i", "x[i] = 0;"),
    ("int i = n; i > -3; i -= 2", "x[i + 3] = 0;"),
    ("int i = -3; i <= n; i += 4", "x[i + 3] = 0; x[2 * i + 6] = 1;"),
    ("int i = m; i != n; i++", "x[i - m] = 0;"),
])
def test_normalize_runs_the_same_iterations(header, body):
    f, table, loop = _loop(header, body)
    new = normalize(loop, table)
    assert isinstance(new, ir.For), new
    assert _text(new.cond).startswith("i < ") and _text(new.step) == "++i" and _text(new.init) == "int i = 0;"
    assert new.origin == "normalize"
    again = normalize(new, table)
    assert isinstance(again, ir.For) and again == new  # normalising twice changes nothing
    normalized = xpiler.parse(f"void k(float *x, int n, int m) {{ {_text(new)} }}", path="k.c").functions[0]
    for n, m in itertools.product(range(-2, 9), range(0, 3)):
        if "!=" in header and m > n:
            continue  # that loop does not terminate
        assert _run(f, {"n": n, "m": m}) == _run(normalized, {"n": n, "m": m}), (n, m, _text(new))


def test_normalize_refusals():
    f, table, loop = _loop("int i = m; i < n; ++i", "m++; x[i] = 0;")
    r = normalize(loop, table)
    assert isinstance(r, NotCanonical) and "the start m changes in the body" in r.reason
    f, table, loop = _loop("unsigned i = m; i < n; ++i", "x[i] = 0;")
    r = normalize(loop, table)
    assert isinstance(r, NotCanonical) and "may wrap" in r.reason
    f, table, loop = _loop("int i = 0; i < n; ++i", "{ int i = 2; x[i] = 0; }")
    r = normalize(loop, table)
    assert isinstance(r, NotCanonical) and "redeclares i" in r.reason


def test_unsigned_counts_from_zero_normalise():
    f, table, loop = _loop("unsigned i = n; i > 0; i--", "x[i] = 0;")
    new = normalize(loop, table)
    assert isinstance(new, ir.For)
    assert _text(new.cond) == "i < n" and "(unsigned int)n - i" in _text(new.body)


def test_loop_nest():
    m = xpiler.parse("""
void k(float *x, int n) {
    for (int i = 0; i < n; ++i) {
        x[i] = 0;
        for (int j = 0; j < n; ++j) {
            x[i + j] = 1;
        }
    }
    x[0] = 2;
}""", path="k.c")
    f = m.functions[0]
    outer = f.body.stmts[0]
    inner = outer.body.stmts[1]
    a, b, c = outer.body.stmts[0], inner.body.stmts[0], f.body.stmts[1]
    assert loop_nest(f, a) == [outer] and loop_nest(f, b) == [outer, inner] and loop_nest(f, c) == []
    assert loop_nest(f, inner)[0] is outer and len(loop_nest(f, inner)) == 1
    assert loop_nest(f, inner.cond) == [outer]  # a loop's own header is not inside it
    assert loops(f) == [outer, inner]
    with pytest.raises(ValueError):
        loop_nest(f, ir.Break())
