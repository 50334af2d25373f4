"""Front end: constructs of every dialect parse into the right IR, with no spurious errors."""
from __future__ import annotations

import textwrap

import pytest

import xpiler
from xpiler import ir


def parse(src: str, path: str, dialect=None) -> ir.Module:
    return xpiler.parse(textwrap.dedent(src), path=path, dialect=dialect)


def clean(m: ir.Module):
    errors = [d for d in m.diagnostics if d.is_error]
    assert not errors, "\n".join(map(str, errors))
    return m


def round_trip(m: ir.Module):
    text = xpiler.print_module(m)
    m2 = xpiler.parse(text, path=m.path, dialect=m.dialect)
    assert m2 == m, text
    return text


def nodes(m, cls):
    return [n for n in m.walk() if isinstance(n, cls)]


@pytest.mark.parametrize("path,text,dialect", [
    ("a.cu", "__global__ void k() {}", "cuda"),
    ("a.cu", "#include <hip/hip_runtime.h>\n__global__ void k() {}", "hip"),
    ("a.hip", "__global__ void k() {}", "hip"),
    ("a.mlu", "__mlu_global__ void k() {}", "bang"),
    ("a.cpp", "#include <immintrin.h>\nvoid k() {}", "vnni"),
    ("a.c", "void k(float *x) { __m512 v = _mm512_loadu_ps(x); }", "vnni"),
    ("a.c", "void k() {}", "c"),
    ("a.cpp", "void k() {}", "c"),
    ("a.txt", "__mlu_entry__ void k() {}", "bang"),
])
def test_dialect_detection(path, text, dialect):
    from xpiler import dialects
    assert dialects.detect(path, text) == dialect


def test_cuda_kernel_structure():
    m = clean(parse("""
        #include <cuda_runtime.h>
        #define TILE 16
        __global__ void __launch_bounds__(256) k(const float *__restrict__ a, float *b, int n) {
            __shared__ float s[TILE][TILE + 1];
            extern __shared__ float dyn[];
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) b[i] = a[i];
        }
        __launch_bounds__(128, 2) __global__ void k2(float *x) { x[threadIdx.x] = 0.f; }
        """, "k.cu"))
    k = m.function("k")
    assert k.kind == "kernel" and k.launch_bounds == [ir.IntLit(256)]
    assert m.function("k2").launch_bounds == [ir.IntLit(128), ir.IntLit(2)]
    a = k.params[0].type
    assert isinstance(a, ir.Pointer) and a.restrict and a.pointee.const
    decls = [v for d in nodes(m, ir.Decl) for v in d.vars]
    s = next(v for v in decls if v.name == "s")
    assert s.space == "shared" and s.type == ir.Array(ir.Array(ir.Named("float"), ir.IntLit(17)), ir.IntLit(16))
    dyn = next(v for v in decls if v.name == "dyn")
    assert dyn.space == "shared" and "extern" in dyn.specifiers and dyn.type.size is None
    member = next(n for n in nodes(m, ir.Member) if n.member == "x")
    assert isinstance(member.base, ir.Name)
    text = round_trip(m)
    assert "__shared__ float s[16][17];" in text and "extern __shared__ float dyn[];" in text


def test_host_launches():
    m = clean(parse("""
        __global__ void k(float *x, int n) {}
        void host(float *x, int n) {
            dim3 block(256);
            dim3 grid((n + block.x - 1) / block.x, 1);
            k<<<grid, block>>>(x, n);
            k<<<4, 128, 64 * sizeof(float), 0>>>(x, n);
        }
        """, "h.cu"))
    launches = nodes(m, ir.Launch)
    assert len(launches) == 2
    assert launches[0].kernel == ir.Name("k") and launches[0].config == [ir.Name("grid"), ir.Name("block")]
    assert len(launches[1].config) == 4
    grid = next(v for d in nodes(m, ir.Decl) for v in d.vars if v.name == "grid")
    assert grid.init_style == "()" and len(grid.init.items) == 2
    round_trip(m)


