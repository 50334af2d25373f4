"""hipify: CUDA <-> HIP on the IR, checked by the oracle against the source.

* every corpus kernel both ways (CUDA -> HIP and HIP -> CUDA), the output printed in the target
  dialect and run against the source on the manifest's inputs;
* one kernel per warp-size rule whose CUDA (or HIP) result differs from a naive reading on the
  other side's warp size: the pass's output matches the source, and the naive translation (what
  renaming alone gives) is shown to fail, so each test would catch a missing rule;
* refusals with their named preconditions, the name tables, the MFMA layouts written for CUDA
  against the HIP table's, and a sample of outputs through the real compilers.
"""
from __future__ import annotations

import re

import os

import pytest

import corpus
from xpiler import dialects, ir, oracle, parse, passes, print_module, toolchains
from xpiler.dialects.hip import cuda_map as cm
from xpiler.dialects.hip.intrinsics import MFMA, mfma_c_element
from xpiler.passes import hipify  # noqa: F401  (registers the pass)

SUFFIX = {"cuda": ".cu", "hip": ".hip"}
OTHER = {"cuda": "hip", "hip": "cuda"}


def _hipify(text: str, path: str, to: str):
    m = parse(text, path=path)
    return passes.get("hipify").apply(m, to=to)


def _translate(text: str, path: str, to: str) -> str:
    r = _hipify(text, path, to)
    assert r.ok, str(r.refused)
    assert r.module.dialect == to
    return print_module(r.module)


def _check(src: str, src_path: str, out: str, tmp_path, to: str, **kw) -> oracle.CheckReport:
    cand = tmp_path / ("out" + SUFFIX[to])
    cand.write_text(out)
    return oracle.check(src, out, path=src_path, candidate_path=str(cand), dialect=OTHER[to],
                        candidate_dialect=to, **kw)


# ------------------------------------------------------------------------------------------ corpus
# The whole corpus runs in bench/accuracy.py (--from cuda,hip --to hip,cuda) and here with
# XPILER_FULL_CORPUS=1; the suite takes every third kernel, so it stays within its time.
_ALL = corpus.entries(("cuda",)) + corpus.entries(("hip",))
ENTRIES = _ALL if os.environ.get("XPILER_FULL_CORPUS") else _ALL[::3]


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_corpus_kernel_translates_and_matches_its_source(entry, tmp_path):
    to = OTHER[entry.dialect]
    text = entry.file.read_text()
    r = _hipify(text, str(entry.file), to)
    assert r.ok, f"refused: {r.refused}"
    out = print_module(r.module)
    cand = tmp_path / (entry.file.stem + SUFFIX[to])
    cand.write_text(out)
    rep = oracle.check(text, out, path=str(entry.file), candidate_path=str(cand), dialect=entry.dialect,
                       candidate_dialect=to, kernel=entry.kernel, args=entry.args, launch=entry.launch,
                       candidate_launch=entry.launch, generators=entry.inputs or None, rtol=entry.rtol,
                       atol=entry.atol)
    assert rep.ok, rep.message + "\n" + out


# ------------------------------------------------------------------------------ CUDA -> HIP rules
HEAD = "// xpiler: launch grid=2,1,1 block={block},1,1\n// xpiler: args x=float32[{n}] out={out}[{n}]\n"

