"""Lifting CUDA/HIP kernels to the C hub: inline_calls and loop_recovery, each output
checked by the oracle against its input."""
import pytest

from xpiler import oracle, parse, passes, print_module

TILED = """\
// xpiler: launch grid=3,2,1 block=8,4,1
// xpiler: args a=float32[21,13] b=float32[13,19] c=float32[21,19] m=21 n=19 k=13
__global__ void mm(const float *a, const float *b, float *c, int m, int n, int k) {
    __shared__ float as[4][8];
    __shared__ float bs[8][8];
    int tx = threadIdx.x, ty = threadIdx.y;
    int row = blockIdx.y * 4 + ty, col = blockIdx.x * 8 + tx;
    float acc = 0.0f;
    for (int k0 = 0; k0 < k; k0 += 8) {
        as[ty][tx] = (row < m && k0 + tx < k) ? a[row * k + k0 + tx] : 0.0f;
        for (int r = ty; r < 8; r += 4)
            bs[r][tx] = (k0 + r < k && col < n) ? b[(k0 + r) * n + col] : 0.0f;
        __syncthreads();
        for (int j = 0; j < 8; ++j)
            acc += as[ty][j] * bs[j][tx];
        __syncthreads();
    }
    if (row < m && col < n)
        c[row * n + col] = acc;
}
"""

REVERSE = """\
// xpiler: launch grid=5,1,1 block=64,1,1
// xpiler: args x=float32[300] y=float32[300] n=300
__global__ void rev(const float *x, float *y, int n) {
    __shared__ float s[64];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) {
        y[0] = y[0];
        return;
    }
    s[threadIdx.x] = x[i];
    __syncthreads();
    int j = blockIdx.x * blockDim.x + (blockDim.x - 1 - threadIdx.x);
    y[i] = j < n ? s[blockDim.x - 1 - threadIdx.x] : -1.0f;
}
"""

INLINE = """\
constexpr int kThreads = 32;
template <typename T>
__device__ T square(T v) { return v * v; }
template <int N>
__device__ float scaled(float v, float &acc) {
    static_assert(N % 2 == 0, "even");
    if (v < 0) {
        acc += 1;
        return -v * N;
    }
    acc += 2;
    return v * N;
}
// xpiler: launch grid=4,1,1 block=32,1,1
// xpiler: args x=float32[100] y=float32[100] n=100
__global__ void k(const float *x, float *y, int n) {
    int i = blockIdx.x * kThreads + threadIdx.x;
    if (i < n) {
        float acc = 0;
        float v = x[i];
        y[i] = scaled<4>(square(v) - 0.5f, acc) + acc;
    }
}
"""


WARP = """\
// xpiler: launch grid=2,1,1 block=96,1,1
// xpiler: args x=float32[192] y=float32[6] c=int32[6]
__global__ void wr(const float *x, float *y, int *c) {
    int t = threadIdx.x;
    if (blockIdx.x * 96 + t >= 160) return;  // the whole last warp of block 1 leaves
    float v = x[blockIdx.x * 96 + t];
    for (int off = 16; off > 0; off /= 2)
        v += __shfl_down_sync(0xffffffff, v, off);
    unsigned int b = __ballot_sync(0xffffffff, x[blockIdx.x * 96 + t] > 0.0f);
    if (t % 32 == 0) {
        y[blockIdx.x * 3 + t / 32] = v;
        c[blockIdx.x * 3 + t / 32] = (int)(b & 0xffffu);
    }
}
"""


def _lift(src: str, path: str):
    m = parse(src, path=path)
    assert not [d for d in m.diagnostics if d.is_error], m.diagnostics
    seq = passes.parse_sequence("inline_calls; loop_recovery")
    out, results = passes.run_sequence(m, seq, "c")
    return out, results


@pytest.mark.parametrize("src", [TILED, REVERSE, INLINE, WARP], ids=["tiled", "early-return", "inline", "warp"])
def test_lifted_kernel_computes_what_the_source_does(src, tmp_path):
    out, results = _lift(src, "k.cu")
    text = print_module(out, dialect="c")
    assert "__syncthreads" not in text and "threadIdx" not in text and "blockIdx" not in text
    assert out.dialect == "c"
    cand = tmp_path / "k.cpp"  # the hub as C++ (constexpr, templates); plain C is the C target's lowering
    cand.write_text(text)
    report = oracle.check(src, text, path="k.cu", candidate_path=str(cand))
    assert report.ok, report.message + "\n" + text
    assert all(r.ok for r in results)
    assert results[-1].changed  # loop_recovery reports what it rewrote


def test_the_grid_extent_follows_the_guard():
    """Right for every size, not only the launch's: the guard i < n gives (n + 63) / 64 blocks."""
    out, _ = _lift(REVERSE, "k.cu")
    assert "< (n + 63) / 64" in print_module(out, dialect="c")