def test_hip_launch_and_mfma():
    m = clean(parse("""
        #include <hip/hip_runtime.h>
        typedef float floatx4 __attribute__((ext_vector_type(4)));
        __global__ void k(const float *a, float *c) {
            floatx4 acc = {0.f, 0.f, 0.f, 0.f};
            acc = __builtin_amdgcn_mfma_f32_16x16x4f32(a[threadIdx.x], a[threadIdx.x + 64], acc, 0, 0, 0);
            float v = __shfl_down(acc[0], 16);
            c[threadIdx.x] = v + (float)warpSize;
        }
        void run(const float *a, float *c) {
            hipLaunchKernelGGL(k, dim3(1), dim3(64), 0, 0, a, c);
        }
        """, "m.hip"))
    launch = nodes(m, ir.Launch)[0]
    assert launch.style == "hip" and launch.kernel == ir.Name("k") and len(launch.args) == 2
    calls = {n.callee.name for n in nodes(m, ir.Call) if isinstance(n.callee, ir.Name)}
    assert "__builtin_amdgcn_mfma_f32_16x16x4f32" in calls and "__shfl_down" in calls
    assert "hipLaunchKernelGGL(k, dim3(1), dim3(64), 0, 0, a, c);" in round_trip(m)


def test_hip_bfloat16_and_vector_arithmetic():
    """hip_bf16.h's type names and hip_vector_types.h's operators (scalar broadcast, unary
    minus) parse, and the emulation runs them (tests/test_runtime.py checks bf16 rounding)."""
    m = clean(parse("""
        #include <hip/hip_runtime.h>
        #include <hip/hip_bf16.h>
        __global__ void k(const float *x, float4 *y) {
            __hip_bfloat16 h = __float2bfloat16(x[threadIdx.x]);
            float4 v = make_float4(1.f, 2.f, 3.f, __bfloat162float(h));
            float4 w = 2.0f * (v * 0.5f) - 1.0f;
            w += 1.0f;
            y[threadIdx.x] = -w;
        }
        """, "v.hip"))
    assert "y[threadIdx.x] = -w;" in round_trip(m)


def test_wmma_and_half():
    m = clean(parse("""
        #include <mma.h>
        #include <cuda_fp16.h>
        using namespace nvcuda;
        __global__ void k(const half *a, const half *b, float *c) {
            wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> fa;
            wmma::fragment<wmma::matrix_b, 16, 16, 16, half, wmma::col_major> fb;
            wmma::fragment<wmma::accumulator, 16, 16, 16, float> fc;
            wmma::fill_fragment(fc, 0.0f);
            wmma::load_matrix_sync(fa, a, 16);
            wmma::load_matrix_sync(fb, b, 16);
            wmma::mma_sync(fc, fa, fb, fc);
            for (int i = 0; i < fc.num_elements; i++) fc.x[i] = fc.x[i] * 2.0f;
            wmma::store_matrix_sync(c, fc, 16, wmma::mem_row_major);
            half h = __float2half(1.0f);
            c[0] += __half2float(h);
        }
        """, "w.cu"))
    calls = [p for p in (xpiler.print_node(n.callee, "cuda") for n in nodes(m, ir.Call))]
    assert "wmma::mma_sync" in calls and "wmma::store_matrix_sync" in calls
    assert "wmma::mem_row_major" in round_trip(m)


_WMMA_BODY = """
__global__ void k(const half *a, const half *b, float *c) {
    WMMA::fragment<WMMA::matrix_a, 16, 16, 16, half, WMMA::row_major> fa;
    WMMA::fragment<WMMA::matrix_b, 16, 16, 16, half, WMMA::col_major> fb;
    WMMA::fragment<WMMA::accumulator, 16, 16, 16, float> fc;
    WMMA::fill_fragment(fc, 0.0f);
    WMMA::load_matrix_sync(fa, a, 16);
    WMMA::load_matrix_sync(fb, b, 16);
    WMMA::mma_sync(fc, fa, fb, fc);
    WMMA::store_matrix_sync(c, fc, 16, WMMA::mem_row_major);
}
"""


