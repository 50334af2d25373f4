"""The front end: source text of any dialect to a :class:`~xpiler.ir.Module`.

    parse(text, path="k.cu")          dialect from the suffix and content
    parse(text, dialect="bang")       or given

Parsing never raises on bad input: unparsable text, binary garbage or unknown intrinsics
come back as ``module.diagnostics`` (structured, with lines and columns) next to whatever
could be understood; what could not is kept verbatim in Opaque nodes.
"""
from __future__ import annotations

import gc
import os
import re
from pathlib import Path
from typing import Callable, Optional, Union

from .. import dialects, ir
from ..diagnostics import Diagnostic
from ..dialects import prelude as _prelude
from . import libclang
from .convert import Converter, ParseCancelled
from .trivia import LineIndex, scan

_DEFAULT_NAMES = {"cuda": "kernel.cu", "hip": "kernel.hip", "bang": "kernel.mlu", "vnni": "kernel.cpp", "c": "kernel.c"}
_SEVERITY = {2: "warning", 3: "error", 4: "error"}
_INCLUDE_RX = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]', re.M)
_UNDECLARED_RX = re.compile(r"use of undeclared identifier '(\w+)'|call to undeclared function '(\w+)'|"
                            r"implicit declaration of function '(\w+)'")
_INTRINSIC_PREFIX = {
    "bang": ("__bang_", "__memcpy", "__memset", "__sync", "__is_", "__nramset", "__gdramset", "__cn_"),
    "cuda": ("__shfl", "__sync", "__ballot", "__any", "__all", "__activemask", "atomic", "__h", "__float2",
             "__half2", "__int2", "__uint2", "__ldg", "__popc", "__clz", "__ffs", "__brev", "__f", "__d", "__reduce",
             "__match", "__threadfence", "__expf", "__logf", "__sinf", "__cosf", "__powf"),
    "hip": ("__shfl", "__sync", "__ballot", "__any", "__all", "__activemask", "atomic", "__builtin_amdgcn_",
            "__h", "__float2", "__half2", "__ldg", "__popc", "__clz", "__ffs", "__lane_id", "__threadfence"),
    "vnni": ("_mm_", "_mm256_", "_mm512_", "_k", "_cvt", "_load_mask", "_store_mask"),
    "c": (),
}


def parse(source: Union[str, bytes], path: Optional[str] = None, dialect: Optional[str] = None,
          on_diagnostics: Optional[Callable[[list[Diagnostic]], None]] = None,
          cancelled: Optional[Callable[[], bool]] = None) -> ir.Module:
    """Parse ``source`` into a Module; problems are in ``module.diagnostics``.

    ``on_diagnostics`` is called with clang's diagnostics as soon as clang has parsed the
    file, before the (slower) conversion to IR: an editor can show them at once.
    ``cancelled`` is polled during the conversion; when it returns True the parse stops
    with ``ParseCancelled`` (an editor's newer text makes this one pointless)."""
    if isinstance(source, bytes):
        text = source.decode("utf-8", "replace")
    else:
        text = source
    text = text.replace("\x00", " ")  # NUL bytes end C strings inside libclang
    name = dialect or dialects.detect(path, text)
    d = dialects.get(name)
    path = os.path.abspath(path) if path else os.path.join("/__xpiler__/input", _DEFAULT_NAMES[d.name])
    language = dialects.language_of(d.name, path)
    data = text.encode("utf-8")

    diags: list[Diagnostic] = []
    unsaved: list[tuple[str, Union[str, bytes]]] = [(path, data)]
    skip = _prelude.source_definitions(text)
    prelude_text = _prelude.prelude(d, language, skip)
    stubs = [(f"{libclang.STUB_DIR}/{h}", body) for h, body in _stub_files(d).items()]
    pch = _pch(d.name, language, prelude_text, stubs)
    if pch is None:
        unsaved.append((libclang.PRELUDE_PATH, prelude_text))
    unsaved.extend(stubs)
    index = LineIndex(data)
    for m in _INCLUDE_RX.finditer(data):
        header = m.group(2).decode("utf-8", "replace").strip()
        if header in _prelude.KNOWN_HEADERS:
            continue
        if m.group(1) == b'"' and (Path(path).parent / header).is_file():
            continue  # a real header beside the file: clang reads it
        unsaved.append((f"{libclang.MISSING_DIR}/{header}", "/* xpiler: header not found */\n"))
        line, col = index.position(m.start())
        diags.append(Diagnostic("warning", f"header '{header}' not found; parsed without it "
                                f"(declarations it provides are unknown)", line, col, file=path,
                                code="missing-header"))

    try:
        tu = libclang.parse(path, language, unsaved, pch)
    except Exception as e:  # libclang refuses the input outright
        diags.append(Diagnostic("error", f"clang could not parse this file: {e}", 1, 1, file=path,
                                source="clang", code="parse-failed"))
        m = ir.Module(dialect=d.name, items=[], path=path, language=language)
        m.diagnostics = diags
        return m
    clang_diags = _clang_diagnostics(tu, path, d.name)
    diags.extend(clang_diags)
    if on_diagnostics is not None:
        on_diagnostics(list(diags))
    errors = tuple(index.offset(g.line, g.col) for g in clang_diags if g.is_error and g.code != "prelude")
    conv = Converter(data, path, d.name, language, scan(data, index), errors, libclang.Locator(tu, path, len(data)),
                     cancelled)
    # Conversion allocates many small objects and frees none: the cyclic collector would
    # only rescan them (a third of the time on large files).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        module = conv.module(tu)
    finally:
        if gc_was_enabled:
            gc.enable()
    module.diagnostics = diags + conv.diagnostics
    return module


