"""Run a kernel on this CPU: resolve its launch and arguments, build its emulation, run it in
a limited child process, and read back its buffers and findings.

    ex = execute(text, path="k.cu", args={"x": x, "y": y, "n": 1000})
    ex.outputs["y"], ex.findings, ex.written["y"]

Heavy kernels (issue 16). Every run reports how far it got (``ex.progress``: the units its
dialect launches -- GPU blocks, BANG tasks of a BLOCK launch or jobs of a Union launch --
done of total, the line running, who ran it), also when the timeout stops it: the child gets
SIGTERM first, writes its progress (and, in a checked run, its findings so far) and the
message says how far it got and what to do (``--timeout S``, ``--no-checks``, ``--sample N``)
instead of guessing at an infinite loop. Three knobs, all optional:

- ``sample=K``: run only K of the launch's units, spread evenly (the first and the last
  among them); the others do not run at all. A checked run on a sample of blocks: its
  findings hold for those blocks; its outputs are partial (``progress.skipped`` > 0).
  Kernel entries only (a host wrapper's later launches would read what skipped blocks
  never wrote).
- ``budget=S``: a launch projected (after ``probe_after`` seconds, from the units done) to
  take more than S seconds stops itself, and so does any run still going after S seconds:
  status ``stopped``, ``progress.stopped == "budget"`` and the time per unit, so the caller
  (the oracle) can sample instead of waiting for the timeout. Costs nothing for a kernel
  under its budget.
- ``deadline=S``: a checked run stops at its first statement after S seconds with its
  findings so far (status ``stopped``, ``progress.stopped == "deadline"``): a prefix check
  for programs that have no units to sample (C, VNNI).
"""
from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import numpy as np

from .. import ir, spec
from ..diagnostics import Diagnostic, XpilerError
from ..frontend import parse
from . import build as _build
from . import sandbox
from .findings import Finding, read_findings
from .resolve import Resolved, resolve

ArgValue = Union[np.ndarray, int, float]


@dataclass
class Progress:
    """How far a run got (the runtime's ``progress.txt``)."""

    unit: Optional[str]  # block, task, job; None: nothing was launched (C, VNNI, a host function)
    total: int = 0  # units of the (last) launch
    done: int = 0  # units of that launch finished or skipped
    ran: int = 0  # units run, over every launch
    skipped: int = 0  # units a sampled run left out
    launches: int = 0
    seconds: float = 0.0  # in launches
    line: int = 0  # the line running when it stopped (or last recorded)
    who: str = ""
    stopped: str = ""  # why it stopped early: timeout, deadline, budget ("" when it finished)

    @classmethod
    def read(cls, path: Path) -> Optional["Progress"]:
        if not path.exists():
            return None
        kv = {}
        for ln in path.read_text(errors="replace").splitlines():
            k, _, v = ln.partition(" ")
            kv[k] = v
        try:
            num = lambda k: int(kv.get(k, "0") or 0)  # noqa: E731
            unit = kv.get("unit", "-")
            return cls(None if unit in ("", "-") else unit, num("total"), num("done"), num("ran"), num("skipped"),
                       num("launches"), num("ms") / 1000.0, num("line"), kv.get("who", ""),
                       "" if kv.get("stopped", "-") == "-" else kv.get("stopped", ""))
        except ValueError:
            return None

    @property
    def sampled(self) -> bool:
        return self.skipped > 0

    @property
    def projected(self) -> Optional[float]:
        """Seconds the whole launch would take at the pace so far (None before the first unit)."""
        ran = self.done - min(self.skipped, self.done)
        return self.seconds / ran * (self.total - (self.skipped if self.sampled else 0)) if self.unit and ran > 0 \
            else None

    @property
    def per_unit(self) -> Optional[float]:
        """Seconds per unit run so far (None before the first)."""
        return self.seconds / self.ran if self.ran else None

    def units(self, n: int) -> str:
        u = self.unit or "unit"
        return f"{n} {u}{'' if n == 1 else 's'}"

    def where(self) -> str:
        """``37 of 588 blocks done; line 31 was running (thread (5,0,0) of block (37,0,0))``."""
        parts = []
        if self.unit:
            parts.append(f"{self.done} of {self.total} {self.unit}s done"
                         + (f" ({self.skipped} left out by sampling)" if self.skipped else "")
                         + (f" in launch {self.launches}" if self.launches > 1 else ""))
        if self.line > 0:
            parts.append(f"line {self.line} was running" + (f" ({self.who})" if self.who and self.who != "host" else ""))
        return "; ".join(parts)