@pytest.mark.parametrize("header,ns", [
    ("", "wmma"),  # built with a forced include: neither the include nor the using-directive
    ("#include <mma.h>\nusing namespace nvcuda;\n", "wmma"),
    ("#include <mma.h>\n", "nvcuda::wmma"),
    ("#include <mma.h>\nusing namespace nvcuda::wmma;\n", "nvcuda::wmma"),
    ("#include <mma.h>\nnamespace wmma = nvcuda::wmma;\n", "wmma"),  # the file's own alias
])
def test_wmma_with_and_without_the_include(header, ns):
    """The prelude supplies what a build would: `wmma::` resolves without `#include <mma.h>`
    and `using namespace nvcuda;`, and still resolves (uniquely) in files that have them."""
    m = clean(xpiler.parse(header + _WMMA_BODY.replace("WMMA", ns), path="w.cu"))
    k = m.function("k")
    decls = [v for d in nodes(k, ir.Decl) for v in d.vars]
    assert [v.name for v in decls] == ["fa", "fb", "fc"]
    calls = [xpiler.print_node(n.callee, "cuda") for n in nodes(m, ir.Call)]
    assert calls == [f"{ns}::{c}" for c in ("fill_fragment", "load_matrix_sync", "load_matrix_sync", "mma_sync",
                                             "store_matrix_sync")]
    round_trip(m)


def test_wmma_without_the_include_runs_like_with_it():
    """Emulated, a wmma kernel without `#include <mma.h>` / `using namespace nvcuda;` computes
    what the same kernel with them computes: A (row-major) times B (column-major)."""
    import numpy as np

    from xpiler.runtime import execute

    rng = np.random.default_rng(0)
    a = rng.integers(-4, 5, 256).astype(np.float16)
    b = rng.integers(-4, 5, 256).astype(np.float16)
    expected = a.astype(np.float32).reshape(16, 16) @ b.astype(np.float32).reshape(16, 16).T
    out = {}
    for header in ("", "#include <mma.h>\nusing namespace nvcuda;\n"):
        src = header + _WMMA_BODY.replace("WMMA", "wmma")
        ex = execute(src, path="w.cu", launch="grid=1,1,1 block=32,1,1",
                     args={"a": a, "b": b, "c": np.zeros(256, np.float32)})
        assert ex.ok and not ex.findings, (ex.status, ex.message, ex.findings)
        out[header] = ex.outputs["c"]
    with_include, without = out.values()
    assert np.array_equal(without, with_include)
    assert np.array_equal(without.reshape(16, 16), expected)


def test_bang_kernel():
    m = clean(parse("""
        #include <bang.h>
        #define N 256
        __mlu_shared__ float sbuf[N];
        __mlu_func__ float twice(float v) { return v * 2; }
        __mlu_global__ void k(float *x, float *y, int n) {
            __nram__ float buf[N];
            __wram__ float w[N];
            for (int i = 0; i < 2; ++i) {
                __nram__ float inner[64];
                __memcpy(inner, x + i * 64, 64 * sizeof(float), GDRAM2NRAM);
            }
            __memcpy(buf, x + taskId * N, N * sizeof(float), GDRAM2NRAM);
            __bang_add(buf, buf, buf, N);
            __bang_active_relu(buf, buf, N);
            __sync_cluster();
            y[clusterId * coreDim + coreId] = twice(buf[0]);
        }
        void host(float *x, float *y) {
            cnrtQueue_t q;
            cnrtQueueCreate(&q);
            cnrtDim3_t dim = {16, 1, 1};
            k<<<dim, cnrtFuncTypeUnion4, q>>>(x, y, 1024);
        }
        """, "b.mlu"))
    spaces = {v.name: v.space for d in nodes(m, ir.Decl) for v in d.vars}
    assert spaces["buf"] == "nram" and spaces["w"] == "wram" and spaces["inner"] == "nram"
    assert spaces["sbuf"] == "sram"
    assert m.function("twice").kind == "device" and m.function("k").kind == "kernel"
    launch = nodes(m, ir.Launch)[0]
    assert launch.config == [ir.Name("dim"), ir.Name("cnrtFuncTypeUnion4"), ir.Name("q")]
    text = round_trip(m)
    assert "__nram__ float buf[256];" in text and "__mlu_func__ float twice(float v)" in text


