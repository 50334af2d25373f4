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
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional


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
class Overload:
    """One signature of an intrinsic, possibly generic over type variables."""

    params: tuple[Param, ...]
    ret: str = "void"
    instances: tuple[Mapping[str, str], ...] = ({},)  # bindings of the type variables
    semantics: str | None = None  # C++ body, see module docstring
    arch: str | None = None  # availability, e.g. "sm_70+", ">=322, not 372", "gfx90a"
    note: str = ""


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
