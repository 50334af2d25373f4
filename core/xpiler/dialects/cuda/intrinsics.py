"""CUDA: everything a kernel calls that is not plain libm (``dialects/libm.py``).

Built from ``reference/gpu.md`` (cited per entry as "gpu.md §x [TAG]"). Widely used CUDA Math API
functions that gpu.md does not list (``sinpif``, ``rsqrtf``, ``erfinvf``, ``normcdff``, ``min``/
``max``, most of the half and bfloat16 set...) cite "[MATH] CUDA Math API (not in
reference/gpu.md)": their signatures and special cases follow the CUDA Math API documentation,
not gpu.md, and a note says where a detail is inferred. The WMMA overload sets follow the
toolkit's ``crt/mma.h`` ([MMAH]; checked against the CUDA 12.6 copy).

Conventions of this table (see also ``base.py``):

* Types the prelude/emulator must define: ``__half``, ``__half2`` (members ``x``, ``y``),
  ``__nv_bfloat16``, ``__nv_bfloat162`` (``x``, ``y``), the CUDA vector types (``float2``,
  ``float4``, ``int4``, ``char4``, ``uchar4``, ``longlong2``...; members ``x, y, z, w``),
  ``dim3``/``uint3`` and ``nvcuda::wmma`` (``fragment``, ``matrix_a``, ``matrix_b``,
  ``accumulator``, ``row_major``, ``col_major``, ``layout_t``, ``precision::tf32``,
  ``experimental::precision::{u4,s4,b1}``, ``experimental::bmmaBitOp``,
  ``experimental::bmmaAccumulateOp``). ``__half`` and ``__nv_bfloat16`` must be 2-byte,
  trivially copyable types holding the IEEE binary16 / bfloat16 bit pattern (snippets read
  and write their bits with ``char`` copies).
* Helper the snippets use: ``xp_cast<T>(v)``, converting with round-to-nearest-even and ONE
  rounding, including ``double -> __half`` / ``double -> __nv_bfloat16`` directly (not
  through ``float``), and exactly for ``__half``/``__nv_bfloat16 -> float``. Nothing else
  beyond ``<math.h>`` (``nextafterf``, ``frexp``, ``ldexp``, ``INFINITY``, ``NAN``...).
* Pointer ``space``: ``"global"``, ``"shared"``, or ``"global|shared"`` (either one, not local
  or constant memory); ``None`` where any generic pointer is allowed.
* ``role``: ``"scalar"`` for value arguments, ``"in"``/``"out"``/``"inout"`` for pointers and
  fragments, ``"config"`` for masks, widths, layouts, modes and other arguments that must be
  uniform or constant.
* Warp collectives, barriers, fences and the WMMA API have ``semantics=None`` (or a
  per-lane meaning only) and ``emulation="runtime"``. The shuffles, votes, match and reduce
  functions carry their meaning over a whole warp as ``Overload.collective`` (``kind="lanes"``,
  ``WARP_SIZE`` lanes), the WMMA functions as tiles (``kind="tile"``: fragments as matrices, the
  per-lane mapping is ``wmma_element``); the runtime keeps its hand-written implementations and
  ``tests/test_semantics_gpu.py`` holds them equal. Atomics carry their read-modify-write as
  ``semantics`` (the meaning) but are ``emulation="runtime"``: the runtime must perform them
  indivisibly (CAS loops on bit patterns, optional flush-to-zero of global float adds, §4).
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import NamedTuple

from ..base import (BuiltinVar, Collective, Intrinsic, MemorySpace, Overload, Param, combos, config, each, lanes,
                    pointer, scalar, table)

GPU = "reference/gpu.md"
MATH_API = "[MATH] CUDA Math API (not in reference/gpu.md)"


def _src(sec: str, tag: str = "") -> str:
    return f"{GPU} {sec}" + (f" [{tag}]" if tag else "")


S = scalar  # short names: the tables below are long lists of signatures
C = config
P = pointer


def _one(name: str, params: tuple[Param, ...], ret: str, sem: str | None, category: str, doc: str, source: str,
         *, arch: str | None = None, instances=({},), note: str = "", collective: Collective | None = None,
         **kw) -> Intrinsic:
    """An intrinsic with a single overload."""
    return Intrinsic(name, (Overload(params, ret=ret, instances=tuple(instances), semantics=sem, arch=arch,
                                     note=note, collective=collective),), category, doc, source=source, **kw)


def _copy(dst: str, src: str, nbytes: int) -> str:
    """Byte copy (the convention for reinterpreting bits)."""
    return (f"for (int i_ = 0; i_ < {nbytes}; ++i_) ((char *)&{dst})[i_] = "
            f"((const char *)&{src})[i_];")


INT_TYPES = ("int", "unsigned int", "long", "unsigned long", "long long", "unsigned long long")
SHFL_TYPES = INT_TYPES + ("float", "double", "__half", "__half2", "__nv_bfloat16", "__nv_bfloat162")
MATCH_TYPES = INT_TYPES + ("float", "double")
HALF = combos({"T": "__half", "T2": "__half2"})
BF16 = combos({"T": "__nv_bfloat16", "T2": "__nv_bfloat162"})

_I: list[Intrinsic] = []

# =============================================================================================
# 1. Barriers and fences (gpu.md §1.4-1.6)
# =============================================================================================
_BARRIER = ("Waits until all non-exited threads of the block reach this same call (threads that "
            "returned early do not block the others), and orders memory: everything a participant did "
            "before the call (global and shared) happens-before anything any participant does after it. "
            "Allowed in conditional code only if the condition is uniform across the block, otherwise "
            "undefined (hang).")
_I += [
    _one("__syncthreads", (), "void", None, "sync", "Block-wide barrier. " + _BARRIER, _src("§1.4", "PG §5.4.4.1"),
         emulation="runtime"),
    _one("__syncthreads_count", (S("predicate", "int"),), "int", None, "sync",
         "Block barrier (as __syncthreads) that also returns, to every thread, the number of non-exited "
         "threads of the block whose predicate != 0. " + _BARRIER, _src("§1.4", "PG §5.4.4.1"),
         emulation="runtime"),
    _one("__syncthreads_and", (S("predicate", "int"),), "int", None, "sync",
         "Block barrier that returns non-zero iff predicate != 0 for all non-exited threads of the block. "
         + _BARRIER, _src("§1.4", "PG §5.4.4.1"), emulation="runtime"),
    _one("__syncthreads_or", (S("predicate", "int"),), "int", None, "sync",
         "Block barrier that returns non-zero iff predicate != 0 for any non-exited thread of the block. "
         + _BARRIER, _src("§1.4", "PG §5.4.4.1"), emulation="runtime"),
    _one("__syncwarp", (C("mask", "unsigned int", "lanes that synchronise; the caller's bit must be set",
                          default="0xFFFFFFFF"),), "void", None, "sync",
         "Warp barrier: waits until every non-exited lane named in mask has executed __syncwarp with the same "
         "mask, and orders memory among those lanes. Each calling lane must have its own bit set; lanes not "
         "calling must have theirs clear; violations hang or are undefined. Needed on CC >= 7.0 (independent "
         "thread scheduling) wherever code assumed warp-lockstep execution.", _src("§1.5", "PG §5.4.4.2"),
         emulation="runtime"),
    _one("__threadfence_block", (), "void", None, "sync",
         "Block-scope memory fence: the calling thread's writes before the fence are observed by threads of "
         "the block as happening before its writes after it; reads likewise ordered. Orders, does not by "
         "itself make data visible.", _src("§1.6", "PG §5.4.4.3"), emulation="runtime"),
    _one("__threadfence", (), "void", None, "sync",
         "Device-scope memory fence: no write by the calling thread after the fence is observed by any device "
         "thread before a write that precedes it. The last-block-done reduction needs it together with "
         "volatile or atomic reads.", _src("§1.6", "PG §5.4.4.3"), emulation="runtime"),
    _one("__threadfence_system", (), "void", None, "sync",
         "System-scope memory fence: as __threadfence, observed also by the host and peer devices.",
         _src("§1.6", "PG §5.4.4.3"), emulation="runtime"),
]

# =============================================================================================
# 2. Warp shuffles, votes, match, reduce (gpu.md §3.1-3.2)
# =============================================================================================
_SHFL_COMMON = ("No memory ordering. width must be a power of two in [1, 32] (else undefined); the warp is "
                "cut into segments of width lanes: s = L & ~(width-1), e = s + width - 1 for caller lane L. "
                "If the source lane does not take part (not in mask, inactive, exited or beyond a partial "
                "warp) the result is undefined. 8-byte types move as two 32-bit shuffles with the same "
                "index. All non-exited lanes named in mask must call with the same mask.")
_SHFL_MASK = C("mask", "unsigned int", "participating lanes; the caller's bit must be set")
_SHFL_WIDTH = C("width", "int", "segment width in lanes, a power of two <= 32", default="warpSize", unit="lanes")
_I += [
    _one("__shfl_sync", (_SHFL_MASK, S("var", "T"), S("srcLane", "int", "source lane within the segment", unit="lanes"),
                         _SHFL_WIDTH), "T", None, "shuffle",
         "Returns var of lane j = s + (srcLane & (width-1)) (srcLane taken modulo width bit-wise, so "
         "negative values wrap). " + _SHFL_COMMON, _src("§3.1", "PG §5.4.6.5; PTX shfl; CL"),
         instances=each(T=SHFL_TYPES), emulation="runtime",
         note="__half/__nv_bfloat16 forms need sm_53+/sm_80+ headers"),
    _one("__shfl_up_sync", (_SHFL_MASK, S("var", "T"), S("delta", "unsigned int", "lanes to look back", unit="lanes"),
                            _SHFL_WIDTH), "T", None, "shuffle",
         "Returns var of lane j = L - (delta & 31) if j >= s (same segment), else the caller's own var "
         "(the & 31 comes from the 5-bit PTX field). " + _SHFL_COMMON, _src("§3.1", "PG §5.4.6.5; PTX shfl; CL"),
         instances=each(T=SHFL_TYPES), emulation="runtime"),
    _one("__shfl_down_sync", (_SHFL_MASK, S("var", "T"), S("delta", "unsigned int", "lanes to look ahead", unit="lanes"),
                              _SHFL_WIDTH), "T", None, "shuffle",
         "Returns var of lane j = L + (delta & 31) if j <= e (same segment), else the caller's own var. "
         "Example: __shfl_down_sync(0xFFFFFFFF, v, 4, 8): lane 5 keeps its v (9 > 7), lane 2 reads lane 6. "
         + _SHFL_COMMON, _src("§3.1", "PG §5.4.6.5; PTX shfl; CL"),
         instances=each(T=SHFL_TYPES), emulation="runtime"),
    _one("__shfl_xor_sync", (_SHFL_MASK, S("var", "T"), S("laneMask", "int", "xor'ed into the caller's lane"),
                             _SHFL_WIDTH), "T", None, "shuffle",
         "Returns var of lane j = L ^ (laneMask & 31) if j <= e, else the caller's own var (so a lane may read "
         "an earlier segment, never a later one). The butterfly of warp reductions. " + _SHFL_COMMON,
         _src("§3.1", "PG §5.4.6.5; PTX shfl; CL"), instances=each(T=SHFL_TYPES), emulation="runtime"),
]
_LEGACY_SHFL_TYPES = ("int", "unsigned int", "long", "unsigned long", "long long", "unsigned long long",
                      "float", "double", "__half", "__half2")
for _n, _arg, _rule in (("__shfl", S("srcLane", "int", unit="lanes"), "__shfl_sync"),
                        ("__shfl_up", S("delta", "unsigned int", unit="lanes"), "__shfl_up_sync"),
                        ("__shfl_down", S("delta", "unsigned int", unit="lanes"), "__shfl_down_sync"),
                        ("__shfl_xor", S("laneMask", "int"), "__shfl_xor_sync")):
    _I.append(_one(_n, (S("var", "T"), _arg, _SHFL_WIDTH), "T", None, "shuffle",
                   f"Legacy mask-less shuffle: {_rule} with all lanes that reach it (same index rule). Deprecated "
                   "since CUDA 9 and unavailable when compiling for CC >= 7.0.", _src("§3.1", "PG-old"),
                   instances=each(T=_LEGACY_SHFL_TYPES), emulation="runtime", deprecated=_rule,
                   note="type list of the pre-Volta sm_30 intrinsics header (inferred; gpu.md names only the functions)"))

_VOTE_COMMON = ("All non-exited lanes named in mask must call with the same mask; no memory ordering.")
_I += [
    _one("__all_sync", (_SHFL_MASK, S("predicate", "int")), "int", None, "vote",
         "Non-zero iff predicate != 0 for every non-exited lane in mask. " + _VOTE_COMMON,
         _src("§3.2", "PG §5.4.6.2"), emulation="runtime"),
    _one("__any_sync", (_SHFL_MASK, S("predicate", "int")), "int", None, "vote",
         "Non-zero iff predicate != 0 for any non-exited lane in mask. " + _VOTE_COMMON,
         _src("§3.2", "PG §5.4.6.2"), emulation="runtime"),
    _one("__ballot_sync", (_SHFL_MASK, S("predicate", "int")), "unsigned int", None, "vote",
         "32-bit mask whose bit n is set iff lane n is active, in mask, and its predicate != 0 (bits of lanes "
         "outside mask are 0, inferred). " + _VOTE_COMMON, _src("§3.2", "PG §5.4.6.2"), emulation="runtime"),
    _one("__activemask", (), "unsigned int", None, "vote",
         "The lanes of the warp active at this instant (bit n = lane n). Does not synchronise; the value may "
         "vary between runs. Emulator: the rendezvous of the lanes that reach the call before all other live "
         "lanes are blocked elsewhere or exited (inferred).", _src("§1.5", "PG §5.4.6.1"), emulation="runtime"),
]
for _n, _rule in (("__all", "__all_sync"), ("__any", "__any_sync")):
    _I.append(_one(_n, (S("predicate", "int"),), "int", None, "vote",
                   f"Legacy mask-less vote: {_rule} over the lanes that reach it. Deprecated since CUDA 9, "
                   "unavailable for CC >= 7.0.", _src("§3.1", "PG-old"), emulation="runtime", deprecated=_rule,
                   note="gpu.md names only the legacy shuffles; the legacy votes were deprecated with them (PG-old)"))
_I.append(_one("__ballot", (S("predicate", "int"),), "unsigned int", None, "vote",
               "Legacy mask-less ballot: __ballot_sync over the lanes that reach it. Deprecated since CUDA 9, "
               "unavailable for CC >= 7.0.", _src("§3.1", "PG-old"), emulation="runtime",
               deprecated="__ballot_sync"))
_I += [
    _one("__match_any_sync", (_SHFL_MASK, S("value", "T")), "unsigned int", None, "vote",
         "Mask of the lanes in mask whose value equals the caller's, compared bitwise (so +0.0 != -0.0 and "
         "identical NaN patterns match). " + _VOTE_COMMON, _src("§3.2", "PG §5.4.6.3"),
         instances=each(T=MATCH_TYPES), arch="sm_70+", emulation="runtime"),
    _one("__match_all_sync", (_SHFL_MASK, S("value", "T"),
                              P("pred", "int *", "out", doc="set to 1 if all values match, else 0")),
         "unsigned int", None, "vote",
         "If every lane in mask holds the same value (bitwise), returns mask and sets *pred = 1; otherwise "
         "returns 0 and sets *pred = 0. " + _VOTE_COMMON, _src("§3.2", "PG §5.4.6.3"),
         instances=each(T=MATCH_TYPES), arch="sm_70+", emulation="runtime"),
]
for _op, _what in (("add", "sum (wrapping on overflow, inferred)"), ("min", "minimum"), ("max", "maximum")):
    _I.append(_one(f"__reduce_{_op}_sync", (_SHFL_MASK, S("value", "T")), "T", None, "reduction",
                   f"Returns to every lane in mask the {_what} of value over the non-exited lanes in mask. "
                   + _VOTE_COMMON + " No HIP equivalent (gpu.md §9).", _src("§3.2", "PG §5.4.6.4"),
                   instances=each(T=("int", "unsigned int")), arch="sm_80+", emulation="runtime"))
for _op, _sym in (("and", "&"), ("or", "|"), ("xor", "^")):
    _I.append(_one(f"__reduce_{_op}_sync", (_SHFL_MASK, S("value", "unsigned int")), "unsigned int", None,
                   "reduction",
                   f"Returns to every lane in mask the bitwise {_op.upper()} ({_sym}) of value over the non-exited "
                   "lanes in mask. " + _VOTE_COMMON, _src("§3.2", "PG §5.4.6.4"), arch="sm_80+",
                   emulation="runtime"))


# ---------------------------------------------------------------------------------------------
# Lane semantics of the warp collectives above (base.lanes): the source-lane rules of gpu.md
# §3.1 and the vote/match/reduce rules of §3.2, over the arrays of one warp. The runtime
# (xp_gpu.hpp, shfl_source / complete_group) implements the same by hand; tests/test_semantics.py
# holds the two equal.
# ---------------------------------------------------------------------------------------------
WARP_SIZE = 32  # lanes of a warp: warp_size in the lane semantics

_SHFL_SRC = {  # candidate source lane j of caller `lane` (s: segment start); j = -1: keep the own value
    "__shfl": "j = s + (srcLane[lane] & (width - 1));",
    "__shfl_up": "j = lane - (int)(delta[lane] & 31u);\n  if (j < s) j = -1;",
    "__shfl_down": "j = lane + (int)(delta[lane] & 31u);\n  if (j > s + width - 1) j = -1;",
    "__shfl_xor": "j = lane ^ (laneMask[lane] & 31);\n  if (j > s + width - 1) j = -1;",
}


def shfl_lanes(name: str, masked: bool) -> str:
    """The CUDA shuffle ``name`` (without _sync) over one warp: a source lane that does not take
    part (not active, not in mask) leaves the result undefined (gpu.md §3.1)."""
    takes = "active[j] && ((mask >> j) & 1u)" if masked else "active[j]"
    return (f"for (int lane = 0; lane < warp_size; ++lane) {{\n"
            f"  if (!active[lane]) continue;\n"
            f"  if (width < 1 || width > warp_size || (width & (width - 1)) != 0) {{ undefined[lane] = 1; continue; }}\n"
            f"  int s = lane & ~(width - 1), j;\n"
            f"  {_SHFL_SRC[name]}\n"
            f"  if (j < 0) result[lane] = var[lane];  /* outside the segment: the caller's own var */\n"
            f"  else if ({takes}) result[lane] = var[j];\n"
            f"  else undefined[lane] = 1;  /* the source lane does not take part */\n}}")


def vote_lanes(op: str, masked: bool, ret: str) -> str:
    """all / any / ballot / activemask over the lanes that take part (active and, for _sync, in mask)."""
    takes = "active[l] && ((mask >> l) & 1u)" if masked else "active[l]"
    one = f"({ret})1"
    acc = {"all": ("int v = 1;", f"if ({takes} && !predicate[l]) v = 0;"),
           "any": ("int v = 0;", f"if ({takes} && predicate[l]) v = 1;"),
           "ballot": (f"{ret} v = 0;", f"if ({takes} && predicate[l]) v |= {one} << l;"),
           "activemask": (f"{ret} v = 0;", f"if (active[l]) v |= {one} << l;")}[op]
    return (f"{acc[0]}\nfor (int l = 0; l < warp_size; ++l)\n  {acc[1]}\n"
            "for (int lane = 0; lane < warp_size; ++lane)\n  if (active[lane]) result[lane] = v;")


def _same_bits(a: str, b: str) -> str:
    return (f"int same = 1;\n    for (int k = 0; k < (int)sizeof(value[0]); ++k)\n"
            f"      if (((const unsigned char *)&{a})[k] != ((const unsigned char *)&{b})[k]) same = 0;")


def match_lanes(op: str, ret: str) -> str:
    """__match_any_sync / __match_all_sync: bitwise comparison over the lanes in mask (gpu.md §3.2)."""
    takes = "active[l] && ((mask >> l) & 1u)"
    if op == "any":
        return (f"for (int lane = 0; lane < warp_size; ++lane) {{\n  if (!active[lane]) continue;\n  {ret} m = 0;\n"
                f"  for (int l = 0; l < warp_size; ++l) {{\n    if (!({takes})) continue;\n"
                f"    {_same_bits('value[l]', 'value[lane]')}\n    if (same) m |= ({ret})1 << l;\n  }}\n"
                "  result[lane] = m;\n}")
    return (f"int all = 1, first = -1;\nfor (int l = 0; l < warp_size; ++l) {{\n  if (!({takes})) continue;\n"
            f"  if (first < 0) {{ first = l; continue; }}\n  {{\n    {_same_bits('value[l]', 'value[first]')}\n"
            "    if (!same) all = 0;\n  }\n}\n"
            "for (int lane = 0; lane < warp_size; ++lane) {\n  if (!active[lane]) continue;\n"
            "  result[lane] = all ? mask : 0;\n  pred[lane] = all;\n}")


def reduce_lanes(op: str, t: str) -> str:
    """__reduce_*_sync over the lanes in mask; add wraps (computed on unsigned int)."""
    step = {"add": f"v = ({t})((unsigned int)v + (unsigned int)value[l]);", "min": "if (value[l] < v) v = value[l];",
            "max": "if (value[l] > v) v = value[l];", "and": "v &= value[l];", "or": "v |= value[l];",
            "xor": "v ^= value[l];"}[op]
    return (f"{t} v = 0;\nint first = 1;\nfor (int l = 0; l < warp_size; ++l) {{\n"
            f"  if (!active[l] || !((mask >> l) & 1u)) continue;\n"
            f"  if (first) {{ v = value[l]; first = 0; }}\n  else {step}\n}}\n"
            "for (int lane = 0; lane < warp_size; ++lane)\n  if (active[lane]) result[lane] = v;")


def _lane_semantics(it: Intrinsic) -> Intrinsic:
    """The entry with its lane semantics attached (one snippet per overload), or unchanged."""
    n = it.name
    out = []
    for ov in it.overloads:
        base = n[:-5] if n.endswith("_sync") else n
        ret = ov.ret
        if base in _SHFL_SRC:
            body = shfl_lanes(base, n.endswith("_sync"))
        elif base in ("__all", "__any", "__ballot"):
            body = vote_lanes(base[2:], n.endswith("_sync"), ret)
        elif n == "__activemask":
            body = vote_lanes("activemask", False, ret)
        elif n in ("__match_any_sync", "__match_all_sync"):
            body = match_lanes(n[8:11], ret)
        elif n.startswith("__reduce_"):
            body = reduce_lanes(n.split("_")[3], ret)
        else:
            return it
        out.append(replace(ov, collective=lanes(ov.params, ret, body)))
    return replace(it, overloads=tuple(out))


_I = [_lane_semantics(it) for it in _I]

# =============================================================================================
# 3. Atomics (gpu.md §4)
# =============================================================================================
_ATOMIC_COMMON = ("One indivisible read-modify-write of *address (global or shared memory) that returns the "
                  "old value; relaxed ordering, device scope (the _block / _system variants: block / system "
                  "scope). Concurrent atomics are all performed, in an undefined order.")
_ADDR = "global|shared"


def _ops_scalar(expr: str) -> str:
    return f"T old = *address; *address = {expr}; return old;"


def _ops_lanes(fields: str, expr: str) -> str:
    """Component-wise RMW of a vector type (each component atomic separately, §4)."""
    body = " ".join(f"address->{f} = {expr.format(o=f'old.{f}', v=f'val.{f}')};" for f in fields)
    return f"T old = *address; {body} return old;"


def _later(a: str, b: str | None) -> str:
    """The later of two "sm_NN+" requirements."""
    if b is None:
        return a
    return a if int(a[3:-1]) >= int(b[3:-1]) else b


def _atomic(name: str, doc: str, overloads: list[Overload]) -> list[Intrinsic]:
    base = Intrinsic(name, tuple(overloads), "atomic", doc, source=_src("§4", "PG §5.4.5.1; PG-old"),
                     emulation="runtime")
    out = [base]
    for scope, what in (("_block", "block scope: atomic only with respect to threads of the same block"),
                        ("_system", "system scope: atomic also with respect to the host and peer devices")):
        ovs = tuple(Overload(o.params, ret=o.ret, instances=o.instances, semantics=o.semantics,
                             arch=_later("sm_60+", o.arch), note=o.note)
                    for o in overloads)
        out.append(Intrinsic(name + scope, ovs, "atomic", f"{name} with {what}. " + doc,
                             source=_src("§4", "PG §5.4.5.1"), alias_of=name, emulation="runtime"))
    return out


def _aov(types, sem: str, *, arch: str | None = None, extra: tuple[Param, ...] = (), space: str = _ADDR,
         note: str = "", first: str = "val") -> Overload:
    params = (P("address", "T *", "inout", space),) + extra + (S(first, "T"),)
    return Overload(params, ret="T", instances=each(T=types), semantics=sem, arch=arch, note=note)


_INT_ADD = "T old = *address; *address = (T)((unsigned int)old {op} (unsigned int)val); return old;"
_SEM_ADD = {
    "int": _INT_ADD.format(op="+"),
    "plain": _ops_scalar("old + val"),
    "half": _ops_scalar("xp_cast<T>(xp_cast<float>(old) + xp_cast<float>(val))"),
    "half2": "T old = *address; address->x = xp_cast<S>(xp_cast<float>(old.x) + xp_cast<float>(val.x)); "
             "address->y = xp_cast<S>(xp_cast<float>(old.y) + xp_cast<float>(val.y)); return old;",
}
_I += _atomic("atomicAdd", "Stores old + val. " + _ATOMIC_COMMON + " Single-precision adds on global memory "
              "flush denormals (add.rn.ftz.f32), on shared memory they keep them; float sums are not "
              "bit-reproducible (order unspecified). For vector types each component is a separate atomic.", [
    _aov(("int",), _SEM_ADD["int"]),
    _aov(("unsigned int", "unsigned long long"), _SEM_ADD["plain"]),
    _aov(("float",), _SEM_ADD["plain"], note="global: flushes denormal inputs/result to zero on hardware"),
    _aov(("double",), _SEM_ADD["plain"], arch="sm_60+"),
    Overload((P("address", "T *", "inout", _ADDR), S("val", "T")), ret="T",
             instances=combos({"T": "__half2", "S": "__half"}), semantics=_SEM_ADD["half2"], arch="sm_60+",
             note="each half is a separate atomic"),
    _aov(("__half",), _SEM_ADD["half"], arch="sm_70+"),
    _aov(("__nv_bfloat16",), _SEM_ADD["half"], arch="sm_80+"),
    Overload((P("address", "T *", "inout", _ADDR), S("val", "T")), ret="T",
             instances=combos({"T": "__nv_bfloat162", "S": "__nv_bfloat16"}), semantics=_SEM_ADD["half2"],
             arch="sm_80+", note="each bfloat16 is a separate atomic"),
    _aov(("float2",), _ops_lanes("xy", "{o} + {v}"), arch="sm_90+", space="global",
         note="global memory only; each component a separate atomic"),
    _aov(("float4",), _ops_lanes("xyzw", "{o} + {v}"), arch="sm_90+", space="global",
         note="global memory only; each component a separate atomic"),
])
_I += _atomic("atomicSub", "Stores old - val (wrapping). " + _ATOMIC_COMMON, [
    _aov(("int",), _INT_ADD.format(op="-")),
    _aov(("unsigned int",), _ops_scalar("old - val")),
])
_SIXTEEN = ("float4", "int4", "uint4", "double2", "longlong2", "ulonglong2")
_I += _atomic("atomicExch", "Stores val, returns the old value. " + _ATOMIC_COMMON, [
    _aov(("int", "unsigned int", "unsigned long long", "float"), _ops_scalar("val")),
    _aov(_SIXTEEN, _ops_scalar("val"), arch="sm_90+",
         note="CUDA declares a template for any 16-byte, 16-byte-aligned T; these are its common instances"),
])
_I += _atomic("atomicMin", "Stores min(old, val). " + _ATOMIC_COMMON + " No floating-point overload in CUDA "
              "(HIP has float/double).", [
    _aov(("int", "unsigned int", "unsigned long long", "long long"), _ops_scalar("val < old ? val : old")),
])
_I += _atomic("atomicMax", "Stores max(old, val). " + _ATOMIC_COMMON + " No floating-point overload in CUDA "
              "(HIP has float/double).", [
    _aov(("int", "unsigned int", "unsigned long long", "long long"), _ops_scalar("val > old ? val : old")),
])
_I += _atomic("atomicInc", "Stores (old >= val) ? 0 : old + 1 (a wrapping counter modulo val + 1). Example: with "
              "*a == 7, atomicInc(a, 7) returns 7 and stores 0; atomicInc(a, 9) returns 7 and stores 8. "
              + _ATOMIC_COMMON, [
    _aov(("unsigned int",), _ops_scalar("(old >= val) ? 0u : old + 1u")),
])
_I += _atomic("atomicDec", "Stores ((old == 0) || (old > val)) ? val : old - 1. Example: with *a == 7, "
              "atomicDec(a, 5) returns 7 and stores 5. " + _ATOMIC_COMMON, [
    _aov(("unsigned int",), _ops_scalar("((old == 0u) || (old > val)) ? val : old - 1u")),
])
_CAS_BYTES = ("T old = *address; bool eq = true; for (int i_ = 0; i_ < (int)sizeof(T); ++i_) "
              "if (((const char *)&old)[i_] != ((const char *)&compare)[i_]) eq = false; "
              "if (eq) *address = val; return old;")
_I += _atomic("atomicCAS", "Compare-and-swap: stores (old == compare) ? val : old and returns old (compare the "
              "result with compare to know whether it swapped). The basis of CAS loops for other operations; "
              "compare bit patterns for floating types. " + _ATOMIC_COMMON, [
    _aov(("int", "unsigned int", "unsigned long long"), "T old = *address; if (old == compare) *address = val; "
         "return old;", extra=(S("compare", "T"),)),
    _aov(("unsigned short",), "T old = *address; if (old == compare) *address = val; return old;",
         extra=(S("compare", "T"),), arch="sm_70+"),
    _aov(_SIXTEEN, _CAS_BYTES, extra=(S("compare", "T"),), arch="sm_90+",
         note="CUDA declares a template for any 16-byte, 16-byte-aligned T (bitwise compare); common instances"),
])
for _n, _sym, _w in (("atomicAnd", "&", "AND"), ("atomicOr", "|", "OR"), ("atomicXor", "^", "XOR")):
    _I += _atomic(_n, f"Stores old {_sym} val (bitwise {_w}). " + _ATOMIC_COMMON, [
        _aov(("int", "unsigned int", "unsigned long long"), _ops_scalar(f"old {_sym} val")),
    ])

# =============================================================================================
# 4. Floating-point intrinsics and device math beyond libm (gpu.md §5.1-5.2)
# =============================================================================================
_S51 = _src("§5.1", "PG §5.5.6-5.5.9, Tables 47-59")
_FAST = ("Fast hardware approximation (SFU); most intrinsics flush denormal inputs and outputs to sign-preserving "
         "zero. --use_fast_math substitutes it for the standard function. The emulator computes the libm "
         "function, which lies inside the documented bound.")


def _fast(name: str, std: str, params: tuple[Param, ...], sem: str, bound: str, extra: str = "") -> Intrinsic:
    return _one(name, params, "float", sem, "math",
                f"Fast approximate {std}. Maximum error: {bound}. {extra}{_FAST}", _S51)


_X = (S("x", "float"),)
_XY = (S("x", "float"), S("y", "float"))
_I += [
    _fast("__expf", "e^x", _X, "return expf(x);", "2 + floor(|1.173·x|) ulp"),
    _fast("__exp10f", "10^x", _X, "return (float)pow(10.0, (double)x);", "2 + floor(|2.97·x|) ulp"),
    _fast("__logf", "ln x", _X, "return logf(x);", "2^-21.41 absolute for x in [0.5, 2], else 3 ulp"),
    _fast("__log2f", "log2 x", _X, "return log2f(x);", "2^-22 absolute for x in [0.5, 2], else 2 ulp"),
    _fast("__log10f", "log10 x", _X, "return log10f(x);", "2^-24 absolute for x in [0.5, 2], else 3 ulp"),
    _fast("__sinf", "sin x", _X, "return sinf(x);", "2^-21.41 absolute for x in [-π, π], larger outside"),
    _fast("__cosf", "cos x", _X, "return cosf(x);", "2^-21.41 absolute for x in [-π, π], larger outside"),
    _fast("__tanf", "tan x", _X, "return tanf(x);", "derived from __sinf(x) * (1 / __cosf(x))"),
    _fast("__tanhf", "tanh x", _X, "return tanhf(x);", "2^-11 relative"),
    _fast("__powf", "x^y", _XY, "return exp2f(y * log2f(x));",
          "derived from exp2f(y * __log2f(x))",
          "Computed as exp2(y·log2 x), so a negative x gives NaN even for integral y (unlike powf), and "
          "__powf(0, 0) is NaN. "),
    _one("__sincosf", (S("x", "float"), P("sptr", "float *", "out"), P("cptr", "float *", "out")), "void",
         "*sptr = sinf(x); *cptr = cosf(x);", "math",
         "Fast approximate sine and cosine of x: stores __sinf(x) in *sptr and __cosf(x) in *cptr "
         "(2^-21.41 absolute in [-π, π]). " + _FAST, _S51),
    _one("__fdividef", _XY, "float",
         "if (isfinite(y) && fabsf(y) > 0x1p126f) return x * copysignf(0.0f, y);\nreturn x / y;", "math",
         "Fast approximate x / y: 2 ulp for |y| in [2^-126, 2^126]; for 2^126 < |y| < 2^128 it returns 0 for "
         "finite x and NaN for infinite x (the reciprocal of y flushes to zero). -prec-div=false makes x/y use it.",
         _src("§5.1", "MATH")),
    _one("__saturatef", _X, "float", "return x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f;", "math",
         "Clamps x to [0, 1]: 0 if x < 0, 1 if x > 1, x otherwise, and 0 for NaN.", _src("§5.2", "MATH")),
    _one("__frsqrt_rn", _X, "float", "return (float)(1.0 / sqrt((double)x));", "math",
         "1/√x rounded to nearest even (0 ulp). x = ±0 gives ±∞, x < 0 gives NaN, +∞ gives +0.", _S51,
         note="emulated as one double evaluation rounded to float: correctly rounded except in rare "
              "double-rounding cases"),
]


# Directed rounding (IEEE-exact snippets; d has the sign of (rounded-to-nearest result - exact)).
def _fixf(mode: str) -> str:
    return {"rz": "if ((d > 0.0 && r > 0.0f) || (d < 0.0 && r < 0.0f)) r = nextafterf(r, 0.0f);",
            "ru": "if (d < 0.0) r = nextafterf(r, INFINITY);",
            "rd": "if (d > 0.0) r = nextafterf(r, -INFINITY);"}[mode]


def _fixd(mode: str) -> str:  # e has the sign of (exact - r)
    return {"rz": "if ((e < 0.0 && r > 0.0) || (e > 0.0 && r < 0.0)) r = nextafter(r, 0.0);",
            "ru": "if (e > 0.0) r = nextafter(r, INFINITY);",
            "rd": "if (e < 0.0) r = nextafter(r, -INFINITY);"}[mode]


def _f_addsub(mode: str, sub: bool) -> str:
    op, b = ("-", "-(double)y") if sub else ("+", "(double)y")
    if mode == "rn":
        return f"return x {op} y;"
    lines = [f"float r = x {op} y;",
             f"double a_ = (double)x, b_ = {b};",
             "double s_ = a_ + b_;  /* exact sum is s_ + e_ (TwoSum) */",
             "double t_ = s_ - a_;",
             "double e_ = (a_ - (s_ - t_)) + (b_ - t_);",
             "double d = ((double)r - s_) - e_;  /* sign of r - exact */",
             _fixf(mode)]
    if mode == "rd":
        lines.append("if (r == 0.0f && d == 0.0) r = (signbit(a_) || signbit(b_) || a_ != 0.0) ? -0.0f : 0.0f;")
    return "\n".join(lines + ["return r;"])


def _f_mul(mode: str) -> str:
    if mode == "rn":
        return "return x * y;"
    return "\n".join(["float r = x * y;", "double d = (double)r - (double)x * (double)y;  /* product exact in double */",
                      _fixf(mode), "return r;"])


def _f_fma(mode: str) -> str:
    if mode == "rn":
        return "return fmaf(x, y, z);"
    lines = ["float r = fmaf(x, y, z);",
             "double p_ = (double)x * (double)y;  /* exact */",
             "double s_ = p_ + (double)z;",
             "double t_ = s_ - p_;",
             "double e_ = (p_ - (s_ - t_)) + ((double)z - t_);  /* p_ + z == s_ + e_ exactly */",
             "double d = ((double)r - s_) - e_;",
             _fixf(mode)]
    if mode == "rd":
        lines.append("if (r == 0.0f && d == 0.0) r = (signbit(p_) || signbit(z) || p_ != 0.0) ? -0.0f : 0.0f;")
    return "\n".join(lines + ["return r;"])


def _f_div(mode: str, rcp: bool) -> str:
    x = "1.0f" if rcp else "x"
    y = "x" if rcp else "y"
    if mode == "rn":
        return f"return {x} / {y};"
    return "\n".join([f"float r = {x} / {y};",
                      f"double d = (double)r * (double){y} - (double){x};  /* r*y exact; sign of (r - x/y)*y */",
                      f"if ({y} < 0.0f) d = -d;", _fixf(mode), "return r;"])


def _f_sqrt(mode: str) -> str:
    if mode == "rn":
        return "return sqrtf(x);"
    return "\n".join(["float r = sqrtf(x);", "double d = (double)r * (double)r - (double)x;  /* sign of r - sqrt(x) */",
                      _fixf(mode), "return r;"])


def _d_addsub(mode: str, sub: bool) -> str:
    op, b = ("-", "-y") if sub else ("+", "y")
    if mode == "rn":
        return f"return x {op} y;"
    lines = [f"double r = x {op} y;", f"double b_ = {b};", "double e;  /* sign of exact - r */",
             "if (isinf(r) && isfinite(x) && isfinite(y)) e = -r;  /* overflow: the exact sum is finite */",
             "else if (fabs(x) >= fabs(b_)) e = b_ - (r - x);  /* Fast2Sum: r + e == x + b_ exactly */",
             "else e = x - (r - b_);",
             _fixd(mode)]
    if mode == "rd":
        lines.append("if (r == 0.0 && e == 0.0) r = (signbit(x) || signbit(b_) || x != 0.0) ? -0.0 : 0.0;")
    return "\n".join(lines + ["return r;"])


def _d_mul(mode: str) -> str:
    if mode == "rn":
        return "return x * y;"
    return "\n".join([
        "double r = x * y;", "double e;  /* sign of exact - r */",
        "if (isinf(r) && isfinite(x) && isfinite(y)) e = -r;  /* overflow */",
        "else if (r == 0.0) e = (x == 0.0 || y == 0.0) ? 0.0 : (((x < 0.0) != (y < 0.0)) ? -1.0 : 1.0);",
        "else if (fabs(r) >= 0x1p-960) e = fma(x, y, -r);  /* exact product error */",
        "else if (fabs(x) < fabs(y)) e = fma(x * 0x1p110, y, -r * 0x1p110);  /* rescaled: keeps the error representable */",
        "else e = fma(x, y * 0x1p110, -r * 0x1p110);",
        _fixd(mode), "return r;"])


def _d_div(mode: str, rcp: bool) -> str:
    x = "1.0" if rcp else "x"
    y = "x" if rcp else "y"
    if mode == "rn":
        return f"return {x} / {y};"
    return "\n".join([
        f"double r = {x} / {y};", "double e;  /* sign of exact - r */",
        f"if (isnan(r) || {x} == 0.0 || isinf({x}) || isinf({y}) || {y} == 0.0) e = 0.0;  /* exact */",
        "else if (isinf(r)) e = -r;  /* overflow */",
        f"else {{ int ex_, ey_; double mx_ = frexp({x}, &ex_), my_ = frexp({y}, &ey_);",
        "  double res_ = fma(-ldexp(r, ey_ - ex_), my_, mx_);  /* (x - r*y) scaled to the mantissas */",
        f"  e = ({y} < 0.0) ? -res_ : res_; }}",
        _fixd(mode), "return r;"])


def _d_sqrt(mode: str) -> str:
    if mode == "rn":
        return "return sqrt(x);"
    return "\n".join([
        "double r = sqrt(x);", "double e;  /* sign of sqrt(x) - r = sign of x - r*r */",
        "if (!(x > 0.0) || isinf(x)) e = 0.0;",
        "else { int ex_; frexp(x, &ex_); int k_ = ex_ / 2;",
        "  double xs_ = ldexp(x, -2 * k_), rs_ = ldexp(r, -k_); e = fma(-rs_, rs_, xs_); }",
        _fixd(mode), "return r;"])


_MODES = {"rn": "round-to-nearest-even", "rz": "round-toward-zero", "ru": "round-up (toward +∞)",
          "rd": "round-down (toward -∞)"}
_DIRECTED = ("Correctly rounded in the named mode and never contracted into an FMA. HIP maps only the _rn "
             "form (gpu.md §9).")
for _m, _mw in _MODES.items():
    _I += [
        _one(f"__fadd_{_m}", _XY, "float", _f_addsub(_m, False), "math",
             f"x + y in {_mw} mode. " + _DIRECTED, _S51),
        _one(f"__fsub_{_m}", _XY, "float", _f_addsub(_m, True), "math",
             f"x - y in {_mw} mode. " + _DIRECTED, _S51),
        _one(f"__fmul_{_m}", _XY, "float", _f_mul(_m), "math", f"x·y in {_mw} mode. " + _DIRECTED, _S51),
        _one(f"__fmaf_{_m}", _XY + (S("z", "float"),), "float", _f_fma(_m), "math",
             f"x·y + z computed exactly and rounded once in {_mw} mode. " + _DIRECTED, _S51),
        _one(f"__fdiv_{_m}", _XY, "float", _f_div(_m, False), "math", f"x / y in {_mw} mode. " + _DIRECTED, _S51),
        _one(f"__frcp_{_m}", _X, "float", _f_div(_m, True), "math", f"1 / x in {_mw} mode. " + _DIRECTED, _S51),
        _one(f"__fsqrt_{_m}", _X, "float", _f_sqrt(_m), "math", f"√x in {_mw} mode. " + _DIRECTED, _S51),
    ]
_DX = (S("x", "double"),)
_DXY = (S("x", "double"), S("y", "double"))
for _m, _mw in _MODES.items():
    _I += [
        _one(f"__dadd_{_m}", _DXY, "double", _d_addsub(_m, False), "math",
             f"Double x + y in {_mw} mode. " + _DIRECTED, _S51),
        _one(f"__dsub_{_m}", _DXY, "double", _d_addsub(_m, True), "math",
             f"Double x - y in {_mw} mode. " + _DIRECTED, _S51),
        _one(f"__dmul_{_m}", _DXY, "double", _d_mul(_m), "math", f"Double x·y in {_mw} mode. " + _DIRECTED, _S51),
        _one(f"__ddiv_{_m}", _DXY, "double", _d_div(_m, False), "math",
             f"Double x / y in {_mw} mode. " + _DIRECTED, _S51),
        _one(f"__drcp_{_m}", _DX, "double", _d_div(_m, True), "math", f"Double 1 / x in {_mw} mode. " + _DIRECTED,
             _S51),
        _one(f"__dsqrt_{_m}", _DX, "double", _d_sqrt(_m), "math", f"Double √x in {_mw} mode. " + _DIRECTED, _S51),
        _one(f"__fma_{_m}", _DXY + (S("z", "double"),), "double", "return fma(x, y, z);" if _m == "rn" else None,
             "math", f"Double x·y + z computed exactly and rounded once in {_mw} mode. " + _DIRECTED, _S51,
             emulation="semantics" if _m == "rn" else "runtime",
             note="" if _m == "rn" else "no portable one-snippet form: the runtime evaluates fma under fesetround"),
    ]

# Single- and double-precision device functions that C's libm lacks ([MATH]).
_ERF_CENTRAL = (  # t_ = erfinv(v_) for |v_| <= 0.5: Newton on erf from the series start
    "t_ = v_ * (0.88622692545275801 + 0.23201366653465449 * v_ * v_);\n"
    "for (int i_ = 0; i_ < 6; ++i_) t_ -= (erf(t_) - v_) / (1.1283791670955126 * exp(-t_ * t_));")
_ERFC_TAIL = (  # u_ = erfcinv(w_) for 0 < w_ < 0.5: Newton on log(erfc(u)) from sqrt(-log w), monotone
    "u_ = sqrt(-log(w_));\n"
    "for (int i_ = 0; i_ < 60; ++i_) {\n"
    "  double c_ = erfc(u_);\n"
    "  double step_ = (log(c_) - log(w_)) * c_ / (1.1283791670955126 * exp(-u_ * u_));\n"
    "  u_ += step_;\n"
    "  if (!(fabs(step_) > 1e-16 * u_)) break;\n"
    "}")


def _erfinv_body(arg: str) -> str:
    return "\n".join([
        f"double v_ = (double){arg}, t_, u_, w_;",
        "if (isnan(v_) || v_ < -1.0 || v_ > 1.0) t_ = NAN;",
        "else if (v_ == 1.0 || v_ == -1.0) t_ = v_ * INFINITY;",
        "else if (fabs(v_) <= 0.5) {", _ERF_CENTRAL, "}",
        "else {", "w_ = 1.0 - fabs(v_);  /* exact */", _ERFC_TAIL, "t_ = v_ < 0.0 ? -u_ : u_;", "}"])


def _erfcinv_body(arg: str, scale: str = "") -> str:
    return "\n".join([
        f"double y_ = {scale}(double){arg}, v_, t_, u_, w_;",
        "if (isnan(y_) || y_ < 0.0 || y_ > 2.0) t_ = NAN;",
        "else if (y_ == 0.0) t_ = INFINITY;",
        "else if (y_ == 2.0) t_ = -INFINITY;",
        "else if (y_ >= 0.5 && y_ <= 1.5) {", "v_ = 1.0 - y_;  /* exact */", _ERF_CENTRAL, "}",
        "else {", "w_ = y_ > 1.5 ? 2.0 - y_ : y_;  /* exact */", _ERFC_TAIL, "t_ = y_ > 1.5 ? -u_ : u_;", "}"])


def _erfcx_body(arg: str) -> str:
    return "\n".join([
        f"double v_ = (double){arg}, r_;",
        "if (isnan(v_)) r_ = v_;",
        "else if (isinf(v_)) r_ = v_ > 0.0 ? 0.0 : INFINITY;",
        "else if (v_ < 25.0) { double h_ = v_ * v_, l_ = fma(v_, v_, -h_); r_ = exp(h_) * exp(l_) * erfc(v_); }",
        "else {  /* asymptotic series of e^(x^2) erfc(x) */",
        "  double s_ = 1.0, term_ = 1.0, q_ = 1.0 / (2.0 * v_ * v_);",
        "  for (int k_ = 1; k_ < 40; ++k_) { term_ *= -(2.0 * k_ - 1.0) * q_; s_ += term_; "
        "if (fabs(term_) < 1e-17 * s_) break; }",
        "  r_ = s_ / (v_ * 1.7724538509055160);",
        "}"])


def _sinpi_body(arg: str) -> str:
    # sin(pi*x) with exact argument reduction; +-0 at integers with the sign of x (IEEE sinPi).
    return "\n".join([
        f"double v_ = (double){arg}, r_;",
        "if (isinf(v_) || isnan(v_)) r_ = v_ - v_;",
        "else {",
        "  double m_ = fmod(v_, 2.0);  /* exact, in (-2, 2) */",
        "  if (m_ > 1.0) m_ -= 2.0; else if (m_ < -1.0) m_ += 2.0;  /* (-1, 1] */",
        "  if (m_ > 0.5) m_ = 1.0 - m_; else if (m_ < -0.5) m_ = -1.0 - m_;  /* [-0.5, 0.5] */",
        "  r_ = (m_ == 0.0) ? copysign(0.0, v_) : sin(3.14159265358979323846 * m_);",
        "}"])


def _cospi_body(arg: str) -> str:
    return "\n".join([
        f"double v_ = (double){arg}, r_;",
        "if (isinf(v_) || isnan(v_)) r_ = v_ - v_;",
        "else {",
        "  double m_ = fmod(fabs(v_), 2.0);  /* exact, in [0, 2) */",
        "  if (m_ > 1.0) m_ = 2.0 - m_;  /* [0, 1] */",
        "  m_ = 0.5 - m_;  /* cos(pi*x) = sin(pi*(0.5 - x)); exact */",
        "  r_ = (m_ == 0.0) ? 0.0 : sin(3.14159265358979323846 * m_);",
        "}"])


def _dm(name: str, doc: str, fsem: str, dsem: str, *, fparams=_X, dparams=_DX, fret="float", dret="double",
        bound: str = "", note: str = "") -> list[Intrinsic]:
    """A single-precision device function (name + 'f') and its double twin."""
    return [
        _one(name + "f", fparams, fret, fsem, "math", doc + (f" Maximum error {bound}." if bound else ""),
             MATH_API, note=note),
        _one(name, dparams, dret, dsem, "math", doc + " Double precision.", MATH_API, note=note),
    ]


_I += _dm("rsqrt", "Reciprocal square root 1/√x; ±0 gives ±∞, x < 0 gives NaN, +∞ gives +0.",
          "return (float)(1.0 / sqrt((double)x));", "return 1.0 / sqrt(x);", bound="2 ulp")
_I += _dm("rcbrt", "Reciprocal cube root 1/∛x; ±0 gives ±∞.",
          "return (float)(1.0 / cbrt((double)x));", "return 1.0 / cbrt(x);", bound="1 ulp")
_I += _dm("exp10", "Base-10 exponential 10^x.", "return (float)pow(10.0, (double)x);", "return pow(10.0, x);",
          bound="2 ulp")
_I += _dm("sinpi", "sin(π·x) with exact argument reduction: ±0 at integers (sign of x), exact at half-integers.",
          _sinpi_body("x") + "\nreturn (float)r_;", _sinpi_body("x") + "\nreturn r_;", bound="1 ulp")
_I += _dm("cospi", "cos(π·x) with exact argument reduction: +0 at half-integers, ±1 at integers.",
          _cospi_body("x") + "\nreturn (float)r_;", _cospi_body("x") + "\nreturn r_;", bound="1 ulp")
_I += _dm("sincos", "Stores sin(x) in *sptr and cos(x) in *cptr.",
          "*sptr = sinf(x); *cptr = cosf(x);", "*sptr = sin(x); *cptr = cos(x);",
          fparams=_X + (P("sptr", "float *", "out"), P("cptr", "float *", "out")),
          dparams=_DX + (P("sptr", "double *", "out"), P("cptr", "double *", "out")), fret="void", dret="void",
          bound="2 ulp")
_I += _dm("sincospi", "Stores sinpi(x) in *sptr and cospi(x) in *cptr.",
          _sinpi_body("x") + "\n*sptr = (float)r_;\n{\n" + _cospi_body("x") + "\n*cptr = (float)r_;\n}",
          _sinpi_body("x") + "\n*sptr = r_;\n{\n" + _cospi_body("x") + "\n*cptr = r_;\n}",
          fparams=_X + (P("sptr", "float *", "out"), P("cptr", "float *", "out")),
          dparams=_DX + (P("sptr", "double *", "out"), P("cptr", "double *", "out")), fret="void", dret="void",
          bound="1 ulp")
_I += _dm("erfinv", "Inverse error function: erfinv(erf(x)) = x for x in (-1, 1); ±1 gives ±∞, |x| > 1 gives NaN.",
          _erfinv_body("x") + "\nreturn (float)t_;", _erfinv_body("x") + "\nreturn t_;", bound="2 ulp",
          note="snippet: Newton iteration on erf / log(erfc) in double (accurate to a few double ulp)")
_I += _dm("erfcinv", "Inverse complementary error function: erfcinv(erfc(x)) = x for y in (0, 2); 0 gives +∞, "
          "2 gives -∞, outside [0, 2] NaN.", _erfcinv_body("x") + "\nreturn (float)t_;",
          _erfcinv_body("x") + "\nreturn t_;", bound="4 ulp",
          note="snippet: Newton iteration in double; for y below ~1e-300 (double form) a few ulp are lost")
_I += _dm("normcdfinv", "Inverse of the standard normal CDF: -√2·erfcinv(2p) for p in (0, 1); 0 gives -∞, 1 gives "
          "+∞, outside [0, 1] NaN.", _erfcinv_body("x", "2.0 * ") + "\nreturn (float)(-1.4142135623730951 * t_);",
          _erfcinv_body("x", "2.0 * ") + "\nreturn -1.4142135623730951 * t_;", bound="5 ulp")
_I += _dm("normcdf", "Standard normal cumulative distribution Φ(x) = ½·erfc(-x/√2) (used by exact GELU).",
          "return (float)(0.5 * erfc(-(double)x * 0.70710678118654752440));",
          "return 0.5 * erfc(-x * 0.70710678118654752440);", bound="5 ulp")
_I += _dm("erfcx", "Scaled complementary error function e^(x²)·erfc(x), without overflow for large x "
          "(→ 1/(x√π)); +∞ gives 0, -∞ gives +∞.", _erfcx_body("x") + "\nreturn (float)r_;",
          _erfcx_body("x") + "\nreturn r_;", bound="4 ulp")
_I.append(_one("fdividef", _XY, "float", "return x / y;", "math",
               "Division x / y, correctly rounded (the accurate counterpart of __fdividef; no double twin).",
               MATH_API))
_I += _dm("rhypot", "Reciprocal of √(x² + y²), without undue overflow.",
          "return (float)(1.0 / hypot((double)x, (double)y));", "return 1.0 / hypot(x, y);", fparams=_XY,
          dparams=_DXY, bound="2 ulp")
_ABC = (S("a", "float"), S("b", "float"), S("c", "float"))
_DABC = (S("a", "double"), S("b", "double"), S("c", "double"))
_I += _dm("norm3d", "Euclidean length √(a² + b² + c²) without undue overflow.",
          "return (float)sqrt((double)a * a + (double)b * b + (double)c * c);", "return hypot(hypot(a, b), c);",
          fparams=_ABC, dparams=_DABC, bound="2 ulp")
_I += _dm("rnorm3d", "Reciprocal Euclidean length 1/√(a² + b² + c²).",
          "return (float)(1.0 / sqrt((double)a * a + (double)b * b + (double)c * c));",
          "return 1.0 / hypot(hypot(a, b), c);", fparams=_ABC, dparams=_DABC, bound="2 ulp")
_ABCD = _ABC + (S("d", "float"),)
_DABCD = _DABC + (S("d", "double"),)
_I += _dm("norm4d", "Euclidean length √(a² + b² + c² + d²) without undue overflow.",
          "return (float)sqrt((double)a * a + (double)b * b + (double)c * c + (double)d * d);",
          "return hypot(hypot(a, b), hypot(c, d));", fparams=_ABCD, dparams=_DABCD, bound="2 ulp")
_I += _dm("rnorm4d", "Reciprocal Euclidean length 1/√(a² + b² + c² + d²).",
          "return (float)(1.0 / sqrt((double)a * a + (double)b * b + (double)c * c + (double)d * d));",
          "return 1.0 / hypot(hypot(a, b), hypot(c, d));", fparams=_ABCD, dparams=_DABCD, bound="2 ulp")
_I += _dm("norm", "Euclidean length √(Σ p[i]²) of the dim-element vector p, without undue overflow.",
          "double s_ = 0.0;\nfor (int i_ = 0; i_ < dim; ++i_) s_ += (double)p[i_] * p[i_];\nreturn (float)sqrt(s_);",
          "double s_ = 0.0;\nfor (int i_ = 0; i_ < dim; ++i_) s_ = hypot(s_, p[i_]);\nreturn s_;",
          fparams=(S("dim", "int", unit="elements"), P("p", "const float *")),
          dparams=(S("dim", "int", unit="elements"), P("p", "const double *")), bound="2 ulp")
_I += _dm("rnorm", "Reciprocal Euclidean length 1/√(Σ p[i]²) of the dim-element vector p.",
          "double s_ = 0.0;\nfor (int i_ = 0; i_ < dim; ++i_) s_ += (double)p[i_] * p[i_];\n"
          "return (float)(1.0 / sqrt(s_));",
          "double s_ = 0.0;\nfor (int i_ = 0; i_ < dim; ++i_) s_ = hypot(s_, p[i_]);\nreturn 1.0 / s_;",
          fparams=(S("dim", "int", unit="elements"), P("p", "const float *")),
          dparams=(S("dim", "int", unit="elements"), P("p", "const double *")), bound="2 ulp")

# CUDA's device min/max overloads (crt/math_functions.hpp): kernels call max(a, b) unqualified.
_MINMAX_INT = (("int", "int", "int"), ("unsigned int", "unsigned int", "unsigned int"),
               ("int", "unsigned int", "unsigned int"), ("unsigned int", "int", "unsigned int"),
               ("long", "long", "long"), ("unsigned long", "unsigned long", "unsigned long"),
               ("long", "unsigned long", "unsigned long"), ("unsigned long", "long", "unsigned long"),
               ("long long", "long long", "long long"),
               ("unsigned long long", "unsigned long long", "unsigned long long"),
               ("long long", "unsigned long long", "unsigned long long"),
               ("unsigned long long", "long long", "unsigned long long"))
for _n, _cmp, _fn in (("min", "<", "fmin"), ("max", ">", "fmax")):
    _I.append(Intrinsic(_n, (
        Overload((S("a", "A"), S("b", "B")), ret="R",
                 instances=tuple({"A": a, "B": b, "R": r} for a, b, r in _MINMAX_INT),
                 semantics=f"return ((R)a {_cmp} (R)b) ? (R)a : (R)b;",
                 note="mixed signed/unsigned arguments compare as unsigned"),
        Overload((S("a", "float"), S("b", "float")), ret="float", semantics=f"return {_fn}f(a, b);"),
        Overload((S("a", "double"), S("b", "double")), ret="double", semantics=f"return {_fn}(a, b);"),
        Overload((S("a", "A"), S("b", "B")), ret="double",
                 instances=combos({"A": "float", "B": "double"}, {"A": "double", "B": "float"}),
                 semantics=f"return {_fn}((double)a, (double)b);"),
    ), "math", f"The {'smaller' if _n == 'min' else 'larger'} of a and b (CUDA device overloads, so an unqualified "
               f"{_n}(a, b) works in device code). Floating forms are {_fn}f/{_fn}: a NaN argument is treated as "
               "missing (the other is returned). Mixed signed/unsigned integers compare as unsigned.",
        source=MATH_API))
for _n, _t, _cmp in (("umin", "unsigned int", "<"), ("umax", "unsigned int", ">"), ("llmin", "long long", "<"),
                     ("llmax", "long long", ">"), ("ullmin", "unsigned long long", "<"),
                     ("ullmax", "unsigned long long", ">")):
    _I.append(_one(_n, (S("a", _t), S("b", _t)), _t, f"return a {_cmp} b ? a : b;", "math",
                   f"The {'smaller' if _cmp == '<' else 'larger'} of two {_t} values.", MATH_API))

# =============================================================================================
# 5. Integer intrinsics (gpu.md §5.3)
# =============================================================================================
_S53 = _src("§5.3", "MATH")
_UMULHI64 = ("unsigned long long a0_ = a_ & 0xffffffffULL, a1_ = a_ >> 32, b0_ = b_ & 0xffffffffULL, b1_ = b_ >> 32;\n"
             "unsigned long long p00_ = a0_ * b0_, p01_ = a0_ * b1_, p10_ = a1_ * b0_, p11_ = a1_ * b1_;\n"
             "unsigned long long mid_ = (p00_ >> 32) + (p01_ & 0xffffffffULL) + (p10_ & 0xffffffffULL);\n"
             "unsigned long long hi_ = p11_ + (p01_ >> 32) + (p10_ >> 32) + (mid_ >> 32);")
_I += [
    _one("__popc", (S("x", "unsigned int"),), "int",
         "int n = 0;\nfor (int i_ = 0; i_ < 32; ++i_) n += (int)((x >> i_) & 1u);\nreturn n;", "arith",
         "Number of set bits in the 32-bit x.", _S53),
    _one("__popcll", (S("x", "unsigned long long"),), "int",
         "int n = 0;\nfor (int i_ = 0; i_ < 64; ++i_) n += (int)((x >> i_) & 1ull);\nreturn n;", "arith",
         "Number of set bits in the 64-bit x.", _S53),
    _one("__clz", (S("x", "int"),), "int",
         "unsigned int u_ = (unsigned int)x;\nint n = 0;\nfor (int i_ = 31; i_ >= 0 && !((u_ >> i_) & 1u); --i_) ++n;\n"
         "return n;", "arith", "Number of leading zero bits of the 32-bit x, counting from bit 31; __clz(0) = 32.",
         _S53),
    _one("__clzll", (S("x", "long long"),), "int",
         "unsigned long long u_ = (unsigned long long)x;\nint n = 0;\n"
         "for (int i_ = 63; i_ >= 0 && !((u_ >> i_) & 1ull); --i_) ++n;\nreturn n;", "arith",
         "Number of leading zero bits of the 64-bit x, counting from bit 63; __clzll(0) = 64.", _S53),
    _one("__ffs", (S("x", "int"),), "int",
         "unsigned int u_ = (unsigned int)x;\nfor (int i_ = 0; i_ < 32; ++i_) if ((u_ >> i_) & 1u) return i_ + 1;\n"
         "return 0;", "arith",
         "1-based position of the least significant set bit of x (__ffs(1) = 1); __ffs(0) = 0.", _S53),
    _one("__ffsll", (S("x", "long long"),), "int",
         "unsigned long long u_ = (unsigned long long)x;\n"
         "for (int i_ = 0; i_ < 64; ++i_) if ((u_ >> i_) & 1ull) return i_ + 1;\nreturn 0;", "arith",
         "1-based position of the least significant set bit of the 64-bit x; 0 for x = 0.", _S53),
    _one("__brev", (S("x", "unsigned int"),), "unsigned int",
         "unsigned int r = 0u;\nfor (int i_ = 0; i_ < 32; ++i_) r |= ((x >> i_) & 1u) << (31 - i_);\nreturn r;",
         "arith", "Bit reversal: bit n of the result is bit 31 - n of x.", _S53),
    _one("__brevll", (S("x", "unsigned long long"),), "unsigned long long",
         "unsigned long long r = 0ull;\nfor (int i_ = 0; i_ < 64; ++i_) r |= ((x >> i_) & 1ull) << (63 - i_);\n"
         "return r;", "arith", "Bit reversal of a 64-bit value: bit n of the result is bit 63 - n of x.", _S53),
    _one("__byte_perm", (S("x", "unsigned int"), S("y", "unsigned int"), S("s", "unsigned int", "selector")),
         "unsigned int",
         "unsigned long long v_ = ((unsigned long long)y << 32) | x;\nunsigned int r = 0u;\n"
         "for (int n_ = 0; n_ < 4; ++n_) r |= (unsigned int)((v_ >> (8u * ((s >> (4 * n_)) & 7u))) & 0xffull) << (8 * n_);\n"
         "return r;", "arith",
         "Byte permute: the 8 source bytes are those of ((uint64)y << 32) | x (bytes 0-3 from x); result byte n "
         "is source byte (s >> 4n) & 7, for n = 0..3.", _S53),
    _one("__mul24", (S("x", "int"), S("y", "int")), "int",
         "long long a_ = (long long)((x & 0x7fffff) - (x & 0x800000));  /* sign-extend bit 23 */\n"
         "long long b_ = (long long)((y & 0x7fffff) - (y & 0x800000));\n"
         "return (int)(unsigned int)(unsigned long long)(a_ * b_);", "arith",
         "Low 32 bits of the product of the low 24 bits of x and y, sign-extended from bit 23 (inferred from PTX "
         "mul24.lo.s32); the high 8 bits of the inputs are ignored.", _S53),
    _one("__umul24", (S("x", "unsigned int"), S("y", "unsigned int")), "unsigned int",
         "return (x & 0xffffffu) * (y & 0xffffffu);", "arith",
         "Low 32 bits of the product of the low 24 bits of x and y (the high 8 bits are ignored).", _S53),
    _one("__mulhi", (S("x", "int"), S("y", "int")), "int",
         "return (int)(((long long)x * (long long)y) >> 32);", "arith",
         "High 32 bits of the 64-bit signed product x·y.", _S53),
    _one("__umulhi", (S("x", "unsigned int"), S("y", "unsigned int")), "unsigned int",
         "return (unsigned int)(((unsigned long long)x * (unsigned long long)y) >> 32);", "arith",
         "High 32 bits of the 64-bit unsigned product x·y.", _S53),
    _one("__umul64hi", (S("x", "unsigned long long"), S("y", "unsigned long long")), "unsigned long long",
         "unsigned long long a_ = x, b_ = y;\n" + _UMULHI64 + "\nreturn hi_;", "arith",
         "High 64 bits of the 128-bit unsigned product x·y.", _S53),
    _one("__mul64hi", (S("x", "long long"), S("y", "long long")), "long long",
         "unsigned long long a_ = (unsigned long long)x, b_ = (unsigned long long)y;\n" + _UMULHI64 +
         "\nif (x < 0) hi_ -= b_;\nif (y < 0) hi_ -= a_;\nreturn (long long)hi_;", "arith",
         "High 64 bits of the 128-bit signed product x·y.", _S53),
    _one("__sad", (S("x", "int"), S("y", "int"), S("z", "unsigned int")), "unsigned int",
         "return (unsigned int)(x > y ? (long long)x - y : (long long)y - x) + z;", "arith",
         "|x - y| + z (sum of absolute difference), the difference taken without overflow.", _S53),
    _one("__usad", (S("x", "unsigned int"), S("y", "unsigned int"), S("z", "unsigned int")), "unsigned int",
         "return (x > y ? x - y : y - x) + z;", "arith", "|x - y| + z for unsigned x, y.", _S53),
    _one("__uhadd", (S("x", "unsigned int"), S("y", "unsigned int")), "unsigned int",
         "return (unsigned int)(((unsigned long long)x + y) >> 1);", "arith",
         "(x + y) >> 1 without intermediate overflow (unsigned average, rounded down).", _S53),
    _one("__rhadd", (S("x", "int"), S("y", "int")), "int",
         "return (int)(((long long)x + (long long)y + 1) >> 1);", "arith",
         "(x + y + 1) >> 1 without intermediate overflow (signed average, rounded up).", _S53),
    _one("__urhadd", (S("x", "unsigned int"), S("y", "unsigned int")), "unsigned int",
         "return (unsigned int)(((unsigned long long)x + y + 1ull) >> 1);", "arith",
         "(x + y + 1) >> 1 without intermediate overflow (unsigned average, rounded up).", _S53),
]
_FUN = (S("lo", "unsigned int"), S("hi", "unsigned int"), S("shift", "unsigned int", unit="bits"))
_I += [
    _one("__funnelshift_l", _FUN, "unsigned int",
         "unsigned long long v_ = ((unsigned long long)hi << 32) | lo;\nreturn (unsigned int)((v_ << (shift & 31u)) >> 32);",
         "arith", "Shifts the 64-bit hi:lo left by shift & 31 and returns the high 32 bits.", _S53),
    _one("__funnelshift_lc", _FUN, "unsigned int",
         "unsigned long long v_ = ((unsigned long long)hi << 32) | lo;\nunsigned int s_ = shift < 32u ? shift : 32u;\n"
         "return (unsigned int)((v_ << s_) >> 32);",
         "arith", "Shifts hi:lo left by min(shift, 32) and returns the high 32 bits (shift >= 32 returns lo).", _S53),
    _one("__funnelshift_r", _FUN, "unsigned int",
         "unsigned long long v_ = ((unsigned long long)hi << 32) | lo;\nreturn (unsigned int)(v_ >> (shift & 31u));",
         "arith", "Shifts the 64-bit hi:lo right by shift & 31 and returns the low 32 bits.", _S53),
    _one("__funnelshift_rc", _FUN, "unsigned int",
         "unsigned long long v_ = ((unsigned long long)hi << 32) | lo;\nunsigned int s_ = shift < 32u ? shift : 32u;\n"
         "return (unsigned int)(v_ >> s_);",
         "arith", "Shifts hi:lo right by min(shift, 32) and returns the low 32 bits (shift >= 32 returns hi).", _S53),
]
# Integer average __hadd(int, int) shares its name with the half addition (see section 7).
_HADD_INT = Overload((S("x", "int"), S("y", "int")), ret="int",
                     semantics="return (int)(((long long)x + (long long)y) >> 1);",
                     note="integer average (x + y) >> 1 without intermediate overflow")
_DP4A_DOC = ("Four-way byte dot product with accumulate: c + Σ_{i<4} a_i·b_i over the bytes of srcA and srcB "
             "(byte i = bits 8i..8i+7, signed or unsigned per overload), wrapping on overflow.")
_I.append(Intrinsic("__dp4a", (
    Overload((S("srcA", "int"), S("srcB", "int"), S("c", "int")), ret="int", arch="sm_61+",
             semantics="unsigned int acc_ = (unsigned int)c;\n"
                       "for (int i_ = 0; i_ < 4; ++i_) acc_ += (unsigned int)((int)(signed char)(srcA >> (8 * i_)) * "
                       "(int)(signed char)(srcB >> (8 * i_)));\nreturn (int)acc_;"),
    Overload((S("srcA", "unsigned int"), S("srcB", "unsigned int"), S("c", "unsigned int")), ret="unsigned int",
             arch="sm_61+", semantics="unsigned int acc_ = c;\n"
                                      "for (int i_ = 0; i_ < 4; ++i_) acc_ += ((srcA >> (8 * i_)) & 0xffu) * "
                                      "((srcB >> (8 * i_)) & 0xffu);\nreturn acc_;"),
    Overload((S("srcA", "char4"), S("srcB", "char4"), S("c", "int")), ret="int", arch="sm_61+",
             semantics="unsigned int acc_ = (unsigned int)c;\n"
                       "acc_ += (unsigned int)((int)srcA.x * srcB.x); acc_ += (unsigned int)((int)srcA.y * srcB.y);\n"
                       "acc_ += (unsigned int)((int)srcA.z * srcB.z); acc_ += (unsigned int)((int)srcA.w * srcB.w);\n"
                       "return (int)acc_;"),
    Overload((S("srcA", "uchar4"), S("srcB", "uchar4"), S("c", "unsigned int")), ret="unsigned int", arch="sm_61+",
             semantics="unsigned int acc_ = c;\n"
                       "acc_ += (unsigned int)srcA.x * srcB.x; acc_ += (unsigned int)srcA.y * srcB.y;\n"
                       "acc_ += (unsigned int)srcA.z * srcB.z; acc_ += (unsigned int)srcA.w * srcB.w;\nreturn acc_;"),
), "dot", _DP4A_DOC, source=_S53))

# =============================================================================================
# 6. Conversions and reinterpretation (gpu.md §5.2, §5.4)
# =============================================================================================
_S52 = _src("§5.2", "MATH; PTX cvt")
_RF = {"rn": "rintf", "rz": "truncf", "ru": "ceilf", "rd": "floorf"}
_RD = {"rn": "rint", "rz": "trunc", "ru": "ceil", "rd": "floor"}
# short name -> (C type, signed, 2^bits as a literal, max, min)
_ITGT = {
    "int": ("int", True, "2147483648.0", "2147483647", "(-2147483647 - 1)"),
    "uint": ("unsigned int", False, "4294967296.0", "4294967295u", "0u"),
    "ll": ("long long", True, "9223372036854775808.0", "9223372036854775807LL", "(-9223372036854775807LL - 1)"),
    "ull": ("unsigned long long", False, "18446744073709551616.0", "18446744073709551615ULL", "0ULL"),
    "short": ("short", True, "32768.0", "(short)32767", "(short)(-32768)"),
    "ushort": ("unsigned short", False, "65536.0", "(unsigned short)65535u", "(unsigned short)0u"),
}
_SAT = ("Out-of-range values saturate to the destination's range and NaN converts to 0 (PTX cvt rules, inferred; "
        "plain C++ casts are undefined there).")


def _to_int(decl: str, fround: str, tgt: str, flt: bool) -> str:
    """``decl`` declares float/double r from the input; then round with ``fround`` and saturate."""
    ctype, signed, two, mx, mn = _ITGT[tgt]
    f = "f" if flt else ""
    lines = [decl.format(r=f"{fround}"), "if (isnan(r)) return 0;"]
    if signed:
        lines += [f"if (r >= {two}{f}) return {mx};", f"if (r <= -{two}{f}) return {mn};"]
    else:
        lines += [f"if (r <= 0.0{f}) return {mn};", f"if (r >= {two}{f}) return {mx};"]
    return "\n".join(lines + [f"return ({ctype})r;"])


def _fixr(mode: str, fn: str, zero: str) -> str:
    """Step r one ulp when d (sign of r - exact) shows it rounded the wrong way for the mode."""
    return {"rz": f"if ((d > 0.0 && r > {zero}) || (d < 0.0 && r < {zero})) r = {fn}(r, {zero});",
            "ru": f"if (d < 0.0) r = {fn}(r, INFINITY);",
            "rd": f"if (d > 0.0) r = {fn}(r, -INFINITY);"}[mode]


for _m, _mw in _MODES.items():
    for _t in ("int", "uint", "ll", "ull"):
        _ct = _ITGT[_t][0]
        _I.append(_one(f"__float2{_t}_{_m}", (S("x", "float"),), _ct,
                       _to_int("float r = {r}(x);", _RF[_m], _t, True), "convert",
                       f"Converts float x to {_ct} in {_mw} mode. " + _SAT, _S52))
        _I.append(_one(f"__double2{_t}_{_m}", (S("x", "double"),), _ct,
                       _to_int("double r = {r}(x);", _RD[_m], _t, False), "convert",
                       f"Converts double x to {_ct} in {_mw} mode. " + _SAT, _S52))
    # integer -> float in each mode
    for _t, _cmp in (("int", None), ("uint", None), ("ll", "9223372036854775808.0f"),
                     ("ull", "18446744073709551616.0f")):
        _ct = _ITGT[_t][0]
        if _m == "rn":
            _sem = "return (float)x;"
        elif _cmp is None:
            _sem = "\n".join(["float r = (float)x;", "double d = (double)r - (double)x;  /* both exact */",
                              _fixr(_m, "nextafterf", "0.0f"), "return r;"])
        else:
            _sem = "\n".join(["float r = (float)x;",
                              f"double d = (r >= {_cmp}) ? 1.0 : (double)((({_ct})r > x) - (({_ct})r < x));"
                              "  /* sign of r - x, compared exactly */",
                              _fixr(_m, "nextafterf", "0.0f"), "return r;"])
        _I.append(_one(f"__{_t}2float_{_m}", (S("x", _ct),), "float", _sem, "convert",
                       f"Converts {_ct} x to float in {_mw} mode.", _S52))
    for _t, _cmp in (("ll", "9223372036854775808.0"), ("ull", "18446744073709551616.0")):
        _ct = _ITGT[_t][0]
        _sem = "return (double)x;" if _m == "rn" else "\n".join([
            "double r = (double)x;",
            f"double d = (r >= {_cmp}) ? 1.0 : (double)((({_ct})r > x) - (({_ct})r < x));",
            _fixr(_m, "nextafter", "0.0"), "return r;"])
        _I.append(_one(f"__{_t}2double_{_m}", (S("x", _ct),), "double", _sem, "convert",
                       f"Converts {_ct} x to double in {_mw} mode.", _S52))
    _I.append(_one(f"__double2float_{_m}", (S("x", "double"),), "float",
                   "return (float)x;" if _m == "rn" else "\n".join([
                       "float r = (float)x;", "double d = (double)r - x;  /* exact */",
                       _fixr(_m, "nextafterf", "0.0f"), "return r;"]), "convert",
                   f"Converts double x to float in {_mw} mode (overflow gives ±∞ or ±FLT_MAX per the mode).", _S52))
_I += [
    _one("__int2double_rn", (S("x", "int"),), "double", "return (double)x;", "convert",
         "Converts int x to double (exact).", _S52),
    _one("__uint2double_rn", (S("x", "unsigned int"),), "double", "return (double)x;", "convert",
         "Converts unsigned int x to double (exact).", _S52),
]
for _n, _src_t, _dst_t, _what in (("__float_as_int", "float", "int", "float's bits as an int"),
                                  ("__int_as_float", "int", "float", "int's bits as a float"),
                                  ("__float_as_uint", "float", "unsigned int", "float's bits as an unsigned int"),
                                  ("__uint_as_float", "unsigned int", "float", "unsigned int's bits as a float"),
                                  ("__double_as_longlong", "double", "long long", "double's bits as a long long"),
                                  ("__longlong_as_double", "long long", "double", "long long's bits as a double")):
    _nb = 8 if "double" in (_src_t, _dst_t) else 4
    _I.append(_one(_n, (S("x", _src_t),), _dst_t, f"{_dst_t} r;\n{_copy('r', 'x', _nb)}\nreturn r;", "convert",
                   f"Reinterprets the {_what} (no conversion).", _src("§5.4", "MATH")))
_I += [
    _one("__double2hiint", (S("x", "double"),), "int",
         f"unsigned long long b_;\n{_copy('b_', 'x', 8)}\nreturn (int)(unsigned int)(b_ >> 32);", "convert",
         "The high 32 bits of the double's bit pattern, as an int.", MATH_API),
    _one("__double2loint", (S("x", "double"),), "int",
         f"unsigned long long b_;\n{_copy('b_', 'x', 8)}\nreturn (int)(unsigned int)(b_ & 0xffffffffULL);", "convert",
         "The low 32 bits of the double's bit pattern, as an int.", MATH_API),
    _one("__hiloint2double", (S("hi", "int"), S("lo", "int")), "double",
         "unsigned long long b_ = ((unsigned long long)(unsigned int)hi << 32) | (unsigned int)lo;\n"
         f"double r;\n{_copy('r', 'b_', 8)}\nreturn r;", "convert",
         "The double whose bit pattern has hi as its high and lo as its low 32 bits.", MATH_API),
]

# =============================================================================================
# 7. __half, __half2, __nv_bfloat16, __nv_bfloat162 (gpu.md §5.4)
# =============================================================================================
_S54 = _src("§5.4", "MATH; PG §5.5.2")
_HDOC = ("Computed in float and rounded once to the 16-bit type (round-to-nearest-even); since float carries "
         "more than twice the bits, this equals a correctly rounded 16-bit operation.")
_CANON = "unsigned short n_ = 0x7FFFu; " + _copy("{out}", "n_", 2)  # canonical NaN (half and bf16)


def _h2(code, n_in: int) -> str:
    """T2 version of a per-lane statement generator ``code(out, *ins)``."""
    ins = "abc"[:n_in]
    return "T2 r_;\n" + "\n".join(code(f"r_.{f}", *(f"{v}.{f}" for v in ins)) for f in "xy") + "\nreturn r_;"


def _h1(code, n_in: int) -> str:
    return "T r_;\n" + code("r_", *"abc"[:n_in]) + "\nreturn r_;"


def _arith(expr: str):
    def code(out, a, b=None, c=None):
        if expr == _FMA:
            return f"{{ {_fma_decl(a, b, c)}\n  {out} = xp_cast<T>(fma_); }}"
        return f"{out} = xp_cast<T>({expr.format(a=a, b=b, c=c)});"
    return code


def _sat(expr: str):
    def code(out, a, b=None, c=None):
        pre = f"{_fma_decl(a, b, c)}\n  " if expr == _FMA else ""
        return (f"{{ {pre}float s_ = xp_cast<float>(xp_cast<T>({expr.format(a=a, b=b, c=c)})); "
                f"{out} = xp_cast<T>(s_ > 0.0f ? (s_ < 1.0f ? s_ : 1.0f) : 0.0f); }}")
    return code


_F = "xp_cast<float>({})".format
_ADD = f"{_F('{a}')} + {_F('{b}')}"
_SUB = f"{_F('{a}')} - {_F('{b}')}"
_MUL = f"{_F('{a}')} * {_F('{b}')}"
_DIV = f"{_F('{a}')} / {_F('{b}')}"
_FMA = "fma_"  # the round-to-odd double of a·b + c, declared by _FMA_DECL


def _fma_decl(a: str, b: str, c: str) -> str:
    """Declares double fma_ = a·b + c rounded to odd in double: a·b is exact in double, the sum's error comes
    from TwoSum, and round-to-odd (53 >= 11 + 2 bits) makes the final xp_cast<T> a single correct rounding."""
    return (f"double p_ = (double)xp_cast<float>({a}) * (double)xp_cast<float>({b}), "
            f"c_ = (double)xp_cast<float>({c});\n"
            "  double fma_ = p_ + c_, t_ = fma_ - p_, e_ = (p_ - (fma_ - t_)) + (c_ - t_);\n"
            "  if (isfinite(fma_) && e_ != 0.0 && e_ == e_) { unsigned long long u_; "
            + _copy("u_", "fma_", 8) + " if (!(u_ & 1ull)) fma_ = nextafter(fma_, e_ > 0.0 ? INFINITY : -INFINITY); }")


def _bitop(op: str):
    return lambda out, a: (f"{{ unsigned short b_; {_copy('b_', a, 2)} b_ = (unsigned short)(b_ {op}); "
                           f"{_copy(out, 'b_', 2)} }}")


def _minmax(is_max: bool, nan_prop: bool):
    gt = ">" if is_max else "<"

    def code(out, a, b):
        canon = _CANON.format(out=out)
        if nan_prop:
            nan_rule = f"if (isnan(fa_) || isnan(fb_)) {{ {canon} }}"
        else:
            nan_rule = (f"if (isnan(fa_) && isnan(fb_)) {{ {canon} }}\n  else if (isnan(fa_)) {out} = {b};\n"
                        f"  else if (isnan(fb_)) {out} = {a};")
        zero = f"signbit(fa_) ? {b} : {a}" if is_max else f"signbit(fa_) ? {a} : {b}"
        return (f"{{ float fa_ = xp_cast<float>({a}), fb_ = xp_cast<float>({b});\n  {nan_rule}\n"
                f"  else if (fa_ == fb_) {out} = {zero};  /* +0 > -0 */\n"
                f"  else {out} = (fa_ {gt} fb_) ? {a} : {b}; }}")
    return code


def _relu_fma(out, a, b, c):
    canon = _CANON.format(out=out)
    return (f"{{ {_fma_decl(a, b, c)}\n  float s_ = xp_cast<float>(xp_cast<T>(fma_));\n"
            f"  if (isnan(s_)) {{ {canon} }} else {out} = xp_cast<T>(s_ < 0.0f ? 0.0f : s_); }}")


_BIN = {  # name, T2 name, code generator, inputs, doc
    "add": ("__hadd", "__hadd2", _arith(_ADD), 2, "a + b. " + _HDOC),
    "sub": ("__hsub", "__hsub2", _arith(_SUB), 2, "a - b. " + _HDOC),
    "mul": ("__hmul", "__hmul2", _arith(_MUL), 2, "a · b. " + _HDOC),
    "div": ("__hdiv", "__h2div", _arith(_DIV), 2, "a / b. " + _HDOC),
    "add_rn": ("__hadd_rn", "__hadd2_rn", _arith(_ADD), 2, "a + b, never contracted into an FMA. " + _HDOC),
    "sub_rn": ("__hsub_rn", "__hsub2_rn", _arith(_SUB), 2, "a - b, never contracted into an FMA. " + _HDOC),
    "mul_rn": ("__hmul_rn", "__hmul2_rn", _arith(_MUL), 2, "a · b, never contracted into an FMA. " + _HDOC),
    "fma": ("__hfma", "__hfma2", _arith(_FMA), 3, "a · b + c with one rounding (exact product, sum rounded to odd in "
                                                  "double, then rounded once to the 16-bit type)."),
    "add_sat": ("__hadd_sat", "__hadd2_sat", _sat(_ADD), 2, "a + b rounded, then clamped to [0, 1] (NaN gives +0)."),
    "sub_sat": ("__hsub_sat", "__hsub2_sat", _sat(_SUB), 2, "a - b rounded, then clamped to [0, 1] (NaN gives +0)."),
    "mul_sat": ("__hmul_sat", "__hmul2_sat", _sat(_MUL), 2, "a · b rounded, then clamped to [0, 1] (NaN gives +0)."),
    "fma_sat": ("__hfma_sat", "__hfma2_sat", _sat(_FMA), 3,
                "a · b + c rounded once, then clamped to [0, 1] (NaN gives +0)."),
    "fma_relu": ("__hfma_relu", "__hfma2_relu", _relu_fma, 3,
                 "max(a · b + c, 0) with one rounding; a NaN result gives the canonical NaN (inferred)."),
    "max": ("__hmax", "__hmax2", _minmax(True, False), 2,
            "Maximum: one NaN gives the other input, both NaN give the canonical NaN (0x7FFF), and +0 > -0."),
    "min": ("__hmin", "__hmin2", _minmax(False, False), 2,
            "Minimum: one NaN gives the other input, both NaN give the canonical NaN (0x7FFF), and -0 < +0."),
    "max_nan": ("__hmax_nan", "__hmax2_nan", _minmax(True, True), 2,
                "Maximum that propagates NaN: any NaN input gives the canonical NaN (0x7FFF); +0 > -0."),
    "min_nan": ("__hmin_nan", "__hmin2_nan", _minmax(False, True), 2,
                "Minimum that propagates NaN: any NaN input gives the canonical NaN (0x7FFF); -0 < +0."),
    "neg": ("__hneg", "__hneg2", _bitop("^ 0x8000u"), 1, "-a (flips the sign bit, also of zeros and NaN)."),
    "abs": ("__habs", "__habs2", _bitop("& 0x7FFFu"), 1, "|a| (clears the sign bit, also of NaN)."),
}
_ARCH_H, _ARCH_B = "sm_53+", "sm_80+"
_HB = ("__half", "__half2", HALF, _ARCH_H), ("__nv_bfloat16", "__nv_bfloat162", BF16, _ARCH_B)


def _hov(params, ret, sem, kind: str, note: str = "", half_arch: str | None = None) -> list[Overload]:
    """The __half and the __nv_bfloat16 overload of one generic (T/T2) signature."""
    out = []
    for _t, _t2, inst, arch in _HB:
        if kind != "arith":
            arch = None
        elif half_arch and _t == "__half":
            arch = half_arch
        out.append(Overload(params, ret=ret, instances=inst, semantics=sem, arch=arch, note=note))
    return out


# Half forms that need sm_80 like the bfloat16 ones (cuda_fp16.hpp guards them with __CUDA_ARCH__ >= 800;
# inferred from the toolkit headers, gpu.md does not list arch per function).
_SM80_HALF = {"max", "min", "max_nan", "min_nan", "fma_relu"}


for _k, (_n1, _n2, _code, _nin, _doc) in _BIN.items():
    _ps1 = tuple(S(v, "T") for v in "abc"[:_nin])
    _ps2 = tuple(S(v, "T2") for v in "abc"[:_nin])
    _ha = "sm_80+" if _k in _SM80_HALF else None
    _ovs = _hov(_ps1, "T", _h1(_code, _nin), "arith", half_arch=_ha)
    if _n1 == "__hadd":
        _ovs = [_HADD_INT] + _ovs
    _I.append(Intrinsic(_n1, tuple(_ovs), "arith",
                        f"Half / bfloat16 scalar {_doc}" + (" Also the integer average __hadd(int, int) = (x + y) >> 1 "
                                                            "computed without overflow (same name, §5.3)."
                                                            if _n1 == "__hadd" else ""), source=_S54))
    _I.append(Intrinsic(_n2, tuple(_hov(_ps2, "T2", _h2(_code, _nin), "arith", half_arch=_ha)), "arith",
                        f"Packed (per lane .x and .y) half2 / bfloat162 {_doc}", source=_S54))

_UNA = {  # T name, T2 name, double expression of v, doc
    "exp": ("hexp", "h2exp", "exp({v})", "e^a"), "exp2": ("hexp2", "h2exp2", "exp2({v})", "2^a"),
    "exp10": ("hexp10", "h2exp10", "pow(10.0, {v})", "10^a"), "log": ("hlog", "h2log", "log({v})", "ln a"),
    "log2": ("hlog2", "h2log2", "log2({v})", "log₂ a"), "log10": ("hlog10", "h2log10", "log10({v})", "log₁₀ a"),
    "sqrt": ("hsqrt", "h2sqrt", "sqrt({v})", "√a"), "rsqrt": ("hrsqrt", "h2rsqrt", "1.0 / sqrt({v})", "1/√a"),
    "rcp": ("hrcp", "h2rcp", "1.0 / {v}", "1/a"), "sin": ("hsin", "h2sin", "sin({v})", "sin a"),
    "cos": ("hcos", "h2cos", "cos({v})", "cos a"), "tanh": ("htanh", "h2tanh", "tanh({v})", "tanh a"),
    "ceil": ("hceil", "h2ceil", "ceil({v})", "the smallest integral value ≥ a"),
    "floor": ("hfloor", "h2floor", "floor({v})", "the largest integral value ≤ a"),
    "rint": ("hrint", "h2rint", "rint({v})", "a rounded to the nearest integer, halfway cases to even"),
    "trunc": ("htrunc", "h2trunc", "trunc({v})", "a rounded toward zero to an integer"),
}
for _k, (_n1, _n2, _e, _what) in _UNA.items():
    def _ucode(out, a, _e=_e):
        return f"{out} = xp_cast<T>({_e.format(v=f'(double)xp_cast<float>({a})')});"
    _I.append(Intrinsic(_n1, tuple(_hov((S("a", "T"),), "T", _h1(_ucode, 1), "arith")), "math",
                        f"Half / bfloat16 {_what}, evaluated in double and rounded once (the guide lists these at "
                        "0 ulp).", source=_S54))
    _I.append(Intrinsic(_n2, tuple(_hov((S("a", "T2"),), "T2", _h2(_ucode, 1), "arith")), "math",
                        f"Packed half2 / bfloat162 {_what} per lane, evaluated in double and rounded once.",
                        source=_S54))

_CMP = {  # suffix -> (condition on fa_, fb_, meaning)
    "eq": ("fa_ == fb_", "a == b (false if either is NaN)"),
    "ne": ("fa_ < fb_ || fa_ > fb_", "a != b, ordered (false if either is NaN)"),
    "lt": ("fa_ < fb_", "a < b (false if either is NaN)"),
    "le": ("fa_ <= fb_", "a <= b (false if either is NaN)"),
    "gt": ("fa_ > fb_", "a > b (false if either is NaN)"),
    "ge": ("fa_ >= fb_", "a >= b (false if either is NaN)"),
    "equ": ("!(fa_ < fb_ || fa_ > fb_)", "a == b, unordered (true if either is NaN)"),
    "neu": ("fa_ != fb_", "a != b, unordered (true if either is NaN)"),
    "ltu": ("!(fa_ >= fb_)", "a < b, unordered (true if either is NaN)"),
    "leu": ("!(fa_ > fb_)", "a <= b, unordered (true if either is NaN)"),
    "gtu": ("!(fa_ <= fb_)", "a > b, unordered (true if either is NaN)"),
    "geu": ("!(fa_ < fb_)", "a >= b, unordered (true if either is NaN)"),
}


def _lane_cond(cond: str, f: str) -> str:
    return f"{{ float fa_ = xp_cast<float>(a.{f}), fb_ = xp_cast<float>(b.{f}); c{f}_ = ({cond}); }}"


for _k, (_cond, _what) in _CMP.items():
    _AB1, _AB2 = (S("a", "T"), S("b", "T")), (S("a", "T2"), S("b", "T2"))
    _lanes = "bool cx_, cy_;\n" + _lane_cond(_cond, "x") + "\n" + _lane_cond(_cond, "y") + "\n"
    _I += [
        Intrinsic(f"__h{_k}", tuple(_hov(_AB1, "bool", "float fa_ = xp_cast<float>(a), fb_ = xp_cast<float>(b);\n"
                                     f"return {_cond};", "arith")), "arith",
                  f"Half / bfloat16 comparison {_what}.", source=_S54),
        Intrinsic(f"__h{_k}2", tuple(_hov(_AB2, "T2", _lanes + "T2 r_;\nr_.x = xp_cast<T>(cx_ ? 1.0f : 0.0f);\n"
                                          "r_.y = xp_cast<T>(cy_ ? 1.0f : 0.0f);\nreturn r_;", "arith")), "arith",
                  f"Packed comparison {_what} per lane: each lane of the result is 1.0 if true, 0.0 if false.",
                  source=_S54),
        Intrinsic(f"__hb{_k}2", tuple(_hov(_AB2, "bool", _lanes + "return cx_ && cy_;", "arith")), "arith",
                  f"Packed comparison {_what}: true iff it holds for both lanes.", source=_S54),
        Intrinsic(f"__h{_k}2_mask", tuple(_hov(_AB2, "unsigned int", _lanes +
                                               "return (cx_ ? 0x0000FFFFu : 0u) | (cy_ ? 0xFFFF0000u : 0u);",
                                               "arith")), "arith",
                  f"Packed comparison {_what} as a mask: 0xFFFF in the 16 bits of each lane where it holds "
                  "(low half = .x).", source=_S54, ),
    ]
_I += [
    Intrinsic("__hisnan", tuple(_hov((S("a", "T"),), "bool", "return isnan(xp_cast<float>(a));", "arith")),
              "arith", "True if a is a NaN.", source=_S54),
    Intrinsic("__hisnan2", tuple(_hov((S("a", "T2"),), "T2", "T2 r_;\nr_.x = xp_cast<T>(isnan(xp_cast<float>(a.x)) ? "
                                                             "1.0f : 0.0f);\nr_.y = xp_cast<T>(isnan(xp_cast<float>(a.y)) "
                                                             "? 1.0f : 0.0f);\nreturn r_;", "arith")), "arith",
              "Per lane: 1.0 if the lane is NaN, else 0.0.", source=_S54),
    Intrinsic("__hisinf", tuple(_hov((S("a", "T"),), "int", "float f_ = xp_cast<float>(a);\n"
                                     "return isinf(f_) ? (f_ < 0.0f ? -1 : 1) : 0;", "arith")), "arith",
              "-1 if a is -∞, 1 if a is +∞, 0 otherwise.", source=_S54),
]


# ---- conversions -----------------------------------------------------------------------
def _to16(mode: str, src: str) -> str:
    """Convert the exact (or round-to-odd) double d_ to T in ``mode``; ``src`` declares d_."""
    if mode == "rn":
        return src + "\nreturn xp_cast<T>(d_);"
    down = {"rz": "back_ > d_ && d_ > 0.0", "rd": "back_ > d_", "ru": "false"}[mode]
    up = {"rz": "back_ < d_ && d_ < 0.0", "ru": "back_ < d_", "rd": "false"}[mode]
    return "\n".join([
        src, "T h_ = xp_cast<T>(d_);", "double back_ = (double)xp_cast<float>(h_);",
        f"unsigned short b_;\n{_copy('b_', 'h_', 2)}",
        f"if ({down})  /* one step toward -inf */\n  b_ = (b_ & 0x8000u) ? (unsigned short)(b_ + 1u) : "
        "(b_ == 0u ? (unsigned short)0x8001u : (unsigned short)(b_ - 1u));",
        f"if ({up})  /* one step toward +inf */\n  b_ = (b_ & 0x8000u) ? (b_ == 0x8000u ? (unsigned short)1u : "
        "(unsigned short)(b_ - 1u)) : (unsigned short)(b_ + 1u);",
        _copy("h_", "b_", 2), "return h_;"])


def _odd53(signed: bool) -> str:
    """d_ = the 64-bit integer i rounded to 53 bits by round-to-odd (then one more rounding to 8/11 bits is
    correct in every mode)."""
    u = "unsigned long long u_ = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;" if signed \
        else "unsigned long long u_ = i;"
    return "\n".join([u, "int sh_ = 0;", "while ((u_ >> sh_) >= (1ULL << 53)) ++sh_;",
                      "unsigned long long m_ = u_ >> sh_;",
                      "if (sh_ > 0 && (u_ & ((1ULL << sh_) - 1ULL)) != 0ULL) m_ |= 1ULL;  /* sticky bit */",
                      "double d_ = ldexp((double)m_, sh_);" + (" if (i < 0) d_ = -d_;" if signed else "")])


_I16 = {"int": "int", "uint": "unsigned int", "short": "short", "ushort": "unsigned short", "ll": "long long",
        "ull": "unsigned long long"}
for _pre, _t16, _t162, _inst in (("half", "__half", "__half2", HALF), ("bfloat16", "__nv_bfloat16",
                                                                         "__nv_bfloat162", BF16)):
    _cv = f"__float2{_pre}"
    for _m, _mw in _MODES.items():
        _I.append(_one(f"{_cv}_{_m}", (S("a", "float"),), _t16, _to16(_m, "double d_ = (double)a;"), "convert",
                       f"Converts float a to {_t16} in {_mw} mode; ±0, ±∞ and NaN are preserved"
                       + ("; finite values at or beyond 65520 in magnitude become ±∞ (round to nearest)."
                          if _pre == "half" else "."), _S54, instances=_inst))
        for _it, _ct in _I16.items():
            _dsrc = _odd53(_it == "ll") if _it in ("ll", "ull") else "double d_ = (double)i;"
            _I.append(_one(f"__{_it}2{_pre}_{_m}", (S("i", _ct),), _t16, _to16(_m, _dsrc), "convert",
                           f"Converts {_ct} i to {_t16} in {_mw} mode (one rounding).", _S54, instances=_inst))
            _I.append(_one(f"__{_pre}2{_it}_{_m}", (S("h", _t16),), _ct,
                           _to_int("float r = {r}(xp_cast<float>(h));", _RF[_m], _it, True), "convert",
                           f"Converts {_t16} h to {_ct} in {_mw} mode. NaN converts to 0; out-of-range values "
                           "saturate.", _S54))
    _I += [
        _one(_cv, (S("a", "float"),), _t16, "return xp_cast<T>(a);", "convert",
             f"Converts float a to {_t16}, round-to-nearest-even (= {_cv}_rn).", _S54, instances=_inst,
             alias_of=f"{_cv}_rn"),
        _one(f"__{_pre}2float", (S("a", _t16),), "float", "return xp_cast<float>(a);", "convert",
             f"Converts {_t16} a to float (exact).", _S54),
        _one(f"__double2{_pre}", (S("a", "double"),), _t16, "return xp_cast<T>(a);", "convert",
             f"Converts double a to {_t16}, round-to-nearest-even, rounding once.", _S54, instances=_inst),
    ]
_HCV = [  # (half name, bf16 name, params, ret, body, doc)  T/T2 generic
    ("__float2half2_rn", "__float2bfloat162_rn", (S("a", "float"),), "T2",
     "T2 r_;\nr_.x = xp_cast<T>(a);\nr_.y = r_.x;\nreturn r_;", "Both lanes = a converted (round to nearest even)."),
    ("__floats2half2_rn", "__floats2bfloat162_rn", (S("a", "float"), S("b", "float")), "T2",
     "T2 r_;\nr_.x = xp_cast<T>(a);\nr_.y = xp_cast<T>(b);\nreturn r_;",
     ".x = a, .y = b, each converted (round to nearest even); .x is the low 16 bits."),
    ("__float22half2_rn", "__float22bfloat162_rn", (S("a", "float2"),), "T2",
     "T2 r_;\nr_.x = xp_cast<T>(a.x);\nr_.y = xp_cast<T>(a.y);\nreturn r_;",
     "Converts a float2 lane by lane (round to nearest even)."),
    ("__half22float2", "__bfloat1622float2", (S("a", "T2"),), "float2",
     "float2 r_;\nr_.x = xp_cast<float>(a.x);\nr_.y = xp_cast<float>(a.y);\nreturn r_;",
     "Converts both lanes to a float2 (exact)."),
    ("__low2half", "__low2bfloat16", (S("a", "T2"),), "T", "return a.x;", "The low lane (.x)."),
    ("__high2half", "__high2bfloat16", (S("a", "T2"),), "T", "return a.y;", "The high lane (.y)."),
    ("__low2half2", "__low2bfloat162", (S("a", "T2"),), "T2", "T2 r_;\nr_.x = a.x;\nr_.y = a.x;\nreturn r_;",
     "Both lanes = the low lane of a."),
    ("__high2half2", "__high2bfloat162", (S("a", "T2"),), "T2", "T2 r_;\nr_.x = a.y;\nr_.y = a.y;\nreturn r_;",
     "Both lanes = the high lane of a."),
    ("__lows2half2", "__lows2bfloat162", (S("a", "T2"), S("b", "T2")), "T2",
     "T2 r_;\nr_.x = a.x;\nr_.y = b.x;\nreturn r_;", "(a.x, b.x): the low lanes of a and b."),
    ("__highs2half2", "__highs2bfloat162", (S("a", "T2"), S("b", "T2")), "T2",
     "T2 r_;\nr_.x = a.y;\nr_.y = b.y;\nreturn r_;", "(a.y, b.y): the high lanes of a and b."),
    ("__halves2half2", "__halves2bfloat162", (S("a", "T"), S("b", "T")), "T2",
     "T2 r_;\nr_.x = a;\nr_.y = b;\nreturn r_;", "(a, b): a in the low lane, b in the high lane."),
    ("make_half2", "make_bfloat162", (S("x", "T"), S("y", "T")), "T2",
     "T2 r_;\nr_.x = x;\nr_.y = y;\nreturn r_;", "Builds (x, y)."),
    ("__half2half2", "__bfloat162bfloat162", (S("a", "T"),), "T2", "T2 r_;\nr_.x = a;\nr_.y = a;\nreturn r_;",
     "Both lanes = a."),
]
for _hn, _bn, _ps, _ret, _body, _doc in _HCV:
    _I.append(_one(_hn, _ps, _ret, _body, "convert", "half2: " + _doc, _S54, instances=HALF))
    _I.append(_one(_bn, _ps, _ret, _body, "convert", "bfloat162: " + _doc, _S54, instances=BF16))
for _n, _lane in (("__low2float", "x"), ("__high2float", "y")):
    _I.append(Intrinsic(_n, tuple(Overload((S("a", "T2"),), ret="float", instances=inst,
                                           semantics=f"return xp_cast<float>(a.{_lane});")
                                  for _t, _t2, inst, _a in _HB), "convert",
                        f"The {'low' if _lane == 'x' else 'high'} lane (.{_lane}) of a half2 / bfloat162, as float.",
                        source=_S54))
_I.append(Intrinsic("__lowhigh2highlow", tuple(Overload((S("a", "T2"),), ret="T2", instances=inst,
                                                        semantics="T2 r_;\nr_.x = a.y;\nr_.y = a.x;\nreturn r_;")
                                               for _t, _t2, inst, _a in _HB), "convert",
                    "Swaps the lanes: (a.y, a.x).", source=_S54))
for _pre, _t16 in (("half", "__half"), ("bfloat16", "__nv_bfloat16")):
    for _it, _ct in (("short", "short"), ("ushort", "unsigned short")):
        _I.append(_one(f"__{_pre}_as_{_it}", (S("h", _t16),), _ct, f"{_ct} r;\n{_copy('r', 'h', 2)}\nreturn r;",
                       "convert", f"The bit pattern of the {_t16} as a {_ct} (no conversion).", _S54))
        _I.append(_one(f"__{_it}_as_{_pre}", (S("i", _ct),), _t16, f"{_t16} r;\n{_copy('r', 'i', 2)}\nreturn r;",
                       "convert", f"The {_t16} with the bit pattern i (no conversion).", _S54))

# =============================================================================================
# 8. Loads and stores with cache hints (gpu.md §2.4, §9)
# =============================================================================================
_LDG_TYPES = ("char", "signed char", "short", "int", "long", "long long", "unsigned char", "unsigned short",
              "unsigned int", "unsigned long", "unsigned long long", "char2", "char4", "short2", "short4", "int2",
              "int4", "longlong2", "uchar2", "uchar4", "ushort2", "ushort4", "uint2", "uint4", "ulonglong2",
              "float", "float2", "float4", "double", "double2", "__half", "__half2", "__nv_bfloat16",
              "__nv_bfloat162")
for _n, _hint in (("__ldg", "through the read-only (non-coherent, ld.global.nc) data cache; the data must not be "
                            "written by any thread during the kernel"),
                  ("__ldcg", "cached in L2 only (ld.global.cg)"), ("__ldca", "cached in all levels (ld.global.ca)"),
                  ("__ldcs", "with the evict-first streaming policy (ld.global.cs)"),
                  ("__ldlu", "as the last use of the line (ld.global.lu)"),
                  ("__ldcv", "volatile: fetched again on every access (ld.global.cv)")):
    _I.append(_one(_n, (P("ptr", "const T *", "in", "global"),), "T", "return *ptr;", "load",
                   f"Returns *ptr, loaded {_hint}. The hint changes caching only, not the value. Vector types need "
                   "their natural alignment (float4: 16 bytes)." + (" HIP has no equivalent (gpu.md §9)."
                                                                    if _n != "__ldg" else ""),
                   _src("§2.4" if _n == "__ldg" else "§9", "PG"), instances=each(T=_LDG_TYPES)))
for _n, _hint in (("__stcg", "cached in L2 only (st.global.cg)"),
                  ("__stcs", "with the evict-first streaming policy (st.global.cs)"),
                  ("__stwb", "write-back through all coherent levels (st.global.wb)"),
                  ("__stwt", "write-through to system memory (st.global.wt)")):
    _I.append(_one(_n, (P("ptr", "T *", "out", "global"), S("value", "T")), "void", "*ptr = value;", "store",
                   f"Stores value to *ptr {_hint}; the hint changes caching only. HIP has no equivalent (gpu.md §9).",
                   _src("§9", "PG"), instances=each(T=_LDG_TYPES)))

# =============================================================================================
# 9. Address-space predicates and traps (gpu.md §2.1, §9)
# =============================================================================================
for _n, _sp in (("__isGlobal", "global"), ("__isShared", "shared"), ("__isConstant", "constant"),
                ("__isLocal", "local")):
    _I.append(_one(_n, (P("ptr", "const void *", "in"),), "unsigned int", None, "misc",
                   f"1 if the generic pointer ptr points into {_sp} memory, else 0. The emulator answers from "
                   "its arena ranges.", _src("§2.1", "PG §5.4.8.1"), emulation="runtime"))
_I += [
    _one("__trap", (), "void", None, "misc",
         "Aborts the kernel: the launch fails and the host sees an error (cudaErrorLaunchFailure). No HIP "
         "equivalent in HIPIFY's tables (gpu.md §9).", _src("§9", "PG"), emulation="runtime"),
    _one("__brkpt", (), "void", None, "misc", "Debugger breakpoint; the emulator reports it and stops.",
         _src("§9", "PG"), emulation="runtime"),
]

# =============================================================================================
# 10. WMMA: nvcuda::wmma (gpu.md §6)
# =============================================================================================
_S6 = _src("§6.1-6.2", "PG §5.4.11; MMAH")
_NS = "nvcuda::wmma::"
_WDT = {  # dtype key -> spelling inside fragment<...>
    "__half": "__half", "float": "float", "int": "int", "signed char": "signed char",
    "unsigned char": "unsigned char", "__nv_bfloat16": "__nv_bfloat16", "double": "double",
    "tf32": _NS + "precision::tf32", "u4": _NS + "experimental::precision::u4",
    "s4": _NS + "experimental::precision::s4", "b1": _NS + "experimental::precision::b1",
}
# storage_element_type and fill_argument_type of the packed / tf32 types (mma.h helper_traits)
_WSTORE = {"tf32": "float", "u4": "unsigned int", "s4": "int", "b1": "unsigned int"}
# pointer element type of load_matrix_sync for A/B fragments
_WPTR = {"tf32": "float", "u4": "void", "s4": "void", "b1": "void"}


class WmmaFragment(NamedTuple):
    """One documented fragment: ``fragment<kind, m, n, k, dtype[, layout]>``."""

    kind: str  # "matrix_a", "matrix_b", "accumulator"
    m: int
    n: int
    k: int
    dtype: str  # key of _WDT: "__half", "float", "int", "signed char", "tf32", "u4"...
    num_elements: int  # per lane
    num_storage_elements: int  # per lane (smaller than num_elements for packed u4/s4/b1)
    storage_type: str  # type of frag.x[i]
    arch: str
    layouts: tuple[str, ...]  # allowed layouts for A/B ("row_major", "col_major"); () for accumulators

    @property
    def rows(self) -> int:
        return {"matrix_a": self.m, "matrix_b": self.k, "accumulator": self.m}[self.kind]

    @property
    def cols(self) -> int:
        return {"matrix_a": self.k, "matrix_b": self.n, "accumulator": self.n}[self.kind]

    @property
    def ctype(self) -> str:
        """The C++ fragment type, without the layout for A/B (append it) and complete for accumulators."""
        return f"{_NS}fragment<{_NS}{self.kind}, {self.m}, {self.n}, {self.k}, {_WDT[self.dtype]}"


def _wfrag(kind, shape, dtype, ne, arch, nstore=None, layouts=("row_major", "col_major")) -> WmmaFragment:
    m, n, k = shape
    return WmmaFragment(kind, m, n, k, dtype, ne, nstore if nstore is not None else ne,
                        _WSTORE.get(dtype, dtype), arch, layouts if kind != "accumulator" else ())


def _wmma_table() -> dict[tuple[str, int, int, int, str], WmmaFragment]:
    """Every fragment specialisation of crt/mma.h, with its num_elements (gpu.md §6.2)."""
    out: list[WmmaFragment] = []
    counts = {(16, 16, 16): (8, 8), (32, 8, 16): (16, 4), (8, 32, 16): (4, 16)}  # 1-byte and bf16 A / B
    for shape in counts:
        out += [_wfrag("matrix_a", shape, "__half", 16, "sm_70+"), _wfrag("matrix_b", shape, "__half", 16, "sm_70+"),
                _wfrag("accumulator", shape, "__half", 8, "sm_70+"), _wfrag("accumulator", shape, "float", 8, "sm_70+")]
        a, b = counts[shape]
        for t in ("signed char", "unsigned char"):
            out += [_wfrag("matrix_a", shape, t, a, "sm_72+"), _wfrag("matrix_b", shape, t, b, "sm_72+")]
        out.append(_wfrag("accumulator", shape, "int", 8, "sm_72+"))
        out += [_wfrag("matrix_a", shape, "__nv_bfloat16", a, "sm_80+"),
                _wfrag("matrix_b", shape, "__nv_bfloat16", b, "sm_80+")]
    out += [_wfrag("matrix_a", (16, 16, 8), "tf32", 4, "sm_80+"), _wfrag("matrix_b", (16, 16, 8), "tf32", 4, "sm_80+"),
            _wfrag("accumulator", (16, 16, 8), "float", 8, "sm_80+"),
            _wfrag("matrix_a", (8, 8, 4), "double", 1, "sm_80+"), _wfrag("matrix_b", (8, 8, 4), "double", 1, "sm_80+"),
            _wfrag("accumulator", (8, 8, 4), "double", 2, "sm_80+")]
    for t in ("u4", "s4"):
        out += [_wfrag("matrix_a", (8, 8, 32), t, 8, "sm_73+", 1, ("row_major",)),
                _wfrag("matrix_b", (8, 8, 32), t, 8, "sm_73+", 1, ("col_major",))]
    out += [_wfrag("accumulator", (8, 8, 32), "int", 2, "sm_73+"),
            _wfrag("matrix_a", (8, 8, 128), "b1", 32, "sm_73+", 1, ("row_major",)),
            _wfrag("matrix_b", (8, 8, 128), "b1", 32, "sm_73+", 1, ("col_major",)),
            _wfrag("accumulator", (8, 8, 128), "int", 2, "sm_73+")]
    return {(f.kind, f.m, f.n, f.k, f.dtype): f for f in out}


WMMA_SHAPES: dict[tuple[str, int, int, int, str], WmmaFragment] = _wmma_table()


def wmma_element(kind: str, m: int, n: int, k: int, dtype: str, layout: str | None, lane: int, i: int
                 ) -> tuple[int, int]:
    """(row, col) of the matrix element that ``frag.x[i]`` of ``lane`` holds: rows/cols of the m×k A, the
    k×n B or the m×n accumulator. The mapping the emulator uses for every documented fragment.

    Officially the mapping is unspecified (gpu.md §6.3). With g = lane >> 2, t = lane & 3:

    * 16×16 accumulators (16×16×16 float/__half/int and 16×16×8 float): the sm_80 table of gpu.md §6.3,
      row = g + 8·((i >> 1) & 1), col = 8·(i >> 2) + 2t + (i & 1) (inferred in gpu.md: two
      mma.m16n8k16 tiles).
    * 16×16×16 A with 8 distinct elements (bf16, and 1-byte types by choice): the same formula over the
      16×16 A; B: k = 2t + (i & 1) + 8·((i >> 1) & 1), n = g + 8·(i >> 2) (gpu.md §6.3).
    * 8×8×4 double: A (g, t), B (t, g), accumulator (g, 2t + i) (PTX mma.m8n8k4.f64, gpu.md §6.3).
    * Chosen here (gpu.md documents nothing for them): 16×16×8 tf32 A row = g + 8·(i & 1),
      col = t + 4·(i >> 1) and B k = t + 4·(i & 1), n = g + 8·(i >> 1) (the PTX mma.m16n8k8 tf32
      fragments, two n8 tiles for B); 32×8×16 stacks two 16-row tiles (A: rows + 16·(i >> 3);
      accumulator: row = 16·(i >> 2) + g + 8·((i >> 1) & 1), col = 2t + (i & 1); B is one 16×8 tile,
      k = 2t + (i & 1) + 8·((i >> 1) & 1), n = g); 8×32×16 puts 8-column tiles side by side
      (accumulator: row = g, col = 8·(i >> 1) + 2t + (i & 1); A 8×16: row = g, col = 2t + (i & 1) +
      8·(i >> 1); B 16×32 as the 16×16 B with n = g + 8·(i >> 2)); sub-byte 8×8×32 / 8×8×128 follow PTX
      mma.m8n8k32 / m8n8k128: A (g, E·t + i), B (E·t + i, g) with E = 8 / 32 elements per lane,
      accumulator (g, 2t + i).
    * __half A/B fragments hold 16 elements while the tile has 32·D entries, D = rows·cols / 32 < 16:
      slot i holds the same element as slot i mod D (copies; fill every copy, read the first).

    For every fragment the first D = rows·cols/32 slots of the 32 lanes are a bijection onto the tile;
    the layout (row_major / col_major) changes only how load/store address memory, not this mapping.
    """
    frag = WMMA_SHAPES.get((kind, m, n, k, dtype))
    if frag is None:
        raise ValueError(f"no documented WMMA fragment {kind} {m}x{n}x{k} {dtype}")
    if layout is not None and frag.layouts and layout not in frag.layouts:
        raise ValueError(f"{kind} {m}x{n}x{k} {dtype} does not allow layout {layout}")
    if not (0 <= lane < 32 and 0 <= i < frag.num_elements):
        raise ValueError(f"lane {lane} / element {i} out of range (32 lanes, {frag.num_elements} elements)")
    distinct = frag.rows * frag.cols // 32
    i %= distinct
    g, t = lane >> 2, lane & 3
    if kind == "accumulator":
        if (m, n) == (16, 16):
            return g + 8 * ((i >> 1) & 1), 8 * (i >> 2) + 2 * t + (i & 1)
        if (m, n) == (32, 8):
            return 16 * (i >> 2) + g + 8 * ((i >> 1) & 1), 2 * t + (i & 1)
        if (m, n) == (8, 32):
            return g, 8 * (i >> 1) + 2 * t + (i & 1)
        return g, 2 * t + i  # 8x8 (double, u4/s4, b1)
    if kind == "matrix_a":
        if (m, k) == (16, 16):
            return g + 8 * ((i >> 1) & 1), 2 * t + (i & 1) + 8 * (i >> 2)
        if (m, k) == (16, 8):
            return g + 8 * (i & 1), t + 4 * (i >> 1)
        if (m, k) == (32, 16):
            return 16 * (i >> 3) + g + 8 * ((i >> 1) & 1), 2 * t + (i & 1) + 8 * ((i >> 2) & 1)
        if (m, k) == (8, 16):
            return g, 2 * t + (i & 1) + 8 * (i >> 1)
        return g, distinct * t + i  # 8x4 double (1), 8x32 u4/s4 (8), 8x128 b1 (32)
    # matrix_b: (k rows) x (n cols)
    if (k, n) == (16, 16) or (k, n) == (16, 32) or (k, n) == (16, 8):
        return 2 * t + (i & 1) + 8 * ((i >> 1) & 1), g + 8 * (i >> 2)
    if (k, n) == (8, 16):
        return t + 4 * (i & 1), g + 8 * (i >> 1)
    return distinct * t + i, g  # 4x8 double, 32x8 u4/s4, 128x8 b1


def _frag_t(f: WmmaFragment, layout: str | None = None) -> str:
    if f.kind == "accumulator":
        return f.ctype + ">"
    return f.ctype + f", {_NS}{layout}>"


_WSPACE = "global|shared"
_WALIGN = ("p must be 256-bit (32-byte) aligned; ldm (elements) a multiple of 16 bytes: 8 for __half, 4 for float, "
           "32 for u4/s4, 128 for b1 (other types: 16 bytes, inferred).")
_WUNIFORM = ("Warp collective: every lane of the warp must call it with the same p, ldm, layout and template "
             "arguments (warp-uniform condition only), else undefined.")

_LDM = Param("ldm", "unsigned", role="scalar", unit="elements", doc="leading dimension (row stride for row-major)")
_LAYOUT = C("layout", _NS + "layout_t", "mem_row_major or mem_col_major")

# Tile semantics (base.Collective, kind "tile"): a fragment is its matrix, a row-major array of
# rows x cols values of TILE_ELEM (the element type; tf32 in float, u4/s4/b1 values in int, s4
# sign-extended); the per-lane x[i] <-> (row, col) mapping is wmma_element. The runtime
# (xp_gpu.hpp, wmma_load / wmma_store / wmma_complete) implements the same per lane.
TILE_ELEM = {"tf32": "float", "u4": "int", "s4": "int", "b1": "int"}
_SUB_BITS = {"u4": 4, "s4": 4, "b1": 1}


def tile_elem(dtype: str) -> str:
    """The C type of one matrix element of a fragment of ``dtype`` (a WMMA_SHAPES key part)."""
    return TILE_ELEM.get(dtype, dtype)


def _sub_value(dt: str, bits: str) -> str:
    """The matrix value of a sub-byte element from its raw bits (s4 sign-extends)."""
    return f"(((int){bits} ^ 8) - 8)" if dt == "s4" else f"(int){bits}"


def _tile_params(f: WmmaFragment, *rest: Param) -> tuple[Param, ...]:
    return (Param("a", f"{tile_elem(f.dtype)} *", role="out", doc=f"the {f.rows}x{f.cols} matrix"),) + rest


def _fill_tile(f: WmmaFragment, val: str) -> str:
    v = {"u4": "(int)(v & 15u)", "s4": "((int)(v & 15) ^ 8) - 8", "b1": "(int)(v & 1u)"}.get(f.dtype, "v")
    return f"for (int i = 0; i < {f.rows * f.cols}; ++i)\n  a[i] = {v};"


def _load_tile(f: WmmaFragment, col: str) -> str:
    """a[r][c] = element (r, c) of memory: p[r*ldm + c] row-major, p[c*ldm + r] column-major."""
    idx = f"{col} ? (unsigned long)c * ldm + r : (unsigned long)r * ldm + c"
    if f.dtype in _SUB_BITS:
        nb = _SUB_BITS[f.dtype]
        read = (f"unsigned long bit = ({idx}) * {nb};\n"
                f"    unsigned int raw = (((const unsigned char *)p)[bit / 8] >> (bit % 8)) & {(1 << nb) - 1}u;\n"
                f"    a[r * {f.cols} + c] = {_sub_value(f.dtype, 'raw')};")
    else:
        read = f"unsigned long idx = {idx};\n    a[r * {f.cols} + c] = p[idx];"
    return (f"for (int r = 0; r < {f.rows}; ++r)\n  for (int c = 0; c < {f.cols}; ++c) {{\n    {read}\n  }}")


def _store_tile(f: WmmaFragment) -> str:
    return (f"for (int r = 0; r < {f.rows}; ++r)\n  for (int c = 0; c < {f.cols}; ++c)\n"
            f"    p[layout == 1 ? (unsigned long)c * ldm + r : (unsigned long)r * ldm + c] = a[r * {f.cols} + c];"
            "  /* layout 1: mem_col_major */")


_fill_ovs, _loadab, _loadc, _store = [], [], [], []
for (_kind, _m, _n, _k, _dt), _f in WMMA_SHAPES.items():
    _ptr = _WPTR.get(_dt, _dt)
    _val = _WSTORE.get(_dt, _dt)
    if _dt in ("u4", "s4"):
        _pack = f"{_val} v_ = ({_val})((((unsigned int)v) & 0xfu) * 0x11111111u);"
    elif _dt == "b1":
        _pack = "unsigned int v_ = (v & 1u) ? 0xFFFFFFFFu : 0u;"
    else:
        _pack = f"{_val} v_ = v;"
    _fsem = f"{_pack}\nfor (int i_ = 0; i_ < {_f.num_storage_elements}; ++i_) a.x[i_] = v_;"
    for _lay in (_f.layouts or (None,)):
        _ft = _frag_t(_f, _lay)
        _fill_ovs.append(Overload(
            (P("a", "F &", "out"), S("v", "const V &")), instances=({"F": _ft, "V": _val},), semantics=_fsem,
            arch=_f.arch, collective=Collective("tile", _tile_params(_f, S("v", _val)), _fill_tile(_f, _val))))
        _mem = P("p", f"const {_ptr} *", "in")
        if _kind == "accumulator":
            _loadc.append(Overload(
                (P("a", "F &", "out"), P("p", "const E *", "in", _WSPACE, unit="elements"), _LDM, _LAYOUT),
                instances=({"F": _ft, "E": _ptr},), arch=_f.arch,
                collective=Collective("tile", _tile_params(_f, _mem, S("ldm", "unsigned"), C("layout", "int")),
                                      _load_tile(_f, "layout == 1"))))
            _store.append(Overload(
                (P("p", "E *", "out", _WSPACE, unit="elements"), P("a", "const F &", "in"), _LDM, _LAYOUT),
                instances=({"F": _ft, "E": _ptr},), arch=_f.arch,
                collective=Collective("tile", (P("p", f"{_ptr} *", "out"), P("a", f"const {tile_elem(_dt)} *", "in"),
                                               S("ldm", "unsigned"), C("layout", "int")), _store_tile(_f))))
        else:
            _loadab.append(Overload(
                (P("a", "F &", "out"), P("p", "const E *", "in", _WSPACE, unit="elements"), _LDM),
                instances=({"F": _ft, "E": _ptr},), arch=_f.arch,
                collective=Collective("tile", _tile_params(_f, _mem, S("ldm", "unsigned")),
                                      _load_tile(_f, "1" if _lay == "col_major" else "0"))))

_I += [
    Intrinsic("fill_fragment", tuple(_fill_ovs), "wmma",
              "Sets every element of the fragment to v (each lane fills its own x[]; for u4/s4 the low 4 bits of v, "
              "for b1 the low bit, replicated into the packed storage word). Called by all lanes of the warp.",
              source=_S6, qualified=_NS + "fill_fragment", emulation="runtime"),
    Intrinsic("load_matrix_sync", tuple(_loadab + _loadc), "wmma",
              "Loads an m×k (matrix_a), k×n (matrix_b) or m×n (accumulator) tile from p into the fragment: element "
              "(r, c) is p[r*ldm + c] in row-major, p[c*ldm + r] in column-major memory; the A/B layout is the "
              "fragment's Layout template argument, the accumulator's is the layout argument. " + _WUNIFORM + " "
              + _WALIGN, source=_S6, qualified=_NS + "load_matrix_sync", emulation="runtime",
              alignment=_WALIGN),
    Intrinsic("store_matrix_sync", tuple(_store), "wmma",
              "Stores an accumulator fragment to the m×n tile at p: element (r, c) goes to p[r*ldm + c] "
              "(mem_row_major) or p[c*ldm + r] (mem_col_major). " + _WUNIFORM + " " + _WALIGN,
              source=_S6, qualified=_NS + "store_matrix_sync", emulation="runtime", alignment=_WALIGN),
]


def _mma_insts(shape, ab: str, dcs, layouts_a=("row_major", "col_major"), layouts_b=("row_major", "col_major")):
    """Instances of one mma_sync overload; besides the fragment types FD/FA/FB/FC they bind the tile
    semantics' constants: TILE_M/N/K, the matrix element types TA/TB/TC/TD and DMAX (satf's largest
    finite value of TD)."""
    m, n, k = shape
    out = []
    for d, c in dcs:
        for la in layouts_a:
            for lb in layouts_b:
                out.append({"FD": _frag_t(WMMA_SHAPES[("accumulator", m, n, k, d)]),
                            "FA": _frag_t(WMMA_SHAPES[("matrix_a", m, n, k, ab)], la),
                            "FB": _frag_t(WMMA_SHAPES[("matrix_b", m, n, k, ab)], lb),
                            "FC": _frag_t(WMMA_SHAPES[("accumulator", m, n, k, c)]),
                            "TILE_M": str(m), "TILE_N": str(n), "TILE_K": str(k),
                            "TA": tile_elem(ab), "TB": tile_elem(ab), "TC": tile_elem(c), "TD": tile_elem(d),
                            "DMAX": {"__half": "65504.0", "float": "3.4028234663852886e38"}.get(d, "0")})
    return tuple(out)


_MMA4 = (P("d", "FD &", "out"), P("a", "const FA &", "in"), P("b", "const FB &", "in"), P("c", "const FC &", "in"))
_SATF = C("satf", "bool", "saturate to finite: +∞ → +MAX_NORM, -∞ → -MAX_NORM, NaN → +0", default="false")
_HALF_DC = (("__half", "__half"), ("float", "__half"), ("float", "float"), ("__half", "float"))
_SHAPES3 = ((16, 16, 16), (32, 8, 16), (8, 32, 16))
_TILES = (P("d", "TD *", "out"), P("a", "const TA *", "in"), P("b", "const TB *", "in"), P("c", "const TC *", "in"))


def _tf32(x: str) -> str:
    """A tf32 operand: the float with its low 13 mantissa bits cleared (they do not take part)."""
    return (f"{{ float f_ = {x}; unsigned int u_;\n"
            "        for (int q_ = 0; q_ < 4; ++q_) ((char *)&u_)[q_] = ((const char *)&f_)[q_];\n"
            "        u_ &= 0xFFFFE000u;\n"
            "        for (int q_ = 0; q_ < 4; ++q_) ((char *)&f_)[q_] = ((const char *)&u_)[q_];\n"
            f"        {x.split('[')[0]}v = (double)f_; }}")


def mma_tile(family: str, satf: bool) -> str:
    """D = A.B + C over the matrices, as wmma_complete computes it: products and sum in double in k
    order (exactly in long long for integers, popcount terms for b1) and one rounding into TD;
    satf: NaN -> 0 and clamping to +-DMAX (floats), to int32 (integers)."""
    integer = family in ("int8", "sub", "b1")
    if integer:
        acc = "long long s = (long long)c[i * TILE_N + j];"
        if family == "b1":
            step = ("long long x = a[i * TILE_K + k], y = b[k * TILE_N + j];\n"
                    "        s += op == 2 ? (x & y) : (x ^ y);  /* bmmaBitOpAND : bmmaBitOpXOR */")
        else:
            step = "s += (long long)a[i * TILE_K + k] * (long long)b[k * TILE_N + j];"
        sat = ("if (satf) s = s > 2147483647LL ? 2147483647LL : s < -2147483648LL ? -2147483648LL : s;\n      "
               if satf else "")
        fin = sat + "d[i * TILE_N + j] = xp_cast<TD>(s);"
    else:
        acc = "double s = (double)(float)c[i * TILE_N + j];" if family != "double" else "double s = c[i * TILE_N + j];"
        if family == "tf32":
            step = ("double av, bv;\n        " + _tf32("a[i * TILE_K + k]") + "\n        " + _tf32("b[k * TILE_N + j]")
                    + "\n        s += av * bv;")
        elif family == "double":
            step = "s += a[i * TILE_K + k] * b[k * TILE_N + j];"
        else:
            step = "s += (double)(float)a[i * TILE_K + k] * (double)(float)b[k * TILE_N + j];"
        sat = ("if (satf) {\n        if (s != s) s = 0;\n        else if (s > DMAX) s = DMAX;\n"
               "        else if (s < -DMAX) s = -DMAX;\n      }\n      " if satf else "")
        fin = sat + "d[i * TILE_N + j] = xp_cast<TD>(s);"
    return ("for (int i = 0; i < TILE_M; ++i)\n  for (int j = 0; j < TILE_N; ++j) {\n"
            f"      {acc}\n      for (int k = 0; k < TILE_K; ++k) {{\n        {step}\n      }}\n      {fin}\n  }}")


def _mma_ov(params, instances, arch, note, family):
    satf = any(p.name == "satf" for p in params)
    tiles = _TILES + ((C("satf", "bool"),) if satf else ())
    return Overload(params, instances=instances, arch=arch, note=note,
                    collective=Collective("tile", tiles, mma_tile(family, satf)))


_I.append(Intrinsic("mma_sync", (
    _mma_ov(_MMA4 + (_SATF,), sum((_mma_insts(s, "__half", _HALF_DC) for s in _SHAPES3), ()), "sm_70+",
            "__half inputs; d and c may be __half or float independently. CUDA 12's mma.h drops satf for these "
            "(older toolkits and the guide have it)", "half"),
    _mma_ov(_MMA4 + (_SATF,), sum((_mma_insts(s, t, (("int", "int"),)) for s in _SHAPES3
                                   for t in ("signed char", "unsigned char")), ()), "sm_72+",
            "8-bit integer inputs, int accumulation (wraps, or saturates with satf)", "int8"),
    _mma_ov(_MMA4, sum((_mma_insts(s, "__nv_bfloat16", (("float", "float"),)) for s in _SHAPES3), ()), "sm_80+",
            "bfloat16 inputs, float accumulation; no satf argument", "bf16"),
    _mma_ov(_MMA4, _mma_insts((16, 16, 8), "tf32", (("float", "float"),)), "sm_80+",
            "tf32 inputs (float storage, convert with __float_to_tf32); no satf argument", "tf32"),
    _mma_ov(_MMA4, _mma_insts((8, 8, 4), "double", (("double", "double"),)), "sm_80+",
            "double, round-to-nearest-even multiply-add; no satf argument", "double"),
    _mma_ov(_MMA4 + (_SATF,), sum((_mma_insts((8, 8, 32), t, (("int", "int"),), ("row_major",), ("col_major",))
                                   for t in ("s4", "u4")), ()), "sm_73+",
            "experimental 4-bit; A row-major, B col-major; deprecated, absent from sm_90", "sub"),
), "wmma", "Warp matrix multiply-accumulate D = A·B + C for one m×n×k tile (d may be the same object as c). "
           "Accumulation order, intermediate rounding and subnormal handling are unspecified; the emulator "
           "computes in float (double for 8×8×4, wrapping int32 for integers) and rounds once to the accumulator "
           "type. satf: +∞ → +MAX_NORM, -∞ → -MAX_NORM, NaN → +0 in the destination. Converting between __half "
           "and float accumulators is not supported. " + _WUNIFORM,
    source=_src("§6.1", "PG §5.4.11; MMAH; PTX"), qualified=_NS + "mma_sync", emulation="runtime"))
_I += [
    _one("bmma_sync", _MMA4 + (C("op", _NS + "experimental::bmmaBitOp", "bmmaBitOpXOR or bmmaBitOpAND (sm_80+)",
                                 default=_NS + "experimental::bmmaBitOpXOR"),
                               C("acc", _NS + "experimental::bmmaAccumulateOp", "bmmaAccumulateOpPOPC",
                                 default=_NS + "experimental::bmmaAccumulateOpPOPC")), "void", None, "wmma",
         "Binary 8×8×128 multiply-accumulate: d[i][j] = c[i][j] + popcount(A row i op B column j) with op XOR or "
         "AND. A row-major, B col-major, 32 one-bit elements per storage word. XOR is deprecated and absent "
         "from sm_90. " + _WUNIFORM, _src("§6.1", "PG §5.4.11; MMAH"), qualified=_NS + "bmma_sync",
         instances=_mma_insts((8, 8, 128), "b1", (("int", "int"),), ("row_major",), ("col_major",)),
         arch="sm_73+", emulation="runtime",
         collective=Collective("tile", _TILES + (C("op", "int"), C("acc", "int")), mma_tile("b1", False))),
    _one("__float_to_tf32", (S("in", "float"),), "float",
         f"unsigned int u_;\n{_copy('u_', 'in', 4)}\n"
         "if ((u_ & 0x7f800000u) != 0x7f800000u) { u_ += 0x1000u; u_ &= 0xffffe000u; }  /* keep inf and NaN */\n"
         f"float r;\n{_copy('r', 'u_', 4)}\nreturn r;", "convert",
         "Rounds a float to tf32 precision for 16×16×8 tf32 fragments: cvt.rna.tf32.f32, round to nearest with "
         "ties away from zero, keeping 10 mantissa bits (the low 13 bits become 0); the result is still a float. "
         "Values that round past FLT_MAX become ±∞; ±∞ and NaN pass unchanged.", _src("§6.1", "MMAH"),
         arch="sm_80+", qualified=_NS + "__float_to_tf32"),
]

# =============================================================================================
# Tables
# =============================================================================================
INTRINSICS: dict[str, Intrinsic] = table(*_I)

# Values of the enumerators the tile semantics compare with (the runtime's and the prelude's enums).
ENUMERATORS: dict[str, int] = {
    _NS + "mem_row_major": 0, _NS + "mem_col_major": 1,
    _NS + "experimental::bmmaBitOpXOR": 1, _NS + "experimental::bmmaBitOpAND": 2,
    _NS + "experimental::bmmaAccumulateOpPOPC": 1,
}


def fragment_of(ctype: str) -> tuple[WmmaFragment, str | None]:
    """The fragment and layout (row_major / col_major, None for accumulators) a C++ fragment type
    names: ``fragment_of("wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major>")``."""
    t = re.sub(r"\s+", " ", ctype)
    m = re.search(r"fragment\s*<(.*)>", t)
    if not m:
        raise ValueError(f"{ctype} is not a wmma fragment type")
    parts = [x.strip() for x in m.group(1).split(",")]
    strip = lambda x: re.sub(r"^(::)?(nvcuda::)?(wmma::)?(experimental::)?(precision::)?", "", x)
    kind, mm, nn, kk = strip(parts[0]), int(parts[1]), int(parts[2]), int(parts[3])
    dt = strip(parts[4])
    dt = {"half": "__half", "nv_bfloat16": "__nv_bfloat16", "__hip_bfloat16": "__nv_bfloat16",
          "int8_t": "signed char", "uint8_t": "unsigned char", "char": "signed char"}.get(dt, dt)
    layout = strip(parts[5]) if len(parts) > 5 and strip(parts[5]) != "void" else None
    f = WMMA_SHAPES.get((kind, mm, nn, kk, dt))
    if f is None:
        raise ValueError(f"no documented WMMA fragment {kind} {mm}x{nn}x{kk} {dt}")
    return f, layout

BUILTIN_VARS: dict[str, BuiltinVar] = {
    "threadIdx": BuiltinVar("threadIdx", "uint3", "Index of the thread within its block (per-thread constant). "
                            "Linear id tid = x + y·blockDim.x + z·blockDim.x·blockDim.y; warps are cut from "
                            "consecutive tid: lane = tid % warpSize.", ("x", "y", "z"),
                            "x in [0, blockDim.x), y in [0, blockDim.y), z in [0, blockDim.z)", parallel=True),
    "blockIdx": BuiltinVar("blockIdx", "uint3", "Index of the block within the grid. Blocks are independent and may "
                           "run in any order.", ("x", "y", "z"),
                           "x in [0, gridDim.x), y in [0, gridDim.y), z in [0, gridDim.z)", parallel=True),
    "blockDim": BuiltinVar("blockDim", "dim3", "Threads per block in each dimension (the launch's second "
                           "configuration argument).", ("x", "y", "z"),
                           "x·y·z <= 1024; x, y <= 1024; z <= 64"),
    "gridDim": BuiltinVar("gridDim", "dim3", "Blocks per grid in each dimension (the launch's first configuration "
                          "argument).", ("x", "y", "z"), "x <= 2^31 - 1; y, z <= 65535"),
    "warpSize": BuiltinVar("warpSize", "int", "Threads per warp: 32 on every NVIDIA GPU.", (), "32"),
}

_ARCHS = ("sm_70", "sm_75", "sm_80", "sm_86", "sm_89", "sm_90")
SPACES: dict[str, MemorySpace] = {
    "global": MemorySpace("global", "__device__", "device",
                          "Device (global) memory: cudaMalloc'ed buffers and __device__ variables; visible to the whole "
                          "grid and the host API, program lifetime. Kernel pointer parameters point here."),
    "shared": MemorySpace("shared", "__shared__", "block",
                          "On-chip shared memory: one instance per block, block lifetime; cannot be initialised in its "
                          "declaration. Static __shared__ arrays are limited to 48 KB per block (capacity['static']); "
                          "beyond that dynamic (extern __shared__) memory with the cudaFuncAttribute"
                          "MaxDynamicSharedMemorySize opt-in, up to the per-arch figure (static + dynamic). All extern "
                          "__shared__ arrays alias one buffer whose size is the launch's third argument (bytes). Per "
                          "SM: 64 KB (sm_75), 164 KB (sm_80), 100 KB (sm_86/89), 228 KB (sm_90); 1 KB per block is "
                          "reserved. sm_70's 96 KB is from the CUDA guide, not gpu.md.",
                          {"static": 48 * 1024, "sm_70": 96 * 1024, "sm_75": 64 * 1024, "sm_80": 163 * 1024,
                           "sm_86": 99 * 1024, "sm_89": 99 * 1024, "sm_90": 227 * 1024}),
    "local": MemorySpace("local", "", "thread",
                         "Per-thread automatic variables (registers or local memory), up to 512 KB per thread.",
                         {a: 512 * 1024 for a in _ARCHS}),
    "constant": MemorySpace("constant", "__constant__", "device",
                            "Read-only constant memory (64 KB), written by the host with cudaMemcpyToSymbol; "
                            "cached and broadcast when all lanes read one address.",
                            {a: 64 * 1024 for a in _ARCHS}),
    "managed": MemorySpace("managed", "__managed__", "device",
                           "Unified memory variables, accessible from host and device (global memory to a kernel)."),
}
