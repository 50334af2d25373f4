"""``scalarize``: the lane loops ``detensorize`` makes of a VNNI kernel become flat scalar loops
(the lift stage for VNNI, after ``detensorize`` and ``loop_canon``).

``detensorize`` turns each intrinsic into the lane loop of its table semantics, vector values
staying GCC vector locals read through lane views (``((xp_ma_float *)&v)[l]``). The hub is
right but shaped for nobody: one short lane loop per intrinsic, inside the source's strip
loop. This pass gives later passes (``fuse``, ``bind``, ``tensorize``) the loop they look for::

    before (relu, one zmm per step):
        for (; i + 16 <= n; i += 16) {
            const void *xp2_mem_addr = x + i;
            __m512 xp2_r;
            for (int xp2_i = 0; xp2_i < 16; ++xp2_i)
                ((xp_ma_float *)&xp2_r)[xp2_i] = ((const float *)xp2_mem_addr)[xp2_i];
            __m512 xp4_r;
            for (int xp4_i = 0; xp4_i < 16; ++xp4_i)
                ((xp_ma_float *)&xp4_r)[xp4_i] = ((xp_ma_float *)&xp2_r)[xp4_i] > 0 ? ... : ...;
            void *xp5_mem_addr = out + i;
            for (int xp5_i = 0; xp5_i < 16; ++xp5_i)
                ((float *)xp5_mem_addr)[xp5_i] = ((xp_ma_float *)&xp4_r)[xp5_i];
        }
    after:
        if (16 <= n) {
            for (int j = 0; j < n / 16 * 16; ++j) {
                float xp2_r = x[j];
                float xp4_r = xp2_r > (float)0 ? xp2_r : (float)0;
                out[j] = xp4_r;
            }
            i = n / 16 * 16;
        }

Four rewrites, each exact under the condition named with it (a loop or run that fails one is
left as it is, the condition and the reason in the pass notes):

1. ``uniform``: a vector local filled by one lane loop with one literal (``_mm512_set1_ps``,
   ``_mm512_setzero_ps``), or a copy of such a vector, that is never written again: its lane
   reads become the literal (cast to the lane type).
2. ``fusable``: a run of consecutive statements of one block -- lane loops over the same
   constant range ``0..W``, declarations of vector locals, whole-vector copies (``v = r``),
   pure scalar or address declarations used only in the run, nested blocks whose names are
   used nowhere else -- becomes one lane loop (copies as lane copies, declarations per lane)
   when the fused loop carries no dependence (``analysis/dependence``, distinct pointer
   parameters not aliasing, as ``bind`` assumes): every dependence is then between the
   statements of one lane, which keep their order.
3. ``scalar``: a vector local whose every use lies in one fused loop, read and written at its
   lane index only, becomes a scalar local of the lane type in the loop's body. An address
   local ``T *p = base + off`` read as ``((T *)p)[e]`` becomes ``base[off + e]``.
4. ``strip``: a strip loop whose body is one lane loop of its own step ``W``, every use of the
   strip variable and the lane variable being in subscripts that read ``i + l`` (same
   coefficient), becomes one flat loop over the elements:
   ``for (; i + W <= n; i += W)`` -> ``if (i + W <= n) { for (j = i; j < i + (n - i) / W * W; ++j) S(j); i += ...; }``
   (``i`` known 0 before: ``n / W * W``, and no ``if`` for an unsigned ``n``);
   ``for (int i = 0; i < b; i += W)`` -> ``for (int i = 0; i < (b + W - 1) / W * W; ++i)``.
   A loop the source unrolled (two lane loops at ``i`` and ``i + 16`` under a step of 32) is
   fused into one lane loop of two groups that differ by 16: the groups become one lane loop
   of 32 when they are the same computation (after renaming locals) at offsets 0, 16, ..., and
   touch disjoint elements (``unrolled``).

Not done, with the reason in the notes: reductions (a vector accumulator live across strips
reads lane ``l`` at every strip: the strip variable and the lane do not form one index), and
masked tails (``if ((k >> l) & 1)`` with ``k = (1 << (n - i)) - 1``): they stay lane loops.
"""
from __future__ import annotations

import re
from typing import Iterator, Optional

from .. import ir
from ..analysis import dependence
from ..analysis.affine import Affine, affine_of
from ..analysis.loops import NotCanonical, loop_view
from .base import NAME, Param, Pass, Precondition, Refusal, fresh_name, register

_VEC_BYTES = {"__m512": 64, "__m512i": 64, "__m512d": 64, "__m256": 32, "__m256i": 32, "__m256d": 32,
              "__m128": 16, "__m128i": 16, "__m128d": 16}
_LANE_BYTES = {"float": 4, "double": 8, "int8_t": 1, "uint8_t": 1, "int16_t": 2, "uint16_t": 2, "int32_t": 4,
               "uint32_t": 4, "int64_t": 8, "uint64_t": 8}
_PURE_MATH = re.compile(r"^(?:f?(?:max|min|abs)f?|sqrtf?|expf?|exp2f?|logf?|log2f?|tanhf?|fmaf?|ldexpf?|nearbyintf?|"
                        r"floorf?|ceilf?|truncf?|roundf?|isnan|isinf|copysignf?|fabsf?|rintf?|sinf?|cosf?)$")




class _No(Exception):
    """A run or loop that does not qualify: the precondition and why."""

    def __init__(self, precondition: str, detail: str):
        super().__init__(detail)
        self.precondition, self.detail = precondition, detail


