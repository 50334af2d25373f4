"""``bind``: the outermost parallel loops of a C-hub kernel run on the target's parallel
hardware; the result is a kernel of the target dialect with its launch.

    before (C hub):                         after (target cuda, block=256):
        void k(float *x, int n) {               __global__ void k(float *x, int n) {
            for (int i = 0; i < n; ++i)             int i0 = blockIdx.x * blockDim.x + threadIdx.x;
                x[i] = 2 * x[i];                    if (i0 < n) { int i = i0; x[i] = 2 * x[i]; }
        }                                       }           // xpiler: launch grid=ceil(n/256) block=256

Per target:
- ``cuda``/``hip``: a flat parallel loop (no parallel loop inside it, no large array)
  goes to the global thread index with a guard (a grid-stride loop where the body
  ``continue``s); perfectly nested parallel loops are collapsed into one index first.
  A parallel loop whose body holds parallel loops, at any depth (the block loop of a
  lifted kernel, a row loop over column loops, the task loop of a lifted BANG kernel
  whose intrinsics became loops), or arrays larger than a thread's stack should hold
  (``PER_THREAD_BYTES``: a BANG task's NRAM), runs one iteration per block
  (``blockIdx.x``, block-stride), and its body is lowered in phases by
  ``_BlockLowering``: parallel loops go to the block's threads; statements that write
  only private scalars run on every thread (same values everywhere, so scalars stay
  private and uniform); other statements (stores, copies through pointers) run on thread
  0, and the scalars they write become ``__shared__``; loops and branches holding
  parallel loops run on every thread with the body lowered the same way; a reduction
  loop gives each thread a partial, combined as a tree in shared memory. The block has
  whole warps (wavefronts on HIP) up to ``block`` threads, from the extents of its parallel
  loops. Barriers go
  only between phases whose accesses conflict (by object: an on-chip array, a shared
  scalar, a pointer parameter, any memory). The body's arrays are ``__shared__`` while
  they fit the target's static shared memory (the table's capacity), else a slice of a
  ``__device__`` scratch array per block; a parallel loop's per-iteration arrays above
  ``PER_THREAD_BYTES`` get a scratch slice per thread (scratch is the kernel's own
  global memory: two launches of it must not run at once). Those arrays start zeroed (a
  BANG task computes on padded lanes of NRAM it never loaded; any value is right there,
  and shared or global memory must not be read unwritten). A kernel whose parallel
  loops are separated by other work (several nests, work before or after) runs as one
  block the same way (its parallel loops shared by the threads). ``calloc`` in device
  code becomes ``malloc`` and ``memset`` (CUDA and HIP have no device ``calloc``).
- ``bang``: the parallel loop becomes a loop over ``taskId`` striding by ``taskDim``; the
  task type comes from its extent (Union1, 2 or 4). A kernel whose parallel loops are
  separated by other work runs on one cluster (a Union1 job, 4 tasks) lowered as the GPU's
  one block: its parallel loops shared by the tasks, the rest on every task or task 0,
  ``__sync_cluster()`` between phases that share an object, the shared scalars and arrays
  in ``__mlu_shared__`` SRAM (the smallest SRAM of a part that has one), larger arrays in
  a ``__mlu_device__`` scratch of the kernel's own. BANG has no device heap: a buffer the
  kernel allocates (``malloc``, ``calloc``, ``_mm_malloc``, ``aligned_alloc``) becomes a
  GDRAM workspace, an extra parameter of the device kernel (``K_kernel``), which a host
  function keeping the kernel's name and signature allocates with ``cnrtMalloc``, launches
  (``host_code`` writes the queue and the launch) and frees; a slice per task where the
  allocation is inside a loop bound to tasks; ``calloc`` and ``memset`` of a workspace
  fill it with ``__gdramset``. The size must be computable on the host (scalar
  parameters, file-scope constants, locals defined once from them), so the workspaces are
  right for every size the arguments give.
- ``c``/``vnni``: ``#pragma omp parallel for`` (with ``private`` for scalars the loop
  reassigns, ``reduction`` where the loop is a scalar reduction, and ``lastprivate`` for a
  counter declared before the loop, assigned its start first).

A loop is parallel when ``loop_recovery`` made it from parallel threads or blocks, a
``#pragma omp parallel for`` without data clauses marks it, or the dependence test
(``analysis/dependence``) says so (a worksharing ``omp for`` inside a ``parallel`` region
takes the test: the region's variables are per OpenMP thread, one object in the hub);
distinct pointer parameters are assumed not to alias (``assume_no_alias``, on by default
and reported), as the oracle's distinct buffers do. A kernel with no parallel loop runs on
one thread or task, and the pass's notes say why ("not parallel: ...").

Preconditions: ``hub`` (a C module: lift first), ``sizes`` (the extents of bound loops can
be evaluated from the kernel's args comment, to write the launch).
"""
from __future__ import annotations

import dataclasses
import math
import re
from typing import Iterator, Optional

from .. import dialects, dtypes, evaluate, ir, spec
from ..dialects import runtime_api, semantics
from ..analysis import ctype, dependence, loops
from ..analysis.dependence import _PURE_BUILTINS, _PURE_CATEGORIES
from ..analysis.symbols import SymbolTable
from .base import BOOL, Param, Pass, Precondition, Refusal, Space, register
from .base import fresh_name

TARGETS = ("cuda", "hip", "bang", "c", "vnni")




def _stmts(s: Optional[ir.Stmt]) -> list[ir.Stmt]:
    if s is None:
        return []
    return list(s.stmts) if isinstance(s, ir.Block) else [s]


def _scalars(f: ir.Function) -> dict[str, int]:
    """Scalar argument values from the kernel's args comment (for the launch)."""
    text = f.annotations.get("args")
    if not text:
        return {}
    out = {}
    for a in spec.parse_args(text):
        if not a.is_buffer and a.value is not None:
            out[a.name] = a.value
    return out


class _Classifier:
    """Which loops of a function are parallel (and why not)."""

    def __init__(self, module: ir.Module, f: ir.Function, assume_no_alias: bool):
        self.deps: dict[int, dependence.LoopDeps] = {}
        try:
            for d in dependence.analyze(f, module=module, assume_no_alias=assume_no_alias):
                self.deps[id(d.loop)] = d
        except Exception as e:  # noqa: BLE001 - an analysis failure only costs parallelism
            self.error = str(e)
        else:
            self.error = ""

    def parallel(self, loop: ir.For) -> bool:
        if loop.info.kind == "parallel" and _trusted(loop):
            return True  # made parallel by construction (lifted threads or blocks, omp parallel for)
        d = self.deps.get(id(loop))
        return d is not None and d.parallel

    def why_not(self, loop: ir.For) -> str:
        d = self.deps.get(id(loop))
        if d is None:
            return self.error or "not analysed"
        return f"{d.kind}: {d.reason}" if d.reason else d.kind

    def deps_of(self, loop: ir.For) -> Optional[dependence.LoopDeps]:
        return self.deps.get(id(loop))


_OMP_FOR = re.compile(r"#\s*pragma\s+omp\b.*\bfor\b")
_OMP_DATA = re.compile(r"\b(private|firstprivate|lastprivate|reduction|linear|copyin)\s*\(")


def _trusted(loop: ir.For) -> bool:
    """Whether a loop marked parallel is parallel as a sequential loop: lifted threads or
    blocks, or ``#pragma omp parallel for`` without data clauses. A worksharing ``omp
    for`` inside a ``parallel`` region is parallel only with the region's variables
    private to each thread (a scratch row ``malloc``'d in the region), and a ``private``
    or ``reduction`` clause changes what the iterations share: those loops take the
    dependence test's verdict."""
    for p in loop.pragmas:
        if _OMP_FOR.match(p) and (not re.search(r"\bparallel\b", p) or _OMP_DATA.search(p)):
            return False
    return True


@register
class Bind(Pass):
    """Bind the outermost parallel loops to the target's parallel hardware.

        before:  void k(float *x, int n) { for (int i = 0; i < n; ++i) x[i] = 2 * x[i]; }
        after:   __global__ void k(float *x, int n) {                       (cuda, block=256)
                     int i0 = blockIdx.x * blockDim.x + threadIdx.x;
                     if (i0 < n) { int i = i0; x[i] = 2 * x[i]; } }
    """

    name = "bind"
    stage = "lower"
    params = (Param("kernel", Space("name", doc="a kernel of the module"), "bind in this kernel only", default=""),
              Param("block", Space.ints(1, 1024), "threads per block (cuda, hip)", default=256),
              Param("tasks", Space.one_of(0, 1, 4, 8, 16), "BANG tasks (0: from the extent)", default=0),
              Param("assume_no_alias", BOOL, "distinct pointer parameters do not alias", default=True))
    requires = (Precondition("hub", "a sequential C module (lift the kernel first)"),
                Precondition("sizes", "the extent of each bound loop evaluates from the kernel's args comment"),
                Precondition("target", "the target is one of cuda, hip, bang, c, vnni"))

    def preconditions(self, module: ir.Module, target: Optional[str], **params) -> Iterator[Refusal]:
        if target not in TARGETS:
            yield self.refuse("target", f"unknown target {target!r}")
            return
        if module.dialect != "c":
            yield self.refuse("hub", f"the module is {module.dialect}, not the C hub")

    def rewrite(self, module: ir.Module, target: Optional[str], kernel: str = "", block: int = 256, tasks: int = 0,
                assume_no_alias: bool = True) -> ir.Module:
        self.notes: list[str] = []
        chosen = {k.name for k in module.kernels if not kernel or k.name == kernel}
        d = dialects.get(target)
        taken = {n.name for n in module.walk() if isinstance(n, ir.Name)} | \
            {v.name for n in module.walk() if isinstance(n, ir.Decl) for v in n.vars} | \
            {g.name for g in module.functions}
        scratch: dict[str, list[ir.Decl]] = {}  # kernel -> its file-scope scratch arrays
        wrappers: dict[str, ir.Function] = {}  # device kernel -> the host function keeping its name
        chosen_out = set(chosen)

        def fn(n: ir.Node, old: ir.Node):
            if isinstance(n, ir.Function) and n.name in chosen:
                cls = _Classifier(module, old, assume_no_alias)
                binder = _Binder(self, d, n, old, cls, block, tasks, module=module, taken=taken,
                                 no_alias=assume_no_alias)
                out = binder.run()
                if binder.scratch:
                    scratch[out.name] = binder.scratch
                if binder.wrapper is not None:
                    wrappers[out.name] = binder.wrapper
                    chosen_out.add(out.name)
                return out
            return None

        out = self.transform(module, fn, with_original=True)
        if scratch or wrappers:
            items = []
            for item in out.items:
                if isinstance(item, ir.Function) and item.name in scratch and item.body is not None:
                    items.extend(scratch[item.name])
                items.append(item)
                if isinstance(item, ir.Function) and item.name in wrappers and item.body is not None:
                    items.append(wrappers[item.name])
            out.items = items
        if target not in ("c", "vnni"):
            for g in _callees(out, chosen_out):  # the kernel's helpers run on the device too
                g.kind = "device"
        out.dialect = target
        out.language = ""
        return out

    def apply(self, module, target=None, **params):
        r = super().apply(module, target, **params)
        r.notes.extend(getattr(self, "notes", []))
        return r


