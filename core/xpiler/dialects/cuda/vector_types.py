"""CUDA's built-in vector types (``float4``, ``int2``, ``char4``...), as data: their element
type, lane count and alignment (CUDA Programming Guide, "Built-in Vector Types"; gpu.md §6),
and the C definitions a translation to a platform without them writes (a struct with members
``x, y, z, w`` and its ``make_*`` constructor).

    VECTOR_TYPES["float4"] -> ("float", 4, 16)
    c_definitions({"float4"}) -> typedef struct ... float4; static inline float4 make_float4(...)
"""
from __future__ import annotations

_ELEMS = {"char": "signed char", "uchar": "unsigned char", "short": "short", "ushort": "unsigned short",
          "int": "int", "uint": "unsigned int", "long": "long", "ulong": "unsigned long", "longlong": "long long",
          "ulonglong": "unsigned long long", "float": "float", "double": "double"}
_SIZES = {"char": 1, "uchar": 1, "short": 2, "ushort": 2, "int": 4, "uint": 4, "long": 8, "ulong": 8,
          "longlong": 8, "ulonglong": 8, "float": 4, "double": 8}

#: name -> (C element type, lanes, alignment in bytes). A 3-lane type is aligned like its
#: element; 2- and 4-lane types to their size, capped at 16 bytes.
VECTOR_TYPES: dict[str, tuple[str, int, int]] = {}
for _base, _elem in _ELEMS.items():
    for _n in (1, 2, 3, 4):
        _size = _SIZES[_base] * _n
        _align = _SIZES[_base] if _n in (1, 3) else min(_size, 16)
        VECTOR_TYPES[f"{_base}{_n}"] = (_elem, _n, _align)

#: cuda_fp16.h's pair of halves (members x, y; HIP's hip_fp16.h has the same), element
#: spelled per target (``dtypes.spelling``)
VECTOR_TYPES["__half2"] = ("__half", 2, 4)

_LANES = "xyzw"


def c_definitions(used: set[str], qualifier: str = "", spell=lambda elem: elem) -> str:
    """C (and C++) definitions of the vector types in ``used`` with their constructors;
    ``qualifier`` makes the constructors device functions where the target needs it
    (``__mlu_func__`` on BANG); ``spell`` gives the target's name of an element type
    (``__half`` -> ``_Float16``)."""
    out = []
    for name in sorted(used):
        if name not in VECTOR_TYPES:
            continue
        elem, n, align = VECTOR_TYPES[name]
        elem = spell(elem)
        members = ", ".join(_LANES[:n])
        out.append(f"typedef struct __attribute__((aligned({align}))) {{ {elem} {members}; }} {name};")
        params = ", ".join(f"{elem} {c}" for c in _LANES[:n])
        q = f"{qualifier} " if qualifier else ""
        out.append(f"static {q}inline {name} make_{name}({params}) {{ {name} r = {{{members}}}; return r; }}")
    return "\n".join(out)
