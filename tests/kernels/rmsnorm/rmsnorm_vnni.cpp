// rmsnorm_vnni.cpp -- RMSNorm over the last axis, float32, AVX-512F.
// Layout: x, out [rows, cols] row-major, weight [cols].
//   out[r, c] = x[r, c] / sqrt(mean(x[r, :]^2) + eps) * weight[c]
// Vector body of 16 floats; the last cols % 16 columns are done with scalar code.
#include <immintrin.h>
#include <math.h>

// xpiler: args x=float32[50,333] weight=float32[333] out=float32[50,333] rows=50 cols=333 eps=1e-6
extern "C" void rmsnorm_f32(const float* x, const float* weight, float* out,
                            int rows, int cols, float eps)
{
    const int body = cols - cols % 16;

    #pragma omp parallel for schedule(static)
    for (int r = 0; r < rows; ++r) {
        const float* xr = x + (long long)r * cols;
        float* yr = out + (long long)r * cols;

        __m512 acc = _mm512_setzero_ps();
        for (int c = 0; c < body; c += 16) {
            const __m512 v = _mm512_loadu_ps(xr + c);
            acc = _mm512_fmadd_ps(v, v, acc);
        }
        float ss = _mm512_reduce_add_ps(acc);
        for (int c = body; c < cols; ++c)
            ss += xr[c] * xr[c];

        const float scale = 1.0 / sqrt(ss / cols + eps);
        const __m512 vs = _mm512_set1_ps(scale);
        for (int c = 0; c < body; c += 16) {
            const __m512 v = _mm512_mul_ps(_mm512_loadu_ps(xr + c), vs);
            _mm512_storeu_ps(yr + c, _mm512_mul_ps(v, _mm512_loadu_ps(weight + c)));
        }
        for (int c = body; c < cols; ++c)
            yr[c] = xr[c] * scale * weight[c];
    }
}
