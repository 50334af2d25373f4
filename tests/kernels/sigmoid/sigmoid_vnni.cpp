// sigmoid_vnni.cpp -- out[i] = 1 / (1 + exp(-x[i])), float32, AVX-512F.
// Layout: flat arrays of n floats.
// exp() is a vector polynomial (gcc has no SVML): n = round(x log2 e), r = x - n ln2 in two
// pieces, e^r by a degree-6 minimax polynomial, and 2^n applied with _mm512_scalef_ps.
// Relative error ~1e-7 over the clamped range [-87, 88].
#include <immintrin.h>
#include <float.h>

#define EXP_HI   88.3762626647949f
#define EXP_LO  -87.3365447504019f
#define LOG2EF   1.44269504088896341f
#define C1       0.693359375f
#define C2      -2.12194440e-4f

static inline __m512 vexp_ps(__m512 x)
{
    x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(EXP_HI)), _mm512_set1_ps(EXP_LO));
    __m512 fx = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(LOG2EF)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    x = _mm512_fnmadd_ps(fx, _mm512_set1_ps(C1), x);
    x = _mm512_fnmadd_ps(fx, _mm512_set1_ps(C2), x);

    __m512 y = _mm512_set1_ps(1.9875691500E-4f);
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(1.3981999507E-3f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(8.3334519073E-3f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(4.1665795894E-2f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(1.6666665459E-1f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(5.0000001201E-1f));
    y = _mm512_fmadd_ps(y, _mm512_mul_ps(x, x), x);
    y = _mm512_add_ps(y, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(y, fx);
}

// xpiler: args x=float32[3000] out=float32[3000] n=3000
extern "C" void sigmoid_f32(const float* x, float* out, int n)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    const int full = n & ~15;

    #pragma omp parallel for
    for (int i = 0; i < full; i += 16) {
        __m512 e = vexp_ps(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_loadu_ps(x + i)));
        _mm512_storeu_ps(out + i, _mm512_div_ps(one, _mm512_add_ps(one, e)));
    }
    if (full < n) {
        const __mmask16 m = (__mmask16)(0xFFFFu >> (16 - (n - full)));
        __m512 e = vexp_ps(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_maskz_loadu_ps(m, x + full)));
        _mm512_mask_storeu_ps(out + full, m, _mm512_div_ps(one, _mm512_add_ps(one, e)));
    }
}
