"""Run a kernel on this CPU: resolve its launch and arguments, build its emulation, run it in
a limited child process, and read back its buffers and findings.

    ex = execute(text, path="k.cu", args={"x": x, "y": y, "n": 1000})
    ex.outputs["y"], ex.findings, ex.written["y"]
"""
from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional, Union

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
    status: str = "ok"  # ok, launch-failed (the launch was refused: nothing ran), timeout, crash, error
    message: str = ""
    trace: list[dict] = field(default_factory=list)

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
            options: Optional[dict[str, str]] = None) -> Execution:
    """Run ``kernel`` of ``source`` on given (or generated) arguments. ``options`` go to the
    dialect runtime (``bang_arch``: the MLU model; ``bang_async``: ``deferred`` applies
    ``__memcpy_async`` copies at their covering ``__sync*`` to catch missing syncs)."""
    module = load(source, path, dialect)
    f = pick_kernel(module, kernel)
    resolved = resolve(module, f, launch=launch, args=args, arg_spec=arg_spec, seed=seed)
    t0 = time.monotonic()
    program = _build.build(module, f.name, checks=checks)
    return run_built(f, program, resolved, trace=trace, timeout=timeout,
                     compile_seconds=time.monotonic() - t0, options=options)


def run_built(f: ir.Function, program: _build.Program, resolved: Resolved, **kw) -> Execution:
    """``run_program`` for the kernel ``f`` that ``program`` was built from (for callers that
    resolve and build themselves, with stages of their own between)."""
    ex = run_program(program, resolved, **kw)
    if f.span is not None:  # a finding of no statement (a refused launch) belongs to the kernel
        ex.findings = [replace(x, line=f.span.line) if x.line <= 0 else x for x in ex.findings]
    return ex


def run_program(program: _build.Program, resolved: Resolved, *, trace: bool = False, timeout: float = 60.0,
                compile_seconds: float = 0.0, options: Optional[dict[str, str]] = None) -> Execution:
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
        refused = [x for x in findings if x.kind == "launch-config" and x.who in ("", "host")]
        if program.entry_kind == "kernel" and refused:  # the driver's one launch was refused
            status, message = "launch-failed", f"{program.entry} did not run: its launch was refused (launch-config finding)"
        if r.timed_out:
            status, message = "timeout", f"{program.entry} {r.describe()}"
        elif r.returncode != 0:
            status = "crash" if r.signal else "error"
            message = f"{program.entry} {r.describe()}"
            err = r.stderr.strip()
            if err:
                message += f": {err.splitlines()[-1]}"
        tr = []
        if trace and (outdir / "trace.jsonl").exists():
            import json

            tr = [json.loads(ln) for ln in (outdir / "trace.jsonl").read_text().splitlines() if ln.strip()]
        return Execution(program.entry, program.dialect, outputs, written, findings, r.elapsed, compile_seconds,
                         resolved.launch, resolved.launch_source, resolved.evidence, status, message, tr)
    finally:
        shutil.rmtree(work, ignore_errors=True)


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