class _Binder:
    def __init__(self, p: Bind, d: dialects.Dialect, f: ir.Function, original: ir.Function, cls: _Classifier,
                 block: int, tasks: int, module: Optional[ir.Module] = None, taken: Optional[set[str]] = None,
                 no_alias: bool = True):
        self.p, self.d, self.f, self.cls = p, d, f, cls
        self.block, self.tasks = block, tasks
        self.module, self.no_alias = module, no_alias
        self.d_hub = dialects.get(module.dialect) if module is not None else dialects.get("c")
        self.module_names = taken if taken is not None else set()
        self.file_scope = {v.name for item in module.items if isinstance(item, ir.Decl) for v in item.vars} | \
            {g.name for g in module.functions} if module is not None else set()
        self.scratch: list[ir.Decl] = []  # file-scope scratch arrays the kernel uses
        # the classifier knows the original loops; map the copy's loops to them by position
        self.original = original
        self.orig = {id(a): b for a, b in zip(loops.loops(f), loops.loops(original))}
        self.names = {n.name for n in original.walk() if isinstance(n, ir.Name)} | \
            {v.name for n in original.walk() if isinstance(n, ir.Decl) for v in n.vars}
        self.values = _scalars(f)
        self.table = SymbolTable(f)
        self.launch: Optional[str] = None
        self.team = _BANG_TEAM if d.name == "bang" else _GPU_TEAM

    def fresh(self, base: str) -> str:
        name = fresh_name(base, self.names | self.module_names)
        self.names.add(name)
        return name

    def fresh_global(self, base: str) -> str:
        name = fresh_name(base, self.names | self.module_names)
        self.module_names.add(name)
        return name

    def shared_limit(self) -> int:
        """Static shared memory a block may declare on the target (the table's capacity;
        BANG: the SRAM of the smallest part that has one, Union jobs need clusters)."""
        cap = self.d.spaces[self.team.shared].capacity
        if "static" in cap:
            return cap["static"]
        cap = {k: v for k, v in cap.items() if v}
        return min(cap.values()) if cap else 0

    def tid(self) -> ir.Expr:
        return ir.clone(self.team.tid)

    def tdim(self) -> ir.Expr:
        return ir.clone(self.team.dim)

    def barrier(self) -> ir.Stmt:
        return ir.ExprStmt(ir.Call(ir.Name(self.team.barrier), []))

    def on_thread0(self, stmts: list[ir.Stmt]) -> ir.Stmt:
        return ir.If(ir.Binary("==", self.tid(), ir.IntLit(0)), ir.Block(stmts))

    def parallel(self, loop: ir.For) -> bool:
        return self.cls.parallel(self.orig.get(id(loop), loop))

    def why_not(self, loop: ir.For) -> str:
        return self.cls.why_not(self.orig.get(id(loop), loop))

    def note(self, text: str) -> None:
        self.p.notes.append(f"{self.f.name}: {text}")

    # --- the outermost parallel loops of the body
    def _top_loops(self, stmts: list[ir.Stmt]) -> list[ir.For]:
        """Parallel loops reached from the body without passing through a serial loop."""
        out = []
        for s in stmts:
            if isinstance(s, ir.For):
                if self.parallel(s):
                    out.append(s)
                else:
                    self.note(f"loop at line {s.span.line if s.span else '?'} not parallel ({self.why_not(s)})")
            elif isinstance(s, ir.Block):
                out += self._top_loops(s.stmts)
        return out

    def _collapse(self, loop: ir.For) -> ir.For:
        """``for i: for j: S`` (both parallel, j's bounds free of i) -> one loop over
        ``i * Ej + j`` with ``i = k / Ej``, ``j = k % Ej``: more iterations to spread."""
        body = [s for s in _stmts(loop.body) if not isinstance(s, (ir.Comment, ir.Empty))]
        if len(body) != 1 or not isinstance(body[0], ir.For) or not self.parallel(body[0]):
            return loop
        inner = self._collapse(body[0])
        vo, vi = loops.loop_view(loop, self.table), loops.loop_view(inner, self.table)
        if not vo or not vi or vo.var in {n.name for n in vi.extent.walk() if isinstance(n, ir.Name)} | \
                {n.name for n in vi.start.walk() if isinstance(n, ir.Name)}:
            return loop
        k = self.fresh(f"{vo.var}{vi.var}")
        ext_i = ir.Binary("*", _paren(vo.extent), _paren(vi.extent))
        decls = [ir.Decl([_decl(vo.var, vo.var_type, _at(vo, ir.Binary("/", ir.Name(k), _paren(vi.extent))))]),
                 ir.Decl([_decl(vi.var, vi.var_type, _at(vi, ir.Binary("%", ir.Name(k), _paren(vi.extent))))])]
        new = ir.For(ir.Decl([ir.VarDecl(k, ir.Named("int"), ir.IntLit(0))]), ir.Binary("<", ir.Name(k), ext_i),
                     ir.Unary("++", ir.Name(k)), ir.Block(decls + _stmts(inner.body)),
                     info=ir.LoopInfo("parallel"), span=loop.span)
        return new

    def run(self) -> ir.Function:
        self.wrapper: Optional[ir.Function] = None
        ws = self._workspaces() if self.d.name == "bang" else None
        out = self._run()
        if ws is None:
            return out
        sliced = ws.slices(out)
        public = out.name
        device = self.fresh_global(f"{public}_kernel")
        each = [f"{a.var.name} ({'a slice per task' if a.ws in sliced else 'one buffer'})" for a in ws.allocs]
        self.note(f"heap buffers {', '.join(each)} are GDRAM workspaces the host allocates (BANG has no device "
                  f"heap): {public} is a host function that allocates them and launches {device}")
        out.name = device
        out.extern_c = False
        out.params = list(out.params) + [ir.Param(a.ws, _unconst(a.var.type)) for a in ws.allocs]
        out.annotations = {k: v for k, v in out.annotations.items() if k != "args"}
        self.wrapper = ws.wrapper(out, self.original, sliced)
        return out

    def _workspaces(self) -> Optional["_Workspaces"]:
        """The kernel's heap buffers as workspace parameters (BANG), or None."""
        f = self.f
        if not any(isinstance(n, ir.Call) and isinstance(n.callee, ir.Name) and
                   n.callee.name.split("::")[-1] in _ALLOCATORS for n in f.body.walk()):
            return None
        ws = _Workspaces(self, f)
        try:
            ws.find()
        except _NoWorkspace as e:
            self.note(f"heap buffers stay in the kernel, which BANG cannot compile (no device heap): {e}")
            return None
        if not ws.allocs:
            return None
        f.body = ws.rewrite(f.body)  # (a copy: its loops are new objects, in the same order)
        self.orig = {id(a): b for a, b in zip(loops.loops(f), loops.loops(self.original))}
        self.table = SymbolTable(f)
        return ws

    def _run(self) -> ir.Function:
        f = self.f
        if self.d.name in ("cuda", "hip"):
            body = _device_calloc(f.body)
            if body is not f.body:  # (a copy: its loops are new objects)
                f.body = body
                self.orig = {id(a): b for a, b in zip(loops.loops(f), loops.loops(self.original))}
                self.table = SymbolTable(f)
        top = self._top_loops(f.body.stmts)
        if self.d.name not in ("c", "vnni"):
            for loop in top:  # perfect nests of parallel loops spread as one index
                new = self._collapse(loop)
                if new is not loop:
                    _replace(f.body, loop, [new])
                    top[top.index(loop)] = new
                    self._collapse_inner(new)
            for loop in top:
                self._collapse_inner(loop)
        kind = self.d.name
        if kind in ("c", "vnni"):
            for loop in top:
                self._omp(loop)
            f.kind = "kernel"  # C and VNNI kernels are exported functions (no qualifier)
            return f
        f.kind = "kernel"
        if len(top) != 1 or not _is_only_work(f.body.stmts, top[0]):
            why = "more than one top-level loop nest" if len(top) > 1 else \
                "no parallel loop" if not top else "work outside the parallel loop"
            one = self._one_block(f, why)
            if one is not None:
                return one
            return self._single(f, why)
        loop = top[0]
        view = loops.loop_view(loop, self.table)
        if not view:
            return self._single(f, f"the parallel loop is not canonical ({view.reason})")
        self.env = evaluate.run_straight_line(f.body.stmts, dict(self.values), stop=loop)
        try:
            extent = int(evaluate.evaluate(view.extent, dict(self.env)))
        except (evaluate.Unknown, TypeError, ValueError):
            if kind == "bang":  # task-stride loops are right for any task count: one cluster
                return self._bang(f, loop, view, 4)
            return self._single(f, "the parallel loop's extent does not evaluate from the args comment")
        if kind == "bang":
            return self._bang(f, loop, view, extent)
        if self._wants_blocks(loop):
            return self._blocks(f, loop, view, extent)
        return self._flat(f, loop, view, extent)

    def _wants_blocks(self, loop: ir.For) -> bool:
        """A block per iteration when the body holds parallel loops (its threads share
        them) or arrays too large for one thread's stack."""
        if any(isinstance(n, ir.For) and n is not loop and self.parallel(n) for n in loop.body.walk()):
            return True
        size = 0
        for n in loop.body.walk():
            if isinstance(n, ir.For) and self.parallel(n):
                continue
            if isinstance(n, ir.Decl):
                for v in n.vars:
                    if isinstance(v.type, ir.Array):
                        size += dtypes.sizeof(v.type) or PER_THREAD_BYTES + 1
        return size > PER_THREAD_BYTES

    def _collapse_inner(self, loop: ir.For) -> None:
        """Collapse the perfect nests of parallel loops directly inside ``loop``'s body
        (the thread loops of a lifted 2-D block)."""
        body = loop.body if isinstance(loop.body, ir.Block) else None
        if body is None:
            return
        for i, s in enumerate(body.stmts):
            if isinstance(s, ir.For) and self.parallel(s):
                body.stmts[i] = self._collapse(s)

    # --- c / vnni
    def _omp(self, loop: ir.For) -> None:
        deps = self.cls.deps_of(self.orig.get(id(loop), loop))
        clauses = ""
        if deps is not None and deps.private:
            clauses += f" private({', '.join(deps.private)})"
        view = loops.loop_view(loop, self.table)
        if view and not view.declared:
            # its value after the loop is the sequential one; with no iteration OpenMP
            # assigns nothing, so the start is assigned before the loop too
            clauses += f" lastprivate({view.var})"
            if not _writes(view.start):
                _replace(self.f.body, loop, [ir.ExprStmt(ir.Assign("=", ir.Name(view.var), ir.clone(view.start))),
                                             loop])
        loop.pragmas = [p for p in loop.pragmas if "omp" not in p] + [f"#pragma omp parallel for{clauses}"]
        loop.info = ir.LoopInfo("parallel", axis="omp")

    # --- one thread or task: correct, not parallel
    def _single(self, f: ir.Function, why: str) -> ir.Function:
        self.note(f"runs on one {'task' if self.d.name == 'bang' else 'thread'}: not parallel: {why}")
        f.annotations["launch"] = "dim=1,1,1 type=block" if self.d.name == "bang" else "grid=1,1,1 block=1,1,1"
        return f

    # --- cuda / hip: one index per thread
    def _flat(self, f: ir.Function, loop: ir.For, view: loops.LoopView, extent: int) -> ir.Function:
        g = self.fresh(f"{view.var}0")
        gid = ir.Binary("+", ir.Binary("*", _member("blockIdx", "x"), _member("blockDim", "x")),
                        _member("threadIdx", "x"))
        body = [ir.Decl([_decl(view.var, view.var_type, _at(view, ir.Name(g)))])] + _stmts(loop.body)
        if _continues(loop.body):  # ``continue`` ends an iteration: it needs a loop to continue
            stride = ir.Binary("*", _member("gridDim", "x"), _member("blockDim", "x"))
            new = [ir.For(ir.Decl([ir.VarDecl(g, ir.Named("int"), gid)]), ir.Binary("<", ir.Name(g),
                                                                                 ir.clone(view.extent)),
                          ir.Assign("+=", ir.Name(g), stride), ir.Block(body),
                          info=ir.LoopInfo("bound", axis="blockIdx.x*blockDim.x+threadIdx.x"), span=loop.span)]
        else:
            guard = ir.If(ir.Binary("<", ir.Name(g), ir.clone(view.extent)), ir.Block(body))
            new = [ir.Decl([ir.VarDecl(g, ir.Named("int", const=True), gid)]), guard]
        _replace(f.body, loop, new)
        block = max(1, min(self.block, extent)) if extent > 0 else 1
        grid = max(1, math.ceil(extent / block))
        f.annotations["launch"] = f"grid={grid},1,1 block={block},1,1"
        loop.info = ir.LoopInfo("bound", axis="blockIdx.x*blockDim.x+threadIdx.x")
        return f

    # --- cuda / hip: a block per iteration, threads over the inner parallel loops
    def _blocks(self, f: ir.Function, loop: ir.For, view: loops.LoopView, extent: int) -> ir.Function:
        low = _BlockLowering(self, f, _stmts(loop.body), view)
        try:
            body = low.run()
        except _NoBlocks as e:
            self.note(f"one thread per iteration of the loop at line {loop.span.line if loop.span else '?'}: {e}")
            return self._flat(f, loop, view, extent)
        body, grid, threads = self._place(low, body, _stmts(loop.body), max(1, extent))
        b = self.fresh(f"{view.var}0")
        body = [ir.Decl([_decl(view.var, view.var_type, _at(view, ir.Name(b)))])] + body
        new = ir.For(ir.Decl([ir.VarDecl(b, ir.Named("int"), _member("blockIdx", "x"))]),
                     ir.Binary("<", ir.Name(b), ir.clone(view.extent)),
                     ir.Assign("+=", ir.Name(b), _member("gridDim", "x")), ir.Block(body),
                     info=ir.LoopInfo("bound", axis="blockIdx.x"), span=loop.span)
        _replace(f.body, loop, [new])
        f.annotations["launch"] = f"grid={grid},1,1 block={threads},1,1"
        return f

    def _one_block(self, f: ir.Function, why: str) -> Optional[ir.Function]:
        """The whole body on one block: its parallel loops shared out to the threads, the
        rest on every thread or thread 0, barriers between (None when that cannot be)."""
        low = _BlockLowering(self, f, f.body.stmts, None)
        try:
            body = low.run()
        except _NoBlocks as e:
            self.note(f"not one block: {e}")
            return None
        if not low.p_loops:
            return None
        self.env = dict(self.values)
        body, _, threads = self._place(low, body, f.body.stmts, 1)
        f.body = ir.Block(body, span=f.body.span)
        if self.d.name == "bang":
            f.annotations["launch"] = f"dim={threads},1,1 type=union1"
            self.note(f"runs on one cluster ({why}): its parallel and reduction loops go to the cluster's "
                      f"{threads} tasks")
            return f
        f.annotations["launch"] = f"grid=1,1,1 block={threads},1,1"
        self.note(f"runs on one block ({why}): its parallel and reduction loops go to the block's threads")
        return f

    def _place(self, low: "_BlockLowering", body: list[ir.Stmt], source: list[ir.Stmt],
               grid: int) -> tuple[list[ir.Stmt], int, int]:
        """The block's size (from the extents of its parallel loops) and the scratch
        arrays of a lowered body: (body, grid, threads)."""
        extents = []
        for s, v in low.p_loops:
            try:
                env = evaluate.run_straight_line(source, dict(self.env), stop=s)
                extents.append(int(evaluate.evaluate(v.extent, env)))
            except (evaluate.Unknown, TypeError, ValueError, ZeroDivisionError):
                extents.append(None)
        if self.d.name == "bang":
            threads = BANG_CLUSTER_TASKS  # a Union1 job
        elif not extents:
            threads = 1  # nothing to share out: the block is the iteration's one thread
        elif None in extents:
            threads = self.block
        else:  # whole warps (wavefronts on HIP), no more than the block size asked (256 by default)
            ws = semantics.warp_size(self.d.name)
            threads = max(1, min(self.block, (max(extents) + ws - 1) // ws * ws))
        for arr in low.partials:
            arr.size = ir.IntLit(threads)
        if not (low.scratch or low.thread_scratch):
            return body, grid, threads
        per_block = low.scratch_bytes + threads * sum(dtypes.sizeof(v.type) for _, v in low.thread_scratch)
        grid = max(1, min(grid, SCRATCH_BYTES // max(1, per_block)))
        slot = {v.name: (g, self.team.team) for g, v in low.scratch}
        slot.update({v.name: (g, self.team.gid) for g, v in low.thread_scratch})

        def sub(n: ir.Node):
            if isinstance(n, ir.Name) and n.name in slot:
                g, index = slot[n.name]
                return ir.Index(ir.Name(g), ir.clone(index))
            return None

        body = list(ir.transform(ir.Block(body), sub).stmts)
        for g, v in low.scratch:
            self.scratch.append(ir.Decl([ir.VarDecl(g, ir.Array(_unconst(v.type), ir.IntLit(grid)), None,
                                                    space=self.team.scratch)], span=v.span))
        for g, v in low.thread_scratch:
            self.scratch.append(ir.Decl([ir.VarDecl(g, ir.Array(_unconst(v.type), ir.IntLit(grid * threads)),
                                                    None, space=self.team.scratch)], span=v.span))
        if low.scratch:
            self.note(f"{', '.join(v.name for _, v in low.scratch)}: global scratch, one slice per block "
                      f"(above the {self.shared_limit()} bytes of static shared memory)")
        if low.thread_scratch:
            self.note(f"{', '.join(v.name for _, v in low.thread_scratch)}: global scratch, one slice per "
                      f"thread (above the {PER_THREAD_BYTES} bytes a thread keeps on its stack)")
        return body, grid, threads

    def _threads(self, s: ir.For, exact: bool, threads: int) -> ir.Stmt:
        view = loops.loop_view(s, self.table)
        t = self.fresh(f"{view.var}t")
        if exact:
            body = [ir.Decl([_decl(view.var, view.var_type, _at(view, ir.Name(t)))])] + _stmts(s.body)
            return ir.Block([ir.Decl([ir.VarDecl(t, ir.Named("int", const=True), self.tid())]),
                             ir.If(ir.Binary("<", ir.Name(t), ir.clone(view.extent)), ir.Block(body))])
        body = [ir.Decl([_decl(view.var, view.var_type, _at(view, ir.Name(t)))])] + _stmts(s.body)
        return ir.For(ir.Decl([ir.VarDecl(t, ir.Named("int"), self.tid())]),
                      ir.Binary("<", ir.Name(t), ir.clone(view.extent)),
                      ir.Assign("+=", ir.Name(t), self.tdim()), ir.Block(body),
                      info=ir.LoopInfo("bound", axis=self.team.axis))

    # --- bang: tasks
    def _bang(self, f: ir.Function, loop: ir.For, view: loops.LoopView, extent: int) -> ir.Function:
        t = self.fresh(f"{view.var}0")
        if self.tasks:
            ntasks = self.tasks
        else:
            clusters = max(1, min(4, math.ceil(extent / 4)))
            clusters = 1 << (clusters.bit_length() - 1)  # union1, union2, union4
            ntasks = 4 * clusters
        body = [ir.Decl([_decl(view.var, view.var_type, _at(view, ir.Name(t)))])] + _stmts(loop.body)
        new = ir.For(ir.Decl([ir.VarDecl(t, ir.Named("int"), ir.Name("taskId"))]),
                     ir.Binary("<", ir.Name(t), ir.clone(view.extent)),
                     ir.Assign("+=", ir.Name(t), ir.Name("taskDim")), ir.Block(body),
                     info=ir.LoopInfo("bound", axis="taskId"))
        _replace(f.body, loop, [new])
        kind = "block" if ntasks == 1 else f"union{ntasks // 4}"
        f.annotations["launch"] = f"dim={ntasks},1,1 type={kind}"
        return f


# ----------------------------------------------------------------------------- cuda / hip: blocks
@dataclasses.dataclass(frozen=True)
class _Team:
    """The threads that share one iteration (a GPU block, or the four tasks of one BANG
    cluster: a Union1 job) as the lowering names them: the thread's index and count, the
    barrier, the memory space they share, the kernel's own scratch space, and the index
    of the team (per-team scratch slices) and of the thread in the whole launch."""

    tid: ir.Expr
    dim: ir.Expr
    barrier: str
    axis: str
    shared: str
    scratch: str
    team: ir.Expr
    gid: ir.Expr


_GPU_TEAM = _Team(ir.Member(ir.Name("threadIdx"), "x"), ir.Member(ir.Name("blockDim"), "x"), "__syncthreads",
                  "threadIdx.x", "shared", "global", ir.Member(ir.Name("blockIdx"), "x"),
                  ir.Binary("+", ir.Binary("*", ir.Member(ir.Name("blockIdx"), "x"), ir.Member(ir.Name("blockDim"), "x")),
                            ir.Member(ir.Name("threadIdx"), "x")))
#: one Union1 job: its four tasks share the cluster's SRAM and ``__sync_cluster``
_BANG_TEAM = _Team(ir.Name("taskId"), ir.Name("taskDim"), "__sync_cluster", "taskId", "sram", "gdram", ir.IntLit(0),
                   ir.Name("taskId"))
BANG_CLUSTER_TASKS = 4

#: per-thread arrays above this many bytes are not left on a GPU thread's stack (hipcc refuses
#: frames above 128 KiB; a BANG task's NRAM arrays are tens of KiB)
PER_THREAD_BYTES = 16 * 1024
#: at most this much global scratch for the on-chip arrays that do not fit shared memory
SCRATCH_BYTES = 1 << 30
_ALL, _T0 = "all", "thread 0"
_ANY = "*"  # memory the summary cannot name: conflicts with every object


class _NoBlocks(Exception):
    """The body cannot run on a block's threads (the reason); the flat form is used."""


@dataclasses.dataclass(frozen=True)
class _Acc:
    """What a phase reads and writes (object names; ``*`` any memory) and who runs it."""

    who: str
    reads: frozenset
    writes: frozenset


def _meet(x: frozenset, y: frozenset) -> bool:
    return bool(x) and bool(y) and (_ANY in x or _ANY in y or bool(x & y))


def _conflict(pending: list[_Acc], a: _Acc) -> bool:
    """Whether ``a`` must wait for the phases in ``pending`` (run since the last barrier):
    one of them writes what the other touches, and they do not both run on thread 0."""
    return any(not (p.who == _T0 and a.who == _T0) and
               (_meet(p.writes, a.reads | a.writes) or _meet(p.reads, a.writes)) for p in pending)


@dataclasses.dataclass
class _Eff:
    scalars: set  # scalar variables written
    memory: bool  # writes memory (an array element, through a pointer, an impure call)
    jumps: bool  # a break / continue / return leaves the statement


class _BlockLowering:
    """One iteration of a parallel loop (the body) run by the threads of one block.

    Every statement of the body is one of:
    - ``P``: a parallel loop (the dependence test, or lifted threads): its iterations go to
      the block's threads (block-stride);
    - ``R``: a statement that writes only private scalars (no memory, no call with effects):
      every thread runs it, on the same values, so each thread's copy holds the same value
      (a reduction into a scalar, an index computation, a read of an on-chip array);
    - ``T``: anything else (a store, a copy through pointers, a serial loop that writes
      memory): thread 0 runs it; the scalars it writes become ``__shared__`` (and every
      statement writing them is ``T`` too, to a fixpoint);
    - ``Red``: a reduction loop (the dependence test) into private arithmetic scalars: a
      partial per thread over a block-stride loop, the partials through shared memory,
      combined as a tree (log2 of the block steps, CUDA/HIP) or by every task in the same
      order (a BANG cluster's 4 tasks), every thread then holding the same total;
    - ``C``: a loop or branch that holds parallel loops (or jumps out, or stores while it
      computes private scalars) and whose header only reads and writes private scalars:
      every thread runs its control (the same values on every thread, so barriers inside
      are uniform) and its body is lowered the same way.

    Arrays declared in the body (outside parallel loops) are one per iteration of the
    parallel loop: ``__shared__`` while they fit the block's static shared memory, else a
    slice of a ``__device__`` scratch array per block. They start zeroed (a BANG task reads
    the padded lanes of NRAM it never loaded; any value is right there, and shared and
    global memory must not be read unwritten). A barrier goes between two phases when one
    writes what the other reads or writes (by object: an on-chip array, a shared scalar, a
    pointer parameter when pointers do not alias, any memory otherwise), unless both run
    on thread 0; a loop's body starts after what may be pending at the end of its previous
    iteration (to a fixpoint), and gets one at its end when its header reads what the body
    writes.
    """

    def __init__(self, binder: "_Binder", f: ir.Function, body: list[ir.Stmt], view: Optional[loops.LoopView]):
        self.b, self.f, self.view = binder, f, view
        self.body = body
        self.whole = view is None  # the function's whole body (one block), not a loop's
        self.params = {p.name: p for p in f.params}
        decls = [v for s in self.body for n in s.walk() if isinstance(n, ir.Decl) for v in n.vars]
        decls += [v for s in self.body for n in s.walk() if isinstance(n, ir.For) and isinstance(n.init, ir.Decl)
                  for v in n.init.vars]
        self.decls: dict[str, ir.VarDecl] = {}
        # names declared more than once, or also naming a parameter or a file-scope entity
        # (a scratch array replaces its name everywhere)
        self.twice: set[str] = {p.name for p in f.params} | binder.file_scope
        for v in decls:
            if v.name in self.decls and self.decls[v.name] is not v:
                self.twice.add(v.name)
            self.decls[v.name] = v
        outer = [v for s in f.body.walk() if isinstance(s, ir.Decl) for v in s.vars if v not in decls]
        self.outer = {v.name for v in outer} | ({view.var} if view is not None else set())
        self.assigned = {(n.target if isinstance(n, ir.Assign) else n.operand).name for n in f.body.walk()
                         if (isinstance(n, ir.Assign) and isinstance(n.target, ir.Name)) or
                         (isinstance(n, ir.Unary) and n.op in ("++", "--", "&") and isinstance(n.operand, ir.Name))}
        self.arrays = {n for n, v in self.decls.items() if isinstance(v.type, ir.Array)}
        self.arrays |= {v.name for v in outer if isinstance(v.type, ir.Array)}
        # scalars whose address escapes are memory: one copy for the block (``((float *)&v)[i]``,
        # a lane of a vector variable, is an access to v itself)
        lanes = {id(_uncast(n.base if isinstance(n, ir.Index) else n.operand)) for s in self.body for n in s.walk()
                 if isinstance(n, ir.Index) or (isinstance(n, ir.Unary) and n.op == "*")}
        self.shared: set[str] = {n.operand.name for s in self.body for n in s.walk()
                                 if isinstance(n, ir.Unary) and n.op == "&" and isinstance(n.operand, ir.Name)
                                 and n.operand.name in self.decls and n.operand.name not in self.arrays
                                 and id(n) not in lanes}
        self.homes: dict[str, str] = {}  # array -> "shared" | "scratch" (its storage per block)
        self.scratch: list[tuple[str, ir.VarDecl]] = []  # (global name, declaration)
        self.p_loops: list[tuple[ir.For, loops.LoopView]] = []
        uses: dict[str, int] = {}
        for n in f.body.walk():
            if isinstance(n, ir.Name):
                uses[n.name] = uses.get(n.name, 0) + 1
        self.uses = uses
        self._p_cache: dict[int, bool] = {}
        self._effects: dict[int, tuple] = {}
        self._summaries: dict[tuple, tuple] = {}
        self.zeros: set[int] = set()  # the loops that zero the arrays
        self.thread_scratch: list[tuple[str, ir.VarDecl]] = []  # (global name, declaration) per thread
        self.partials: list[ir.Array] = []  # the reductions' arrays of partials (sized to the block)
        self.scratch_bytes = 0

    # --- what a statement does
    def _root(self, e: ir.Expr) -> tuple[str, Optional[str]]:
        """What an lvalue designates: ("scalar", name), ("array", name) or ("memory", object)."""
        while isinstance(e, ir.Cast):
            e = e.operand
        if isinstance(e, ir.Name):
            if e.name in self.arrays:
                return "array", e.name
            if e.name in self.decls or e.name in self.outer or e.name in self.params:
                return "scalar", e.name
            return "memory", _ANY  # a file-scope variable
        if isinstance(e, ir.Member) and not e.arrow:
            return self._root(e.base)
        if isinstance(e, (ir.Index, ir.Unary)) and not (isinstance(e, ir.Unary) and e.op != "*"):
            base = _uncast(e.base if isinstance(e, ir.Index) else e.operand)
            if isinstance(base, ir.Unary) and base.op == "&" and isinstance(base.operand, ir.Name) and \
                    base.operand.name not in self.arrays:
                return self._root(base.operand)  # ((float *)&v)[i]: a lane of v
        if isinstance(e, ir.Index):
            kind, name = self._root(e.base)
            return ("array", name) if kind == "array" else ("memory", self._pointee(e.base))
        if isinstance(e, (ir.Unary, ir.Member)):
            base = e.operand if isinstance(e, ir.Unary) else e.base
            return "memory", self._pointee(base)
        return "memory", _ANY

    def _pointee(self, e: ir.Expr, depth: int = 0) -> str:
        """The object a pointer expression points into: an array of the body, a pointer
        parameter (when parameters do not alias), through pointer locals defined once."""
        while True:
            if isinstance(e, ir.Cast):
                e = e.operand
            elif isinstance(e, ir.Binary) and e.op in ("+", "-"):
                e = e.lhs if not self._is_pointer(e.rhs) or e.op == "-" else e.rhs
            else:
                break
        if isinstance(e, ir.Name):
            if e.name in self.arrays:
                return e.name
            p = self.params.get(e.name)
            if p is not None and self.b.no_alias and isinstance(p.type, ir.Pointer):
                return f"param {e.name}"
            v = self.decls.get(e.name)
            if v is not None and depth < 8 and isinstance(v.type, ir.Pointer) and v.init is not None and \
                    e.name not in self.twice and e.name not in self.assigned:
                return self._pointee(v.init, depth + 1)
        return _ANY

    def _is_pointer(self, e: ir.Expr) -> bool:
        while isinstance(e, ir.Cast):
            if isinstance(e.type, ir.Pointer):
                return True
            e = e.operand
        if isinstance(e, ir.Name):
            v = self.decls.get(e.name) or self.params.get(e.name)
            return v is not None and isinstance(v.type, (ir.Pointer, ir.Array))
        return False

    def _pure(self, call: ir.Call) -> bool:
        name = call.callee.name if isinstance(call.callee, ir.Name) else None
        return name is not None and _pure_function(name, self.b.module, self.b.d_hub)

    def effects(self, s: ir.Node) -> _Eff:
        hit = self._effects.get(id(s))
        if hit is not None and hit[0] is s:
            return hit[1]
        e = self._effects_of(s)
        self._effects[id(s)] = (s, e)  # (the node kept: its id is not reused)
        return e

    def _effects_of(self, s: ir.Node) -> _Eff:
        scalars: set[str] = set()
        memory = False

        def target(t: ir.Expr) -> None:
            nonlocal memory
            kind, name = self._root(t)
            if kind == "scalar":
                scalars.add(name)
            else:
                memory = True

        for n in s.walk():
            if isinstance(n, ir.Assign):
                target(n.target)
            elif isinstance(n, ir.Unary) and n.op in ("++", "--"):
                target(n.operand)
            elif isinstance(n, ir.Call) and not self._pure(n):
                memory = True
            elif isinstance(n, ir.VarDecl) and n.init is not None:
                if isinstance(n.type, ir.Array):
                    memory = True
                else:
                    scalars.add(n.name)
            elif isinstance(n, ir.If) and n.decl is not None and n.decl.init is not None:
                scalars.add(n.decl.name)
            elif isinstance(n, (ir.OpaqueStmt, ir.OpaqueExpr)):
                memory = True
        own = {v.name for n in s.walk() if isinstance(n, ir.Decl) for v in n.vars if n is not s}
        return _Eff(scalars - own, memory, _jumps_out(s))

    def summary(self, s: ir.Node, who: str) -> _Acc:
        key = (id(s), who, frozenset(self.shared), frozenset(self.homes))
        hit = self._summaries.get(key)
        if hit is not None and hit[0] is s:
            return hit[1]
        a = self._summary_of(s, who)
        self._summaries[key] = (s, a)
        return a

    def _summary_of(self, s: ir.Node, who: str) -> _Acc:
        reads: set[str] = set()
        writes: set[str] = set()
        targets: set[int] = set()

        def target(t: ir.Expr) -> None:
            kind, name = self._root(t)
            if kind == "scalar":
                if name in self.shared:
                    writes.add(name)
            else:
                writes.add(name)
            targets.add(id(t))

        for n in s.walk():
            if isinstance(n, ir.Assign):
                target(n.target)
                if n.op != "=":
                    reads.update(self._summary_of(ir.ExprStmt(ir.clone(n.target)), who).reads)
            elif isinstance(n, ir.Unary) and n.op in ("++", "--"):
                target(n.operand)
            elif isinstance(n, ir.Call) and not self._pure(n):
                reads.add(_ANY)
                writes.add(_ANY)
            elif isinstance(n, ir.VarDecl) and n.init is not None and n.name in self.shared:
                writes.add(n.name)
        for n in s.walk():
            if id(n) in targets:
                continue
            if isinstance(n, ir.Name) and n.name in self.shared:
                reads.add(n.name)
            elif isinstance(n, (ir.Index, ir.Member)) or (isinstance(n, ir.Unary) and n.op == "*"):
                kind, name = self._root(n)  # (an array's name alone is its address, not a read)
                if kind != "scalar":
                    reads.add(name)
            elif isinstance(n, (ir.OpaqueStmt, ir.OpaqueExpr)):
                reads.add(_ANY)
                writes.add(_ANY)
        return _Acc(who, frozenset(reads), frozenset(writes))

    def is_p(self, s: ir.Stmt) -> bool:
        """A parallel loop whose iterations can go to the block's threads."""
        if not isinstance(s, ir.For):
            return False
        key = id(s)
        if key in self._p_cache:
            return self._p_cache[key]
        ok = self.b.parallel(s) and bool(loops.loop_view(s, self.b.table)) and not _jumps_out(s)
        if ok:
            inside: dict[str, int] = {}
            for n in s.walk():
                if isinstance(n, ir.Name):
                    inside[n.name] = inside.get(n.name, 0) + 1
            for name in self.effects(s).scalars:
                # a scalar of the body written by the loop: private to its iterations only
                if name in self.shared or self.uses.get(name, 0) > inside.get(name, 0):
                    ok = False
        self._p_cache[key] = ok
        return ok

    def reductions(self, s: ir.Stmt) -> Optional[list[tuple[str, str, ir.CType]]]:
        """(accumulator, operator, type) of a reduction loop the block's threads can share:
        arithmetic scalar accumulators of the body, private (not shared)."""
        if not isinstance(s, ir.For):
            return None
        d = self.b.cls.deps_of(self.b.orig.get(id(s), s))
        if d is None or d.kind != "reduction" or not d.reductions or _jumps_out(s):
            return None
        if not loops.loop_view(s, self.b.table):
            return None
        out = []
        for r in d.reductions:
            v = self.decls.get(r.var)
            if v is None or r.var in self.shared or r.var in self.twice or r.op not in _COMBINE or \
                    not isinstance(v.type, ir.Named) or not ctype.is_arithmetic(v.type) or \
                    (r.op in ("&", "|", "^") and ctype.int_type(v.type) is None):
                return None
            if any(v is x for n in s.walk() if isinstance(n, ir.Decl) for x in n.vars):
                return None  # (declared inside: not an accumulator of this loop)
            out.append((r.var, r.op, v.type))
        inside: dict[str, int] = {}
        for n in s.walk():
            if isinstance(n, ir.Name):
                inside[n.name] = inside.get(n.name, 0) + 1
        accs = {a for a, _, _ in out}
        for name in self.effects(s).scalars - accs:
            if name in self.shared or self.uses.get(name, 0) > inside.get(name, 0):
                return None
        return out

    def is_red(self, s: ir.Stmt) -> bool:
        key = ("red", id(s))
        if key not in self._p_cache:
            self._p_cache[key] = self.reductions(s) is not None  # type: ignore[index]
        return self._p_cache[key]  # type: ignore[index]

    def reduce(self, s: ir.For) -> ir.Stmt:
        """A reduction loop shared by the block's threads: a partial per thread over a
        block-stride loop, the partials through shared memory, combined as a tree on a GPU
        (``tree``) or by every task in the same order on a BANG cluster (so each thread's
        accumulator holds the same value)."""
        reds = self.reductions(s)
        view = loops.loop_view(s, self.b.table)
        self.p_loops.append((s, view))
        parts = {a: self.b.fresh(f"{a}_part") for a, _, _ in reds}
        out: list[ir.Stmt] = []
        for a, op, t in reds:
            start = ir.Name(a) if op in ("min", "max") else ir.Cast(_unconst(t), ir.IntLit(_COMBINE[op][0]))
            out.append(ir.Decl([ir.VarDecl(parts[a], _unconst(t), start)]))
        body = ir.transform(ir.Block(_stmts(s.body)),
                            lambda n: ir.Name(parts[n.name]) if isinstance(n, ir.Name) and n.name in parts else None)
        it = self.b.fresh(f"{view.var}t")
        out.append(ir.For(ir.Decl([ir.VarDecl(it, ir.Named("int"), self.b.tid())]),
                          ir.Binary("<", ir.Name(it), ir.clone(view.extent)),
                          ir.Assign("+=", ir.Name(it), self.b.tdim()),
                          ir.Block([ir.Decl([_decl(view.var, view.var_type, _at(view, ir.Name(it)))])] + body.stmts),
                          info=ir.LoopInfo("bound", axis=self.b.team.axis), span=s.span))
        combine: list[ir.Stmt] = []
        arrays = []
        for a, op, t in reds:
            arr = self.b.fresh(f"{a}_all")
            arrays.append((a, op, t, arr))
            size = ir.Array(_unconst(t), ir.IntLit(1024))
            self.partials.append(size)
            out.append(ir.Decl([ir.VarDecl(arr, size, None, space=self.b.team.shared)]))
            out.append(ir.ExprStmt(ir.Assign("=", ir.Index(ir.Name(arr), self.b.tid()),
                                             ir.Name(parts[a]))))
        if self.b.d.name in ("cuda", "hip"):
            return ir.Block(out + [self.b.barrier()] + self.tree(arrays) + [self.b.barrier()], span=s.span)
        for a, op, t, arr in arrays:  # a cluster's 4 tasks: each combines the 4 partials
            k = self.b.fresh("k")
            combine.append(ir.For(ir.Decl([ir.VarDecl(k, ir.Named("int"), ir.IntLit(0))]),
                                  ir.Binary("<", ir.Name(k), self.b.tdim()), ir.Unary("++", ir.Name(k)),
                                  ir.ExprStmt(ir.Assign("=", ir.Name(a), _combine(op, t, ir.Name(a), ir.Index(
                                      ir.Name(arr), ir.Name(k)))))))
        return ir.Block(out + [self.b.barrier()] + combine + [self.b.barrier()], span=s.span)

    def tree(self, arrays: list[tuple[str, str, ir.CType, str]]) -> list[ir.Stmt]:
        """The partials of a block combined as a tree in shared memory (log2 of the block
        steps, a barrier after each; any block size: a thread adds the partial ``s`` above
        it when there is one), then every thread combines its accumulator with the total
        (so each thread's accumulator holds the same value)::

            int w = 1; while (w < blockDim.x) w <<= 1;
            for (int s = w >> 1; s > 0; s >>= 1) {
                if (threadIdx.x < s && threadIdx.x + s < blockDim.x) a_all[tid] = a_all[tid] + a_all[tid + s];
                __syncthreads();
            }
            a = a + a_all[0];
        """
        w, st = self.b.fresh("xp_w"), self.b.fresh("xp_s")
        steps = [ir.ExprStmt(ir.Assign("=", ir.Index(ir.Name(arr), self.b.tid()), _combine(
            op, t, ir.Index(ir.Name(arr), self.b.tid()), ir.Index(ir.Name(arr), ir.Binary("+", self.b.tid(),
                                                                                         ir.Name(st))))))
                 for a, op, t, arr in arrays]
        guard = ir.Binary("&&", ir.Binary("<", self.b.tid(), ir.Name(st)),
                          ir.Binary("<", ir.Binary("+", self.b.tid(), ir.Name(st)), self.b.tdim()))
        return [ir.Decl([ir.VarDecl(w, ir.Named("int"), ir.IntLit(1))]),
                ir.While(ir.Binary("<", ir.Name(w), self.b.tdim()),
                         ir.ExprStmt(ir.Assign("<<=", ir.Name(w), ir.IntLit(1)))),
                ir.For(ir.Decl([ir.VarDecl(st, ir.Named("int"), ir.Binary(">>", ir.Name(w), ir.IntLit(1)))]),
                       ir.Binary(">", ir.Name(st), ir.IntLit(0)), ir.Assign(">>=", ir.Name(st), ir.IntLit(1)),
                       ir.Block([ir.If(guard, ir.Block(steps)), self.b.barrier()]))] + \
            [ir.ExprStmt(ir.Assign("=", ir.Name(a), _combine(op, t, ir.Name(a), ir.Index(ir.Name(arr), ir.IntLit(0)))))
             for a, op, t, arr in arrays]

    def has_p(self, s: ir.Node) -> bool:
        if isinstance(s, ir.For) and self.is_red(s):
            return True
        if isinstance(s, ir.For) and self.is_p(s):
            return True
        return any(self.has_p(c) for c in s.children() if isinstance(c, ir.Stmt))

    def _header(self, s: ir.Stmt) -> list[ir.Node]:
        if isinstance(s, ir.For):
            return [x for x in (s.init, s.cond, s.step) if x is not None]
        if isinstance(s, (ir.While, ir.DoWhile, ir.If)):
            return [s.cond]
        return []

    def _uniform_header(self, s: ir.Stmt) -> bool:
        if isinstance(s, ir.If) and s.decl is not None:
            return False
        if not isinstance(s, (ir.For, ir.While, ir.DoWhile, ir.If, ir.Block)):
            return False
        for h in self._header(s):
            e = self.effects(h)
            if e.memory or e.scalars & self.shared:
                return False
        return True

    def kind(self, s: ir.Stmt) -> str:
        if self.is_p(s):
            return "P"
        if self.is_red(s):
            return "Red"
        if isinstance(s, (ir.Break, ir.Continue)):
            return "R"
        if isinstance(s, ir.Return):
            if self.whole and s.value is None:
                return "R"  # the kernel ends (on every thread: this code is uniform)
            raise _NoBlocks("a return inside the parallel loop")
        if self._uniform_header(s) and (self.has_p(s) or self.effects(s).jumps):
            return "C"
        e = self.effects(s)
        if e.jumps:
            raise _NoBlocks("a jump out of code that only thread 0 can run")
        if e.memory or e.scalars & self.shared:
            if e.scalars - self.shared and self._uniform_header(s):
                # a loop that stores and also computes scalars (an accumulator): every
                # thread runs it, thread 0 its stores, so the scalars stay private
                return "C"
            return "T"
        return "R"

    # --- the lowering
    def run(self) -> list[ir.Stmt]:
        for v in self.decls.values():
            if isinstance(v.type, ir.Array) and v.init is not None:
                raise _NoBlocks(f"the array {v.name} has an initialiser")
        for _ in range(64):  # the shared scalars, to a fixpoint
            before = set(self.shared)
            self._p_cache.clear()
            self._written_by_t: set[str] = set()
            self.lower(self.body, [], "fix")
            self.shared |= self._written_by_t
            if self.shared == before:
                break
        bad = self.shared & (set(self.params) | self.outer)
        if bad:
            raise _NoBlocks(f"{', '.join(sorted(bad))} would have to be shared by the block's threads")
        self._homes()
        self._p_cache.clear()
        self.p_loops = []
        # the block's next iteration: only its own objects are reused (distinct iterations
        # of the parallel loop do not touch the same memory)
        whole = self.summary(ir.Block([ir.clone(s) for s in self.body]), _ALL)
        if self.whole:
            out, _ = self.lower(self.body, [], "emit")
            return out
        # the block's next iteration: only its own objects are reused (distinct iterations
        # of the parallel loop do not touch the same memory)
        keep = lambda a: _Acc(a.who, frozenset(x for x in a.reads if not x.startswith("param ")),  # noqa: E731
                              frozenset(x for x in a.writes if not x.startswith("param ")))
        start = self.back_edge(self.body, [], whole, keep)
        out, _ = self.lower(self.body, start, "emit")
        return out

    def back_edge(self, stmts: list[ir.Stmt], first: list[_Acc], whole: _Acc, keep=lambda a: a) -> list[_Acc]:
        """What may be pending when a loop body starts: ``first`` (before the loop) and the
        end of the previous iteration, to a fixpoint (``whole``, the loop's every access,
        where a ``continue`` leaves the body early or no fixpoint comes)."""
        if any(_continues(x) for x in stmts):
            return first + [keep(whole)]
        end: list[_Acc] = []
        for _ in range(4):
            _, e = self.lower(stmts, first + end, "probe")
            e = list(dict.fromkeys(keep(a) for a in e))
            if set(e) <= set(end):
                return first + end
            end = list(dict.fromkeys(end + e))
        return first + [keep(whole)]

    def _homes(self) -> None:
        """Each array of the body (outside parallel loops): shared memory while it fits,
        smallest first, else a slice of a global scratch array."""
        in_p: set[str] = set()
        for s in self.body:
            for n in s.walk():
                if isinstance(n, ir.For) and self.is_p(n):
                    in_p |= {v.name for x in n.walk() if isinstance(x, ir.Decl) for v in x.vars}
        arrays = [v for n, v in self.decls.items() if n in self.arrays and n not in in_p]
        sizes = {}
        for v in arrays:
            size = dtypes.sizeof(v.type)
            if size is None:
                raise _NoBlocks(f"the size of the array {v.name} is not a constant")
            sizes[v.name] = size
        budget = self.b.shared_limit() - sum(dtypes.sizeof(self.decls[n].type) or 8 for n in self.shared
                                              if n in self.decls)
        for s in self.body:  # the reductions' partials: a value a thread
            for n in s.walk():
                if isinstance(n, ir.For) and self.is_red(n):
                    budget -= 1024 * sum(dtypes.sizeof(t) or 8 for _, _, t in self.reductions(n))
        for v in sorted(arrays, key=lambda v: sizes[v.name]):
            if sizes[v.name] <= budget:
                self.homes[v.name] = "shared"
                budget -= sizes[v.name]
            else:
                if v.name in self.twice:
                    raise _NoBlocks(f"the array {v.name} is declared twice")
                self.homes[v.name] = "scratch"
        self.scratch_bytes = sum(sizes[n] for n, h in self.homes.items() if h == "scratch")
        for n, h in self.homes.items():
            if h == "scratch":
                self.scratch.append((self.b.fresh_global(f"{self.f.name}_{n}"), self.decls[n]))

    def lower(self, stmts: list[ir.Stmt], pending: list[_Acc], mode: str) -> tuple[list[ir.Stmt], list[_Acc]]:
        """``stmts`` in phases, after ``pending`` (what ran since the last barrier); mode
        ``fix`` (find the shared scalars), ``probe`` (only what is pending at the end) or
        ``emit``."""
        dry = mode != "emit"
        out: list[ir.Stmt] = []
        run: list[ir.Stmt] = []

        def flush() -> None:
            if run:
                out.append(self.b.on_thread0(list(run)) if not dry else ir.Block([]))
                run.clear()

        def phase(s: ir.Stmt, kind: str) -> None:
            nonlocal pending
            acc = self.summary(s, _T0 if kind == "T" else _ALL)
            if _conflict(pending, acc):
                flush()
                out.append(self.b.barrier())
                pending = []
            if kind == "T":
                run.append(s if dry else self.nested(s))
                if mode == "fix":
                    self._written_by_t |= self.effects(s).scalars
            elif kind == "Red":
                flush()
                out.append(s if dry else self.reduce(s))
                pending = []  # (it ends with a barrier)
                return
            else:
                flush()
                out.append(s if dry else self.distribute(s) if kind == "P" else self.nested(s))
            pending = pending + [acc]

        for s in stmts:
            if isinstance(s, (ir.Comment, ir.Empty, ir.Pragma)):
                (run if run else out).append(s)
                continue
            if isinstance(s, ir.Decl):
                flush()
                for v in s.vars:
                    for x, kind in self.declare(v, s, mode):
                        if kind == "decl":
                            out.append(x)
                        else:
                            phase(x, kind)
                continue
            kind = self.kind(s)
            if kind == "C":
                flush()
                x, pending = self.compound(s, pending, mode)
                out.extend(x)
                continue
            phase(s, kind)
        flush()
        return out, pending

    def declare(self, v: ir.VarDecl, s: ir.Decl, mode: str) -> list[tuple[ir.Stmt, str]]:
        """One declaration of the body as (statement, kind) pairs: ``decl`` (declared by
        every thread, no phase), or a phase kind."""
        if isinstance(v.type, ir.Array):
            home = self.homes.get(v.name)
            if home is None:
                return [(ir.Decl([ir.clone(v)], span=s.span), "decl")]
            out: list[tuple[ir.Stmt, str]] = []
            if home == "shared":
                out.append((ir.Decl([ir.VarDecl(v.name, _unconst(v.type), None, space=self.b.team.shared)],
                                    span=s.span),
                            "decl"))
            zero = self.zero(v.name, probe=mode != "emit")
            self._p_cache[id(zero)] = True
            self.zeros.add(id(zero))
            out.append((zero, "P"))
            return out
        e = self.effects(ir.ExprStmt(v.init)) if v.init is not None else None
        if e is not None and (e.memory or e.scalars & self.shared) and mode == "fix":
            self._written_by_t.add(v.name)  # initialised by thread 0: one copy for the block
        if v.name in self.shared:
            out = [(ir.Decl([ir.VarDecl(v.name, _unconst(v.type), None, space=self.b.team.shared,
                                        attrs=list(v.attrs))], span=s.span), "decl")]
            if v.init is not None:
                out.append((ir.ExprStmt(ir.Assign("=", ir.Name(v.name), ir.clone(v.init)), span=s.span), "T"))
            return out
        d = ir.Decl([ir.clone(v)], span=s.span)
        if v.init is None:
            return [(d, "decl")]
        return [(d, "R")]

    def ref(self, name: str) -> ir.Expr:
        """How the body names an array (a scratch array's slice replaces the name at the end)."""
        return ir.Name(name)

    def compound(self, s: ir.Stmt, pending: list[_Acc], mode: str) -> tuple[list[ir.Stmt], list[_Acc]]:
        """A loop or branch every thread runs, its body lowered in phases."""
        out: list[ir.Stmt] = []
        head = [self.summary(h if isinstance(h, ir.Stmt) else ir.ExprStmt(ir.clone(h)), _ALL)
                for h in self._header(s)]
        reads = _Acc(_ALL, frozenset().union(*[h.reads for h in head]), frozenset())
        if _conflict(pending, reads):
            out.append(self.b.barrier())
            pending = []
        if isinstance(s, ir.Block):
            inner, pending = self.lower(s.stmts, pending, mode)
            out.append(ir.Block(inner, span=s.span))
            return out, pending
        if isinstance(s, ir.If):
            then, p1 = self.lower(_stmts(s.then), pending + [reads], mode)
            other, p2 = self.lower(_stmts(s.other), pending + [reads], mode) if s.other is not None else ([], [])
            out.append(ir.If(s.cond, ir.Block(then), ir.Block(other) if s.other is not None else None, span=s.span))
            return out, list(dict.fromkeys(pending + [reads] + p1 + p2))
        # a loop: the next iteration against this one, the header against the body
        start = self.back_edge(_stmts(s.body), pending + [reads], self.summary(s, _ALL))
        body, end = self.lower(_stmts(s.body), start, mode)
        if _conflict(end, reads):
            if _continues(s.body):
                raise _NoBlocks("a continue skips the barrier a loop's header needs")
            body.append(self.b.barrier())
            end = []
        if isinstance(s, ir.For):
            new: ir.Stmt = ir.For(s.init, s.cond, s.step, ir.Block(body), pragmas=list(s.pragmas), span=s.span)
        elif isinstance(s, ir.While):
            new = ir.While(s.cond, ir.Block(body), pragmas=list(s.pragmas), span=s.span)
        else:
            new = ir.DoWhile(ir.Block(body), s.cond, pragmas=list(s.pragmas), span=s.span)
        out.append(new)
        if _breaks(s.body):  # left from the middle of the body: anything in it may be pending
            return out, list(dict.fromkeys(start + end + [self.summary(s, _ALL)]))
        return out, list(dict.fromkeys(start + end))

    def nested(self, s: ir.Stmt) -> ir.Stmt:
        """``s`` with the arrays it declares inside in their homes (thread 0 or every
        thread runs it whole: zeroed by a plain loop)."""
        if not any(isinstance(n, ir.Decl) and any(v.name in self.homes for v in n.vars) for n in s.walk()):
            return s

        def fn(n: ir.Node):
            if isinstance(n, ir.Decl) and any(v.name in self.homes for v in n.vars):
                out: list[ir.Stmt] = []
                for v in n.vars:
                    if v.name not in self.homes:
                        out.append(ir.Decl([v], span=n.span))
                        continue
                    if self.homes[v.name] == "shared":
                        out.append(ir.Decl([ir.VarDecl(v.name, _unconst(v.type), None, space=self.b.team.shared)],
                                           span=n.span))
                    out.append(self.zero(v.name, serial=True))
                return out
            return None

        return ir.transform(s, fn)

    def zero(self, name: str, serial: bool = False, probe: bool = False) -> ir.For:
        """``for (z = 0; z < bytes; ++z) ((unsigned char *)a)[z] = 0;``"""
        ref = self.ref(name)
        t = "z" if probe else self.b.fresh("z")
        return ir.For(ir.Decl([ir.VarDecl(t, ir.Named("int"), ir.IntLit(0))]),
                      ir.Binary("<", ir.Name(t), ir.IntLit(dtypes.sizeof(self.decls[name].type))),
                      ir.Unary("++", ir.Name(t)),
                      ir.ExprStmt(ir.Assign("=", ir.Index(ir.Cast(ir.Pointer(ir.Named("unsigned char")),
                                                                  ir.clone(ref)), ir.Name(t)), ir.IntLit(0))),
                      info=ir.LoopInfo("serial" if serial else "parallel"))

    def distribute(self, s: ir.For) -> ir.Stmt:
        if id(s) not in self.zeros:
            view = loops.loop_view(s, self.b.table)
            self.p_loops.append((s, view))  # (the block's size comes from these extents)
            s = self.per_thread(s)
        s = self.b._collapse(s)
        return self.b._threads(s, False, 0)

    def per_thread(self, s: ir.For) -> ir.For:
        """The arrays an iteration of ``s`` declares live on its thread; the largest go to
        a slice of global scratch per thread until the rest fits a thread's stack (zeroed
        where they are declared, as the block's arrays are)."""
        arrays = [v for n in s.walk() if isinstance(n, ir.Decl) for v in n.vars if isinstance(v.type, ir.Array)]
        total = sum(dtypes.sizeof(v.type) or 0 for v in arrays)
        moved: set[str] = set()
        for v in sorted(arrays, key=lambda v: -(dtypes.sizeof(v.type) or 0)):
            if total <= PER_THREAD_BYTES:
                break
            size = dtypes.sizeof(v.type)
            if size is None or v.init is not None or v.name in self.twice:
                continue
            moved.add(v.name)
            total -= size
            self.thread_scratch.append((self.b.fresh_global(f"{self.f.name}_{v.name}"), v))
        if not moved:
            return s

        def fn(n: ir.Node):
            if isinstance(n, ir.Decl) and any(v.name in moved for v in n.vars):
                return [ir.Decl([v], span=n.span) if v.name not in moved else self.zero(v.name, serial=True)
                        for v in n.vars]
            return None

        return ir.transform(s, fn)


# ----------------------------------------------------------------------------- bang: heap buffers
#: allocator -> (index of the size argument; calloc: the two factors)
_ALLOCATORS = {"malloc": 0, "_mm_malloc": 0, "aligned_alloc": 1, "memalign": 1, "calloc": None}
_FREES = {"free", "_mm_free"}
#: per-task slices of a workspace start at multiples of this many bytes (any allocator's alignment)
WORKSPACE_ALIGN = 64


@dataclasses.dataclass
class _Alloc:
    var: ir.VarDecl
    size: ir.Expr  # bytes
    zero: bool  # calloc: the buffer starts zeroed
    ws: str = ""  # the workspace parameter


class _NoWorkspace(Exception):
    """A heap buffer that cannot become a workspace (the reason)."""


class _Workspaces:
    """BANG has no device heap: each buffer the kernel allocates (``T *p = malloc(S)``,
    ``calloc``, ``_mm_malloc``, ``aligned_alloc``) becomes GDRAM the host allocates with
    ``cnrtMalloc`` and passes as an extra parameter of the device kernel; its ``free`` goes.
    The kernel keeps its name and signature as a host function that allocates the
    workspaces, launches the device kernel (``host_code`` writes the queue and the launch)
    and frees them, so it is correct for every size its arguments give. An allocation
    inside a loop bound to tasks gets one slice per task (``taskId``, at 64-byte
    multiples); one inside any loop must be freed in the same block (its lifetime one
    iteration: a slice is reused by the task's next iteration). ``calloc`` zeroes its
    buffer where it was (``__gdramset``). The size must be computable on the host: an
    expression of scalar parameters and of locals the body defines once from them."""

    def __init__(self, b: "_Binder", f: ir.Function):
        self.b, self.f = b, f
        self.allocs: list[_Alloc] = []
        self.host_defs: list[ir.Decl] = []
        self.table = SymbolTable(f, b.module)  # (file-scope names resolved)

    # --- which buffers
    def find(self) -> None:
        f = self.f
        top = {id(v): d for d in f.body.stmts if isinstance(d, ir.Decl) for v in d.vars}
        frees: dict[str, list[tuple[ir.Block, int]]] = {}
        found: list[tuple[_Alloc, Optional[ir.Block], int, bool]] = []

        def alloc_call(e: Optional[ir.Expr]) -> Optional[ir.Call]:
            e = _uncast(e) if e is not None else None
            if isinstance(e, ir.Call) and isinstance(e.callee, ir.Name) and \
                    e.callee.name.split("::")[-1] in _ALLOCATORS:
                return e
            return None

        def visit(n: ir.Node, block: Optional[ir.Block], pos: int, in_loop: bool) -> None:
            if isinstance(n, ir.Decl):
                for v in n.vars:
                    c = alloc_call(v.init)
                    if c is None:
                        continue
                    if len(n.vars) != 1 or not isinstance(v.type, ir.Pointer):
                        raise _NoWorkspace(f"{v.name}: an allocation in a declaration of several variables")
                    found.append((_Alloc(v, *self._size(c)), block, pos, in_loop))
                    for a in c.args:
                        visit_expr(a)
                        self.host_defs = self._host(a, top, self.host_defs)
                return
            if isinstance(n, ir.ExprStmt) and isinstance(n.expr, ir.Call) and isinstance(n.expr.callee, ir.Name) \
                    and n.expr.callee.name.split("::")[-1] in _FREES and len(n.expr.args) == 1:
                p = _uncast(n.expr.args[0])
                if not isinstance(p, ir.Name):
                    raise _NoWorkspace(f"free of {ir_text(n.expr.args[0])}: not a heap pointer of the kernel")
                frees.setdefault(p.name, []).append((block, pos))
                return
            if isinstance(n, ir.Block):
                for k, x in enumerate(n.stmts):
                    visit(x, n, k, in_loop)
                return
            if isinstance(n, (ir.For, ir.While, ir.DoWhile)):
                for c in n.children():
                    if isinstance(c, ir.Stmt):
                        visit(c, c if isinstance(c, ir.Block) else None, 0, True)
                    else:
                        visit_expr(c)
                return
            for c in n.children():
                if isinstance(c, ir.Stmt):
                    visit(c, c if isinstance(c, ir.Block) else None, 0, in_loop)
                else:
                    visit_expr(c)

        def visit_expr(e: ir.Node) -> None:
            for x in e.walk():
                if alloc_call(x) is not None:
                    raise _NoWorkspace(f"{ir_text(x)}: an allocation that does not initialise a pointer")

        visit(f.body, f.body, 0, False)
        names = [a.var.name for a, _, _, _ in found]
        declared = [v.name for n in f.body.walk() if isinstance(n, ir.Decl) for v in n.vars]
        for a, block, pos, in_loop in found:
            v = a.var
            if declared.count(v.name) != 1:
                raise _NoWorkspace(f"{v.name} is declared more than once")
            for n in f.body.walk():
                t = n.target if isinstance(n, ir.Assign) else n.operand if isinstance(n, ir.Unary) and n.op in (
                    "++", "--", "&") else None
                if isinstance(t, ir.Name) and t.name == v.name:
                    raise _NoWorkspace(f"{v.name} is assigned after its allocation")
            if in_loop and not any(b is block and k > pos for b, k in frees.get(v.name, [])):
                raise _NoWorkspace(f"{v.name} is allocated in a loop and not freed in the same block")
        for name in frees:
            if name not in names:
                raise _NoWorkspace(f"free({name}): not a buffer the kernel allocates")
        self.allocs = [a for a, _, _, _ in found]
        if self.allocs:  # the host needs them in the kernel's order
            order = {id(d): k for k, d in enumerate(f.body.stmts)}
            self.host_defs.sort(key=lambda d: order[id(d)])

    def _size(self, c: ir.Call) -> tuple[ir.Expr, bool]:
        name = c.callee.name.split("::")[-1]  # type: ignore[union-attr]
        k = _ALLOCATORS[name]
        if k is None:
            if len(c.args) != 2:
                raise _NoWorkspace(f"{ir_text(c)}: calloc takes two arguments")
            return ir.Binary("*", ir.clone(c.args[0]), ir.clone(c.args[1])), True
        if len(c.args) <= k:
            raise _NoWorkspace(f"{ir_text(c)}: no size argument")
        return ir.clone(c.args[k]), False

    def _host(self, e: ir.Expr, top: dict[int, ir.Decl], defs: list[ir.Decl]) -> list[ir.Decl]:
        """The top-level declarations the host needs to evaluate ``e`` (added to ``defs``)."""
        table = self.table

        def visit(x: ir.Node) -> None:
            if isinstance(x, ir.SizeOf):
                return  # not evaluated
            if isinstance(x, (ir.Call, ir.Index, ir.Member, ir.Assign, ir.OpaqueExpr)) or \
                    (isinstance(x, ir.Unary) and x.op in ("*", "&", "++", "--")):
                raise _NoWorkspace(f"the size {ir_text(e)} is not computable on the host ({ir_text(x)})")
            if isinstance(x, ir.Name):
                sym = table.resolve(x) if x in table else None
                if sym is None:
                    raise _NoWorkspace(f"the size {ir_text(e)} uses {x.name}, which the host does not have")
                if sym.kind == "param" and not isinstance(sym.type, (ir.Pointer, ir.Array)):
                    return
                if sym.kind == "global" and isinstance(sym.decl, ir.VarDecl) and sym.decl.init is not None and \
                        isinstance(sym.type, ir.Named) and (sym.type.const or "constexpr" in sym.decl.specifiers):
                    return  # a file-scope constant: the host sees it too
                d = top.get(id(sym.decl))
                v = sym.decl
                if sym.kind != "local" or d is None or not isinstance(v, ir.VarDecl) or v.init is None or \
                        isinstance(v.type, ir.Array) or "static" in v.specifiers or self._written(v.name):
                    raise _NoWorkspace(f"the size {ir_text(e)} uses {x.name}, which the host does not have")
                if d not in defs:
                    if len(d.vars) != 1:
                        raise _NoWorkspace(f"the size {ir_text(e)} uses {x.name}, declared with others")
                    defs.append(d)
                    visit(v.init)
                return
            for c in x.children():
                visit(c)

        visit(e)
        return defs

    def _written(self, name: str) -> bool:
        for n in self.f.body.walk():
            t = n.target if isinstance(n, ir.Assign) else n.operand if isinstance(n, ir.Unary) and n.op in (
                "++", "--", "&") else None
            if isinstance(t, ir.Name) and t.name == name:
                return True
        return False

    # --- the kernel's side
    def rewrite(self, body: ir.Block) -> ir.Block:
        """Allocations read their workspace parameter; frees go; calloc zeroes."""
        by_var = {id(a.var): a for a in self.allocs}
        for a in self.allocs:
            a.ws = self.b.fresh(f"{a.var.name}_ws")

        def fn(n: ir.Node, old: ir.Node):
            if isinstance(old, ir.Decl) and len(old.vars) == 1 and id(old.vars[0]) in by_var:
                a = by_var[id(old.vars[0])]
                v = n.vars[0]
                v.init = ir.Name(a.ws)
                if not a.zero:
                    return n
                size = ir.clone(a.size)
                zero = ir.ExprStmt(ir.Call(ir.Name("__gdramset"), [ir.Name(v.name), size,
                                                                    ir.Cast(ir.Named("char"), ir.IntLit(0))]))
                return [n, ir.If(ir.Binary(">", ir.clone(a.size), ir.IntLit(0)), zero)]
            if isinstance(n, ir.ExprStmt) and isinstance(n.expr, ir.Call) and isinstance(n.expr.callee, ir.Name) \
                    and n.expr.callee.name.split("::")[-1] in _FREES:
                return []
            if isinstance(n, ir.ExprStmt) and isinstance(n.expr, ir.Call) and isinstance(n.expr.callee, ir.Name) \
                    and n.expr.callee.name.split("::")[-1] == "memset" and len(n.expr.args) == 3 and \
                    self._into_workspace(n.expr.args[0]):
                # device code has no memset: GDRAM is filled with __gdramset (bytes of the value)
                dst, value, size = n.expr.args
                fill = ir.ExprStmt(ir.Call(ir.Name("__gdramset"), [dst, size, ir.Cast(ir.Named("char"), value)]),
                                   span=n.span)
                return ir.If(ir.Binary(">", ir.clone(size), ir.IntLit(0)), fill, span=n.span)
            return None

        return ir.transform(body, fn, with_original=True)

    def _into_workspace(self, e: ir.Expr) -> bool:
        """A pointer into one of the heap buffers: ``p``, ``p + k``, casts of them."""
        names = {a.var.name for a in self.allocs}
        while True:
            e = _uncast(e)
            if isinstance(e, ir.Binary) and e.op in ("+", "-"):
                e = e.lhs
            else:
                return isinstance(e, ir.Name) and e.name in names

    def slices(self, f: ir.Function) -> set[str]:
        """Allocations inside a loop bound to tasks: one slice of the workspace per task."""
        mine = {a.ws: a for a in self.allocs}
        sliced: set[str] = set()

        def visit(n: ir.Node, bound: bool) -> None:
            if isinstance(n, ir.For) and n.info.kind == "bound" and "taskId" in (n.info.axis or ""):
                bound = True
            if isinstance(n, ir.VarDecl) and isinstance(n.init, ir.Name) and n.init.name in mine and bound:
                a = mine[n.init.name]
                sliced.add(a.ws)
                step = ir.Binary("*", ir.Binary("/", ir.Binary("+", ir.Cast(ir.Named("size_t"), ir.clone(a.size)),
                                                               ir.IntLit(WORKSPACE_ALIGN - 1)),
                                                ir.IntLit(WORKSPACE_ALIGN)), ir.IntLit(WORKSPACE_ALIGN))
                at = ir.Binary("+", ir.Cast(ir.Pointer(ir.Named("char")), ir.Name(a.ws)),
                               ir.Binary("*", ir.Name("taskId"), step))
                n.init = ir.Cast(_unconst(n.type), at)
            for c in n.children():
                visit(c, bound)

        visit(f.body, False)
        return sliced

    # --- the host's side
    def wrapper(self, kernel: ir.Function, original: ir.Function, sliced: set[str]) -> ir.Function:
        """The kernel's name and signature as a host function: allocate, launch, free."""
        ntasks = 1
        text = kernel.annotations.get("launch")
        if text:
            launch = spec.parse_launch(text, "bang")
            ntasks = launch.dim[0] * launch.dim[1] * launch.dim[2]
        malloc, free = runtime_api.spell("bang", "malloc"), runtime_api.spell("bang", "free")
        body: list[ir.Stmt] = [ir.clone(d) for d in self.host_defs]
        for a in self.allocs:
            t = _unconst(a.var.type)
            body.append(ir.Decl([ir.VarDecl(a.ws, t)]))
            size: ir.Expr = ir.Cast(ir.Named("size_t"), ir.clone(a.size))
            if a.ws in sliced:
                size = ir.Binary("*", ir.Binary("*", ir.Binary("/", ir.Binary("+", size, ir.IntLit(WORKSPACE_ALIGN - 1)),
                                                                ir.IntLit(WORKSPACE_ALIGN)), ir.IntLit(WORKSPACE_ALIGN)),
                                 ir.IntLit(ntasks))
            body.append(ir.ExprStmt(ir.Call(ir.Name(malloc), [
                ir.Cast(ir.Pointer(ir.Pointer(ir.Named("void"))), ir.Unary("&", ir.Name(a.ws))), size])))
        args = [ir.Name(p.name) for p in original.params] + [ir.Name(a.ws) for a in self.allocs]
        body.append(ir.ExprStmt(ir.Launch(ir.Name(kernel.name), [], args)))
        for a in self.allocs:
            body.append(ir.ExprStmt(ir.Call(ir.Name(free), [ir.Name(a.ws)])))
        notes = {k: v for k, v in original.annotations.items() if k not in ("launch",)}
        return ir.Function(original.name, ir.clone(original.ret), [ir.clone(p) for p in original.params],
                           ir.Block(body), kind="host", extern_c=original.extern_c, annotations=notes,
                           span=original.span)


def _device_calloc(body: ir.Block) -> ir.Block:
    """``p = (T *)calloc(n, s);`` -> ``p = (T *)malloc(n * s); if (p) memset(p, 0, n * s);``:
    device code has ``malloc``, ``free`` and ``memset`` but no ``calloc``."""
    def calloc(e: Optional[ir.Expr]) -> Optional[ir.Call]:
        e = _uncast(e) if e is not None else None
        if isinstance(e, ir.Call) and isinstance(e.callee, ir.Name) and \
                e.callee.name.split("::")[-1] == "calloc" and len(e.args) == 2:
            return e
        return None

    def rewrite(init: ir.Expr, c: ir.Call) -> ir.Expr:
        def fn(n: ir.Node):
            if n == c:
                return ir.Call(ir.Name("malloc"), [ir.Binary("*", ir.clone(c.args[0]), ir.clone(c.args[1]))])
            return None
        return ir.transform(init, fn)

    def zero(p: ir.Expr, c: ir.Call) -> ir.Stmt:
        size = ir.Binary("*", ir.clone(c.args[0]), ir.clone(c.args[1]))
        return ir.If(ir.clone(p), ir.ExprStmt(ir.Call(ir.Name("memset"), [ir.clone(p), ir.IntLit(0), size])))

    def fn(n: ir.Node):
        if isinstance(n, ir.Decl) and len(n.vars) == 1 and calloc(n.vars[0].init) is not None:
            v = n.vars[0]
            c = calloc(v.init)
            v.init = rewrite(v.init, c)
            return [n, zero(ir.Name(v.name), c)]
        if isinstance(n, ir.ExprStmt) and isinstance(n.expr, ir.Assign) and n.expr.op == "=" and \
                calloc(n.expr.value) is not None:
            c = calloc(n.expr.value)
            n.expr.value = rewrite(n.expr.value, c)
            return [n, zero(n.expr.target, c)]
        return None

    if not any(isinstance(n, ir.Call) and isinstance(n.callee, ir.Name) and n.callee.name.endswith("calloc")
               for n in body.walk()):
        return body
    return ir.transform(body, fn)


def ir_text(e: ir.Node) -> str:
    from ..printer import print_node

    try:
        return print_node(e)
    except Exception:  # noqa: BLE001 -- a message must never fail
        return type(e).__name__


def _uncast(e: ir.Expr) -> ir.Expr:
    while isinstance(e, ir.Cast):
        e = e.operand
    return e


def _jumps_out(s: ir.Node) -> bool:
    """A ``break``, ``continue`` or ``return`` in ``s`` that leaves it."""
    def visit(n: ir.Node, loop: bool, switch: bool) -> bool:
        if isinstance(n, ir.Return):
            return True
        if isinstance(n, ir.Break) and not (loop or switch):
            return True
        if isinstance(n, ir.Continue) and not loop:
            return True
        inner_loop = loop or isinstance(n, (ir.For, ir.While, ir.DoWhile))
        inner_switch = switch or isinstance(n, ir.Switch)
        return any(visit(c, inner_loop, inner_switch) for c in n.children())

    return visit(s, False, False)


def _continues(body: ir.Node) -> bool:
    """A ``continue`` of the loop whose body is ``body``."""
    if isinstance(body, ir.Continue):
        return True
    if isinstance(body, (ir.For, ir.While, ir.DoWhile)):
        return False
    return any(_continues(c) for c in body.children())


#: the reductions a block shares: operator -> (the start of a partial, its combination)
_COMBINE = {"+": (0, "+"), "*": (1, "*"), "min": (0, "min"), "max": (0, "max"), "&": (-1, "&"), "|": (0, "|"),
            "^": (0, "^")}


def _combine(op: str, t: ir.CType, a: ir.Expr, b: ir.Expr) -> ir.Expr:
    if op in ("min", "max"):
        if ctype.float_rank(t) is not None:
            fn = ("fminf" if op == "min" else "fmaxf") if dtypes.sizeof(t) == 4 else ("fmin" if op == "min" else "fmax")
            return ir.Call(ir.Name(fn), [a, b])
        return ir.Ternary(ir.Binary("<" if op == "min" else ">", ir.clone(b), ir.clone(a)), b, a)
    return ir.Binary(op, a, b)


def _breaks(body: ir.Node) -> bool:
    """A ``break`` of the loop whose body is ``body``."""
    if isinstance(body, ir.Break):
        return True
    if isinstance(body, (ir.For, ir.While, ir.DoWhile, ir.Switch)):
        return False
    return any(_breaks(c) for c in body.children())


def _pure_function(name: str, module: Optional[ir.Module], d: dialects.Dialect, seen: frozenset = frozenset()) -> bool:
    """A call of ``name`` reads and writes no memory (a math function of the tables, or a
    function of the module that only computes on its scalar parameters)."""
    if name.startswith(_PURE_BUILTINS):
        return True
    g = module.function(name) if module is not None else None
    if g is not None and g.body is not None:
        if name in seen or any(isinstance(p.type, (ir.Pointer, ir.Array, ir.Reference)) for p in g.params):
            return False
        local = {p.name for p in g.params} | {v.name for n in g.body.walk() if isinstance(n, ir.Decl) for v in n.vars}
        for n in g.body.walk():
            t = n.target if isinstance(n, ir.Assign) else n.operand if isinstance(n, ir.Unary) and n.op in (
                "++", "--") else None
            if t is not None and not (isinstance(t, ir.Name) and t.name in local):
                return False
            if isinstance(n, (ir.OpaqueStmt, ir.OpaqueExpr)):
                return False
            if isinstance(n, ir.Call) and not (isinstance(n.callee, ir.Name) and _pure_function(
                    n.callee.name, module, d, seen | {name})):
                return False
        return True
    it = d.intrinsic(name)
    return it is not None and it.category in _PURE_CATEGORIES and not any(
        "*" in p.type or "&" in p.type for ov in it.overloads for p in ov.params)


def _callees(module: ir.Module, roots: set[str]) -> list[ir.Function]:
    """The functions defined in ``module`` that the functions named ``roots`` call,
    directly or through each other."""
    defined = {f.name: f for f in module.functions if f.body is not None}
    seen: set[str] = set()
    todo = [defined[r] for r in roots if r in defined]
    while todo:
        f = todo.pop()
        for n in f.body.walk():
            if isinstance(n, ir.Call) and isinstance(n.callee, ir.Name):
                name = n.callee.name.split("<", 1)[0]
                if name in defined and name not in seen and name not in roots:
                    seen.add(name)
                    todo.append(defined[name])
    return [defined[n] for n in sorted(seen)]


def _is_only_work(stmts: list[ir.Stmt], loop: ir.For) -> bool:
    """The body is the loop plus declarations, comments and empty statements (whatever
    else would run once per thread or task)."""
    for s in stmts:
        if s is loop or isinstance(s, (ir.Comment, ir.Empty, ir.Pragma)):
            continue
        if isinstance(s, ir.Block) and _is_only_work(s.stmts, loop):
            continue
        if isinstance(s, ir.Decl) and all(v.init is None or not _writes(v.init) for v in s.vars) and \
                all(not isinstance(v.type, ir.Array) for v in s.vars):
            continue
        return False
    return True


def _writes(e: ir.Expr) -> bool:
    return any(isinstance(n, (ir.Assign, ir.Call)) or (isinstance(n, ir.Unary) and n.op in ("++", "--"))
               for n in e.walk())


def _paren(e: ir.Expr) -> ir.Expr:
    return ir.clone(e)  # the printer adds the parentheses precedence asks for


def _member(base: str, m: str) -> ir.Expr:
    return ir.Member(ir.Name(base), m)


def _at(view: loops.LoopView, k: ir.Expr) -> ir.Expr:
    """``start + k * step``, simplified for the common start 0, step 1."""
    scaled = k if view.step == 1 else ir.Binary("*", k, ir.IntLit(view.step))
    if isinstance(view.start, ir.IntLit) and view.start.value == 0:
        return scaled
    return ir.Binary("+", ir.clone(view.start), scaled)


def _decl(name: str, t: Optional[ir.CType], init: ir.Expr) -> ir.VarDecl:
    return ir.VarDecl(name, _unconst(t) if t is not None else ir.Named("int"), init)


def _unconst(t: ir.CType) -> ir.CType:
    t = ir.clone(t)
    top = t
    while isinstance(top, ir.Array):
        top = top.elem
    if isinstance(top, (ir.Named, ir.Pointer)):
        top.const = False
    return t


def _replace(root: ir.Block, old: ir.Stmt, new: list[ir.Stmt]) -> None:
    """Put ``new`` where ``old`` stands in ``root`` (in place: ``root`` is the pass's copy)."""
    for n in root.walk():
        if isinstance(n, ir.Block):
            for i, s in enumerate(n.stmts):
                if s is old:
                    n.stmts[i:i + 1] = new
                    return
    raise AssertionError("loop not found in the body")
