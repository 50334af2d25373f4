"""BANG lowering of matrix products for ``tensorize`` (``analysis/contraction``): a nest
computing ``C[i, j] = f(sum_k A[i, k] * B[k, j])`` becomes tiles of ``__bang_matmul`` (or
``__bang_mlp``) with the weights in WRAM.

    before (gemm bound to BANG: the fused (i, j) loop over tasks):
        for (int ij0 = taskId; ij0 < M * N; ij0 += taskDim) {
            int ij = ij0; int i = ij / N; int j = ij % N;
            float acc = 0.0f;
            for (int k = 0; k < K; ++k) acc += A[i * K + k] * B[k * N + j];
            C[i * N + j] = acc;
        }
    after (mtp_372; MT x NT x KT tiles, here 64 x 64 x 256):
        __nram__ float xp_mma[MT * KT];   A tile, row-major [MT][KT]
        __nram__ float xp_mmb[NT * KT];   B tile as the intrinsic reads it: [NT][KT] (B transposed)
        __nram__ float xp_mmt[...];       a block copied in the source's order, to transpose
        __nram__ float xp_mmc[MT * NT];   C tile; xp_mmp: a partial product (K in several tiles)
        __wram__ float xp_mmw[NT * KT];   the weights, [N][K] (bang.md 2.4: matmul src1 column-major)
        ... tiles (i0, j0) spread over the tasks (the rows per tile from an even share):
            for k0 in steps of KT:
                zero the tiles where they are ragged; 2-D __memcpy of A rows (or of A^T then
                __bang_transpose), of B^T rows (or of B then __bang_transpose); NRAM2WRAM copy;
                __bang_matmul(xp_mmc or xp_mmp, xp_mma, xp_mmw, m, KT, NT) (+ __bang_add)
            epilogue (__bang_add with a broadcast bias row, __bang_mul_scalar, __bang_active_relu)
            2-D __memcpy of the m x n valid part to C

The padding is zeros on both operands (``K`` padded to KT, a multiple of 16 floats: 64 B rows;
``N`` to NT, a multiple of the arch's ``wram_co_multiple``): padded ``k`` add ``0 * 0``, and
padded columns of the result are never copied out. ``__bang_matmul`` is used where the table's
float overload exists on the arch (``tensor_float_types``: mtp_372, mtp_592); elsewhere each row
runs ``__bang_mlp`` (its float form has no arch restriction), as does a matrix-vector product
(no ``i``: ``M`` is 1). Tiles are sized from the arch's WRAM and from half of the NRAM the
kernel leaves (the other half stays for the element-wise chunks).
"""
from __future__ import annotations

from typing import Optional, Union

from .. import ir
from ..analysis import contraction as C
from ..analysis.loops import loop_nest
from ..analysis.symbols import SymbolTable
from ..dialects.bang import intrinsics as bang_table
from .tensorize import _lines

F = 4  # sizeof(float)


def _n(x: str) -> ir.Name:
    return ir.Name(x)


def _i(v: int) -> ir.IntLit:
    return ir.IntLit(v)


def _b(op: str, a, b) -> ir.Binary:
    return ir.Binary(op, _e(a), _e(b))


def _e(x) -> ir.Expr:
    if isinstance(x, str):
        return _n(x)
    if isinstance(x, int):
        return _i(x)
    return ir.clone(x)


def _call(fn: str, *args) -> ir.ExprStmt:
    return ir.ExprStmt(ir.Call(_n(fn), [_e(a) for a in args]))


def _decl(name: str, init, ty: str = "int") -> ir.Decl:
    return ir.Decl([ir.VarDecl(name, ir.Named(ty), _e(init))])


def _min(a, b) -> ir.Expr:
    return ir.Ternary(_b("<", a, b), _e(a), _e(b))


def _mac_loop(n: ir.Node) -> bool:
    """An innermost ``for`` whose body is one ``acc += x * y`` (a contraction's reduction)."""
    if not isinstance(n, ir.For):
        return False
    body = C._stmts(n.body)
    if len(body) != 1 or not isinstance(body[0], ir.ExprStmt) or not isinstance(body[0].expr, ir.Assign):
        return False
    a = body[0].expr
    v = C._strip(a.value)[0]
    if a.op == "=" and isinstance(v, ir.Binary) and v.op == "+":
        v = v.rhs if isinstance(v.lhs, ir.Name) and isinstance(a.target, ir.Name) and v.lhs.name == a.target.name \
            else v.lhs
        v = C._strip(v)[0]
    elif a.op != "+=":
        return False
    return isinstance(a.target, ir.Name) and isinstance(v, ir.Binary) and v.op == "*"


