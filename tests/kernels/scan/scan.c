/*
 * scan.c -- inclusive prefix sum along each row: out[r, c] = x[r, 0] + ... + x[r, c].
 * Layout: x and out are float32 [rows, cols], row-major.  The running sum is kept in a
 * float, in column order, as a sequential reference would.
 */
#include <stddef.h>

// xpiler: args x=float32[9,500] out=float32[9,500] rows=9 cols=500
void scan_rows_f32(const float *restrict x, float *restrict out, int rows, int cols)
{
    for (int r = 0; r < rows; ++r) {
        const float *xr = x + (size_t)r * cols;
        float *yr = out + (size_t)r * cols;
        float run = 0.0f;
        for (int c = 0; c < cols; ++c) {
            run += xr[c];
            yr[c] = run;
        }
    }
}
