"""Where a kernel's launch and arguments come from, in the documented order.

Launch: the command line (``--launch``), the ``// xpiler: launch`` comment, host code in the
same file (its ``dim3`` and ``<<<>>>`` expressions evaluated), inference from the kernel's
guards and index arithmetic (``infer``). Arguments: values given (``--arg``, the API), the
``// xpiler: args`` comment, host code (values passed, allocation sizes), inference from the
kernel's accesses. Whatever was inferred comes with its evidence; when nothing determines
it, the error names the comment to add.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import numpy as np

from .. import dtypes, evaluate, ir, spec
from ..diagnostics import XpilerError
from . import inputs

Number = Union[int, float]


@dataclass
class Resolved:
    values: dict[str, Union[np.ndarray, Number]]
    launch: Optional[spec.Launch]
    launch_source: str
    evidence: list[str] = field(default_factory=list)
    arg_sources: dict[str, str] = field(default_factory=dict)


def needs_launch(module: ir.Module, f: ir.Function) -> bool:
    return module.dialect in ("cuda", "hip", "bang") and f.kind == "kernel"


def resolve(module: ir.Module, f: ir.Function, *, launch: Optional[str] = None,
            args: Optional[dict] = None, arg_spec: Optional[str] = None, seed: int = 0) -> Resolved:
    rng = np.random.default_rng(seed)
    values: dict[str, Union[np.ndarray, Number]] = {}
    sources: dict[str, str] = {}
    evidence: list[str] = []
    params = {p.name: p for p in f.params}
    for name, v in (args or {}).items():
        if name not in params:
            raise XpilerError(f"{f.name} has no parameter '{name}' (parameters: {', '.join(params) or 'none'})")
        values[name] = _coerce(f, params[name], v)
        sources[name] = "given"
    specs: dict[str, spec.ArgSpec] = {}
    for text, origin in ((arg_spec, "flag"), (f.annotations.get("args"), "comment")):
        if text:
            for a in spec.parse_args(text):
                specs.setdefault(a.name, a)
                sources.setdefault(a.name, origin)
    host = _host_site(module, f)
    host_env: dict = {}
    if host is not None:
        host_env = _host_values(module, f, *host)
    for p in f.params:
        if p.name in values:
            continue
        a = specs.get(p.name)
        if a is None and p.name in host_env:
            a = host_env[p.name]
            sources[p.name] = "host code"
            evidence.append(f"{p.name} = {a} from host code")
        if a is None:
            continue
        if a.is_buffer:
            if not isinstance(p.type, (ir.Pointer, ir.Array)):
                raise XpilerError(f"argument {p.name} is a scalar of {f.name} but the spec gives a buffer ({a})")
            values[p.name] = inputs.generate(a, rng)
        else:
            if isinstance(p.type, (ir.Pointer, ir.Array)):
                raise XpilerError(f"argument {p.name} of {f.name} is a buffer; give it as {p.name}=DTYPE[SHAPE]")
            values[p.name] = a.value
    missing = [p.name for p in f.params if p.name not in values]
    if missing:
        from .infer import infer_args

        inferred, ev = infer_args(module, f, values, missing, launch_text=launch)
        for k, v in inferred.items():
            values[k] = v
            sources[k] = "inferred"
        evidence += ev
        missing = [p.name for p in f.params if p.name not in values]
    if missing:
        example = " ".join(_example_spec(params[m]) for m in missing)
        raise XpilerError(f"cannot determine argument{'s' * (len(missing) > 1)} {', '.join(missing)} of {f.name}: "
                          f"give --arg NAME=PATH.npy / NAME=VALUE, or add above the kernel "
                          f"'// xpiler: args {example}'")
    resolved = Resolved(values, None, "", evidence, sources)
    if needs_launch(module, f):
        resolved.launch, resolved.launch_source, ev = resolve_launch(module, f, launch, values, host)
        resolved.evidence += ev
    return resolved


def _example_spec(p: ir.Param) -> str:
    if isinstance(p.type, (ir.Pointer, ir.Array)):
        elem = dtypes.element_type(p.type)
        return f"{p.name}={dtypes.dtype_of(elem) or 'float32'}[N]"
    return f"{p.name}=VALUE"


def _coerce(f: ir.Function, p: ir.Param, v):
    if isinstance(p.type, (ir.Pointer, ir.Array)):
        if not isinstance(v, np.ndarray):
            raise XpilerError(f"argument {p.name} of {f.name} is a buffer ({_example_spec(p)}); got {v!r}")
        want = dtypes.dtype_of(dtypes.element_type(p.type))
        if want and want != "bfloat16" and v.dtype != np.dtype(want):
            raise XpilerError(f"argument {p.name} of {f.name} has element type {want}; the data given is "
                              f"{v.dtype} (convert it, e.g. numpy .astype('{want}'))")
        return np.ascontiguousarray(v)
    if isinstance(v, np.ndarray):
        if v.size != 1:
            raise XpilerError(f"argument {p.name} of {f.name} is a scalar; got an array of shape {v.shape}")
        v = v.item()
    return v


# ---------------------------------------------------------------------------- host code
def _host_site(module: ir.Module, f: ir.Function):
    """The first host function that launches ``f``, and the launch."""
    for h in module.functions:
        if h.body is None or h is f:
            continue
        for n in h.body.walk():
            if isinstance(n, ir.Launch) and isinstance(n.kernel, ir.Name) and n.kernel.name.split("<")[0] == f.name:
                return h, n
    return None


def _host_values(module: ir.Module, f: ir.Function, host: ir.Function, launch: ir.Launch) -> dict:
    """Argument specs of ``f`` read from the host code that launches it: scalars passed as
    constants (or computed from constants) and buffer sizes from cudaMalloc / malloc."""
    env = evaluate.run_straight_line(host.body.stmts, _host_env(module, host), stop=launch)
    out: dict[str, spec.ArgSpec] = {}
    allocs = _allocations(host, launch, env)
    for p, a in zip(f.params, launch.args):
        if isinstance(p.type, (ir.Pointer, ir.Array)):
            if isinstance(a, ir.Name) and a.name in allocs:
                elem = dtypes.element_type(p.type)
                dt = dtypes.dtype_of(elem)
                size = dtypes.sizeof(elem)
                if dt and size:
                    out[p.name] = spec.ArgSpec(p.name, dt, (allocs[a.name] // size,))
            continue
        try:
            v = evaluate.evaluate(a, env)
            if isinstance(v, (int, float)):
                out[p.name] = spec.ArgSpec(p.name, value=v)
        except evaluate.Unknown:
            pass
    return out


_ALLOC_CALLS = {"cudaMalloc": 1, "hipMalloc": 1, "cnrtMalloc": 1, "cudaMallocManaged": 1, "hipMallocManaged": 1}


def _allocations(host: ir.Function, stop: ir.Node, env) -> dict[str, int]:
    out: dict[str, int] = {}
    for n in host.body.walk():
        if n is stop:
            break
        if isinstance(n, ir.Call) and isinstance(n.callee, ir.Name) and n.callee.name in _ALLOC_CALLS and len(n.args) >= 2:
            target = n.args[0]
            while isinstance(target, ir.Cast):
                target = target.operand
            if isinstance(target, ir.Unary) and target.op == "&" and isinstance(target.operand, ir.Name):
                try:
                    out[target.operand.name] = int(evaluate.evaluate(n.args[1], env))
                except evaluate.Unknown:
                    pass
    return out


def _host_env(module: ir.Module, host: ir.Function) -> dict:
    """What host code starts from: the dialect's enumerators and the scalar values of the
    host function's own args comment (a wrapper's ``n=3001`` sizes the buffers and the grid
    it computes)."""
    env = _enum_env(module)
    text = host.annotations.get("args")
    if text:
        try:
            env.update({a.name: a.value for a in spec.parse_args(text) if not a.is_buffer})
        except XpilerError:
            pass
    return env


def _enum_env(module: ir.Module) -> dict:
    env: dict = {}
    if module.dialect == "bang":
        from ..dialects.bang import intrinsics as bang

        for name, info in getattr(bang, "TASK_TYPES", {}).items():
            u = info.get("union") if isinstance(info, dict) else None
            env[name] = "block" if not u else f"union{u}"
    return env


def resolve_launch(module: ir.Module, f: ir.Function, flag: Optional[str], values: dict, host) \
        -> tuple[spec.Launch, str, list[str]]:
    d = module.dialect
    if flag:
        return spec.parse_launch(flag, d), "flag", []
    if "launch" in f.annotations:
        return spec.parse_launch(f.annotations["launch"], d), "comment", []
    if host is not None:
        h, launch = host
        env = evaluate.run_straight_line(h.body.stmts, _host_env(module, h), stop=launch)
        # the kernel's scalar arguments are known: bind the host names passed for them
        for p, a in zip(f.params, launch.args):
            if isinstance(a, ir.Name) and a.name not in env and p.name in values and not isinstance(values[p.name], np.ndarray):
                env[a.name] = values[p.name]
        try:
            # BANG: dimension and task type (the queue, third, is not a number)
            cfg = [evaluate.evaluate(c, env) for c in (launch.config[:2] if d == "bang" else launch.config)]
            L = _launch_from_config(d, cfg)
            return L, "host code", [f"launch from {h.name}() at line {launch.span.line if launch.span else '?'}"]
        except (evaluate.Unknown, XpilerError, TypeError, ValueError):
            pass
    from .infer import infer_launch

    L, ev = infer_launch(module, f, values)
    if L is None:
        example = "dim=4,1,1 type=union1" if d == "bang" else "grid=X,Y,Z block=X,Y,Z"
        raise XpilerError(f"cannot determine the launch of {f.name}: give --launch '{example}' or add above the "
                          f"kernel '// xpiler: launch {example}'" + (f" ({'; '.join(ev)})" if ev else ""))
    return L, "inferred", ev


def _launch_from_config(dialect: str, cfg: list) -> spec.Launch:
    def dims(v) -> tuple[int, int, int]:
        if isinstance(v, evaluate.Dim3):
            return v.as_tuple()
        if isinstance(v, list):
            return tuple((list(map(int, v)) + [1, 1, 1])[:3])  # type: ignore[return-value]
        return (int(v), 1, 1)

    if dialect == "bang":
        if len(cfg) < 2 or not isinstance(cfg[1], str):
            raise XpilerError("BANG launch type not known")
        return spec.parse_launch(f"dim={','.join(map(str, dims(cfg[0])))} type={cfg[1]}", "bang")
    shared = int(cfg[2]) if len(cfg) > 2 and isinstance(cfg[2], (int, float)) else 0
    return spec.GpuLaunch(dims(cfg[0]), dims(cfg[1]), shared)
