"""Which loops are parallel, which are reductions, which carry dependences.

``analyze(f)`` collects every memory access of a function body (or of one statement):
array and pointer elements with their offset as an affine form (multi-dimensional arrays
linearised from their constant sizes, so the test is exact without assuming in-bounds
subscripts), and scalar variables. For each ``for`` loop it then asks isl whether two
accesses to the same memory, one a write, can happen in different iterations of that loop
and the same iteration of every loop around it; the loop is

- ``parallel``: no dependence is carried by it;
- ``reduction``: the only carried dependences are between the updates of accumulators
  ``s op= e`` / ``s = s op e`` / ``s = max(s, e)`` / ``atomicAdd(&s, e)`` with an
  associative, commutative op (``+``, ``*``, ``min``, ``max``, ``&``, ``|``, ``^``), ``s``
  a scalar or an array element;
- ``carried``: a dependence is carried, with a witness (the two accesses, flow / anti /
  output, the distance when constant, and an example of iterations and parameters);
- ``unknown``: the test cannot decide, with the reason (a non-affine index, pointers that
  may alias, a call with unknown effects, a loop that is not canonical, a domain that had
  to be over-approximated). Consumers treat unknown as not parallel.

    for (int i = 1; i < n; i++) x[i] = x[i - 1] + y[i];
    -> LoopDeps(var="i", kind="carried", witness: x[i] (write) at i=1 -> x[i - 1] (read) at i'=2,
                flow, distance 1)

Symbolic sizes (``n``, ``blockDim.x``) are isl parameters; a product of two of them is not
affine unless ``constants`` gives one (``{"blockDim.x": 256}``).

Aliasing: two distinct pointer parameters may point into the same buffer unless one is
``restrict`` (``__restrict__``) or the caller says they do not (``assume_no_alias=True``,
or a set of parameter names that alias nothing else). A local or on-chip array is its
own object (it can only be reached through a pointer if its address escapes), distinct
file-scope variables are distinct objects. A pointer local defined once
(``float *row = A + i * 64;``) is followed to its object; any other pointer whose object
is not known may alias every object. Types do not separate objects (no type-based alias
rule is assumed).

Scalars declared inside a loop are private to it; a scalar declared outside whose every use
lies in the loop and which each iteration writes before reading (whole, not a lane) is
privatised too (``LoopDeps.private``). So is a buffer this call allocates in the loop's body
(``malloc``/``calloc`` make a fresh object and read only their sizes; ``free(p)`` writes
the whole of p's object).

Reinterpreting casts keep the object: ``((float *)&v)[i]`` (detensorize's lanes of a vector
local) is an access to v, ``(char *)p`` or ``void *q = y + c; ((float *)q)[i]`` to p's or
y's buffer, with the offset counted in bytes from the size of the elements it stepped over
(``void``: 1). ``&v`` used only that way does not let v escape. When an object is reached
through such a cast, all its accesses are compared in bytes: back in elements where they
all have one size and byte offsets that are multiples of it, else as byte ranges
``[offset, offset + size)`` that overlap (exact with isl; unknown at parametric strides,
which cannot be delinearised across sizes, or for an element of unknown size).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Collection, Iterator, Optional, Union

import islpy as isl

from .. import dtypes, ir
from . import ctype
from .affine import MONO, Affine, Constraint, Context, Range, _Fail, _product_range, _text, builtin_bounds
from .loops import LoopView, NotCanonical, loop_view
from .symbols import Symbol, SymbolTable

REDUCTION_OPS = ("+", "*", "min", "max", "&", "|", "^")
_COMPOUND = {"+=": "+", "-=": "+", "*=": "*", "&=": "&", "|=": "|", "^=": "^"}
_COMMUTATIVE = {"+", "*", "&", "|", "^"}
_MINMAX = {"max": "max", "fmax": "max", "fmaxf": "max", "__hmax": "max", "umax": "max", "llmax": "max",
           "min": "min", "fmin": "min", "fminf": "min", "__hmin": "min", "umin": "min", "llmin": "min"}
_ATOMICS = {"atomicAdd": "+", "atomicMax": "max", "atomicMin": "min", "atomicAnd": "&", "atomicOr": "|",
            "atomicXor": "^", "atomicAdd_block": "+", "atomicAdd_system": "+"}
_PURE_CATEGORIES = {"math", "convert", "scalar", "arith"}
_ALLOCATORS = {"malloc", "calloc", "aligned_alloc", "_mm_malloc", "memalign"}
_FREES = {"free", "_mm_free"}
_PURE_BUILTINS = ("__builtin_inf", "__builtin_huge_val", "__builtin_nan", "__builtin_expect")  # constants, hints
_FMA = {"fma", "fmaf", "__fmaf_rn", "__fma_rn", "std::fma"}  # fma(a, b, acc): acc + a*b


# ----------------------------------------------------------------------------- results
@dataclass(eq=False)
class Point:
    """Where a statement runs: its enclosing loops (within the analysed root), their
    views, the affine constraints on the iterators (each with the number of loops it is
    stated under), and why the domain is larger than the real one."""

    loops: tuple[ir.For, ...] = ()
    views: tuple[Union[LoopView, NotCanonical], ...] = ()
    constraints: tuple[tuple[int, Constraint], ...] = ()
    inexact: tuple[str, ...] = ()
    ranges: tuple[tuple[str, Range], ...] = ()
    guards: int = 0

    @property
    def iterators(self) -> set[str]:
        return {v.var for v in self.views if isinstance(v, LoopView)}


@dataclass(eq=False)
class MemObj:
    """A memory object: a variable's own storage (``pointee`` False: a scalar, or an
    array), or the buffer a pointer designates (``pointee`` True). ``storage`` is
    ``local`` (this function's: locals, value parameters, on-chip arrays), ``global``
    (file scope, static locals) or ``pointer`` (a buffer from elsewhere)."""

    name: str
    sym: Symbol = field(repr=False)
    pointee: bool
    storage: str
    restrict: bool = False


@dataclass(eq=False)
class Access:
    """One access to memory. ``array`` names the object (``?`` when not known), ``obj`` is
    its identity (a MemObj; None when not known); ``index`` the element offset, None
    with ``reason`` when not affine. ``reduction`` is ``(accumulator, op)`` for the
    accumulator accesses of a reduction update. ``approx``: the access is a field of a
    structure or vector (the offset covers the whole element). ``index`` is linearised
    (``C[i][j]`` of ``float C[64][64]`` is ``64*i + j``); ``dims`` keeps the subscripts of a
    multi-dimensional array apart: C makes ``C[i][j]`` with ``j`` outside ``[0, 64)``
    undefined (``C[i]`` is an array of 64), so two elements are the same exactly when
    every subscript is."""

    node: ir.Expr
    stmt: ir.Stmt
    array: str
    obj: Optional[MemObj]
    write: bool
    index: Optional[Affine]
    point: Point
    reason: str = ""
    reduction: Optional[tuple[str, str]] = None
    scalar: bool = False
    approx: bool = False
    conditional: bool = False
    dims: Optional[tuple[Affine, ...]] = None  # one subscript per array dimension
    subscripts: Optional[tuple[Affine, ...]] = None  # dims, the first delinearised (see _delinearise)
    size: Optional[int] = None  # bytes of the element accessed (None: not known)
    bytes: bool = False  # index counts bytes (reached through a reinterpreting cast)
    ranged: bool = False  # compared as byte ranges [index, index + size) (mixed element sizes)

    @property
    def text(self) -> str:
        return _text(self.node)

    def __repr__(self) -> str:
        return f"Access({self.text}, {'write' if self.write else 'read'}, index={self.index})"


@dataclass
class Witness:
    """A dependence carried by a loop: ``source`` runs in an earlier iteration than
    ``sink``; ``kind`` flow (write then read), anti (read then write) or output; the
    distance in iterations of the loop when constant; ``example``: values of the
    parameters and iterators (the sink's primed) where it happens; ``exact``: the
    domains were exact (else the dependence is only possible)."""

    source: Access
    sink: Access
    kind: str
    distance: Optional[int]
    example: dict[str, int]
    exact: bool = True

    def __str__(self) -> str:
        ex = ", ".join(f"{k}={v}" for k, v in self.example.items())
        d = f", distance {self.distance}" if self.distance is not None else ""
        return (f"{self.source.text} ({'write' if self.source.write else 'read'}) -> {self.sink.text} "
                f"({'write' if self.sink.write else 'read'}): {self.kind}{d}" + (f" at {ex}" if ex else ""))


@dataclass
class Reduction:
    """An accumulator updated with an associative, commutative op across iterations."""

    var: str
    op: str
    stmts: list[ir.Stmt] = field(default_factory=list, repr=False)


@dataclass
class LoopDeps:
    """The verdict on one loop: ``kind`` parallel, reduction, carried or unknown."""

    loop: ir.For = field(repr=False)
    var: Optional[str]
    kind: str
    reductions: list[Reduction] = field(default_factory=list)
    witness: Optional[Witness] = None
    reason: str = ""
    private: list[str] = field(default_factory=list)
    depth: int = 0

    @property
    def parallel(self) -> bool:
        return self.kind == "parallel"


@dataclass
class _Dep:
    witness: Witness


@dataclass
class _Unknown:
    reason: str


# ----------------------------------------------------------------------------- analysis
def analyze(node: Union[ir.Function, ir.Stmt], table: Optional[SymbolTable] = None, *,
            module: Optional[ir.Module] = None, assume_no_alias: Union[bool, Collection[str]] = False,
            constants: Optional[dict[str, int]] = None, ranges: Optional[dict[str, Range]] = None) -> list[LoopDeps]:
    """The dependence verdict of every ``for`` loop in ``node`` (a function, or one
    statement of a function whose ``table`` is given), outermost first, in source order.

    ``assume_no_alias``: True (no two pointer parameters alias) or the names of pointer
    parameters known to alias no other object. ``constants``: values of symbols
    (``{"n": 64, "blockDim.x": 256}``). ``ranges``: known bounds of symbols."""
    if isinstance(node, ir.Function):
        table = table or SymbolTable(node, module)
        root: ir.Node = node.body if node.body is not None else ir.Block([])
    else:
        if table is None:
            table = SymbolTable(ir.Function("<stmt>", ir.Named("void"), body=ir.Block([node])), module)
        root = node
    return _Analysis(root, table, assume_no_alias, constants or {}, ranges or {}).run()


def accesses(node: Union[ir.Function, ir.Stmt], table: Optional[SymbolTable] = None, *,
             module: Optional[ir.Module] = None, constants: Optional[dict[str, int]] = None) -> list[Access]:
    """The accesses :func:`analyze` sees, in execution order within each statement."""
    if isinstance(node, ir.Function):
        table = table or SymbolTable(node, module)
        root: ir.Node = node.body if node.body is not None else ir.Block([])
    else:
        if table is None:
            table = SymbolTable(ir.Function("<stmt>", ir.Named("void"), body=ir.Block([node])), module)
        root = node
    a = _Analysis(root, table, False, constants or {}, {})
    a.collect()
    return a.accesses


@dataclass(eq=False)
class _Effect:
    point: Point
    reason: str


@dataclass(eq=False)
class _Base:
    """Where a pointer expression points: an object and an offset, or unknown."""

    obj: Optional[MemObj]
    name: str
    offset: Optional[Affine]
    reason: str = ""
    type: Optional[ir.CType] = None  # the pointer's type (for strides)
    bytes: bool = False  # offset counts bytes, not elements of ``type`` (a reinterpreting cast)


class _Analysis:
    def __init__(self, root: ir.Node, table: SymbolTable, no_alias, constants, ranges):
        self.root = root
        self.table = table
        self.no_alias = no_alias
        self.constants = constants
        self.user_ranges = ranges
        self.accesses: list[Access] = []
        self.effects: list[_Effect] = []
        self.views: dict[int, Union[LoopView, NotCanonical]] = {}
        self.loops: list[ir.For] = [n for n in root.walk() if isinstance(n, ir.For)]
        for L in self.loops:
            self.views[id(L)] = loop_view(L, table)
        self.body_guards: dict[int, int] = {}
        self._inside: dict[int, set[int]] = {}
        self._unknown_syms: dict[str, Symbol] = {}
        self._objs: dict[tuple[int, bool], MemObj] = {}
        self._scan()

    # -------------------------------------------------------------- facts about names
    def _scan(self) -> None:
        """Names written in the root, escaping variables, and usable definitions."""
        self.written: set[str] = set()
        self.escaped: set[int] = set()  # ids of Symbols whose address escapes
        self._uses_by_sym: Optional[dict[int, list[int]]] = None  # see _uses
        fn = self.table.function
        for n in self.root.walk():
            t = n.target if isinstance(n, ir.Assign) else n.operand if isinstance(n, ir.Unary) and n.op in (
                "++", "--", "&") else None
            if isinstance(t, ir.Name):
                self.written.add(t.name)
        # written anywhere in the function, by symbol (for definitions)
        assigned: set[int] = set()
        for n in (fn.body.walk() if fn.body is not None else ()):
            t = n.target if isinstance(n, ir.Assign) else n.operand if isinstance(n, ir.Unary) and n.op in (
                "++", "--", "&") else None
            if isinstance(t, ir.Name) and t in self.table:
                sym = self.table.resolve(t)
                if sym is not None:
                    assigned.add(id(sym))
                    if isinstance(n, ir.Unary) and n.op == "&" and not self._lane_view(n):
                        self.escaped.add(id(sym))
            if isinstance(n, ir.Name) and n in self.table:
                sym = self.table.resolve(n)
                if sym is not None and isinstance(sym.type, ir.Array) and not self._indexed(n):
                    self.escaped.add(id(sym))  # an array used as a pointer value
        # pointers to memory this function allocates, defined once: objects of their own
        self.heap: set[int] = set()
        for n in (fn.body.walk() if fn.body is not None else ()):
            if isinstance(n, ir.VarDecl) and isinstance(n.type, ir.Pointer) and n.init is not None:
                sym = self.table.symbol_of(n)
                init = n.init
                while isinstance(init, ir.Cast):
                    init = init.operand
                if sym is not None and id(sym) not in assigned and isinstance(init, ir.Call) \
                        and isinstance(init.callee, ir.Name) and init.callee.name.split("::")[-1] in _ALLOCATORS:
                    self.heap.add(id(sym))
        for n in (fn.body.walk() if fn.body is not None else ()):
            if isinstance(n, ir.Name) and n in self.table:
                sym = self.table.resolve(n)
                if sym is not None and id(sym) in self.heap and not self._address_use(n):
                    self.escaped.add(id(sym))  # the address is stored or passed somewhere
        self.decl_defs: dict[int, ir.Expr] = {}
        loop_vars = {v.var for v in self.views.values() if isinstance(v, LoopView)}
        declared_here: list[ir.VarDecl] = [v for n in self.root.walk() if isinstance(n, ir.Decl) for v in n.vars]
        for v in declared_here:
            sym = self.table.symbol_of(v)
            ok = (sym is not None and id(sym) not in assigned and v.init is not None and v.init_style == "="
                  and "static" not in v.specifiers and not isinstance(v.type, ir.Array))
            if ok:
                around = {self.views[id(L)].var for L in self._loops_around(v)
                          if isinstance(self.views[id(L)], LoopView)}
                for nm in v.init.walk():  # type: ignore[union-attr]
                    # every name must keep its value for as long as the local lives: not
                    # written in the nest, or the counter of a loop around the declaration
                    if isinstance(nm, ir.Name) and (nm.name in self.written or nm.name in loop_vars) \
                            and nm.name not in around:
                        ok = False
                        break
            if ok:
                self.decl_defs[id(v)] = v.init  # type: ignore[assignment]
            elif not isinstance(v.type, ir.Array):
                self.written.add(v.name)  # a local of the nest without a usable definition varies

    def _address_use(self, n: ir.Name) -> bool:
        """A use of a pointer that only addresses memory through it: ``p[i]``, ``*p``,
        ``*(p + i)``, ``free(p)``."""
        up = self._parents()
        cur: ir.Node = n
        parent = up.get(id(cur))
        while isinstance(parent, ir.Cast) or (isinstance(parent, ir.Binary) and parent.op in ("+", "-")
                                              and parent.lhs is cur):
            cur, parent = parent, up.get(id(parent))
        if isinstance(parent, ir.Index) and parent.base is cur:
            return True
        if isinstance(parent, ir.Unary) and parent.op == "*":
            return True
        return isinstance(parent, ir.Call) and isinstance(parent.callee, ir.Name) and \
            parent.callee.name.split("::")[-1] in ("free", "_mm_free") and cur is n

    def _lane_view(self, n: ir.Unary) -> bool:
        """``&v`` used only to address v's own bytes: ``((T *)&v)[i]``, ``*(T *)&v``
        (the address goes nowhere else, so v does not escape)."""
        up = self._parents()
        cur: ir.Node = n
        parent = up.get(id(cur))
        while isinstance(parent, ir.Cast) and isinstance(parent.type, ir.Pointer):
            cur, parent = parent, up.get(id(parent))
        return (isinstance(parent, ir.Index) and parent.base is cur) or \
            (isinstance(parent, ir.Unary) and parent.op == "*")

    def _indexed(self, n: ir.Name) -> bool:
        """Whether this use of an array name is a subscript's base (not a pointer value)."""
        up = self._parents().get(id(n))
        return isinstance(up, (ir.Index, ir.SizeOf)) and getattr(up, "base", None) is n or isinstance(up, ir.SizeOf)

    def _parents(self) -> dict[int, ir.Node]:
        if not hasattr(self, "_up"):
            up: dict[int, ir.Node] = {}
            body = self.table.function.body or self.root
            for n in body.walk():
                for c in n.children():
                    up[id(c)] = n
            if self.root is not body:
                for n in self.root.walk():
                    for c in n.children():
                        up[id(c)] = n
            self._up = up
        return self._up

    def _loops_around(self, node: ir.Node) -> list[ir.For]:
        up = self._parents()
        out = []
        child, cur = node, up.get(id(node))
        while cur is not None and child is not self.root:
            if isinstance(cur, ir.For) and child is cur.body:
                out.append(cur)
            child, cur = cur, up.get(id(cur))
        return out[::-1]

    def inside(self, L: ir.For) -> set[int]:
        s = self._inside.get(id(L))
        if s is None:
            s = self._inside[id(L)] = {id(n) for n in L.body.walk()}
        return s

    def symbol(self, n: ir.Name) -> Symbol:
        """The symbol of a name; a name the table cannot see (a statement analysed without
        its function) stands for an object of unknown kind, once per spelling."""
        sym = self.table.resolve(n) if n in self.table else self.table.root.lookup(n.name)
        if sym is None:
            sym = self._unknown_syms.setdefault(n.name, Symbol(n.name, None, "global"))
        return sym

    def obj(self, sym: Symbol, pointee: bool) -> MemObj:
        key = (id(sym), pointee)
        o = self._objs.get(key)
        if o is None:
            t = sym.type
            # a static local lives across calls (global); an on-chip array, static in the
            # IR, is still this kernel's own (never reachable from a parameter)
            static = "static" in getattr(sym.decl, "specifiers", ()) and sym.space == "local"
            if pointee and id(sym) in self.heap:
                storage = "local"
            elif pointee and (t is None or isinstance(t, ir.Pointer) or sym.kind == "param"):
                storage = "pointer"
            elif sym.kind == "global" or static:
                storage = "global"
            else:
                storage = "local"
            o = self._objs[key] = MemObj(sym.name, sym, pointee, storage,
                                         pointee and isinstance(t, ir.Pointer) and t.restrict)
        return o

    def context(self, pt: Point) -> Context:
        ranges = dict(self.user_ranges)
        for k, r in pt.ranges:
            ranges[k] = r
        return Context(self.table, ranges, self.constants, iterators=pt.iterators, variant=self.written,
                       decl_defs=self.decl_defs, monomials=True)

    # -------------------------------------------------------------- collecting
    def collect(self) -> None:
        self.stmt(self.root, Point())
        self._delinearise()

    # -------------------------------------------------------------- delinearisation
    def _delinearise(self) -> None:
        """Give every affine access its subscripts: its array dimensions, the first split
        further where it has parametric strides (``i·n + j``, ``(b·M + i)·N + j``) along the
        chain of its stride monomials (``(i, j)``). The split is valid when isl proves every
        inner subscript of every access to the object stays in ``[0, size)``: then two
        offsets are equal exactly when all their subscripts are (a mixed-radix number has
        one representation)."""
        by_obj: dict[int, list[Access]] = {}
        for a in self.accesses:
            if a.index is not None and a.obj is not None:
                by_obj.setdefault(id(a.obj), []).append(a)
        for accs in by_obj.values():
            why: Optional[str] = self._one_unit(accs)
            for a in accs:
                if a.dims is None:
                    a.dims = (a.index,)  # type: ignore[assignment]
            ranks = {len(a.dims) for a in accs}  # type: ignore[arg-type]
            if why is None and len(ranks) > 1:
                why = "accessed with different numbers of subscripts"
            keys: set[tuple[str, ...]] = set()
            if why is None:
                for a in accs:
                    keys |= self._stride_keys(a)
            if why is None and keys and any(a.ranged for a in accs):
                why = "elements of different sizes at parametric strides"
            if why is None and not keys:
                for a in accs:
                    a.subscripts = a.dims
                continue
            chain = sorted(keys | {()}, key=len, reverse=True)
            if why is None:
                for outer, inner in zip(chain, chain[1:]):
                    if not _contains(outer, inner):
                        why = f"strides {MONO.join(outer) or '1'} and {MONO.join(inner) or '1'} are not multiples"
                        break
            if why is None:
                sizes = [MONO.join(_minus(outer, inner)) for outer, inner in zip(chain, chain[1:])]
                for a in accs:
                    split = self._split(a, chain)
                    if isinstance(split, str):
                        why = split
                        break
                    for sub, size in zip(split[1:], sizes):
                        if not self._within(a, sub, size):
                            why = f"{a.text}: the subscript {sub} may leave [0, {size})"
                            break
                    if why is not None:
                        break
                    a.subscripts = split + a.dims[1:]  # type: ignore[index]
            if why is not None:
                for a in accs:
                    a.subscripts = None
                    a.index = None
                    a.reason = f"{a.text}: not affine, and cannot be delinearised ({why})"

    @staticmethod
    def _one_unit(accs: list[Access]) -> Optional[str]:
        """The accesses of one object in one unit, where a reinterpreting cast reaches it:
        all in bytes, and back in elements when every access has the same size and a byte
        offset that is a multiple of it; else compared as byte ranges (``ranged``). The
        reason when an element size is not known."""
        if not any(a.bytes for a in accs):
            return None
        if any(a.size is None for a in accs):
            bad = next(a for a in accs if a.size is None)
            return f"{bad.text}: elements of unknown size, and the object is reached through a reinterpreting cast"
        for a in accs:
            if not a.bytes:
                a.index = a.index.scale(a.size)  # type: ignore[union-attr,arg-type]
                a.bytes = True
            a.dims = None
        sizes = {a.size for a in accs}
        if len(sizes) == 1:
            size = sizes.pop()
            assert size is not None
            if all(all(c % size == 0 for c in a.index.coeffs.values()) and a.index.const % size == 0  # type: ignore[union-attr]
                   for a in accs):
                for a in accs:
                    a.index = a.index.floordiv(size)  # type: ignore[union-attr]
                    a.bytes = False
                return None
        for a in accs:
            a.ranged = True
        return None

    def _stride_keys(self, a: Access) -> set[tuple[str, ...]]:
        """The symbol monomials that multiply a loop variable in a's first subscript."""
        assert a.dims is not None
        its = a.point.iterators
        out = set()
        for name in a.dims[0].coeffs:
            if MONO in name and name not in a.dims[0].divs:
                factors = name.split(MONO)
                loopvars = [f for f in factors if f in its]
                if loopvars:
                    rest = list(factors)
                    rest.remove(loopvars[0])
                    out.add(tuple(sorted(rest)))
        return out

    def _split(self, a: Access, chain: list[tuple[str, ...]]) -> Union[tuple[Affine, ...], str]:
        """a's first subscript along the stride chain: ``n·i - n + j`` with chain
        ``[(n,), ()]`` -> ``(i - 1, j)``. A product of symbols goes with the longest
        stride it is a multiple of."""
        assert a.dims is not None
        first = a.dims[0]
        its = a.point.iterators
        out: dict[tuple[str, ...], Affine] = {k: Affine.constant(0) for k in chain}
        for name, c in first.coeffs.items():
            if name in first.divs:
                d = first.divs[name]
                if any(MONO in n and set(n.split(MONO)) & its for n in d.num.names()):
                    return f"{a.text}: a division of a product with a loop variable"
                out[()] = out[()] + Affine({name: c}, 0, dict(first.divs))
                continue
            factors = name.split(MONO)
            loopvars = [f for f in factors if f in its]
            if loopvars:
                rest = list(factors)
                rest.remove(loopvars[0])
                out[tuple(sorted(rest))] = out[tuple(sorted(rest))] + Affine({loopvars[0]: c})
                continue
            key = next(k for k in chain if _contains(tuple(sorted(factors)), k))
            rest = _minus(tuple(sorted(factors)), key)
            out[key] = out[key] + (Affine({MONO.join(rest): c}) if rest else Affine.constant(c))
        out[()] = out[()] + Affine.constant(first.const)
        return tuple(out[k] for k in chain)

    def _within(self, a: Access, sub: Affine, size: str) -> bool:
        """isl: no point of a's domain puts ``sub`` outside [0, size)."""
        params: dict[str, str] = {}
        m = {v.var: f"a{k}" for k, v in enumerate(a.point.views) if isinstance(v, LoopView)}
        conds = self._domain("a", a, params)
        s_txt = _isl_text(sub, m, params)
        size_txt = _isl_text(Affine.var(size), {}, params)
        dims = ", ".join(f"a{k}" for k in range(len(a.point.loops)))
        conds += self._param_facts(params)
        text = (f"[{', '.join(params.values())}] -> {{ [{dims}] : {' and '.join(conds) or 'true'} and "
                f"({s_txt} < 0 or {s_txt} >= {size_txt}) }}")
        return isl.Set(text).is_empty()

    def stmt(self, s: ir.Node, pt: Point) -> None:
        if isinstance(s, ir.Block):
            for x in s.stmts:
                self.stmt(x, pt)
        elif isinstance(s, ir.Decl):
            for v in s.vars:
                # the initialisation writes a variable private to every loop around it
                # (a static one is initialised once, before any loop)
                if v.init is not None and "static" not in v.specifiers:
                    self.expr(v.init, pt, s)
        elif isinstance(s, ir.ExprStmt):
            self.expr_stmt(s, pt)
        elif isinstance(s, ir.If):
            if s.decl is not None and s.decl.init is not None:
                self.expr(s.decl.init, pt, s)
            self.expr(s.cond, pt, s)
            ctx = self.context(pt)
            for branch, negate in ((s.then, False), (s.other, True)):
                if branch is None:
                    continue
                g = _guard(ctx, s.cond, negate)
                cons = pt.constraints + tuple((len(pt.loops), c) for c in g.constraints)
                inexact = pt.inexact + tuple(f"guard: {u}" for u in g.unknown)
                ranges = _tighten(dict(pt.ranges), [c for _, c in cons], ctx)
                self.stmt(branch, Point(pt.loops, pt.views, cons, inexact, tuple(ranges.items()), pt.guards + 1))
        elif isinstance(s, ir.For):
            self.for_(s, pt)
        elif isinstance(s, (ir.While, ir.DoWhile)):
            inner = Point(pt.loops, pt.views, pt.constraints, pt.inexact + ("inside a while loop",), pt.ranges,
                          pt.guards + 1)
            self.expr(s.cond, inner, s)
            self.stmt(s.body, inner)
        elif isinstance(s, ir.Switch):
            self.expr(s.cond, pt, s)
            inner = Point(pt.loops, pt.views, pt.constraints, pt.inexact + ("inside a switch",), pt.ranges,
                          pt.guards + 1)
            self.stmt(s.body, inner)
        elif isinstance(s, ir.Return):
            if s.value is not None:
                self.expr(s.value, pt, s)
        elif isinstance(s, ir.OpaqueStmt):
            self.effects.append(_Effect(pt, f"an opaque statement: {s.text.strip()[:60]}"))
        elif isinstance(s, (ir.Function,)):
            self.effects.append(_Effect(pt, "a nested function"))

    def for_(self, L: ir.For, pt: Point) -> None:
        view = self.views[id(L)]
        ctx = self.context(pt)
        if isinstance(view, LoopView):
            self.expr(view.start, pt, L)
        elif L.init is not None:
            self.stmt(L.init, pt)
        depth = len(pt.loops) + 1
        cons = list(pt.constraints)
        inexact = list(pt.inexact)
        ranges = dict(pt.ranges)
        if isinstance(view, LoopView):
            i = Affine.var(view.var)
            inner_ctx = Context(self.table, {**self.user_ranges, **ranges}, self.constants,
                                iterators=pt.iterators | {view.var}, variant=self.written,
                                decl_defs=self.decl_defs, monomials=True)
            try:
                start, _ = inner_ctx.form(view.start)
            except _Fail as f:
                start = None
                inexact.append(f"the start of the loop over {view.var} is not affine ({f.reason})")
            try:
                end, _ = inner_ctx.form(view.end)
            except _Fail as f:
                end = None
                inexact.append(f"the end of the loop over {view.var} is not affine ({f.reason})")
            one = Affine.constant(1)
            lo_r = hi_r = None
            if view.step > 0:
                if start is not None:
                    cons.append((depth, Constraint(i - start)))
                    lo_r = ctx.bounds(start).lo
                if end is not None:
                    cons.append((depth, Constraint(end - i - one)))
                    hi = ctx.bounds(end).hi
                    hi_r = None if hi is None else hi - 1
            else:
                if start is not None:
                    cons.append((depth, Constraint(start - i)))
                    hi_r = ctx.bounds(start).hi
                if end is not None:
                    cons.append((depth, Constraint(i - end - one)))
                    lo = ctx.bounds(end).lo
                    lo_r = None if lo is None else lo + 1
            s = abs(view.step)
            if s != 1:
                if start is not None:
                    # i == start + s*k: (i - start) is a multiple of s
                    diff = i - start
                    cons.append((depth, Constraint(diff - diff.floordiv(s).scale(s), eq=True)))
                else:
                    inexact.append(f"the stride of the loop over {view.var} is not modelled")
            ranges[view.var] = Range(lo_r, hi_r)
            ranges = _tighten(ranges, [c for _, c in cons], inner_ctx)
        else:
            inexact.append(f"inside a loop that is not canonical ({view.reason})")
        inner = Point(pt.loops + (L,), pt.views + (view,), tuple(cons), tuple(inexact),
                      tuple(ranges.items()), pt.guards)
        if _has_continue(L.body):
            inner = Point(inner.loops, inner.views, inner.constraints,
                          inner.inexact + ("a continue skips part of the body",), inner.ranges, inner.guards)
        self.body_guards[id(L)] = inner.guards
        if isinstance(view, LoopView):
            self.expr(view.end, inner, L)
        else:
            for e in (L.cond, L.step):
                if e is not None:
                    self.expr(e, inner, L)
        self.stmt(L.body, inner)

    # -------------------------------------------------------------- expressions
    def expr_stmt(self, s: ir.ExprStmt, pt: Point) -> None:
        start = len(self.accesses)
        red = _reduction_form(s.expr)
        self.expr(s.expr, pt, s)
        if red is None:
            return
        op, target_nodes = red
        mine = self.accesses[start:]
        tagged = [a for a in mine if any(a.node is t for t in target_nodes)]
        if not tagged or any(a.obj is None or a.index is None for a in tagged):
            return
        obj = tagged[0].obj
        if any(a.obj is not obj for a in tagged):
            return
        others = [a for a in mine if a not in tagged]
        if any(a.obj is obj or a.obj is None for a in others):
            return  # the update reads its own accumulator elsewhere: not a clean reduction
        key = tagged[0].text
        for a in tagged:
            a.reduction = (key, op)

    def expr(self, e: ir.Node, pt: Point, stmt: ir.Stmt, conditional: bool = False) -> None:
        if isinstance(e, ir.Assign):
            self.expr(e.value, pt, stmt, conditional)
            self.location(e.target, pt, stmt, read=e.op != "=", write=True, conditional=conditional)
        elif isinstance(e, ir.Unary) and e.op in ("++", "--"):
            self.location(e.operand, pt, stmt, read=True, write=True, conditional=conditional)
        elif isinstance(e, ir.Unary) and e.op == "&":
            self.address(e.operand, pt, stmt, conditional)
        elif isinstance(e, (ir.Index, ir.Name, ir.Member)) or (isinstance(e, ir.Unary) and e.op == "*"):
            self.location(e, pt, stmt, read=True, write=False, conditional=conditional)
        elif isinstance(e, ir.Call):
            self.call(e, pt, stmt, conditional)
        elif isinstance(e, ir.Binary) and e.op in ("&&", "||"):
            self.expr(e.lhs, pt, stmt, conditional)
            self.expr(e.rhs, pt, stmt, True)
        elif isinstance(e, ir.Ternary):
            self.expr(e.cond, pt, stmt, conditional)
            self.expr(e.then, pt, stmt, True)
            self.expr(e.other, pt, stmt, True)
        elif isinstance(e, ir.SizeOf):
            return  # not evaluated
        elif isinstance(e, (ir.OpaqueExpr, ir.Launch)):
            self.effects.append(_Effect(pt, f"{_text(e)}: effects not known"))
        else:
            for c in e.children():
                if isinstance(c, ir.Expr):
                    self.expr(c, pt, stmt, conditional)

    def _add(self, pt, stmt, node, base: _Base, index, reason, read, write, conditional, scalar=False,
             approx=False, size: Optional[int] = None) -> None:
        for w in ((False,) if read else ()) + ((True,) if write else ()):
            self.accesses.append(Access(node, stmt, base.name, base.obj, w, index, pt, reason, None, scalar,
                                        approx, conditional, size=size, bytes=base.bytes))

    def location(self, e: ir.Expr, pt: Point, stmt: ir.Stmt, read: bool, write: bool, conditional: bool,
                 approx: bool = False) -> None:
        if isinstance(e, ir.Name):
            sym = self.symbol(e)
            if sym.kind in ("builtin", "function"):
                return
            if isinstance(sym.type, ir.Array):
                return  # the array as a value: its address
            if not write and e.name not in self.written:
                return  # invariant in the nest: no dependence through it
            if e.name in pt.iterators and not write:
                return  # the loop's own counter
            base = _Base(self.obj(sym, pointee=False), e.name, Affine.constant(0))
            self._add(pt, stmt, e, base, Affine.constant(0), "", read, write, conditional, scalar=True,
                      approx=approx, size=_sizeof(sym.type))
            return
        if isinstance(e, ir.Member):
            if isinstance(e.base, ir.Name) and self.symbol(e.base).kind == "builtin":
                return
            if e.arrow:  # p->f: the element *p, field-insensitively
                self._element(e, [ir.IntLit(0)], e.base, pt, stmt, read, write, conditional, True)
            else:
                self.location(e.base, pt, stmt, read, write, conditional, approx=True)
            return
        if isinstance(e, ir.Index) or (isinstance(e, ir.Unary) and e.op == "*"):
            subs: list[ir.Expr] = []
            cur: ir.Expr = e
            while isinstance(cur, ir.Index) or (isinstance(cur, ir.Unary) and cur.op == "*"):
                if isinstance(cur, ir.Index):
                    subs.insert(0, cur.index)
                    self.expr(cur.index, pt, stmt, conditional)
                    cur = cur.base
                else:
                    subs.insert(0, ir.IntLit(0))
                    cur = cur.operand
            self._element(e, subs, cur, pt, stmt, read, write, conditional, approx)
            return
        # any other lvalue (a call returning a reference...): unknown object
        self.expr(e, pt, stmt, conditional)
        self._add(pt, stmt, e, _Base(None, "?", None, f"{_text(e)}: object not known"), None,
                  f"{_text(e)}: object not known", read, write, conditional)

    def _element(self, node, subs: list[ir.Expr], base_expr: ir.Expr, pt, stmt, read, write, conditional,
                 approx) -> None:
        ctx = self.context(pt)
        base = self.pointer(base_expr, pt, stmt, ctx, conditional)
        t = base.type
        if isinstance(t, ir.Named) and base.obj is not None:
            # a subscript of a vector value (v[0] of a __m512 or float4 local): the variable
            self.location(base_expr, pt, stmt, read, write, conditional, approx=True)
            return
        sizes: list[Optional[int]] = []
        if isinstance(t, ir.Pointer):
            sizes.append(None)
            t = t.pointee
        elif isinstance(t, ir.Array):
            sizes.append(None)
            t = t.elem
        elif t is None:
            sizes.append(None)
        while isinstance(t, ir.Array):
            sizes.append(t.size.value if isinstance(t.size, ir.IntLit) else -1)
            t = t.elem
        if len(subs) < len(sizes):
            return  # a row of a multi-dimensional array: its address, no access
        if len(subs) > len(sizes):
            # p[i][j] through a loaded pointer: p[i] is read, the element's object is not known
            k = len(sizes)
            inner = subs[:k]
            self._element(node, inner, base_expr, pt, stmt, True, False, conditional, approx)
            self._add(pt, stmt, node, _Base(None, "?", None), None,
                      f"{_text(node)}: through a pointer loaded from memory", read, write, conditional)
            return
        size = _sizeof(t) if t is not None else None
        if base.offset is None:
            self._add(pt, stmt, node, base, None, base.reason, read, write, conditional, approx=approx, size=size)
            return
        dims: list[Affine] = []
        reason = ""
        try:
            for k, sub in enumerate(subs):
                if k > 0 and (sizes[k] is None or sizes[k] < 0):  # type: ignore[operator]
                    raise _Fail(f"{_text(node)}: an array dimension of variable size", node)
                a, _ = ctx.form(sub, modular=True)
                dims.append(base.offset + a if k == 0 and not base.bytes else a)
            if base.bytes and size is None:
                raise _Fail(f"{_text(node)}: through a reinterpreting cast, to elements of unknown size", node)
        except _Fail as f:
            reason = f.reason
        if reason:
            self._add(pt, stmt, node, base, None, reason, read, write, conditional, approx=approx, size=size)
            return
        offset = Affine.constant(0)
        for k, a in enumerate(dims):
            stride = 1
            for sz in sizes[k + 1:]:
                stride *= sz  # type: ignore[operator]
            offset = offset + a.scale(stride)
        if base.bytes:  # elements of the cast-to type from a byte offset
            offset = base.offset + offset.scale(size)  # type: ignore[arg-type]
        n = len(self.accesses)
        self._add(pt, stmt, node, base, offset, "", read, write, conditional, approx=approx, size=size)
        if not base.bytes:
            for acc in self.accesses[n:]:
                acc.dims = tuple(dims)

    def pointer(self, e: ir.Expr, pt: Point, stmt, ctx: Context, conditional: bool, depth: int = 0) -> _Base:
        """The object and offset a pointer (or array) expression designates."""
        if depth > 8:
            return _Base(None, "?", None, f"{_text(e)}: too many pointer definitions to follow")
        if isinstance(e, ir.Cast):
            inner = self.pointer(e.operand, pt, stmt, ctx, conditional, depth + 1)
            if not isinstance(e.type, ir.Pointer):
                return _Base(None, "?", None, f"{_text(e)}: a cast to a non-pointer type")
            return self._convert(inner, e.type, e)
        if isinstance(e, ir.Name):
            sym = self.symbol(e)
            if sym.kind == "builtin":
                return _Base(None, e.name, None, f"{e.name}: a built-in", sym.type)
            if not isinstance(sym.type, (ir.Pointer, ir.Array)) and sym.type is not None:
                # a value (a vector register...) subscripted: the variable itself
                return _Base(self.obj(sym, pointee=False), e.name, Affine.constant(0), "", sym.type)
            if isinstance(sym.type, ir.Array) or sym.kind in ("param", "global"):
                if sym.name in self.written and not isinstance(sym.type, ir.Array):
                    return _Base(None, e.name, None, f"{e.name} changes inside the loop nest", sym.type)
                return _Base(self.obj(sym, pointee=True), e.name, Affine.constant(0), "", sym.type)
            if id(sym) in self.heap:  # float *p = malloc(...): a fresh object of this function
                return _Base(self.obj(sym, pointee=True), e.name, Affine.constant(0), "", sym.type)
            # a local pointer: follow its one definition
            d = self.decl_defs.get(id(sym.decl)) if sym.decl is not None else None
            if d is not None:
                b = self.pointer(d, pt, stmt, ctx, conditional, depth + 1)
                if b.type is None:
                    b.type = sym.type
                elif isinstance(sym.type, ir.Pointer):  # void *p = y + c: seen as the local's type
                    b = self._convert(b, sym.type, e)
                return b
            return _Base(None, e.name, None, f"{e.name}: a local pointer whose object is not known", sym.type)
        if isinstance(e, ir.Binary) and e.op in ("+", "-"):
            lt = self.table.type_of(e.lhs) if e.lhs in self.table else None
            if isinstance(lt, (ir.Pointer, ir.Array)):
                p, off = e.lhs, e.rhs
            elif e.op == "+":
                p, off = e.rhs, e.lhs
            else:
                return _Base(None, "?", None, f"{_text(e)}: object not known")
            self.expr(off, pt, stmt, conditional)
            b = self.pointer(p, pt, stmt, ctx, conditional, depth + 1)
            if b.offset is None:
                return b
            try:
                a, _ = ctx.form(off, modular=True)
                a = self._scaled(b, a, e)
            except _Fail as f:
                return _Base(b.obj, b.name, None, f.reason, _decay(b.type), b.bytes)
            return _Base(b.obj, b.name, b.offset + (a if e.op == "+" else -a), "", _decay(b.type), b.bytes)
        if isinstance(e, ir.Unary) and e.op == "&":
            inner = e.operand
            if isinstance(inner, ir.Index):
                return self._address_of(e, pt, stmt, ctx, conditional, depth)
            if isinstance(inner, ir.Name):
                sym = self.symbol(inner)
                if sym.kind not in ("builtin", "function"):
                    return _Base(self.obj(sym, pointee=isinstance(sym.type, ir.Array)), inner.name,
                                 Affine.constant(0), "", ir.Pointer(sym.type or ir.Named("void")))
        self.expr(e, pt, stmt, conditional)
        return _Base(None, "?", None, f"{_text(e)}: object not known")

    def _address_of(self, e: ir.Unary, pt: Point, stmt, ctx: Context, conditional: bool, depth: int) -> _Base:
        """``&p[i]`` (p + i, in units of p's element) and ``&a[i][j]`` (an element or a
        row inside a multi-dimensional array: the offset in units of what it points to)."""
        subs: list[ir.Expr] = []
        cur: ir.Expr = e.operand
        while isinstance(cur, ir.Index):
            subs.insert(0, cur.index)
            self.expr(cur.index, pt, stmt, conditional)
            cur = cur.base
        b = self.pointer(cur, pt, stmt, ctx, conditional, depth + 1)
        t = b.type
        dims: list[Optional[int]] = []  # the sizes below the first level
        inner_t = t.pointee if isinstance(t, ir.Pointer) else t.elem if isinstance(t, ir.Array) else None
        for _ in subs[1:]:
            if not isinstance(inner_t, ir.Array):
                return _Base(None, "?", None, f"{_text(e)}: an address through a pointer loaded from memory")
            dims.append(inner_t.size.value if isinstance(inner_t.size, ir.IntLit) else None)
            inner_t = inner_t.elem
        if b.offset is None:
            return _Base(b.obj, b.name, None, b.reason, ir.Pointer(inner_t) if inner_t is not None else None, b.bytes)
        try:
            if None in dims:
                raise _Fail(f"{_text(e)}: an array dimension of variable size", e)
            off = Affine.constant(0)
            for k, sub in enumerate(subs):
                a, _ = ctx.form(sub, modular=True)
                stride = 1
                for sz in dims[k:]:
                    stride *= sz  # type: ignore[operator]
                off = off + a.scale(stride)
            if b.bytes:
                size = _sizeof(inner_t)
                if size is None:
                    raise _Fail(f"{_text(e)}: pointer arithmetic on elements of unknown size", e)
                off = b.offset + off.scale(size)
            else:
                stride = 1
                for sz in dims:
                    stride *= sz  # type: ignore[operator]
                off = b.offset.scale(stride) + off
        except _Fail as f:
            return _Base(b.obj, b.name, None, f.reason, ir.Pointer(inner_t) if inner_t is not None else None, b.bytes)
        return _Base(b.obj, b.name, off, "", ir.Pointer(inner_t) if inner_t is not None else _decay(t), b.bytes)

    def _convert(self, b: _Base, t: ir.Pointer, node: ir.Expr) -> _Base:
        """``b`` seen through a pointer of type ``t``: unchanged when the element types
        agree; else the same object with its offset counted in bytes (``(char *)p``,
        ``((float *)&v)[i]``, ``void *q = y + c``), from the size of b's elements."""
        if b.type is not None and _elem_same(t, b.type):
            return b
        if b.obj is None:
            return _Base(None, b.name, None, b.reason or f"{_text(node)}: a reinterpreting cast", t)
        if b.offset is None or b.bytes:
            return _Base(b.obj, b.name, b.offset, b.reason, t, b.bytes)
        size = 0 if b.offset.is_const and b.offset.const == 0 else _elem_size(b.type)
        if size is None:
            return _Base(b.obj, b.name, None, f"{_text(node)}: a reinterpreting cast of elements of unknown size",
                         t, True)
        return _Base(b.obj, b.name, b.offset.scale(size), "", t, True)

    @staticmethod
    def _scaled(b: _Base, a: Affine, node: ir.Expr) -> Affine:
        """An element offset ``a`` of pointer arithmetic on ``b``, in b's units (bytes
        when b's offset counts bytes)."""
        if not b.bytes:
            return a
        size = _elem_size(b.type)
        if size is None:
            raise _Fail(f"{_text(node)}: pointer arithmetic on elements of unknown size", node)
        return a.scale(size)

    def address(self, e: ir.Expr, pt: Point, stmt, conditional: bool) -> None:
        """``&e``: the subscripts are read; the element itself is not accessed."""
        cur = e
        while True:
            if isinstance(cur, ir.Index):
                self.expr(cur.index, pt, stmt, conditional)
                cur = cur.base
            elif isinstance(cur, ir.Member):
                cur = cur.base
            elif isinstance(cur, ir.Unary) and cur.op == "*":
                self.expr(cur.operand, pt, stmt, conditional)
                return
            else:
                break
        if not isinstance(cur, ir.Name):
            self.expr(cur, pt, stmt, conditional)

    def call(self, e: ir.Call, pt: Point, stmt, conditional: bool) -> None:
        name = e.callee.name if isinstance(e.callee, ir.Name) else None
        short = name.split("::")[-1] if name else None
        if short in _ATOMICS and e.args:
            for a in e.args[1:]:
                self.expr(a, pt, stmt, conditional)
            target = e.args[0]
            if isinstance(target, ir.Unary) and target.op == "&":
                self.location(target.operand, pt, stmt, read=True, write=True, conditional=conditional)
            else:
                self.location(ir.Unary("*", target), pt, stmt, read=True, write=True, conditional=conditional)
            return
        if short in _ALLOCATORS:
            for a in e.args:  # a fresh object: its size is read, no memory is touched
                self.expr(a, pt, stmt, conditional)
            return
        if short in _FREES and len(e.args) == 1:
            # the end of a buffer's life: a write of the whole object (none of a private one)
            self.expr(e.args[0], pt, stmt, conditional)
            base = self.pointer(e.args[0], pt, stmt, self.context(pt), conditional)
            self._add(pt, stmt, e, base, None, f"{_text(e)} releases the whole buffer", False, True, conditional)
            return
        d = self.table.root.dialect
        it = d.intrinsic(name) if d is not None and name else None
        if it is not None and len(e.args) == 1 and _element_load(it):
            # __ldg(p): a read of *p
            self.location(ir.Unary("*", e.args[0]), pt, stmt, read=True, write=False, conditional=conditional)
            return
        for a in e.args:
            self.expr(a, pt, stmt, conditional)
        why = self._impure(e, name)
        if why is not None:
            self.effects.append(_Effect(pt, why))

    def _impure(self, e: ir.Call, name: Optional[str], seen: Optional[set[str]] = None) -> Optional[str]:
        """Why a call may have effects on memory, or None if it has none."""
        if name is None:
            return f"{_text(e)}: a call through a pointer"
        if name.startswith(_PURE_BUILTINS):
            return None
        sym = self.table.root.lookup(name)
        if sym is not None and sym.kind == "function" and isinstance(sym.decl, ir.Function):
            return self._user_impure(sym.decl, seen or set())
        d = self.table.root.dialect
        it = d.intrinsic(name) if d is not None else None
        if it is not None:
            if it.category in _PURE_CATEGORIES and not any(
                    "*" in p.type or "&" in p.type for ov in it.overloads for p in ov.params):
                return None
            return f"call to {name} ({it.category}): effects on memory not modelled"
        return f"call to {name} with unknown effects"

    def _user_impure(self, f: ir.Function, seen: set[str]) -> Optional[str]:
        if f.body is None:
            return f"call to {f.name}: no body to analyse"
        if f.name in seen:
            return f"call to {f.name}: recursive"
        seen = seen | {f.name}
        if any(isinstance(p.type, (ir.Pointer, ir.Array, ir.Reference)) for p in f.params):
            return f"call to {f.name}, which takes a pointer or reference"
        inner = SymbolTable(f, root=self.table.root)
        for n in f.body.walk():
            t = n.target if isinstance(n, ir.Assign) else n.operand if isinstance(n, ir.Unary) and n.op in (
                "++", "--") else None
            if t is not None and not (isinstance(t, ir.Name) and (inner.resolve(t) or Symbol("", None, "global")).kind
                                      in ("local", "param")):
                return f"call to {f.name}, which writes {_text(t)}"
            if isinstance(n, ir.Name) and n in inner:
                s = inner.resolve(n)
                if s is not None and s.kind == "global":
                    return f"call to {f.name}, which reads the file-scope {n.name}"
            if isinstance(n, (ir.OpaqueStmt, ir.OpaqueExpr)):
                return f"call to {f.name}: opaque code"
            if isinstance(n, ir.Call):
                callee = n.callee.name if isinstance(n.callee, ir.Name) else None
                why = self._impure(n, callee, seen)
                if why is not None:
                    return f"call to {f.name}: {why}"
        return None

    # -------------------------------------------------------------- deciding
    def run(self) -> list[LoopDeps]:
        self.collect()
        return [self.verdict(L) for L in self.loops]

    def private(self, L: ir.For) -> tuple[set[int], list[str]]:
        """Objects private to the iterations of L (by id): locals declared in its body, and
        scalars every iteration writes before reading that nothing outside L uses."""
        inside = self.inside(L)
        out: set[int] = set()
        names: list[str] = []
        for o in self._objs.values():
            sym = o.sym
            if o.storage != "local" or sym.kind != "local" or sym.decl is None \
                    or "static" in getattr(sym.decl, "specifiers", ()):
                continue  # one instance for every iteration (static and on-chip variables)
            if id(sym.decl) in inside:
                out.add(id(o))
            elif not o.pointee and id(sym) not in self.escaped and self._privatisable(L, o):
                out.add(id(o))
                names.append(sym.name)
        return out, names

    def _uses(self, sym) -> list[int]:
        """Ids of the names that resolve to ``sym`` in the function (one walk, cached: a
        function with many loops and locals asks for every pair)."""
        uses = self._uses_by_sym
        if uses is None:
            uses = self._uses_by_sym = {}
            fn = self.table.function.body
            for n in (fn.walk() if fn is not None else ()):
                if isinstance(n, ir.Name) and n in self.table:
                    s = self.table.resolve(n)
                    if s is not None:
                        uses.setdefault(id(s), []).append(id(n))
        return uses.get(id(sym), [])

    def _privatisable(self, L: ir.For, o: MemObj) -> bool:
        inside = self.inside(L)
        if any(u not in inside for u in self._uses(o.sym)):
            return False  # used outside the loop: its last value may be needed
        first = next((a for a in self.accesses if a.obj is o and L in a.point.loops), None)
        # the first access of every iteration: a plain write directly in the body
        # (a whole write of the variable: not a lane or a field of it)
        return (first is not None and first.write and not first.conditional and _plain_write(first)
                and first.scalar and not first.approx
                and first.point.loops[-1] is L and first.point.guards == self.body_guards.get(id(L)))

    def verdict(self, L: ir.For) -> LoopDeps:
        view = self.views[id(L)]
        depth = sum(1 for M in self.loops if id(L) in self.inside(M))
        var = view.var if isinstance(view, LoopView) else _loop_name(L)
        if isinstance(view, NotCanonical):
            return LoopDeps(L, var, "unknown", reason=f"not canonical: {view.reason}", depth=depth)
        # the forms name loop variables by spelling: a local of the same name would be taken
        # for one (the loop's own or an enclosing loop's)
        counters = {v.var for M in self.loops if M is L or id(L) in self.inside(M)
                    for v in [self.views[id(M)]] if isinstance(v, LoopView)}
        clash = next((n.name for n in L.body.walk() if isinstance(n, ir.VarDecl) and n.name in counters), None)
        if clash is not None:
            return LoopDeps(L, var, "unknown", reason=f"the body redeclares the loop variable {clash}", depth=depth)
        private_ids, private_names = self.private(L)
        accs = [a for a in self.accesses if L in a.point.loops
                and not (a.obj is not None and id(a.obj) in private_ids)]
        carried: list[Witness] = []
        possible: list[Witness] = []
        unknown: list[str] = []
        reductions: dict[tuple[str, str], Reduction] = {}
        for eff in self.effects:
            if L in eff.point.loops:
                unknown.append(eff.reason)
        for i in range(len(accs)):
            for j in range(i, len(accs)):
                a, b = accs[i], accs[j]
                if not (a.write or b.write) or (i == j and not a.write):
                    continue
                r = self.relate(a, b, L, same=i == j)
                if r is None:
                    continue
                if isinstance(r, _Unknown):
                    unknown.append(r.reason)
                    continue
                w = r.witness
                if a.reduction is not None and b.reduction is not None and a.reduction[1] == b.reduction[1] \
                        and a.obj is b.obj:
                    for acc in (a, b):
                        key = acc.reduction
                        assert key is not None
                        red = reductions.setdefault(key, Reduction(key[0], key[1]))
                        if all(acc.stmt is not x for x in red.stmts):
                            red.stmts.append(acc.stmt)
                    continue
                (carried if w.exact else possible).append(w)
        if carried:
            w = min(carried, key=lambda x: (x.distance is None, x.distance or 0))
            return LoopDeps(L, var, "carried", list(reductions.values()), w, f"dependence carried: {w}",
                            private_names, depth)
        if unknown or possible:
            reasons = list(dict.fromkeys(unknown))
            for w in possible:
                reasons.append(f"possible dependence {w} ({'; '.join(dict.fromkeys(_why_inexact(w)))})")
            return LoopDeps(L, var, "unknown", list(reductions.values()), possible[0] if possible else None,
                            "; ".join(reasons), private_names, depth)
        if reductions:
            reds = list(reductions.values())
            return LoopDeps(L, var, "reduction", reds, None,
                            "only reductions carried: " + ", ".join(f"{r.var} ({r.op})" for r in reds),
                            private_names, depth)
        return LoopDeps(L, var, "parallel", [], None, "no dependence carried", private_names, depth)

    def relate(self, a: Access, b: Access, L: ir.For, same: bool) -> Union[None, _Dep, _Unknown]:
        """The dependence between two accesses carried by L, in either direction."""
        if a.obj is None or b.obj is None:
            known = b if a.obj is None else a
            unk = a if a.obj is None else b
            if known.obj is not None and self._isolated(known.obj):
                return None
            return _Unknown(unk.reason or f"{unk.text}: object not known")
        if a.obj is not b.obj:
            if self.may_alias(a.obj, b.obj):
                return _Unknown(f"{a.array} and {b.array} may alias (neither is restrict; "
                                f"assume_no_alias rules it out)")
            return None
        if a.subscripts is None or b.subscripts is None or len(a.subscripts) != len(b.subscripts):
            bad = a if a.subscripts is None else b
            return _Unknown(bad.reason or f"{bad.text}: index not affine")
        found = [w for w in (self.test(a, b, L), None if same else self.test(b, a, L)) if w is not None]
        if not found:
            return None
        # an exact dependence first, then the shortest distance
        found.sort(key=lambda w: (not w.exact, w.distance is None, w.distance or 0))
        return _Dep(found[0])

    def _isolated(self, o: MemObj) -> bool:
        """A local object that no pointer of unknown object can reach."""
        return o.storage == "local" and id(o.sym) not in self.escaped

    def may_alias(self, x: MemObj, y: MemObj) -> bool:
        """Whether two distinct objects may share memory."""
        if x.storage == "local" or y.storage == "local":
            # locals (value parameters, on-chip arrays, this call's allocations) are their
            # own objects; only a pointer that is not a parameter may hold the address of
            # one that escaped (a parameter was set before the call made it)
            loc, other = (x, y) if x.storage == "local" else (y, x)
            return (other.storage == "pointer" and other.sym.kind != "param"
                    and id(loc.sym) in self.escaped)
        if x.storage == "global" and y.storage == "global":
            return False  # distinct file-scope variables
        if x.restrict or y.restrict:
            return False
        na = self.no_alias
        if na is True:
            return False
        if na and (x.name in na or y.name in na):  # type: ignore[operator]
            return False
        return True

    # -------------------------------------------------------------- the isl test
    def _domain(self, side: str, acc: Access, params: dict[str, str]) -> list[str]:
        """The constraints of ``acc``'s iteration domain, its loops named side0, side1..."""
        out = []
        pt = acc.point
        for depth, c in pt.constraints:
            m = {}
            for k in range(depth):  # the names visible where the constraint is stated
                v = pt.views[k]
                if isinstance(v, LoopView):
                    m[v.var] = f"{side}{k}"
            out.append(f"{_isl_text(c.aff, m, params)} {'=' if c.eq else '>='} 0")
        return out

    def _param_facts(self, params: dict[str, str]) -> list[str]:
        """What is known of the parameters: user ranges, unsigned types, built-in ranges."""
        out = []
        for n, p in list(params.items()):
            if MONO in n:
                r = _product_range([self._param_range(f) for f in n.split(MONO)])
            else:
                r = self._param_range(n)
            if r.lo is not None:
                out.append(f"{p} >= {r.lo}")
            if r.hi is not None:
                out.append(f"{p} <= {r.hi}")
            hi_name = self._builtin(n)[1]
            if hi_name is not None and hi_name in params:
                out.append(f"{p} < {params[hi_name]}")
        return out

    def _param_range(self, n: str) -> Range:
        r = self.user_ranges.get(n, Range())
        lo = self._type_lo(n)
        return r.meet(Range(lo, None))

    def test(self, src: Access, dst: Access, L: ir.For) -> Optional[Witness]:
        """A carried dependence from ``src`` (earlier iteration of L) to ``dst``, or None."""
        la, lb = src.point.loops, dst.point.loops
        d = la.index(L)
        assert lb.index(L) == d
        params: dict[str, str] = {}
        conds = self._domain("a", src, params) + self._domain("b", dst, params)
        for k in range(d):
            conds.append(f"a{k} = b{k}")
        view = src.point.views[d]
        assert isinstance(view, LoopView)
        conds.append(f"a{d} < b{d}" if view.step > 0 else f"a{d} > b{d}")
        ma = {v.var: f"a{k}" for k, v in enumerate(src.point.views) if isinstance(v, LoopView)}
        mb = {v.var: f"b{k}" for k, v in enumerate(dst.point.views) if isinstance(v, LoopView)}
        assert src.subscripts is not None and dst.subscripts is not None
        if src.ranged or dst.ranged:  # byte ranges [offset, offset + size) that overlap
            x, y = _isl_text(src.subscripts[0], ma, params), _isl_text(dst.subscripts[0], mb, params)
            conds.append(f"{x} < {y} + {dst.size} and {y} < {x} + {src.size}")
        else:
            for x, y in zip(src.subscripts, dst.subscripts):
                conds.append(f"{_isl_text(x, ma, params)} = {_isl_text(y, mb, params)}")
        conds += self._param_facts(params)
        a_dims = ", ".join(f"a{k}" for k in range(len(la)))
        b_dims = ", ".join(f"b{k}" for k in range(len(lb)))
        text_ = f"[{', '.join(params.values())}] -> {{ [{a_dims}] -> [{b_dims}] : {' and '.join(conds)} }}"
        rel = isl.Map(text_)
        if rel.is_empty():
            return None
        example: dict[str, int] = {}
        pnt = rel.wrap().sample_point()
        coords: list[int] = []
        if not pnt.is_void():
            for k, n in enumerate(params):
                example[n] = pnt.get_coordinate_val(isl.dim_type.param, k).to_python()
            coords = [pnt.get_coordinate_val(isl.dim_type.set, k).to_python() for k in range(len(la) + len(lb))]
            for k in range(len(la)):
                v = src.point.views[k]
                example[v.var if isinstance(v, LoopView) else f"loop{k}"] = coords[k]
            for k in range(len(lb)):
                v = dst.point.views[k]
                example[(v.var if isinstance(v, LoopView) else f"loop{k}") + "'"] = coords[len(la) + k]
        # the distance along L, in iterations: the sample's, when no dependence has another
        # (two emptiness tests: isl's parametric minimum is far slower on sets with divisions)
        distance = None
        if coords:
            c = coords[len(la) + d] - coords[d]
            head = text_[: text_.rindex("}")]
            if all(isl.Map(f"{head} and b{d} - a{d} {op} {c} }}").is_empty() for op in ("<", ">")):
                distance = abs(c) // abs(view.step)
        kind = "flow" if src.write and not dst.write else "anti" if dst.write and not src.write else "output"
        exact = not (src.point.inexact or dst.point.inexact or src.approx or dst.approx or src.conditional
                     or dst.conditional)
        return Witness(src, dst, kind, distance, example, exact)

    def _type_lo(self, name: str) -> Optional[int]:
        """A symbol's lower bound from its type (unsigned: 0) and the built-in tables."""
        lo = self._builtin(name)[0]
        if "." in name:
            return max(lo or 0, 0)  # members of the index built-ins are unsigned
        sym = self.table.root.lookup(name)
        if sym is not None:
            it = ctype.int_type(sym.type)
            if it is not None and not it.signed:
                return max(lo or 0, 0)
        return lo

    def _builtin(self, name: str) -> tuple[Optional[int], Optional[str]]:
        d = self.table.root.dialect
        if d is None:
            return None, None
        base, _, member = name.partition(".")
        bv = d.builtin_vars.get(base)
        if bv is None:
            return None, None
        return builtin_bounds(bv, member or None)


# ----------------------------------------------------------------------------- helpers
def _isl_text(aff: Affine, mapping: dict[str, str], params: dict[str, str]) -> str:
    """isl text of ``aff``: loop variables by ``mapping``, every other name a parameter
    (added to ``params`` with a unique isl identifier)."""
    full = dict(mapping)
    for n in aff.names():
        if n not in full:
            if n not in params:
                params[n] = f"p{len(params)}_" + re.sub(r"\W", "_", n)
            full[n] = params[n]
    return aff.isl(full)


def _contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    rest = list(outer)
    for f in inner:
        if f not in rest:
            return False
        rest.remove(f)
    return True


def _minus(outer: tuple[str, ...], inner: tuple[str, ...]) -> tuple[str, ...]:
    rest = list(outer)
    for f in inner:
        rest.remove(f)
    return tuple(rest)


def _tighten(ranges: dict[str, Range], constraints: list[Constraint], ctx: Context) -> dict[str, Range]:
    """Bounds of single names implied by constraints (``n - i - 1 >= 0`` and ``i >= 0``
    give ``n >= 1``), two rounds of interval propagation."""
    ranges = dict(ranges)
    for _ in range(2):
        ctx.ranges.update(ranges)
        for c in constraints:
            forms = [c.aff, -c.aff] if c.eq else [c.aff]
            for aff in forms:
                for x, k in aff.coeffs.items():
                    if x in aff.divs or MONO in x:
                        continue
                    rest = aff - Affine({x: k})
                    hi = ctx.bounds(rest).hi
                    if hi is None:
                        continue
                    old = ranges.get(x, Range())
                    new = Range(-(hi // k), None) if k > 0 else Range(None, hi // (-k))
                    ranges[x] = old.meet(new)
    return ranges


def _guard(ctx: Context, cond: ir.Expr, negate: bool):
    from .affine import Guard

    out = Guard()
    ctx.constraints(cond, negate, out)
    return out


def _decay(t: Optional[ir.CType]) -> Optional[ir.CType]:
    if isinstance(t, ir.Array):
        return ir.Pointer(t.elem)
    return t


def _sizeof(t: Optional[ir.CType]) -> Optional[int]:
    """Bytes of a type, typedefs through clang's canonical spelling; None when not known."""
    if t is None:
        return None
    n = dtypes.sizeof(t)
    if n is not None:
        return n
    if isinstance(t, ir.Named):
        it = ctype.int_type(t)
        if it is not None:
            return it.width // 8
        if t.canonical:
            words = [w for w in t.canonical.split() if w not in ("const", "volatile")]
            n = dtypes.sizeof(ir.Named(" ".join(words)))
            if n is not None:
                return n
            it = ctype.int_type(ir.Named(" ".join(words)))
            if it is not None:
                return it.width // 8
            return _vector_size(t.canonical)
    return None


def _vector_size(spelling: str) -> Optional[int]:
    """The bytes of a GCC vector type from its spelling: ``__attribute__((__vector_size__(
    16 * sizeof(float)))) float`` -> 16."""
    m = re.search(r"\b_*vector_size_*\s*\(", spelling)
    if m is None:
        return None
    depth, k = 1, m.end()
    while k < len(spelling) and depth:
        depth += {"(": 1, ")": -1}.get(spelling[k], 0)
        k += 1
    text = spelling[m.end():k - 1]

    def size(mt: re.Match) -> str:
        n = _sizeof(ir.Named(mt.group(1).strip()))
        if n is None:
            raise ValueError(mt.group(1))
        return str(n)

    try:
        text = re.sub(r"sizeof\s*\(([^()]*)\)", size, text)
    except ValueError:
        return None
    if not re.fullmatch(r"[\d\s+*()]+", text):
        return None
    return int(eval(text, {"__builtins__": {}}))  # noqa: S307 - digits, +, * and parentheses only


def _elem_size(t: Optional[ir.CType]) -> Optional[int]:
    """Bytes of the elements a pointer or array type steps over (``void``: 1, as GNU C's
    pointer arithmetic)."""
    e = t.pointee if isinstance(t, ir.Pointer) else t.elem if isinstance(t, ir.Array) else None
    if isinstance(e, ir.Named) and e.name == "void":
        return 1
    return _sizeof(e)


def _elem_same(a: ir.CType, b: ir.CType) -> bool:
    ea = a.pointee if isinstance(a, ir.Pointer) else a.elem if isinstance(a, ir.Array) else None
    eb = b.pointee if isinstance(b, ir.Pointer) else b.elem if isinstance(b, ir.Array) else None
    if ea is None or eb is None:
        return False
    if isinstance(ea, ir.Named) and isinstance(eb, ir.Named):
        return ctype.same_type(ea, eb) or ea.name == eb.name
    return ea == eb


def _element_load(it) -> bool:
    """An intrinsic that reads one element through its pointer (``T __ldg(const T *)``)."""
    from ..dialects.base import bind

    for ov in it.overloads:
        if len(ov.params) != 1:
            return False
        for env in ov.instances:
            pt = ctype.parse_type(bind(ov.params[0].type, env))
            if not isinstance(pt, ir.Pointer) or not ctype.same_type(pt.pointee, ctype.parse_type(bind(ov.ret, env))):
                return False
    return True


def _has_continue(body: ir.Stmt) -> bool:
    def visit(s: ir.Node) -> bool:
        if isinstance(s, ir.Continue):
            return True
        if isinstance(s, (ir.For, ir.While, ir.DoWhile)):
            return False
        return any(visit(c) for c in s.children() if isinstance(c, ir.Stmt))

    return visit(body)


def _plain_write(a: Access) -> bool:
    """The access is the target of a plain ``=`` (not a compound update)."""
    for n in a.stmt.walk():
        if isinstance(n, ir.Assign) and n.target is a.node:
            return n.op == "="
    return False


def _loop_name(L: ir.For) -> Optional[str]:
    if isinstance(L.init, ir.Decl) and L.init.vars:
        return L.init.vars[0].name
    if isinstance(L.init, ir.ExprStmt) and isinstance(L.init.expr, ir.Assign) and isinstance(L.init.expr.target,
                                                                                           ir.Name):
        return L.init.expr.target.name
    return None


def _why_inexact(w: Witness) -> Iterator[str]:
    for acc in (w.source, w.sink):
        yield from acc.point.inexact
        if acc.approx:
            yield f"{acc.text} is a field of a larger element"
        if acc.conditional:
            yield f"{acc.text} is evaluated conditionally"


def _reduction_form(e: ir.Expr) -> Optional[tuple[str, list[ir.Expr]]]:
    """The op and the accumulator nodes (target, and its read in the value) of an update
    ``s op= e``, ``s = s op e``, ``s = e op s`` (op commutative), ``s = max(s, e)``,
    ``++s``, ``atomicAdd(&s, e)``."""
    if isinstance(e, ir.Assign):
        if e.op in _COMPOUND:
            return _COMPOUND[e.op], [e.target]
        if e.op == "=":
            v = e.value
            if isinstance(v, ir.Binary):
                if v.lhs == e.target and (v.op in _COMMUTATIVE or v.op == "-"):
                    return ("+" if v.op == "-" else v.op), [e.target, v.lhs]
                if v.rhs == e.target and v.op in _COMMUTATIVE:
                    return v.op, [e.target, v.rhs]
            if isinstance(v, ir.Call) and isinstance(v.callee, ir.Name) and len(v.args) == 2:
                op = _MINMAX.get(v.callee.name.split("::")[-1])
                if op is not None:
                    for arg in v.args:
                        if arg == e.target:
                            return op, [e.target, arg]
            if isinstance(v, ir.Call) and isinstance(v.callee, ir.Name) and len(v.args) == 3 \
                    and v.callee.name.split("::")[-1] in _FMA and v.args[2] == e.target:
                return "+", [e.target, v.args[2]]
            if isinstance(v, ir.Ternary) and isinstance(v.cond, ir.Binary) and v.cond.op in ("<", ">", "<=", ">="):
                # s = e > s ? e : s (max), s = e < s ? e : s (min), either operand order
                c = v.cond
                if {id(c.lhs), id(c.rhs)} and ((c.lhs == v.then and c.rhs == v.other)
                                               or (c.lhs == v.other and c.rhs == v.then)):
                    picks_lhs = c.lhs == v.then
                    greater = c.op in (">", ">=")
                    op = "max" if picks_lhs == greater else "min"
                    for arg in (v.then, v.other):
                        if arg == e.target:
                            other = v.other if arg is v.then else v.then
                            if other != e.target:
                                reads = [arg, c.lhs if c.lhs == e.target else c.rhs]
                                return op, [e.target] + reads
        return None
    if isinstance(e, ir.Unary) and e.op in ("++", "--"):
        return "+", [e.operand]
    if isinstance(e, ir.Call) and isinstance(e.callee, ir.Name):
        op = _ATOMICS.get(e.callee.name.split("::")[-1])
        if op is not None and e.args:
            t = e.args[0]
            if isinstance(t, ir.Unary) and t.op == "&":
                return op, [t.operand]
    return None
