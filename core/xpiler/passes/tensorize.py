"""``tensorize``: element-wise loops of a bound kernel become the target's vector code,
staged through on-chip memory where the target has it.

    before (bound to BANG by bind):
        __mlu_global__ void k(const float *x, float *y, float a, int n) {
            for (int i0 = taskId; i0 < n; i0 += taskDim) {
                int i = i0;
                y[i] = a * x[i] + y[i];
            }
        }
    after (target bang; CH from the arch's NRAM, here mtp_372):
        __mlu_global__ void k(const float *x, float *y, float a, int n) {
            __nram__ float xp_x[CH];
            __nram__ float xp_y[CH];
            int xp_per = ((n + taskDim - 1) / taskDim + 31) / 32 * 32;
            int xp_step = xp_per < CH ? xp_per : CH;
            for (int xp_c = taskId * xp_step; xp_c < n; xp_c += taskDim * xp_step) {
                int xp_len = n - xp_c < xp_step ? n - xp_c : xp_step;
                int xp_vlen = (xp_len + 31) / 32 * 32;
                __memcpy(xp_x, x + xp_c, xp_len * sizeof(float), GDRAM2NRAM);
                __memcpy(xp_y, y + xp_c, xp_len * sizeof(float), GDRAM2NRAM);
                __bang_mul_scalar(xp_x, xp_x, a, xp_vlen);     (in place: the table allows overlap)
                __bang_add(xp_y, xp_x, xp_y, xp_vlen);
                __memcpy(y + xp_c, xp_y, xp_len * sizeof(float), NRAM2GDRAM);
            }
        }

A loop is tensorized when its body is element-wise (``analysis/elementwise``: every access
at the loop index plus a constant, no control flow, one float element type) and every
expression of it is covered by the dialect's element-wise templates
(``dialects/templates``: each intrinsic's lane expression, read from its semantics in the
table). The cover is the cheapest (fewest calls) over all templates matching at each
node, ``+`` and ``*`` matched in either operand order; a loop-invariant operand binds a
template's scalar slot, or is broadcast into NRAM (the table's fill, ``__bang_write_value``)
where only a two-vector form exists (``a - x[i]``). Two rewrites make more expressions
coverable, each exact in IEEE arithmetic or said in the notes: ``-e`` is ``e * -1.0f``
(exact); ``e / s`` with ``s`` loop-invariant is ``e * (1.0f / s)`` where the target has no
division intrinsic (two roundings: the notes say so).

BANG specifics: the loop's iterations are cut into chunks of a multiple of 32 elements (128
bytes, the vector unit's granule: bang.md 2.3), the same chunk size for every task, as
large as the arch's NRAM allows after what the kernel already declares (the arch's
``nram_bytes`` less ``nram_stack_reserve_bytes``) and no larger than a task's even share.
Vector intrinsics run on the chunk rounded up to 32 elements; the lanes past the data are
computed and never copied back. Intrinsics the table marks ``approximate`` on hardware
(table-based activations such as ``__bang_active_sigmoid``) are used only with
``approximate=true`` (the default) and named in the notes, since the oracle checks the
emulator's exact formula; an intrinsic with a documented input range (``__bang_active_recip``:
[0.0078125, 65472]) is never used.

Other targets are not tensorized yet: their loops are reported (``not tensorized: ...``)
so the translation's nest records say so.

Preconditions: ``bound`` (the module speaks the target dialect: run ``bind`` first),
``arch`` (a known MLU arch).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional, Union

from .. import dialects, ir
from ..analysis import elementwise as E
from ..analysis.symbols import SymbolTable
from ..dialects.bang import intrinsics as bang_table
from ..dialects.templates import Template, templates
from .base import BOOL, NAME, Param, Pass, Precondition, Refusal, Space, fresh_name, register

#: the BANG vector unit's granule: vector operations run on multiples of 128 bytes
GRANULE_BYTES = 128


@register
class Tensorize(Pass):
    """Element-wise loops of a bound kernel become the target's vector code (module docstring)."""

    name = "tensorize"
    stage = "lower"
    params = (Param("kernel", NAME, "tensorize in this kernel only", default=""),
              Param("arch", Space.one_of(*bang_table.ARCHS), "the MLU model (NRAM size, intrinsics)",
                    default="mtp_372"),
              Param("approximate", BOOL, "use intrinsics that are approximate on hardware (table-based "
                    "activations)", default=True))
    requires = (Precondition("bound", "the module speaks the target dialect (run bind first)"),)

    def preconditions(self, module: ir.Module, target: Optional[str], **params) -> Iterator[Refusal]:
        if target is None or module.dialect != target:
            yield self.refuse("bound", f"the module is {module.dialect}, not {target}: run bind first")

    def rewrite(self, module: ir.Module, target: Optional[str], kernel: str = "", arch: str = "mtp_372",
                approximate: bool = True) -> ir.Module:
        self.notes: list[str] = []
        self.nests: list[dict] = []
        chosen = {k.name for k in module.kernels if not kernel or k.name == kernel}
        taken = {n.name for n in module.walk() if isinstance(n, ir.Name)} | \
            {v.name for n in module.walk() if isinstance(n, ir.Decl) for v in n.vars}

        replace: dict[int, list[ir.Stmt]] = {}  # id(input loop) -> its statements
        decls: dict[str, list[ir.Stmt]] = {}  # kernel -> buffers declared at its top
        for f in module.functions:
            if f.name not in chosen or f.body is None:
                continue
            if target == "bang":
                k = _BangKernel(self, module, f, arch, approximate, taken)
                replace.update(k.plan())
                if k.decls:
                    decls[f.name] = k.decls
            else:
                self._report_untouched(f, target)

        def fn(n: ir.Node, old: ir.Node):
            if id(old) in replace:
                return replace[id(old)]
            if isinstance(n, ir.Function) and n.name in decls and n.body is not None:
                n.body.stmts = decls[n.name] + n.body.stmts
            return None

        return self.transform(module, fn, with_original=True)

    def _report_untouched(self, f: ir.Function, target: str) -> None:
        why = {"c": "C: left to the compiler's vectoriser (gcc -O3)",
               "cuda": "CUDA: tensorize has no CUDA lowering yet (the bound loop runs one element per thread)",
               "hip": "HIP: tensorize has no HIP lowering yet (the bound loop runs one element per thread)",
               "vnni": "VNNI: tensorize has no AVX-512 lowering yet"}.get(target, f"{target}: not handled")
        self.nests.append({"kernel": f.name, "lines": _lines(f), "not": [f"not tensorized: {why}"]})

    def apply(self, module, target=None, **params):
        r = super().apply(module, target, **params)
        r.notes.extend(getattr(self, "notes", []))
        r.nests = list(getattr(self, "nests", []))
        return r


