/*
 * dense.c -- fully connected layer, out = x * W^T + bias.
 * Layout: x is [batch, in_features], W is [out_features, in_features] (PyTorch Linear),
 *         bias is [out_features], out is [batch, out_features]; all row-major.
 */

// xpiler: args x=float32[16,300] W=float32[129,300] bias=float32[129] out=float32[16,129] batch=16 in_features=300 out_features=129
void dense_f32(const float *restrict x, const float *restrict W,
               const float *restrict bias, float *restrict out,
               int batch, int in_features, int out_features)
{
    for (int b = 0; b < batch; ++b) {
        const float *xb = x + b * in_features;
        for (int o = 0; o < out_features; ++o) {
            const float *wo = W + o * in_features;
            float acc = bias[o];
            for (int i = 0; i < in_features; ++i)
                acc += xb[i] * wo[i];
            out[b * out_features + o] = acc;
        }
    }
}
