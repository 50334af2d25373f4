"""IR to the C++ the CPU emulation compiles: the kernel file, instrumented.

``EmuPrinter`` prints a module for g++ on top of the runtime headers:

- every statement first records its source line (``XP_LINE(n)``) and carries a ``#line``
  directive, so findings and compiler errors point at the user's lines;
- every access through a pointer or to an on-chip array is a checked access
  (``XP_RD(a, i)``, ``XP_WR(a, i)``, ``XP_RW(a, i)``, ``XP_DRD(p)``...): bounds, reads of
  never-written memory, races and the access trace all hang off these. An access covers
  exactly the bytes of what it names: an on-chip variable used as a whole (a struct or
  vector assigned or read: ``acc = r`` -> ``XP_DWR(&acc) = XP_DRD(&r)``), a member of
  a struct in memory (``r.b``, ``p->b`` -> ``XP_DWR(&r.b)``, not the whole struct), an
  element of an array member or a lane of a vector in memory (``r.a[i]``, ``v[i]`` ->
  ``XP_IWR(r.a, i)``, resolved by type in the runtime); a struct passed to a function
  that takes it by reference, a method call and a bit-field are left to the callee /
  unchecked;
- on-chip declarations become per-block (CUDA ``__shared__``) or per-core/per-cluster
  (BANG ``__nram__``, ``__wram__``, ``__mlu_shared__``) storage from the runtime;
- launches call the runtime's scheduler; dialect qualifiers disappear;
- functions whose names clash with the C library or an intrinsic are renamed.

    __global__ void k(float *x, int n) { int i = threadIdx.x; if (i < n) x[i] += 1; }
    ->
    void k(float *x, int n) {
    #line 1 "k.cu"
        XP_LINE(1); int i = threadIdx.x;
        XP_LINE(1); if (i < n) { XP_LINE(1); XP_RW(x, i) += 1; }
    }
"""
from __future__ import annotations

import dataclasses
import re
from typing import Optional

from .. import dialects, ir
from ..dialects.prelude import KNOWN_HEADERS
from ..analysis.symbols import ScopeStack, module_scope, type_of
from ..printer import Printer, _POSTFIX, _UNARY

_EXT_VECTOR = re.compile(r"typedef\s+(?P<t>[\w\s]+?)\s+(?P<n>\w+)\s*__attribute__\s*\(\(\s*ext_vector_type\s*\(\s*"
                         r"(?P<k>[^)]+?)\s*\)\s*\)\)")
ON_CHIP = {"shared": "SHARED", "nram": "NRAM", "wram": "WRAM", "sram": "SRAM", "ldram": "LDRAM"}
RD, WR, RW, NONE = "RD", "WR", "RW", None


