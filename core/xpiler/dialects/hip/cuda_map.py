"""HIP's knowledge of CUDA spellings: what the ``hipify`` pass (passes/hipify.py) renames, and
how the constructs that differ in meaning are written on the other side.

One table per kind of name, written CUDA -> HIP (HIPIFY's direction, gpu.md §8.3 and §9,
[HIPIFY] ``src/CUDA2HIP*.cpp``); the HIP -> CUDA direction is derived from the same tables
(:func:`to_cuda`), the first CUDA spelling of a HIP name being the canonical one.

* ``RUNTIME``, ``TYPES``, ``ENUMS``: host runtime API, types and enumerators.
* ``HEADERS``: includes (``None``: the header has no HIP counterpart and the line is dropped;
  ``<mma.h>`` is dropped only when nothing uses ``wmma``).
* ``DEVICE``: device functions whose name differs but whose meaning is kept (block-scope atomics
  become device-scope ones, a stronger guarantee; cache-hinted loads and stores are plain loads
  and stores: the hint changes no value).
* ``NO_HIP_EQUIVALENT`` / ``NO_CUDA_EQUIVALENT``: what neither HIPIFY nor HIP maps (gpu.md §9),
  with the reason the pass gives when it refuses.
* Warp-size facts: ``CUDA_WARP`` (32) and ``HIP_WAVE`` (64, CDNA, the emulated HIP target), the
  CUDA warp intrinsics and their HIP mask-less counterparts (``SHUFFLES``, ``VOTES``), the value
  types HIP shuffles move (from the HIP table), and the statements HIP writes for CUDA's
  ``__syncwarp``.
* HIP -> CUDA: :func:`wave_helpers` is the CUDA source of the 64-lane wavefront emulation (a HIP
  wavefront is two CUDA warps; its cross-lane operations exchange values through shared memory
  between two ``__syncthreads``), :func:`mfma_helper` the CUDA source of one MFMA builtin
  computed from the lane layouts of ``hip/intrinsics.py`` (gpu.md §7.3), :func:`vector_struct`
  the CUDA struct standing for a clang ``ext_vector_type`` (nvcc has none).
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from .intrinsics import MFMA, SHFL_TYPES, WARP_SIZE as HIP_WAVE, Mfma, mfma_layout
from ..cuda.intrinsics import WARP_SIZE as CUDA_WARP

# ============================================================================================ names
RUNTIME: list[tuple[str, str]] = [(f"cuda{n}", f"hip{n}") for n in (
    "Malloc", "MallocManaged", "Free", "Memcpy", "MemcpyAsync", "Memset", "MemsetAsync", "MemcpyToSymbol",
    "MemcpyFromSymbol", "MemcpyToSymbolAsync", "MemcpyFromSymbolAsync", "Memcpy2D", "MemcpyPeer",
    "DeviceSynchronize", "DeviceReset", "GetLastError", "PeekAtLastError", "GetErrorString", "GetErrorName",
    "SetDevice", "GetDevice", "GetDeviceCount", "GetDeviceProperties", "DeviceGetAttribute", "StreamCreate",
    "StreamCreateWithFlags", "StreamSynchronize", "StreamDestroy", "StreamWaitEvent", "EventCreate",
    "EventCreateWithFlags", "EventRecord", "EventSynchronize", "EventElapsedTime", "EventDestroy",
    "FuncSetAttribute", "FuncGetAttributes", "LaunchKernel", "LaunchCooperativeKernel", "MemGetInfo",
    "HostGetDevicePointer", "MallocPitch", "OccupancyMaxActiveBlocksPerMultiprocessor")] + [
    ("cudaMallocHost", "hipHostMalloc"), ("cudaFreeHost", "hipHostFree"), ("cudaHostAlloc", "hipHostMalloc"),
    ("cudaConfigureCall", "hipConfigureCall"), ("__cudaPushCallConfiguration", "__hipPushCallConfiguration"),
]

TYPES: list[tuple[str, str]] = [
    ("cudaError_t", "hipError_t"), ("cudaError", "hipError_t"), ("cudaStream_t", "hipStream_t"),
    ("cudaEvent_t", "hipEvent_t"), ("cudaDeviceProp", "hipDeviceProp_t"), ("cudaMemcpyKind", "hipMemcpyKind"),
    ("cudaDeviceAttr", "hipDeviceAttribute_t"), ("cudaFuncAttribute", "hipFuncAttribute"),
    ("cudaFuncAttributes", "hipFuncAttributes"),
    ("__nv_bfloat16", "__hip_bfloat16"), ("__nv_bfloat162", "__hip_bfloat162"),
    ("nv_bfloat16", "__hip_bfloat16"), ("nv_bfloat162", "__hip_bfloat162"),
]

ENUMS: list[tuple[str, str]] = [
    ("cudaSuccess", "hipSuccess"), ("cudaErrorInvalidValue", "hipErrorInvalidValue"),
    ("cudaErrorMemoryAllocation", "hipErrorOutOfMemory"), ("cudaErrorInitializationError", "hipErrorNotInitialized"),
    ("cudaErrorInvalidConfiguration", "hipErrorInvalidConfiguration"),
    ("cudaErrorInvalidDevicePointer", "hipErrorInvalidDevicePointer"),
    ("cudaErrorInvalidMemcpyDirection", "hipErrorInvalidMemcpyDirection"),
    ("cudaErrorLaunchFailure", "hipErrorLaunchFailure"), ("cudaErrorUnknown", "hipErrorUnknown"),
    ("cudaErrorNotReady", "hipErrorNotReady"), ("cudaErrorIllegalAddress", "hipErrorIllegalAddress"),
    ("cudaErrorInvalidDevice", "hipErrorInvalidDevice"), ("cudaErrorNoDevice", "hipErrorNoDevice"),
    ("cudaErrorNotSupported", "hipErrorNotSupported"), ("cudaErrorInvalidSymbol", "hipErrorInvalidSymbol"),
    ("cudaErrorLaunchOutOfResources", "hipErrorLaunchOutOfResources"),
] + [(f"cudaMemcpy{k}", f"hipMemcpy{k}") for k in (
    "HostToHost", "HostToDevice", "DeviceToHost", "DeviceToDevice", "Default")] + [
    ("cudaDevAttrMaxThreadsPerBlock", "hipDeviceAttributeMaxThreadsPerBlock"),
    ("cudaDevAttrMaxBlockDimX", "hipDeviceAttributeMaxBlockDimX"),
    ("cudaDevAttrMaxBlockDimY", "hipDeviceAttributeMaxBlockDimY"),
    ("cudaDevAttrMaxBlockDimZ", "hipDeviceAttributeMaxBlockDimZ"),
    ("cudaDevAttrMaxGridDimX", "hipDeviceAttributeMaxGridDimX"),
    ("cudaDevAttrMaxGridDimY", "hipDeviceAttributeMaxGridDimY"),
    ("cudaDevAttrMaxGridDimZ", "hipDeviceAttributeMaxGridDimZ"),
    ("cudaDevAttrMaxSharedMemoryPerBlock", "hipDeviceAttributeMaxSharedMemoryPerBlock"),
    ("cudaDevAttrWarpSize", "hipDeviceAttributeWarpSize"),
    ("cudaDevAttrMultiProcessorCount", "hipDeviceAttributeMultiprocessorCount"),
    ("cudaDevAttrComputeCapabilityMajor", "hipDeviceAttributeComputeCapabilityMajor"),
    ("cudaDevAttrComputeCapabilityMinor", "hipDeviceAttributeComputeCapabilityMinor"),
    ("cudaFuncAttributeMaxDynamicSharedMemorySize", "hipFuncAttributeMaxDynamicSharedMemorySize"),
    ("cudaStreamDefault", "hipStreamDefault"), ("cudaStreamNonBlocking", "hipStreamNonBlocking"),
    ("cudaEventDefault", "hipEventDefault"),
]

# HIP spellings that are aliases of a mapped name (so the derived HIP -> CUDA table knows them)
HIP_ALIASES: dict[str, str] = {"hipErrorMemoryAllocation": "hipErrorOutOfMemory", "hip_bfloat16": "__hip_bfloat16",
                               "hipMallocHost": "hipHostMalloc"}

HEADERS: list[tuple[str, Optional[str]]] = [
    ("cuda_runtime.h", "hip/hip_runtime.h"), ("cuda.h", "hip/hip_runtime.h"),
    ("cuda_runtime_api.h", "hip/hip_runtime_api.h"), ("cuda_fp16.h", "hip/hip_fp16.h"),
    ("cuda_bf16.h", "hip/hip_bf16.h"), ("cooperative_groups.h", "hip/hip_cooperative_groups.h"),
    ("cuComplex.h", "hip/hip_complex.h"), ("curand_kernel.h", "hiprand/hiprand_kernel.h"),
    ("device_launch_parameters.h", None), ("device_functions.h", None), ("mma.h", None),
]
RUNTIME_HEADER = {"cuda": "cuda_runtime.h", "hip": "hip/hip_runtime.h"}  # what a translated file includes

# Device functions whose spelling differs, meaning kept (CUDA -> HIP only).
DEVICE: dict[str, str] = {f"atomic{op}_block": f"atomic{op}" for op in (
    "Add", "Sub", "Exch", "Min", "Max", "Inc", "Dec", "CAS", "And", "Or", "Xor")}
DEVICE["__tanhf"] = "tanhf"  # HIP has no fast tanh; tanhf is within __tanhf's bound (gpu.md §5.1)
LOAD_HINTS = ("__ldca", "__ldcg", "__ldcs", "__ldcv", "__ldlu")  # -> *p
STORE_HINTS = ("__stcg", "__stcs", "__stwb", "__stwt")  # (p, v) -> *p = v
# HIP -> CUDA: device names CUDA spells otherwise
DEVICE_TO_CUDA: dict[str, str] = {"unsafeAtomicAdd": "atomicAdd", "safeAtomicAdd": "atomicAdd"}
TYPES_TO_CUDA: dict[str, str] = {"_Float16": "__half"}

_ROUNDING = "directed rounding has no HIP equivalent (only the _rn forms are mapped, gpu.md §9)"
NO_HIP_EQUIVALENT: dict[str, str] = {
    **{f"__{op}_{m}": _ROUNDING for op in ("fadd", "fsub", "fmul", "fdiv", "frcp", "fsqrt", "fmaf", "dadd", "dsub",
                                           "dmul", "ddiv", "drcp", "dsqrt", "fma") for m in ("rd", "ru", "rz")},
    **{f"__reduce_{op}_sync": "HIP has no __reduce_*_sync (gpu.md §3.3)" for op in ("add", "min", "max", "and",
                                                                                    "or", "xor")},
    "__match_all_sync": "no 32-lane match_all on HIP wavefronts (only __match_all over the whole wavefront)",
    "__trap": "no HIP equivalent (gpu.md §9)", "__brkpt": "no HIP equivalent (gpu.md §9)",
    "__prof_trigger": "no HIP equivalent (gpu.md §9)",
    "__isGlobal": "no HIP equivalent", "__isShared": "no HIP equivalent", "__isConstant": "no HIP equivalent",
    "__isLocal": "no HIP equivalent",
}
NO_CUDA_EQUIVALENT: dict[str, str] = {
    "__builtin_amdgcn_ds_swizzle": "no CUDA equivalent (a constant lane pattern of the AMD LDS crossbar)",
    "__match_any": "64-lane match on CUDA is not implemented", "__match_all": "64-lane match on CUDA is not "
                                                                               "implemented",
    "__match_any_sync": "64-lane match on CUDA is not implemented",
    "__match_all_sync": "64-lane match on CUDA is not implemented",
    "__builtin_amdgcn_s_barrier": "a barrier without fences has no CUDA spelling outside PTX",
}


def _table(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for a, b in pairs:
        out.setdefault(a, b)
    return out


def to_hip() -> dict[str, str]:
    """Every identifier renamed CUDA -> HIP (runtime, types, enumerators)."""
    return _table(RUNTIME + TYPES + ENUMS)


def to_cuda() -> dict[str, str]:
    """The reverse table, derived: the first CUDA spelling of each HIP name, plus HIP's aliases."""
    out = _table((h, c) for c, h in RUNTIME + TYPES + ENUMS)
    for alias, canon in HIP_ALIASES.items():
        if canon in out:
            out.setdefault(alias, out[canon])
    return out


