"""tensorize (VNNI): element-wise loops under ``#pragma omp parallel for`` become 16-lane
AVX-512 loops with a masked tail, each output run by the oracle against its source (two
seeds, sentinel-filled outputs) and compiled by g++ (natively or through SIMDe)."""
import pytest

import xpiler
from xpiler import parse, passes, print_module
from xpiler.dialects.templates import templates

SCALE_ADD = """\
// xpiler: args x=float32[{n}] y=float32[{n}] out=float32[{n}] a=1.5 b=-0.25 n={n}
void scale_add(const float *x, const float *y, float *out, float a, float b, int n) {{
    for (int i = 0; i < n; ++i)
        out[i] = a * x[i] + b * y[i];
}}
"""

RELU = """\
// xpiler: args x=float32[1000] out=float32[1000] n=1000
void relu(const float *x, float *out, int n) {
    for (int i = 0; i < n; ++i)
        out[i] = fmaxf(x[i], 0.0f);
}
"""

SELECT = """\
// xpiler: args x=float32[997] out=float32[997] n=997
void relu_select(const float *x, float *out, int n) {
    for (int i = 0; i < n; ++i)
        out[i] = x[i] > 0.0f ? x[i] : 0.0f;
}
"""

INVARIANT = """\
// xpiler: args x=float32[997] out=float32[997] a=3.0 n=997
void shifted(const float *x, float *out, float a, int n) {
    for (int i = 0; i < n; ++i) {
        float s = a * 0.5f;
        float t = x[i] * s;
        out[i] = t / (t * t + 1.0f) - a;
    }
}
"""

MULADD = """\
// xpiler: args x=float32[997] y=float32[997] z=float32[997] n=997
void muladd(const float *x, const float *y, float *z, int n) {
    for (int i = 0; i < n; ++i) {
        z[i] = x[i] * y[i] + z[i];
        z[i] = sqrtf(z[i] * z[i]) + 1.0f;
    }
}
"""

EXP = """\
// xpiler: args x=float32[1000] out=float32[1000] n=1000
void expo(const float *x, float *out, int n) {
    for (int i = 0; i < n; ++i)
        out[i] = expf(x[i]) * 2.0f;
}
"""

DOUBLE = """\
// xpiler: args x=float32[1000] out=float32[1000] n=1000
void tenth(const float *x, float *out, int n) {
    for (int i = 0; i < n; ++i)
        out[i] = x[i] * 0.1;
}
"""

WIDENED = """\
// xpiler: args x=float32[1000] out=float32[1000] n=1000
void widened(const float *x, float *out, int n) {
    for (int i = 0; i < n; ++i)
        out[i] = (float)((double)x[i] * 0.5);
}
"""

REDEFINED = """\
// xpiler: args x=float32[997] out=float32[997] n=997
void redefined(const float *x, float *out, int n) {
    for (int i = 0; i < n; ++i) {
        float t = x[i] * 2.0f;
        t = t + (float)x[i];
        out[i] = t;
    }
}
"""

ROWS = """\
// xpiler: args x=float32[19,45] scale=float32[19] out=float32[19,45] rows=19 cols=45
void row_scale(const float *x, const float *scale, float *out, int rows, int cols) {
    for (int r = 0; r < rows; ++r) {
        float s = scale[r];
        for (int c = 0; c < cols; ++c)
            out[r * cols + c] = x[r * cols + c] * s;
    }
}
"""


def _translate(src: str, name: str):
    t = xpiler.translate(src, "vnni", path=f"{name}.c")
    assert t.status == "checked", t.why
    return t


def _notes(t):
    return [n for p in t.passes if p.name == "tensorize" for n in p.notes]


def test_vnni_templates_come_from_the_table():
    ts = {t.intrinsic: t for t in templates("vnni", "float")}
    assert str(ts["_mm512_add_ps"]) == "_mm512_add_ps: $v0 + $v1" and ts["_mm512_add_ps"].roles == ("v0", "v1")
    assert str(ts["_mm512_max_ps"]) == "_mm512_max_ps: $v0 > $v1 ? $v0 : $v1"
    assert str(ts["_mm512_fmadd_ps"]) == "_mm512_fmadd_ps: fmaf($v0, $v1, $v2)"  # one rounding: never a * b + c
    assert str(ts["_mm512_sqrt_ps"]) == "_mm512_sqrt_ps: sqrtf($v0)"
    assert str(ts["_mm512_set1_ps"]) == "_mm512_set1_ps: $s" and ts["_mm512_set1_ps"].roles == ("s",)
    assert ts["_mm512_div_ps"].accuracy == "exact"
    assert ts["_mm512_rcp14_ps"].accuracy == "approximate"  # the table's note: an approximation on hardware
    # uint32_t lanes, a lane other than its own, a mask or an immediate, another width: not templates
    for name in ("_mm512_abs_ps", "_mm512_movehdup_ps", "_mm512_mask_add_ps", "_mm512_roundscale_ps", "_mm256_add_ps"):
        assert name not in ts
    assert templates("vnni", "double") == ()


def test_bang_templates_are_unchanged():
    ts = templates("bang", "float", "mtp_372")
    by = {t.intrinsic: t for t in ts}
    assert str(by["__bang_add"]) == "__bang_add: $v0 + $v1" and by["__bang_add"].roles == ("dst", "v0", "v1", "n")
    assert by["__bang_mul_scalar"].roles == ("dst", "v0", "s", "n") and by["__bang_mul_scalar"].in_place
    assert str(by["__bang_active_relu"]) == "__bang_active_relu: $v0 > 0.0f ? $v0 : 0.0f"
    assert by["__bang_active_sigmoid"].accuracy == "approximate" and by["__bang_write_value"].space == "nram"
    assert str(ts[0]).startswith("__bang_nan_maximum") and not any(t.intrinsic.startswith("_mm") for t in ts)


