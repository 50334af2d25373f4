"""Seeded random inputs of the right dtypes and ranges.

Generators (the corpus manifest's ``inputs``): ``uniform(lo,hi)``, ``randint(lo,hi)``
(inclusive), ``perm(n)`` (distinct values from a permutation of ``range(n)``), ``const(v)``.
Defaults: floats ``uniform(-1,1)``; int8/uint8 their full range; other integers
``randint(-1000,1000)`` (``randint(0,1000)`` when unsigned).

``filled(dtype, shape, kind)``: the oracle's fixed fills. ``sentinel`` is what a buffer the
source writes before reading starts as (a quiet NaN with a recognisable payload for floats,
the byte pattern 0xA5 for integers); ``high`` and ``low`` are large finite values it probes
with (a read that swallows a NaN, like ``fmaxf(y, v)``, still sees them).
"""
from __future__ import annotations

import re
from typing import Optional

import numpy as np

from .. import spec
from ..diagnostics import XpilerError

try:  # NumPy has no bfloat16; keep its bits in uint16
    _BF16 = np.dtype("uint16")
except TypeError:  # pragma: no cover
    _BF16 = None


def numpy_dtype(name: str) -> np.dtype:
    return _BF16 if name == "bfloat16" else np.dtype(name)


def generate(a: spec.ArgSpec, rng: np.random.Generator, generator: Optional[str] = None) -> np.ndarray:
    """A buffer for ``a`` (dtype and shape), filled by ``generator``, the spec's own, or the
    dtype's default."""
    generator = generator or a.generator
    dt = numpy_dtype(a.dtype or "float32")
    shape = a.shape or (1,)
    n = int(np.prod(shape))
    if a.dtype == "bfloat16":
        f = _values(generator or "uniform(-1,1)", n, rng, np.dtype("float32")).astype(np.float32)
        return (f.view(np.uint32) >> 16).astype(np.uint16).reshape(shape)
    g = generator or default_generator(dt)
    return _values(g, n, rng, dt).astype(dt).reshape(shape)


def default_generator(dt: np.dtype) -> str:
    if dt.kind == "f":
        return "uniform(-1,1)"
    if dt.kind == "b":
        return "randint(0,1)"
    if dt.itemsize == 1:
        info = np.iinfo(dt)
        return f"randint({info.min},{info.max})"
    return "randint(0,1000)" if dt.kind == "u" else "randint(-1000,1000)"


_GEN = re.compile(r"^\s*(uniform|randint|perm|const)\s*\(([^)]*)\)\s*$")


def _values(g: str, n: int, rng: np.random.Generator, dt: np.dtype) -> np.ndarray:
    m = _GEN.match(g)
    if not m:
        raise XpilerError(f"unknown input generator {g!r}; use uniform(lo,hi), randint(lo,hi), perm(n) or const(v)")
    kind, raw = m.group(1), [x.strip() for x in m.group(2).split(",") if x.strip()]
    try:
        nums = [float(x) for x in raw]
    except ValueError:
        raise XpilerError(f"input generator {g!r}: arguments must be numbers") from None
    if kind == "uniform":
        lo, hi = (nums + [-1.0, 1.0])[:2] if len(nums) >= 2 else (-1.0, 1.0)
        return rng.uniform(lo, hi, n)
    if kind == "randint":
        lo, hi = int(nums[0]), int(nums[1])
        return rng.integers(lo, hi, n, endpoint=True)
    if kind == "perm":
        total = int(nums[0])
        if total < n:
            raise XpilerError(f"perm({total}) cannot give {n} distinct values")
        return rng.permutation(total)[:n]
    return np.full(n, nums[0])


# quiet NaNs whose payload reads A5 in a dump; bfloat16 is kept as its bits in uint16
_NAN_BITS = {"float64": (np.uint64, 0x7FF8A5A5A5A5A5A5), "float32": (np.uint32, 0x7FC5A5A5),
             "float16": (np.uint16, 0x7EA5), "bfloat16": (np.uint16, 0x7FC5)}
SENTINEL_BYTE = 0xA5
FILLS = ("sentinel", "high", "low")


def filled(dtype: str, shape: tuple[int, ...], kind: str = "sentinel") -> np.ndarray:
    """A buffer of ``dtype`` (a spec name: ``bfloat16`` gives uint16 bits) and ``shape``
    holding one fixed value: ``sentinel``, ``high`` or ``low`` (see the module doc)."""
    if kind not in FILLS:
        raise XpilerError(f"unknown fill {kind!r}; expected one of {', '.join(FILLS)}")
    dt = numpy_dtype(dtype)
    shape = tuple(shape) or (1,)
    if dtype == "bfloat16":
        if kind == "sentinel":
            return np.full(shape, _NAN_BITS["bfloat16"][1], np.uint16)
        f = np.full(shape, 1e30 if kind == "high" else -1e30, np.float32)
        return (f.view(np.uint32) >> 16).astype(np.uint16)
    if dt.kind == "f":
        if kind == "sentinel":
            bits, pattern = _NAN_BITS.get(dt.name, (None, None))
            if bits is None:
                return np.full(shape, np.nan, dt)
            return np.full(shape, pattern, bits).view(dt)
        big = float(np.finfo(dt).max) / 2 if dt.itemsize == 2 else 1e30
        return np.full(shape, big if kind == "high" else -big, dt)
    if dt.kind == "b":
        return np.full(shape, kind != "low", dt)
    if kind == "sentinel":
        return np.full(int(np.prod(shape)) * dt.itemsize, SENTINEL_BYTE, np.uint8).view(dt).reshape(shape)
    info = np.iinfo(dt)
    return np.full(shape, info.max if kind == "high" else info.min, dt)


def values(args: str, seed: int = 0, generators: Optional[dict[str, str]] = None) -> dict:
    """Seeded values for every argument of an argument spec (``x=float32[N] n=N``): buffers
    generated in order from one generator seeded with ``seed``, scalars as given."""
    rng = np.random.default_rng(seed)
    return {a.name: generate(a, rng, (generators or {}).get(a.name)) if a.is_buffer else a.value
            for a in spec.parse_args(args)}