def _lines(n: ir.Node) -> tuple[int, int]:
    return (n.span.line, n.span.end_line) if n.span else (0, 0)


# ----------------------------------------------------------------------------- the cover
@dataclass
class Choice:
    """How one expression node is computed: a template call over its operands."""

    template: Template
    slots: dict[str, ir.Expr]
    cost: int
    note: str = ""  # a rewrite that is not exact, said in the pass notes


class Cover:
    """The cheapest cover of element-wise expressions by a dialect's templates."""

    def __init__(self, nest: E.Elementwise, candidates: tuple[Template, ...]):
        self.nest = nest
        self.candidates = candidates
        self._memo: dict[int, Optional[Choice]] = {}
        self.fill = next((t for t in candidates if t.roles.count("s") == 1 and t.vectors == 0
                          and isinstance(t.pattern, ir.Name)), None)
        self.failed: Optional[ir.Expr] = None
        self._keep: list[ir.Expr] = []

    def cost(self, e: ir.Expr) -> Optional[int]:
        """Calls needed to have ``e`` in a vector buffer (0 for a load or a temporary)."""
        k = self.nest.kind(e)
        if k in ("load", "temp"):
            return 0
        if k == "invariant":
            return 1 if self.fill is not None else None
        c = self.choose(e)
        return c.cost if c else None

    def choose(self, e: ir.Expr) -> Optional[Choice]:
        if id(e) in self._memo:
            return self._memo[id(e)]
        self._memo[id(e)] = None  # (no cycles in a tree; guards re-entry)
        best = self._direct(e)
        for form, note in _rewrites(e, self.nest):
            self._keep.append(form)  # (memo keys are ids: keep the forms alive)
            c = self._direct(form)
            if c is not None and (best is None or c.cost < best.cost):
                best = Choice(c.template, c.slots, c.cost, note or c.note)
        self._memo[id(e)] = best
        if best is None and self.failed is None:
            self.failed = e
        return best

    def _direct(self, e: ir.Expr) -> Optional[Choice]:
        best: Optional[Choice] = None
        for t in self.candidates:
            if t.vectors == 0:
                continue
            for slots in _matches(t.pattern, e, {}):
                if "$s" in slots and not self.nest.invariant(slots["$s"]):
                    continue
                total, ok = 1, True
                for name, sub in slots.items():
                    if name.startswith("$v"):
                        c = self.cost(sub)
                        if c is None:
                            ok = False
                            break
                        total += c
                if ok and (best is None or total < best.cost):
                    best = Choice(t, slots, total)
        return best


