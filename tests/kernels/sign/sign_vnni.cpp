// sign_vnni.cpp -- out[i] = sign(x[i]) in {-1, 0, +1} (torch.sign), float32, AVX-512F.
// Layout: flat arrays of n floats.  Comparisons produce __mmask16 predicates that
// select +1 / -1 into a zeroed register; a masked load/store covers the tail.
#include <immintrin.h>
#include <stdint.h>

// xpiler: args x=float32[2500] out=float32[2500] n=2500
extern "C" void sign_f32(const float* x, float* out, int n)
{
    const __m512 zero = _mm512_setzero_ps();
    const __m512 pos = _mm512_set1_ps(1.0f);
    const __m512 neg = _mm512_set1_ps(-1.0f);

    for (int i = 0; i < n; i += 16) {
        const int left = n - i;
        const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        __mmask16 gt = _mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ);
        __mmask16 lt = _mm512_cmp_ps_mask(v, zero, _CMP_LT_OQ);
        __m512 r = _mm512_maskz_mov_ps(gt, pos);   // +1 where x > 0, else 0
        r = _mm512_mask_mov_ps(r, lt, neg);        // -1 where x < 0
        _mm512_mask_storeu_ps(out + i, m, r);
    }
}
