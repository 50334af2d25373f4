"""bind: C-hub loop nests onto each target's parallel hardware, checked by the oracle."""
import pytest

from xpiler import oracle, parse, passes, print_module

SUFFIX = {"cuda": ".cu", "hip": ".hip", "bang": ".mlu", "c": ".c", "vnni": ".cpp"}

ROWS = """\
// xpiler: args x=float32[37,53] out=float32[37,53] rows=37 cols=53
void softmax(const float *restrict x, float *restrict out, int rows, int cols) {
    for (int r = 0; r < rows; ++r) {
        float m = x[r * cols];
        for (int c = 1; c < cols; ++c)
            m = fmaxf(m, x[r * cols + c]);
        float s = 0.0f;
        for (int c = 0; c < cols; ++c)
            s += expf(x[r * cols + c] - m);
        for (int c = 0; c < cols; ++c)
            out[r * cols + c] = expf(x[r * cols + c] - m) / s;
    }
}
"""

GRID2 = """\
// xpiler: args a=float32[19,23] b=float32[19,23] n=19 m=23
void twice(const float *restrict a, float *restrict b, int n, int m) {
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < m; ++j)
            b[i * m + j] = 2.0f * a[i * m + j];
}
"""

DOT = """\
// xpiler: args x=float32[100] y=float32[100] out=float32[1] n=100
void dot(const float *restrict x, const float *restrict y, float *restrict out, int n) {
    float s = 0.0f;
    float big = -1.0f;
    for (int i = 0; i < n; ++i) {
        s += x[i] * y[i];
        big = fmaxf(big, x[i]);
    }
    out[0] = s + big;
}
"""

PREFIX = """\
// xpiler: args x=float32[100] n=100
void prefix(float *x, int n) {
    for (int i = 1; i < n; ++i)
        x[i] = x[i] + x[i - 1];
}
"""


def _bind(src: str, target: str, **params):
    m = parse(src, path="k.c")
    r = passes.get("bind").apply(m, target, **params)
    assert r.ok, r.refused
    return r


@pytest.mark.parametrize("target", ["cuda", "hip", "bang", "c"])
@pytest.mark.parametrize("src", [ROWS, GRID2, PREFIX, DOT], ids=["rows", "grid2", "prefix", "dot"])
def test_bound_kernel_computes_what_the_source_does(src, target, tmp_path):
    r = _bind(src, target)
    f = r.module.kernels[0]
    text = print_module(r.module, dialect=target)
    path = tmp_path / ("k" + SUFFIX[target])
    path.write_text(text)
    report = oracle.check(src, text, path="k.c", candidate_path=str(path),
                          candidate_launch=f.annotations.get("launch"))
    assert report.ok, report.message + "\n" + text


def test_rows_go_to_blocks_and_columns_to_threads():
    r = _bind(ROWS, "cuda")
    text = print_module(r.module, dialect="cuda")
    assert "__global__ void softmax" in text
    assert "blockIdx.x" in text and "threadIdx.x" in text
    # the reductions into m and s: a partial per thread, combined through shared memory as a
    # tree, then by every thread with its own (m and s stay private, the same on every
    # thread); the last loop writes only its row, so no barrier before it. The block: whole
    # warps covering the 53 columns
    assert "__shared__ float m_all[64];" in text and "__shared__ float s_all[64];" in text, text
    assert "xp_s >>= 1" in text and "m = fmaxf(m, m_all[0]);" in text, text
    assert "__shared__ float m;" not in text and text.count("__syncthreads();") == 6, text
    assert r.module.kernels[0].annotations["launch"] == "grid=37,1,1 block=64,1,1"


def test_a_reduction_alone_runs_on_one_block():
    r = _bind(DOT, "cuda")
    assert r.module.kernels[0].annotations["launch"] == "grid=1,1,1 block=128,1,1"
    assert any("one block" in n for n in r.notes), r.notes


