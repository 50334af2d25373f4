/*
 * sign.c -- signum, out[i] = -1, 0 or +1 according to the sign of x[i] (torch.sign).
 * Layout: flat float32 buffers of n elements.
 */

#define SIGNUM(v) ((v) > 0.0f ? 1.0f : ((v) < 0.0f ? -1.0f : 0.0f))

// xpiler: args x=float32[1000] out=float32[1000] n=1000
void sign_f32(const float *restrict x, float *restrict out, unsigned n)
{
    for (unsigned i = 0; i < n; ++i)
        out[i] = SIGNUM(x[i]);
}
