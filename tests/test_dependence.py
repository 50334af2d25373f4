"""The dependence test (analysis/dependence.py): known cases, aliasing, and agreement
with a brute-force enumeration of the accesses on small sizes."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Optional

import pytest

import xpiler
from xpiler import dtypes, evaluate, ir
from xpiler.analysis.dependence import LoopDeps, analyze
from xpiler.analysis.symbols import SymbolTable


def _parse(src: str, path: str = "k.c") -> tuple[ir.Module, ir.Function]:
    m = xpiler.parse(src, path=path)
    assert not [d for d in m.diagnostics if d.severity == "error"], m.diagnostics
    return m, m.functions[-1]


def _deps(src: str, path: str = "k.c", **kw) -> dict[str, LoopDeps]:
    m, f = _parse(src, path)
    out = {}
    for d in analyze(f, module=m, **kw):
        assert d.var not in out, "the tests give every loop its own variable"
        out[d.var] = d
    return out


def _kinds(src: str, path: str = "k.c", **kw) -> dict[str, str]:
    return {v: d.kind for v, d in _deps(src, path, **kw).items()}


SAXPY = "void k(float *x, float *y, float a, int n) { for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i]; }"


# ----------------------------------------------------------------------------- known cases
def test_elementwise_and_aliasing():
    d = _deps(SAXPY)["i"]
    assert d.kind == "unknown" and "x and y may alias" in d.reason
    assert _kinds(SAXPY, assume_no_alias=True) == {"i": "parallel"}
    assert _kinds(SAXPY, assume_no_alias={"x"}) == {"i": "parallel"}
    assert _kinds(SAXPY.replace("float *x", "const float *restrict x")) == {"i": "parallel"}
    assert _kinds(SAXPY.replace("float *y", "float *restrict y")) == {"i": "parallel"}
    # a pointer parameter may alias a file-scope array, not a local or on-chip one
    glob = "float g[64]; void k(float *y, int n) { for (int i = 0; i < n; i++) y[i] = g[i] + 1; }"
    assert _kinds(glob)["i"] == "unknown"
    local = "void k(float *y, int n) { float t[64]; for (int i = 0; i < 64; i++) t[i] = y[i] * 2; }"
    assert _kinds(local) == {"i": "parallel"}
    shared = """__global__ void k(float *y) { __shared__ float s[256];
        for (int i = 0; i < 256; i++) s[i] = y[i]; }"""
    assert _kinds(shared, "k.cu") == {"i": "parallel"}


def test_prefix_sum_is_carried_with_distance_one():
    d = _deps("void k(float *x, const float *restrict y, int n) "
              "{ for (int i = 1; i < n; i++) x[i] = x[i - 1] + y[i]; }")["i"]
    assert d.kind == "carried"
    w = d.witness
    assert w.kind == "flow" and w.distance == 1 and w.exact
    assert w.source.text == "x[i]" and w.source.write and w.sink.text == "x[i - 1]" and not w.sink.write
    assert w.example["i'"] - w.example["i"] == 1 and w.example["n"] >= 3


@pytest.mark.parametrize("stmt, var, op", [
    ("s += x[i];", "s", "+"),
    ("s = s + x[i];", "s", "+"),
    ("s = x[i] + s;", "s", "+"),
    ("s -= x[i];", "s", "+"),
    ("s *= x[i];", "s", "*"),
    ("s = fmaxf(s, x[i]);", "s", "max"),
    ("s = fminf(x[i], s);", "s", "min"),
    ("s = x[i] > s ? x[i] : s;", "s", "max"),
    ("s = fmaf(x[i], x[i], s);", "s", "+"),
    ("*out += x[i];", "*out", "+"),
])
def test_scalar_reductions(stmt, var, op):
    src = (f"void k(const float *restrict x, float *restrict out, int n) "
           f"{{ float s = 0; for (int i = 0; i < n; i++) {{ {stmt} }} out[1] = s; }}")
    d = _deps(src)["i"]
    assert d.kind == "reduction", d.reason
    assert [(r.var, r.op) for r in d.reductions] == [(var, op)]


def test_integer_bit_reductions_and_atomics():
    src = """void k(const unsigned *restrict x, unsigned *restrict o, int n) {
        unsigned a = 0, b = 0, c = ~0u;
        for (int i = 0; i < n; i++) { a ^= x[i]; b |= x[i]; c &= x[i]; }
        o[0] = a; o[1] = b; o[2] = c; }"""
    d = _deps(src)["i"]
    assert d.kind == "reduction" and sorted(r.op for r in d.reductions) == ["&", "^", "|"]
    src = """__global__ void k(const float *__restrict__ x, float *__restrict__ sum, int n) {
        for (int i = 0; i < n; i++) atomicAdd(&sum[0], x[i]); }"""
    assert _deps(src, "k.cu")["i"].kind == "reduction"


def test_not_reductions():
    base = "void k(float *restrict x, float *restrict y, int n) {{ float s = 0; for (int i = 0; i < n; i++) {{ {} }} y[0] = s; }}"
    # the accumulator read elsewhere in the loop: a real flow dependence
    d = _deps(base.format("s += x[i]; y[i] = s;"))["i"]
    assert d.kind == "carried" and d.witness.kind in ("flow", "anti")
    # s = x[i] - s is not associative
    assert _deps(base.format("s = x[i] - s;"))["i"].kind == "carried"
    # two ops on one accumulator
    assert _deps(base.format("s += x[i]; s *= 2;"))["i"].kind == "carried"


def test_matrix_multiply():
    src = """#define N 64
