"""Returns anywhere in structured code, lowered to assignments, a done flag and breaks: what
inlining a function (``passes/inline_calls``) and expanding an intrinsic's table snippet
(``dialects/semantics``) both need where a ``return`` sits inside a loop, a switch or a
nested branch.

    before (the body of ``int find(int *a, int n)``):   after (result r, flag done):
        for (int i = 0; i < n; ++i)                      int done = 0;
            if (a[i] < 0) return i;                      for (int i = 0; i < n; ++i)
        return -1;                                           if (a[i] < 0) { r = i; done = 1; break; }
                                                         if (!done) { r = -1; done = 1; }
"""
from __future__ import annotations

from typing import Optional

from . import ir


def has_return(s: Optional[ir.Node]) -> bool:
    return s is not None and any(isinstance(n, ir.Return) for n in s.walk())


BREAKABLE = (ir.For, ir.While, ir.DoWhile, ir.Switch)


class ReturnFlag:
    """Returns anywhere in structured code, as assignments and a flag: ``return v;`` is
    ``result = v; done = 1;`` followed, inside a loop or switch, by ``break`` (which leaves
    exactly the innermost loop or switch), and after a loop or switch that may have
    returned, ``if (done) break;`` inside an enclosing loop or switch, else the statements
    that follow run under ``if (!done)``. What follows a return in its block up to the next
    ``case`` label is unreachable and goes."""

    def __init__(self, result: Optional[str], done: str):
        self.result, self.done = result, done

    def lower(self, stmts: list[ir.Stmt]) -> list[ir.Stmt]:
        """The body with the flag declared first; without it where nothing tests it."""
        out = self.block(stmts, False)
        if any(isinstance(n, ir.If) and any(isinstance(x, ir.Name) and x.name == self.done for x in n.cond.walk())
               for s in out for n in s.walk()):
            return [ir.Decl([ir.VarDecl(self.done, ir.Named("int"), ir.IntLit(0))])] + out

        def flag(n: ir.Node) -> bool:
            return isinstance(n, ir.ExprStmt) and isinstance(n.expr, ir.Assign) and \
                isinstance(n.expr.target, ir.Name) and n.expr.target.name == self.done

        return [ir.transform(s, lambda n: [] if flag(n) else None) for s in out if not flag(s)]

    def _give(self, value: Optional[ir.Expr], breaking: bool) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        if self.result is not None and value is not None:
            out.append(ir.ExprStmt(ir.Assign("=", ir.Name(self.result), value)))
        out.append(ir.ExprStmt(ir.Assign("=", ir.Name(self.done), ir.IntLit(1))))
        if breaking:
            out.append(ir.Break())
        return out

    def block(self, stmts: list[ir.Stmt], breaking: bool) -> list[ir.Stmt]:
        """``stmts`` with their returns lowered; ``breaking``: inside a loop or switch (of the
        inlined function)."""
        out: list[ir.Stmt] = []
        for i, s in enumerate(stmts):
            if not has_return(s):
                out.append(s)
                continue
            if isinstance(s, ir.Return):
                out += self._give(s.value, breaking)
                rest = stmts[i + 1:]
                k = next((j for j, x in enumerate(rest) if isinstance(x, ir.Case)), None)
                return out + ([] if k is None else self.block(rest[k:], breaking))
            out.append(self.stmt(s, breaking))
            rest = stmts[i + 1:]
            if breaking:
                if isinstance(s, BREAKABLE):  # it left only itself: leave the enclosing one too
                    out.append(ir.If(ir.Name(self.done), ir.Break()))
                continue
            lowered = self.block(rest, breaking)
            if lowered:
                out.append(ir.If(ir.Unary("!", ir.Name(self.done)), ir.Block(lowered)))
            return out
        return out

    def stmt(self, s: ir.Stmt, breaking: bool) -> ir.Stmt:
        s = ir.clone(s)
        if isinstance(s, ir.Block):
            s.stmts = self.block(s.stmts, breaking)
        elif isinstance(s, ir.If):
            s.then = ir.Block(self.block(_stmts(s.then), breaking))
            if s.other is not None:
                s.other = ir.Block(self.block(_stmts(s.other), breaking))
        elif isinstance(s, (ir.For, ir.While, ir.DoWhile, ir.Switch)):
            s.body = ir.Block(self.block(_stmts(s.body), True))
        return s


def _stmts(s: Optional[ir.Stmt]) -> list[ir.Stmt]:
    if s is None:
        return []
    return list(s.stmts) if isinstance(s, ir.Block) else [s]
