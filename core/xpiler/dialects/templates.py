"""Element-wise templates: what one lane of an intrinsic computes, read from its semantics
in the dialect table, for tensorization to match expressions against.

    templates("bang", "float", arch="mtp_372")
    -> [..., Template("__bang_add", <$v0 + $v1>, ("dst", "v0", "v1", "n")),
            Template("__bang_mul_scalar", <$v0 * $s>, ("dst", "v0", "s", "n")),
            Template("__bang_active_sigmoid", <1.0f / (1.0f + expf(-$v0))>, ("dst", "v0", "n")),
            Template("__bang_write_value", <$s>, ("dst", "n", "s")), ...]

A template is the snippet's per-lane expression with its operands as slots: ``$v0``,
``$v1`` (vector operands: a pointer read at the lane, ``src0[i]``), ``$s`` (a scalar
parameter read as is). The snippet's own locals (``const float a = (float)src0[i]``) are
substituted, the casts to the element type and ``xp_cast<T>`` dropped (they are identities
when every operand has that type, the only case tensorize matches). Nothing here is a
hand-written list of which intrinsic adds: a table entry whose semantics is one lane loop
of the form ``dst[i] = f(src...[i], scalars)`` is a template, every other entry is not.

BANG's vector intrinsics (pointer operands in NRAM, an element count) are read as such a
loop; ``roles`` names each parameter's role in the call so the caller can write the call
back (``dst``, ``v0``, ``v1``, ``s``, ``n``).

VNNI's (AVX-512) are value-returning intrinsics over whole registers: an entry returning
the element type's 512-bit vector (``__m512`` for float) whose parameters are such vectors
(``v0``, ``v1``, ``v2``) or one scalar of the element type (``s``), and whose semantics is one
loop over every lane ``XP_LANES(r, float)[i] = f(XP_LANES(a, float)[i], ..., s)``:

    templates("vnni", "float")
    -> [..., Template("_mm512_max_ps", <$v0 > $v1 ? $v0 : $v1>, ("v0", "v1")),
            Template("_mm512_fmadd_ps", <fmaf($v0, $v1, $v2)>, ("v0", "v1", "v2")),
            Template("_mm512_add_ps", <$v0 + $v1>, ("v0", "v1")),
            Template("_mm512_set1_ps", <$s>, ("s",)), ...]

(no ``dst`` and no ``n``: the call's value is the result, for all 16 lanes). Entries whose
lanes are another type (``_mm512_abs_ps`` clears bits of ``uint32_t`` lanes), that read
another lane (shuffles), or that take a mask or an immediate are not templates. An entry
whose overload ``note`` says the hardware returns an approximation (``_mm512_rcp14_ps``,
``_mm512_rsqrt14_ps``: the emulation computes the exact value) is ``accuracy="approximate"``.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Optional

from .. import ir
from . import get
from . import semantics as S

#: the categories whose entries may be element-wise templates
CATEGORIES = {"bang": ("elementwise", "scalar", "active", "memset")}


@dataclass(frozen=True)
class Template:
    intrinsic: str
    pattern: ir.Expr  # over Name("$v0"), Name("$v1"), Name("$s")
    roles: tuple[str, ...]  # per call parameter: dst, v0, v1, s, n
    in_place: bool  # dst may be one of the sources (the table's overlap rule)
    accuracy: str = "exact"  # the table's: "approximate" on hardware (the emulation is exact)
    domain: str = ""  # the table's input range outside which results are undefined
    space: str = ""  # the destination's memory space (the table's; "" where it names none)
    pipeline: str = ""  # BANG: compute, io, move

    @property
    def vectors(self) -> int:
        return sum(r.startswith("v") for r in self.roles)

    def __str__(self) -> str:
        from ..printer import Printer

        return f"{self.intrinsic}: {Printer('c', '').expr(self.pattern)}"


@functools.lru_cache(maxsize=None)
def templates(dialect: str, elem: str, arch: Optional[str] = None) -> tuple[Template, ...]:
    """Every element-wise template of ``dialect`` for element type ``elem`` available on
    ``arch`` (deprecated entries and aliases left out), larger patterns first."""
    if dialect in VECTORS:
        return _vector_templates(dialect, elem)
    d = get(dialect)
    avail = _availability(dialect)
    out: list[Template] = []
    for it in {id(i): i for i in d.intrinsics.values()}.values():
        if it.category not in CATEGORIES.get(dialect, ()) or it.deprecated or it.alias_of:
            continue
        for ov in it.overloads:
            if ov.semantics is None or (arch and not avail(ov.arch, arch)):
                continue
            for env in ov.instances or ({},):
                if any(v != elem for k, v in dict(env).items() if k in ("T", "V")):
                    continue
                t = _template(dialect, it, ov, dict(env), elem)
                if t is not None:
                    out.append(t)
    out.sort(key=lambda t: (-_size(t.pattern), t.intrinsic))
    return tuple(out)


#: dialects whose templates are value-returning register intrinsics: element type -> the
#: vector type of one register (its lanes are ``XP_LANES(v, elem)``)
VECTORS = {"vnni": {"float": "__m512"}}


def _vector_templates(dialect: str, elem: str) -> tuple[Template, ...]:
    """The templates of a register dialect (module docstring): every entry returning the
    element type's vector whose parameters are such vectors or one element-type scalar and
    whose semantics is one loop over all the lanes."""
    vec = VECTORS[dialect].get(elem)
    if vec is None:
        return ()
    d = get(dialect)
    shaped = []
    for it in {id(i): i for i in d.intrinsics.values()}.values():
        if it.deprecated or it.alias_of or len(it.overloads) != 1:
            continue
        ov = it.overloads[0]
        if ov.semantics is None or ov.ret != vec or not ov.params or \
                any(p.type not in (vec, elem) for p in ov.params) or sum(p.type == elem for p in ov.params) > 1:
            continue
        shaped.append((it, ov))
    S.prepare(dialect, [it for it, _ in shaped])  # (one parse for all of them)
    out: list[Template] = []
    for it, ov in shaped:
        roles, args, types = [], [], []
        for p in ov.params:
            if p.type == vec:
                roles.append(f"v{len(args) - roles.count('s')}")
                args.append(ir.Name(f"${roles[-1]}"))
                types.append(ir.Named(vec))
            else:
                roles.append("s")
                args.append(ir.Name("$s"))
                types.append(ir.Named(elem))
        try:
            exp = S.semantics_ir(it, ov, args, dialect=dialect, arg_types=types)
        except S.SemanticsError:
            continue
        pattern = _register_lanes(exp.stmts, exp.result, elem)
        if pattern is None or not any(isinstance(n, ir.Name) and n.name.startswith(("$v", "$s")) for n in pattern.walk()):
            continue
        accuracy = it.accuracy
        if accuracy == "exact" and re.search(r"\bapproximation\b", ov.note or "", re.I):
            accuracy = "approximate"
        out.append(Template(it.name, pattern, tuple(roles), False, accuracy, it.domain, "", it.pipeline))
    out.sort(key=lambda t: (-_size(t.pattern), t.intrinsic))
    return tuple(out)


def _lane_view(e: ir.Expr, elem: str) -> Optional[tuple[str, ir.Expr]]:
    """(v, index) of ``XP_LANES(v, elem)[index]`` (``((xp_ma_elem *)&v)[index]``), else None."""
    if not isinstance(e, ir.Index):
        return None
    b = e.base
    if isinstance(b, ir.Cast) and isinstance(b.type, ir.Pointer) and isinstance(b.type.pointee, ir.Named) and \
            b.type.pointee.name == f"xp_ma_{elem}" and isinstance(b.operand, ir.Unary) and b.operand.op == "&" and \
            isinstance(b.operand.operand, ir.Name):
        return b.operand.operand.name, e.index
    return None


def _register_lanes(stmts: list[ir.Stmt], result: Optional[ir.Expr], elem: str) -> Optional[ir.Expr]:
    """``E`` of ``V r; for (int i = 0; i < LANES; ++i) { [const T a = ...;] XP_LANES(r, T)[i] = E; }``
    returning ``r``, with the locals substituted and ``XP_LANES($vK, T)[i]`` written ``$vK``:
    every lane of the result computed from the same lane of the operands."""
    if not isinstance(result, ir.Name) or len(stmts) != 2 or not isinstance(stmts[0], ir.Decl) or \
            [v.name for v in stmts[0].vars] != [result.name] or stmts[0].vars[0].init is not None:
        return None
    loop = stmts[1]
    if not isinstance(loop, ir.For) or not isinstance(loop.init, ir.Decl) or len(loop.init.vars) != 1:
        return None
    lane = loop.init.vars[0].name
    from .. import dtypes

    lanes = (dtypes.sizeof(stmts[0].vars[0].type) or 0) // (dtypes.sizeof(ir.Named(elem)) or 1)
    start, c = loop.init.vars[0].init, loop.cond
    if not (isinstance(start, ir.IntLit) and start.value == 0 and isinstance(c, ir.Binary) and c.op == "<" and
            _is_lane(c.lhs, lane) and isinstance(c.rhs, ir.IntLit) and c.rhs.value == lanes and lanes > 1):
        return None
    env: dict[str, ir.Expr] = {}
    store = _lane_store(loop, env)
    if store is None:
        return None
    at = _lane_view(store.target, elem)
    if at is None or at[0] != result.name or not _is_lane(at[1], lane):
        return None
    value = store.value
    for _ in range(4):  # locals defined from locals
        value = ir.transform(value, lambda n: ir.clone(env[n.name]) if isinstance(n, ir.Name) and n.name in env
                             else None)
    ok = True

    def lanes_of(n: ir.Node):
        nonlocal ok
        if isinstance(n, ir.Index):
            v = _lane_view(n, elem)
            if v is not None and v[0].startswith("$v") and _is_lane(v[1], lane):
                return ir.Name(v[0])
            ok = False
        return None

    value = strip(ir.transform(value, lanes_of))
    if not ok or any(isinstance(n, (ir.Index, ir.Assign, ir.Unary)) and not (isinstance(n, ir.Unary) and n.op in "-!~")
                     or (isinstance(n, ir.Name) and (n.name in (lane, result.name) or n.name.startswith("xp")))
                     for n in value.walk()):
        return None  # another lane, another lane type, memory, or the result itself
    return value


def _availability(dialect: str):
    if dialect == "bang":
        from .bang.intrinsics import available

        return available
    return lambda spec, arch: True


def _size(e: ir.Node) -> int:
    return sum(1 for _ in e.walk())


def _template(dialect: str, it, ov, env: dict, elem: str) -> Optional[Template]:
    """The template of one overload instance, or None when its snippet is not one lane loop
    ``dst[i] = f(...)`` over pointers read at the lane and scalars."""
    roles: list[str] = []
    space = ""
    args: list[ir.Expr] = []
    nv = 0
    etype = ir.Named(elem)
    types: list[Optional[ir.CType]] = []
    for p in ov.params:
        ptype = S.ctype(_bind(p.type, env))
        if isinstance(ptype, ir.Pointer):
            if p.role in ("out", "inout") or p.name == "dst":
                roles.append("dst")
                space = p.space or ""
                args.append(ir.Name("$dst"))
            else:
                roles.append(f"v{nv}")
                args.append(ir.Name(f"$v{nv}"))
                nv += 1
            types.append(ir.Pointer(etype))
        elif p.name in ("elem_count", "size", "count", "num"):
            roles.append("n")
            args.append(ir.Name("$n"))
            types.append(ir.Named("unsigned int"))
        else:
            if "s" in roles or _unqual(ptype) != elem:
                return None  # a second scalar or a configuration value: not element-wise
            roles.append("s")
            args.append(ir.Name("$s"))
            types.append(etype)
    if roles.count("dst") != 1 or roles.count("n") != 1:
        return None
    try:
        exp = S.semantics_ir(it, ov, args, dialect=dialect, arg_types=types, bindings=env)
    except S.SemanticsError:
        return None
    pattern = _lane_expression(exp.stmts)
    if pattern is None or not any(isinstance(n, ir.Name) and n.name.startswith(("$v", "$s")) for n in pattern.walk()):
        return None
    return Template(it.name, pattern, tuple(roles), "allowed" in (it.overlap or "").lower(), it.accuracy,
                    it.domain, space, it.pipeline)


def _bind(text: str, env: dict) -> str:
    for k, v in env.items():
        text = re.sub(rf"\b{k}\b", v, text)
    return text


def _unqual(t: ir.CType) -> str:
    return t.name.replace("const ", "").strip() if isinstance(t, ir.Named) else ""


def _lane_expression(stmts: list[ir.Stmt]) -> Optional[ir.Expr]:
    """``E`` of ``[T n = $n; ...] for (i...) { const T a = $v0[i]...; $dst[i] = xp_cast<T>(E); }``
    with the locals substituted and ``$vK[i]`` written ``$vK``."""
    env: dict[str, ir.Expr] = {}
    loop = None
    for s in stmts:
        if isinstance(s, ir.Decl) and loop is None:
            for v in s.vars:
                if v.init is None:
                    return None
                env[v.name] = v.init
        elif isinstance(s, ir.For) and loop is None:
            loop = s
        else:
            return None
    if loop is None or not isinstance(loop.init, ir.Decl) or len(loop.init.vars) != 1:
        return None
    lane = loop.init.vars[0].name
    store = _lane_store(loop, env)
    if store is None:
        return None
    target, value = store.target, store.value
    for _ in range(4):  # locals defined from locals (V *d = (V *)dst)
        target, value = (ir.transform(e, lambda n: ir.clone(env[n.name]) if isinstance(n, ir.Name) and n.name in env
                                      else None) for e in (target, value))
    if not _at_lane(target, lane, "$dst"):
        return None
    ok = True

    def lanes(n: ir.Node):
        nonlocal ok
        if isinstance(n, ir.Index):
            base = strip(n.base)
            if isinstance(base, ir.Name) and base.name.startswith("$v") and _is_lane(n.index, lane):
                return ir.Name(base.name)
            ok = False
        return None

    value = strip(ir.transform(value, lanes))
    if any(isinstance(n, (ir.Index, ir.Assign)) or (isinstance(n, ir.Name) and n.name in (lane, "$dst", "$n"))
           for n in value.walk()):
        return None  # reads another lane, the count, or memory other than its operands
    return value if ok else None


def _lane_store(loop: ir.For, env: dict[str, ir.Expr]) -> Optional[ir.Assign]:
    """The one assignment of a lane loop's body ``{ [const T a = ...;] dst-lane = E; }``, its
    locals added to ``env``; None for any other body."""
    store = None
    for s in (loop.body.stmts if isinstance(loop.body, ir.Block) else [loop.body]):
        if isinstance(s, ir.Decl) and store is None:
            for v in s.vars:
                if v.init is None:
                    return None
                env[v.name] = v.init
        elif isinstance(s, ir.ExprStmt) and isinstance(s.expr, ir.Assign) and s.expr.op == "=" and store is None:
            store = s.expr
        else:
            return None
    return store


def strip(e: ir.Expr) -> ir.Expr:
    """``e`` without ``xp_cast<T>(...)`` and C casts around or inside it (the identities
    of a template over one element type)."""
    def fn(n: ir.Node):
        if isinstance(n, ir.Cast) and isinstance(n.type, ir.Named):
            return n.operand
        if isinstance(n, ir.Call) and isinstance(n.callee, ir.Name) and n.callee.name.startswith("xp_cast") \
                and len(n.args) == 1:
            return n.args[0]
        return None

    return ir.transform(e, fn)


def _at_lane(e: ir.Expr, lane: str, base: str) -> bool:
    e = strip(e)
    if not isinstance(e, ir.Index):
        return False
    b = e.base
    while isinstance(b, ir.Cast):  # ((V *)dst)[i]
        b = b.operand
    return isinstance(b, ir.Name) and b.name == base and _is_lane(e.index, lane)


def _is_lane(e: ir.Expr, lane: str) -> bool:
    e = strip(e)
    return isinstance(e, ir.Name) and e.name == lane


@dataclass(frozen=True)
class Reduction:
    """A whole-vector reduction intrinsic (the table's ``Intrinsic.reduces``)."""

    intrinsic: str
    op: str  # sum, max, min
    returns: bool  # the result is the call's value (else dst[0])
    roles: tuple[str, ...]  # dst, v0, n


@functools.lru_cache(maxsize=None)
def reductions(dialect: str, elem: str, arch: Optional[str] = None) -> dict[str, Reduction]:
    """``{"sum": Reduction("__bang_sum", ...), "max": ...}``: the reductions of ``dialect``
    over ``elem`` available on ``arch`` (deprecated entries left out)."""
    d = get(dialect)
    avail = _availability(dialect)
    out: dict[str, Reduction] = {}
    for it in sorted({id(i): i for i in d.intrinsics.values()}.values(), key=lambda i: i.name):
        if not it.reduces or it.deprecated or it.alias_of or it.reduces in out:
            continue
        for ov in it.overloads:
            if (arch and not avail(ov.arch, arch)) or not any(dict(e).get("T") == elem for e in ov.instances):
                continue
            roles = tuple("n" if p.name in ("elem_count", "size", "count") else
                          ("dst" if p.name == "dst" else "v0") for p in ov.params)
            out[it.reduces] = Reduction(it.name, it.reduces, ov.ret not in (None, "void"), roles)
            break
    return out


@functools.lru_cache(maxsize=None)
def conversions(dialect: str, arch: Optional[str] = None) -> dict[tuple[str, str], str]:
    """``{("float16", "float32"): "__bang_half2float", ("float32", "float16"):
    "__bang_float2half_rn"}``: the element-wise conversions of ``dialect`` that compute what C's
    conversion does (exact, or rounding to nearest even), from the table's
    ``Intrinsic.converts``, available on ``arch``."""
    d = get(dialect)
    avail = _availability(dialect)
    out: dict[tuple[str, str], str] = {}
    for it in sorted({id(i): i for i in d.intrinsics.values()}.values(), key=lambda i: i.name):
        if not it.converts or it.deprecated or it.converts[2] not in ("exact", "nearest-even"):
            continue
        if arch and not any(avail(ov.arch, arch) for ov in it.overloads):
            continue
        out.setdefault((it.converts[0], it.converts[1]), it.name)
    return out
