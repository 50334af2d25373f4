"""Issue 15, oracle acceptance: a candidate passes only when it writes exactly what the
source writes, with the same values, on at least two input seeds, and with no error finding.

Tiny C kernels (they build fastest); every test names the rule it guards."""
from __future__ import annotations

import numpy as np
import pytest

from xpiler import oracle
from xpiler.diagnostics import XpilerError
from xpiler.runtime import inputs

ARGS = "x=float32[16] y=float32[16] n=16"

RELU = f"""
// xpiler: args {ARGS}
void k(const float *x, float *y, int n) {{
    for (int i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}}
"""

DOUBLE = f"""
// xpiler: args {ARGS}
void k(float *x, float *y, int n) {{
    for (int i = 0; i < n; ++i) y[i] = 2.0f * x[i];
}}
"""


def check(src: str, cand: str, **kw) -> oracle.CheckReport:
    return oracle.check(src, cand, path="src.c", candidate_path="cand.c", **kw)


def test_the_verdict_records_seeds_spec_tolerance_and_prefilled_buffers():
    rep = check(DOUBLE, DOUBLE)
    assert rep.ok, rep.message
    assert rep.seeds == [0, 1] and [r.seed for r in rep.runs] == [0, 1] and all(r.ok for r in rep.runs)
    assert rep.args == ARGS and rep.prefilled == ["y"]
    assert rep.tolerance == {"y": oracle.tolerance(np.dtype("float32"), 1.0)}
    assert rep.first_mismatch is None
    text = rep.describe()
    assert "seeds 0, 1" in text and ARGS in text and "y: match" in text


def test_unwritten_outputs_fail_even_when_the_initial_contents_agree():
    """(a) The caller's y is zero, which is what the source writes for x <= 0: a candidate that
    keeps y's old contents there agreed with it. y is written before it is read by the
    source, so both runs start it as the sentinel, and the sentinel never matches."""
    cand = RELU.replace("? x[i] : 0.0f", "? x[i] : y[i]")
    sets = []
    for s in (0, 1):
        v = inputs.values(ARGS, s)
        v["y"][:] = 0.0
        sets.append(v)
    rep = check(RELU, cand, values=sets)
    assert not rep.ok and rep.prefilled == ["y"]
    b = rep.buffers[0]
    assert b.name == "y" and b.mismatches == int((sets[0]["x"] <= 0).sum()) and np.isnan(b.got_at_first)
    assert "y:" in rep.message and "differ" in rep.message


def test_a_candidate_that_clobbers_an_input_fails():
    """(b) Every buffer either program writes is compared, and the written masks must agree."""
    cand = DOUBLE.replace("y[i] = 2.0f * x[i];", "{ y[i] = 2.0f * x[i]; x[i] = 0.0f; }")
    rep = check(DOUBLE, cand)
    assert not rep.ok
    x = next(b for b in rep.buffers if b.name == "x")
    assert x.candidate_only_writes == 16 and x.first_candidate_only_write == (0,)
    assert "x: 16 element(s) written by the candidate only" in rep.message


def test_a_candidate_that_rewrites_an_input_with_its_own_values_still_fails():
    cand = DOUBLE.replace("y[i] = 2.0f * x[i];", "{ y[i] = 2.0f * x[i]; x[i] = x[i]; }")
    rep = check(DOUBLE, cand)
    assert not rep.ok and "written by the candidate only" in rep.message


def test_error_findings_of_the_candidate_fail_the_verdict():
    """(c) An out-of-bounds write goes to the runtime's sink: outputs agree, the finding does not."""
    cand = DOUBLE.replace("y[i] = 2.0f * x[i];", "{ y[i] = 2.0f * x[i]; if (i == n - 1) y[n] = 0.0f; }")
    rep = check(DOUBLE, cand)
    assert all(b.ok for b in rep.buffers)  # the outputs themselves agree
    assert not rep.ok and "out-of-bounds-write" in rep.message and "candidate" in rep.message
    assert [f.kind for f in rep.candidate_errors] == ["out-of-bounds-write"]


