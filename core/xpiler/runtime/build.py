"""Build the emulation program of a kernel: translation unit, driver, g++, cache.

    program = build(module, entry="saxpy")          # -> Program (path of the executable)

The translation unit is: the runtime core, the dialect runtime, the declarations of the
generated intrinsics, the instrumented kernel file (``emit.EmuPrinter``) and a driver
``main()`` for the entry function. The generated intrinsics are compiled once into an
object file; both are cached by content hash, so checking the same kernel again, or the
same kernel on other inputs, does not compile anything.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .. import dialects, dtypes, ir
from ..diagnostics import Diagnostic, XpilerError
from ..printer import Printer
from . import cache, cpu, gen, sandbox
from .emit import EmuPrinter, renames

INCLUDE = Path(__file__).parent / "include"
RUNTIME_HEADER = {"cuda": "xp_gpu.hpp", "hip": "xp_gpu.hpp", "bang": "xp_bang.hpp", "vnni": "xp_vnni.hpp",
                  "c": None}
CXX = os.environ.get("XPILER_GXX", "g++")
FLAGS = ["-std=gnu++17", "-O1", "-fno-strict-aliasing", "-ffp-contract=off", "-fno-fast-math", "-w"]
_LOCK = threading.Lock()


@dataclass
class Program:
    executable: Path
    dialect: str
    entry: str
    entry_kind: str  # kernel (launched on the emulated device) or host (called directly)
    params: list[tuple[str, str, Optional[str]]]  # (name, C type, buffer element dtype or None)
    source: str  # the translation unit, for debugging
    cached: bool
    checks: bool = True  # built with the access checks (XP_CHECKS=1)


NATIVE_AVX512 = ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-mavx512vnni", "-mfma", "-mf16c"]
# further extensions some intrinsics of the table need, each only where /proc/cpuinfo has it
NATIVE_OPTIONAL = {"avx512vbmi": "-mavx512vbmi", "avx_vnni": "-mavxvnni", "popcnt": "-mpopcnt", "bmi1": "-mbmi",
                   "abm": "-mlzcnt"}


def native_flags() -> list[str]:
    return NATIVE_AVX512 + [flag for feature, flag in NATIVE_OPTIONAL.items() if feature in cpu.flags()]


def native_vnni(dialect: str, checks: bool) -> bool:
    """VNNI intrinsics run natively only in unchecked runs on a CPU that has them: native
    loads and stores bypass the bounds checks and written marks, so a checked run takes the
    table's semantics on every CPU (the same findings and oracle verdicts everywhere)."""
    return dialect == "vnni" and not checks and cpu.has_avx512_vnni()


def dialect_defines(dialect: str, checks: bool = True) -> list[str]:
    """Compiler flags of a dialect's emulation (the VNNI ones depend on this CPU and on
    whether the run is checked)."""
    if dialect == "cuda":
        return ["-DXP_WARP_SIZE=32", "-DXP_CUDA=1"]
    if dialect == "hip":
        return ["-DXP_WARP_SIZE=64", "-DXP_HIP=1"]
    if dialect == "vnni":
        return ["-DXP_NATIVE_AVX512=1", *native_flags()] if native_vnni(dialect, checks) else ["-DXP_NATIVE_AVX512=0"]
    return []


def runtime_prefix(dialect: str) -> str:
    """#includes that start every emulation translation unit of this dialect."""
    lines = ['#include "xp_runtime.hpp"']
    rt = RUNTIME_HEADER[dialect]
    if rt:
        lines.append(f'#include "{rt}"')
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=None)  # package files: read once a process
def _headers_digest() -> str:
    return cache.digest(*(p.read_bytes() for p in sorted(INCLUDE.glob("*.[hc]pp"))))


def _compile_once(kind: str, source: Path, key: str, flags: list[str], includes: list[Path]) -> Path:
    """Compile ``source`` into a cached object named by ``key``."""
    obj = cache.path("obj", f"{kind}_{key}.o")
    if obj.exists():
        return obj
    tmp = obj.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp.o")
    cmd = [CXX, *FLAGS, *flags, *(f"-I{d}" for d in includes), "-c", str(source), "-o", str(tmp)]
    r = sandbox.run(cmd, limits=sandbox.Limits(timeout=900), cwd=obj.parent)
    if not r.ok:
        raise XpilerError(f"could not compile {source.name} (an xpiler bug): {r.stderr[-2000:]}")
    tmp.replace(obj)
    return obj


