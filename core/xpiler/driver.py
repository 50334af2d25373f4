"""The translation driver: direction -> pass sequence -> checks -> ``Translation``.

    t = xpiler.translate(open("saxpy.cu").read(), to="bang", path="saxpy.cu")
    t.status, t.why, t.code, [p.name for p in t.passes], [c.verdict for c in t.checks]

Every direction goes through the C hub (design.md): the source is lifted (``LIFT``), bound
to the target (``bind``) and made a standalone file (``retarget``); CUDA <-> HIP also has a
direct path (``hipify``) tried first when it is built. Before anything, the source itself
must be clean: a kernel with findings (an out-of-bounds read, a race) is refused, never
translated. After the sequence the output is checked:

- compute: the oracle runs output and source on the same random inputs (two seeds, outputs
  pre-filled with a sentinel) for the kernel's argument spec and, where the kernel takes
  size parameters, for a second spec whose sizes divide no block or tile;
- compile: the real compiler of the target where installed (nvcc, hipcc, gcc), the strict
  BANG header for BANG (labelled so);
- findings: the output's own findings in those runs.

A failed compute check names the first pass whose output disagrees with the source
(bisection over the passes' outputs). ``progress`` hears a ``report.Stage`` per pass and
per check.
"""
from __future__ import annotations

import functools
import os
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from . import dialects, ir, oracle, passes, spec
from .diagnostics import XpilerError
from .frontend import parse
from .printer import print_module
from .report import (CheckRecord, LineOrigin, NestRecord, PassRecord, ProgressCallback, SourceInfo, Stage,
                     Translation)

TARGETS = dialects.NAMES
#: How each dialect is lifted to the C hub; a pass marked optional is skipped (and
#: reported) when it is not built yet, a required one refuses the translation.
LIFT: dict[str, tuple[tuple[str, bool], ...]] = {
    # detensorize before loop_recovery on GPUs: per-thread intrinsics (__expf, __ldg, atomics)
    # only; barriers and lane collectives are loop_recovery's
    "cuda": (("inline_calls", True), ("detensorize", True), ("loop_recovery", True)),
    "hip": (("vector_arith", True), ("inline_calls", True), ("detensorize", True), ("loop_recovery", True)),
    "c": (("loop_canon", False), ("inline_calls", True)),
    "vnni": (("detensorize", True), ("loop_canon", False), ("inline_calls", True), ("scalarize", False)),
    # inline_calls first: it inlines device functions that read built-ins before task_recovery,
    # and on the hub it would drop host wrappers nothing calls
    "bang": (("inline_calls", True), ("task_recovery", True), ("detensorize", True)),
}
LOWER: tuple[tuple[str, bool], ...] = (("fold_constants", False), ("fuse", False), ("bind", True),
                                       ("tensorize", False), ("host_code", True), ("retarget", True))


def default_sequence(source: str, target: str, direct: bool = True) -> tuple[list[passes.Step], list[str]]:
    """The default steps from ``source`` to ``target`` and the notes on optional passes
    that are not built yet. Raises XpilerError naming a required pass that is missing.
    ``direct``: CUDA <-> HIP by ``hipify`` (else through the C hub, the fallback)."""
    if direct and {source, target} == {"cuda", "hip"} and "hipify" in passes.REGISTRY:
        return [passes.Step("hipify", {"to": target})], []
    steps, notes = [], []
    for name, required in LIFT[source] + LOWER:
        if name in passes.REGISTRY:
            steps.append(passes.Step(name))
        elif required:
            raise XpilerError(f"translating from {dialects.get(source).title} needs the {name} pass, which is not "
                              f"built yet; the directions that work today start from CUDA, HIP or C")
        else:
            notes.append(f"{name} skipped: not built yet")
    return steps, notes


