/*
 * conv2d_nhwc.c -- 2-D convolution in NHWC layout with zero padding and a square stride.
 * Layout: x is [N, H, W, C], w is [K, KH, KW, C] (OHWI), out is [N, OH, OW, K] with
 *   OH = (H + 2*pad - KH) / stride + 1,  OW = (W + 2*pad - KW) / stride + 1.
 * Out-of-range input taps (the padding) contribute zero and are simply skipped.
 */
#include <stdint.h>

#define IDX4(n, h, w, c) ((((int64_t)(n) * H + (h)) * W + (w)) * C + (c))
#define WIDX(k, r, s, c) ((((int64_t)(k) * KH + (r)) * KW + (s)) * C + (c))

// xpiler: args x=float32[2,15,17,6] w=float32[10,3,3,6] out=float32[2,8,9,10] N=2 H=15 W=17 C=6 K=10 KH=3 KW=3 stride=2 pad=1
void conv2d_nhwc_f32(const float *restrict x, const float *restrict w, float *restrict out,
                     int N, int H, int W, int C, int K, int KH, int KW, int stride, int pad)
{
    const int OH = (H + 2 * pad - KH) / stride + 1;
    const int OW = (W + 2 * pad - KW) / stride + 1;

    for (int n = 0; n < N; ++n)
        for (int oh = 0; oh < OH; ++oh)
            for (int ow = 0; ow < OW; ++ow)
                for (int k = 0; k < K; ++k) {
                    float acc = 0.0f;
                    for (int r = 0; r < KH; ++r) {
                        const int ih = oh * stride - pad + r;
                        if (ih < 0)
                            continue;       /* top padding */
                        if (ih >= H)
                            break;          /* bottom padding: ih only grows with r */
                        for (int s = 0; s < KW; ++s) {
                            const int iw = ow * stride - pad + s;
                            if (iw < 0)
                                continue;
                            if (iw >= W)
                                break;
                            for (int c = 0; c < C; ++c)
                                acc += x[IDX4(n, ih, iw, c)] * w[WIDX(k, r, s, c)];
                        }
                    }
                    /* out has the same NHWC shape pattern, with OH, OW, K */
                    out[(((int64_t)n * OH + oh) * OW + ow) * K + k] = acc;
                }
}
