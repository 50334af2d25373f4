"""loop_canon: while/do-while loops, pointer and multiple induction variables and loop
variables declared before their loop become canonical ``for`` loops, each rewrite checked by
the oracle (also on sizes that run a loop zero times or make a do-while run once), the
dependence test's verdicts before and after, and refusals where a rewrite would not be exact."""
import pytest

import corpus
import xpiler.passes.loop_canon  # noqa: F401  (registers the pass)
from xpiler import ir, oracle, parse, passes, print_module
from xpiler.analysis import dependence, loops


def _canon(src: str, path: str = "k.c", **params):
    m = parse(src, path=path)
    r = passes.get("loop_canon").apply(m, m.dialect, **params)
    assert r.ok, r.refused
    return m, r


def _agree(src: str, cand: str, *arg_sets: str, path: str = "k.c"):
    """The oracle on the file's own args and on each of ``arg_sets``."""
    for args in (None,) + arg_sets:
        rep = oracle.check(src, cand, path=path, candidate_path=path, args=args)
        assert rep.ok, f"args {args}: {rep.message}\n{cand}"


def _verdicts(m: ir.Module) -> list[str]:
    f = m.kernels[0] if m.kernels else m.functions[0]
    return [d.kind for d in dependence.analyze(f, module=m, assume_no_alias=True)]


def _fors(m: ir.Module) -> list[ir.For]:
    return [n for n in m.walk() if isinstance(n, ir.For)]


def _all_canonical(m: ir.Module) -> bool:
    return all(loops.loop_view(L) for L in _fors(m)) and not any(
        isinstance(n, (ir.While, ir.DoWhile)) for n in m.walk())


# ----------------------------------------------------------------------------- 1. while / do-while
WHILE = """\
// xpiler: args x=float32[37] out=float32[37] n=37
void relu(const float *restrict x, float *restrict out, int n) {
    int i = 0;
    while (i < n) {
        out[i] = x[i] > 0.0f ? x[i] : 0.0f;
        ++i;
    }
}
"""


def test_while_becomes_a_for_declaring_its_counter():
    m0, r = _canon(WHILE)
    text = print_module(r.module)
    assert "for (int i = 0; i < n; ++i) {" in text and "while" not in text and "int i = 0;\n" not in text
    assert _verdicts(m0) == [] and _verdicts(r.module) == ["parallel"]
    assert r.changed
    new = _fors(r.module)[0]
    assert new.origin == "loop_canon" and new.span is not None and new.span.line == 4
    _agree(WHILE, text, "x=float32[4] out=float32[4] n=0", "x=float32[4] out=float32[4] n=-3")


WHILE_LIVE = """\
// xpiler: args x=float32[20] out=float32[21] n=20
void copy_count(const float *restrict x, float *restrict out, int n) {
    int i = 0;
    while (i < n) {
        out[i] = 2.0f * x[i];
        i += 1;
    }
    out[20] = (float)i;
}
"""


def test_a_counter_used_after_the_loop_keeps_its_declaration():
    _, r = _canon(WHILE_LIVE)
    text = print_module(r.module)
    assert "int i;\n" in text and "for (i = 0; i < n; i += 1) {" in text
    _agree(WHILE_LIVE, text, "x=float32[4] out=float32[21] n=-2", "x=float32[4] out=float32[21] n=3")


UNSIGNED_NESTED = """\
// xpiler: args x=float32[7,9] out=float32[7] rows=7 cols=9
void row_max(const float *restrict x, float *restrict out, unsigned rows, unsigned cols) {
    for (unsigned r = 0; r < rows; ++r) {
        float m = x[r * cols];
        unsigned c = 1;
        while (c < cols) {
            m = fmaxf(m, x[r * cols + c]);
            c++;
        }
        out[r] = m;
    }
}
"""


def test_while_inside_a_loop_with_an_unsigned_counter():
    m0, r = _canon(UNSIGNED_NESTED)
    text = print_module(r.module)
    assert "for (unsigned int c = 1; c < cols; c++) {" in text
    assert _verdicts(m0) == ["parallel"] and _verdicts(r.module) == ["parallel", "reduction"]
    _agree(UNSIGNED_NESTED, text, "x=float32[3,1] out=float32[3] rows=3 cols=1")


