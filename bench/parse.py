"""Parse + print time for a typical kernel and for a 5,000-line file.

Targets (issue 2): under 50 ms for a typical kernel, under 1 s for 5,000 lines.
Prints the median and the max of several runs, in milliseconds. Run: python bench/parse.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "core"))

import xpiler  # noqa: E402

TYPICAL = ROOT / "tests/kernels/softmax/softmax.c"
REPEATS = 7


def big_file(lines: int = 5000) -> str:
    """A 5,000-line C file that parses cleanly: the plain-C corpus kernels, renamed and
    repeated, then one-line helpers up to exactly ``lines`` lines."""
    import re

    kernels = sorted((ROOT / "tests/kernels").glob("*/*.c"))
    out: list[str] = ["#include <math.h>", "#include <stdint.h>", "#include <stddef.h>", "#include <float.h>"]
    i = 0
    while True:
        src = kernels[i % len(kernels)].read_text()
        text = "\n".join(ln for ln in src.splitlines() if not ln.startswith("#include"))
        # rename every defined function and macro so copies do not clash
        names = set(re.findall(r"^(?:static\s+)?(?:inline\s+)?\w[\w\s\*]*?\b(\w+)\s*\(", text, re.M))
        names |= set(re.findall(r"^#define\s+(\w+)", text, re.M))
        for n in sorted(names, key=len, reverse=True):
            text = re.sub(r"\b" + n + r"\b", f"{n}_{i}", text)
        block = text.splitlines()
        if len(out) + len(block) > lines:
            break
        out.extend(block)
        i += 1
    j = 0
    while len(out) < lines:
        out.append(f"static inline int pad_{j}(int x) {{ return x * {j} + 1; }}")
        j += 1
    return "\n".join(out) + "\n"


def measure(text: str, path: str) -> list[float]:
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        m = xpiler.parse(text, path=path)
        xpiler.print_module(m)
        times.append((time.perf_counter() - t) * 1000)
    return times


def main() -> int:
    typical = TYPICAL.read_text()
    xpiler.parse(typical, path=str(TYPICAL))  # warm-up: libclang load, prelude generation
    t1 = measure(typical, str(TYPICAL))
    big = big_file()
    m = xpiler.parse(big, path="big.c")
    errors = [d for d in m.diagnostics if d.is_error]
    t2 = measure(big, "big.c")
    print(f"typical kernel ({TYPICAL.relative_to(ROOT)}, {typical.count(chr(10))} lines): "
          f"median {statistics.median(t1):.1f} ms, max {max(t1):.1f} ms (target < 50 ms)")
    print(f"5,000-line file ({big.count(chr(10))} lines, {len(m.functions)} functions, {len(errors)} errors): "
          f"median {statistics.median(t2):.1f} ms, max {max(t2):.1f} ms (target < 1000 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