def test_perfect_nests_collapse_into_one_index():
    r = _bind(GRID2, "cuda")
    assert r.module.kernels[0].annotations["launch"] == "grid=2,1,1 block=256,1,1"  # 19 * 23 = 437 threads
    r = _bind(GRID2, "bang")
    assert r.module.kernels[0].annotations["launch"] == "dim=16,1,1 type=union4"
    assert "taskId" in print_module(r.module, dialect="bang")


def test_openmp_for_c_targets():
    text = print_module(_bind(ROWS, "c").module, dialect="c")
    assert "#pragma omp parallel for\n    for (int r = 0; r < rows; ++r)" in text


def test_a_carried_dependence_stays_serial_and_says_why():
    r = _bind(PREFIX, "cuda")
    assert r.module.kernels[0].annotations["launch"] == "grid=1,1,1 block=1,1,1"
    assert any("not parallel" in n and "carried" in n for n in r.notes), r.notes


def test_aliasing_pointers_are_not_assumed_away_when_asked():
    src = GRID2.replace("restrict ", "")
    assert _bind(src, "cuda").module.kernels[0].annotations["launch"] != "grid=1,1,1 block=1,1,1"
    r = _bind(src, "cuda", assume_no_alias=False)
    assert r.module.kernels[0].annotations["launch"] == "grid=1,1,1 block=1,1,1"
    assert any("alias" in n for n in r.notes), r.notes


def test_lifted_cuda_kernel_goes_to_bang_tasks(tmp_path):
    src = """\
// xpiler: launch grid=4,1,1 block=64,1,1
// xpiler: args x=float32[250] y=float32[250] n=250
__global__ void k(const float *x, float *y, int n) {
    __shared__ float s[64];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    s[threadIdx.x] = i < n ? x[i] : 0.0f;
    __syncthreads();
    if (i < n) y[i] = s[threadIdx.x] + s[63 - threadIdx.x];
}
"""
    m = parse(src, path="k.cu")
    out, _ = passes.run_sequence(m, passes.parse_sequence("loop_recovery; bind"), "bang")
    text = print_module(out, dialect="bang")
    path = tmp_path / "k.mlu"
    path.write_text(text)
    report = oracle.check(src, text, path="k.cu", candidate_path=str(path),
                          candidate_launch=out.kernels[0].annotations["launch"])
    assert report.ok, report.message + "\n" + text


# --- lifted BANG kernels on GPUs: a task per block, its NRAM arrays in shared memory or scratch
from xpiler import ir  # noqa: E402
from xpiler.passes.bind import PER_THREAD_BYTES, _trusted  # noqa: E402
from xpiler import dtypes  # noqa: E402

# per row: a 64 KiB NRAM buffer (more than a GPU thread's stack should hold, more than a
# block's static shared memory), element-wise intrinsics on the padded length (the padded
# lanes are never loaded), a scalar reduction, a small NRAM array read by every thread
ROWS_BANG = """\
#include <bang.h>
__nram__ float buf[16384];
__nram__ float two[32];
// xpiler: launch dim=4,1,1 type=union1
// xpiler: args x=float32[9,100] out=float32[9,100] rows=9 cols=100
__mlu_global__ void scale_rows(const float *x, float *out, int rows, int cols) {
    const int pad = (cols + 31) / 32 * 32;
    for (int r = taskId; r < rows; r += taskDim) {
        __memcpy(buf, x + r * cols, cols * sizeof(float), GDRAM2NRAM);
        __bang_mul_scalar(buf, buf, 2.0f, pad);
        float s = 0.0f;
        for (int i = 0; i < cols; ++i)
            s += buf[i];
        two[0] = s;
        __bang_mul_scalar(buf, buf, 1.0f / two[0], pad);
        __memcpy(out + r * cols, buf, cols * sizeof(float), NRAM2GDRAM);
    }
}
"""

