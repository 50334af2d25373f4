// relu_vnni.cpp -- out[i] = max(x[i], 0), float32, AVX-512F.
// Layout: flat arrays of n floats.  Vector body two zmm per iteration; the remainder
// (fewer than 32 elements) is finished with plain scalar code.
#include <immintrin.h>
#include <stddef.h>

// xpiler: args x=float32[1999] out=float32[1999] n=1999
extern "C" void relu_f32(const float* __restrict x, float* __restrict out, int n)
{
    const __m512 zero = _mm512_setzero_ps();
    size_t i = 0;
    const size_t len = (size_t)n;

    for (; i + 32 <= len; i += 32) {
        __m512 v0 = _mm512_loadu_ps(x + i);
        __m512 v1 = _mm512_loadu_ps(x + i + 16);
        _mm512_storeu_ps(out + i, _mm512_max_ps(v0, zero));
        _mm512_storeu_ps(out + i + 16, _mm512_max_ps(v1, zero));
    }
    // scalar remainder
    for (; i < len; ++i)
        out[i] = x[i] > 0.0f ? x[i] : 0.0f;
}
