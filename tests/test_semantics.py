"""Intrinsic semantics as IR (dialects/semantics.py): the API, and a generated test that holds
the loops ``semantics_ir`` makes equal to the runtime's emulation of the same call.

For every overload instance with a ``semantics`` snippet in the BANG, VNNI, libm, CUDA and HIP
tables (the warp collectives are in tests/test_semantics_gpu.py), one case calls the intrinsic
on seeded random and edge-case inputs in a kernel of its own dialect; the reference kernel has
the case's call replaced by the expansion, printed as plain C (``print_node(stmt, "c")``). Both
run through the emulation runtime on the same bytes:

* libm: the reference is a C file; both call the host <cmath> (the snippets are identity
  calls), so results are compared bit for bit: this holds the overload selection (C++'s
  integral and mixed overloads) and the substitution;
* VNNI: the reference is a C file with the table's vector typedefs and helpers; the call runs
  natively on an AVX-512 VNNI CPU (else the generated emulation). Bit for bit, except where
  the table marks hardware as approximate (``APPROXIMATE``: relative error bound) or the
  result as unspecified (``UNDEFINED_RESULT``: not compared);
* BANG: both in BANG kernels (the types half / bfloat16_t exist there) on NRAM/WRAM buffers,
  bit for bit; CUDA and HIP per-thread intrinsics likewise in kernels of their dialect (NaN
  results: any NaN equals any NaN).

By default the snippet-generated intrinsics are sampled (see ``sample``); XPILER_SEMANTICS_FULL=1
runs every instance.

All kernels of a dialect are batched into one file with one small function per case, so each
dialect compiles a couple of translation units (cached by content).
"""
from __future__ import annotations

import os
import random
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

import xpiler.runtime
from xpiler import ir
from xpiler.dialects import get, semantics as S
from xpiler.dialects.base import bind
from xpiler.printer import print_node
from xpiler.runtime.run import execute

# ---------------------------------------------------------------------------------------- API


def _types(*spellings):
    return [S.ctype(s) for s in spellings]


def test_select_overload_takes_the_type_from_the_pointee():
    it = get("bang").intrinsic("__bang_add")
    ov, env = S.select_overload(it, _types("half *", "half *", "half *", "unsigned int"))
    assert env["T"] == "half"
    ov, env = S.select_overload(it, _types("float *", "const float *", "float *", "int"))
    assert env["T"] == "float"  # a const pointee and a converting count still match


def test_select_overload_scalar_literals_convert():
    it = get("c").intrinsic("pow")
    ov, env = S.select_overload(it, [ir.Named("float"), S.literal_type(ir.IntLit(2))])
    assert (env, ov.ret) == ({"A": "float", "B": "int"}, "double")  # C++ <cmath>: mixed -> double
    ov, env = S.select_overload(it, _types("float", "float"))
    assert ov.ret == "float"


def test_no_matching_overload_names_the_intrinsic_and_types():
    it = get("bang").intrinsic("__bang_add")
    with pytest.raises(S.NoMatchingOverload, match=r"__bang_add.*\(double \*, double \*, double \*, int\)"):
        S.select_overload(it, _types("double *", "double *", "double *", "int"))


def test_expansion_renames_locals_and_binds_costly_arguments_once():
    dst, a = ir.Name("i"), ir.Binary("+", ir.Name("p"), ir.IntLit(64))  # the caller has an `i`
    exp = S.semantics_ir("__bang_add", None, [dst, a, ir.Name("q"), ir.IntLit(128)], dialect="bang",
                         arg_types=_types("float *", "float *", "float *", "int"), prefix="xq_")
    text = "\n".join(print_node(s, "c") for s in exp.stmts)
    assert "xq_i" in text and not re.search(r"\bi\b(?!\[)", text.replace("i[", ""))
    assert text.count("p + 64") == 1 and "const float *xq_src0 = p + 64;" in text
    assert exp.result is None and exp.bindings == {"T": "float"}


def test_value_returning_intrinsic_gives_its_result_expression():
    exp = S.semantics_ir("exp", None, [ir.Name("n")], dialect="c", arg_types=[ir.Named("int")], prefix="xr_")
    assert [print_node(s, "c") for s in exp.stmts] == ["double xr_ret = exp((double)n);"]
    assert print_node(exp.result) == "xr_ret"
    v = S.semantics_ir("_mm512_dpbusd_epi32", None, [ir.Name("acc"), ir.Name("a"), ir.Name("b")],
                       dialect="vnni", arg_types=_types("__m512i", "__m512i", "__m512i"), prefix="xs_")
    assert print_node(v.result) == "xs_r"  # the snippet's own result vector, no copy
    assert "xp_ma_uint8_t" in "\n".join(print_node(s, "c") for s in v.stmts)
    assert "typedef uint8_t __attribute__((__may_alias__)) xp_ma_uint8_t;" in v.support


def test_an_argument_the_snippet_writes_is_copied():
    # the caller's variable must not change: a value parameter the snippet assigns to is a copy
    it = get("vnni").intrinsic("_mm512_dpbusd_epi32")
    parsed = S._snippet("vnni", it, it.overloads[0], 0, "semantics")
    assert "src" not in parsed.written
    assert S._written(ir.Block([ir.ExprStmt(ir.Assign("=", ir.Index(ir.Cast(ir.Pointer(ir.Named("int")), ir.Unary(
        "&", ir.Name("v"))), ir.IntLit(0)), ir.IntLit(1)))])) == {"v"}


def test_unknown_argument_types_that_leave_a_choice_are_refused():
    with pytest.raises(S.AmbiguousOverload, match=r"__bang_add \(\?, \?, \?, int\)"):
        S.semantics_ir("__bang_add", None, [ir.Name("d"), ir.Name("a"), ir.Name("b"), ir.IntLit(64)], dialect="bang")


