/*
 * relu.c -- rectified linear unit, out[i] = max(x[i], 0).
 * Layout: flat float32 buffers of n elements.
 */
#include <math.h>

// xpiler: args x=float32[4099] out=float32[4099] n=4099
void relu_f32(const float *restrict x, float *restrict out, int n)
{
    int i = 0;
    while (i < n) {
        out[i] = fmaxf(x[i], 0.0f);
        ++i;
    }
}
