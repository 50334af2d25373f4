"""Speed of the C and VNNI translations on this CPU, against PyTorch (CPU) and NumPy.

    .venv/bin/python bench/perf_cpu.py [--family gemm,pooling] [--threads N] [--repeat 10]
                                       [--size bench|small] [--out FILE.json] [--simde]

For each case below (the corpus's CUDA kernel of the family): patch the kernel's launch and
args comments to the bench shape (the translations bake the grid in, so a translation is
made per shape), translate it to ``c`` and to ``vnni`` (``verify="none"``: the oracle at
these sizes would take hours; every result is compared with NumPy/PyTorch below instead),
compile each result into a shared library with ``gcc -O3 -march=native -fopenmp -shared
-fPIC`` (``g++`` for VNNI, which is C++; AVX-512 VNNI code runs natively where
/proc/cpuinfo has it, else through SIMDe's native aliases), load it with ctypes and call
the kernel on NumPy arrays. Each output is checked against a float64 NumPy reference before
anything is timed: a wrong kernel is reported WRONG, never timed as a win. PyTorch runs the
same operator (the op is printed; int8 GEMM is ``torch._int_mm``, PyTorch's int8 x int8 ->
int32 quantized matmul), NumPy the plain NumPy formulation.

Timing: the same thread count everywhere (``--threads``, default all cores: OMP_NUM_THREADS,
OPENBLAS_NUM_THREADS and ``torch.set_num_threads``), two warm-up calls, then the median of
``--repeat`` calls (at least 10), the implementations of a case interleaved call by call so
that load from other processes falls on all of them alike. Shapes are chosen so that each PyTorch call takes at least
a millisecond; a row where it did not is flagged ``<1ms``.

Ratios are speed-ups (other time / translation time: above 1 means the translation is
faster); geometric means over the rows that have both figures. Targets (issue 18): C vs
PyTorch geometric mean >= 1.0; the default pass sequence >= 2x the same translations with
``tensorize``, ``cache`` and ``pipeline`` taken out of it, same compiler flags (the baseline
column; ``--baseline-sequence SEQ`` gives it another sequence, ``--no-baseline`` skips it;
when none of those passes is built, both columns would use the same sequence and the
script says "tensorize not built: both columns use the same sequence" instead of timing
it twice).

Without PyTorch (``pip install -e '.[bench]'``, see README.md) the script says so and prints
the NumPy comparison.
"""
from __future__ import annotations

import argparse
import os
import sys


def _threads_from_argv(argv: list[str]) -> int:
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return int(argv[i + 1])
        if a.startswith("--threads="):
            return int(a.split("=", 1)[1])
    return os.cpu_count() or 1


# Thread counts are read once, when each runtime (libgomp, OpenBLAS, PyTorch's pool) starts:
# set them before numpy, torch or any kernel library is loaded.
if __name__ == "__main__":
    _n = str(_threads_from_argv(sys.argv[1:]))
    for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_v] = _n

import ctypes  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable, Optional  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "core"))
KERNELS = ROOT / "tests" / "kernels"

import xpiler  # noqa: E402
from xpiler import driver, passes  # noqa: E402
from xpiler.runtime import cpu  # noqa: E402

#: The passes the baseline column leaves out (issue 18's "tensorize, cache and pipeline off").
IDIOM_PASSES = ("tensorize", "cache", "pipeline")
MIN_REPEAT = 10
WARMUP = 2
CC = os.environ.get("XPILER_GCC", "gcc")
CXX = os.environ.get("XPILER_GXX", "g++")
C_FLAGS = ["-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-w"]


