/*
 * concat.c -- concatenation of two matrices along the last axis.
 * Layout: a is [rows, cols_a], b is [rows, cols_b], out is [rows, cols_a + cols_b];
 *   out[r, :cols_a] = a[r, :],  out[r, cols_a:] = b[r, :].
 */
#include <stddef.h>

// xpiler: args a=float32[45,33] b=float32[45,70] out=float32[45,103] rows=45 cols_a=33 cols_b=70
void concat_f32(const float *restrict a, const float *restrict b, float *restrict out,
                int rows, int cols_a, int cols_b)
{
    const size_t cols_out = (size_t)cols_a + (size_t)cols_b;
    for (int r = 0; r < rows; ++r) {
        float *dst = out + (size_t)r * cols_out;
        for (int c = 0; c < cols_a; ++c)
            dst[c] = a[(size_t)r * cols_a + c];
        for (int c = 0; c < cols_b; ++c)
            dst[cols_a + c] = b[(size_t)r * cols_b + c];
    }
}
