"""``inline_calls``: calls from kernels to the file's device functions are replaced by the
functions' bodies, so loop recovery sees every thread index and barrier in one body.

    before:
        template <int N> __device__ float twice(float v) { return v * N; }
        __global__ void k(float *x) { x[threadIdx.x] = twice<2>(x[threadIdx.x]); }
    after:
        __global__ void k(float *x) {
            float twice_r;
            {
                float v_1 = x[threadIdx.x];
                twice_r = v_1 * 2;
            }
            x[threadIdx.x] = twice_r;
        }

Value parameters become locals initialised from the arguments (evaluated once, in order;
an array parameter, ``__m512 r[16]``, is the pointer C makes of it), reference parameters
(``float &acc``) name the argument itself, template parameters are replaced by the call's
template arguments (or, for a type parameter, the argument's declared type). Every local of
the body is renamed so it cannot capture the caller's names. A ``return`` at the end of the
body, or at the end of a branch of a top-level ``if``, becomes an assignment to the result
and the rest of the body goes under the opposite condition. Returns elsewhere (in a loop, a
``switch``, a nested branch) become the assignment, a flag and ``break``::

    for (i = 0; i < n; ++i)                 int f_done1 = 0;
        if (x[i] > t) return i;      ->     for (i_1 = 0; i_1 < n_1; ++i_1)
    return -1;                                  if (x_1[i_1] > t_1) { f_r1 = i_1; f_done1 = 1; break; }
                                            if (!f_done1) { f_r1 = -1; f_done1 = 1; }

``break`` leaves the innermost loop or switch; after a loop or switch that may have
returned, an enclosing one is left too (``if (done) break;``) and the statements after it
at the top run under ``if (!done)``; the flag is left out where nothing tests it. A
``static_assert`` that holds is dropped.

Device functions that nothing calls afterwards are removed. A template kernel launched
with one set of template arguments (``k<float><<<g, b>>>``) becomes that instance.

Preconditions: ``call-position`` (the call is a statement, the right side of an assignment
or initialisation, or inside the condition of an ``if``: positions evaluated once and
unconditionally, so moving the call before its statement changes nothing), ``returns``
(structured control around every return: no ``goto`` or label, no ``case`` label inside a
nested statement of its switch), ``template-args`` (every template parameter bound),
``recursion`` (inlining terminates within 8 levels).
"""
from __future__ import annotations

import re
from typing import Iterator, Optional

from .. import evaluate, ir
from ..returns import has_return as _has_return, ReturnFlag
from .base import Param, Pass, Precondition, Refusal, Space, fresh_name, register

MAX_DEPTH = 8


def _callee(n: ir.Node) -> Optional[tuple[str, Optional[str]]]:
    """(name, template argument text or None) of a call by name."""
    if isinstance(n, ir.Call) and isinstance(n.callee, ir.Name):
        m = re.fullmatch(r"\s*([A-Za-z_][\w:]*)\s*(?:<(.*)>)?\s*", n.callee.name, re.S)
        if m:
            return m.group(1), m.group(2)
    return None


def _template_params(text: Optional[str]) -> list[tuple[str, str]]:
    """``template <int N, typename T>`` -> [("int", "N"), ("typename", "T")]."""
    if not text:
        return []
    m = re.search(r"<(.*)>", text, re.S)
    out = []
    for part in _split_top(m.group(1) if m else ""):
        part = part.split("=", 1)[0].strip()
        words = part.split()
        if len(words) >= 2:
            out.append((" ".join(words[:-1]), words[-1]))
    return out


