"""detensorize: intrinsic calls become their table loops and the module plain C (the hub),
each output checked by the oracle against its input; a sample of the BANG and VNNI corpus
through the whole translation."""
import subprocess

import pytest

import xpiler
import xpiler.passes.detensorize  # noqa: F401  (registers the passes)
import xpiler.passes.task_recovery  # noqa: F401
from xpiler import oracle, parse, passes, print_module

BANG_OPS = """\
#include <bang.h>
__nram__ float a[256];
__nram__ float b[256];
__nram__ float c[256];
__nram__ float p[128];
// xpiler: launch dim=2,1,1 type=block
// xpiler: args x=float32[512] y=float32[512] out=float32[512] s=float32[2] pooled=float32[256]
__mlu_global__ void ops(const float *x, const float *y, float *out, float *s, float *pooled) {
    __memcpy(a, x + taskId * 256, 256 * sizeof(float), GDRAM2NRAM);
    __memcpy_async(b, y + taskId * 256, 256 * sizeof(float), GDRAM2NRAM);
    __sync_io();
    __bang_add(c, a, b, 256);
    __bang_mul_scalar(c, c, 0.5f, 256);
    __bang_sumpool(p, c, 32, 2, 4, 2, 2, 2, 2);
    __memcpy(pooled + taskId * 128, p, 32 * sizeof(float), NRAM2GDRAM, 64 * sizeof(float), 32 * sizeof(float), 1);
    __bang_reduce_sum(a, c, 256);
    float t = 0.0f;
    for (int k = 0; k < 256; k += 32)
        t += a[k];
    s[taskId] = t;
    __memcpy(out + taskId * 256, c, 256 * sizeof(float), NRAM2GDRAM);
}
"""

# half <-> float and int8 conversions: xp_cast becomes C casts and a float -> int8 helper
BANG_CONVERT = """\
#include <bang.h>
__nram__ half h[64];
__nram__ float f[64];
__nram__ int8_t q[64];
// xpiler: launch dim=4,1,1 type=union1
// xpiler: args x=float16[256] y=float32[256] z=int8[256]
__mlu_global__ void conv(const half *x, float *y, int8_t *z) {
    __memcpy(h, x + taskId * 64, 64 * sizeof(half), GDRAM2NRAM);
    __bang_half2float(f, h, 64);
    __bang_mul_scalar(f, f, 3.0f, 64);
    __bang_float2int8_rn(q, f, 64, 0);
    __memcpy(y + taskId * 64, f, 64 * sizeof(float), NRAM2GDRAM);
    __memcpy(z + taskId * 64, q, 64, NRAM2GDRAM);
}
"""

# an int8 matmul into int16: the table converts the float sum with xp_cast (wrap-around)
BANG_MATMUL = """\
#include <bang.h>
__nram__ int8_t a[128];
__nram__ int8_t stage[4096];
__wram__ int8_t w[4096];
__nram__ int16_t c[128];
// xpiler: launch dim=1,1,1 type=block
// xpiler: args x=int8[128] wt=int8[4096] y=int16[128]
__mlu_global__ void mm(const int8_t *x, const int8_t *wt, int16_t *y) {
    __memcpy(a, x, 128, GDRAM2NRAM);
    __memcpy(stage, wt, 4096, GDRAM2NRAM);
    __memcpy(w, stage, 4096, NRAM2WRAM);
    __bang_matmul(c, a, w, 2, 64, 64, 0);
    __memcpy(y, c, 256, NRAM2GDRAM);
}
"""

VNNI_OPS = """\
#include <immintrin.h>
#include <stdint.h>
// xpiler: args x=float32[100] y=float32[100] out=float32[100] a=uint8[64] b=int8[64] dots=int32[16] r=float32[2] n=100
extern "C" void ops(const float *x, const float *y, float *out, const uint8_t *a, const int8_t *b, int32_t *dots,
                    float *r, int n) {
    __m512 acc = _mm512_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_add_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i));
        _mm512_storeu_ps(out + i, v);
        acc = _mm512_add_ps(acc, v);
    }
    const __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
    __m512 t = i < n ? _mm512_maskz_loadu_ps(m, x + i) : _mm512_setzero_ps();
    _mm512_mask_storeu_ps(out + i, m, t);
    r[0] = _mm512_reduce_add_ps(acc);
    r[1] = n > 0 && _mm512_reduce_add_ps(t) > 0.0f ? 1.0f : 0.0f;
    __m512i d = _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_loadu_si512(a), _mm512_loadu_si512(b));
    _mm512_storeu_si512(dots, d);
}
"""


