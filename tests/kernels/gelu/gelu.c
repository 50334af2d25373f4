/*
 * gelu.c -- exact GELU, out[i] = 0.5 * x * (1 + erf(x / sqrt(2))).
 * Layout: flat float32 buffers of n elements.
 */
#include <math.h>

#ifndef M_SQRT1_2
#define M_SQRT1_2 0.70710678118654752440   /* 1/sqrt(2); not in strict C11 */
#endif

static inline float gelu_scalar(float v)
{
    return 0.5 * v * (1.0f + erff(v * (float)M_SQRT1_2));
}

// xpiler: args x=float32[2311] out=float32[2311] n=2311
void gelu_f32(const float *restrict x, float *restrict out, int n)
{
    for (int i = 0; i < n; ++i)
        out[i] = gelu_scalar(x[i]);
}
