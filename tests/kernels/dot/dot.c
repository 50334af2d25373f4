/*
 * dot.c -- inner product out[0] = sum_i x[i] * y[i].
 * Layout: x, y float32 [n]; out float32 [1].  Four independent partial sums (i mod 4)
 * shorten the dependency chain; the tail and the four partials are added at the end.
 */

// xpiler: args x=float32[3003] y=float32[3003] out=float32[1] n=3003
void dot_f32(const float *restrict x, const float *restrict y, float *restrict out, int n)
{
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += x[i] * y[i];
        s1 += x[i + 1] * y[i + 1];
        s2 += x[i + 2] * y[i + 2];
        s3 += x[i + 3] * y[i + 3];
    }
    for (; i < n; ++i)
        s0 += x[i] * y[i];
    out[0] = (s0 + s1) + (s2 + s3);
}
