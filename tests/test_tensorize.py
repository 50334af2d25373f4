"""fuse and tensorize (BANG): the rewrites, their preconditions and notes, each output run
by the oracle against its input (two seeds, sentinel-filled outputs, a size that divides
no chunk)."""
import numpy as np
import pytest

import xpiler
from xpiler import ir, oracle, parse, passes, print_module
from xpiler.analysis import elementwise as E
from xpiler.analysis.symbols import SymbolTable
from xpiler.dialects.templates import templates

LIFTED = """\
// xpiler: args x=float32[1000] y=float32[1000] a=2.5 n=1000
void saxpy(const float *x, float *y, float a, int n) {
    for (int bx = 0; bx < (n + 255) / 256; ++bx) {
        for (int tx = 0; tx < 256; ++tx) {
            int i = bx * 256 + tx;
            if (i < n) {
                y[i] = a * x[i] + y[i];
            }
        }
    }
}
"""

FIXED_GRID = LIFTED.replace("(n + 255) / 256", "3")

USES_TX = LIFTED.replace("y[i] = a * x[i] + y[i];", "y[i] = a * x[i] + y[i] + tx;")

EW = """\
// xpiler: args x=float32[997] y=float32[997] out=float32[997] a=1.5 n=997
void ew(const float *x, const float *y, float *out, float a, int n) {
    for (int i = 0; i < n; ++i) {
        float t = a * x[i] + y[i];
        out[i] = fmaxf(t, 0.0f) - a / (1.0f + expf(-x[i])) + (2.0f - x[i]);
    }
}
"""

LEAKY = """\
// xpiler: args x=float32[500] out=float32[500] n=500
void leaky(const float *x, float *out, int n) {
    for (int i = 0; i < n; ++i)
        out[i] = x[i] > 0.0f ? x[i] : 0.1f * x[i];
}
"""

STENCIL = """\
// xpiler: args x=float32[500] n=499
void shift(float *x, int n) {
    for (int i = 0; i < n; ++i)
        x[i] = x[i + 1] * 2.0f;
}
"""

INPLACE = """\
// xpiler: args x=float32[777] n=777
void twice(float *x, int n) {
    for (int i = 0; i < n; ++i) {
        x[i] = x[i] * 2.0f;
        x[i] = x[i] + 1.0f;
    }
}
"""


def _fuse(src: str):
    m = parse(src, path="k.c")
    r = passes.get("fuse").apply(m, "bang")
    assert r.ok, r.refused
    return r


def _kernel_loops(m, name):
    return [n for n in m.function(name).body.walk() if isinstance(n, ir.For)]


def test_fuse_makes_one_loop_bounded_by_the_guard():
    r = _fuse(LIFTED)
    loops = _kernel_loops(r.module, "saxpy")
    assert len(loops) == 1
    text = print_module(r.module)
    assert "for (int i = 0; i < n; ++i)" in text and "if (" not in text
    assert any("fused into one over i" in n for n in r.notes)
    ok = oracle.check(LIFTED, text, path="a.c", candidate_path="b.c", kernel="saxpy")
    assert ok.ok, ok.message


def test_fuse_keeps_the_grid_when_it_does_not_cover_the_bound():
    r = _fuse(FIXED_GRID)
    text = print_module(r.module)
    assert "i < (n < 3 * 256 ? n : 3 * 256)" in text
    ok = oracle.check(FIXED_GRID, text, path="a.c", candidate_path="b.c", kernel="saxpy")
    assert ok.ok, ok.message


def test_fuse_leaves_a_nest_whose_element_index_is_used_alone():
    r = _fuse(USES_TX)
    assert len(_kernel_loops(r.module, "saxpy")) == 2
    assert any("not fused" in n and "apart from the index i" in n for n in r.notes)


def test_bang_templates_come_from_the_table():
    ts = {t.intrinsic: t for t in templates("bang", "float", "mtp_372")}
    assert str(ts["__bang_add"]) == "__bang_add: $v0 + $v1"
    assert ts["__bang_mul_scalar"].roles == ("dst", "v0", "s", "n")
    assert ts["__bang_active_relu"].accuracy == "exact"
    assert ts["__bang_active_sigmoid"].accuracy == "approximate"
    assert "__bang_div" not in ts  # not on MLU370 (">=322, not 372")
    assert "__bang_div" in {t.intrinsic for t in templates("bang", "float", "mtp_592")}
    assert ts["__bang_active_recip"].domain  # documented input range: never chosen without a proof


def _analyse(src: str):
    m = parse(src, path="k.c")
    f = m.kernels[0]
    loop = _kernel_loops(m, f.name)[0]
    body = loop.body.stmts if isinstance(loop.body, ir.Block) else [loop.body]
    return E.analyse(body, "i", SymbolTable(f, m))


