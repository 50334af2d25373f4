"""Translation accuracy over the corpus: every kernel to each of the other four dialects.

    .venv/bin/python bench/accuracy.py [--from cuda,c] [--to bang] [--family gemm] [--jobs 2] [--limit N]

Prints, per direction, computation accuracy (translated and matching the source on the
oracle's inputs; refusals and timeouts count as failures), compile accuracy (the real
compiler where installed; the strict BANG header reported apart), the share of outputs
that use the target's parallelism (more than one thread block, task or OpenMP loop) or
name why not, and the same for the holdout kernels apart; then a direction x family matrix
of computation accuracy and the failures with their reasons. Results go to
bench/results/accuracy.json (``--out`` elsewhere).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "kernels"))

import corpus  # noqa: E402

TARGETS = ("cuda", "hip", "bang", "vnni", "c")


def _one(job: tuple) -> dict:
    dialect, file, kernel, holdout, family, to, timeout, inputs = job
    import xpiler

    t0 = time.monotonic()
    text = Path(file).read_text()
    rel = str(Path(file).relative_to(ROOT))
    try:
        t = xpiler.translate(text, to, kernel, rel, timeout=timeout, generators=inputs)
        status, why = t.status, t.why
        compute = next((c.verdict for c in t.checks if c.kind == "compute"), None)
        comp = next((c for c in t.checks if c.kind == "compile"), None)
        parallel = _parallel(t)
        named = any(n.not_ for n in t.nests)
        nests = [{"into": n.tensorized_into, "staged": n.staged_in, "not": n.not_} for n in t.nests]
    except Exception as e:  # noqa: BLE001 - a crash is a failure to report, not to stop on
        status, why, compute, comp, parallel, named = "crash", f"{type(e).__name__}: {e}", None, None, False, False
        nests = []
    return {"from": dialect, "to": to, "file": rel, "kernel": kernel, "family": family, "holdout": holdout,
            "status": status, "why": why, "compute_ok": compute in ("tested", "sampled", "proved"),
            "compile": comp.verdict if comp else None, "compile_tool": comp.tool if comp else None,
            "parallel": parallel, "why_not_named": named, "nests": nests, "seconds": round(time.monotonic() - t0, 2)}


def _parallel(t) -> bool:
    if not t.launch:
        return any(n.bound_to for n in t.nests)  # OpenMP: no launch
    for part in t.launch.split(";"):
        fields = dict(f.split("=", 1) for f in part.split() if "=" in f)
        if "grid" in fields:
            g = [int(x) for x in fields["grid"].split(",")]
            b = [int(x) for x in fields["block"].split(",")]
            if g[0] * g[1] * g[2] > 1 or b[0] * b[1] * b[2] > 1:
                return True
        if "dim" in fields and int(fields["dim"].split(",")[0]) > 1:
            return True
    return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--from", dest="src", default=",".join(TARGETS))
    ap.add_argument("--to", default=",".join(TARGETS))
    ap.add_argument("--family", default="")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="at most N kernels per source dialect")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "accuracy.json"),
                    help="where the per-translation results go (JSON)")
    a = ap.parse_args()
    srcs, tos = a.src.split(","), a.to.split(",")
    fams = set(filter(None, a.family.split(",")))
    jobs = []
    per: dict[str, int] = defaultdict(int)
    for e in corpus.entries(tuple(srcs)):
        if fams and e.family not in fams:
            continue
        if a.limit and per[e.dialect] >= a.limit:
            continue
        per[e.dialect] += 1
        for to in tos:
            if to != e.dialect:
                jobs.append((e.dialect, str(e.file), e.kernel, e.holdout, e.family, to, a.timeout, dict(e.inputs)))
    t0 = time.monotonic()
    results = []
    with ProcessPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        for i, r in enumerate(pool.map(_one, jobs), 1):
            results.append(r)
            mark = "ok " if r["compute_ok"] else "FAIL"
            print(f"[{i}/{len(jobs)}] {mark} {r['from']}->{r['to']} {r['file']}:{r['kernel']} "
                  f"{r['status']} ({r['seconds']} s)", file=sys.stderr, flush=True)
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    _print(results, time.monotonic() - t0)
    return 0


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:5.1f}% ({a}/{b})" if b else "    -"


def _print(results: list[dict], seconds: float) -> None:
    by_dir: dict[tuple, list] = defaultdict(list)
    for r in results:
        by_dir[(r["from"], r["to"])].append(r)
    print(f"\nTranslation accuracy, {len(results)} translations in {seconds:.0f} s\n")
    print(f"{'direction':<12} {'computation':>18} {'compile':>18} {'parallel/why':>18} {'holdout comp.':>18}")
    for (s, t), rs in sorted(by_dir.items()):
        comp = [r for r in rs if r["compile"] in ("tested", "failed")]
        ho = [r for r in rs if r["holdout"]]
        print(f"{s + '->' + t:<12} {_pct(sum(r['compute_ok'] for r in rs), len(rs)):>18} "
              f"{_pct(sum(r['compile'] == 'tested' for r in comp), len(comp)):>18} "
              f"{_pct(sum(r['parallel'] or r['why_not_named'] for r in rs), len(rs)):>18} "
              f"{_pct(sum(r['compute_ok'] for r in ho), len(ho)):>18}")
    print("\ncompile accuracy per target (BANG: the strict header, not a compiler):")
    for t in TARGETS:
        rs = [r for r in results if r["to"] == t and r["compile"] in ("tested", "failed")]
        tool = {r["compile_tool"] for r in rs}
        print(f"  {t:<5} {_pct(sum(r['compile'] == 'tested' for r in rs), len(rs))}  {', '.join(sorted(tool))}")
    print("\nparallel outputs (more than one block/thread, task or an OpenMP loop), per target:")
    for t in TARGETS:
        rs = [r for r in results if r["to"] == t]
        print(f"  {t:<5} {_pct(sum(r['parallel'] for r in rs), len(rs))}")
    fams = sorted({r["family"] for r in results})
    dirs = sorted(by_dir)
    print("\ncomputation accuracy, direction x family (ok/total):")
    print(f"{'family':<18}" + "".join(f"{s[:1]}{t[:1]:<3}"[:4].rjust(6) for s, t in dirs))
    for fam in fams:
        row = f"{fam:<18}"
        for d in dirs:
            rs = [r for r in by_dir[d] if r["family"] == fam]
            row += (f"{sum(r['compute_ok'] for r in rs)}/{len(rs)}" if rs else "-").rjust(6)
        print(row)
    fails = [r for r in results if not r["compute_ok"]]
    if fails:
        print(f"\nfailures ({len(fails)}):")
        for r in fails:
            print(f"  {r['from']}->{r['to']} {r['file']}:{r['kernel']}: {r['status']}: {r['why'][:240]}")


if __name__ == "__main__":
    raise SystemExit(main())