# rule -> (CUDA kernel body, what a rename alone gives on HIP, block size, output dtype)
CUDA_RULES = {
    # __shfl_sync(full, v, 0): lanes 32-63 of a wavefront must read lane 32 (their warp's lane 0)
    "broadcast-width": ("out[i] = __shfl_sync(0xffffffff, v, 0);", "out[i] = __shfl(v, 0);", 96, "float32"),
    # a down shuffle near the end of a warp keeps its own value on CUDA
    "down-width": ("out[i] = v + __shfl_down_sync(0xffffffff, v, 4);", "out[i] = v + __shfl_down(v, 4);", 64,
                   "float32"),
    # CUDA reads 5 bits of delta: 33 is 1
    "delta-5-bits": ("out[i] = __shfl_down_sync(0xffffffff, v, 33);", "out[i] = __shfl_down(v, 33, 32);", 64,
                     "float32"),
    # a 32-bit ballot: __popc counts the caller's warp only
    "ballot-popc": ("out[i] = __popc(__ballot_sync(0xffffffff, v > 0.0f));",
                    "out[i] = __popc(__ballot(v > 0.0f));", 64, "int32"),
    # a lane's bit of the ballot: lane = threadIdx.x & 31
    "ballot-lane-bit": ("unsigned b = __ballot_sync(0xffffffff, v > 0.0f);\n"
                        "    out[i] = (b >> (threadIdx.x & 31)) & 1u;",
                        "unsigned b = __ballot(v > 0.0f);\n    out[i] = (b >> (threadIdx.x & 31)) & 1u;", 64, "int32"),
    # the active lanes of a partial warp (block of 48: the second warp has 16)
    "activemask": ("out[i] = __popc(__activemask());", "out[i] = __popc(__activemask());", 48, "int32"),
    # votes per warp: all lanes < 40 of warp 0, none of warp 1
    "all": ("out[i] = __all_sync(0xffffffff, i % 64 < 40) != 0;", "out[i] = __all(i % 64 < 40) != 0;", 64, "int32"),
    "any": ("out[i] = __any_sync(0xffffffff, i % 64 == 40) != 0;", "out[i] = __any(i % 64 == 40) != 0;", 64,
            "int32"),
    # the lanes holding the same key, per warp
    "match-any": ("out[i] = __popc(__match_any_sync(0xffffffff, (int)(i % 3)));",
                  "out[i] = __popc((unsigned)__match_any((int)(i % 3)));", 64, "int32"),
    # warpSize arithmetic
    "warpSize": ("out[i] = v + (float)(threadIdx.x / warpSize) + (float)(threadIdx.x % warpSize);",
                 "out[i] = v + (float)(threadIdx.x / warpSize) + (float)(threadIdx.x % warpSize);", 128, "float32"),
}


def _cuda_rule(body: str, block: int, out: str) -> str:
    t = "float" if out == "float32" else "int"
    return (HEAD.format(block=block, n=2 * block, out=out) +
            f"__global__ void k(const float *x, {t} *out) {{\n"
            f"    const int i = blockIdx.x * blockDim.x + threadIdx.x;\n    const float v = x[i];\n    {body}\n}}\n")


@pytest.mark.parametrize("rule", sorted(CUDA_RULES))
def test_cuda_warp_rule_matches_cuda_where_renaming_does_not(rule, tmp_path):
    body, naive, block, out = CUDA_RULES[rule]
    src = _cuda_rule(body, block, out)
    hip = _translate(src, "k.cu", "hip")
    rep = _check(src, "k.cu", hip, tmp_path, "hip")
    assert rep.ok, rep.message + "\n" + hip
    naive_hip = "#include <hip/hip_runtime.h>\n" + _cuda_rule(naive, block, out)
    bad = _check(src, "k.cu", naive_hip, tmp_path, "hip")
    assert not bad.ok, f"the naive HIP of rule {rule} should differ from CUDA:\n{naive_hip}"


def test_cuda_shuffle_keeps_the_source_width_and_drops_the_mask():
    src = _cuda_rule("out[i] = __shfl_xor_sync(0xffff, v, 1, 16) + __shfl_up_sync(0xffffffff, v, 1);", 64, "float32")
    hip = _translate(src, "k.cu", "hip")
    assert "__shfl_xor(v, 1, 16)" in hip and "__shfl_up(v, 1, 32)" in hip and "_sync" not in hip


def test_cuda_loop_offsets_below_32_need_no_truncation():
    src = _cuda_rule("float s = v;\n"
                     "    for (int o = warpSize / 2; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffff, s, o);"
                     "\n    out[i] = s;", 64, "float32")
    hip = _translate(src, "k.cu", "hip")
    assert "__shfl_xor(s, o, 32)" in hip and "& 31" not in hip
    src = _cuda_rule("float s = v;\n    for (int o = 1; o < 64; o <<= 1) s += __shfl_xor_sync(0xffffffff, s, o);\n"
                     "    out[i] = s;", 64, "float32")
    assert "__shfl_xor(s, o & 31, 32)" in _translate(src, "k.cu", "hip")


