"""Intrinsic semantics as IR loops, for the passes: detensorization splices them in place of a
call, tensorization matches loop nests against them.

    exp = semantics_ir("__bang_add", None, [dst, a, b, n], dialect="bang",
                       arg_types=[half_ptr, half_ptr, half_ptr, unsigned_int])
    exp.stmts   # [For(... dst[xp3_i] = xp_cast<half>(xp3_a + xp3_b) ...)], xp3_a = (float)a[xp3_i]...
    exp.result  # None: __bang_add returns nothing; a Name for a value-returning intrinsic

The loops come from the dialect table (``Overload.semantics``, or ``Overload.collective`` for
warp-wide operations; conventions in ``base.py``): each overload instance's snippet is parsed
once by the front end (all snippets of a dialect in one parse, cached), then copied and
substituted with ``ir.transform``:

* the snippet's own locals get fresh names (``xp<N>_<name>``, N unique in the process, or the
  caller's ``prefix``), so they cannot capture the caller's variables;
* each parameter is replaced by its argument. An argument with a possible side effect or cost
  (anything but a variable, a literal, a member of a variable), a value parameter the snippet
  assigns to, or a scalar whose type differs from the parameter's is bound once to a fresh
  temporary of the parameter's type (the conversion C's call would do). Reference parameters
  (``wmma`` fragments) alias their argument;
* ``return v;`` becomes the result: the returned local itself when the snippet ends with
  ``return local;``, else a fresh ``R xpN_ret`` (a ``do { } while (0)`` with ``break`` when a
  snippet returns early outside loops, else a done flag and breaks: ``xpiler/returns.py``,
  the lowering inlining uses).

How values are represented in the loops (plain C over the types the snippets use):

* scalars and pointers are themselves; a missing argument takes the parameter's default;
* a vector (VNNI ``__m512i``...) stays a value of the table's GCC vector typedef: plain storage
  of N bytes whose lanes the loops read and write through the lane view ``((xp_ma_int32_t *)&v)[i]``
  (the table's ``XP_LANES``, macro-expanded by the front end). A vector intrinsic's result is a
  local of that type, assignable to the caller's vector variable. ``Expansion.support`` holds
  the declarations (vector typedefs, lane typedefs, helpers, ``xp_cast``) a C file needs;
* collectives (shuffles, votes, match, reduce; ``Collective.kind == "lanes"``): the loops run
  over the lanes of one warp. Every per-thread argument is an array over the lanes (``var[lane]``,
  provided by the caller, e.g. loop recovery); ``mask`` and ``width`` are one uniform value.
  ``lanes`` supplies ``active`` (default: every lane), ``result`` and ``undefined`` (default: fresh
  local arrays; ``undefined[lane]`` is 1 where the value is undefined, e.g. a CUDA shuffle from a
  lane outside the call);
* tiles: a ``wmma`` fragment argument is its matrix, a row-major array of rows x cols elements;
  an MFMA builtin's operands are per-lane arrays of slots (``a[lane * slots + s]``: the lane's
  vector element s, or byte s of a packed 8-bit integer operand) gathered into matrices by the
  table's lane layout (``TileOperand``), computed by the snippet, the result scattered back to
  the ``result`` lane array (default: a fresh local).

Enumerators a snippet compares with (``wmma::mem_col_major``) become their values from the
table's ``ENUMERATORS``, so the loops need no vendor enum.
"""
from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Optional, Sequence, Union

from .. import ir
from ..diagnostics import XpilerError
from . import _tables, get
from .base import Collective, Intrinsic, Overload, Param, TileOperand, _declarator, bind

LANE_ARRAYS = ("active", "result", "undefined")  # what a "lanes" snippet names besides its operands


class SemanticsError(XpilerError):
    """The intrinsic has no semantics for this use, or its snippet does not parse."""


class NoMatchingOverload(SemanticsError):
    """No overload instance of the intrinsic accepts the argument types."""


class AmbiguousOverload(SemanticsError):
    """Several overload instances fit arguments whose types are (partly) unknown."""


@dataclass
class Expansion:
    """The loops of one intrinsic call, ready to splice into a kernel body.

    ``stmts`` go where the call was (in its scope: their names are fresh); ``result`` replaces
    the call in its expression (None for a void intrinsic). Example, ``__shfl_down_sync`` as
    lanes: ``stmts`` loop over ``lane``, ``result`` names the lane array of results and
    ``lanes["undefined"]`` the array marking undefined ones.
    """

    intrinsic: Intrinsic
    overload: Overload
    bindings: dict[str, str]  # the instance: type variables (and tile constants) -> C spelling
    kind: str  # "semantics" (one thread), "lanes" or "tile"
    stmts: list[ir.Stmt]
    result: Optional[ir.Expr]
    lanes: dict[str, ir.Expr] = field(default_factory=dict)  # the lane arrays used (lanes, MFMA)
    support: str = ""  # C declarations the statements need (typedefs, helpers), once per file


# ---------------------------------------------------------------------------------- names
_COUNTER = itertools.count(1)


def fresh_prefix() -> str:
    """A prefix no other expansion of this process uses: ``xp12_``."""
    return f"xp{next(_COUNTER)}_"