def test_values_live_across_a_barrier_are_expanded_per_thread():
    out, _ = _lift(TILED, "k.cu")
    text = print_module(out, dialect="c")
    assert "float acc[32];" in text  # acc lives across the barriers: one per thread of the 8x4 block
    assert "for (int k0 = 0; k0 < k; k0 += 8)" in text  # the uniform loop runs once per block


def test_early_return_before_a_barrier_uses_an_exited_flag():
    out, _ = _lift(REVERSE, "k.cu")
    text = print_module(out, dialect="c")
    assert "exited" in text


def test_a_loop_with_a_barrier_that_break_leaves_is_refused_by_name():
    src = """\
// xpiler: launch grid=1,1,1 block=64,1,1
__global__ void k(float *x) {
    for (int i = threadIdx.x; i < 100; i += 7) {
        if (x[i] < 0) break;
        __syncthreads();
    }
}
"""
    r = passes.get("loop_recovery").apply(parse(src, path="k.cu"), "c")
    assert r.refused and r.refused.precondition == "uniform-barriers" and r.refused.line == 4


WARP_UNIFORM = """\
// xpiler: launch grid=3,1,1 block=128,1,1
// xpiler: args x=float32[3,128] out=float32[3] t=float32[3,128]
__global__ void k(const float *x, float *out, float *t) {
    __shared__ float part[4];
    float v = x[blockIdx.x * 128 + threadIdx.x];
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    if ((threadIdx.x & 31) == 0) part[threadIdx.x / 32] = v;
    __syncthreads();
    if (threadIdx.x < 32) {                      /* warp-uniform, block-divergent */
        float w = threadIdx.x < 4 ? part[threadIdx.x] : 0.0f;
        for (int o = 2; o > 0; o >>= 1) w += __shfl_xor_sync(0xffffffffu, w, o);
        if (threadIdx.x == 0) out[blockIdx.x] = w;
    }
    /* a thread-dependent trip count around barriers: every thread keeps its own count */
    int c = 0;
    for (int j = threadIdx.x % 5; j < 9; j += 2) {
        __syncthreads();
        t[blockIdx.x * 128 + threadIdx.x] = (float)(c++);
        __syncthreads();
    }
}
"""


def test_barriers_and_collectives_under_thread_dependent_control_are_predicated(tmp_path):
    out, _ = _lift(WARP_UNIFORM, "k.cu")
    text = print_module(out, dialect="c")
    assert "pred" in text and "any" in text
    path = tmp_path / "k_lifted.cpp"
    path.write_text(text)
    report = oracle.check(WARP_UNIFORM, text, path="k.cu", candidate_path=str(path), kernel="k", candidate_kernel="k")
    assert report.ok, report.message


def test_a_uniform_value_updated_in_every_thread_is_kept_per_thread():
    """``cur ^= 1`` run once per thread of a thread loop would toggle it blockDim times."""
    src = """\
// xpiler: launch grid=2,1,1 block=32,1,1
// xpiler: args x=float32[64] y=float32[64]
__global__ void k(const float *x, float *y) {
    __shared__ float buf[2][32];
    int cur = 0;
    buf[cur][threadIdx.x] = x[blockIdx.x * 32 + threadIdx.x];
    __syncthreads();
    for (int off = 1; off < 32; off <<= 1) {
        buf[cur ^ 1][threadIdx.x] = buf[cur][threadIdx.x] + (threadIdx.x >= off ? buf[cur][threadIdx.x - off] : 0);
        cur ^= 1;
        __syncthreads();
    }
    y[blockIdx.x * 32 + threadIdx.x] = buf[cur][threadIdx.x];
}
"""
    out, _ = _lift(src, "k.cu")
    text = print_module(out, dialect="c")
    report = oracle.check(src, text, path="k.cu", candidate_path="k_lifted.cpp", kernel="k", candidate_kernel="k")
    assert report.ok, report.message


def test_missing_launch_and_nested_return_are_refused():
    src = """\
__global__ void k(float *x, int n) {
    for (int j = 0; j < n; ++j) { if (x[j] < 0) return; x[j] = 1; }
}
"""
    m = parse(src, path="k.cu")
    r = passes.get("loop_recovery").apply(m, "c")
    assert r.refused.precondition == "launch" and "xpiler: launch" in r.refused.detail
    r = passes.get("loop_recovery").apply(m, "c", launch="grid=1 block=1")
    assert r.refused.precondition == "returns" and r.refused.line == 2


def test_calls_in_short_circuit_operands_are_not_inlined():
    src = """\
__device__ int pos(float v) { return v > 0; }
// xpiler: launch grid=1 block=32
__global__ void k(float *x) { if (threadIdx.x < 16 && pos(x[threadIdx.x])) x[threadIdx.x] = 0; }
"""
    r = passes.get("inline_calls").apply(parse(src, path="k.cu"), "c")
    assert r.refused and r.refused.precondition == "call-position" and r.refused.line == 3