def test_cuda_syncwarp_becomes_the_wavefront_barrier_between_fences(tmp_path):
    src = ("// xpiler: launch grid=2,1,1 block=64,1,1\n// xpiler: args x=float32[128] out=float32[128]\n"
           "__global__ void k(const float *x, float *out) {\n    __shared__ float s[64];\n"
           "    s[threadIdx.x] = x[blockIdx.x * 64 + threadIdx.x];\n    __syncwarp();\n"
           "    out[blockIdx.x * 64 + threadIdx.x] = s[threadIdx.x ^ 1];\n}\n")
    hip = _translate(src, "k.cu", "hip")
    assert "__builtin_amdgcn_wave_barrier();" in hip and "__syncwarp" not in hip
    assert _check(src, "k.cu", hip, tmp_path, "hip").ok


HOST_QUERY = """\
#include <cuda_runtime.h>
__global__ void k(const float *x, float *out, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = x[i] + (float)blockIdx.x;
}
// xpiler: args x=float32[256] out=float32[256] n=256
extern "C" void host(const float *x, float *out, int n) {
    int ws = 0;
    cudaDeviceGetAttribute(&ws, cudaDevAttrWarpSize, 0);
    float *dx, *dy;
    cudaMalloc((void **)&dx, n * sizeof(float));
    cudaMalloc((void **)&dy, n * sizeof(float));
    cudaMemcpy(dx, x, n * sizeof(float), cudaMemcpyHostToDevice);
    k<<<(n + ws - 1) / ws, ws>>>(dx, dy, n);
    cudaMemcpy(out, dy, n * sizeof(float), cudaMemcpyDeviceToHost);
    cudaFree(dx);
    cudaFree(dy);
}
"""


def test_host_warp_size_query_keeps_the_source_warp_size(tmp_path):
    hip = _translate(HOST_QUERY, "k.cu", "hip")
    assert "hipDeviceGetAttribute(&ws, hipDeviceAttributeWarpSize, 0);" in hip and "ws = 32;" in hip
    assert _check(HOST_QUERY, "k.cu", hip, tmp_path, "hip", kernel="host").ok
    naive = re.sub(r"\bcuda", "hip", HOST_QUERY).replace("hipDevAttrWarpSize", "hipDeviceAttributeWarpSize") \
        .replace("<hip_runtime.h>", "<hip/hip_runtime.h>")
    assert not _check(HOST_QUERY, "k.cu", naive, tmp_path, "hip", kernel="host").ok


def test_cuda_names_headers_and_launch_bounds():
    src = ("#include <cuda_runtime.h>\n#include <cuda_fp16.h>\n#include <device_launch_parameters.h>\n"
           "#define CHECK(e) do { cudaError_t r = (e); if (r != cudaSuccess) \\\n"
           "    printf(\"%s\", cudaGetErrorString(r)); } while (0)\n"
           "__global__ void __launch_bounds__(256, 2) k(__half *x) { x[threadIdx.x] = __float2half(1.0f); }\n"
           "void host(__half *d) { cudaStream_t s; cudaStreamCreate(&s); k<<<1, 256, 0, s>>>(d);\n"
           "  CHECK(cudaStreamSynchronize(s)); cudaStreamDestroy(s); }\n")
    hip = _translate(src, "k.cu", "hip")
    assert "#include <hip/hip_runtime.h>" in hip and "#include <hip/hip_fp16.h>" in hip
    assert "device_launch_parameters" not in hip and not re.search(r"\bcuda", hip)
    assert "__launch_bounds__(256)" in hip  # HIP's second argument means waves per EU, not blocks per SM
    assert "hipStream_t s;" in hip and "hipStreamSynchronize(s)" in hip and "k<<<1, 256, 0, s>>>(d)" in hip
    assert "hipGetErrorString(r)" in hip  # inside the #define too


WMMA_HALVES = """\
#include <mma.h>
using namespace nvcuda;
// xpiler: launch grid=2,1,1 block=96,1,1
// xpiler: args a=float16[2,16,16] b=float16[2,16,16] c=float32[2,3,16,16]
__global__ void k(const __half *a, const __half *b, float *c) {
    const int warp = threadIdx.x / 32;                 // warps 0 and 1 share a wavefront, warp 2 has one alone
    wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major> fa;
    wmma::fragment<wmma::matrix_b, 16, 16, 16, __half, wmma::col_major> fb;
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
    wmma::load_matrix_sync(acc, c + (blockIdx.x * 3 + warp) * 256, 16, wmma::mem_col_major);
    for (int t = 0; t <= warp; ++t) {                  // a different number of products per warp
        wmma::load_matrix_sync(fa, a + blockIdx.x * 256, 16);
        wmma::load_matrix_sync(fb, b + blockIdx.x * 256, 16);
        wmma::mma_sync(acc, fa, fb, acc);
    }
    for (int i = 0; i < acc.num_elements; ++i)
        acc.x[i] *= 0.5f;
    wmma::store_matrix_sync(c + (blockIdx.x * 3 + warp) * 256, acc, 16, wmma::mem_row_major);
}
"""


