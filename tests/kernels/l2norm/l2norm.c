/*
 * l2norm.c -- row-wise L2 normalisation: out[r, :] = x[r, :] / sqrt(sum_c x[r, c]^2 + eps).
 * Layout: x and out float32 [rows, cols], row-major.  Two passes per row: the sum of
 * squares, then the scaling by one reciprocal square root.
 */
#include <math.h>
#include <stddef.h>

// xpiler: args x=float32[37,53] out=float32[37,53] rows=37 cols=53 eps=1e-12
void l2norm_rows(const float *restrict x, float *restrict out, int rows, int cols, float eps)
{
    for (int r = 0; r < rows; ++r) {
        const float *xr = x + (size_t)r * cols;
        float *yr = out + (size_t)r * cols;
        float ss = 0.0f;
        for (int c = 0; c < cols; ++c)
            ss += xr[c] * xr[c];
        const float inv = 1.0f / sqrtf(ss + eps);
        for (int c = 0; c < cols; ++c)
            yr[c] = xr[c] * inv;
    }
}