def output_path(source_path: str, target: str, force: bool = False) -> Path:
    """``FILE-stem.<target suffix>`` beside the source, numbered (``k-2.mlu``) when that
    exists, unless ``force``; never the source itself."""
    src = Path(source_path)
    suffix = dialects.get(target).suffix
    cand = src.with_suffix(suffix)
    if cand.resolve() == src.resolve():
        cand = src.with_name(f"{src.stem}-{target}{suffix}")
    if force or not cand.exists():
        return cand
    k = 2
    while True:
        c = cand.with_name(f"{cand.stem}-{k}{suffix}")
        if not c.exists():
            return c
        k += 1


def _guarded(fn):
    """The top-level exception handling of ``translate``: an ``XpilerError`` (an unknown
    target, a bad sequence) is raised as documented; any other exception is an xpiler bug,
    reported as a ``failed`` translation whose ``why`` says "internal error" and where it
    was raised, never a traceback (issue 16)."""

    @functools.wraps(fn)
    def translate(source, to, *args, **kw):
        try:
            return fn(source, to, *args, **kw)
        except XpilerError:
            raise
        except Exception as e:  # noqa: BLE001 -- an xpiler bug: a report, not a crash
            tb = traceback.extract_tb(e.__traceback__)
            where = f" at {Path(tb[-1].filename).name}:{tb[-1].lineno} ({tb[-1].name})" if tb else ""
            path = kw.get("path") or (args[1] if len(args) > 1 else None) or "input"
            t = Translation(SourceInfo(path, kw.get("dialect") or "unknown"), to, status="failed")
            t.why = (f"internal error: {type(e).__name__}: {e}{where}; an xpiler bug, please report it with the "
                     f"source")
            return t

    return translate


