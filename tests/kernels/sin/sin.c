/*
 * sin.c -- element-wise sine, out[i] = sin(x[i]).
 * Layout: flat float32 buffers of n elements.
 */
#include <math.h>
#include <stddef.h>

// xpiler: args x=float32[1999] out=float32[1999] n=1999
void sin_f32(const float *restrict x, float *restrict out, long n)
{
    for (long i = 0; i < n; ++i)
        out[i] = sinf(x[i]);
}
