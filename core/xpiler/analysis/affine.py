"""Affine forms of index expressions and guards, with C's integer semantics.

An :class:`Affine` is ``sum(coeff * name) + const`` over exact Python integers. Names are
variables and symbols (``i``, ``n``, ``blockIdx.x``) and integer-division terms: ``i / 4``
on a non-negative ``i`` is the term ``floor((i)/4)``, a :class:`Div` kept in ``divs``, as
isl keeps an existentially quantified "div"; ``i % 4`` is ``i - 4*floor((i)/4)``.

    affine_of(<2*i + (j << 1) - 3>)          -> Affine({"i": 2, "j": 2}, -3)
    affine_of(<blockIdx.x * 256 + threadIdx.x>)  -> Affine({"blockIdx.x": 256, "threadIdx.x": 1}, 0)
    affine_of(<i * n>)                       -> NotAffine("i * n: a product of two variables")
    affine_of(<(i - 1u)>)  (i >= 0 only)     -> NotAffine("i - 1u may wrap below zero (unsigned int)")
    constraints_of(<i < n && j >= 0>)        -> Guard([n - i - 1 >= 0, j >= 0])

C semantics, and what is assumed:

- Every subexpression has its C type (``symbols.type_of`` rules: literal suffixes, the
  usual arithmetic conversions). Unsigned arithmetic wraps, so an unsigned result is
  affine only when known ranges prove it does not go below zero (``n - 1u`` is refused
  unless ``n >= 1`` is known); a conversion of a possibly negative value to an unsigned
  type is refused likewise. Above the top of a 32- or 64-bit type nothing is proven: the
  form assumes an index never passes 2^32 (or 2^63) unless a known range says it does,
  in which case it is refused. Types narrower than 32 bits need a proven range.
- Signed overflow is undefined behaviour; like compilers, the forms assume it does not
  happen.
- ``/`` and ``%`` truncate toward zero in C: exact as floor division only when the
  dividend is known non-negative (or non-positive, or a multiple of the divisor).
  ``>>`` is floor division by a power of two (arithmetic shift, as gcc does).
- Without a scope, a name's type is unknown and taken as ``int``.

Ranges come from the caller (``ranges``: loop bounds, guards) and from types (an unsigned
variable is at least 0; a built-in whose table range reads ``[0, ...)`` too).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, Mapping, Optional, Union

from .. import dtypes, ir
from . import ctype
from .symbols import Scope, SymbolTable


# ----------------------------------------------------------------------------- forms
@dataclass(frozen=True)
class Div:
    """``floor(num / den)``, ``den > 0``: an integer-division term."""

    num: "Affine"
    den: int

    @property
    def name(self) -> str:
        return f"floor(({self.num})/{self.den})"


@dataclass
class Affine:
    """``sum(coeffs[name] * name) + const``. Names in ``divs`` are division terms (their
    nested terms included), the others variables and symbols.

        Affine({"i": 2, "n": 1}, -1)      is 2*i + n - 1
    """

    coeffs: dict[str, int] = field(default_factory=dict)
    const: int = 0
    divs: dict[str, Div] = field(default_factory=dict)

    def __post_init__(self):
        self.coeffs = {k: v for k, v in self.coeffs.items() if v != 0}
        used = set()
        for k in self.coeffs:
            if k in self.divs:
                used.add(k)
                used.update(self.divs[k].num.divs)
        self.divs = {k: v for k, v in self.divs.items() if k in used}

    # -------------------------------------------------------------- constructors
    @staticmethod
    def constant(c: int) -> "Affine":
        return Affine({}, int(c))

    @staticmethod
    def var(name: str) -> "Affine":
        return Affine({name: 1}, 0)

    # -------------------------------------------------------------- arithmetic
    def __add__(self, other: "Affine") -> "Affine":
        coeffs = dict(self.coeffs)
        for k, v in other.coeffs.items():
            coeffs[k] = coeffs.get(k, 0) + v
        return Affine(coeffs, self.const + other.const, {**self.divs, **other.divs})

    def __neg__(self) -> "Affine":
        return self.scale(-1)

    def __sub__(self, other: "Affine") -> "Affine":
        return self + (-other)

    def scale(self, k: int) -> "Affine":
        return Affine({n: c * k for n, c in self.coeffs.items()}, self.const * k, dict(self.divs))

    def floordiv(self, d: int) -> "Affine":
        """``floor(self / d)`` for ``d > 0``: exact when every coefficient and the constant
        are multiples of ``d``, else a division term."""
        assert d > 0
        if d == 1:
            return self
        if self.is_const:
            return Affine.constant(self.const // d)
        if all(c % d == 0 for c in self.coeffs.values()) and self.const % d == 0:
            return Affine({n: c // d for n, c in self.coeffs.items()}, self.const // d, dict(self.divs))
        # floor((a + k*d)/d) = floor(a/d) + k: keep the constant in [0, d)
        k, r = divmod(self.const, d)
        num = Affine(dict(self.coeffs), r, dict(self.divs))
        term = Div(num, d)
        return Affine({term.name: 1}, k, {**num.divs, term.name: term})

    # -------------------------------------------------------------- queries
    @property
    def is_const(self) -> bool:
        return not self.coeffs

    def names(self) -> set[str]:
        """Variables and symbols, those inside division terms included (not the terms)."""
        out = {k for k in self.coeffs if k not in self.divs}
        for d in self.divs.values():
            out |= d.num.names()
        return out

    def coeff(self, name: str) -> int:
        return self.coeffs.get(name, 0)

    def value(self, env: Mapping[str, int]) -> int:
        """The exact value given every name's value (division terms floor)."""
        total = self.const
        for k, c in self.coeffs.items():
            if k in self.divs:
                d = self.divs[k]
                total += c * (d.num.value(env) // d.den)
            else:
                total += c * env[k]
        return total

    def substitute(self, name: str, by: "Affine") -> "Affine":
        """``self`` with ``name`` replaced by ``by`` (inside division terms too)."""
        out = Affine.constant(self.const)
        for k, c in self.coeffs.items():
            if k in self.divs:
                d = self.divs[k]
                out = out + d.num.substitute(name, by).floordiv(d.den).scale(c)
            elif k == name:
                out = out + by.scale(c)
            else:
                out = out + Affine({k: c})
        return out

    def isl(self, rename: Mapping[str, str]) -> str:
        """isl's text for this form, names mapped by ``rename`` (isl identifiers)."""
        parts = []
        for k, c in sorted(self.coeffs.items()):
            term = (f"floor(({self.divs[k].num.isl(rename)})/{self.divs[k].den})" if k in self.divs
                    else rename[k])
            parts.append(f"{c}*{term}" if c != 1 else term)
        parts.append(str(self.const))
        return " + ".join(parts)

    def __str__(self) -> str:
        parts = []
        for k, c in sorted(self.coeffs.items(), key=lambda kv: (kv[0] in self.divs, kv[0])):
            if c == 1:
                parts.append(f"+ {k}")
            elif c == -1:
                parts.append(f"- {k}")
            elif c < 0:
                parts.append(f"- {-c}*{k}")
            else:
                parts.append(f"+ {c}*{k}")
        if self.const or not parts:
            parts.append(f"+ {self.const}" if self.const >= 0 else f"- {-self.const}")
        s = " ".join(parts)
        return s[2:] if s.startswith("+ ") else "-" + s[2:]

    def to_expr(self) -> ir.Expr:
        """An IR expression computing this form (division terms as ``/``, which is the
        floor where the term was made: on a non-negative dividend)."""

        def atom(k: str) -> ir.Expr:
            if k in self.divs:
                d = self.divs[k]
                return ir.Binary("/", d.num.to_expr(), ir.IntLit(d.den))
            if "." in k:
                base, member = k.rsplit(".", 1)
                return ir.Member(ir.Name(base), member)
            return ir.Name(k)

        out: Optional[ir.Expr] = None
        for k, c in sorted(self.coeffs.items(), key=lambda kv: (kv[1] < 0, kv[0] in self.divs, kv[0])):
            t = atom(k) if abs(c) == 1 else ir.Binary("*", ir.IntLit(abs(c)), atom(k))
            if out is None:
                out = t if c > 0 else ir.Unary("-", t)
            else:
                out = ir.Binary("+" if c > 0 else "-", out, t)
        if out is None:
            return ir.IntLit(self.const) if self.const >= 0 else ir.Unary("-", ir.IntLit(-self.const))
        if self.const > 0:
            out = ir.Binary("+", out, ir.IntLit(self.const))
        elif self.const < 0:
            out = ir.Binary("-", out, ir.IntLit(-self.const))
        return out


@dataclass
class NotAffine:
    """Why an expression has no affine form (false in a boolean context)."""

    reason: str
    node: Optional[ir.Node] = field(default=None, compare=False, repr=False)

    def __bool__(self) -> bool:
        return False


@dataclass(frozen=True)
class Range:
    """Known inclusive bounds of a value; None is unbounded on that side."""

    lo: Optional[int] = None
    hi: Optional[int] = None

    def meet(self, other: "Range") -> "Range":
        lo = self.lo if other.lo is None else other.lo if self.lo is None else max(self.lo, other.lo)
        hi = self.hi if other.hi is None else other.hi if self.hi is None else min(self.hi, other.hi)
        return Range(lo, hi)


@dataclass
class Constraint:
    """``aff >= 0`` (``eq`` False) or ``aff == 0`` (``eq`` True), as isl writes them."""

    aff: Affine
    eq: bool = False

    def isl(self, rename: Mapping[str, str]) -> str:
        return f"{self.aff.isl(rename)} {'=' if self.eq else '>='} 0"

    def holds(self, env: Mapping[str, int]) -> bool:
        v = self.aff.value(env)
        return v == 0 if self.eq else v >= 0

    def __str__(self) -> str:
        return f"{self.aff} {'==' if self.eq else '>='} 0"


@dataclass
class Guard:
    """The affine conjuncts of a condition, and why the rest are not affine. With no
    ``unknown`` the conjunction is exact; otherwise it is implied by the condition (the
    condition holds only where these constraints hold), which is all a dependence test
    needs to shrink a domain soundly."""

    constraints: list[Constraint] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return not self.unknown

    def names(self) -> set[str]:
        out: set[str] = set()
        for c in self.constraints:
            out |= c.aff.names()
        return out


# ----------------------------------------------------------------------------- building forms
class _Fail(Exception):
    def __init__(self, reason: str, node: Optional[ir.Node] = None):
        super().__init__(reason)
        self.reason = reason
        self.node = node


Symbols = Union[Scope, SymbolTable, None]
MONO = "·"  # joins the factors of a product term (Context(monomials=True))


def _product_range(rs: list[Range]) -> Range:
    """Bounds of a product from its factors' (only when every factor is non-negative)."""
    if any(r.lo is None or r.lo < 0 for r in rs):
        return Range()
    lo, hi = 1, 1
    for r in rs:
        lo *= r.lo  # type: ignore[operator]
        hi = None if hi is None or r.hi is None else hi * r.hi
    return Range(lo, hi)


def _div_trunc(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _text(e: ir.Node) -> str:
    from ..printer import print_node

    try:
        return print_node(e)
    except Exception:  # noqa: BLE001 -- a message must never fail
        return type(e).__name__


_FIELD_RANGE = re.compile(r"\b(?P<f>[xyz])\s+in\s+\[\s*(?P<lo>-?\d+)\s*,\s*(?P<hi>[\w.]+)\s*\)")
_PLAIN_RANGE = re.compile(r"^\s*\[\s*(?P<lo>-?\d+)\s*,\s*(?P<hi>[\w.]+)\s*\)")
_AT_LEAST = re.compile(r"^\s*>=\s*(?P<lo>-?\d+)")


def builtin_bounds(bv, member: Optional[str] = None) -> tuple[Optional[int], Optional[str]]:
    """A built-in variable's lower bound and exclusive upper bound (a built-in's name),
    read from its table entry's ``range``: ``threadIdx`` ``x in [0, blockDim.x)`` gives
    ``(0, "blockDim.x")`` for ``x``; ``taskDim`` ``>= 1`` gives ``(1, None)``."""
    text = getattr(bv, "range", "") or ""
    if member is not None:
        for m in _FIELD_RANGE.finditer(text):
            if m["f"] == member:
                return int(m["lo"]), m["hi"]
        return None, None
    m = _PLAIN_RANGE.match(text)
    if m:
        return int(m["lo"]), m["hi"]
    m = _AT_LEAST.match(text)
    if m:
        return int(m["lo"]), None
    return None, None


class Context:
    """What affine forms are built against: the types of names (``symbols``), known
    ``ranges`` and ``constants`` by name (``"blockDim.x": 256``), and ``defs``: locals to
    see through (``int idx = i * 4 + j;`` then ``x[idx]`` is ``x[4*i + j]``).

    For dependence analysis: ``iterators`` are loop variables (always plain variables),
    ``variant`` names that change inside the code analysed (refused: their value at an
    access is not a function of the iterators), ``decl_defs`` definitions by the
    identity of their VarDecl (exact under shadowing; needs a SymbolTable). With
    ``monomials``, a product of two non-constant forms is kept as terms named by their
    factors joined with ``MONO`` (``n·i``): a product of symbols is a symbol of its own,
    a symbol times a loop variable is what delinearisation reads (``dependence``); a product
    of two loop variables or of a division term is still refused."""

    def __init__(self, symbols: Symbols = None, ranges: Optional[Mapping[str, Range]] = None,
                 constants: Optional[Mapping[str, int]] = None, defs: Optional[Mapping[str, ir.Expr]] = None,
                 *, iterators: Optional[set[str]] = None, variant: Optional[set[str]] = None,
                 decl_defs: Optional[Mapping[int, ir.Expr]] = None, monomials: bool = False):
        self.symbols = symbols
        self.ranges: dict[str, Range] = dict(ranges or {})
        self.constants = dict(constants or {})
        self.defs = dict(defs or {})
        self.iterators = set(iterators or ())
        self.variant = set(variant or ())
        self.decl_defs = dict(decl_defs or {})
        self.monomials = monomials
        self.type_ranges: dict[str, Range] = {}
        self._expanding: set[int] = set()

    # -------------------------------------------------------------- names
    def _symbol(self, n: ir.Name):
        s = self.symbols
        if isinstance(s, SymbolTable):
            return s.resolve(n) if n in s else s.root.lookup(n.name)
        if isinstance(s, Scope):
            return s.lookup(n.name)
        return None

    def _scope(self) -> Optional[Scope]:
        s = self.symbols
        if isinstance(s, SymbolTable):
            return s.root
        return s

    def range_of(self, name: str) -> Range:
        if MONO in name and name not in self.ranges:
            return _product_range([self.range_of(f) for f in name.split(MONO)])
        r = self.ranges.get(name, Range())
        t = self.type_ranges.get(name)
        return r.meet(t) if t is not None else r

    def bounds(self, a: Affine) -> Range:
        """Interval bounds of ``a`` from the ranges of its names. A remainder inside ``a``
        (``k*(num - d*floor(num/d))``) is also bounded as ``k*[0, d-1]``, so ``i % 32`` of a
        non-negative ``i`` is within [0, 31]; both bounds hold, their intersection is kept."""
        lo: Optional[int] = a.const
        hi: Optional[int] = a.const
        for k, c in a.coeffs.items():
            if k in a.divs:
                d = a.divs[k]
                nb = self.bounds(d.num)
                r = Range(None if nb.lo is None else nb.lo // d.den, None if nb.hi is None else nb.hi // d.den)
            else:
                r = self.range_of(k)
            tlo, thi = (r.lo, r.hi) if c > 0 else (r.hi, r.lo)
            lo = None if lo is None or tlo is None else lo + c * tlo
            hi = None if hi is None or thi is None else hi + c * thi
        out = Range(lo, hi)
        for name, div in a.divs.items():
            c = a.coeffs.get(name, 0)
            if c == 0 or c % div.den:
                continue
            k = -c // div.den
            # a == k*(num - den*q) + rest, and num - den*q is in [0, den - 1]
            rest = a - (div.num - Affine({name: div.den}, 0, {name: div})).scale(k)
            rb = self.bounds(rest)
            span = (0, k * (div.den - 1)) if k > 0 else (k * (div.den - 1), 0)
            out = out.meet(Range(None if rb.lo is None else rb.lo + span[0],
                                 None if rb.hi is None else rb.hi + span[1]))
        return out

    # -------------------------------------------------------------- expressions
    def form(self, e: ir.Expr, modular: bool = False) -> tuple[Affine, ctype.IntType]:
        """The affine form of ``e`` and its C type; raises _Fail. With ``modular``, a
        64-bit unsigned value that may wrap is accepted: the form is then exact modulo
        2^64, which is all an address offset needs (``p + (size_t)i * n`` with a negative
        ``i * n`` is the same address as the signed offset)."""
        self._wrap: Optional[str] = None
        a, t, w = self._form(e)
        if w and not modular:
            raise _Fail(self._wrap or f"{_text(e)} may wrap", e)
        return a, t

    def _wrapped(self, e: ir.Node, t: ctype.IntType, what: str) -> bool:
        """A possible wrap of a value of type ``t``: tolerated (True) for 64-bit types
        (exact modulo 2^64), refused for narrower ones."""
        if t.width < 64:
            raise _Fail(f"{_text(e)} {what} ({t.name})", e)
        if self._wrap is None:
            self._wrap = f"{_text(e)} {what} ({t.name})"
        return True

    def _exact(self, w: bool, e: ir.Node, op: str) -> None:
        if w:
            raise _Fail(f"{self._wrap or _text(e)}, then {op}: exact only without wrapping", e)

    def _form(self, e: ir.Expr) -> tuple[Affine, ctype.IntType, bool]:
        if isinstance(e, ir.IntLit):
            return Affine.constant(e.value), ctype.int_literal_type(e), False
        if isinstance(e, ir.BoolLit):
            return Affine.constant(int(e.value)), ctype.INT, False
        if isinstance(e, ir.Name):
            return self._name(e)
        if isinstance(e, ir.Member):
            return self._member(e)
        if isinstance(e, ir.Cast):
            t = ctype.int_type(e.type)
            if t is None:
                raise _Fail(f"{_text(e)}: a conversion to {_text(e.type)}, not an integer type", e)
            a, s, w = self._form(e.operand)
            a, w = self.convert(a, s, t, e, w)
            return a, t, w
        if isinstance(e, ir.SizeOf) and isinstance(e.arg, ir.CType):
            n = dtypes.sizeof(e.arg)
            if n is None:
                raise _Fail(f"{_text(e)}: size not known", e)
            return Affine.constant(n), ctype.ULONG, False
        if isinstance(e, ir.Unary):
            return self._unary(e)
        if isinstance(e, ir.Binary):
            return self._binary(e)
        if isinstance(e, ir.Index):
            raise _Fail(f"{_text(e)} reads memory", e)
        if isinstance(e, ir.Call):
            raise _Fail(f"{_text(e)}: a call", e)
        if isinstance(e, ir.Ternary):
            raise _Fail(f"{_text(e)}: a conditional (piecewise)", e)
        if isinstance(e, ir.Assign):
            raise _Fail(f"{_text(e)}: an assignment", e)
        raise _Fail(f"{_text(e)}: {type(e).__name__} is not affine", e)

    def _name(self, e: ir.Name) -> tuple[Affine, ctype.IntType, bool]:
        name = e.name
        sym = self._symbol(e)
        t: Optional[ctype.IntType] = ctype.INT
        if sym is not None and sym.type is not None:
            t = ctype.int_type(sym.type)
            if t is None:
                raise _Fail(f"{name} is not an integer ({_text(sym.type)})", e)
        if name in self.iterators:
            return Affine.var(name), t, False
        if name in self.constants:
            return Affine.constant(self.constants[name]), t, False
        definition = None
        if sym is not None and sym.decl is not None and id(sym.decl) in self.decl_defs:
            definition = self.decl_defs[id(sym.decl)]
        elif name in self.defs and (sym is None or sym.kind == "local"):
            definition = self.defs[name]
        if definition is not None and self.iterators and not self._varies(definition, set()):
            # loop-invariant (``const int L_out = L - KW + 1;``): a symbol of its own, so
            # strides stay single symbols (delinearisation reads them); its range is kept
            try:
                a, s, w = self._form(definition)
                if not w:
                    self.type_ranges[name] = self.bounds(a)
            except _Fail:
                pass
            return Affine.var(name), t, False
        if definition is not None and id(definition) not in self._expanding:
            self._expanding.add(id(definition))
            try:
                a, s, w = self._form(definition)
                a, w = self.convert(a, s, t, e, w)
            except _Fail as f:
                raise _Fail(f"{name} = {_text(definition)}: {f.reason}", f.node) from None
            finally:
                self._expanding.discard(id(definition))
            return a, t, w
        if name in self.variant:
            raise _Fail(f"{name} changes inside the loop nest", e)
        lo = 0 if not t.signed else None
        if sym is not None and sym.kind == "builtin":
            blo, _ = builtin_bounds(self._builtin(name))
            lo = blo if blo is not None else lo
        if lo is not None:
            self.type_ranges[name] = Range(lo, None)
        return Affine.var(name), t, False

    def _varies(self, e: ir.Node, seen: set[int]) -> bool:
        """Whether ``e`` depends on a loop variable or on a name that changes."""
        for n in e.walk():
            if not isinstance(n, ir.Name):
                continue
            if n.name in self.iterators or n.name in self.variant:
                return True
            sym = self._symbol(n)
            d = self.decl_defs.get(id(sym.decl)) if sym is not None and sym.decl is not None else None
            if d is not None and id(d) not in seen:
                seen.add(id(d))
                if self._varies(d, seen):
                    return True
        return False

    def _builtin(self, name: str):
        scope = self._scope()
        d = scope.dialect if scope is not None else None
        return d.builtin_vars.get(name) if d is not None else None

    def _member(self, e: ir.Member) -> tuple[Affine, ctype.IntType, bool]:
        if not (isinstance(e.base, ir.Name) and not e.arrow):
            raise _Fail(f"{_text(e)}: a member of a structure", e)
        sym = self._symbol(e.base)
        scope = self._scope()
        if sym is None or sym.kind != "builtin" or e.member not in sym.fields:
            if scope is not None or sym is not None or e.member not in ("x", "y", "z"):
                raise _Fail(f"{_text(e)}: a member of a structure", e)
        name = f"{e.base.name}.{e.member}"
        t = ctype.UINT
        if name in self.constants:
            return Affine.constant(self.constants[name]), t, False
        blo, _ = builtin_bounds(self._builtin(e.base.name), e.member)
        self.type_ranges[name] = Range(max(0, blo if blo is not None else 0), None)
        return Affine.var(name), t, False

    def _unary(self, e: ir.Unary) -> tuple[Affine, ctype.IntType, bool]:
        if e.op in ("++", "--"):
            raise _Fail(f"{_text(e)} writes {_text(e.operand)}", e)
        if e.op not in ("-", "+", "~"):
            raise _Fail(f"{_text(e)}: {e.op} is not affine", e)
        a, s, w = self._form(e.operand)
        t = ctype.promote_int(s)
        a, w = self.convert(a, s, t, e, w)
        if e.op == "-":
            r = -a
        elif e.op == "~":
            r = -a - Affine.constant(1)  # ~x == -x - 1 in two's complement
        else:
            r = a
        r, w2 = self.check(r, t, e)
        return r, t, w or w2

    def _binary(self, e: ir.Binary) -> tuple[Affine, ctype.IntType, bool]:
        op = e.op
        if op not in ("+", "-", "*", "/", "%", "<<", ">>", "&"):
            raise _Fail(f"{_text(e)}: {op} is not affine", e)
        a, sa, wa = self._form(e.lhs)
        b, sb, wb = self._form(e.rhs)
        if op in ("<<", ">>"):
            t = ctype.promote_int(sa)
            a, wa = self.convert(a, sa, t, e.lhs, wa)
            if not b.is_const:
                raise _Fail(f"{_text(e)}: a shift by a variable amount", e)
            k = b.const
            if k < 0 or k >= t.width:
                raise _Fail(f"{_text(e)}: a shift by {k} is undefined for {t.name}", e)
            if op == ">>":
                self._exact(wa, e, ">>")
            r = a.scale(1 << k) if op == "<<" else a.floordiv(1 << k)
            r, w = self.check(r, t, e)
            return r, t, wa or w
        t = ctype.arithmetic_int(sa, sb)
        a, wa = self.convert(a, sa, t, e.lhs, wa)
        b, wb = self.convert(b, sb, t, e.rhs, wb)
        if op == "+":
            r = a + b
        elif op == "-":
            r = a - b
        elif op == "*":
            if a.is_const:
                r = b.scale(a.const)
            elif b.is_const:
                r = a.scale(b.const)
            elif self.monomials:
                r = self._product(a, b, e)
            else:
                raise _Fail(f"{_text(e)}: a product of two variables", e)
        elif op in ("/", "%"):
            self._exact(wa or wb, e, op)
            if not b.is_const:
                raise _Fail(f"{_text(e)}: a division by a variable", e)
            d = b.const
            if d == 0:
                raise _Fail(f"{_text(e)}: a division by zero", e)
            q = self.trunc_div(a, abs(d), e)
            if a.is_const:  # fold constants exactly
                q = Affine.constant(_div_trunc(a.const, abs(d)))
            if op == "/":
                r = q if d > 0 else -q
            else:
                r = a - q.scale(abs(d))  # the remainder's sign is the dividend's
        else:  # &: only a low-bits mask of a non-negative value
            self._exact(wa or wb, e, op)
            mask, other = (b, a) if b.is_const else (a, b) if a.is_const else (None, None)
            if mask is None or other is None:
                raise _Fail(f"{_text(e)}: & of two variables", e)
            m = mask.const
            if m < 0 or (m + 1) & m:
                raise _Fail(f"{_text(e)}: & with {m}, not a mask of low bits", e)
            if not self._nonneg(other):
                raise _Fail(f"{_text(e)}: & of a value that may be negative", e)
            r = other - other.floordiv(m + 1).scale(m + 1)
        r, w = self.check(r, t, e)
        return r, t, wa or wb or w

    def _product(self, a: Affine, b: Affine, e: ir.Node) -> Affine:
        if a.divs or b.divs:
            raise _Fail(f"{_text(e)}: a product with an integer division", e)
        out = Affine.constant(a.const * b.const)
        for x, cx in list(a.coeffs.items()) + [("", a.const)]:
            for y, cy in list(b.coeffs.items()) + [("", b.const)]:
                if not x and not y:
                    continue
                factors = sorted((x.split(MONO) if x else []) + (y.split(MONO) if y else []))
                if sum(1 for f in factors if f in self.iterators) > 1:
                    raise _Fail(f"{_text(e)}: a product of two loop variables", e)
                out = out + Affine({MONO.join(factors): cx * cy})
        return out

    def trunc_div(self, a: Affine, d: int, e: ir.Node) -> Affine:
        """``a / d`` with C's truncation, ``d > 0``."""
        if a.is_const:
            return Affine.constant(_div_trunc(a.const, d))
        if all(c % d == 0 for c in a.coeffs.values()) and a.const % d == 0:
            return a.floordiv(d)  # exact, whatever the sign
        b = self.bounds(a)
        if b.lo is not None and b.lo >= 0:
            return a.floordiv(d)
        if b.hi is not None and b.hi <= 0:
            return -((-a).floordiv(d))
        raise _Fail(f"{_text(e)}: the dividend may be negative, and C truncates toward zero", e)

    def _nonneg(self, a: Affine) -> bool:
        lo = self.bounds(a).lo
        return lo is not None and lo >= 0

    def check(self, a: Affine, t: ctype.IntType, e: ir.Node) -> tuple[Affine, bool]:
        """``a`` as a value of type ``t``, and whether it may have wrapped: refused where
        an unsigned result narrower than 64 bits may wrap."""
        if t.signed:
            return a, False
        b = self.bounds(a)
        if b.lo is None or b.lo < 0:
            return a, self._wrapped(e, t, "may wrap below zero")
        if b.hi is not None and b.hi > t.max:
            return a, self._wrapped(e, t, f"may wrap above {t.max}")
        return a, False

    def convert(self, a: Affine, s: ctype.IntType, t: ctype.IntType, e: ir.Node,
                w: bool = False) -> tuple[Affine, bool]:
        """``a`` (of type ``s``) converted to ``t``: the same value where it fits; a 64-bit
        target keeps it modulo 2^64 (and says it may have wrapped)."""
        if w and t.width < 64:
            raise _Fail(f"{self._wrap or _text(e)}, then converted to {t.name}", e)
        if s == t:
            return a, w
        b = self.bounds(a)
        if not t.signed and (b.lo is None or b.lo < 0) and (s.signed or b.lo is not None):
            if t.width < 64:
                raise _Fail(f"{_text(e)}: converting a value that may be negative to {t.name}", e)
            return a, self._wrapped(e, t, "converts a value that may be negative")
        if b.lo is not None and b.lo < t.min or b.hi is not None and b.hi > t.max:
            if t.width < 64:
                raise _Fail(f"{_text(e)} may not fit in {t.name}", e)
            return a, self._wrapped(e, t, "may not fit")
        if t.width < 32 and (b.lo is None or b.hi is None) and not (t.width >= s.width and t.signed == s.signed):
            raise _Fail(f"{_text(e)}: converting to {t.name} without a known range", e)
        return a, w

    # -------------------------------------------------------------- guards
    def constraints(self, e: ir.Expr, neg: bool, out: Guard) -> None:
        if isinstance(e, ir.Unary) and e.op == "!":
            self.constraints(e.operand, not neg, out)
            return
        if isinstance(e, ir.Binary) and e.op in ("&&", "||"):
            if (e.op == "&&") != neg:  # a conjunction (or the negation of a disjunction)
                self.constraints(e.lhs, neg, out)
                self.constraints(e.rhs, neg, out)
            else:
                out.unknown.append(f"{'!(' + _text(e) + ')' if neg else _text(e)}: a disjunction")
            return
        if isinstance(e, ir.Binary) and e.op in ("<", ">", "<=", ">=", "==", "!="):
            op = e.op
            if neg:
                op = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "==": "!=", "!=": "=="}[op]
            try:
                a, sa = self.form(e.lhs)
                b, sb = self.form(e.rhs)
                t = ctype.arithmetic_int(sa, sb)
                self._wrap = None
                a, wa = self.convert(a, sa, t, e.lhs)
                b, wb = self.convert(b, sb, t, e.rhs)
                self._exact(wa or wb, e, "compared")
            except _Fail as f:
                out.unknown.append(f.reason)
                return
            one = Affine.constant(1)
            if op == "<":
                out.constraints.append(Constraint(b - a - one))
            elif op == "<=":
                out.constraints.append(Constraint(b - a))
            elif op == ">":
                out.constraints.append(Constraint(a - b - one))
            elif op == ">=":
                out.constraints.append(Constraint(a - b))
            elif op == "==":
                out.constraints.append(Constraint(a - b, eq=True))
            else:
                out.unknown.append(f"{_text(e)}: != is a disjunction")
            return
        if isinstance(e, (ir.IntLit, ir.BoolLit)):
            truth = bool(e.value) != neg
            if not truth:
                out.constraints.append(Constraint(Affine.constant(-1)))  # false: -1 >= 0
            return
        try:
            a, _ = self.form(e)
        except _Fail as f:
            out.unknown.append(f.reason)
            return
        if neg:  # !x is x == 0
            out.constraints.append(Constraint(a, eq=True))
        else:
            out.unknown.append(f"{_text(e)} != 0 is a disjunction")


def affine_of(expr: ir.Expr, symbols: Symbols = None, *, ranges: Optional[Mapping[str, Range]] = None,
              constants: Optional[Mapping[str, int]] = None, defs: Optional[Mapping[str, ir.Expr]] = None,
              context: Optional[Context] = None) -> Union[Affine, NotAffine]:
    """The affine form of an integer expression, or :class:`NotAffine` with the reason.

    ``symbols`` (a Scope or SymbolTable) gives the types of names; ``ranges`` known bounds
    (``{"i": Range(0, None)}``); ``constants`` values to fold (``{"blockDim.x": 256}``);
    ``defs`` locals to see through. See the module docstring for the C rules.

        affine_of(<(i + 3) / 4>, ranges={"i": Range(0, None)}) -> Affine({"floor((i + 3)/4)": 1}, 0)
        affine_of(<(i + 3) / 4>)                               -> NotAffine("... may be negative ...")
    """
    ctx = context or Context(symbols, ranges, constants, defs)
    try:
        a, _ = ctx.form(expr)
    except _Fail as f:
        return NotAffine(f.reason, f.node)
    return a


def constraints_of(cond: ir.Expr, symbols: Symbols = None, *, negate: bool = False,
                   ranges: Optional[Mapping[str, Range]] = None, constants: Optional[Mapping[str, int]] = None,
                   defs: Optional[Mapping[str, ir.Expr]] = None, context: Optional[Context] = None) -> Guard:
    """The affine constraints a condition implies (of its negation with ``negate``: the
    ``else`` branch). ``&&`` splits into conjuncts; ``||``, ``!=`` and non-affine
    comparisons go to ``unknown`` with the reason (De Morgan applies under ``!``).

        constraints_of(<i < n && j >= 0>)   -> Guard([n - i - 1 >= 0, j >= 0], [])
        constraints_of(<i < n>, negate=True) -> Guard([i - n >= 0], [])
        constraints_of(<i < n || j > 0>)    -> Guard([], ["i < n || j > 0: a disjunction"])
    """
    ctx = context or Context(symbols, ranges, constants, defs)
    out = Guard()
    ctx.constraints(cond, negate, out)
    return out


def fold(e: ir.Expr, symbols: Symbols = None, **kw) -> ir.Expr:
    """``e`` rewritten from its affine form when it has one (``(n - 1) - (-1)`` -> ``n``),
    else ``e`` itself."""
    a = affine_of(e, symbols, **kw)
    return a.to_expr() if isinstance(a, Affine) else e


def iter_divs(a: Affine) -> Iterator[Div]:
    """The division terms of ``a``, inner ones first."""
    seen: set[str] = set()

    def visit(d: Div) -> Iterator[Div]:
        for inner in d.num.divs.values():
            yield from visit(inner)
        if d.name not in seen:
            seen.add(d.name)
            yield d

    for d in list(a.divs.values()):
        yield from visit(d)