@dataclass
class Execution:
    """The result of one emulated run."""

    kernel: str
    dialect: str
    outputs: dict[str, np.ndarray]  # every buffer argument after the run, in its given shape
    written: dict[str, np.ndarray]  # per element: whether the run wrote it
    findings: list[Finding]
    elapsed: float  # seconds the child ran
    compile_seconds: float
    launch: Optional[spec.Launch]
    launch_source: str  # "flag", "comment", "host code", "inferred", "" (no launch)
    evidence: list[str] = field(default_factory=list)
    # ok, launch-failed (the launch was refused: nothing ran), timeout, stopped (its budget or
    # deadline: see the module doc), crash, error
    status: str = "ok"
    message: str = ""
    trace: list[dict] = field(default_factory=list)
    progress: Optional[Progress] = None  # how far it got (None: the program wrote nothing)
    checks: bool = True  # a checked run (bounds, races, initialisation, written marks)
    # option watch NAME:BYTE,...: per watched byte, the last write's line and who (thread,
    # block, task), and how many writes covered it (``{"buffer", "byte", "line", "who", "writes"}``)
    watched: list[dict] = field(default_factory=list)
    # What the run did (the runtime's counters.json; {} when the program wrote none: a crash).
    # Common to every dialect:
    #   checked; counted (the run was asked: execute(counters=True) in a checked run);
    #   units_ran, units_skipped (blocks or tasks; a sampled run counts the units it ran);
    #   work: [{intrinsic, family, type, elem_bytes, calls, amount}], per generated intrinsic
    #     (the tables' work(): BANG families copy, move, set.SPACE, vector, fill, layout, reduce,
    #     matmul, amount in elements / MACs / bytes, counted in every run; VNNI families vector,
    #     dot, reduce, convert (amount: active lanes; dot: int32 lanes, each 4 u8 x s8 or 2
    #     s16 x s16 MACs), load, store (bytes), checked runs only; CUDA wmma "mma_sync" /
    #     "bmma_sync" and HIP MFMA builtins, family matmul, amount: MACs, once per warp op);
    #   access: {plain, intrinsic: {SPACE: {reads, read_bytes, writes, write_bytes}}}: checked
    #     loads and stores by kernel code ("plain": the hand-written runtime's wmma loads and
    #     stores count here) and inside generated intrinsics, per memory space (host, global,
    #     shared, constant, local, gdram, nram, wram, sram, ldram), while device work runs;
    #     counted runs only (empty otherwise);
    #   scalar_ops: arithmetic of plain code (emit.scalar_ops: + - * / %, unary minus, device
    #     math; not subscripts, pointer offsets, loop control or constants); counted runs only.
    # BANG adds: arch, launches, tasks, task_dim, max_task_dim, cluster_dim; copy: {DIRECTION:
    #   {calls, bytes, segments, async_calls, async_bytes}}; scalar: {gdram, ldram: the plain
    #   access counts again}; task_max: {dram_bytes (moved by intrinsics), vector_bytes,
    #   matmul_macs, onchip_bytes, scalar_ops} (the largest task's).
    # CUDA/HIP add: warp_size, launches, blocks, threads (launched), blocks_ran, threads_ran,
    #   max_block_threads, max_shared_bytes (a block's static + dynamic shared memory), launch:
    #   [{grid, block, dynamic_shared}] (the first 8 launches).
    # Readers: xpiler.tune.cost (predict_bang, gdram_breakdown, arith_breakdown), bench/idiom.py.
    counters: dict = field(default_factory=dict)

    @property
    def sampled(self) -> bool:
        """A sampled run: some blocks or tasks did not run, its outputs are partial."""
        return self.progress is not None and self.progress.sampled

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def diagnostics(self, path: Optional[str] = None) -> list[Diagnostic]:
        return [f.diagnostic(path) for f in self.findings]


def load(source: Union[str, bytes, ir.Module], path: Optional[str], dialect: Optional[str]) -> ir.Module:
    if isinstance(source, ir.Module):
        return source
    module = parse(source, path=path, dialect=dialect)
    errors = [d for d in module.diagnostics if d.is_error]
    if errors:
        raise XpilerError(f"{path or 'the kernel'} does not parse: {errors[0].message} (line {errors[0].line})",
                          tuple(errors))
    return module


def pick_kernel(module: ir.Module, kernel: Optional[str]) -> ir.Function:
    if kernel:
        f = module.function(kernel)
        if f is None or f.body is None:
            defined = ", ".join(sorted({g.name for g in module.functions if g.body is not None})) or "none"
            raise XpilerError(f"no function '{kernel}' in {module.path}; defined: {defined}")
        return f
    kernels = module.kernels
    if len(kernels) == 1:
        return kernels[0]
    names = ", ".join(k.name for k in kernels) or "none"
    raise XpilerError(f"{module.path} has {len(kernels)} kernels ({names}): choose one with --kernel NAME")