def test_bang_file_scope_spaces_print_back():
    """A file-scope __mlu_device__ variable lives in GDRAM: it keeps its qualifier when
    printed (it used to become an ordinary variable), and __mlu_device__ functions stay
    device functions."""
    m = clean(parse("""
        __mlu_device__ float g[4];
        __mlu_shared__ float s[4];
        __mlu_const__ float c[4];
        __mlu_device__ float helper(float v) { return v; }
        __mlu_global__ void k(float *x) { x[0] = helper(g[0] + s[0] + c[0]); }
        """, "g.mlu"))
    spaces = {v.name: v.space for d in m.items if isinstance(d, ir.Decl) for v in d.vars}
    assert spaces == {"g": "gdram", "s": "sram", "c": "constant"}
    assert m.function("helper").kind == "device"
    found: list = []
    text = xpiler.print_module(m, diagnostics=found)
    assert found == [] and "__mlu_device__ float g[4];" in text
    round_trip(m)


def test_bang_variable_length_nram_is_a_warning():
    m = parse("""
        __mlu_global__ void k(float *x, int rows) {
            __nram__ float tile[rows * 4];
            __memcpy(tile, x, rows * 4 * sizeof(float), GDRAM2NRAM);
        }
        """, "v.mlu")
    assert not [d for d in m.diagnostics if d.is_error]
    tile = next(v for d in nodes(m, ir.Decl) for v in d.vars if v.name == "tile")
    assert isinstance(tile.type.size, ir.Binary)
    round_trip(m)


def test_vnni_intrinsics():
    m = clean(parse("""
        #include <immintrin.h>
        #include <stdint.h>
        extern "C" void dot(const uint8_t *a, const int8_t *b, int32_t *c, int n) {
            __m512i acc = _mm512_setzero_si512();
            int i = 0;
            for (; i + 64 <= n; i += 64) {
                __m512i va = _mm512_loadu_si512((const void *)(a + i));
                __m512i vb = _mm512_loadu_si512((const void *)(b + i));
                acc = _mm512_dpbusd_epi32(acc, va, vb);
            }
            __mmask16 m = (__mmask16)0xffff;
            c[0] = _mm512_reduce_add_epi32(_mm512_maskz_mov_epi32(m, acc));
        }
        """, "v.cpp"))
    f = m.function("dot")
    assert f.extern_c and f.kind == "kernel"
    assert any(isinstance(n.callee, ir.Name) and n.callee.name == "_mm512_dpbusd_epi32" for n in nodes(m, ir.Call))
    round_trip(m)


def test_c_language_features():
    m = clean(parse("""
        #include <math.h>
        #include <float.h>
        #include <stdint.h>
        #define SQ(x) ((x) * (x))
        static inline float helper(float v);
        void k(const float *restrict x, float *restrict out, int64_t n) {
            float m = -FLT_MAX;
            for (int64_t i = 0; i < n; ++i) {
                for (int i = 0; i < 2; i++) { m = fmaxf(m, (float)i); }
                out[i] = x[i] > 0 ? SQ(x[i]) * 0.5 : helper(x[i]) + (float)M_PI + INFINITY;
            }
            uint8_t u = (uint8_t)255u; int16_t s = -3; unsigned long long big = 1ull << 40;
            int j = 0;
            while (j < 3) { j++; if (j == 2) continue; else break; }
            do { j--; } while (j > 0);
            switch (j) { case 0: case 1: j = 5; break; default: j = 6; }
            out[0] += (float)(u + s + (int)big);
        }
        static inline float helper(float v) { return sqrtf(fabsf(v)); }
        """, "c.c"))
    k = m.function("k")
    assert k.kind == "kernel" and m.function("helper").kind == "host"
    loops = nodes(m, ir.For)
    assert len(loops) == 2 and isinstance(loops[1].init, ir.Decl)
    assert nodes(m, ir.Switch) and len(nodes(m, ir.Case)) == 3
    assert nodes(m, ir.DoWhile) and nodes(m, ir.Ternary)
    round_trip(m)


def test_kernel_named_like_libc_function():
    for path, src in [("s.c", "#include <math.h>\nvoid sin(const float *x, float *out, int n) "
                               "{ for (int i = 0; i < n; ++i) out[i] = sinf(x[i]); }"),
                      ("s.cu", '#include <math.h>\nextern "C" __global__ void sin(const float *x, float *out, int n) '
                               "{ int i = threadIdx.x; if (i < n) out[i] = sinf(x[i]); }"),
                      ("s.mlu", 'extern "C" __mlu_global__ void max(float *x) { x[0] = fmaxf(x[0], x[1]); }')]:
        m = clean(xpiler.parse(src, path=path))
        assert m.kernels
        round_trip(m)


