/*
 * batchnorm.c -- inference batch normalisation with per-channel statistics.
 * Layout: x and out are [N, C, HW] (NCHW with H*W flattened); mean, var, gamma, beta are [C].
 *   out[n, c, i] = (x[n, c, i] - mean[c]) / sqrt(var[c] + eps) * gamma[c] + beta[c]
 * Folded into one multiply-add per element: out = x * scale[c] + shift[c].
 */
#include <math.h>
#include <stdint.h>

#define IDX3(n, c, i) (((int64_t)(n) * C + (c)) * HW + (i))

// xpiler: args x=float32[3,17,197] mean=float32[17] var=float32[17] gamma=float32[17] beta=float32[17] out=float32[3,17,197] N=3 C=17 HW=197 eps=1e-5
void batchnorm_f32(const float *restrict x, const float *restrict mean,
                   const float *restrict var, const float *restrict gamma,
                   const float *restrict beta, float *restrict out,
                   int N, int C, int HW, float eps)
{
    for (int n = 0; n < N; ++n) {
        for (int c = 0; c < C; ++c) {
            const float scale = gamma[c] / sqrtf(var[c] + eps);
            const float shift = beta[c] - mean[c] * scale;
            for (int i = 0; i < HW; ++i)
                out[IDX3(n, c, i)] = x[IDX3(n, c, i)] * scale + shift;
        }
    }
}

#undef IDX3
