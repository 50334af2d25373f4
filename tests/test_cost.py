"""The BANG cost model's groundwork (issue 18, item 4): the performance figures of the
dialect table, the emulator's work counters and ``xpiler.tune.cost.predict_bang``.

Counters are checked on small kernels whose traffic is known exactly; the prediction's
arithmetic on hand-made counters against the model in ``tune/cost.py``'s module doc.
"""
from __future__ import annotations

import re

import pytest

from xpiler.dialects import base
from xpiler.dialects.bang import intrinsics as B
from xpiler.runtime import execute
from xpiler.tune.cost import arith_breakdown, gdram_breakdown, predict_bang, work_by_family

# ------------------------------------------------------------------ the table's figures

REQUIRED = {"clusters", "cores_per_cluster", "clock_hz", "dram_bytes_per_s", "dram_read_granule_bytes",
            "dram_partial_write_bytes", "vector_bytes_per_cycle", "onchip_bytes_per_cycle", "scalar_cycles_per_op",
            *(f"matrix_{t}_ops_per_s" for t in ("int8", "int16", "fp16", "bf16", "fp32"))}


@pytest.mark.parametrize("arch", B.ARCHS)
def test_every_figure_is_sourced_or_marked_estimated(arch):
    figs = B.PERF[arch]
    assert set(figs) == REQUIRED, set(figs) ^ REQUIRED
    assert B.PARTS[arch]
    for key, f in figs.items():
        assert isinstance(f, base.Figure), key
        assert bool(f.source) != bool(f.estimated), (arch, key)
        assert f.value >= 0 and f.unit, (arch, key)
        if f.source:  # a source names where: a URL or the reference
            assert "http" in f.source or "bang.md" in f.source, (arch, key, f.source)
        else:
            assert len(f.estimated) > 20, (arch, key)  # says how it was derived
    assert figs["dram_bytes_per_s"].value > 0 and figs["clock_hz"].value > 0


def test_a_figure_needs_exactly_one_provenance():
    with pytest.raises(ValueError):
        base.Figure(1.0, "B/s")
    with pytest.raises(ValueError):
        base.Figure(1.0, "B/s", source="https://example.org", estimated="guess")
    assert base.Figure(1.0, "B/s", estimated="derived from x").is_estimated


def test_mlu370_figures_as_cited():
    f = B.PERF["mtp_372"]
    assert (f["dram_bytes_per_s"].value, f["clock_hz"].value, f["vector_bytes_per_cycle"].value) == (614.4e9, 1.3e9, 128)
    assert not any(f[k].is_estimated for k in ("dram_bytes_per_s", "clock_hz", "clusters", "vector_bytes_per_cycle",
                                                 "matrix_fp32_ops_per_s", "matrix_fp16_ops_per_s"))
    assert f["onchip_bytes_per_cycle"].is_estimated  # nothing citable found


def test_every_generated_compute_intrinsic_counts_its_work():
    names = set()
    for it in B.INTRINSICS.values():
        if it.emulation != "semantics" or it.category in ("sync", "misc", "math"):
            continue
        for ov in it.overloads:
            if ov.semantics is None or not any("*" in p.type for p in ov.params):
                continue
            w = B.work(it, ov)
            assert w is not None, it.name
            family, expr = w
            assert family in B.WORK_FAMILIES or family.startswith("set."), (it.name, family)
            params = {p.name for p in ov.params}
            words = set(re.findall(r"[A-Za-z_]\w*", expr)) - {"unsigned", "long", "ull", "u"}
            assert words <= params, (it.name, words - params)
            names.add(it.name)
    assert {"__memcpy", "__bang_add", "__bang_matmul", "__bang_conv", "__bang_sumpool", "__gdramset"} <= names


# ------------------------------------------------------------------ counters on known kernels

VADD = """#include <bang.h>
// xpiler: launch dim=1 type=block
// xpiler: args a=float32[256] b=float32[256] y=float32[256]
__mlu_global__ void vadd(const float *a, const float *b, float *y) {
  __nram__ float na[256];
  __nram__ float nb[256];
  __memcpy(na, a, 256 * sizeof(float), GDRAM2NRAM);
  __memcpy(nb, b, 256 * sizeof(float), GDRAM2NRAM);
  __bang_add(na, na, nb, 256);
  __memcpy(y, na, 256 * sizeof(float), NRAM2GDRAM);
}
"""

VADD4 = """#include <bang.h>
// xpiler: launch dim=4,1,1 type=union1
// xpiler: args a=float32[256] b=float32[256] y=float32[256]
__mlu_global__ void vadd4(const float *a, const float *b, float *y) {
  __nram__ float na[64];
  __nram__ float nb[64];
  int o = taskId * 64;
  __memcpy(na, a + o, 64 * sizeof(float), GDRAM2NRAM);
  __memcpy(nb, b + o, 64 * sizeof(float), GDRAM2NRAM);
  __bang_add(na, na, nb, 64);
  __memcpy(y + o, na, 64 * sizeof(float), NRAM2GDRAM);
}
"""

