"""The warp-wide semantics of the CUDA and HIP tables (``Overload.collective``) against the
runtime's hand-written implementations (xp_gpu.hpp), generated from the tables.

* Lanes (shuffles, votes, match, reduce, ``__lane_id``; every overload instance): one warp (32
  CUDA lanes, 64 HIP lanes) calls each in several configurations -- widths, per-lane source
  lanes and deltas past the segment or negative, masks with inactive lanes, NaN and +-0 for
  match -- and writes what each lane got. The reference runs the lane loops of
  ``semantics_ir`` (printed as plain C) in one thread on the same per-lane inputs. Equal bit for
  bit on every active lane whose result the loops do not mark ``undefined``.
* WMMA tiles (every fragment kind, layout, shape and type of the CUDA table): loads are
  compared per lane, through the table's lane map (``wmma_element``), with the matrix the tile
  loops load; fills likewise; store and ``mma_sync`` / ``bmma_sync`` (satf on and off) through
  memory: load, multiply, store, compared bit for bit (both compute in double in k order and
  round once).
* MFMA (every builtin of the HIP table, with CBSZ/ABID/BLGP variants): per-lane operands in,
  per-lane results out; the tile loops gather through the table's lane layout. Bit for bit.
"""
from __future__ import annotations

import random
import re
import struct
from dataclasses import dataclass, field

import numpy as np

from test_semantics import DEVICE_XP_CAST, FULL, gpu_value_bytes, scalar_bytes
from xpiler import ir
from xpiler.dialects import get, semantics as S
from xpiler.dialects.base import bind
from xpiler.dialects.cuda import intrinsics as CU
from xpiler.dialects.hip import intrinsics as HI
from xpiler.printer import print_node
from xpiler.runtime.run import execute

SEED = 16


def _c(node) -> str:
    return print_node(node, "c", "c++")


_NP = {"__half": np.float16, "float": np.float32, "double": np.float64}


def same_floats(x: np.ndarray, y: np.ndarray, dtype: str) -> bool:
    """Bytes equal, except that any NaN equals any NaN: its sign and payload are unspecified (IEEE
    754 §6.3) and g++ may swap the operands of a commutative operation, which picks a different
    NaN when both are NaN."""
    if np.array_equal(x, y):
        return True
    dt = _NP.get(dtype)
    if dt is None:
        return False
    u, v = x.view(dt), y.view(dt)
    return bool(np.all((u.view(np.uint8).reshape(len(u), -1) == v.view(np.uint8).reshape(len(v), -1)).all(axis=1)
                       | (np.isnan(u) & np.isnan(v))))


def _run(src: str, dialect: str, name: str, inp: np.ndarray, nout: int, block: int):
    ex = execute(src, path=f"semantics_gpu_{name}.{'cu' if dialect == 'cuda' else 'hip'}", dialect=dialect,
                 kernel="run_all", args={"inp": inp.copy(), "outp": np.zeros(nout, np.uint8)},
                 launch=f"grid=1 block={block}", timeout=300)
    assert ex.ok, (ex.status, ex.message)
    bad = [f for f in ex.findings if f.kind not in ("deprecated",)]
    return ex.outputs["outp"], bad


def _pack(chunks: list[bytes]) -> tuple[np.ndarray, list[int]]:
    offs, pos, out = [], 0, []
    for c in chunks:
        pad = (-len(c)) % 64
        offs.append(pos)
        out.append(c + bytes(pad))
        pos += len(c) + pad
    return np.frombuffer(b"".join(out) or bytes(64), np.uint8).copy(), offs


def _program(dialect: str, fns: list[str], in_offs: list[int], out_offs: list[int], ref: bool) -> str:
    head = ("#include <cuda_runtime.h>\n#include <mma.h>\n" if dialect == "cuda" else "#include <hip/hip_runtime.h>\n")
    head += ("__device__ void copy_bytes(void *dst, const void *src, unsigned long n) {\n"
             "    for (unsigned long i = 0; i < n; ++i) ((unsigned char *)dst)[i] = ((const unsigned char *)src)[i];\n}\n")
    if ref:
        head += DEVICE_XP_CAST
    fns = [re.sub(r"\bmemcpy\(", "copy_bytes(", f) for f in fns]
    calls = "\n".join(f"    case_{k}(inp + {i}, outp + {o});" for k, (i, o) in enumerate(zip(in_offs, out_offs)))
    guard = "    if (threadIdx.x != 0) return;\n" if ref else ""
    return (head + "\n\n".join(fns) + "\n\n__global__ void run_all(const unsigned char *inp, unsigned char *outp) {\n"
            + guard + calls + "\n}\n")


