"""The emulator's work counters outside BANG (issue 18; BANG's: tests/test_cost.py):
CUDA/HIP launches, accesses per memory space, scalar arithmetic and wmma work, VNNI vector
lanes and dpbusd, and that accesses and scalar arithmetic are counted only when asked.
Small kernels whose counts are known exactly."""
from __future__ import annotations

import pytest

from xpiler.runtime import execute

GADD = """// xpiler: launch grid=4,1,1 block=64,1,1
// xpiler: args a=float32[256] b=float32[256] y=float32[256]
__global__ void gadd(const float *a, const float *b, float *y) {
  __shared__ float s[64];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  s[threadIdx.x] = a[i];
  __syncthreads();
  y[i] = s[threadIdx.x] + b[i];
}
"""

WMMA = """#include <mma.h>
using namespace nvcuda;
// xpiler: launch grid=1,1,1 block=32,1,1
// xpiler: args a=float16[256] b=float16[256] c=float32[256]
__global__ void mm(const half *a, const half *b, float *c) {
  wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> fa;
  wmma::fragment<wmma::matrix_b, 16, 16, 16, half, wmma::col_major> fb;
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> fc;
  wmma::fill_fragment(fc, 0.0f);
  wmma::load_matrix_sync(fa, a, 16);
  wmma::load_matrix_sync(fb, b, 16);
  wmma::mma_sync(fc, fa, fb, fc);
  wmma::store_matrix_sync(c, fc, 16, wmma::mem_row_major);
}
"""

VADD = """#include <immintrin.h>
// xpiler: args a=float32[64] b=float32[64] y=float32[64] n=64
void vadd(const float *a, const float *b, float *y, int n) {
  for (int i = 0; i < 48; i += 16) {
    __m512 x = _mm512_loadu_ps(a + i);
    __m512 z = _mm512_loadu_ps(b + i);
    _mm512_storeu_ps(y + i, _mm512_add_ps(x, z));
  }
  __mmask16 m = 0x00FF;
  __m512 x = _mm512_maskz_loadu_ps(m, a + 48);
  _mm512_mask_storeu_ps(y + 48, m, _mm512_mask_add_ps(x, m, x, x));
  for (int i = 56; i < n; ++i) y[i] = a[i] * b[i];
}
"""

DOT = """#include <immintrin.h>
#include <stdint.h>
// xpiler: args a=uint8[128] b=int8[128] y=int32[16]
void dot(const uint8_t *a, const int8_t *b, int32_t *y) {
  __m512i acc = _mm512_setzero_si512();
  for (int k = 0; k < 128; k += 64)
    acc = _mm512_dpbusd_epi32(acc, _mm512_loadu_si512(a + k), _mm512_loadu_si512(b + k));
  _mm512_storeu_si512(y, acc);
}
"""

SADD = """// xpiler: launch dim=1 type=block
// xpiler: args a=float32[256] b=float32[256] y=float32[256]
__mlu_global__ void sadd(const float *a, const float *b, float *y) {
  for (int i = 0; i < 256; ++i) y[i] = a[i] + b[i];
}
"""


def _acc(reads, read_bytes, writes, write_bytes):
    return {"reads": reads, "read_bytes": read_bytes, "writes": writes, "write_bytes": write_bytes}


def _run(src, path, **kw):
    ex = execute(src, path=path, **kw)
    assert ex.ok, ex.message
    return ex.counters


def test_cuda_launch_traffic_per_space_and_scalar_ops():
    c = _run(GADD, "gadd.cu", counters=True)
    assert c["checked"] and c["counted"]
    assert (c["warp_size"], c["launches"], c["blocks"], c["threads"]) == (32, 1, 4, 256)
    assert (c["blocks_ran"], c["threads_ran"], c["max_block_threads"], c["max_shared_bytes"]) == (4, 256, 64, 256)
    assert c["launch"] == [{"grid": [4, 1, 1], "block": [64, 1, 1], "dynamic_shared": 0}]
    assert c["access"]["plain"] == {"global": _acc(512, 2048, 256, 1024), "shared": _acc(256, 1024, 256, 1024)}
    assert c["access"]["intrinsic"] == {}
    # per thread: blockIdx.x * blockDim.x + threadIdx.x (2), s[...] + b[i] (1)
    assert c["scalar_ops"] == 3 * 256
    assert c["work"] == []


