"""The five dialects: cuda, hip, bang, vnni, c.

``get(name)`` returns a :class:`Dialect`, the single place where a platform's facts live:
its keywords, memory spaces, built-in variables, intrinsics (with semantics) and the
prelude that lets clang parse its files. ``detect(path, text)`` names the dialect of a
file from its suffix and content.
"""
from __future__ import annotations

import functools
import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from .base import BuiltinVar, Intrinsic, MemorySpace

NAMES = ("cuda", "hip", "bang", "vnni", "c")
SUFFIXES = {".cu": "cuda", ".cuh": "cuda", ".hip": "hip", ".mlu": "bang", ".c": "c", ".cpp": "c",
            ".cc": "c", ".cxx": "c", ".h": "c", ".hpp": "c"}
_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Dialect:
    """What the front end, printer, emulator, hover and passes know about one platform."""

    name: str
    title: str  # "CUDA", "BANG C"...
    suffix: str  # preferred file suffix for output
    language: str  # how clang parses it: "cuda" (C++ with CUDA extensions), "c++", "c"
    function_qualifiers: Mapping[str, str]  # kind -> spelling ("kernel" -> "__global__")
    space_qualifiers: Mapping[str, str]  # space -> spelling ("shared" -> "__shared__")
    restrict: str  # "__restrict__" or "restrict"
    pointer_space: str  # the space a kernel's pointer parameters point into
    intrinsic_modules: tuple[str, ...]  # modules under xpiler.dialects holding INTRINSICS
    prelude_files: tuple[str, ...]  # handwritten prelude parts, relative to this package
    extra_qualifier_spellings: Mapping[str, str] = field(default_factory=dict)  # alias -> canonical

    # ------------------------------------------------------------------ knowledge tables
    @functools.cached_property
    def tables(self) -> list[Mapping[str, Intrinsic]]:
        """The intrinsic tables of this dialect, general first (libm), own last."""
        out: list[Mapping[str, Intrinsic]] = []
        for mod in _tables(self.intrinsic_modules):
            shared = getattr(mod, "SHARED_WITH_CUDA", None)
            if shared is not None:  # HIP reuses CUDA's entries by name
                cuda = _load("cuda.intrinsics").INTRINSICS
                out.append({n: cuda[n] for n in shared if n in cuda})
            out.append(getattr(mod, "INTRINSICS", {}))
        return out

    @functools.cached_property
    def intrinsics(self) -> Mapping[str, Intrinsic]:
        """Every intrinsic and library function this dialect knows, by name; a dialect's own
        entry wins over the shared one (BANG's float-only device math over libm)."""
        out: dict[str, Intrinsic] = {}
        for table in self.tables:
            for n, it in table.items():
                out[n] = it
                if it.qualified:
                    out[it.qualified] = it
        return out

    @functools.cached_property
    def builtin_vars(self) -> Mapping[str, BuiltinVar]:
        out: dict[str, BuiltinVar] = {}
        for mod in _tables(self.intrinsic_modules):
            out.update(getattr(mod, "BUILTIN_VARS", {}))
        return out

    @functools.cached_property
    def spaces(self) -> Mapping[str, MemorySpace]:
        out: dict[str, MemorySpace] = {}
        for mod in _tables(self.intrinsic_modules):
            out.update(getattr(mod, "SPACES", {}))
        return out

    def intrinsic(self, name: str) -> Optional[Intrinsic]:
        """The intrinsic called ``name`` (qualified or not), if this dialect has it."""
        it = self.intrinsics.get(name)
        if it is None and "::" in name:
            it = self.intrinsics.get(name.rsplit("::", 1)[1])
        return it

    def qualifier_for_space(self, space: str) -> str:
        return self.space_qualifiers.get(space, "")

    @property
    def is_gpu(self) -> bool:
        return self.name in ("cuda", "hip")


@functools.lru_cache(maxsize=None)
def _load(module: str):
    return importlib.import_module(f"{__name__}.{module}")


def _tables(modules: tuple[str, ...]):
    """The loaded table modules of a dialect (tests check none is missing or empty)."""
    out = []
    for m in modules:
        try:
            out.append(_load(m))
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{m}":
                raise
    return out