LOG = f"""
// xpiler: args {ARGS}
void k(const float *x, float *y, int n) {{
    for (int i = 0; i < n; ++i) y[i] = logf(x[i]);
}}
"""


def test_a_sentinel_left_in_place_never_matches_a_computed_nan():
    """(d) logf of a negative input is NaN in the source; the candidate skips those elements,
    so they keep the NaN sentinel: unwritten, not equal."""
    cand = LOG.replace("y[i] = logf(x[i]);", "if (x[i] >= 0.0f) y[i] = logf(x[i]);")
    rep = check(LOG, cand)
    assert not rep.ok and rep.prefilled == ["y"]
    neg = int((inputs.values(ARGS, rep.seeds[0])["x"] < 0).sum())
    assert rep.buffers[0].never_written == neg and rep.buffers[0].mismatches == 0
    assert "never written" in rep.message


def test_nans_both_programs_compute_at_the_same_place_match():
    """(d) ... while a NaN both programs compute (written in both runs) is a match."""
    cand = LOG.replace("y[i] = logf(x[i]);", "y[i] = x[i] < 0.0f ? sqrtf(x[i]) : logf(x[i]);")
    rep = check(LOG, cand)
    assert rep.ok, rep.message
    assert any(np.isnan(r.source.outputs["y"]).any() for r in rep.runs)


def test_compare_distinguishes_the_sentinel_from_a_computed_nan():
    nan = np.full(4, np.nan, np.float32)
    wrote = np.ones(4, bool)
    left = np.array([True, False, True, True])
    assert oracle.compare(nan, nan, "y", 1e-4, 1e-5, wrote, wrote).ok
    r = oracle.compare(nan, nan, "y", 1e-4, 1e-5, wrote, left)
    assert not r.ok and r.never_written == 1 and r.first_never_written == (1,)
    both_left = np.array([True, False, True, True])  # element 1 is nobody's: not compared
    assert oracle.compare(nan, nan, "y", 1e-4, 1e-5, both_left, both_left).ok


def test_a_candidate_right_only_for_seed_0_fails():
    """(e) A hard-coded y[0] that is 2 * x[0] for seed 0 (a value, not the computation)."""
    y0 = float(2.0 * inputs.values(ARGS, 0)["x"][0])
    cand = DOUBLE.replace("for (int i = 0;", f"y[0] = {y0!r}f;\n    for (int i = 1;")
    assert check(DOUBLE, cand, seeds=(0, 3)).ok is False
    rep = check(DOUBLE, cand)
    assert not rep.ok and [r.ok for r in rep.runs] == [True, False]
    assert rep.message.startswith("seed 1:") and rep.first_mismatch.startswith("seed 1: y[0]")
    assert rep.seed == 1 and rep.buffers[0].first_mismatch == (0,)


def test_seed_keyword_still_works_and_means_two_seeds():
    rep = check(DOUBLE, DOUBLE, seed=5)
    assert rep.ok and rep.seeds == [5, 6]
    with pytest.raises(XpilerError, match="at least two"):
        check(DOUBLE, DOUBLE, seeds=(0,))
    with pytest.raises(XpilerError, match="at least two"):
        check(DOUBLE, DOUBLE, values=inputs.values(ARGS, 0))


INPLACE = f"""
// xpiler: args {ARGS}
void k(float *x, float *y, int n) {{
    for (int i = 0; i < n; ++i) {{ x[i] += 1.0f; y[i] = x[i]; }}
}}
"""

ACCUMULATE = """
// xpiler: args x=float32[8,2] out=float32[8] rows=8 cols=2
void k(const float *x, float *out, int rows, int cols) {
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) out[r] = fmaxf(out[r], x[r * cols + c]);
}
"""

