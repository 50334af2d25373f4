"""What the editor shows on hover: kernels, intrinsics, built-in variables, variables.

Everything comes from the dialect tables (one source of truth) and the module:

- on a kernel's name: its signature, dialect, launch and where it comes from (launch
  comment, host code, inference), argument spec, and on-chip memory per space against the
  configured architecture's capacity;
- on an intrinsic: its documented signatures, what it computes, units, alignment, operand
  spaces, overlap rules and availability;
- on a built-in variable (``threadIdx``, ``taskId``...): its meaning and range, with the
  numbers under the kernel's resolved launch;
- on a variable: its declaration (type, memory space, size).

    h = hover(module, text, line=12, col=8)   # 1-based; None when there is nothing to say
    h.markdown, h.range
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from . import dialects, dtypes, ir, spec
from .printer import Printer
from .summary import FunctionInfo, summarize

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

DEFAULT_ARCH = {"cuda": "sm_80", "hip": "gfx90a", "bang": "mtp_372"}


@dataclass
class Hover:
    markdown: str
    line: int  # 1-based range of the word hovered
    col: int
    end_col: int


def word_at(text: str, line: int, col: int) -> Optional[tuple[str, int, int]]:
    """(word, start column, end column), 1-based, of the identifier at (line, col)."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    s = lines[line - 1]
    for m in _WORD.finditer(s):
        if m.start() <= col - 1 <= m.end():
            if m.start() <= col - 1 < m.end() or col - 1 == m.end():
                return m.group(0), m.start() + 1, m.end() + 1
    return None


def _enclosing(module: ir.Module, line: int) -> Optional[ir.Function]:
    for f in module.functions:
        if f.span and f.body is not None and f.span.line <= line <= f.span.end_line:
            return f
    return None


def hover(module: ir.Module, text: str, line: int, col: int, arch: Optional[str] = None) -> Optional[Hover]:
    w = word_at(text, line, col)
    if w is None:
        return None
    word, start, end = w
    d = dialects.get(module.dialect)
    arch = arch or DEFAULT_ARCH.get(d.name)
    md: Optional[str] = None
    f = module.function(word)
    if f is not None:
        md = function_markdown(module, f, arch)
    elif d.intrinsic(word) is not None:
        md = intrinsic_markdown(d, word)
    elif word in d.builtin_vars:
        md = builtin_markdown(module, d, word, _enclosing(module, line))
    else:
        md = variable_markdown(module, word, _enclosing(module, line), arch)
    if md is None:
        return None
    return Hover(md, line, start, end)


# ---------------------------------------------------------------------------- kernels
def launch_of(module: ir.Module, f: ir.Function) -> tuple[Optional[str], str, list[str]]:
    """(launch text, where from, evidence) without running anything."""
    if module.dialect not in ("cuda", "hip", "bang") or f.kind != "kernel":
        return None, "", []
    from .runtime.resolve import resolve_launch, _host_site
    from .diagnostics import XpilerError

    values = {}
    if "args" in f.annotations:
        try:
            values = {a.name: a.value for a in spec.parse_args(f.annotations["args"]) if not a.is_buffer}
        except XpilerError:
            values = {}
    try:
        L, source, ev = resolve_launch(module, f, None, values, _host_site(module, f))
        return str(L), source, ev
    except XpilerError as e:
        return None, "unresolved", [str(e)]


def function_markdown(module: ir.Module, f: ir.Function, arch: Optional[str]) -> str:
    d = dialects.get(module.dialect)
    info = next((i for i in summarize(module) if i.name == f.name), None)
    sig = info.signature if info else f.name
    kind = {"kernel": "kernel", "device": "device function", "host": "host function",
            "host_device": "host and device function"}[f.kind]
    out = [f"```{_fence(d.name)}\n{sig}\n```", f"**{d.title} {kind}** `{f.name}`"]
    if f.kind == "kernel":
        L, source, ev = launch_of(module, f)
        if L:
            out.append(f"**Launch** `{L}` — from {source}" + (f" ({'; '.join(ev)})" if ev and source == 'inferred' else ""))
        elif module.dialect in ("cuda", "hip", "bang"):
            out.append("**Launch** not determined: add a `// xpiler: launch ...` comment above the kernel")
        if "args" in f.annotations:
            out.append(f"**Arguments** `{f.annotations['args']}` — from the args comment")
    if info and info.on_chip:
        out.append(memory_markdown(d, info, arch))
    if info and info.host_launches:
        out.append("**Launched from** " + ", ".join(f"`{h.function}()` line {h.line}" for h in info.host_launches))
    return "\n\n".join(out)


def memory_markdown(d: dialects.Dialect, info: FunctionInfo, arch: Optional[str]) -> str:
    rows = ["| space | declared | capacity |", "|---|---|---|"]
    for space, used in info.on_chip_bytes().items():
        cap = _capacity(d, space, arch)
        used_s = "sized at run time" if used is None else f"{used:,} B"
        cap_s = f"{cap:,} B ({arch})" if cap else "—"
        warn = " ⚠ over capacity" if used is not None and cap and used > cap else ""
        rows.append(f"| {space} | {used_s}{warn} | {cap_s} |")
    per = {"shared": "per block", "nram": "per core", "wram": "per core", "ldram": "per core", "sram": "per cluster"}
    spaces = ", ".join(f"{s} {per.get(s, '')}".strip() for s in info.on_chip_bytes())
    return f"**On-chip memory** ({spaces})\n\n" + "\n".join(rows)


