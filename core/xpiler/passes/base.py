"""The pass protocol: what every transformation pass is, so the driver, the neural
proposer (one meta-prompt per pass), repair (re-run one pass's check) and the tuner
(search each pass's parameters and their order) can treat all passes alike.

A pass is a subclass of :class:`Pass` in its own module under ``passes/``::

    @register
    class LoopSplit(Pass):
        '''Split a loop into an outer and an inner loop.

            before: for (i = 0; i < n; ++i) S(i);
            after:  for (io = 0; io < (n + f - 1) / f; ++io)
                        for (ii = 0; ii < f && io * f + ii < n; ++ii) S(io * f + ii);
        '''
        name = "loop_split"
        params = (Param("loop", LOOP, "the loop variable"), Param("factor", Space.ints(2, 1024), "inner extent"))
        requires = (Precondition("canonical", "the loop has the form for (i = a; i < b; i += c)"),)

        def preconditions(self, module, target, loop, factor):
            if not canonical(...):
                yield self.refuse("canonical", "step is not constant", node)

        def rewrite(self, module, target, loop, factor):
            return ir.transform(module, fn)         # origin is set by apply

``apply`` checks the parameters against their spaces and the preconditions (every refusal
named, with where it failed; never a half-done rewrite), runs ``rewrite`` and reports the
source ranges it changed (nodes whose ``origin`` is the pass). A sequence of passes is data
(:class:`Step`), written ``loop_split(loop=i, factor=4); bind(loop=io, axis=blockIdx.x)``.
"""
from __future__ import annotations

import inspect
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Iterable, Iterator, Optional, Sequence

from .. import ir
from ..diagnostics import XpilerError
from ..report import Stage


# ----------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class Space:
    """The declared space of a pass parameter, so a search can enumerate it.

    ``kind``: ``int`` (``lo``..``hi``), ``choice`` (one of ``choices``), ``divisor`` (a
    divisor of the extent of the loop named by the parameter ``of``, or any int in
    ``lo``..``hi`` with a tail), ``bool``, ``name`` (a loop variable, buffer or kernel name
    found in the module), ``text`` (free text, not searched)."""

    kind: str
    choices: tuple = ()
    lo: Optional[int] = None
    hi: Optional[int] = None
    of: Optional[str] = None
    doc: str = ""

    @staticmethod
    def ints(lo: int, hi: int, doc: str = "") -> "Space":
        return Space("int", lo=lo, hi=hi, doc=doc)

    @staticmethod
    def one_of(*choices: Any, doc: str = "") -> "Space":
        return Space("choice", choices=tuple(choices), doc=doc)

    @staticmethod
    def divisor(of: str, lo: int = 1, hi: int = 1 << 16, doc: str = "") -> "Space":
        return Space("divisor", lo=lo, hi=hi, of=of, doc=doc)

    def describe(self) -> str:
        if self.kind == "int":
            return f"an integer in [{self.lo}, {self.hi}]"
        if self.kind == "choice":
            return "one of " + ", ".join(map(str, self.choices))
        if self.kind == "divisor":
            return (f"a divisor of the extent of {self.of}, or any integer in [{self.lo}, {self.hi}] "
                    f"(with a tail)")
        if self.kind == "bool":
            return "true or false"
        if self.kind == "name":
            return "a name in the kernel" + (f" ({self.doc})" if self.doc else "")
        return "text"

    def validate(self, value: Any) -> Optional[str]:
        """None when ``value`` lies in the space, else why not."""
        if self.kind in ("int", "divisor"):
            if isinstance(value, bool) or not isinstance(value, int):
                return f"{value!r} is not an integer"
            if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
                return f"{value} is outside [{self.lo}, {self.hi}]"
        elif self.kind == "choice" and value not in self.choices:
            return f"{value!r} is not {self.describe()}"
        elif self.kind == "bool" and not isinstance(value, bool):
            return f"{value!r} is not true or false"
        elif self.kind in ("name", "text") and not isinstance(value, str):
            return f"{value!r} is not a name"
        return None

    def candidates(self, extent: Optional[int] = None, limit: int = 64) -> list:
        """Values a search tries: the choices, the divisors of ``extent`` (a ``divisor``
        space), or powers of two within the bounds."""
        if self.kind == "choice":
            return list(self.choices)
        if self.kind == "bool":
            return [False, True]
        if self.kind == "divisor" and extent:
            return [d for d in range(max(1, self.lo or 1), min(extent, self.hi or extent) + 1) if extent % d == 0][:limit]
        if self.kind in ("int", "divisor"):
            lo, hi, out, v = self.lo or 1, self.hi or 1024, [], 1
            while v <= hi and len(out) < limit:
                if v >= lo:
                    out.append(v)
                v *= 2
            return out
        return []