@register
class Scalarize(Pass):
    """Lane loops of a detensorized VNNI kernel become flat scalar loops (module docstring)."""

    name = "scalarize"
    stage = "lift"
    params = (Param("kernel", NAME, "scalarize in this kernel only", default=""),)
    requires = (Precondition("hub", "a sequential C module (lift the kernel first)"),
                Precondition("uniform", "a broadcast vector is filled once with one literal, never written again"),
                Precondition("fusable", "consecutive lane loops over one constant range whose fusion carries "
                                        "no dependence"),
                Precondition("scalar", "a vector local used only at the lane index of one fused loop"),
                Precondition("unrolled", "groups of a fused loop are one computation at offsets 0, W, 2W..."),
                Precondition("strip", "a strip loop of step W around one lane loop of W lanes at i + l"))

    def preconditions(self, module: ir.Module, target: Optional[str], **params) -> Iterator[Refusal]:
        if module.dialect != "c":
            yield self.refuse("hub", f"the module is {module.dialect}, not the C hub")

    def rewrite(self, module: ir.Module, target: Optional[str], kernel: str = "") -> ir.Module:
        self.notes: list[str] = []
        out = ir.clone(module)
        chosen = {k.name for k in out.kernels if not kernel or k.name == kernel}
        for f in out.functions:
            if f.name in chosen and f.body is not None:
                _Function(f, out, self.notes).run()
        return out

    def apply(self, module, target=None, **params):
        r = super().apply(module, target, **params)
        r.notes.extend(dict.fromkeys(getattr(self, "notes", [])))
        return r


Scalarize.__doc__ = __doc__


# ----------------------------------------------------------------------------- views
def _lane_view(e: ir.Node) -> Optional[tuple[str, str, ir.Expr]]:
    """``((xp_ma_T *)&v)[k]`` -> (v, T, k)."""
    if (isinstance(e, ir.Index) and isinstance(e.base, ir.Cast) and isinstance(e.base.type, ir.Pointer)
            and isinstance(e.base.type.pointee, ir.Named) and e.base.type.pointee.name.startswith("xp_ma_")
            and isinstance(e.base.operand, ir.Unary) and e.base.operand.op == "&"
            and isinstance(e.base.operand.operand, ir.Name)):
        return e.base.operand.operand.name, e.base.type.pointee.name[len("xp_ma_"):], e.index
    return None


def _vec_type(t: Optional[ir.CType]) -> Optional[int]:
    return _VEC_BYTES.get(t.name) if isinstance(t, ir.Named) else None


def _names(n: ir.Node) -> set[str]:
    return {x.name for x in n.walk() if isinstance(x, ir.Name)}


def _is_name(e: ir.Node, name: str) -> bool:
    return isinstance(e, ir.Name) and e.name == name


def _lane_loop(s: ir.Stmt) -> Optional[tuple[str, int]]:
    """(lane variable, W) of ``for (int l = 0; l < W; ++l)``."""
    if not isinstance(s, ir.For):
        return None
    v = loop_view(s)
    if isinstance(v, NotCanonical) or not v.declared or v.step != 1:
        return None
    if not (isinstance(v.start, ir.IntLit) and v.start.value == 0) or not v.trip_count:
        return None
    return v.var, v.trip_count


def _stmts(s: ir.Stmt) -> list[ir.Stmt]:
    return list(s.stmts) if isinstance(s, ir.Block) else [s]


def _rename(n: ir.Node, old: str, new: str) -> None:
    for x in n.walk():
        if isinstance(x, ir.Name) and x.name == old:
            x.name = new


def _replace(root: ir.Node, fn) -> ir.Node:
    """In-place bottom-up replacement of expressions (``fn`` returns a node or None)."""
    import dataclasses

    def visit(n: ir.Node) -> ir.Node:
        for f in dataclasses.fields(n):
            if not f.compare:
                continue
            v = getattr(n, f.name)
            if isinstance(v, ir.Node):
                setattr(n, f.name, visit(v))
            elif isinstance(v, list):
                setattr(n, f.name, [visit(x) if isinstance(x, ir.Node) else x for x in v])
        r = fn(n)
        return n if r is None else r

    return visit(root)


def _jumps(n: ir.Node) -> bool:
    return any(isinstance(x, (ir.Break, ir.Continue, ir.Return)) or
               (isinstance(x, ir.OpaqueStmt) and "goto" in getattr(x, "text", "")) for x in n.walk())


def _pure(e: ir.Node) -> bool:
    for x in e.walk():
        if isinstance(x, ir.Assign) or (isinstance(x, ir.Unary) and x.op in ("++", "--", "*")):
            return False
        if isinstance(x, (ir.Index, ir.OpaqueExpr, ir.Launch)):
            return False
        if isinstance(x, ir.Call) and not (isinstance(x.callee, ir.Name) and _PURE_MATH.match(x.callee.name)):
            return False
    return True


def _written(stmts: list[ir.Stmt]) -> set[str]:
    out = set()
    for s in stmts:
        for x in s.walk():
            if isinstance(x, ir.Assign):
                t = x.target
                lv = _lane_view(t)
                if lv:
                    out.add(lv[0])
                while isinstance(t, (ir.Index, ir.Member)):
                    t = t.base
                if isinstance(t, ir.Name):
                    out.add(t.name)
            elif isinstance(x, ir.Unary) and x.op in ("++", "--") and isinstance(x.operand, ir.Name):
                out.add(x.operand.name)
    return out


def _lane(v: str, T: str, idx: ir.Expr) -> ir.Expr:
    return ir.Index(ir.Cast(ir.Pointer(ir.Named("xp_ma_" + T)), ir.Unary("&", ir.Name(v))), idx)


