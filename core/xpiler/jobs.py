"""Long-running work the editor starts, as plain functions of the library.

A job function takes JSON-able arguments and a ``progress(stage, message, percent)``
callback, and returns a JSON-able result. The language server runs them in worker
processes (never on its event loop), ties each to a progress token, and can cancel or time
them out; the CLI and tests can call them directly. Translation and tuning jobs will be
added here the same way.

    check(text, path, kernel, settings, progress) -> {"diagnostics": [...], "summary": "...", ...}
"""
from __future__ import annotations

import time
from typing import Any, Callable, Optional

from .diagnostics import Diagnostic, XpilerError

Progress = Callable[[str, str, Optional[int]], None]


def _quiet(stage: str, message: str, percent: Optional[int] = None) -> None:
    pass


def check(text: str, path: str, kernel: str, settings: Optional[dict] = None,
          progress: Progress = _quiet, compile_only: bool = False) -> dict[str, Any]:
    """Compile ``kernel`` with the real toolchain and (unless ``compile_only``) run it on
    the CPU with seeded random inputs; return its findings as diagnostics on the source and
    an Information diagnostic summarising what ran."""
    from . import toolchains
    from .frontend import parse
    from .runtime import build
    from .runtime.run import run_built

    settings = settings or {}
    t0 = time.monotonic()
    diags: list[Diagnostic] = []
    progress("parse", f"parsing {kernel}", 5)
    module = parse(text, path=path)
    errors = [d for d in module.diagnostics if d.is_error]
    f = module.function(kernel)
    if f is None or f.body is None:
        raise XpilerError(f"{kernel} is not defined in this file (any more): reopen the code actions")
    line = f.span.line if f.span else 1
    result: dict[str, Any] = {"kernel": kernel, "diagnostics": [], "summary": "", "unresolved": None}
    progress("compile", "compiling with the real toolchain", 15)
    cr = toolchains.compile_check(text, path, module.dialect, options=toolchain(settings))
    diags += [d for d in cr.diagnostics]
    compile_note = cr.message
    if compile_only:
        diags.append(Diagnostic("information", f"compile check of {kernel}: {cr.message}", line, 1, file=path,
                                source="xpiler", code="check-summary"))
        result["diagnostics"] = [d.to_dict() for d in diags]
        result["summary"] = cr.message
        return result
    if errors:
        raise XpilerError(f"{path} has parse errors ({errors[0].message}, line {errors[0].line}): fix them first")
    progress("compile", "building the CPU emulation", 35)
    try:
        from .runtime.resolve import resolve

        resolved = resolve(module, f)  # fails early, with the comment to add, when launch or args are unknown
    except XpilerError as e:
        result["unresolved"] = _unresolved(module, f, str(e))
        diags.append(Diagnostic("warning", str(e), line, 1, file=path, source="xpiler", code="unresolved-launch"))
        result["diagnostics"] = [d.to_dict() for d in diags]
        result["summary"] = str(e)
        return result
    t_build = time.monotonic()
    program = build.build(module, kernel)
    compile_seconds = time.monotonic() - t_build
    progress("run", "running on the CPU", 60)
    options = {"bang_arch": settings["mluArch"]} if module.dialect == "bang" and settings.get("mluArch") else None
    ex = run_built(f, program, resolved, timeout=float(settings.get("timeout", 120)), options=options,
                   compile_seconds=compile_seconds)
    progress("compare", "collecting findings", 90)
    diags += ex.diagnostics(path)
    not_written = [f"{k} ({int((~w).sum())} of {w.size})" for k, w in ex.written.items() if w.any() and not w.all()]
    written = [k for k, w in ex.written.items() if w.any()]
    launch = f"launch {ex.launch} from {ex.launch_source}" if ex.launch else "no launch"
    summary = (f"check of {kernel}: {ex.status}" + (f" ({ex.message})" if ex.message else "") +
               f"; {launch}; ran {ex.elapsed:.2f} s (compile {ex.compile_seconds:.2f} s); "
               f"outputs written: {', '.join(written) or 'none'}"
               + (f"; partly written: {', '.join(not_written)}" if not_written else "")
               + f"; {len(ex.findings)} finding(s); {compile_note}; total {time.monotonic() - t0:.1f} s")
    diags.append(Diagnostic("information", summary, line, 1, file=path, source="xpiler", code="check-summary"))
    result["diagnostics"] = [d.to_dict() for d in diags]
    result["summary"] = summary
    result["status"] = ex.status
    return result


def toolchain(settings: dict):
    """The compilers and targets the editor's settings choose (unset: PATH and defaults)."""
    from .toolchains import Toolchain

    tc = settings.get("toolchain", {}) or {}
    return Toolchain(nvcc=tc.get("nvcc") or None, hipcc=tc.get("hipcc") or None, gcc=tc.get("gcc") or None,
                     gxx=tc.get("gxx") or None, cuda_arch=settings.get("gpuArch") or "sm_80",
                     hip_arch=settings.get("hipArch") or "gfx90a", bang_arch=settings.get("mluArch") or "mtp_372")


def _unresolved(module, f, message: str) -> dict:
    """What a quick fix inserts above the kernel: a launch comment (and args comment), labelled
    for what it is. ``launch`` is "inferred" (from the kernel's guards and index arithmetic:
    check the values) or "default" (inference failed, ``reason`` says why: a placeholder the
    user must replace); ``args`` is "placeholder" (sizes are never inferred here)."""
    from . import dtypes, ir, spec
    from .runtime.infer import infer_launch

    notes: list[str] = []  # plain comments above the annotations: what the values are
    insert: list[str] = []
    fix: dict = {"launch": None, "reason": None, "args": None}
    if "launch" not in f.annotations and module.dialect in ("cuda", "hip", "bang") and f.kind == "kernel":
        values = {}
        if "args" in f.annotations:
            try:
                values = {a.name: a.value for a in spec.parse_args(f.annotations["args"]) if not a.is_buffer}
            except XpilerError:
                pass
        L, evidence = infer_launch(module, f, values)
        if L is not None:
            fix["launch"] = "inferred"
            insert.append(f"// xpiler: launch {L}")
        else:
            fix["launch"] = "default"
            fix["reason"] = "; ".join(evidence) or "nothing in the kernel bounds its grid"
            default = "dim=4,1,1 type=union1" if module.dialect == "bang" else "grid=1,1,1 block=256,1,1"
            # a plain comment (not "xpiler:") so the note never becomes an annotation
            notes.append(f"// default launch, not inferred (inference failed: {fix['reason']}): "
                          f"replace it with the kernel's real launch")
            insert.append(f"// xpiler: launch {default}")
    if "args" not in f.annotations and ("args" in message or "argument" in message):
        parts = []
        for p in f.params:
            if isinstance(p.type, (ir.Pointer, ir.Array)):
                parts.append(f"{p.name}={dtypes.dtype_of(dtypes.element_type(p.type)) or 'float32'}[1024]")
            else:
                parts.append(f"{p.name}=1024")
        fix["args"] = "placeholder"
        notes.append("// placeholder argument sizes, not inferred: set each buffer's shape and each scalar's value")
        insert.append("// xpiler: args " + " ".join(parts))
    line = f.span.line if f.span else 1
    if f.template:
        line = max(1, line)
    return {"line": line, "text": "\n".join(notes + insert) + "\n" if insert else "", **fix}


JOBS = {"check": check, "compile": lambda text, path, kernel, settings=None, progress=_quiet:
        check(text, path, kernel, settings, progress, compile_only=True)}