class EmuPrinter(Printer):
    def __init__(self, module: ir.Module, *, path: str, rename: dict[str, str], lines: bool = True,
                 checks: bool = True):
        super().__init__("c", "c++")
        self.src = dialects.get(module.dialect)
        self.path = path
        self.rename = rename
        self.lines = lines  # XP_LINE before statements (off inside intrinsic bodies)
        self.checks = checks
        self.scope = ScopeStack(module_scope(module))  # the one symbol table (analysis/symbols.py)
        self.mode: Optional[str] = RD
        self.decl_id = 0
        self.globals_onchip: dict[str, ir.VarDecl] = {}
        self.arities = _arities(module)
        self.bitfields = _bitfields(module)  # member names declared as bit-fields (no address)
        self.functions: dict[str, list[ir.Function]] = {}
        for f in module.functions:
            self.functions.setdefault(f.name, []).append(f)
        self.defaults_given: dict[tuple, set[int]] = {}  # parameters given a default, per function

    # ------------------------------------------------------------------ module
    def module(self, m: ir.Module) -> str:
        out: list[str] = []
        for item in m.items:
            out.extend(self.top(item))
        return "\n".join(out) + "\n"

    def top(self, item: ir.Stmt) -> list[str]:
        if isinstance(item, ir.Comment):
            return []
        if isinstance(item, ir.OpaqueTop) and "ext_vector_type" in item.text:
            # clang's ext_vector_type is unknown to g++ (it would make the typedef a scalar)
            return self._line(item) + _EXT_VECTOR.sub(
                lambda m: f"typedef {m['t']} {m['n']} __attribute__((vector_size(({m['k']}) * sizeof({m['t']}))))",
                item.text).split("\n")
        if isinstance(item, ir.Directive):
            return self.directive(item)
        if isinstance(item, ir.Decl):
            return self._line(item) + self.file_decl(item)
        if isinstance(item, ir.Function):
            return self.function(item)
        return self._line(item) + super().top(item)

    def directive(self, d: ir.Directive) -> list[str]:
        import re

        m = re.match(r'\s*#\s*include\s*[<"]([^>"]+)[>"]', d.text)
        if m and (m.group(1) in KNOWN_HEADERS or m.group(1).endswith(("intrin.h",))):
            return []  # the runtime headers stand in for the platform headers
        return d.text.split("\n")

    def _line(self, node: ir.Node) -> list[str]:
        if node.span is None:
            return []
        return [f'#line {node.span.line} "{self.path}"']

    # ------------------------------------------------------------------ functions
    def function(self, f: ir.Function) -> list[str]:
        out = self._line(f)
        if f.template:
            out.append(f.template)
        head = []
        if "static" in f.specifiers:
            head.append("static")
        if any(s in f.specifiers for s in ("inline", "__inline__", "__forceinline__")) or f.kind == "device":
            head.append("inline")
        head.append(self.type_name(f.ret))
        name = self.rename.get(f.name, f.name)
        self.scope.push()
        for p in f.params:
            self.scope.add(p.name, p)
        params = ", ".join(self.param(p) for p in self._first_defaults(f))
        sig = " ".join(head) + f" {name}({params})"
        if f.body is None:
            self.scope.pop()
            return out + [sig + ";"]
        body = self.block_lines(self._blockify(f.body), 0)
        self.scope.pop()
        out.append(sig + " " + body[0])
        out.extend(body[1:])
        if f.is_kernel and f.launch_bounds and not f.template:
            # launches with more threads a block than the first bound fail (gpu.md §8)
            out.append(f"static const bool xp_bounds_{name} = ::xp::gpu::set_launch_bounds((const void *)&{name}, "
                       f"(long long)({self.expr(f.launch_bounds[0])}));")
        return out

    def _first_defaults(self, f: ir.Function) -> list[ir.Param]:
        """The parameters as this declaration prints them: C++ forbids a default argument
        on a later declaration of a function that an earlier one already gave it, so a
        default is printed only on the first declaration that has it."""
        key = (f.name, f.template, tuple(self.type_name(p.type) for p in f.params))
        given = self.defaults_given.setdefault(key, set())
        out = []
        for i, p in enumerate(f.params):
            if p.default is not None:
                if i in given:
                    p = dataclasses.replace(p, default=None)
                else:
                    given.add(i)
            out.append(p)
        return out

    def _blockify(self, body: ir.Block) -> ir.Block:
        """Brace every sub-statement, so a line marker can precede each statement."""

        def brace(s: Optional[ir.Stmt]) -> Optional[ir.Stmt]:
            return s if s is None or isinstance(s, ir.Block) else ir.Block([s], span=s.span)

        def fix(n: ir.Node) -> None:
            if isinstance(n, ir.If):
                n.then = brace(n.then)
                if not isinstance(n.other, ir.If):  # keep else-if chains flat
                    n.other = brace(n.other)
            elif isinstance(n, (ir.For, ir.While, ir.DoWhile)):
                n.body = brace(n.body)

        return ir.transform(body, fix)

    # ------------------------------------------------------------------ statements
    def block_lines(self, b: ir.Block, depth: int) -> list[str]:
        self.scope.push()
        try:
            return super().block_lines(b, depth)
        finally:
            self.scope.pop()

    def stmt(self, s: ir.Stmt, depth: int) -> list[str]:
        if isinstance(s, ir.Comment):
            return []
        lines = super().stmt(s, depth)
        if not lines or not self.lines or s.span is None or isinstance(
                s, (ir.Block, ir.Case, ir.Pragma, ir.Directive, ir.Comment, ir.Empty)):
            return lines
        pad = "    " * depth
        marker = f"XP_LINE({s.span.line}); "
        if self.checks:  # the scalar-arithmetic counter (checked runs; counts when asked)
            k = scalar_ops(s, self._is_math, self._is_pointer)
            if k:
                marker += f"XP_OPS({k}); "
        if isinstance(s, ir.Decl) and any(v.space in ON_CHIP for v in s.vars):
            marker = ""  # the runtime records the line itself
        i = 0
        while i < len(lines) and lines[i].lstrip().startswith("#"):
            i += 1  # after loop pragmas
        if i < len(lines):
            lines[i] = pad + marker + lines[i][len(pad):]
        return [f'#line {s.span.line} "{self.path}"'] + lines

    def _is_math(self, name: str) -> bool:
        it = self.src.intrinsic(name)
        return it is not None and it.category == "math"

    def _stmt(self, s: ir.Stmt, depth: int) -> list[str]:
        if isinstance(s, ir.Decl):
            for v in s.vars:
                self.scope.add(v.name, v)
            if any(v.space in ON_CHIP for v in s.vars):
                return [" ".join(self.onchip_decl(v) for v in s.vars)]
            return [self.decl(s) + ";"]
        if isinstance(s, ir.For):
            self.scope.push()
            try:
                if isinstance(s.init, ir.Decl):
                    for v in s.init.vars:
                        self.scope.add(v.name, v)
                if self.lines and s.span is not None and s.cond is not None:
                    s = dataclasses.replace(s, cond=ir.Binary(",", ir.Call(ir.Name("XP_LINE"), [ir.IntLit(s.span.line)]),
                                                              s.cond))
                return super()._stmt(s, depth)
            finally:
                self.scope.pop()
        if isinstance(s, ir.If) and s.decl is not None:
            self.scope.add(s.decl.name, s.decl)
        return super()._stmt(s, depth)

    def _decl(self, t: ir.CType, inner: str) -> tuple[str, str]:
        if isinstance(t, ir.Named) and t.name == "_Bool":  # C's bool, macro-expanded; g++ knows bool
            t = ir.Named("bool", const=t.const, volatile=t.volatile)
        return super()._decl(t, inner)

    def _var_prefix(self, v: ir.VarDecl) -> str:
        return "".join(w + " " for w in v.specifiers if w in ("static", "extern", "constexpr"))

    def _init(self, v: ir.VarDecl) -> str:
        if isinstance(v.type, ir.Reference):  # binding a reference reads nothing
            return self._with_mode(NONE, lambda: super(EmuPrinter, self)._init(v))
        return super()._init(v)

    def onchip_decl(self, v: ir.VarDecl) -> str:
        """``__shared__ float s[16][17];`` -> per-block storage from the runtime."""
        self.decl_id += 1
        space = ON_CHIP[v.space]
        line = v.span.line if v.span else 0
        t = v.type
        if isinstance(t, ir.Array) and t.size is None:  # extern __shared__ float dyn[];
            elem = self.type_name(t.elem)
            return f'{elem} *{v.name} = ::xp::dynamic_onchip<{elem}>(::xp::{space}, "{v.name}", {line});'
        if isinstance(t, ir.Array) and not _constant_dims(t):  # __nram__ float t[rows * 4];
            ptr = self.type_name(ir.Pointer(t.elem))
            bytes_ = f"(size_t)({self.expr(t.size)}) * sizeof({self.type_name(t.elem)})"
            return (f'{ptr} {v.name} = ({ptr})::xp::vla_onchip(::xp::{space}, {self.decl_id}, "{v.name}", '
                    f'{bytes_}, {line});') if "(*)" not in ptr else (
                    f'auto {v.name} = ({ptr})::xp::vla_onchip(::xp::{space}, {self.decl_id}, "{v.name}", '
                    f'{bytes_}, {line});')
        tname = self.type_name(t)
        init = ""
        if v.init is not None:
            init = f" {v.name} = {self.expr(v.init, 2)};" if v.init_style == "=" and not isinstance(t, ir.Array) else ""
        return (f'auto &{v.name} = ::xp::onchip<{tname}>(::xp::{space}, {self.decl_id}, "{v.name}", {line});'
                + init)

    def file_decl(self, d: ir.Decl) -> list[str]:
        out = []
        for v in d.vars:
            if v.space in ON_CHIP and isinstance(v.type, ir.Array) and v.type.size is None:
                # file-scope `extern __shared__ T x[];`: the launch's dynamic shared memory
                line = v.span.line if v.span else 0
                elem = self.type_name(v.type.elem)
                out.append(f'#define {v.name} (::xp::dynamic_onchip<{elem}>(::xp::{ON_CHIP[v.space]}, "{v.name}", {line}))')
            elif v.space in ON_CHIP:
                # file-scope on-chip storage is still per block / core / cluster
                self.decl_id += 1
                line = v.span.line if v.span else 0
                out.append(f'#define {v.name} (::xp::onchip<{self.type_name(v.type)}>(::xp::{ON_CHIP[v.space]}, '
                           f'{self.decl_id}, "{v.name}", {line}))')
            else:
                out.append(self.decl(ir.Decl([v])) + ";")
        return out

    # ------------------------------------------------------------------ expressions
    def expr(self, e: ir.Expr, min_prec: int = 0) -> str:
        return super().expr(e, min_prec)

    def _with_mode(self, mode, fn):
        saved = self.mode
        self.mode = mode
        try:
            return fn()
        finally:
            self.mode = saved

    def _expr(self, e: ir.Expr) -> tuple[str, int]:
        if isinstance(e, ir.Cast) and isinstance(e.type, ir.Pointer) and isinstance(e.type.pointee, ir.Named) and \
                e.type.pointee.name == "void" and isinstance(e.operand, ir.IntLit) and e.operand.value == 0:
            return "nullptr", 17  # C's NULL, ((void *)0), converts to any pointer; in C++ only nullptr does
        if isinstance(e, ir.Assign):
            target = self._with_mode(WR if e.op == "=" else RW, lambda: self.expr(e.target, _UNARY))
            value = self._with_mode(RD, lambda: self.expr(e.value, 2))
            return f"{target} {e.op} {value}", 2
        if isinstance(e, ir.Unary):
            if e.op in ("++", "--"):
                inner = self._with_mode(RW, lambda: self.expr(e.operand, _POSTFIX if e.postfix else _UNARY))
                return (inner + e.op, _POSTFIX) if e.postfix else (e.op + inner, _UNARY)
            if e.op == "&":
                return "&" + self._with_mode(NONE, lambda: self.expr(e.operand, _UNARY)), _UNARY
            if e.op == "*" and self.checks and self.mode is not NONE and self._is_pointer(e.operand):
                p = self._with_mode(RD, lambda: self.expr(e.operand))
                return f"XP_D{self.mode}({p})", _POSTFIX
            return self._with_mode(RD if e.op != "*" else self.mode, lambda: super(EmuPrinter, self)._expr(e))
        if isinstance(e, ir.Index):
            mode = self.mode if not isinstance(self._type_of(e), ir.Array) else NONE  # a row: its address
            if self._typed_in_runtime(e.base):
                # an array member or a vector lane in memory (r.a[i], v[i]): its element, by
                # the type g++ knows (XP_I*: an array or pointer element, a vector lane)
                base = self._with_mode(NONE, lambda: self.expr(e.base, _POSTFIX))
                index = self._with_mode(RD, lambda: self.expr(e.index))
                if self.checks and mode is not NONE:
                    return f"XP_I{mode}({base}, {index})", _POSTFIX
                return f"{base}[{index}]", _POSTFIX
            base = self._with_mode(NONE if self._is_array_value(e.base) else RD, lambda: self.expr(e.base, _POSTFIX))
            index = self._with_mode(RD, lambda: self.expr(e.index))
            if self.checks and mode is not NONE and self._instrumented(e.base):
                return f"XP_{mode}({base}, {index})", _POSTFIX
            return f"{base}[{index}]", _POSTFIX
        if isinstance(e, ir.Member):
            in_memory = self._in_memory(e)
            if in_memory and e.member not in self.bitfields:
                # the member's own bytes: a checked access through its address
                place = self._with_mode(NONE, lambda: self._member(e))
                if self.checks and self.mode is not NONE:
                    return f"XP_D{self.mode}(&{place})", _POSTFIX
                return place, _POSTFIX
            if e.arrow and self.checks and self.mode is not NONE and self._is_pointer(e.base):
                p = self._with_mode(RD, lambda: self.expr(e.base))  # a bit-field: the struct
                return f"XP_D{self.mode}({p}).{e.member}", _POSTFIX
            if in_memory or self.mode is NONE:
                return self._with_mode(NONE, lambda: self._member(e)), _POSTFIX
            base = self.expr(e.base, _POSTFIX)
            return f"{base}{'->' if e.arrow else '.'}{e.member}", _POSTFIX
        if isinstance(e, ir.SizeOf):
            return self._with_mode(NONE, lambda: super(EmuPrinter, self)._expr(e))
        if isinstance(e, ir.Name):
            w = self.scope.get(e.name)
            if (self.checks and self.mode is not NONE and w is not None and w.space in ON_CHIP
                    and isinstance(w.type, (ir.Named, ir.Pointer))):
                # a __shared__ / __nram__ variable is memory: checked like s[0], all of its
                # bytes (a struct or vector assigned or read as a whole too)
                return f"XP_D{self.mode}(&{e.name})", _POSTFIX
            if self.checks and self.mode is not NONE and w is not None and isinstance(w.type, ir.Reference):
                # a reference (parameter or local) is the memory it was bound to (a check of
                # a register's address finds no buffer and costs nothing more)
                return f"XP_D{self.mode}(&{self.rename.get(e.name, e.name)})", _POSTFIX
            return self.rename.get(e.name, e.name), 17
        if isinstance(e, ir.Call):
            callee = e.callee
            if isinstance(callee, ir.Name) and callee.name.split("::")[-1] in _ALLOCATORS \
                    and callee.name.split("::")[0] in ("std", callee.name):
                callee = ir.Name("::xp::libc_" + callee.name.split("::")[-1].lstrip("_"))
            if isinstance(callee, ir.Name) and callee.name in self.rename:
                if len(e.args) not in self.arities.get(callee.name, ()):
                    callee = ir.Name(callee.name)  # the library function of that name
                    text = self._with_mode(RD, lambda: f"{callee.name}({self._call_args(e)})")
                    return text, _POSTFIX
            # a method's object is the method's business (r.f(): not a read of all of r)
            fn = self._with_mode(NONE if isinstance(callee, ir.Member) else RD, lambda: self.expr(callee, _POSTFIX))
            return f"{fn}({self._with_mode(RD, lambda: self._call_args(e))})", _POSTFIX
        if isinstance(e, ir.Launch):
            return self.launch(e), _POSTFIX
        return self._with_mode(RD if self.mode is not NONE else NONE, lambda: super(EmuPrinter, self)._expr(e))

    def launch(self, e: ir.Launch) -> str:
        kernel = self.expr(e.kernel, _POSTFIX)
        cfg = self._with_mode(RD, lambda: self._args(e.config))
        args = self._with_mode(RD, lambda: self._args(e.args))
        return f"::xp::launch({kernel}, ::xp::LaunchConfig{{{cfg}}}{', ' + args if args else ''})"

    def _call_args(self, e: ir.Call) -> str:
        """The arguments of a call: one bound to a reference parameter of the file's
        function is not accessed by the call (the callee's accesses through the reference
        are checked); an on-chip struct or vector passed whole is read only when the callee
        is the file's function and takes it by value."""
        out = []
        for i, a in enumerate(e.args):
            by_value = self._by_value(e.callee, i, len(e.args))
            if by_value is False or (by_value is None and self._whole_onchip(a)):
                out.append(self._with_mode(NONE, lambda: self.expr(a, 2)))
            else:
                out.append(self.expr(a, 2))
        return ", ".join(out)

    def _whole_onchip(self, a: ir.Expr) -> bool:
        if not isinstance(a, ir.Name):
            return False
        w = self.scope.get(a.name)
        return w is not None and w.space in ON_CHIP and isinstance(w.type, ir.Named) and not _scalar(w.type)

    def _by_value(self, callee: ir.Expr, i: int, n: int) -> Optional[bool]:
        """Whether the file's function ``callee`` takes its argument ``i`` by value (True)
        or by reference (False); None: not known (not the file's function, overloads that
        differ)."""
        if not isinstance(callee, ir.Name) or (callee.name in self.rename and n not in self.arities.get(callee.name, ())):
            return None
        kinds = {isinstance(f.params[i].type, ir.Reference) for f in self.functions.get(callee.name, ())
                 if i < len(f.params) and len(f.params) >= n}
        return None if len(kinds) != 1 else not kinds.pop()

    def _member(self, e: ir.Member) -> str:
        """``base.m`` / ``base->m`` naming the member's place: the base's address is
        computed (a dot member) or its pointer value read (an arrow), not accessed."""
        if e.arrow:
            return f"{self._with_mode(RD, lambda: self.expr(e.base, _POSTFIX))}->{e.member}"
        return f"{self._with_mode(NONE, lambda: self.expr(e.base, _POSTFIX))}.{e.member}"

    # ------------------------------------------------------------------ types of expressions
    def _in_memory(self, e: ir.Expr) -> bool:
        """Whether the lvalue ``e`` names memory the emulator tracks: an on-chip variable, or
        what a checked access reaches (``p[i]``, ``*p``, ``p->m``), or a member or element
        of those."""
        if isinstance(e, ir.Name):
            w = self.scope.get(e.name)
            return w is not None and (w.space in ON_CHIP or isinstance(w.type, ir.Reference))
        if isinstance(e, ir.Index):
            return self._instrumented(e.base) or self._typed_in_runtime(e.base)
        if isinstance(e, ir.Unary):
            return e.op == "*" and self._is_pointer(e.operand) and not self._local_address(e.operand)
        if isinstance(e, ir.Member):
            if e.arrow:
                return self._is_pointer(e.base) and not self._local_address(e.base)
            return self._in_memory(e.base)
        return False

    def _typed_in_runtime(self, base: ir.Expr) -> bool:
        """``base[i]`` where base is in memory but its type is not known here (an array or
        pointer member: ``r.a``, ``p->a``) or is a vector or class: the runtime's
        ``XP_I*`` picks the access by the type g++ knows."""
        if isinstance(self._type_of(base), (ir.Pointer, ir.Array)):
            return False
        if isinstance(base, ir.Name):
            w = self.scope.get(base.name)
            if w is None or not isinstance(w.type, (ir.Named, ir.Reference)) or _scalar(w.type):
                return False
        return self._in_memory(base)

    def _type_of(self, e: ir.Expr) -> Optional[ir.CType]:
        return type_of(e, self.scope.scope)

    def _is_pointer(self, e: ir.Expr) -> bool:
        return isinstance(self._type_of(e), (ir.Pointer, ir.Array))

    def _is_array_value(self, e: ir.Expr) -> bool:
        """An array operand of [] (its element address is computed, not read)."""
        return isinstance(self._type_of(e), ir.Array)

    def _local_address(self, e: ir.Expr) -> bool:
        """``(T *)&v`` of a local value (a lane view of a vector register): not memory."""
        while isinstance(e, ir.Cast):
            e = e.operand
        if isinstance(e, ir.Unary) and e.op == "&" and isinstance(e.operand, ir.Name):
            w = self.scope.get(e.operand.name)
            return w is not None and ((isinstance(w.decl, ir.VarDecl) and w.space == "local") or (
                w.kind == "param" and not isinstance(w.type, (ir.Pointer, ir.Array))))
        return False

    def _instrumented(self, base: ir.Expr) -> bool:
        """Whether base[i] is a memory access we check: through pointers and to on-chip or
        global arrays; not local (register) arrays or vector values."""
        if self._local_address(base):
            return False
        t = self._type_of(base)
        if isinstance(t, ir.Pointer):
            return True
        if isinstance(t, ir.Array):
            root = base
            while isinstance(root, ir.Index):
                root = root.base
            if isinstance(root, ir.Name):
                w = self.scope.get(root.name)
                if w is not None and isinstance(w.decl, ir.VarDecl):
                    return w.space not in ("local",)
                return True  # a parameter declared as an array
            return True
        return False


