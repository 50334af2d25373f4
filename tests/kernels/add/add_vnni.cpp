// add_vnni.cpp -- element-wise out[i] = x[i] + y[i], float32, AVX-512F.
// Layout: three flat contiguous arrays of n floats.  The main loop handles 64 floats
// (four zmm registers) per iteration, then single vectors, then one masked tail.
#include <immintrin.h>
#include <stdint.h>

#define VEC 16          // floats per zmm register
#define UNROLL 4

// xpiler: args x=float32[2011] y=float32[2011] out=float32[2011] n=2011
extern "C" void add_f32(const float* __restrict x, const float* __restrict y,
                        float* __restrict out, int n)
{
    int i = 0;
    for (; i + UNROLL * VEC <= n; i += UNROLL * VEC) {
        __m512 a0 = _mm512_loadu_ps(x + i);
        __m512 a1 = _mm512_loadu_ps(x + i + VEC);
        __m512 a2 = _mm512_loadu_ps(x + i + 2 * VEC);
        __m512 a3 = _mm512_loadu_ps(x + i + 3 * VEC);
        __m512 b0 = _mm512_loadu_ps(y + i);
        __m512 b1 = _mm512_loadu_ps(y + i + VEC);
        __m512 b2 = _mm512_loadu_ps(y + i + 2 * VEC);
        __m512 b3 = _mm512_loadu_ps(y + i + 3 * VEC);
        _mm512_storeu_ps(out + i,           _mm512_add_ps(a0, b0));
        _mm512_storeu_ps(out + i + VEC,     _mm512_add_ps(a1, b1));
        _mm512_storeu_ps(out + i + 2 * VEC, _mm512_add_ps(a2, b2));
        _mm512_storeu_ps(out + i + 3 * VEC, _mm512_add_ps(a3, b3));
    }
    for (; i + VEC <= n; i += VEC)
        _mm512_storeu_ps(out + i, _mm512_add_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));

    if (i < n) {
        // fewer than 16 left: mask off the lanes past the end
        const __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        __m512 a = _mm512_maskz_loadu_ps(m, x + i);
        __m512 b = _mm512_maskz_loadu_ps(m, y + i);
        _mm512_mask_storeu_ps(out + i, m, _mm512_add_ps(a, b));
    }
}