void k(const float A[N][N], const float B[N][N], float C[N][N]) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            for (int k = 0; k < N; k++)
                C[i][j] += A[i][k] * B[k][j];
}"""
    d = _deps(src, assume_no_alias=True)
    assert {v: x.kind for v, x in d.items()} == {"i": "parallel", "j": "parallel", "k": "reduction"}
    assert [(r.var, r.op) for r in d["k"].reductions] == [("C[i][j]", "+")]
    # the same with symbolic sizes: the strides i*n are delinearised (0 <= j, k < n is proven)
    sym = """void k(const float *restrict A, const float *restrict B, float *restrict C, int n) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            float acc = 0;
            for (int k = 0; k < n; k++) acc += A[i * n + k] * B[k * n + j];
            C[i * n + j] = acc;
        }
}"""
    assert _kinds(sym) == {"i": "parallel", "j": "parallel", "k": "reduction"}


def test_matrix_vector_reduction_into_an_array():
    src = """void k(const float *restrict a, const float *restrict x, float *restrict y, int m) {
        for (int i = 0; i < m; i++) for (int j = 0; j < 8; j++) y[j] += a[i * 8 + j] * x[i]; }"""
    d = _deps(src)
    assert d["i"].kind == "reduction" and [(r.var, r.op) for r in d["i"].reductions] == [("y[j]", "+")]
    assert d["j"].kind == "parallel"


def test_transpose_and_stencils():
    t = "void k(const float *restrict a, float *restrict b) { for (int i = 0; i < 32; i++) for (int j = 0; j < 32; j++) b[j * 32 + i] = a[i * 32 + j]; }"
    assert _kinds(t) == {"i": "parallel", "j": "parallel"}
    s = "void k(const float *restrict a, float *restrict b, int n) { for (int i = 1; i < n - 1; i++) b[i] = a[i - 1] + a[i] + a[i + 1]; }"
    assert _kinds(s) == {"i": "parallel"}
    inplace = _deps("void k(float *a, int n) { for (int i = 1; i < n - 1; i++) a[i] = a[i - 1] + a[i + 1]; }")["i"]
    assert inplace.kind == "carried" and inplace.witness.distance == 1


def test_isl_proves_disjoint_affine_accesses():
    assert _kinds("void k(float *x, int n) { for (int i = 0; i < n; i++) x[2 * i] = x[2 * i + 1]; }") == {"i": "parallel"}
    d = _deps("void k(float *x, int n) { for (int i = 0; i < n; i++) x[i] = x[n - i]; }")["i"]
    assert d.kind == "carried" and d.witness.distance is None  # the distance depends on i and n
    assert _kinds("void k(float *x, int n) { for (int i = 0; i < n; i++) x[i] = x[i + n]; }") == {"i": "parallel"}


def test_indirect_index_and_unknown_calls():
    d = _deps("void k(float *x, const int *restrict idx, int n) { for (int i = 0; i < n; i++) x[idx[i]] += 1; }")["i"]
    assert d.kind == "unknown" and "idx[i] reads memory" in d.reason
    d = _deps("void log_it(float *p);\nvoid k(float *restrict x, int n) "
              "{ for (int i = 0; i < n; i++) { x[i] = 1; log_it(x); } }")["i"]
    assert d.kind == "unknown" and "log_it" in d.reason
    # a pure helper and math functions are no obstacle
    src = """float sq(float v) { return v * v; }