@_guarded
def translate(source: Union[str, bytes], to: str, kernel: Optional[str] = None, path: Optional[str] = None, *,
              dialect: Optional[str] = None, sequence: Optional[Union[str, Sequence[passes.Step]]] = None,
              verify: str = "final", seeds: Sequence[int] = (0, 1), progress: Optional[ProgressCallback] = None,
              timeout: float = 60.0, compile: bool = True, out_path: Optional[str] = None,
              generators: Optional[dict[str, str]] = None) -> Translation:
    """Translate the kernels of ``source`` (all, or ``kernel``) to dialect ``to``.

    ``sequence``: the passes to run instead of the default (text such as
    ``"inline_calls; loop_recovery; bind; retarget"`` or ``Step``s). ``verify``:
    ``final`` (check the result, bisect on failure), ``passes`` (check after every pass),
    ``none`` (no oracle: the result is ``unverified``). ``out_path``: where the result will
    be written (its name in the port-of comment and in compile messages). ``generators``:
    input generators for buffers whose values must lie in a range (``{"idx": "perm(64)"}``);
    they go into the args comments (``idx=int32[40]:perm(64)``)."""
    if isinstance(source, bytes):
        source = source.decode("utf-8", errors="replace")
    if sequence is None and to in ("cuda", "hip") and "hipify" in passes.REGISTRY:
        # CUDA <-> HIP: the direct path first, the round trip through C when it cannot
        args = dict(kernel=kernel, path=path, dialect=dialect, verify=verify, seeds=seeds, progress=progress,
                    timeout=timeout, compile=compile, out_path=out_path, generators=generators)
        src_d = dialects.detect(path or "", source) if dialect is None else dialect
        if {src_d, to} == {"cuda", "hip"}:
            first = translate(source, to, sequence=[passes.Step("hipify", {"to": to})], **args)
            if first.status in ("checked", "unverified") or (first.status == "refused" and "hipify" not in first.why):
                return first
            steps, _ = default_sequence(src_d, to, direct=False)
            second = translate(source, to, sequence=steps, **args)
            note = PassRecord("hipify", {"to": to}, verdict="refused" if first.status == "refused" else "failed",
                              notes=[f"direct path {first.status}: {first.why}; fell back to the C round trip"])
            second.passes.insert(0, note)
            return second
    if to not in TARGETS:
        raise XpilerError(f"unknown target {to!r}; expected one of {', '.join(TARGETS)}")
    path = path or f"input{dialects.get(dialect).suffix if dialect else '.cu'}"
    say = progress or (lambda s: None)
    module = parse(source, path=path, dialect=dialect)
    src_d = module.dialect
    t = Translation(SourceInfo(path, src_d, [k.name for k in module.kernels]), to, status="refused")
    errors = [d for d in module.diagnostics if d.is_error]
    if errors:
        t.why = f"the source does not parse: {errors[0].message} (line {errors[0].line})"
        return t
    if src_d == to:
        t.why = f"the source is already {dialects.get(to).title}"
        return t
    host = module.function(kernel) if kernel else None
    if host is not None and host.body is not None and not host.is_kernel:
        # a host wrapper: translate the kernels it launches, check it as written
        launched = {n.kernel.name.split("<", 1)[0] for n in host.body.walk()
                    if isinstance(n, ir.Launch) and isinstance(n.kernel, ir.Name)}
        kernels = [k for k in module.kernels if k.name in launched]
        entries = [host]
        if not kernels:
            t.why = f"{kernel} launches no kernel of {path}"
            return t
    else:
        kernels = [k for k in module.kernels if not kernel or k.name == kernel]
        entries = list(kernels)
    if not kernels:
        names = ", ".join(k.name for k in module.kernels) or "none"
        t.why = f"no kernel {kernel!r} in {path} (kernels: {names})" if kernel else f"{path} has no kernel"
        return t
    t.source.kernels = [k.name for k in kernels]
    # 1. what each kernel runs on: launch and argument spec, written into the module
    try:
        plans = {k.name: _plan(module, k, generators or {}, lenient=host is not None and not host.is_kernel)
                 for k in kernels}
        for e in entries:
            if e.name not in plans:
                plans[e.name] = _plan(module, e, generators or {})
    except XpilerError as e:
        t.why = str(e)
        return t
    for k in kernels:
        k.annotations.update({key: v for key, v in (("launch", plans[k.name].launch),
                                                     ("args", plans[k.name].args)) if v})
    # 2. the source must be clean
    say(Stage("check", "source", detail="findings"))
    for k in entries:
        p = plans[k.name]
        try:
            r = oracle.check(module, path=path, kernel=k.name, args=p.args, launch=p.launch, timeout=timeout)
        except XpilerError as e:
            t.why = f"the source kernel {k.name} does not run: {e}"
            return t
        bad = [f for f in r.findings if f.severity == "error"]  # a sampled check's: its checked runs'
        p.heavy = bool(getattr(r, "sampled", False))
        if not r.source.ok or bad:
            what = f"{bad[0].kind} at line {bad[0].line}: {bad[0].message}" if bad else r.source.message
            t.why = f"the source kernel {k.name} has findings ({what}); fix the source first"
            return t
    # 3. the passes
    try:
        if sequence is None:
            steps, notes = default_sequence(src_d, to)
        elif isinstance(sequence, str):
            steps, notes = passes.parse_sequence(sequence), []
        else:
            steps, notes = list(sequence), []
    except XpilerError as e:
        t.why = str(e)
        return t
    if kernel and len(kernels) == 1:
        steps = [passes.Step(s.name, {**({"kernel": kernels[0].name} if _takes(s.name, "kernel") else {}),
                                      **s.params}) for s in steps]
    intermediates: list[tuple[str, ir.Module]] = [("source", module)]
    current = module
    nest_notes: list[dict] = []  # what tensorize did with each loop nest (PassResult.nests)
    for i, step in enumerate(steps, 1):
        say(Stage("pass", step.name, i, len(steps)))
        try:
            r = passes.get(step.name).apply(current, to, **step.params)
        except XpilerError as e:  # unknown pass or parameters
            t.why = str(e)
            return t
        rec = PassRecord.from_result(r)
        t.passes.append(rec)
        if r.refused:
            t.why = f"{r.refused} (the {step.name} pass could not apply)"
            return t
        current = r.module
        nest_notes.extend(getattr(r, "nests", ()))
        intermediates.append((step.name, current))
        if verify == "passes":
            why = _verify_step(intermediates[-2][1], current, {e.name: plans[e.name] for e in entries}, path,
                               timeout)
            if why:
                rec.verdict = "failed"
                rec.notes.append(why)
                t.status, t.why = "failed", f"the {step.name} pass changed what the kernel computes: {why}"
                return t
    for n in notes:
        t.passes.append(PassRecord(n.split()[0], verdict="skipped", notes=[n]))
    # 4. the file
    out = _finish(current, kernels, entries, path, out_path or str(output_path(path, to)))
    found: list = []
    t.code = print_module(out, dialect=to, diagnostics=found)
    t.path = None
    bound = {k.name: out.function(k.name) for k in kernels}
    t.launch = "; ".join(f.annotations["launch"] for f in bound.values() if f and f.annotations.get("launch")) or None
    t.args = "; ".join(plans[k.name].args for k in kernels if plans[k.name].args) or None
    t.nests = _nests(out, kernels, nest_notes, tensorize_ran=any(s.name == "tensorize" for s in steps))
    t.provenance = _provenance(t.code, out, to)
    lost = [d for d in found if d.is_error]
    if lost:
        t.checks.append(CheckRecord("compile", "printer", "failed", "; ".join(d.message for d in lost[:3])))
    # 5. checks
    cand_path = out_path or str(output_path(path, to))
    ok = not lost
    # the compiler's check runs beside the oracle's (a second core; nvcc takes seconds)
    pool = ThreadPoolExecutor(1, thread_name_prefix="xpiler-compile") if compile else None
    compiling = pool.submit(_compile, t.code, cand_path, to) if pool is not None else None
    if verify != "none":
        for k in entries:
            say(Stage("check", "compute", detail=k.name))
            rec = _compute(source, path, t.code, cand_path, module, k, plans[k.name], out.function(k.name), steps,
                           to, seeds, timeout)
            t.checks.append(rec)
            ok &= rec.verdict in ("tested", "sampled", "proved")
    if compiling is not None:
        say(Stage("check", "compile"))
        t.checks.append(compiling.result())
        pool.shutdown()
        ok &= t.checks[-1].verdict != "failed"
    if verify == "none":
        t.status, t.why = "unverified", "not checked (--verify none)"
        return t
    if ok:
        t.status = "checked"
        t.why = "; ".join(_short(c) for c in t.checks if c.kind in ("compute", "compile"))
        if to == "bang" and kernels[0].name in plans:
            t.cost = _predict(t.code, cand_path, kernels[0].name, plans[kernels[0].name],
                              out.function(kernels[0].name), timeout)
        return t
    t.status = "failed"
    failed = [c for c in t.checks if c.verdict == "failed"]
    t.why = failed[0].detail if failed else "a check failed"
    if any(c.kind == "compute" for c in failed) and verify == "final" and all(e.is_kernel for e in entries):
        # (a host wrapper runs only once host_code has carried it: its steps are not programs)
        culprit = _bisect(intermediates, kernels, {e.name: plans[e.name] for e in entries}, path, timeout)
        if culprit:
            t.why += f" (first wrong after the {culprit} pass)"
            for p in t.passes:
                if p.name == culprit:
                    p.verdict = "failed"
    return t