BOOL = Space("bool")
NAME = Space("name")


@dataclass(frozen=True)
class Param:
    """A pass parameter: its name, declared space, default (None: required) and meaning."""

    name: str
    space: Space
    doc: str = ""
    default: Any = None


# ----------------------------------------------------------------------------- preconditions
@dataclass(frozen=True)
class Precondition:
    """A named precondition of a pass, with what it asks (for docs and meta-prompts)."""

    name: str
    doc: str


@dataclass
class Refusal:
    """Why a pass did not apply: the precondition that failed, what was found, and where."""

    pass_name: str
    precondition: str
    detail: str
    span: Optional[ir.Span] = None

    @property
    def line(self) -> int:
        return self.span.line if self.span is not None else 0

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.pass_name}: precondition '{self.precondition}' failed{where}: {self.detail}"


class PassRefused(XpilerError):
    """Raised by :func:`run_sequence` when a step is refused and refusals are not allowed."""

    def __init__(self, refusal: Refusal):
        super().__init__(str(refusal))
        self.refusal = refusal


class RewriteRefused(Exception):
    """Raised inside a pass's ``rewrite`` for what only the rewrite finds out; ``apply``
    returns it as the pass's refusal (the input unchanged), like a failed precondition."""

    def __init__(self, refusal: Refusal):
        super().__init__(str(refusal))
        self.refusal = refusal


class BadParams(XpilerError):
    """A pass was given parameters outside their declared spaces, or unknown ones."""


# ----------------------------------------------------------------------------- passes
@dataclass
class PassResult:
    """What one application of a pass did."""

    name: str
    params: dict
    module: ir.Module  # the output (the input itself when refused)
    refused: Optional[Refusal] = None
    changed: list[tuple[int, int]] = field(default_factory=list)  # source line ranges touched
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    # per loop nest, what a lowering pass made of it (tensorize): {"kernel", "lines",
    # "tensorized_into", "staged_in", "not"}; the driver turns them into report.NestRecord
    nests: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.refused is None


