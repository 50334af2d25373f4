/*
 * reduce_max.c -- row-wise maximum over the last axis, out[r] = max_c x[r, c].
 * Layout: x is row-major [rows, cols], out is [rows].
 */
#include <math.h>

#define ROW_PTR(base, r, cols) ((base) + (long)(r) * (cols))

// xpiler: args x=float32[64,257] out=float32[64] rows=64 cols=257
void reduce_max_f32(const float *restrict x, float *restrict out, int rows, int cols)
{
    for (int r = 0; r < rows; ++r) {
        const float *row = ROW_PTR(x, r, cols);
        float m = -INFINITY;
        for (int c = 0; c < cols; ++c)
            m = fmaxf(m, row[c]);
        out[r] = m;
    }
}
