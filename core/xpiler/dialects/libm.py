"""The C math library (<math.h> / <cmath>) and the limit macros kernels use, in every dialect.

Each function is one :class:`Intrinsic`, named as C spells it. The C ``float`` forms
(``expf``) are separate intrinsics, as in C. The C++ name (``exp``) carries, in this order:

1. the C form, ``double exp(double)`` (first, so a C prelude that keeps one declaration per
   name keeps the C one);
2. the C++ ``float`` overload, ``float exp(float)``, which ``std::exp`` and an unqualified
   ``exp`` on a ``float`` pick in C++ ([cmath] overloads; not in C);
3. the C++ "additional overloads": an integral argument is converted to ``double``
   (``double exp(int)``), and a two-argument call whose arguments are not both ``float`` or
   both ``double`` computes in ``double`` (``double pow(float, int)``). Real <cmath> writes
   these as templates; here they are one non-template declaration per type, which resolves
   every call the way the template does (no ambiguity between ``float`` and ``double``).

``long double`` forms (``expl``) are left out: no kernel dialect uses them.

Every function is also reachable as ``std::name`` in C++. ``semantics`` is the identity call
into the host libm (``return expf(x);``): the emulator links the host <cmath> for these (do
not generate definitions named like libm functions from the snippets), and the passes inline
the snippet as an ordinary call. Integral promotions are spelled out as casts.

``CONSTANTS`` maps each macro to ``(C spelling of its value, C type, doc)``; the values are
glibc's on LP64 Linux (``long`` is 64 bits).
"""
from __future__ import annotations

from .base import Intrinsic, Overload, Param, table

SOURCE = "ISO C11 §7.12 <math.h>, C++17 [c.math] <cmath>; glibc"

# Integral argument types the C++ "additional overloads" convert to double. Narrower types
# (char, short, bool) promote to int on their own.
INTEGRAL = ("int", "unsigned int", "long", "unsigned long", "long long", "unsigned long long")
ARITH = ("float", "double") + INTEGRAL


def _p(name: str, ctype: str, doc: str = "", role: str = "scalar") -> Param:
    return Param(name, ctype, role=role, doc=doc)


def _mixed_pairs() -> tuple[dict[str, str], ...]:
    """(A, B) argument types of the promoted two-argument overloads: every arithmetic pair
    except (float, float) and (double, double), which are exact overloads of their own."""
    return tuple({"A": a, "B": b} for a in ARITH for b in ARITH
                 if (a, b) not in (("float", "float"), ("double", "double")))


def _unary(name: str, doc: str, *, ret: str | None = None, int_ok: bool = True,
           cname: str | None = None) -> list[Intrinsic]:
    """``xxx(double)``, ``xxxf(float)``, C++ ``xxx(float)`` and the integral overloads.

    ``ret`` replaces the result type (``int`` for ilogb, ``long`` for lround...): ``"T"``
    stands for the argument's floating type.
    """
    cname = cname or name
    r = ret or "T"
    rd = r.replace("T", "double")
    rf = r.replace("T", "float")
    ovs = [
        Overload((_p("x", "double"),), ret=rd, semantics=f"return {cname}(x);", note="C"),
        Overload((_p("x", "float"),), ret=rf, semantics=f"return {cname}f(x);", note="C++ <cmath> float overload"),
    ]
    if int_ok:
        ovs.append(Overload((_p("x", "I"),), ret=rd, instances=tuple({"I": i} for i in INTEGRAL),
                            semantics=f"return {cname}((double)x);",
                            note="C++ <cmath>: an integral argument is converted to double"))
    out = [Intrinsic(name, tuple(ovs), "math", doc, source=SOURCE)]
    out.append(Intrinsic(name + "f", (Overload((_p("x", "float"),), ret=rf, semantics=f"return {cname}f(x);"),),
                         "math", doc + " Single-precision C form.", source=SOURCE))
    return out