def _rewrites(e: ir.Expr, nest: E.Elementwise) -> Iterator[tuple[ir.Expr, str]]:
    """Equal forms of ``e`` a template may cover (their operands are ``e``'s own nodes), each
    with a note when it rounds differently: ``-v`` is ``v * -1.0f`` (exact);
    ``a / b`` is ``a * (1.0f / b)`` (two roundings; not tried when ``a`` is 1)."""
    one = ir.FloatLit(1.0, "1.0f")
    if isinstance(e, ir.Unary) and e.op == "-":
        yield ir.Binary("*", e.operand, ir.Unary("-", ir.FloatLit(1.0, "1.0f"))), ""
    if isinstance(e, ir.Binary) and e.op == "/" and not (isinstance(e.lhs, (ir.FloatLit, ir.IntLit))
                                                          and float(e.lhs.value) == 1.0):
        yield ir.Binary("*", e.lhs, ir.Binary("/", one, e.rhs)), \
            f"{_txt(e)} computed as a product with a reciprocal (two roundings)"


def _strip(e: ir.Expr) -> ir.Expr:
    """A literal without its cast to float (``(float)0`` is the pattern's ``0.0f``)."""
    while isinstance(e, ir.Cast) and isinstance(e.type, ir.Named) and e.type.name in ("float",) and \
            isinstance(e.operand, (ir.FloatLit, ir.IntLit)):
        e = e.operand
    return e


