"""Generate the emulation of a dialect's intrinsics from its table's semantics snippets.

Every intrinsic whose ``emulation`` is ``"semantics"`` becomes an inline C++ function per
overload instance, with the snippet as its body. Snippets that touch memory (an intrinsic
with pointer parameters) are parsed by the front end and printed by the emulation printer,
so each element they read or write is a checked, traced access attributed to the caller's
line: ``__bang_add(dst, a, b, n)`` past the end of ``dst`` is reported like ``dst[i]`` in
the kernel would be. The dialect's runtime header implements the ``"runtime"`` ones
(barriers, shuffles, fragments) and supplies the types and ``xp_cast``.

The result is cached by the content of the tables (``cache.path("gen", ...)``).
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import inspect
import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import dialects, ir
from ..dialects import base
from . import cache

# Names the C and C++ libraries define: the emulation uses the host's <cmath> for these.
_LIBRARY = None


def _library_names() -> frozenset[str]:
    global _LIBRARY
    if _LIBRARY is None:
        from ..dialects import libm

        _LIBRARY = frozenset(libm.INTRINSICS) | frozenset({"abs", "labs", "llabs", "min", "max"})
    return _LIBRARY


def _own_tables(d: dialects.Dialect):
    """The dialect's own tables (HIP's includes what it shares with CUDA), not libm."""
    return d.tables[1:]


@functools.lru_cache(maxsize=None)  # the tables and generators are package files: hash them once a process
def source_hash(name: str) -> str:
    d = dialects.get(name)
    h = hashlib.sha256()
    for mod in dialects._tables(d.intrinsic_modules):
        h.update(inspect.getsource(mod).encode())
    h.update(inspect.getsource(base).encode())
    for generator in ("gen.py", "emit.py", "gpu_tables.py"):  # everything that writes generated files
        h.update((Path(__file__).parent / generator).read_bytes())
    return h.hexdigest()[:16]


def directory(name: str) -> Path:
    """The cache directory of dialect ``name``'s generated files (one per table version)."""
    d = cache.path("gen", f"{name}-{source_hash(name)}")
    d.mkdir(parents=True, exist_ok=True)
    return d


def sources(name: str) -> tuple[Path, Path]:
    """(declarations header, definitions source) of dialect ``name``'s generated intrinsics,
    written once into the cache and reused, with the support headers next to them."""
    d = directory(name)
    decl, impl = d / f"xp_gen_{name}.hpp", d / f"xp_gen_{name}.cpp"
    if not (decl.exists() and impl.exists()):
        from .build import runtime_prefix

        support = support_headers(name)
        decls, defs = generate(name)
        for fname, text in [*support.items(), (decl.name, decls), (impl.name, runtime_prefix(name) + defs)]:
            tmp = d / (fname + f".{os.getpid()}.tmp")
            tmp.write_text(text)
            tmp.replace(d / fname)
    return decl, impl


def support_headers(name: str) -> dict[str, str]:
    """Headers the dialect runtime includes, generated from the tables: for VNNI the vector
    and mask types, predicate macros, constants and the helpers its snippets use."""
    if name in ("cuda", "hip"):
        from . import gpu_tables

        return gpu_tables.support_headers(name)
    if name != "vnni":
        return {}
    from ..dialects.vnni import intrinsics as V

    parts = ["// Generated from dialects/vnni/intrinsics.py. Do not edit.", "#pragma once", "#include <cstdint>",
             "#include <cmath>", "#include <cstring>", V.TYPE_HEADER]
    parts += list(V.MACROS.values())
    parts += [f"#ifndef {k}\n#define {k} {v[0]}\n#endif" for k, v in V.CONSTANTS.items()]
    parts.append(V.HELPERS)
    return {"xp_vnni_types.hpp": "\n".join(parts) + "\n"}


def _instances(d: dialects.Dialect):
    seen: set[str] = set()
    for table in _own_tables(d):
        for it in table.values():
            if it.emulation != "semantics" or it.qualified or it.name in _library_names():
                continue
            for ov in it.overloads:
                if ov.semantics is None:
                    continue
                for env in ov.instances:
                    sig = _signature(it.name, ov, env)
                    if sig in seen:
                        continue
                    seen.add(sig)
                    yield it, ov, env, sig