def _binary(name: str, doc: str, a: str = "x", b: str = "y") -> list[Intrinsic]:
    ovs = (
        Overload((_p(a, "double"), _p(b, "double")), ret="double", semantics=f"return {name}({a}, {b});", note="C"),
        Overload((_p(a, "float"), _p(b, "float")), ret="float", semantics=f"return {name}f({a}, {b});",
                 note="C++ <cmath> float overload"),
        Overload((_p(a, "A"), _p(b, "B")), ret="double", instances=_mixed_pairs(),
                 semantics=f"return {name}((double){a}, (double){b});",
                 note="C++ <cmath>: mixed or integral arguments are computed in double"),
    )
    return [Intrinsic(name, ovs, "math", doc, source=SOURCE),
            Intrinsic(name + "f", (Overload((_p(a, "float"), _p(b, "float")), ret="float",
                                            semantics=f"return {name}f({a}, {b});"),),
                      "math", doc + " Single-precision C form.", source=SOURCE)]


def _custom(name: str, doc: str, double_ov: Overload, float_ov: Overload,
            extra: tuple[Overload, ...] = ()) -> list[Intrinsic]:
    """A function with a non-uniform signature: the C form, the C++ float overload (the
    same as the ``f`` form) and any further C++ overloads."""
    return [Intrinsic(name, (double_ov, float_ov) + extra, "math", doc, source=SOURCE),
            Intrinsic(name + "f", (float_ov,), "math", doc + " Single-precision C form.", source=SOURCE)]


_UNARY = {
    "sqrt": "Square root √x, correctly rounded (IEEE 754). sqrt(-0) = -0; x < 0 gives NaN.",
    "cbrt": "Cube root ∛x; defined for negative x (cbrt(-8) = -2).",
    "exp": "Exponential e^x. Overflows to +∞ for large x, underflows to 0 for very negative x.",
    "exp2": "Base-2 exponential 2^x.",
    "expm1": "e^x − 1, accurate for x near 0 (no cancellation).",
    "log": "Natural logarithm ln x. log(0) = −∞, x < 0 gives NaN, log(+∞) = +∞.",
    "log2": "Base-2 logarithm log₂ x. log2(0) = −∞, x < 0 gives NaN.",
    "log10": "Base-10 logarithm log₁₀ x. log10(0) = −∞, x < 0 gives NaN.",
    "log1p": "ln(1 + x), accurate for x near 0. log1p(−1) = −∞, x < −1 gives NaN.",
    "sin": "Sine of x (radians).",
    "cos": "Cosine of x (radians).",
    "tan": "Tangent of x (radians).",
    "asin": "Arc sine, result in [−π/2, π/2]; |x| > 1 gives NaN.",
    "acos": "Arc cosine, result in [0, π]; |x| > 1 gives NaN.",
    "atan": "Arc tangent, result in [−π/2, π/2].",
    "sinh": "Hyperbolic sine (e^x − e^−x)/2.",
    "cosh": "Hyperbolic cosine (e^x + e^−x)/2.",
    "tanh": "Hyperbolic tangent (e^x − e^−x)/(e^x + e^−x), in [−1, 1].",
    "asinh": "Inverse hyperbolic sine ln(x + √(x² + 1)).",
    "acosh": "Inverse hyperbolic cosine ln(x + √(x² − 1)); x < 1 gives NaN.",
    "atanh": "Inverse hyperbolic tangent ½·ln((1 + x)/(1 − x)); atanh(±1) = ±∞, |x| > 1 gives NaN.",
    "erf": "Error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, in [−1, 1].",
    "erfc": "Complementary error function 1 − erf(x), accurate for large x (no cancellation).",
    "tgamma": "Gamma function Γ(x); poles at 0 and negative integers give ±∞ or NaN.",
    "lgamma": "ln|Γ(x)|, the natural logarithm of the absolute value of the gamma function.",
    "fabs": "Absolute value |x| (clears the sign bit, also of −0 and NaN).",
    "floor": "Largest integral value ≤ x (round toward −∞), as a floating value.",
    "ceil": "Smallest integral value ≥ x (round toward +∞), as a floating value.",
    "round": "Nearest integral value, halfway cases rounded away from zero (round(2.5) = 3, round(−2.5) = −3).",
    "trunc": "Integral value toward zero (drops the fraction).",
    "rint": "Nearest integral value in the current rounding mode (default: halfway cases to even, rint(2.5) = 2).",
    "nearbyint": "Like rint (halfway cases to even in the default mode) but never raises the inexact flag.",
    "logb": "Unbiased exponent of x as a floating value: floor(log2|x|) for finite non-zero x; logb(0) = −∞.",
}