# ----------------------------------------------------------------------------- planning
class _Plan:
    def __init__(self, launch: Optional[str], args: Optional[str]):
        self.launch, self.args = launch, args
        self.heavy = False  # the source's own check was sampled: a second spec is made smaller


def _plan(module: ir.Module, k: ir.Function, generators: dict[str, str], lenient: bool = False) -> _Plan:
    """The kernel's launch and argument spec, resolved as ``xpiler run`` does, with the
    given input generators written into the spec. ``lenient`` (a kernel its host wrapper
    launches, checked through the wrapper): without an argument spec, the launch alone."""
    from .runtime import resolve as R

    try:
        r = R.resolve(module, k)
    except XpilerError:
        if not lenient:
            raise
        launch, _, _ = R.resolve_launch(module, k, None, {}, R._host_site(module, k))
        return _Plan(str(launch), None)
    args = k.annotations.get("args") or _spec_of(k, r.values)
    if generators:
        specs = spec.parse_args(args)
        args = spec.format_args([spec.ArgSpec(a.name, a.dtype, a.shape, a.value, generators.get(a.name, a.generator))
                                 if a.is_buffer else a for a in specs])
    return _Plan(str(r.launch) if r.launch is not None else None, args)


def _spec_of(k: ir.Function, values: dict) -> str:
    parts = []
    for p in k.params:
        v = values.get(p.name)
        if isinstance(v, np.ndarray):
            from . import dtypes

            dt = dtypes.dtype_of(dtypes.element_type(p.type)) or v.dtype.name  # bfloat16 lives in uint16
            parts.append(f"{p.name}={dt}[{','.join(map(str, v.shape))}]")
        elif v is not None:
            parts.append(f"{p.name}={v}")
    return " ".join(parts)


