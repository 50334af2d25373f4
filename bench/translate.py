"""Translation time per direction, checks included (the oracle on two seeds and two
argument specs, the compiler).

    .venv/bin/python bench/translate.py [--from c,cuda] [--to bang] [--limit 10] [--jobs 1]

Prints the median, p95 and maximum seconds of ``xpiler.translate`` per direction over the
corpus (or ``--limit`` kernels per source dialect), with the share that finished checked.
Targets (issue 16): median under 3 s, p95 under 10 s on a 2-core machine. Run with
``--jobs 1`` on an otherwise idle machine for figures to report: a second job shares the
cores and doubles compile times. The first run of a session also builds the emulation
runtime once per dialect (cached afterwards): ``--warm`` translates one kernel per
direction first, untimed. ``--heavy`` times the heavy kernels of tests/kernels/heavy/ at
their heavy specs instead (target: a verdict within 60 s; the oracle samples them).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "kernels"))

import corpus  # noqa: E402
from accuracy import TARGETS, _one  # noqa: E402


def _p(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--from", dest="src", default=",".join(TARGETS))
    ap.add_argument("--to", default=",".join(TARGETS))
    ap.add_argument("--limit", type=int, default=0, help="at most N kernels per source dialect")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--warm", action="store_true", help="translate one kernel per direction first, untimed")
    ap.add_argument("--heavy", action="store_true", help="time the heavy kernels (tests/kernels/heavy) instead")
    a = ap.parse_args()
    if a.heavy:
        return _heavy(a.to.split(","))
    srcs, tos = a.src.split(","), a.to.split(",")
    jobs, per = [], defaultdict(int)
    for e in corpus.entries(tuple(srcs)):
        if a.limit and per[e.dialect] >= a.limit:
            continue
        per[e.dialect] += 1
        for to in tos:
            if to != e.dialect:
                jobs.append((e.dialect, str(e.file), e.kernel, e.holdout, e.family, to, 60.0, dict(e.inputs)))
    if a.warm:
        seen = set()
        for j in jobs:
            if (j[0], j[5]) not in seen:
                seen.add((j[0], j[5]))
                _one(j)
    t0 = time.monotonic()
    with ProcessPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        results = list(pool.map(_one, jobs))
    by = defaultdict(list)
    for r in results:
        by[(r["from"], r["to"])].append(r)
    print(f"translation time, {len(results)} translations, {a.jobs} job(s), {time.monotonic() - t0:.0f} s\n")
    print(f"{'direction':<12} {'n':>4} {'median s':>9} {'p95 s':>7} {'max s':>7} {'checked':>9}")
    for (s, t), rs in sorted(by.items()):
        secs = [r["seconds"] for r in rs]
        ok = sum(r["status"] == "checked" for r in rs)
        print(f"{s + '->' + t:<12} {len(rs):>4} {statistics.median(secs):>9.2f} {_p(secs, 0.95):>7.2f} "
              f"{max(secs):>7.2f} {ok:>5}/{len(rs)}")
    return 0


def _heavy(tos: list[str]) -> int:
    """Each heavy kernel at its heavy spec, to each target: seconds and the compute verdict."""
    import re
    import tempfile
    import tomllib

    import xpiler

    root = Path(__file__).resolve().parent.parent / "tests" / "kernels" / "heavy"
    entries = tomllib.loads((root / "heavy.toml").read_text())["kernel"]
    print(f"{'kernel':<28} {'to':<5} {'seconds':>8}  verdict")
    for e in entries:
        text = (root / e["file"]).read_text()
        text = re.sub(r"^// xpiler: launch .*$", f"// xpiler: launch {e['heavy_launch']}", text, count=1, flags=re.M)
        text = re.sub(r"^// xpiler: args .*$", f"// xpiler: args {e['heavy_args']}", text, count=1, flags=re.M)
        for to in tos:
            if to == e["dialect"]:
                continue
            with tempfile.TemporaryDirectory() as d:
                path = str(Path(d) / Path(e["file"]).name)
                Path(path).write_text(text)
                t0 = time.monotonic()
                t = xpiler.translate(text, to, e["kernel"], path)
                secs = time.monotonic() - t0
            compute = next((c.verdict for c in t.checks if c.kind == "compute"), t.status)
            print(f"{e['kernel']:<28} {to:<5} {secs:>8.1f}  {t.status} (compute: {compute})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