# ---------------------------------------------------------------------------------------- lanes
@dataclass
class LaneCase:
    it: object
    ov: object
    env: dict
    consts: dict  # uniform arguments (mask, width) as C literals
    active: int  # bit l: lane l calls
    inputs: dict = field(default_factory=dict)  # per-lane parameter -> bytes (ws slots of 8 bytes)
    label: str = ""


def _lane_params(ov) -> tuple[list, list]:
    per_lane = [p for p in ov.params if p.role != "config"]
    uniform = [p for p in ov.params if p.role == "config"]
    return per_lane, uniform


_MATCH_POOLS = ((0.0, -0.0, 1.5), (0.0, -0.0), (0.0, float("nan"), 2.5))  # per configuration: +-0 and NaN


def _lane_value(name: str, t: str, rng: random.Random, ws: int, it_name: str, variant: int = 0) -> bytes:
    """One lane's value of parameter ``name``: lane indices and deltas reach past the segment and
    the warp, predicates are mostly 0/1, match values repeat (+0 and -0, which HIP's == matches
    and CUDA's bitwise comparison does not; NaN, which matches nothing in HIP)."""
    if name == "srcLane":
        return struct.pack("<i", rng.randint(-ws - 8, 2 * ws))
    if name == "delta":
        return struct.pack("<I", rng.choice((0, 1, 2, 3, 5, 8, 16, 31, 32, 33, 40, ws - 1, ws + 3)))
    if name == "laneMask":
        return struct.pack("<i", rng.choice((0, 1, 2, 4, 8, 16, 31, 32, 33, 63, 64, -1, -3)))
    if name == "predicate":
        return struct.pack("<i", rng.choice((0, 1, 1, 7, -2)))
    if name == "value" and "match" in it_name:
        pool = _MATCH_POOLS[variant % len(_MATCH_POOLS)] if t in ("float", "double") else None
        if pool is not None:
            return struct.pack("<f" if t == "float" else "<d", rng.choice(pool))
        return scalar_bytes(t, random.Random(rng.randrange(3)), 1)  # few distinct values: groups match
    if t in ("__half2", "__nv_bfloat162"):
        base = "__half" if t == "__half2" else "__nv_bfloat16"
        return scalar_bytes(base, rng, rng.randrange(2)) + scalar_bytes(base, rng, rng.randrange(2))
    return scalar_bytes(t, rng, rng.randrange(2))


def _lane_cases(dialect: str) -> list[LaneCase]:
    rng = random.Random(SEED)
    ws = S.warp_size(dialect)
    full = (1 << ws) - 1
    cases = []
    for it, ov, env, kind in S.with_semantics(dialect):
        if kind != "lanes":
            continue
        per_lane, uniform = _lane_params(ov)
        has_mask = any(p.name == "mask" for p in uniform)
        shfl = any(p.name == "width" for p in uniform)
        configs = [(full, ws)]
        partial = full & ~(1 << 3) & ~(1 << (ws - 2)) & ~(rng.getrandbits(ws) & rng.getrandbits(ws))
        configs.append((partial, 8 if shfl else ws))
        if "match" in it.name:
            configs.append((full, ws))
        if shfl and (FULL or env.get("T") in ("int", "double")):  # more widths: two types by default
            configs += [(full, 16), (partial, 4), (full, 1), (full, 2)]
        for variant, (active, width) in enumerate(configs):
            consts = {}
            if has_mask:
                consts["mask"] = f"0x{active:x}u" if ws == 32 else f"0x{active:x}ull"
            if shfl:
                consts["width"] = str(width)
            c = LaneCase(it, ov, env, consts, active, label=f"{it.name}<{','.join(env.values())}> w={width}")
            for p in per_lane:
                if p.type.strip().endswith("*"):  # match_all's pred: an output
                    continue
                t = bind(p.type, env).strip()
                c.inputs[p.name] = b"".join(_lane_value(p.name, t, rng, ws, it.name, variant).ljust(8, b"\0")
                                            for _ in range(ws))
            cases.append(c)
    return cases


