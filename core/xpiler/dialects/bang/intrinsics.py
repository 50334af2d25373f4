"""BANG C (Cambricon MLU) intrinsics, built-in variables, memory spaces and launch facts.

Everything here is transcribed from ``reference/bang.md`` (cited as "bang.md §x.y", with the
reference's own source tags: [M] the BANG C Developer Guide v4.5.1, [H] cncc headers, [K]
mlu-ops kernels, [G] the mlu-ops developer guide, [C] cnrt.h, [T] the MLU270 GEMM tutorial).
Facts the reference marks "(inferred)" keep that mark in ``doc``/``note``; choices made here
where the reference is silent are marked "(inferred here)".

Conventions of the ``semantics`` snippets (see ``..base``):
- floating element types (``half``, ``bfloat16_t``, ``float``) are read with ``(float)x``,
  computed in ``float`` and written back with ``xp_cast<T>(...)`` (round to nearest even);
- integer element-wise arithmetic is done in ``long long`` and wrapped with ``xp_cast<T>``;
- conv/mlp/matmul accumulate floating inputs in ``float`` and integer inputs exactly in
  ``long long``, then scale by ``2^fix_position`` (``ldexp``) for the integer forms;
- byte copies go through ``char *``; signed byte strides are widened to ``long long``;
- ``sizeof(half) == sizeof(bfloat16_t) == 2`` is assumed (``__bang_reduce_sum``, ``__bang_argmax``).

Beyond the reference (issue 18): ``PERF``/``PARTS``, performance figures per arch (bandwidth,
clock, cores, vector, on-chip and matrix throughput), each a ``base.Figure`` that cites its
source (a URL, or bang.md) or is marked estimated with its derivation, for the cost model
``xpiler.tune.cost``; and ``work()``/``work_type()``, the work one intrinsic call does, which
the generated emulation counts (``runtime/gen.py``, ``Execution.counters``).

Names the prelude must define for the declarations and snippets: ``half``,
``bfloat16_t`` (both convertible to ``float`` with ``(float)x``), ``int4x2_t``,
``mluMemcpyDirection_t`` (the enum of :data:`MEMCPY_DIRECTIONS`), ``<stdint.h>`` types,
``xp_cast<T>(v)`` from ``float``/``double``/``long long``/``int``, and ``<math.h>``.
"""
from __future__ import annotations

import re

from ..base import BuiltinVar, Figure, Intrinsic, MemorySpace, Overload, Param, combos, each, table

# ----------------------------------------------------------------------------------------
# Architectures
# ----------------------------------------------------------------------------------------

ARCHS = ("tp_220", "mtp_220", "mtp_270", "mtp_290", "tp_322", "mtp_372", "mtp_592")

_A_3XX = ">=322"  # __BANG_ARCH__ >= 322 (3xx and 5xx)
_A_3XX_INT = ">=322, not tp_520"  # integer vector arithmetic (bang.md §4.1)
_A_5XX = ">=592"  # bfloat16_t vector arithmetic (bang.md §5)
_A_DIV = ">=322, not 372"  # __bang_div (bang.md §4.1)
_A_TENSOR_FLOAT = "mtp_372, mtp_592"  # floating conv/mlp/matmul (bang.md §4.8)
_A_SPLIT_BARRIER = ">=372"  # split barriers (bang.md §1.5)

# ----------------------------------------------------------------------------------------
# Memory spaces (bang.md §2.1, §2.2)
# ----------------------------------------------------------------------------------------

_KB = 1024
_NRAM_KB = {"tp_220": 512, "mtp_220": 512, "mtp_270": 512, "mtp_290": 512, "tp_322": 768,
            "mtp_372": 768, "mtp_592": 512}
_WRAM_KB = {"tp_220": 512, "mtp_220": 512, "mtp_270": 1024, "mtp_290": 512, "tp_322": 1024,
            "mtp_372": 1024, "mtp_592": 512}
_SRAM_KB = {"tp_220": 0, "mtp_220": 2048, "mtp_270": 2048, "mtp_290": 2048, "tp_322": 0,
            "mtp_372": 4096, "mtp_592": 2048}

SPACES: dict[str, MemorySpace] = {
    "gdram": MemorySpace(
        "gdram", "__mlu_device__", "device",
        "GDRAM: off-chip DDR shared by the whole device and visible to the host. Kernel pointer "
        "arguments (from cnrtMalloc) point here; a variable declared __mlu_device__ lives here. "
        "Scalar code may load and store it through plain pointers; vector intrinsics may not "
        "take GDRAM operands (a bug on hardware). Size depends on the board. (bang.md §2.1)"),
    "ldram": MemorySpace(
        "ldram", "__ldram__", "core",
        "LDRAM: off-chip memory private to each core (MLU or MPU), used as spill space; its size "
        "is set by software. One copy per core. (bang.md §2.1)"),
    "sram": MemorySpace(
        "sram", "__mlu_shared__", "cluster",
        "SRAM: on-chip memory shared by the 4 MLU cores and the MPU of one cluster (one copy per "
        "cluster), used for staging and exchange between cores. Absent (0 B) on tp_220 and "
        "tp_322. mlu-ops reserves 128 KB of it for the compiler. Copies touching SRAM run on the "
        "MPU (bang.md §1.4). (bang.md §2.1, §2.2)",
        {a: kb * _KB for a, kb in _SRAM_KB.items()}),
    "nram": MemorySpace(
        "nram", "__nram__", "core",
        "NRAM: on-chip memory private to each MLU core; every operand of the vector and tensor "
        "intrinsics (except the WRAM filter of conv/mlp/matmul) must point here. __nram__ arrays "
        "declared inside a kernel or loop body are static storage (not re-initialised, contents "
        "start undefined). mlu-ops reserves 128 KB of NRAM for the compiler stack, and the active "
        "functions use hidden lookup tables in NRAM. (bang.md §1.1, §2.1, §2.2)",
        {a: kb * _KB for a, kb in _NRAM_KB.items()}),
    "wram": MemorySpace(
        "wram", "__wram__", "core",
        "WRAM: on-chip memory private to each MLU core, holding the filter/weights of "
        "__bang_conv, __bang_mlp and __bang_matmul. Physically split into 64 LTs of WRAM_SIZE/64 "
        "bytes (output channel co in LT co%64); the emulator models it as linear memory holding "
        "the logical layout ([Co][Kh][Kw][Ci]; mlp [height][width]; matmul src1 stored [N][K]). "
        "__memcpy addresses in WRAM must be 8-B aligned, sizes a multiple of 16 B (3xx/5xx) or "
        "64 B (2xx). (bang.md §2.1-§2.4)",
        {a: kb * _KB for a, kb in _WRAM_KB.items()}),
    "constant": MemorySpace(
        "constant", "__mlu_const__", "device",
        "Constant memory: variables declared __mlu_const__ (read-only in kernels; the emulator "
        "maps them to const globals). Not one of the spaces a __memcpy direction names. "
        "(bang.md §1.1)"),
}

# ----------------------------------------------------------------------------------------
# __memcpy directions (bang.md §3.1, §1.4, §1.5)
# ----------------------------------------------------------------------------------------

_MPU_DIRECTIONS = {"SRAM2SRAM", "SRAM2GDRAM", "GDRAM2SRAM", "SRAM2LDRAM", "LDRAM2SRAM"}


def _direction(name: str, value: int) -> dict:
    src, dst = (s.lower() for s in name.split("2"))
    offchip = {"gdram", "ldram"}
    if src in offchip or dst in offchip:
        pipeline = "io"
    elif src == dst == "nram":
        pipeline = "compute"
    else:
        pipeline = "move"
    return {"value": value, "src": src, "dst": dst, "pipeline": pipeline,
            "runs_on_mpu": name in _MPU_DIRECTIONS}


#: mluMemcpyDirection_t in declaration order ([H] bang_device_types.h). An older header has
#: no LDRAM2LDRAM and numbers the later entries differently; code only uses the names.
#: pipeline: "io" if either side is GDRAM/LDRAM, "compute" for NRAM2NRAM, else "move"
#: (bang.md §1.5). runs_on_mpu: the five SRAM<->off-chip / SRAM2SRAM directions (bang.md §1.4).
#: No WRAM2WRAM direction exists; SRAM directions are unavailable on tp_220/270, tp_322, tp_520.
MEMCPY_DIRECTIONS: dict[str, dict] = {
    name: _direction(name, i) for i, name in enumerate((
        "GDRAM2NRAM", "NRAM2GDRAM", "LDRAM2NRAM", "NRAM2LDRAM", "GDRAM2WRAM", "WRAM2GDRAM",
        "LDRAM2WRAM", "WRAM2LDRAM", "NRAM2NRAM", "NRAM2WRAM", "WRAM2NRAM", "GDRAM2SRAM",
        "SRAM2GDRAM", "LDRAM2SRAM", "SRAM2LDRAM", "SRAM2NRAM", "NRAM2SRAM", "SRAM2WRAM",
        "WRAM2SRAM", "GDRAM2GDRAM", "GDRAM2LDRAM", "LDRAM2GDRAM", "LDRAM2LDRAM", "SRAM2SRAM"))
}

# ----------------------------------------------------------------------------------------
# Task types (bang.md §1.3, [C])
# ----------------------------------------------------------------------------------------


def _task(value: int, union: int | None) -> dict:
    # value: the enum value (= MLU cores taken); union: clusters per union job (clusterDim),
    # 0 for BLOCK, None for Mutable; dim_x_multiple: what dim.x must be a multiple of.
    return {"value": value, "union": union,
            "dim_x_multiple": (4 * union if union else 1) if union is not None else None}


TASK_TYPES: dict[str, dict] = {}
for _new, _old, _v, _u in (
    ("cnrtFuncTypeBlock", "CNRT_FUNC_TYPE_BLOCK", 1, 0),
    ("cnrtFuncTypeBlock0", "CNRT_FUNC_TYPE_BLOCK0", 1, 0),
    ("cnrtFuncTypeBlock1", "CNRT_FUNC_TYPE_BLOCK1", 2, 0),
    ("cnrtFuncTypeUnion1", "CNRT_FUNC_TYPE_UNION1", 4, 1),
    ("cnrtFuncTypeUnion2", "CNRT_FUNC_TYPE_UNION2", 8, 2),
    ("cnrtFuncTypeUnion4", "CNRT_FUNC_TYPE_UNION4", 16, 4),
    ("cnrtFuncTypeUnion8", "CNRT_FUNC_TYPE_UNION8", 32, 8),
    ("cnrtFuncTypeUnion16", "CNRT_FUNC_TYPE_UNION16", 64, 16),
    ("cnrtFuncTypeMutable", "CNRT_FUNC_TYPE_MUTABLE", -1, None),
):
    TASK_TYPES[_new] = _task(_v, _u)
    TASK_TYPES[_old] = _task(_v, _u)
del _new, _old, _v, _u

# ----------------------------------------------------------------------------------------
# Per-arch rules (bang.md §1.2, §2.2, §2.3, §2.4, §4, §5)
# ----------------------------------------------------------------------------------------


def _arch_rules(arch: str) -> dict:
    bang_arch = int(arch.split("_")[1])
    is2xx = bang_arch < 300
    return {
        "bang_arch": bang_arch,  # __BANG_ARCH__
        "family": "2xx" if is2xx else ("3xx" if bang_arch < 500 else "5xx"),
        "nram_bytes": _NRAM_KB[arch] * _KB,
        "wram_bytes": _WRAM_KB[arch] * _KB,
        "sram_bytes": _SRAM_KB[arch] * _KB,
        "has_sram": _SRAM_KB[arch] > 0,
        "nram_stack_reserve_bytes": 128 * _KB,  # mlu-ops MAX_NRAM_SIZE convention [K]
        "core_dim": {"tp_322": 1, "tp_220": None}.get(arch, 4),  # MLU cores per cluster
        # vector operations: documented alignment only on (m)tp_2xx
        "vector_addr_align": 64 if is2xx else None,
        "vector_bytes_multiple": 128 if is2xx else None,  # some functions say 64
        "vector_bytes_recommended": 128,  # NFU_ALIGN_SIZE: 128 B per cycle [G §5.3.4]
        # __memcpy (M Tables 3.1, 3.3, 3.5, 3.9; §3.7.2)
        "memcpy_addr_align": {"gdram": 1, "ldram": 1, "sram": 1, "nram": 1, "wram": 8},
        "memcpy_size_multiple": {"wram": 64 if is2xx else 16, "nram2nram": 128 if is2xx else 1,
                                 "default": 1},
        "memcpy_wram_dst_stride_multiple": 8,  # 2-D dst_stride, 3-D dst_stride0/1
        "memcpy_3d": bang_arch >= 322,
        "memcpy_id_dst_cluster": bang_arch < 500,  # not supported on 5xx
        # WRAM layout (bang.md §2.4)
        "wram_lt_num": 64,
        "wram_lt_unaligned_tail": "undefined" if arch in ("tp_322", "mtp_372") else "zero",
        "wram_filter_addr_align": 32,
        "wram_co_multiple": 64,
        # per-operation 2xx constraints
        "transpose_dim_bytes_multiple": 64 if is2xx else None,  # height*sizeof, width*sizeof
        "pool_channel_bytes_multiple": 128 if is2xx else None,
        "conv_ci_bytes_multiple": 64 if is2xx else None,
        "conv_co_multiple": 64 if is2xx else None,
        "mlp_height_multiple": 64 if is2xx else None,
        "reduce_sum_other_elements": "zeroed" if is2xx else "unchanged",
        # availability
        "integer_vector_arith": bang_arch >= 322,
        "bf16_vector_arith": bang_arch >= 592,
        "surpass_math": bang_arch >= 322,  # __bang_recip, __bang_sqrt, ...
        "bang_div": bang_arch >= 322 and bang_arch != 372,
        "tensor_float_types": arch in ("mtp_372", "mtp_592"),
        "pool_dilation": bang_arch >= 322,
        "rounding_rm_rn": bang_arch >= 322,
        "rounding_sr": bang_arch >= 592,
        "split_barriers": bang_arch >= 372,
        # numerics (bang.md §5): 2xx saturates, 372 IEEE, 592 mixed
        "inf_nan": "saturate" if is2xx else ("ieee" if bang_arch < 500 else "mixed"),
    }


ARCH_RULES: dict[str, dict] = {a: _arch_rules(a) for a in ARCHS}


def available(spec: str | None, arch: str) -> bool:
    """Whether an overload whose availability reads ``spec`` (``Overload.arch``: ``>=322``,
    ``>=322, not 372``, ``mtp_372, mtp_592``, ``not 5xx``...) exists on ``arch``. Notes
    about types in the text (``bf16 5xx``) do not restrict it; a term this reader does not
    know makes the answer False (never use an intrinsic on a guess)."""
    if not spec:
        return True
    n = ARCH_RULES[arch]["bang_arch"]
    names, ok = [], True
    for term in (t.strip() for t in spec.split(",")):
        if term.startswith("bf16 "):
            continue
        if m := re.fullmatch(r">=\s*(\d+)", term):
            ok &= n >= int(m.group(1))
        elif m := re.fullmatch(r"not\s+(\w+)", term):
            ok &= not _arch_is(m.group(1), arch, n)
        elif term in ARCH_RULES:
            names.append(term)
        else:
            return False
    return ok and (not names or arch in names)


def _arch_is(word: str, arch: str, n: int) -> bool:
    """``372`` / ``mtp_372`` / ``5xx`` names ``arch``."""
    if word in ARCH_RULES or re.fullmatch(r"[a-z]+_\d+", word):
        return word == arch  # a named part (tp_520: one this table does not model)
    if word.isdigit():
        return int(word) == n
    if re.fullmatch(r"\dxx", word):
        return str(n)[0] == word[0]
    return True  # unknown: counted as a match, so "not <unknown>" is False