DO_GUARDED = """\
// xpiler: args x=float32[30] y=float32[30] n=30
void scale(const float *restrict x, float *restrict y, int n) {
    if (n <= 0)
        return;
    int i = 0;
    do {
        y[i] = 3.0f * x[i];
        ++i;
    } while (i < n);
}
"""


def test_do_while_with_a_guard_proving_one_iteration_becomes_a_plain_for():
    _, r = _canon(DO_GUARDED)
    text = print_module(r.module)
    assert "for (int i = 0; i < n; ++i) {" in text and "do" not in text and "else" not in text
    assert _verdicts(r.module) == ["parallel"]
    _agree(DO_GUARDED, text, "x=float32[3] y=float32[3] n=1", "x=float32[3] y=float32[3] n=0")


DO_PREINC = """\
// xpiler: args x=float32[30] y=float32[31] n=30
void shift(const float *restrict x, float *restrict y, int n) {
    int i = 0;
    do {
        y[i] = x[i] + 1.0f;
    } while (++i < n);
}
"""


def test_do_while_without_proof_runs_its_body_once_in_the_else_branch():
    _, r = _canon(DO_PREINC)
    text = print_module(r.module)
    assert "if (0 < n) {" in text and "for (int i = 0; i < n; ++i) {" in text and "} else {" in text
    assert _all_canonical(r.module)
    # n = 0 and n = -4: the do-while still writes y[0] once
    _agree(DO_PREINC, text, "x=float32[3] y=float32[3] n=0", "x=float32[3] y=float32[3] n=-4",
           "x=float32[3] y=float32[3] n=1")


DO_CONST = """\
// xpiler: args x=float32[16] y=float32[16]
void sixteen(const float *restrict x, float *restrict y) {
    int i = 0;
    do {
        y[i] = -x[i];
        i++;
    } while (i < 16);
}
"""


def test_do_while_with_a_constant_first_test():
    _, r = _canon(DO_CONST)
    assert "for (int i = 0; i < 16; i++) {" in print_module(r.module)
    assert "else" not in print_module(r.module)
    _agree(DO_CONST, print_module(r.module))


DO_IN_LOOP = """\
// xpiler: args x=float32[12,12] y=float32[12] n=12
void lower_sums(const float *restrict x, float *restrict y, int n) {
    for (int r = 1; r < n; ++r) {
        float s = 0.0f;
        int c = 0;
        do {
            s += x[r * n + c];
            ++c;
        } while (c < r);
        y[r] = s;
    }
}
"""


def test_do_while_whose_first_test_follows_from_the_enclosing_loop_bounds():
    _, r = _canon(DO_IN_LOOP)
    text = print_module(r.module)
    assert "for (int c = 0; c < r; ++c) {" in text and "if" not in text  # 0 < r holds: r >= 1
    _agree(DO_IN_LOOP, text, "x=float32[12,12] y=float32[12] n=1")


OTHER_STEP = """\
// xpiler: args x=float32[30] y=float32[30] n=30
void stairs(const float *restrict x, float *restrict y, int n) {
    int i = 0;
    int z = 0;
    while (i < n) {
        if (x[i] > 0.0f)
            z += 2;
        y[i] = (float)z;
        z++;
        ++i;
    }
}
"""


def test_trailing_steps_of_other_variables_stay_in_the_body():
    _, r = _canon(OTHER_STEP)
    text = print_module(r.module)
    assert "for (int i = 0; i < n; ++i) {" in text and text.index("z++;") > text.index("y[i] = (float)z;")
    _agree(OTHER_STEP, text, "x=float32[3] y=float32[3] n=0")


# ----------------------------------------------------------------------------- 2. pointers
DO_POINTER = """\
// xpiler: args x=float32[9,13] out=float32[9] rows=9 cols=13
void row_mean(const float *restrict x, float *restrict out, int rows, int cols) {
    for (int r = 0; r < rows; ++r) {
        const float *p = x + r * cols;
        const float *end = p + cols;
        float acc = 0.0f;
        do {
            acc += *p++;
        } while (p < end);
        out[r] = acc / cols;
    }
}
"""


