"""evaluate.py follows C's integer semantics: truncating division, wrap at the type's
width where the type is known, exact arithmetic at any size."""
from __future__ import annotations

import pickle

import pytest

import xpiler
from xpiler import evaluate as ev
from xpiler import ir
from xpiler.analysis import ctype


def _expr(text: str, decls: str = "") -> ir.Expr:
    """The initialiser of ``v`` in ``void h(...) { <decls> long long v = <text>; }``."""
    m = xpiler.parse(f"void h(int n, unsigned u, long big) {{ {decls} long long v = {text}; }}", path="k.c")
    assert not [d for d in m.diagnostics if d.severity == "error"], m.diagnostics
    return m.functions[0].body.stmts[-1].vars[0].init


def _val(text: str, env=None, types=None):
    return ev.evaluate(_expr(text), env or {}, types)


@pytest.mark.parametrize("text, value", [
    ("-7 / 2", -3), ("-7 % 2", -1), ("7 / -2", -3), ("7 % -2", 1), ("-7 / -2", 3), ("-7 % -2", -1),
    ("(unsigned)0 - 1", 4294967295), ("0u - 1", 4294967295), ("1 << 31", -2147483648),
    ("1u << 31", 2147483648), ("1L << 40", 1 << 40), ("-1 < 0u", 0), ("-1 < 0", 1), ("-1L < 0u", 1),
    ("(unsigned char)300", 44), ("(signed char)200", -56), ("(short)70000", 4464), ("(int)4294967295u", -1),
    ("2147483647 + 1", -2147483648), ("(unsigned)-1 / 2", 2147483647), ("-8 >> 1", -4),
    ("(int)-2.7", -2), ("(unsigned)2.9", 2), ("(_Bool)7", 1), ("~0u", 4294967295), ("-(1u)", 4294967295),
    ("3000000000L * 3000000000L", 9000000000000000000), ("sizeof(double) - 9", 2 ** 64 - 1),
    ("'a' + 1", 98),
])
def test_integer_semantics(text, value):
    assert _val(text) == value


def test_exact_where_floats_round():
    # (n + 255) / 256 for n beyond 2^53: float division would round
    n = 256 * (2 ** 54 + 1) - 255
    assert _val("(n + 255) / 256", {"n": n}) == 2 ** 54 + 1
    assert int((n + 255) / 256) != 2 ** 54 + 1  # what dividing through floats gives
    big = 123456789123456789
    assert _val("n * n / 7", {"n": big}) == big * big // 7
    assert _val("n % 1000000007", {"n": -big}) == -(big % 1000000007)


def test_untyped_env_values_keep_meaning():
    # a plain int from env has no C type: no wrap at 32 bits
    assert _val("n * 4096", {"n": 1 << 40}) == 1 << 52
    assert _val("n - 1", {"n": 0}) == -1


def test_types_make_env_values_wrap():
    assert _val("u - 1", {"u": 0}, {"u": ir.Named("unsigned int")}) == 4294967295
    assert _val("n * n", {"n": 65536}, {"n": ir.Named("int")}) == 0
    assert _val("n * n", {"n": 65536}) == 1 << 32  # without types: unbounded


def test_typed_values_are_ints():
    v = _val("1u << 31")
    assert isinstance(v, ev.CInt) and isinstance(v, int) and v.ctype == ctype.UINT
    assert v + 1 == 2147483649 and int(v) == 2147483648 and f"{v}" == "2147483648"
    assert pickle.loads(pickle.dumps(v)) == v and pickle.loads(pickle.dumps(v)).ctype == ctype.UINT


def test_division_by_zero_and_bad_shifts_are_unknown():
    for text in ("n / 0", "n % (n - n)", "1 << 32", "1 << -1"):
        with pytest.raises(ev.Unknown):
            _val(text, {"n": 5}, {"n": ir.Named("int")})


def test_short_circuit_does_not_evaluate_the_rest():
    assert _val("0 && 1 / 0") == 0
    assert _val("1 || u") == 1  # u has no value
    with pytest.raises(ev.Unknown):
        _val("1 && u")


def test_straight_line_declarations_carry_their_types():
    m = xpiler.parse("""
void h(int n) {
    unsigned a = 0; a = a - 1;
    int b = 1 << 30; b *= 4;
    unsigned char c = 250; c += 10;
    long d = n; d = d * 1000000;
    dim3 grid((n + 255) / 256);
    int q = -7 / 2, r = -7 % 2;
}""", path="k.cu")
    env = ev.run_straight_line(m.functions[0].body.stmts, {"n": 3_000_000})
    assert env["a"] == 4294967295
    assert env["b"] == 0  # 2^32 wraps in int
    assert env["c"] == 4  # 260 stored in unsigned char
    assert env["d"] == 3_000_000_000_000
    assert env["grid"].as_tuple() == ((3_000_000 + 255) // 256, 1, 1)
    assert (env["q"], env["r"]) == (-3, -1)


def test_float_paths_unchanged():
    assert _val("7.0 / 2") == 3.5
    assert _val("(float)7 / 2") == 3.5
    assert _val("(int)(7.0 / 2)") == 3
