// sin_vnni.cpp -- out[i] = sin(x[i]), float32, AVX-512F.
// Layout: flat arrays of n floats.
// Vector sine with no libm call: j = round(x * 2/pi), r = x - j*pi/2 (Cody-Waite, pi/2 split
// in three floats, good for |x| up to a few thousand), then sin or cos minimax polynomial
// on |r| <= pi/4 chosen by the quadrant j mod 4, sign flipped for quadrants 2 and 3.
// Max error ~2 ulp for moderate |x|.  Remainder handled with a lane mask.
#include <immintrin.h>
#include <cmath>
#include <cstdint>

namespace {

constexpr float kTwoOverPi = static_cast<float>(2.0 / M_PI);
constexpr float kPio2A = 1.5703125f;                  // pi/2 = A + B + C
constexpr float kPio2B = 4.837512969970703125e-4f;
constexpr float kPio2C = 7.54978995489188216e-8f;

inline __m512 sin_ps(__m512 x)
{
    const __m512 jf = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(kTwoOverPi)),
                                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512i q = _mm512_cvtps_epi32(jf);

    __m512 r = _mm512_fnmadd_ps(jf, _mm512_set1_ps(kPio2A), x);
    r = _mm512_fnmadd_ps(jf, _mm512_set1_ps(kPio2B), r);
    r = _mm512_fnmadd_ps(jf, _mm512_set1_ps(kPio2C), r);
    const __m512 r2 = _mm512_mul_ps(r, r);

    // sin(r) = r + r^3 (s1 + r^2 (s2 + r^2 s3))
    __m512 s = _mm512_set1_ps(-1.9515295891e-4f);
    s = _mm512_fmadd_ps(s, r2, _mm512_set1_ps(8.3321608736e-3f));
    s = _mm512_fmadd_ps(s, r2, _mm512_set1_ps(-1.6666654611e-1f));
    s = _mm512_fmadd_ps(_mm512_mul_ps(s, r2), r, r);

    // cos(r) = 1 - r^2/2 + r^4 (c1 + r^2 (c2 + r^2 c3))
    __m512 c = _mm512_set1_ps(2.443315711809948e-5f);
    c = _mm512_fmadd_ps(c, r2, _mm512_set1_ps(-1.388731625493765e-3f));
    c = _mm512_fmadd_ps(c, r2, _mm512_set1_ps(4.166664568298827e-2f));
    c = _mm512_mul_ps(_mm512_mul_ps(c, r2), r2);
    c = _mm512_add_ps(_mm512_fnmadd_ps(_mm512_set1_ps(0.5f), r2, _mm512_set1_ps(1.0f)), c);

    const __mmask16 use_cos = _mm512_test_epi32_mask(q, _mm512_set1_epi32(1));
    const __mmask16 negate  = _mm512_test_epi32_mask(q, _mm512_set1_epi32(2));
    __m512 res = _mm512_mask_blend_ps(use_cos, s, c);
    // flip the sign bit in quadrants 2, 3
    const __m512i sign = _mm512_maskz_mov_epi32(negate, _mm512_set1_epi32(INT32_MIN));
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(res), sign));
}

} // namespace

// xpiler: args x=float32[2049] out=float32[2049] n=2049
extern "C" void sin_f32(const float* __restrict x, float* __restrict out, int n)
{
    int i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(out + i, sin_ps(_mm512_loadu_ps(x + i)));
    if (int rem = n - i) {
        const __mmask16 m = static_cast<__mmask16>((1u << rem) - 1);
        _mm512_mask_storeu_ps(out + i, m, sin_ps(_mm512_maskz_loadu_ps(m, x + i)));
    }
}