void k(const float *restrict x, float *restrict y, int n) { for (int i = 0; i < n; i++) y[i] = sq(sqrtf(x[i])); }"""
    assert _kinds(src) == {"i": "parallel"}


def test_guards_make_accesses_disjoint():
    base = "void k(float *a, int n) {{ for (int i = 0; i < n; i++) {{ {} }} }}"
    assert _kinds(base.format("if (i < 10) a[i] = a[i + 10];")) == {"i": "parallel"}
    assert _kinds(base.format("a[i] = a[i + 10];")) == {"i": "carried"}
    # the else branch runs where i >= 10 (without that, a[i + 5] would meet a[5..9])
    assert _kinds(base.format("if (i < 10) a[i] = 1; else a[i + 5] = 2;")) == {"i": "parallel"}
    assert _kinds(base.format("if (i < 10) a[i] = 1; a[i + 5] = 2;")) == {"i": "carried"}
    # a guard that is not affine only over-approximates: possible, so unknown
    d = _deps("void k(float *a, const float *restrict c, int n) "
              "{ for (int i = 0; i < n; i++) if (c[i] > 0) a[i] = a[i + 1]; }")["i"]
    assert d.kind == "unknown" and "possible dependence" in d.reason


def test_privatisation_and_locals():
    src = "void k(const float *restrict x, float *restrict y, int n) {{ {} for (int i = 0; i < n; i++) {{ {} }} {} }}"
    assert _kinds(src.format("", "float t = x[i]; y[i] = t * t;", "")) == {"i": "parallel"}
    d = _deps(src.format("float t;", "t = x[i]; y[i] = t * t;", ""))["i"]
    assert d.kind == "parallel" and d.private == ["t"]
    # used after the loop: its last value matters, so not private
    assert _kinds(src.format("float t = 0;", "t = x[i]; y[i] = t * t;", "y[0] = t;")) == {"i": "carried"}
    # read before written in an iteration: a real dependence
    assert _kinds(src.format("float t = 0;", "y[i] = t; t = x[i];", "")) == {"i": "carried"}


def test_definitions_and_pointer_locals_are_followed():
    src = """void k(float *restrict y, const float *restrict x) {
        for (int i = 0; i < 8; i++) for (int j = 0; j < 8; j++) { int idx = i * 8 + j; y[idx] = x[idx] * 2; } }"""
    assert _kinds(src) == {"i": "parallel", "j": "parallel"}
    src = """void k(float *restrict y) {
        for (int i = 0; i < 8; i++) { float *row = y + i * 8; for (int j = 1; j < 8; j++) row[j] = row[j - 1]; } }"""
    d = _deps(src)
    assert d["i"].kind == "parallel" and d["j"].kind == "carried" and d["j"].witness.distance == 1


def test_unsigned_wrap_is_not_affine():
    d = _deps("void k(float *y, unsigned n) { for (unsigned i = 0; i < n; i++) y[i - 1u] = y[i]; }")["i"]
    assert d.kind == "unknown" and "i - 1u may wrap below zero" in d.reason
    # an offset wrapping in 64 bits is the same address: (size_t)r * n is fine
    src = """void k(float *restrict y, int n, int m) {
        for (int r = 0; r < m; r++) for (int c = 0; c < n; c++) y[(size_t)r * n + c] = 0; }"""
    assert _kinds(src) == {"r": "parallel", "c": "parallel"}


def test_loops_that_are_not_canonical_are_unknown():
    d = _deps("void k(float *y, int n) { for (int i = 0; i < n; i++) { if (y[i] < 0) break; y[i] = 1; } }")["i"]
    assert d.kind == "unknown" and "not canonical" in d.reason and "break" in d.reason
    d = _deps("void k(float *y, int n, int s) { for (int i = 0; i < n; i += s) y[i] = 1; }")["i"]
    assert d.kind == "unknown" and "non-constant step" in d.reason


def test_symbolic_extents_are_parameters():
    # a strided loop over the threads of a block, and blockDim.x as an isl parameter
    src = """__global__ void k(float *__restrict__ x, int n) {
        for (int i = threadIdx.x; i < n; i += 256) x[i] = x[i] * 2; }"""
    assert _kinds(src, "k.cu") == {"i": "parallel"}
    src = """__global__ void k(float *__restrict__ x, int nb) {
        for (int b = 0; b < nb; b++) for (int t = 0; t < blockDim.x; t++) x[b * blockDim.x + t] += 1.0f; }"""
    assert _kinds(src, "k.cu") == {"b": "parallel", "t": "parallel"}
    # t + 1 may reach blockDim.x: the strides cannot be separated, so unknown (never a wrong parallel)
    src2 = src.replace("x[b * blockDim.x + t] += 1.0f", "x[b * blockDim.x + t + 1] = x[b * blockDim.x + t]")
    d = _deps(src2, "k.cu")
    assert d["b"].kind == "unknown" and "cannot be delinearised" in d["b"].reason
    # with blockDim.x known, the same loop is exact
    assert _kinds(src2, "k.cu", constants={"blockDim.x": 64}) == {"b": "carried", "t": "carried"}


def test_allocations_and_escaping_locals():
    heap = """#include <stdlib.h>