def _signature(name: str, ov: base.Overload, env) -> str:
    params = ", ".join(base._declarator(base.bind(p.type, env), p.name) for p in ov.params)
    return f"{base.bind(ov.ret, env)} {name}({params})"


@dataclass
class Generated:
    """The generated emulation of a dialect's intrinsics, with what could not be checked."""
    decls: str
    defs: str
    functions: int  # generated functions
    memory: int  # of those, the ones with pointer parameters (their accesses must be checked)
    # (signature, why) of each memory function whose snippet is kept as plain, unchecked C++:
    # its reads and writes are neither bounds-checked nor marked written
    unchecked: list[tuple[str, str]] = field(default_factory=list)


def generate(name: str) -> tuple[str, str]:
    """(declarations, definitions) of dialect ``name``'s generated intrinsics."""
    g = generate_report(name)
    return g.decls, g.defs


def generate_report(name: str) -> Generated:
    from ..frontend import parse
    from .emit import EmuPrinter

    d = dialects.get(name)
    items = list(_instances(d))
    memory = [k for k, (it, ov, env, sig) in enumerate(items) if any("*" in p.type for p in ov.params)]
    # Parse every memory-touching body at once, as definitions of the declared intrinsics.
    lines = _parse_helpers(d).split("\n")
    starts: list[int] = []  # first line of each memory function in the parsed file
    for k in memory:
        it, ov, env, sig = items[k]
        starts.append(len(lines) + 1)
        lines.extend(f"{sig} {{\n{base.bind(ov.semantics, env)}\n}}".split("\n"))
    path = f"xp_semantics_{name}.cpp"
    module = parse("\n".join(lines), path=path, dialect=name)
    errors = sorted((g.line, g.message) for g in module.diagnostics if g.is_error)
    bad = [line for line, _ in errors]
    printer = EmuPrinter(module, path=path, rename={}, lines=False)
    printed: dict[int, str] = {}
    why: dict[int, str] = {}
    for f in module.functions:
        if f.body is None or f.span is None:
            continue
        j = bisect.bisect_right(starts, f.span.line) - 1
        if j < 0 or starts[j] != f.span.line:
            continue
        i = bisect.bisect_left(bad, f.span.line)
        if i < len(bad) and bad[i] <= f.span.end_line:
            # keep the plain snippet (unchecked) rather than a broken one; the report says so
            why[memory[j]] = f"clang: {errors[i][1]}"
            continue
        lines_ = [ln for ln in printer.function(f) if not ln.startswith("#line")]
        it, ov, env, sig = items[memory[j]]
        prologue = _prologue(d, it, ov, env)
        printed[memory[j]] = "\n".join([lines_[0]] + prologue + lines_[1:])
    head = f"// Generated by xpiler.runtime.gen from the {d.title} intrinsic tables. Do not edit.\n"
    decls = [head + "#pragma once"]
    defs = [head + f"// {len(items)} functions, {len(printed)} with checked memory accesses", extra_definitions(d)]
    for k, (it, ov, env, sig) in enumerate(items):
        decls.append(_with_defaults(it.name, ov, env) + ";")
        if k in printed:
            defs.append(printed[k])
        else:  # no memory operand (or kept unchecked): the work counter is its only prologue
            counter = "\n".join(_work_counter(d, it, ov, env))
            defs.append(f"{sig} {{\n{counter + chr(10) if counter else ''}{base.bind(ov.semantics, env)}\n}}")
    unchecked = [(items[k][3], why.get(k, "the parser made no function of the snippet"))
                 for k in memory if k not in printed]
    return Generated("\n".join(decls) + "\n", "\n".join(defs) + "\n", len(items), len(memory), unchecked)