def execute(source: Union[str, bytes, ir.Module], *, path: Optional[str] = None, dialect: Optional[str] = None,
            kernel: Optional[str] = None, args: Optional[dict[str, ArgValue]] = None,
            launch: Optional[str] = None, arg_spec: Optional[str] = None, checks: bool = True,
            trace: bool = False, timeout: float = 60.0, seed: int = 0,
            options: Optional[dict[str, str]] = None, sample: Optional[int] = None,
            budget: Optional[float] = None, deadline: Optional[float] = None,
            probe_after: Optional[float] = None, counters: bool = False) -> Execution:
    """Run ``kernel`` of ``source`` on given (or generated) arguments. ``options`` go to the
    dialect runtime (``bang_arch``: the MLU model; ``bang_async``: ``deferred`` applies
    ``__memcpy_async`` copies at their covering ``__sync*`` to catch missing syncs).
    ``sample``, ``budget``, ``deadline``, ``probe_after``: see the module doc. ``counters``:
    a checked run also counts its loads and stores per space and its scalar arithmetic
    (``Execution.counters``; off by default, since counting costs in hot paths)."""
    module = load(source, path, dialect)
    f = pick_kernel(module, kernel)
    resolved = resolve(module, f, launch=launch, args=args, arg_spec=arg_spec, seed=seed)
    t0 = time.monotonic()
    program = _build.build(module, f.name, checks=checks)
    return run_built(f, program, resolved, trace=trace, timeout=timeout,
                     compile_seconds=time.monotonic() - t0, options=options, sample=sample, budget=budget,
                     deadline=deadline, probe_after=probe_after, counters=counters)


def run_built(f: ir.Function, program: _build.Program, resolved: Resolved, **kw) -> Execution:
    """``run_program`` for the kernel ``f`` that ``program`` was built from (for callers that
    resolve and build themselves, with stages of their own between)."""
    ex = run_program(program, resolved, **kw)
    if f.span is not None:  # a finding of no statement (a refused launch) belongs to the kernel
        ex.findings = [replace(x, line=f.span.line) if x.line <= 0 else x for x in ex.findings]
    return ex


def _run_options(program: _build.Program, options: Optional[dict[str, str]], sample: Optional[int],
                 budget: Optional[float], deadline: Optional[float], probe_after: Optional[float]) -> dict[str, str]:
    out = dict(options or {})
    if sample is not None:
        if int(sample) < 1:
            raise XpilerError(f"a sample of {sample} blocks or tasks: give at least 1")
        if program.entry_kind != "kernel":
            raise XpilerError(f"{program.entry} is not a kernel launched on its own ({program.dialect} "
                              f"{program.entry_kind} code): only a kernel's blocks or tasks can be sampled")
        out["sample"] = str(int(sample))
    if budget is not None and budget > 0:
        out["budget"] = f"{float(budget):g}"
        if probe_after is not None:
            out["probe_after"] = f"{float(probe_after):g}"
    if deadline is not None and deadline > 0:
        out["deadline"] = f"{float(deadline):g}"
    return out


def _counters(path: Path) -> dict:
    import json

    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except ValueError:  # a run killed while writing it
        return {}


def _jsonl(path: Path) -> list[dict]:
    import json

    if not path.exists():
        return []
    return [json.loads(ln) for ln in path.read_text().splitlines() if ln.strip()]