def test_elementwise_analysis_accepts_and_says_why_not():
    nest = _analyse(EW)
    assert nest and nest.temps == {"t"} and [s.buf for s in nest.streams_written] == ["out"]
    assert {s.buf for s in nest.streams_read} == {"x", "y"}
    assert _analyse(LEAKY)  # element-wise; whether a target covers it is tensorize's question
    nest = _analyse(STENCIL)
    assert not nest and "read at another offset" in nest.reason


@pytest.mark.parametrize("src,kernel", [(LIFTED, "saxpy"), (EW, "ew"), (INPLACE, "twice")])
def test_translated_to_bang_and_tensorized(src, kernel):
    t = xpiler.translate(src, "bang", path=f"{kernel}.c")
    assert t.status == "checked", t.why
    nest = t.nests[0]
    assert "__memcpy" in nest.tensorized_into and nest.staged_in == ["nram"] and not nest.not_
    assert "__nram__" in t.code and "GDRAM2NRAM" in t.code and "NRAM2GDRAM" in t.code
    if kernel == "ew":
        assert {"__bang_mul_scalar", "__bang_add", "__bang_maximum_scalar", "__bang_active_sigmoid",
                "__bang_sub"} <= set(nest.tensorized_into)
        notes = [n for p in t.passes if p.name == "tensorize" for n in p.notes]
        assert any("__bang_active_sigmoid is approximate" in n for n in notes)
        assert "__bang_write_value" in t.code  # 2.0f - x[i]: the scalar broadcast into NRAM
    if kernel == "twice":  # the second statement reads what the first stored
        assert t.code.count("NRAM2GDRAM") == 2


def test_exact_only_keeps_approximate_activations_out():
    m = parse(EW, path="ew.c")
    for step in ("fold_constants", "fuse", "bind"):
        m = passes.get(step).apply(m, "bang").module
    r = passes.get("tensorize").apply(m, "bang", approximate=False)
    assert r.ok
    assert r.nests[0].get("not") and "has no BANG intrinsic" in r.nests[0]["not"][0]
    assert "__bang_active_sigmoid" not in print_module(r.module)


def test_not_tensorized_says_why():
    t = xpiler.translate(LEAKY, "bang", path="leaky.c")
    assert t.status == "checked", t.why
    assert t.nests[0].not_ and t.nests[0].not_[0].startswith("not tensorized: ")
    assert "has no BANG intrinsic" in t.nests[0].not_[0]


def test_tensorize_refuses_an_unbound_module():
    m = parse(EW, path="ew.c")
    r = passes.get("tensorize").apply(m, "bang")
    assert r.refused and r.refused.precondition == "bound"


def test_other_targets_report_their_loops():
    t = xpiler.translate(EW, "cuda", path="ew.c")
    assert t.status == "checked", t.why
    assert any("not tensorized: CUDA" in w for n in t.nests for w in n.not_)


ROWS = """\
// xpiler: args x=float32[9,203] out=float32[9,203] mx=float32[9] rows=9 cols=203
void rows(const float *x, float *out, float *mx, int rows, int cols) {
    for (int r = 0; r < rows; ++r) {
        const float *xr = x + r * cols;
        float m = -1e30f;
        for (int c = 0; c < cols; ++c)
            m = fmaxf(m, xr[c]);
        double s = 0.0;
        for (int c = 0; c < cols; ++c) {
            float e = xr[c] - m;
            out[r * cols + c] = e;
            s += e * e;
        }
        mx[r] = m + (float)s;
    }
}
"""


def test_rows_with_reductions_tensorize_their_inner_loops():
    t = xpiler.translate(ROWS, "bang", path="rows.c")
    assert t.status == "checked", t.why
    into = [set(n.tensorized_into) for n in t.nests]
    assert {"__bang_argmax", "__memcpy"} <= into[0]
    assert {"__bang_sum", "__bang_sub_scalar", "__bang_mul"} <= into[1]
    assert "s += __bang_sum(" in t.code and "m = fmaxf(m, " in t.code


@pytest.mark.parametrize("src,kernel", [(ROWS, "rows"), (EW, "ew")])
def test_small_chunks_cover_every_tail(src, kernel):
    """chunk=64: many chunks per row or task and a partial last one, checked by the oracle."""
    m0 = parse(src, path=f"{kernel}.c")
    m = m0
    for step in ("fold_constants", "fuse", "bind"):
        m = passes.get(step).apply(m, "bang").module
    r = passes.get("tensorize").apply(m, "bang", chunk=64)
    assert r.ok and all(n.get("tensorized_into") for n in r.nests), r.nests
    out = print_module(r.module)
    assert "[64]" in out
    launch = r.module.function(kernel).annotations.get("launch")
    ok = oracle.check(src, out, path=f"{kernel}.c", candidate_path=f"{kernel}.mlu", kernel=kernel,
                      candidate_launch=launch)
    assert ok.ok, ok.message


