/*
 * argmax.c -- out[r] = index of the first maximum of row r of x[rows, cols].
 * Layout: x float32 [rows, cols] row-major; out int32 [rows].  A strict comparison
 * keeps the first occurrence when values tie.
 */
#include <stddef.h>
#include <stdint.h>

// xpiler: args x=float32[41,203] out=int32[41] rows=41 cols=203
void argmax_rows(const float *restrict x, int32_t *restrict out, int rows, int cols)
{
    for (int r = 0; r < rows; ++r) {
        const float *xr = x + (size_t)r * cols;
        int best = 0;
        float bv = xr[0];
        for (int c = 1; c < cols; ++c) {
            if (xr[c] > bv) {
                bv = xr[c];
                best = c;
            }
        }
        out[r] = best;
    }
}
