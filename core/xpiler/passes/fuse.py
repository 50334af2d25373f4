"""``fuse``: a loop over blocks and a loop over their elements that only ever form one
index become one loop over that index, and a guard of the index against a bound becomes the
loop's bound.

    before (a lifted CUDA kernel: blocks of 256 threads, one element each):
        for (int bx = 0; bx < (n + 255) / 256; ++bx) {
            for (int tx = 0; tx < 256; ++tx) {
                int i = bx * 256 + tx;
                if (i < n) {
                    y[i] = a * x[i] + y[i];
                }
            }
        }
    after:
        for (int i = 0; i < n; ++i) {
            y[i] = a * x[i] + y[i];
        }

This is the shape every later pass wants: ``bind`` spreads one flat range over the target's
threads or tasks, ``tensorize`` cuts it into vector chunks, and C compilers vectorise it.

Conditions, each exact (a nest that fails one is left as it is, with the reason in the
notes):

- the outer loop runs ``a`` from 0 by 1 to ``E``; its body is only the inner loop, which runs
  ``b`` from 0 by 1 to a constant ``B``;
- the inner body declares ``int v = a * B + b`` (any affine spelling of it) before any other
  use of ``a`` or ``b``, and nothing else reads ``a`` or ``b``; ``v`` is never assigned. Then
  ``v`` takes every value of ``[0, E * B)`` once, in the same order: ``for (v = 0; v < E * B;
  ++v)``;
- guard: when what follows is only ``if (v < X) S`` (no else, ``X`` unchanged by the loop),
  the loop runs to ``X`` when ``E`` is ``(X + B - 1) / B`` (the grid that covers ``X``:
  ``E * B >= X`` for every ``X > 0``, and both ranges are empty for ``X <= 0``), else to
  ``X < E * B ? X : E * B`` (a fixed grid smaller than the data does less work).

The fused loop is parallel when both loops were (``LoopInfo``: lifted threads and blocks).
"""
from __future__ import annotations

from typing import Iterator, Optional

from .. import ir
from ..analysis.affine import Affine, NotAffine, Range, affine_of
from ..analysis.loops import NotCanonical, loop_view
from .base import NAME, Param, Pass, Precondition, Refusal, register


@register
class Fuse(Pass):
    """A block loop and an element loop that form one index become one loop (module docstring)."""

    name = "fuse"
    stage = "lower"
    params = (Param("kernel", NAME, "fuse in this kernel only", default=""),)
    requires = (Precondition("hub", "a sequential C module (lift the kernel first)"),)

    def preconditions(self, module: ir.Module, target: Optional[str], **params) -> Iterator[Refusal]:
        if module.dialect != "c":
            yield self.refuse("hub", f"the module is {module.dialect}, not the C hub")

    def rewrite(self, module: ir.Module, target: Optional[str], kernel: str = "") -> ir.Module:
        self.notes: list[str] = []
        chosen = {k.name for k in module.kernels if not kernel or k.name == kernel}
        plans: dict[int, ir.For] = {}
        for f in module.functions:
            if f.name in chosen and f.body is not None:
                for n in f.body.walk():
                    if isinstance(n, ir.For):
                        r = _fused(n)
                        if isinstance(r, ir.For):
                            plans[id(n)] = r
                            self.notes.append(f"{f.name}: the loops over {_var(n)} and {_var(_inner(n))} at line "
                                              f"{n.span.line if n.span else '?'} fused into one over {_var(r)}")
                        elif r:
                            self.notes.append(f"{f.name}: not fused at line {n.span.line if n.span else '?'}: {r}")

        def fn(n: ir.Node, old: ir.Node):
            return plans.get(id(old))

        return self.transform(module, fn, with_original=True)

    def apply(self, module, target=None, **params):
        r = super().apply(module, target, **params)
        r.notes.extend(dict.fromkeys(getattr(self, "notes", [])))  # (lifted loops share their kernel's line)
        return r


def _var(loop: Optional[ir.For]) -> str:
    if loop is None:
        return "?"
    v = loop.init.vars[0] if isinstance(loop.init, ir.Decl) and loop.init.vars else None
    return v.name if v else "?"


def _body(s: ir.Stmt) -> list[ir.Stmt]:
    return list(s.stmts) if isinstance(s, ir.Block) else [s]