# ---------------------------------------------------------------------------------- types
_QUALS = re.compile(r"\b(const|volatile|restrict|__restrict__|__restrict|struct|enum)\b")
_NS = re.compile(r"\b(nvcuda::|wmma::|experimental::|precision::|std::)")
_ALIAS = {"signed char": "int8_t", "char": "int8_t", "int8": "int8_t", "unsigned char": "uint8_t",
          "short": "int16_t", "unsigned short": "uint16_t", "int": "int32_t", "unsigned int": "uint32_t",
          "unsigned": "uint32_t", "long": "int64_t", "long long": "int64_t", "unsigned long": "uint64_t",
          "unsigned long long": "uint64_t", "half": "__half", "_Float16": "__half",
          "__hip_bfloat16": "__nv_bfloat16", "__hip_bfloat162": "__nv_bfloat162", "_Bool": "bool"}
_ARITH = set(_ALIAS.values()) | {"float", "double", "bool", "__half", "__nv_bfloat16", "bfloat16_t", "int8_t",
                                  "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t"}


def _spell(text: str) -> str:
    """A type spelling without qualifiers, namespaces and blanks around punctuation."""
    t = _NS.sub("", _QUALS.sub(" ", text))
    t = re.sub(r"\s+", " ", t).strip()
    return re.sub(r"\s*([<>,*&\[\]])\s*", r"\1", t)


def _split(text: str) -> tuple[str, int, bool]:
    """(base spelling, pointer depth, reference) of a C type spelling."""
    t = _spell(text)
    ref = t.endswith("&")
    t = t.rstrip("&")
    depth = 0
    while t.endswith("*") or t.endswith("[]"):
        t = t[:-1] if t.endswith("*") else t[:-2]
        depth += 1
    return t.strip(), depth, ref


def _ctype_split(t: ir.CType) -> tuple[list[str], int]:
    """(spellings of the base type: name and canonical, pointer depth) of an IR type."""
    depth = 0
    while True:
        if isinstance(t, ir.Reference):
            t = t.pointee
        elif isinstance(t, ir.Pointer):
            t, depth = t.pointee, depth + 1
        elif isinstance(t, ir.Array):
            t, depth = t.elem, depth + 1
        else:
            break
    if not isinstance(t, ir.Named):
        return [], depth
    names = [_spell(t.name)]
    if t.canonical:
        names.append(_spell(t.canonical))
    return names, depth


def _norm(spelling: str) -> str:
    return _ALIAS.get(spelling, spelling)


def _score(param_type: str, arg: Optional[ir.CType]) -> Optional[int]:
    """How well an argument of type ``arg`` fits a parameter (None: not at all): 3 same spelling,
    2 same type through a typedef, 1 a conversion (void pointer, arithmetic), 0 unknown type."""
    if arg is None:
        return 0
    base, depth, _ = _split(param_type)
    names, adepth = _ctype_split(arg)
    if not names:
        return 0
    if depth != adepth:
        return None
    if base in names:
        return 3
    if _norm(base) in {_norm(n) for n in names}:
        return 2
    if depth and base == "void":
        return 1
    if depth == 0 and _norm(base) in _ARITH and any(_norm(n) in _ARITH for n in names):
        return 1
    if depth == 0 and (_norm(base) in _ARITH) != any(_norm(n) in _ARITH for n in names):
        # enums and masks convert from integers; not structs or vectors
        return 1 if any(n.endswith("_t") or n.startswith("__mmask") or "ENUM" in n for n in names + [base]) else None
    return None


def literal_type(e: ir.Expr) -> Optional[ir.CType]:
    """The C type of a literal argument (``3`` int, ``2.0f`` float), None for other expressions."""
    if isinstance(e, ir.Unary) and e.op in "-+" and not e.postfix:
        return literal_type(e.operand)
    if isinstance(e, ir.IntLit):
        sfx = re.sub(r"^[0-9a-fA-FxX]+", "", e.text or "").lower()
        if "ll" in sfx:
            return ir.Named("unsigned long long" if "u" in sfx else "long long")
        if "l" in sfx:
            return ir.Named("unsigned long" if "u" in sfx else "long")
        if "u" in sfx:
            return ir.Named("unsigned int")
        return ir.Named("int" if -2 ** 31 <= e.value < 2 ** 31 else "long")
    if isinstance(e, ir.FloatLit):
        return ir.Named("float" if (e.text or "").lower().endswith("f") else "double")
    if isinstance(e, ir.BoolLit):
        return ir.Named("bool")
    if isinstance(e, ir.CharLit):
        return ir.Named("char")
    return None


def _type_text(t: Optional[ir.CType]) -> str:
    if t is None:
        return "?"
    from ..printer import print_node

    return print_node(t, "c", "c++")


