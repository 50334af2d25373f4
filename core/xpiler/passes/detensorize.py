"""``detensorize``: every intrinsic call becomes the loops its dialect table gives it; the
module becomes plain sequential C (the hub).

    before (VNNI):
        void add(const float *x, const float *y, float *out, int n) {
            for (int i = 0; i + 16 <= n; i += 16)
                _mm512_storeu_ps(out + i, _mm512_add_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
        }
    after (C++ hub; the vector typedefs and lane views once at the top of the file):
        void add(const float *x, const float *y, float *out, int n) {
            for (int i = 0; i + 16 <= n; i += 16) {
                const void *xp5_mem_addr = x + i;
                __m512 xp5_r;
                for (int xp5_i = 0; xp5_i < 16; ++xp5_i)
                    ((xp_ma_float *)&xp5_r)[xp5_i] = ((const float *)xp5_mem_addr)[xp5_i];
                ...                                     (the second load: xp6_r)
                __m512 xp7_r;
                for (int xp7_i = 0; xp7_i < 16; ++xp7_i)
                    ((xp_ma_float *)&xp7_r)[xp7_i] = ((xp_ma_float *)&xp5_r)[xp7_i] + ((xp_ma_float *)&xp6_r)[xp7_i];
                void *xp8_mem_addr = out + i;
                for (int xp8_i = 0; xp8_i < 16; ++xp8_i)
                    ((float *)xp8_mem_addr)[xp8_i] = ((xp_ma_float *)&xp7_r)[xp8_i];
            }
        }

Each call is expanded by ``dialects.semantics.semantics_ir`` (the table's snippet, its
locals renamed, its parameters bound to the arguments: a costly argument once, in a
temporary), innermost call first, the statements placed before the statement that held the
call and the call replaced by its result. The overload comes from the argument types
(``analysis.symbols``). A vector value (``__m512``, ``__m512i``) stays a value of the table's
GCC vector typedef read and written through lane views; those declarations (and the C
spelling of BANG's ``half``: ``_Float16``) are written once at the top of the module.

What is not a loop: pipeline syncs (``__sync_io``, ``__sync_compute``, ``__sync``...) order
nothing in sequential code and go; ``__memcpy_async`` is a copy. BANG barriers and built-ins
must be gone already (``task_recovery``). ``xp_cast<T>(v)`` (the tables' conversion helper)
becomes a C cast, or, from a floating value to an integer type, ``xp_f2i_T(v)`` (truncation,
NaN to 0, wrap-around: what the emulation does), so the file is C as well as C++. On the hub
every memory is a plain array: on-chip spaces become locals and file-scope globals.
``_mm_malloc``/``_mm_free`` (declared by ``<mm_malloc.h>``, not intrinsics) become
``malloc``/``free``: alignment is not part of what the program computes. The source
platform's ``#include`` lines go (nothing needs them; CNRT's stay while host code uses it).
Two C++ forms get their C spelling: a condition declaration ``if (T v = e) A else B`` is
``{ T v = e; if (v) A else B }`` (so the calls of ``e`` expand before it like any
declaration's), and ``std::size_t``, ``std::int32_t``... (``<cstddef>``, ``<cstdint>``)
are ``size_t``, ``int32_t``.

Preconditions: ``dialect`` (a module of a dialect with intrinsic tables, not C), ``lifted``
(no built-in variable of the dialect left, for BANG no barrier or ``__is_mpu`` either: run
``task_recovery`` first),
``semantics`` (every intrinsic call the C hub lacks has semantics in the table, for its
argument types), ``call-position`` (no call in a loop's condition or step, where it runs on
every iteration, nor on the right of a comma whose left operand has a side effect that C
orders first), ``modelled`` (no intrinsic call in text the IR keeps verbatim, such as a
named namespace; the front end models an anonymous one as its members, made ``static``),
``c-types`` (every type has a C spelling on the hub: no ``bfloat16_t``, ``int4x2_t``).

Where a call sits under ``?:``, ``&&`` or ``||`` (evaluated only sometimes), the choice
becomes an ``if`` around the call's statements and a temporary holds the operand's value
(``c ? load(p) : zero()`` -> ``T t; if (c) { ...; t = r1; } else { ...; t = r2; }``).
Hoisting the other calls before their statement is one of the evaluation orders C allows:
within a full expression only ``,``, ``&&``, ``||`` and ``?:`` sequence their operands.
"""
from __future__ import annotations

