// batchnorm_vnni.cpp -- inference BatchNorm, float32, AVX-512F.
// Layout: x, out [N, C, HW] (NCHW with H*W flattened); mean, var, gamma, beta [C].
// Per channel the affine form is folded once:  out = x * s + t,
//   s = gamma / sqrt(var + eps),  t = beta - mean * s,
// then every (n, c) plane of HW contiguous floats is a single FMA stream with a masked tail.
#include <immintrin.h>
#include <cmath>
#include <cstdint>

// xpiler: args x=float32[3,20,197] mean=float32[20] var=float32[20] gamma=float32[20] beta=float32[20] out=float32[3,20,197] N=3 C=20 HW=197 eps=1e-5
extern "C" void batchnorm_f32(const float* x, const float* mean, const float* var,
                              const float* gamma, const float* beta, float* out,
                              int N, int C, int HW, float eps)
{
    const int body = HW & ~15;
    const __mmask16 tail = (__mmask16)((1u << (HW & 15)) - 1u);

    #pragma omp parallel for collapse(2) schedule(static)
    for (int n = 0; n < N; ++n) {
        for (int c = 0; c < C; ++c) {
            const float s = gamma[c] / std::sqrt(var[c] + eps);
            const float t = beta[c] - mean[c] * s;
            const __m512 vs = _mm512_set1_ps(s), vt = _mm512_set1_ps(t);
            const int64_t base = ((int64_t)n * C + c) * HW;
            const float* xp = x + base;
            float* yp = out + base;

            for (int i = 0; i < body; i += 16)
                _mm512_storeu_ps(yp + i, _mm512_fmadd_ps(_mm512_loadu_ps(xp + i), vs, vt));
            if (tail)
                _mm512_mask_storeu_ps(yp + body, tail,
                                      _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, xp + body), vs, vt));
        }
    }
}