def _matches(p: ir.Expr, e: ir.Expr, b: dict[str, ir.Expr]) -> Iterator[dict[str, ir.Expr]]:
    """Every binding of the pattern's slots that makes ``p`` the expression ``e``."""
    e = _strip(e)
    if isinstance(p, ir.Name) and p.name.startswith("$"):
        if p.name in b:
            if _same(b[p.name], e):
                yield b
            return
        yield {**b, p.name: e}
        return
    if isinstance(p, ir.FloatLit):
        if isinstance(e, (ir.FloatLit, ir.IntLit)) and float(e.value) == float(p.value):
            yield b
        return
    if isinstance(p, ir.Unary):
        if isinstance(p.operand, (ir.FloatLit, ir.IntLit)) and p.op == "-":  # -1.0f
            if isinstance(e, ir.Unary) and e.op == "-" and isinstance(e.operand, (ir.FloatLit, ir.IntLit)) and \
                    float(e.operand.value) == float(p.operand.value):
                yield b
            return
        if isinstance(e, ir.Unary) and e.op == p.op:
            yield from _matches(p.operand, e.operand, b)
        return
    if isinstance(p, ir.Binary):
        if isinstance(e, ir.Binary) and e.op == p.op:
            for b1 in _matches(p.lhs, e.lhs, b):
                yield from _matches(p.rhs, e.rhs, b1)
            if p.op in ("+", "*"):
                for b1 in _matches(p.lhs, e.rhs, b):
                    yield from _matches(p.rhs, e.lhs, b1)
        return
    if isinstance(p, ir.Call):
        if isinstance(e, ir.Call) and isinstance(e.callee, ir.Name) and isinstance(p.callee, ir.Name) and \
                e.callee.name == p.callee.name and len(e.args) == len(p.args):
            yield from _seq(p.args, e.args, b)
        return
    if isinstance(p, ir.Ternary):
        if isinstance(e, ir.Ternary):
            yield from _seq([p.cond, p.then, p.other], [e.cond, e.then, e.other], b)
        return
    if _same(p, e):
        yield b


def _seq(ps: list[ir.Expr], es: list[ir.Expr], b: dict) -> Iterator[dict]:
    if not ps:
        yield b
        return
    for b1 in _matches(ps[0], es[0], b):
        yield from _seq(ps[1:], es[1:], b1)


def _same(a: ir.Expr, b: ir.Expr) -> bool:
    return a == b


def _txt(e: ir.Node) -> str:
    return E._text(e)


# ----------------------------------------------------------------------------- BANG
def _task_loop(s: ir.Stmt) -> Optional[tuple[str, ir.Expr]]:
    """``for (int v = taskId; v < X; v += taskDim)``: (v, X)."""
    if not isinstance(s, ir.For) or not isinstance(s.init, ir.Decl) or len(s.init.vars) != 1:
        return None
    v = s.init.vars[0]
    if not (isinstance(v.init, ir.Name) and v.init.name == "taskId"):
        return None
    c, st = s.cond, s.step
    if not (isinstance(c, ir.Binary) and c.op == "<" and isinstance(c.lhs, ir.Name) and c.lhs.name == v.name):
        return None
    if not (isinstance(st, ir.Assign) and st.op == "+=" and isinstance(st.target, ir.Name) and
            st.target.name == v.name and isinstance(st.value, ir.Name) and st.value.name == "taskDim"):
        return None
    if any(isinstance(n, ir.Name) and n.name == v.name for n in c.rhs.walk()):
        return None
    return v.name, c.rhs


