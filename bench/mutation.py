"""Mutation test of the oracle: corpus kernels with seeded faults (off-by-one bounds, wrong
strides, removed barriers, wrong copy sizes and directions, swapped intrinsic operands).

Each mutant gets one verdict:

- *build failure*: it does not build (or cannot be set up to run); reported apart, neither a
  kill nor a survivor (the oracle never sees it).
- *equivalent*: on each of three seeds, with every buffer generated at random (outputs too),
  it runs, has no error finding the original lacks, and its buffers equal the original's
  within re-association noise (rtol 1e-5, atol 1e-6 for floats, ten times tighter than the
  oracle; exactly for integers). A mutant that only re-associates a float sum is not a survivor.
- otherwise it *changes results*, and it is *killed* only when ``xpiler.check`` (default
  seeds and tolerances) returns ``report.ok`` false: a mismatch, a never-written or
  candidate-only element, an error finding, a crash or a timeout. Otherwise it *survived*.

Prints the kill rate per dialect and mutation kind, every surviving mutant and the build
failures.

    python bench/mutation.py [--dialect c] [--per-kind 2] [--limit N]
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

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
from xpiler.runtime import Execution, execute, inputs  # noqa: E402

SEEDS = (0, 1, 2)


def values_for(entry, seed: int) -> dict:
    return inputs.values(entry.args, seed, entry.inputs)


def run(text: str, entry, seed: int) -> Union[Execution, XpilerError]:
    try:
        return execute(text, path=str(entry.file), kernel=entry.kernel, args=values_for(entry, seed),
                       launch=entry.launch, timeout=20)
    except XpilerError as e:  # does not build, or cannot be set up
        return e


def _new_errors(base: Execution, mut: Execution) -> set[tuple[str, int]]:
    key = lambda ex: {(f.kind, f.line) for f in ex.findings if f.severity == "error"}  # noqa: E731
    return key(mut) - key(base)


def changed(base: Execution, mut: Execution) -> bool:
    """Whether a mutant's run differs from the original's beyond re-association noise."""
    if not mut.ok or _new_errors(base, mut):
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


def judge(original: str, text: str, entry, base: dict[int, Execution]) -> tuple[str, Optional[str]]:
    """The verdict on one mutant (``build-failure``, ``equivalent``, ``killed``, ``survived``)
    and, for a build failure, why. ``base``: the original's run per seed of SEEDS."""
    runs = {s: run(text, entry, s) for s in SEEDS}
    failed = next((r for r in runs.values() if isinstance(r, XpilerError)), None)
    if failed is not None:
        return "build-failure", str(failed).splitlines()[0][:200]
    if not any(changed(base[s], runs[s]) for s in SEEDS):
        return "equivalent", None
    report = oracle.check(original, text, path=str(entry.file), candidate_path=str(entry.file), kernel=entry.kernel,
                          args=entry.args, generators=entry.inputs, launch=entry.launch, outputs=list(entry.outputs),
                          rtol=entry.rtol, atol=entry.atol, timeout=20)
    return ("survived" if report.ok else "killed"), None


@dataclass
class Results:
    stats: Counter  # (dialect, kind, verdict) -> mutants
    survivors: list[str]
    build_failures: list[str]
    seconds: float

    def count(self, verdict: str) -> int:
        return sum(v for (_, _, r), v in self.stats.items() if r == verdict)

    @property
    def kill_rate(self) -> float:
        """Killed over the mutants that change results (build failures and equivalents apart)."""
        k, s = self.count("killed"), self.count("survived")
        return k / (k + s) if k + s else 1.0


def evaluate(entries, per_kind: int, limit: Optional[int]) -> Results:
    stats: Counter = Counter()
    survivors: list[str] = []
    build_failures: list[str] = []
    t0 = time.time()
    n = 0
    for e in entries:
        module = parse_file(e.file)
        original = print_module(module)
        base = {s: run(original, e, s) for s in SEEDS}
        if any(isinstance(b, Exception) or not b.ok for b in base.values()):
            print(f"skip {e.id}: the original does not run", file=sys.stderr)
            continue
        errors = sorted({str(f) for b in base.values() for f in b.findings if f.severity == "error"})
        if errors:  # every candidate would fail on the same findings: no verdict to learn from
            print(f"skip {e.id}: the original has error findings ({errors[0]})", file=sys.stderr)
            continue
        for m in mutants(module, per_kind):
            if limit is not None and n >= limit:
                break
            n += 1
            verdict, why = judge(original, print_module(m.module), e, base)
            stats[(e.dialect, m.kind, verdict)] += 1
            where = f"{e.id} line {m.line}: {m.kind} ({m.description})"
            if verdict == "survived":
                survivors.append(where)
            elif verdict == "build-failure":
                build_failures.append(f"{where}: {why}")
    return Results(stats, survivors, build_failures, time.time() - t0)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dialect", action="append", choices=corpus.DIALECTS)
    ap.add_argument("--per-kind", type=int, default=2)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--family", action="append")
    a = ap.parse_args()
    entries = [e for e in corpus.entries(tuple(a.dialect or corpus.DIALECTS)) if not a.family or e.family in a.family]
    res = evaluate(entries, a.per_kind, a.limit)
    killed, survived = res.count("killed"), res.count("survived")
    equivalent, builds = res.count("equivalent"), res.count("build-failure")
    print(f"mutants: {killed + survived + equivalent + builds} ({equivalent} equivalent: same outputs on 3 seeds, "
          f"no new error finding; {builds} build failures, not counted)")
    for key in sorted({(d, k) for d, k, _ in res.stats}):
        kk, ss, bb = (res.stats[key + (v,)] for v in ("killed", "survived", "build-failure"))
        if kk + ss or bb:
            print(f"  {key[0]:5s} {key[1]:17s} killed {kk}/{kk + ss}" + (f" ({bb} build failures)" if bb else ""))
    print(f"kill rate: {killed}/{killed + survived} = {100 * res.kill_rate:.1f}% of the mutants that change results "
          f"({res.seconds:.0f} s)")
    for s in res.survivors:
        print(f"  survived: {s}")
    for s in res.build_failures:
        print(f"  build failure: {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
