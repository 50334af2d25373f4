"""x86 SIMD intrinsics (<immintrin.h>) for the VNNI dialect: AVX-512 F/BW/VL/DQ/VNNI, AVX-VNNI,
and the AVX2/AVX/FMA/F16C/SSE intrinsics kernels commonly mix in.

Authority: the Intel Intrinsics Guide (semantics, pseudocode, CPUID flags) and GCC 12's
<immintrin.h> headers (exact C signatures: parameter types and order; where Intel and GCC
spell a type differently -- ``__m256i_u const *`` for ``__m256i const *``, ``const int`` for
``int imm8`` -- GCC's spelling is kept, since it is what kernels are compiled against).

Every intrinsic has exactly one :class:`~xpiler.dialects.base.Overload` (x86 intrinsics are
plain C functions, never overloaded) whose ``arch`` is the comma-separated list of CPU
feature flags it needs, spelled as GCC's ``-m<flag>`` / ``__attribute__((target))`` /
``__builtin_cpu_supports`` names (``avx512f``, ``avx512bw``, ``avx512vl``, ``avx512dq``,
``avx512vnni``, ``avxvnni``, ``avx2``, ``avx``, ``fma``, ``f16c``, ``sse``...``sse4.2``).
:data:`FEATURES` maps each intrinsic name to that tuple, so the runtime can choose native code
or SIMDe.

``semantics`` snippets treat vector types as GCC vector-extension values (see
:data:`TYPE_HEADER`) and reach their lanes through ``XP_LANES(v, T)``, which must expand to
an lvalue array view of the vector object ``v`` with lanes of type ``T`` (one of float, double,
[u]int{8,16,32,64}_t); :data:`HELPERS` defines it as ``((xp_ma_##T *)&(v))`` over ``may_alias``
lane typedefs, so it stays valid under strict aliasing.  Lane 0 is the least significant
element, as on x86.  Masks (``__mmask8`` ... ``__mmask64``) are
plain unsigned integers, bit ``i`` governing lane ``i``.  Integer lane arithmetic is written
on unsigned lane types where it must wrap.  Floating-point operations rely on the host's
IEEE binary32/binary64 arithmetic in round-to-nearest-even with no flush-to-zero (the
default MXCSR), so the emulator must be compiled without fast-math and with
``-ffp-contract=off``; and with ``-fno-strict-aliasing``: GCC drops ``may_alias`` when a
conditional expression merges a lane lvalue with a typed memory read (masked gathers and
expand-loads miscompile at -O2 under strict aliasing; verified with GCC 12).
"""
from __future__ import annotations

import re

from ..base import Intrinsic, Overload, Param, table

# ---------------------------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------------------------

# name -> (C definition, width in bits, element type or None, doc).  TYPES and TYPE_HEADER are
# both derived from this one list.
_TYPE_ROWS: tuple[tuple[str, str, int, str | None, str], ...] = (
    ("__m512", "typedef float __m512 __attribute__((__vector_size__(64), __may_alias__));", 512, "float",
     "512-bit vector of 16 single-precision floats (zmm register); 64-byte aligned in memory."),
    ("__m512d", "typedef double __m512d __attribute__((__vector_size__(64), __may_alias__));", 512, "double",
     "512-bit vector of 8 double-precision floats; 64-byte aligned in memory."),
    ("__m512i", "typedef long long __m512i __attribute__((__vector_size__(64), __may_alias__));", 512, None,
     "512-bit integer vector (64 x i8, 32 x i16, 16 x i32 or 8 x i64, chosen by the intrinsic); "
     "GCC declares it as 8 long longs; 64-byte aligned in memory."),
    ("__m256", "typedef float __m256 __attribute__((__vector_size__(32), __may_alias__));", 256, "float",
     "256-bit vector of 8 single-precision floats (ymm register); 32-byte aligned in memory."),
    ("__m256d", "typedef double __m256d __attribute__((__vector_size__(32), __may_alias__));", 256, "double",
     "256-bit vector of 4 double-precision floats; 32-byte aligned in memory."),
    ("__m256i", "typedef long long __m256i __attribute__((__vector_size__(32), __may_alias__));", 256, None,
     "256-bit integer vector (32 x i8, 16 x i16, 8 x i32 or 4 x i64, chosen by the intrinsic); "
     "GCC declares it as 4 long longs; 32-byte aligned in memory."),
    ("__m128", "typedef float __m128 __attribute__((__vector_size__(16), __may_alias__));", 128, "float",
     "128-bit vector of 4 single-precision floats (xmm register); 16-byte aligned in memory."),
    ("__m128d", "typedef double __m128d __attribute__((__vector_size__(16), __may_alias__));", 128, "double",
     "128-bit vector of 2 double-precision floats; 16-byte aligned in memory."),
    ("__m128i", "typedef long long __m128i __attribute__((__vector_size__(16), __may_alias__));", 128, None,
     "128-bit integer vector (16 x i8, 8 x i16, 4 x i32 or 2 x i64, chosen by the intrinsic); "
     "GCC declares it as 2 long longs; 16-byte aligned in memory."),
    ("__m512i_u", "typedef long long __m512i_u __attribute__((__vector_size__(64), __may_alias__, __aligned__(1)));",
     512, None, "Unaligned (1-byte aligned) variant of __m512i, used by GCC's unaligned load/store signatures."),
    ("__m256i_u", "typedef long long __m256i_u __attribute__((__vector_size__(32), __may_alias__, __aligned__(1)));",
     256, None, "Unaligned (1-byte aligned) variant of __m256i; GCC spells _mm256_loadu_si256's pointer "
     "`__m256i_u const *` where Intel writes `__m256i const *`."),
    ("__m128i_u", "typedef long long __m128i_u __attribute__((__vector_size__(16), __may_alias__, __aligned__(1)));",
     128, None, "Unaligned (1-byte aligned) variant of __m128i; GCC spells _mm_loadu_si128's pointer "
     "`__m128i_u const *` where Intel writes `__m128i const *`."),
    ("__mmask8", "typedef unsigned char __mmask8;", 8, None,
     "AVX-512 opmask for up to 8 lanes (k register): bit i governs lane i; unused high bits are zero."),
    ("__mmask16", "typedef unsigned short __mmask16;", 16, None,
     "AVX-512 opmask for 16 lanes (k register): bit i governs lane i."),
    ("__mmask32", "typedef unsigned int __mmask32;", 32, None,
     "AVX-512 opmask for 32 lanes (k register, AVX512BW): bit i governs lane i."),
    ("__mmask64", "typedef unsigned long long __mmask64;", 64, None,
     "AVX-512 opmask for 64 lanes (k register, AVX512BW): bit i governs lane i."),
)


def _perm_enum() -> str:
    letters = "ABCD"
    items = []
    for v in range(256):
        nm = "".join(letters[(v >> s) & 3] for s in (6, 4, 2, 0))
        items.append(f"_MM_PERM_{nm} = 0x{v:02X}")
    return "typedef enum { " + ", ".join(items) + " } _MM_PERM_ENUM;"


_ENUM_ROWS: tuple[tuple[str, str, int, str | None, str], ...] = (
    ("_MM_PERM_ENUM", _perm_enum(), 32, None,
     "Shuffle control for _mm512_shuffle_epi32: _MM_PERM_DCBA = 0xE4 names the source lane "
     "(A=0 .. D=3) of destination lanes 3,2,1,0 of every 128-bit block."),
    ("_MM_CMPINT_ENUM", "typedef enum { _MM_CMPINT_EQ, _MM_CMPINT_LT, _MM_CMPINT_LE, _MM_CMPINT_UNUSED, "
     "_MM_CMPINT_NE, _MM_CMPINT_NLT, _MM_CMPINT_NLE } _MM_CMPINT_ENUM;", 32, None,
     "Integer comparison predicate for _mm*_cmp_ep[iu]*_mask: EQ 0, LT 1, LE 2, FALSE 3, NE 4, "
     "NLT(GE) 5, NLE(GT) 6, TRUE 7."),
    ("_mm_hint", "enum _mm_hint { _MM_HINT_ET0 = 7, _MM_HINT_ET1 = 6, _MM_HINT_T0 = 3, _MM_HINT_T1 = 2, "
     "_MM_HINT_T2 = 1, _MM_HINT_NTA = 0 };", 32, None,
     "Prefetch locality hint for _mm_prefetch (GCC spells the parameter `enum _mm_hint`)."),
)

TYPES: dict[str, tuple[int, str | None, str]] = {
    name: (width, elem, doc) for name, _c, width, elem, doc in _TYPE_ROWS + _ENUM_ROWS
}

TYPE_HEADER: str = "\n".join(c for _n, c, *_rest in _TYPE_ROWS + _ENUM_ROWS) + "\n"
"""C/C++ definitions of :data:`TYPES`, mirroring GCC's (for the prelude and the emulator)."""

# name -> (C value, doc)
CONSTANTS: dict[str, tuple[str, str]] = {}
_CMP_NAMES = ("EQ_OQ", "LT_OS", "LE_OS", "UNORD_Q", "NEQ_UQ", "NLT_US", "NLE_US", "ORD_Q",
              "EQ_UQ", "NGE_US", "NGT_US", "FALSE_OQ", "NEQ_OQ", "GE_OS", "GT_OS", "TRUE_UQ",
              "EQ_OS", "LT_OQ", "LE_OQ", "UNORD_S", "NEQ_US", "NLT_UQ", "NLE_UQ", "ORD_S",
              "EQ_US", "NGE_UQ", "NGT_UQ", "FALSE_OS", "NEQ_OS", "GE_OQ", "GT_OQ", "TRUE_US")
for _v, _nm in enumerate(_CMP_NAMES):
    CONSTANTS["_CMP_" + _nm] = (f"0x{_v:02x}", "Floating-point comparison predicate for _mm*_cmp_p[sd](_mask): "
                                "O = ordered (false if either is NaN), U = unordered (true if either is NaN), "
                                "S/Q = signalling/quiet on QNaN (exceptions only).")
for _nm, _v, _d in (
    ("_MM_FROUND_TO_NEAREST_INT", "0x00", "round to nearest, ties to even"),
    ("_MM_FROUND_TO_NEG_INF", "0x01", "round toward -infinity"),
    ("_MM_FROUND_TO_POS_INF", "0x02", "round toward +infinity"),
    ("_MM_FROUND_TO_ZERO", "0x03", "round toward zero"),
    ("_MM_FROUND_CUR_DIRECTION", "0x04", "use MXCSR.RC (round to nearest even by default)"),
    ("_MM_FROUND_RAISE_EXC", "0x00", "signal precision exceptions"),
    ("_MM_FROUND_NO_EXC", "0x08", "suppress precision exceptions"),
    ("_MM_FROUND_NINT", "0x00", "_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_RAISE_EXC"),
    ("_MM_FROUND_FLOOR", "0x01", "_MM_FROUND_TO_NEG_INF | _MM_FROUND_RAISE_EXC"),
    ("_MM_FROUND_CEIL", "0x02", "_MM_FROUND_TO_POS_INF | _MM_FROUND_RAISE_EXC"),
    ("_MM_FROUND_TRUNC", "0x03", "_MM_FROUND_TO_ZERO | _MM_FROUND_RAISE_EXC"),
    ("_MM_FROUND_RINT", "0x04", "_MM_FROUND_CUR_DIRECTION | _MM_FROUND_RAISE_EXC"),
    ("_MM_FROUND_NEARBYINT", "0x0C", "_MM_FROUND_CUR_DIRECTION | _MM_FROUND_NO_EXC"),
):
    CONSTANTS[_nm] = (_v, "Rounding control immediate: " + _d + ".")
for _nm, _v in (("EQ", 0), ("LT", 1), ("LE", 2), ("FALSE", 3), ("NE", 4), ("NLT", 5), ("GE", 5),
                ("NLE", 6), ("GT", 6), ("TRUE", 7)):
    CONSTANTS["_MM_CMPINT_" + _nm] = (str(_v), "Integer comparison predicate (see _MM_CMPINT_ENUM).")

# name -> C #define text (function-like macros kernels use)
MACROS: dict[str, str] = {
    "_MM_SHUFFLE": "#define _MM_SHUFFLE(fp3, fp2, fp1, fp0) (((fp3) << 6) | ((fp2) << 4) | ((fp1) << 2) | (fp0))",
    "_MM_SHUFFLE2": "#define _MM_SHUFFLE2(fp1, fp0) (((fp1) << 1) | (fp0))",
}

HELPERS: str = r"""
#include <stdint.h>
#include <string.h>
#include <math.h>
/* Lane view of a vector object: XP_LANES(v, int8_t)[i] is lane i of v (lane 0 = least significant), an lvalue.
   The lane types are may_alias so that the view is valid under strict aliasing; T must be one of the names below. */
typedef float __attribute__((__may_alias__)) xp_ma_float;
typedef double __attribute__((__may_alias__)) xp_ma_double;
typedef int8_t __attribute__((__may_alias__)) xp_ma_int8_t;
typedef int16_t __attribute__((__may_alias__)) xp_ma_int16_t;
typedef int32_t __attribute__((__may_alias__)) xp_ma_int32_t;
typedef int64_t __attribute__((__may_alias__)) xp_ma_int64_t;
typedef uint8_t __attribute__((__may_alias__)) xp_ma_uint8_t;
typedef uint16_t __attribute__((__may_alias__)) xp_ma_uint16_t;
typedef uint32_t __attribute__((__may_alias__)) xp_ma_uint32_t;
typedef uint64_t __attribute__((__may_alias__)) xp_ma_uint64_t;
#define XP_LANES(v, T) ((xp_ma_##T *)&(v))
/* IEEE binary16 bits -> binary32 (exact; a signalling NaN is quieted, as VCVTPH2PS does). */
static inline float xp_f16_to_f32(uint16_t h) {
  uint32_t s = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1Fu, m = h & 0x3FFu, x;
  if (e == 0x1Fu) x = s | 0x7F800000u | (m ? 0x400000u | (m << 13) : 0u);
  else if (e != 0) x = s | ((e + 112u) << 23) | (m << 13);
  else if (m == 0) x = s;
  else { float f = (float)m * 5.9604644775390625e-8f; memcpy(&x, &f, 4); x |= s; }
  float f; memcpy(&f, &x, 4); return f;
}
/* binary32 -> binary16 bits with rounding mode rc: 0 nearest-even, 1 down, 2 up, 3 toward zero
   (VCVTPS2PH: NaN -> quiet NaN keeping the top payload bits; overflow -> inf or max-finite). */
static inline uint16_t xp_f32_to_f16(float f, int rc) {
  uint32_t x; memcpy(&x, &f, 4);
  uint16_t s = (uint16_t)((x >> 16) & 0x8000u);
  int e = (int)((x >> 23) & 0xFFu); uint32_t m = x & 0x7FFFFFu;
  if (e == 0xFF) return (uint16_t)(s | 0x7C00u | (m ? 0x200u | (m >> 13) : 0u));
  if (e == 0 && m == 0) return s;
  uint32_t m24 = e ? (m | 0x800000u) : m; int e2 = e ? e - 150 : -149;
  int msb = 23; while (!((m24 >> msb) & 1u)) --msb;
  int q = e2 + msb - 10; if (q < -24) q = -24;
  int sh = q - e2; uint32_t n; int rb, st;
  if (sh <= 0) { n = m24 << -sh; rb = 0; st = 0; }
  else if (sh > 25) { n = 0; rb = 0; st = 1; }
  else { n = m24 >> sh; rb = (int)((m24 >> (sh - 1)) & 1u); st = (m24 & ((1u << (sh - 1)) - 1u)) != 0; }
  int up = (rc & 3) == 0 ? (rb && (st || (n & 1u))) : (rc & 3) == 1 ? (s && (rb || st))
         : (rc & 3) == 2 ? (!s && (rb || st)) : 0;
  n += (uint32_t)up;
  if (n >= 2048u) { n >>= 1; q += 1; }
  if (n < 1024u) return (uint16_t)(s | n);
  int ef = q + 25;
  if (ef >= 31) return (uint16_t)(s | (((rc & 3) == 0 || ((rc & 3) == 1 && s) || ((rc & 3) == 2 && !s)) ? 0x7C00u : 0x7BFFu));
  return (uint16_t)(s | ((uint32_t)ef << 10) | (n - 1024u));
}
"""
"""C++ the ``semantics`` snippets assume: ``XP_LANES``, ``xp_f16_to_f32``, ``xp_f32_to_f16``,
plus ``<stdint.h>`` types and ``<math.h>`` (``fmaf``, ``sqrtf``, ``nearbyintf``, ``floorf``,
``copysignf``, ``ldexpf``, ``INFINITY``...).  Compile with ``-ffp-contract=off -fno-strict-aliasing``
and without fast-math; the default (round-to-nearest) floating-point environment is assumed."""

# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------

_PRE = {512: "_mm512", 256: "_mm256", 128: "_mm"}
_ELEM = {"ps": ("float", 32), "pd": ("double", 64),
         "epi8": ("int8_t", 8), "epi16": ("int16_t", 16), "epi32": ("int32_t", 32), "epi64": ("int64_t", 64),
         "epu8": ("uint8_t", 8), "epu16": ("uint16_t", 16), "epu32": ("uint32_t", 32), "epu64": ("uint64_t", 64)}
_UNS = {8: "uint8_t", 16: "uint16_t", 32: "uint32_t", 64: "uint64_t"}
_SGN = {8: "int8_t", 16: "int16_t", 32: "int32_t", 64: "int64_t"}
_SMIN = {8: "-128", 16: "-32768", 32: "(-2147483647 - 1)", 64: "(-9223372036854775807LL - 1)"}
_SMAX = {8: "127", 16: "32767", 32: "2147483647", 64: "9223372036854775807LL"}
_UMAX = {8: "255u", 16: "65535u", 32: "4294967295u", 64: "18446744073709551615ull"}
_DESC = {"ps": "single-precision (32-bit) floats", "pd": "double-precision (64-bit) floats",
         "epi8": "signed 8-bit integers", "epi16": "signed 16-bit integers", "epi32": "signed 32-bit integers",
         "epi64": "signed 64-bit integers", "epu8": "unsigned 8-bit integers", "epu16": "unsigned 16-bit integers",
         "epu32": "unsigned 32-bit integers", "epu64": "unsigned 64-bit integers"}
_HEADER = {
    ("avx512f",): "avx512fintrin.h", ("avx512f", "avx512vl"): "avx512vlintrin.h",
    ("avx512bw",): "avx512bwintrin.h", ("avx512bw", "avx512vl"): "avx512vlbwintrin.h",
    ("avx512dq",): "avx512dqintrin.h", ("avx512dq", "avx512vl"): "avx512vldqintrin.h",
    ("avx512vnni",): "avx512vnniintrin.h", ("avx512vl", "avx512vnni"): "avx512vnnivlintrin.h",
    ("avx512vbmi",): "avx512vbmiintrin.h", ("avx512vbmi", "avx512vl"): "avx512vbmivlintrin.h",
    ("avxvnni",): "avxvnniintrin.h", ("avx2",): "avx2intrin.h", ("avx",): "avxintrin.h",
    ("fma",): "fmaintrin.h", ("f16c",): "f16cintrin.h", ("sse",): "xmmintrin.h", ("sse2",): "emmintrin.h",
    ("sse3",): "pmmintrin.h", ("ssse3",): "tmmintrin.h", ("sse4.1",): "smmintrin.h", ("sse4.2",): "smmintrin.h",
    ("popcnt",): "popcntintrin.h", ("bmi",): "bmiintrin.h", ("lzcnt",): "lzcntintrin.h",
}
_FLAGNAME = {"avx512f": "AVX512F", "avx512bw": "AVX512BW", "avx512vl": "AVX512VL", "avx512dq": "AVX512DQ",
             "avx512vnni": "AVX512_VNNI", "avx512vbmi": "AVX512_VBMI", "avxvnni": "AVX_VNNI", "avx2": "AVX2",
             "avx": "AVX", "fma": "FMA", "f16c": "F16C", "sse": "SSE", "sse2": "SSE2", "sse3": "SSE3",
             "ssse3": "SSSE3", "sse4.1": "SSE4.1", "sse4.2": "SSE4.2", "popcnt": "POPCNT", "bmi": "BMI1",
             "lzcnt": "LZCNT"}

_ALL: list[Intrinsic] = []


def _vec(w: int, s: str) -> str:
    """Vector type of width w holding lanes of suffix s."""
    base = {512: "__m512", 256: "__m256", 128: "__m128"}[w]
    return base if s == "ps" else base + ("d" if s == "pd" else "i")


def _bits(s: str) -> int:
    return _ELEM[s][1]


def _n(w: int, s: str) -> int:
    return w // _bits(s)


def _mask(n: int) -> str:
    return f"__mmask{max(8, n)}"


def _lt(s: str) -> str:
    return _ELEM[s][0]


def _L(v: str, t: str) -> str:
    return f"XP_LANES({v}, {t})"


def _P(name: str, ctype: str, role: str = "in", doc: str = "", unit: str | None = None) -> Param:
    return Param(name=name, type=ctype, role=role, doc=doc, unit=unit)


def _avx512(w: int, s: str = "epi32", base: str = "avx512f") -> tuple[str, ...]:
    """CPUID flags of an AVX-512 intrinsic at width w on lanes s (Intel's 'CPUID Flags')."""
    if base == "avx512f" and s in ("epi8", "epi16", "epu8", "epu16"):
        base = "avx512bw"
    return (base,) if w == 512 else tuple(sorted((base, "avx512vl")))


def _feat_doc(feat: tuple[str, ...]) -> str:
    return " + ".join(_FLAGNAME[f] for f in feat)


def _def(name: str, ret: str, params, sem: str | None, *, cat: str, doc: str, feat: tuple[str, ...],
         instr: str = "", note: str = "", alignment: str = "", overlap: str = "", alias_of: str | None = None,
         deprecated: str | None = None, emulation: str = "semantics") -> None:
    header = _HEADER[tuple(sorted(feat))]
    src = f"Intel Intrinsics Guide: {name}" + (f" ({instr})" if instr else "") + f"; GCC 12 <{header}>"
    full_doc = doc.rstrip() + f" Requires {_feat_doc(feat)}."
    ov = Overload(params=tuple(params), ret=ret, semantics=sem, arch=",".join(feat), note=note)
    _ALL.append(Intrinsic(name=name, overloads=(ov,), category=cat, doc=full_doc, source=src,
                          alignment=alignment, overlap=overlap, alias_of=alias_of, deprecated=deprecated,
                          emulation=emulation))


_MDOC = {None: "", "mask": " Lanes whose bit in k is clear are copied from src (writemask).",
         "maskz": " Lanes whose bit in k is clear are zeroed (zeromask)."}


def _mparams(mode: str | None, rtype: str, mtype: str, params: list[Param]) -> list[Param]:
    if mode == "mask":
        return [_P("src", rtype, doc="values kept in lanes whose mask bit is clear"),
                _P("k", mtype, doc="writemask")] + params
    if mode == "maskz":
        return [_P("k", mtype, doc="zeromask")] + params
    return params


def _mname(w: int, mode: str | None, op: str) -> str:
    return f"{_PRE[w]}_{mode + '_' if mode else ''}{op}"


def _lanes(rt: str, t: str, n: int, expr: str, mode: str | None = None, pre: str = "",
           src: str = "src", k: str = "k") -> str:
    """Body computing `n` lanes of type t of a result vector of type rt, lane i = expr."""
    out = [f"{rt} r;", f"for (int i = 0; i < {n}; ++i) {{"]
    if mode == "mask":
        out.append(f"  if (!(({k} >> i) & 1)) {{ {_L('r', t)}[i] = {_L(src, t)}[i]; continue; }}")
    elif mode == "maskz":
        out.append(f"  if (!(({k} >> i) & 1)) {{ {_L('r', t)}[i] = 0; continue; }}")
    if pre:
        out.extend("  " + ln for ln in pre.strip().split("\n"))
    out.append(f"  {_L('r', t)}[i] = {expr};")
    out += ["}", "return r;"]
    return "\n".join(out)


def _bytecopy(dst: str, src: str, nbytes: int, dst_is_ptr: bool = False, src_is_ptr: bool = False) -> str:
    d = f"((char *){dst})" if dst_is_ptr else f"((char *)&{dst})"
    s = f"((const char *){src})" if src_is_ptr else f"((const char *)&{src})"
    return f"for (int i = 0; i < {nbytes}; ++i) {d}[i] = {s}[i];"


def _legacy(w: int, s: str, f128: str | None = None, f256: str | None = None) -> tuple[str, ...]:
    """Flags of a pre-AVX-512 intrinsic: 256-bit float -> avx, 256-bit int -> avx2, 128-bit float
    -> sse (ps) / sse2 (pd), 128-bit int -> sse2, unless given."""
    if w == 512:
        return _avx512(512, s)
    if w == 256:
        return (f256 or ("avx" if s in ("ps", "pd") else "avx2"),)
    return (f128 or ("sse" if s == "ps" else "sse2"),)


_SCAL = {"ps": "float", "pd": "double", "epi8": "char", "epi16": "short", "epi32": "int", "epi64": "long long"}