def test_do_while_over_a_pointer_becomes_an_indexed_loop():
    m0, r = _canon(DO_POINTER)
    text = print_module(r.module)
    assert "acc += p[k];" in text and "for (int k = 0; k < cols; ++k) {" in text
    assert "end" not in text and "p++" not in text  # the end pointer is gone, p is defined once
    assert _verdicts(m0) == ["unknown"] and _verdicts(r.module) == ["parallel", "reduction"]
    _agree(DO_POINTER, text, "x=float32[2,3] out=float32[2] rows=2 cols=1", "x=float32[2,3] out=float32[2] rows=2 cols=0")


WHILE_TWO_POINTERS = """\
// xpiler: args x=float32[50] y=float32[50] n=50
void twice(const float *restrict x, float *restrict y, int n) {
    const float *src = x;
    float *dst = y;
    const float *end = x + n;
    while (src < end)
        *dst++ = 2.0f * *src++;
}
"""


COUNT_LIVE = """\
// xpiler: args x=float32[30] y=float32[30] n=30
void prefix_sum(const float *restrict x, float *restrict y, int n) {
    int i = 0;
    float acc = 0.0f;
    int cnt = 0;
    while (i < n) {
        acc += x[i];
        y[i] = acc;
        cnt++;
        ++i;
    }
    y[0] += (float)cnt;
}
"""


def test_the_init_is_found_past_unrelated_statements_and_live_counters_keep_their_steps():
    _, r = _canon(COUNT_LIVE)
    text = print_module(r.module)
    assert "for (int i = 0; i < n; ++i) {" in text and "cnt++;" in text
    assert any("cnt is stepped in the loop and used after it" in n for n in r.notes)
    _agree(COUNT_LIVE, text, "x=float32[3] y=float32[3] n=0")


def test_while_over_two_pointers():
    m0, r = _canon(WHILE_TWO_POINTERS)
    text = print_module(r.module)
    assert "for (int k = 0; k < n; ++k) {" in text and "dst[k] = 2.0f * src[k];" in text and "end" not in text
    assert _verdicts(m0) == [] and _verdicts(r.module) == ["parallel"]
    _agree(WHILE_TWO_POINTERS, text, "x=float32[4] y=float32[4] n=0")


FOR_STEP_POINTER = """\
// xpiler: args x=float32[6,11] out=float32[6] rows=6 cols=11
void row_sum(const float *restrict x, float *restrict out, int rows, int cols) {
    for (int r = 0; r < rows; ++r) {
        const float *p = x + r * cols;
        float s = 0.0f;
        for (int c = 0; c < cols; ++c, ++p)
            s += *p;
        out[r] = s;
    }
}
"""


def test_a_pointer_stepped_with_the_counter_follows_it():
    m0, r = _canon(FOR_STEP_POINTER)
    text = print_module(r.module)
    assert "for (int c = 0; c < cols; ++c) {" in text and "s += p[c];" in text
    assert _verdicts(m0)[0] == "unknown" and _verdicts(r.module) == ["parallel", "reduction"]
    _agree(FOR_STEP_POINTER, text)


BODY_POINTER_AFTER = """\
// xpiler: args x=float32[40] y=float32[40] n=20
void pairs(const float *restrict x, float *restrict y, int n) {
    const float *p = x;
    for (int i = 0; i < n; ++i) {
        float a = *p;
        p += 2;
        y[2 * i] = a + p[-1];
        y[2 * i + 1] = a;
    }
}
"""


def test_uses_after_the_step_see_the_next_value():
    _, r = _canon(BODY_POINTER_AFTER)
    text = print_module(r.module)
    assert "float a = p[(long long)i * 2];" in text and "y[2 * i] = a + p[(long long)i * 2 + 1];" in text
    _agree(BODY_POINTER_AFTER, text, "x=float32[4] y=float32[4] n=0")


STRIDED_END = """\
// xpiler: args x=float32[50] out=float32[13] n=50
void quads(const float *restrict x, float *restrict out, int n) {
    float *o = out;
    for (const float *p = x; p < x + n; p += 4)
        *o++ = p[0];
}
"""


def test_a_pointer_stepping_by_four_counts_with_a_ceiling():
    _, r = _canon(STRIDED_END)
    text = print_module(r.module)
    assert "for (long long k = 0; k < ((long long)n + 3) / 4; ++k) {" in text and "o[k] = x[k * 4];" in text
    assert _all_canonical(r.module)
    _agree(STRIDED_END, text, "x=float32[50] out=float32[13] n=49", "x=float32[4] out=float32[1] n=0",
           "x=float32[4] out=float32[1] n=1")


