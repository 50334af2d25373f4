"""Review a hand-made port against its original (issue 17): where does the port disagree?

    r = review_port(port_text, "ports/softmax.mlu")                 # the port-of comment names it
    r = review_port(port_text, "softmax.mlu", against="../cuda/softmax.cu:softmax")
    r.ok, r.disagreements, r.findings, r.diagnostics(), r.summary

The original is ``against`` (``FILE[:KERNEL]``, relative to the working directory) or
else the one the port's kernel names in its comment, ``// xpiler: port-of PATH KERNEL``
(PATH relative to the port's folder; every translation carries one). Both run on the same
seeded random inputs through the oracle (``oracle.check``: the original is the source, the
port the candidate; the original's argument spec, or the port's when the original has
none; each file's own launch; outputs pre-filled with the sentinel; two seeds), so what
counts as a disagreement is exactly what fails a translation.

For each buffer that disagrees, the first wrong element is *located* (``oracle.check(...,
locate=True)``): both programs run once more on that input set with the runtime watching
the element, which records the line and the thread, block or task of its last write. A
disagreement is reported on the statement of the port that last wrote the wrong element,
with the expected and actual values and who wrote it, and points (related information)
to the original's statement that wrote it. An element the port never wrote is reported on
the port's statement that writes the nearest elements of that buffer (a loop bound one
short: the loop's store), or on the kernel when nothing writes the buffer. The port's own
error findings (out of bounds, races, BANG misuse) come beside them, at their lines; the
original's findings are a warning (a buggy original makes disagreements moot).

What is located is the element's last write in the emulation: in a host function that
copies device buffers back, that is the copy (``cudaMemcpy``) line, not the kernel's store.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .diagnostics import Diagnostic, XpilerError
from .runtime.findings import Finding


@dataclass
class Original:
    path: str
    kernel: str
    how: str  # "port-of comment" or "chosen"

    def label(self) -> str:
        return f"{Path(self.path).name}: {self.kernel}"


@dataclass
class Disagreement:
    """The first wrong element of one buffer, and where the port wrote it."""

    buffer: str
    index: tuple
    kind: str  # "differs", "never-written" (the original writes it, the port not), "candidate-only"
    count: int  # elements of the buffer wrong this way
    total: int  # elements of the buffer
    run: str  # the input set ("seed 0")
    expected: Optional[float]
    got: Optional[float]
    line: int  # the port's line it is reported at
    located: str  # "last write", "nearest write", "kernel" (nothing located)
    who: Optional[str] = None  # the thread, block or task of the port's last write
    original_line: Optional[int] = None  # the original's last write of the element
    original_who: Optional[str] = None

    def element(self) -> str:
        return f"{self.buffer}[{', '.join(map(str, self.index))}]"

    def message(self) -> str:
        n = f"{self.count} of {self.total} elements" if self.count != 1 else f"1 of {self.total} elements"
        if self.kind == "differs":
            text = f"{self.element()} is {_num(self.got)}, the original computes {_num(self.expected)} ({self.run})"
            if self.located == "last write":
                text += f"; last written here by {self.who}" if self.who else "; last written here"
            text += f"; {n} of {self.buffer} differ"
        elif self.kind == "never-written":
            text = f"{self.element()} is never written by the port; the original writes {_num(self.expected)} " \
                   f"there ({self.run})"
            if self.located == "nearest write":
                text += f"; the nearest elements of {self.buffer} are written here"
            text += f"; {n} of {self.buffer} not written"
        else:
            text = f"{self.element()} is written by the port only ({_num(self.got)}, {self.run}): the original " \
                   f"never writes it"
            if self.located == "last write":
                text += f"; written here by {self.who}" if self.who else "; written here"
            text += f"; {n} of {self.buffer}"
        return text


@dataclass
class PortReview:
    port_path: str
    kernel: str
    original: Original
    ok: bool
    summary: str  # what was compared, and the verdict, in one line
    kernel_line: int
    original_kernel_line: int
    disagreements: list[Disagreement] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # the port's error findings
    original_findings: list[Finding] = field(default_factory=list)  # the original's error findings
    failure: Optional[str] = None  # the comparison could not be made (the port did not run...)
    seconds: float = 0.0

    def diagnostic_dicts(self) -> list[dict]:
        """The review as diagnostics on the port (``Diagnostic.to_dict()`` plus ``related``:
        the original's lines), for the editor."""
        orig = self.original
        at_kernel = [{"path": orig.path, "line": self.original_kernel_line, "message": f"the original, {orig.label()}"}]
        out: list[dict] = []
        if self.ok:
            out.append(_d("information", self.summary, self.kernel_line, "port-equal", at_kernel))
            return out
        for g in self.disagreements:
            rel = list(at_kernel)
            if g.original_line:
                rel = [{"path": orig.path, "line": g.original_line,
                        "message": f"the original writes {g.element()} here"
                                   + (f" ({g.original_who})" if g.original_who else "")}]
            out.append(_d("error", g.message(), g.line, "port-disagreement", rel))
        for f in self.findings:
            out.append(_d("error", f"{f.kind}: {f.message}" + (f" (by {f.who})" if f.who else ""), f.line,
                          "port-finding", at_kernel))
        if self.original_findings:
            kinds = "; ".join(f"{f.kind} at line {f.line}" for f in self.original_findings[:3])
            out.append(_d("warning", f"the original itself has findings ({kinds}): check it first "
                                     f"(xpiler check {orig.path})", self.kernel_line, "port-original-findings",
                          at_kernel))
        if self.failure:
            out.append(_d("error", f"could not compare with {orig.label()}: {self.failure}", self.kernel_line,
                          "port-failed", at_kernel))
        out.append(_d("information", self.summary, self.kernel_line, "port-summary", at_kernel))
        return out

    def diagnostics(self) -> list[Diagnostic]:
        out = []
        for x in self.diagnostic_dicts():
            x.pop("related", None)
            out.append(Diagnostic(**x))
        return out

    def to_dict(self) -> dict:
        return {"port": self.port_path, "kernel": self.kernel, "original": self.original.__dict__, "ok": self.ok,
                "summary": self.summary, "failure": self.failure, "seconds": round(self.seconds, 2),
                "disagreements": [dict(g.__dict__, index=list(g.index), message=g.message())
                                  for g in self.disagreements],
                "findings": [f.__dict__ for f in self.findings],
                "original_findings": [f.__dict__ for f in self.original_findings],
                "diagnostics": self.diagnostic_dicts()}


def _d(severity: str, message: str, line: int, code: str, related: list) -> dict:
    from .jobs import _diag  # the editor's diagnostic dict (related: the original's lines)

    return _diag(severity, message, line, code, related)


def _num(v: Optional[float]) -> str:
    return "?" if v is None else f"{v:.6g}"


def parse_against(text: str) -> tuple[str, Optional[str]]:
    """``FILE[:KERNEL]`` (a Windows drive letter is not a kernel)."""
    path, sep, kernel = text.rpartition(":")
    if not sep or not kernel or not path or "/" in kernel or "\\" in kernel or not kernel.replace("_", "a").isalnum():
        return text, None
    return path, kernel


def parse_port_of(note: str) -> tuple[str, Optional[str]]:
    """``PATH KERNEL`` of a port-of comment: the last word is the kernel when it is an
    identifier (a path may hold spaces); otherwise the whole note is the path."""
    note = note.strip()
    head, _, last = note.rpartition(" ")
    if head.strip() and last.replace("_", "a").isalnum() and not last[0].isdigit():
        return head.strip(), last
    return note, None


def find_original(module, port_path: str, kernel: str) -> Original:
    """The original a port's kernel names in its ``// xpiler: port-of PATH KERNEL`` comment."""
    f = module.function(kernel)
    note = (f.annotations.get("port-of") if f is not None else None) or ""
    if not note.strip():
        raise XpilerError(f"{kernel} names no original: add '// xpiler: port-of PATH KERNEL' above it (PATH "
                          f"relative to {Path(port_path).name}'s folder), or compare with --against FILE[:KERNEL]")
    rel, named = parse_port_of(note)
    path = Path(rel)
    if not path.is_absolute():
        path = Path(port_path).resolve().parent / path
    return Original(str(path), named or kernel, "port-of comment")


def _pick_port_kernel(module, path: str, kernel: Optional[str], against: bool) -> str:
    if kernel:
        f = module.function(kernel)
        if f is None or f.body is None:
            raise XpilerError(f"no kernel '{kernel}' in {path}")
        return kernel
    defined = [f for f in module.functions if f.body is not None]
    named = [f for f in defined if "port-of" in f.annotations]
    if against:
        named = named or [f for f in defined if f.kind == "kernel"] or defined
    if len(named) == 1:
        return named[0].name
    if not named:
        raise XpilerError(f"{path} names no original: add '// xpiler: port-of PATH KERNEL' above its kernel, or "
                          f"compare with --against FILE[:KERNEL]")
    raise XpilerError(f"{path} has {len(named)} kernels to compare ({', '.join(f.name for f in named)}): "
                      f"choose one with --kernel NAME")


def _pick_original_kernel(module, path: str, kernel: Optional[str], port_kernel: str) -> str:
    if kernel:
        f = module.function(kernel)
        if f is None or f.body is None:
            raise XpilerError(f"the original {path} has no kernel '{kernel}'")
        return kernel
    f = module.function(port_kernel)
    if f is not None and f.body is not None:
        return port_kernel  # a port keeps its original's name
    kernels = [f for f in module.functions if f.body is not None and f.kind == "kernel"]
    if len(kernels) == 1:
        return kernels[0].name
    raise XpilerError(f"the original {path} has no kernel named {port_kernel} and {len(kernels)} others: name "
                      f"it as FILE:KERNEL")


def review_port(port_text: str, port_path: str, kernel: Optional[str] = None, against=None,
                original_text: Optional[str] = None, seeds=None, timeout: float = 60.0,
                progress=None) -> PortReview:
    """Compare the port (``port_text`` at ``port_path``; its ``kernel``, by default the one
    with a port-of comment) with its original (``against``: ``"FILE[:KERNEL]"`` or
    ``(path, kernel)``; else the port-of comment; ``original_text`` instead of reading the
    file). See the module doc. Raises ``XpilerError`` when there is nothing to compare
    (no original named, a file that cannot be read, a kernel not found, a port that does
    not parse)."""
    from . import oracle
    from .frontend import parse

    t0 = time.monotonic()
    say = progress or (lambda stage, message, percent=None: None)
    say("parse", "reading the port and its original", 5)
    port = parse(port_text, path=port_path)
    errors = [d for d in port.diagnostics if d.is_error]
    if errors:
        raise XpilerError(f"{port_path} has parse errors ({errors[0].message}, line {errors[0].line}): fix them first")
    if isinstance(against, str):
        against = parse_against(against)
    port_kernel = _pick_port_kernel(port, port_path, kernel, against is not None)
    if against is not None:
        orig = Original(str(Path(against[0]).resolve()), against[1] or "", "chosen")
    else:
        orig = find_original(port, port_path, port_kernel)
    if original_text is None:
        try:
            original_text = Path(orig.path).read_text(encoding="utf-8", errors="replace")
        except OSError as e:
            raise XpilerError(f"cannot read the original {orig.path}: {e.strerror or e}") from None
    original = parse(original_text, path=orig.path)
    oerrors = [d for d in original.diagnostics if d.is_error]
    if oerrors:
        raise XpilerError(f"the original {orig.path} has parse errors ({oerrors[0].message}, line "
                          f"{oerrors[0].line}): fix them first")
    orig.kernel = _pick_original_kernel(original, orig.path, orig.kernel or None, port_kernel)
    pf, of = port.function(port_kernel), original.function(orig.kernel)
    line = pf.span.line if pf is not None and pf.span else 1
    oline = of.span.line if of is not None and of.span else 1
    args = None
    if of is not None and "args" not in of.annotations:
        if pf is None or "args" not in pf.annotations:
            raise XpilerError(f"neither the original {orig.label()} nor the port {port_kernel} says its argument "
                              f"sizes: add '// xpiler: args x=float32[N] ... n=N' above one of them")
        args = pf.annotations["args"]  # the original has none: the port's sizes
    say("compare", f"running {port_kernel} and {orig.label()} on the same inputs", 20)
    review = PortReview(port_path, port_kernel, orig, False, "", line, oline)
    try:
        rep = oracle.check(original_text, port_text, path=orig.path, candidate_path=port_path, kernel=orig.kernel,
                           candidate_kernel=port_kernel, args=args, seeds=seeds, timeout=timeout, locate=True)
    except XpilerError as e:
        review.failure = str(e)
        review.summary = f"{port_kernel} was not compared with {orig.label()}: {e}"
        review.seconds = time.monotonic() - t0
        return review
    say("locate", "placing the disagreements", 90)
    review.findings = rep.candidate_errors
    seen: dict[tuple[str, int], Finding] = {}
    for r in rep.runs:
        src = r.source_checked or r.source
        for f in src.findings:
            if f.severity == "error":
                seen.setdefault((f.kind, f.line), f)
    review.original_findings = list(seen.values())
    shown = next((r for r in rep.runs if not r.ok), rep.runs[0] if rep.runs else None)
    for b in (shown.buffers if shown is not None else []):
        wrong = b.first_wrong()
        if wrong is None:
            continue
        index, kind = wrong
        count = {"differs": b.mismatches, "never-written": b.never_written}.get(kind, b.candidate_only_writes)
        total = 1
        for n in b.shape:
            total *= n
        g = Disagreement(b.name, index, kind, count, total, shown.label,
                         b.expected_at_first if kind == "differs" else b.expected_at_never_written,
                         b.got_at_first if kind == "differs" else b.got_at_candidate_only, line, "kernel")
        w = b.writer
        if w and w.get("writes") and w.get("line", 0) > 0 and kind != "never-written":
            g.line, g.located, g.who = w["line"], "last write", w.get("who") or None
        elif kind == "never-written" and b.writing_lines:
            g.line, g.located = b.writing_lines[0], "nearest write"
        sw = b.source_writer
        if sw and sw.get("writes") and sw.get("line", 0) > 0:
            g.original_line, g.original_who = sw["line"], sw.get("who") or None
        review.disagreements.append(g)
    review.ok = rep.ok
    sets = f"seeds {', '.join(map(str, rep.seeds))}" if rep.seeds else f"{len(rep.runs)} input sets"
    compared = ", ".join(dict.fromkeys(b.name for r in rep.runs for b in r.buffers)) or "no buffer"
    how = f"on {sets}" + (f" (args {rep.args})" if rep.args else "") + f", compared {compared}"
    if rep.sampled:
        how += " (sampled: findings on a sample of blocks or tasks)"
    if rep.ok:
        worst = max((b.max_abs for r in rep.runs for b in r.buffers), default=0.0)
        review.summary = f"{port_kernel} agrees with {orig.label()} {how}; max abs difference {worst:.3g}"
    else:
        if not review.disagreements and not review.findings:
            review.failure = rep.message
        what = []
        if review.disagreements:
            what.append(f"{len(review.disagreements)} buffer(s) disagree")
        if review.findings:
            what.append(f"{len(review.findings)} finding(s) of the port")
        review.summary = f"{port_kernel} disagrees with {orig.label()} {how}: " + ("; ".join(what) or rep.message)
    review.seconds = time.monotonic() - t0
    say("report", review.summary, 100)
    return review