# ---------------------------------------------------------------------------------- selection
def select_overload(intrinsic: Intrinsic, arg_types: Sequence[Optional[ir.CType]]
                    ) -> tuple[Overload, dict[str, str]]:
    """The overload and instance (type-variable bindings) a call with these argument types
    resolves to: pointer pointee types decide a type variable, scalars convert, unknown types
    (None) fit anything. ``select_overload(INTRINSICS["__bang_add"], [Pointer(Named("half"))] * 3
    + [Named("int")])`` -> (the overload, ``{"T": "half"}``).

    Raises NoMatchingOverload naming the intrinsic and the argument types, AmbiguousOverload when
    unknown types leave several instances equally good (known ones: the first in table order)."""
    n = len(arg_types)
    best: Optional[tuple[int, Overload, dict[str, str]]] = None
    tied = False
    candidates = [(ov, env) for ov in intrinsic.overloads for env in ov.instances]
    for ov, env in candidates:
        required = sum(1 for p in ov.params if p.default is None)
        if not required <= n <= len(ov.params):
            continue
        if len(candidates) == 1:
            return ov, dict(env)
        total = 0
        for p, t in zip(ov.params, arg_types):
            s = _score(bind(p.type, env), t)
            if s is None:
                break
            total += s
        else:
            if best is None or total > best[0]:
                best, tied = (total, ov, dict(env)), False
            elif total == best[0]:
                tied = True
    types = ", ".join(_type_text(t) for t in arg_types)
    if best is None:
        sigs = "; ".join(intrinsic.signatures[:4]) + ("; ..." if len(intrinsic.signatures) > 4 else "")
        raise NoMatchingOverload(f"no overload of {intrinsic.name} takes ({types}); it has: {sigs}")
    if tied and any(t is None for t in arg_types):  # an unknown type could be any of them
        raise AmbiguousOverload(f"{intrinsic.name} ({types}): several overload instances fit; give the argument "
                                "types (? = unknown)")
    return best[1], best[2]


# ---------------------------------------------------------------------------------- parsing
@dataclass
class _Parsed:
    params: list[str]  # parameter names, in order
    types: dict[str, str]  # parameter name -> bound C type
    body: ir.Block
    error: Optional[str] = None
    locals: set[str] = field(default_factory=set)  # names the snippet declares
    written: set[str] = field(default_factory=set)  # variables whose storage it modifies


def _snippet_source(name: str, ret: str, params: Sequence[Param], env: Mapping[str, str], body: str) -> str:
    decls = ", ".join(_declarator(bind(p.type, env), p.name) for p in params)
    return f"{bind(ret, env)} {name}({decls}) {{\n{bind(body, env)}\n}}"


def _jobs(it: Intrinsic):
    """(key, parse name, return type, params, env, body) of every snippet of an intrinsic."""
    for oi, ov in enumerate(it.overloads):
        for ii, env in enumerate(ov.instances):
            if ov.semantics is not None:
                yield (id(it), oi, ii, "semantics"), ov.ret, ov.params, env, ov.semantics
            if ov.collective is not None:
                yield (id(it), oi, ii, ov.collective.kind), "void", ov.collective.params, env, ov.collective.body


@functools.lru_cache(maxsize=None)
def _listed(dialect: str) -> dict[int, Intrinsic]:
    """The dialect's table entries, by id (they live as long as the process)."""
    seen: dict[int, Intrinsic] = {}
    for table in get(dialect).tables:
        for it in table.values():
            seen.setdefault(id(it), it)
    return seen


_READY: dict[str, dict[tuple, _Parsed]] = {}  # dialect -> snippets parsed so far in this process
_DONE: dict[str, set[int]] = {}  # dialect -> ids of the entries whose snippets are in _READY


def prepare(dialect: str, intrinsics: Iterable[Intrinsic]) -> None:
    """Parse, in one file, the snippets of those ``intrinsics`` (entries the dialect lists)
    not parsed yet in this process. A translation parses what its kernel calls (a pass
    calls this with every intrinsic of the module first), not the whole table: VNNI's
    thousands of snippets take seconds to parse."""
    listed = _listed(dialect)
    done = _DONE.setdefault(dialect, set())
    todo = {id(it): it for it in intrinsics if id(it) in listed and id(it) not in done}
    if todo:
        _READY.setdefault(dialect, {}).update(_parse_jobs(dialect, [j for it in todo.values() for j in _jobs(it)]))
        done.update(todo)


def prepare_calls(dialect: str, root: ir.Node) -> None:
    """``prepare`` for every intrinsic of ``dialect`` that ``root`` calls by name."""
    d = get(dialect)
    its = []
    for n in root.walk():
        if isinstance(n, ir.Call) and isinstance(n.callee, ir.Name):
            it = d.intrinsic(n.callee.name)
            if it is not None:
                its.append(it)
    prepare(dialect, its)


def _parsed(dialect: str) -> dict[tuple, _Parsed]:
    """Every snippet of the dialect's intrinsics (parsed once for the process)."""
    prepare(dialect, _listed(dialect).values())
    return _READY[dialect]


def _parse_jobs(dialect: str, jobs: list) -> dict[tuple, _Parsed]:
    from ..frontend import parse
    from ..runtime.gen import _parse_helpers

    d = get(dialect)
    lines = _parse_helpers(d).split("\n")
    names: dict[str, tuple] = {}
    meta: dict[tuple, tuple[list[str], dict[str, str]]] = {}
    for k, (key, ret, params, env, body) in enumerate(jobs):
        fname = f"xp_snippet_{k}"
        names[fname] = key
        meta[key] = ([p.name for p in params], {p.name: bind(p.type, env) for p in params})
        lines.extend(_snippet_source(fname, ret, params, env, body).split("\n"))
    module = parse("\n".join(lines), path=f"xp_semantics_{dialect}.cpp", dialect=dialect)
    bad = sorted((g.line, g.message) for g in module.diagnostics if g.is_error)
    out: dict[tuple, _Parsed] = {}
    for f in module.functions:
        key = names.get(f.name)
        if key is None or f.body is None:
            continue
        pnames, types = meta[key]
        err = next((m for ln, m in bad if f.span is not None and f.span.line <= ln <= f.span.end_line), None)
        for n in f.body.walk():  # positions in the snippet file mean nothing to a caller (and copy slowly)
            n.span = None
        out[key] = _Parsed(pnames, types, f.body, err, _declared(f.body), _written(f.body))
    return out