# ----------------------------------------------------------------------------- per function
class _Function:
    def __init__(self, f: ir.Function, module: ir.Module, notes: list[str]):
        self.f, self.module, self.notes = f, module, notes
        self.params = {p.name: p.type for p in f.params}

    def note(self, s: ir.Node, what: str) -> None:
        line = s.span.line if s.span else "?"
        self.notes.append(f"{self.f.name}: line {line}: {what}")

    def run(self) -> None:
        self.uniform()
        self.fused: list[ir.For] = []
        self.blocks(self.f.body)
        self.strips(self.f.body)

    # --- 1. uniform vectors
    def uniform(self) -> None:
        body = self.f.body
        decl_types: dict[str, ir.CType] = {}
        counts: dict[str, int] = {}
        for x in body.walk():
            if isinstance(x, ir.VarDecl):
                decl_types[x.name] = x.type
                counts[x.name] = counts.get(x.name, 0) + 1
        value: dict[str, tuple[str, ir.Expr]] = {}  # vector -> (lane type, literal)
        kill: list[ir.Stmt] = []
        for blk in [b for b in body.walk() if isinstance(b, ir.Block)]:
            ss = blk.stmts
            for k, s in enumerate(ss):
                if not (isinstance(s, ir.Decl) and len(s.vars) == 1):
                    continue
                v = s.vars[0]
                nbytes = _vec_type(v.type)
                if nbytes is None or counts.get(v.name) != 1:
                    continue
                if v.init is None and k + 1 < len(ss):
                    ll = _lane_loop(ss[k + 1])
                    body_ = [b for b in _stmts(ss[k + 1].body) if not isinstance(b, ir.Empty)] if ll else []
                    if len(body_) == 1 and isinstance(body_[0], ir.ExprStmt) and isinstance(body_[0].expr, ir.Assign):
                        a = body_[0].expr
                        lv = _lane_view(a.target)
                        lit = a.value
                        if isinstance(lit, ir.Unary) and lit.op == "-" and isinstance(lit.operand, (ir.IntLit, ir.FloatLit)):
                            pass
                        elif not isinstance(lit, (ir.IntLit, ir.FloatLit)):
                            continue
                        if (a.op == "=" and lv and lv[0] == v.name and _is_name(lv[2], ll[0])
                                and lv[1] in _LANE_BYTES and ll[1] * _LANE_BYTES[lv[1]] == nbytes):
                            value[v.name] = (lv[1], lit)
                            kill.append(ss[k + 1])
                elif isinstance(v.init, ir.Name) and v.init.name in value and _vec_type(v.type) == nbytes:
                    value[v.name] = value[v.init.name]
        if not value:
            return
        # every other use must be a read through a lane view, the fill, or the init of a copy
        ok = set(value)
        fills = {id(x) for s in kill for x in s.walk()}
        targets = {id(x.target) for x in body.walk() if isinstance(x, ir.Assign)}
        parents: dict[int, ir.Node] = {}
        for x in body.walk():
            for c in x.children():
                parents[id(c)] = x
        for x in body.walk():
            if isinstance(x, ir.Name) and x.name in ok:
                p = parents.get(id(x))
                if isinstance(p, ir.VarDecl) and p.init is x and p.name in value:
                    continue
                idx = parents.get(id(parents.get(id(p)))) if p is not None else None
                lv = _lane_view(idx) if idx is not None else None
                if lv and lv[0] == x.name and lv[1] == value[x.name][0] and (id(idx) not in targets or id(x) in fills):
                    continue
                self.note(x, f"[uniform] {x.name} is not a broadcast vector: it is used otherwise")
                ok.discard(x.name)
        changed = True
        while changed:  # a copy of a dropped vector is dropped too
            changed = False
            for x in body.walk():
                if isinstance(x, ir.VarDecl) and x.name in ok and isinstance(x.init, ir.Name) and x.init.name not in ok:
                    ok.discard(x.name)
                    changed = True
        if not ok:
            return

        def fn(n):
            lv = _lane_view(n)
            if lv and lv[0] in ok and id(n) not in targets:
                T, lit = value[lv[0]]
                return ir.Cast(ir.Named(T), ir.clone(lit), origin="scalarize")
            return None

        self.f.body = _replace(body, fn)
        # the broadcasts nothing reads any more go
        while True:
            uses: dict[str, int] = {}
            for x in self.f.body.walk():
                if isinstance(x, ir.Name):
                    uses[x.name] = uses.get(x.name, 0) + 1
            dead = set()
            for blk in [b for b in self.f.body.walk() if isinstance(b, ir.Block)]:
                for k, st in enumerate(blk.stmts):
                    if isinstance(st, ir.Decl) and len(st.vars) == 1 and st.vars[0].name in ok:
                        v = st.vars[0].name
                        fill = blk.stmts[k + 1] if k + 1 < len(blk.stmts) and any(
                            blk.stmts[k + 1] is f for f in kill) else None
                        inside = sum(1 for x in fill.walk() if _is_name(x, v)) if fill is not None else 0
                        if uses.get(v, 0) == inside:
                            dead.add(id(st))
                            if fill is not None:
                                dead.add(id(fill))
            if not dead:
                break
            for blk in [b for b in self.f.body.walk() if isinstance(b, ir.Block)]:
                blk.stmts = [st for st in blk.stmts if id(st) not in dead]
        self.notes.append(f"{self.f.name}: [uniform] broadcast vectors read as their value: {', '.join(sorted(ok))}")

    @staticmethod
    def _ancestors(n, parents):
        while n is not None:
            n = parents.get(id(n))
            if n is not None:
                yield n

    # --- 2. fusion
    def blocks(self, root: ir.Node) -> None:
        self.fused_in: list[ir.For] = []
        for blk in [b for b in root.walk() if isinstance(b, ir.Block)][::-1]:  # inner blocks first
            self.block(blk)

    def block(self, blk: ir.Block) -> None:
        k, out, ss = 0, [], blk.stmts
        while k < len(ss):
            run, end, W = self.run_at(ss, k, blk)
            if run is None:
                out.append(ss[k])
                k += 1
                continue
            try:
                new = self.fuse(run, W, blk, ss, k, end, out)
            except _No as e:
                self.note(run[0], f"not fused: [{e.precondition}] {e.detail}")
                new = None
            if new is None:
                out.append(ss[k])
                k += 1
                continue
            out.extend(new)
            k = end
        blk.stmts = out

    def run_at(self, ss, k, blk):
        """The longest run of fusable statements from ``ss[k]`` with at least two lane loops."""
        W = None
        j, loops, end = k, 0, k
        while j < len(ss):
            s = ss[j]
            ll = _lane_loop(s)
            if ll:
                if (W is not None and ll[1] != W) or _jumps(s.body):
                    break
                W = ll[1]
                loops += 1
                j += 1
                end = j
                continue
            if self.element(s, ss, j, k):
                j += 1
                continue
            break
        if loops < 2:
            return None, k, None
        return ss[k:end], end, W

    def element(self, s, ss, j, k) -> bool:
        if isinstance(s, (ir.Empty, ir.Comment)):
            return True
        if isinstance(s, ir.Decl) and len(s.vars) == 1:
            v = s.vars[0]
            if v.specifiers or isinstance(v.type, ir.Array):
                return False
            if _vec_type(v.type):
                return v.init is None or (isinstance(v.init, ir.Name))
            return v.init is not None and _pure(v.init)
        if isinstance(s, ir.ExprStmt) and isinstance(s.expr, ir.Assign) and s.expr.op == "=" \
                and isinstance(s.expr.target, ir.Name) and isinstance(s.expr.value, ir.Name):
            return True  # checked as a vector copy when fused
        if isinstance(s, ir.Block) and all(self.element(x, s.stmts, 0, 0) or _lane_loop(x) for x in s.stmts):
            inner = {v.name for x in s.stmts if isinstance(x, ir.Decl) for v in x.vars}
            return not any(x.name in inner for x in self.f.body.walk()
                           if isinstance(x, ir.Name) and not self._inside(x, s))
        return False

    def _inside(self, node, s) -> bool:
        return any(x is node for x in s.walk())

    def fuse(self, run, W, blk, ss, k, end, out) -> Optional[list[ir.Stmt]]:
        # flatten nested blocks
        flat: list[ir.Stmt] = []

        def flatten(xs):
            for x in xs:
                if isinstance(x, ir.Block):
                    flatten(x.stmts)
                else:
                    flat.append(x)

        flatten(run)
        vec_types: dict[str, ir.CType] = {}
        for x in self.f.body.walk():
            if isinstance(x, ir.VarDecl) and _vec_type(x.type):
                vec_types.setdefault(x.name, x.type)
        lane_types: dict[str, set[str]] = {}
        for s in flat:
            for x in s.walk():
                lv = _lane_view(x)
                if lv:
                    lane_types.setdefault(lv[0], set()).add(lv[1])
        rest = [x for s in ss[end:] for x in [s]]
        rest_names = set().union(*(_names(s) for s in rest)) if rest else set()
        written = _written(flat)
        lanevar = None
        pre: list[ir.Stmt] = []
        body: list[ir.Stmt] = []

        copies: list[tuple[str, str]] = []
        for s in flat:
            if isinstance(s, ir.Decl) and _vec_type(s.vars[0].type) and isinstance(s.vars[0].init, ir.Name):
                copies.append((s.vars[0].name, s.vars[0].init.name))
            elif isinstance(s, ir.ExprStmt) and isinstance(s.expr, ir.Assign):
                copies.append((s.expr.target.name, s.expr.value.name))
        for _ in range(4):  # a vector only copied takes the lane type of what it is copied from or to
            for a, b in copies:
                if a not in lane_types and b in lane_types:
                    lane_types[a] = set(lane_types[b])
                elif b not in lane_types and a in lane_types:
                    lane_types[b] = set(lane_types[a])

        def lane_type(v: str) -> str:
            ts = lane_types.get(v, set())
            if len(ts) != 1:
                raise _No("fusable", f"the lanes of {v} are read as {', '.join(sorted(ts)) or 'nothing'} in the run")
            T = next(iter(ts))
            if _LANE_BYTES.get(T, 0) * W != _vec_type(vec_types.get(v)):
                raise _No("fusable", f"{W} lanes of {T} do not cover {v}")
            return T

        for s in flat:
            ll = _lane_loop(s)
            if ll:
                lanevar = lanevar or ll[0]
                b = ir.clone(s.body)
                _rename(b, ll[0], lanevar)
                body.extend(_stmts(b))
            elif isinstance(s, (ir.Empty, ir.Comment)):
                pre.append(s)
            elif isinstance(s, ir.Decl):
                v = s.vars[0]
                if _vec_type(v.type):
                    d = ir.clone(s)
                    d.vars[0].init = None
                    if isinstance(d.vars[0].type, ir.Named):
                        d.vars[0].type.const = False
                    pre.append(d)
                    if v.init is not None:
                        if v.init.name not in vec_types:
                            raise _No("fusable", f"{v.name} is initialised from {v.init.name}, not a vector")
                        T = lane_type(v.name)
                        body.append(ir.ExprStmt(ir.Assign("=", _lane(v.name, T, ir.Name("__L")),
                                                          _lane(v.init.name, T, ir.Name("__L")))))
                else:
                    if v.name in rest_names:
                        raise _No("fusable", f"{v.name} is used after the run")
                    if _names(v.init) & written:
                        raise _No("fusable", f"the value of {v.name} reads what the run writes")
                    body.append(ir.clone(s))
            elif isinstance(s, ir.ExprStmt):
                a = s.expr
                t, u = a.target.name, a.value.name
                if t not in vec_types or u not in vec_types:
                    raise _No("fusable", f"{t} = {u} is not a copy of vectors")
                T = lane_type(t)
                if lane_type(u) != T:
                    raise _No("fusable", f"{t} and {u} have different lane types")
                body.append(ir.ExprStmt(ir.Assign("=", _lane(t, T, ir.Name("__L")), _lane(u, T, ir.Name("__L"))),
                                        span=s.span))
        for s in body:
            _rename(s, "__L", lanevar)
        # a name declared twice in the body (two loops with the same local) keeps its loop's block
        declared = [v.name for s in body if isinstance(s, ir.Decl) for v in s.vars]
        if len(declared) != len(set(declared)):
            raise _No("fusable", "two fused statements declare the same name")
        loop = ir.For(ir.Decl([ir.VarDecl(lanevar, ir.Named("int"), ir.IntLit(0))]),
                      ir.Binary("<", ir.Name(lanevar), ir.IntLit(W)), ir.Unary("++", ir.Name(lanevar)),
                      ir.Block(body), span=run[0].span)
        new = pre + [loop]
        for n in new:
            for x in n.walk():
                if x.origin is None and x.span is None:
                    x.origin = "scalarize"
            n.origin = "scalarize"
        # scalar replacement and addresses on the candidate, then the dependence check on the
        # function with the run replaced (vectors left are compared lane by lane)
        saved = blk.stmts
        cand = ir.Block(out + new + list(ss[end:]))
        blk.stmts = cand.stmts
        self.pending: list[str] = []
        try:
            region = {id(x) for x in new}
            self.scalars(loop, cand, region)
            new = [x for x in cand.stmts if id(x) in region]
            blk.stmts = cand.stmts
            from ..analysis.symbols import SymbolTable  # noqa: PLC0415

            deps = dependence.analyze(loop, SymbolTable(self.f, self.module), assume_no_alias=True)
        except _No:
            blk.stmts = saved
            raise
        except Exception as e:  # noqa: BLE001 -- the analysis cannot decide: not fused
            blk.stmts = saved
            raise _No("fusable", f"the dependence test failed: {e}")
        blk.stmts = saved
        d = next((d for d in deps if d.loop is loop), None)
        if d is None or not d.parallel:
            why = (d.reason or (str(d.witness) if d.witness else d.kind)) if d else "no verdict"
            raise _No("fusable", f"the fused loop would carry a dependence: {why}")
        self.fused_in.append(loop)
        self.notes.extend(self.pending)
        self.note(run[0], f"[fusable] {sum(1 for s in flat if _lane_loop(s))} lane loops of {W} fused")
        return new

    # --- 3. scalar replacement and addresses
    def scalars(self, loop: ir.For, blk: ir.Block, region: set[int]) -> None:
        lv_ = loop.init.vars[0].name
        body = loop.body
        inside = {id(x) for x in loop.walk()}
        pre_decls = {s.vars[0].name: s for s in blk.stmts if id(s) in region and isinstance(s, ir.Decl) and len(s.vars) == 1
                     and _vec_type(s.vars[0].type) and s.vars[0].init is None}
        # uses of each vector
        parents: dict[int, ir.Node] = {}
        for x in self.f.body.walk():
            for c in x.children():
                parents[id(c)] = x
        lanes: dict[str, set[str]] = {}
        bad: set[str] = set()
        for x in self.f.body.walk():
            if isinstance(x, ir.Name) and x.name in pre_decls:
                p = parents.get(id(x))
                idx = parents.get(id(parents.get(id(p)))) if p is not None else None
                lv = _lane_view(idx) if idx is not None else None
                if id(x) in inside and lv and lv[0] == x.name and _is_name(lv[2], lv_):
                    lanes.setdefault(x.name, set()).add(lv[1])
                else:
                    bad.add(x.name)
        names = [v for v in pre_decls if v not in bad and len(lanes.get(v, ())) == 1]
        for v in pre_decls:
            if v in bad:
                self.pending.append(f"{self.f.name}: [scalar] {v} stays a vector: it is used outside the fused loop or "
                                        f"at another lane")
        if names:
            T = {v: next(iter(lanes[v])) for v in names}

            def fn(n):
                lv = _lane_view(n)
                if lv and lv[0] in T:
                    return ir.Name(lv[0])
                return None

            loop.body = _replace(body, fn)
            blk.stmts = [s for s in blk.stmts if not (isinstance(s, ir.Decl) and s.vars[0].name in T
                                                      and pre_decls.get(s.vars[0].name) is s)]
            stmts = loop.body.stmts
            for v in names:
                pos = next((i for i, s in enumerate(stmts) if v in _names(s)), None)
                s = stmts[pos] if pos is not None else None
                if (isinstance(s, ir.ExprStmt) and isinstance(s.expr, ir.Assign) and s.expr.op == "="
                        and _is_name(s.expr.target, v) and v not in _names(s.expr.value)):
                    stmts[pos] = ir.Decl([ir.VarDecl(v, ir.Named(T[v]), s.expr.value)], span=s.span,
                                         origin="scalarize")
                else:
                    stmts.insert(0, ir.Decl([ir.VarDecl(v, ir.Named(T[v]))], origin="scalarize"))
        self.addresses(loop)

    def addresses(self, loop: ir.For) -> None:
        stmts = loop.body.stmts
        uses: dict[str, int] = {}
        for x in self.f.body.walk():
            if isinstance(x, ir.Name):
                uses[x.name] = uses.get(x.name, 0) + 1
        for s in list(stmts):
            if not (isinstance(s, ir.Decl) and len(s.vars) == 1 and isinstance(s.vars[0].type, ir.Pointer)):
                continue
            v = s.vars[0]
            base, off = _split_address(v.init, self.params)
            if base is None:
                continue
            elem = self.params[base].pointee
            n_views = [0]

            def fn(n, v=v, base=base, off=off, elem=elem):
                if (isinstance(n, ir.Index) and isinstance(n.base, ir.Cast) and _is_name(n.base.operand, v.name)
                        and isinstance(n.base.type, ir.Pointer) and _same_elem(n.base.type.pointee, elem)):
                    n_views[0] += 1
                    idx = ir.Binary("+", ir.clone(off), n.index) if off is not None else n.index
                    return ir.Index(ir.Name(base), _fold(idx), span=n.span, origin="scalarize")
                return None

            loop.body = _replace(loop.body, fn)
            stmts = loop.body.stmts
            if n_views[0] and uses.get(v.name, 0) == n_views[0]:  # only the views read it
                stmts.remove(s)

    # --- 4. strip loops
    def strips(self, root: ir.Node) -> None:
        for blk in [b for b in root.walk() if isinstance(b, ir.Block)][::-1]:
            new = []
            for k, s in enumerate(blk.stmts):
                if isinstance(s, ir.For) and any(s.body is x or (isinstance(s.body, ir.Block) and any(
                        y is x for y in s.body.stmts)) for x in self.fused_in):
                    try:
                        r = self.strip(s, blk.stmts[:k])
                    except _No as e:
                        self.note(s, f"strip loop left as it is: [{e.precondition}] {e.detail}")
                        r = None
                    if r is not None:
                        new.extend(r)
                        continue
                new.append(s)
            blk.stmts = new

    def strip(self, s: ir.For, before: list[ir.Stmt]) -> Optional[list[ir.Stmt]]:
        inner = [x for x in _stmts(s.body) if not isinstance(x, (ir.Empty, ir.Comment))]
        if len(inner) != 1 or not _lane_loop(inner[0]):
            raise _No("strip", "the strip loop's body is more than one lane loop")
        lane = inner[0]
        lvar, W = _lane_loop(lane)
        lane = self.unrolled(s, lane, lvar, W)
        W = _lane_loop(lane)[1]
        # the strip loop's shape
        v = loop_view(s)
        form = None
        if not isinstance(v, NotCanonical) and v.declared and v.step == W and isinstance(v.start, ir.IntLit) \
                and v.start.value == 0 and isinstance(s.cond, ir.Binary) and s.cond.op == "<" \
                and _is_name(s.cond.lhs, v.var):
            form, i, bound = "B", v.var, s.cond.rhs
        elif s.init is None and isinstance(s.cond, ir.Binary) and s.cond.op == "<=" \
                and isinstance(s.cond.lhs, ir.Binary) and s.cond.lhs.op == "+" and isinstance(s.cond.lhs.lhs, ir.Name) \
                and isinstance(s.cond.lhs.rhs, ir.IntLit) and s.cond.lhs.rhs.value == W \
                and isinstance(s.step, ir.Assign) and s.step.op == "+=" and _is_name(s.step.target, s.cond.lhs.lhs.name) \
                and isinstance(s.step.value, ir.IntLit) and s.step.value.value == W:
            form, i, bound = "A", s.cond.lhs.lhs.name, s.cond.rhs
        elif isinstance(s.init, ir.ExprStmt) and isinstance(s.init.expr, ir.Assign) and s.init.expr.op == "=" \
                and isinstance(s.init.expr.target, ir.Name) and isinstance(s.init.expr.value, ir.IntLit) \
                and s.init.expr.value.value == 0 and isinstance(s.cond, ir.Binary) and s.cond.op == "<=" \
                and _is_name(s.cond.lhs, s.init.expr.target.name) and isinstance(s.step, ir.Assign) \
                and s.step.op == "+=" and _is_name(s.step.target, s.init.expr.target.name) \
                and _const_int(s.step.value) == W:
            form, i, bound = "C", s.init.expr.target.name, s.cond.rhs  # loop_canon's i <= n - W
        if form is None:
            raise _No("strip", f"the loop is not for (; i + {W} <= n; i += {W}) nor for (int i = 0; i < n; i += {W})")
        if _written([lane.body]) & ({i, lvar} | _names(bound)):
            raise _No("strip", "the lane loop writes the strip variable or the bound")
        j = i if form == "B" else fresh_name("j", {x.name for x in self.f.body.walk() if isinstance(x, ir.Name)}
                                                 | {x.name for x in self.f.body.walk() if isinstance(x, ir.VarDecl)}
                                                 | set(self.params))
        body = ir.clone(lane.body)
        parents: dict[int, ir.Node] = {}
        for x in body.walk():
            for c in x.children():
                parents[id(c)] = x
        subs = [x for x in body.walk() if isinstance(x, ir.Index)]
        done: set[int] = set()
        repl: dict[int, ir.Expr] = {}
        for x in subs:
            if not (_names(x.index) & {i, lvar}):
                continue
            a = affine_of(x.index)
            if not isinstance(a, Affine) or a.coeff(i) != a.coeff(lvar) or a.coeff(i) == 0 \
                    or any(n in a.divs for n in a.names()):
                raise _No("strip", f"a subscript does not read {i} + {lvar}")
            c = a.coeff(i)
            b = Affine({k: v for k, v in a.coeffs.items() if k not in (i, lvar)}, a.const) + Affine({j: c}, 0)
            repl[id(x)] = b.to_expr()
            done.update(id(y) for y in x.index.walk())
        for x in body.walk():
            if isinstance(x, ir.Name) and x.name in (i, lvar) and id(x) not in done:
                raise _No("strip", f"{x.name} is used outside a subscript of the lane loop")

        def fix(n):
            if isinstance(n, ir.Index) and id(n) in repl:
                n.index = repl[id(n)]
            return None

        for x in list(body.walk()):
            fix(x)
        itype = s.init.vars[0].type if form == "B" else self._type_of(i)
        zero = form == "A" and self._zero_before(i, before)
        if form == "B":
            end = ir.Binary("*", ir.Binary("/", ir.Binary("+", ir.clone(bound), ir.IntLit(W - 1)), ir.IntLit(W)),
                            ir.IntLit(W))
            loop = ir.For(ir.Decl([ir.VarDecl(j, ir.clone(itype), ir.IntLit(0))]), ir.Binary("<", ir.Name(j), end),
                          ir.Unary("++", ir.Name(j)), body, pragmas=list(s.pragmas), span=s.span, origin="scalarize")
            loop.info = ir.LoopInfo(s.info.kind, s.info.axis, None)
            self.note(s, f"[strip] strips of {W} became one loop over {j}")
            return [loop]
        if form == "C":  # strips at 0, W, ... <= E: E / W + 1 of them when E >= 0, else none (i = 0)
            count = ir.Binary("*", ir.Binary("+", ir.Binary("/", ir.clone(bound), ir.IntLit(W)), ir.IntLit(1)),
                              ir.IntLit(W))
            loop = ir.For(ir.Decl([ir.VarDecl(j, ir.clone(itype) if itype else ir.Named("int"), ir.IntLit(0))]),
                          ir.Binary("<", ir.Name(j), count), ir.Unary("++", ir.Name(j)), body,
                          pragmas=list(s.pragmas), span=s.span, origin="scalarize")
            self.note(s, f"[strip] strips of {W} became one loop over {j}")
            return [ir.If(ir.Binary("<=", ir.IntLit(0), ir.clone(bound)),
                          ir.Block([loop, ir.ExprStmt(ir.Assign("=", ir.Name(i), ir.clone(count)))]),
                          ir.ExprStmt(ir.Assign("=", ir.Name(i), ir.IntLit(0))), span=s.span, origin="scalarize")]
        if zero:
            count = ir.Binary("*", ir.Binary("/", ir.clone(bound), ir.IntLit(W)), ir.IntLit(W))
            start, end = ir.IntLit(0), count
            after = ir.ExprStmt(ir.Assign("=", ir.Name(i), ir.clone(count)))
            guard = ir.Binary("<=", ir.IntLit(W), ir.clone(bound))
        else:
            count = ir.Binary("*", ir.Binary("/", ir.Binary("-", ir.clone(bound), ir.Name(i)), ir.IntLit(W)),
                              ir.IntLit(W))
            start, end = ir.Name(i), ir.Binary("+", ir.Name(i), count)
            after = ir.ExprStmt(ir.Assign("+=", ir.Name(i), ir.clone(count)))
            guard = ir.clone(s.cond)
        loop = ir.For(ir.Decl([ir.VarDecl(j, ir.clone(itype) if itype else ir.Named("int"), start)]),
                      ir.Binary("<", ir.Name(j), end), ir.Unary("++", ir.Name(j)), body, pragmas=list(s.pragmas),
                      span=s.span, origin="scalarize")
        loop.info = ir.LoopInfo(s.info.kind, s.info.axis, None)
        self.note(s, f"[strip] strips of {W} became one loop over {j}")
        if zero and self._unsigned(bound):
            return [loop, after]
        return [ir.If(guard, ir.Block([loop, after]), span=s.span, origin="scalarize")]

    def unrolled(self, s: ir.For, lane: ir.For, lvar: str, W: int) -> ir.For:
        """A lane loop of groups at offsets 0, W, 2W... under a strip step of U*W becomes one lane
        loop of U*W lanes when every group is the first one shifted (else ``lane`` itself)."""
        step = None
        if isinstance(s.step, ir.Assign) and s.step.op == "+=":
            step = _const_int(s.step.value)
        if step is None or step == W or step % W:
            return lane
        U = step // W
        stmts = list(lane.body.stmts)
        # groups: connected by locals declared in the body
        declared = {v.name: k for k, st in enumerate(stmts) if isinstance(st, ir.Decl) for v in st.vars}
        parent = list(range(len(stmts)))

        def find(a):
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        for k, st in enumerate(stmts):
            for n in _names(st):
                if n in declared and declared[n] != k:
                    parent[find(k)] = find(declared[n])
        groups: dict[int, list[int]] = {}
        for k in range(len(stmts)):
            groups.setdefault(find(k), []).append(k)
        gs = list(groups.values())
        if len(gs) != U:
            raise _No("unrolled", f"{len(gs)} independent groups in a lane loop of {W} under a step of {step}")
        keyed = []
        for g in gs:
            texts, offs = _shape([stmts[k] for k in g], lvar)
            if texts is None or len(set(offs)) != 1:
                raise _No("unrolled", "a group's subscripts are not at one offset from the lane")
            keyed.append((offs[0], texts, g))
        keyed.sort(key=lambda t: t[0])
        base = keyed[0][0]
        for u, (off, texts, g) in enumerate(keyed):
            if off - base != u * W or texts != keyed[0][1]:
                raise _No("unrolled", "the groups are not one computation at offsets 0, W, 2W...")
        # groups touch disjoint elements (offsets differ by multiples of W < U*W, one subscript shape);
        # the fused loop carries no dependence, so the groups' order within a lane is free
        first = [ir.clone(stmts[k]) for k in keyed[0][2]]
        loop = ir.clone(lane)
        loop.body = ir.Block(first)
        loop.cond = ir.Binary("<", ir.Name(lvar), ir.IntLit(U * W))
        self.note(s, f"[unrolled] {U} groups of {W} lanes became one lane loop of {U * W}")
        return loop

    def _type_of(self, name: str) -> Optional[ir.CType]:
        if name in self.params:
            return self.params[name]
        for x in self.f.body.walk():
            if isinstance(x, ir.VarDecl) and x.name == name:
                t = ir.clone(x.type)
                if isinstance(t, ir.Named):
                    t.const = False
                return t
        return None

    def _unsigned(self, e: ir.Expr) -> bool:
        if isinstance(e, ir.Name):
            t = self._type_of(e.name)
            if isinstance(t, ir.Named):
                return "unsigned" in t.name or t.name in ("size_t", "uint32_t", "uint64_t")
        if isinstance(e, ir.Cast) and isinstance(e.type, ir.Named):
            return "unsigned" in e.type.name or e.type.name in ("size_t", "uint32_t", "uint64_t")
        return False

    def _zero_before(self, i: str, before: list[ir.Stmt]) -> bool:
        for s in reversed(before):
            if isinstance(s, ir.Decl) and any(v.name == i for v in s.vars):
                v = next(v for v in s.vars if v.name == i)
                return isinstance(v.init, ir.IntLit) and v.init.value == 0
            if isinstance(s, ir.ExprStmt) and isinstance(s.expr, ir.Assign) and _is_name(s.expr.target, i):
                return s.expr.op == "=" and isinstance(s.expr.value, ir.IntLit) and s.expr.value.value == 0
            if i in _names(s) or _jumps(s) or not isinstance(s, (ir.Decl, ir.ExprStmt, ir.Empty, ir.Comment)):
                return False
        return False


