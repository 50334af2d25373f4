"""The oracle: same random inputs, both programs, per-buffer comparison; and the mutation
test of issue 3 on a sample (bench/mutation.py runs the whole corpus)."""
from __future__ import annotations

import numpy as np

from xpiler import oracle

SRC = """
// xpiler: args x=float32[64,33] out=float32[64] rows=64 cols=33
void rowsum(const float *x, float *out, int rows, int cols) {
    for (int r = 0; r < rows; ++r) {
        float s = 0.0f;
        for (int c = 0; c < cols; ++c) s += x[r * cols + c];
        out[r] = s;
    }
}
"""


def test_identical_programs_match():
    rep = oracle.check(SRC, SRC, path="a.c", candidate_path="b.c")
    assert rep.ok and [b.name for b in rep.buffers] == ["out"] and rep.buffers[0].max_abs == 0


def test_reordered_reduction_is_within_tolerance():
    cand = SRC.replace("for (int c = 0; c < cols; ++c) s += x[r * cols + c];",
                       "for (int c = cols - 1; c >= 0; --c) s += x[r * cols + c];")
    rep = oracle.check(SRC, cand, path="a.c", candidate_path="b.c")
    assert rep.ok, rep.message


def test_mismatch_reports_first_index_and_errors():
    cand = SRC.replace("out[r] = s;", "out[r] = (r == 5) ? s + 1.0f : s;")
    rep = oracle.check(SRC, cand, path="a.c", candidate_path="b.c")
    b = rep.buffers[0]
    assert not rep.ok and b.first_mismatch == (5,) and b.mismatches == 1 and abs(b.max_abs - 1.0) < 1e-5
    assert "first at [5]" in rep.message


def test_never_written_elements_are_reported():
    cand = SRC.replace("for (int r = 0; r < rows; ++r)", "for (int r = 0; r < rows - 2; ++r)")
    rep = oracle.check(SRC, cand, path="a.c", candidate_path="b.c")
    b = rep.buffers[0]
    assert not rep.ok and b.never_written == 2 and b.first_never_written == (62,)


def test_access_trace_lists_elements_per_line():
    rep = oracle.check(SRC, None, path="a.c", trace=True)
    lines = {(t["line"], t["buffer"], t["write"]) for t in rep.source.trace}
    assert (6, "x", 0) in lines and (7, "out", 1) in lines
    out_writes = next(t for t in rep.source.trace if t["buffer"] == "out" and t["write"])
    assert len(out_writes["bytes"]) == 64


def test_tolerances_depend_on_dtype_and_reduction():
    assert oracle.tolerance(np.dtype("int32")) == (0.0, 0.0)
    r32, a32 = oracle.tolerance(np.dtype("float32"), 1)
    r16, a16 = oracle.tolerance(np.dtype("float16"), 1)
    assert r16 > r32 and a16 > a32
    assert oracle.tolerance(np.dtype("float32"), 1024)[1] > a32


def _bench():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import corpus
    import mutation

    return corpus, mutation


def test_mutation_verdicts_kill_only_on_a_failed_report():
    """A mutant that does not build is a build failure, not a kill; one the oracle rejects is."""
    corpus, mutation = _bench()
    e = next(e for e in corpus.entries(("c",)) if e.family == "add")
    original = e.file.read_text()
    base = {s: mutation.run(original, e, s) for s in mutation.SEEDS}
    assert mutation.judge(original, original, e, base) == ("equivalent", None)
    verdict, why = mutation.judge(original, original.replace("out[i] = x[i] + y[i];", "out[i] = x[i] + ;"), e, base)
    assert verdict == "build-failure" and "does not parse" in why
    assert mutation.judge(original, original.replace("i < n;", "i < n - 1;"), e, base)[0] == "killed"
    # an out-of-bounds write whose outputs agree: killed by the finding alone (report.ok is false)
    oob = original.replace("out[i] = x[i] + y[i];", "{ out[i] = x[i] + y[i]; if (i == 0) out[n] = 0.0f; }")
    assert mutation.judge(original, oob, e, base)[0] == "killed"


def test_mutants_of_a_sample_are_killed():
    """Issue 3: the oracle catches >= 95% of the mutants that change results (sample; the
    whole-corpus figure comes from bench/mutation.py); build failures are not counted."""
    corpus, mutation = _bench()
    picks = {("c", "softmax"), ("c", "conv2d_nchw"), ("c", "scatter"), ("vnni", "gemm_i8"), ("vnni", "layernorm"),
             ("vnni", "concat"), ("vnni", "sigmoid"), ("vnni", "maxpool2d")}
    entries = [e for e in corpus.entries(("c", "vnni")) if (e.dialect, e.family) in picks]
    res = mutation.evaluate(entries, per_kind=2, limit=None)
    killed, survived = res.count("killed"), res.count("survived")
    print(f"kill rate {killed}/{killed + survived}, {res.count('build-failure')} build failures")
    assert killed + survived >= 12
    assert res.kill_rate >= 0.95, res.survivors
