"""The command line: parse and fmt, their output and exit codes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from xpiler import spec
from xpiler.cli import main
from xpiler.diagnostics import XpilerError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "saxpy.cu"


def run(*args, capsys):
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_parse_reports_kernels_launch_and_args(capsys):
    rc, out, _ = run("parse", str(EXAMPLE), capsys=capsys)
    assert rc == 0, out
    assert "kernel saxpy (line 6)" in out
    assert "launch: grid=4,1,1 block=256,1,1 (from the launch comment)" in out
    assert "host launch: saxpy<<<grid, block>>>(dx, dy, a, n) in saxpy_host()" in out


def test_parse_json(capsys):
    rc, out, _ = run("parse", "--json", str(EXAMPLE), capsys=capsys)
    report = json.loads(out)
    assert rc == 0 and report["dialect"] == "cuda"
    k = report["kernels"][0]
    assert k["name"] == "saxpy" and k["params"][0] == ["x", "const float *__restrict__"]
    assert report["functions"][0]["name"] == "saxpy_host"
    assert report["diagnostics"] == []


def test_parse_errors_exit_nonzero(tmp_path, capsys):
    bad = tmp_path / "bad.mlu"
    bad.write_text("__mlu_global__ void k(float *x) { __bang_nope(x); }\n")
    rc, out, _ = run("parse", str(bad), capsys=capsys)
    assert rc == 1 and "unknown intrinsic '__bang_nope'" in out and "bad.mlu:1:" in out


def test_parse_on_chip_memory(tmp_path, capsys):
    f = tmp_path / "k.mlu"
    f.write_text("__mlu_global__ void k(float *x) { __nram__ float a[256]; __wram__ int8_t w[1024];"
                 " __memcpy(a, x, 1024, GDRAM2NRAM); }\n")
    rc, out, _ = run("parse", str(f), capsys=capsys)
    assert "nram: float a[256] (1024 bytes" in out and "wram: int8_t w[1024] (1024 bytes" in out


def test_fmt_prints_and_never_overwrites(tmp_path, capsys):
    src = tmp_path / "k.c"
    original = "void k(float*x,int n){for(int i=0;i<n;i++)x[i]=0;}\n"
    src.write_text(original)
    rc, out, _ = run("fmt", str(src), capsys=capsys)
    assert rc == 0
    assert out == "void k(float *x, int n) {\n    for (int i = 0; i < n; i++)\n        x[i] = 0;\n}\n"
    assert run("fmt", str(src), "-o", str(src), capsys=capsys)[0] == 2
    assert src.read_text() == original
    dst = tmp_path / "out.c"
    assert run("fmt", str(src), "-o", str(dst), capsys=capsys)[0] == 0 and dst.read_text() == out


def test_missing_file_is_a_clear_error(capsys):
    rc, _, err = run("parse", "/nonexistent/k.cu", capsys=capsys)
    assert rc == 2 and "no such file" in err


def test_console_script_runs():
    r = subprocess.run([sys.executable, "-m", "xpiler.cli", "parse", str(EXAMPLE)], capture_output=True, text=True)
    assert r.returncode == 0 and "saxpy" in r.stdout


@pytest.mark.parametrize("text,dialect,expected", [
    ("grid=8 block=256", "cuda", spec.GpuLaunch((8, 1, 1), (256, 1, 1))),
    ("grid=8,2,1 block=16,16,1 shared=1024", "hip", spec.GpuLaunch((8, 2, 1), (16, 16, 1), 1024)),
    ("dim=16,1,1 type=union4", "bang", spec.BangLaunch((16, 1, 1), "union4")),
    ("dim=3 type=block", "bang", spec.BangLaunch((3, 1, 1), "block")),
])
def test_launch_specs(text, dialect, expected):
    got = spec.parse_launch(text, dialect)
    assert got == expected and spec.parse_launch(str(got), dialect) == got


@pytest.mark.parametrize("text,dialect", [
    ("grid=8", "cuda"), ("grid=0 block=1", "cuda"), ("dim=6 type=union3", "bang"),
    ("dim=4 type=union3", "bang"), ("grid=1 block=1", "c"), ("grid=a block=1", "cuda"),
])
def test_bad_launch_specs(text, dialect):
    with pytest.raises(XpilerError):
        spec.parse_launch(text, dialect)


def test_arg_specs():
    args = spec.parse_args("x=float32[2048] w=int8[64,64] n=2000 eps=1e-5")
    assert [str(a) for a in args] == ["x=float32[2048]", "w=int8[64,64]", "n=2000", "eps=1e-05"]
    assert args[1].shape == (64, 64) and args[1].size == 4096 and args[3].value == 1e-5
    for bad in ["x=float33[4]", "x=float32[]", "x", "n=abc"]:
        with pytest.raises(XpilerError):
            spec.parse_args(bad)


@pytest.mark.parametrize("name,text,rule", [
    ("helpers.cu", "__device__ float twice(float v) { return 2.0f * v; }\n",
     "a CUDA kernel is a function defined __global__"),
    ("helpers.mlu", "__mlu_func__ float twice(float v) { return 2.0f * v; }\n",
     "a BANG C kernel is a function defined __mlu_global__ or __mlu_entry__"),
    ("main.c", "int main(void) { return 0; }\n",
     "a C kernel is a function defined in the file that is not main, static or inline"),
])
@pytest.mark.parametrize("command", ["check", "run"])
def test_a_file_with_no_kernel_is_an_error(tmp_path, capsys, name, text, rule, command):
    f = tmp_path / name
    f.write_text(text)
    extra = ["--out", str(tmp_path / "out")] if command == "run" else []
    rc, out, err = run(command, str(f), *extra, capsys=capsys)
    assert rc != 0 and "no findings" not in out
    assert f"{f} has no kernel: {rule}" in err
    defined = "main" if name == "main.c" else "twice"
    assert f"to run one of its functions ({defined}) as written, give --kernel NAME" in err


def test_check_compile_labels_the_bang_verdict_as_the_strict_header(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XPILER_CACHE_DIR", str(tmp_path / "cache"))
    f = tmp_path / "k.mlu"
    f.write_text("// xpiler: launch dim=1,1,1 type=block\n// xpiler: args x=float32[64]\n"
                 "__mlu_global__ void k(float *x) {\n    __nram__ float b[64];\n"
                 "    __memcpy(b, x, 256, GDRAM2NRAM);\n    __memcpy(x, b, 256, NRAM2GDRAM);\n}\n")
    rc, out, _ = run("check", "--compile", str(f), capsys=capsys)
    if "unverified" in out:
        pytest.skip("g++ is not installed")
    assert rc == 0 and "compile: strict BANG header: accepted\n" in out and "passed" not in out
    rc, out, _ = run("check", "--compile", "--json", str(f), capsys=capsys)
    compile_ = json.loads(out)["compile"]
    assert compile_["tool"] == "strict BANG header (g++, not cncc)"
    assert compile_["verdict"] == "accepted-by-strict-header"
