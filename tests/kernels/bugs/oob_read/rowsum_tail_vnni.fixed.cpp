// rowsum_tail_vnni.cpp -- out[r] = sum_c x[r, c] over x[rows, cols] (float32, row-major),
// 16 floats per AVX-512 add; the last partial vector of a row has to be masked.
#include <immintrin.h>
#include <stdint.h>

// xpiler: args x=float32[20,300] out=float32[20] rows=20 cols=300
extern "C" void rowsum_tail(const float *x, float *out, int rows, int cols)
{
    for (int r = 0; r < rows; ++r) {
        const float *p = x + (int64_t)r * cols;
        __m512 acc = _mm512_setzero_ps();
        int c = 0;
        for (; c + 16 <= cols; c += 16)
            acc = _mm512_add_ps(acc, _mm512_loadu_ps(p + c));
        if (c < cols)
            acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps((__mmask16)((1u << (cols - c)) - 1u), p + c));
        out[r] = _mm512_reduce_add_ps(acc);
    }
}
