"""Symbols and expression types: what a name refers to at a point of a function, and the
C type of an expression.

A :class:`Scope` is an immutable chain of frames (innermost first), so the scope in effect
at any statement is a value that can be kept: a declaration makes a new link, a block's
end drops back to its parent. The root frames hold the dialect's built-in variables
(``threadIdx``, ``taskId``...), then the file's functions and file-scope variables.
:class:`SymbolTable` resolves a whole function once and answers ``scope_at(node)``,
``resolve(name)`` and ``type_of(expr)`` for any node inside it (by identity: keep the tree
unchanged while using the table). :class:`ScopeStack` is the mutable form for printers
that walk a tree in order (what ``runtime/emit.py`` keeps as ``Scope``).

    __global__ void k(float *x, int n) {            table = SymbolTable(module.function("k"), module)
        int i = threadIdx.x;                        table.type_of(<threadIdx.x>) -> unsigned int
        { float i = 0.5f; x[0] = i; }               table.type_of(<i> in the block) -> float (shadowed)
        x[i] = n + 1u;                              table.type_of(<n + 1u>) -> unsigned int
    }                                               table.type_of(<x[i]>) -> float
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping, Optional

from .. import dialects, ir
from . import ctype

SIZE_T = ir.Named("size_t")
PTRDIFF_T = ir.Named("ptrdiff_t")

# CUDA/HIP vector types: members x, y, z, w have the element type
_VECTOR_ELEM = {"float": "float", "double": "double", "int": "int", "uint": "unsigned int", "char": "signed char",
                "uchar": "unsigned char", "short": "short", "ushort": "unsigned short", "long": "long",
                "ulong": "unsigned long", "longlong": "long long", "ulonglong": "unsigned long long"}


@dataclass
class Symbol:
    """A named entity visible in a scope. ``kind``: ``param``, ``local``, ``global``
    (file scope), ``builtin`` (a dialect's built-in variable), ``function``. ``type`` is
    None for functions (see ``decl.ret``) and for what is not known. ``space`` is the
    memory space of a variable (``shared``, ``nram``...). ``fields`` lists the members of
    a vector built-in (``("x", "y", "z")``)."""

    name: str
    type: Optional[ir.CType]
    kind: str
    space: str = "local"
    decl: Optional[ir.Node] = field(default=None, compare=False, repr=False)
    fields: tuple[str, ...] = ()

    @property
    def is_pointer(self) -> bool:
        return isinstance(self.type, ir.Pointer)

    @property
    def is_array(self) -> bool:
        return isinstance(self.type, ir.Array)

    @property
    def restrict(self) -> bool:
        return isinstance(self.type, ir.Pointer) and self.type.restrict


class Scope:
    """An immutable chain of frames: ``lookup`` searches the innermost first; ``child``
    and ``bind`` return new scopes and leave this one as it was. The dialect (for built-ins
    and intrinsic signatures) and the language (``c`` or ``c++``: the type of ``'a'`` and
    of comparisons) are inherited from the root."""

    __slots__ = ("symbols", "parent", "dialect", "language")

    def __init__(self, symbols: Optional[Mapping[str, Symbol]] = None, parent: Optional["Scope"] = None,
                 dialect: Optional[dialects.Dialect] = None, language: Optional[str] = None):
        self.symbols: dict[str, Symbol] = dict(symbols or {})
        self.parent = parent
        self.dialect = dialect if dialect is not None else (parent.dialect if parent else None)
        self.language = language or (parent.language if parent else "c++")

    def lookup(self, name: str) -> Optional[Symbol]:
        s: Optional[Scope] = self
        while s is not None:
            sym = s.symbols.get(name)
            if sym is not None:
                return sym
            s = s.parent
        return None

    def __contains__(self, name: str) -> bool:
        return self.lookup(name) is not None

    def bind(self, *symbols: Symbol) -> "Scope":
        """A new scope: this one plus ``symbols`` (shadowing outer ones of the same name)."""
        return Scope({s.name: s for s in symbols}, self)

    def child(self) -> "Scope":
        return Scope({}, self)

    def visible(self) -> dict[str, Symbol]:
        """Every visible name and the symbol it refers to."""
        chain = []
        s: Optional[Scope] = self
        while s is not None:
            chain.append(s)
            s = s.parent
        out: dict[str, Symbol] = {}
        for frame in reversed(chain):
            out.update(frame.symbols)
        return out


class ScopeStack:
    """The mutable form of :class:`Scope`, for a printer that walks a tree in order:
    ``push()`` at a block, ``add(name, what)`` at a declaration, ``get(name)`` to look up,
    ``pop()`` at the block's end. ``what`` may be a VarDecl, a Param, a CType or a Symbol.

        s = ScopeStack(builtin_scope("cuda")); s.push(); s.add("x", Pointer(Named("float")))
        s.get("x").type -> Pointer(...); s.pop(); s.get("x") -> None
    """

    def __init__(self, root: Optional[Scope] = None):
        self.scope = root or Scope()

    def push(self) -> None:
        self.scope = self.scope.child()

    def pop(self) -> None:
        assert self.scope.parent is not None, "pop() of the root scope"
        self.scope = self.scope.parent

    def add(self, name: str, what) -> None:
        self.scope.symbols[name] = _symbol(name, what)

    def get(self, name: str) -> Optional[Symbol]:
        return self.scope.lookup(name)


def _symbol(name: str, what, kind: str = "local") -> Symbol:
    if isinstance(what, Symbol):
        return what
    if isinstance(what, ir.VarDecl):
        return Symbol(name, what.type, kind, what.space, what)
    if isinstance(what, ir.Param):
        return Symbol(name, what.type, "param", "local", what)
    if isinstance(what, ir.Function):
        return Symbol(name, None, "function", decl=what)
    if isinstance(what, ir.CType) or what is None:
        return Symbol(name, what, kind)
    raise TypeError(f"cannot make a symbol of {type(what).__name__}")


# ----------------------------------------------------------------------------- root scopes
def builtin_scope(dialect: str | dialects.Dialect | None, language: Optional[str] = None) -> Scope:
    """The dialect's built-in variables: ``threadIdx`` (uint3), ``blockDim`` (dim3),
    ``taskId`` (int)..., from the dialect tables."""
    d = dialects.get(dialect) if isinstance(dialect, str) else dialect
    syms = {}
    if d is not None:
        for name, bv in d.builtin_vars.items():
            syms[name] = Symbol(name, ctype.parse_type(bv.type), "builtin", decl=None, fields=bv.fields)
    return Scope(syms, None, d, language or (d.language if d is not None else "c++"))


def module_scope(module: ir.Module) -> Scope:
    """Built-ins, then the file's functions and file-scope variables."""
    root = builtin_scope(module.dialect, module.language or None)
    syms: dict[str, Symbol] = {}
    for item in module.items:
        if isinstance(item, ir.Function):
            prev = syms.get(item.name)
            if prev is None or item.body is not None:  # the definition wins over a declaration
                syms[item.name] = _symbol(item.name, item)
        elif isinstance(item, ir.Decl):
            for v in item.vars:
                syms[v.name] = Symbol(v.name, v.type, "global", v.space, v)
    return Scope(syms, root)


# ----------------------------------------------------------------------------- the table
class SymbolTable:
    """Every name of a function resolved, and the scope at every node.

    ``SymbolTable(f, module)`` walks ``f`` once. Declarations take effect after their
    declarator (``int x = x;`` reads the new ``x``, as in C), a block's declarations end
    with it, a ``for``'s declarations cover its condition, step and body, and a
    parameter is visible in the whole body. Without a module, only the dialect's
    built-ins (``dialect``, default ``module``'s or none) are the root.
    """

    def __init__(self, function: ir.Function, module: Optional[ir.Module] = None,
                 dialect: Optional[str] = None, root: Optional[Scope] = None):
        self.function = function
        if root is None:
            root = module_scope(module) if module is not None else builtin_scope(dialect)
        self.root = root
        self._scope: dict[int, Scope] = {}
        self._resolved: dict[int, Optional[Symbol]] = {}
        self.declarations: list[Symbol] = []  # parameters and locals, in order
        self._by_decl: dict[int, Symbol] = {}
        params = []
        for p in function.params:
            sym = _symbol(p.name, p)
            params.append(sym)
            self._declare(sym, p)
        scope = root.bind(*params) if params else root.child()
        self._scope[id(function)] = scope
        if function.body is not None:
            self._stmt(function.body, scope)

    # -------------------------------------------------------------- queries
    def scope_at(self, node: ir.Node) -> Scope:
        """The scope in effect at ``node`` (a statement or an expression of the function)."""
        s = self._scope.get(id(node))
        if s is None:
            raise ValueError(f"{type(node).__name__} is not a node of function {self.function.name}")
        return s

    def resolve(self, name: ir.Name) -> Optional[Symbol]:
        """The symbol ``name`` refers to, or None (an enumerator, a function of another
        file, a name the table cannot see)."""
        if id(name) in self._resolved:
            return self._resolved[id(name)]
        return self.scope_at(name).lookup(name.name)

    def symbol_of(self, decl: ir.Node) -> Optional[Symbol]:
        """The symbol a VarDecl or Param declares."""
        return self._by_decl.get(id(decl))

    def type_of(self, expr: ir.Expr) -> Optional[ir.CType]:
        """The C type of ``expr`` where it stands in the function (see :func:`type_of`)."""
        return type_of(expr, self.scope_at(expr))

    def __contains__(self, node: ir.Node) -> bool:
        return id(node) in self._scope

    # -------------------------------------------------------------- the walk
    def _declare(self, sym: Symbol, decl: ir.Node) -> None:
        self.declarations.append(sym)
        self._by_decl[id(decl)] = sym

    def _var(self, v: ir.VarDecl, scope: Scope) -> Scope:
        self._scope[id(v)] = scope
        sym = Symbol(v.name, v.type, "local", v.space, v)
        self._declare(sym, v)
        scope = scope.bind(sym)
        self._type(v.type, scope)
        if v.init is not None:
            self._expr(v.init, scope)
        return scope

    def _type(self, t: Optional[ir.CType], scope: Scope) -> None:
        # array sizes are expressions (``float a[n]``)
        while isinstance(t, (ir.Array, ir.Pointer, ir.Reference)):
            if isinstance(t, ir.Array) and t.size is not None:
                self._expr(t.size, scope)
            t = t.elem if isinstance(t, ir.Array) else t.pointee

    def _stmt(self, s: ir.Stmt, scope: Scope) -> Scope:
        """Walk ``s``; returns the scope after it (a declaration extends it)."""
        self._scope[id(s)] = scope
        if isinstance(s, ir.Block):
            inner = scope.child()
            for x in s.stmts:
                inner = self._stmt(x, inner)
            return scope
        if isinstance(s, ir.Decl):
            for v in s.vars:
                scope = self._var(v, scope)
            return scope
        if isinstance(s, ir.For):
            inner = scope.child()
            if s.init is not None:
                inner = self._stmt(s.init, inner)
            for e in (s.cond, s.step):
                if e is not None:
                    self._expr(e, inner)
            self._stmt(s.body, inner)
            return scope
        if isinstance(s, ir.If):
            inner = scope
            if s.decl is not None:
                inner = self._var(s.decl, scope.child())
            self._expr(s.cond, inner)
            self._stmt(s.then, inner.child())
            if s.other is not None:
                self._stmt(s.other, inner.child())
            return scope
        if isinstance(s, ir.While):
            self._expr(s.cond, scope)
            self._stmt(s.body, scope.child())
            return scope
        if isinstance(s, ir.DoWhile):
            self._stmt(s.body, scope.child())
            self._expr(s.cond, scope)
            return scope
        if isinstance(s, ir.Switch):
            self._expr(s.cond, scope)
            self._stmt(s.body, scope.child())
            return scope
        for c in s.children():
            if isinstance(c, ir.Expr):
                self._expr(c, scope)
            elif isinstance(c, ir.Stmt):
                self._stmt(c, scope)
        return scope

    def _expr(self, e: ir.Node, scope: Scope) -> None:
        stack = [e]
        while stack:
            n = stack.pop()
            self._scope[id(n)] = scope
            if isinstance(n, ir.Name):
                self._resolved[id(n)] = scope.lookup(n.name)
            stack.extend(n.children())


# ----------------------------------------------------------------------------- types
def type_of(e: ir.Expr, scope: Scope) -> Optional[ir.CType]:
    """The C type of ``e`` in ``scope``, or None where it cannot be known (a struct
    member, an unknown function, an enumerator).

    Follows C: literals by spelling (``1u`` unsigned int, ``1.0f`` float, ``2147483648``
    long), integer promotions and the usual arithmetic conversions (``int + unsigned`` ->
    unsigned int, ``int * long`` -> long, ``short + short`` -> int), shifts take the
    promoted left operand's type, comparisons and logical operators give ``int`` in C and
    ``bool`` in C++, pointer arithmetic (``p + i`` -> p's pointer type, ``p - q`` ->
    ptrdiff_t), ``a[i]`` the element type of a pointer or array, ``threadIdx.x`` unsigned
    int, ``float4`` members float, casts their type, calls their return type (a user
    function's, or the dialect table's overload chosen by the argument types). ``&e`` is
    a pointer even when ``e``'s type is unknown (to ``void``), as the emulator needs.
    """
    if isinstance(e, ir.IntLit):
        return ctype.int_literal_type(e).ctype()
    if isinstance(e, ir.FloatLit):
        return ctype.float_literal_type(e)
    if isinstance(e, ir.BoolLit):
        return ir.Named("bool")
    if isinstance(e, ir.CharLit):
        return ir.Named("int" if scope.language == "c" else "char")
    if isinstance(e, ir.StringLit):
        return ir.Pointer(ir.Named("char", const=True))
    if isinstance(e, ir.Name):
        sym = scope.lookup(e.name)
        if sym is None:
            return ir.Named("int") if e.kind == "enum" else None
        return sym.type
    if isinstance(e, ir.Cast):
        return e.type
    if isinstance(e, ir.SizeOf):
        return SIZE_T
    if isinstance(e, ir.Index):
        t = _decay(type_of(e.base, scope))
        if isinstance(t, ir.Pointer):
            return t.pointee
        if ctype.int_type(t) is not None:  # i[p] is p[i]
            u = _decay(type_of(e.index, scope))
            return u.pointee if isinstance(u, ir.Pointer) else None
        return None
    if isinstance(e, ir.Member):
        return _member_type(e, scope)
    if isinstance(e, ir.Unary):
        return _unary_type(e, scope)
    if isinstance(e, ir.Binary):
        return _binary_type(e, scope)
    if isinstance(e, ir.Assign):
        return _unref(type_of(e.target, scope))
    if isinstance(e, ir.Ternary):
        a, b = type_of(e.then, scope), type_of(e.other, scope)
        if ctype.is_arithmetic(a) and ctype.is_arithmetic(b):
            return ctype.arithmetic(a, b)
        return a if a is not None else b
    if isinstance(e, ir.Call):
        return _call_type(e, scope)
    return None  # InitList, Launch, OpaqueExpr


def _unref(t: Optional[ir.CType]) -> Optional[ir.CType]:
    return t.pointee if isinstance(t, ir.Reference) else t


def _decay(t: Optional[ir.CType]) -> Optional[ir.CType]:
    """Arrays decay to pointers to their element; references to their referent."""
    t = _unref(t)
    if isinstance(t, ir.Array):
        return ir.Pointer(t.elem)
    return t


def _logical(scope: Scope) -> ir.Named:
    return ir.Named("int" if scope.language == "c" else "bool")


def _unary_type(e: ir.Unary, scope: Scope) -> Optional[ir.CType]:
    if e.op == "&":
        inner = _unref(type_of(e.operand, scope))
        return ir.Pointer(inner if inner is not None else ir.Named("void"))
    t = _unref(type_of(e.operand, scope))
    if e.op == "*":
        t = _decay(t)
        return t.pointee if isinstance(t, ir.Pointer) else None
    if e.op == "!":
        return _logical(scope)
    if e.op in ("++", "--"):
        return t
    if e.op in ("-", "+", "~"):
        return ctype.promote(t) if ctype.is_arithmetic(t) else (t if e.op == "+" else None)
    return None


def _binary_type(e: ir.Binary, scope: Scope) -> Optional[ir.CType]:
    op = e.op
    if op == ",":
        return type_of(e.rhs, scope)
    if op in ("<", ">", "<=", ">=", "==", "!=", "&&", "||"):
        return _logical(scope)
    a, b = _decay(type_of(e.lhs, scope)), _decay(type_of(e.rhs, scope))
    if op in ("+", "-"):
        if isinstance(a, ir.Pointer) and isinstance(b, ir.Pointer) and op == "-":
            return PTRDIFF_T
        if isinstance(a, ir.Pointer):
            return a
        if isinstance(b, ir.Pointer) and op == "+":
            return b
    if op in ("<<", ">>"):
        return ctype.promote(a) if ctype.int_type(a) is not None else None
    return ctype.arithmetic(a, b)


def _member_type(e: ir.Member, scope: Scope) -> Optional[ir.CType]:
    base = _unref(type_of(e.base, scope))
    if e.arrow:
        base = _decay(base)
        base = base.pointee if isinstance(base, ir.Pointer) else None
    if not isinstance(base, ir.Named):
        return None
    name = base.name.replace("const ", "").strip()
    if name in ("dim3", "uint3") and e.member in ("x", "y", "z"):
        return ir.Named("unsigned int")
    if name == "cnrtDim3_t" and e.member in ("x", "y", "z"):
        return ir.Named("unsigned int")
    if e.member in ("x", "y", "z", "w"):
        prefix = name.rstrip("1234")
        if name.startswith(("half2", "__half2")):
            return ir.Named("__half" if name.startswith("__") else "half")
        if name.startswith(("__nv_bfloat162", "nv_bfloat162")):
            return ir.Named("__nv_bfloat16")
        if prefix in _VECTOR_ELEM and prefix != name:
            return ir.Named(_VECTOR_ELEM[prefix])
    return None


def _call_type(e: ir.Call, scope: Scope) -> Optional[ir.CType]:
    if not isinstance(e.callee, ir.Name):
        return None
    name = e.callee.name
    sym = scope.lookup(name)
    if sym is not None and sym.kind == "function" and isinstance(sym.decl, ir.Function):
        return sym.decl.ret
    short = name.split("::")[-1]
    if short in ("dim3", "uint3", "cnrtDim3_t"):
        return ir.Named(short)
    d = scope.dialect
    it = d.intrinsic(name) if d is not None else None
    if it is None:
        return None
    args = [_unref(type_of(a, scope)) for a in e.args]
    return intrinsic_return(it, args)


def intrinsic_return(it, args: list[Optional[ir.CType]]) -> Optional[ir.CType]:
    """The return type of a call to intrinsic ``it`` with arguments of types ``args``:
    the overload instance whose parameter types match the most arguments exactly (ignoring
    qualifiers and typedef spellings), among those that take this many arguments. When the
    argument types decide nothing, the return type shared by every candidate, else None.

        fmaxf(float, float) -> float; max(int, unsigned int) -> unsigned int
        __shfl_sync(unsigned, float, int, int) -> float   (T bound to float)
    """
    from ..dialects.base import bind

    best: Optional[tuple[int, int]] = None
    best_ret: Optional[str] = None
    rets: set[str] = set()
    order = 0
    for ov in it.overloads:
        required = sum(1 for p in ov.params if p.default is None)
        if not (required <= len(args) <= len(ov.params)):
            continue
        for env in ov.instances:
            order += 1
            ret = bind(ov.ret, env)
            rets.add(ret)
            score = 0
            for a, p in zip(args, ov.params):
                pt = ctype.parse_type(bind(p.type, env))
                if a is not None and ctype.same_type(_decay(a), _decay(pt)):
                    score += 1
            key = (score, -order)
            if best is None or key > best:
                best, best_ret = key, ret
    if best is None:
        return None
    if best[0] == 0:
        return ctype.parse_type(rets.pop()) if len(rets) == 1 else None
    return ctype.parse_type(best_ret) if best_ret is not None else None


def names(e: ir.Node) -> Iterator[ir.Name]:
    """The Name nodes inside ``e`` (callee names of calls excluded)."""
    stack = [e]
    while stack:
        n = stack.pop()
        if isinstance(n, ir.Call):
            stack.extend(n.args)
            if not isinstance(n.callee, ir.Name):
                stack.append(n.callee)
            continue
        if isinstance(n, ir.Name):
            yield n
        stack.extend(n.children())


def declared_in(node: ir.Node) -> Iterable[ir.VarDecl]:
    """Every VarDecl inside ``node`` (its own declarations and nested ones)."""
    for n in node.walk():
        if isinstance(n, ir.VarDecl):
            yield n
