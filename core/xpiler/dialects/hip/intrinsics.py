"""HIP: what HIP has beyond or differently from CUDA (``reference/gpu.md`` §3.3, §4, §7, §8, §9).

HIP reuses CUDA's entries for everything it spells and means the same way: ``SHARED_WITH_CUDA``
lists those names (``dialects/__init__.py`` copies them from ``cuda/intrinsics.py``). This module
describes only what differs:

* 64-lane wavefronts (gfx9 / CDNA): the mask-less ``__shfl``/``__shfl_up``/``__shfl_down``/
  ``__shfl_xor`` with ``width = warpSize`` (64), their ``*_sync`` forms with a 64-bit mask, the
  64-bit ``__ballot``/``__activemask``, ``__any``/``__all``, ``__match_*``, ``__lane_id``,
  ``__syncwarp`` (a wavefront barrier);
* atomics with HIP's type sets (float/double min and max, ``unsigned long``) and
  ``unsafeAtomicAdd``/``safeAtomicAdd``;
* the ``__builtin_amdgcn_*`` cross-lane and barrier builtins and EVERY
  ``__builtin_amdgcn_mfma_*`` builtin of gfx908 / gfx90a / gfx942 (gpu.md §7.1), with the
  per-lane operand and result layouts of gpu.md §7.3 as pure Python (``mfma_layout``,
  ``mfma_a_element``, ``mfma_b_element``, ``mfma_c_element``);
* ``BUILTIN_VARS`` (``warpSize`` 64) and ``SPACES`` (LDS capacities per gfx target), complete,
  since the dialect loads only this module and libm for them;
* lane semantics of the wavefront functions (``Overload.collective``, ``kind="lanes"``, 64 lanes)
  and tile semantics of every MFMA builtin (``kind="tile"``: matrices, gathered from and
  scattered to the per-lane registers by the layout functions above).

MFMA operand types use the vector typedef names of gpu.md §7.1 / the LLVM tests (``v4f``,
``v16f``, ``v32f``, ``v4h``, ``v2s``, ``v4s``, ``v4i``, ``v16i``, ``v32i``, ``v4d``, ``v2f``), listed in
``VECTOR_TYPES``. Every one of them is a clang ``__attribute__((ext_vector_type(N)))`` vector;
g++ (the emulator) has no ext_vector_type and uses ``__attribute__((vector_size(N * sizeof(T))))``
with ``.x``/``.y`` swizzles rewritten to ``[0]``/``[1]`` (``vector_typedefs``). ``_Float16`` is the
element of ``v4h``; bfloat16 operands are raw ``short`` bits (``v2s``, ``v4s``); 8×8-bit operands
are one 64-bit ``long``.

HIP's bfloat16 type is ``__hip_bfloat16`` / ``__hip_bfloat162`` (``hip/hip_bf16.h``); the shared
CUDA entries spell it ``__nv_bfloat16`` (``TYPE_ALIASES``): the HIP prelude must make the two
names one type.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, NamedTuple, Optional

from ..base import BuiltinVar, Intrinsic, MemorySpace, Overload, Param, config, each, lanes, pointer, scalar, table
from ..cuda.intrinsics import GPU, _src

S, C, P = scalar, config, pointer


def _one(name, params, ret, sem, category, doc, source, *, arch=None, instances=({},), note="", **kw) -> Intrinsic:
    return Intrinsic(name, (Overload(tuple(params), ret=ret, instances=tuple(instances), semantics=sem, arch=arch,
                                     note=note),), category, doc, source=source, **kw)


TYPE_ALIASES: dict[str, str] = {"__hip_bfloat16": "__nv_bfloat16", "__hip_bfloat162": "__nv_bfloat162"}

# =============================================================================================
# Names HIP shares with CUDA unchanged (same signature and meaning): gpu.md §1.4, §1.6, §5, §9.
# =============================================================================================
_MODES = ("rn", "rz", "ru", "rd")
_HALF_FAMILY = (
    [f"__h{op}" for op in ("add", "sub", "mul", "div", "fma", "add_sat", "sub_sat", "mul_sat", "fma_sat", "add_rn",
                          "sub_rn", "mul_rn", "max", "min", "max_nan", "min_nan", "fma_relu", "neg", "abs")]
    + [f"__h{op}2" for op in ("add", "sub", "mul", "fma", "max", "min", "neg", "abs")]
    + [f"__h{op}2_{sfx}" for op, sfx in (("add", "sat"), ("sub", "sat"), ("mul", "sat"), ("fma", "sat"),
                                         ("add", "rn"), ("sub", "rn"), ("mul", "rn"), ("fma", "relu"),
                                         ("max", "nan"), ("min", "nan"))]
    + ["__h2div"]
    + [f"h{f}" for f in ("exp", "exp2", "exp10", "log", "log2", "log10", "sqrt", "rsqrt", "rcp", "sin", "cos",
                         "tanh", "ceil", "floor", "rint", "trunc")]
    + [f"h2{f}" for f in ("exp", "exp2", "exp10", "log", "log2", "log10", "sqrt", "rsqrt", "rcp", "sin", "cos",
                          "tanh", "ceil", "floor", "rint", "trunc")]
    + [f"__h{c}" for c in ("eq", "ne", "lt", "le", "gt", "ge", "equ", "neu", "ltu", "leu", "gtu", "geu")]
    + [f"__h{c}2" for c in ("eq", "ne", "lt", "le", "gt", "ge", "equ", "neu", "ltu", "leu", "gtu", "geu")]
    + [f"__hb{c}2" for c in ("eq", "ne", "lt", "le", "gt", "ge", "equ", "neu", "ltu", "leu", "gtu", "geu")]
    + [f"__h{c}2_mask" for c in ("eq", "ne", "lt", "le", "gt", "ge", "equ", "neu", "ltu", "leu", "gtu", "geu")]
    + ["__hisnan", "__hisnan2", "__hisinf"]
)
_CONV16 = []
for _pre in ("half", "bfloat16"):
    _CONV16 += [f"__float2{_pre}", f"__{_pre}2float", f"__double2{_pre}"]
    for _m in _MODES:
        _CONV16.append(f"__float2{_pre}_{_m}")
        for _it in ("int", "uint", "short", "ushort", "ll", "ull"):
            _CONV16 += [f"__{_it}2{_pre}_{_m}", f"__{_pre}2{_it}_{_m}"]
    for _it in ("short", "ushort"):
        _CONV16 += [f"__{_pre}_as_{_it}", f"__{_it}_as_{_pre}"]
_CONV16 += ["__float2half2_rn", "__floats2half2_rn", "__float22half2_rn", "__half22float2", "__low2half",
            "__high2half", "__low2half2", "__high2half2", "__lows2half2", "__highs2half2", "__halves2half2",
            "make_half2", "__half2half2", "__float2bfloat162_rn", "__floats2bfloat162_rn", "__float22bfloat162_rn",
            "__bfloat1622float2", "__low2bfloat16", "__high2bfloat16", "__low2bfloat162", "__high2bfloat162",
            "__lows2bfloat162", "__highs2bfloat162", "__halves2bfloat162", "make_bfloat162", "__bfloat162bfloat162",
            "__low2float", "__high2float", "__lowhigh2highlow"]
_CONV = []
for _m in _MODES:
    for _t in ("int", "uint", "ll", "ull"):
        _CONV += [f"__float2{_t}_{_m}", f"__double2{_t}_{_m}", f"__{_t}2float_{_m}"]
    _CONV += [f"__ll2double_{_m}", f"__ull2double_{_m}", f"__double2float_{_m}"]
_CONV += ["__int2double_rn", "__uint2double_rn", "__float_as_int", "__int_as_float", "__float_as_uint",
          "__uint_as_float", "__double_as_longlong", "__longlong_as_double", "__double2hiint", "__double2loint",
          "__hiloint2double"]

SHARED_WITH_CUDA: tuple[str, ...] = tuple(dict.fromkeys(
    # block barriers and fences: identical (HIP's barrier includes a fence), gpu.md §1.4, §1.6
    ["__syncthreads", "__syncthreads_count", "__syncthreads_and", "__syncthreads_or",
     "__threadfence_block", "__threadfence", "__threadfence_system"]
    # fast-math intrinsics and the round-to-nearest arithmetic (only _rn is mapped, gpu.md §9)
    + ["__expf", "__exp10f", "__logf", "__log2f", "__log10f", "__powf", "__sinf", "__cosf", "__tanf",
       "__sincosf", "__fdividef", "__saturatef", "__frsqrt_rn",
       "__fadd_rn", "__fsub_rn", "__fmul_rn", "__fmaf_rn", "__fdiv_rn", "__frcp_rn", "__fsqrt_rn",
       "__dadd_rn", "__dsub_rn", "__dmul_rn", "__ddiv_rn", "__drcp_rn", "__dsqrt_rn", "__fma_rn"]
    # device math beyond libm
    + ["rsqrtf", "rsqrt", "rcbrtf", "rcbrt", "exp10f", "exp10", "sinpif", "sinpi", "cospif", "cospi", "sincosf",
       "sincos", "sincospif", "sincospi", "erfinvf", "erfinv", "erfcinvf", "erfcinv", "normcdfinvf", "normcdfinv",
       "normcdff", "normcdf", "erfcxf", "erfcx", "fdividef", "rhypotf", "rhypot", "norm3df", "norm3d", "rnorm3df",
       "rnorm3d", "norm4df", "norm4d", "rnorm4df", "rnorm4d", "normf", "norm", "rnormf", "rnorm",
       "min", "max", "umin", "umax", "llmin", "llmax", "ullmin", "ullmax"]
    # integer intrinsics: "HIP implements all of the above under the same names" (gpu.md §5.3)
    + ["__popc", "__popcll", "__clz", "__clzll", "__ffs", "__ffsll", "__brev", "__brevll", "__byte_perm",
       "__mul24", "__umul24", "__mulhi", "__umulhi", "__mul64hi", "__umul64hi", "__sad", "__usad", "__uhadd",
       "__rhadd", "__urhadd", "__funnelshift_l", "__funnelshift_lc", "__funnelshift_r", "__funnelshift_rc",
       "__dp4a"]
    # conversions, half and bfloat16 (hip/hip_fp16.h, hip/hip_bf16.h keep CUDA's names; gpu.md §5.4, §9)
    + _CONV + _CONV16 + _HALF_FAMILY
    # read-only cache load
    + ["__ldg"]
))

# =============================================================================================
# 1. Wavefront (64-lane) cross-lane functions (gpu.md §3.3)
# =============================================================================================
_S33 = _src("§3.3", "HIP; HIPH")
SHFL_TYPES = ("int", "unsigned int", "long", "unsigned long", "long long", "unsigned long long", "float", "double")
_WIDTH = C("width", "int", "segment width in lanes, a power of two <= warpSize (64 on CDNA)", default="warpSize",
           unit="lanes")
_MASK = C("mask", "unsigned long long", "64-bit lane mask (the header static_asserts a 64-bit integer type)")
_SH = ("L = __lane_id(), w = width, segment start s = L & ~(w-1). Built on ds_bpermute: reading a lane that "
       "does not take part returns 0 on AMD (inferred for current hardware). 64-bit types move as two 32-bit "
       "shuffles. Unlike CUDA, delta / laneMask are not truncated to 5 bits.")
_SYNC = ("The _sync form (ROCm >= 6.2) takes a 64-bit mask (a 32-bit literal such as 0xffffffff fails the "
         "header's static_assert; on wave64 it would name lanes 0-31 only); every lane in mask must call it "
         "with the same mask. On wave32 the upper 32 bits are ignored.")
_I: list[Intrinsic] = []
for _n, _arg, _rule in (
        ("__shfl", S("srcLane", "int", unit="lanes"), "returns var of lane (srcLane & (w-1)) + s"),
        ("__shfl_up", S("delta", "unsigned int", unit="lanes"), "returns var of lane L - delta, or the caller's own var if "
                                                   "L - delta < s"),
        ("__shfl_down", S("delta", "unsigned int", unit="lanes"), "returns var of lane L + delta, or the caller's own var if "
                                                     "(L & (w-1)) + delta >= w"),
        ("__shfl_xor", S("laneMask", "int"), "returns var of lane L ^ laneMask, or the caller's own var if that "
                                              "is >= ((L + w) & ~(w-1)) (a later segment)")):
    _I.append(_one(_n, (S("var", "T"), _arg, _WIDTH), "T", None, "shuffle",
                   f"Wavefront shuffle without a mask (HIP's native form): {_rule}. " + _SH, _S33,
                   instances=each(T=SHFL_TYPES), emulation="runtime"))
    _I.append(_one(_n + "_sync", (_MASK, S("var", "T"), _arg, _WIDTH), "T", None, "shuffle",
                   f"{_n} restricted to the lanes in mask: {_rule}. " + _SH + " " + _SYNC, _S33,
                   instances=each(T=SHFL_TYPES), emulation="runtime",
                   note="HIP declares template <typename MaskT, typename T>; MaskT must be a 64-bit integer"))
_I += [
    _one("__all", (S("predicate", "int"),), "int", None, "vote",
         "Non-zero iff predicate != 0 for every active lane of the wavefront.", _S33, emulation="runtime"),
    _one("__any", (S("predicate", "int"),), "int", None, "vote",
         "Non-zero iff predicate != 0 for any active lane of the wavefront.", _S33, emulation="runtime"),
    _one("__ballot", (S("predicate", "int"),), "unsigned long long", None, "vote",
         "64-bit mask with bit n set iff lane n is active and its predicate != 0 (64 bits even on wave32, upper "
         "bits 0).", _S33, emulation="runtime"),
    _one("__activemask", (), "unsigned long long", None, "vote",
         "64-bit mask of the active lanes of the wavefront (upper 32 bits 0 on wave32).", _S33,
         emulation="runtime"),
    _one("__all_sync", (_MASK, S("predicate", "int")), "int", None, "vote",
         "Non-zero iff predicate != 0 for every lane in mask (= __ballot_sync(mask, predicate) == mask). " + _SYNC,
         _S33, emulation="runtime"),
    _one("__any_sync", (_MASK, S("predicate", "int")), "int", None, "vote",
         "Non-zero iff predicate != 0 for any lane in mask (= __ballot_sync(mask, predicate) != 0). " + _SYNC,
         _S33, emulation="runtime"),
    _one("__ballot_sync", (_MASK, S("predicate", "int")), "unsigned long long", None, "vote",
         "__ballot(predicate) & mask: 64-bit ballot restricted to mask. " + _SYNC, _S33, emulation="runtime"),
    _one("__match_any", (S("value", "T"),), "unsigned long long", None, "vote",
         "64-bit mask of the active lanes whose value equals the caller's (compared as values of T).", _S33,
         instances=each(T=SHFL_TYPES), emulation="runtime"),
    _one("__match_all", (S("value", "T"), P("pred", "int *", "out")), "unsigned long long", None, "vote",
         "If every active lane holds the same value: returns the active mask and sets *pred = 1; else returns 0 "
         "and sets *pred = 0.", _S33, instances=each(T=SHFL_TYPES), emulation="runtime"),
    _one("__match_any_sync", (_MASK, S("value", "T")), "unsigned long long", None, "vote",
         "__match_any(value) & mask. " + _SYNC, _S33, instances=each(T=SHFL_TYPES), emulation="runtime"),
    _one("__match_all_sync", (_MASK, S("value", "T"), P("pred", "int *", "out")), "unsigned long long", None,
         "vote", "__match_all over the lanes in mask (returns mask and *pred = 1 if all equal, else 0 and "
                 "*pred = 0). " + _SYNC, _S33, instances=each(T=SHFL_TYPES), emulation="runtime"),
    _one("__lane_id", (), "unsigned int", None, "misc",
         "The calling thread's lane in its wavefront, 0..warpSize-1 (mbcnt_hi(~0, mbcnt_lo(~0, 0))).", _S33,
         emulation="runtime"),
    Intrinsic("__syncwarp", (
        Overload((), semantics=None, note="wavefront barrier with release/acquire fences"),
        Overload((_MASK,), semantics=None, note="mask must be a 64-bit integer (static_assert); otherwise ignored"),
    ), "sync", "Wavefront barrier: release fence, wave barrier, acquire fence. The mask form requires a 64-bit mask "
               "(static_assert) and otherwise ignores it (AMD wavefronts execute in lockstep).",
        source=_src("§1.5", "HIPH"), emulation="runtime"),
]

# ---------------------------------------------------------------------------------------------
# Lane semantics of the wavefront functions above (base.lanes), from amd_warp_functions.h and
# amd_warp_sync_functions.h (gpu.md §3.3): int arithmetic on the lane index, ds_bpermute reading
# lanes modulo the wavefront, 0 from a lane that does not execute the call; the _sync forms are
# the native ones after the mask check (__ballot_sync = __ballot & mask, __all_sync = ballot ==
# mask, __any_sync = ballot != 0, __match_any_sync = __match_any & mask). Matches compare with
# T's == (a NaN matches nothing; __match_any with a NaN never leaves its loop: undefined).
# ---------------------------------------------------------------------------------------------
WARP_SIZE = 64  # lanes of a CDNA (gfx9) wavefront, the emulated target: warp_size in the lane semantics

_HIP_SRC = {  # source lane j of caller `lane`, as the header computes it
    "__shfl": "int j = (srcLane[lane] & (width - 1)) + (lane & ~(width - 1));",
    "__shfl_up": "int j = (int)((unsigned int)lane - delta[lane]);\n  if (j < (lane & ~(width - 1))) j = lane;",
    "__shfl_down": ("int j = (int)((unsigned int)lane + delta[lane]);\n"
                    "  if ((int)((unsigned int)(lane & (width - 1)) + delta[lane]) >= width) j = lane;"),
    "__shfl_xor": "int j = lane ^ laneMask[lane];\n  if (j >= ((lane + width) & ~(width - 1))) j = lane;",
}


def shfl_lanes(name: str) -> str:
    """HIP shuffle ``name`` (the _sync form is the same after its mask check)."""
    return (f"for (int lane = 0; lane < warp_size; ++lane) {{\n  if (!active[lane]) continue;\n"
            f"  if (width < 1 || width > warp_size || (width & (width - 1)) != 0) {{ undefined[lane] = 1; continue; }}\n"
            f"  {_HIP_SRC[name]}\n  j &= warp_size - 1;  /* ds_bpermute: lane index modulo the wavefront */\n"
            "  result[lane] = active[j] ? var[j] : 0;\n}")


def vote_lanes(op: str, masked: bool) -> str:
    """__all / __any / __ballot (64-bit) over the active lanes; the _sync forms through the ballot & mask."""
    ballot = ("unsigned long long b = 0;\nfor (int l = 0; l < warp_size; ++l)\n"
              "  if (active[l] && predicate[l]) b |= 1ull << l;\n")
    act = "unsigned long long act = 0;\nfor (int l = 0; l < warp_size; ++l)\n  if (active[l]) act |= 1ull << l;\n"
    if masked:
        value = {"ballot": "b & mask", "all": "(b & mask) == mask", "any": "(b & mask) != 0"}[op]
    else:
        value = {"ballot": "b", "all": "b == act", "any": "b != 0", "activemask": "act"}[op]
    head = (ballot if op != "activemask" else "") + (act if "act" in value else "")
    return head + f"for (int lane = 0; lane < warp_size; ++lane)\n  if (active[lane]) result[lane] = {value};"


def match_lanes(op: str, masked: bool) -> str:
    """__match_any / __match_all (and _sync) with T's ==, as the header's loops."""
    keep = " & mask" if masked else ""
    if op == "any":
        return ("int nan = 0;\nfor (int l = 0; l < warp_size; ++l)\n  if (active[l] && value[l] != value[l]) nan = 1;\n"
                "for (int lane = 0; lane < warp_size; ++lane) {\n  if (!active[lane]) continue;\n"
                "  if (nan) { undefined[lane] = 1; continue; }  /* the header's loop never ends */\n"
                "  unsigned long long m = 0;\n  for (int l = 0; l < warp_size; ++l)\n"
                "    if (active[l] && value[l] == value[lane]) m |= 1ull << l;\n"
                f"  result[lane] = m{keep};\n}}")
    return ("int first = -1, all = 1;\nunsigned long long act = 0;\nfor (int l = 0; l < warp_size; ++l) {\n"
            "  if (!active[l]) continue;\n  act |= 1ull << l;\n  if (first < 0) first = l;\n"
            "  if (!(value[first] == value[l])) all = 0;\n}\n"
            "for (int lane = 0; lane < warp_size; ++lane) {\n  if (!active[lane]) continue;\n"
            "  result[lane] = all ? act : 0;\n  pred[lane] = all;\n}")


def _lane_semantics(it: Intrinsic) -> Intrinsic:
    """The entry with its lane semantics attached, or unchanged."""
    n = it.name
    masked = n.endswith("_sync")
    base = n[:-5] if masked else n
    if base in _HIP_SRC:
        body = shfl_lanes(base)
    elif base in ("__all", "__any", "__ballot", "__activemask"):
        body = vote_lanes(base[2:], masked)
    elif base in ("__match_any", "__match_all"):
        body = match_lanes(base[8:], masked)
    elif n == "__lane_id":
        body = "for (int lane = 0; lane < warp_size; ++lane)\n  if (active[lane]) result[lane] = lane;"
    else:
        return it
    return replace(it, overloads=tuple(replace(ov, collective=lanes(ov.params, ov.ret, body)) for ov in it.overloads))


_I = [_lane_semantics(it) for it in _I]

# =============================================================================================
# 2. Atomics with HIP's type sets (gpu.md §4)
# =============================================================================================
_S4 = _src("§4", "HIP; HIPH")
_ATOM = ("One indivisible read-modify-write of *address (global or shared memory) returning the old value; relaxed "
         "ordering, device scope (the _system variant: system scope).")
_ADD_SET = ("int", "unsigned int", "unsigned long", "unsigned long long", "float", "double")
_INTS = ("int", "unsigned int", "unsigned long", "unsigned long long")


def _rmw(expr: str) -> str:
    return f"T old = *address; *address = {expr}; return old;"


_INT_WRAP = "T old = *address; *address = (T)((unsigned int)old {op} (unsigned int)val); return old;"


def _aov(types, sem, extra=(), note="") -> Overload:
    return Overload((P("address", "T *", "inout", "global|shared"),) + tuple(extra) + (S("val", "T"),), ret="T",
                    instances=each(T=types), semantics=sem, note=note)


def _atomic(name: str, doc: str, ovs: list[Overload]) -> list[Intrinsic]:
    return [Intrinsic(name, tuple(ovs), "atomic", doc + " " + _ATOM, source=_S4, emulation="runtime"),
            Intrinsic(name + "_system", tuple(ovs), "atomic",
                      f"{name} with system scope (atomic also with respect to the host and peer devices). " + doc,
                      source=_S4, alias_of=name, emulation="runtime")]


_FP = ("Floating-point forms: with -munsafe-fp-atomics (or unsafeAtomicAdd) the hardware float atomics may flush "
       "denormals and round differently; the default is a CAS loop.")
_I += _atomic("atomicAdd", "Stores old + val. " + _FP, [
    _aov(("int",), _INT_WRAP.format(op="+")),
    _aov(("unsigned int", "unsigned long", "unsigned long long", "float", "double"), _rmw("old + val"))])
_I += _atomic("atomicSub", "Stores old - val.", [
    _aov(("int",), _INT_WRAP.format(op="-")),
    _aov(("unsigned int", "unsigned long", "unsigned long long", "float", "double"), _rmw("old - val"))])
_I += _atomic("atomicExch", "Stores val, returns the old value.", [_aov(_ADD_SET, _rmw("val"))])
_I += _atomic("atomicMin", "Stores min(old, val); unlike CUDA also for float and double.", [
    _aov(_ADD_SET + ("long long",), _rmw("val < old ? val : old"),
         note="float/double: a NaN val leaves old unchanged in this snippet (NaN handling of the hardware "
              "min is not in gpu.md; inferred)")])
_I += _atomic("atomicMax", "Stores max(old, val); unlike CUDA also for float and double.", [
    _aov(_ADD_SET + ("long long",), _rmw("val > old ? val : old"),
         note="float/double: a NaN val leaves old unchanged in this snippet (inferred)")])
_I += _atomic("atomicInc", "Stores (old >= val) ? 0 : old + 1, as CUDA (the HIP doc shows no limit argument; the "
                           "header has it). Example: *a == 7, atomicInc(a, 7) returns 7, stores 0.", [
    _aov(("unsigned int",), _rmw("(old >= val) ? 0u : old + 1u"))])
_I += _atomic("atomicDec", "Stores ((old == 0) || (old > val)) ? val : old - 1, as CUDA.", [
    _aov(("unsigned int",), _rmw("((old == 0u) || (old > val)) ? val : old - 1u"))])
_I += _atomic("atomicCAS", "Compare-and-swap: stores (old == compare) ? val : old, returns old. Floating types "
                           "compare bit patterns.", [
    _aov(_INTS, "T old = *address; if (old == compare) *address = val; return old;", extra=(S("compare", "T"),)),
    _aov(("float", "double"), "T old = *address; bool eq = true; for (int i_ = 0; i_ < (int)sizeof(T); ++i_) "
                              "if (((const char *)&old)[i_] != ((const char *)&compare)[i_]) eq = false; "
                              "if (eq) *address = val; return old;", extra=(S("compare", "T"),),
         note="bitwise compare (so a NaN compare value can match)")])
for _n, _sym in (("atomicAnd", "&"), ("atomicOr", "|"), ("atomicXor", "^")):
    _I += _atomic(_n, f"Stores old {_sym} val.", [_aov(_INTS, _rmw(f"old {_sym} val"))])
_I += [
    Intrinsic("unsafeAtomicAdd", (_aov(("float", "double"), _rmw("old + val")),), "atomic",
              "atomicAdd that always uses the hardware floating-point atomic (fast; may flush denormals and, on "
              "fine-grained memory, may not be atomic). " + _ATOM, source=_S4, emulation="runtime"),
    Intrinsic("safeAtomicAdd", (_aov(("float", "double"), _rmw("old + val")),), "atomic",
              "atomicAdd forced to the CAS-loop implementation (IEEE rounding, denormals kept). " + _ATOM,
              source=_S4, emulation="runtime"),
]

# =============================================================================================
# 3. __builtin_amdgcn_* cross-lane and barrier builtins ([LLVM] BuiltinsAMDGPU.def @ 004a3b94)
# =============================================================================================
_LLVM = "[LLVM] clang/include/clang/Basic/BuiltinsAMDGPU.def @ 004a3b94 (signature; not in gpu.md's text)"
_I += [
    _one("__builtin_amdgcn_ds_bpermute", (S("index", "int", "byte address of the source lane: 4 * lane", unit="bytes"),
                                          S("src", "int")), "int", None, "shuffle",
         "Backward permute through the LDS crossbar (no LDS memory used): returns src of lane (index >> 2) & 63 "
         "(wave64). Reading an inactive lane returns 0. The primitive under every HIP shuffle.",
         _src("§3.3", "LLVM; RUST"), emulation="runtime"),
    _one("__builtin_amdgcn_ds_swizzle", (S("src", "int"), C("pattern", "int", "16-bit constant offset")), "int",
         None, "shuffle",
         "Swizzles src across lanes by a constant pattern. pattern bit 15 = 1 (quad mode): lane L reads lane "
         "(L & ~3) + ((pattern >> 2·(L & 3)) & 3). Bit 15 = 0 (bit mode, within groups of 32 lanes): and_mask = "
         "bits 0-4, or_mask = bits 5-9, xor_mask = bits 10-14, lane L reads ((L & and_mask) | or_mask) ^ xor_mask "
         "of its group. Inactive sources read 0 (GCN ISA manual, DS_SWIZZLE_B32; not in gpu.md).", _LLVM,
         emulation="runtime"),
    _one("__builtin_amdgcn_readfirstlane", (S("src", "int"),), "int", None, "shuffle",
         "src of the lowest-numbered active lane, as a wavefront-uniform value.", _LLVM, emulation="runtime"),
    _one("__builtin_amdgcn_readlane", (S("src", "int"), S("lane", "int", "must be wavefront-uniform", unit="lanes")), "int", None,
         "shuffle", "src of the given lane, as a wavefront-uniform value.", _LLVM, emulation="runtime"),
    _one("__builtin_amdgcn_mbcnt_lo", (S("mask", "unsigned int"), S("acc", "unsigned int")), "unsigned int", None,
         "misc", "acc + the number of set bits of mask (lanes 0-31) below the calling lane: popcount(mask & ((1 << "
                 "min(L, 32)) - 1)). mbcnt_hi(~0u, mbcnt_lo(~0u, 0u)) is the lane id.", _LLVM,
         emulation="runtime"),
    _one("__builtin_amdgcn_mbcnt_hi", (S("mask", "unsigned int"), S("acc", "unsigned int")), "unsigned int", None,
         "misc", "acc + the number of set bits of mask (as lanes 32-63) below the calling lane: popcount(mask & "
                 "((1 << max(L - 32, 0)) - 1)).", _LLVM, emulation="runtime"),
    _one("__builtin_amdgcn_read_exec", (), "unsigned long", None, "vote",
         "The 64-bit EXEC mask (active lanes) of the wavefront.", _LLVM, emulation="runtime"),
    _one("__builtin_amdgcn_s_barrier", (), "void", None, "sync",
         "Workgroup execution barrier (s_barrier) without a memory fence; __syncthreads adds the fences.", _LLVM,
         emulation="runtime"),
    _one("__builtin_amdgcn_wave_barrier", (), "void", None, "sync",
         "Wavefront-level scheduling barrier (a compiler barrier: the wave already runs in lockstep).", _LLVM,
         emulation="runtime"),
    _one("__builtin_amdgcn_fence", (C("order", "unsigned int", "__ATOMIC_* ordering"),
                                    C("scope", "const char *", "\"workgroup\", \"agent\", \"wavefront\" or \"\" "
                                                               "(system)")), "void", None, "sync",
         "Memory fence with the given C11 ordering and synchronisation scope.", _LLVM, emulation="runtime"),
]

# =============================================================================================
# 4. MFMA builtins (gpu.md §7)
# =============================================================================================
VECTOR_TYPES: dict[str, tuple[str, int]] = {
    "v2f": ("float", 2), "v4f": ("float", 4), "v16f": ("float", 16), "v32f": ("float", 32),
    "v4h": ("_Float16", 4), "v2s": ("short", 2), "v4s": ("short", 4),
    "v4i": ("int", 4), "v16i": ("int", 16), "v32i": ("int", 32), "v4d": ("double", 4),
}


_ELEM_BYTES = {"float": 4, "double": 8, "_Float16": 2, "short": 2, "int": 4}


def vector_typedefs(style: str = "ext_vector_type", only: Optional[Iterable[str]] = None) -> str:
    """The typedefs of VECTOR_TYPES (``only`` those named): clang's ``ext_vector_type(N)``,
    g++'s ``vector_size`` (``style="vector_size"``) or GCC's with the byte count written out
    (``style="bytes"``: ``__vector_size__(16)``, what ``retarget`` turns into structs)."""
    out = []
    for name, (elem, n) in VECTOR_TYPES.items():
        if only is not None and name not in only:
            continue
        attr = {"ext_vector_type": f"ext_vector_type({n})", "bytes": f"__vector_size__({n * _ELEM_BYTES[elem]})"
                }.get(style, f"vector_size({n} * sizeof({elem}))")
        out.append(f"typedef {elem} {name} __attribute__(({attr}));")
    return "\n".join(out)


class Mfma(NamedTuple):
    """One MFMA builtin: D = A·B + C per block, on a wave64 (gpu.md §7.1, §7.3)."""

    name: str  # the full builtin name
    m: int
    n: int
    k: int
    blocks: int
    ab_type: str  # C type of the A and B operands
    cd_type: str  # C type of C and D
    in_kind: str  # element kind of A/B: "f32", "f16", "bf16", "i8", "f64", "xf32", "fp8", "bf8", "fp8_bf8"...
    arch: tuple[str, ...]  # gfx targets that have it
    feature: str  # clang target feature

    @property
    def e(self) -> int:
        """A (and B) elements per lane: E = K·M·B / 64."""
        return self.k * self.m * self.blocks // 64

    @property
    def registers(self) -> int:
        """Elements of the C/D vector per lane (doubles for FP64)."""
        return self.m * self.n * self.blocks // 64

    @property
    def fp64(self) -> bool:
        return self.in_kind == "f64"


def _mf(suffix, m, n, k, b, ab, cd, kind, arch, feature="mai-insts") -> Mfma:
    return Mfma("__builtin_amdgcn_mfma_" + suffix, m, n, k, b, ab, cd, kind, arch, feature)


_ALL3 = ("gfx908", "gfx90a", "gfx942")
_CDNA12 = ("gfx908", "gfx90a")
_CDNA23 = ("gfx90a", "gfx942")
_CDNA3 = ("gfx942",)
MFMA: dict[str, Mfma] = {f.name: f for f in [
    _mf("f32_32x32x1f32", 32, 32, 1, 2, "float", "v32f", "f32", _ALL3),
    _mf("f32_16x16x1f32", 16, 16, 1, 4, "float", "v16f", "f32", _ALL3),
    _mf("f32_4x4x1f32", 4, 4, 1, 16, "float", "v4f", "f32", _ALL3),
    _mf("f32_32x32x2f32", 32, 32, 2, 1, "float", "v16f", "f32", _ALL3),
    _mf("f32_16x16x4f32", 16, 16, 4, 1, "float", "v4f", "f32", _ALL3),
    _mf("f32_32x32x4f16", 32, 32, 4, 2, "v4h", "v32f", "f16", _ALL3),
    _mf("f32_16x16x4f16", 16, 16, 4, 4, "v4h", "v16f", "f16", _ALL3),
    _mf("f32_4x4x4f16", 4, 4, 4, 16, "v4h", "v4f", "f16", _ALL3),
    _mf("f32_32x32x8f16", 32, 32, 8, 1, "v4h", "v16f", "f16", _ALL3),
    _mf("f32_16x16x16f16", 16, 16, 16, 1, "v4h", "v4f", "f16", _ALL3),
    _mf("i32_32x32x4i8", 32, 32, 4, 2, "int", "v32i", "i8", _ALL3),
    _mf("i32_16x16x4i8", 16, 16, 4, 4, "int", "v16i", "i8", _ALL3),
    _mf("i32_4x4x4i8", 4, 4, 4, 16, "int", "v4i", "i8", _ALL3),
    _mf("i32_32x32x8i8", 32, 32, 8, 1, "int", "v16i", "i8", _CDNA12),
    _mf("i32_16x16x16i8", 16, 16, 16, 1, "int", "v4i", "i8", _CDNA12),
    _mf("i32_32x32x16_i8", 32, 32, 16, 1, "long", "v16i", "i8", _CDNA3),
    _mf("i32_16x16x32_i8", 16, 16, 32, 1, "long", "v4i", "i8", _CDNA3),
    _mf("f32_32x32x2bf16", 32, 32, 2, 2, "v2s", "v32f", "bf16", _CDNA12),
    _mf("f32_16x16x2bf16", 16, 16, 2, 4, "v2s", "v16f", "bf16", _CDNA12),
    _mf("f32_4x4x2bf16", 4, 4, 2, 16, "v2s", "v4f", "bf16", _CDNA12),
    _mf("f32_32x32x4bf16", 32, 32, 4, 1, "v2s", "v16f", "bf16", _CDNA12),
    _mf("f32_16x16x8bf16", 16, 16, 8, 1, "v2s", "v4f", "bf16", _CDNA12),
    _mf("f32_32x32x4bf16_1k", 32, 32, 4, 2, "v4s", "v32f", "bf16", _CDNA23),
    _mf("f32_16x16x4bf16_1k", 16, 16, 4, 4, "v4s", "v16f", "bf16", _CDNA23),
    _mf("f32_4x4x4bf16_1k", 4, 4, 4, 16, "v4s", "v4f", "bf16", _CDNA23),
    _mf("f32_32x32x8bf16_1k", 32, 32, 8, 1, "v4s", "v16f", "bf16", _CDNA23),
    _mf("f32_16x16x16bf16_1k", 16, 16, 16, 1, "v4s", "v4f", "bf16", _CDNA23),
    _mf("f64_16x16x4f64", 16, 16, 4, 1, "double", "v4d", "f64", _CDNA23),
    _mf("f64_4x4x4f64", 4, 4, 4, 4, "double", "double", "f64", _CDNA23),
    _mf("f32_32x32x4_xf32", 32, 32, 4, 1, "v2f", "v16f", "xf32", _CDNA3),
    _mf("f32_16x16x8_xf32", 16, 16, 8, 1, "v2f", "v4f", "xf32", _CDNA3),
] + [_mf(f"f32_{shape}_{a}_{b}", mm, mm, kk, 1, "long", cd, f"{a}_{b}", _CDNA3, "fp8-insts")
     for shape, mm, kk, cd in (("16x16x32", 16, 32, "v4f"), ("32x32x16", 32, 16, "v16f"))
     for a in ("bf8", "fp8") for b in ("bf8", "fp8")]}

_KIND_DOC = {
    "f32": "float inputs, float accumulation",
    "f16": "four _Float16 per lane (v4h), float accumulation",
    "bf16": "bfloat16 inputs as raw short bits (v2s: 2, v4s: 4 per lane), float accumulation",
    "i8": "signed 8-bit inputs packed in an int (4 per lane) or a long (8 per lane), byte s = slot s, int32 "
          "accumulation (wrapping)",
    "f64": "double inputs and accumulation, round-to-nearest-even (FP64 MFMA is IEEE-rounded, gpu.md §7.4)",
    "xf32": "xf32: two floats per lane (v2f) used at reduced (tf32-like) precision, float accumulation",
}


def _mfma_doc(f: Mfma) -> str:
    kind = _KIND_DOC.get(f.in_kind) or (
        f"8-bit floating inputs, A {f.in_kind.split('_')[0].upper()} and B {f.in_kind.split('_')[1].upper()} "
        "(FNUZ encodings: no -0, one NaN), 8 per lane packed in a long, float accumulation")
    blocks = (f"{f.blocks} independent blocks: for each block b, D[b] = A[b'] · B[b] + C[b] (b' chosen by "
              "CBSZ/ABID)" if f.blocks > 1 else "one block: D = A · B + C")
    if f.fp64:
        mods = ("cbsz and abid must be 0; blgp must be 0 on gfx90a, and on gfx942 its bits negate A (bit 0), "
                "B (bit 1), C (bit 2)")
    elif f.blocks > 1:
        mods = (f"cbsz (0..{f.blocks.bit_length() - 1}) / abid (< 2^cbsz): block b takes A from block "
                "floor(b / 2^cbsz)·2^cbsz + abid; blgp (0..7) picks the lane each lane reads B from: 0 L, 1 L % 32, "
                "2 L < 32 ? L + 32 : L, 3 (L + 16) % 64, 4 L % 16, 5 16 + L % 16, 6 32 + L % 16, 7 48 + L % 16")
    else:
        mods = "cbsz and abid must be 0 (single block); blgp (0..7) picks the lane each lane reads B from, as above"
    per = (f"Per lane: A element A[b][i][k] is in lane {f.m}·b + {f.m * f.blocks}·floor(k/{f.e}) + i, slot k mod "
           f"{f.e}; B[b][k][j] likewise with j; C/D: see mfma_c_element.")
    return (f"Wave64 matrix fused multiply-add {f.m}×{f.n}×{f.k}, {blocks}; {kind}. The last three arguments must "
            f"be integer constants: {mods}. {per} Non-FP64 types round partial products toward zero and may "
            "truncate the accumulation (gpu.md §7.4): compare with a tolerance that grows with K.")


_MF_SRC = _src("§7", "LLVM; CALC; MFMA2; MFMA3")

# Tile semantics (base.Collective, kind "tile"): D[b] = A[b'] . B[b] + C[b] over row-major matrices
# A [blocks][M][K], B [blocks][K][N], C/D [blocks][M][N] of the operands' slot types, with each
# input decoded to double (FP8/BF8: the FNUZ encodings of gfx942), accumulated in double (exactly
# in long long for i8, wrapping to int32) in k order and rounded once, as the runtime's
# mfma_complete does; xf32 inputs are used at full float precision (the runtime's choice). The
# per-lane operands map onto the matrices through mfma_a/b/c_element (TileOperand), B read from
# the lane BLGP names (mfma_b_source_lane; FP64 has no BLGP lane pattern).
_SLOT = {"f32": "float", "xf32": "float", "f16": "_Float16", "bf16": "short", "i8": "signed char", "f64": "double"}


def _mfma_decode(kind: str, src: str, dst: str) -> str:
    """C statements setting double ``dst`` from one slot ``src`` of element kind ``kind``."""
    if kind in ("f32", "xf32", "f64"):
        return f"{dst} = (double){src};"
    if kind == "f16":
        return f"{dst} = (double)(float){src};"
    if kind == "i8":
        return f"{dst} = (double)(int){src};"
    if kind == "bf16":  # raw bits: the upper half of a float
        return (f"{{ unsigned int u_ = (unsigned int)(unsigned short){src} << 16; float f_;\n"
                f"      for (int q_ = 0; q_ < 4; ++q_) ((char *)&f_)[q_] = ((const char *)&u_)[q_];\n"
                f"      {dst} = (double)f_; }}")
    mb, bias, emask = (2, 16, 31) if kind == "bf8" else (3, 8, 15)
    return (f"{{ unsigned int v_ = (unsigned int)(unsigned char){src};\n"
            f"      int e_ = (int)((v_ >> {mb}) & {emask}u), m_ = (int)(v_ & {(1 << mb) - 1}u);\n"
            f"      if (v_ == 0x80u) {dst} = NAN;  /* FNUZ: the one NaN, no -0 */\n"
            f"      else {{ {dst} = e_ ? ldexp(1.0 + m_ / {float(1 << mb)}, e_ - {bias}) : ldexp(m_ / {float(1 << mb)}, "
            f"1 - {bias}); if (v_ >> 7) {dst} = -{dst}; }} }}")


def mfma_slot_types(f: Mfma) -> tuple[str, str, str]:
    """(A slot, B slot, C/D element) C types of an MFMA builtin's per-lane operands."""
    if f.in_kind in _SLOT:
        a = b = _SLOT[f.in_kind]
    else:
        a = b = "unsigned char"  # fp8 / bf8 bytes
    cd = VECTOR_TYPES[f.cd_type][0] if f.cd_type in VECTOR_TYPES else f.cd_type
    return a, b, cd


