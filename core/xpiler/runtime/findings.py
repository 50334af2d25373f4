"""Findings of an emulated run, as written by the runtime (findings.jsonl)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..diagnostics import Diagnostic

# kind -> (severity, what it means, for messages)
KINDS = {
    "out-of-bounds-read": ("error", "out-of-bounds read"),
    "out-of-bounds-write": ("error", "out-of-bounds write"),
    "uninitialized-read": ("error", "read of never-written memory"),
    "race": ("error", "data race on shared memory"),
    "barrier-divergence": ("error", "barrier not reached by all threads"),
    "warp-divergence": ("error", "warp collective not reached by all lanes"),
    "operand-space": ("error", "operand in the wrong memory space"),
    "operand-overlap": ("error", "forbidden operand overlap"),
    "capacity": ("error", "on-chip memory capacity exceeded"),
    "alignment": ("warning", "alignment rule broken"),
    "bad-argument": ("error", "invalid intrinsic argument"),
    "launch-config": ("error", "invalid launch configuration"),
    "memcpy-direction": ("error", "copy direction does not match the operands"),
    "out-of-memory": ("error", "emulated memory exhausted"),
    "deprecated": ("warning", "deprecated intrinsic"),
    "hazard": ("warning", "hazard"),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    line: int
    message: str
    who: str = ""
    count: int = 1

    @property
    def severity(self) -> str:
        return KINDS.get(self.kind, ("error", ""))[0]

    def diagnostic(self, path: Optional[str] = None) -> Diagnostic:
        times = f" ({self.count} times)" if self.count > 1 else ""
        by = f", by {self.who}" if self.who and self.who != "host" else ""
        return Diagnostic(self.severity, f"{self.message}{by}{times}", max(self.line, 1), 1, file=path,
                          source="emulator", code=self.kind)

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind}: {self.message}" + (f" [{self.who}]" if self.who else "")


def read_findings(path: Path) -> list[Finding]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError:
            continue
        out.append(Finding(d.get("kind", "?"), int(d.get("line", 0)), d.get("message", ""), d.get("who", ""),
                           int(d.get("count", 1))))
    return out