def test_cpp_features_in_cuda():
    m = clean(parse("""
        #include <limits>
        #include <algorithm>
        template <int BLOCK>
        __global__ void k(const float *x, float *y, int n) {
            constexpr float lo = -std::numeric_limits<float>::max();
            float v = std::max(lo, x[threadIdx.x]);
            y[0] = static_cast<float>(BLOCK) + reinterpret_cast<const float *>(x)[0] + float(n) + v;
        }
        void run(const float *x, float *y, int n) { k<256><<<1, 256>>>(x, y, n); }
        """, "t.cu"))
    k = m.function("k")
    assert k.template == "template <int BLOCK>" and k.kind == "kernel"
    casts = {c.style for c in nodes(m, ir.Cast)}
    assert {"static", "reinterpret", "functional"} <= casts
    round_trip(m)


def test_comments_pragmas_and_blank_lines_survive():
    src = textwrap.dedent("""\
        // header comment
        #include <math.h>

        /* the kernel */
        void k(float *x, int n) {
            // leading
            int i = 0; // trailing

            #pragma unroll 4
            for (i = 0; i < n; ++i)
                x[i] = 0; /* body */
            #pragma omp parallel for
            for (int j = 0; j < n; ++j) {
                x[j] += 1;
            }
        }
        """)
    m = clean(xpiler.parse(src, path="p.c"))
    text = round_trip(m)
    for piece in ["// header comment", "/* the kernel */", "// leading", "int i = 0; // trailing",
                  "#pragma unroll 4", "x[i] = 0; /* body */", "#pragma omp parallel for"]:
        assert piece in text
    loops = nodes(m, ir.For)
    assert loops[0].info.kind == "unrolled" and loops[0].info.factor == 4
    assert loops[1].info.kind == "parallel"
    assert "\n\n    #pragma unroll 4" in text


def test_launch_and_args_annotations():
    m = clean(parse("""
        // xpiler: launch grid=8,1,1 block=256,1,1
        // xpiler: args x=float32[2000] n=2000
        __global__ void k(float *x, int n) {}
        """, "a.cu"))
    assert m.function("k").annotations == {"launch": "grid=8,1,1 block=256,1,1", "args": "x=float32[2000] n=2000"}
    assert "// xpiler: launch grid=8,1,1 block=256,1,1\n// xpiler: args x=float32[2000] n=2000\n__global__" in \
        round_trip(m)


def test_unknown_intrinsic_is_reported():
    m = parse("""
        __mlu_global__ void k(float *x) {
            __nram__ float b[64];
            __bang_frobnicate(b, b, 64);
        }
        """, "u.mlu")
    d = [g for g in m.diagnostics if g.code == "unknown-intrinsic"]
    assert d and d[0].line == 4 and "__bang_frobnicate" in d[0].message
    assert "__bang_frobnicate(b, b, 64)" in xpiler.print_module(m)  # kept verbatim


def test_missing_header_is_a_warning():
    m = parse('#include "my_helpers.h"\nvoid k(float *x) { x[0] = 1; }', "h.c")
    assert [d for d in m.diagnostics if d.code == "missing-header" and d.severity == "warning"]
    assert m.function("k") is not None


def test_erroneous_statements_are_kept_verbatim():
    src = "void k(float *x, int n) {\n  int i = undefined_thing + 1;\n  x[0] = i;\n  nope(x\n}\n"
    m = xpiler.parse(src, path="e.c")
    assert [d for d in m.diagnostics if d.is_error]
    text = xpiler.print_module(m)
    assert "undefined_thing + 1" in text and "nope(x" in text and "x[0] = i;" in text


def test_typedef_struct_is_one_item():
    """clang gives a typedef'd struct two cursors; the struct inside the typedef used to come
    back as a second opaque item, printed twice (a redefinition)."""
    from xpiler import parse, print_module

    src = "typedef struct __attribute__((aligned(8))) { float x, y; } f2;\nvoid k(f2 *a) { a[0].x = 1; }\n"
    m = parse(src, path="a.c")
    assert [type(i).__name__ for i in m.items] == ["OpaqueTop", "Function"]
    assert print_module(m).count("struct") == 1