def _snippet(dialect: str, it: Intrinsic, ov: Overload, env_index: int, kind: str) -> _Parsed:
    key = (id(it), it.overloads.index(ov), env_index, kind)
    prepare(dialect, [it])
    p = _READY.get(dialect, {}).get(key)
    if p is None:  # an intrinsic the dialect does not list (a caller's own Intrinsic): parse it alone
        p = _parse_jobs(dialect, [j for j in _jobs(it) if j[0] == key]).get(key)
    if p is None:
        raise SemanticsError(f"{it.name}: the {kind} snippet of this overload did not parse into a function")
    if p.error:
        raise SemanticsError(f"{it.name}: the table's {kind} snippet does not parse: {p.error}")
    return p


# ---------------------------------------------------------------------------------- analysis
def _declared(body: ir.Node) -> set[str]:
    return {n.name for n in body.walk() if isinstance(n, ir.VarDecl)}


def _storage(e: ir.Expr) -> Optional[str]:
    """The variable whose own storage an lvalue expression designates (None: memory a pointer
    points to). ``x``, ``x.f``, ``((int *)&x)[i]`` -> x; ``p[i]``, ``*p``, ``p->f`` -> None."""
    if isinstance(e, ir.Name):
        return e.name
    if isinstance(e, ir.Member):
        return None if e.arrow else _storage(e.base)
    if isinstance(e, ir.Cast):
        return _storage(e.operand)
    if isinstance(e, ir.Index):
        return _pointee(e.base)
    if isinstance(e, ir.Unary) and e.op == "*":
        return _pointee(e.operand)
    return None


def _pointee(e: ir.Expr) -> Optional[str]:
    """The variable a pointer expression points into, when it is ``&variable`` (possibly cast)."""
    if isinstance(e, ir.Unary) and e.op == "&":
        return _storage(e.operand)
    if isinstance(e, ir.Cast):
        return _pointee(e.operand)
    if isinstance(e, ir.Binary) and e.op in "+-":
        return _pointee(e.lhs)
    return None


def _written(body: ir.Node) -> set[str]:
    """Variables whose own storage the snippet may modify (assigned, incremented, or their
    address passed to a function)."""
    out: set[str] = set()
    for n in body.walk():
        if isinstance(n, ir.Assign):
            v = _storage(n.target)
        elif isinstance(n, ir.Unary) and n.op in ("++", "--"):
            v = _storage(n.operand)
        elif isinstance(n, ir.Call):
            for a in n.args:
                if (v := _pointee(a)) is not None:
                    out.add(v)
            continue
        else:
            continue
        if v is not None:
            out.add(v)
    return out


def _simple(e: ir.Expr) -> bool:
    """An argument that may be repeated: no side effect, no cost (a variable, a literal, a
    member of a variable, a cast of one)."""
    if isinstance(e, (ir.Name, ir.IntLit, ir.FloatLit, ir.BoolLit, ir.CharLit, ir.StringLit)):
        return True
    if isinstance(e, ir.Member):
        return not e.arrow and _simple(e.base)
    if isinstance(e, ir.Cast):
        return _simple(e.operand)
    if isinstance(e, ir.Unary) and e.op in "-+" and not e.postfix:
        return literal_type(e) is not None
    return False


# ---------------------------------------------------------------------------------- type IR
def ctype(text: str) -> ir.CType:
    """An IR type from a C spelling: ``const half *`` -> Pointer(Named("half", const=True))."""
    t = re.sub(r"\s+", " ", text.strip())
    arr = re.match(r"^(.*?)\s*\[(\d*)\]$", t)
    if arr:
        size = ir.IntLit(int(arr.group(2))) if arr.group(2) else None
        return ir.Array(ctype(arr.group(1)), size)
    if t.endswith("&"):
        return ir.Reference(ctype(t[:-1]))
    cp = re.match(r"^(.*\*)\s*const$", t)
    if cp:  # "int *const": a const pointer
        inner = ctype(cp.group(1))
        return ir.Pointer(inner.pointee, const=True) if isinstance(inner, ir.Pointer) else inner
    if t.endswith("*"):
        return ir.Pointer(ctype(t[:-1].rstrip()))
    words = t.split(" ")
    const = "const" in words
    volatile = "volatile" in words
    name = " ".join(w for w in words if w not in ("const", "volatile"))
    return ir.Named(name, const=const, volatile=volatile)


def _unconst(t: ir.CType) -> ir.CType:
    if isinstance(t, ir.Named) and t.const:
        return ir.Named(t.name, volatile=t.volatile)
    return t


def _value(text: str) -> ir.Expr:
    """An IR expression for a default argument or constant spelled in C."""
    t = text.strip()
    if t in ("true", "false"):
        return ir.BoolLit(t == "true")
    m = re.fullmatch(r"(-?)(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)", t)
    if m:
        v = int(m.group(2), 0) * (-1 if m.group(1) else 1)
        return ir.IntLit(v, t)
    try:
        return ir.FloatLit(float(t.rstrip("fF")), t)
    except ValueError:
        return ir.Name(t)


