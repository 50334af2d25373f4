"""``vector_arith``: HIP's vector-type operators become per-component arithmetic.

    before (HIP: float4 carries + - * / == != and the compound assignments):
        o4[i] = x4[i] + y4[i] * s;
        acc += v;
    after (every dialect: CUDA's vector types, the hub's structs, have no operators):
        o4[i] = make_float4(x4[i].x + y4[i].x * s, x4[i].y + y4[i].y * s, ...);
        acc.x += v.x; acc.y += v.y; acc.z += v.z; acc.w += v.w;

Clang's vector typedefs (``typedef float floatx4 __attribute__((ext_vector_type(4)))``,
MFMA accumulators) become GCC's (``__vector_size__(16)``: the same lanes, subscript and
arithmetic, which is what the hub's C compilers take), their ``.x``..``.w`` members
subscripts.

A scalar operand is broadcast to every component; ``==`` is the conjunction of the
components' comparisons, ``!=`` their disjunction; unary ``-`` negates each component.
The rewrite evaluates an operand once per component, so operands must be free of side
effects (precondition ``pure-operands``), and a compound assignment of a vector must be a
statement of its own (``compound-statement``). HIP lifting runs it first (the hub is C);
``hipify`` uses the same rewrite for HIP -> CUDA (gpu.md §2.5: CUDA's vector types have
no operators).
"""
from __future__ import annotations

import re
from typing import Callable, Iterator, Optional

from .. import dtypes, ir
from ..dialects.hip import cuda_map
from ..analysis import symbols
from .base import Pass, Precondition, Refusal, register

#: HIP's vector type names (the same names as CUDA's; only HIP gives them operators)
HIP_VECTOR = re.compile(r"(u?char|u?short|u?int|u?long|u?longlong|float|double)([1234])")


class VectorArithError(Exception):
    def __init__(self, precondition: str, detail: str, node: Optional[ir.Node]):
        super().__init__(detail)
        self.precondition, self.detail, self.node = precondition, detail, node


def _type_text(t: Optional[ir.CType]) -> Optional[str]:
    if isinstance(t, ir.Named):
        return " ".join(w for w in (t.canonical or t.name).split() if w not in ("const", "volatile"))
    return None


def _vec(t: Optional[ir.CType]) -> Optional[tuple[str, int]]:
    m = HIP_VECTOR.fullmatch(_type_text(t) or "")
    return (m.group(0), int(m.group(2))) if m else None


def _impure(o: ir.Expr) -> bool:
    return any(isinstance(x, (ir.Call, ir.Assign)) or (isinstance(x, ir.Unary) and x.op in ("++", "--"))
               for x in o.walk())


def componentwise(module: ir.Module, transform: Callable[..., ir.Node], origin: str) -> ir.Module:
    """``module`` with every vector-type operator written per component. ``transform`` is
    the calling pass's (it records origins); raises VectorArithError where it cannot."""

    def fn(n: ir.Node, old: ir.Node):
        if not (isinstance(n, ir.Function) and old.body is not None):
            return None
        table = symbols.SymbolTable(old, module)

        def vt(o: ir.Expr) -> Optional[tuple[str, int]]:
            """The vector type of ``o`` (the symbol table types no arithmetic on structs)."""
            t = _vec(table.type_of(o)) if o in table else None
            if t is not None:
                return t
            if isinstance(o, ir.Binary) and o.op in ("+", "-", "*", "/"):
                return vt(o.lhs) or vt(o.rhs)
            if isinstance(o, ir.Unary) and o.op in ("-", "+"):
                return vt(o.operand)
            if isinstance(o, ir.Ternary):
                return vt(o.then) or vt(o.other)
            return None

        def comp(e: ir.Expr, o: ir.Expr, k: int) -> ir.Expr:
            if vt(o) is None:
                return ir.clone(e)  # a scalar operand is broadcast
            return ir.Member(ir.clone(e), "xyzw"[k])

        def pure(o: ir.Expr) -> None:
            if _impure(o):
                raise VectorArithError("pure-operands", "an operand of vector arithmetic with side effects (the "
                                                        "per-component form evaluates it once per component)", o)

        def body_fn(x: ir.Node, o: ir.Node):
            if o not in table:
                return None
            if isinstance(x, ir.Binary) and x.op in ("+", "-", "*", "/", "==", "!="):
                v = vt(o.lhs) or vt(o.rhs)
                if v is None:
                    return None
                pure(o.lhs)
                pure(o.rhs)
                parts = [ir.Binary(x.op, comp(x.lhs, o.lhs, k), comp(x.rhs, o.rhs, k)) for k in range(v[1])]
                if x.op in ("==", "!="):
                    out = parts[0]
                    for q in parts[1:]:
                        out = ir.Binary("&&" if x.op == "==" else "||", out, q)
                    return out
                return ir.Call(ir.Name("make_" + v[0]), parts)
            if isinstance(x, ir.Unary) and x.op == "-" and (v := vt(o.operand)):
                pure(o.operand)
                return ir.Call(ir.Name("make_" + v[0]),
                               [ir.Unary("-", comp(x.operand, o.operand, k)) for k in range(v[1])])
            if isinstance(x, ir.ExprStmt) and isinstance(x.expr, ir.Assign) and x.expr.op != "=" and \
                    isinstance(o.expr, ir.Assign) and (v := _vec(table.type_of(o.expr.target))):
                pure(o.expr.target)
                pure(o.expr.value)
                return [ir.ExprStmt(ir.Assign(x.expr.op, comp(x.expr.target, o.expr.target, k),
                                              comp(x.expr.value, o.expr.value, k))) for k in range(v[1])]
            return None

        stmt_level = {id(x.expr) for x in old.body.walk() if isinstance(x, ir.ExprStmt)}
        for x in old.body.walk():
            if isinstance(x, ir.Assign) and x.op != "=" and id(x) not in stmt_level and x in table and \
                    _vec(table.type_of(x.target)):
                raise VectorArithError("compound-statement", "a compound assignment of a vector inside an "
                                                             "expression", x)
        n.body = ir.transform(old.body, body_fn, origin=origin, with_original=True)
        return n

    return transform(module, fn, with_original=True)