def _fam_set() -> None:
    for w in (512, 256, 128):
        p = _PRE[w]
        si = f"si{w}"
        for s, nm in (("ps", "setzero_ps"), ("pd", "setzero_pd"), ("epi64", f"setzero_{si}")):
            vt = _vec(w, s)
            _def(f"{p}_{nm}", vt, [], _lanes(vt, _lt(s), _n(w, s), "0"), cat="misc",
                 feat=_legacy(w, s, f256="avx"), instr="VXORPS" if w > 128 else "XORPS",
                 doc=f"Returns a {w}-bit vector with all bits zero.")
        for s, nm in (("ps", "undefined_ps"), ("pd", "undefined_pd"), ("epi64", "undefined_epi32" if w == 512 else f"undefined_{si}")):
            vt = _vec(w, s)
            _def(f"{p}_{nm}", vt, [], _lanes(vt, _lt(s), _n(w, s), "0"), cat="misc",
                 feat=_legacy(w, s, f256="avx"),
                 doc=f"Returns a {w}-bit vector with unspecified contents (lets the compiler skip a zeroing).",
                 note="Contents are undefined; the emulation returns zeros.")
    _def("_mm512_setzero", "__m512", [], _lanes("__m512", "float", 16, "0"), cat="misc", feat=("avx512f",),
         doc="Returns a 512-bit float vector with all bits zero (same as _mm512_setzero_ps).",
         alias_of="_mm512_setzero_ps")
    _def("_mm512_setzero_epi32", "__m512i", [], _lanes("__m512i", "int32_t", 16, "0"), cat="misc",
         feat=("avx512f",), doc="Returns a 512-bit integer vector with all bits zero (same as _mm512_setzero_si512).",
         alias_of="_mm512_setzero_si512")
    _def("_mm512_undefined", "__m512", [], _lanes("__m512", "float", 16, "0"), cat="misc", feat=("avx512f",),
         doc="Returns a 512-bit float vector with unspecified contents.", alias_of="_mm512_undefined_ps",
         note="Contents are undefined; the emulation returns zeros.")

    # set1
    for w in (512, 256, 128):
        p = _PRE[w]
        for s in ("ps", "pd", "epi8", "epi16", "epi32", "epi64"):
            vt, t, n = _vec(w, s), _lt(s), _n(w, s)
            nm = f"{p}_set1_{s}" + ("x" if s == "epi64" and w < 512 else "")
            _def(nm, vt, [_P("a", _SCAL[s])], _lanes(vt, t, n, "a"), cat="misc",
                 feat=("avx512f",) if w == 512 else _legacy(w, s, f256="avx"),
                 doc=f"Broadcasts the scalar a to all {n} lanes ({_DESC[s]}): dst[i] = a.")
        if w == 512:
            for s in ("epi8", "epi16", "epi32", "epi64"):
                vt, t, n = _vec(w, s), _lt(s), _n(w, s)
                for mode in ("mask", "maskz"):
                    _def(_mname(w, mode, f"set1_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", _SCAL[s])]),
                         _lanes(vt, t, n, "a", mode), cat="misc", feat=_avx512(w, s), instr="VPBROADCAST",
                         doc=f"Broadcasts a to the {n} lanes ({_DESC[s]}) selected by k.{_MDOC[mode]}")
    _def("_mm_set_ps1", "__m128", [_P("a", "float")], _lanes("__m128", "float", 4, "a"), cat="misc",
         feat=("sse",), alias_of="_mm_set1_ps", doc="Broadcasts a to the 4 float lanes (same as _mm_set1_ps).")
    _def("_mm_set_pd1", "__m128d", [_P("a", "double")], _lanes("__m128d", "double", 2, "a"), cat="misc",
         feat=("sse2",), alias_of="_mm_set1_pd", doc="Broadcasts a to the 2 double lanes (same as _mm_set1_pd).")

    # set / setr
    for w in (512, 256, 128):
        p = _PRE[w]
        for s in ("ps", "pd", "epi8", "epi16", "epi32", "epi64"):
            vt, t, n = _vec(w, s), _lt(s), _n(w, s)
            sfx = s + ("x" if s == "epi64" and w < 512 else "")
            feat = ("avx512f",) if w == 512 else _legacy(w, s, f256="avx")
            body = "\n".join([f"{vt} r;"] + [f"{_L('r', t)}[{i}] = e{i};" for i in range(n)] + ["return r;"])
            _def(f"{p}_set_{sfx}", vt, [_P(f"e{i}", _SCAL[s]) for i in reversed(range(n))], body, cat="misc",
                 feat=feat, doc=f"Builds a vector of {n} {_DESC[s]} from scalars given highest lane first: "
                 f"dst[i] = e<i> (the last argument e0 is lane 0).")
            has_setr = (w == 512 and s in ("ps", "pd", "epi32", "epi64")) or w == 256 or (w == 128 and s != "epi64")
            if has_setr:
                _def(f"{p}_setr_{sfx}", vt, [_P(f"e{i}", _SCAL[s]) for i in range(n)], body, cat="misc", feat=feat,
                     doc=f"Builds a vector of {n} {_DESC[s]} from scalars in memory (reverse) order: "
                     f"dst[i] = e<i> (the first argument e0 is lane 0).")
    for s in ("ps", "pd", "epi32", "epi64"):
        vt, t, n = _vec(512, s), _lt(s), _n(512, s)
        _def(f"_mm512_set4_{s}", vt, [_P(x, _SCAL[s]) for x in "dcba"],
             _lanes(vt, t, n, "(i & 3) == 0 ? a : (i & 3) == 1 ? b : (i & 3) == 2 ? c : d"), cat="misc",
             feat=("avx512f",), doc=f"Repeats the 4 {_DESC[s]} (d, c, b, a) across the vector: lanes 4j..4j+3 = a, b, c, d.")
        _def(f"_mm512_setr4_{s}", vt, [_P(x, _SCAL[s]) for x in "abcd"],
             _lanes(vt, t, n, "(i & 3) == 0 ? a : (i & 3) == 1 ? b : (i & 3) == 2 ? c : d"), cat="misc",
             feat=("avx512f",), doc=f"Repeats the 4 {_DESC[s]} (a, b, c, d) across the vector: lanes 4j..4j+3 = a, b, c, d.")
    _def("_mm_set_ss", "__m128", [_P("a", "float")], _lanes("__m128", "float", 4, "i == 0 ? a : 0.0f"),
         cat="misc", feat=("sse",), doc="Returns {a, 0, 0, 0}: lane 0 = a, other lanes zero.")
    _def("_mm_set_sd", "__m128d", [_P("a", "double")], _lanes("__m128d", "double", 2, "i == 0 ? a : 0.0"),
         cat="misc", feat=("sse2",), doc="Returns {a, 0}: lane 0 = a, lane 1 zero.")
    _def("_mm_cvtsi32_si128", "__m128i", [_P("a", "int")], _lanes("__m128i", "int32_t", 4, "i == 0 ? a : 0"),
         cat="convert", feat=("sse2",), instr="MOVD", doc="Moves the 32-bit integer a into lane 0; lanes 1..3 are zero.")
    _def("_mm_cvtsi64_si128", "__m128i", [_P("a", "long long")], _lanes("__m128i", "int64_t", 2, "i == 0 ? a : 0"),
         cat="convert", feat=("sse2",), instr="MOVQ", doc="Moves the 64-bit integer a into lane 0; lane 1 is zero.")
    for s, sfx in (("ps", "m128"), ("pd", "m128d"), ("epi64", "m128i")):
        vt, ht, t = _vec(256, s), _vec(128, s), _lt(s)
        h = _n(128, s)
        _def(f"_mm256_set_{sfx}", vt, [_P("hi", ht), _P("lo", ht)],
             _lanes(vt, t, 2 * h, f"i < {h} ? {_L('lo', t)}[i] : {_L('hi', t)}[i - {h}]"), cat="misc", feat=("avx",),
             instr="VINSERTF128", doc="Concatenates two 128-bit vectors: low half = lo, high half = hi.")
        _def(f"_mm256_setr_{sfx}", vt, [_P("lo", ht), _P("hi", ht)],
             _lanes(vt, t, 2 * h, f"i < {h} ? {_L('lo', t)}[i] : {_L('hi', t)}[i - {h}]"), cat="misc", feat=("avx",),
             instr="VINSERTF128", doc="Concatenates two 128-bit vectors: low half = lo (first argument), high half = hi.")


def _fam_broadcast() -> None:
    # register sources
    rows = [  # (width, name, dst suffix, src type, period (lanes repeated), feat)
        (512, "broadcastss_ps", "ps", "__m128", 1, ("avx512f",)), (512, "broadcastsd_pd", "pd", "__m128d", 1, ("avx512f",)),
        (512, "broadcastd_epi32", "epi32", "__m128i", 1, ("avx512f",)),
        (512, "broadcastq_epi64", "epi64", "__m128i", 1, ("avx512f",)),
        (512, "broadcastb_epi8", "epi8", "__m128i", 1, ("avx512bw",)),
        (512, "broadcastw_epi16", "epi16", "__m128i", 1, ("avx512bw",)),
        (512, "broadcast_f32x4", "ps", "__m128", 4, ("avx512f",)), (512, "broadcast_i32x4", "epi32", "__m128i", 4, ("avx512f",)),
        (512, "broadcast_f64x4", "pd", "__m256d", 4, ("avx512f",)), (512, "broadcast_i64x4", "epi64", "__m256i", 4, ("avx512f",)),
        (512, "broadcast_f32x8", "ps", "__m256", 8, ("avx512dq",)), (512, "broadcast_i32x8", "epi32", "__m256i", 8, ("avx512dq",)),
        (512, "broadcast_f64x2", "pd", "__m128d", 2, ("avx512dq",)), (512, "broadcast_i64x2", "epi64", "__m128i", 2, ("avx512dq",)),
        (256, "broadcastss_ps", "ps", "__m128", 1, ("avx2",)), (256, "broadcastsd_pd", "pd", "__m128d", 1, ("avx2",)),
        (256, "broadcastb_epi8", "epi8", "__m128i", 1, ("avx2",)), (256, "broadcastw_epi16", "epi16", "__m128i", 1, ("avx2",)),
        (256, "broadcastd_epi32", "epi32", "__m128i", 1, ("avx2",)), (256, "broadcastq_epi64", "epi64", "__m128i", 1, ("avx2",)),
        (256, "broadcastsi128_si256", "epi64", "__m128i", 2, ("avx2",)),
        (256, "broadcast_f32x4", "ps", "__m128", 4, ("avx512f", "avx512vl")),
        (256, "broadcast_i32x4", "epi32", "__m128i", 4, ("avx512f", "avx512vl")),
        (128, "broadcastss_ps", "ps", "__m128", 1, ("avx2",)),
        (128, "broadcastb_epi8", "epi8", "__m128i", 1, ("avx2",)), (128, "broadcastw_epi16", "epi16", "__m128i", 1, ("avx2",)),
        (128, "broadcastd_epi32", "epi32", "__m128i", 1, ("avx2",)), (128, "broadcastq_epi64", "epi64", "__m128i", 1, ("avx2",)),
    ]
    for w, nm, s, st, per, feat in rows:
        vt, t, n = _vec(w, s), _lt(s), _n(w, s)
        expr = f"{_L('a', t)}[0]" if per == 1 else f"{_L('a', t)}[i % {per}]"
        what = "lane 0 of a" if per == 1 else f"the {per} lanes of a (a {st})"
        _def(f"{_PRE[w]}_{nm}", vt, [_P("a", st)], _lanes(vt, t, n, expr), cat="misc", feat=feat,
             instr="VBROADCAST/VPBROADCAST",
             doc=f"Broadcasts {what} to all {n} lanes ({_DESC[s]}): dst[i] = a[{'0' if per == 1 else f'i % {per}'}].")
        if w == 512 and per == 1 and s in ("ps", "pd", "epi32", "epi64"):
            for mode in ("mask", "maskz"):
                _def(_mname(w, mode, nm), vt, _mparams(mode, vt, _mask(n), [_P("a", st)]),
                     _lanes(vt, t, n, expr, mode), cat="misc", feat=feat, instr="VBROADCAST/VPBROADCAST",
                     doc=f"Broadcasts lane 0 of a to the {n} lanes ({_DESC[s]}) selected by k.{_MDOC[mode]}")
    # memory sources
    rows2 = [  # (name, ret, ptr type, lanes, period, lane type, feat, alias)
        ("_mm256_broadcast_ss", "__m256", "float const *", 8, 1, "float", ("avx",), None),
        ("_mm256_broadcast_sd", "__m256d", "double const *", 4, 1, "double", ("avx",), None),
        ("_mm256_broadcast_ps", "__m256", "__m128 const *", 8, 4, "float", ("avx",), None),
        ("_mm256_broadcast_pd", "__m256d", "__m128d const *", 4, 2, "double", ("avx",), None),
        ("_mm_broadcast_ss", "__m128", "float const *", 4, 1, "float", ("avx",), None),
        ("_mm_load1_ps", "__m128", "float const *", 4, 1, "float", ("sse",), None),
        ("_mm_load_ps1", "__m128", "float const *", 4, 1, "float", ("sse",), "_mm_load1_ps"),
        ("_mm_load1_pd", "__m128d", "double const *", 2, 1, "double", ("sse2",), None),
        ("_mm_load_pd1", "__m128d", "double const *", 2, 1, "double", ("sse2",), "_mm_load1_pd"),
        ("_mm_loaddup_pd", "__m128d", "double const *", 2, 1, "double", ("sse3",), None),
    ]
    for nm, rt, pt, n, per, t, feat, alias in rows2:
        expr = f"((const {t} *)mem_addr)[{'0' if per == 1 else f'i % {per}'}]"
        _def(nm, rt, [_P("mem_addr", pt, doc="source address")], _lanes(rt, t, n, expr), cat="load", feat=feat,
             alias_of=alias, alignment="no alignment required" if per == 1 else "no alignment required",
             doc=f"Loads {per} {t}{'s' if per > 1 else ''} from mem_addr and repeats {'it' if per == 1 else 'them'} "
             f"across all {n} lanes: dst[i] = mem_addr[{'0' if per == 1 else f'i % {per}'}].")


def _fam_loadstore() -> None:
    for w in (512, 256, 128):
        p, nb = _PRE[w], w // 8
        al = f"mem_addr must be {nb}-byte aligned (a misaligned address faults)"
        ual = "no alignment required"
        # typed AVX-512 style (void pointers)
        if w == 512:
            typed = [("ps", True), ("pd", True), ("epi32", True), ("epi64", True), ("epi8", False), ("epi16", False)]
        else:
            typed = [("epi32", True), ("epi64", True), ("epi8", False), ("epi16", False)]
        for s, has_aligned in typed:
            vt, t, n = _vec(w, s), _lt(s), _n(w, s)
            mt = _mask(n)
            feat = _avx512(w, s)
            for ali in ((True, False) if has_aligned else (False,)):
                u = "" if ali else "u"
                _def(f"{p}_load{u}_{s}", vt, [_P("mem_addr", "void const *", doc="source address")],
                     _lanes(vt, t, n, f"((const {t} *)mem_addr)[i]"), cat="load", feat=feat,
                     instr="VMOVDQ" if "ep" in s else "VMOVUP", alignment=al if ali else ual,
                     doc=f"Loads {n} {_DESC[s]} ({nb} bytes) from mem_addr: dst[i] = mem_addr[i].")
                _def(f"{p}_store{u}_{s}", "void", [_P("mem_addr", "void *", role="out", doc="destination address"), _P("a", vt)],
                     f"for (int i = 0; i < {n}; ++i) (({t} *)mem_addr)[i] = {_L('a', t)}[i];", cat="store", feat=feat,
                     alignment=al if ali else ual,
                     doc=f"Stores the {n} {_DESC[s]} of a ({nb} bytes) to mem_addr: mem_addr[i] = a[i].")
                for mode in ("mask", "maskz"):
                    expr = f"((const {t} *)mem_addr)[i]"
                    _def(_mname(w, mode, f"load{u}_{s}"), vt,
                         _mparams(mode, vt, mt, [_P("mem_addr", "void const *", doc="source address")]),
                         _lanes(vt, t, n, expr, mode), cat="load", feat=feat, alignment=al if ali else ual,
                         doc=f"Loads the {_DESC[s]} lanes selected by k from mem_addr: dst[i] = mem_addr[i]; "
                         f"lanes with a clear bit are not read (no fault).{_MDOC[mode]}")
                _def(_mname(w, "mask", f"store{u}_{s}"), "void",
                     [_P("mem_addr", "void *", role="out", doc="destination address"), _P("k", mt, doc="writemask"), _P("a", vt)],
                     f"for (int i = 0; i < {n}; ++i)\n  if ((k >> i) & 1) (({t} *)mem_addr)[i] = {_L('a', t)}[i];",
                     cat="store", feat=feat, alignment=al if ali else ual,
                     doc=f"Stores the {_DESC[s]} lanes of a selected by k: mem_addr[i] = a[i] where bit i of k is set; "
                     f"other elements of memory are untouched (and not accessed).")
            if w < 512:
                for s2 in ("ps", "pd"):
                    vt2, t2, n2 = _vec(w, s2), _lt(s2), _n(w, s2)
                    mt2 = _mask(n2)
                    if s != "epi32":
                        continue
                    for ali in (True, False):
                        u = "" if ali else "u"
                        for mode in ("mask", "maskz"):
                            _def(_mname(w, mode, f"load{u}_{s2}"), vt2,
                                 _mparams(mode, vt2, mt2, [_P("mem_addr", "void const *", doc="source address")]),
                                 _lanes(vt2, t2, n2, f"((const {t2} *)mem_addr)[i]", mode), cat="load",
                                 feat=_avx512(w, s2), alignment=al if ali else ual,
                                 doc=f"Loads the {_DESC[s2]} lanes selected by k from mem_addr; lanes with a clear bit "
                                 f"are not read.{_MDOC[mode]}")
                        _def(_mname(w, "mask", f"store{u}_{s2}"), "void",
                             [_P("mem_addr", "void *", role="out"), _P("k", mt2, doc="writemask"), _P("a", vt2)],
                             f"for (int i = 0; i < {n2}; ++i)\n  if ((k >> i) & 1) (({t2} *)mem_addr)[i] = {_L('a', t2)}[i];",
                             cat="store", feat=_avx512(w, s2), alignment=al if ali else ual,
                             doc=f"Stores the {_DESC[s2]} lanes of a selected by k to mem_addr; other memory is untouched.")
        # si / ps / pd classic
        if w == 512:
            for ali in (True, False):
                u = "" if ali else "u"
                _def(f"_mm512_load{u}_si512", "__m512i", [_P("mem_addr", "void const *")],
                     "__m512i r;\n" + _bytecopy("r", "mem_addr", 64, src_is_ptr=True) + "\nreturn r;", cat="load",
                     feat=("avx512f",), alignment=al if ali else ual, doc="Loads 512 bits of integer data from mem_addr.")
                _def(f"_mm512_store{u}_si512", "void", [_P("mem_addr", "void *", role="out"), _P("a", "__m512i")],
                     _bytecopy("mem_addr", "a", 64, dst_is_ptr=True), cat="store", feat=("avx512f",),
                     alignment=al if ali else ual, doc="Stores the 512 bits of a to mem_addr.")
        else:
            si = f"si{w}"
            for s, pt in (("ps", "float"), ("pd", "double")):
                vt, t, n = _vec(w, s), _lt(s), _n(w, s)
                feat = _legacy(w, s)
                for ali in (True, False):
                    u = "" if ali else "u"
                    _def(f"{p}_load{u}_{s}", vt, [_P("mem_addr", f"{pt} const *")],
                         _lanes(vt, t, n, "mem_addr[i]"), cat="load", feat=feat, alignment=al if ali else ual,
                         instr=("V" if w == 256 else "") + ("MOVAP" if ali else "MOVUP") + s[1].upper(),
                         doc=f"Loads {n} {_DESC[s]} from mem_addr: dst[i] = mem_addr[i].")
                    _def(f"{p}_store{u}_{s}", "void", [_P("mem_addr", f"{pt} *", role="out"), _P("a", vt)],
                         f"for (int i = 0; i < {n}; ++i) mem_addr[i] = {_L('a', t)}[i];", cat="store", feat=feat,
                         alignment=al if ali else ual, doc=f"Stores the {n} {_DESC[s]} of a to mem_addr: mem_addr[i] = a[i].")
                _def(f"{p}_stream_{s}", "void", [_P("mem_addr", f"{pt} *", role="out"), _P("a", vt)],
                     f"for (int i = 0; i < {n}; ++i) mem_addr[i] = {_L('a', t)}[i];", cat="store", feat=feat,
                     alignment=al, doc=f"Stores a to mem_addr with a non-temporal hint (bypassing the caches).")
            vt = _vec(w, "epi64")
            feat = ("avx",) if w == 256 else ("sse2",)
            _def(f"{p}_load_{si}", vt, [_P("mem_addr", f"{vt} const *")],
                 f"{vt} r;\n" + _bytecopy("r", "mem_addr", nb, src_is_ptr=True) + "\nreturn r;", cat="load", feat=feat,
                 alignment=al, doc=f"Loads {w} bits of integer data from mem_addr.")
            _def(f"{p}_loadu_{si}", vt, [_P("mem_addr", f"{vt}_u const *")],
                 f"{vt} r;\n" + _bytecopy("r", "mem_addr", nb, src_is_ptr=True) + "\nreturn r;", cat="load", feat=feat,
                 alignment=ual, doc=f"Loads {w} bits of integer data from mem_addr (any alignment).")
            _def(f"{p}_lddqu_{si}", vt, [_P("mem_addr", f"{vt} const *")],
                 f"{vt} r;\n" + _bytecopy("r", "mem_addr", nb, src_is_ptr=True) + "\nreturn r;", cat="load",
                 feat=feat if w == 256 else ("sse3",), alignment=ual,
                 doc=f"Loads {w} bits of integer data from mem_addr (any alignment; may be faster across cache lines).")
            _def(f"{p}_store_{si}", "void", [_P("mem_addr", f"{vt} *", role="out"), _P("a", vt)],
                 _bytecopy("mem_addr", "a", nb, dst_is_ptr=True), cat="store", feat=feat, alignment=al,
                 doc=f"Stores the {w} bits of a to mem_addr.")
            _def(f"{p}_storeu_{si}", "void", [_P("mem_addr", f"{vt}_u *", role="out"), _P("a", vt)],
                 _bytecopy("mem_addr", "a", nb, dst_is_ptr=True), cat="store", feat=feat, alignment=ual,
                 doc=f"Stores the {w} bits of a to mem_addr (any alignment).")
            _def(f"{p}_stream_{si}", "void", [_P("mem_addr", f"{vt} *", role="out"), _P("a", vt)],
                 _bytecopy("mem_addr", "a", nb, dst_is_ptr=True), cat="store", feat=feat, alignment=al,
                 doc=f"Stores the {w} bits of a to mem_addr with a non-temporal hint.")
    for s, pt in (("ps", "float"), ("pd", "double")):
        vt, t, n = _vec(512, s), _lt(s), _n(512, s)
        _def(f"_mm512_stream_{s}", "void", [_P("mem_addr", f"{pt} *", role="out"), _P("a", vt)],
             f"for (int i = 0; i < {n}; ++i) mem_addr[i] = {_L('a', t)}[i];", cat="store", feat=("avx512f",),
             alignment="mem_addr must be 64-byte aligned", doc="Stores a to mem_addr with a non-temporal hint.")
    _def("_mm512_stream_si512", "void", [_P("mem_addr", "__m512i *", role="out"), _P("a", "__m512i")],
         _bytecopy("mem_addr", "a", 64, dst_is_ptr=True), cat="store", feat=("avx512f",),
         alignment="mem_addr must be 64-byte aligned", doc="Stores a to mem_addr with a non-temporal hint.")
    _def("_mm512_stream_load_si512", "__m512i", [_P("mem_addr", "void *")],
         "__m512i r;\n" + _bytecopy("r", "mem_addr", 64, src_is_ptr=True) + "\nreturn r;", cat="load",
         feat=("avx512f",), alignment="mem_addr must be 64-byte aligned",
         doc="Loads 512 bits from mem_addr with a non-temporal hint (VMOVNTDQA).")
    _def("_mm256_stream_load_si256", "__m256i", [_P("mem_addr", "__m256i const *")],
         "__m256i r;\n" + _bytecopy("r", "mem_addr", 32, src_is_ptr=True) + "\nreturn r;", cat="load",
         feat=("avx2",), alignment="mem_addr must be 32-byte aligned", doc="Loads 256 bits with a non-temporal hint.")
    _def("_mm_stream_load_si128", "__m128i", [_P("mem_addr", "__m128i *")],
         "__m128i r;\n" + _bytecopy("r", "mem_addr", 16, src_is_ptr=True) + "\nreturn r;", cat="load",
         feat=("sse4.1",), alignment="mem_addr must be 16-byte aligned", doc="Loads 128 bits with a non-temporal hint.")
    _def("_mm_stream_si32", "void", [_P("mem_addr", "int *", role="out"), _P("a", "int")], "*mem_addr = a;",
         cat="store", feat=("sse2",), doc="Stores the 32-bit integer a to mem_addr with a non-temporal hint (MOVNTI).")
    # scalar / partial loads and stores (SSE)
    rows = [
        ("_mm_load_ss", "__m128", [_P("mem_addr", "float const *")], _lanes("__m128", "float", 4, "i == 0 ? mem_addr[0] : 0.0f"),
         ("sse",), "Loads one float into lane 0 and zeroes lanes 1..3."),
        ("_mm_load_sd", "__m128d", [_P("mem_addr", "double const *")], _lanes("__m128d", "double", 2, "i == 0 ? mem_addr[0] : 0.0"),
         ("sse2",), "Loads one double into lane 0 and zeroes lane 1."),
        ("_mm_loadr_ps", "__m128", [_P("mem_addr", "float const *")], _lanes("__m128", "float", 4, "mem_addr[3 - i]"),
         ("sse",), "Loads 4 floats in reverse order: dst[i] = mem_addr[3 - i]; mem_addr must be 16-byte aligned."),
        ("_mm_loadr_pd", "__m128d", [_P("mem_addr", "double const *")], _lanes("__m128d", "double", 2, "mem_addr[1 - i]"),
         ("sse2",), "Loads 2 doubles in reverse order: dst[i] = mem_addr[1 - i]; mem_addr must be 16-byte aligned."),
        ("_mm_loadl_epi64", "__m128i", [_P("mem_addr", "__m128i_u const *")],
         _lanes("__m128i", "int64_t", 2, "i == 0 ? ((const int64_t *)mem_addr)[0] : 0"), ("sse2",),
         "Loads 64 bits into lane 0 (as one 64-bit integer) and zeroes the upper 64 bits."),
        ("_mm_loadu_si64", "__m128i", [_P("mem_addr", "void const *")],
         _lanes("__m128i", "int64_t", 2, "i == 0 ? ((const int64_t *)mem_addr)[0] : 0"), ("sse2",),
         "Loads 64 bits from an unaligned address into the low lane and zeroes the upper 64 bits."),
        ("_mm_loadu_si32", "__m128i", [_P("mem_addr", "void const *")],
         _lanes("__m128i", "int32_t", 4, "i == 0 ? ((const int32_t *)mem_addr)[0] : 0"), ("sse2",),
         "Loads 32 bits from an unaligned address into lane 0 and zeroes the rest."),
        ("_mm_loadu_si16", "__m128i", [_P("mem_addr", "void const *")],
         _lanes("__m128i", "int16_t", 8, "i == 0 ? ((const int16_t *)mem_addr)[0] : 0"), ("sse2",),
         "Loads 16 bits from an unaligned address into the low word and zeroes the rest."),
    ]
    for nm, rt, ps, sem, feat, doc in rows:
        _def(nm, rt, ps, sem, cat="load", feat=feat, doc=doc)
    rows = [
        ("_mm_store_ss", [_P("mem_addr", "float *", role="out"), _P("a", "__m128")], "mem_addr[0] = XP_LANES(a, float)[0];",
         ("sse",), "Stores lane 0 of a to mem_addr (no alignment required)."),
        ("_mm_store_sd", [_P("mem_addr", "double *", role="out"), _P("a", "__m128d")], "mem_addr[0] = XP_LANES(a, double)[0];",
         ("sse2",), "Stores lane 0 of a to mem_addr (no alignment required)."),
        ("_mm_store1_ps", [_P("mem_addr", "float *", role="out"), _P("a", "__m128")],
         "for (int i = 0; i < 4; ++i) mem_addr[i] = XP_LANES(a, float)[0];", ("sse",),
         "Stores lane 0 of a to the 4 floats at mem_addr (16-byte aligned)."),
        ("_mm_store1_pd", [_P("mem_addr", "double *", role="out"), _P("a", "__m128d")],
         "for (int i = 0; i < 2; ++i) mem_addr[i] = XP_LANES(a, double)[0];", ("sse2",),
         "Stores lane 0 of a to the 2 doubles at mem_addr (16-byte aligned)."),
        ("_mm_storer_ps", [_P("mem_addr", "float *", role="out"), _P("a", "__m128")],
         "for (int i = 0; i < 4; ++i) mem_addr[i] = XP_LANES(a, float)[3 - i];", ("sse",),
         "Stores the 4 floats of a in reverse order: mem_addr[i] = a[3 - i] (16-byte aligned)."),
        ("_mm_storel_epi64", [_P("mem_addr", "__m128i_u *", role="out"), _P("a", "__m128i")],
         "((int64_t *)mem_addr)[0] = XP_LANES(a, int64_t)[0];", ("sse2",), "Stores the low 64 bits of a to mem_addr."),
        ("_mm_storeu_si64", [_P("mem_addr", "void *", role="out"), _P("a", "__m128i")],
         "((int64_t *)mem_addr)[0] = XP_LANES(a, int64_t)[0];", ("sse2",), "Stores the low 64 bits of a to an unaligned address."),
        ("_mm_storeu_si32", [_P("mem_addr", "void *", role="out"), _P("a", "__m128i")],
         "((int32_t *)mem_addr)[0] = XP_LANES(a, int32_t)[0];", ("sse2",), "Stores the low 32 bits of a to an unaligned address."),
        ("_mm_storeu_si16", [_P("mem_addr", "void *", role="out"), _P("a", "__m128i")],
         "((int16_t *)mem_addr)[0] = XP_LANES(a, int16_t)[0];", ("sse2",), "Stores the low 16 bits of a to an unaligned address."),
    ]
    for nm, ps, sem, feat, doc in rows:
        _def(nm, "void", ps, sem, cat="store", feat=feat, doc=doc)
    _def("_mm_store_ps1", "void", [_P("mem_addr", "float *", role="out"), _P("a", "__m128")],
         "for (int i = 0; i < 4; ++i) mem_addr[i] = XP_LANES(a, float)[0];", cat="store", feat=("sse",),
         alias_of="_mm_store1_ps", doc="Stores lane 0 of a to the 4 floats at mem_addr (same as _mm_store1_ps).")
    # two 128-bit halves
    _def("_mm256_loadu2_m128", "__m256", [_P("hiaddr", "float const *"), _P("loaddr", "float const *")],
         _lanes("__m256", "float", 8, "i < 4 ? loaddr[i] : hiaddr[i - 4]"), cat="load", feat=("avx",),
         doc="Loads two unaligned 128-bit halves: low 4 floats from loaddr, high 4 from hiaddr.")
    _def("_mm256_loadu2_m128d", "__m256d", [_P("hiaddr", "double const *"), _P("loaddr", "double const *")],
         _lanes("__m256d", "double", 4, "i < 2 ? loaddr[i] : hiaddr[i - 2]"), cat="load", feat=("avx",),
         doc="Loads two unaligned 128-bit halves: low 2 doubles from loaddr, high 2 from hiaddr.")
    _def("_mm256_loadu2_m128i", "__m256i", [_P("hiaddr", "__m128i_u const *"), _P("loaddr", "__m128i_u const *")],
         "__m256i r;\nfor (int i = 0; i < 16; ++i) {\n  ((char *)&r)[i] = ((const char *)loaddr)[i];\n"
         "  ((char *)&r)[16 + i] = ((const char *)hiaddr)[i];\n}\nreturn r;", cat="load", feat=("avx",),
         doc="Loads two unaligned 128-bit halves: low from loaddr, high from hiaddr.")
    _def("_mm256_storeu2_m128", "void", [_P("hiaddr", "float *", role="out"), _P("loaddr", "float *", role="out"), _P("a", "__m256")],
         "for (int i = 0; i < 4; ++i) {\n  loaddr[i] = XP_LANES(a, float)[i];\n  hiaddr[i] = XP_LANES(a, float)[4 + i];\n}",
         cat="store", feat=("avx",), doc="Stores the low 4 floats of a to loaddr and the high 4 to hiaddr (unaligned).")
    _def("_mm256_storeu2_m128d", "void", [_P("hiaddr", "double *", role="out"), _P("loaddr", "double *", role="out"), _P("a", "__m256d")],
         "for (int i = 0; i < 2; ++i) {\n  loaddr[i] = XP_LANES(a, double)[i];\n  hiaddr[i] = XP_LANES(a, double)[2 + i];\n}",
         cat="store", feat=("avx",), doc="Stores the low 2 doubles of a to loaddr and the high 2 to hiaddr (unaligned).")
    _def("_mm256_storeu2_m128i", "void", [_P("hiaddr", "__m128i_u *", role="out"), _P("loaddr", "__m128i_u *", role="out"), _P("a", "__m256i")],
         "for (int i = 0; i < 16; ++i) {\n  ((char *)loaddr)[i] = ((const char *)&a)[i];\n"
         "  ((char *)hiaddr)[i] = ((const char *)&a)[16 + i];\n}", cat="store", feat=("avx",),
         doc="Stores the low 128 bits of a to loaddr and the high 128 bits to hiaddr (unaligned).")
    # AVX / AVX2 sign-bit masked loads and stores
    rows = [  # (w, suffix, ptr elem type, lane type, mask lane signed type, feat)
        (256, "ps", "float", "float", "int32_t", ("avx",)), (256, "pd", "double", "double", "int64_t", ("avx",)),
        (128, "ps", "float", "float", "int32_t", ("avx",)), (128, "pd", "double", "double", "int64_t", ("avx",)),
        (256, "epi32", "int", "int32_t", "int32_t", ("avx2",)), (256, "epi64", "long long", "int64_t", "int64_t", ("avx2",)),
        (128, "epi32", "int", "int32_t", "int32_t", ("avx2",)), (128, "epi64", "long long", "int64_t", "int64_t", ("avx2",)),
    ]
    for w, s, pt, t, mt, feat in rows:
        vt, n = _vec(w, s), _n(w, s)
        it = _vec(w, "epi32")
        _def(f"{_PRE[w]}_maskload_{s}", vt, [_P("mem_addr", f"{pt} const *"), _P("mask", it, doc="lane i is loaded iff its sign bit is set")],
             _lanes(vt, t, n, f"{_L('mask', mt)}[i] < 0 ? mem_addr[i] : 0"), cat="load", feat=feat,
             instr="VMASKMOV" if "p" == s[0] else "VPMASKMOV",
             doc=f"Loads the {_DESC[s]} lanes whose mask lane has its sign bit set: dst[i] = mask[i] < 0 ? mem_addr[i] : 0; "
             "masked-off elements are not read (no fault). No alignment required.")
        _def(f"{_PRE[w]}_maskstore_{s}", "void",
             [_P("mem_addr", f"{pt} *", role="out"), _P("mask", it, doc="lane i is stored iff its sign bit is set"), _P("a", vt)],
             f"for (int i = 0; i < {n}; ++i)\n  if ({_L('mask', mt)}[i] < 0) mem_addr[i] = {_L('a', t)}[i];",
             cat="store", feat=feat, instr="VMASKMOV" if "p" == s[0] else "VPMASKMOV",
             doc=f"Stores the {_DESC[s]} lanes of a whose mask lane has its sign bit set; other memory is untouched.")