void k(const float *x, float *y, int n) {
    float *t = (float *)malloc(n * sizeof(float));
    for (int i = 0; i < n; i++) t[i] = x[i] * 2;
    for (int j = 1; j < n; j++) y[j] = t[j - 1];
    free(t);
}"""
    # this call's allocation is no parameter's memory; x and y may still alias each other
    assert _kinds(heap) == {"i": "parallel", "j": "parallel"}
    # a local whose address a file-scope pointer holds may be reached through it
    escape = "float *gp; void k(void) {{ float buf[64]; {} for (int i = 0; i < 63; i++) buf[i] = gp[i + 1]; }}"
    for setup, kind in (("gp = buf;", "unknown"), ("", "parallel")):
        m, f = _parse(escape.format(setup))
        loop = f.body.stmts[-1]
        (d,) = analyze(loop, SymbolTable(f, m))  # the loop alone: gp is set before it
        assert d.kind == kind, d.reason
        if kind == "unknown":
            assert "may alias" in d.reason and "buf" in d.reason and "gp" in d.reason


def test_reinterpreting_casts():
    """Lanes of a vector local through ``(T *)&v`` (what detensorize writes) and element
    views through ``void *``/``char *`` locals: the object is kept, offsets in bytes."""
    src = """typedef float v4 __attribute__((vector_size(16)));
void k(const float *restrict x, float *restrict y, int n) {
    for (int i = 0; i < n; i++) {
        v4 r;
        for (int l = 0; l < 4; l++) ((float *)&r)[l] = x[4 * i + l] * 2;
        v4 s = r;
        void *out = y + 4 * i;
        for (int l2 = 0; l2 < 4; l2++) ((float *)out)[l2] = ((float *)&s)[l2];
    }
}"""
    d = _deps(src)
    assert {v: x.kind for v, x in d.items()} == {"i": "parallel", "l": "parallel", "l2": "parallel"}, \
        [x.reason for x in d.values()]
    # r written lane by lane, then read whole: a dependence inside the iteration only
    carried = src.replace("v4 r;\n", "").replace("(const float *restrict x", "(const float *restrict x, v4 *o") \
        .replace("void k(", "void k2(").replace("for (int i", "v4 r; for (int i").replace("}\n}", "}\n*o = r; }")
    assert _kinds(carried)["i"] == "carried"
    # elements of different sizes at parametric strides: not decided
    src = """void k(float *restrict y, int n, int m) {
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) { y[i * n + j] = 0; ((char *)y)[4 * (i * n + j)] = 1; } }"""
    d = _deps(src)["i"]
    assert d.kind == "unknown" and "different sizes" in d.reason
    # an element type of unknown size through a cast: unknown, never a guess
    src = """typedef struct { int a; } S;