# a cluster's cores: partial sums through SRAM and a barrier; each core's 32 KiB NRAM
# buffer lives in one phase (a per-thread array of the lowered core loop)
SRAM_BIG = """\
#include <bang.h>
__mlu_shared__ float part[4];
__nram__ float buf[8192];
__nram__ float acc[32];
// xpiler: launch dim=4,1,1 type=union1
// xpiler: args x=float32[1000] out=float32[5] n=1000
__mlu_global__ void total(const float *x, float *out, int n) {
    float s = 0.0f;
    for (int i = coreId * 256; i < n; i += coreDim * 256) {
        int m = n - i < 256 ? n - i : 256;
        __memcpy(buf, x + i, m * sizeof(float), GDRAM2NRAM);
        for (int j = 0; j < m; ++j)
            s += buf[j];
    }
    acc[0] = s;
    __memcpy(part + coreId, acc, sizeof(float), NRAM2SRAM);
    __sync_cluster();
    out[1 + coreId] = s;
    if (coreId != 0)
        return;
    __memcpy(acc, part, coreDim * sizeof(float), SRAM2NRAM);
    float t = 0.0f;
    for (int c = 0; c < coreDim; ++c)
        t += acc[c];
    out[0] = t;
}
"""

# a return nested in a branch ends the task: a continue of the task loop
NESTED_RETURN = """\
#include <bang.h>
// xpiler: launch dim=8,1,1 type=union2
// xpiler: args x=float32[6] y=float32[6] n=6
__mlu_global__ void early(const float *x, float *y, int n) {
    if (taskId < n) {
        y[taskId] = 1.0f;
        if (x[taskId] < 0.0f) {
            return;
        }
        y[taskId] = 2.0f * x[taskId];
    }
}
"""


def _lower_bang(src: str, target: str, tmp_path):
    m = parse(src, path="k.mlu")
    out, _ = passes.run_sequence(m, passes.parse_sequence("task_recovery; detensorize; fold_constants; bind"),
                                 target)
    text = print_module(out, dialect=target)
    path = tmp_path / ("k" + SUFFIX[target])
    path.write_text(text)
    k = out.kernels[0]
    report = oracle.check(src, text, path="k.mlu", candidate_path=str(path),
                          candidate_launch=k.annotations.get("launch"))
    assert report.ok, report.message + "\n" + text
    return out, k, text


def _stack_bytes(k: ir.Function) -> int:
    """Bytes of the arrays a thread of ``k`` keeps on its own stack."""
    return sum(dtypes.sizeof(v.type) or 0 for n in k.body.walk() if isinstance(n, ir.Decl) for v in n.vars
               if isinstance(v.type, ir.Array) and v.space == "local")


@pytest.mark.parametrize("target", ["cuda", "hip"])
def test_bang_task_runs_on_a_block_with_its_nram_off_the_stack(target, tmp_path):
    out, k, text = _lower_bang(ROWS_BANG, target, tmp_path)
    grid, block = (f.split("=")[1] for f in k.annotations["launch"].split())
    assert grid == "4,1,1" and block != "1,1,1", k.annotations["launch"]  # a task a block, threads within
    assert _stack_bytes(k) <= PER_THREAD_BYTES, text
    assert "__shared__ float two[32];" in text  # small: shared memory
    scratch = [v for item in out.items if isinstance(item, ir.Decl) for v in item.vars if v.space == "global"]
    assert [dtypes.sizeof(v.type) for v in scratch] == [4 * 65536], text  # 64 KiB: one global slice a block
    assert "threadIdx.x" in text and "__syncthreads();" in text


@pytest.mark.parametrize("target", ["cuda", "hip"])
def test_cluster_cores_run_on_a_block_with_big_core_arrays_in_scratch(target, tmp_path):
    out, k, text = _lower_bang(SRAM_BIG, target, tmp_path)
    # one cluster's 4 cores: one warp (a wavefront on HIP)
    assert k.annotations["launch"] == f"grid=1,1,1 block={32 if target == 'cuda' else 64},1,1", k.annotations["launch"]
    assert _stack_bytes(k) <= PER_THREAD_BYTES, text
    assert "blockIdx.x * blockDim.x + threadIdx.x" in text  # each core's slice of the scratch


