"""VNNI (AVX-512) lowering of ``tensorize`` (see ``passes/tensorize.py`` for the pass): an
element-wise loop that ``bind`` put under ``#pragma omp parallel for`` becomes a loop over
16-lane ``__m512`` registers, still under the pragma, and a masked tail.

    before (bound to VNNI by bind):
        void k(const float *x, float *y, float a, int n) {
            #pragma omp parallel for
            for (int i = 0; i < n; ++i) {
                y[i] = a * x[i] + y[i];
            }
        }
    after:
        void k(const float *x, float *y, float a, int n) {
            __m512 xp_a = _mm512_set1_ps(a);                      (invariants: once per loop)
            int xp_end = n / 16 * 16;
            #pragma omp parallel for
            for (int xp_c = 0; xp_c < xp_end; xp_c += 16) {       (full vectors)
                __m512 xp_x = _mm512_loadu_ps(x + xp_c);
                __m512 xp_y = _mm512_loadu_ps(y + xp_c);
                _mm512_storeu_ps(y + xp_c, _mm512_add_ps(_mm512_mul_ps(xp_a, xp_x), xp_y));
            }
            if (xp_end < n) {                                     (the n % 16 last elements)
                __mmask16 xp_m = (__mmask16)((1u << (n - xp_end)) - 1u);
                __m512 xp_x = _mm512_maskz_loadu_ps(xp_m, x + xp_end);
                __m512 xp_y = _mm512_maskz_loadu_ps(xp_m, y + xp_end);
                _mm512_mask_storeu_ps(y + xp_end, xp_m, _mm512_add_ps(_mm512_mul_ps(xp_a, xp_x), xp_y));
            }
        }

What is tensorized: a loop under ``#pragma omp parallel for`` (what ``bind`` makes for
``vnni``) or, where that loop's body is not element-wise (a row loop holding a column
loop) or the kernel has none, each innermost loop inside it (no pragma: it runs in order on
its thread; invariants of the row, ``float s = scale[r]``, broadcast before it), that is
canonical with step 1 and declares its variable, whose body is element-wise (``analysis/elementwise``) and every expression of which the cover
(``tensorize.Cover``) computes with the table's AVX-512F register templates
(``dialects/templates``: ``_mm512_add_ps`` is ``$v0 + $v1``, ``_mm512_max_ps`` is
``$v0 > $v1 ? $v0 : $v1``, ``_mm512_set1_ps`` is the broadcast ``$s``, ...). A template is
used only where its lane expression is the source's: ``_mm512_fmadd_ps`` is ``fmaf(a, b, c)``
(one rounding) and never matches ``a * b + c`` (two), so a multiply-add stays two calls.
``fmaxf(e, c)`` / ``fminf(e, c)`` with ``c`` a literal are also tried as ``e > c ? e : c`` /
``e < c ? e : c`` (``_mm512_max_ps``/``_mm512_min_ps``, which return ``c`` for a NaN ``e`` as
``fmaxf`` does); they differ only in the sign of a zero result where ``e`` is a zero of the
other sign, which C leaves unspecified (glibc returns ``e``): the notes say so.
Intrinsics the table marks approximate on hardware (``_mm512_rcp14_ps``,
``_mm512_rsqrt14_ps``) are never used, whatever ``approximate`` says: an AVX-512 CPU runs
them natively, so the oracle would see their error.

Every value of the loop must be computed in float: an operation with a ``double`` operand
(``x[i] * 0.1``, ``sqrt(x[i])``) rounds differently in float lanes and is refused, except a
double literal that is exactly a float in a comparison or a selection (``x[i] > 0.0``).

Loop-invariant operands (``a``, ``0.0f``, an invariant declaration of the body) are
computed and broadcast with the table's fill (``_mm512_set1_ps``) once, before the vector
loop. Loads and stores are unaligned (``_mm512_loadu_ps``/``_mm512_storeu_ps``); the tail
loads with a zero mask (``_mm512_maskz_loadu_ps``: lanes past the end read nothing and hold
0, so they cannot fault) and stores with a write mask (``_mm512_mask_storeu_ps``). Calls
are written with their parameters in the table's order. What no template covers stays the
loop it was, its nest record saying why (``expf(x[i]) has no AVX-512 intrinsic``: AVX-512F
has no exponential, and the table has no SVML).
"""
from __future__ import annotations

