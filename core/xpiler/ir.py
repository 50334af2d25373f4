"""The kernel IR: a small C-level AST that every dialect parses into and prints from.

It models what kernels are made of -- functions with qualifiers and launch bounds,
declarations in memory spaces, structured control flow, expressions, intrinsic calls,
launches, pragmas and comments -- and nothing more. A construct it does not model is
kept verbatim in an ``Opaque*`` node, so printing never silently drops code.

Every node carries ``span``, the source range it came from (``None`` for nodes a pass
made from nothing), and ``origin``, the pass that made it. Both are excluded from
equality: two trees are equal when they print the same program.

Dialect-specific spellings do not live here. A function has an abstract ``kind``
(``kernel``, ``device``, ``host``, ``host_device``), a variable a memory ``space``
(``shared``, ``nram``...); the dialect modules map them to keywords.

    __global__ void k(float *x) { __shared__ float s[256]; ... }
    -> Function(kind="kernel", name="k", params=[Param("x", Pointer(Named("float")))],
                body=Block([Decl([VarDecl("s", Array(Named("float"), IntLit(256)),
                                          space="shared")]), ...]))
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional, Union


class Span:
    """A source range: 1-based lines and columns (end column exclusive) and byte offsets.

    Built by the front end from byte offsets and the file's line index; lines and columns
    are computed when first asked for (most spans are never looked at).
    """

    __slots__ = ("offset", "end_offset", "_index", "_pos")

    def __init__(self, line: int = 0, col: int = 0, end_line: int = 0, end_col: int = 0,
                 offset: int = -1, end_offset: int = -1, index=None):
        self.offset = offset
        self.end_offset = end_offset
        self._index = index
        self._pos = None if index is not None else (line, col, end_line, end_col)

    def _positions(self) -> tuple[int, int, int, int]:
        if self._pos is None:
            line, col = self._index.position(self.offset)
            end_line, end_col = self._index.position(self.end_offset)
            self._pos = (line, col, end_line, end_col)
        return self._pos

    line = property(lambda self: self._positions()[0])
    col = property(lambda self: self._positions()[1])
    end_line = property(lambda self: self._positions()[2])
    end_col = property(lambda self: self._positions()[3])

    def contains_line(self, line: int) -> bool:
        return self.line <= line <= self.end_line

    def __repr__(self) -> str:
        return f"Span({self.line}:{self.col}-{self.end_line}:{self.end_col})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Span) and self._positions() == other._positions()

    def __hash__(self) -> int:
        return hash(self._positions())


def _meta():
    return field(default=None, compare=False, repr=False, kw_only=True)


@dataclass
class Node:
    """Base of every IR node."""

    span: Optional[Span] = _meta()
    origin: Optional[str] = _meta()  # name of the pass that made this node, None if parsed

    def children(self) -> Iterator["Node"]:
        """The direct child nodes, in field order."""
        for name in _child_fields(type(self)):
            v = getattr(self, name)
            if isinstance(v, Node):
                yield v
            elif isinstance(v, list):
                for x in v:
                    if isinstance(x, Node):
                        yield x

    def walk(self) -> Iterator["Node"]:
        """This node and all its descendants, pre-order."""
        stack = [self]
        while stack:
            n = stack.pop()
            yield n
            stack.extend(reversed(list(n.children())))


_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    """Names of the compared fields of a node class (cached: walks are hot)."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.compare)
    return names


# ----------------------------------------------------------------------------- types
@dataclass
class CType(Node):
    """Base of C types. Types compare structurally, spelling included."""


@dataclass
class Named(CType):
    """A type by name: ``float``, ``unsigned int``, ``int8_t``, ``half``, ``__m512i``,
    ``dim3``, ``wmma::fragment<...>``. ``canonical`` is clang's canonical spelling
    (``signed char`` for ``int8_t``) when known."""

    name: str
    const: bool = False
    volatile: bool = False
    canonical: Optional[str] = field(default=None, compare=False)


@dataclass
class Pointer(CType):
    pointee: CType
    const: bool = False
    volatile: bool = False
    restrict: bool = False


@dataclass
class Reference(CType):
    """C++ reference ``T &`` (host and device helper parameters)."""

    pointee: CType


@dataclass
class Array(CType):
    """``elem[size]``; ``size`` is None for ``extern __shared__ float s[]``."""

    elem: CType
    size: Optional["Expr"] = None


# ----------------------------------------------------------------------------- expressions
@dataclass
class Expr(Node):
    pass