def _mfma_tile(f: Mfma):
    from ..base import Collective, TileOperand

    sa, sb, cd = mfma_slot_types(f)
    ka, kb = (f.in_kind.split("_") if "_" in f.in_kind else (f.in_kind, f.in_kind))
    M, N, K, NB = f.m, f.n, f.k, f.blocks
    ba = "b" if f.fp64 or NB == 1 else f"(b >> cbsz << cbsz) + abid;\n  if (ba >= {NB}) ba = b"
    if f.in_kind == "i8":
        acc, fin = "long long s = (long long)C[(b * M_ + i) * N_ + j];", "D[(b * M_ + i) * N_ + j] = xp_cast<int>(s);"
        step = "s += (long long)A[(ba * M_ + i) * K_ + k] * (long long)B[(b * K_ + k) * N_ + j];"
    else:
        acc = "double s = (double)C[(b * M_ + i) * N_ + j];"
        fin = f"D[(b * M_ + i) * N_ + j] = ({cd})s;"
        step = ("double x, y;\n      " + _mfma_decode(ka, "A[(ba * M_ + i) * K_ + k]", "x") + "\n      "
                + _mfma_decode(kb, "B[(b * K_ + k) * N_ + j]", "y") + "\n      s += x * y;")
    body = (f"const int M_ = {M}, N_ = {N}, K_ = {K};\n"
            f"for (int b = 0; b < {NB}; ++b) {{\n  int ba = {ba};\n"
            "  for (int i = 0; i < M_; ++i)\n    for (int j = 0; j < N_; ++j) {\n"
            f"      {acc}\n      for (int k = 0; k < K_; ++k) {{\n      {step}\n      }}\n      {fin}\n    }}\n}}")
    if f.fp64 or NB == 1:
        body = body.replace("  int ba = b;\n", "  int ba = b;  /* no A broadcast */\n")
    name = f.name

    def a_index(lane, slot, **_):
        b, i, k = mfma_a_element(name, lane, slot)
        return (b * M + i) * K + k

    def b_index(lane, slot, **_):
        b, k, j = mfma_b_element(name, lane, slot)
        return (b * K + k) * N + j

    def c_index(lane, reg, **_):
        b, i, j = mfma_c_element(name, lane, reg)
        return (b * M + i) * N + j

    def b_source(lane, blgp=0, **_):
        return lane if f.fp64 else mfma_b_source_lane(blgp & 7, lane)

    params = (Param("A", f"const {sa} *", role="in"), Param("B", f"const {sb} *", role="in"),
              Param("C", f"const {cd} *", role="in"), Param("D", f"{cd} *", role="out"),
              C("cbsz", "int"), C("abid", "int"), C("blgp", "int"))
    operands = (TileOperand("a", "A", sa, f.e, a_index), TileOperand("b", "B", sb, f.e, b_index, b_source),
                TileOperand("c", "C", cd, f.registers, c_index), TileOperand("return", "D", cd, f.registers, c_index))
    return Collective("tile", params, body, operands, ("cbsz", "abid", "blgp"))


