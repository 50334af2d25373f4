"""CUDA ``wmma`` fragments as per-warp tiles, the first step of lifting a tensor-core kernel
(``loop_recovery`` calls it; not a pass of its own).

    before (block of 64 threads: two warps):
        wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
        for (int i = 0; i < acc.num_elements; ++i) acc.x[i] *= s;
        wmma::store_matrix_sync(p, acc, 16, wmma::mem_row_major);
    after:
        static const int xp_wmma_accumulator_16x16x16_float[256] = {0, 1, 128, ...};  (file scope)
        __shared__ float acc[2][256];                 (one 16x16 matrix per warp, row-major)
        for (int i = 0; i < 8; ++i)
            acc[tid / 32][xp_wmma_accumulator_16x16x16_float[tid % 32 * 8 + i]] *= s;
        wmma::store_matrix_sync(p, acc, 16, wmma::mem_row_major);   (loop_recovery: per warp)

A fragment is one matrix per warp (the table's tile semantics read and write matrices,
``dialects/cuda/intrinsics.py``), so a fragment variable becomes a ``__shared__`` array
of a matrix per warp; ``frag.x[i]`` of a lane is the matrix element that
``cuda.intrinsics.wmma_element`` gives for that lane and slot, ``frag.num_elements`` its
count. The ``wmma`` calls stay: loop_recovery runs them once per warp on the warp's matrix.
Refused (``FragmentError``): packed fragments (u4, s4, b1), fragments in arrays, structs or
parameters, and a fragment used other than in a ``wmma`` call, ``.x[i]`` or
``.num_elements``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .. import ir
from ..dialects.cuda import intrinsics as cuda_tables

_FRAG = re.compile(r"^(?:nvcuda::)?wmma::fragment\s*<\s*(?:nvcuda::)?wmma::(matrix_a|matrix_b|accumulator)\s*,\s*"
                   r"(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*([^,>]+?)\s*(?:,\s*(?:nvcuda::)?wmma::(row_major|col_major)"
                   r"\s*)?>$")
#: fragment element spellings -> the table's dtype keys
_DTYPE = {"half": "__half", "_Float16": "__half", "__nv_bfloat16": "__nv_bfloat16", "nv_bfloat16": "__nv_bfloat16",
          "precision::tf32": "tf32", "wmma::precision::tf32": "tf32", "nvcuda::wmma::precision::tf32": "tf32",
          "int8_t": "signed char", "uint8_t": "unsigned char"}


class FragmentError(Exception):
    def __init__(self, detail: str, node: Optional[ir.Node]):
        super().__init__(detail)
        self.detail, self.node = detail, node


@dataclass
class Tile:
    """One fragment variable: its table entry, layout and the lane map's file-scope name."""

    name: str
    frag: "cuda_tables.WmmaFragment"
    layout: Optional[str]
    type: ir.Named  # the source's fragment type (overload selection of the wmma calls reads it)
    map_name: str


def fragment_type(t: Optional[ir.CType]) -> Optional[tuple]:
    """(kind, m, n, k, dtype key, layout) of a wmma fragment type, else None."""
    if not isinstance(t, ir.Named):
        return None
    m = None
    for spelled in (t.name, t.canonical or ""):  # the canonical spelling has the constants' values
        m = _FRAG.match(re.sub(r"\s+", " ", spelled.strip()))
        if m:
            break
    if not m:
        return None
    kind, mm, nn, kk, dt, layout = m.groups()
    dt = dt.strip()
    return kind, int(mm), int(nn), int(kk), _DTYPE.get(dt, dt), layout


def _tid(block: tuple[int, int, int]) -> ir.Expr:
    """The linear thread index in the block, in CUDA built-ins (loop_recovery lowers them)."""
    e: ir.Expr = ir.Member(ir.Name("threadIdx"), "x")
    if block[1] > 1:
        e = ir.Binary("+", e, ir.Binary("*", ir.Member(ir.Name("threadIdx"), "y"), ir.IntLit(block[0])))
    if block[2] > 1:
        e = ir.Binary("+", e, ir.Binary("*", ir.Member(ir.Name("threadIdx"), "z"), ir.IntLit(block[0] * block[1])))
    return e


