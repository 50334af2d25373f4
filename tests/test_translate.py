"""The translation driver and `xpiler translate`: a sample of every direction that works
today, the report's shape, refusals, and what the command writes (never over the source)."""
import json
import shutil
from pathlib import Path

import pytest

import xpiler
from xpiler.cli import main
from xpiler.report import Translation

KERNELS = Path(__file__).parent / "kernels"

C_ROWS = """\
#include <math.h>
// xpiler: args x=float32[19,45] out=float32[19,45] rows=19 cols=45
void row_scale(const float *restrict x, float *restrict out, int rows, int cols) {
    for (int r = 0; r < rows; ++r) {
        float m = 0.0f;
        for (int c = 0; c < cols; ++c)
            m = fmaxf(m, fabsf(x[r * cols + c]));
        for (int c = 0; c < cols; ++c)
            out[r * cols + c] = x[r * cols + c] / (m + 1.0f);
    }
}
"""

CUDA_TILE = """\
#include <cuda_runtime.h>
// xpiler: launch grid=4,1,1 block=64,1,1
// xpiler: args x=float32[250] y=float32[250] n=250
__global__ void flip(const float *x, float *y, int n) {
    __shared__ float s[64];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    s[threadIdx.x] = i < n ? x[i] : 0.0f;
    __syncthreads();
    if (i < n) y[i] = s[threadIdx.x] - s[63 - threadIdx.x];
}
"""


@pytest.mark.parametrize("to", ["cuda", "hip", "bang", "vnni"])
def test_c_to_every_target_is_checked(to):
    t = xpiler.translate(C_ROWS, to, path="row_scale.c")
    assert t.status == "checked", t.why
    compute = [c for c in t.checks if c.kind == "compute"][0]
    assert compute.verdict == "tested" and compute.seeds == [0, 1] and len(compute.arg_specs) == 2
    assert "rows=15 cols=41" in compute.arg_specs[1]  # a second spec whose sizes divide no block
    assert "// xpiler: port-of row_scale.c row_scale" in t.code
    assert "// xpiler: args x=float32[19,45]" in t.code
    assert [p.name for p in t.passes if p.verdict == "applied"][-2:] == ["host_code", "retarget"]
    if to in ("cuda", "hip", "bang"):
        assert t.launch and "// xpiler: launch " + t.launch in t.code
    # every nest says what it was tensorized into, or why not
    assert t.nests and t.nests[0].bound_to
    assert all(n.tensorized_into or any(w.startswith("not tensorized: ") for w in n.not_) for n in t.nests)
    if to == "bang":  # the row loops' reductions and scaling: NRAM and __bang_* (tensorize)
        assert all("__memcpy" in n.tensorized_into for n in t.nests)
    assert Translation.from_json(t.to_json()) == t


@pytest.mark.parametrize("to", ["c", "bang"])
def test_cuda_through_the_hub(to):
    t = xpiler.translate(CUDA_TILE, to, path="flip.cu")
    assert t.status == "checked", t.why
    assert "__syncthreads" not in t.code and "threadIdx" not in t.code
    assert any(p.name == "loop_recovery" and p.changed for p in t.passes)
    origins = {o.pass_name for o in t.provenance}
    assert "loop_recovery" in origins or "bind" in origins  # lines the passes made say so


def test_a_cuda_host_wrapper_comes_along_to_c():
    t = xpiler.translate((KERNELS / "concat" / "concat.cu").read_text(), "c", "concat_rows",
                         str(KERNELS / "concat" / "concat.cu"))
    assert t.status == "checked", t.why
    assert "void concat_rows(" in t.code and "cudaMalloc" not in t.code and "malloc(" in t.code


def test_a_source_with_findings_is_refused_not_translated():
    src = CUDA_TILE.replace("s[63 - threadIdx.x]", "s[64 - threadIdx.x]")  # reads s[64] in thread 0
    t = xpiler.translate(src, "c", path="flip.cu")
    assert t.status == "refused" and "findings" in t.why and "fix the source" in t.why
    assert not t.code


def test_refusals_name_the_pass_and_precondition():
    src = """\
// xpiler: launch grid=1,1,1 block=64,1,1
// xpiler: args x=float32[64]
__global__ void k(float *x) {
    if (threadIdx.x < 32) { x[threadIdx.x] = 1; __syncthreads(); }
}
"""
    t = xpiler.translate(src, "c", path="k.cu")
    assert t.status in ("refused", "failed")
    assert "loop_recovery" in t.why and "uniform-barriers" in t.why or "findings" in t.why
    t = xpiler.translate("void k(int *x) { x[0] = ; }", "cuda", path="k.c")
    assert t.status == "refused" and "does not parse" in t.why
    t = xpiler.translate(C_ROWS, "c", path="row_scale.c")
    assert t.status == "refused" and "already" in t.why