def test_accesses_and_scalar_ops_are_counted_only_when_asked():
    c = _run(GADD, "gadd.cu")  # a checked run that does not ask
    assert c["checked"] and not c["counted"]
    assert c["access"] == {"plain": {}, "intrinsic": {}} and c["scalar_ops"] == 0
    assert (c["blocks"], c["threads"]) == (4, 256)  # launches are always counted
    b = _run(SADD, "sadd.mlu")
    assert not b["counted"] and b["scalar"]["gdram"] == _acc(0, 0, 0, 0) and b["scalar_ops"] == 0
    u = _run(GADD, "gadd.cu", checks=False, counters=True)  # an unchecked run cannot count accesses
    assert not u["checked"] and not u["counted"] and u["access"]["plain"] == {}


def test_bang_plain_gdram_accesses_are_the_common_access_counts():
    c = _run(SADD, "sadd.mlu", counters=True)
    assert c["access"]["plain"] == {"gdram": _acc(512, 2048, 256, 1024)}
    assert c["scalar"]["gdram"] == _acc(512, 2048, 256, 1024)
    assert c["scalar_ops"] == 256


def test_hip_launch_has_64_lane_wavefronts():
    src = "#include <hip/hip_runtime.h>\n" + GADD
    c = _run(src, "gadd.hip", counters=True)
    assert (c["warp_size"], c["blocks"], c["threads"]) == (64, 4, 256)
    assert c["access"]["plain"]["shared"] == _acc(256, 1024, 256, 1024)


def test_wmma_counts_one_warp_operation_and_its_macs():
    c = _run(WMMA, "mm.cu", counters=True)
    mma = [w for w in c["work"] if w["family"] == "matmul"]
    assert [(w["intrinsic"], w["calls"], w["amount"]) for w in mma] == [("mma_sync", 1, 16 * 16 * 16)]
    assert "half" in mma[0]["type"] and mma[0]["elem_bytes"] == 2
    assert c["access"]["plain"]["global"]["write_bytes"] == 256 * 4  # store_matrix_sync: each element once


def test_vnni_vector_lanes_masks_and_scalar_ops():
    c = _run(VADD, "vadd.cpp", counters=True)
    work = {w["intrinsic"]: (w["family"], w["type"], w["elem_bytes"], w["calls"], w["amount"]) for w in c["work"]}
    assert work == {
        "_mm512_loadu_ps": ("load", "float", 4, 6, 6 * 64),
        "_mm512_add_ps": ("vector", "float", 4, 3, 3 * 16),
        "_mm512_storeu_ps": ("store", "float", 4, 3, 3 * 64),
        "_mm512_maskz_loadu_ps": ("load", "float", 4, 1, 8 * 4),  # 8 lanes of the mask set
        "_mm512_mask_add_ps": ("vector", "float", 4, 1, 8),
        "_mm512_mask_storeu_ps": ("store", "float", 4, 1, 8 * 4)}
    # the scalar tail: 8 iterations of two loads, a store and one *; pointer offsets
    # (a + i, y + 48) are address arithmetic
    assert c["access"]["plain"] == {"host": _acc(16, 64, 8, 32)}
    assert c["access"]["intrinsic"] == {"host": _acc(6 * 16 + 8, (6 * 16 + 8) * 4, 3 * 16 + 8, (3 * 16 + 8) * 4)}
    assert c["scalar_ops"] == 8


def test_vnni_dpbusd_counts_int32_lanes_under_int8():
    c = _run(DOT, "dot.cpp", counters=True)
    dot = [w for w in c["work"] if w["family"] == "dot"]
    assert [(w["intrinsic"], w["type"], w["calls"], w["amount"]) for w in dot] == [
        ("_mm512_dpbusd_epi32", "int8", 2, 32)]


@pytest.mark.parametrize("checks", [False])
def test_vnni_unchecked_runs_count_no_intrinsic_work(checks):
    c = _run(VADD, "vadd.cpp", checks=checks)
    assert c["work"] == [] and not c["checked"]


def test_idiom_figures_of_counters():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import idiom

    f = idiom.figures("cuda", _run(GADD, "gadd.cu", counters=True))
    assert (f["blocks"], f["threads"]) == (4, 256)
    assert f["shared"] == pytest.approx(2048 / (2048 + 3072)) and f["mma"] == 0.0
    v = idiom.figures("vnni", _run(VADD, "vadd.cpp", counters=True))
    assert v["vector"] == pytest.approx(56 / (56 + 8)) and v["dpbusd"] == 0
    b = idiom.figures("bang", _run(SADD, "sadd.mlu", counters=True))
    assert b == {"memcpy": 0.0, "bang": 0.0}
