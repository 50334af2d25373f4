"""``loop_recovery``: a CUDA/HIP kernel becomes a sequential C loop nest over its launch.

    before (launch grid=G block=256):
        __global__ void k(float *x, int n) {
            __shared__ float s[256];
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            s[threadIdx.x] = i < n ? x[i] : 0;
            __syncthreads();
            if (i < n) x[i] = s[255 - threadIdx.x];
        }
    after:
        void k(float *x, int n) {
            for (int bx = 0; bx < (n + 255) / 256; ++bx) {
                float s[256];
                int i[256];
                for (int tx = 0; tx < 256; ++tx) {
                    i[tx] = bx * 256 + tx;
                    s[tx] = i[tx] < n ? x[i[tx]] : 0;
                }
                for (int tx = 0; tx < 256; ++tx)
                    if (i[tx] < n) x[i[tx]] = s[255 - tx];
            }
        }

Thread-loop fission at barriers (MCUDA; translation-notes.md): the statements between two
``__syncthreads`` run in a loop over the block's threads; a barrier inside a loop or an
``if`` whose control is uniform (the same for every thread of a block) splits that
construct's body the same way, the construct itself running once per block. A local used
in more than one such region is expanded into an array over the block's threads; a local
with uniform value stays one scalar per block. Shared arrays become per-block locals.
An early ``return`` becomes a guard over the rest of the body, or, where barriers follow
it, a per-thread "exited" flag that the later regions test.

``blockDim``/``gridDim`` become the launch's numbers; the grid's extent is an expression of
the kernel's parameters where the guard on the global index gives one (``(n + 255) / 256``
for ``i < n``), so the loop nest is right for every size, not only the launch's.

Barriers and collectives under thread-dependent control (``if (warp == 0) { ...shuffles... }``,
a loop whose trip count differs between threads) are *predicated*: the condition is kept
per thread, the statements between barriers run where it holds, a collective takes the lanes
where it holds, and a divergent loop runs while any thread of the block is still in it.
Every execution CUDA defines keeps its meaning (a barrier must be reached by all threads
or none; a full-mask collective by the whole warp).

Warp collectives (shuffles, votes, match, reduce) run over each warp's lanes from the
table's lane semantics; MFMA builtins the same way, their per-lane registers gathered into
the table's matrices; ``wmma`` fragments become one matrix per warp in block storage
(``fragments.py``), the ``wmma`` calls the table's tile loops per warp.

Preconditions: ``kernel`` (a CUDA/HIP kernel with a body), ``launch`` (known block sizes),
``modelled`` (no statement the IR keeps verbatim, no goto), ``uniform-barriers`` (no barrier
in a switch or an expression, nor in a divergent loop that ``break``/``continue`` leave),
``fragments`` (plain fragment locals of documented unpacked shapes), ``initialisers``,
``returns`` (a return only at the top level of the body or of an ``if`` there),
``no-warp-collectives`` (every collective has lane or tile semantics in the table),
``collective-args``, ``calls-inlined`` (no call to a device function that uses thread
indices or barriers).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Optional

from .. import dialects, evaluate, ir, spec
from ..analysis import patterns
from ..analysis import symbols
from ..analysis.symbols import type_of
from ..dialects import semantics
from ..dialects.base import bind
from .base import Param, Pass, Precondition, Refusal, Space, register
from .base import RewriteRefused, fresh_name
from ..dialects.hip import intrinsics as hip_tables
from . import fragments
from .inline_calls import local_constants

AXES = patterns.AXES
_PURE_CATEGORIES = {"math", "convert", "arith"}


# ----------------------------------------------------------------------------- facts
def _callee(n: ir.Node) -> Optional[str]:
    """The called function's name, without template arguments (``f<128>`` -> ``f``)."""
    if isinstance(n, ir.Call) and isinstance(n.callee, ir.Name):
        return n.callee.name.split("<", 1)[0].strip()
    return None


def barrier_kind(d: dialects.Dialect, name: Optional[str]) -> Optional[str]:
    """``"barrier"`` for a block or warp barrier, ``"fence"`` for a memory fence, from the
    table's ``sync`` category (a fence orders memory only: nothing to do sequentially)."""
    it = d.intrinsic(name) if name else None
    if it is None or it.category != "sync":
        return None
    return "fence" if "fence" in it.name else "barrier"


def _is_barrier_stmt(d: dialects.Dialect, s: ir.Stmt) -> bool:
    return isinstance(s, ir.ExprStmt) and barrier_kind(d, _callee(s.expr)) == "barrier" and \
        _callee(s.expr) in ("__syncthreads", "__syncwarp")


def collective_of(d: dialects.Dialect, n: ir.Node):
    """The table entry of a warp collective called by ``n`` (a shuffle, vote, match or
    reduce whose overloads carry lane semantics), or None."""
    name = _callee(n)
    it = d.intrinsic(name) if name else None
    if it is not None and it.overloads and all(ov.collective is not None for ov in it.overloads):
        return it  # lanes, a tile operation on per-lane registers (MFMA) or on fragments (wmma)
    return None


def _on_fragments(it) -> bool:
    """A tile operation whose matrices are wmma fragments (one per warp, ``fragments.py``)."""
    col = it.overloads[0].collective
    return col.kind == "tile" and not col.operands


def _has_barrier(d: dialects.Dialect, n: ir.Node) -> bool:
    """A barrier, or a warp collective (it synchronises the lanes of a warp: lifted like a
    barrier, so it needs the same uniform control)."""
    return any(barrier_kind(d, _callee(x)) == "barrier" or collective_of(d, x) is not None for x in n.walk())


def _only_collectives(d: dialects.Dialect, s: ir.Stmt) -> bool:
    """An expression statement or declaration whose synchronisation is warp collectives only."""
    return isinstance(s, (ir.ExprStmt, ir.Decl)) and \
        not any(barrier_kind(d, _callee(x)) == "barrier" for x in s.walk())


def _names(n: ir.Node) -> set[str]:
    return {x.name for x in n.walk() if isinstance(x, ir.Name)}


@dataclass
class Launch:
    """Block sizes (ints) and grid extents (IR expressions over the kernel's parameters)."""

    block: tuple[int, int, int]
    grid: tuple[ir.Expr, ir.Expr, ir.Expr]
    grid_evidence: list[str] = field(default_factory=list)
    shared: int = 0


def _lit(v: int) -> ir.Expr:
    return ir.IntLit(v)


def _dim3_parts(e: ir.Expr, host: ir.Function) -> Optional[list[ir.Expr]]:
    """The components of a launch's grid argument: ``dim3 g(a, b)`` declared in ``host``
    (and never reassigned), ``dim3(a, b)``, or one integer expression."""
    if isinstance(e, ir.Name):
        decls = [v for n in host.body.walk() if isinstance(n, ir.Decl) for v in n.vars if v.name == e.name]
        assigned = any(isinstance(n, ir.Assign) and isinstance(n.target, (ir.Name, ir.Member)) and
                       _names(n.target) & {e.name} for n in host.body.walk())
        if len(decls) != 1 or assigned or decls[0].init is None:
            return None
        init = decls[0].init
        if not (isinstance(decls[0].type, ir.Named) and decls[0].type.name == "dim3"):
            return [init]
        e = init
    if isinstance(e, ir.InitList):
        return list(e.items)
    if isinstance(e, ir.Call) and isinstance(e.callee, ir.Name) and e.callee.name == "dim3":
        return list(e.args)
    if isinstance(e, ir.Cast) and isinstance(e.type, ir.Named) and e.type.name == "dim3":
        return [e.operand]
    return [e] if not isinstance(e, (ir.Call, ir.OpaqueExpr)) else None


