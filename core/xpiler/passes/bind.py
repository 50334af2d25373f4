"""``bind``: the outermost parallel loops of a C-hub kernel run on the target's parallel
hardware; the result is a kernel of the target dialect with its launch.

    before (C hub):                         after (target cuda, block=256):
        void k(float *x, int n) {               __global__ void k(float *x, int n) {
            for (int i = 0; i < n; ++i)             int i0 = blockIdx.x * blockDim.x + threadIdx.x;
                x[i] = 2 * x[i];                    if (i0 < n) { int i = i0; x[i] = 2 * x[i]; }
        }                                       }           // xpiler: launch grid=ceil(n/256) block=256

Per target:
- ``cuda``/``hip``: a flat parallel loop (no parallel loop inside it) goes to the global
  thread index with a guard; perfectly nested parallel loops are collapsed into one index
  first. A parallel loop whose body holds parallel loops (the block loop of a lifted kernel,
  a row loop over column loops) goes to ``blockIdx.x``; its inner parallel loops to the
  block's threads (block-stride loops), the statements between them to thread 0, with a
  barrier after each phase; the body's arrays and the scalars it reassigns become
  ``__shared__``, so every thread of the block sees one copy.
- ``bang``: the parallel loop becomes a loop over ``taskId`` striding by ``taskDim``; the
  task type comes from its extent (Union1, 2 or 4).
- ``c``/``vnni``: ``#pragma omp parallel for`` (with ``private`` for scalars the loop
  reassigns and ``reduction`` where the loop is a scalar reduction).

A loop is parallel when ``loop_recovery`` made it from parallel threads or blocks, or when
the dependence test (``analysis/dependence``) says so; distinct pointer parameters are
assumed not to alias (``assume_no_alias``, on by default and reported), as the oracle's
distinct buffers do. A kernel with no parallel loop runs on one thread or task, and the
pass's notes say why ("not parallel: ...").

Preconditions: ``hub`` (a C module: lift first), ``sizes`` (the extents of bound loops can
be evaluated from the kernel's args comment, to write the launch).
"""
from __future__ import annotations

import math
from typing import Iterator, Optional

