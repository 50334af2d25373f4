"""predict_cpu, predict_cuda, the ranking helpers (tune/cost.py) and bench/cost_model.py's pieces."""
from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

import pytest

from xpiler.tune import cost

ROOT = Path(__file__).resolve().parents[1]


def _cpu(**kw) -> cost.CpuFigures:
    base = cost.CpuFigures("test cpu", 4, 2.0e9, 512, True, 1.0, 1.0, 2.0, 1.0, 1.0e10, 1.0e11, 2e-6, {})
    return dataclasses.replace(base, **kw)


def _plain(reads, writes, elem=4, scalar_ops=0, work=()):
    return {"checked": True, "counted": True, "work": list(work), "scalar_ops": scalar_ops,
            "access": {"plain": {"host": {"reads": reads, "read_bytes": reads * elem, "writes": writes,
                                          "write_bytes": writes * elem}}, "intrinsic": {}}}


def test_detect_cpu_reads_this_machine():
    c = cost.detect_cpu()
    assert c.cores >= 1 and c.clock_hz > 1e8 and c.vector_bits in (128, 256, 512)
    assert "measured" in c.figures["cores"] and "estimated" in c.figures["dram_bytes_per_s_per_core"]


def test_predict_cpu_monotonic_in_bytes_and_ops():
    cpu = _cpu()
    small = cost.predict_cpu(_plain(1000, 500, scalar_ops=1000), cpu)
    more_bytes = cost.predict_cpu(_plain(100000, 50000, scalar_ops=1000), cpu)
    more_ops = cost.predict_cpu(_plain(1000, 500, scalar_ops=10 ** 7), cpu)
    assert more_bytes.seconds > small.seconds and more_bytes.memory_s > small.memory_s
    assert more_ops.seconds > small.seconds and more_ops.bound == "scalar"
    assert cost.predict_cpu(_plain(1000, 500, scalar_ops=1000), cpu, scale=10).seconds > small.seconds
    assert small.notes and any("estimated" in n for n in small.notes)