import copy
import struct
from typing import Optional, Union

from .. import ir
from ..analysis import elementwise as E
from ..analysis import loops as L
from ..analysis.ctype import float_literal_type
from ..analysis.symbols import SymbolTable
from ..dialects import get as dialect
from ..dialects.templates import VECTORS, templates
from ..dialects.vnni import intrinsics as vnni_table
from .base import fresh_name
from .tensorize import Choice, Cover, Tensorize, _decl, _lines, _name, _strip, _txt, float_cast, lowering

#: the loads and stores of whole and masked registers (each checked against the table)
LOAD, LOAD_MASKED = "_mm512_loadu_ps", "_mm512_maskz_loadu_ps"
STORE, STORE_MASKED = "_mm512_storeu_ps", "_mm512_mask_storeu_ps"
#: the CPU features every tensorized loop may need: AVX-512 Foundation, on every AVX-512 CPU
FEATURES = frozenset({"avx512f"})


def _omp_for(s: ir.Node) -> bool:
    return isinstance(s, ir.For) and any("omp" in p and "for" in p for p in s.pragmas)


def _table_call(name: str, **args: ir.Expr) -> ir.Call:
    """``name(...)`` with ``args`` by the table's parameter names, in the table's order."""
    it = dialect("vnni").intrinsic(name)
    if it is None:
        raise LookupError(f"{name} is not in the VNNI table")
    return ir.Call(ir.Name(name), [args[p.name] for p in it.overloads[0].params])


def _mask_type() -> str:
    """The mask type of the masked load (``__mmask16``), read from the table."""
    it = dialect("vnni").intrinsic(LOAD_MASKED)
    return next(p.type for p in it.overloads[0].params if p.name == "k")


