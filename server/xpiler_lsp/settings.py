"""The server's settings (section ``xpiler``), from initializationOptions and
``workspace/configuration``, each with a default. Documented in docs/editors.md."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Toolchain:
    nvcc: str = ""  # empty: $XPILER_NVCC, else nvcc on PATH
    hipcc: str = ""
    gcc: str = ""
    gxx: str = ""


@dataclass
class Jobs:
    concurrency: int = 2  # jobs running at once (each in its own worker process)
    timeout: float = 120.0  # seconds before a job is stopped
    queueLimit: int = 16  # jobs waiting beyond the running ones


@dataclass
class Settings:
    toolchain: Toolchain = field(default_factory=Toolchain)
    gpuArch: str = "sm_80"  # CUDA architecture: nvcc -arch, shared-memory capacity
    hipArch: str = "gfx90a"  # HIP offload architecture
    mluArch: str = "mtp_372"  # Cambricon MLU: NRAM/WRAM/SRAM capacities
    jobs: Jobs = field(default_factory=Jobs)
    debounce: int = 250  # milliseconds after an edit before re-parsing

    def update(self, raw: Any) -> list[str]:
        """Merge a settings object; returns the problems found (ignored keys, bad values)."""
        problems: list[str] = []
        if not isinstance(raw, dict):
            return problems
        raw = raw.get("xpiler", raw)
        if not isinstance(raw, dict):  # e.g. Lua's empty table {} arrives as a JSON array
            if raw not in ([], None):
                problems.append(f"xpiler: expected an object of settings, got {type(raw).__name__}: ignored")
            return problems
        for key, value in raw.items():
            if key == "toolchain" and isinstance(value, dict):
                for k, v in value.items():
                    if hasattr(self.toolchain, k) and isinstance(v, str):
                        setattr(self.toolchain, k, v)
                    else:
                        problems.append(f"xpiler.toolchain.{k}: ignored")
            elif key == "jobs" and isinstance(value, dict):
                for k, v in value.items():
                    cur = getattr(self.jobs, k, None)
                    if cur is None or not isinstance(v, (int, float)) or v <= 0:
                        problems.append(f"xpiler.jobs.{k}: ignored ({v!r})")
                    else:
                        setattr(self.jobs, k, type(cur)(v))
            elif key in ("gpuArch", "hipArch", "mluArch") and isinstance(value, str) and value:
                setattr(self, key, value)
            elif key == "debounce" and isinstance(value, (int, float)) and value >= 0:
                self.debounce = int(value)
            else:
                problems.append(f"xpiler.{key}: ignored")
        return problems

    def for_jobs(self) -> dict:
        d = asdict(self)
        d["timeout"] = self.jobs.timeout
        return d
