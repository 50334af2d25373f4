"""Launch and argument specifications: the ``// xpiler: launch`` and ``// xpiler: args``
comments, the ``--launch`` and ``--arg`` flags and the corpus manifest all use these.

    grid=8,1,1 block=256,1,1 [shared=BYTES]      CUDA, HIP
    dim=16,1,1 type=union4                         BANG (block, union1, union2 ... union16)
    x=float32[2048] w=int8[64,64] n=2000           arguments
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Union

from .diagnostics import XpilerError
from .dialects.bang.intrinsics import TASK_TYPES as _BANG_TASKS

DTYPES = ("float32", "float16", "bfloat16", "float64", "int8", "uint8", "int16", "uint16",
          "int32", "uint32", "int64", "uint64", "bool")
#: The launch-spec names of the BANG task types and their cnrtFunctionType_t values (the MLU
#: cores they take), from the dialect table.
BANG_TASK_TYPES = {name[len("cnrtFuncType"):].lower(): t["value"] for name, t in _BANG_TASKS.items()
                   if name.startswith("cnrtFuncType") and t["union"] is not None and name[-1] != "0"
                   and name != "cnrtFuncTypeBlock1"}


@dataclass(frozen=True)
class GpuLaunch:
    """A CUDA/HIP launch: grid and block sizes, and bytes of dynamic shared memory."""

    grid: tuple[int, int, int]
    block: tuple[int, int, int]
    shared: int = 0

    def __str__(self) -> str:
        s = f"grid={','.join(map(str, self.grid))} block={','.join(map(str, self.block))}"
        return s + (f" shared={self.shared}" if self.shared else "")


@dataclass(frozen=True)
class BangLaunch:
    """A BANG launch: the task dimensions and the task type."""

    dim: tuple[int, int, int]
    type: str = "block"

    @property
    def union(self) -> int:
        """Clusters per union job (0 for BLOCK tasks)."""
        return 0 if self.type == "block" else int(self.type[5:])

    def __str__(self) -> str:
        return f"dim={','.join(map(str, self.dim))} type={self.type}"


Launch = Union[GpuLaunch, BangLaunch]


def _dims(text: str, what: str) -> tuple[int, int, int]:
    parts = [p for p in text.split(",") if p.strip()]
    if not 1 <= len(parts) <= 3:
        raise XpilerError(f"{what}: expected 1 to 3 comma-separated sizes, got {text!r}")
    try:
        vals = [int(p) for p in parts]
    except ValueError:
        raise XpilerError(f"{what}: sizes must be integers, got {text!r}") from None
    if any(v < 1 for v in vals):
        raise XpilerError(f"{what}: sizes must be positive, got {text!r}")
    return tuple(vals + [1] * (3 - len(vals)))  # type: ignore[return-value]


def parse_launch(text: str, dialect: str) -> Launch:
    """Parse a launch spec for ``dialect``; a clear XpilerError says what is wrong."""
    fields = dict(_pairs(text, "launch"))
    if dialect == "bang":
        unknown = set(fields) - {"dim", "type"}
        if unknown or "dim" not in fields:
            raise XpilerError(f"BANG launch must be 'dim=X,Y,Z type=block|union1|union2|union4|union8|union16', "
                              f"got {text!r}")
        ttype = fields.get("type", "block").lower()
        if ttype not in BANG_TASK_TYPES:
            raise XpilerError(f"unknown BANG task type {ttype!r}; expected one of {', '.join(BANG_TASK_TYPES)}")
        # dim.x must be a multiple of the cores a union job takes, which depends on the MLU
        # model (4 cores a cluster, 1 on tp_322): the runtime checks it for the configured arch.
        return BangLaunch(_dims(fields["dim"], "dim"), ttype)
    if dialect in ("cuda", "hip"):
        unknown = set(fields) - {"grid", "block", "shared"}
        if unknown or "grid" not in fields or "block" not in fields:
            raise XpilerError(f"{dialect.upper()} launch must be 'grid=X,Y,Z block=X,Y,Z [shared=BYTES]', got {text!r}")
        try:
            shared = int(fields.get("shared", "0"))
        except ValueError:
            raise XpilerError(f"shared must be a byte count, got {fields['shared']!r}") from None
        return GpuLaunch(_dims(fields["grid"], "grid"), _dims(fields["block"], "block"), shared)
    raise XpilerError(f"{dialect} kernels have no launch configuration")


@dataclass(frozen=True)
class ArgSpec:
    """One kernel argument: a buffer (dtype and shape) or a scalar value."""

    name: str
    dtype: Optional[str] = None  # buffers
    shape: Optional[tuple[int, ...]] = None
    value: Optional[Union[int, float]] = None  # scalars
    generator: Optional[str] = None  # buffers: how inputs fill it (``perm(64)``), written ``dtype[shape]:gen``

    @property
    def is_buffer(self) -> bool:
        return self.dtype is not None

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape or ():
            n *= d
        return n

    def __str__(self) -> str:
        if self.is_buffer:
            gen = f":{self.generator}" if self.generator else ""
            return f"{self.name}={self.dtype}[{','.join(map(str, self.shape or ()))}]{gen}"
        return f"{self.name}={self.value}"


_BUF = re.compile(r"^([a-z0-9]+)\[([0-9,\s]*)\]$")


_GEN = re.compile(r"^(uniform|randint|perm|const)\([^()]*\)$")


def parse_arg(name: str, text: str) -> ArgSpec:
    """``float32[16,16]``, ``int32[40]:perm(64)`` (a buffer filled by an input generator:
    ``uniform(lo,hi)``, ``randint(lo,hi)``, ``perm(n)``, ``const(v)``) or a number."""
    body, _, gen = text.strip().partition("]:")
    if gen:
        if not _GEN.match(gen):
            raise XpilerError(f"argument {name}: unknown input generator {gen!r}; expected uniform(lo,hi), "
                              f"randint(lo,hi), perm(n) or const(v)")
        a = parse_arg(name, body + "]")
        return ArgSpec(a.name, a.dtype, a.shape, None, gen)
    m = _BUF.match(text.strip())
    if m:
        dtype = m.group(1)
        if dtype not in DTYPES:
            raise XpilerError(f"argument {name}: unknown dtype {dtype!r}; expected one of {', '.join(DTYPES)}")
        dims = tuple(int(d) for d in m.group(2).split(",") if d.strip())
        if not dims or any(d < 1 for d in dims):
            raise XpilerError(f"argument {name}: shape must be positive sizes, got [{m.group(2)}]")
        return ArgSpec(name, dtype, dims)
    t = text.strip()
    try:
        value: Union[int, float] = int(t, 0)
    except ValueError:
        try:
            value = float(t.rstrip("fF"))
        except ValueError:
            raise XpilerError(f"argument {name}: expected DTYPE[SHAPE] or a number, got {text!r}") from None
    return ArgSpec(name, value=value)


def parse_args(text: str) -> list[ArgSpec]:
    """Parse ``name=dtype[shape] name=value ...``."""
    return [parse_arg(k, v) for k, v in _pairs(text, "args")]


def format_args(args: list[ArgSpec]) -> str:
    return " ".join(str(a) for a in args)


def _pairs(text: str, what: str) -> list[tuple[str, str]]:
    out = []
    for tok in re.findall(r"\S+\[[^\]]*\](?::\S+)?|\S+", text):
        if "=" not in tok:
            raise XpilerError(f"{what}: expected NAME=VALUE, got {tok!r}")
        k, v = tok.split("=", 1)
        if not k:
            raise XpilerError(f"{what}: expected NAME=VALUE, got {tok!r}")
        out.append((k.strip(), v.strip()))
    return out
