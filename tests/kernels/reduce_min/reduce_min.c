/*
 * reduce_min.c -- row-wise minimum over the last axis, out[r] = min_c x[r, c].
 * Layout: x is row-major [rows, cols], out is [rows].
 */
#include <float.h>

// xpiler: args x=float32[33,129] out=float32[33] rows=33 cols=129
void reduce_min_f32(const float *restrict x, float *restrict out, unsigned rows, unsigned cols)
{
    for (unsigned r = 0; r < rows; ++r) {
        float m = FLT_MAX;
        unsigned c = 0;
        while (c < cols) {
            const float v = x[r * cols + c];
            if (v < m)
                m = v;
            ++c;
        }
        out[r] = m;
    }
}