# ---------------------------------------------------------------------------------- substitution
class _Builder:
    """Instantiates one parsed snippet: fresh locals, parameters bound to arguments."""

    def __init__(self, parsed: _Parsed, prefix: str):
        self.parsed = parsed
        self.prefix = prefix
        self.pre: list[ir.Stmt] = []  # temporaries, before the body
        self.subst: dict[str, ir.Expr] = {}
        self.locals = parsed.locals
        self.written = parsed.written
        clash = self.locals & set(parsed.params)
        if clash:
            raise SemanticsError(f"a snippet declares a local named like its parameter {sorted(clash)[0]}")

    def name(self, base: str) -> str:
        return f"{self.prefix}{base}"

    def pre_take(self) -> list[ir.Stmt]:
        """The temporaries declared so far (emptied)."""
        out, self.pre = self.pre, []
        return out

    def temp(self, pname: str, ptype: str, value: Optional[ir.Expr]) -> ir.Name:
        t = _unconst(ctype(ptype)) if "*" not in ptype else ctype(ptype)
        v = ir.VarDecl(self.name(pname), t, value)
        self.pre.append(ir.Decl([v], origin="semantics"))
        return ir.Name(v.name, kind="local")

    def bind_param(self, pname: str, arg: ir.Expr, arg_type: Optional[ir.CType]) -> None:
        ptype = self.parsed.types[pname]
        base, depth, ref = _split(ptype)
        if ref:
            self.subst[pname] = arg  # references alias the caller's object
            return
        if depth:  # pointers are values: repeat a simple one, else evaluate once
            if _simple(arg) and pname not in self.written:
                self.subst[pname] = arg
            else:
                self.subst[pname] = self.temp(pname, ptype, arg)
            return
        lit = literal_type(arg)
        t = arg_type if arg_type is not None else lit
        same = t is not None and _score(ptype, t) in (2, 3)
        if pname not in self.written and _simple(arg) and same:
            self.subst[pname] = arg
        elif pname not in self.written and lit is not None:
            self.subst[pname] = ir.Cast(_unconst(ctype(ptype)), arg)
        else:
            self.subst[pname] = self.temp(pname, ptype, arg)

    def body(self) -> list[ir.Stmt]:
        renamed = {n: self.name(n) for n in self.locals}
        subst = self.subst

        def fn(n: ir.Node) -> Optional[ir.Node]:
            if isinstance(n, ir.Name):
                if n.name in subst:
                    return ir.clone(subst[n.name])
                if n.name in renamed:
                    return ir.Name(renamed[n.name], kind="local")
            elif isinstance(n, ir.VarDecl) and n.name in renamed:
                return ir.VarDecl(renamed[n.name], n.type, n.init, n.space, list(n.specifiers), n.init_style,
                                  list(n.attrs))
            return None

        block = ir.transform(self.parsed.body, fn, origin="semantics")
        for node in block.walk():
            node.origin = "semantics"
        return list(block.stmts)




def _returns(stmts: list[ir.Stmt]) -> list[ir.Return]:
    return [n for s in stmts for n in s.walk() if isinstance(n, ir.Return)]


def _inside_loop(stmts: list[ir.Stmt], target: ir.Return) -> bool:
    def visit(n: ir.Node, in_loop: bool) -> bool:
        if n is target:
            return in_loop
        loop = in_loop or isinstance(n, (ir.For, ir.While, ir.DoWhile, ir.Switch))
        return any(visit(c, loop) for c in n.children())

    return any(visit(s, False) for s in stmts)


def _lower_returns(stmts: list[ir.Stmt], ret_type: str, prefix: str) -> tuple[list[ir.Stmt], Optional[ir.Expr]]:
    """Replace ``return`` by a result variable (see the module docstring)."""
    rets = _returns(stmts)
    void = _split(ret_type)[0] == "void" and not _split(ret_type)[1]
    if not rets:
        return stmts, None
    last = stmts[-1] if stmts else None
    if len(rets) == 1 and last is rets[0]:
        body = stmts[:-1]
        if void or last.value is None:
            return body, None
        v = last.value
        if isinstance(v, ir.Name) and v.kind == "local":
            return body, v  # the snippet's own result local
        decl = ir.VarDecl(prefix + "ret", _unconst(ctype(ret_type)), v)
        return body + [ir.Decl([decl], origin="semantics")], ir.Name(decl.name, kind="local")
    result = None if void else ir.Name(prefix + "ret", kind="local")
    early = any(_inside_loop(stmts, r) for r in rets)
    head = [] if result is None else [ir.Decl([ir.VarDecl(result.name, _unconst(ctype(ret_type)))],
                                              origin="semantics")]
    if early:  # a return inside a loop: a done flag and breaks (structured: no goto on the hub)
        from ..returns import ReturnFlag

        return head + ReturnFlag(result.name if result is not None else None, prefix + "done").lower(stmts), result

    def fn(n: ir.Node) -> Optional[ir.Node]:
        if not isinstance(n, ir.Return):
            return None
        out: list[ir.Stmt] = []
        if result is not None and n.value is not None:
            out.append(ir.ExprStmt(ir.Assign("=", ir.Name(result.name, kind="local"), n.value)))
        out.append(ir.Break())
        return ir.Block(out, origin="semantics")

    new = ir.transform(ir.Block(stmts), fn).stmts
    return head + [ir.DoWhile(ir.Block(new), ir.IntLit(0), origin="semantics")], result