# ----------------------------------------------------------------------------------------
# Performance figures per arch (issue 18: the cost model, xpiler.tune.cost.predict_bang)
# ----------------------------------------------------------------------------------------
# bang.md gives capacities, not speeds. Each figure below is a base.Figure: either `source`
# (where it is stated; a number computed from stated ones says how) or `estimated` (how it
# was derived where nothing citable was found). tests/test_cost.py holds every figure to one
# of the two. The part an arch stands for is PARTS[arch]. Keys of PERF[arch]:
#   clusters, cores_per_cluster     MLU clusters of the part, MLU cores per cluster
#   clock_hz                        core clock
#   dram_bytes_per_s                off-chip (GDRAM/LDRAM) bandwidth of the part
#   dram_read_granule_bytes         smallest GDRAM read (a shorter read costs this much)
#   dram_partial_write_bytes        traffic of a GDRAM write shorter than the read granule
#                                   (read-modify-write)
#   vector_bytes_per_cycle          vector unit throughput per core (every __bang_* vector op)
#   onchip_bytes_per_cycle          on-chip copies per core (NRAM/WRAM/SRAM moves)
#   scalar_cycles_per_op            one scalar arithmetic operation (an add)
#   matrix_<type>_ops_per_s         peak of __bang_conv/__bang_mlp/__bang_matmul for the part,
#                                   in ops (a multiply-accumulate is 2 ops) per second, by input
#                                   type (int8, int16, fp16, bf16, fp32); 0 where the arch has no
#                                   such tensor operation (floating types on 2xx: bang.md §4.8, §5)

_S_G = ("Cambricon/mlu-ops docs/BANG-C-OPS-Develop-Guide.md (commit 629f9b61), "
        "https://github.com/Cambricon/mlu-ops/blob/master/docs/BANG-C-OPS-Develop-Guide.md")
_S_X8 = ("MLU370-X8: https://cronfeed.work/ai-china-stack-supply-chain-update-cambricon-neuware-magicmind-"
         "mlu-software-lane-2026q2/ (quoting Cambricon's MLU370-X8 product page) and the launch news "
         "http://guangxilong.com/c/032129635H022.html")
_S_X8_NEWS = "MLU370-X8 launch news, http://guangxilong.com/c/032129635H022.html"
_S_290 = "MLU290-M5 launch notes, http://t.zoukankan.com/kongchung-p-14746622.html"
_S_270 = "MLU270 announcement, https://n.znds.com/mip/37793.html"
_S_MLU100 = "https://en.wikichip.org/wiki/cambricon/mlu/mlu100"
_S_590 = "https://awesomeagents.ai/hardware/cambricon-mlu590"
_S_CORE_DIM = "bang.md §2.2 [K] (4 MLU cores per cluster; ARCH_RULES core_dim)"

_E_VECTOR = ("assumed equal to MLU370's 128 B per cycle (" + _S_G + " §5.3.4); the 2xx operand rules "
             "(128-B multiples, bang.md §2.3) fit the same width")
_E_ONCHIP = ("no figure found: assumed equal to the vector datapath's 128 B per cycle per core "
             "(" + _S_G + " §5.3.4)")
_E_GRANULE = "assumed the same as MLU370's (" + _S_G + " §5.3.3)"
_E_CLOCK_2XX = ("no figure found: 1 GHz, MLU100's balanced-mode clock (" + _S_MLU100 + "); at 1 GHz the "
                "INT8 peaks of MLU270 (128 TOPS, 16 cores) and MLU290 (512 TOPS, 64 cores) are both "
                "4096 multiply-accumulates per cycle per core")
_MAC_2XX = 4096  # int8 MACs per cycle per core on 2xx at 1 GHz (see _E_CLOCK_2XX)


def _fig(value: float, unit: str, source: str = "", estimated: str = "", note: str = "") -> Figure:
    return Figure(float(value), unit, source, estimated, note)


def _common(arch: str) -> dict[str, Figure]:
    """Figures stated for MLU370 [G §5.3.3, §5.3.4] and assumed for the others."""
    m372 = arch == "mtp_372"
    return {
        "vector_bytes_per_cycle": _fig(128, "B/cycle/core", source=_S_G + " §5.3.4: a vector instruction "
                                       "computes 128 B per cycle") if m372 else
        _fig(128, "B/cycle/core", estimated=_E_VECTOR),
        "onchip_bytes_per_cycle": _fig(128, "B/cycle/core", estimated=_E_ONCHIP),
        "dram_read_granule_bytes": _fig(64, "B", source=_S_G + " §5.3.3: GDRAM reads are at least 64 B")
        if m372 else _fig(64, "B", estimated=_E_GRANULE),
        "dram_partial_write_bytes": _fig(128, "B", source=_S_G + " §5.3.3: a GDRAM write under 64 B is a "
                                         "64-B read plus a 64-B write") if m372 else
        _fig(128, "B", estimated=_E_GRANULE),
        "scalar_cycles_per_op": _fig(2, "cycles", source=_S_G + " §5.3.4: a scalar add/sub of one fp16/fp32 "
                                     "takes 2 cycles (ordinary ops 1-3, div/log/recip 6-18)") if m372 else
        _fig(2, "cycles", estimated="assumed the same as MLU370's 2 cycles per scalar add (" + _S_G + " §5.3.4)"),
    }


def _no_float_tensor(arch: str) -> dict[str, Figure]:
    why = "bang.md §4.8, §5: floating conv/mlp/matmul exist only on mtp_372 and mtp_592 (0 = not available)"
    return {f"matrix_{t}_ops_per_s": _fig(0, "ops/s", source=why) for t in ("fp16", "bf16", "fp32")}


def _perf_2xx(arch: str, clusters: Figure, cores: Figure, dram: Figure, int8: Figure, int16: Figure) -> dict:
    return {"clusters": clusters, "cores_per_cluster": cores,
            "clock_hz": _fig(1.0e9, "Hz", estimated=_E_CLOCK_2XX),
            "dram_bytes_per_s": dram, "matrix_int8_ops_per_s": int8, "matrix_int16_ops_per_s": int16,
            **_no_float_tensor(arch), **_common(arch)}


def _per_core_2xx(n_cores: int, what: str) -> str:
    return (f"{n_cores} cores x {_MAC_2XX} int8 multiply-accumulates per cycle x 2 ops x 1 GHz (the MLU270/"
            f"MLU290 per-core rate, see clock_hz); {what}")


_X8_CORES = 16  # 4 clusters x 4 cores [G §5.3.1]
_X8_CLOCK = 1.3e9
_X8_INT8_PER_CORE_CYCLE = 256e12 / (_X8_CORES * _X8_CLOCK)  # ops per cycle per core, for the estimates below

PARTS: dict[str, str] = {
    "tp_220": "MLU220 edge core (estimated figures only)",
    "mtp_220": "MLU220 (estimated figures only)",
    "mtp_270": "MLU270 (one chip)",
    "mtp_290": "MLU290-M5 (one chip)",
    "tp_322": "a single-core MLU3xx edge part (estimated figures only)",
    "mtp_372": "MLU370-X8 card, as the mlu-ops guide describes it (4 clusters of 4 MLU cores)",
    "mtp_592": "MLU590 (estimated figures only)",
}

PERF: dict[str, dict[str, Figure]] = {
    "mtp_372": {
        "clusters": _fig(4, "count", source=_S_G + " §5.3.1: the MLU370-X8 card holds 4 clusters of 4 MLU "
                         "cores + 1 memory core",
                         note="the X8 card carries two Siyuan 370 chips; the guide counts 4 clusters per card"),
        "cores_per_cluster": _fig(4, "count", source=_S_CORE_DIM),
        "clock_hz": _fig(_X8_CLOCK, "Hz", source=_S_G + " §5.3.4, table of MLU370 clocks: X8 1300 MHz",
                         note="S4: 360-1000 MHz, X4: 500-1000 MHz (same table)"),
        "dram_bytes_per_s": _fig(614.4e9, "B/s", source=_S_X8 + ": 48 GB LPDDR5, 614.4 GB/s"),
        "matrix_int8_ops_per_s": _fig(256e12, "ops/s", source=_S_X8 + ": 256 TOPS INT8"),
        "matrix_int16_ops_per_s": _fig(128e12, "ops/s", source=_S_X8_NEWS + ": 128 TOPS INT16"),
        "matrix_fp16_ops_per_s": _fig(96e12, "ops/s", source=_S_X8 + ": 96 TFLOPS FP16"),
        "matrix_bf16_ops_per_s": _fig(96e12, "ops/s", source=_S_X8 + ": 96 TFLOPS BF16"),
        "matrix_fp32_ops_per_s": _fig(24e12, "ops/s", source=_S_X8 + ": 24 TFLOPS FP32",
                                      note="the launch news says 32 TFLOPS FP32; the product page figure "
                                           "(24) is used, the lower of the two"),
        **_common("mtp_372"),
    },
    "mtp_290": _perf_2xx(
        "mtp_290",
        _fig(16, "count", source=_S_290 + ": 64 MLU cores; divided by 4 cores per cluster (" + _S_CORE_DIM + ")"),
        _fig(4, "count", source=_S_CORE_DIM),
        _fig(1228.8e9, "B/s", source=_S_290 + ": 32 GB HBM2, 1228 GB/s (4096-bit at 1.2 GHz: 1228.8 GB/s)"),
        _fig(512e12, "ops/s", source=_S_290 + ": 512 TOPS INT8"),
        _fig(256e12, "ops/s", source=_S_290 + ": 256 TOPS INT16")),
    "mtp_270": _perf_2xx(
        "mtp_270",
        _fig(4, "count", estimated="no core count found: 128 TOPS INT8 (" + _S_270 + ") at MLU290's per-core "
             "rate (512 TOPS over 64 cores) is 16 cores, 4 clusters of 4"),
        _fig(4, "count", source=_S_CORE_DIM),
        _fig(102.4e9, "B/s", estimated="no MLU270 figure found: MLU100's DDR4-3200 on 4 channels, 102.4 GB/s "
             "(" + _S_MLU100 + ")"),
        _fig(128e12, "ops/s", source=_S_270 + ": int8 128 TOPS"),
        _fig(64e12, "ops/s", estimated="half the INT8 peak, as MLU290 (" + _S_290 + ") and MLU370 state")),
    "mtp_220": _perf_2xx(
        "mtp_220",
        _fig(1, "count", estimated="no figure found: one cluster (bang.md §2.2 gives MLU220 2 MB of SRAM, "
             "one cluster's worth on the other 2xx parts)"),
        _fig(4, "count", source=_S_CORE_DIM),
        _fig(25.6e9, "B/s", estimated="no figure found: one 64-bit LPDDR4x channel at 3200 MT/s, typical of "
             "edge modules"),
        _fig(4 * _MAC_2XX * 2 * 1e9, "ops/s", estimated=_per_core_2xx(4, "likely high for an edge part")),
        _fig(4 * _MAC_2XX * 1e9, "ops/s", estimated=_per_core_2xx(4, "halved for INT16"))),
    "tp_220": _perf_2xx(
        "tp_220",
        _fig(1, "count", estimated="a tp_ arch runs one core as a BLOCK task (no SRAM, bang.md §2.2)"),
        _fig(1, "count", estimated="a tp_ arch runs one core (the emulator uses coreDim 1)"),
        _fig(25.6e9, "B/s", estimated="no figure found: one 64-bit LPDDR4x channel at 3200 MT/s"),
        _fig(_MAC_2XX * 2 * 1e9, "ops/s", estimated=_per_core_2xx(1, "one core")),
        _fig(_MAC_2XX * 1e9, "ops/s", estimated=_per_core_2xx(1, "halved for INT16"))),
    "tp_322": {
        "clusters": _fig(1, "count", estimated="a tp_ arch runs one core (no SRAM, bang.md §2.2)"),
        "cores_per_cluster": _fig(1, "count", source="bang.md §1.2 [K]: coreDim is 1 on tp_322"),
        "clock_hz": _fig(1.0e9, "Hz", estimated="no figure found: the upper end of the MLU370-S4/X4 clock "
                         "range (" + _S_G + " §5.3.4)"),
        "dram_bytes_per_s": _fig(25.6e9, "B/s", estimated="no figure found: one 64-bit LPDDR4x channel at "
                                 "3200 MT/s"),
        **{f"matrix_{t}_ops_per_s": _fig(_X8_INT8_PER_CORE_CYCLE * f * 1.0e9, "ops/s",
                                         estimated=f"MLU370-X8's per-core, per-cycle {t} rate (its peak / 16 "
                                                   f"cores / 1.3 GHz) x 1 core x 1 GHz")
           for t, f in (("int8", 1.0), ("int16", 0.5), ("fp16", 96 / 256), ("bf16", 96 / 256),
                        ("fp32", 24 / 256))},
        **_common("tp_322"),
    },
    "mtp_592": {
        "clusters": _fig(8, "count", estimated="no figure found: assumed 8 clusters (twice MLU370-X8's 4)"),
        "cores_per_cluster": _fig(4, "count", source=_S_CORE_DIM),
        "clock_hz": _fig(1.3e9, "Hz", estimated="no figure found: MLU370-X8's 1300 MHz (" + _S_G + " §5.3.4)"),
        "dram_bytes_per_s": _fig(2.4e12, "B/s", estimated="~2,400 GB/s HBM2e per " + _S_590 + ", a third-party "
                                 "page that marks its own figures approximate"),
        **{f"matrix_{t}_ops_per_s": _fig(_X8_INT8_PER_CORE_CYCLE * f * 32 * 1.3e9, "ops/s",
                                         estimated=f"MLU370-X8's per-core, per-cycle {t} rate x 32 cores x "
                                                   f"1.3 GHz (the cluster and clock estimates)")
           for t, f in (("int8", 1.0), ("int16", 0.5), ("fp16", 96 / 256), ("bf16", 96 / 256),
                        ("fp32", 24 / 256))},
        **_common("mtp_592"),
    },
}
assert set(PERF) == set(ARCHS) == set(PARTS)

# ----------------------------------------------------------------------------------------
# Built-in variables (bang.md §1.2)
# ----------------------------------------------------------------------------------------

_BV_SRC = " (bang.md §1.2 [G][H][K])"
BUILTIN_VARS: dict[str, BuiltinVar] = {v.name: v for v in (
    BuiltinVar("taskIdX", "int", "Index of this task along X of the launch dim; a macro reading "
               "the taskidx special register." + _BV_SRC, range="[0, taskDimX)", parallel=True),
    BuiltinVar("taskIdY", "int", "Index of this task along Y of the launch dim. With Union1 and "
               "dim = {4, nClusters, 1} it tells independent union jobs apart." + _BV_SRC,
               range="[0, taskDimY)", parallel=True),
    BuiltinVar("taskIdZ", "int", "Index of this task along Z of the launch dim." + _BV_SRC,
               range="[0, taskDimZ)", parallel=True),
    BuiltinVar("taskId", "int", "Linear task index: taskId = taskIdZ*taskDimY*taskDimX + "
               "taskIdY*taskDimX + taskIdX. For dim = {4*N,1,1} UnionN it equals "
               "clusterId*coreDim + coreId." + _BV_SRC, range="[0, taskDim)", parallel=True),
    BuiltinVar("taskDimX", "int", "dim.x of the launch (a multiple of 4*N for UnionN)." + _BV_SRC,
               range=">= 1"),
    BuiltinVar("taskDimY", "int", "dim.y of the launch." + _BV_SRC, range=">= 1"),
    BuiltinVar("taskDimZ", "int", "dim.z of the launch." + _BV_SRC, range=">= 1"),
    BuiltinVar("taskDim", "int", "Number of tasks: taskDim = taskDimX * taskDimY * taskDimZ."
               + _BV_SRC, range=">= 1"),
    BuiltinVar("clusterId", "int", "Index of this core's cluster inside its union job; "
               "clusterId = (taskIdX / coreDim) % clusterDim (inferred). Undefined for BLOCK "
               "tasks (the emulator uses 0 and warns)." + _BV_SRC, range="[0, clusterDim)",
               parallel=True),
    BuiltinVar("clusterDim", "int", "Clusters taken by one union job: 0 for BLOCK, N for UnionN "
               "(1, 2, 4, 8, 16). All __sync_* barriers are no-ops when it is 0." + _BV_SRC,
               range="{0, 1, 2, 4, 8, 16}"),
    BuiltinVar("coreId", "int", "Index of this MLU core inside its cluster; coreId = taskIdX % "
               "coreDim (inferred). On the memory core (MPU) coreId == 0x80. Undefined for "
               "BLOCK tasks (the emulator uses 0 and warns)." + _BV_SRC,
               range="[0, coreDim) on MLU cores; 0x80 on the MPU", parallel=True),
    BuiltinVar("coreDim", "int", "MLU cores per cluster: 4 on all current multi-core parts, 1 on "
               "tp_322 (the emulator uses 1 for BLOCK tasks)." + _BV_SRC, range="4 (1 on tp_322)"),
)}