def test_wmma_tiles_stay_on_their_warps_half_of_the_wavefront(tmp_path):
    hip = _translate(WMMA_HALVES, "k.cu", "hip")
    assert "xp_wmma_mma_sync(acc, fa, fb, acc)" in hip and "wmma::" not in hip.split("xp_wmma_mma_sync(xp")[-1]
    rep = _check(WMMA_HALVES, "k.cu", hip, tmp_path, "hip")
    assert rep.ok, rep.message + "\n" + hip


def test_symbol_copies_name_the_symbol_on_cuda_and_its_address_on_hip():
    src = ("__constant__ float coef[4];\n__global__ void k(float *x) { x[threadIdx.x] *= coef[threadIdx.x & 3]; }\n"
           "void host(const float *h) { cudaMemcpyToSymbol(coef, h, 4 * sizeof(float)); }\n")
    hip = _translate(src, "k.cu", "hip")
    assert "hipMemcpyToSymbol(HIP_SYMBOL(coef), h, 4 * sizeof(float))" in hip
    assert "cudaMemcpyToSymbol(coef, h, 4 * sizeof(float))" in _translate(hip, "k.hip", "cuda")


# ------------------------------------------------------------------------------ HIP -> CUDA rules
HIP_HEAD = "#include <hip/hip_runtime.h>\n" + HEAD

# rule -> (HIP kernel body, what a rename alone gives on CUDA, block size, output dtype)
HIP_RULES = {
    # a 64-lane tree: lane 0 of each wavefront holds the sum of its 64 lanes
    "wave64-reduction": ("float s = v;\n    for (int o = 32; o > 0; o >>= 1) s += __shfl_down(s, o);\n    out[i] = s;",
                         "float s = v;\n    for (int o = 32; o > 0; o >>= 1) s += __shfl_down_sync(0xffffffff, s, o);"
                         "\n    out[i] = s;", 128, "float32"),
    # a 64-bit ballot
    "ballot64": ("out[i] = __popcll(__ballot(v > 0.0f));", "out[i] = __popc(__ballot_sync(0xffffffff, v > 0.0f));",
                 128, "int32"),
    # warpSize is 64 in the source
    "warpSize": ("out[i] = v + (float)(threadIdx.x / warpSize);", "out[i] = v + (float)(threadIdx.x / warpSize);",
                 128, "float32"),
    # a broadcast from lane 40 of the wavefront
    "broadcast": ("out[i] = __shfl(v, 40);", "out[i] = __shfl_sync(0xffffffff, v, 40);", 128, "float32"),
}


def _hip_rule(body: str, block: int, out: str, head: str = HIP_HEAD) -> str:
    t = "float" if out == "float32" else "int"
    return (head.format(block=block, n=2 * block, out=out) +
            f"__global__ void k(const float *x, {t} *out) {{\n"
            f"    const int i = blockIdx.x * blockDim.x + threadIdx.x;\n    const float v = x[i];\n    {body}\n}}\n")


@pytest.mark.parametrize("rule", sorted(HIP_RULES))
def test_hip_wavefront_rule_matches_hip_where_renaming_does_not(rule, tmp_path):
    body, naive, block, out = HIP_RULES[rule]
    src = _hip_rule(body, block, out)
    cu = _translate(src, "k.hip", "cuda")
    rep = _check(src, "k.hip", cu, tmp_path, "cuda")
    assert rep.ok, rep.message + "\n" + cu
    naive_cu = _hip_rule(naive, block, out, head=HEAD)
    bad = _check(src, "k.hip", naive_cu, tmp_path, "cuda")
    assert not bad.ok, f"the naive CUDA of rule {rule} should differ from HIP:\n{naive_cu}"


