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

Heavy kernels: sampled verdicts (issue 16). A checked run costs several times an unchecked
one (an instance norm over 1x3x224x224 in which every thread reads its whole plane: about
45 s of CPU checked, 9 s unchecked, here), and a verdict makes about ten of them. So every
checked run goes with a budget (``Budget.checked``, 5 s): the runtime projects its launch's
time from the blocks or tasks done and stops itself when the projection (or the clock) goes
over it. The first run over the budget switches the verdict to *sampled* mode
(``report.sampled``, ``report.sampling``; the compute check's verdict is then ``sampled``,
never ``tested``):

- the checked runs (the source's plan runs, the candidate's run on each input set) cover a
  sample of the kernel's blocks or tasks: about ``Budget.sample_seconds`` of them, at least
  ``min_sample``, spread evenly with the first and the last among them; the runtime runs
  those and skips the rest. A program with no blocks or tasks to sample (C, VNNI, a host
  wrapper) is checked for its first ``Budget.prefix`` seconds instead (its findings so far);
- the outputs come from full unchecked runs of both programs (side by side on
  ``Budget.parallel`` processes) on the same sentinel-prefilled inputs, and are compared
  as above, every element of every buffer, on every seed;
- the message says what was sampled (``checked 6 of 588 blocks ... compared every output
  of full unchecked runs``).