def plan_matmuls(kernel, table: SymbolTable, replace: dict, records: list) -> int:
    """Lower every contraction of ``kernel.f`` (``BangKernel``): the statements replacing each
    taken nest go to ``replace`` (by the top loop's id), a record per nest (taken, or the
    reason it is not) to ``records``; the ids of every node of a taken nest to
    ``kernel.mm_taken`` (the element-wise cases skip them). Returns the number taken."""
    f = kernel.f
    kernel.mm_taken = getattr(kernel, "mm_taken", set())
    done = 0
    for mac in [n for n in f.body.walk() if _mac_loop(n)]:
        if id(mac) in kernel.mm_taken:
            continue
        chain = loop_nest(f.body, mac)
        best: Optional[tuple[C.NotContraction, ir.For]] = None
        for top in chain:
            c = C.analyse(top, table)
            if c:
                out = _Lower(kernel, c).lower()
                if isinstance(out, str):
                    c = C.NotContraction(out, len(C.STAGES))
                else:
                    stmts, used, note = out
                    replace[id(top)] = stmts
                    kernel.mm_taken.update(id(n) for n in top.walk())
                    records.append({"kernel": f.name, "lines": _lines(top), "tensorized_into": sorted(used),
                                    "staged_in": ["nram", "wram"]})
                    kernel.p.notes.append(f"{f.name}: {note}")
                    kernel.p.notes.extend(f"{f.name}: {x}" for x in c.notes)
                    done += 1
                    best = None
                    break
            if best is None or c.stage >= best[0].stage:
                best = (c, top)
        if best is not None and chain:
            why, top = best
            records.append({"kernel": f.name, "lines": _lines(top),
                            "not": [f"not tensorized into a matrix product: {why.reason}"
                                    + (f" (line {why.line})" if why.line else "")]})
    return done


