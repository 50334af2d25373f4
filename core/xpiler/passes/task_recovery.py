"""``task_recovery``: a BANG kernel becomes one sequential loop over the tasks of its launch.

    before (launch dim=4,1,1 type=union1):
        __nram__ float buf[256];
        __mlu_global__ void k(const float *x, float *y, int n) {
            if (__is_mpu()) return;
            for (int i = taskId * 256; i < n; i += taskDim * 256) {
                int m = n - i < 256 ? n - i : 256;
                __memcpy(buf, x + i, m * sizeof(float), GDRAM2NRAM);
                __bang_mul_scalar(buf, buf, 2.0f, 256);
                __memcpy(y + i, buf, m * sizeof(float), NRAM2GDRAM);
            }
        }
    after (one BLOCK task: launch dim=1,1,1 type=block):
        __mlu_global__ void k(const float *x, float *y, int n) {
            for (int task = 0; task < 4; ++task) {          // parallel
                __nram__ float buf[256];
                for (int i = task * 256; i < n; i += 4 * 256) { ...the same body... }
            }
        }

Each built-in variable becomes an expression of the task index and the launch (bang.md §1.2,
the emulator's model): ``taskId`` the index, ``taskDim*`` the launch's numbers, ``taskIdX/Y/Z``
its digits; UnionN: ``coreDim`` = the arch's cores per cluster (4), ``coreId`` = ``task % 4``,
``clusterDim`` = N, ``clusterId`` = ``(task / 4) % N``; BLOCK: ``coreDim`` 1, ``coreId`` and
``clusterId`` 0, ``clusterDim`` 0. ``__is_mpu()`` is 0 (the MPU's own work is the five SRAM
copy directions, done once per cluster by core 0: those copies get ``if (coreId == 0)`` in
union kernels, as in the emulator). Per-core memories (``__nram__``, ``__wram__``,
``__ldram__``) become per-task declarations inside the task loop (file-scope ones move in).
``return`` ends the task: a return at the top level of the body or of a top-level ``if``
puts the rest of the body under the opposite condition (a flag when the branch runs code
first); a return nested deeper becomes ``continue``.

Tasks communicate only through a cluster's SRAM (``__mlu_shared__``) and the barriers
``__sync_cluster`` / ``__sync_all``. A union kernel that uses either runs per *group* (the 4
cores of a cluster; the whole union job for ``__sync_all``): one loop over the groups, SRAM
declared per group (per cluster of the job: an array over its clusters), and the body split
at each top-level barrier into phases, each a loop over the group's cores (thread-loop
fission, as ``loop_recovery`` does at ``__syncthreads``). A top-level local or per-core array
used in more than one phase is expanded into an array over the group's cores. The task loop
is marked parallel only where tasks do not communicate (no SRAM, no barrier); in the grouped
form the group loop is parallel and so is each phase's loop over cores (between two barriers
cores do not communicate). BLOCK tasks never share SRAM and their barriers are no-ops.

The result is still a BANG kernel (its intrinsics run on the per-task on-chip arrays, so the
emulator checks every step), launched as one BLOCK task; ``detensorize`` then makes it C.

Preconditions: ``kernel`` (a BANG kernel with a body), ``launch`` (known, and valid for the
arch: dim.x a multiple of 4N for UnionN), ``modelled`` (nothing kept verbatim),
``calls-inlined`` (no call to a device function that reads built-ins, synchronises or uses
file-scope on-chip memory: run ``inline_calls`` first), ``barriers`` (barriers of a union
kernel only at the top level of its body; no split barriers), ``returns`` (no return inside
a loop; in a union kernel with barriers none before the last barrier: a core that leaves
early would keep the others waiting), ``directions`` (the direction of every ``__memcpy``
is a constant, so the MPU's copies are known), ``cluster-copies`` (no copy into another
cluster's SRAM), ``expandable`` (a local used across a barrier is not initialised with a
brace list).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from .. import ir, spec
from ..dialects.bang import intrinsics as bang_table
from .base import Param, Pass, Precondition, Refusal, Space, register
from .base import fresh_name, unique_locals

BUILTINS = ("taskId", "taskIdX", "taskIdY", "taskIdZ", "taskDim", "taskDimX", "taskDimY", "taskDimZ",
            "clusterId", "clusterDim", "coreId", "coreDim")
#: barriers and what they wait for (the MPU is not modelled: its barriers are the MLU cores')
BARRIERS = {"__sync_cluster": "cluster", "__sync_all_ipu_within_cluster": "cluster", "__sync_all": "job",
            "__sync_all_ipu": "job"}
SPLIT_BARRIERS = ("__sync_cluster_arrive", "__sync_cluster_wait", "__sync_all_arrive", "__sync_all_wait")
PER_CORE = ("nram", "wram", "ldram")
COPIES = ("__memcpy", "__memcpy_async")
_ID_FORMS = (5, 8, 13)  # argument counts of the id_dst_cluster forms (1-D, 2-D, 3-D)


def _callee(n: ir.Node) -> Optional[str]:
    if isinstance(n, ir.Call) and isinstance(n.callee, ir.Name):
        return n.callee.name.split("<", 1)[0].strip()
    return None


def direction(e: ir.Expr) -> Optional[str]:
    """The mluMemcpyDirection_t a direction argument names (``GDRAM2NRAM``,
    ``mluMemcpyDirection_t::GDRAM2NRAM``, or its value), None when it is not a constant."""
    while isinstance(e, ir.Cast):
        e = e.operand
    if isinstance(e, ir.Name):
        name = e.name.split("::")[-1]
        return name if name in bang_table.MEMCPY_DIRECTIONS else None
    if isinstance(e, ir.IntLit):
        return next((k for k, v in bang_table.MEMCPY_DIRECTIONS.items() if v["value"] == e.value), None)
    return None




def _names(n: ir.Node) -> set[str]:
    return {x.name for x in n.walk() if isinstance(x, ir.Name)}


def _stmts(s: Optional[ir.Stmt]) -> list[ir.Stmt]:
    if s is None:
        return []
    return list(s.stmts) if isinstance(s, ir.Block) else [s]


def _returning(s: Optional[ir.Stmt]) -> Optional[list[ir.Stmt]]:
    """The statements before the return when branch ``s`` returns, else None."""
    if isinstance(s, ir.Return):
        return []
    if isinstance(s, ir.Block):
        for k, x in enumerate(s.stmts):
            if isinstance(x, ir.Return):
                return s.stmts[:k]
    return None


def _const(e: Optional[ir.Expr]) -> Optional[int]:
    """The value of a condition made of literals, ``!``, ``&&``, ``||`` (what ``__is_mpu()``
    folding leaves), else None."""
    if isinstance(e, ir.IntLit):
        return e.value
    if isinstance(e, ir.BoolLit):
        return int(e.value)
    if isinstance(e, ir.Cast):
        return _const(e.operand)
    if isinstance(e, ir.Unary) and e.op == "!":
        v = _const(e.operand)
        return None if v is None else int(not v)
    if isinstance(e, ir.Binary) and e.op in ("&&", "||"):
        a, b = _const(e.lhs), _const(e.rhs)
        if e.op == "&&":
            return 0 if a == 0 or (a is not None and b == 0) else (1 if a and b else None)
        return 1 if a or (a == 0 and b) else (0 if a == 0 and b == 0 else None)
    return None


def _unqual(t: ir.CType) -> ir.CType:
    """``t`` without its top-level const (an expanded local is assigned after its declaration)."""
    t = ir.clone(t)
    top = t
    while isinstance(top, ir.Array):
        top = top.elem
    if isinstance(top, (ir.Named, ir.Pointer)):
        top.const = False
    return t


def _for(var: str, extent: int, body: list[ir.Stmt], parallel: bool) -> ir.For:
    return ir.For(ir.Decl([ir.VarDecl(var, ir.Named("int"), ir.IntLit(0))]),
                  ir.Binary("<", ir.Name(var, kind="local"), ir.IntLit(extent)),
                  ir.Unary("++", ir.Name(var, kind="local")), ir.Block(body),
                  info=ir.LoopInfo("parallel" if parallel else "serial"))


class _Refuse(Exception):
    def __init__(self, precondition: str, detail: str, node: Optional[ir.Node] = None):
        super().__init__(detail)
        self.precondition, self.detail, self.node = precondition, detail, node


@dataclass
class _Launch:
    dim: tuple[int, int, int]
    union: int  # clusters per job, 0 for BLOCK
    cores: int  # cores per cluster (coreDim) for union jobs

    @property
    def tasks(self) -> int:
        return self.dim[0] * self.dim[1] * self.dim[2]


# ----------------------------------------------------------------------------- the pass
@register
class TaskRecovery(Pass):
    """A BANG kernel becomes a sequential loop over the tasks of its launch.

        before:  __mlu_global__ void k(float *y, int n) {            (launch dim=4,1,1 type=union1)
                     for (int i = taskId; i < n; i += taskDim) y[i] = coreId; }
        after:   __mlu_global__ void k(float *y, int n) {            (launch dim=1,1,1 type=block)
                     for (int task = 0; task < 4; ++task)            (parallel)
                         for (int i = task; i < n; i += 4) y[i] = task % 4; }
    """

    name = "task_recovery"
    stage = "lift"
    params = (Param("kernel", Space("name", doc="a kernel of the module"), "the kernel to lift (default: every one)",
                    default=""),
              Param("launch", Space("text"), "dim=X,Y,Z type=block|unionN (default: the kernel's launch comment)",
                    default=""),
              Param("arch", Space.one_of(*bang_table.ARCHS), "the MLU model (cores per cluster)", default="mtp_372"))
    requires = (
        Precondition("kernel", "a BANG kernel with a body"),
        Precondition("launch", "the launch is known (a launch comment or the launch parameter) and valid for the "
                               "arch (dim.x a multiple of 4N for UnionN)"),
        Precondition("modelled", "no statement the IR keeps verbatim (goto, asm, a construct clang could not "
                                 "analyse)"),
        Precondition("calls-inlined", "no call to a device function that reads built-in variables, synchronises or "
                                      "uses file-scope on-chip memory (inline it first)"),
        Precondition("barriers", "barriers of a union kernel only at the top level of its body; no split barriers"),
        Precondition("returns", "no return inside a loop; none before the last barrier of a union kernel"),
        Precondition("directions", "the direction of every __memcpy is a constant"),
        Precondition("cluster-copies", "no copy into another cluster's SRAM (the id_dst_cluster forms)"),
        Precondition("expandable", "a local used across a barrier has no brace initialiser"),
    )

    def _kernels(self, module: ir.Module, kernel: str) -> list[ir.Function]:
        return [k for k in module.kernels if k.body is not None and (not kernel or k.name == kernel)]

    def _launch(self, k: ir.Function, text: str, arch: str) -> _Launch:
        text = text or k.annotations.get("launch", "")
        if not text:
            raise _Refuse("launch", f"{k.name} has no launch: add '// xpiler: launch dim=X,Y,Z type=union1' above it",
                          k)
        try:
            lw = spec.parse_launch(text, "bang")
        except Exception as e:  # noqa: BLE001 - reported as the refusal
            raise _Refuse("launch", f"{k.name}: {e}", k)
        cores = bang_table.ARCH_RULES[arch]["core_dim"]
        if lw.union:
            if not cores:
                raise _Refuse("launch", f"{arch} has no clusters: a {lw.type} launch cannot run there", k)
            if lw.dim[0] % (cores * lw.union):
                raise _Refuse("launch", f"{lw.type} needs dim.x to be a multiple of {cores * lw.union} "
                                        f"({cores} cores x {lw.union} clusters), got {text!r}", k)
        return _Launch(tuple(lw.dim), lw.union, cores or 1)

    def preconditions(self, module: ir.Module, target: Optional[str], kernel: str = "", launch: str = "",
                      arch: str = "mtp_372") -> Iterator[Refusal]:
        if module.dialect != "bang":
            yield self.refuse("kernel", f"the module is {module.dialect}, not BANG")
            return
        ks = self._kernels(module, kernel)
        if not ks:
            yield self.refuse("kernel", f"no kernel {kernel!r} with a body" if kernel else "the module has no kernel")
            return
        for k in ks:
            try:
                _Lifter(module, k, self._launch(k, launch, arch)).run()
            except _Refuse as r:
                yield self.refuse(r.precondition, r.detail, r.node)
                return

    def rewrite(self, module: ir.Module, target: Optional[str], kernel: str = "", launch: str = "",
                arch: str = "mtp_372") -> ir.Module:
        chosen = {k.name: self._launch(k, launch, arch) for k in self._kernels(module, kernel)}
        moved: set[str] = set()  # file-scope on-chip variables now declared per task
        lifted: dict[str, ir.Function] = {}
        for name, lw in chosen.items():
            lifter = _Lifter(module, module.function(name), lw)
            lifted[name] = lifter.run()
            moved |= lifter.moved
        users = {n.name for f in module.functions if f.body is not None and f.name not in chosen
                 for n in f.body.walk() if isinstance(n, ir.Name)}

        def fn(n: ir.Node):
            if isinstance(n, ir.Function) and n.name in lifted and n.body is not None:
                return lifted[n.name]
            return None

        out = self.transform(module, fn)
        # file-scope on-chip declarations that only lifted kernels used are gone (now per task)
        keep = []
        for item in out.items:
            if isinstance(item, ir.Decl) and all(v.name in moved and v.name not in users for v in item.vars):
                continue
            keep.append(item)
        out.items = keep
        return out


# ----------------------------------------------------------------------------- lifting
class _Lifter:
    def __init__(self, module: ir.Module, f: ir.Function, launch: _Launch):
        self.module, self.f, self.launch = module, f, launch
        self.globals = {v.name: v for item in module.items if isinstance(item, ir.Decl) for v in item.vars}
        self.onchip = {n: v for n, v in self.globals.items() if v.space in PER_CORE + ("sram",)}
        self.taken = {n.name for n in module.walk() if isinstance(n, ir.Name)} | set(self.globals) | \
            {v.name for n in f.walk() if isinstance(n, ir.Decl) for v in n.vars} | {p.name for p in f.params} | \
            {g.name for g in module.functions}
        self.moved: set[str] = set()

    def fresh(self, base: str) -> str:
        return fresh_name(base, self.taken)

    # --- checks on the source body
    def _check(self, body: ir.Block) -> None:
        device = {g.name: g for g in self.module.functions if g.body is not None and not g.is_kernel and
                  g.kind in ("device", "host_device")}
        for n in body.walk():
            if isinstance(n, (ir.OpaqueStmt, ir.OpaqueExpr)):
                raise _Refuse("modelled", f"'{n.text.strip()[:40]}' is kept verbatim", n)
            name = _callee(n)
            if name is None:
                continue
            if name in SPLIT_BARRIERS and self.launch.union:
                raise _Refuse("barriers", f"{name}: split barriers are not lifted", n)
            if name in device:
                g = device[name]
                why = self._device_use(g)
                if why:
                    raise _Refuse("calls-inlined", f"{name} {why}: inline it first (inline_calls)", n)
            if name in COPIES:
                if len(n.args) in _ID_FORMS:
                    raise _Refuse("cluster-copies", f"{name} into the SRAM of cluster id_dst_cluster", n)
                if len(n.args) >= 4 and direction(n.args[3]) is None:
                    raise _Refuse("directions", f"the direction of this {name} is not a constant", n)

    def _device_use(self, g: ir.Function) -> Optional[str]:
        for x in g.body.walk():
            if isinstance(x, ir.Name) and x.name in BUILTINS:
                return f"reads {x.name}"
            if isinstance(x, ir.Name) and x.name in self.onchip:
                return f"uses the file-scope on-chip variable {x.name}"
            c = _callee(x)
            if c is not None and (c in BARRIERS or c in SPLIT_BARRIERS or c == "__is_mpu"):
                return f"calls {c}"
        return None

    # --- step 1: the MPU, constant branches, unique names
    def _simplify(self, body: ir.Block) -> ir.Block:
        def fn(n: ir.Node):
            if _callee(n) == "__is_mpu":
                return ir.IntLit(0)  # the MPU's work is its copies, done by core 0 below
            if isinstance(n, ir.If) and n.decl is None:
                v = _const(n.cond)
                if v is not None:
                    kept = n.then if v else n.other
                    return kept if kept is not None else []
            return None

        return ir.transform(body, fn)

    def _unique(self, body: ir.Block) -> ir.Block:
        """Every local declared once in the function, under a name no other entity has
        (flattening blocks and hoisting declarations then cannot capture)."""
        seen: set[str] = {p.name for p in self.f.params} | set(self.globals) | {g.name for g in self.module.functions}
        return unique_locals(body, seen, self.fresh)

    # --- step 2: where the barriers are
    def _barrier(self, s: ir.Stmt) -> Optional[str]:
        if isinstance(s, ir.ExprStmt):
            c = _callee(s.expr)
            if c in BARRIERS:
                return BARRIERS[c]
        return None

    def _flatten(self, stmts: list[ir.Stmt]) -> list[ir.Stmt]:
        """Top-level plain blocks that hold a barrier are opened (names are unique)."""
        out: list[ir.Stmt] = []
        for s in stmts:
            if isinstance(s, ir.Block) and any(_callee(x) in BARRIERS for x in s.walk()):
                out.extend(self._flatten(s.stmts))
            else:
                out.append(s)
        return out

    def _check_returns(self, stmts: list[ir.Stmt], last_barrier: int) -> None:
        def visit(n: ir.Node, in_loop: bool, before: bool) -> None:
            if isinstance(n, ir.Return):
                if n.value is not None:
                    raise _Refuse("returns", "a kernel returns a value", n)
                if in_loop:
                    raise _Refuse("returns", "a return inside a loop", n)
                if before:
                    raise _Refuse("returns", "a return before a barrier: the other cores of the cluster would wait "
                                             "for this one", n)
            loop = in_loop or isinstance(n, (ir.For, ir.While, ir.DoWhile))
            for c in n.children():
                visit(c, loop, before)

        for i, s in enumerate(stmts):
            visit(s, False, i < last_barrier)

    # --- the whole kernel
    def run(self) -> ir.Function:
        f, lw = self.f, self.launch
        self._check(f.body)
        body = self._unique(self._simplify(f.body))
        self.task = self.fresh("task")
        used_globals = [n for n in self.onchip if n in _names(body)]
        self.moved = set(used_globals)
        sram_used = any(self.onchip[n].space == "sram" for n in used_globals) or \
            any(v.space == "sram" for x in body.walk() if isinstance(x, ir.Decl) for v in x.vars)
        barriers = [x for x in body.walk() if _callee(x) in BARRIERS]
        if not lw.union:  # BLOCK: barriers are no-ops, SRAM is the task's own
            body = ir.transform(body, lambda n: [] if isinstance(n, ir.ExprStmt) and
                                (_callee(n.expr) in BARRIERS or _callee(n.expr) in SPLIT_BARRIERS) else None)
            return self._flat(body, used_globals, parallel=True)
        stmts = self._flatten(body.stmts)
        for b in barriers:
            if not any(b is s.expr for s in stmts if isinstance(s, ir.ExprStmt)):
                raise _Refuse("barriers", f"{_callee(b)} under a condition or in a loop: only barriers at the top "
                                          "level of a union kernel are lifted", b)
        if not barriers and not sram_used:
            self._check_returns(stmts, -1)
            return self._flat(ir.Block(stmts), used_globals, parallel=True)
        kinds = {self._barrier(s) for s in stmts} - {None}
        group = lw.cores * lw.union if "job" in kinds else lw.cores
        last = max((i for i, s in enumerate(stmts) if self._barrier(s)), default=-1)
        self._check_returns(stmts, last)
        return self._grouped(stmts, used_globals, group)

    # --- early returns: the rest of the task under the opposite condition
    def _returns(self, stmts: list[ir.Stmt]) -> list[ir.Stmt]:
        """``S1; if (c) { R; return; } S2`` -> ``S1; if (c) { R } if (!c) { S2 }`` (the
        condition kept in a flag when a branch runs code first); a return elsewhere ends the
        task as ``continue``."""
        for i, s in enumerate(stmts):
            split = self._return_split(s)
            if split is None:
                continue
            cond, pre = split
            rest = self._returns(stmts[i + 1:])
            head = stmts[:i] + pre
            if not rest or _const(cond):
                return head
            return head + [ir.If(ir.Unary("!", cond), ir.Block(rest))]
        return stmts

    def _return_split(self, s: ir.Stmt) -> Optional[tuple[ir.Expr, list[ir.Stmt]]]:
        if isinstance(s, ir.Return):
            return ir.IntLit(1), []
        if not isinstance(s, ir.If) or s.decl is not None:
            return None
        then_r, other_r = _returning(s.then), _returning(s.other)
        if then_r is None and other_r is None:
            return None
        body_then = then_r if then_r is not None else _stmts(s.then)
        body_other = other_r if other_r is not None else _stmts(s.other)
        if then_r is not None and other_r is not None:
            taken: ir.Expr = ir.IntLit(1)
        elif not body_then and not body_other:
            return (ir.clone(s.cond) if then_r is not None else ir.Unary("!", ir.clone(s.cond))), []
        else:
            taken = None
        # the branches may change what the condition reads: decide once, before them
        flag = self.fresh("returned")
        decl = ir.Decl([ir.VarDecl(flag, ir.Named("int"), ir.clone(s.cond))], span=s.span)
        if taken is None:
            taken = ir.Name(flag, kind="local") if then_r is not None else ir.Unary("!", ir.Name(flag, kind="local"))
        branch = ir.If(ir.Name(flag, kind="local"), ir.Block(body_then), ir.Block(body_other) if body_other else None,
                       span=s.span)
        return taken, [decl, branch]

    # --- built-ins, MPU copies, returns
    def _builtin(self, name: str, t: ir.Expr) -> ir.Expr:
        lw = self.launch
        dx, dy, dz = lw.dim
        lit = ir.IntLit

        def tx() -> ir.Expr:
            return ir.clone(t)

        if name == "taskId":
            return tx()
        if name in ("taskDim", "taskDimX", "taskDimY", "taskDimZ"):
            return lit({"taskDim": lw.tasks, "taskDimX": dx, "taskDimY": dy, "taskDimZ": dz}[name])
        if name == "taskIdX":
            return lit(0) if dx == 1 else tx() if dy * dz == 1 else ir.Binary("%", tx(), lit(dx))
        if name == "taskIdY":
            if dy == 1:
                return lit(0)
            q = ir.Binary("/", tx(), lit(dx)) if dx > 1 else tx()
            return q if dz == 1 else ir.Binary("%", q, lit(dy))
        if name == "taskIdZ":
            return lit(0) if dz == 1 else ir.Binary("/", tx(), lit(dx * dy)) if dx * dy > 1 else tx()
        if not lw.union:  # BLOCK tasks: the emulator's values (bang.md §1.2)
            return lit({"coreDim": 1, "coreId": 0, "clusterId": 0, "clusterDim": 0}[name])
        if name == "coreDim":
            return lit(lw.cores)
        if name == "clusterDim":
            return lit(lw.union)
        if name == "coreId":
            return ir.Binary("%", tx(), lit(lw.cores))
        if name == "clusterId":
            return lit(0) if lw.union == 1 else ir.Binary("%", ir.Binary("/", tx(), lit(lw.cores)), lit(lw.union))
        raise AssertionError(name)

    def _task_body(self, stmts: list[ir.Stmt], t: ir.Expr, subst: dict[str, ir.Expr]) -> list[ir.Stmt]:
        """``stmts`` for one task whose index is ``t``: MPU copies guarded, built-ins
        substituted, expanded variables indexed, returns ending the task."""
        union = self.launch.union

        def fn(n: ir.Node):
            if isinstance(n, ir.ExprStmt) and union and _callee(n.expr) in COPIES and len(n.expr.args) >= 4:
                d = direction(n.expr.args[3])
                if d is not None and bang_table.MEMCPY_DIRECTIONS[d]["runs_on_mpu"]:
                    # the MPU's copy, once per cluster (the emulator gives it to core 0)
                    cond = ir.Binary("==", self._builtin("coreId", t), ir.IntLit(0))
                    return ir.If(cond, ir.Block([n]))
            if isinstance(n, ir.Name) and n.name in BUILTINS:
                return self._builtin(n.name, t)
            if isinstance(n, ir.Name) and n.name in subst:
                return ir.clone(subst[n.name])
            if isinstance(n, ir.Return):
                return ir.Continue()
            return None

        return list(ir.transform(ir.Block(stmts), fn).stmts)

    def _per_task_decls(self, names: list[str]) -> list[ir.Stmt]:
        return [ir.Decl([ir.VarDecl(n, ir.clone(self.onchip[n].type), ir.clone(self.onchip[n].init)
                                    if self.onchip[n].init is not None else None, self.onchip[n].space,
                                    list(self.onchip[n].specifiers), self.onchip[n].init_style,
                                    list(self.onchip[n].attrs))], span=self.onchip[n].span)
                for n in names]

    def _function(self, body: list[ir.Stmt]) -> ir.Function:
        f = self.f
        annotations = dict(f.annotations)
        annotations["launch"] = "dim=1,1,1 type=block"
        g = ir.Function(f.name, ir.clone(f.ret), [ir.clone(p) for p in f.params], ir.Block(body), kind=f.kind,
                        specifiers=list(f.specifiers), extern_c=f.extern_c, annotations=annotations, span=f.span)
        g.launch_bounds = [ir.clone(x) for x in f.launch_bounds]
        g.template = f.template
        return g

    def _flat(self, body: ir.Block, used_globals: list[str], parallel: bool) -> ir.Function:
        t = ir.Name(self.task, kind="local")
        inner = self._per_task_decls(used_globals) + self._task_body(self._returns(body.stmts), t, {})
        return self._function([_for(self.task, self.launch.tasks, inner, parallel)])

    def _grouped(self, stmts: list[ir.Stmt], used_globals: list[str], group: int) -> ir.Function:
        lw = self.launch
        gvar, cvar = self.fresh("group"), self.fresh("core")
        clusters = group // lw.cores  # clusters per group (1, or the job's N for __sync_all)
        # phases
        phases: list[list[ir.Stmt]] = [[]]
        for s in stmts:
            if self._barrier(s):
                phases.append([])
            else:
                phases[-1].append(s)
        phases[-1] = self._returns(phases[-1])  # returns are only allowed there
        where: dict[str, set[int]] = {}
        for k, ph in enumerate(phases):
            for s in ph:
                for name in _names(s):
                    where.setdefault(name, set()).add(k)
        core_idx = ir.Name(cvar, kind="local")
        t = ir.Binary("+", ir.Binary("*", ir.Name(gvar, kind="local"), ir.IntLit(group)), ir.Name(cvar, kind="local"))
        cluster_idx = self._builtin("clusterId", ir.Name(self.task, kind="local"))
        group_decls: list[ir.Stmt] = []
        subst: dict[str, ir.Expr] = {}
        per_core_globals: list[str] = []
        # SRAM: one per cluster (an array over the group's clusters when the group is a job)
        srams = [(n, self.onchip[n]) for n in used_globals if self.onchip[n].space == "sram"]
        srams += [(v.name, v) for s in stmts for x in s.walk() if isinstance(x, ir.Decl) for v in x.vars
                  if v.space == "sram"]
        for name, v in srams:
            typ = ir.clone(v.type) if clusters == 1 else ir.Array(ir.clone(v.type), ir.IntLit(clusters))
            group_decls.append(ir.Decl([ir.VarDecl(name, typ, None, "sram")]))
            if clusters > 1:
                subst[name] = ir.Index(ir.Name(name, kind="local"), ir.clone(cluster_idx))
        for name in used_globals:
            if self.onchip[name].space == "sram":
                continue
            if len(where.get(name, ())) > 1:
                v = self.onchip[name]
                group_decls.append(ir.Decl([ir.VarDecl(name, ir.Array(ir.clone(v.type), ir.IntLit(group)), None,
                                                       v.space)]))
                subst[name] = ir.Index(ir.Name(name, kind="local"), ir.clone(core_idx))
            else:
                per_core_globals.append(name)
        # top-level locals used in more than one phase: one per core of the group
        expanded: set[str] = set()
        for ph in phases:
            for s in ph:
                if not isinstance(s, ir.Decl):
                    continue
                for v in s.vars:
                    if v.space == "sram" or len(where.get(v.name, ())) <= 1:
                        continue
                    if isinstance(v.init, ir.InitList):
                        raise _Refuse("expandable", f"{v.name} is used across a barrier and has a brace "
                                                    "initialiser", s)
                    group_decls.append(ir.Decl([ir.VarDecl(v.name, ir.Array(_unqual(v.type), ir.IntLit(group)),
                                                           None, v.space if v.space in PER_CORE else "local")]))
                    subst[v.name] = ir.Index(ir.Name(v.name, kind="local"), ir.clone(core_idx))
                    expanded.add(v.name)

        def strip(stmts_: list[ir.Stmt]) -> list[ir.Stmt]:
            out: list[ir.Stmt] = []
            for s in stmts_:
                if isinstance(s, ir.Decl) and any(v.space == "sram" or v.name in expanded for v in s.vars):
                    keep = [v for v in s.vars if v.space != "sram" and v.name not in expanded]
                    if keep:
                        out.append(ir.Decl(keep, span=s.span))
                    for v in s.vars:
                        if v.name in expanded and v.init is not None:
                            out.append(ir.ExprStmt(ir.Assign("=", ir.Name(v.name, kind="local"), v.init),
                                                   span=s.span))
                    continue
                if isinstance(s, ir.Decl):
                    out.append(s)
                    continue
                out.append(ir.transform(s, lambda n: [] if isinstance(n, ir.Decl) and
                                        all(v.space == "sram" for v in n.vars) else None))
            return out

        loops: list[ir.Stmt] = []
        for k, ph in enumerate(phases):
            if not ph:
                continue
            local = [n for n in per_core_globals if k in where.get(n, ())]
            inner = [ir.Decl([ir.VarDecl(self.task, ir.Named("int", const=True), t)])]
            inner += self._per_task_decls(local) + self._task_body(strip(ph), ir.Name(self.task, kind="local"), subst)
            loops.append(_for(cvar, group, inner, parallel=True))
        return self._function([_for(gvar, lw.tasks // group, group_decls + loops, parallel=True)])
