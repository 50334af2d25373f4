"""What this CPU can run natively (read from /proc/cpuinfo, never assumed)."""
from __future__ import annotations

import functools
from pathlib import Path


@functools.lru_cache(maxsize=1)
def flags() -> frozenset[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def has_avx512_vnni() -> bool:
    """AVX-512 F, BW, VL, DQ and VNNI: the VNNI dialect then runs natively."""
    return {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni"} <= flags()


def model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"