def _fam_gather() -> None:
    def gsem(rt, t, n, idx_t, mode, base, active=None, src="src"):
        addr = f"*(const {t} *)((const char *){base} + (int64_t){_L('vindex', idx_t)}[i] * scale)"
        lines = [f"{rt} r;", f"for (int i = 0; i < {n}; ++i)"]
        if active is None:
            lines.append(f"  {_L('r', t)}[i] = {addr};")
        else:
            lines.append(f"  {_L('r', t)}[i] = {active} ? {addr} : {_L(src, t)}[i];")
        lines.append("return r;")
        return "\n".join(lines)
    # AVX-512 (and VL) gathers: (vindex, base_addr, scale)
    rows = [  # (w_result, result suffix, index lane type, index vector type, prefix, feat)
        (512, "ps", "i32", "__m512i", "_mm512", ("avx512f",)), (512, "epi32", "i32", "__m512i", "_mm512", ("avx512f",)),
        (512, "pd", "i32", "__m256i", "_mm512", ("avx512f",)), (512, "epi64", "i32", "__m256i", "_mm512", ("avx512f",)),
        (256, "ps", "i64", "__m512i", "_mm512", ("avx512f",)), (256, "epi32", "i64", "__m512i", "_mm512", ("avx512f",)),
        (512, "pd", "i64", "__m512i", "_mm512", ("avx512f",)), (512, "epi64", "i64", "__m512i", "_mm512", ("avx512f",)),
        (256, "ps", "i32", "__m256i", "_mm256", ("avx512f", "avx512vl")), (256, "epi32", "i32", "__m256i", "_mm256", ("avx512f", "avx512vl")),
        (128, "ps", "i32", "__m128i", "_mm", ("avx512f", "avx512vl")), (128, "epi32", "i32", "__m128i", "_mm", ("avx512f", "avx512vl")),
    ]
    for w, s, ix, it, pre, feat in rows:
        rt, t = _vec(w, s), _lt(s)
        n = _n(w, s)
        idx_t = "int32_t" if ix == "i32" else "int64_t"
        mt = _mask(n)
        doc_core = (f"dst[i] = *({t} *)((char *)base_addr + vindex[i] * scale) for i in [0, {n}), vindex holding "
                    f"signed {ix[1:]}-bit byte offsets (before scaling); scale is 1, 2, 4 or 8.")
        common = [_P("vindex", it, doc="signed element offsets"), _P("base_addr", "void const *", doc="base address"),
                  _P("scale", "int", role="config", unit="bytes", doc="1, 2, 4 or 8 (compile-time constant)")]
        if pre != "_mm512" and w < 512:
            pass
        else:
            _def(f"{pre}_{ix}gather_{s}", rt, common, gsem(rt, t, n, idx_t, None, "base_addr"), cat="load", feat=feat,
                 instr="VGATHER/VPGATHER", doc=f"Gathers {n} {_DESC[s]} from memory: {doc_core}")
        if pre == "_mm512":
            _def(f"{pre}_mask_{ix}gather_{s}", rt, [_P("src", rt), _P("k", mt, doc="writemask")] + common,
                 gsem(rt, t, n, idx_t, "mask", "base_addr", "((k >> i) & 1)"), cat="load", feat=feat,
                 instr="VGATHER/VPGATHER", doc=f"Gathers the {_DESC[s]} lanes selected by k: {doc_core} "
                 "Lanes with a clear bit keep src and are not read.")
        else:
            _def(f"{pre}_mmask_{ix}gather_{s}", rt, [_P("src", rt), _P("k", mt, doc="writemask")] + common,
                 gsem(rt, t, n, idx_t, "mask", "base_addr", "((k >> i) & 1)"), cat="load", feat=feat,
                 instr="VGATHER/VPGATHER", doc=f"Gathers the {_DESC[s]} lanes selected by k: {doc_core} "
                 "Lanes with a clear bit keep src and are not read.")
        # scatters
        if pre == "_mm512" or True:
            ssem = (f"for (int i = 0; i < {n}; ++i)\n  {{cond}}*({t} *)((char *)base_addr + "
                    f"(int64_t){_L('vindex', idx_t)}[i] * scale) = {_L('a', t)}[i];")
            sdoc = (f"Scatters the {n} {_DESC[s]} of a to memory: *({t} *)((char *)base_addr + vindex[i] * scale) = a[i]; "
                    "lanes are written in increasing order, so when indices collide the highest lane wins.")
            sct = "int" if pre == "_mm512" else "const int"
            _def(f"{pre}_{ix}scatter_{s}", "void",
                 [_P("base_addr", "void *", role="out"), _P("vindex", it), _P("a", rt),
                  _P("scale", sct, role="config", unit="bytes", doc="1, 2, 4 or 8 (compile-time constant)")],
                 ssem.replace("{cond}", ""), cat="store", feat=feat, instr="VSCATTER/VPSCATTER", doc=sdoc)
            _def(f"{pre}_mask_{ix}scatter_{s}", "void",
                 [_P("base_addr", "void *", role="out"), _P("k", mt, doc="writemask"), _P("vindex", it), _P("a", rt),
                  _P("scale", sct, role="config", unit="bytes", doc="1, 2, 4 or 8 (compile-time constant)")],
                 ssem.replace("{cond}", "if ((k >> i) & 1) "), cat="store", feat=feat, instr="VSCATTER/VPSCATTER",
                 doc=sdoc + " Only lanes whose bit in k is set are written.")
    # AVX2 gathers: (base_addr, vindex, scale), mask = sign bits of a vector
    rows = [  # (w_result, s, index kind, index vec, ptr type, feat)
        (256, "ps", "i32", "__m256i", "float const *"), (128, "ps", "i32", "__m128i", "float const *"),
        (256, "epi32", "i32", "__m256i", "int const *"), (128, "epi32", "i32", "__m128i", "int const *"),
        (256, "pd", "i32", "__m128i", "double const *"), (128, "pd", "i32", "__m128i", "double const *"),
        (256, "epi64", "i32", "__m128i", "long long const *"), (128, "epi64", "i32", "__m128i", "long long const *"),
        (256, "pd", "i64", "__m256i", "double const *"), (128, "pd", "i64", "__m128i", "double const *"),
        (256, "epi64", "i64", "__m256i", "long long const *"), (128, "epi64", "i64", "__m128i", "long long const *"),
        (128, "ps", "i64", "__m256i", "float const *"), (128, "epi32", "i64", "__m256i", "int const *"),
    ]
    for w, s, ix, it, pt in rows:
        rt, t = _vec(w, s), _lt(s)
        n = _n(w, s) if not (ix == "i64" and s in ("ps", "epi32")) else 4
        idx_t = "int32_t" if ix == "i32" else "int64_t"
        pre = "_mm256" if (w == 256 or (ix == "i64" and it == "__m256i")) else "_mm"
        st = "int32_t" if s in ("ps", "epi32") else "int64_t"
        common = [_P("base_addr", pt, doc="base address"), _P("vindex", it, doc="signed element offsets"),
                  _P("scale", "const int", role="config", unit="bytes", doc="1, 2, 4 or 8 (compile-time constant)")]
        body = gsem(rt, t, n, idx_t, None, "base_addr")
        if n < _n(w, s):  # _mm256_i64gather_ps / epi32: 4 results in a __m128(i)
            pass
        doc_core = (f"dst[i] = *(base_addr + vindex[i] * scale bytes) for i in [0, {n}), vindex holding signed "
                    f"{ix[1:]}-bit offsets; scale is 1, 2, 4 or 8.")
        _def(f"{pre}_{ix}gather_{s}", rt, common, body, cat="load", feat=("avx2",), instr="VGATHER/VPGATHER",
             doc=f"Gathers {n} {_DESC[s]} from memory: {doc_core}")
        mparams = [_P("src", rt), common[0], common[1], _P("mask", rt, doc="lane i is gathered iff its sign bit is set"), common[2]]
        _def(f"{pre}_mask_{ix}gather_{s}", rt, mparams,
             gsem(rt, t, n, idx_t, "mask", "base_addr", f"({_L('mask', st)}[i] < 0)"), cat="load", feat=("avx2",),
             instr="VGATHER/VPGATHER", doc=f"Gathers the {_DESC[s]} lanes whose mask lane has its sign bit set: "
             f"{doc_core} Other lanes keep src and are not read.")


def _fam_compress() -> None:
    for s in ("ps", "pd", "epi32", "epi64"):
        vt, t, n = _vec(512, s), _lt(s), _n(512, s)
        mt = _mask(n)
        for mode in ("mask", "maskz"):
            fill = f"{_L('src', t)}[m]" if mode == "mask" else "0"
            _def(_mname(512, mode, f"compress_{s}"), vt, _mparams(mode, vt, mt, [_P("a", vt)]),
                 f"{vt} r;\nint m = 0;\nfor (int i = 0; i < {n}; ++i)\n  if ((k >> i) & 1) {_L('r', t)}[m++] = {_L('a', t)}[i];\n"
                 f"for (; m < {n}; ++m) {_L('r', t)}[m] = {fill};\nreturn r;", cat="layout", feat=("avx512f",),
                 instr="VCOMPRESS/VPCOMPRESS",
                 doc=f"Packs the {_DESC[s]} lanes of a selected by k contiguously into the low lanes of dst (in lane order); "
                 f"the remaining high lanes are {'taken from src' if mode == 'mask' else 'zero'}.")
            fill2 = f"{_L('src', t)}[i]" if mode == "mask" else "0"
            _def(_mname(512, mode, f"expand_{s}"), vt, _mparams(mode, vt, mt, [_P("a", vt)]),
                 f"{vt} r;\nint m = 0;\nfor (int i = 0; i < {n}; ++i)\n  {_L('r', t)}[i] = ((k >> i) & 1) ? {_L('a', t)}[m++] : {fill2};\n"
                 "return r;", cat="layout", feat=("avx512f",), instr="VEXPAND/VPEXPAND",
                 doc=f"Distributes consecutive low lanes of a to the lanes selected by k (in order); unselected lanes "
                 f"{'keep src' if mode == 'mask' else 'are zero'}.")
            _def(_mname(512, mode, f"expandloadu_{s}"), vt, _mparams(mode, vt, mt, [_P("mem_addr", "void const *")]),
                 f"{vt} r;\nint m = 0;\nfor (int i = 0; i < {n}; ++i)\n  {_L('r', t)}[i] = ((k >> i) & 1) ? ((const {t} *)mem_addr)[m++] : {fill2};\n"
                 "return r;", cat="load", feat=("avx512f",), instr="VEXPAND/VPEXPAND", alignment="no alignment required",
                 doc=f"Loads popcount(k) consecutive {_DESC[s]} from mem_addr into the lanes selected by k (in order); "
                 f"unselected lanes {'keep src' if mode == 'mask' else 'are zero'}; only popcount(k) elements are read.")
        _def(f"_mm512_mask_compressstoreu_{s}", "void",
             [_P("base_addr", "void *", role="out"), _P("k", mt, doc="selects the lanes stored"), _P("a", vt)],
             f"int m = 0;\nfor (int i = 0; i < {n}; ++i)\n  if ((k >> i) & 1) (({t} *)base_addr)[m++] = {_L('a', t)}[i];",
             cat="store", feat=("avx512f",), instr="VCOMPRESS/VPCOMPRESS", alignment="no alignment required",
             doc=f"Stores the {_DESC[s]} lanes of a selected by k contiguously at base_addr (in lane order); "
             "exactly popcount(k) elements are written.")


def _x(v: str, t: str, idx: str = "i") -> str:
    return f"{_L(v, t)}[{idx}]"


_FBIN = {  # op -> (C expr of x, y; mnemonic stem; formula)
    "add": (lambda x, y: f"{x} + {y}", "ADD", "dst[i] = a[i] + b[i]"),
    "sub": (lambda x, y: f"{x} - {y}", "SUB", "dst[i] = a[i] - b[i]"),
    "mul": (lambda x, y: f"{x} * {y}", "MUL", "dst[i] = a[i] * b[i]"),
    "div": (lambda x, y: f"{x} / {y}", "DIV", "dst[i] = a[i] / b[i]"),
    "min": (lambda x, y: f"{x} < {y} ? {x} : {y}", "MIN",
            "dst[i] = a[i] < b[i] ? a[i] : b[i] (x86 rule: when either is NaN, or both are zeros of any sign, b[i] is returned)"),
    "max": (lambda x, y: f"{x} > {y} ? {x} : {y}", "MAX",
            "dst[i] = a[i] > b[i] ? a[i] : b[i] (x86 rule: when either is NaN, or both are zeros of any sign, b[i] is returned)"),
}


