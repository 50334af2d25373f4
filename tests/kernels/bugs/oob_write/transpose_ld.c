/* transpose_ld.c -- out[cols, rows] = x[rows, cols]^T, float32, row-major, blocked by
 * 16 x 16 tiles so both the reads and the writes stay within a few cache lines. */
#define TB 16

// xpiler: args x=float32[40,72] out=float32[72,40] rows=40 cols=72
void transpose_ld(const float *x, float *out, int rows, int cols)
{
    for (int r0 = 0; r0 < rows; r0 += TB)
        for (int c0 = 0; c0 < cols; c0 += TB) {
            int r1 = r0 + TB < rows ? r0 + TB : rows;
            int c1 = c0 + TB < cols ? c0 + TB : cols;
            for (int c = c0; c < c1; ++c)
                for (int r = r0; r < r1; ++r)
                    out[(long)c * cols + r] = x[(long)r * cols + c];
        }
}