def test_warp_collectives_run_over_each_warps_lanes():
    """Shuffles and votes split the thread loops like barriers; the table's lane semantics
    run per warp, with the lanes of exited threads inactive (the last warp of the second
    block leaves before them)."""
    out, _ = _lift(WARP, "k.cu")
    text = print_module(out, dialect="c")
    assert "__shfl_down_sync" not in text and "__ballot_sync" not in text
    assert "for (int warp = 0; warp < 3; ++warp)" in text and "!exited[" in text


def test_inlining_binds_defaults_of_arguments_left_out(tmp_path):
    src = """\\
__device__ float scale(float x, int k = 3) { return x * k; }
// xpiler: launch grid=1,1,1 block=32,1,1
// xpiler: args x=float32[32] y=float32[32]
__global__ void k(const float *x, float *y) { y[threadIdx.x] = scale(x[threadIdx.x]); }
"""
    out, _ = _lift(src, "k.cu")
    text = print_module(out, dialect="c")
    assert "int k_1 = 3;" in text
    cand = tmp_path / "k.cpp"
    cand.write_text(text)
    assert oracle.check(src, text, path="k.cu", candidate_path=str(cand)).ok


WMMA = """\
#include <mma.h>
using namespace nvcuda;
// xpiler: launch grid=2,1,1 block=64,1,1
// xpiler: args a=float16[2,16,16] b=float16[16,32] c=float32[2,16,32] s=0.5
__global__ void k(const __half *a, const __half *b, float *c, float s) {
    int warp = threadIdx.x / 32;
    wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major> fa;
    wmma::fragment<wmma::matrix_b, 16, 16, 16, __half, wmma::col_major> fb;
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
    wmma::fill_fragment(acc, 0.0f);
    wmma::load_matrix_sync(fa, a + blockIdx.x * 256, 16);
    wmma::load_matrix_sync(fb, b + warp * 16 * 16, 16);
    wmma::mma_sync(acc, fa, fb, acc);
    for (int i = 0; i < acc.num_elements; ++i)
        acc.x[i] *= s;
    if (warp < 2)
        wmma::store_matrix_sync(c + blockIdx.x * 512 + warp * 16, acc, 32, wmma::mem_row_major);
}
"""


def test_wmma_fragments_become_per_warp_tiles(tmp_path):
    out, _ = _lift(WMMA, "k.cu")
    text = print_module(out, dialect="c")
    assert "fragment" not in text.split("xp_wmma_")[-1] and "xp_wmma_accumulator_16x16x16_float" in text
    path = tmp_path / "k_lifted.cpp"
    path.write_text(text)
    report = oracle.check(WMMA, text, path="k.cu", candidate_path=str(path), kernel="k", candidate_kernel="k")
    assert report.ok, report.message


def test_a_fragment_passed_to_a_function_is_refused_by_name():
    src = WMMA.replace("wmma::mma_sync(acc, fa, fb, acc);", "wmma::mma_sync(acc, fa, fb, acc); use(acc);")
    src = src.replace("// xpiler: launch", "template <class F> __device__ void use(F &f) {}\n// xpiler: launch")
    r = passes.get("loop_recovery").apply(parse(src, path="k.cu"), "c")
    assert r.refused and r.refused.precondition == "fragments"


def test_the_grid_follows_the_files_host_launch_when_no_guard_gives_it():
    src = """\
#include <cuda_runtime.h>
// xpiler: launch grid=2,3,1 block=32,1,1
__global__ void rowsum(const float *x, float *out, int rows, int cols) {
    float s = 0.0f;
    for (int c = threadIdx.x; c < cols; c += 32) s += x[blockIdx.y * cols + c];
    atomicAdd(&out[blockIdx.y], s);
}
// xpiler: args x=float32[7,45] out=float32[7] rows=7 cols=45
extern "C" void run(const float *x, float *out, int rows, int cols) {
    dim3 grid(1, rows);
    rowsum<<<grid, 32>>>(x, out, rows, cols);
}
"""
    from xpiler import translate
    t = translate(src, "c", kernel="run", path="rowsum.cu")
    assert t.status == "checked", t.why
    assert "by < rows" in t.code


def test_block_storage_sized_by_a_local_constant():
    src = """\
// xpiler: launch grid=2,1,1 block=64,1,1
// xpiler: args x=float32[128] out=float32[2]
__global__ void k(const float *x, float *out) {
    constexpr int kWarps = 64 / 32;
    __shared__ float part[kWarps];
    float v = x[blockIdx.x * 64 + threadIdx.x];
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    if ((threadIdx.x & 31) == 0) part[threadIdx.x / 32] = v;
    __syncthreads();
    if (threadIdx.x == 0) out[blockIdx.x] = part[0] + part[kWarps - 1];
}
"""
    out, _ = _lift(src, "k.cu")
    text = print_module(out, dialect="c")
    assert "float part[2];" in text
    report = oracle.check(src, text, path="k.cu", candidate_path="k_lifted.cpp", kernel="k", candidate_kernel="k")
    assert report.ok, report.message