def _lift(src: str, path: str, seq: str):
    m = parse(src, path=path)
    assert not [d for d in m.diagnostics if d.is_error], m.diagnostics
    return passes.run_sequence(m, passes.parse_sequence(seq))


def _check(before: str, before_path: str, after: str, tmp_path, launch=None):
    cand = tmp_path / "k_hub.cpp"
    cand.write_text(after)
    report = oracle.check(before, after, path=before_path, candidate_path=str(cand), launch=launch)
    assert report.ok, report.message + "\n" + after


@pytest.mark.parametrize("src", [BANG_OPS, BANG_CONVERT, BANG_MATMUL], ids=["ops", "convert", "matmul-i8"])
def test_bang_intrinsics_become_c_loops(src, tmp_path):
    (m, results) = _lift(src, "k.mlu", "task_recovery")
    tasks = print_module(m)
    out, results = passes.run_sequence(m, passes.parse_sequence("detensorize"))
    assert results[0].ok and results[0].changed
    hub = print_module(out)
    assert out.dialect == "c" and out.language == "c++"
    for word in ("__bang_", "__memcpy", "__sync", "__nram__", "xp_cast", "GDRAM2NRAM", "#include <bang.h>"):
        assert word not in hub, (word, hub)
    _check(tasks, "k_tasks.mlu", hub, tmp_path)  # the pass's own input and output
    _check(src, "k.mlu", hub, tmp_path)  # and the source


def test_conversions_are_plain_c(tmp_path):
    out, _ = _lift(BANG_CONVERT, "k.mlu", "task_recovery; detensorize")
    hub = print_module(out)
    assert "typedef _Float16 half;" in hub and "(int8_t)(long long)" in hub and "(float)" in hub
    out2, _ = _lift(BANG_MATMUL, "k.mlu", "task_recovery; detensorize")
    hub2 = print_module(out2)
    assert "static inline int16_t xp_f2i_int16_t(double d)" in hub2 and "xp_f2i_int16_t((double)" in hub2
    # the hub compiles as C too (gcc, C11)
    for k, m in enumerate((out, out2)):
        c = tmp_path / f"k{k}.c"
        c.write_text(print_module(m, dialect="c"))
        r = subprocess.run(["gcc", "-std=c11", "-fsyntax-only", "-Wno-unused", str(c)], capture_output=True,
                           text=True)
        assert r.returncode == 0, r.stderr + c.read_text()


def test_vnni_vectors_become_lane_loops(tmp_path):
    out, results = _lift(VNNI_OPS, "k.cpp", "detensorize")
    assert results[0].ok
    hub = print_module(out)
    again, _ = _lift(VNNI_OPS, "k.cpp", "detensorize")
    assert print_module(again) == hub  # deterministic: fresh names are numbered per module
    assert "_mm512_" not in hub.split("#endif")[-1] and "#include <immintrin.h>" not in hub
    assert hub.count("typedef float __m512 ") == 1  # the table's vector types, once
    assert "xp_ma_float" in hub
    _check(VNNI_OPS, "k.cpp", hub, tmp_path)


def test_conditional_calls_run_under_their_condition(tmp_path):
    out, _ = _lift(VNNI_OPS, "k.cpp", "detensorize")
    hub = print_module(out)
    # i < n ? masked load : zero -> the load only when i < n; n > 0 && reduce(t) -> reduce only when n > 0
    assert "if (i < n) {" in hub and "if (n > 0) {" in hub


def test_refusals_name_the_precondition_and_line():
    not_lifted = """\
#include <bang.h>
// xpiler: launch dim=4,1,1 type=union1
__mlu_global__ void k(float *x) { x[taskId] = 1.0f; }
"""
    r = passes.get("detensorize").apply(parse(not_lifted, path="k.mlu"), None)
    assert (r.refused.precondition, r.refused.line) == ("lifted", 3)
    no_semantics = """\
#include <bang.h>
__nram__ float b[16];
// xpiler: launch dim=1,1,1 type=block
__mlu_global__ void k(float *x) {
    x[0] = __is_nram(b);
}
"""
    r = passes.get("detensorize").apply(parse(no_semantics, path="k.mlu"), None)
    assert (r.refused.precondition, r.refused.line) == ("semantics", 5) and "__is_nram" in r.refused.detail
    in_condition = """\
#include <immintrin.h>
void k(float *x) {
    __m512 v = _mm512_loadu_ps(x);
    while (_mm512_reduce_add_ps(v) > 1.0f)
        v = _mm512_mul_ps(v, _mm512_set1_ps(0.5f));
    _mm512_storeu_ps(x, v);
}
"""
    r = passes.get("detensorize").apply(parse(in_condition, path="k.cpp"), None)
    assert (r.refused.precondition, r.refused.line) == ("call-position", 4)
    namespace = """\
#include <immintrin.h>
namespace util {
inline __m512 twice(__m512 v) { return _mm512_add_ps(v, v); }
}
void k(float *x) { _mm512_storeu_ps(x, util::twice(_mm512_loadu_ps(x))); }
"""
    r = passes.get("detensorize").apply(parse(namespace, path="k.cpp"), None)
    assert r.refused.precondition == "modelled" and "_mm512_add_ps" in r.refused.detail
    bf16 = """\
#include <bang.h>
__nram__ bfloat16_t b[64];
// xpiler: launch dim=1,1,1 type=block
__mlu_global__ void k(bfloat16_t *x) {
    __memcpy(b, x, 128, GDRAM2NRAM);
    __bang_add(b, b, b, 64);
    __memcpy(x, b, 128, NRAM2GDRAM);
}
"""
    r = passes.get("detensorize").apply(passes.get("task_recovery").apply(parse(bf16, path="k.mlu"), None).module,
                                        None)
    assert r.refused.precondition == "c-types" and "bfloat16_t" in r.refused.detail