_DIALECTS = {
    "cuda": Dialect(
        name="cuda", title="CUDA", suffix=".cu", language="cuda",
        function_qualifiers={"kernel": "__global__", "device": "__device__", "host": "",
                             "host_device": "__host__ __device__"},
        space_qualifiers={"shared": "__shared__", "constant": "__constant__", "global": "__device__",
                          "managed": "__managed__"},
        restrict="__restrict__", pointer_space="global",
        intrinsic_modules=("libm", "cuda.intrinsics"),
        prelude_files=("preludes/common.h", "preludes/gpu.h", "preludes/cuda.h"),
    ),
    "hip": Dialect(
        name="hip", title="HIP", suffix=".hip", language="cuda",
        function_qualifiers={"kernel": "__global__", "device": "__device__", "host": "",
                             "host_device": "__host__ __device__"},
        space_qualifiers={"shared": "__shared__", "constant": "__constant__", "global": "__device__",
                          "managed": "__managed__"},
        restrict="__restrict__", pointer_space="global",
        intrinsic_modules=("libm", "hip.intrinsics"),
        prelude_files=("preludes/common.h", "preludes/gpu.h", "preludes/hip.h"),
    ),
    "bang": Dialect(
        name="bang", title="BANG C", suffix=".mlu", language="cuda",
        function_qualifiers={"kernel": "__mlu_global__", "device": "__mlu_func__", "host": "",
                             "host_device": "__mlu_host__ __mlu_device__"},
        space_qualifiers={"nram": "__nram__", "wram": "__wram__", "sram": "__mlu_shared__",
                          "ldram": "__ldram__", "constant": "__mlu_const__", "gdram": "__mlu_device__"},
        restrict="__restrict__", pointer_space="gdram",
        intrinsic_modules=("libm", "bang.intrinsics"),
        prelude_files=("preludes/common.h", "preludes/bang.h"),
        extra_qualifier_spellings={"__mlu_entry__": "__mlu_global__"},
    ),
    "vnni": Dialect(
        name="vnni", title="C with AVX-512 VNNI", suffix=".cpp", language="c++",
        function_qualifiers={"kernel": "", "device": "", "host": "", "host_device": ""},
        space_qualifiers={}, restrict="__restrict__", pointer_space="global",
        intrinsic_modules=("libm", "vnni.intrinsics"),
        prelude_files=("preludes/common.h", "preludes/vnni.h"),
    ),
    "c": Dialect(
        name="c", title="C", suffix=".c", language="c",
        function_qualifiers={"kernel": "", "device": "", "host": "", "host_device": ""},
        space_qualifiers={}, restrict="restrict", pointer_space="global",
        intrinsic_modules=("libm",),
        prelude_files=("preludes/common.h",),
    ),
}


def get(name: str) -> Dialect:
    """The dialect called ``name`` (cuda, hip, bang, vnni, c)."""
    try:
        return _DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown dialect {name!r}; expected one of {', '.join(NAMES)}") from None


_MARKERS = [
    ("bang", re.compile(r"__mlu_(global|entry|func|device)__|__nram__|__wram__|#\s*include\s*[<\"](bang|mlu|cnrt)\.h")),
    ("hip", re.compile(r"#\s*include\s*[<\"]hip/|hipLaunchKernelGGL|\bhipMalloc\b|__builtin_amdgcn_|\bhip[A-Z]\w+\(")),
    ("cuda", re.compile(r"__global__|__device__|#\s*include\s*[<\"](cuda|cuda_runtime|mma|cuda_fp16)\.h|<<<")),
    ("vnni", re.compile(r"\b_mm(512|256)?_\w+\s*\(|#\s*include\s*[<\"](immintrin|x86intrin)\.h")),
]


_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)


def detect(path: Optional[str], text: str) -> str:
    """The dialect of a file: content markers first (a ``.cu`` file written for HIP is
    HIP), then the suffix, then plain C."""
    suffix = Path(path).suffix.lower() if path else ""
    by_suffix = SUFFIXES.get(suffix)
    code = _COMMENTS.sub(" ", text)  # a comment that mentions hipLaunchKernelGGL is not HIP code
    for name, rx in _MARKERS:
        if rx.search(code):
            if name == "cuda" and by_suffix == "hip":
                return "hip"  # HIP files use __global__ too
            return name
    return by_suffix or "c"


def language_of(dialect: str, path: Optional[str]) -> str:
    """The clang language a file is parsed as: VNNI in a ``.c`` file is C, else C++."""
    d = get(dialect)
    if d.name == "vnni" and path and Path(path).suffix.lower() == ".c":
        return "c"
    if d.name == "c" and path and Path(path).suffix.lower() in (".cpp", ".cc", ".cxx", ".hpp"):
        return "c++"
    return d.language


# Intrinsic semantics as IR loops, for passes (semantics.py imports this package: keep this last).
from .semantics import (AmbiguousOverload, Expansion, NoMatchingOverload, SemanticsError,  # noqa: E402
                        select_overload, semantics_ir)
