"""Compile-and-run time per dialect over the corpus.

For every corpus kernel: the time to check it from source -- parse, emit, compile against
the (already built) runtime, run on seeded inputs -- with its program not yet in the cache,
and the time of a second, cached run. Prints the median and 90th percentile per dialect
and the share under the 2 s target. The one-off build of each dialect's runtime support
(precompiled prefix, generated intrinsics) is timed separately.

    python bench/run.py [--dialect cuda] [--limit N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "core"))
sys.path.insert(0, str(ROOT / "tests" / "kernels"))


import corpus  # noqa: E402
from xpiler.runtime import build, cpu, execute, inputs  # noqa: E402


def values_for(e) -> dict:
    return inputs.values(e.args, 0, e.inputs)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dialect", action="append", choices=corpus.DIALECTS)
    ap.add_argument("--limit", type=int, help="kernels per dialect")
    a = ap.parse_args()
    print(f"CPU: {cpu.model()} (AVX-512 VNNI: {'native' if cpu.has_avx512_vnni() else 'emulated'})")
    for d in a.dialect or corpus.DIALECTS:
        t = time.time()
        build.support(d)
        print(f"{d}: runtime support ready in {time.time() - t:.1f} s (one-off per machine, cached after)")
        cold, warm, fails = [], [], 0
        for e in corpus.entries((d,))[: a.limit]:
            # a new program, not in the cache: a unique file-scope declaration survives into the
            # emitted translation unit (a comment would not: the cache key is that unit's text)
            text = e.file.read_text() + f"\nstatic const int xp_bench_nonce_{time.time_ns()} = 0;\n"
            t = time.time()
            ex = execute(text, path=str(e.file), kernel=e.kernel, args=values_for(e), launch=e.launch)
            cold.append(time.time() - t)
            t = time.time()
            execute(text, path=str(e.file), kernel=e.kernel, args=values_for(e), launch=e.launch)
            warm.append(time.time() - t)
            fails += not ex.ok
        if not cold:
            continue
        q = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p * len(xs)))]  # noqa: E731
        under = sum(c < 2.0 for c in cold)
        print(f"{d}: {len(cold)} kernels; compile+run median {statistics.median(cold):.2f} s, p90 {q(cold, .9):.2f} s, "
              f"max {max(cold):.2f} s; {under}/{len(cold)} under 2 s; cached run median {statistics.median(warm):.2f} s"
              + (f"; {fails} did not run" if fails else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
