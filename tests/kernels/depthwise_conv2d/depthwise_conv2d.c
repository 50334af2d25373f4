/*
 * depthwise_conv2d.c -- depthwise 2-D convolution, NHWC, zero padding, square stride.
 * Layout: x is [N, H, W, C], w is [KH, KW, C] (one KHxKW filter per channel),
 *         out is [N, OH, OW, C]; OH = (H + 2*pad - KH) / stride + 1, likewise OW.
 */
#include <stdint.h>

// xpiler: args x=float32[2,19,21,13] w=float32[5,5,13] out=float32[2,10,11,13] N=2 H=19 W=21 C=13 KH=5 KW=5 stride=2 pad=2
void depthwise_conv2d_f32(const float *restrict x, const float *restrict w, float *restrict out,
                          int N, int H, int W, int C, int KH, int KW, int stride, int pad)
{
    const int OH = (H + 2 * pad - KH) / stride + 1;
    const int OW = (W + 2 * pad - KW) / stride + 1;

    for (int n = 0; n < N; ++n) {
        for (int oh = 0; oh < OH; ++oh) {
            for (int ow = 0; ow < OW; ++ow) {
                float *o = &out[(((int64_t)n * OH + oh) * OW + ow) * C];
                for (int c = 0; c < C; ++c)
                    o[c] = 0.0f;

                for (int r = 0; r < KH; ++r) {
                    const int ih = oh * stride - pad + r;
                    if (ih < 0 || ih >= H)
                        continue;
                    for (int s = 0; s < KW; ++s) {
                        const int iw = ow * stride - pad + s;
                        if (iw < 0 || iw >= W)
                            continue;
                        const float *xi = &x[(((int64_t)n * H + ih) * W + iw) * C];
                        const float *wi = &w[(r * KW + s) * C];
                        for (int c = 0; c < C; ++c)
                            o[c] += xi[c] * wi[c];
                    }
                }
            }
        }
    }
}