def test_vector_lanes_cheaper_than_scalar_ops():
    cpu = _cpu()
    n = 1 << 20
    scalar = cost.predict_cpu(_plain(0, 0, scalar_ops=n), cpu)
    vector = cost.predict_cpu(_plain(0, 0, work=[{"intrinsic": "_mm512_add_ps", "family": "vector", "type": "float",
                                                  "elem_bytes": 4, "calls": n // 16, "amount": n}]), cpu)
    assert vector.vector_s > 0 and vector.seconds < scalar.seconds / 4
    assert any("scalar rate" in x for x in scalar.notes)


def test_parallel_loop_divides_work_and_shared_machine_waits():
    cpu = _cpu()
    c = _plain(0, 0, scalar_ops=10 ** 8)
    serial = cost.predict_cpu(c, cpu, parallel=1)
    par = cost.predict_cpu(c, cpu, parallel=1000)
    assert par.cores == 4 and par.seconds < serial.seconds / 3
    busy = cost.predict_cpu(c, _cpu(free_cores=0.0, others_runnable=4.0, slice_s=1.5e-3), parallel=1000)
    assert busy.cores == 1 and busy.seconds > serial.seconds
    assert any("shared machine" in n for n in busy.notes)


def test_footprint_bounds_dram_traffic():
    cpu = _cpu()
    c = _plain(10 ** 6, 10 ** 5)
    assert cost.predict_cpu(c, cpu, footprint_bytes=1000).memory_s < cost.predict_cpu(c, cpu).memory_s


def test_omp_parallelism():
    code = "void f(int n) {\n    #pragma omp parallel for\n    for (int i = 0; i < n / 2; ++i) {}\n}"
    assert cost.omp_parallelism(code, {"n": 100}) == 50
    assert cost.omp_parallelism("for (int i = 0; i < 9; ++i) {}") == 1
    assert cost.omp_parallelism("#pragma omp parallel for collapse(2)\nfor (int i = 0; i < 3; i++)\n"
                                "for (int j = 0; j < 4; j++) {}") == 12
    assert cost.omp_parallelism("#pragma omp parallel for\nfor (int i = 0; i < g(); i++) {}") == 1 << 30


def _cuda(block, blocks, global_bytes, shared_bytes=0, scalar_ops=0, shared_decl=0, work=()):
    return {"checked": True, "counted": True, "work": list(work), "scalar_ops": scalar_ops, "launches": 1,
            "blocks": blocks, "threads": blocks * block, "max_block_threads": block, "max_shared_bytes": shared_decl,
            "access": {"plain": {"global": {"reads": global_bytes // 8, "read_bytes": global_bytes // 2,
                                            "writes": global_bytes // 8, "write_bytes": global_bytes // 2},
                                 "shared": {"reads": shared_bytes // 8, "read_bytes": shared_bytes // 2,
                                            "writes": shared_bytes // 8, "write_bytes": shared_bytes // 2}},
                       "intrinsic": {}}}


def test_predict_cuda_monotonic_and_occupancy():
    a = cost.predict_cuda(_cuda(256, 4096, 1 << 24), {"registers": 32})
    b = cost.predict_cuda(_cuda(256, 4096, 1 << 26), {"registers": 32})
    assert b.seconds > a.seconds and b.memory_s > a.memory_s
    c = cost.predict_cuda(_cuda(256, 4096, 1 << 24, scalar_ops=1 << 34), {"registers": 32})
    assert c.seconds > a.seconds and c.bound == "scalar"
    # registers limit the blocks per SM: 255 registers x 256 threads leaves one block
    heavy = cost.predict_cuda(_cuda(256, 4096, 1 << 24), {"registers": 255})
    assert heavy.details["blocks_per_sm"] < a.details["blocks_per_sm"] and heavy.details["limiter"] == "registers"
    assert heavy.details["occupancy"] < a.details["occupancy"]
    # too few blocks: the bandwidth is not reached
    few = cost.predict_cuda(_cuda(64, 4, 1 << 24), {"registers": 32})
    assert few.details["bandwidth_share"] < 1 and few.seconds > a.seconds
    assert any("estimated" in n for n in a.notes)
    assert "3.35" in a.figures["dram_bytes_per_s"] or "3.35e+12" in a.figures["dram_bytes_per_s"]


def test_predict_cuda_notes_missing_registers_and_tensor_work():
    mma = {"intrinsic": "mma_sync", "family": "matmul", "type": "half", "elem_bytes": 2, "calls": 1,
           "amount": 1 << 30}
    p = cost.predict_cuda(_cuda(128, 1024, 1 << 20, work=[mma]))
    assert any("not measured" in n for n in p.notes) and p.matrix_s > 0
    as_fp32 = cost.predict_cuda(_cuda(128, 1024, 1 << 20, work=[dict(mma, type="float")]))
    assert as_fp32.matrix_s > p.matrix_s  # tf32 peak is half the fp16 one


def test_spearman_known_values():
    assert cost.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert cost.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert cost.spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(0.8207826816681233)  # scipy's value
    assert cost.ranks([3, 1, 3, 2]) == [3.5, 1.0, 3.5, 2.0]
    assert cost.spearman([1, 2], [3, 3]) is None and cost.spearman([1], [1]) is None


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc not installed")
def test_nvcc_resource_usage():
    code = ("__global__ void k(const float* x, float* y, int n) { __shared__ float s[64]; int i = threadIdx.x; "
            "s[i] = x[i]; __syncthreads(); if (i < n) y[i] = s[63 - i]; }\n")
    ru = cost.nvcc_resource_usage(code)
    assert ru["k"]["registers"] > 0 and ru["k"]["shared_bytes"] == 256


def test_bench_variant_helpers():
    sys.path.insert(0, str(ROOT / "bench"))
    import cost_model as cm
    code = "#include <x.h>\nvoid f() {\n#pragma omp parallel for\nfor (;;) {}\n}\n"
    assert "omp" not in cm._serial(code) and "#include" not in cm._norm(code)
    assert {k.name for k in cm.KERNELS} >= {"add", "softmax", "layernorm", "gemm"}
    for k in cm.KERNELS:
        assert k.scale(k.measured, k.emulated) >= 1