@pytest.mark.parametrize("n", [1000, 997, 992])
def test_scale_and_add_with_and_without_a_tail(n):
    t = _translate(SCALE_ADD.format(n=n), "scale_add")
    nest = t.nests[0]
    assert not nest.not_ and nest.staged_in == ["registers"] and nest.bound_to == ["omp parallel for"]
    assert {"_mm512_mul_ps", "_mm512_add_ps", "_mm512_set1_ps", "_mm512_loadu_ps", "_mm512_storeu_ps",
            "_mm512_maskz_loadu_ps", "_mm512_mask_storeu_ps"} == set(nest.tensorized_into)
    code = t.code
    assert "#pragma omp parallel for\n    for (int xp_c = 0; xp_c < xp_end; xp_c += 16)" in code
    assert "int xp_end = n / 16 * 16;" in code and "__mmask16 xp_m = (__mmask16)((1u << (n - xp_end)) - 1u);" in code
    # the invariants are broadcast once, before the vector loop
    assert code.count("_mm512_set1_ps(a)") == 1 and code.index("_mm512_set1_ps(b)") < code.index("#pragma omp")


def test_relu_via_fmaxf_uses_max_and_says_what_differs():
    t = _translate(RELU, "relu")
    assert "_mm512_max_ps" in t.nests[0].tensorized_into and "fmaxf" not in t.code.split("relu_host")[0]
    assert "_mm512_max_ps(xp_x, xp_s)" in t.code and "__m512 xp_s = _mm512_set1_ps(0.0f);" in t.code
    assert any("fmaxf(x[i], 0.0f)" in n and "sign" in n for n in _notes(t))


def test_relu_as_a_selection_is_max_exactly():
    t = _translate(SELECT, "relu_select")
    assert "_mm512_max_ps" in t.nests[0].tensorized_into and not _notes(t)


def test_a_loop_invariant_declaration_is_hoisted_and_broadcast():
    t = _translate(INVARIANT, "shifted")
    nest = t.nests[0]
    assert not nest.not_ and {"_mm512_div_ps", "_mm512_sub_ps", "_mm512_set1_ps"} <= set(nest.tensorized_into)
    code = t.code
    # computed once before the loop (scoped in a block), then broadcast; the temporary is a register
    assert code.index("float s = a * 0.5f;") < code.index("_mm512_set1_ps(s)") < code.index("#pragma omp")
    assert "__m512 t = _mm512_mul_ps(xp_x, xp_s);" in code
    assert code.count("_mm512_set1_ps(a)") == 1 and code.count("_mm512_set1_ps(1.0f)") == 1


def test_a_multiply_add_is_not_fused_and_a_stored_value_is_read_back():
    t = _translate(MULADD, "muladd")
    nest = t.nests[0]
    assert {"_mm512_mul_ps", "_mm512_add_ps", "_mm512_sqrt_ps"} <= set(nest.tensorized_into)
    assert "fmadd" not in t.code  # fmaf(a, b, c) rounds once, the source twice
    assert t.code.count("_mm512_storeu_ps(z + xp_c") == 2 and t.code.count("_mm512_loadu_ps(z + xp_c)") == 1


def test_expf_is_reported_not_tensorized():
    t = _translate(EXP, "expo")
    nest = t.nests[0]
    assert not nest.tensorized_into
    assert nest.not_ == ["not tensorized: expf(x[i]) has no AVX-512 intrinsic"]
    assert "_mm512" not in t.code and "for (int i = 0; i < n; ++i)" in t.code


@pytest.mark.parametrize("src,name,why", [(DOUBLE, "tenth", "x[i] * 0.1 computes in double"),
                                          (WIDENED, "widened", "(double)x[i] converts to double")])
def test_double_arithmetic_is_not_computed_in_float_lanes(src, name, why):
    t = _translate(src, name)
    assert t.nests[0].not_ and why in t.nests[0].not_[0] and "_mm512" not in t.code


def test_a_redefined_temporary_is_one_register():
    t = _translate(REDEFINED, "redefined")
    assert t.nests[0].tensorized_into and "__m512 t = _mm512_mul_ps(xp_x, xp_s);" in t.code
    assert "t = _mm512_add_ps(t, xp_x);" in t.code  # (float)x[i]: the float itself


def test_the_pass_alone_on_a_bound_module():
    m = parse(SCALE_ADD.format(n=997), path="scale_add.c")
    for step in ("fold_constants", "fuse", "bind"):
        m = passes.get(step).apply(m, "vnni").module
    r = passes.get("tensorize").apply(m, "vnni")
    assert r.ok and r.nests[0]["tensorized_into"] and r.nests[0]["staged_in"] == ["registers"]
    assert "_mm512_mask_storeu_ps(out + xp_end, xp_m, " in print_module(r.module)


def test_the_innermost_loop_of_a_parallel_row_loop():
    t = _translate(ROWS, "row_scale")
    code = t.code[:t.code.index("row_scale_host")] if "row_scale_host" in t.code else t.code
    assert [n.staged_in for n in t.nests] == [["registers"]] and "_mm512_mul_ps" in t.nests[0].tensorized_into
    assert "#pragma omp parallel for\n    for (int r = 0; r < rows; ++r)" in code  # the rows stay on the threads
    assert "__m512 xp_s = _mm512_set1_ps(s);" in code and "_mm512_loadu_ps(x + xp_c + r * cols)" in code
    assert code.count("#pragma omp") == 1  # the vector loop inside runs on its row's thread
