"""task_recovery: a BANG kernel becomes one sequential loop over its launch's tasks (still a
BANG kernel, run as one BLOCK task), each output checked by the oracle against the source."""
import pytest

import xpiler.passes.task_recovery  # noqa: F401  (registers the pass)
from xpiler import ir, oracle, parse, passes, print_module

IDS = """\
#include <bang.h>
// xpiler: launch dim=8,1,1 type=union2
// xpiler: args out=int32[64] n=64
__mlu_global__ void ids(int *out, int n) {
    for (int i = taskId; i < n; i += taskDim)
        out[i] = clusterId * 1000 + coreId * 100 + taskIdX * 10 + clusterDim + coreDim;
}
"""

BLOCK = """\
#include <bang.h>
// xpiler: launch dim=2,3,1 type=block
// xpiler: args out=int32[12]
__mlu_global__ void grid(int *out) {
    out[taskIdY * taskDimX + taskIdX] = taskId * 10 + taskIdY;
    out[6 + taskId] = taskDim + taskDimY * 100 + clusterDim;
}
"""

# per-core partial sums in the cluster's SRAM, a barrier, core 0 adds them; s lives across it
SRAM = """\
#include <bang.h>
__mlu_shared__ float part[4];
__nram__ float buf[256];
__nram__ float acc[32];
// xpiler: launch dim=4,1,1 type=union1
// xpiler: args x=float32[1000] out=float32[5] n=1000
__mlu_global__ void total(const float *x, float *out, int n) {
    if (__is_mpu()) {
        return;
    }
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

# a union job of two clusters: each cluster's SRAM filled by its memory core, then __sync_all
SYNC_ALL = """\
#include <bang.h>
__mlu_shared__ float tile[64];
__nram__ float v[16];
// xpiler: launch dim=8,1,1 type=union2
// xpiler: args x=float32[128] y=float32[128]
__mlu_global__ void twice(const float *x, float *y) {
    __memcpy(tile, x + clusterId * 64, 64 * sizeof(float), GDRAM2SRAM);
    __sync_all();
    __memcpy(v, tile + coreId * 16, 16 * sizeof(float), SRAM2NRAM);
    __bang_mul_scalar(v, v, 2.0f, 16);
    __memcpy(y + clusterId * 64 + coreId * 16, v, 16 * sizeof(float), NRAM2GDRAM);
}
"""

RETURNS = """\
#include <bang.h>
// xpiler: launch dim=4,1,1 type=union1
// xpiler: args x=float32[10] y=float32[10] n=10
__mlu_global__ void early(const float *x, float *y, int n) {
    if (taskId >= n)
        return;
    if (taskId == 3) {
        y[3] = -1.0f;
        return;
    }
    for (int i = taskId; i < n; i += taskDim)
        y[i] = 2.0f * x[i];
}
"""


def _recover(src: str, tmp_path, **params):
    m = parse(src, path="k.mlu")
    assert not [d for d in m.diagnostics if d.is_error], m.diagnostics
    r = passes.get("task_recovery").apply(m, None, **params)
    assert r.ok, r.refused
    text = print_module(r.module)
    cand = tmp_path / "k_tasks.mlu"
    cand.write_text(text)
    report = oracle.check(src, text, path="k.mlu", candidate_path=str(cand))
    assert report.ok, report.message + "\n" + text
    return r, text


@pytest.mark.parametrize("src", [IDS, BLOCK, SRAM, SYNC_ALL, RETURNS],
                         ids=["union-ids", "block-dims", "sram-barrier", "sync-all", "returns"])
def test_recovered_kernel_computes_what_the_source_does(src, tmp_path):
    r, text = _recover(src, tmp_path)
    for word in ("taskId", "coreId", "clusterId", "taskDim", "coreDim", "clusterDim", "__sync_cluster", "__sync_all",
                 "__is_mpu"):
        assert word not in text.split("*/")[-1].replace("taskIdX", "").replace("taskIdY", ""), (word, text)
    assert "// xpiler: launch dim=1,1,1 type=block" in text  # the whole launch in one task
    assert r.changed


def test_builtins_follow_the_launch(tmp_path):
    _, text = _recover(IDS, tmp_path)
    # Union2: 4 cores a cluster, 2 clusters; taskIdX is the task index (dim 8,1,1)
    assert "for (int task = 0; task < 8; ++task)" in text
    assert "task / 4 % 2 * 1000 + task % 4 * 100 + task * 10 + 2 + 4" in text
    _, text = _recover(BLOCK, tmp_path)
    assert "out[task / 2 * 2 + task % 2] = task * 10 + task / 2;" in text  # taskIdY, taskIdX of dim 2,3,1
    assert "out[6 + task] = 6 + 3 * 100 + 0;" in text  # BLOCK: clusterDim 0


def test_tasks_that_do_not_communicate_form_one_parallel_loop(tmp_path):
    r, _ = _recover(IDS, tmp_path)
    loops = [n for n in r.module.function("ids").body.stmts if isinstance(n, ir.For)]
    assert len(loops) == 1 and loops[0].info.kind == "parallel"


def test_sram_and_barrier_split_the_cluster_into_phases(tmp_path):
    r, text = _recover(SRAM, tmp_path)
    body = r.module.function("total").body.stmts
    assert len(body) == 1 and isinstance(body[0], ir.For)  # one loop over the clusters
    group = body[0]
    assert group.info.kind == "parallel"
    phases = [s for s in group.body.stmts if isinstance(s, ir.For)]
    assert len(phases) == 2 and all(p.info.kind == "parallel" for p in phases)  # fission at the barrier
    assert "__mlu_shared__ float part[4];" in text  # one SRAM per cluster, outside the per-core loops
    assert "float s[4];" in text and "s[core] += buf[j];" in text  # s lives across the barrier: one per core
    assert "__nram__ float acc[4][32];" in text  # so does the per-core acc


def test_sync_all_groups_a_union_job_with_one_sram_per_cluster(tmp_path):
    r, text = _recover(SYNC_ALL, tmp_path)
    assert "__mlu_shared__ float tile[2][64];" in text  # two clusters in one job
    assert "if (task % 4 == 0) {" in text  # the GDRAM2SRAM copy is the memory core's: once per cluster
    assert "for (int core = 0; core < 8; ++core)" in text


def test_early_returns_guard_the_rest_of_the_task(tmp_path):
    _, text = _recover(RETURNS, tmp_path)
    assert "if (!(task >= n))" in text and "continue" not in text
    assert "int returned = task == 3;" in text


def test_file_scope_on_chip_arrays_become_per_task(tmp_path):
    r, text = _recover(SRAM, tmp_path)
    assert not [it for it in r.module.items if isinstance(it, ir.Decl)]  # moved into the kernel
    assert "__nram__ float buf[256];" in text.split("void total")[1]


def _refused(src: str, **params):
    r = passes.get("task_recovery").apply(parse(src, path="k.mlu"), None, **params)
    assert r.refused, print_module(r.module)
    return r.refused


def test_refusals_name_the_precondition_and_line():
    loop_barrier = """\
