"""A canonical view of ``for`` loops, their normalisation, and the loops around a statement.

:func:`loop_view` reads ``for (int i = a; i < b; i += s)`` and its variants (``<=``,
``!=``, ``b > i``, ``++i``, ``i++``, ``i = i + s``, decreasing loops with ``--``/``-=``
and ``>``/``>=``) as a :class:`LoopView`: the variable, its first value, the exclusive end
in the direction of the step, the constant step, and the number of iterations. A loop it
cannot read that way is :class:`NotCanonical`, with the reason.

    for (int i = n - 1; i >= 0; --i)    -> LoopView(var="i", start=n - 1, end=-1, step=-1, extent=n)
    for (int i = 0; i <= m; i += 2)     -> LoopView(var="i", start=0, end=m + 1, step=2,
                                                    extent=(m + 2) / 2, inclusive=True)
    for (int i = 0; i < n; ++i) { if (x[i]) break; }   -> NotCanonical("... break ...")

:func:`normalize` rewrites a canonical loop to count from 0 by 1 (the body sees the old
value through a substitution):

    for (int i = 2; i < n; i += 3) x[i] = 0;
    ->
    for (int i = 0; i < n / 3; ++i) x[2 + i * 3] = 0;        (n / 3 == ceil((n - 2) / 3) iterations)
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Iterator, Optional, Union

from .. import ir
from . import ctype
from .affine import Affine, affine_of
from .symbols import Scope, SymbolTable, type_of

Symbols = Union[Scope, SymbolTable, None]


@dataclass
class LoopView:
    """A canonical loop: ``var`` runs ``start, start + step, ...`` while it has not
    reached ``end`` (exclusive: ``var < end`` for a positive step, ``var > end`` for a
    negative one); ``extent`` is the number of iterations as an expression (folded where
    constant; ``end - start`` for a unit step, ``(end - start + step - 1) / step``
    otherwise, negative or zero meaning no iteration). ``inclusive`` records that the
    source bound was ``<=``/``>=`` (``end`` is then the bound plus or minus one);
    ``declared`` that the init declares the variable."""

    var: str
    var_type: Optional[ir.CType]
    start: ir.Expr
    end: ir.Expr
    extent: ir.Expr
    step: int
    loop: ir.For = field(repr=False, compare=False)
    inclusive: bool = False
    declared: bool = True

    @property
    def decreasing(self) -> bool:
        return self.step < 0

    @property
    def trip_count(self) -> Optional[int]:
        """The number of iterations when it is a constant."""
        return self.extent.value if isinstance(self.extent, ir.IntLit) else None


@dataclass
class NotCanonical:
    """Why a loop has no canonical view (false in a boolean context)."""

    reason: str
    node: Optional[ir.Node] = field(default=None, compare=False, repr=False)

    def __bool__(self) -> bool:
        return False


def _text(e: ir.Node) -> str:
    from ..printer import print_node

    try:
        return print_node(e)
    except Exception:  # noqa: BLE001 -- a message must never fail
        return type(e).__name__


def _lookup_type(name: str, node: ir.Node, symbols: Symbols) -> Optional[ir.CType]:
    if isinstance(symbols, SymbolTable):
        scope = symbols.scope_at(node) if node in symbols else symbols.root
    else:
        scope = symbols
    if scope is None:
        return None
    sym = scope.lookup(name)
    return sym.type if sym is not None else None


def _const(e: ir.Expr) -> Optional[int]:
    a = affine_of(e)
    return a.const if isinstance(a, Affine) and a.is_const else None


# ----------------------------------------------------------------------------- the view
def loop_view(loop: ir.For, symbols: Symbols = None) -> Union[LoopView, NotCanonical]:
    """The canonical view of ``loop`` or why there is none. ``symbols`` (a Scope or the
    function's SymbolTable) gives the variable's type when the init does not declare it.

    Refused: no init or condition; a step that is not a constant (``i += stride``);
    a condition not comparing the variable with a bound; a step going away from the
    bound (the loop would not terminate); ``!=`` with a step that may jump over the
    bound; the variable or a name of the bound written in the body (or its address
    taken); a bound reading memory that the body may write or calling a function; a
    ``break``, ``return`` or ``goto`` leaving the loop; a non-integer variable.
    """
    init = loop.init
    declared = True
    if isinstance(init, ir.Decl) and len(init.vars) == 1 and init.vars[0].init is not None \
            and init.vars[0].init_style == "=":
        var, var_type, start = init.vars[0].name, init.vars[0].type, init.vars[0].init
    elif isinstance(init, ir.ExprStmt) and isinstance(init.expr, ir.Assign) and init.expr.op == "=" \
            and isinstance(init.expr.target, ir.Name):
        var, start = init.expr.target.name, init.expr.value
        var_type = _lookup_type(var, init.expr.target, symbols)
        declared = False
    else:
        return NotCanonical("the init does not set one loop variable (int i = a or i = a)", init or loop)
    if var_type is not None and ctype.int_type(var_type) is None:
        return NotCanonical(f"the loop variable {var} is not an integer ({_text(var_type)})", init)

    step = _step(loop.step, var)
    if isinstance(step, NotCanonical):
        return step

    if loop.cond is None:
        return NotCanonical("no condition", loop)
    bound = _bound(loop.cond, var)
    if isinstance(bound, NotCanonical):
        return bound
    op, b = bound
    unsigned = var_type is not None and not ctype.int_type(var_type).signed  # type: ignore[union-attr]
    inclusive = op in ("<=", ">=")
    if op in ("<", "<="):
        if step < 0:
            return NotCanonical(f"{_text(loop.cond)} with a negative step: the loop does not move toward its bound",
                                loop.cond)
        end = b if op == "<" else _plus(b, 1)
    elif op in (">", ">="):
        if step > 0:
            return NotCanonical(f"{_text(loop.cond)} with a positive step: the loop does not move toward its bound",
                                loop.cond)
        if op == ">=" and unsigned and _const(b) == 0:
            return NotCanonical(f"{_text(loop.cond)} is always true for unsigned {var}", loop.cond)
        end = b if op == ">" else _plus(b, -1)
    else:  # !=
        if abs(step) != 1:
            s0, b0 = _const(start), _const(b)
            if s0 is None or b0 is None or (b0 - s0) % step != 0:
                return NotCanonical(f"{_text(loop.cond)} with step {step}: the variable may jump over the bound",
                                    loop.cond)
        end = b

    problem = _body_problem(loop, var, b)
    if problem is not None:
        return problem
    extent = _extent(start, end, step)
    return LoopView(var, var_type, start, end, extent, step, loop, inclusive, declared)


def _step(e: Optional[ir.Expr], var: str) -> Union[int, NotCanonical]:
    if e is None:
        return NotCanonical("no step", e)
    if isinstance(e, ir.Unary) and e.op in ("++", "--") and _is_var(e.operand, var):
        return 1 if e.op == "++" else -1
    amount: Optional[ir.Expr] = None
    sign = 1
    if isinstance(e, ir.Assign) and _is_var(e.target, var):
        if e.op in ("+=", "-="):
            amount, sign = e.value, 1 if e.op == "+=" else -1
        elif e.op == "=" and isinstance(e.value, ir.Binary) and e.value.op in ("+", "-"):
            v = e.value
            if _is_var(v.lhs, var):
                amount, sign = v.rhs, 1 if v.op == "+" else -1
            elif _is_var(v.rhs, var) and v.op == "+":
                amount = v.lhs
    if amount is None:
        return NotCanonical(f"the step {_text(e)} is not {var} += constant", e)
    c = _const(amount)
    if c is None:
        return NotCanonical(f"non-constant step {_text(amount)}", e)
    if c == 0:
        return NotCanonical(f"the step {_text(e)} is zero: the loop does not advance", e)
    return sign * c


def _is_var(e: ir.Expr, var: str) -> bool:
    return isinstance(e, ir.Name) and e.name == var


def _mentions(e: ir.Node, var: str) -> bool:
    return any(isinstance(n, ir.Name) and n.name == var for n in e.walk())


_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "!=": "!="}


def _bound(cond: ir.Expr, var: str) -> Union[tuple[str, ir.Expr], NotCanonical]:
    if isinstance(cond, ir.Binary) and cond.op in _FLIP:
        if _is_var(cond.lhs, var) and not _mentions(cond.rhs, var):
            return cond.op, cond.rhs
        if _is_var(cond.rhs, var) and not _mentions(cond.lhs, var):
            return _FLIP[cond.op], cond.lhs
    return NotCanonical(f"the condition {_text(cond)} is not {var} compared with a bound", cond)


def _plus(e: ir.Expr, k: int) -> ir.Expr:
    a = affine_of(e)
    if isinstance(a, Affine) and a.is_const:
        return _int(a.const + k)
    if isinstance(e, ir.Binary) and e.op in ("+", "-") and _const(e.rhs) is not None:
        c = _const(e.rhs) * (1 if e.op == "+" else -1) + k  # type: ignore[operator]
        if c == 0:
            return e.lhs
        return ir.Binary("+" if c > 0 else "-", e.lhs, ir.IntLit(abs(c)))
    return ir.Binary("+" if k > 0 else "-", e, ir.IntLit(abs(k)))


def _int(v: int) -> ir.Expr:
    return ir.IntLit(v) if v >= 0 else ir.Unary("-", ir.IntLit(-v))


def _extent(start: ir.Expr, end: ir.Expr, step: int) -> ir.Expr:
    hi, lo = (end, start) if step > 0 else (start, end)
    s = abs(step)
    if s == 1 and _const(lo) == 0:
        return hi
    diff = affine_of(ir.Binary("-", hi, lo))
    if isinstance(diff, Affine):
        if diff.is_const:
            return ir.IntLit(max(0, -(-diff.const // s)))
        if s == 1:
            return diff.to_expr()
        return ir.Binary("/", (diff + Affine.constant(s - 1)).to_expr(), ir.IntLit(s))
    d: ir.Expr = ir.Binary("-", hi, lo)
    if s == 1:
        return d
    return ir.Binary("/", ir.Binary("+", d, ir.IntLit(s - 1)), ir.IntLit(s))


# ----------------------------------------------------------------------------- the body
def writes(stmt: ir.Node, names: set[str]) -> dict[str, ir.Node]:
    """Which of ``names`` (as visible at ``stmt``) ``stmt`` writes or takes the address
    of, with the first node that does; a name redeclared inside ``stmt`` is another
    variable there (shadowing is followed)."""
    out: dict[str, ir.Node] = {}

    def expr(e: ir.Node, hidden: frozenset[str]) -> None:
        for n in e.walk():
            target = None
            if isinstance(n, ir.Assign):
                target = n.target
            elif isinstance(n, ir.Unary) and n.op in ("++", "--", "&"):
                target = n.operand
            if isinstance(target, ir.Name) and target.name in names and target.name not in hidden:
                out.setdefault(target.name, n)

    def stmt_(s: ir.Node, hidden: frozenset[str]) -> frozenset[str]:
        if isinstance(s, ir.Block):
            h = hidden
            for x in s.stmts:
                h = stmt_(x, h)
            return hidden
        if isinstance(s, ir.Decl):
            for v in s.vars:
                if v.init is not None:
                    expr(v.init, hidden | {v.name})
                hidden = hidden | {v.name}
            return hidden
        if isinstance(s, ir.For):
            h = stmt_(s.init, hidden) if s.init is not None else hidden
            for e in (s.cond, s.step):
                if e is not None:
                    expr(e, h)
            stmt_(s.body, h)
            return hidden
        if isinstance(s, ir.If) and s.decl is not None:
            h = hidden | {s.decl.name}
            if s.decl.init is not None:
                expr(s.decl.init, h)
            expr(s.cond, h)
            stmt_(s.then, h)
            if s.other is not None:
                stmt_(s.other, h)
            return hidden
        for c in s.children():
            if isinstance(c, ir.Stmt):
                stmt_(c, hidden)
            elif isinstance(c, ir.Expr):
                expr(c, hidden)
        return hidden

    stmt_(stmt, frozenset())
    return out


def _writes_memory(s: ir.Node) -> Optional[ir.Node]:
    for n in s.walk():
        target = n.target if isinstance(n, ir.Assign) else n.operand if isinstance(n, ir.Unary) and n.op in (
            "++", "--") else None
        if target is not None and not isinstance(target, ir.Name):
            return n
        if isinstance(n, ir.Call):
            return n
    return None


def _reads_memory(e: ir.Node) -> Optional[ir.Node]:
    for n in e.walk():
        if isinstance(n, (ir.Index, ir.Call)) or (isinstance(n, ir.Unary) and n.op == "*") or (
                isinstance(n, ir.Member) and n.arrow):
            return n
    return None


def exits(body: ir.Stmt) -> Optional[ir.Node]:
    """A ``break`` that leaves the loop whose body this is, a ``return``, or a ``goto``
    (an opaque statement), if any."""

    def visit(s: ir.Node, in_inner: bool) -> Optional[ir.Node]:
        if isinstance(s, ir.Break) and not in_inner:
            return s
        if isinstance(s, ir.Return):
            return s
        if isinstance(s, ir.OpaqueStmt) and "goto" in s.text:
            return s
        inner = in_inner or isinstance(s, (ir.For, ir.While, ir.DoWhile, ir.Switch))
        for c in s.children():
            if isinstance(c, ir.Stmt):
                r = visit(c, inner)
                if r is not None:
                    return r
        return None

    return visit(body, False)


def _body_problem(loop: ir.For, var: str, bound: ir.Expr) -> Optional[NotCanonical]:
    out = exits(loop.body)
    if out is not None:
        what = "break" if isinstance(out, ir.Break) else "return" if isinstance(out, ir.Return) else "goto"
        return NotCanonical(f"a {what} leaves the loop over {var}", out)
    w = writes(loop.body, {var})
    if var in w:
        how = "its address is taken" if isinstance(w[var], ir.Unary) and w[var].op == "&" else "it is written"
        return NotCanonical(f"the loop variable {var} changes in the body ({how}: {_text(w[var])})", w[var])
    bound_names = {n.name for n in bound.walk() if isinstance(n, ir.Name)}
    wb = writes(loop.body, bound_names)
    if wb:
        name, node = next(iter(wb.items()))
        return NotCanonical(f"the bound {_text(bound)} changes in the body ({name}: {_text(node)})", node)
    reader = _reads_memory(bound)
    if reader is not None:
        writer = _writes_memory(loop.body)
        if writer is not None or isinstance(reader, ir.Call):
            why = "calls a function" if isinstance(reader, ir.Call) else f"reads memory the body may write ({_text(writer)})"
            return NotCanonical(f"the bound {_text(bound)} {why}", reader)
    return None


# ----------------------------------------------------------------------------- normalising
def normalize(loop: ir.For, symbols: Symbols = None) -> Union[ir.For, NotCanonical]:
    """``loop`` counting from 0 by 1 up to its extent, with ``i`` replaced in the body by
    ``start + i * step`` (through ``ir.transform``); the loop keeps its variable's name,
    pragmas and annotation. Refused (with the reason) where the loop is not canonical,
    the variable is declared outside the loop (its value after the loop would change),
    the body redeclares the variable or a name of ``start``, the body writes a name of
    ``start``, or an unsigned count ``end - start`` may wrap (``start`` not 0 for an
    increasing loop, ``end`` not 0 for a decreasing one).

        for (int i = n - 1; i >= 0; --i) y[i] = x[i];
        -> for (int i = 0; i < n; ++i) y[n - 1 - i] = x[n - 1 - i];
    """
    view = loop_view(loop, symbols)
    if isinstance(view, NotCanonical):
        return view
    var = view.var
    if not view.declared:
        return NotCanonical(f"{var} is declared outside the loop: its value after the loop would change", loop.init)
    redeclared = {v.name for n in loop.body.walk() if isinstance(n, ir.Decl) for v in n.vars}
    if var in redeclared:
        return NotCanonical(f"the body redeclares {var}", loop.body)
    start_names = {n.name for n in view.start.walk() if isinstance(n, ir.Name)}
    if start_names & redeclared:
        return NotCanonical(f"the body redeclares {sorted(start_names & redeclared)[0]}, a name of the start "
                            f"{_text(view.start)}", loop.body)
    ws = writes(loop.body, start_names)
    if ws:
        name, node = next(iter(ws.items()))
        return NotCanonical(f"the start {_text(view.start)} changes in the body ({name}: {_text(node)})", node)
    it = ctype.int_type(view.var_type)
    if it is not None and not it.signed and view.trip_count is None:
        zero = view.start if view.step > 0 else view.end
        if _const(zero) != 0:
            return NotCanonical(f"unsigned {var}: the count {_text(view.extent)} may wrap", loop)
    if _reads_memory(view.start) is not None and _writes_memory(loop.body) is not None:
        return NotCanonical(f"the start {_text(view.start)} reads memory the body may write", loop)

    value = _value(view, symbols)

    def subst(n: ir.Node) -> Optional[ir.Node]:
        if isinstance(n, ir.Name) and n.name == var and value is not None:
            return copy.deepcopy(value)  # a fresh copy at every use: no node shared in the tree
        return None

    body = ir.transform(loop.body, subst, origin="normalize")
    var_type = view.var_type if view.var_type is not None else ir.Named("int")
    init = ir.Decl([ir.VarDecl(var, copy.deepcopy(var_type), ir.IntLit(0))], origin="normalize")
    return dataclasses.replace(loop, init=init, cond=ir.Binary("<", ir.Name(var), copy.deepcopy(view.extent)),
                               step=ir.Unary("++", ir.Name(var)), body=body, pragmas=list(loop.pragmas),
                               info=copy.copy(loop.info), origin="normalize")


def _value(view: LoopView, symbols: Symbols) -> Optional[ir.Expr]:
    """``start + i * step`` (None when it is ``i`` itself), the start converted to the
    variable's type when its own type differs or is not known."""
    i: ir.Expr = ir.Name(view.var)
    s = abs(view.step)
    scaled = i if s == 1 else ir.Binary("*", i, ir.IntLit(s))
    start = view.start
    c = _const(start)
    if c == 0 and view.step > 0:
        return None if s == 1 else scaled
    st = None
    if symbols is not None:
        scope = symbols.scope_at(view.loop) if isinstance(symbols, SymbolTable) and view.loop in symbols else (
            symbols.root if isinstance(symbols, SymbolTable) else symbols)
        st = type_of(start, scope)
    elif isinstance(start, ir.IntLit):
        st = ctype.int_literal_type(start).ctype()
    if view.var_type is not None and not ctype.same_type(st, view.var_type) and not (
            isinstance(start, ir.IntLit) and ctype.int_type(view.var_type) is not None
            and ctype.int_type(view.var_type).contains(start.value)):  # type: ignore[union-attr]
        start = ir.Cast(view.var_type, start)
    if c is not None and c < 0 and view.step > 0:
        return ir.Binary("-", scaled, ir.IntLit(-c))
    return ir.Binary("+" if view.step > 0 else "-", start, scaled)


# ----------------------------------------------------------------------------- nests
def loops(root: ir.Node) -> list[ir.For]:
    """Every ``for`` loop inside ``root`` (``root`` included), outermost first."""
    return [n for n in root.walk() if isinstance(n, ir.For)]


def parents(root: ir.Node) -> dict[int, ir.Node]:
    """The parent of every node under ``root``, by the child's identity."""
    out: dict[int, ir.Node] = {}
    for n in root.walk():
        for c in n.children():
            out[id(c)] = n
    return out


def loop_nest(root: ir.Node, node: ir.Node) -> list[ir.For]:
    """The ``for`` loops of ``root`` whose body encloses ``node``, outermost first (a
    loop's own init, condition and step are not inside it). Raises ValueError if ``node``
    is not under ``root``.

        for (i...) { a; for (j...) { b; } }      loop_nest(f, b) -> [for i, for j]
    """
    up = parents(root)
    if node is not root and id(node) not in up:
        raise ValueError(f"{type(node).__name__} is not inside the given root")
    out: list[ir.For] = []
    child = node
    cur = up.get(id(node))
    while cur is not None:
        if isinstance(cur, ir.For) and child is cur.body:
            out.append(cur)
        child = cur
        cur = up.get(id(cur))
    return out[::-1]


def enclosing(root: ir.Node, node: ir.Node) -> Iterator[ir.Node]:
    """The ancestors of ``node`` under ``root``, innermost first."""
    up = parents(root)
    cur = up.get(id(node))
    while cur is not None:
        yield cur
        cur = up.get(id(cur))
