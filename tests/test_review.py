"""Reviewing hand-made ports against their original (issue 17, item 4): the seeded ports
in tests/ports/ (C, HIP, CUDA and BANG ports of row_scale.cu with a wrong bound, a wrong
offset, a missing guard and a wrong reduction; two faithful ones) found at their lines,
with the values and who wrote them; the runtime's watch option underneath; the CLI."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xpiler.diagnostics import XpilerError
from xpiler.review import parse_against, review_port
from xpiler.runtime.run import execute

PORTS = Path(__file__).parent / "ports"


def review(name, **kw):
    p = PORTS / name
    return review_port(p.read_text(), str(p), **kw)


def line_of(name, text):
    return next(i for i, s in enumerate((PORTS / name).read_text().split("\n"), 1) if text in s)


def test_watch_names_the_last_writer_of_a_byte(tmp_path):
    src = """// xpiler: launch grid=4,1,1 block=64,1,1
// xpiler: args x=float32[256] y=float32[256] n=256
__global__ void k(const float *x, float *y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = 2.0f * x[i];
  if (i == 70) y[i] = 0.0f;
}
"""
    ex = execute(src, path=str(tmp_path / "k.cu"), options={"watch": "y:280,x:0,y:4"})
    w = {(d["buffer"], d["byte"]): d for d in ex.watched}
    assert w[("y", 280)]["line"] == 6 and w[("y", 280)]["writes"] == 2
    assert w[("y", 280)]["who"] == "thread (6,0,0) of block (1,0,0)"
    assert w[("x", 0)]["writes"] == 0  # read, never written
    assert w[("y", 4)]["line"] == 5 and w[("y", 4)]["writes"] == 1


@pytest.mark.parametrize("name", ["row_scale_ok.c", "row_scale_ok.mlu"])
def test_equal_ports_get_one_information_line(name):
    r = review(name)
    assert r.ok and not r.disagreements and not r.findings
    [d] = r.diagnostic_dicts()
    assert d["severity"] == "information" and d["code"] == "port-equal"
    assert "agrees with row_scale.cu: row_scale on seeds 0, 1" in d["message"] and "compared s, y" in d["message"]
    assert d["related"][0]["line"] == 5  # the original's kernel


def test_wrong_bound_in_a_c_port():
    r = review("row_scale_bound.c")
    [g] = r.disagreements
    assert (g.buffer, g.index, g.kind, g.count) == ("y", (0, 47), "never-written", 100)
    assert g.line == line_of("row_scale_bound.c", "y[r * cols + c] =") and g.located == "nearest write"
    assert g.original_line == 14 and "thread (0,0,0) of block (0,0,0)" in g.original_who
    [d] = [d for d in r.diagnostic_dicts() if d["code"] == "port-disagreement"]
    assert d["severity"] == "error" and "y[0, 47] is never written by the port" in d["message"]
    assert d["related"][0]["line"] == 14


def test_wrong_offset_in_a_hip_port():
    r = review("row_scale_offset.hip")
    [g] = r.disagreements
    assert g.buffer == "y" and g.kind == "differs" and g.index == (0, 1)
    assert g.line == line_of("row_scale_offset.hip", "x[c * rows + r]") and g.who == "thread (0,0,0) of block (0,0,0)"
    assert g.expected is not None and g.got is not None and abs(g.expected - g.got) > 1e-3
    msg = g.message()
    assert f"is {g.got:.6g}, the original computes {g.expected:.6g} (seed 0)" in msg and "last written here" in msg


def test_missing_guard_in_a_cuda_port():
    r = review("row_scale_guard.cu")
    assert not r.ok
    kinds = {(f.kind, f.line) for f in r.findings}
    assert ("out-of-bounds-write", line_of("row_scale_guard.cu", "s[r] = acc")) in kinds
    assert ("out-of-bounds-read", line_of("row_scale_guard.cu", "acc += x")) in kinds
    assert all(d["severity"] == "error" for d in r.diagnostic_dicts() if d["code"] == "port-finding")
    assert any("by thread (4,0,0) of block (3,0,0)" in d["message"] for d in r.diagnostic_dicts())


def test_wrong_reduction_in_a_bang_port():
    r = review("row_scale_reduce.mlu")
    [g] = r.disagreements
    assert (g.buffer, g.index, g.kind, g.count) == ("s", (0,), "differs", 100)
    assert g.line == line_of("row_scale_reduce.mlu", "s[r] = acc") and g.who.startswith("task 0")
    assert g.original_line == 12


def test_against_and_errors(tmp_path):
    assert parse_against("a/b.cu:k") == ("a/b.cu", "k") and parse_against("a/b.cu") == ("a/b.cu", None)
    assert parse_against("C:\\x\\b.cu") == ("C:\\x\\b.cu", None)
    # an explicit original: any port, with or without the comment
    port = (PORTS / "row_scale_bound.c").read_text().replace("// xpiler: port-of row_scale.cu row_scale\n", "")
    p = tmp_path / "p.c"
    p.write_text(port)
    with pytest.raises(XpilerError, match="names no original"):
        review_port(port, str(p))
    r = review_port(port, str(p), against=f"{PORTS / 'row_scale.cu'}:row_scale")
    assert not r.ok and r.original.how == "chosen" and r.disagreements[0].kind == "never-written"
    with pytest.raises(XpilerError, match="cannot read the original"):
        review_port(port, str(p), against=str(tmp_path / "nope.cu"))
    with pytest.raises(XpilerError, match="has no kernel 'other'"):
        review_port(port, str(p), against=f"{PORTS / 'row_scale.cu'}:other")
    with pytest.raises(XpilerError, match="neither the original"):  # no sizes on either side
        review_port(port, str(p), against=str(PORTS / "row_scale_ok.mlu"))
    with pytest.raises(XpilerError, match="parse errors"):
        review_port("void k( {", str(p), against=str(PORTS / "row_scale.cu"))


def _cli(*args, cwd=PORTS):
    exe = Path(sys.executable).parent / "xpiler"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "xpiler"]
    return subprocess.run(cmd + list(args), cwd=cwd, capture_output=True, text=True, timeout=300)


def test_cli_check_compares_a_port_with_its_original():
    r = _cli("check", "row_scale_bound.c")
    assert r.returncode == 1, r.stderr
    assert "row_scale_bound.c:9:1: error: y[0, 47] is never written by the port" in r.stdout
    assert "row_scale.cu:14: the original writes y[0, 47] here" in r.stdout
    assert "comparing" not in r.stderr and "running row_scale and row_scale.cu" in r.stderr  # progress
    r = _cli("check", "row_scale_ok.mlu", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["ok"] is True
    r = _cli("check", "row_scale_ok.mlu", "--arg", "rows=3")
    assert r.returncode == 2 and "--alone" in r.stderr
    r = _cli("check", "row_scale.cu", "--against", "row_scale_reduce.mlu")  # the other way round
    assert r.returncode == 1 and "s[0] is" in r.stdout


def test_port_of_notes_with_spaces():
    from xpiler.review import parse_port_of

    assert parse_port_of("../cuda/softmax.cu softmax") == ("../cuda/softmax.cu", "softmax")
    assert parse_port_of("my kernels/soft max.cu softmax") == ("my kernels/soft max.cu", "softmax")
    assert parse_port_of("../cuda/softmax.cu") == ("../cuda/softmax.cu", None)
    assert parse_port_of("my dir/k.cu") == ("my dir/k.cu", None)
