"""Analytical cost models (issue 18, item 4): BANG and CUDA, which this machine cannot run, and
C/VNNI on this CPU, whose rankings ``bench/cost_model.py`` checks against measurement.

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

C and VNNI (this CPU): ``predict_cpu(counters, cpu=None, *, parallel=1, scale=1.0,
footprint_bytes=None) -> Prediction``, a roofline for a C or VNNI output from the counters of one
checked, counted run (``execute(..., counters=True)``), usually at a small shape:

1. Figures. ``detect_cpu()`` reads cores (``os.sched_getaffinity``), clock (/proc/cpuinfo ``cpu
   MHz``) and vector width (``avx512f`` 512 bits, ``avx2`` 256) from the machine; the rates are
   estimated constants, each with where it comes from in ``CpuFigures.figures``: one 512-bit
   vector instruction per cycle per core (two 256-bit ones), one counted scalar operation per
   cycle, two loads and one store per cycle, 12 GB/s of DRAM per busy core (Little's law on the
   line-fill buffers) capped at 307 GB/s, 2 us per OpenMP fork/join.
2. Scale. Every count is multiplied by ``scale``, the predicted shape's work over the emulated
   one's: emulate at a shape that keeps the per-row (per-output) extents and shrinks the
   parallel one, and the counts grow by that ratio exactly (bench/cost_model.py does so).
3. Threads. ``parallel`` is the OpenMP parallel loop's iteration count at the predicted shape
   (``omp_parallelism(code, values)`` reads it from the code; 1 for serial code): the work is
   spread over ``min(cores, parallel)`` threads.
4. Memory. DRAM traffic is the bytes loaded and stored through pointers (plain and inside
   intrinsics, every space but ``local``), or the buffers' footprint when given and smaller
   (re-reads assumed cached), over ``min(threads x per-core, cap)`` bandwidth. The load and
   store instructions are a term of their own (``onchip_s``).
5. Compute. Scalar operations (``scalar_ops``) at the scalar rate; vector intrinsic work
   (VNNI families vector, convert: lanes / lanes per instruction; reduce: log2(lanes) steps
   per vector; dot: one instruction per 16 int32 lanes, 4 u8 x s8 MACs each) at the vector
   rate. What gcc -O3 vectorises by itself in plain code is not credited (a note says so).
   ``seconds = max(memory, load/store, scalar + vector + dot) + fork/join``.
6. A shared machine. ``sample_load(cpu)`` records the idle share of the cores (/proc/stat over
   half a second) and the other runnable threads (/proc/loadavg). When the threads exceed the
   free cores, they count as the free cores only (at least one), and each parallel region
   waits twice (the fork wakes the workers, the join waits for the slowest) behind the other
   runnable threads of a core, one scheduler time slice each (EEVDF base slice, 0.75 ms x (1 +
   log2 cores), estimated). Without ``sample_load`` every core is taken to be free.
   Not modelled: caches beyond "the footprint once", latency and dependence chains, branch
   costs, what the emulator does not count (loop control, subscripts, accesses to locals).

CUDA (one H100 SXM; predictions only, no GPU here): ``predict_cuda(counters,
resource_usage=None, *, scale=1.0) -> Prediction`` from a counted CUDA run's counters:

1. Figures (``H100_SXM``, each with its source: the H100 datasheet, the Hopper tuning guide,
   the CUDA programming guide; a few marked estimated): 132 SMs, 1.98 GHz, 3.35 TB/s, FP32
   33.5e12 counted operations/s (67 TFLOPS with an FMA as two), dense tensor TF32 / FP16 / INT8
   494.7 / 989.4 / 1979 Tops, 2048 threads, 32 blocks, 64K registers and 228 KB shared per SM.
2. Occupancy: blocks per SM = the smallest of the block, thread, register (``nvcc
   --resource-usage`` registers per thread, from ``nvcc_resource_usage(code)``; 32 assumed with a
   note when absent, warps' registers allocated in 256s) and shared-memory limits (the larger of
   the counters' ``max_shared_bytes`` and nvcc's static figure, plus 1 KB per block).
3. Memory: global bytes (scaled) over the bandwidth share the resident threads can keep busy:
   bytes in flight (resident threads x 2 loads x bytes per access, estimated) against
   bandwidth x latency (600 ns, estimated), at most 1.
4. Compute: scalar operations at the FP32 rate of the SMs the grid covers; shared-memory bytes
   at 128 B per cycle per SM; ``matmul`` work (wmma/mma counters) at the tensor peak of its
   type. ``seconds = launches x 2.5 us + max(memory, FP32, shared, tensor)``.

``spearman(xs, ys)`` (ties: average ``ranks``) compares a model's ranking with measurement
(``bench/cost_model.py``).

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
    details: dict = field(default_factory=dict)  # model-specific figures (predict_cpu, predict_cuda)

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


# ================================================================================= CPU (C, VNNI)
# The model is described in the module doc's "C and VNNI" part; each figure says where it comes from.

@dataclass
class CpuFigures:
    """This CPU's figures for ``predict_cpu``: detected at run time where the machine says them
    (cores, vector width, clock), estimated constants otherwise; ``figures`` gives each with
    its provenance."""

    model: str
    cores: int
    clock_hz: float
    vector_bits: int  # 512 (avx512f), 256 (avx2), 128
    vnni: bool  # avx512_vnni in the flags
    vector_ops_per_cycle: float  # vector instructions per cycle per core (estimated)
    scalar_ops_per_cycle: float  # counted scalar operations per cycle per core (estimated)
    loads_per_cycle: float  # load instructions per cycle per core
    stores_per_cycle: float  # store instructions per cycle per core
    dram_bytes_per_s_per_core: float  # what one core's misses can pull from DRAM (estimated)
    dram_bytes_per_s: float  # the whole machine's cap (estimated)
    parallel_region_s: float  # an OpenMP fork/join (estimated)
    figures: dict[str, str] = field(default_factory=dict)
    # the machine's state when it was sampled (``sample_load``): None = all cores free
    free_cores: Optional[float] = None  # idle share of the cores x cores
    others_runnable: float = 0.0  # other processes' runnable threads (/proc/loadavg's 4th field)
    slice_s: float = 0.0  # the scheduler's time slice (estimated): a preempted thread waits for others


def sample_load(cpu: CpuFigures, seconds: float = 0.5) -> CpuFigures:
    """Record in ``cpu`` how busy the machine is right now, while the caller is idle: the idle
    share of /proc/stat over ``seconds`` (``free_cores``) and the mean number of runnable
    threads of /proc/loadavg less the caller's own (``others_runnable``). On a machine shared
    with other work, OpenMP threads beyond the free cores do not add speed, and each parallel
    region waits for its preempted threads (module doc, C and VNNI, 6)."""
    import time
    from pathlib import Path

    def stat():
        f = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        v = [float(x) for x in f]
        return v[3] + (v[4] if len(v) > 4 else 0.0), sum(v[:8])

    def runnable():
        try:
            return float(Path("/proc/loadavg").read_text().split()[3].split("/")[0])
        except (OSError, ValueError, IndexError):
            return 1.0
    try:
        i0, t0 = stat()
        runs = []
        steps = 5
        for _ in range(steps):
            time.sleep(seconds / steps)
            runs.append(runnable())
        i1, t1 = stat()
    except (OSError, ValueError, IndexError):
        return cpu
    idle = (i1 - i0) / (t1 - t0) if t1 > t0 else 1.0
    cpu.free_cores = max(0.0, min(1.0, idle)) * cpu.cores
    cpu.others_runnable = max(0.0, sum(runs) / len(runs) - 1.0)  # the sampler itself is runnable
    import math
    cpu.slice_s = 0.75e-3 * (1 + math.floor(math.log2(max(cpu.cores, 1))))
    cpu.figures["free_cores"] = (f"{cpu.free_cores:.2f} (measured: /proc/stat idle share over {seconds:g} s x "
                                 f"{cpu.cores} cores)")
    cpu.figures["others_runnable"] = f"{cpu.others_runnable:.2f} (measured: /proc/loadavg runnable, less the sampler)"
    cpu.figures["slice_s"] = (f"{cpu.slice_s:.3g} s (estimated: Linux EEVDF base slice, sysctl_sched_base_slice "
                              "0.75 ms x (1 + log2 cores), kernel/sched/fair.c)")
    return cpu


def _cpuinfo() -> str:
    try:
        from pathlib import Path
        return Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""


def detect_cpu() -> CpuFigures:
    """This machine's figures (see :class:`CpuFigures`): cores from ``os.sched_getaffinity``
    (else ``os.cpu_count``), clock from /proc/cpuinfo ``cpu MHz`` (the mean over the listed
    processors), vector width from its flags; the rest are the estimated constants below."""
    import os
    info = _cpuinfo()
    flags: set[str] = set()
    mhz: list[float] = []
    model = "unknown"
    for line in info.splitlines():
        key, _, val = line.partition(":")
        key = key.strip()
        if key == "flags" and not flags:
            flags = set(val.split())
        elif key == "cpu MHz":
            try:
                mhz.append(float(val))
            except ValueError:
                pass
        elif key == "model name" and model == "unknown":
            model = val.strip()
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    fig: dict[str, str] = {}
    if mhz:
        clock = sum(mhz) / len(mhz) * 1e6
        fig["clock_hz"] = f"{clock:.4g} Hz (measured: /proc/cpuinfo cpu MHz, mean of {len(mhz)})"
    else:
        clock = 2.5e9
        fig["clock_hz"] = "2.5e9 Hz (estimated: no cpu MHz in /proc/cpuinfo)"
    bits = 512 if "avx512f" in flags else 256 if "avx2" in flags else 128
    fig["cores"] = f"{cores} (measured: os.sched_getaffinity)"
    fig["vector_bits"] = f"{bits} (measured: /proc/cpuinfo flags {'avx512f' if bits == 512 else 'avx2' if bits == 256 else 'neither avx512f nor avx2'})"
    # Estimated constants. Intel's optimization reference manual (Golden Cove / Sapphire Rapids
    # core: 2 load ports + 2 store ports, FMA on ports 0 and 5, the port-5 FMA present on Xeon
    # Gold/Platinum only): https://www.intel.com/content/www/us/en/developer/articles/technical/intel64-and-ia32-architectures-optimization.html
    vec = 1.0 if bits == 512 else 2.0
    fig["vector_ops_per_cycle"] = (f"{vec:g} per core (estimated: one {bits}-bit ALU/FMA instruction per cycle; "
                                   "a second 512-bit FMA port exists on some Xeons only, and a virtual "
                                   "machine's part is not known; Intel optimization manual)")
    fig["scalar_ops_per_cycle"] = ("1 per core (estimated: the counted operations of plain C are one per "
                                   "source operator, and loop control, subscripts and the dependence chains "
                                   "of reductions are not counted, so one per cycle stands for all of them)")
    fig["loads_per_cycle"] = "2 per core (estimated: two load ports; Intel optimization manual)"
    fig["stores_per_cycle"] = "1 per core (estimated: one store per cycle sustained; Intel optimization manual)"
    fig["dram_bytes_per_s_per_core"] = ("1.2e10 B/s (estimated by Little's law: 16 line-fill buffers x 64 B / "
                                        "~85 ns DRAM latency; a single core's STREAM figure on current Xeons is "
                                        "10-15 GB/s)")
    fig["dram_bytes_per_s"] = ("3.07e11 B/s (estimated: 8 channels of DDR5-4800, a Sapphire Rapids socket, "
                               "https://ark.intel.com; a virtual machine's cores share it with others)")
    fig["parallel_region_s"] = ("2e-6 s (estimated: an OpenMP parallel-for fork and join with libgomp, "
                                "EPCC OpenMP microbenchmarks order of magnitude)")
    return CpuFigures(model, cores, clock, bits, "avx512_vnni" in flags, vec, 1.0, 2.0, 1.0, 1.2e10, 3.07e11, 2e-6,
                      fig)


def omp_parallelism(code: str, values: Optional[dict] = None) -> int:
    """How many iterations the code's first OpenMP parallel loop has: 1 when the code has no
    ``#pragma omp parallel``; the loop's bound where it is a literal or an expression of
    ``values`` (the kernel's scalar arguments, ``{"n": 4096}``); 1 << 30 (as many as there are
    cores) when the bound cannot be read. ``collapse(k)`` multiplies the first k bounds."""
    import re
    m = re.search(r"#\s*pragma\s+omp\s+parallel\b[^\n]*", code)
    if not m:
        return 1
    collapse = re.search(r"collapse\s*\(\s*(\d+)\s*\)", m.group(0))
    k = int(collapse.group(1)) if collapse else 1
    total = 1
    pos = m.end()
    for _ in range(k):
        f = re.compile(r"for\s*\(\s*(?:[\w\s]+\s)?(\w+)\s*=\s*([^;]*);\s*\1\s*(<=|<)\s*([^;]+);").search(code, pos)
        if not f:
            return 1 << 30
        lo, op, hi = f.group(2), f.group(3), f.group(4)
        try:
            env = {"__builtins__": {}, **{k_: v for k_, v in (values or {}).items() if isinstance(v, (int, float))}}
            if not re.fullmatch(r"[\w\s+\-*/()%]*", hi + lo):
                raise ValueError(hi)
            n = int(eval(hi.replace("/", "//"), env)) - int(eval(lo.replace("/", "//"), env)) + (op == "<=")  # noqa: S307
        except Exception:  # noqa: BLE001 - a bound the bench cannot evaluate
            return 1 << 30
        total *= max(n, 0)
        pos = f.end()
    return max(total, 1)


def _access_totals(counters: dict) -> dict:
    """Loads and stores through pointers (every space but ``local``), plain and inside
    intrinsics: ``{reads, read_bytes, writes, write_bytes}``."""
    out = {"reads": 0.0, "read_bytes": 0.0, "writes": 0.0, "write_bytes": 0.0}
    for where in ("plain", "intrinsic"):
        for space, c in ((counters.get("access") or {}).get(where) or {}).items():
            if space == "local":
                continue
            for k in out:
                out[k] += float(c.get(k, 0))
    return out


def predict_cpu(counters: dict, cpu: Optional[CpuFigures] = None, *, parallel: int = 1, scale: float = 1.0,
                footprint_bytes: Optional[float] = None) -> Prediction:
    """Predicted seconds of a C or VNNI output on this CPU from the counters of one checked,
    counted emulator run (``execute(..., counters=True)``); see the module doc, "C and VNNI".

    ``parallel``: iterations of the code's OpenMP parallel loop at the predicted shape
    (:func:`omp_parallelism`; 1: serial code); ``scale``: the predicted shape's work over the
    emulated shape's (every count is multiplied by it); ``footprint_bytes``: the bytes of the
    buffers at the predicted shape (what must come from DRAM at least once; default: the counted
    traffic)."""
    cpu = cpu or detect_cpu()
    notes: list[str] = []
    used = dict(cpu.figures)
    threads = max(1, min(cpu.cores, int(parallel or 1)))
    if parallel and parallel > 1 and parallel < cpu.cores:
        notes.append(f"the parallel loop has {parallel} iterations: {threads} of {cpu.cores} cores busy")
    notes.append(f"{threads} thread{'s' if threads > 1 else ''} ({'OpenMP' if parallel > 1 else 'serial code'})")
    wait = 0.0
    if cpu.free_cores is not None and threads > 1:
        free = max(1, int(round(cpu.free_cores)))
        if threads > free:
            # threads beyond the free cores add no speed, and the region waits twice for a thread
            # that is not running (the fork wakes the workers, the join waits for the slowest): each
            # time behind the other runnable threads of its core, one time slice each
            wait = 2 * cpu.others_runnable / cpu.cores * cpu.slice_s
            notes.append(f"shared machine: {cpu.free_cores:.2f} cores free, {cpu.others_runnable:.1f} other runnable "
                         f"threads: {free} thread(s) of speed, {wait * 1e3:.2f} ms waiting per parallel region")
            threads = free
    if not _counted(counters):
        notes.append("loads, stores and scalar arithmetic were not counted (execute(counters=True) in a checked "
                     "run): the prediction sees intrinsic work only")
    if scale != 1.0:
        notes.append(f"counts scaled by {scale:.4g} from the emulated shape")
    acc = {k: v * scale for k, v in _access_totals(counters).items()}
    scalar_ops = float(counters.get("scalar_ops") or 0) * scale
    vec_instr = 0.0
    dot_instr = 0.0
    vector_lane_bytes = 0.0
    macs = 0.0
    for w in _work(counters):
        fam, amount, size = w["family"], float(w["amount"]) * scale, float(w.get("elem_bytes") or 4)
        lanes_per_instr = max(1.0, cpu.vector_bits / 8 / max(size, 1.0))
        if fam in ("vector", "convert"):
            vec_instr += amount / lanes_per_instr
            vector_lane_bytes += amount * size
        elif fam == "reduce":  # a horizontal reduction: log2(lanes) shuffle + op steps per vector
            import math
            vec_instr += amount / lanes_per_instr * max(1.0, math.log2(lanes_per_instr))
            vector_lane_bytes += amount * size
        elif fam == "dot":  # int32 lanes, each 4 u8 x s8 (or 2 s16 x s16) multiply-accumulates
            dot_instr += amount / (cpu.vector_bits / 32)
            macs += amount * (4 if "8" in str(w.get("type")) or size == 1 else 2)
        # load / store families: their bytes are in the access counts
    clock = cpu.clock_hz
    # memory: DRAM traffic over the bandwidth the busy cores can pull
    dram_bytes = acc["read_bytes"] + acc["write_bytes"]
    if footprint_bytes is not None:
        dram_bytes = min(dram_bytes, float(footprint_bytes)) if dram_bytes else float(footprint_bytes)
    bw = min(cpu.dram_bytes_per_s, threads * cpu.dram_bytes_per_s_per_core)
    memory_s = dram_bytes / bw
    # load and store instructions (the cache side)
    onchip_s = (acc["reads"] / cpu.loads_per_cycle + acc["writes"] / cpu.stores_per_cycle) / (clock * threads)
    scalar_s = scalar_ops / (cpu.scalar_ops_per_cycle * clock * threads)
    vector_s = vec_instr / (cpu.vector_ops_per_cycle * clock * threads)
    matrix_s = dot_instr / (cpu.vector_ops_per_cycle * clock * threads)
    compute_s = scalar_s + vector_s + matrix_s
    overhead = (cpu.parallel_region_s + wait) if parallel > 1 else 0.0
    seconds = max(memory_s, onchip_s, compute_s) + overhead
    terms = {"memory": memory_s, "onchip": onchip_s, "scalar": scalar_s, "vector": vector_s, "matrix": matrix_s}
    bound = max(terms, key=terms.get) if any(terms.values()) else "none"
    if footprint_bytes is not None and dram_bytes < acc["read_bytes"] + acc["write_bytes"]:
        notes.append(f"DRAM traffic: the {footprint_bytes:.3g}-byte footprint once (re-reads assumed cached); "
                     f"{acc['read_bytes'] + acc['write_bytes']:.3g} bytes loaded and stored")
    if not vec_instr and not dot_instr and scalar_ops:
        notes.append("no vector intrinsics: scalar operations at the scalar rate (what gcc -O3 vectorises by "
                     "itself is not credited)")
    notes.append("estimated figures used: " + ", ".join(k for k in ("vector_ops_per_cycle", "scalar_ops_per_cycle",
                                                                     "loads_per_cycle", "stores_per_cycle",
                                                                     "dram_bytes_per_s_per_core", "dram_bytes_per_s",
                                                                     "parallel_region_s")))
    p = Prediction("cpu", cpu.model, seconds, memory_s, vector_s, matrix_s, onchip_s, scalar_s, bound, True, threads,
                   dram_bytes, vector_lane_bytes, 2 * macs, acc["read_bytes"] + acc["write_bytes"], scalar_ops, notes,
                   used)
    p.details = {"threads": threads, "parallel_iterations": parallel, "scale": scale, "loads": acc["reads"],
                 "stores": acc["writes"], "vector_instructions": vec_instr, "dot_instructions": dot_instr,
                 "dram_bytes_per_s": bw, "overhead_s": overhead}
    return p


# ================================================================================= CUDA (one GPU)
# NVIDIA H100 SXM5 (sm_90). Sources: the H100 datasheet
# https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet (bandwidth, FP32
# and dense tensor throughput: the datasheet's tensor figures are with sparsity, halved here), the
# Hopper tuning guide https://docs.nvidia.com/cuda/hopper-tuning-guide/index.html (SM count, shared
# memory per SM) and the CUDA programming guide's compute-capability table
# https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#features-and-technical-specifications
# (threads, blocks and registers per SM).
H100_SXM: dict[str, tuple[float, str]] = {
    "sms": (132, "H100 SXM5: 132 SMs (Hopper tuning guide / H100 whitepaper)"),
    "clock_hz": (1.98e9, "boost clock 1980 MHz (H100 whitepaper, SXM5)"),
    "dram_bytes_per_s": (3.35e12, "HBM3 3.35 TB/s (H100 datasheet, SXM)"),
    "fp32_ops_per_s": (33.5e12, "67 TFLOPS FP32 counting an FMA as 2 (datasheet): 33.5e12 counted operations/s, "
                                "128 FP32 lanes x 132 SMs x 1.98 GHz"),
    "tensor_tf32_ops_per_s": (494.7e12, "TF32 tensor 989 TFLOPS with sparsity (datasheet): 494.7e12 dense"),
    "tensor_fp16_ops_per_s": (989.4e12, "FP16/BF16 tensor 1979 TFLOPS with sparsity (datasheet): 989.4e12 dense"),
    "tensor_int8_ops_per_s": (1978.9e12, "INT8 tensor 3958 TOPS with sparsity (datasheet): 1978.9e12 dense"),
    "max_threads_per_sm": (2048, "compute capability 9.0 (CUDA programming guide)"),
    "max_blocks_per_sm": (32, "compute capability 9.0 (CUDA programming guide)"),
    "registers_per_sm": (65536, "compute capability 9.0 (CUDA programming guide)"),
    "shared_bytes_per_sm": (233472, "228 KB per SM (Hopper tuning guide), 1 KB of it reserved per block"),
    "shared_bytes_per_cycle_per_sm": (128, "32 banks x 4 B per cycle (CUDA programming guide, shared memory)"),
    "memory_latency_s": (6e-7, "estimated: ~600 ns to DRAM under load (microbenchmark papers on Hopper give "
                               "~500-700 ns); with the bandwidth it sets the bytes in flight a full bus needs"),
    "loads_in_flight_per_thread": (2, "estimated: independent loads a thread has outstanding (unrolled loops)"),
    "launch_s": (2.5e-6, "estimated: a kernel launch's overhead, the usual 2-5 us"),
}


def nvcc_resource_usage(code: str, arch: str = "sm_90", nvcc: Optional[str] = None,
                        timeout: float = 180.0) -> dict[str, dict]:
    """``nvcc --resource-usage`` of CUDA ``code`` (compile only, no GPU): per kernel name
    (demangled to the plain name where it is ``_Z<len><name>...``) ``{registers, shared_bytes,
    stack_bytes, spill_bytes}``. ``{}`` when nvcc is absent; raises RuntimeError when it fails."""
    import os
    import re
    import shutil
    import subprocess
    import tempfile
    from ..toolchains import Toolchain
    exe = nvcc or Toolchain().path("nvcc") or shutil.which("nvcc")
    if not exe:
        return {}
    with tempfile.TemporaryDirectory(prefix="xpiler-ru-") as d:
        src = os.path.join(d, "k.cu")
        with open(src, "w") as fh:
            fh.write(code)
        r = subprocess.run([exe, "--resource-usage", f"-arch={arch}", "-c", "-x", "cu", src, "-o",
                            os.path.join(d, "k.o")], capture_output=True, text=True, timeout=timeout,
                           env=dict(os.environ, LC_ALL="C"))
    if r.returncode != 0:
        raise RuntimeError(f"nvcc failed: {r.stderr.strip()[-400:]}")
    out: dict[str, dict] = {}
    name = None
    for line in (r.stdout + r.stderr).splitlines():
        m = re.search(r"(?:Compiling entry function|Function properties for) '?([\w$]+)'?", line)
        if m:
            mangled = m.group(1)
            dm = re.match(r"_Z(\d+)(\w+)", mangled)
            name = dm.group(2)[:int(dm.group(1))] if dm else mangled
            out.setdefault(name, {"registers": 0, "shared_bytes": 0, "stack_bytes": 0, "spill_bytes": 0})
            continue
        if name is None:
            continue
        if (m := re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores", line)):
            out[name]["stack_bytes"], out[name]["spill_bytes"] = int(m.group(1)), int(m.group(2))
        if (m := re.search(r"Used (\d+) registers", line)):
            out[name]["registers"] = int(m.group(1))
        if (m := re.search(r"(\d+) bytes smem", line)):
            out[name]["shared_bytes"] = int(m.group(1))
    return out


_TENSOR_TYPE = {"half": "fp16", "__half": "fp16", "__nv_bfloat16": "fp16", "bf16": "fp16", "fp16": "fp16",
                "float": "tf32", "tf32": "tf32", "precision::tf32": "tf32", "int8_t": "int8", "signed char": "int8",
                "unsigned char": "int8", "char": "int8", "int8": "int8", "uint8_t": "int8", "s8": "int8", "u8": "int8"}


def predict_cuda(counters: dict, resource_usage: Optional[dict] = None, *, scale: float = 1.0,
                 gpu: Optional[dict] = None) -> Prediction:
    """Predicted seconds of a CUDA output on one H100 SXM from the counters of a checked,
    counted emulator run; see the module doc, "CUDA". ``resource_usage``: one kernel's
    ``nvcc_resource_usage`` entry (``{registers, shared_bytes}``; default 32 registers, with a
    note); ``scale``: the predicted shape's work over the emulated one's (blocks, traffic and
    operations are multiplied by it; threads per block are kept)."""
    import math
    g = dict(H100_SXM if gpu is None else gpu)
    used = {k: f"{v:g} ({src})" for k, (v, src) in g.items()}
    f = {k: v for k, (v, _) in g.items()}
    notes: list[str] = []
    ru = dict(resource_usage or {})
    regs = int(ru.get("registers") or 0)
    if not regs:
        regs = 32
        notes.append("registers per thread not measured (no nvcc --resource-usage): 32 assumed")
    block = int(counters.get("max_block_threads") or 0) or 1
    blocks = max(1.0, float(counters.get("blocks") or 1) * scale)
    smem = max(int(counters.get("max_shared_bytes") or 0), int(ru.get("shared_bytes") or 0))
    # occupancy: resident blocks per SM under each limit (warps allocated whole, registers per warp
    # in units of 256)
    warps = math.ceil(block / 32)
    regs_per_warp = math.ceil(regs * 32 / 256) * 256
    limits = {"blocks": int(f["max_blocks_per_sm"]), "threads": int(f["max_threads_per_sm"] // (warps * 32)),
              "registers": int(f["registers_per_sm"] // (regs_per_warp * warps)),
              "shared": int(f["shared_bytes_per_sm"] // (smem + 1024)) if smem else 1 << 30}
    per_sm = max(0, min(limits.values()))
    limiter = min(limits, key=limits.get)
    if per_sm == 0:
        notes.append(f"a block of {block} threads with {regs} registers and {smem} B of shared memory does not fit "
                     "an SM: the launch would fail")
        per_sm = 1
    occupancy = per_sm * warps * 32 / f["max_threads_per_sm"]
    sms = int(min(f["sms"], blocks))
    resident_blocks = min(blocks, f["sms"] * per_sm)
    waves = math.ceil(blocks / (f["sms"] * per_sm))
    acc = {k: v * scale for k, v in _access_totals({"access": {
        "plain": {s: c for s, c in ((counters.get("access") or {}).get("plain") or {}).items() if s != "shared"},
        "intrinsic": {s: c for s, c in ((counters.get("access") or {}).get("intrinsic") or {}).items()
                      if s != "shared"}}}).items()}
    shared = {"reads": 0.0, "read_bytes": 0.0, "writes": 0.0, "write_bytes": 0.0}
    for where in ("plain", "intrinsic"):
        c = ((counters.get("access") or {}).get(where) or {}).get("shared") or {}
        for k in shared:
            shared[k] += float(c.get(k, 0)) * scale
    dram = acc["read_bytes"] + acc["write_bytes"]
    accesses = acc["reads"] + acc["writes"]
    bytes_per_access = dram / accesses if accesses else 4.0
    # bandwidth: the bytes in flight the resident threads keep against the bus's need (Little's law)
    need = f["dram_bytes_per_s"] * f["memory_latency_s"]
    in_flight = resident_blocks * block * f["loads_in_flight_per_thread"] * bytes_per_access
    bw_share = min(1.0, in_flight / need)
    memory_s = dram / (f["dram_bytes_per_s"] * bw_share) if dram else 0.0
    scalar_ops = float(counters.get("scalar_ops") or 0) * scale
    scalar_s = scalar_ops / (f["fp32_ops_per_s"] * sms / f["sms"])
    shared_bytes = shared["read_bytes"] + shared["write_bytes"]
    onchip_s = shared_bytes / (f["shared_bytes_per_cycle_per_sm"] * f["clock_hz"] * sms)
    matrix_ops = 0.0
    matrix_s = 0.0
    for w in _work(counters):
        if w["family"] != "matmul":
            continue
        macs = float(w["amount"]) * scale
        key = _TENSOR_TYPE.get(str(w.get("type") or ""), "fp16")
        matrix_ops += 2 * macs
        matrix_s += 2 * macs / (f[f"tensor_{key}_ops_per_s"] * sms / f["sms"])
    launches = int(counters.get("launches") or 1)
    overhead = launches * f["launch_s"]
    terms = {"memory": memory_s, "scalar": scalar_s, "onchip": onchip_s, "matrix": matrix_s}
    seconds = overhead + max(terms.values())
    bound = max(terms, key=terms.get) if any(terms.values()) else "none"
    notes.append(f"{block} threads per block, {regs} registers per thread, {smem} B shared per block: {per_sm} "
                 f"block(s) per SM (limited by {limiter}), occupancy {occupancy:.0%}; {blocks:.0f} blocks on {sms} "
                 f"SMs, {waves} wave(s)")
    if bw_share < 1.0:
        notes.append(f"too few loads in flight for the full bandwidth: {bw_share:.0%} of it")
    if matrix_ops:
        notes.append(f"tensor cores: {matrix_ops:.3g} operations (mma counters)")
    notes.append("estimated figures used: memory_latency_s, loads_in_flight_per_thread, launch_s")
    p = Prediction("sm_90", "NVIDIA H100 SXM5", seconds, memory_s, 0.0, matrix_s, onchip_s, scalar_s, bound, True,
                   sms, dram, 0.0, matrix_ops, shared_bytes, scalar_ops, notes, used)
    p.details = {"block": block, "blocks": blocks, "registers": regs, "shared_bytes": smem, "blocks_per_sm": per_sm,
                 "limiter": limiter, "occupancy": occupancy, "waves": waves, "bandwidth_share": bw_share,
                 "launches": launches, "overhead_s": overhead}
    return p


# ================================================================================= ranking
def spearman(xs: list[float], ys: list[float]) -> Optional[float]:
    """Spearman's rank correlation of two equally long sequences (ties: average ranks): the
    Pearson correlation of the ranks. None with fewer than two items or a constant side."""
    if len(xs) != len(ys):
        raise ValueError("spearman: sequences of different lengths")
    if len(xs) < 2:
        return None
    rx, ry = ranks(xs), ranks(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    if not sxx or not syy:
        return None
    return sxy / (sxx * syy) ** 0.5


def ranks(xs: list[float]) -> list[float]:
    """1-based ranks, ties given the average of the ranks they span."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    out = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out
