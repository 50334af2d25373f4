"""Compile checks with the real toolchains: the corpus compiles (nvcc, hipcc, gcc/g++, and the
strict BANG declaration header under g++), broken kernels fail at the right line, absent
compilers give "unverified", BANG launch rewriting keeps positions.

The corpus compiles run once, two at a time, and go through the compile cache
(``$XPILER_CACHE_DIR`` or ``~/.cache/xpiler/compile``): a second run is a few seconds.
"""
from __future__ import annotations

import functools
import os
import stat
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

import corpus
from xpiler import dialects, toolchains
from xpiler.toolchains import Toolchain, compile_check, rewrite_bang_launches

_TOOL_OF = {"cuda": "nvcc", "hip": "hipcc"}


_BY_FILE = {e.file: e.dialect for e in corpus.entries()}


def _dialect_of(path) -> str:
    return _BY_FILE.get(path) or dialects.detect(str(path), path.read_text())


FILES = corpus.files()


def _id(p):
    return str(p.relative_to(corpus.HERE))


@functools.lru_cache(maxsize=None)
def _corpus_results() -> dict:
    """Every corpus file checked once, two compiles at a time."""
    def check(path):
        return path, compile_check(path.read_text(), str(path), _dialect_of(path))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(check, FILES))


def _tool_for(dialect: str, path: str) -> str:
    if dialect in _TOOL_OF:
        return _TOOL_OF[dialect]
    return "gcc" if dialects.language_of(dialect, path) == "c" else "gxx"


def _skip_if_absent(result, dialect: str, path: str) -> None:
    """Skip (with the reason) only when the compiler is absent; then the verdict must be
    "unverified", never "passed"."""
    if Toolchain().path(_tool_for(dialect, path)) is None:
        assert result.verdict == "unverified", result
        assert result.message.startswith("unverified: ") and "not installed" in result.message
        pytest.skip(result.message)


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_corpus_compiles(path):
    dialect = _dialect_of(path)
    result = _corpus_results()[path]
    _skip_if_absent(result, dialect, str(path))
    errors = [str(d) for d in result.diagnostics if d.is_error]
    expected = toolchains.ACCEPTED if dialect == "bang" else "passed"  # our header is no BANG compiler
    assert result.verdict == expected, f"{result.message}\n{' '.join(result.command)}\n" + "\n".join(errors)
    assert not errors


# ------------------------------------------------------------------------------ broken kernels
BROKEN = {
    "cuda": ("broken.cu", 4, """\
        __global__ void scale(float *x, int n) {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) {
                int *p = x;
                p[0] = 1;
            }
        }
        """),
    "hip": ("broken.hip", 5, """\
        #include <hip/hip_runtime.h>
        __global__ void scale(float *x, int n) {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) {
                int *p = x;
                p[0] = 1;
            }
        }
        """),
    "vnni": ("broken_vnni.cpp", 4, """\
        #include <immintrin.h>
        void dot(const int *a, float *out) {
            __m512i v = _mm512_loadu_si512(a);
            __m512 s = _mm512_dpbusd_epi32(v, v, v);
            _mm512_storeu_ps(out, s);
        }
        """),
    "c": ("broken.c", 3, """\
        void scale(float *x, int n) {
            for (int i = 0; i < n; ++i) {
                float y = x;
                x[i] = y;
            }
        }
        """),
    "bang": ("broken.mlu", 6, """\
        #include <bang.h>
        __mlu_global__ void scale(float *x, int n) {
          __nram__ float buf[256];
          __memcpy(buf, x, n * sizeof(float), GDRAM2NRAM);
          // the next call lacks its scalar operand
          __bang_mul_scalar(buf, buf, 256);
          __memcpy(x, buf, n * sizeof(float), NRAM2GDRAM);
        }
        """),
}