def test_reduction_read_elsewhere_is_not_a_reduction():
    src = ROWS.replace("m = fmaxf(m, xr[c]);", "{ m = fmaxf(m, xr[c]); out[r * cols + c] = m; }")
    t = xpiler.translate(src, "bang", path="rows.c")
    assert t.status == "checked", t.why
    assert t.nests[0].not_ and "not tensorized" in t.nests[0].not_[0]


GRID_STRIDE = """\
// xpiler: args x=float32[3001] y=float32[3001] n=3001
__global__ void scale(const float *x, float *y, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        y[i] = 3.0f * x[i];
}
"""


def test_a_lifted_grid_stride_loop_fuses_into_one_loop_and_tensorizes():
    src = "// xpiler: launch grid=4,1,1 block=64,1,1\n" + GRID_STRIDE
    t = xpiler.translate(src, "bang", path="scale.cu")
    assert t.status == "checked", t.why
    fuse = next(p for p in t.passes if p.name == "fuse")
    assert any("fused into one over i" in n for n in fuse.notes)
    assert "__bang_mul_scalar" in t.nests[0].tensorized_into


SOFTMAX = """\
// xpiler: args x=float32[7,150] out=float32[7,150] rows=7 cols=150
void softmax(const float *x, float *out, int rows, int cols) {
    for (int r = 0; r < rows; ++r) {
        const float *xr = x + r * cols;
        float *yr = out + r * cols;
        float m = -1e30f;
        for (int c = 0; c < cols; ++c)
            m = fmaxf(m, xr[c]);
        // the sum of exponentials
        float s = 0.0f;
        for (int c = 0; c < cols; ++c) {
            yr[c] = expf(xr[c] - m);
            s += yr[c];
        }
        const float inv = 1.0f / s;
        for (int c = 0; c < cols; ++c)
            yr[c] = yr[c] * inv;
    }
}
"""


@pytest.mark.parametrize("chunk", [0, 64])
def test_a_row_stays_in_nram_across_its_loops_when_it_fits(chunk):
    """cache: one copy in of xr and one copy out of yr when cols fits a chunk (chunk=0);
    the chunked loops otherwise (chunk=64 < cols), both checked by the oracle."""
    m = parse(SOFTMAX, path="softmax.c")
    for step in ("fold_constants", "fuse", "bind"):
        m = passes.get(step).apply(m, "bang").module
    r = passes.get("tensorize").apply(m, "bang", chunk=chunk)
    assert r.ok and all(n.get("tensorized_into") for n in r.nests), r.nests
    out = print_module(r.module)
    assert "if (cols <= " in out and any("keep xr, yr in NRAM" in n for n in r.notes)
    resident = out.split("if (cols <= ", 1)[1].split("} else {", 1)[0]
    assert resident.count("GDRAM2NRAM") == 1 and resident.count("NRAM2GDRAM") == 1
    assert "const float inv" not in out and "float inv;" in out  # hoisted out of the two branches
    launch = r.module.function("softmax").annotations.get("launch")
    ok = oracle.check(SOFTMAX, out, path="softmax.c", candidate_path="softmax.mlu", kernel="softmax",
                      candidate_launch=launch)
    assert ok.ok, ok.message


def test_a_checked_bang_translation_reports_its_predicted_time():
    t = xpiler.translate(SOFTMAX, "bang", path="softmax.c")
    assert t.status == "checked", t.why
    c = t.cost
    assert c and c["arch"] == "mtp_372" and c["seconds"] > 0 and c["bound"] in ("memory", "vector", "scalar")
    assert set(c["breakdown"]) == {"memory", "vector", "matrix", "onchip", "scalar"}
    # the same kernel with tensorize taken out computes through scalar GDRAM accesses: the model says slower
    plain = xpiler.translate(SOFTMAX, "bang", path="softmax.c",
                             sequence="fold_constants; fuse; bind; host_code; retarget")
    assert plain.status == "checked" and plain.cost["seconds"] > c["seconds"]
    from xpiler.report import Translation
    assert Translation.from_json(t.to_json()).cost == c
    assert xpiler.translate(SOFTMAX, "c", path="softmax.c").cost is None  # runs here: measured, not predicted


def test_c_inner_loops_get_omp_simd_with_their_sum_reductions():
    # the C target from a BANG source (C -> C is refused): the row loops of the lifted kernel
    bang = xpiler.translate(ROWS, "bang", path="rows.c")
    c = xpiler.translate(bang.code, "c", path="rows.mlu")
    assert c.status == "checked", c.why
    pragmas = [p for n in c.nests for p in n.tensorized_into]
    assert any(p.startswith("#pragma omp simd reduction(+:") for p in pragmas), c.nests
    assert "#pragma omp simd" in c.code and "reduction(max" not in c.code


