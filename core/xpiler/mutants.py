"""Seeded faults for testing the oracle: kernels mutated the way translations go wrong.

    for m in mutants(module):       # Mutant(kind, line, description, module)
        ...

Kinds: ``off-by-one`` (``<`` and ``<=`` swapped in a loop or guard), ``stride`` (a factor
of an index expression made one larger), ``barrier`` (a ``__syncthreads``/``__sync*``
removed), ``memcpy-size`` (a copy's byte count divided by four: elements instead of
bytes), ``memcpy-direction`` (a BANG copy given the reverse direction), ``operand-swap``
(two source operands of an intrinsic swapped: pointers, or two vectors of one type).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from . import dialects, ir

BARRIERS = {"__syncthreads", "__syncwarp", "__sync_cluster", "__sync_all", "__sync_all_ipu", "__sync", "__sync_io",
            "__sync_compute", "__sync_move", "__sync_io_move_compute"}
COPIES = {"__memcpy", "__memcpy_async", "cudaMemcpy", "hipMemcpy", "memcpy", "cnrtMemcpy"}
_FLIP = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}


@dataclass
class Mutant:
    kind: str
    line: int
    description: str
    module: ir.Module


def _sites(module: ir.Module):
    """(node path) pairs: every node of every function body, with its function."""
    for f in module.functions:
        if f.body is None:
            continue
        for n in f.body.walk():
            yield f, n


def _mutate(module: ir.Module, target: ir.Node, change, kind: str) -> ir.Module:
    """A copy of ``module`` with ``change`` applied to the copy of ``target``; what the
    change makes has origin ``mutant:KIND``."""

    def fn(new: ir.Node, old: ir.Node) -> None:
        if old is target:
            change(new)

    return ir.transform(module, fn, origin=f"mutant:{kind}", with_original=True)


def _line(n: ir.Node) -> int:
    return n.span.line if n.span else 0


def mutants(module: ir.Module, per_kind: int = 3) -> Iterator[Mutant]:
    d = dialects.get(module.dialect)
    counts: dict[str, int] = {}

    def take(kind: str) -> bool:
        counts[kind] = counts.get(kind, 0) + 1
        return counts[kind] <= per_kind

    for f, n in list(_sites(module)):
        # off-by-one in loop conditions and guards
        if isinstance(n, (ir.For, ir.If, ir.While)):
            cond = n.cond
            if isinstance(cond, ir.Binary) and cond.op in _FLIP and take("off-by-one"):
                def flip(node):
                    node.cond.op = _FLIP[node.cond.op]
                yield Mutant("off-by-one", _line(n), f"{cond.op} -> {_FLIP[cond.op]}", _mutate(module, n, flip, "off-by-one"))
        # a stride in an index expression one larger
        if isinstance(n, ir.Index) and isinstance(n.index, ir.Binary):
            for sub in n.index.walk():
                if isinstance(sub, ir.Binary) and sub.op == "*" and isinstance(sub.rhs, (ir.Name, ir.IntLit)):
                    if take("stride"):
                        def widen(node):
                            node.rhs = ir.Binary("+", node.rhs, ir.IntLit(1))
                        yield Mutant("stride", _line(n), "an index stride one larger", _mutate(module, sub, widen, "stride"))
                    break
        if isinstance(n, ir.ExprStmt) and isinstance(n.expr, ir.Call) and isinstance(n.expr.callee, ir.Name):
            name = n.expr.callee.name
            if name in BARRIERS and take("barrier"):
                def remove(node):
                    node.expr = ir.Cast(ir.Named("void"), ir.IntLit(0))
                yield Mutant("barrier", _line(n), f"{name}() removed", _mutate(module, n, remove, "barrier"))
            if name in COPIES and len(n.expr.args) >= 3 and take("memcpy-size"):
                def shrink(node):
                    node.expr.args[2] = ir.Binary("/", node.expr.args[2], ir.IntLit(4))
                yield Mutant("memcpy-size", _line(n), f"{name} size divided by 4", _mutate(module, n, shrink, "memcpy-size"))
            if name in ("__memcpy", "__memcpy_async") and len(n.expr.args) >= 4 and \
                    isinstance(n.expr.args[3], ir.Name) and "2" in n.expr.args[3].name and take("memcpy-direction"):
                src_sp, dst_sp = n.expr.args[3].name.split("2", 1)

                def reverse(node):
                    node.expr.args[3] = ir.Name(f"{dst_sp}2{src_sp}")
                yield Mutant("memcpy-direction", _line(n), f"direction {src_sp}2{dst_sp} -> {dst_sp}2{src_sp}",
                             _mutate(module, n, reverse, "memcpy-direction"))
        if isinstance(n, ir.Call) and isinstance(n.callee, ir.Name):
            name = n.callee.name
            it = d.intrinsic(name)
            if it is not None and len(n.args) >= 2 and name not in COPIES and name not in BARRIERS:
                params = it.overloads[0].params[:len(n.args)]
                ptr = [i for i, p in enumerate(params) if "*" in p.type]
                srcs = [i for i in ptr if "const" in params[i].type]
                same = [(i, j) for i in range(len(params)) for j in range(i + 1, len(params))
                        if params[i].type == params[j].type and params[i].role != "config"
                        and params[i].type.strip() not in ("int", "unsigned int", "unsigned", "size_t")]
                pair = srcs[:2] if len(srcs) >= 2 else ptr[:2] if len(ptr) >= 2 else same[0] if same else None
                if pair and take("operand-swap"):
                    i, j = pair

                    def swap(node, i=i, j=j):
                        node.args[i], node.args[j] = node.args[j], node.args[i]
                    yield Mutant("operand-swap", _line(n), f"operands {i + 1} and {j + 1} of {name} swapped",
                                 _mutate(module, n, swap, "operand-swap"))