@pytest.mark.parametrize("dialect", sorted(BROKEN))
def test_broken_kernel_fails_at_its_line(dialect, tmp_path):
    name, line, text = BROKEN[dialect]
    path = str(tmp_path / name)
    result = compile_check(textwrap.dedent(text), path, dialect)
    _skip_if_absent(result, dialect, path)
    assert result.verdict == (toolchains.REJECTED if dialect == "bang" else "failed"), result
    assert result.failed and not result.passed
    errors = [d for d in result.diagnostics if d.is_error]
    assert errors, result
    assert [d.line for d in errors if d.file == path] == [line], [str(d) for d in errors]
    assert "error" in result.message, result.message
    assert not (tmp_path / (name + ".o")).exists() and os.listdir(tmp_path) == [], "wrote next to the file"


def test_bang_intrinsic_argument_types_are_checked(tmp_path):
    text = textwrap.dedent("""\
        #include <bang.h>
        __mlu_global__ void k(float *x, int n) {
          __nram__ float buf[64];
          __nram__ half hbuf[64];
          __bang_active_relu(buf, hbuf, 64);
          __bang_add(buf, buf, buf, 64);
          __memcpy(buf, x, n * sizeof(float), 3);
          int y = taskId + coreDim;
          taskId = 2;
        }
        """)
    path = str(tmp_path / "types.mlu")
    result = compile_check(text, path, "bang")
    _skip_if_absent(result, "bang", path)
    assert result.verdict == toolchains.REJECTED
    # line 5: half source for a float destination; line 6 is correct; line 7: an int is not
    # an mluMemcpyDirection_t; line 9: built-in variables are read-only.
    assert sorted({d.line for d in result.diagnostics if d.is_error}) == [5, 7, 9], \
        [str(d) for d in result.diagnostics]


def test_nvcc_warnings_are_mapped(tmp_path):
    text = "__global__ void k(float *x) {\n    unsigned u = 5;\n\tif (u < 0) x[0] = 1;\n}\n"
    path = str(tmp_path / "warn.cu")
    result = compile_check(text, path, "cuda")
    _skip_if_absent(result, "cuda", path)
    assert result.verdict == "passed"
    warnings = [d for d in result.diagnostics if d.severity == "warning"]
    assert len(warnings) == 1 and warnings[0].line == 3 and warnings[0].source == "nvcc", result.diagnostics
    assert warnings[0].col == text.splitlines()[2].index("< 0") + 1  # the caret, with a tab before it
    assert warnings[0].code and warnings[0].code.endswith("-D")
    assert "1 warning" in result.message


# ------------------------------------------------------------------------------ absent tools, timeouts
@pytest.mark.parametrize("dialect,field", [("cuda", "nvcc"), ("hip", "hipcc"), ("vnni", "gxx"), ("c", "gcc"),
                                           ("bang", "gxx")])
def test_missing_tool_is_unverified(dialect, field, tmp_path):
    suffix = {"cuda": ".cu", "hip": ".hip", "vnni": ".cpp", "c": ".c", "bang": ".mlu"}[dialect]
    options = Toolchain(**{field: str(tmp_path / "nowhere" / field)})
    result = compile_check("int x;\n", str(tmp_path / f"k{suffix}"), dialect, options=options)
    shown = {"gxx": "g++"}.get(field, field)
    if dialect == "bang":
        shown += " (which runs the strict BANG header)"
    assert result.verdict == "unverified"
    assert result.message == f"unverified: {shown} not installed"
    assert result.diagnostics == [] and not result.passed


def test_environment_variable_names_the_tool(monkeypatch, tmp_path):
    monkeypatch.setenv("XPILER_NVCC", str(tmp_path / "no-nvcc"))
    result = compile_check("int x;\n", str(tmp_path / "k.cu"), "cuda")
    assert result.message == "unverified: nvcc not installed"
    # a field wins over the environment
    assert Toolchain(nvcc="/bin/true").path("nvcc") == "/bin/true"


