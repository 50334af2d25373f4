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


NATIVE_AVX512 = ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-mavx512vnni", "-mfma", "-mf16c"]


def dialect_defines(dialect: str) -> list[str]:
    """Compiler flags of a dialect's emulation (the VNNI ones depend on this CPU)."""
    if dialect == "cuda":
        return ["-DXP_WARP_SIZE=32", "-DXP_CUDA=1"]
    if dialect == "hip":
        return ["-DXP_WARP_SIZE=64", "-DXP_HIP=1"]
    if dialect == "vnni":
        return ["-DXP_NATIVE_AVX512=1", *NATIVE_AVX512] if cpu.has_avx512_vnni() else ["-DXP_NATIVE_AVX512=0"]
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
        flags = dialect_defines(dialect) + [f"-DXP_CHECKS={1 if checks else 0}"]
        includes = [INCLUDE]
        gen_decl = gen_impl = None
        if dialect != "c":
            gen_dir = gen.directory(dialect)
            includes.append(gen_dir)
            if not (dialect == "vnni" and cpu.has_avx512_vnni()):
                gen_decl, gen_impl = gen.sources(dialect)
        key = cache.digest(_headers_digest(), " ".join(FLAGS + flags), CXX, str(gen_impl or ""),
                           gen_impl.read_bytes() if gen_impl else b"")
        objects = [_compile_once("xp_runtime", INCLUDE / "xp_runtime.cpp", cache.digest(key, "core"), flags,
                                 includes)]
        if gen_impl is not None:
            objects.append(_compile_once(f"xp_gen_{dialect}", gen_impl, key, flags, includes))
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
    d = module.dialect
    pdir, includes, objects = support(d, checks)
    flags = dialect_defines(d) + [f"-DXP_CHECKS={1 if checks else 0}"]
    src_dir = str(Path(module.path).parent) if module.path else "."
    key = cache.digest(source, str(pdir), *(o.name for o in objects), " ".join(FLAGS + flags), CXX)
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
        msg = r.stderr.strip().splitlines()
        shutil.rmtree(work, ignore_errors=True)
        raise XpilerError(f"the emulation of {entry} does not compile with g++ ({r.describe()}): "
                          + ("; ".join(d.message for d in diags[:3]) if diags else (msg[-1] if msg else "")),
                          tuple(diags))
    (work / "prog").replace(exe)
    shutil.rmtree(work, ignore_errors=True)
    return prog


def compile_diagnostics(stderr: str, path: Optional[str]) -> list[Diagnostic]:
    """g++ errors in the user's file (the emitted code carries #line directives)."""
    import re

    out = []
    for m in re.finditer(r"^(.*?):(\d+):(\d+): (error|warning): (.*)$", stderr, re.M):
        if path and m.group(1) != path:
            continue
        out.append(Diagnostic("error" if m.group(4) == "error" else "warning", m.group(5), int(m.group(2)),
                              int(m.group(3)), file=path, source="g++ (emulation)"))
    return out
