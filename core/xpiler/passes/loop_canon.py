"""``loop_canon``: recover canonical ``for`` loops from the shapes sequential C hides them in,
so the dependence test (``analysis/dependence``) and ``bind`` can see them. The lift stage for
C and VNNI sources. Every rewrite is exact under the conditions listed with it; a loop none
applies to is left as it is, with the reason in the pass's notes.

An *induction variable* is an integer or pointer declared outside the loop and written in
it exactly once per iteration, by a constant step (``++i``, ``p--``, ``i += 4``,
``p = p + 2``), in the ``for`` step or at an unconditional place of a top-level statement of
the body (not under ``&&``, ``||``, ``?:``; the variable not read elsewhere in that
statement; no ``continue`` that could skip it), not volatile, its address never taken.

1. ``while`` / ``do``-``while`` with an integer counter stepped by its last statement::

       before:  int i = 0;                          after:  for (int i = 0; i < n; ++i) {
                while (i < n) {                                 out[i] = fmaxf(x[i], 0.0f);
                    out[i] = fmaxf(x[i], 0.0f);             }
                    ++i;
                }

   Trailing step statements become the ``for`` step (``while (C) { B; S }`` is
   ``for (; C; S) { B }`` without ``continue``); steps of variables that are not induction
   variables go back to the end of the body. The counter's value comes from the nearest
   statement before the loop that sets it (statements in between that do not mention it are
   passed over when they cannot change the value or leave the block). Its declaration moves
   into the ``for`` when it is dead after the loop, else it stays and the init assigns. A
   ``do``-``while`` runs its body at least once: it becomes the same ``for`` when the first
   test provably holds (constant, or implied by enclosing ``if`` conditions, early-exit guards
   and enclosing loop bounds, decided by isl), else, for a monotone test (``<``, ``<=``,
   ``>``, ``>=``: failing first, it fails after one step too)::

       if (first test) for (...) body;  else { body once }

   ``do { B } while (++i < n)`` is read as ``do { B; ++i; } while (i < n)``.

2. Pointer induction variables (``*p++``, ``++p``, ``p += 4``) become the pointer's value on
   entry plus a multiple of the iteration number (``p[k]``); a test of the pointer against
   an end becomes a count::

       before:  const float *p = x + r * cols;      after:  const float *p = x + r * cols;
                const float *end = p + cols;                float acc = 0.0f;
                float acc = 0.0f;                           if (0 < cols) {
                do {                                            for (int k = 0; k < cols; ++k)
                    acc += *p++;                                    acc += p[k];
                } while (p < end);                          } else {
                                                                int k = 0;
                                                                acc += p[k];
                                                            }

   The count is the distance in elements from the pointer's value on entry to the end, read
   from their definitions in the block (``end = p + cols``, or two offsets of one base, equal
   offsets cancelling), else the pointer difference ``end - p``; ``<`` or ``!=`` (step 1),
   a step ``s`` counts ``(count + s - 1) / s``. A pointer (or integer) that is live after the
   loop keeps its step (its last value is not recomputed), with a note; an ``end`` or
   derived variable that nothing uses any more loses its declaration.

3. Several induction variables in one loop: one counter (an integer from 0 by 1 stepped
   last, or a new ``k``) and the others affine functions of it, the test solved for it
   (``a0 + ta*k < b0 + tb*k`` is ``k < ceil((b0 - a0) / (ta - tb))``, C's truncation giving
   no iteration wherever the source has none)::

       before:  for (i = 0, j = n - 1; i < j; ++i, --j) { t = x[i]; x[i] = x[j]; x[j] = t; }
       after:   for (int i = 0; i < n / 2; ++i) { t = x[i]; x[i] = x[n - 1 - i]; x[n - 1 - i] = t; }

   A derived integer steps by +-1; its value is its entry value (inlined where pure and not
   written in the loop, else the variable itself, no longer stepped) plus or minus ``k``, in
   its own type, or computed in ``long long`` and converted back when the counter's type
   differs. A tested counter that does not count from 0 (``for (i = lo; ...; ++i, ++p)``)
   gives way to a new counter when it is dead after the loop, else the others keep their steps.

4. Loop variables declared before the loop and dead after it are declared in the ``for``
   (``int i; for (i = 0; ...)`` -> ``for (int i = 0; ...)``); a ``for`` without an init takes
   the value set before it; ``for (; i < n; ++i)`` continuing a counter that is dead
   afterwards gets a variable of its own (``for (int i2 = i; i2 < n; ++i2)``); a test
   ``i + c <= n`` of signed operands is read as ``i <= n - c``.

Arithmetic the pass adds cannot overflow where the source's does not: a new bound or count
that is not a single name or constant is computed in ``long long`` from signed operands of
at most 32 bits (refused otherwise); a pointer stepped by more than one element is indexed
with a 64-bit product.

Refused, per loop (a note ``loop at line N left as it is: why``): any loop of a function with
a goto or label (control could enter between a value and its loop), statements the IR keeps
verbatim, a ``case`` label belonging to an outer switch, OpenMP/OpenACC pragmas (they name
variables), a ``continue`` in a while or do-while, a counter live after the loop with no init
to take, unsigned tests that would be solved or moved across, a do-while whose first test is
unknown and not monotone (or whose body declares a static), and any result ``loop_view``
would still not call canonical (a ``break``, a non-constant step...). Precondition: ``parses``.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Iterator, Optional

import islpy as isl

from .. import evaluate, ir
from ..analysis import ctype
from ..analysis.affine import Affine, constraints_of, affine_of
from ..analysis.loops import LoopView, NotCanonical, exits, loop_view, writes
from ..analysis.symbols import Scope, Symbol, SymbolTable, type_of
from .base import Param, Pass, Precondition, Refusal, Space, register

LOOPS = (ir.For, ir.While, ir.DoWhile)
LONG_LONG = "long long"


class _Refuse(Exception):
    def __init__(self, reason: str, quiet: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.quiet = quiet  # only a tidying rewrite (a declaration) was refused: no note


# ----------------------------------------------------------------------------- small helpers


def _text(n: ir.Node) -> str:
    from ..printer import print_node

    try:
        return " ".join(print_node(n).split())
    except Exception:  # noqa: BLE001 -- a message must never fail
        return type(n).__name__


def _names(n: Optional[ir.Node]) -> set[str]:
    return set() if n is None else {x.name for x in n.walk() if isinstance(x, ir.Name)}


def _count(n: ir.Node, name: str) -> int:
    return sum(1 for x in n.walk() if isinstance(x, ir.Name) and x.name == name)


def _mentions(nodes, name: str) -> bool:
    return any(_count(n, name) for n in nodes)


def _declared(n: ir.Node) -> set[str]:
    out = {v.name for x in n.walk() if isinstance(x, ir.Decl) for v in x.vars}
    out |= {x.decl.name for x in n.walk() if isinstance(x, ir.If) and x.decl is not None}
    return out


def _const(e: Optional[ir.Expr]) -> Optional[int]:
    if e is None:
        return None
    a = affine_of(e)
    return a.const if isinstance(a, Affine) and a.is_const else None


def _pure(e: ir.Expr) -> bool:
    """No side effect and no call (so evaluating it again gives the same value)."""
    for n in e.walk():
        if isinstance(n, (ir.Assign, ir.Call, ir.OpaqueExpr, ir.Launch)):
            return False
        if isinstance(n, ir.Unary) and n.op in ("++", "--"):
            return False
    return True


def _reads_memory(e: ir.Expr) -> bool:
    return any(isinstance(n, (ir.Index, ir.Call)) or (isinstance(n, ir.Unary) and n.op == "*")
               or (isinstance(n, ir.Member) and n.arrow) for n in e.walk())


def _writes_memory(s: ir.Node) -> bool:
    """Whether ``s`` may write memory: a store through a pointer or array, or any call."""
    for n in s.walk():
        t = n.target if isinstance(n, ir.Assign) else n.operand if isinstance(n, ir.Unary) and n.op in (
            "++", "--") else None
        if t is not None and not isinstance(t, ir.Name):
            return True
        if isinstance(n, (ir.Call, ir.Launch, ir.OpaqueExpr)):
            return True
    return False


def _flatten_comma(e: Optional[ir.Expr]) -> list[ir.Expr]:
    if e is None:
        return []
    if isinstance(e, ir.Binary) and e.op == ",":
        return _flatten_comma(e.lhs) + _flatten_comma(e.rhs)
    return [e]


def _comma(items: list[ir.Expr]) -> Optional[ir.Expr]:
    out: Optional[ir.Expr] = None
    for x in items:
        out = x if out is None else ir.Binary(",", out, x)
    return out


def _stmts(s: ir.Stmt) -> list[ir.Stmt]:
    return list(s.stmts) if isinstance(s, ir.Block) else [s]


def _int(v: int) -> ir.Expr:
    return ir.IntLit(v) if v >= 0 else ir.Unary("-", ir.IntLit(-v))


def _line(s: ir.Node) -> str:
    return str(s.span.line) if s.span is not None else "?"


def _incr(e: ir.Expr) -> Optional[tuple[str, int, bool]]:
    """``(name, delta, post)`` when ``e`` steps a variable by a constant: ``++v``,
    ``v--``, ``v += 4``, ``v = v - 2``, ``v = 1 + v``; ``post``: its value is the old one."""
    if isinstance(e, ir.Unary) and e.op in ("++", "--") and isinstance(e.operand, ir.Name):
        return e.operand.name, 1 if e.op == "++" else -1, e.postfix
    if isinstance(e, ir.Assign) and isinstance(e.target, ir.Name):
        v = e.target.name
        amount, sign = None, 1
        if e.op in ("+=", "-="):
            amount, sign = e.value, 1 if e.op == "+=" else -1
        elif e.op == "=" and isinstance(e.value, ir.Binary) and e.value.op in ("+", "-"):
            b = e.value
            if isinstance(b.lhs, ir.Name) and b.lhs.name == v and v not in _names(b.rhs):
                amount, sign = b.rhs, 1 if b.op == "+" else -1
            elif b.op == "+" and isinstance(b.rhs, ir.Name) and b.rhs.name == v and v not in _names(b.lhs):
                amount = b.lhs
        c = _const(amount) if amount is not None and not _names(amount) else None
        if c:
            return v, sign * c, False
    return None


def _unconditional(root: ir.Expr, target: ir.Node) -> bool:
    """Whether evaluating ``root`` always evaluates ``target`` exactly once (not under the
    right of ``&&``/``||``, a branch of ``?:`` or ``sizeof``)."""

    def visit(n: ir.Node, cond: bool) -> Optional[bool]:
        if n is target:
            return not cond
        kids: list[tuple[ir.Node, bool]] = []
        if isinstance(n, ir.Binary) and n.op in ("&&", "||"):
            kids = [(n.lhs, cond), (n.rhs, True)]
        elif isinstance(n, ir.Ternary):
            kids = [(n.cond, cond), (n.then, True), (n.other, True)]
        elif isinstance(n, ir.SizeOf):
            kids = [(c, True) for c in n.children()]
        else:
            kids = [(c, cond) for c in n.children()]
        for c, k in kids:
            r = visit(c, k)
            if r is not None:
                return r
        return None

    return bool(visit(root, False))


def _has_continue(body: ir.Stmt) -> bool:
    def visit(s: ir.Node) -> bool:
        if isinstance(s, ir.Continue):
            return True
        if isinstance(s, LOOPS):
            return False
        return any(visit(c) for c in s.children() if isinstance(c, ir.Stmt))

    return visit(body)


def _case_leaks(body: ir.Stmt) -> bool:
    """A ``case`` label inside the loop whose ``switch`` is outside it (Duff's device)."""

    def visit(s: ir.Node) -> bool:
        if isinstance(s, ir.Case):
            return True
        if isinstance(s, ir.Switch):
            return False
        return any(visit(c) for c in s.children() if isinstance(c, ir.Stmt))

    return visit(body)


_GOTO = re.compile(r"\bgoto\b|^\s*[A-Za-z_]\w*\s*:(?!:)", re.M)


def _int_type(t: Optional[ir.CType]) -> Optional[ctype.IntType]:
    return ctype.int_type(t) if t is not None else None


def _cast(t: ir.CType, e: ir.Expr) -> ir.Expr:
    return ir.Cast(copy.deepcopy(t), e)


def _ll(e: ir.Expr) -> ir.Expr:
    return ir.Cast(ir.Named(LONG_LONG), e)


# ----------------------------------------------------------------------------- the model
@dataclass
class _IV:
    """A variable stepped by ``delta`` (elements, for a pointer) once per iteration by the
    expression ``node``: in the ``for`` step (``where`` = len(body)) or at an
    unconditional place of top-level body statement ``where``."""

    name: str
    type: ir.CType
    pointer: bool
    delta: int
    node: ir.Expr
    where: int
    post: bool
    whole: bool  # the increment is the whole statement (or a step component)
    entry: Optional[ir.Expr] = None  # its value on entry when set by the init
    entry_decl: Optional[ir.VarDecl] = None  # the declaration that set it (in the init or just before)
    from_prefix: bool = False


@dataclass
class _Loop:
    kind: str  # for, while, do
    stmt: ir.Stmt
    cond: ir.Expr
    steps: list[ir.Expr]
    body: list[ir.Stmt]
    init_decl: Optional[ir.Decl] = None
    init_assign: dict[str, ir.Expr] = field(default_factory=dict)
    pragmas: list[str] = field(default_factory=list)
    init_other: list[ir.Stmt] = field(default_factory=list)  # init values of variables it does not step


# ----------------------------------------------------------------------------- the pass
@register
class LoopCanon(Pass):
    """Recover canonical ``for`` loops from while/do-while loops, pointer induction variables,
    several induction variables and loop variables declared before the loop.

        before:  int i = 0; while (i < n) { out[i] = fmaxf(x[i], 0.0f); ++i; }
                 const float *p = x + r * cols, *end = p + cols; do { acc += *p++; } while (p < end);
                 for (i = 0, j = n - 1; i < j; ++i, --j) { t = x[i]; x[i] = x[j]; x[j] = t; }
        after:   for (int i = 0; i < n; ++i) { out[i] = fmaxf(x[i], 0.0f); }
                 const float *p = x + r * cols;
                 if (0 < cols) { for (int k = 0; k < cols; ++k) acc += p[k]; } else { int k = 0; acc += p[k]; }
                 for (int i = 0; i < n / 2; ++i) { t = x[i]; x[i] = x[n - 1 - i]; x[n - 1 - i] = t; }
    """

    name = "loop_canon"
    stage = "lift"
    params = (Param("kernel", Space("name", doc="a function of the module"), "canonicalise this function only",
                    default=""),)
    requires = (Precondition("parses", "the module has no parse error (an error node may hide code)"),)

    def preconditions(self, module: ir.Module, target: Optional[str], **params) -> Iterator[Refusal]:
        errors = [d for d in module.diagnostics if d.is_error]
        if errors:
            span = ir.Span(errors[0].line, errors[0].col, errors[0].line, errors[0].col)
            yield Refusal(self.name, "parses", f"parse error: {errors[0].message}", span)

    def rewrite(self, module: ir.Module, target: Optional[str], kernel: str = "") -> ir.Module:
        self.notes: list[str] = []

        def fn(n: ir.Node, old: ir.Node):
            if isinstance(n, ir.Function) and n.body is not None and (not kernel or n.name == kernel):
                _Canon(self, module, n, old).run()
            return None

        return self.transform(module, fn, with_original=True)

    def apply(self, module, target=None, **params):
        self.notes = []
        r = super().apply(module, target, **params)
        r.notes.extend(self.notes)
        return r


class _Canon:
    """One function: its blocks rewritten in place, innermost first."""

    def __init__(self, p: LoopCanon, module: ir.Module, f: ir.Function, old: ir.Function):
        self.p, self.module, self.f, self.old_f = p, module, f, old
        self.keep = list(f.walk())  # alive for the whole run: their ids are never reused
        self.old = {id(a): b for a, b in zip(self.keep, old.walk())}
        self.table = SymbolTable(old, module)
        self.up = {}
        for n in old.walk():
            for c in n.children():
                self.up[id(c)] = n
        self.used = {n.name for n in old.walk() if isinstance(n, ir.Name)} | _declared(old) | \
            {q.name for q in old.params} | {g.name for g in module.functions}
        for item in module.items:  # file-scope variables and macros
            if isinstance(item, ir.Decl):
                self.used |= {v.name for v in item.vars}
            elif isinstance(item, ir.Directive):
                m = re.match(r"\s*#\s*define\s+([A-Za-z_]\w*)", item.text)
                if m:
                    self.used.add(m.group(1))
        self.written: set[str] = set()
        self.addressed: set[str] = set()
        for n in old.walk():
            t = n.target if isinstance(n, ir.Assign) else n.operand if isinstance(n, ir.Unary) and n.op in (
                "++", "--", "&") else None
            if isinstance(t, ir.Name):
                self.written.add(t.name)
                if isinstance(n, ir.Unary) and n.op == "&":
                    self.addressed.add(t.name)
        decls: dict[str, int] = {}
        for q in old.params:
            decls[q.name] = decls.get(q.name, 0) + 1
        for n in old.walk():
            if isinstance(n, ir.VarDecl):
                decls[n.name] = decls.get(n.name, 0) + 1
        self.decl_count = decls

    def note(self, text: str) -> None:
        self.p.notes.append(f"{self.f.name}: {text}")

    def fresh(self, base: str) -> str:
        name, k = base, 1
        while name in self.used:
            k += 1
            name = f"{base}{k}"
        self.used.add(name)
        return name

    # -------------------------------------------------------------- driver
    def run(self) -> None:
        opaque = [n for n in self.f.walk() if isinstance(n, ir.OpaqueStmt) and _GOTO.search(n.text)]
        if opaque:
            n = sum(1 for x in self.f.walk() if isinstance(x, (ir.While, ir.DoWhile)) or (
                isinstance(x, ir.For) and not loop_view(x, self.table.root)))
            if n:
                self.note(f"loops left as they are: a goto or label at line {_line(opaque[0])} may jump into them")
            return
        blocks = [n for n in self.f.body.walk() if isinstance(n, ir.Block)]
        for b in reversed(blocks):  # descendants before their ancestors
            self.block(b, top=b is self.f.body)
        for n in self.f.body.walk():  # loops standing alone in a branch or loop body
            for c in n.children():
                if isinstance(c, (ir.While, ir.DoWhile)) and not isinstance(n, ir.Block):
                    self.note(f"loop at line {_line(c)} left as it is: not in a block (no init before it)")

    def block(self, b: ir.Block, top: bool) -> None:
        out: list[ir.Stmt] = []
        stmts = list(b.stmts)
        for j, s in enumerate(stmts):
            if isinstance(s, LOOPS) and id(s) in self.old:
                try:
                    new = self.loop(out, s, stmts[j + 1:], self.old[id(s)], top)
                except _Refuse as r:
                    if not r.quiet:
                        self.note(f"loop at line {_line(s)} left as it is: {r.reason}")
                    out.append(s)
                    continue
                if new is None:
                    out.append(s)
                else:
                    out[:] = new
                continue
            out.append(s)
        b.stmts = out

    # -------------------------------------------------------------- one loop
    def loop(self, prefix: list[ir.Stmt], s: ir.Stmt, rest: list[ir.Stmt], old_s: ir.Stmt,
             top: bool) -> Optional[list[ir.Stmt]]:
        """The new statements of the block up to and including the loop (``prefix`` being
        those before it), None when there is nothing to do; raises _Refuse."""
        scope = self.table.scope_at(old_s)
        if any(isinstance(n, (ir.OpaqueStmt, ir.OpaqueExpr)) for n in s.walk()):
            raise _Refuse("it holds code the IR keeps verbatim")
        if _case_leaks(s.body):
            raise _Refuse("a case label inside it belongs to a switch outside")
        L = self.parts(s)
        ivs = self.ivs(L, scope)
        view = loop_view(s, scope) if isinstance(s, ir.For) else None
        if isinstance(view, LoopView) and view.declared and set(ivs) <= {view.var}:
            return None  # canonical already
        if any("omp" in p.split() or "acc" in p.split() for p in s.pragmas):
            raise _Refuse("an OpenMP/OpenACC pragma may name its variables")
        if not ivs:
            raise _Refuse(view.reason if isinstance(view, NotCanonical) else
                          "no induction variable (a variable stepped by a constant once per iteration)")
        for v in ivs.values():
            if v.name in self.addressed:
                raise _Refuse(f"the address of {v.name} is taken")
        try:
            pre = self.entries(L, ivs, prefix)
            return self.build(L, ivs, prefix, rest, scope, old_s, top, pre)
        except _Refuse as r:
            # a canonical loop whose only change would have been where its variable is declared
            r.quiet = isinstance(view, LoopView) and set(ivs) <= {view.var}
            raise

    # -------------------------------------------------------------- reading the loop
    def parts(self, s: ir.Stmt) -> _Loop:
        if isinstance(s, ir.For):
            L = _Loop("for", s, s.cond, [], _stmts(s.body), pragmas=list(s.pragmas))
            if s.cond is None:
                raise _Refuse("no condition")
            if isinstance(s.init, ir.Decl):
                for v in s.init.vars:
                    if v.init is None or v.init_style != "=":
                        raise _Refuse(f"the init declares {v.name} without a value")
                L.init_decl = s.init
            elif isinstance(s.init, ir.ExprStmt):
                for e in _flatten_comma(s.init.expr):
                    if not (isinstance(e, ir.Assign) and e.op == "=" and isinstance(e.target, ir.Name)):
                        raise _Refuse(f"the init {_text(e)} is not an assignment of a variable")
                    L.init_assign[e.target.name] = e.value
            elif s.init is not None and not isinstance(s.init, ir.Empty):
                raise _Refuse("the init is not a declaration or assignment")
            L.steps = _flatten_comma(s.step)
            if _has_continue(s.body) and any(_incr(x) is None for x in L.steps):
                raise _Refuse("a continue skips to a step that is not an increment")
            return L
        kind = "while" if isinstance(s, ir.While) else "do"
        if _has_continue(s.body):
            raise _Refuse("a continue would skip the step")
        body = _stmts(s.body)
        cond = s.cond
        steps: list[ir.Expr] = []
        if kind == "do":
            # do { B } while (++i < n)  ==  do { B; ++i; } while (i < n)
            if isinstance(cond, ir.Binary) and cond.op in ("<", "<=", ">", ">=", "!="):
                for side in ("lhs", "rhs"):
                    e = getattr(cond, side)
                    inc = _incr(e) if isinstance(e, ir.Unary) else None
                    if inc is not None and not inc[2] and _count(cond, inc[0]) == 1:
                        lhs, rhs = (ir.Name(inc[0]), cond.rhs) if side == "lhs" else (cond.lhs, ir.Name(inc[0]))
                        cond = ir.Binary(cond.op, lhs, rhs)
                        body = body + [ir.ExprStmt(e)]
                        break
        # trailing increments become the step: while (C) { B; S } == for (; C; S) { B }
        while body:
            last = body[-1]
            if isinstance(last, ir.Comment):
                break
            if isinstance(last, ir.ExprStmt):
                comps = _flatten_comma(last.expr)
                if comps and all(_incr(c) is not None for c in comps):
                    steps = comps + steps
                    body = body[:-1]
                    continue
            break
        return _Loop(kind, s, cond, steps, body, pragmas=list(s.pragmas))

    def ivs(self, L: _Loop, scope: Scope) -> dict[str, _IV]:
        """The induction variables: declared outside the loop, written exactly once per
        iteration, by a constant step at an unconditional place."""
        body_block = ir.Block(L.body)
        local = _declared(body_block)
        if _names(L.cond) & local:
            raise _Refuse(f"the body redeclares a name of the condition {_text(L.cond)}")
        cond_writes = writes(ir.ExprStmt(L.cond), _names(L.cond))
        if cond_writes:
            raise _Refuse(f"the condition {_text(L.cond)} writes {next(iter(cond_writes))}")
        writers: dict[str, list[tuple[ir.Node, int]]] = {}
        for idx, st in enumerate(L.body):
            for n in st.walk():
                t = n.target if isinstance(n, ir.Assign) else n.operand if isinstance(n, ir.Unary) and n.op in (
                    "++", "--") else None
                if isinstance(t, ir.Name) and t.name not in local:
                    writers.setdefault(t.name, []).append((n, idx))
        for c in L.steps:
            inc = _incr(c)
            if inc is None:
                raise _Refuse(f"the step {_text(c)} is not an increment by a constant")
            writers.setdefault(inc[0], []).append((c, len(L.body)))
        out: dict[str, _IV] = {}
        for name, ws in writers.items():
            if len(ws) != 1:
                continue
            node, idx = ws[0]
            inc = _incr(node)  # type: ignore[arg-type]
            if inc is None:
                continue
            own = [v for v in (L.init_decl.vars if L.init_decl is not None else []) if v.name == name]
            sym = scope.lookup(name)
            t = own[0].type if own else sym.type if sym is not None else None
            pointer = isinstance(t, ir.Pointer)
            if t is None or not (pointer or _int_type(t) is not None) or getattr(t, "volatile", False):
                continue  # a volatile variable's every access counts
            if not pointer and _int_type(t).name == "bool":  # type: ignore[union-attr]
                continue
            if any(isinstance(n, ir.SizeOf) and _count(n, name) for st in L.body for n in st.walk()):
                continue  # its type is observed: a value expression in its place could change it
            if idx < len(L.body):
                if _has_continue(body_block):
                    continue  # a continue may skip it
                st = L.body[idx]
                if not isinstance(st, ir.ExprStmt) or not _unconditional(st.expr, node) or \
                        _count(st, name) != _count(node, name):
                    continue  # read elsewhere in the statement: before or after the step is unsequenced
                whole = st.expr is node
            else:
                if any(_count(c, name) for c in L.steps if c is not node):
                    continue
                whole = True
            out[name] = _IV(name, t, pointer, inc[1], node, idx, inc[2], whole)  # type: ignore[arg-type]
        return out

    def entries(self, L: _Loop, ivs: dict[str, _IV], prefix: list[ir.Stmt]) -> list[tuple[int, set[str]]]:
        """Entry values of the induction variables: from the ``for``'s init, or, for a loop
        without one, from the statements before it that set them (returned: their indices in
        ``prefix`` and the names each sets)."""
        L.init_other = []
        if L.init_decl is not None:
            for v in L.init_decl.vars:
                if v.name in ivs:
                    ivs[v.name].entry, ivs[v.name].entry_decl = v.init, v
                else:  # a variable the loop does not step: declared before it
                    L.init_other.append(ir.Decl([copy.copy(v)]))
        for name, e in L.init_assign.items():
            if name in ivs:
                ivs[name].entry = e
            else:
                L.init_other.append(ir.ExprStmt(ir.Assign("=", ir.Name(name), e)))
        if L.init_decl is not None or L.init_assign:
            values = [v.init for v in L.init_decl.vars] if L.init_decl is not None else list(L.init_assign.values())
            set_here = {v.name for v in L.init_decl.vars} if L.init_decl is not None else set(L.init_assign)
            if len(values) > 1 and (not all(_pure(e) for e in values) or any(_names(e) & set_here for e in values)):
                raise _Refuse("the init's values have side effects or read each other: they cannot be split")
            return []
        # walking back: a statement that mentions none of the variables still looked for is
        # passed over; one that sets some of them (a declaration ending with them, or
        # assignments of them only) gives their entry values; any other use stops the walk.
        # Moving a value to the loop needs the statements passed over to leave it unchanged.
        out: list[tuple[int, set[str]]] = []
        wanted = set(ivs)
        passed: list[ir.Stmt] = []
        for k in range(len(prefix) - 1, -1, -1):
            st = prefix[k]
            if isinstance(st, (ir.Case, ir.OpaqueStmt)) or any(isinstance(n, ir.Case) for n in st.walk()):
                break  # control may enter between the value and the loop
            if not any(_count(st, n) for n in wanted) and not wanted & _declared(st):
                if exits(st) is not None or _has_continue(st):
                    break  # control may leave before the loop: the value must stay where it is set
                if not isinstance(st, (ir.Comment, ir.Empty)):
                    passed.append(st)
                continue
            got: set[str] = set()
            if isinstance(st, ir.Decl):
                for v in reversed(st.vars):
                    if v.name not in wanted or v.init is None or v.init_style != "=" or v.specifiers or v.attrs or \
                            v.space != "local" or isinstance(v.type, ir.Array):
                        break
                    got.add(v.name)
                if got and any(w.init is not None and _names(w.init) & wanted for w in st.vars):
                    got = set()
                if got:
                    for v in st.vars:
                        if v.name in got:
                            ivs[v.name].entry, ivs[v.name].entry_decl, ivs[v.name].from_prefix = v.init, v, True
            elif isinstance(st, ir.ExprStmt):
                comps = _flatten_comma(st.expr)
                names = [c.target.name for c in comps if isinstance(c, ir.Assign) and c.op == "="
                         and isinstance(c.target, ir.Name)]
                if comps and len(names) == len(comps) and len(set(names)) == len(names) and set(names) <= wanted \
                        and not any(_names(c.value) & wanted for c in comps):
                    got = set(names)
                    for c in comps:
                        ivs[c.target.name].entry, ivs[c.target.name].from_prefix = c.value, True
            if len(got) > 1 and not all(_pure(ivs[n].entry) for n in got):  # type: ignore[arg-type]
                got = set()  # splitting them could reorder their side effects
            if not got:
                for n2 in ivs:
                    if ivs[n2].from_prefix and n2 not in {m for _, g in out for m in g}:
                        ivs[n2].entry, ivs[n2].entry_decl, ivs[n2].from_prefix = None, None, False
                break
            if passed:  # values that cannot move past the statements in between stay where they are
                between = ir.Block(list(reversed(passed)))
                for name in sorted(got):
                    e = ivs[name].entry
                    ns = _names(e)  # type: ignore[arg-type]
                    if not _pure(e) or writes(between, ns) or ns & _declared(between) or (  # type: ignore
                            _reads_memory(e) and _writes_memory(between)):  # type: ignore[arg-type]
                        for n2 in got:
                            ivs[n2].entry, ivs[n2].entry_decl, ivs[n2].from_prefix = None, None, False
                        return out
            out.append((k, got))
            wanted -= got
            passed.append(st)
            if not wanted:
                break
        return out

    # -------------------------------------------------------------- facts
    def dead_after(self, name: str, prefix: list[ir.Stmt], rest: list[ir.Stmt], top: bool,
                   declared_in_loop: bool) -> bool:
        """Whether ``name``'s value after the loop is never read."""
        if _mentions(rest, name):
            return False
        if declared_in_loop:
            return True
        for st in prefix:
            if isinstance(st, ir.Decl):
                for v in st.vars:
                    if v.name == name:
                        return "static" not in v.specifiers and "extern" not in v.specifiers
        if top and any(q.name == name for q in self.f.params):
            return True
        return False

    def stable(self, e: ir.Expr, L: _Loop) -> bool:
        """``e`` can be evaluated again anywhere in the loop with the same value."""
        if not _pure(e) or _reads_memory(e):
            return False
        names = _names(e)
        body = ir.Block(L.body)
        if names & _declared(body):
            return False
        if writes(body, names) or any(_names(c) & names for c in L.steps if _incr(c) and _incr(c)[0] in names):
            return False
        return True

    def names_stable(self, e: ir.Expr, old_s: ir.Stmt) -> bool:
        """Every name of ``e`` keeps one value from wherever it was read before the loop to the
        loop: never written in the function (or the variable of a loop around it) and declared once."""
        around = set()
        cur = old_s
        while id(cur) in self.up:
            par = self.up[id(cur)]
            if isinstance(par, ir.For) and cur is par.body:
                v = loop_view(par, self.table)
                if isinstance(v, LoopView):
                    around.add(v.var)
            cur = par
        for n in _names(e):
            if n in self.written and n not in around:
                return False
            if self.decl_count.get(n, 0) > 1:
                return False
        return _pure(e) and not _reads_memory(e)

    def facts(self, old_s: ir.Stmt) -> list:
        """Affine constraints known to hold where the loop starts."""
        out = []
        cur = old_s
        scope = self.table.scope_at(old_s)

        def add(cond: ir.Expr, negate: bool, at: ir.Node) -> None:
            if not self.names_stable(cond, old_s):
                return
            try:
                at_scope = self.table.scope_at(at)
            except ValueError:
                return
            for n in _names(cond):  # the same variables where the fact holds and at the loop
                if isinstance(at, ir.For) and at.init is not None and n in _declared(ir.Block([at.init])):
                    continue  # the loop's own variable: declared in its init
                if at_scope.lookup(n) is not scope.lookup(n):
                    return
            g = constraints_of(cond, scope, negate=negate)
            out.extend(g.constraints)

        while id(cur) in self.up:
            par = self.up[id(cur)]
            if isinstance(par, ir.If) and par.decl is None:
                if cur is par.then:
                    add(par.cond, False, par.cond)
                elif cur is par.other:
                    add(par.cond, True, par.cond)
            elif isinstance(par, ir.Block) and not any(isinstance(st, ir.Case) for st in par.stmts):
                for st in par.stmts:  # guards that leave: after them their test is false
                    if st is cur:
                        break
                    if isinstance(st, ir.If) and st.other is None and st.decl is None:
                        first = _stmts(st.then)
                        if len(first) == 1 and isinstance(first[0], (ir.Return, ir.Break, ir.Continue)):
                            add(st.cond, True, st.cond)
            elif isinstance(par, ir.For) and cur is par.body:
                v = loop_view(par, self.table)
                if isinstance(v, LoopView):
                    var = ir.Name(v.var)
                    lo_op, hi_op = (">=", "<") if v.step > 0 else ("<=", ">")
                    for op, b in ((lo_op, v.start), (hi_op, v.end)):
                        add(ir.Binary(op, var, b), False, par)
            cur = par
        return out

    def provable(self, cond: ir.Expr, old_s: ir.Stmt, scope: Scope) -> bool:
        """``cond`` holds at the loop's entry, from the facts there (isl decides)."""
        try:
            v = evaluate.evaluate(cond, {})
            if not isinstance(v, (ir.Node,)) and not isinstance(v, str):
                return bool(v)
        except (evaluate.Unknown, TypeError, ValueError, ZeroDivisionError):
            pass
        goal = constraints_of(cond, scope)
        if not goal.exact or not goal.constraints:
            return False
        facts = self.facts(old_s)
        names: set[str] = set()
        for c in facts + goal.constraints:
            names |= {k for k in c.aff.coeffs if k not in c.aff.divs}
            for d in c.aff.divs.values():
                names |= {k for k in d.num.coeffs if k not in d.num.divs}
        rename = {n: f"v{i}" for i, n in enumerate(sorted(names))}
        for n in names:  # unsigned names are non-negative
            sym = scope.lookup(n)
            it = _int_type(sym.type) if sym is not None else None
            if it is not None and not it.signed:
                facts.append(constraints_of(ir.Binary(">=", ir.Name(n), ir.IntLit(0)), scope).constraints[0])
        try:
            fact_text = [c.isl(rename) for c in facts]
            params = ", ".join(rename[n] for n in sorted(names))
            for g in goal.constraints:
                negs = [(-g.aff - Affine.constant(1))] if not g.eq else [g.aff - Affine.constant(1),
                                                                         -g.aff - Affine.constant(1)]
                for neg in negs:
                    text = " and ".join(fact_text + [f"{neg.isl(rename)} >= 0"])
                    s = isl.Set(f"[{params}] -> {{ : {text} }}")
                    if not s.is_empty():
                        return False
            return True
        except Exception:  # noqa: BLE001 -- an isl failure only means "not proven"
            return False

    # -------------------------------------------------------------- arithmetic that cannot overflow
    def render(self, a: Affine, scope: Scope) -> ir.Expr:
        """``a`` as an expression computing its exact value: a single name or a constant as
        it is; otherwise in ``long long`` from signed operands of at most 32 bits."""
        if a.divs:
            raise _Refuse(f"the bound {a} has a division")
        if a.is_const:
            if not -(1 << 31) <= a.const < (1 << 31):
                raise _Refuse(f"the bound {a} does not fit an int")
            return _int(a.const)
        if len(a.coeffs) == 1 and a.const == 0 and next(iter(a.coeffs.values())) == 1:
            return a.to_expr()
        for n in a.coeffs:
            sym = scope.lookup(n) if "." not in n else None
            it = _int_type(sym.type) if sym is not None else None
            if it is None or not it.signed or it.width > 32:
                raise _Refuse(f"{n} in the bound {a} is not a signed integer of at most 32 bits: "
                              f"the bound could overflow")
        out: Optional[ir.Expr] = None
        for k, c in sorted(a.coeffs.items(), key=lambda kv: (kv[1] < 0, kv[0])):
            atom: ir.Expr = ir.Name(k)
            if out is None:
                atom = _ll(atom)
                term = atom if abs(c) == 1 else ir.Binary("*", atom, ir.IntLit(abs(c)))
                out = term if c > 0 else ir.Unary("-", term)
            else:
                term = atom if abs(c) == 1 else ir.Binary("*", ir.IntLit(abs(c)), atom)
                out = ir.Binary("+" if c > 0 else "-", out, term)
        if a.const:
            out = ir.Binary("+" if a.const > 0 else "-", out, ir.IntLit(abs(a.const)))  # type: ignore[arg-type]
        return out  # type: ignore[return-value]

    def affine(self, e: ir.Expr, scope: Scope) -> Affine:
        a = affine_of(e, scope)
        if not isinstance(a, Affine):
            raise _Refuse(f"{_text(e)} is not affine ({a.reason})")
        return a

    # -------------------------------------------------------------- pointers: the element count
    def ptr_parts(self, e: ir.Expr, prefix: list[ir.Stmt], scope: Scope, depth: int = 0
                  ) -> Optional[tuple[ir.Expr, list[tuple[int, ir.Expr]]]]:
        """``(base, [(sign, offset)])`` with ``e == base + sum(sign * offset)`` in elements,
        following pointer locals of this block defined once and never written."""
        if depth > 8:
            return None
        if isinstance(e, ir.Binary) and e.op in ("+", "-"):
            if isinstance(type_of(e.lhs, scope), ir.Pointer) and _int_type(type_of(e.rhs, scope)) is not None:
                left = self.ptr_parts(e.lhs, prefix, scope, depth + 1)
                if left is not None:
                    return left[0], left[1] + [(1 if e.op == "+" else -1, e.rhs)]
            elif e.op == "+" and isinstance(type_of(e.rhs, scope), ir.Pointer) and \
                    _int_type(type_of(e.lhs, scope)) is not None:
                right = self.ptr_parts(e.rhs, prefix, scope, depth + 1)
                if right is not None:
                    return right[0], right[1] + [(1, e.lhs)]
            return None
        if isinstance(e, ir.Unary) and e.op == "&" and isinstance(e.operand, ir.Index) and \
                isinstance(type_of(e.operand.base, scope), ir.Pointer):
            inner = self.ptr_parts(e.operand.base, prefix, scope, depth + 1)
            if inner is not None:
                return inner[0], inner[1] + [(1, e.operand.index)]
            return None
        if isinstance(e, ir.Name):
            d = self._local_def(e.name, prefix)
            if d is not None and isinstance(d.type, ir.Pointer) and e.name not in self.written:
                inner = self.ptr_parts(d.init, prefix, scope, depth + 1)  # type: ignore[arg-type]
                if inner is not None:
                    return inner
            return e, []
        return None

    def _local_def(self, name: str, prefix: list[ir.Stmt]) -> Optional[ir.VarDecl]:
        """The declaration of ``name`` with a value among the statements before the loop."""
        for st in reversed(prefix):
            if isinstance(st, ir.Decl):
                for v in reversed(st.vars):
                    if v.name == name:
                        return v if v.init is not None and v.init_style == "=" else None
            elif name in _declared(st):
                return None
        return None

    def count(self, a0: ir.Expr, pa: str, e: ir.Expr, prefix: list[ir.Stmt], scope: Scope,
              old_s: ir.Stmt, L: _Loop) -> ir.Expr:
        """The number of elements from ``a0`` (the stepped pointer ``pa``'s value on entry)
        to ``e`` (its end)."""
        only_loop = self._only_loop_writes(pa, old_s)
        B = self.ptr_parts(e, prefix, scope)
        terms: Optional[list[tuple[int, ir.Expr]]] = None
        checked: list[ir.Expr] = []
        if B is not None and B[0] == ir.Name(pa) and isinstance(a0, ir.Name) and a0.name == pa and only_loop:
            terms = list(B[1])  # end = p + X, p written only by the loop: X
            checked = [t for _, t in terms]
        elif B is not None:
            if isinstance(a0, ir.Name) and a0.name == pa:
                d = self._local_def(pa, prefix)
                A = self.ptr_parts(d.init, prefix, scope) if d is not None and only_loop else None  # type: ignore
            else:
                A = self.ptr_parts(a0, prefix, scope)
            if A is not None and A[0] == B[0] and isinstance(A[0], ir.Name) and A[0].name != pa:
                terms = B[1] + [(-s, t) for s, t in A[1]]
                checked = [t for _, t in terms] + [A[0]]
        if terms is not None and all(self.names_stable(t, old_s) for t in checked):
            kept: list[tuple[int, ir.Expr]] = []
            for s, t in terms:  # equal offsets of opposite signs cancel
                for i, (s2, t2) in enumerate(kept):
                    if s2 == -s and t2 == t:
                        kept.pop(i)
                        break
                else:
                    kept.append((s, t))
            if not kept:
                return ir.IntLit(0)
            if len(kept) == 1 and kept[0][0] == 1:
                return ir.clone(kept[0][1])
            total = Affine.constant(0)
            for s, t in kept:
                total = total + self.affine(t, scope).scale(s)
            return self.render(total, scope)
        # the pointer difference itself, evaluated at every test (neither side changes in the loop)
        if _pure(e) and (isinstance(a0, ir.Name) and a0.name == pa or self.stable(a0, L)) and \
                not any(x in self.written for x in _names(e)):
            return ir.Binary("-", ir.clone(e), ir.clone(a0))
        raise _Refuse(f"the distance from {pa} to {_text(e)} is not known")

    def _only_loop_writes(self, name: str, old_s: ir.Stmt) -> bool:
        """``name`` is written only inside ``old_s`` (the loop)."""
        inside = {id(n) for n in old_s.walk()}
        for n in self.old_f.walk():
            t = n.target if isinstance(n, ir.Assign) else n.operand if isinstance(n, ir.Unary) and n.op in (
                "++", "--", "&") else None
            if isinstance(t, ir.Name) and t.name == name and id(n) not in inside:
                return False
        return True

    # -------------------------------------------------------------- building the for
    def build(self, L: _Loop, ivs: dict[str, _IV], prefix: list[ir.Stmt], rest: list[ir.Stmt], scope: Scope,
              old_s: ir.Stmt, top: bool, pre: list[tuple[int, set[str]]], mode: str = ""
              ) -> Optional[list[ir.Stmt]]:
        """The loop as a canonical for (with the statements before it). ``mode``: "" decides
        the counter, "a" keeps the tested integer, "b" takes a new counter."""
        orig_prefix = list(prefix)
        if L.init_decl is not None:  # the names the for's own init declares
            scope = scope.bind(*[Symbol(v.name, v.type, "local", decl=v) for v in L.init_decl.vars])
        cond = L.cond
        if not (isinstance(cond, ir.Binary) and cond.op in ("<", "<=", ">", ">=", "!=")):
            raise _Refuse(f"the condition {_text(cond)} is not a comparison")
        sides = [self.side(cond.lhs, ivs), self.side(cond.rhs, ivs)]
        cond_ivs = {sd[0] for sd in sides if sd[0] is not None}
        if not cond_ivs:
            raise _Refuse(f"the condition {_text(cond)} does not test an induction variable")
        last = len(L.body)

        # the counter: the tested integer itself (case A), an integer from 0 by 1, or a new one
        primary: Optional[str] = None
        case_a = False
        if len(cond_ivs) == 1:
            iv = ivs[next(iter(cond_ivs))]
            if not iv.pointer and iv.where == last:
                primary, case_a = iv.name, True
        if case_a and mode == "b":
            primary, case_a = None, False
        elif case_a and mode == "":
            iv = ivs[primary]  # type: ignore[index]
            c0 = _const(iv.entry)
            own = iv.entry_decl is not None and not iv.from_prefix
            if not (c0 is not None and c0 >= 0 and iv.delta == 1) and abs(iv.delta) == 1 and any(
                    self.dead_after(x.name, prefix, rest, top, x.entry_decl is not None and not x.from_prefix)
                    for x in ivs.values() if x.name != primary) and \
                    self.dead_after(iv.name, prefix, rest, top, own):
                # the tested counter does not count iterations from 0 and others would follow it:
                # a new counter, the tested one derived like them; failing that, the tested
                # counter stays and the others keep their steps
                try:
                    return self.build(L, ivs, prefix, rest, scope, old_s, top, pre, mode="b")
                except _Refuse:
                    return self.build(L, ivs, prefix, rest, scope, old_s, top, pre, mode="a")
        if primary is None:
            cands = [x for x in ivs.values() if not x.pointer and x.delta == 1 and x.where == last
                     and x.entry is not None and _const(x.entry) == 0]
            cands.sort(key=lambda x: x.name not in cond_ivs)
            primary = cands[0].name if cands else None
        fresh = primary is None
        c0 = _const(ivs[primary].entry) if primary is not None else None
        has_K = fresh or (c0 is not None and c0 >= 0 and ivs[primary].delta == 1)  # type: ignore[index]

        # the others: derived from the counter where their last value is dead (those the test
        # reads must be), else left as they are, stepping in the body
        derived: list[_IV] = []
        kept_ivs: list[_IV] = []
        kept_why: list[str] = []
        for x in ivs.values():
            if x.name == primary:
                continue
            why = "" if has_K else f"{x.name} cannot follow the counter, which does not count iterations from 0"
            if not why and not self.dead_after(x.name, prefix, rest, top,
                                               x.entry_decl is not None and not x.from_prefix):
                why = f"{x.name} is stepped in the loop and used after it"
            if not why:
                derived.append(x)
            elif x.name in cond_ivs:
                raise _Refuse(why)
            else:
                kept_ivs.append(x)
                kept_why.append(why)
        # each derived variable's entry value: inlined where it is stable and not a declaration
        # before the loop (which keeps its name and, set once, reads as well), else the variable
        entry_expr: dict[str, ir.Expr] = {}
        for x in derived:
            declared_before = x.from_prefix and x.entry_decl is not None
            if x.entry is not None and not declared_before and self.stable(x.entry, L) and \
                    not (_names(x.entry) & set(ivs)):
                entry_expr[x.name] = x.entry
            else:
                entry_expr[x.name] = ir.Name(x.name)

        K_name = self.fresh("k") if fresh else primary
        if case_a:
            new_cond = self.simple_cond(cond, sides, primary, scope)  # type: ignore[arg-type]
            K_type: ir.CType = copy.deepcopy(ivs[primary].type)  # type: ignore[index]
        else:
            self.signed_test(cond, ivs, scope)
            new_cond, bound_type = self.solve(cond, sides, ivs, entry_expr, K_name, primary, prefix, scope,
                                              old_s, L)  # type: ignore[arg-type]
            if fresh:
                it = _int_type(bound_type)
                wide = any(x.pointer and abs(x.delta) != 1 for x in derived)
                if it is None:
                    K_type = ir.Named(LONG_LONG)
                elif it.signed:
                    K_type = ir.Named("int" if it.width <= 32 and not wide else LONG_LONG)
                else:
                    K_type = ir.Named("unsigned int" if it.width <= 32 and not wide else "unsigned long long")
            else:
                K_type = copy.deepcopy(ivs[primary].type)  # type: ignore[index]
        kt = _int_type(K_type)
        widen: set[str] = set()  # derived integers computed in long long and converted back
        for x in list(derived):
            if x.pointer:
                continue
            xt = _int_type(x.type)
            if xt is not None and kt is not None and abs(x.delta) == 1 and (ctype.same_type(x.type, K_type) or (
                    xt.width == 64 and kt.width <= 32)):
                continue  # entry +- K in x's own type: exact (x's values are the source's)
            if xt is not None and kt is not None and xt.width <= 32 and kt.signed:
                widen.add(x.name)  # (T)((long long)entry + (long long)K * step): no intermediate overflows
                continue
            why = (f"{x.name} ({_text(x.type)}) steps by {x.delta} and the counter is {_text(K_type)}: "
                   f"its value could not be computed without overflow")
            if x.name in cond_ivs:
                raise _Refuse(why)
            derived.remove(x)
            kept_ivs.append(x)
            kept_why.append(why)
        if derived and K_name in _declared(ir.Block(L.body)):
            raise _Refuse(f"the body redeclares the counter {K_name}")
        # steps of the others (variables left as they are) go to the end of the body, after
        # which the loop stepped them; a continue would skip them there
        moved = [c for c in L.steps if _incr(c)[0] not in {primary} | {x.name for x in derived}]  # type: ignore
        if moved and _has_continue(ir.Block(L.body)):
            raise _Refuse("a continue would skip a step moved into the body")
        kept = [x for x in derived if x.entry is not None and isinstance(entry_expr[x.name], ir.Name)
                and entry_expr[x.name].name == x.name] + [x for x in kept_ivs if x.entry is not None]
        K: ir.Expr = ir.Name(K_name)  # the iteration number
        if not fresh and c0:
            K = ir.Binary("-", ir.Name(K_name), ir.clone(ivs[primary].entry))  # type: ignore[index]
        body = self.derive(L, derived, entry_expr, K, kt, widen)
        body += [ir.ExprStmt(ir.clone(c)) for c in moved]

        # the statements before: entry values the loop takes over leave the statement before it
        prefix = list(prefix)
        extra: list[ir.Stmt] = []
        piv = ivs[primary] if primary is not None else None
        # the counter's declaration moves into the for when it is declared before it (with its
        # value) and dead after the loop; otherwise it stays and loses its value to the init
        moves = piv is not None and piv.entry is not None and piv.from_prefix and piv.entry_decl is not None \
            and self.dead_after(piv.name, prefix, rest, top, False)
        extra += [ir.clone(st) for st in L.init_other]
        for x in kept:  # entry values in the for's own init that stay variables: set before the loop
            if not x.from_prefix:
                if x.entry_decl is not None:
                    vd = copy.copy(x.entry_decl)
                    vd.init = ir.clone(x.entry)
                    extra.append(ir.Decl([vd]))
                else:
                    extra.append(ir.ExprStmt(ir.Assign("=", ir.Name(x.name), ir.clone(x.entry))))
        for pre_idx, pre_names in sorted(pre, reverse=True):  # later statements first: indices hold
            remove: set[str] = set()  # names whose entry value leaves the statement
            strip: set[str] = set()  # names whose declaration there keeps the variable but loses the value
            for name in pre_names:
                x = ivs[name]
                if name == primary:
                    (remove if moves or x.entry_decl is None else strip).add(name)
                elif x not in kept:
                    remove.add(name)
            if not (remove or strip):
                continue
            P = prefix[pre_idx]
            if isinstance(P, ir.Decl):
                vars_ = []
                for v in P.vars:
                    if v.name in remove:
                        continue
                    if v.name in strip:
                        v = copy.copy(v)
                        v.init = None
                    vars_.append(v)
                if vars_:
                    prefix[pre_idx] = ir.Decl(vars_, span=P.span, blank_before=P.blank_before, trailing=P.trailing)
                else:
                    del prefix[pre_idx]
            else:
                comps = [c for c in _flatten_comma(P.expr) if c.target.name not in remove]  # type: ignore
                if comps:
                    prefix[pre_idx] = ir.ExprStmt(_comma(comps), span=P.span)  # type: ignore[arg-type]
                else:
                    del prefix[pre_idx]

        # the for's init and step
        if fresh:
            init: Optional[ir.Stmt] = ir.Decl([ir.VarDecl(K_name, K_type, ir.IntLit(0))])
            step: ir.Expr = ir.Unary("++", ir.Name(K_name))
        else:
            step = ir.clone(piv.node)  # type: ignore[union-attr]
            if piv.entry is None:  # for (; i < n; ++i) continuing a counter: a variable of its own
                if not self.dead_after(piv.name, prefix, rest, top, False):
                    raise _Refuse(f"the loop has no init and {piv.name} is used after it")
                if piv.name in _declared(ir.Block(body)):
                    raise _Refuse(f"the body redeclares {piv.name}")
                v2 = self.fresh(piv.name)
                init = ir.Decl([ir.VarDecl(v2, copy.deepcopy(piv.type), ir.Name(piv.name))])

                def ren(n, v2=v2, old=piv.name):
                    return ir.Name(v2) if isinstance(n, ir.Name) and n.name == old else None

                new_cond, step = ir.transform(new_cond, ren), ir.transform(step, ren)
                body = [ir.transform(b, ren) for b in body]
            elif piv.entry_decl is not None and (moves or not piv.from_prefix):
                vd = piv.entry_decl  # declared by the for's own init, or just before and dead after
                init = ir.Decl([ir.VarDecl(piv.name, copy.deepcopy(vd.type), ir.clone(piv.entry))])
            else:
                init = ir.ExprStmt(ir.Assign("=", ir.Name(piv.name), ir.clone(piv.entry)))
                d = self.plain_decl(piv.name, prefix)  # int i; ... for (i = 0; ...) with i dead after
                if d is not None and self.dead_after(piv.name, prefix, rest, top, False):
                    self.remove_var(prefix, d[1], d[0])
                    init = ir.Decl([ir.VarDecl(piv.name, copy.deepcopy(d[0].type), ir.clone(piv.entry))])

        new = ir.For(init, new_cond, step, ir.Block(body), pragmas=list(L.pragmas), span=L.stmt.span)
        new.info = copy.copy(L.stmt.info) if isinstance(L.stmt, ir.For) else ir.LoopInfo()
        if isinstance(L.stmt, ir.For) and (new.init, new.cond, new.step) == (L.stmt.init, L.stmt.cond, L.stmt.step) \
                and _stmts(new.body) == _stmts(L.stmt.body) and prefix == orig_prefix:
            if kept_why:
                raise _Refuse("; ".join(kept_why))
            view = loop_view(new, scope)
            if isinstance(view, NotCanonical):
                raise _Refuse(view.reason)
            return None  # nothing to change
        view = loop_view(new, scope)
        if isinstance(view, NotCanonical):
            raise _Refuse(f"it would still not be canonical: {view.reason}")
        result: ir.Stmt = new
        if L.kind == "do":
            result = self.do_while(new, view, scope, old_s)
        out = [ir.Block(extra + [result], span=L.stmt.span)] if extra else [result]
        out[0].blank_before, out[0].trailing = L.stmt.blank_before, L.stmt.trailing
        for why in kept_why:
            self.note(f"loop at line {_line(L.stmt)}: {why}; it keeps its step")
        return self.drop_dead(prefix, rest, out, L, primary) + out

    def side(self, e: ir.Expr, ivs: dict[str, _IV]) -> tuple[Optional[str], int, ir.Expr]:
        """``(iv, c, e)``: ``e`` is the induction variable ``iv`` plus the constant ``c``, or
        free of induction variables (``iv`` None)."""
        if not (_names(e) & set(ivs)):
            return None, 0, e
        if isinstance(e, ir.Name):
            return e.name, 0, e
        if isinstance(e, ir.Binary) and e.op in ("+", "-"):
            for v, c, sign in ((e.lhs, e.rhs, 1 if e.op == "+" else -1), (e.rhs, e.lhs, 1 if e.op == "+" else 0)):
                if sign and isinstance(v, ir.Name) and v.name in ivs and not ivs[v.name].pointer and \
                        not _names(c) and _const(c) is not None:
                    return v.name, sign * _const(c), e  # type: ignore[operator]
        raise _Refuse(f"{_text(e)} in the condition is not an induction variable plus a constant")

    def simple_cond(self, cond: ir.Binary, sides, v: str, scope: Scope) -> ir.Expr:
        """The test of the counter ``v``: kept, or ``v + c op b`` read as ``v op b - c``."""
        (lv, lc, le), (rv, rc, re_) = sides
        if (lc if lv is not None else rc) == 0:
            return ir.clone(cond)
        op = cond.op
        if lv is None:
            op = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "!=": "!="}[op]
            lv, lc, le, rv, rc, re_ = rv, rc, re_, lv, lc, le
        tv = _int_type(type_of(le, scope))
        tb = _int_type(type_of(re_, scope))
        if tv is None or tb is None or not tv.signed or not tb.signed:
            raise _Refuse(f"{_text(cond)}: moving {lc} across a comparison with an unsigned side could wrap")
        bound = self.affine(re_, scope) - Affine.constant(lc)
        return ir.Binary(op, ir.Name(v), self.render(bound, scope))

    def signed_test(self, cond: ir.Binary, ivs: dict[str, _IV], scope: Scope) -> None:
        """A test between integers is solved as arithmetic on their values: its operands must
        compare as signed (an unsigned comparison wraps)."""
        ta, tb = type_of(cond.lhs, scope), type_of(cond.rhs, scope)
        if isinstance(ta, ir.Pointer) or isinstance(tb, ir.Pointer):
            return
        ia, ib = _int_type(ta), _int_type(tb)
        if ia is None or ib is None or not ctype.arithmetic_int(ctype.promote_int(ia), ctype.promote_int(ib)).signed:
            raise _Refuse(f"the test {_text(cond)} compares as unsigned (or of unknown type): solving it could wrap")

    def solve(self, cond: ir.Binary, sides, ivs: dict[str, _IV], entry_expr: dict[str, ir.Expr], K_name: str,
              primary: Optional[str], prefix: list[ir.Stmt], scope: Scope, old_s: ir.Stmt,
              L: _Loop) -> tuple[ir.Expr, Optional[ir.CType]]:
        """``a0 + ta*K  op  b0 + tb*K`` solved for the iteration number: ``K < B`` or ``K != B``;
        returns the test and B's type."""
        (lv, lc, le), (rv, rc, re_) = sides
        op = cond.op
        if op in (">", ">="):
            op = {">": "<", ">=": "<="}[op]
            lv, lc, le, rv, rc, re_ = rv, rc, re_, lv, lc, le

        def start(v: Optional[str], e: ir.Expr) -> tuple[ir.Expr, int]:
            if v is None:
                return e, 0
            x = ivs[v]
            if v == primary:
                return x.entry, x.delta  # type: ignore[return-value]
            return entry_expr[v], x.delta

        a0, ta = start(lv, le)
        b0, tb = start(rv, re_)
        d = ta - tb
        if d == 0:
            raise _Refuse(f"the condition {_text(cond)} does not change from one iteration to the next")
        K = ir.Name(K_name)
        if (lv is not None and ivs[lv].pointer) or (rv is not None and ivs[rv].pointer):
            if lv is None or rv is not None:
                raise _Refuse(f"the condition {_text(cond)} is not a stepped pointer below an end")
            if op not in ("<", "!="):
                raise _Refuse(f"a pointer tested with {cond.op}")
            D = self.count(a0, lv, b0, prefix, scope, old_s, L)
            D_type = type_of(D, scope)
            if _int_type(D_type) is None:
                D_type = ir.Named(LONG_LONG)  # a pointer difference
            if op == "!=":
                if d != 1:
                    raise _Refuse(f"{_text(cond)} with a step of {d}: it may be jumped over")
                return ir.Binary("!=", K, D), D_type
            if d < 0:
                raise _Refuse(f"{_text(cond)}: the loop does not move toward its bound")
            if d == 1:
                return ir.Binary("<", K, D), D_type
            Da = affine_of(D, scope)
            if isinstance(Da, Affine):
                bound = ir.Binary("/", self.render(Da + Affine.constant(d - 1), scope), ir.IntLit(d))
            elif (_int_type(D_type) or ctype.INT).width == 64:  # a pointer difference: far from the top
                bound = ir.Binary("/", ir.Binary("+", D, ir.IntLit(d - 1)), ir.IntLit(d))
            else:
                raise _Refuse(f"the count {_text(D)} is not affine: its ceiling could overflow")
            return ir.Binary("<", K, bound), type_of(bound, scope) or D_type
        Da = self.affine(b0, scope) - self.affine(a0, scope) + Affine.constant(rc - lc + (1 if op == "<=" else 0))
        if op == "!=":
            if abs(d) != 1:
                raise _Refuse(f"{_text(cond)}: the variables close in by {abs(d)} per iteration and may cross")
            bound = self.render(Da.scale(d), scope)
            return ir.Binary("!=", K, bound), type_of(bound, scope)
        if d < 0:
            raise _Refuse(f"{_text(cond)}: the loop does not move toward its bound")
        if d == 1:
            bound = self.render(Da, scope)
        else:  # K < ceil(D / d), C's truncation giving <= 0 whenever D <= 0
            bound = ir.Binary("/", self.render(Da + Affine.constant(d - 1), scope), ir.IntLit(d))
        return ir.Binary("<", K, bound), type_of(bound, scope)

    def derive(self, L: _Loop, derived: list[_IV], entry_expr: dict[str, ir.Expr], K: ir.Expr,
               kt: Optional[ctype.IntType], widen: set[str]) -> list[ir.Stmt]:
        """The body with each derived variable's uses replaced by its value in the iteration
        (``entry + K*step``, plus one step after its increment) and its steps removed."""
        by_name = {x.name: x for x in derived}
        inc_ids = {id(x.node): x for x in derived}
        made: dict[int, tuple[ir.Expr, ir.Expr, ir.Expr]] = {}  # pointer value made here -> (it, base, offset)

        def value(x: _IV, after: bool) -> ir.Expr:
            t = x.delta
            k = ir.clone(K)
            if abs(t) != 1 and (x.name in widen or x.pointer and (kt is None or kt.width < 64)):
                k = _ll(k)
            off: ir.Expr = k if abs(t) == 1 else ir.Binary("*", k, ir.IntLit(abs(t)))
            if after:
                off = ir.Binary("+", off, ir.IntLit(abs(t)))
            base = ir.clone(entry_expr[x.name])
            if not x.pointer and isinstance(base, ir.IntLit) and base.value == 0:
                e: ir.Expr = off if t > 0 else ir.Unary("-", off)  # from 0: the offset itself
                return _cast(x.type, e) if x.name in widen else e
            if x.name in widen:
                base = _ll(base)
            e = ir.Binary("+" if t > 0 else "-", base, off)
            if x.pointer:
                made[id(e)] = (e, e.lhs, off if t > 0 else ir.Unary("-", ir.clone(off)))  # e kept: its id stays unique
            if x.name in widen:
                return _cast(x.type, e)
            return e

        out: list[ir.Stmt] = []
        for idx, st in enumerate(L.body):
            if isinstance(st, ir.ExprStmt) and id(st.expr) in inc_ids:
                continue  # a step statement of a derived variable

            def fn(n: ir.Node, old: ir.Node, idx=idx):
                if id(old) in inc_ids:
                    x = inc_ids[id(old)]
                    return value(x, not x.post)
                if isinstance(n, ir.Name) and n.name in by_name:
                    x = by_name[n.name]
                    return value(x, idx > x.where)
                if isinstance(n, ir.Unary) and n.op == "*" and id(n.operand) in made:
                    _, base, off = made[id(n.operand)]
                    return ir.Index(base, off)
                if isinstance(n, ir.Index) and id(n.base) in made:
                    _, base, off = made[id(n.base)]
                    return ir.Index(base, _add_const(off, n.index))
                return None

            out.append(ir.transform(st, fn, with_original=True))
        return out

    def plain_decl(self, name: str, prefix: list[ir.Stmt]) -> Optional[tuple[ir.VarDecl, ir.Decl]]:
        """The declaration of ``name`` in this block when it can move into the ``for``: a plain
        local whose value (if any) is pure and that nothing mentions between it and the loop."""
        for i in range(len(prefix) - 1, -1, -1):
            st = prefix[i]
            if isinstance(st, ir.Decl) and any(v.name == name for v in st.vars):
                v = next(v for v in st.vars if v.name == name)
                ok = not v.specifiers and not v.attrs and v.space == "local" and \
                    not isinstance(v.type, ir.Array) and (v.init is None or _pure(v.init)) and \
                    not any(w.init is not None and _count(w.init, name) for w in st.vars) and \
                    not _mentions(prefix[i + 1:], name)
                return (v, st) if ok else None
        return None

    def remove_var(self, prefix: list[ir.Stmt], decl: ir.Decl, vd: ir.VarDecl) -> None:
        i = next(i for i, st in enumerate(prefix) if st is decl)
        others = [v for v in decl.vars if v is not vd]
        if others:
            prefix[i] = ir.Decl(others, span=decl.span, blank_before=decl.blank_before, trailing=decl.trailing)
        else:
            del prefix[i]

    def drop_dead(self, prefix: list[ir.Stmt], rest: list[ir.Stmt], loop: list[ir.Stmt], L: _Loop,
                  primary: Optional[str]) -> list[ir.Stmt]:
        """Declarations before the loop of names the old loop used and nothing uses any more
        (an ``end`` pointer, a derived variable), when their value is pure."""
        out = list(prefix)
        todo = sorted(_names(L.stmt) - {primary})
        while todo:
            name = todo.pop(0)
            if _mentions(rest, name) or _mentions(loop, name):
                continue
            for i in range(len(out) - 1, -1, -1):
                st = out[i]
                if isinstance(st, ir.Decl) and any(v.name == name for v in st.vars):
                    v = next(v for v in st.vars if v.name == name)
                    if not _mentions(out[i + 1:], name) and not v.specifiers and not v.attrs and \
                            v.space == "local" and not isinstance(v.type, ir.Array) and \
                            (v.init is None or _pure(v.init)) and \
                            not any(w.init is not None and _count(w.init, name) for w in st.vars):
                        self.remove_var(out, st, v)
                        todo += sorted(_names(v.init) - {primary}) if v.init is not None else []  # freed in turn
                    break
                if _mentions([st], name) or name in _declared(st):
                    break
        return out

    # -------------------------------------------------------------- do-while
    def do_while(self, new: ir.For, view: LoopView, scope: Scope, old_s: ir.Stmt) -> ir.Stmt:
        """``new`` stands for a do-while (its body runs at least once): as it is where the first
        test provably holds, else ``if (first test) new else { body once }`` (a monotone test
        that fails first fails after one step too)."""
        start, vt, var = view.start, view.var_type, view.var
        if not _pure(start):
            raise _Refuse("the first value of the do-while's counter has side effects")
        first_value = start
        it = _int_type(vt)
        if vt is not None and not (isinstance(start, ir.IntLit) and it is not None and it.contains(start.value)) \
                and not ctype.same_type(type_of(start, scope), vt):
            first_value = _cast(vt, start)
        first = ir.transform(new.cond, lambda n: ir.clone(first_value) if isinstance(n, ir.Name) and n.name == var
                             else None)
        if self.provable(first, old_s, scope):
            return new
        if any(isinstance(n, ir.VarDecl) and "static" in n.specifiers for n in new.body.walk()):
            raise _Refuse("a do-while whose first test is not known to hold declares a static local (the "
                          "body cannot be copied)")
        if not (isinstance(new.cond, ir.Binary) and new.cond.op in ("<", "<=", ">", ">=")):
            raise _Refuse(f"a do-while whose first test {_text(first)} is not known to hold, tested with "
                          f"{getattr(new.cond, 'op', '?')} (not monotone)")
        once: list[ir.Stmt] = [ir.clone(new.init)] if new.init is not None else []  # type: ignore[list-item]
        once += [ir.clone(b) for b in _stmts(new.body)]
        if not isinstance(new.init, ir.Decl):
            once.append(ir.ExprStmt(ir.clone(new.step)))  # the counter outlives the loop: step it once
        return ir.If(first, ir.Block([new]), ir.Block(once), span=new.span)


def _add_const(off: ir.Expr, index: ir.Expr) -> ir.Expr:
    """``off + index``, a constant ``index`` folded into a constant term of ``off``."""
    c = _const(index) if not _names(index) else None
    if c is None:
        return ir.Binary("+", off, index)
    if c == 0:
        return off
    if isinstance(off, ir.Binary) and off.op in ("+", "-") and isinstance(off.rhs, ir.IntLit):
        total = (off.rhs.value if off.op == "+" else -off.rhs.value) + c
        if total == 0:
            return off.lhs
        return ir.Binary("+" if total > 0 else "-", off.lhs, ir.IntLit(abs(total)))
    return ir.Binary("+" if c > 0 else "-", off, ir.IntLit(abs(c)))