class Pass:
    """Base of every pass; see the module docstring. Subclasses set ``name``, ``params``,
    ``requires`` and implement ``rewrite`` (and ``preconditions`` when they have any)."""

    name: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    requires: ClassVar[tuple[Precondition, ...]] = ()
    # which stage of the hub-and-spoke pipeline: lift, transform, lower
    stage: ClassVar[str] = "transform"

    def __init__(self) -> None:
        self._replaced: list[tuple[int, int]] = []  # lines whose nodes self.transform replaced

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    # --- what subclasses write
    def preconditions(self, module: ir.Module, target: Optional[str], **params: Any) -> Iterator[Refusal]:
        return iter(())

    def rewrite(self, module: ir.Module, target: Optional[str], **params: Any) -> ir.Module:
        raise NotImplementedError(f"pass {self.name} has no rewrite")

    # --- helpers for subclasses
    def refuse(self, precondition: str, detail: str, node: Optional[ir.Node] = None) -> Refusal:
        if precondition not in {p.name for p in self.requires}:
            raise AssertionError(f"pass {self.name} refuses with undeclared precondition {precondition!r}")
        return Refusal(self.name, precondition, detail, node.span if node is not None else None)

    def transform(self, node: ir.Node, fn: Callable[..., Any], **kw: Any) -> Any:
        """``ir.transform`` with this pass as the origin of what it makes; the spans of the
        nodes ``fn`` replaces are recorded as changed (a kept branch is a copy, not new)."""

        def record(new: ir.Node, *old: ir.Node) -> Any:
            r = fn(new, *old)
            if r is not None and r is not new and new.span is not None:
                self._replaced.append((new.span.line, new.span.end_line))
            return r

        return ir.transform(node, record, origin=self.name, **kw)

    # --- the protocol
    def bind_params(self, given: dict) -> dict:
        """``given`` checked against the declared parameters, defaults filled in."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise BadParams(f"{self.name}: unknown parameter(s) {', '.join(unknown)}; it takes "
                            f"{', '.join(known) or 'none'}")
        out = {}
        for p in self.params:
            if p.name in given:
                why = p.space.validate(given[p.name])
                if why:
                    raise BadParams(f"{self.name}: {p.name}={given[p.name]!r}: {why} ({p.doc})")
                out[p.name] = given[p.name]
            elif p.default is not None:
                out[p.name] = p.default
            else:
                raise BadParams(f"{self.name}: parameter {p.name} is required: {p.space.describe()} ({p.doc})")
        return out

    def apply(self, module: ir.Module, target: Optional[str] = None, **params: Any) -> PassResult:
        """Check, then rewrite. Deterministic; never returns a half-done rewrite: a refused
        pass returns the input unchanged with the first failed precondition."""
        t0 = time.perf_counter()
        bound = self.bind_params(params)
        for refusal in self.preconditions(module, target, **bound):
            return PassResult(self.name, bound, module, refused=refusal, seconds=time.perf_counter() - t0)
        self._replaced: list[tuple[int, int]] = []
        try:
            out = self.rewrite(module, target, **bound)
        except RewriteRefused as e:
            return PassResult(self.name, bound, module, refused=e.refusal, seconds=time.perf_counter() - t0)
        return PassResult(self.name, bound, out, changed=changed_lines(out, self.name, self._replaced),
                          seconds=time.perf_counter() - t0)


def changed_lines(module: ir.Module, origin: str, extra: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Merged source line ranges of the nodes ``origin`` made (plus ``extra`` ranges)."""
    ranges = sorted({(n.span.line, n.span.end_line) for n in module.walk() if n.origin == origin and n.span}
                    | set(extra))
    merged: list[tuple[int, int]] = []
    for a, b in ranges:
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def fresh_name(base: str, taken: set[str]) -> str:
    """``base``, or ``base2``, ``base3``... the first not in ``taken`` (which it joins): the
    names a pass introduces never capture the kernel's."""
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}{k}"
    taken.add(name)
    return name


def unique_locals(body: ir.Block, seen: set[str], fresh: Callable[[str], str]) -> ir.Block:
    """A copy of ``body`` where every local is declared once, under a name no other entity
    has (``seen``: the names taken already, parameters and file-scope names; it grows), so
    flattening blocks and hoisting declarations cannot capture. A declaration whose name is
    taken gets ``fresh(name)``; its uses in its scope follow (C scoping: blocks, a ``for``'s
    init over its header and body, an ``if``'s condition declaration over both branches)."""
    frames: list[dict[str, str]] = [{}]

    def lookup(name: str) -> str:
        for fr in reversed(frames):
            if name in fr:
                return fr[name]
        return name

    def declare(v: ir.VarDecl) -> None:
        new = fresh(v.name) if v.name in seen else v.name
        seen.add(new)
        frames[-1][v.name] = new
        v.name = new

    def expr(e) -> None:
        if e is None:
            return
        for x in e.walk():
            if isinstance(x, ir.Name):
                x.name = lookup(x.name)

    def scoped(fn) -> None:
        frames.append({})
        fn()
        frames.pop()

    def stmt(s: Optional[ir.Stmt]) -> None:
        if s is None:
            return
        if isinstance(s, ir.Block):
            scoped(lambda: [stmt(x) for x in s.stmts])
        elif isinstance(s, ir.Decl):
            for v in s.vars:
                expr(v.init)
                expr(v.type)
                declare(v)
        elif isinstance(s, ir.For):
            scoped(lambda: (stmt(s.init), expr(s.cond), expr(s.step), stmt(s.body)))
        elif isinstance(s, ir.If):
            def branch():
                if s.decl is not None:
                    expr(s.decl.init)
                    declare(s.decl)
                expr(s.cond)
                for br in (s.then, s.other):
                    scoped(lambda: stmt(br))
            scoped(branch)
        elif isinstance(s, (ir.While, ir.DoWhile, ir.Switch)):
            expr(s.cond)
            scoped(lambda: stmt(s.body))
        else:
            for c in s.children():
                if isinstance(c, ir.Stmt):
                    stmt(c)
                else:
                    expr(c)

    body = ir.clone(body)
    stmt(body)
    return body