@pytest.mark.parametrize("target", ["cuda", "hip"])
def test_a_task_that_returns_early_continues_the_task_loop(target, tmp_path):
    _, k, text = _lower_bang(NESTED_RETURN, target, tmp_path)
    assert "continue;" in text and "gridDim.x" in text, text


COMPACT = """\
// xpiler: args x=float32[8,64] out=float32[8,64] n=8 m=64
void compact(const float *restrict x, float *restrict out, int n, int m) {
    for (int r = 0; r < n; ++r) {
        float buf[64];
        int cnt = 0;
        for (int i = 0; i < m; ++i)
            if (x[r * m + i] > 0.0f)
                buf[cnt++] = x[r * m + i];
        for (int j = 0; j < m; ++j)
            out[r * m + j] = j < cnt ? 2.0f * buf[j] : 0.0f;
    }
}
"""

# parallel loops inside a serial loop of the parallel loop's body: every thread runs the
# serial loop, the parallel ones are shared out, barriers between them
STEPS = """\
// xpiler: args x=float32[6,40] out=float32[6,40] n=6 m=40 steps=3
void steps(const float *restrict x, float *restrict out, int n, int m, int steps) {
    for (int r = 0; r < n; ++r) {
        float a[64];
        float b[64];
        for (int j = 0; j < m; ++j)
            a[j] = x[r * m + j];
        for (int t = 0; t < steps; ++t) {
            for (int j = 0; j < m; ++j)
                b[j] = 2.0f * a[m - 1 - j] + 1.0f;
            for (int j = 0; j < m; ++j)
                a[j] = b[j] - 0.5f * a[j];
        }
        for (int j = 0; j < m; ++j)
            out[r * m + j] = a[j];
    }
}
"""


@pytest.mark.parametrize("target", ["cuda", "hip"])
def test_a_scalar_thread_0_writes_is_shared_by_the_block(target, tmp_path):
    r = _bind(COMPACT, target)
    text = print_module(r.module, dialect=target)
    assert "__shared__ int cnt;" in text and "__shared__ float buf[64];" in text, text
    path = tmp_path / ("k" + SUFFIX[target])
    path.write_text(text)
    report = oracle.check(COMPACT, text, path="k.c", candidate_path=str(path),
                          candidate_launch=r.module.kernels[0].annotations["launch"])
    assert report.ok, report.message + "\n" + text


@pytest.mark.parametrize("target", ["cuda", "hip"])
def test_parallel_loops_inside_a_serial_loop_go_to_threads(target, tmp_path):
    r = _bind(STEPS, target)
    text = print_module(r.module, dialect=target)
    assert r.module.kernels[0].annotations["launch"] == "grid=6,1,1 block=64,1,1"  # 40 columns: whole warps
    serial = text[text.index("for (int t = 0; t < steps; ++t)"):]
    assert serial.count("threadIdx.x") >= 2 and "__syncthreads();" in serial, text
    path = tmp_path / ("k" + SUFFIX[target])
    path.write_text(text)
    report = oracle.check(STEPS, text, path="k.c", candidate_path=str(path),
                          candidate_launch=r.module.kernels[0].annotations["launch"])
    assert report.ok, report.message + "\n" + text


# a parallel loop after other work: one block, its threads share the parallel loop
AFTER_WORK = """\
// xpiler: args x=float32[100] y=float32[100] n=100
void two_steps(const float *restrict x, float *restrict y, int n) {
    float m = 0.0f;
    for (int i = 0; i < n; ++i)
        m = fmaxf(m, x[i]);
    for (int i = 0; i < n; ++i)
        y[i] = x[i] / (m + 1.0f);
}
"""