# ---------------------------------------------------------------------------------- tables
def _module_attr(dialect: str, attr: str) -> dict:
    out: dict = {}
    for mod in _tables(get(dialect).intrinsic_modules):
        v = getattr(mod, attr, None)
        if isinstance(v, Mapping):
            out.update(v)
    return out


def warp_size(dialect: str) -> int:
    """The lanes of a warp in ``dialect``'s table (``WARP_SIZE``: 32 CUDA, 64 HIP on CDNA)."""
    for mod in _tables(get(dialect).intrinsic_modules):
        ws = getattr(mod, "WARP_SIZE", None)
        if ws:
            return int(ws)
    raise SemanticsError(f"the {dialect} tables have no warp (no WARP_SIZE)")


def _enumerators(dialect: str) -> dict[str, int]:
    out = _module_attr(dialect, "ENUMERATORS")
    short: dict[str, int] = {}
    for k, v in out.items():  # the spellings a file may use: wmma::mem_col_major, mem_col_major
        parts = k.split("::")
        for i in range(len(parts)):
            short.setdefault("::".join(parts[i:]), v)
    return short


def _fold_enums(e: ir.Expr, enums: Mapping[str, int]) -> ir.Expr:
    if isinstance(e, ir.Name) and e.name in enums:
        return ir.IntLit(enums[e.name])
    return e


@functools.lru_cache(maxsize=None)
def support(dialect: str) -> str:
    """C declarations the expansions of ``dialect`` may need in a file of their own: ``xp_cast``,
    the table's helpers (VNNI: lane typedefs, f16 conversions), vector typedefs."""
    from ..runtime.gen import _parse_helpers

    parts = []
    for mod in _tables(get(dialect).intrinsic_modules):
        th = getattr(mod, "TYPE_HEADER", None)
        if th:  # the vendor header, when a file has it, defines the same types
            # `typedef enum { } X;` as a tagged enum and a typedef: the front end keeps an anonymous
            # typedef'd enum twice (reported), which would not compile once printed
            th = re.sub(r"typedef enum \{(.*?)\} (\w+);", r"enum \2_xp_tag {\1};\ntypedef enum \2_xp_tag \2;", th)
            parts.append(f"#ifndef _IMMINTRIN_H_INCLUDED\n{th.rstrip()}\n#endif")
    parts.append(_parse_helpers(get(dialect)))
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------------- the API
Args = Union[Sequence[ir.Expr], Mapping[str, ir.Expr]]


def resolve(intrinsic: Union[Intrinsic, str, ir.Call], dialect: str) -> Intrinsic:
    """The table entry of an intrinsic given by name, call or entry."""
    if isinstance(intrinsic, Intrinsic):
        return intrinsic
    name = intrinsic
    if isinstance(intrinsic, ir.Call):
        if not isinstance(intrinsic.callee, ir.Name):
            raise SemanticsError("the call's callee is not a name")
        name = intrinsic.callee.name
    it = get(dialect).intrinsic(name)
    if it is None:
        raise SemanticsError(f"{name} is not an intrinsic of {dialect}")
    return it


def semantics_ir(intrinsic: Union[Intrinsic, str, ir.Call], overload: Optional[Overload] = None,
                 args: Optional[Args] = None, *, dialect: str, arg_types: Optional[Sequence[Optional[ir.CType]]] = None,
                 bindings: Optional[Mapping[str, str]] = None, lanes: Optional[Mapping[str, ir.Expr]] = None,
                 prefix: Optional[str] = None, warp: Optional[int] = None) -> Expansion:
    """The loops of one call of ``intrinsic`` (an entry, a name or an ``ir.Call``, whose
    arguments are then the default ``args``) in ``dialect``.

    ``overload=None`` selects it from ``arg_types`` (``select_overload``; literal arguments
    give their own type); ``bindings`` picks the instance of a given overload (default: its
    only one, else from ``arg_types``). ``args`` are positional (missing trailing ones take the
    parameter defaults) or by parameter name. A collective intrinsic expands to its lane or
    tile loops (module docstring); ``lanes`` gives ``active``/``result``/``undefined`` arrays,
    ``warp`` overrides the table's warp size.

    Example: ``semantics_ir("exp", None, [ir.Name("n")], dialect="c", arg_types=[ir.Named("int")])``
    gives ``stmts`` ``[double xp7_ret = exp((double)n);]`` and ``result`` ``xp7_ret`` (C++'s
    integral overload).
    """
    it = resolve(intrinsic, dialect)
    if args is None:
        args = list(intrinsic.args) if isinstance(intrinsic, ir.Call) else []
    positional = not isinstance(args, Mapping)
    arg_list = list(args) if positional else []
    if arg_types is None:
        arg_types = [literal_type(a) for a in arg_list] if positional else None
    else:
        arg_types = [t if t is not None else (literal_type(a) if i < len(arg_list) else None)
                     for i, (t, a) in enumerate(itertools.zip_longest(arg_types, arg_list))]
    if overload is None:
        if arg_types is None:
            if len(it.overloads) != 1:
                raise SemanticsError(f"{it.name} has {len(it.overloads)} overloads: give arg_types or the overload")
            overload = it.overloads[0]
        else:
            overload, env = select_overload(it, arg_types)
            bindings = bindings or env
    if bindings is None:
        if len(overload.instances) == 1:
            bindings = dict(overload.instances[0])
        elif arg_types is not None:
            ov, env = select_overload(Intrinsic(it.name, (overload,), it.category, it.doc), arg_types)
            bindings = env
        else:
            raise SemanticsError(f"{it.name}: this overload has {len(overload.instances)} instances: give "
                                 "arg_types or bindings")
    env_index = next((i for i, e in enumerate(overload.instances) if dict(e) == dict(bindings)), None)
    if env_index is None:
        raise SemanticsError(f"{it.name}: no instance of this overload binds {dict(bindings)}")
    env = dict(overload.instances[env_index])
    # arguments by parameter name, defaults filled in
    given: dict[str, ir.Expr] = {}
    types: dict[str, Optional[ir.CType]] = {}
    if positional:
        if len(arg_list) > len(overload.params):
            raise SemanticsError(f"{it.name} takes at most {len(overload.params)} arguments, got {len(arg_list)}")
        for i, p in enumerate(overload.params):
            if i < len(arg_list):
                given[p.name] = arg_list[i]
                types[p.name] = arg_types[i] if arg_types and i < len(arg_types) else None
    else:
        given.update(args)
    ws = warp if warp is not None else None
    for p in overload.params:
        if p.name not in given:
            if p.default is None:
                raise SemanticsError(f"{it.name}: no argument for parameter {p.name}")
            if p.default == "warpSize":
                ws = ws if ws is not None else warp_size(dialect)
                given[p.name] = ir.IntLit(ws)
            else:
                given[p.name] = _value(p.default)
            types[p.name] = literal_type(given[p.name])
    enums = _enumerators(dialect)
    given = {k: _fold_enums(v, enums) for k, v in given.items()}
    prefix = prefix or fresh_prefix()
    if overload.collective is not None:
        return _collective(dialect, it, overload, env_index, env, given, types, dict(lanes or {}), prefix, warp)
    if overload.semantics is None:
        raise SemanticsError(f"{it.name} has no semantics in the {dialect} table ({it.emulation} only)")
    parsed = _snippet(dialect, it, overload, env_index, "semantics")
    b = _Builder(parsed, prefix)
    for p in overload.params:
        b.bind_param(p.name, given[p.name], types.get(p.name))
    body, result = _lower_returns(b.body(), bind(overload.ret, env), prefix)
    return Expansion(it, overload, env, "semantics", b.pre + body, result, support=support(dialect))


