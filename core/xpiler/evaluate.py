"""Evaluate IR expressions and straight-line host code with known values.

Used to read launches from host code (``dim3 grid((n + 255) / 256); k<<<grid, 256>>>``)
and, later, by passes that fold constants. Values are Python ints and floats, and
``Dim3`` for ``dim3``/``uint3``/``cnrtDim3_t``. What cannot be known raises ``Unknown``.

Integers follow C. Division and remainder truncate toward zero and are exact at any size
(``-7 / 2 == -3``, ``-7 % 2 == -1``; never through floats). A value whose C type is known
is a :class:`CInt` (an ``int`` carrying its type): literals by their spelling, casts,
variables declared in straight-line code, names given ``types``. Operations between typed
values apply the usual arithmetic conversions and wrap at the result's width::

    (unsigned)0 - 1      -> 4294967295       1 << 31   -> -2147483648 (int)
    -1 < 0u              -> 0 (compared as unsigned)
    (n + 255) / 256      -> exact for any n

Signed overflow is undefined in C; here it wraps (two's complement), as the hardware and
the emulator do. A plain ``int`` from ``env`` has no C type: an operation with it is done
on unbounded integers (the value the author meant), as before types were tracked.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Optional, Union

from . import dtypes, ir
from .analysis import ctype as _ct


class Unknown(Exception):
    """The value depends on something not known here."""


@dataclass
class Dim3:
    x: int = 1
    y: int = 1
    z: int = 1

    def as_tuple(self) -> tuple[int, int, int]:
        return (int(self.x), int(self.y), int(self.z))


class CInt(int):
    """An integer with its C type (``ctype``: an :class:`IntType`); built wrapped into the
    type's range: ``CInt(-1, UINT) == 4294967295``. Behaves as an ``int`` everywhere."""

    ctype: _ct.IntType

    def __new__(cls, value: int, t: _ct.IntType) -> "CInt":
        obj = int.__new__(cls, t.wrap(int(value)))
        obj.ctype = t
        return obj

    def __reduce__(self):
        return (CInt, (int(self), self.ctype))


Value = Union[int, float, Dim3, str]
_DIM3 = {"dim3", "uint3", "cnrtDim3_t"}


def evaluate(e: ir.Expr, env: Mapping[str, Value], types: Optional[Mapping[str, ir.CType]] = None) -> Value:
    """The value of ``e`` given the values of names in ``env``; ``types`` gives the C type
    of names whose ``env`` value is a plain ``int`` (the type-aware path: their arithmetic
    then wraps as C's does). Raises ``Unknown`` naming what is missing."""
    if isinstance(e, ir.IntLit):
        return CInt(e.value, _ct.int_literal_type(e))
    if isinstance(e, ir.FloatLit):
        return e.value
    if isinstance(e, ir.BoolLit):
        return CInt(int(e.value), _ct.INT)
    if isinstance(e, ir.CharLit):
        return CInt(_char_value(e.text), _ct.INT)
    if isinstance(e, ir.Name):
        if e.name in env:
            v = env[e.name]
            if types and e.name in types and type(v) is int:
                it = _ct.int_type(types[e.name])
                if it is not None:
                    return CInt(v, it)
            return v
        raise Unknown(e.name)
    if isinstance(e, ir.Binary):
        if e.op in ("&&", "||"):  # short-circuit: the right operand may be unknown or divide by zero
            a = evaluate(e.lhs, env, types)
            if bool(a) == (e.op == "||"):
                return CInt(int(bool(a)), _ct.INT)
            return CInt(int(bool(evaluate(e.rhs, env, types))), _ct.INT)
        a, b = evaluate(e.lhs, env, types), evaluate(e.rhs, env, types)
        return _binary(e.op, a, b)
    if isinstance(e, ir.Unary):
        v = evaluate(e.operand, env, types)
        if isinstance(v, (Dim3, str)):
            raise Unknown(e.op)
        if e.op == "!":
            return CInt(int(not v), _ct.INT)
        if e.op in ("-", "+", "~"):
            if isinstance(v, float):
                if e.op == "~":
                    raise Unknown("~ of a floating value")
                return -v if e.op == "-" else v
            r = -v if e.op == "-" else ~int(v) if e.op == "~" else int(v)
            if isinstance(v, CInt):
                return CInt(r, _ct.promote_int(v.ctype))
            return r
        raise Unknown(e.op)
    if isinstance(e, ir.Ternary):
        return evaluate(e.then, env, types) if evaluate(e.cond, env, types) else evaluate(e.other, env, types)
    if isinstance(e, ir.Cast):
        v = evaluate(e.operand, env, types)
        return _convert(v, e.type)
    if isinstance(e, ir.Call) and isinstance(e.callee, ir.Name):
        name = e.callee.name.split("::")[-1]
        args = [evaluate(a, env, types) for a in e.args]
        if name in _DIM3 or name == "make_uint3":
            return Dim3(*[int(a) for a in args]) if args else Dim3()
        if name in ("min", "fmin", "fminf") and len(args) == 2:
            return _minmax(min, args)
        if name in ("max", "fmax", "fmaxf") and len(args) == 2:
            return _minmax(max, args)
        if name in ("ceil", "ceilf") and len(args) == 1:
            return math.ceil(args[0])
        if name in ("floor", "floorf") and len(args) == 1:
            return math.floor(args[0])
        raise Unknown(name)
    if isinstance(e, ir.Member):
        v = evaluate(e.base, env, types)
        if isinstance(v, Dim3) and e.member in ("x", "y", "z"):
            return CInt(int(getattr(v, e.member)), _ct.UINT)
        raise Unknown(e.member)
    if isinstance(e, ir.SizeOf) and isinstance(e.arg, ir.CType):
        n = dtypes.sizeof(e.arg)
        if n is None:
            raise Unknown("sizeof")
        return CInt(n, _ct.ULONG)
    if isinstance(e, ir.InitList):
        vals = [evaluate(i, env, types) for i in e.items]
        return Dim3(*[int(v) for v in vals]) if len(vals) <= 3 else vals  # type: ignore[return-value]
    raise Unknown(type(e).__name__)


