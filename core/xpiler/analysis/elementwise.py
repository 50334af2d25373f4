"""Element-wise loop bodies: every iteration reads and writes memory only at its own index
(plus a loop-invariant offset), computes with private scalars, and has no control flow; the
shape tensorization turns into vector code.

    for (int i = 0; i < n; ++i) {            analyse(body, "i", table)
        float t = a * x[i] + y[i];           -> Elementwise(var="i",
        out[i] = t > 0.0f ? t : 0.0f;            stmts=[Def("t", a * x[i] + y[i]), Store(out@0, <t > 0.0f ? ...>)],
    }                                            streams: x@0, y@0 read; out@0 written)

What is accepted, and why each condition (a refusal names the first one that fails):

- statements: scalar declarations with an initialiser (``Def``: a per-element temporary, or
  a loop-invariant scalar when its value reads no memory and no temporary), stores
  ``p[var + c] = e`` and ``p[var + c] op= e`` (``c`` loop-invariant), and index aliases
  ``int i = var + c`` (what bind writes). Nothing else: a branch, a nested loop, a call
  statement, a reassigned scalar is "not element-wise" with its line;
- every memory access is ``p[var + c]`` on a pointer ``p`` the body does not assign, with a
  coefficient of exactly 1 on ``var`` (unit stride: a chunk of iterations is a contiguous
  range of each buffer);
- a buffer the body writes is read and written at one offset only (so running the body one
  statement at a time over a chunk keeps every read-after-write of the loop order);
  distinct pointers are assumed not to alias, as ``bind`` assumes (``assume_no_alias``);
- every value is of one floating element type (``float`` today).

Expressions keep their IR; ``Elementwise.kind(e)`` says what a node is: ``load`` (a stream
read, ``stream_of``), ``temp`` (a per-element temporary), ``invariant`` (reads no memory,
no temporary and not ``var``: computed once per chunk), else ``op``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from .. import ir
from .affine import Affine, NotAffine, Range, affine_of
from .symbols import SymbolTable

#: calls whose value depends only on their arguments (C's math functions on floats)
PURE = {"expf", "logf", "sqrtf", "fabsf", "fmaxf", "fminf", "tanhf", "erff", "sinf", "cosf", "exp2f", "log2f",
        "powf", "floorf", "ceilf", "roundf", "truncf", "rsqrtf", "exp", "log", "sqrt", "fabs", "fmax", "fmin",
        "tanh", "erf", "sin", "cos", "isnan", "isinf", "copysignf", "__expf", "__logf", "__fdividef"}


@dataclass(frozen=True)
class Stream:
    """A buffer read or written at ``var + offset``."""

    buf: str
    offset: ir.Expr = field(compare=False)
    key: str  # the offset's affine form as text: streams with one key are one range
    elem: str  # element type spelling


@dataclass
class Def:
    name: str
    type: str
    value: ir.Expr
    invariant: bool  # reads no memory and no temporary: one value for every element
    span: Optional[ir.Span] = None  # the source statement's (the code made for it points there)


@dataclass
class Store:
    stream: Stream
    value: ir.Expr
    span: Optional[ir.Span] = None


@dataclass
class Reduce:
    """``acc op= value`` for every element: ``acc += e`` (``sum``), ``acc = fmaxf(acc, e)``
    (``max``), ``acc = fminf(acc, e)`` (``min``), with ``acc`` declared outside the loop."""

    name: str
    op: str
    value: ir.Expr
    span: Optional[ir.Span] = None


@dataclass
class Elementwise:
    var: str
    elem: str
    stmts: list[Union[Def, Store, Reduce]]
    loads: dict[int, Stream]  # id(Index node) -> its stream
    temps: set[str]  # per-element temporaries
    temp_types: dict[str, str] = field(default_factory=dict)  # temporary -> float | half

    def vtype(self, e: ir.Expr) -> Union[str, "NotElementwise"]:
        """The element type of ``e``'s value per element: ``half`` for a half stream or
        temporary and a conversion to half, else ``float``; arithmetic on a half value is
        refused (the vector code computes in float, and the source's half arithmetic may
        round differently)."""
        k = self.kind(e)
        if k == "load":
            return self.loads[id(e)].elem
        if k == "temp":
            return self.temp_types.get(e.name, "float")
        if k == "invariant":
            return "float"
        if isinstance(e, ir.Cast) and isinstance(e.type, ir.Named):
            inner = self.vtype(e.operand)
            if isinstance(inner, NotElementwise):
                return inner
            to = _spelling(e.type)
            return "half" if to == "half" else "float"
        for c in e.children():
            if isinstance(c, ir.Expr) and self.kind(c) != "invariant":
                t = self.vtype(c)
                if isinstance(t, NotElementwise):
                    return t
                if t == "half":
                    return NotElementwise(f"{_text(e)}: arithmetic on a half value", e)
        return "float"

    def kind(self, e: ir.Expr) -> str:
        if id(e) in self.loads:
            return "load"
        if isinstance(e, ir.Name) and e.name in self.temps:
            return "temp"
        if self.invariant(e):
            return "invariant"
        return "op"

    def invariant(self, e: ir.Expr) -> bool:
        return not any(id(n) in self.loads or (isinstance(n, ir.Name) and (n.name in self.temps or n.name == self.var))
                       for n in e.walk())

    @property
    def types(self) -> set[str]:
        """The element types of the streams and temporaries (``{"float"}``, or with ``half``)."""
        return {s.elem for s in self.loads.values()} | {s.stream.elem for s in self.stmts if isinstance(s, Store)} \
            | set(self.temp_types.values())

    @property
    def streams_read(self) -> list[Stream]:
        return list(dict.fromkeys(self.loads.values()))

    @property
    def streams_written(self) -> list[Stream]:
        return list(dict.fromkeys(s.stream for s in self.stmts if isinstance(s, Store)))


@dataclass
class NotElementwise:
    reason: str
    node: Optional[ir.Node] = None

    def __bool__(self) -> bool:
        return False

    @property
    def line(self) -> Optional[int]:
        return self.node.span.line if self.node is not None and self.node.span else None


def _text(e: ir.Node) -> str:
    from ..printer import Printer

    try:
        if isinstance(e, ir.Stmt):
            return " ".join(x.strip() for x in Printer("c", "").stmt(e, 0))[:80]
        return Printer("c", "").expr(e)[:80]
    except Exception:  # noqa: BLE001 -- a message, never a crash
        return type(e).__name__


def analyse(stmts: list[ir.Stmt], var: str, table: SymbolTable,
            reductions: bool = False) -> Union[Elementwise, NotElementwise]:
    """The element-wise form of a loop body over ``var`` (the body's statements, nodes of
    ``table``'s function), or why it is not one. ``reductions``: accept ``Reduce``
    statements (a serial loop; their order of accumulation may change)."""
    stmts = _flatten(stmts)
    if isinstance(stmts, NotElementwise):
        return stmts
    aliases: dict[str, ir.Expr] = {}
    temps: set[str] = set()
    scalars: set[str] = set()
    out: list[Union[Def, Store, Reduce]] = []
    loads: dict[int, Stream] = {}
    accs = _accumulators(stmts) if reductions else {}
    # body-local float scalars assigned after their declaration: each assignment is a new
    # definition (straight-line code: the later statements read the latest)
    local = {v.name: v for s in stmts if isinstance(s, ir.Decl) for v in s.vars}
    redefined = {n for n in _assigned(stmts) if n in local and isinstance(local[n].type, ir.Named)
                 and _spelling(local[n].type) == "float"}
    assigned = _assigned(stmts) - set(accs) - redefined
    elem: Optional[str] = None
    temp_types: dict[str, str] = {n: _spelling(local[n].type) for n in redefined}
    written: dict[str, Stream] = {}
    seen: dict[str, set[str]] = {}

    def stream(ix: ir.Index) -> Union[Stream, NotElementwise]:
        nonlocal elem
        base = ix.base
        if not isinstance(base, ir.Name):
            return NotElementwise(f"{_text(ix)}: the buffer is not a named pointer", ix)
        if base.name in assigned:
            return NotElementwise(f"{base.name} is assigned in the loop", ix)
        t = table.type_of(base)
        if not isinstance(t, (ir.Pointer, ir.Array)):
            return NotElementwise(f"{base.name} is not a pointer", ix)
        et = _spelling(t.pointee if isinstance(t, ir.Pointer) else t.elem)
        if et not in ("float", "half"):
            return NotElementwise(f"{base.name} holds {et or 'an unknown type'}: tensorize handles float and "
                                  f"half", ix)
        if elem is None and et == "float":
            elem = et
        # the index is a sum of terms: those reading var (or an alias of it) must form
        # var + c; the others are loop-invariant as they are (r * cols: no affine form needed)
        varying, fixed = [], []
        for sign, term in _terms(ix.index, 1):
            (varying if _mentions(term, {var, *aliases}) else fixed).append((sign, term))
        if not varying:
            return NotElementwise(f"index {_text(ix.index)} does not depend on {var}", ix)
        moving = _sum(varying)
        a = affine_of(moving, table, defs=aliases, ranges={var: Range(0, None)})
        if isinstance(a, NotAffine):
            return NotElementwise(f"index {_text(ix.index)} is not affine in {var}: {a.reason}", ix)
        if a.coeff(var) != 1:
            return NotElementwise(f"index {_text(ix.index)} does not step by 1 with {var}", ix)
        rest = a - Affine.var(var).scale(1)
        if rest.names() & ({var} | set(aliases)):
            return NotElementwise(f"index {_text(ix.index)} does not step by 1 with {var}", ix)
        offset = rest.to_expr() if not fixed else (
            _sum(fixed) if rest.is_const and rest.const == 0 else ir.Binary("+", _sum(fixed), rest.to_expr()))
        bad = sorted(n.name for n in offset.walk() if isinstance(n, ir.Name) and (n.name in assigned or
                                                                                  n.name in temps))
        if bad or any(isinstance(n, (ir.Call, ir.Index, ir.Assign)) for n in offset.walk()):
            what = bad[0] if bad else "memory"
            return NotElementwise(f"index {_text(ix.index)} depends on {what}, which the loop may change", ix)
        return Stream(base.name, offset, _text(offset), et)

    def value(e: ir.Expr) -> Optional[NotElementwise]:
        stack = [e]
        while stack:
            n = stack.pop()
            if not isinstance(n, ir.Index):
                stack.extend(n.children())
            if isinstance(n, ir.Index):
                s = stream(n)
                if isinstance(s, NotElementwise):
                    return s
                loads[id(n)] = s
                seen.setdefault(s.buf, set()).add(s.key)
            elif isinstance(n, ir.Call):
                fn = n.callee.name if isinstance(n.callee, ir.Name) else None
                if fn not in PURE:
                    return NotElementwise(f"call of {_text(n.callee)}: not a pure math function", n)
            elif isinstance(n, (ir.Assign, ir.Launch, ir.OpaqueExpr)) or \
                    (isinstance(n, ir.Unary) and n.op in ("++", "--", "*", "&")):
                return NotElementwise(f"{_text(n)}: a side effect or address inside an expression", n)
            elif isinstance(n, ir.Member):
                return NotElementwise(f"{_text(n)}: a member access", n)
            elif isinstance(n, ir.Name) and n.name in aliases:
                return NotElementwise(f"the index {n.name} is used as a value", n)
        return None

    for s in stmts:
        if isinstance(s, ir.Decl):
            for v in s.vars:
                if v.name in redefined and v.init is None and v.space == "local":
                    temps.add(v.name)  # defined by its first assignment
                    continue
                if v.init is None or v.init_style != "=" or not isinstance(v.type, ir.Named) or \
                        v.space not in ("local",):
                    return NotElementwise(f"declaration of {v.name}: not a scalar with an initialiser", s)
                if v.name in assigned:
                    return NotElementwise(f"{v.name} is assigned after its declaration", s)
                ty = _spelling(v.type)
                a = affine_of(v.init, table, defs=aliases, ranges={var: Range(0, None)}) if ty in _INTS else None
                if a is not None and not isinstance(a, NotAffine) and a.coeff(var) == 1:
                    aliases[v.name] = v.init  # int i = i0 (+ c): read through by the streams
                    continue
                if ty in _INTS and _mentions(v.init, {var, *aliases}):
                    return NotElementwise(f"{v.name} = {_text(v.init)}: an index that is not {var} + c", s)
                why = value(v.init)
                if why is not None:
                    return why
                inv = not any(id(n) in loads or (isinstance(n, ir.Name) and (n.name in temps or n.name == var))
                              for n in v.init.walk())
                if not inv and ty not in ("float", "half"):
                    return NotElementwise(f"{v.name} is {ty}: tensorize handles float and half", s)
                temp_types[v.name] = ty
                inv = inv and v.name not in redefined  # (one buffer for every definition of the name)
                (scalars if inv else temps).add(v.name)
                out.append(Def(v.name, ty, v.init, inv, s.span))
            continue
        if isinstance(s, ir.ExprStmt) and isinstance(s.expr, ir.Assign) and isinstance(s.expr.target, ir.Name) \
                and s.expr.target.name in redefined:
            asg, name = s.expr, s.expr.target.name
            if asg.op == "=":
                val = asg.value
            elif asg.op in ("+=", "-=", "*=", "/="):
                val = ir.Binary(asg.op[0], ir.Name(name), asg.value)
            else:
                return NotElementwise(f"{_text(s)}: the operator {asg.op}", s)
            if name not in temps and asg.op != "=":
                return NotElementwise(f"{name} is read before it is set", s)
            why = value(val)
            if why is not None:
                return why
            temps.add(name)
            out.append(Def(name, "float", val, False, s.span))
            continue
        if isinstance(s, ir.ExprStmt) and isinstance(s.expr, ir.Assign) and isinstance(s.expr.target, ir.Index):
            asg = s.expr
            st = stream(asg.target)
            if isinstance(st, NotElementwise):
                return st
            if asg.op == "=":
                val = asg.value
            elif asg.op in ("+=", "-=", "*=", "/="):
                val = ir.Binary(asg.op[0], asg.target, asg.value)
            else:
                return NotElementwise(f"{_text(s)}: the operator {asg.op}", s)
            why = value(val)
            if why is not None:
                return why
            seen.setdefault(st.buf, set()).add(st.key)
            written[st.buf] = st
            out.append(Store(st, val, s.span))
            continue
        if isinstance(s, ir.ExprStmt) and id(s) in accs.get(_acc_name(s) or "", {}):
            op, val = accs[_acc_name(s)][id(s)]
            why = value(val)
            if why is not None:
                return why
            t = _spelling(table.type_of(s.expr.target) or ir.Named(""))
            if t not in ("float", "double") or (op != "sum" and t != "float"):
                return NotElementwise(f"the accumulator {_acc_name(s)} is {t or 'of unknown type'}", s)
            out.append(Reduce(_acc_name(s), op, val, s.span))
            continue
        if isinstance(s, (ir.Empty, ir.Comment)):
            continue
        return NotElementwise(f"{_text(s)}: not a declaration, a store or a reduction", s)
    for buf, st in written.items():
        if len(seen.get(buf, ())) > 1:
            return NotElementwise(f"{buf} is written at {var} + {st.key} and read at another offset")
    if not any(isinstance(s, (Store, Reduce)) for s in out):
        return NotElementwise("the loop stores nothing")
    nest = Elementwise(var, "float", out, loads, temps, temp_types)
    for s in out:  # half values are only copied and converted: arithmetic happens in float
        if not (isinstance(s, Def) and s.invariant):
            t = nest.vtype(s.value)
            if isinstance(t, NotElementwise):
                return t
            if isinstance(s, Reduce) and t != "float":
                return NotElementwise(f"a reduction of {t} values", s.value)
    return nest


_INTS = {"int", "unsigned", "unsigned int", "long", "long long", "size_t", "unsigned long", "int64_t",
         "int32_t", "uint32_t", "ptrdiff_t", "short", "char"}


#: the spellings of half on every dialect (dtypes.SPELLING), read as one element type
HALF = ("half", "__half", "_Float16")


def _spelling(t: ir.CType) -> str:
    if isinstance(t, ir.Named):
        name = " ".join(w for w in t.name.split() if w not in ("const", "volatile", "__restrict__", "restrict"))
        return "half" if name in HALF else name
    return ""


def _mentions(e: ir.Node, names: set[str]) -> bool:
    return any(isinstance(n, ir.Name) and n.name in names for n in e.walk())


def _flatten(stmts: list[ir.Stmt]) -> Union[list[ir.Stmt], NotElementwise]:
    """Nested blocks spliced into one statement list (what inlining leaves: ``{ float v =
    x[i]; r = f(v); }``), refused when that would make two declarations of one name meet."""
    out: list[ir.Stmt] = []
    for s in stmts:
        if isinstance(s, ir.Block):
            inner = _flatten(s.stmts)
            if isinstance(inner, NotElementwise):
                return inner
            out.extend(inner)
        else:
            out.append(s)
    names = [v.name for s in out if isinstance(s, ir.Decl) for v in s.vars]
    if len(names) != len(set(names)):
        dup = next(n for n in names if names.count(n) > 1)
        return NotElementwise(f"{dup} is declared in two blocks of the loop")
    return out


def _terms(e: ir.Expr, sign: int) -> list[tuple[int, ir.Expr]]:
    """``e`` as signed terms of a sum (through ``+``, ``-``, casts to integer types kept on
    the term)."""
    if isinstance(e, ir.Binary) and e.op in ("+", "-"):
        return _terms(e.lhs, sign) + _terms(e.rhs, sign if e.op == "+" else -sign)
    return [(sign, e)]


def _sum(terms: list[tuple[int, ir.Expr]]) -> ir.Expr:
    out: Optional[ir.Expr] = None
    for sign, t in terms:
        if out is None:
            out = t if sign > 0 else ir.Unary("-", t)
        else:
            out = ir.Binary("+" if sign > 0 else "-", out, t)
    return out if out is not None else ir.IntLit(0)


def _acc_name(s: ir.Stmt) -> Optional[str]:
    if isinstance(s, ir.ExprStmt) and isinstance(s.expr, ir.Assign) and isinstance(s.expr.target, ir.Name):
        return s.expr.target.name
    return None


def _accumulators(stmts: list[ir.Stmt]) -> dict[str, dict[int, tuple[str, ir.Expr]]]:
    """Scalars updated only as reductions: each top-level update statement (by id) with its
    operator and the value combined, for names not declared in the body and read nowhere
    else in it."""
    updates: dict[str, dict[int, tuple[str, ir.Expr]]] = {}
    for s in stmts:
        name = _acc_name(s)
        if name is None:
            continue
        a = s.expr
        form = None
        if a.op == "+=":
            form = ("sum", a.value)
        elif a.op == "=" and isinstance(a.value, ir.Binary) and a.value.op == "+":
            if isinstance(a.value.lhs, ir.Name) and a.value.lhs.name == name:
                form = ("sum", a.value.rhs)
            elif isinstance(a.value.rhs, ir.Name) and a.value.rhs.name == name:
                form = ("sum", a.value.lhs)
        elif a.op == "=" and isinstance(a.value, ir.Call) and isinstance(a.value.callee, ir.Name) and \
                a.value.callee.name in ("fmaxf", "fminf") and len(a.value.args) == 2:
            x, y = a.value.args
            op = "max" if a.value.callee.name == "fmaxf" else "min"
            if isinstance(x, ir.Name) and x.name == name:
                form = (op, y)
            elif isinstance(y, ir.Name) and y.name == name:
                form = (op, x)
        if form is not None and not _mentions(form[1], {name}):
            updates.setdefault(name, {})[id(s)] = form
    declared = {v.name for s in stmts for n in s.walk() if isinstance(n, ir.Decl) for v in n.vars}
    out = {}
    for name, ups in updates.items():
        if name in declared:
            continue
        uses = sum(1 for s in stmts for n in s.walk() if isinstance(n, ir.Name) and n.name == name)
        if uses == 2 * len(ups) - sum(1 for s in stmts if id(s) in ups and s.expr.op == "+="):
            out[name] = ups  # every mention is the update's own target (and its operand)
    return out


def _assigned(stmts: list[ir.Stmt]) -> set[str]:
    out: set[str] = set()
    for s in stmts:
        for n in s.walk():
            if isinstance(n, ir.Assign) and isinstance(n.target, ir.Name):
                out.add(n.target.name)
            elif isinstance(n, ir.Unary) and n.op in ("++", "--") and isinstance(n.operand, ir.Name):
                out.add(n.operand.name)
    return out
