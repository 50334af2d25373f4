// dense_vnni.cpp -- fully connected layer, out = x W^T + bias, float32, AVX-512F.
// Layout: x [batch, in_features], W [out_features, in_features] (PyTorch Linear layout),
//         bias [out_features], out [batch, out_features]; all row-major.
// Both operands of each dot product are contiguous, so the reduction runs along
// in_features: four output features share every load of x, each with its own
// accumulator, finished with _mm512_reduce_add_ps.  in_features % 16 -> masked loads.
#include <immintrin.h>
#include <stddef.h>

static float dot_row(const float* a, const float* b, int n, int body, __mmask16 tail);

// xpiler: args x=float32[16,200] W=float32[70,200] bias=float32[70] out=float32[16,70] batch=16 in_features=200 out_features=70
extern "C" void dense_f32(const float* x, const float* W, const float* bias, float* out,
                          int batch, int in_features, int out_features)
{
    const int body = in_features & ~15;
    const __mmask16 tail = (__mmask16)((1u << (in_features & 15)) - 1);

    #pragma omp parallel for schedule(static)
    for (int b = 0; b < batch; ++b) {
        const float* xr = x + (size_t)b * in_features;
        float* yr = out + (size_t)b * out_features;
        int o = 0;
        for (; o + 4 <= out_features; o += 4) {
            const float* w0 = W + (size_t)o * in_features;
            const float* w1 = w0 + in_features;
            const float* w2 = w1 + in_features;
            const float* w3 = w2 + in_features;
            __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
            __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
            for (int k = 0; k < body; k += 16) {
                __m512 xv = _mm512_loadu_ps(xr + k);
                s0 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w0 + k), s0);
                s1 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w1 + k), s1);
                s2 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w2 + k), s2);
                s3 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w3 + k), s3);
            }
            if (tail) {
                __m512 xv = _mm512_maskz_loadu_ps(tail, xr + body);
                s0 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(tail, w0 + body), s0);
                s1 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(tail, w1 + body), s1);
                s2 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(tail, w2 + body), s2);
                s3 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(tail, w3 + body), s3);
            }
            yr[o]     = _mm512_reduce_add_ps(s0) + bias[o];
            yr[o + 1] = _mm512_reduce_add_ps(s1) + bias[o + 1];
            yr[o + 2] = _mm512_reduce_add_ps(s2) + bias[o + 2];
            yr[o + 3] = _mm512_reduce_add_ps(s3) + bias[o + 3];
        }
        for (; o < out_features; ++o)
            yr[o] = dot_row(xr, W + (size_t)o * in_features, in_features, body, tail) + bias[o];
    }
}

static float dot_row(const float* a, const float* b, int n, int body, __mmask16 tail)
{
    (void)n;
    __m512 s = _mm512_setzero_ps();
    for (int k = 0; k < body; k += 16)
        s = _mm512_fmadd_ps(_mm512_loadu_ps(a + k), _mm512_loadu_ps(b + k), s);
    if (tail)
        s = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, a + body), _mm512_maskz_loadu_ps(tail, b + body), s);
    return _mm512_reduce_add_ps(s);
}
