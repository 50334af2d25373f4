"""Load the kernel corpus: the manifests in ``manifest/*.toml`` as :class:`Entry` objects.

Used by the tests and the benchmarks; ``python tests/kernels/corpus.py`` prints a summary
(kernels per dialect and family).
"""
from __future__ import annotations

import sys
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

HERE = Path(__file__).resolve().parent
DIALECTS = ("cuda", "hip", "bang", "vnni", "c")


@dataclass(frozen=True)
class Entry:
    dialect: str
    family: str
    file: Path
    kernel: str
    args: str
    outputs: tuple[str, ...]
    launch: Optional[str] = None
    params: dict = field(default_factory=dict, hash=False)
    inputs: dict = field(default_factory=dict, hash=False)
    rtol: Optional[float] = None
    atol: Optional[float] = None
    holdout: bool = False        # written without seeing the translation passes (held-out set)

    @property
    def id(self) -> str:
        return f"{self.dialect}:{self.file.relative_to(HERE)}:{self.kernel}"


def entries(dialects: tuple[str, ...] = DIALECTS) -> list[Entry]:
    out: list[Entry] = []
    for d in dialects:
        path = HERE / "manifest" / f"{d}.toml"
        if not path.exists():
            continue
        data: dict[str, Any] = tomllib.loads(path.read_text())
        for k in data.get("kernel", []):
            out.append(Entry(
                dialect=d, family=k["family"], file=HERE / k["file"], kernel=k["kernel"], args=k["args"],
                outputs=tuple(k.get("outputs", ())), launch=k.get("launch"), params=dict(k.get("params", {})),
                inputs=dict(k.get("inputs", {})), rtol=k.get("rtol"), atol=k.get("atol"),
                holdout=bool(k.get("holdout", False))))
    return out


def files() -> list[Path]:
    """Every kernel source file in the corpus (listed in a manifest or not)."""
    exts = {".cu", ".hip", ".mlu", ".c", ".cpp"}
    return sorted(p for p in HERE.glob("*/*") if p.suffix in exts)


if __name__ == "__main__":
    es = entries()
    print(f"{len(es)} manifest entries, {len(files())} source files")
    by = Counter(e.dialect for e in es)
    held = Counter(e.dialect for e in es if e.holdout)
    for d in DIALECTS:
        print(f"  {d:5s} {by[d]:4d}  (holdout {held[d]})")
    print(f"  holdout {sum(held.values())}")
    sys.exit(0)