def _lane_array(b: _Builder, name: str, elem: str, n: int, fill: Optional[int]) -> ir.Name:
    """A fresh local lane array ``elem name[n]``, initialised to ``fill`` when given."""
    decl = ir.VarDecl(b.name(name), ir.Array(_unconst(ctype(elem)), ir.IntLit(n)),
                      ir.InitList([ir.IntLit(0)]) if fill == 0 else None)
    b.pre.append(ir.Decl([decl], origin="semantics"))
    arr = ir.Name(decl.name, kind="local")
    if fill not in (None, 0):
        i = ir.Name(b.name(name + "_i"), kind="local")
        b.pre.append(ir.For(ir.Decl([ir.VarDecl(i.name, ir.Named("int"), ir.IntLit(0))]),
                            ir.Binary("<", i, ir.IntLit(n)), ir.Unary("++", i),
                            ir.ExprStmt(ir.Assign("=", ir.Index(arr, i), ir.IntLit(fill))), origin="semantics"))
    return arr


def _elem(ptype: str) -> str:
    """The element type of a lane-array or matrix parameter spelled ``const T *``."""
    t = re.sub(r"\*\s*$", "", ptype.strip()).strip()
    return re.sub(r"^const\s+|\s+const$", "", t)


def _constants(it: Intrinsic, col: Collective, given: Mapping[str, ir.Expr]) -> dict[str, int]:
    """The values of the arguments the collective needs as integer constants (MFMA cbsz, abid, blgp)."""
    out = {}
    for name in col.constants:
        v = given.get(name)
        if isinstance(v, ir.IntLit):
            out[name] = v.value
        elif isinstance(v, ir.Unary) and v.op == "-" and isinstance(v.operand, ir.IntLit):
            out[name] = -v.operand.value
        else:
            raise SemanticsError(f"{it.name}: argument {name} must be an integer constant")
    return out


def _collective(dialect: str, it: Intrinsic, ov: Overload, env_index: int, env: dict, given: dict,
                types: dict, lanes: dict, prefix: str, warp: Optional[int]) -> Expansion:
    """Lane or tile loops: lane arrays and matrices bound, per-lane operands gathered into their
    matrices and the result scattered back (MFMA), then the snippet."""
    col: Collective = ov.collective
    parsed = _snippet(dialect, it, ov, env_index, col.kind)
    b = _Builder(parsed, prefix)
    needs_warp = col.kind == "lanes" or bool(col.operands)
    ws = warp if warp is not None else warp_size(dialect) if needs_warp else 0
    consts = _constants(it, col, given)
    tiles = {op.tile: _lane_array(b, op.tile, _elem(parsed.types[op.tile]), _tile_size(op, ws, consts), 0)
             for op in col.operands}  # zeroed matrices the per-lane operands fill
    out_lanes: dict[str, ir.Expr] = {}
    for pname in parsed.params:
        if pname == "warp_size":
            b.subst[pname] = ir.IntLit(ws)
        elif pname in tiles:
            b.subst[pname] = tiles[pname]
        elif pname in LANE_ARRAYS:
            arr = lanes.get(pname)
            if arr is None:
                arr = _lane_array(b, pname, _elem(parsed.types[pname]), ws, 1 if pname == "active" else 0)
            b.subst[pname] = out_lanes[pname] = arr
        elif pname in given:
            b.bind_param(pname, given[pname], types.get(pname))
        else:
            raise SemanticsError(f"{it.name}: the collective snippet's parameter {pname} has no argument")
    head = b.pre_take()
    gathers: list[ir.Stmt] = []
    scatters: list[ir.Stmt] = []
    for op in col.operands:
        if op.param == "return":
            arr = lanes.get("result")
            if arr is None:
                arr = _lane_array(b, "result", op.slot_type, ws * op.slots, None)
            out_lanes["result"] = arr
            scatters += _scatter(b, op, tiles[op.tile], arr, ws, consts)
        else:
            src = given[op.param]
            if not _simple(src):
                src = b.temp(op.param, op.slot_type + " *", src)
            gathers += _gather(b, op, tiles[op.tile], src, ws, consts)
    stmts = head + gathers + b.body() + scatters
    return Expansion(it, ov, env, col.kind, stmts, out_lanes.get("result"), out_lanes, support=support(dialect))


