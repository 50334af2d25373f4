/*
 * quantize_i8.c -- symmetric per-tensor int8 quantization:
 *   out[i] = saturate(round_half_even(x[i] * (1 / scale)))  into [-128, 127].
 * Layout: x float32 [n], out int8 [n].  nearbyintf rounds in the default
 * round-to-nearest-even mode; values beyond the int8 range saturate (no wrap-around).
 */
#include <math.h>
#include <stdint.h>

// xpiler: args x=float32[2001] out=int8[2001] n=2001 scale=0.015625
void quantize_i8(const float *restrict x, int8_t *restrict out, int n, float scale)
{
    const float inv = 1.0f / scale;
    for (int i = 0; i < n; ++i) {
        float q = nearbyintf(x[i] * inv);
        if (q > 127.0f)
            q = 127.0f;
        if (q < -128.0f)
            q = -128.0f;
        out[i] = (int8_t)q;
    }
}
