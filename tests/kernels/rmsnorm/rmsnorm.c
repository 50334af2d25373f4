/*
 * rmsnorm.c -- RMS normalisation over the last axis.
 * Layout: x and out are row-major [rows, cols]; weight is [cols].
 *   out[r, c] = x[r, c] / sqrt(mean_j x[r, j]^2 + eps) * weight[c]
 */
#include <math.h>

static inline float row_mean_square(const float *restrict v, int n)
{
    float acc = 0.0f;
    for (int i = 0; i < n; ++i)
        acc += v[i] * v[i];
    return acc / (float)n;
}

// xpiler: args x=float32[50,250] weight=float32[250] out=float32[50,250] rows=50 cols=250 eps=1e-6
void rmsnorm_f32(const float *restrict x, const float *restrict weight,
                 float *restrict out, int rows, int cols, float eps)
{
    for (int r = 0; r < rows; ++r) {
        const float *xr = &x[r * cols];
        float *yr = &out[r * cols];
        const float scale = 1.0f / sqrtf(row_mean_square(xr, cols) + eps);
        for (int c = 0; c < cols; ++c)
            yr[c] = xr[c] * scale * weight[c];
    }
}
