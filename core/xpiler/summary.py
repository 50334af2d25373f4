"""What a file holds, as data: its kernels, their signatures, declared launches and argument
specs, host-code launches and on-chip memory. ``xpiler parse`` prints it; the language
server's symbols and hovers read it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional

from . import dtypes, ir
from .printer import Printer


@dataclass
class OnChip:
    name: str
    space: str
    type: str
    bytes: Optional[int]  # None: sized at run time
    line: int


@dataclass
class HostLaunch:
    kernel: str
    text: str  # the launch as printed
    function: str  # the host function it is in
    line: int


@dataclass
class FunctionInfo:
    name: str
    kind: str  # kernel, device, host, host_device
    line: int
    end_line: int
    signature: str
    params: list[tuple[str, str]]
    launch: Optional[str] = None  # from the launch comment
    args: Optional[str] = None  # from the args comment
    host_launches: list[HostLaunch] = field(default_factory=list)
    on_chip: list[OnChip] = field(default_factory=list)

    def on_chip_bytes(self) -> dict[str, Optional[int]]:
        """Bytes declared per on-chip space (None if some array is sized at run time)."""
        out: dict[str, Optional[int]] = {}
        for v in self.on_chip:
            prev = out.get(v.space, 0)
            out[v.space] = None if prev is None or v.bytes is None else prev + v.bytes
        return out


ON_CHIP = ("shared", "nram", "wram", "sram", "ldram")


def summarize(module: ir.Module) -> list[FunctionInfo]:
    """Every function defined or declared in the module, kernels first (computed once per
    module and cached on it: hovers and symbols ask often)."""
    cached = module.cache.get("summary")
    if cached is None:
        cached = module.cache["summary"] = _summarize(module)
    return cached


def _summarize(module: ir.Module) -> list[FunctionInfo]:
    p = Printer(module.dialect, module.language)
    infos: dict[str, FunctionInfo] = {}
    order: list[str] = []
    for f in module.functions:
        if f.name in infos and f.body is None:
            continue
        sig = p.function(ir.Function(f.name, f.ret, f.params, None, f.kind, f.specifiers, f.extern_c,
                                     f.launch_bounds, f.template))[-1].rstrip(";")
        info = FunctionInfo(
            name=f.name, kind=f.kind, line=f.span.line if f.span else 0,
            end_line=f.span.end_line if f.span else 0, signature=sig,
            params=[(q.name, p.type_name(q.type)) for q in f.params],
            launch=f.annotations.get("launch"), args=f.annotations.get("args"))
        if f.body is not None:
            for n in f.body.walk():
                if isinstance(n, ir.Decl):
                    for v in n.vars:
                        if v.space in ON_CHIP:
                            info.on_chip.append(OnChip(v.name, v.space, p.declarator(v.type, v.name),
                                                       dtypes.sizeof(v.type), v.span.line if v.span else 0))
        if f.name not in infos:
            order.append(f.name)
        infos[f.name] = info
    # module-level on-chip declarations (BANG __mlu_shared__, __wram__ at file scope)
    globals_ = [OnChip(v.name, v.space, p.declarator(v.type, v.name), dtypes.sizeof(v.type),
                       v.span.line if v.span else 0)
                for d in module.items if isinstance(d, ir.Decl) for v in d.vars if v.space in ON_CHIP]
    for f in module.functions:
        if f.body is None:
            continue
        for n in f.body.walk():
            if isinstance(n, ir.Launch):
                k = p.expr(n.kernel)
                target = infos.get(k)
                if target is not None:
                    target.host_launches.append(HostLaunch(k, p.expr(n), f.name, n.span.line if n.span else 0))
    out = [infos[n] for n in order]
    for i in out:
        if i.kind == "kernel":
            used = {n.name for n in _names(module.function(i.name))}
            i.on_chip = [g for g in globals_ if g.name in used] + i.on_chip
    return sorted(out, key=lambda i: (i.kind != "kernel", i.line))


def _names(f: Optional[ir.Function]):
    if f is None or f.body is None:
        return []
    return [n for n in f.body.walk() if isinstance(n, ir.Name)]


def to_dict(info: FunctionInfo) -> dict:
    d = asdict(info)
    d["on_chip_bytes"] = info.on_chip_bytes()
    return d
