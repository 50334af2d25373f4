"""``fold_constants``: fold integer constant arithmetic and branches on constants.

    before:  for (int i = 0; i < 64 * 4; i += 256 / 8) if (0) x[i] = 0; else y[i] = 2 - 3;
    after:   for (int i = 0; i < 256; i += 32) { y[i] = -1; }

Only what C defines is folded: ``int`` literals (no suffix, value within ``int``) combined
with ``+ - * / % << >> & | ^`` and comparisons, C's truncating division, and a result
that fits ``int`` (signed overflow is undefined: left alone). ``if`` on a literal keeps
the branch taken. Floating-point expressions are never folded (the order of rounding is
the source's). The lifting stage runs it after substituting launch constants.
"""
from __future__ import annotations

from typing import Iterator, Optional

from .. import evaluate, ir
from .base import Pass, Precondition, Refusal, register

INT_MIN, INT_MAX = -(1 << 31), (1 << 31) - 1
_FOLD = {"+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "<", ">", "<=", ">=", "==", "!="}


def _int_literal(e: ir.Expr) -> Optional[int]:
    """The value of a plain ``int`` literal (``12``, ``0x10``; no ``u``/``l`` suffix)."""
    if isinstance(e, ir.IntLit) and not any(c in e.text.lower() for c in "ul") and INT_MIN <= e.value <= INT_MAX:
        return e.value
    if isinstance(e, ir.Unary) and e.op == "-" and (v := _int_literal(e.operand)) is not None:
        return -v
    return None


def _fold(e: ir.Binary) -> Optional[int]:
    a, b = _int_literal(e.lhs), _int_literal(e.rhs)
    if a is None or b is None or e.op not in _FOLD:
        return None
    if e.op in ("<<", ">>") and not (0 <= b < 32 and a >= 0):
        return None  # negative or too-wide shifts are undefined
    exact = {"+": a + b, "-": a - b, "*": a * b, "<<": a << b if e.op == "<<" else 0}.get(e.op)
    if exact is not None and not INT_MIN <= exact <= INT_MAX:
        return None  # signed overflow is undefined: not ours to decide
    try:
        v = evaluate.evaluate(e, {})
    except evaluate.Unknown:
        return None  # division by zero: leave it for the compiler to report
    if not isinstance(v, int) or not INT_MIN <= v <= INT_MAX:
        return None
    return v


def _literal(v: int) -> ir.Expr:
    v = int(v)  # a plain int (evaluate may give a typed CInt)
    return ir.IntLit(v) if v >= 0 else ir.Unary("-", ir.IntLit(-v))


@register
class FoldConstants(Pass):
    """Fold integer constant arithmetic and branches on constants.

        before:  for (int i = 0; i < 64 * 4; i += 256 / 8) if (0) x[i] = 0; else y[i] = 2 - 3;
        after:   for (int i = 0; i < 256; i += 32) { y[i] = -1; }
    """

    name = "fold_constants"
    stage = "lift"
    requires = (Precondition("parses", "the module has no parse error (an error node may hide code)"),)

    def preconditions(self, module: ir.Module, target: Optional[str], **params) -> Iterator[Refusal]:
        errors = [d for d in module.diagnostics if d.is_error]
        if errors:
            span = ir.Span(errors[0].line, errors[0].col, errors[0].line, errors[0].col)
            yield Refusal(self.name, "parses", f"parse error: {errors[0].message}", span)

    def rewrite(self, module: ir.Module, target: Optional[str], **params) -> ir.Module:
        def fn(n: ir.Node):
            if isinstance(n, ir.Binary):
                v = _fold(n)
                return None if v is None else _literal(v)
            if isinstance(n, ir.If) and n.decl is None and (c := _int_literal(n.cond)) is not None:
                taken = n.then if c else n.other
                return taken if taken is not None else ir.Empty()
            return None

        return self.transform(module, fn)