# an anonymous namespace (its helper is an ordinary static function now), a condition
# declaration whose initialiser calls intrinsics, std:: types of <cstddef>/<cstdint>
VNNI_CXX = """\
#include <immintrin.h>
#include <cstddef>
#include <cstdint>
namespace {
constexpr int kVec = 16;
inline __m512 twice(__m512 v) { return _mm512_add_ps(v, v); }
}
// xpiler: args x=float32[3,37] out=float32[3,37] rows=3 cols=37
extern "C" void k(const float *x, float *out, int rows, int cols) {
    for (int r = 0; r < rows; ++r) {
        const float *p = x + static_cast<std::size_t>(r) * cols;
        float *q = out + static_cast<std::ptrdiff_t>(r) * cols;
        int c = 0;
        for (; c + kVec <= cols; c += kVec)
            _mm512_storeu_ps(q + c, twice(_mm512_loadu_ps(p + c)));
        if (std::uint32_t rem = _mm512_mask2int((__mmask16)((1u << (cols - c)) - 1u))) {
            const __mmask16 m = (__mmask16)rem;
            _mm512_mask_storeu_ps(q + c, m, twice(_mm512_maskz_loadu_ps(m, p + c)));
        } else {
            q[0] = -1.0f;
        }
    }
}
"""


def test_cxx_forms_become_c(tmp_path):
    out, results = _lift(VNNI_CXX, "k.cpp", "detensorize; loop_canon; inline_calls")
    assert all(r.ok for r in results), [r.refused for r in results]
    hub = print_module(out)
    assert "_mm512_" not in hub.split("#endif")[-1] and "std::" not in hub and "namespace" not in hub
    assert "uint32_t rem = " in hub and "if (rem)" in hub  # the declaration before its if
    _check(VNNI_CXX, "k.cpp", hub, tmp_path)
    c = tmp_path / "k.c"
    c.write_text(print_module(passes.get("retarget").apply(out, "c").module, dialect="c"))
    r = subprocess.run(["gcc", "-std=c11", "-fsyntax-only", "-Wno-unused", str(c)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr + c.read_text()


# ---------------------------------------------------------------------------- the corpus
BANG_SEQUENCE = "inline_calls; task_recovery; detensorize; fold_constants; bind; host_code; retarget"

def _entry(dialect, kernel):
    import corpus

    return next(e for e in corpus.entries((dialect,)) if e.kernel == kernel)


@pytest.mark.parametrize("dialect,kernel,to", [
    ("bang", "dot_f16_kernel", "c"),        # SRAM + __sync_cluster, half
    ("bang", "concat_host", "c"),           # a CNRT host wrapper launching the kernel
    ("bang", "add_f32", "cuda"),            # async copies, early return
    ("bang", "argmax_kernel", "vnni"),
    ("vnni", "gemm_i8", "c"),               # dpbusd, _mm_malloc
    ("vnni", "dot_u8s8", "bang"),           # dpbusd, masked tail
])
def test_corpus_sample_translates_and_checks(dialect, kernel, to):
    e = _entry(dialect, kernel)
    # BANG: inline_calls first, while host wrappers are still host code (on the C hub it would
    # remove a wrapper nothing calls) and device functions may still read built-ins
    seq = BANG_SEQUENCE if dialect == "bang" else None
    t = xpiler.translate(e.file.read_text(), to, e.kernel, str(e.file), generators=e.inputs, sequence=seq)
    assert t.status == "checked", t.why
    names = [p.name for p in t.passes]
    assert ("task_recovery" in names) == (dialect == "bang") and "detensorize" in names
