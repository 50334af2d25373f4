"""C's arithmetic types as data: integer widths and signedness, literal types, the
integer promotions and the usual arithmetic conversions (C11 6.3.1, C++ [conv.prom]).

The target is LP64 (x86-64 Linux, CUDA, HIP, BANG host and device): ``int`` is 32 bits,
``long`` and ``long long`` 64, plain ``char`` signed. Widths come from ``dtypes`` (one
table of C types for the whole project); ranks from the standard.

    int_type(Named("size_t"))            -> IntType("unsigned long", 64, signed=False, rank=4)
    arithmetic(Named("int"), Named("unsigned int"))  -> Named("unsigned int")
    arithmetic(Named("int"), Named("long"))          -> Named("long")
    literal_type(IntLit(1, "1u"))        -> Named("unsigned int")
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .. import dtypes, ir


@dataclass(frozen=True)
class IntType:
    """An integer type: its canonical spelling, width in bits, signedness and conversion
    rank (bool 0, char 1, short 2, int 3, long 4, long long 5)."""

    name: str
    width: int
    signed: bool
    rank: int

    @property
    def min(self) -> int:
        return -(1 << (self.width - 1)) if self.signed else 0

    @property
    def max(self) -> int:
        return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1

    def contains(self, v: int) -> bool:
        return self.min <= v <= self.max

    def wrap(self, v: int) -> int:
        """``v`` reduced modulo 2^width into this type's range (two's complement)."""
        if self.name == "bool":
            return int(v != 0)
        v &= (1 << self.width) - 1
        if self.signed and v >> (self.width - 1):
            v -= 1 << self.width
        return v

    def unsigned(self) -> "IntType":
        """The unsigned type of the same rank (``long`` -> ``unsigned long``)."""
        return self if not self.signed else _BY_NAME["unsigned " + self.name.replace("signed ", "")]

    def ctype(self) -> ir.Named:
        return ir.Named(self.name)


def _t(name: str, width: int, signed: bool, rank: int) -> IntType:
    return IntType(name, width, signed, rank)


_STANDARD = [
    _t("bool", 8, False, 0),
    _t("char", 8, True, 1), _t("signed char", 8, True, 1), _t("unsigned char", 8, False, 1),
    _t("short", 16, True, 2), _t("unsigned short", 16, False, 2),
    _t("int", 32, True, 3), _t("unsigned int", 32, False, 3),
    _t("long", 64, True, 4), _t("unsigned long", 64, False, 4),
    _t("long long", 64, True, 5), _t("unsigned long long", 64, False, 5),
]
_BY_NAME: dict[str, IntType] = {t.name: t for t in _STANDARD}
_BY_NAME["unsigned signed char"] = _BY_NAME["unsigned char"]  # for IntType.unsigned() on signed char

INT = _BY_NAME["int"]
UINT = _BY_NAME["unsigned int"]
LONG = _BY_NAME["long"]
ULONG = _BY_NAME["unsigned long"]
BOOL = _BY_NAME["bool"]

# typedefs and vendor spellings -> the standard type they are on LP64
_TYPEDEFS = {
    "_Bool": "bool", "int8_t": "signed char", "uint8_t": "unsigned char", "int16_t": "short",
    "uint16_t": "unsigned short", "int32_t": "int", "uint32_t": "unsigned int", "int64_t": "long",
    "uint64_t": "unsigned long", "size_t": "unsigned long", "ssize_t": "long", "ptrdiff_t": "long",
    "intptr_t": "long", "uintptr_t": "unsigned long", "int8": "signed char", "fix8": "signed char",
    "int16": "short", "int32": "int", "uint": "unsigned int",
}

FLOAT_RANK = {"half": 0, "__half": 0, "_Float16": 0, "__nv_bfloat16": 0, "nv_bfloat16": 0, "__bf16": 0,
              "bfloat16_t": 0, "hip_bfloat16": 0, "float": 1, "double": 2, "long double": 3}


def _normalise(spelling: str) -> str:
    """``long unsigned int`` -> ``unsigned long``; typedefs resolved; qualifiers dropped."""
    words = [w for w in spelling.replace("std::", "").split() if w not in ("const", "volatile", "signed__")]
    s = " ".join(words)
    if s in _TYPEDEFS:
        return _TYPEDEFS[s]
    if s in _BY_NAME:
        return s
    if not words or any(w not in ("signed", "unsigned", "int", "long", "short", "char") for w in words):
        return s
    unsigned = "unsigned" in words
    longs = words.count("long")
    if "char" in words:
        base = "char"
        if unsigned:
            return "unsigned char"
        return "signed char" if "signed" in words else "char"
    base = "short" if "short" in words else "long long" if longs >= 2 else "long" if longs == 1 else "int"
    return ("unsigned " if unsigned else "") + base


def int_type(t: Optional[ir.CType]) -> Optional[IntType]:
    """The integer type ``t`` names, or None (floating, pointer, vector, struct, unknown).
    Enumerations are not modelled (None)."""
    if not isinstance(t, ir.Named):
        return None
    for spelling in (t.name, t.canonical):
        if spelling:
            it = _BY_NAME.get(_normalise(spelling))
            if it is not None:
                return it
    # a spelling dtypes knows (vendor typedefs) that _normalise did not
    d = dtypes.dtype_of(t)
    if d and d.startswith(("int", "uint")):
        w = int(d.lstrip("uint"))
        signed = d.startswith("int")
        return {8: _BY_NAME["signed char"] if signed else _BY_NAME["unsigned char"],
                16: _BY_NAME["short"] if signed else _BY_NAME["unsigned short"],
                32: INT if signed else UINT, 64: LONG if signed else ULONG}[w]
    return None


def float_rank(t: Optional[ir.CType]) -> Optional[int]:
    """0 for half/bfloat16, 1 float, 2 double, 3 long double; None if not floating."""
    if not isinstance(t, ir.Named):
        return None
    for spelling in (t.name, t.canonical):
        if spelling:
            s = " ".join(w for w in spelling.split() if w not in ("const", "volatile"))
            if s in FLOAT_RANK:
                return FLOAT_RANK[s]
    return None


def is_arithmetic(t: Optional[ir.CType]) -> bool:
    return int_type(t) is not None or float_rank(t) is not None


def promote(t: Optional[ir.CType]) -> Optional[ir.CType]:
    """Integer promotion: every type of rank below ``int`` becomes ``int`` (all their
    values fit); others are unchanged. ``promote(short) == int``, ``promote(float) == float``."""
    it = int_type(t)
    if it is not None and it.rank < INT.rank:
        return INT.ctype()
    return _unqualified(t) if t is not None else None


def promote_int(it: IntType) -> IntType:
    return INT if it.rank < INT.rank else it


def arithmetic_int(a: IntType, b: IntType) -> IntType:
    """The usual arithmetic conversions on two integer types (after promotion)."""
    a, b = promote_int(a), promote_int(b)
    if a == b:
        return a
    if a.signed == b.signed:
        return a if a.rank >= b.rank else b
    s, u = (a, b) if a.signed else (b, a)
    if u.rank >= s.rank:
        return u
    if s.width > u.width:  # the signed type holds every value of the unsigned one
        return s
    return s.unsigned()


def arithmetic(a: Optional[ir.CType], b: Optional[ir.CType]) -> Optional[ir.CType]:
    """The usual arithmetic conversions: the common type of a binary operator's operands.
    A floating operand wins (the higher rank; ``half op half`` stays ``half``, as CUDA's
    operators make it); two integer operands follow :func:`arithmetic_int`. When the result
    is one of the operands' types, that operand's spelling is kept (``size_t + int`` is
    ``size_t``). None if either is not arithmetic or unknown."""
    fa, fb = float_rank(a), float_rank(b)
    ia, ib = int_type(a), int_type(b)
    if (fa is None and ia is None) or (fb is None and ib is None):
        return None
    if fa is not None or fb is not None:
        if fa is None:
            return _unqualified(b)
        if fb is None:
            return _unqualified(a)
        return _unqualified(a if fa >= fb else b)
    assert ia is not None and ib is not None
    r = arithmetic_int(ia, ib)
    if r == ia and ia.rank >= INT.rank:
        return _unqualified(a)
    if r == ib and ib.rank >= INT.rank:
        return _unqualified(b)
    return r.ctype()


def _unqualified(t):
    if isinstance(t, ir.Named) and (t.const or t.volatile):
        return ir.Named(t.name, canonical=t.canonical)
    return t


# ----------------------------------------------------------------------------- literals
_INT_SUFFIX = re.compile(r"(?i)(u?l{0,2}|l{0,2}u?)$")


def int_literal_type(lit: ir.IntLit) -> IntType:
    """The type of an integer literal from its spelling and value (C++ [lex.icon]): the
    first of the suffix's candidate types that holds the value. Decimal literals without
    ``u`` are never unsigned; hexadecimal and octal ones may be. A literal that came from a
    macro (no digits in its text) is typed by its value as a decimal."""
    text = lit.text.replace("'", "")
    if not text or not text[0].isdigit():
        text = str(lit.value)
    m = _INT_SUFFIX.search(text)
    suffix = m.group(1).lower() if m else ""
    decimal = not (text.startswith("0") and len(text) > len(suffix) + 1)
    unsigned = "u" in suffix
    longs = suffix.count("l")
    order = ["int", "long", "long long"][min(longs, 2):]
    cands: list[str] = []
    for base in order:
        if unsigned:
            cands.append("unsigned " + base)
        else:
            cands.append(base)
            if not decimal:
                cands.append("unsigned " + base)
    for c in cands:
        t = _BY_NAME[c]
        if t.contains(lit.value):
            return t
    return _BY_NAME["unsigned long long"]


def float_literal_type(lit: ir.FloatLit) -> ir.Named:
    """``1.0f`` float, ``1.0L`` long double, otherwise double."""
    text = lit.text.strip()
    if text[-1:] in ("f", "F"):  # a hex float needs its p exponent, so a final f is a suffix
        return ir.Named("float")
    if text[-1:] in ("l", "L"):
        return ir.Named("long double")
    return ir.Named("double")


# ----------------------------------------------------------------------------- spellings
def parse_type(spelling: str) -> ir.CType:
    """A C type from its spelling, as the dialect tables write them: ``const T *`` ->
    Pointer(Named("T", const=True)); ``float &`` -> Reference; ``float [4]`` -> Array;
    ``float *__restrict__`` -> Pointer(..., restrict=True)."""
    s = spelling.strip()
    if s.endswith("&"):
        return ir.Reference(parse_type(s[:-1]))
    m = _POINTER.match(s)
    if m:
        quals = m.group(2).split()
        return ir.Pointer(parse_type(m.group(1)), const="const" in quals, volatile="volatile" in quals,
                          restrict=any(q in ("restrict", "__restrict__") for q in quals))
    if s.endswith("]") and "[" in s:
        base, _, rest = s.rpartition("[")
        size = rest[:-1].strip()
        return ir.Array(parse_type(base), ir.IntLit(int(size)) if size.isdigit() else None)
    words = s.split()
    name = " ".join(w for w in words if w not in ("const", "volatile"))
    return ir.Named(name, const="const" in words, volatile="volatile" in words)


_POINTER = re.compile(r"^(.*)\*\s*((?:(?:const|volatile|restrict|__restrict__)\s*)*)$")


def same_type(a: Optional[ir.CType], b: Optional[ir.CType]) -> bool:
    """Whether two types are the same type, ignoring qualifiers and typedef spellings
    (``size_t`` is ``unsigned long``)."""
    if a is None or b is None:
        return False
    if isinstance(a, ir.Pointer) and isinstance(b, ir.Pointer):
        return same_type(a.pointee, b.pointee)
    if isinstance(a, ir.Reference) and isinstance(b, ir.Reference):
        return same_type(a.pointee, b.pointee)
    if isinstance(a, ir.Array) and isinstance(b, ir.Array):
        return same_type(a.elem, b.elem)
    if isinstance(a, ir.Named) and isinstance(b, ir.Named):
        ia, ib = int_type(a), int_type(b)
        if ia is not None or ib is not None:
            return ia == ib
        return _normalise(a.name) == _normalise(b.name)
    return False