class _BangKernel:
    def __init__(self, p: Tensorize, module: ir.Module, f: ir.Function, arch: str, approximate: bool,
                 taken: set[str]):
        self.p, self.module, self.f = p, module, f
        self.arch, self.approximate, self.taken = arch, approximate, taken
        self.rules = bang_table.ARCH_RULES[arch]
        self.decls: list[ir.Stmt] = []  # __nram__ buffers, at the top of the kernel
        self.nram_used = _nram_bytes(f)
        self.float_names = {p.name for p in f.params if isinstance(p.type, ir.Named) and
                            p.type.name.replace("const ", "").strip() == "float"} | \
            {v.name for n in f.body.walk() if isinstance(n, ir.Decl) for v in n.vars
             if isinstance(v.type, ir.Named) and v.type.name.replace("const ", "").strip() == "float"}

    def plan(self) -> dict[int, list[ir.Stmt]]:
        """The statements replacing each tensorized loop (by the loop's id); the buffers
        they use are in ``self.decls``."""
        table = SymbolTable(self.f, self.module)
        loops = [n for n in self.f.body.walk() if isinstance(n, ir.For) and _task_loop(n)]
        if not loops:
            self.p.nests.append({"kernel": self.f.name, "lines": _lines(self.f),
                                 "not": ["not tensorized: no loop bound to taskId (see the bind pass notes)"]})
            return {}
        replace: dict[int, list[ir.Stmt]] = {}
        for old in loops:
            var, extent = _task_loop(old)
            body = old.body.stmts if isinstance(old.body, ir.Block) else [old.body]
            nest = E.analyse(body, var, table)
            if not nest:
                where = f" (line {nest.line})" if nest.line else ""
                self.p.nests.append({"kernel": self.f.name, "lines": _lines(old),
                                     "not": [f"not tensorized: {nest.reason}{where}"]})
                continue
            out = self.lower(nest, extent, old)
            if isinstance(out, str):
                self.p.nests.append({"kernel": self.f.name, "lines": _lines(old), "not": [f"not tensorized: {out}"]})
                continue
            stmts, used = out
            replace[id(old)] = stmts
            self.p.nests.append({"kernel": self.f.name, "lines": _lines(old), "tensorized_into": used,
                                 "staged_in": ["nram"]})
        return replace

    # ------------------------------------------------------------------ one loop
    def lower(self, nest: E.Elementwise, extent: ir.Expr, loop: ir.For) -> Union[str, tuple[list[ir.Stmt], list[str]]]:
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
        for s in stmts:
            if not s.invariant if isinstance(s, E.Def) else True:
                if cover.cost(s.value) is None:
                    bad = cover.failed if cover.failed is not None else s.value
                    return f"{_txt(bad)} has no BANG intrinsic on {self.arch}"
        g = _Gen(self, nest, cover, extent)
        try:
            body = g.body(stmts)
        except _NoRoom as e:
            return str(e)
        notes.extend(dict.fromkeys(g.rounding))
        for t in sorted(g.used_approx):
            notes.append(f"{t} is approximate on hardware (table-based); the oracle checked its exact formula")
        self.p.notes.extend(f"{self.f.name}: {n}" for n in notes)
        return body, sorted(g.used)

    def fresh(self, base: str) -> str:
        return fresh_name(base, self.taken)


class _NoRoom(Exception):
    pass


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


def _name(n: str) -> ir.Name:
    return ir.Name(n)


def _int(v: int) -> ir.IntLit:
    return ir.IntLit(v)


def _call(fn: str, *args: ir.Expr) -> ir.ExprStmt:
    return ir.ExprStmt(ir.Call(ir.Name(fn), list(args)))


def _decl(name: str, init: ir.Expr, ty: str = "int") -> ir.Decl:
    return ir.Decl([ir.VarDecl(name, ir.Named(ty), init)])