from .. import dialects, evaluate, ir, spec
from ..analysis import dependence, loops
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
        if loop.info.kind == "parallel":
            return True  # made parallel by construction (lifted threads or blocks)
        d = self.deps.get(id(loop))
        return d is not None and d.parallel

    def why_not(self, loop: ir.For) -> str:
        d = self.deps.get(id(loop))
        if d is None:
            return self.error or "not analysed"
        return f"{d.kind}: {d.reason}" if d.reason else d.kind

    def deps_of(self, loop: ir.For) -> Optional[dependence.LoopDeps]:
        return self.deps.get(id(loop))


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

        def fn(n: ir.Node, old: ir.Node):
            if isinstance(n, ir.Function) and n.name in chosen:
                cls = _Classifier(module, old, assume_no_alias)
                return _Binder(self, d, n, old, cls, block, tasks).run()
            return None

        out = self.transform(module, fn, with_original=True)
        if target not in ("c", "vnni"):
            for g in _callees(out, chosen):  # the kernel's helpers run on the device too
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
                 block: int, tasks: int):
        self.p, self.d, self.f, self.cls = p, d, f, cls
        self.block, self.tasks = block, tasks
        # the classifier knows the original loops; map the copy's loops to them by position
        self.orig = {id(a): b for a, b in zip(loops.loops(f), loops.loops(original))}
        self.names = {n.name for n in original.walk() if isinstance(n, ir.Name)} | \
            {v.name for n in original.walk() if isinstance(n, ir.Decl) for v in n.vars}
        self.values = _scalars(f)
        self.table = SymbolTable(f)
        self.launch: Optional[str] = None

    def fresh(self, base: str) -> str:
        return fresh_name(base, self.names)

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
        f = self.f
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
            return self._single(f, "more than one top-level loop nest" if len(top) > 1 else
                                "no parallel loop" if not top else "work outside the parallel loop")
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
        inner = [s for s in _stmts(loop.body) if isinstance(s, ir.For) and self.parallel(s)]
        if inner:
            return self._blocks(f, loop, view, extent)
        return self._flat(f, loop, view, extent)

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
        body = _stmts(loop.body)
        inner_loops = [s for s in body if isinstance(s, ir.For) and self.parallel(s)]
        extents = []
        for s in inner_loops:
            v = loops.loop_view(s, self.table)
            try:
                env = evaluate.run_straight_line(_stmts(loop.body), dict(self.env), stop=s)
                extents.append(int(evaluate.evaluate(v.extent, env)) if v else None)
            except (evaluate.Unknown, TypeError, ValueError):
                extents.append(None)
        const = {e for e in extents if e is not None}
        exact = len(const) == 1 and None not in extents and 0 < next(iter(const)) <= 1024
        threads = next(iter(const)) if exact else self.block
        shared = self._shared_names(body, inner_loops)
        out: list[ir.Stmt] = []
        b = self.fresh(f"{view.var}0")
        out.append(ir.Decl([ir.VarDecl(b, ir.Named("int", const=True), _member("blockIdx", "x"))]))
        phase: list[ir.Stmt] = [ir.Decl([_decl(view.var, view.var_type, _at(view, ir.Name(b)))])]
        for s in body:
            if isinstance(s, ir.Decl):
                keep = []
                for v in s.vars:
                    if v.name in shared:
                        out_decl = ir.VarDecl(v.name, _unconst(v.type), None, space="shared")
                        out.insert(1, ir.Decl([out_decl]))
                        if v.init is not None:
                            phase.append(_on_thread0(ir.ExprStmt(ir.Assign("=", ir.Name(v.name), v.init))))
                            phase.append(_barrier())
                    else:
                        keep.append(v)
                if keep:
                    phase.append(ir.Decl(keep, span=s.span))
            elif isinstance(s, ir.For) and self.parallel(s):
                phase.append(self._threads(s, exact, threads))
                phase.append(_barrier())
            elif isinstance(s, (ir.Comment, ir.Empty)):
                phase.append(s)
            else:
                phase.append(_on_thread0(s))
                phase.append(_barrier())
        # the guard is uniform across the block: barriers under it are safe
        out.append(ir.If(ir.Binary("<", ir.Name(b), ir.clone(view.extent)), ir.Block(phase)))
        _replace(f.body, loop, out)
        f.annotations["launch"] = f"grid={max(1, extent)},1,1 block={threads},1,1"
        return f

    def _shared_names(self, body: list[ir.Stmt], inner: list[ir.For]) -> set[str]:
        """Block-level locals all threads must see as one copy: arrays, and scalars that
        something other than their initialiser assigns."""
        declared = {v.name: v for s in body if isinstance(s, ir.Decl) for v in s.vars}
        shared = {n for n, v in declared.items() if isinstance(v.type, ir.Array)}
        for s in body:
            if isinstance(s, ir.Decl):
                continue
            for n in s.walk():
                if isinstance(n, ir.Assign) and isinstance(n.target, ir.Name) and n.target.name in declared:
                    shared.add(n.target.name)
                if isinstance(n, ir.Unary) and n.op in ("++", "--", "&") and isinstance(n.operand, ir.Name) \
                        and n.operand.name in declared:
                    shared.add(n.operand.name)
        return shared

    def _threads(self, s: ir.For, exact: bool, threads: int) -> ir.Stmt:
        view = loops.loop_view(s, self.table)
        t = self.fresh(f"{view.var}t")
        if exact:
            body = [ir.Decl([_decl(view.var, view.var_type, _at(view, ir.Name(t)))])] + _stmts(s.body)
            return ir.Block([ir.Decl([ir.VarDecl(t, ir.Named("int", const=True), _member("threadIdx", "x"))]),
                             ir.If(ir.Binary("<", ir.Name(t), ir.clone(view.extent)), ir.Block(body))])
        body = [ir.Decl([_decl(view.var, view.var_type, _at(view, ir.Name(t)))])] + _stmts(s.body)
        return ir.For(ir.Decl([ir.VarDecl(t, ir.Named("int"), _member("threadIdx", "x"))]),
                      ir.Binary("<", ir.Name(t), ir.clone(view.extent)),
                      ir.Assign("+=", ir.Name(t), _member("blockDim", "x")), ir.Block(body),
                      info=ir.LoopInfo("bound", axis="threadIdx.x"))

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


def _barrier() -> ir.Stmt:
    return ir.ExprStmt(ir.Call(ir.Name("__syncthreads"), []))


def _on_thread0(s: ir.Stmt) -> ir.Stmt:
    return ir.If(ir.Binary("==", _member("threadIdx", "x"), ir.IntLit(0)), ir.Block([s]))


def _replace(root: ir.Block, old: ir.Stmt, new: list[ir.Stmt]) -> None:
    """Put ``new`` where ``old`` stands in ``root`` (in place: ``root`` is the pass's copy)."""
    for n in root.walk():
        if isinstance(n, ir.Block):
            for i, s in enumerate(n.stmts):
                if s is old:
                    n.stmts[i:i + 1] = new
                    return
    raise AssertionError("loop not found in the body")