# Heap allocation in kernels and host code goes through the runtime, so scratch buffers
# are bounds-checked and their never-written bytes tracked like every other buffer.
_ALLOCATORS = {"malloc", "calloc", "realloc", "free", "aligned_alloc", "_mm_malloc", "_mm_free", "posix_memalign",
               "memset", "memcpy", "memmove"}


_SCALARS = frozenset("""bool char short int long float double half __half _Float16 __nv_bfloat16 __bf16 bfloat16_t
signed unsigned size_t int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t int8 int16 int32""".split())


def _scalar(t: ir.CType) -> bool:
    """An arithmetic or pointer type (not a struct, whose members are accessed one by one)."""
    if isinstance(t, ir.Pointer):
        return True
    return isinstance(t, ir.Named) and all(w in _SCALARS or w in ("const", "volatile") for w in t.name.split())


_BITFIELD = re.compile(r"\b([A-Za-z_]\w*)\s*:\s*(?:\d+|\w+)\s*[;,}]")


def _bitfields(module: ir.Module) -> frozenset[str]:
    """The member names the file's struct definitions declare as bit-fields (a bit-field
    has no address, so it is accessed unchecked); a rough scan, erring on the side of
    leaving a member unchecked."""
    names: set[str] = set()
    for item in module.items:
        if isinstance(item, ir.OpaqueTop) and ("struct" in item.text or "union" in item.text or "class" in item.text):
            names.update(m.group(1) for m in _BITFIELD.finditer(item.text)
                         if m.group(1) not in ("public", "private", "protected", "default"))
    return frozenset(names)


