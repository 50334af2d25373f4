/*
 * leaky_relu.c -- out[i] = x[i] > 0 ? x[i] : alpha * x[i].
 * Layout: flat float32 buffers of n elements; alpha is a scalar argument.
 */

// xpiler: args x=float32[1000] out=float32[1000] n=1000 alpha=0.01
void leaky_relu_f32(const float *restrict x, float *restrict out, int n, float alpha)
{
    for (int i = 0; i < n; ++i) {
        const float v = x[i];
        out[i] = v > 0.0f ? v : alpha * v;
    }
}