def host_grid(module: ir.Module, f: ir.Function) -> dict[int, ir.Expr]:
    """Grid extents of ``f`` as expressions of its parameters, from the one host launch of it
    in the module: ``dim3 grid((cols + 1023) / 1024, rows); k<<<grid, 256>>>(dx, dout, rows,
    cols)`` gives x: ``(cols + 1023) / 1024``, y: ``rows`` where the launch passes the host's
    ``rows``/``cols`` (never reassigned there) as the kernel's parameters of those names."""
    sites = [(g, n) for g in module.functions if g.body is not None and not g.is_kernel for n in g.body.walk()
             if isinstance(n, ir.Launch) and isinstance(n.kernel, ir.Name) and
             n.kernel.name.split("<", 1)[0].strip() == f.name]
    if len(sites) != 1 or not sites[0][1].config:
        return {}
    host, site = sites[0]
    parts = _dim3_parts(site.config[0], host)
    if not parts:
        return {}
    assigned = {n.target.name for n in host.body.walk() if isinstance(n, ir.Assign) and isinstance(n.target, ir.Name)}
    assigned |= {n.operand.name for n in host.body.walk() if isinstance(n, ir.Unary) and n.op in ("++", "--")
                 and isinstance(n.operand, ir.Name)}
    to_param = {a.name: p.name for a, p in zip(site.args, f.params) if isinstance(a, ir.Name) and
                a.name not in assigned}
    out: dict[int, ir.Expr] = {}
    for i, e in enumerate(parts[:3]):
        names = _names(e)
        if not names <= set(to_param) or any(isinstance(x, (ir.Call, ir.OpaqueExpr, ir.Assign)) for x in e.walk()):
            continue
        out[i] = ir.transform(e, lambda n: ir.Name(to_param[n.name]) if isinstance(n, ir.Name) else None)
    return out


def _grid_exprs(f: ir.Function, launch: spec.GpuLaunch, from_host: Optional[dict[int, ir.Expr]] = None
                ) -> tuple[tuple[ir.Expr, ...], list[str]]:
    """Each grid extent as an expression of the kernel's parameters where a guard on the
    global index of that axis gives one (``i < n`` -> ``(n + B - 1) / B``), or else the
    file's host launch of the kernel (``from_host``, see :func:`host_grid`), else the
    launch's number (then the loop nest is right for that launch's sizes)."""
    params = {p.name for p in f.params}
    env = patterns.definitions(f)
    out: list[ir.Expr] = [_lit(g) for g in launch.grid]
    evidence: list[str] = []
    found: set[str] = set()
    written = {n.target.name for n in f.body.walk() if isinstance(n, ir.Assign) and isinstance(n.target, ir.Name)}
    for idx, bound in patterns.guards(f):
        axis = patterns.global_index(idx, env)
        if axis is None or axis in found:
            continue
        b = patterns.strip_casts(bound)
        names = _names(b)
        if not names or not names <= params or names & written or any(isinstance(x, ir.Call) for x in b.walk()):
            continue
        i = AXES.index(axis)
        blk = launch.block[i]
        out[i] = ir.Binary("/", ir.Binary("+", b, _lit(blk - 1)), _lit(blk))
        found.add(axis)
        evidence.append(f"grid.{axis} = ceil(bound / {blk}) from the guard on the global index")
    written_params = written & params
    for i, e in (from_host or {}).items():
        a = AXES[i]
        if a not in found and not (_names(e) & written_params):
            out[i] = ir.clone(e)
            found.add(a)
            evidence.append(f"grid.{a} from the host launch in the file")
    for i, a in enumerate(AXES):
        if a not in found and launch.grid[i] > 1:
            evidence.append(f"grid.{a} = {launch.grid[i]} from the launch (no guard on a global index gives it)")
    return tuple(out), evidence


# ----------------------------------------------------------------------------- uniformity
class Uniformity:
    """Which locals hold the same value in every thread of a block: assigned only from
    parameters, block indices, launch sizes, literals, pure math and other uniform locals,
    under uniform control. A load from memory is not uniform (another thread may write)."""

    def __init__(self, d: dialects.Dialect, f: ir.Function, variant: Iterable[str] = ()):
        self.d = d
        self.locals = {v.name for n in f.body.walk() if isinstance(n, ir.Decl) for v in n.vars}
        self.variant: set[str] = set(variant)  # known per-lane values (a collective's results)
        while True:
            before = len(self.variant)
            self._scan(f.body, False)
            if len(self.variant) == before:
                break

    def expr(self, e: Optional[ir.Expr]) -> bool:
        if e is None:
            return True
        for n in e.walk():
            if isinstance(n, ir.Name) and n.name in self.variant:
                return False
            if isinstance(n, ir.Member) and patterns.builtin(n) and patterns.builtin(n)[0] == "threadIdx":
                return False
            if isinstance(n, ir.Name) and n.name == "threadIdx":
                return False
            if isinstance(n, (ir.Index, ir.Assign)) or (isinstance(n, ir.Unary) and n.op in ("*", "++", "--")):
                return False
            if isinstance(n, ir.Call):
                it = self.d.intrinsic(_callee(n) or "")
                if it is None or it.category not in _PURE_CATEGORIES:
                    return False
        return True

    def _defs(self, n: ir.Node, variant_ctx: bool) -> None:
        for x in n.walk():
            if isinstance(x, ir.Assign) and isinstance(x.target, ir.Name):
                if variant_ctx or not self.expr(x.value) or x.op != "=" and x.target.name in self.variant:
                    self.variant.add(x.target.name)
            elif isinstance(x, ir.Unary) and x.op in ("++", "--") and isinstance(x.operand, ir.Name) and variant_ctx:
                self.variant.add(x.operand.name)
            elif isinstance(x, ir.Unary) and x.op == "&" and isinstance(x.operand, ir.Name):
                self.variant.add(x.operand.name)  # its address escapes: anything may write it

    def _scan(self, s: Optional[ir.Stmt], variant_ctx: bool) -> None:
        if s is None:
            return
        if isinstance(s, ir.Decl):
            for v in s.vars:
                if variant_ctx or isinstance(v.type, ir.Array) or not self.expr(v.init) or v.space != "local":
                    self.variant.add(v.name)
                if v.init is not None:
                    self._defs(v.init, variant_ctx)
        elif isinstance(s, ir.Block):
            for x in s.stmts:
                self._scan(x, variant_ctx)
        elif isinstance(s, ir.If):
            inner = variant_ctx or not self.expr(s.cond)
            self._scan(s.then, inner)
            self._scan(s.other, inner)
        elif isinstance(s, ir.For):
            inner = variant_ctx or not self.expr(s.cond)
            self._scan(s.init, variant_ctx)
            if s.step is not None:
                self._defs(s.step, inner)
            self._scan(s.body, inner)
        elif isinstance(s, (ir.While, ir.DoWhile)):
            inner = variant_ctx or not self.expr(s.cond)
            self._scan(s.body, inner)
        else:
            self._defs(s, variant_ctx)


