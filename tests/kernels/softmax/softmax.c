/*
 * softmax.c -- row-wise softmax over the last axis.
 * Layout: x and out are row-major [rows, cols];
 *   out[r, c] = exp(x[r, c] - max_r) / sum_j exp(x[r, j] - max_r).
 */
#include <math.h>

// xpiler: args x=float32[37,301] out=float32[37,301] rows=37 cols=301
void softmax_f32(const float *restrict x, float *restrict out, int rows, int cols)
{
    for (int r = 0; r < rows; ++r) {
        const float *xr = x + (long)r * cols;
        float *yr = out + (long)r * cols;

        /* pass 1: row maximum, for numerical stability */
        float m = -INFINITY;
        for (int c = 0; c < cols; ++c)
            m = fmaxf(m, xr[c]);

        /* pass 2: exponentials and their sum */
        float sum = 0.0f;
        for (int c = 0; c < cols; ++c) {
            const float e = expf(xr[c] - m);
            yr[c] = e;
            sum += e;
        }

        /* pass 3: normalise */
        const float inv = 1.0f / sum;
        for (int c = 0; c < cols; ++c)
            yr[c] *= inv;
    }
}
