"""Affine forms with C integer semantics (analysis/affine.py)."""
from __future__ import annotations

import itertools

import pytest

import xpiler
from xpiler import evaluate, ir
from xpiler.analysis.affine import (Affine, Context, Guard, NotAffine, Range, affine_of, constraints_of, fold)
from xpiler.analysis.symbols import SymbolTable

_SIG = "float *x, int i, int j, int n, unsigned u, unsigned v, long l, short s"


def _setup(exprs: list[str], path: str = "k.cu", sig: str = _SIG):
    body = " ".join(f"x[{e}] = 0;" for e in exprs)
    m = xpiler.parse(f"__global__ void k({sig}) {{ {body} }}", path=path)
    assert not [d for d in m.diagnostics if d.severity == "error"], m.diagnostics
    f = m.functions[0]
    return SymbolTable(f, m), [s.expr.target.index for s in f.body.stmts]


def _form(e: str, **kw):
    table, (expr,) = _setup([e])
    return affine_of(expr, table, **kw)


@pytest.mark.parametrize("text, form", [
    ("2 * i + (j << 1) - 3", "2*i + 2*j - 3"),
    ("blockIdx.x * 256 + threadIdx.x", "256*blockIdx.x + threadIdx.x"),
    ("(i + 2) * 3 - i", "2*i + 6"),
    ("-(i - j)", "-i + j"),
    ("~i", "-i - 1"),
    ("(2 * i + 4) / 2", "i + 2"),
    ("-7 / 2 + 7 % -3", "-2"),
    ("(long)i + l", "i + l"),
    ("u + 1", "u + 1"),
    ("(threadIdx.x + 3) / 4", "floor((threadIdx.x + 3)/4)"),
    ("threadIdx.x % 32", "threadIdx.x - 32*floor((threadIdx.x)/32)"),
    ("threadIdx.x & 31", "threadIdx.x - 32*floor((threadIdx.x)/32)"),
    ("threadIdx.x >> 5", "floor((threadIdx.x)/32)"),
    ("i >> 1", "floor((i)/2)"),  # an arithmetic shift floors, whatever the sign
    ("(unsigned)threadIdx.x - 0u + sizeof(float)", "threadIdx.x + 4"),
])
def test_forms(text, form):
    a = _form(text)
    assert isinstance(a, Affine), a
    assert str(a) == form


@pytest.mark.parametrize("text, reason", [
    ("i * n", "a product of two variables"),
    ("i - 1u", "converting a value that may be negative to unsigned int"),
    ("threadIdx.x - 1u", "may wrap below zero (unsigned int)"),
    ("u - v", "may wrap below zero"),
    ("(i + 3) / 4", "the dividend may be negative"),
    ("i % 4", "the dividend may be negative"),
    ("(unsigned)n", "converting a value that may be negative to unsigned int"),
    ("(short)i", "converting to short without a known range"),
    ("i / n", "a division by a variable"),
    ("x[0] > 0 ? i : j", "a conditional"),
    ("(int)x[i]", "reads memory"),
    ("i & n", "& of two variables"),
    ("i << n", "a shift by a variable amount"),
    ("i / 0", "a division by zero"),
    ("(size_t)i", "converts a value that may be negative"),  # exact only modulo 2^64
    ("(int)((size_t)i + 1)", "then converted to int"),
])
def test_not_affine_with_reason(text, reason):
    a = _form(text)
    assert isinstance(a, NotAffine) and not a
    assert reason in a.reason, a.reason


def test_ranges_prove_what_types_cannot():
    table, exprs = _setup(["i - 1u", "(i + 3) / 4", "(unsigned)n - 1u", "(short)i", "i % 4"])
    r = {"i": Range(1, 100), "n": Range(1, None)}
    assert [str(affine_of(e, table, ranges=r)) for e in exprs] == [
        "i - 1", "floor((i + 3)/4)", "n - 1", "i", "i - 4*floor((i)/4)"]
    # a range that proves a wrap is refused too
    table, (e,) = _setup(["(unsigned)i + 4294967295u"])
    assert isinstance(affine_of(e, table, ranges={"i": Range(1, 5)}), NotAffine)
    # negative dividends with a known sign truncate exactly
    table, (e,) = _setup(["i / 4"])
    assert str(affine_of(e, table, ranges={"i": Range(None, 0)})) == "-floor((-i)/4)"


def test_constants_and_definitions():
    table, (e,) = _setup(["blockIdx.x * blockDim.x + threadIdx.x"])
    assert isinstance(affine_of(e, table), NotAffine)
    assert str(affine_of(e, table, constants={"blockDim.x": 128})) == "128*blockIdx.x + threadIdx.x"
    m = xpiler.parse("void k(float *x, int i, int j) { int idx = i * 4 + j; x[idx] = 0; }", path="k.c")
    f = m.functions[0]
    e = f.body.stmts[1].expr.target.index
    assert str(affine_of(e, SymbolTable(f, m), defs={"idx": f.body.stmts[0].vars[0].init})) == "4*i + j"
    assert str(affine_of(e, SymbolTable(f, m))) == "idx"


