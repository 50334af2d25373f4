"""Printer: precedence, declarators, dialect spellings, and parse/print fixed points."""
from __future__ import annotations

import pytest

import xpiler
from xpiler import ir
from xpiler.printer import print_node


@pytest.mark.parametrize("expr", [
    "a + b * c", "(a + b) * c", "a - (b - c)", "a - b - c", "a / (b * c)", "-(-a)", "-(a + b)",
    "!(a && b) || (c && d)", "(a || b) && c", "a & (b | c)", "(a & b) == c", "(a < b) == (c < d)",
    "a ? b : c ? d : e", "(a ? b : c) ? d : e", "a = b = c", "m[i + 1][j]", "(*s).x", "s->t.y",
    "*p++", "(*p)++", "++*p", "&m[3][1]", "(float)a / b", "(float)(a / b)", "((float *)p)[i]",
    "a << (b + 1)", "(a << b) + 1", "f(a, (b, c))", "sizeof(float) * n", "x % 3u", "~a & 0xff",
    "a == b ? 1.0f : 2e-3", "static_cast<int>(x) >> 2", "-1 * a", "a - -1",
])
def test_expression_round_trip(expr):
    src = ("struct T { int y; }; struct S { int x; T t; };\n"
           "int a, b, c, d, e, i, j, n, x, *p, m[4][4]; S *s; void f(int, int);\n"
           f"void k() {{ (void)({expr}); }}")
    m = xpiler.parse(src, path="e.cpp")
    assert not [d for d in m.diagnostics if d.is_error], m.diagnostics
    printed = xpiler.print_module(m)
    m2 = xpiler.parse(printed, path="e.cpp")
    assert m2 == m
    assert expr.replace(" ", "") in printed.replace(" ", "")  # no parentheses added or lost


@pytest.mark.parametrize("decl", [
    "float *x;", "const float *x;", "float *const x = nullptr;", "float *__restrict__ x;",
    "float a[4][8];", "float (*p)[8];", "int a = 1, *b, c[3];", "unsigned long long n = 1ull;",
    "const int8_t *q;", "float v[3] = {1, 2, 3};", "static constexpr int K = 16;",
])
def test_declarators(decl):
    src = "#include <stdint.h>\n" + decl + "\n"
    m = xpiler.parse(src, path="d.cpp")
    assert not [d for d in m.diagnostics if d.is_error], m.diagnostics
    assert decl in xpiler.print_module(m)


def test_same_ir_spelled_for_each_dialect():
    m = xpiler.parse("""
        __global__ void k(float *__restrict__ x) {
            __shared__ float s[32];
            s[threadIdx.x] = x[threadIdx.x];
        }""", path="k.cu")
    assert "__global__ void k(float *__restrict__ x)" in xpiler.print_module(m, "hip")
    bang = xpiler.print_module(m, "bang")
    assert "__mlu_global__ void k(float *__restrict__ x)" in bang
    c = xpiler.print_module(m, "c")
    assert "void k(float *restrict x)" in c and "__shared__" not in c


def test_made_nodes_print():
    loop = ir.For(ir.Decl([ir.VarDecl("i", ir.Named("int"), ir.IntLit(0))]),
                  ir.Binary("<", ir.Name("i"), ir.Name("n")), ir.Unary("++", ir.Name("i")),
                  ir.Block([ir.ExprStmt(ir.Assign("+=", ir.Index(ir.Name("y"), ir.Name("i")),
                                                  ir.Binary("*", ir.FloatLit(2.0, "2.0f"), ir.Name("x"))))]))
    assert print_node(loop) == "for (int i = 0; i < n; ++i) {\n    y[i] += 2.0f * x;\n}"
    assert print_node(ir.Pointer(ir.Array(ir.Named("float"), ir.IntLit(4)))) == "float (*)[4]"