import re
from typing import Iterator, Optional

from .. import dialects, ir
from ..analysis import ctype
from ..analysis.symbols import SymbolTable
from ..dialects import headers, semantics as S
from .base import Pass, Precondition, Refusal, register
from .task_recovery import BARRIERS, BUILTINS, SPLIT_BARRIERS

#: calls that are neither intrinsics nor C, with their C spelling (argument indices kept)
LIBRARY = {"_mm_malloc": ("malloc", (0,)), "_mm_free": ("free", (0,))}
#: types the hub cannot spell
NO_C_TYPE = ("bfloat16_t", "int4x2_t", "__bf16")
#: BANG's scalar types and their C spelling on the hub (bang.md §1.1)
C_TYPEDEFS = {"half": "#if !defined(__CUDACC__) && !defined(__HIPCC__) && !defined(__BANG__)\n"
                      "typedef _Float16 half; /* IEEE binary16; CUDA, HIP and BANG have their own half */\n"
                      "#endif",
              "int8": "typedef signed char int8;", "int16": "typedef short int16;", "fix8": "typedef signed char fix8;"}
_FLOATING = {"float", "double", "half", "_Float16", "__half", "long double"}
_ONCHIP = ("nram", "wram", "sram", "ldram")
_XP_CAST_DECL = re.compile(r"^\s*template <class T, class U> T xp_cast\(U v\);\s*$", re.M)


def _callee(n: ir.Node) -> Optional[str]:
    if isinstance(n, ir.Call) and isinstance(n.callee, ir.Name):
        return n.callee.name.split("<", 1)[0].strip()
    return None




def _ident(t: str) -> str:
    return re.sub(r"\W+", "_", t.strip())


class _Refuse(Exception):
    def __init__(self, precondition: str, detail: str, node: Optional[ir.Node] = None):
        super().__init__(detail)
        self.precondition, self.detail, self.node = precondition, detail, node