void k(float *restrict y, int n) { for (int i = 0; i < n; i++) ((S *)y)[i].a = 0; }"""
    d = _deps(src)["i"]
    assert d.kind == "unknown" and "unknown size" in d.reason
    # a lane view does not let the variable escape: a pointer of unknown object cannot reach it
    src = """void k(float **pp, double *restrict y, int n) {
        for (int i = 0; i < n; i++) { const float *q = pp[i]; double v;
            for (int l = 0; l < 2; l++) ((float *)&v)[l] = q[l];
            y[i] = v; } }"""
    assert _kinds(src)["l"] == "parallel"
    assert _kinds(src.replace("double v;", "double v; double *w = &v;"))["l"] == "unknown"


def test_a_local_named_like_a_loop_variable_is_unknown():
    src = """void k(float *x, int n) {
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { int i = j; x[i] = 0; } }"""
    d = _deps(src)
    assert d["j"].kind == "unknown" and "redeclares the loop variable i" in d["j"].reason


def test_while_and_opaque_code_inside_are_unknown():
    d = _deps("void k(float *restrict y, int n) { for (int i = 0; i < n; i++) { int j = 0; "
              "while (j < 3) { y[i + j] = 1; j++; } } }")["i"]
    assert d.kind == "unknown" and "j changes inside the loop nest" in d.reason
    d = _deps("void k(float *restrict y, int n) { for (int i = 0; i < n; i++) { y[i] = 0; goto out; } out: ; }")["i"]
    assert d.kind == "unknown"


# ----------------------------------------------------------------------------- brute force
@dataclass(frozen=True)
class _Hit:
    array: str  # the object (a parameter's buffer, or one instance of a local)
    addr: int  # first byte
    write: bool
    iters: tuple[tuple[int, int], ...]  # (loop id, iteration number), outermost first
    node: int
    size: int = 4  # bytes


def _size(t: ir.CType) -> int:
    if isinstance(t, ir.Named) and t.name == "void":
        return 1  # GNU C's pointer arithmetic
    n = dtypes.sizeof(t)
    assert n is not None, t
    return n


def _pointee(t: ir.CType) -> ir.CType:
    return t.pointee if isinstance(t, ir.Pointer) else t.elem  # type: ignore[union-attr]


class _Machine:
    """Pointers as (object, byte offset, pointed-to type) for the brute force: parameters
    are objects of their own, every execution of a local's declaration makes a new one."""

    def __init__(self, f: ir.Function, env: dict):
        self.env = env  # integers
        self.types: dict[str, ir.CType] = {p.name: p.type for p in f.params}
        self.ptrs: dict[str, tuple[str, int, ir.CType]] = {}  # pointer locals' values
        self.objs: dict[str, str] = {}  # local variable -> its current instance
        for p in f.params:
            if isinstance(p.type, (ir.Pointer, ir.Array)):
                self.ptrs[p.name] = (p.name, 0, _pointee(p.type))

    def int(self, e: ir.Expr) -> int:
        return int(evaluate.evaluate(e, self.env))

    def pointer(self, e: ir.Expr) -> tuple[str, int, ir.CType]:
        if isinstance(e, ir.Cast):
            obj, off, _ = self.pointer(e.operand)
            return obj, off, _pointee(e.type)
        if isinstance(e, ir.Name):
            if e.name in self.ptrs:
                return self.ptrs[e.name]
            t = self.types[e.name]  # a local array: its first element
            return self.objs[e.name], 0, _pointee(t)
        if isinstance(e, ir.Binary) and e.op in ("+", "-"):
            obj, off, t = self.pointer(e.lhs)
            k = self.int(e.rhs)
            return obj, off + (k if e.op == "+" else -k) * _size(t), t
        if isinstance(e, ir.Unary) and e.op == "&":
            inner = e.operand
            if isinstance(inner, ir.Name):
                return self.objs[inner.name], 0, self.types[inner.name]
            assert isinstance(inner, ir.Index)
            obj, off, t = self.pointer(inner.base)
            return obj, off + self.int(inner.index) * _size(t), t
        if isinstance(e, ir.Index):  # a row of a multi-dimensional array
            obj, off, t = self.pointer(e.base)
            return obj, off + self.int(e.index) * _size(t), _pointee(t)
        raise AssertionError(f"the brute force does not follow {type(e).__name__}")

    def place(self, e: ir.Expr) -> tuple[str, int, int]:
        """The object, first byte and size of an lvalue."""
        if isinstance(e, ir.Name):
            return self.objs[e.name], 0, _size(self.types[e.name])
        if isinstance(e, ir.Unary) and e.op == "*":
            obj, off, t = self.pointer(e.operand)
            return obj, off, _size(t)
        assert isinstance(e, ir.Index)
        obj, off, t = self.pointer(e.base)
        return obj, off + self.int(e.index) * _size(t), _size(t)


