"""Does the cost model rank candidate variants of a kernel as measurement does? (issue 18)

    .venv/bin/python bench/cost_model.py [--family add,softmax] [--repeat 10] [--threads N]
                                         [--out FILE.json] [--no-cuda]

For each kernel below, candidate variants of the same operator are built:

- the corpus's CUDA kernel translated to ``c`` and to ``vnni``, with the default pass sequence
  and with ``tensorize`` (and ``cache``, ``pipeline`` where built) taken out of it;
- the corpus's C kernel translated to ``vnni`` (tensorized: AVX-512 loops, and not);
- the corpus's VNNI kernel translated to ``c``;
- the hand-written corpus C and VNNI kernels themselves;
- a serial form of the tensorized VNNI translation (its ``#pragma omp`` lines removed);

identical programs (the same text but for ``#include`` lines) are kept once. Every variant
is compiled as ``bench/perf_cpu.py`` compiles (its helpers are imported: ``gcc``/``g++ -O3
-march=native -fopenmp``, loaded with ctypes), checked against the NumPy reference at the
measured shape (a wrong one is reported, not ranked), and timed with perf_cpu's harness: two
warm-up calls, the median of ``--repeat`` (at least 10) calls, the variants of a kernel
interleaved call by call, the same thread count for all.

The prediction of each variant is ``xpiler.tune.cost.predict_cpu`` on the counters of one
checked, counted emulator run (``execute(counters=True)``) of the same variant at a small
*emulated shape* that keeps the per-row (per-output) extents of the measured shape and
shrinks the parallel one (rows, outputs, elements): the counts are multiplied by the ratio of
the two (``scale`` below), the OpenMP loop's extent is read from the measured variant's code
(``omp_parallelism``), and the DRAM footprint is the measured shape's buffers.

Printed per kernel: each variant's measured and predicted milliseconds and the bound term,
Spearman's rank correlation between the two columns (ties: average ranks), and overall the
mean of the per-kernel correlations (each kernel's variants are ranked among themselves,
never against another kernel's), with whether it reaches the issue's 0.8.

CUDA: the corpus's C kernel translated to ``cuda`` with the ``bind`` pass's ``block`` in
64..1024, and the corpus's CUDA kernel, each predicted by ``predict_cuda`` (H100 SXM
figures; registers and shared memory from ``nvcc --resource-usage -arch=sm_90`` where nvcc is
installed) from the emulator's counters at the emulated shape. No GPU is lent to this bench:
the CUDA predictions are printed and recorded, not measured.
"""
from __future__ import annotations

import argparse
import os
import sys

if __name__ == "__main__":  # thread counts are read once, when libgomp starts (perf_cpu does the same)
    _n = "0"
    for _i, _a in enumerate(sys.argv):
        if _a == "--threads" and _i + 1 < len(sys.argv):
            _n = sys.argv[_i + 1]
        elif _a.startswith("--threads="):
            _n = _a.split("=", 1)[1]
    _n = _n if _n != "0" else str(os.cpu_count() or 1)
    for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_v] = _n

import dataclasses  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable, Optional  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import perf_cpu as P  # noqa: E402  (also puts core/ on sys.path)

import xpiler  # noqa: E402
from xpiler import driver, passes  # noqa: E402
from xpiler.tune import cost  # noqa: E402

RHO_TARGET = 0.8
CUDA_BLOCKS = (64, 128, 256, 512, 1024)


@dataclasses.dataclass
class Kernel:
    """One operator: perf_cpu's case (inputs, reference, args comment) at a measured and an
    emulated shape; ``scale(measured, emulated)``: how much more work the measured shape has."""

    name: str
    case: str  # perf_cpu.CASES name
    measured: dict
    emulated: dict
    scale: Callable[[dict, dict], float]


def _ratio(*keys):
    def f(m, e):
        r = 1.0
        for k in keys:
            r *= m[k] / e[k]
        return r
    return f


KERNELS: list[Kernel] = [
    Kernel("add", "add", dict(n=1 << 22), dict(n=4096), _ratio("n")),
    Kernel("gelu", "gelu", dict(n=1 << 21), dict(n=4096), _ratio("n")),
    Kernel("softmax", "softmax", dict(rows=256, cols=2048), dict(rows=2, cols=2048), _ratio("rows")),
    Kernel("layernorm", "layernorm", dict(rows=256, cols=2048), dict(rows=2, cols=2048), _ratio("rows")),
    Kernel("gemm", "gemm_f32", dict(M=256, N=256, K=256), dict(M=32, N=64, K=256), _ratio("M", "N")),
]