# ----------------------------------------------------------------------------- the pass
@register
class Detensorize(Pass):
    """Every intrinsic call becomes the loops of its table semantics; the module becomes C.

        before:  __bang_add(a, a, b, 64);                  (float *a, *b)
        after:   for (unsigned int xp1_i = 0; xp1_i < (unsigned int)64; ++xp1_i) {
                     const float xp1_a = (float)a[xp1_i], xp1_b = (float)b[xp1_i];
                     a[xp1_i] = (float)(xp1_a + xp1_b);
                 }
    """

    name = "detensorize"
    stage = "lift"
    params = ()
    requires = (
        Precondition("dialect", "a module of a dialect with intrinsic tables (BANG, VNNI), not already C"),
        Precondition("lifted", "no built-in variable of the dialect (BANG: nor a barrier or __is_mpu) is left: "
                               "run task_recovery first"),
        Precondition("semantics", "every intrinsic call the C hub lacks has semantics in the dialect table"),
        Precondition("call-position", "no intrinsic call in a loop condition or step (evaluated on every "
                                      "iteration), nor on the right of a comma whose left has a side effect"),
        Precondition("modelled", "no intrinsic call inside text the IR keeps verbatim (a namespace, a construct "
                                 "clang could not analyse)"),
        Precondition("c-types", "every type has a C spelling on the hub (no bfloat16_t, int4x2_t)"),
    )

    def preconditions(self, module: ir.Module, target: Optional[str]) -> Iterator[Refusal]:
        if module.dialect == "c" or module.dialect not in dialects.NAMES:
            yield self.refuse("dialect", f"the module is {module.dialect}: nothing to detensorize")
            return
        try:
            _Detensorizer(module).run()
        except _Refuse as r:
            yield self.refuse(r.precondition, r.detail, r.node)

    def rewrite(self, module: ir.Module, target: Optional[str]) -> ir.Module:
        functions, support = _Detensorizer(module).run()

        def fn(new: ir.Node, old: ir.Node):
            if isinstance(old, ir.Function) and id(old) in functions:
                g = functions[id(old)]
                # unchanged (no intrinsic in it): keep it, so provenance does not name this pass
                return None if g == old else g
            if isinstance(new, ir.VarDecl) and new.space in _ONCHIP + ("gdram", "constant"):
                new.space = "host"  # file scope (locals were done per function)
            _std_type(new)
            return None

        out = self.transform(module, fn, with_original=True)
        if module.dialect in _PER_THREAD:
            # the kernel is still parallel: loop_recovery lifts it next, the platform headers stay
            if support:
                at = next((i for i, item in enumerate(out.items)
                           if not isinstance(item, (ir.Comment, ir.Directive))), len(out.items))
                out.items.insert(at, ir.OpaqueTop(support, origin=self.name))
            return out
        out.items = [item for item in out.items if not _platform_include(item, module)]
        if support:
            at = next((i for i, item in enumerate(out.items) if not isinstance(item, (ir.Comment, ir.Directive))),
                      len(out.items))
            out.items.insert(at, ir.OpaqueTop(support, origin=self.name))
        out.dialect = "c"
        out.language = "c++" if module.language in ("c++", "cuda") else "c"
        return out


