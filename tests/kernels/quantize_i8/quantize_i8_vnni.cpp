// quantize_i8_vnni.cpp -- symmetric int8 quantization, AVX-512F:
//   out[i] = saturate_int8(round_half_even(x[i] * (1 / scale))).
// Layout: x float32 [n], out int8 [n].  vcvtps2dq rounds with the MXCSR default (nearest,
// ties to even); vpmovsdb narrows int32 -> int8 with signed saturation, so values past
// +-127.5 become 127 / -128 instead of wrapping.  The tail runs under a lane mask: masked
// float load, masked byte store.
#include <immintrin.h>
#include <stdint.h>

// xpiler: args x=float32[2001] out=int8[2001] n=2001 scale=0.015625
extern "C" void quantize_i8(const float* __restrict x, int8_t* __restrict out, int n, float scale)
{
    const __m512 inv = _mm512_set1_ps(1.0f / scale);
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512i q = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x + i), inv));
        _mm_storeu_si128((__m128i*)(out + i), _mm512_cvtsepi32_epi8(q));
    }
    if (i < n) {
        const __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        const __m512i q = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), inv));
        _mm_mask_storeu_epi8(out + i, m, _mm512_cvtsepi32_epi8(q));
    }
}
