"""bench/perf_cpu.py (issue 18): its pieces, and one small run without PyTorch.

The benchmark's figures come from ``python bench/perf_cpu.py`` with the ``bench`` extra;
here only that it translates, verifies and times, and says what it could not do.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from xpiler import passes

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "perf_cpu.py"


def _module():
    spec = importlib.util.spec_from_file_location("perf_cpu", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["perf_cpu"] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def test_baseline_sequence_leaves_out_the_idiom_passes():
    pc = _module()
    for target in ("c", "vnni"):
        steps, removed = pc.baseline_sequence("cuda", target)
        built = [p for p in pc.IDIOM_PASSES if p in passes.REGISTRY]
        if not removed:  # none built (or none in the default sequence): the same sequence twice
            assert steps is None
        else:
            assert set(removed) <= set(built)
            assert not {s.name for s in steps} & set(pc.IDIOM_PASSES)


def test_patched_source_sets_the_bench_shape_above_the_translated_function():
    pc = _module()
    for case in pc.CASES:
        shape = case.shapes["bench"]
        text = pc.patched_source(case, shape)
        args = [ln for ln in text.splitlines() if ln.startswith("// xpiler: args")]
        assert f"// xpiler: args {case.args(shape)}" in args, case.name
        if case.launch:
            assert f"// xpiler: launch {case.launch(shape)}" in text, case.name
        # the comments stay in the block right above the function
        lines = text.splitlines()
        i = lines.index(f"// xpiler: args {case.args(shape)}")
        assert case.translate in "\n".join(lines[i + 1:i + 3]), case.name


def test_check_refuses_unwritten_or_wrong_outputs():
    pc = _module()
    ref = np.arange(6, dtype=np.float64).reshape(2, 3)
    assert pc._check(ref.astype(np.float32), ref, 1e-6, 0)[0]
    got = ref.astype(np.float32)
    got[1, 2] = np.nan
    ok, why = pc._check(got, ref, 1e-6, 0)
    assert not ok and "not finite" in why
    got[1, 2] = 4.0
    ok, why = pc._check(got, ref, 1e-6, 0)
    assert not ok and "(1, 2)" in why


def test_small_run_without_torch_prints_the_numpy_comparison(tmp_path):
    out = tmp_path / "perf.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "core")}
    r = subprocess.run([sys.executable, str(SCRIPT), "--size", "small", "--family", "add", "--no-torch",
                        "--threads", "1", "--out", str(out)], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "PyTorch not used" in r.stdout
    assert "C vs NumPy" in r.stdout and "geomean" in r.stdout
    if "tensorize" not in passes.REGISTRY:
        assert "tensorize not built: both columns use the same sequence" in r.stdout
    data = json.loads(out.read_text())
    assert data["meta"]["threads"] == 1 and data["meta"]["vnni"] in ("native", "SIMDe")
    (row,) = data["rows"]
    for key in ("c", "vnni", "numpy"):
        ent = row["impl"][key]
        assert ent["correct"], ent
        assert len(ent["ms"]) >= 10 and ent["median_ms"] > 0
