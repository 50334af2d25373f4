/*
 * add.c -- element-wise addition, out[i] = x[i] + y[i].
 * Layout: three flat float32 buffers of n elements.
 */
#include <stddef.h>

// xpiler: args x=float32[3001] y=float32[3001] out=float32[3001] n=3001
void add_f32(const float *restrict x, const float *restrict y,
             float *restrict out, int n)
{
    for (int i = 0; i < n; ++i)
        out[i] = x[i] + y[i];
}
