/*
 * minpool2d.c -- 2-D min pooling, NHWC, no padding.
 * Layout: x is [N, H, W, C], out is [N, OH, OW, C] with
 *   OH = (H - kh) / stride + 1,  OW = (W - kw) / stride + 1.
 * The channel loop is innermost so each tap reads C contiguous floats.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>

// xpiler: args x=float32[2,13,18,5] out=float32[2,11,17,5] N=2 H=13 W=18 C=5 kh=3 kw=2 stride=1
void minpool2d_f32(const float *restrict x, float *restrict out,
                   int N, int H, int W, int C, int kh, int kw, int stride)
{
    const int OH = (H - kh) / stride + 1;
    const int OW = (W - kw) / stride + 1;

    for (int n = 0; n < N; ++n)
        for (int oh = 0; oh < OH; ++oh)
            for (int ow = 0; ow < OW; ++ow) {
                float *o = out + (((int64_t)n * OH + oh) * OW + ow) * C;
                for (int c = 0; c < C; ++c)
                    o[c] = FLT_MAX;
                for (int i = 0; i < kh; ++i)
                    for (int j = 0; j < kw; ++j) {
                        const float *t = x + (((int64_t)n * H + (oh * stride + i)) * W
                                              + (ow * stride + j)) * C;
                        for (int c = 0; c < C; ++c)
                            o[c] = fminf(o[c], t[c]);
                    }
            }
}
