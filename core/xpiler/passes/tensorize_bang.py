"""BANG lowering of ``tensorize`` (see ``passes/tensorize.py`` for what it makes): loops bound
to ``taskId`` become NRAM chunks moved by ``__memcpy`` and computed by ``__bang_*`` calls."""
from __future__ import annotations

from typing import Optional, Union

from .. import ir
from ..analysis import elementwise as E, patterns
from ..analysis.symbols import SymbolTable
from ..dialects.bang import intrinsics as bang_table
from ..analysis.loops import NotCanonical, loop_view
from ..dialects.templates import Reduction, Template, conversions, reductions, templates
from .base import fresh_name
from .tensorize_bang_pipe import pipelined
from .tensorize import Cover, Tensorize, float_cast, lowering, _call, _decl, _int, _lines, _min, _name, _round_up, _txt
from .tensorize_bang_mm import plan_matmuls

#: the BANG vector unit's granule: vector operations run on multiples of 128 bytes
GRANULE_BYTES = 128


def _stmts(s: ir.Stmt) -> list[ir.Stmt]:
    return list(s.stmts) if isinstance(s, ir.Block) else [s]


def _is_zero(e: ir.Expr) -> bool:
    return isinstance(e, ir.IntLit) and e.value == 0


_task_loop = patterns.task_loop