def _tile_size(op: TileOperand, ws: int, consts: Mapping[str, int]) -> int:
    return 1 + max(op.index(lane, s, **consts) for lane in range(ws) for s in range(op.slots))


def _table_decl(b: _Builder, name: str, values: list[int]) -> ir.Name:
    """``static const int name[] = {...}``: a layout table computed from the dialect table."""
    decl = ir.VarDecl(b.name(name), ir.Array(ir.Named("int", const=True), ir.IntLit(len(values))),
                      ir.InitList([ir.IntLit(v) for v in values]), specifiers=["static"])
    b.pre.append(ir.Decl([decl], origin="semantics"))
    return ir.Name(decl.name, kind="local")


def _lane_loops(b: _Builder, tag: str, ws: int, slots: int, body: Callable[[ir.Expr, ir.Expr], ir.Stmt]) -> ir.Stmt:
    lane, s = ir.Name(b.name(tag + "_lane"), kind="local"), ir.Name(b.name(tag + "_s"), kind="local")
    inner = ir.For(ir.Decl([ir.VarDecl(s.name, ir.Named("int"), ir.IntLit(0))]), ir.Binary("<", s, ir.IntLit(slots)),
                   ir.Unary("++", s), body(lane, s))
    return ir.For(ir.Decl([ir.VarDecl(lane.name, ir.Named("int"), ir.IntLit(0))]), ir.Binary("<", lane, ir.IntLit(ws)),
                  ir.Unary("++", lane), inner, origin="semantics")


def _gather(b: _Builder, op: TileOperand, tile: ir.Expr, src: ir.Expr, ws: int, consts) -> list[ir.Stmt]:
    """``tile[index[lane * slots + s]] = src[source[lane] * slots + s]`` for every lane and slot."""
    idx = _table_decl(b, op.tile + "_index", [op.index(lane, s, **consts) for lane in range(ws)
                                              for s in range(op.slots)])
    src_lane = None
    if op.source is not None:
        src_lane = _table_decl(b, op.tile + "_source", [op.source(lane, **consts) for lane in range(ws)])
    n = ir.IntLit(op.slots)

    def body(lane: ir.Expr, s: ir.Expr) -> ir.Stmt:
        at = ir.Binary("+", ir.Binary("*", lane, n), s)
        frm = ir.Binary("+", ir.Binary("*", ir.Index(src_lane, lane) if src_lane is not None else lane, n), s)
        return ir.ExprStmt(ir.Assign("=", ir.Index(tile, ir.Index(idx, at)), ir.Index(ir.clone(src), frm)))

    return [*b.pre_take(), _lane_loops(b, op.tile, ws, op.slots, body)]


def _scatter(b: _Builder, op: TileOperand, tile: ir.Expr, dst: ir.Expr, ws: int, consts) -> list[ir.Stmt]:
    """``dst[lane * slots + s] = tile[index[lane * slots + s]]`` for every lane and slot."""
    idx = _table_decl(b, op.tile + "_index", [op.index(lane, s, **consts) for lane in range(ws)
                                              for s in range(op.slots)])
    n = ir.IntLit(op.slots)

    def body(lane: ir.Expr, s: ir.Expr) -> ir.Stmt:
        at = ir.Binary("+", ir.Binary("*", lane, n), s)
        return ir.ExprStmt(ir.Assign("=", ir.Index(ir.clone(dst), at), ir.Index(tile, ir.Index(idx, at))))

    return [*b.pre_take(), _lane_loops(b, op.tile, ws, op.slots, body)]


def with_semantics(dialect: str) -> list[tuple[Intrinsic, Overload, dict[str, str], str]]:
    """Every (intrinsic, overload, instance, kind) of ``dialect``'s own tables that has
    semantics (kind "semantics", "lanes" or "tile"): what ``semantics_ir`` can expand."""
    d = get(dialect)
    tables = d.tables if dialect == "c" else d.tables[1:]
    out = []
    seen: set[int] = set()
    for table in tables:
        for it in table.values():
            if id(it) in seen:
                continue
            seen.add(id(it))
            for ov in it.overloads:
                kind = ov.collective.kind if ov.collective is not None else "semantics" if ov.semantics else None
                if kind is None:
                    continue
                for env in ov.instances:
                    out.append((it, ov, dict(env), kind))
    return out