for _f in MFMA.values():
    _I.append(Intrinsic(_f.name, (Overload(
        (S("a", _f.ab_type, "A operand of this lane"), S("b", _f.ab_type, "B operand of this lane"),
         Param("c", _f.cd_type, role="in", doc="accumulator C of this lane"),
         C("cbsz", "int", "A broadcast size (constant)"), C("abid", "int", "A broadcast block id (constant)"),
         C("blgp", "int", "B lane group pattern (constant)")),
        ret=_f.cd_type, semantics=None, arch=", ".join(_f.arch), note=f"target feature {_f.feature}",
        collective=_mfma_tile(_f)),),
        "mfma", _mfma_doc(_f), source=_MF_SRC, emulation="runtime"))


def mfma_layout(builtin: str) -> Mfma:
    """The shape, types, availability and layout parameters of an MFMA builtin (full name or the suffix)."""
    name = builtin if builtin.startswith("__builtin_amdgcn_mfma_") else "__builtin_amdgcn_mfma_" + builtin
    try:
        return MFMA[name]
    except KeyError:
        raise ValueError(f"unknown MFMA builtin {builtin}") from None


def mfma_a_element(builtin: str, lane: int, slot: int) -> tuple[int, int, int]:
    """(block, i, k) of the A element that ``lane`` holds in ``slot`` of its A operand (gpu.md §7.3):
    A[b][i][k] is in lane M·b + M·B·floor(k/E) + i, slot k mod E; slot s of a vector is element s, of a
    packed 8-bit int/long it is byte s (bits 8s..8s+7)."""
    f = mfma_layout(builtin)
    if not (0 <= lane < 64 and 0 <= slot < f.e):
        raise ValueError(f"lane {lane} / slot {slot} out of range (64 lanes, {f.e} slots)")
    q, i = divmod(lane, f.m)
    kgroup, b = divmod(q, f.blocks)
    return b, i, kgroup * f.e + slot