def test_timeout_fails_with_a_diagnostic(monkeypatch, tmp_path):
    monkeypatch.setenv("XPILER_CACHE_DIR", str(tmp_path / "cache"))
    slow = tmp_path / "slow-gcc"
    slow.write_text('#!/bin/sh\nif [ "$1" = --version ]; then echo "slow-gcc 1.0"; exit 0; fi\nsleep 30\n')
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    src = tmp_path / "src"
    src.mkdir()
    result = compile_check("int x;\n", str(src / "k.c"), "c", options=Toolchain(gcc=str(slow)), timeout=1)
    assert result.verdict == "failed"
    assert result.elapsed < 20
    assert any("timed out" in d.message and d.is_error for d in result.diagnostics), result.diagnostics
    # a timeout is not cached: the next check runs the compiler again
    again = compile_check("int x;\n", str(src / "k.c"), "c", options=Toolchain(gcc=str(slow)), timeout=1)
    assert not again.cached


# ------------------------------------------------------------------------------ caching
def test_results_are_cached_by_content(monkeypatch, tmp_path):
    monkeypatch.setenv("XPILER_CACHE_DIR", str(tmp_path / "cache"))
    path = str(tmp_path / "k.c")
    text = "float twice(float x) { return 2 * x; }\n"
    first = compile_check(text, path, "c")
    _skip_if_absent(first, "c", path)
    second = compile_check(text, path, "c")
    assert not first.cached and second.cached
    assert compile_check(text.encode(), path, "c").cached  # bytes and text are the same content
    assert (second.verdict, second.message, second.command) == (first.verdict, first.message, first.command)
    other = compile_check(text + "int y;\n", path, "c")
    assert not other.cached
    bad = "float twice(float *x) { float y = x; return y; }\n"
    f1, f2 = compile_check(bad, path, "c"), compile_check(bad, path, "c")
    assert f2.cached and f1.diagnostics == f2.diagnostics and f2.diagnostics[0].file == path


# ------------------------------------------------------------------------------ BANG launches
def test_launch_rewrite_keeps_lines_and_maps_positions():
    text = (b"void h(float *d, cnrtQueue_t q) {\n"
            b"  cnrtDim3_t dim = {4, 1, 1};\n"
            b"  /* k<<<a, b, c>>>(x) */ k<<<dim, cnrtFuncTypeUnion1, q>>>(d, 4); int z = 0;\n"
            b"  const char *s = \"k<<<1, 2, 3>>>(4)\";\n"
            b"  ns::kern<float> <<< dim,\n"
            b"      cnrtFuncTypeBlock, q >>> (d, 5);\n"
            b"}\n")
    out, mapping = rewrite_bang_launches(text)
    assert out.count(b"\n") == text.count(b"\n")
    lines = out.split(b"\n")
    assert lines[2] == (b"  /* k<<<a, b, c>>>(x) */ (__xp_bang_launch(dim, cnrtFuncTypeUnion1, q), k)(d, 4);"
                        b" int z = 0;")
    assert lines[3] == text.split(b"\n")[3]  # strings are left alone
    assert lines[4].lstrip().startswith(b"(__xp_bang_launch( dim,")
    assert lines[5].rstrip().endswith(b"ns::kern<float>) (d, 5);")
    # every copied token maps back to where it was
    for token, line in ((b"int z", 3), (b"(d, 4)", 3), (b"cnrtFuncTypeUnion1", 3), (b"(d, 5)", 6),
                        (b"cnrtFuncTypeBlock", 6), (b"ns::kern", 5)):
        orig_lines = text.split(b"\n")
        new_col = out.split(b"\n")[line - 1].rfind(token) + 1
        if new_col == 0:  # moved to another line (the callee after a multi-line configuration)
            new_line = next(i for i, ln in enumerate(out.split(b"\n"), 1) if token in ln)
            new_col = out.split(b"\n")[new_line - 1].find(token) + 1
        else:
            new_line = line
        assert mapping.to_original(new_line, new_col) == (line, orig_lines[line - 1].rfind(token) + 1), token