def _inner(loop: ir.For) -> Optional[ir.For]:
    body = [s for s in _body(loop.body) if not isinstance(s, (ir.Empty, ir.Comment))]
    return body[0] if len(body) == 1 and isinstance(body[0], ir.For) else None


def _fused(outer: ir.For):
    """The fused loop, a reason (a str) when a nest of two loops does not qualify, or None
    when ``outer`` is not a nest of two loops at all."""
    inner = _inner(outer)
    if inner is None:
        return None
    vo, vi = loop_view(outer), loop_view(inner)
    if isinstance(vo, NotCanonical) or isinstance(vi, NotCanonical):
        return None
    if not (_is(vo.start, 0) and vo.step == 1 and _is(vi.start, 0) and vi.step == 1 and vo.declared and vi.declared):
        return None  # not a block loop over an element loop
    B = vi.trip_count
    if B is None or B <= 0:
        return "the inner loop's extent is not a constant"
    a, b = vo.var, vi.var
    body = _body(inner.body)
    stride = _grid_stride(outer, inner, body, vo, B)
    if stride is not None:
        return stride
    ranges = {a: Range(0, None), b: Range(0, B - 1)}
    idx = None
    for k, s in enumerate(body):
        if isinstance(s, ir.Decl) and len(s.vars) == 1 and s.vars[0].init is not None and \
                isinstance(s.vars[0].type, ir.Named) and s.vars[0].type.name in _INDEX_TYPES:
            form = affine_of(s.vars[0].init, ranges=ranges)
            if not isinstance(form, NotAffine) and form.coeffs == {a: B, b: 1} and form.const == 0:
                idx = k
                break
        if _mentions(s, {a, b}):
            return f"{a} or {b} is used before the index that combines them"
    if idx is None:
        return f"no declaration int v = {a} * {B} + {b}"
    v = body[idx].vars[0].name
    rest = body[:idx] + body[idx + 1:]  # what comes before reads neither a nor b: it stays in place
    if any(_mentions(s, {a, b}) for s in rest):
        return f"{a} or {b} is used apart from the index {v}"
    if any(_assigns(s, v) for s in rest):
        return f"{v} is assigned in the loop"
    extent = ir.Binary("*", ir.clone(vo.end), ir.IntLit(B)) if not _is(vo.end, 1) else ir.IntLit(B)
    guard = _guard(rest, v)
    if guard is not None:
        bound, then = guard
        if not any(_assigns(s, n) for s in rest for n in _names(bound)):
            extent = ir.clone(bound) if _covers(vo.end, bound, B) else \
                ir.Ternary(ir.Binary("<", ir.clone(bound), extent), ir.clone(bound), ir.clone(extent))
            rest = _body(then)
    both = outer.info.kind == "parallel" and inner.info.kind == "parallel"
    vtype = ir.clone(body[idx].vars[0].type)
    vtype.const = False  # (const int i = ...: the loop steps it)
    init = ir.Decl([ir.VarDecl(v, vtype, ir.IntLit(0))])
    loop = ir.For(init, ir.Binary("<", ir.Name(v), extent), ir.Unary("++", ir.Name(v)),
                  ir.Block([ir.clone(s) for s in rest]), list(outer.pragmas),
                  ir.LoopInfo("parallel") if both else ir.LoopInfo())
    loop.span = outer.span
    return loop