def mfma_b_element(builtin: str, lane: int, slot: int) -> tuple[int, int, int]:
    """(block, k, j) of the B element that ``lane`` holds in ``slot``: as A with N and j (gpu.md §7.3)."""
    f = mfma_layout(builtin)
    if not (0 <= lane < 64 and 0 <= slot < f.e):
        raise ValueError(f"lane {lane} / slot {slot} out of range (64 lanes, {f.e} slots)")
    q, j = divmod(lane, f.n)
    kgroup, b = divmod(q, f.blocks)
    return b, kgroup * f.e + slot, j


def mfma_c_element(builtin: str, lane: int, reg: int) -> tuple[int, int, int]:
    """(block, i, j) of the C/D element that ``lane`` holds in element ``reg`` of its accumulator vector
    (gpu.md §7.3):

    * 32-bit, 32×32 (1 or 2 blocks): register 16b + 4·floor(i/8) + (i mod 4), lane 32·(floor(i/4) mod 2) + j;
    * 32-bit, 16×16 (1 or 4 blocks): register 4b + (i mod 4), lane 16·floor(i/4) + j;
    * 32-bit, 4×4 (16 blocks): register i, lane 4b + j;
    * FP64 16×16×4: double element floor(i/4), lane 16·(i mod 4) + j;
    * FP64 4×4×4 (4 blocks): the single double, lane 16i + 4b + j.
    """
    f = mfma_layout(builtin)
    if not (0 <= lane < 64 and 0 <= reg < f.registers):
        raise ValueError(f"lane {lane} / register {reg} out of range (64 lanes, {f.registers} registers)")
    if f.fp64:
        if f.m == 16:
            return 0, 4 * reg + lane // 16, lane % 16
        return (lane // 4) % 4, lane // 16, lane % 4
    if f.m == 32:
        b, rr = divmod(reg, 16)
        return b, 8 * (rr // 4) + 4 * (lane // 32) + rr % 4, lane % 32
    if f.m == 16:
        b, rr = divmod(reg, 4)
        return b, 4 * (lane // 16) + rr, lane % 16
    return lane // 4, reg, lane % 4  # 4x4, 16 blocks


def mfma_b_source_lane(blgp: int, lane: int) -> int:
    """The lane whose B operand lane ``lane`` uses under the BLGP modifier (gpu.md §7.2; non-FP64)."""
    return (lane, lane % 32, lane + 32 if lane < 32 else lane, (lane + 16) % 64, lane % 16, 16 + lane % 16,
            32 + lane % 16, 48 + lane % 16)[blgp]


def mfma_a_source_block(cbsz: int, abid: int, block: int) -> int:
    """The block whose A operand output block ``block`` uses under CBSZ/ABID (gpu.md §7.2)."""
    return (block >> cbsz << cbsz) + abid


# =============================================================================================
# Tables
# =============================================================================================
INTRINSICS: dict[str, Intrinsic] = table(*_I)

BUILTIN_VARS: dict[str, BuiltinVar] = {
    "threadIdx": BuiltinVar("threadIdx", "uint3", "Index of the work-item (thread) in its workgroup (block), as in "
                            "CUDA; hipThreadIdx_x... are macros for its members. Linear id tid = x + y·blockDim.x + "
                            "z·blockDim.x·blockDim.y; lane = tid % warpSize.", ("x", "y", "z"),
                            "x in [0, blockDim.x), y in [0, blockDim.y), z in [0, blockDim.z)", parallel=True),
    "blockIdx": BuiltinVar("blockIdx", "uint3", "Index of the workgroup in the grid, as in CUDA (hipBlockIdx_x...).",
                           ("x", "y", "z"), "x in [0, gridDim.x), y in [0, gridDim.y), z in [0, gridDim.z)",
                           parallel=True),
    "blockDim": BuiltinVar("blockDim", "dim3", "Work-items per workgroup (hipBlockDim_x...).", ("x", "y", "z"),
                           "x·y·z <= 1024 (maxThreadsPerBlock on CDNA, inferred)"),
    "gridDim": BuiltinVar("gridDim", "dim3", "Workgroups per grid (hipGridDim_x...).", ("x", "y", "z")),
    "warpSize": BuiltinVar("warpSize", "int", "Lanes per wavefront: 64 on gfx9 (CDNA: gfx908, gfx90a, gfx942), "
                           "32 on RDNA (gfx10+; wave64 only with -mwavefrontsize64). Not a host compile-time "
                           "constant: query hipDeviceAttributeWarpSize; device code that needs a constant selects "
                           "it with __GFX9__. Code hard-wiring 32, & 31 or / 32 must be re-derived.", (), "64 or 32"),
}

_GFX = ("gfx908", "gfx90a", "gfx942", "gfx950")
SPACES: dict[str, MemorySpace] = {
    "global": MemorySpace("global", "__device__", "device",
                          "Device (global) memory: hipMalloc'ed buffers and __device__ variables."),
    "shared": MemorySpace("shared", "__shared__", "block",
                          "LDS (local data share): one instance per workgroup, workgroup lifetime; 64 KB per "
                          "workgroup on gfx908/gfx90a/gfx942, 160 KB on gfx950 (per-CU figure, inferred as the "
                          "per-workgroup limit). Dynamic size via the third <<<>>> / hipLaunchKernelGGL argument; "
                          "extern __shared__ arrays alias one buffer (HIP_DYNAMIC_SHARED).",
                          {"gfx908": 64 * 1024, "gfx90a": 64 * 1024, "gfx942": 64 * 1024, "gfx950": 160 * 1024}),
    "local": MemorySpace("local", "", "thread", "Per-thread private (scratch) memory for automatic variables."),
    "constant": MemorySpace("constant", "__constant__", "device",
                            "Read-only constant memory written by the host with hipMemcpyToSymbol (size limit not "
                            "given in gpu.md)."),
    "managed": MemorySpace("managed", "__managed__", "device", "Managed (unified) memory variables."),
}