@pytest.mark.parametrize("pipeline", [True, False])
def test_pipelined_chunks_keep_their_syncs(pipeline):
    """pipeline: the next chunk's copies in are __memcpy_async into the other half of a double
    buffer; the emulator's deferred mode holds each async copy back to its covering sync, so a
    missing __sync_io would read never-written NRAM (a finding) and a wrong result."""
    from xpiler.runtime import execute
    src = EW.replace("997", "3001")
    m = parse(src, path="ew.c")
    for step in ("fold_constants", "fuse", "bind"):
        m = passes.get(step).apply(m, "bang").module
    r = passes.get("tensorize").apply(m, "bang", chunk=64, pipeline=pipeline)
    out = print_module(r.module)
    assert ("__memcpy_async" in out and "xp_x[2][64]" in out) == pipeline
    launch = r.module.function("ew").annotations["launch"]
    ok = oracle.check(src, out, path="ew.c", candidate_path="ew.mlu", kernel="ew", candidate_launch=launch)
    assert ok.ok, ok.message
    ex = execute(out, path="ew.mlu", kernel="ew", launch=launch, options={"bang_async": "deferred"})
    ref = execute(src, path="ew.c", kernel="ew")
    assert ex.ok and not [f for f in ex.findings if f.severity == "error"], ex.findings
    assert np.allclose(ex.outputs["out"], ref.outputs["out"], rtol=1e-5, atol=1e-6)
    if pipeline:  # without the syncs, deferred copies are read before they land
        broken = out.replace("__sync_io();", "")
        bad = execute(broken, path="ew.mlu", kernel="ew", launch=launch, options={"bang_async": "deferred"})
        assert [f for f in bad.findings if f.severity == "error"] or \
            not np.allclose(bad.outputs["out"], ref.outputs["out"], rtol=1e-5, atol=1e-6)


HALF = """\
// xpiler: args x=float16[2001] out=float16[2001] n=2001
void hrelu(const _Float16 *x, _Float16 *out, int n) {
    for (int i = 0; i < n; ++i) {
        float v = (float)x[i];
        out[i] = (_Float16)(v > 0.0f ? v : 0.0f);
    }
}
"""


def test_half_streams_convert_exactly_and_compute_in_float():
    t = xpiler.translate(HALF, "bang", path="hrelu.c")
    assert t.status == "checked", t.why
    into = set(t.nests[0].tensorized_into)
    assert {"__bang_half2float", "__bang_active_relu", "__bang_float2half_rn"} <= into, into
    assert "__nram__ half " in t.code and "sizeof(half)" in t.code
    arith = HALF.replace("(float)x[i]", "(float)(x[i] * x[i])")  # arithmetic on half values: refused
    t2 = xpiler.translate(arith, "bang", path="hrelu.c")
    assert t2.status == "checked" and any("arithmetic on a half value" in w for w in t2.nests[0].not_)


def test_a_loop_whose_only_buffers_are_double_buffers_gets_its_chunk_size():
    """A row sum reads one stream and keeps nothing else in NRAM: with pipelining its only
    buffer is a double buffer, which must be declared and sized like any other."""
    src = """\
// xpiler: args x=float32[9,1000] out=float32[9] rows=9 cols=1000
void rsum(const float *x, float *out, int rows, int cols) {
    for (int r = 0; r < rows; ++r) {
        float s = 0.0f;
        for (int c = 0; c < cols; ++c)
            s += x[r * cols + c];
        out[r] = s;
    }
}
"""
    t = xpiler.translate(src, "bang", path="rsum.c")
    assert t.status == "checked", t.why
    assert "__nram__ float xp_x[2][" in t.code and "+= 0)" not in t.code


def test_c_an_element_wise_openmp_loop_becomes_parallel_for_simd():
    t = xpiler.translate(open("examples/saxpy.cu").read(), "c", path="examples/saxpy.cu")
    assert t.status == "checked", t.why
    assert "#pragma omp parallel for simd" in t.code
    assert t.nests[0].tensorized_into == ["#pragma omp parallel for simd"]


def test_the_editor_warns_where_a_nest_is_not_tensorized():
    from xpiler import jobs
    t = xpiler.translate(LEAKY, "bang", path="leaky.c")
    r = jobs.translation_result(t, LEAKY, "leaky", out_path="leaky.mlu")
    warn = [d for d in r["result_diagnostics"] if d["code"] == "not-tensorized"]
    assert warn and "has no BANG intrinsic" in warn[0]["message"], r["result_diagnostics"]
    assert warn[0]["related"] and warn[0]["related"][0]["path"] == "leaky.c"  # the nest in the source
