"""The oracle: does a candidate program compute what the source program computes?

    report = check(source_text, candidate_text, path=..., candidate_path=..., args="x=float32[...] n=...")
    report.ok, report.message, report.describe(), report.runs[1].buffers[0].first_mismatch

Rules of a verdict (issue 15):

- **At least two input sets.** Both programs run on the same seeded random inputs for each
  of ``seeds`` (default 0 and 1; ``seed=s`` means ``(s, s + 1)``), dtypes and ranges from the
  argument spec and the optional ``inputs`` generators, or on two or more given ``values``.
- **Outputs start as a sentinel.** A buffer the source writes before it reads is pre-filled,
  in both runs, with ``inputs.filled(dtype, shape, "sentinel")`` (a NaN for floats, the byte
  pattern 0xA5 for integers), so an element a candidate forgets to write cannot pass by
  holding the right value by chance. How it is decided, per buffer, from the source's own
  runs: the source runs on the random inputs, then with the buffers it wrote filled with the
  sentinel, and with large positive and negative values (a read like ``fmaxf(y, v)`` swallows
  a NaN, not 1e30); when every run gives the same status, findings, written masks and bits
  of every written element, the source never depends on those buffers' old contents (it
  writes before reading). Otherwise the buffers are tried one at a time, and a buffer the
  source reads first (in place, ``x[i] += ...``) keeps its random inputs.
- **Every buffer either program writes is compared**, and the written masks must agree: an
  element the source wrote and the candidate did not is *never written* (the sentinel left in
  place never counts as a match, even where the source computed a NaN), an element the
  candidate wrote and the source did not is *written by the candidate only* (clobbering an
  input, writing past the region). Elements both wrote are compared with dtype- and
  reduction-aware tolerances, and a NaN both computed at the same place matches; elements
  neither wrote must still agree (they hold the same inputs).
- Written masks come from the runtime's written shadow; an element whose bytes changed
  counts as written too (intrinsics run natively on an AVX-512 machine are not checked
  accesses, so the runtime misses their writes).
- **Error findings of the candidate fail the verdict** (out of bounds, races, ...), named in
  the message, even when the outputs agree.

The report records what was compared: the seeds (``runs``, one per input set), the argument
spec, the buffers pre-filled, per buffer the tolerance, errors and first mismatch. With no
candidate, ``check`` runs the source alone on each input set and reports its findings (what
``xpiler check`` prints). ``trace=True`` adds the access trace: which buffer elements each
line read and wrote (the repair step localises faults with it).
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence, Union

import numpy as np

from . import ir, spec
from .diagnostics import XpilerError
from .printer import print_module
from .runtime import inputs as _inputs
from .runtime.findings import Finding
from .runtime.run import Execution, execute, load, pick_kernel

DEFAULT_TOLERANCE = {  # dtype -> (rtol, atol) for one rounding; reductions widen atol
    "float64": (1e-9, 1e-12), "float32": (1e-4, 1e-5), "float16": (1e-2, 1e-3), "bfloat16": (2e-2, 1e-2),
}
DEFAULT_SEEDS = (0, 1)

Values = dict[str, Union[np.ndarray, int, float]]


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
    candidate_only_writes: int = 0  # elements the candidate wrote and the source did not
    first_candidate_only_write: Optional[tuple] = None

    @property
    def ok(self) -> bool:
        return self.mismatches == 0 and self.never_written == 0 and self.candidate_only_writes == 0

    def describe(self) -> str:
        if self.ok:
            return (f"{self.name}: match (max abs {self.max_abs:.3g}, max rel {self.max_rel:.3g}; "
                    f"rtol {self.rtol:g}, atol {self.atol:g})")
        parts = []
        if self.mismatches:
            parts.append(f"{self.mismatches} element(s) differ, first at {list(self.first_mismatch)} "
                         f"(expected {self.expected_at_first:.6g}, got {self.got_at_first:.6g}); "
                         f"max abs {self.max_abs:.3g}, max rel {self.max_rel:.3g} (rtol {self.rtol:g}, atol {self.atol:g})")
        if self.never_written:
            parts.append(f"{self.never_written} element(s) never written, first at {list(self.first_never_written)}")
        if self.candidate_only_writes:
            parts.append(f"{self.candidate_only_writes} element(s) written by the candidate only (the source "
                         f"never writes them), first at {list(self.first_candidate_only_write)}")
        return f"{self.name}: " + "; ".join(parts)

    def first_problem(self) -> Optional[str]:
        """The first wrong element, as ``name[i, j]: what``."""
        if self.mismatches:
            return (f"{self.name}{list(self.first_mismatch)}: expected {self.expected_at_first:.6g}, "
                    f"got {self.got_at_first:.6g}")
        if self.never_written:
            return f"{self.name}{list(self.first_never_written)}: never written by the candidate"
        if self.candidate_only_writes:
            return f"{self.name}{list(self.first_candidate_only_write)}: written by the candidate only"
        return None


@dataclass
class InputRun:
    """Both programs on one input set."""

    label: str  # "seed 0", or "values[1]" for given values
    seed: Optional[int]
    source: Execution
    candidate: Optional[Execution]
    buffers: list[BufferReport] = field(default_factory=list)
    candidate_errors: list[Finding] = field(default_factory=list)
    ok: bool = True
    message: str = ""


@dataclass
class CheckReport:
    """The verdict. ``source``, ``candidate``, ``buffers`` and ``seed`` are those of the first
    input set that failed (of the first one when all passed); ``runs`` has every set."""

    ok: bool
    source: Execution
    candidate: Optional[Execution]
    buffers: list[BufferReport] = field(default_factory=list)
    seed: Optional[int] = 0
    message: str = ""
    seeds: list[int] = field(default_factory=list)  # empty when the caller gave the values
    args: Optional[str] = None  # the argument spec the inputs follow
    prefilled: list[str] = field(default_factory=list)  # buffers both runs started as the sentinel
    runs: list[InputRun] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        out = list(self.source.findings)
        if self.candidate is not None:
            out += self.candidate.findings
        return out

    @property
    def candidate_errors(self) -> list[Finding]:
        """The candidate's error findings over every input set, once per kind and line."""
        seen: dict[tuple[str, int], Finding] = {}
        for r in self.runs:
            for f in r.candidate_errors:
                seen.setdefault((f.kind, f.line), f)
        return list(seen.values())

    @property
    def tolerance(self) -> dict[str, tuple[float, float]]:
        """(rtol, atol) per compared buffer."""
        return {b.name: (b.rtol, b.atol) for b in self.buffers}

    @property
    def first_mismatch(self) -> Optional[str]:
        """The first wrong element of the first failing input set (``seed 1: y[3]: ...``)."""
        for r in self.runs:
            for b in r.buffers:
                p = b.first_problem()
                if p:
                    return f"{r.label}: {p}"
        return None

    def describe(self) -> str:
        """What was compared and the verdict, for people."""
        sets = f"seeds {', '.join(map(str, self.seeds))}" if self.seeds else f"{len(self.runs)} given input sets"
        head = f"{'source and candidate' if self.candidate is not None else 'source'} on {sets}"
        if self.args:
            head += f" (args {self.args})"
        if self.prefilled:
            head += f"; pre-filled with the sentinel: {', '.join(self.prefilled)}"
        lines = [head]
        for r in self.runs:
            lines += [f"  {r.label}: {b.describe()}" for b in r.buffers]
            lines += [f"  {r.label}: candidate finding: {f}" for f in r.candidate_errors]
        lines.append("verdict: ok" if self.ok else f"verdict: failed: {self.message}")
        return "\n".join(lines)


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


