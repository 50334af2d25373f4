"""Evaluate IR expressions and straight-line host code with known values.

Used to read launches from host code (``dim3 grid((n + 255) / 256); k<<<grid, 256>>>``)
and, later, by passes that fold constants. Values are Python ints and floats, and
``Dim3`` for ``dim3``/``uint3``/``cnrtDim3_t``. What cannot be known raises ``Unknown``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Union

from . import dtypes, ir


class Unknown(Exception):
    """The value depends on something not known here."""


@dataclass
class Dim3:
    x: int = 1
    y: int = 1
    z: int = 1

    def as_tuple(self) -> tuple[int, int, int]:
        return (int(self.x), int(self.y), int(self.z))


Value = Union[int, float, Dim3, str]
_DIM3 = {"dim3", "uint3", "cnrtDim3_t"}
_C_INT = {"int", "unsigned int", "unsigned", "long", "unsigned long", "long long", "unsigned long long", "size_t",
          "int32_t", "uint32_t", "int64_t", "uint64_t", "short", "char", "unsigned char", "signed char"}


def evaluate(e: ir.Expr, env: dict[str, Value]) -> Value:
    if isinstance(e, ir.IntLit):
        return e.value
    if isinstance(e, ir.FloatLit):
        return e.value
    if isinstance(e, ir.BoolLit):
        return int(e.value)
    if isinstance(e, ir.Name):
        if e.name in env:
            return env[e.name]
        raise Unknown(e.name)
    if isinstance(e, ir.Binary):
        a, b = evaluate(e.lhs, env), evaluate(e.rhs, env)
        return _binary(e.op, a, b)
    if isinstance(e, ir.Unary):
        v = evaluate(e.operand, env)
        if e.op == "-":
            return -v
        if e.op == "+":
            return v
        if e.op == "!":
            return int(not v)
        if e.op == "~":
            return ~int(v)
        raise Unknown(e.op)
    if isinstance(e, ir.Ternary):
        return evaluate(e.then, env) if evaluate(e.cond, env) else evaluate(e.other, env)
    if isinstance(e, ir.Cast):
        v = evaluate(e.operand, env)
        return _convert(v, e.type)
    if isinstance(e, ir.Call) and isinstance(e.callee, ir.Name):
        name = e.callee.name.split("::")[-1]
        args = [evaluate(a, env) for a in e.args]
        if name in _DIM3 or name == "make_uint3":
            return Dim3(*[int(a) for a in args]) if args else Dim3()
        if name in ("min", "fmin", "fminf") and len(args) == 2:
            return min(args)
        if name in ("max", "fmax", "fmaxf") and len(args) == 2:
            return max(args)
        if name in ("ceil", "ceilf") and len(args) == 1:
            return math.ceil(args[0])
        if name in ("floor", "floorf") and len(args) == 1:
            return math.floor(args[0])
        raise Unknown(name)
    if isinstance(e, ir.Member):
        v = evaluate(e.base, env)
        if isinstance(v, Dim3) and e.member in ("x", "y", "z"):
            return getattr(v, e.member)
        raise Unknown(e.member)
    if isinstance(e, ir.SizeOf) and isinstance(e.arg, ir.CType):
        n = dtypes.sizeof(e.arg)
        if n is None:
            raise Unknown("sizeof")
        return n
    if isinstance(e, ir.InitList):
        vals = [evaluate(i, env) for i in e.items]
        return Dim3(*[int(v) for v in vals]) if len(vals) <= 3 else vals  # type: ignore[return-value]
    raise Unknown(type(e).__name__)


def _binary(op: str, a, b):
    if isinstance(a, Dim3) or isinstance(b, Dim3):
        raise Unknown(op)
    both_int = isinstance(a, int) and isinstance(b, int)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            raise Unknown("division by zero")
        return int(a / b) if both_int else a / b  # C truncates toward zero
    if op == "%":
        if b == 0:
            raise Unknown("division by zero")
        return int(math.fmod(a, b)) if both_int else math.fmod(a, b)
    if op == "<<":
        return int(a) << int(b)
    if op == ">>":
        return int(a) >> int(b)
    if op in ("<", ">", "<=", ">=", "==", "!="):
        return int({"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b, "==": a == b, "!=": a != b}[op])
    if op == "&&":
        return int(bool(a) and bool(b))
    if op == "||":
        return int(bool(a) or bool(b))
    if op == "&":
        return int(a) & int(b)
    if op == "|":
        return int(a) | int(b)
    if op == "^":
        return int(a) ^ int(b)
    if op == ",":
        return b
    raise Unknown(op)


def _convert(v, t: ir.CType):
    if isinstance(t, ir.Named):
        if t.name in _C_INT or (t.canonical or "") in _C_INT:
            return int(v)
        if t.name in ("float", "double"):
            return float(v)
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
                    if a.op == "=":
                        env[a.target.name] = val
                    else:
                        env[a.target.name] = _binary(a.op[:-1], env[a.target.name], val)
                elif isinstance(a.target, ir.Member) and isinstance(a.target.base, ir.Name):
                    base = env.get(a.target.base.name)
                    if isinstance(base, Dim3) and a.op == "=":
                        setattr(base, a.target.member, int(val))
            except (Unknown, KeyError):
                if isinstance(a.target, ir.Name):
                    env.pop(a.target.name, None)
    return env