def test_monomials_for_delinearisation():
    table, (e,) = _setup(["(i * n + j) * 2 + (int)(blockIdx.x * blockDim.x)"])
    ctx = Context(table, iterators={"i", "j"}, monomials=True)
    a, _ = ctx.form(e)
    assert a.coeffs == {"i·n": 2, "j": 2, "blockDim.x·blockIdx.x": 1}
    table, (e,) = _setup(["i * j"])
    with pytest.raises(Exception, match="a product of two loop variables"):
        Context(table, iterators={"i", "j"}, monomials=True).form(e)


def test_the_form_computes_what_c_computes():
    """Every affine form, evaluated exactly, equals the C value (evaluate.py with types)."""
    exprs = ["2 * i + (j << 1) - 3", "(i + 2) * 3 - i", "~i + j / 3", "(i + 7) % 4 - j / 2",
             "(i >> 2) + (j & 7)", "(unsigned)i * 3u + 1u", "(long)i - j * 5L"]
    table, nodes = _setup(exprs)
    rng = {"i": Range(0, 40), "j": Range(0, 40)}
    types = {"i": ir.Named("int"), "j": ir.Named("int")}
    for node in nodes:
        a = affine_of(node, table, ranges=rng)
        assert isinstance(a, Affine), (xpiler.print_node(node), a)
        for i, j in itertools.product(range(0, 41, 3), range(0, 41, 5)):
            assert a.value({"i": i, "j": j}) == evaluate.evaluate(node, {"i": i, "j": j}, types)


def test_guards():
    table, (e,) = _setup(["0"])
    m = xpiler.parse("""__global__ void k(float *x, int i, int j, int n, unsigned u) {
        if (i < n && j >= 0) x[0] = 1;
        if (i < n || j > 0) x[0] = 1;
        if (!(i >= n || j == 3)) x[0] = 1;
        if (i != n) x[0] = 1;
        if (x[i] > 0 && i <= 2 * n) x[0] = 1;
        if (threadIdx.x < u) x[0] = 1;
        if (!i) x[0] = 1;
    }""", path="k.cu")
    f = m.functions[0]
    table = SymbolTable(f, m)
    conds = [s.cond for s in f.body.stmts]

    def show(g: Guard) -> tuple[list[str], int]:
        return [str(c) for c in g.constraints], len(g.unknown)

    assert show(constraints_of(conds[0], table)) == (["-i + n - 1 >= 0", "j >= 0"], 0)
    assert show(constraints_of(conds[0], table, negate=True)) == ([], 1)  # !(a && b) is a disjunction
    assert show(constraints_of(conds[1], table)) == ([], 1)
    assert show(constraints_of(conds[1], table, negate=True)) == (["i - n >= 0", "-j >= 0"], 0)
    assert show(constraints_of(conds[2], table)) == (["-i + n - 1 >= 0"], 1)  # j != 3 is not a conjunction
    assert show(constraints_of(conds[3], table)) == ([], 1)
    assert show(constraints_of(conds[3], table, negate=True)) == (["i - n == 0"], 0)
    g = constraints_of(conds[4], table)
    assert show(g) == (["-i + 2*n >= 0"], 1) and not g.exact and "reads memory" in g.unknown[0]
    assert show(constraints_of(conds[5], table)) == (["-threadIdx.x + u - 1 >= 0"], 0)
    assert show(constraints_of(conds[6], table)) == (["i == 0"], 0)
    # every constraint holds exactly where the condition does
    for cond, neg in itertools.product(conds[:4], (False, True)):
        g = constraints_of(cond, table, negate=neg)
        if not g.exact:
            continue
        for i, j, n in itertools.product(range(-3, 4), repeat=3):
            env = {"i": i, "j": j, "n": n}
            truth = bool(evaluate.evaluate(cond, env)) != neg
            assert truth == all(c.holds(env) for c in g.constraints)


def test_affine_algebra_and_fold():
    a = Affine({"i": 2}, 3)
    b = Affine({"i": -2, "n": 1}, -3)
    assert (a + b) == Affine({"n": 1}, 0)
    q = Affine({"i": 1}, 5).floordiv(4)
    assert str(q) == "floor((i + 1)/4) + 1" and q.value({"i": 6}) == 2 and q.value({"i": -6}) == -1
    assert str(Affine({"i": 4}, 8).floordiv(4)) == "i + 2"
    assert q.names() == {"i"}
    assert str(q.substitute("i", Affine({"j": 2}, 0))) == "floor((2*j + 1)/4) + 1"
    m = xpiler.parse("void k(int *x, int n) { x[(n - 1) - (-1)] = 0; x[n * 2 - n] = 0; }", path="k.c")
    exprs = [s.expr.target.index for s in m.functions[0].body.stmts]
    assert [xpiler.print_node(fold(e)) for e in exprs] == ["n", "n"]
