// dot_u8s8_vnni.cpp -- integer inner product out[0] = sum_i x[i] * y[i], exact in int32.
// Layout: x uint8 [n], y int8 [n], out int32 [1].
// vpdpbusd multiplies 64 unsigned bytes by 64 signed bytes and adds each group of four
// products into one int32 lane (no saturation: the _dpbusds_ form would saturate, this
// one wraps, which never happens here: |sum| <= n * 255 * 128 < 2^31).  Two accumulators
// alternate over 128-byte steps; the remainder goes through masked byte loads, whose zero
// lanes contribute nothing.  _mm512_reduce_add_epi32 folds the sixteen lanes.
#include <immintrin.h>
#include <stdint.h>

// xpiler: args x=uint8[2000] y=int8[2000] out=int32[1] n=2000
extern "C" void dot_u8s8(const uint8_t* __restrict x, const int8_t* __restrict y, int32_t* __restrict out, int n)
{
    __m512i acc0 = _mm512_setzero_si512();
    __m512i acc1 = _mm512_setzero_si512();
    int i = 0;
    for (; i + 128 <= n; i += 128) {
        acc0 = _mm512_dpbusd_epi32(acc0, _mm512_loadu_si512((const void*)(x + i)),
                                   _mm512_loadu_si512((const void*)(y + i)));
        acc1 = _mm512_dpbusd_epi32(acc1, _mm512_loadu_si512((const void*)(x + i + 64)),
                                   _mm512_loadu_si512((const void*)(y + i + 64)));
    }
    for (; i < n; i += 64) {
        const int left = n - i;
        const __mmask64 m = left >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << left) - 1);
        acc0 = _mm512_dpbusd_epi32(acc0, _mm512_maskz_loadu_epi8(m, x + i), _mm512_maskz_loadu_epi8(m, y + i));
    }
    out[0] = _mm512_reduce_add_epi32(_mm512_add_epi32(acc0, acc1));
}
