"""C types as data: element sizes and NumPy dtypes of the types kernels use.

One table for every dialect: vendor typedefs (``half``, ``int8``, ``bfloat16_t``,
``fix8``) resolve to the same dtypes as the standard ones.
"""
from __future__ import annotations

from typing import Optional

from . import ir

# spelling -> numpy dtype name
_DTYPE = {
    "float": "float32", "double": "float64", "half": "float16", "__half": "float16", "_Float16": "float16",
    "__bf16": "bfloat16", "bfloat16_t": "bfloat16", "__nv_bfloat16": "bfloat16", "nv_bfloat16": "bfloat16",
    "hip_bfloat16": "bfloat16",
    "char": "int8", "signed char": "int8", "unsigned char": "uint8", "int8_t": "int8", "uint8_t": "uint8",
    "int8": "int8", "fix8": "int8",
    "short": "int16", "unsigned short": "uint16", "int16_t": "int16", "uint16_t": "uint16", "int16": "int16",
    "int": "int32", "unsigned int": "uint32", "unsigned": "uint32", "int32_t": "int32", "uint32_t": "uint32",
    "int32": "int32",
    "long": "int64", "unsigned long": "uint64", "long long": "int64", "unsigned long long": "uint64",
    "int64_t": "int64", "uint64_t": "uint64", "size_t": "uint64", "ptrdiff_t": "int64", "ssize_t": "int64",
    "intptr_t": "int64", "uintptr_t": "uint64",
    "bool": "bool", "_Bool": "bool",
}
_ITEMSIZE = {"float32": 4, "float64": 8, "float16": 2, "bfloat16": 2, "int8": 1, "uint8": 1, "int16": 2,
             "uint16": 2, "int32": 4, "uint32": 4, "int64": 8, "uint64": 8, "bool": 1}
# x86 vector types and CUDA vector types: bytes
_OTHER_SIZES = {"__m128": 16, "__m128i": 16, "__m128d": 16, "__m256": 32, "__m256i": 32, "__m256d": 32,
                "__m512": 64, "__m512i": 64, "__m512d": 64, "half2": 4, "__half2": 4,
                "float2": 8, "float3": 12, "float4": 16, "int2": 8, "int3": 12, "int4": 16,
                "double2": 16, "double4": 32, "uint2": 8, "uint4": 16, "char4": 4, "uchar4": 4}


#: how each dialect spells the floating types C has no one name for (None: no spelling)
SPELLING: dict[str, dict[str, Optional[str]]] = {
    "float16": {"cuda": "__half", "hip": "__half", "bang": "half", "c": "_Float16", "vnni": "_Float16"},
    "bfloat16": {"cuda": "__nv_bfloat16", "hip": "__hip_bfloat16", "bang": "bfloat16_t", "c": None, "vnni": None},
}


def spelling(name: str, dialect: str) -> Optional[str]:
    """The target ``dialect``'s name for the type spelled ``name`` when it is one of the
    types in :data:`SPELLING` (``__half`` -> ``_Float16`` on C), ``name`` itself otherwise,
    None where the dialect has no spelling."""
    d = _DTYPE.get(name)
    if d not in SPELLING:
        return name
    return SPELLING[d][dialect]


def dtype_of(t: ir.CType) -> Optional[str]:
    """The NumPy dtype name of a scalar type, or None (pointers, vectors, structs)."""
    if not isinstance(t, ir.Named):
        return None
    d = _DTYPE.get(t.name)
    if d is None and t.canonical:
        d = _DTYPE.get(t.canonical.replace("const ", "").replace("volatile ", "").strip())
    return d


def sizeof(t: ir.CType) -> Optional[int]:
    """Size in bytes, or None when unknown (a struct we do not model, a variable length)."""
    if isinstance(t, ir.Pointer):
        return 8
    if isinstance(t, ir.Array):
        if t.size is None or not isinstance(t.size, ir.IntLit):
            return None
        inner = sizeof(t.elem)
        return None if inner is None else inner * t.size.value
    if isinstance(t, ir.Named):
        d = dtype_of(t)
        if d is not None:
            return _ITEMSIZE[d]
        return _OTHER_SIZES.get(t.name)
    return None


def itemsize(dtype: str) -> int:
    return _ITEMSIZE[dtype]


def element_type(t: ir.CType) -> ir.CType:
    """The innermost element type of arrays and pointers."""
    while isinstance(t, (ir.Array, ir.Pointer)):
        t = t.elem if isinstance(t, ir.Array) else t.pointee
    return t