def _takes(pass_name: str, param: str) -> bool:
    cls = passes.REGISTRY.get(pass_name)
    return cls is not None and any(p.name == param for p in cls.params)


# ----------------------------------------------------------------------------- the output file
def _finish(out: ir.Module, kernels: list[ir.Function], entries: list[ir.Function], path: str,
            out_path: str) -> ir.Module:
    """Keep what the translated kernels need (and the host wrappers that launch them), and
    write the port-of comments."""
    names = {k.name for k in kernels}
    wrappers = {e.name for e in entries} | {
        f.name for f in out.functions if f.body is not None and not f.is_kernel and f.kind == "host" and
        any((isinstance(n, ir.Call) and isinstance(n.callee, ir.Name) and n.callee.name in names) or
            (isinstance(n, ir.Launch) and isinstance(n.kernel, ir.Name) and n.kernel.name.split("<")[0] in names)
            for n in f.body.walk())}
    needed = names | wrappers
    defined = {f.name: f for f in out.functions if f.body is not None}
    todo = [defined[n] for n in needed if n in defined]
    while todo:  # and what they call (a host helper such as div_up)
        f = todo.pop()
        for n in f.body.walk():
            callee = n.callee.name if isinstance(n, ir.Call) and isinstance(n.callee, ir.Name) else None
            callee = n.kernel.name if isinstance(n, ir.Launch) and isinstance(n.kernel, ir.Name) else callee
            callee = callee.split("<", 1)[0] if callee else None
            if callee in defined and callee not in needed:
                needed.add(callee)
                todo.append(defined[callee])
    keep = []
    for item in out.items:
        if isinstance(item, ir.Function) and item.body is not None and item.name not in needed and \
                item.kind in ("host", "kernel"):
            continue  # the kernels not asked for, and host code that launches none of ours
        keep.append(item)
    out.items = keep
    rel = os.path.relpath(Path(path).resolve(), Path(out_path).resolve().parent)
    for f in out.functions:
        if f.name in names | wrappers and f.body is not None:
            f.annotations = {"port-of": f"{rel} {f.name}", **{k: v for k, v in f.annotations.items()
                                                              if k != "port-of"}}
    return out


#: the most "not tensorized" records one kernel's report keeps
NEST_WARNINGS = 4


