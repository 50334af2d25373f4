"""The translation report (design.md, "The translation report"): one shape that the engine
fills, the CLI prints (``--json``), the editor turns into diagnostics and hovers, and the
benchmarks and the tuner read.

    t = Translation(source=SourceInfo("a.cu", "cuda", ["saxpy"]), target="bang")
    t.passes.append(PassRecord("loop_recovery", {}, changed=[(3, 7)], verdict="applied", seconds=0.01))
    t.checks.append(CheckRecord("compute", "oracle", "tested", "2 seeds, x=float32[2048] ...", seeds=[0, 1]))
    t.status, t.why = "checked", "the oracle matched on 2 seeds; strict BANG header: accepted"
    Translation.from_json(t.to_json()) == t

Statuses: ``checked`` (the oracle ran output against source on random inputs, two seeds or
more, and every installed real compiler accepted it), ``unverified`` (written, but a check
could not run), ``failed`` (a check failed), ``refused`` (a pass or the source itself
refused: ``why`` names the pass, the precondition and the construct).

Progress: ``translate(..., progress=callback)`` calls ``callback(Stage)``; ``str(stage)``
is the line the CLI prints on stderr (``pass 2/5 loop_split``, ``check compute``).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Callable, Optional

STATUSES = ("checked", "unverified", "failed", "refused")
PASS_VERDICTS = ("applied", "refused", "failed", "skipped")
CHECK_KINDS = ("compute", "compile", "findings")
CHECK_VERDICTS = ("proved", "tested", "sampled", "unverified", "failed")


@dataclass
class SourceInfo:
    path: Optional[str]
    dialect: str
    kernels: list[str] = field(default_factory=list)


@dataclass
class PassRecord:
    """One step of the sequence as run: ``refusal`` names the failed precondition and its
    line when ``verdict`` is ``refused``."""

    name: str
    params: dict = field(default_factory=dict)
    changed: list[tuple[int, int]] = field(default_factory=list)  # source line ranges
    verdict: str = "applied"
    seconds: float = 0.0
    refusal: Optional[dict] = None  # {"precondition", "detail", "line"}
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        if self.verdict not in PASS_VERDICTS:
            raise ValueError(f"pass verdict {self.verdict!r} is not one of {PASS_VERDICTS}")
        self.changed = [tuple(r) for r in self.changed]

    @classmethod
    def from_result(cls, r: Any) -> "PassRecord":
        """From a ``passes.PassResult``."""
        ref = None
        if r.refused is not None:
            ref = {"precondition": r.refused.precondition, "detail": r.refused.detail, "line": r.refused.line}
        return cls(r.name, dict(r.params), list(r.changed), "refused" if r.refused else "applied",
                   round(r.seconds, 4), ref, list(r.notes))


@dataclass
class CheckRecord:
    """One check of the result. ``compute``: the oracle (seeds, every argument spec tried,
    tolerance, first mismatch); ``compile``: a real compiler, or the strict BANG header
    (its ``tool`` says so); ``findings``: the emulator's findings on the output."""

    kind: str
    tool: str
    verdict: str
    detail: str = ""
    seeds: list[int] = field(default_factory=list)
    arg_specs: list[str] = field(default_factory=list)
    tolerance: Optional[dict] = None  # {"rtol": ..., "atol": ...} per dtype or buffer
    first_mismatch: Optional[dict] = None  # {"buffer", "index", "expected", "got"}
    seconds: float = 0.0

    def __post_init__(self):
        if self.kind not in CHECK_KINDS:
            raise ValueError(f"check kind {self.kind!r} is not one of {CHECK_KINDS}")
        if self.verdict not in CHECK_VERDICTS:
            raise ValueError(f"check verdict {self.verdict!r} is not one of {CHECK_VERDICTS}")


@dataclass
class NestRecord:
    """What one loop nest of the output uses, or why not (the editor's "not tensorized")."""

    lines: tuple[int, int]
    bound_to: list[str] = field(default_factory=list)  # threadIdx.x, blockIdx.x, taskId, omp
    staged_in: list[str] = field(default_factory=list)  # shared, nram, wram, registers
    tensorized_into: list[str] = field(default_factory=list)  # __bang_add, wmma::mma_sync, ...
    not_: list[str] = field(default_factory=list)  # reasons, e.g. "not tensorized: ..."

    def __post_init__(self):
        self.lines = tuple(self.lines)


@dataclass
class LineOrigin:
    """Where one output line came from."""

    line: int
    source_lines: list[int] = field(default_factory=list)
    pass_name: Optional[str] = None  # None: carried over from the source unchanged


@dataclass
class Translation:
    source: SourceInfo
    target: str
    code: str = ""
    path: Optional[str] = None
    status: str = "unverified"
    why: str = ""
    passes: list[PassRecord] = field(default_factory=list)
    checks: list[CheckRecord] = field(default_factory=list)
    nests: list[NestRecord] = field(default_factory=list)
    provenance: list[LineOrigin] = field(default_factory=list)
    launch: Optional[str] = None
    args: Optional[str] = None
    # the predicted run time on the target where this machine cannot run it (BANG: the
    # roofline model of tune/cost.py on the emulator's counters of one checked run):
    # {model, arch, kernel, args, seconds, bound, breakdown: {term: seconds}, notes}; None when
    # not predicted (other targets, or the translation did not pass its checks)
    cost: Optional[dict] = None

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status {self.status!r} is not one of {STATUSES}")

    @property
    def ok(self) -> bool:
        return self.status == "checked"

    # --- JSON (the names design.md gives: "not" and "pass" are Python keywords here)
    def to_dict(self) -> dict:
        d = asdict(self)
        for n in d["nests"]:
            n["not"] = n.pop("not_")
        for p in d["provenance"]:
            p["pass"] = p.pop("pass_name")
        return d

    def to_json(self, indent: Optional[int] = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, d: dict) -> "Translation":
        d = dict(d)
        d["source"] = SourceInfo(**d["source"])
        d["passes"] = [PassRecord(**p) for p in d.get("passes", [])]
        d["checks"] = [CheckRecord(**c) for c in d.get("checks", [])]
        d["nests"] = [NestRecord(**{("not_" if k == "not" else k): v for k, v in n.items()})
                      for n in d.get("nests", [])]
        d["provenance"] = [LineOrigin(**{("pass_name" if k == "pass" else k): v for k, v in p.items()})
                           for p in d.get("provenance", [])]
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown translation report field(s): {', '.join(sorted(unknown))}")
        return cls(**d)

    @classmethod
    def from_json(cls, text: str) -> "Translation":
        return cls.from_dict(json.loads(text))


@dataclass(frozen=True)
class Stage:
    """A progress event: ``kind`` is ``pass`` (``index`` of ``total``, ``name``), ``check``
    (``name`` = compute | compile | findings), or ``note``."""

    kind: str
    name: str
    index: int = 0
    total: int = 0
    detail: str = ""

    def __str__(self) -> str:
        if self.kind == "pass":
            return f"pass {self.index}/{self.total} {self.name}"
        head = f"{self.kind} {self.name}"
        return f"{head}: {self.detail}" if self.detail else head


ProgressCallback = Callable[[Stage], None]