@dataclass
class IntLit(Expr):
    value: int
    text: str = ""  # spelling, suffix included ("256u", "0x10"); derived from value if empty

    def __post_init__(self):
        if not self.text:
            self.text = str(self.value)


@dataclass
class FloatLit(Expr):
    value: float
    text: str = ""  # spelling ("1.0f", "1e-5"); derived from value if empty

    def __post_init__(self):
        if not self.text:
            self.text = repr(float(self.value))


@dataclass
class BoolLit(Expr):
    value: bool


@dataclass
class CharLit(Expr):
    text: str  # with quotes


@dataclass
class StringLit(Expr):
    text: str  # with quotes, adjacent literals joined by a space


@dataclass
class Name(Expr):
    """A reference to a variable, parameter, function, enumerator or built-in; qualified
    names keep their qualifier (``wmma::mem_row_major``, ``std::max``)."""

    name: str
    kind: Optional[str] = field(default=None, compare=False)  # param, local, global, function, enum, builtin


@dataclass
class Unary(Expr):
    op: str  # - + ! ~ * & ++ --
    operand: Expr
    postfix: bool = False


@dataclass
class Binary(Expr):
    op: str  # * / % + - << >> < > <= >= == != & ^ | && || ,
    lhs: Expr
    rhs: Expr


@dataclass
class Assign(Expr):
    op: str  # = += -= *= /= %= <<= >>= &= ^= |=
    target: Expr
    value: Expr


@dataclass
class Ternary(Expr):
    cond: Expr
    then: Expr
    other: Expr


@dataclass
class Cast(Expr):
    type: CType
    operand: Expr
    style: str = "c"  # c, static, reinterpret, const, dynamic, functional, compound ((T){...})


@dataclass
class Call(Expr):
    """A call. ``callee`` is usually a Name; intrinsic calls are Calls too (the dialect
    module says which names are intrinsics)."""

    callee: Expr
    args: list[Expr] = field(default_factory=list)


@dataclass
class Index(Expr):
    base: Expr
    index: Expr


@dataclass
class Member(Expr):
    base: Expr
    member: str
    arrow: bool = False


@dataclass
class SizeOf(Expr):
    """``sizeof(type)`` or ``sizeof expr``; op may be ``alignof``."""

    arg: Union[CType, Expr]
    op: str = "sizeof"


@dataclass
class InitList(Expr):
    items: list[Expr] = field(default_factory=list)


@dataclass
class Launch(Expr):
    """A kernel launch from host code: ``k<<<grid, block, shared, stream>>>(args)``
    (style ``chevron``) or ``hipLaunchKernelGGL(k, grid, block, shared, stream, args)``
    (style ``hip``)."""

    kernel: Expr
    config: list[Expr]
    args: list[Expr] = field(default_factory=list)
    style: str = "chevron"


@dataclass
class OpaqueExpr(Expr):
    """An expression the IR does not model (lambda, new, ...), kept verbatim."""

    text: str


# ----------------------------------------------------------------------------- statements
@dataclass
class Stmt(Node):
    # The statement is preceded by a blank line, and followed on its line by a comment.
    blank_before: bool = field(default=False, kw_only=True)
    trailing: Optional[str] = field(default=None, kw_only=True)


@dataclass
class VarDecl(Node):
    """One declared variable. ``space`` is its memory space (dialect-neutral name:
    local, shared, constant, global, nram, wram, sram, ldram, gdram); ``specifiers``
    keeps ``static``, ``extern``, ``constexpr``, ``register``, ``thread_local``.
    ``init_style`` is ``=`` (copy), ``()`` (direct, as in ``dim3 g(8)``) or ``{}``."""

    name: str
    type: CType
    init: Optional[Expr] = None
    space: str = "local"
    specifiers: list[str] = field(default_factory=list)
    init_style: str = "="
    attrs: list[str] = field(default_factory=list)  # verbatim extra attributes (__align__(16))


@dataclass
class Decl(Stmt):
    """A declaration statement: ``float a = 0, *p;`` is one Decl of two VarDecls."""

    vars: list[VarDecl]


@dataclass
class ExprStmt(Stmt):
    expr: Expr


@dataclass
class Block(Stmt):
    stmts: list[Stmt] = field(default_factory=list)


@dataclass
class If(Stmt):
    """``if (cond) then else other``; with ``decl`` it is C++'s ``if (T x = init)`` and
    ``cond`` is the declared variable."""

    cond: Expr
    then: Stmt
    other: Optional[Stmt] = None
    decl: Optional["VarDecl"] = None


