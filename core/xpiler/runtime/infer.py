"""Inference of a launch and of buffer sizes when nothing else gives them.

Launch (CUDA/HIP): the global-index pattern ``blockIdx.a * blockDim.a + threadIdx.a`` and
the guard that bounds it (``i < n``, ``if (row >= rows) return;``) give one grid dimension
each, with ``n`` taken from the known scalar arguments; block sizes come from
``__launch_bounds__``, from a shared array indexed by ``threadIdx.x``, or the defaults
(256; 16x16 for two dimensions). A block-per-row kernel (``blockIdx.x`` compared with a
bound directly) gets one block per row. BANG (reference/bang.md §7.1): ``clusterId`` and
``coreId`` read mean a Union job, literal loop strides fix ``taskDim``, only ``taskId``
means any launch works (Union1 of 4 tasks), no task id means one BLOCK task.

Buffer sizes: with every scalar known and the launch resolved, a probe run with large
buffers and the access trace on records the largest element each buffer touches.

Every conclusion carries its evidence, which ``xpiler run`` prints.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .. import evaluate, ir, spec
from ..analysis import patterns
from ..printer import print_node

AXES = patterns.AXES


def infer_launch(module: ir.Module, f: ir.Function, values: dict) -> tuple[Optional[spec.Launch], list[str]]:
    if module.dialect == "bang":
        return _infer_bang(f)
    return _infer_gpu(module, f, values)


def _scalar_env(values: dict) -> dict:
    return {k: v for k, v in values.items() if not isinstance(v, np.ndarray)}


def _infer_gpu(module: ir.Module, f: ir.Function, values: dict) -> tuple[Optional[spec.Launch], list[str]]:
    env = patterns.definitions(f, strict=False)
    scalars = _scalar_env(values)
    evidence: list[str] = []
    block = [1, 1, 1]
    grid = [1, 1, 1]
    used_thread = {m[1] for n in f.body.walk() if (m := patterns.builtin(n)) and m[0] == "threadIdx"}
    used_block = {m[1] for n in f.body.walk() if (m := patterns.builtin(n)) and m[0] == "blockIdx"}
    if not used_thread and not used_block:
        return spec.GpuLaunch((1, 1, 1), (1, 1, 1)), ["no thread or block index read: one thread"]
    dims = max([AXES.index(a) + 1 for a in used_thread | used_block] or [1])
    default = {1: (256, 1, 1), 2: (16, 16, 1), 3: (8, 8, 4)}[dims]
    for i, a in enumerate(AXES):
        if a in used_thread:
            block[i] = default[i]
    if f.launch_bounds:
        try:
            lb = int(evaluate.evaluate(f.launch_bounds[0], scalars))
            if dims == 1:
                block[0] = lb
                evidence.append(f"block of {lb} threads from __launch_bounds__")
        except evaluate.Unknown:
            pass
    # a shared array indexed by threadIdx.x directly: at most that many threads
    for n in f.body.walk():
        if isinstance(n, ir.Index) and isinstance(n.base, ir.Name) and \
                patterns.builtin(patterns.strip_casts(n.index)) == ("threadIdx", "x"):
            for d in f.body.walk():
                if isinstance(d, ir.Decl):
                    for v in d.vars:
                        if v.name == n.base.name and v.space == "shared" and isinstance(v.type, ir.Array) \
                                and isinstance(v.type.size, ir.IntLit) and not f.launch_bounds:
                            block[0] = min(v.type.size.value, 1024)
                            evidence.append(f"block.x = {block[0]}: shared array {v.name} is indexed by threadIdx.x")
    found = set()
    for idx, bound in patterns.guards(f):
        try:
            limit = evaluate.evaluate(bound, scalars)
        except evaluate.Unknown:
            continue
        if not isinstance(limit, (int, float)):
            continue
        axis = patterns.global_index(idx, env)
        if axis is not None and axis not in found:
            i = AXES.index(axis)
            grid[i] = max(1, math.ceil(limit / block[i]))
            found.add(axis)
            evidence.append(f"grid.{axis} = ceil({print_node(bound, module.dialect)} / {block[i]}) from the guard "
                            f"on {print_node(idx, module.dialect)}")
            continue
        direct = patterns.builtin(patterns.strip_casts(patterns.resolve(idx, env)))
        if direct and direct[0] == "blockIdx" and direct[1] not in found:
            i = AXES.index(direct[1])
            grid[i] = max(1, int(limit))
            found.add(direct[1])
            evidence.append(f"grid.{direct[1]} = {grid[i]}: one block per {print_node(idx, module.dialect)} "
                            f"< {print_node(bound, module.dialect)}")
    missing = [a for a in used_block if a not in found]
    if missing:
        return None, evidence + [f"no bound found for blockIdx.{', blockIdx.'.join(sorted(missing))}"]
    return spec.GpuLaunch(tuple(grid), tuple(block)), evidence  # type: ignore[arg-type]


def _infer_bang(f: ir.Function) -> tuple[Optional[spec.Launch], list[str]]:
    names = {n.name for n in f.body.walk() if isinstance(n, ir.Name)}
    uses_cluster = bool({"clusterId", "coreId", "clusterDim", "coreDim"} & names)
    uses_task = bool({"taskId", "taskIdX", "taskIdY", "taskIdZ", "taskDim", "taskDimX"} & names)
    strides = []
    for n in f.body.walk():
        if isinstance(n, ir.For) and isinstance(n.step, ir.Assign) and n.step.op == "+=" and \
                isinstance(n.step.value, ir.IntLit) and isinstance(n.init, ir.Decl):
            init = n.init.vars[0].init
            if init is not None and {x.name for x in init.walk() if isinstance(x, ir.Name)} & \
                    {"taskId", "clusterId", "coreId"}:
                strides.append(n.step.value.value)
    if strides:
        t = strides[0]
        if t % 4 == 0 and (t // 4) in (1, 2, 4, 8, 16):
            return spec.BangLaunch((t, 1, 1), f"union{t // 4}"), [f"loop stride {t} over task ids: taskDim {t}"]
        return spec.BangLaunch((t, 1, 1), "block"), [f"loop stride {t} over task ids: {t} BLOCK tasks"]
    if uses_cluster:
        return spec.BangLaunch((4, 1, 1), "union1"), ["clusterId/coreId read: one Union1 job (4 cores)"]
    if uses_task:
        return spec.BangLaunch((4, 1, 1), "union1"), ["only taskId/taskDim read: any launch works; Union1, 4 tasks"]
    return spec.BangLaunch((1, 1, 1), "block"), ["no task id read: one BLOCK task"]


PROBE_ELEMENTS = 1 << 20


def infer_args(module: ir.Module, f: ir.Function, values: dict, missing: list[str], launch_text=None):
    """Sizes of the missing buffers from a probe run (all scalars must be known)."""
    params = {p.name: p for p in f.params}
    if any(not isinstance(params[m].type, (ir.Pointer, ir.Array)) for m in missing):
        return {}, []
    if any(p.name not in values and not isinstance(p.type, (ir.Pointer, ir.Array)) for p in f.params):
        return {}, []
    from .. import dtypes
    from .inputs import numpy_dtype
    from .run import execute

    probe = dict(values)
    rng = np.random.default_rng(0)
    for m in missing:
        dt = dtypes.dtype_of(dtypes.element_type(params[m].type)) or "float32"
        probe[m] = rng.uniform(-1, 1, PROBE_ELEMENTS).astype(numpy_dtype(dt))
    try:
        ex = execute(module, kernel=f.name, args=probe, launch=launch_text, trace=True, timeout=60)
    except Exception:  # noqa: BLE001 - a probe that cannot run infers nothing
        return {}, []
    if not ex.ok:
        return {}, []
    out, ev = {}, []
    for m in missing:
        itemsize = probe[m].itemsize
        top = -1
        for t in ex.trace:
            if t["buffer"] == m and t["bytes"]:
                top = max(top, max(t["bytes"]))
        if top < 0:
            continue
        n = top // itemsize + 1
        dt = probe[m].dtype
        out[m] = rng.uniform(-1, 1, n).astype(dt) if dt.kind == "f" else rng.integers(-100, 100, n).astype(dt)
        ev.append(f"{m}: {n} elements of {dt.name}, the largest index a probe run touched")
    return out, ev
