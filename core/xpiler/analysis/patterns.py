"""Index patterns of parallel code, recognised on the IR: the one place that knows what a
global thread index, a grid-stride loop or a BANG task index looks like.

Launch inference (``runtime/infer.py``) reads them to size a grid; loop recovery reads
them to turn parallel variables back into loops.

    int i = blockIdx.x * blockDim.x + threadIdx.x;        global_index(init, env) == "x"
    for (int i = gid; i < n; i += blockDim.x * gridDim.x) grid_stride(loop, env) == GridStride("i", "x")
    if (i >= n) return;                                     guards(f) has (i, n)
    int t = clusterId * coreDim + coreId;                   task_index(init, env) == "task"

Every recogniser looks through casts and through locals defined once (``definitions``),
and accepts either operand order. The built-in variable names come from the dialect tables
(``BuiltinVar.parallel``); the patterns themselves are structural.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from .. import ir

AXES = ("x", "y", "z")
GPU_INDEX = ("threadIdx", "blockIdx", "blockDim", "gridDim")
BANG_TASK = ("taskId", "clusterId", "coreId", "taskDim", "clusterDim", "coreDim")


def strip_casts(e: ir.Expr) -> ir.Expr:
    """``e`` without the casts around it: ``(int)threadIdx.x`` is ``threadIdx.x``."""
    while isinstance(e, ir.Cast):
        e = e.operand
    return e


def builtin(e: ir.Expr) -> Optional[tuple[str, str]]:
    """``("threadIdx", "x")`` for ``threadIdx.x`` (any ``NAME.x|y|z`` member of a name)."""
    if isinstance(e, ir.Member) and isinstance(e.base, ir.Name) and e.member in AXES:
        return e.base.name, e.member
    return None


def definitions(f: ir.Function, strict: bool = True) -> dict[str, ir.Expr]:
    """Locals with one definition and no later assignment: ``int i = <expr>;``. A name
    declared twice (shadowing) or assigned anywhere is left out, so resolving through the
    result never picks the wrong value. ``strict=False`` keeps every initialised local
    (the last declaration of a name wins): launch inference, which only wants a hint,
    uses it for ``int i = <global index>; while (i < n) { ...; i += stride; }``."""
    env: dict[str, ir.Expr] = {}
    declared: dict[str, int] = {}
    assigned: set[str] = set()
    if f.body is None:
        return env
    for n in f.body.walk():
        if isinstance(n, ir.Decl):
            for v in n.vars:
                declared[v.name] = declared.get(v.name, 0) + 1
                if v.init is not None and v.init_style == "=" and not isinstance(v.type, ir.Array):
                    env[v.name] = v.init
        elif isinstance(n, ir.Assign) and isinstance(n.target, ir.Name):
            assigned.add(n.target.name)
        elif isinstance(n, ir.Unary) and n.op in ("++", "--") and isinstance(n.operand, ir.Name):
            assigned.add(n.operand.name)
    if not strict:
        return env
    return {k: v for k, v in env.items() if declared[k] == 1 and k not in assigned}


def resolve(e: ir.Expr, env: dict[str, ir.Expr], depth: int = 8) -> ir.Expr:
    """Follow a name through ``env`` (from :func:`definitions`) to its defining expression."""
    while depth and isinstance(strip_casts(e), ir.Name) and strip_casts(e).name in env:
        e = env[strip_casts(e).name]
        depth -= 1
    return e


def _product(e: ir.Expr) -> Optional[tuple[ir.Expr, ir.Expr]]:
    e = strip_casts(e)
    if isinstance(e, ir.Binary) and e.op == "*":
        return strip_casts(e.lhs), strip_casts(e.rhs)
    if isinstance(e, ir.Call) and isinstance(e.callee, ir.Name) and e.callee.name in ("__mul24", "__umul24") \
            and len(e.args) == 2:
        return strip_casts(e.args[0]), strip_casts(e.args[1])
    return None


def global_index(e: ir.Expr, env: Optional[dict[str, ir.Expr]] = None) -> Optional[str]:
    """The axis ``a`` when ``e`` is ``blockIdx.a * blockDim.a + threadIdx.a`` (any order,
    casts, ``__umul24``, through once-defined locals)."""
    env = env or {}
    e = strip_casts(resolve(e, env))
    if not (isinstance(e, ir.Binary) and e.op == "+"):
        return None
    for a, b in ((e.lhs, e.rhs), (e.rhs, e.lhs)):
        t = builtin(strip_casts(resolve(b, env)))
        prod = _product(resolve(a, env))
        if t and t[0] == "threadIdx" and prod:
            names = {builtin(strip_casts(resolve(x, env))) for x in prod}
            if names == {("blockIdx", t[1]), ("blockDim", t[1])}:
                return t[1]
    return None


def grid_size(e: ir.Expr, env: Optional[dict[str, ir.Expr]] = None) -> Optional[str]:
    """The axis ``a`` when ``e`` is ``blockDim.a * gridDim.a`` (any order)."""
    env = env or {}
    prod = _product(resolve(e, env))
    if not prod:
        return None
    names = {builtin(strip_casts(resolve(x, env))) for x in prod}
    for a in AXES:
        if names == {("blockDim", a), ("gridDim", a)}:
            return a
    return None


@dataclass(frozen=True)
class GridStride:
    """``for (i = global index; i < bound; i += blockDim.a * gridDim.a)``."""

    var: str
    axis: str


def _loop_var_init(loop: ir.For) -> Optional[tuple[str, ir.Expr]]:
    if isinstance(loop.init, ir.Decl) and len(loop.init.vars) == 1 and loop.init.vars[0].init is not None:
        return loop.init.vars[0].name, loop.init.vars[0].init
    if isinstance(loop.init, ir.ExprStmt) and isinstance(loop.init.expr, ir.Assign) and loop.init.expr.op == "=" \
            and isinstance(loop.init.expr.target, ir.Name):
        return loop.init.expr.target.name, loop.init.expr.value
    return None


def _step_of(step: Optional[ir.Expr], var: str) -> Optional[ir.Expr]:
    """``s`` for ``var += s`` or ``var = var + s``."""
    if isinstance(step, ir.Assign) and isinstance(step.target, ir.Name) and step.target.name == var:
        if step.op == "+=":
            return step.value
        v = step.value
        if step.op == "=" and isinstance(v, ir.Binary) and v.op == "+":
            if isinstance(v.lhs, ir.Name) and v.lhs.name == var:
                return v.rhs
            if isinstance(v.rhs, ir.Name) and v.rhs.name == var:
                return v.lhs
    return None


def grid_stride(loop: ir.For, env: Optional[dict[str, ir.Expr]] = None) -> Optional[GridStride]:
    """The grid-stride loop of CUDA/HIP kernels, or None."""
    head = _loop_var_init(loop)
    if head is None:
        return None
    var, init = head
    axis = global_index(init, env)
    step = _step_of(loop.step, var)
    if axis and step is not None and grid_size(step, env) == axis:
        return GridStride(var, axis)
    return None


def task_index(e: ir.Expr, env: Optional[dict[str, ir.Expr]] = None) -> Optional[str]:
    """``"task"`` for BANG's ``taskId`` or ``clusterId * coreDim + coreId`` (the same value
    in a Union job), ``"cluster"`` for ``clusterId``, ``"core"`` for ``coreId``."""
    env = env or {}
    e = strip_casts(resolve(e, env))
    if isinstance(e, ir.Name):
        return {"taskId": "task", "clusterId": "cluster", "coreId": "core"}.get(e.name)
    if isinstance(e, ir.Binary) and e.op == "+":
        for a, b in ((e.lhs, e.rhs), (e.rhs, e.lhs)):
            core = strip_casts(resolve(b, env))
            prod = _product(resolve(a, env))
            if isinstance(core, ir.Name) and core.name == "coreId" and prod:
                names = {x.name for x in prod if isinstance(x, ir.Name)}
                if names == {"clusterId", "coreDim"}:
                    return "task"
    return None


def task_stride(loop: ir.For, env: Optional[dict[str, ir.Expr]] = None) -> Optional[ir.Expr]:
    """The step of a loop over task ids (``for (i = taskId; i < n; i += taskDim)``, or a
    literal step), or None when the loop does not start at a task index."""
    head = _loop_var_init(loop)
    if head is None or task_index(head[1], env) is None:
        return None
    return _step_of(loop.step, head[0])


def task_loop(s: ir.Stmt) -> Optional[tuple[str, ir.Expr]]:
    """The loop ``bind`` writes over BANG tasks, ``for (int v = taskId; v < X; v += taskDim)``
    with ``X`` not reading ``v``: ``(v, X)``; None for any other statement."""
    if not isinstance(s, ir.For) or not isinstance(s.init, ir.Decl) or len(s.init.vars) != 1:
        return None
    v = s.init.vars[0]
    if not (isinstance(v.init, ir.Name) and v.init.name == "taskId"):
        return None
    c, st = s.cond, s.step
    if not (isinstance(c, ir.Binary) and c.op == "<" and isinstance(c.lhs, ir.Name) and c.lhs.name == v.name):
        return None
    if not (isinstance(st, ir.Assign) and st.op == "+=" and isinstance(st.target, ir.Name) and
            st.target.name == v.name and isinstance(st.value, ir.Name) and st.value.name == "taskDim"):
        return None
    if any(isinstance(n, ir.Name) and n.name == v.name for n in c.rhs.walk()):
        return None
    return v.name, c.rhs


def conjuncts(cond: ir.Expr) -> Iterator[ir.Expr]:
    """The terms of ``a && b && c`` (casts stripped)."""
    stack = [cond]
    while stack:
        c = strip_casts(stack.pop())
        if isinstance(c, ir.Binary) and c.op == "&&":
            stack += [c.rhs, c.lhs]
        else:
            yield c


def guards(f: ir.Function) -> list[tuple[ir.Expr, ir.Expr]]:
    """(index expression, exclusive upper bound) pairs from guards ``idx < bound``,
    ``bound > idx``, loop conditions and early returns ``if (idx >= bound) return;``.

    Terms of ``&&`` and ``||`` are both looked at: in a guard ``i < n && j < m`` each
    bounds its index; in an early return ``if (i >= n || j >= m) return;`` too."""
    out: list[tuple[ir.Expr, ir.Expr]] = []
    if f.body is None:
        return out
    for n in f.body.walk():
        conds: list[ir.Expr] = []
        if isinstance(n, ir.If):
            conds.append(n.cond)
        elif isinstance(n, ir.For) and n.cond is not None:
            conds.append(n.cond)
        while conds:
            c = strip_casts(conds.pop())
            if isinstance(c, ir.Binary) and c.op in ("&&", "||"):
                conds += [c.lhs, c.rhs]
            elif isinstance(c, ir.Binary) and c.op in ("<", "<=", ">=", ">"):
                lhs, rhs = strip_casts(c.lhs), strip_casts(c.rhs)
                # i < n and i >= n (early return) bound i by n; n > i and n <= i likewise
                out.append((lhs, rhs) if c.op in ("<", ">=") else (rhs, lhs))
    return out