def _arities(module: ir.Module) -> dict[str, set[int]]:
    """The argument counts each function of the file can be called with: trailing
    parameters with a default (given on any declaration of it) may be left out."""
    defaulted: dict[tuple[str, int], set[int]] = {}
    for f in module.functions:
        d = defaulted.setdefault((f.name, len(f.params)), set())
        d.update(i for i, p in enumerate(f.params) if p.default is not None)
    out: dict[str, set[int]] = {}
    for (name, n), d in defaulted.items():
        first = n
        while first > 0 and first - 1 in d:
            first -= 1
        out.setdefault(name, set()).update(range(first, n + 1))
    return out


def _constant_dims(t: ir.CType) -> bool:
    while isinstance(t, ir.Array):
        if not isinstance(t.size, ir.IntLit):
            return False
        t = t.elem
    return True


def renames(module: ir.Module) -> dict[str, str]:
    """Functions the file defines whose names the C library, the C++ standard library or
    the dialect's intrinsics already use get an ``xpu_`` prefix in the emulation."""
    d = dialects.get(module.dialect)
    taken = set(d.intrinsics) | set(dialects.get("c").intrinsics) | _LIBC
    # a prototype alone (``extern float sinf(float);``) declares the library's own function
    defined = {f.name for f in module.functions if f.body is not None}
    return {f.name: "xpu_" + f.name for f in module.functions if f.name in taken and f.name in defined}


