/*
 * transpose.c -- matrix transpose, out[c, r] = x[r, c].
 * Layout: x is row-major [rows, cols], out is row-major [cols, rows].
 */

// xpiler: args x=float32[67,129] out=float32[129,67] rows=67 cols=129
void transpose_f32(const float *restrict x, float *restrict out, int rows, int cols)
{
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            out[c * rows + r] = x[r * cols + c];
}
