"""Printer: precedence, declarators, dialect spellings, and parse/print fixed points."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import xpiler
from xpiler import ir
from xpiler.printer import print_node

KERNELS = Path(__file__).resolve().parent / "kernels"


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
    assert "void k(float *restrict x)" in c and "\n    __shared__" not in c  # no CUDA qualifier in C


def test_made_nodes_print():
    loop = ir.For(ir.Decl([ir.VarDecl("i", ir.Named("int"), ir.IntLit(0))]),
                  ir.Binary("<", ir.Name("i"), ir.Name("n")), ir.Unary("++", ir.Name("i")),
                  ir.Block([ir.ExprStmt(ir.Assign("+=", ir.Index(ir.Name("y"), ir.Name("i")),
                                                  ir.Binary("*", ir.FloatLit(2.0, "2.0f"), ir.Name("x"))))]))
    assert print_node(loop) == "for (int i = 0; i < n; ++i) {\n    y[i] += 2.0f * x;\n}"
    assert print_node(ir.Pointer(ir.Array(ir.Named("float"), ir.IntLit(4)))) == "float (*)[4]"


# ---------------------------------------------------------------- constructs a target cannot express
def _spell(src: str, path: str, target: str):
    m = xpiler.parse(textwrap.dedent(src), path=path)
    assert not [d for d in m.diagnostics if d.is_error], m.diagnostics
    found: list = []
    text = xpiler.print_module(m, target, diagnostics=found)
    assert all(d.code == "not-expressible" and d.file == m.path for d in found), found
    return text, {(d.line, d.message.split(" is not expressible")[0]) for d in found}, found


CUDA_KERNEL = """\
    __global__ void __launch_bounds__(128) k(float *x, int n) {
        __shared__ float s[128];
        int i = blockIdx.x * blockDim.x + threadIdx.x;
        s[threadIdx.x] = __expf(x[i]);
        __syncthreads();
        if (i < n)
            x[i] = s[threadIdx.x];
    }
    void host(float *x, int n) {
        k<<<4, 128>>>(x, n);
    }
"""


def test_cuda_constructs_c_cannot_express_are_reported_and_visible():
    text, found, diags = _spell(CUDA_KERNEL, "k.cu", "c")
    assert found == {(1, "__launch_bounds__(128)"), (2, "__shared__ (shared memory)"),
                     (3, "built-in variable blockIdx"), (3, "built-in variable blockDim"),
                     (3, "built-in variable threadIdx"), (4, "built-in variable threadIdx"), (4, "intrinsic __expf"),
                     (5, "intrinsic __syncthreads"), (7, "built-in variable threadIdx"), (10, "<<<...>>> launch")}
    launch_bounds = next(d for d in diags if d.line == 1)
    assert launch_bounds.severity == "warning" and all(d.severity == "error" for d in diags if d.line != 1)
    # a dropped qualifier becomes a comment; an unknown name stays verbatim
    assert "void /* xpiler: __launch_bounds__(128) not expressible in C */ k(float *x, int n) {" in text
    assert "/* xpiler: __shared__ (shared memory) not expressible in C */ float s[128];" in text
    assert "s[threadIdx.x] = __expf(x[i]);" in text and "k<<<4, 128>>>(x, n);" in text
    assert "the shared space; s would silently become an ordinary variable" in \
        next(d.message for d in diags if d.line == 2)


def test_the_same_ir_in_another_gpu_dialect_loses_nothing():
    text, found, _ = _spell(CUDA_KERNEL, "k.cu", "hip")
    assert found == set() and "__launch_bounds__(128)" in text and "__shared__ float s[128]" in text
    # hipLaunchKernelGGL has no CUDA spelling: its (grid, block, shared, stream) become <<<>>>
    hip = "__global__ void k(float *x) { x[threadIdx.x] = 0; }\n" \
          "void host(float *x) { hipLaunchKernelGGL(k, dim3(2), dim3(64), 0, 0, x); }\n"
    text, found, _ = _spell(hip, "k.hip", "cuda")
    assert found == set() and "k<<<dim3(2), dim3(64), 0, 0>>>(x);" in text
    again = xpiler.parse(text, path="k.cu")
    assert not [d for d in again.diagnostics if d.is_error]
    assert [n.style for n in again.walk() if isinstance(n, ir.Launch)] == ["chevron"]


def test_bang_constructs_cuda_cannot_express():
    src = """\
        __mlu_global__ void k(float *x) {
            __nram__ float buf[64];
            __memcpy(buf, x + taskId * 64, 64 * sizeof(float), GDRAM2NRAM);
            __bang_active_relu(buf, buf, 64);
            __memcpy(x + taskId * 64, buf, 64 * sizeof(float), NRAM2GDRAM);
        }
        void host(float *x, cnrtQueue_t queue) {
            cnrtDim3_t dim = {4, 1, 1};
            k<<<dim, cnrtFuncTypeUnion1, queue>>>(x);
        }
    """
    text, found, _ = _spell(src, "k.mlu", "cuda")
    assert (2, "__nram__ (nram memory)") in found and (3, "built-in variable taskId") in found
    assert (4, "intrinsic __bang_active_relu") in found and (3, "intrinsic __memcpy") in found
    assert (9, "<<<...>>> launch") in found  # BANG's (dim, type, queue) is not CUDA's (grid, block...)
    assert "/* xpiler: __nram__ (nram memory) not expressible in CUDA */ float buf[64];" in text
    assert "k<<<dim, cnrtFuncTypeUnion1, queue>>>(x);" in text


def test_wmma_has_no_spelling_outside_cuda():
    src = """\
        #include <mma.h>
        using namespace nvcuda;
        __global__ void k(const half *a, float *c) {
            wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> fa;
            wmma::fragment<wmma::accumulator, 16, 16, 16, float> fc;
            wmma::load_matrix_sync(fa, a, 16);
            wmma::store_matrix_sync(c, fc, 16, wmma::mem_row_major);
        }
    """
    for target in ("bang", "hip", "vnni"):
        text, found, _ = _spell(src, "w.cu", target)
        assert {(4, "wmma::"), (5, "wmma::"), (6, "wmma::"), (7, "wmma::")} <= found, (target, found)
        assert "wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> fa;" in text


def test_printing_in_its_own_dialect_reports_nothing():
    for path in ("bmm/bmm.cu", "gemm/gemm.mlu", "softmax/softmax.hip", "gemm_i8/gemm_i8_vnni.cpp", "gemm/gemm.c"):
        file = KERNELS / path
        m = xpiler.parse(file.read_text(), path=str(file))
        found: list = []
        assert xpiler.print_module(m, m.dialect, diagnostics=found) == xpiler.print_module(m)
        assert found == [], (path, found)


def test_a_function_the_file_defines_is_not_a_missing_intrinsic():
    src = "__device__ float __expf(float v) { return v; }\n" \
          "__global__ void k(float *x) { x[0] = __expf(x[0]); x[1] = __logf(x[1]); }\n"
    _, found, _ = _spell(src, "k.cu", "c")
    assert ("intrinsic __expf" not in {c for _, c in found}) and (2, "intrinsic __logf") in found
