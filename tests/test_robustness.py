"""Malformed input yields diagnostics, never a traceback (property-based)."""
from __future__ import annotations

import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corpus
import xpiler

FILES = corpus.files()
SUFFIXES = [".cu", ".hip", ".mlu", ".c", ".cpp"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(data, suffix: str):
    m = xpiler.parse(data, path=f"fuzz{suffix}")
    for d in m.diagnostics:
        assert d.severity in ("error", "warning", "information", "hint") and d.line >= 1 and d.col >= 1
    xpiler.print_module(m)  # printing what was understood never fails either
    return m


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(SUFFIXES))
def test_binary_garbage(data, suffix):
    check(data, suffix)


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("{}()[];,=+-*/<>&|!~?:#\"' \n\tabcxyz019_.")), max_size=600),
       st.sampled_from(SUFFIXES))
def test_c_like_noise(text, suffix):
    check(text, suffix)


@SETTINGS
@given(st.sampled_from(FILES), st.integers(0, 10**6), st.integers(0, 3))
def test_truncated_and_mutated_corpus_files(path, seed, mode):
    src = path.read_text()
    rng = random.Random(seed)
    cut = rng.randrange(len(src) + 1)
    if mode == 0:
        text = src[:cut]  # truncated
    elif mode == 1:
        text = src[:cut] + "{" * rng.randint(1, 3) + src[cut:]  # unbalanced braces
    elif mode == 2:
        text = src.replace("}", "", rng.randint(1, 3))
    else:
        text = src[:cut] + " __bang_nonexistent(x, y, 4); _mm512_bogus_ps(a); " + src[cut:]
    m = check(text, path.suffix)
    size = len(text.encode())
    for node in m.walk():  # what was understood points into this text, not past its end
        if node.span is not None:
            assert 0 <= node.span.offset <= node.span.end_offset <= size, (type(node).__name__, node.span.offset,
                                                                         node.span.end_offset, size)
    if mode == 0 and _open_braces(text) > 0:
        # cut inside a body: clang's "expected '}'" must reach the module's diagnostics, in the text
        lines = text.count("\n") + 1
        assert any(d.is_error and 1 <= d.line <= lines for d in m.diagnostics), m.diagnostics


_NOT_CODE = re.compile(r"//[^\n]*|/\*.*?(?:\*/|\Z)"  # comments
                       r"|\"(?:\\.|[^\"\\\n])*\"?|'(?:\\.|[^'\\\n])*'?"  # string and character literals
                       r"|^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", re.S | re.M)  # directives, continuation lines too


def _open_braces(text: str) -> int:
    """Braces opened and not closed in the code (comments, literals and directives with their
    continuation lines aside)."""
    code = _NOT_CODE.sub("", text)
    return code.count("{") - code.count("}")


def test_one_megabyte_file():
    body = "\n".join(f"void f{i}(float *x, int n) {{ for (int j = 0; j < n; ++j) x[j] = x[j] * {i} + 1.0f; }}"
                     for i in range(14000))
    assert len(body) > 1_000_000
    m = check(body, ".c")
    assert len(m.functions) == 14000


def test_unknown_intrinsics_everywhere():
    for suffix, call in [(".mlu", "__bang_nope(a, a, 4);"), (".cpp", "_mm512_nope_ps(a);"),
                         (".cu", "__shfl_nope(a, 1);"), (".hip", "__builtin_amdgcn_nope(a);")]:
        m = check(f"void k(float *a) {{ {call} }}", suffix)
        assert any(d.code == "unknown-intrinsic" for d in m.diagnostics), (suffix, m.diagnostics)
