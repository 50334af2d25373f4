"""Index patterns (analysis/patterns.py): the recognisers launch inference and loop
recovery share."""
from xpiler import ir, parse
from xpiler.analysis import patterns


def _kernel(src: str, path: str = "k.cu") -> ir.Function:
    m = parse(src, path=path)
    assert not [d for d in m.diagnostics if d.is_error], m.diagnostics
    return m.kernels[0]


def _init(f: ir.Function, name: str) -> ir.Expr:
    for n in f.body.walk():
        if isinstance(n, ir.Decl):
            for v in n.vars:
                if v.name == name:
                    return v.init
    raise KeyError(name)


def test_global_index_in_every_order_through_casts_and_locals():
    f = _kernel("""
__global__ void k(float *x, int n) {
    int a = blockIdx.x * blockDim.x + threadIdx.x;
    int b = threadIdx.y + blockDim.y * blockIdx.y;
    int c = (int)(__umul24(blockDim.z, blockIdx.z) + threadIdx.z);
    unsigned bx = blockIdx.x, bd = blockDim.x;
    int d = bx * bd + threadIdx.x;
    int e = blockIdx.x * blockDim.y + threadIdx.x;
    int g = blockIdx.x * blockDim.x;
    x[a + b + c + d + e + g] = 0;
}""")
    env = patterns.definitions(f)
    got = {v: patterns.global_index(_init(f, v), env) for v in "abcdeg"}
    assert got == {"a": "x", "b": "y", "c": "z", "d": "x", "e": None, "g": None}
    assert patterns.global_index(ir.Name("a"), env) == "x"  # through the local


def test_definitions_leave_out_reassigned_and_shadowed_names():
    f = _kernel("""
__global__ void k(float *x, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int j = threadIdx.x;
    j += 1;
    int s = 0;
    for (int t = 0; t < 4; ++t) { int s = t; x[s] = 0; }
    x[i + j + s] = 0;
}""")
    strict = patterns.definitions(f)
    assert "i" in strict and "j" not in strict and "s" not in strict
    assert "j" in patterns.definitions(f, strict=False)


def test_grid_stride_loop():
    f = _kernel("""
__global__ void k(float *x, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) x[i] = 0;
    for (int i = blockIdx.y * blockDim.y + threadIdx.y; i < n; i = i + gridDim.y * blockDim.y) x[i] = 1;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x) x[i] = 2;
}""")
    loops = [s for s in f.body.stmts if isinstance(s, ir.For)]
    got = [patterns.grid_stride(lp, patterns.definitions(f)) for lp in loops]
    assert got == [patterns.GridStride("i", "x"), patterns.GridStride("i", "y"), None]


def test_bang_task_index_and_task_stride():
    f = _kernel("""
__mlu_global__ void k(float *x, int n) {
    int t = clusterId * coreDim + coreId;
    int u = coreId + coreDim * clusterId;
    int w = clusterId * clusterDim + coreId;
    for (int i = taskId; i < n; i += taskDim) x[i] = 0;
    for (int i = 0; i < n; i += taskDim) x[i] = 1;
    x[t + u + w] = 0;
}""", path="k.mlu")
    env = patterns.definitions(f)
    assert [patterns.task_index(_init(f, v), env) for v in "tuw"] == ["task", "task", None]
    loops = [s for s in f.body.stmts if isinstance(s, ir.For)]
    step = patterns.task_stride(loops[0], env)
    assert isinstance(step, ir.Name) and step.name == "taskDim"
    assert patterns.task_stride(loops[1], env) is None


def test_guards_from_ifs_loops_and_early_returns():
    f = _kernel("""
__global__ void k(float *x, int n, int m) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int j = threadIdx.y;
    if (i >= n || j >= m) return;
    if (m > j && i < n) x[i] = 0;
    for (int t = 0; t < 8; ++t) x[t] = 1;
}""")
    pairs = {(patterns.strip_casts(a).name if isinstance(patterns.strip_casts(a), ir.Name) else "?",
              b.name if isinstance(b, ir.Name) else getattr(b, "value", "?")) for a, b in patterns.guards(f)}
    assert {("i", "n"), ("j", "m"), ("t", 8)} <= pairs


def test_conjuncts():
    f = _kernel("__global__ void k(int *x, int a, int b, int c) { if (a < 1 && (b < 2 && c < 3)) x[0] = 0; }")
    cond = f.body.stmts[0].cond
    assert len(list(patterns.conjuncts(cond))) == 3
