"""Structured diagnostics: what every part reports to the CLI, the editor and tests."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional

SEVERITIES = ("error", "warning", "information", "hint")


@dataclass(frozen=True)
class Diagnostic:
    """A finding at a place in a file. Lines and columns are 1-based; ``end_*`` exclusive
    column, equal to the start when the range is a point."""

    severity: str  # one of SEVERITIES
    message: str
    line: int = 1
    col: int = 1
    end_line: Optional[int] = None
    end_col: Optional[int] = None
    file: Optional[str] = None
    source: str = "xpiler"  # "clang", "xpiler", "nvcc", "emulator", ...
    code: Optional[str] = None  # stable identifier, e.g. "unknown-intrinsic"

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def __str__(self) -> str:
        where = f"{self.file or '<input>'}:{self.line}:{self.col}"
        code = f" [{self.code}]" if self.code else ""
        return f"{where}: {self.severity}: {self.message}{code}"


class XpilerError(Exception):
    """An error with a message meant for the user (what went wrong and what to do)."""

    def __init__(self, message: str, diagnostics: tuple[Diagnostic, ...] = ()):
        super().__init__(message)
        self.diagnostics = diagnostics