SADD = """// xpiler: launch dim=1 type=block
// xpiler: args a=float32[256] b=float32[256] y=float32[256]
__mlu_global__ void sadd(const float *a, const float *b, float *y) {
  for (int i = 0; i < 256; ++i) y[i] = a[i] + b[i];
}
"""

GATHER = """#include <bang.h>
// xpiler: launch dim=1 type=block
// xpiler: args a=float32[64] y=float32[16]
__mlu_global__ void gather(const float *a, float *y) {
  __nram__ float t[16];
  __memcpy(t, a, 4 * sizeof(float), GDRAM2NRAM, 4 * sizeof(float), 16 * sizeof(float), 3);
  __memcpy(y, t, 16 * sizeof(float), NRAM2GDRAM);
}
"""

BCAST = """#include <bang.h>
__mlu_shared__ float s[64];
// xpiler: launch dim=4,1,1 type=union1
// xpiler: args x=float32[64] y=float32[64]
__mlu_global__ void bcast(const float *x, float *y) {
  __nram__ float t[16];
  __memcpy(s, x, 64 * sizeof(float), GDRAM2SRAM);
  __sync_cluster();
  __memcpy(t, s + coreId * 16, 16 * sizeof(float), SRAM2NRAM);
  __memcpy(y + coreId * 16, t, 16 * sizeof(float), NRAM2GDRAM);
}
"""

MATMUL = """#include <bang.h>
// xpiler: launch dim=1 type=block
// xpiler: args a=float32[256] w=float32[4096] y=float32[256]
__mlu_global__ void mm(const float *a, const float *w, float *y) {
  __nram__ float na[256];
  __nram__ float ny[256];
  __wram__ float ww[4096];
  __memcpy(na, a, 256 * sizeof(float), GDRAM2NRAM);
  __memcpy(ww, w, 4096 * sizeof(float), GDRAM2WRAM);
  __bang_matmul(ny, na, ww, 4, 64, 64);
  __memcpy(y, ny, 256 * sizeof(float), NRAM2GDRAM);
}
"""


def _run(src: str, path: str, **kw):
    kw.setdefault("counters", True)  # accesses and scalar arithmetic too (checked runs)
    ex = execute(src, path=path, **kw)
    assert ex.ok, ex.message
    assert ex.counters, "no counters.json"
    return ex


def _work(ex, intrinsic):
    return [(w["family"], w["type"], w["elem_bytes"], w["calls"], w["amount"]) for w in ex.counters["work"]
            if w["intrinsic"] == intrinsic]


@pytest.mark.parametrize("checks", [True, False])
def test_memcpy_add_memcpy_counts_bytes_and_elements(checks):
    ex = _run(VADD, "vadd.mlu", checks=checks)
    c = ex.counters
    assert c["checked"] is checks and c["arch"] == "mtp_372"
    assert (c["launches"], c["tasks"], c["max_task_dim"], c["cluster_dim"]) == (1, 1, 1, 0)
    assert c["copy"] == {
        "GDRAM2NRAM": {"calls": 2, "bytes": 2048, "segments": 2, "async_calls": 0, "async_bytes": 0},
        "NRAM2GDRAM": {"calls": 1, "bytes": 1024, "segments": 1, "async_calls": 0, "async_bytes": 0}}
    assert _work(ex, "__bang_add") == [("vector", "float", 4, 1, 256)]
    assert _work(ex, "__memcpy") == [("copy", "", 0, 3, 3072)]
    assert c["scalar"]["gdram"] == {"reads": 0, "read_bytes": 0, "writes": 0, "write_bytes": 0}
    assert c["task_max"] == {"dram_bytes": 3072, "vector_bytes": 1024, "matmul_macs": 0, "onchip_bytes": 0,
                             "scalar_ops": 0}
    assert c["scalar_ops"] == 0  # 256 * sizeof(float) is a constant
    a = arith_breakdown(c)
    assert (a["intrinsic"], a["scalar"]) == (256, 0) and a["intrinsic_share"] == (1.0 if checks else None)
    g = gdram_breakdown(c)
    assert (g["memcpy"], g["scalar"], g["total"]) == (3072, 0, 3072)
    assert g["memcpy_share"] == (1.0 if checks else None)