POINTER_NE = """\
// xpiler: args x=float32[25] n=25
void negate(float *x, int n) {
    for (float *p = x; p != x + n; ++p)
        *p = -*p;
}
"""


def test_a_pointer_tested_with_not_equal():
    _, r = _canon(POINTER_NE)
    text = print_module(r.module)
    assert "for (int k = 0; k != n; ++k) {" in text and "x[k] = -x[k];" in text
    _agree(POINTER_NE, text, "x=float32[2] n=0")


# ----------------------------------------------------------------------------- 3. several variables
REVERSE = """\
// xpiler: args x=float32[21] n=21
void reverse(float *x, int n) {
    int i, j;
    for (i = 0, j = n - 1; i < j; ++i, --j) {
        float t = x[i];
        x[i] = x[j];
        x[j] = t;
    }
}
"""


def test_two_counters_become_one_and_an_affine_function_of_it():
    m0, r = _canon(REVERSE)
    text = print_module(r.module)
    assert "for (int i = 0; i < n / 2; ++i) {" in text and "x[i] = x[n - 1 - i];" in text
    assert "int i, j;" not in text and " j" not in text
    assert _all_canonical(r.module)
    # canonical now; the test still stops at n / 2 (C truncates a negative n toward zero)
    before = dependence.analyze(m0.functions[0], module=m0, assume_no_alias=True)[0]
    after = dependence.analyze(r.module.functions[0], module=r.module, assume_no_alias=True)[0]
    assert "not canonical" in before.reason and "not canonical" not in after.reason
    # even, odd, one, zero and negative sizes
    _agree(REVERSE, text, "x=float32[20] n=20", "x=float32[2] n=1", "x=float32[2] n=0", "x=float32[2] n=-5")


WINDOW = """\
// xpiler: args x=float32[64] y=float32[64] lo=3 hi=60
void window(const float *restrict x, float *restrict y, int lo, int hi) {
    for (int a = lo, b = hi; a <= b; a++, b -= 1)
        y[a] = x[b];
}
"""


def test_two_counters_with_inclusive_bounds_and_a_non_zero_start():
    _, r = _canon(WINDOW)
    text = print_module(r.module)
    assert "for (long long k = 0; k < ((long long)hi - lo + 2) / 2; ++k) {" in text
    assert "y[(int)((long long)lo + k)] = x[(int)((long long)hi - k)];" in text  # computed wide, exact
    _agree(WINDOW, text, "x=float32[64] y=float32[64] lo=4 hi=60", "x=float32[64] y=float32[64] lo=9 hi=9",
           "x=float32[64] y=float32[64] lo=10 hi=2")


CLOSING = """\
// xpiler: args x=float32[40] y=float32[40] out=float32[1] n=40
void closing(const float *restrict x, float *restrict y, float *restrict out, int n) {
    float s;
    int a, b;
    for (a = 0, b = n - 1, s = 0.0f; a < b; a += 2, --b) {
        s += x[a] * x[b];
        y[b] = s;
    }
    out[0] = s;
}
"""


def test_steps_of_two_and_a_third_init_value():
    _, r = _canon(CLOSING)
    text = print_module(r.module)
    assert "s = 0.0f;\n" in text  # the init's value of a variable the loop does not step: before it
    assert "for (long long k = 0; k < ((long long)n + 1) / 3; ++k) {" in text
    assert "x[(int)((long long)k * 2)]" in text and "y[(int)((long long)(n - 1) - k)] = s;" in text
    _agree(CLOSING, text, *[f"x=float32[40] y=float32[40] out=float32[1] n={n}" for n in (0, 1, 2, 3, 4, 5, -6)])


# ----------------------------------------------------------------------------- 4. declarations, inits, bounds
DECLARED_BEFORE = """\
// xpiler: args x=float32[30] n=30
void halve(float *x, int n) {
    int i;
    for (i = 0; i < n; i++)
        x[i] = 0.5f * x[i];
}
"""