@lowering("bang")
class BangKernel:
    def __init__(self, p: Tensorize, module: ir.Module, f: ir.Function, taken: set[str], arch: str = "mtp_372",
                 approximate: bool = True, chunk: int = 0, pipeline: bool = True):
        self.p, self.module, self.f = p, module, f
        self.chunk = chunk
        self.arch, self.approximate, self.taken = arch, approximate, taken
        self.rules = bang_table.ARCH_RULES[arch]
        self.decls: list[ir.Stmt] = []  # __nram__ buffers, at the top of the kernel
        self.buffers: list[str] = []  # NRAM buffers of every nest (a nest reuses the ones before it)
        self.chunk_lits: list[ir.IntLit] = []  # the chunk size wherever it is written, set by finish()
        self.lowered: dict[int, tuple] = {}  # serial loop -> (nest, cover, reductions, extent, intrinsics)
        self.pipeline = pipeline
        self.double: list[str] = []  # the loaded streams' buffers of pipelined loops: [2][CH]
        self.btype: dict[str, str] = {}  # buffer -> its element type (float, half)
        self.piped = 0  # chunk loops pipelined
        self.nram_used = _nram_bytes(f)
        self.float_names = {p.name for p in f.params if isinstance(p.type, ir.Named) and
                            p.type.name.replace("const ", "").strip() == "float"} | \
            {v.name for n in f.body.walk() if isinstance(n, ir.Decl) for v in n.vars
             if isinstance(v.type, ir.Named) and v.type.name.replace("const ", "").strip() == "float"}

    def plan(self) -> dict[int, list[ir.Stmt]]:
        """The statements replacing each tensorized loop (by the loop's id); the buffers
        they use are in ``self.decls``. A loop bound to ``taskId`` whose body is
        element-wise is cut into chunks spread over the tasks; else, each innermost serial
        loop in the kernel whose body is element-wise (reductions allowed) is cut into
        chunks run one after another by the task that runs it."""
        table = SymbolTable(self.f, self.module)
        replace: dict[int, list[ir.Stmt]] = {}
        records: list[dict] = []
        self.mm_taken: set[int] = set()  # nodes of the nests the matrix lowering took
        plan_matmuls(self, table, replace, records)
        tasks = [n for n in self.f.body.walk() if isinstance(n, ir.For) and _task_loop(n)]
        for old in tasks:
            if id(old) in self.mm_taken:
                continue
            var, extent = _task_loop(old)
            nest = E.analyse(_stmts(old.body), var, table, reductions=True)
            shared = [s.name for s in (nest.stmts if nest else []) if isinstance(s, E.Reduce)
                      and self.space_of(s.name) != "local"]
            if shared:  # one accumulator for every task: not a per-task reduction
                nest = E.NotElementwise(f"the accumulator {shared[0]} is shared by the tasks")
            if nest:
                out = self.lower(nest, extent, "tasks")
                if not isinstance(out, str):
                    replace[id(old)] = [_spanned(st, old.span) or st for st in out[0]]
                    records.append({"kernel": self.f.name, "lines": _lines(old), "tensorized_into": out[1],
                                    "staged_in": ["nram"]})
                    continue
                why = out
            else:
                why = nest.reason + (f" (line {nest.line})" if nest.line else "")
            inner = self.inner_loops(old, table, replace, records)
            if not inner and not any(id(n) in self.mm_taken for n in old.walk()):
                records.append({"kernel": self.f.name, "lines": _lines(old), "not": [f"not tensorized: {why}"]})
        if not tasks:
            if not self.inner_loops(self.f.body, table, replace, records):
                records.append({"kernel": self.f.name, "lines": _lines(self.f),
                                "not": ["not tensorized: no loop bound to taskId and no element-wise inner loop"]})
        if (self.buffers or self.double or self.chunk_lits) and not self.finish():
            replace = {}
            records = [{"kernel": self.f.name, "lines": _lines(self.f),
                        "not": [f"not tensorized: {self.nbuf} NRAM buffers of 32 elements do not fit the NRAM "
                                f"the kernel leaves ({self.room} bytes)"]}]
        self.p.nests.extend(sorted(records, key=lambda r: tuple(r["lines"])))
        return replace

    def space_of(self, name: str) -> str:
        for n in self.f.walk():
            if isinstance(n, ir.Decl):
                for v in n.vars:
                    if v.name == name:
                        return v.space
        return "global" if any(p.name == name for p in self.f.params) else "unknown"

    def inner_loops(self, root: ir.Node, table: SymbolTable, replace: dict, records: list) -> int:
        """Tensorize the innermost serial loops under ``root``; the number tensorized (a
        loop that is not is recorded only when none is)."""
        done, whys = 0, []
        for n in root.walk():
            if not isinstance(n, ir.For) or n is root or _task_loop(n) or id(n) in self.mm_taken or \
                    any(isinstance(m, (ir.For, ir.While, ir.DoWhile)) for m in _stmts(n.body) for m in m.walk()):
                continue
            view = loop_view(n, table)
            if isinstance(view, NotCanonical) or view.step != 1 or not _is_zero(view.start):
                continue
            nest = E.analyse(_stmts(n.body), view.var, table, reductions=True)
            if not nest:
                whys.append((n, nest.reason + (f" (line {nest.line})" if nest.line else "")))
                continue
            out = self.lower(nest, view.end, "serial")
            if isinstance(out, str):
                whys.append((n, out))
                continue
            replace[id(n)] = [_spanned(st, n.span) or st for st in out[0]]
            self.lowered[id(n)] = (*self.last, view.end, out[1])
            done += 1
            records.append({"kernel": self.f.name, "lines": _lines(n), "tensorized_into": out[1],
                            "staged_in": ["nram"]})
        if done:
            for n, why in whys:
                records.append({"kernel": self.f.name, "lines": _lines(n), "not": [f"not tensorized: {why}"]})
            self.cache(root, replace)
        return done

    # ------------------------------------------------------------------ cache
    def cache(self, root: ir.Node, replace: dict) -> None:
        """Runs of tensorized loops over one extent, in one block, separated only by scalar
        statements, that share a stream (read twice, or stored then read): when the extent
        fits one chunk, the run executes with each stream copied into NRAM once and its
        stores copied out once at the end (``_Gen`` mode ``resident``); otherwise as
        chunks, as before::

            if (cols <= CH) { one copy in; every loop's calls on NRAM; one copy out }
            else { the chunked loops }
        """
        for blk in [n for n in root.walk() if isinstance(n, ir.Block)]:
            run: list[ir.Stmt] = []
            for st in list(blk.stmts) + [None]:
                if st is not None and (id(st) in self.lowered or (run and _scalar_only(st))):
                    run.append(st)
                    continue
                self.cache_run(run, replace)
                run = []

    def cache_run(self, run: list[ir.Stmt], replace: dict) -> None:
        while run and id(run[-1]) not in self.lowered:
            run = run[:-1]
        nests = [st for st in run if id(st) in self.lowered]
        if len(nests) < 2:
            return
        extent = self.lowered[id(nests[0])][3]
        if any(_txt(self.lowered[id(n)][3]) != _txt(extent) for n in nests):
            return
        seen: set = set()
        shared = False
        for n in nests:
            nest = self.lowered[id(n)][0]
            here = set(nest.streams_read) | set(nest.streams_written)
            shared |= bool(here & seen)
            seen |= here
        if not shared:
            return
        of_stream: dict = {}
        pending: dict = {}
        n_len, n_vlen = self.fresh("xp_n"), self.fresh("xp_vn")
        hoisted: list[ir.Stmt] = []
        resident: list[ir.Stmt] = [_decl(n_len, ir.clone(extent)),
                                   _decl(n_vlen, _round_up(_name(n_len), GRANULE_BYTES // 4))]
        chunked: list[ir.Stmt] = []
        g = None
        for st in run:
            if id(st) in self.lowered:
                nest, cover, reds, _, _ = self.lowered[id(st)]
                g = _Gen(self, nest, cover, extent, "resident", reds, of_stream=of_stream, pending=pending,
                         names=(n_len, n_vlen))
                resident.extend(_spanned(x, st.span) or x for x in g.body(nest.stmts))
                chunked.extend(replace[id(st)])
            else:  # a scalar statement: its declarations before the if, so what follows still sees them
                for branch in (resident, chunked):
                    branch.extend(_assigned_decl(st, hoisted if branch is resident else None))
        for stream, b in pending.items():
            resident.append(_spanned(g.copy_out(stream, b), run[0].span) or g.copy_out(stream, b))
        choice = ir.If(ir.Binary("<=", ir.clone(extent), self.chunk_lit()), ir.Block(resident), ir.Block(chunked))
        choice.span = run[0].span
        replace[id(run[0])] = hoisted + [choice]
        for st in run[1:]:
            replace[id(st)] = []
        lines = ", ".join(str(n.span.line) for n in nests if n.span)
        names = ", ".join(sorted({f"{x.buf}" for x in seen}))
        self.p.notes.append(f"{self.f.name}: the loops at lines {lines} keep {names} in NRAM when "
                            f"{_txt(extent)} fits one chunk (each copied in and out once)")

    def chunk_lit(self) -> ir.IntLit:
        lit = ir.IntLit(0)
        self.chunk_lits.append(lit)
        return lit

    def finish(self) -> bool:
        """Size the chunks now that every nest's buffers are known: one size for the
        kernel, a multiple of the granule, as large as the NRAM left allows."""
        self.nbuf = len(self.buffers) + 2 * len(self.double)
        per_elem = sum(_SIZE[self.btype[b]] for b in self.buffers) + 2 * sum(_SIZE[self.btype[b]] for b in self.double)
        self.room = self.rules["nram_bytes"] - self.rules["nram_stack_reserve_bytes"] - self.nram_used
        lanes = GRANULE_BYTES // 4
        ch = (self.room // per_elem) // lanes * lanes if self.nbuf else 0
        if ch < lanes:
            return False
        ch = min(ch, 1 << 16, max(lanes, self.chunk // lanes * lanes) if self.chunk else 1 << 16)
        for lit in self.chunk_lits:
            lit.value, lit.text = ch, str(ch)
        for b in self.buffers:
            self.decls.append(ir.Decl([ir.VarDecl(b, ir.Array(ir.Named(self.btype[b]), _int(ch)), space="nram")]))
        for b in self.double:
            self.decls.append(ir.Decl([ir.VarDecl(b, ir.Array(ir.Array(ir.Named(self.btype[b]), _int(ch)), _int(2)),
                                                  space="nram")]))
        return True

    # ------------------------------------------------------------------ one loop
    def lower(self, nest: E.Elementwise, extent: ir.Expr, mode: str) -> Union[str, tuple[list[ir.Stmt], list[str]]]:
        cands = tuple(t for t in templates("bang", nest.elem, self.arch)
                      if t.space == "nram" and t.pipeline == "compute" and not t.domain
                      and (self.approximate or t.accuracy == "exact"))
        # among templates of one pattern: the exact one, then the table's order
        cands = tuple(sorted(cands, key=lambda t: (-sum(1 for _ in t.pattern.walk()), t.accuracy != "exact",
                                                     not t.intrinsic.startswith("__bang_active_") or
                                                     not t.intrinsic.endswith("hp"), t.intrinsic)))
        notes: list[str] = []
        stmts = nest.stmts
        cover = Cover(nest, cands)
        reds = reductions("bang", nest.elem, self.arch)
        if "half" in nest.types and len(conversions("bang", self.arch)) < 2:
            return f"no exact half <-> float conversions on {self.arch}"
        for s in stmts:
            if isinstance(s, E.Reduce) and s.op not in reds:
                return f"no BANG {s.op} reduction on {self.arch}"
            if not s.invariant if isinstance(s, E.Def) else True:
                if cover.cost(s.value) is None and nest.kind(s.value) not in ("load", "temp"):
                    bad = cover.failed if cover.failed is not None else s.value
                    return f"{_txt(bad)} has no BANG intrinsic on {self.arch}"
        g = _Gen(self, nest, cover, extent, mode, reds)
        body = g.body(stmts)
        self.last = (nest, cover, reds)
        notes.extend(dict.fromkeys(g.rounding))
        for t in sorted(g.used_approx):
            notes.append(f"{t} is approximate on hardware (table-based); the oracle checked its exact formula")
        self.p.notes.extend(f"{self.f.name}: {n}" for n in notes)
        return body, sorted(g.used)

    def fresh(self, base: str) -> str:
        return fresh_name(base, self.taken)


_SIZE = {"float": 4, "half": 2}
_DTYPE = {"float": "float32", "half": "float16"}


def _take(pool: list[str], btype: dict[str, str], ty: str) -> Optional[str]:
    """The last free buffer of element type ``ty`` in ``pool`` (removed), or None."""
    for i in range(len(pool) - 1, -1, -1):
        if btype.get(pool[i]) == ty:
            return pool.pop(i)
    return None


def half_cast(e: ir.Expr) -> bool:
    """A conversion to half: ``(__half)f``, ``(half)f``."""
    return isinstance(e, ir.Cast) and isinstance(e.type, ir.Named) and e.type.name in E.HALF


def _scalar_only(s: ir.Stmt) -> bool:
    """A statement between loops of a cached run: scalar declarations and assignments that
    read and write no memory and call only pure math functions."""
    if isinstance(s, (ir.Comment, ir.Empty)):
        return True
    if not isinstance(s, (ir.Decl, ir.ExprStmt)):
        return False
    for n in s.walk():
        if isinstance(n, (ir.Index, ir.Launch, ir.OpaqueExpr)) or \
                (isinstance(n, ir.Unary) and n.op in ("*", "&")) or \
                (isinstance(n, ir.Call) and not (isinstance(n.callee, ir.Name) and n.callee.name in E.PURE)):
            return False
        if isinstance(n, ir.Assign) and not isinstance(n.target, ir.Name):
            return False
        if isinstance(n, ir.VarDecl) and (not isinstance(n.type, ir.Named) or n.space != "local"):
            return False
    return True


def _assigned_decl(s: ir.Stmt, hoisted: Optional[list[ir.Stmt]]) -> list[ir.Stmt]:
    """A scalar statement for one branch of a cached run: a declaration becomes an
    assignment, its (non-const) declaration going to ``hoisted`` once (given for one
    branch only); other statements are copied."""
    if not isinstance(s, ir.Decl):
        return [ir.clone(s)]
    out: list[ir.Stmt] = []
    for v in s.vars:
        if hoisted is not None:
            t = ir.clone(v.type)
            if isinstance(t, ir.Named):
                t.const = False
            hoisted.append(ir.Decl([ir.VarDecl(v.name, t)], span=s.span))
        if v.init is not None:
            out.append(ir.ExprStmt(ir.Assign("=", ir.Name(v.name), ir.clone(v.init)), span=s.span))
    return out


def _spanned(node: ir.Node, span: Optional[ir.Span]) -> None:
    """Give ``span`` to the nodes made for a source statement (provenance: the line of the
    statement, not of its loop)."""
    if span is None:
        return
    for n in node.walk():
        if n.span is None:
            n.span = span


def _nram_bytes(f: ir.Function) -> int:
    """NRAM the kernel already declares (constant sizes; float-sized elements assumed for the
    count where the element type is unknown)."""
    from .. import evaluate

    total = 0
    for n in f.walk():
        if isinstance(n, ir.Decl):
            for v in n.vars:
                if v.space == "nram" and isinstance(v.type, ir.Array) and v.type.size is not None:
                    try:
                        k = int(evaluate.evaluate(v.type.size, {}))
                    except Exception:  # noqa: BLE001
                        k = 0
                    total += k * _elem_bytes(v.type.elem)
    return total


def _elem_bytes(t: ir.CType) -> int:
    from .. import dtypes

    return dtypes.sizeof(t) or 4


class _Gen:
    """The chunk loop of one element-wise nest: buffers, copies and calls. ``mode``:
    ``tasks`` (the chunks spread over the tasks, a task's share rounded to the granule) or
    ``serial`` (one task runs them in order)."""

    def __init__(self, k: BangKernel, nest: E.Elementwise, cover: Cover, extent: ir.Expr, mode: str,
                 reds: dict[str, Reduction], of_stream: Optional[dict] = None, pending: Optional[dict] = None,
                 names: Optional[tuple[str, str]] = None):
        self.k, self.nest, self.cover, self.extent, self.mode, self.reds = k, nest, cover, extent, mode, reds
        self.elem = nest.elem
        self.lanes = GRANULE_BYTES // 4  # float
        # loaded (or stored) streams and their buffer; in mode "resident" shared by a run of
        # loops, with the stores copied out at its end (``pending``)
        self.of_stream: dict[E.Stream, str] = {} if of_stream is None else of_stream
        self.pending = pending
        held = set(self.of_stream.values())
        self.pool: list[str] = [b for b in reversed(k.buffers) if b not in held]  # free at a nest's start
        self.piped = k.pipeline and mode != "resident"
        self.dpool: list[str] = list(reversed(k.double))
        self.loaded: list[tuple[str, E.Stream]] = []
        self.of_temp: dict[str, str] = {}
        self.used: set[str] = {"__memcpy"}
        self.used_approx: set[str] = set()
        self.rounding: list[str] = []
        if mode == "resident":
            self.c = None  # one chunk: the whole extent
            self.len, self.vlen = names
        else:
            self.c = k.fresh("xp_c")
            self.len = k.fresh("xp_len")
            self.vlen = k.fresh("xp_vlen")

    def dbuffer(self, hint: str, ty: str = "float") -> str:
        """A double buffer for a stream copied in by a pipelined loop (``[2][CH]``)."""
        return self._allocate(self.dpool, self.k.double, hint, ty)

    def buffer(self, hint: str, ty: str = "float") -> str:
        """A free buffer of element type ``ty`` (a new one when none is free)."""
        return self._allocate(self.pool, self.k.buffers, hint, ty)

    def _allocate(self, pool: list[str], declared: list[str], hint: str, ty: str) -> str:
        got = _take(pool, self.k.btype, ty)
        if got:
            return got
        name = self.k.fresh(f"xp_{hint}")
        declared.append(name)
        self.k.btype[name] = ty
        return name

    def convert(self, b: str, to: str, out: list[ir.Stmt], hint: str) -> str:
        """``b``'s elements converted to ``to`` in a fresh buffer (the table's conversion that
        computes what C's does: exact, or to nearest even)."""
        frm = self.k.btype[b]
        name = conversions("bang", self.k.arch)[(_DTYPE[frm], _DTYPE[to])]
        dst = self.buffer(hint, to)
        self.used.add(name)
        out.append(_call(name, _name(dst), _name(b), _name(self.vlen)))
        return dst

    def chunk(self) -> ir.IntLit:
        lit = ir.IntLit(0)
        self.k.chunk_lits.append(lit)
        return lit

    def body(self, stmts: list) -> list[ir.Stmt]:
        inner: list[ir.Stmt] = []
        loads: list[ir.Stmt] = []
        # every stream read from memory: copied in at the start of the chunk
        stored: set[E.Stream] = set()
        for s in stmts:
            for n in s.value.walk():
                if id(n) in self.nest.loads:
                    st = self.nest.loads[id(n)]
                    if st not in stored and st not in self.of_stream:
                        b = self.dbuffer(st.buf, st.elem) if self.piped else self.buffer(st.buf, st.elem)
                        self.of_stream[st] = b
                        loads.append(self.copy_in(b, st))
                        self.loaded.append((b, st))
            if isinstance(s, E.Store):
                stored.add(s.stream)
        for s in stmts:
            first = len(inner)
            self.statement(s, inner)
            for st in inner[first:]:
                _spanned(st, s.span)
        if self.mode == "resident":
            return loads + inner
        x = self.extent
        head: list[ir.Stmt] = []
        if self.mode == "tasks":
            per, step = self.k.fresh("xp_per"), self.k.fresh("xp_step")
            head = [_decl(per, _round_up(ir.Binary("/", ir.Binary("+", ir.clone(x), ir.Binary(
                "-", _name("taskDim"), _int(1))), _name("taskDim")), self.lanes)),
                _decl(step, ir.Ternary(ir.Binary("<", _name(per), self.chunk()), _name(per), self.chunk()))]
            start, stride = ir.Binary("*", _name("taskId"), _name(step)), ir.Binary("*", _name("taskDim"), _name(step))
            length = _min(ir.Binary("-", ir.clone(x), _name(self.c)), _name(step))
        else:
            start, stride = _int(0), self.chunk()
            rest = ir.Binary("-", ir.clone(x), _name(self.c))
            length = ir.Ternary(ir.Binary("<", rest, self.chunk()), ir.clone(rest), self.chunk())
        chunk = [_decl(self.len, length)]
        if any(isinstance(n, ir.Name) and n.name == self.vlen for st in inner for n in st.walk()):
            chunk.append(_decl(self.vlen, _round_up(_name(self.len), self.lanes)))
        if self.piped and self.loaded:
            self.k.piped += 1
            self.used.update({"__memcpy_async", "__sync_io", "__sync_compute"})
            fresh_size = (lambda: _name(step)) if self.mode == "tasks" else self.chunk
            fresh_stride = (lambda: ir.Binary("*", _name("taskDim"), _name(step))) if self.mode == "tasks" \
                else self.chunk
            return head + pipelined(
                c=self.c, start=start, stride=fresh_stride, size=fresh_size, extent=x, head=chunk,
                loads=[(b, (lambda at, st=st: self._at(st, at)), ir.SizeOf(ir.Named(st.elem)))
                       for b, st in self.loaded],
                body=inner, double={b for b, _ in self.loaded}, fresh=self.k.fresh)
        loop = ir.For(ir.Decl([ir.VarDecl(self.c, ir.Named("int"), start)]),
                      ir.Binary("<", _name(self.c), ir.clone(x)),
                      ir.Assign("+=", _name(self.c), stride),
                      ir.Block(chunk + loads + inner))
        return head + [loop]

    def statement(self, s, inner: list[ir.Stmt]) -> None:
        """The calls (and copies out) of one statement of the body, appended to ``inner``."""
        if isinstance(s, E.Def):
            if s.invariant:
                inner.append(_decl(s.name, ir.clone(s.value), s.type))
                return
            b, _ = self.vector(s.value, inner, s.name)
            want = "half" if s.type in E.HALF else "float"
            if self.k.btype[b] != want:  # float t = h; (C converts on the assignment)
                b = self.convert(b, want, inner, s.name)
            self.of_temp[s.name] = b  # a load's or a temporary's buffer is never written in place
        elif isinstance(s, E.Store):
            b, _ = self.vector(s.value, inner, s.stream.buf)
            if self.k.btype[b] != s.stream.elem:  # out[i] = f; into a half buffer (C converts)
                b = self.convert(b, s.stream.elem, inner, s.stream.buf)
            if self.pending is not None:
                self.pending[s.stream] = b  # copied out once, at the end of the run
            else:
                inner.append(self.copy_out(s.stream, b))
            self.of_stream[s.stream] = b  # later reads of the stream see the stored value
        else:
            b, owned = self.vector(s.value, inner, s.name)
            inner.extend(self.reduce(s, b))
            if owned:
                self.pool.append(b)

    def reduce(self, s: E.Reduce, b: str) -> list[ir.Stmt]:
        """``acc`` combined with the chunk's reduction (its ``len`` elements: the padding
        lanes hold no data)."""
        r = self.reds[s.op]
        self.used.add(r.intrinsic)
        args = {"v0": _name(b), "n": _name(self.len)}
        if r.returns:
            value: ir.Expr = ir.Call(_name(r.intrinsic), [args[x] for x in r.roles])
            out: list[ir.Stmt] = []
        else:
            tmp = self.buffer("red")
            self.pool.append(tmp)  # (free again once its value is read below)
            out = [_call(r.intrinsic, *[_name(tmp) if x == "dst" else args[x] for x in r.roles])]
            value = ir.Index(_name(tmp), _int(0))
        acc = _name(s.name)
        if s.op == "sum":
            out.append(ir.ExprStmt(ir.Assign("+=", acc, value)))
        else:
            fn = "fmaxf" if s.op == "max" else "fminf"
            out.append(ir.ExprStmt(ir.Assign("=", acc, ir.Call(_name(fn), [_name(s.name), value]))))
        return out

    def _at(self, st: E.Stream, at: ir.Expr) -> ir.Expr:
        """The address of stream ``st`` at chunk start ``at``."""
        off = st.offset
        zero = isinstance(off, ir.IntLit) and off.value == 0
        return ir.Binary("+", _name(st.buf), at if zero else ir.Binary("+", at, ir.clone(off)))

    def _where(self, st: E.Stream) -> ir.Expr:
        off = st.offset
        zero = isinstance(off, ir.IntLit) and off.value == 0
        if self.c is None:
            return _name(st.buf) if zero else ir.Binary("+", _name(st.buf), ir.clone(off))
        at = _name(self.c) if zero else ir.Binary("+", _name(self.c), ir.clone(off))
        return ir.Binary("+", _name(st.buf), at)

    def _bytes(self, ty: str) -> ir.Expr:
        return ir.Binary("*", _name(self.len), ir.SizeOf(ir.Named(ty)))

    def copy_in(self, b: str, st: E.Stream) -> ir.Stmt:
        return _call("__memcpy", _name(b), self._where(st), self._bytes(st.elem), _name("GDRAM2NRAM"))

    def copy_out(self, st: E.Stream, b: str) -> ir.Stmt:
        return _call("__memcpy", self._where(st), _name(b), self._bytes(st.elem), _name("NRAM2GDRAM"))

    def vector(self, e: ir.Expr, out: list[ir.Stmt], hint: str) -> tuple[str, bool]:
        """The buffer holding ``e`` for the chunk, and whether it is a fresh one (a scratch
        this expression owns, free to be written in place)."""
        k = self.nest.kind(e)
        if k == "load":
            st = self.nest.loads[id(e)]
            return self.of_stream[st], False
        if k == "temp":
            return self.of_temp[e.name], False
        if k == "invariant":
            b = self.buffer(hint)
            fill = self.cover.fill
            out.append(self.call(fill, b, {"$s": e}))
            return b, True
        if half_cast(e):  # (__half)f: to half, rounded as C rounds
            b, mine = self.vector(e.operand, out, hint)
            if self.k.btype[b] == "half":
                return b, mine
            h = self.convert(b, "half", out, hint)
            if mine:
                self.pool.append(b)
            return h, True
        if float_cast(e):
            b, mine = self.vector(e.operand, out, hint)
            if self.k.btype[b] == "half":  # (float)h: exact
                f = self.convert(b, "float", out, hint)
                if mine:
                    self.pool.append(b)
                return f, True
            if e.type.name != self.elem:
                self.rounding.append(f"{_txt(e)} computed in {self.elem}")
            return b, mine
        c = self.cover.choose(e)
        assert c is not None  # the cover was checked before generating
        if c.note:
            self.rounding.append(c.note)
        args: dict[str, str] = {}
        owned: list[str] = []
        for slot in sorted(s for s in c.slots if s.startswith("$v")):
            b, mine = self.vector(c.slots[slot], out, hint)
            args[slot] = b
            if mine:
                owned.append(b)
        dst = owned[0] if owned and c.template.in_place else self.buffer(hint)
        for b in owned:
            if b != dst:
                self.pool.append(b)
        out.append(self.call(c.template, dst, {**{s: _name(b) for s, b in args.items()},
                                               **({"$s": c.slots["$s"]} if "$s" in c.slots else {})}))
        return dst, True

    def scalar(self, e: ir.Expr) -> ir.Expr:
        """``e`` as the element type: the fill takes its element type from its value's type
        (``__bang_write_value``), so a value of another type is cast."""
        if isinstance(e, ir.FloatLit) and e.text.lower().endswith("f") or \
                (isinstance(e, ir.Name) and e.name in self.k.float_names):
            return ir.clone(e)
        return ir.Cast(ir.Named(self.elem), ir.clone(e))

    def call(self, t: Template, dst: str, slots: dict[str, ir.Expr]) -> ir.Stmt:
        self.used.add(t.intrinsic)
        if t.accuracy != "exact":
            self.used_approx.add(t.intrinsic)
        args: list[ir.Expr] = []
        for r in t.roles:
            if r == "dst":
                args.append(_name(dst))
            elif r == "n":
                args.append(_name(self.vlen))
            elif r == "s":
                args.append(self.scalar(slots["$s"]))
            else:
                args.append(ir.clone(slots[f"${r}"]))
        return _call(t.intrinsic, *args)