def support(dialect: str, checks: bool = True) -> tuple[Path, list[Path], list[Path]]:
    """What every emulation program of ``dialect`` shares, built once: the directory of
    its precompiled prefix header, include directories, and the objects to link (the
    runtime core and the generated intrinsics)."""
    with _LOCK:
        flags = dialect_defines(dialect, checks) + [f"-DXP_CHECKS={1 if checks else 0}"]
        includes = [INCLUDE]
        gen_decl = gen_impl = None
        if dialect != "c":
            gen_dir = gen.directory(dialect)
            includes.append(gen_dir)
            if not native_vnni(dialect, checks):
                gen_decl, gen_impl = gen.sources(dialect)
        key = cache.digest(_headers_digest(), " ".join(FLAGS + flags), CXX, str(gen_impl or ""),
                           gen_impl.read_bytes() if gen_impl else b"")
        objects = [_compile_once("xp_runtime", INCLUDE / "xp_runtime.cpp", cache.digest(key, "core"), flags,
                                 includes)]
        if gen_impl is not None:
            # -fno-builtin-sin/cos: g++ would fuse the sincos snippets' sinf + cosf into a call to
            # sincosf, which is the generated function itself (infinite recursion)
            nob = ["-fno-builtin-sin", "-fno-builtin-cos", "-fno-builtin-sinf", "-fno-builtin-cosf"]
            objects.append(_compile_once(f"xp_gen_{dialect}", gen_impl, cache.digest(key, "nobuiltin"), flags + nob,
                                         includes))
        pdir = cache.path("prefix", f"{dialect}-{key}")
        pdir.mkdir(parents=True, exist_ok=True)
        prefix = pdir / "xp_prefix.hpp"
        gch = pdir / "xp_prefix.hpp.gch"
        if not gch.exists():
            text = runtime_prefix(dialect) + (f'#include "{gen_decl.name}"\n' if gen_decl else "")
            prefix.write_text(text)
            tmp = pdir / f"xp_prefix.{os.getpid()}.tmp.gch"
            r = sandbox.run([CXX, *FLAGS, *flags, *(f"-I{d}" for d in includes), "-x", "c++-header", str(prefix),
                             "-o", str(tmp)], limits=sandbox.Limits(timeout=600), cwd=pdir)
            if not r.ok:
                raise XpilerError(f"could not precompile the {dialect} runtime (an xpiler bug): {r.stderr[-2000:]}")
            tmp.replace(gch)
        return pdir, includes, objects


def translation_unit(module: ir.Module, entry: str, *, checks: bool = True) -> tuple[str, Program]:
    d = module.dialect
    f = module.function(entry)
    if f is None or f.body is None:
        names = ", ".join(sorted({g.name for g in module.functions if g.body is not None})) or "none"
        raise XpilerError(f"no function '{entry}' is defined in {module.path}; defined: {names}")
    rn = renames(module)
    path = module.path or "kernel"
    emitted = EmuPrinter(module, path=path, rename=rn, checks=checks).module(module)
    # the precompiled prefix must come first (see support())
    parts = ['#include "xp_prefix.hpp"', f"// xpiler emulation of {path} ({d})", emitted]
    params, driver = _driver(module, f, rn.get(entry, entry))
    parts.append(driver)
    kind = "kernel" if (d in ("cuda", "hip", "bang") and f.kind == "kernel") else "host"
    prog = Program(Path(), d, entry, kind, params, "\n".join(parts), False)
    return prog.source, prog