def _fam_farith() -> None:
    for op, (fx, stem, formula) in _FBIN.items():
        for s in ("ps", "pd"):
            for w in (512, 256, 128):
                vt, t, n = _vec(w, s), _lt(s), _n(w, s)
                instr = ("V" if w > 128 else "") + stem + "P" + s[1].upper()
                for mode in (None, "mask", "maskz"):
                    feat = _legacy(w, s) if mode is None else _avx512(w, s)
                    _def(_mname(w, mode, f"{op}_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", vt)]),
                         _lanes(vt, t, n, fx(_x("a", t), _x("b", t)), mode), cat="arith", feat=feat, instr=instr,
                         doc=f"{op.capitalize()} of packed {_DESC[s]}: {formula}, i in [0, {n}), IEEE round-to-nearest-even."
                         f"{_MDOC[mode]}")
            # scalar (lane 0) SSE forms
            vt, t = _vec(128, s), _lt(s)
            sn = "ss" if s == "ps" else "sd"
            _def(f"_mm_{op}_{sn}", vt, [_P("a", vt), _P("b", vt)],
                 f"{vt} r = a;\n{_x('r', t, '0')} = {fx(_x('a', t, '0'), _x('b', t, '0'))};\nreturn r;", cat="arith",
                 feat=_legacy(128, s), instr=stem + sn.upper(),
                 doc=f"{op.capitalize()} of the lowest lanes: dst[0] = {formula.split('= ', 1)[1].replace('[i]', '[0]')}; "
                 "the upper lanes are copied from a.")
    # sqrt
    for s in ("ps", "pd"):
        fn = "sqrtf" if s == "ps" else "sqrt"
        for w in (512, 256, 128):
            vt, t, n = _vec(w, s), _lt(s), _n(w, s)
            for mode in (None, "mask", "maskz"):
                _def(_mname(w, mode, f"sqrt_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt)]),
                     _lanes(vt, t, n, f"{fn}({_x('a', t)})", mode), cat="math",
                     feat=_legacy(w, s) if mode is None else _avx512(w, s), instr=("V" if w > 128 else "") + "SQRTP" + s[1].upper(),
                     doc=f"Square root of packed {_DESC[s]}, correctly rounded: dst[i] = sqrt(a[i]) (NaN for a[i] < 0, "
                     f"-0 for -0).{_MDOC[mode]}")
    _def("_mm_sqrt_ss", "__m128", [_P("a", "__m128")],
         "__m128 r = a;\nXP_LANES(r, float)[0] = sqrtf(XP_LANES(a, float)[0]);\nreturn r;", cat="math", feat=("sse",),
         instr="SQRTSS", doc="dst[0] = sqrt(a[0]); lanes 1..3 copied from a.")
    _def("_mm_sqrt_sd", "__m128d", [_P("a", "__m128d"), _P("b", "__m128d")],
         "__m128d r = a;\nXP_LANES(r, double)[0] = sqrt(XP_LANES(b, double)[0]);\nreturn r;", cat="math", feat=("sse2",),
         instr="SQRTSD", doc="dst[0] = sqrt(b[0]); dst[1] = a[1].")
    # approximations
    approx_note = ("Hardware returns an approximation (relative error < 2^-14 for the *14 forms, <= 1.5*2^-12 for "
                   "RCPPS/RSQRTPS) whose exact bits differ between CPU generations; the emulation returns the "
                   "correctly rounded value.")
    for s in ("ps", "pd"):
        one, sq = ("1.0f", "sqrtf") if s == "ps" else ("1.0", "sqrt")
        for w in (512, 256, 128):
            vt, t, n = _vec(w, s), _lt(s), _n(w, s)
            for mode in (None, "mask", "maskz"):
                _def(_mname(w, mode, f"rcp14_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt)]),
                     _lanes(vt, t, n, f"{one} / {_x('a', t)}", mode), cat="math", feat=_avx512(w, s),
                     instr="VRCP14P" + s[1].upper(), note=approx_note,
                     doc=f"Approximate reciprocal of packed {_DESC[s]}: dst[i] ~= 1 / a[i], relative error < 2^-14 "
                     f"(1/±0 = ±inf, 1/±inf = ±0).{_MDOC[mode]}")
                _def(_mname(w, mode, f"rsqrt14_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt)]),
                     _lanes(vt, t, n, f"{one} / {sq}({_x('a', t)})", mode), cat="math", feat=_avx512(w, s),
                     instr="VRSQRT14P" + s[1].upper(), note=approx_note,
                     doc=f"Approximate reciprocal square root of packed {_DESC[s]}: dst[i] ~= 1 / sqrt(a[i]), relative "
                     f"error < 2^-14 (±0 -> ±inf, negative -> NaN).{_MDOC[mode]}")
    # legacy RCPPS / RSQRTPS: denormal inputs act as zeros of the same sign; RCP flushes tiny results to signed zero
    daz = "float x = XP_LANES(a, float)[{i}];\nif (fabsf(x) < 1.17549435e-38f) x = copysignf(0.0f, x);"
    rcp_e = "fabsf(1.0f / x) < 1.17549435e-38f ? copysignf(0.0f, x) : 1.0f / x"
    rsq_e = "1.0f / sqrtf(x)"
    legacy_note = approx_note + (" As the SDM states for RCPPS/RSQRTPS, a denormal input is treated as a zero of the same "
                                 "sign, and RCPPS flushes tiny (denormal) results to a zero of the operand's sign.")
    for w in (256, 128):
        vt, n = _vec(w, "ps"), _n(w, "ps")
        f = ("avx",) if w == 256 else ("sse",)
        _def(f"{_PRE[w]}_rcp_ps", vt, [_P("a", vt)], _lanes(vt, "float", n, rcp_e, pre=daz.format(i="i")), cat="math",
             feat=f, instr=("V" if w > 128 else "") + "RCPPS", note=legacy_note,
             doc="Approximate reciprocal of packed floats: dst[i] ~= 1 / a[i], relative error <= 1.5 * 2^-12; ±0 and "
             "denormals give ±inf, results below FLT_MIN are flushed to ±0.")
        _def(f"{_PRE[w]}_rsqrt_ps", vt, [_P("a", vt)], _lanes(vt, "float", n, rsq_e, pre=daz.format(i="i")),
             cat="math", feat=f, instr=("V" if w > 128 else "") + "RSQRTPS", note=legacy_note,
             doc="Approximate reciprocal square root of packed floats: dst[i] ~= 1 / sqrt(a[i]), relative error <= "
             "1.5 * 2^-12; ±0 and denormals give ±inf, negative values NaN.")
    _def("_mm_rcp_ss", "__m128", [_P("a", "__m128")],
         "__m128 r = a;\n" + daz.format(i="0") + f"\nXP_LANES(r, float)[0] = {rcp_e};\nreturn r;", cat="math", feat=("sse",),
         instr="RCPSS", note=legacy_note, doc="dst[0] ~= 1 / a[0] (relative error <= 1.5 * 2^-12, denormals as zeros, "
         "tiny results flushed); lanes 1..3 copied from a.")
    _def("_mm_rsqrt_ss", "__m128", [_P("a", "__m128")],
         "__m128 r = a;\n" + daz.format(i="0") + f"\nXP_LANES(r, float)[0] = {rsq_e};\nreturn r;", cat="math",
         feat=("sse",), instr="RSQRTSS", note=legacy_note,
         doc="dst[0] ~= 1 / sqrt(a[0]) (relative error <= 1.5 * 2^-12, denormals as zeros); lanes 1..3 copied from a.")
    # abs (AVX-512F, 512 only)
    for s, m in (("ps", "0x7FFFFFFFu"), ("pd", "0x7FFFFFFFFFFFFFFFull")):
        vt, n = _vec(512, s), _n(512, s)
        ut = _UNS[_bits(s)]
        for mode in (None, "mask"):
            _def(_mname(512, mode, f"abs_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("v2" if mode is None else "v2", vt)]),
                 _lanes(vt, ut, n, f"{_x('v2', ut)} & {m}", mode), cat="arith", feat=("avx512f",), instr="VPANDD/VPANDQ",
                 doc=f"Absolute value of packed {_DESC[s]} by clearing the sign bit: dst[i] = |v2[i]| (NaNs keep their "
                 f"payload).{_MDOC[mode]}")
    # rounding
    def rnd(t: str, x: str, rc: str) -> str:
        f = "f" if t == "float" else ""
        return (f"({rc}) == 0 ? nearbyint{f}({x}) : ({rc}) == 1 ? floor{f}({x}) : ({rc}) == 2 ? ceil{f}({x}) : trunc{f}({x})")
    rnd_note = "_MM_FROUND_CUR_DIRECTION (imm bit 2) uses MXCSR.RC, which the emulation takes as round-to-nearest-even."
    for s in ("ps", "pd"):
        t = _lt(s)
        f = "f" if s == "ps" else ""
        big = "8388608.0f" if s == "ps" else "4503599627370496.0"
        for w in (512, 256, 128):
            vt, n = _vec(w, s), _n(w, s)
            pre = (f"{t} x = {_x('a', t)};\nint rc = (imm8 & 4) ? 0 : (imm8 & 3), M = (imm8 >> 4) & 15;\n"
                   f"{t} tt = ldexp{f}(x, M);\n{t} y = {rnd(t, 'tt', 'rc')};")
            expr = f"tt != tt ? x + x : fabs{f}(tt) >= {big} ? x : ldexp{f}(y, -M)"
            for mode in (None, "mask", "maskz"):
                _def(_mname(w, mode, f"roundscale_{s}"), vt,
                     _mparams(mode, vt, _mask(n), [_P("a", vt), _P("imm8", "const int", role="config")]),
                     _lanes(vt, t, n, expr, mode, pre=pre), cat="math", feat=_avx512(w, s), instr="VRNDSCALEP" + s[1].upper(),
                     note=rnd_note,
                     doc=f"Rounds packed {_DESC[s]} to M = imm8[7:4] fraction bits: dst[i] = round(a[i] * 2^M) / 2^M, with "
                     "imm8[1:0] the rounding mode (0 nearest-even, 1 down, 2 up, 3 toward zero) unless imm8[2] selects "
                     f"MXCSR; imm8[3] suppresses the precision exception.{_MDOC[mode]}")
            if w == 512:
                for nm, fn in (("floor", "floor"), ("ceil", "ceil")):
                    for mode in (None, "mask"):
                        _def(_mname(w, mode, f"{nm}_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt)]),
                             _lanes(vt, t, n, f"{fn}{f}({_x('a', t)})", mode), cat="math", feat=("avx512f",),
                             instr="VRNDSCALEP" + s[1].upper(),
                             doc=f"Rounds packed {_DESC[s]} {'down' if nm == 'floor' else 'up'} to integral values: "
                             f"dst[i] = {fn}(a[i]).{_MDOC[mode]}")
            else:
                f1 = ("avx",) if w == 256 else ("sse4.1",)
                ins = ("V" if w == 256 else "") + "ROUNDP" + s[1].upper()
                _def(f"{_PRE[w]}_round_{s}", vt, [_P("a", vt), _P("rounding", "const int", role="config")],
                     _lanes(vt, t, n, rnd(t, _x("a", t), "(rounding & 4) ? 0 : (rounding & 3)")), cat="math",
                     feat=f1, instr=ins, note=rnd_note,
                     doc=f"Rounds packed {_DESC[s]} to integral values with mode rounding[1:0] (_MM_FROUND_TO_NEAREST_INT 0, "
                     "_TO_NEG_INF 1, _TO_POS_INF 2, _TO_ZERO 3) or MXCSR when rounding[2] (_MM_FROUND_CUR_DIRECTION) is set; "
                     "_MM_FROUND_NO_EXC (8) suppresses the precision exception.")
                for nm, fn in (("floor", "floor"), ("ceil", "ceil")):
                    _def(f"{_PRE[w]}_{nm}_{s}", vt, [_P("a", vt)], _lanes(vt, t, n, f"{fn}{f}({_x('a', t)})"), cat="math",
                         feat=f1, instr=ins, doc=f"dst[i] = {fn}(a[i]) for packed {_DESC[s]} "
                         f"(ROUND with _MM_FROUND_{'FLOOR' if nm == 'floor' else 'CEIL'}).")


_FMA = {  # op -> (expr template over x, y, z, lane index i; formula)
    "fmadd": ("{fma}({x}, {y}, {z})", "dst[i] = a[i] * b[i] + c[i]"),
    "fmsub": ("{fma}({x}, {y}, -{z})", "dst[i] = a[i] * b[i] - c[i]"),
    "fnmadd": ("{fma}(-{x}, {y}, {z})", "dst[i] = -(a[i] * b[i]) + c[i]"),
    "fnmsub": ("{fma}(-{x}, {y}, -{z})", "dst[i] = -(a[i] * b[i]) - c[i]"),
    "fmaddsub": ("(i & 1) ? {fma}({x}, {y}, {z}) : {fma}({x}, {y}, -{z})",
                 "dst[i] = a[i] * b[i] - c[i] for even i, a[i] * b[i] + c[i] for odd i"),
    "fmsubadd": ("(i & 1) ? {fma}({x}, {y}, -{z}) : {fma}({x}, {y}, {z})",
                 "dst[i] = a[i] * b[i] + c[i] for even i, a[i] * b[i] - c[i] for odd i"),
}


def _fam_scalef() -> None:
    """VSCALEFPS/PD: a[i] * 2^floor(b[i]) with the SDM's special cases (kernels use it to
    rebuild 2^k in vector exp/sin approximations)."""
    for s in ("ps", "pd"):
        f = s == "ps"
        fl, ld, lim, nan = ("floorf", "ldexpf", "400.0f", "-NAN") if f else ("floor", "ldexp", "2200.0", "-(double)NAN")
        mx, mn = ("fmaxf", "fminf") if f else ("fmax", "fmin")
        for w in (512, 256, 128):
            vt, t, n = _vec(w, s), _lt(s), _n(w, s)
            a, b = _x("a", t), _x("b", t)
            expr = (f"(isnan({a}) ? {a} + {a} : isnan({b}) ? {b} + {b} : "
                    f"(({a} == 0 && isinf({b}) && {b} > 0) || (isinf({a}) && isinf({b}) && {b} < 0)) ? ({t}){nan} : "
                    f"{ld}({a}, (int){mx}({mn}({fl}({b}), {lim}), -{lim})))")
            for mode in (None, "mask", "maskz"):
                _def(_mname(w, mode, f"scalef_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", vt)]),
                     _lanes(vt, t, n, expr, mode), cat="math", feat=_avx512(w, s),
                     instr="VSCALEFP" + s[1].upper(),
                     doc=f"Scale packed {_DESC[s]} by powers of two: dst[i] = a[i] * 2^floor(b[i]), exact (overflow to "
                     f"±inf, underflow to denormals/±0); NaN in either operand propagates, 0 * 2^+inf and inf * 2^-inf give "
                     f"the default NaN.{_MDOC[mode]}")


def _fam_fma() -> None:
    for op, (tmpl, formula) in _FMA.items():
        for s in ("ps", "pd"):
            t = _lt(s)
            fma = "fmaf" if s == "ps" else "fma"
            expr = tmpl.format(fma=fma, x=_x("a", t), y=_x("b", t), z=_x("c", t))
            for w in (512, 256, 128):
                vt, n = _vec(w, s), _n(w, s)
                mt = _mask(n)
                abc = [_P("a", vt), _P("b", vt), _P("c", vt)]
                instr = f"V{op.upper()}132/213/231P{s[1].upper()}"
                base_doc = (f"Fused multiply-add on packed {_DESC[s]}: {formula}, computed with a single rounding "
                            f"(round-to-nearest-even), i in [0, {n}).")
                _def(f"{_PRE[w]}_{op}_{s}", vt, abc, _lanes(vt, t, n, expr), cat="arith",
                     feat=("avx512f",) if w == 512 else ("fma",), instr=instr, doc=base_doc)
                _def(f"{_PRE[w]}_mask_{op}_{s}", vt, [_P("a", vt), _P("k", mt, doc="writemask"), _P("b", vt), _P("c", vt)],
                     _lanes(vt, t, n, expr, "mask", src="a"), cat="arith", feat=_avx512(w, s), instr=instr,
                     doc=base_doc + " Lanes whose bit in k is clear keep a.")
                _def(f"{_PRE[w]}_mask3_{op}_{s}", vt, [_P("a", vt), _P("b", vt), _P("c", vt), _P("k", mt, doc="writemask")],
                     _lanes(vt, t, n, expr, "mask", src="c"), cat="arith", feat=_avx512(w, s), instr=instr,
                     doc=base_doc + " Lanes whose bit in k is clear keep c.")
                _def(f"{_PRE[w]}_maskz_{op}_{s}", vt, [_P("k", mt, doc="zeromask")] + abc,
                     _lanes(vt, t, n, expr, "maskz"), cat="arith", feat=_avx512(w, s), instr=instr,
                     doc=base_doc + _MDOC["maskz"])
            if op in ("fmadd", "fmsub", "fnmadd", "fnmsub"):
                vt = _vec(128, s)
                sn = "ss" if s == "ps" else "sd"
                e0 = tmpl.format(fma=fma, x=_x("a", t, "0"), y=_x("b", t, "0"), z=_x("c", t, "0"))
                _def(f"_mm_{op}_{sn}", vt, [_P("a", vt), _P("b", vt), _P("c", vt)],
                     f"{vt} r = a;\n{_x('r', t, '0')} = {e0};\nreturn r;", cat="arith", feat=("fma",),
                     instr=f"V{op.upper()}132/213/231{sn.upper()}",
                     doc=f"Fused multiply-add on lane 0: {formula.replace('[i]', '[0]')} with one rounding; the upper "
                     "lanes are copied from a.")


def _fam_hadd() -> None:
    rows = [  # (op, suffix, widths->feat, saturate)
        ("hadd", "ps", {256: "avx", 128: "sse3"}, False), ("hsub", "ps", {256: "avx", 128: "sse3"}, False),
        ("hadd", "pd", {256: "avx", 128: "sse3"}, False), ("hsub", "pd", {256: "avx", 128: "sse3"}, False),
        ("hadd", "epi16", {256: "avx2", 128: "ssse3"}, False), ("hsub", "epi16", {256: "avx2", 128: "ssse3"}, False),
        ("hadd", "epi32", {256: "avx2", 128: "ssse3"}, False), ("hsub", "epi32", {256: "avx2", 128: "ssse3"}, False),
        ("hadds", "epi16", {256: "avx2", 128: "ssse3"}, True), ("hsubs", "epi16", {256: "avx2", 128: "ssse3"}, True),
    ]
    for op, s, feats, sat in rows:
        for w, f in feats.items():
            vt, n = _vec(w, s), _n(w, s)
            m = 128 // _bits(s)
            h = m // 2
            sym = "+" if "add" in op else "-"
            if s in ("ps", "pd"):
                t = ct = _lt(s)
            elif sat:
                t = ct = "int16_t"
            else:
                t = ct = _UNS[_bits(s)]
            pre = (f"int blk = i / {m} * {m}, j = i % {m}, jj = blk + (j % {h}) * 2;\n"
                   f"{ct} x = j < {h} ? {_L('a', ct)}[jj] : {_L('b', ct)}[jj];\n"
                   f"{ct} y = j < {h} ? {_L('a', ct)}[jj + 1] : {_L('b', ct)}[jj + 1];")
            if s in ("ps", "pd"):
                expr = f"x {sym} y"
            elif sat:
                pre += f"\nint v = (int)x {sym} (int)y;"
                expr = "(int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v)"
            else:
                expr = f"({t})(x {sym} y)"
            pair = "a[2j] + a[2j+1]" if "add" in op else "a[2j] - a[2j+1]"
            _def(f"{_PRE[w]}_{op}_{s}", vt, [_P("a", vt), _P("b", vt)], _lanes(vt, t, n, expr, pre=pre), cat="arith",
                 feat=(f,), instr=("V" if w == 256 else "") + ("PH" if "ep" in s else "H") + op[1:].upper() + s[-2:].upper(),
                 doc=f"Horizontal {'add' if 'add' in op else 'subtract'} of adjacent pairs of {_DESC[s]}"
                 f"{' with signed saturation' if sat else ''}, per 128-bit block: the low half of each block of dst "
                 f"holds the pair results of a ({pair}), the high half those of b.")


def _sat(expr: str, lo: str, hi: str) -> str:
    return f"{expr} < {lo} ? {lo} : {expr} > {hi} ? {hi} : {expr}"


def _fam_iarith() -> None:
    ints = ("epi8", "epi16", "epi32", "epi64")
    for op, sym in (("add", "+"), ("sub", "-")):
        for s in ints:
            b = _bits(s)
            ut = _UNS[b]
            for w in (512, 256, 128):
                vt, n = _vec(w, s), _n(w, s)
                for mode in (None, "mask", "maskz"):
                    _def(_mname(w, mode, f"{op}_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", vt)]),
                         _lanes(vt, ut, n, f"({ut})({_x('a', ut)} {sym} {_x('b', ut)})", mode), cat="arith",
                         feat=_legacy(w, s) if mode is None else _avx512(w, s),
                         instr=("V" if w > 128 else "") + f"P{op.upper()}{'BWDQ'[[8, 16, 32, 64].index(b)]}",
                         doc=f"{op.capitalize()} packed {b}-bit integers with wrap-around: dst[i] = a[i] {sym} b[i] "
                         f"mod 2^{b}, i in [0, {n}).{_MDOC[mode]}")
    # saturating
    for op, sym in (("adds", "+"), ("subs", "-")):
        for s in ("epi8", "epi16", "epu8", "epu16"):
            b = _bits(s)
            t = _lt(s)
            lo, hi = ("0", "255" if b == 8 else "65535") if s.startswith("epu") else (_SMIN[b], _SMAX[b])
            for w in (512, 256, 128):
                vt, n = _vec(w, s), _n(w, s)
                for mode in (None, "mask", "maskz"):
                    _def(_mname(w, mode, f"{op}_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", vt)]),
                         _lanes(vt, t, n, f"({t})({_sat('v', lo, hi)})", mode,
                                pre=f"int v = (int){_x('a', t)} {sym} (int){_x('b', t)};"),
                         cat="arith", feat=_legacy(w, s) if mode is None else _avx512(w, s),
                         instr=("V" if w > 128 else "") + f"P{op.upper()}{'U' if 'u' in s else ''}{'B' if b == 8 else 'W'}",
                         doc=f"{'Add' if op == 'adds' else 'Subtract'} packed {_DESC[s]} with saturation: "
                         f"dst[i] = clamp(a[i] {sym} b[i], {lo}, {hi}).{_MDOC[mode]}")
    # multiplies
    mul_rows = [  # (name, out suffix, expr, pre, feats(w, mode), formula)
        ("mullo_epi16", "epi16", "(uint16_t)((uint32_t)XP_LANES(a, uint16_t)[i] * XP_LANES(b, uint16_t)[i])", "uint16_t",
         {512: ("avx512bw",), 256: ("avx2",), 128: ("sse2",)}, "dst[i] = low 16 bits of a[i] * b[i]"),
        ("mullo_epi32", "epi32", "XP_LANES(a, uint32_t)[i] * XP_LANES(b, uint32_t)[i]", "uint32_t",
         {512: ("avx512f",), 256: ("avx2",), 128: ("sse4.1",)}, "dst[i] = low 32 bits of a[i] * b[i]"),
        ("mullo_epi64", "epi64", "XP_LANES(a, uint64_t)[i] * XP_LANES(b, uint64_t)[i]", "uint64_t",
         {512: ("avx512dq",), 256: ("avx512dq", "avx512vl"), 128: ("avx512dq", "avx512vl")}, "dst[i] = low 64 bits of a[i] * b[i]"),
        ("mulhi_epi16", "epi16", "(int16_t)(((int32_t)XP_LANES(a, int16_t)[i] * XP_LANES(b, int16_t)[i]) >> 16)", "int16_t",
         {512: ("avx512bw",), 256: ("avx2",), 128: ("sse2",)}, "dst[i] = high 16 bits of the signed product a[i] * b[i]"),
        ("mulhi_epu16", "epu16", "(uint16_t)(((uint32_t)XP_LANES(a, uint16_t)[i] * XP_LANES(b, uint16_t)[i]) >> 16)", "uint16_t",
         {512: ("avx512bw",), 256: ("avx2",), 128: ("sse2",)}, "dst[i] = high 16 bits of the unsigned product a[i] * b[i]"),
        ("mulhrs_epi16", "epi16", "(int16_t)(((((int32_t)XP_LANES(a, int16_t)[i] * XP_LANES(b, int16_t)[i]) >> 14) + 1) >> 1)",
         "int16_t", {512: ("avx512bw",), 256: ("avx2",), 128: ("ssse3",)},
         "dst[i] = (((a[i] * b[i]) >> 14) + 1) >> 1 (rounded high half, Q15 multiply)"),
        ("mul_epi32", "epi64", "(int64_t)XP_LANES(a, int32_t)[2 * i] * XP_LANES(b, int32_t)[2 * i]", "int64_t",
         {512: ("avx512f",), 256: ("avx2",), 128: ("sse4.1",)},
         "dst[i] = (int64)a.i32[2i] * (int64)b.i32[2i] (the even signed 32-bit lanes, full 64-bit product)"),
        ("mul_epu32", "epu64", "(uint64_t)XP_LANES(a, uint32_t)[2 * i] * XP_LANES(b, uint32_t)[2 * i]", "uint64_t",
         {512: ("avx512f",), 256: ("avx2",), 128: ("sse2",)},
         "dst[i] = (uint64)a.u32[2i] * (uint64)b.u32[2i] (the even unsigned 32-bit lanes, full 64-bit product)"),
        ("madd_epi16", "epi32",
         "(uint32_t)((int32_t)XP_LANES(a, int16_t)[2 * i] * XP_LANES(b, int16_t)[2 * i]) + "
         "(uint32_t)((int32_t)XP_LANES(a, int16_t)[2 * i + 1] * XP_LANES(b, int16_t)[2 * i + 1])", "uint32_t",
         {512: ("avx512bw",), 256: ("avx2",), 128: ("sse2",)},
         "dst.i32[i] = a.i16[2i] * b.i16[2i] + a.i16[2i+1] * b.i16[2i+1] (signed products, sum wraps mod 2^32: only "
         "-32768 * -32768 * 2 overflows, to INT32_MIN)"),
        ("maddubs_epi16", "epi16", "(int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v)", "int16_t",
         {512: ("avx512bw",), 256: ("avx2",), 128: ("ssse3",)},
         "dst.i16[i] = saturate16(a.u8[2i] * b.i8[2i] + a.u8[2i+1] * b.i8[2i+1]) (a UNSIGNED bytes, b SIGNED bytes, "
         "signed saturation of the pair sum)"),
    ]
    for nm, so, expr, lt, feats, formula in mul_rows:
        pre = ""
        if nm == "maddubs_epi16":
            pre = ("int v = (int)XP_LANES(a, uint8_t)[2 * i] * XP_LANES(b, int8_t)[2 * i] + "
                   "(int)XP_LANES(a, uint8_t)[2 * i + 1] * XP_LANES(b, int8_t)[2 * i + 1];")
        for w in (512, 256, 128):
            vt, n = _vec(w, so), _n(w, so)
            for mode in (None, "mask", "maskz"):
                if mode and nm == "mul_epu32" and False:
                    continue
                feat = feats[w] if mode is None else (
                    _avx512(w, "epi16") if feats[512] == ("avx512bw",) else
                    (("avx512dq",) if w == 512 else ("avx512dq", "avx512vl")) if feats[512] == ("avx512dq",) else _avx512(w))
                _def(_mname(w, mode, nm), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", vt)]),
                     _lanes(vt, lt, n, expr, mode, pre=pre), cat="arith", feat=feat,
                     instr=("V" if w > 128 else "") + {"mullo_epi16": "PMULLW", "mullo_epi32": "PMULLD", "mullo_epi64": "PMULLQ",
                                                      "mulhi_epi16": "PMULHW", "mulhi_epu16": "PMULHUW",
                                                      "mulhrs_epi16": "PMULHRSW", "mul_epi32": "PMULDQ",
                                                      "mul_epu32": "PMULUDQ", "madd_epi16": "PMADDWD",
                                                      "maddubs_epi16": "PMADDUBSW"}[nm],
                     doc=f"{formula}, i in [0, {n}).{_MDOC[mode]}")
    # abs
    for s in ints:
        b = _bits(s)
        st, ut = _SGN[b], _UNS[b]
        for w in (512, 256, 128):
            vt, n = _vec(w, s), _n(w, s)
            for mode in (None, "mask", "maskz"):
                feat = _avx512(w, s) if (mode or b == 64 or w == 512) else (("avx2",) if w == 256 else ("ssse3",))
                x = _x("a", st)
                _def(_mname(w, mode, f"abs_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt)]),
                     _lanes(vt, ut, n, f"{x} < 0 ? ({ut})(0 - ({ut}){x}) : ({ut}){x}", mode), cat="arith", feat=feat,
                     instr=("V" if w > 128 else "") + f"PABS{'BWDQ'[[8, 16, 32, 64].index(b)]}",
                     doc=f"Absolute value of packed signed {b}-bit integers: dst[i] = |a[i]|, with |INT{b}_MIN| "
                     f"wrapping to itself (0x8{'0' * (b // 4 - 1)}).{_MDOC[mode]}")
    # min / max
    sse41 = {"epi8", "epi32", "epu16", "epu32"}
    for op, cmp in (("min", "<"), ("max", ">")):
        for s in ("epi8", "epi16", "epi32", "epi64", "epu8", "epu16", "epu32", "epu64"):
            t = _lt(s)
            b = _bits(s)
            for w in (512, 256, 128):
                vt, n = _vec(w, s), _n(w, s)
                for mode in (None, "mask", "maskz"):
                    if mode or b == 64 or w == 512:
                        feat = _avx512(w, s)
                    else:
                        feat = ("avx2",) if w == 256 else (("sse4.1",) if s in sse41 else ("sse2",))
                    x, y = _x("a", t), _x("b", t)
                    _def(_mname(w, mode, f"{op}_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", vt)]),
                         _lanes(vt, t, n, f"{x} {cmp} {y} ? {x} : {y}", mode), cat="arith", feat=feat,
                         instr=("V" if w > 128 else "") + f"P{op.upper()}{'U' if 'u' in s else 'S'}{'BWDQ'[[8, 16, 32, 64].index(b)]}",
                         doc=f"{'Minimum' if op == 'min' else 'Maximum'} of packed {_DESC[s]}: dst[i] = "
                         f"{op}(a[i], b[i]).{_MDOC[mode]}")
    # average, sad, sign
    for s in ("epu8", "epu16"):
        t = _lt(s)
        for w in (512, 256, 128):
            vt, n = _vec(w, s), _n(w, s)
            for mode in (None, "mask", "maskz"):
                _def(_mname(w, mode, f"avg_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", vt)]),
                     _lanes(vt, t, n, f"({t})(((uint32_t){_x('a', t)} + {_x('b', t)} + 1) >> 1)", mode), cat="arith",
                     feat=_legacy(w, s) if mode is None else _avx512(w, s),
                     instr=("V" if w > 128 else "") + f"PAVG{'B' if s == 'epu8' else 'W'}",
                     doc=f"Rounded average of packed {_DESC[s]}: dst[i] = (a[i] + b[i] + 1) >> 1.{_MDOC[mode]}")
    for w in (512, 256, 128):
        vt, n = _vec(w, "epi64"), _n(w, "epi64")
        _def(f"{_PRE[w]}_sad_epu8", vt, [_P("a", vt), _P("b", vt)],
             _lanes(vt, "uint64_t", n, "acc",
                    pre="uint64_t acc = 0;\nfor (int j = 0; j < 8; ++j) {\n  int d = (int)XP_LANES(a, uint8_t)[8 * i + j] - "
                        "(int)XP_LANES(b, uint8_t)[8 * i + j];\n  acc += (uint64_t)(d < 0 ? -d : d);\n}"),
             cat="arith", feat=_legacy(w, "epu8"), instr=("V" if w > 128 else "") + "PSADBW",
             doc="Sum of absolute differences of unsigned bytes: dst.u64[i] = sum_{j<8} |a.u8[8i+j] - b.u8[8i+j]| "
             "(each 64-bit lane holds a 16-bit sum, upper bits zero).")
    for s in ("epi8", "epi16", "epi32"):
        b = _bits(s)
        st, ut = _SGN[b], _UNS[b]
        for w in (256, 128):
            vt, n = _vec(w, s), _n(w, s)
            x, y = _x("a", st), _x("b", st)
            _def(f"{_PRE[w]}_sign_{s}", vt, [_P("a", vt), _P("b", vt)],
                 _lanes(vt, ut, n, f"{y} < 0 ? ({ut})(0 - ({ut}){x}) : {y} == 0 ? ({ut})0 : ({ut}){x}"), cat="arith",
                 feat=("avx2",) if w == 256 else ("ssse3",), instr=("V" if w > 128 else "") + f"PSIGN{'BWD'[[8, 16, 32].index(b)]}",
                 doc=f"dst[i] = b[i] < 0 ? -a[i] : b[i] == 0 ? 0 : a[i] for packed signed {b}-bit integers (negation wraps).")


_FCMP = {  # predicate & 15 -> C condition over x, y (bit 4 only changes QNaN signalling)
    0: "{x} == {y}", 1: "{x} < {y}", 2: "{x} <= {y}", 3: "{x} != {x} || {y} != {y}",
    4: "{x} != {y}", 5: "!({x} < {y})", 6: "!({x} <= {y})", 7: "{x} == {x} && {y} == {y}",
    8: "{x} == {y} || {x} != {x} || {y} != {y}", 9: "!({x} >= {y})", 10: "!({x} > {y})", 11: "0",
    12: "{x} < {y} || {x} > {y}", 13: "{x} >= {y}", 14: "{x} > {y}", 15: "1",
}
_ICMP = {0: "{x} == {y}", 1: "{x} < {y}", 2: "{x} <= {y}", 3: "0", 4: "{x} != {y}", 5: "{x} >= {y}",
         6: "{x} > {y}", 7: "1"}
_FCMP_DOC = ("imm8 is one of the 32 _CMP_* predicates: the relation is imm8[3:0] (EQ_OQ 0, LT_OS 1, LE_OS 2, "
             "UNORD_Q 3, NEQ_UQ 4, NLT_US 5, NLE_US 6, ORD_Q 7, EQ_UQ 8, NGE_US 9, NGT_US 10, FALSE_OQ 11, NEQ_OQ 12, "
             "GE_OS 13, GT_OS 14, TRUE_UQ 15); ordered (O) predicates are false and unordered (U) ones true when either "
             "operand is NaN; imm8[4] only flips QNaN signalling.")


def _switch(table_: dict, sel: str, x: str, y: str) -> str:
    cases = " ".join(f"case {k}: c = {v.format(x=x, y=y)}; break;" for k, v in table_.items() if k != max(table_))
    last = table_[max(table_)].format(x=x, y=y)
    return f"int c;\nswitch ({sel}) {{ {cases} default: c = {last}; }}"


def _mask_result(mt: str, n: int, cond: str, pre: str = "", k1: str | None = None) -> str:
    out = [f"{mt} r = 0;", f"for (int i = 0; i < {n}; ++i) {{"]
    if k1:
        out.append(f"  if (!(({k1} >> i) & 1)) continue;")
    if pre:
        out.extend("  " + ln for ln in pre.strip().split("\n"))
    out.append(f"  if ({cond}) r |= ({mt})1 << i;")
    out += ["}", "return r;"]
    return "\n".join(out)