_BINARY = {
    "pow": ("Power x^y. pow(x, ±0) = 1 for any x (even NaN); pow(1, y) = 1 for any y; negative x with "
            "non-integral y gives NaN; pow(±0, y<0) = ±∞.", "x", "y"),
    "atan2": ("Arc tangent of y/x using the signs of both to pick the quadrant, result in [−π, π]. "
              "Note the argument order: y first.", "y", "x"),
    "fmod": ("Floating remainder x − n·y with n = trunc(x/y): exact, with the sign of x; y = 0 gives NaN.", "x", "y"),
    "remainder": ("IEEE remainder x − n·y with n = x/y rounded to nearest, ties to even; exact.", "x", "y"),
    "fmax": ("Maximum of x and y; NaN is treated as missing data: one NaN returns the other argument, "
             "both NaN return NaN. fmax(−0, +0) may return either zero.", "x", "y"),
    "fmin": ("Minimum of x and y; one NaN returns the other argument, both NaN return NaN.", "x", "y"),
    "fdim": ("Positive difference: x − y if x > y, else +0; NaN if either is NaN.", "x", "y"),
    "hypot": ("√(x² + y²) without undue overflow or underflow; hypot(±∞, NaN) = +∞.", "x", "y"),
    "copysign": ("|x| with the sign bit of y (also for zeros and NaN).", "x", "y"),
    "nextafter": ("The next representable value after x in the direction of y (y if x == y).", "x", "y"),
}

_INTRINSICS: list[Intrinsic] = []
for _n, _d in _UNARY.items():
    _INTRINSICS += _unary(_n, _d)
for _n, (_d, _a, _b) in _BINARY.items():
    _INTRINSICS += _binary(_n, _d, _a, _b)

# Functions with integer parameters or results.
_INTRINSICS += _unary("ilogb", "Unbiased exponent of x as an int: floor(log2|x|) for finite non-zero x; "
                      "ilogb(0) = FP_ILOGB0 (INT_MIN on glibc), ilogb(NaN) = FP_ILOGBNAN (INT_MIN), "
                      "ilogb(±∞) = INT_MAX.", ret="int")
_INTRINSICS += _unary("lrint", "Nearest integer in the current rounding mode (default: halfway cases to even), "
                      "as a long; out-of-range or NaN is unspecified (domain error).", ret="long")
_INTRINSICS += _unary("llrint", "Nearest integer in the current rounding mode (default: halfway cases to even), "
                      "as a long long; out-of-range or NaN is unspecified.", ret="long long")
_INTRINSICS += _unary("lround", "Nearest integer, halfway cases away from zero, as a long; "
                      "out-of-range or NaN is unspecified.", ret="long")
_INTRINSICS += _unary("llround", "Nearest integer, halfway cases away from zero, as a long long; "
                      "out-of-range or NaN is unspecified.", ret="long long")