@dataclasses.dataclass
class Variant:
    label: str
    target: str  # c | vnni | cuda
    source: str  # corpus file (relative to tests/kernels)
    call: str  # the function called (and emulated)
    code: dict = dataclasses.field(default_factory=dict)  # "measured" / "emulated" -> code
    error: str = ""
    block: Optional[int] = None


def _entry(path: Path) -> str:
    m = re.search(r'^(?:extern "C"\s+)?void\s+(\w+)\s*\(', path.read_text(), re.M)
    if not m:
        raise RuntimeError(f"no entry function in {path}")
    return m.group(1)


def _dialect(path: str) -> str:
    return "cuda" if path.endswith(".cu") else "vnni" if path.endswith("_vnni.cpp") else "c"


def _serial(code: str) -> str:
    return "\n".join(ln for ln in code.splitlines() if not re.match(r"\s*#\s*pragma\s+omp\b", ln)) + "\n"


def _norm(code: str) -> str:
    return "\n".join(ln for ln in code.splitlines() if not ln.lstrip().startswith("#include"))


def _sources(case: P.Case) -> dict[str, tuple[P.Case, str]]:
    """dialect -> (the case re-pointed at that corpus file, the function to translate and call)."""
    fam = case.file.split("/")[0]
    out = {"cuda": (case, case.call)}
    for d, f in (("c", f"{fam}/{fam}.c"), ("vnni", f"{fam}/{fam}_vnni.cpp")):
        if (P.KERNELS / f).exists():
            ent = _entry(P.KERNELS / f)
            out[d] = (dataclasses.replace(case, file=f, translate=ent, call=ent, launch=None), ent)
    return out


def _translate(case: P.Case, shape: dict, to: str, seq) -> str:
    src = P.patched_source(case, shape)
    t = xpiler.translate(src, to=to, kernel=case.translate, path=str(P.KERNELS / case.file), verify="none",
                         sequence=seq, compile=False)
    if t.status not in ("checked", "unverified") or not t.code:
        raise RuntimeError(f"translation {t.status}: {t.why}")
    return t.code


def cpu_variants(k: Kernel, case: P.Case) -> list[Variant]:
    srcs = _sources(case)
    out: list[Variant] = []
    for sd, (sc, call) in srcs.items():
        for to in ("c", "vnni"):
            if to == sd:  # the hand-written kernel itself
                v = Variant(f"{sd} (hand-written)", to, sc.file, call)
                text = (P.KERNELS / sc.file).read_text()
                v.code = {"measured": text, "emulated": text}
                out.append(v)
                continue
            base, removed = P.baseline_sequence(sd, to)
            for lab, seq in (("", None), (" -" + ",".join(removed), base)):
                if lab and seq is None:
                    continue
                v = Variant(f"{sd}->{to}{lab}", to, sc.file, call)
                try:
                    v.code = {"measured": _translate(sc, k.measured, to, seq),
                              "emulated": _translate(sc, k.emulated, to, seq)}
                except Exception as e:  # noqa: BLE001 - reported
                    v.error = f"{type(e).__name__}: {e}"
                out.append(v)
    # a serial form of the tensorized C -> VNNI translation (OpenMP off)
    for v in list(out):
        if v.label in ("c->vnni",) and not v.error and "omp parallel" in v.code["measured"]:
            s = Variant(v.label + " serial", v.target, v.source, v.call)
            s.code = {kk: _serial(c) for kk, c in v.code.items()}
            out.append(s)
    seen: dict[str, str] = {}
    kept = []
    for v in out:
        if v.error:
            kept.append(v)
            continue
        h = hashlib.sha1(_norm(v.code["measured"]).encode()).hexdigest()
        if h in seen:
            print(f"  {v.label}: same program as {seen[h]}, kept once", file=sys.stderr)
            continue
        seen[h] = v.label
        kept.append(v)
    return kept


def _values(case: P.Case, shape: dict, rng) -> dict:
    return case.inputs(shape, rng)