def _lane_fn(c: LaneCase, k: int, dialect: str, ref: bool) -> str:
    """Case k: every active lane calls the intrinsic (runtime), or one thread runs the lane loops
    over arrays of the same per-lane inputs (reference); results per lane, then pred, then the
    reference's undefined marks."""
    ws = S.warp_size(dialect)
    ret = bind(c.ov.ret, c.env).strip()
    per_lane, uniform = _lane_params(c.ov)
    names = [p.name for p in per_lane if p.name in c.inputs]
    offs = {n: i * ws * 8 for i, n in enumerate(names)}
    has_pred = any(p.type.strip().endswith("*") for p in per_lane)
    lines = [f"// {c.label}"]
    if not ref:
        lines += ["const int lane = threadIdx.x;", f"if (!((0x{c.active:x}ull >> lane) & 1)) return;"]
        for p in per_lane:
            t = bind(p.type, c.env).strip()
            if p.name in c.inputs:
                lines.append(f"{t} {p.name}; memcpy(&{p.name}, inp + {offs[p.name]} + lane * 8, sizeof({t}));")
            else:
                lines.append(f"int {p.name}_v = 0; int *{p.name} = &{p.name}_v;")
        args = []
        for p in c.ov.params:
            if p.role == "config":
                args.append(c.consts[p.name])
            else:
                args.append(p.name)
        lines.append(f"{ret} r = {c.it.name}({', '.join(args)});")
        lines.append("memcpy(outp + lane * 8, &r, sizeof(r));")
        if has_pred:
            lines.append(f"memcpy(outp + {ws * 8} + lane * 4, pred, 4);")
    else:
        for p in per_lane:
            t = bind(p.type, c.env).strip()
            if p.name in c.inputs:
                lines.append(f"{t} {p.name}[{ws}];")
                lines.append(f"for (int l = 0; l < {ws}; ++l) memcpy(&{p.name}[l], inp + {offs[p.name]} + l * 8, "
                             f"sizeof({t}));")
            else:
                lines.append(f"int {p.name}[{ws}];")
        lines += [f"int active[{ws}], undefined[{ws}];", f"{ret} result[{ws}];",
                  f"for (int l = 0; l < {ws}; ++l) {{ active[l] = (0x{c.active:x}ull >> l) & 1; undefined[l] = 0; }}"]
        args = [S._value(c.consts[p.name]) if p.role == "config" else ir.Name(p.name) for p in c.ov.params]
        exp = S.semantics_ir(c.it, c.ov, args, dialect=dialect, bindings=c.env,
                             lanes={"active": ir.Name("active"), "result": ir.Name("result"),
                                    "undefined": ir.Name("undefined")})
        lines += [_c(s) for s in exp.stmts]
        lines += [f"for (int l = 0; l < {ws}; ++l) {{", "    if (!active[l]) continue;",
                  "    memcpy(outp + l * 8, &result[l], sizeof(result[l]));",
                  f"    outp[{ws * 12} + l] = (unsigned char)undefined[l];"]
        if has_pred:
            lines.append(f"    memcpy(outp + {ws * 8} + l * 4, &pred[l], 4);")
        lines.append("}")
    body = "\n".join("    " + ln for b in lines for ln in b.split("\n"))
    return f"__device__ void case_{k}(const unsigned char *inp, unsigned char *outp) {{\n{body}\n}}"


def _check_lanes(dialect: str) -> tuple[int, int]:
    ws = S.warp_size(dialect)
    cases = _lane_cases(dialect)
    inp, in_offs = _pack([b"".join(c.inputs.values()) or bytes(8) for c in cases])
    out_size = ws * 13 + (-(ws * 13)) % 64
    out_offs = [k * out_size for k in range(len(cases))]
    call = _program(dialect, [_lane_fn(c, k, dialect, False) for k, c in enumerate(cases)], in_offs, out_offs, False)
    ref = _program(dialect, [_lane_fn(c, k, dialect, True) for k, c in enumerate(cases)], in_offs, out_offs, True)
    a, fa = _run(call, dialect, "lanes_call", inp, out_size * len(cases), ws)
    b, fb = _run(ref, dialect, "lanes_ref", inp, out_size * len(cases), 1)
    assert not fb, fb[:5]
    bad, compared = [], 0
    for c, o in zip(cases, out_offs):
        rsize = len(gpu_value_bytes(bind(c.ov.ret, c.env).strip(), random.Random(0), 1))
        has_pred = any(p.type.strip().endswith("*") for p in c.ov.params)
        for lane in range(ws):
            if not (c.active >> lane) & 1 or b[o + ws * 12 + lane]:
                continue  # inactive, or a result the semantics mark undefined
            compared += 1
            x, y = a[o + lane * 8: o + lane * 8 + rsize], b[o + lane * 8: o + lane * 8 + rsize]
            px = a[o + ws * 8 + lane * 4: o + ws * 8 + lane * 4 + 4] if has_pred else []
            py = b[o + ws * 8 + lane * 4: o + ws * 8 + lane * 4 + 4] if has_pred else []
            if not np.array_equal(x, y) or not np.array_equal(px, py):
                bad.append(f"{c.label} lane {lane}: runtime {x.tolist()} {list(px)} semantics {y.tolist()} {list(py)}")
    assert not bad, f"{len(bad)} lanes differ:\n" + "\n".join(bad[:30])
    assert not [f for f in fa if f.kind != "bad-argument"], fa[:5]
    return len(cases), compared