_INTRINSICS += _custom(
    "fma", "Fused multiply-add x·y + z computed exactly and rounded once (IEEE 754 fusedMultiplyAdd).",
    Overload((_p("x", "double"), _p("y", "double"), _p("z", "double")), ret="double",
             semantics="return fma(x, y, z);", note="C"),
    Overload((_p("x", "float"), _p("y", "float"), _p("z", "float")), ret="float",
             semantics="return fmaf(x, y, z);", note="C++ <cmath> float overload"),
    (Overload((_p("x", "A"), _p("y", "B"), _p("z", "C")), ret="double",
              instances=tuple({"A": a, "B": b, "C": c} for a in ("float", "double", "int")
                              for b in ("float", "double", "int") for c in ("float", "double", "int")
                              if len({a, b, c}) > 1 or a == "int"),
              semantics="return fma((double)x, (double)y, (double)z);",
              note="C++ <cmath>: mixed arguments are computed in double (float/double/int combinations)"),),
)
_INTRINSICS += _custom(
    "ldexp", "x·2^exp, computed exactly unless it overflows or underflows.",
    Overload((_p("x", "double"), _p("exp", "int")), ret="double", semantics="return ldexp(x, exp);", note="C"),
    Overload((_p("x", "float"), _p("exp", "int")), ret="float", semantics="return ldexpf(x, exp);",
             note="C++ <cmath> float overload"),
    (Overload((_p("x", "I"), _p("exp", "int")), ret="double", instances=tuple({"I": i} for i in INTEGRAL),
              semantics="return ldexp((double)x, exp);", note="C++ <cmath>: integral x is converted to double"),),
)
_INTRINSICS += _custom(
    "scalbn", "x·2^n (FLT_RADIX is 2), computed exactly unless it overflows or underflows.",
    Overload((_p("x", "double"), _p("n", "int")), ret="double", semantics="return scalbn(x, n);", note="C"),
    Overload((_p("x", "float"), _p("n", "int")), ret="float", semantics="return scalbnf(x, n);",
             note="C++ <cmath> float overload"),
)
_INTRINSICS += _custom(
    "scalbln", "x·2^n with a long exponent, computed exactly unless it overflows or underflows.",
    Overload((_p("x", "double"), _p("n", "long")), ret="double", semantics="return scalbln(x, n);", note="C"),
    Overload((_p("x", "float"), _p("n", "long")), ret="float", semantics="return scalblnf(x, n);",
             note="C++ <cmath> float overload"),
)
_INTRINSICS += _custom(
    "frexp", "Splits x into a fraction m with 0.5 ≤ |m| < 1 and an exponent e with x = m·2^e; stores e "
             "in *exp and returns m. x = 0 gives m = 0, e = 0; ±∞ and NaN are returned with *exp unspecified.",
    Overload((_p("x", "double"), Param("exp", "int *", role="out", doc="receives the exponent")), ret="double",
             semantics="return frexp(x, exp);", note="C"),
    Overload((_p("x", "float"), Param("exp", "int *", role="out", doc="receives the exponent")), ret="float",
             semantics="return frexpf(x, exp);", note="C++ <cmath> float overload"),
)
_INTRINSICS += _custom(
    "modf", "Splits x into integral and fractional parts of the same sign: stores trunc(x) in *iptr and "
            "returns x − trunc(x) (±0 for ±∞).",
    Overload((_p("x", "double"), Param("iptr", "double *", role="out")), ret="double",
             semantics="return modf(x, iptr);", note="C"),
    Overload((_p("x", "float"), Param("iptr", "float *", role="out")), ret="float",
             semantics="return modff(x, iptr);", note="C++ <cmath> float overload"),
)
_INTRINSICS += _custom(
    "remquo", "Like remainder(x, y), and also stores in *quo the sign of x/y and at least the 3 low bits "
              "of the integral quotient.",
    Overload((_p("x", "double"), _p("y", "double"), Param("quo", "int *", role="out")), ret="double",
             semantics="return remquo(x, y, quo);", note="C"),
    Overload((_p("x", "float"), _p("y", "float"), Param("quo", "int *", role="out")), ret="float",
             semantics="return remquof(x, y, quo);", note="C++ <cmath> float overload"),
)
_INTRINSICS += [
    Intrinsic("nan", (Overload((Param("tagp", "const char *", role="in"),), ret="double",
                               semantics="return nan(tagp);"),), "math",
              "A quiet NaN; the string selects the payload in an implementation-defined way (\"\" gives the "
              "default NaN 0x7FF8000000000000). C++ has no float overload (it cannot overload on the result).",
              source=SOURCE),
    Intrinsic("nanf", (Overload((Param("tagp", "const char *", role="in"),), ret="float",
                                semantics="return nanf(tagp);"),), "math",
              "A quiet float NaN; \"\" gives the default NaN 0x7FC00000.", source=SOURCE),
]

# Classification: macros in C, bool functions in C++ (integral arguments count as double).
for _n, _d in {
    "isnan": "True if x is a NaN.",
    "isinf": "True if x is +∞ or −∞.",
    "isfinite": "True if x is neither infinite nor NaN (zero, subnormal or normal).",
    "isnormal": "True if x is normal (not zero, subnormal, infinite or NaN).",
    "signbit": "True if the sign bit of x is set (also for −0 and negative NaN).",
}.items():
    _INTRINSICS.append(Intrinsic(_n, (
        Overload((_p("x", "double"),), ret="bool", semantics=f"return {_n}(x);",
                 note="C++ <cmath> (a classification macro in C returning int)"),
        Overload((_p("x", "float"),), ret="bool", semantics=f"return {_n}(x);"),
        Overload((_p("x", "I"),), ret="bool", instances=tuple({"I": i} for i in INTEGRAL),
                 semantics=f"return {_n}((double)x);", note="C++ <cmath>: integral x is converted to double"),
    ), "math", _d + " A macro in C, an overloaded bool function in C++.", source=SOURCE))