@register
class VectorArith(Pass):
    """HIP's vector-type operators become per-component arithmetic.

        before:  o4[i] = x4[i] + y4[i];            (float4, HIP)
        after:   o4[i] = make_float4(x4[i].x + y4[i].x, x4[i].y + y4[i].y, x4[i].z + y4[i].z,
                                     x4[i].w + y4[i].w);
    """

    name = "vector_arith"
    stage = "lift"
    params = ()
    requires = (
        Precondition("pure-operands", "operands of vector arithmetic have no side effects (each is evaluated once "
                                      "per component)"),
        Precondition("compound-statement", "a compound assignment of a vector is a statement of its own"),
    )

    def preconditions(self, module: ir.Module, target: Optional[str], **params) -> Iterator[Refusal]:
        try:
            componentwise(module, lambda m, f, **kw: ir.transform(m, f, **kw), self.name)
        except VectorArithError as e:
            yield self.refuse(e.precondition, e.detail, e.node)

    def rewrite(self, module: ir.Module, target: Optional[str], **params) -> ir.Module:
        return gcc_vectors(componentwise(module, self.transform, self.name), self.transform)


def gcc_vectors(module: ir.Module, transform: Callable[..., ir.Node]) -> ir.Module:
    """Clang ``ext_vector_type`` typedefs as GCC ``__vector_size__`` ones, members as subscripts."""
    vectors: dict[str, tuple[str, int]] = {}
    for it in module.items:
        if isinstance(it, ir.OpaqueTop) and (v := cuda_map.ext_vector_typedef(it.text)):
            vectors[v[1]] = (v[0], v[2])
    if not vectors:
        return module

    def fn(n: ir.Node, old: ir.Node):
        if isinstance(n, ir.OpaqueTop) and (v := cuda_map.ext_vector_typedef(n.text)):
            elem, name, k = v
            size = dtypes.sizeof(ir.Named(elem))
            if size is None:
                return None
            return ir.OpaqueTop(f"typedef {elem} {name} __attribute__((__vector_size__({size * k})));")
        if isinstance(n, ir.Function) and old.body is not None:
            table = symbols.SymbolTable(old, module)

            def body_fn(x: ir.Node, o: ir.Node):
                t = table.type_of(o.base) if isinstance(x, ir.Member) and o in table else None
                if isinstance(x, ir.Member) and len(x.member) == 1 and x.member in "xyzw" and \
                        isinstance(t, ir.Named) and t.name in vectors:
                    return ir.Index(x.base, ir.IntLit("xyzw".index(x.member)))
                return None

            n.body = ir.transform(old.body, body_fn, with_original=True)
            return n
        return None

    return transform(module, fn, with_original=True)