PREDICATED = """\
#include <hip/hip_runtime.h>
// xpiler: launch grid=3,1,1 block=160,1,1
// xpiler: args x=float32[480] out=float32[480] n=470
__global__ void k(const float *x, float *out, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n || threadIdx.x % 7 == 3)
        return;                                    // lanes leave: HIP's inactive lanes read 0
    float v = x[i];
    v += __shfl_down(v, 5);
    if (threadIdx.x % 64 < 40) {
        const unsigned long long b = __ballot(v > 0.0f);
        v += (float)__popcll(b) + __shfl(v, 45);  // lane 45 is not in the branch: reads 0
    }
    out[i] = v;
}
"""


def test_hip_thread_dependent_returns_and_branches_are_predicated(tmp_path):
    cu = _translate(PREDICATED, "k.hip", "cuda")
    assert "bool xp_on = true;" in cu and "xp_shfl_down(" in cu and "xp_ballot(" in cu
    rep = _check(PREDICATED, "k.hip", cu, tmp_path, "cuda")
    assert rep.ok, rep.message + "\n" + cu


def test_hip_vector_arithmetic_is_written_per_component(tmp_path):
    src = ("#include <hip/hip_runtime.h>\n// xpiler: launch grid=2,1,1 block=64,1,1\n"
           "// xpiler: args x=float32[512] out=float32[512]\n"
           "__global__ void k(const float4 *x, float4 *out) {\n"
           "    const int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
           "    float4 a = x[i] * 2.0f - x[i];\n    a += x[i];\n    out[i] = -a;\n}\n")
    cu = _translate(src, "k.hip", "cuda")
    assert "make_float4(" in cu and "a.w += x[i].w;" in cu
    assert _check(src, "k.hip", cu, tmp_path, "cuda").ok


def test_hip_warp_size_query_in_host_code_keeps_64():
    src = HOST_QUERY.replace("cudaDeviceGetAttribute(&ws, cudaDevAttrWarpSize, 0)",
                             "hipDeviceGetAttribute(&ws, hipDeviceAttributeWarpSize, 0)")
    src = re.sub(r"\bcuda", "hip", src).replace("<hip_runtime.h>", "<hip/hip_runtime.h>")
    cu = _translate(src, "k.hip", "cuda")
    assert "cudaDeviceGetAttribute(&ws, cudaDevAttrWarpSize, 0);" in cu and "ws = 64;" in cu


# ------------------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("src,path,to,pre", [
    ("__global__ void k(float *x) { x[0] = __fadd_rz(x[0], 1.0f); }", "k.cu", "hip", "no-equivalent"),
    ("__global__ void k(int *x) { x[0] = __reduce_add_sync(0xffffffff, x[threadIdx.x]); }", "k.cu", "hip",
     "no-equivalent"),
    ("#include <cuda_fp16.h>\n__global__ void k(__half *x) { x[threadIdx.x] = __shfl_sync(0xffffffff, x[0], 1); }",
     "k.cu", "hip", "shuffle-type"),
    ("#include <mma.h>\nusing namespace nvcuda;\n__global__ void k(float *c) {\n"
     "  wmma::fragment<wmma::accumulator, 32, 8, 16, float> acc;\n  wmma::fill_fragment(acc, 0.0f);\n"
     "  wmma::store_matrix_sync(c, acc, 8, wmma::mem_row_major);\n}", "k.cu", "hip", "wmma"),
    ("#include <mma.h>\nusing namespace nvcuda;\n__global__ void k(float *a, float *c) {\n"
     "  wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fa;\n"
     "  wmma::load_matrix_sync(fa, a, 8);\n}", "k.cu", "hip", "wmma"),
    ("#include <hip/hip_runtime.h>\n__global__ void k(float *x, int *n) {\n  float v = x[threadIdx.x];\n"
     "  for (int j = 0; j < n[threadIdx.x]; ++j) v += __shfl_xor(v, 1);\n  x[threadIdx.x] = v;\n}",
     "k.hip", "cuda", "uniform"),
    ("#include <hip/hip_runtime.h>\n__global__ void k(float *x) { atomicMax(x, x[threadIdx.x + 1]); }", "k.hip",
     "cuda", "float-atomic"),
    ("__global__ void k(float *x) { x[0] = 1.0f; }", "k.cu", "cuda", "dialect"),
    ("void k(float *x) { x[0] = 1.0f; }", "k.c", "hip", "dialect"),
])
def test_refusals_name_their_precondition(src, path, to, pre):
    r = _hipify(src, path, to)
    assert not r.ok and r.refused.precondition == pre, str(r.refused)
    assert r.module is not None and r.refused.pass_name == "hipify"