def _element_bytes(a: np.ndarray) -> np.ndarray:
    """One row of bytes per element (bit-exact comparisons, NaN payloads included)."""
    a = np.ascontiguousarray(a)
    return a.view(np.uint8).reshape(a.size, a.itemsize)


def compare(expected: np.ndarray, got: np.ndarray, name: str, rtol: float, atol: float,
            expected_written: Optional[np.ndarray] = None, got_written: Optional[np.ndarray] = None) -> BufferReport:
    """Compare one buffer. With both written masks: elements both wrote are compared with the
    tolerance (a NaN in both is a match: both computed it); an element only the expected side
    wrote is never written, one only ``got`` wrote is a candidate-only write (the value left
    there, a sentinel or an input, never counts as a match); elements neither wrote must
    agree bit for bit or within the tolerance. Without masks every element is compared."""
    r = BufferReport(name, expected.dtype.name, tuple(expected.shape), rtol, atol)
    e = expected.astype(np.float64)
    g = got.astype(np.float64).reshape(e.shape)
    with np.errstate(invalid="ignore"):  # inf - inf is NaN: both infinities are handled below
        diff = np.abs(e - g)
    both_nan = np.isnan(e) & np.isnan(g)
    diff[both_nan] = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(np.abs(e) > 0, diff / np.abs(e), np.where(diff > 0, np.inf, 0.0))
    if expected.dtype.kind in "iub":  # exact, and float64 cannot hold every int64
        bad = (expected != got.reshape(expected.shape))
    else:
        bad = (diff > atol + rtol * np.abs(e)) | (np.isnan(e) ^ np.isnan(g))
    if expected_written is not None and got_written is not None:
        ew, gw = expected_written.reshape(e.shape), got_written.reshape(e.shape)
        both, neither = ew & gw, ~ew & ~gw
        same_bits = (_element_bytes(expected) == _element_bytes(got.reshape(expected.shape))).all(axis=1)
        bad = (bad & both) | (bad & neither & ~same_bits.reshape(e.shape))
        missing, extra = ew & ~gw, ~ew & gw
        r.never_written = int(missing.sum())
        if r.never_written:
            r.first_never_written = tuple(int(i) for i in np.argwhere(missing)[0])
        r.candidate_only_writes = int(extra.sum())
        if r.candidate_only_writes:
            r.first_candidate_only_write = tuple(int(i) for i in np.argwhere(extra)[0])
        counted = both | neither
    else:
        counted = np.ones(e.shape, bool)
    finite = np.isfinite(diff) & counted
    r.max_abs = float(diff[finite].max()) if finite.any() else 0.0
    rel_ok = np.isfinite(rel) & counted
    r.max_rel = float(rel[rel_ok].max()) if rel_ok.any() else 0.0
    r.mismatches = int(bad.sum())
    if r.mismatches:
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        r.first_mismatch = idx
        r.expected_at_first, r.got_at_first = float(e[idx]), float(g[idx])
    return r


