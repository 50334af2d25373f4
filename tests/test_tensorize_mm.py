"""tensorize (BANG): matrix products to __bang_matmul / __bang_mlp with the weights in WRAM
(analysis/contraction, passes/tensorize_bang_mm). Every translation is checked by the oracle
against its source (two seeds, sentinel-filled outputs, a second odd-sized spec)."""
import pytest

import xpiler
from xpiler import ir, parse
from xpiler.analysis import contraction as C
from xpiler.analysis.symbols import SymbolTable

SEQ = "loop_canon; inline_calls; fold_constants; fuse; bind; tensorize{}; host_code; retarget"

# sizes that are multiples of no tile: M=37, N=53, K=29
EPILOGUE = """\
// xpiler: args A=float32[37,29] B=float32[29,53] bias=float32[53] C=float32[37,53] alpha=0.75 M=37 N=53 K=29
void mm_epi(const float *A, const float *B, const float *bias, float *C, float alpha, int M, int N, int K) {
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
            float acc = 0.0f;
            for (int k = 0; k < K; ++k)
                acc += A[i * K + k] * B[k * N + j];
            C[i * N + j] = fmaxf(alpha * acc + bias[j], 0.0f);
        }
}
"""

# A stored transposed ([K][M]), B as [N][K] (a Linear weight), the result accumulated into C
TRANSPOSED = """\
// xpiler: args A=float32[29,37] B=float32[53,29] C=float32[37,53] M=37 N=53 K=29
void mm_tn(const float *A, const float *B, float *C, int M, int N, int K) {
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
            float acc = 0.0f;
            for (int k = 0; k < K; ++k)
                acc = acc + A[k * M + i] * B[j * K + k];
            C[i * N + j] += acc;
        }
}
"""

# K larger than one K tile (several partial products), a leading dimension wider than K
LONG_K = """\
// xpiler: args A=float32[37,700] B=float32[600,53] C=float32[37,53] M=37 N=53 K=600 lda=700
void mm_long(const float *A, const float *B, float *C, int M, int N, int K, int lda) {
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
            float acc = 0.0f;
            for (int k = 0; k < K; ++k)
                acc += A[i * lda + k] * B[k * N + j];
            C[i * N + j] = acc;
        }
}
"""

# the operands read every other element: no 2-D copy brings them in (refused, with why)
GATHER = """\
// xpiler: args A=float32[37,58] B=float32[29,53] C=float32[37,53] M=37 N=53 K=29
void mm_gather(const float *A, const float *B, float *C, int M, int N, int K) {
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
            float acc = 0.0f;
            for (int k = 0; k < K; ++k)
                acc += A[i * 2 * K + 2 * k] * B[k * N + j];
            C[i * N + j] = acc;
        }
}
"""


def _mm_records(t):
    return [n for n in t.nests if any(x in ("__bang_matmul", "__bang_mlp") for x in n.tensorized_into)]


def _check(t, unit="__bang_matmul"):
    assert t.status == "checked", (t.why, t.code)
    assert unit in t.code and "__wram__" in t.code and "NRAM2WRAM" in t.code
    recs = _mm_records(t)
    assert recs and all("wram" in r.staged_in and "nram" in r.staged_in for r in recs)
    assert unit in recs[0].tensorized_into and "__memcpy" in recs[0].tensorized_into


@pytest.mark.parametrize("family,unit", [("gemm", "__bang_matmul"), ("dense", "__bang_matmul"),
                                         ("gemv", "__bang_mlp"), ("bmm", "__bang_matmul")])
def test_corpus(family, unit):
    path = f"tests/kernels/{family}/{family}.c"
    t = xpiler.translate(open(path).read(), "bang", path=path)
    _check(t, unit)
    # no scalar product left on GDRAM: the reduction loop is gone
    assert "acc +=" not in t.code.split("__mlu_global__", 1)[1]


def test_epilogue_odd_sizes():
    t = xpiler.translate(EPILOGUE, "bang", path="mm_epi.c")
    _check(t)
    body = t.code.split("__mlu_global__", 1)[1]
    # bias broadcast to every row by a stride-0 copy, alpha and the relu as vector calls
    assert "__bang_mul_scalar" in body and "__bang_active_relu" in body and ", 0, xp_m - 1)" in body
    assert "__bang_transpose" in body  # B is [K][N]: transposed in NRAM into the [N][K] WRAM layout
    notes = [n for p in t.passes for n in p.notes]
    assert any("matrix product" in n and "__bang_matmul" in n and "WRAM" in n for n in notes), notes


def test_transposed_operands_accumulate():
    t = xpiler.translate(TRANSPOSED, "bang", path="mm_tn.c")
    _check(t)
    body = t.code.split("__mlu_global__", 1)[1]
    assert body.count("__bang_transpose") == 1  # A only; B is already [N][K]


def test_long_k():
    t = xpiler.translate(LONG_K, "bang", path="mm_long.c")
    _check(t)
    assert "__bang_add(" in t.code  # partial products summed


def test_mlp_where_no_float_matmul():
    """mtp_270 has no float __bang_matmul (tensor_float_types): each row runs __bang_mlp."""
    t = xpiler.translate(EPILOGUE, "bang", path="mm_epi.c", sequence=SEQ.format("(arch=mtp_270)"))
    assert t.status == "checked", t.why
    body = t.code.split("__mlu_global__", 1)[1]
    assert "__bang_mlp" in body and "__bang_matmul" not in body and "__wram__" in t.code


def test_refused_gather():
    t = xpiler.translate(GATHER, "bang", path="mm_gather.c")
    assert t.status == "checked", t.why
    assert "__bang_matmul" not in t.code
    why = [w for n in t.nests for w in n.not_ if "matrix product" in w]
    assert why and "neither its k nor its i elements are contiguous" in why[0], t.nests


def _first_contraction(src):
    m = parse(src, path="k.c")
    f = m.functions[0]
    table = SymbolTable(f, m)
    outs = [C.analyse(n, table) for n in f.body.walk() if isinstance(n, ir.For)]
    return outs


def test_analysis():
    outs = _first_contraction(EPILOGUE)
    c = outs[0]
    assert c and c.mode == "serial" and c.i.var == "i" and c.j.var == "j"
    assert c.a.buf == "A" and c.b.buf == "B" and c.c.buf == "C"
    assert c.a.unit("k") and c.b.unit("j") and c.c.unit("j")
    assert isinstance(c.value, C.Op) and c.value.op == "fmax"
    # the reduction loop alone is not a nest
    assert not outs[-1] and outs[-1].stage == 0
    conv = """\
void conv(const float *x, const float *w, float *out, int L, int C, int KW) {
    for (int l = 0; l < L; ++l) {
        float acc = 0.0f;
        for (int c = 0; c < C; ++c)
            for (int j = 0; j < KW; ++j)
                acc += x[c * L + l + j] * w[c * KW + j];
        out[l] = acc;
    }
}
"""
    r = _first_contraction(conv)[0]
    assert not r and r.reason
    batch = """\
void bmm(const float *A, const float *B, float *C, int nb, int M, int N, int K) {
    for (int b = 0; b < nb; ++b)
        for (int i = 0; i < M; ++i) {
            float acc = 0.0f;
            for (int k = 0; k < K; ++k)
                acc += A[(b * M + i) * K + k] * B[b * K + k];
            C[b * M + i] = acc;
        }
}
"""
    r = _first_contraction(batch)[0]
    assert not r and "batch" in r.reason