def test_a_loop_variable_declared_before_is_declared_in_the_for():
    _, r = _canon(DECLARED_BEFORE)
    text = print_module(r.module)
    assert "for (int i = 0; i < n; i++) {" in text and "int i;" not in text
    assert loops.loop_view(_fors(r.module)[0]).declared
    _agree(DECLARED_BEFORE, text)


DOT = """\
// xpiler: args x=float32[103] y=float32[103] out=float32[1] n=103
void dot(const float *restrict x, const float *restrict y, float *restrict out, int n) {
    float s0 = 0.0f, s1 = 0.0f;
    int i = 0;
    for (; i + 2 <= n; i += 2) {
        s0 += x[i] * y[i];
        s1 += x[i + 1] * y[i + 1];
    }
    for (; i < n; ++i)
        s0 += x[i] * y[i];
    out[0] = s0 + s1;
}
"""


def test_split_loops_take_the_init_before_them_and_continue_with_their_own_variable():
    m0, r = _canon(DOT)
    text = print_module(r.module)
    assert "int i;\n" in text and "for (i = 0; i <= (long long)n - 2; i += 2) {" in text
    assert "for (int i2 = i; i2 < n; ++i2) {" in text
    assert _verdicts(m0) == ["unknown", "unknown"] and _verdicts(r.module)[0] == "reduction"
    assert _all_canonical(r.module)
    _agree(DOT, text, "x=float32[3] y=float32[3] out=float32[1] n=1", "x=float32[3] y=float32[3] out=float32[1] n=0",
           "x=float32[3] y=float32[3] out=float32[1] n=-7")


# ----------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("src,why", [
    ("""void f(float *x, int n) { int i = 0; while (i < n) { if (x[i] < 0) { ++i; continue; } x[i] = 0; ++i; } }""",
     "continue"),
    ("""void f(float *x, float *y, int n) { const float *p = x; for (int i = 0; i < n; ++i) y[i] = *p++; y[0] = *p; }""",
     "used after"),
    ("""void f(float *x, int n) { int i = 0; int *q = &i; while (i < n) { x[i] = 0; ++i; } }""", "address"),
    ("""void f(float *x, float *y, int n) { float *q = y; for (int i = 0; i < n; ++i) if (x[i] > 0) *q++ = x[i]; }""",
     None),
    ("""void f(float *x, int n) { int i = 0; while (i < n) { if (x[i] < 0) break; ++i; } }""", "break"),
    ("""void f(float *x, int n) { int i = 0; while (i < n) { x[i] = 0; ++i; } if (n < 0) goto out; x[0] = 1; out: ; }""",
     "goto"),
    ("""void f(float *x, int n) { int i = 0; do { x[i] = 0; ++i; } while (i != n); }""", "not monotone"),
    ("""void f(float *x, unsigned n) { for (unsigned i = 0; i + 4 <= n; i += 4) x[i] = 0; }""", "unsigned"),
])
def test_loops_that_cannot_be_rewritten_exactly_are_left_with_a_note(src, why):
    m0, r = _canon(src)
    assert print_module(r.module) == print_module(m0)
    if why is None:  # a conditional step: the loop is canonical, the pointer not an induction variable
        assert not r.notes
    else:
        assert any(why in n for n in r.notes), r.notes


def test_the_kernel_parameter_limits_the_pass_to_one_function():
    src = WHILE + WHILE.replace("void relu(", "void relu2(").replace("// xpiler: args", "// other")
    _, r = _canon(src, kernel="relu2")
    text = print_module(r.module)
    assert text.count("while (i < n)") == 1 and text.count("for (int i = 0; i < n; ++i)") == 1


def test_parse_errors_refuse_the_pass():
    m = parse("void f(float *x, int n) { int i = 0; while (i < n) { x[i] = ; ++i; } }", path="k.c")
    r = passes.get("loop_canon").apply(m, "c")
    assert not r.ok and r.refused.precondition == "parses"


def test_fresh_counters_avoid_every_name_in_the_file():
    src = "#define k 3\n" + DO_POINTER
    _, r = _canon(src)
    text = print_module(r.module)
    assert "int k2 = 0" in text and "int k =" not in text
    _agree(src, text)


# ----------------------------------------------------------------------------- the corpus
def _c_entries_changed():
    out = []
    for e in corpus.entries(("c",)):
        m = parse(e.file.read_text(), path=str(e.file))
        r = passes.get("loop_canon").apply(m, "c", kernel=e.kernel)
        if r.changed:
            out.append(e)
    return out