# ----------------------------------------------------------------------------------------
# Parameter helpers
# ----------------------------------------------------------------------------------------


def _dst(ctype: str = "T *", space: str | None = "nram", doc: str = "destination") -> Param:
    return Param("dst", ctype, space=space, role="out", doc=doc)


def _src(name: str = "src", ctype: str = "const T *", space: str | None = "nram",
         doc: str = "source") -> Param:
    return Param(name, ctype, space=space, role="in", doc=doc)


def _count(name: str = "elem_count", ctype: str = "unsigned int",
           doc: str = "number of elements, > 0") -> Param:
    return Param(name, ctype, unit="elements", role="config", doc=doc)


def _cfg(name: str, ctype: str = "unsigned int", unit: str | None = None, doc: str = "",
         default: str | None = None) -> Param:
    return Param(name, ctype, unit=unit, role="config", doc=doc, default=default)


def _scalar(name: str, ctype: str = "T", doc: str = "scalar operand") -> Param:
    return Param(name, ctype, role="scalar", doc=doc)


_FIX = _cfg("fix_position", "int", doc="result is scaled by 2^fix_position, in [-127, 127]")

_LOOP = "for (unsigned int i = 0; i < elem_count; ++i) "
_LOOP_INT = "for (int i = 0; i < elem_count; ++i) "  # for the legacy int elem_count forms

_T_HF = each(T=("half", "float"))
_T_BF = each(T=("bfloat16_t",))

_COMMON_ALIGN_2XX = ("2xx only: addresses 64-B aligned and elem_count*sizeof(T) a multiple of "
                     "128 B; no constraint listed on 3xx/5xx (real code still pads to 128 B).")

# ----------------------------------------------------------------------------------------
# Data movement: __memcpy, __memcpy_async, __bang_move (bang.md §3.2-§3.5)
# ----------------------------------------------------------------------------------------

_SEM_COPY_1D = (
    "char *d = (char *)dst;\n"
    "const char *s = (const char *)src;\n"
    "if (d <= s) {\n"
    "  for (unsigned int i = 0; i < size; ++i) d[i] = s[i];\n"
    "} else {\n"
    "  for (unsigned int i = size; i > 0; --i) d[i - 1] = s[i - 1];\n"
    "}")

_SEM_COPY_2D = (
    "for (unsigned int seg = 0; seg <= segnum; ++seg) {\n"
    "  char *d = (char *)dst + (long long)seg * (long long)dst_stride;\n"
    "  const char *s = (const char *)src + (long long)seg * (long long)src_stride;\n"
    "  for (unsigned int i = 0; i < size; ++i) d[i] = s[i];\n"
    "}")


def _sem_copy_3d(overlap_safe: bool) -> str:
    inner = ("  if (d <= s) {\n"
             "    for (unsigned int i = 0; i < size; ++i) d[i] = s[i];\n"
             "  } else {\n"
             "    for (unsigned int i = size; i > 0; --i) d[i - 1] = s[i - 1];\n"
             "  }\n") if overlap_safe else \
            "  for (unsigned int i = 0; i < size; ++i) d[i] = s[i];\n"
    return (
        "const unsigned long long n1 = (unsigned long long)src_segnum1 + 1ull;\n"
        "const unsigned long long n = n1 * ((unsigned long long)src_segnum2 + 1ull);\n"
        "const unsigned long long m1 = (unsigned long long)dst_segnum1 + 1ull;\n"
        "for (unsigned long long k = 0; k < n; ++k) {\n"
        "  const long long si = (long long)(k % n1), sj = (long long)(k / n1);\n"
        "  const long long di = (long long)(k % m1), dj = (long long)(k / m1);\n"
        "  char *d = (char *)dst + di * (long long)dst_stride0 + dj * (long long)dst_stride1;\n"
        "  const char *s = (const char *)src + si * (long long)src_stride0"
        " + sj * (long long)src_stride1;\n"
        + inner + "}")


_P_VDST = Param("dst", "void *", role="out", doc="destination, in the space named by dir")
_P_VSRC = Param("src", "const void *", role="in", doc="source, in the space named by dir")
_P_SIZE = _cfg("size", unit="bytes", doc="bytes per segment, > 0")
_P_DIR = _cfg("dir", "mluMemcpyDirection_t", doc="direction: a promise about the spaces of src "
              "and dst (see MEMCPY_DIRECTIONS)")
_P_ID = _cfg("id_dst_cluster", doc="cluster whose SRAM receives the data (SRAM2SRAM only; not "
             "supported on 5xx)")
_P_2D = (_cfg("dst_stride", unit="bytes", doc="byte distance between destination segments, "
              ">= size (multiple of 8 for WRAM)"),
         _cfg("src_stride", "int", unit="bytes", doc="byte distance between source segments; "
              "signed, may be negative or 0 (broadcast)"),
         _cfg("segnum", unit="segments-1", doc="number of segments minus one, in [0, 65535]"))
_P_3D = (_cfg("dst_stride0", "int", unit="bytes", doc="inner destination stride"),
         _cfg("dst_segnum1", unit="segments-1", doc="inner destination segments minus one"),
         _cfg("dst_stride1", "int", unit="bytes", doc="outer destination stride"),
         _cfg("dst_segnum2", unit="segments-1", doc="outer destination segments minus one"),
         _cfg("src_stride0", "int", unit="bytes", doc="inner source stride"),
         _cfg("src_segnum1", unit="segments-1", doc="inner source segments minus one"),
         _cfg("src_stride1", "int", unit="bytes", doc="outer source stride"),
         _cfg("src_segnum2", unit="segments-1", doc="outer source segments minus one"))

_NOTE_ID = ("semantics None: the copy goes into the SRAM of cluster id_dst_cluster, which only "
            "the runtime can address; it must implement this form by hand (bang.md §3.2).")
_NOTE_3D = ("k-th source segment to k-th destination segment when the shapes differ (inferred); "
            "(src_segnum1+1)*(src_segnum2+1) must equal (dst_segnum1+1)*(dst_segnum2+1). "
            "Requires __BANG_ARCH__ >= 322; SRAM directions unavailable on tp_322 and tp_520.")

_MEMCPY_ALIGN = ("Addresses: 1 B everywhere except WRAM, 8 B. Size: 1 B except directions to or "
                 "from WRAM (64 B on 2xx, 16 B on 3xx/5xx) and NRAM2NRAM (128 B on 2xx). "
                 "Destination strides in WRAM: multiples of 8 B. (M Tables 3.1-3.9)")


def _memcpy_overloads(with_id: tuple[bool, bool, bool], async_: bool) -> tuple[Overload, ...]:
    one = (_P_VDST, _P_VSRC, _P_SIZE, _P_DIR)
    out = [Overload(one, semantics=_SEM_COPY_1D,
                    note="1-D: copies size bytes with memmove semantics (overlap undocumented; "
                         "the emulator should warn).")]
    if with_id[0]:
        out.append(Overload(one + (_P_ID,), arch="not 5xx", note=_NOTE_ID))
    out.append(Overload(one + _P_2D, semantics=_SEM_COPY_2D,
                        note="2-D: for s in [0, segnum]: copy size bytes from src + s*src_stride "
                             "to dst + s*dst_stride."))
    if with_id[1]:
        out.append(Overload(one + _P_2D + (_P_ID,), arch="not 5xx", note=_NOTE_ID))
    out.append(Overload(one + _P_3D, semantics=_sem_copy_3d(False), arch=_A_3XX,
                        note="3-D: " + _NOTE_3D))
    if with_id[2]:
        out.append(Overload(one + _P_3D + (_P_ID,), arch=">=322, not 5xx",
                            note=_NOTE_ID + (" The async 3-D form with id_dst_cluster is read "
                                             "from the reference's 'same' (inferred)."
                                             if async_ else "")))
    return tuple(out)


_MEMCPY_DOC = (
    "Copies size BYTES from src to dst in the spaces named by dir (a mluMemcpyDirection_t such "
    "as GDRAM2NRAM). 1-D: (dst, src, size, dir). 2-D: segnum+1 segments of size bytes, segment "
    "s read at src + s*src_stride and written at dst + s*dst_stride (strides in bytes; "
    "src_stride signed, may be 0 to broadcast a row; dst_stride >= size). 3-D: source and "
    "destination each walked inner (stride0, segnum1+1 segments) then outer (stride1, "
    "segnum2+1), the k-th source segment going to the k-th destination segment. The "
    "id_dst_cluster forms copy SRAM2SRAM into another cluster's SRAM (not on 5xx). size and "
    "strides are in bytes, never elements (passing an element count is a frequent bug). "
    "SRAM2SRAM, SRAM2GDRAM, GDRAM2SRAM, SRAM2LDRAM and LDRAM2SRAM run on the MPU; all other "
    "directions on the MLU cores. The pipeline follows the direction: IO if either side is "
    "GDRAM/LDRAM, Compute for NRAM2NRAM, else Move.")

_MEMCPY = Intrinsic(
    "__memcpy", _memcpy_overloads((True, True, True), False), "memcpy",
    _MEMCPY_DOC + " Synchronous: the compiler/hardware orders it with later operations.",
    source="bang.md §3.1-§3.4, §1.4 [M §3.1.2-3.1.3, §3.3.2-3.3.3, §3.7.2-3.7.3; H]",
    alignment=_MEMCPY_ALIGN,
    overlap="undocumented; 1-D emulated as memmove (warn on overlap)")

_MEMCPY_ASYNC = Intrinsic(
    "__memcpy_async", _memcpy_overloads((False, False, True), True), "memcpy",
    _MEMCPY_DOC + " Asynchronous: the programmer must call __sync_io/__sync_move/__sync_compute "
    "or __sync() (the pipeline of its direction) before using the data. The emulator performs it "
    "eagerly (correct for correctly synchronised kernels); a deferred mode can catch missing "
    "syncs.",
    source="bang.md §3.2-§3.4, §1.5 [M §3.1.2-3.1.3, §3.3.2-3.3.3, §3.7.2-3.7.3; H]",
    alignment=_MEMCPY_ALIGN,
    overlap="undocumented; 1-D emulated as memmove (warn on overlap)")

_MOVE_2D = (_cfg("dst_stride", unit="bytes", doc="byte distance between destination segments"),
            _cfg("src_stride", unit="bytes", doc="byte distance between source segments, >= 0"),
            _cfg("segnum", unit="segments-1", doc="number of segments minus one"))
_MOVE_DST = Param("dst", "void *", space="nram", role="out", doc="NRAM destination")
_MOVE_SRC = Param("src", "const void *", space="nram", role="in", doc="NRAM source")

_BANG_MOVE = Intrinsic(
    "__bang_move",
    (Overload((_MOVE_DST, _MOVE_SRC, _P_SIZE), semantics=_SEM_COPY_1D,
              note="1-D: size bytes; dst may overlap src (memmove)."),
     Overload((_MOVE_DST, _MOVE_SRC, _P_SIZE) + _MOVE_2D, semantics=_SEM_COPY_2D,
              note="2-D: the reference gives the argument order (size, dst_stride, src_stride, "
                   "segnum) but not the types; unsigned int is inferred here (src_stride >= 0)."),
     Overload((_MOVE_DST, _MOVE_SRC, _P_SIZE) + _P_3D, semantics=_sem_copy_3d(True),
              note="3-D: the reference says only '3-D forms'; the __memcpy 3-D argument list "
                   "without dir is inferred here. Each segment is copied with memmove "
                   "semantics.")),
    "memcpy",
    "NRAM to NRAM copy in the Compute pipeline, sizes and strides in BYTES: 1-D (dst, src, "
    "size); 2-D (dst, src, size, dst_stride, src_stride, segnum) copies segnum+1 segments of "
    "size bytes from src + s*src_stride to dst + s*dst_stride; 3-D as __memcpy's 3-D form "
    "without dir. Unlike __memcpy, dst may overlap src in the 1-D and 3-D forms. In the 2-D "
    "form src_stride >= 0.",
    source="bang.md §3.5 [M §3.1.1, §3.3.1, §3.7.1]",
    overlap="allowed (1-D and 3-D)", pipeline="compute")

# ----------------------------------------------------------------------------------------
# Memset family (bang.md §3.6)
# ----------------------------------------------------------------------------------------

_V_TYPES = ("char", "short", "int", "half", "bfloat16_t", "float")
_SEM_FILL_V = "V *d = (V *)dst;\n" + _LOOP + "d[i] = value;"
_SEM_FILL_V_2D = (
    "for (unsigned int seg = 0; seg <= segnum; ++seg) {\n"
    "  V *d = (V *)((char *)dst + (long long)seg * (long long)stride);\n"
    "  " + _LOOP + "d[i] = value;\n"
    "}")
_SEM_FILL_V_3D = (
    "for (unsigned int j = 0; j <= segnum2; ++j) {\n"
    "  for (unsigned int k = 0; k <= segnum1; ++k) {\n"
    "    V *d = (V *)((char *)dst + (long long)k * (long long)stride0"
    " + (long long)j * (long long)stride1);\n"
    "    " + _LOOP + "d[i] = value;\n"
    "  }\n"
    "}")

_WRITE_ZERO = Intrinsic(
    "__bang_write_zero",
    (Overload((_dst(), _count()), semantics=_LOOP + "dst[i] = xp_cast<T>(0);",
              instances=each(T=("bfloat16_t", "char", "signed char", "unsigned char", "short",
                                "unsigned short", "int", "unsigned int", "half", "float")),
              note="The reference lists signed/unsigned char; plain char is added here because "
                   "C++ treats it as a third type (inferred here)."),),
    "memset",
    "Sets dst[i] = 0 for 0 <= i < elem_count (elem_count in elements of T). NRAM only; Compute "
    "pipeline.",
    source="bang.md §3.6 [M §3.2; H]", alignment=_COMMON_ALIGN_2XX, pipeline="compute")

_VDST_N = Param("dst", "void *", space="nram", role="out", doc="NRAM destination")
_VAL = _scalar("value", "V", doc="fill value; its C++ type selects the element type")

_WRITE_VALUE_DOC = (
    "Fills ((V *)dst)[i] = value for 0 <= i < elem_count. The element type is the type of VALUE, "
    "not of dst: __bang_write_value(float_buf, n, 1) writes n ints (bit pattern 0x00000001, a "
    "denormal float); a double argument (1.0) is ambiguous. Only 0 is safe across types; write "
    "(T)1.0 or 1.0f. NRAM only.")

_WRITE_VALUE = Intrinsic(
    "__bang_write_value",
    (Overload((_VDST_N, _count(), _VAL), instances=each(V=_V_TYPES), semantics=_SEM_FILL_V),),
    "memset", _WRITE_VALUE_DOC + " Compute pipeline.",
    source="bang.md §3.6 [M §3.2; H]", alignment=_COMMON_ALIGN_2XX, pipeline="compute")

_MEMSET_NRAM = Intrinsic(
    "__memset_nram",
    (Overload((_VDST_N, _count(), _VAL), instances=each(V=_V_TYPES), semantics=_SEM_FILL_V),),
    "memset", _WRITE_VALUE_DOC + " Same as __bang_write_value but runs in the Move pipeline.",
    source="bang.md §3.6 [M §3.2; H]", pipeline="move")

_NRAMSET_TYPES = {"float": "float", "half": "half", "int": "int", "short": "short",
                  "unsigned_int": "unsigned int", "unsigned_short": "unsigned short"}
_NRAMSET_PARAMS = (_dst(), _count(ctype="int"), _scalar("value"))
_NRAMSET_DOC = ("Deprecated since v4.0: fills dst[i] = value for 0 <= i < elem_count in NRAM. Use "
                "__memset_nram or __bang_write_value.")
_NRAMSET_NOTE = ("Types inferred from the suffixed names _float/_half/_int/_short/_unsigned_int/"
                 "_unsigned_short listed in bang.md §6.")

