"""Long-running work the editor starts, as plain functions of the library, and what the
editor shows of their results.

A job is a *kind* (``KINDS``: ``check``, ``compile``, ``translate``, ``recheck``, ``review``) with
parameters. ``request(args)`` validates what a client sent (``{"job": "translate", "kernel":
"saxpy", "target": "c", "options": {...}}``) into a kind and its parameters, with a message
naming what is wrong. A kind's function takes the document (``text``, ``path``), the editor
``settings``, its parameters and a ``progress(stage, message, percent=None, partial=None)``
callback, and returns a JSON-able dict; ``partial`` is a result so far (a tuning job
streams its best), kept by the caller for a job that is stopped. The language server runs
them in worker processes (never on its event loop, and generated code only in the sandboxed
children the library starts), ties each to a progress token, and can cancel or time them
out; the CLI and tests can call them directly.

    check(text, path, kernel, settings, progress) -> {"diagnostics": [...], "summary": "...", ...}
    translate(text, path, kernel, target, ...) -> {"status", "why", "code", "lines", "result_diagnostics", ...}

The views of a translation for the editor are here too (``translation_result``): the
diagnostics on the result (what was checked and how, what is unverified or left scalar,
what failed; each pointing back at the source lines), the per-line provenance a hover
shows, and the failure on the source (the pass, the precondition and the construct).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from .dialects import NAMES as _TARGETS
from .diagnostics import Diagnostic, XpilerError

Progress = Callable[..., None]
"""``progress(stage, message, percent=None, partial=None)``."""


def _quiet(stage: str, message: str, percent: Optional[int] = None, partial: Optional[dict] = None) -> None:
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
    # the compiler's verdict so far: shown even if the run is stopped (a partial result)
    progress("compile", "building the CPU emulation", 35,
             {"diagnostics": [d.to_dict() for d in diags], "summary": f"{kernel}: {compile_note}"})
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




# ----------------------------------------------------------------------------- translation
TRANSLATE_OPTIONS = {  # option -> (check, what it must be); each goes to ``xpiler.translate``
    "verify": (lambda v: v in ("final", "passes", "none"), "one of final, passes, none"),
    "seeds": (lambda v: isinstance(v, list) and 1 <= len(v) <= 8 and all(type(x) is int and x >= 0 for x in v),
              "a list of 1 to 8 non-negative integers"),
    "compile": (lambda v: isinstance(v, bool), "true or false"),
    "sequence": (lambda v: isinstance(v, str) and 0 < len(v) < 2000, "a pass sequence such as 'bind; retarget'"),
    "generators": (lambda v: isinstance(v, dict) and all(isinstance(k, str) and isinstance(x, str)
                                                         for k, x in v.items()), "an object of strings"),
}


def translate(text: str, path: str, kernel: str, target: str, settings: Optional[dict] = None,
              options: Optional[dict] = None, out_path: Optional[str] = None,
              progress: Progress = _quiet) -> dict[str, Any]:
    """``xpiler.translate`` of ``kernel`` to ``target`` with its stages as progress
    (``pass 2/7 detensorize``, ``check compute: saxpy``), returned as
    ``translation_result``. ``out_path``: where the result will be written (its folder is
    what the port-of comment is relative to)."""
    from .driver import translate as run_translation

    opts = dict(options or {})
    if "seeds" in opts:
        opts["seeds"] = tuple(opts["seeds"])
    progress("parse", f"translating {kernel}", 2)

    def on_stage(stage) -> None:
        if stage.kind == "pass" and stage.total:
            percent = 5 + int(45 * stage.index / stage.total)
        elif stage.kind == "check":
            percent = {"source": 3, "compute": 55, "compile": 90}.get(stage.name, 95)
        else:
            percent = None
        progress(stage.kind, str(stage), percent)

    t = run_translation(text, target, kernel=kernel, path=path, progress=on_stage, out_path=out_path, **opts)
    progress("report", "writing the report", 98)
    return translation_result(t, text, kernel, out_path)


def recheck(text: str, path: str, kernel: str, target: str, source_text: Optional[str], source_path: str,
            settings: Optional[dict] = None, progress: Progress = _quiet) -> dict[str, Any]:
    """Check a translation result (``text``, perhaps edited since) against its source
    again: the oracle on two seeds with the source's argument spec, and the target's
    compiler. Returns ``checks`` (``CheckRecord`` dicts), ``status``, ``why``, ``verdict``
    and ``diagnostics`` on the result."""
    from . import oracle, toolchains
    from .frontend import parse
    from .report import CheckRecord

    settings = settings or {}
    if source_text is None:
        try:
            source_text = Path(source_path).read_text(encoding="utf-8", errors="replace")
        except OSError as e:
            raise XpilerError(f"cannot read the source {source_path} to compare with: {e}") from None
    progress("parse", "parsing the result and its source", 5)
    result_module = parse(text, path=path)
    line = _function_line(result_module, kernel)
    src_line = _function_line(parse(source_text, path=source_path), kernel)
    related = [{"path": source_path, "line": src_line, "message": f"the source kernel {kernel}"}]
    checks: list[CheckRecord] = []
    diags: list[dict] = []
    progress("check", "check compute: the oracle on two seeds", 20)
    t0 = time.monotonic()
    try:
        r = oracle.check(source_text, text, path=source_path, candidate_path=path, kernel=kernel,
                         timeout=float(settings.get("timeout", 120)))
        verdict = ("sampled" if r.sampled else "tested") if r.ok else "failed"
        detail = f"{kernel}: {r.describe().splitlines()[0]}" + ("" if r.ok else f": {r.message}")
        mm = r.first_mismatch
        checks.append(CheckRecord("compute", "oracle", verdict, detail, list(r.seeds), [r.args] if r.args else [],
                                  first_mismatch={"text": mm} if mm else None,
                                  seconds=round(time.monotonic() - t0, 2)))
        for f in r.candidate_errors:  # the result's own findings, at their lines
            diags.append(_diag("error", f"{f.kind}: {f.message}" + (f" (by {f.who})" if f.who else ""), f.line,
                               f.kind, related))
    except XpilerError as e:
        checks.append(CheckRecord("compute", "oracle", "failed", f"{kernel}: {e}", [0, 1],
                                  seconds=round(time.monotonic() - t0, 2)))
    progress("check", "check compile", 80)
    cr = toolchains.compile_check(text, path, target, options=toolchain(settings))
    cverdict = "failed" if cr.failed else "unverified" if cr.verdict == "unverified" else "tested"
    checks.append(CheckRecord("compile", cr.tool, cverdict, cr.message, seconds=round(cr.elapsed, 2)))
    for d in cr.diagnostics:
        if d.is_error and (not d.file or Path(d.file).name == Path(path).name):
            diags.append(_diag("error", f"{cr.tool}: {d.message}", d.line, "compile-error", related))
    failed = [c for c in checks if c.verdict == "failed"]
    status = "failed" if failed else "unverified" if any(c.verdict == "unverified" for c in checks) else "checked"
    why = failed[0].detail if failed else "; ".join(c.detail.split(" (", 1)[0] for c in checks)
    diags = [_check_diagnostic(c, line, related, "re-checked") for c in checks] + diags
    return {"kernel": kernel, "target": target, "status": status, "why": why,
            "checks": [c.__dict__ for c in checks], "verdict": verdict_line(status, why), "kernel_line": line,
            "result_diagnostics": diags}


def translation_result(t, source_text: str, kernel: str, out_path: Optional[str] = None) -> dict[str, Any]:
    """What the editor shows of a ``Translation``:

    - ``code``, ``status``, ``why``, ``verdict`` (the code lens's one line), ``report``
      (``Translation.to_dict()``, for clients that show it whole);
    - ``kernel_line``: the kernel's line in the result (the code lens goes above it);
    - ``result_diagnostics``: Information for each check that passed and how (seeds,
      shapes, compiler), Warning for each unverified check and each nest left scalar or
      unbound ("not tensorized: ..."), Error for each failed check; each has ``related``
      source lines;
    - ``lines``: for every line of the result (``"12"``: ...), the source lines it came
      from, their text, and the pass that made it (the report's provenance; a line inside
      a statement takes its statement's);
    - ``source_diagnostics``: on the source, when the translation was refused or failed:
      the pass, its precondition and the construct, at its line."""
    from . import dialects
    from .frontend import parse

    report = t.to_dict()
    src_lines = source_text.split("\n")
    src_path = t.source.path or "source"
    source_module = parse(source_text, path=src_path)
    src_kernel_line = _function_line(source_module, kernel)
    name = Path(src_path).name
    out: dict[str, Any] = {"kernel": kernel, "target": t.target, "status": t.status, "why": t.why,
                           "verdict": verdict_line(t.status, t.why), "code": t.code, "report": report,
                           "kernel_line": 1, "result_diagnostics": [], "lines": {}, "source_diagnostics": []}
    title = dialects.get(t.target).title
    if t.status in ("refused", "failed"):
        out["source_diagnostics"] = [_source_failure(t, kernel, title, src_lines, src_kernel_line)]
    if not t.code:
        return out
    result_module = parse(t.code, path=out_path or f"result{dialects.get(t.target).suffix}", dialect=t.target)
    line = _function_line(result_module, kernel)
    out["kernel_line"] = line
    related = [{"path": src_path, "line": src_kernel_line, "message": f"{kernel} in {name}"}]
    diags = [_check_diagnostic(c, line, related) for c in t.checks]
    by_source: dict[int, int] = {}  # first result line of each source line (for the nests' ranges)
    for o in t.provenance:
        for s in o.source_lines:
            by_source.setdefault(s, o.line)
    for n in t.nests:
        a, b = n.lines
        first = min((r for s, r in by_source.items() if a <= s <= b), default=line)
        rel = [{"path": src_path, "line": a, "message": f"the loop nest in {name}, lines {a}-{b}"}]
        for why in n.not_:
            code = why.split(":", 1)[0].strip().replace(" ", "-")  # not-tensorized, not-staged, not-parallel
            diags.append(_diag("warning", why, first, code, rel))
    out["result_diagnostics"] = diags
    out["lines"] = _line_origins(t, result_module, src_lines, src_path)
    return out


def verdict_line(status: str, why: str) -> str:
    mark = {"checked": "✓ checked", "unverified": "? unverified", "failed": "✗ failed", "refused": "✗ refused"}
    why = why if len(why) <= 110 else why[:107] + "..."
    return f"xpiler: {mark.get(status, status)}" + (f": {why}" if why else "")


def provenance_hover(lines: dict, line: int) -> Optional[str]:
    """The hover text for line ``line`` (1-based) of a result, from ``translation_result``'s
    ``lines``."""
    o = lines.get(str(line)) or lines.get(line)
    if o is None:
        return None
    if not o["source"]:
        return f"**xpiler** · {o['what']}"
    a, b = o["source"][0], o["source"][-1]
    where = f"line {a}" if a == b else f"lines {a}-{b}"
    text = "\n".join(o.get("text", []))
    head = f"**xpiler** · from `{o['file']}` {where}" + "".join(f"; {x}" for x in (o.get("made"), o.get("what")) if x)
    return head + (f"\n\n```{o.get('lang', 'c')}\n{text}\n```" if text else "")


def _line_origins(t, result_module, src_lines: list[str], src_path: str) -> dict[str, dict]:
    """Every line of the result: a statement's first line has the report's provenance; a
    line inside a statement (its closing brace, the rest of a loop header) takes the
    statement's (the nearest line above with an origin and no deeper indentation); a
    function's own lines (its signature) point at the source function."""
    from . import dialects

    name = Path(src_path).name
    lang = {"cuda": "cuda", "hip": "cpp", "bang": "cpp", "vnni": "cpp", "c": "c"}.get(t.source.dialect, "c")
    exact = {o.line: o for o in t.provenance}
    code_lines = t.code.split("\n")
    indent = [len(x) - len(x.lstrip()) for x in code_lines]
    spans = [(f.span.line, f.span.end_line, f) for f in result_module.functions if f.body is not None and f.span]
    out: dict[str, dict] = {}

    def entry(o, what: str = "") -> dict:
        shown = o.source_lines[:8]
        made = f"made by the `{o.pass_name}` pass" if o.pass_name else "carried over from the source unchanged"
        return {"source": o.source_lines, "pass": o.pass_name, "made": made, "what": what, "file": name,
                "lang": lang, "text": [src_lines[s - 1] for s in shown if 0 < s <= len(src_lines)]}

    for i in range(1, len(code_lines) + 1):
        if i in exact:
            out[str(i)] = entry(exact[i])
            continue
        fn = next((f for a, b, f in spans if a <= i <= b), None)
        if fn is None:
            out[str(i)] = {"source": [], "what": f"written by the translation to {dialects.get(t.target).title} "
                                                 f"(includes, declarations, xpiler comments), no source line"}
            continue
        owner = next((exact[k] for k in range(i - 1, fn.span.line - 1, -1)
                      if k in exact and indent[k - 1] <= indent[i - 1]), None)
        if owner is not None:
            closing = code_lines[i - 1].strip().startswith("}")
            out[str(i)] = entry(owner, f"{'the end' if closing else 'part'} of the statement at line {owner.line}")
        else:  # the function's own lines: its signature, its closing brace
            line = _src_function_line(src_lines, fn.name)
            out[str(i)] = {"source": [line] if line else [], "pass": None, "file": name, "lang": lang,
                           "made": f"the function {fn.name}, in the target's spelling",
                           "text": [src_lines[line - 1]] if line else []}
    return out


def _src_function_line(src_lines: list[str], name: str) -> Optional[int]:
    import re

    pat = re.compile(rf"\b{re.escape(name)}\s*\(")
    for i, text in enumerate(src_lines, 1):
        if pat.search(text) and not text.lstrip().startswith(("//", "#")) and not text.rstrip().endswith(";"):
            return i
    return None


def _function_line(module, name: str) -> int:
    f = module.function(name)
    return f.span.line if f is not None and f.span else 1


def _diag(severity: str, message: str, line: int, code: str, related: Optional[list] = None) -> dict:
    d = Diagnostic(severity, message, max(int(line or 1), 1), 1, source="xpiler", code=code).to_dict()
    if related:
        d["related"] = related
    return d


def _check_diagnostic(c, line: int, related: list, how: str = "checked") -> dict:
    """One check as a diagnostic on the result: what was checked and how."""
    if c.kind == "compute":
        seeds = f"seeds {', '.join(map(str, c.seeds))}" if c.seeds else ""
        shapes = f"shapes {' | '.join(c.arg_specs)}" if c.arg_specs else ""
        how_ = "; ".join(x for x in (seeds, shapes) if x)
        text = c.detail.split(" (", 1)[0] if c.verdict != "failed" else c.detail
        msg = f"{how} by the oracle ({c.verdict}): {text}" + (f" [{how_}]" if how_ else "")
    else:
        msg = f"{c.kind} check by {c.tool} ({c.verdict}): {c.detail}"
    if c.verdict == "failed":
        mm = c.first_mismatch or {}
        if "buffer" in mm:
            msg += f"; first mismatch {mm['buffer']}{list(mm.get('index') or [])}: expected {mm.get('expected')}, " \
                   f"got {mm.get('got')}"
        elif "text" in mm:
            msg += f"; first mismatch {mm['text']}"
    severity = {"failed": "error", "unverified": "warning"}.get(c.verdict, "information")
    return _diag(severity, msg, line, f"check-{c.kind}", related)


def _source_failure(t, kernel: str, title: str, src_lines: list[str], kernel_line: int) -> dict:
    """The failure on the source: at the refusing pass's line, naming the pass, the
    precondition and the construct; else at the kernel."""
    refused = next((p for p in t.passes if p.verdict == "refused" and p.refusal), None)
    wrong = next((p for p in t.passes if p.verdict == "failed"), None)
    line = kernel_line
    if refused is not None:
        r = refused.refusal
        line = r.get("line") or kernel_line
        construct = src_lines[line - 1].strip() if 0 < line <= len(src_lines) else ""
        msg = (f"Translating {kernel} to {title}: the {refused.name} pass refused (precondition "
               f"'{r.get('precondition')}': {r.get('detail')})" + (f" at `{construct}`" if construct else ""))
        code = "translate-refused"
    elif t.status == "refused":
        msg, code = f"Translating {kernel} to {title} was refused: {t.why}", "translate-refused"
    else:
        msg = f"Translating {kernel} to {title} failed a check: {t.why}"
        if wrong is not None:
            msg += f" (the {wrong.name} pass made the first wrong program)"
        code = "translate-failed"
    d = _diag("warning", msg, line, code)
    if 0 < line <= len(src_lines):  # the construct's whole line
        text = src_lines[line - 1]
        d["col"] = len(text) - len(text.lstrip()) + 1
        d["end_line"], d["end_col"] = line, len(text.rstrip()) + 1
    return d


# ----------------------------------------------------------------------------- job kinds
@dataclass(frozen=True)
class Param:
    """A parameter a client gives a job: ``check(value)`` is true when it is valid, ``must``
    says what it must be."""

    name: str
    check: Callable[[Any], bool]
    must: str
    required: bool = True


@dataclass(frozen=True)
class Kind:
    """A kind of job: its function, the parameters a client gives it (the document, its
    text, path and the settings are given by the caller), a title for progress, and its
    default timeout in seconds (None: the caller's)."""

    name: str
    run: Callable[..., dict]
    params: tuple[Param, ...]
    title: str  # str.format'ed with the parameters and ``target_title``
    timeout: Optional[float] = None
    doc: str = ""

    def title_for(self, params: dict) -> str:
        from . import dialects

        target = params.get("target")
        target_title = dialects.get(target).title if target in dialects.NAMES else target
        return self.title.format(target_title=target_title, **params)


def _is_name(v: Any) -> bool:
    return isinstance(v, str) and 0 < len(v) <= 200 and v.replace("_", "a").replace("::", "a").isalnum()


def _translate_options(v: Any) -> bool:
    if not isinstance(v, dict):
        return False
    return all(k in TRANSLATE_OPTIONS and TRANSLATE_OPTIONS[k][0](x) for k, x in v.items())


def review(text: str, path: str, kernel: str, settings: Optional[dict] = None, against: Optional[dict] = None,
           progress: Progress = _quiet) -> dict[str, Any]:
    """A port (the document) compared with its original (``against``: ``{"path", "kernel"}``;
    default: the port-of comment): ``review.review_port``'s diagnostics on the port."""
    from .review import review_port

    settings = settings or {}
    orig = (against["path"], against.get("kernel")) if against else None
    r = review_port(text, path, kernel, against=orig, timeout=float(settings.get("timeout", 120)),
                    progress=lambda stage, message, percent=None: progress(stage, message, percent))
    return {"kernel": kernel, "diagnostics": r.diagnostic_dicts(), "summary": r.summary, "ok": r.ok,
            "original": r.original.__dict__}


def _against(v: Any) -> bool:
    return isinstance(v, dict) and isinstance(v.get("path"), str) and 0 < len(v["path"]) < 4096 and \
        set(v) <= {"path", "kernel"} and (v.get("kernel") is None or _is_name(v["kernel"]))


KERNEL = Param("kernel", _is_name, "the name of a kernel of the document")
KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("check", check, (KERNEL,), "Check {kernel}: compile and run on the CPU",
         doc="compile with the real toolchain, run on the CPU with seeded inputs, report the findings"),
    Kind("compile", lambda text, path, kernel, settings=None, progress=_quiet:
         check(text, path, kernel, settings, progress, compile_only=True), (KERNEL,),
         "Compile-check {kernel} with the real toolchain", doc="the real toolchain's verdict only"),
    Kind("translate", translate,
         (KERNEL, Param("target", lambda v: v in _TARGETS, "one of " + ", ".join(_TARGETS)),
          Param("options", _translate_options, "an object with " + "; ".join(
              f"{k}: {m}" for k, (_, m) in TRANSLATE_OPTIONS.items()), required=False)),
         "Translate {kernel} to {target_title}",
         doc="xpiler.translate with its checks; the result goes to a new file beside the source"),
    Kind("recheck", recheck, (KERNEL, Param("target", lambda v: v in _TARGETS, "one of " + ", ".join(_TARGETS))),
         "Re-check {kernel} ({target_title}) against its source",
         doc="the oracle and the compiler on a translation result, against its source"),
    Kind("review", review,
         (KERNEL, Param("against", _against, "an object {path, kernel}: the original's file and (optionally) "
                                             "kernel", required=False)),
         "Compare {kernel} with its original",
         doc="a hand-made port run against its original on the same inputs; the disagreements on the port"),
)}