def _min(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.Ternary(ir.Binary("<", a, b), ir.clone(a), ir.clone(b))


def _round_up(e: ir.Expr, k: int) -> ir.Expr:
    return ir.Binary("*", ir.Binary("/", ir.Binary("+", e, _int(k - 1)), _int(k)), _int(k))


class _Gen:
    """The chunk loop of one element-wise nest: buffers, copies and calls."""

    def __init__(self, k: _BangKernel, nest: E.Elementwise, cover: Cover, extent: ir.Expr):
        self.k, self.nest, self.cover, self.extent = k, nest, cover, extent
        self.elem = nest.elem
        self.lanes = GRANULE_BYTES // 4  # float
        self.buffers: list[str] = []  # every NRAM buffer of this nest, in order
        self.pool: list[str] = []  # scratch buffers free for reuse
        self.of_stream: dict[E.Stream, str] = {}  # loaded (or stored) streams and their buffer
        self.of_temp: dict[str, str] = {}
        self.used: set[str] = {"__memcpy"}
        self.used_approx: set[str] = set()
        self.rounding: list[str] = []
        self.c = k.fresh("xp_c")
        self.len = k.fresh("xp_len")
        self.vlen = k.fresh("xp_vlen")

    def buffer(self, hint: str) -> str:
        if self.pool:
            return self.pool.pop()
        name = self.k.fresh(f"xp_{hint}")
        self.buffers.append(name)
        return name

    def body(self, stmts: list[Union[E.Def, E.Store]]) -> list[ir.Stmt]:
        inner: list[ir.Stmt] = []
        loads: list[ir.Stmt] = []
        # every stream read from memory: copied in at the start of the chunk
        stored: set[E.Stream] = set()
        for s in stmts:
            for n in s.value.walk():
                if id(n) in self.nest.loads:
                    st = self.nest.loads[id(n)]
                    if st not in stored and st not in self.of_stream:
                        b = self.buffer(st.buf)
                        self.of_stream[st] = b
                        loads.append(self.copy_in(b, st))
            if isinstance(s, E.Store):
                stored.add(s.stream)
        self.loaded = dict(self.of_stream)
        for s in stmts:
            if isinstance(s, E.Def):
                if s.invariant:
                    inner.append(_decl(s.name, ir.clone(s.value), s.type))
                    continue
                b, owned = self.vector(s.value, inner, s.name)
                if not owned:  # an alias of a load or another temporary: stays valid (never written in place)
                    self.of_temp[s.name] = b
                else:
                    self.of_temp[s.name] = b
            else:
                b, owned = self.vector(s.value, inner, s.stream.buf)
                inner.append(self.copy_out(s.stream, b))
                self.of_stream[s.stream] = b  # later reads of the stream see the stored value
                if owned:
                    pass  # the stream now owns it (read again after the store)
        # sizes
        nbuf = len(self.buffers)
        room = self.k.rules["nram_bytes"] - self.k.rules["nram_stack_reserve_bytes"] - self.k.nram_used
        ch = (room // (nbuf * 4)) // self.lanes * self.lanes if nbuf else 0
        if ch < self.lanes:
            raise _NoRoom(f"{nbuf} NRAM buffers do not fit the {room} bytes of NRAM left")
        ch = min(ch, 1 << 20)
        self.k.nram_used += nbuf * ch * 4
        for b in self.buffers:
            v = ir.VarDecl(b, ir.Array(ir.Named(self.elem), _int(ch)), space="nram")
            self.k.decls.append(ir.Decl([v]))
        per, step = self.k.fresh("xp_per"), self.k.fresh("xp_step")
        x = self.extent
        head = [_decl(per, _round_up(ir.Binary("/", ir.Binary("+", ir.clone(x), ir.Binary("-", _name("taskDim"),
                                                                                            _int(1))),
                                                 _name("taskDim")), self.lanes)),
                _decl(step, _min(_name(per), _int(ch)))]
        chunk = [_decl(self.len, _min(ir.Binary("-", ir.clone(x), _name(self.c)), _name(step))),
                 _decl(self.vlen, _round_up(_name(self.len), self.lanes))]
        loop = ir.For(ir.Decl([ir.VarDecl(self.c, ir.Named("int"), ir.Binary("*", _name("taskId"), _name(step)))]),
                      ir.Binary("<", _name(self.c), ir.clone(x)),
                      ir.Assign("+=", _name(self.c), ir.Binary("*", _name("taskDim"), _name(step))),
                      ir.Block(chunk + loads + inner))
        return head + [loop]

    def _where(self, st: E.Stream) -> ir.Expr:
        off = st.offset
        at = _name(self.c) if isinstance(off, ir.IntLit) and off.value == 0 else \
            ir.Binary("+", _name(self.c), ir.clone(off))
        return ir.Binary("+", _name(st.buf), at)

    def _bytes(self) -> ir.Expr:
        return ir.Binary("*", _name(self.len), ir.SizeOf(ir.Named(self.elem)))

    def copy_in(self, b: str, st: E.Stream) -> ir.Stmt:
        return _call("__memcpy", _name(b), self._where(st), self._bytes(), _name("GDRAM2NRAM"))

    def copy_out(self, st: E.Stream, b: str) -> ir.Stmt:
        return _call("__memcpy", self._where(st), _name(b), self._bytes(), _name("NRAM2GDRAM"))

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