@lowering("vnni")
class VnniKernel:
    def __init__(self, p: Tensorize, module: ir.Module, f: ir.Function, taken: set[str], arch: str = "",
                 approximate: bool = True, **_other_targets):
        self.p, self.module, self.f, self.taken = p, module, f, taken
        self.decls: list[ir.Stmt] = []  # (registers need no kernel-level buffers)

    def fresh(self, base: str) -> str:
        return fresh_name(base, self.taken)

    def plan(self) -> dict[int, list[ir.Stmt]]:
        """The statements replacing each tensorized loop (by the loop's id): each loop under
        ``#pragma omp parallel for``, else (its body is not element-wise, or the kernel has
        no such loop) each innermost loop inside it, which runs in order on its thread."""
        table = SymbolTable(self.f, self.module)
        loops = [n for n in self.f.body.walk() if _omp_for(n) and not any(_omp_for(m) for m in n.body.walk())]
        replace: dict[int, list[ir.Stmt]] = {}
        if not loops:
            if not self._inner(self.f.body, table, replace):
                self.p.nests.append({"kernel": self.f.name, "lines": _lines(self.f),
                                     "not": ["not tensorized: no loop under #pragma omp parallel for "
                                             "(see the bind pass notes) and no element-wise innermost loop"]})
            return replace
        for old in loops:
            out = self.lower(old, table)
            if isinstance(out, str):
                if not self._inner(old.body, table, replace):
                    self.p.nests.append({"kernel": self.f.name, "lines": _lines(old),
                                         "not": [f"not tensorized: {out}"]})
                continue
            self._record(old, out, replace)
        return replace

    def _inner(self, root: ir.Node, table: SymbolTable, replace: dict[int, list[ir.Stmt]]) -> bool:
        """Tensorize the innermost loops under ``root``; whether any was."""
        done = False
        for n in root.walk():
            if isinstance(n, ir.For) and not any(isinstance(m, (ir.For, ir.While, ir.DoWhile)) for m in n.body.walk()):
                out = self.lower(n, table)
                if not isinstance(out, str):
                    self._record(n, out, replace)
                    done = True
        return done

    def _record(self, old: ir.For, out: tuple, replace: dict[int, list[ir.Stmt]]) -> None:
        stmts, used, notes = out
        replace[id(old)] = stmts
        self.p.notes.extend(f"{self.f.name}: {n}" for n in notes)
        self.p.nests.append({"kernel": self.f.name, "lines": _lines(old), "tensorized_into": used,
                             "staged_in": ["registers"]})

    def lower(self, loop: ir.For, table: SymbolTable) -> Union[str, tuple[list[ir.Stmt], list[str], list[str]]]:
        view = L.loop_view(loop, table)
        if not view:
            return f"the loop is not canonical ({view.reason})"
        if view.step != 1:
            return f"the loop steps by {view.step}, not 1"
        if not view.declared:
            return f"{view.var} is declared outside the loop (its value after the loop is used)"
        body = loop.body.stmts if isinstance(loop.body, ir.Block) else [loop.body]
        nest = E.analyse(body, view.var, table)
        if not nest:
            where = f" (line {nest.line})" if nest.line else ""
            return f"{nest.reason}{where}"
        if nest.types - {nest.elem}:
            return f"{', '.join(sorted(nest.types - {nest.elem}))} values: only {nest.elem} lanes are vectorized"
        vec = VECTORS["vnni"].get(nest.elem)
        if vec is None:
            return f"{nest.elem} has no AVX-512 register type"
        cands = tuple(t for t in templates("vnni", nest.elem) if t.accuracy == "exact" and not t.domain
                      and set(vnni_table.FEATURES.get(t.intrinsic, ("?",))) <= FEATURES)
        cover = _Cover(nest, cands)
        for s in nest.stmts:
            if isinstance(s, E.Def) and s.invariant:
                continue
            if cover.cost(s.value) is None:
                bad = cover.failed if cover.failed is not None else s.value
                return f"{_txt(bad)} has no AVX-512 intrinsic"
        why = _in_double(nest, table)
        if why:
            return why
        g = _Gen(self, nest, cover, view, loop, vec)
        return g.statements(), sorted(g.used), list(dict.fromkeys(g.notes))


# ----------------------------------------------------------------------------- the cover
def _forms(e: ir.Expr) -> list[tuple[ir.Expr, str]]:
    """``fmaxf(e, c)`` as ``e > c ? e : c`` and ``fminf(e, c)`` as ``e < c ? e : c`` where ``c``
    is a literal (either argument): equal for a NaN ``e`` (both give ``c``) and everywhere else
    but the sign of a zero result, which C leaves unspecified. Not a ``-0.0f`` for fmaxf or
    ``+0.0f`` for fminf (the zero the other way would then be the one C may prefer)."""
    if not (isinstance(e, ir.Call) and isinstance(e.callee, ir.Name) and e.callee.name in ("fmaxf", "fminf")
            and len(e.args) == 2):
        return []
    out = []
    op = ">" if e.callee.name == "fmaxf" else "<"
    for v, c in ((e.args[0], e.args[1]), (e.args[1], e.args[0])):
        lit = _strip(c)
        if not isinstance(lit, (ir.FloatLit, ir.IntLit)) or lit.value != lit.value:
            continue
        x = float(lit.value)
        if x == 0.0 and (struct.pack(">f", x)[0] >> 7 == (1 if op == ">" else 0)):
            continue
        which = "_mm512_max_ps" if op == ">" else "_mm512_min_ps"
        out.append((ir.Ternary(ir.Binary(op, v, c), v, c),
                    f"{_txt(e)} computed as {_txt(v)} {op} {_txt(c)} ? ... ({which}): "
                    f"a zero result may have the other sign, which C leaves unspecified"))
        break
    return out