C_CHANGED = _c_entries_changed()


def test_the_pass_changes_the_c_kernels_that_hide_loops():
    assert {e.kernel for e in C_CHANGED} >= {"relu_f32", "reduce_mean_f32", "reduce_min_f32", "dot_f32"}


def _outer_parallel(m: ir.Module, kernel: str) -> int:
    inl = passes.get("inline_calls").apply(m, "c", kernel=kernel)
    b = passes.get("bind").apply(inl.module, "cuda", kernel=kernel)
    return 0 if any("runs on one thread" in n for n in b.notes) else 1


@pytest.mark.parametrize("e", C_CHANGED, ids=lambda e: e.kernel)
def test_c_corpus_kernels_still_compute_what_they_did(e):
    text = e.file.read_text()
    m0 = parse(text, path=str(e.file))
    r = passes.get("loop_canon").apply(m0, "c", kernel=e.kernel)
    cand = print_module(r.module)
    assert _all_canonical(r.module), cand
    rep = oracle.check(text, cand, path=str(e.file), candidate_path=str(e.file), kernel=e.kernel, args=e.args,
                       generators=e.inputs or None, outputs=list(e.outputs), rtol=e.rtol, atol=e.atol)
    assert rep.ok, rep.message + "\n" + cand
    before = [d.kind for d in dependence.analyze(m0.function(e.kernel), module=m0, assume_no_alias=True)]
    after = [d.kind for d in dependence.analyze(r.module.function(e.kernel), module=r.module, assume_no_alias=True)]
    assert after.count("unknown") < before.count("unknown") or len(after) > len(before)
    assert _outer_parallel(r.module, e.kernel) >= _outer_parallel(m0, e.kernel)


@pytest.mark.parametrize("e", [e for e in corpus.entries(("c",)) if e.kernel in ("relu_f32", "reduce_mean_f32")],
                         ids=lambda e: e.kernel)
def test_bind_now_spreads_kernels_that_ran_on_one_thread(e, tmp_path):
    text = e.file.read_text()
    m0 = parse(text, path=str(e.file))
    m1 = passes.get("loop_canon").apply(m0, "c", kernel=e.kernel).module
    assert _outer_parallel(m0, e.kernel) == 0 and _outer_parallel(m1, e.kernel) == 1
    b = passes.get("bind").apply(m1, "cuda", kernel=e.kernel)
    cu = tmp_path / "k.cu"
    cu.write_text(print_module(b.module, dialect="cuda"))
    launch = b.module.function(e.kernel).annotations["launch"]
    rep = oracle.check(text, cu.read_text(), path=str(e.file), candidate_path=str(cu), kernel=e.kernel,
                       args=e.args, candidate_launch=launch, outputs=list(e.outputs), rtol=e.rtol, atol=e.atol)
    assert rep.ok, rep.message + "\n" + cu.read_text()


VNNI = corpus.entries(("vnni",))


@pytest.mark.parametrize("e", VNNI, ids=lambda e: e.kernel + ":" + e.file.name)
def test_vnni_kernels_are_never_broken(e):
    text = e.file.read_text()
    m0 = parse(text, path=str(e.file))
    r = passes.get("loop_canon").apply(m0, "vnni")  # the whole file: helpers too
    assert r.ok
    if not r.changed:
        assert print_module(r.module) == print_module(m0)
        return
    cand = print_module(r.module)
    rep = oracle.check(text, cand, path=str(e.file), candidate_path=str(e.file), kernel=e.kernel, args=e.args,
                       launch=e.launch, candidate_launch=e.launch, generators=e.inputs or None,
                       outputs=list(e.outputs), rtol=e.rtol, atol=e.atol)
    assert rep.ok, rep.message + "\n" + cand


def test_the_oracle_would_see_a_wrong_rewrite():
    """The checks above can fail: a do-while turned into a plain for without its once-branch
    differs when the count is zero."""
    wrong = DO_PREINC.replace("do {", "while (i < n) {").replace("} while (++i < n);", "++i; }")
    rep = oracle.check(DO_PREINC, wrong, path="k.c", candidate_path="k.c", args="x=float32[3] y=float32[3] n=0")
    assert not rep.ok
