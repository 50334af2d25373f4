// leaky_relu_vnni.cpp -- out[i] = x[i] > 0 ? x[i] : alpha * x[i], float32, AVX-512F.
// Layout: flat arrays of n floats.  A compare mask selects the lanes at or below zero
// and only those are multiplied (merge-masked vmulps).  The tail is one masked load and
// one masked store, so no scalar loop is needed.
#include <immintrin.h>

// xpiler: args x=float32[1000] out=float32[1000] n=1000 alpha=0.01
extern "C" void leaky_relu_f32(const float* __restrict x, float* __restrict out, int n, float alpha)
{
    const __m512 a = _mm512_set1_ps(alpha);
    const __m512 zero = _mm512_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512 v = _mm512_loadu_ps(x + i);
        const __mmask16 neg = _mm512_cmp_ps_mask(v, zero, _CMP_LE_OQ);
        _mm512_storeu_ps(out + i, _mm512_mask_mul_ps(v, neg, v, a));
    }
    if (i < n) {
        const __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        const __mmask16 neg = _mm512_cmp_ps_mask(v, zero, _CMP_LE_OQ);
        _mm512_mask_storeu_ps(out + i, m, _mm512_mask_mul_ps(v, neg, v, a));
    }
}