class _Cover(Cover):
    """The shared cover, with ``fmaxf``/``fminf`` against a literal also tried as the x86
    selection (``_forms``)."""

    def _direct(self, e: ir.Expr) -> Optional[Choice]:
        best = super()._direct(e)
        for form, note in _forms(e):
            self._keep.append(form)
            c = super()._direct(form)
            if c is not None and (best is None or c.cost < best.cost):
                best = Choice(c.template, c.slots, c.cost, note)
        return best


# ----------------------------------------------------------------------------- float only
_ARITH = {"+", "-", "*", "/"}
_COMPARE = {"<", ">", "<=", ">=", "==", "!="}


def _exact_float(lit: ir.Expr) -> bool:
    lit = _strip(lit)
    if not isinstance(lit, ir.FloatLit):
        return False
    try:
        return struct.unpack("f", struct.pack("f", float(lit.value)))[0] == float(lit.value)
    except OverflowError:
        return False


def _in_double(nest: E.Elementwise, table: SymbolTable) -> str:
    """Why some value of the loop is not computed in float (``""`` when all are): the
    operation's type under C's usual arithmetic conversions, with the loop's loads and
    temporaries float and each invariant operand of its own type."""
    bad: list[str] = []

    def inv(e: ir.Expr) -> Optional[str]:
        """float, int, double, xdouble (a double literal that is exactly a float) or None."""
        e0 = _strip(e)
        if isinstance(e0, ir.FloatLit):
            t = float_literal_type(e0).name
            return "float" if t == "float" else "xdouble" if _exact_float(e0) else "double"
        if isinstance(e0, (ir.IntLit, ir.CharLit, ir.BoolLit)):
            return "int"
        t = None
        if e in table:
            try:
                t = table.type_of(e)
            except Exception:  # noqa: BLE001 -- unknown
                t = None
        if t is None:  # (a form made by a rewrite: its leaves are the source's nodes)
            if isinstance(e, ir.Unary) and e.op in ("-", "+"):
                return inv(e.operand)
            if isinstance(e, ir.Binary) and e.op in _ARITH:
                a, b = inv(e.lhs), inv(e.rhs)
                if None in (a, b):
                    return None
                return "double" if {"double", "xdouble"} & {a, b} else "float" if "float" in (a, b) else "int"
            return None
        name = E._spelling(t) if isinstance(t, ir.Named) else ""
        if name == "float":
            return "float"
        if name in ("double", "long double"):
            return "double"
        if name in E._INTS or name in ("bool", "unsigned char", "signed char", "unsigned short", "unsigned long long",
                                       "uint8_t", "int8_t", "uint16_t", "int16_t", "uint64_t"):
            return "int"
        return None

    def ty(e: ir.Expr) -> Optional[str]:
        k = nest.kind(e)
        if k in ("load", "temp"):
            return "float"
        if k == "invariant":
            t = inv(e)
            if t is None:
                bad.append(f"the type of {_txt(e)} is not known")
            return t
        if isinstance(e, ir.Cast):
            ty(e.operand)
            t = E._spelling(e.type) if isinstance(e.type, ir.Named) else ""
            if t != "float":
                bad.append(f"{_txt(e)} converts to {t or 'another type'}")
            return "float"
        if isinstance(e, ir.Binary):
            a, b = ty(e.lhs), ty(e.rhs)
            if e.op in _ARITH:
                if {"double", "xdouble"} & {a, b}:
                    bad.append(f"{_txt(e)} computes in double")
                return "float"
            if e.op in _COMPARE:
                if "double" in (a, b):
                    bad.append(f"{_txt(e)} compares in double")
            return "int"
        if isinstance(e, ir.Unary):
            t = ty(e.operand)
            if e.op == "-" and t in ("double", "xdouble"):
                bad.append(f"{_txt(e)} computes in double")
            return t if e.op in ("-", "+") else "int"
        if isinstance(e, ir.Ternary):
            ty(e.cond)
            a, b = ty(e.then), ty(e.other)
            if "double" in (a, b):
                bad.append(f"{_txt(e)} selects a double")
            return "xdouble" if "xdouble" in (a, b) else "float"
        if isinstance(e, ir.Call):
            for a in e.args:
                ty(a)
            fn = e.callee.name if isinstance(e.callee, ir.Name) else ""
            if not (fn.endswith("f") or fn in ("__expf", "__logf", "__fdividef", "isnan", "isinf")):
                bad.append(f"{_txt(e)} computes in double")
            return "int" if fn in ("isnan", "isinf") else "float"
        return "float"

    for s in nest.stmts:
        if isinstance(s, E.Def) and s.invariant:
            continue
        if ty(s.value) in ("double",):
            bad.append(f"{_txt(s.value)} is a double")
        if bad:
            return bad[0] + ": float lanes would round differently"
    return ""