# Integer absolute values (<stdlib.h> / <cstdlib>, and std::abs for floating types).
_INTRINSICS += [
    Intrinsic("abs", (
        Overload((_p("x", "int"),), ret="int", semantics="return x < 0 ? -x : x;", note="C <stdlib.h>"),
        Overload((_p("x", "long"),), ret="long", semantics="return x < 0 ? -x : x;", note="C++ <cstdlib>"),
        Overload((_p("x", "long long"),), ret="long long", semantics="return x < 0 ? -x : x;", note="C++ <cstdlib>"),
        Overload((_p("x", "float"),), ret="float", semantics="return fabsf(x);", note="C++ <cmath>"),
        Overload((_p("x", "double"),), ret="double", semantics="return fabs(x);", note="C++ <cmath>"),
    ), "math", "Absolute value |x|. For int, abs(INT_MIN) is undefined behaviour (it wraps to INT_MIN on "
               "two's-complement hardware). std::abs also takes float and double (= fabs).",
        source="ISO C11 §7.22.6.1 <stdlib.h>, C++17 [c.math.abs]"),
    Intrinsic("labs", (Overload((_p("x", "long"),), ret="long", semantics="return x < 0 ? -x : x;"),),
              "math", "Absolute value of a long; labs(LONG_MIN) is undefined.", source="ISO C11 §7.22.6.1"),
    Intrinsic("llabs", (Overload((_p("x", "long long"),), ret="long long", semantics="return x < 0 ? -x : x;"),),
              "math", "Absolute value of a long long; llabs(LLONG_MIN) is undefined.", source="ISO C11 §7.22.6.1"),
]

INTRINSICS: dict[str, Intrinsic] = table(*_INTRINSICS)

# Every name is also declared in namespace std by <cmath>/<cstdlib> (C++17 [c.math]: std::sqrt,
# std::sqrtf, std::isnan, std::abs, std::labs...), as the same function.
STD_NAMES: tuple[str, ...] = tuple(INTRINSICS)