def test_union_tasks_split_the_work():
    ex = _run(VADD4, "vadd4.mlu")
    c = ex.counters
    assert (c["tasks"], c["max_task_dim"], c["cluster_dim"]) == (4, 4, 1)
    assert c["copy"]["GDRAM2NRAM"]["bytes"] == 2048 and c["copy"]["GDRAM2NRAM"]["calls"] == 8
    assert c["copy"]["NRAM2GDRAM"]["bytes"] == 1024
    assert _work(ex, "__bang_add") == [("vector", "float", 4, 4, 256)]
    assert c["task_max"]["vector_bytes"] == 256 and c["task_max"]["dram_bytes"] == 768
    # per task: taskId * 64 (a + o, b + o, y + o are pointer offsets: address arithmetic)
    assert c["scalar_ops"] == 4 and c["task_max"]["scalar_ops"] == 1


@pytest.mark.parametrize("checks", [True, False])
def test_scalar_pointer_code_moves_no_memcpy_bytes(checks):
    ex = _run(SADD, "sadd.mlu", checks=checks)
    c = ex.counters
    assert c["copy"] == {} and c["work"] == []
    want = {"reads": 512, "read_bytes": 2048, "writes": 256, "write_bytes": 1024} if checks else \
        {"reads": 0, "read_bytes": 0, "writes": 0, "write_bytes": 0}  # unchecked runs do not see them
    assert c["scalar"]["gdram"] == want
    g = gdram_breakdown(c)
    assert g["memcpy"] == 0 and g["memcpy_share"] == (0.0 if checks else None)
    assert c["scalar_ops"] == (256 if checks else 0)  # one + per iteration; the loop header is not counted
    assert arith_breakdown(c)["intrinsic_share"] == (0.0 if checks else None)


def test_strided_copy_counts_segments():
    c = _run(GATHER, "gather.mlu").counters
    assert c["copy"]["GDRAM2NRAM"] == {"calls": 1, "bytes": 64, "segments": 4, "async_calls": 0, "async_bytes": 0}


def test_a_copy_the_mpu_does_counts_once_per_cluster():
    c = _run(BCAST, "bcast.mlu").counters
    assert c["copy"]["GDRAM2SRAM"]["calls"] == 1 and c["copy"]["GDRAM2SRAM"]["bytes"] == 256
    assert c["copy"]["SRAM2NRAM"]["calls"] == 4 and c["copy"]["SRAM2NRAM"]["bytes"] == 256
    assert c["copy"]["NRAM2GDRAM"]["bytes"] == 256


def test_matmul_counts_multiply_accumulates():
    ex = _run(MATMUL, "mm.mlu")
    assert _work(ex, "__bang_matmul") == [("matmul", "float", 4, 1, 4 * 64 * 64)]
    assert ex.counters["copy"]["GDRAM2WRAM"]["bytes"] == 4096 * 4
    assert work_by_family(ex.counters)["matmul"] == {"float": 4 * 64 * 64}


# ------------------------------------------------------------------ the prediction's arithmetic

def _counters(**kw):
    c = {"arch": "mtp_372", "checked": True, "launches": 1, "tasks": 16, "task_dim": 16, "max_task_dim": 16,
         "cluster_dim": 4, "units_ran": 1, "units_skipped": 0, "copy": {}, "work": [], "scalar_ops": 0,
         "scalar": {"gdram": {"reads": 0, "read_bytes": 0, "writes": 0, "write_bytes": 0}},
         "task_max": {"dram_bytes": 0, "vector_bytes": 0, "matmul_macs": 0, "onchip_bytes": 0}}
    c.update(kw)
    return c


def _copy(bytes_, segments=1, async_calls=0):
    return {"calls": 1, "bytes": bytes_, "segments": segments, "async_calls": async_calls,
            "async_bytes": bytes_ if async_calls else 0}


def test_prediction_adds_terms_without_async_copies():
    # MLU370-X8: 614.4 GB/s; 16 cores x 128 B/cycle x 1.3 GHz; FP32 matrix 24 TFLOPS
    c = _counters(copy={"GDRAM2NRAM": _copy(6.144e9), "NRAM2GDRAM": _copy(6.144e9)},
                  work=[{"intrinsic": "__bang_add", "family": "vector", "type": "float", "elem_bytes": 4,
                         "calls": 16, "amount": 1.664e9},
                        {"intrinsic": "__bang_matmul", "family": "matmul", "type": "float", "elem_bytes": 4,
                         "calls": 16, "amount": 1.2e12}],
                  task_max={"dram_bytes": 0, "vector_bytes": 0, "matmul_macs": 0, "onchip_bytes": 0})
    p = predict_bang(c)
    assert p.cores == 16 and not p.overlap
    assert p.memory_s == pytest.approx(2 * 6.144e9 / 614.4e9)  # 0.02 s
    assert p.vector_s == pytest.approx(1.664e9 * 4 / 16 / (128 * 1.3e9))  # 0.0025 s
    assert p.matrix_s == pytest.approx(2 * 1.2e12 / 24e12)  # 0.1 s
    assert p.seconds == pytest.approx(p.memory_s + p.vector_s + p.matrix_s)
    assert p.bound == "matrix"
    assert "dram_bytes_per_s" in p.figures and "614.4" in p.figures["dram_bytes_per_s"]