def names(to: str) -> dict[str, str]:
    """The identifier map for translating *to* ``to`` (``hip`` or ``cuda``)."""
    if to == "hip":
        return to_hip()
    return {**to_cuda(), **DEVICE_TO_CUDA, **TYPES_TO_CUDA}


def header(include: str, to: str) -> tuple[bool, Optional[str]]:
    """(known, replacement) for the header of an ``#include`` line: known is False for headers
    that are the same on both sides (``<math.h>``), replacement None for a header to drop."""
    if to == "hip":
        for c, h in HEADERS:
            if include == c:
                return True, h
        return False, include
    for c, h in HEADERS:
        if h is not None and include == h:
            return True, c
    if include.startswith("hip/"):
        return True, None  # another HIP header with no CUDA counterpart named here: the runtime header covers it
    return False, include


_IDENT = re.compile(r"[A-Za-z_]\w*")


def rename_text(text: str, table: dict[str, str]) -> str:
    """``text`` (a macro body, a verbatim construct) with each identifier of ``table`` renamed;
    string literals are left alone."""
    out, pos = [], 0
    for m in re.finditer(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|[A-Za-z_]\w*', text):
        out.append(text[pos:m.start()])
        tok = m.group(0)
        out.append(table.get(tok, tok) if tok[0] not in "\"'" else tok)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


# ============================================================================================ warps
# CUDA warp intrinsics (the *_sync forms and the legacy mask-less ones, both 32-lane on CUDA) and
# the HIP mask-less form each becomes. HIP's *_sync forms (ROCm >= 6.2) are HIP's mask-less
# operation after a check of the mask; the mask-less forms also exist on older ROCm.
SHUFFLES: dict[str, str] = {"__shfl_sync": "__shfl", "__shfl_up_sync": "__shfl_up",
                            "__shfl_down_sync": "__shfl_down", "__shfl_xor_sync": "__shfl_xor",
                            "__shfl": "__shfl", "__shfl_up": "__shfl_up", "__shfl_down": "__shfl_down",
                            "__shfl_xor": "__shfl_xor"}
VOTES: dict[str, str] = {"__ballot_sync": "ballot", "__any_sync": "any", "__all_sync": "all",
                         "__ballot": "ballot", "__any": "any", "__all": "all", "__activemask": "activemask",
                         "__match_any_sync": "match_any"}
MASKED = {n for n in list(SHUFFLES) + list(VOTES) if n.endswith("_sync")}
HIP_SHUFFLE_TYPES = frozenset(SHFL_TYPES)  # the value types HIP's shuffles move (hip/intrinsics.py)
FULL_MASK_32 = 0xFFFFFFFF
# HIP's __syncwarp (ROCm >= 6.2) is these three calls; they exist on every ROCm (amd_warp_sync_functions.h).
SYNCWARP_HIP = (("__builtin_amdgcn_fence", ("__ATOMIC_RELEASE", '"wavefront"')),
                ("__builtin_amdgcn_wave_barrier", ()),
                ("__builtin_amdgcn_fence", ("__ATOMIC_ACQUIRE", '"wavefront"')))
WARP_SIZE_QUERIES = {"cudaDevAttrWarpSize", "hipDeviceAttributeWarpSize"}

# HIP wavefront operations and what they become on CUDA (helpers of wave_helpers()). A value is
# (helper, kind): kind "shfl" (var, lane/delta/mask, width), "vote" (predicate), "sync" (a wave
# barrier: __syncthreads on CUDA), "lane" (no exchange), "first" (readfirstlane).
WAVE_OPS: dict[str, tuple[str, str]] = {
    "__shfl": ("xp_shfl", "shfl"), "__shfl_up": ("xp_shfl_up", "shfl"), "__shfl_down": ("xp_shfl_down", "shfl"),
    "__shfl_xor": ("xp_shfl_xor", "shfl"),
    "__shfl_sync": ("xp_shfl", "shfl_sync"), "__shfl_up_sync": ("xp_shfl_up", "shfl_sync"),
    "__shfl_down_sync": ("xp_shfl_down", "shfl_sync"), "__shfl_xor_sync": ("xp_shfl_xor", "shfl_sync"),
    "__ballot": ("xp_ballot", "vote"), "__any": ("xp_any", "vote"), "__all": ("xp_all", "vote"),
    "__activemask": ("xp_ballot", "activemask"), "__builtin_amdgcn_read_exec": ("xp_ballot", "activemask"),
    "__ballot_sync": ("xp_ballot", "vote_sync"), "__any_sync": ("xp_any", "vote_sync"),
    "__all_sync": ("xp_all", "vote_sync"),
    "__syncwarp": ("__syncthreads", "sync"), "__builtin_amdgcn_wave_barrier": ("__syncthreads", "sync"),
    "__builtin_amdgcn_readfirstlane": ("xp_readfirstlane", "first"),
    "__builtin_amdgcn_readlane": ("xp_shfl", "readlane"),
    "__builtin_amdgcn_ds_bpermute": ("xp_bpermute", "bpermute"),
}
WAVE_PURE: dict[str, str] = {"__lane_id": "xp_lane_id", "__builtin_amdgcn_mbcnt_lo": "xp_mbcnt_lo",
                             "__builtin_amdgcn_mbcnt_hi": "xp_mbcnt_hi"}
FENCES = {'"workgroup"': "__threadfence_block", '"wavefront"': "__threadfence_block", '"agent"': "__threadfence",
          '""': "__threadfence_system"}
# the C types of the results of the wave operations (for temporaries of hoisted calls)
WAVE_RESULT = {"vote": "unsigned long long", "vote_sync": "unsigned long long", "activemask": "unsigned long long",
               "first": "int", "readlane": "int", "bpermute": "int"}
WAVE_BOOL_RESULT = {"xp_any": "int", "xp_all": "int"}

_BITS = {  # value type -> (to 64 bits, from 64 bits `b`)
    "float": ("__float_as_uint(v)", "__uint_as_float((unsigned int)b)"),
    "double": ("(unsigned long long)__double_as_longlong(v)", "__longlong_as_double((long long)b)"),
    "int": ("(unsigned int)v", "(int)(unsigned int)b"),
    "unsigned int": ("v", "(unsigned int)b"),
    "long": ("(unsigned long long)v", "(long)b"),
    "unsigned long": ("(unsigned long long)v", "(unsigned long)b"),
    "long long": ("(unsigned long long)v", "(long long)b"),
    "unsigned long long": ("v", "b"),
}

WAVE_HELPER_DOC = ("// xpiler hipify: HIP's 64-lane wavefronts on CUDA. A wavefront is 64 consecutive threads of "
                   "the block\n// (two warps); its cross-lane operations exchange values through shared memory "
                   "between two\n// __syncthreads(), so every thread of the block calls them, in the same order "
                   "(lanes that are\n// not active in the HIP code pass active = 0 and read as 0, as on AMD).")


def wave_helpers(max_threads: int) -> str:
    """CUDA source of the 64-lane wavefront emulation for blocks of at most ``max_threads``
    threads: the linear thread id, the exchange, shuffles with HIP's index rules (gpu.md §3.3,
    ``amd_warp_functions.h``), the 64-bit ballot and votes, readfirstlane, bpermute, mbcnt."""
    conv = "\n".join(
        f"__device__ __forceinline__ unsigned long long xp_bits({t} v) {{ return {to}; }}\n"
        f"__device__ __forceinline__ {t} xp_unbits(unsigned long long b, {t}) {{ return {frm}; }}"
        for t, (to, frm) in _BITS.items())
    return f"""{WAVE_HELPER_DOC}
#define XP_WAVE_THREADS {max_threads}
__device__ __forceinline__ unsigned int xp_wave_tid() {{
    return threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
}}
__device__ __forceinline__ unsigned int xp_lane_id() {{ return xp_wave_tid() & 63u; }}
__device__ unsigned long long *xp_wave_slots() {{
    __shared__ unsigned long long slots[XP_WAVE_THREADS];
    return slots;
}}
__device__ unsigned char *xp_wave_on() {{
    __shared__ unsigned char on[XP_WAVE_THREADS];
    return on;
}}
// Every thread publishes `bits` and whether it is active, then reads lane `src` (0..63) of its
// wavefront: that lane's bits if it is active, 0 if not or if it lies beyond the block; src < 0
// keeps the caller's own bits.
__device__ unsigned long long xp_wave_exchange(unsigned long long bits, int src, int active) {{
    const unsigned int t = xp_wave_tid();
    const unsigned int n = blockDim.x * blockDim.y * blockDim.z;
    unsigned long long *slots = xp_wave_slots();
    unsigned char *on = xp_wave_on();
    slots[t] = bits;
    on[t] = active != 0;
    __syncthreads();
    const unsigned int j = (t & ~63u) + ((unsigned int)src & 63u);
    const unsigned long long r = src < 0 ? bits : (j < n && on[j]) ? slots[j] : 0ull;
    __syncthreads();
    return r;
}}
{conv}
template <class T>
__device__ T xp_shfl(T var, int srcLane, int width, int active) {{
    const int L = (int)xp_lane_id();
    const int j = (srcLane & (width - 1)) + (L & ~(width - 1));
    return xp_unbits(xp_wave_exchange(xp_bits(var), j & 63, active), var);
}}
template <class T>
__device__ T xp_shfl_up(T var, unsigned int delta, int width, int active) {{
    const int L = (int)xp_lane_id();
    int j = (int)((unsigned int)L - delta);
    j = j < (L & ~(width - 1)) ? -1 : (j & 63);
    return xp_unbits(xp_wave_exchange(xp_bits(var), j, active), var);
}}
template <class T>
__device__ T xp_shfl_down(T var, unsigned int delta, int width, int active) {{
    const int L = (int)xp_lane_id();
    int j = (int)((unsigned int)L + delta);
    j = (int)((unsigned int)(L & (width - 1)) + delta) >= width ? -1 : (j & 63);
    return xp_unbits(xp_wave_exchange(xp_bits(var), j, active), var);
}}
template <class T>
__device__ T xp_shfl_xor(T var, int laneMask, int width, int active) {{
    const int L = (int)xp_lane_id();
    int j = L ^ laneMask;
    j = j >= ((L + width) & ~(width - 1)) ? -1 : (j & 63);
    return xp_unbits(xp_wave_exchange(xp_bits(var), j, active), var);
}}
// The 64-bit ballot of the caller's wavefront over its active lanes.
__device__ unsigned long long xp_ballot(int predicate, int active) {{
    const unsigned int t = xp_wave_tid();
    const unsigned int n = blockDim.x * blockDim.y * blockDim.z;
    unsigned char *on = xp_wave_on();
    on[t] = active != 0 && predicate != 0;
    __syncthreads();
    unsigned long long b = 0ull;
    const unsigned int w = t & ~63u;
    for (unsigned int l = 0; l < 64u && w + l < n; ++l)
        if (on[w + l])
            b |= 1ull << l;
    __syncthreads();
    return b;
}}
__device__ int xp_any(int predicate, int active) {{ return xp_ballot(predicate, active) != 0ull; }}
__device__ int xp_all(int predicate, int active) {{ return xp_ballot(!predicate, active) == 0ull; }}
__device__ int xp_readfirstlane(int v, int active) {{
    const unsigned long long b = xp_ballot(1, active);
    const int first = b != 0ull ? __ffsll((long long)b) - 1 : 0;
    return (int)(unsigned int)xp_wave_exchange((unsigned int)v, first, active);
}}
__device__ int xp_bpermute(int index, int v, int active) {{
    return (int)(unsigned int)xp_wave_exchange((unsigned int)v, (index >> 2) & 63, active);
}}
__device__ __forceinline__ unsigned int xp_mbcnt_lo(unsigned int mask, unsigned int acc) {{
    const unsigned int L = xp_lane_id();
    return acc + (unsigned int)__popc(mask & (L < 32u ? (1u << L) - 1u : 0xffffffffu));
}}
__device__ __forceinline__ unsigned int xp_mbcnt_hi(unsigned int mask, unsigned int acc) {{
    const unsigned int L = xp_lane_id();
    return acc + (unsigned int)__popc(mask & (L > 32u ? (1u << (L - 32u)) - 1u : 0u));
}}
"""


# ------------------------------------------------------------------------------------ CUDA on HIP
# CUDA intrinsics HIP spells the same but ROCm before 6.x lacks (the installed hipcc, 5.2, has no
# __dp4a): written into the file as helpers from the CUDA table's own semantics snippets.
HIP_FROM_SEMANTICS = ("__dp4a",)
HIP_HELPER_DOC = "// xpiler hipify: CUDA operations written for every ROCm release"


def hip_helpers(names: Iterable[str]) -> str:
    """HIP source of the helpers ``names`` needs: ``xp_<name>`` overloads built from the CUDA
    table's semantics (HIP_FROM_SEMANTICS), ``xp_match_any32`` (CUDA's 32-lane __match_any_sync:
    the lanes of the caller's half whose value equals its own, from 32 width-32 shuffles, since
    __match_any is ROCm >= 6.2 and spans the whole wavefront)."""
    from .. import get as _get

    cuda = _get("cuda")
    out = [HIP_HELPER_DOC]
    for name in sorted(set(names)):
        if name == "xp_match_any32":
            out.append("template <class T>\n__device__ unsigned int xp_match_any32(T value) {\n"
                       "    const unsigned int active = (unsigned int)(__ballot(1) >> (__lane_id() & 32));\n"
                       "    unsigned int peers = 0u;\n    for (int l = 0; l < 32; ++l)\n"
                       "        if (__shfl(value, l, 32) == value)\n            peers |= 1u << l;\n"
                       "    return peers & active;\n}")
            continue
        it = cuda.intrinsic(name)
        for ov in it.overloads:
            params = ", ".join(f"{p.type} {p.name}" for p in ov.params)
            body = "\n".join("    " + line for line in (ov.semantics or "").split("\n"))
            out.append(f"__device__ __forceinline__ {ov.ret} xp_{name.lstrip('_')}({params}) {{\n{body}\n}}")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------ wmma on HIP
# HIP has no warp-matrix functions (gpu.md §7.5, §9) and a CDNA wavefront holds two CUDA warps, each
# with its own tiles, that may diverge (a warp-dependent loop runs a tile on one half only), while an
# MFMA instruction needs the whole wavefront. So a CUDA warp's 16x16x16 tiles stay on its 32-lane
# half: lane l (0-31) holds row l / 2 of matrix_a and of the accumulator, column l / 2 of matrix_b,
# elements (l % 2) * 8 .. + 7; loads and stores read and write memory directly, mma_sync gathers
# the other half of its A row and the B columns it needs with width-32 shuffles (136 per call, no
# matrix cores) and accumulates in double (int64 for 8-bit inputs, wrapping to int32), rounding
# once. The layout is unspecified in CUDA (gpu.md §6.3), so code that only loads, computes, applies
# the same operation to every x[i] and stores computes what it computes on CUDA.
WMMA_SHAPES = {(16, 16, 16)}
WMMA_AB_TYPES = {"_Float16", "__half", "half", "signed char", "unsigned char"}
WMMA_ACC_TYPES = {"float", "int", "_Float16", "__half", "half"}
WMMA_FUNCTIONS = {"fill_fragment", "load_matrix_sync", "store_matrix_sync", "mma_sync"}

WMMA_PREFIX = "xp_wmma_"  # nvcuda::wmma::X is written xp_wmma_X (top-level, so the emulation checks its accesses)
WMMA_HIP = """#include <hip/hip_fp16.h>
// xpiler hipify: nvcuda::wmma for a CUDA warp on its 32-lane half of a HIP wavefront (16x16x16
// tiles; lane l holds row l / 2 of matrix_a and accumulator, column l / 2 of matrix_b, elements
// (l % 2) * 8 .. + 7; mma_sync exchanges with width-32 shuffles, so the two halves stay independent).
struct xp_wmma_matrix_a {};
struct xp_wmma_matrix_b {};
struct xp_wmma_accumulator {};
struct xp_wmma_row_major {};
struct xp_wmma_col_major {};
enum xp_wmma_layout_t { xp_wmma_mem_row_major, xp_wmma_mem_col_major };
template <class Use, int M, int N, int K, class T, class Layout = void>
struct xp_wmma_fragment {
    static constexpr int num_elements = 8;
    T x[8];
    friend __device__ T &xp_wmma_x(xp_wmma_fragment &f, int e) { return f.x[e]; }
    friend __device__ const T &xp_wmma_x(const xp_wmma_fragment &f, int e) { return f.x[e]; }
};
// A and B elements as float (exact for half and 8-bit integers), accumulators as double (exact for
// int32); a sum of 16 products of 8-bit values stays exact in double, so int results wrap as CUDA's.
__device__ inline float xp_wmma_val(__half v) { return __half2float(v); }
__device__ inline float xp_wmma_val(signed char v) { return (float)v; }
__device__ inline float xp_wmma_val(unsigned char v) { return (float)v; }
__device__ inline double xp_wmma_acc(float v) { return (double)v; }
__device__ inline double xp_wmma_acc(__half v) { return (double)__half2float(v); }
__device__ inline double xp_wmma_acc(int v) { return (double)v; }
__device__ inline void xp_wmma_set(float &d, double s) { d = (float)s; }
__device__ inline void xp_wmma_set(__half &d, double s) { d = __float2half((float)s); }
__device__ inline void xp_wmma_set(int &d, double s) { d = (int)(unsigned int)(unsigned long long)(long long)s; }
template <class Use, int M, int N, int K, class T, class L, class V>
__device__ void xp_wmma_fill_fragment(xp_wmma_fragment<Use, M, N, K, T, L> &f, const V &v) {
    for (int e = 0; e < 8; ++e)
        xp_wmma_x(f, e) = (T)v;
}
template <int M, int N, int K, class T, class P>
__device__ void xp_wmma_load_matrix_sync(xp_wmma_fragment<xp_wmma_matrix_a, M, N, K, T, xp_wmma_row_major> &f, const P *p, unsigned ldm) {
    const unsigned l = __lane_id() & 31u;
    for (unsigned e = 0; e < 8; ++e)
        xp_wmma_x(f, e) = p[(l >> 1) * ldm + (l & 1) * 8 + e];
}
template <int M, int N, int K, class T, class P>
__device__ void xp_wmma_load_matrix_sync(xp_wmma_fragment<xp_wmma_matrix_a, M, N, K, T, xp_wmma_col_major> &f, const P *p, unsigned ldm) {
    const unsigned l = __lane_id() & 31u;
    for (unsigned e = 0; e < 8; ++e)
        xp_wmma_x(f, e) = p[((l & 1) * 8 + e) * ldm + (l >> 1)];
}
template <int M, int N, int K, class T, class P>
__device__ void xp_wmma_load_matrix_sync(xp_wmma_fragment<xp_wmma_matrix_b, M, N, K, T, xp_wmma_row_major> &f, const P *p, unsigned ldm) {
    const unsigned l = __lane_id() & 31u;
    for (unsigned e = 0; e < 8; ++e)
        xp_wmma_x(f, e) = p[((l & 1) * 8 + e) * ldm + (l >> 1)];
}
template <int M, int N, int K, class T, class P>
__device__ void xp_wmma_load_matrix_sync(xp_wmma_fragment<xp_wmma_matrix_b, M, N, K, T, xp_wmma_col_major> &f, const P *p, unsigned ldm) {
    const unsigned l = __lane_id() & 31u;
    for (unsigned e = 0; e < 8; ++e)
        xp_wmma_x(f, e) = p[(l >> 1) * ldm + (l & 1) * 8 + e];
}
template <int M, int N, int K, class T, class P>
__device__ void xp_wmma_load_matrix_sync(xp_wmma_fragment<xp_wmma_accumulator, M, N, K, T> &f, const P *p, unsigned ldm, xp_wmma_layout_t layout) {
    const unsigned l = __lane_id() & 31u;
    for (unsigned e = 0; e < 8; ++e) {
        if (layout == xp_wmma_mem_row_major)
            xp_wmma_x(f, e) = p[(l >> 1) * ldm + (l & 1) * 8 + e];
        else
            xp_wmma_x(f, e) = p[((l & 1) * 8 + e) * ldm + (l >> 1)];
    }
}
template <int M, int N, int K, class T, class P>
__device__ void xp_wmma_store_matrix_sync(P *p, const xp_wmma_fragment<xp_wmma_accumulator, M, N, K, T> &f, unsigned ldm, xp_wmma_layout_t layout) {
    const unsigned l = __lane_id() & 31u;
    for (unsigned e = 0; e < 8; ++e) {
        if (layout == xp_wmma_mem_row_major)
            p[(l >> 1) * ldm + (l & 1) * 8 + e] = xp_wmma_x(f, e);
        else
            p[((l & 1) * 8 + e) * ldm + (l >> 1)] = xp_wmma_x(f, e);
    }
}
template <int M, int N, int K, class Ta, class La, class Tb, class Lb, class Tc, class Td>
__device__ void xp_wmma_mma_sync(xp_wmma_fragment<xp_wmma_accumulator, M, N, K, Td> &d, const xp_wmma_fragment<xp_wmma_matrix_a, M, N, K, Ta, La> &a, const xp_wmma_fragment<xp_wmma_matrix_b, M, N, K, Tb, Lb> &b, const xp_wmma_fragment<xp_wmma_accumulator, M, N, K, Tc> &c) {
    const int l = (int)(__lane_id() & 31u);
    float arow[16];  // row l / 2 of A: this lane's half and its neighbour's
    for (int e = 0; e < 8; ++e) {
        arow[(l & 1) * 8 + e] = xp_wmma_val(xp_wmma_x(a, e));
        arow[((l & 1) ^ 1) * 8 + e] = __shfl(xp_wmma_val(xp_wmma_x(a, e)), l ^ 1, 32);
    }
    double s[8];
    for (int e = 0; e < 8; ++e)
        s[e] = xp_wmma_acc(xp_wmma_x(c, e));
    for (int jj = 0; jj < 8; ++jj)  // column (l % 2) * 8 + jj of B: lanes 2 * column (k < 8) and 2 * column + 1
        for (int k = 0; k < 16; ++k)
            s[jj] += (double)arow[k] * (double)__shfl(xp_wmma_val(xp_wmma_x(b, k & 7)), 2 * ((l & 1) * 8 + jj) + (k >> 3), 32);
    for (int e = 0; e < 8; ++e)
        xp_wmma_set(xp_wmma_x(d, e), s[e]);
}
"""

_FRAGMENT = re.compile(r"(?:nvcuda::)?wmma::fragment<\s*(?:nvcuda::)?wmma::(\w+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*"
                       r"(\d+)\s*,\s*([\w ]+?)\s*(?:,\s*(?:nvcuda::)?wmma::(\w+)\s*)?>")


def wmma_fragment(canonical: str) -> Optional[str]:
    """None when the fragment type (clang's canonical spelling) is one ``WMMA_HIP`` implements,
    else why not."""
    m = _FRAGMENT.fullmatch(canonical.strip())
    if not m:
        return f"{canonical}: not a fragment of a 16x16x16 shape with a plain element type"
    use, mm, nn, kk, t, layout = m.groups()
    if (int(mm), int(nn), int(kk)) not in WMMA_SHAPES:
        return f"{mm}x{nn}x{kk} fragments (only 16x16x16 is written for HIP)"
    if use in ("matrix_a", "matrix_b") and t not in WMMA_AB_TYPES:
        return f"{use} of {t} (half and 8-bit integers are written for HIP)"
    if use == "accumulator" and t not in WMMA_ACC_TYPES:
        return f"an accumulator of {t}"
    return None


# ------------------------------------------------------------------------------------ MFMA on CUDA
_DECODE = {  # MFMA input kind -> (shared slot type, C expression of slot s of operand `x`)
    "f32": ("float", "{x}"), "f64": ("double", "{x}"), "xf32": ("float", "{x}[{s}]"),
    "f16": ("float", "__half2float({x}[{s}])"),
    "bf16": ("float", "__uint_as_float((unsigned int)(unsigned short){x}[{s}] << 16)"),
    "i8": ("int", "(int)(signed char)(((unsigned long long)(long long){x} >> (8 * {s})) & 0xffull)"),
}
MFMA_ELEMENT_TYPES = {"v4h": "__half", "v2s": "short", "v4s": "short", "v2f": "float", "v4f": "float",
                      "v16f": "float", "v32f": "float", "v4i": "int", "v16i": "int", "v32i": "int", "v4d": "double"}


def mfma_supported(builtin: str) -> Optional[str]:
    """None when :func:`mfma_helper` can write ``builtin`` for CUDA, else why not."""
    f = MFMA.get(builtin)
    if f is None:
        return f"{builtin} is not an MFMA builtin of the HIP table"
    if f.in_kind not in _DECODE:
        return f"{f.in_kind} inputs (FP8/BF8 FNUZ encodings) have no CUDA counterpart here"
    return None


def mfma_c_element_c(f: Mfma) -> str:
    """C statements setting ``blk``, ``i``, ``j`` (the C/D element) from lane ``L`` and register ``r``
    (hip/intrinsics.py ``mfma_c_element``, gpu.md §7.3)."""
    if f.fp64:
        if f.m == 16:
            return "blk = 0; i = 4 * r + L / 16; j = L % 16;"
        return "blk = (L / 4) % 4; i = L / 16; j = L % 4;"
    if f.m == 32:
        return "blk = r / 16; i = 8 * ((r % 16) / 4) + 4 * (L / 32) + (r % 16) % 4; j = L % 32;"
    if f.m == 16:
        return "blk = r / 4; i = 4 * (L / 16) + r % 4; j = L % 16;"
    return "blk = L / 4; i = r; j = L % 4;"


def mfma_helper(builtin: str) -> str:
    """CUDA source of ``xp_<builtin suffix>``: one MFMA builtin on a wavefront of two warps. Each
    lane publishes its A and B slots in shared memory; after a barrier every lane computes its
    C/D registers from the layouts (A[b][i][k] in lane M·b + M·B·floor(k/E) + i, slot k mod E;
    B likewise; BLGP picks the lane B is read from; CBSZ/ABID the block A is read from),
    accumulating in double (int64 for int8, wrapping to int32) in k order and rounding once, as
    the HIP emulation does; a lane that is not active contributes zeros."""
    f = mfma_layout(builtin)
    slot_t, dec = _DECODE[f.in_kind]
    acc_t, fin = ("long long", "(int)acc") if f.in_kind == "i8" else ("double", f"({_elem(f)})acc")
    suffix = f.name[len("__builtin_amdgcn_mfma_"):]
    blgp = ("lb % 32", "lb < 32 ? lb + 32 : lb", "(lb + 16) % 64", "lb % 16", "16 + lb % 16", "32 + lb % 16",
            "48 + lb % 16")  # BLGP 1..7: the lane whose B lane lb uses (gpu.md §7.2); 0: lb itself
    src_b = "lb" if f.fp64 else "(blgp & 7) == 0 ? lb : " + " : ".join(
        f"(blgp & 7) == {k + 1} ? ({e})" for k, e in enumerate(blgp[:-1])) + f" : ({blgp[-1]})"
    bcast = "(blk >> cbsz << cbsz) + abid"  # CBSZ/ABID: the block A is read from; out of range: blk
    ba = "blk" if f.fp64 or f.blocks == 1 else f"({bcast} < {f.blocks} ? {bcast} : blk)"
    e = f.e
    store = "\n".join(f"        xp_a[t * {e} + {s}] = {dec.format(x='a', s=s)};\n"
                      f"        xp_b[t * {e} + {s}] = {dec.format(x='b', s=s)};" for s in range(e))
    read_c = "c" if f.registers == 1 else "c[r]"
    write_d = "d" if f.registers == 1 else "d[r]"
    return f"""// {f.name} ({f.m}x{f.n}x{f.k}, {f.blocks} block(s)) on a wavefront of two warps (gpu.md §7.3 layouts).
template <class TAB, class TCD>
__device__ TCD xp_mfma_{suffix}(const TAB &a, const TAB &b, const TCD &c, int cbsz, int abid, int blgp, int active) {{
    __shared__ {slot_t} xp_a[XP_WAVE_THREADS * {e}];
    __shared__ {slot_t} xp_b[XP_WAVE_THREADS * {e}];
    const int t = (int)xp_wave_tid();
    const int n = (int)(blockDim.x * blockDim.y * blockDim.z);
    const int w = t & ~63;
    unsigned char *on = xp_wave_on();
    on[t] = active != 0;
{store}
    __syncthreads();
    TCD d = c;
    for (int r = 0; r < {f.registers}; ++r) {{
        const int L = t & 63;
        int blk, i, j;
        {mfma_c_element_c(f)}
        const int ba = {ba};
        {acc_t} acc = ({acc_t}){read_c};
        for (int k = 0; k < {f.k}; ++k) {{
            const int la = {f.m} * ba + {f.m * f.blocks} * (k / {e}) + i;
            const int lb = {f.n} * blk + {f.n * f.blocks} * (k / {e}) + j;
            const int sb = {src_b};
            const int ga = w + la, gb = w + sb;
            if (ga < n && gb < n && on[ga] && on[gb])
                acc += ({acc_t})xp_a[ga * {e} + k % {e}] * ({acc_t})xp_b[gb * {e} + k % {e}];
        }}
        {write_d} = {fin};
    }}
    __syncthreads();
    return d;
}}
"""


def _elem(f: Mfma) -> str:
    return MFMA_ELEMENT_TYPES.get(f.cd_type, f.cd_type)


_EXT_VECTOR = re.compile(r"^\s*typedef\s+(?P<elem>[\w\s]+?)\s+(?P<name>\w+)\s+__attribute__\s*\(\(\s*"
                         r"ext_vector_type\s*\(\s*(?P<n>\d+)\s*\)\s*\)\)\s*;\s*$", re.S)


def ext_vector_typedef(text: str) -> Optional[tuple[str, str, int]]:
    """(element type, name, lanes) of ``typedef T name __attribute__((ext_vector_type(N)));``."""
    m = _EXT_VECTOR.match(text)
    if not m:
        return None
    return " ".join(m.group("elem").split()), m.group("name"), int(m.group("n"))


def vector_struct(elem: str, name: str, n: int) -> str:
    """The CUDA struct standing for a clang ext_vector_type (nvcc ignores the attribute): an
    aggregate (so ``= {...}`` and ``(T){...}`` still initialise it) indexed with ``[]``."""
    return (f"struct {name} {{  // xpiler hipify: {elem} __attribute__((ext_vector_type({n}))) has no nvcc spelling\n"
            f"    {elem} v[{n}];\n"
            f"    __host__ __device__ {elem} &operator[](int i) {{ return v[i]; }}\n"
            f"    __host__ __device__ const {elem} &operator[](int i) const {{ return v[i]; }}\n"
            f"}};")


__all__ = ["RUNTIME", "TYPES", "ENUMS", "HEADERS", "DEVICE", "NO_HIP_EQUIVALENT", "NO_CUDA_EQUIVALENT", "SHUFFLES",
           "VOTES", "CUDA_WARP", "HIP_WAVE", "WAVE_OPS", "to_hip", "to_cuda", "names", "header", "rename_text",
           "wave_helpers", "mfma_helper", "mfma_supported", "vector_struct", "ext_vector_typedef"]