# --------------------------------------------------------------------------------------------
# Macro constants: name -> (C spelling of the value, C type, doc).
CONSTANTS: dict[str, tuple[str, str, str]] = {
    # <math.h> (M_* are POSIX/XSI, double)
    "M_E": ("2.7182818284590452354", "double", "e, the base of natural logarithms"),
    "M_LOG2E": ("1.4426950408889634074", "double", "log₂ e"),
    "M_LOG10E": ("0.43429448190325182765", "double", "log₁₀ e"),
    "M_LN2": ("0.69314718055994530942", "double", "ln 2"),
    "M_LN10": ("2.30258509299404568402", "double", "ln 10"),
    "M_PI": ("3.14159265358979323846", "double", "π"),
    "M_PI_2": ("1.57079632679489661923", "double", "π/2"),
    "M_PI_4": ("0.78539816339744830962", "double", "π/4"),
    "M_1_PI": ("0.31830988618379067154", "double", "1/π"),
    "M_2_PI": ("0.63661977236758134308", "double", "2/π"),
    "M_2_SQRTPI": ("1.12837916709551257390", "double", "2/√π"),
    "M_SQRT2": ("1.41421356237309504880", "double", "√2"),
    "M_SQRT1_2": ("0.70710678118654752440", "double", "1/√2"),
    "INFINITY": ("(__builtin_inff())", "float", "positive infinity, a float constant expression"),
    "NAN": ("(__builtin_nanf(\"\"))", "float", "a quiet NaN (bit pattern 0x7FC00000), a float constant expression"),
    "HUGE_VAL": ("(__builtin_huge_val())", "double", "+∞ as a double (the overflow result of double functions)"),
    "HUGE_VALF": ("(__builtin_huge_valf())", "float", "+∞ as a float"),
    # <float.h>
    "FLT_MAX": ("3.40282347e+38F", "float", "largest finite float, (2 − 2⁻²³)·2¹²⁷"),
    "FLT_MIN": ("1.17549435e-38F", "float", "smallest positive normal float, 2⁻¹²⁶ (not the most negative float: that is −FLT_MAX)"),
    "FLT_TRUE_MIN": ("1.40129846e-45F", "float", "smallest positive subnormal float, 2⁻¹⁴⁹"),
    "FLT_EPSILON": ("1.19209290e-7F", "float", "2⁻²³, the gap between 1 and the next float"),
    "FLT_MANT_DIG": ("24", "int", "bits in the float significand (with the implicit bit)"),
    "FLT_DIG": ("6", "int", "decimal digits a float round-trips"),
    "FLT_MIN_EXP": ("(-125)", "int", "minimum e with 2^(e−1) a normal float"),
    "FLT_MAX_EXP": ("128", "int", "maximum e with 2^(e−1) a finite float"),
    "FLT_RADIX": ("2", "int", "radix of the floating types"),
    "DBL_MAX": ("1.7976931348623157e+308", "double", "largest finite double, (2 − 2⁻⁵²)·2¹⁰²³"),
    "DBL_MIN": ("2.2250738585072014e-308", "double", "smallest positive normal double, 2⁻¹⁰²²"),
    "DBL_TRUE_MIN": ("4.9406564584124654e-324", "double", "smallest positive subnormal double, 2⁻¹⁰⁷⁴"),
    "DBL_EPSILON": ("2.2204460492503131e-16", "double", "2⁻⁵², the gap between 1 and the next double"),
    "DBL_MANT_DIG": ("53", "int", "bits in the double significand"),
    "DBL_DIG": ("15", "int", "decimal digits a double round-trips"),
    "DBL_MIN_EXP": ("(-1021)", "int", "minimum e with 2^(e−1) a normal double"),
    "DBL_MAX_EXP": ("1024", "int", "maximum e with 2^(e−1) a finite double"),
    # <limits.h> (LP64: long is 64 bits; char is signed on x86-64)
    "CHAR_BIT": ("8", "int", "bits in a char"),
    "SCHAR_MIN": ("(-128)", "int", "minimum signed char"),
    "SCHAR_MAX": ("127", "int", "maximum signed char"),
    "UCHAR_MAX": ("255", "int", "maximum unsigned char"),
    "CHAR_MIN": ("(-128)", "int", "minimum char (char is signed on x86-64 and the GPUs' hosts)"),
    "CHAR_MAX": ("127", "int", "maximum char"),
    "SHRT_MIN": ("(-32768)", "int", "minimum short"),
    "SHRT_MAX": ("32767", "int", "maximum short"),
    "USHRT_MAX": ("65535", "int", "maximum unsigned short"),
    "INT_MIN": ("(-2147483647 - 1)", "int", "minimum int, −2³¹"),
    "INT_MAX": ("2147483647", "int", "maximum int, 2³¹ − 1"),
    "UINT_MAX": ("4294967295U", "unsigned int", "maximum unsigned int, 2³² − 1"),
    "LONG_MIN": ("(-9223372036854775807L - 1)", "long", "minimum long (64-bit on LP64)"),
    "LONG_MAX": ("9223372036854775807L", "long", "maximum long (64-bit on LP64)"),
    "ULONG_MAX": ("18446744073709551615UL", "unsigned long", "maximum unsigned long"),
    "LLONG_MIN": ("(-9223372036854775807LL - 1)", "long long", "minimum long long, −2⁶³"),
    "LLONG_MAX": ("9223372036854775807LL", "long long", "maximum long long, 2⁶³ − 1"),
    "ULLONG_MAX": ("18446744073709551615ULL", "unsigned long long", "maximum unsigned long long, 2⁶⁴ − 1"),
    # <stdint.h>
    "INT8_MIN": ("(-128)", "int", "minimum int8_t"),
    "INT8_MAX": ("127", "int", "maximum int8_t"),
    "UINT8_MAX": ("255", "int", "maximum uint8_t"),
    "INT16_MIN": ("(-32768)", "int", "minimum int16_t"),
    "INT16_MAX": ("32767", "int", "maximum int16_t"),
    "UINT16_MAX": ("65535", "int", "maximum uint16_t"),
    "INT32_MIN": ("(-2147483647 - 1)", "int", "minimum int32_t"),
    "INT32_MAX": ("2147483647", "int", "maximum int32_t"),
    "UINT32_MAX": ("4294967295U", "unsigned int", "maximum uint32_t"),
    "INT64_MIN": ("(-9223372036854775807L - 1)", "long", "minimum int64_t (long on LP64)"),
    "INT64_MAX": ("9223372036854775807L", "long", "maximum int64_t"),
    "UINT64_MAX": ("18446744073709551615UL", "unsigned long", "maximum uint64_t"),
    "SIZE_MAX": ("18446744073709551615UL", "unsigned long", "maximum size_t"),
}