def _capacity(d: dialects.Dialect, space: str, arch: Optional[str]) -> Optional[int]:
    s = d.spaces.get(space)
    if s is None:
        return None
    if space == "shared" and d.name == "cuda":
        return s.capacity.get("static")
    return s.capacity.get(arch) if arch else None


# ---------------------------------------------------------------------------- intrinsics
def intrinsic_markdown(d: dialects.Dialect, name: str) -> str:
    it = d.intrinsic(name)
    sigs = it.signatures
    shown = sigs[:6]
    more = f"\n// … {len(sigs) - 6} more overloads" if len(sigs) > 6 else ""
    out = [f"```{_fence(d.name)}\n" + ";\n".join(shown) + f";{more}\n```", it.doc]
    params = it.overloads[0].params
    facts = []
    for p in params:
        bits = []
        if p.space:
            bits.append(f"in {p.space.replace('|', ' or ')} memory")
        if p.unit:
            bits.append(f"in {p.unit}")
        if bits:
            facts.append(f"`{p.name}`: {', '.join(bits)}")
    if facts:
        out.append("**Operands** " + "; ".join(facts))
    if it.alignment:
        out.append(f"**Alignment** {it.alignment}")
    if it.overlap:
        out.append(f"**Overlap** {it.overlap}")
    arches = sorted({ov.arch for ov in it.overloads if ov.arch})
    if arches:
        out.append(f"**Availability** {', '.join(arches)}")
    if it.deprecated:
        out.append(f"**Deprecated**: use {it.deprecated}")
    if it.source:
        out.append(f"*Source: {it.source}*")
    return "\n\n".join(out)


# ---------------------------------------------------------------------------- built-ins
def builtin_markdown(module: ir.Module, d: dialects.Dialect, name: str, f: Optional[ir.Function]) -> str:
    v = d.builtin_vars[name]
    out = [f"```{_fence(d.name)}\n{v.type} {name}\n```", v.doc]
    if v.range:
        out.append(f"**Range** {v.range}")
    if f is not None and f.kind == "kernel":
        L, source, _ = launch_of(module, f)
        if L:
            concrete = _concrete_range(module.dialect, name, spec.parse_launch(L, module.dialect))
            if concrete:
                out.append(f"**Under the launch** `{L}` ({source}): {concrete}")
    return "\n\n".join(out)


def _concrete_range(dialect: str, name: str, L) -> Optional[str]:
    if isinstance(L, spec.GpuLaunch):
        g, b = L.grid, L.block
        if name == "threadIdx":
            return ", ".join(f"{a} in [0, {n})" for a, n in zip("xyz", b) if n > 1) or "x = 0"
        if name == "blockIdx":
            return ", ".join(f"{a} in [0, {n})" for a, n in zip("xyz", g) if n > 1) or "x = 0"
        if name == "blockDim":
            return f"({b[0]}, {b[1]}, {b[2]}): {b[0] * b[1] * b[2]} threads per block"
        if name == "gridDim":
            return f"({g[0]}, {g[1]}, {g[2]}): {g[0] * g[1] * g[2]} blocks"
        if name == "warpSize":
            return "64" if dialect == "hip" else "32"
    if isinstance(L, spec.BangLaunch):
        n = L.dim[0] * L.dim[1] * L.dim[2]
        union = L.union
        vals = {"taskDim": f"{n}", "taskId": f"in [0, {n})", "taskDimX": str(L.dim[0]), "taskIdX": f"in [0, {L.dim[0]})",
                "coreDim": "4" if union else "1", "coreId": "in [0, 4)" if union else "0",
                "clusterDim": str(union), "clusterId": f"in [0, {max(union, 1)})" if union else "0"}
        return vals.get(name)
    return None


# ---------------------------------------------------------------------------- variables
def variable_markdown(module: ir.Module, name: str, f: Optional[ir.Function], arch: Optional[str]) -> Optional[str]:
    scopes = [f] if f is not None else []
    p = Printer(module.dialect, module.language)
    for fn in scopes:
        for q in fn.params:
            if q.name == name:
                return f"```{_fence(module.dialect)}\n{p.declarator(q.type, q.name)}\n```\nparameter of `{fn.name}`"
        for n in fn.body.walk():
            if isinstance(n, ir.Decl):
                for v in n.vars:
                    if v.name == name:
                        return _var_md(module, p, v, arch)
    for item in module.items:
        if isinstance(item, ir.Decl):
            for v in item.vars:
                if v.name == name:
                    return _var_md(module, p, v, arch)
    return None


def _var_md(module: ir.Module, p: Printer, v: ir.VarDecl, arch: Optional[str]) -> str:
    out = [f"```{_fence(module.dialect)}\n{p._var_prefix(v)}{p.declarator(v.type, v.name)}\n```"]
    size = dtypes.sizeof(v.type)
    where = {"local": "registers / stack (per thread)", "host": "host memory"}.get(v.space, f"{v.space} memory")
    line = f"in {where}" + (f", {size:,} bytes" if size is not None and isinstance(v.type, ir.Array) else "")
    cap = _capacity(dialects.get(module.dialect), v.space, arch)
    if cap and size:
        line += f" ({100 * size / cap:.1f}% of {cap:,} B on {arch})"
    out.append(line)
    return "\n\n".join(out)


def _fence(dialect: str) -> str:
    return {"cuda": "cuda", "hip": "cpp", "bang": "cpp", "vnni": "cpp", "c": "c"}.get(dialect, "c")
