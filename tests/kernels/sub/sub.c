/*
 * sub.c -- element-wise subtraction, out[i] = x[i] - y[i].
 * Layout: three flat float32 buffers of n elements; n is taken as a size_t.
 */
#include <stddef.h>

// xpiler: args x=float32[1537] y=float32[1537] out=float32[1537] n=1537
void sub_f32(const float *restrict x, const float *restrict y,
             float *restrict out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = x[i] - y[i];
    }
}
