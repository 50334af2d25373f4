"""What a dialect module knows, as data: the one place each fact about a platform lives.

The front end reads a dialect's prelude (declarations clang needs), the printer its
qualifiers, the hover its docs, the emulator (``runtime/``) and the passes the semantics of
its intrinsics. Nothing else keeps a second table of intrinsic signatures.

An intrinsic is described once, as an :class:`Intrinsic` with one or more
:class:`Overload` s. A signature uses type variables (``T``, ``Tdst``...) bound by the
overload's ``instances``; the prelude expands them into one non-template declaration per
instance, as vendor headers do (so a scalar argument converts implicitly, see
``reference/bang.md`` §1.6).

``semantics`` is C++ code, the body of the intrinsic written as plain loops over its
parameters (``for (unsigned i = 0; i < elem_count; ++i) dst[i] = src0[i] + src1[i];``).
It is the meaning the emulator compiles, detensorization inlines and tensorization matches.
Collective operations that no single-thread loop can express (warp shuffles, barriers,
``wmma`` and MFMA fragments) leave it ``None`` and say ``emulation="runtime"``: the
runtime header implements them by hand from the cited source.

Conventions inside ``semantics``:
- parameters by name, type variables by name; ``xp_cast<T>(v)`` converts with the dialect's
  rounding (round-to-nearest-even for floating types, wrap-around for integers);
- byte-level copies go through ``(char *)`` casts;
- only C arithmetic, loops, ``if``, ternaries and ``<math.h>`` functions.

Collective semantics (``Overload.collective``, a :class:`Collective`). What one thread cannot
express alone -- warp shuffles and votes, ``wmma`` fragments, MFMA -- is written once as C++
over the whole warp, with its own parameter list (``Collective.params``, types may use the
overload's type variables). The runtime header keeps its hand-written implementation (for
speed and for its checks); ``dialects.semantics.semantics_ir`` turns the snippet into loops,
and ``tests/test_semantics.py`` holds the two equal.

- ``kind="lanes"`` (shuffles, votes, match, reduce): every parameter the intrinsic takes per
  thread (role ``scalar``, ``in``, ``out``) is an array over the lanes of one warp, ``var[lane]``
  (an out pointer such as ``int *pred`` becomes ``pred[lane]``, the value written through that
  lane's pointer); ``config`` parameters (``mask``, ``width``) are one uniform value. The
  snippet also names ``warp_size`` (32 on CUDA, 64 on CDNA HIP: the table's ``WARP_SIZE``),
  ``active[lane]`` (non-zero for the lanes that execute this call, with the same mask),
  ``result[lane]`` (the value each active lane's call returns; inactive lanes are not written)
  and ``undefined[lane]`` (set to 1 where the result is undefined, e.g. a CUDA shuffle from a
  lane that does not take part: a test or a pass must not read that result).
- ``kind="tile"`` (``wmma::*``, MFMA): a fragment is a matrix, a row-major array of
  ``rows x cols`` elements (``a[r * cols + c]``); the operation is loops over matrices. For the
  ``wmma`` functions the intrinsic's fragment parameters are those matrices (the per-lane
  ``x[i]`` <-> (row, col) mapping is ``cuda.intrinsics.wmma_element``). For MFMA the builtin's
  operands are per-lane registers: ``Collective.operands`` (:class:`TileOperand`) say, from
  the table's layout functions, which matrix element every (lane, slot) holds, so per-lane
  operands are gathered into the matrices before the snippet and the result scattered back.
- ``ENUMERATORS`` (a table module attribute) gives the values of enumerators a snippet
  compares with (``nvcuda::wmma::mem_col_major`` -> 1), so the loops need no vendor enum.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Optional


@dataclass(frozen=True)
class Param:
    """One parameter of an intrinsic overload."""

    name: str
    type: str  # C spelling, may use type variables: "T *", "const T *", "unsigned int"
    space: str | None = None  # memory space a pointer must point into: "nram", "wram", ...
    unit: str | None = None  # "elements", "bytes", "lanes", "segments-1" ...
    role: str = "in"  # "in", "out", "inout", "scalar", "config"
    default: str | None = None  # default argument, C spelling
    doc: str = ""


@dataclass(frozen=True)
class TileOperand:
    """Where the per-lane registers of one operand of a tile operation sit in its matrix.

    ``index(lane, slot, **constants)`` is the flat index into the matrix ``tile`` of the
    element that slot ``slot`` of lane ``lane`` holds; ``source(lane, **constants)`` is the
    lane whose register lane ``lane`` contributes (MFMA's BLGP reads B from another lane), the
    lane itself by default. ``constants`` are the call's constant arguments (``blgp=1``).
    Example, the A operand of ``__builtin_amdgcn_mfma_f32_16x16x4f32``:
    ``TileOperand("a", "A", "float", 1, lambda lane, slot, **_: lane % 16 * 4 + lane // 16)``.
    """

    param: str  # the intrinsic parameter, or "return" for the value the builtin returns
    tile: str  # the Collective parameter (a matrix) it is gathered into or scattered from
    slot_type: str  # C type of one slot: what a lane array of this operand holds
    slots: int  # slots per lane
    index: Callable[..., int]
    source: Optional[Callable[..., int]] = None


@dataclass(frozen=True)
class Collective:
    """What a warp-wide intrinsic does, written once over the whole warp (module docstring).

    ``__shfl_down_sync`` as lanes: ``for (int lane = 0; lane < warp_size; ++lane) if
    (active[lane]) { int j = lane + (int)(delta[lane] & 31u); ... result[lane] = var[j]; }``.
    """

    kind: str  # "lanes" or "tile"
    params: tuple[Param, ...]  # the snippet's parameters (lane arrays, matrices, uniform values)
    body: str  # C++ over them
    operands: tuple[TileOperand, ...] = ()  # tile: per-lane operands and their lane layout
    constants: tuple[str, ...] = ()  # parameters that must be integer constants (MFMA cbsz, abid, blgp)


@dataclass(frozen=True)
class Overload:
    """One signature of an intrinsic, possibly generic over type variables."""

    params: tuple[Param, ...]
    ret: str = "void"
    instances: tuple[Mapping[str, str], ...] = ({},)  # bindings of the type variables
    semantics: str | None = None  # C++ body, see module docstring
    arch: str | None = None  # availability, e.g. "sm_70+", ">=322, not 372", "gfx90a"
    note: str = ""
    collective: Optional[Collective] = None  # warp-wide meaning (lanes or tile), see module docstring


@dataclass(frozen=True)
class Intrinsic:
    """A dialect intrinsic or builtin function, with everything tools say about it."""

    name: str
    overloads: tuple[Overload, ...]
    category: str  # "elementwise", "scalar", "active", "reduction", "memcpy", "memset",
    # "layout", "pooling", "tensor", "sync", "shuffle", "vote", "atomic", "math", "convert",
    # "wmma", "mfma", "load", "store", "arith", "mask", "dot", "misc"
    doc: str  # what it computes, one paragraph, for hover
    source: str = ""  # citation, e.g. "reference/bang.md §4.1 [M §3.28.2]"
    alignment: str = ""  # alignment and size rules, as text
    overlap: str = ""  # "allowed", or which operands must not overlap
    pipeline: str = ""  # BANG: "compute", "io", "move"
    deprecated: str | None = None  # the replacement, when deprecated
    alias_of: str | None = None  # for aliases: the intrinsic whose semantics it shares
    emulation: str = "semantics"  # "semantics" (generated from the snippet) or "runtime"
    qualified: str | None = None  # namespace-qualified spelling, e.g. "nvcuda::wmma::mma_sync"
    # "exact", or "approximate" (the hardware's result differs from the semantics, which the
    # emulator computes exactly: BANG's table-based activations); tensorize says so in its notes
    accuracy: str = "exact"
    domain: str = ""  # inputs outside this range give undefined results, e.g. "[-2pi, 2pi]"
    # a whole-vector reduction: "sum", "max", "min" (the result is the return value, or dst[0]
    # for an intrinsic returning void), for tensorize's reductions
    reduces: str = ""
    # an element-wise conversion: (from, to, rounding) in dtypes names, rounding "exact" or the
    # mode ("nearest-even" is C's conversion), for tensorize's casts
    converts: tuple = ()

    @property
    def signatures(self) -> list[str]:
        """Every concrete signature, as C declarations (for hover and docs)."""
        return [sig for ov in self.overloads for sig in overload_declarations(self.name, ov)]


@dataclass(frozen=True)
class BuiltinVar:
    """A built-in variable such as ``threadIdx`` or ``taskId``."""

    name: str
    type: str
    doc: str
    fields: tuple[str, ...] = ()  # ("x", "y", "z") for vector built-ins
    range: str = ""  # e.g. "[0, blockDim.x)"
    parallel: bool = False  # an index of parallel execution (loop recovery turns it into a loop)


@dataclass(frozen=True)
class MemorySpace:
    """A memory space and the qualifier that puts a variable there."""

    name: str  # "global", "shared", "local", "constant", "gdram", "nram", "wram", "sram", "ldram"
    qualifier: str  # C spelling ("__shared__"), "" for the default space
    scope: str  # who shares one copy: "device", "block", "thread", "core", "cluster"
    doc: str
    capacity: Mapping[str, int] = field(default_factory=dict)  # arch -> bytes


@dataclass(frozen=True)
class Figure:
    """A performance figure of a part (bandwidth, clock, throughput), with where it comes from.

    Exactly one of two provenances: ``source`` (where the number is stated: a URL or a
    citation, and, when the number is computed from stated ones, how) or ``estimated`` (how it
    was derived when nothing citable states it). A figure with neither is refused, so an
    estimate can never pass for a sourced number. The cost models (``xpiler.tune.cost``) read
    these: ``Figure(614.4e9, "B/s", source="https://...")``, values are plain floats in ``unit``.
    """

    value: float
    unit: str  # "B/s", "Hz", "B/cycle/core", "ops/s", "count", "B"
    source: str = ""
    estimated: str = ""
    note: str = ""

    def __post_init__(self):
        if bool(self.source) == bool(self.estimated):
            raise ValueError(f"a Figure needs exactly one of source or estimated: {self!r}")

    @property
    def is_estimated(self) -> bool:
        return bool(self.estimated)

    @property
    def provenance(self) -> str:
        return f"estimated: {self.estimated}" if self.estimated else self.source


def lanes(params: Iterable[Param], ret: str, body: str) -> Collective:
    """A ``kind="lanes"`` collective over an intrinsic's own parameters: per-thread parameters
    become lane arrays (``T var`` -> ``const T *var``; an out pointer ``int *pred`` stays ``int *``,
    one element per lane), ``config`` ones stay uniform values; ``warp_size``, ``active``,
    ``result`` (unless ``ret`` is void) and ``undefined`` are added (module docstring).
    ``lanes((config("mask", "unsigned"), scalar("predicate", "int")), "int", "...")``."""
    out = [Param("warp_size", "int", role="config")]
    for p in params:
        if p.role == "config":
            out.append(Param(p.name, p.type, p.space, p.unit, p.role, None, p.doc))
        elif p.type.strip().endswith("*"):
            out.append(Param(p.name, p.type, p.space, p.unit, "out" if p.role == "out" else "inout", None, p.doc))
        else:
            out.append(Param(p.name, f"const {p.type.strip()} *", None, p.unit, "in", None, p.doc))
    out.append(Param("active", "const int *", role="in", doc="non-zero for the lanes that execute the call"))
    if ret.strip() != "void":
        out.append(Param("result", f"{ret} *", role="out", doc="what each active lane's call returns"))
    out.append(Param("undefined", "int *", role="out", doc="set to 1 where the result is undefined"))
    return Collective("lanes", tuple(out), body)


def scalar(name: str, ctype: str, doc: str = "", default: Optional[str] = None, unit: Optional[str] = None) -> Param:
    """A value (scalar) parameter."""
    return Param(name, ctype, role="scalar", default=default, doc=doc, unit=unit)


def config(name: str, ctype: str, doc: str = "", default: Optional[str] = None, unit: Optional[str] = None) -> Param:
    """A configuration parameter (mask, width, mode): constant or uniform across the threads."""
    return Param(name, ctype, role="config", default=default, doc=doc, unit=unit)


def pointer(name: str, ctype: str, role: str = "in", space: Optional[str] = None, doc: str = "",
            unit: Optional[str] = None) -> Param:
    """A pointer (or reference) parameter, with the space it must point into."""
    return Param(name, ctype, space=space, role=role, doc=doc, unit=unit)


def bind(text: str, env: Mapping[str, str]) -> str:
    """Substitute type variables (whole identifiers only) in a C type or code snippet."""
    if not env:
        return text
    import re

    return re.sub(r"\b(" + "|".join(map(re.escape, env)) + r")\b", lambda m: env[m.group(1)], text)


def overload_declarations(name: str, ov: Overload, *, defaults: bool = True) -> list[str]:
    """One C++ declaration per instance of an overload."""
    out = []
    for env in ov.instances:
        params = []
        for p in ov.params:
            decl = _declarator(bind(p.type, env), p.name)
            if defaults and p.default is not None:
                decl += " = " + p.default
            params.append(decl)
        out.append(f"{bind(ov.ret, env)} {name}({', '.join(params)})")
    return out


def _declarator(ctype: str, name: str) -> str:
    ctype = ctype.strip()
    if ctype.endswith("*") or ctype.endswith("&"):
        return f"{ctype}{name}"
    if "[" in ctype:  # "float [4]" style array parameter types
        base, _, rest = ctype.partition("[")
        return f"{base.strip()} {name}[{rest}"
    return f"{ctype} {name}"


def each(**typevars: Iterable[str]) -> tuple[dict[str, str], ...]:
    """Instances for independent type variables: ``each(T=("half", "float"))``."""
    names = list(typevars)
    return tuple(dict(zip(names, combo)) for combo in itertools.product(*typevars.values()))


def combos(*rows: Mapping[str, str]) -> tuple[dict[str, str], ...]:
    """Instances for type variables that vary together: ``combos({"Tdst": "float", "Tsrc": "half"}, ...)``."""
    return tuple(dict(r) for r in rows)


def table(*intrinsics: Intrinsic) -> dict[str, Intrinsic]:
    """Index intrinsics by name, refusing duplicates (one fact, one place)."""
    out: dict[str, Intrinsic] = {}
    for it in intrinsics:
        if it.name in out:
            raise ValueError(f"intrinsic {it.name} described twice")
        out[it.name] = it
    return out