_LIBC = frozenset("""abs labs llabs div printf puts malloc free calloc realloc exit abort memcpy memset memmove
strlen strcmp rand srand time clock min max swap sort fill copy main""".split())


_ARITH = {"+", "-", "*", "/", "%"}
_ARITH_ASSIGN = {"+=", "-=", "*=", "/=", "%="}


def scalar_ops(s: ir.Stmt, is_math=lambda name: False, is_pointer=lambda e: False) -> int:
    """Arithmetic operations one execution of statement ``s`` does by itself (the work
    counters, issue 18: the scalar side of "arithmetic inside __bang_* / vector intrinsics /
    wmma vs outside"; ``XP_OPS(k)`` in checked programs of every dialect): binary
    ``+ - * / %`` and their compound assignments, unary minus, and calls to device math
    (``is_math``), each one operation. Not counted: subscripts (address arithmetic), loop
    headers and conditions (loop control), increments, comparisons and logic, constant
    expressions (``256 * sizeof(float)``), and the statements nested in ``s`` (they count
    themselves), and pointer offsets (``a + o`` passed to ``__memcpy``, ``p += 16``: address
    arithmetic, told by ``is_pointer`` from the emulation printer's symbol table; an operand
    whose type it cannot tell counts as a number)."""
    if isinstance(s, ir.ExprStmt):
        exprs = [s.expr]
    elif isinstance(s, ir.Decl):
        exprs = [v.init for v in s.vars if v.init is not None]
    elif isinstance(s, ir.Return):
        exprs = [s.value] if s.value is not None else []
    elif isinstance(s, ir.If):
        exprs = [s.cond]
    else:  # loops (control), switch, labels, opaque text
        exprs = []
    n = 0
    stack = list(exprs)
    while stack:
        e = stack.pop()
        if _constant(e):  # 256 * sizeof(float): folded by the compiler
            continue
        if isinstance(e, ir.Index):
            stack.append(e.base)  # not e.index: address arithmetic
            continue
        if isinstance(e, ir.Binary) and e.op in _ARITH:
            n += not (e.op in "+-" and (_pointer(e.lhs, is_pointer) or _pointer(e.rhs, is_pointer)))
        elif isinstance(e, ir.Assign) and e.op in _ARITH_ASSIGN:
            n += not (e.op in ("+=", "-=") and _pointer(e.target, is_pointer))
        elif isinstance(e, ir.Unary) and e.op == "-":
            n += 1
        elif isinstance(e, ir.Call) and isinstance(e.callee, ir.Name) and is_math(e.callee.name):
            n += 1
        stack.extend(_children(e))
    return n


def _pointer(e: ir.Expr, is_pointer) -> bool:
    try:
        return bool(is_pointer(e))
    except Exception:  # a type the symbol table cannot work out: a number
        return False


def _constant(e: ir.Expr) -> bool:
    if isinstance(e, (ir.IntLit, ir.FloatLit, ir.CharLit, ir.BoolLit, ir.SizeOf)):
        return True
    if isinstance(e, ir.Cast):
        return _constant(e.operand)
    if isinstance(e, ir.Unary):
        return e.op in ("-", "+", "~", "!") and _constant(e.operand)
    if isinstance(e, ir.Binary):
        return e.op != "," and _constant(e.lhs) and _constant(e.rhs)
    return False


def _children(e: ir.Expr) -> list:
    out = []
    for f in dataclasses.fields(e):
        if f.name in ("span", "origin"):
            continue
        v = getattr(e, f.name)
        if isinstance(v, ir.Expr):
            out.append(v)
        elif isinstance(v, list):
            out.extend(x for x in v if isinstance(x, ir.Expr))
    return out
