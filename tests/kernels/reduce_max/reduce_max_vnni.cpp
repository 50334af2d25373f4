// reduce_max_vnni.cpp -- out[r] = max_c x[r, c], row-wise over the last axis, float32.
// Layout: x [rows, cols] row-major, out [rows].
// Dead lanes of the masked tail load are filled with -inf (mask_loadu with a -inf
// source), so they never win; the horizontal step is _mm512_reduce_max_ps.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

// xpiler: args x=float32[40,131] out=float32[40] rows=40 cols=131
extern "C" void reduce_max_f32(const float* x, float* out, int rows, int cols)
{
    const __m512 ninf = _mm512_set1_ps(-INFINITY);

    #pragma omp parallel for schedule(static)
    for (int r = 0; r < rows; ++r) {
        const float* p = x + (int64_t)r * cols;
        __m512 m0 = ninf, m1 = ninf;
        int c = 0;
        for (; c + 32 <= cols; c += 32) {
            m0 = _mm512_max_ps(m0, _mm512_loadu_ps(p + c));
            m1 = _mm512_max_ps(m1, _mm512_loadu_ps(p + c + 16));
        }
        for (; c < cols; c += 16) {
            const uint32_t left = (uint32_t)(cols - c);
            const __mmask16 k = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
            m0 = _mm512_max_ps(m0, _mm512_mask_loadu_ps(ninf, k, p + c));
        }
        out[r] = _mm512_reduce_max_ps(_mm512_max_ps(m0, m1));
    }
}