class _Lower:
    def __init__(self, k, c: C.Contraction):
        self.k, self.c = k, c
        self.rules = k.rules
        self.arch = k.arch
        self.used: set[str] = {"__memcpy"}

    def fresh(self, base: str) -> str:
        return self.k.fresh(base)

    # ------------------------------------------------------------------ choices
    def matmul_ok(self) -> bool:
        it = bang_table.INTRINSICS["__bang_matmul"]
        return self.rules["tensor_float_types"] and any(
            ov.semantics and any(inst.get("T") == "float" for inst in ov.instances) and
            ov.params[0].type == "float *" and bang_table.available(ov.arch, self.arch) for ov in it.overloads)

    def mlp_ok(self) -> bool:
        it = bang_table.INTRINSICS["__bang_mlp"]
        return any(ov.semantics and any(inst.get("Tsrc") == "float" and inst.get("Tf") == "float"
                                        for inst in ov.instances) and len(ov.params) == 5 and
                   bang_table.available(ov.arch, self.arch) for ov in it.overloads)

    def sizes(self, transposes: bool, loads: int) -> Optional[tuple[int, int, int]]:
        """(MT, NT, KT): the largest tiles (in this order of preference) whose NRAM fits half
        of what the kernel leaves and whose weights fit the WRAM."""
        room = (self.rules["nram_bytes"] - self.rules["nram_stack_reserve_bytes"] - self.k.nram_used) // 2
        wram = self.rules["wram_bytes"] - getattr(self.k, "wram_used", 0)
        co = self.rules["wram_co_multiple"]
        one_row = self.c.i is None
        for mt, nt, kt in ((128, 128, 512), (64, 128, 512), (64, 64, 512), (64, 64, 256), (32, 64, 256),
                           (32, 64, 128), (16, 64, 64), (16, 64, 16)):
            nt = max(co, nt // co * co)
            if one_row:
                mt = 1
            t = max(mt, nt) * kt if transposes else 0
            nram = (mt * kt + nt * kt + t + (2 + loads) * mt * nt) * F
            if nram <= room and nt * kt * F <= wram:
                return mt, nt, kt
        return None

    # ------------------------------------------------------------------ addresses
    def at(self, o: C.Operand, **idx) -> ir.Expr:
        """The address of ``o`` at the tile origin (``i=xp_i0``...)."""
        off: Optional[ir.Expr] = None
        for d, v in idx.items():
            s = o.strides.get(d)
            if s is None:
                continue
            t = _b("*", v, s) if not (isinstance(s, ir.IntLit) and s.value == 1) else _e(v)
            off = t if off is None else ir.Binary("+", off, t)
        return _e(o.base) if off is None else ir.Binary("+", _e(o.base), off)

    def stride_bytes(self, o: C.Operand, d: str) -> ir.Expr:
        return _b("*", o.strides[d], F)

    # ------------------------------------------------------------------ the nest
    def lower(self) -> Union[str, tuple[list[ir.Stmt], set[str], str]]:
        c = self.c
        a, b, out = c.a, c.b, c.c
        has_i = c.i is not None
        # how each operand reaches NRAM: rows along k (a 2-D copy), or the transpose
        if a.unit("k") and (not has_i or "i" in a.strides):
            a_t = False
        elif has_i and a.unit("i"):
            a_t = True
        else:
            return f"{a.buf}: neither its k nor its i elements are contiguous (a gather)"
        if b.unit("k"):
            b_t = False
        elif b.unit("j"):
            b_t = True
        else:
            return f"{b.buf}: neither its k nor its j elements are contiguous (a gather)"
        if not out.unit("j"):
            return f"{out.buf}: the result's j elements are not contiguous"
        loads: list[C.Operand] = []
        self._collect(c.value, loads)
        for o in loads:
            if o.strides and "j" in o.strides and not o.unit("j"):
                return f"{o.buf}: an epilogue operand whose j elements are not contiguous"
            if set(o.strides) == {"i"} and not self.rules["memcpy_3d"]:
                return f"{o.buf}: a column operand needs the 3-D __memcpy (not on {self.arch})"
        if has_i and self.matmul_ok():
            unit = "__bang_matmul"
        elif self.mlp_ok():
            unit = "__bang_mlp"
        else:
            return f"no float matrix intrinsic on {self.arch}"
        sz = self.sizes(a_t or b_t, sum(1 for o in loads if o.strides))
        if sz is None:
            return "the tiles do not fit the NRAM and WRAM the kernel leaves"
        MT, NT, KT = sz
        self.MT, self.NT, self.KT = MT, NT, KT
        # ---- buffers
        bufs = {}

        def buf(hint: str, n: int, space: str = "nram") -> str:
            name = self.fresh(f"xp_mm{hint}")
            self.k.decls.append(ir.Decl([ir.VarDecl(name, ir.Array(ir.Named("float"), _i(n)), space=space)]))
            if space == "nram":
                self.k.nram_used += n * F
            else:
                self.k.wram_used = getattr(self.k, "wram_used", 0) + n * F
            return name

        xa, xb = buf("a", MT * KT), buf("b", NT * KT)
        xt = buf("t", max(MT if a_t else 0, NT if b_t else 0) * KT) if (a_t or b_t) else None
        xc, xp = buf("c", MT * NT), buf("p", MT * NT)
        xw = buf("w", NT * KT, "wram")
        bufs.update(a=xa, b=xb, t=xt, c=xc, p=xp, w=xw)
        self.xc = xc
        self.ebufs = [buf("e", MT * NT) for o in loads if o.strides]
        # ---- names
        M, N, K = (self.fresh(x) for x in ("xp_M", "xp_N", "xp_K"))
        tn, mt, tm, t = (self.fresh(x) for x in ("xp_tn", "xp_mt", "xp_tm", "xp_t"))
        i0, j0, m, n = (self.fresh(x) for x in ("xp_i0", "xp_j0", "xp_m", "xp_n"))
        k0, kk = self.fresh("xp_k0"), self.fresh("xp_k")
        self.names = dict(i0=i0, j0=j0, m=m, n=n)
        head: list[ir.Stmt] = [_decl(M, c.M), _decl(N, c.j.extent), _decl(K, c.k.extent),
                               _decl(tn, _b("/", _b("+", N, NT - 1), NT))]
        if not has_i:
            head.append(_decl(mt, 1))
        elif c.mode == "tasks":
            share = self.fresh("xp_share")
            head.append(_decl(share, _b("/", _b("+", _b("*", M, tn), _b("-", "taskDim", 1)), "taskDim")))
            head.append(_decl(mt, ir.Ternary(_b("<", share, 1), _i(1), _min(share, MT))))
        else:
            head.append(_decl(mt, MT))
        head.append(_decl(tm, _b("/", _b("+", M, _b("-", mt, 1)), mt)))
        # ---- one k tile
        kt_body: list[ir.Stmt] = [_decl(kk, _min(_b("-", K, k0), KT))]
        ragged_k = _b("<", kk, KT)
        if not a_t:
            kt_body.append(ir.If(ragged_k, _call("__bang_write_zero", xa, MT * KT)))
            self.used.add("__bang_write_zero")
            src = self.at(a, i=i0, k=k0)
            if has_i:
                kt_body.append(_call("__memcpy", xa, src, _b("*", kk, F), "GDRAM2NRAM", KT * F,
                                     self.stride_bytes(a, "i"), _b("-", m, 1)))
            else:
                kt_body.append(_call("__memcpy", xa, src, _b("*", kk, F), "GDRAM2NRAM"))
        else:
            kt_body.append(ir.If(_b("||", ragged_k, _b("<", m, MT)), _call("__bang_write_zero", xt, MT * KT)))
            kt_body.append(_call("__memcpy", xt, self.at(a, i=i0, k=k0), _b("*", m, F), "GDRAM2NRAM", MT * F,
                                 self.stride_bytes(a, "k"), _b("-", kk, 1)))
            kt_body.append(_call("__bang_transpose", xa, xt, KT, MT))
            self.used.update({"__bang_write_zero", "__bang_transpose"})
        ragged_b = _b("||", ragged_k, _b("<", n, NT))
        if not b_t:
            kt_body.append(ir.If(ragged_b, _call("__bang_write_zero", xb, NT * KT)))
            kt_body.append(_call("__memcpy", xb, self.at(b, j=j0, k=k0), _b("*", kk, F), "GDRAM2NRAM", KT * F,
                                 self.stride_bytes(b, "j"), _b("-", n, 1)))
        else:
            kt_body.append(ir.If(ragged_b, _call("__bang_write_zero", xt, NT * KT)))
            kt_body.append(_call("__memcpy", xt, self.at(b, j=j0, k=k0), _b("*", n, F), "GDRAM2NRAM", NT * F,
                                 self.stride_bytes(b, "k"), _b("-", kk, 1)))
            kt_body.append(_call("__bang_transpose", xb, xt, KT, NT))
            self.used.add("__bang_transpose")
        self.used.add("__bang_write_zero")
        kt_body.append(_call("__memcpy", xw, xb, NT * KT * F, "NRAM2WRAM"))

        def product(dst: str) -> list[ir.Stmt]:
            self.used.add(unit)
            if unit == "__bang_matmul":
                return [_call("__bang_matmul", dst, xa, xw, m, KT, NT)]
            if not has_i:
                return [_call("__bang_mlp", dst, xa, xw, NT, KT)]
            r = self.fresh("xp_r")
            return [ir.For(_decl(r, 0), _b("<", r, m), ir.Unary("++", _n(r), postfix=False),
                           ir.Block([_call("__bang_mlp", _b("+", dst, _b("*", r, NT)), _b("+", xa, _b("*", r, KT)),
                                           xw, NT, KT)]))]

        count = _b("*", m, NT)
        self.used.add("__bang_add")
        kt_body.append(ir.If(_b("==", k0, 0), ir.Block(product(xc)),
                             ir.Block(product(xp) + [_call("__bang_add", xc, xc, xp, count)])))
        tile: list[ir.Stmt] = [
            _decl(i0, _b("*", _b("%", t, tm), mt)),
            _decl(j0, _b("*", _b("/", t, tm), NT)),
            _decl(m, _min(_b("-", M, i0), mt)),
            _decl(n, _min(_b("-", N, j0), NT)),
            ir.If(_b("<=", K, 0), _call("__bang_write_zero", xc, count)),
            ir.For(_decl(k0, 0), _b("<", k0, K), ir.Assign("+=", _n(k0), _i(KT)), ir.Block(kt_body)),
        ]
        # ---- epilogue and the copy out
        self.count = count
        r = self.epilogue(c.value, tile)
        if isinstance(r, str):
            return r
        kind, res = r
        if kind != "buf":
            return "the stored value does not use the sum"
        if has_i:
            tile.append(_call("__memcpy", self.at(out, i=i0, j=j0), res, _b("*", n, F), "NRAM2GDRAM",
                              self.stride_bytes(out, "i"), NT * F, _b("-", m, 1)))
        else:
            tile.append(_call("__memcpy", self.at(out, j=j0), res, _b("*", n, F), "NRAM2GDRAM"))
        start, step = ("taskId", "taskDim") if c.mode == "tasks" else (0, 1)
        loop = ir.For(_decl(t, start), _b("<", t, _b("*", tm, tn)), ir.Assign("+=", _n(t), _e(step)),
                      ir.Block(tile))
        stmts = [ir.Block(head + [loop])]
        _spanned(stmts[0], c.loop.span)
        shape = f"{MT} x {NT} x {KT}" if has_i else f"{NT} x {KT}"
        note = (f"the matrix product at lines {_lines(c.loop)[0]}-{_lines(c.loop)[1]} runs on {unit} in "
                f"{shape} tiles ({b.buf} staged in WRAM as [N][K]"
                f"{', transposed in NRAM' if b_t else ''}; {a.buf} in NRAM{', transposed' if a_t else ''}; "
                f"zero padding)")
        return stmts, self.used, note

    def _collect(self, v, out: list) -> None:
        if isinstance(v, C.Load):
            out.append(v.operand)
        elif isinstance(v, C.Op):
            for x in v.args:
                self._collect(x, out)

    # ------------------------------------------------------------------ epilogue
    def epilogue(self, v, out: list[ir.Stmt]) -> Union[str, tuple[str, object]]:
        """``("buf", name)`` (a tile in NRAM, free to overwrite) or ``("scalar", expr)``."""
        nm = self.names
        if isinstance(v, C.Acc):
            return "buf", self.xc
        if isinstance(v, C.Scalar):
            return "scalar", _e(v.expr)
        if isinstance(v, C.Load):
            o = v.operand
            if not o.strides:
                return "scalar", ir.Index(_e(o.base), _i(0))
            e = self.ebufs.pop(0)
            NT = self.NT
            dims = set(o.strides)
            if dims == {"i", "j"}:
                out.append(_call("__memcpy", e, self.at(o, i=nm["i0"], j=nm["j0"]), _b("*", nm["n"], F),
                                 "GDRAM2NRAM", NT * F, self.stride_bytes(o, "i"), _b("-", nm["m"], 1)))
            elif dims == {"j"}:  # a row broadcast to every row of the tile (source stride 0)
                out.append(_call("__memcpy", e, self.at(o, j=nm["j0"]), _b("*", nm["n"], F), "GDRAM2NRAM",
                                 NT * F, 0, _b("-", nm["m"], 1)))
            else:  # {"i"}: one element per row, broadcast along the row (3-D copy, source stride 0)
                out.append(_call("__memcpy", e, self.at(o, i=nm["i0"]), F, "GDRAM2NRAM",
                                 F, _b("-", nm["n"], 1), NT * F, _b("-", nm["m"], 1),
                                 0, _b("-", nm["n"], 1), self.stride_bytes(o, "i"), _b("-", nm["m"], 1)))
            return "buf", e
        assert isinstance(v, C.Op)
        args = []
        for x in v.args:
            r = self.epilogue(x, out)
            if isinstance(r, str):
                return r
            args.append(r)
        cnt = self.count
        if all(k == "scalar" for k, _ in args):
            if v.op in "+-*":
                return "scalar", ir.Binary(v.op, args[0][1], args[1][1])
            return "scalar", ir.Call(_n(v.op + "f"), [x for _, x in args])
        if v.op in ("fmax", "fmin"):
            (ka, xa), (kb, xb) = args
            if v.op == "fmax" and {ka, kb} == {"buf", "scalar"}:
                bufn, s = (xa, xb) if ka == "buf" else (xb, xa)
                if C._zero(s):
                    self.used.add("__bang_active_relu")
                    out.append(_call("__bang_active_relu", bufn, bufn, cnt))
                    return "buf", bufn
            return f"{v.op}f of these operands has no BANG intrinsic here"
        (ka, xa), (kb, xb) = args
        if ka == "buf" and kb == "buf":
            fn = {"+": "__bang_add", "-": "__bang_sub", "*": "__bang_mul"}[v.op]
            self.used.add(fn)
            out.append(_call(fn, xa, xa, xb, cnt))
            return "buf", xa
        if ka == "scalar" and v.op in "+*":
            (ka, xa), (kb, xb) = (kb, xb), (ka, xa)
        if ka == "buf":
            fn = {"+": "__bang_add_scalar", "-": "__bang_sub_scalar", "*": "__bang_mul_scalar"}[v.op]
            self.used.add(fn)
            out.append(_call(fn, xa, xa, ir.Cast(ir.Named("float"), xb), cnt))
            return "buf", xa
        # scalar - tile: -(tile) + scalar (the negation is exact)
        self.used.update({"__bang_mul_scalar", "__bang_add_scalar"})
        out.append(_call("__bang_mul_scalar", xb, xb, ir.FloatLit(-1.0, "-1.0f"), cnt))
        out.append(_call("__bang_add_scalar", xb, xb, ir.Cast(ir.Named("float"), xa), cnt))
        return "buf", xb


def _spanned(node: ir.Node, span) -> None:
    if span is None:
        return
    for x in node.walk():
        if x.span is None:
            x.span = span
