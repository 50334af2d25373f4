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
@pytest.mark.parametrize("src", [ROWS, GRID2, PREFIX], ids=["rows", "grid2", "prefix"])
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
    assert "blockIdx.x" in text and "threadIdx.x" in text and "__syncthreads();" in text
    assert "__shared__ float m;" in text and "__shared__ float s;" in text  # reassigned: one copy a block
    assert r.module.kernels[0].annotations["launch"] == "grid=37,1,1 block=53,1,1"


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
