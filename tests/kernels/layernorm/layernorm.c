/*
 * layernorm.c -- layer normalisation over the last axis (biased variance, as PyTorch).
 * Layout: x and out are row-major [rows, cols]; gamma and beta are [cols].
 *   out[r, c] = (x[r, c] - mean_r) / sqrt(var_r + eps) * gamma[c] + beta[c]
 * The two row statistics are accumulated in double: cols is long enough that a float
 * running sum would lose digits.
 */
#include <math.h>
#include <stddef.h>

// xpiler: args x=float32[64,513] gamma=float32[513] beta=float32[513] out=float32[64,513] rows=64 cols=513 eps=1e-5
void layernorm_f32(const float *restrict x, const float *restrict gamma,
                   const float *restrict beta, float *restrict out,
                   int rows, int cols, float eps)
{
    for (int r = 0; r < rows; ++r) {
        const size_t base = (size_t)r * (size_t)cols;

        double sum = 0.0;
        for (int c = 0; c < cols; ++c)
            sum += x[base + c];
        const float mean = (float)(sum / cols);

        double sq = 0.0;
        for (int c = 0; c < cols; ++c) {
            const float d = x[base + c] - mean;
            sq += (double)d * d;
        }
        const float var = (float)(sq / cols);
        const float rstd = 1.0f / sqrtf(var + eps);

        for (int c = 0; c < cols; ++c)
            out[base + c] = (x[base + c] - mean) * rstd * gamma[c] + beta[c];
    }
}