def test_cuda_lane_semantics_equal_the_runtime():
    n, lanes = _check_lanes("cuda")
    instances = sum(1 for *_, k in S.with_semantics("cuda") if k == "lanes")
    assert instances >= 120 and n >= 2 * instances and lanes > 20 * n


def test_hip_lane_semantics_equal_the_runtime():
    n, lanes = _check_lanes("hip")
    instances = sum(1 for *_, k in S.with_semantics("hip") if k == "lanes")
    assert instances >= 100 and n >= 2 * instances and lanes > 40 * n


# ---------------------------------------------------------------------------------------- WMMA
_BITS = {"__half": 16, "float": 32, "int": 32, "signed char": 8, "unsigned char": 8, "__nv_bfloat16": 16,
         "double": 64, "tf32": 32, "u4": 4, "s4": 4, "b1": 1}


def _mem_values(dt: str, nbytes: int, rng: random.Random) -> bytes:
    """Matrix memory of element type dt: random values with edge cases (infinities, NaN, extremes)."""
    if dt in ("u4", "s4", "b1", "signed char", "unsigned char"):
        return bytes(rng.choice((0, 0x7F, 0x80, 0xFF, rng.randrange(256))) for _ in range(nbytes))
    if dt == "int":
        return b"".join(struct.pack("<i", rng.choice((0, -1, 2 ** 31 - 1, -2 ** 31, 2 ** 31 - 200,
                                                       rng.randint(-2 ** 31, 2 ** 31 - 1))))
                        for _ in range(nbytes // 4))
    special = {"__half": (65504.0, -65504.0, float("inf"), float("nan"), 0.0, -0.0),
               "__nv_bfloat16": (3e38, float("-inf"), float("nan"), -0.0)}.get(dt, (3e38, float("inf"), -0.0))
    vals = [rng.choice(special) if rng.random() < 0.03 else rng.uniform(-4, 4) for _ in range(nbytes * 8 // _BITS[dt])]
    if dt == "__half":
        return np.array(vals, np.float16).tobytes()
    if dt == "__nv_bfloat16":
        return (np.array(vals, np.float32).view(np.uint32) >> 16).astype(np.uint16).tobytes()
    if dt == "double":
        return np.array(vals, np.float64).tobytes()
    return np.array(vals, np.float32).tobytes()


def _ldm(f, col: bool) -> int:
    """A valid leading dimension with padding: a multiple of 16 bytes, past the tile's extent."""
    align = 128 // _BITS[f.dtype]
    need = f.rows if col else f.cols
    return (need + align - 1) // align * align + align


def _mem_bytes(f, ldm: int) -> int:
    return (max(f.rows, f.cols) * ldm * _BITS[f.dtype] + 7) // 8


def _frag_value(f, x: np.ndarray, i: int) -> int | bytes:
    """Element i of a lane's fragment storage x (bytes): the value, decoding packed sub-byte words
    (mma.h: element i at bits i * bits of word i / (32 / bits), s4 sign-extended)."""
    if f.dtype in ("u4", "s4", "b1"):
        bits = _BITS[f.dtype]
        per = 32 // bits
        word = int(x[4 * (i // per): 4 * (i // per) + 4].view(np.uint32)[0])
        v = (word >> (bits * (i % per))) & ((1 << bits) - 1)
        return ((v ^ 8) - 8) if f.dtype == "s4" else v
    n = _BITS[f.dtype] // 8
    return bytes(x[i * n:(i + 1) * n])


def _tile_value(f, m: np.ndarray, r: int, c: int) -> int | bytes:
    if f.dtype in ("u4", "s4", "b1"):
        return int(m[4 * (r * f.cols + c): 4 * (r * f.cols + c) + 4].view(np.int32)[0])
    n = _BITS[f.dtype] // 8
    k = r * f.cols + c
    return bytes(m[k * n:(k + 1) * n])


@dataclass
class TileCase:
    kind: str  # load, fill, store, mma
    frags: dict  # role -> (WmmaFragment, layout)
    inp: bytes
    call: list[str]
    ref: list[str]
    compare: str  # "lanes" (runtime x[] vs ref matrix through the lane map) or "memory"
    out_bytes: int
    label: str


def _expand(name: str, args: list, dialect: str = "cuda", **kw) -> list[str]:
    exp = S.semantics_ir(name, None, args, dialect=dialect, **kw)
    return [_c(s) for s in exp.stmts]


def _frag_type(f, layout) -> str:
    return CU._frag_t(f, layout)


def _ptr(f) -> str:
    return CU._WPTR.get(f.dtype, f.dtype)


def _wmma_cases() -> list[TileCase]:
    rng = random.Random(SEED)
    cases = []
    N = ir.Name
    for key, f in CU.WMMA_SHAPES.items():
        te = CU.tile_elem(f.dtype)
        layouts = f.layouts or (None,)
        for lay in layouts:
            ft = _frag_type(f, lay)
            ftype = S.ctype(ft)
            for memlay in ((lay == "col_major",) if lay else (False, True)):
                ldm = _ldm(f, memlay)
                nbytes = _mem_bytes(f, ldm)
                e = _ptr(f)
                lay_arg = [] if lay else ["nvcuda::wmma::mem_col_major" if memlay else "nvcuda::wmma::mem_row_major"]
                call = [f"{ft} fr;", f"nvcuda::wmma::load_matrix_sync(fr, (const {e} *)inp, {ldm}{''.join(', ' + a for a in lay_arg)});",
                        "const int lane = threadIdx.x;",
                        f"memcpy(outp + lane * sizeof(fr.x), fr.x, sizeof(fr.x));"]
                ref = [f"{te} m[{f.rows * f.cols}];"] + _expand(
                    "nvcuda::wmma::load_matrix_sync", [N("m"), ir.OpaqueExpr(f"(const {e} *)inp"), ir.IntLit(ldm)]
                    + [N(a) for a in lay_arg], arg_types=[ftype, None, None] + [None] * len(lay_arg)) + [
                    "memcpy(outp, m, sizeof(m));"]
                cases.append(TileCase("load", {"a": (f, lay)}, _mem_values(f.dtype, nbytes, rng), call, ref, "lanes",
                                      max(32 * f.num_storage_elements * 8, f.rows * f.cols * 8),
                                      f"load {ft} {'col' if memlay else 'row'}"))
            # fill
            val = CU._WSTORE.get(f.dtype, f.dtype)
            vbytes = scalar_bytes({"__half": "half"}.get(val, val), rng, rng.randrange(2))
            call = [f"{ft} fr;", f"{val} v; memcpy(&v, inp, sizeof(v));", "nvcuda::wmma::fill_fragment(fr, v);",
                    "const int lane = threadIdx.x;", "memcpy(outp + lane * sizeof(fr.x), fr.x, sizeof(fr.x));"]
            ref = [f"{val} v; memcpy(&v, inp, sizeof(v));", f"{te} m[{f.rows * f.cols}];"] + _expand(
                "nvcuda::wmma::fill_fragment", [N("m"), N("v")], arg_types=[ftype, S.ctype(val)]) + [
                "memcpy(outp, m, sizeof(m));"]
            cases.append(TileCase("fill", {"a": (f, lay)}, vbytes, call, ref, "lanes",
                                  max(32 * f.num_storage_elements * 8, f.rows * f.cols * 8), f"fill {ft}"))
        if f.kind == "accumulator":  # store: load row-major, store in both layouts
            for col in (False, True):
                ldm_in, ldm_out = _ldm(f, False), _ldm(f, col)
                e = f.dtype
                lay = "nvcuda::wmma::mem_col_major" if col else "nvcuda::wmma::mem_row_major"
                ft = _frag_type(f, None)
                call = [f"{ft} fr;", f"nvcuda::wmma::load_matrix_sync(fr, (const {e} *)inp, {ldm_in}, "
                        "nvcuda::wmma::mem_row_major);", f"nvcuda::wmma::store_matrix_sync(({e} *)outp, fr, {ldm_out}, {lay});"]
                ref = [f"{te} m[{f.rows * f.cols}];"] + _expand(
                    "nvcuda::wmma::load_matrix_sync", [N("m"), ir.OpaqueExpr(f"(const {e} *)inp"), ir.IntLit(ldm_in),
                                                       N("nvcuda::wmma::mem_row_major")],
                    arg_types=[S.ctype(ft), None, None, None]) + _expand(
                    "nvcuda::wmma::store_matrix_sync", [ir.OpaqueExpr(f"({e} *)outp"), N("m"), ir.IntLit(ldm_out), N(lay)],
                    arg_types=[S.ctype(e + " *"), S.ctype(ft), None, None])
                cases.append(TileCase("store", {"c": (f, None)}, _mem_values(e, _mem_bytes(f, ldm_in), rng), call,
                                      ref, "memory", _mem_bytes(f, ldm_out), f"store {ft} {'col' if col else 'row'}"))
    # mma_sync / bmma_sync: every instance, through memory
    for name in ("mma_sync", "bmma_sync"):
        it = get("cuda").intrinsic(name)
        for ov in it.overloads:
            satf_param = any(p.name == "satf" for p in ov.params)
            for j, env in enumerate(ov.instances):
                fr = {r: CU.fragment_of(env[r]) for r in ("FA", "FB", "FC", "FD")}
                fa, la = fr["FA"]
                fb, lb = fr["FB"]
                fc, _ = fr["FC"]
                fd, _ = fr["FD"]
                blobs, offs, pos = [], {}, 0
                ldms = {"A": _ldm(fa, la == "col_major"), "B": _ldm(fb, lb == "col_major"), "C": _ldm(fc, False)}
                for r, ff in (("A", fa), ("B", fb), ("C", fc)):
                    nb = _mem_bytes(ff, ldms[r])
                    nb += (-nb) % 64
                    offs[r] = pos
                    blobs.append(_mem_values(ff.dtype, nb, rng).ljust(nb, b"\0"))
                    pos += nb
                satf = satf_param and j % 2 == 1
                extra = ", true" if satf else ""
                if name == "bmma_sync":
                    extra = ", nvcuda::wmma::experimental::bmmaBitOpAND" if j % 2 else ""
                ldd = _ldm(fd, False)
                call = [f"{env['FA']} a; {env['FB']} b; {env['FC']} c; {env['FD']} d;",
                        f"nvcuda::wmma::load_matrix_sync(a, (const {_ptr(fa)} *)(inp + {offs['A']}), {ldms['A']});",
                        f"nvcuda::wmma::load_matrix_sync(b, (const {_ptr(fb)} *)(inp + {offs['B']}), {ldms['B']});",
                        f"nvcuda::wmma::load_matrix_sync(c, (const {fc.dtype} *)(inp + {offs['C']}), {ldms['C']}, "
                        "nvcuda::wmma::mem_row_major);",
                        f"nvcuda::wmma::{name}(d, a, b, c{extra});",
                        f"nvcuda::wmma::store_matrix_sync(({fd.dtype} *)outp, d, {ldd}, nvcuda::wmma::mem_row_major);"]
                mats = {"A": (fa, env["FA"]), "B": (fb, env["FB"]), "C": (fc, env["FC"]), "D": (fd, env["FD"])}
                ref = [f"{CU.tile_elem(ff.dtype)} m{r}[{ff.rows * ff.cols}];" for r, (ff, _) in mats.items()]
                for r in ("A", "B"):
                    ff, t = mats[r]
                    ref += _expand("nvcuda::wmma::load_matrix_sync", [N("m" + r), ir.OpaqueExpr(
                        f"(const {_ptr(ff)} *)(inp + {offs[r]})"), ir.IntLit(ldms[r])], arg_types=[S.ctype(t), None, None])
                ref += _expand("nvcuda::wmma::load_matrix_sync", [N("mC"), ir.OpaqueExpr(
                    f"(const {fc.dtype} *)(inp + {offs['C']})"), ir.IntLit(ldms["C"]), N("nvcuda::wmma::mem_row_major")],
                    arg_types=[S.ctype(env["FC"]), None, None, None])
                margs = [N("mD"), N("mA"), N("mB"), N("mC")]
                if satf:
                    margs.append(ir.BoolLit(True))
                if name == "bmma_sync" and j % 2:
                    margs.append(N("nvcuda::wmma::experimental::bmmaBitOpAND"))
                ref += _expand("nvcuda::wmma::" + name, margs, arg_types=[S.ctype(env[x]) for x in ("FD", "FA", "FB", "FC")]
                               + [None] * (len(margs) - 4))
                ref += _expand("nvcuda::wmma::store_matrix_sync", [ir.OpaqueExpr(f"({fd.dtype} *)outp"), N("mD"),
                                                                  ir.IntLit(ldd), N("nvcuda::wmma::mem_row_major")],
                               arg_types=[S.ctype(fd.dtype + " *"), S.ctype(env["FD"]), None, None])
                cases.append(TileCase("mma", fr, b"".join(blobs), call, ref, "memory", _mem_bytes(fd, ldd),
                                      f"{name} {env['FA']} x {env['FB']} + {env['FC']} -> {env['FD']}"
                                      + (" satf" if satf else "") + (" AND" if name == "bmma_sync" and j % 2 else "")))
    return cases


def test_wmma_tile_semantics_equal_the_runtime():
    cases = _wmma_cases()
    inp, in_offs = _pack([c.inp for c in cases])
    out_offs, pos = [], 0
    for c in cases:
        out_offs.append(pos)
        pos += c.out_bytes + (-c.out_bytes) % 64
    fns_call = [f"__device__ void case_{k}(const unsigned char *inp, unsigned char *outp) {{\n    // {c.label}\n"
                + "\n".join("    " + ln for b in c.call for ln in b.split("\n")) + "\n}" for k, c in enumerate(cases)]
    fns_ref = [f"__device__ void case_{k}(const unsigned char *inp, unsigned char *outp) {{\n    // {c.label}\n"
               + "\n".join("    " + ln for b in c.ref for ln in b.split("\n")) + "\n}" for k, c in enumerate(cases)]
    a, fa = _run(_program("cuda", fns_call, in_offs, out_offs, False), "cuda", "wmma_call", inp, pos, 32)
    b, fb = _run(_program("cuda", fns_ref, in_offs, out_offs, True), "cuda", "wmma_ref", inp, pos, 1)
    assert not fb, fb[:5]
    bad, counts = [], {}
    for c, o in zip(cases, out_offs):
        counts[c.kind] = counts.get(c.kind, 0) + 1
        if c.compare == "memory":
            x, y = a[o:o + c.out_bytes], b[o:o + c.out_bytes]
            f_out = c.frags.get("c", c.frags.get("FD", (None,)))[0]
            if not same_floats(x, y, f_out.dtype):
                i = int(np.nonzero(x != y)[0][0])
                bad.append(f"{c.label}: first byte {i} differs: runtime {x[i:i + 8].tolist()} semantics {y[i:i + 8].tolist()}")
            continue
        f, lay = c.frags["a"]
        nse = f.num_storage_elements
        sz = len(np.zeros(1, {2: np.uint16, 4: np.uint32, 8: np.uint64, 1: np.uint8}[
            1 if f.dtype in ("signed char", "unsigned char") else 8 if f.dtype == "double" else
            2 if f.dtype in ("__half", "__nv_bfloat16") else 4]).tobytes())
        for lane in range(32):
            x = a[o + lane * nse * sz: o + (lane + 1) * nse * sz]
            for i in range(f.num_elements):
                r, col = CU.wmma_element(f.kind, f.m, f.n, f.k, f.dtype, lay, lane, i)
                got, want = _frag_value(f, x, i), _tile_value(f, b[o:], r, col)
                if got != want:
                    bad.append(f"{c.label} lane {lane} x[{i}] = ({r}, {col}): runtime {got!r} semantics {want!r}")
                    break
    assert not bad, f"{len(bad)} WMMA cases differ:\n" + "\n".join(bad[:30])
    assert not [f for f in fa if f.kind not in ("alignment",)], fa[:5]
    mma = sum(len(ov.instances) for n in ("mma_sync", "bmma_sync") for ov in get("cuda").intrinsic(n).overloads)
    assert counts["mma"] == mma > 90 and counts["load"] >= 80 and counts["fill"] >= 45, counts


# ---------------------------------------------------------------------------------------- MFMA
def _slot_values(kind: str, n: int, rng: random.Random) -> bytes:
    """n slots of MFMA element kind: floats (with a few specials), halves, bf16 bits, int8, FNUZ bytes."""
    if kind in ("f32", "xf32"):
        return np.array([rng.uniform(-8, 8) for _ in range(n)], np.float32).tobytes()
    if kind == "f64":
        return np.array([rng.uniform(-8, 8) for _ in range(n)], np.float64).tobytes()
    if kind == "f16":
        return np.array([rng.uniform(-8, 8) for _ in range(n)], np.float16).tobytes()
    if kind == "bf16":
        return (np.array([rng.uniform(-8, 8) for _ in range(n)], np.float32).view(np.uint32) >> 16).astype(
            np.uint16).tobytes()
    if kind == "i8":
        return bytes(rng.choice((0x80, 0x7F, 0xFF, rng.randrange(256))) for _ in range(n))
    return bytes(rng.choice((0x80, 0x00, rng.randrange(256), rng.randrange(256))) for _ in range(n))  # fp8 / bf8


def _mfma_configs(f) -> list[tuple[int, int, int]]:
    """(cbsz, abid, blgp) variants: BLGP patterns, and A broadcasts for multi-block builtins."""
    if f.fp64:
        return [(0, 0, 0)]
    top = f.blocks.bit_length() - 1
    if not FULL:
        return [(0, 0, 0), (top, f.blocks - 1, 5) if f.blocks > 1 else (0, 0, 3)]
    out = [(0, 0, 0)] + [(0, 0, g) for g in range(1, 8)]
    if f.blocks > 1:
        out += [(1, 1, 1), (top, f.blocks - 1, 0), (top, 0, 6)]
    return out


def test_mfma_tile_semantics_equal_the_runtime():
    rng = random.Random(SEED)
    ws = S.warp_size("hip")
    fns_call, fns_ref, chunks, labels, out_sizes, cds = [], [], [], [], [], {}
    for f in HI.MFMA.values():
        sa, sb, cd = HI.mfma_slot_types(f)
        ka, kb = f.in_kind.split("_") if "_" in f.in_kind else (f.in_kind, f.in_kind)
        csize = {"float": 4, "int": 4, "double": 8}[cd]
        na = ws * f.e * (len(_slot_values(ka, 1, rng)))
        nc = ws * f.registers * csize
        for cbsz, abid, blgp in _mfma_configs(f):
            k = len(fns_call)
            c_vals = np.array([rng.uniform(-50, 50) for _ in range(ws * f.registers)],
                              {"float": np.float32, "double": np.float64, "int": np.float64}[cd])
            cbytes = (c_vals.astype(np.int64).astype(np.int32).tobytes() if cd == "int" else c_vals.tobytes())
            chunks.append(_slot_values(ka, ws * f.e, rng) + _slot_values(kb, ws * f.e, rng) + cbytes)
            assert len(chunks[-1]) == 2 * na + nc
            args = f"a, b, c, {cbsz}, {abid}, {blgp}"
            fns_call.append(
                f"__device__ void case_{k}(const unsigned char *inp, unsigned char *outp) {{\n"
                f"    // {f.name} cbsz={cbsz} abid={abid} blgp={blgp}\n    const int lane = threadIdx.x;\n"
                f"    {f.ab_type} a, b; {f.cd_type} c;\n"
                f"    memcpy(&a, inp + lane * sizeof(a), sizeof(a)); memcpy(&b, inp + {na} + lane * sizeof(b), sizeof(b));\n"
                f"    memcpy(&c, inp + {2 * na} + lane * sizeof(c), sizeof(c));\n"
                f"    {f.cd_type} d = {f.name}({args});\n    memcpy(outp + lane * sizeof(d), &d, sizeof(d));\n}}")
            exp = S.semantics_ir(f.name, None, [ir.Name("a"), ir.Name("b"), ir.Name("c"), ir.IntLit(cbsz),
                                                ir.IntLit(abid), ir.IntLit(blgp)], dialect="hip",
                                 lanes={"result": ir.Name("d")})
            body = [f"{sa} a[{ws * f.e}]; {sb} b[{ws * f.e}]; {cd} c[{ws * f.registers}], d[{ws * f.registers}];",
                    f"memcpy(a, inp, sizeof(a)); memcpy(b, inp + {na}, sizeof(b)); memcpy(c, inp + {2 * na}, sizeof(c));"]
            body += [_c(s) for s in exp.stmts] + ["memcpy(outp, d, sizeof(d));"]
            fns_ref.append(f"__device__ void case_{k}(const unsigned char *inp, unsigned char *outp) {{\n"
                           + "\n".join("    " + ln for b in body for ln in b.split("\n")) + "\n}")
            labels.append(f"{f.name} cbsz={cbsz} abid={abid} blgp={blgp}")
            cds[labels[-1]] = cd
            out_sizes.append(nc)
    inp, in_offs = _pack(chunks)
    out_offs, pos = [], 0
    for n in out_sizes:
        out_offs.append(pos)
        pos += n + (-n) % 64
    a, fa = _run(_program("hip", fns_call, in_offs, out_offs, False), "hip", "mfma_call", inp, pos, ws)
    b, fb = _run(_program("hip", fns_ref, in_offs, out_offs, True), "hip", "mfma_ref", inp, pos, 1)
    assert not fb, fb[:5]
    bad = []
    for lab, o, n in zip(labels, out_offs, out_sizes):
        x, y = a[o:o + n], b[o:o + n]
        if not same_floats(x, y, cds[lab]):
            i = int(np.nonzero(x != y)[0][0])
            bad.append(f"{lab}: byte {i}: runtime {x[i:i + 8].tolist()} semantics {y[i:i + 8].tolist()}")
    assert not bad, f"{len(bad)} MFMA cases differ:\n" + "\n".join(bad[:30])
    assert not [f for f in fa if "not available" not in f.message], fa[:5]  # gfx942-only builtins on gfx90a
    assert len(labels) >= 2 * len(HI.MFMA) - sum(f.fp64 for f in HI.MFMA.values()) > 70