def test_refused_wavefront_operation_points_at_its_line():
    src = ("#include <hip/hip_runtime.h>\n__global__ void k(float *x, int *n) {\n  float v = x[threadIdx.x];\n"
           "  while (v < n[threadIdx.x]) v += __shfl_down(v, 1);\n  x[threadIdx.x] = v;\n}\n")
    r = _hipify(src, "k.hip", "cuda")
    assert r.refused.precondition == "uniform" and r.refused.line == 4


# ------------------------------------------------------------------------------------- tables
def test_reverse_table_is_derived_from_the_forward_one():
    fwd, rev = cm.to_hip(), cm.to_cuda()
    for c, h in cm.RUNTIME + cm.TYPES + cm.ENUMS:
        assert fwd[rev[h]] == h  # the HIP name goes back to a CUDA name that maps to it
    for c, h in cm.HEADERS:
        if h is not None:
            assert cm.header(h, "cuda")[1] is not None
        assert cm.header(c, "hip") == (True, h)


def test_rename_text_leaves_strings_and_other_words_alone():
    t = 'cudaMalloc(&p, n); printf("cudaMalloc failed"); my_cudaMalloc(q);'
    assert cm.rename_text(t, cm.to_hip()) == 'hipMalloc(&p, n); printf("cudaMalloc failed"); my_cudaMalloc(q);'


def test_every_mapped_runtime_name_is_one_the_emulation_runs():
    """A host API name the CUDA runtime emulation knows maps to one the HIP emulation knows and
    back, so translated host wrappers run as written."""
    from pathlib import Path

    from xpiler import runtime
    gpu = (Path(runtime.__file__).parent / "include" / "xp_gpu.hpp").read_text()

    def known(name):
        return re.search(rf"\b{re.escape(name)}\b", gpu) is not None

    for c, h in cm.RUNTIME + cm.TYPES + cm.ENUMS:
        if known(c):
            assert known(h), f"{c} -> {h}: the HIP emulation has no {h}"
        if known(h):
            assert known(cm.to_cuda()[h]), f"{h} -> {cm.to_cuda()[h]}: the CUDA emulation has no such name"


@pytest.mark.parametrize("builtin", sorted(b for b in MFMA if cm.mfma_supported(b) is None))
def test_mfma_result_layout_written_for_cuda_is_the_hip_tables(builtin):
    f = MFMA[builtin]
    code = cm.mfma_c_element_c(f)
    for lane in range(64):
        for r in range(f.registers):
            env = {"L": lane, "r": r}
            for stmt in code.split(";"):
                if stmt.strip():
                    name, expr = stmt.split("=", 1)
                    env[name.strip()] = eval(expr.replace("/", "//"), {}, dict(env))  # C int arithmetic, >= 0
            assert (env["blk"], env["i"], env["j"]) == mfma_c_element(builtin, lane, r)


def test_mfma_kernel_to_cuda_uses_the_helper_and_structs(tmp_path):
    path = corpus.HERE / "gemm" / "gemm.hip"
    cu = _translate(path.read_text(), str(path), "cuda")
    assert "xp_mfma_f32_16x16x4f32(a, b, acc, 0, 0, 0, 1)" in cu
    assert "struct floatx4 {" in cu and "ext_vector_type" not in cu.split("struct floatx4")[1].split("\n")[1]


# ------------------------------------------------------------------------------ real compilers
SAMPLE = [("cuda", "histogram/histogram_ballot.cu"), ("cuda", "layernorm/layernorm.cu"), ("cuda", "mha/mha_wmma.cu"),
          ("hip", "argmax/argmax.hip"), ("hip", "gemm/gemm_f16.hip")]


@pytest.mark.parametrize("dialect,rel", SAMPLE)
def test_translations_compile_with_the_vendor_compiler(dialect, rel):
    path = corpus.HERE / rel
    to = OTHER[dialect]
    out = _translate(path.read_text(), str(path), to)
    res = toolchains.compile_check(out, str(path.with_suffix(SUFFIX[to])), to)
    if res.verdict == "unverified":
        pytest.skip(res.message)
    assert res.verdict == "passed", res.message + "\n" + out