def make_inputs(module: ir.Module, kernel: Optional[str], arg_spec: Optional[str], seed: int,
                generators: Optional[dict[str, str]] = None) -> Values:
    """Seeded random values for every argument of the spec (the args comment by default)."""
    return _inputs.values(_spec_text(module, kernel, arg_spec, required=True), seed, generators)


def _spec_text(module: ir.Module, kernel: Optional[str], arg_spec: Optional[str], required: bool) -> Optional[str]:
    f = pick_kernel(module, kernel)
    text = arg_spec or f.annotations.get("args")
    if not text and required:
        raise XpilerError(f"no argument spec for {f.name}: pass args='x=float32[N] n=N ...' or add "
                          f"'// xpiler: args ...' above the kernel")
    return text


@dataclass
class _InputSet:
    label: str
    seed: Optional[int]
    values: Values


def _input_sets(module: ir.Module, kernel: Optional[str], args: Optional[str], values, seeds, seed,
                generators) -> tuple[list[_InputSet], list[int], Optional[str]]:
    """The input sets of a verdict (at least two), the seeds they came from, the spec."""
    text = _spec_text(module, kernel, args, required=values is None)
    if values is not None:
        if seeds is not None or seed is not None:
            raise XpilerError("pass values or seeds, not both: given values are the input sets")
        if isinstance(values, dict) or len(values) < 2:
            raise XpilerError("a verdict needs at least two input sets: pass values=[v0, v1, ...] "
                              "or let the oracle generate them from the argument spec and seeds")
        return [_InputSet(f"values[{i}]", None, v) for i, v in enumerate(values)], [], text
    if seeds is not None and seed is not None:
        raise XpilerError("pass seeds=(a, b, ...) or seed=s (which means seeds s and s + 1), not both")
    chosen = list(seeds) if seeds is not None else ([seed, seed + 1] if seed is not None else list(DEFAULT_SEEDS))
    if len(set(chosen)) < 2:
        raise XpilerError(f"a verdict needs at least two different input seeds, got {chosen}")
    return [_InputSet(f"seed {s}", s, _inputs.values(text, s, generators)) for s in chosen], chosen, text


def _dtype_names(text: Optional[str], values: Values) -> dict[str, str]:
    """Each buffer's dtype as the spec names it (bfloat16 lives in uint16 arrays)."""
    out = {k: v.dtype.name for k, v in values.items() if isinstance(v, np.ndarray)}
    if text:
        out.update({a.name: a.dtype for a in spec.parse_args(text) if a.is_buffer and a.name in out})
    return out


def _copy(values: Values) -> Values:
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in values.items()}


def _filled(values: Values, names: Sequence[str], dtypes: dict[str, str], kind: str) -> Values:
    out = _copy(values)
    for n in names:
        out[n] = _inputs.filled(dtypes[n], values[n].shape, kind).reshape(values[n].shape)
    return out


