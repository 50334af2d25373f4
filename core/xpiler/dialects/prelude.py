"""The parsing prelude: the text clang sees before a kernel file, in place of the vendor
headers (CUDA, HIP, BANG, <immintrin.h>, libc). Handwritten parts (types, qualifier
macros, host runtime APIs) come from ``preludes/*.h``; every intrinsic and built-in
variable declaration is generated from the dialect's tables, so the parser, the emulator
and the hover agree on one signature.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

from . import Dialect, _load, get
from .base import overload_declarations

_DIR = Path(__file__).parent

# Headers a kernel file may include; each is an empty stub (the prelude already has what
# it declares). Anything else that is not found on disk is stubbed with a warning.
KNOWN_HEADERS = frozenset("""
stdio.h stdlib.h string.h math.h tgmath.h stdint.h stddef.h stdbool.h float.h limits.h assert.h
inttypes.h time.h errno.h ctype.h stdarg.h malloc.h unistd.h sys/time.h
cmath cstdio cstdlib cstring cstdint cstddef cfloat climits cassert cinttypes ctime
algorithm limits numeric utility type_traits iostream vector array functional memory
chrono random tuple initializer_list string sstream iomanip
omp.h immintrin.h x86intrin.h xmmintrin.h emmintrin.h pmmintrin.h tmmintrin.h smmintrin.h
nmmintrin.h avxintrin.h avx2intrin.h avx512fintrin.h zmmintrin.h
cuda.h cuda_runtime.h cuda_runtime_api.h device_launch_parameters.h device_functions.h
cuda_fp16.h cuda_fp16.hpp cuda_bf16.h mma.h crt/mma.h math_constants.h sm_20_atomic_functions.h
sm_60_atomic_functions.h vector_types.h vector_functions.h helper_cuda.h
hip/hip_runtime.h hip/hip_runtime_api.h hip/hip_fp16.h hip/hip_bf16.h hip/amd_detail/amd_hip_runtime.h
hip/hip_vector_types.h hip/math_functions.h
bang.h mlu.h cnrt.h cn_api.h bang_device_functions.h bang_device_types.h cnrt_data.h
""".split())

_LIBM = "libm"
_STD_FUNCS = ("min", "max", "swap")  # defined as templates in namespace std below
# Builtins clang itself declares in CUDA mode: redeclaring them is an error.
_CLANG_CUDA_BUILTINS = frozenset({"__syncthreads"})


def source_definitions(text: str) -> frozenset[str]:
    """Names of functions a file defines, so the prelude leaves them undeclared: a kernel
    called ``sin`` must not clash with libm's ``sin`` (reference/bang.md §1.6)."""
    names = set(re.findall(r"\b([A-Za-z_]\w*)\s*\([^;{}()]*(?:\([^;{}()]*\)[^;{}()]*)*\)\s*(?:const\s*)?\{", text))
    return frozenset(names - {"if", "for", "while", "switch", "catch", "do", "return", "sizeof"})


def prelude(dialect: Dialect | str, language: str, skip: frozenset[str] = frozenset()) -> str:
    """The prelude text for a dialect parsed as ``language``, leaving out ``skip``."""
    d = get(dialect) if isinstance(dialect, str) else dialect
    return _prelude(d.name, language, skip)


@functools.lru_cache(maxsize=64)
def _prelude(name: str, language: str, skip: frozenset[str]) -> str:
    d = get(name)
    cxx = language in ("cuda", "c++")
    cuda = language == "cuda"
    parts = ["/* Xpiler parsing prelude for %s (%s). Generated; see dialects/prelude.py. */" % (d.title, language)]
    for rel in d.prelude_files:
        parts.append((_DIR / rel).read_text())
    for mod in _table_modules(d):
        parts.append(getattr(mod, "TYPE_HEADER", ""))  # VNNI's vector and mask types
        typedefs = getattr(mod, "vector_typedefs", None)  # HIP's MFMA operand vector types
        if typedefs is not None:
            parts.append(typedefs())
        parts.extend(getattr(mod, "MACROS", {}).values())
    if cuda:
        parts.append(_builtin_vars(d))
        parts.append("#pragma clang force_cuda_host_device begin")
    parts.append(_constants(d, skip))
    parts.append(_declarations(d, cxx, skip))
    if cxx:
        parts.append(_std(d, skip))
    if cuda:
        parts.append("#pragma clang force_cuda_host_device end")
    return "\n".join(p for p in parts if p) + "\n"


