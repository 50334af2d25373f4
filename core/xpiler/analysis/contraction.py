"""Contractions: loop nests that compute a matrix product ``C[i, j] = f(sum_k A[i, k] * B[k, j])``,
the shape the matrix units (``__bang_matmul``, ``__bang_mlp``) compute.

    for (int ij0 = taskId; ij0 < M * N; ij0 += taskDim) {     analyse(loop, table)
        int ij = ij0;                                        -> Contraction(
        int i = ij / N;                                            dims: i < M, j < N (fused, over tasks), k < K
        int j = ij % N;                                            a = A + 0: i*K, k*1
        float acc = 0.0f;                                          b = B + 0: k*N, j*1
        for (int k = 0; k < K; ++k)                                c = C + 0: i*N, j*1
            acc += A[i * K + k] * B[k * N + j];                    value = acc)
        C[i * N + j] = acc;
    }

What is accepted (a refusal names the first condition that fails, and how far the nest got):

- the loops: the top loop is bound to ``taskId`` (``v = taskId; v < X; v += taskDim``) or
  counts from 0 by 1; inside it at most one more loop over an output dimension (from 0 by
  1), then the reduction loop (from 0 by 1) whose body is one multiply-accumulate
  ``acc += x * y`` (``acc = acc + x * y``; casts between float and double pass through). A
  loop over a fused index ``v < P * D`` with ``i = v / D`` and ``j = v % D`` (what ``fuse``
  writes) counts as two dimensions ``i < P`` and ``j < D``;
- between the loops: declarations of index aliases and scalars, pointers into the operands
  (``const float *xb = x + b * n``), blocks (flattened: an inlined call), a scalar the
  accumulator is copied to; after the reduction loop, scalar statements and exactly one
  store ``C[...] = e`` or ``C[...] op= e`` (the last statement);
- every access is affine in the loop variables with loop-invariant strides (``i * K + k``:
  ``K`` is a symbol; the affine analysis in monomial mode): each operand of the product
  depends on ``k`` and on at most one output dimension, which the store depends on too (a
  dimension all three use, a batch, is left to an enclosing loop);
- ``acc`` is declared in the nest, initialised before the reduction loop (``0``, or a value
  such as ``bias[j]``: then the result is ``init + sum``) and read only after it; the
  store's value is an epilogue over the result, scalars invariant in the nest and loads
  indexed by the output dimensions (``acc * alpha + bias[j]``, ``fmaxf(acc, 0.0f)``);
- the stored buffer is neither operand of the product (distinct pointers are assumed not to
  alias, as ``bind`` assumes); one floating element type (``float``).

The operand of the product that depends on the outer output dimension is ``a`` (``i``), the
other ``b`` (``j``); with one output dimension, the operand that depends on it is ``b`` and
``a`` is a vector (``M`` is then 1: a matrix-vector product).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from .. import ir
from . import patterns
from .affine import MONO, Context, Range, _Fail
from .loops import NotCanonical, loop_view
from .symbols import SymbolTable

#: the stages of the analysis, in order (a refusal says how far the nest got)
STAGES = ("loops", "reduction", "accesses", "dimensions", "epilogue")


@dataclass
class NotContraction:
    """Why a loop nest is not a contraction (false in a boolean context); ``stage``: the
    index in ``STAGES`` of the check that failed (a later stage: a nest closer to one)."""

    reason: str
    stage: int = 0
    line: int = 0

    def __bool__(self) -> bool:
        return False


@dataclass
class Operand:
    """A buffer read (or written) at ``base + sum(strides[d] * d)``: ``base`` an address
    valid where the nest stands (a pointer plus the nest-invariant part of the offset),
    ``strides`` by dimension (``i``, ``j``, ``k``; absent: 0), in elements."""

    buf: str  # the root pointer's name (aliasing is decided by it)
    base: ir.Expr
    strides: dict[str, ir.Expr]
    elem: str
    key: str = ""  # the affine form of the offset as text (same key: same elements)

    def stride(self, d: str) -> Optional[ir.Expr]:
        return self.strides.get(d)

    def unit(self, d: str) -> bool:
        s = self.strides.get(d)
        return isinstance(s, ir.IntLit) and s.value == 1

    @property
    def dims(self) -> set[str]:
        return set(self.strides)


# the epilogue: what the store writes, as a tree over the sum
@dataclass
class Acc:
    """The sum over ``k`` (the matrix unit's result)."""


@dataclass
class Scalar:
    """A value invariant in the nest (computed once)."""

    expr: ir.Expr


@dataclass
class Load:
    """A load indexed by the output dimensions (``bias[j]``, ``C[i, j]``)."""

    operand: Operand


@dataclass
class Op:
    """``+ - *`` on two values, or a call (``fmaxf``) on its arguments."""

    op: str
    args: list


Value = Union[Acc, Scalar, Load, Op]


@dataclass
class Dim:
    var: str
    extent: ir.Expr


@dataclass
class Contraction:
    loop: ir.For  # the top loop (replaced by the lowering)
    mode: str  # "tasks" (the top loop is bound to taskId) or "serial"
    i: Optional[Dim]  # the rows of a and c (None: a is a vector, M = 1)
    j: Dim  # the columns of b and c
    k: Dim  # the reduction
    a: Operand
    b: Operand
    c: Operand
    value: Value  # what is stored at c (the sum with its epilogue)
    elem: str = "float"
    acc_type: str = "float"
    fused: bool = False  # i and j come from one fused loop
    notes: list[str] = field(default_factory=list)

    @property
    def M(self) -> ir.Expr:
        return self.i.extent if self.i else ir.IntLit(1)


def _text(e: ir.Node) -> str:
    from .elementwise import _text as text

    return text(e)


def _line(n: Optional[ir.Node]) -> int:
    return n.span.line if n is not None and n.span else 0


def _stmts(s: ir.Stmt) -> list[ir.Stmt]:
    out: list[ir.Stmt] = []
    for x in (s.stmts if isinstance(s, ir.Block) else [s]):
        if isinstance(x, ir.Block):
            out.extend(_stmts(x))  # a block's names are unique after inlining (checked below)
        elif not isinstance(x, (ir.Empty, ir.Comment)):
            out.append(x)
    return out


task_loop = patterns.task_loop  # (analysis/patterns: the one recogniser of bind's task loops)


def _serial(s: ir.For, table: SymbolTable) -> Union[tuple[str, ir.Expr], str]:
    view = loop_view(s, table)
    if isinstance(view, NotCanonical):
        return f"the loop at line {_line(s)} is not canonical: {view.reason}"
    if view.step != 1 or not (isinstance(view.start, ir.IntLit) and view.start.value == 0):
        return f"the loop over {view.var} (line {_line(s)}) does not count from 0 by 1"
    return view.var, view.end


def _has_loop(stmts: list[ir.Stmt]) -> bool:
    return any(isinstance(m, (ir.For, ir.While, ir.DoWhile)) for s in stmts for m in s.walk())


def _strip(e: ir.Expr) -> tuple[ir.Expr, bool]:
    """``e`` without float/double conversions; whether one was to double."""
    dbl = False
    while isinstance(e, ir.Cast) and isinstance(e.type, ir.Named) and e.type.name in ("float", "double"):
        dbl |= e.type.name == "double"
        e = e.operand
    return e, dbl


def _base_type(t: Optional[ir.CType]) -> Optional[str]:
    while isinstance(t, (ir.Pointer, ir.Array)):
        t = t.pointee if isinstance(t, ir.Pointer) else t.elem
    if isinstance(t, ir.Named):
        return t.name.replace("const", "").replace("volatile", "").strip()
    return None


class _Nest:
    """The parse of one candidate nest (see ``analyse``)."""

    def __init__(self, top: ir.For, table: SymbolTable):
        self.top, self.table = top, table
        self.dims: list[Dim] = []
        self.ints: dict[str, ir.Expr] = {}  # integer locals of the nest (seen through)
        self.ptrs: dict[str, tuple[ir.Expr, ir.Expr]] = {}  # pointer locals: (pointer, offset)
        self.vals: dict[str, ir.Expr] = {}  # floating scalars: their value (expression)
        self.declared: set[str] = set()
        self.fused: Optional[tuple[str, str, str]] = None  # (v, i, j)
        self.mode = "serial"

    # ---------------------------------------------------------------- loops
    def parse(self) -> Union[NotContraction, tuple[list[ir.Stmt], ir.For, list[ir.Stmt]]]:
        """The statements before the reduction loop (innermost level), the loop, and those after."""
        loop = self.top
        tl = task_loop(loop)
        if tl:
            self.mode = "tasks"
            var, extent = tl
        else:
            r = _serial(loop, self.table)
            if isinstance(r, str):
                return NotContraction(r, 0, _line(loop))
            var, extent = r
        self.dims.append(Dim(var, extent))
        self.top_var = var
        while True:
            body = _stmts(loop.body)
            loops = [n for n, s in enumerate(body) if isinstance(s, (ir.For, ir.While, ir.DoWhile))]
            if len(loops) != 1:
                return NotContraction(f"the body of the loop over {self.dims[-1].var} has {len(loops)} loops, "
                                      "not one", 0, _line(loop))
            at = loops[0]
            pre, inner, post = body[:at], body[at], body[at + 1:]
            if not isinstance(inner, ir.For):
                return NotContraction(f"a while loop at line {_line(inner)}", 0, _line(inner))
            for s in pre:
                why = self.declare(s)
                if why:
                    return NotContraction(why, 0, _line(s))
            r = _serial(inner, self.table)
            if isinstance(r, str):
                return NotContraction(r, 0, _line(inner))
            if not _has_loop(_stmts(inner.body)):  # the reduction loop
                self.k = Dim(*r)
                return pre, inner, post
            if post:
                return NotContraction(f"statements after the loop over {r[0]} (line {_line(post[0])})", 0,
                                      _line(post[0]))
            if len(self.dims) >= 2 or self.fused:
                return NotContraction("more than two output loops around the reduction (a batch loop inside the "
                                      "nest)", 0, _line(inner))
            self.dims.append(Dim(*r))
            loop = inner

    def declare(self, s: ir.Stmt) -> Optional[str]:
        """Record a declaration before the reduction loop; the reason when it is not one."""
        if not isinstance(s, ir.Decl):
            return f"{_text(s)}: not a declaration before the reduction loop"
        for v in s.vars:
            if v.name in self.declared:
                return f"{v.name} is declared twice in the nest"
            self.declared.add(v.name)
            if v.space != "local" or isinstance(v.type, ir.Array):
                return f"{v.name}: an array or on-chip declaration in the nest"
            if isinstance(v.type, ir.Pointer):
                if v.init is None:
                    return f"the pointer {v.name} has no initialiser"
                p = self.pointer(v.init)
                if p is None:
                    return f"{v.name} = {_text(v.init)}: not a pointer plus an offset"
                self.ptrs[v.name] = p
                continue
            name = _base_type(v.type)
            if name in ("float", "double"):
                if v.init is not None:
                    self.vals[v.name] = v.init
                continue
            if v.init is None:
                return f"{v.name}: an integer declared without a value"
            init = v.init
            # i = v / D, j = v % D over a fused loop
            d = self.dims[-1]
            if isinstance(init, ir.Binary) and init.op in ("/", "%") and len(self.dims) == 1 and \
                    self._is_var(init.lhs, d.var):
                r = self.fuse(v.name, init, d)
                if r:
                    return r
                continue
            self.ints[v.name] = init
        return None

    def _is_var(self, e: ir.Expr, var: str) -> bool:
        seen = 0
        while isinstance(e, ir.Name) and e.name in self.ints and seen < 8:
            e, seen = self.ints[e.name], seen + 1
        while isinstance(e, ir.Cast):
            e = e.operand
        return isinstance(e, ir.Name) and e.name == var

    def fuse(self, name: str, init: ir.Binary, d: Dim) -> Optional[str]:
        div = init.rhs
        ext = d.extent
        parts = [ext.lhs, ext.rhs] if isinstance(ext, ir.Binary) and ext.op == "*" else []
        other = [p for n, p in enumerate(parts) if p == div and parts[1 - n] != div] or \
            ([parts[0]] if len(parts) == 2 and parts[0] == parts[1] == div else [])
        if not other:
            return f"{name} = {_text(init)}: the extent {_text(ext)} is not a product with {_text(div)}"
        outer = parts[0] if parts[1] == div else parts[1]
        f = getattr(self, "_fuse", {"div": None, "mod": None, "by": div, "outer": outer})
        if f["by"] != div:
            return f"{_text(init)}: divides by {_text(div)}, not {_text(f['by'])}"
        f["div" if init.op == "/" else "mod"] = name
        self._fuse = f
        if f["div"] and f["mod"]:
            self.fused = (d.var, f["div"], f["mod"])
            self.dims = [Dim(f["div"], f["outer"]), Dim(f["mod"], div)]
        return None

    def pointer(self, e: ir.Expr) -> Optional[tuple[ir.Expr, ir.Expr]]:
        """``e`` as (a pointer valid outside the nest, an element offset)."""
        while isinstance(e, ir.Cast) and isinstance(e.type, ir.Pointer):
            e = e.operand
        if isinstance(e, ir.Name):
            if e.name in self.ptrs:
                return self.ptrs[e.name]
            t = self.table.type_of(e)
            if isinstance(t, (ir.Pointer, ir.Array)):
                return e, ir.IntLit(0)
            return None
        if isinstance(e, ir.Binary) and e.op in ("+", "-"):
            for p, o in ((e.lhs, e.rhs), (e.rhs, e.lhs)) if e.op == "+" else ((e.lhs, e.rhs),):
                q = self.pointer(p)
                if q is not None and not isinstance(self.table.type_of(o) if isinstance(o, ir.Name) else None,
                                                    ir.Pointer):
                    off = o if e.op == "+" else ir.Unary("-", o)
                    return q[0], ir.Binary("+", q[1], off)
            return None
        if isinstance(e, ir.Unary) and e.op == "&" and isinstance(e.operand, ir.Index):
            q = self.pointer(e.operand.base)
            if q is not None:
                return q[0], ir.Binary("+", q[1], e.operand.index)
        return None


def analyse(top: ir.For, table: SymbolTable) -> Union[Contraction, NotContraction]:
    """The contraction computed by the nest whose top loop is ``top``, or why it is not one."""
    n = _Nest(top, table)
    r = n.parse()
    if isinstance(r, NotContraction):
        return r
    pre, kloop, post = r
    if n.fused is None and len(n.dims) == 1 and getattr(n, "_fuse", None):
        return NotContraction("a division of the loop index without its remainder (or the converse)", 0,
                              _line(top))
    # ------------------------------------------------------------ the reduction
    body = _stmts(kloop.body)
    if len(body) != 1 or not isinstance(body[0], ir.ExprStmt) or not isinstance(body[0].expr, ir.Assign):
        return NotContraction(f"the body of the loop over {n.k.var} is not one accumulation", 1, _line(kloop))
    asg = body[0].expr
    if not isinstance(asg.target, ir.Name):
        return NotContraction(f"{_text(asg)}: accumulates into memory, not a scalar", 1, _line(kloop))
    acc = asg.target.name
    prod = None
    if asg.op == "+=":
        prod = asg.value
    elif asg.op == "=" and isinstance(asg.value, ir.Binary) and asg.value.op == "+":
        for x, y in ((asg.value.lhs, asg.value.rhs), (asg.value.rhs, asg.value.lhs)):
            if isinstance(x, ir.Name) and x.name == acc:
                prod = y
    prod = _strip(prod)[0] if prod is not None else None
    if not (isinstance(prod, ir.Binary) and prod.op == "*"):
        return NotContraction(f"{_text(asg)}: not acc += x * y", 1, _line(kloop))
    x, dx = _strip(prod.lhs)
    y, dy = _strip(prod.rhs)
    if not (isinstance(x, ir.Index) and isinstance(y, ir.Index)):
        return NotContraction(f"{_text(prod)}: a product of two loads is needed", 1, _line(kloop))
    if acc not in n.declared:
        return NotContraction(f"the accumulator {acc} is declared outside the nest", 1, _line(kloop))
    acc_decl = _find_decl(pre, acc)
    acc_type = _base_type(acc_decl.type) if acc_decl else None
    if acc_type not in ("float", "double"):
        return NotContraction(f"the accumulator {acc} is not float or double", 1, _line(kloop))
    init = n.vals.pop(acc, None)
    if init is None:
        return NotContraction(f"the accumulator {acc} has no initial value before the loop", 1, _line(kloop))
    # ------------------------------------------------------------ accesses
    iters = [d.var for d in n.dims] + [n.k.var]
    ctx = Context(table, ranges={v: Range(0, None) for v in iters}, defs=dict(n.ints),
                  iterators=set(iters), monomials=True)
    try:
        ox = _operand(n, ctx, x, iters)
        oy = _operand(n, ctx, y, iters)
    except _Fail as f:
        return NotContraction(f"an access is not affine with invariant strides: {f.reason}", 2, _line(kloop))
    kv = n.k.var
    for o, e in ((ox, x), (oy, y)):
        if kv not in o.strides:
            return NotContraction(f"{_text(e)} does not depend on {kv}", 3, _line(kloop))
        if o.elem != "float":
            return NotContraction(f"{_text(e)}: elements of type {o.elem}, not float", 2, _line(kloop))
    # ------------------------------------------------------------ the store, the epilogue
    env: dict[str, Value] = {acc: Acc()}
    if not post or not isinstance(post[-1], ir.ExprStmt) or not isinstance(post[-1].expr, ir.Assign) or \
            not isinstance(post[-1].expr.target, ir.Index):
        return NotContraction("the nest does not end with a store of the result", 4,
                              _line(post[-1]) if post else _line(kloop))
    ep = _Epilogue(n, ctx, iters, env, acc)
    try:
        ep.init = ep.value(init, allow_acc=False)
        for s in post[:-1]:
            ep.statement(s)
        st = post[-1].expr
        oc = _operand(n, ctx, st.target, iters)
        value = ep.value(st.value)
        if st.op != "=":
            if st.op not in ("+=", "-=", "*="):
                raise _Fail(f"{_text(st)}: {st.op} is not handled")
            value = Op(st.op[0], [Load(oc), value])
    except _Fail as f:
        return NotContraction(f.reason, 4, _line(f.node) or _line(post[-1]))
    if not isinstance(ep.init, Scalar) or not _zero(ep.init.expr):
        value = _subst(value, Op("+", [ep.init, Acc()]))
    # ------------------------------------------------------------ dimensions
    if kv in oc.strides:
        return NotContraction(f"the store depends on the reduction variable {kv}", 3, _line(post[-1]))
    outs = [d.var for d in n.dims]
    for d in outs:
        if d not in oc.strides:
            return NotContraction(f"the store does not depend on {d}: a second reduction", 3, _line(post[-1]))
        if d in ox.strides and d in oy.strides:
            return NotContraction(f"both operands depend on {d} (a batch dimension inside the nest)", 3,
                                  _line(kloop))
    fx = [d for d in outs if d in ox.strides]
    fy = [d for d in outs if d in oy.strides]
    if len(fx) > 1 or len(fy) > 1 or len(fx) + len(fy) != len(outs):
        return NotContraction("an operand depends on two output dimensions, or a dimension on neither", 3,
                              _line(kloop))
    if ox.buf == oc.buf or oy.buf == oc.buf:
        return NotContraction(f"the result {oc.buf} is also an operand of the product", 3, _line(post[-1]))
    dims = {d.var: d for d in n.dims}
    if fx and fy:
        (a, ia), (b, jb) = sorted([(ox, fx[0]), (oy, fy[0])], key=lambda t: outs.index(t[1]))
        i, j = dims[ia], dims[jb]
    else:
        a, b = (oy, ox) if fx else (ox, oy)
        i, j = None, dims[(fx or fy)[0]]
    ren = {kv: "k", j.var: "j", **({i.var: "i"} if i else {})}
    for o in [a, b, oc] + ep.loads:
        o.strides = {ren[d]: s for d, s in o.strides.items()}
        if any(d not in "ij" for d in o.strides) and o is not a and o is not b:
            return NotContraction(f"{o.buf}: an epilogue load depends on the reduction", 4, _line(post[-1]))
    for o in ep.loads:
        if o.buf == oc.buf and (o.key != oc.key):
            return NotContraction(f"the epilogue reads {o.buf} elsewhere than it stores", 4, _line(post[-1]))
        if o.buf == oc.buf or o.buf in (a.buf, b.buf):
            continue
    try:
        i = Dim(i.var, _inline(i.extent, n, iters)) if i else None
        j = Dim(j.var, _inline(j.extent, n, iters))
        kd = Dim("k", _inline(n.k.extent, n, iters))
    except _Fail as f:
        return NotContraction(f.reason, 3, _line(kloop))
    if _count_acc(value) != 1:
        return NotContraction("the epilogue uses the sum more than once", 4, _line(post[-1]))
    c = Contraction(top, n.mode, i, j, kd, a, b, oc, value, elem="float", acc_type=acc_type,
                    fused=n.fused is not None)
    c.dim_names = {"i": i.var if i else None, "j": j.var, "k": kv}
    if acc_type == "double" or dx or dy:
        c.notes.append("the source accumulates in double; the matrix unit accumulates in float")
    return c


def _inline(e: ir.Expr, n: _Nest, iters: list[str], depth: int = 0) -> ir.Expr:
    """``e`` with the nest's integer locals replaced by their values: an expression valid
    before the nest (an extent); refused where it depends on the loops or on a value
    computed in the nest."""
    def fn(x: ir.Node, old: ir.Node):
        if isinstance(x, ir.Name):
            if x.name in n.ints and depth < 8:
                return _inline(n.ints[x.name], n, iters, depth + 1)
            if x.name in iters or x.name in n.declared or x.name == n.top_var:
                raise _Fail(f"the extent {_text(e)} depends on {x.name}, which the nest computes")
        return None

    return ir.transform(e, fn, with_original=True)


def _count_acc(v: Value) -> int:
    if isinstance(v, Acc):
        return 1
    if isinstance(v, Op):
        return sum(_count_acc(a) for a in v.args)
    return 0


def _find_decl(stmts: list[ir.Stmt], name: str) -> Optional[ir.VarDecl]:
    for s in stmts:
        if isinstance(s, ir.Decl):
            for v in s.vars:
                if v.name == name:
                    return v
    return None


def _zero(e: ir.Expr) -> bool:
    e = _strip(e)[0]
    return isinstance(e, (ir.IntLit, ir.FloatLit)) and float(e.value) == 0.0


def _subst(v: Value, by: Value) -> Value:
    if isinstance(v, Acc):
        return by
    if isinstance(v, Op):
        return Op(v.op, [_subst(a, by) for a in v.args])
    return v


def _operand(n: _Nest, ctx: Context, e: ir.Index, iters: list[str]) -> Operand:
    """The operand ``e`` (``p[idx]``) reads: its root pointer, base and strides."""
    p = n.pointer(e.base)
    if p is None:
        raise _Fail(f"{_text(e)}: the base is not a pointer", e)
    root, off = p
    whole = ir.Binary("+", off, e.index)
    a, _ = ctx.form(whole, modular=True)
    if a.divs:
        raise _Fail(f"{_text(e)}: an integer division in the index", e)
    strides: dict[str, list[ir.Expr]] = {}
    base: list[ir.Expr] = [ir.IntLit(a.const)] if a.const else []
    for term, coef in a.coeffs.items():
        fs = term.split(MONO)
        its = [f for f in fs if f in iters]
        if any(f not in iters and f in n.declared for f in fs):
            raise _Fail(f"{_text(e)}: depends on {term}, a value computed in the nest", e)
        rest = [f for f in fs if f not in iters]
        prod: ir.Expr = ir.IntLit(coef) if coef != 1 or not rest else None
        for f in rest:
            prod = _name(f) if prod is None else ir.Binary("*", prod, _name(f))
        if not its:
            base.append(prod)
        else:
            strides.setdefault(its[0], []).append(prod)
    total: Optional[ir.Expr] = None
    for t in base:
        total = t if total is None else ir.Binary("+", total, t)
    elem = _base_type(n.table.type_of(root)) or "?"
    return Operand(root.name if isinstance(root, ir.Name) else _text(root),
                   ir.clone(root) if total is None else ir.Binary("+", ir.clone(root), total),
                   {d: _sum(ts) for d, ts in strides.items()}, elem, key=str(a))


def _name(f: str) -> ir.Expr:
    return ir.Name(f)


def _sum(ts: list[ir.Expr]) -> ir.Expr:
    out = ts[0]
    for t in ts[1:]:
        out = ir.Binary("+", out, t)
    return out


class _Epilogue:
    """The values of the scalar statements after the reduction loop, as trees over the sum."""

    CALLS = {"fmaxf", "fmax", "fminf", "fmin"}

    def __init__(self, n: _Nest, ctx: Context, iters: list[str], env: dict, acc: str):
        self.n, self.ctx, self.iters, self.env, self.acc = n, ctx, iters, env, acc
        self.loads: list[Operand] = []
        self.init: Value = Scalar(ir.IntLit(0))

    def statement(self, s: ir.Stmt) -> None:
        if isinstance(s, ir.Decl):
            for v in s.vars:
                if v.init is None:
                    continue
                self.env[v.name] = self.value(v.init)
            return
        if isinstance(s, ir.ExprStmt) and isinstance(s.expr, ir.Assign) and isinstance(s.expr.target, ir.Name) \
                and s.expr.op == "=":
            self.env[s.expr.target.name] = self.value(s.expr.value)
            return
        raise _Fail(f"{_text(s)}: not a scalar assignment after the reduction", s)

    def invariant(self, e: ir.Expr) -> bool:
        for m in e.walk():
            if isinstance(m, (ir.Index, ir.Assign, ir.Call)) or (isinstance(m, ir.Unary) and m.op in ("*", "++", "--")):
                if isinstance(m, ir.Call) and isinstance(m.callee, ir.Name) and m.callee.name in (
                        "sqrtf", "expf", "fabsf", "fmaxf", "fminf", "logf"):
                    continue
                return False
            if isinstance(m, ir.Name) and (m.name in self.iters or m.name in self.n.declared or m.name == self.acc):
                return False
        return True

    def value(self, e: ir.Expr, allow_acc: bool = True) -> Value:
        e0 = e
        e, _ = _strip(e)
        if isinstance(e, ir.Name) and e.name in self.env:
            if not allow_acc and isinstance(self.env[e.name], Acc):
                raise _Fail(f"{_text(e0)}: reads the accumulator before the reduction", e0)
            return self.env[e.name]
        if isinstance(e, ir.Name) and e.name in self.n.vals:
            return self.value(self.n.vals[e.name], allow_acc)
        if self.invariant(e):
            return Scalar(e)
        if isinstance(e, ir.Index):
            o = _operand(self.n, self.ctx, e, self.iters)
            if self.n.k.var in o.strides:
                raise _Fail(f"{_text(e)}: depends on the reduction variable outside its loop", e)
            self.loads.append(o)
            return Load(o)
        if isinstance(e, ir.Binary) and e.op in ("+", "-", "*"):
            return Op(e.op, [self.value(e.lhs, allow_acc), self.value(e.rhs, allow_acc)])
        if isinstance(e, ir.Call) and isinstance(e.callee, ir.Name) and e.callee.name in self.CALLS:
            return Op(e.callee.name.rstrip("f") if e.callee.name.endswith("f") else e.callee.name,
                      [self.value(a, allow_acc) for a in e.args])
        raise _Fail(f"{_text(e0)}: an epilogue the lowering does not compute", e0)