def test_diagnostic_after_a_launch_keeps_its_position(tmp_path):
    text = textwrap.dedent("""\
        #include <bang.h>
        #include <cnrt.h>
        __mlu_global__ void k(float *x, int n) {
          __nram__ float buf[64];
          __memcpy(buf, x, n * sizeof(float), GDRAM2NRAM);
        }
        void host(float *d, cnrtQueue_t queue) {
          cnrtDim3_t dim = {4, 1, 1};
          k<<<dim, cnrtFuncTypeUnion1, queue>>>(d, 64); int *bad1 = d;
          k<<<dim,
              cnrtFuncTypeUnion1, queue>>>(d, 64);
          int *bad2 = d;
          k<<<dim, cnrtFuncTypeUnion1, queue>>>(queue, 64);
        }
        """)
    path = str(tmp_path / "launch.mlu")
    result = compile_check(text, path, "bang")
    _skip_if_absent(result, "bang", path)
    lines = text.splitlines()
    errors = sorted((d.line, d.col) for d in result.diagnostics if d.is_error)
    assert errors == [(9, lines[8].index("d;") + 1), (12, lines[11].index("d;") + 1),
                      (13, lines[12].index("queue, 64") + 1)], [str(d) for d in result.diagnostics]


def test_launch_configuration_is_type_checked(tmp_path):
    text = ("#include <bang.h>\n__mlu_global__ void k(float *x) {}\n"
            "void host(float *d, cnrtQueue_t q) {\n  k<<<4, cnrtFuncTypeUnion1>>>(d);\n}\n")
    path = str(tmp_path / "cfg.mlu")
    result = compile_check(text, path, "bang")
    _skip_if_absent(result, "bang", path)
    assert result.verdict == toolchains.REJECTED
    assert {d.line for d in result.diagnostics if d.is_error} == {4}


def test_bang_header_comes_from_the_tables():
    bang = dialects._load("bang.intrinsics")
    d = dialects.get("bang")
    header = toolchains.bang_header("mtp_372")
    for name in bang.MEMCPY_DIRECTIONS:
        assert f"{name} = {bang.MEMCPY_DIRECTIONS[name]['value']}" in header
    for v in d.builtin_vars.values():
        assert f"extern const {v.type} {v.name};" in header
    from xpiler.dialects.base import overload_declarations
    mc = d.intrinsic("__memcpy")
    for ov in mc.overloads:
        for decl in overload_declarations("__memcpy", ov):
            assert decl + ";" in header
    assert "#define __BANG_ARCH__ 372" in header
    assert "#define __BANG_ARCH__ 592" in toolchains.bang_header("mtp_592")


def test_unknown_bang_arch_is_unverified(tmp_path):
    result = compile_check("int x;\n", str(tmp_path / "k.mlu"), "bang", options=Toolchain(bang_arch="mtp_999"))
    assert result.verdict == "unverified" and "mtp_999" in result.message


# ------------------------------------------------------------------------------ honest BANG labels
def test_bang_check_is_labelled_as_our_strict_header_not_a_compiler(monkeypatch, tmp_path):
    """No BANG compiler exists here: what accepts or rejects a BANG file is our own header
    under g++, and every label says so -- never a real toolchain's "passed"."""
    from xpiler import jobs

    monkeypatch.setenv("XPILER_CACHE_DIR", str(tmp_path / "cache"))
    good = "#include <bang.h>\n__mlu_global__ void k(float *x) { __nram__ float b[64]; " \
           "__memcpy(b, x, 256, GDRAM2NRAM); }\n"
    path = str(tmp_path / "k.mlu")
    result = compile_check(good, path, "bang")
    _skip_if_absent(result, "bang", path)
    assert (result.tool, result.verdict, result.message) == (
        "strict BANG header (g++, not cncc)", "accepted-by-strict-header", "strict BANG header: accepted")
    assert not result.passed and not result.failed
    cached = compile_check(good, path, "bang")
    assert cached.cached and (cached.tool, cached.verdict, cached.message) == (result.tool, result.verdict,
                                                                             result.message)
    bad = good.replace("GDRAM2NRAM", "3")
    rejected = compile_check(bad, path, "bang")
    assert rejected.verdict == "rejected-by-strict-header" and rejected.failed
    assert rejected.message == "strict BANG header: rejected: 1 error"
    assert {d.source for d in rejected.diagnostics} == {"strict BANG header"}
    # the editor's compile job reports the same label
    out = jobs.check(good, path, "k", compile_only=True)
    assert out["summary"] == "strict BANG header: accepted"
    assert "passed" not in " ".join(d["message"] for d in out["diagnostics"])