def _grid_stride(outer: ir.For, inner: ir.For, body: list[ir.Stmt], vo, B: int):
    """``for a < E: for b < B: for (i = a * B + b; i < X; i += E * B) S`` -> ``for (i = 0;
    i < X; ++i) S``: every ``i`` in ``[0, X)`` is ``(k * E + a) * B + b`` for exactly one
    ``(k, a, b)``. Only for loops that ran in parallel (lifted threads and blocks): the order
    of the ``i`` changes. None when the nest is not of that shape."""
    body = [s for s in body if not isinstance(s, (ir.Empty, ir.Comment))]
    if len(body) != 1 or not isinstance(body[0], ir.For):
        return None
    loop = body[0]
    E = vo.trip_count
    if E is None or not (outer.info.kind == "parallel" and inner.info.kind == "parallel"):
        return None
    if not (isinstance(loop.init, ir.Decl) and len(loop.init.vars) == 1 and loop.init.vars[0].init is not None):
        return None
    i = loop.init.vars[0].name
    a, b = vo.var, _var(inner)
    start = affine_of(loop.init.vars[0].init, ranges={a: Range(0, None), b: Range(0, B - 1)})
    if isinstance(start, NotAffine) or start.coeffs != {a: B, b: 1} or start.const != 0:
        return None
    st = loop.step
    step = st.value if isinstance(st, ir.Assign) and st.op == "+=" and isinstance(st.target, ir.Name) and \
        st.target.name == i else None
    if step is None or affine_of(step) != Affine.constant(E * B):
        return None
    c = loop.cond
    if not (isinstance(c, ir.Binary) and c.op == "<" and isinstance(c.lhs, ir.Name) and c.lhs.name == i):
        return None
    if _mentions(loop.body, {a, b}) or _mentions(c.rhs, {a, b, i}) or _assigns(loop.body, i):
        return "the grid-stride loop reads the block or thread index"
    vtype = ir.clone(loop.init.vars[0].type)
    vtype.const = False
    out = ir.For(ir.Decl([ir.VarDecl(i, vtype, ir.IntLit(0))]), ir.Binary("<", ir.Name(i), ir.clone(c.rhs)),
                 ir.Unary("++", ir.Name(i)), ir.clone(loop.body), list(outer.pragmas), ir.LoopInfo("parallel"))
    out.span = outer.span
    return out


#: the types of an index that combines a block and a thread index (non-negative in either)
_INDEX_TYPES = ("int", "long", "long long", "unsigned", "unsigned int", "unsigned long", "size_t", "int64_t",
                "uint32_t", "int32_t")


def _guard(rest: list[ir.Stmt], v: str) -> Optional[tuple[ir.Expr, ir.Stmt]]:
    """``(X, S)`` for a body that is only ``if (v < X) S`` (or ``X > v``, ``!(v >= X)``)."""
    rest = [s for s in rest if not isinstance(s, (ir.Empty, ir.Comment))]
    if len(rest) != 1 or not isinstance(rest[0], ir.If) or rest[0].other is not None or rest[0].decl is not None:
        return None
    c = rest[0].cond
    if isinstance(c, ir.Unary) and c.op == "!" and isinstance(c.operand, ir.Binary) and c.operand.op in (">=", "<="):
        n = c.operand  # !(v >= X) (an early return, lifted): v < X
        c = ir.Binary("<", n.lhs, n.rhs) if n.op == ">=" else ir.Binary(">", n.lhs, n.rhs)
    if isinstance(c, ir.Binary) and c.op == "<" and isinstance(c.lhs, ir.Name) and c.lhs.name == v:
        bound = c.rhs
    elif isinstance(c, ir.Binary) and c.op == ">" and isinstance(c.rhs, ir.Name) and c.rhs.name == v:
        bound = c.lhs
    else:
        return None
    if v in _names(bound) or any(isinstance(n, (ir.Call, ir.Index, ir.Assign)) for n in bound.walk()):
        return None
    return bound, rest[0].then


def _covers(E: ir.Expr, X: ir.Expr, B: int) -> bool:
    """``E`` is ``(X + B - 1) / B``: the grid covering ``X`` elements in blocks of ``B``."""
    if not (isinstance(E, ir.Binary) and E.op == "/" and _is(E.rhs, B)):
        return False
    num, x = affine_of(E.lhs), affine_of(X)
    return not isinstance(num, NotAffine) and not isinstance(x, NotAffine) and num == x + Affine.constant(B - 1)


def _is(e: ir.Expr, k: int) -> bool:
    return isinstance(e, ir.IntLit) and e.value == k


def _names(e: ir.Node) -> set[str]:
    return {n.name for n in e.walk() if isinstance(n, ir.Name)}


def _mentions(s: ir.Node, names: set[str]) -> bool:
    return bool(_names(s) & names)


def _assigns(s: ir.Node, name: str) -> bool:
    for n in s.walk():
        if isinstance(n, ir.Assign) and isinstance(n.target, ir.Name) and n.target.name == name:
            return True
        if isinstance(n, ir.Unary) and n.op in ("++", "--", "&") and isinstance(n.operand, ir.Name) and \
                n.operand.name == name:
            return True
        if isinstance(n, ir.Decl) and any(x.name == name for x in n.vars):
            return True  # shadowed: the fused loop's variable would be confused with it
    return False


Fuse.__doc__ = __doc__  # the module docstring is the pass's documentation (docs/passes.md)
