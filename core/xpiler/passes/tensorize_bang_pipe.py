"""Pipeline (BANG): a chunk loop of ``tensorize`` with its copies in double-buffered and
asynchronous, so that the next chunk's data moves while this chunk computes.

    before (a chunk loop of tensorize_bang):
        for (int c = start; c < X; c += stride) {
            int len = X - c < size ? X - c : size;
            __memcpy(xp_x, x + c, len * sizeof(float), GDRAM2NRAM);
            ...calls on xp_x...
            __memcpy(y + c, xp_y, len * sizeof(float), NRAM2GDRAM);
        }
    after (xp_x declared __nram__ float xp_x[2][CH]):
        int k = 0;
        if (start < X) {                                     (the first chunk's copy, before the loop)
            int l0 = X - start < size ? X - start : size;
            __memcpy_async(xp_x[0], x + start, l0 * sizeof(float), GDRAM2NRAM);
        }
        for (int c = start; c < X; c += stride) {
            int len = X - c < size ? X - c : size;
            int p = k & 1;
            __sync_io();                                     (this chunk's copy has landed)
            __sync_compute();                                (the calls that read the other half are done)
            int nc = c + stride;
            if (nc < X) {                                    (the next chunk's copy, while this one computes)
                int nl = X - nc < size ? X - nc : size;
                __memcpy_async(xp_x[p ^ 1], x + nc, nl * sizeof(float), GDRAM2NRAM);
            }
            ...calls on xp_x[p]...
            __memcpy(y + c, xp_y, len * sizeof(float), NRAM2GDRAM);
            ++k;
        }

Only the copies in are asynchronous; the copy out stays synchronous (its source is a
scratch buffer the next chunk reuses). A loop of one chunk pays two syncs and a test; the
NRAM of the loaded streams doubles (the chunk size shrinks accordingly: ``finish``).
``__sync_io`` / ``__sync_compute`` and ``__memcpy_async`` are the table's (bang.md §1.5,
§3.3); the emulator's ``bang_async deferred`` mode holds every async copy back to its
covering sync, so a missing sync reads never-written data and is reported.
"""
from __future__ import annotations

from typing import Callable

from .. import ir
from .tensorize import _call, _decl, _int, _name


def pipelined(*, c: str, start: ir.Expr, stride: Callable[[], ir.Expr], size: Callable[[], ir.Expr],
              extent: ir.Expr, head: list[ir.Stmt], loads: list[tuple[str, Callable[[ir.Expr], ir.Expr], ir.Expr]],
              body: list[ir.Stmt], double: set[str], fresh: Callable[[str], str]) -> list[ir.Stmt]:
    """The pipelined chunk loop. ``loads``: (buffer, address of the stream at a chunk start,
    bytes per element); ``head``: the chunk's own declarations (``len``, ``vlen``); ``body``:
    the calls and copies out, whose references to the buffers in ``double`` become the
    current half; ``stride()``/``size()`` give fresh copies of those expressions."""
    k, p, nc, nl, l0 = (fresh(b) for b in ("xp_k", "xp_p", "xp_nc", "xp_nl", "xp_l0"))

    def copies(length: str, at: ir.Expr, half: ir.Expr) -> list[ir.Stmt]:
        return [_call("__memcpy_async", ir.Index(_name(b), ir.clone(half)), where(ir.clone(at)),
                      ir.Binary("*", _name(length), ir.clone(elem)), _name("GDRAM2NRAM"))
                for b, where, elem in loads]

    def length(at: ir.Expr) -> ir.Expr:
        rest = ir.Binary("-", ir.clone(extent), at)
        return ir.Ternary(ir.Binary("<", rest, size()), ir.clone(rest), size())

    def current(n: ir.Node):
        if isinstance(n, ir.Name) and n.name in double:
            return ir.Index(ir.Name(n.name), _name(p))
        return None

    body = [ir.transform(s, current) for s in body]
    prologue = [_decl(k, _int(0)),
                ir.If(ir.Binary("<", ir.clone(start), ir.clone(extent)),
                      ir.Block([_decl(l0, length(ir.clone(start)))] + copies(l0, start, _int(0))))]
    nxt = ir.If(ir.Binary("<", _name(nc), ir.clone(extent)),
                ir.Block([_decl(nl, length(_name(nc)))] + copies(nl, _name(nc), ir.Binary("^", _name(p), _int(1)))))
    inner = head + [_decl(p, ir.Binary("&", _name(k), _int(1))), _call("__sync_io"), _call("__sync_compute"),
                    _decl(nc, ir.Binary("+", _name(c), stride())), nxt] + body + \
        [ir.ExprStmt(ir.Unary("++", _name(k)))]
    loop = ir.For(ir.Decl([ir.VarDecl(c, ir.Named("int"), ir.clone(start))]),
                  ir.Binary("<", _name(c), ir.clone(extent)), ir.Assign("+=", _name(c), stride()),
                  ir.Block(inner))
    return prologue + [loop]