def counters_of(v: Variant, case: P.Case, shape: dict) -> dict:
    path = "k.cpp" if v.target == "vnni" else "k.cu" if v.target == "cuda" else "k.c"
    ex = xpiler.runtime.execute(v.code["emulated"], path=path, dialect=v.target, kernel=v.call,
                                arg_spec=case.args(shape), counters=True, timeout=300)
    if not ex.ok:
        raise RuntimeError(f"emulator: {ex.status} {ex.message}")
    return ex.counters


def run_kernel(k: Kernel, a, cpu: cost.CpuFigures, work: Path, vnni_flags, rng) -> dict:
    case = next(c for c in P.CASES if c.name == k.case)
    scale = k.scale(k.measured, k.emulated)
    print(f"[{k.name}] measured {k.measured}, emulated {k.emulated} (scale {scale:g})", file=sys.stderr, flush=True)
    vals = _values(case, k.measured, rng)
    ref = np.asarray(case.reference(vals, k.measured))
    footprint = float(sum(x.nbytes for x in vals.values() if isinstance(x, np.ndarray)))
    scalars = {n: x for n, x in vals.items() if not isinstance(x, np.ndarray)}
    rows = []
    timers = {}
    counted: dict[str, dict] = {}
    for v in cpu_variants(k, case):
        row = {"variant": v.label, "target": v.target, "source": v.source, "call": v.call}
        rows.append(row)
        if v.error:
            row["error"] = v.error
            print(f"  {v.label}: {v.error}", file=sys.stderr, flush=True)
            continue
        try:
            stem = f"{k.name}_{len(rows)}"
            lib = P.compile_lib(v.code["measured"], v.target, work, stem, vnni_flags)
            b = P.Built(v.target, "default", lib=lib, params=P._signature(v.code["measured"], v.call))
            fn = getattr(__import__("ctypes").CDLL(str(lib)), P._symbol(lib, v.call))
            fn.restype = None
            b.fn = fn
            out = vals[case.output]
            out.fill(np.nan if out.dtype.kind == "f" else -0x5A5A5A5A)
            call = P.caller(b, vals)
            call()
            ok, detail = P._check(out, ref, case.rtol, case.atol)
            row["check"] = detail
            if not ok:
                row["error"] = "WRONG: " + detail
                print(f"  {v.label}: WRONG {detail}", file=sys.stderr, flush=True)
                continue
            t0 = time.monotonic()
            c = counters_of(v, case, k.emulated)
            row["emulator_s"] = round(time.monotonic() - t0, 2)
            row["parallel_iterations"] = cost.omp_parallelism(v.code["measured"], scalars)
            counted[v.label] = c
            timers[v.label] = call
            print(f"  {v.label}: correct, counted", file=sys.stderr, flush=True)
        except Exception as e:  # noqa: BLE001 - one variant's failure is reported, the others go on
            row["error"] = f"{type(e).__name__}: {e}"
            print(f"  {v.label}: {row['error']}", file=sys.stderr, flush=True)
    # the machine's state right before the timed rounds, for the model (others share this CPU)
    cost.sample_load(cpu)
    for row in rows:
        c = counted.get(row["variant"])
        if c is None:
            continue
        p = cost.predict_cpu(c, cpu, parallel=row["parallel_iterations"], scale=scale, footprint_bytes=footprint)
        row.update(predicted_ms=p.seconds * 1e3, bound=p.bound, threads=p.cores,
                   prediction={kk: p.to_json()[kk] for kk in ("memory_s", "onchip_s", "scalar_s", "vector_s",
                                                               "matrix_s", "dram_bytes", "scalar_ops", "notes",
                                                               "details")})
    load0 = os.getloadavg()
    ms = P.timed(timers, a.repeat)
    load1 = os.getloadavg()
    for row in rows:
        if row["variant"] in ms:
            row["ms"] = ms[row["variant"]]
            row["measured_ms"] = P._median(ms[row["variant"]])
    ranked = [r for r in rows if "measured_ms" in r and "predicted_ms" in r]
    rho = cost.spearman([r["measured_ms"] for r in ranked], [r["predicted_ms"] for r in ranked])
    return {"kernel": k.name, "case": k.case, "measured_shape": k.measured, "emulated_shape": k.emulated,
            "scale": scale, "footprint_bytes": footprint, "variants": rows, "rho": rho, "n": len(ranked),
            "loadavg_before": load0, "loadavg_after": load1, "free_cores": cpu.free_cores,
            "others_runnable": cpu.others_runnable}


