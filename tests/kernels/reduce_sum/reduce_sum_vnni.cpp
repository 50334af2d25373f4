// reduce_sum_vnni.cpp -- out[r] = sum_c x[r, c], row-wise over the last axis, float32.
// Layout: x [rows, cols] row-major, out [rows].
// Four independent zmm accumulators (64 floats in flight) hide the 4-cycle add latency
// and keep the float rounding error small; the last partial vector is masked.
#include <immintrin.h>
#include <stdint.h>

// xpiler: args x=float32[33,1000] out=float32[33] rows=33 cols=1000
extern "C" void reduce_sum_f32(const float* x, float* out, int rows, int cols)
{
    #pragma omp parallel for schedule(static)
    for (int r = 0; r < rows; ++r) {
        const float* p = x + (int64_t)r * cols;
        __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
        __m512 a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
        int c = 0;
        for (; c + 64 <= cols; c += 64) {
            a0 = _mm512_add_ps(a0, _mm512_loadu_ps(p + c));
            a1 = _mm512_add_ps(a1, _mm512_loadu_ps(p + c + 16));
            a2 = _mm512_add_ps(a2, _mm512_loadu_ps(p + c + 32));
            a3 = _mm512_add_ps(a3, _mm512_loadu_ps(p + c + 48));
        }
        for (; c + 16 <= cols; c += 16)
            a0 = _mm512_add_ps(a0, _mm512_loadu_ps(p + c));
        if (c < cols)
            a1 = _mm512_add_ps(a1, _mm512_maskz_loadu_ps((__mmask16)((1u << (cols - c)) - 1u), p + c));
        out[r] = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
    }
}