# ----------------------------------------------------------------------------- the pass
@register
class LoopRecovery(Pass):
    """A CUDA/HIP kernel becomes a sequential C loop nest over its launch.

        before:  __global__ void k(float *x, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x;
                                                       if (i < n) x[i] = 0; }      (block=256)
        after:   void k(float *x, int n) { for (int bx = 0; bx < (n + 255) / 256; ++bx)
                                               for (int tx = 0; tx < 256; ++tx) {
                                                   int i = bx * 256 + tx; if (i < n) x[i] = 0; } }
    """

    name = "loop_recovery"
    stage = "lift"
    params = (Param("kernel", Space("name", doc="a kernel of the module"), "the kernel to lift (default: every one)",
                    default=""),
              Param("launch", Space("text"), "grid=X,Y,Z block=X,Y,Z (default: the kernel's launch comment)",
                    default=""))
    requires = (
        Precondition("kernel", "a CUDA or HIP kernel with a body"),
        Precondition("launch", "the block size is known (a launch comment or the launch parameter)"),
        Precondition("modelled", "no statement the IR keeps verbatim (goto, asm, a construct clang could not analyse)"),
        Precondition("uniform-barriers", "a barrier is not inside a switch or an expression, nor in a loop with a "
                                         "thread-dependent trip count that break/continue leave (other thread-"
                                         "dependent control around barriers is predicated)"),
        Precondition("fragments", "wmma fragments are plain local variables of documented, unpacked shapes, used "
                                  "only in wmma calls, .x[i] and .num_elements"),
        Precondition("initialisers", "a local initialised with a brace list is not used across barriers nor declared "
                                     "under thread-dependent control around one"),
        Precondition("returns", "a return only at the top level of the body or of an if there"),
        Precondition("no-warp-collectives", "every warp shuffle, vote or counting barrier has lane semantics in the "
                                            "dialect table"),
        Precondition("collective-args", "a collective's mask and width are the same in every lane, and the call is "
                                        "not under &&, || or ?:"),
        Precondition("calls-inlined", "no call to a device function that reads thread indices or synchronises"),
    )

    # --- preconditions
    def _kernels(self, module: ir.Module, kernel: str) -> list[ir.Function]:
        return [k for k in module.kernels if not kernel or k.name == kernel]

    def preconditions(self, module: ir.Module, target: Optional[str], kernel: str = "", launch: str = "") \
            -> Iterator[Refusal]:
        if module.dialect not in ("cuda", "hip"):
            yield self.refuse("kernel", f"the module is {module.dialect}, not CUDA or HIP")
            return
        ks = self._kernels(module, kernel)
        if not ks:
            yield self.refuse("kernel", f"no kernel {kernel!r} with a body" if kernel else "the module has no kernel")
            return
        d = dialects.get(module.dialect)
        device = {f.name: f for f in module.functions if f.kind in ("device", "host_device") and f.body is not None}
        for k in ks:
            text = launch or k.annotations.get("launch")
            if not text:
                yield self.refuse("launch", f"{k.name} has no launch: add '// xpiler: launch grid=X block=Y' above it",
                                  k)
                return
            try:
                spec.parse_launch(text, module.dialect)
            except Exception as e:  # noqa: BLE001 - reported as the refusal
                yield self.refuse("launch", f"{k.name}: {e}", k)
                return
            for n in k.body.walk():
                if isinstance(n, (ir.OpaqueStmt, ir.OpaqueExpr)):
                    yield self.refuse("modelled", f"'{n.text.strip()[:40]}' is kept verbatim", n)
                    return
                name = _callee(n)
                it = d.intrinsic(name) if name else None
                if it is not None and collective_of(d, n) is None and (
                        it.category in ("shuffle", "vote") or
                        (it.category == "sync" and name not in ("__syncthreads", "__syncwarp") and "fence" not in name)):
                    yield self.refuse("no-warp-collectives", f"{name} has no lane semantics in the table", n)
                    return
                if name in device and any(patterns.builtin(x) or barrier_kind(d, _callee(x))
                                          for x in device[name].body.walk()):
                    yield self.refuse("calls-inlined", f"{name} uses thread indices or barriers: inline it first", n)
                    return
            yield from self._check_returns(k)
            if _has_barrier(d, k.body):
                yield from self._check_barriers(d, Uniformity(d, k), k.body.stmts, k)

    def _check_returns(self, k: ir.Function) -> Iterator[Refusal]:
        allowed: set[int] = set()
        for s in k.body.stmts:
            if isinstance(s, ir.Return):
                allowed.add(id(s))
            if isinstance(s, ir.If):
                for br in (s.then, s.other):
                    if isinstance(br, ir.Return):
                        allowed.add(id(br))
                    elif isinstance(br, ir.Block):
                        allowed |= {id(x) for x in br.stmts if isinstance(x, ir.Return)}
        for n in k.body.walk():
            if isinstance(n, ir.Return) and id(n) not in allowed:
                yield self.refuse("returns", "a return inside a loop or a nested branch", n)
                return

    def _check_barriers(self, d, u: Uniformity, stmts: list[ir.Stmt], k) -> Iterator[Refusal]:
        """Barriers under thread-dependent control are predicated (see ``_Lifter._predicate``);
        what cannot be: a barrier in a switch or an expression, and a loop with a barrier
        under thread-dependent control that ``break``/``continue`` leave."""
        for s in stmts:
            if not _has_barrier(d, s) or _is_barrier_stmt(d, s):
                continue
            if _only_collectives(d, s):
                yield from self._check_collectives(d, u, s)
                continue
            if isinstance(s, ir.Block):
                yield from self._check_barriers(d, u, s.stmts, k)
            elif isinstance(s, ir.If):
                for br in (s.then, s.other):
                    if br is not None:
                        yield from self._check_barriers(d, u, br.stmts if isinstance(br, ir.Block) else [br], k)
            elif isinstance(s, (ir.For, ir.While, ir.DoWhile)):
                uniform = u.expr(s.cond) and (not isinstance(s, ir.For) or (
                    _uniform_init(u, s.init) and _uniform_step(u, s.step)))
                if not uniform and (jump := _loop_exit(s.body)) is not None:
                    yield self.refuse("uniform-barriers", f"a {'break' if isinstance(jump, ir.Break) else 'continue'} "
                                                          "in a loop with a barrier whose trip count differs between "
                                                          "threads", jump)
                    return
                yield from self._check_barriers(d, u, _stmts(s.body), k)
            else:
                yield self.refuse("uniform-barriers", "a barrier inside an expression or a switch", s)
                return

    def _check_collectives(self, d, u: Uniformity, s: ir.Stmt) -> Iterator[Refusal]:
        conditional = set()
        for n in s.walk():
            if isinstance(n, ir.Ternary) or (isinstance(n, ir.Binary) and n.op in ("&&", "||", ",")):
                conditional |= {id(x) for x in n.walk() if x is not n}
        for n in s.walk():
            it = collective_of(d, n)
            if it is None:
                continue
            if id(n) in conditional:
                yield self.refuse("collective-args", f"{it.name} is evaluated conditionally (&&, ||, ?:)", n)
                return
            if _on_fragments(it):
                continue  # pointers and strides are staged per lane; the warp's first lane gives them
            lanes = _lane_params(it)
            for p, a in zip(it.overloads[0].params, n.args):
                if p.name not in lanes and not u.expr(a):
                    yield self.refuse("collective-args", f"{it.name}'s {p.name} differs between lanes", n)
                    return

    # --- rewrite
    def rewrite(self, module: ir.Module, target: Optional[str], kernel: str = "", launch: str = "") -> ir.Module:
        d = dialects.get(module.dialect)
        chosen = {k.name for k in self._kernels(module, kernel)}
        tables: dict[str, list[ir.Stmt]] = {}  # wmma lane maps, at file scope before their kernel
        from .detensorize import _Detensorizer
        casts = _Detensorizer(module)  # the tables' xp_cast<T> in the collectives' loops, as C casts

        def fn(n: ir.Node):
            if isinstance(n, ir.Function) and n.name in chosen and n.is_kernel and n.body is not None:
                lw = spec.parse_launch(launch or n.annotations["launch"], module.dialect)
                try:
                    g, maps, tiles = fragments.tiles(n, lw.block, semantics.warp_size(d.name))
                    tables[n.name] = maps
                    return casts._lower_casts(_Lifter(d, g, lw, tiles, host_grid(module, n)).run())
                except fragments.FragmentError as e:
                    raise RewriteRefused(self.refuse("fragments", e.detail, e.node or n)) from None
                except _Unsupported as e:
                    pre = "initialisers" if "initialiser" in str(e) else "uniform-barriers"
                    raise RewriteRefused(self.refuse(pre, str(e), n)) from None
            return None

        out = self.transform(module, fn)
        used = {n.name for n in out.walk() if isinstance(n, ir.Named)} & set(hip_tables.VECTOR_TYPES)
        if used:  # MFMA lane arrays hold the table's register vectors (v4f...): GCC vector types
            at = next((i for i, item in enumerate(out.items) if not isinstance(item, (ir.Comment, ir.Directive))),
                      len(out.items))
            out.items.insert(at, ir.OpaqueTop(hip_tables.vector_typedefs("bytes", used) + "\n", origin=self.name))
        if casts.helpers:
            at = next((i for i, item in enumerate(out.items) if not isinstance(item, (ir.Comment, ir.Directive))),
                      len(out.items))
            out.items.insert(at, ir.OpaqueTop("#include <math.h>\n" + "\n".join(casts.helpers.values()) + "\n",
                                              origin=self.name))
        if any(tables.values()):
            items: list[ir.Stmt] = []
            seen: set[str] = set()
            for item in out.items:
                if isinstance(item, ir.Function) and tables.get(item.name):
                    for t in tables[item.name]:
                        if t.vars[0].name not in seen:
                            seen.add(t.vars[0].name)
                            items.append(t)
                items.append(item)
            out.items = items
        out.dialect = "c"
        return out


# ----------------------------------------------------------------------------- lifting
@dataclass
class _Run:
    """Statements that run in one loop over the block's threads."""

    stmts: list[ir.Stmt]
    exit_guard: bool = False  # test the per-thread exited flag