def _driver(module: ir.Module, f: ir.Function, name: str) -> tuple[list, str]:
    p = Printer("c", "c++")
    launched = module.dialect in ("cuda", "hip", "bang") and f.kind == "kernel"
    lines = ["", "// ---- driver", "int main(int argc, char **argv) {",
             "    if (argc < 3) { fprintf(stderr, \"usage: prog INPUT OUTDIR\\n\"); return 2; }",
             "    ::xp::load_input(argv[1]);", "    ::xp::g_outdir = argv[2];", "    ::xp::start();"]
    params = []
    args = []
    for q in f.params:
        t = q.type
        if isinstance(t, (ir.Pointer, ir.Array)):
            elem = t.pointee if isinstance(t, ir.Pointer) else t.elem
            if isinstance(elem, (ir.Pointer, ir.Array)):
                raise XpilerError(f"parameter '{q.name}' of {f.name} is a pointer to pointers; "
                                  "xpiler run passes flat buffers only")
            et = p.type_name(ir.Named(elem.name) if isinstance(elem, ir.Named) else elem)
            dt = dtypes.dtype_of(elem) if isinstance(elem, ir.Named) else None
            space = "::xp::arg_space_device()" if launched else "::xp::HOST"
            lines.append(f'    auto *a_{q.name} = ({et} *)::xp::load_arg("{q.name}", {space});')
            params.append((q.name, p.type_name(t), dt or ("void" if et == "void" else None)))
        else:
            ct = p.type_name(ir.Named(t.name)) if isinstance(t, ir.Named) else p.type_name(t)
            lines.append(f'    {ct} a_{q.name} = ::xp::scalar<{ct}>("{q.name}");')
            params.append((q.name, ct, None))
        args.append(f"a_{q.name}")
    call_args = ", ".join(args)
    if launched:
        lines.append(f"    ::xp::launch({name}, ::xp::input_launch(){', ' + call_args if call_args else ''});")
    else:
        lines.append(f"    {name}({call_args});")
    lines += ["    ::xp::finish(0);", "    return 0;", "}"]
    return params, "\n".join(lines)


def build(module: ir.Module, entry: str, *, checks: bool = True, timeout: float = 300) -> Program:
    """Compile the emulation of ``entry`` (cached by content)."""
    source, prog = translation_unit(module, entry, checks=checks)
    prog.checks = checks
    d = module.dialect
    pdir, includes, objects = support(d, checks)
    flags = dialect_defines(d, checks) + [f"-DXP_CHECKS={1 if checks else 0}"]
    # absolute: g++ runs in its own directory, and a relative kernel path is the caller's
    src_dir = str(Path(module.path).resolve().parent) if module.path else "."
    search = [pdir, *includes] + ([Path(src_dir)] if module.path else [])
    # the user's headers the kernel includes ("myhelpers.h" beside it) are part of the
    # program: their content goes into the key, so that editing one rebuilds
    local = [(str(h), h.read_bytes()) for h in local_headers(source, search, own=[pdir, *includes])]
    key = cache.digest(source, str(pdir), *(o.name for o in objects), " ".join(FLAGS + flags), CXX,
                       *(part for h in local for part in h))
    exe = cache.path("bin", f"xp_{d}_{key}")
    prog.executable = exe
    if exe.exists():
        prog.cached = True
        return prog
    work = cache.path("build", f"{key}.{os.getpid()}.{threading.get_ident()}")
    work.mkdir(parents=True, exist_ok=True)
    tu = work / "tu.cpp"
    tu.write_text(source)
    cmd = [CXX, *FLAGS, *flags, f"-I{pdir}", *(f"-I{i}" for i in includes), f"-I{src_dir}", str(tu),
           *map(str, objects), "-o", str(work / "prog"), "-lm"]
    r = sandbox.run(cmd, limits=sandbox.Limits(timeout=timeout), cwd=work)
    if not r.ok:
        diags = compile_diagnostics(r.stderr, module.path)
        shutil.rmtree(work, ignore_errors=True)
        if diags:
            what = "; ".join(f"{d.file}:{d.line}:{d.col}: {d.message}" for d in diags[:3])
        else:  # nothing in the user's file: the first error g++ gave, where it gave it
            what = _first_error(r.stderr) or "(g++ printed no error)"
        raise XpilerError(f"the emulation of {entry} does not compile with g++ ({r.describe()}): {what}",
                          tuple(diags))
    (work / "prog").replace(exe)
    shutil.rmtree(work, ignore_errors=True)
    return prog


_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]', re.M)