def _prologue(d: dialects.Dialect, it: base.Intrinsic, ov: base.Overload, env) -> list[str]:
    """Checks that come from the table's metadata: operand spaces, forbidden overlap, and
    (BANG) that a copy's direction matches where its operands live. First the scope that
    ends what the prologue's hooks start when the function returns (BANG's deferred
    never-written checks); declared first, it ends last."""
    value = base.bind(ov.ret, env).strip() != "void"
    out = [f'    ::xp::IntrinsicScope xp_scope("{it.name}", {"true" if value else "false"});']
    for p in ov.params:
        if p.space and "*" in p.type:
            out.append(f'    ::xp::check_space({p.name}, "{p.space}", "{it.name}", "{p.name}");')
        if p.type.strip() == "mluMemcpyDirection_t":
            dst = next((q.name for q in ov.params if q.name == "dst"), None)
            src = next((q.name for q in ov.params if q.name == "src"), None)
            if dst and src:
                # false: this core does not perform the copy (SRAM directions run once per cluster)
                out.append(f'    if (!::xp::check_direction({dst}, {src}, (int){p.name}, "{it.name}")) return;')
    o = (it.overlap or "").lower()
    if o.startswith("not allowed") or ("must not overlap" in o and "may overlap" not in o):
        out.append(f'    ::xp::NoOverlap xp_no_overlap("{it.name}");')
    if it.deprecated:
        out.append(f'    ::xp::report("deprecated", "{it.name} is deprecated: use {_c_escape(it.deprecated)}");')
    out += _work_counter(d, it, ov, env)
    return out


def _work_module(d: dialects.Dialect, name: str):
    for mod in dialects._tables(d.intrinsic_modules):
        if hasattr(mod, "work") and name in getattr(mod, "INTRINSICS", {}):
            return mod
    return None


def _work_counter(d: dialects.Dialect, it: base.Intrinsic, ov: base.Overload, env) -> list[str]:
    """The emulator's work counter (issue 18), after the checks: a copy this core does not
    perform has returned by then. From the table's ``work(intrinsic, overload)`` (family and
    a C expression over the parameters) and its element type (``work_type``: a C type, or
    ``work_type_of``: a name and size); dialects without ``work`` count nothing. BANG counts
    in every run through its runtime (``::xp::bang``: per task and per copy direction, a call
    and a few additions per intrinsic call); VNNI in checked runs only (``#if XP_CHECKS``: its
    unchecked runs may be native, where nothing counts), through the common slots."""
    mod = _work_module(d, it.name)
    w = mod.work(it, ov) if mod else None
    if not w:
        return []
    family, expr = w
    if hasattr(mod, "work_type_of"):
        t, nbytes = mod.work_type_of(it)
        size = str(nbytes)
    else:
        t = mod.work_type(family, ov, env)
        size = f"sizeof({t})" if t else "0"
    slot = f'    static const int xp_work = ::xp::work_slot("{it.name}", "{family}", "{t}", {size});'
    if d.name != "bang":
        return ["#if XP_CHECKS", slot, f"    ::xp::count_work(xp_work, {expr});", "#endif"]
    if family in ("copy", "move"):
        names = {p.name for p in ov.params}
        direction = "(int)dir" if "dir" in names else str(mod.MEMCPY_DIRECTIONS["NRAM2NRAM"]["value"])
        return [slot, f"    ::xp::bang::count_copy(xp_work, {direction}, (unsigned long long)(size), "
                      f"{mod.copy_segments(ov)});"]
    return [slot, f"    ::xp::bang::count_work(xp_work, {expr});"]


def _c_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def extra_definitions(d: dialects.Dialect) -> str:
    """Data tables the dialect runtime needs, generated from the dialect module."""
    out = []
    for mod in dialects._tables(d.intrinsic_modules):
        dirs = getattr(mod, "MEMCPY_DIRECTIONS", None)
        if dirs:
            rows = []
            for name, info in dirs.items():
                rows.append(f'  {{{info["value"]}, "{name}", "{info["src"]}", "{info["dst"]}", "{info["pipeline"]}", '
                            f'{"true" if info.get("runs_on_mpu") else "false"}}}')
            out.append("const ::xp::DirectionSpec xp_directions[] = {\n" + ",\n".join(rows) + "\n};")
            out.append(f"const int xp_num_directions = {len(rows)};")
    return "\n".join(out)


def _with_defaults(name: str, ov: base.Overload, env) -> str:
    return base.overload_declarations(name, ov.__class__(ov.params, ov.ret, (env,)), defaults=True)[0]


def _parse_helpers(d: dialects.Dialect) -> str:
    """Declarations the snippets use, so clang can parse them (their definitions come from
    the runtime headers)."""
    text = ["template <class T, class U> T xp_cast(U v);"]
    for mod in dialects._tables(d.intrinsic_modules):
        helpers = getattr(mod, "HELPERS", None)
        if helpers:
            text.append(helpers)
    return "\n".join(text)
