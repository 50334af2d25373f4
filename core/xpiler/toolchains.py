"""Compile checks with the real toolchains: does a kernel compile with its vendor compiler?

``compile_check(source, path, dialect)`` runs, in a scratch directory and through
:func:`xpiler.runtime.sandbox.run` (timeout, memory and CPU limits):

- ``cuda``: ``nvcc -arch=<cuda_arch> -c -x cu FILE -o FILE.o`` (compile only, no GPU needed);
- ``hip``: ``hipcc --offload-arch=<hip_arch> -x hip -c FILE -o FILE.o`` with
  ``HIP_PLATFORM=amd`` (with nvcc installed, hipcc would otherwise pick the NVIDIA platform);
- ``vnni``: ``g++ -std=c++17 -O1 -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512vnni
  -fopenmp -c`` (``gcc -std=c11`` with the same flags for a ``.c`` file);
- ``c``: ``gcc -std=c11 -O1 -c`` (``g++ -std=c++17 -O1 -c`` for C++ files);
- ``bang``: no BANG compiler exists here, so the file is checked by
  ``g++ -std=c++17 -fsyntax-only`` against a *strict declaration header* generated from the
  dialect tables (:func:`bang_header`): one non-template declaration per intrinsic overload
  instance, the built-in variables, the memcpy directions and the CNRT host API. Launches
  ``k<<<dim, type, queue>>>(args)`` are rewritten first (:func:`rewrite_bang_launches`) into
  ``(__xp_bang_launch(dim, type, queue), k)(args)``, which still checks the configuration and
  every argument against the kernel's parameters; diagnostics are mapped back to the
  original lines and columns. Our own header is not Cambricon's compiler, and the result
  says so: the tool is ``"strict BANG header (g++, not cncc)"``, the verdict
  ``"accepted-by-strict-header"`` or ``"rejected-by-strict-header"`` (never ``"passed"``),
  the message ``"strict BANG header: accepted"`` or ``"strict BANG header: rejected: ..."``.

The compiler's messages become :class:`~xpiler.diagnostics.Diagnostic` s for the original
file. A compiler that is not installed gives the verdict ``"unverified"``, never
``"passed"``; a compiler that runs past its timeout gives ``"failed"``.

Results are cached by content (source, dialect, file suffix, options, the tool's version,
and for BANG the generated header) in ``$XPILER_CACHE_DIR`` or ``~/.cache/xpiler/compile``.
Headers a file includes with ``#include "..."`` from its own folder are part of the key; a
change in deeper includes is not seen (delete the cache directory to force a rebuild).
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from . import dialects
from .dialects.base import overload_declarations
from .diagnostics import Diagnostic
from .runtime import sandbox

_CACHE_VERSION = "1"  # bump when commands, parsing or the header generator change
_VNNI_FLAGS = ("-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-mavx512vnni", "-fopenmp")
_GCC_DIAG_FLAGS = ("-fdiagnostics-color=never", "-fdiagnostics-urls=never", "-fno-diagnostics-show-caret",
                   "-fdiagnostics-column-unit=byte")
_MEMORY = 16 << 30  # address space for a compiler (nvcc and clang reserve a lot of it)
# The BANG check is g++ against our generated header, not a BANG compiler: named apart.
STRICT_BANG = "strict BANG header"
STRICT_BANG_TOOL = f"{STRICT_BANG} (g++, not cncc)"
ACCEPTED, REJECTED = "accepted-by-strict-header", "rejected-by-strict-header"


# ------------------------------------------------------------------------------ options
@dataclass
class Toolchain:
    """Which compilers to run and for which targets.

    A compiler path left ``None`` comes from ``$XPILER_NVCC``/``$XPILER_HIPCC``/
    ``$XPILER_GCC``/``$XPILER_GXX``, else from ``PATH``. The language server fills this from
    its settings.
    """

    nvcc: Optional[str] = None
    hipcc: Optional[str] = None
    gcc: Optional[str] = None
    gxx: Optional[str] = None
    cuda_arch: str = "sm_80"  # nvcc -arch
    hip_arch: str = "gfx90a"  # hipcc --offload-arch
    bang_arch: str = "mtp_372"  # __BANG_ARCH__ and on-chip sizes of the BANG check

    _ENV = {"nvcc": "XPILER_NVCC", "hipcc": "XPILER_HIPCC", "gcc": "XPILER_GCC", "gxx": "XPILER_GXX"}
    _EXE = {"nvcc": "nvcc", "hipcc": "hipcc", "gcc": "gcc", "gxx": "g++"}

    def path(self, tool: str) -> Optional[str]:
        """The executable for ``tool`` ("nvcc", "hipcc", "gcc", "gxx"), or None if absent."""
        given = getattr(self, tool) or os.environ.get(self._ENV[tool]) or self._EXE[tool]
        if os.sep in given:
            return given if os.path.isfile(given) and os.access(given, os.X_OK) else None
        return shutil.which(given)


@dataclass
class CompileResult:
    """The outcome of one compile check."""

    tool: str  # "nvcc", "hipcc", "gcc", "g++", STRICT_BANG_TOOL
    verdict: str  # "passed" | "failed" | "unverified"; BANG: ACCEPTED | REJECTED (or "failed" on a timeout)
    diagnostics: list[Diagnostic]
    command: list[str]
    elapsed: float  # seconds this call took (a cache hit is near zero)
    message: str  # one line for the user: "nvcc: 2 errors", "unverified: nvcc not installed",
    #               "strict BANG header: accepted"
    cached: bool = False  # the result came from the compile cache

    @property
    def passed(self) -> bool:
        """A real compiler accepted the file (never true for the strict BANG header)."""
        return self.verdict == "passed"

    @property
    def failed(self) -> bool:
        """The compiler, or the strict BANG header, rejected the file."""
        return self.verdict in ("failed", REJECTED)


# ------------------------------------------------------------------------------ entry point
def compile_check(source: str | bytes, path: str, dialect: str, *, options: Optional[Toolchain] = None,
                  timeout: float = 120) -> CompileResult:
    """Compile ``source`` (the text of the file at ``path``) with the real toolchain of
    ``dialect``; diagnostics point into ``path``. Never writes next to ``path``."""
    t0 = time.monotonic()
    d = dialects.get(dialect)
    opts = options or Toolchain()
    data = source.encode("utf-8") if isinstance(source, str) else bytes(source)
    name = _scratch_name(path, d.suffix)
    language = dialects.language_of(d.name, path)

    tool = {"cuda": "nvcc", "hip": "hipcc"}.get(d.name, "gcc" if language == "c" else "gxx")
    shown = Toolchain._EXE[tool]
    exe = opts.path(tool)
    if exe is None:
        what = f"{shown} (which runs the {STRICT_BANG})" if d.name == "bang" else shown
        return CompileResult(STRICT_BANG_TOOL if d.name == "bang" else shown, "unverified", [], [],
                             time.monotonic() - t0, f"unverified: {what} not installed")
    env = dict(os.environ, LC_ALL="C", LANG="C")
    env.pop("LANGUAGE", None)
    if d.name == "hip":
        env["HIP_PLATFORM"] = "amd"

    # Quoted includes resolve against the file's own folder, as they would next to it.
    folder = Path(path).resolve().parent if path else None
    include_dirs = [str(folder)] if folder is not None and folder.is_dir() else []
    inc = [a for d_ in include_dirs for a in ("-I", d_)]
    compiled = data
    mapper: Optional[PositionMap] = None
    key_parts: dict = {}
    if d.name == "cuda":
        cmd = [exe, f"-arch={opts.cuda_arch}", *inc, "-c", "-x", "cu", name, "-o", name + ".o"]
    elif d.name == "hip":
        cmd = [exe, f"--offload-arch={opts.hip_arch}", *inc, "-x", "hip", "-c", name, "-o", name + ".o"]
    elif d.name == "bang":
        if opts.bang_arch not in _bang().ARCHS:
            return CompileResult(STRICT_BANG_TOOL, "unverified", [], [], time.monotonic() - t0,
                                 f"unverified: unknown BANG arch {opts.bang_arch!r} "
                                 f"(one of {', '.join(_bang().ARCHS)})")
        skip = _defined_intrinsics(data.decode("utf-8", "replace"))
        header, stubs = bang_header_path(opts.bang_arch, skip)
        compiled, mapper = rewrite_bang_launches(data)
        cmd = [exe, "-std=c++17", "-fsyntax-only", "-x", "c++", "-nostdinc", "-nostdinc++", *_GCC_DIAG_FLAGS,
               "-I", str(stubs), *inc, "-include", str(header), name]
        key_parts["header"] = header.name
        key_parts["labels"] = STRICT_BANG_TOOL  # results cached under the old "g++ ... passed" labels are stale
    elif d.name == "vnni":
        std = ["-std=c11", "-x", "c"] if language == "c" else ["-std=c++17", "-x", "c++"]
        cmd = [exe, *std, "-O1", *_VNNI_FLAGS, *_GCC_DIAG_FLAGS, *inc, "-c", name, "-o", name + ".o"]
    else:
        std = ["-std=c11", "-x", "c"] if language == "c" else ["-std=c++17", "-x", "c++"]
        cmd = [exe, *std, "-O1", *_GCC_DIAG_FLAGS, *inc, "-c", name, "-o", name + ".o"]

    target = {"cuda": opts.cuda_arch, "hip": opts.hip_arch, "bang": opts.bang_arch}.get(d.name)
    try:
        version = _version(exe, env)
    except OSError as e:
        return CompileResult(shown, "unverified", [], [], time.monotonic() - t0,
                             f"unverified: {shown} could not be started ({e.strerror or e})")
    key = _cache_key(data, d.name, Path(name).suffix, target, cmd[0], version, include_dirs, key_parts)
    hit = _cache_load(key, path)
    if hit is not None:
        hit.elapsed = time.monotonic() - t0
        return hit

    workdir = Path(tempfile.mkdtemp(prefix="xpiler-cc-"))
    try:
        (workdir / name).write_bytes(compiled)
        cpu = int(math.ceil(timeout)) + 5
        try:
            res = sandbox.run(cmd, limits=sandbox.Limits(timeout=timeout, memory=_MEMORY, cpu=cpu),
                              cwd=workdir, env=env)
        except OSError as e:  # not an executable after all (a bad interpreter line...)
            return CompileResult(shown, "unverified", [], [str(c) for c in cmd], time.monotonic() - t0,
                                 f"unverified: {shown} could not be started ({e.strerror or e})")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    main = {name, str(workdir / name), "./" + name}
    source = STRICT_BANG if d.name == "bang" else shown  # where a diagnostic says it comes from
    diags = _parse_output(res.stdout + "\n" + res.stderr, main, path, data, mapper, source)
    if res.timed_out:
        diags.insert(0, Diagnostic("error", f"{shown} timed out after {timeout:g} s", file=path, source=source,
                                   code="compiler-timeout"))
        verdict = "failed"
        message = (f"{source}: {shown} timed out after {timeout:g} s" if d.name == "bang"
                   else f"{shown}: timed out after {timeout:g} s")
    elif res.returncode != 0:
        if not any(g.is_error for g in diags):  # a driver error with no position ("nvcc fatal : ...")
            first = next((ln.strip() for ln in (res.stderr + "\n" + res.stdout).splitlines() if ln.strip()), "")
            diags.insert(0, Diagnostic("error", f"{shown} {res.describe()}" + (f": {first}" if first else ""),
                                       file=path, source=source, code="compiler-failed"))
        verdict, message = (REJECTED if d.name == "bang" else "failed"), _summary(shown, diags, d.name)
    else:
        verdict, message = (ACCEPTED if d.name == "bang" else "passed"), _summary(shown, diags, d.name)
    result = CompileResult(STRICT_BANG_TOOL if d.name == "bang" else shown, verdict, diags,
                           [str(c) for c in cmd], time.monotonic() - t0, message)
    if not res.timed_out and res.signal is None:
        _cache_store(key, result, path)
    return result


def _summary(tool: str, diags: list[Diagnostic], dialect: str) -> str:
    """One line such as ``nvcc: passed, 1 warning`` or ``gcc: 2 errors``; for BANG
    ``strict BANG header: accepted`` or ``strict BANG header: rejected: 2 errors`` (our header
    under g++, not a BANG compiler)."""
    errors = sum(g.severity == "error" for g in diags)
    warnings = sum(g.severity == "warning" for g in diags)
    parts = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in ((errors, "error"), (warnings, "warning")) if n]
    if dialect == "bang":
        if errors:
            return f"{STRICT_BANG}: rejected: {', '.join(parts)}"
        return f"{STRICT_BANG}: accepted" + (f", {', '.join(parts)}" if parts else "")
    if not errors:
        parts.insert(0, "passed")
    return f"{tool}: {', '.join(parts)}"


def _scratch_name(path: str, default_suffix: str) -> str:
    base = re.sub(r"[^\w.+-]", "_", Path(path).name) if path else ""
    if not base or base.startswith("."):
        base = "input" + (Path(path).suffix if path and Path(path).suffix else default_suffix)
    return base


# ------------------------------------------------------------------------------ diagnostics
_GCC_LINE = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?:(?P<col>\d+):)? "
                       r"(?P<sev>fatal error|error|warning|note|remark): (?P<msg>.*)$")
_NVCC_LINE = re.compile(r"^(?P<file>.+?)\((?P<line>\d+)\): (?P<sev>catastrophic error|error|warning|remark)"
                        r"(?: #(?P<code>[\w-]+))?: (?P<msg>.*)$")
_FLAG = re.compile(r"\s*\[(-W[\w=,+-]+|-f[\w=,+-]+)\]$")
_SEVERITY = {"fatal error": "error", "catastrophic error": "error", "error": "error", "warning": "warning",
             "note": "information", "remark": "information"}


def _parse_output(text: str, main: set[str], path: str, original: bytes, mapper: Optional["PositionMap"],
                  tool: str) -> list[Diagnostic]:
    """gcc, clang and nvcc messages as Diagnostics for ``path``; notes only in the main file."""
    lines = text.splitlines()
    orig_lines = original.split(b"\n")
    out: list[Diagnostic] = []
    seen: set = set()
    for i, ln in enumerate(lines):
        m = _GCC_LINE.match(ln)
        nv = None if m else _NVCC_LINE.match(ln)
        if m is None and nv is None:
            continue
        g = m or nv
        sev = _SEVERITY[g.group("sev")]
        msg = g.group("msg").strip()
        code = nv.group("code") if nv else None
        flag = _FLAG.search(msg)
        if flag:
            code, msg = flag.group(1), msg[:flag.start()]
        line = int(g.group("line"))
        col = int(m.group("col") or 1) if m else _nvcc_column(lines, i, orig_lines, line)
        file = g.group("file")
        in_main = file in main
        if in_main and mapper is not None:
            line, col = mapper.to_original(line, col)
        if sev == "information" and not in_main:
            continue
        d = Diagnostic(sev, msg, max(line, 1), max(col, 1), file=path if in_main else file, source=tool,
                       code=code)
        k = (d.file, d.line, d.col, d.severity, d.message)
        if k not in seen:
            seen.add(k)
            out.append(d)
    return out


def _nvcc_column(lines: list[str], i: int, orig_lines: list[bytes], line: int) -> int:
    """nvcc echoes the source line (indented by 2, a tab shown as one space) and a caret
    under the column; 1 when the echo does not match the source."""
    for j in range(i + 1, min(i + 4, len(lines))):
        if lines[j].strip() == "^" and j - 1 > i:
            echo, idx = lines[j - 1], lines[j].index("^")
            if 1 <= line <= len(orig_lines):
                src = orig_lines[line - 1].decode("utf-8", "replace").rstrip("\r")
                if echo[2:].rstrip() == src.replace("\t", " ").rstrip() and idx >= 2:
                    return len(src[:idx - 2].encode("utf-8")) + 1
            return 1
    return 1


# ------------------------------------------------------------------------------ BANG launches
class PositionMap:
    """Maps (line, column) in a rewritten text back to the original (1-based, byte columns).
    The rewritten text is a sequence of pieces: copied spans (offset by offset) and
    synthetic text (every byte at one original offset)."""

    def __init__(self, original: bytes, rewritten: bytes, pieces: list[tuple[int, int, bool]]):
        self._new_starts = [p[0] for p in pieces]
        self._pieces = pieces  # (start in rewritten, start in original, copied?)
        self._orig_lines = _line_starts(original)
        self._new_lines = _line_starts(rewritten)

    def to_original(self, line: int, col: int) -> tuple[int, int]:
        """The original (line, column) of a position in the rewritten text."""
        if not 1 <= line <= len(self._new_lines):
            return line, col
        off = self._new_lines[line - 1] + col - 1
        k = bisect.bisect_right(self._new_starts, off) - 1
        if k < 0:
            return line, col
        new_start, orig_start, copied = self._pieces[k]
        orig = orig_start + (off - new_start if copied else 0)
        ln = bisect.bisect_right(self._orig_lines, orig)
        return ln, orig - self._orig_lines[ln - 1] + 1


def _line_starts(text: bytes) -> list[int]:
    return [0] + [m.end() for m in re.finditer(rb"\n", text)]


_TRIVIA = re.compile(rb"//[^\n]*|/\*.*?(?:\*/|\Z)|\"(?:\\.|[^\"\\\n])*\"?|'(?:\\.|[^'\\\n])*'?", re.S)


def _mask(text: bytes) -> bytes:
    """``text`` with comments, string and character literals blanked (newlines kept)."""
    return _TRIVIA.sub(lambda m: re.sub(rb"[^\n]", b" ", m.group()), text)


_CALLEE = re.compile(rb"(?:::\s*)?[A-Za-z_]\w*(?:\s*::\s*[A-Za-z_]\w*)*\s*(?:<[^<>;{}()]*>)?\s*$")
_CLOSE = {ord(")"): ord("("), ord("]"): ord("["), ord("}"): ord("{")}


def rewrite_bang_launches(text: bytes) -> tuple[bytes, "PositionMap"]:
    """Rewrite every ``name<<<dim, type, queue>>>(args)`` into
    ``(__xp_bang_launch(dim, type, queue), name)(args)`` for g++, keeping the line count and
    every other token's text; the returned map takes rewritten positions back to the
    original ones (columns included)."""
    masked = _mask(text)
    edits: list[tuple[int, int, list[tuple[bytes, int, bool]]]] = []  # (start, end, pieces)
    pos = 0
    while True:
        lt = masked.find(b"<<<", pos)
        if lt < 0:
            break
        pos = lt + 3
        m = _CALLEE.search(masked, max(0, lt - 400), lt)
        if m is None or not m.group().strip():
            continue
        name_start = m.start()
        name_end = name_start + len(m.group().rstrip())
        gt = _find_close(masked, lt + 3)
        if gt is None:
            continue
        after = gt + 3
        while after < len(masked) and masked[after:after + 1].isspace():
            after += 1
        if masked[after:after + 1] != b"(":
            continue
        pieces = [(b"(__xp_bang_launch(", name_start, False),
                  (text[lt + 3:gt], lt + 3, True),
                  (b"), ", gt, False),
                  (text[name_start:name_end], name_start, True),
                  (b")", gt + 2, False)]
        edits.append((name_start, gt + 3, pieces))
        pos = gt + 3
    out = bytearray()
    spans: list[tuple[int, int, bool]] = []
    cur = 0
    for start, end, pieces in edits:
        spans.append((len(out), cur, True))
        out += text[cur:start]
        for chunk, orig, copied in pieces:
            spans.append((len(out), orig, copied))
            out += chunk
        cur = end
    spans.append((len(out), cur, True))
    out += text[cur:]
    rewritten = bytes(out)
    return rewritten, PositionMap(text, rewritten, spans)


def _find_close(masked: bytes, i: int) -> Optional[int]:
    """The offset of the ``>>>`` closing a launch configuration that starts at ``i``."""
    stack: list[int] = []
    n = len(masked)
    while i < n:
        c = masked[i]
        if c in (ord("("), ord("["), ord("{")):
            stack.append(c)
        elif c in _CLOSE:
            if not stack or stack.pop() != _CLOSE[c]:
                return None
        elif c == ord(";") and not stack:
            return None
        elif masked[i:i + 3] == b">>>" and not stack:
            return i
        i += 1
    return None


# ------------------------------------------------------------------------------ BANG header
def _bang():
    return dialects._load("bang.intrinsics")


def _defined_intrinsics(text: str) -> frozenset[str]:
    """Intrinsic names the file defines itself: left out of the header, as in the prelude."""
    from .dialects.prelude import source_definitions

    return frozenset(source_definitions(text) & set(dialects.get("bang").intrinsics))


@functools.lru_cache(maxsize=16)
def bang_header(arch: str = "mtp_372", skip: frozenset[str] = frozenset()) -> str:
    """The strict BANG C declaration header for g++: qualifiers defined away, the BANG types,
    ``mluMemcpyDirection_t`` from ``MEMCPY_DIRECTIONS``, the CNRT host API (from the clang
    prelude ``preludes/bang.h``), the built-in variables as ``extern const`` variables and
    one non-template declaration per intrinsic overload instance (from the tables)."""
    from .dialects import prelude as _prelude

    d = dialects.get("bang")
    bang = _bang()
    rules = bang.ARCH_RULES[arch]
    handwritten = (dialects._DIR / "preludes" / "bang.h").read_text()
    parts = [f"/* Xpiler strict BANG C declarations for g++ ({arch}). Generated by xpiler/toolchains.py from\n"
             " * dialects/bang/intrinsics.py and dialects/libm.py; do not edit. */",
             "#pragma once"]
    for rel in d.prelude_files:  # the portable C part (common.h); bang.h is clang-only
        if Path(rel).name != "bang.h":
            parts.append((dialects._DIR / rel).read_text())
    quals = ("__mlu_global__", "__mlu_entry__", "__mlu_func__", "__mlu_device__", "__mlu_host__", "__nram__",
             "__wram__", "__ldram__", "__mlu_shared__", "__mlu_const__")
    parts.append("\n".join(f"#define {q}" for q in quals))
    parts.append(f"#define __BANG__ 1\n#define __BANG_ARCH__ {rules['bang_arch']}\n"
                 f"#define __MLU_NRAM_SIZE__ {rules['nram_bytes'] // 1024}\n"
                 f"#define __MLU_WRAM_SIZE__ {rules['wram_bytes'] // 1024}\n"
                 f"#define __MLU_SRAM_SIZE__ {rules['sram_bytes'] // 1024}")
    parts.append("typedef _Float16 half;\n"
                 "struct bfloat16_t {  /* g++ 12 has no arithmetic __bf16: a float-convertible type */\n"
                 "  unsigned short __xp_bits;\n"
                 "  bfloat16_t() = default;\n"
                 "  bfloat16_t(float v);\n"
                 "  operator float() const;\n"
                 "};\n"
                 "typedef struct { signed char v; } int4x2_t;")
    legacy = re.findall(r"^typedef (?:signed |unsigned )?(?:char|short|int|long) \w+;$", handwritten, re.M)
    parts.append("\n".join(legacy))
    dirs = sorted(bang.MEMCPY_DIRECTIONS.items(), key=lambda kv: kv[1]["value"])
    parts.append("typedef enum {\n  " + ",\n  ".join(f"{n} = {v['value']}" for n, v in dirs)
                 + "\n} mluMemcpyDirection_t;")
    parts.append(_cnrt_section(handwritten))
    parts.append("void __xp_bang_launch(cnrtDim3_t dim, cnrtFunctionType_t type, cnrtQueue_t queue);")
    parts.append("\n".join(f"extern const {v.type} {v.name};" for v in d.builtin_vars.values()))
    parts.append(_prelude._constants(d, skip))
    for mod in dialects._tables(d.intrinsic_modules):
        parts.extend(getattr(mod, "MACROS", {}).values())
    decls: list[str] = []
    for it in {id(it): it for it in d.intrinsics.values()}.values():  # a dialect's own entry wins
        if it.name in skip or it.name.startswith("__builtin_") or (it.qualified and "::" in it.qualified):
            continue
        for ov in it.overloads:
            decls.extend(decl + ";" for decl in overload_declarations(it.name, ov))
    parts.append("\n".join(dict.fromkeys(decls)))
    parts.append(_prelude._std(d, skip))
    return "\n".join(p for p in parts if p) + "\n"


def _cnrt_section(handwritten: str) -> str:
    """The CNRT host API of ``preludes/bang.h`` (from its ``/* CNRT`` comment on), without the
    clang-only kernel-call configuration functions."""
    start = handwritten.find("/* CNRT")
    if start < 0 or "cnrtDim3_t" not in handwritten[start:]:
        raise RuntimeError("preludes/bang.h has no '/* CNRT' section declaring cnrtDim3_t; "
                           "update xpiler.toolchains._cnrt_section")
    keep = [ln for ln in handwritten[start:].splitlines()
            if not re.search(r"\b(cudaConfigureCall|__cudaPushCallConfiguration)\b", ln)]
    return "\n".join(keep)


_HEADER_LOCK = threading.Lock()


def bang_header_path(arch: str, skip: frozenset[str] = frozenset()) -> tuple[Path, Path]:
    """The generated header in the cache (named by its content hash) and the folder of empty
    stand-ins for the headers a BANG file includes (``bang.h``, ``math.h``...)."""
    from .dialects.prelude import KNOWN_HEADERS

    text = bang_header(arch, skip)
    digest = hashlib.sha256(text.encode()).hexdigest()[:20]
    root = cache_dir() / "headers"
    header = root / f"bang-{arch}-{digest}.h"
    stub_digest = hashlib.sha256(" ".join(sorted(KNOWN_HEADERS)).encode()).hexdigest()[:12]
    stubs = root / f"stubs-{stub_digest}"
    with _HEADER_LOCK:
        if not header.exists():
            _atomic_write(header, text.encode())
        marker = stubs / ".complete"
        if not marker.exists():
            for h in KNOWN_HEADERS:
                _atomic_write(stubs / h, b"/* xpiler stub: declarations come from the strict BANG header */\n")
            _atomic_write(marker, b"")
    return header, stubs


# ------------------------------------------------------------------------------ caching
def cache_dir() -> Path:
    """Where compile results and generated headers live: ``$XPILER_CACHE_DIR``, else
    ``~/.cache/xpiler/compile`` (a folder under the system temp directory when that one
    cannot be written)."""
    env = os.environ.get("XPILER_CACHE_DIR")
    root = Path(env) if env else Path.home() / ".cache" / "xpiler" / "compile"
    try:
        root.mkdir(parents=True, exist_ok=True)
        if os.access(root, os.W_OK):
            return root
    except OSError:
        pass
    fallback = Path(tempfile.gettempdir()) / f"xpiler-compile-{os.getuid()}"
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback


_VERSIONS: dict = {}
_VERSION_LOCK = threading.Lock()


def _version(exe: str, env: dict) -> str:
    """The first lines of ``exe --version`` (memoised per executable and modification time)."""
    st = os.stat(exe)
    key = (os.path.realpath(exe), st.st_mtime_ns, st.st_size, env.get("HIP_PLATFORM"))
    with _VERSION_LOCK:
        if key in _VERSIONS:
            return _VERSIONS[key]
    res = sandbox.run([exe, "--version"], limits=sandbox.Limits(timeout=30, memory=_MEMORY), env=env)
    if res.workdir is not None:
        shutil.rmtree(res.workdir, ignore_errors=True)
    text = (res.stdout + res.stderr).strip() if res.ok else f"unknown ({res.describe()})"
    with _VERSION_LOCK:
        _VERSIONS[key] = text
    return text


def _cache_key(data: bytes, dialect: str, suffix: str, target: Optional[str], exe: str, version: str,
               include_dirs: list[str], extra: dict) -> str:
    h = hashlib.sha256()
    includes = {}
    for inc in re.findall(rb'^\s*#\s*include\s*"([^"]+)"', data, re.M):
        for folder in include_dirs:
            p = Path(folder) / inc.decode("utf-8", "replace")
            if p.is_file():
                includes[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    meta = {"v": _CACHE_VERSION, "dialect": dialect, "suffix": suffix, "target": target, "exe": exe,
            "version": version, "includes": includes, "extra": extra,
            "source": hashlib.sha256(data).hexdigest()}
    h.update(json.dumps(meta, sort_keys=True).encode())
    return h.hexdigest()


def _cache_load(key: str, path: str) -> Optional[CompileResult]:
    f = cache_dir() / "results" / key[:2] / f"{key}.json"
    try:
        rec = json.loads(f.read_text())
        diags = [Diagnostic(**{**g, "file": path if g.get("file") == "<main>" else g.get("file")})
                 for g in rec["diagnostics"]]
        return CompileResult(rec["tool"], rec["verdict"], diags, rec["command"], 0.0, rec["message"], cached=True)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _cache_store(key: str, result: CompileResult, path: str) -> None:
    diags = []
    for g in result.diagnostics:
        rec = g.to_dict()
        if g.file == path:
            rec["file"] = "<main>"
        diags.append(rec)
    rec = {"tool": result.tool, "verdict": result.verdict, "diagnostics": diags, "command": result.command,
           "message": result.message, "elapsed": result.elapsed}
    try:
        _atomic_write(cache_dir() / "results" / key[:2] / f"{key}.json", json.dumps(rec).encode())
    except OSError:
        pass  # a read-only cache only costs speed


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
