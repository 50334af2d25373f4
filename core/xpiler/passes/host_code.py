"""``host_code``: host functions that allocate, copy and launch come along to the target's
runtime, so the translated file is a drop-in replacement (its wrapper keeps its name and
signature).

    before (CUDA host wrapper; the kernel already bound to BANG):
        float *d; cudaMalloc((void **)&d, bytes); cudaMemcpy(d, x, bytes, cudaMemcpyHostToDevice);
        k<<<blocks, 256>>>(d, n); cudaMemcpy(x, d, bytes, cudaMemcpyDeviceToHost); cudaFree(d);
    after (target bang):
        cnrtQueue_t xp_queue; cnrtQueueCreate(&xp_queue);
        float *d; cnrtMalloc((void **)&d, bytes); cnrtMemcpy(d, x, bytes, cnrtMemcpyHostToDev);
        cnrtDim3_t xp_dim = {16, 1, 1}; k<<<xp_dim, cnrtFuncTypeUnion4, xp_queue>>>(d, n); cnrtQueueSync(xp_queue);
        cnrtMemcpy(x, d, bytes, cnrtMemcpyDevToHost); cnrtFree(d); cnrtQueueDestroy(xp_queue);
    after (target c): d = (float *)malloc(bytes) ... memcpy(...) ... k(d, n); ... free(d)

On BANG the host function ``bind`` writes for a kernel that allocated heap buffers
(allocate the GDRAM workspaces with ``cnrtMalloc``, launch the device kernel, free them)
is carried the same way: its launch gets the queue, the task dimension and type, and a
``cnrtQueueSync`` before the workspaces are freed.

The runtime calls are read and written through ``dialects/runtime_api.py`` (one neutral
vocabulary: malloc, free, memcpy with a direction, memset, sync, errors). For C and VNNI,
device memory is host memory and a launch is a call; every runtime call keeps a value
(success, 0) so error checks around it still compile. A kernel launch takes the target
launch that ``bind`` wrote on the kernel (task dimension and type on BANG, grid and block
on CUDA/HIP); grid-sized launches from BANG to a GPU use the bound launch.

Preconditions: ``bound`` (the launched kernels carry the target's launch: run ``bind``
first), ``known-api`` (every runtime call has an equivalent in the target).
"""
from __future__ import annotations

from typing import Iterator, Optional

from .. import ir, spec
from ..dialects import runtime_api, semantics
from .base import Pass, Precondition, Refusal, register


def _calls(f: ir.Function) -> Iterator[tuple[ir.Call, str, str]]:
    for n in f.body.walk():
        if isinstance(n, ir.Call) and isinstance(n.callee, ir.Name):
            o = runtime_api.op(n.callee.name)
            if o is not None:
                yield n, o[0], o[1]


def _launches(f: ir.Function) -> list[ir.Launch]:
    return [n for n in f.body.walk() if isinstance(n, ir.Launch)]


def _kernel_name(l: ir.Launch) -> str:
    return l.kernel.name.split("<", 1)[0] if isinstance(l.kernel, ir.Name) else ""


@register
class HostCode(Pass):
    """Carry host code (allocation, copies, launches) to the target's runtime.

        before:  cudaMalloc((void **)&d, b); k<<<g, 256>>>(d, n); cudaFree(d);      (kernel bound to C)
        after:   (d = (float *)malloc(b), 0); k(d, n); (free(d), 0);
    """

    name = "host_code"
    stage = "lower"
    requires = (Precondition("bound", "every launched kernel carries the target's launch (run bind first)"),
                Precondition("known-api", "every runtime call has an equivalent in the target"))

    def _hosts(self, module: ir.Module) -> list[ir.Function]:
        return [f for f in module.functions if f.body is not None and not f.is_kernel and f.kind == "host"
                and (_launches(f) or any(True for _ in _calls(f)))]

    def preconditions(self, module: ir.Module, target: Optional[str], **params) -> Iterator[Refusal]:
        for f in self._hosts(module):
            for l in _launches(f):
                k = module.function(_kernel_name(l))
                if target not in ("c", "vnni") and (k is None or not k.annotations.get("launch")):
                    yield self.refuse("bound", f"{_kernel_name(l)} has no {target} launch", l)
                    return
            for call, d, o in _calls(f):
                if d == target:
                    continue
                if o == "device_attribute" and not (len(call.args) == 3 and isinstance(call.args[1], ir.Name) and
                                                    runtime_api.op(call.args[1].name) == (d, "attr_warp_size")):
                    yield self.refuse("known-api", f"{call.callee.name} is carried for the warp size only", call)
                    return
                if runtime_api.has_device(target) and o not in runtime_api.API[target] and \
                        o not in ("last_error", "peek_error", "queue_create", "queue_destroy", "stream_sync",
                                  "sync", "default", "get_device", "device_attribute", "attr_warp_size"):
                    yield self.refuse("known-api", f"{call.callee.name} has no {target} equivalent", call)
                    return

    def rewrite(self, module: ir.Module, target: Optional[str], **params) -> ir.Module:
        kernels = {f.name: f for f in module.functions if f.is_kernel}

        def fn(n: ir.Node):
            if isinstance(n, ir.Function) and n.body is not None and not n.is_kernel and n.kind == "host" and \
                    (_launches(n) or any(True for _ in _calls(n))):
                return _Host(n, target, kernels).run()
            return None

        return self.transform(module, fn)