def _brute(f: ir.Function, params: dict[str, int]) -> list[_Hit]:
    """Run the loop nest, recording every access (object, bytes) with the iteration it
    happened in. Index expressions and conditions are evaluated with evaluate.py; values
    of array elements never matter in these kernels. A local declared in a loop is a new
    object each time its declaration runs."""
    hits: list[_Hit] = []
    m = _Machine(f, dict(params))
    counter = itertools.count()
    stack: list[tuple[int, int]] = []

    def access(e: ir.Expr, write: bool) -> None:
        if isinstance(e, ir.Name) and e.name not in m.objs:
            return  # an integer of the index arithmetic
        if isinstance(e, ir.Index):
            reads(e.index)
            cur = e.base
            while isinstance(cur, ir.Index):
                reads(cur.index)
                cur = cur.base
        obj, addr, size = m.place(e)
        hits.append(_Hit(obj, addr, write, tuple(stack), id(e), size))

    def reads(e: ir.Node) -> None:
        if isinstance(e, (ir.Index, ir.Name)) or (isinstance(e, ir.Unary) and e.op == "*"):
            access(e, False)
            return
        if isinstance(e, ir.Unary) and e.op == "&":
            return  # an address: nothing is read
        for c in e.children():
            if isinstance(c, ir.Expr) and not isinstance(c, ir.SizeOf):
                reads(c)

    def stmt(s: ir.Stmt) -> None:
        if isinstance(s, ir.Block):
            for x in s.stmts:
                stmt(x)
        elif isinstance(s, ir.Decl):
            for v in s.vars:
                m.types[v.name] = v.type
                if isinstance(v.type, ir.Pointer):
                    m.ptrs[v.name] = m.pointer(v.init)
                    m.ptrs[v.name] = (m.ptrs[v.name][0], m.ptrs[v.name][1], _pointee(v.type))
                elif isinstance(v.type, ir.Array) or (isinstance(v.type, ir.Named) and
                                                      v.type.name in ("float", "double")):
                    m.objs[v.name] = f"{v.name}#{next(counter)}"
                    m.ptrs.pop(v.name, None)
                    if v.init is not None:
                        reads(v.init)
                elif v.init is not None:
                    m.env[v.name] = m.int(v.init)
        elif isinstance(s, ir.ExprStmt):
            e = s.expr
            if isinstance(e, ir.Assign):
                reads(e.value)
                if e.op != "=":
                    access(e.target, False)
                access(e.target, True)
            else:
                reads(e)
        elif isinstance(s, ir.If):
            if evaluate.evaluate(s.cond, m.env):
                stmt(s.then)
            elif s.other is not None:
                stmt(s.other)
        elif isinstance(s, ir.For):
            stmt(s.init)
            k = 0
            while evaluate.evaluate(s.cond, m.env):
                stack.append((id(s), k))
                stmt(s.body)
                stack.pop()
                step = s.step
                if isinstance(step, ir.Unary):
                    m.env[step.operand.name] += 1 if step.op == "++" else -1
                else:
                    value = step.value if step.op == "=" else ir.Binary(step.op[:-1], step.target, step.value)
                    m.env[step.target.name] = int(evaluate.evaluate(value, m.env))
                k += 1
        else:
            raise AssertionError(f"the brute force does not run {type(s).__name__}")

    stmt(f.body)
    return hits


def _carried(hits: list[_Hit], loop_id: int) -> tuple[bool, set[int]]:
    """Whether some dependence is carried by the loop, and the distances seen."""
    by_obj: dict[str, list[_Hit]] = {}
    for h in hits:
        if any(lid == loop_id for lid, _ in h.iters):
            by_obj.setdefault(h.array, []).append(h)
    found, distances = False, set()
    for group in by_obj.values():
        for a, b in itertools.combinations(group, 2):
            if not (a.write or b.write) or not (a.addr < b.addr + b.size and b.addr < a.addr + a.size):
                continue
            ka = next(i for i, (lid, _) in enumerate(a.iters) if lid == loop_id)
            kb = next(i for i, (lid, _) in enumerate(b.iters) if lid == loop_id)
            if ka != kb or a.iters[:ka] != b.iters[:kb]:
                continue
            if a.iters[ka][1] != b.iters[kb][1]:
                found = True
                distances.add(abs(a.iters[ka][1] - b.iters[kb][1]))
    return found, distances