def _nests(out: ir.Module, kernels: list[ir.Function], notes: list[dict] = (),
           tensorize_ran: bool = False) -> list[NestRecord]:
    """What each translated kernel uses, read off the output: the parallel variables it
    reads (``blockIdx.x``, ``threadIdx.x``, ``taskId``) or its OpenMP loops, and the on-chip
    spaces it declares; per loop nest, what ``tensorize`` made of it (``notes``: the
    pass's ``nests``) or why not."""
    from .analysis import patterns

    recs = []
    for k in kernels:
        f = out.function(k.name)
        if f is None or f.body is None:
            continue
        used = sorted({f"{m[0]}.{m[1]}" for n in f.body.walk() if (m := patterns.builtin(n))
                       and m[0] in ("threadIdx", "blockIdx")} |
                      {n.name for n in f.body.walk() if isinstance(n, ir.Name) and n.name in ("taskId", "clusterId",
                                                                                             "coreId")} |
                      {"omp parallel for" for n in f.body.walk() if isinstance(n, ir.For)
                       and any("omp" in p for p in n.pragmas)})
        staged = sorted({v.space for n in f.body.walk() if isinstance(n, ir.Decl) for v in n.vars
                         if v.space not in ("local", "global", "gdram")})
        mine = [n for n in notes if n.get("kernel") == k.name]
        # lifted GPU code has many helper loops: the same reason once, and at most a few
        # "not" records per kernel beside the tensorized ones (each becomes an editor warning)
        seen, kept, nots = set(), [], 0
        for n in mine:
            key = (tuple(n.get("lines", ())), tuple(n.get("not", [])))
            if n.get("not") and not n.get("tensorized_into"):
                if key in seen or nots >= NEST_WARNINGS:
                    continue
                nots += 1
            seen.add(key)
            kept.append(n)
        mine = kept
        if mine:
            for n in mine:
                why = list(n.get("not", []))
                if not used:
                    why.insert(0, "not parallel: no parallel loop was bound (see the bind pass notes)")
                recs.append(NestRecord(tuple(n.get("lines", (0, 0))), bound_to=used,
                                       staged_in=sorted(set(n.get("staged_in", [])) | set(staged)),
                                       tensorized_into=list(n.get("tensorized_into", [])), not_=why))
            continue
        lines = (f.span.line, f.span.end_line) if f.span else (0, 0)
        why = ["not tensorized: " + ("no loop of this kernel was examined" if tensorize_ran
                                     else "the tensorize pass was not in the sequence")]
        if not staged:
            why.append("not staged: nothing is staged in on-chip memory")
        if not used:
            why.insert(0, "not parallel: no parallel loop was bound (see the bind pass notes)")
        recs.append(NestRecord(lines, bound_to=used, staged_in=staged, not_=why))
    return recs


def _provenance(code: str, out: ir.Module, target: str) -> list[LineOrigin]:
    """For each output line, the source lines and pass of the statement printed there
    (from a second print that marks each statement's first line)."""
    from .printer import Printer

    class Marking(Printer):
        def stmt(self, s, depth):
            lines = super().stmt(s, depth)
            if lines and s.span is not None and not lines[0].startswith("\x00"):
                lines = [f"\x00{s.span.line}:{s.span.end_line}:{s.origin or ''}\x00" + lines[0]] + lines[1:]
            return lines

    p = Marking(target, "")
    text = p.module(out)
    origins = []
    for i, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith("\x00"):
            meta = line.lstrip()[1:].split("\x00", 1)[0]
            a, b, o = meta.split(":", 2)
            origins.append(LineOrigin(i, list(range(int(a), int(b) + 1))[:50], o or None))
    return origins