def tiles(f: ir.Function, block: tuple[int, int, int], warp: int = 32) -> tuple[ir.Function, list[ir.Stmt],
                                                                                  dict[str, Tile]]:
    """``f`` with its fragments as per-warp tiles, the file-scope lane maps it needs, and the
    tiles by variable name. Raises FragmentError on what it cannot lift."""
    found: dict[str, Tile] = {}
    maps: dict[str, ir.Stmt] = {}
    for n in f.walk():
        if isinstance(n, ir.Param) and fragment_type(n.type):
            raise FragmentError(f"fragment parameter {n.name}", n)
        if not isinstance(n, ir.VarDecl):
            continue
        t = n.type
        if isinstance(t, ir.Array) and fragment_type(t.elem):
            raise FragmentError(f"an array of fragments ({n.name})", n)
        ft = fragment_type(t)
        if ft is None:
            continue
        kind, m, nn, k, dt, layout = ft
        frag = cuda_tables.WMMA_SHAPES.get((kind, m, nn, k, dt))
        if frag is None or frag.num_storage_elements != frag.num_elements:
            raise FragmentError(f"fragment {n.name}: {kind} {m}x{nn}x{k} {dt} is not lifted (packed or undocumented)",
                                n)
        map_name = f"xp_wmma_{kind}_{m}x{nn}x{k}_{re.sub(r'[^A-Za-z0-9]+', '_', dt).strip('_')}"
        if map_name not in maps:
            cols = frag.cols
            values = []
            for lane in range(warp):
                for i in range(frag.num_elements):
                    r, c = cuda_tables.wmma_element(kind, m, nn, k, dt, layout, lane, i)
                    values.append(r * cols + c)
            maps[map_name] = ir.Decl([ir.VarDecl(map_name, ir.Array(ir.Named("int", const=True),
                                                                    ir.IntLit(len(values))),
                                                 ir.InitList([ir.IntLit(v) for v in values]), space="host",
                                                 specifiers=["static"])])
        found[n.name] = Tile(n.name, frag, layout, t, map_name)
    if not found:
        return f, [], {}
    warps = -(-(block[0] * block[1] * block[2]) // warp)
    tid = _tid(block)

    def fn(new: ir.Node, old: ir.Node):
        if isinstance(old, ir.VarDecl) and old.name in found:
            tile = found[old.name]
            if old.init is not None:
                raise FragmentError(f"fragment {old.name} with an initialiser", old)
            size = tile.frag.rows * tile.frag.cols
            elem = ir.Named(cuda_tables._WSTORE.get(tile.frag.dtype, tile.frag.dtype))
            return ir.VarDecl(old.name, ir.Array(ir.Array(elem, ir.IntLit(size)), ir.IntLit(warps)), None,
                              space="shared", span=old.span)
        if isinstance(old, ir.Index) and isinstance(old.base, ir.Member) and old.base.member == "x" and \
                isinstance(old.base.base, ir.Name) and old.base.base.name in found:
            tile = found[old.base.base.name]
            e = tile.frag.num_elements
            slot = ir.Binary("+", ir.Binary("*", ir.Binary("%", ir.clone(tid), ir.IntLit(warp)), ir.IntLit(e)),
                             new.index)
            return ir.Index(ir.Index(ir.Name(tile.name), ir.Binary("/", ir.clone(tid), ir.IntLit(warp))),
                            ir.Index(ir.Name(tile.map_name), slot))
        if isinstance(old, ir.Member) and isinstance(old.base, ir.Name) and old.base.name in found:
            if old.member == "num_elements":
                return ir.IntLit(found[old.base.name].frag.num_elements)
            if old.member != "x":
                raise FragmentError(f"{old.base.name}.{old.member}", old)
        return None

    out = ir.transform(f, fn, with_original=True)
    # every remaining use of a fragment must be an argument of a wmma call
    for n in out.walk():
        if isinstance(n, ir.Member) and isinstance(n.base, ir.Name) and n.base.name in found:
            raise FragmentError(f"{n.base.name}.{n.member} outside an element access", n)
    for n in out.body.walk():
        if isinstance(n, ir.Call):
            for a in n.args:
                if isinstance(a, ir.Name) and a.name in found and not _is_wmma(n):
                    raise FragmentError(f"fragment {a.name} passed to {getattr(n.callee, 'name', 'a call')}", n)
    return out, list(maps.values()), found


def _is_wmma(n: ir.Call) -> bool:
    name = n.callee.name if isinstance(n.callee, ir.Name) else ""
    return bool(re.match(r"^(?:nvcuda::)?(?:wmma::)?(fill_fragment|load_matrix_sync|store_matrix_sync|mma_sync)$",
                         name.split("<", 1)[0].strip()))
