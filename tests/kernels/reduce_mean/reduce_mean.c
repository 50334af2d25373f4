/*
 * reduce_mean.c -- row-wise mean over the last axis, out[r] = (1/cols) sum_c x[r, c].
 * Layout: x is row-major [rows, cols], out is [rows]; cols >= 1.
 */
#include <stdint.h>

// xpiler: args x=float32[100,333] out=float32[100] rows=100 cols=333
void reduce_mean_f32(const float *restrict x, float *restrict out, int rows, int cols)
{
    for (int r = 0; r < rows; ++r) {
        const float *p = x + (int64_t)r * cols;
        const float *end = p + cols;
        float acc = 0.0f;
        do {
            acc += *p++;
        } while (p < end);
        out[r] = acc / cols;
    }
}