_NRAMSET = [Intrinsic(
    "__nramset",
    (Overload(_NRAMSET_PARAMS, instances=each(T=tuple(_NRAMSET_TYPES.values())),
              semantics=_LOOP_INT + "dst[i] = value;", note=_NRAMSET_NOTE),),
    "memset", _NRAMSET_DOC, source="bang.md §3.6, §6 [M §2.2, §4]",
    deprecated="__memset_nram / __bang_write_value")]
for _suffix, _t in _NRAMSET_TYPES.items():
    _NRAMSET.append(Intrinsic(
        "__nramset_" + _suffix,
        (Overload(_NRAMSET_PARAMS, instances=each(T=(_t,)),
                  semantics=_LOOP_INT + "dst[i] = value;"),),
        "memset", _NRAMSET_DOC + f" Element type {_t}.", source="bang.md §3.6, §6 [M §2.2, §4]",
        deprecated="__memset_nram / __bang_write_value", alias_of="__nramset"))
del _suffix, _t


def _spaceset(name: str, space: str, async_: bool) -> Intrinsic:
    d = Param("dst", "void *", space=space, role="out", doc=f"{space.upper()} destination")
    n = _count(doc="values per segment, > 0")
    two = (_cfg("stride", unit="bytes", doc="byte distance between segments"),
           _cfg("segnum", unit="segments-1", doc="number of segments minus one"))
    three = (_cfg("stride0", "int", unit="bytes", doc="inner byte stride"),
             _cfg("segnum1", unit="segments-1", doc="inner segments minus one"),
             _cfg("stride1", "int", unit="bytes", doc="outer byte stride"),
             _cfg("segnum2", unit="segments-1", doc="outer segments minus one"))
    inst = each(V=_V_TYPES)
    note = ("The reference gives (void*, n, V), '2-D (..., stride, segnum)' and '3-D' without "
            "types: V as for __bang_write_value, unsigned segnums, unsigned 2-D stride and int "
            "3-D strides are inferred here, by analogy with __memcpy.")
    return Intrinsic(
        name,
        (Overload((d, n, _VAL), instances=inst, semantics=_SEM_FILL_V, note=note),
         Overload((d, n, _VAL) + two, instances=inst, semantics=_SEM_FILL_V_2D, note=note),
         Overload((d, n, _VAL) + three, instances=inst, semantics=_SEM_FILL_V_3D, note=note)),
        "memset",
        f"Fills {space.upper()} with value (element type = the type of value, as for "
        "__bang_write_value). 1-D: ((V *)dst)[i] = value for i < elem_count. 2-D: the same at "
        "dst + s*stride for s in [0, segnum]. 3-D: at dst + k*stride0 + j*stride1, k in "
        "[0, segnum1] (inner) then j in [0, segnum2]. Strides in bytes."
        + (" Asynchronous: sync the pipeline before reading the data; the emulator performs it "
           "eagerly." if async_ else ""),
        source="bang.md §3.6 [M §3.2; H]",
        pipeline="move" if space == "sram" else "io")


_SPACESETS = [_spaceset(f"__{sp}set{'_async' if a else ''}", sp, a)
              for sp in ("gdram", "ldram", "sram") for a in (False, True)]

# ----------------------------------------------------------------------------------------
# Element-wise binary and vector-scalar (bang.md §4.1, §4.2, §4.5)
# ----------------------------------------------------------------------------------------

_P_SRC0 = _src("src0")
_P_SRC1 = _src("src1")
_BIN_PARAMS = (_dst(), _P_SRC0, _P_SRC1, _count())


def _bin_f(expr: str) -> str:
    return ("{ const float a = (float)src0[i], b = (float)src1[i]; dst[i] = xp_cast<T>("
            + expr + "); }")


def _bin_i(op: str) -> str:
    return f"dst[i] = xp_cast<T>((long long)src0[i] {op} (long long)src1[i]);"


_ELEMWISE_COMMON = (" Operands in NRAM, elem_count > 0 in elements; dst may overlap the sources "
                    "(in place is fine). Compute pipeline.")


def _add_sub_mul(name: str, op: str, word: str, msec: str, int_types: tuple[str, ...]) -> Intrinsic:
    return Intrinsic(
        name,
        (Overload(_BIN_PARAMS, instances=_T_HF, semantics=_LOOP + _bin_f(f"a {op} b")),
         Overload(_BIN_PARAMS, instances=each(T=int_types), arch=_A_3XX_INT,
                  semantics=_LOOP + _bin_i(op),
                  note="Integer overflow undocumented; wrap-around (inferred)."),
         Overload(_BIN_PARAMS, instances=_T_BF, arch=_A_5XX,
                  semantics=_LOOP + _bin_f(f"a {op} b"))),
        "elementwise",
        f"Element-wise {word}: dst[i] = src0[i] {op} src1[i] for 0 <= i < elem_count. half and "
        f"float on all arches; {', '.join(int_types)} on 3xx+ (not tp_520); bfloat16_t on 5xx."
        + _ELEMWISE_COMMON,
        source=f"bang.md §4.1 [M {msec}]", alignment=_COMMON_ALIGN_2XX, overlap="allowed",
        pipeline="compute")


_ADD = _add_sub_mul("__bang_add", "+", "sum", "§3.28.2", ("int", "short", "char"))
_SUB = _add_sub_mul("__bang_sub", "-", "difference", "§3.28.46",
                    ("int", "short", "char", "unsigned char"))
_MUL = _add_sub_mul("__bang_mul", "*", "product", "§3.28.25", ("int", "short", "char"))

_DIV_INT = ("short", "int", "unsigned short", "unsigned int")
_DIV_SCALAR_PARAMS = (_dst(), _P_SRC0, _scalar("src1", doc="scalar divisor, non-zero"), _count())
_DIV = Intrinsic(
    "__bang_div",
    (Overload(_BIN_PARAMS, instances=_T_HF, arch=_A_DIV, semantics=_LOOP + _bin_f("a / b")),
     Overload(_BIN_PARAMS, instances=each(T=_DIV_INT), arch=_A_DIV,
              semantics=_LOOP + _bin_i("/"), note="Integer rounding unspecified; truncation "
              "toward zero (inferred)."),
     Overload(_BIN_PARAMS, instances=_T_BF, arch=_A_DIV + ", bf16 5xx",
              semantics=_LOOP + _bin_f("a / b")),
     Overload(_DIV_SCALAR_PARAMS, instances=_T_HF, arch=_A_DIV,
              semantics=_LOOP + "dst[i] = xp_cast<T>((float)src0[i] / (float)src1);",
              note="Scalar form: the divisor converts implicitly (int literal, double "
                   "expression, NRAM element)."),
     Overload(_DIV_SCALAR_PARAMS, instances=each(T=_DIV_INT), arch=_A_DIV,
              semantics=_LOOP + "dst[i] = xp_cast<T>((long long)src0[i] / (long long)src1);",
              note="Integer rounding unspecified; truncation toward zero (inferred)."),
     Overload(_DIV_SCALAR_PARAMS, instances=_T_BF, arch=_A_DIV + ", bf16 5xx",
              semantics=_LOOP + "dst[i] = xp_cast<T>((float)src0[i] / (float)src1);"),
     Overload((_dst(), _P_SRC0, _P_SRC1,
               Param("src_addition", "T *", space="nram", role="inout",
                     doc="elem_count-element NRAM scratch buffer"), _count()),
              instances=_T_HF, semantics=_LOOP + _bin_f("a / b"),
              note="DEPRECATED since v4.0 (use the 4-argument __bang_div, or __bang_recip + "
                   "__bang_mul on 372): src_addition is scratch; the four buffers must not "
                   "overlap; elem_count*sizeof(T) a multiple of 128 [M §4.17].")),
    "elementwise",
    "Surpass division: dst[i] = src0[i] / src1[i] (vector form) or src0[i] / src1 (scalar form, "
    "selected when the third argument is not a pointer) for 0 <= i < elem_count. T in "
    "{bfloat16_t (5xx), half, float, short, int, ushort, uint}. Division by 0 is forbidden. "
    "Requires __BANG_ARCH__ >= 322 and does NOT exist on MLU370 (372): use __bang_recip + "
    "__bang_mul there. The deprecated 5-argument form (dst, src0, src1, src_addition, n), "
    "half/float only, takes a scratch buffer and exists on all arches." + _ELEMWISE_COMMON,
    source="bang.md §4.1 [M §3.29.2, §4.17]",
    overlap="allowed (4-argument forms); none among the four buffers of the deprecated form",
    pipeline="compute")


def _maxmin(name: str, expr: str, doc: str, extra: tuple[Overload, ...] = (),
            src_note: str = "") -> Intrinsic:
    return Intrinsic(
        name,
        (Overload(_BIN_PARAMS, instances=_T_HF, semantics=_LOOP + _bin_f(expr),
                  note="Element types are not listed in the reference; half/float inferred here."),)
        + extra,
        "elementwise", doc + _ELEMWISE_COMMON,
        source="bang.md §4.5, §6 [M §3.24]" + src_note, alignment=_COMMON_ALIGN_2XX,
        overlap="allowed", pipeline="compute")


_MAXIMUM_OLD = Overload(
    (_dst("half *"), _src("src", "const half *"),
     _cfg("distance", "int", unit="elements", doc="offset of the second operand"),
     _count("size")),
    semantics=("for (unsigned int i = 0; i < size; ++i) dst[i] = xp_cast<half>(fmaxf("
               "(float)src[i], (float)src[(long long)i + distance]));"),
    note="DEPRECATED v4.0 one-source form: dst[i] = max(src[i], src[i + distance]); replaced by "
         "__bang_maxequal(dst, src, src + distance, size). Different from the two-source form.")

_MAXIMUM = _maxmin(
    "__bang_maximum", "fmaxf(a, b)",
    "Element-wise maximum: dst[i] = max(src0[i], src1[i]). NaN is returned when both inputs are "
    "NaN; otherwise the non-NaN input (inferred; fmaxf). The deprecated one-source form "
    "__bang_maximum(half *dst, const half *src, int distance, unsigned size) computes max(src[i], "
    "src[i+distance]) instead.", (_MAXIMUM_OLD,))
_MINIMUM = _maxmin(
    "__bang_minimum", "fminf(a, b)",
    "Element-wise minimum: dst[i] = min(src0[i], src1[i]). NaN is returned when both inputs are "
    "NaN; otherwise the non-NaN input (inferred; fminf).")
_MAXEQUAL = _maxmin(
    "__bang_maxequal", "fmaxf(a, b)",
    "Element-wise maximum of two vectors: dst[i] = max(src0[i], src1[i]); the replacement of the "
    "old one-source __bang_maximum. The argument list (dst, src0, src1, elem_count) is inferred "
    "from bang.md §4.5/§6; a NaN input yields the other operand (inferred from [K] usage that "
    "clamps NaN scores with it).")
_MINEQUAL = _maxmin(
    "__bang_minequal", "fminf(a, b)",
    "Element-wise minimum of two vectors: dst[i] = min(src0[i], src1[i]). Argument list inferred "
    "as for __bang_maxequal; a NaN input yields the other operand (inferred).")
_NAN_MAXIMUM = _maxmin(
    "__bang_nan_maximum", "isnan(a) ? a : (isnan(b) ? b : (a >= b ? a : b))",
    "Element-wise maximum that propagates NaN: dst[i] = NaN if either src0[i] or src1[i] is "
    "NaN, else max(src0[i], src1[i]). Argument list and NaN rule inferred from the name and "
    "__bang_maximum.")
_NAN_MINIMUM = _maxmin(
    "__bang_nan_minimum", "isnan(a) ? a : (isnan(b) ? b : (a <= b ? a : b))",
    "Element-wise minimum that propagates NaN: dst[i] = NaN if either input is NaN, else "
    "min(src0[i], src1[i]). Argument list and NaN rule inferred.")

_SCALAR_PARAMS = (_dst(), _src(), _scalar("value", doc="scalar; any arithmetic type converts"),
                  _count())


def _scalar_op(name: str, op: str, word: str, msec: str) -> Intrinsic:
    f = _LOOP + f"dst[i] = xp_cast<T>((float)src[i] {op} (float)value);"
    i = _LOOP + f"dst[i] = xp_cast<T>((long long)src[i] {op} (long long)value);"
    return Intrinsic(
        name,
        (Overload(_SCALAR_PARAMS, instances=_T_HF, semantics=f),
         Overload(_SCALAR_PARAMS, instances=each(T=("char", "short", "int")), arch=_A_3XX,
                  semantics=i, note="Integer forms 3xx+ (bang.md §4.2 lists char, short, "
                                    "int (3xx+)); wrap-around inferred."),
         Overload(_SCALAR_PARAMS, instances=_T_BF, arch=_A_5XX, semantics=f)),
        "scalar",
        f"Vector-scalar {word}: dst[i] = src[i] {op} value for 0 <= i < elem_count. The scalar "
        "converts implicitly to T (int literal, double expression, NRAM element), since the "
        "header declares one non-template overload per element type." + _ELEMWISE_COMMON,
        source=f"bang.md §4.2, §1.6 [M {msec}]", alignment=_COMMON_ALIGN_2XX,
        overlap="allowed", pipeline="compute")


_ADD_SCALAR = _scalar_op("__bang_add_scalar", "+", "sum", "§3.28.3")
_SUB_SCALAR = _scalar_op("__bang_sub_scalar", "-", "difference", "§3.28.47")
_MUL_SCALAR = _scalar_op("__bang_mul_scalar", "*", "product", "§3.28.26")

_CONST_PARAMS = (_dst(), _src("src", "T *"), _scalar("const_value"), _count(ctype="int"))


def _const_alias(name: str, target: str, op: str, msec: str) -> Intrinsic:
    return Intrinsic(
        name,
        (Overload(_CONST_PARAMS, instances=_T_HF,
                  semantics=_LOOP_INT + "dst[i] = xp_cast<T>((float)src[i] " + op
                  + " (float)const_value);",
                  note="Declaration spelled as in the cncc header [H] (bang.md §1.6): non-const "
                       "src, int elem_count."),),
        "scalar",
        f"Deprecated (v4.0) alias of {target}, same argument order and meaning: dst[i] = src[i] "
        f"{op} const_value for 0 <= i < elem_count; half and float only." + _ELEMWISE_COMMON,
        source=f"bang.md §4.2, §6 [M {msec}]", alignment=_COMMON_ALIGN_2XX, overlap="allowed",
        pipeline="compute", deprecated=target, alias_of=target)


_ADD_CONST = _const_alias("__bang_add_const", "__bang_add_scalar", "+", "§4.1")
_SUB_CONST = _const_alias("__bang_sub_const", "__bang_sub_scalar", "-", "§4.43")
_MUL_CONST = _const_alias("__bang_mul_const", "__bang_mul_scalar", "*", "§4.49")


def _maxmin_scalar(name: str, fn: str, word: str) -> Intrinsic:
    return Intrinsic(
        name,
        (Overload(_SCALAR_PARAMS, instances=_T_HF,
                  semantics=_LOOP + f"dst[i] = xp_cast<T>({fn}((float)src[i], (float)value));",
                  note="Signature and types inferred by analogy with __bang_add_scalar and "
                       f"__bang_{word}imum (the reference only names 'scalar forms')."),),
        "scalar",
        f"Vector-scalar {word}imum: dst[i] = {word}(src[i], value) for 0 <= i < elem_count, with "
        f"the NaN rule of __bang_{word}imum (inferred)." + _ELEMWISE_COMMON,
        source="bang.md §4.5 [M §3.24]", alignment=_COMMON_ALIGN_2XX, overlap="allowed",
        pipeline="compute")


_MAXIMUM_SCALAR = _maxmin_scalar("__bang_maximum_scalar", "fmaxf", "max")
_MINIMUM_SCALAR = _maxmin_scalar("__bang_minimum_scalar", "fminf", "min")

# ----------------------------------------------------------------------------------------
# Unary surpass math (bang.md §4.3) and active functions (bang.md §4.4)
# ----------------------------------------------------------------------------------------

_UNARY_PARAMS = (_dst(), _src(), _count())


def _unary_sem(expr: str) -> str:
    return _LOOP + "{ const float x = (float)src[i]; dst[i] = xp_cast<T>(" + expr + "); }"