def _split_top(text: str) -> list[str]:
    """Split on commas outside brackets."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "<([{":
            depth += 1
        elif ch in ">)]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return [p.strip() for p in out]


def _returning(s: Optional[ir.Stmt]) -> Optional[tuple[list[ir.Stmt], Optional[ir.Expr]]]:
    """(statements before the return, returned value) when branch ``s`` ends in a return."""
    if isinstance(s, ir.Return):
        return [], s.value
    if isinstance(s, ir.Block) and s.stmts:
        for k, x in enumerate(s.stmts):
            if isinstance(x, ir.Return):
                return s.stmts[:k], x.value
    return None


def _returns_ok(stmts: list[ir.Stmt]) -> Optional[ir.Node]:
    """The first return the rewriting cannot place (inside a loop or a nested branch)."""
    allowed: set[int] = set()
    for s in stmts:
        if isinstance(s, ir.Return):
            allowed.add(id(s))
        elif isinstance(s, ir.If):
            for br in (s.then, s.other):
                if isinstance(br, ir.Return):
                    allowed.add(id(br))
                elif isinstance(br, ir.Block):
                    allowed |= {id(x) for x in br.stmts if isinstance(x, ir.Return)}
    for s in stmts:
        for n in s.walk():
            if isinstance(n, ir.Return) and id(n) not in allowed:
                return n
    return None


@register
class InlineCalls(Pass):
    """Inline the file's device functions into the kernels that call them.

        before:  __device__ float twice(float v) { return 2 * v; }
                 __global__ void k(float *x) { x[0] = twice(x[0]); }
        after:   __global__ void k(float *x) { float twice_r; { float v_1 = x[0]; twice_r = 2 * v_1; }
                                               x[0] = twice_r; }
    """

    name = "inline_calls"
    stage = "lift"
    params = (Param("kernel", Space("name", doc="a kernel of the module"), "inline into this kernel only", default=""),)
    requires = (
        Precondition("call-position", "each call is a statement, the value of an assignment or initialisation, or "
                                      "in an if's condition (evaluated once, unconditionally)"),
        Precondition("returns", "every return of a called function is in structured code (no goto or label, no case "
                                "label inside a nested statement of its switch)"),
        Precondition("template-args", "every template parameter of a called function is bound"),
        Precondition("recursion", f"inlining ends within {MAX_DEPTH} levels"),
    )

    def _device(self, module: ir.Module) -> dict[str, ir.Function]:
        """The functions a kernel may call: device functions, and in C and VNNI files (where
        nothing marks them) every function of the file that is not a kernel."""
        plain = module.dialect in ("c", "vnni")
        return {f.name: f for f in module.functions if f.body is not None and not f.is_kernel and
                (f.kind in ("device", "host_device") or plain)}

    def preconditions(self, module: ir.Module, target: Optional[str], kernel: str = "") -> Iterator[Refusal]:
        for k, args in self._instances(module).items():
            if len(args) > 1:
                yield self.refuse("template-args", f"template kernel {k} is launched as {len(args)} different "
                                                   f"instances ({', '.join(sorted(args))}); translate one at a time")
                return
        device = self._device(module)
        for f in module.kernels:
            if kernel and f.name != kernel:
                continue
            yield from self._check(f.body, device, 0)

    def _instances(self, module: ir.Module) -> dict[str, set[str]]:
        """Template kernels and the template arguments their launches give."""
        out: dict[str, set[str]] = {}
        templ = {f.name for f in module.kernels if f.template}
        file_consts = module_constants(module)
        for g in module.functions:
            if g.body is None:
                continue
            env: Optional[dict[str, int]] = None
            for n in g.body.walk():
                if isinstance(n, ir.Launch) and isinstance(n.kernel, ir.Name):
                    c = _callee(ir.Call(n.kernel, []))
                    if c and c[0] in templ:
                        if env is None:  # the host's own constants: k<kBlock> is k<256>
                            env = local_constants(g.body, file_consts)
                        out.setdefault(c[0], set()).add(_resolved_args(c[1] or "", env))
        return out

    def _specialize(self, module: ir.Module) -> ir.Module:
        """A template kernel launched with one set of template arguments (``k<float><<<...>>>``)
        becomes that instance, keeping its name (the launch drops the arguments)."""
        inst = {k: next(iter(v)) for k, v in self._instances(module).items() if len(v) == 1 and next(iter(v))}
        if not inst:
            return module

        def fn(n: ir.Node):
            if isinstance(n, ir.Function) and n.name in inst and n.template:
                args = _split_top(inst[n.name])
                types, exprs = {}, {}
                for (kind, pname), a in zip(_template_params(n.template), args):
                    if kind in ("typename", "class"):
                        types[pname] = ir.Named(a)
                    else:
                        exprs[pname] = _parse_expr(a)

                def sub(x: ir.Node):
                    if isinstance(x, ir.Named) and x.name in types:
                        t = ir.clone(types[x.name])
                        t.const = t.const or x.const
                        return t
                    if isinstance(x, ir.Name) and x.name in exprs:
                        return ir.clone(exprs[x.name])
                    return None

                new = ir.transform(n, sub)
                new.template = None
                return new
            if isinstance(n, ir.Launch) and isinstance(n.kernel, ir.Name):
                c = _callee(ir.Call(n.kernel, []))
                if c and c[0] in inst:
                    n.kernel = ir.Name(c[0])
            return None

        return self.transform(module, fn)

    def _check(self, body: ir.Node, device: dict, depth: int) -> Iterator[Refusal]:
        ok_calls = _placeable_calls(body)
        for n in body.walk():
            c = _callee(n)
            if c is None or c[0] not in device:
                continue
            f = device[c[0]]
            if depth >= MAX_DEPTH:
                yield self.refuse("recursion", f"{c[0]} is still called after {MAX_DEPTH} levels of inlining", n)
                return
            if id(n) not in ok_calls:
                yield self.refuse("call-position", f"the call to {c[0]} is where moving it before its statement "
                                                   f"would change what runs (a loop header, a short-circuit "
                                                   f"operand, a ternary or a nested call)", n)
                return
            bad = _returns_placeable(f.body)
            if bad is not None:
                yield self.refuse("returns", f"{c[0]} returns {bad[0]}", bad[1])
                return
            tparams = _template_params(f.template)
            targs = _split_top(c[1]) if c[1] is not None else []
            for k, (kind, name) in enumerate(tparams):
                if k >= len(targs) and kind not in ("typename", "class"):
                    yield self.refuse("template-args", f"template parameter {name} of {c[0]} is not given", n)
                    return
            yield from self._check(f.body, device, depth + 1)

    def rewrite(self, module: ir.Module, target: Optional[str], kernel: str = "") -> ir.Module:
        module = self._specialize(module)
        device = self._device(module)
        counter = [0]
        consts = module_constants(module)

        def fn(n: ir.Node):
            if isinstance(n, ir.Function) and n.is_kernel and n.body is not None and (not kernel or n.name == kernel):
                body = n.body
                for _ in range(MAX_DEPTH):
                    new = _Inliner(device, counter, n, consts).block(body)
                    if new is None:
                        break
                    body = new
                n.body = body
            return None

        out = self.transform(module, fn)
        # device functions nothing calls any more go (their bodies live on in the kernels),
        # until none is left that only another unused one called
        while True:
            used = {c[0] for f in out.functions if f.body is not None for n in f.body.walk() if (c := _callee(n))}
            items = [i for i in out.items if not (isinstance(i, ir.Function) and i.name in device
                                                  and i.name not in used)]
            if len(items) == len(out.items):
                return out
            out.items = items


def _placeable_calls(body: ir.Node) -> set[int]:
    """Ids of the calls at positions where hoisting them before their statement is exact:
    anywhere in a statement's expression, an initialiser, an if's condition or a return
    value, except under ``&&``, ``||``, ``?:`` or ``,`` (evaluated conditionally or in
    order) and except inside a loop header."""
    ok: set[int] = set()

    def visit(e: Optional[ir.Node]) -> None:
        if e is None:
            return
        if isinstance(e, ir.Call):
            ok.add(id(e))
        if isinstance(e, ir.Ternary) or (isinstance(e, ir.Binary) and e.op in ("&&", "||", ",")):
            return
        for c in e.children():
            if isinstance(c, ir.Expr):
                visit(c)

    for n in body.walk():
        if isinstance(n, ir.ExprStmt):
            visit(n.expr)
        elif isinstance(n, ir.Decl):
            for v in n.vars:
                visit(v.init)
        elif isinstance(n, ir.If):
            visit(n.cond)
        elif isinstance(n, ir.Return):
            visit(n.value)
        elif isinstance(n, ir.For) and isinstance(n.init, (ir.Decl, ir.ExprStmt)):
            for x in n.init.walk():  # a loop's init is evaluated once: not a header to avoid
                if isinstance(x, ir.Call):
                    ok.discard(id(x))
    return ok


class _Inliner:
    """One round: each statement holding calls to device functions gets their bodies before it."""

    def __init__(self, device: dict[str, ir.Function], counter: list[int], caller: ir.Function,
                 consts: dict[str, int]):
        self.device, self.counter, self.caller, self.consts = device, counter, caller, consts
        self.types: dict[str, ir.CType] = {p.name: p.type for p in caller.params}
        for n in caller.walk():
            if isinstance(n, ir.Decl):
                for v in n.vars:
                    self.types.setdefault(v.name, v.type)

    def block(self, b: ir.Block) -> Optional[ir.Block]:
        changed = [False]

        def fn(n: ir.Node):
            if isinstance(n, ir.Block):
                out: list[ir.Stmt] = []
                for s in n.stmts:
                    pre, s2 = self.stmt(s)
                    if pre:
                        changed[0] = True
                    out += pre + [s2]
                n.stmts = out
            elif isinstance(n, (ir.If, ir.For, ir.While, ir.DoWhile)):
                for attr in ("then", "other", "body"):  # single statements holding calls get a block
                    s = getattr(n, attr, None)
                    if s is not None and not isinstance(s, ir.Block) and self._calls(s):
                        pre, s2 = self.stmt(s)
                        if pre:
                            changed[0] = True
                            setattr(n, attr, ir.Block(pre + [s2]))
            return None

        out = ir.transform(b, fn)
        return out if changed[0] else None

    def _calls(self, s: ir.Stmt) -> list[ir.Call]:
        """The device calls of ``s`` itself (not inside nested statements), in order."""
        if isinstance(s, ir.ExprStmt):
            roots: list[ir.Node] = [s.expr]
        elif isinstance(s, ir.Decl):
            roots = [v.init for v in s.vars if v.init is not None]
        elif isinstance(s, ir.If):
            roots = [s.cond]
        elif isinstance(s, ir.Return):
            roots = [s.value] if s.value is not None else []
        else:
            return []
        out = []
        for r in roots:
            for n in r.walk():
                c = _callee(n)
                if c and c[0] in self.device:
                    out.append(n)
        return out

    def stmt(self, s: ir.Stmt) -> tuple[list[ir.Stmt], ir.Stmt]:
        calls = self._calls(s)
        if not calls:
            return [], s
        call = calls[-1]  # innermost-last: an argument's own call is inlined in a later round
        inner = [c for c in calls if c is not call and any(x is call for x in c.walk())]
        if inner:
            call = calls[0]
        pre, result = self.expand(call)
        if result is None:
            if isinstance(s, ir.ExprStmt) and s.expr is call:
                return pre, ir.Empty()
            result = ir.IntLit(0)

        def swap(n: ir.Node, old: ir.Node):
            return result if old is call else None

        return pre, ir.transform(s, swap, with_original=True)

    def expand(self, call: ir.Call) -> tuple[list[ir.Stmt], Optional[ir.Expr]]:
        name, targs_text = _callee(call)
        f = self.device[name]
        self.counter[0] += 1
        tag = self.counter[0]
        tparams = _template_params(f.template)
        targs = _split_top(targs_text) if targs_text is not None else []
        subst_expr: dict[str, ir.Expr] = {}
        subst_type: dict[str, ir.CType] = {}
        for k, (kind, pname) in enumerate(tparams):
            if kind in ("typename", "class"):
                if k < len(targs):
                    subst_type[pname] = ir.Named(targs[k])
                else:
                    t = self._deduce(f, pname, call)
                    if t is not None:
                        subst_type[pname] = t
            elif k < len(targs):
                subst_expr[pname] = _parse_expr(targs[k])
        stmts: list[ir.Stmt] = []
        renames: dict[str, str] = {}
        refs: dict[str, ir.Expr] = {}
        for i, p in enumerate(f.params):
            if i < len(call.args):
                arg = call.args[i]
            elif p.default is not None:  # an argument left out takes the parameter's default
                arg = ir.clone(p.default)
            else:
                break
            if isinstance(p.type, ir.Reference):
                refs[p.name] = arg
                continue
            local = f"{p.name}_{tag}"
            renames[p.name] = local
            stmts.append(ir.Decl([ir.VarDecl(local, _subst_type(_strip_const_ref(_decay(p.type)), subst_type), arg)]))
        # locals of the body get fresh names
        for n in f.body.walk():
            if isinstance(n, ir.Decl):
                for v in n.vars:
                    renames.setdefault(v.name, f"{v.name}_{tag}")
        result_name = f"{name.split('::')[-1]}_r{tag}" if _returns_value(f) else None

        def fn(n: ir.Node):
            if isinstance(n, ir.Name):
                if n.name in refs:
                    return ir.clone(refs[n.name])
                if n.name in subst_expr:
                    return ir.clone(subst_expr[n.name])
                if n.name in renames:
                    return ir.Name(renames[n.name])
            if isinstance(n, ir.VarDecl) and n.name in renames:
                n.name = renames[n.name]
            if isinstance(n, ir.Named) and n.name in subst_type:
                t = ir.clone(subst_type[n.name])
                t.const = t.const or n.const
                return t
            return None

        body = ir.transform(f.body, fn)
        body_stmts = [s for s in body.stmts if not _holds(s, self.consts)]
        if _returns_ok(body_stmts) is None:
            inlined = _rewrite_returns(body_stmts, result_name)
        else:  # returns inside loops, switches or nested branches: a flag and breaks
            taken = set(self.types) | set(renames.values()) | ({result_name} if result_name else set())
            done = fresh_name(f"{name.split('::')[-1]}_done{tag}", taken)
            inlined = ReturnFlag(result_name, done).lower(body_stmts)
        out: list[ir.Stmt] = []
        if result_name is not None:
            out.append(ir.Decl([ir.VarDecl(result_name, _subst_type(_strip_const_ref(f.ret), subst_type))]))
        out.append(ir.Block(stmts + inlined))
        return out, (ir.Name(result_name) if result_name else None)

    def _deduce(self, f: ir.Function, tparam: str, call: ir.Call) -> Optional[ir.CType]:
        """A type template parameter from the argument whose parameter is declared with it."""
        for p, arg in zip(f.params, call.args):
            t = p.type.pointee if isinstance(p.type, (ir.Reference, ir.Pointer)) else p.type
            if isinstance(t, ir.Named) and t.name == tparam:
                at = self.types.get(arg.name) if isinstance(arg, ir.Name) else None
                if isinstance(p.type, ir.Pointer) and isinstance(at, ir.Pointer):
                    at = at.pointee
                if isinstance(at, ir.Named):
                    return ir.Named(at.name)
                if isinstance(arg, ir.FloatLit):
                    return ir.Named("float" if arg.text.lower().endswith("f") else "double")
                if isinstance(arg, ir.IntLit):
                    return ir.Named("int")
        return None


def module_constants(module: ir.Module) -> dict[str, int]:
    """File-scope ``const``/``constexpr`` integers with constant initialisers."""
    env: dict[str, int] = {}
    for item in module.items:
        if isinstance(item, ir.Decl):
            for v in item.vars:
                const = "constexpr" in v.specifiers or (isinstance(v.type, ir.Named) and v.type.const)
                if const and v.init is not None:
                    try:
                        val = evaluate.evaluate(v.init, env)
                    except evaluate.Unknown:
                        continue
                    if isinstance(val, int):
                        env[v.name] = val
    return env


def local_constants(body: ir.Block, env: Optional[dict[str, int]] = None) -> dict[str, int]:
    """``env`` and the locals of ``body`` declared ``constexpr`` or ``const`` with an integer
    initialiser C can evaluate from the constants before them, never assigned."""
    written = {n.target.name for n in body.walk() if isinstance(n, ir.Assign) and isinstance(n.target, ir.Name)}
    out = dict(env or {})
    for n in body.walk():
        if not isinstance(n, ir.VarDecl) or n.init is None or n.name in written:
            continue
        if not ("constexpr" in n.specifiers or (isinstance(n.type, ir.Named) and n.type.const)):
            continue
        try:
            v = evaluate.evaluate(n.init, out)
        except evaluate.Unknown:
            continue
        if isinstance(v, int):
            out[n.name] = int(v)
    return out


def _holds(s: ir.Stmt, consts: dict[str, int]) -> bool:
    """A static_assert whose condition evaluates true (dropped)."""
    if isinstance(s, ir.ExprStmt) and isinstance(s.expr, ir.Call) and isinstance(s.expr.callee, ir.Name) and \
            s.expr.callee.name == "static_assert" and s.expr.args:
        try:
            return bool(evaluate.evaluate(s.expr.args[0], dict(consts)))
        except evaluate.Unknown:
            return False
    return False


def _returns_value(f: ir.Function) -> bool:
    return not (isinstance(f.ret, ir.Named) and f.ret.name == "void")


def _rewrite_returns(stmts: list[ir.Stmt], result: Optional[str]) -> list[ir.Stmt]:
    """Returns (at the end, or ending a top-level if's branch) become assignments to
    ``result``; what follows a returning branch runs under the opposite condition."""

    def give(value: Optional[ir.Expr]) -> list[ir.Stmt]:
        if result is None or value is None:
            return []
        return [ir.ExprStmt(ir.Assign("=", ir.Name(result), value))]

    for i, s in enumerate(stmts):
        if isinstance(s, ir.Return):
            return stmts[:i] + give(s.value)
        if isinstance(s, ir.If):
            then_r, other_r = _returning(s.then), _returning(s.other)
            if then_r is None and other_r is None:
                continue
            rest = stmts[i + 1:]
            then = then_r[0] + give(then_r[1]) if then_r is not None else _stmts(s.then) + rest
            other = other_r[0] + give(other_r[1]) if other_r is not None else _stmts(s.other) + rest
            then = _rewrite_returns(then, result) if then_r is None else then
            other = _rewrite_returns(other, result) if other_r is None else other
            return stmts[:i] + [ir.If(s.cond, ir.Block(then), ir.Block(other) if other else None)]
    return stmts


def _returns_placeable(body: ir.Block) -> Optional[tuple[str, ir.Node]]:
    """Why a return of ``body`` cannot become an assignment (with the node), or None. The
    flag rewriting needs structured control: no statement kept verbatim (a ``goto``, a
    label), no ``case`` label outside its switch's own block."""
    if _returns_ok(body.stmts) is None:
        return None
    for n in body.walk():
        if isinstance(n, ir.OpaqueStmt):
            return "near a statement the IR keeps verbatim", n
        if isinstance(n, ir.Switch) and _has_return(n.body):
            inner = _stmts(n.body)
            ids = {id(x) for x in inner}
            for x in n.body.walk():
                if isinstance(x, ir.Case) and id(x) not in ids and not any(
                        x is y for sw in n.body.walk() if isinstance(sw, ir.Switch) and sw is not n
                        for y in sw.body.walk()):
                    return "from a switch with a case label inside a nested statement", x
    return None


def _stmts(s: Optional[ir.Stmt]) -> list[ir.Stmt]:
    if s is None:
        return []
    return list(s.stmts) if isinstance(s, ir.Block) else [s]


def _strip_const_ref(t: ir.CType) -> ir.CType:
    t = t.pointee if isinstance(t, ir.Reference) else t
    t = ir.clone(t)
    if isinstance(t, (ir.Named, ir.Pointer)):
        t.const = False
    return t


def _decay(t: ir.CType) -> ir.CType:
    """A parameter's type as C adjusts it: an array parameter (``__m512 r[16]``) is a
    pointer to its element, so the local that takes the argument is initialised by the
    array's address (an array cannot be initialised from another)."""
    if isinstance(t, ir.Array):
        return ir.Pointer(ir.clone(t.elem))
    return t


def _subst_type(t: ir.CType, subst: dict[str, ir.CType]) -> ir.CType:
    def fn(n: ir.Node):
        if isinstance(n, ir.Named) and n.name in subst:
            return ir.clone(subst[n.name])
        return None
    return ir.transform(t, fn)




def _resolved_args(text: str, env: dict[str, int]) -> str:
    """Template arguments with the names of integer constants replaced by their values."""
    if not text:
        return text
    parts = []
    for a in _split_top(text):
        e = _parse_expr(a)
        if isinstance(e, ir.Name) and e.name in env:
            a = str(env[e.name])
        parts.append(a.strip())
    return ", ".join(parts)


def _parse_expr(text: str) -> ir.Expr:
    """A template argument as an expression (a literal or a name; anything else verbatim)."""
    t = text.strip()
    if re.fullmatch(r"\d+", t):
        return ir.IntLit(int(t))
    if re.fullmatch(r"[A-Za-z_][\w:]*", t):
        return ir.Name(t)
    return ir.OpaqueExpr(f"({t})")