@pytest.mark.parametrize("target", ["cuda", "hip"])
def test_work_before_the_parallel_loop_runs_on_one_block(target, tmp_path):
    r = _bind(AFTER_WORK, target)
    text = print_module(r.module, dialect=target)
    assert r.module.kernels[0].annotations["launch"] == "grid=1,1,1 block=128,1,1", text
    assert any("one block" in n for n in r.notes), r.notes
    path = tmp_path / ("k" + SUFFIX[target])
    path.write_text(text)
    report = oracle.check(AFTER_WORK, text, path="k.c", candidate_path=str(path),
                          candidate_launch=r.module.kernels[0].annotations["launch"])
    assert report.ok, report.message + "\n" + text


def test_device_code_gets_malloc_and_memset_for_calloc():
    src = """\
// xpiler: args x=float32[64] y=float32[64] n=64
void k(const float *restrict x, float *restrict y, int n) {
    float *t = (float *)calloc(n, sizeof(float));
    for (int i = 0; i < n; ++i)
        t[i] += x[i];
    for (int i = 0; i < n; ++i)
        y[i] = t[i];
    free(t);
}
"""
    text = print_module(_bind(src, "cuda").module, dialect="cuda")
    assert "calloc" not in text and "malloc(n * sizeof(float))" in text and "memset(t, 0, n * sizeof(float))" in text


# ----------------------------------------------------------------------------- BANG: heap buffers, one cluster
HEAP = """\
#include <stdlib.h>
// xpiler: args x=float32[100] out=float32[100] n=100
void k(const float *x, float *out, int n) {
    float *t = (float *)malloc(n * sizeof(float));
    for (int i = 0; i < n; ++i) t[i] = 2.0f * x[i];
    for (int i = 0; i < n; ++i) out[i] = t[n - 1 - i];
    free(t);
}
"""

# a buffer a row's iteration allocates, zeroed (calloc) and freed in the same iteration
ROW_SCRATCH = """\
#include <stdlib.h>
// xpiler: args x=float32[12,20] out=float32[12] rows=12 cols=20
void rowsum(const float *x, float *out, int rows, int cols) {
    const int half = (cols + 1) / 2;
    for (int r = 0; r < rows; ++r) {
        float *t = (float *)calloc(half, sizeof(float));
        for (int c = 0; c < cols; ++c) t[c / 2] += x[r * cols + c];
        float s = 0.0f;
        for (int c = 0; c < half; ++c) s += t[c];
        out[r] = s;
        free(t);
    }
}
"""


def _bang_with_host(src: str, tmp_path, other_args: str):
    """bind and host_code to BANG, checked by the oracle through the public function (its
    args comment, and ``other_args``: the workspaces are sized by the host for any size)."""
    m = parse(src, path="k.c")
    out, _ = passes.run_sequence(m, passes.parse_sequence("bind; host_code"), "bang")
    text = print_module(out, dialect="bang")
    path = tmp_path / "k.mlu"
    path.write_text(text)
    name = m.kernels[0].name
    for args in (None, other_args):
        report = oracle.check(src, text, path="k.c", candidate_path=str(path), kernel=name, args=args)
        assert report.ok, report.message + "\n" + text
    return out, text


def test_heap_buffers_become_bang_workspaces_the_host_allocates(tmp_path):
    out, text = _bang_with_host(HEAP, tmp_path, "x=float32[37] out=float32[37] n=37")
    assert "malloc(" not in text.replace("cnrtMalloc(", "") and "free(" not in text.replace("cnrtFree(", ""), text
    public, device = out.function("k"), out.function("k_kernel")
    assert public.kind == "host" and [p.name for p in public.params] == ["x", "out", "n"]
    assert device.is_kernel and [p.name for p in device.params] == ["x", "out", "n", "t_ws"]
    assert device.annotations["launch"] == "dim=4,1,1 type=union1"  # both loops on the cluster's tasks
    assert "cnrtMalloc((void **)&t_ws, (size_t)(n * sizeof(float)));" in text, text
    assert "k_kernel<<<" in text and "__sync_cluster();" in text and "taskId" in text, text