def _fam_cmp() -> None:
    # AVX-512 float compares into masks
    for s in ("ps", "pd"):
        t = _lt(s)
        for w in (512, 256, 128):
            vt, n = _vec(w, s), _n(w, s)
            mt = _mask(n)
            x, y = _x("a", t), _x("b", t)
            for masked in (False, True):
                ps = ([_P("k1", mt, doc="only lanes set in k1 are compared")] if masked else []) + \
                     [_P("a", vt), _P("b", vt), _P("imm8", "const int", role="config", doc="_CMP_* predicate")]
                _def(f"{_PRE[w]}_{'mask_' if masked else ''}cmp_{s}_mask", mt, ps,
                     _mask_result(mt, n, "c", pre=_switch(_FCMP, "imm8 & 15", x, y), k1="k1" if masked else None),
                     cat="mask", feat=_avx512(w, s), instr=f"VCMPP{s[1].upper()}",
                     doc=f"Compares packed {_DESC[s]} with predicate imm8 into a mask: bit i = (a[i] OP b[i])"
                     f"{' && bit i of k1' if masked else ''}. {_FCMP_DOC}")
            if w == 512:
                for nm, pr in (("eq", 0), ("lt", 1), ("le", 2), ("unord", 3), ("neq", 4), ("nlt", 5), ("nle", 6), ("ord", 7)):
                    for masked in (False, True):
                        ps = ([_P("k1", mt)] if masked else []) + [_P("a", vt), _P("b", vt)]
                        _def(f"_mm512_{'mask_' if masked else ''}cmp{nm}_{s}_mask", mt, ps,
                             _mask_result(mt, n, _FCMP[pr].format(x=x, y=y), k1="k1" if masked else None), cat="mask",
                             feat=("avx512f",), instr=f"VCMPP{s[1].upper()}",
                             doc=f"Mask of lanes where a[i] {nm.upper()} b[i] (predicate _CMP_{_CMP_NAMES[pr]}) for packed "
                             f"{_DESC[s]}{', restricted to lanes set in k1' if masked else ''}.")
    # AVX / SSE float compares into vectors (all-ones lanes)
    for s in ("ps", "pd"):
        t = _lt(s)
        ut = _UNS[_bits(s)]
        for w in (256, 128):
            vt, n = _vec(w, s), _n(w, s)
            x, y = _x("a", t), _x("b", t)
            _def(f"{_PRE[w]}_cmp_{s}", vt, [_P("a", vt), _P("b", vt), _P("imm8", "const int", role="config")],
                 _lanes(vt, ut, n, f"c ? ({ut})~({ut})0 : ({ut})0", pre=_switch(_FCMP, "imm8 & 15", x, y)), cat="elementwise",
                 feat=("avx",), instr=f"VCMPP{s[1].upper()}",
                 doc=f"Compares packed {_DESC[s]} with predicate imm8; each lane of dst is all ones when true, zero "
                 f"otherwise. {_FCMP_DOC}")
        vt, n = _vec(128, s), _n(128, s)
        for nm, pr, swap in (("eq", 0, False), ("lt", 1, False), ("le", 2, False), ("gt", 1, True), ("ge", 2, True),
                             ("neq", 4, False), ("nlt", 5, False), ("nle", 6, False), ("ngt", 5, True), ("nge", 6, True),
                             ("ord", 7, False), ("unord", 3, False)):
            x, y = _x("a", t), _x("b", t)
            if swap:
                x, y = y, x
            _def(f"_mm_cmp{nm}_{s}", vt, [_P("a", vt), _P("b", vt)],
                 _lanes(vt, ut, n, f"({_FCMP[pr].format(x=x, y=y)}) ? ({ut})~({ut})0 : ({ut})0"), cat="elementwise",
                 feat=_legacy(128, s), instr=f"CMPP{s[1].upper()}",
                 doc=f"Lane-wise a[i] {nm.upper()} b[i] for packed {_DESC[s]}: all-ones lane when true, zero otherwise "
                 f"({'ordered: false' if pr in (1, 2, 0, 7) else 'unordered: true'} when either is NaN"
                 f"{'' if pr != 3 else ''}).")
    # integer compares into vectors (AVX2 / SSE)
    rows = [("cmpeq", "{x} == {y}", {256: "avx2", 128: "sse2"}, ("epi8", "epi16", "epi32")),
            ("cmpgt", "{x} > {y}", {256: "avx2", 128: "sse2"}, ("epi8", "epi16", "epi32")),
            ("cmplt", "{x} < {y}", {128: "sse2"}, ("epi8", "epi16", "epi32"))]
    for nm, c, feats, sfx in rows:
        for s in sfx + (("epi64",) if nm != "cmplt" else ()):
            b = _bits(s)
            st, ut = _SGN[b], _UNS[b]
            for w, f in feats.items():
                if s == "epi64" and w == 128:
                    f = "sse4.1" if nm == "cmpeq" else "sse4.2"
                vt, n = _vec(w, s), _n(w, s)
                _def(f"{_PRE[w]}_{nm}_{s}", vt, [_P("a", vt), _P("b", vt)],
                     _lanes(vt, ut, n, f"({c.format(x=_x('a', st), y=_x('b', st))}) ? ({ut})~({ut})0 : ({ut})0"),
                     cat="elementwise", feat=(f,), instr=("V" if w > 128 else "") + f"P{nm.upper()[:5]}{'BWDQ'[[8, 16, 32, 64].index(b)]}",
                     doc=f"Lane-wise signed compare a[i] {c.format(x='', y='').strip()} b[i] of packed {b}-bit integers: "
                     "all-ones lane when true, zero otherwise.")
    # AVX-512 integer compares into masks
    names = (("eq", 0), ("lt", 1), ("le", 2), ("neq", 4), ("ge", 5), ("gt", 6))
    for s in ("epi8", "epi16", "epi32", "epi64", "epu8", "epu16", "epu32", "epu64"):
        t = _lt(s)
        for w in (512, 256, 128):
            vt, n = _vec(w, s), _n(w, s)
            mt = _mask(n)
            x, y = _x("a", t), _x("b", t)
            ins = f"VPCMP{'U' if 'u' in s else ''}{'BWDQ'[[8, 16, 32, 64].index(_bits(s))]}"
            for nm, pr in names:
                for masked in (False, True):
                    ps = ([_P("k1", mt)] if masked else []) + [_P("a", vt), _P("b", vt)]
                    _def(f"{_PRE[w]}_{'mask_' if masked else ''}cmp{nm}_{s}_mask", mt, ps,
                         _mask_result(mt, n, _ICMP[pr].format(x=x, y=y), k1="k1" if masked else None), cat="mask",
                         feat=_avx512(w, s), instr=ins,
                         doc=f"Mask of lanes where a[i] {_ICMP[pr].format(x='', y='').strip()} b[i] for packed {_DESC[s]}"
                         f"{', restricted to lanes set in k1' if masked else ''}.")
            for masked in (False, True):
                ps = ([_P("k1", mt)] if masked else []) + [_P("a", vt), _P("b", vt),
                                                          _P("imm8", "const int", role="config", doc="_MM_CMPINT_* predicate")]
                _def(f"{_PRE[w]}_{'mask_' if masked else ''}cmp_{s}_mask", mt, ps,
                     _mask_result(mt, n, "c", pre=_switch(_ICMP, "imm8 & 7", x, y), k1="k1" if masked else None),
                     cat="mask", feat=_avx512(w, s), instr=ins,
                     doc=f"Compares packed {_DESC[s]} with predicate imm8 (_MM_CMPINT_EQ 0, LT 1, LE 2, FALSE 3, NE 4, "
                     f"NLT 5, NLE 6, TRUE 7) into a mask{', restricted to lanes set in k1' if masked else ''}.")
    # test / testn
    for s in ("epi8", "epi16", "epi32", "epi64"):
        ut = _UNS[_bits(s)]
        for w in (512, 256, 128):
            vt, n = _vec(w, s), _n(w, s)
            mt = _mask(n)
            for nm, c in (("test", "!= 0"), ("testn", "== 0")):
                for masked in (False, True):
                    ps = ([_P("k1", mt)] if masked else []) + [_P("a", vt), _P("b", vt)]
                    _def(f"{_PRE[w]}_{'mask_' if masked else ''}{nm}_{s}_mask", mt, ps,
                         _mask_result(mt, n, f"({_x('a', ut)} & {_x('b', ut)}) {c}", k1="k1" if masked else None),
                         cat="mask", feat=_avx512(w, s), instr=f"VP{nm.upper()}M{'BWDQ'[[8, 16, 32, 64].index(_bits(s))]}",
                         doc=f"Mask bit i = ((a[i] & b[i]) {c}) for packed {_bits(s)}-bit integers"
                         f"{', restricted to lanes set in k1' if masked else ''}.")
    # movemask (sign bits -> int)
    rows = [(256, "ps", "avx", "int32_t"), (256, "pd", "avx", "int64_t"), (128, "ps", "sse", "int32_t"),
            (128, "pd", "sse2", "int64_t"), (256, "epi8", "avx2", "int8_t"), (128, "epi8", "sse2", "int8_t")]
    for w, s, f, st in rows:
        vt, n = _vec(w, s), _n(w, s)
        _def(f"{_PRE[w]}_movemask_{s}", "int", [_P("a", vt)],
             f"unsigned int r = 0;\nfor (int i = 0; i < {n}; ++i)\n  if ({_L('a', st)}[i] < 0) r |= 1u << i;\nreturn (int)r;",
             cat="mask", feat=(f,), instr=("V" if w > 128 else "") + ("PMOVMSKB" if s == "epi8" else f"MOVMSKP{s[1].upper()}"),
             doc=f"Gathers the sign bits of the {n} lanes of a into the low bits of an int: bit i = sign of a[i]; "
             "other bits zero.")
    # sign bits <-> masks (AVX-512)
    for s, base in (("epi8", "avx512bw"), ("epi16", "avx512bw"), ("epi32", "avx512dq"), ("epi64", "avx512dq")):
        b = _bits(s)
        st, ut = _SGN[b], _UNS[b]
        for w in (512, 256, 128):
            vt, n = _vec(w, s), _n(w, s)
            mt = _mask(n)
            feat = (base,) if w == 512 else (base, "avx512vl")
            _def(f"{_PRE[w]}_move{s[1:]}_mask".replace("movepi", "movepi"), mt, [_P("a", vt)],
                 _mask_result(mt, n, f"{_x('a', st)} < 0"), cat="mask", feat=feat,
                 instr=f"VPMOV{'BWDQ'[[8, 16, 32, 64].index(b)]}2M",
                 doc=f"Mask of the sign bits of packed {b}-bit integers: bit i = (a[i] < 0).")
            _def(f"{_PRE[w]}_movm_{s}", vt, [_P("k", mt)],
                 _lanes(vt, ut, n, f"((k >> i) & 1) ? ({ut})~({ut})0 : ({ut})0"), cat="mask", feat=feat,
                 instr=f"VPMOVM2{'BWDQ'[[8, 16, 32, 64].index(b)]}",
                 doc=f"Expands mask k to packed {b}-bit integers: dst[i] = bit i of k ? all ones : 0.")
    # testz / testc (AVX / SSE4.1)
    for w, f in ((256, "avx"), (128, "sse4.1")):
        vt = _vec(w, "epi64")
        n = w // 64
        si = f"si{w}"
        _def(f"{_PRE[w]}_testz_{si}", "int", [_P("a", vt), _P("b", vt)],
             f"int z = 1;\nfor (int i = 0; i < {n}; ++i)\n  if (XP_LANES(a, uint64_t)[i] & XP_LANES(b, uint64_t)[i]) z = 0;\nreturn z;",
             cat="mask", feat=(f,), instr=("V" if w > 128 else "") + "PTEST", doc="Returns 1 if (a & b) == 0 (all bits), else 0 (ZF of PTEST).")
        _def(f"{_PRE[w]}_testc_{si}", "int", [_P("a", vt), _P("b", vt)],
             f"int c = 1;\nfor (int i = 0; i < {n}; ++i)\n  if (~XP_LANES(a, uint64_t)[i] & XP_LANES(b, uint64_t)[i]) c = 0;\nreturn c;",
             cat="mask", feat=(f,), instr=("V" if w > 128 else "") + "PTEST", doc="Returns 1 if (~a & b) == 0 (all bits), else 0 (CF of PTEST).")
        _def(f"{_PRE[w]}_testnzc_{si}", "int", [_P("a", vt), _P("b", vt)],
             f"int z = 1, c = 1;\nfor (int i = 0; i < {n}; ++i) {{\n  if (XP_LANES(a, uint64_t)[i] & XP_LANES(b, uint64_t)[i]) z = 0;\n"
             f"  if (~XP_LANES(a, uint64_t)[i] & XP_LANES(b, uint64_t)[i]) c = 0;\n}}\nreturn !z && !c;",
             cat="mask", feat=(f,), instr=("V" if w > 128 else "") + "PTEST",
             doc="Returns 1 if both (a & b) and (~a & b) are non-zero, else 0.")


def _fam_kmask() -> None:
    feat_of = {8: ("avx512dq",), 16: ("avx512f",), 32: ("avx512bw",), 64: ("avx512bw",)}
    for nb in (8, 16, 32, 64):
        mt = f"__mmask{nb}"
        f = feat_of[nb]
        full = {8: "0xFFu", 16: "0xFFFFu", 32: "0xFFFFFFFFu", 64: "0xFFFFFFFFFFFFFFFFull"}[nb]
        ab = [_P("a", mt), _P("b", mt)]
        ops = [("kand", "a & b", "a AND b"), ("kandn", "~a & b", "(NOT a) AND b"), ("kor", "a | b", "a OR b"),
               ("kxor", "a ^ b", "a XOR b"), ("kxnor", "~(a ^ b)", "NOT (a XOR b)")]
        for op, e, d in ops:
            _def(f"_{op}_mask{nb}", mt, ab, f"return ({mt})({e});", cat="mask", feat=f, instr=op.upper() + "BWDQ"[[8, 16, 32, 64].index(nb)],
                 alias_of=f"_mm512_{op}" if nb == 16 else None, doc=f"Bitwise {d} of two {nb}-bit masks.")
        _def(f"_knot_mask{nb}", mt, [_P("a", mt)], f"return ({mt})~a;", cat="mask", feat=f,
             alias_of="_mm512_knot" if nb == 16 else None, doc=f"Bitwise NOT of a {nb}-bit mask.")
        _def(f"_kadd_mask{nb}", mt, ab, f"return ({mt})(a + b);", cat="mask",
             feat=("avx512dq",) if nb <= 16 else ("avx512bw",), doc=f"Adds two {nb}-bit masks as integers (mod 2^{nb}).")
        _def(f"_kortestz_mask{nb}_u8", "unsigned char", ab, f"return (unsigned char)(({mt})(a | b) == 0);", cat="mask",
             feat=f, doc="Returns 1 if (a | b) is all zeros, else 0 (ZF of KORTEST).")
        _def(f"_kortestc_mask{nb}_u8", "unsigned char", ab, f"return (unsigned char)(({mt})(a | b) == {full});", cat="mask",
             feat=f, doc="Returns 1 if (a | b) is all ones, else 0 (CF of KORTEST).")
        _def(f"_kortest_mask{nb}_u8", "unsigned char", ab + [_P("all_ones", "unsigned char *", role="out")],
             f"*all_ones = (unsigned char)(({mt})(a | b) == {full});\nreturn (unsigned char)(({mt})(a | b) == 0);", cat="mask",
             feat=f, doc="Returns 1 if (a | b) is all zeros, and stores 1 to *all_ones if (a | b) is all ones (KORTEST).")
        ft = ("avx512dq",) if nb <= 16 else ("avx512bw",)
        _def(f"_ktestz_mask{nb}_u8", "unsigned char", ab, f"return (unsigned char)(({mt})(a & b) == 0);", cat="mask",
             feat=ft, doc="Returns 1 if (a & b) is all zeros, else 0 (ZF of KTEST).")
        _def(f"_ktestc_mask{nb}_u8", "unsigned char", ab, f"return (unsigned char)(({mt})(~a & b) == 0);", cat="mask",
             feat=ft, doc="Returns 1 if (~a & b) is all zeros, else 0 (CF of KTEST).")
        _def(f"_ktest_mask{nb}_u8", "unsigned char", ab + [_P("and_not", "unsigned char *", role="out")],
             f"*and_not = (unsigned char)(({mt})(~a & b) == 0);\nreturn (unsigned char)(({mt})(a & b) == 0);", cat="mask",
             feat=ft, doc="Returns 1 if (a & b) is all zeros, and stores 1 to *and_not if (~a & b) is all zeros (KTEST).")
        _def(f"_kshiftli_mask{nb}", mt, [_P("a", mt), _P("count", "unsigned int", role="config", unit="bits")],
             f"return count > {nb - 1} ? ({mt})0 : ({mt})(a << count);", cat="mask", feat=f,
             doc=f"Shifts a {nb}-bit mask left by count bits (zero if count > {nb - 1}).")
        _def(f"_kshiftri_mask{nb}", mt, [_P("a", mt), _P("count", "unsigned int", role="config", unit="bits")],
             f"return count > {nb - 1} ? ({mt})0 : ({mt})(a >> count);", cat="mask", feat=f,
             doc=f"Shifts a {nb}-bit mask right by count bits (zero if count > {nb - 1}).")
        if nb == 64:
            _def("_cvtmask64_u64", "unsigned long long", [_P("a", mt)], "return a;", cat="mask", feat=f,
                 doc="Converts a 64-bit mask to an integer.")
            _def("_cvtu64_mask64", mt, [_P("a", "unsigned long long")], "return a;", cat="mask", feat=f,
                 doc="Converts an integer to a 64-bit mask.")
        else:
            _def(f"_cvtmask{nb}_u32", "unsigned int", [_P("a", mt)], "return (unsigned int)a;", cat="mask", feat=f,
                 doc=f"Zero-extends a {nb}-bit mask to a 32-bit integer.")
            _def(f"_cvtu32_mask{nb}", mt, [_P("a", "unsigned int")], f"return ({mt})a;", cat="mask", feat=f,
                 doc=f"Converts the low {nb} bits of a to a mask.")
        _def(f"_load_mask{nb}", mt, [_P("mem_addr", f"{mt} *")], "return *mem_addr;", cat="load", feat=f,
             doc=f"Loads a {nb}-bit mask from memory.")
        _def(f"_store_mask{nb}", "void", [_P("mem_addr", f"{mt} *", role="out"), _P("a", mt)], "*mem_addr = a;",
             cat="store", feat=f, doc=f"Stores a {nb}-bit mask to memory.")
    _def("_kunpackb_mask16", "__mmask16", [_P("a", "__mmask8"), _P("b", "__mmask8")],
         "return (__mmask16)(((a & 0xFF) << 8) | (b & 0xFF));", cat="mask", feat=("avx512f",),
         alias_of="_mm512_kunpackb", doc="Concatenates the low bytes of two masks: dst[7:0] = b[7:0], dst[15:8] = a[7:0].")
    _def("_kunpackw_mask32", "__mmask32", [_P("a", "__mmask16"), _P("b", "__mmask16")],
         "return ((a & 0xFFFFu) << 16) | (b & 0xFFFFu);", cat="mask", feat=("avx512bw",),
         alias_of="_mm512_kunpackw", doc="Concatenates the low 16 bits of two masks: dst[15:0] = b[15:0], dst[31:16] = a[15:0].")
    _def("_kunpackd_mask64", "__mmask64", [_P("a", "__mmask32"), _P("b", "__mmask32")],
         "return ((a & 0xFFFFFFFFull) << 32) | (b & 0xFFFFFFFFull);", cat="mask", feat=("avx512bw",),
         alias_of="_mm512_kunpackd", doc="Concatenates the low 32 bits of two masks: dst[31:0] = b[31:0], dst[63:32] = a[31:0].")
    # legacy AVX-512F spellings
    m16 = "__mmask16"
    for op, e, d in (("kand", "a & b", "AND"), ("kandn", "~a & b", "(NOT a) AND b"), ("kor", "a | b", "OR"),
                     ("kxor", "a ^ b", "XOR"), ("kxnor", "~(a ^ b)", "XNOR")):
        _def(f"_mm512_{op}", m16, [_P("a", m16), _P("b", m16)], f"return (__mmask16)({e});", cat="mask",
             feat=("avx512f",), instr=op.upper() + "W", doc=f"Bitwise {d} of two 16-bit masks.")
    _def("_mm512_knot", m16, [_P("a", m16)], "return (__mmask16)~a;", cat="mask", feat=("avx512f",), instr="KNOTW",
         doc="Bitwise NOT of a 16-bit mask.")
    _def("_mm512_kmov", m16, [_P("a", m16)], "return a;", cat="mask", feat=("avx512f",), instr="KMOVW",
         doc="Copies a 16-bit mask.")
    _def("_mm512_kortestz", "int", [_P("a", m16), _P("b", m16)], "return (__mmask16)(a | b) == 0;", cat="mask",
         feat=("avx512f",), instr="KORTESTW", doc="Returns 1 if (a | b) == 0, else 0.")
    _def("_mm512_kortestc", "int", [_P("a", m16), _P("b", m16)], "return (__mmask16)(a | b) == 0xFFFF;", cat="mask",
         feat=("avx512f",), instr="KORTESTW", doc="Returns 1 if (a | b) == 0xFFFF, else 0.")
    _def("_mm512_int2mask", m16, [_P("mask", "int")], "return (__mmask16)mask;", cat="mask", feat=("avx512f",),
         doc="Converts the low 16 bits of an int to a mask.")
    _def("_mm512_mask2int", "int", [_P("k1", m16)], "return (int)k1;", cat="mask", feat=("avx512f",),
         doc="Zero-extends a 16-bit mask to an int.")
    _def("_mm512_kunpackb", m16, [_P("a", m16), _P("b", m16)], "return (__mmask16)(((a & 0xFF) << 8) | (b & 0xFF));",
         cat="mask", feat=("avx512f",), instr="KUNPCKBW", doc="dst[7:0] = b[7:0], dst[15:8] = a[7:0].")
    _def("_mm512_kunpackw", "__mmask32", [_P("a", "__mmask32"), _P("b", "__mmask32")],
         "return ((a & 0xFFFFu) << 16) | (b & 0xFFFFu);", cat="mask", feat=("avx512bw",), instr="KUNPCKWD",
         doc="dst[15:0] = b[15:0], dst[31:16] = a[15:0].")
    _def("_mm512_kunpackd", "__mmask64", [_P("a", "__mmask64"), _P("b", "__mmask64")],
         "return ((a & 0xFFFFFFFFull) << 32) | (b & 0xFFFFFFFFull);", cat="mask", feat=("avx512bw",), instr="KUNPCKDQ",
         doc="dst[31:0] = b[31:0], dst[63:32] = a[31:0].")


def _fam_blend() -> None:
    for s in ("ps", "pd", "epi8", "epi16", "epi32", "epi64"):
        t = _lt(s)
        for w in (512, 256, 128):
            vt, n = _vec(w, s), _n(w, s)
            mt = _mask(n)
            _def(f"{_PRE[w]}_mask_blend_{s}", vt, [_P("k", mt), _P("a", vt), _P("b", vt)],
                 _lanes(vt, t, n, f"((k >> i) & 1) ? {_x('b', t)} : {_x('a', t)}"), cat="elementwise",
                 feat=_avx512(w, s), instr="VBLENDM/VPBLENDM", doc=f"Blends packed {_DESC[s]} under mask k: dst[i] = bit i of k ? b[i] : a[i].")
            for mode in ("mask", "maskz"):
                _def(_mname(w, mode, f"mov_{s}"), vt, _mparams(mode, vt, mt, [_P("a", vt)]),
                     _lanes(vt, t, n, _x("a", t), mode), cat="elementwise", feat=_avx512(w, s), instr="VMOVAP/VMOVDQU",
                     doc=f"Copies the {_DESC[s]} lanes of a selected by k: dst[i] = a[i].{_MDOC[mode]}")
    rows = [  # (name, vt, lane type, n, select condition, feat, doc)
        ("_mm256_blend_ps", "__m256", "float", 8, "(imm8 >> i) & 1", "avx", "imm8"),
        ("_mm256_blend_pd", "__m256d", "double", 4, "(imm8 >> i) & 1", "avx", "imm8"),
        ("_mm_blend_ps", "__m128", "float", 4, "(imm8 >> i) & 1", "sse4.1", "imm8"),
        ("_mm_blend_pd", "__m128d", "double", 2, "(imm8 >> i) & 1", "sse4.1", "imm8"),
        ("_mm256_blend_epi32", "__m256i", "int32_t", 8, "(imm8 >> i) & 1", "avx2", "imm8"),
        ("_mm_blend_epi32", "__m128i", "int32_t", 4, "(imm8 >> i) & 1", "avx2", "imm8"),
        ("_mm256_blend_epi16", "__m256i", "int16_t", 16, "(imm8 >> (i % 8)) & 1", "avx2", "imm8"),
        ("_mm_blend_epi16", "__m128i", "int16_t", 8, "(imm8 >> i) & 1", "sse4.1", "imm8"),
        ("_mm256_blendv_ps", "__m256", "float", 8, "XP_LANES(mask, int32_t)[i] < 0", "avx", "mask"),
        ("_mm256_blendv_pd", "__m256d", "double", 4, "XP_LANES(mask, int64_t)[i] < 0", "avx", "mask"),
        ("_mm_blendv_ps", "__m128", "float", 4, "XP_LANES(mask, int32_t)[i] < 0", "sse4.1", "mask"),
        ("_mm_blendv_pd", "__m128d", "double", 2, "XP_LANES(mask, int64_t)[i] < 0", "sse4.1", "mask"),
        ("_mm256_blendv_epi8", "__m256i", "int8_t", 32, "XP_LANES(mask, int8_t)[i] < 0", "avx2", "mask"),
        ("_mm_blendv_epi8", "__m128i", "int8_t", 16, "XP_LANES(mask, int8_t)[i] < 0", "sse4.1", "mask"),
    ]
    for nm, vt, t, n, cond, f, kind in rows:
        last = _P("imm8", "const int", role="config") if kind == "imm8" else _P("mask", vt)
        how = ("bit i of imm8" if "(i % 8)" not in cond else "bit (i mod 8) of imm8 (the same 8 bits for each 128-bit half)") \
            if kind == "imm8" else "the sign bit of mask[i]"
        _def(nm, vt, [_P("a", vt), _P("b", vt), last], _lanes(vt, t, n, f"({cond}) ? {_x('b', t)} : {_x('a', t)}"),
             cat="elementwise", feat=(f,), instr=nm.split("_")[-2].upper(),
             doc=f"Blends lanes of a and b: dst[i] = {how} ? b[i] : a[i].")