_SURPASS = {
    "recip": ("1.0f / x", "dst[i] = 1/src[i]", "documented"),
    "sqrt": ("sqrtf(x)", "dst[i] = sqrt(src[i])", "documented"),
    "sin": ("sinf(x)", "dst[i] = sin(src[i]), radians", "documented"),
    "cos": ("cosf(x)", "dst[i] = cos(src[i]), radians", "family"),
    "log": ("logf(x)", "dst[i] = ln(src[i]) (natural log, inferred)", "family"),
    "pow2": ("exp2f(x)", "dst[i] = 2^src[i]", "family"),
    "rsqrt": ("1.0f / sqrtf(x)", "dst[i] = 1/sqrt(src[i])", "family"),
}


def _surpass(fn: str) -> Intrinsic:
    expr, formula, how = _SURPASS[fn]
    note = "" if how == "documented" else (
        "The reference names it as a member of the surpass family whose functions all take "
        "(T *dst, const T *src, unsigned n); signature inferred from that.")
    return Intrinsic(
        "__bang_" + fn,
        (Overload(_UNARY_PARAMS, instances=each(T=("float",)), semantics=_unary_sem(expr),
                  arch=_A_3XX, note=note),
         Overload(_UNARY_PARAMS, instances=_T_BF, semantics=_unary_sem(expr), arch=_A_5XX,
                  note=note)),
        "elementwise",
        f"Surpass (high-accuracy) function: {formula} for 0 <= i < elem_count. T in {{float, "
        "bfloat16_t (5xx)}}; there is NO half overload in v4.5.1. Requires __BANG_ARCH__ >= 322. "
        "Inf/NaN per M Table 5.3 (on 592 a NaN input may give a saturated value); emulated with "
        "libm." + _ELEMWISE_COMMON,
        source="bang.md §4.3 [M §3.29]", overlap="allowed", pipeline="compute")


_GELU = "0.5f * x * (1.0f + erff(x * 0.70710678118654752f))"
_ACTIVE = {
    # name: (exact expression, doc)
    "exp": ("expf(x)", "dst[i] = e^src[i]. Hardware: x < -7.75 gives 5.96e-8; float input range "
            "[-3.4e38, 11]; mean relative error <= 0.01 (float), half per Table 3.34."),
    "relu": ("x > 0.0f ? x : 0.0f", "dst[i] = max(src[i], 0); exact."),
    "gelu": (_GELU, "dst[i] = GELU(x) = x*Phi(x), emulated with the erf form (inferred; M does "
             "not say erf or tanh). Hardware: x < -3.875 gives -5.96e-8; mean relative error "
             "<= 0.003."),
    "gelup": (_GELU, "Higher-precision GELU variant, same formula as __bang_active_gelu (erf "
              "form, inferred). Hardware: x < -3.875 gives -5.96e-8; mean relative error <= "
              "0.003 (float), half per Table 3.37. Not an exact GELU."),
    "sigmoid": ("1.0f / (1.0f + expf(-x))", "dst[i] = 1/(1+e^-x). Hardware: 0 for x < -7.75, 1 "
                "for x > 7.75; mean relative error <= 0.01."),
    "sign": ("x >= 0.0f ? 1.0f : -1.0f", "dst[i] = src[i] >= 0 ? 1 : -1; +0 and -0 give +1 "
             "(unlike torch.sign). NaN behaviour undocumented (the emulation gives -1)."),
    "recip": ("1.0f / x", "dst[i] = 1/src[i]; the input MUST lie in [0.0078125, 65472] "
              "(positive only); mean relative error <= 0.003 (float) / 0.01 (half). Prefer "
              "__bang_recip (3xx+) or __bang_div when the divisor may leave that range."),
    "sin": ("sinf(x)", "dst[i] = sin(src[i]); input range [-2pi, 2pi]; mean relative error <= "
            "0.01."),
    "cos": ("cosf(x)", "dst[i] = cos(src[i]); input range [-2pi, 2pi]; mean relative error <= "
            "0.01."),
    "exphp": ("expf(x)", "Higher-precision e^src[i]."),
    "loghp": ("logf(x)", "Higher-precision natural log of src[i] (natural base inferred)."),
    "reciphp": ("1.0f / x", "Higher-precision 1/src[i]."),
    "rsqrthp": ("1.0f / sqrtf(x)", "Higher-precision 1/sqrt(src[i])."),
    "sqrthp": ("sqrtf(x)", "Higher-precision sqrt(src[i])."),
    "exp_less_0": ("expf(x)", "e^src[i], for inputs below 0 (domain inferred from the name)."),
    "recip_greater_1": ("1.0f / x", "1/src[i], for inputs above 1 (domain inferred from the "
                        "name)."),
    "abs": ("fabsf(x)", "dst[i] = |src[i]|."),
    "log": ("logf(x)", "dst[i] = ln(src[i]) (natural base inferred)."),
    "pow2": ("exp2f(x)", "dst[i] = 2^src[i]."),
    "rsqrt": ("1.0f / sqrtf(x)", "dst[i] = 1/sqrt(src[i])."),
    "sqrt": ("sqrtf(x)", "dst[i] = sqrt(src[i])."),
    "tanh": ("tanhf(x)", "dst[i] = tanh(src[i])."),
}
_ACTIVE_DOCUMENTED = {"exp", "relu", "gelu", "gelup", "sigmoid", "sign", "recip", "sin", "cos"}
_ACTIVE_EXACT = {"relu", "sign", "abs"}  # no lookup table involved (relu: "exact" above)
#: the input ranges the docs above give (undefined results outside): tensorize never picks these
#: without a proof of the range
_ACTIVE_DOMAIN = {"exp": "[-3.4e38, 11]", "recip": "[0.0078125, 65472]", "sin": "[-2pi, 2pi]",
                  "cos": "[-2pi, 2pi]", "exp_less_0": "(-inf, 0) (inferred)",
                  "recip_greater_1": "(1, inf) (inferred)"}
_ACTIVE_COMMON = (
    " Table-based approximation (half, float; 0 <= i < elem_count): it uses a hidden lookup "
    "table in NRAM (M Table 5.14, e.g. exp 5120 B for fp32), so kernels must leave that NRAM "
    "free. The emulator computes the exact libm formula ('exact' mode); compare with rtol ~1e-2. "
    "Operands in NRAM; dst may overlap src. Compute pipeline.")


def _active(fn: str) -> Intrinsic:
    expr, doc = _ACTIVE[fn]
    hw = ("" if fn in _ACTIVE_DOCUMENTED else
          " The reference lists it among the variants 'with the same signatures'; accuracy and "
          "clamps not documented.")
    return Intrinsic(
        "__bang_active_" + fn,
        (Overload(_UNARY_PARAMS, instances=_T_HF, semantics=_unary_sem(expr)),),
        "active", doc + hw + _ACTIVE_COMMON,
        source="bang.md §4.4, §5 [M §3.22, App. 5.4]",
        accuracy="exact" if fn in _ACTIVE_EXACT else "approximate", domain=_ACTIVE_DOMAIN.get(fn, ""),
        alignment="2xx: elem_count*sizeof(T) a multiple of 128 B and addresses 64-B aligned.",
        overlap="allowed", pipeline="compute")


_SIGMOID_ALIAS = Intrinsic(
    "__bang_sigmoid",
    (Overload(_UNARY_PARAMS, instances=_T_HF, semantics=_unary_sem(_ACTIVE["sigmoid"][0]),
              note="Not in BANG C v4.5.1; kept for code in the wild. Emit a warning."),),
    "active",
    "WARNING: not part of BANG C v4.5.1 and may not compile under cncc; treated as an alias of "
    "__bang_active_sigmoid (inferred): dst[i] = 1/(1+e^-src[i]) for 0 <= i < elem_count, half "
    "or float. Translators should emit __bang_active_sigmoid instead.",
    source="bang.md §4.4, §6, §7.2", overlap="allowed", pipeline="compute",
    alias_of="__bang_active_sigmoid")


def _taylor(fn: str, expr: str) -> Intrinsic:
    return Intrinsic(
        f"__bang_taylor4_{fn}",
        (Overload((_dst(), _src(),
                   Param("temp1", "T *", space="nram", role="inout", doc="NRAM scratch"),
                   Param("temp2", "T *", space="nram", role="inout", doc="NRAM scratch"),
                   _count()),
                  instances=_T_HF, semantics=_unary_sem(expr),
                  note="bang.md §4.4 says the taylor family has the active-function signature, "
                       "but mlu-ops code [K nms_rotated] calls __bang_taylor4_sin/cos(dst, src, "
                       "temp1, temp2, n); that 5-argument form is used here (inferred)."),),
        "active",
        f"4th-order Taylor approximation of {fn}: dst[i] ~= {fn}(src[i]) for 0 <= i < "
        "elem_count, using two NRAM scratch buffers of elem_count elements (half or float). "
        "Used on 2xx where __bang_" + fn + " does not exist. Emulated with libm.",
        source="bang.md §4.4 [K]", pipeline="compute")


# ----------------------------------------------------------------------------------------
# Reductions (bang.md §4.5)
# ----------------------------------------------------------------------------------------

_SEM_REDUCE_SUM = (
    "const unsigned int E = 128u / (unsigned int)sizeof(T);\n"
    "for (unsigned int k = 0; k < elem_count / E; ++k) {\n"
    "  float acc = 0.0f;\n"
    "  for (unsigned int j = 0; j < E; ++j) acc += (float)src[k * E + j];\n"
    "  dst[k * E] = xp_cast<T>(acc);\n"
    "}")

_REDUCE_SUM = Intrinsic(
    "__bang_reduce_sum",
    (Overload(_UNARY_PARAMS, instances=_T_HF, semantics=_SEM_REDUCE_SUM),
     Overload(_UNARY_PARAMS, instances=_T_BF, arch=_A_5XX, semantics=_SEM_REDUCE_SUM)),
    "reduction",
    "Sums each 128-BYTE chunk: with E = 128/sizeof(T) (32 floats, 64 halves), for each chunk "
    "k < elem_count/E: dst[k*E] = sum_{j<E} src[k*E + j]. It does NOT sum the whole vector "
    "(repeat it, or use __bang_sumpool / __bang_sum). The other E-1 elements of each destination "
    "chunk are left unchanged on 3xx+ (what the emulation does) and zeroed on 2xx. "
    "elem_count*sizeof(T) must be a multiple of 128 and dst at least 128 B. Summation order "
    "unspecified; float accumulation.",
    source="bang.md §4.5 [M §3.28.36]",
    alignment="elem_count*sizeof(T) a multiple of 128 B; dst >= 128 B.",
    overlap="allowed", pipeline="compute")

_SUM = Intrinsic(
    "__bang_sum",
    (Overload((_src(), _count()), ret="T", instances=each(T=("half", "bfloat16_t", "float")),
              semantics=("float acc = 0.0f;\n" + _LOOP + "acc += (float)src[i];\n"
                         "return xp_cast<T>(acc);")),),
    "reduction",
    "Returns the scalar sum_{i<elem_count} src[i] (src in NRAM). Added in v4.0. Summation order "
    "unspecified; float accumulation.",
    source="bang.md §4.5 [M §3.28.50]", pipeline="compute", reduces="sum")


def _sem_arg(cmp: str, nan_mode: str) -> str:
    """argmax/argmin: value at dst[0], uint32 index (little-endian) at byte offset sizeof(T)."""
    if nan_mode == "ignore":
        scan = ("  if (!isnan(v) && (!found || v " + cmp + " bv)) "
                "{ bv = v; best = i; found = 1; }\n")
    else:  # propagate: the first NaN wins
        scan = ("  if (!nan_seen && isnan(v)) { nan_seen = 1; best = i; }\n"
                "  else if (!nan_seen && (!found || v " + cmp + " bv)) { bv = v; best = i; "
                "found = 1; }\n")
    return (
        "unsigned int best = 0;\n"
        "int found = 0;\n" + ("int nan_seen = 0;\n" if nan_mode != "ignore" else "") +
        "float bv = 0.0f;\n"
        "for (unsigned int i = 0; i < elem_count; ++i) {\n"
        "  const float v = (float)src[i];\n" + scan +
        "}\n"
        "const T value = src[best];\n"
        "dst[0] = value;\n"
        "for (unsigned int b = 0; b < 4u; ++b)\n"
        "  ((char *)dst)[sizeof(T) + b] = (char)((best >> (8u * b)) & 0xFFu);")


_ARG_LAYOUT = (" Output layout: dst[0] = the value; the index of its FIRST occurrence is stored as "
               "a little-endian uint32 at byte offset sizeof(T) (read ((uint32_t *)dst)[1] for "
               "float; for half the byte placement is inferred from mlu-ops reading "
               "((uint16_t *)dst)[1]).")


def _arg(name: str, cmp: str, word: str, nan_mode: str, deprecated: str | None = None) -> Intrinsic:
    sem = _sem_arg(cmp, nan_mode)
    if deprecated:
        ovs = (Overload(_UNARY_PARAMS, instances=_T_HF, semantics=sem),)
        doc = (f"Deprecated in v4.1 (use {deprecated}, same output layout): {word} of "
               "src[0..elem_count) and its index, half or float." + _ARG_LAYOUT +
               " No overlap; on 2xx dst must be at least 128 B. NaN handling as for "
               f"{deprecated} (inferred).")
        overlap = "not allowed"
    else:
        ovs = (Overload(_UNARY_PARAMS, instances=_T_HF, semantics=sem),
               Overload(_UNARY_PARAMS, instances=_T_BF, semantics=sem, arch=_A_5XX,
                        note="bfloat16_t arithmetic needs 5xx (bang.md §5, inferred for this "
                             "function)."))
        nan_doc = ("ignoring NaN (an all-NaN input yields src[0] and index 0 in the emulation, "
                   "inferred)" if nan_mode == "ignore" else
                   "propagating NaN: if any element is NaN the result is that NaN and the index "
                   "of the first NaN (inferred)")
        doc = (f"Finds the {word} of src[0..elem_count), {nan_doc}." + _ARG_LAYOUT +
               " T in {half, float, bfloat16_t}. dst may overlap src.")
        overlap = "allowed"
    # NaN-ignoring max/min (fmaxf's rule): the reductions tensorize uses for fmaxf/fminf
    reduces = {">": "max", "<": "min"}[cmp] if nan_mode == "ignore" and not deprecated else ""
    return Intrinsic(name, ovs, "reduction", doc,
                     source="bang.md §4.5, §6 [M §3.24.1-2, §4.39, §4.42; K nms_utils.h]",
                     overlap=overlap, pipeline="compute", deprecated=deprecated,
                     alias_of=deprecated, reduces=reduces)


_ARGMAX = _arg("__bang_argmax", ">", "maximum", "ignore")
_ARGMIN = _arg("__bang_argmin", "<", "minimum", "ignore")
_NAN_ARGMAX = _arg("__bang_nan_argmax", ">", "maximum", "propagate")
_NAN_ARGMIN = _arg("__bang_nan_argmin", "<", "minimum", "propagate")
_MAX = _arg("__bang_max", ">", "maximum", "ignore", deprecated="__bang_argmax")
_MIN = _arg("__bang_min", "<", "minimum", "ignore", deprecated="__bang_argmin")

# ----------------------------------------------------------------------------------------
# Layout (bang.md §4.6)
# ----------------------------------------------------------------------------------------

_TRANSPOSE = Intrinsic(
    "__bang_transpose",
    (Overload((_dst(), _src(), _cfg("height", doc="rows of src"),
               _cfg("width", doc="columns of src")),
              instances=each(T=("bfloat16_t", "half", "short", "unsigned short", "int8_t", "char",
                                "unsigned char", "float", "int", "unsigned int")),
              semantics=("for (unsigned int h = 0; h < height; ++h)\n"
                         "  for (unsigned int w = 0; w < width; ++w)\n"
                         "    dst[w * height + h] = src[h * width + w];")),),
    "layout",
    "Matrix transpose in NRAM: src is height x width row-major, dst is width x height: "
    "dst[w*height + h] = src[h*width + w]. E.g. __bang_transpose(mt, m, 16, 48) turns a 16x48 "
    "matrix into 48x16.",
    source="bang.md §4.6 [M §3.27.16]",
    alignment="2xx: height*sizeof(T) and width*sizeof(T) multiples of 64 B.",
    overlap="not allowed", pipeline="compute")