def _cdiv(a: int, b: int) -> int:
    return -(-a // b)


# ------------------------------------------------------------------------------ the cases
@dataclass
class Case:
    """One corpus kernel at a bench shape.

    ``translate``: the function given to ``xpiler.translate`` (a kernel, or the host wrapper
    whose grid computation fixes the launch); ``call``: the function the bench calls in the
    translated library (the kernel itself, so no wrapper's copies are timed)."""

    name: str
    family: str  # the corpus family; ``group`` is the issue's wording (pooling, element-wise)
    group: str
    file: str  # relative to tests/kernels/
    translate: str
    call: str
    shapes: dict  # size name -> shape dict
    launch: Optional[Callable[[dict], str]]  # None: the host wrapper launches
    args: Callable[[dict], str]  # the args comment at this shape
    inputs: Callable[[dict, np.random.Generator], dict]  # every buffer and scalar, by name
    output: str
    reference: Callable[[dict, dict], np.ndarray]  # float64 (or exact integer) reference
    numpy: Optional[Callable[[dict, dict], Callable[[], object]]]  # returns the call to time
    numpy_op: str
    torch_op: str
    torch: Optional[Callable[[object, dict, dict], Callable[[], object]]]  # (torch, inputs, shape)
    torch_result: Optional[Callable[[object], np.ndarray]] = None  # torch output -> out's layout
    rtol: float = 1e-4
    atol: float = 1e-5


def _f32(rng, shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def _i8(rng, shape):
    return rng.integers(-128, 128, size=shape, dtype=np.int8)


def _spec(bufs: dict, scalars: dict) -> str:
    parts = [f"{k}={dt}[{','.join(map(str, shp))}]" for k, (dt, shp) in bufs.items()]
    return " ".join(parts + [f"{k}={v}" for k, v in scalars.items()])


def _nan(shape, dtype=np.float32):
    # outputs start as NaN (int: a sentinel), so an element the kernel never writes fails the check
    if np.dtype(dtype).kind == "f":
        return np.full(shape, np.nan, dtype=dtype)
    return np.full(shape, -0x5A5A5A5A, dtype=dtype)


def _win(x, kh, kw, stride, axes):
    v = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=axes)
    sl = [slice(None)] * v.ndim
    sl[axes[0]] = slice(None, None, stride)
    sl[axes[1]] = slice(None, None, stride)
    return v[tuple(sl)]


# gemm (fp32): gemm_tiled_kernel, 32x32 tiles of C per 16x16 block
def _gemm_inputs(s, rng):
    M, N, K = s["M"], s["N"], s["K"]
    return {"A": _f32(rng, (M, K)), "B": _f32(rng, (K, N)), "C": _nan((M, N)), "M": M, "N": N, "K": K}


def _gemm_i8_inputs(s, rng):
    M, N, K = s["M"], s["N"], s["K"]
    return {"A": _i8(rng, (M, K)), "B": _i8(rng, (K, N)), "C": _nan((M, N), np.int32), "M": M, "N": N, "K": K}


def _conv_out(s):
    return ((s["H"] + 2 * s["pad"] - s["KH"]) // s["stride"] + 1, (s["W"] + 2 * s["pad"] - s["KW"]) // s["stride"] + 1)


def _conv_inputs(s, rng):
    OH, OW = _conv_out(s)
    v = {"x": _f32(rng, (s["N"], s["C"], s["H"], s["W"])), "w": _f32(rng, (s["K"], s["C"], s["KH"], s["KW"])),
         "out": _nan((s["N"], s["K"], OH, OW))}
    v.update({k: s[k] for k in ("N", "C", "H", "W", "K", "KH", "KW", "stride", "pad")})
    return v


def _conv_np(v, s):
    x, w, p, st = v["x"], v["w"], s["pad"], s["stride"]
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    win = _win(xp, s["KH"], s["KW"], st, (2, 3))  # [N, C, OH, OW, KH, KW]
    return lambda: np.ascontiguousarray(np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2))


def _conv_ref(v, s):
    x64 = {"x": v["x"].astype(np.float64), "w": v["w"].astype(np.float64)}
    return _conv_np(x64, s)()


def _softmax_np(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _layernorm_np(x, g, b, eps):
    m = x.mean(axis=-1, keepdims=True)
    var = ((x - m) ** 2).mean(axis=-1, keepdims=True)
    return (x - m) / np.sqrt(var + eps) * g + b


def _pool_out(s):
    return ((s["H"] - s["kh"]) // s["stride"] + 1, (s["W"] - s["kw"]) // s["stride"] + 1)


def _pool_inputs(s, rng):
    OH, OW = _pool_out(s)
    v = {"x": _f32(rng, (s["N"], s["H"], s["W"], s["C"])), "out": _nan((s["N"], OH, OW, s["C"]))}
    v.update({k: s[k] for k in ("N", "H", "W", "C", "kh", "kw", "stride")})
    return v


def _pool_np(v, s, red):
    win = _win(v["x"], s["kh"], s["kw"], s["stride"], (1, 2))  # [N, OH, OW, C, kh, kw]
    return lambda: red(win, axis=(-2, -1))


def _torch_pool(fn):
    # NHWC data as a channels-last NCHW tensor (a view, no copy): PyTorch's fast CPU path
    def make(torch, v, s):
        x = torch.from_numpy(v["x"]).permute(0, 3, 1, 2)
        return lambda: fn(torch)(x, (s["kh"], s["kw"]), s["stride"])
    return make


def _erf64(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x)


CASES: list[Case] = [
    Case("gemm_f32", "gemm", "gemm", "gemm/gemm.cu", "gemm_tiled_kernel", "gemm_tiled_kernel",
         {"bench": dict(M=1024, N=1024, K=1024), "small": dict(M=96, N=64, K=80)},
         lambda s: f"grid={_cdiv(s['N'], 32)},{_cdiv(s['M'], 32)},1 block=16,16,1",
         lambda s: _spec({"A": ("float32", (s["M"], s["K"])), "B": ("float32", (s["K"], s["N"])),
                          "C": ("float32", (s["M"], s["N"]))}, {"M": s["M"], "N": s["N"], "K": s["K"]}),
         _gemm_inputs, "C",
         lambda v, s: v["A"].astype(np.float64) @ v["B"].astype(np.float64),
         lambda v, s: (lambda: v["A"] @ v["B"]), "A @ B (BLAS sgemm)",
         "torch.mm", lambda torch, v, s: (lambda a=torch.from_numpy(v["A"]), b=torch.from_numpy(v["B"]): torch.mm(a, b)),
         rtol=1e-4, atol=1e-3),
    Case("gemm_i8", "gemm_i8", "gemm", "gemm_i8/gemm_i8.cu", "gemm_i8_wmma_kernel", "gemm_i8_wmma_kernel",
         {"bench": dict(M=1536, N=1536, K=1536), "small": dict(M=64, N=64, K=96)},
         lambda s: f"grid={_cdiv(s['N'], 32)},{_cdiv(s['M'], 32)},1 block=128,1,1",
         lambda s: _spec({"A": ("int8", (s["M"], s["K"])), "B": ("int8", (s["K"], s["N"])),
                          "C": ("int32", (s["M"], s["N"]))}, {"M": s["M"], "N": s["N"], "K": s["K"]}),
         _gemm_i8_inputs, "C",
         lambda v, s: v["A"].astype(np.int64) @ v["B"].astype(np.int64),
         # NumPy has no int8 GEMM and its integer matmul does not use BLAS; float64 products
         # and sums of int8 values are exact while |C| < 2**53, so dgemm gives the int32 result
         lambda v, s: (lambda: (v["A"].astype(np.float64) @ v["B"].astype(np.float64)).astype(np.int32)),
         "float64(A) @ float64(B) -> int32 (BLAS dgemm, exact; NumPy has no int8 GEMM)",
         "torch._int_mm (int8 x int8 -> int32)",
         lambda torch, v, s: (lambda a=torch.from_numpy(v["A"]), b=torch.from_numpy(v["B"]): torch._int_mm(a, b)),
         rtol=0, atol=0),
    Case("conv2d_nchw", "conv2d_nchw", "conv2d", "conv2d_nchw/conv2d_nchw.cu", "conv2d_nchw_kernel",
         "conv2d_nchw_kernel",
         {"bench": dict(N=4, C=32, H=56, W=56, K=64, KH=3, KW=3, stride=1, pad=1),
          "small": dict(N=1, C=4, H=20, W=18, K=8, KH=3, KW=3, stride=1, pad=1)},
         lambda s: (f"grid={_cdiv(_conv_out(s)[1], 16)},{_cdiv(_conv_out(s)[0], 8)},{s['N'] * s['K']} "
                    f"block=16,8,1"),
         lambda s: _spec({"x": ("float32", (s["N"], s["C"], s["H"], s["W"])),
                          "w": ("float32", (s["K"], s["C"], s["KH"], s["KW"])),
                          "out": ("float32", (s["N"], s["K"], *_conv_out(s)))},
                         {k: s[k] for k in ("N", "C", "H", "W", "K", "KH", "KW", "stride", "pad")}),
         _conv_inputs, "out", _conv_ref, _conv_np, "tensordot over sliding windows (im2col)",
         "torch.nn.functional.conv2d",
         lambda torch, v, s: (lambda x=torch.from_numpy(v["x"]), w=torch.from_numpy(v["w"]):
                              torch.nn.functional.conv2d(x, w, stride=s["stride"], padding=s["pad"])),
         rtol=1e-4, atol=1e-4),
    Case("softmax", "softmax", "softmax", "softmax/softmax.cu", "softmax_kernel", "softmax_kernel",
         {"bench": dict(rows=2048, cols=4096), "small": dict(rows=16, cols=300)},
         lambda s: f"grid={s['rows']},1,1 block=256,1,1",
         lambda s: _spec({"x": ("float32", (s["rows"], s["cols"])), "out": ("float32", (s["rows"], s["cols"]))},
                         {"rows": s["rows"], "cols": s["cols"]}),
         lambda s, rng: {"x": _f32(rng, (s["rows"], s["cols"]), -4, 4), "out": _nan((s["rows"], s["cols"])),
                         "rows": s["rows"], "cols": s["cols"]},
         "out", lambda v, s: _softmax_np(v["x"].astype(np.float64)),
         lambda v, s: (lambda: _softmax_np(v["x"])), "exp(x - max) / sum",
         "torch.softmax", lambda torch, v, s: (lambda x=torch.from_numpy(v["x"]): torch.softmax(x, dim=-1)),
         rtol=1e-4, atol=1e-7),
    Case("layernorm", "layernorm", "layernorm", "layernorm/layernorm.cu", "layernorm_kernel", "layernorm_kernel",
         {"bench": dict(rows=2048, cols=4096), "small": dict(rows=16, cols=300)},
         lambda s: f"grid={s['rows']},1,1 block=128,1,1 shared={(s['cols'] + 32) * 4}",
         lambda s: _spec({"x": ("float32", (s["rows"], s["cols"])), "gamma": ("float32", (s["cols"],)),
                          "beta": ("float32", (s["cols"],)), "out": ("float32", (s["rows"], s["cols"]))},
                         {"rows": s["rows"], "cols": s["cols"], "eps": "1e-5"}),
         lambda s, rng: {"x": _f32(rng, (s["rows"], s["cols"])), "gamma": _f32(rng, (s["cols"],)),
                         "beta": _f32(rng, (s["cols"],)), "out": _nan((s["rows"], s["cols"])),
                         "rows": s["rows"], "cols": s["cols"], "eps": 1e-5},
         "out", lambda v, s: _layernorm_np(v["x"].astype(np.float64), v["gamma"], v["beta"], 1e-5),
         lambda v, s: (lambda: _layernorm_np(v["x"], v["gamma"], v["beta"], np.float32(1e-5))),
         "mean, var, (x - m) / sqrt(var + eps) * g + b",
         "torch.nn.functional.layer_norm",
         lambda torch, v, s: (lambda x=torch.from_numpy(v["x"]), g=torch.from_numpy(v["gamma"]),
                              b=torch.from_numpy(v["beta"]):
                              torch.nn.functional.layer_norm(x, (s["cols"],), g, b, 1e-5)),
         rtol=1e-4, atol=1e-4),
    Case("maxpool2d", "maxpool2d", "pooling", "maxpool2d/maxpool2d.cu", "maxpool2d_kernel", "maxpool2d_kernel",
         {"bench": dict(N=16, H=112, W=112, C=64, kh=2, kw=2, stride=2),
          "small": dict(N=2, H=16, W=14, C=40, kh=2, kw=2, stride=2)},
         lambda s: f"grid={_cdiv(_pool_out(s)[1], 4)},{_pool_out(s)[0]},{s['N']} block=32,4,1",
         lambda s: _spec({"x": ("float32", (s["N"], s["H"], s["W"], s["C"])),
                          "out": ("float32", (s["N"], *_pool_out(s), s["C"]))},
                         {k: s[k] for k in ("N", "H", "W", "C", "kh", "kw", "stride")}),
         _pool_inputs, "out", lambda v, s: _pool_np(v, s, np.max)(),
         lambda v, s: _pool_np(v, s, np.max), "max over sliding windows",
         "torch.nn.functional.max_pool2d (channels-last)", _torch_pool(lambda t: t.nn.functional.max_pool2d),
         torch_result=lambda r: r.permute(0, 2, 3, 1).numpy(), rtol=0, atol=0),
    Case("avgpool2d", "avgpool2d", "pooling", "avgpool2d/avgpool2d.cu", "avgpool2d_forward", "avgpool2d_kernel",
         {"bench": dict(N=16, H=112, W=112, C=64, kh=3, kw=3, stride=2),
          "small": dict(N=2, H=15, W=13, C=10, kh=3, kw=3, stride=2)},
         None,
         lambda s: _spec({"x": ("float32", (s["N"], s["H"], s["W"], s["C"])),
                          "out": ("float32", (s["N"], *_pool_out(s), s["C"]))},
                         {k: s[k] for k in ("N", "H", "W", "C", "kh", "kw", "stride")}),
         _pool_inputs, "out",
         lambda v, s: _pool_np({"x": v["x"].astype(np.float64)}, s, np.mean)(),
         lambda v, s: _pool_np(v, s, np.mean), "mean over sliding windows",
         "torch.nn.functional.avg_pool2d (channels-last)", _torch_pool(lambda t: t.nn.functional.avg_pool2d),
         torch_result=lambda r: r.permute(0, 2, 3, 1).numpy(), rtol=1e-5, atol=1e-6),
    Case("add", "add", "element-wise", "add/add.cu", "add_f32", "add_kernel",
         {"bench": dict(n=1 << 23), "small": dict(n=3001)},
         None,
         lambda s: _spec({"x": ("float32", (s["n"],)), "y": ("float32", (s["n"],)), "out": ("float32", (s["n"],))},
                         {"n": s["n"]}),
         lambda s, rng: {"x": _f32(rng, (s["n"],)), "y": _f32(rng, (s["n"],)), "out": _nan((s["n"],)), "n": s["n"]},
         "out", lambda v, s: v["x"].astype(np.float64) + v["y"],
         lambda v, s: (lambda o=np.empty_like(v["x"]): np.add(v["x"], v["y"], out=o)), "np.add(x, y, out=)",
         "torch.add(out=)",
         lambda torch, v, s: (lambda x=torch.from_numpy(v["x"]), y=torch.from_numpy(v["y"]),
                              o=torch.empty(s["n"]): torch.add(x, y, out=o)),
         rtol=1e-6, atol=0),
    Case("gelu", "gelu", "element-wise", "gelu/gelu.cu", "gelu_kernel", "gelu_kernel",
         {"bench": dict(n=1 << 23), "small": dict(n=5000)},
         lambda s: f"grid={_cdiv(s['n'], 256)},1,1 block=256,1,1",
         lambda s: _spec({"x": ("float32", (s["n"],)), "out": ("float32", (s["n"],))}, {"n": s["n"]}),
         lambda s, rng: {"x": _f32(rng, (s["n"],), -4, 4), "out": _nan((s["n"],)), "n": s["n"]},
         "out", lambda v, s: 0.5 * v["x"].astype(np.float64) * (1.0 + _erf64(v["x"].astype(np.float64) / math.sqrt(2))),
         None, "n/a (NumPy has no erf)",
         "torch.nn.functional.gelu (erf)",
         lambda torch, v, s: (lambda x=torch.from_numpy(v["x"]): torch.nn.functional.gelu(x)),
         rtol=1e-5, atol=1e-5),  # PyTorch's vectorised erf is off by ~1.1e-6 near x = -3.4
]


# ------------------------------------------------------------------------------ translate
def baseline_sequence(source: str, target: str) -> tuple[Optional[list], list[str]]:
    """The default pass sequence from ``source`` to ``target`` less the passes named in
    :data:`IDIOM_PASSES`, and the names it took out. ``(None, [])`` when none of them is in
    the default sequence (not built yet): the baseline would be the default itself."""
    steps, _ = driver.default_sequence(source, target)
    removed = [s.name for s in steps if s.name in IDIOM_PASSES]
    if not removed:
        return None, []
    return [s for s in steps if s.name not in IDIOM_PASSES], removed


def patched_source(case: Case, shape: dict) -> str:
    """The corpus file with the launch and args comments of ``case.translate`` set to the
    bench shape (the translation sizes its loops from them)."""
    lines = (KERNELS / case.file).read_text().splitlines(keepends=True)
    # the comment block right above the function the translation starts from
    at = next(i for i, ln in enumerate(lines)
              if re.search(rf"\b{re.escape(case.translate)}\s*\(", ln) and not ln.lstrip().startswith("//")
              and not ln.rstrip().endswith(";"))
    while at > 0 and not lines[at - 1].lstrip().startswith("//"):
        at -= 1  # a return type or __launch_bounds__ on the line(s) above the name
    top = at
    while top > 0 and lines[top - 1].lstrip().startswith("//"):
        top -= 1
    block = [ln for ln in lines[top:at] if not ln.lstrip().startswith(("// xpiler: launch", "// xpiler: args"))]
    new = []
    if case.launch:
        new.append(f"// xpiler: launch {case.launch(shape)}\n")
    new.append(f"// xpiler: args {case.args(shape)}\n")
    return "".join(lines[:top] + block + new + lines[at:])


@dataclass
class Built:
    target: str
    sequence: str  # "default" or "baseline"
    status: str = ""
    why: str = ""
    passes: list = field(default_factory=list)
    lib: Optional[Path] = None
    fn: Optional[object] = None
    params: list = field(default_factory=list)  # (name, ctype or "ptr")
    seconds: float = 0.0
    error: str = ""


_C_SCALARS = {"int": ctypes.c_int, "unsigned": ctypes.c_uint, "unsigned int": ctypes.c_uint, "long": ctypes.c_long,
              "size_t": ctypes.c_size_t, "float": ctypes.c_float, "double": ctypes.c_double,
              "int64_t": ctypes.c_int64, "int32_t": ctypes.c_int32}


def _signature(code: str, name: str) -> list:
    m = re.search(rf"\b{re.escape(name)}\s*\(([^)]*)\)\s*\{{", code)
    if not m:
        raise RuntimeError(f"no definition of {name} in the translation")
    out = []
    for p in (x.strip() for x in m.group(1).split(",") if x.strip()):
        pname = re.findall(r"[A-Za-z_]\w*", p)[-1]
        if "*" in p:
            out.append((pname, "ptr"))
            continue
        words = [w for w in re.findall(r"[A-Za-z_]\w*", p)[:-1] if w not in ("const", "restrict", "__restrict__")]
        ty = " ".join(words)
        if ty not in _C_SCALARS:
            raise RuntimeError(f"parameter {p!r} of {name}: type {ty!r} not handled by the bench")
        out.append((pname, _C_SCALARS[ty]))
    return out


def _symbol(lib: Path, name: str) -> str:
    """The exported name of ``name``: plain in C, mangled (``_Z<len><name>...``) in C++."""
    nm = subprocess.run(["nm", "-D", "--defined-only", str(lib)], capture_output=True, text=True).stdout
    syms = [ln.split()[-1] for ln in nm.splitlines() if ln.split()]
    if name in syms:
        return name
    pre = f"_Z{len(name)}{name}"
    found = [s for s in syms if s.startswith(pre)]
    if not found:
        raise RuntimeError(f"{name} is not exported by {lib.name}")
    return found[0]


def vnni_mode(force_simde: bool) -> tuple[str, list[str], Optional[str]]:
    """("native" | "SIMDe", extra flags, why-not) for compiling VNNI code on this CPU."""
    if cpu.has_avx512_vnni() and not force_simde:
        return "native", [], None
    inc = _simde_include()
    if inc is None:
        return "SIMDe", [], "no AVX-512 VNNI on this CPU and no SIMDe headers (Debian: libsimde-dev)"
    return "SIMDe", ["-DSIMDE_ENABLE_NATIVE_ALIASES", *([f"-I{inc}"] if inc != "/usr/include" else [])], None


def _simde_include() -> Optional[str]:
    for d in ("/usr/include", "/usr/local/include"):
        if Path(d, "simde", "x86", "avx512.h").exists():
            return d
    return None


def compile_lib(code: str, target: str, work: Path, stem: str, vnni_flags: Optional[list[str]]) -> Path:
    """A shared library of the translated ``code``. ``vnni_flags``: None for native AVX-512
    VNNI, else the SIMDe flags (its native aliases stand in for <immintrin.h>)."""
    if target == "vnni":
        src = work / f"{stem}.cpp"
        if vnni_flags is not None:  # SIMDe's native aliases stand in for <immintrin.h>
            code = re.sub(r"#include\s*<immintrin.h>", "#include <simde/x86/avx512.h>", code)
            if "simde/x86/avx512.h" not in code:
                code = "#include <simde/x86/avx512.h>\n" + code
        cmd = [CXX, "-std=gnu++17", *C_FLAGS]
    else:
        src = work / f"{stem}.c"
        cmd = [CC, "-std=gnu11", *C_FLAGS]
    src.write_text(code)
    lib = work / f"lib{stem}.so"
    extra = (vnni_flags or []) if target == "vnni" else []
    r = subprocess.run([*cmd, *extra, str(src), "-o", str(lib), "-lm"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {r.stderr.strip()[-600:]}")
    return lib


def build(case: Case, shape: dict, target: str, sequence: Optional[list], label: str, work: Path,
          vnni_flags: Optional[list[str]]) -> Built:
    b = Built(target, label)
    t0 = time.monotonic()
    try:
        src = patched_source(case, shape)
        t = xpiler.translate(src, to=target, kernel=case.translate, path=str(KERNELS / case.file),
                             verify="none", sequence=sequence, compile=False)
        b.status, b.why, b.passes = t.status, t.why or "", [p.name for p in t.passes]
        if t.status not in ("checked", "unverified") or not t.code:
            b.error = f"translation {t.status}: {t.why}"
            return b
        b.lib = compile_lib(t.code, target, work, f"{case.name}_{target}_{label}", vnni_flags)
        b.params = _signature(t.code, case.call)
        fn = getattr(ctypes.CDLL(str(b.lib)), _symbol(b.lib, case.call))
        fn.restype = None
        b.fn = fn
    except Exception as e:  # noqa: BLE001 - reported in the table, the other cases go on
        b.error = f"{type(e).__name__}: {e}"
    finally:
        b.seconds = time.monotonic() - t0
    return b


def caller(b: Built, v: dict) -> Callable[[], None]:
    args = []
    for name, ty in b.params:
        if name not in v:
            raise RuntimeError(f"no value for parameter {name}")
        if ty == "ptr":
            a = v[name]
            assert a.flags.c_contiguous
            args.append(ctypes.c_void_p(a.ctypes.data))
        else:
            args.append(ty(v[name]))
    fn = b.fn
    return lambda: fn(*args)


# ------------------------------------------------------------------------------ timing
def timed(fns: dict[str, Callable[[], object]], repeat: int, pause: float = 0.02) -> dict[str, list[float]]:
    """Milliseconds of ``repeat`` calls of each function after ``WARMUP`` calls of each,
    interleaved (one call of each per round), so that load from other processes on a shared
    machine falls on every side alike rather than on whichever ran during a busy spell. A
    short pause before each call lets the previous runtime's spinning worker threads (libgomp,
    OpenBLAS, PyTorch) go to sleep first, so they do not share the cores with the next one."""
    for fn in fns.values():
        for _ in range(WARMUP):
            fn()
    out: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            time.sleep(pause)
            t0 = time.perf_counter()
            fn()
            out[k].append((time.perf_counter() - t0) * 1e3)
    return out


def _check(got: np.ndarray, ref: np.ndarray, rtol: float, atol: float) -> tuple[bool, str]:
    got = np.asarray(got)
    if got.shape != ref.shape:
        got = got.reshape(ref.shape)
    if not np.all(np.isfinite(got.astype(np.float64))) and np.all(np.isfinite(ref)):
        bad = int(np.count_nonzero(~np.isfinite(got.astype(np.float64))))
        return False, f"{bad} elements not finite (never written?)"
    ok = np.allclose(got.astype(np.float64), ref.astype(np.float64), rtol=rtol, atol=atol)
    if ok:
        return True, "ok"
    err = np.abs(got.astype(np.float64) - ref)
    bad = err - (atol + rtol * np.abs(ref.astype(np.float64)))
    i = int(np.argmax(bad))  # the element furthest outside the tolerance
    return False, f"{int(np.count_nonzero(bad > 0))} elements outside rtol={rtol} atol={atol}; worst |diff| {err.flat[i]:.3g} at {tuple(int(j) for j in np.unravel_index(i, ref.shape))} (got {got.flat[i]}, want {ref.flat[i]})"


def _median(xs):
    return statistics.median(xs) if xs else None


def _geomean(xs: list[float]) -> Optional[float]:
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None


# ------------------------------------------------------------------------------ main
def _select(fams: str) -> list[Case]:
    if not fams:
        return CASES
    want = {f.strip().lower().replace("elementwise", "element-wise") for f in fams.split(",") if f.strip()}
    sel = [c for c in CASES if {c.name, c.family, c.group} & want]
    unknown = want - {x for c in CASES for x in (c.name, c.family, c.group)}
    if unknown:
        raise SystemExit(f"unknown family {', '.join(sorted(unknown))}; known: "
                         f"{', '.join(sorted({x for c in CASES for x in (c.name, c.family, c.group)}))}")
    return sel


def _load_torch(threads: int):
    try:
        import torch
    except Exception as e:  # noqa: BLE001 - ImportError, or a broken install's OSError
        return None, f"PyTorch not importable ({type(e).__name__}: {e}); install the bench extra: pip install -e '.[bench]'"
    torch.set_num_threads(threads)
    return torch, None


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", default="", help="comma-separated: a case, a corpus family or a group "
                    "(gemm, gemm_i8, conv2d, softmax, layernorm, pooling, element-wise, ...)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="threads for every side (OpenMP, OpenBLAS, PyTorch); default all cores")
    ap.add_argument("--repeat", type=int, default=MIN_REPEAT, help=f"timed calls per figure (at least {MIN_REPEAT})")
    ap.add_argument("--size", choices=("bench", "small"), default="bench",
                    help="small: tiny shapes for a smoke test (PyTorch well under 1 ms; not for the record)")
    ap.add_argument("--out", help="write the raw figures (every sample) to this JSON file")
    ap.add_argument("--no-baseline", action="store_true",
                    help="skip the column translated without tensorize, cache and pipeline")
    ap.add_argument("--baseline-sequence", metavar="SEQ",
                    help="the baseline column's pass sequence (xpiler translate --passes syntax), for every "
                         "target; default: the default sequence less " + ", ".join(IDIOM_PASSES))
    ap.add_argument("--no-torch", action="store_true", help="do not import PyTorch (the NumPy comparison only)")
    ap.add_argument("--simde", action="store_true", help="compile VNNI through SIMDe even on an AVX-512 VNNI CPU")
    ap.add_argument("--targets", default="c,vnni", help="translation targets to time (c, vnni)")
    a = ap.parse_args(argv)
    if a.repeat < MIN_REPEAT:
        print(f"--repeat {a.repeat}: the printed medians need at least {MIN_REPEAT} runs; using {MIN_REPEAT}")
        a.repeat = MIN_REPEAT
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(v) != str(a.threads):  # imported as a module: too late for runtimes already loaded
            os.environ[v] = str(a.threads)
    targets = [t for t in a.targets.split(",") if t]
    cases = _select(a.family)

    torch, torch_why = (None, "PyTorch not used (--no-torch)") if a.no_torch else _load_torch(a.threads)
    mode, simde_flags, vnni_why = vnni_mode(a.simde)
    vnni_flags = None if mode == "native" else simde_flags
    if a.baseline_sequence:
        given = passes.parse_sequence(a.baseline_sequence)
        seqs = {t: (given, [f"given: {'; '.join(map(str, given))}"]) for t in targets}
    else:
        seqs = {t: baseline_sequence("cuda", t) for t in targets}
    do_base = not a.no_baseline and any(s is not None for s, _ in seqs.values())
    blas = _blas()

    print(f"CPU: {cpu.model()}, {os.cpu_count()} cores; threads {a.threads} on every side "
          f"(OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, torch.set_num_threads); load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"VNNI: {'native AVX-512 VNNI' if mode == 'native' else 'through SIMDe'}"
          f"{' (forced by --simde)' if a.simde and cpu.has_avx512_vnni() else ''}"
          f" (/proc/cpuinfo avx512_vnni: {'yes' if cpu.has_avx512_vnni() else 'no'})"
          f"{'; VNNI not run: ' + vnni_why if vnni_why else ''}")
    print(f"PyTorch: {torch.__version__ + ' (' + str(torch.get_num_threads()) + ' threads, CPU capability ' + torch.backends.cpu.get_cpu_capability() + ')' if torch else torch_why}")
    print(f"NumPy: {np.__version__}{' (' + blas + ')' if blas else ''}"
          f"{'; OPENBLAS_CORETYPE is set, which slows a current OpenBLAS (unset it with OPENBLAS_L2_SIZE for this command)' if os.environ.get('OPENBLAS_CORETYPE') else ''}")
    print(f"compilers: {CC} -std=gnu11 {' '.join(C_FLAGS)}; {CXX} -std=gnu++17 {' '.join(C_FLAGS)}"
          f"{' ' + ' '.join(simde_flags) if vnni_flags else ''}")
    for t in targets:
        steps, _ = driver.default_sequence("cuda", t)
        base, removed = seqs[t]
        print(f"cuda -> {t}: default sequence {'; '.join(str(s) for s in steps)}")
    if a.no_baseline:
        print("baseline (tensorize, cache, pipeline off): skipped (--no-baseline)")
    elif not do_base:
        built = [p for p in IDIOM_PASSES if p in passes.REGISTRY]
        print(f"baseline: {'tensorize not built' if 'tensorize' not in passes.REGISTRY else 'none of ' + ', '.join(IDIOM_PASSES) + ' is in the default sequence'}"
              f": both columns use the same sequence (built of {', '.join(IDIOM_PASSES)}: {', '.join(built) or 'none'})")
    else:
        for t in targets:
            base, removed = seqs[t]
            print(f"baseline cuda -> {t}: {removed[0] if a.baseline_sequence else 'the default less ' + ', '.join(removed)}")
    print(f"median of {a.repeat} calls after {WARMUP} warm-up calls; size {a.size}"
          f"{' (smoke test: not for the record)' if a.size == 'small' else ''}\n")

    rng = np.random.default_rng(0)
    rows = []
    work = Path(tempfile.mkdtemp(prefix="xpiler-perf-"))
    try:
        for case in cases:
            rows.append(run_case(case, a, targets, seqs if do_base else {}, torch, work, vnni_flags, vnni_why, rng))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = print_tables(rows, targets, do_base, torch is not None)
    if a.out:
        meta = {"cpu": cpu.model(), "cores": os.cpu_count(), "threads": a.threads, "loadavg": os.getloadavg(),
                "vnni": mode, "torch": torch.__version__ if torch else None, "torch_why": torch_why,
                "numpy": np.__version__, "blas": blas, "size": a.size, "repeat": a.repeat, "warmup": WARMUP,
                "flags": {"c": [CC, "-std=gnu11", *C_FLAGS], "vnni": [CXX, "-std=gnu++17", *C_FLAGS, *(vnni_flags or [])]},
                "baseline": {t: (seqs[t][1] if do_base else None) for t in targets},
                "python": platform.python_version(), "when": time.strftime("%Y-%m-%d %H:%M:%S")}
        Path(a.out).write_text(json.dumps({"meta": meta, "summary": summary, "rows": rows}, indent=1))
        print(f"\nraw figures: {a.out}")
    return 0


def _blas() -> str:
    """NumPy's BLAS (threadpoolctl's view where installed: the kernel it runs on this CPU)."""
    try:
        from threadpoolctl import threadpool_info
        return ", ".join(f"{i.get('internal_api')} {i.get('version') or ''} {i.get('architecture') or ''}".strip()
                         for i in threadpool_info() if i.get("user_api") == "blas")
    except Exception:  # noqa: BLE001 - optional
        pass
    try:
        b = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{b.get('name')} {b.get('version')}"
    except Exception:  # noqa: BLE001
        return ""


def run_case(case: Case, a, targets: list[str], seqs: dict, torch, work: Path, vnni_flags, vnni_why, rng) -> dict:
    shape = case.shapes[a.size]
    row: dict = {"case": case.name, "family": case.family, "group": case.group, "file": case.file,
                 "kernel": case.call, "shape": shape, "torch_op": case.torch_op if torch else None,
                 "numpy_op": case.numpy_op, "impl": {}}
    print(f"[{case.name}] {' '.join(f'{k}={v}' for k, v in shape.items())}", file=sys.stderr, flush=True)
    v = case.inputs(shape, rng)
    ref = np.asarray(case.reference(v, shape))

    timers: dict[str, Callable[[], object]] = {}

    def measure(key: str, fn: Callable[[], object], result: Callable[[object], np.ndarray], extra: dict) -> None:
        """Check one implementation's output at the bench shape; only a correct one is timed."""
        ent = dict(extra)
        try:
            ok, detail = _check(result(fn()), ref, case.rtol, case.atol)
        except Exception as e:  # noqa: BLE001
            ok, detail = False, f"{type(e).__name__}: {e}"
        ent.update(correct=ok, check=detail)
        if ok:
            timers[key] = fn
        row["impl"][key] = ent
        print(f"  {key}: {'correct' if ok else 'WRONG: ' + detail}", file=sys.stderr, flush=True)

    for t in targets:
        for label, seq in (("default", None), ("baseline", (seqs.get(t) or (None,))[0])):
            if label == "baseline" and seq is None:
                continue
            key = t if label == "default" else f"{t}_baseline"
            if t == "vnni" and vnni_why:
                row["impl"][key] = {"error": vnni_why}
                continue
            b = build(case, shape, t, seq, label, work, vnni_flags)
            extra = {"translation": b.status, "why": b.why, "passes": b.passes, "build_s": round(b.seconds, 2)}
            if b.error:
                row["impl"][key] = {**extra, "error": b.error}
                print(f"  {key}: {b.error}", file=sys.stderr, flush=True)
                continue
            out = v[case.output]
            out.fill(np.nan if out.dtype.kind == "f" else -0x5A5A5A5A)
            measure(key, caller(b, v), lambda _r, out=out: out, extra)
    if torch is not None and case.torch is not None:
        try:
            fn = case.torch(torch, v, shape)
            measure("torch", fn, case.torch_result or (lambda r: r.numpy()), {"op": case.torch_op})
        except Exception as e:  # noqa: BLE001 - an op missing from this PyTorch build
            row["impl"]["torch"] = {"op": case.torch_op, "error": f"{type(e).__name__}: {e}"}
    if case.numpy is not None:
        measure("numpy", case.numpy(v, shape), np.asarray, {"op": case.numpy_op})
    row["loadavg_before"] = os.getloadavg()
    for key, ms in timed(timers, a.repeat).items():
        row["impl"][key].update(ms=ms, median_ms=_median(ms))
    row["loadavg_after"] = os.getloadavg()
    print("  " + ", ".join(f"{k} {row['impl'][k]['median_ms']:.3f} ms" for k in timers), file=sys.stderr, flush=True)
    return row


def _ms(row: dict, key: str) -> Optional[float]:
    e = row["impl"].get(key) or {}
    return e.get("median_ms")


def _cell(row: dict, key: str) -> str:
    e = row["impl"].get(key)
    if e is None:
        return "-"
    if "median_ms" in e:
        return f"{e['median_ms']:.3f}"
    return "WRONG" if "correct" in e else "error"


def _ratio(num: Optional[float], den: Optional[float]) -> Optional[float]:
    return num / den if num and den else None


def _fmt(x: Optional[float]) -> str:
    return f"{x:.2f}x" if x else "-"


def print_tables(rows: list[dict], targets: list[str], do_base: bool, have_torch: bool) -> dict:
    cols = (["torch"] if have_torch else []) + ["numpy", *targets] + ([f"{t}_baseline" for t in targets] if do_base else [])
    shapes = {r["case"]: " ".join(f"{k}={v}" for k, v in r["shape"].items()) for r in rows}
    w = max([5, *map(len, shapes.values())])
    head = {"torch": "PyTorch ms", "numpy": "NumPy ms", "c": "C ms", "vnni": "VNNI ms",
            "c_baseline": "C base ms", "vnni_baseline": "VNNI base ms"}
    print(f"{'case':<12} {'shape':<{w}} " + " ".join(f"{head[c]:>12}" for c in cols))
    for r in rows:
        shape = shapes[r["case"]]
        flag = " <1ms" if have_torch and (_ms(r, "torch") or 1.0) < 1.0 else ""
        print(f"{r['case']:<12} {shape:<{w}} " + " ".join(f"{_cell(r, c):>12}" for c in cols) + flag)

    # speed-ups: other / translation (above 1: the translation is faster)
    pairs = []
    for t in targets:
        if have_torch:
            pairs.append((f"{t.upper()} vs PyTorch", "torch", t))
        pairs.append((f"{t.upper()} vs NumPy", "numpy", t))
        if do_base:
            pairs.append((f"{t.upper()} vs baseline", f"{t}_baseline", t))
    print("\nspeed-up of the translation (other time / translation time; above 1: the translation is faster)")
    print(f"{'case':<12} " + " ".join(f"{p[0]:>18}" for p in pairs))
    ratios: dict = {p[0]: [] for p in pairs}
    for r in rows:
        cells = []
        for name, other, t in pairs:
            x = _ratio(_ms(r, other), _ms(r, t))
            if x:
                ratios[name].append(x)
            cells.append(_fmt(x))
        print(f"{r['case']:<12} " + " ".join(f"{c:>18}" for c in cells))
    geo = {name: _geomean(xs) for name, xs in ratios.items()}
    print(f"{'geomean':<12} " + " ".join(f"{_fmt(geo[p[0]]):>18}" for p in pairs))
    print(f"{'rows':<12} " + " ".join(f"{len(ratios[p[0]]):>18}" for p in pairs))

    print("\nops compared:")
    for r in rows:
        print(f"  {r['case']:<12} PyTorch: {r['torch_op'] or '-'}; NumPy: {r['numpy_op']}; "
              f"translated: cuda {r['file']} -> {', '.join(targets)}, calling {r['kernel']}")
    bad = [(r["case"], k, e.get("check") or e.get("error")) for r in rows for k, e in r["impl"].items()
           if not e.get("median_ms")]
    if bad:
        print("\nnot timed:")
        for case, k, why in bad:
            print(f"  {case} {k}: {why}")

    loads = [x[0] for r in rows for x in (r.get("loadavg_before"), r.get("loadavg_after")) if x]
    if loads:
        print(f"\n1-minute load average around the timed rounds: {min(loads):.2f} to {max(loads):.2f} on "
              f"{os.cpu_count()} cores (this run's own threads count in it)")
    print("\ntargets (issue 18):")
    if "c" in targets:
        g = geo.get("C vs PyTorch")
        print(f"  C vs PyTorch geometric mean >= 1.0x: "
              f"{'not measured (no PyTorch)' if not have_torch else _fmt(g) + (' met' if g and g >= 1.0 else ' NOT met')}")
    if do_base:
        for t in targets:
            g = geo.get(f"{t.upper()} vs baseline")
            print(f"  {t.upper()} default vs tensorize/cache/pipeline off >= 2x: {_fmt(g)}"
                  f"{' met' if g and g >= 2.0 else ' NOT met'}")
    else:
        print("  default vs tensorize/cache/pipeline off >= 2x: not measured (tensorize not built: both columns "
              "use the same sequence)" if "tensorize" not in passes.REGISTRY else
              "  default vs tensorize/cache/pipeline off >= 2x: not measured (baseline skipped)")
    return {k: v for k, v in geo.items()}


if __name__ == "__main__":
    raise SystemExit(main())