def parse_file(path: Union[str, os.PathLike], dialect: Optional[str] = None) -> ir.Module:
    p = Path(path)
    return parse(p.read_bytes(), str(p), dialect)


_PCH: dict[str, Optional[str]] = {}


def _pch(dialect: str, language: str, prelude_text: str, stubs) -> Optional[str]:
    """The precompiled prelude for this text (built once per machine and cached; None when
    it cannot be built, and the prelude is then parsed as text)."""
    import hashlib

    key = hashlib.sha256((prelude_text + language + "\0" + " ".join(libclang.command_line(language))).encode()).hexdigest()[:20]
    if key in _PCH:
        return _PCH[key]
    from ..runtime import cache

    path = cache.path("pch", f"{dialect}-{language.replace('+', 'x')}-{key}.pch")
    if not path.exists():
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        try:
            ok = libclang.build_pch(language, prelude_text, stubs, str(tmp))
            if ok:
                os.replace(tmp, path)
        except Exception:  # noqa: BLE001 - a prelude that will not precompile is parsed as text
            ok = False
        if not ok:
            _PCH[key] = None
            return None
    _PCH[key] = str(path)
    return _PCH[key]


def _stub_files(d) -> dict[str, str]:
    return _prelude.stub_headers(d)


def _clang_diagnostics(tu, path: str, dialect: str) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for dg in tu.diagnostics:
        sev = _SEVERITY.get(dg.severity)
        if sev is None:
            continue
        loc = dg.location
        fname = loc.file.name if loc.file else None
        msg = dg.spelling
        if fname != path:
            if fname and fname.startswith(libclang.MISSING_DIR):
                continue
            if sev != "error":
                continue
            # An error inside the prelude means the file clashes with a declaration we
            # supply (or our prelude is wrong): report it at the top of the file.
            out.append(Diagnostic(sev, f"{msg} (in xpiler's {dialect} prelude)", 1, 1, file=path,
                                  source="clang", code="prelude"))
            continue
        code = None
        m = _UNDECLARED_RX.search(msg)
        if m:
            ident = next(g for g in m.groups() if g)
            if ident.startswith(_INTRINSIC_PREFIX.get(dialect, ())):
                msg = (f"unknown intrinsic '{ident}': not in xpiler's {dialects.get(dialect).title} "
                       f"intrinsic table (check its spelling and the dialect)")
                code = "unknown-intrinsic"
                sev = "error"
        rng = next(iter(dg.ranges), None)
        end_line = end_col = None
        if rng is not None and rng.end.file is not None and rng.end.file.name == path:
            end_line, end_col = rng.end.line, rng.end.column
        out.append(Diagnostic(sev, msg, loc.line, loc.column, end_line, end_col, file=path,
                              source="clang", code=code))
    return out