# ----------------------------------------------------------------------------- the work
class _Detensorizer:
    def __init__(self, module: ir.Module):
        self.module = module
        self.d = dialects.get(module.dialect)
        self.c = dialects.get("c")
        self.own = {g.name for g in module.functions if g.body is not None}
        self.support: list[str] = []
        self.helpers: dict[str, str] = {}
        # fresh names xp<N>_...: numbered per module, so the same input gives the same output
        self.taken = {int(m.group(1)) for n in module.walk() for name in _declared_or_used(n)
                      if (m := re.match(r"xp(\d+)_", name))}
        self.counter = 0

    def prefix(self) -> str:
        self.counter += 1
        while self.counter in self.taken:
            self.counter += 1
        return f"xp{self.counter}_"

    def _add_support(self, text: str) -> None:
        text = _XP_CAST_DECL.sub("", text).strip("\n")
        if text.strip() and text not in self.support:
            self.support.append(text)

    def targets(self) -> list[ir.Function]:
        """The functions to rewrite: all with a body, except BANG host code (CNRT: host_code
        carries it)."""
        return [g for g in self.module.functions if g.body is not None and
                not (self.module.dialect == "bang" and g.kind == "host" and not g.is_kernel)]

    def run(self) -> tuple[dict[int, ir.Function], str]:
        S.prepare_calls(self.d.name, self.module)  # the snippets this module needs, parsed in one go
        self._check_types()
        self._check_modelled()
        out = {}
        for g in self.targets():
            out[id(g)] = self._function(g)
        used = {n.name for g in out.values() for n in g.walk() if isinstance(n, ir.Named)}
        used |= {n.name for item in self.module.items if isinstance(item, ir.Decl) for v in item.vars
                 for n in v.type.walk() if isinstance(n, ir.Named)}
        head = [C_TYPEDEFS[t] for t in C_TYPEDEFS if t in used]
        if self.helpers and self.module.dialect != "bang":
            head.insert(0, "#include <math.h>")
        if any(_callee(n) in ("malloc", "free") for g in out.values() for n in g.walk()):
            head.insert(0, "#include <stdlib.h>")
        if self.module.dialect == "bang":  # what <bang.h> gave the kernel: fixed-width types, size_t, libm
            head[:0] = ["#include <stdint.h>", "#include <stddef.h>", "#include <math.h>"]
        parts = head + self.support + list(self.helpers.values())
        return out, "\n".join(parts) + "\n" if parts else ""

    # --- checks
    def _check_types(self) -> None:
        for g in self.targets():
            for n in g.walk():
                if isinstance(n, ir.Named) and n.name.split("::")[-1] in NO_C_TYPE:
                    raise _Refuse("c-types", f"{n.name} has no C spelling on the hub", self._near(g, n))

    def _near(self, g: ir.Function, node: ir.Node) -> ir.Node:
        """``node`` if it has a span, else the innermost statement holding it (types carry none)."""
        if node.span is not None:
            return node
        best: ir.Node = g
        for s in g.body.walk():
            if isinstance(s, ir.Stmt) and s.span is not None and any(x is node for x in s.walk()):
                best = s
        return best

    def kind(self, n: ir.Node) -> Optional[str]:
        """``expand``, ``drop`` (a sync), ``library`` or None (a call C has, or not a call)."""
        name = _callee(n)
        if name is None or name in self.own:
            return None
        if name in LIBRARY and self.d.intrinsic(name) is None:
            return "library"
        it = self.d.intrinsic(name)
        if it is None:
            return None
        if self.module.dialect in _PER_THREAD and (
                it.category in _PER_THREAD[self.module.dialect]
                or any(ov.collective is not None for ov in it.overloads)):
            return None  # a barrier, a lane collective or a tile operation: loop_recovery's to lift
        if it.category == "sync":
            return "drop"
        if self.c.intrinsic(name) is not None and not any(ov.semantics for ov in it.overloads):
            return None  # libm: the hub has it
        if self.c.intrinsic(name) is not None and it.category == "math":
            return None
        return "expand"

    def _check_lifted(self, g: ir.Function) -> None:
        """No parallel construct of the source dialect is left (the hub is sequential)."""
        if self.module.dialect in _PER_THREAD:
            return  # per-thread intrinsics only; the built-ins stay for loop_recovery
        builtins = set(self.d.builtin_vars) | (set(BUILTINS) if self.module.dialect == "bang" else set())
        for n in g.body.walk():
            if isinstance(n, ir.Name) and n.name in builtins:
                how = "run task_recovery first" if self.module.dialect == "bang" else "lift the kernel first"
                raise _Refuse("lifted", f"{g.name} reads {n.name}: {how}", n)
            c = _callee(n)
            if c in BARRIERS or c in SPLIT_BARRIERS or c == "__is_mpu":
                raise _Refuse("lifted", f"{g.name} calls {c}: run task_recovery first", n)

    # --- positions
    def _check_positions(self, g: ir.Function) -> None:
        def calls(e: Optional[ir.Node]) -> list[ir.Call]:
            return [] if e is None else [x for x in e.walk() if self.kind(x) in ("expand", "drop")]

        def commas(e: ir.Node) -> None:
            """C sequences a comma's left operand first: a call on its right cannot move
            before a side effect on its left."""
            for x in e.walk():
                if isinstance(x, ir.Binary) and x.op == "," and calls(x.rhs) and not _pure(x.lhs, self):
                    raise _Refuse("call-position", f"{_callee(calls(x.rhs)[0])} would move before the side effect "
                                                   "on the left of a comma", x)

        def never(e: Optional[ir.Node], where: str) -> None:
            for c in calls(e):
                raise _Refuse("call-position", f"{_callee(c)} in {where}: it is evaluated on every iteration", c)

        for s in g.body.walk():
            if isinstance(s, ir.ExprStmt):
                commas(s.expr)
            elif isinstance(s, ir.Decl):
                for v in s.vars:
                    if v.init is not None:
                        commas(v.init)
                    never(v.type, "an array size")
            elif isinstance(s, ir.If):
                commas(s.cond)
            elif isinstance(s, ir.Return) and s.value is not None:
                commas(s.value)
            elif isinstance(s, ir.Switch):
                commas(s.cond)
            elif isinstance(s, ir.For):
                never(s.cond, "a loop condition")
                never(s.step, "a loop step")
                if isinstance(s.init, ir.Decl):
                    for v in s.init.vars[1:]:  # its statements would come before the earlier variables
                        never(v.init, "a second declaration of a for's init")
            elif isinstance(s, (ir.While, ir.DoWhile)):
                never(s.cond, "a loop condition")
            elif isinstance(s, ir.Case):
                never(s.value, "a case label")

    def _check_modelled(self) -> None:
        """Intrinsic calls inside text the IR keeps verbatim cannot be expanded."""
        names = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
        items: list[ir.Node] = [x for x in self.module.items if isinstance(x, ir.OpaqueTop)]
        for g in self.targets():
            items += [x for x in g.body.walk() if isinstance(x, (ir.OpaqueStmt, ir.OpaqueExpr))]
        for x in items:
            for m in names.finditer(x.text):
                if self.kind(ir.Call(ir.Name(m.group(1)))) in ("expand", "drop"):
                    what = x.text.strip().split("\n")[0][:40]
                    raise _Refuse("modelled", f"{m.group(1)} is called inside '{what}', which the IR keeps verbatim",
                                  x)

    # --- the rewrite of one function
    def _function(self, g: ir.Function) -> ir.Function:
        self._check_lifted(g)
        g = _to_c_forms(g)
        self._check_positions(g)
        table = SymbolTable(g, self.module)
        for_inits = {id(n.init) for n in g.walk() if isinstance(n, ir.For) and n.init is not None}

        def has(x: Optional[ir.Node]) -> bool:
            return x is not None and any(self.kind(n) is not None for n in x.walk())

        def expand(e: Optional[ir.Expr]) -> tuple[list[ir.Stmt], Optional[ir.Expr]]:
            """The statements computing the intrinsic calls of ``e`` (innermost first, left to
            right) and ``e`` with each call replaced by its result."""
            if e is None:
                return [], None
            pre: list[ir.Stmt] = []
            return pre, ex(e, pre)

        def temp(x: ir.Expr, base: str) -> tuple[ir.Name, ir.Decl]:
            t = table.type_of(x)
            if t is None or (isinstance(t, ir.Named) and t.name == "void"):
                raise _Refuse("call-position", "an intrinsic call under a condition, in an expression of unknown "
                                               "type", x)
            name = self.prefix() + base
            return ir.Name(name, kind="local"), ir.Decl([ir.VarDecl(name, _unqual(t))])

        def ex(x: ir.Expr, sink: list[ir.Stmt]) -> ir.Expr:
            if not has(x):
                return ir.clone(x)
            k = self.kind(x)
            if isinstance(x, ir.Ternary) and (has(x.then) or has(x.other)):
                # c ? A : B -> T t; if (c) { A's calls; t = A; } else { B's calls; t = B; }
                cond = ex(x.cond, sink)
                t, decl = temp(x, "sel")
                branches = []
                for b in (x.then, x.other):
                    pre: list[ir.Stmt] = []
                    v = ex(b, pre)
                    branches.append(ir.Block(pre + [ir.ExprStmt(ir.Assign("=", ir.clone(t), v))]))
                sink += [decl, ir.If(cond, branches[0], branches[1])]
                return t
            if isinstance(x, ir.Binary) and x.op in ("&&", "||") and has(x.rhs):
                # a && b -> int t = 0; if (a) { b's calls; t = b != 0; }   (|| : t = 1; if (!a) ...)
                lhs = ex(x.lhs, sink)
                name = self.prefix() + "cond"
                t = ir.Name(name, kind="local")
                sink.append(ir.Decl([ir.VarDecl(name, ir.Named("int"), ir.IntLit(0 if x.op == "&&" else 1))]))
                pre = []
                v = ex(x.rhs, pre)
                pre.append(ir.ExprStmt(ir.Assign("=", ir.clone(t), ir.Binary("!=", v, ir.IntLit(0)))))
                sink.append(ir.If(lhs if x.op == "&&" else ir.Unary("!", lhs), ir.Block(pre)))
                return t
            if isinstance(x, ir.Call) and k is not None:
                name = _callee(x)
                if k == "drop":
                    for a in x.args:
                        ex(a, sink)
                    return ir.IntLit(0)
                args = [ex(a, sink) for a in x.args]
                if k == "library":
                    spelled, keep = LIBRARY[name]
                    return ir.Call(ir.Name(spelled), [args[i] for i in keep if i < len(args)])
                types = [_canonical(table.type_of(a)) for a in x.args]
                try:
                    exp = S.semantics_ir(name, None, args, dialect=self.d.name, arg_types=types,
                                         prefix=self.prefix())
                except S.SemanticsError as err:
                    raise _Refuse("semantics", str(err), x)
                if exp.kind != "semantics":
                    raise _Refuse("semantics", f"{name} is a {exp.kind} collective: it needs the lanes of a warp", x)
                self._add_support(exp.support)
                sink += _drop_dead_temps(exp)
                return exp.result if exp.result is not None else ir.IntLit(0)
            # any other expression: its operands in order, the node rebuilt around them
            repl: dict[int, ir.Expr] = {}
            for c in x.children():
                if isinstance(c, ir.Expr) and has(c):
                    repl[id(c)] = ex(c, sink)
            return ir.transform(x, lambda n, o: repl.get(id(o)), with_original=True)

        def fn(new: ir.Node, old: ir.Node):
            if id(old) in for_inits:
                return None
            if isinstance(old, ir.ExprStmt):
                if not any(self.kind(x) for x in old.expr.walk()):
                    return None
                pre, e = expand(old.expr)
                if self.kind(old.expr) is not None and self.kind(old.expr) != "library":
                    return pre  # the call was the statement: its value (if any) is not used
                return pre + [ir.ExprStmt(e, span=old.span, trailing=old.trailing, blank_before=old.blank_before)]
            if isinstance(old, ir.Decl):
                if not any(self.kind(x) for v in old.vars if v.init is not None for x in v.init.walk()):
                    return None
                out: list[ir.Stmt] = []
                for v_new, v_old in zip(new.vars, old.vars):
                    pre, init = expand(v_old.init)
                    v_new.init = init
                    out += pre + [ir.Decl([v_new], span=old.span)]
                return out
            if isinstance(old, ir.If) and any(self.kind(x) for x in old.cond.walk()):
                pre, new.cond = expand(old.cond)
                return pre + [new]
            if isinstance(old, ir.Switch) and any(self.kind(x) for x in old.cond.walk()):
                pre, new.cond = expand(old.cond)
                return pre + [new]
            if isinstance(old, ir.Return) and old.value is not None and any(self.kind(x) for x in old.value.walk()):
                pre, new.value = expand(old.value)
                return pre + [new]
            if isinstance(old, ir.For) and old.init is not None and any(self.kind(x) for x in old.init.walk()):
                if isinstance(old.init, ir.ExprStmt):
                    pre, e = expand(old.init.expr)
                    new.init = ir.ExprStmt(e, span=old.init.span)
                else:
                    pre = []
                    for v_new, v_old in zip(new.init.vars, old.init.vars):
                        p, v_new.init = expand(v_old.init)
                        pre += p
                return [ir.Block(pre + [new], span=old.span)]
            if isinstance(new, ir.VarDecl) and new.space in _ONCHIP:
                new.space = "local"
            return None

        body = ir.transform(g.body, fn, with_original=True)
        h = ir.Function(g.name, ir.clone(g.ret), [ir.clone(p) for p in g.params], body, kind=g.kind,
                        specifiers=list(g.specifiers), extern_c=g.extern_c, annotations=dict(g.annotations),
                        span=g.span)
        h.template, h.blank_before = g.template, g.blank_before
        if self.module.dialect == "bang":
            h.annotations.pop("launch", None)  # one task's worth of C: no launch
        return self._lower_casts(h)

    # --- xp_cast<T>(v), the tables' conversion helper, in C
    def _lower_casts(self, g: ir.Function) -> ir.Function:
        if not any(isinstance(n, ir.Call) and isinstance(n.callee, ir.Name) and n.callee.name.startswith("xp_cast<")
                   for n in g.walk()):
            return g
        table = SymbolTable(g, self.module)

        def fn(new: ir.Node, old: ir.Node):
            if not (isinstance(new, ir.Call) and isinstance(new.callee, ir.Name) and
                    new.callee.name.startswith("xp_cast<") and len(new.args) == 1):
                return None
            t = re.sub(r"\s+", " ", new.callee.name[len("xp_cast<"):-1]).strip()
            if t.split("::")[-1] in NO_C_TYPE:
                raise _Refuse("c-types", f"{t} has no C spelling on the hub", old)
            if t in _FLOATING:
                return ir.Cast(S.ctype(t), new.args[0])
            src = table.type_of(old.args[0])
            if ctype.int_type(S.ctype(t)) is None:
                raise _Refuse("c-types", f"xp_cast to {t}: no C conversion known", self._near(g, old))
            if src is None or (ctype.float_rank(src) is None and ctype.int_type(src) is None):
                raise _Refuse("c-types", f"xp_cast to {t} from an operand of unknown type", self._near(g, old))
            if ctype.float_rank(src) is not None:
                return ir.Call(ir.Name(self._f2i(t)), [ir.Cast(ir.Named("double"), new.args[0])])
            return ir.Cast(S.ctype(t), new.args[0])

        return ir.transform(g, fn, with_original=True)

    def _f2i(self, t: str) -> str:
        """``xp_f2i_T``: a floating value to integer type T as xp_cast does (toward zero, NaN
        to 0, beyond +-9.2e18 clamped, then wrapped to T's width)."""
        name = f"xp_f2i_{_ident(t)}"
        if name not in self.helpers:
            self.helpers[name] = (
                f"static inline {t} {name}(double d) {{\n"
                f"    if (d != d) return ({t})0;\n"
                f"    d = trunc(d);\n"
                f"    if (d >= 9.2e18) d = 9.2e18;\n"
                f"    if (d <= -9.2e18) d = -9.2e18;\n"
                f"    return ({t})(unsigned long long)(long long)d;\n"
                f"}}")
        return name