def run_program(program: _build.Program, resolved: Resolved, *, trace: bool = False, timeout: float = 60.0,
                compile_seconds: float = 0.0, options: Optional[dict[str, str]] = None,
                sample: Optional[int] = None, budget: Optional[float] = None, deadline: Optional[float] = None,
                probe_after: Optional[float] = None, counters: bool = False) -> Execution:
    options = _run_options(program, options, sample, budget, deadline, probe_after)
    if counters and program.checks:
        options["counters"] = "1"
    work = Path(tempfile.mkdtemp(prefix="xpiler-exec-"))
    try:
        outdir = work / "out"
        outdir.mkdir()
        lines = []
        for name, ctype, _ in program.params:
            v = resolved.values[name]
            if isinstance(v, np.ndarray):
                fn = work / f"{name}.in"
                np.ascontiguousarray(v).tofile(fn)
                lines.append(f"buffer {name} {v.nbytes} {fn}")
            else:
                lines.append(f"scalar {name} {_scalar_text(v)}")
        L = resolved.launch
        if isinstance(L, spec.GpuLaunch):
            lines += [f"launch grid {' '.join(map(str, L.grid))}", f"launch block {' '.join(map(str, L.block))}",
                      f"launch shared {L.shared} 0 0"]
        elif isinstance(L, spec.BangLaunch):
            lines += [f"launch dim {' '.join(map(str, L.dim))}", f"launch type {spec.BANG_TASK_TYPES[L.type]} 0 0"]
        if trace:
            lines.append("option trace 1")
        for k, v in (options or {}).items():
            if not str(k).isidentifier() or any(c.isspace() for c in str(v)):
                raise XpilerError(f"runtime option {k}={v!r}: names are identifiers, values have no spaces")
            lines.append(f"option {k} {v}")
        (work / "input.txt").write_text("\n".join(lines) + "\n")
        r = sandbox.run([str(program.executable), str(work / "input.txt"), str(outdir)],
                        limits=sandbox.Limits(timeout=timeout), cwd=work)
        findings = read_findings(outdir / "findings.jsonl")
        outputs, written = {}, {}
        for name, ctype, _ in program.params:
            v = resolved.values[name]
            if not isinstance(v, np.ndarray):
                continue
            fb = outdir / f"{name}.bin"
            if fb.exists():
                data = np.fromfile(fb, dtype=v.dtype)
                if data.size == v.size:
                    outputs[name] = data.reshape(v.shape)
                wm = np.fromfile(outdir / f"{name}.written", dtype=np.uint8)
                if wm.size == v.nbytes:
                    written[name] = wm.reshape(v.size, v.itemsize).all(axis=1).reshape(v.shape)
        status, message = "ok", ""
        progress = Progress.read(outdir / "progress.txt")
        refused = [x for x in findings if x.kind == "launch-config" and x.who in ("", "host")]
        if program.entry_kind == "kernel" and refused:  # the driver's one launch was refused
            status, message = "launch-failed", f"{program.entry} did not run: its launch was refused (launch-config finding)"
        if r.timed_out:
            status, message = "timeout", timeout_message(program.entry, timeout, progress, program.checks)
        elif progress is not None and (progress.stopped, r.returncode) in (("budget", 125), ("deadline", 124)):
            status = "stopped"
            if progress.stopped == "budget":
                proj = progress.projected
                message = (f"{program.entry} stopped itself at its budget of {options.get('budget')} s"
                           + (f": projected {proj:.0f} s in all" if proj else "")
                           + (f" ({progress.where()})" if progress.where() else ""))
            else:
                message = (f"{program.entry} stopped at its deadline of {options.get('deadline')} s"
                           + (f": {progress.where()}" if progress.where() else ""))
        elif r.returncode != 0:
            status = "crash" if r.signal else "error"
            message = f"{program.entry} {r.describe()}"
            err = r.stderr.strip()
            if err:
                message += f": {err.splitlines()[-1]}"
        tr = _jsonl(outdir / "trace.jsonl") if trace else []
        return Execution(program.entry, program.dialect, outputs, written, findings, r.elapsed, compile_seconds,
                         resolved.launch, resolved.launch_source, resolved.evidence, status, message, tr, progress,
                         program.checks, _jsonl(outdir / "watch.jsonl"), _counters(outdir / "counters.json"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def timeout_message(entry: str, timeout: float, progress: Optional[Progress], checks: bool = True,
                    options: Sequence[str] = ("--timeout", "--no-checks", "--sample")) -> str:
    """Why a run stopped at its limit, how far it got and what to do (``options``: the
    command's options worth naming: ``--timeout``, ``--no-checks``, ``--sample``)."""
    head = f"{entry} did not finish within its {timeout:g} s limit ({'checked' if checks else 'unchecked'} run)"
    where = progress.where() if progress is not None else ""
    head += f": {where}" if where else ": it stopped before it reported any progress"
    todo = ["a longer --timeout S"] if "--timeout" in options else ["more time"]
    if checks and "--no-checks" in options:
        todo.append("--no-checks (an unchecked run, several times faster)")
    if checks and "--sample" in options and (progress is None or progress.unit):
        todo.append("--sample N (check N of its blocks or tasks)")
    advice = f"a heavy kernel needs more time: give {', '.join(todo[:-1])}{' or ' if len(todo) > 1 else ''}{todo[-1]}"
    loop = (f"; if it should finish quickly, line {progress.line} may never end (an infinite loop or a deadlock)"
            if progress is not None and progress.line > 0 else
            "; if it should finish quickly, it may never end (an infinite loop or a deadlock)")
    return f"{head}. {advice[0].upper()}{advice[1:]}{loop}"


def _scalar_text(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return repr(float(v))


def run_kernel(source: Union[str, bytes], dialect: Optional[str], args: dict[str, ArgValue],
               launch: Optional[str] = None, *, kernel: Optional[str] = None, path: Optional[str] = None,
               timeout: float = 60.0) -> dict[str, np.ndarray]:
    """The design's API: run a kernel on ``args`` and return every buffer argument after
    the run. Raises XpilerError when it could not run (crash, timeout, unresolved launch)."""
    ex = execute(source, path=path, dialect=dialect, kernel=kernel, args=args, launch=launch, timeout=timeout)
    if not ex.ok:
        raise XpilerError(ex.message)
    return ex.outputs
