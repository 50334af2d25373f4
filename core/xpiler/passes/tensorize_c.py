"""C lowering of ``tensorize`` (see ``passes/tensorize.py`` for the pass): the C target has
no intrinsics to call; what makes ``gcc -O3 -march=native`` vectorise a loop is a loop it
may vectorise. Each innermost loop whose body is element-wise (``analysis/elementwise``,
reductions into outer scalars included) gets ``#pragma omp simd``, with a ``reduction``
clause for each sum into a floating accumulator: without it gcc keeps a float sum in order
(it may not re-associate without ``-ffast-math``), with it the sum is split over the vector
lanes, the re-association every other target's reduction makes too.

    before (bound to C by bind):
        #pragma omp parallel for
        for (int r = 0; r < rows; ++r) {
            float s = 0.0f;
            for (int c = 0; c < cols; ++c)
                s += x[r * cols + c] * x[r * cols + c];
            out[r] = s;
        }
    after:
        #pragma omp parallel for
        for (int r = 0; r < rows; ++r) {
            float s = 0.0f;
            #pragma omp simd reduction(+:s)
            for (int c = 0; c < cols; ++c)
                s += x[r * cols + c] * x[r * cols + c];
            out[r] = s;
        }

An innermost loop that ``bind`` made the OpenMP loop (``#pragma omp parallel for``, no
clauses) becomes ``#pragma omp parallel for simd``. Left as they are: loops with another
pragma, loops with a max/min reduction (``fmaxf`` ignores NaN, an
OpenMP ``max`` reduction does not promise to), and loops that are not element-wise (their
nest record says why). The pragma is ignored by a compiler without OpenMP: the loop stays
what it was.
"""
from __future__ import annotations

import re
from typing import Optional

from .. import ir
from ..analysis import elementwise as E
from ..analysis.loops import NotCanonical, loop_view
from ..analysis.symbols import SymbolTable
from .tensorize import Tensorize, _lines, lowering


#: bind's OpenMP loop, plain (no data clauses: its iterations share nothing), which can take
#: ``simd`` as a combined construct
_WORKSHARING = re.compile(r"#\s*pragma\s+omp\s+parallel\s+for")


def _stmts(s: ir.Stmt) -> list[ir.Stmt]:
    return list(s.stmts) if isinstance(s, ir.Block) else [s]


@lowering("c")
class CKernel:
    def __init__(self, p: Tensorize, module: ir.Module, f: ir.Function, taken: set[str], **_params):
        self.p, self.module, self.f = p, module, f
        self.decls: list[ir.Stmt] = []

    def plan(self) -> dict[int, list[ir.Stmt]]:
        table = SymbolTable(self.f, self.module)
        replace: dict[int, list[ir.Stmt]] = {}
        records: list[dict] = []
        whys: list[dict] = []  # (only the first is recorded when no loop is tensorized: lifted
        # GPU code has many helper loops, one warning each would drown the editor)
        for n in self.f.body.walk():
            if not isinstance(n, ir.For) or any(isinstance(m, (ir.For, ir.While, ir.DoWhile))
                                                for s in _stmts(n.body) for m in s.walk()):
                continue
            why = self.why_not(n, table)
            if why:
                whys.append({"kernel": self.f.name, "lines": _lines(n), "not": [f"not tensorized: {why}"]})
                continue
            nest = E.analyse(_stmts(n.body), loop_view(n, table).var, table, reductions=True)
            sums = sorted({s.name for s in nest.stmts if isinstance(s, E.Reduce)})
            if n.pragmas:  # bind's worksharing loop: the combined construct (OpenMP 4.0)
                pragma = n.pragmas[0].replace("parallel for", "parallel for simd", 1)
            else:
                pragma = "#pragma omp simd" + (f" reduction(+:{','.join(sums)})" if sums else "")
            new = ir.For(ir.clone(n.init), ir.clone(n.cond), ir.clone(n.step), ir.clone(n.body),
                         [pragma] + list(n.pragmas[1:]), ir.LoopInfo("vectorized"), span=n.span)
            replace[id(n)] = [new]
            records.append({"kernel": self.f.name, "lines": _lines(n), "tensorized_into": [pragma],
                            "staged_in": []})
        if not records:
            records.append(whys[0] if whys else {"kernel": self.f.name, "lines": _lines(self.f),
                                                 "not": ["not tensorized: no innermost loop"]})
        self.p.nests.extend(sorted(records, key=lambda r: tuple(r["lines"])))
        return replace

    def why_not(self, n: ir.For, table: SymbolTable) -> Optional[str]:
        if n.pragmas and not _WORKSHARING.fullmatch(n.pragmas[0].strip()):
            return f"the loop already has {n.pragmas[0]}"
        view = loop_view(n, table)
        if isinstance(view, NotCanonical):
            return f"not a canonical loop: {view.reason}"
        nest = E.analyse(_stmts(n.body), view.var, table, reductions=True)
        if not nest:
            return nest.reason + (f" (line {nest.line})" if nest.line else "")
        for s in nest.stmts:
            if isinstance(s, E.Reduce) and s.op != "sum":
                return f"a {s.op} reduction into {s.name} (fmaxf's NaN rule is not an OpenMP reduction's)"
            if isinstance(s, E.Reduce) and n.pragmas:
                return f"the OpenMP loop reduces into {s.name} without a reduction clause"
        return None