# ----------------------------------------------------------------------------- the code
class _Gen:
    """The vector loop and masked tail of one element-wise nest."""

    def __init__(self, k: VnniKernel, nest: E.Elementwise, cover: Cover, view: L.LoopView, loop: ir.For, vec: str):
        self.k, self.nest, self.cover, self.view, self.loop, self.vec = k, nest, cover, view, loop, vec
        width, _elem, _doc = vnni_table.TYPES[vec]
        self.lanes = width // 32  # (float lanes)
        self.used: set[str] = set()
        self.notes: list[str] = []
        self.hoisted: list[ir.Stmt] = []  # invariant declarations of the body, then broadcasts
        self.bcast: dict[str, str] = {}  # invariant expression (text) -> its register
        self.names: dict[E.Stream, str] = {}  # stream -> the register holding it (both bodies)
        self.kept: dict[int, str] = {}  # statement index -> the register of a stored value read again
        self.c = k.fresh("xp_c")
        self.end = k.fresh("xp_end")
        self.mask = k.fresh("xp_m")
        self.itype = view.var_type if isinstance(view.var_type, ir.Named) else ir.Named("int")

    def statements(self) -> list[ir.Stmt]:
        for s in self.nest.stmts:
            if isinstance(s, E.Def) and s.invariant:
                self.hoisted.append(_decl(s.name, ir.clone(s.value), s.type))
        defs = len(self.hoisted)
        full = self.body(_name(self.c), None)
        tail = self.body(_name(self.end), self.mask)
        x, start = self.view.end, self.view.start
        per = lambda e: ir.Binary("*", ir.Binary("/", e, ir.IntLit(self.lanes)), ir.IntLit(self.lanes))  # noqa: E731
        zero = isinstance(start, ir.IntLit) and start.value == 0
        end = per(ir.clone(x)) if zero else ir.Binary("+", ir.clone(start), per(ir.Binary("-", ir.clone(x),
                                                                                             ir.clone(start))))
        loop = ir.For(ir.Decl([ir.VarDecl(self.c, copy.deepcopy(self.itype), ir.clone(start))]),
                      ir.Binary("<", _name(self.c), _name(self.end)),
                      ir.Assign("+=", _name(self.c), ir.IntLit(self.lanes)), ir.Block(full),
                      pragmas=list(self.loop.pragmas), info=copy.copy(self.loop.info))
        mt = _mask_type()
        m = ir.Cast(ir.Named(mt), ir.Binary("-", ir.Binary("<<", ir.IntLit(1, "1u"), ir.Binary("-", ir.clone(x),
                                                                                               _name(self.end))),
                                            ir.IntLit(1, "1u")))
        tail_if = ir.If(ir.Binary("<", _name(self.end), ir.clone(x)), ir.Block([_decl(self.mask, m, mt)] + tail))
        out = self.hoisted + [_decl(self.end, end, self.itype.name), loop, tail_if]
        # the body's own invariant declarations keep their names: scoped, so that a later
        # declaration of the same name in the function does not clash
        return [ir.Block(out)] if defs else out

    def body(self, base: ir.Expr, mask: Optional[str]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        self.held: dict[E.Stream, str] = {}  # streams loaded (or stored and read again) in this body
        stmts = self.nest.stmts
        declared: set[str] = set()
        for i, s in enumerate(stmts):
            if isinstance(s, E.Def):
                if not s.invariant:
                    v = self.value(s.value, out, base, mask)
                    if s.name in declared:  # a temporary defined again: assigned
                        out.append(ir.ExprStmt(ir.Assign("=", _name(s.name), v)))
                    else:
                        out.append(_decl(s.name, v, self.vec))
                        declared.add(s.name)
                continue
            v = self.value(s.value, out, base, mask)
            if any(self.nest.loads.get(id(n)) == s.stream for t in stmts[i + 1:] for n in t.value.walk()):
                if i not in self.kept:  # read again below: kept in a register (one name in both bodies)
                    self.kept[i] = self.k.fresh(f"xp_{s.stream.buf}")
                name = self.kept[i]
                out.append(_decl(name, v, self.vec))
                v = _name(name)
                self.held[s.stream] = name
            else:
                self.held.pop(s.stream, None)
            ptr = self.where(s.stream, base)
            if mask is None:
                out.append(ir.ExprStmt(self.call(STORE, mem_addr=ptr, a=v)))
            else:
                out.append(ir.ExprStmt(self.call(STORE_MASKED, mem_addr=ptr, k=_name(mask), a=v)))
        return out

    def call(self, name: str, **args: ir.Expr) -> ir.Call:
        self.used.add(name)
        return _table_call(name, **args)

    def where(self, st: E.Stream, base: ir.Expr) -> ir.Expr:
        p = ir.Binary("+", _name(st.buf), ir.clone(base))
        off = st.offset
        if isinstance(off, ir.IntLit) and off.value == 0:
            return p
        return ir.Binary("+", p, ir.clone(off))

    def value(self, e: ir.Expr, out: list[ir.Stmt], base: ir.Expr, mask: Optional[str]) -> ir.Expr:
        """``e`` for the lanes at ``base`` as a register expression (loads declared in ``out``)."""
        k = self.nest.kind(e)
        if k == "load":
            st = self.nest.loads[id(e)]
            if st not in self.held:
                name = self.names.get(st) or self.k.fresh(f"xp_{st.buf}")
                self.names[st] = name
                ptr = self.where(st, base)
                load = self.call(LOAD, mem_addr=ptr) if mask is None else \
                    self.call(LOAD_MASKED, k=_name(mask), mem_addr=ptr)
                out.append(_decl(name, load, self.vec))
                self.held[st] = name
            return _name(self.held[st])
        if k == "temp":
            return _name(e.name)
        if k == "invariant":
            return _name(self.broadcast(e))
        if float_cast(e):  # (float)v of a float v (a double one was refused: _in_double)
            return self.value(e.operand, out, base, mask)
        c = self.cover.choose(e)
        assert c is not None  # the cover was checked before generating
        if c.note:
            self.notes.append(c.note)
        args: list[ir.Expr] = []
        for r in c.template.roles:
            if r == "s":
                args.append(ir.clone(c.slots["$s"]))
            else:
                args.append(self.value(c.slots[f"${r}"], out, base, mask))
        self.used.add(c.template.intrinsic)
        return ir.Call(ir.Name(c.template.intrinsic), args)

    def broadcast(self, e: ir.Expr) -> str:
        """The register holding the invariant ``e`` in every lane, broadcast once before the loop."""
        from ..printer import Printer

        key = Printer("c", "").expr(e)
        if key not in self.bcast:
            fill = self.cover.fill
            hint = e.name if isinstance(e, ir.Name) else "s"
            name = self.k.fresh(f"xp_{hint}")
            self.hoisted.append(_decl(name, ir.Call(ir.Name(fill.intrinsic), [ir.clone(e)]), self.vec))
            self.used.add(fill.intrinsic)
            self.bcast[key] = name
        return self.bcast[key]