# ----------------------------------------------------------------------------- checks
def _compute(source: str, path: str, code: str, cand_path: str, module: ir.Module, k: ir.Function, plan: _Plan,
             out_f: Optional[ir.Function], steps, to: str, seeds, timeout: float) -> CheckRecord:
    t0 = time.monotonic()
    launch = out_f.annotations.get("launch") if out_f is not None else None
    specs = [plan.args] + _derived_specs(module, k, plan, timeout)
    tried, details, sampled = [], [], []
    for spec_text in specs:
        cand_launch = launch if spec_text == plan.args else _launch_for(module, k, spec_text, steps, to) or launch
        try:
            r = oracle.check(source, code, path=path, candidate_path=cand_path, kernel=k.name, args=spec_text,
                             launch=plan.launch, candidate_launch=cand_launch, seeds=seeds, timeout=timeout)
        except XpilerError as e:
            return CheckRecord("compute", "oracle", "failed", f"{k.name}: {e}", list(seeds), tried + [spec_text],
                               seconds=round(time.monotonic() - t0, 2))
        tried.append(spec_text)
        if not r.ok:
            first = next((b for b in r.buffers if not b.ok), None)
            mm = {"buffer": first.name, "index": list(first.first_mismatch or first.first_never_written or ()),
                  "expected": first.expected_at_first, "got": first.got_at_first} if first else None
            return CheckRecord("compute", "oracle", "failed", f"{k.name} with {spec_text}: {r.message}", list(seeds),
                               tried, _tolerance(r), mm, round(time.monotonic() - t0, 2))
        details.append(spec_text)
        if r.sampled:  # a heavy kernel: findings checked on a sample of blocks or tasks (issue 16)
            sampled.append(f"{spec_text}: {r.sampling.describe()}")
    detail = (f"{k.name}: the oracle matched on {len(seeds)} seeds x {len(tried)} argument spec(s) "
              f"({'; '.join(tried)}), outputs pre-filled with a sentinel")
    if sampled:  # never "tested": say what was sampled
        detail = (f"{k.name}: sampled: the oracle matched every output on {len(seeds)} seeds x {len(tried)} "
                  f"argument spec(s), findings checked on a sample ({'; '.join(sampled)})")
    return CheckRecord("compute", "oracle", "sampled" if sampled else "tested", detail, list(seeds), tried, None,
                       None, round(time.monotonic() - t0, 2))


def _predict(code: str, cand_path: str, kernel: str, plan: _Plan, out_f: Optional[ir.Function],
             timeout: float) -> Optional[dict]:
    """The BANG output's predicted time on its MLU (``tune/cost.predict_bang``) from one
    checked run with counters on the first argument spec; None when it cannot run."""
    from .runtime import execute
    from .tune.cost import predict_bang

    launch = out_f.annotations.get("launch") if out_f is not None else None
    try:
        ex = execute(code, path=cand_path, kernel=kernel, arg_spec=plan.args, launch=launch, counters=True,
                     timeout=timeout)
    except XpilerError:
        return None
    if not ex.ok or not ex.counters:
        return None
    p = predict_bang(ex.counters)
    return {"model": "bang roofline (tune/cost.py)", "arch": p.arch, "kernel": kernel, "args": plan.args,
            "seconds": p.seconds, "bound": p.bound,
            "breakdown": {"memory": p.memory_s, "vector": p.vector_s, "matrix": p.matrix_s, "onchip": p.onchip_s,
                          "scalar": p.scalar_s},
            "notes": list(p.notes)}


def _short(c: CheckRecord) -> str:
    """One clause of a check for the translation's ``why``."""
    if c.kind == "compute":
        return c.detail.split(" (", 1)[0]
    return c.detail.split(": ", 2)[0] + (": " + c.detail.split(": ", 2)[1] if c.detail.count(": ") >= 1 else "")


def _tolerance(r) -> Optional[dict]:
    return {b.name: {"rtol": b.rtol, "atol": b.atol} for b in r.buffers} or None