def test_lane_expansion_defaults_and_warp_sizes():
    for dialect, ws, mask in (("cuda", 32, ir.IntLit(0xFFFFFFFF, "0xFFFFFFFFu")),
                              ("hip", 64, ir.IntLit(2 ** 64 - 1, "0xFFFFFFFFFFFFFFFFull"))):
        exp = S.semantics_ir("__ballot_sync", None, [mask, ir.Name("p")], dialect=dialect,
                             arg_types=[None, ir.Named("int")], prefix="xv_")
        assert exp.kind == "lanes" and set(exp.lanes) == {"active", "result", "undefined"}
        text = "\n".join(print_node(s, "c") for s in exp.stmts)
        assert f"int xv_active[{ws}];" in text and f"xv_result[{ws}]" in text and "p[xv_l]" in text
        assert print_node(exp.result) == "xv_result"


def test_tile_expansions_fold_enumerators_and_need_constant_modifiers():
    frag = S.ctype("wmma::fragment<wmma::accumulator, 16, 16, 16, float>")
    exp = S.semantics_ir("wmma::store_matrix_sync", None, [ir.Name("p"), ir.Name("m"), ir.IntLit(16),
                                                          ir.Name("wmma::mem_col_major")], dialect="cuda",
                         arg_types=[S.ctype("float *"), frag, None, None])
    text = "\n".join(print_node(s, "c") for s in exp.stmts)
    assert "[1 == 1 ? " in text and "wmma::" not in text and exp.kind == "tile"
    with pytest.raises(S.SemanticsError, match="blgp must be an integer constant"):
        S.semantics_ir("__builtin_amdgcn_mfma_f32_16x16x4f32", None, [ir.Name("a"), ir.Name("b"), ir.Name("c"),
                                                                      ir.IntLit(0), ir.IntLit(0), ir.Name("g")],
                       dialect="hip")


# ---------------------------------------------------------------------------------------- values
RNG_SEED = 15
# XPILER_SEMANTICS_FULL=1 runs every overload instance; by default the generated (snippet-emulated)
# intrinsics are sampled to keep the file fast: every BANG and libm overload once, a seeded sample
# of the VNNI intrinsics (each is its own overload; on an AVX-512 VNNI CPU the runtime is the
# hardware itself).
FULL = os.environ.get("XPILER_SEMANTICS_FULL") == "1"
VNNI_SAMPLE = 250


def sample(items: list, *, per_overload: bool = False, n: int | None = None) -> list:
    """The (intrinsic, overload, instance, kind) items a run covers: all with FULL; else one
    instance per overload (``per_overload``) or a seeded sample of ``n``."""
    if FULL:
        return items
    if per_overload:
        seen, out = set(), []
        for x in items:
            if id(x[1]) not in seen:
                seen.add(id(x[1]))
                out.append(x)
        return out
    rng = random.Random(RNG_SEED)
    return sorted(rng.sample(items, min(n, len(items))), key=items.index) if n is not None else items


def _edge_floats(kind: str) -> list[float]:
    big = 3.4028234663852886e38 if kind == "f" else 1.7976931348623157e308
    tiny = 1e-40 if kind == "f" else 5e-324
    return [0.0, -0.0, 1.0, -1.0, 0.5, 2.5, -2.5, float("inf"), float("-inf"), float("nan"), big, -big, tiny, -tiny,
            127.0, -128.0, 1e6, -3.75]


_INT_INFO = {  # spelling -> (struct code, bytes, signed)
    "char": ("b", 1, True), "signed char": ("b", 1, True), "int8_t": ("b", 1, True), "unsigned char": ("B", 1, False),
    "uint8_t": ("B", 1, False), "short": ("h", 2, True), "int16_t": ("h", 2, True), "unsigned short": ("H", 2, False),
    "uint16_t": ("H", 2, False), "int": ("i", 4, True), "int32_t": ("i", 4, True), "unsigned int": ("I", 4, False),
    "unsigned": ("I", 4, False), "uint32_t": ("I", 4, False), "long": ("q", 8, True), "long long": ("q", 8, True),
    "int64_t": ("q", 8, True), "unsigned long": ("Q", 8, False), "unsigned long long": ("Q", 8, False),
    "uint64_t": ("Q", 8, False), "size_t": ("Q", 8, False), "bool": ("B", 1, False), "_Bool": ("B", 1, False),
    "__mmask8": ("B", 1, False), "__mmask16": ("H", 2, False), "__mmask32": ("I", 4, False),
    "__mmask64": ("Q", 8, False),
}
_VEC_BYTES = {"__m128": 16, "__m128d": 16, "__m128i": 16, "__m256": 32, "__m256d": 32, "__m256i": 32, "__m512": 64,
              "__m512d": 64, "__m512i": 64, "__m128i_u": 16, "__m256i_u": 32, "__m512i_u": 64}