def request(args: Any) -> tuple[Kind, dict, Optional[float]]:
    """The kind, parameters and timeout a client asked for (``{"job": ..., "kernel": ...,
    "timeout": seconds, ...}``; ``job`` defaults to ``check``, ``timeout`` to the kind's, else
    None: the caller's). Raises ``XpilerError`` saying what is wrong."""
    if not isinstance(args, dict):
        raise XpilerError("an xpiler job takes one object argument: {uri, version, job, kernel, ...}")
    name = args.get("job", "check")
    kind = KINDS.get(name) if isinstance(name, str) else None
    if kind is None:
        raise XpilerError(f"unknown xpiler job {name!r}: use one of {', '.join(KINDS)}")
    params: dict[str, Any] = {}
    for p in kind.params:
        if p.name not in args or args[p.name] is None:
            if p.required:
                raise XpilerError(f"the {name} job needs {p.name!r}: {p.must}")
            continue
        if not p.check(args[p.name]):
            raise XpilerError(f"the {name} job's {p.name!r} is {_short_repr(args[p.name])}: it must be {p.must}")
        params[p.name] = args[p.name]
    timeout = args.get("timeout")
    if timeout is not None and (type(timeout) not in (int, float) or not 0 < timeout <= 24 * 3600):
        raise XpilerError(f"the job's 'timeout' is {_short_repr(timeout)}: it must be seconds, a positive number")
    return kind, params, float(timeout) if timeout is not None else kind.timeout


def run(name: str, progress: Progress = _quiet, **params: Any) -> dict:
    """Run job kind ``name`` (what a worker process does)."""
    return KINDS[name].run(progress=progress, **params)


def _short_repr(v: Any) -> str:
    r = repr(v)
    return r if len(r) <= 60 else r[:57] + "..."


def output_path(source_path: str, target: str, taken=()) -> Path:
    """Where a translation of ``source_path`` to ``target`` goes: ``driver.output_path``
    (the stem with the target's suffix, numbered when that exists, never the source), also
    passing over the paths in ``taken`` (files promised to other jobs, not written yet)."""
    from .driver import output_path as first_free

    p = first_free(source_path, target)
    if str(p) not in taken:
        return p
    base = first_free(source_path, target, force=True)
    k = 2
    while True:  # the numbering driver.output_path uses
        c = base.with_name(f"{base.stem}-{k}{base.suffix}")
        if not c.exists() and str(c) not in taken:
            return c
        k += 1