def _fam_logic() -> None:
    ops = (("and", "{x} & {y}", "a AND b"), ("or", "{x} | {y}", "a OR b"), ("xor", "{x} ^ {y}", "a XOR b"),
           ("andnot", "~{x} & {y}", "(NOT a) AND b"))
    for op, e, d in ops:
        for w in (512, 256, 128):
            si = f"si{w}"
            vt = _vec(w, "epi64")
            n = w // 64
            expr = e.format(x=_x("a", "uint64_t"), y=_x("b", "uint64_t"))
            f = ("avx512f",) if w == 512 else (("avx2",) if w == 256 else ("sse2",))
            _def(f"{_PRE[w]}_{op}_{si}", vt, [_P("a", vt), _P("b", vt)], _lanes(vt, "uint64_t", n, expr), cat="elementwise",
                 feat=f, instr=("V" if w > 128 else "") + f"P{op.upper()}", doc=f"Bitwise {d} of {w}-bit integer vectors.")
            for s in ("epi32", "epi64"):
                ut = _UNS[_bits(s)]
                vt, n = _vec(w, s), _n(w, s)
                expr = e.format(x=_x("a", ut), y=_x("b", ut))
                for mode in ((None, "mask", "maskz") if w == 512 else ("mask", "maskz")):
                    _def(_mname(w, mode, f"{op}_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", vt)]),
                         _lanes(vt, ut, n, expr, mode), cat="elementwise", feat=_avx512(w, s),
                         instr=f"VP{op.upper()}{s[-2:].upper().replace('32', 'D').replace('64', 'Q')}",
                         doc=f"Bitwise {d} of packed {_bits(s)}-bit integers.{_MDOC[mode]}")
            for s in ("ps", "pd"):
                ut = _UNS[_bits(s)]
                vt, n = _vec(w, s), _n(w, s)
                expr = e.format(x=_x("a", ut), y=_x("b", ut))
                for mode in (None, "mask", "maskz"):
                    if mode is None and w < 512:
                        feat = ("avx",) if w == 256 else (("sse",) if s == "ps" else ("sse2",))
                    else:
                        feat = ("avx512dq",) if w == 512 else ("avx512dq", "avx512vl")
                    _def(_mname(w, mode, f"{op}_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", vt)]),
                         _lanes(vt, ut, n, expr, mode), cat="elementwise", feat=feat,
                         instr=("V" if w > 128 or mode else "") + f"{op.upper()}P{s[1].upper()}",
                         doc=f"Bitwise {d} of the bit patterns of packed {_DESC[s]}.{_MDOC[mode]}")
    # ternary logic
    for s in ("epi32", "epi64"):
        ut = _UNS[_bits(s)]
        for w in (512, 256, 128):
            vt, n = _vec(w, s), _n(w, s)
            mt = _mask(n)
            pre = (f"{ut} x = {_x('a', ut)}, y = {_x('b', ut)}, z = {_x('c', ut)}, v = 0;\n"
                   "for (int q = 0; q < 8; ++q)\n"
                   "  if ((imm8 >> q) & 1) v |= ((q & 4) ? x : ~x) & ((q & 2) ? y : ~y) & ((q & 1) ? z : ~z);")
            base = (f"Bitwise ternary logic on packed {_bits(s)}-bit integers: each result bit is imm8[(a_bit << 2) | "
                    "(b_bit << 1) | c_bit], i.e. imm8 is the truth table of any 3-input boolean function.")
            imm = _P("imm8", "const int", role="config", doc="truth table")
            _def(f"{_PRE[w]}_ternarylogic_{s}", vt, [_P("a", vt), _P("b", vt), _P("c", vt), imm],
                 _lanes(vt, ut, n, "v", pre=pre), cat="elementwise", feat=_avx512(w, s),
                 instr=f"VPTERNLOG{s[-2:].replace('32', 'D').replace('64', 'Q')}", doc=base)
            _def(f"{_PRE[w]}_mask_ternarylogic_{s}", vt, [_P("src", vt), _P("k", mt), _P("a", vt), _P("b", vt), imm],
                 _lanes(vt, ut, n, "v", "mask", pre=pre.replace(f"x = {_x('a', ut)}, y = {_x('b', ut)}, z = {_x('c', ut)}",
                                                                 f"x = {_x('src', ut)}, y = {_x('a', ut)}, z = {_x('b', ut)}")),
                 cat="elementwise", feat=_avx512(w, s), instr=f"VPTERNLOG{s[-2:].replace('32', 'D').replace('64', 'Q')}",
                 doc=base.replace("(a_bit << 2) | (b_bit << 1) | c_bit", "(src_bit << 2) | (a_bit << 1) | b_bit")
                 + " Lanes whose bit in k is clear keep src.")
            _def(f"{_PRE[w]}_maskz_ternarylogic_{s}", vt, [_P("k", mt), _P("a", vt), _P("b", vt), _P("c", vt), imm],
                 _lanes(vt, ut, n, "v", "maskz", pre=pre), cat="elementwise", feat=_avx512(w, s),
                 instr=f"VPTERNLOG{s[-2:].replace('32', 'D').replace('64', 'Q')}", doc=base + _MDOC["maskz"])


def _fam_shift() -> None:
    lett = {16: "W", 32: "D", 64: "Q"}
    for s in ("epi16", "epi32", "epi64"):
        b = _bits(s)
        st, ut = _SGN[b], _UNS[b]
        for w in (512, 256, 128):
            vt, n = _vec(w, s), _n(w, s)
            mt = _mask(n)
            modes = (None, "mask", "maskz") if w == 512 else (None,)
            for mode in modes:
                legacy = mode is None and not (b == 64 and False) and w < 512
                # immediate counts
                imm_t0 = ("unsigned int" if b > 16 else "const int") if w == 512 else "int"
                for op, kind in (("slli", "l"), ("srli", "r"), ("srai", "a")):
                    imm_t = "const int" if (kind == "a" and b == 64 and w < 512) else imm_t0
                    if kind == "a" and b == 64 and w < 512:
                        feat = _avx512(w, s)
                    elif w < 512 and mode is None:
                        feat = ("avx2",) if w == 256 else ("sse2",)
                    else:
                        feat = _avx512(w, s)
                    x = _x("a", st if kind == "a" else ut)
                    if kind == "l":
                        expr = f"cnt > {b - 1} ? ({ut})0 : ({ut})({x} << cnt)"
                    elif kind == "r":
                        expr = f"cnt > {b - 1} ? ({ut})0 : ({ut})({x} >> cnt)"
                    else:
                        expr = f"({st})({x} >> (cnt > {b - 1} ? {b - 1} : cnt))"
                    _def(_mname(w, mode, f"{op}_{s}"), vt, _mparams(mode, vt, mt, [_P("a", vt), _P("imm8", imm_t, role="config", unit="bits")]),
                         _lanes(vt, st if kind == "a" else ut, n, expr, mode, pre="unsigned int cnt = (unsigned int)imm8 & 0xFFu;"),
                         cat="elementwise", feat=feat, instr=("V" if w > 128 else "") + f"PS{'LL' if kind == 'l' else 'RL' if kind == 'r' else 'RA'}{lett[b]}",
                         doc=f"Shifts packed {b}-bit integers {'left' if kind == 'l' else 'right'} by imm8[7:0] bits, "
                         + (f"shifting in zeros (dst[i] = 0 when imm8 > {b - 1})" if kind != "a" else
                            f"shifting in sign bits (counts > {b - 1} act as {b - 1})") + f".{_MDOC[mode]}")
                # count from low 64 bits of a vector
                for op, kind in (("sll", "l"), ("srl", "r"), ("sra", "a")):
                    if kind == "a" and b == 64 and w < 512:
                        feat = _avx512(w, s)
                    elif w < 512 and mode is None:
                        feat = ("avx2",) if w == 256 else ("sse2",)
                    else:
                        feat = _avx512(w, s)
                    x = _x("a", st if kind == "a" else ut)
                    if kind == "l":
                        expr = f"cnt > {b - 1} ? ({ut})0 : ({ut})({x} << cnt)"
                    elif kind == "r":
                        expr = f"cnt > {b - 1} ? ({ut})0 : ({ut})({x} >> cnt)"
                    else:
                        expr = f"({st})({x} >> (cnt > {b - 1} ? {b - 1} : cnt))"
                    _def(_mname(w, mode, f"{op}_{s}"), vt, _mparams(mode, vt, mt, [_P("a", vt), _P("count", "__m128i", doc="shift count in bits: the unsigned 64-bit low lane")]),
                         _lanes(vt, st if kind == "a" else ut, n, expr, mode, pre="uint64_t cnt = XP_LANES(count, uint64_t)[0];"),
                         cat="elementwise", feat=feat, instr=("V" if w > 128 else "") + f"PS{'LL' if kind == 'l' else 'RL' if kind == 'r' else 'RA'}{lett[b]}",
                         doc=f"Shifts packed {b}-bit integers {'left' if kind == 'l' else 'right'} by the unsigned 64-bit "
                         "count in the low lane of count, " + (f"shifting in zeros (0 when count > {b - 1})" if kind != "a" else
                                                              f"shifting in sign bits (counts > {b - 1} act as {b - 1})")
                         + f".{_MDOC[mode]}")
                # per-lane variable counts
                for op, kind in (("sllv", "l"), ("srlv", "r"), ("srav", "a")):
                    if (b == 16) or (kind == "a" and b == 64) or w == 512 or mode:
                        feat = _avx512(w, s)
                    else:
                        feat = ("avx2",)
                    x = _x("a", st if kind == "a" else ut)
                    if kind == "l":
                        expr = f"cnt > {b - 1} ? ({ut})0 : ({ut})({x} << cnt)"
                    elif kind == "r":
                        expr = f"cnt > {b - 1} ? ({ut})0 : ({ut})({x} >> cnt)"
                    else:
                        expr = f"({st})({x} >> (cnt > {b - 1} ? {b - 1} : cnt))"
                    _def(_mname(w, mode, f"{op}_{s}"), vt, _mparams(mode, vt, mt, [_P("a", vt), _P("count", vt, doc="per-lane unsigned shift counts in bits")]),
                         _lanes(vt, st if kind == "a" else ut, n, expr, mode, pre=f"{ut} cnt = {_x('count', ut)};"),
                         cat="elementwise", feat=feat, instr=f"VPS{'LL' if kind == 'l' else 'RL' if kind == 'r' else 'RA'}V{lett[b]}",
                         doc=f"Shifts each {b}-bit lane of a {'left' if kind == 'l' else 'right'} by the unsigned count in the "
                         f"same lane of count, " + (f"shifting in zeros (0 when count[i] > {b - 1})" if kind != "a" else
                                                    f"shifting in sign bits (counts > {b - 1} act as {b - 1})") + f".{_MDOC[mode]}")
            # rotates (AVX-512F, 32/64)
            if b >= 32:
                for mode in (None, "mask", "maskz"):
                    for op, left in (("rol", True), ("ror", False)):
                        for var in (False, True):
                            nm = op + ("v" if var else "")
                            last = _P("b", vt, doc="per-lane rotate counts in bits") if var else _P("imm8", "const int" if left else "int", role="config", unit="bits")
                            pre = f"unsigned int cnt = (unsigned int)({_x('b', ut) if var else 'imm8'} & {b - 1});"
                            x = _x("a", ut)
                            expr = (f"({ut})(({x} << cnt) | ({x} >> (({b}u - cnt) & {b - 1}u)))" if left else
                                    f"({ut})(({x} >> cnt) | ({x} << (({b}u - cnt) & {b - 1}u)))")
                            _def(_mname(w, mode, f"{nm}_{s}"), vt, _mparams(mode, vt, mt, [_P("a", vt), last]),
                                 _lanes(vt, ut, n, expr, mode, pre=pre), cat="elementwise", feat=_avx512(w, s),
                                 instr=f"VP{nm.upper()}{lett[b]}",
                                 doc=f"Rotates each {b}-bit lane of a {'left' if left else 'right'} by "
                                 f"{'b[i]' if var else 'imm8'} mod {b} bits.{_MDOC[mode]}")
    # byte shifts within 128-bit lanes
    for w in (512, 256, 128):
        vt = _vec(w, "epi8")
        n = w // 8
        feat = ("avx512bw",) if w == 512 else (("avx2",) if w == 256 else ("sse2",))
        it = "int" if w == 128 else "const int"
        for d, nm, expr in (("left", "bslli", "j >= sh ? XP_LANES(a, uint8_t)[i - sh] : (uint8_t)0"),
                            ("right", "bsrli", "j + sh < 16 ? XP_LANES(a, uint8_t)[i + sh] : (uint8_t)0")):
            names = [f"{_PRE[w]}_{nm}_epi128"] if w > 128 else [f"_mm_{nm}_si128"]
            names.append(f"{_PRE[w]}_{'slli' if nm == 'bslli' else 'srli'}_si{'128' if w == 128 else '256'}" if w < 512 else None)
            for i_, name in enumerate(n_ for n_ in names if n_):
                _def(name, vt, [_P("a", vt), _P("imm8", "const int", role="config", unit="bytes")],
                     _lanes(vt, "uint8_t", n, expr, pre="unsigned int sh = (unsigned int)imm8 & 0xFFu, j = i % 16;"),
                     cat="layout", feat=feat, instr=("V" if w > 128 else "") + ("PSLLDQ" if nm == "bslli" else "PSRLDQ"),
                     alias_of=names[0] if i_ > 0 else None,
                     doc=f"Shifts each 128-bit block of a {d} by imm8 bytes, shifting in zeros (the block becomes zero "
                     "when imm8 > 15).")


def _vbits(vt: str) -> int:
    return int(vt[3:6])


def _ivec(bits: int) -> str:
    return {512: "__m512i", 256: "__m256i", 128: "__m128i"}[max(128, bits)]