def test_wrong_code_is_never_reported_checked():
    """A pass that breaks the kernel (stops the row loop one short): the oracle fails the
    result and bisection names that pass."""
    from xpiler import ir, passes
    from xpiler.passes.base import Pass

    @passes.register
    class ShortLoop(Pass):
        """Make every loop bound one smaller (a broken pass, for this test).

            before: for (r = 0; r < rows; ++r)   after: for (r = 0; r < rows - 1; ++r)
        """
        name = "test_short_loop"

        def rewrite(self, module, target):
            def fn(n):
                if isinstance(n, ir.For) and isinstance(n.cond, ir.Binary) and n.cond.op == "<":
                    n.cond = ir.Binary("<", n.cond.lhs, ir.Binary("-", n.cond.rhs, ir.IntLit(1)))
            return self.transform(module, fn)

    try:
        t = xpiler.translate(C_ROWS, "cuda", path="row_scale.c",
                             sequence="test_short_loop; bind; host_code; retarget")
    finally:
        passes.REGISTRY.pop("test_short_loop", None)
    assert t.status == "failed"
    assert "first wrong after the test_short_loop pass" in t.why
    assert [p.verdict for p in t.passes if p.name == "test_short_loop"] == ["failed"]
    failed = [c for c in t.checks if c.kind == "compute"][0]
    assert failed.verdict == "failed" and failed.first_mismatch["buffer"] == "out"


def test_cli_writes_beside_the_source_never_over_it(tmp_path, capsys):
    src = tmp_path / "row_scale.c"
    src.write_text(C_ROWS)
    assert main(["translate", str(src), "--to", "bang"]) == 0
    out = tmp_path / "row_scale.mlu"
    assert out.exists() and "__mlu_global__" in out.read_text()
    assert "checked" in capsys.readouterr().out
    # a second run gets a numbered name; --force overwrites; the source is untouched
    assert main(["translate", str(src), "--to", "bang", "--no-compile"]) == 0
    assert (tmp_path / "row_scale-2.mlu").exists()
    assert main(["translate", str(src), "--to", "bang", "-o", str(out), "--no-compile"]) == 2  # exists
    assert main(["translate", str(src), "--to", "bang", "-o", str(out), "--force", "--no-compile"]) == 0
    assert main(["translate", str(src), "--to", "cuda", "-o", str(src)]) == 2
    assert src.read_text() == C_ROWS


def test_cli_json_report_and_failure_exit(tmp_path, capsys):
    src = tmp_path / "k.cu"
    src.write_text(CUDA_TILE.replace("s[63 - threadIdx.x]", "s[64 - threadIdx.x]"))
    assert main(["translate", str(src), "--to", "c", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "refused" and report["path"] is None
    assert not (tmp_path / "k.c").exists()


def test_cli_replays_a_pass_sequence(tmp_path, capsys):
    src = tmp_path / "k.c"
    src.write_text(C_ROWS)
    assert main(["translate", str(src), "--to", "cuda", "--passes", "bind(block=32); host_code; retarget",
                 "--json", "--no-compile"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in report["passes"]] == ["bind", "host_code", "retarget"]
    assert report["passes"][0]["params"]["block"] == 32


def test_input_generators_reach_the_args_comment(tmp_path):
    src = (KERNELS / "gather" / "gather.c").read_text()
    t = xpiler.translate(src, "cuda", path="gather.c", generators={"idx": "randint(0,99)"}, compile=False)
    assert t.status == "checked", t.why
    assert ":randint(0,99)" in t.code


@pytest.mark.parametrize("to", ["cuda", "hip"])
def test_vnni_vectors_reach_gpus_as_structs(to):
    """nvcc and hipcc take no GCC vector types in device code: the lane types the VNNI
    semantics bring become structs of the same size (the unaligned twins aliases)."""
    src = (KERNELS / "relu" / "relu_vnni.cpp").read_text()
    t = xpiler.translate(src, to, path=str(KERNELS / "relu" / "relu_vnni.cpp"))
    assert t.status == "checked", t.why
    assert "__vector_size__" not in t.code and "xp_lane[16]; } __m512;" in t.code
