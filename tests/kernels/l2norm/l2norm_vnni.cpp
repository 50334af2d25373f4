// l2norm_vnni.cpp -- row-wise L2 normalisation, out[r, :] = x[r, :] / sqrt(sum x[r, :]^2 + eps).
// Layout: x and out float32 [rows, cols] row-major.  OpenMP over rows; per row a fused
// multiply-add accumulates the squares sixteen columns at a time (tail: masked load, zero
// lanes add nothing), _mm512_reduce_add_ps folds the lanes, and a second pass scales.
#include <immintrin.h>
#include <math.h>

// xpiler: args x=float32[37,53] out=float32[37,53] rows=37 cols=53 eps=1e-12
extern "C" void l2norm_rows(const float* __restrict x, float* __restrict out, int rows, int cols, float eps)
{
    #pragma omp parallel for schedule(static)
    for (int r = 0; r < rows; ++r) {
        const float* xr = x + (long)r * cols;
        float* yr = out + (long)r * cols;
        const int body = cols & ~15;
        const __mmask16 tail = (__mmask16)((1u << (cols - body)) - 1u);

        __m512 acc = _mm512_setzero_ps();
        for (int c = 0; c < body; c += 16) {
            const __m512 v = _mm512_loadu_ps(xr + c);
            acc = _mm512_fmadd_ps(v, v, acc);
        }
        if (tail) {
            const __m512 v = _mm512_maskz_loadu_ps(tail, xr + body);
            acc = _mm512_fmadd_ps(v, v, acc);
        }
        const __m512 inv = _mm512_set1_ps(1.0f / sqrtf(_mm512_reduce_add_ps(acc) + eps));

        for (int c = 0; c < body; c += 16)
            _mm512_storeu_ps(yr + c, _mm512_mul_ps(_mm512_loadu_ps(xr + c), inv));
        if (tail)
            _mm512_mask_storeu_ps(yr + body, tail, _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, xr + body), inv));
    }
}