@dataclass
class LoopInfo:
    """How a loop runs. ``kind``: serial, parallel (OpenMP or a recovered parallel
    variable), unrolled, vectorized, bound (to ``axis``, e.g. ``threadIdx.x``)."""

    kind: str = "serial"
    axis: Optional[str] = None
    factor: Optional[int] = None


@dataclass
class For(Stmt):
    init: Optional[Stmt]  # a Decl or an ExprStmt
    cond: Optional[Expr]
    step: Optional[Expr]
    body: Stmt
    pragmas: list[str] = field(default_factory=list)  # "#pragma unroll 4", verbatim
    info: LoopInfo = field(default_factory=LoopInfo, compare=False)


@dataclass
class While(Stmt):
    cond: Expr
    body: Stmt
    pragmas: list[str] = field(default_factory=list)


@dataclass
class DoWhile(Stmt):
    body: Stmt
    cond: Expr
    pragmas: list[str] = field(default_factory=list)


@dataclass
class Switch(Stmt):
    cond: Expr
    body: Stmt


@dataclass
class Case(Stmt):
    """A ``case value:`` label (``value`` None for ``default:``); the labelled statements
    follow it in the enclosing block."""

    value: Optional[Expr] = None


@dataclass
class Break(Stmt):
    pass


@dataclass
class Continue(Stmt):
    pass


@dataclass
class Return(Stmt):
    value: Optional[Expr] = None


@dataclass
class Empty(Stmt):
    """The null statement ``;``."""


@dataclass
class Pragma(Stmt):
    text: str  # the whole line, "#pragma ..."


@dataclass
class Comment(Stmt):
    text: str  # with its delimiters: "// ..." or "/* ... */"


@dataclass
class Directive(Stmt):
    """A preprocessor line other than a pragma (``#define``, ``#include``, ``#if``...),
    verbatim; continuation lines included."""

    text: str


@dataclass
class OpaqueStmt(Stmt):
    """A statement the IR does not model (goto, label, asm...), kept verbatim."""

    text: str


# ----------------------------------------------------------------------------- top level
@dataclass
class Param(Node):
    name: str
    type: CType
    default: Optional[Expr] = None


@dataclass
class Function(Stmt):
    """A function: a kernel (``__global__``, ``__mlu_global__``, or in C/VNNI a function
    the file exports), a device helper, a host function, or a declaration (body None).

    ``annotations`` holds the ``// xpiler: KEY VALUE`` comments written above it
    (``launch``, ``args``); the printer writes them back.
    """

    name: str
    ret: CType
    params: list[Param] = field(default_factory=list)
    body: Optional[Block] = None
    kind: str = "host"  # kernel, device, host, host_device
    specifiers: list[str] = field(default_factory=list)  # static, inline, __forceinline__, ...
    extern_c: bool = False
    launch_bounds: list[Expr] = field(default_factory=list)
    template: Optional[str] = None  # "template <int BLOCK>", verbatim
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def is_kernel(self) -> bool:
        return self.kind == "kernel"


@dataclass
class OpaqueTop(Stmt):
    """A top-level construct the IR does not model (struct, typedef, namespace, using,
    class template...), kept verbatim."""

    text: str


TopItem = Union[Function, Decl, Directive, Comment, Pragma, OpaqueTop]


@dataclass
class Module(Node):
    """A parsed source file."""

    dialect: str
    items: list[Stmt] = field(default_factory=list)
    path: Optional[str] = field(default=None, compare=False)
    diagnostics: list = field(default_factory=list, compare=False)  # list[Diagnostic]
    language: str = field(default="", compare=False)  # how it was parsed: cuda, c++, c
    cache: dict = field(default_factory=dict, compare=False, repr=False)  # derived facts (summary...)

    @property
    def functions(self) -> list[Function]:
        return [i for i in self.items if isinstance(i, Function)]

    @property
    def kernels(self) -> list[Function]:
        return [f for f in self.functions if f.is_kernel and f.body is not None]

    def function(self, name: str) -> Optional[Function]:
        """The definition of ``name`` (a declaration only if there is no definition)."""
        found = None
        for f in self.functions:
            if f.name == name:
                if f.body is not None:
                    return f
                found = found or f
        return found


# ----------------------------------------------------------------------------- rewriting
def clone(node: "Node") -> "Node":
    """A private copy of ``node`` (the one transformer with nothing to change)."""
    return transform(node, lambda n: None)