def test_member_access_in_templates_keeps_its_name():
    # clang leaves a member of a dependent base unnamed (CXXDependentScopeMemberExpr)
    m = clean(parse("""
        template <class T> struct A { T x[4]; };
        template <class T>
        __device__ T get(T s) {
            return s.x;
        }
        template <class T>
        __device__ T h(A<T> a, T *p, T q) {
            return a.x[0] + p->y + q->z + q.template f<int>();
        }
        template <class T>
        __global__ void k(T *o, T v) {
            o[0] = v.x[0] + v . y;
        }
        """, "t.cu"))
    members = [(n.member, n.arrow) for n in nodes(m, ir.Member)]
    assert members == [("x", False), ("x", False), ("y", True), ("z", True), ("template f<int>", False),
                       ("x", False), ("y", False)]
    text = round_trip(m)
    assert "return s.x;" in text and "a.x[0] + p->y + q->z + q.template f<int>()" in text
    assert "o[0] = v.x[0] + v.y;" in text


def test_member_template_arguments_are_kept():
    m = clean(parse("""
        struct B { float x[4]; template <class U> __device__ U f() { return U(); } };
        __device__ float g(B b, B *pb) {
            return b.x[0] + pb->f<float>() + b.template f<int>();
        }
        """, "t.cu"))
    assert "return b.x[0] + pb->f<float>() + b.template f<int>();" in round_trip(m)


def test_default_arguments_are_kept():
    m = clean(parse("""
        __device__ float f(float x, int k = 2);
        __device__ float g(float a[4], const float *p = nullptr, int k = (3), float s = 1.5f) {
            return a[0];
        }
        template <class T>
        __device__ T h(T v, T w = T(0), int q = sizeof(T)) {
            return v + w;
        }
        __device__ float f(float x, int k) {
            return x * k;
        }
        void host(int n, dim3 b = dim3(1, 2)) {
        }
        """, "d.cu"))
    defaults = {f.name + ("" if f.body is None else "{}"): [p.default is not None for p in f.params]
                for f in m.functions}
    assert defaults == {"f": [False, True], "g{}": [False, True, True, True], "h{}": [False, True, True],
                        "f{}": [False, False], "host{}": [False, True]}
    text = round_trip(m)
    assert "float f(float x, int k = 2);" in text and "float f(float x, int k) {" in text
    assert "float g(float a[4], const float *p = nullptr, int k = 3, float s = 1.5f)" in text
    assert "T h(T v, T w = T(0), int q = sizeof(T))" in text and "void host(int n, dim3 b = dim3(1, 2))" in text


def test_anonymous_namespace_members_are_internal_file_scope_items():
    m = clean(parse("""\
        #include <immintrin.h>
        namespace {
        constexpr int kVec = 16;
        float scale = 2.0f;
        struct Pair { int a, b; };
        inline __m512 twice(__m512 v) { return _mm512_add_ps(v, v); }
        } // namespace
        namespace named { inline int one() { return 1; } }
        extern "C" void k(float *x) { _mm512_storeu_ps(x, twice(_mm512_loadu_ps(x))); x[0] += scale * kVec; }
        """, "k.cpp"))
    fns = {f.name: f for f in m.functions}
    assert fns["twice"].specifiers[:2] == ["static", "inline"] and fns["k"].is_kernel
    decls = {v.name: v for d in m.items if isinstance(d, ir.Decl) for v in d.vars}
    assert decls["kVec"].specifiers == ["constexpr"] and decls["scale"].specifiers == ["static"]
    opaque = [i.text for i in m.items if isinstance(i, ir.OpaqueTop)]
    assert any("struct Pair" in t for t in opaque) and any(t.startswith("namespace named") for t in opaque)
    text = round_trip(m)
    assert "namespace {" not in text and "\n// namespace\n" in text  # its comment stays


@pytest.mark.parametrize("path", ["k.cu", "k.hip"])
def test_device_code_may_use_the_device_heap_and_memset(path):
    """CUDA and HIP device code has malloc, free, memset and memcpy (bind keeps a kernel's
    heap buffers); host code keeps the host ones."""
    clean(parse("""\
        __global__ void k(float *x, int n) {
            float *t = (float *)malloc(n * sizeof(float));
            memset(t, 0, n * sizeof(float));
            memcpy(x, t, n * sizeof(float));
            free(t);
        }
        void h(int n) { void *p = malloc(n); memset(p, 0, n); free(p); }
        """, path))