def test_a_buffer_of_a_task_loop_iteration_gets_a_slice_per_task(tmp_path):
    out, text = _bang_with_host(ROW_SCRATCH, tmp_path, "x=float32[7,33] out=float32[7] rows=7 cols=33")
    device = out.function("rowsum_kernel")
    assert device.annotations["launch"] == "dim=8,1,1 type=union2"  # the row loop on the tasks
    assert "taskId * (((size_t)(half * sizeof(float)) + 63) / 64 * 64)" in text, text
    assert "__gdramset(t, half * sizeof(float), (char)0);" in text, text  # calloc, every iteration
    # the host: the definitions the size needs, a slice per task
    assert "const int half = (cols + 1) / 2;" in text.split("void rowsum(")[1], text


def test_a_heap_size_the_host_cannot_compute_stays_and_says_why():
    src = HEAP.replace("malloc(n * sizeof(float))", "malloc((int)x[0] * sizeof(float))")
    r = _bind(src, "bang")
    assert any("heap buffers stay" in n and "x[0]" in n for n in r.notes), r.notes


def test_several_loop_nests_run_on_one_bang_cluster(tmp_path):
    r = _bind(AFTER_WORK, "bang")
    text = print_module(r.module, dialect="bang")
    assert r.module.kernels[0].annotations["launch"] == "dim=4,1,1 type=union1", text
    assert any("one cluster" in n for n in r.notes), r.notes
    assert "__mlu_shared__ float m_all[4];" in text and "taskDim" in text, text  # the reduction's partials
    path = tmp_path / "k.mlu"
    path.write_text(text)
    report = oracle.check(AFTER_WORK, text, path="k.c", candidate_path=str(path),
                          candidate_launch=r.module.kernels[0].annotations["launch"])
    assert report.ok, report.message + "\n" + text


def test_an_omp_for_inside_a_parallel_region_takes_the_dependence_test():
    # the region's malloc is one buffer per OpenMP thread: as a sequential loop the row
    # loop reuses one buffer, so it is not parallel (binding it would race on t)
    src = """\
#include <stdlib.h>
// xpiler: args x=float32[8,16] out=float32[8,16] n=8 m=16
void k(const float *restrict x, float *restrict out, int n, int m) {
    #pragma omp parallel
    {
        float *t = (float *)malloc(m * sizeof(float));
        #pragma omp for
        for (int r = 0; r < n; ++r) {
            for (int c = 0; c < m; ++c) t[c] = x[r * m + c];
            for (int c = 0; c < m; ++c) out[r * m + c] = t[m - 1 - c];
        }
        free(t);
    }
}
"""
    r = _bind(src, "cuda")
    assert any("line 8 not parallel (carried" in n for n in r.notes), r.notes
    # a combined parallel for without data clauses is parallel by construction
    plain = "void k(float *x, int n) {\n    #pragma omp parallel for%s\n    for (int i = 0; i < n; ++i) x[i] = 0;\n}\n"
    for clause, trusted in (("", True), (" schedule(static)", True), (" private(n)", False)):
        loop = next(n for n in parse(plain % clause, path="k.c").kernels[0].body.walk() if isinstance(n, ir.For))
        assert loop.info.kind == "parallel" and _trusted(loop) == trusted, clause


def test_openmp_keeps_the_last_value_of_a_counter_declared_outside():
    src = """\
// xpiler: args x=float32[30] y=float32[30] n=30
void k(const float *restrict x, float *restrict y, int n) {
    int i;
    for (i = 0; i <= n - 4; i += 4)
        for (int l = 0; l < 4; ++l)
            y[i + l] = 2.0f * x[i + l];
    for (; i < n; ++i)
        y[i] = 2.0f * x[i];
}
"""
    text = print_module(_bind(src, "c").module, dialect="c")
    assert "i = 0;\n    #pragma omp parallel for lastprivate(i)\n    for (i = 0;" in text, text