#: GPU dialects are detensorized before loop_recovery, per thread: the categories left for
#: loop_recovery (barriers, lane collectives, tile operations) stay calls
_PER_THREAD = {"cuda": ("sync", "shuffle", "vote", "reduction", "wmma", "misc"),
               "hip": ("sync", "shuffle", "vote", "reduction", "mfma", "misc")}

_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
#: headers host code still needs until host_code carries it (CNRT)
_HOST_HEADERS = {"bang": ("cnrt.h", "cn_api.h", "cnrt_data.h")}


def _platform_include(item: ir.Node, module: ir.Module) -> bool:
    """An ``#include`` of the source platform's header that nothing on the hub needs (the
    intrinsics are loops now; the hub's declarations come with the module)."""
    if not isinstance(item, ir.Directive):
        return False
    m = _INCLUDE.match(item.text)
    if not m or headers.platform_of(m.group(1)) != module.dialect:
        return False
    hosts = [g for g in module.functions if g.body is not None and g.kind == "host" and not g.is_kernel]
    return not (hosts and m.group(1) in _HOST_HEADERS.get(module.dialect, ()))


#: the types <cstddef> and <cstdint> declare in std:: that <stddef.h> and <stdint.h> declare
#: at file scope
STD_C_TYPES = frozenset({"size_t", "ptrdiff_t", "max_align_t", "int8_t", "int16_t", "int32_t", "int64_t",
                         "uint8_t", "uint16_t", "uint32_t", "uint64_t", "intptr_t", "uintptr_t", "intmax_t",
                         "uintmax_t"})