_RESHAPE_FILTER = Intrinsic(
    "__bang_reshape_filter",
    (Overload((_dst(), _src(), _cfg("n", doc="output channels Co, divisible by 64"),
               _cfg("h", doc="kernel height"), _cfg("w", doc="kernel width"),
               _cfg("c", doc="input channels Ci")),
              instances=each(T=("int8_t", "int16_t", "half", "float", "bfloat16_t")),
              semantics=("const unsigned long long total = (unsigned long long)n * h * w * c;\n"
                         "for (unsigned long long i = 0; i < total; ++i) dst[i] = src[i];"),
              note="Element types are not listed in the reference; the conv/mlp/matmul filter "
                   "types are inferred here. Semantics: the logical-WRAM model's plain copy "
                   "(warn 'physical reshape ignored')."),),
    "layout",
    "Reorders an NHWC filter (n = Co, divisible by 64; h, w; c = Ci) in NRAM into the WRAM-ready "
    "physical order for __bang_conv/__bang_mlp/__bang_matmul, before a plain copy to WRAM. On "
    "hardware row co = j*64 + s moves to position s*(n/64) + j (inferred from [T]). In the "
    "emulator's logical-WRAM model (tensor ops read the filter in logical [Co][Kh][Kw][Ci] "
    "order) it is a plain copy of n*h*w*c elements.",
    source="bang.md §4.6, §2.4 [M §3.12.24; T; K]", overlap="not allowed", pipeline="compute")

# ----------------------------------------------------------------------------------------
# Pooling (bang.md §4.7)
# ----------------------------------------------------------------------------------------

_POOL_BASE = (_dst(), _src(), _cfg("channel", doc="C (innermost, HWC layout)"),
              _cfg("height", doc="input H"), _cfg("width", doc="input W"),
              _cfg("kernel_height", doc="window height"), _cfg("kernel_width", doc="window width"))
_POOL_STRIDE = (_cfg("stride_width", doc="horizontal stride (comes BEFORE stride_height)"),
                _cfg("stride_height", doc="vertical stride"))
_POOL_DIL = (_cfg("in_dh", doc="vertical spacing between window taps (inferred)"),
             _cfg("in_dw", doc="horizontal spacing between window taps (inferred)"),
             _cfg("out_dh", doc="output dilation; unexplained in M, must be 1"),
             _cfg("out_dw", doc="output dilation; unexplained in M, must be 1"))


def _sem_pool(kind: str, form: int) -> str:
    sh, sw = ("kernel_height", "kernel_width") if form == 7 else ("stride_height", "stride_width")
    dh, dw = ("in_dh", "in_dw") if form == 13 else ("1u", "1u")
    tap = ("(float)src[((oh * sh + i * dh) * width + (ow * sw + j * dw)) * channel + c]")
    if kind in ("sum", "avg"):
        init, upd = "0.0f", "acc += v;"
    else:
        init = "(float)src[((oh * sh) * width + (ow * sw)) * channel + c]"
        upd = f"if (v {'>' if kind == 'max' else '<'} acc) acc = v;"
    res = "acc / (float)(kernel_height * kernel_width)" if kind == "avg" else "acc"
    return (
        f"const unsigned int sh = {sh}, sw = {sw}, dh = {dh}, dw = {dw};\n"
        "const unsigned int Ho = (height - ((kernel_height - 1) * dh + 1)) / sh + 1;\n"
        "const unsigned int Wo = (width - ((kernel_width - 1) * dw + 1)) / sw + 1;\n"
        "for (unsigned int oh = 0; oh < Ho; ++oh)\n"
        "  for (unsigned int ow = 0; ow < Wo; ++ow)\n"
        "    for (unsigned int c = 0; c < channel; ++c) {\n"
        f"      float acc = {init};\n"
        "      for (unsigned int i = 0; i < kernel_height; ++i)\n"
        "        for (unsigned int j = 0; j < kernel_width; ++j) {\n"
        f"          const float v = {tap};\n"
        f"          {upd}\n"
        "        }\n"
        f"      dst[(oh * Wo + ow) * channel + c] = xp_cast<T>({res});\n"
        "    }")


_POOL_FORMULA = (
    "HWC layout, no padding (partial windows at the edge are dropped): sh, sw = stride_height, "
    "stride_width (7-argument form: sh = kernel_height, sw = kernel_width); Ho = (height - "
    "((kernel_height-1)*in_dh + 1))/sh + 1, Wo likewise (in_dh = in_dw = 1 unless given); "
    "dst[(oh*Wo + ow)*channel + c] = R over i < kernel_height, j < kernel_width of "
    "src[((oh*sh + i*in_dh)*width + (ow*sw + j*in_dw))*channel + c]. NOTE the argument order "
    "(..., kernel_height, kernel_width, stride_width, stride_height): stride_width comes FIRST. "
    "kernel_height*kernel_width <= 65536. Types half, float, bfloat16_t (5xx); the 7-argument "
    "form has no float overload. Accumulation in float.")


def _pool(kind: str, word: str, msec: str, deprecated: str | None = None) -> Intrinsic:
    name = f"__bang_{kind}pool"
    ovs = [
        Overload(_POOL_BASE, instances=each(T=("half",)), semantics=_sem_pool(kind, 7),
                 note="7-argument form: strides equal the window; no float overload "
                      "(bfloat16_t left out, inferred)."),
        Overload(_POOL_BASE + _POOL_STRIDE, instances=_T_HF, semantics=_sem_pool(kind, 9),
                 note=("M marks the float 9-argument __bang_maxpool deprecated (a note evidently "
                       "copied from avgpool); semantics unchanged." if kind == "max" else "")),
        Overload(_POOL_BASE + _POOL_STRIDE, instances=_T_BF, arch=_A_5XX,
                 semantics=_sem_pool(kind, 9)),
    ]
    if kind != "sum":
        ovs.append(Overload(_POOL_BASE + _POOL_STRIDE + _POOL_DIL,
                            instances=each(T=("half", "float", "bfloat16_t")), arch=_A_3XX,
                            semantics=_sem_pool(kind, 13),
                            note="Dilated form (3xx+; bfloat16_t 5xx). in_dh/in_dw as tap "
                                 "spacing is inferred; out_dh and out_dw must be 1."))
    return Intrinsic(
        name, tuple(ovs), "pooling",
        f"{word} pooling over channel x height x width. " + _POOL_FORMULA,
        source=f"bang.md §4.7 [M {msec}]",
        alignment="2xx: addresses 64-B aligned and channel*sizeof(T) a multiple of 128 B.",
        overlap="not allowed (in-place use in the wild should be flagged)", pipeline="compute",
        deprecated=deprecated)


_SUMPOOL = _pool("sum", "Sum (R = sum)", "§3.12.31")
_MAXPOOL = _pool("max", "Max (R = max, the first extreme value wins)", "§3.12.12")
_MINPOOL = _pool("min", "Min (R = min, the first extreme value wins)", "§3.12.12")
_AVGPOOL = _pool("avg", "Average (R = sum / (kernel_height*kernel_width)); DEPRECATED in v4.5.0, "
                 "use __bang_sumpool then __bang_mul_scalar(1/(kh*kw)).", "§3.12.8, §4.2",
                 deprecated="__bang_sumpool + __bang_mul_scalar")

# ----------------------------------------------------------------------------------------
# Tensor unit: conv, mlp, matmul (bang.md §4.8)
# ----------------------------------------------------------------------------------------

_INT_TYPES = ("int8_t", "int16_t")
_INT_DST = ("int16_t", "half", "float")


def _int_instances(a: str, b: str, int4: bool) -> tuple[dict[str, str], ...]:
    srcs = ("int4x2_t",) + _INT_TYPES if int4 else _INT_TYPES
    rows = []
    for d in _INT_DST:
        for x in srcs:
            for y in srcs:
                if ("int4x2_t" in (x, y)) == int4:
                    rows.append({"Tdst": d, a: x, b: y})
    return combos(*rows)


_CONV_HEAD = (_cfg("channel_input", doc="Ci"), _cfg("height", doc="input H"),
              _cfg("width", doc="input W"), _cfg("kernel_height", doc="Kh"),
              _cfg("kernel_width", doc="Kw"),
              _cfg("stride_width", doc="horizontal stride, [1, 1023] (BEFORE stride_height)"),
              _cfg("stride_height", doc="vertical stride, [1, 1023]"),
              _cfg("channel_output", doc="Co"))
_CONV_INDIL = (_cfg("indilation_width", doc="input dilation along W, [1, 1023]"),
               _cfg("indilation_height", doc="input dilation along H, [1, 1023]"))
_CONV_OUTDIL = (_cfg("outdilation_width", doc="output dilation along W; the emulation requires 1"),
                _cfg("outdilation_height", doc="output dilation along H; the emulation requires 1"))
_P_KERNEL = Param("kernel", "const Tk *", space="wram", role="in",
                  doc="filter in WRAM, logical [Co][Kh][Kw][Ci], 32-B aligned")


def _sem_conv(integer: bool, bias: bool, indil: bool, tdst: str) -> str:
    dh, dw = ("indilation_height", "indilation_width") if indil else ("1u", "1u")
    acc_t, acc0, prod = (("long long", "0", "(long long)src[s_i] * (long long)kernel[k_i]")
                         if integer else
                         ("float", "0.0f", "(float)src[s_i] * (float)kernel[k_i]"))
    res = "(float)ldexp((double)acc, fix_position)" if integer else "acc"
    if bias:
        res += " + (float)bias[co]"
    return (
        f"const unsigned int dh = {dh}, dw = {dw};\n"
        "const unsigned int Ho = (height - ((kernel_height - 1) * dh + 1)) / stride_height + 1;\n"
        "const unsigned int Wo = (width - ((kernel_width - 1) * dw + 1)) / stride_width + 1;\n"
        "for (unsigned int ho = 0; ho < Ho; ++ho)\n"
        "  for (unsigned int wo = 0; wo < Wo; ++wo)\n"
        "    for (unsigned int co = 0; co < channel_output; ++co) {\n"
        f"      {acc_t} acc = {acc0};\n"
        "      for (unsigned int i = 0; i < kernel_height; ++i)\n"
        "        for (unsigned int j = 0; j < kernel_width; ++j)\n"
        "          for (unsigned int ci = 0; ci < channel_input; ++ci) {\n"
        "            const unsigned long long s_i = ((unsigned long long)(ho * stride_height"
        " + i * dh) * width + (wo * stride_width + j * dw)) * channel_input + ci;\n"
        "            const unsigned long long k_i = (((unsigned long long)co * kernel_height + i)"
        " * kernel_width + j) * channel_input + ci;\n"
        f"            acc += {prod};\n"
        "          }\n"
        f"      dst[((unsigned long long)ho * Wo + wo) * channel_output + co] = "
        f"xp_cast<{tdst}>({res});\n"
        "    }")


def _conv_overloads() -> tuple[Overload, ...]:
    out = []
    fdst = _dst("float *", doc="NRAM output [Ho][Wo][Co]")
    fsrc = _src("src", "const Tsrc *", doc="NRAM input [H][W][Ci]")
    finst = combos({"Tsrc": "half", "Tk": "half"}, {"Tsrc": "float", "Tk": "float"},
                   {"Tsrc": "bfloat16_t", "Tk": "bfloat16_t"})
    fnote = ("Floating form (mtp_372, mtp_592 only): dst float. The reference says src/kernel in "
             "{float, half, bf16} 'combinations' (M Tables 3.16-3.17) without listing them; the "
             "same-type pairs are declared here (inferred).")
    out.append(Overload((fdst, fsrc, _P_KERNEL) + _CONV_HEAD, instances=finst,
                        arch=_A_TENSOR_FLOAT, semantics=_sem_conv(False, False, False, "float"),
                        note=fnote))
    out.append(Overload((fdst, fsrc, _P_KERNEL) + _CONV_HEAD + _CONV_INDIL + _CONV_OUTDIL,
                        instances=finst, arch=_A_TENSOR_FLOAT,
                        semantics=_sem_conv(False, False, True, "float"),
                        note=fnote + " outdilation_* must be 1 in the emulation."))
    idst = _dst("Tdst *", doc="NRAM output [Ho][Wo][Co]")
    bias = Param("bias", "const Tdst *", space="nram", role="in", doc="Co biases, added after "
                 "scaling")
    for int4 in (False, True):
        inst = _int_instances("Tsrc", "Tk", int4)
        for has_bias in (False, True):
            for tail in ((), _CONV_INDIL, _CONV_INDIL + _CONV_OUTDIL):
                params = ((idst, fsrc, _P_KERNEL) + ((bias,) if has_bias else ()) + _CONV_HEAD
                          + (_FIX,) + tail)
                note = ("Integer form: Tsrc/Tk in {int4x2_t, int8_t, int16_t}, Tdst in {int16_t, "
                        "half, float}; which combinations are valid is not listed, all are "
                        "declared (inferred). Exact integer accumulation, then scale "
                        "2^fix_position (inferred from [T]).")
                if int4:
                    out.append(Overload(params, instances=inst, note=note + (
                        " int4x2_t forms have semantics None: the nibble order of int4x2_t is "
                        "not documented; the runtime must implement or reject them.")))
                else:
                    out.append(Overload(params, instances=inst, note=note,
                                        semantics=_sem_conv(True, has_bias, bool(tail), "Tdst")))
    return tuple(out)


_CONV = Intrinsic(
    "__bang_conv", _conv_overloads(), "tensor",
    "2-D convolution, N = 1, all NHWC, no padding argument (pad in NRAM first): Ho = (height - "
    "((kernel_height-1)*dh + 1))/stride_height + 1, Wo likewise (dh, dw = indilation, default "
    "1); dst[(ho*Wo + wo)*Co + co] = scale * sum_{i<Kh, j<Kw, ci<Ci} src[((ho*sh + i*dh)*width + "
    "(wo*sw + j*dw))*Ci + ci] * kernel[((co*Kh + i)*Kw + j)*Ci + ci] (+ bias[co]), with scale = "
    "2^fix_position for the integer forms (inferred from [T]) and 1 for the floating forms. "
    "Argument order: (dst, src, kernel [, bias], channel_input, height, width, kernel_height, "
    "kernel_width, stride_width, stride_height, channel_output [, fix_position] [, dilations]) "
    "-- stride_width BEFORE stride_height. src, dst, bias in NRAM; kernel in WRAM in logical "
    "[Co][Kh][Kw][Ci] order (place it with __bang_reshape_filter or a logical-order copy). "
    "Floating forms (dst float; src/kernel half, float or bf16) only on mtp_372/mtp_592. Ho, Wo "
    ">= 1 (Ho <= 1024 on tp_322); strides and dilations in [1, 1023]; fix_position in "
    "[-127, 127]. One overload in M lists fix_position before channel_output; treated as a "
    "documentation slip.",
    source="bang.md §4.8, §2.4 [M §3.12.3; T]",
    alignment="kernel 32-B aligned in WRAM; 2xx: Ci*sizeof(src) 64-B aligned and Co a multiple "
              "of 64; the kernel's byte size 64-B aligned (else the tail is random on 372/322, "
              "zero elsewhere).",
    overlap="dst must not overlap src or bias", pipeline="compute")


def _sem_mlp(integer: bool, bias: bool, tdst: str) -> str:
    acc_t, acc0, prod = (("long long", "0", "(long long)src[w] * "
                          "(long long)filter[(unsigned long long)h * width + w]")
                         if integer else
                         ("float", "0.0f",
                          "(float)src[w] * (float)filter[(unsigned long long)h * width + w]"))
    res = "(float)ldexp((double)acc, fix_position)" if integer else "acc"
    if bias:
        res += " + (float)bias[h]"
    ht = "unsigned int" if integer else "int"
    return (
        f"for ({ht} h = 0; h < height; ++h) {{\n"
        f"  {acc_t} acc = {acc0};\n"
        f"  for ({ht} w = 0; w < width; ++w) acc += {prod};\n"
        f"  dst[h] = xp_cast<{tdst}>({res});\n"
        "}")


