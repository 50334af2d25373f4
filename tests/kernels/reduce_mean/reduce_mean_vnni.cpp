// reduce_mean_vnni.cpp -- out[r] = mean_c x[r, c], row-wise over the last axis, float32.
// Layout: x [rows, cols] row-major, out [rows].
// Two accumulators over whole zmm vectors, scalar loop for the cols % 16 leftovers,
// then one multiply by 1/cols.
#include <immintrin.h>

#define V 16

// xpiler: args x=float32[48,250] out=float32[48] rows=48 cols=250
extern "C" void reduce_mean_f32(const float* x, float* out, int rows, int cols)
{
    const int body = cols / V * V;
    const float inv = 1.0 / cols;     // rounded once from double

    #pragma omp parallel for
    for (int r = 0; r < rows; r++) {
        const float* p = x + (long)r * cols;
        __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
        int c = 0;
        for (; c + 2 * V <= body; c += 2 * V) {
            s0 = _mm512_add_ps(s0, _mm512_loadu_ps(p + c));
            s1 = _mm512_add_ps(s1, _mm512_loadu_ps(p + c + V));
        }
        if (c < body)
            s0 = _mm512_add_ps(s0, _mm512_loadu_ps(p + c));
        float s = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
        for (c = body; c < cols; c++)
            s += p[c];
        out[r] = s * inv;
    }
}
