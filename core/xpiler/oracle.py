"""The oracle: does a candidate program compute what the source program computes?

    report = check(source_text, candidate_text, path=..., candidate_path=..., args="x=float32[...] n=...")
    report.ok, report.buffers[0].max_abs, report.buffers[0].first_mismatch

Both programs run on the same seeded random inputs (dtypes and ranges from the argument
spec and the optional ``inputs`` generators); every buffer either program writes is
compared with dtype- and reduction-aware tolerances; per buffer the report gives the
largest absolute and relative error, the first mismatching index and the elements the
candidate never wrote. With no candidate, ``check`` runs the source alone and reports its
findings (what ``xpiler check`` prints). ``trace=True`` adds the access trace: which
buffer elements each line read and wrote (the repair step localises faults with it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional, Union

import numpy as np

from . import ir
from .diagnostics import XpilerError
from .runtime import inputs as _inputs
from .runtime.run import Execution, execute, load, pick_kernel

DEFAULT_TOLERANCE = {  # dtype -> (rtol, atol) for one rounding; reductions widen atol
    "float64": (1e-9, 1e-12), "float32": (1e-4, 1e-5), "float16": (1e-2, 1e-3), "bfloat16": (2e-2, 1e-2),
}


@dataclass
class BufferReport:
    name: str
    dtype: str
    shape: tuple
    rtol: float
    atol: float
    max_abs: float = 0.0
    max_rel: float = 0.0
    mismatches: int = 0
    first_mismatch: Optional[tuple] = None
    expected_at_first: Optional[float] = None
    got_at_first: Optional[float] = None
    never_written: int = 0  # elements the source wrote and the candidate did not
    first_never_written: Optional[tuple] = None

    @property
    def ok(self) -> bool:
        return self.mismatches == 0 and self.never_written == 0

    def describe(self) -> str:
        if self.ok:
            return f"{self.name}: match (max abs {self.max_abs:.3g}, max rel {self.max_rel:.3g})"
        parts = []
        if self.mismatches:
            parts.append(f"{self.mismatches} element(s) differ, first at {list(self.first_mismatch)} "
                         f"(expected {self.expected_at_first:.6g}, got {self.got_at_first:.6g}); "
                         f"max abs {self.max_abs:.3g}, max rel {self.max_rel:.3g} (rtol {self.rtol:g}, atol {self.atol:g})")
        if self.never_written:
            parts.append(f"{self.never_written} element(s) never written, first at {list(self.first_never_written)}")
        return f"{self.name}: " + "; ".join(parts)


@dataclass
class CheckReport:
    ok: bool
    source: Execution
    candidate: Optional[Execution]
    buffers: list[BufferReport] = field(default_factory=list)
    seed: int = 0
    message: str = ""

    @property
    def findings(self):
        out = list(self.source.findings)
        if self.candidate is not None:
            out += self.candidate.findings
        return out


def tolerance(dtype: np.dtype, reduction: float = 1.0) -> tuple[float, float]:
    """(rtol, atol) for a buffer of ``dtype`` whose elements each sum about ``reduction``
    terms: rounding error grows like sqrt(reduction) (random signs)."""
    name = np.dtype(dtype).name
    if np.dtype(dtype).kind in "iub":
        return 0.0, 0.0
    rtol, atol = DEFAULT_TOLERANCE.get(name, (1e-4, 1e-5))
    grow = math.sqrt(max(1.0, reduction))
    return rtol * min(grow, 10.0), atol * grow


def reduction_length(values: dict[str, Union[np.ndarray, float]], outputs: list[str]) -> float:
    """How many input elements feed one output element, roughly: total input size over
    total output size (a GEMM's K, a row reduction's columns)."""
    ins = sum(v.size for k, v in values.items() if isinstance(v, np.ndarray) and k not in outputs)
    outs = sum(values[k].size for k in outputs if isinstance(values.get(k), np.ndarray))
    return ins / outs if outs else 1.0


def compare(expected: np.ndarray, got: np.ndarray, name: str, rtol: float, atol: float,
            expected_written: Optional[np.ndarray] = None, got_written: Optional[np.ndarray] = None) -> BufferReport:
    r = BufferReport(name, expected.dtype.name, tuple(expected.shape), rtol, atol)
    e = expected.astype(np.float64)
    g = got.astype(np.float64).reshape(e.shape)
    diff = np.abs(e - g)
    both_nan = np.isnan(e) & np.isnan(g)
    diff[both_nan] = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(np.abs(e) > 0, diff / np.abs(e), np.where(diff > 0, np.inf, 0.0))
    bad = (diff > atol + rtol * np.abs(e)) | (np.isnan(e) ^ np.isnan(g))
    finite = np.isfinite(diff)
    r.max_abs = float(diff[finite].max()) if finite.any() else 0.0
    r.max_rel = float(np.nanmax(np.where(np.isfinite(rel), rel, np.nan))) if np.isfinite(rel).any() else 0.0
    r.mismatches = int(bad.sum())
    if r.mismatches:
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        r.first_mismatch = idx
        r.expected_at_first, r.got_at_first = float(e[idx]), float(g[idx])
    if expected_written is not None and got_written is not None:
        missing = expected_written.reshape(e.shape) & ~got_written.reshape(e.shape)
        r.never_written = int(missing.sum())
        if r.never_written:
            r.first_never_written = tuple(int(i) for i in np.argwhere(missing)[0])
    return r


def make_inputs(module: ir.Module, kernel: Optional[str], arg_spec: Optional[str], seed: int,
                generators: Optional[dict[str, str]] = None) -> dict[str, Union[np.ndarray, int, float]]:
    """Seeded random values for every argument of the spec (the args comment by default)."""
    f = pick_kernel(module, kernel)
    text = arg_spec or f.annotations.get("args")
    if not text:
        raise XpilerError(f"no argument spec for {f.name}: pass args='x=float32[N] n=N ...' or add "
                          f"'// xpiler: args ...' above the kernel")
    return _inputs.values(text, seed, generators)


def check(source, candidate=None, *, path: Optional[str] = None, candidate_path: Optional[str] = None,
          dialect: Optional[str] = None, candidate_dialect: Optional[str] = None, kernel: Optional[str] = None,
          candidate_kernel: Optional[str] = None, args: Optional[str] = None, values: Optional[dict] = None,
          launch: Optional[str] = None, candidate_launch: Optional[str] = None,
          generators: Optional[dict[str, str]] = None, outputs: Optional[list[str]] = None, seed: int = 0,
          rtol: Optional[float] = None, atol: Optional[float] = None, trace: bool = False,
          timeout: float = 60.0) -> CheckReport:
    """Run ``source`` (and ``candidate``) on the same random inputs and compare."""
    src_mod = load(source, path, dialect)
    if values is None:
        values = make_inputs(src_mod, kernel, args, seed, generators)
    copy = lambda: {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in values.items()}  # noqa: E731
    ex_src = execute(src_mod, kernel=kernel, args=copy(), launch=launch, trace=trace, timeout=timeout, seed=seed)
    if candidate is None:
        ok = ex_src.ok and not [f for f in ex_src.findings if f.severity == "error"]
        return CheckReport(ok, ex_src, None, [], seed, ex_src.message)
    cand_mod = load(candidate, candidate_path, candidate_dialect)
    ex_c = execute(cand_mod, kernel=candidate_kernel or kernel, args=copy(), launch=candidate_launch, trace=trace,
                   timeout=timeout, seed=seed)
    if not ex_src.ok:
        return CheckReport(False, ex_src, ex_c, [], seed, f"the source did not run: {ex_src.message}")
    if not ex_c.ok:
        return CheckReport(False, ex_src, ex_c, [], seed, f"the candidate did not run: {ex_c.message}")
    names = outputs or [k for k, w in ex_src.written.items() if w.any()]
    red = reduction_length(values, names)
    reports = []
    for name in names:
        exp, got = ex_src.outputs.get(name), ex_c.outputs.get(name)
        if exp is None or got is None:
            raise XpilerError(f"buffer {name} missing from a run's outputs")
        rt, at = tolerance(exp.dtype, red)
        reports.append(compare(exp, got, name, rtol if rtol is not None else rt, atol if atol is not None else at,
                               ex_src.written.get(name), ex_c.written.get(name)))
    ok = all(r.ok for r in reports)
    msg = "; ".join(r.describe() for r in reports if not r.ok)
    return CheckReport(ok, ex_src, ex_c, reports, seed, msg)