def local_headers(source: str, search: list[Path], own: list[Path]) -> list[Path]:
    """The files that ``#include`` lines of ``source`` (and of those files, transitively)
    name, found as g++ finds them: a quoted name first beside the including file, then
    along ``search`` (the -I directories, in order). Files under ``own`` (the runtime and
    generated headers, already in the key) and names found nowhere (system headers) are
    left out. A conservative scan: an include under a false #if counts too."""
    roots = [d.resolve() for d in own]
    found: list[Path] = []
    seen: set[Path] = set()
    todo: list[tuple[str, Optional[Path]]] = [(source, None)]
    while todo:
        text, here = todo.pop()
        for quote, name in _INCLUDE.findall(text):
            dirs = ([here] if quote == '"' and here is not None else []) + list(search)
            for d in dirs:
                f = (d / name)
                if not f.is_file():
                    continue
                f = f.resolve()
                if f not in seen and not any(f.is_relative_to(r) for r in roots):
                    seen.add(f)
                    found.append(f)
                    todo.append((f.read_text(errors="replace"), f.parent))
                break
    return sorted(found)


# g++ diagnostics: "file:line:col: error: message", and the context lines before one:
# "file: In instantiation of 'T f(M) [with M = unsigned int]':" and
# "file:line:col:   required from here" (or "required from 'g()'").
_DIAG = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (?P<kind>fatal error|error|warning|note): (?P<msg>.*)$")
_REQUIRED = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<col>\d+):\s+required (?:from|by) ")
_IN = re.compile(r"^(?P<file>[^\n]+?): In (?P<what>instantiation of|substitution of|function|member function|"
                 r"static member function|constructor|destructor) [\u2018'](?P<sig>.*)[\u2019']:$")


def compile_diagnostics(stderr: str, path: Optional[str]) -> list[Diagnostic]:
    """g++ errors, in the user's file (the emitted code carries #line directives to it).

    An error inside the runtime headers (a static_assert of an intrinsic's template, a call
    that matches none of its overloads) is reported at the user's line that caused it: the
    innermost "required from" location in the user's file of its instantiation context, or
    failing that the first of its notes that points into the user's file; the message says
    which runtime function and header line it came from."""
    found: list[list] = []  # [severity, message, line, col, placed]; placed: at a user location
    users: list[tuple[int, int]] = []  # user locations of the context since the last diagnostic
    inside = ""  # the runtime function the next error is in
    for text in stderr.splitlines():
        m = _IN.match(text)
        if m:
            users, inside = [], (_short_signature(m.group("sig")) if m.group("file") != path else "")
            continue
        m = _REQUIRED.match(text)
        if m:
            if m.group("file") == path:
                users.append((int(m.group("line")), int(m.group("col"))))
            continue
        m = _DIAG.match(text)
        if not m:
            continue
        kind, file, msg = m.group("kind"), m.group("file"), m.group("msg")
        line, col = int(m.group("line")), int(m.group("col"))
        if kind == "note":
            # an error in a header with no instantiation context: its first note at the user's line
            if found and not found[-1][4] and file == path:
                found[-1][2:] = [line, col, True]
            continue
        severity = "warning" if kind == "warning" else "error"
        if path is None or file == path:
            found.append([severity, msg, line, col, True])
        else:
            where = f"{Path(file).name}:{line}"
            msg += f" (in {inside}, {where})" if inside else f" ({where})"
            found.append([severity, msg, *(users[0] if users else (0, 0)), bool(users)])
        users, inside = [], ""
    return [Diagnostic(sev, msg, line, col, file=path, source="g++ (emulation)")
            for sev, msg, line, col, placed in found if placed]


def _short_signature(sig: str) -> str:
    """'T __shfl_down_sync(M, T, unsigned int, int) [with M = unsigned int; T = float]' ->
    '__shfl_down_sync [with M = unsigned int; T = float]'."""
    m = re.match(r"^(?:[^(]*?[\s*&])?(?P<name>[\w:~<>]+)\s*\(.*?\)(?:\s*const)?(?P<with>\s*\[with .*\])?$", sig)
    if not m:
        return sig
    return m.group("name") + (m.group("with") or "")


def _first_error(stderr: str) -> str:
    for text in stderr.splitlines():
        m = _DIAG.match(text)
        if m and m.group("kind") in ("error", "fatal error"):
            return f"{m.group('file')}:{m.group('line')}:{m.group('col')}: {m.group('msg')}"
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip() and not ln.lstrip().startswith("|")]
    return lines[-1] if lines else ""
