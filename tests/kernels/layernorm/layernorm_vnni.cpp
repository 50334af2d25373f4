// layernorm_vnni.cpp -- LayerNorm over the last axis (biased variance, as PyTorch), float32.
// Layout: x, out [rows, cols] row-major; gamma, beta [cols].
//   mean = sum(x)/cols; var = sum((x-mean)^2)/cols; out = (x-mean)*rstd*gamma + beta.
// Two-pass statistics (numerically safer than E[x^2]-E[x]^2), 512-bit with masked tails,
// two independent accumulators to hide the add latency.  Rows are spread over threads.
#include <immintrin.h>
#include <cmath>

#define LANES 16
#define TAIL_MASK(n) ((__mmask16)((1u << (n)) - 1u))

// xpiler: args x=float32[64,200] gamma=float32[200] beta=float32[200] out=float32[64,200] rows=64 cols=200 eps=1e-5
extern "C" void layernorm_f32(const float* __restrict x, const float* __restrict gamma,
                              const float* __restrict beta, float* __restrict out,
                              int rows, int cols, float eps)
{
    const int body = cols / LANES * LANES;
    const int rem = cols - body;
    const float inv_n = 1.0f / (float)cols;

    #pragma omp parallel for
    for (int r = 0; r < rows; ++r) {
        const float* xr = x + (size_t)r * cols;
        float* yr = out + (size_t)r * cols;

        // ---- mean
        __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
        int c = 0;
        for (; c + 2 * LANES <= body; c += 2 * LANES) {
            s0 = _mm512_add_ps(s0, _mm512_loadu_ps(xr + c));
            s1 = _mm512_add_ps(s1, _mm512_loadu_ps(xr + c + LANES));
        }
        for (; c < body; c += LANES)
            s0 = _mm512_add_ps(s0, _mm512_loadu_ps(xr + c));
        if (rem)
            s1 = _mm512_add_ps(s1, _mm512_maskz_loadu_ps(TAIL_MASK(rem), xr + body));
        const float mean = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1)) * inv_n;
        const __m512 vmean = _mm512_set1_ps(mean);

        // ---- variance
        __m512 q0 = _mm512_setzero_ps(), q1 = _mm512_setzero_ps();
        for (c = 0; c < body; c += LANES) {
            __m512 d = _mm512_sub_ps(_mm512_loadu_ps(xr + c), vmean);
            if ((c / LANES) & 1) q1 = _mm512_fmadd_ps(d, d, q1);
            else                 q0 = _mm512_fmadd_ps(d, d, q0);
        }
        if (rem) {
            // zero-filled lanes would give (0 - mean)^2: subtract under the mask instead
            __m512 d = _mm512_maskz_sub_ps(TAIL_MASK(rem), _mm512_maskz_loadu_ps(TAIL_MASK(rem), xr + body), vmean);
            q1 = _mm512_fmadd_ps(d, d, q1);
        }
        const float var = _mm512_reduce_add_ps(_mm512_add_ps(q0, q1)) * inv_n;
        const __m512 rstd = _mm512_set1_ps(1.0f / std::sqrt(var + eps));

        // ---- normalise, scale, shift
        for (c = 0; c < body; c += LANES) {
            __m512 v = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(xr + c), vmean), rstd);
            _mm512_storeu_ps(yr + c, _mm512_fmadd_ps(v, _mm512_loadu_ps(gamma + c), _mm512_loadu_ps(beta + c)));
        }
        if (rem) {
            const __mmask16 m = TAIL_MASK(rem);
            __m512 v = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, xr + body), vmean), rstd);
            v = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(m, gamma + body), _mm512_maskz_loadu_ps(m, beta + body));
            _mm512_mask_storeu_ps(yr + body, m, v);
        }
    }
}
