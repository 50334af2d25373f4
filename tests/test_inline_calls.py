"""inline_calls on C sources: array parameters, and returns inside loops, switches and nested
branches (a flag and breaks); each output checked by the oracle against its input."""
import pytest

from xpiler import oracle, parse, passes, print_module
from xpiler.ir import Return

# returns from a switch (the scan kernel's lane shift), from a loop nested in a loop, from a
# nested branch followed by more code, and a void function leaving a loop early
RETURNS = """\
static inline float pick(float v, const int k) {
    switch (k) {
    case 1: return v + 1.0f;
    case 2: {
        float w = v * 2.0f;
        return w;
    }
    case 3:
        v = v - 3.0f;  /* falls through */
    default: return v * 10.0f;
    }
}

static inline int find(const float *x, int n, float t) {
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < 2; ++j) {
            if (x[i] * (j + 1) > t)
                return i * 2 + j;
        }
    }
    return -1;
}

static inline float clampish(float v) {
    if (v > 0.0f) {
        if (v > 5.0f)
            return 5.0f;
        v = v * 0.5f;
    }
    v = v + 0.25f;
    return v;
}

static inline void fill(float *o, int n, float stop) {
    for (int i = 0; i < n; ++i) {
        if (o[i] > stop)
            return;
        o[i] = -o[i];
    }
}

// xpiler: args x=float32[40] out=float32[40] idx=int32[4] n=40
void k(const float *x, float *out, int *idx, int n) {
    for (int i = 0; i < n; ++i) {
        float a = pick(x[i], i % 4);
        float b = clampish(x[i] * 10.0f);
        out[i] = a + b;
    }
    idx[0] = find(x, n, 0.5f);
    idx[1] = find(x, n, 0.9f);
    idx[2] = find(x, n, 5.0f);
    idx[3] = 0;
    fill(out, n, 1.5f);
}
"""

# an array parameter is a pointer: the local that takes the argument points at the array
ARRAY_PARAM = """\
static inline void twice(float r[4]) {
    for (int i = 0; i < 4; ++i)
        r[i] = 2.0f * r[i];
}

// xpiler: args x=float32[8] out=float32[8]
void k(const float *x, float *out) {
    for (int b = 0; b < 2; ++b) {
        float t[4];
        for (int i = 0; i < 4; ++i)
            t[i] = x[b * 4 + i];
        twice(t);
        for (int i = 0; i < 4; ++i)
            out[b * 4 + i] = t[i];
    }
}
"""


def _inline(src: str):
    m = parse(src, path="k.c")
    assert not [d for d in m.diagnostics if d.is_error], m.diagnostics
    r = passes.get("inline_calls").apply(m, "c")
    assert r.ok, r.refused
    return r.module


def _check(before: str, after: str, tmp_path):
    cand = tmp_path / "k_inlined.c"
    cand.write_text(after)
    report = oracle.check(before, after, path="k.c", candidate_path=str(cand), kernel="k", candidate_kernel="k")
    assert report.ok, report.message + "\n" + after


@pytest.mark.parametrize("src", [RETURNS, ARRAY_PARAM], ids=["returns", "array-param"])
def test_inlined_kernel_computes_what_the_source_does(src, tmp_path):
    out = _inline(src)
    text = print_module(out)
    assert [f.name for f in out.functions if f.body is not None] == ["k"], text
    assert not any(isinstance(n, Return) for n in out.walk()), text
    _check(src, text, tmp_path)


def test_returns_in_loops_use_a_flag_only_where_it_is_tested():
    text = print_module(_inline(RETURNS))
    assert "find_done" in text and "if (find_done" in text  # the outer loop must stop too
    assert "pick_done" not in text  # nothing follows the switch: no flag, breaks only
    assert "float *r_" in print_module(_inline(ARRAY_PARAM))


def test_a_return_near_a_goto_is_refused():
    src = """\
static inline int f(const int *x) {
    for (int i = 0; i < 4; ++i) {
        if (x[i] < 0) goto out;
        if (x[i] == 0) return i;
    }
out:
    return -1;
}
// xpiler: args x=int32[4] y=int32[1]
void k(const int *x, int *y) { y[0] = f(x); }
"""
    r = passes.get("inline_calls").apply(parse(src, path="k.c"), "c")
    assert r.refused is not None and r.refused.precondition == "returns"


def test_a_template_kernel_launched_with_a_host_constant_gets_its_value():
    src = """\
#include <cuda_runtime.h>
template <int BLOCK>
__global__ void k(float *x) {
    constexpr int kWarps = BLOCK / 32;
    __shared__ float part[kWarps];
    if (threadIdx.x % 32 == 0) part[threadIdx.x / 32] = 1.0f;
    __syncthreads();
    x[blockIdx.x * BLOCK + threadIdx.x] = part[kWarps - 1];
}
// xpiler: args x=float32[128]
extern "C" void run(float *x) {
    constexpr int kBlock = 64;
    k<kBlock><<<2, kBlock>>>(x);
}
"""
    from xpiler import translate
    t = translate(src, "c", kernel="run", path="k.cu")
    assert t.status == "checked", t.why
    assert "kBlock" not in t.code.split("void run")[0]
