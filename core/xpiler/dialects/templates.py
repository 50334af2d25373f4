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

Only BANG's vector intrinsics (pointer operands in NRAM, an element count) are read this
way today; ``operand_roles`` names each parameter's role in the call so the caller can write
the call back (``dst``, ``v0``, ``v1``, ``s``, ``n``).
"""
from __future__ import annotations

import functools
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
        text = __import__("re").sub(rf"\b{k}\b", v, text)
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
    body = loop.body.stmts if isinstance(loop.body, ir.Block) else [loop.body]
    store = None
    for s in body:
        if isinstance(s, ir.Decl) and store is None:
            for v in s.vars:
                if v.init is None:
                    return None
                env[v.name] = v.init
        elif isinstance(s, ir.ExprStmt) and isinstance(s.expr, ir.Assign) and s.expr.op == "=" and store is None:
            store = s.expr
        else:
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