def _run(module: ir.Module, vals: Values, **kw) -> Execution:
    """``execute`` on a copy of ``vals``; an element whose bytes changed counts as written
    even where the runtime's mask missed the write (natively run AVX-512 intrinsics are not
    checked accesses), so the masks the oracle compares never miss a change."""
    ex = execute(module, args=_copy(vals), **kw)
    for name, out in ex.outputs.items():
        before = vals.get(name)
        if not isinstance(before, np.ndarray) or before.size != out.size:
            continue
        changed = (_element_bytes(before) != _element_bytes(out)).any(axis=1).reshape(out.shape)
        w = ex.written.get(name)
        ex.written[name] = changed if w is None else (w.reshape(out.shape) | changed)
    return ex


def _same(a: Execution, b: Execution) -> bool:
    """Whether two runs of one program did exactly the same: status, findings, written masks
    and the bits of every written element."""
    if a.status != b.status or {(f.kind, f.line) for f in a.findings} != {(f.kind, f.line) for f in b.findings}:
        return False
    if set(a.written) != set(b.written) or set(a.outputs) != set(b.outputs):
        return False
    for name, wa in a.written.items():
        wb = b.written[name]
        if not np.array_equal(wa, wb):
            return False
        if name in a.outputs:
            m = wa.reshape(-1)
            if not np.array_equal(_element_bytes(a.outputs[name])[m], _element_bytes(b.outputs[name])[m]):
                return False
    return True


@dataclass
class _SourcePlan:
    prefilled: list[str]
    runs: list[Execution]  # the source on each input set, prefilled buffers as the sentinel


# The source's side of a verdict depends only on the source and its inputs: a caller that
# checks many candidates against one source (the mutation bench) runs and probes it once.
_PLANS: "OrderedDict[tuple, _SourcePlan]" = OrderedDict()
_PLANS_KEPT = 4


def _plan(run: Callable[[Values, Optional[int]], Execution], sets: list[_InputSet],
          dtypes: dict[str, str]) -> _SourcePlan:
    """Which buffers the source writes before reading (see the module doc), and its runs."""
    base = [run(s.values, s.seed) for s in sets]
    if not all(b.ok for b in base):
        return _SourcePlan([], base)
    written = [n for n in base[0].outputs if n in dtypes and _written_in(n, base)]

    def probe(names: list[str]) -> Optional[list[Execution]]:
        sentinel_runs = []
        for s, b in zip(sets, base):
            for kind in _inputs.FILLS:  # the sentinel first: its run is the one the check keeps
                ex = run(_filled(s.values, names, dtypes, kind), s.seed)
                if not _same(b, ex):
                    return None
                if kind == "sentinel":
                    sentinel_runs.append(ex)
        return sentinel_runs

    if not written:
        return _SourcePlan([], base)
    runs = probe(written)
    if runs is not None:
        return _SourcePlan(written, runs)
    chosen: list[str] = []
    runs = base
    for n in written:
        r = probe(chosen + [n])
        if r is not None:
            chosen.append(n)
            runs = r
    return _SourcePlan(chosen, runs)


def _written_in(name: str, runs: list[Execution]) -> bool:
    return any(r.written.get(name) is not None and r.written[name].any() for r in runs)


def _errors(ex: Execution) -> list[Finding]:
    return [f for f in ex.findings if f.severity == "error"]


def _judge(s: _InputSet, ex_src: Execution, ex_c: Execution, forced: list[str], red: float,
           rtol: Optional[float], atol: Optional[float]) -> InputRun:
    run = InputRun(s.label, s.seed, ex_src, ex_c)
    if not ex_src.ok:
        run.ok, run.message = False, f"{s.label}: the source did not run: {ex_src.message}"
        return run
    if not ex_c.ok:
        run.ok, run.message = False, f"{s.label}: the candidate did not run: {ex_c.message}"
        return run
    for name in forced:
        if name not in ex_src.outputs or name not in ex_c.outputs:
            raise XpilerError(f"buffer {name} missing from a run's outputs")
    problems = []
    for name, exp in ex_src.outputs.items():
        got = ex_c.outputs.get(name)
        if got is None:
            raise XpilerError(f"buffer {name} missing from the candidate's outputs")
        ew, gw = ex_src.written.get(name), ex_c.written.get(name)
        touched = (ew is not None and ew.any()) or (gw is not None and gw.any())
        if name not in forced and not touched and np.array_equal(_element_bytes(exp), _element_bytes(got)):
            continue  # an input neither program wrote
        rt, at = tolerance(exp.dtype, red)
        b = compare(exp, got, name, rtol if rtol is not None else rt, atol if atol is not None else at, ew, gw)
        run.buffers.append(b)
        if not b.ok:
            problems.append(b.describe())
    run.candidate_errors = _errors(ex_c)
    if run.candidate_errors:
        src_kinds = {f.kind for f in _errors(ex_src)}
        problems.append("the candidate has error finding(s): " + "; ".join(
            str(f) + (" (the source has one too)" if f.kind in src_kinds else "") for f in run.candidate_errors))
    run.ok = not problems
    run.message = f"{s.label}: " + "; ".join(problems) if problems else ""
    return run