def _std_type(n: ir.Node) -> None:
    """``std::size_t`` (and the other <cstddef>/<cstdint> types) spelled as C spells them."""
    if isinstance(n, ir.Named) and n.name.startswith("std::") and n.name[5:] in STD_C_TYPES:
        n.name = n.name[5:]


def _to_c_forms(g: ir.Function) -> ir.Function:
    """The C++ forms the hub spells in C: ``std::size_t`` as ``size_t``, and ``if (T v = e)
    A else B`` as ``{ T v = e; if (v) A else B }`` (the block gives ``v`` the scope it had:
    both branches and nothing after); the declaration is then an ordinary statement whose
    intrinsic calls expand before it."""
    if not any((isinstance(n, ir.If) and n.decl is not None) or
               (isinstance(n, ir.Named) and n.name.startswith("std::")) for n in g.walk()):
        return g

    def fn(new: ir.Node):
        _std_type(new)
        if isinstance(new, ir.If) and new.decl is not None:
            decl, new.decl = new.decl, None
            return ir.Block([ir.Decl([decl], span=new.span), new], span=new.span,
                            blank_before=new.blank_before)
        return None

    return ir.transform(g, fn, origin="detensorize")


def _declared_or_used(n: ir.Node) -> list[str]:
    if isinstance(n, (ir.Name, ir.VarDecl, ir.Function, ir.Param)):
        return [n.name]
    return []