def test_registered_with_its_protocol():
    p = passes.REGISTRY["hipify"]
    assert p.stage == "lower" and "before" in p.doc() and "after" in p.doc()
    assert {pre.name for pre in p.requires} >= {"wmma", "uniform", "shuffle-type", "no-equivalent"}
    r = _hipify(_cuda_rule("out[i] = __shfl_sync(0xffffffff, v, 0);", 64, "float32"), "k.cu", "")
    assert r.ok and r.module.dialect == "hip" and r.changed  # the default target is the other dialect
    assert any(n.origin == "hipify" for n in r.module.walk())


# (builtin, cbsz, abid, blgp): multi-block shapes with the A broadcast and B lane modifiers, and
# every operand kind the CUDA helper decodes (f32, f16, bf16 bits, packed int8, f64)
MFMA_CASES = [("f32_4x4x1f32", 2, 1, 3), ("f32_32x32x1f32", 1, 1, 2), ("f32_16x16x8bf16", 0, 0, 5),
              ("i32_16x16x4i8", 1, 0, 4), ("f64_16x16x4f64", 0, 0, 0), ("f32_32x32x8f16", 0, 0, 7)]
_SCALAR = {"f32": ("float", "float32"), "f16": ("_Float16", "float32"), "bf16": ("short", "int16"),
           "i8": ("int", "int32"), "f64": ("double", "float64")}


def _mfma_kernel(suffix: str, cbsz: int, abid: int, blgp: int) -> str:
    f = MFMA["__builtin_amdgcn_mfma_" + suffix]
    elem, adt = _SCALAR[f.in_kind]
    cd_elem = cm.MFMA_ELEMENT_TYPES.get(f.cd_type, f.cd_type)
    cdt = {"float": "float32", "int": "int32", "double": "float64"}[cd_elem]
    in_t = {"float32": "float", "int16": "short", "int32": "int", "float64": "double"}[adt]
    e, r = f.e, f.registers
    typedefs, ab, cd = "", elem, cd_elem
    if f.in_kind in ("f16", "bf16"):
        typedefs += f"typedef {elem} tab __attribute__((ext_vector_type({e})));\n"
        ab = "tab"
    if r > 1:
        typedefs += f"typedef {cd_elem} tcd __attribute__((ext_vector_type({r})));\n"
        cd = "tcd"
    load_a = "av = a[l];\n    bv = b[l];" if ab == elem else \
        (f"for (int s = 0; s < {e}; ++s) {{\n        av[s] = ({elem})a[l * {e} + s];\n"
         f"        bv[s] = ({elem})b[l * {e} + s];\n    }}")
    if r > 1:
        load_c = f"for (int q = 0; q < {r}; ++q)\n        cv[q] = c[l * {r} + q];"
        store = f"for (int q = 0; q < {r}; ++q)\n        d[l * {r} + q] = cv[q];"
    else:
        load_c, store = "cv = c[l];", "d[l] = cv;"
    na = 64 * (1 if ab == elem else e)
    return (f"#include <hip/hip_runtime.h>\n{typedefs}// xpiler: launch grid=1,1,1 block=64,1,1\n"
            f"// xpiler: args a={adt}[{na}] b={adt}[{na}] c={cdt}[{64 * r}] d={cdt}[{64 * r}]\n"
            f"__global__ void k(const {in_t} *a, const {in_t} *b, const {cd_elem} *c, {cd_elem} *d) {{\n"
            f"    const int l = threadIdx.x;\n    {ab} av, bv;\n    {cd} cv;\n    {load_a}\n    {load_c}\n"
            f"    cv = __builtin_amdgcn_mfma_{suffix}(av, bv, cv, {cbsz}, {abid}, {blgp});\n    {store}\n}}\n")


@pytest.mark.parametrize("suffix,cbsz,abid,blgp", MFMA_CASES, ids=[c[0] for c in MFMA_CASES])
def test_mfma_on_cuda_matches_the_hip_emulation(suffix, cbsz, abid, blgp, tmp_path):
    src = _mfma_kernel(suffix, cbsz, abid, blgp)
    cu = _translate(src, "k.hip", "cuda")
    assert f"xp_mfma_{suffix}(" in cu
    floats = _SCALAR[MFMA["__builtin_amdgcn_mfma_" + suffix].in_kind][1].startswith("float")
    gens = {"a": "uniform(-2,2)", "b": "uniform(-2,2)"} if floats else None
    rep = _check(src, "k.hip", cu, tmp_path, "cuda", generators=gens)
    assert rep.ok, rep.message + "\n" + src + "\n" + cu
