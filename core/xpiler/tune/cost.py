"""Analytical cost models for targets without hardware here (issue 18, item 4).

BANG (Cambricon MLU): ``predict_bang(counters, arch) -> Prediction``, a roofline-style time
for one emulated run, from

- the emulator's work counters (``Execution.counters``, written by ``xp_bang.hpp``: bytes per
  ``__memcpy`` direction with their segments, elements of vector and reduce work and
  multiply-accumulates of matrix work per element type, plain GDRAM/LDRAM loads and stores,
  the launch's task count and the largest task's share), and
- the part's figures in the dialect table (``dialects/bang/intrinsics.py``: ``PERF[arch]``,
  each a ``Figure`` with its source, or marked estimated with how it was derived).

    ex = execute(src, path="k.mlu", options={"bang_arch": "mtp_372"})
    p = predict_bang(ex.counters)          # p.seconds, p.memory_s, p.vector_s, p.bound ...

The model and its assumptions (each also said in ``Prediction.notes`` where it applies):

1. Cores. The launch occupies ``P = min(taskDim, clusters x cores_per_cluster)`` MLU cores
   (the largest launch's taskDim when a host function launches several; their work is
   summed as if it were one launch). Vector, matrix and on-chip work is spread over them, but
   never faster than the largest task alone: ``work_s = max(total / P, largest task) / rate``.
2. Memory. Off-chip (GDRAM and LDRAM) traffic is shared by all cores and bound by the part's
   DRAM bandwidth: ``memory_s = bytes / dram_bytes_per_s``. Bytes are what the counters say,
   with the MLU370 access rules [mlu-ops guide §5.3.3] applied per contiguous segment: a
   read shorter than the 64-B granule costs a granule, a write shorter than it costs a
   read-modify-write (128 B). Copies are counted per segment on average (a copy's
   ``bytes / segments``); plain scalar loads and stores cost one granule (reads) or one
   read-modify-write (writes) each. Latency is not modelled (a scalar loop over GDRAM is
   predicted faster than it runs). A GDRAM2GDRAM copy is read and written: twice its bytes.
3. Vector work (``__bang_add``..., reductions, pooling, conversions, NRAM fills, transposes)
   runs at ``vector_bytes_per_cycle`` per core: elements x element size / (128 B x clock).
4. Matrix work (``__bang_conv/__bang_mlp/__bang_matmul``) runs at the part's peak for the
   input type (``matrix_<type>_ops_per_s``, 2 ops per multiply-accumulate), divided evenly
   among the part's cores. A type the arch has no tensor figure for (floating types on 2xx,
   where the intrinsic does not exist) is costed at the vector rate, with a note.
5. On-chip copies (NRAM/WRAM/SRAM, ``__bang_move``) run at ``onchip_bytes_per_cycle`` per
   core (an estimated figure).
6. Scalar arithmetic outside intrinsics (counted in counted checked runs only: ``scalar_ops``) takes
   ``scalar_cycles_per_op`` cycles each on its core, spread like the vector work.
7. Overlap. A core's pipelines (Scalar, IO-DMA, Move-DMA, Compute: bang.md §1.5) run
   concurrently only where the kernel lets them: with ``__memcpy_async`` (the counters show
   async copies) the time is the largest term, ``max(memory, vector + matrix, on-chip,
   scalar)`` (vector and matrix share the compute pipeline); with synchronous copies only,
   every copy waits and every term adds up. ``overlap=`` overrides the choice.
   Not modelled: launch overhead, memory latency, instruction start-up costs and the 128-B
   minimum of a short vector instruction, loop overhead, bank conflicts, the MPU.
8. A sampled run (``units_skipped`` > 0) counted only the units it ran: totals are scaled
   by ``(ran + skipped) / ran``, the largest task is kept as it is.

``gdram_breakdown(counters)`` says who moved the GDRAM bytes (``__memcpy``, ``__gdramset``,
plain loads and stores) and ``arith_breakdown(counters)`` who did the arithmetic (``__bang_*``
or scalar code) for ``bench/idiom.py``; ``work_by_family`` sums the intrinsic work.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional

from ..dialects.bang import intrinsics as _bang

OFFCHIP = ("gdram", "ldram")
_VECTOR_RATE = ("vector", "fill", "layout", "reduce")  # work families that run on the vector unit

# C element type -> the matrix figure's type key (PERF[arch]["matrix_<key>_ops_per_s"])
_MATRIX_TYPE = {"int8_t": "int8", "char": "int8", "signed char": "int8", "int4x2_t": "int8", "int8": "int8",
                "fix8": "int8", "int16_t": "int16", "short": "int16", "int16": "int16", "half": "fp16",
                "bfloat16_t": "bf16", "float": "fp32"}


@dataclass
class Prediction:
    """A predicted run time and its breakdown (see the module doc for the model)."""

    arch: str
    part: str
    seconds: float
    memory_s: float  # off-chip traffic over the DRAM bandwidth
    vector_s: float  # vector and reduce intrinsics
    matrix_s: float  # conv / mlp / matmul
    onchip_s: float  # on-chip copies
    scalar_s: float  # scalar arithmetic outside intrinsics (checked runs)
    bound: str  # the largest term: memory, vector, matrix, onchip, scalar (none: no work counted)
    overlap: bool  # terms overlap (max) or add up
    cores: int  # MLU cores the launch occupies
    dram_bytes: float  # effective off-chip traffic, granules applied
    vector_bytes: float
    matrix_ops: float
    onchip_bytes: float
    scalar_ops: float
    notes: list[str] = field(default_factory=list)
    figures: dict[str, str] = field(default_factory=dict)  # figure -> "value unit (provenance)"

    def to_json(self) -> dict:
        return asdict(self)


def _figure(arch: str, key: str, used: dict[str, str]) -> float:
    f = _bang.PERF[arch][key]
    used[key] = f"{f.value:g} {f.unit} ({f.provenance})"
    return f.value


def _work(counters: dict) -> list[dict]:
    return list(counters.get("work") or [])


def work_by_family(counters: dict) -> dict[str, dict[str, float]]:
    """Intrinsic work summed per family and element type: ``{"vector": {"float": elements}}``
    (``copy``/``move``: bytes; ``matmul``: multiply-accumulates; ``set.S``: elements)."""
    out: dict[str, dict[str, float]] = {}
    for w in _work(counters):
        fam = out.setdefault(w["family"], {})
        fam[w["type"]] = fam.get(w["type"], 0) + w["amount"]
    return out


def gdram_breakdown(counters: dict) -> dict:
    """GDRAM bytes by who moved them: ``memcpy`` (``__memcpy``/``__memcpy_async``, both sides of
    a GDRAM2GDRAM copy), ``set`` (``__gdramset``), ``scalar`` (plain loads and stores outside
    intrinsics), with ``memcpy_share`` = memcpy / all (None when nothing moved, or when the run
    was not counted: plain accesses are counted in checked runs asked for it,
    ``execute(counters=True)``)."""
    dirs = _bang.MEMCPY_DIRECTIONS
    memcpy = 0
    for name, c in (counters.get("copy") or {}).items():
        d = dirs.get(name)
        if d:
            memcpy += c["bytes"] * ((d["src"] == "gdram") + (d["dst"] == "gdram"))
    sets = sum(w["amount"] * w["elem_bytes"] for w in _work(counters) if w["family"] == "set.gdram")
    sc = (counters.get("scalar") or {}).get("gdram") or {}
    scalar = sc.get("read_bytes", 0) + sc.get("write_bytes", 0)
    total = memcpy + sets + scalar
    share = None if (not total or not _counted(counters)) else memcpy / total
    return {"memcpy": memcpy, "set": sets, "scalar": scalar, "total": total, "memcpy_share": share,
            "scalar_counted": _counted(counters)}


def _counted(counters: dict) -> bool:
    """Plain accesses and scalar arithmetic were counted (a checked run asked for it; counters
    written before that was opt-in have no "counted" and count in every checked run)."""
    return bool(counters.get("checked")) and bool(counters.get("counted", True))


def arith_breakdown(counters: dict) -> dict:
    """Arithmetic by where it was done: ``intrinsic`` (one operation per element of vector and
    reduce work, two per multiply-accumulate; fills, layout changes and copies are not
    arithmetic) and ``scalar`` (operations of plain code, emit.scalar_ops), with
    ``intrinsic_share`` = intrinsic / both (None when there is none, or when the run was
    unchecked: scalar operations are counted in checked runs only)."""
    intrinsic = 0.0
    for w in _work(counters):
        if w["family"] in ("vector", "reduce"):
            intrinsic += w["amount"]
        elif w["family"] == "matmul":
            intrinsic += 2 * w["amount"]
    scalar = float(counters.get("scalar_ops") or 0)
    total = intrinsic + scalar
    share = None if (not total or not _counted(counters)) else intrinsic / total
    return {"intrinsic": intrinsic, "scalar": scalar, "total": total, "intrinsic_share": share,
            "scalar_counted": _counted(counters)}


def _traffic(bytes_: float, segments: float, granule: float, partial_write: float, write: bool) -> float:
    """Off-chip traffic of `segments` contiguous pieces totalling `bytes_` (module doc, 2)."""
    if not bytes_:
        return 0.0
    segments = max(segments, 1)
    if bytes_ / segments >= granule:
        return float(bytes_)
    return segments * (partial_write if write else granule)


def predict_bang(counters: dict, arch: Optional[str] = None, *, overlap: Optional[bool] = None) -> Prediction:
    """Predicted seconds of the run the counters describe, on ``arch`` (default: the run's
    own, ``counters["arch"]``), with the breakdown; see the module doc for the model."""
    arch = arch or counters.get("arch") or "mtp_372"
    if arch not in _bang.PERF:
        raise ValueError(f"no performance figures for BANG arch {arch!r}; known: {', '.join(_bang.ARCHS)}")
    used: dict[str, str] = {}
    notes: list[str] = []
    fig = lambda key: _figure(arch, key, used)  # noqa: E731
    total_cores = int(fig("clusters") * fig("cores_per_cluster"))
    task_dim = int(counters.get("max_task_dim") or counters.get("tasks") or 1)
    cores = max(1, min(task_dim, total_cores))
    if task_dim > total_cores:
        notes.append(f"{task_dim} tasks on {total_cores} cores: the work is spread over all of them")
    clock = fig("clock_hz")
    ran, skipped = int(counters.get("units_ran") or 0), int(counters.get("units_skipped") or 0)
    scale = (ran + skipped) / ran if skipped and ran else 1.0
    if scale != 1.0:
        notes.append(f"sampled run: {ran} of {ran + skipped} units ran; totals scaled by {scale:.3g}")
    if int(counters.get("launches") or 0) > 1:
        notes.append(f"{counters['launches']} launches: their work is predicted as one launch of "
                     f"{task_dim} tasks")
    task_max = counters.get("task_max") or {}

    # 2. off-chip memory
    granule, partial = fig("dram_read_granule_bytes"), fig("dram_partial_write_bytes")
    dram = 0.0
    onchip = 0.0
    has_async = False
    for name, c in (counters.get("copy") or {}).items():
        d = _bang.MEMCPY_DIRECTIONS.get(name)
        if not d:
            continue
        has_async = has_async or c.get("async_calls", 0) > 0
        if d["src"] in OFFCHIP:
            dram += _traffic(c["bytes"], c["segments"], granule, partial, write=False)
        if d["dst"] in OFFCHIP:
            dram += _traffic(c["bytes"], c["segments"], granule, partial, write=True)
        if d["src"] not in OFFCHIP and d["dst"] not in OFFCHIP:
            onchip += c["bytes"]
    vector_bytes = 0.0
    matrix_core_s = 0.0  # core-seconds of matrix work
    matrix_ops = 0.0
    macs = 0.0
    for w in _work(counters):
        fam, amount, size = w["family"], float(w["amount"]), float(w["elem_bytes"])
        if fam in ("set.gdram", "set.ldram"):
            dram += amount * size
        elif fam.startswith("set."):
            onchip += amount * size
        elif fam in _VECTOR_RATE:
            vector_bytes += amount * size
        elif fam == "matmul":
            key = _MATRIX_TYPE.get(w["type"])
            peak = fig(f"matrix_{key}_ops_per_s") if key else 0.0
            macs += amount
            matrix_ops += 2 * amount
            if peak > 0:
                matrix_core_s += 2 * amount / (peak / total_cores)
            else:
                notes.append(f"{w['intrinsic']} on {w['type'] or '?'}: no matrix figure for {arch}; costed at "
                             "the vector rate")
                matrix_core_s += 2 * amount * max(size, 1.0) / (fig("vector_bytes_per_cycle") * clock)
    for space, c in ((counters.get("scalar") or {}).items()):
        if space in OFFCHIP and (c.get("reads") or c.get("writes")):
            dram += c.get("reads", 0) * max(granule, 1.0) + c.get("writes", 0) * partial
            notes.append(f"plain {space} loads and stores ({c.get('reads', 0)} reads, {c.get('writes', 0)} "
                         "writes): their latency is not modelled, only their traffic")
    if not _counted(counters):
        notes.append("plain GDRAM loads and stores and scalar arithmetic were not counted (an unchecked run, or "
                     "one not asked: execute(counters=True))")
    dram, onchip, vector_bytes = dram * scale, onchip * scale, vector_bytes * scale
    matrix_core_s, matrix_ops, macs = matrix_core_s * scale, matrix_ops * scale, macs * scale

    memory_s = dram / fig("dram_bytes_per_s")
    vec_rate = fig("vector_bytes_per_cycle") * clock
    vector_s = max(vector_bytes / cores, float(task_max.get("vector_bytes", 0))) / vec_rate
    matrix_s = matrix_core_s / cores
    if macs and task_max.get("matmul_macs"):
        matrix_s = max(matrix_s, task_max["matmul_macs"] * matrix_core_s / macs)
    onchip_s = 0.0
    if onchip:
        onchip_s = max(onchip / cores, float(task_max.get("onchip_bytes", 0))) / (fig("onchip_bytes_per_cycle")
                                                                                 * clock)
    scalar_ops = float(counters.get("scalar_ops") or 0) * scale
    scalar_s = 0.0
    if scalar_ops:
        scalar_s = max(scalar_ops / cores, float(task_max.get("scalar_ops", 0))) * fig("scalar_cycles_per_op") / clock
    ov = has_async if overlap is None else overlap
    terms = {"memory": memory_s, "vector": vector_s, "matrix": matrix_s, "onchip": onchip_s, "scalar": scalar_s}
    if ov:
        seconds = max(memory_s, vector_s + matrix_s, onchip_s, scalar_s)
    else:
        seconds = memory_s + vector_s + matrix_s + onchip_s + scalar_s
    bound = max(terms, key=terms.get) if any(terms.values()) else "none"
    estimated = sorted(k for k in used if _bang.PERF[arch][k].is_estimated)
    if estimated:
        notes.append("estimated figures used: " + ", ".join(estimated))
    return Prediction(arch, _bang.PARTS[arch], seconds, memory_s, vector_s, matrix_s, onchip_s, scalar_s, bound, ov,
                      cores, dram, vector_bytes, matrix_ops, onchip, scalar_ops, notes, used)
