/*
 * sigmoid.c -- logistic function, out[i] = 1 / (1 + exp(-x[i])).
 * Layout: flat float32 buffers of n elements.
 */
#include <math.h>
#include <stdint.h>

// xpiler: args x=float32[2500] out=float32[2500] n=2500
void sigmoid_f32(const float *restrict x, float *restrict out, int32_t n)
{
    for (int32_t i = 0; i < n; ++i) {
        const float v = x[i];
        out[i] = 1.0f / (1.0f + expf(-v));
    }
}