def _table_modules(d: Dialect):
    from . import _tables

    return _tables(d.intrinsic_modules)


def _constants(d: Dialect, skip: frozenset[str]) -> str:
    consts: dict = {}
    for mod in _table_modules(d):
        consts.update(getattr(mod, "CONSTANTS", {}))
    out = []
    for cname, entry in consts.items():
        if cname in skip:
            continue
        value = entry[0] if isinstance(entry, (tuple, list)) else entry
        out.append(f"#ifndef {cname}\n#define {cname} {value}\n#endif")
    return "\n".join(out)


def _declarations(d: Dialect, cxx: bool, skip: frozenset[str]) -> str:
    out: list[str] = []
    seen_c: set[str] = set()
    for it in (it for table in d.tables for it in table.values()):
        if it.qualified and "::" in it.qualified:
            continue  # namespaced APIs (wmma) are declared by hand in the prelude files
        if it.name in skip or it.name.startswith("__builtin_") and not it.name.startswith("__builtin_amdgcn"):
            continue
        if d.language == "cuda" and it.name in _CLANG_CUDA_BUILTINS:
            continue
        for ov in it.overloads:
            for decl in overload_declarations(it.name, ov, defaults=cxx):
                if not cxx:
                    if it.name in seen_c:
                        continue  # C has no overloading: the first (canonical) form only
                    seen_c.add(it.name)
                out.append(decl + ";")
    if not cxx:
        return "\n".join(out)
    # Dedupe identical declarations that two tables share (aliases, HIP reusing CUDA).
    return "\n".join(dict.fromkeys(out))


def _std(d: Dialect, skip: frozenset[str]) -> str:
    libm = getattr(_load(_LIBM), "INTRINSICS", {})
    usings = "\n".join(f"using ::{n};" for n in libm if n not in skip and n not in _STD_FUNCS)
    return """namespace std {
template <class T> constexpr const T &min(const T &a, const T &b) { return b < a ? b : a; }
template <class T> constexpr const T &max(const T &a, const T &b) { return a < b ? b : a; }
template <class T> constexpr T min(std::initializer_list<T>);
template <class T> void swap(T &a, T &b) { T t = a; a = b; b = t; }
template <class T> struct numeric_limits {
  static constexpr bool is_specialized = true;
  static constexpr bool is_signed = T(-1) < T(0);
  static constexpr bool is_integer = T(1) / T(2) == T(0);
  static constexpr int digits = sizeof(T) * 8;
  static constexpr T min() noexcept { return T(); }
  static constexpr T max() noexcept { return T(); }
  static constexpr T lowest() noexcept { return T(); }
  static constexpr T epsilon() noexcept { return T(); }
  static constexpr T infinity() noexcept { return T(); }
  static constexpr T quiet_NaN() noexcept { return T(); }
  static constexpr T denorm_min() noexcept { return T(); }
};
%s
using ::size_t; using ::ptrdiff_t; using ::int8_t; using ::int16_t; using ::int32_t; using ::int64_t;
using ::uint8_t; using ::uint16_t; using ::uint32_t; using ::uint64_t; using ::intptr_t; using ::uintptr_t;
using ::memcpy; using ::memmove; using ::memset; using ::memcmp; using ::malloc; using ::calloc; using ::free;
using ::abort; using ::exit; using ::printf; using ::fprintf; using ::snprintf;
}
""".replace("template <class T> constexpr T min(std::initializer_list<T>);\n", "") % usings


def _builtin_vars(d: Dialect) -> str:
    out = []
    for v in d.builtin_vars.values():
        out.append(f"extern const __attribute__((device)) {v.type} {v.name};")
    return "\n".join(out)


def stub_headers(d: Dialect) -> dict[str, str]:
    """Empty stand-ins for the headers in KNOWN_HEADERS."""
    return {h: "/* xpiler stub: declarations come from the prelude */\n" for h in KNOWN_HEADERS}
