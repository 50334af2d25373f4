"""scalarize: the lane loops detensorize makes of a VNNI kernel become flat scalar loops;
every rewrite checked by the oracle (the pass's output against the VNNI source), refusals
named in the notes, and the corpus's element-wise and row kernels translated from VNNI."""
import pytest

import xpiler
from xpiler import oracle, parse, passes, print_module

# one zmm per step, a signed n, the tail in scalar code
VNNI_SCALE = """\
#include <immintrin.h>
// xpiler: args x=float32[1003] out=float32[1003] n=1003
extern "C" void scale(const float *__restrict x, float *__restrict out, int n) {
    const __m512 two = _mm512_set1_ps(2.0f);
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        _mm512_storeu_ps(out + i, _mm512_add_ps(_mm512_mul_ps(v, two), v));
    }
    for (; i < n; ++i)
        out[i] = x[i] * 2.0f + x[i];
}
"""

# a declared strip loop over a multiple of 16, unrolled by two
VNNI_UNROLLED = """\
#include <immintrin.h>
// xpiler: args x=float32[999] y=float32[999] out=float32[999] n=999
extern "C" void sub2(const float *__restrict x, const float *__restrict y, float *__restrict out, int n) {
    const int full = n & ~31;
    for (int i = 0; i < full; i += 32) {
        __m512 a0 = _mm512_loadu_ps(x + i);
        __m512 a1 = _mm512_loadu_ps(x + i + 16);
        __m512 b0 = _mm512_loadu_ps(y + i);
        __m512 b1 = _mm512_loadu_ps(y + i + 16);
        _mm512_storeu_ps(out + i, _mm512_sub_ps(a0, b0));
        _mm512_storeu_ps(out + i + 16, _mm512_sub_ps(a1, b1));
    }
    for (int i = full; i < n; ++i)
        out[i] = x[i] - y[i];
}
"""

# a vector accumulator live across strips: fused and scalarised inside, the strip loop stays
VNNI_SUM = """\
#include <immintrin.h>
// xpiler: args x=float32[1000] out=float32[1] n=1000
extern "C" void vsum(const float *__restrict x, float *__restrict out, int n) {
    __m512 acc = _mm512_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16)
        acc = _mm512_add_ps(acc, _mm512_loadu_ps(x + i));
    float s = _mm512_reduce_add_ps(acc);
    for (; i < n; ++i)
        s += x[i];
    out[0] = s;
}
"""

# hub C: the second loop reads the lane after its own, which the first loop writes: fusing
# them would read it before it is written
C_SHIFT = """\
// xpiler: args x=float32[17] out=float32[17]
void shift(float *x, float *out) {
    for (int l = 0; l < 16; ++l)
        out[l] = x[l] * 2.0f;
    for (int l2 = 0; l2 < 16; ++l2)
        x[l2] = out[l2 + 1];
}
"""


def _lift(src: str, path: str, dialect=None):
    m = parse(src, path=path, dialect=dialect)
    assert not [d for d in m.diagnostics if d.is_error], m.diagnostics
    steps = [] if dialect == "c" else ["detensorize", "loop_canon", "inline_calls"]
    for name in steps:
        r = passes.get(name).apply(m, "c")
        assert r.ok, r.refused
        m = r.module
    return m


def _kernel_text(m, name):
    text = print_module(m)
    return text[text.index(name + "("):]


def _check(before: str, before_path: str, after: str, tmp_path):
    cand = tmp_path / "k_hub.cpp"
    cand.write_text(after)
    report = oracle.check(before, after, path=before_path, candidate_path=str(cand))
    assert report.ok, report.message + "\n" + after


def test_strip_loop_becomes_flat(tmp_path):
    m = _lift(VNNI_SCALE, "k.cpp")
    r = passes.get("scalarize").apply(m, "c")
    assert r.ok
    k = _kernel_text(r.module, "scale")
    assert "xp_ma_float" not in k and "__m512" not in k, k
    # loop_canon made the strip loop for (i = 0; i <= (long long)n - 16; i += 16)
    assert "for (int j = 0; j < ((long long)n - 16) / 16 + 1) * 16; ++j)" in k.replace("(((", "((") or \
        "j < (((long long)n - 16) / 16 + 1) * 16" in k, k
    assert "i = 0;" in k, k  # no strip: i is 0 as the source leaves it
    assert any("[strip]" in n for n in r.notes) and any("[uniform]" in n for n in r.notes), r.notes
    assert r.changed
    _check(VNNI_SCALE, "k.cpp", print_module(r.module), tmp_path)


def test_unrolled_groups_merge(tmp_path):
    m = _lift(VNNI_UNROLLED, "k.cpp")
    r = passes.get("scalarize").apply(m, "c")
    k = _kernel_text(r.module, "sub2")
    assert "for (int i = 0; i < (full + 31) / 32 * 32; ++i)" in k, k
    assert k.count("out[i] = ") == 2 and "+ 16" not in k, k  # the flat loop and the tail
    assert any("[unrolled] 2 groups of 16" in n for n in r.notes), r.notes
    _check(VNNI_UNROLLED, "k.cpp", print_module(r.module), tmp_path)


def test_reduction_strip_refused_with_reason(tmp_path):
    m = _lift(VNNI_SUM, "k.cpp")
    r = passes.get("scalarize").apply(m, "c")
    k = _kernel_text(r.module, "vsum")
    assert "i += 16" in k, k  # the strip loop stays
    assert any("[strip]" in n and "left as it is" in n for n in r.notes), r.notes
    _check(VNNI_SUM, "k.cpp", print_module(r.module), tmp_path)


def test_fusion_refused_on_a_carried_dependence():
    m = _lift(C_SHIFT, "k.c", dialect="c")
    r = passes.get("scalarize").apply(m, "c")
    assert r.ok
    assert print_module(r.module) == print_module(m)
    assert any("not fused: [fusable]" in n and "dependence" in n for n in r.notes), r.notes


def test_not_the_hub():
    m = parse(VNNI_SCALE, path="k.cpp")
    r = passes.get("scalarize").apply(m, "c")
    assert r.refused is not None and r.refused.precondition == "hub"


def test_documented():
    p = passes.REGISTRY["scalarize"]
    assert "before" in p.doc() and "after" in p.doc()
    assert {c.name for c in p.requires} >= {"fusable", "scalar", "strip", "unrolled", "uniform"}


# a sample (bench/accuracy.py --from vnni runs every VNNI kernel to every target)
CORPUS = [("relu", "bang"), ("sigmoid", "c"), ("softmax", "c"), ("layernorm", "bang"), ("reduce_sum", "bang")]


@pytest.mark.parametrize("name,to", CORPUS)
def test_corpus_from_vnni(name, to):
    path = f"tests/kernels/{name}/{name}_vnni.cpp"
    with open(path) as fh:
        t = xpiler.translate(fh.read(), to, path=path)
    assert t.status == "checked", (t.status, t.code)


def test_relu_to_bang_is_tensorized():
    path = "tests/kernels/relu/relu_vnni.cpp"
    with open(path) as fh:
        t = xpiler.translate(fh.read(), "bang", path=path)
    assert t.status == "checked"
    assert any(getattr(n, "tensorized_into", None) for n in t.nests), t.nests
