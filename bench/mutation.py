"""Mutation test of the oracle: corpus kernels with seeded faults (off-by-one bounds, wrong
strides, removed barriers, wrong copy sizes and directions, swapped intrinsic operands).

A mutant *changes results* when, on any of three seeds, its outputs differ from the
original kernel's by more than re-association noise (rtol 1e-5, atol 1e-6 for floats, ten times tighter than the oracle; exactly for
integers), or it crashes, times out or produces a finding the original does not. (A
mutant that only re-associates a float sum is equivalent, not a survivor.) The oracle *kills* it when ``xpiler.check`` with the
default seed and tolerances reports a mismatch, a crash or a finding. Prints the kill
rate per dialect and mutation kind, and every surviving mutant.

    python bench/mutation.py [--dialect c] [--per-kind 2] [--limit N]
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "core"))
sys.path.insert(0, str(ROOT / "tests" / "kernels"))

import numpy as np  # noqa: E402

import corpus  # noqa: E402
from xpiler import oracle  # noqa: E402
from xpiler.diagnostics import XpilerError  # noqa: E402
from xpiler.frontend import parse_file  # noqa: E402
from xpiler.mutants import mutants  # noqa: E402
from xpiler.printer import print_module  # noqa: E402
from xpiler.runtime import execute, inputs  # noqa: E402

SEEDS = (0, 1, 2)


def values_for(entry, seed: int) -> dict:
    return inputs.values(entry.args, seed, entry.inputs)


def run(text: str, entry, seed: int):
    try:
        return execute(text, path=str(entry.file), kernel=entry.kernel, args=values_for(entry, seed),
                       launch=entry.launch, timeout=20)
    except XpilerError as e:  # does not build: an obvious kill
        return e


def changed(base, mut) -> bool:
    if isinstance(mut, Exception) or not mut.ok:
        return True
    if {(f.kind, f.line) for f in mut.findings} - {(f.kind, f.line) for f in base.findings}:
        return True
    for k, v in base.outputs.items():
        w = mut.outputs.get(k)
        if w is None or w.shape != v.shape:
            return True
        if v.dtype.kind == "f":
            if not np.allclose(v.astype(np.float64), w.astype(np.float64), rtol=1e-5, atol=1e-6, equal_nan=True):
                return True
        elif not np.array_equal(v, w):
            return True
    return False


def evaluate(entries, per_kind: int, limit: int | None, verbose: bool = True):
    stats: Counter = Counter()
    survivors = []
    t0 = time.time()
    n = 0
    for e in entries:
        module = parse_file(e.file)
        base = {s: run(print_module(module), e, s) for s in SEEDS}
        if any(isinstance(b, Exception) or not b.ok for b in base.values()):
            print(f"skip {e.id}: the original does not run", file=sys.stderr)
            continue
        for m in mutants(module, per_kind):
            if limit is not None and n >= limit:
                break
            n += 1
            text = print_module(m.module)
            runs = {s: run(text, e, s) for s in SEEDS}
            if not any(changed(base[s], runs[s]) for s in SEEDS):
                stats[(e.dialect, m.kind, "equivalent")] += 1
                continue
            r0 = runs[0]
            if isinstance(r0, Exception):
                killed = True
            else:
                report = oracle.check(print_module(module), text, path=str(e.file), candidate_path=str(e.file),
                                      kernel=e.kernel, values=values_for(e, 0), launch=e.launch, outputs=list(e.outputs),
                                      rtol=e.rtol, atol=e.atol)
                killed = not report.ok or bool(report.candidate and {(f.kind, f.line) for f in report.candidate.findings}
                                                  - {(f.kind, f.line) for f in report.source.findings})
            stats[(e.dialect, m.kind, "killed" if killed else "survived")] += 1
            if not killed:
                survivors.append(f"{e.id} line {m.line}: {m.kind} ({m.description})")
    return stats, survivors, time.time() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dialect", action="append", choices=corpus.DIALECTS)
    ap.add_argument("--per-kind", type=int, default=2)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--family", action="append")
    a = ap.parse_args()
    entries = [e for e in corpus.entries(tuple(a.dialect or corpus.DIALECTS)) if not a.family or e.family in a.family]
    stats, survivors, secs = evaluate(entries, a.per_kind, a.limit)
    killed = sum(v for (d, k, r), v in stats.items() if r == "killed")
    survived = sum(v for (d, k, r), v in stats.items() if r == "survived")
    equivalent = sum(v for (d, k, r), v in stats.items() if r == "equivalent")
    print(f"mutants: {killed + survived + equivalent} ({equivalent} equivalent: same outputs on 3 seeds, no finding)")
    for key in sorted({(d, k) for d, k, _ in stats}):
        kk, ss = stats[key + ("killed",)], stats[key + ("survived",)]
        if kk + ss:
            print(f"  {key[0]:5s} {key[1]:17s} killed {kk}/{kk + ss}")
    rate = killed / (killed + survived) if killed + survived else 1.0
    print(f"kill rate: {killed}/{killed + survived} = {100 * rate:.1f}% of the mutants that change results "
          f"({secs:.0f} s)")
    for s in survivors:
        print(f"  survived: {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