#include <bang.h>
__mlu_shared__ float s[4];
// xpiler: launch dim=4,1,1 type=union1
__mlu_global__ void k(float *x) {
    for (int i = 0; i < 3; ++i) {
        s[coreId] = x[coreId];
        __sync_cluster();
        x[coreId] = s[3 - coreId];
    }
}
"""
    r = _refused(loop_barrier)
    assert (r.precondition, r.line) == ("barriers", 7)
    early = """\
#include <bang.h>
__mlu_shared__ float s[4];
// xpiler: launch dim=4,1,1 type=union1
__mlu_global__ void k(float *x) {
    if (coreId == 1)
        return;
    s[coreId] = x[coreId];
    __sync_cluster();
    x[coreId] = s[0];
}
"""
    r = _refused(early)
    assert (r.precondition, r.line) == ("returns", 6)
    r = _refused(IDS.replace("// xpiler: launch dim=8,1,1 type=union2\n", ""))
    assert r.precondition == "launch" and "xpiler: launch" in r.detail
    r = _refused(IDS, launch="dim=6,1,1 type=union1")
    assert r.precondition == "launch" and "multiple of 4" in r.detail


def test_copies_the_pass_cannot_place_are_refused():
    variable = """\
#include <bang.h>
__nram__ float b[16];
// xpiler: launch dim=4,1,1 type=union1
__mlu_global__ void k(float *x, mluMemcpyDirection_t dir) {
    __memcpy(b, x, 64, dir);
}
"""
    r = _refused(variable)
    assert (r.precondition, r.line) == ("directions", 5)
    other_cluster = """\
#include <bang.h>
__mlu_shared__ float s[16];
// xpiler: launch dim=8,1,1 type=union2
__mlu_global__ void k(float *x) {
    __memcpy(s, s, 64, SRAM2SRAM, 1);
}
"""
    r = _refused(other_cluster)
    assert (r.precondition, r.line) == ("cluster-copies", 5)


def test_device_functions_that_read_builtins_are_inlined_first(tmp_path):
    src = """\
#include <bang.h>
__mlu_func__ int lane() { return coreId; }
// xpiler: launch dim=4,1,1 type=union1
// xpiler: args out=int32[4]
__mlu_global__ void k(int *out) { out[taskId] = lane() * 3; }
"""
    r = _refused(src)
    assert (r.precondition, r.line) == ("calls-inlined", 5)
    m = parse(src, path="k.mlu")
    out, results = passes.run_sequence(m, passes.parse_sequence("inline_calls; task_recovery"))
    assert all(x.ok for x in results)
    text = print_module(out)
    cand = tmp_path / "k_tasks.mlu"
    cand.write_text(text)
    assert oracle.check(src, text, path="k.mlu", candidate_path=str(cand)).ok


def test_unique_locals_renames_shadowing_declarations_and_their_uses():
    from xpiler.passes.base import fresh_name, unique_locals

    src = """\
void f(float *y, int n) {
    int i = 1;
    {
        int i = 2;
        y[i] = i;
        for (int i = 0; i < n; ++i)
            y[i] += 1;
    }
    y[i] = 0;
}
"""
    m = parse(src, path="k.c")
    f = m.function("f")
    taken = {"y", "n"}
    out = unique_locals(f.body, taken, lambda b: fresh_name(b, taken))
    names = [v.name for n in out.walk() if isinstance(n, ir.Decl) for v in n.vars]
    assert names == ["i", "i2", "i3"] and {"i", "i2", "i3"} <= taken
    assert [v.name for n in f.body.walk() if isinstance(n, ir.Decl) for v in n.vars] == ["i", "i", "i"]  # a copy
    f.body = out
    text = print_module(m)
    assert "y[i2] = i2;" in text and "y[i3] += 1;" in text and "y[i] = 0;" in text, text