class _Lifter:
    def __init__(self, d: dialects.Dialect, f: ir.Function, launch: spec.GpuLaunch,
                 tiles: Optional[dict] = None, from_host: Optional[dict[int, ir.Expr]] = None):
        self.d, self.f, self.launch = d, f, launch
        self.tiles: dict[str, fragments.Tile] = tiles or {}
        self.grid, self.evidence = _grid_exprs(f, launch, from_host)
        taken = {n.name for n in f.walk() if isinstance(n, ir.Name)} | \
            {v.name for n in f.walk() if isinstance(n, ir.Decl) for v in n.vars} | {p.name for p in f.params}
        self.names = taken
        self.t = {a: self.fresh(f"t{a}") for a in AXES}
        self.b = {a: self.fresh(f"b{a}") for a in AXES}
        self.tid = self.fresh("tid")
        self.exited = self.fresh("exited")
        self.nthreads = math.prod(launch.block)

    def fresh(self, base: str) -> str:
        return fresh_name(base, self.names)

    # --- step 1: unique names, so flattening blocks and hoisting cannot capture
    def _unique(self, body: ir.Block) -> ir.Block:
        seen: set[str] = {p.name for p in self.f.params}
        renames: list[dict[str, str]] = [{}]

        def decl_name(v: ir.VarDecl) -> None:
            if v.name in seen:
                new = self.fresh(v.name)
                renames[-1][v.name] = new
                v.name = new
            else:
                seen.add(v.name)
                renames[-1][v.name] = v.name

        def lookup(name: str) -> str:
            for frame in reversed(renames):
                if name in frame:
                    return frame[name]
            return name

        def walk_stmt(s: Optional[ir.Stmt]) -> None:
            if s is None:
                return
            if isinstance(s, ir.Block):
                renames.append({})
                for x in s.stmts:
                    walk_stmt(x)
                renames.pop()
            elif isinstance(s, ir.Decl):
                for v in s.vars:
                    walk_expr(v.init)
                    walk_type(v.type)
                    decl_name(v)
            elif isinstance(s, ir.For):
                renames.append({})
                walk_stmt(s.init)
                walk_expr(s.cond)
                walk_expr(s.step)
                walk_stmt(s.body)
                renames.pop()
            elif isinstance(s, ir.If):
                walk_expr(s.cond)
                for br in (s.then, s.other):
                    renames.append({})
                    walk_stmt(br)
                    renames.pop()
            elif isinstance(s, (ir.While, ir.DoWhile)):
                walk_expr(s.cond)
                renames.append({})
                walk_stmt(s.body)
                renames.pop()
            else:
                for c in s.children():
                    if isinstance(c, ir.Expr):
                        walk_expr(c)
                    elif isinstance(c, ir.Stmt):
                        walk_stmt(c)

        def walk_type(t: ir.CType) -> None:
            for n in t.walk():
                if isinstance(n, ir.Name):
                    n.name = lookup(n.name)

        def walk_expr(e: Optional[ir.Expr]) -> None:
            if e is None:
                return
            for n in e.walk():
                if isinstance(n, ir.Name):
                    n.name = lookup(n.name)

        body = ir.transform(body, lambda n: None)  # a private copy to rename in place
        walk_stmt(body)
        return body

    # --- step 2: early returns
    def _returns(self, stmts: list[ir.Stmt]) -> list[ir.Stmt]:
        """``S1; if (c) { R; return; } else { N } S2`` -> ``S1; int r = c; if (r) { R } else { N }
        if (!r) { S2 }`` where no barrier follows; where one does, the thread's exited flag
        is set instead (a marker statement) and later regions skip exited threads."""
        for i, s in enumerate(stmts):
            split = self._return_split(s)
            if split is None:
                continue
            cond, pre = split
            rest = self._returns(stmts[i + 1:])
            head = stmts[:i] + pre
            if any(_has_barrier(self.d, x) for x in rest):
                self.uses_exit = True
                return head + [_ExitMark(cond=cond)] + rest
            if not rest or (isinstance(cond, ir.IntLit) and cond.value):
                return head
            return head + [ir.If(ir.Unary("!", cond), ir.Block(rest))]
        return stmts

    def _return_split(self, s: ir.Stmt) -> Optional[tuple[ir.Expr, list[ir.Stmt]]]:
        """(condition under which the thread returns, statements that replace ``s``)."""
        if isinstance(s, ir.Return):
            return ir.IntLit(1), []
        if not isinstance(s, ir.If):
            return None
        then_r, other_r = _returning(s.then), _returning(s.other)
        if then_r is None and other_r is None:
            return None
        body_then = then_r if then_r is not None else _stmts(s.then)
        body_other = other_r if other_r is not None else _stmts(s.other)
        if not body_then and not body_other:
            cond = s.cond if then_r is not None else ir.Unary("!", s.cond)
            return cond, []
        # the branches may change what the condition reads: decide once, before them
        flag = self.fresh("returned")
        decl = ir.Decl([ir.VarDecl(flag, ir.Named("int"), s.cond)])
        taken = ir.Name(flag) if then_r is not None else ir.Unary("!", ir.Name(flag))
        branch = ir.If(ir.Name(flag), ir.Block(body_then), ir.Block(body_other) if body_other else None)
        return taken, [decl, branch]

    # --- step 3: regions
    def _plan(self, stmts: list[ir.Stmt]) -> list:
        """Block-level items: ``_Run`` (thread loop), hoisted constructs holding plans,
        and ``_ExitMark`` inside runs."""
        out: list = []
        run: list[ir.Stmt] = []

        def flush():
            if run:
                out.append(_Run(list(run)))
                run.clear()

        for s in stmts:
            if isinstance(s, (_WarpOp, _AnyOf)):
                flush()
                out.append(s)
                continue
            if not self._sync(s):
                run.append(s)
                continue
            flush()
            if _is_barrier_stmt(self.d, s):
                continue
            if isinstance(s, ir.Block):
                out.extend(self._plan(s.stmts))
            elif isinstance(s, ir.If):
                out.append(_Hoisted(s, [self._plan(_stmts(s.then)), self._plan(_stmts(s.other)) if s.other else None]))
            elif isinstance(s, (ir.For, ir.While, ir.DoWhile)):
                out.append(_Hoisted(s, [self._plan(_stmts(s.body))]))
            else:  # the precondition refused these
                raise AssertionError(f"unexpected barrier statement {type(s).__name__}")
        flush()
        return out

    # --- the whole kernel
    def run(self) -> ir.Function:
        self.uses_exit = False
        self.lane_names: set[str] = set()
        body = self._unique(self.f.body)
        self.body = body
        stmts = self._returns(body.stmts)
        stmts = self._split_collectives(stmts)
        self.u0 = Uniformity(self.d, ir.Function(self.f.name, self.f.ret, self.f.params, ir.Block(stmts),
                                                 kind="kernel"), self.lane_names)
        stmts = self._predicate(stmts, None)
        if self.lane_names:  # lane arrays cover whole warps, the last one maybe partly
            self.warp = semantics.warp_size(self.d.name)
            self.nthreads = -(-self.nthreads // self.warp) * self.warp
        plan = self._plan(stmts)
        u = Uniformity(self.d, ir.Function(self.f.name, self.f.ret, self.f.params, ir.Block(stmts), kind="kernel"),
                       self.lane_names)
        # where each local is used: a run, or block level
        runs: list[_Run] = []
        block_level: list[ir.Node] = []
        self._collect(plan, runs, block_level)
        declared = {}
        for n in ir.Block(stmts).walk():
            if isinstance(n, ir.Decl):
                for v in n.vars:
                    declared[v.name] = v
        where: dict[str, set[int]] = {}
        for k, r in enumerate(runs):
            for s in r.stmts:
                for name in _names(s) | {v.name for x in s.walk() if isinstance(x, ir.Decl) for v in x.vars}:
                    where.setdefault(name, set()).add(k)
        at_block: set[str] = set()
        hoisted_decls: set[str] = set()  # declared by a hoisted loop's init: already per block
        for node in block_level:
            at_block |= _names(node)
            if isinstance(node, ir.Decl):
                hoisted_decls |= {v.name for v in node.vars}
        self.expanded: dict[str, ir.VarDecl] = {}
        self.block_scalars: dict[str, ir.VarDecl] = {}
        for name, v in declared.items():
            if v.space == "shared" or name in hoisted_decls:
                continue
            spread = len(where.get(name, ())) > 1 or (name in at_block and where.get(name))
            if not spread:
                continue
            if name not in u.variant and not isinstance(v.type, ir.Array):
                self.block_scalars[name] = v
            else:
                self.expanded[name] = v
        for name in _repeated_writes(runs, set(self.block_scalars)):
            self.expanded[name] = self.block_scalars.pop(name)
        new_body: list[ir.Stmt] = []
        # per-block storage: shared arrays, expanded locals, block scalars; their sizes may
        # name the kernel's constants (float part[kWarps]), declared later in the block
        sizes = local_constants(ir.Block(stmts))
        for n in ir.Block(stmts).walk():
            if isinstance(n, ir.Decl):
                for v in n.vars:
                    if v.space == "shared":
                        new_body.append(ir.Decl([ir.VarDecl(v.name, _fold_sizes(self._shared_type(v), sizes), None)]))
        for name, v in self.expanded.items():
            new_body.append(ir.Decl([ir.VarDecl(name, _fold_sizes(_expand_type(v.type, self.nthreads), sizes),
                                                None)]))
        for name, v in self.block_scalars.items():
            new_body.append(ir.Decl([ir.VarDecl(name, _unqual(v.type), None)]))
        if self.uses_exit:
            new_body.append(ir.Decl([ir.VarDecl(self.exited, ir.Array(ir.Named("int"), ir.IntLit(self.nthreads)),
                                                ir.InitList([ir.IntLit(0)]))]))
        new_body += self._emit(plan, after_exit=False)
        return self._wrap_blocks(new_body)

    def _collect(self, plan: list, runs: list, block_level: list) -> None:
        for item in plan:
            if isinstance(item, _Run):
                runs.append(item)
            elif isinstance(item, _WarpOp):
                block_level.append(ir.Block([ir.ExprStmt(ir.Name(n)) for n in item.lanes.values()] +
                                            ([ir.ExprStmt(ir.Name(item.result))] if item.result else []) +
                                            ([ir.ExprStmt(item.pred)] if item.pred is not None else [])))
            elif isinstance(item, _AnyOf):
                block_level.append(ir.Block([ir.ExprStmt(ir.Name(item.target)), ir.ExprStmt(ir.Name(item.flag))]))
            elif isinstance(item, _Hoisted):
                s = item.stmt
                if isinstance(s, ir.If):
                    block_level.append(s.cond)
                elif isinstance(s, ir.For):
                    for x in (s.init, s.cond, s.step):
                        if x is not None:
                            block_level.append(x)
                else:
                    block_level.append(s.cond)
                for sub in item.plans:
                    if sub is not None:
                        self._collect(sub, runs, block_level)

    def _shared_type(self, v: ir.VarDecl) -> ir.CType:
        t = _unqual(v.type)
        if isinstance(t, ir.Array) and t.size is None:  # extern __shared__: the launch's dynamic bytes
            from .. import dtypes

            size = dtypes.sizeof(t.elem) or 1
            return ir.Array(t.elem, ir.IntLit(max(1, self.launch.shared // size)))
        return t

    def _emit(self, plan: list, after_exit: bool) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for item in plan:
            if isinstance(item, _Run):
                has_exit = any(isinstance(s, _ExitMark) for s in item.stmts)
                out.append(self._thread_loop(item.stmts, guard=after_exit))
                after_exit = after_exit or has_exit
            elif isinstance(item, _WarpOp):
                out.append(self._warp_loop(item))
            elif isinstance(item, _AnyOf):
                out.extend(self._any_of(item))
            else:
                s = item.stmt
                if isinstance(s, ir.If):
                    then = ir.Block(self._emit(item.plans[0], after_exit))
                    other = ir.Block(self._emit(item.plans[1], after_exit)) if item.plans[1] is not None else None
                    out.append(ir.If(self._uniform(s.cond), then, other))
                elif isinstance(s, ir.For):
                    init = self._uniform_stmt(s.init) if s.init is not None else None
                    out.append(ir.For(init, self._uniform(s.cond), self._uniform(s.step),
                                      ir.Block(self._emit(item.plans[0], after_exit)), pragmas=list(s.pragmas)))
                elif isinstance(s, ir.While):
                    out.append(ir.While(self._uniform(s.cond), ir.Block(self._emit(item.plans[0], after_exit))))
                else:
                    out.append(ir.DoWhile(ir.Block(self._emit(item.plans[0], after_exit)), self._uniform(s.cond)))
        return out

    # --- warp collectives: per-thread operands into lane arrays, the table's lane loops per warp
    def _split_collectives(self, stmts: list[ir.Stmt]) -> list[ir.Stmt]:
        """``v += __shfl_down_sync(m, v, 4);`` -> ``T lane_var = v; T lane_res;`` (per thread),
        barrier, the collective over each warp's lanes (block level), barrier,
        ``v += lane_res;``: a collective is a barrier at warp granularity."""
        out: list[ir.Stmt] = []
        for s in stmts:
            if isinstance(s, ir.Block):
                out.append(ir.Block(self._split_collectives(s.stmts), span=s.span))
                continue
            if isinstance(s, ir.If):
                s.then = ir.Block(self._split_collectives(_stmts(s.then)), span=s.then.span)
                if s.other is not None and not isinstance(s.other, ir.If):
                    s.other = ir.Block(self._split_collectives(_stmts(s.other)), span=s.other.span)
                elif isinstance(s.other, ir.If):
                    s.other = self._split_collectives([s.other])[0] if len(self._split_collectives([s.other])) == 1 \
                        else ir.Block(self._split_collectives([s.other]))
                out.append(s)
                continue
            if isinstance(s, (ir.For, ir.While, ir.DoWhile)):
                s.body = ir.Block(self._split_collectives(_stmts(s.body)), span=s.body.span)
                out.append(s)
                continue
            while isinstance(s, (ir.ExprStmt, ir.Decl)):
                calls = [n for n in s.walk() if collective_of(self.d, n) is not None]
                inner = [c for c in calls if not any(x is not c and collective_of(self.d, x) for x in c.walk())]
                if not inner:
                    break
                pre, s = self._one_collective(s, inner[0])
                out.extend(pre)
                if s is None:
                    break
            if s is not None:
                out.append(s)
        return out

    def _scope(self) -> "symbols.Scope":
        """Every local of the (uniquely renamed) kernel and its parameters, one flat scope."""
        syms = [symbols.Symbol(p.name, p.type, "param") for p in self.f.params]
        syms += [symbols.Symbol(v.name, v.type, "local", v.space) for n in self.body.walk() if isinstance(n, ir.Decl)
                 for v in n.vars]
        return symbols.builtin_scope(self.d.name).bind(*syms)

    def _one_collective(self, s: ir.Stmt, call: ir.Call) -> tuple[list[ir.Stmt], Optional[ir.Stmt]]:
        it = collective_of(self.d, call)
        scope = self._scope()
        frags = _on_fragments(it)
        arg_types = [self.tiles[a.name].type if frags and isinstance(a, ir.Name) and a.name in self.tiles
                     else type_of(a, scope) for a in call.args]
        ov, env = semantics.select_overload(it, arg_types)
        lanes = _lane_params(it)
        pre: list[ir.Stmt] = []
        names: dict[str, str] = {}
        first: set[str] = set()
        args: list[ir.Expr] = []
        types: list[Optional[ir.CType]] = []
        for p, a, at in zip(ov.params, call.args, arg_types):
            if frags and isinstance(a, ir.Name) and a.name in self.tiles:
                types.append(at)
                args.append(a)  # the warp's matrix: tile[warp]
                continue
            t = semantics.ctype(bind(p.type, env))  # the parameter's type: what C's call converts to
            if isinstance(t, ir.Reference):
                t = t.pointee  # const V & (fill_fragment's value): a lane array holds values
            types.append(t)
            if p.name in lanes or (frags and p.role != "config"):
                n = self.fresh(f"lane_{p.name}")
                names[p.name] = n
                if p.name not in lanes:
                    first.add(p.name)  # one value per warp: its first lane's
                self.lane_names.add(n)
                pre.append(ir.Decl([ir.VarDecl(n, _unqual(t), a)], span=s.span))
                args.append(ir.Name(n))
            else:
                args.append(a)
        void = isinstance(semantics.ctype(bind(ov.ret, env)), ir.Named) and bind(ov.ret, env).strip() == "void"
        res = "" if void else self.fresh("lane_res")
        if not void:
            self.lane_names.add(res)
            pre.append(ir.Decl([ir.VarDecl(res, _unqual(semantics.ctype(bind(ov.ret, env))), None)], span=s.span))
        barrier = ir.ExprStmt(ir.Call(ir.Name("__syncthreads"), []), span=s.span)
        op = _WarpOp(intrinsic=it.name, args=args, types=types, lanes=names, result=res, span=s.span,
                     first_lane=first)
        after = [ir.ExprStmt(ir.Call(ir.Name("__syncthreads"), []), span=s.span)]
        if void:
            if not (isinstance(s, ir.ExprStmt) and s.expr is call):
                raise _Unsupported(f"the value of {it.name} (void) used in an expression")
            return pre + [barrier, op] + after, None

        def swap(n: ir.Node, old: ir.Node):
            return ir.Name(res) if old is call else None

        return pre + [barrier, op] + after, ir.transform(s, swap, with_original=True)

    def _declared_type(self, e: ir.Expr) -> Optional[ir.CType]:
        if isinstance(e, ir.Name):
            for n in self.f.walk():
                if isinstance(n, ir.Decl):
                    for v in n.vars:
                        if v.name == e.name:
                            return v.type
        return None

    def _warp_loop(self, op: "_WarpOp") -> ir.Stmt:
        ws = self.warp
        w = self.fresh("warp")
        act = self.fresh("active")
        base = ir.Binary("*", ir.Name(w), ir.IntLit(ws))
        lane = self.fresh("lane")
        live = ir.Binary("<", ir.Binary("+", base, ir.Name(lane)), ir.IntLit(math.prod(self.launch.block)))
        if self.uses_exit:
            live = ir.Binary("&&", live, ir.Unary("!", ir.Index(ir.Name(self.exited),
                                                                 ir.Binary("+", ir.clone(base), ir.Name(lane)))))
        if op.pred is not None:
            live = ir.Binary("&&", live, self._at_thread(op.pred, ir.Binary("+", ir.clone(base), ir.Name(lane))))
        body: list[ir.Stmt] = [
            ir.Decl([ir.VarDecl(act, ir.Array(ir.Named("int"), ir.IntLit(ws)), None)]),
            _for(lane, ir.IntLit(ws), ir.Block([ir.ExprStmt(ir.Assign("=", ir.Index(ir.Name(act), ir.Name(lane)),
                                                                      live))]))]
        it = self.d.intrinsic(op.intrinsic)
        tile = _tile_operands(it)

        def lane_view(name: str, param: str) -> ir.Expr:
            at: ir.Expr = ir.Binary("+", ir.Name(name), ir.clone(base))
            if param in tile:  # registers of a tile operation: slots of the slot type, lane after lane
                at = ir.Cast(ir.Pointer(semantics.ctype(tile[param].slot_type)), at)
            return at

        args, types = [], []
        for p, a, t in zip(it.overloads[0].params, op.args, op.types):
            if p.name in op.first_lane:
                args.append(ir.Index(ir.Name(op.lanes[p.name]), ir.clone(base)))
            elif p.name in op.lanes:
                args.append(lane_view(op.lanes[p.name], p.name))
            elif isinstance(a, ir.Name) and a.name in self.tiles:
                args.append(ir.Index(ir.Name(a.name), ir.Name(w)))
            else:
                args.append(self._uniform(a))
            types.append(t)
        lanes = {"active": ir.Name(act)}
        if op.result:
            lanes["result"] = lane_view(op.result, "return")
        exp = semantics.semantics_ir(it, None, args, dialect=self.d.name, arg_types=types, warp=ws, lanes=lanes)
        if it.overloads[0].collective.kind == "tile" and (op.pred is not None or self.uses_exit):
            # a tile operation takes the whole warp: it runs only where the warp reached the call
            anyl, ln = self.fresh("warp_active"), self.fresh("lane")
            body += [ir.Decl([ir.VarDecl(anyl, ir.Named("int"), ir.IntLit(0))]),
                     _for(ln, ir.IntLit(ws), ir.Block([ir.ExprStmt(ir.Assign(
                         "=", ir.Name(anyl), ir.Binary("||", ir.Name(anyl), ir.Index(ir.Name(act), ir.Name(ln)))))])),
                     ir.If(ir.Name(anyl), ir.Block(exp.stmts))]
        else:
            body += exp.stmts
        return _for(w, ir.IntLit(self.nthreads // ws), ir.Block(body))

    # --- predication: barriers under thread-dependent control
    def _sync(self, s: ir.Node) -> bool:
        """``s`` holds a barrier or a collective placeholder (it splits thread loops)."""
        return _has_barrier(self.d, s) or any(isinstance(x, (_WarpOp, _AnyOf)) for x in s.walk())

    def _predicate(self, stmts: list[ir.Stmt], q: Optional[ir.Expr]) -> list[ir.Stmt]:
        """Statements whose barriers all stand under block-uniform control.

        ``if (c) { A; barrier; B; }`` with ``c`` thread-dependent becomes ``int p = c;
        if (p) { A; } barrier; if (p) { B; }`` (a collective placeholder in it takes part
        only in lanes where ``p`` holds); a loop whose trip count is thread-dependent runs
        while any thread of the block is still in it: ``int p = c; any = OR(p); while (any)
        { if (p) { body; step; p = c; } any = OR(p); }``, its body predicated by ``p``.
        ``q`` is the predicate of the enclosing region (None at uniform level). A barrier
        under divergent control is undefined in CUDA unless every thread reaches it, so
        every defined execution keeps its meaning; collectives need whole warps the same."""
        out: list[ir.Stmt] = []
        group: list[ir.Stmt] = []

        def flush() -> None:
            if group:
                out.extend(self._guard(list(group), q))
                group.clear()

        for s in stmts:
            if not self._sync(s):
                group.append(s)
                continue
            flush()
            if _is_barrier_stmt(self.d, s) or isinstance(s, _AnyOf):
                out.append(s)
            elif isinstance(s, _WarpOp):
                if q is not None:
                    s.pred = _and(s.pred, ir.clone(q))
                out.append(s)
            elif isinstance(s, ir.Block):
                out.extend(self._predicate(s.stmts, q))
            elif isinstance(s, ir.If):
                if self.u0.expr(s.cond):
                    out.append(ir.If(s.cond, ir.Block(self._predicate(_stmts(s.then), q)),
                                     ir.Block(self._predicate(_stmts(s.other), q)) if s.other is not None else None,
                                     span=s.span))
                    continue
                p = self.fresh("pred")
                out.append(ir.Decl([ir.VarDecl(p, ir.Named("int"), _and(q, s.cond))], span=s.span))
                out.extend(self._predicate(_stmts(s.then), ir.Name(p)))
                if s.other is not None:
                    p2 = self.fresh("pred")
                    out.append(ir.Decl([ir.VarDecl(p2, ir.Named("int"), _and(q, ir.Unary("!", ir.Name(p))))]))
                    out.extend(self._predicate(_stmts(s.other), ir.Name(p2)))
            elif isinstance(s, (ir.For, ir.While, ir.DoWhile)):
                if self._uniform_loop(s, q):
                    body = ir.Block(self._predicate(_stmts(s.body), q))
                    if isinstance(s, ir.For):
                        out.append(ir.For(s.init, s.cond, s.step, body, pragmas=list(s.pragmas), span=s.span))
                    elif isinstance(s, ir.While):
                        out.append(ir.While(s.cond, body, span=s.span))
                    else:
                        out.append(ir.DoWhile(body, s.cond, span=s.span))
                else:
                    out.extend(self._divergent_loop(s, q))
            else:  # the precondition refused these
                raise _Unsupported(f"a barrier inside {type(s).__name__}")
        flush()
        return out

    def _uniform_loop(self, s: ir.Stmt, q: Optional[ir.Expr]) -> bool:
        """The loop's trip count is the same in every thread that reaches it. Under a
        predicate, a ``for`` whose own variables start, test and step on uniform values
        (and that its body does not write) is too: its variables die with it."""
        u = self.u0
        if isinstance(s, ir.For):
            own: set[str] = set()
            if q is not None and isinstance(s.init, ir.Decl):
                own = {v.name for v in s.init.vars}
                written = {x.target.name for x in s.body.walk() if isinstance(x, ir.Assign)
                           and isinstance(x.target, ir.Name)} | \
                    {x.operand.name for x in s.body.walk() if isinstance(x, ir.Unary) and x.op in ("++", "--")
                     and isinstance(x.operand, ir.Name)}
                if own & written:
                    return False
            saved = u.variant
            u.variant = saved - own
            try:
                return (q is None or bool(own) or s.init is None) and _uniform_init(u, s.init) and \
                    u.expr(s.cond) and _uniform_step(u, s.step)
            finally:
                u.variant = saved
        return q is None and u.expr(s.cond)

    def _divergent_loop(self, s: ir.Stmt, q: Optional[ir.Expr]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        if isinstance(s, ir.For) and s.init is not None:
            out += self._guard([s.init], q)
        cond = s.cond if s.cond is not None else ir.IntLit(1)
        p, anyv = self.fresh("active"), self.fresh("any")
        first = (q if q is not None else ir.IntLit(1)) if isinstance(s, ir.DoWhile) else _and(q, cond)
        out.append(ir.Decl([ir.VarDecl(p, ir.Named("int"), ir.clone(first))], span=s.span))
        out.append(ir.Decl([ir.VarDecl(anyv, ir.Named("int"), ir.IntLit(0))]))
        out.append(_AnyOf(target=anyv, flag=p))
        body = self._predicate(_stmts(s.body), ir.Name(p))
        tail: list[ir.Stmt] = []
        if isinstance(s, ir.For) and s.step is not None:
            tail.append(ir.ExprStmt(ir.clone(s.step)))
        tail.append(ir.ExprStmt(ir.Assign("=", ir.Name(p), ir.clone(cond))))
        body += self._guard(tail, ir.Name(p))
        body.append(_AnyOf(target=anyv, flag=p))
        out.append(ir.While(ir.Name(anyv), ir.Block(body), span=s.span))
        return out

    def _guard(self, group: list[ir.Stmt], q: Optional[ir.Expr]) -> list[ir.Stmt]:
        """``if (q) { group }``, its declarations hoisted before it (names are unique, and
        later regions may use them): ``int x = e;`` -> ``int x;`` ... ``x = e;``."""
        if q is None:
            return group
        hoisted: list[ir.Stmt] = []
        body: list[ir.Stmt] = []
        for s in group:
            if not isinstance(s, ir.Decl):
                body.append(s)
                continue
            for v in s.vars:
                if v.space == "shared":
                    hoisted.append(ir.Decl([v], span=s.span))
                    continue
                if isinstance(v.init, ir.InitList):
                    raise _Unsupported(f"an initialiser list for {v.name}, declared under a thread-dependent "
                                       f"condition around a barrier")
                hoisted.append(ir.Decl([ir.VarDecl(v.name, _unqual(v.type), None, space=v.space)], span=s.span))
                if v.init is not None:
                    body.append(ir.ExprStmt(ir.Assign("=", ir.Name(v.name), v.init), span=s.span))
        return hoisted + ([ir.If(ir.clone(q), ir.Block(body))] if body else [])

    def _at_thread(self, e: ir.Expr, t: ir.Expr) -> ir.Expr:
        """``e`` read in thread ``t`` at block level (expanded locals indexed by ``t``)."""
        def fn(n: ir.Node):
            if isinstance(n, ir.Name) and n.name in self.expanded:
                return ir.Index(ir.Name(n.name), ir.clone(t))
            return None
        return self._uniform(ir.transform(e, fn)) if not isinstance(e, ir.Name) or e.name not in self.expanded \
            else ir.Index(ir.Name(e.name), ir.clone(t))

    def _any_of(self, item: _AnyOf) -> list[ir.Stmt]:
        """``any = 0; for (t...) any = any || flag[t];`` over the block's live threads."""
        t = self.fresh("t")
        flag = self._at_thread(ir.Name(item.flag), ir.Name(t))
        if self.uses_exit:
            flag = ir.Binary("&&", ir.Unary("!", ir.Index(ir.Name(self.exited), ir.Name(t))), flag)
        loop = _for(t, ir.IntLit(math.prod(self.launch.block)),
                    ir.Block([ir.ExprStmt(ir.Assign("=", ir.Name(item.target),
                                                    ir.Binary("||", ir.Name(item.target), flag)))]))
        loop.info = ir.LoopInfo()  # a reduction over the threads: serial
        return [ir.ExprStmt(ir.Assign("=", ir.Name(item.target), ir.IntLit(0))), loop]

    # --- rewriting of expressions and statements
    def _sub(self, node: ir.Node, in_thread: bool) -> ir.Node:
        launch = self.launch
        t, b = self.t, self.b

        def fn(n: ir.Node):
            m = patterns.builtin(n) if isinstance(n, ir.Member) else None
            if m:
                base, axis = m
                i = AXES.index(axis)
                if base == "threadIdx":
                    return ir.Name(t[axis]) if launch.block[i] > 1 else ir.IntLit(0)
                if base == "blockIdx":
                    return ir.Name(b[axis]) if launch.grid[i] > 1 or not isinstance(self.grid[i], ir.IntLit) \
                        else ir.IntLit(0)
                if base == "blockDim":
                    return ir.IntLit(launch.block[i])
                if base == "gridDim":
                    return ir.clone(self.grid[i])
            if isinstance(n, ir.Name) and n.name == "warpSize":
                return ir.IntLit(64 if self.d.name == "hip" else 32)
            if in_thread and isinstance(n, ir.Name) and n.name in self.expanded:
                return ir.Index(ir.Name(n.name), ir.Name(self.tid))
            if isinstance(n, ir.Name) and n.name in self.expanded and not in_thread:
                raise AssertionError(f"expanded {n.name} at block level")
            return None

        return ir.transform(node, fn)

    def _uniform(self, e: Optional[ir.Expr]) -> Optional[ir.Expr]:
        return None if e is None else self._sub(e, in_thread=False)

    def _uniform_stmt(self, s: ir.Stmt) -> ir.Stmt:
        return self._sub(s, in_thread=False)

    def _thread_stmts(self, stmts: list[ir.Stmt]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for k, s in enumerate(stmts):
            if isinstance(s, _ExitMark):
                flag = ir.Index(ir.Name(self.exited), ir.Name(self.tid))
                out.append(ir.ExprStmt(ir.Assign("=", flag, ir.Binary("||", ir.clone(flag), self._sub(s.cond, True)))))
                rest = self._thread_stmts(stmts[k + 1:])
                if rest:  # the rest of this region runs only in threads that did not leave
                    out.append(ir.If(ir.Unary("!", ir.clone(flag)), ir.Block(rest)))
                break
            if _is_barrier_stmt(self.d, s):
                continue
            if isinstance(s, ir.Decl):
                keep, assigns = [], []
                for v in s.vars:
                    if v.space == "shared":
                        continue  # declared per block
                    if v.name in self.expanded or v.name in self.block_scalars:
                        if v.init is not None:
                            target = ir.Index(ir.Name(v.name), ir.Name(self.tid)) if v.name in self.expanded \
                                else ir.Name(v.name)
                            if isinstance(v.init, ir.InitList):
                                # T tmp = {...}; then a copy into the per-thread or per-block slot
                                tmp = self.fresh(v.name + "_init")
                                assigns.append(ir.Decl([ir.VarDecl(tmp, _unqual(v.type), self._sub(v.init, True))],
                                                       span=s.span))
                                if isinstance(v.type, ir.Array):
                                    assigns.append(ir.ExprStmt(ir.Call(ir.Name("memcpy"), [
                                        ir.Unary("&", target), ir.Unary("&", ir.Name(tmp)),
                                        ir.SizeOf(ir.Name(tmp))]), span=s.span))
                                else:
                                    assigns.append(ir.ExprStmt(ir.Assign("=", target, ir.Name(tmp)), span=s.span))
                                continue
                            assigns.append(ir.ExprStmt(ir.Assign("=", target, self._sub(v.init, True)), span=s.span))
                    else:
                        keep.append(self._sub(v, True))
                if keep:
                    out.append(ir.Decl(keep, span=s.span))
                out.extend(assigns)
                continue
            out.append(self._sub(self._drop_fences(s), True))
        return out

    def _drop_fences(self, s: ir.Stmt) -> ir.Stmt:
        def fn(n: ir.Node):
            if isinstance(n, ir.ExprStmt) and barrier_kind(self.d, _callee(n.expr)) is not None:
                return ir.Empty()  # a fence or a barrier in sequential code orders nothing
            return None
        return ir.transform(s, fn)

    def _thread_loop(self, stmts: list[ir.Stmt], guard: bool) -> ir.Stmt:
        body = self._thread_stmts(stmts)
        bx, by, bz = self.launch.block
        tid: ir.Expr = ir.Name(self.t["x"]) if bx > 1 else ir.IntLit(0)
        if by > 1:
            tid = ir.Binary("+", ir.Binary("*", ir.Name(self.t["y"]), ir.IntLit(bx)), tid)
        if bz > 1:
            tid = ir.Binary("+", ir.Binary("*", ir.Name(self.t["z"]), ir.IntLit(bx * by)), tid)
        needs_tid = self.expanded or self.uses_exit
        if guard:
            body = [ir.If(ir.Unary("!", ir.Index(ir.Name(self.exited), ir.Name(self.tid))), ir.Block(body))]
        if needs_tid:
            body = [ir.Decl([ir.VarDecl(self.tid, ir.Named("int", const=True), tid)])] + body
        loop: ir.Stmt = ir.Block(body)
        for axis, ext in (("x", bx), ("y", by), ("z", bz)):
            if ext > 1:
                loop = _for(self.t[axis], ir.IntLit(ext), loop)
        return loop

    def _wrap_blocks(self, body: list[ir.Stmt]) -> ir.Function:
        loop: ir.Stmt = ir.Block(body)
        for i, axis in enumerate(AXES):
            g = self.grid[i]
            if isinstance(g, ir.IntLit) and g.value <= 1:
                continue
            loop = _for(self.b[axis], ir.clone(g), loop)
        f = self.f
        annotations = dict(f.annotations)
        annotations.pop("launch", None)
        return ir.Function(f.name, f.ret, [ir.Param(p.name, p.type, span=p.span) for p in f.params],
                           loop if isinstance(loop, ir.Block) else ir.Block([loop]), kind="kernel",
                           annotations=annotations, span=f.span)


def _uniform_init(u: Uniformity, init: Optional[ir.Stmt]) -> bool:
    if init is None:
        return True
    if isinstance(init, ir.Decl):
        return all(u.expr(v.init) and v.name not in u.variant for v in init.vars)
    if isinstance(init, ir.ExprStmt) and isinstance(init.expr, ir.Assign) and isinstance(init.expr.target, ir.Name):
        return u.expr(init.expr.value) and init.expr.target.name not in u.variant
    return False


def _uniform_step(u: Uniformity, step: Optional[ir.Expr]) -> bool:
    """``k += c``, ``k = k + c``, ``++k`` on a uniform variable with a uniform ``c``."""
    if step is None:
        return True
    if isinstance(step, ir.Unary) and step.op in ("++", "--") and isinstance(step.operand, ir.Name):
        return step.operand.name not in u.variant
    if isinstance(step, ir.Assign) and isinstance(step.target, ir.Name):
        return step.target.name not in u.variant and u.expr(step.value)
    if isinstance(step, ir.Binary) and step.op == ",":
        return _uniform_step(u, step.lhs) and _uniform_step(u, step.rhs)
    return False


@dataclass
class _Hoisted:
    stmt: ir.Stmt
    plans: list


@dataclass
class _WarpOp(ir.Stmt):
    """Placeholder at block level: ``intrinsic`` over every warp's lanes; ``lanes`` maps its
    per-lane parameters to the per-thread variables holding them, ``result`` receives it."""

    intrinsic: str = ""
    args: list = field(default_factory=list)
    types: list = field(default_factory=list, compare=False)
    lanes: dict = field(default_factory=dict)
    result: str = ""
    pred: Optional[ir.Expr] = None  # per-thread condition under which a lane takes part (predication)
    first_lane: set = field(default_factory=set)  # lanes params read once per warp, at its first lane


def _lane_params(it) -> set[str]:
    """Parameters of a collective that are per-lane values: the lane arrays of a lanes
    collective's semantics, the per-lane register operands of a tile operation (MFMA)."""
    col = it.overloads[0].collective
    if col.kind == "tile":
        return {op.param for op in col.operands if op.param != "return"}
    return {p.name for p in col.params if "*" in p.type and p.name not in ("active", "result", "undefined")}


def _tile_operands(it) -> dict[str, Any]:
    """The per-lane register operands of a tile collective by parameter ("return" too)."""
    col = it.overloads[0].collective
    return {op.param: op for op in col.operands} if col.kind == "tile" else {}


@dataclass
class _ExitMark(ir.Stmt):
    """Placeholder inside a run: the thread leaves the kernel when ``cond`` holds."""

    cond: ir.Expr = None  # type: ignore[assignment]


class _Unsupported(Exception):
    pass


@dataclass
class _AnyOf(ir.Stmt):
    """Placeholder at block level: ``target = 1`` if ``flag`` holds in any (live) thread of
    the block, else 0: the uniform trip test of a predicated loop."""

    target: str = ""
    flag: str = ""


def _fold_sizes(t: ir.CType, consts: dict[str, int]) -> ir.CType:
    """``t`` with the array sizes that name local constants evaluated."""
    if not consts or not any(isinstance(x, ir.Name) and x.name in consts for x in t.walk()):
        return t

    def fn(n: ir.Node):
        if isinstance(n, ir.Array) and n.size is not None and _names(n.size) & set(consts):
            try:
                return ir.Array(_fold_sizes(n.elem, consts), ir.IntLit(int(evaluate.evaluate(n.size, consts))))
            except evaluate.Unknown:
                return None
        return None

    return ir.transform(t, fn)


def _repeated_writes(runs: list, scalars: set[str]) -> set[str]:
    """The uniform locals a thread loop may not keep as one scalar per block: every thread
    of the loop executes their writes, so a write must give the same value however often
    it is repeated. ``cur ^= 1``, ``k++`` or ``k = k + 1`` do not, nor ``x = y + 1; y = x;``
    (a write that feeds back into itself through other such scalars)."""
    writes: dict[str, list[Optional[ir.Expr]]] = {}
    for r in runs:
        for s in r.stmts:
            for x in s.walk():
                if isinstance(x, ir.Assign) and isinstance(x.target, ir.Name):
                    writes.setdefault(x.target.name, []).append(x.value if x.op == "=" else None)
                elif isinstance(x, ir.Unary) and x.op in ("++", "--") and isinstance(x.operand, ir.Name):
                    writes.setdefault(x.operand.name, []).append(None)
                elif isinstance(x, ir.VarDecl) and x.init is not None:
                    writes.setdefault(x.name, []).append(x.init)
    written = {n for n in scalars if n in writes}
    reads = {n: set().union(*[_names(e) for e in writes[n] if e is not None]) & written for n in written}
    bad = {n for n in written if any(e is None for e in writes[n])}

    def reaches(a: str, b: str) -> bool:
        seen, todo = set(), [a]
        while todo:
            x = todo.pop()
            for y in reads[x]:
                if y == b:
                    return True
                if y not in seen:
                    seen.add(y)
                    todo.append(y)
        return False

    return bad | {n for n in written if reaches(n, n)}  # a write that feeds back into itself


def _loop_exit(body: ir.Stmt) -> Optional[ir.Stmt]:
    """A ``break`` or ``continue`` of the loop whose body is ``body`` (not of a loop or
    switch nested in it)."""
    stack = [body]
    while stack:
        n = stack.pop()
        if isinstance(n, (ir.Break, ir.Continue)):
            return n
        if isinstance(n, (ir.For, ir.While, ir.DoWhile, ir.Switch)) or isinstance(n, ir.Expr):
            continue
        stack.extend(n.children())
    return None


def _and(a: Optional[ir.Expr], b: ir.Expr) -> ir.Expr:
    return b if a is None else ir.Binary("&&", ir.clone(a), b)


def _returning(s: Optional[ir.Stmt]) -> Optional[list[ir.Stmt]]:
    """The statements before the return when branch ``s`` returns, else None."""
    if isinstance(s, ir.Return):
        return []
    if isinstance(s, ir.Block):
        for k, x in enumerate(s.stmts):
            if isinstance(x, ir.Return):
                return s.stmts[:k]
    return None


def _stmts(s: Optional[ir.Stmt]) -> list[ir.Stmt]:
    if s is None:
        return []
    return s.stmts if isinstance(s, ir.Block) else [s]




def _for(var: str, extent: ir.Expr, body: ir.Stmt) -> ir.For:
    return ir.For(ir.Decl([ir.VarDecl(var, ir.Named("int"), ir.IntLit(0))]),
                  ir.Binary("<", ir.Name(var), extent),
                  ir.Unary("++", ir.Name(var)),
                  body if isinstance(body, ir.Block) else ir.Block([body]),
                  info=ir.LoopInfo("parallel", axis=None))


def _unqual(t: ir.CType) -> ir.CType:
    """``t`` without its top-level const (an expanded or hoisted local is assigned after
    its declaration); a pointee's const stays (``const float *p`` keeps pointing at const)."""
    t = ir.clone(t)
    top = t
    while isinstance(top, ir.Array):
        top = top.elem
    if isinstance(top, (ir.Named, ir.Pointer)):
        top.const = False
    return t




def _expand_type(t: ir.CType, n: int) -> ir.CType:
    """``T`` -> ``T[n]``; ``T[a][b]`` -> ``T[n][a][b]`` (the thread index first)."""
    t = _unqual(t)
    if isinstance(t, ir.Array):
        return ir.Array(_expand_type(t.elem, n), t.size) if False else _prepend(t, n)
    return ir.Array(t, ir.IntLit(n))


def _prepend(t: ir.Array, n: int) -> ir.Array:
    # C's T x[a][b] is Array(Array(T, b), a): the outermost dimension is the last wrapper
    return ir.Array(t, ir.IntLit(n))