def _mlp_overloads() -> tuple[Overload, ...]:
    filt = Param("filter", "const Tf *", space="wram", role="in",
                 doc="WRAM filter, logical [height][width] row-major, 32-B aligned")
    fsrc = _src("src", "const Tsrc *", doc="NRAM input vector of width elements")
    h_i, w_i = (_cfg("height", "int", doc="outputs (output channels)"),
                _cfg("width", "int", doc="inputs (input channels)"))
    h_u, w_u = (_cfg("height", doc="outputs (output channels)"),
                _cfg("width", doc="inputs (input channels)"))
    bias = Param("bias", "const Tdst *", space="nram", role="in",
                 doc="height biases; NOTE: comes BEFORE filter")
    inst_f32 = combos({"Tsrc": "float", "Tf": "float"})
    inst_f16 = combos({"Tsrc": "half", "Tf": "half"}, {"Tsrc": "bfloat16_t", "Tf": "bfloat16_t"})
    inst_i = _int_instances("Tsrc", "Tf", False)
    note_i = ("Integer types are not listed for mlp; Tsrc/Tf in {int8_t, int16_t} and Tdst in "
              "{int16_t, half, float} are inferred by analogy with __bang_conv (int4 left out). "
              "Exact integer accumulation, scaled by 2^fix_position (inferred).")
    return (
        Overload((_dst("float *", doc="NRAM output, height elements"), fsrc, filt, h_i, w_i),
                 instances=inst_f32, semantics=_sem_mlp(False, False, "float"),
                 note="Floating form (float, float) -> float."),
        Overload((_dst("float *", doc="NRAM output, height elements"), fsrc, filt, h_i, w_i),
                 instances=inst_f16, semantics=_sem_mlp(False, False, "float"),
                 arch=_A_TENSOR_FLOAT,
                 note="Floating form (half, half) or (bf16, bf16) -> float: mtp_372/mtp_592 "
                      "only."),
        Overload((_dst("Tdst *"), fsrc, filt, h_u, w_u, _FIX), instances=inst_i,
                 semantics=_sem_mlp(True, False, "Tdst"), note=note_i),
        Overload((_dst("Tdst *"), fsrc, bias, filt, h_u, w_u, _FIX), instances=inst_i,
                 semantics=_sem_mlp(True, True, "Tdst"), note=note_i),
    )


_MLP = Intrinsic(
    "__bang_mlp", _mlp_overloads(), "tensor",
    "Fully connected layer, a matrix-VECTOR product: dst[h] = scale * sum_{w<width} src[w] * "
    "filter[h*width + w] (+ bias[h]) for h < height, scale = 2^fix_position for the integer "
    "forms (inferred), 1 otherwise. height = output channels, width = input channels; src has "
    "width elements, dst height. Only the first width elements of src are read (code that uses it "
    "as a matrix product is wrong). NOTE: in the bias form bias comes BEFORE filter. filter in "
    "WRAM (logical [height][width], 32-B aligned); src, dst, bias in NRAM. Floating forms: "
    "(float,float)->float; (half,half) and (bf16,bf16)->float on mtp_372/mtp_592 only.",
    source="bang.md §4.8, §2.4 [M §3.12.15; H]",
    alignment="filter 32-B aligned in WRAM; 2xx: height a multiple of 64; 3xx+: WRAM allocation "
              "padded as in bang.md §2.4.",
    overlap="dst must not overlap src or bias", pipeline="compute")


def _sem_matmul(integer: bool, bias: bool, tdst: str) -> str:
    acc_t, acc0, cast = (("long long", "0", "(long long)") if integer else
                         ("float", "0.0f", "(float)"))
    res = "(float)ldexp((double)acc, fix_position)" if integer else "acc"
    if bias:
        res += " + (float)src2[(unsigned long long)m * N + n]"
    return (
        "for (unsigned int m = 0; m < M; ++m)\n"
        "  for (unsigned int n = 0; n < N; ++n) {\n"
        f"    {acc_t} acc = {acc0};\n"
        "    for (unsigned int k = 0; k < K; ++k)\n"
        f"      acc += {cast}src0[(unsigned long long)m * K + k] * "
        f"{cast}src1[(unsigned long long)n * K + k];\n"
        f"    dst[(unsigned long long)m * N + n] = xp_cast<{tdst}>({res});\n"
        "  }")


def _matmul_overloads() -> tuple[Overload, ...]:
    mkn = (_cfg("M", doc="rows of src0 and dst"), _cfg("K", doc="reduction length"),
           _cfg("N", doc="columns of dst"))
    s0 = _src("src0", "const Ti0 *", doc="NRAM [M][K] row-major")
    s1 = Param("src1", "const Ti1 *", space="wram", role="in",
               doc="WRAM [K,N] COLUMN-major, i.e. stored as N rows of K")
    s0f = _src("src0", "const T *", doc="NRAM [M][K] row-major")
    s1f = Param("src1", "const T *", space="wram", role="in",
                doc="WRAM [K,N] COLUMN-major, i.e. stored as N rows of K")
    s2 = Param("src2", "const Tdst *", space="nram", role="in", doc="[M][N] addend")
    inst_i = _int_instances("Ti0", "Ti1", False)
    note_i = ("Integer forms: Ti0/Ti1 in {int8_t, int16_t}, Tdst in {int16_t, half, float} are "
              "inferred by analogy with __bang_conv (int4 left out). Exact integer accumulation, "
              "scaled by 2^fix_position (inferred).")
    return (
        Overload((_dst("float *"), s0f, s1f) + mkn,
                 instances=each(T=("half", "float", "bfloat16_t")), arch=_A_TENSOR_FLOAT,
                 semantics=_sem_matmul(False, False, "float"),
                 note="Floating form: the destination must be float."),
        Overload((_dst("half *"), s0f, s1f) + mkn, instances=each(T=("half",)),
                 arch=_A_TENSOR_FLOAT, semantics=_sem_matmul(False, False, "half"),
                 note="NOT in M: half-output matmul used by code in the wild; accepted with a "
                      "warning (float accumulation rounded to half, inferred)."),
        Overload((_dst("Tdst *"), s0, s1) + mkn + (_FIX,), instances=inst_i,
                 semantics=_sem_matmul(True, False, "Tdst"), note=note_i),
        Overload((_dst("Tdst *"), s0, s1, s2) + mkn + (_FIX,), instances=inst_i,
                 semantics=_sem_matmul(True, True, "Tdst"), note=note_i),
    )


_MATMUL = Intrinsic(
    "__bang_matmul", _matmul_overloads(), "tensor",
    "Matrix product: dst[m*N + n] = scale * sum_{k<K} src0[m*K + k] * src1[n*K + k] "
    "(+ src2[m*N + n]), scale = 2^fix_position for integer inputs (inferred), 1 otherwise. "
    "src0 and dst are row-major; src1 (in WRAM) is [K,N] COLUMN-major, i.e. stored as N rows of K "
    "(the conv/mlp weight layout; mlu-ops prepares it with __bang_reshape_filter(..., N, 1, 1, "
    "K)). Floating inputs (half, float, bf16; mtp_372/mtp_592) require a float destination; the "
    "src2 addend exists for integer inputs only. Test with random data: a row-major [K][N] "
    "src1 (a common mistake) is otherwise undetectable.",
    source="bang.md §4.8, §2.4 [M §3.20.1; K]",
    alignment="src1 32-B aligned in WRAM, its byte size 64-B aligned.",
    overlap="dst may overlap src2 but not src0", pipeline="compute")

# ----------------------------------------------------------------------------------------
# Conversions (bang.md §5)
# ----------------------------------------------------------------------------------------

_ROUND = {  # q: double -> rounded integral double
    "tz": "trunc(q)",
    "oz": "(q < 0.0 ? floor(q) : ceil(q))",
    "up": "ceil(q)",
    "dn": "floor(q)",
    "rd": "round(q)",
    "rm": "floor(q + 0.5)",
    "rn": "(q - floor(q) == 0.5 ? (fmod(floor(q), 2.0) == 0.0 ? floor(q) : floor(q) + 1.0)"
          " : floor(q + 0.5))",
}
_MODE_DOC = {
    "tz": "toward zero", "oz": "away from zero", "up": "toward +inf", "dn": "toward -inf",
    "rd": "to nearest, half away from zero", "rm": "floor(x + 0.5) (half toward +inf)",
    "rn": "to nearest, half to even",
}
_MODES = ("tz", "oz", "up", "dn", "rd", "rm", "rn")


def _mode_arch(mode: str) -> str | None:
    return _A_3XX if mode in ("rm", "rn") else None


def _sem_to_int(mode: str, lo: str, hi: str, tdst: str, fixed: bool) -> str:
    scale = "ldexp((double)(float)src[i], -fix_position)" if fixed else "(double)(float)src[i]"
    return (_LOOP + "{\n"
            f"  const double q = {scale};\n"
            f"  double r = {_ROUND[mode]};\n"
            f"  r = (q != q) ? 0.0 : (r < {lo} ? {lo} : (r > {hi} ? {hi} : r));\n"
            f"  dst[i] = xp_cast<{tdst}>((long long)r);\n"
            "}")


def _sem_to_float_precision(mode: str, src_expr: str, mant: int, min_ulp_exp: int, maxv: str,
                            tdst: str) -> str:
    """Round the double ``src_expr`` to a binary format with ``mant`` significand bits."""
    overflow = {  # |result| above the largest finite value
        "tz": "(v > 0.0 ? MAXV : -MAXV)",
        "up": "(v > 0.0 ? INFINITY : -MAXV)",
        "dn": "(v > 0.0 ? MAXV : -INFINITY)",
    }.get(mode, "(v > 0.0 ? INFINITY : -INFINITY)").replace("MAXV", maxv)
    return (_LOOP + "{\n"
            f"  const double v = {src_expr};\n"
            "  double res = v;\n"
            "  if (v == v && v != 0.0 && v - v == 0.0) {\n"
            "    int e = 0;\n"
            "    frexp(v, &e);\n"
            f"    const int ue = (e - {mant}) < {min_ulp_exp} ? {min_ulp_exp} : (e - {mant});\n"
            "    const double q = ldexp(v, -ue);\n"
            f"    res = copysign(ldexp({_ROUND[mode]}, ue), v);\n"
            f"    if (fabs(res) > {maxv}) res = {overflow};\n"
            "  }\n"
            f"  dst[i] = xp_cast<{tdst}>((float)res);\n"
            "}")


_P_FIXC = _cfg("fix_position", "int", doc="fixed-point position (0 for a plain conversion)")
_CONV_NOTE = ("The reference gives the naming pattern __bang_<src>2<dst>[_mode](dst, src, n[, "
              "fix_position]) and names this family; the exact suffix set per pair is not "
              "listed, so all the modes of bang.md §5 except sr are declared (inferred).")
_FIX_NOTE = ("fix_position: int -> float computes src * 2^fix_position, float -> int rounds "
             "src * 2^-fix_position (inferred from [T]'s fixed-point reading); out-of-range "
             "results saturate and NaN gives 0 (inferred).")


def _conversions() -> list[Intrinsic]:
    out = []
    src_c = "bang.md §5, §6 [M §5.1; K]"
    # half -> float (exact)
    out.append(Intrinsic(
        "__bang_half2float",
        (Overload((_dst("float *"), _src("src", "const half *"), _count()),
                  semantics=_LOOP + "dst[i] = (float)src[i];",
                  note="Signature from mlu-ops usage [K] (3 arguments); not spelled out in the "
                       "reference (inferred)."),),
        "convert", "Converts half to float, exactly: dst[i] = (float)src[i] for 0 <= i < "
        "elem_count. NRAM operands; Compute pipeline.",
        source=src_c, pipeline="compute", converts=("float16", "float32", "exact")))
    # float -> half with a rounding mode
    for m in _MODES:
        out.append(Intrinsic(
            f"__bang_float2half_{m}",
            (Overload((_dst("half *"), _src("src", "const float *"), _count()),
                      arch=_mode_arch(m),
                      semantics=_sem_to_float_precision(m, "(double)src[i]", 11, -24, "65504.0",
                                                        "half"),
                      note=_CONV_NOTE + " No fix_position for float<->half (inferred from [K] "
                           "usage of __bang_half2float). Overflow follows IEEE for the mode."),),
            "convert",
            f"Converts float to half rounding {_MODE_DOC[m]}: dst[i] = half(src[i]) for 0 <= i "
            f"< elem_count." + (" rm/rn need 3xx+." if m in ("rm", "rn") else "") +
            " NRAM operands; Compute pipeline.",
            source=src_c, pipeline="compute",
            converts=("float32", "float16", {"rn": "nearest-even"}.get(m, _MODE_DOC[m]))))
    # int32 -> float
    for m in (None,) + _MODES:
        name = "__bang_int322float" + (f"_{m}" if m else "")
        mode = m or "rn"
        out.append(Intrinsic(
            name,
            (Overload((_dst("float *"), _src("src", "const int *"), _count(), _P_FIXC),
                      arch=_mode_arch(m) if m else None,
                      semantics=_sem_to_float_precision(
                          mode, "ldexp((double)src[i], fix_position)", 24, -149,
                          "3.4028234663852886e38", "float"),
                      note=_CONV_NOTE + " " + _FIX_NOTE +
                      ("" if m else " The unsuffixed form rounds to nearest even (inferred).")),),
            "convert",
            f"Converts int32 to float: dst[i] = float(src[i] * 2^fix_position) rounded "
            f"{_MODE_DOC[mode]}{'' if m else ' (inferred)'}, 0 <= i < elem_count. "
            "fix_position = 0 is a plain conversion (the common call __bang_int322float(dst, "
            "src, n, 0)). NRAM operands; Compute pipeline.",
            source=src_c, pipeline="compute"))
    # float -> int32
    for m in (None,) + _MODES:
        name = "__bang_float2int32" + (f"_{m}" if m else "")
        mode = m or "tz"
        out.append(Intrinsic(
            name,
            (Overload((_dst("int *"), _src("src", "const float *"), _count(), _P_FIXC),
                      arch=_mode_arch(m) if m else None,
                      semantics=_sem_to_int(mode, "-2147483648.0", "2147483647.0", "int", True),
                      note=_CONV_NOTE + " " + _FIX_NOTE +
                      ("" if m else " The unsuffixed form truncates toward zero (inferred).")),),
            "convert",
            f"Converts float to int32: dst[i] = round(src[i] * 2^-fix_position), rounding "
            f"{_MODE_DOC[mode]}{'' if m else ' (inferred)'}, saturating to the int32 range "
            "(inferred), 0 <= i < elem_count. NRAM operands; Compute pipeline.",
            source=src_c, pipeline="compute"))
    # float -> int8
    for m in _MODES:
        out.append(Intrinsic(
            f"__bang_float2int8_{m}",
            (Overload((_dst("int8_t *"), _src("src", "const float *"), _count(), _P_FIXC),
                      arch=_mode_arch(m),
                      semantics=_sem_to_int(m, "-128.0", "127.0", "int8_t", True),
                      note=_CONV_NOTE + " " + _FIX_NOTE),),
            "convert",
            f"Converts float to fixed-point int8: dst[i] = round(src[i] * 2^-fix_position), "
            f"rounding {_MODE_DOC[m]}, saturating to [-128, 127] (inferred), 0 <= i < "
            "elem_count. NRAM operands; Compute pipeline.",
            source=src_c, pipeline="compute"))
    return out


# ----------------------------------------------------------------------------------------
# Synchronisation (bang.md §1.5) and predicates (bang.md §2.1, §1.4)
# ----------------------------------------------------------------------------------------


def _sync(name: str, doc: str, params: tuple[Param, ...] = (), arch: str | None = None,
          src: str = "bang.md §1.5 [M §3.18; H]") -> Intrinsic:
    return Intrinsic(name, (Overload(params, arch=arch),), "sync", doc, source=src,
                     emulation="runtime")


_BARRIER_BLOCK = " A no-op in BLOCK tasks (clusterDim == 0); the emulator must not deadlock there."
_SPLIT = (_cfg("id", doc="barrier id in [0, 32767] (type inferred)"),
          _cfg("count", doc="participating cores, > 1 (type inferred)"))
_PIPE = (" Intra-core: __memcpy and vector calls are synchronous; this matters only after "
         "__memcpy_async (and async memsets). The emulator runs async copies eagerly, so it is a "
         "no-op there (a deferred mode applies queued copies here).")