BRUTE_CASES = [
    # (kernel, parameters to enumerate)
    ("void k(const float *restrict x, float *restrict y, int n) { for (int i = 0; i < n; i++) y[i] = x[i] + y[i]; }", ["n"]),
    ("void k(float *restrict x, const float *restrict y, int n) { for (int i = 1; i < n; i++) x[i] = x[i - 1] + y[i]; }", ["n"]),
    ("void k(const float *restrict x, float *restrict o, int n) { float s = 0; for (int i = 0; i < n; i++) s += x[i]; o[0] = s; }", ["n"]),
    ("void k(const float A[4][4], const float B[4][4], float C[4][4]) { for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 4; k++) C[i][j] += A[i][k] * B[k][j]; }", []),
    ("void k(const float *restrict a, float *restrict b, int n) { for (int i = 1; i < n - 1; i++) b[i] = a[i - 1] + a[i] + a[i + 1]; }", ["n"]),
    ("void k(float *a, int n) { for (int i = 1; i < n - 1; i++) a[i] = a[i - 1] + a[i + 1]; }", ["n"]),
    ("void k(float *x, int n) { for (int i = 0; i < n; i++) x[2 * i] = x[2 * i + 1]; }", ["n"]),
    ("void k(float *x, int n) { for (int i = 0; i < n; i++) x[i] = x[n - i]; }", ["n"]),
    ("void k(float *a, int n) { for (int i = 0; i < n; i++) if (i < 10) a[i] = a[i + 10]; }", ["n"]),
    ("void k(float *a, int n) { for (int i = 0; i < n; i++) a[i] = a[i + 10]; }", ["n"]),
    ("void k(float *x, const float *restrict y, int n) { for (int i = 0; i < n; i++) x[i / 2] = y[i]; }", ["n"]),
    ("void k(float *x, const float *restrict y, int n) { for (int i = 0; i < n; i++) x[i % 4] += y[i]; }", ["n"]),
    ("void k(float *x, int n) { for (int i = n - 1; i >= 1; i--) x[i] = x[i - 1]; }", ["n"]),
    ("void k(float *x, int n) { for (int i = 0; i < n; i += 2) x[i + 1] = x[i]; }", ["n"]),
    ("void k(float *x, int n) { for (int i = 0; i < n; i += 2) x[i + 2] = x[i]; }", ["n"]),
    ("void k(float a[8][8], int n) { for (int i = 1; i < n; i++) for (int j = 0; j < n; j++) a[i][j] = a[i - 1][j]; }", ["n"]),
    ("void k(float a[8][8], int n) { for (int i = 1; i < n; i++) for (int j = 0; j < n - 1; j++) a[i][j] = a[i - 1][j + 1]; }", ["n"]),
    ("void k(float a[8][8], int n) { for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) a[i][j] = a[j][i]; }", ["n"]),
    ("void k(float a[8][8], int n) { for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) a[i][j] = a[j][i]; }", ["n"]),
    ("void k(float *x, int n, int m) { for (int i = 1; i < m; i++) for (int j = 0; j < n; j++) x[i * n + j] = x[(i - 1) * n + j]; }", ["n", "m"]),
    ("void k(float *x, int n, int m) { for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) x[i * n + j] = x[i * n + j] * 2; }", ["n", "m"]),
    ("void k(float *x, int n) { for (int i = 0; i < n; i++) for (int j = 0; j < 3; j++) x[i + j] = x[i + j] + 1; }", ["n"]),
    # lanes of a local through a reinterpreting cast (detensorize's ((xp_ma_float *)&v)[i]):
    # declared in the loop, private to its iterations; declared outside, shared by them
    ("void k(const float *x, float *y, int n) { for (int i = 0; i < n; i++) { double v; "
     "for (int l = 0; l < 2; l++) ((float *)&v)[l] = x[2 * i + l]; "
     "for (int l2 = 0; l2 < 2; l2++) y[2 * i + l2] = ((float *)&v)[1 - l2]; } }", ["n"]),
    ("void k(const float *x, float *y, int n) { double v; for (int i = 0; i < n; i++) { "
     "for (int l = 0; l < 2; l++) ((float *)&v)[l] = x[2 * i + l]; "
     "for (int l2 = 0; l2 < 2; l2++) y[2 * i + l2] = ((float *)&v)[l2]; } y[0] = v; }", ["n"]),
    ("void k(const double *x, float *y, int n) { double v = 0; for (int i = 0; i < n; i++) { "
     "for (int l = 0; l < 2; l++) y[2 * i + l] = ((float *)&v)[l]; v = x[i]; } y[0] = v; }", ["n"]),
    # a void * local from base + offset, written through another element type
    ("void k(float *y, const float *x, int n) { for (int i = 0; i < n; i++) { void *p = y + 2 * i; "
     "for (int l = 0; l < 2; l++) ((float *)p)[l] = x[2 * i + l]; } }", ["n"]),
    ("void k(float *y, int n) { for (int i = 1; i < n; i++) { char *b = (char *)(y + i); "
     "for (int l = 0; l < 4; l++) b[l] = ((char *)(y + i - 1))[l]; } }", ["n"]),
    # elements of different sizes: compared as byte ranges
    ("void k(float *y, int n) { for (int i = 0; i < n; i++) { y[i] = 1.0f; ((char *)y)[4 * i + 3] = 0; } }", ["n"]),
    ("void k(float *y, int n) { for (int i = 0; i < n; i++) { y[i] = 1.0f; ((char *)y)[4 * i + 4] = 0; } }", ["n"]),
    ("void k(float *y, int n) { for (int i = 0; i < n; i++) { ((short *)y)[2 * i + 1] = 0; y[i] = y[i] * 2; } }",
     ["n"]),
    ("void k(float *y, int n) { for (int i = 0; i < n; i++) { double *d = (double *)(y + 2 * i + 1); *d = 0; } }",
     ["n"]),
    # addresses of elements of a two-dimensional array
    ("void k(float a[4][8], int n) { for (int i = 0; i < n; i++) for (int j = 0; j < 7; j++) { "
     "float *p = &a[i][j]; float *q = &a[i][j + 1]; *p = *q; } }", ["n"]),
]