# reads y first, but fmaxf(NaN, v) is v and x + 2 exceeds every random y: only the
# large-value probe shows that y's old contents matter
ABSORB = f"""
// xpiler: args {ARGS}
void k(const float *x, float *y, int n) {{
    for (int i = 0; i < n; ++i) y[i] = fmaxf(y[i], x[i] + 2.0f);
}}
"""


def test_buffers_the_source_reads_before_writing_keep_their_random_inputs():
    """In-place x[i] += ... reads x first; fmaxf(out, ...) reads out first."""
    rep = check(INPLACE, INPLACE)
    assert rep.ok and rep.prefilled == ["y"]
    assert not np.isnan(rep.runs[0].source.outputs["x"]).any()
    rep = check(ACCUMULATE, ACCUMULATE)
    assert rep.ok and rep.prefilled == []
    # so a candidate that ignores out's old contents is caught
    cand = ACCUMULATE.replace("out[r] = fmaxf(out[r], x[r * cols + c]);",
                              "out[r] = c == 0 ? x[r * cols] : fmaxf(out[r], x[r * cols + c]);")
    assert not check(ACCUMULATE, cand).ok


def test_a_nan_swallowing_read_is_still_seen_as_a_read():
    rep = check(ABSORB, ABSORB)
    assert rep.ok and rep.prefilled == []


def test_an_accumulating_candidate_reads_the_sentinel_and_fails():
    """The source zeroes y before summing; a candidate that sums into y's old contents reads
    the sentinel (its own read of a value it never wrote)."""
    src = f"""
// xpiler: args {ARGS}
void k(const float *x, float *y, int n) {{
    for (int i = 0; i < n; ++i) {{ y[i] = 0.0f; y[i] += x[i]; }}
}}
"""
    rep = check(src, src.replace("y[i] = 0.0f; ", ""))
    assert not rep.ok and rep.prefilled == ["y"] and np.isnan(rep.buffers[0].got_at_first)


def test_sentinels_by_dtype():
    f = inputs.filled("float32", (3,))
    assert np.isnan(f).all() and f.view(np.uint32)[0] == 0x7FC5A5A5
    assert np.isnan(inputs.filled("float16", (2,))).all()
    bf = inputs.filled("bfloat16", (2,))  # bits in uint16: a bfloat16 NaN
    assert bf.dtype == np.uint16 and (bf[0] & 0x7F80) == 0x7F80 and (bf[0] & 0x7F) != 0
    i = inputs.filled("int32", (2,))
    assert i.dtype == np.int32 and i.view(np.uint32)[0] == 0xA5A5A5A5
    assert inputs.filled("int8", (1,), "high")[0] == 127 and inputs.filled("uint8", (1,), "low")[0] == 0
    assert inputs.filled("float32", (1,), "low")[0] < -1e29
    with pytest.raises(XpilerError, match="fill"):
        inputs.filled("float32", (1,), "zero")


VNNI = """
#include <immintrin.h>
// xpiler: args x=float32[16] y=float32[16] n=16
extern "C" void k(const float *x, float *y, int n) {
    _mm512_storeu_ps(y, _mm512_add_ps(_mm512_loadu_ps(x), _mm512_loadu_ps(x)));
}
"""


def test_vnni_writes_count_whether_or_not_the_intrinsics_run_natively():
    """On an AVX-512 machine the intrinsics run natively, unchecked: the bytes they changed
    still make the written mask, so y starts as the sentinel and half a store is caught."""
    rep = oracle.check(VNNI, VNNI, path="a.cpp", candidate_path="b.cpp", dialect="vnni", candidate_dialect="vnni")
    assert rep.ok and rep.prefilled == ["y"], rep.message
    half = VNNI.replace("_mm512_storeu_ps(y, ", "_mm512_mask_storeu_ps(y, (__mmask16)0x00FF, ")
    rep = oracle.check(VNNI, half, path="a.cpp", candidate_path="b.cpp", dialect="vnni", candidate_dialect="vnni")
    assert not rep.ok and rep.buffers[0].never_written == 8 and rep.buffers[0].first_never_written == (8,)