def _const_int(e: Optional[ir.Expr]) -> Optional[int]:
    if isinstance(e, ir.IntLit):
        return e.value
    if isinstance(e, ir.Binary) and e.op in ("*", "+"):
        a, b = _const_int(e.lhs), _const_int(e.rhs)
        if a is not None and b is not None:
            return a * b if e.op == "*" else a + b
    return None


def _same_elem(a: ir.CType, b: ir.CType) -> bool:
    return isinstance(a, ir.Named) and isinstance(b, ir.Named) and a.name == b.name


def _split_address(e: Optional[ir.Expr], params: dict[str, ir.CType]) -> tuple[Optional[str], Optional[ir.Expr]]:
    """``x + i + 16`` with ``x`` a pointer parameter -> ("x", i + 16)."""
    if e is None:
        return None, None
    if isinstance(e, ir.Name) and isinstance(params.get(e.name), ir.Pointer):
        return e.name, None
    if isinstance(e, ir.Binary) and e.op == "+":
        b, off = _split_address(e.lhs, params)
        if b is not None and not (_names(e.rhs) & {n for n, t in params.items() if isinstance(t, ir.Pointer)}):
            return b, e.rhs if off is None else ir.Binary("+", off, e.rhs)
    return None, None


def _fold(e: ir.Expr) -> ir.Expr:
    """``e`` in its affine spelling when it is only sums of names and literals."""
    for x in e.walk():
        if isinstance(x, ir.Binary) and x.op != "+" and not (x.op == "*" and isinstance(x.lhs, ir.IntLit | ir.Name)
                                                             and isinstance(x.rhs, ir.IntLit)):
            return e
        if not isinstance(x, (ir.Binary, ir.Name, ir.IntLit)):
            return e
    a = affine_of(e)
    return a.to_expr() if isinstance(a, Affine) else e


def _shape(stmts: list[ir.Stmt], lvar: str) -> tuple[Optional[str], list[int]]:
    """The statements' text with locals renamed in order and subscripts' constant offsets taken
    out (the offsets returned), for comparing unrolled groups."""
    from ..printer import print_node  # noqa: PLC0415
    body = ir.Block([ir.clone(s) for s in stmts])
    rename: dict[str, str] = {}
    for x in body.walk():
        if isinstance(x, ir.VarDecl) and x.name not in rename:
            rename[x.name] = f"__t{len(rename)}"
    offs: list[int] = []
    for x in list(body.walk()):
        if isinstance(x, ir.Index) and lvar in _names(x.index) and not _lane_view(x):
            a = affine_of(x.index)
            if not isinstance(a, Affine) or a.coeff(lvar) != 1:
                return None, []
            offs.append(a.const)
            x.index = Affine(dict(a.coeffs), 0).to_expr()
    for x in body.walk():
        if isinstance(x, ir.Name) and x.name in rename:
            x.name = rename[x.name]
        elif isinstance(x, ir.VarDecl) and x.name in rename:
            x.name = rename[x.name]
    try:
        text = print_node(body)
    except Exception:  # noqa: BLE001
        return None, []
    return text, offs
