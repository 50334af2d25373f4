// gelu_vnni.cpp -- exact (erf-based) GELU, out = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)),
// float32, AVX-512F.  Layout: flat arrays of n floats.
//
// gcc has no vector erf/exp intrinsics (those are SVML), so both are done here:
//  * exp: Cody-Waite range reduction x = k ln2 + r, degree-6 polynomial on
//    |r| <= ln2/2, and 2^k applied with vscalefps (no exponent bit fiddling needed);
//  * Phi: erfc(z), z = |x|/sqrt 2, from the classic Chebyshev-fitted form
//        erfc(z) ~= t exp(-z^2 - 1.26551223 + t P(t)),  t = 1 / (1 + z/2),  P of degree 8,
//    whose fractional error is below 1.2e-7 for every z >= 0.  Phi(x) = 0.5 erfc(z) for
//    x < 0 and 1 - 0.5 erfc(z) otherwise, so the left tail keeps its relative accuracy
//    (no 1 + erf cancellation).
#include <immintrin.h>
#include <math.h>

static inline __m512 exp512(__m512 x);
static inline __m512 phi512(__m512 x);

// xpiler: args x=float32[4097] out=float32[4097] n=4097
extern "C" void gelu_f32(const float* __restrict x, float* __restrict out, int n)
{
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i += 16) {
        const int left = n - i;
        const __mmask16 m = left < 16 ? (__mmask16)((1u << left) - 1u) : (__mmask16)0xFFFF;
        const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        _mm512_mask_storeu_ps(out + i, m, _mm512_mul_ps(v, phi512(v)));
    }
}

static inline __m512 exp512(__m512 x)
{
    const __m512 log2e = _mm512_set1_ps(1.44269504088896341f);
    const __m512 ln2_hi = _mm512_set1_ps(0.693359375f);
    const __m512 ln2_lo = _mm512_set1_ps(-2.12194440e-4f);

    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-103.0f)), _mm512_set1_ps(88.7f));
    __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, ln2_hi, x);
    r = _mm512_fnmadd_ps(k, ln2_lo, r);

    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    __m512 r2 = _mm512_mul_ps(r, r);
    p = _mm512_fmadd_ps(p, r2, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, k);
}

static inline __m512 phi512(__m512 x)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 half = _mm512_set1_ps(0.5f);
    const __m512 z = _mm512_mul_ps(_mm512_abs_ps(x), _mm512_set1_ps((float)M_SQRT1_2));

    const __m512 t = _mm512_div_ps(one, _mm512_fmadd_ps(half, z, one));
    __m512 poly = _mm512_set1_ps(0.17087277f);
    poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(-0.82215223f));
    poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(1.48851587f));
    poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(-1.13520398f));
    poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(0.27886807f));
    poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(-0.18628806f));
    poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(0.09678418f));
    poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(0.37409196f));
    poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(1.00002368f));
    poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(-1.26551223f));
    // exponent: -z^2 + (-1.26551223 + t P(t))
    const __m512 arg = _mm512_fnmadd_ps(z, z, poly);

    // 0.5 * erfc(z)
    const __m512 tail = _mm512_mul_ps(_mm512_mul_ps(half, t), exp512(arg));
    const __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_blend_ps(negative, _mm512_sub_ps(one, tail), tail);
}