def test_async_copies_overlap_and_the_largest_term_bounds():
    c = _counters(copy={"GDRAM2NRAM": _copy(6.144e9, async_calls=1)},
                  work=[{"intrinsic": "__bang_add", "family": "vector", "type": "half", "elem_bytes": 2,
                         "calls": 1, "amount": 1e6}])
    p = predict_bang(c)
    assert p.overlap and p.bound == "memory"
    assert p.memory_s == pytest.approx(0.01) and p.seconds == pytest.approx(p.memory_s)
    assert predict_bang(c, overlap=False).seconds == pytest.approx(p.memory_s + p.vector_s)


def test_few_tasks_use_few_cores_and_the_largest_task_bounds():
    work = [{"intrinsic": "__bang_add", "family": "vector", "type": "float", "elem_bytes": 4, "calls": 2,
             "amount": 1000}]
    p = predict_bang(_counters(tasks=2, max_task_dim=2, work=work,
                               task_max={"dram_bytes": 0, "vector_bytes": 3000, "matmul_macs": 0, "onchip_bytes": 0}))
    assert p.cores == 2
    assert p.vector_s == pytest.approx(3000 / (128 * 1.3e9))  # the largest task: 3000 B, not 4000 / 2


def test_short_segments_and_scalar_accesses_cost_whole_granules():
    c = _counters(copy={"GDRAM2NRAM": _copy(4000, segments=1000), "NRAM2GDRAM": _copy(4000, segments=1000)},
                  scalar={"gdram": {"reads": 10, "read_bytes": 40, "writes": 10, "write_bytes": 40}})
    p = predict_bang(c)
    assert p.dram_bytes == 1000 * 64 + 1000 * 128 + 10 * 64 + 10 * 128
    assert any("latency is not modelled" in n for n in p.notes)


def test_other_arch_and_missing_matrix_figure():
    c = _counters(work=[{"intrinsic": "__bang_matmul", "family": "matmul", "type": "float", "elem_bytes": 4,
                         "calls": 1, "amount": 1e9}])
    p = predict_bang(c, "mtp_290")  # no floating matmul on 2xx: the vector rate, with a note
    assert p.arch == "mtp_290" and p.matrix_s > 0 and any("no matrix figure" in n for n in p.notes)
    assert any("estimated figures used" in n for n in p.notes)
    with pytest.raises(ValueError):
        predict_bang(c, "mtp_999")


def test_sampled_runs_are_scaled():
    work = [{"intrinsic": "__bang_add", "family": "vector", "type": "float", "elem_bytes": 4, "calls": 1,
             "amount": 1e6}]
    full = predict_bang(_counters(work=work))
    half = predict_bang(_counters(work=work, units_ran=2, units_skipped=2))
    assert half.vector_bytes == pytest.approx(2 * full.vector_bytes)


def test_prediction_of_a_real_run():
    ex = _run(VADD, "vadd.mlu")
    p = predict_bang(ex.counters)
    assert p.cores == 1 and p.dram_bytes == 3072 and p.vector_bytes == 1024
    assert p.seconds == pytest.approx(3072 / 614.4e9 + 1024 / (128 * 1.3e9))


def test_scalar_arithmetic_is_a_term():
    p = predict_bang(_counters(tasks=1, max_task_dim=1, scalar_ops=1.3e9,
                               task_max={"dram_bytes": 0, "vector_bytes": 0, "matmul_macs": 0, "onchip_bytes": 0,
                                         "scalar_ops": 1.3e9}))
    assert p.scalar_s == pytest.approx(1.3e9 * 2 / 1.3e9) and p.bound == "scalar"  # 2 cycles per op at 1.3 GHz


def test_scalar_ops_of_statements():
    from xpiler.frontend import parse
    from xpiler.runtime.emit import scalar_ops

    src = """__mlu_global__ void k(float *y, const float *x, int n) {
  float s = 0.0f;
  for (int i = 0; i < n; ++i) s += x[i * 2 + 1] * 3.0f;
  y[n - 1] = -s + expf(s) - 4 * sizeof(float);
  if (s > 2.0f * n) y[0] = 1.0f;
}
"""
    f = parse(src, path="k.mlu").function("k")
    stmts = f.body.stmts
    counts = [scalar_ops(st, lambda name: name == "expf") for st in stmts]
    loop_body = scalar_ops(stmts[1].body, lambda name: False)
    # s = 0: none; the for loop: none (control); its body: += and * (not the subscript);
    # y[n - 1] = ...: unary -, +, expf, - (not the subscript, not 4 * sizeof); if: 2.0f * n
    assert counts == [0, 0, 4, 1] and loop_body == 2