def _fam_convert() -> None:
    i32min = "(-2147483647 - 1)"
    cvt_note = ("Rounds with MXCSR.RC, which the emulation takes as round-to-nearest-even (the default).")
    # float <-> int32 (same lane count)
    rows = [  # (name, src suffix, dst suffix, expr over x, pre, doc)
        ("cvtepi32_ps", "epi32", "ps", "(float)x", "int32_t x = XP_LANES(a, int32_t)[i];",
         "Converts packed signed 32-bit integers to floats (rounded to nearest even): dst[i] = (float)a[i]."),
        ("cvtps_epi32", "ps", "epi32", f"(t >= -2147483648.0f && t < 2147483648.0f) ? (int32_t)t : {i32min}",
         "float t = nearbyintf(XP_LANES(a, float)[i]);",
         "Converts packed floats to signed 32-bit integers rounding to nearest even (MXCSR); NaN and out-of-range "
         "values give the 'integer indefinite' 0x80000000."),
        ("cvttps_epi32", "ps", "epi32", f"(t >= -2147483648.0f && t < 2147483648.0f) ? (int32_t)t : {i32min}",
         "float t = truncf(XP_LANES(a, float)[i]);",
         "Converts packed floats to signed 32-bit integers with truncation toward zero; NaN and out-of-range values "
         "give 0x80000000."),
        ("cvtepu32_ps", "epu32", "ps", "(float)XP_LANES(a, uint32_t)[i]", "",
         "Converts packed unsigned 32-bit integers to floats (rounded to nearest even)."),
        ("cvtps_epu32", "ps", "epu32", "(t >= 0.0f && t < 4294967296.0f) ? (uint32_t)t : 4294967295u",
         "float t = nearbyintf(XP_LANES(a, float)[i]);",
         "Converts packed floats to unsigned 32-bit integers rounding to nearest even; NaN and out-of-range values "
         "(including negatives that do not round to 0) give 0xFFFFFFFF."),
        ("cvttps_epu32", "ps", "epu32", "(t >= 0.0f && t < 4294967296.0f) ? (uint32_t)t : 4294967295u",
         "float t = truncf(XP_LANES(a, float)[i]);",
         "Converts packed floats to unsigned 32-bit integers with truncation; NaN and out-of-range values give 0xFFFFFFFF."),
    ]
    for nm, ss, ds, expr, pre, doc in rows:
        dt = _lt(ds)
        for w in (512, 256, 128):
            svt, dvt, n = _vec(w, ss), _vec(w, ds), _n(w, ds)
            for mode in (None, "mask", "maskz"):
                if mode is None and w < 512 and "epu" not in nm:
                    feat = ("avx",) if w == 256 else ("sse2",)
                else:
                    feat = _avx512(w, ds)
                _def(_mname(w, mode, nm), dvt, _mparams(mode, dvt, _mask(n), [_P("a", svt)]),
                     _lanes(dvt, dt, n, expr, mode, pre=pre), cat="convert", feat=feat,
                     note=cvt_note if "nearbyint" in pre else "", instr="VCVT" + nm[3:].upper(),
                     doc=doc + _MDOC[mode])
    # float <-> double and int32 -> double (half lane count)
    rows = [  # (name, src elem lane type, src suffix, dst suffix, expr, doc)
        ("cvtps_pd", "ps", "pd", "(double)XP_LANES(a, float)[i]", "Widens packed floats to doubles (exact)."),
        ("cvtpd_ps", "pd", "ps", "(float)XP_LANES(a, double)[i]", "Narrows packed doubles to floats, rounding to nearest even."),
        ("cvtepi32_pd", "epi32", "pd", "(double)XP_LANES(a, int32_t)[i]", "Converts packed signed 32-bit integers to doubles (exact)."),
        ("cvtpd_epi32", "pd", "epi32",
         f"(t >= -2147483648.0 && t <= 2147483647.0) ? (int32_t)t : {i32min}",
         "Converts packed doubles to signed 32-bit integers rounding to nearest even; NaN/out-of-range -> 0x80000000."),
        ("cvttpd_epi32", "pd", "epi32",
         f"(t >= -2147483648.0 && t <= 2147483647.0) ? (int32_t)t : {i32min}",
         "Converts packed doubles to signed 32-bit integers with truncation; NaN/out-of-range -> 0x80000000."),
    ]
    for nm, ss, ds, expr, doc in rows:
        pre = ""
        if nm == "cvtpd_epi32":
            pre = "double t = nearbyint(XP_LANES(a, double)[i]);"
        elif nm == "cvttpd_epi32":
            pre = "double t = trunc(XP_LANES(a, double)[i]);"
        for w in (512, 256, 128):
            # the 64-bit-lane side has w bits; the 32-bit side w/2 (a __m128 at least)
            n = w // 64
            wide64 = ss == "pd" or ds == "pd"
            sw = w if _bits(ss) == 64 else max(128, w // 2)
            dw = w if _bits(ds) == 64 else max(128, w // 2)
            svt, dvt = _vec(sw, ss), _vec(dw, ds)
            dt = _lt(ds)
            nd = dw // _bits(ds)
            modes = (None, "mask", "maskz") if w == 512 else (None,)
            for mode in modes:
                if w == 512 or mode:
                    feat = ("avx512f",)
                else:
                    feat = ("avx",) if w == 256 else ("sse2",)
                body_expr = expr
                if nd > n:  # narrow result in a 128-bit register: upper lanes zero
                    body_expr = f"i < {n} ? ({dt})({expr}) : ({dt})0"
                    lanes = nd
                    mpre = pre if not pre else pre.replace("[i]", f"[i < {n} ? i : 0]")
                else:
                    lanes = n
                    mpre = pre
                body_expr_ = body_expr.replace("XP_LANES(a, float)[i]", f"XP_LANES(a, float)[i < {n} ? i : 0]") \
                    .replace("XP_LANES(a, double)[i]", f"XP_LANES(a, double)[i < {n} ? i : 0]") \
                    .replace("XP_LANES(a, int32_t)[i]", f"XP_LANES(a, int32_t)[i < {n} ? i : 0]") if nd > n else body_expr
                _def(_mname(w, mode, nm), dvt, _mparams(mode, dvt, _mask(lanes), [_P("a", svt)]),
                     _lanes(dvt, dt, lanes, body_expr_, mode, pre=mpre), cat="convert", feat=feat,
                     note=cvt_note if "nearbyint" in pre else "", instr="VCVT" + nm[3:].upper(),
                     doc=doc + (f" Lanes {n}..{nd - 1} of dst are zero." if nd > n else "") + _MDOC[mode])
    # scalar moves / conversions
    rows = [
        ("_mm_cvtss_f32", "float", [_P("a", "__m128")], "return XP_LANES(a, float)[0];", ("sse",), "Returns lane 0 of a as a float."),
        ("_mm256_cvtss_f32", "float", [_P("a", "__m256")], "return XP_LANES(a, float)[0];", ("avx",), "Returns lane 0 of a as a float."),
        ("_mm512_cvtss_f32", "float", [_P("a", "__m512")], "return XP_LANES(a, float)[0];", ("avx512f",), "Returns lane 0 of a as a float."),
        ("_mm_cvtsd_f64", "double", [_P("a", "__m128d")], "return XP_LANES(a, double)[0];", ("sse2",), "Returns lane 0 of a as a double."),
        ("_mm256_cvtsd_f64", "double", [_P("a", "__m256d")], "return XP_LANES(a, double)[0];", ("avx",), "Returns lane 0 of a as a double."),
        ("_mm512_cvtsd_f64", "double", [_P("a", "__m512d")], "return XP_LANES(a, double)[0];", ("avx512f",), "Returns lane 0 of a as a double."),
        ("_mm_cvtsi128_si32", "int", [_P("a", "__m128i")], "return XP_LANES(a, int32_t)[0];", ("sse2",), "Returns the low 32-bit integer of a."),
        ("_mm_cvtsi128_si64", "long long", [_P("a", "__m128i")], "return XP_LANES(a, int64_t)[0];", ("sse2",), "Returns the low 64-bit integer of a."),
        ("_mm256_cvtsi256_si32", "int", [_P("a", "__m256i")], "return XP_LANES(a, int32_t)[0];", ("avx",), "Returns the low 32-bit integer of a."),
        ("_mm512_cvtsi512_si32", "int", [_P("a", "__m512i")], "return XP_LANES(a, int32_t)[0];", ("avx512f",), "Returns the low 32-bit integer of a."),
        ("_mm_cvtss_si32", "int", [_P("a", "__m128")],
         f"float t = nearbyintf(XP_LANES(a, float)[0]);\nreturn (t >= -2147483648.0f && t < 2147483648.0f) ? (int32_t)t : {i32min};",
         ("sse",), "Converts lane 0 to a 32-bit integer rounding to nearest even (MXCSR); NaN/out-of-range -> 0x80000000."),
        ("_mm_cvttss_si32", "int", [_P("a", "__m128")],
         f"float t = truncf(XP_LANES(a, float)[0]);\nreturn (t >= -2147483648.0f && t < 2147483648.0f) ? (int32_t)t : {i32min};",
         ("sse",), "Converts lane 0 to a 32-bit integer with truncation; NaN/out-of-range -> 0x80000000."),
        ("_mm_cvtsd_si32", "int", [_P("a", "__m128d")],
         f"double t = nearbyint(XP_LANES(a, double)[0]);\nreturn (t >= -2147483648.0 && t <= 2147483647.0) ? (int32_t)t : {i32min};",
         ("sse2",), "Converts lane 0 to a 32-bit integer rounding to nearest even (MXCSR); NaN/out-of-range -> 0x80000000."),
        ("_mm_cvttsd_si32", "int", [_P("a", "__m128d")],
         f"double t = trunc(XP_LANES(a, double)[0]);\nreturn (t >= -2147483648.0 && t <= 2147483647.0) ? (int32_t)t : {i32min};",
         ("sse2",), "Converts lane 0 to a 32-bit integer with truncation; NaN/out-of-range -> 0x80000000."),
        ("_mm_cvtsi32_ss", "__m128", [_P("a", "__m128"), _P("b", "int")],
         "__m128 r = a;\nXP_LANES(r, float)[0] = (float)b;\nreturn r;", ("sse",), "dst[0] = (float)b (nearest even); lanes 1..3 from a."),
        ("_mm_cvtsi32_sd", "__m128d", [_P("a", "__m128d"), _P("b", "int")],
         "__m128d r = a;\nXP_LANES(r, double)[0] = (double)b;\nreturn r;", ("sse2",), "dst[0] = (double)b; dst[1] = a[1]."),
        ("_mm_cvtss_sd", "__m128d", [_P("a", "__m128d"), _P("b", "__m128")],
         "__m128d r = a;\nXP_LANES(r, double)[0] = (double)XP_LANES(b, float)[0];\nreturn r;", ("sse2",), "dst[0] = (double)b[0]; dst[1] = a[1]."),
        ("_mm_cvtsd_ss", "__m128", [_P("a", "__m128"), _P("b", "__m128d")],
         "__m128 r = a;\nXP_LANES(r, float)[0] = (float)XP_LANES(b, double)[0];\nreturn r;", ("sse2",),
         "dst[0] = (float)b[0] (nearest even); lanes 1..3 from a."),
    ]
    for nm, rt, ps, sem, f, doc in rows:
        _def(nm, rt, ps, sem, cat="convert", feat=f, doc=doc)
    # integer widening
    widen = [("epi8", "epi16"), ("epu8", "epi16"), ("epi8", "epi32"), ("epu8", "epi32"), ("epi8", "epi64"), ("epu8", "epi64"),
             ("epi16", "epi32"), ("epu16", "epi32"), ("epi16", "epi64"), ("epu16", "epi64"), ("epi32", "epi64"), ("epu32", "epi64")]
    for ss, ds in widen:
        for w in (512, 256, 128):
            n = _n(w, ds)
            svt = _ivec(n * _bits(ss))
            dvt = _vec(w, ds)
            dt, st = _lt(ds), _lt(ss)
            for mode in ((None, "mask", "maskz") if w == 512 else (None,)):
                if w == 512:
                    feat = ("avx512bw",) if ds == "epi16" else ("avx512f",)
                else:
                    feat = ("avx2",) if w == 256 else ("sse4.1",)
                _def(_mname(w, mode, f"cvt{ss}_{ds}"), dvt, _mparams(mode, dvt, _mask(n), [_P("a", svt)]),
                     _lanes(dvt, dt, n, f"({dt}){_x('a', st)}", mode), cat="convert", feat=feat,
                     instr=("V" if w > 128 else "") + f"PMOV{'S' if ss.startswith('epi') else 'Z'}X",
                     doc=f"{'Sign' if ss.startswith('epi') else 'Zero'}-extends the low {n} {_DESC[ss]} of a to "
                     f"{_bits(ds)}-bit integers: dst[i] = a[i].{_MDOC[mode]}")
    # integer narrowing (AVX-512): truncate, signed saturate, unsigned saturate
    for sb, db in ((16, 8), (32, 8), (32, 16), (64, 8), (64, 16), (64, 32)):
        for kind in ("", "s", "us"):
            nm = f"cvt{kind}epi{sb}_epi{db}"
            dt = _UNS[db] if kind != "s" else _SGN[db]
            if kind == "":
                expr = f"({dt}){_x('a', _UNS[sb])}"
            elif kind == "s":
                expr = f"({dt})({_sat(_x('a', _SGN[sb]), _SMIN[db], _SMAX[db])})"
            else:
                expr = f"({dt})({_x('a', _UNS[sb])} > {_UMAX[db]} ? {_UMAX[db]} : {_x('a', _UNS[sb])})"
            what = {"": f"truncates them to their low {db} bits",
                    "s": f"converts them with signed saturation to [{_SMIN[db]}, {_SMAX[db]}]",
                    "us": f"converts them, read as UNSIGNED, with unsigned saturation to [0, {_UMAX[db].rstrip('ul')}]"}[kind]
            for w in (512, 256, 128):
                n = w // sb
                dvt = _ivec(n * db)
                nd = _vbits(dvt) // db
                svt = _vec(w, f"epi{sb}")
                feat = _avx512(w, "epi16" if sb == 16 else "epi32")
                instr = f"VPMOV{'S' if kind == 's' else 'US' if kind == 'us' else ''}{'WDQ'[[16, 32, 64].index(sb)]}{'BWD'[[8, 16, 32].index(db)]}"
                for mode in ((None, "mask", "maskz") if w == 512 else (None,)):
                    lines = [f"{dvt} r;", f"for (int i = 0; i < {nd}; ++i) {_L('r', dt)}[i] = 0;",
                             f"for (int i = 0; i < {n}; ++i) {{"]
                    if mode == "mask":
                        lines.append(f"  if (!((k >> i) & 1)) {{ {_L('r', dt)}[i] = {_L('src', dt)}[i]; continue; }}")
                    elif mode == "maskz":
                        lines.append("  if (!((k >> i) & 1)) continue;")
                    lines += [f"  {_L('r', dt)}[i] = {expr};", "}", "return r;"]
                    _def(_mname(w, mode, nm), dvt, _mparams(mode, dvt, _mask(n), [_P("a", svt)]), "\n".join(lines),
                         cat="convert", feat=feat, instr=instr,
                         doc=f"Takes the {n} {sb}-bit lanes of a and {what}: dst[i] for i < {n}"
                         f"{f'; lanes {n}..{nd - 1} of dst are zero' if nd > n else ''}.{_MDOC[mode]}")
                if w == 512:
                    _def(f"_mm512_mask_{nm.replace('cvt', 'cvt', 1)}".replace(f"_{nm}", f"_{nm}") .replace(nm, nm.replace(f"_epi{db}", f"_storeu_epi{db}")),
                         "void", [_P("base_addr", "void *", role="out"), _P("k", _mask(n)), _P("a", svt)],
                         f"for (int i = 0; i < {n}; ++i)\n  if ((k >> i) & 1) (({dt} *)base_addr)[i] = {expr};",
                         cat="store", feat=feat, instr=instr, alignment="no alignment required",
                         doc=f"Takes the {n} {sb}-bit lanes of a, {what}, and stores lane i to base_addr[i] (a {db}-bit "
                         "element) where bit i of k is set; other memory is untouched.")
    # packs (per 128-bit block)
    for nm, sb, db, lo, hi, f128 in (("packs_epi32", 32, 16, "-32768", "32767", "sse2"),
                                     ("packus_epi32", 32, 16, "0", "65535", "sse4.1"),
                                     ("packs_epi16", 16, 8, "-128", "127", "sse2"),
                                     ("packus_epi16", 16, 8, "0", "255", "sse2")):
        st = _SGN[sb]
        dt = _UNS[db]
        m = 128 // db
        h = m // 2
        for w in (512, 256, 128):
            vt = _vec(w, "epi32")
            n = w // db
            pre = (f"int blk = i / {m}, j = i % {m};\n"
                   f"int v = j < {h} ? {_L('a', st)}[blk * {h} + j] : {_L('b', st)}[blk * {h} + j - {h}];")
            for mode in ((None, "mask", "maskz") if w == 512 else (None,)):
                feat = ("avx512bw",) if w == 512 else (("avx2",) if w == 256 else (f128,))
                _def(_mname(w, mode, nm), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", vt)]),
                     _lanes(vt, dt, n, f"({dt})({_sat('v', lo, hi)})", mode, pre=pre), cat="convert", feat=feat,
                     instr=("V" if w > 128 else "") + f"PACK{'US' if 'us' in nm else 'SS'}{'DW' if sb == 32 else 'WB'}",
                     doc=f"Packs signed {sb}-bit integers of a and b into {db}-bit integers with "
                     f"{'unsigned' if 'us' in nm else 'signed'} saturation to [{lo}, {hi}], per 128-bit block: the low half "
                     f"of each block of dst comes from the same block of a, the high half from b.{_MDOC[mode]}")
    # half precision
    for w in (512, 256, 128):
        n = _n(w, "ps")
        svt = _ivec(n * 16)
        vt = _vec(w, "ps")
        for mode in ((None, "mask", "maskz") if w == 512 else (None,)):
            feat = ("avx512f",) if w == 512 or mode else ("f16c",)
            _def(_mname(w, mode, "cvtph_ps"), vt, _mparams(mode, vt, _mask(n), [_P("a", svt)]),
                 _lanes(vt, "float", n, "xp_f16_to_f32(XP_LANES(a, uint16_t)[i])", mode), cat="convert", feat=feat,
                 instr="VCVTPH2PS", doc=f"Converts the low {n} IEEE half-precision (16-bit) values of a to floats "
                 f"(exact; denormals are converted, not flushed).{_MDOC[mode]}")
            nd = _vbits(svt) // 16
            lines = [f"{svt} r;", "int rc = (rounding & 4) ? 0 : (rounding & 3);",
                     f"for (int i = 0; i < {nd}; ++i) XP_LANES(r, uint16_t)[i] = 0;", f"for (int i = 0; i < {n}; ++i) {{"]
            if mode == "mask":
                lines.append("  if (!((k >> i) & 1)) { XP_LANES(r, uint16_t)[i] = XP_LANES(src, uint16_t)[i]; continue; }")
            elif mode == "maskz":
                lines.append("  if (!((k >> i) & 1)) continue;")
            lines += ["  XP_LANES(r, uint16_t)[i] = xp_f32_to_f16(XP_LANES(a, float)[i], rc);", "}", "return r;"]
            _def(_mname(w, mode, "cvtps_ph"), svt,
                 _mparams(mode, svt, _mask(n), [_P("a", vt), _P("rounding", "const int", role="config",
                                                                doc="_MM_FROUND_* rounding control")]),
                 "\n".join(lines), cat="convert", feat=feat, instr="VCVTPS2PH", note=cvt_note,
                 doc=f"Converts the {n} floats of a to IEEE half precision, rounding per rounding[1:0] (0 nearest even, "
                 "1 down, 2 up, 3 toward zero) or MXCSR when rounding[2] is set; overflow gives inf or the largest finite "
                 f"half per the rounding direction, NaNs stay quiet NaNs{f'; lanes {n}..{nd - 1} of dst are zero' if nd > n else ''}."
                 f"{_MDOC[mode]}")
    _def("_cvtsh_ss", "float", [_P("a", "unsigned short")], "return xp_f16_to_f32(a);", cat="convert", feat=("f16c",),
         instr="VCVTPH2PS", doc="Converts one IEEE half-precision value (its bits in a) to a float.")
    _def("_cvtss_sh", "unsigned short", [_P("a", "float"), _P("rounding", "const int", role="config")],
         "return xp_f32_to_f16(a, (rounding & 4) ? 0 : (rounding & 3));", cat="convert", feat=("f16c",),
         instr="VCVTPS2PH", note=cvt_note, doc="Converts a float to IEEE half-precision bits with the given rounding control.")


def _fam_shuffle() -> None:
    # shuffle_ps / shuffle_pd (per 128-bit block)
    for w in (512, 256, 128):
        vt, n = _vec(w, "ps"), 16 * w // 512
        for mode in ((None, "mask", "maskz") if w == 512 else (None, "mask", "maskz")):
            feat = _legacy(w, "ps") if mode is None else _avx512(w, "ps")
            _def(_mname(w, mode, "shuffle_ps"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", vt), _P("imm8", "const int", role="config")]),
                 _lanes(vt, "float", n, "(j < 2 ? XP_LANES(a, float) : XP_LANES(b, float))[blk + ((imm8 >> (2 * j)) & 3)]", mode,
                        pre="int blk = i & ~3, j = i & 3;"), cat="shuffle", feat=feat, instr=("V" if w > 128 else "") + "SHUFPS",
                 doc="Shuffles floats within each 128-bit block: dst lanes 0,1 of a block select from a's block and lanes 2,3 "
                 f"from b's block, lane j taking element imm8[2j+1:2j].{_MDOC[mode]}")
        vt, n = _vec(w, "pd"), w // 64
        for mode in (None, "mask", "maskz"):
            feat = _legacy(w, "pd") if mode is None else _avx512(w, "pd")
            _def(_mname(w, mode, "shuffle_pd"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", vt), _P("imm8", "const int", role="config")]),
                 _lanes(vt, "double", n, "((i & 1) ? XP_LANES(b, double) : XP_LANES(a, double))[(i & ~1) + ((imm8 >> i) & 1)]", mode),
                 cat="shuffle", feat=feat, instr=("V" if w > 128 else "") + "SHUFPD",
                 doc="Shuffles doubles within each 128-bit block: even dst lane i takes a's block element imm8[i], odd lane "
                 f"i takes b's block element imm8[i].{_MDOC[mode]}")
    # shuffle_epi32 / shufflelo / shufflehi / shuffle_epi8
    for w in (512, 256, 128):
        vt = _vec(w, "epi32")
        n = w // 32
        for mode in (None, "mask", "maskz"):
            imm_t = "_MM_PERM_ENUM" if (w == 512 or mode) else "const int"
            feat = _legacy(w, "epi32") if mode is None else _avx512(w, "epi32")
            _def(_mname(w, mode, "shuffle_epi32"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("imm8", imm_t, role="config")]),
                 _lanes(vt, "int32_t", n, "XP_LANES(a, int32_t)[(i & ~3) + ((imm8 >> (2 * (i & 3))) & 3)]", mode),
                 cat="shuffle", feat=feat, instr=("V" if w > 128 else "") + "PSHUFD",
                 doc=f"Shuffles 32-bit integers within each 128-bit block: dst[4b + j] = a[4b + imm8[2j+1:2j]].{_MDOC[mode]}")
        n16 = w // 16
        for nm, lo in (("shufflelo_epi16", True), ("shufflehi_epi16", False)):
            sel = "(i & 7) < 4" if lo else "(i & 7) >= 4"
            base = "(i & ~7)" if lo else "(i & ~7) + 4"
            expr = f"({sel}) ? XP_LANES(a, int16_t)[{base} + ((imm8 >> (2 * (i & 3))) & 3)] : XP_LANES(a, int16_t)[i]"
            for mode in (None, "mask", "maskz"):
                feat = _legacy(w, "epi16") if mode is None else _avx512(w, "epi16")
                _def(_mname(w, mode, nm), vt, _mparams(mode, vt, _mask(n16), [_P("a", vt), _P("imm8", "const int", role="config")]),
                     _lanes(vt, "int16_t", n16, expr, mode), cat="shuffle", feat=feat,
                     instr=("V" if w > 128 else "") + ("PSHUFLW" if lo else "PSHUFHW"),
                     doc=f"Shuffles the {'low' if lo else 'high'} four 16-bit integers of each 128-bit block by imm8 "
                     f"(word j takes word imm8[2j+1:2j] of that half); the other four are copied.{_MDOC[mode]}")
        n8 = w // 8
        for mode in (None, "mask", "maskz"):
            feat = _avx512(w, "epi8") if (mode or w == 512) else (("avx2",) if w == 256 else ("ssse3",))
            _def(_mname(w, mode, "shuffle_epi8"), vt, _mparams(mode, vt, _mask(n8), [_P("a", vt), _P("b", vt)]),
                 _lanes(vt, "uint8_t", n8, "(XP_LANES(b, uint8_t)[i] & 0x80) ? (uint8_t)0 : XP_LANES(a, uint8_t)[(i & ~15) + (XP_LANES(b, uint8_t)[i] & 15)]", mode),
                 cat="shuffle", feat=feat, instr=("V" if w > 128 else "") + "PSHUFB",
                 doc="Byte shuffle within each 128-bit block: dst[i] = b[i] & 0x80 ? 0 : a[16 * (i / 16) + (b[i] & 15)]."
                 + _MDOC[mode])
    # permutexvar (full-width, index first)
    rows = [("ps", "float"), ("pd", "double"), ("epi32", "int32_t"), ("epi64", "int64_t"), ("epi16", "int16_t"), ("epi8", "int8_t")]
    for s, t in rows:
        b = _bits(s)
        it = _UNS[b]
        for w in (512, 256, 128):
            n = w // b
            if b == 64 and w == 128:
                continue
            if b >= 32 and w == 128:
                continue
            vt = _vec(w, s)
            ivt = _vec(w, "epi32")
            if s == "epi8":
                base_feat = ("avx512vbmi",) if w == 512 else ("avx512vbmi", "avx512vl")
            else:
                base_feat = _avx512(w, s)
            for mode in (None, "mask", "maskz"):
                _def(_mname(w, mode, f"permutexvar_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("idx", ivt), _P("a", vt)]),
                     _lanes(vt, t, n, f"{_L('a', t)}[{_L('idx', it)}[i] & {n - 1}]", mode), cat="shuffle", feat=base_feat,
                     instr=f"VPERM{'PS' if s == 'ps' else 'PD' if s == 'pd' else 'BWDQ'[[8, 16, 32, 64].index(b)]}",
                     doc=f"Full-width permute of packed {_DESC[s]}: dst[i] = a[idx[i] mod {n}] (lanes may cross "
                     f"128-bit blocks).{_MDOC[mode]}")
            # permutex2var
            sel = f"({_L('idx', it)}[i] & {n}) ? {_L('b', t)}[{_L('idx', it)}[i] & {n - 1}] : {_L('a', t)}[{_L('idx', it)}[i] & {n - 1}]"
            base = (f"Two-table permute of packed {_DESC[s]}: dst[i] = (idx[i] & {n}) ? b[idx[i] mod {n}] : a[idx[i] mod {n}] "
                    f"(selecting among the {2 * n} lanes of a and b).")
            ins = f"VPERMI2/VPERMT2{'PS' if s == 'ps' else 'PD' if s == 'pd' else 'BWDQ'[[8, 16, 32, 64].index(b)]}"
            _def(f"{_PRE[w]}_permutex2var_{s}", vt, [_P("a", vt), _P("idx", ivt), _P("b", vt)], _lanes(vt, t, n, sel),
                 cat="shuffle", feat=base_feat, instr=ins, doc=base)
            _def(f"{_PRE[w]}_mask_permutex2var_{s}", vt, [_P("a", vt), _P("k", _mask(n)), _P("idx", ivt), _P("b", vt)],
                 _lanes(vt, t, n, sel, "mask", src="a"), cat="shuffle", feat=base_feat, instr=ins,
                 doc=base + " Lanes whose bit in k is clear keep a.")
            _def(f"{_PRE[w]}_mask2_permutex2var_{s}", vt, [_P("a", vt), _P("idx", ivt), _P("k", _mask(n)), _P("b", vt)],
                 _lanes(vt, t, n, sel, "mask", src="idx"), cat="shuffle", feat=base_feat, instr=ins,
                 doc=base + " Lanes whose bit in k is clear keep idx (its bits, reinterpreted).")
            _def(f"{_PRE[w]}_maskz_permutex2var_{s}", vt, [_P("k", _mask(n)), _P("a", vt), _P("idx", ivt), _P("b", vt)],
                 _lanes(vt, t, n, sel, "maskz"), cat="shuffle", feat=base_feat, instr=ins, doc=base + _MDOC["maskz"])
    # permutexvar at 128 bits for 16/8-bit lanes handled above; AVX2 permutes
    for nm, vt, t in (("_mm256_permutevar8x32_ps", "__m256", "float"), ("_mm256_permutevar8x32_epi32", "__m256i", "int32_t")):
        _def(nm, vt, [_P("a", vt), _P("idx", "__m256i")], _lanes(vt, t, 8, f"{_L('a', t)}[XP_LANES(idx, uint32_t)[i] & 7]"),
             cat="shuffle", feat=("avx2",), instr="VPERMPS" if t == "float" else "VPERMD",
             doc="Full-width permute: dst[i] = a[idx[i] mod 8] (crosses 128-bit halves). Note the (a, idx) argument order.")
    for nm, vt, t in (("_mm256_permute4x64_pd", "__m256d", "double"), ("_mm256_permute4x64_epi64", "__m256i", "int64_t")):
        _def(nm, vt, [_P("a", vt), _P("imm8", "const int", role="config")],
             _lanes(vt, t, 4, f"{_L('a', t)}[(imm8 >> (2 * i)) & 3]"), cat="shuffle", feat=("avx2",),
             instr="VPERMPD" if t == "double" else "VPERMQ", doc="dst[i] = a[imm8[2i+1:2i]] over the four 64-bit lanes.")
    for s, t in (("pd", "double"), ("epi64", "int64_t")):
        for w in (512, 256):
            vt, n = _vec(w, s), w // 64
            for mode in (None, "mask", "maskz"):
                _def(_mname(w, mode, f"permutex_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("imm8", "const int", role="config")]),
                     _lanes(vt, t, n, f"{_L('a', t)}[(i & ~3) + ((imm8 >> (2 * (i & 3))) & 3)]", mode), cat="shuffle",
                     feat=_avx512(w, s), instr="VPERMPD" if s == "pd" else "VPERMQ",
                     doc=f"Permutes 64-bit lanes within each 256-bit half: dst[4h + j] = a[4h + imm8[2j+1:2j]].{_MDOC[mode]}")
    for nm, vt, t, f in (("_mm256_permute2f128_ps", "__m256", "float", "avx"), ("_mm256_permute2f128_pd", "__m256d", "double", "avx"),
                         ("_mm256_permute2f128_si256", "__m256i", "int32_t", "avx"), ("_mm256_permute2x128_si256", "__m256i", "int32_t", "avx2")):
        m = 4 if t != "double" else 2
        _def(nm, vt, [_P("a", vt), _P("b", vt), _P("imm8", "const int", role="config")],
             _lanes(vt, t, 2 * m, f"((imm8 >> (4 * h + 3)) & 1) ? ({t})0 : (sel < 2 ? {_L('a', t)} : {_L('b', t)})[(sel & 1) * {m} + i % {m}]",
                    pre=f"int h = i / {m}, sel = (imm8 >> (4 * h)) & 3;"),
             cat="shuffle", feat=(f,), instr="VPERM2F128" if f == "avx" else "VPERM2I128",
             doc="Selects each 128-bit half of dst from the four halves of a and b: half h = imm8[4h+1:4h] (0 a.lo, 1 a.hi, "
             "2 b.lo, 3 b.hi), or zero when imm8[4h+3] is set.")
    # in-lane permutes (permute_ps/pd, permutevar_ps/pd)
    for w in (512, 256, 128):
        vt, n = _vec(w, "ps"), w // 32
        f = _avx512(w, "ps") if w == 512 else ("avx",)
        for mode in ((None, "mask", "maskz") if w == 512 else (None,)):
            _def(_mname(w, mode, "permute_ps"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("imm8", "const int", role="config")]),
                 _lanes(vt, "float", n, "XP_LANES(a, float)[(i & ~3) + ((imm8 >> (2 * (i & 3))) & 3)]", mode), cat="shuffle",
                 feat=f, instr="VPERMILPS", doc=f"Permutes floats within each 128-bit block: dst[4b + j] = a[4b + imm8[2j+1:2j]].{_MDOC[mode]}")
            _def(_mname(w, mode, "permutevar_ps"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", _vec(w, "epi32"))]),
                 _lanes(vt, "float", n, "XP_LANES(a, float)[(i & ~3) + (XP_LANES(b, uint32_t)[i] & 3)]", mode), cat="shuffle",
                 feat=f, instr="VPERMILPS", doc=f"Permutes floats within each 128-bit block by per-lane control: "
                 f"dst[i] = a[4 * (i / 4) + (b[i] & 3)].{_MDOC[mode]}")
        vt, n = _vec(w, "pd"), w // 64
        for mode in ((None, "mask", "maskz") if w == 512 else (None,)):
            _def(_mname(w, mode, "permute_pd"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("imm8", "const int", role="config")]),
                 _lanes(vt, "double", n, "XP_LANES(a, double)[(i & ~1) + ((imm8 >> i) & 1)]", mode), cat="shuffle",
                 feat=f, instr="VPERMILPD", doc=f"Permutes doubles within each 128-bit block: dst[i] = a[2 * (i / 2) + imm8[i]].{_MDOC[mode]}")
            _def(_mname(w, mode, "permutevar_pd"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", _vec(w, "epi64"))]),
                 _lanes(vt, "double", n, "XP_LANES(a, double)[(i & ~1) + ((XP_LANES(b, uint64_t)[i] >> 1) & 1)]", mode),
                 cat="shuffle", feat=f, instr="VPERMILPD",
                 doc=f"Permutes doubles within each 128-bit block by bit 1 of each control lane: dst[i] = a[2 * (i / 2) + "
                 f"b[i][1]].{_MDOC[mode]}")
    # unpack
    for s in ("ps", "pd", "epi8", "epi16", "epi32", "epi64"):
        t = _lt(s)
        m = 128 // _bits(s)
        for hi in (False, True):
            nm = f"unpack{'hi' if hi else 'lo'}_{s}"
            off = f" + {m // 2}" if hi else ""
            for w in (512, 256, 128):
                vt, n = _vec(w, s), _n(w, s)
                for mode in (None, "mask", "maskz"):
                    feat = _legacy(w, s) if mode is None else _avx512(w, s)
                    _def(_mname(w, mode, nm), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", vt)]),
                         _lanes(vt, t, n, f"((i & 1) ? {_L('b', t)} : {_L('a', t)})[(i & ~{m - 1}) + (i % {m}) / 2{off}]", mode),
                         cat="shuffle", feat=feat, instr=("V" if w > 128 else "") + "UNPCK/PUNPCK",
                         doc=f"Interleaves the {'high' if hi else 'low'} halves of each 128-bit block of a and b "
                         f"({_DESC[s]}, m = {m} per block): within each block dst[2j] = a[j{' + ' + str(m // 2) if hi else ''}], "
                         f"dst[2j+1] = b[j{' + ' + str(m // 2) if hi else ''}] for j < {m // 2}.{_MDOC[mode]}")
    # alignr
    for w in (512, 256, 128):
        vt, n = _vec(w, "epi8"), w // 8
        feat = ("avx512bw",) if w == 512 else (("avx2",) if w == 256 else ("ssse3",))
        _def(f"{_PRE[w]}_alignr_epi8", vt, [_P("a", vt), _P("b", vt), _P("imm8", "const int", role="config", unit="bytes")],
             _lanes(vt, "uint8_t", n, "sh + j < 16 ? XP_LANES(b, uint8_t)[blk + sh + j] : sh + j < 32 ? "
                    "XP_LANES(a, uint8_t)[blk + sh + j - 16] : (uint8_t)0",
                    pre="unsigned int sh = (unsigned int)imm8 & 0xFFu, blk = (unsigned int)i & ~15u, j = (unsigned int)i & 15u;"),
             cat="shuffle", feat=feat, instr=("V" if w > 128 else "") + "PALIGNR",
             doc="Per 128-bit block, concatenates a (high) and b (low) into 32 bytes, shifts right by imm8 bytes and keeps "
             "the low 16: dst byte j = (b:a)[j + imm8], zero past the end.")
        for s, t in (("epi32", "uint32_t"), ("epi64", "uint64_t")):
            vt, n = _vec(w, s), _n(w, s)
            for mode in (None, "mask", "maskz"):
                _def(_mname(w, mode, f"alignr_{s}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", vt), _P("imm8", "const int", role="config", unit="lanes")]),
                     _lanes(vt, t, n, f"i + sh < {n} ? {_L('b', t)}[i + sh] : {_L('a', t)}[i + sh - {n}]", mode,
                            pre=f"int sh = imm8 & {n - 1};"), cat="shuffle", feat=_avx512(w, s),
                     instr=f"VALIGN{'D' if s == 'epi32' else 'Q'}",
                     doc=f"Concatenates a (high) and b (low) into {2 * n} {_bits(s)}-bit lanes, shifts right by imm8 mod {n} "
                     f"lanes and keeps the low {n}: dst[i] = (b:a)[i + imm8 mod {n}].{_MDOC[mode]}")
    # 128-bit block shuffles
    for s, nm, t in (("ps", "f32x4", "float"), ("pd", "f64x2", "double"), ("epi32", "i32x4", "int32_t"), ("epi64", "i64x2", "int64_t")):
        m = 128 // _bits(s)
        for w in (512, 256):
            vt, n = _vec(w, s), _n(w, s)
            if w == 512:
                expr = f"((i / {m}) < 2 ? {_L('a', t)} : {_L('b', t)})[((imm8 >> (2 * (i / {m}))) & 3) * {m} + i % {m}]"
                d = "dst blocks 0,1 take a's block imm8[1:0], imm8[3:2]; blocks 2,3 take b's block imm8[5:4], imm8[7:6]"
            else:
                expr = f"((i / {m}) < 1 ? {_L('a', t)} : {_L('b', t)})[((imm8 >> (i / {m})) & 1) * {m} + i % {m}]"
                d = "the low half of dst is a's half imm8[0], the high half is b's half imm8[1]"
            for mode in (None, "mask", "maskz"):
                _def(_mname(w, mode, f"shuffle_{nm}"), vt, _mparams(mode, vt, _mask(n), [_P("a", vt), _P("b", vt), _P("imm8", "const int", role="config")]),
                     _lanes(vt, t, n, expr, mode), cat="shuffle", feat=_avx512(w, s), instr=f"VSHUF{nm.upper()}",
                     doc=f"Shuffles whole 128-bit blocks: {d}.{_MDOC[mode]}")
    # dup / move
    rows = [
        ("movehdup_ps", "ps", "XP_LANES(a, float)[i | 1]", "dst[2j] = dst[2j+1] = a[2j+1] (duplicate odd lanes)"),
        ("moveldup_ps", "ps", "XP_LANES(a, float)[i & ~1]", "dst[2j] = dst[2j+1] = a[2j] (duplicate even lanes)"),
        ("movedup_pd", "pd", "XP_LANES(a, double)[i & ~1]", "dst[2j] = dst[2j+1] = a[2j] (duplicate even lanes)"),
    ]
    for nm, s, expr, d in rows:
        for w in (512, 256, 128):
            vt, n = _vec(w, s), _n(w, s)
            for mode in (None, "mask", "maskz"):
                feat = _avx512(w, s) if (mode or w == 512) else (("avx",) if w == 256 else ("sse3",))
                _def(_mname(w, mode, nm), vt, _mparams(mode, vt, _mask(n), [_P("a", vt)]), _lanes(vt, _lt(s), n, expr, mode),
                     cat="shuffle", feat=feat, instr="V" + nm.upper()[:-3] if w > 128 else nm.upper()[:-3], doc=d + "." + _MDOC[mode])
    rows = [
        ("_mm_movehl_ps", "__m128", "float", "i < 2 ? XP_LANES(b, float)[i + 2] : XP_LANES(a, float)[i]", "sse", "dst = {b[2], b[3], a[2], a[3]}."),
        ("_mm_movelh_ps", "__m128", "float", "i < 2 ? XP_LANES(a, float)[i] : XP_LANES(b, float)[i - 2]", "sse", "dst = {a[0], a[1], b[0], b[1]}."),
        ("_mm_move_ss", "__m128", "float", "i == 0 ? XP_LANES(b, float)[0] : XP_LANES(a, float)[i]", "sse", "dst = {b[0], a[1], a[2], a[3]}."),
        ("_mm_move_sd", "__m128d", "double", "i == 0 ? XP_LANES(b, double)[0] : XP_LANES(a, double)[i]", "sse2", "dst = {b[0], a[1]}."),
        ("_mm_move_epi64", "__m128i", "int64_t", "i == 0 ? XP_LANES(a, int64_t)[0] : 0", "sse2", "dst = {a[0], 0} (64-bit lanes)."),
    ]
    for nm, vt, t, expr, f, d in rows:
        ps = [_P("a", vt)] if nm == "_mm_move_epi64" else [_P("a", vt), _P("b", vt)]
        _def(nm, vt, ps, _lanes(vt, t, 16 // (8 if t in ("double", "int64_t") else 4), expr), cat="shuffle", feat=(f,),
             instr=nm[4:].upper().replace("_", ""), doc=d)
    _def("_mm_insert_ps", "__m128", [_P("a", "__m128"), _P("b", "__m128"), _P("imm8", "const int", role="config")],
         _lanes("__m128", "float", 4, "((imm8 >> i) & 1) ? 0.0f : i == ((imm8 >> 4) & 3) ? XP_LANES(b, float)[(imm8 >> 6) & 3] : XP_LANES(a, float)[i]"),
         cat="shuffle", feat=("sse4.1",), instr="INSERTPS",
         doc="dst = a with lane imm8[5:4] replaced by b[imm8[7:6]], then lanes whose bit in imm8[3:0] is set zeroed.")


def _fam_extract() -> None:
    rows = [  # (name, ret, arg type, lanes per part, lane type, index mask, feat)
        ("_mm512_extractf32x4_ps", "__m128", "__m512", 4, "float", 3, ("avx512f",)),
        ("_mm512_extracti32x4_epi32", "__m128i", "__m512i", 4, "int32_t", 3, ("avx512f",)),
        ("_mm512_extractf64x4_pd", "__m256d", "__m512d", 4, "double", 1, ("avx512f",)),
        ("_mm512_extracti64x4_epi64", "__m256i", "__m512i", 4, "int64_t", 1, ("avx512f",)),
        ("_mm512_extractf32x8_ps", "__m256", "__m512", 8, "float", 1, ("avx512dq",)),
        ("_mm512_extracti32x8_epi32", "__m256i", "__m512i", 8, "int32_t", 1, ("avx512dq",)),
        ("_mm512_extractf64x2_pd", "__m128d", "__m512d", 2, "double", 3, ("avx512dq",)),
        ("_mm512_extracti64x2_epi64", "__m128i", "__m512i", 2, "int64_t", 3, ("avx512dq",)),
        ("_mm256_extractf32x4_ps", "__m128", "__m256", 4, "float", 1, ("avx512f", "avx512vl")),
        ("_mm256_extracti32x4_epi32", "__m128i", "__m256i", 4, "int32_t", 1, ("avx512f", "avx512vl")),
        ("_mm256_extractf128_ps", "__m128", "__m256", 4, "float", 1, ("avx",)),
        ("_mm256_extractf128_pd", "__m128d", "__m256d", 2, "double", 1, ("avx",)),
        ("_mm256_extractf128_si256", "__m128i", "__m256i", 4, "int32_t", 1, ("avx",)),
        ("_mm256_extracti128_si256", "__m128i", "__m256i", 4, "int32_t", 1, ("avx2",)),
    ]
    for nm, rt, at, m, t, im, f in rows:
        _def(nm, rt, [_P("a", at), _P("imm8", "const int", role="config", unit=f"{_vbits(rt)}-bit parts")],
             _lanes(rt, t, m, f"{_L('a', t)}[(imm8 & {im}) * {m} + i]"), cat="layout", feat=f,
             instr="V" + nm.split("_")[2].upper(),
             doc=f"Extracts the {_vbits(rt)}-bit part number imm8 & {im} of a: dst[i] = a[(imm8 & {im}) * {m} + i].")
    rows = [  # (name, vec, part type, lanes per part, lane type, index mask, feat)
        ("_mm512_insertf32x4", "__m512", "__m128", 4, "float", 3, ("avx512f",)),
        ("_mm512_inserti32x4", "__m512i", "__m128i", 4, "int32_t", 3, ("avx512f",)),
        ("_mm512_insertf64x4", "__m512d", "__m256d", 4, "double", 1, ("avx512f",)),
        ("_mm512_inserti64x4", "__m512i", "__m256i", 4, "int64_t", 1, ("avx512f",)),
        ("_mm512_insertf32x8", "__m512", "__m256", 8, "float", 1, ("avx512dq",)),
        ("_mm512_inserti32x8", "__m512i", "__m256i", 8, "int32_t", 1, ("avx512dq",)),
        ("_mm512_insertf64x2", "__m512d", "__m128d", 2, "double", 3, ("avx512dq",)),
        ("_mm512_inserti64x2", "__m512i", "__m128i", 2, "int64_t", 3, ("avx512dq",)),
        ("_mm256_insertf32x4", "__m256", "__m128", 4, "float", 1, ("avx512f", "avx512vl")),
        ("_mm256_inserti32x4", "__m256i", "__m128i", 4, "int32_t", 1, ("avx512f", "avx512vl")),
        ("_mm256_insertf128_ps", "__m256", "__m128", 4, "float", 1, ("avx",)),
        ("_mm256_insertf128_pd", "__m256d", "__m128d", 2, "double", 1, ("avx",)),
        ("_mm256_insertf128_si256", "__m256i", "__m128i", 4, "int32_t", 1, ("avx",)),
        ("_mm256_inserti128_si256", "__m256i", "__m128i", 4, "int32_t", 1, ("avx2",)),
    ]
    for nm, vt, pt, m, t, im, f in rows:
        n = _vbits(vt) // (64 if t in ("double", "int64_t") else 32)
        _def(nm, vt, [_P("a", vt), _P("b", pt), _P("imm8", "const int", role="config", unit=f"{_vbits(pt)}-bit parts")],
             _lanes(vt, t, n, f"i / {m} == (imm8 & {im}) ? {_L('b', t)}[i % {m}] : {_L('a', t)}[i]"), cat="layout", feat=f,
             instr="V" + nm.split("_")[2].upper(),
             doc=f"Returns a with its {_vbits(pt)}-bit part number imm8 & {im} replaced by b.")
    # scalar element extract / insert
    rows = [  # (name, ret, vec, lane type, nlanes, idx type, feat, zero-extended ret type)
        ("_mm256_extract_epi8", "int", "__m256i", "uint8_t", 32, "int const", "avx"),
        ("_mm256_extract_epi16", "int", "__m256i", "uint16_t", 16, "int const", "avx"),
        ("_mm256_extract_epi32", "int", "__m256i", "int32_t", 8, "int const", "avx"),
        ("_mm256_extract_epi64", "long long", "__m256i", "int64_t", 4, "const int", "avx"),
        ("_mm_extract_epi8", "int", "__m128i", "uint8_t", 16, "const int", "sse4.1"),
        ("_mm_extract_epi16", "int", "__m128i", "uint16_t", 8, "const int", "sse2"),
        ("_mm_extract_epi32", "int", "__m128i", "int32_t", 4, "const int", "sse4.1"),
        ("_mm_extract_epi64", "long long", "__m128i", "int64_t", 2, "const int", "sse4.1"),
        ("_mm_extract_ps", "int", "__m128", "int32_t", 4, "const int", "sse4.1"),
    ]
    for nm, rt, vt, t, n, it, f in rows:
        _def(nm, rt, [_P("a", vt), _P("index" if nm.startswith("_mm256") else "imm8", it, role="config", unit="lanes")],
             f"return ({rt}){_L('a', t)}[{'index' if nm.startswith('_mm256') else 'imm8'} & {n - 1}];", cat="layout",
             feat=(f,), instr=("V" if "256" in nm else "") + "PEXTR/EXTRACTPS",
             doc=f"Returns lane (index mod {n}) of a" + (" zero-extended to int." if t.startswith("uint") else
                                                          " (the float's bit pattern as an int)." if nm == "_mm_extract_ps" else "."))
    rows = [
        ("_mm256_insert_epi8", "__m256i", "int8_t", 32, "int", "int const", "avx"),
        ("_mm256_insert_epi16", "__m256i", "int16_t", 16, "int", "int const", "avx"),
        ("_mm256_insert_epi32", "__m256i", "int32_t", 8, "int", "int const", "avx"),
        ("_mm256_insert_epi64", "__m256i", "int64_t", 4, "long long", "int const", "avx"),
        ("_mm_insert_epi8", "__m128i", "int8_t", 16, "int", "const int", "sse4.1"),
        ("_mm_insert_epi16", "__m128i", "int16_t", 8, "int", "const int", "sse2"),
        ("_mm_insert_epi32", "__m128i", "int32_t", 4, "int", "const int", "sse4.1"),
        ("_mm_insert_epi64", "__m128i", "int64_t", 2, "long long", "const int", "sse4.1"),
    ]
    for nm, vt, t, n, st, it, f in rows:
        ix = "index" if nm.startswith("_mm256") else "imm8"
        _def(nm, vt, [_P("a", vt), _P("i", st, doc="the new lane value (truncated to the lane width)"), _P(ix, it, role="config", unit="lanes")],
             _lanes(vt, t, n, f"q == ({ix} & {n - 1}) ? ({t})i : {_L('a', t)}[q]").replace("for (int i = 0;", "for (int q = 0;")
             .replace("i < ", "q < ", 1).replace("++i", "++q").replace(f"{_L('r', t)}[i]", f"{_L('r', t)}[q]"),
             cat="layout", feat=(f,), instr=("V" if "256" in nm else "") + "PINSR",
             doc=f"Returns a with lane (index mod {n}) replaced by the low {_ELEM['epi' + t[3:-2]][1] if t != 'int8_t' else 8} bits of i.")


def _fam_cast() -> None:
    kinds = {"ps": "float", "pd": "double", "si": "int64_t"}
    def vt(w, k):
        return _vec(w, {"ps": "ps", "pd": "pd", "si": "epi64"}[k])
    def nm(w, k):
        return {"ps": "ps", "pd": "pd", "si": f"si{w}"}[k]
    for w in (512, 256, 128):
        f = ("avx512f",) if w == 512 else (("avx",) if w == 256 else ("sse2",))
        for a in kinds:
            for b in kinds:
                if a == b:
                    continue
                _def(f"{_PRE[w]}_cast{nm(w, a)}_{nm(w, b)}", vt(w, b), [_P("a", vt(w, a))],
                     f"{vt(w, b)} r;\n" + _bytecopy("r", "a", w // 8) + "\nreturn r;", cat="convert", feat=f,
                     doc=f"Reinterprets the {w} bits of a as a {vt(w, b)} (no instruction, no value conversion).")
    for big, small in ((512, 256), (512, 128), (256, 128)):
        f = ("avx512f",) if big == 512 else ("avx",)
        for k in kinds:
            bn = {"ps": f"ps{big}", "pd": f"pd{big}", "si": f"si{big}"}[k]
            sn = {"ps": f"ps{small}", "pd": f"pd{small}", "si": f"si{small}"}[k]
            _def(f"{_PRE[big]}_cast{bn}_{sn}", vt(small, k), [_P("a", vt(big, k))],
                 f"{vt(small, k)} r;\n" + _bytecopy("r", "a", small // 8) + "\nreturn r;", cat="convert", feat=f,
                 doc=f"Returns the low {small} bits of a (no instruction).")
            _def(f"{_PRE[big]}_cast{sn}_{bn}", vt(big, k), [_P("a", vt(small, k))],
                 f"{vt(big, k)} r;\nfor (int i = 0; i < {big // 8}; ++i) ((char *)&r)[i] = 0;\n" + _bytecopy("r", "a", small // 8)
                 + "\nreturn r;", cat="convert", feat=f,
                 note=f"The upper {big - small} bits are undefined (often the stale register contents); the emulation zeroes them.",
                 doc=f"Widens a to {big} bits without an instruction: the low {small} bits are a, the upper bits are UNDEFINED "
                 f"(use _{_PRE[big][1:]}_zext{sn}_{bn} for zeros).")
            _def(f"{_PRE[big]}_zext{sn}_{bn}", vt(big, k), [_P("a", vt(small, k))],
                 f"{vt(big, k)} r;\nfor (int i = 0; i < {big // 8}; ++i) ((char *)&r)[i] = 0;\n" + _bytecopy("r", "a", small // 8)
                 + "\nreturn r;", cat="convert", feat=f,
                 doc=f"Widens a to {big} bits with the upper {big - small} bits zeroed.")


def _fam_reduce() -> None:
    fl = {"ps": ("float", 16), "pd": ("double", 8)}
    for s, (t, n) in fl.items():
        f = "f" if s == "ps" else ""
        inf = "INFINITY" if s == "ps" else "(double)INFINITY"
        ops = [("add", "q[i] + q[i + len]", "0.0" + f, "sum"),
               ("mul", "q[i] * q[i + len]", "1.0" + f, "product"),
               ("min", "q[i] < q[i + len] ? q[i] : q[i + len]", f"{inf}", "minimum"),
               ("max", "q[i] > q[i + len] ? q[i] : q[i + len]", f"-{inf}", "maximum")]
        for op, step, ident, what in ops:
            for masked in (False, True):
                init = f"((k >> i) & 1) ? {_L('a', t)}[i] : {ident}" if masked else f"{_L('a', t)}[i]"
                body = (f"{t} q[{n}];\nfor (int i = 0; i < {n}; ++i) q[i] = {init};\n"
                        f"for (int len = {n // 2}; len >= 1; len /= 2)\n  for (int i = 0; i < len; ++i) q[i] = {step};\n"
                        "return q[0];")
                _def(f"_mm512_{'mask_' if masked else ''}reduce_{op}_{s}", t,
                     ([_P("k", _mask(n))] if masked else []) + [_P("a", _vec(512, s))], body, cat="reduction",
                     feat=("avx512f",),
                     note=("Evaluated as Intel's pseudocode tree (lane i combined with lane i + len for len = "
                           f"{n // 2}, ..., 1); GCC 12 uses the same pairing"
                           + (" but as min/max(high, low), which can differ from this for signed zeros and NaNs."
                              if op in ("min", "max") else ".")),
                     doc=f"Returns the {what} of the {n} {_DESC[s]} of a{' selected by k (unselected lanes act as ' + ident + ')' if masked else ''}, "
                     f"reduced as a tree: q[i] = q[i] op q[i + len] for len = {n // 2}, {n // 4}, ..., 1 (a sequence of "
                     "instructions, not one; rounding follows that order).")
    ints = [("epi32", "int", 16, "int32_t", "uint32_t"), ("epi64", "long long", 8, "int64_t", "uint64_t")]
    for s, rt, n, st, ut in ints:
        ops = [("add", f"r + {_L('a', ut)}[i]", "0", ut, "sum (wrapping)"),
               ("mul", f"r * {_L('a', ut)}[i]", "1", ut, "product (wrapping)"),
               ("and", f"r & {_L('a', ut)}[i]", f"({ut})~({ut})0", ut, "bitwise AND"),
               ("or", f"r | {_L('a', ut)}[i]", "0", ut, "bitwise OR"),
               ("min", f"{_L('a', st)}[i] < r ? {_L('a', st)}[i] : r", "MAX", st, "signed minimum"),
               ("max", f"{_L('a', st)}[i] > r ? {_L('a', st)}[i] : r", "MIN", st, "signed maximum")]
        us = "epu" + s[3:]
        ops_u = [("min", f"{_L('a', ut)}[i] < r ? {_L('a', ut)}[i] : r", f"({ut})~({ut})0", ut, "unsigned minimum"),
                 ("max", f"{_L('a', ut)}[i] > r ? {_L('a', ut)}[i] : r", "0", ut, "unsigned maximum")]
        b = 32 if s == "epi32" else 64
        for sfx, oplist in ((s, ops), (us, ops_u)):
            for op, step, ident, at, what in oplist:
                ident_c = {"MAX": _SMAX[b], "MIN": _SMIN[b]}.get(ident, ident)
                ret = rt if sfx == s else ("unsigned int" if b == 32 else "unsigned long long")
                for masked in (False, True):
                    lines = [f"{at} r = {ident_c};", f"for (int i = 0; i < {n}; ++i)"]
                    lines.append(f"  if ((k >> i) & 1) r = {step};" if masked else f"  r = {step};")
                    lines.append(f"return ({ret})r;")
                    _def(f"_mm512_{'mask_' if masked else ''}reduce_{op}_{sfx}", ret,
                         ([_P("k", _mask(n))] if masked else []) + [_P("a", "__m512i")], "\n".join(lines), cat="reduction",
                         feat=("avx512f",),
                         doc=f"Returns the {what} of the {n} {b}-bit lanes of a"
                         f"{' selected by k (unselected lanes act as the identity)' if masked else ''} (an instruction sequence).")


def _fam_vnni() -> None:
    rows = [
        ("dpbusd", "uint8_t", "int8_t", 4, False,
         "dst[i] = src[i] + sum_{j<4} ZeroExtend(a.u8[4i+j]) * SignExtend(b.i8[4i+j]), wrapping mod 2^32 (a supplies "
         "UNSIGNED bytes, b SIGNED bytes)"),
        ("dpbusds", "uint8_t", "int8_t", 4, True,
         "dst[i] = saturate_int32(src[i] + sum_{j<4} ZeroExtend(a.u8[4i+j]) * SignExtend(b.i8[4i+j])) (a UNSIGNED bytes, "
         "b SIGNED bytes; the sum is exact before the signed saturation)"),
        ("dpwssd", "int16_t", "int16_t", 2, False,
         "dst[i] = src[i] + a.i16[2i] * b.i16[2i] + a.i16[2i+1] * b.i16[2i+1], wrapping mod 2^32"),
        ("dpwssds", "int16_t", "int16_t", 2, True,
         "dst[i] = saturate_int32(src[i] + a.i16[2i] * b.i16[2i] + a.i16[2i+1] * b.i16[2i+1]) (exact sum, then signed "
         "saturation)"),
    ]
    for op, at, bt, g, sat, formula in rows:
        if sat:
            pre = (f"int64_t acc = {_L('src', 'int32_t')}[i];\nfor (int j = 0; j < {g}; ++j)\n"
                   f"  acc += (int64_t)((int32_t){_L('a', at)}[{g} * i + j] * (int32_t){_L('b', bt)}[{g} * i + j]);")
            expr = "(int32_t)(acc < (-2147483647 - 1) ? (-2147483647 - 1) : acc > 2147483647 ? 2147483647 : acc)"
            lt = "int32_t"
        else:
            pre = (f"uint32_t acc = {_L('src', 'uint32_t')}[i];\nfor (int j = 0; j < {g}; ++j)\n"
                   f"  acc += (uint32_t)((int32_t){_L('a', at)}[{g} * i + j] * (int32_t){_L('b', bt)}[{g} * i + j]);")
            expr = "acc"
            lt = "uint32_t"
        instr = "VP" + op.upper()
        for w in (512, 256, 128):
            vt, n = _vec(w, "epi32"), w // 32
            mt = _mask(n)
            f = ("avx512vnni",) if w == 512 else ("avx512vl", "avx512vnni")
            sabc = [_P("src", vt, doc="accumulator"), _P("a", vt), _P("b", vt)]
            _def(f"{_PRE[w]}_{op}_epi32", vt, sabc, _lanes(vt, lt, n, expr, pre=pre), cat="dot", feat=f, instr=instr,
                 doc=f"VNNI dot-product accumulate over {n} 32-bit lanes: {formula}.")
            _def(f"{_PRE[w]}_mask_{op}_epi32", vt, [_P("src", vt, doc="accumulator"), _P("k", mt, doc="writemask"), _P("a", vt), _P("b", vt)],
                 _lanes(vt, lt, n, expr, "mask", pre=pre), cat="dot", feat=f, instr=instr,
                 doc=f"VNNI dot-product accumulate: {formula}; lanes whose bit in k is clear keep src.")
            _def(f"{_PRE[w]}_maskz_{op}_epi32", vt, [_P("k", mt, doc="zeromask")] + sabc,
                 _lanes(vt, lt, n, expr, "maskz", pre=pre), cat="dot", feat=f, instr=instr,
                 doc=f"VNNI dot-product accumulate: {formula}; lanes whose bit in k is clear are zeroed.")
            if w < 512:
                _def(f"{_PRE[w]}_{op}_avx_epi32", vt, sabc, _lanes(vt, lt, n, expr, pre=pre), cat="dot", feat=("avxvnni",),
                     instr=f"{{vex}} {instr}",
                     doc=f"AVX-VNNI (VEX-encoded) dot-product accumulate over {n} 32-bit lanes: {formula}. Same result as "
                     f"{_PRE[w]}_{op}_epi32 on CPUs with AVX-VNNI but no AVX-512.")


def _fam_misc() -> None:
    _def("_mm256_zeroupper", "void", [], "/* only clears the upper halves of the ymm registers: no C-visible effect */",
         cat="misc", feat=("avx",), instr="VZEROUPPER",
         doc="Zeroes bits 255:128 of all ymm registers to avoid AVX/SSE transition penalties; no effect on C values.")
    _def("_mm256_zeroall", "void", [], "/* clears all ymm registers: no C-visible effect */", cat="misc", feat=("avx",),
         instr="VZEROALL", doc="Zeroes all ymm registers; no effect on C values.")
    _def("_mm_prefetch", "void", [_P("p", "char const *"), _P("i", "int", role="config", doc="_MM_HINT_T0/T1/T2/NTA")],
         "(void)p; (void)i; /* a hint: no architectural effect */", cat="misc", feat=("sse",), instr="PREFETCHh",
         note="Declared with Intel's and clang's signature (char const *p, int i), which clang also knows as a builtin; "
         "GCC 12 spells it (const void *, enum _mm_hint).",
         doc="Prefetches the cache line containing p into the cache level given by the hint (_MM_HINT_T0, _T1, _T2, _NTA); "
         "never faults, no architectural effect.")
    for nm, f, ins, d in (("_mm_sfence", "sse", "SFENCE", "Orders all earlier stores before later stores (needed after "
                           "non-temporal stream stores)."),
                          ("_mm_lfence", "sse2", "LFENCE", "Serializes earlier loads before later loads."),
                          ("_mm_mfence", "sse2", "MFENCE", "Orders all earlier loads and stores before later ones."),
                          ("_mm_pause", "sse", "PAUSE", "Hints a spin-wait loop to the CPU.")):
        _def(nm, "void", [], "/* memory ordering / hint: no effect in a single-threaded emulation */", cat="sync",
             feat=(f,), instr=ins, doc=d)
    _def("_mm_popcnt_u32", "int", [_P("a", "unsigned int")],
         "int r = 0;\nfor (int i = 0; i < 32; ++i) r += (a >> i) & 1u;\nreturn r;", cat="scalar", feat=("popcnt",),
         instr="POPCNT", doc="Returns the number of set bits in a.")
    _def("_mm_popcnt_u64", "long long", [_P("a", "unsigned long long")],
         "long long r = 0;\nfor (int i = 0; i < 64; ++i) r += (a >> i) & 1ull;\nreturn r;", cat="scalar", feat=("popcnt",),
         instr="POPCNT", doc="Returns the number of set bits in a.")
    _def("_tzcnt_u32", "unsigned int", [_P("a", "unsigned int")],
         "unsigned int r = 0;\nwhile (r < 32 && !((a >> r) & 1u)) ++r;\nreturn r;", cat="scalar", feat=("bmi",),
         instr="TZCNT", doc="Returns the number of trailing zero bits of a (32 when a == 0).")
    _def("_tzcnt_u64", "unsigned long long", [_P("a", "unsigned long long")],
         "unsigned long long r = 0;\nwhile (r < 64 && !((a >> r) & 1ull)) ++r;\nreturn r;", cat="scalar", feat=("bmi",),
         instr="TZCNT", doc="Returns the number of trailing zero bits of a (64 when a == 0).")
    _def("_lzcnt_u32", "unsigned int", [_P("a", "unsigned int")],
         "unsigned int r = 0;\nwhile (r < 32 && !((a >> (31 - r)) & 1u)) ++r;\nreturn r;", cat="scalar", feat=("lzcnt",),
         instr="LZCNT", doc="Returns the number of leading zero bits of a (32 when a == 0).")
    _def("_lzcnt_u64", "unsigned long long", [_P("a", "unsigned long long")],
         "unsigned long long r = 0;\nwhile (r < 64 && !((a >> (63 - r)) & 1ull)) ++r;\nreturn r;", cat="scalar",
         feat=("lzcnt",), instr="LZCNT", doc="Returns the number of leading zero bits of a (64 when a == 0).")


for _fam in (_fam_set, _fam_broadcast, _fam_loadstore, _fam_gather, _fam_compress, _fam_farith, _fam_scalef, _fam_fma, _fam_hadd,
             _fam_iarith, _fam_cmp, _fam_kmask, _fam_blend, _fam_logic, _fam_shift, _fam_convert, _fam_shuffle,
             _fam_extract, _fam_cast, _fam_reduce, _fam_vnni, _fam_misc):
    _fam()

INTRINSICS: dict[str, Intrinsic] = table(*_ALL)
"""Every intrinsic of the dialect, by name."""

FEATURES: dict[str, tuple[str, ...]] = {
    name: tuple(it.overloads[0].arch.split(",")) for name, it in INTRINSICS.items()
}
"""Intrinsic name -> the CPU feature flags it needs (GCC -m / __builtin_cpu_supports spelling)."""

APPROXIMATE: dict[str, float] = {
    name: (2.0 ** -14 if "14" in name else 1.5 * 2.0 ** -12)
    for name in INTRINSICS if re.search(r"_(rcp|rsqrt)(14)?_(ps|pd|ss|sd)$", name)
}
"""Intrinsics whose hardware result is an approximation (the semantics give the correctly
rounded value): name -> the documented bound on the relative error (RCP14/RSQRT14: 2^-14;
RCPPS/RSQRTPS and the scalar forms: 1.5 * 2^-12)."""

UNDEFINED_RESULT: frozenset[str] = frozenset(name for name in INTRINSICS if "_undefined" in name)
"""Intrinsics whose result hardware leaves unspecified (the semantics return zeros)."""


# ---------------------------------------------------------------------------------------------
# Work counters (issue 18): what one call does, for the emulator's counters (runtime/gen.py)
# and bench/idiom.py's "share of arithmetic in vector intrinsics"
# ---------------------------------------------------------------------------------------------

WORK_FAMILIES = ("vector", "dot", "reduce", "convert", "load", "store")
"""Families of counted work: ``vector`` (element-wise, arithmetic, fused multiply-add, math:
the amount is active lanes), ``dot`` (the VNNI dot products: int32 lanes, each 4 u8 x s8 or 2
s16 x s16 multiply-accumulates), ``reduce`` (``_mm*_reduce_*``: input lanes), ``convert``
(lanes), ``load`` / ``store`` (bytes, nominal: a masked one counts its active lanes' bytes).
Shuffles, blends, compares, mask and bit operations, casts and sets are not counted."""

_WORK_CATEGORY = {"arith": "vector", "elementwise": "vector", "math": "vector", "dot": "dot", "reduction": "reduce",
                  "convert": "convert", "load": "load", "store": "store"}
_SUFFIX_BITS = {"ps": 32, "pd": 64, "ph": 16, "ss": 32, "sd": 64, "sh": 16, "pbh": 16}
_ELEM_NAME = {("epi", 8): "int8", ("epu", 8): "uint8", ("epi", 16): "int16", ("epu", 16): "uint16",
              ("epi", 32): "int32", ("epu", 32): "uint32", ("epi", 64): "int64", ("epu", 64): "uint64"}


def _vector_bits(ov: Overload) -> int:
    for t in [ov.ret] + [p.type for p in ov.params]:
        t = t.replace("const", "").strip()
        if t.startswith("__m") and not t.startswith("__mmask") and t in TYPES:
            return TYPES[t][0]
    return 0


def _elem(name: str) -> tuple[int, str]:
    """(bits, type name) of the lanes an intrinsic computes on, from its suffix."""
    m = re.search(r"_(epi|epu)(8|16|32|64)$", name)
    if m:
        bits = int(m.group(2))
        return bits, _ELEM_NAME[(m.group(1), bits)]
    m = re.search(r"_(ps|pd|ph|ss|sd|sh|pbh)$", name)
    if m:
        bits = _SUFFIX_BITS[m.group(1)]
        return bits, {32: "float", 64: "double", 16: "half"}[bits] if m.group(1) != "pbh" else "bf16"
    return 32, ""


def work(it: Intrinsic, ov: Overload) -> tuple[str, str] | None:
    """(family, C expression of the work one call does) for a generated intrinsic, or None for
    those that do no counted work (see WORK_FAMILIES). Lanes: the vector's width over the lane
    width its suffix names (``_ss``/``_sd``: one lane); a mask parameter counts its set bits."""
    family = _WORK_CATEGORY.get(it.category)
    if family is None:
        return None
    bits = _vector_bits(ov)
    if not bits:
        return None
    ebits, _ = _elem(it.name)
    if family == "dot":
        ebits = 32  # int32 accumulator lanes
    lanes = 1 if re.search(r"_(ss|sd|sh)$", it.name) else max(1, bits // ebits)
    mask = next((p.name for p in ov.params if p.type.strip().startswith("__mmask")), None)
    active = (f"(unsigned long long)__builtin_popcountll((unsigned long long)({mask}) & "
              f"{(1 << lanes) - 1 if lanes < 64 else (1 << 64) - 1}ull)") if mask else f"{lanes}ull"
    if family in ("load", "store"):
        if "gather" in it.name or "scatter" in it.name or "compress" in it.name or "expand" in it.name:
            return family, f"{active} * {ebits // 8}ull"
        return family, (f"{active} * {ebits // 8}ull" if mask else f"{bits // 8}ull")
    return family, active


def work_type_of(it: Intrinsic) -> tuple[str, int]:
    """(type name, bytes) of the lanes a call's work is counted under: "int8" for the u8 x s8
    dot products, "int16" for the s16 x s16 ones, else from the suffix (float, int32...)."""
    if it.category == "dot":
        return ("int8", 1) if "dpbusd" in it.name else ("int16", 2)
    bits, name = _elem(it.name)
    return name, bits // 8