_ESCAPES = {"n": 10, "t": 9, "r": 13, "0": 0, "\\": 92, "'": 39, '"': 34, "a": 7, "b": 8, "f": 12, "v": 11}


def _char_value(text: str) -> int:
    body = text[1:-1] if len(text) >= 2 and text[0] == "'" and text[-1] == "'" else None
    if body is None:
        raise Unknown(f"character literal {text}")
    if len(body) == 1:
        return ord(body)
    if len(body) == 2 and body[0] == "\\" and body[1] in _ESCAPES:
        return _ESCAPES[body[1]]
    raise Unknown(f"character literal {text}")


def _minmax(fn, args):
    a, b = args
    if isinstance(a, CInt) and isinstance(b, CInt):
        t = _ct.arithmetic_int(a.ctype, b.ctype)
        return CInt(fn(t.wrap(a), t.wrap(b)), t)
    return fn(args)


def div_trunc(a: int, b: int) -> int:
    """C's integer division: the quotient truncated toward zero, exact at any size."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def rem_trunc(a: int, b: int) -> int:
    """C's remainder: ``a - b * (a / b)``; its sign is the dividend's."""
    return a - b * div_trunc(a, b)


def _binary(op: str, a, b):
    if isinstance(a, (Dim3, str)) or isinstance(b, (Dim3, str)):
        raise Unknown(op)
    if op == ",":
        return b
    if op == "&&":
        return CInt(int(bool(a) and bool(b)), _ct.INT)
    if op == "||":
        return CInt(int(bool(a) or bool(b)), _ct.INT)
    if isinstance(a, float) or isinstance(b, float):
        return _float_binary(op, float(a), float(b))
    # integers: typed when both operands carry a C type
    t: Optional[_ct.IntType] = None
    if isinstance(a, CInt) and isinstance(b, CInt):
        if op in ("<<", ">>"):
            t = _ct.promote_int(a.ctype)
        else:
            t = _ct.arithmetic_int(a.ctype, b.ctype)
            a, b = t.wrap(a), t.wrap(b)
    a, b = int(a), int(b)
    if op in ("<", ">", "<=", ">=", "==", "!="):
        return CInt(int({"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b, "==": a == b, "!=": a != b}[op]),
                    _ct.INT)
    if op == "+":
        r = a + b
    elif op == "-":
        r = a - b
    elif op == "*":
        r = a * b
    elif op in ("/", "%"):
        if b == 0:
            raise Unknown("division by zero")
        r = div_trunc(a, b) if op == "/" else rem_trunc(a, b)
    elif op in ("<<", ">>"):
        if b < 0 or (t is not None and b >= t.width):
            raise Unknown(f"shift by {b}: undefined in C")
        r = a << b if op == "<<" else a >> b  # >> of a negative value: arithmetic, as gcc
    elif op == "&":
        r = a & b
    elif op == "|":
        r = a | b
    elif op == "^":
        r = a ^ b
    else:
        raise Unknown(op)
    return CInt(r, t) if t is not None else r


def _float_binary(op: str, a: float, b: float):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            raise Unknown("division by zero")
        return a / b
    if op == "%":  # not C, but fmod is what the author of host code means
        if b == 0:
            raise Unknown("division by zero")
        return math.fmod(a, b)
    if op in ("<", ">", "<=", ">=", "==", "!="):
        return CInt(int({"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b, "==": a == b, "!=": a != b}[op]),
                    _ct.INT)
    raise Unknown(f"{op} on floating values")


def _convert(v, t: ir.CType):
    """``v`` converted to ``t`` as C does: to an integer type by truncation toward zero,
    then wrapped to the width (``(unsigned char)300 == 44``); to ``bool`` by ``!= 0``."""
    if isinstance(t, ir.Named):
        it = _ct.int_type(t)
        if it is not None:
            if isinstance(v, (Dim3, str)):
                raise Unknown(f"conversion of {type(v).__name__} to {t.name}")
            if isinstance(v, float):
                if math.isnan(v) or math.isinf(v):
                    raise Unknown(f"conversion of {v} to {t.name}: undefined")
                v = int(v)  # truncates toward zero
            if it.name == "bool":
                return CInt(int(v != 0), it)
            return CInt(int(v), it)
        if t.name in ("float", "double") or (_ct.float_rank(t) is not None):
            return float(v) if not isinstance(v, (Dim3, str)) else v
        if t.name in _DIM3:
            return v if isinstance(v, Dim3) else Dim3(int(v))
    return v


def run_straight_line(stmts: list[ir.Stmt], env: dict[str, Value], stop: Optional[ir.Node] = None) -> dict[str, Value]:
    """Execute declarations and assignments of a statement list in order, updating
    ``env``, until reaching ``stop`` (a node somewhere inside one of the statements).
    Statements whose values are unknown leave their variables unknown; control flow is
    entered only on the way to ``stop``."""
    for s in stmts:
        if stop is not None and any(n is stop for n in s.walk()):
            if isinstance(s, ir.Block):
                run_straight_line(s.stmts, env, stop)
            elif isinstance(s, (ir.If, ir.For, ir.While)):
                body = s.then if isinstance(s, ir.If) else s.body
                inner = body.stmts if isinstance(body, ir.Block) else [body]
                if isinstance(s, ir.If) and s.other is not None and any(n is stop for n in s.other.walk()):
                    inner = s.other.stmts if isinstance(s.other, ir.Block) else [s.other]
                run_straight_line(inner, env, stop)
            return env
        if isinstance(s, ir.Decl):
            for v in s.vars:
                env.pop(v.name, None)
                try:
                    if v.init is None:
                        if isinstance(v.type, ir.Named) and v.type.name in _DIM3:
                            env[v.name] = Dim3()
                        continue
                    if v.init_style in ("()", "{}") and isinstance(v.init, ir.InitList):
                        vals = [evaluate(i, env) for i in v.init.items]
                        if isinstance(v.type, ir.Named) and v.type.name in _DIM3:
                            env[v.name] = vals[0] if len(vals) == 1 and isinstance(vals[0], Dim3) else \
                                Dim3(*[int(x) for x in vals])
                        elif len(vals) == 1:
                            env[v.name] = _convert(vals[0], v.type)
                        continue
                    val = evaluate(v.init, env)
                    env[v.name] = _convert(val, v.type)
                except Unknown:
                    pass
        elif isinstance(s, ir.ExprStmt) and isinstance(s.expr, ir.Assign):
            a = s.expr
            try:
                val = evaluate(a.value, env)
                if isinstance(a.target, ir.Name):
                    old = env.get(a.target.name)
                    if a.op != "=":  # a op= b: computed in the common type, stored in a's
                        val = _binary(a.op[:-1], env[a.target.name], val)
                    env[a.target.name] = _convert(val, old.ctype.ctype()) if isinstance(old, CInt) else val
                elif isinstance(a.target, ir.Member) and isinstance(a.target.base, ir.Name):
                    base = env.get(a.target.base.name)
                    if isinstance(base, Dim3) and a.op == "=":
                        setattr(base, a.target.member, int(val))
            except (Unknown, KeyError):
                if isinstance(a.target, ir.Name):
                    env.pop(a.target.name, None)
    return env
