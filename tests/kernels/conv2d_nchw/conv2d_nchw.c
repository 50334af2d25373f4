/*
 * conv2d_nchw.c -- 2-D convolution in NCHW layout with zero padding and a square stride.
 * Layout: x is [N, C, H, W], w is [K, C, KH, KW] (OIHW), out is [N, K, OH, OW] with
 *   OH = (H + 2*pad - KH) / stride + 1,  OW = (W + 2*pad - KW) / stride + 1.
 */
#include <stddef.h>

static inline float load_padded(const float *restrict plane, int H, int W, int h, int w)
{
    return (h >= 0 && h < H && w >= 0 && w < W) ? plane[h * W + w] : 0.0f;
}

// xpiler: args x=float32[1,5,20,19] w=float32[8,5,3,3] out=float32[1,8,20,19] N=1 C=5 H=20 W=19 K=8 KH=3 KW=3 stride=1 pad=1
void conv2d_nchw_f32(const float *restrict x, const float *restrict w, float *restrict out,
                     int N, int C, int H, int W, int K, int KH, int KW, int stride, int pad)
{
    const int OH = (H + 2 * pad - KH) / stride + 1;
    const int OW = (W + 2 * pad - KW) / stride + 1;
    const size_t plane = (size_t)H * W;

    for (int n = 0; n < N; ++n) {
        for (int k = 0; k < K; ++k) {
            float *o = out + ((size_t)n * K + k) * OH * OW;
            for (int oh = 0; oh < OH; ++oh) {
                for (int ow = 0; ow < OW; ++ow) {
                    float acc = 0.0f;
                    for (int c = 0; c < C; ++c) {
                        const float *xp = x + ((size_t)n * C + c) * plane;
                        const float *wp = w + ((size_t)k * C + c) * KH * KW;
                        for (int r = 0; r < KH; ++r)
                            for (int s = 0; s < KW; ++s)
                                acc += load_padded(xp, H, W, oh * stride - pad + r,
                                                   ow * stride - pad + s) * wp[r * KW + s];
                    }
                    o[oh * OW + ow] = acc;
                }
            }
        }
    }
}