class TransformError(TypeError):
    """A rewrite function returned something that cannot stand where it was put."""


def transform(node: Node, fn: Callable[..., Any], *, origin: Optional[str] = None, with_original: bool = False) -> Node:
    """The one rewriting discipline: a fresh copy of ``node``, rebuilt bottom-up, with ``fn``
    called on every copied node after its children.

    ``fn(new)`` (or ``fn(new, old)`` with ``with_original``, ``old`` being the node of the
    input tree it copies) returns None to keep ``new`` (which it may have edited in place:
    it is a private copy), a replacement node, or -- where a statement stands -- a list of
    statements: spliced into a statement list, wrapped in a ``Block`` in a single
    statement slot (``If.then``, ``For.body``), ``[]`` deletes the statement. A list where an
    expression stands raises :class:`TransformError`.

    The result shares nothing mutable with the input (``LoopInfo``, annotation dicts, pragma
    lists are copied; a ``Module`` gets an empty ``cache`` and a copy of its diagnostics),
    so the input stays valid and derived facts are recomputed. Spans are kept on every
    copied node; nodes ``fn`` made (not copies of input nodes) get ``origin`` set to
    ``origin`` (the pass name) unless they already carry one, and, lacking a span, the span
    of the nearest enclosing node that has one (the source the new code stands in for).

        before:  for (int i = 0; i < n; ++i) y[i] = x[i];
        transform(f, lambda n: ir.Name("z") if isinstance(n, ir.Name) and n.name == "y" else None,
                  origin="rename")
        after:   for (int i = 0; i < n; ++i) z[i] = x[i];     (the new Name has origin "rename")
    """
    inputs: set[int] = {id(n) for n in node.walk()}  # the input's nodes and (below) their copies

    def visit(n: Node, slot: str) -> Any:
        changes = {}
        for f in dataclasses.fields(n):
            v = getattr(n, f.name)
            if not f.compare:
                if f.name == "cache":
                    changes[f.name] = {}
                elif isinstance(v, (list, dict, LoopInfo)):
                    changes[f.name] = copy.copy(v)
                continue
            if isinstance(v, Node):
                # a For's init must stay one Decl/ExprStmt: a list there is an error, not a Block
                one = isinstance(v, Stmt) and not (isinstance(n, For) and f.name == "init")
                changes[f.name] = visit(v, "stmt" if one else "node")
            elif isinstance(v, list):
                changes[f.name] = visit_list(v)
            elif isinstance(v, dict):
                changes[f.name] = dict(v)
        new = dataclasses.replace(n, **changes)
        inputs.add(id(new))
        r = fn(new, n) if with_original else fn(new)
        if r is None:
            return new
        if isinstance(r, list):
            if slot == "node":
                raise TransformError(f"{type(n).__name__} replaced by a list where one {type(n).__name__} must stand")
            if not all(isinstance(x, Stmt) for x in r):
                raise TransformError("a statement was replaced by a list holding a non-statement")
            if slot == "list":
                return r  # spliced by visit_list
            if len(r) == 1:
                return r[0]
            if not r:
                return Empty(span=n.span, origin=origin)
            b = Block(list(r), span=n.span)
            b.origin = origin
            return b
        for kind in (Stmt, Expr, CType):
            if isinstance(n, kind) and not isinstance(r, kind):
                raise TransformError(f"{type(n).__name__} replaced by a {type(r).__name__}: a {kind.__name__} must stand there")
        return r

    def visit_list(items: list) -> list:
        out: list = []
        for x in items:
            if not isinstance(x, Node):
                out.append(copy.copy(x) if isinstance(x, (list, dict)) else x)
                continue
            r = visit(x, "list" if isinstance(x, Stmt) else "node")
            if isinstance(r, list):
                out.extend(r)
            else:
                out.append(r)
        return out

    out = visit(node, "stmt" if isinstance(node, Stmt) else "node")
    # What fn made (returned, or assigned into a copy) is the pass's: it gets ``origin`` and,
    # lacking a span, the span of the node it stands in (so findings and provenance point
    # at the source lines it came from).
    stack: list[tuple[Node, Optional[Span]]] = [(out, out.span)]
    while stack:
        n, parent_span = stack.pop()
        if id(n) not in inputs:
            if n.origin is None:
                n.origin = origin
            if n.span is None:
                n.span = parent_span
        stack.extend((c, n.span or parent_span) for c in n.children())
    return out