class _Host:
    def __init__(self, f: ir.Function, target: str, kernels: dict[str, ir.Function]):
        self.f, self.target, self.kernels = f, target, kernels
        self.types = {v.name: v.type for n in f.walk() if isinstance(n, ir.Decl) for v in n.vars}
        self.types.update({p.name: p.type for p in f.params})
        self.queue = "xp_queue"
        self.uses_queue = False
        self.dims: list[ir.Stmt] = []
        self.dropped: set[str] = set()  # launch-configuration variables removed

    def run(self) -> ir.Function:
        f = self.f
        body = ir.transform(f.body, self.expr)
        body = ir.transform(body, self.stmt)
        if self.target == "bang" and self.uses_queue:
            pre = [ir.Decl([ir.VarDecl(self.queue, ir.Named("cnrtQueue_t"))]),
                   ir.ExprStmt(ir.Call(ir.Name("cnrtQueueCreate"), [ir.Unary("&", ir.Name(self.queue))]))]
            body.stmts = pre + self.dims + body.stmts
            if not any(isinstance(n, ir.Return) for n in body.walk()):
                body.stmts.append(ir.ExprStmt(ir.Call(ir.Name("cnrtQueueDestroy"), [ir.Name(self.queue)])))
        f.body = body
        return f

    # --- expressions: runtime calls, constants, types, launches
    def success(self) -> ir.Expr:
        name = runtime_api.spell(self.target, "success")
        return ir.Name(name) if name else ir.IntLit(0)

    def expr(self, n: ir.Node):
        t = self.target
        if isinstance(n, ir.Call) and isinstance(n.callee, ir.Name):
            if n.callee.name in runtime_api.SETUP:
                return self.success()
            o = runtime_api.op(n.callee.name)
            if o is None or o[0] == t:
                return None
            return self.call(n, o[1])
        if isinstance(n, ir.Name):
            o = runtime_api.op(n.name)
            if o is not None and o[0] != t and o[1] in ("success", "h2d", "d2h", "d2d", "h2h", "default"):
                if o[1] == "success":
                    return self.success()
                spelled = runtime_api.spell(t, o[1])
                return ir.Name(spelled) if spelled else ir.IntLit(0)
        if isinstance(n, ir.Named):
            o = runtime_api.op(n.name)
            if o is not None and o[0] != t and o[1] in ("error_t", "stream_t"):
                spelled = runtime_api.spell(t, o[1])
                return ir.Named(spelled or ("int" if o[1] == "error_t" else "void *"), const=n.const)
        if isinstance(n, ir.Launch):
            return self.launch(n)
        return None

    def call(self, n: ir.Call, operation: str) -> ir.Expr:
        t, a = self.target, n.args
        if operation == "get_device" and a and runtime_api.spell(t, "get_device") is None:
            return _then_zero(ir.Assign("=", ir.Unary("*", a[0]), ir.IntLit(0)))  # one device: 0
        if operation == "device_attribute" and len(a) == 3:
            # the warp size the source's kernel was written for: the host's arithmetic with it
            # (block = 2 * wave) keeps its meaning; the target's launch is bind's
            src = runtime_api.op(n.callee.name)[0]
            return _then_zero(ir.Assign("=", ir.Unary("*", a[0]), ir.IntLit(semantics.warp_size(src))))
        if not runtime_api.has_device(t):  # C, VNNI: host memory, calls
            if operation == "malloc" and len(a) == 2:
                p = _target_of(a[0])
                cast = self.types.get(p.name) if isinstance(p, ir.Name) else None
                value = ir.Call(ir.Name("malloc"), [a[1]])
                if cast is not None:
                    value = ir.Cast(ir.clone(cast), value)
                return _then_zero(ir.Assign("=", p, value))
            if operation == "free":
                return _then_zero(ir.Call(ir.Name("free"), a[:1]))
            if operation == "memcpy" and len(a) >= 3:
                return _then_zero(ir.Call(ir.Name("memcpy"), a[:3]))
            if operation == "memset" and len(a) >= 3:
                return _then_zero(ir.Call(ir.Name("memset"), a[:3]))
            if operation == "error_string":
                return ir.StringLit('"device error"')
            return ir.IntLit(0)  # sync, errors, queues: nothing to do on the host
        name = runtime_api.spell(t, operation)
        if operation in ("sync", "stream_sync"):
            if t == "bang":
                self.uses_queue = True
                return ir.Call(ir.Name(name), [ir.Name(self.queue)])
            return ir.Call(ir.Name(runtime_api.spell(t, "sync")), [])
        if operation in ("last_error", "peek_error", "queue_create", "queue_destroy") and name is None:
            return self.success()
        if operation == "memcpy" and len(a) == 4:
            if t == "bang":  # cnrtMemcpy takes plain void * for both ends
                return ir.Call(ir.Name(name), [_void(a[0]), _void(a[1]), a[2], a[3]])
            return ir.Call(ir.Name(name), list(a[:4]))
        return ir.Call(ir.Name(name), list(a))

    def launch(self, n: ir.Launch) -> ir.Expr:
        kname = _kernel_name(n)
        if not runtime_api.has_device(self.target):
            return ir.Call(ir.Name(kname), list(n.args))
        k = self.kernels.get(kname)
        text = k.annotations.get("launch") if k is not None else None
        launch = spec.parse_launch(text, self.target) if text else None
        if self.target == "bang":
            self.uses_queue = True
            dim = f"xp_dim_{kname}"
            if launch is None:
                launch = spec.BangLaunch((1, 1, 1), "block")
            if not any(isinstance(s, ir.Decl) and s.vars[0].name == dim for s in self.dims):
                self.dims.append(ir.Decl([ir.VarDecl(dim, ir.Named("cnrtDim3_t"),
                                                     ir.InitList([ir.IntLit(x) for x in launch.dim]))]))
            ktype = "cnrtFuncTypeBlock" if launch.type == "block" else f"cnrtFuncTypeUnion{launch.union}"
            return ir.Launch(ir.Name(kname), [ir.Name(dim), ir.Name(ktype), ir.Name(self.queue)], list(n.args))
        if launch is None:
            return None
        grid = ir.Call(ir.Name("dim3"), [ir.IntLit(x) for x in launch.grid])
        block = ir.Call(ir.Name("dim3"), [ir.IntLit(x) for x in launch.block])
        return ir.Launch(ir.Name(kname), [grid, block], list(n.args), style="chevron")

    # --- statements: a sync after each launch on BANG; dim3 declarations C cannot hold
    def stmt(self, n: ir.Node):
        if isinstance(n, ir.ExprStmt) and isinstance(n.expr, ir.Binary) and n.expr.op == "," and \
                isinstance(n.expr.rhs, ir.IntLit) and n.expr.rhs.value == 0:
            return ir.ExprStmt(n.expr.lhs, span=n.span)  # a call's success value unused: the call alone
        if isinstance(n, ir.ExprStmt) and isinstance(n.expr, ir.Launch) and self.target == "bang":
            return [n, ir.ExprStmt(ir.Call(ir.Name("cnrtQueueSync"), [ir.Name(self.queue)]))]
        if isinstance(n, ir.Decl):
            # launch configuration variables of another platform (their launches were rewritten)
            gone = {"dim3"} if self.target != "cuda" and self.target != "hip" else set()
            if self.target != "bang":
                gone |= {"cnrtDim3_t", "cnrtFunctionType_t"}
            keep = [v for v in n.vars if not (isinstance(v.type, ir.Named) and v.type.name.replace("const ", "")
                                              in gone)]
            if len(keep) != len(n.vars):
                self.dropped |= {v.name for v in n.vars if v not in keep}
                return ir.Decl(keep, span=n.span) if keep else []
        if isinstance(n, ir.ExprStmt) and isinstance(n.expr, ir.Assign) and self.dropped:
            base = n.expr.target  # dim.x = 8; on a dropped launch-configuration variable
            while isinstance(base, (ir.Member, ir.Index)):
                base = base.base
            if isinstance(base, ir.Name) and base.name in self.dropped:
                return []
        return None


def _target_of(e: ir.Expr) -> ir.Expr:
    """``p`` in ``(void **)&p``."""
    while isinstance(e, ir.Cast):
        e = e.operand
    if isinstance(e, ir.Unary) and e.op == "&":
        return e.operand
    return ir.Unary("*", e)


def _void(e: ir.Expr) -> ir.Expr:
    return ir.Cast(ir.Pointer(ir.Named("void")), e)


def _then_zero(e: ir.Expr) -> ir.Expr:
    """``(e, 0)``: the call's value stays an error code meaning success."""
    return ir.Binary(",", e, ir.IntLit(0))