def cuda_variants(k: Kernel, case: P.Case) -> list[dict]:
    """The CUDA candidates of one kernel, predicted only."""
    srcs = _sources(case)
    out = []
    cands = []
    sc, call = srcs["cuda"]
    cands.append((f"cuda (hand-written){'' if sc.launch is None else ', its launch'}", sc, None, True))
    if "c" in srcs:
        steps, _ = driver.default_sequence("c", "cuda")
        for blk in CUDA_BLOCKS:
            seq = [passes.Step(s.name, {**s.params, "block": blk}) if s.name == "bind" else s for s in steps]
            cands.append((f"c->cuda block={blk}", srcs["c"][0], seq, False))
    scale = k.scale(k.measured, k.emulated)
    for label, c, seq, hand in cands:
        row = {"variant": label, "source": c.file}
        out.append(row)
        try:
            code = P.patched_source(c, k.emulated) if hand else _translate(c, k.emulated, "cuda", seq)
            ex = xpiler.runtime.execute(code, path="k.cu", dialect="cuda", kernel=c.translate,
                                        arg_spec=case.args(k.emulated), counters=True, timeout=300)
            if not ex.ok:
                raise RuntimeError(f"emulator: {ex.status} {ex.message}")
            try:
                ru = cost.nvcc_resource_usage(code)
            except Exception as e:  # noqa: BLE001
                ru, row["nvcc"] = {}, f"{type(e).__name__}: {e}"
            kern = max(ru.values(), key=lambda r: r["registers"]) if ru else None
            p = cost.predict_cuda(ex.counters, kern, scale=scale)
            row.update(predicted_ms=p.seconds * 1e3, bound=p.bound, resource_usage=ru, details=p.details,
                       notes=p.notes, memory_s=p.memory_s, scalar_s=p.scalar_s, onchip_s=p.onchip_s,
                       matrix_s=p.matrix_s)
            print(f"  {label}: predicted {p.seconds * 1e6:.1f} us ({p.bound}; block {p.details['block']}, "
                  f"{kern['registers'] if kern else '?'} regs, occupancy {p.details['occupancy']:.0%})",
                  file=sys.stderr, flush=True)
        except Exception as e:  # noqa: BLE001
            row["error"] = f"{type(e).__name__}: {e}"
            print(f"  {label}: {row['error']}", file=sys.stderr, flush=True)
    return out


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", default="", help="comma-separated kernels: " + ", ".join(k.name for k in KERNELS))
    ap.add_argument("--repeat", type=int, default=P.MIN_REPEAT, help=f"timed calls per variant (at least "
                    f"{P.MIN_REPEAT})")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="OpenMP threads (default all cores)")
    ap.add_argument("--out", help="write every figure (and sample) to this JSON file")
    ap.add_argument("--no-cuda", action="store_true", help="skip the CUDA predictions")
    a = ap.parse_args(argv)
    if a.repeat < P.MIN_REPEAT:
        print(f"--repeat {a.repeat}: using {P.MIN_REPEAT}")
        a.repeat = P.MIN_REPEAT
    os.environ["OMP_NUM_THREADS"] = str(a.threads)
    want = {w.strip() for w in a.family.split(",") if w.strip()}
    unknown = want - {k.name for k in KERNELS} - {k.case for k in KERNELS}
    if unknown:
        raise SystemExit(f"unknown kernel {', '.join(sorted(unknown))}; known: {', '.join(k.name for k in KERNELS)}")
    kernels = [k for k in KERNELS if not want or k.name in want or k.case in want]
    cpu = cost.detect_cpu()
    mode, simde_flags, why = P.vnni_mode(False)
    vnni_flags = None if mode == "native" else simde_flags
    cpu.cores = min(cpu.cores, a.threads)
    print(f"CPU: {cpu.model}, {os.cpu_count()} cores, {a.threads} OpenMP threads; clock {cpu.clock_hz / 1e9:.2f} GHz, "
          f"{cpu.vector_bits}-bit vectors, VNNI {'native' if mode == 'native' else 'through SIMDe'}; "
          f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"compilers: {P.CC} / {P.CXX} {' '.join(P.C_FLAGS)}; median of {a.repeat} calls after {P.WARMUP} "
          "warm-up calls, variants interleaved call by call")
    print("model: xpiler.tune.cost.predict_cpu on the counters of one emulator run at the emulated shape, scaled")
    rng = np.random.default_rng(0)
    work = Path(tempfile.mkdtemp(prefix="xpiler-cost-"))
    results = []
    try:
        for k in kernels:
            results.append(run_kernel(k, a, cpu, work, vnni_flags, rng))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rhos = []
    for r in results:
        print(f"\n{r['kernel']}: measured at {' '.join(f'{x}={y}' for x, y in r['measured_shape'].items())}, "
              f"emulated at {' '.join(f'{x}={y}' for x, y in r['emulated_shape'].items())} (x{r['scale']:g})")
        print(f"  {'variant':<34} {'measured ms':>12} {'predicted ms':>13} {'bound':>8} {'threads':>7}")
        for v in sorted(r["variants"], key=lambda v: v.get("measured_ms") or float("inf")):
            if "measured_ms" in v:
                print(f"  {v['variant']:<34} {v['measured_ms']:>12.3f} {v['predicted_ms']:>13.3f} {v['bound']:>8} "
                      f"{v['threads']:>7}")
            else:
                print(f"  {v['variant']:<34} {'-':>12} {'-':>13}   not ranked: {v.get('error', '?')[:90]}")
        rho = r["rho"]
        if rho is not None:
            rhos.append(rho)
        print(f"  Spearman rho ({r['n']} variants): {'n/a' if rho is None else f'{rho:.3f}'}"
              f"{'' if rho is None else (' meets' if rho >= RHO_TARGET else ' below')} {RHO_TARGET}; "
              f"1-min load {r['loadavg_before'][0]:.2f} -> {r['loadavg_after'][0]:.2f}, "
              f"{r['free_cores']:.2f} cores free and {r['others_runnable']:.1f} other runnable threads before timing")
    overall = sum(rhos) / len(rhos) if rhos else None
    print(f"\noverall: mean of the per-kernel Spearman rho over {len(rhos)} kernels = "
          f"{'n/a' if overall is None else f'{overall:.3f}'}; min {min(rhos) if rhos else float('nan'):.3f}; "
          f"target >= {RHO_TARGET}: {'met' if overall is not None and overall >= RHO_TARGET else 'NOT met'} "
          f"(per kernel: {sum(1 for x in rhos if x >= RHO_TARGET)} of {len(rhos)} at or above it)")

    cuda = {}
    if not a.no_cuda:
        print("\nCUDA (H100 SXM figures; predict_cuda, registers from nvcc --resource-usage -arch=sm_90):")
        for k in kernels:
            case = next(c for c in P.CASES if c.name == k.case)
            print(f"[{k.name} cuda]", file=sys.stderr, flush=True)
            cuda[k.name] = cuda_variants(k, case)
            print(f"  {k.name} at {' '.join(f'{x}={y}' for x, y in k.measured.items())}:")
            for v in cuda[k.name]:
                if "predicted_ms" in v:
                    d = v["details"]
                    print(f"    {v['variant']:<34} {v['predicted_ms'] * 1e3:>10.1f} us  {v['bound']:>7}  block "
                          f"{d['block']:>4}, {d['registers']:>3} regs, {d['blocks_per_sm']:>2} blocks/SM "
                          f"({d['limiter']}), occupancy {d['occupancy']:.0%}, bandwidth share "
                          f"{d['bandwidth_share']:.0%}")
                else:
                    print(f"    {v['variant']:<34} not predicted: {v.get('error', '?')[:100]}")
        print("  no GPU lent: CUDA predictions not measured")
    if a.out:
        meta = {"cpu": cpu.model, "cores": os.cpu_count(), "threads": a.threads, "clock_hz": cpu.clock_hz,
                "figures": cpu.figures, "vnni": mode, "repeat": a.repeat, "warmup": P.WARMUP,
                "when": time.strftime("%Y-%m-%d %H:%M:%S"), "overall": "mean of per-kernel Spearman rho"}
        Path(a.out).write_text(json.dumps({"meta": meta, "overall_rho": overall, "kernels": results,
                                           "cuda": cuda, "cuda_measured": False}, indent=1, default=str))
        print(f"\nraw figures: {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