What holds and what is weakened in sampled mode: two seeds or more, the sentinel prefill,
comparing every written buffer in full and failing on the candidate's error findings all
hold. Weakened: (1) findings (out of bounds, races, never-written reads, barrier divergence,
operand spaces) are only looked for in the sampled blocks or tasks, or the checked prefix,
of each program: an out-of-bounds read confined to a block left out goes unseen unless it
changes an output (a wrong *value* anywhere is still caught by the full comparison); (2)
written masks of the compared runs are the elements whose bytes changed, so an element
written with the bits it already held counts as not written (for a prefilled buffer: a
candidate that writes the sentinel's exact bits); (3) which buffers start as the sentinel
is decided from the sampled runs (for a source with nothing to sample, from full unchecked
runs); (4) with ``trace=True`` the trace covers the checked runs only. ``budget=FULL`` turns
sampling off (every run checked in full, however long).
"""
from __future__ import annotations

import math
import os
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence, Union

import numpy as np

from . import ir, spec
from .diagnostics import XpilerError
from .printer import print_module
from .runtime import inputs as _inputs
from .runtime.findings import Finding
from .runtime.run import Execution, Progress, execute, load, pick_kernel

DEFAULT_TOLERANCE = {  # dtype -> (rtol, atol) for one rounding; reductions widen atol
    "float64": (1e-9, 1e-12), "float32": (1e-4, 1e-5), "float16": (1e-2, 1e-3), "bfloat16": (2e-2, 1e-2),
}
DEFAULT_SEEDS = (0, 1)

Values = dict[str, Union[np.ndarray, int, float]]


@dataclass(frozen=True)
class Budget:
    """When a verdict samples, and how (issue 16; see the module doc). Parameters, so that a
    test can trip sampling on a medium kernel with a low ``checked``."""

    checked: float = 5.0  # seconds a checked run may take (projected); more: sampled mode (inf: never)
    probe_after: float = 1.0  # a run's projection starts after this many seconds
    sample_seconds: float = 1.0  # about how long one sampled checked run should take
    min_sample: int = 4  # blocks or tasks per sampled checked run, at least ...
    max_sample: int = 64  # ... and at most
    prefix: float = 3.0  # seconds of checked run for a program with no blocks or tasks to sample
    parallel: int = 0  # full unchecked runs at once (0: one per CPU, at most 4)

    @property
    def on(self) -> bool:
        return math.isfinite(self.checked) and self.checked > 0

    def workers(self) -> int:
        return self.parallel if self.parallel > 0 else max(1, min(4, os.cpu_count() or 1))


DEFAULT_BUDGET = Budget()
FULL = Budget(checked=math.inf)  # never sample


@dataclass
class Sampling:
    """What a sampled verdict checked: ``source``/``candidate`` say how each program's checked
    runs went (``checked 6 of 588 blocks``, ``checked the first 5 s of its run``, ``checked in
    full``), ``compared`` what the outputs came from."""

    reason: str
    source: str
    candidate: Optional[str] = None
    compared: str = ""

    def describe(self) -> str:
        parts = [f"source: {self.source}"]
        if self.candidate is not None:
            parts.append(f"candidate: {self.candidate}")
        if self.compared:
            parts.append(self.compared)
        return f"sampled ({self.reason}): " + "; ".join(parts)


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
    expected_at_never_written: Optional[float] = None  # the source's value there
    got_at_candidate_only: Optional[float] = None  # the candidate's value there
    # check(..., locate=True), on the input set shown: who last wrote ``first_wrong()`` in
    # each program (``{"line", "who", "writes"}``; writes 0: it never wrote it; None: not
    # located), and for an element the candidate never wrote, the candidate's lines that
    # write this buffer, nearest first (by the offsets they write)
    writer: Optional[dict] = None
    source_writer: Optional[dict] = None
    writing_lines: list[int] = field(default_factory=list)

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

    def first_wrong(self) -> Optional[tuple[tuple, str]]:
        """The first wrong element and how it is wrong: ``differs``, ``never-written``
        (the source wrote it, the candidate did not) or ``candidate-only``."""
        if self.mismatches:
            return self.first_mismatch, "differs"  # type: ignore[return-value]
        if self.never_written:
            return self.first_never_written, "never-written"  # type: ignore[return-value]
        if self.candidate_only_writes:
            return self.first_candidate_only_write, "candidate-only"  # type: ignore[return-value]
        return None

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
    # sampled mode: the checked runs (on a sample of blocks or tasks, or a prefix) whose
    # findings count; ``source``/``candidate`` are then the full unchecked runs compared
    source_checked: Optional[Execution] = None
    candidate_checked: Optional[Execution] = None


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
    sampling: Optional[Sampling] = None  # set when the verdict is sampled (never "tested")

    @property
    def sampled(self) -> bool:
        return self.sampling is not None

    @property
    def findings(self) -> list[Finding]:
        shown = next((r for r in self.runs if r.source is self.source), None)
        src = shown.source_checked if shown is not None and shown.source_checked is not None else self.source
        out = list(src.findings)
        if self.candidate is not None:
            cand = shown.candidate_checked if shown is not None and shown.candidate_checked is not None \
                else self.candidate
            out += cand.findings
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
        if self.sampling is not None:
            lines.append(self.sampling.describe())
        for r in self.runs:
            lines += [f"  {r.label}: {b.describe()}" for b in r.buffers]
            lines += [f"  {r.label}: candidate finding: {f}" for f in r.candidate_errors]
        verdict = "sampled" if self.sampling is not None else "ok"
        lines.append(f"verdict: {verdict}" if self.ok else f"verdict: failed: {self.message}")
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
            r.expected_at_never_written = float(e[r.first_never_written])
        r.candidate_only_writes = int(extra.sum())
        if r.candidate_only_writes:
            r.first_candidate_only_write = tuple(int(i) for i in np.argwhere(extra)[0])
            r.got_at_candidate_only = float(g[r.first_candidate_only_write])
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
    # sampled mode (see _Side): runs are checked ones on a sample of blocks or tasks (or,
    # for a source with none, full unchecked ones, and `checked` its prefix-checked runs)
    sampled: bool = False
    sample: Optional[int] = None
    reason: str = ""
    checked: list[Execution] = field(default_factory=list)
    full: dict = field(default_factory=dict)  # set index -> the full unchecked run (sentinel-filled)


# The source's side of a verdict depends only on the source and its inputs: a caller that
# checks many candidates against one source (the mutation bench) runs and probes it once.
_PLANS: "OrderedDict[tuple, _SourcePlan]" = OrderedDict()
_PLANS_KEPT = 4


def _plan(run: Callable[[Values, Optional[int]], Execution], sets: list[_InputSet],
          dtypes: dict[str, str], workers: int = 1) -> _SourcePlan:
    """Which buffers the source writes before reading (see the module doc), and its runs.
    The input sets run side by side on ``workers`` processes."""
    base = _parallel([lambda s=s: run(s.values, s.seed) for s in sets], workers)
    if not all(b.ok for b in base):
        return _SourcePlan([], base)
    written = [n for n in base[0].outputs if n in dtypes and _written_in(n, base)]

    def probe_set(s: _InputSet, b: Execution, names: list[str]) -> Optional[Execution]:
        keep = None
        for kind in _inputs.FILLS:  # the sentinel first: its run is the one the check keeps
            ex = run(_filled(s.values, names, dtypes, kind), s.seed)
            if not _same(b, ex):
                return None
            if kind == "sentinel":
                keep = ex
        return keep

    def probe(names: list[str]) -> Optional[list[Execution]]:
        got = _parallel([lambda s=s, b=b: probe_set(s, b, names) for s, b in zip(sets, base)], workers)
        return None if any(g is None for g in got) else got

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
           rtol: Optional[float], atol: Optional[float], src_checked: Optional[Execution] = None,
           cand_checked: Optional[Execution] = None) -> InputRun:
    """Compare one input set's runs. In sampled mode ``ex_src``/``ex_c`` are full unchecked
    runs (outputs, written = changed bytes) and the findings come from ``cand_checked``, the
    candidate's checked run on a sample of its blocks or tasks (or a prefix of its run)."""
    run = InputRun(s.label, s.seed, ex_src, ex_c, source_checked=src_checked, candidate_checked=cand_checked)
    if not ex_src.ok:
        run.ok, run.message = False, f"{s.label}: the source did not run: {ex_src.message}"
        return run
    if not ex_c.ok:
        run.ok, run.message = False, f"{s.label}: the candidate did not run: {ex_c.message}"
        return run
    if cand_checked is not None and not cand_checked.ok and not _partial(cand_checked):
        run.ok = False
        run.message = f"{s.label}: the candidate's checked run did not finish: {cand_checked.message}"
        run.candidate_errors = _errors(cand_checked)
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
    run.candidate_errors = _errors(cand_checked if cand_checked is not None else ex_c)
    if run.candidate_errors:
        src_kinds = {f.kind for f in _errors(src_checked if src_checked is not None else ex_src)}
        problems.append("the candidate has error finding(s): " + "; ".join(
            str(f) + (" (the source has one too)" if f.kind in src_kinds else "") for f in run.candidate_errors))
    run.ok = not problems
    run.message = f"{s.label}: " + "; ".join(problems) if problems else ""
    return run


def _verdict(runs: list[InputRun], seeds: list[int], text: Optional[str], prefilled: list[str],
             sampling: Optional[Sampling] = None) -> CheckReport:
    failing = [r for r in runs if not r.ok]
    shown = failing[0] if failing else runs[0]
    msg = shown.message
    if len(failing) > 1:
        msg += f" (fails on {', '.join(r.label for r in failing[1:])} too)"
    if sampling is not None and msg:
        msg += f" [{sampling.describe()}]"
    return CheckReport(not failing, shown.source, shown.candidate, shown.buffers, shown.seed, msg, seeds, text,
                       prefilled, runs, sampling)


def _stopped(ex: Execution, why: str) -> bool:
    return ex.status == "stopped" and ex.progress is not None and ex.progress.stopped == why


def _partial(ex: Execution) -> bool:
    """A checked run that stopped itself (its deadline, or its budget probe) at a statement
    or a block boundary: its findings so far hold, its outputs are partial."""
    return _stopped(ex, "deadline") or _stopped(ex, "budget")


class _OverBudget(Exception):
    def __init__(self, side: "_Side", ex: Execution):
        super().__init__(ex.message)
        self.side, self.ex = side, ex


class _Side:
    """One program of a verdict and how its runs go: checked in full (with the budget probe:
    a run over the budget raises ``_OverBudget``), or, in sampled mode, checked on a sample
    of its blocks or tasks (or for its first ``prefix`` seconds when it has none) plus full
    unchecked runs for the outputs."""

    def __init__(self, name: str, module: ir.Module, kernel: Optional[str], launch: Optional[str], timeout: float,
                 budget: Budget):
        self.name, self.module, self.kernel, self.launch = name, module, kernel, launch
        self.timeout, self.budget = timeout, budget
        f = pick_kernel(module, kernel)
        self.units = module.dialect in ("cuda", "hip", "bang") and f.kind == "kernel"
        self.sampled = False
        self.sample: Optional[int] = None  # blocks or tasks per checked run (None: a prefix check)
        self.probe_budget = budget.on  # full checked runs stop at the budget
        self.reason = ""

    def _exec(self, vals: Values, seed: Optional[int], **kw) -> Execution:
        return _run(self.module, vals, kernel=self.kernel, launch=self.launch, timeout=self.timeout,
                    seed=seed or 0, **kw)

    def checked(self, vals: Values, seed: Optional[int], trace: bool = False) -> Execution:
        B = self.budget
        if not self.sampled:
            if not self.probe_budget:
                return self._exec(vals, seed, trace=trace)
            ex = self._exec(vals, seed, trace=trace, budget=B.checked, probe_after=B.probe_after)
            if _stopped(ex, "budget"):
                raise _OverBudget(self, ex)
            return ex
        if self.sample is not None:  # a safety deadline: a sampled block heavier than the probe said
            ex = self._exec(vals, seed, trace=trace, sample=self.sample,
                            deadline=max(B.prefix, 4 * B.sample_seconds, 4 * B.checked))
        else:
            ex = self._exec(vals, seed, trace=trace, deadline=B.prefix)
        return ex

    def unchecked(self, vals: Values, seed: Optional[int]) -> Execution:
        return self._exec(vals, seed, checks=False)

    def build_unchecked(self) -> None:
        """Compile the unchecked program once, before parallel runs would each compile it."""
        from .runtime import build as _build

        try:
            _build.build(self.module, pick_kernel(self.module, self.kernel).name, checks=False)
        except XpilerError:
            pass  # the run reports it

    def go_sampled(self, ex: Execution, why: Optional[str] = None) -> None:
        """Switch to sampled mode after ``ex`` (a checked run stopped at the budget)."""
        B, p = self.budget, ex.progress
        proj = p.projected if p is not None else None
        self.reason = why or (f"the {self.name}'s checked run was projected at {proj:.0f} s, over the "
                              f"{B.checked:g} s budget" if proj else
                              f"the {self.name}'s checked run was still going after the {B.checked:g} s budget")
        if self.units:
            per = p.per_unit if p is not None else None
            k = int(B.sample_seconds / per) if per else B.min_sample
            k = max(B.min_sample, min(B.max_sample, k))
            if p is not None and p.total and k >= p.total:
                # too few blocks or tasks to leave any out: checked in full, however long it takes
                self.probe_budget = False
                return
            self.sample = k
        self.sampled = True

    def sampled_like(self, other: "_Side") -> None:
        """Sampled because the other program is: as many blocks or tasks per checked run as it
        checks (or its first ``prefix`` seconds, with none to sample)."""
        self.sampled, self.reason = True, other.reason
        self.sample = (other.sample or self.budget.min_sample) if self.units else None


def _parallel(jobs: list[Callable[[], Execution]], workers: int) -> list[Execution]:
    if workers <= 1 or len(jobs) <= 1:
        return [j() for j in jobs]
    with ThreadPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        return [f.result() for f in [pool.submit(j) for j in jobs]]


def _coverage(ex: Optional[Execution]) -> str:
    """What a checked run of sampled mode covered, in words."""
    if ex is None:
        return "not run"
    p = ex.progress
    if p is None:
        return f"a run that reported no progress ({ex.status})"
    if p.stopped in ("deadline", "budget"):
        if p.unit:
            return (f"{p.ran} of {p.total} {p.unit}s" + (", a sample" if p.skipped else ", the first ones")
                    + f" (stopped at its {p.stopped})")
        return f"the first {ex.elapsed:.0f} s of its run (stopped at its {p.stopped})"
    if p.sampled:
        return f"{p.ran} of {p.total} {p.unit}s, spread evenly (the first and the last among them)"
    if not ex.ok:
        return f"a run that did not finish ({ex.status})"
    return f"every {p.unit}" if p.unit else "its whole run"


def _side_summary(runs: list[InputRun], which: str) -> str:
    exs = [getattr(r, f"{which}_checked") or getattr(r, which) for r in runs]
    got = [(r.label, _coverage(ex)) for r, ex in zip(runs, exs)]
    kinds = list(dict.fromkeys(c for _, c in got))
    if len(kinds) == 1:
        text = f"checked {kinds[0]}" + (" on each input set" if len(got) > 1 else "")
    else:
        text = "checked " + "; ".join(f"{lab}: {c}" for lab, c in got)
    lines = list(dict.fromkeys(ex.progress.line for ex in exs if ex is not None and ex.progress is not None
                               and ex.progress.stopped and not ex.progress.unit and ex.progress.line > 0))
    if lines:
        text += f", stopped at line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}"
    return text


def _labels(labels: list[str]) -> str:
    """``seeds 0, 1`` (or the labels as they are)."""
    if labels and all(lab.startswith("seed ") for lab in labels):
        return ("seeds " if len(labels) > 1 else "seed ") + ", ".join(lab[5:] for lab in labels)
    return ", ".join(labels)


def _source_plan(src: _Side, sets: list[_InputSet], dtypes: dict[str, str]) -> _SourcePlan:
    """The plan (which buffers start as the sentinel, see ``_plan``), with the budget: a
    source over it is planned on checked runs of a sample of its blocks or tasks; one with
    none to sample, on full unchecked runs (with prefix-checked runs for its findings)."""
    w = src.budget.workers()
    try:
        return _plan(src.checked, sets, dtypes, w)
    except _OverBudget as e:
        src.go_sampled(e.ex)
    if not src.sampled:  # too few blocks or tasks to leave any out: in full after all
        return _plan(src.checked, sets, dtypes, w)
    if src.sample is not None:
        plan = _plan(src.checked, sets, dtypes, w)
        plan.checked = list(plan.runs)
    else:
        plan = _plan(src.unchecked, sets, dtypes, w)
        plan.checked = [src.checked(_filled(s.values, plan.prefilled, dtypes, "sentinel"), s.seed) for s in sets]
        plan.full = dict(enumerate(plan.runs))
    plan.sampled, plan.sample, plan.reason = True, src.sample, src.reason
    return plan


def check(source, candidate=None, *, path: Optional[str] = None, candidate_path: Optional[str] = None,
          dialect: Optional[str] = None, candidate_dialect: Optional[str] = None, kernel: Optional[str] = None,
          candidate_kernel: Optional[str] = None, args: Optional[str] = None,
          values: Optional[Sequence[Values]] = None, launch: Optional[str] = None,
          candidate_launch: Optional[str] = None, generators: Optional[dict[str, str]] = None,
          outputs: Optional[list[str]] = None, seeds: Optional[Sequence[int]] = None, seed: Optional[int] = None,
          rtol: Optional[float] = None, atol: Optional[float] = None, trace: bool = False,
          timeout: float = 60.0, budget: Optional[Budget] = None, locate: bool = False) -> CheckReport:
    """Run ``source`` (and ``candidate``) on the same inputs, one run per seed of ``seeds``
    (default 0 and 1; ``seed=s`` means ``(s, s + 1)``) or per dict of ``values`` (two or more),
    and compare (see the module doc). ``outputs`` names buffers to compare even if neither
    program writes them; ``rtol``/``atol`` override the dtype tolerances. ``timeout``: seconds
    for each run; ``budget``: when the verdict samples (``Budget``; ``FULL`` never does).
    ``locate``: when the verdict fails, run both programs once more on the failing input set
    watching each buffer's first wrong element, and record who last wrote it in each
    (``BufferReport.writer``, ``source_writer``, ``writing_lines``: see ``_locate``)."""
    B = budget or DEFAULT_BUDGET
    src_mod = load(source, path, dialect)
    sets, seed_list, text = _input_sets(src_mod, kernel, args, values, seeds, seed, generators)
    src = _Side("source", src_mod, kernel, launch, timeout, B)

    if candidate is None:
        return _check_alone(src, sets, seed_list, text, trace)

    cand_mod = load(candidate, candidate_path, candidate_dialect)
    cand = _Side("candidate", cand_mod, candidate_kernel or kernel, candidate_launch, timeout, B)
    dtypes = _dtype_names(text, sets[0].values)
    key = None
    if values is None and not trace:
        key = (print_module(src_mod), src_mod.path, src_mod.dialect, kernel, launch, text,
               tuple(sorted((generators or {}).items())), tuple(seed_list), timeout, B)
    plan = _PLANS.get(key) if key else None
    if plan is None:
        plan = _source_plan(src, sets, dtypes)
        if key:
            _PLANS[key] = plan
            while len(_PLANS) > _PLANS_KEPT:
                _PLANS.popitem(last=False)
    else:
        _PLANS.move_to_end(key)
        if plan.sampled:
            src.sampled, src.sample, src.reason = True, plan.sample, plan.reason
    src_written = [n for n in plan.runs[0].outputs if _written_in(n, plan.runs)]
    red = reduction_length(sets[0].values, list(outputs or src_written))
    forced = list(outputs or [])

    # the candidate's checked runs: in full while under the budget (its first set is the probe)
    usable = []
    for s, ex_plan in zip(sets, plan.runs):
        if not ex_plan.ok:
            break
        usable.append(s)
    vals = {s.label: _filled(s.values, plan.prefilled, dtypes, "sentinel") for s in usable}
    cand_full: dict[str, Execution] = {}
    cand_checked: dict[str, Execution] = {}
    if src.sampled:
        cand.sampled_like(src)
    for s in usable:
        if cand.sampled:
            break
        try:
            cand_full[s.label] = cand.checked(vals[s.label], s.seed, trace)
        except _OverBudget as e:
            cand.go_sampled(e.ex)
            if cand.sampled and cand.sample is None:
                cand_checked[s.label] = e.ex  # a prefix check already: the probe stopped at a statement
            elif not cand.sampled:  # in full after all
                cand_full[s.label] = cand.checked(vals[s.label], s.seed, trace)

    # sampled mode: full unchecked runs for the outputs, checked runs on samples for findings
    jobs: dict[tuple[str, str], Callable[[], Execution]] = {}
    for i, s in enumerate(usable):
        v = vals[s.label]
        if src.sampled and i not in plan.full:
            jobs[("src", s.label)] = (lambda v=v, s=s: src.unchecked(v, s.seed))
        if s.label not in cand_full:
            jobs[("cand", s.label)] = (lambda v=v, s=s: cand.unchecked(v, s.seed))
            if s.label not in cand_checked:
                jobs[("cand_checked", s.label)] = (lambda v=v, s=s: cand.checked(v, s.seed, trace))
    for who, side in (("src", src), ("cand", cand)):
        if any(k[0] == who for k in jobs):
            side.build_unchecked()
    done = dict(zip(jobs, _parallel(list(jobs.values()), B.workers()))) if jobs else {}
    for i, s in enumerate(usable):
        if ("src", s.label) in done:
            plan.full[i] = done[("src", s.label)]
        if ("cand_checked", s.label) in done:
            cand_checked[s.label] = done[("cand_checked", s.label)]

    runs = []
    for i, (s, ex_plan) in enumerate(zip(sets, plan.runs)):
        if not ex_plan.ok:
            runs.append(InputRun(s.label, s.seed, ex_plan, None, ok=False,
                                 message=f"{s.label}: the source did not run: {ex_plan.message}"))
            break
        sampled = src.sampled or s.label not in cand_full
        src_checked = None
        if src.sampled:
            ex_src = plan.full[i]
            src_checked = plan.checked[i] if plan.checked else ex_plan
            if trace:  # the plan's runs carry no trace
                src_checked = src.checked(vals[s.label], s.seed, True)
        elif trace:
            ex_src = src.checked(vals[s.label], s.seed, True)
        else:
            ex_src = ex_plan
        if s.label in cand_full:
            ex_c, c_checked = cand_full[s.label], None
        else:
            ex_c, c_checked = done[("cand", s.label)], cand_checked[s.label]
        runs.append(_judge(s, ex_src, ex_c, forced, red, rtol, atol, src_checked if sampled else None,
                           c_checked if sampled else None))
    sampling = None
    if src.sampled or cand.sampled:
        both = [r for r in runs if r.source_checked is not None or r.candidate_checked is not None] or runs
        cmp_sets = [r.label for r in runs if r.candidate_checked is not None or src.sampled]
        sampling = Sampling(
            src.reason or cand.reason, _side_summary(both, "source") if src.sampled else "checked in full",
            _side_summary(both, "candidate") if cand.sampled else "checked in full",
            f"compared every output of full unchecked runs of {'both programs' if src.sampled else 'the candidate'}"
            f" on {_labels(cmp_sets)} (written elements: those whose bytes changed)")
    report = _verdict(runs, seed_list, text, plan.prefilled, sampling)
    if locate and not report.ok:
        _locate(report, src, cand, vals, B)
    return report


def _locate(report: CheckReport, src: _Side, cand: _Side, vals: dict[str, Values], budget: Budget) -> None:
    """Who wrote the first wrong element of each failing buffer, in both programs: one more
    checked run of each on the first failing input set with the runtime's ``watch`` option
    (the last write's line and thread, block or task), the candidate's with the access
    trace when an element is never written (to name the lines that write that buffer,
    nearest first). Runs stop at a deadline (a heavy kernel leaves ``writer`` None)."""
    run = next((r for r in report.runs if not r.ok and r.candidate is not None and r.label in vals
                and any(not b.ok for b in r.buffers)), None)
    if run is None:
        return
    watch: list[str] = []
    where: dict[str, tuple[BufferReport, int]] = {}
    for b in run.buffers:
        wrong = b.first_wrong()
        out = run.source.outputs.get(b.name)
        if wrong is None or out is None:
            continue
        byte = int(np.ravel_multi_index(wrong[0], out.shape)) * out.itemsize
        watch.append(f"{b.name}:{byte}")
        where[b.name] = (b, byte)
    if not watch:
        return
    need_trace = any(b.never_written and not b.mismatches for b, _ in where.values())
    deadline = max(10.0, 4 * budget.checked) if budget.on else None
    v = vals[run.label]
    options = {"watch": ",".join(watch)}
    try:
        ex_src, ex_cand = _parallel([
            lambda: src._exec(v, run.seed, options=options, deadline=deadline),
            lambda: cand._exec(v, run.seed, options=options, deadline=deadline, trace=need_trace)],
            budget.workers())
    except XpilerError:
        return
    for ex, attr in ((ex_src, "source_writer"), (ex_cand, "writer")):
        for w in ex.watched:
            if w["buffer"] in where:
                finished = ex.status == "ok" or w["writes"]
                setattr(where[w["buffer"]][0], attr, {k: w[k] for k in ("line", "who", "writes")}
                        if finished else None)
    for name, (b, byte) in where.items():
        lines = {}
        for t in ex_cand.trace:
            if t.get("buffer") == name and t.get("write") and t.get("bytes"):
                lines[t["line"]] = min(abs(x - byte) for x in t["bytes"])
        b.writing_lines = sorted(lines, key=lambda ln: (lines[ln], ln))


def _check_alone(src: _Side, sets: list[_InputSet], seed_list: list[int], text: Optional[str],
                 trace: bool) -> CheckReport:
    """The source alone on each input set: its findings (what ``xpiler check`` prints). Over
    the budget, a checked run of a sample of its blocks or tasks per set (findings there only);
    with none to sample, its first ``prefix`` seconds checked and a full unchecked run."""
    runs = []
    for s in sets:
        checked_run = None
        try:
            ex = src.checked(s.values, s.seed, trace)
        except _OverBudget as e:
            src.go_sampled(e.ex)
            checked_run = e.ex if src.sampled and src.sample is None else None
            ex = None
        if src.sampled:
            checked_run = checked_run or src.checked(s.values, s.seed, trace)
            ex = checked_run if src.sample is not None else src.unchecked(s.values, s.seed)
        elif ex is None:
            ex = src.checked(s.values, s.seed, trace)
        errs = _errors(checked_run if checked_run is not None else ex)
        msg = ex.message or ("; ".join(map(str, errs)) if errs else "")
        runs.append(InputRun(s.label, s.seed, ex, None, ok=ex.ok and not errs,
                             message=f"{s.label}: {msg}" if msg else "",
                             source_checked=checked_run if src.sampled else None))
    sampling = None
    if src.sampled:
        sampling = Sampling(src.reason, _side_summary(runs, "source"))
    return _verdict(runs, seed_list, text, [], sampling)
