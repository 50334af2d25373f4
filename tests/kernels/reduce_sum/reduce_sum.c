/*
 * reduce_sum.c -- row-wise sum over the last axis, out[r] = sum_c x[r, c].
 * Layout: x is row-major [rows, cols], out is [rows].
 * Rows are long (1000 terms), so the running sum is kept in double.
 */
#include <stddef.h>

// xpiler: args x=float32[40,1000] out=float32[40] rows=40 cols=1000
void reduce_sum_f32(const float *restrict x, float *restrict out, int rows, int cols)
{
    for (int r = 0; r < rows; ++r) {
        const float *row = x + (size_t)r * (size_t)cols;
        double acc = 0.0;
        for (int c = 0; c < cols; ++c)
            acc += row[c];
        out[r] = (float)acc;
    }
}