# ----------------------------------------------------------------------------- registry
REGISTRY: dict[str, type[Pass]] = {}


def register(cls: type[Pass]) -> type[Pass]:
    """Class decorator: make a pass known by its name (one name, one pass)."""
    if not cls.name or not re.fullmatch(r"[a-z][a-z0-9_]*", cls.name):
        raise ValueError(f"pass {cls.__name__} needs a snake_case name")
    if cls.name in REGISTRY and REGISTRY[cls.name] is not cls:
        raise ValueError(f"pass {cls.name} registered twice")
    if not cls.doc():
        raise ValueError(f"pass {cls.name} needs a docstring with a before and after")
    REGISTRY[cls.name] = cls
    return cls


def get(name: str) -> Pass:
    if name not in REGISTRY:
        raise XpilerError(f"unknown pass {name!r}; known passes: {', '.join(sorted(REGISTRY)) or 'none'}")
    return REGISTRY[name]()


# ----------------------------------------------------------------------------- sequences
@dataclass
class Step:
    """One step of a pass sequence: a pass name and its parameters."""

    name: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        args = ", ".join(f"{k}={_fmt(v)}" for k, v in self.params.items())
        return f"{self.name}({args})" if args else self.name


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _value(text: str) -> Any:
    t = text.strip()
    if t in ("true", "false"):
        return t == "true"
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        return t[1:-1]
    return t


def parse_sequence(text: str) -> list[Step]:
    """``"loop_split(loop=i, factor=4); bind(loop=io, axis=blockIdx.x)"`` or the JSON form
    ``[{"name": "loop_split", "params": {...}}]`` into steps (names checked later)."""
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            data = json.loads(text)
            return [Step(d["name"], dict(d.get("params", {}))) for d in data]
        except (ValueError, KeyError, TypeError) as e:
            raise XpilerError(f"bad pass sequence JSON: {e}; expected [{{\"name\": ..., \"params\": {{...}}}}]")
    steps = []
    for part in re.split(r"[;\n]", text):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"([a-z][a-z0-9_]*)\s*(?:\((.*)\))?", part, re.S)
        if not m:
            raise XpilerError(f"bad pass step {part!r}; write name(param=value, ...), steps separated by ';'")
        params = {}
        body = (m.group(2) or "").strip()
        pos = 0
        for kv in re.finditer(r'\s*([A-Za-z_]\w*)\s*=\s*("[^"]*"|\'[^\']*\'|[^,]*?)\s*(?:,|$)', body):
            if kv.start() != pos:
                break
            params[kv.group(1)] = _value(kv.group(2))
            pos = kv.end()
        if pos != len(body):
            raise XpilerError(f"bad parameters {body[pos:]!r} in step {m.group(1)}; write name(param=value, ...)")
        steps.append(Step(m.group(1), params))
    return steps


def format_sequence(steps: Sequence[Step]) -> str:
    return "; ".join(map(str, steps))


Progress = Callable[[Stage], None]
Verify = Callable[[ir.Module, ir.Module, PassResult], Optional[str]]  # before, after -> why it is wrong


def run_sequence(module: ir.Module, steps: Iterable[Step], target: Optional[str] = None, *,
                 progress: Optional[Progress] = None, verify: Optional[Verify] = None,
                 stop_on_refusal: bool = True) -> tuple[ir.Module, list[PassResult]]:
    """Apply ``steps`` in order. ``progress`` hears a ``Stage`` per step (``pass i/n NAME``); ``verify`` (the
    oracle, in tests and with ``--verify passes``) checks each output against its input and
    its complaint is recorded in the result's notes and stops the sequence."""
    steps = list(steps)
    results: list[PassResult] = []
    for i, step in enumerate(steps, 1):
        if progress:
            progress(Stage("pass", step.name, i, len(steps)))
        p = get(step.name)
        r = p.apply(module, target, **step.params)
        results.append(r)
        if r.refused:
            if stop_on_refusal:
                raise PassRefused(r.refused)
            continue
        if verify is not None:
            why = verify(module, r.module, r)
            if why:
                r.notes.append(f"verification failed: {why}")
                return r.module, results
        module = r.module
    return module, results