_SYNCS = [
    _sync("__sync", "Waits until every pipeline of this core (IO, Move, Compute) has drained."
          + _PIPE, src="bang.md §1.5 [M §3.19; G §3.3.3-3.3.5]"),
    _sync("__sync_io", "Waits until the IO-DMA pipeline (copies touching GDRAM/LDRAM) has "
          "drained." + _PIPE, src="bang.md §1.5 [M §3.19]"),
    _sync("__sync_move", "Waits until the Move-DMA pipeline (on-chip <-> on-chip copies) has "
          "drained." + _PIPE, src="bang.md §1.5 [M §3.19]"),
    _sync("__sync_compute", "Waits until the Compute pipeline (vector/tensor ops, NRAM2NRAM "
          "copies) has drained." + _PIPE, src="bang.md §1.5 [M §3.19]"),
    _sync("__sync_io_move_compute",
          "Instructions after it in the CONSUMER pipelines wait for everything before it in the "
          "PRODUCER pipelines. Not all producers may be false, nor all consumers. With no "
          "arguments it syncs all three pipelines." + _PIPE,
          tuple(_cfg(n, "bool", default="true", doc=d) for n, d in (
              ("ioproducer", "IO pipeline is a producer"),
              ("moveproducer", "Move pipeline is a producer"),
              ("computeproducer", "Compute pipeline is a producer"),
              ("ioconsumer", "IO pipeline is a consumer"),
              ("moveconsumer", "Move pipeline is a consumer"),
              ("computeconsumer", "Compute pipeline is a consumer"))),
          src="bang.md §1.5 [M §3.19]"),
    _sync("__sync_cluster", "Barrier over the 4 MLU cores and the MPU of the physical cluster, "
          "whatever the union size (barrier.sync.local 1, coreDim+1)." + _BARRIER_BLOCK),
    _sync("__sync_all", "Barrier over all cores of the union job, MPUs included (Union1: 5, "
          "Union2: 10, Union4: 20 cores): a local barrier of coreDim+1 when clusterDim == 1, a "
          "global barrier of clusterDim*(coreDim+1) otherwise." + _BARRIER_BLOCK),
    _sync("__sync_all_ipu", "Barrier over the MLU cores only of the union job (4/8/16...)."
          + _BARRIER_BLOCK),
    _sync("__sync_all_mpu", "Barrier over the MPUs only of the union job (1/2/4...); a no-op "
          "when clusterDim <= 1."),
    _sync("__sync_all_ipu_within_cluster", "Barrier over the MLU cores of one cluster (MPU "
          "excluded)." + _BARRIER_BLOCK),
]
for _scope, _who in (("cluster", "the cluster"), ("all", "the union job")):
    for _half in ("arrive", "wait"):
        _SYNCS.append(_sync(
            f"__sync_{_scope}_{_half}",
            f"Split barrier over {_who}, {_half} half: __sync_{_scope}_arrive(id, count) signals "
            f"arrival, __sync_{_scope}_wait(id, count) waits until count cores have arrived. id in "
            "[0, 32767], count > 1; 'crossing' (pairs issued in different orders) is not "
            "supported. __BANG_ARCH__ >= 372 only." + _BARRIER_BLOCK,
            _SPLIT, arch=_A_SPLIT_BARRIER))
del _scope, _who, _half


def _pred(space: str, what: str) -> Intrinsic:
    return Intrinsic(
        f"__is_{space}",
        (Overload((Param("ptr", "const void *", role="in", doc="any address"),), ret="bool",
                  note="Return and parameter types inferred (bool, const void *)."),),
        "misc",
        f"Returns whether ptr points into {what}. The emulator answers from its arenas' address "
        "ranges (and uses the same check to enforce 'must point to NRAM' rules).",
        source="bang.md §2.1 [M §3.9]", emulation="runtime")


_PREDICATES = [
    _pred("nram", "the NRAM of the executing core"),
    _pred("wram", "the WRAM of the executing core"),
    _pred("sram", "the SRAM of the cluster"),
    _pred("dram", "off-chip DRAM (GDRAM or LDRAM, inferred)"),
    Intrinsic("__is_mpu", (Overload((), ret="bool", note="Return type inferred."),), "misc",
              "Returns true when the code runs on the cluster's memory core (MPU, coreId == "
              "0x80), false on MLU cores. In Union tasks every cluster also runs the kernel on "
              "its MPU; 'if (__is_mpu()) return;' skips it.",
              source="bang.md §1.4 [M §3.1.2, §3.18; G]", emulation="runtime"),
]

# ----------------------------------------------------------------------------------------
# Device scalar math (bang.md §1.6 [H __clang_bang_cmath.h])
# ----------------------------------------------------------------------------------------

_F1 = ("sqrt", "floor", "ceil", "trunc", "round", "fabs", "exp", "expm1", "exp2", "log", "log2",
       "log10", "sin", "cos", "tan", "sinh", "cosh", "tanh", "asin", "acos", "atan", "asinh",
       "acosh", "atanh")
_F2 = ("fmax", "fmin", "fmod", "pow", "atan2", "copysign")
_MATH_NOTES = {
    "floor": "A float -> int32 conversion with a rounding mode on the device: only meaningful "
             "for |x| < 2^31 (inferred).",
    "ceil": "A float -> int32 conversion with a rounding mode on the device: only meaningful for "
            "|x| < 2^31 (inferred).",
    "trunc": "A float -> int32 conversion with a rounding mode on the device: only meaningful "
             "for |x| < 2^31 (inferred).",
    "round": "Rounds half away from zero.",
}
_MATH_COMMON = (" Device scalar math: cncc declares float-only overloads (each xxxf also as float "
                "xxx(float)) and pulls them into std. An int or double argument (sqrt(2.0)) is "
                "evaluated in double under g++ and converted at the next float parameter; "
                "hardware may differ in the last bits (inferred). Emulated by the host libm; the "
                "emulator must not redefine it.")
_TRAP = (" WARNING: declared but TRAPS at run time on the device ('unimplemented' in the cncc "
         "header version the reference read); the emulator maps it to libm, so translated "
         "kernels must not rely on it.")
_TRAPPING = {  # name: (params, ret)
    "erff": (("float",), "float"), "erfcf": (("float",), "float"),
    "cbrtf": (("float",), "float"), "fmaf": (("float", "float", "float"), "float"),
    "hypotf": (("float", "float"), "float"), "rintf": (("float",), "float"),
    "frexpf": (("float", "int *"), "float"), "ldexp": (("float", "int"), "float"),
    "remainderf": (("float", "float"), "float"), "remquof": (("float", "float", "int *"), "float"),
    "fdimf": (("float", "float"), "float"), "tgammaf": (("float",), "float"),
}
_ARG_NAMES = ("x", "y", "z")


def _math(name: str, sig: tuple[str, ...], ret: str, doc: str, extra: tuple[Overload, ...] = (),
          note: str = "") -> Intrinsic:
    params = tuple(Param(_ARG_NAMES[k] if "*" not in t else "out", t,
                         role="out" if "*" in t else "in") for k, t in enumerate(sig))
    return Intrinsic(name, (Overload(params, ret=ret, note=note),) + extra, "math", doc,
                     source="bang.md §1.6 [H __clang_bang_cmath.h]", emulation="runtime")


def _device_math() -> list[Intrinsic]:
    out = []
    for base in _F1 + _F2:
        sig = ("float",) if base in _F1 else ("float", "float")
        note = _MATH_NOTES.get(base, "")
        doc = f"{base}f for float on the device (<math.h> meaning). {note}".strip() + _MATH_COMMON
        out.append(_math(base + "f", sig, "float", doc))
        half_ov = ()
        if base in ("floor", "ceil", "round"):
            half_ov = (Overload((Param("x", "half"),), ret="half",
                                note="half overload declared by cncc [H]."),)
        out.append(_math(base, sig, "float",
                         f"float {base}(float): the float overload of {base} on the device"
                         + (" (plus a half overload)" if half_ov else "") + f". {note}".rstrip()
                         + _MATH_COMMON, half_ov))
    out.append(_math("scalbnf", ("float", "int"), "float",
                     "scalbnf(x, n) = x * 2^n for float on the device." + _MATH_COMMON))
    out.append(_math("scalbn", ("float", "int"), "float",
                     "float scalbn(float, int): x * 2^n." + _MATH_COMMON))
    for name in ("isnan", "isinf"):
        out.append(_math(name, ("float",), "bool",
                         f"{name}(x) for float on the device." + _MATH_COMMON,
                         note="Return type bool inferred (std::" + name + ")."))
    for name, (sig, ret) in _TRAPPING.items():
        out.append(_math(name, sig, ret, f"{name}: <math.h> meaning, float." + _TRAP
                         + _MATH_COMMON,
                         note=("Listed as 'ldexp' (no f suffix) by the reference."
                               if name == "ldexp" else "")))
    return out


# ----------------------------------------------------------------------------------------
# The table
# ----------------------------------------------------------------------------------------

INTRINSICS: dict[str, Intrinsic] = table(
    _MEMCPY, _MEMCPY_ASYNC, _BANG_MOVE,
    _WRITE_ZERO, _WRITE_VALUE, _MEMSET_NRAM, *_NRAMSET, *_SPACESETS,
    _ADD, _SUB, _MUL, _DIV, _MAXIMUM, _MINIMUM, _MAXEQUAL, _MINEQUAL, _NAN_MAXIMUM, _NAN_MINIMUM,
    _ADD_SCALAR, _SUB_SCALAR, _MUL_SCALAR, _ADD_CONST, _SUB_CONST, _MUL_CONST,
    _MAXIMUM_SCALAR, _MINIMUM_SCALAR,
    *(_surpass(f) for f in _SURPASS),
    *(_active(f) for f in _ACTIVE), _SIGMOID_ALIAS,
    _taylor("sin", "sinf(x)"), _taylor("cos", "cosf(x)"),
    _REDUCE_SUM, _SUM, _ARGMAX, _ARGMIN, _NAN_ARGMAX, _NAN_ARGMIN, _MAX, _MIN,
    _TRANSPOSE, _RESHAPE_FILTER,
    _SUMPOOL, _MAXPOOL, _MINPOOL, _AVGPOOL,
    _CONV, _MLP, _MATMUL,
    *_conversions(),
    *_SYNCS, *_PREDICATES,
    *_device_math(),
)

# ----------------------------------------------------------------------------------------
# Work counted by the emulator (issue 18: the cost model and bench/idiom.py)
# ----------------------------------------------------------------------------------------
# runtime/gen.py puts a counter after each generated intrinsic's checks (so a copy that this
# core does not perform -- an MPU direction on a core other than 0 -- is not counted), from
# work(intrinsic, overload): the family and a C expression over the parameters.
#   copy     __memcpy, __memcpy_async: bytes moved (size x segments), per direction
#   move     __bang_move: on-chip bytes (counted as an NRAM2NRAM copy)
#   set.S    __gdramset, __ldramset, __sramset (and _async): elements written into space S
#   vector   element-wise, scalar, active and conversion intrinsics: elements
#   fill     NRAM fills (__bang_write_value, __memset_nram, __nramset...): elements
#   layout   __bang_transpose, __bang_reshape_filter: elements moved
#   reduce   reductions (elements read) and pooling (window taps: outputs x kernel area)
#   matmul   __bang_conv, __bang_mlp, __bang_matmul: multiply-accumulates
# The element type the work is counted under is work_type(overload, env): the destination's
# for vector, fill, layout and set work, the (first) source's for reduce and matmul work.

WORK_FAMILIES = ("copy", "move", "set", "vector", "fill", "layout", "reduce", "matmul")

_VECTOR_CATEGORIES = {"elementwise", "scalar", "active", "convert"}


def _u(name: str) -> str:
    return f"(unsigned long long)({name})"


def _segments(names: set[str], prefix: str = "") -> str:
    """Segments of a 1-D, 2-D or 3-D copy or set, from its segnum parameters."""
    if f"{prefix}segnum1" in names:
        return f"({_u(prefix + 'segnum1')} + 1ull) * ({_u(prefix + 'segnum2')} + 1ull)"
    if f"{prefix}segnum" in names:
        return f"({_u(prefix + 'segnum')} + 1ull)"
    if "segnum1" in names:  # sets: stride0/segnum1/stride1/segnum2
        return f"({_u('segnum1')} + 1ull) * ({_u('segnum2')} + 1ull)"
    return "1ull"


def _out_dims(names: set[str], sh: str, sw: str, dil: bool) -> tuple[str, str]:
    dh, dw = ("indilation_height", "indilation_width") if dil else ("1u", "1u")
    if "in_dh" in names:
        dh, dw = "in_dh", "in_dw"
    ho = f"(({_u('height')} - (({_u('kernel_height')} - 1ull) * {_u(dh)} + 1ull)) / {_u(sh)} + 1ull)"
    wo = f"(({_u('width')} - (({_u('kernel_width')} - 1ull) * {_u(dw)} + 1ull)) / {_u(sw)} + 1ull)"
    return ho, wo


def copy_segments(ov: Overload) -> str:
    """C expression: the contiguous pieces of ``size`` bytes a copy overload moves (a 3-D copy:
    the source's segments, which the destination's must match)."""
    names = {p.name for p in ov.params}
    return _segments(names, "src_") if "src_segnum1" in names else _segments(names)


def work(it: Intrinsic, ov: Overload) -> tuple[str, str] | None:
    """(family, C expression of the work one call does) for a generated intrinsic, or None
    for those that do no counted work (syncs, predicates, device math). See WORK_FAMILIES."""
    names = {p.name for p in ov.params}
    elements = next((p.name for p in ov.params if p.unit == "elements"), None)
    if it.name in ("__memcpy", "__memcpy_async", "__bang_move"):
        return "move" if it.name == "__bang_move" else "copy", f"{_u('size')} * {copy_segments(ov)}"
    if it.category == "memset":
        space = next((sp for sp in ("gdram", "ldram", "sram") if it.name.startswith(f"__{sp}set")), None)
        if space:
            return f"set.{space}", f"{_u('elem_count')} * {_segments(names)}"
        return "fill", _u("elem_count")
    if it.category in _VECTOR_CATEGORIES and elements:
        return "vector", _u(elements)
    if it.name == "__bang_transpose":
        return "layout", f"{_u('height')} * {_u('width')}"
    if it.name == "__bang_reshape_filter":
        return "layout", f"{_u('n')} * {_u('h')} * {_u('w')} * {_u('c')}"
    if it.category == "reduction" and elements:
        return "reduce", _u(elements)
    if it.category == "pooling":
        sh, sw = ("stride_height", "stride_width") if "stride_height" in names else ("kernel_height", "kernel_width")
        ho, wo = _out_dims(names, sh, sw, False)
        return "reduce", f"{ho} * {wo} * {_u('channel')} * {_u('kernel_height')} * {_u('kernel_width')}"
    if it.name == "__bang_conv":
        ho, wo = _out_dims(names, "stride_height", "stride_width", "indilation_height" in names)
        return "matmul", (f"{ho} * {wo} * {_u('channel_output')} * {_u('kernel_height')} * {_u('kernel_width')}"
                          f" * {_u('channel_input')}")
    if it.name == "__bang_mlp":
        return "matmul", f"{_u('height')} * {_u('width')}"
    if it.name == "__bang_matmul":
        return "matmul", f"{_u('M')} * {_u('K')} * {_u('N')}"
    return None


def work_type(family: str, ov: Overload, env) -> str:
    """The C element type a call's work is counted under (see above); "" when none."""
    from ..base import bind

    ptrs = [p for p in ov.params if p.type.strip().endswith("*")]
    if family in ("reduce", "matmul"):
        ptrs = [p for p in ptrs if p.role == "in"] + [p for p in ptrs if p.role != "in"]
    else:
        ptrs = [p for p in ptrs if p.role in ("out", "inout")] + [p for p in ptrs if p.role not in ("out", "inout")]
    for p in ptrs:
        t = bind(p.type, env).replace("const", "").replace("*", "").strip()
        if t and t != "void":
            return t
    for p in ov.params:  # a fill through void *: the value's type
        if p.name == "value":
            return bind(p.type, env).strip()
    return ""