def scalar_bytes(t: str, rng: random.Random, k: int) -> bytes:
    """Value k (0: edge cases cycle, others random) of scalar type t, as little-endian bytes."""
    t = re.sub(r"\b(const|volatile)\b", "", t).strip()
    t = re.sub(r"\s+", " ", t)
    if t in ("float", "double"):
        code = "f" if t == "float" else "d"
        edges = _edge_floats(code)
        v = edges[(k * 7 + rng.randrange(len(edges))) % len(edges)] if k % 2 == 0 else rng.uniform(-100, 100)
        return struct.pack("<" + code, v)
    if t in ("half", "__half", "_Float16", "bfloat16_t", "__nv_bfloat16"):
        if k % 2 == 0:
            pats = [0x0000, 0x8000, 0x3C00, 0xBC00, 0x7C00, 0xFC00, 0x7E00, 0x0001, 0x7BFF, 0xFBFF, 0x3555]
            if "bf" in t:
                pats = [0x0000, 0x8000, 0x3F80, 0xBF80, 0x7F80, 0xFF80, 0x7FC0, 0x0001, 0x7F7F, 0xC2FE, 0x4049]
            return struct.pack("<H", pats[rng.randrange(len(pats))])
        v = np.float32(rng.uniform(-60, 60))
        if "bf" in t:
            return struct.pack("<H", int(np.float32(v).view(np.uint32)) >> 16)
        return np.float16(v).tobytes()
    if t in _INT_INFO:
        code, n, signed = _INT_INFO[t]
        lo, hi = (-(1 << (8 * n - 1)), (1 << (8 * n - 1)) - 1) if signed else (0, (1 << (8 * n)) - 1)
        edges = [0, 1, lo, hi, lo + 1, hi - 1] + ([-1, -2] if signed else [hi // 2, 2])
        v = edges[rng.randrange(len(edges))] if k % 2 == 0 else rng.randint(lo, hi)
        if t in ("bool", "_Bool"):
            v = v & 1
        return struct.pack("<" + code, v)
    raise KeyError(t)


def vector_bytes(n: int, rng: random.Random, k: int, lane: str = "") -> bytes:
    """n bytes of a vector: k cycles through random floats, raw random bytes, int8 extremes and
    float edge values."""
    mode = k % 4
    if mode == 0 and lane == "pd":
        return np.array([rng.uniform(-100, 100) for _ in range(n // 8)], np.float64).tobytes()
    if mode == 0:
        return np.array([rng.uniform(-100, 100) for _ in range(n // 4)], np.float32).tobytes()
    if mode == 1:
        return bytes(rng.randrange(256) for _ in range(n))
    if mode == 2:
        return bytes(rng.choice((0x80, 0x7F, 0x00, 0xFF, 0x01, 0xFE)) for _ in range(n))
    edges = _edge_floats("d" if lane == "pd" else "f")
    code = "d" if lane == "pd" else "f"
    w = 8 if lane == "pd" else 4
    return b"".join(struct.pack("<" + code, edges[rng.randrange(len(edges))]) for _ in range(n // w))


# ---------------------------------------------------------------------------------------- cases
@dataclass
class Case:
    """One call site: the intrinsic instance, its argument locals and what goes back out."""

    it: object
    ov: object
    env: dict
    args: list[str]  # argument expressions (locals, literals)
    arg_types: list[str]  # their C types (for overload selection and substitution)
    setup: list[str]  # C statements declaring the argument locals from `inp` (offsets via `base`)
    after: list[str]  # C statements writing results to `outp` (offsets via `obase`)
    ret: str  # result type ("void": none); the result goes to outp at obase
    in_bytes: int  # input bytes per value set
    out_bytes: int  # output bytes per value set
    inputs: list[bytes] = field(default_factory=list)  # per value set
    label: str = ""


def call_text(c: Case) -> str:
    return f"{c.it.qualified or c.it.name}({', '.join(c.args)})"


def ref_text(c: Case, dialect: str) -> tuple[str, str]:
    """(statements, result expression) of the case's expansion printed as plain C."""
    exp = S.semantics_ir(c.it, c.ov, [_arg_ir(a) for a in c.args], dialect=dialect,
                         arg_types=[S.ctype(t) for t in c.arg_types], bindings=c.env)
    stmts = "\n".join(print_node(s, "c", "c++") for s in exp.stmts)
    return stmts, (print_node(exp.result, "c", "c++") if exp.result is not None else "")


def _arg_ir(text: str) -> ir.Expr:
    if re.fullmatch(r"[A-Za-z_]\w*", text):
        return ir.Name(text)
    if re.fullmatch(r"-?(0x[0-9a-fA-F]+|\d+)[uUlL]*", text):
        return S._value(text)
    return ir.OpaqueExpr(text)


def case_functions(cases: list[Case], dialect: str, *, ref: bool, qual: str = "static") -> tuple[str, list[str]]:
    """One function per case (``{qual} void case_k(const unsigned char *inp, unsigned char *outp)``)
    running its value sets; returns (text, names)."""
    out, names = [], []
    for k, c in enumerate(cases):
        name = f"case_{k}"
        names.append(name)
        body = [f"// {c.label or c.it.name}"] + c.setup
        if ref:
            stmts, res = ref_text(c, dialect)
            body.append(stmts)
            value = res
        else:
            value = call_text(c)
        if c.ret != "void":
            rt = re.sub(r"\bconst\b", "", c.ret).strip()
            body.append(f"{rt} res = {value};")
            body.append("memcpy(outp + obase, &res, sizeof(res));")
        elif not ref:
            body.append(value + ";")
        body += c.after
        inner = "\n".join("        " + ln for b in body for ln in b.split("\n"))
        out.append(f"{qual} void {name}(const unsigned char *inp, unsigned char *outp) {{\n"
                   f"    for (int t = 0; t < {len(c.inputs)}; ++t) {{\n"
                   f"        const unsigned long base = {c.in_bytes}ul * t, obase = {c.out_bytes}ul * t;\n"
                   f"{inner}\n    }}\n}}")
    return "\n\n".join(out), names


def layout(cases: list[Case]) -> tuple[np.ndarray, list[tuple[int, int]], int]:
    """The input buffer (every case's value sets, 64-byte aligned) and each case's (input, output)
    offsets; returns (inp, offsets, out size)."""
    chunks, offs, ipos, opos = [], [], 0, 0
    for c in cases:
        blob = b"".join(c.inputs)
        assert len(blob) == c.in_bytes * len(c.inputs)
        pad = (-len(blob)) % 64
        chunks.append(blob + bytes(pad))
        offs.append((ipos, opos))
        ipos += len(blob) + pad
        opos += c.out_bytes * len(c.inputs) + (-(c.out_bytes * len(c.inputs))) % 64
    return np.frombuffer(b"".join(chunks) or bytes(64), np.uint8).copy(), offs, max(opos, 64)


def driver(names: list[str], offs: list[tuple[int, int]], head: str, tail: str = "") -> str:
    calls = "\n".join(f"    {n}(inp + {i}, outp + {o});" for n, (i, o) in zip(names, offs))
    return f"{head} {{\n{calls}\n{tail}}}\n"


def compare(cases: list[Case], offs, got_call: np.ndarray, got_ref: np.ndarray, *, tolerance=None,
            skip=frozenset()) -> list[str]:
    """Byte-exact comparison per case and value set (``tolerance(case) -> (dtype, rel)`` relaxes
    it); returns the mismatches, described."""
    bad = []
    for c, (_, o) in zip(cases, offs):
        if c.it.name in skip:
            continue
        for t in range(len(c.inputs)):
            a = got_call[o + t * c.out_bytes: o + (t + 1) * c.out_bytes]
            b = got_ref[o + t * c.out_bytes: o + (t + 1) * c.out_bytes]
            if np.array_equal(a, b):
                continue
            tol = tolerance(c) if tolerance else None
            if tol is not None:
                dt, rel = tol
                x, y = a.view(dt).astype(np.float64), b.view(dt).astype(np.float64)
                with np.errstate(invalid="ignore"):
                    ok = (x == y) | (np.isnan(x) & np.isnan(y)) | (np.abs(x - y) <= rel * np.abs(y))
                if ok.all():
                    continue
            bad.append(f"{c.label or c.it.name} {c.env or ''} value set {t}: call {a[:16].tolist()} ref {b[:16].tolist()}")
    return bad


def run_pair(dialect: str, suffix: str, call_src: str, ref_src: str, ref_dialect: str, ref_suffix: str,
             inp: np.ndarray, nout: int, launch=None, checks=True, extra=None):
    outs = []
    for src, d, sfx in ((call_src, dialect, suffix), (ref_src, ref_dialect, ref_suffix)):
        args = {"inp": inp.copy(), "outp": np.zeros(nout, np.uint8), **{k: v.copy() for k, v in (extra or {}).items()}}
        ex = execute(src, path=f"semantics_{d}_{'ref' if src is ref_src else 'call'}{sfx}", dialect=d,
                     kernel="run_all", args=args, launch=launch, checks=checks, timeout=300)
        assert ex.ok, (ex.status, ex.message, src[:0])
        outs.append((ex.outputs["outp"], ex.findings))
    return outs


# ---------------------------------------------------------------------------------------- libm
# The emulation runtime includes <cmath> but not the C++ <math.h> / <stdlib.h> wrappers, so in a
# C++ kernel file an unqualified call finds only the C function: cbrt(float) computes in double,
# abs(float) truncates to int, isnan / modf(float, float *) do not compile. The table's semantics
# follow C++ ([c.math]: float and integral overloads). Until xp_runtime.hpp includes <math.h> and
# <stdlib.h> after <cmath> (reported), those overloads are left out here.
RUNTIME_CXX_MATH = "#include <math.h>" in (Path(xpiler.runtime.__file__).parent / "include" / "xp_runtime.hpp").read_text()


# For g++ only (the emulation): what a C++ <math.h> would bring into the global namespace and the
# runtime lacks (see RUNTIME_CXX_MATH), used by the VNNI snippets (isnan, isinf...).
CXX_CLASSIFY = ("#ifdef XP_CHECKS\nusing std::isnan; using std::isinf; using std::isfinite; using std::signbit;\n"
                "#endif\n")


def _runtime_has(it, ov) -> bool:
    if RUNTIME_CXX_MATH:
        return True
    if it.name in ("isfinite", "isinf", "isnan", "isnormal", "signbit") or "float overload" in ov.note:
        return False
    return not (it.name == "abs" and ov.params[0].type != "int")


def _libm_cases() -> list[Case]:
    rng = random.Random(RNG_SEED)
    cases = []
    for it, ov, env, kind in sample([x for x in S.with_semantics("c") if _runtime_has(x[0], x[1])], per_overload=True):
        setup, args, types, after, size, osize = [], [], [], [], 0, 0
        for p in ov.params:
            t = bind(p.type, env).strip()
            if t == "const char *":  # nan(tagp)
                args.append('""')
                types.append(t)
                continue
            if t.endswith("*"):  # an out pointer (frexp, modf, remquo): a local, written back
                et = t[:-1].replace("const", "").strip()
                setup.append(f"{et} {p.name}_v = 0; {et} *{p.name} = &{p.name}_v;")
                after.append(f"memcpy(outp + obase + {8 + osize}, &{p.name}_v, sizeof({et}));")
                osize += 8
                args.append(p.name)
                types.append(t)
                continue
            setup.append(f"{t} {p.name}; memcpy(&{p.name}, inp + base + {size}, sizeof({p.name}));")
            args.append(p.name)
            types.append(t)
            size += 8
        c = Case(it, ov, env, args, types, setup, after, bind(ov.ret, env), max(size, 8), 8 + osize,
                 label=f"{it.name}/{ov.note or 'C'}")
        for k in range(4):
            blob = b""
            for p in ov.params:
                t = bind(p.type, env).strip()
                if not t.endswith("*"):
                    blob += scalar_bytes(t, rng, k).ljust(8, b"\0")
            c.inputs.append(blob.ljust(c.in_bytes, b"\0"))
        cases.append(c)
    return cases


def test_libm_semantics_equal_the_runtime():
    cases = _libm_cases()
    inp, offs, nout = layout(cases)
    head = "#include <math.h>\n#include <string.h>\n"
    call_fns, names = case_functions(cases, "c", ref=False)
    ref_fns, _ = case_functions(cases, "c", ref=True)
    run = "void run_all(const unsigned char *inp, unsigned char *outp)"
    call_src = head + call_fns + "\n\n" + driver(names, offs, run)
    ref_src = head + S.support("c") + ref_fns + "\n\n" + driver(names, offs, run)
    (a, fa), (b, fb) = run_pair("c", ".cpp", call_src, ref_src, "c", ".cpp", inp, nout)
    bad = compare(cases, offs, a, b)
    covered = {id(c.ov) for c in cases}
    assert covered == {id(ov) for it, ov, _, _ in S.with_semantics("c") if _runtime_has(it, ov)}
    assert len(cases) > (900 if FULL else 150)
    assert not bad, f"{len(bad)} of {len(cases)} libm instances differ:\n" + "\n".join(bad[:20])


# ---------------------------------------------------------------------------------------- VNNI
MEM = 512  # bytes of the memory operand buffer of a VNNI case; gathers and scatters address its middle
_IMM_RULES = (  # (pattern on the intrinsic name, values) for immediates GCC range-checks
    (r"_cmp_p[sd]_mask|_cmp_p[sd]$|_cmp_s[sd]", range(32)),
    (r"_cmp_ep[iu]\d+_mask", range(8)),
    (r"^_mm512_.*(insert|extract)[fi](32x4|64x2)", range(4)),
    (r"(insert|extract)[fi](32x8|64x4|128)|^_mm256_.*(insert|extract)[fi](32x4|64x2)", range(2)),
    (r"_extract_ps|^_mm_extract_epi32|^_mm_insert_epi32", range(4)),
    (r"^_mm_(extract|insert)_epi64", range(2)),
    (r"_cvtps_ph", range(8)),
    (r"^_mm256_blend_pd|^_mm_blend_ps", range(16)),
    (r"^_mm_blend_pd", range(4)),
    (r"^_mm256_.*shuffle_[fi](32x4|64x2)", range(4)),
)


def _imm(it, p, rng: random.Random) -> str:
    name, t = it.name, p.type
    if p.name == "scale":
        return str(rng.choice((1, 2, 4, 8)))
    if p.name == "rounding" or "round" in name and p.name == "imm8" and "roundscale" not in name:
        return str(rng.choice((4, 8, 9, 10, 11)))
    if "_MM_PERM_ENUM" in t:
        return f"(_MM_PERM_ENUM){rng.randrange(256)}"
    if "_mm_hint" in t or p.name == "i" and name == "_mm_prefetch":
        return "_MM_HINT_T0"
    for pat, values in _IMM_RULES:
        if re.search(pat, name):
            return str(rng.choice(list(values)))
    if p.unit == "128-bit parts":
        return str(rng.randrange(4 if name.startswith("_mm512") else 2))
    if p.unit == "256-bit parts":
        return str(rng.randrange(2))
    if p.unit == "lanes":  # an element index: below the lanes of the vector the name says
        w = 512 if name.startswith("_mm512") else 256 if name.startswith("_mm256") else 128
        m = re.search(r"ep[iu](8|16|32|64)", name)
        return str(rng.randrange(w // int(m.group(1)) if m else 4))
    if p.unit == "bits":
        return str(rng.choice((0, 1, 3, 7, 9, 15, 17, 31, 33, 63, 64, 200)))
    return str(rng.randrange(256))


_IMPLIED = {"sse", "sse2", "sse3", "ssse3", "sse4.1", "sse4.2", "avx", "avx2"}  # by -mavx512f


def vnni_runnable(name: str) -> bool:
    """Whether the emulation can compile a call of ``name``: natively, only the features whose
    -m flags build.py passes (it lacks -mavx512vbmi, -mavxvnni, -mpopcnt, -mbmi, -mlzcnt even on a
    CPU that has them: reported); the generated emulation has them all."""
    from xpiler.dialects.vnni import intrinsics as V
    from xpiler.runtime import build, cpu

    if not cpu.has_avx512_vnni():
        return True
    flags = {f[2:] for f in build.native_flags()} | _IMPLIED
    return all(f in flags for f in V.FEATURES[name])


def _vnni_cases(sets: int = 3) -> list[Case]:
    rng = random.Random(RNG_SEED)
    cases = []
    for it, ov, env, kind in sample([x for x in S.with_semantics("vnni") if vnni_runnable(x[0].name)], n=VNNI_SAMPLE):
        setup, args, types, after = [], [], [], []
        layout_in: list[tuple[str, int, str]] = []  # (kind, bytes, type) of each input slot
        size, has_mem = MEM, False
        for p in ov.params:
            t = p.type.strip()
            if p.role == "config" or re.search(r"\bconst int\b|\bint const\b", t) and "*" not in t:
                args.append(_imm(it, p, rng))
                types.append(t)
                continue
            if "*" in t:
                has_mem = True
                middle = p.name in ("base_addr",)
                args.append(f"({t})((char *)mem + {MEM // 2 if middle else 0})")
                types.append(t)
                continue
            base_t = re.sub(r"\bconst\b", "", t).strip()
            setup.append(f"{base_t} {p.name}; memcpy(&{p.name}, inp + base + {size}, sizeof({p.name}));")
            n = _VEC_BYTES.get(base_t) or _INT_INFO.get(base_t, (0, 8))[1]
            if base_t in ("float", "double"):
                n = 4 if base_t == "float" else 8
            layout_in.append((p.name, n, base_t))
            args.append(p.name)
            types.append(t)
            size += (n + 7) // 8 * 8
        ret = ov.ret.strip()
        rbytes = _VEC_BYTES.get(ret) or (_INT_INFO.get(ret, (0, 8))[1] if ret != "void" else 0)
        if ret in ("float", "double"):
            rbytes = 4 if ret == "float" else 8
        osize = (rbytes + 7) // 8 * 8
        if has_mem:
            setup.insert(0, f"__m512i mem[{MEM // 64}]; memcpy(mem, inp + base, {MEM});")
            after.append(f"memcpy(outp + obase + {osize}, mem, {MEM});")
            osize += MEM
        c = Case(it, ov, env, args, types, setup, after, ret, size, max(osize, 8), label=it.name)
        lane = "pd" if "pd" in it.name else ""
        for k in range(sets):
            blob = bytearray(bytes(rng.randrange(256) for _ in range(MEM)) if k % 2 else vector_bytes(MEM, rng, k, lane))
            for pname, n, bt in layout_in:
                if pname == "vindex":  # gather/scatter offsets: small, either sign, in index-sized lanes
                    w = 8 if "i64" in it.name else 4
                    v = b"".join(struct.pack("<q" if w == 8 else "<i", rng.randrange(-16, 16)) for _ in range(n // w))
                elif bt in _VEC_BYTES:
                    v = vector_bytes(n, rng, k, lane)
                else:
                    v = scalar_bytes(bt, rng, k)
                blob += v.ljust((n + 7) // 8 * 8, b"\0")
            c.inputs.append(bytes(blob))
        cases.append(c)
    return cases


def _vnni_tolerance(c: Case):
    from xpiler.dialects.vnni import intrinsics as V

    rel = V.APPROXIMATE.get(c.it.name)
    if rel is None:
        return None
    return (np.float64 if "pd" in c.it.name or c.it.name.endswith("_sd") else np.float32), rel


def test_vnni_semantics_equal_the_runtime():
    from xpiler.dialects.vnni import intrinsics as V

    cases = _vnni_cases()
    inp, offs, nout = layout(cases)
    call_fns, names = case_functions(cases, "vnni", ref=False)
    ref_fns, _ = case_functions(cases, "vnni", ref=True)
    run = "void run_all(const unsigned char *inp, unsigned char *outp)"
    call_src = "#include <immintrin.h>\n#include <string.h>\n" + call_fns + "\n\n" + driver(names, offs, run)
    ref_src = "#include <string.h>\n" + CXX_CLASSIFY + S.support("vnni") + ref_fns + "\n\n" + driver(names, offs, run)
    (a, fa), (b, fb) = run_pair("vnni", ".cpp", call_src, ref_src, "c", ".cpp", inp, nout)
    bad = compare(cases, offs, a, b, tolerance=_vnni_tolerance, skip=V.UNDEFINED_RESULT)
    runnable = sum(vnni_runnable(x[0].name) for x in S.with_semantics("vnni"))
    assert len(cases) == (runnable if FULL else VNNI_SAMPLE) and runnable > 3000
    assert not bad, f"{len(bad)} VNNI value sets differ:\n" + "\n".join(bad[:30])


# ---------------------------------------------------------------------------------------- BANG
REG = 4096  # bytes of each on-chip operand buffer of a BANG case
_BANG_SCALARS = {  # small valid arguments by parameter name (shapes keep every operand within REG)
    "elem_count": 128, "size": 256, "dst_stride": 320, "src_stride": 288, "segnum": 1, "stride": 320,
    "dst_stride0": 320, "dst_segnum1": 1, "dst_stride1": 800, "dst_segnum2": 1, "src_stride0": 288,
    "src_segnum1": 1, "src_stride1": 704, "src_segnum2": 1, "height": 4, "width": 4, "channel": 16,
    "kernel_height": 2, "kernel_width": 2, "stride_height": 2, "stride_width": 1, "channel_input": 16,
    "channel_output": 16, "M": 16, "K": 16, "N": 16, "n": 4, "h": 2, "w": 2, "c": 16, "distance": 1,
    "stride0": 1024, "segnum1": 1, "stride1": 2048, "segnum2": 1, "indilation_width": 1, "indilation_height": 1,
    "outdilation_width": 1, "outdilation_height": 1, "in_dh": 1, "in_dw": 1, "out_dh": 1, "out_dw": 1,
}
_BANG_BUFFERS = {"nram": ("__nram__", 6), "wram": ("__wram__", 1), "sram": ("__mlu_shared__", 1),
                 "ldram": ("__ldram__", 1)}  # GDRAM operands: the kernel's gdram_area argument


def _bang_cases(sets: int = 2) -> list[Case]:
    rng = random.Random(RNG_SEED)
    cases = []
    for it, ov, env, kind in sample(S.with_semantics("bang"), per_overload=True):
        setup, args, types, after, used = [], [], [], [], {}
        in_slots: list[tuple[str, int]] = []  # (element type, bytes) of each input slot, in order
        size, osize = 0, 0
        for p in ov.params:
            t = bind(p.type, env).strip()
            if "*" in t:
                space = (p.space or "nram").split("|")[0]
                k = used.get(space, 0)
                used[space] = k + 1
                buf = f"{space}_buf[{k}]"
                elem = re.sub(r"\bconst\b|\*", "", t).strip()
                setup.append(f"for (int q = 0; q < {REG}; ++q) {buf}[q] = inp[base + {size} + q];")
                in_slots.append((elem, REG))
                size += REG
                args.append(f"({t}){buf}")
                types.append(t)
                if p.role in ("out", "inout"):
                    after.append(f"for (int q = 0; q < {REG}; ++q) outp[obase + {osize} + q] = {buf}[q];")
                    osize += REG
                continue
            if p.type == "mluMemcpyDirection_t":
                args.append("NRAM2NRAM")
                types.append(t)
                continue
            if p.role == "config":
                assert p.name in _BANG_SCALARS or p.name == "fix_position", (it.name, p.name)
                v = _BANG_SCALARS.get(p.name, rng.randint(-4, 4))
                args.append(str(v))
                types.append(t)
                continue
            setup.append(f"{t} {p.name}; memcpy(&{p.name}, inp + base + {size}, sizeof({p.name}));")
            in_slots.append((t, 8))
            size += 8
            args.append(p.name)
            types.append(t)
        ret = bind(ov.ret, env).strip()
        if ret != "void":
            after = [ln.replace("obase + ", "obase + 8 + ") for ln in after]
            osize += 8
        c = Case(it, ov, env, args, types, setup, after, ret, max(size, 8), max(osize, 8),
                 label=f"{it.name}<{','.join(env.values())}>")
        divisor = "div" in it.name and any(x in env.values() for x in ("int", "short", "char", "unsigned char",
                                                                         "unsigned short", "unsigned int", "int8_t"))
        for k in range(sets):
            blob = b""
            for si, (elem, n) in enumerate(in_slots):
                if divisor and si == 2:  # integer division: no zero divisor, no INT_MIN / -1 (they trap)
                    code, width, _ = _INT_INFO[elem]
                    blob += b"".join(struct.pack("<" + code, rng.randint(2, 100)) for _ in range(n // width)).ljust(n, b"\0")
                elif n == REG:
                    try:
                        width = len(scalar_bytes(elem, rng, 1))
                        blob += b"".join(scalar_bytes(elem, rng, k + j % 2) for j in range(REG // width))
                    except KeyError:  # void and packed types: raw bytes
                        blob += bytes(rng.randrange(256) for _ in range(REG))
                else:
                    blob += scalar_bytes(elem, rng, k).ljust(8, b"\0")
            c.inputs.append(blob.ljust(c.in_bytes, b"\0"))
        cases.append(c)
    return cases


# What the expansions call that a kernel file of a CUDA-mode dialect (CUDA, HIP, BANG) does not
# declare: xp_cast, for clang as a host-device template (g++ gets the runtime's definition).
DEVICE_XP_CAST = ("#ifndef XP_CHECKS\ntemplate <class T, class U> __attribute__((host, device)) T xp_cast(U v);\n"
                  "#endif\n")


def test_bang_semantics_equal_the_runtime():
    cases = _bang_cases()
    inp, offs, nout = layout(cases)
    bufs = "\n".join(f"{q} unsigned char {space}_buf[{n}][{REG}];" for space, (q, n) in _BANG_BUFFERS.items())
    bufs += "\nunsigned char *gdram_buf[1];  // set by run_all to its gdram_area argument"
    head = ("#include <bang.h>\n" + bufs + "\n__mlu_func__ void copy_bytes(void *dst, const void *src, unsigned long n) {\n"
            "    for (unsigned long i = 0; i < n; ++i) ((unsigned char *)dst)[i] = ((const unsigned char *)src)[i];\n}\n\n")
    call_fns, names = case_functions(cases, "bang", ref=False, qual="__mlu_func__")
    ref_fns, _ = case_functions(cases, "bang", ref=True, qual="__mlu_func__")
    call_fns, ref_fns = (re.sub(r"\bmemcpy\(", "copy_bytes(", x) for x in (call_fns, ref_fns))
    run = ("__mlu_global__ void run_all(const unsigned char *inp, unsigned char *outp, unsigned char *gdram_area) {\n"
           "    gdram_buf[0] = gdram_area;\n    run_cases(inp, outp);\n}\n")
    cases_fn = "__mlu_func__ void run_cases(const unsigned char *inp, unsigned char *outp)"
    call_src = head + call_fns + "\n\n" + driver(names, offs, cases_fn) + run
    ref_src = head + DEVICE_XP_CAST + ref_fns + "\n\n" + driver(names, offs, cases_fn) + run
    (a, fa), (b, fb) = run_pair("bang", ".mlu", call_src, ref_src, "bang", ".mlu", inp, nout,
                                launch="dim=1,1,1 type=block", extra={"gdram_area": np.zeros(REG, np.uint8)})
    bad = compare(cases, offs, a, b)
    assert {id(c.ov) for c in cases} == {id(x[1]) for x in S.with_semantics("bang")}
    assert len(cases) > (500 if FULL else 180)
    assert not bad, f"{len(bad)} BANG value sets differ:\n" + "\n".join(bad[:30])
    oob = [f for f in fa + fb if f.kind in ("out-of-bounds", "uninitialized")]
    assert not oob, oob[:5]


# ---------------------------------------------------------------------------------------- CUDA, HIP
# The per-thread intrinsics of the GPU tables (half and bfloat16 arithmetic, conversions, integer
# intrinsics, atomics...): generated from the same snippets for the runtime, so this holds the IR
# route (parse, substitute, print as C) equal to it. Sampled unless XPILER_SEMANTICS_FULL=1.
GPU_SAMPLE = 150
_VEC_ELEM = {"char": "signed char", "uchar": "unsigned char", "short": "short", "ushort": "unsigned short",
             "int": "int", "uint": "unsigned int", "long": "long", "ulong": "unsigned long", "longlong": "long long",
             "ulonglong": "unsigned long long", "float": "float", "double": "double"}
PTR = 64  # bytes behind each pointer argument (a __device__ buffer, global memory as atomics need)


def gpu_value_bytes(t: str, rng: random.Random, k: int) -> bytes:
    """A value of a GPU scalar, pair (__half2) or vector (float4, longlong2...) type."""
    t = re.sub(r"\bconst\b", "", t).strip()
    if t in ("__half2", "__nv_bfloat162"):
        return b"".join(scalar_bytes(t[:-1], rng, k + j) for j in range(2))
    m = re.fullmatch(r"(u?char|u?short|u?int|u?long|u?longlong|float|double)([1-4])", t)
    if m:
        return b"".join(scalar_bytes(_VEC_ELEM[m.group(1)], rng, k + j) for j in range(int(m.group(2))))
    return scalar_bytes(t, rng, k)


# Intrinsics whose emulation cannot run here (none: sincos/sincosf/__sincosf used to recurse
# until the generated file was compiled with -fno-builtin-sin/cos; tests/test_runtime.py).
RUNTIME_RECURSES: set[str] = set()


def _gpu_cases(dialect: str, sets: int = 3) -> list[Case]:
    rng = random.Random(RNG_SEED)
    items = [x for x in S.with_semantics(dialect) if x[3] == "semantics" and x[0].name not in RUNTIME_RECURSES]
    cases = []
    for it, ov, env, kind in sample(items, n=GPU_SAMPLE):
        setup, args, types, after, slots = [], [], [], [], []
        size, osize, nptr = 0, 0, 0
        for p in ov.params:
            t = bind(p.type, env).strip()
            if "*" in t:
                buf = f"ptr_buf[{nptr}]"
                nptr += 1
                setup.append(f"for (int q = 0; q < {PTR}; ++q) {buf}[q] = inp[base + {size} + q];")
                slots.append(("bytes", PTR))
                size += PTR
                args.append(f"({t}){buf}")
                after.append(f"for (int q = 0; q < {PTR}; ++q) outp[obase + 16 + {osize} + q] = {buf}[q];")
                osize += PTR
            elif p.name == "dim":  # norm(dim, p): the elements behind p
                args.append(str(rng.randint(1, PTR // 8)))
            else:
                setup.append(f"{t} {p.name}; memcpy(&{p.name}, inp + base + {size}, sizeof({p.name}));")
                slots.append((t, 16))
                size += 16
                args.append(p.name)
            types.append(t)
        ret = bind(ov.ret, env).strip()
        c = Case(it, ov, env, args, types, setup, after, ret, max(size, 16), 16 + osize,
                 label=f"{it.name}<{','.join(v for k_, v in env.items())}>")
        for k in range(sets):
            blob = b"".join(bytes(rng.randrange(256) for _ in range(n)) if t == "bytes"
                            else gpu_value_bytes(t, rng, k).ljust(n, b"\0") for t, n in slots)
            c.inputs.append(blob.ljust(c.in_bytes, b"\0"))
        cases.append(c)
    return cases


def _nan_ok(c: Case):
    """Results compared bit for bit, except that any NaN equals any NaN (its sign and payload are
    unspecified, and g++ may order a commutative operation's operands differently in the two TUs)."""
    np_t = {"float": np.float32, "double": np.float64, "__half": np.float16, "__half2": np.float16,
            "float2": np.float32, "float4": np.float32, "double2": np.float64}.get(c.ret)
    return None if np_t is None or c.after else (np_t, 0.0)


@pytest.mark.parametrize("dialect", ["cuda", "hip"])
def test_gpu_thread_semantics_equal_the_runtime(dialect):
    cases = _gpu_cases(dialect)
    for c in cases:  # the value goes to the first 16 bytes of a value set's output
        c.out_bytes = max(c.out_bytes, 16)
    inp, offs, nout = layout(cases)
    head = ("#include <cuda_runtime.h>\n#include <cuda_fp16.h>\n#include <cuda_bf16.h>\n" if dialect == "cuda"
            else "#include <hip/hip_runtime.h>\n#include <hip/hip_fp16.h>\n#include <hip/hip_bf16.h>\n")
    head += (f"__device__ unsigned char ptr_buf[4][{PTR}];\n__device__ void copy_bytes(void *dst, const void *src, "
             "unsigned long n) {\n    for (unsigned long i = 0; i < n; ++i) ((unsigned char *)dst)[i] = "
             "((const unsigned char *)src)[i];\n}\n")
    call_fns, names = case_functions(cases, dialect, ref=False, qual="__device__")
    ref_fns, _ = case_functions(cases, dialect, ref=True, qual="__device__")
    call_fns, ref_fns = (re.sub(r"\bmemcpy\(", "copy_bytes(", x) for x in (call_fns, ref_fns))
    cases_fn = "__device__ void run_cases(const unsigned char *inp, unsigned char *outp)"
    run = "__global__ void run_all(const unsigned char *inp, unsigned char *outp) { run_cases(inp, outp); }\n"
    sfx = ".cu" if dialect == "cuda" else ".hip"
    call_src = head + call_fns + "\n\n" + driver(names, offs, cases_fn) + run
    ref_src = head + DEVICE_XP_CAST + ref_fns + "\n\n" + driver(names, offs, cases_fn) + run
    (a, fa), (b, fb) = run_pair(dialect, sfx, call_src, ref_src, dialect, sfx, inp, nout,
                                launch="grid=1 block=1")
    bad = compare(cases, offs, a, b, tolerance=_nan_ok)
    assert not bad, f"{len(bad)} {dialect} value sets differ:\n" + "\n".join(bad[:30])
    items = sum(1 for x in S.with_semantics(dialect) if x[3] == "semantics" and x[0].name not in RUNTIME_RECURSES)
    assert len(cases) == (items if FULL else GPU_SAMPLE)