def _pure(e: Optional[ir.Expr], det: Optional["_Detensorizer"] = None) -> bool:
    """No assignment, increment or call other than C's math functions in ``e``."""
    if e is None:
        return True
    for x in e.walk():
        if isinstance(x, ir.Assign) or (isinstance(x, ir.Unary) and x.op in ("++", "--")):
            return False
        if isinstance(x, ir.Call):
            it = dialects.get("c").intrinsic(_callee(x) or "")
            if it is None or it.category != "math":
                return False
    return True


#: what <stdint.h> names are (the overload of an intrinsic is chosen by the canonical type:
#: int8_t is signed char, never plain char)
_STDINT = {"int8_t": "signed char", "uint8_t": "unsigned char", "int16_t": "short", "uint16_t": "unsigned short",
           "int32_t": "int", "uint32_t": "unsigned int", "int64_t": "long", "uint64_t": "unsigned long"}


def _canonical(t: Optional[ir.CType]) -> Optional[ir.CType]:
    if t is None:
        return None
    t = ir.clone(t)
    for n in t.walk():
        if isinstance(n, ir.Named) and n.canonical is None and n.name in _STDINT:
            n.canonical = _STDINT[n.name]
    return t


def _unqual(t: ir.CType) -> ir.CType:
    t = ir.clone(t)
    if isinstance(t, (ir.Named, ir.Pointer)):
        t.const = False
    if isinstance(t, ir.Reference):
        t = t.pointee
    return t


def _drop_dead_temps(exp: S.Expansion) -> list[ir.Stmt]:
    """The expansion's statements without the temporaries of parameters its snippet never
    reads (``mluMemcpyDirection_t xp3_dir = GDRAM2NRAM;``: a BANG type the hub lacks)."""
    out = []
    for i, s in enumerate(exp.stmts):
        if isinstance(s, ir.Decl) and len(s.vars) == 1 and _pure(s.vars[0].init):
            name = s.vars[0].name
            rest = exp.stmts[i + 1:] + ([ir.ExprStmt(exp.result)] if exp.result is not None else [])
            if not any(isinstance(n, ir.Name) and n.name == name for r in rest for n in r.walk()):
                continue
        out.append(s)
    return out