def _derived_specs(module: ir.Module, k: ir.Function, plan: _Plan, timeout: float) -> list[str]:
    """A second argument spec whose integer sizes divide no block or tile (each size
    parameter made odd and smaller, buffer dimensions equal to it with it), kept only when
    the source runs cleanly on it. For a heavy kernel (its own check was sampled) the sizes
    are about a quarter: the second spec is then small enough to check in full."""
    if not plan.args:
        return []
    args = spec.parse_args(plan.args)
    sizes = {a.name: a.value for a in args if not a.is_buffer and isinstance(a.value, int) and a.value >= 8}
    if not sizes:
        return []
    new_vals = {n: _awkward(max(9, v // 4) if plan.heavy else v) for n, v in sizes.items()}
    parts = []
    for a in args:
        if a.is_buffer:
            dims = list(a.shape or ())
            for n, v in sizes.items():
                dims = [new_vals[n] if d == v else d for d in dims]
            parts.append(str(spec.ArgSpec(a.name, a.dtype, tuple(dims), None, a.generator)))
        elif a.name in new_vals:
            parts.append(f"{a.name}={new_vals[a.name]}")
        else:
            parts.append(f"{a.name}={a.value}")
    text = " ".join(parts)
    try:
        r = oracle.check(module, path=module.path, kernel=k.name, args=text, launch=plan.launch, timeout=timeout)
    except XpilerError:
        return []
    if not r.source.ok or any(f.severity == "error" for f in r.findings):
        return []
    return [text]


def _awkward(v: int) -> int:
    """The largest odd number below ``v`` that is not ``v - 1`` when that is a power of
    two's neighbour: sizes like 2000 -> 1997, 64 -> 61 (divisible by no block or tile)."""
    w = v - 3 if v > 16 else v - 1
    if w % 2 == 0:
        w -= 1
    return max(1, w)


def _launch_for(module: ir.Module, k: ir.Function, spec_text: str, steps, to: str) -> Optional[str]:
    """The target launch for another argument spec: the passes rerun with that args
    comment (they are deterministic; only the launch depends on the sizes)."""
    m = ir.transform(module, lambda n: None)
    f = m.function(k.name)
    f.annotations["args"] = spec_text
    try:
        for step in steps:
            r = passes.get(step.name).apply(m, to, **step.params)
            if r.refused:
                return None
            m = r.module
    except XpilerError:
        return None
    g = m.function(k.name)
    return g.annotations.get("launch") if g is not None else None


def _compile(code: str, cand_path: str, to: str) -> CheckRecord:
    from . import toolchains

    t0 = time.monotonic()
    r = toolchains.compile_check(code, cand_path, to)
    if r.verdict == "passed":
        verdict = "tested"
    elif r.verdict == "unverified":
        verdict = "unverified"
    elif r.failed:
        verdict = "failed"
    else:
        verdict = "tested"  # the strict BANG header accepted it: its own label says so
    detail = r.message + ("" if not r.diagnostics else ": " + "; ".join(str(d) for d in r.diagnostics[:3]))
    return CheckRecord("compile", r.tool, verdict, detail, seconds=round(time.monotonic() - t0, 2))


def _verify_step(before: ir.Module, after: ir.Module, plans: dict, path: str, timeout: float) -> Optional[str]:
    """The oracle on one pass's input and output (``--verify passes``)."""
    for name, plan in plans.items():
        if after.function(name) is None:
            continue
        try:
            a = print_module(before)
            b = print_module(after)
            r = oracle.check(a, b, path=_suffix(path, before), candidate_path=_suffix(path, after), kernel=name,
                             args=plan.args, launch=before.function(name).annotations.get("launch") or plan.launch,
                             candidate_launch=after.function(name).annotations.get("launch"), timeout=timeout)
        except XpilerError as e:
            return str(e)
        if not r.ok:
            return r.message
    return None


def _suffix(path: str, m: ir.Module) -> str:
    d = dialects.get(m.dialect)
    suffix = ".cpp" if m.dialect == "c" and m.language in ("c++", "cuda") else d.suffix
    return str(Path(path).with_name(Path(path).stem + "_xp" + suffix))


def _bisect(intermediates: list[tuple[str, ir.Module]], kernels, plans, path: str, timeout: float) -> Optional[str]:
    """The first pass whose output disagrees with the source (each pass's output is a
    program in its own dialect)."""
    source = intermediates[0][1]
    for name, m in intermediates[1:]:
        why = _verify_step(source, m, plans, path, timeout)
        if why:
            return name
    return None