def _verdict(runs: list[InputRun], seeds: list[int], text: Optional[str], prefilled: list[str]) -> CheckReport:
    failing = [r for r in runs if not r.ok]
    shown = failing[0] if failing else runs[0]
    msg = shown.message
    if len(failing) > 1:
        msg += f" (fails on {', '.join(r.label for r in failing[1:])} too)"
    return CheckReport(not failing, shown.source, shown.candidate, shown.buffers, shown.seed, msg, seeds, text,
                       prefilled, runs)


def check(source, candidate=None, *, path: Optional[str] = None, candidate_path: Optional[str] = None,
          dialect: Optional[str] = None, candidate_dialect: Optional[str] = None, kernel: Optional[str] = None,
          candidate_kernel: Optional[str] = None, args: Optional[str] = None,
          values: Optional[Sequence[Values]] = None, launch: Optional[str] = None,
          candidate_launch: Optional[str] = None, generators: Optional[dict[str, str]] = None,
          outputs: Optional[list[str]] = None, seeds: Optional[Sequence[int]] = None, seed: Optional[int] = None,
          rtol: Optional[float] = None, atol: Optional[float] = None, trace: bool = False,
          timeout: float = 60.0) -> CheckReport:
    """Run ``source`` (and ``candidate``) on the same inputs, one run per seed of ``seeds``
    (default 0 and 1; ``seed=s`` means ``(s, s + 1)``) or per dict of ``values`` (two or more),
    and compare (see the module doc). ``outputs`` names buffers to compare even if neither
    program writes them; ``rtol``/``atol`` override the dtype tolerances."""
    src_mod = load(source, path, dialect)
    sets, seed_list, text = _input_sets(src_mod, kernel, args, values, seeds, seed, generators)

    def run_source(vals: Values, seed_: Optional[int], tr: bool = False) -> Execution:
        return _run(src_mod, vals, kernel=kernel, launch=launch, trace=tr, timeout=timeout, seed=seed_ or 0)

    if candidate is None:
        runs = []
        for s in sets:
            ex = run_source(s.values, s.seed, trace)
            errs = _errors(ex)
            msg = ex.message or ("; ".join(map(str, errs)) if errs else "")
            runs.append(InputRun(s.label, s.seed, ex, None, ok=ex.ok and not errs,
                                 message=f"{s.label}: {msg}" if msg else ""))
        return _verdict(runs, seed_list, text, [])

    cand_mod = load(candidate, candidate_path, candidate_dialect)
    dtypes = _dtype_names(text, sets[0].values)
    key = None
    if values is None and not trace:
        key = (print_module(src_mod), src_mod.path, src_mod.dialect, kernel, launch, text,
               tuple(sorted((generators or {}).items())), tuple(seed_list), timeout)
    plan = _PLANS.get(key) if key else None
    if plan is None:
        plan = _plan(run_source, sets, dtypes)
        if key:
            _PLANS[key] = plan
            while len(_PLANS) > _PLANS_KEPT:
                _PLANS.popitem(last=False)
    else:
        _PLANS.move_to_end(key)
    src_written = [n for n in plan.runs[0].outputs if _written_in(n, plan.runs)]
    red = reduction_length(sets[0].values, list(outputs or src_written))
    forced = list(outputs or [])
    runs = []
    for s, ex_src in zip(sets, plan.runs):
        if not ex_src.ok:
            runs.append(InputRun(s.label, s.seed, ex_src, None, ok=False,
                                 message=f"{s.label}: the source did not run: {ex_src.message}"))
            break
        vals = _filled(s.values, plan.prefilled, dtypes, "sentinel")
        if trace:
            ex_src = run_source(vals, s.seed, True)
        ex_c = _run(cand_mod, vals, kernel=candidate_kernel or kernel, launch=candidate_launch, trace=trace,
                    timeout=timeout, seed=s.seed or 0)
        runs.append(_judge(s, ex_src, ex_c, forced, red, rtol, atol))
    return _verdict(runs, seed_list, text, plan.prefilled)