@pytest.mark.parametrize("src, names", BRUTE_CASES, ids=[f"case{k}" for k in range(len(BRUTE_CASES))])
def test_agrees_with_brute_force(src, names):
    """The isl answer per loop matches the dependences of actual runs on small sizes: a
    loop is parallel exactly when no run carries a dependence on it; a carried distance
    the analysis reports occurs; and the witness is a real pair of conflicting accesses."""
    m, f = _parse(src)
    deps = analyze(f, module=m, assume_no_alias=True)  # distinct buffers, as the brute force runs them
    assert all(d.kind != "unknown" for d in deps), [(d.var, d.reason) for d in deps]
    runs = [dict(zip(names, vals)) for vals in itertools.product(range(0, 8), repeat=len(names))] or [{}]
    if "i + 10" in src:
        runs = [{"n": n} for n in range(0, 14)]
    traces = [_brute(f, p) for p in runs]
    for d in deps:
        seen = [_carried(t, id(d.loop)) for t in traces]
        carried = any(c for c, _ in seen)
        distances = set().union(*(ds for _, ds in seen))
        assert carried == (d.kind in ("carried", "reduction")), (d.var, d.kind, d.reason)
        if d.kind == "carried":
            w = d.witness
            if w.distance is not None:
                assert w.distance in distances, (d.var, w.distance, distances)
            # the example really is a dependence: same element, the source's iteration first
            env = {k: v for k, v in w.example.items() if not k.endswith("'")}
            env_sink = {k.rstrip("'"): v for k, v in w.example.items() if k.endswith("'")}
            params = {k: v for k, v in w.example.items() if k in names}
            env_sink.update(params)
            assert _overlap(_address(f, w.source.node, env), _address(f, w.sink.node, env_sink)), str(w)


def _address(f: ir.Function, node: ir.Expr, env: dict[str, int]) -> Optional[tuple[str, int, int]]:
    """The object, first byte and size of an access of a parameter's buffer (the
    kernel's pointer locals followed through their declarations)."""
    m = _Machine(f, dict(env))
    for n in f.body.walk():
        if isinstance(n, ir.VarDecl):
            m.types[n.name] = n.type
    for n in f.body.walk():  # pointer locals defined from parameters (the witness cases)
        if isinstance(n, ir.VarDecl) and isinstance(n.type, ir.Pointer) and n.init is not None:
            try:
                obj, off, _ = m.pointer(n.init)
            except (KeyError, evaluate.Unknown):
                continue
            m.ptrs[n.name] = (obj, off, _pointee(n.type))
    try:
        return m.place(node)
    except KeyError:
        return None  # a local's instance: the run itself showed the dependence


def _overlap(a, b) -> bool:
    if a is None or b is None:
        return True
    return a[0] == b[0] and a[1] < b[1] + b[2] and b[1] < a[1] + a[2]


def test_brute_force_itself_sees_dependences():
    """The checker is not vacuous: it finds the prefix sum's carried flow dependence and
    none in the elementwise loop."""
    m, f = _parse(BRUTE_CASES[1][0])
    carried, distances = _carried(_brute(f, {"n": 5}), id(f.body.stmts[0]))
    assert carried and distances == {1}
    m, f = _parse(BRUTE_CASES[0][0])
    assert _carried(_brute(f, {"n": 5}), id(f.body.stmts[0])) == (False, set())
